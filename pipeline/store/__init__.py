"""The store: SQLAlchemy models, sessions, migrations, the audit log and typed queries.

models      the tables (typed declarative)
session     open_store / upgrade / current_revision; Store.session() is a transaction
audit       record(): the append-only audit log, ids and hashes only
queries     what callers ask: submissions by hash, stored events, rejected files
migrations/ the Alembic environment, run in code (no alembic.ini)
"""

from pipeline.store.session import Store, current_revision, head_revision, open_store, upgrade

__all__ = ["Store", "current_revision", "head_revision", "open_store", "upgrade"]
