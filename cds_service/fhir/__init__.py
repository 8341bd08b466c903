"""The FHIR layer: the only one that imports fhir.resources and httpx (docs/architecture.md)."""
