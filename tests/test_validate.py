"""Findings: each names the field and says what to fix; blocking or advisory."""

from __future__ import annotations

import json
import math
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipeline.config import load_settings
from pipeline.definitions import Catalogue, DateChecks, FormDefinition
from pipeline.errors import FillError
from pipeline.fill_values import coerce_values
from pipeline.forms_service import check, fill
from pipeline.inbox.ingest import Outcome, Workspace, ingest_file
from pipeline.records import Finding, RawForm, RawValue, Record, Severity
from pipeline.store.models import EventRow, OutcomeScore, Submission
from pipeline.store.session import open_store
from pipeline.validate import validate
from pipeline.workspace import init_workspace
from tests.form_values import FULL_VALUES, complete_values

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 12, 1)


def _findings(tmp_path: Path, catalogue: Catalogue, form_id: str,
              changes: dict[str, Any]) -> dict[str, tuple[str, Severity]]:
    data = {**FULL_VALUES[form_id], **changes}
    data = {k: v for k, v in data.items() if v is not None}
    record = check(fill(catalogue.get(form_id), data, tmp_path / "f.docx"), catalogue)
    return {f.field: (f.code, f.severity) for f in record.findings}


def test_complete_forms_have_no_findings(tmp_path: Path, catalogue: Catalogue) -> None:
    for form_id in FULL_VALUES:
        assert _findings(tmp_path, catalogue, form_id, {}) == {}, form_id


@pytest.mark.parametrize(
    ("form_id", "changes", "field", "code", "severity"),
    [
        pytest.param("support-plan", {"plan_date": None}, "plan_date", "missing",
                     Severity.BLOCKING, id="required_date_missing"),
        # Community support (seed 004) asks for no signatures: each service's severity is
        # in test_validate_services.
        pytest.param("support-plan", {"person_signature": None}, "person", "unsigned",
                     Severity.ADVISORY, id="plan_not_signed_by_service_user"),
        pytest.param("support-plan", {"worker_signed_on": None}, "worker", "unsigned",
                     Severity.ADVISORY, id="worker_signature_without_date"),
        pytest.param("support-plan", {"wishes_reason": None}, "wishes_reason", "missing",
                     Severity.BLOCKING, id="wishes_not_incorporated_without_reason"),
        pytest.param("support-plan", {"disagreement": True}, "disagreement_person_view",
                     "missing", Severity.BLOCKING, id="disagreement_without_views"),
        pytest.param("support-plan", {"actions": [{"issue": "Debt", "task": "Budget"}]},
                     "actions[1].responsible", "missing", Severity.BLOCKING,
                     id="action_without_named_person"),
        pytest.param("support-plan", {"actions": []}, "actions", "missing",
                     Severity.BLOCKING, id="plan_without_actions"),
        pytest.param("review", {"person_views": None}, "person_views", "missing",
                     Severity.BLOCKING, id="review_without_service_users_views"),
        pytest.param("review", {"person_signature": None}, "person", "unsigned",
                     Severity.ADVISORY, id="review_unsigned_by_person_is_advisory"),
        pytest.param("review", {"scores": [{"area": "Money", "score": 12}]},
                     "scores[1].score", "out_of_range", Severity.BLOCKING,
                     id="score_out_of_range"),
    ],
)
def test_finding(tmp_path: Path, catalogue: Catalogue, form_id: str, changes: dict[str, Any],
                 field: str, code: str, severity: Severity) -> None:
    assert _findings(tmp_path, catalogue, form_id, changes)[field] == (code, severity)


def test_signed_paper_copy_stands_in_for_signatures(tmp_path: Path,
                                                    catalogue: Catalogue) -> None:
    found = _findings(tmp_path, catalogue, "support-plan",
                      {"person_signature": None, "worker_signed_on": None,
                       "signed_copy_on_file": True})
    assert "person" not in found and "worker" not in found


def _raw(**fields: RawValue) -> RawForm:
    return RawForm(file_name="x.docx", form_id="support-plan", form_version=1,
                   service="community-support", fields={"person_id": RawValue(text="CS-1"),
                                                        **fields})


