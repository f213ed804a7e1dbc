"""Alembic environment of the workspace store: run programmatically by ``planner.workspace``.

The caller passes an open connection (already in a transaction that holds the
migration lock) as ``config.attributes["connection"]``; nothing here reads a URL.
"""

from __future__ import annotations

from alembic import context

from planner.workspace.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
