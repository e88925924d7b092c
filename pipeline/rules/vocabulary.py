"""The declarative rule vocabulary: what a policy requires of an episode, as data.

A service's policy is a :class:`RuleSet` of frozen values that say *what* is due and
what meets it, never *how* that is worked out (see :mod:`pipeline.rules.evaluate`).
Every value carries a ``kind`` or ``unit`` tag, so a policy file can be loaded into the
same models, e.g. ``RuleSet.model_validate(yaml.safe_load(text))`` with rules written as::

    - {kind: within, obligation: support_plan, after_event: start,
       span: {unit: days, count: 28}, met_by_event: support_plan}

Only a *complete* event (a form without blocking findings) ever meets an obligation.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.rules.calendar import Nation, add_days, add_months, add_weeks, add_working_days

IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"

Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- spans: how far after a date something is due ----------------------------------------


class CalendarDays(_Frozen):
    """``count`` calendar days: "within 28 days of E" is due on E + 28."""

    unit: Literal["days"] = "days"
    count: int = Field(ge=0)

    def after(self, start: date, nation: Nation) -> date:
        """The due date ``count`` days after ``start`` (``nation`` plays no part)."""
        return add_days(start, self.count)


class Weeks(_Frozen):
    """``count`` weeks of seven calendar days."""

    unit: Literal["weeks"] = "weeks"
    count: int = Field(ge=0)

    def after(self, start: date, nation: Nation) -> date:
        """The due date ``count`` weeks after ``start`` (``nation`` plays no part)."""
        return add_weeks(start, self.count)


class WorkingDays(_Frozen):
    """``count`` working days, skipping weekends and the nation's bank holidays."""

    unit: Literal["working_days"] = "working_days"
    count: int = Field(ge=0)

    def after(self, start: date, nation: Nation) -> date:
        """The ``count``-th working day of ``nation`` after ``start``."""
        return add_working_days(start, self.count, nation)


class CalendarMonths(_Frozen):
    """``count`` calendar months, a missing day clipping to the month's end."""

    unit: Literal["months"] = "months"
    count: int = Field(ge=0)

    def after(self, start: date, nation: Nation) -> date:
        """The due date ``count`` months after ``start`` (``nation`` plays no part)."""
        return add_months(start, self.count)


Span = Annotated[CalendarDays | Weeks | WorkingDays | CalendarMonths, Field(discriminator="unit")]


# --- rules: what is due, after what, and what meets it ------------------------------------


class Within(_Frozen):
    """One obligation per episode: ``met_by_event`` within ``span`` of ``after_event``.

    The clock starts at the earliest complete ``after_event`` (the earliest of any
    completeness when none is complete: a start date on a form with blocking findings is
    still the day support started). It is met by the episode's earliest complete
    ``met_by_event``, whatever its date. No ``after_event``, no obligation.
    """

    kind: Literal["within"] = "within"
    obligation: Identifier
    after_event: Identifier
    span: Span
    met_by_event: Identifier


class WithinEach(_Frozen):
    """One obligation per complete ``after_event``: a ``met_by_event`` within ``span``.

    Complete ``after_event`` events on the same date count once (copies of one form).
    Each is met by at most one complete ``met_by_event``, and each of those meets at most
    one: preferably one whose ``details[link_detail]`` names the ``after_event``'s date
    (a Part 2 names its Part 1's ``review_date``), else the earliest one not yet used
    dated on or after it. Cycles number the ``after_event`` dates 1, 2, 3... in order.
    """

    kind: Literal["within_each"] = "within_each"
    obligation: Identifier
    after_event: Identifier
    span: Span
    met_by_event: Identifier
    link_detail: str | None = None


class Recurring(_Frozen):
    """A chain: ``met_by_event`` at least every ``every`` after the previous one.

    The chain starts at the earliest complete ``anchor_event``. Cycle 1 is due ``every``
    after it and is met by the first complete ``met_by_event`` dated strictly after it;
    that event starts cycle 2, and so on. The chain ends with its first unmet cycle, so
    it never runs into the future; without an anchor there is no chain at all.
    """

    kind: Literal["recurring"] = "recurring"
    obligation: Identifier
    anchor_event: Identifier
    every: Span
    met_by_event: Identifier


Rule = Annotated[Within | WithinEach | Recurring, Field(discriminator="kind")]


class RuleSet(_Frozen):
    """A service's rules, the nation whose bank holidays apply, and its closing event.

    An episode closes at its earliest complete ``closure_event`` (earliest of any
    completeness when none is complete).
    """

    service: str
    nation: Nation
    rules: tuple[Rule, ...]
    closure_event: Identifier = "closure"

    @model_validator(mode="after")
    def _obligations_are_unique(self) -> RuleSet:
        # Obligation ids are the public interface (planwatch due --json): two rules with
        # one id would make their rows indistinguishable.
        names = [rule.obligation for rule in self.rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"obligation ids used by more than one rule: {duplicates}")
        return self
