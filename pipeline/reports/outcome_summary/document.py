"""Outcome summaries: one person's episode as a Word document, from a docxtpl template.

    SummaryInput ──context()──▶ plain text values ──docxtpl──▶ .docx (owner-only)

The template (``template.docx`` beside this module, built by
``build_template.py``) holds the layout and wording; this module turns
the typed input into ready-made text (UK dates, choice labels, "no progress recorded")
and a chart image, so the template needs no logic beyond loops and conditions. Text
from forms is escaped (Jinja autoescape): a form cannot inject Word markup.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError

from pipeline.errors import ReportError
from pipeline.formats.titles import service_title
from pipeline.reports.outcome_summary.chart import scores_chart
from pipeline.reports.outcome_summary.data import ActionFate, LooseProgress, SummaryInput
from pipeline.reports.saving import write_report_bytes
from pipeline.reports.text import one_line
from pipeline.reports.weekly.sheets import DISAGREED_LABELS

TEMPLATE = Path(__file__).resolve().parent / "template.docx"
NOT_RECORDED = "(not recorded)"
CHART_WIDTH_MM = 160


def _day(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _number(value: float) -> str:
    return f"{value:g}"


def _fate(action: ActionFate) -> str:
    if action.progress is None:
        return "No progress recorded yet."
    return f"{_day(action.progress_on)}: {action.progress}" if action.progress_on else (
        action.progress)


def _loose_dates(row: LooseProgress) -> str:
    if row.times == 1:
        return _day(row.on)
    return f"{_day(row.on)} to {_day(row.last_on)} ({row.times} forms)"


def draft_reason(data: SummaryInput) -> str:
    """Why the summary is a draft, and what happens next."""
    if data.planned_departure is not None:
        return (f"planned departure on {_day(data.planned_departure)}. Use this draft to "
                "prepare the final session; the summary is written again when the closure "
                "form arrives.")
    return ("support is ongoing and no closure form has been received. This summary is "
            "written from the forms stored so far.")


def context(data: SummaryInput, *, written_on: date) -> dict[str, Any]:
    """The template's values, all text (the chart is added by :func:`render_summary`)."""
    closure = data.closure
    started = _day(data.started_on) or "start not recorded"
    if closure is not None and closure.closed_on is not None:
        period = f"{started} to {_day(closure.closed_on)}"
    else:
        period = f"{started} to date (ongoing on {_day(data.as_of)})"
    exit_reason = (closure.exit_reason or NOT_RECORDED) if closure else "Support is ongoing."
    values: dict[str, Any] = {
        # Names stand on one line: a line break or control character from a form is a space.
        "person_id": one_line(data.person_id),
        "full_name": one_line(data.full_name or "") or NOT_RECORDED,
        "service": service_title(data.service),
        "worker": one_line(data.worker or "") or NOT_RECORDED,
        "team": one_line(data.team or "") or NOT_RECORDED,
        "period": period,
        "exit_reason": exit_reason, "draft": data.draft, "draft_reason": draft_reason(data),
        # On every page, in the header and footer, so no printed page passes for final.
        "draft_mark": "DRAFT: " if data.draft else "",
        "as_of": _day(data.as_of), "written_on": _day(written_on),
        "entries": [{"on": _day(e.on), "form": e.form, "worker": one_line(e.worker or ""),
                     "notes": e.notes} for e in data.entries],
        "actions": [{"area": a.area or "", "issue": a.issue, "task": a.task or NOT_RECORDED,
                     "responsible": a.responsible or NOT_RECORDED,
                     "target": _day(a.target_date), "fate": _fate(a)} for a in data.actions],
        "unmatched": [{"on": _loose_dates(u), "form": u.form, "issue": u.issue or NOT_RECORDED,
                       "progress": u.progress or NOT_RECORDED} for u in data.unmatched],
        "scores": [{"area": s.area, "first": f"{_number(s.first)} ({_day(s.first_on)})",
                    "latest": f"{_number(s.latest)} ({_day(s.latest_on)})",
                    "change": f"{s.change:+g}" if s.change else "no change"}
                   for s in data.scores],
        "disagreements": [{"on": _day(d.on), "form": d.form, "kind": DISAGREED_LABELS[d.kind],
                           "person_view": d.person_view or NOT_RECORDED,
                           "other_view": d.other_view or NOT_RECORDED}
                          for d in data.disagreements],
        "closure": None,
        "no_closure": "No closure form has been received yet: support is ongoing.",
    }
    if closure is not None:
        follow_up = " ".join(part for part in (
            f"by {closure.follow_up_by}" if closure.follow_up_by else "",
            f"on {_day(closure.follow_up_on)}" if closure.follow_up_on else "") if part)
        values["closure"] = {
            "closed_on": _day(closure.closed_on) or NOT_RECORDED, "exit_reason": exit_reason,
            "summary": closure.summary or NOT_RECORDED,
            "step_down_plan": closure.step_down_plan or "None recorded on the closure form.",
            "follow_up": follow_up,
            "outcomes": [{"area": o.area, "achieved": o.achieved or NOT_RECORDED,
                          "why": o.why or ""} for o in closure.outcomes],
            "extras": [{"label": label, "text": text} for label, text in closure.extras],
        }
    return values


def render_summary(data: SummaryInput, *, written_on: date,
                   template: Path = TEMPLATE) -> bytes:
    """The outcome summary's .docx bytes. Raises :class:`ReportError` when the template
    is missing or broken (it names the template and what to do)."""
    try:
        document = DocxTemplate(str(template))
        values = context(data, written_on=written_on)
        if data.scores:
            values["chart"] = InlineImage(document, io.BytesIO(scores_chart(data.scores)),
                                          width=Mm(CHART_WIDTH_MM))
        document.render(values, autoescape=True)
        buffer = io.BytesIO()
        document.save(buffer)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, PackageNotFoundError,
            TemplateError) as exc:
        raise ReportError(
            f"{template}: the outcome summary template cannot be used ({exc}).",
            hint="Restore it with `python3 -m pipeline.reports.outcome_summary.build_template`, "
            "or fix the {{ }} and {% %} tags edited in Word.") from exc
    return buffer.getvalue()


def write_summary_docx(data: SummaryInput, path: Path, *, written_on: date,
                       template: Path = TEMPLATE) -> Path:
    """Write the summary to ``path`` atomically and owner-only; return ``path``."""
    if path.suffix.lower() != ".docx":
        raise ReportError(f"{path}: an outcome summary must be a .docx file.",
                          hint="Give -o a name ending in .docx.")
    content = render_summary(data, written_on=written_on, template=template)
    return write_report_bytes(path, content, what="the summary")
