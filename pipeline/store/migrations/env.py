"""Alembic environment for the Planwatch store.

Run only through :func:`pipeline.store.session.upgrade`, which passes an open connection
(already in a transaction, SQLite pragmas applied) in ``config.attributes["connection"]``.
There is no alembic.ini and no offline (--sql) mode.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from pipeline.store.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "Run Planwatch migrations with `planwatch db upgrade` "
        "(pipeline.store.session.upgrade), not the alembic command."
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
