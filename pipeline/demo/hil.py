"""Homes for Independent Living histories for the demo (seed 001).

A resident moves into a scheme, agrees a plan with the Scheme Support Officer within
four weeks (unless they sign a disclaimer), chooses reviews every six or twelve months,
sometimes asks for a hard copy of the plan, and some report changes of circumstances.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from pipeline.demo.common import FIRST, LAST, Builder, DemoPerson, signed

SERVICE = "medway-hil"
OFFICERS = ["Gill Harper", "Mo Adeyemi"]
SCHEMES = ["Bryant Court", "Albert Place", "Orchard House"]
OBJECTIVES = [("economic_wellbeing", "Pension credit not claimed", "Complete the claim form"),
              ("be_healthy", "Misses medication", "Set up a dosette box with the pharmacy"),
              ("stay_safe", "Fell twice this winter", "Refer for a falls assessment"),
              ("enjoy_achieve", "Would like to go out more", "Join the scheme's coffee morning"),
              ("positive_contribution", "Wants to help others",
               "Introduce to the residents' committee")]


class _Resident(Builder):
    def moved_in(self, start: date, disclaimer: bool) -> None:
        self.add("referral", "Referral", start - self.days(7, 30), {
            **self.base, "date_of_birth": date(self.rng.randint(1935, 1960),
                                               self.rng.randint(1, 12),
                                               self.rng.randint(1, 28)).isoformat(),
            "scheme": f"{self.rng.choice(SCHEMES)}, flat {self.rng.randint(1, 40)}",
            "referral_date": (start - self.days(7, 30)).isoformat(),
            "start_date": start.isoformat(), "referrer": "Medway housing allocations",
            "referral_reason": "Moving into sheltered housing.", "risk_level": "low",
            "consent_to_share": True, "interpreter_needed": self.chance(0.1),
            "representative": "Daughter (lasting power of attorney)" if self.chance(0.2)
            else None, "disclaimer": disclaimer})

    def plan(self, day: date, frequency: str | None) -> None:
        objectives: list[dict[str, str | None]] = [{"area": area, "issue": issue, "task": task,
                       "responsible": self.worker,
                       "target_date": (day + self.days(30, 120)).isoformat()}
                      for area, issue, task in self.rng.sample(OBJECTIVES, 3)]
        if self.chance(0.12):
            objectives[0]["area"] = None  # an objective without an outcome area
        values = signed({**self.base, "plan_date": day.isoformat(),
                         "review_frequency": frequency, "meeting_place": "Resident's flat",
                         "interpreter_used": False, "complaints_explained": True,
                         "needs_summary": "Staying well and independent in the flat.",
                         "actions": objectives,
                         "person_views": "Happy to keep things as they are."},
                        day, self.name, self.worker)
        if self.chance(0.1):
            # Signed by the resident's advocate instead.
            values.pop("person_signature")
            values.update(advocate_signature="A. Advocate", advocate_signed_on=day.isoformat())
        self.add("support-plan", "Support plan", day, {k: v for k, v in values.items()
                                                       if v is not None})

    def review(self, day: date) -> None:
        self.add("review", "Review", day, signed({
            **self.base, "review_date": day.isoformat(), "review_kind": "scheduled",
            "progress": self.progress(day, {"issue": "Medication",
                                            "progress": "Dosette box in use"}),
            "scores": [{"area": "be_healthy", "score": self.rng.randint(5, 9)},
                       {"area": "stay_safe", "score": self.rng.randint(4, 9)}],
            "person_views": "Feels safer with the pendant alarm.",
            "changes_made": "Falls action closed."}, day, self.name, self.worker))

    def copy_request(self, day: date) -> None:
        provided = day + self.days(1, 6) if self.chance(0.85) else day + self.days(8, 12)
        self.add("copy-request", "Copy request", day, {
            "person_id": self.pid, "full_name": self.name, "worker": self.worker,
            "requested_on": day.isoformat(), "requested_by": "resident",
            "copy_format": self.rng.choice(["standard", "large_print"]),
            "provided_on": provided.isoformat() if self.known(provided) else None})

    def change(self, day: date, disclaimer: str | None = None) -> None:
        self.add("change-of-circumstances", "Change of circumstances", day, {
            "person_id": self.pid, "full_name": self.name, "worker": self.worker,
            "changed_on": day.isoformat(), "reported_by": "family",
            "description": {None: "Came home from hospital after a fall.",
                            "withdrawn": "Resident now wants a support plan after all."}.get(
                                disclaimer, "Resident no longer wants support planning."),
            "review_requested": disclaimer is None, "disclaimer": disclaimer})


def hil_residents(as_of: date, count: int, rng: random.Random) -> list[DemoPerson]:
    """``count`` residents across three schemes, moved in over the last two and a half years."""
    people = []
    for number in range(1, count + 1):
        resident = _Resident(rng, as_of, SERVICE, f"HIL-{number:04d}",
                             f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(OFFICERS),
                             "Scheme support")
        start = as_of - timedelta(days=rng.randint(10, 900))
        # Resident 2 declines support planning: their deadlines do not apply. Resident 3
        # declined on moving in and withdrew the disclaimer later: the plan is due four
        # weeks after the withdrawal.
        withdraws = number == 3
        if withdraws:
            start = as_of - timedelta(days=400)
        disclaimer = number == 2 or withdraws or resident.chance(0.05)
        resident.moved_in(start, disclaimer)
        if withdraws:
            withdrawn = start + timedelta(days=150)
            resident.change(withdrawn, "withdrawn")
            disclaimer, start = False, withdrawn
        roll = rng.random()
        planned = (start + resident.days(5, 27) if roll < 0.75 else
                   start + resident.days(30, 60) if roll < 0.9 else None)
        if not disclaimer and planned is not None and resident.known(planned):
            frequency = rng.choice(["six_months", "twelve_months", None])
            resident.plan(planned, frequency)
            months = 6 if frequency == "six_months" else 12
            day = planned + relativedelta(months=months) - resident.days(0, 20)
            while resident.known(day) and resident.chance(0.85):
                resident.review(day)
                day += relativedelta(months=months) + resident.days(-15, 20)
            if resident.chance(0.25):
                asked = planned + resident.days(20, 200)
                if resident.known(asked):
                    resident.copy_request(asked)
            if resident.chance(0.1):
                changed = planned + resident.days(30, 300)
                if resident.known(changed):
                    resident.change(changed, "in_place" if resident.chance(0.3) else None)
        people.append(resident.person())
    return people
