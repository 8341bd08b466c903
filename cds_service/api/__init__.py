"""The HTTP layer: thin routes over the service object (docs/architecture.md)."""
