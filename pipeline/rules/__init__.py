"""The deadline rules engine: from dated events to obligations with a status.

Library only. :func:`compute_obligations` is the entry point; the rule vocabulary
(:mod:`pipeline.rules.vocabulary`) describes a service's policy as data, and
:mod:`pipeline.rules.calendar` does the day, month and working-day arithmetic.
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
from pipeline.rules.events import event_order_key
from pipeline.rules.obligations import (
    DEFAULT_PART2_WORKING_DAYS,
    community_support_rules,
    compute_obligations,
    default_rule_sets,
    episode_obligations,
)
from pipeline.rules.status import DEFAULT_DUE_SOON_DAYS, status_for
from pipeline.rules.vocabulary import (
    CalendarDays,
    CalendarMonths,
    Recurring,
    Rule,
    RuleSet,
    Span,
    Weeks,
    Within,
    WithinEach,
    WorkingDays,
)

__all__ = [
    "DEFAULT_DUE_SOON_DAYS",
    "DEFAULT_PART2_WORKING_DAYS",
    "CalendarDays",
    "CalendarMonths",
    "Nation",
    "Recurring",
    "Rule",
    "RuleSet",
    "Span",
    "Weeks",
    "Within",
    "WithinEach",
    "WorkingDays",
    "add_days",
    "add_months",
    "add_weeks",
    "add_working_days",
    "bank_holidays",
    "community_support_rules",
    "compute_obligations",
    "default_rule_sets",
    "episode_obligations",
    "event_order_key",
    "is_working_day",
    "london_date",
    "status_for",
]
