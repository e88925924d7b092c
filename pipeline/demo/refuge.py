"""Stockport Women's Aid histories for the demo (seed 000): the refuge and floating support.

A woman arrives at the refuge (often with children, each with their own reference and
Child Referral form, linked to hers), completes a self-assessment in the first
keyworking session, agrees a plan within five days, and reviews it weekly; the children
are reviewed monthly. She leaves by her planned departure with an outcomes form (or
earlier, or late); some then move on to floating support under the same reference,
where reviews are weekly, fortnightly or monthly as she chooses.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from pipeline.demo.common import (
    CHILD_FIRST,
    LAST,
    WOMEN_FIRST,
    Builder,
    DemoPerson,
    signed,
)

WOMEN, CHILDREN, FLOATING = "swa-refuge-women", "swa-refuge-children", "swa-floating"
KEYWORKERS = ["Helen Byrne", "Nadia Hussain", "Claire Moss"]
CHILD_WORKERS = ["Lucy Grant", "Amir Shah"]
FLOATING_WORKERS = ["Debbie Kaye", "Sana Malik"]
NEEDS = [("safety", "Ex-partner knows the area", "Apply for a non-molestation order"),
         ("housing", "Nowhere to move on to", "Housing register application and bidding"),
         ("money", "No income since leaving", "Claim Universal Credit, advance payment"),
         ("emotional_health", "Not sleeping, anxious", "Referral to the Freedom Programme"),
         ("legal", "Child arrangements hearing", "Find a family law solicitor"),
         ("children_parenting", "Children's school place", "Apply for in-year admission"),
         ("education_work", "Wants to return to work", "Book a careers appointment"),
         ("physical_health", "Not registered with a GP", "Register at the local practice")]
CHILD_NEEDS = [("school", "No school place yet", "In-year admission with mum"),
               ("feelings", "Nightmares since the move", "Weekly play session"),
               ("play", "Misses his friends", "Join the Saturday club"),
               ("understanding", "Asks why they left home", "Age-appropriate story work"),
               ("child_health", "Needs a GP and dentist", "Register with mum")]


def _actions(needs: list[tuple[str, str, str]], count: int, day: date, worker: str,
             builder: Builder) -> list[dict[str, Any]]:
    return [{"area": area, "issue": issue, "task": task,
             "responsible": builder.rng.choice([worker, builder.name.split()[0]]),
             "target_date": (day + builder.days(7, 42)).isoformat()}
            for area, issue, task in builder.rng.sample(needs, count)]


class _Woman(Builder):
    def referral(self, referral_on: date, start: date, **extra: Any) -> None:
        self.add("referral", "Referral", referral_on, {
            **self.base, "date_of_birth": date(self.rng.randint(1970, 2003),
                                               self.rng.randint(1, 12),
                                               self.rng.randint(1, 28)).isoformat(),
            "referral_date": referral_on.isoformat(), "start_date": start.isoformat(),
            "referrer": self.rng.choice(["National Domestic Abuse Helpline", "Police (MARAC)",
                                         "Self-referral", "Health visitor"]),
            "referral_reason": "Fleeing domestic abuse; needs a safe place and support.",
            "risk_level": self.rng.choice(["high", "high", "medium"]),
            "consent_to_share": True, "interpreter_needed": self.chance(0.15), **extra})

    def self_assessment(self, due: date, needs: list[tuple[str, str, str]]) -> date | None:
        roll = self.rng.random()
        day = due - self.days(0, 5) if roll < 0.8 else due + self.days(1, 7)
        if roll > 0.95 or not self.known(day):
            return None
        self.add("self-assessment", "Self-assessment", day, signed({
            **self.base, "assessment_date": day.isoformat(),
            "needs": [{"area": area, "rating": self.rng.choice(["high", "some"]),
                       "notes": issue} for area, issue, _ in self.rng.sample(needs, 3)],
            "own_words": "I just want the children to feel safe and settled.",
            "wants": "To go back to college when things calm down."},
            day, self.name, self.worker))
        return day

    def plan(self, day: date, needs: list[tuple[str, str, str]], **extra: Any) -> None:
        values = signed({**self.base, "plan_date": day.isoformat(),
                         "needs_summary": "Safety, housing and money first.",
                         "actions": _actions(needs, self.rng.randint(2, 4), day, self.worker,
                                             self),
                         "person_views": "Agrees the plan; wants housing sorted first.",
                         "staff_meeting": True, **extra},
                        day, self.name, self.worker)
        flaw = self.rng.random()
        if flaw < 0.05:
            values.pop("person_signature")
        elif flaw < 0.08:
            values.update(disagreement=True, disagreement_person_view="Wants to move sooner.")
        self.add("support-plan", "Support plan", day, values)

    def review(self, day: date, kind: str = "keyworking", **extra: Any) -> None:
        self.add("review", "Keyworking review", day, signed({
            **self.base, "review_date": day.isoformat(), "review_kind": kind,
            "review_method": "in_person",
            "progress": self.progress(day, {"issue": "Housing application",
                                            "progress": "Bidding each week"}),
            "scores": [{"area": "safety", "score": self.rng.randint(4, 9)},
                       {"area": "housing", "score": self.rng.randint(2, 8)}],
            "person_views": "Feeling a bit more settled this week.", "staff_meeting": True,
            **extra}, day, self.name, self.worker))

    def closure(self, day: date, reason: str, **extra: Any) -> None:
        self.add("closure", "Outcomes form", day, signed({
            **self.base, "closure_date": day.isoformat(), "exit_reason": reason,
            "outcomes": [{"area": "safety", "achieved": "yes", "why": "Order granted"},
                         {"area": "housing", "achieved": self.rng.choice(["yes", "partly"]),
                          "why": "Offered a flat"}],
            "summary": "Safe, housed and linked to local services.", **extra},
            day, self.name, self.worker))


def _weekly(builder: Builder, first: date, until: date, step: tuple[int, int]) -> list[date]:
    days, day = [], first
    while day <= until and builder.known(day):
        days.append(day)
        day += builder.days(*step) if not builder.chance(0.08) else builder.days(10, 16)
    return days


def refuge_women(as_of: date, count: int, rng: random.Random,
                 number: int = 1) -> tuple[list[DemoPerson], list[DemoPerson]]:
    """``count`` women at (or recently through) the refuge, their children, and the women
    who moved on to floating support (second episodes, same reference)."""
    women: list[DemoPerson] = []
    children: list[DemoPerson] = []
    floating: list[DemoPerson] = []
    for offset in range(count):
        pid = f"SWA-{number + offset:04d}"
        name = f"{rng.choice(WOMEN_FIRST)} {rng.choice(LAST)}"
        woman = _Woman(rng, as_of, WOMEN, pid, name, rng.choice(KEYWORKERS), "Refuge")
        arrival = as_of - timedelta(days=rng.randint(2, 130))
        kids = rng.choice([0, 0, 1, 1, 2])
        # The first woman arrived nine days ago with a child whose Child Referral is late:
        # the child is known only from her referral, and already overdue.
        late_child = offset == 0
        if late_child:
            arrival, kids = as_of - timedelta(days=9), 1
        departure = arrival + timedelta(weeks=rng.randint(8, 16))
        surname = name.split()[-1]
        listed = [{"person_id": f"{pid}-C{n}", "name": f"{rng.choice(CHILD_FIRST)} {surname}",
                   "date_of_birth": (arrival - woman.days(400, 4000)).isoformat()}
                  for n in range(1, kids + 1)]
        woman.referral(arrival - woman.days(0, 2), arrival, marac_referral=woman.chance(0.5),
                       children_with_her=listed)
        assessed = woman.self_assessment(arrival + timedelta(days=7), NEEDS)
        left = None
        if assessed is not None:
            planned = assessed + (woman.days(0, 5) if woman.chance(0.85) else woman.days(6, 10))
            if woman.known(planned):
                woman.plan(planned, NEEDS, planned_departure=departure.isoformat())
                early = woman.chance(0.12)
                left = (planned + woman.days(10, 40) if early else
                        departure - woman.days(0, 6) if woman.chance(0.8) else
                        departure + woman.days(1, 10))
                for day in _weekly(woman, planned + woman.days(6, 7), left - timedelta(days=1),
                                   (6, 7)):
                    woman.review(day, planned_departure=departure.isoformat())
                if woman.known(left):
                    reason = (rng.choice(["other_refuge", "returned_home"]) if early
                              else "moved_on")
                    woman.closure(left, reason, reflection="Staff listened; I feel stronger.",
                                  plans_revisited=True)
                else:
                    left = None
        women.append(woman.person())
        for row in listed:
            child = _child(woman, arrival, left, row, rng, late=late_child)
            if child.forms:  # one with no forms yet is known from her referral only
                children.append(child)
        if left is not None and woman.chance(0.5):
            floating.append(_floating_after(woman, left, rng))
    return women, children + floating


def _child(mother: _Woman, arrival: date, left: date | None, listed: dict[str, str],
           rng: random.Random, *, late: bool = False) -> DemoPerson:
    child = _Woman(rng, mother.as_of, CHILDREN, listed["person_id"], listed["name"],
                   rng.choice(CHILD_WORKERS), "Children's team")
    referral_on = arrival + (child.days(1, 6) if child.chance(0.8) and not late
                             else child.days(10, 12))
    if not child.known(referral_on):
        return child.person()
    child.add("referral", "Child referral", referral_on, {
        **child.base, "date_of_birth": listed["date_of_birth"],
        "mother_person_id": mother.pid, "school": "To be arranged",
        "referral_date": referral_on.isoformat(), "start_date": arrival.isoformat(),
        "referrer": f"Arrived with her mother ({mother.pid})",
        "referral_reason": "Arrived at the refuge with her mother.",
        "risk_level": "medium", "consent_to_share": True})
    assessed = child.self_assessment(arrival + timedelta(days=7), CHILD_NEEDS)
    if assessed is not None:
        planned = assessed + child.days(1, 6)
        if child.known(planned):
            child.plan(planned, CHILD_NEEDS, shared_with_child=rng.choice(["whole", "part"]))
            day = planned + relativedelta(months=1) - child.days(0, 3)
            while child.known(day) and (left is None or day < left):
                child.review(day, kind="scheduled", shared_with_child="part",
                             scores=[{"area": "feelings", "score": rng.randint(3, 8)},
                                     {"area": "school", "score": rng.randint(3, 8)}])
                day += relativedelta(months=1)
    if left is not None:
        child.closure(left, "moved_on", outcomes=[
            {"area": "feelings", "achieved": "partly", "why": "Sleeping better"}])
    return child.person()


def _floating_after(woman: _Woman, left: date, rng: random.Random) -> DemoPerson:
    worker = rng.choice(FLOATING_WORKERS)
    support = _Woman(rng, woman.as_of, FLOATING, woman.pid, woman.name, worker,
                     "Floating support")
    referral_on = left + support.days(0, 3)
    if support.known(referral_on):
        _floating_history(support, referral_on)
    return support.person()


def _floating_history(support: _Woman, referral_on: date) -> None:
    start = referral_on + support.days(0, 4)
    support.referral(referral_on, start, marac_referral=False)
    support.self_assessment(start + timedelta(days=7), NEEDS)
    planned = referral_on + (support.days(2, 7) if support.chance(0.8) else support.days(8, 14))
    if not support.known(planned):
        return
    frequency = support.rng.choice(["weekly", "fortnightly", "monthly"])
    support.plan(planned, NEEDS, review_frequency=frequency)
    step = {"weekly": (6, 7), "fortnightly": (13, 14), "monthly": (27, 30)}[frequency]
    ends = planned + support.days(60, 200)
    for day in _weekly(support, planned + support.days(*step), ends, step):
        support.review(day)
    if support.known(ends) and support.chance(0.6):
        support.closure(ends, "planned")


def floating_support(as_of: date, count: int, rng: random.Random,
                     number: int) -> list[DemoPerson]:
    """``count`` women referred straight to floating support."""
    people = []
    for offset in range(count):
        support = _Woman(rng, as_of, FLOATING, f"SWA-{number + offset:04d}",
                         f"{rng.choice(WOMEN_FIRST)} {rng.choice(LAST)}",
                         rng.choice(FLOATING_WORKERS), "Floating support")
        _floating_history(support, as_of - timedelta(days=rng.randint(3, 200)))
        people.append(support.person())
    return people

