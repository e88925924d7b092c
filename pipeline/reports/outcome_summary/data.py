"""What an outcome summary says about one person's episode, built from their stored forms.

    StoredForm ──build_summary──▶ SummaryInput (frozen) ──summary.render──▶ .docx

Format-blind and service-blind: it reads field keys and table columns the definitions
share (``actions``: area, issue, task, responsible, target_date; ``progress``: issue,
action_ref, progress, comment; ``scores``: area, score; ``outcomes``: area, achieved,
why), so forms of other services and formats slot in. Outcome areas are whatever the
score rows say. An action's fate is the latest progress row matched to it (by the
action's reference, else tolerantly by wording: see
:mod:`~pipeline.reports.outcome_summary.matching`) on a form dated on or after the plan;
a progress row that matches no action is kept in ``unmatched``, never dropped. A note
the same as on the form before is not repeated.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pipeline.reports.outcome_summary.matching import PlannedAction, match_rows
from pipeline.reports.weekly.data import Disagreed

# Short notes shown beside each form in the "plans and reviews" table, in this order.
NOTE_FIELDS = (
    ("referral_reason", "Reason for referral"),
    ("needs_summary", "Needs"),
    ("person_views", "In their words"),
    ("changes_made", "Changes"),
    ("evaluation", "Evaluation"),
    ("summary", "Summary"),
    ("description", "What changed"),
)
CLOSURE_FORM = "closure"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StoredForm(_Frozen):
    """One current copy of a form, as stored: ``values`` and ``tables`` as JSON."""

    form_id: str
    title: str
    service: str
    on: date | None
    values: dict[str, Any] = Field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    # Choice labels by field key (table columns as "table.column"), then value:
    # {"review_kind": {"first": "First review (6 weeks)"}}.
    labels: dict[str, dict[str, str]] = Field(default_factory=dict)
    # The form's long-text answers in form order, as (key, label): a closure's answers
    # beyond the summary and step-down plan are shown under these labels.
    long_texts: list[tuple[str, str]] = Field(default_factory=list)
    archived_path: str | None = None


class Entry(_Frozen):
    on: date | None
    form: str
    worker: str | None = None
    notes: str = ""


class ActionFate(_Frozen):
    area: str | None = None
    issue: str
    task: str | None = None
    responsible: str | None = None
    target_date: date | None = None
    planned_on: date | None = None
    progress: str | None = None
    progress_on: date | None = None


class LooseProgress(_Frozen):
    """A progress row that matches no planned action: shown as written, never dropped."""

    on: date | None
    form: str
    issue: str | None = None
    progress: str = ""
    # The same row on later forms is counted here, not repeated: the last date, how many.
    last_on: date | None = None
    times: int = 1


class AreaScore(_Frozen):
    area: str
    first: float
    first_on: date | None
    latest: float
    latest_on: date | None

    @property
    def change(self) -> float:
        return self.latest - self.first


class Disagreement(_Frozen):
    on: date | None
    form: str
    kind: Disagreed
    person_view: str | None = None
    other_view: str | None = None


class ClosureOutcome(_Frozen):
    area: str
    achieved: str | None = None
    why: str | None = None


class Closure(_Frozen):
    closed_on: date | None = None
    exit_reason: str | None = None
    summary: str | None = None
    step_down_plan: str | None = None
    follow_up_on: date | None = None
    follow_up_by: str | None = None
    outcomes: list[ClosureOutcome] = Field(default_factory=list)
    # Other long answers on the closure form, as (label, text): exit strategy,
    # reflections, plans for ongoing work...
    extras: list[tuple[str, str]] = Field(default_factory=list)


class SummaryInput(_Frozen):
    """Everything one outcome summary shows. ``closure`` None means support is ongoing
    and the summary is a draft (e.g. a week before a planned departure)."""

    person_id: str
    full_name: str | None = None
    service: str
    worker: str | None = None
    team: str | None = None
    started_on: date | None = None
    as_of: date
    planned_departure: date | None = None
    entries: list[Entry] = Field(default_factory=list)
    actions: list[ActionFate] = Field(default_factory=list)
    unmatched: list[LooseProgress] = Field(default_factory=list)
    scores: list[AreaScore] = Field(default_factory=list)
    disagreements: list[Disagreement] = Field(default_factory=list)
    closure: Closure | None = None

    @property
    def draft(self) -> bool:
        return self.closure is None


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value).replace("\v", "\n").strip() or None


def _key(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _latest(forms: list[StoredForm], key: str) -> Any:
    return next((f.values[key] for f in reversed(forms) if f.values.get(key) not in (None, "")),
                None)


def _label(form: StoredForm, key: str, value: Any) -> str | None:
    """A choice value as the label staff saw; any other value as text."""
    if value is None:
        return None
    return form.labels.get(key, {}).get(str(value)) or _text(value)


def build_summary(person_id: str, service: str, forms: list[StoredForm], as_of: date,
                  *, started_on: date | None = None) -> SummaryInput:
    """The summary of ``forms`` (one episode's current copies, any order) as of ``as_of``.

    Support started on the earliest ``start_date`` written on a form; without one, on
    ``started_on`` (the episode's opening, often the referral), else the earliest form.
    """
    forms = sorted(forms, key=lambda f: (f.on or date.min, f.form_id))
    closure_form = next((f for f in reversed(forms) if f.form_id == CLOSURE_FORM), None)
    start = next((day for f in forms if (day := _date(f.values.get("start_date")))),
                 None) or started_on or next((f.on for f in forms if f.on), None)
    actions, unmatched = _actions(forms)
    return SummaryInput(
        person_id=person_id, service=service, as_of=as_of, started_on=start,
        full_name=_text(_latest(forms, "full_name")), worker=_text(_latest(forms, "worker")),
        team=_text(_latest(forms, "team")),
        planned_departure=_date(_latest(forms, "planned_departure")),
        entries=_entries(forms), actions=actions, unmatched=unmatched,
        scores=_scores(forms), disagreements=_disagreements(forms),
        closure=_closure(closure_form) if closure_form else None,
    )


def _entries(forms: list[StoredForm]) -> list[Entry]:
    """One entry per form; a note the same as the one before it is not repeated."""
    last: dict[str, str] = {}
    entries = []
    for form in forms:
        kind = _label(form, "review_kind", form.values.get("review_kind"))
        notes = []
        for key, label in NOTE_FIELDS:
            text = _text(form.values.get(key))
            if text is not None and last.get(key) != text:
                notes.append(f"{label}: {text}")
            if text is not None:
                last[key] = text
        entries.append(Entry(
            on=form.on, form=f"{form.title}: {kind}" if kind else form.title,
            worker=_text(form.values.get("worker") or form.values.get("reviewer")),
            notes="\n".join(notes)))
    return entries


def _actions(forms: list[StoredForm]) -> tuple[list[ActionFate], list[LooseProgress]]:
    """Each planned action with the latest progress on it, and the progress rows that
    match no action (:mod:`~pipeline.reports.outcome_summary.matching` says how)."""
    planned: dict[str, ActionFate] = {}
    refs: dict[str, set[tuple[date, int]]] = {}
    for form in forms:
        for number, row in enumerate(form.tables.get("actions", []), start=1):
            issue = _text(row.get("issue"))
            if issue is None:
                continue
            earlier = planned.get(_key(issue))
            planned[_key(issue)] = ActionFate(
                area=_label(form, "actions.area", row.get("area")), issue=issue,
                task=_text(row.get("task")),
                responsible=_text(row.get("responsible")),
                target_date=_date(row.get("target_date")),
                planned_on=earlier.planned_on if earlier else form.on)
            if form.on is not None:
                refs.setdefault(_key(issue), set()).add((form.on, number))
    keys = list(planned)
    latest: dict[str, tuple[date | None, str]] = {}
    loose: list[LooseProgress] = []
    for form in forms:
        rows = [row for row in form.tables.get("progress", [])
                if _text(row.get("issue")) or _said(row)]
        # Only actions planned by the time of this form can have progress on it.
        open_keys = [k for k in keys if _planned_by(planned[k].planned_on, form.on)]
        candidates = [PlannedAction(refs=frozenset(refs.get(k, ())), issue=planned[k].issue,
                                    task=planned[k].task) for k in open_keys]
        matched = match_rows(candidates, rows)
        for index, row in enumerate(rows):
            said = _said(row)
            if index in matched:
                if said:
                    latest[open_keys[matched[index]]] = (form.on, said)
            else:
                _add_loose(loose, LooseProgress(on=form.on, form=form.title,
                                                issue=_text(row.get("issue")), progress=said))
    fates = [action.model_copy(update={
        "progress": latest[key][1] if key in latest else None,
        "progress_on": latest[key][0] if key in latest else None})
        for key, action in planned.items()]
    return fates, loose


def _add_loose(loose: list[LooseProgress], row: LooseProgress) -> None:
    """Add ``row``; the same issue and progress as an earlier unmatched row is counted
    on that row (its last date and how many forms said it), not repeated."""
    for n, seen in enumerate(loose):
        if (_key(seen.issue), _key(seen.progress)) == (_key(row.issue), _key(row.progress)):
            loose[n] = seen.model_copy(update={"last_on": row.on, "times": seen.times + 1})
            return
    loose.append(row)


def _planned_by(planned_on: date | None, on: date | None) -> bool:
    return planned_on is None or on is None or on >= planned_on


def _said(row: dict[str, Any]) -> str:
    return "; ".join(t for t in (_text(row.get("progress")), _text(row.get("comment"))) if t)


def _scores(forms: list[StoredForm]) -> list[AreaScore]:
    seen: dict[str, AreaScore] = {}
    for form in forms:
        for row in form.tables.get("scores", []):
            area, score = _label(form, "scores.area", row.get("area")), row.get("score")
            if area is None or not isinstance(score, int | float) or isinstance(score, bool):
                continue
            earlier = seen.get(_key(area))
            seen[_key(area)] = AreaScore(
                area=area, first=earlier.first if earlier else float(score),
                first_on=earlier.first_on if earlier else form.on,
                latest=float(score), latest_on=form.on)
    return list(seen.values())


def _disagreements(forms: list[StoredForm]) -> list[Disagreement]:
    found: list[Disagreement] = []
    for form in forms:
        if form.values.get("disagreement") is True:
            found.append(Disagreement(
                on=form.on, form=form.title, kind=Disagreed.DISAGREEMENT,
                person_view=_text(form.values.get("disagreement_person_view")),
                other_view=_text(form.values.get("disagreement_worker_view"))))
        if form.values.get("wishes_not_incorporated") is True:
            found.append(Disagreement(
                on=form.on, form=form.title, kind=Disagreed.WISHES,
                person_view=_text(form.values.get("person_views")),
                other_view=_text(form.values.get("wishes_reason"))))
    return found


CLOSURE_SHOWN = ("summary", "step_down_plan")


def _closure(form: StoredForm) -> Closure:
    return Closure(
        closed_on=_date(form.values.get("closure_date")) or form.on,
        exit_reason=_label(form, "exit_reason", form.values.get("exit_reason")),
        summary=_text(form.values.get("summary")),
        step_down_plan=_text(form.values.get("step_down_plan")),
        follow_up_on=_date(form.values.get("follow_up_on")),
        follow_up_by=_text(form.values.get("follow_up_by")),
        outcomes=[ClosureOutcome(area=area,
                                 achieved=_label(form, "outcomes.achieved", row.get("achieved")),
                                 why=_text(row.get("why")))
                  for row in form.tables.get("outcomes", [])
                  if (area := _label(form, "outcomes.area", row.get("area")))],
        extras=[(label, text) for key, label in form.long_texts
                if key not in CLOSURE_SHOWN and (text := _text(form.values.get(key)))],
    )
