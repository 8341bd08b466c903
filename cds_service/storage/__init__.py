"""The service's database: engines, the schema and its migrations (Alembic).

Feedback and the JWT replay cache live in one database: SQLite by default (one machine),
PostgreSQL when the service runs on several (``CDS_DATABASE_URL``). The schema changes only
through the migrations in ``migrations/versions``, applied by ``myositis-cds db upgrade`` (and
by ``serve`` before its workers start); a worker never creates or alters a table.
"""

from cds_service.storage.engine import make_engine
from cds_service.storage.migrate import (
    SchemaGate,
    SchemaStatus,
    error_name,
    schema_status,
    upgrade_database,
)

__all__ = [
    "SchemaGate",
    "SchemaStatus",
    "error_name",
    "make_engine",
    "schema_status",
    "upgrade_database",
]
