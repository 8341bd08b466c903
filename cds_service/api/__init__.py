"""api layer (shared/architecture.md)."""
