"""Families First histories for the demo (seed 002): one reference per family.

A social worker refers a family (the time is logged); the team contacts the social
worker the same day, or within two hours when an immediate response is needed, and
allocates a named worker the same day or next working day. The intervention runs for up
to six months with weekly TAC reviews, closes with the closure checklist, and the family
is asked for feedback.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from pipeline.demo.common import CHILD_FIRST, FIRST, LAST, Builder, DemoPerson, signed
from pipeline.rules.calendar import Nation, add_working_days

SERVICE = "families-first"
WORKERS = ["Kelly Dunn", "Marcus Reid", "Jas Kaur"]
MANAGER = "Paula Stokes (Team Manager)"
SOCIAL_WORKERS = ["Anna Bell (Cheadle SW team)", "Tom Ince (Reddish SW team)",
                  "Out of Hours team"]
CRITERIA = ["criterion_imminent_care", "criterion_family_breakdown", "criterion_conflict",
            "criterion_missing_exploitation", "criterion_exclusion", "criterion_no_boundaries"]
MENU = ["menu_direct_work", "menu_parenting", "menu_mediation", "menu_fgc", "menu_short_breaks",
        "menu_mental_health"]
GOALS = [("improved_behaviour", "Angry outbursts at home", "Weekly anger work with Jay"),
         ("school_attendance", "Missing school most Mondays", "Morning routine plan"),
         ("relationships", "Constant arguments with mum", "Mediation sessions"),
         ("fewer_missing", "Stays out overnight", "Agree curfew and safe-contact plan"),
         ("less_risk", "Older peer group, risk of exploitation", "Joint work with the CSE team")]


class _Family(Builder):
    def __init__(self, rng: random.Random, as_of: date, number: int) -> None:
        super().__init__(rng, as_of, SERVICE, f"FF-{number:04d}", f"{rng.choice(LAST)} family",
                         rng.choice(WORKERS), "Families First")
        self.social_worker = rng.choice(SOCIAL_WORKERS)

    def referred(self, at: datetime, immediate: bool, children: int,
                 legal_status: str | None = None) -> None:
        kids = [{"name": f"{self.rng.choice(CHILD_FIRST)} {self.name.split()[0]}",
                 "date_of_birth": date(self.rng.randint(2008, 2020), self.rng.randint(1, 12),
                                       self.rng.randint(1, 28)).isoformat(),
                 "school": "Local secondary", "at_risk": n == 0} for n in range(children)]
        ticked = {key: True for key in self.rng.sample(CRITERIA, self.rng.randint(1, 3))}
        menu = {key: True for key in self.rng.sample(MENU, 3)}
        self.add("referral", "Referral", at.date(), {
            "person_id": self.pid, "full_name": self.name, "team": "Families First",
            "parents_carers": f"Mum: {self.rng.choice(FIRST)} {self.name.split()[0]}",
            "children": kids, "legal_status": legal_status or self.rng.choice(
                ["child_in_need", "child_protection", "edge_of_care", "looked_after"]),
            "referral_received_at": at.strftime("%Y-%m-%dT%H:%M"),
            "immediate_response": immediate, "referrer": "Children's social care",
            "social_worker": self.social_worker,
            "referral_reason": "Family close to breakdown; young person at risk of care.",
            "start_date": at.date().isoformat(), "risk_level": "high",
            "consent_to_share": True, **ticked, **menu})

    def response(self, received: datetime, immediate: bool) -> None:
        if immediate:
            minutes = self.rng.randint(20, 110) if self.chance(0.8) else self.rng.randint(130, 240)
        else:
            minutes = self.rng.randint(30, 300) if self.chance(0.85) else 60 * 20
        contacted = received + timedelta(minutes=minutes)
        day = received.date()
        allocated = (day if self.chance(0.6) else
                     add_working_days(day, 1, Nation.ENGLAND_AND_WALES) if self.chance(0.8)
                     else add_working_days(day, 3, Nation.ENGLAND_AND_WALES))
        visit = allocated + self.days(0, 3)
        self.add("referral-response", "Referral response", contacted.date(), {
            "person_id": self.pid, "full_name": self.name, "social_worker": self.social_worker,
            "sw_contacted_at": contacted.strftime("%Y-%m-%dT%H:%M"), "contacted_by": MANAGER,
            "meets_criteria": True, "family_aware": True, "assessments_checked": True,
            "next_steps": "Joint initial visit agreed with the social worker.",
            "allocated_on": allocated.isoformat() if self.known(allocated) else None,
            "worker": self.worker if self.known(allocated) else None,
            "initial_visit_on": visit.isoformat() if self.known(visit) else None,
            "joint_visit": True})

    def plan(self, day: date) -> None:
        goals = [{"area": area, "issue": issue, "task": task, "responsible": self.worker,
                  "target_date": (day + self.days(21, 90)).isoformat()}
                 for area, issue, task in self.rng.sample(GOALS, 3)]
        self.add("support-plan", "Family plan", day, signed({
            **self.base, "plan_date": day.isoformat(), "meeting_chair": self.social_worker,
            "young_person_views": "Says mum never listens; wants more freedom.",
            "family_agreed": True, "complaints_procedure_explained": True,
            "needs_summary": "Conflict at home, school, going missing.",
            "actions": goals, "person_views": "Mum wants help setting boundaries.",
            "next_review_date": (day + timedelta(days=7)).isoformat()},
            day, self.name, self.worker))

    def review(self, day: date, next_step: str) -> None:
        self.add("review", "TAC review", day, signed({
            **self.base, "review_date": day.isoformat(), "review_kind": "tac",
            "progress": self.progress(day, {"issue": "School attendance",
                                            "progress": "4 days out of 5"}),
            "scores": [{"area": "relationships", "score": self.rng.randint(3, 8)},
                       {"area": "school_attendance", "score": self.rng.randint(3, 8)}],
            "young_person_views": "Things are calmer.", "risk_updated": True,
            "service_right": True, "next_step": next_step,
            "person_views": "Mum says the evenings are easier."}, day, self.name, self.worker))

    def closure(self, day: date) -> None:
        step_down = self.chance(0.6)
        self.add("closure", "Closure", day, signed({
            **self.base, "closure_date": day.isoformat(),
            "exit_reason": "step_down" if step_down else "planned",
            "closure_meeting_on": day.isoformat(),
            "outcomes": [{"area": "relationships", "achieved": "partly",
                          "why": "Fewer arguments, still tense at weekends"},
                         {"area": "fewer_missing", "achieved": "yes",
                          "why": "No missing episodes for eight weeks"}],
            "summary": "Family stable enough to step down.",
            "ongoing_plans": "Early help worker continues fortnightly.",
            "step_down_plan": "Early help plan from next month." if step_down else None,
            "step_down_lead": "Early Help Lead Practitioner" if step_down else None,
            "lead_in_place": step_down, "follow_up_on": (day + timedelta(days=28)).isoformat(),
            "follow_up_by": self.worker, "future_contact_explained": True,
            "exit_strategy": "Strategies agreed for the evenings; knows who to call.",
            "feedback_given": True}, day, self.name, self.worker))

    def feedback(self, day: date) -> None:
        self.add("feedback", "Feedback", day, {
            "person_id": self.pid, "completed_on": day.isoformat(),
            "respondent": self.rng.choice(["family", "parent_carer", "young_person"]),
            "worker": self.worker, "rating_listened": "strongly_agree",
            "rating_clear": "agree", "rating_timely": self.rng.choice(["agree", "not_sure"]),
            "rating_better": "agree", "rating_strategies": "agree",
            "comments_helped": "Having someone come round in the evenings."})


def families(as_of: date, count: int, rng: random.Random) -> list[DemoPerson]:
    """``count`` families referred over the last eight months."""
    people = []
    for number in range(1, count + 1):
        family = _Family(rng, as_of, number)
        day = as_of - timedelta(days=rng.randint(1, 230))
        # Family 2 has been with the team for seven months and is still open (past the
        # planned duration: consider step-down); family 1 has a child-protection plan
        # (statutory reviews, not the weekly TAC ones); family 3 was referred at night.
        if number == 2:
            day = as_of - timedelta(days=212)
        hour = 22 if number == 3 else rng.randint(8, 19)
        received = datetime.combine(day, time(hour, rng.choice([0, 15, 30, 45])))
        immediate = number == 1 or family.chance(0.3)
        family.referred(received, immediate, rng.randint(1, 3),
                        "child_protection" if number == 1 else
                        "child_in_need" if number == 2 else None)
        family.response(received, immediate)
        planned = day + family.days(2, 8)
        if not family.known(planned):
            people.append(family.person())
            continue
        family.plan(planned)
        ends = day + (family.days(100, 195) if number != 2 else timedelta(days=260))
        review = planned + family.days(6, 8)
        while family.known(review) and review < ends:
            if not family.chance(0.1):  # a week without a review now and then
                family.review(review, "continue" if review + timedelta(days=21) < ends
                              else "close")
            review += timedelta(days=7)
        if family.known(ends):
            family.closure(ends)
            back = ends + (family.days(3, 13) if family.chance(0.7) else family.days(16, 30))
            if family.known(back) and family.chance(0.85):
                family.feedback(back)
        people.append(family.person())
    return people
