"""Community support histories for the demo (seed 004): referral, a plan within 28 days,
a first review at 6 weeks and then every 6 months, each with a manager's Part 2.

Deterministic from the random generator and relative to an as-of date, so the demo
always shows a service mid-flight: plans on time and late, reviews missed, unsigned
plans, Part 2s late or never done, people who left and one who came back. Every name is
invented.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from pipeline.demo.common import FIRST, LAST, Builder, DemoPerson, signed

SERVICE = "community-support"
TEAMS = {"North": ["Sam Patel", "Jo Okafor", "Priya Shah"],
         "South": ["Tom Reilly", "Ewa Nowak", "Ben Clarke"]}
REVIEWERS = [("Rachel Green", "team_manager"), ("Dev Kumar", "reviewing_officer")]
NEEDS = [("Money", "Rent arrears", "Apply for a discretionary housing payment"),
         ("Money", "Benefits not claimed", "Complete a benefits check with Citizens Advice"),
         ("Health", "Not registered with a GP", "Register with the local surgery"),
         ("Health", "Missing appointments", "Set up text reminders"),
         ("Home", "Damp in the bedroom", "Report the repair to the landlord"),
         ("Home", "Struggling with cleaning", "Arrange a weekly cleaning routine"),
         ("Social", "Feeling isolated", "Try the Thursday lunch club"),
         ("Social", "Lost touch with family", "Write to her sister"),
         ("Skills", "Cannot use online services", "Book a digital skills session")]
AREAS = ["Money", "Health", "Home", "Social"]


class _Person(Builder):
    """Builds one person's forms; each step may be on time, late or never happen."""

    def __init__(self, number: int, as_of: date, rng: random.Random) -> None:
        team = rng.choice(sorted(TEAMS))
        super().__init__(rng, as_of, SERVICE, f"CS-{number:04d}",
                         f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(TEAMS[team]), team)
        self.start = as_of - timedelta(days=rng.randint(5, 430))

    def referral(self, start: date) -> None:
        day = start - self.days(1, 10)
        born = date(self.rng.randint(1940, 2000), self.rng.randint(1, 12), self.rng.randint(1, 28))
        self.add("referral", "Referral", day, {
            **self.base, "date_of_birth": born.isoformat(),
            "address": f"{self.rng.randint(1, 90)} Example Street\nStockport",
            "referral_date": day.isoformat(), "referrer": "Adult social care duty team",
            "referral_reason": "Needs help to keep the tenancy and manage money.",
            "start_date": start.isoformat(),
            "risk_level": self.rng.choice(["low", "low", "medium", "high"]),
            "consent_to_share": True, "interpreter_needed": self.chance(0.1)})

    def plan(self) -> date | None:
        roll = self.rng.random()
        if roll < 0.75:
            day = self.start + self.days(3, 27)
        elif roll < 0.88:
            day = self.start + self.days(31, 70)
        else:
            return None
        if day > self.as_of:
            return None
        actions: list[dict[str, Any]] = [
            {"area": area, "issue": issue, "task": task, "responsible": self.worker,
             "target_date": (day + self.days(14, 90)).isoformat()}
            for area, issue, task in self.rng.sample(NEEDS, self.rng.randint(2, 4))
        ]
        values = signed({**self.base, "plan_date": day.isoformat(),
                         "review_frequency": "six_months",
                         "next_review_date": (self.start + timedelta(days=42)).isoformat(),
                         "needs_summary": "; ".join(a["issue"] for a in actions),
                         "actions": actions,
                         "person_views": "Wants to stay living independently."},
                        day, self.name, self.worker)
        flaw = self.rng.random()
        if flaw < 0.07:
            values.pop("person_signature")  # plan not signed by the service user
        elif flaw < 0.11:
            actions[0] = {**actions[0], "responsible": None}  # action without a named person
        elif flaw < 0.14:
            values["wishes_not_incorporated"] = True  # ticked, no reason given
        self.add("support-plan", "Support plan", day, values)
        return day

    def review(self, day: date, kind: str, score_base: int) -> None:
        values = signed({**self.base, "review_date": day.isoformat(), "review_kind": kind,
                         "review_method": "phone" if kind == "first" else "in_person",
                         "progress": self.progress(day, {"issue": "Plan actions",
                                                         "progress": "Going well"}),
                         "scores": [{"area": a, "score": min(10, score_base +
                                                             self.rng.randint(0, 3))}
                                    for a in AREAS],
                         "person_views": "Happy with the support so far.",
                         "next_review_date": (day + relativedelta(months=6)).isoformat()},
                        day, self.name, self.worker)
        if self.chance(0.05):
            values.pop("person_views")  # review without the service user's views
        self.add("review", "Review", day, values)
        self.part2(day)

    def part2(self, review_day: date) -> None:
        roll = self.rng.random()
        if roll < 0.75:
            day = review_day + self.days(1, 12)
        elif roll < 0.87:
            day = review_day + self.days(20, 40)
        else:
            return
        if day > self.as_of:
            return
        reviewer, role = self.rng.choice(REVIEWERS)
        self.add("review-part2", "Review part 2", day, {
            "person_id": self.pid, "full_name": self.name, "review_date": review_day.isoformat(),
            "completed_on": day.isoformat(), "reviewer": reviewer, "reviewer_role": role,
            "changes_entered": True, "evaluation": "Plan is effective; objectives on track.",
            "staff_informed": True, "reviewer_signature": reviewer,
            "reviewer_signed_on": day.isoformat()})

    def reviews(self) -> date | None:
        """The reviews; the date of the last one."""
        roll = self.rng.random()
        if roll < 0.7:
            day = self.start + self.days(35, 42)
        elif roll < 0.85:
            day = self.start + self.days(45, 80)
        else:
            return None
        score, kind, last = self.rng.randint(3, 5), "first", None
        while day <= self.as_of:
            self.review(day, kind, score)
            score, kind, last = score + 1, "scheduled", day
            roll = self.rng.random()
            if roll < 0.75:
                day = day + self.days(150, 182)
            elif roll < 0.87:
                day = day + self.days(190, 240)
            else:
                break
        return last

    def closure(self, day: date) -> None:
        self.add("closure", "Closure", day, signed({
            **self.base, "closure_date": day.isoformat(),
            "exit_reason": self.rng.choice(["planned", "planned", "moved_on", "moved_away"]),
            "outcomes": [{"area": "Money", "achieved": "yes", "why": "Arrears cleared"},
                         {"area": "Social", "achieved": "partly",
                          "why": "Goes to the lunch club most weeks"}],
            "summary": "Living independently with the tenancy secure."},
            day, self.name, self.worker))


def community_support_people(as_of: date, count: int, rng: random.Random) -> list[DemoPerson]:
    """``count`` people of the community-support service with varied histories.

    About one in eight of those supported for over a year has left; one of them was
    referred again later (a second episode under the same reference).
    """
    people = []
    for number in range(1, count + 1):
        person = _Person(number, as_of, rng)
        person.referral(person.start)
        last_review = person.reviews() if person.plan() is not None else None
        if last_review is not None and person.start < as_of - timedelta(days=300) and (
                person.chance(0.3)):
            left = last_review + person.days(10, 60)
            if person.known(left):
                person.closure(left)
                again = left + person.days(40, 90)
                if number % 3 == 0 and person.known(again + timedelta(days=3)):
                    person.start = again
                    person.referral(again)
        people.append(person.person())
    return people
