"""A store holding years of forms for thousands of people, built without ingesting them.

Ingesting 300,000 forms takes hours, and the deadline and workbook benchmarks only need
the store those forms leave behind. So the store is written directly, in bulk, with the
rows :func:`pipeline.inbox.recording.record_submission` writes for each form (persons,
submissions, events, actions, outcome scores, supersession, episodes split by the rules'
own :func:`~pipeline.rules.episodes.split_episodes`, one audit entry per form);
``tests/test_bench.py`` checks that a store built here and one built by ingesting the
same forms hold the same rows.

Where the forms come from: every template form of the backlog (:mod:`bench.corpus`) is
read from its .docx and validated once, for real. A person is the histories of template
people in two or three services (a person known to community support, then the refuge
and floating support...) put under one reference, each history moved back by up to two
months so that people are at different points of their support: about 15 forms each.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Connection

from bench.corpus import CACHE, TemplateForm, forms_fingerprint, templates
from pipeline.definitions import Catalogue
from pipeline.formats.reading import read_form
from pipeline.inbox.recording import event_detail
from pipeline.records import Event, Record
from pipeline.rules.episodes import CLOSING_EVENT, split_episodes
from pipeline.rules.events import event_order_key, first_fact, latest_value
from pipeline.store.models import (
    Action,
    AuditEntry,
    Episode,
    EventRow,
    OutcomeScore,
    Person,
    Submission,
    SubmissionStatus,
)
from pipeline.store.session import head_revision, upgrade
from pipeline.validate import validate

LONDON = ZoneInfo("Europe/London")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE_IN_NAME = re.compile(r"\d{2}-\d{2}-\d{4}$")
# Children are known through their mother's referral; they are not merged with others.
_ALONE = "swa-refuge-children"
FORMS_PER_PERSON = 15
MAX_SERVICES = 3
MAX_SHIFT_DAYS = 60
# Bump when the rows written here change: cached stores are then rebuilt.
VERSION = 1


@dataclass(frozen=True)
class TemplateRecord:
    """One template form as ingest would store it: its record and last-saved time."""

    form: TemplateForm
    record: Record
    saved_at: datetime | None


@dataclass
class Rows:
    """Rows for the store's tables, with their ids already given."""

    persons: list[dict[str, Any]] = field(default_factory=list)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    episodes: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)


def template_records(pool: int, seed: int, catalogue: Catalogue) -> list[TemplateRecord]:
    """Every template form read from its .docx and validated, in template order."""
    folder, forms = templates(pool, seed)
    found = []
    for form in forms:
        raw = read_form(folder / f"{form.key}.docx", catalogue)
        record = validate(raw, catalogue.get(raw.form_id))
        found.append(TemplateRecord(form, record, raw.modified))
    return found


def _shift(value: Any, days: timedelta) -> Any:
    return value + days if isinstance(value, date | datetime) else value


def moved(item: TemplateRecord, person_id: str, days: timedelta) -> TemplateRecord:
    """The same form for ``person_id``, every date in it ``days`` later."""
    record = item.record
    values = {k: _shift(v, days) for k, v in record.values.items()}
    values["person_id"] = person_id
    tables = {key: [{c: _shift(v, days) for c, v in row.items()} for row in rows]
              for key, rows in record.tables.items()}
    event_date = record.event_date + days if record.event_date else None
    return TemplateRecord(
        item.form,
        record.model_copy(update={"values": values, "tables": tables, "person_id": person_id,
                                  "event_date": event_date}),
        item.saved_at + days if item.saved_at else None)


def people(items: list[TemplateRecord], count: int, seed: int) -> Iterator[list[TemplateRecord]]:
    """``count`` people, each the forms of template histories in different services."""
    rng = random.Random(seed)
    histories: defaultdict[str, list[list[TemplateRecord]]] = defaultdict(list)
    by_person: defaultdict[tuple[str, str], list[TemplateRecord]] = defaultdict(list)
    for item in items:
        by_person[(item.form.service, item.form.person_id)].append(item)
    for (service, _), history in by_person.items():
        histories[service].append(history)
    services = sorted(histories)
    for number in range(count):
        person_id = f"P-{number + 1:06d}"
        chosen: list[list[TemplateRecord]] = []
        if rng.random() < 0.1 and _ALONE in histories:
            chosen.append(rng.choice(histories[_ALONE]))
        else:
            open_services = [s for s in services if s != _ALONE]
            rng.shuffle(open_services)
            for service in open_services[:MAX_SERVICES]:
                chosen.append(rng.choice(histories[service]))
                if sum(len(h) for h in chosen) >= FORMS_PER_PERSON - 3:
                    break
        person: list[TemplateRecord] = []
        for history in chosen:
            days = timedelta(days=-rng.randint(0, MAX_SHIFT_DAYS))
            person += [moved(item, person_id, days) for item in history]
        yield person


