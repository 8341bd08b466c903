"""Tests of the CDS Hooks protocol layer (cds_service/cdshooks)."""
