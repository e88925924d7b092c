"""The declarative rule vocabulary: what a policy requires of an episode, as data.

A service's policy is a :class:`RuleSet` of frozen values that say *what* is due and
what meets it, never *how* that is worked out (see :mod:`pipeline.rules.evaluate`).
Every value carries a ``kind`` or ``unit`` tag, so a policy file (``forms/services/``,
loaded by :mod:`pipeline.policies`) is validated into the same models, e.g.::

    - {kind: within, obligation: support_plan, after_event: start,
       span: {unit: days, count: 28}, met_by_event: support_plan}

The words, in full:

- spans: ``{unit: days|weeks|months|working_days|hours, count: N}`` and
  ``{unit: same_day}``; any count may name the setting that overrides it
  (``setting: feedback_days``), for the policies' defaults;
- a span chosen by a value written on a form: ``{choose_by: review_frequency, cases:
  {fortnightly: {unit: days, count: 14}}, otherwise: {unit: days, count: 7}}``;
- rules: ``within`` (once per episode), ``within_each`` (once per event of a kind),
  ``recurring`` (a chain of reviews), ``by_date`` (by a date written on a form);
- ``exempt_while: {detail: disclaimer, is_one_of: [yes]}`` on a rule or a whole rule
  set: an unmet obligation is ``not_applicable`` while the condition holds.

Only a *complete* event (a form without blocking findings) ever meets an obligation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from pipeline.rules.calendar import (
    LONDON,
    Nation,
    add_days,
    add_months,
    add_weeks,
    add_working_days,
)

IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"

Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]


def normalise_value(value: object) -> str:
    """A form value as rules compare it: yes/no for booleans, lower-case text otherwise.

    YAML reads an unquoted ``yes`` as ``True``, and a checkbox is stored as a boolean,
    so both become ``"yes"``; ``None`` becomes ``""`` (nothing written).
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    return str(value).strip().lower()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- spans: how far after a date something is due ----------------------------------------


class _Counted(_Frozen):
    count: int = Field(ge=0)
    # The setting that overrides ``count`` (a policy default); see pipeline.policies.
    setting: Identifier | None = None


class CalendarDays(_Counted):
    """``count`` calendar days: "within 28 days of E" is due on E + 28."""

    unit: Literal["days"] = "days"

    def after(self, start: date, nation: Nation) -> date:
        """The due date ``count`` days after ``start`` (``nation`` plays no part)."""
        return add_days(start, self.count)


class Weeks(_Counted):
    """``count`` weeks of seven calendar days."""

    unit: Literal["weeks"] = "weeks"

    def after(self, start: date, nation: Nation) -> date:
        """The due date ``count`` weeks after ``start`` (``nation`` plays no part)."""
        return add_weeks(start, self.count)


class WorkingDays(_Counted):
    """``count`` working days, skipping weekends and the nation's bank holidays."""

    unit: Literal["working_days"] = "working_days"

    def after(self, start: date, nation: Nation) -> date:
        """The ``count``-th working day of ``nation`` after ``start``."""
        return add_working_days(start, self.count, nation)


class CalendarMonths(_Counted):
    """``count`` calendar months, a missing day clipping to the month's end."""

    unit: Literal["months"] = "months"

    def after(self, start: date, nation: Nation) -> date:
        """The due date ``count`` months after ``start`` (``nation`` plays no part)."""
        return add_months(start, self.count)


