"""What every demo service's histories share: the forms, the people, dates and names.

Each service module (:mod:`pipeline.demo.histories` and its neighbours) builds people
with a :class:`Builder`: one person's forms, each step on time, late or missing, the way
real histories vary. Everything is deterministic from the random generator passed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

FIRST = ["Alice", "Bilal", "Carys", "Dawit", "Elena", "Femi", "Grace", "Hamza", "Iris", "Jamal",
         "Kasia", "Leon", "Maya", "Niall", "Orla", "Pavel", "Queenie", "Rohan", "Sian", "Tariq",
         "Una", "Victor", "Wendy", "Xander", "Yasmin", "Zoltan"]
WOMEN_FIRST = ["Aisha", "Bethany", "Chloe", "Danuta", "Eilidh", "Fatima", "Gemma", "Hana",
               "Ioana", "Joanne", "Kerry", "Leanne", "Mariam", "Nicola", "Oksana", "Parveen",
               "Rachel", "Shabana", "Tanya", "Zainab"]
CHILD_FIRST = ["Alfie", "Amira", "Ben", "Daisy", "Evie", "Freddie", "Harry", "Isla", "Jayden",
               "Lily", "Mason", "Noah", "Poppy", "Ruby", "Theo", "Zara"]
LAST = ["Adams", "Begum", "Collins", "Dimitrov", "Evans", "Fraser", "Gallagher", "Hughes",
        "Iqbal", "Jones", "Kowalski", "Lewis", "Mensah", "Nolan", "O'Brien", "Price", "Quinn",
        "Rahman", "Singh", "Taylor", "Walsh", "Young"]

PROGRESS = ["Started; first call made", "Going well", "Waiting to hear back", "Done",
            "Completed last week", "Partly done; carrying on", "Not started yet: next visit"]
RETYPED = ["{issue}", "Re {issue}", "{issue} (see plan)", "{issue}."]


@dataclass
class DemoForm:
    """One form a worker would have filled, with the file name staff would give it."""

    form_id: str
    values: dict[str, Any]
    file_name: str
    saved_at: datetime
    service: str = "community-support"
    libreoffice: bool = False


@dataclass
class DemoPerson:
    person_id: str
    service: str = "community-support"
    forms: list[DemoForm] = field(default_factory=list)


def saved_on(day: date, rng: random.Random) -> datetime:
    """A working-hours moment on ``day``: when the file was last saved."""
    return datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59)), tzinfo=UTC)


def signed(values: dict[str, Any], day: date, name: str, worker: str) -> dict[str, Any]:
    """``values`` signed and dated on ``day`` by the person and the worker."""
    return {**values, "person_signature": name, "person_signed_on": day.isoformat(),
            "worker_signature": worker, "worker_signed_on": day.isoformat()}


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


class Builder:
    """One person's forms in one service, in the order a worker would fill them."""

    def __init__(self, rng: random.Random, as_of: date, service: str, person_id: str,
                 name: str, worker: str, team: str | None = None) -> None:
        self.rng, self.as_of, self.service = rng, as_of, service
        self.pid, self.name, self.worker, self.team = person_id, name, worker, team
        self.forms: list[DemoForm] = []
        self.plan_on: date | None = None
        self.plan_actions: list[dict[str, Any]] = []

    @property
    def base(self) -> dict[str, Any]:
        """What heads every form: reference, name, worker and team."""
        values: dict[str, Any] = {"person_id": self.pid, "full_name": self.name,
                                  "worker": self.worker}
        if self.team:
            values["team"] = self.team
        return values

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def known(self, day: date | None) -> bool:
        """Whether ``day`` has happened by the demo's as-of date."""
        return day is not None and day <= self.as_of

    def add(self, form_id: str, title: str, day: date, values: dict[str, Any]) -> DemoForm:
        form = DemoForm(form_id, values, f"{self.pid} {title} {day:%d-%m-%Y}.docx",
                        saved_on(day, self.rng), service=self.service)
        self.forms.append(form)
        if form_id == "support-plan":
            self.plan_on, self.plan_actions = day, list(values.get("actions") or [])
        return form

    def progress(self, day: date, *other: dict[str, Any]) -> list[dict[str, Any]]:
        """A review's progress rows on the latest plan's actions, as workers write them:
        most keep the pre-filled reference, some retype the issue in their own words,
        some actions are not mentioned; ``other`` rows (about no action) follow, some
        of the time. From a generator of this person and day, so the rest of the demo
        does not change with it."""
        rng = random.Random(f"{self.pid} {day.isoformat()}")
        rows: list[dict[str, Any]] = []
        for number, action in enumerate(self.plan_actions, start=1):
            issue, said = str(action.get("issue") or ""), rng.choice(PROGRESS)
            roll = rng.random()
            if self.plan_on is None or not issue or roll < 0.15:
                continue
            if roll < 0.7:
                rows.append({"action_ref": f"{self.plan_on:%d/%m/%Y} #{number}",
                             "issue": issue, "progress": said})
            else:
                rows.append({"issue": rng.choice(RETYPED).format(issue=issue.lower()),
                             "progress": said})
        if not rows or rng.random() < 0.3:
            rows.extend(other)
        return rows

    def person(self) -> DemoPerson:
        return DemoPerson(self.pid, self.service, self.forms)


def corrected_copy(form: DemoForm) -> DemoForm:
    """The same form for the same person and date, now signed, saved a day later."""
    values = {**form.values, "person_signature": form.values.get("full_name")}
    values.setdefault("person_signed_on", values.get("worker_signed_on"))
    return DemoForm(form.form_id, values, form.file_name.replace(".docx", " (signed).docx"),
                    form.saved_at + timedelta(days=1), service=form.service)


def unsigned_draft(form: DemoForm) -> DemoForm:
    """An earlier copy of a signed form, dropped before the person had signed it."""
    values = {k: v for k, v in form.values.items()
              if k not in ("person_signature", "person_signed_on")}
    return DemoForm(form.form_id, values, form.file_name.replace(".docx", " (draft).docx"),
                    form.saved_at - timedelta(days=1), service=form.service)
