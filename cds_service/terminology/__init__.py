"""terminology layer (shared/architecture.md)."""
