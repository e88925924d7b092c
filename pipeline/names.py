"""The words staff use for what Planwatch knows by id: services, obligations and forms.

Every report and terminal table a person reads names a service by its policy's ``name``
("Stockport Women's Aid: refuge (women)"), an obligation by what it is ("Weekly review",
"Support plan") and a form by its title, never ``swa-refuge-women`` or ``support_plan``;
JSON for scripts keeps the ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pipeline.definitions import Catalogue
from pipeline.policies import Policies
from pipeline.rules.vocabulary import CalendarDays, CalendarMonths, Recurring, Weeks

# Obligations whose id does not read as their name once its underscores are spaces.
OBLIGATION_WORDS = {
    "review_part2": "Review Part 2 (manager)",
    "sw_contact": "Social worker contacted",
    "hard_copy": "Copy of the plan sent",
    "outcomes_form": "Outcomes form",
    "change_review": "Review after a change of circumstances",
    "child_referral": "Child referral",
    "worker_allocated": "Worker allocated",
    "feedback": "Feedback form",
    "self_assessment": "Self-assessment",
}


def humanise(identifier: str) -> str:
    """``support_plan`` as "Support plan", ``swa-floating`` as "Swa floating"."""
    words = identifier.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def _every(rule: Recurring) -> str:
    """ "Weekly", "Monthly", "Every 6 months": how often a recurring obligation falls."""
    span = rule.every
    count = getattr(span, "count", 0)
    if isinstance(span, CalendarDays) and count % 7 == 0 and count:
        span, count = Weeks(count=count // 7), count // 7
    if isinstance(span, Weeks):
        return {1: "Weekly", 2: "Fortnightly"}.get(count, f"Every {count} weeks")
    if isinstance(span, CalendarMonths):
        return {1: "Monthly", 12: "Yearly"}.get(count, f"Every {count} months")
    return ""


@dataclass(frozen=True)
class Names:
    """Names by id, looked up once from the policies and the forms."""

    services: Mapping[str, str] = field(default_factory=dict)
    # (service, obligation id) -> its name on that service.
    obligations: Mapping[tuple[str, str], str] = field(default_factory=dict)
    forms: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, policies: Policies, catalogue: Catalogue | None = None) -> Names:
        obligations: dict[tuple[str, str], str] = {}
        for policy in policies:
            for rule in policy.obligations:
                name = OBLIGATION_WORDS.get(rule.obligation, humanise(rule.obligation))
                if isinstance(rule, Recurring) and rule.due_by_detail is None:
                    often = _every(rule)
                    name = f"{often} {name.lower()}" if often else name
                obligations[(policy.id, rule.obligation)] = name
        forms = {d.id: d.title for d in catalogue} if catalogue is not None else {}
        return cls(services={p.id: p.name for p in policies}, obligations=obligations,
                   forms=forms)

    def service(self, service: str | None) -> str:
        if not service:
            return ""
        return self.services.get(service, service)

    def obligation(self, service: str, obligation: str) -> str:
        return self.obligations.get((service, obligation),
                                    OBLIGATION_WORDS.get(obligation, humanise(obligation)))

    def form(self, form_id: str | None) -> str:
        if not form_id:
            return ""
        return self.forms.get(form_id, form_id)
