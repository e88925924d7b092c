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
- ``{unit: same_day, opening_hours: {opens: {hour: 8}, closes: {hour: 22}}}``: after
  closing time, the next opening's day;
- rules: ``within`` (once per episode; ``or_due_of`` an earlier one's due date),
  ``within_each`` (once per event of a kind), ``recurring`` (a chain of review slots),
  ``by_date`` (by a date written on a form), ``planned_duration`` (not a deadline: past
  it, an open case is flagged); ``owed_after_closure: true`` keeps a rule's obligations
  owed when the episode closes first;
- ``exempt_while: {detail: disclaimer, is_one_of: [yes], reason: ..., released_as:
  start}`` on a rule or a whole rule set: an unmet obligation is ``not_applicable``
  while the condition holds; with ``released_as``, an event recording another value
  starts the policy afresh on its date;
- ``listed_on`` (a rule set): people listed in a table on another service's form (the
  children on their mother's referral) start when that form's event does.

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
    london_date,
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


class HourOfDay(_Frozen):
    """An hour of the day, 0 to 24 (24: midnight at the day's end); ``setting`` names the
    workspace setting that overrides it (a policy default)."""

    hour: int = Field(ge=0, le=24)
    setting: Identifier | None = None


class OpeningHours(_Frozen):
    """A team's daily hours (every day of the week): ``opens`` up to ``closes``."""

    opens: HourOfDay
    closes: HourOfDay

    @model_validator(mode="after")
    def _opens_first(self) -> OpeningHours:
        if self.opens.hour >= self.closes.hour:
            raise ValueError("opens must be before closes")
        return self

    def working_day_of(self, moment: datetime) -> date:
        """The day whose opening hours first include ``moment`` (Europe/London): its own
        date if it arrives before closing time, else the next day (the next opening)."""
        local = moment if moment.tzinfo is None else moment.astimezone(LONDON)
        return local.date() + timedelta(days=1 if local.hour >= self.closes.hour else 0)


class SameDay(_Frozen):
    """The same calendar day (Europe/London): "contacted the same day".

    With ``opening_hours``, something that arrives after closing time counts from the
    next opening: a referral at 23:00 is due the next day (before opening time, it is
    due that same day).
    """

    unit: Literal["same_day"] = "same_day"
    opening_hours: OpeningHours | None = None

    def after(self, start: date, nation: Nation) -> date:
        """``start`` itself (``nation`` plays no part)."""
        return start

    def after_moment(self, start: datetime) -> date:
        """The due date for something that arrived at ``start`` (see the class)."""
        if self.opening_hours is None:
            return london_date(start)
        return self.opening_hours.working_day_of(start)


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
    # Shown beside the not_applicable status (e.g. "disclaimer in place").
    reason: str | None = None
    # When a later event records the detail with another value (a disclaimer withdrawn),
    # the policy applies afresh from that date: the event counts as this kind (a start).
    released_as: Identifier | None = None

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
    # Still owed when the episode closes before it falls due (a Part 2 of a review held,
    # a copy requested): the work it follows up was done. Rules that start at the
    # closure, or are met by it, are owed after it anyway.
    owed_after_closure: bool = False

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
    # "Not more than five days after the assessment", which is itself due by a date: the
    # clock starts at the earlier of the after_event and the due date of this (earlier,
    # ``within``) obligation, so a late or missing assessment cannot push it out.
    or_due_of: Identifier | None = None


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
    """A chain of slots: a meeting event at least every ``every``.

    The chain starts at the earliest of: the ``anchor_event`` (as a fact, of any
    completeness, when it is not itself a meeting kind: the day support started) and
    the complete meeting events; without either there is no chain. From that start,
    slot 1 is due ``every`` after it (or on the date in its ``details[due_by_detail]``,
    when given and later), and each slot that passes with no meeting event is followed
    by the next one ``every`` after it. The next complete meeting event (strictly after
    the start: a copy dated the same day is the same review) meets the latest slot due
    on or before it (on time if on its due date, late if after it), or the first slot
    when none is due yet; the slots before it are missed, and the chain starts again
    from that event. A review held on its slot's due date keeps the chain's days (31
    Jan, 28 Feb, 31 Mar, not 28 Mar). With no further meeting event, the slots run up to
    the as-of date: the latest slot due on or before it is the open one (a review that
    day would meet it), and the earlier ones are missed.
    """

    kind: Literal["recurring"] = "recurring"
    anchor_event: Identifier
    every: Timing
    # "By the plan's next review date": a date detail of the previous event wins.
    due_by_detail: Identifier | None = None


class PlannedDuration(_Rule):
    """Not a deadline: how long support is planned to last ("on average up to 6 months").

    Counted from the earliest ``after_event``; until ``span`` has passed an open episode
    shows ``upcoming``, from then on ``past_planned_duration`` with ``note`` (consider
    stepping down). Neither counts in on-time rates, and once a meeting event (the
    closure) is recorded there is nothing to show.
    """

    kind: Literal["planned_duration"] = "planned_duration"
    after_event: Identifier
    span: Timing
    note: str = Field(min_length=1)


class ByDate(_Rule):
    """Due on a date written on a form: a closure form by the planned departure.

    The date is ``details[date_detail]`` of the latest event carrying a readable date
    (a later plan or review moves it); it is met by the earliest complete meeting
    event. No such date, no obligation.
    """

    kind: Literal["by_date"] = "by_date"
    date_detail: Identifier


Rule = Annotated[Within | WithinEach | Recurring | ByDate | PlannedDuration,
                 Field(discriminator="kind")]


class ListedOn(_Frozen):
    """People listed on another service's form start here when it does: each row of
    ``details[table]`` on ``service``'s ``event`` (a mother's arrival) names a person in
    ``column`` whose ``as_event`` (a start) is that event's date. When that person's
    episode there closes, theirs closes too (children leave with their mother)."""

    service: str
    event: Identifier
    table: Identifier
    column: Identifier
    as_event: Identifier
    # The detail the derived event carries with the lister's reference.
    link_detail: Identifier


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
    listed_on: ListedOn | None = None

    @model_validator(mode="after")
    def _obligations_are_unique(self) -> RuleSet:
        # Obligation ids are the public interface (planwatch due --json): two rules with
        # one id would make their rows indistinguishable.
        names = [rule.obligation for rule in self.rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"obligation ids used by more than one rule: {duplicates}")
        for index, rule in enumerate(self.rules):
            if isinstance(rule, Within) and rule.or_due_of is not None:
                earlier = {r.obligation for r in self.rules[:index] if isinstance(r, Within)}
                if rule.or_due_of not in earlier:
                    raise ValueError(
                        f"{rule.obligation}: or_due_of must name a 'within' obligation listed "
                        f"before it, not {rule.or_due_of!r}")
        return self

    def exemption(self, rule: Rule) -> Condition | None:
        """The condition that exempts ``rule``'s obligations, if any."""
        return rule.exempt_while or self.exempt_while
