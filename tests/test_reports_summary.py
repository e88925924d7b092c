"""Outcome summaries: what they say, from hand-made forms and from real ingested ones."""

from __future__ import annotations

import io
import stat
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from pipeline.definitions import Catalogue
from pipeline.errors import ReportError
from pipeline.reports.outcome_summary.build_template import build
from pipeline.reports.outcome_summary.data import StoredForm, SummaryInput, build_summary
from pipeline.reports.outcome_summary.document import TEMPLATE, render_summary, write_summary_docx
from pipeline.reports.outcome_summary.job import (
    load_summary,
    summary_file_name,
    write_departure_drafts,
    write_summary,
    write_summary_for_closure,
)
from pipeline.store.models import Submission
from pipeline.store.session import open_store
from tests.conftest import Demo
from tests.reports_store import add_closure, workspace

CS = "community-support"
LABELS = {"review_kind": {"first": "First review (6 weeks)"},
          "outcomes.achieved": {"yes": "Yes", "partly": "Partly"}}


def form(form_id: str, on: date, values: dict[str, object],
         tables: dict[str, list[dict[str, object]]] | None = None) -> StoredForm:
    titles = {"referral": "Referral", "support-plan": "Support plan", "review": "Review",
              "closure": "Closure and outcomes form"}
    return StoredForm(form_id=form_id, title=titles[form_id], service=CS, on=on,
                      values=values, tables=tables or {}, labels=LABELS,
                      long_texts=[("summary", "Summary"), ("exit_strategy", "Exit strategy")])


def history(*, closed: bool = False) -> list[StoredForm]:
    forms = [
        form("review", date(2026, 10, 12), {"review_kind": "scheduled", "worker": "Sam"},
             {"progress": [{"issue": "damp ", "progress": "Window fixed", "comment": "Done"}],
              "scores": [{"area": "Money", "score": 8}, {"area": "Home", "score": 9}]}),
        form("referral", date(2026, 2, 27), {"full_name": "Ada Lovelace",
                                             "start_date": "2026-03-02",
                                             "referral_reason": "Bills after a stay in hospital."}),
        form("support-plan", date(2026, 3, 20),
             {"worker": "Sam", "team": "North", "person_views": "Stay in my flat.",
              "disagreement": True, "disagreement_person_view": "No cleaner.",
              "disagreement_worker_view": "Damp needs airing."},
             {"actions": [{"area": "Money", "issue": "Rent arrears", "task": "Apply for DHP",
                           "responsible": "Sam", "target_date": "2026-04-01"},
                          {"area": "Home", "issue": "Damp", "task": "Report the repair"},
                          {"issue": "Isolated", "task": "Lunch club"}]}),
        form("review", date(2026, 4, 13), {"review_kind": "first", "worker": "Sam",
                                           "person_views": "More settled."},
             {"progress": [{"issue": "Rent arrears", "progress": "Payment agreed"}],
              "scores": [{"area": "Money", "score": 6}, {"area": "money ", "score": 6.5}]}),
    ]
    if closed:
        forms.append(form(
            "closure", date(2026, 11, 16),
            {"closure_date": "2026-11-16", "exit_reason": "planned", "summary": "Arrears cleared.",
             "step_down_plan": "Monthly call until March.", "exit_strategy": "Knows who to ask."},
            {"outcomes": [{"area": "Money", "achieved": "yes", "why": "Plan kept."},
                          {"area": "Social", "achieved": "partly", "why": "Winter."}]}))
    return forms


def summary(*, closed: bool = False) -> SummaryInput:
    return build_summary("CS-00042", CS, history(closed=closed), date(2026, 11, 23))


def test_forms_in_date_order_with_their_notes() -> None:
    entries = summary().entries
    assert [(e.on, e.form) for e in entries] == [
        (date(2026, 2, 27), "Referral"), (date(2026, 3, 20), "Support plan"),
        (date(2026, 4, 13), "Review: First review (6 weeks)"),
        (date(2026, 10, 12), "Review: scheduled")]
    assert entries[0].notes == "Reason for referral: Bills after a stay in hospital."
    assert entries[2].notes == "In their words: More settled."


