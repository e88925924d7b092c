"""Each service's findings (policies.md), from the form files' own fields and checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.definitions import Catalogue
from pipeline.forms_service import check, fill
from pipeline.records import Severity
from tests.form_values import complete_values

B, A = Severity.BLOCKING, Severity.ADVISORY


def findings(tmp_path: Path, catalogue: Catalogue, service: str, form_id: str,
             changes: dict[str, Any]) -> dict[str, tuple[str, Severity, str]]:
    definition = catalogue.get(form_id)
    data = {**complete_values(definition.for_service(service)), **changes}
    data = {k: v for k, v in data.items() if v is not None}
    record = check(fill(definition, data, tmp_path / "f.docx", service=service), catalogue)
    return {f.field: (f.code, f.severity, f.message) for f in record.findings}


SHANARRI = ["shanarri_safe", "shanarri_healthy", "shanarri_achieving", "shanarri_nurtured",
            "shanarri_active", "shanarri_respected", "shanarri_responsible",
            "shanarri_included"]
ACTION = {"issue": "Rent arrears", "task": "Apply for a payment", "responsible": "Sam",
          "target_date": "2026-04-01"}


@pytest.mark.parametrize(
    ("service", "form_id", "changes", "field", "code", "severity"),
    [
        # Stockport Women's Aid (seed 000).
        pytest.param("swa-refuge-women", "support-plan", {"person_signature": None},
                     "person", "unsigned", B, id="refuge-plan-unsigned-by-the-woman"),
        pytest.param("swa-refuge-children", "support-plan", {"worker_signed_on": None},
                     "worker", "unsigned", B, id="child-plan-keyworker-not-dated"),
        pytest.param("swa-refuge-women", "support-plan",
                     {"actions": [{**ACTION, "responsible": None}]},
                     "actions[1].responsible", "missing", B, id="action-without-named-person"),
        pytest.param("swa-floating", "support-plan",
                     {"actions": [{**ACTION, "target_date": None}]},
                     "actions[1].target_date", "missing", B, id="action-without-timescale"),
        pytest.param("swa-refuge-women", "support-plan",
                     {"disagreement": True, "disagreement_worker_view": None},
                     "disagreement_worker_view", "missing", B,
                     id="disagreement-without-the-workers-view"),
        pytest.param("swa-refuge-children", "support-plan",
                     {"disagreement": True, "disagreement_person_view": None},
                     "disagreement_person_view", "missing", B,
                     id="disagreement-without-the-childs-view"),
        pytest.param("swa-refuge-women", "closure", {"reflection": None}, "reflection",
                     "missing", B, id="outcomes-form-without-her-reflections"),
        # Homes for Independent Living (seed 001).
        pytest.param("medway-hil", "support-plan",
                     {"actions": [{**ACTION, "area": None}]}, "actions[1].area", "missing", B,
                     id="objective-without-outcome-area"),
        pytest.param("medway-hil", "support-plan",
                     {"actions": [{**ACTION, "area": "stay_safe", "target_date": None}]},
                     "actions[1].target_date", "missing", B,
                     id="objective-without-target-date"),
        pytest.param("medway-hil", "support-plan",
                     {"person_signature": None, "advocate_signature": None},
                     "person", "unsigned", B, id="signed-by-neither-resident-nor-advocate"),
        # Families First (seed 002).
        pytest.param("families-first", "referral",
                     {key: False for key in ["criterion_imminent_care",
                                             "criterion_rehabilitation",
                                             "criterion_missing_exploitation",
                                             "criterion_family_breakdown",
                                             "criterion_no_boundaries", "criterion_self_care",
                                             "criterion_conflict", "criterion_exclusion",
                                             "criterion_parenting",
                                             "criterion_social_exclusion",
                                             "criterion_parent_attitude",
                                             "criterion_no_network"]},
                     "referral_criteria", "missing", A, id="no-referral-criterion-ticked"),
        pytest.param("families-first", "closure",
                     {"exit_reason": "step_down", "step_down_lead": None},
                     "step_down", "missing", B, id="step-down-without-a-lead"),
        pytest.param("families-first", "referral", {"children": []}, "children", "missing", B,
                     id="family-without-children"),
        pytest.param("families-first", "referral-response", {"sw_contacted_at": None},
                     "sw_contacted_at", "missing", B, id="contact-time-missing"),
        # Self-directed Support (seed 003).
        pytest.param("sds", "review", {"four_options_offered": False,
                                       "options_evidence": None},
                     "four_options_offered", "not_ticked", B,
                     id="review-without-the-four-options"),
        pytest.param("sds", "review", {"options_evidence": None}, "options_evidence",
                     "missing", B, id="four-options-ticked-without-evidence"),
        pytest.param("sds", "review", {"is_child": True, "shanarri_nurtured": None},
                     "shanarri", "missing", B, id="child-without-all-eight-indicators"),
        pytest.param("sds", "review", {"views_safety": None}, "views_safety", "missing", B,
                     id="review-without-views-on-safety"),
        # Community support (seed 004).
        pytest.param("community-support", "support-plan",
                     {"wishes_not_incorporated": True, "wishes_reason": None},
                     "wishes_reason", "missing", B, id="wishes-not-incorporated-without-reason"),
        pytest.param("community-support", "review", {"person_views": None}, "person_views",
                     "missing", B, id="review-without-the-service-users-views"),
        # What the seeds require to be recorded (issue 14, item 8).
        pytest.param("medway-hil", "support-plan", {"complaints_explained": False},
                     "complaints_explained", "not_ticked", A,
                     id="hil-complaints-process-not-explained"),
        pytest.param("families-first", "support-plan",
                     {"complaints_procedure_explained": False},
                     "complaints_procedure_explained", "not_ticked", A,
                     id="ff-complaints-procedure-not-explained"),
        pytest.param("sds", "support-plan", {"four_options_offered": False},
                     "four_options_offered", "not_ticked", B,
                     id="sds-plan-without-the-four-options"),
        pytest.param("swa-refuge-women", "support-plan", {"staff_meeting": False},
                     "staff_meeting", "not_ticked", A, id="refuge-plan-not-at-staff-meeting"),
        pytest.param("swa-refuge-children", "support-plan", {"staff_meeting": False},
                     "staff_meeting", "not_ticked", A, id="child-plan-not-at-staff-meeting"),
        pytest.param("swa-floating", "review", {"staff_meeting": False},
                     "staff_meeting", "not_ticked", A,
                     id="floating-review-not-at-staff-meeting"),
        pytest.param("swa-refuge-women", "closure", {"outcomes": []}, "outcomes", "missing", A,
                     id="refuge-outcomes-form-with-no-outcomes"),
        pytest.param("families-first", "closure", {"outcomes": []}, "outcomes", "missing", A,
                     id="ff-closure-with-no-outcomes"),
        pytest.param("sds", "support-plan", {"plan_date": "2026-03-02",
                                             "next_review_date": "2027-03-03"},
                     "next_review_date", "too_far_ahead", A,
                     id="sds-plan-review-a-year-and-a-day-ahead"),
        pytest.param("sds", "review", {"review_date": "2026-03-31",
                                       "next_review_date": "2027-04-01"},
                     "next_review_date", "too_far_ahead", A,
                     id="sds-review-date-a-year-and-a-day-from-a-month-end"),
        # Signatures where the seeds ask for them (issue 14, item 9).
        pytest.param("swa-floating", "support-plan", {"person_signature": None},
                     "person", "unsigned", B, id="floating-plan-unsigned-by-the-woman"),
        pytest.param("swa-refuge-children", "support-plan",
                     {"shared_with_child": "part", "person_signature": None},
                     "person", "unsigned", B, id="child-shown-part-of-the-plan-signs"),
        pytest.param("swa-refuge-children", "support-plan",
                     {"shared_with_child": "explained", "worker_signature": None},
                     "worker", "unsigned", B, id="plan-not-shown-still-needs-the-worker"),
        pytest.param("medway-hil", "support-plan", {"worker_signed_on": None},
                     "worker", "unsigned", B, id="hil-plan-officer-not-dated"),
        pytest.param("families-first", "support-plan", {"person_signature": None},
                     "person", "unsigned", A, id="ff-plan-unsigned-is-advisory"),
        pytest.param("families-first", "review", {"worker_signature": None},
                     "worker", "unsigned", A, id="ff-review-unsigned-is-advisory"),
        pytest.param("sds", "support-plan", {"worker_signed_on": None},
                     "worker", "unsigned", A, id="sds-plan-unsigned-is-advisory"),
        pytest.param("community-support", "support-plan", {"person_signature": None},
                     "person", "unsigned", A, id="community-plan-unsigned-is-advisory"),
        pytest.param("community-support", "closure", {"worker_signature": None},
                     "worker", "unsigned", A, id="community-closure-unsigned-is-advisory"),
        pytest.param("community-support", "review-part2", {"reviewer_signature": None},
                     "reviewer", "unsigned", A, id="part2-unsigned-is-advisory"),
        pytest.param("swa-refuge-women", "review", {"worker_signature": None},
                     "worker", "unsigned", B, id="refuge-review-keyworker-unsigned"),
    ],
)
def test_service_finding(tmp_path: Path, catalogue: Catalogue, service: str, form_id: str,
                         changes: dict[str, Any], field: str, code: str,
                         severity: Severity) -> None:
    found = findings(tmp_path, catalogue, service, form_id, changes)
    assert found[field][:2] == (code, severity), found


def test_shanarri_names_every_missing_indicator(tmp_path: Path, catalogue: Catalogue) -> None:
    found = findings(tmp_path, catalogue, "sds", "review",
                     {"is_child": True, "shanarri_safe": None, "shanarri_included": None})
    assert found["shanarri"][2].endswith("Missing: Safe, Included.")


@pytest.mark.parametrize(
    ("service", "form_id", "changes"),
    [
        pytest.param("sds", "review", {"is_child": False, **dict.fromkeys(SHANARRI)},
                     id="adult-needs-no-shanarri"),
        pytest.param("medway-hil", "support-plan",
                     {"person_signature": None, "person_signed_on": None},
                     id="advocate-signs-for-the-resident"),
        pytest.param("families-first", "referral",
                     {"children": [{"name": "Kai", "date_of_birth": "2012-05-01"}]},
                     id="unused-rows-with-unticked-boxes-are-blank"),
        pytest.param("families-first", "closure", {"exit_reason": "planned",
                                                   "step_down_lead": None},
                     id="no-step-down-no-lead-needed"),
        pytest.param("community-support", "support-plan",
                     {"actions": [{**ACTION, "area": None}]},
                     id="need-area-optional-outside-hil"),
        pytest.param("swa-refuge-children", "support-plan",
                     {"shared_with_child": "explained", "person_signature": None,
                      "person_signed_on": None},
                     id="plan-not-shown-to-a-young-child-needs-no-child-signature"),
        pytest.param("swa-refuge-children", "review",
                     {"shared_with_child": "explained", "person_signature": None,
                      "person_signed_on": None},
                     id="review-not-shown-to-a-young-child-needs-no-child-signature"),
        pytest.param("sds", "support-plan", {"plan_date": "2026-03-02",
                                             "next_review_date": "2027-03-02"},
                     id="sds-review-exactly-a-year-ahead"),
        pytest.param("sds", "review", {"review_date": "2026-03-31",
                                       "next_review_date": "2027-03-31"},
                     id="sds-review-exactly-a-year-from-a-month-end"),
        pytest.param("swa-refuge-women", "review", {"staff_meeting": True},
                     id="discussed-at-the-staff-meeting"),
    ],
)
def test_no_finding(tmp_path: Path, catalogue: Catalogue, service: str, form_id: str,
                    changes: dict[str, Any]) -> None:
    assert findings(tmp_path, catalogue, service, form_id, changes) == {}


def test_unsigned_resident_is_told_an_advocate_may_sign(tmp_path: Path,
                                                       catalogue: Catalogue) -> None:
    found = findings(tmp_path, catalogue, "medway-hil", "support-plan",
                     {"person_signature": None, "advocate_signature": None})
    assert "or have the Advocate or representative sign" in found["person"][2]
