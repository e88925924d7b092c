"""Findings: each names the field and says what to fix; blocking or advisory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.definitions import Catalogue
from pipeline.forms_service import check, fill
from pipeline.records import RawForm, RawValue, Severity
from pipeline.validate import validate
from tests.form_values import FULL_VALUES


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
        pytest.param("support-plan", {"person_signature": None}, "person", "unsigned",
                     Severity.BLOCKING, id="plan_not_signed_by_service_user"),
        pytest.param("support-plan", {"worker_signed_on": None}, "worker", "unsigned",
                     Severity.BLOCKING, id="worker_signature_without_date"),
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
