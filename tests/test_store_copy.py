"""pipeline/store/copy.py (`planwatch db copy`): a whole store moved to another engine,
every row checked, nothing half-copied; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.definitions import Catalogue
from pipeline.errors import StoreError
from pipeline.forms_service import fill
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.ingest import Workspace
from pipeline.store import copy as store_copy
from pipeline.store.copy import AUDIT, copy_store, table_digest
from pipeline.store.models import AuditEntry, Base, Submission
from pipeline.store.session import open_store, upgrade
from pipeline.workspace import init_workspace
from tests.form_values import FULL_VALUES


def _source(home: Path, catalogue: Catalogue, database_url: str | None = None) -> str:
    """A workspace whose store holds every kind of row: people, episodes, events, actions,
    scores, a rejected file and a superseded plan that points at its later correction."""
    init_workspace(home, **({"database_url": database_url} if database_url else {}))
    settings = load_settings(home, **({"database_url": database_url} if database_url else {}))

    def form(name: str, form_id: str, **changes: Any) -> None:
        values = {**FULL_VALUES[form_id], **changes}
        fill(catalogue.get(form_id), {k: v for k, v in values.items() if v is not None},
             settings.inbox_path / name, saved_at=datetime(2026, 1, 1, 9, int(name[:2]),
                                                           tzinfo=UTC))

    form("01 referral.docx", "referral")
    form("02 plan incomplete.docx", "support-plan", person_views=None)  # blocking
    form("03 plan.docx", "support-plan")  # supersedes 02, stored after it
    form("04 review.docx", "review")
    (settings.inbox_path / "05 scan.docx").write_bytes(b"not a document")
    with open_store(settings.database_url) as store:
        workspace = Workspace(home=settings.home, inbox=settings.inbox_path,
                              archive=settings.archive_path, rejected=settings.rejected_path,
                              catalogue=catalogue)
        outcomes = [r.outcome.value for r in ingest_paths([settings.inbox_path], store,
                                                          workspace)]
    assert sorted(outcomes) == ["rejected", "stored", "stored", "stored", "superseded"]
    return settings.database_url


def _target(database_url: str | None, tmp_path: Path) -> str:
    return database_url or f"sqlite:///{tmp_path / 'copy.db'}"


def _digests(url: str) -> dict[str, tuple[int, str]]:
    """Every table's rows and content hash (the audit log without its ids, and without
    the target's own migration entries)."""
    with open_store(url) as store, store.engine.connect() as connection:
        found = {}
        for table in Base.metadata.sorted_tables:
            if table.name == AUDIT:
                own = connection.execute(select(func.max(table.c.id)).where(
                    table.c.action == "store_migrated",
                    table.c.command.in_(("db copy", "db upgrade")))
                ).scalar() or 0
                digest = table_digest(connection, table, after_id=own, without=("id",))
            else:
                digest = table_digest(connection, table)
            found[table.name] = (digest.rows, digest.sha256)
        return found


def _rows(url: str) -> int:
    with open_store(url) as store, store.engine.connect() as connection:
        return sum(int(connection.execute(select(func.count()).select_from(t)).scalar() or 0)
                   for t in Base.metadata.sorted_tables if t.name != AUDIT)


def test_a_sqlite_store_copied_holds_every_row_and_link(
        tmp_path: Path, catalogue: Catalogue, database_url: str | None) -> None:
    source = _source(tmp_path / "ws", catalogue)
    target = _target(database_url, tmp_path)
    before = _digests(source)

    checked = copy_store(source, target)

    assert {c.table for c in checked} == {t.name for t in Base.metadata.sorted_tables}
    assert {c.table: (c.rows, c.sha256) for c in checked if c.table != AUDIT} == \
        {name: digest for name, digest in before.items() if name != AUDIT}
    assert _digests(target) == before
    assert all(before[name][0] > 0 for name in ("persons", "submissions", "events",
                                                "episodes"))
    with open_store(target) as store, store.session() as session:
        rows = {s.original_name: s for s in session.scalars(select(Submission))}
    assert rows["02 plan incomplete.docx"].superseded_by == rows["03 plan.docx"].id
    assert rows["05 scan.docx"].status == "rejected"