class Hours(_Counted):
    """``count`` hours of elapsed time after a moment ("within 2 hours of the call").

    From a moment, the deadline is a moment too (:meth:`after_moment`). When only a date
    is known, the deadline is that date plus whole days (2 hours: the same day).
    """

    unit: Literal["hours"] = "hours"

    def after(self, start: date, nation: Nation) -> date:
        """The due date when only the start's date is known (``nation`` plays no part)."""
        return add_days(start, self.count // 24)

    def after_moment(self, start: datetime) -> datetime:
        """``start`` plus ``count`` real hours, as a Europe/London time.

        A naive ``start`` is London wall-clock time. The sum is taken in UTC, so the
        hour that clocks skip or repeat in spring and autumn is counted as it passed.
        """
        aware = start if start.tzinfo is not None else start.replace(tzinfo=LONDON)
        # Arithmetic on an aware datetime keeps its wall clock; via UTC it counts real time.
        return (aware.astimezone(UTC) + timedelta(hours=self.count)).astimezone(LONDON)


class SameDay(_Frozen):
    """The same calendar day (Europe/London): "contacted the same day"."""

    unit: Literal["same_day"] = "same_day"

    def after(self, start: date, nation: Nation) -> date:
        """``start`` itself (``nation`` plays no part)."""
        return start


Span = Annotated[
    CalendarDays | Weeks | WorkingDays | CalendarMonths | Hours | SameDay,
    Field(discriminator="unit"),
]


def _case_keys(value: object) -> object:
    if isinstance(value, dict):
        return {normalise_value(key): span for key, span in value.items()}
    return value


class ChosenSpan(_Frozen):
    """A span chosen by a value written on a form (a plan's review frequency).

    The value is ``details[choose_by]`` of the latest event, on or before the clock
    starts, that carries one (see :func:`pipeline.rules.evaluate.latest_detail`);
    ``cases`` maps values (compared with :func:`normalise_value`) to spans, and
    ``otherwise`` applies when there is no value or it is not listed.
    """

    choose_by: Identifier
    cases: Annotated[dict[str, Span], BeforeValidator(_case_keys)] = Field(min_length=1)
    otherwise: Span


def _timing_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "chosen" if "choose_by" in value else str(value.get("unit", ""))
    if isinstance(value, ChosenSpan):
        return "chosen"
    return str(getattr(value, "unit", ""))


Timing = Annotated[
    Annotated[CalendarDays, Tag("days")]
    | Annotated[Weeks, Tag("weeks")]
    | Annotated[WorkingDays, Tag("working_days")]
    | Annotated[CalendarMonths, Tag("months")]
    | Annotated[Hours, Tag("hours")]
    | Annotated[SameDay, Tag("same_day")]
    | Annotated[ChosenSpan, Tag("chosen")],
    Discriminator(_timing_kind),
]


# --- conditions ---------------------------------------------------------------------------


class Condition(_Frozen):
    """Holds on a day when the latest event up to that day carrying ``detail`` says so.

    "Carrying" means the event's ``details[detail]`` is not empty; the condition holds
    when that value (compared with :func:`normalise_value`) is one of ``is_one_of``. No
    such event: it does not hold.
    """

    detail: Identifier
    is_one_of: tuple[str, ...] = Field(min_length=1)

    @field_validator("is_one_of", mode="before")
    @classmethod
    def _normalised(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return tuple(normalise_value(item) for item in value)
        return (normalise_value(value),)


# --- rules: what is due, after what, and what meets it ------------------------------------


class _Rule(_Frozen):
    obligation: Identifier
    met_by_event: Identifier
    # Further kinds of event that meet it too (a new plan counts as a review).
    also_met_by: tuple[Identifier, ...] = ()
    exempt_while: Condition | None = None

    @property
    def meeting_kinds(self) -> tuple[str, ...]:
        """Every kind of event that meets this rule's obligations."""
        return (self.met_by_event, *self.also_met_by)


class Within(_Rule):
    """One obligation per episode: a meeting event within ``span`` of ``after_event``.

    The clock starts at the earliest complete ``after_event`` (the earliest of any
    completeness when none is complete: a start date on a form with blocking findings is
    still the day support started). It is met by the episode's earliest complete event
    of a meeting kind, whatever its date. No ``after_event``, no obligation. When the
    ``after_event`` is the episode's closure (feedback after closing), the closure does
    not end the obligation.
    """

    kind: Literal["within"] = "within"
    after_event: Identifier
    span: Timing


class WithinEach(_Rule):
    """One obligation per complete ``after_event``: a meeting event within ``span``.

    Complete ``after_event`` events on the same date count once (copies of one form).
    Each is met by at most one complete meeting event, and each of those meets at most
    one: preferably one whose ``details[link_detail]`` names the ``after_event``'s date
    (a Part 2 names its Part 1's ``review_date``), else the earliest one not yet used
    dated on or after it. Cycles number the ``after_event`` dates 1, 2, 3... in order.
    """

    kind: Literal["within_each"] = "within_each"
    after_event: Identifier
    span: Timing
    link_detail: str | None = None


class Recurring(_Rule):
    """A chain: a meeting event at least every ``every`` after the previous one.

    The chain starts at the earliest of: the ``anchor_event`` (as a fact, of any
    completeness, when it is not itself a meeting kind: the day support started) and
    the complete meeting events. Cycle 1 is due ``every`` after it (or on the date in
    its ``details[due_by_detail]``, when given and later) and is met by the first
    complete meeting event dated strictly after it; that event starts cycle 2, and so
    on. The chain ends with its first unmet cycle, so it never runs into the future;
    without an anchor there is no chain at all.
    """

    kind: Literal["recurring"] = "recurring"
    anchor_event: Identifier
    every: Timing
    # "By the plan's next review date": a date detail of the previous event wins.
    due_by_detail: Identifier | None = None


class ByDate(_Rule):
    """Due on a date written on a form: a closure form by the planned departure.

    The date is ``details[date_detail]`` of the latest event carrying a readable date
    (a later plan or review moves it); it is met by the earliest complete meeting
    event. No such date, no obligation.
    """

    kind: Literal["by_date"] = "by_date"
    date_detail: Identifier


Rule = Annotated[Within | WithinEach | Recurring | ByDate, Field(discriminator="kind")]


class RuleSet(_Frozen):
    """A service's rules, the nation whose bank holidays apply, and its closing event.

    An episode closes at its earliest ``closure_event`` (of any completeness: leaving is
    a fact). ``exempt_while`` applies to every rule without its own.
    """

    service: str
    nation: Nation
    rules: tuple[Rule, ...]
    closure_event: Identifier = "closure"
    exempt_while: Condition | None = None

    @model_validator(mode="after")
    def _obligations_are_unique(self) -> RuleSet:
        # Obligation ids are the public interface (planwatch due --json): two rules with
        # one id would make their rows indistinguishable.
        names = [rule.obligation for rule in self.rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"obligation ids used by more than one rule: {duplicates}")
        return self

    def exemption(self, rule: Within | WithinEach | Recurring | ByDate) -> Condition | None:
        """The condition that exempts ``rule``'s obligations, if any."""
        return rule.exempt_while or self.exempt_while
