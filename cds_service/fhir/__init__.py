"""fhir layer (shared/architecture.md)."""
