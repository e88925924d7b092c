"""pipeline/store/kept.py: the kept obligations' tables, their migration, and working them
out again (automatically when the policies change, and by ``planwatch db
rebuild-obligations``), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic import command as alembic_command
from sqlalchemy import select
from typer.testing import CliRunner

from pipeline import casework
from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.definitions import Catalogue
from pipeline.forms_service import fill
from pipeline.records import Event
from pipeline.rules import compute_obligations
from pipeline.rules.kept import from_columns
from pipeline.store import kept, queries
from pipeline.store.models import EventRow, KeptBasis, Person, Submission
from pipeline.store.session import Store, alembic_config, open_store, upgrade
from tests.form_values import FULL_VALUES

runner = CliRunner()
AS_OF = "2026-11-23"
FORMS = ["referral", "support-plan", "review", "review-part2"]


def workspace(tmp_path: Path, catalogue: Catalogue, database_url: str | None = None) -> Path:
    """A community-support workspace with one person's forms taken in, and deadlines read."""
    home = tmp_path / "ws"
    prefix = [] if database_url is None else ["--database-url", database_url]
    assert runner.invoke(app, ["--home", str(home), *prefix, "init"]).exit_code == 0
    if database_url is not None:
        with (home / "planwatch.toml").open("a") as settings:
            settings.write(f'\ndatabase_url = "{database_url}"\n')
    for number, form_id in enumerate(FORMS):
        fill(catalogue.get(form_id), FULL_VALUES[form_id],
             home / "inbox" / f"{number:02d}-{form_id}.docx")
    for command in (["ingest"], ["due", "--as-of", AS_OF]):
        result = runner.invoke(app, ["--home", str(home), *command])
        assert result.exit_code == 0, result.output
    return home