@pytest.mark.parametrize(
    ("raw", "expected", "code"),
    [
        pytest.param(RawValue(text="31/12/2026"), "2026-12-31", None,
                     id="typed_date_read_day_first"),
        pytest.param(RawValue(text="3/4/2026"), "2026-04-03", None,
                     id="short_date_is_uk_day_first"),
        pytest.param(RawValue(text="soon"), None, "date_unreadable", id="date_cannot_be_read"),
        pytest.param(RawValue(text="01/01/2026", full_date=None, showing_placeholder=True), None,
                     "missing", id="placeholder_flag_means_empty"),
        pytest.param(RawValue(text="Click to choose a date (dd/mm/yyyy)."), None, "missing",
                     id="placeholder_text_without_flag_means_empty"),
    ],
)
def test_date_reading(catalogue: Catalogue, raw: RawValue, expected: str | None,
                      code: str | None) -> None:
    record = validate(_raw(plan_date=raw), catalogue.get("support-plan"))
    value = record.values["plan_date"]
    assert (value.isoformat() if value else None) == expected
    codes = {f.code for f in record.findings if f.field == "plan_date"}
    assert codes == ({code} if code else set())


def test_placeholder_left_beside_the_answer_is_removed_and_reported(
    catalogue: Catalogue,
) -> None:
    record = validate(_raw(full_name=RawValue(text="Click here to enter text.Ada Lovelace")),
                      catalogue.get("support-plan"))
    assert record.values["full_name"] == "Ada Lovelace"
    assert [(f.code, f.severity) for f in record.findings if f.field == "full_name"] == [
        ("placeholder_left", Severity.ADVISORY)]


def test_dropdown_display_text_maps_back_to_value(catalogue: Catalogue) -> None:
    record = validate(_raw(review_frequency=RawValue(text="3 months")),
                      catalogue.get("support-plan"))
    assert record.values["review_frequency"] == "three_months"


# --- poison values (issue 13, item 3) ----------------------------------------------------

def _form(form_id: str, service: str, fields: dict[str, RawValue] | None = None,
          tables: dict[str, list[dict[str, RawValue]]] | None = None) -> RawForm:
    return RawForm(file_name="x.docx", form_id=form_id, form_version=1, service=service,
                   fields={"person_id": RawValue(text="CS-1"), **(fields or {})},
                   tables=tables or {})


def assert_poison_free(record: Record) -> None:
    """Every value of the record goes through what the store and the rules do with it:
    UK time without a zone, dates a few years on, JSON without NaN, integer columns."""
    cells = [*record.values.values(),
             *(value for rows in record.tables.values() for row in rows for value in row.values())]
    for value in cells:
        if isinstance(value, datetime):
            local = value.astimezone(LONDON).replace(tzinfo=None)
            assert 1900 <= local.year <= 2100
        elif isinstance(value, date):
            assert 1900 <= value.year <= 2100
            assert value + timedelta(days=3660) > value
        elif isinstance(value, float):
            assert math.isfinite(value) and abs(value) <= 1e12
        elif isinstance(value, int) and not isinstance(value, bool):
            assert abs(value) <= 1e12
        elif isinstance(value, str):
            assert "\x00" not in value and len(value) <= 32_000
    json.dumps(record.json_values(), allow_nan=False)
    if record.event_date is not None:
        assert record.event_date + timedelta(days=3660) > record.event_date


def _score(text: str) -> dict[str, list[dict[str, RawValue]]]:
    return {"scores": [{"area": RawValue(text="Money"), "score": RawValue(text=text)}]}


