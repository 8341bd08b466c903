"""The HTTP routes, one module per group of endpoints; ``cds_service.app`` mounts them."""