def test_each_action_and_what_became_of_it() -> None:
    fates = {a.issue: (a.progress, a.progress_on) for a in summary().actions}
    assert fates == {
        "Rent arrears": ("Payment agreed", date(2026, 4, 13)),
        "Damp": ("Window fixed; Done", date(2026, 10, 12)),  # matched whatever the case
        "Isolated": (None, None),
    }


def plan_and(*reviews: StoredForm) -> SummaryInput:
    """The history's plan (dated 20/03/2026: Rent arrears #1, Damp #2, Isolated #3) and
    ``reviews``."""
    plan = next(f for f in history() if f.form_id == "support-plan")
    return build_summary("CS-00042", CS, [plan, *reviews], date(2026, 11, 23))


def review_rows(on: date, *rows: dict[str, Any]) -> StoredForm:
    return form("review", on, {"review_kind": "scheduled"}, {"progress": list(rows)})


def test_progress_matched_by_the_actions_reference() -> None:
    """A pre-filled review carries each action's reference; the worker's words may differ."""
    data = plan_and(review_rows(date(2026, 5, 1),
                                {"action_ref": "20/03/2026 #3", "issue": "Lunch club",
                                 "progress": "Went twice"},
                                {"action_ref": "2026-03-20/1", "issue": "Money worries",
                                 "progress": "DHP granted"}))
    fates = {a.issue: a.progress for a in data.actions}
    assert fates == {"Rent arrears": "DHP granted", "Damp": None, "Isolated": "Went twice"}
    assert data.unmatched == []


@pytest.mark.parametrize("typed", ["rent-arrears!", "The arrears on the rent",
                                   "RE: Rent arrears (see plan)", "Applied for the DHP"])
def test_progress_matched_tolerantly_by_its_wording(typed: str) -> None:
    data = plan_and(review_rows(date(2026, 5, 1), {"issue": typed, "progress": "In hand"}))
    assert {a.issue: a.progress for a in data.actions}["Rent arrears"] == "In hand"
    assert data.unmatched == []


def test_a_row_is_never_counted_for_two_actions() -> None:
    plan = form("support-plan", date(2026, 3, 20), {}, {"actions": [
        {"issue": "Rent arrears", "task": "DHP"}, {"issue": "Council tax arrears",
                                                   "task": "Payment plan"}]})
    data = build_summary("CS-00042", CS, [plan, review_rows(
        date(2026, 5, 1), {"issue": "Arrears", "progress": "Paid off"},
        {"issue": "rent arrears", "progress": "DHP paid"},
        {"issue": "Rent arrears again", "progress": "Second row"})], date(2026, 11, 23))
    assert {a.issue: a.progress for a in data.actions} == {
        "Rent arrears": "DHP paid", "Council tax arrears": None}
    # "Arrears" is almost as like one action as the other; an action takes one row of a form.
    assert [(u.issue, u.progress) for u in data.unmatched] == [
        ("Arrears", "Paid off"), ("Rent arrears again", "Second row")]


def test_progress_on_no_action_has_its_own_heading_and_is_not_repeated() -> None:
    said: dict[str, Any] = {"issue": "Garden", "progress": "Tidied"}
    data = plan_and(review_rows(date(2026, 5, 1), said), review_rows(date(2026, 6, 1), said),
                    review_rows(date(2026, 7, 1), said))
    assert [(u.on, u.last_on, u.times, u.issue) for u in data.unmatched] == [
        (date(2026, 5, 1), date(2026, 7, 1), 3, "Garden")]
    text = document_text(render_summary(data, written_on=date(2026, 11, 23)))
    assert "Progress not matched to a planned action" in text
    assert "01/05/2026 to 01/07/2026 (3 forms)" in text and "Tidied" in text
    assert "Progress not matched" not in document_text(
        render_summary(summary(), written_on=date(2026, 11, 23)))