@pytest.mark.parametrize(
    ("raw", "where", "code", "words"),
    [
        pytest.param(_form("referral-response", "families-first",
                           {"sw_contacted_at": RawValue(text="31/12/9999 23:30 -05:00")}),
                     "sw_contacted_at", "datetime_out_of_range", "between 1900 and 2100",
                     id="year_9999_with_offset"),
        pytest.param(_form("referral-response", "families-first",
                           {"sw_contacted_at": RawValue(text="01/01/0001 00:30 +05:00")}),
                     "sw_contacted_at", "datetime_out_of_range", "between 1900 and 2100",
                     id="year_1_with_offset"),
        pytest.param(_form("referral-response", "families-first",
                           {"sw_contacted_at": RawValue(text="31/12/2100 23:30 -05:00")}),
                     "sw_contacted_at", "datetime_out_of_range", "between 1900 and 2100",
                     id="last_year_becomes_the_next_in_uk_time"),
        pytest.param(_form("referral-response", "families-first",
                           {"sw_contacted_at": RawValue(text="02/03/2026 10:00 EST")}),
                     "sw_contacted_at", "datetime_unreadable", "time zone",
                     id="unknown_time_zone"),
        pytest.param(_form("support-plan", "community-support",
                           {"plan_date": RawValue(text="31/12/9999")}),
                     "plan_date", "date_out_of_range", "between 1900 and 2100",
                     id="typed_date_year_9999"),
        pytest.param(_form("support-plan", "community-support",
                           {"plan_date": RawValue(text="31/12/9999",
                                                  full_date=date(9999, 12, 31))}),
                     "plan_date", "date_out_of_range", "between 1900 and 2100",
                     id="date_picker_year_9999"),
        pytest.param(_form("support-plan", "community-support", tables={"actions": [
                         {"issue": RawValue(text="Debt"),
                          "target_date": RawValue(text="01/01/1066")}]}),
                     "actions[1].target_date", "date_out_of_range", "between 1900 and 2100",
                     id="table_date_year_1066"),
        pytest.param(_form("review", "community-support", tables=_score("NaN")),
                     "scores[1].score", "number_unreadable", "is not a number",
                     id="nan_score"),
        pytest.param(_form("review", "community-support", tables=_score("-Infinity")),
                     "scores[1].score", "number_unreadable", "from 1 to 10",
                     id="infinite_score"),
        pytest.param(_form("review", "community-support", tables=_score("sNaN")),
                     "scores[1].score", "number_unreadable", "is not a number",
                     id="signalling_nan_score"),
        pytest.param(_form("review", "community-support", tables=_score("1e400")),
                     "scores[1].score", "out_of_range", "from 1 to 10",
                     id="score_beyond_a_float"),
        pytest.param(_form("review", "community-support", tables=_score("1" * 40)),
                     "scores[1].score", "out_of_range", "from 1 to 10",
                     id="score_huge_integer"),
        pytest.param(_form("support-plan", "sds",
                           {"personal_budget": RawValue(text="1e30")}),
                     "personal_budget", "out_of_range", "of 0 or more",
                     id="budget_without_maximum_beyond_the_limit"),
        pytest.param(_form("support-plan", "sds",
                           {"personal_budget": RawValue(text="-5")}),
                     "personal_budget", "out_of_range", "of 0 or more",
                     id="budget_below_a_minimum_without_maximum"),
        pytest.param(_form("support-plan", "community-support",
                           {"person_id": RawValue(text="CS-" + "1" * 100)}),
                     "person_id", "too_long", "at most 64",
                     id="person_id_too_long"),
        pytest.param(_form("support-plan", "community-support",
                           {"needs_summary": RawValue(text="x" * 40_000)}),
                     "needs_summary", "too_long", "at most 32,000",
                     id="text_longer_than_a_workbook_cell"),
    ],
)
def test_poison_value_is_a_finding_and_not_kept(catalogue: Catalogue, raw: RawForm,
                                                where: str, code: str, words: str) -> None:
    record = validate(raw, catalogue.get(raw.form_id), today=TODAY)
    [finding] = [f for f in record.findings if f.field == where]
    assert (finding.code, finding.severity) == (code, Severity.BLOCKING)
    assert words in finding.message
    assert "Error" not in finding.message  # plain words, no exception names
    column = where.rsplit(".", 1)[-1]
    kept = (record.tables["scores" if "scores" in where else "actions"][0][column]
            if "[" in where else record.values[where])
    assert kept is None
    assert_poison_free(record)