def _blocking(findings: list[dict[str, Any]]) -> int:
    return sum(1 for f in findings if f.get("severity") == "blocking")


def _rank(row: dict[str, Any]) -> tuple[int, datetime, datetime, int]:
    # As pipeline.inbox.recording._rank: the correction wins.
    saved = row["values"].get("saved_at")
    saved_at = datetime.fromisoformat(saved) if isinstance(saved, str) else _EPOCH
    return (-_blocking(row["findings"]), saved_at, row["received_at"], row["id"])


class Builder:
    """Turns people's forms into rows, as ``record_submission`` would store them."""

    def __init__(self, catalogue: Catalogue, seed: int) -> None:
        self.catalogue = catalogue
        self.rows = Rows()
        self.rng = random.Random(seed)
        self.stamp = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
        self.ids: defaultdict[str, int] = defaultdict(int)

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def take(self) -> Rows:
        """The rows made so far (ids keep counting on for the next ones)."""
        rows, self.rows = self.rows, Rows()
        return rows

    def add_person(self, forms: list[TemplateRecord]) -> None:
        person_id = forms[0].record.person_id
        assert person_id is not None
        self.rows.persons.append({"id": self._next("persons"), "person_id": person_id,
                                  "created_at": self.stamp})
        submissions = [self._submission(item) for item in forms]
        self._supersede(submissions)
        events: list[tuple[dict[str, Any], dict[str, Any]]] = []
        counts: list[int] = []
        for item, submission in zip(forms, submissions, strict=True):
            written = self._events(item, submission)
            events += [(row, submission) for row in written]
            counts.append(len(written))
            self._rows(item, submission)
        self._episodes(person_id, events)
        for submission, count in zip(submissions, counts, strict=True):
            self._audit(submission, count)

    def _submission(self, item: TemplateRecord) -> dict[str, Any]:
        record = item.record
        number = self._next("submissions")
        name = _DATE_IN_NAME.sub(f"{record.event_date:%d-%m-%Y}" if record.event_date else r"\g<0>",
                                 item.form.file_name.replace(item.form.person_id,
                                                             record.person_id or ""))
        received = (item.saved_at or self.stamp) + timedelta(hours=self.rng.randint(1, 72))
        local = received.astimezone(LONDON)
        values = record.json_values()
        values["saved_at"] = item.saved_at.isoformat() if item.saved_at else None
        row = {
            "id": number, "sha256": hashlib.sha256(f"bench-{number}".encode()).hexdigest(),
            "original_name": f"{name}.docx", "received_at": received,
            "form_id": record.form_id, "form_version": record.form_version,
            "service": record.service, "person_id": record.person_id,
            "event_date": record.event_date,
            "archived_path": f"archive/{local:%Y}/{local:%m}/{name}.docx",
            "rejected_path": None, "status": SubmissionStatus.STORED.value,
            "superseded_by": None, "values": values,
            "findings": [f.model_dump(mode="json") for f in record.findings],
            "reason": None, "command": "ingest"}
        self.rows.submissions.append(row)
        return row

    def _supersede(self, submissions: list[dict[str, Any]]) -> None:
        groups: defaultdict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
        for row in submissions:
            if row["event_date"] is not None:
                groups[(row["form_id"], row["event_date"])].append(row)
        for rivals in groups.values():
            if len(rivals) > 1:
                best = max(rivals, key=_rank)
                for row in rivals:
                    if row is not best:
                        row["status"] = SubmissionStatus.SUPERSEDED.value
                        row["superseded_by"] = best["id"]

    def _events(self, item: TemplateRecord, submission: dict[str, Any]) -> list[dict[str, Any]]:
        record = item.record
        definition = self.catalogue.get(record.form_id)
        worker, team = record.values.get("worker"), record.values.get("team")
        found = []
        for spec in definition.events:
            value = record.values.get(spec.date_field)
            if value is None:
                continue
            at = None
            if isinstance(value, datetime):
                at = value.astimezone(LONDON).replace(tzinfo=None)
                value = at.date()
            row = {"id": self._next("events"), "submission_id": submission["id"],
                   "person_id": record.person_id, "episode_id": None,
                   "service": record.service, "kind": spec.kind, "on": value, "at": at,
                   "worker": worker, "team": team, "complete": record.complete,
                   "details": {key: event_detail(record, definition, key)
                               for key in spec.details}}
            self.rows.events.append(row)
            found.append(row)
        return found

    def _rows(self, item: TemplateRecord, submission: dict[str, Any]) -> None:
        record, person_id = item.record, item.record.person_id
        for row in record.tables.get("actions", []):
            self.rows.actions.append({
                "id": self._next("actions"), "submission_id": submission["id"],
                "person_id": person_id, "area": row.get("area"), "issue": row.get("issue"),
                "task": row.get("task"), "responsible": row.get("responsible"),
                "target_date": row.get("target_date")})
        for row in record.tables.get("scores", []):
            if row.get("area") and row.get("score") is not None:
                self.rows.scores.append({
                    "id": self._next("scores"), "submission_id": submission["id"],
                    "person_id": person_id, "area": row["area"], "score": round(row["score"]),
                    "scored_on": record.event_date})

    def _episodes(self, person_id: str,
                  events: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """As :func:`pipeline.inbox.recording.settle_all_episodes`, per service."""
        by_service: defaultdict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = (
            defaultdict(list))
        for row, submission in events:
            by_service[row["service"]].append((row, submission))
        for service, pairs in by_service.items():
            stored = sorted(((_as_event(row), row) for row, submission in pairs
                             if submission["status"] == SubmissionStatus.STORED.value),
                            key=lambda p: event_order_key(p[0]))
            row_of = {id(event): row for event, row in stored}
            kept: list[dict[str, Any]] = []
            for segment in split_episodes([event for event, _ in stored]):
                closure = first_fact(segment, CLOSING_EVENT)
                episode = {"id": self._next("episodes"), "person_id": person_id,
                           "service": service, "opened_on": segment[0].on,
                           "closed_on": closure.on if closure is not None else None,
                           "worker": latest_value(segment, "worker"),
                           "team": latest_value(segment, "team")}
                self.rows.episodes.append(episode)
                kept.append(episode)
                for event in segment:
                    row_of[id(event)]["episode_id"] = episode["id"]
            for row, submission in pairs:
                if submission["status"] != SubmissionStatus.STORED.value:
                    opened = [e for e in kept if e["opened_on"] <= row["on"]]
                    row["episode_id"] = ((opened[-1] if opened else kept[0])["id"]
                                         if kept else None)

    def _audit(self, submission: dict[str, Any], events: int) -> None:
        # No id: the store's own first entry (its creation) comes before these.
        self.rows.audit.append({
            "at": submission["received_at"],
            "command": "ingest", "action": submission["status"],
            "submission_id": submission["id"], "sha256": submission["sha256"],
            "detail": {"form_id": submission["form_id"],
                       "file_name": submission["original_name"],
                       "archived_path": submission["archived_path"], "event_count": events,
                       "superseded_by_id": submission["superseded_by"],
                       "finding_codes": sorted({f["code"] for f in submission["findings"]})}})


def _as_event(row: dict[str, Any]) -> Event:
    return Event(person_id=row["person_id"], service=row["service"], kind=row["kind"],
                 on=row["on"], at=row["at"], worker=row["worker"], team=row["team"],
                 complete=row["complete"], submission_id=row["submission_id"],
                 details=row["details"])


def write_rows(connection: Connection, rows: Rows, batch: int = 5_000) -> None:
    """Bulk-insert ``rows`` (parents before children)."""
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (Person, rows.persons), (Submission, rows.submissions), (Episode, rows.episodes),
        (EventRow, rows.events), (Action, rows.actions), (OutcomeScore, rows.scores),
        (AuditEntry, rows.audit)]
    for model, items in tables:
        for start in range(0, len(items), batch):
            connection.execute(insert(model.__table__), items[start:start + batch])


