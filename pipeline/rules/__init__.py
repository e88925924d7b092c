"""The deadline rules engine: from dated events to obligations with a status.

Library only: it imports the records (and, lazily, :mod:`pipeline.policies` for the
bundled rule sets), never the store, the inbox, the formats, the reports, the watcher, the
demo or the command line. :func:`compute_obligations` is the entry point; the rule vocabulary
(:mod:`pipeline.rules.vocabulary`) describes a service's policy as data (the policies
themselves are files, loaded by :mod:`pipeline.policies`), :mod:`pipeline.rules.episodes`
splits a person's events into episodes, :mod:`pipeline.rules.calendar` does the day,
month and working-day arithmetic and :mod:`pipeline.rules.timing` the due dates it gives.
:func:`~pipeline.rules.obligations.kept_obligations` works obligations out to be kept as
forms arrive, and :mod:`pipeline.rules.kept` gives their status for an as-of date;
:mod:`pipeline.rules.basis` fingerprints what they were worked out from.
A council's store holds hundreds of thousands of events: the rules read them as
:class:`~pipeline.records.Event` tuples and make :class:`~pipeline.records.Obligation`
tuples, unvalidated; the jobs that call them pause the garbage collector
(:mod:`pipeline.rules.bulk`).
"""

from pipeline.rules.calendar import (
    Nation,
    add_days,
    add_months,
    add_weeks,
    add_working_days,
    bank_holidays,
    is_working_day,
    london_date,
)
from pipeline.rules.episodes import CLOSING_EVENT, OPENING_EVENTS, split_episodes
from pipeline.rules.events import event_order_key
from pipeline.rules.obligations import (
    compute_obligations,
    default_rule_sets,
    episode_obligations,
)
from pipeline.rules.status import DEFAULT_DUE_SOON_DAYS, status_for
from pipeline.rules.vocabulary import (
    ByDate,
    CalendarDays,
    CalendarMonths,
    ChosenSpan,
    Condition,
    Hours,
    Recurring,
    Rule,
    RuleSet,
    SameDay,
    Span,
    Timing,
    Weeks,
    Within,
    WithinEach,
    WorkingDays,
)

__all__ = [
    "CLOSING_EVENT",
    "DEFAULT_DUE_SOON_DAYS",
    "OPENING_EVENTS",
    "ByDate",
    "CalendarDays",
    "CalendarMonths",
    "ChosenSpan",
    "Condition",
    "Hours",
    "Nation",
    "Recurring",
    "Rule",
    "RuleSet",
    "SameDay",
    "Span",
    "Timing",
    "Weeks",
    "Within",
    "WithinEach",
    "WorkingDays",
    "add_days",
    "add_months",
    "add_weeks",
    "add_working_days",
    "bank_holidays",
    "compute_obligations",
    "default_rule_sets",
    "episode_obligations",
    "event_order_key",
    "is_working_day",
    "london_date",
    "split_episodes",
    "status_for",
]