def test_invisible_characters_are_removed_from_text(catalogue: Catalogue) -> None:
    record = validate(_form("support-plan", "community-support", {
        "full_name": RawValue(text="Ada\x00 Love\x0blace\ud800"),
        "needs_summary": RawValue(text="line one\nline two\tend")}),
        catalogue.get("support-plan"), today=TODAY)
    assert record.values["full_name"] == "Ada Lovelace"
    assert record.values["needs_summary"] == "line one\nline two\tend"
    assert not [f for f in record.findings if f.field in ("full_name", "needs_summary")]
    only_invisible = validate(_form("support-plan", "community-support", {
        "full_name": RawValue(text="\x00\x01")}), catalogue.get("support-plan"), today=TODAY)
    assert only_invisible.values["full_name"] is None
    assert _codes(only_invisible, "full_name") == [("missing", Severity.BLOCKING)]


def test_file_properties_cannot_poison_the_record(catalogue: Catalogue) -> None:
    raw = _form("support-plan", "x\x00" * 5000).model_copy(update={"form_version": 10**30})
    record = validate(raw, catalogue.get("support-plan"), today=TODAY)
    assert record.form_version == 1
    assert "\x00" not in record.service and len(record.service) <= 60
    assert _only(record, "service", "unknown_service").severity is Severity.BLOCKING
    assert _only(record, "form_version", "unknown_version").severity is Severity.ADVISORY
    assert all("\x00" not in f.message and len(f.message) < 400 for f in record.findings)


def test_plausible_edge_values_are_kept(catalogue: Catalogue) -> None:
    record = validate(_form("referral-response", "families-first", {
        "sw_contacted_at": RawValue(text="31/12/2099 23:30 -05:00")}),
        catalogue.get("referral-response"), today=TODAY)
    assert record.values["sw_contacted_at"].astimezone(LONDON).year == 2100
    review = validate(_form("review", "community-support", tables=_score("10")),
                      catalogue.get("review"), today=TODAY)
    assert review.tables["scores"][0]["score"] == 10
    assert not [f for f in review.findings if f.field.startswith("scores")]


def _swap_answer(path: Path, shown: str, typed: str) -> None:
    """Type ``typed`` over the one answer that shows ``shown``, as a person would in Word."""
    with zipfile.ZipFile(path) as original:
        parts = {info: original.read(info) for info in original.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as edited:
        for info, data in parts.items():
            if info.filename == "word/document.xml":
                text = data.decode()
                assert text.count(f">{shown}<") == 1, shown
                data = text.replace(f">{shown}<", f">{typed}<").encode()
            edited.writestr(info, data)


@pytest.mark.parametrize(
    ("form_id", "service", "change", "shown", "typed", "where"),
    [
        pytest.param("referral-response", "families-first", {}, "05/03/2026 12:03",
                     "31/12/9999 23:30 -05:00", "sw_contacted_at",
                     id="year_9999_with_offset"),
        pytest.param("review", "community-support",
                     {"scores": [{"area": "Money", "score": 3}, {"area": "Health", "score": 5}]},
                     "3", "NaN", "scores[1].score", id="nan_score"),
    ],
)
def test_form_with_a_poison_value_is_stored_with_its_finding(
    tmp_path: Path, catalogue: Catalogue, form_id: str, service: str,
    change: dict[str, Any], shown: str, typed: str, where: str,
) -> None:
    """The whole way through ingest: stored, the finding shown, nothing poisoned kept."""
    init_workspace(tmp_path / "ws")
    settings = load_settings(tmp_path / "ws")
    workspace = Workspace(home=settings.home, inbox=settings.inbox_path,
                          archive=settings.archive_path, rejected=settings.rejected_path,
                          catalogue=catalogue)
    definition = catalogue.get(form_id)
    values = {**complete_values(definition.for_service(service)), **change}
    path = fill(definition, values, workspace.inbox / "form.docx", service=service)
    _swap_answer(path, shown, typed)
    with open_store(settings.database_url) as store:
        result = ingest_file(path, store, workspace)
        assert result.outcome is Outcome.STORED, result.reason
        [finding] = [f for f in result.findings if f["field"] == where]
        assert finding["severity"] == "blocking" and typed in finding["message"]
        assert list(workspace.inbox.iterdir()) == []
        with store.session() as session:
            [row] = session.query(Submission).all()
            events = session.query(EventRow).all()
            scores = [s.score for s in session.query(OutcomeScore)]
    assert typed not in json.dumps(row.values)
    if form_id == "review":
        assert scores == [5]  # the other row's score is kept
    else:
        assert [e.kind for e in events] == ["allocation", "initial_visit"]


# --- implausible dates (issue 13, item 7) --------------------------------------------------

def _codes(record: Record, where: str) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in record.findings if f.field == where]


