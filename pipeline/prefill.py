"""Pre-filled forms: the next form for a person, with what Planwatch already knows.

    stored forms ──prefill_values──▶ JSON values ──forms_service.fill──▶ FILE (owner-only)

What is carried, read from the person's current stored forms (latest first):

- details about the person (reference, name, date of birth, contact details,
  representative, worker, team), wherever the new form has those fields;
- a date the new form refers back to but does not own (a Part 2's ``review_date``:
  the latest review's);
- ``progress`` table (action_ref, issue, progress, comment): the open actions of the
  latest support plan, one row per action, its reference (the plan's date and row
  number, ``05/01/2026 #2``) and issue filled and progress left for the worker;
- ``scores`` table (area, score): the outcome areas scored last time, scores left blank;
- ``actions`` table (a new plan): the open actions of the latest plan.

An action is *done* when a later progress row matched to it (by its reference, else
by its wording, as the outcome summary matches them) says so: "done",
"complete(d)", "closed", "achieved", "resolved" or "finished", without "not", "no",
"yet", "partly", "nearly" or "ongoing". Anything else stays open and is carried.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline import forms_service
from pipeline.definitions import Catalogue, FormDefinition
from pipeline.errors import FillError, ReportError
from pipeline.fill_values import coerce_values
from pipeline.formats.titles import service_title, service_titles
from pipeline.reports.outcome_summary.matching import PlannedAction, action_ref, match_rows
from pipeline.reports.saving import report_folder, write_report_bytes
from pipeline.store.models import Submission, SubmissionStatus
from pipeline.store.session import Store

PERSON_FIELDS = ("person_id", "full_name", "date_of_birth", "address", "phone", "language",
                 "interpreter_needed", "representative", "worker", "team")
REFERRED_DATES = ("review_date",)
_DONE = re.compile(r"\b(done|complete|completed|closed|achieved|resolved|finished)\b")
_NOT_DONE = re.compile(r"\b(not|no|yet|partly|partially|nearly|almost|ongoing)\b")


@dataclass(frozen=True)
class Known:
    """One current stored form of the person: what prefill reads."""

    form_id: str
    service: str
    on: date | None
    values: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]


def says_done(*texts: Any) -> bool:
    """Whether a progress row's text says the action is finished (module docstring)."""
    for text in texts:
        words = str(text or "").casefold()
        if _DONE.search(words) and not _NOT_DONE.search(words):
            return True
    return False


def open_actions(forms: list[Known]) -> list[dict[str, Any]]:
    """The latest plan's action rows not yet reported done (``forms`` oldest first), each
    with its reference as ``action_ref`` (see
    :mod:`pipeline.reports.outcome_summary.matching`: a progress row is an action's by
    that reference, else by its wording, as the outcome summary matches them)."""
    plan = next((f for f in reversed(forms) if f.tables.get("actions")), None)
    if plan is None:
        return []
    rows = [({**row, "action_ref": action_ref(plan.on, number)}, PlannedAction(
                refs=frozenset({(plan.on, number)} if plan.on else ()),
                issue=str(row.get("issue") or ""), task=row.get("task")))
            for number, row in enumerate(plan.tables["actions"], start=1)]
    actions = [planned for _, planned in rows]
    done: set[int] = set()
    for form in forms:
        if form is plan or not (plan.on is None or form.on is None or form.on >= plan.on):
            continue
        progress = form.tables.get("progress", [])
        for index, owner in match_rows(actions, progress).items():
            if says_done(progress[index].get("progress"), progress[index].get("comment")):
                done.add(owner)
    return [row for n, (row, _) in enumerate(rows) if row.get("issue") and n not in done]


