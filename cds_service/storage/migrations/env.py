"""Alembic's environment: migrate over the connection ``upgrade_database`` holds the lock on.

Run by ``cds_service.storage.migrate`` (``myositis-cds db upgrade``); with the ``alembic``
command line, ``-x url=...`` names the database (for writing a new revision by hand).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from cds_service.storage.engine import make_engine
from cds_service.storage.schema import metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        url = context.get_x_argument(as_dictionary=True).get("url")
        if not url:
            raise SystemExit("name the database: alembic -x url=sqlite:///... upgrade head")
        engine = make_engine(url)
        with engine.connect() as own_connection:
            _migrate(own_connection)
        engine.dispose()
        return
    _migrate(connection)


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
