"""The CDS Hooks protocol layer: wire models, services and prefetch, auth, pipeline
(docs/architecture.md)."""
