"""The benchmark keeps working: its quick mode gives every figure, and its stores are
what ingest would have stored.

``python -m bench --quick`` (tiny sizes, about a minute, corpora cached in bench/.cache)
runs behind ``-m slow``; the normal suite runs each measurement once at the smallest
size, in-process. The figures themselves are reported, never asserted: a slow machine
must not fail the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bench import baseline, corpus, deadlines, floor, ingest, latency, workbook
from bench.corpus import templates
from bench.population import Builder, TemplateRecord, template_records, write_rows
from pipeline.config import load_settings
from pipeline.definitions import Catalogue
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.ingest import Workspace
from pipeline.store.models import Action, Episode, EventRow, OutcomeScore, Person, Submission
from pipeline.store.session import Store, open_store
from pipeline.workspace import init_workspace

ROOT = Path(__file__).resolve().parent.parent
QUICK_POOL, SEED = 8, 2026


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    finished = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)],
                              cwd=ROOT, capture_output=True, text=True, timeout=300,
                              check=False)
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(out.read_text()), finished.stdout


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and value > 0


@pytest.mark.slow
def test_quick_mode_gives_every_figure(quick: tuple[dict[str, Any], str]) -> None:
    results, printed = quick
    ingest = results["ingest"]
    assert set(ingest["by_format"]) == {"docx", "pdf", "xlsx"}
    assert ingest["outcomes"].get("stored", 0) + ingest["outcomes"].get("superseded", 0) == \
        ingest["files"], ingest["outcomes"]
    figures = [ingest["per_second"], results["baseline"]["per_second"],
               results["baseline"]["ratio"], results["durability"]["durable_per_second"],
               results["durability"]["unsynced_per_second"], results["latency"]["p50"],
               results["latency"]["p95"], results["scaling"]["ratio"]]
    for file_format in ("docx", "pdf", "xlsx"):
        figures += [ingest["by_format"][file_format]["per_second"],
                    results["floor"][file_format]["per_second"],
                    results["floor"][file_format]["ratio"]]
    for row in results["deadlines"]:
        figures += [row["seconds"], row["events"], row["obligations"]]
    for row in results["workbook"]:
        figures += [row["seconds"], row["peak_mb"], row["size_mb"]]
    assert all(_positive(f) for f in figures), figures
    assert len(results["deadlines"]) == len(results["workbook"]) == 3
    assert results["machine"]["cores"] >= 1 and results["command"] == "python -m bench --quick"
    assert len(results["targets"]) == 10
    commands = {c["name"]: c["cpu_seconds"] for c in results["cli"]["commands"]}
    assert set(commands) == {"python -c pass", "planwatch --help", "planwatch forms list",
                             "planwatch status", "planwatch due"}
    assert all(map(_positive, commands.values()))
    for line in ("ingest,", "python-docx baseline", "watch latency", "deadlines,",
                 "workbook,", "scaling,", "[met]" if "[met]" in printed else "[NOT MET]"):
        assert line in printed


def test_each_measurement_gives_its_figures_at_the_smallest_size() -> None:
    """The light variant of the quick mode: every bench module measures once."""
    backlog = corpus.backlog(12, seed=SEED, pool=QUICK_POOL)
    run = ingest.run_backlog(backlog)
    assert run.outcomes.get("stored", 0) + run.outcomes.get("superseded", 0) == run.files
    docx = [p for f, p in zip(backlog.files, backlog.paths(), strict=True)
            if f.file_format == "docx"]
    unsynced = ingest.run_backlog(backlog, file_format="docx", limit=4, durable=False,
                                  summaries=False)
    timed = latency.measure(docx[-2:], settle_seconds=0.2, rate_per_second=10.0)
    shown = deadlines.measure(10, seed=SEED, pool=QUICK_POOL)
    written = workbook.measure(10, seed=SEED, pool=QUICK_POOL)
    figures = [run.per_second, unsynced.per_second, baseline.measure(docx).per_second,
               timed.p50, timed.p95, shown.seconds, shown.events, shown.obligations,
               written.seconds, written.peak_mb, written.size_mb]
    figures += [floor.measure([p for f, p in zip(backlog.files, backlog.paths(), strict=True)
                               if f.file_format == file_format], file_format).per_second
                for file_format in corpus.FORMATS]
    assert all(_positive(f) for f in figures), figures


# --- the synthetic store is the store ingest writes ---------------------------------------

def _sorted(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)  # values may be None beside text


def _rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that matters, without ids, hashes, file names or arrival times."""
    with store.session() as session:
        ids = {s.id: s for s in session.scalars(select(Submission))}

        def form(submission_id: int) -> tuple[Any, ...]:
            s = ids[submission_id]
            return (s.person_id, s.form_id, s.event_date, s.service)

        def episode(episode_id: int | None) -> tuple[Any, ...] | None:
            found = session.get(Episode, episode_id) if episode_id is not None else None
            return None if found is None else (found.person_id, found.service, found.opened_on)

        return {
            "persons": _sorted((p.person_id,) for p in session.scalars(select(Person))),
            "submissions": _sorted(
                (s.person_id, s.form_id, s.form_version, s.service, s.event_date, s.status,
                 json.dumps(s.values, sort_keys=True), json.dumps(s.findings, sort_keys=True),
                 s.superseded_by is not None, s.command) for s in ids.values()),
            "events": _sorted(
                (*form(e.submission_id), e.kind, e.on, e.at, e.worker, e.team, e.complete,
                 json.dumps(e.details, sort_keys=True), episode(e.episode_id))
                for e in session.scalars(select(EventRow))),
            "episodes": _sorted((e.person_id, e.service, e.opened_on, e.closed_on, e.worker,
                                e.team) for e in session.scalars(select(Episode))),
            "actions": _sorted((*form(a.submission_id), a.area, a.issue, a.task, a.responsible,
                               a.target_date) for a in session.scalars(select(Action))),
            "scores": _sorted((*form(o.submission_id), o.area, o.score, o.scored_on)
                             for o in session.scalars(select(OutcomeScore))),
        }


def test_synthetic_store_holds_what_ingest_stores(tmp_path: Path, catalogue: Catalogue) -> None:
    folder, forms = templates(QUICK_POOL, SEED)
    ingested = tmp_path / "ingested"
    init_workspace(ingested)
    settings = load_settings(ingested)
    workspace = Workspace(home=settings.home, inbox=settings.inbox_path,
                          archive=settings.archive_path, rejected=settings.rejected_path,
                          catalogue=catalogue)
    with open_store(settings.database_url) as store:
        results = ingest_paths([folder / f"{f.key}.docx" for f in forms], store, workspace)
        assert {r.outcome.value for r in results} <= {"stored", "superseded"}
        expected = _rows(store)

    built = tmp_path / "built"
    init_workspace(built)
    people: defaultdict[str, list[TemplateRecord]] = defaultdict(list)
    for item in template_records(QUICK_POOL, SEED, catalogue):
        people[item.record.person_id or ""].append(item)
    builder = Builder(catalogue, SEED)
    for person in people.values():
        builder.add_person(person)
    with open_store(load_settings(built).database_url) as store:
        with store.engine.begin() as connection:
            write_rows(connection, builder.take())
        assert _rows(store) == expected