def prefill_values(definition: FormDefinition, forms: list[Known], catalogue: Catalogue,
                   today: date) -> dict[str, Any]:
    """The values to fill ``definition`` with, from ``forms`` (oldest first).

    Target dates before ``today`` are left out of carried actions: they need a new one.
    """
    leaves = definition.leaves_by_key
    values: dict[str, Any] = {}
    for key in PERSON_FIELDS:
        if key in leaves:
            found = next((f.values[key] for f in reversed(forms)
                          if f.values.get(key) not in (None, "")), None)
            if found is not None:
                values[key] = found
    for key in REFERRED_DATES:
        if key in leaves and key != definition.event_date_field:
            owners = {d.id for d in catalogue if d.event_date_field == key}
            found = next((f.values.get(key) for f in reversed(forms)
                          if f.form_id in owners and f.values.get(key)), None)
            if found is not None:
                values[key] = found
    tables = definition.tables_by_key
    actions = open_actions(forms)
    if "progress" in tables and actions:
        columns = {c.key for c in tables["progress"].columns}
        values["progress"] = [{k: row[k] for k in ("action_ref", "issue")
                               if k in columns and row.get(k)} for row in actions]
    if "actions" in tables and actions:
        columns = {c.key for c in tables["actions"].columns}
        values["actions"] = [
            {k: v for k, v in row.items() if k in columns and v not in (None, "")
             and not (k == "target_date" and str(v) < today.isoformat())}
            for row in actions
        ]
    if "scores" in tables:
        scored = next((f for f in reversed(forms) if f.tables.get("scores")), None)
        if scored is not None:
            values["scores"] = [{"area": row["area"]} for row in scored.tables["scores"]
                                if row.get("area")]
    return values


def known_forms(session: Session, person_id: str) -> list[Known]:
    """The person's current stored forms, oldest first."""
    submissions = session.scalars(
        select(Submission).where(Submission.person_id == person_id,
                                 Submission.status == SubmissionStatus.STORED)
        .order_by(Submission.event_date, Submission.received_at, Submission.id))
    return [Known(form_id=s.form_id or "", service=s.service or "", on=s.event_date,
                  values=s.values.get("values", {}), tables=s.values.get("tables", {}))
            for s in submissions]


def output_format(output: Path, chosen: str | None) -> str:
    """The format to write: ``chosen``, else the output's extension. Raises
    :class:`FillError` for an unknown format, a mismatch, or one not available yet."""
    fmt = forms_service.output_format(output, chosen)
    if fmt not in forms_service.FILLERS:
        raise FillError(f"Pre-filled {fmt.upper()} forms are not available yet.",
                        hint="Use --format docx (a Word form) for now.")
    return fmt


def write_prefilled(store: Store, catalogue: Catalogue, form_id: str, person_id: str,
                    output: Path, *, today: date, fmt: str | None = None,
                    saved_at: datetime | None = None,
                    reports_path: Path | None = None) -> Path:
    """Write ``form_id`` pre-filled for ``person_id`` to ``output``; return ``output``.

    ``fmt`` is docx, pdf or xlsx (default: the output's extension). The file is
    owner-only (it holds personal details), as is any folder made for it, and replaces
    ``output`` atomically; an ``output`` inside the workspace's ``reports_path`` makes
    the folders down to it owner-only too (see
    :func:`pipeline.files.output_folder`). Raises
    :class:`FillError` when no form is stored for the person, the person's service does
    not use the form, or the format is not available.
    """
    chosen = output_format(output, fmt)
    definition = catalogue.get(form_id)
    with store.session() as session:
        forms = known_forms(session, person_id)
    if not forms:
        raise FillError(f"No forms are stored for person {person_id!r}.",
                        hint="Check the reference: `planwatch show PERSON_ID` lists forms.")
    service = forms[-1].service
    if service not in definition.services:
        raise FillError(f"Form {form_id!r} is not used by {person_id}'s service {service!r}.",
                        hint=f"It is used by: {', '.join(definition.services)}.")
    values = prefill_values(definition.for_service(service), forms, catalogue, today)
    if reports_path is not None:
        _fill_error(lambda: report_folder(output, reports_path))
    title = service_title(service, service_titles(catalogue.folder))
    return _fill_privately(definition, values, output, service, title, chosen, saved_at)


def _fill_privately(definition: FormDefinition, values: dict[str, Any], output: Path,
                    service: str, title: str, fmt: str, saved_at: datetime | None) -> Path:
    # Filled in memory, then written as every report is: owner-only (0600, and 0700 for
    # any folder made on the way, whatever the umask) and atomically.
    for_service = definition.for_service(service)
    content = forms_service.FILLERS[fmt](
        for_service, service, coerce_values(for_service, values), title=title,
        saved_at=saved_at or datetime.now(UTC))
    return _fill_error(lambda: write_report_bytes(output, content, what="the form"))


def _fill_error(write: Callable[[], Path]) -> Path:
    """``write()``, its :class:`ReportError` (a folder or file that cannot be written)
    given as the :class:`FillError` the forms commands raise."""
    try:
        return write()
    except ReportError as exc:
        raise FillError(exc.message, hint="Check that the folder can be written and the "
                        "file is not open in Word, then run the command again.") from exc