def build_store(path: Path, count: int, *, seed: int, pool: int,
                catalogue: Catalogue | None = None) -> Path:
    """A SQLite store at ``path`` holding ``count`` people's forms (see the module docstring)."""
    catalogue = catalogue or Catalogue.load()
    upgrade(f"sqlite:///{path}", command="bench")
    items = template_records(pool, seed, catalogue)
    builder = Builder(catalogue, seed)
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            for number, forms in enumerate(people(items, count, seed), start=1):
                builder.add_person(forms)
                if number % 2_000 == 0:
                    write_rows(connection, builder.take())
            write_rows(connection, builder.take())
    finally:
        engine.dispose()
    return path


def cached_store(count: int, *, seed: int, pool: int, cache: Path = CACHE) -> Path:
    """The store for ``count`` people, built once and then taken from the cache."""
    folder = cache / "stores"
    folder.mkdir(parents=True, exist_ok=True)
    # The schema's revision is in the name: a new migration makes a new store.
    path = folder / (f"store-v{VERSION}-r{head_revision()}-{forms_fingerprint()}-seed{seed}-"
                     f"pool{pool}-people{count}.db")
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.partial")
        try:
            build_store(partial, count, seed=seed, pool=pool)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return path


def copy_store(cached: Path, target: Path) -> None:
    """Put a cached store at ``target`` (a workspace's store), owner-only."""
    target.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(cached, target)
    target.chmod(0o600)
