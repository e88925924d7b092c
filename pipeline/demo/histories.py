"""Synthetic but realistic histories for the demo: who was referred, and what forms followed.

Deterministic from a seed and relative to an as-of date, so the demo always shows a
service mid-flight: plans on time and late, reviews missed, unsigned plans, a corrected
resubmission, a duplicate drop and files that cannot be used. Every name is invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

SERVICE = "community-support"
TEAMS = {"North": ["Sam Patel", "Jo Okafor", "Priya Shah"],
         "South": ["Tom Reilly", "Ewa Nowak", "Ben Clarke"]}
REVIEWERS = [("Rachel Green", "team_manager"), ("Dev Kumar", "reviewing_officer")]
FIRST = ["Alice", "Bilal", "Carys", "Dawit", "Elena", "Femi", "Grace", "Hamza", "Iris", "Jamal",
         "Kasia", "Leon", "Maya", "Niall", "Orla", "Pavel", "Queenie", "Rohan", "Sian", "Tariq",
         "Una", "Victor", "Wendy", "Xander", "Yasmin", "Zoltan"]
LAST = ["Adams", "Begum", "Collins", "Dimitrov", "Evans", "Fraser", "Gallagher", "Hughes",
        "Iqbal", "Jones", "Kowalski", "Lewis", "Mensah", "Nolan", "O'Brien", "Price", "Quinn",
        "Rahman", "Singh", "Taylor", "Walsh", "Young"]
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


@dataclass
class DemoForm:
    """One form a worker would have filled, with the file name staff would give it."""

    form_id: str
    values: dict[str, Any]
    file_name: str
    saved_at: datetime
    libreoffice: bool = False


@dataclass
class DemoPerson:
    person_id: str
    forms: list[DemoForm] = field(default_factory=list)


def _saved(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59)), tzinfo=UTC)


def _file(person_id: str, title: str, day: date) -> str:
    return f"{person_id} {title} {day:%d-%m-%Y}.docx"


def _signed(values: dict[str, Any], day: date, name: str, worker: str) -> dict[str, Any]:
    return {**values, "person_signature": name, "person_signed_on": day.isoformat(),
            "worker_signature": worker, "worker_signed_on": day.isoformat()}


class _Person:
    """Builds one person's forms; each step may be on time, late or never happen."""

    def __init__(self, number: int, as_of: date, rng: random.Random) -> None:
        self.rng, self.as_of = rng, as_of
        self.pid = f"CS-{number:04d}"
        self.name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        self.team = rng.choice(sorted(TEAMS))
        self.worker = rng.choice(TEAMS[self.team])
        self.start = as_of - timedelta(days=rng.randint(5, 430))
        self.forms: list[DemoForm] = []
        self.base = {"person_id": self.pid, "full_name": self.name, "worker": self.worker,
                     "team": self.team}

    def add(self, form_id: str, title: str, day: date, values: dict[str, Any]) -> DemoForm:
        form = DemoForm(form_id, values, _file(self.pid, title, day), _saved(day, self.rng))
        self.forms.append(form)
        return form

    def referral(self) -> None:
        day = self.start - timedelta(days=self.rng.randint(1, 10))
        born = date(self.rng.randint(1940, 2000), self.rng.randint(1, 12), self.rng.randint(1, 28))
        self.add("referral", "Referral", day, {
            **self.base, "date_of_birth": born.isoformat(),
            "address": f"{self.rng.randint(1, 90)} Example Street\nStockport",
            "referral_date": day.isoformat(), "referrer": "Adult social care duty team",
            "referral_reason": "Needs help to keep the tenancy and manage money.",
            "start_date": self.start.isoformat(),
            "risk_level": self.rng.choice(["low", "low", "medium", "high"]),
            "consent_to_share": True, "interpreter_needed": self.rng.random() < 0.1})

    def plan(self) -> date | None:
        roll = self.rng.random()
        if roll < 0.75:
            day = self.start + timedelta(days=self.rng.randint(3, 27))
        elif roll < 0.88:
            day = self.start + timedelta(days=self.rng.randint(31, 70))
        else:
            return None
        if day > self.as_of:
            return None
        actions: list[dict[str, Any]] = [
            {"area": area, "issue": issue, "task": task, "responsible": self.worker,
             "target_date": (day + timedelta(days=self.rng.randint(14, 90))).isoformat()}
            for area, issue, task in self.rng.sample(NEEDS, self.rng.randint(2, 4))
        ]
        values = _signed({**self.base, "plan_date": day.isoformat(),
                          "review_frequency": "six_weeks",
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
        values = _signed({**self.base, "review_date": day.isoformat(), "review_kind": kind,
                          "review_method": "phone" if kind == "first" else "in_person",
                          "progress": [{"issue": "Plan actions", "progress": "Going well"}],
                          "scores": [{"area": a, "score": min(10, score_base +
                                                              self.rng.randint(0, 3))}
                                     for a in AREAS],
                          "person_views": "Happy with the support so far.",
                          "next_review_date": (day + relativedelta(months=6)).isoformat()},
                         day, self.name, self.worker)
        if self.rng.random() < 0.05:
            values.pop("person_views")  # review without the service user's views
        self.add("review", "Review", day, values)
        self.part2(day)

    def part2(self, review_day: date) -> None:
        roll = self.rng.random()
        if roll < 0.75:
            day = review_day + timedelta(days=self.rng.randint(1, 12))
        elif roll < 0.87:
            day = review_day + timedelta(days=self.rng.randint(20, 40))
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

    def reviews(self) -> None:
        roll = self.rng.random()
        if roll < 0.7:
            day = self.start + timedelta(days=self.rng.randint(35, 42))
        elif roll < 0.85:
            day = self.start + timedelta(days=self.rng.randint(45, 80))
        else:
            return
        score = self.rng.randint(3, 5)
        kind = "first"
        while day <= self.as_of:
            self.review(day, kind, score)
            score, kind = score + 1, "scheduled"
            roll = self.rng.random()
            if roll < 0.75:
                day = day + timedelta(days=self.rng.randint(150, 182))
            elif roll < 0.87:
                day = day + timedelta(days=self.rng.randint(190, 240))
            else:
                return


def demo_people(as_of: date, count: int = 100, seed: int = 2026) -> list[DemoPerson]:
    """``count`` people of the community-support service with varied histories."""
    rng = random.Random(seed)
    people = []
    for number in range(1, count + 1):
        person = _Person(number, as_of, rng)
        person.referral()
        if person.plan() is not None:
            person.reviews()
        for form in person.forms:
            form.libreoffice = rng.random() < 0.1
        people.append(DemoPerson(person.pid, person.forms))
    return people


def corrected_copy(form: DemoForm) -> DemoForm:
    """The same form for the same person and date, now signed, saved a day later."""
    values = {**form.values, "person_signature": form.values.get("full_name")}
    values.setdefault("person_signed_on", values.get("worker_signed_on"))
    return DemoForm(form.form_id, values, form.file_name.replace(".docx", " (signed).docx"),
                    form.saved_at + timedelta(days=1))


def unsigned_draft(form: DemoForm) -> DemoForm:
    """An earlier copy of a signed form, dropped before the service user had signed it."""
    values = {k: v for k, v in form.values.items()
              if k not in ("person_signature", "person_signed_on")}
    return DemoForm(form.form_id, values, form.file_name.replace(".docx", " (draft).docx"),
                    form.saved_at - timedelta(days=1))
