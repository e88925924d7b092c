"""Complete values for each form: by hand for community-support (``FULL_VALUES``), and
generated for every service's copy of every form (:func:`complete_values`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pipeline.definitions import FieldSpec, FieldType, FormDefinition

FULL_VALUES: dict[str, dict[str, Any]] = {
    "referral": {
        "person_id": "CS-00042",
        "full_name": "Ada Lovelace",
        "date_of_birth": "1985-12-10",
        "address": "Flat 2\n14 Example Road\nStockport SK1 1AA",
        "phone": "0161 000 0000",
        "interpreter_needed": True,
        "language": "Polish",
        "representative": "Maria Nowak (sister)",
        "referral_date": "2026-02-27",
        "referrer": "Dr Jones, Example Surgery",
        "referral_reason": "Struggling with bills after a hospital stay.",
        "start_date": "2026-03-02",
        "worker": "Sam Patel",
        "team": "North",
        "risk_level": "medium",
        "risks": "Falls at home.",
        "consent_to_share": True,
    },
    "support-plan": {
        "person_id": "CS-00042",
        "full_name": "Ada Lovelace",
        "plan_date": "2026-03-20",
        "worker": "Sam Patel",
        "team": "North",
        "review_frequency": "six_months",
        "next_review_date": "2026-04-13",
        "needs_summary": "Managing money\nKeeping the tenancy",
        "others_involved": "Citizens Advice",
        "actions": [
            {"area": "Money", "issue": "Rent arrears", "task": "Apply for a discretionary "
             "housing payment", "responsible": "Sam Patel", "target_date": "2026-04-01"},
            {"area": "Health", "issue": "No GP", "task": "Register with a GP",
             "responsible": "Ada Lovelace", "target_date": "2026-03-31"},
            {"area": "Home", "issue": "Damp", "task": "Report the repair",
             "responsible": "Sam Patel", "target_date": "2026-04-10"},
            {"area": "Social", "issue": "Isolated", "task": "Try the lunch club",
             "responsible": "Ada Lovelace", "target_date": "2026-05-01"},
        ],
        "person_views": "I want to stay in my flat.",
        "wishes_not_incorporated": True,
        "wishes_reason": "Daily visits are outside what the service offers.",
        "disagreement": False,
        "person_signature": "Ada Lovelace",
        "person_signed_on": "2026-03-20",
        "worker_signature": "Sam Patel",
        "worker_signed_on": "2026-03-20",
        "signed_copy_on_file": False,
    },
    "review": {
        "person_id": "CS-00042",
        "full_name": "Ada Lovelace",
        "review_date": "2026-04-13",
        "review_kind": "first",
        "review_method": "phone",
        "worker": "Sam Patel",
        "team": "North",
        "progress": [
            {"issue": "Rent arrears", "progress": "Payment agreed", "comment": "Closed"},
            {"issue": "No GP", "progress": "Registered"},
        ],
        "scores": [{"area": "Money", "score": 6}, {"area": "Health", "score": 7.5}],
        "person_views": "Feeling more settled.",
        "changes_made": "Removed the GP action.",
        "next_review_date": "2026-10-13",
        "person_signature": "Ada Lovelace",
        "person_signed_on": "2026-04-13",
        "worker_signature": "Sam Patel",
        "worker_signed_on": "2026-04-13",
    },
    "review-part2": {
        "person_id": "CS-00042",
        "full_name": "Ada Lovelace",
        "review_date": "2026-04-13",
        "completed_on": "2026-04-20",
        "reviewer": "Jo Manager",
        "reviewer_role": "team_manager",
        "changes_entered": True,
        "evaluation": "The plan is working; arrears cleared.",
        "staff_informed": True,
        "reviewer_signature": "Jo Manager",
        "reviewer_signed_on": "2026-04-20",
    },
}


# --- every form, every service ---------------------------------------------------------

SERVICES = ("community-support", "swa-refuge-women", "swa-refuge-children", "swa-floating",
            "medway-hil", "families-first", "sds")
DAY = date(2026, 3, 2)
BORN = date(2015, 3, 2)
# Yes/no answers left unticked in a complete form: ticking them asks for more.
_UNTICKED = {"signed_copy_on_file", "wishes_not_incorporated", "disagreement", "is_child"}


def _value(field: FieldSpec, number: int) -> Any:
    """A plausible answer for one field, different per field (``number``)."""
    if field.type in (FieldType.TEXT, FieldType.SIGNATURE):
        return f"{field.label} {number}"
    if field.type is FieldType.LONG_TEXT:
        return f"{field.label}: first line\nsecond line {number}"
    if field.type is FieldType.DATE:
        # A date of birth (a child's in a table too) comes before every event date.
        start = BORN if field.key == "date_of_birth" else DAY
        return (start + timedelta(days=number)).isoformat()
    if field.type is FieldType.DATETIME:
        day = DAY + timedelta(days=number)
        return f"{day.isoformat()}T{9 + number % 8:02d}:{number % 60:02d}"
    if field.type is FieldType.YES_NO:
        return field.key not in _UNTICKED
    if field.type is FieldType.NUMBER:
        low = field.minimum if field.minimum is not None else 0
        high = field.maximum if field.maximum is not None else low + 100
        return int(low + (high - low) // 2)
    return field.choices[number % len(field.choices)].value


def complete_values(copy: FormDefinition) -> dict[str, Any]:
    """Values that fill every control of one service's copy of a form, and complete it:
    no finding at all (so nothing ticked that asks for more, every check met)."""
    values: dict[str, Any] = {}
    for number, field in enumerate(copy.leaf_fields()):
        values[field.key] = _value(field, number)
    values["person_id"] = "PW-00042"
    for spec in copy.tables:
        values[spec.key] = [{c.key: _value(c, row * 7 + n) for n, c in enumerate(spec.columns)}
                            for row in range(2)]
    if "exit_reason" in values:
        values["exit_reason"] = "planned"
    return values