def test_a_note_the_same_as_before_is_not_repeated() -> None:
    same: dict[str, object] = {"review_kind": "scheduled", "person_views": "More settled."}
    forms = [*history(), form("review", date(2026, 11, 1), same),
             form("review", date(2026, 11, 8), {**same, "person_views": "Worried again."})]
    entries = build_summary("CS-00042", CS, forms, date(2026, 11, 23)).entries
    assert [e.notes for e in entries[-2:]] == ["", "In their words: Worried again."]


def test_no_table_row_splits_across_pages_and_a_draft_says_so_on_every_page() -> None:
    for closed in (False, True):
        content = render_summary(summary(closed=closed), written_on=date(2026, 11, 23))
        document = docx.Document(io.BytesIO(content))
        for table in document.tables:
            for row in table.rows:
                assert row._tr.trPr is not None and row._tr.trPr.find(
                    qn("w:cantSplit")) is not None
        section = document.sections[0]
        marks = [p.text.startswith("DRAFT: ") for p in (*section.header.paragraphs[:1],
                                                        *section.footer.paragraphs[:1])]
        assert marks == [not closed, not closed]
    styles = {p.style.name: p.style for p in document.paragraphs if p.style is not None}
    headings = [style for name, style in styles.items() if name.startswith("Heading")]
    assert headings and all(style.paragraph_format.keep_with_next for style in headings)


def test_first_and_latest_score_per_area() -> None:
    scores = {s.area: (s.first, s.latest, s.change) for s in summary().scores}
    # Areas match ignoring case and spaces, shown as last written.
    assert scores == {"Money": (6.0, 8.0, 2.0), "Home": (9.0, 9.0, 0.0)}


def test_disagreements_and_the_person_details() -> None:
    data = summary()
    assert [(d.person_view, d.other_view) for d in data.disagreements] == [
        ("No cleaner.", "Damp needs airing.")]
    assert (data.full_name, data.worker, data.team) == ("Ada Lovelace", "Sam", "North")
    assert data.started_on == date(2026, 3, 2)


def test_without_a_closure_it_is_a_draft() -> None:
    assert summary().draft and summary().closure is None


def test_closure_outcomes_with_labels_and_other_answers() -> None:
    closure = summary(closed=True).closure
    assert closure is not None
    assert closure.closed_on == date(2026, 11, 16)
    assert [(o.area, o.achieved, o.why) for o in closure.outcomes] == [
        ("Money", "Yes", "Plan kept."), ("Social", "Partly", "Winter.")]
    assert closure.step_down_plan == "Monthly call until March."
    assert closure.extras == [("Exit strategy", "Knows who to ask.")]


def document_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    parts += [p.text for p in document.sections[0].header.paragraphs]
    return "\n".join(parts)


@pytest.mark.parametrize("closed", [pytest.param(False, id="draft"),
                                    pytest.param(True, id="closed")])
def test_rendered_summary_has_every_section(closed: bool) -> None:
    content = render_summary(summary(closed=closed), written_on=date(2026, 11, 23))
    text = document_text(content)
    for expected in ("Outcome summary", "Ada Lovelace (CS-00042), Community Support",
                     "Rent arrears: Apply for DHP", "13/04/2026: Payment agreed",
                     "No progress recorded yet.", "6 (13/04/2026)", "+2",
                     "No cleaner.", "Confidential: personal information about CS-00042"):
        assert expected in text, expected
    if closed:
        assert "Arrears cleared." in text and "Monthly call until March." in text
        assert "Knows who to ask." in text and "02/03/2026 to 16/11/2026" in text
        assert "DRAFT" not in text
    else:
        assert "DRAFT: support is ongoing" in text
        assert "No closure form has been received yet" in text
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    assert "{{" not in xml and "{%" not in xml
    assert len(docx.Document(io.BytesIO(content)).inline_shapes) == 1  # the chart


