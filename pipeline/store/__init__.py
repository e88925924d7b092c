"""The store: SQLAlchemy models, sessions, migrations, the audit log and typed queries.

models      the tables (typed declarative)
session     open_store / upgrade / current_revision; Store.session() is a transaction
revisions   the newest schema revision, from the migration files (no database library)
audit       record(): the append-only audit log, ids and hashes only
queries     what callers ask: submissions by hash, stored events, rejected files
people      the people a batch of forms is about, found or created in one round trip
supersession which of several copies of one form counts, and why
claims      one process at a time works on a given file content
copy        a whole store moved to another engine (``db copy``)
kept        the kept obligations' tables: read, replaced, and what they were worked out by
migrations/ the Alembic environment, run in code (no alembic.ini)

It imports the records, :mod:`pipeline.errors` and :mod:`pipeline.files`, never the inbox
(which writes forms into it, :mod:`pipeline.inbox.recording`), the formats, the rules, the
reports, the watcher, the demo or the command line.

Import from the modules themselves (``from pipeline.store.session import open_store``):
the package imports nothing, so that what needs no database library loads none.
"""