def _only(record: Record, where: str, code: str) -> Finding:
    [finding] = [f for f in record.findings if f.field == where and f.code == code]
    return finding


@pytest.mark.parametrize(
    ("raw", "where", "code", "severity", "words"),
    [
        pytest.param(_form("referral", "community-support",
                           {"referral_date": RawValue(text="02/03/2029")}),
                     "referral_date", "date_in_future", Severity.BLOCKING,
                     "more than a year from today", id="referral_dated_years_ahead"),
        pytest.param(_form("review", "community-support",
                           {"review_date": RawValue(text="13/04/2036")}),
                     "review_date", "date_in_future", Severity.BLOCKING,
                     "Check the year", id="review_dated_years_ahead"),
        pytest.param(_form("referral-response", "families-first",
                           {"sw_contacted_at": RawValue(text="05/03/2031 12:03")}),
                     "sw_contacted_at", "date_in_future", Severity.BLOCKING,
                     "more than a year from today", id="contact_time_years_ahead"),
        pytest.param(_form("support-plan", "community-support",
                           {"plan_date": RawValue(text="20/03/2026"),
                            "worker_signed_on": RawValue(text="20/03/2062")}),
                     "worker_signed_on", "date_in_future", Severity.BLOCKING,
                     "Check the year", id="signature_dated_years_ahead"),
        pytest.param(_form("referral", "community-support",
                           {"referral_date": RawValue(text="02/03/2026"),
                            "date_of_birth": RawValue(text="10/12/2026")}),
                     "date_of_birth", "born_after_event", Severity.ADVISORY,
                     "is after 'Date referral received' (02/03/2026)",
                     id="date_of_birth_after_referral"),
        pytest.param(_form("referral", "families-first",
                           {"referral_received_at": RawValue(text="02/03/2026 10:00")},
                           {"children": [{"name": RawValue(text="Mia"),
                                          "date_of_birth": RawValue(text="01/06/2026")}]}),
                     "children[1].date_of_birth", "born_after_event", Severity.ADVISORY,
                     "row 1: Date of birth (01/06/2026) is after",
                     id="child_born_after_referral"),
        pytest.param(_form("referral", "community-support",
                           {"date_of_birth": RawValue(text="10/12/2027")}),
                     "date_of_birth", "born_after_event", Severity.ADVISORY,
                     "in the future", id="date_of_birth_in_the_future_without_referral_date"),
        pytest.param(_form("support-plan", "medway-hil",
                           {"plan_date": RawValue(text="20/03/2026"),
                            "worker_signed_on": RawValue(text="01/03/2026")}),
                     "worker_signed_on", "signed_before_event", Severity.BLOCKING,
                     "before 'Date of plan' (20/03/2026)", id="signature_before_the_plan_meeting"),
        pytest.param(_form("support-plan", "sds",
                           {"plan_date": RawValue(text="20/03/2026"),
                            "worker_signed_on": RawValue(text="01/03/2026")}),
                     "worker_signed_on", "signed_before_event", Severity.ADVISORY,
                     "before 'Date of plan' (20/03/2026)",
                     id="signature_before_the_plan_meeting_where_none_is_asked_for"),
        pytest.param(_form("review", "community-support",
                           {"review_date": RawValue(text="13/04/2026"),
                            "person_signed_on": RawValue(text="12/04/2026")}),
                     "person_signed_on", "signed_before_event", Severity.ADVISORY,
                     "before 'Date of review' (13/04/2026)",
                     id="advisory_signature_before_review_is_advisory"),
    ],
)
def test_implausible_date_is_a_finding(catalogue: Catalogue, raw: RawForm, where: str,
                                       code: str, severity: Severity, words: str) -> None:
    record = validate(raw, catalogue.get(raw.form_id), today=TODAY)
    finding = _only(record, where, code)
    assert finding.severity is severity
    assert words in finding.message
    assert "correct" in finding.message  # says what to do


