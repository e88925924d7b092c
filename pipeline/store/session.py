"""Opening, migrating and using the store: SQLite by default, PostgreSQL for several sites.

    upgrade(url)        create or migrate the schema to the newest revision (audited)
    open_store(url)     a Store whose schema is current; Store.session() is a transaction
    current_revision    what revision a store is at (None: not set up)

Every SQLAlchemy error leaving this module is a :class:`StoreError` that says what to do.
Messages name the store with its password hidden and never include statement parameters,
which may hold what a form says about a person.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from pipeline import files
from pipeline.errors import StoreError
from pipeline.store import audit
from pipeline.store.revisions import newest_revision

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# How long a writer waits for another process (watcher, a CLI command) to finish writing
# before SQLite reports "database is locked".
BUSY_TIMEOUT_MS = 15_000

_UPGRADE_HINT = "Run `planwatch db upgrade` (or `planwatch init` for a new workspace)."


class Store:
    """An open store. ``session()`` is one transaction; ``close()`` releases connections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.display_url = display_url(engine.url)
        # expire_on_commit=False: callers read rows after the transaction has ended
        # (to print or report them) without a second round trip.
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back if it raises.

        SQLAlchemy errors (including from the commit) become :class:`StoreError`; any
        other exception is re-raised unchanged after the rollback.
        """
        session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise store_error(exc, self.display_url) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def normalise_url(database_url: str) -> URL:
    """``database_url`` parsed; plain ``postgresql://`` URLs get the psycopg 3 driver.

    Raises :class:`StoreError` for something that is not a database URL.
    """
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise StoreError(
            f"{database_url!r} is not a database URL.",
            hint="Use sqlite:////path/to/planwatch.db or postgresql+psycopg://user@host/db "
            "(database_url in planwatch.toml or PLANWATCH_DATABASE_URL).",
        ) from exc
    if url.drivername in ("postgres", "postgresql"):
        # Planwatch installs psycopg 3; SQLAlchemy's default would be psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    return url


def display_url(url: URL | str) -> str:
    """The URL as it may be shown to a person: password hidden."""
    return (make_url(url) if isinstance(url, str) else url).render_as_string(hide_password=True)


def open_store(database_url: str, *, check_schema: bool = True) -> Store:
    """Open the store at ``database_url``.

    With ``check_schema`` (the default) the store must exist and be at the newest
    revision; otherwise :class:`StoreError` says to run ``planwatch db upgrade``. Only
    :func:`upgrade` creates a store.
    """
    url = normalise_url(database_url)
    store = Store(_engine(url, create=False))
    if check_schema:
        try:
            _check_current(store.engine)
        except BaseException:
            store.close()
            raise
    return store


def upgrade(database_url: str, *, command: str = "db upgrade") -> str:
    """Create the store if needed and migrate it to the newest revision; return that.

    A SQLite file is created owner-only (0600). The migration runs in one transaction, is
    recorded in the audit log when the revision changes, and does nothing when the store
    is already current.
    """
    url = normalise_url(database_url)
    # SQLite's own procedure for schema changes: foreign keys off while tables are
    # rebuilt (batch mode), then check them before committing.
    # https://www.sqlite.org/lang_altertable.html#otheralter
    from alembic import command as alembic_command
    from alembic.runtime.migration import MigrationContext

    engine = _engine(url, create=True, foreign_keys=False)
    shown = display_url(url)
    try:
        with engine.begin() as connection:
            before = MigrationContext.configure(connection).get_current_revision()
            config = alembic_config()
            config.attributes["connection"] = connection
            alembic_command.upgrade(config, "head")
            after = MigrationContext.configure(connection).get_current_revision()
            if connection.dialect.name == "sqlite":
                _check_foreign_keys(connection, shown)
            if after != before:
                with Session(bind=connection) as session:
                    audit.record(
                        session,
                        command=command,
                        action="store_migrated",
                        detail={"from_revision": before, "to_revision": after},
                    )
                    session.flush()
    except SQLAlchemyError as exc:
        raise store_error(exc, shown) from exc
    finally:
        engine.dispose()
    if after is None:  # pragma: no cover - alembic always stamps a revision
        raise StoreError(f"The store at {shown} has no revision after migrating.")
    return after


def current_revision(database_url: str) -> str | None:
    """The store's schema revision; ``None`` when it has not been set up (or is missing)."""
    url = normalise_url(database_url)
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return None
    engine = _engine(url, create=False)
    try:
        with engine.connect() as connection:
            return _revision(connection)
    except SQLAlchemyError as exc:
        raise store_error(exc, display_url(url)) from exc
    finally:
        engine.dispose()


def _revision(connection: Connection) -> str | None:
    """The revision Alembic stamped in the store's ``alembic_version`` table (None: the
    store has no such table yet), read as Alembic reads it, without importing Alembic:
    only migrating needs it (:func:`upgrade`)."""
    from sqlalchemy import inspect

    if not inspect(connection).has_table("alembic_version"):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(found) > 1:  # pragma: no cover - Planwatch's migrations have one head
        raise StoreError(f"The store at {display_url(connection.engine.url)} has several "
                         f"schema revisions ({', '.join(found)}).", hint=_UPGRADE_HINT)
    return found[0] if found else None


