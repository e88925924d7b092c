"""pipeline/store: migrations, SQLite pragmas, constraints, the audit log and queries."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command as alembic_command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from pipeline.errors import StoreError
from pipeline.records import Event
from pipeline.store import audit, queries
from pipeline.store.models import AuditEntry, Base, EventRow, Person, Submission
from pipeline.store.people import get_or_create_people
from pipeline.store.session import (
    Store,
    alembic_config,
    current_revision,
    head_revision,
    open_store,
    upgrade,
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'planwatch.db'}"


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    upgrade(sqlite_url)
    with open_store(sqlite_url) as opened:
        yield opened


def submission(sha_char: str = "a", **values: object) -> Submission:
    fields: dict[str, object] = {
        "sha256": sha_char * 64,
        "original_name": "support-plan.docx",
        "received_at": datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
        "status": "stored",
        "command": "ingest",
    }
    fields.update(values)
    return Submission(**fields)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def new_person(session: Session, person_id: str = "P-0001") -> Person:
    return get_or_create_people(session, [person_id])[person_id]


# --- migrations ----------------------------------------------------------------------


def test_migration_applies_on_a_fresh_sqlite_file(sqlite_url: str, tmp_path: Path) -> None:
    assert current_revision(sqlite_url) is None
    assert not (tmp_path / "planwatch.db").exists()  # asking does not create a store

    assert upgrade(sqlite_url) == head_revision()

    assert current_revision(sqlite_url) == head_revision()
    assert mode(tmp_path / "planwatch.db") == 0o600


def test_migration_matches_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []


def test_indexes_for_the_queries_callers_make(store: Store) -> None:
    inspector = inspect(store.engine)

    def indexed(table: str) -> set[str]:
        return {
            column
            for index in inspector.get_indexes(table)
            for column in index["column_names"]
            if column is not None
        }

    assert {"person_id", "status"} <= indexed("submissions")
    assert {"person_id", "kind", "submission_id"} <= indexed("events")


def test_upgrade_twice_is_a_no_op_and_audited_once(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    upgrade(sqlite_url)

    with open_store(sqlite_url) as opened, opened.session() as session:
        entries = session.scalars(select(AuditEntry)).all()
    assert [(e.command, e.action) for e in entries] == [("db upgrade", "store_migrated")]


def test_downgrade_to_nothing_and_back(store: Store, sqlite_url: str) -> None:
    with store.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        alembic_command.downgrade(config, "base")
        assert set(inspect(connection).get_table_names()) == {"alembic_version"}

    assert upgrade(sqlite_url) == head_revision()


def test_open_store_refuses_a_store_that_is_not_set_up(sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store") as missing:
        open_store(sqlite_url)
    assert missing.value.hint is not None
    assert "planwatch db upgrade" in missing.value.hint

    (tmp_path / "planwatch.db").touch()
    with pytest.raises(StoreError, match="not set up"):
        open_store(sqlite_url)


def test_open_store_refuses_something_that_is_not_a_url() -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        open_store("planwatch.db")


def test_store_in_a_missing_folder_is_explained(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        upgrade(f"sqlite:///{tmp_path / 'nowhere' / 'planwatch.db'}")


# --- SQLite connection settings -------------------------------------------------------


def test_wal_foreign_keys_and_busy_timeout_are_on(store: Store) -> None:
    with store.session() as session:
        journal = session.execute(text("PRAGMA journal_mode")).scalar()
        foreign_keys = session.execute(text("PRAGMA foreign_keys")).scalar()
        busy_timeout = session.execute(text("PRAGMA busy_timeout")).scalar()

    assert (journal, foreign_keys) == ("wal", 1)
    assert busy_timeout is not None and busy_timeout > 0


def test_write_ahead_log_is_owner_only_too(store: Store, tmp_path: Path) -> None:
    with store.session() as session:
        new_person(session)
        session.flush()
        wal = tmp_path / "planwatch.db-wal"
        assert wal.exists()
        assert mode(wal) == 0o600


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(StoreError, match="FOREIGN KEY"), store.session() as session:
        session.add(submission(person_id="P-unknown"))


# --- constraints and transactions -----------------------------------------------------


def test_sha256_is_unique(store: Store) -> None:
    with store.session() as session:
        session.add(submission("a"))

    with pytest.raises(StoreError, match="sha256") as caught, store.session() as session:
        session.add(submission("a", original_name="Jane Doe review.docx"))

    assert "Jane" not in str(caught.value)  # statement parameters stay out of messages
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 1


def test_status_must_be_one_of_three(store: Store) -> None:
    with pytest.raises(StoreError, match="status"), store.session() as session:
        session.add(submission(status="archived"))


def test_session_rolls_back_on_any_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as session:
        new_person(session)
        raise RuntimeError("the archive copy failed")

    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_datetimes_come_back_timezone_aware_utc(store: Store) -> None:
    london_summer = timezone(timedelta(hours=1))
    with store.session() as session:
        session.add(submission(received_at=datetime(2025, 6, 2, 10, 0, tzinfo=london_summer)))

    with store.session() as session:
        found = queries.find_submission_by_sha(session, "a" * 64)

    assert found is not None
    assert found.received_at == datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    assert found.received_at.tzinfo is UTC


def test_naive_datetime_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="naive datetime"), store.session() as session:
        session.add(submission(received_at=datetime(2025, 1, 6, 9, 0)))


# --- the audit log ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("UPDATE audit_log SET command = 'edited'", id="update"),
        pytest.param("DELETE FROM audit_log", id="delete"),
    ],
)
def test_audit_log_refuses_update_and_delete(store: Store, statement: str) -> None:
    with store.session() as session:
        audit.record(session, command="ingest", action="stored", sha256="a" * 64)

    with pytest.raises(StoreError, match="append-only"), store.session() as session:
        session.execute(text(statement))

    with store.session() as session:  # the migration's own entry, then ours
        assert session.scalars(select(AuditEntry.command)).all() == ["db upgrade", "ingest"]


def test_audit_record_keeps_ids_and_file_names(store: Store) -> None:
    detail: audit.Detail = {
        "form_id": "review",
        "file_name": "r.docx",
        "finding_codes": ["missing"],
    }
    with store.session() as session:
        entry = audit.record(
            session, command="ingest", action="stored", submission_id=7, detail=detail
        )

    assert entry.id is not None
    assert entry.at.tzinfo is UTC
    with store.session() as session:
        query = select(AuditEntry.detail).where(AuditEntry.submission_id == 7)
        assert session.scalars(query).one() == detail


@pytest.mark.parametrize(
    "detail",
    [
        pytest.param({"person_name": "Jane Doe"}, id="a_name"),
        pytest.param({"date_of_birth": "1990-01-01"}, id="a_date_of_birth"),
        pytest.param({"values": {"risk": "high"}}, id="field_values"),
        pytest.param({"form_id": {"nested": "dict"}}, id="not_a_scalar"),
        pytest.param({"file_name": "x" * 501}, id="too_long_for_a_file_name"),
    ],
)
def test_audit_record_refuses_anything_about_a_person(
    store: Store, detail: dict[str, object]
) -> None:
    with pytest.raises(ValueError, match="audit detail"), store.session() as session:
        audit.record(session, command="ingest", action="stored", detail=detail)  # type: ignore[arg-type]


# --- queries ----------------------------------------------------------------------------


def add_event(session_submission: Submission, kind: str, on: date) -> EventRow:
    return EventRow(
        submission=session_submission,
        person_id="P-0001",
        service="floating-support",
        kind=kind,
        on=on,
        at=datetime(2025, 1, 6, 10, 30),
        worker="A. Worker",
        complete=True,
        details={"review_frequency": "quarterly"},
    )


def test_events_come_only_from_stored_submissions(store: Store) -> None:
    with store.session() as session:
        person = new_person(session)
        current = submission("a", person=person, archived_path="/archive/a.docx")
        old = submission("b", person=person, status="superseded", archived_path="/archive/b.docx")
        session.add_all([current, old])
        session.add_all(
            [
                add_event(current, "plan_agreed", date(2025, 1, 6)),
                add_event(current, "referral_received", date(2025, 1, 2)),
                add_event(old, "plan_agreed", date(2025, 1, 3)),
            ]
        )

    with store.session() as session:
        found = sorted(queries.event_facts(session), key=lambda e: e.on)

    assert all(type(e) is Event for e in found)
    assert [(e.kind, e.on) for e in found] == [
        ("referral_received", date(2025, 1, 2)),
        ("plan_agreed", date(2025, 1, 6)),
    ]
    assert {e.source for e in found} == {"/archive/a.docx"}
    assert found[0].details == {"review_frequency": "quarterly"}
    assert found[0].at == datetime(2025, 1, 6, 10, 30)  # wall-clock time, as on the form


def test_rejected_submissions_newest_first(store: Store) -> None:
    with store.session() as session:
        session.add_all(
            [
                submission("a"),
                submission("b", status="superseded"),
                submission("c", status="rejected", reason="The date of the plan is missing."),
                submission(
                    "d",
                    status="rejected",
                    received_at=datetime(2025, 2, 1, tzinfo=UTC),
                    reason="This PDF has an XFA form, which cannot be read.",
                ),
            ]
        )

    with store.session() as session:
        assert [s.sha256[0] for s in queries.rejected(session)] == ["d", "c"]  # newest first
        assert queries.find_submission_by_sha(session, "e" * 64) is None


def test_get_or_create_people_is_idempotent(store: Store) -> None:
    with store.session() as session:
        first = new_person(session)
    with store.session() as session:
        again = new_person(session)
        assert again.id == first.id
        assert session.scalar(select(func.count()).select_from(Person)) == 1
        assert again.created_at.tzinfo is UTC


# --- PostgreSQL ---------------------------------------------------------------------------


def test_postgresql_migration_constraints_and_audit_log(postgres_url: str) -> None:
    assert current_revision(postgres_url) is None
    assert upgrade(postgres_url) == head_revision()
    assert upgrade(postgres_url) == head_revision()

    with open_store(postgres_url) as pg:
        with pg.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []

        with pg.session() as session:
            person = new_person(session)
            session.add(submission("a", person=person))
            audit.record(session, command="ingest", action="stored", sha256="a" * 64)
        with pytest.raises(StoreError, match="sha256"), pg.session() as session:
            session.add(submission("a"))
        for statement in (
            "UPDATE audit_log SET command = 'x'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(StoreError, match="append-only"), pg.session() as session:
                session.execute(text(statement))
        with pg.session() as session:
            received = session.scalars(select(Submission.received_at)).one()
            assert received == datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
            assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2