def test_form_text_cannot_inject_markup() -> None:
    said = "<w:b/> & {{ secret }} </w:t>"
    hostile = [*history(), form("review", date(2026, 11, 1), {"person_views": said})]
    data = build_summary("CS-00042", CS, hostile, date(2026, 11, 23))
    assert said in document_text(
        render_summary(data, written_on=date(2026, 11, 23)))


def test_names_with_line_breaks_stand_on_one_line() -> None:
    """A person's name and worker from a (PDF) form with CR/LF and control characters."""
    forms = [f.model_copy(update={"values": {**f.values, "full_name": "Ada\r\nLove\x07lace",
                                             "worker": "Sam\x0bPatel"}})
             for f in history()]
    data = build_summary("CS-00042\r\n", CS, forms, date(2026, 11, 23))
    document = docx.Document(io.BytesIO(render_summary(data, written_on=date(2026, 11, 23))))
    heading = document.paragraphs[1].text
    assert heading.startswith("Ada Love lace (CS-00042)"), heading


def test_no_scores_means_no_chart() -> None:
    data = summary().model_copy(update={"scores": []})
    content = render_summary(data, written_on=date(2026, 11, 23))
    assert "No outcome scores were recorded." in document_text(content)
    assert not docx.Document(io.BytesIO(content)).inline_shapes


def test_planned_departure_makes_a_draft_for_the_final_session() -> None:
    data = summary().model_copy(update={"planned_departure": date(2026, 11, 30)})
    assert "planned departure on 30/11/2026" in document_text(
        render_summary(data, written_on=date(2026, 11, 23)))
    assert summary_file_name(data) == f"outcome-summary-CS-00042-{CS}-draft-2026-11-30.docx"


def test_committed_template_matches_its_builder() -> None:
    def parts(content: bytes) -> dict[str, bytes]:
        package = zipfile.ZipFile(io.BytesIO(content))
        return {name: package.read(name) for name in package.namelist()
                if name.startswith("word/") and name.endswith(".xml")}

    assert parts(TEMPLATE.read_bytes()) == parts(build()), (
        "run `python3 -m pipeline.reports.outcome_summary.build_template`")


def test_a_broken_template_is_a_report_error(tmp_path: Path) -> None:
    broken = tmp_path / "t.docx"
    broken.write_bytes(b"not a document")
    with pytest.raises(ReportError, match="template cannot be used"):
        render_summary(summary(), written_on=date(2026, 11, 23), template=broken)


def test_summary_file_is_owner_only(tmp_path: Path) -> None:
    path = write_summary_docx(summary(), tmp_path / "s.docx", written_on=date(2026, 11, 23))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- from the store ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    return workspace(tmp_path_factory.mktemp("ws") / "ws", catalogue).home


def test_summary_from_ingested_forms(home: Path, catalogue: Catalogue) -> None:
    with open_store(f"sqlite:///{home / 'planwatch.db'}") as store, store.session() as session:
        data = load_summary(session, catalogue, "CS-00042", date(2026, 11, 23))
    assert data.full_name == "Ada Lovelace" and data.draft
    assert [e.form for e in data.entries] == [
        "Referral and risk assessment", "Support plan",
        "Support plan review (Part 1): First review (6 weeks)",
        "Review Part 2: manager evaluation", "Support plan review (Part 1): Scheduled review"]
    fates = {a.issue: a.progress for a in data.actions}
    assert fates["Rent arrears"] == "Payment agreed; Closed"
    assert fates["Damp"] == "Landlord fixed the window; Done"
    assert fates["Isolated"] == "Went twice"
    assert {s.area: (s.first, s.latest) for s in data.scores}["Money"] == (6, 8)
    assert data.disagreements[0].person_view == "I do not want a cleaner."


def test_unknown_person_is_a_report_error(home: Path, catalogue: Catalogue) -> None:
    with (open_store(f"sqlite:///{home / 'planwatch.db'}") as store, store.session() as session,
          pytest.raises(ReportError, match="No forms are stored for person 'CS-99999'")):
        load_summary(session, catalogue, "CS-99999", date(2026, 11, 23))