def test_a_postgresql_store_copied_to_sqlite(tmp_path: Path, catalogue: Catalogue,
                                             postgres_url: str) -> None:
    source = _source(tmp_path / "ws", catalogue, database_url=postgres_url)
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    copy_store(source, target)
    assert _digests(target) == _digests(source)


def test_the_copy_takes_new_rows_after_the_copied_ids(
        tmp_path: Path, catalogue: Catalogue, database_url: str | None) -> None:
    """PostgreSQL's id sequences are set past the copied ids: the next row fits."""
    source = _source(tmp_path / "ws", catalogue)
    target = _target(database_url, tmp_path)
    copy_store(source, target)
    with open_store(target) as store, store.session() as session:
        highest = session.scalar(select(func.max(Submission.id)))
        added = Submission(sha256="f" * 64, original_name="later.docx",
                           received_at=datetime(2026, 2, 1, 9, tzinfo=UTC), status="rejected",
                           reason="a test row", command="ingest")
        session.add(added)
        session.flush()
        assert highest is not None and added.id > highest


def test_the_audit_log_is_appended_after_the_targets_own_entries(
        tmp_path: Path, catalogue: Catalogue, database_url: str | None) -> None:
    source = _source(tmp_path / "ws", catalogue)
    target = _target(database_url, tmp_path)
    copy_store(source, target)
    with open_store(source) as store, store.session() as session:
        original = [(a.action, a.command) for a in
                    session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    with open_store(target) as store, store.session() as session:
        copied = [(a.action, a.command) for a in
                  session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert copied[0] == ("store_migrated", "db copy")  # the target's own, first
    assert copied[-len(original):] == original


def test_a_target_that_holds_data_is_refused_and_left_alone(
        tmp_path: Path, catalogue: Catalogue, database_url: str | None) -> None:
    source = _source(tmp_path / "ws", catalogue)
    target = _target(database_url, tmp_path)
    copy_store(source, target)
    before = _digests(target)
    with pytest.raises(StoreError) as refused:
        copy_store(source, target)
    assert "already holds data" in str(refused.value)
    assert _digests(target) == before


def test_a_copy_that_does_not_match_is_rolled_back(
        tmp_path: Path, catalogue: Catalogue, database_url: str | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    source = _source(tmp_path / "ws", catalogue)
    target = _target(database_url, tmp_path)
    upgrade(target)
    real = store_copy.table_digest
    calls: list[str] = []

    def differing(connection: Any, table: Any, **options: Any) -> store_copy.TableCopy:
        found = real(connection, table, **options)
        calls.append(table.name)
        if table.name == "events" and calls.count("events") == 2:  # the copy's side
            return store_copy.TableCopy(found.table, found.rows, "0" * 64)
        return found

    monkeypatch.setattr(store_copy, "table_digest", differing)
    with pytest.raises(StoreError) as failed:
        copy_store(source, target)
    assert "table events does not match" in str(failed.value)
    assert _rows(target) == 0  # nothing half-copied
    monkeypatch.setattr(store_copy, "table_digest", real)
    copy_store(source, target)  # and the empty target still takes the copy
    assert _digests(target) == _digests(source)


def test_db_copy_command(tmp_path: Path, catalogue: Catalogue,
                         database_url: str | None) -> None:
    source = _source(tmp_path / "ws", catalogue)
    target = _target(database_url, tmp_path)
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "ws"), "db", "copy",
                                      "--to", target], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Copied and checked" in result.output and "submissions" in result.output
    assert _digests(target) == _digests(source)
    again = CliRunner().invoke(app, ["--home", str(tmp_path / "ws"), "db", "copy",
                                     "--to", target])
    assert isinstance(again.exception, StoreError)  # main() prints it and exits 1
    assert "already holds data" in str(again.exception)
