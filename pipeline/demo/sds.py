"""Self-directed Support histories for the demo (seed 003), a Scottish service.

Each person chooses one of the four options on their plan, which sets the next review
date (or leaves it: then a year). At each review the four options are offered again and
the person's views recorded; a child's review rates the eight SHANARRI indicators. A
change of circumstances calls for a review within 28 days.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from pipeline.demo.common import FIRST, LAST, Builder, DemoPerson, iso, signed

SERVICE = "sds"
PRACTITIONERS = ["Morag Campbell", "Euan Stewart", "Ailsa Reid"]
OPTIONS = ["option_1", "option_2", "option_3", "option_4"]
SHANARRI = ["safe", "healthy", "achieving", "nurtured", "active", "respected", "responsible",
            "included"]


class _Person(Builder):
    def __init__(self, rng: random.Random, as_of: date, number: int) -> None:
        super().__init__(rng, as_of, SERVICE, f"SDS-{number:04d}",
                         f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(PRACTITIONERS),
                         "Locality team")
        self.child = number == 1 or rng.random() < 0.25
        self.number = number
        self.option = rng.choice(OPTIONS)

    def referral(self, day: date) -> None:
        born = (date(self.rng.randint(2009, 2016), 6, 1) if self.child
                else date(self.rng.randint(1950, 2000), 3, 1))
        self.add("referral", "Referral", day, {
            **self.base, "date_of_birth": born.isoformat(), "referral_date": day.isoformat(),
            "start_date": (day + self.days(14, 40)).isoformat(),
            "referrer": "Social work duty team", "carer": "Mother" if self.child else None,
            "referral_reason": "Assessed as having eligible needs for support.",
            "risk_level": self.rng.choice(["low", "medium"]), "consent_to_share": True})

    def plan(self, day: date, next_review: date | None) -> None:
        self.add("support-plan", "Support plan", day, signed({
            **self.base, "plan_date": day.isoformat(), "next_review_date": iso(next_review),
            "four_options_offered": True, "sds_option": self.option,
            "personal_budget": self.rng.choice([4800, 7200, 12500]),
            "monitoring": "Monthly phone call; provider reports each quarter.",
            "needs_summary": "Social inclusion and short breaks for the family.",
            "actions": [{"area": "Getting out in the community", "issue": "Isolated at home",
                         "task": "Recruit a personal assistant", "responsible": "Family",
                         "target_date": (day + timedelta(days=60)).isoformat()}],
            "person_views": "Wants to choose who supports them."}, day, self.name, self.worker))

    def review(self, day: date, next_review: date | None, kind: str) -> None:
        values: dict[str, Any] = {
            **self.base, "review_date": day.isoformat(), "review_kind": kind,
            "four_options_offered": True,
            "options_evidence": "Went through all four options with the option leaflet.",
            "sds_option": self.option, "risk_capacity": "No change to risk or capacity.",
            "views_support": "Likes her personal assistants.",
            "views_safety": "Feels safe at home and on the bus.",
            "views_inclusion": "Goes to a class every week now.",
            "views_development": "Learning to use the computer.",
            "progress": self.progress(day, {"issue": "Getting out",
                                            "progress": "Twice a week"}),
            "person_views": "Happy with the support.", "next_review_date": iso(next_review),
            "is_child": self.child}
        if self.child:
            values |= {f"shanarri_{name}": self.rng.choice(["some", "well", "thriving"])
                       for name in SHANARRI}
            if self.number == 1 or self.chance(0.15):
                values.pop("shanarri_nurtured")  # a child's review missing an indicator
        if self.number == 2 or self.chance(0.1):
            # The four options not evidenced as offered again: a blocking finding.
            values.update(four_options_offered=False, options_evidence=None)
        self.add("review", "Review", day, signed(
            {k: v for k, v in values.items() if v is not None}, day, self.name, self.worker))

    def change(self, day: date) -> None:
        self.add("change-of-circumstances", "Change of circumstances", day, {
            "person_id": self.pid, "full_name": self.name, "worker": self.worker,
            "changed_on": day.isoformat(), "reported_by": "family",
            "description": "Main carer admitted to hospital.", "review_requested": True})


def _next(builder: Builder, day: date) -> date | None:
    return day + relativedelta(months=builder.rng.choice([6, 12])) if builder.chance(0.7) else None


def sds_people(as_of: date, count: int, rng: random.Random) -> list[DemoPerson]:
    """``count`` people with a Self-directed Support plan, over the last two years."""
    people = []
    for number in range(1, count + 1):
        person = _Person(rng, as_of, number)
        referred = as_of - timedelta(days=rng.randint(30, 700))
        person.referral(referred)
        planned = referred + person.days(20, 60)
        if person.known(planned):
            next_review = _next(person, planned)
            person.plan(planned, next_review)
            due = next_review or planned + relativedelta(months=12)
            changed = planned + person.days(40, 400) if person.chance(0.2) else None
            if changed is not None and person.known(changed):
                person.change(changed)
                reviewed = changed + (person.days(5, 27) if person.chance(0.75)
                                      else person.days(30, 50))
                if person.known(reviewed):
                    next_review = _next(person, reviewed)
                    person.review(reviewed, next_review, "change")
                    due = next_review or reviewed + relativedelta(months=12)
            day = due + person.days(-20, 25)
            while person.known(day) and person.chance(0.9):
                next_review = _next(person, day)
                person.review(day, next_review, "scheduled")
                due = next_review or day + relativedelta(months=12)
                day = due + person.days(-20, 25)
        people.append(person.person())
    return people
