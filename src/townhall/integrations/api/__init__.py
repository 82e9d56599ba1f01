"""The REST API at /api/v1/: one module per resource, on django-ninja (ADR 41)."""