def due_json(home: Path, *extra: str) -> tuple[list[dict[str, object]], str]:
    result = runner.invoke(app, ["--home", str(home), *extra, "due", "--as-of", AS_OF,
                                 "--all", "--json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows, result.stderr


def test_a_policy_default_changed_works_them_out_again_once_and_says_so(
        tmp_path: Path, catalogue: Catalogue, database_url: str | None) -> None:
    home = workspace(tmp_path, catalogue, database_url)
    before, said = due_json(home)
    assert said == ""
    with (home / "planwatch.toml").open("a") as settings:
        settings.write("\nreview_part2_working_days = 3\n")
    after, said = due_json(home)
    assert said == ("Policies have changed since deadlines were last worked out: working "
                    "them out again for 1 person…\n")
    part2 = [(r["due"], r["status"]) for r in after if r["obligation"] == "review_part2"]
    assert part2 == [("2026-04-16", "met_late")]
    assert [r for r in after if r["obligation"] != "review_part2"] == [
        r for r in before if r["obligation"] != "review_part2"]
    again, said = due_json(home)
    assert (again, said) == (after, "")


def test_rebuild_obligations_says_how_many(tmp_path: Path, catalogue: Catalogue,
                                          database_url: str | None) -> None:
    home = workspace(tmp_path, catalogue, database_url)
    before, _ = due_json(home)
    result = runner.invoke(app, ["--home", str(home), "db", "rebuild-obligations"])
    assert result.exit_code == 0, result.output
    assert result.output == "Worked out and kept 4 obligations of 1 person.\n"
    assert due_json(home) == (before, "")


def test_a_store_migrated_with_forms_works_them_out_at_the_first_read(
        tmp_path: Path, catalogue: Catalogue) -> None:
    home = workspace(tmp_path, catalogue)
    before, _ = due_json(home)
    url = load_settings(home).database_url
    with open_store(url) as store, store.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        alembic_command.downgrade(config, "0005")
    upgrade(url)
    with open_store(url) as store, store.session() as session:
        assert kept.basis(session) == kept.Basis(kept.MIGRATED, None)
        assert kept.rows(session) == []
    after, said = due_json(home)
    assert said == ("Deadlines are kept in the store from this version on: working them out "
                    "for 1 person (once)…\n")
    assert after == before


def test_a_new_store_has_no_basis_until_deadlines_are_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'planwatch.db'}"
    upgrade(url)
    with open_store(url) as store, store.session() as session:
        assert kept.basis(session) is None


def test_forms_stored_by_other_rules_mark_them_stale(tmp_path: Path,
                                                     catalogue: Catalogue) -> None:
    home = workspace(tmp_path, catalogue)
    settings = load_settings(home)
    with open_store(settings.database_url) as store:
        with store.session() as session:
            # As if a Planwatch with another rules version had worked them out.
            found = kept.basis(session)
            assert found is not None and found.rule_sets is not None
            kept.set_basis(session, "0" * 64, found.rule_sets)
        fill(catalogue.get("review"), {**FULL_VALUES["review"], "review_date": "2026-10-01"},
             home / "inbox" / "late-review.docx")
        assert runner.invoke(app, ["--home", str(home), "ingest"]).exit_code == 0
        with store.session() as session:
            assert kept.basis(session) == kept.Basis(kept.STALE, found.rule_sets)
        said: list[str] = []
        rows = casework.obligations(store, settings, date(2026, 11, 23), say=said.append)
        assert said == ["Forms were stored by a Planwatch with other rules or bank holidays "
                        "since deadlines were last worked out: working them out again for "
                        "1 person…"]
        assert rows == compute_obligations(
            stored(store), date(2026, 11, 23),
            rule_sets=casework.service_policies(settings).rule_sets())


def stored(store: Store) -> list[Event]:
    with store.session() as session:
        return list(queries.event_facts(session))


def test_a_past_date_is_worked_out_from_the_events(tmp_path: Path, catalogue: Catalogue,
                                                  database_url: str | None) -> None:
    home = workspace(tmp_path, catalogue, database_url)
    settings = load_settings(home)
    rule_sets = casework.service_policies(settings).rule_sets()
    with open_store(settings.database_url) as store:
        events = stored(store)
        for as_of in (date(2026, 3, 1), date(2026, 4, 14), date(2026, 4, 30),
                      date(2027, 11, 23)):
            assert casework.obligations(store, settings, as_of) == compute_obligations(
                events, as_of, rule_sets=rule_sets)
        assert casework.person_obligations(store, settings, "CS-00042", date(2026, 4, 14)) \
            == compute_obligations(events, date(2026, 4, 14),
                                   rule_sets=rule_sets)


def test_replace_keeps_each_persons_rows_in_order(tmp_path: Path,
                                                 database_url: str | None) -> None:
    url = database_url or f"sqlite:///{tmp_path / 'planwatch.db'}"
    upgrade(url)
    row = {"service": "sds", "obligation": "review", "state": "open", "met_on": None,
           "worker": None, "team": None, "source": None, "cycle": 0, "episode": 1,
           "due_at": datetime(2026, 5, 1, 9, tzinfo=UTC), "note": None, "met_by": None,
           "next_due": None, "onward": None}
    with open_store(url) as store:
        with store.session() as session:
            kept.replace(session, None, [kept.Group("A", "sds", date(2026, 1, 1), ("M",))],
                         [{**row, "person_id": "A", "due": date(2026, 2, day)}
                          for day in (3, 1, 2)])
            kept.replace(session, {"B"}, [kept.Group("B", "sds", date(2026, 3, 1), ())],
                         [{**row, "person_id": "B", "due": date(2026, 2, 9)}])
        with store.session() as session:
            def read(**given: Any) -> list[tuple[str, int, datetime | None]]:
                return [(r.person_id, r.due.day, r.due_at) for r in map(
                    from_columns, kept.rows(session, **given))]

            assert read() == [("A", 3, row["due_at"]), ("A", 1, row["due_at"]),
                              ("A", 2, row["due_at"]), ("B", 9, row["due_at"])]
            assert [person for person, _, _ in read(people={"B"})] == ["B"]
            assert read(states={"met": (date.max, None)}) == []
            assert [day for _, day, _ in read(states={"open": (date(2026, 2, 2), None)})] == [
                1, 2]
            assert read(states={"open": (None, None)}) == []
            assert kept.groups(session, later_than=date(2026, 2, 1)) == [
                kept.Group("B", "sds", date(2026, 3, 1), ())]
            assert kept.counts(session) == (2, 4)
            kept.replace(session, {"A"}, [], [])
            assert kept.counts(session) == (1, 1)
            assert session.execute(select(KeptBasis)).first() is None


def test_people_event_facts_are_those_of_event_facts(tmp_path: Path,
                                                    catalogue: Catalogue) -> None:
    home = workspace(tmp_path, catalogue)
    with open_store(load_settings(home).database_url) as store, store.session() as session:
        everyone = queries.event_facts(session)
        mine = queries.people_event_facts(session, ["CS-00042", "nobody"])
        assert sorted(mine) == sorted(everyone)
        reviews = queries.people_event_facts(session, ["CS-00042"], every_copy=True,
                                             service="community-support", kind="review")
        assert [e.kind for e in reviews] == ["review"]
        assert session.scalar(select(Person.person_id)) == "CS-00042"
        assert session.scalar(select(EventRow.id)) is not None
        assert session.scalar(select(Submission.id)) is not None


def test_a_store_copied_to_postgresql_keeps_its_obligations(
        tmp_path: Path, catalogue: Catalogue, postgres_url: str) -> None:
    home = workspace(tmp_path, catalogue)
    before, _ = due_json(home)
    result = runner.invoke(app, ["--home", str(home), "db", "copy", "--to", postgres_url])
    assert result.exit_code == 0, result.output
    with open_store(postgres_url) as store, store.session() as session:
        assert kept.counts(session) == (1, 4)
    assert due_json(home, "--database-url", postgres_url) == (before, "")
