"""Order of arrival never matters, for every service's policy: a property test.

Events of every kind any policy reads, with every detail a rule looks at (chosen review
frequencies, an immediate response, disclaimers, planned departures, next review dates,
links to a Part 1 or a request), times in and out of summer time, several episodes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import Event
from pipeline.rules import compute_obligations, default_rule_sets
from pipeline.rules.events import earlier, event_order_key, sorted_events

SERVICES = sorted(default_rule_sets())
KINDS = sorted({"referral", "start", "closure", "self_assessment", "support_plan", "review",
                "review_part2", "sw_contact", "allocation", "feedback", "copy_request",
                "copy_provided", "change"})
INTERESTING_DAYS = [
    date(2026, 3, 29), date(2026, 4, 2), date(2026, 11, 27), date(2026, 12, 24),
    date(2026, 12, 31), date(2027, 1, 4), date(2027, 2, 28), date(2027, 3, 25),
    date(2027, 8, 31), date(2028, 1, 31), date(2028, 2, 29),
]
DAYS = st.one_of(st.sampled_from(INTERESTING_DAYS),
                 st.dates(min_value=date(2026, 3, 1), max_value=date(2028, 3, 31)))
MOMENTS = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2026, 3, 1), max_value=datetime(2028, 3, 31)),
    st.datetimes(min_value=datetime(2026, 3, 1), max_value=datetime(2028, 3, 31),
                 timezones=st.just(UTC)),
)
DETAILS = st.dictionaries(
    st.sampled_from(["review_frequency", "next_review_date", "planned_departure",
                     "immediate_response", "disclaimer", "requested_on", "review_date"]),
    st.one_of(st.none(), st.booleans(), DAYS.map(str),
              st.sampled_from(["weekly", "fortnightly", "monthly", "six_months",
                               "twelve_months", "in_place", "withdrawn", "nonsense"])),
    max_size=3,
)
EVENTS = st.builds(
    Event,
    person_id=st.sampled_from(["P1", "P1", "P2"]),
    service=st.sampled_from([*SERVICES, "other"]),
    kind=st.sampled_from(KINDS),
    on=DAYS,
    at=MOMENTS,
    worker=st.sampled_from([None, "Ann", "Bob"]),
    complete=st.booleans(),
    submission_id=st.sampled_from([None, 1, 2]),
    source=st.sampled_from([None, "a.docx"]),
    details=DETAILS,
)


@settings(max_examples=300, deadline=None, database=None)
@given(events=st.lists(EVENTS, max_size=40), as_of=DAYS, data=st.data())
def test_every_service_gives_the_same_obligations_in_any_order(
    events: list[Event], as_of: date, data: st.DataObject
) -> None:
    expected = compute_obligations(events, as_of)
    assert compute_obligations(data.draw(st.permutations(events)), as_of) == expected
    assert compute_obligations(reversed(events), as_of) == expected
    assert compute_obligations([e for e in events if e.on <= as_of], as_of) == expected


@settings(max_examples=300, deadline=None, database=None)
@given(events=st.lists(EVENTS, max_size=30))
def test_sorted_events_is_a_sort_by_the_order_key(events: list[Event]) -> None:
    assert sorted_events(events) == sorted(events, key=event_order_key)


@settings(max_examples=300, deadline=None, database=None)
@given(first=EVENTS, second=EVENTS)
def test_earlier_of_two_is_the_earliest(first: Event, second: Event) -> None:
    assert earlier(first, second) is sorted_events([first, second])[0]
