"""cdshooks layer (shared/architecture.md)."""