def test_event_date_within_a_year_is_fine(catalogue: Catalogue) -> None:
    record = validate(_form("referral", "community-support", {
        "referral_date": RawValue(text="01/12/2027"),
        "start_date": RawValue(text="01/01/2027")}), catalogue.get("referral"), today=TODAY)
    assert _codes(record, "referral_date") == []
    assert _codes(record, "start_date") == []
    born_that_day = validate(_form("referral", "community-support", {
        "referral_date": RawValue(text="01/12/2026"),
        "date_of_birth": RawValue(text="01/12/2026")}), catalogue.get("referral"), today=TODAY)
    assert _codes(born_that_day, "date_of_birth") == []


def test_signature_on_the_day_of_the_meeting_is_fine(catalogue: Catalogue) -> None:
    record = validate(_form("support-plan", "community-support", {
        "plan_date": RawValue(text="20/03/2026"),
        "person_signed_on": RawValue(text="20/03/2026"),
        "worker_signed_on": RawValue(text="21/03/2026")}),
        catalogue.get("support-plan"), today=TODAY)
    assert not [f for f in record.findings if f.code == "signed_before_event"]


@pytest.mark.parametrize(
    ("next_review", "too_far"),
    [
        pytest.param("28/02/2029", False, id="a_year_from_leap_day_is_28_february"),
        pytest.param("01/03/2029", True, id="a_year_and_a_day_from_leap_day"),
    ],
)
def test_sds_review_date_more_than_a_year_ahead(catalogue: Catalogue, next_review: str,
                                                too_far: bool) -> None:
    record = validate(_form("review", "sds", {
        "review_date": RawValue(text="29/02/2028"),
        "next_review_date": RawValue(text=next_review)}), catalogue.get("review"),
        today=date(2028, 3, 1))
    found = [f for f in record.findings if f.code == "too_far_ahead"]
    assert bool(found) is too_far
    if too_far:
        assert found[0].severity is Severity.ADVISORY
        assert "more than 12 months after 'Date of review' (29/02/2028" in found[0].message
        assert "at the latest 28/02/2029" in found[0].message


def test_today_defaults_to_today_in_the_uk(catalogue: Catalogue) -> None:
    ahead = datetime.now(LONDON).date() + timedelta(days=800)
    record = validate(_form("referral", "community-support", {
        "referral_date": RawValue(text=f"{ahead:%d/%m/%Y}")}), catalogue.get("referral"))
    assert _codes(record, "referral_date") == [("date_in_future", Severity.BLOCKING)]


def _with_date_checks(definition: FormDefinition, **rules: Any) -> FormDefinition:
    return FormDefinition.model_validate(
        {**definition.model_dump(), "date_checks": DateChecks(**rules).model_dump()})


def test_the_definition_says_which_date_checks_block(catalogue: Catalogue) -> None:
    raw = _form("support-plan", "swa-refuge-women", {
        "plan_date": RawValue(text="20/03/2030"),
        "worker_signed_on": RawValue(text="01/03/2030")})
    plan = catalogue.get("support-plan")
    strict = validate(raw, plan, today=TODAY)
    assert _codes(strict, "plan_date") == [("date_in_future", Severity.BLOCKING)]
    assert _codes(strict, "worker_signed_on") == [
        ("date_in_future", Severity.BLOCKING), ("signed_before_event", Severity.BLOCKING)]
    relaxed = validate(raw, _with_date_checks(plan, event_in_future="advisory",
                                              signed_before_event="off", future_days=5000),
                       today=TODAY)
    assert _codes(relaxed, "plan_date") == []
    assert _codes(relaxed, "worker_signed_on") == []
    advisory = validate(raw, _with_date_checks(plan, event_in_future="advisory"), today=TODAY)
    assert _codes(advisory, "plan_date") == [("date_in_future", Severity.ADVISORY)]


@pytest.mark.parametrize("value", [pytest.param(float("nan"), id="nan_budget"),
                                   pytest.param(float("inf"), id="infinite_budget")])
def test_filling_refuses_a_number_no_form_can_show(catalogue: Catalogue, value: float) -> None:
    with pytest.raises(FillError, match="personal_budget: expected a number"):
        coerce_values(catalogue.get("support-plan"), {"personal_budget": value})