def head_revision() -> str:
    """The newest revision this version of Planwatch knows, read from its migration
    files without importing Alembic (:mod:`pipeline.store.revisions`); opening a store
    compares the store's with it."""
    head = newest_revision()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise StoreError(f"No migrations found in {MIGRATIONS_DIR}.", hint="Reinstall Planwatch.")
    return head


def alembic_config() -> Config:
    """An Alembic configuration built in code: no alembic.ini is needed or read."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def store_error(exc: SQLAlchemyError, shown_url: str) -> StoreError:
    """``exc`` as a :class:`StoreError` for the store at ``shown_url``.

    Only the driver's own message is kept: SQLAlchemy's rendering of an error includes the
    statement's parameters, which may be what a form says about a person.
    """
    orig = getattr(exc, "orig", None)
    reason = str(orig if orig is not None else exc).strip().splitlines()[0]
    lowered = reason.lower()
    if isinstance(exc, OperationalError) and "locked" in lowered:
        return StoreError(
            f"The store at {shown_url} is busy: another Planwatch process is writing to it.",
            hint="Nothing was saved. Run the command again in a moment.",
        )
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return StoreError(f"The store at {shown_url} is not set up ({reason}).", hint=_UPGRADE_HINT)
    if isinstance(exc, IntegrityError):
        return StoreError(
            f"The store at {shown_url} refused a change that breaks its rules: {reason}.",
            hint="Nothing was saved. Run the command again; if this repeats, report it "
            "with this message.",
        )
    if isinstance(exc, OperationalError):
        return StoreError(
            f"Cannot use the store at {shown_url}: {reason}.",
            hint="Check database_url (planwatch.toml or PLANWATCH_DATABASE_URL), that the "
            "database server is running and that you may use it.",
        )
    return StoreError(
        f"The store at {shown_url} failed: {reason}.",
        hint="Nothing was saved. Run the command again; if this repeats, report it.",
    )


def _check_current(engine: Engine) -> None:
    shown = display_url(engine.url)
    try:
        with engine.connect() as connection:
            revision = _revision(connection)
    except SQLAlchemyError as exc:
        raise store_error(exc, shown) from exc
    head = head_revision()
    if revision is None:
        raise StoreError(f"The store at {shown} is not set up.", hint=_UPGRADE_HINT)
    if revision != head:
        raise StoreError(
            f"The store at {shown} is at revision {revision}; this Planwatch needs {head}.",
            hint="Run `planwatch db upgrade` (back up the store first). If the store is "
            "newer than this Planwatch, upgrade Planwatch instead.",
        )


def _check_foreign_keys(connection: Connection, shown_url: str) -> None:
    broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise StoreError(
            f"Migrating the store at {shown_url} would break links between rows in "
            f"{', '.join(tables)}; nothing was changed.",
            hint="Report this with the message above; keep using the previous Planwatch.",
        )


def sqlite_file(database_url: URL | str) -> Path | None:
    """The database file of a SQLite URL; ``None`` for other backends and ``:memory:``."""
    url = normalise_url(database_url) if isinstance(database_url, str) else database_url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database or "").expanduser()


def _engine(url: URL, *, create: bool, foreign_keys: bool = True) -> Engine:
    path = sqlite_file(url)
    if path is not None:
        _prepare_sqlite_file(path, create=create, shown_url=display_url(url))
    if url.get_backend_name() != "sqlite":
        # pool_pre_ping: the watcher holds connections for days; servers drop idle ones.
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url)
    _configure_sqlite(engine, foreign_keys=foreign_keys)
    return engine


def _prepare_sqlite_file(path: Path, *, create: bool, shown_url: str) -> None:
    if path.exists():
        return
    if not create:
        raise StoreError(f"There is no store at {shown_url}.", hint=_UPGRADE_HINT)
    if not path.parent.is_dir():
        raise StoreError(
            f"Cannot create the store at {shown_url}: folder {path.parent} does not exist.",
            hint="Run `planwatch init` in the workspace, or correct database_url.",
        )
    try:
        # Created owner-only (the store holds what forms say about people at risk) before
        # SQLite opens it, so it is never readable by others, not even for a moment;
        # SQLite gives its -wal and -shm files the same permissions.
        files.create_private(path)
    except OSError as exc:
        raise StoreError(
            f"Cannot create the store at {shown_url}: {exc.strerror}.",
            hint="Check that you may write to that folder.",
        ) from exc


def _configure_sqlite(engine: Engine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        assert isinstance(dbapi_connection, sqlite3.Connection)
        # sqlite3's legacy transaction control skips BEGIN before SELECT and DDL (so
        # migrations were not atomic); SQLAlchemy emits BEGIN itself instead, below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # WAL: readers (reports, `due`) never block the watcher's writes, nor it them.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads
        # (is this hash known?) and then writes fails at once with "database is locked"
        # if another process wrote in between, whereas IMMEDIATE waits busy_timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