def test_closure_arriving_writes_the_final_summary(tmp_path: Path, catalogue: Catalogue) -> None:
    settings = workspace(tmp_path / "ws", catalogue)
    with open_store(settings.database_url) as store:
        with store.session() as session:
            review_id = session.query(Submission.id).filter_by(form_id="review").first()
        assert review_id is not None
        assert write_summary_for_closure(store, catalogue, review_id[0],
                                         reports_path=settings.reports_path,
                                         today=date(2026, 11, 17)) is None
        closure_id = add_closure(store)
        path = write_summary_for_closure(store, catalogue, closure_id,
                                         reports_path=settings.reports_path,
                                         today=date(2026, 11, 17))
    assert path == (settings.reports_path / "summaries" /
                    f"outcome-summary-CS-00042-{CS}-2026-11-16.docx")
    text = document_text(path.read_bytes())
    assert "Arrears cleared and the flat is warm again." in text
    assert "Payment plan kept." in text and "Knows how to ask for help again." in text
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_draft_a_week_before_a_planned_departure(tmp_path: Path, catalogue: Catalogue) -> None:
    settings = workspace(tmp_path / "ws", catalogue)
    with open_store(settings.database_url) as store:
        with store.session() as session:
            latest = (session.query(Submission).filter_by(form_id="review")
                      .order_by(Submission.event_date.desc()).first())
            assert latest is not None
            latest.values = {**latest.values, "values": {
                **latest.values["values"], "planned_departure": "2026-11-30"}}

        def drafts(day: date) -> list[Path]:
            return write_departure_drafts(store, catalogue, reports_path=settings.reports_path,
                                          today=day)

        assert drafts(date(2026, 11, 22)) == []  # eight days before: not yet
        written = drafts(date(2026, 11, 23))
        assert [p.name for p in written] == [
            f"outcome-summary-CS-00042-{CS}-draft-2026-11-30.docx"]
        assert drafts(date(2026, 11, 24)) == []  # once per planned date
    assert "planned departure on 30/11/2026" in document_text(written[0].read_bytes())


def test_write_summary_default_path(home: Path, catalogue: Catalogue, tmp_path: Path) -> None:
    with open_store(f"sqlite:///{home / 'planwatch.db'}") as store:
        path = write_summary(store, catalogue, "CS-00042", as_of=date(2026, 11, 23),
                             reports_path=tmp_path / "reports")
    assert path.name == f"outcome-summary-CS-00042-{CS}-draft-2026-11-23.docx"
    assert path.parent == tmp_path / "reports" / "summaries"


# --- the demo ------------------------------------------------------------------------------


def test_demo_summaries_record_what_became_of_the_actions(demo_workspace: Demo) -> None:
    """Every demo summary whose person was reviewed after their plan says what became of
    at least one action (reviews record progress; it is matched, not lost)."""
    home = demo_workspace.home
    summaries = sorted((home / "reports" / "summaries").glob("*.docx"))
    assert summaries
    checked = 0
    for path in summaries:
        tables = docx.Document(str(path)).tables
        forms = next(t for t in tables if t.rows[0].cells[0].text == "Date")
        dated = [(date.fromisoformat("-".join(reversed(r.cells[0].text.split("/")))),
                  r.cells[1].text) for r in forms.rows[1:]]
        plans = [on for on, name in dated if "plan" in name.lower() and "review" not in
                 name.lower()]
        reviewed = plans and any("review (Part 1)" in name and on >= plans[0]
                                 for on, name in dated)
        actions = next((t for t in tables if t.rows[0].cells[0].text == "Need"), None)
        if not reviewed or actions is None:
            continue
        checked += 1
        fates = [row.cells[-1].text for row in actions.rows[1:]]
        assert any(fate != "No progress recorded yet." for fate in fates), (path.name, fates)
    assert checked
