"""Episodes in the store: opened on referral or start, closed on closure, several per person
and service, the same whatever order the forms arrive in, and agreeing with the rules."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pipeline.config import Settings, load_settings
from pipeline.definitions import Catalogue
from pipeline.forms_service import fill
from pipeline.inbox.ingest import Outcome, Workspace, ingest_file
from pipeline.store.models import Episode, EventRow, Submission
from pipeline.store.session import Store, open_store
from pipeline.workspace import init_workspace
from tests.form_values import FULL_VALUES, complete_values

CS = "community-support"
# Referred 27 Feb (support from 2 Mar), reviewed 13 Apr, closed 1 May; referred again
# 1 Sep (support from 7 Sep). The second referral's copy without a start date is
# corrected later by a complete one.
FORMS: list[tuple[str, dict[str, Any]]] = [
    ("referral", {}),
    ("review", {}),
    ("closure", {"closure_date": "2026-05-01", "worker": "Sam Patel"}),
    ("referral", {"referral_date": "2026-09-01", "start_date": None}),
    ("referral", {"referral_date": "2026-09-01", "start_date": "2026-09-07"}),
]


def _values(catalogue: Catalogue, form_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    base = FULL_VALUES.get(form_id) or {
        **complete_values(catalogue.get(form_id).for_service(CS)), "person_id": "CS-00042"}
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    init_workspace(tmp_path / "ws")
    return load_settings(tmp_path / "ws")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with open_store(settings.database_url) as opened:
        yield opened


def _ingest(settings: Settings, store: Store, catalogue: Catalogue, order: list[int]) -> None:
    workspace = Workspace(home=settings.home, inbox=settings.inbox_path,
                          archive=settings.archive_path, rejected=settings.rejected_path,
                          catalogue=catalogue)
    for index in order:
        form_id, changes = FORMS[index]
        path = fill(catalogue.get(form_id), _values(catalogue, form_id, changes),
                    workspace.inbox / f"{index}-{form_id}.docx")
        assert ingest_file(path, store, workspace).outcome in (Outcome.STORED,
                                                               Outcome.SUPERSEDED)


def _episodes(store: Store) -> tuple[list[tuple[Any, ...]], dict[tuple[str, date], date]]:
    """Episode (opened, closed, worker) rows, and each event's episode's opening date."""
    with store.session() as session:
        episodes = session.scalars(select(Episode).order_by(Episode.opened_on)).all()
        opened = {e.id: e.opened_on for e in episodes}
        links = {(row.kind, row.on): opened[row.episode_id]
                 for row, status in session.execute(
                     select(EventRow, Submission.status)
                     .join(Submission, EventRow.submission_id == Submission.id))
                 if row.episode_id is not None and status == "stored"}
        return [(e.service, e.opened_on, e.closed_on, e.worker) for e in episodes], links


@pytest.mark.parametrize("order", [pytest.param(list(order), id="-".join(map(str, order)))
                                   for order in [(0, 1, 2, 3, 4), (4, 3, 2, 1, 0),
                                                 (2, 4, 0, 3, 1), (3, 1, 4, 2, 0)]])
def test_episodes_do_not_depend_on_arrival_order(settings: Settings, store: Store,
                                                 catalogue: Catalogue, order: list[int]) -> None:
    _ingest(settings, store, catalogue, order)
    episodes, links = _episodes(store)
    assert episodes == [
        (CS, date(2026, 2, 27), date(2026, 5, 1), "Sam Patel"),
        (CS, date(2026, 9, 1), None, "Sam Patel"),
    ]
    assert links == {
        ("referral", date(2026, 2, 27)): date(2026, 2, 27),
        ("start", date(2026, 3, 2)): date(2026, 2, 27),
        ("review", date(2026, 4, 13)): date(2026, 2, 27),
        ("closure", date(2026, 5, 1)): date(2026, 2, 27),
        ("referral", date(2026, 9, 1)): date(2026, 9, 1),
        ("start", date(2026, 9, 7)): date(2026, 9, 1),
    }


def test_same_forms_in_every_order_give_the_same_episodes(tmp_path: Path,
                                                          catalogue: Catalogue) -> None:
    seen = set()
    for number, order in enumerate(itertools.islice(itertools.permutations(range(4)), 0, 24, 5)):
        init_workspace(tmp_path / f"ws{number}")
        settings = load_settings(tmp_path / f"ws{number}")
        with open_store(settings.database_url) as store:
            _ingest(settings, store, catalogue, list(order))
            seen.add(tuple(_episodes(store)[0]))
    assert len(seen) == 1
