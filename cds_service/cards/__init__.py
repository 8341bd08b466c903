"""cards layer (shared/architecture.md)."""
