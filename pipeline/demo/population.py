"""The demo's population: people of every service, in realistic proportions.

``demo_people(as_of, count, seed)`` shares ``count`` out among the services (with a few
more people than asked: children arrive with their mothers, and some women move on from
the refuge to floating support), and builds each service's histories with its own
module. The same seed always gives the same people.
"""

from __future__ import annotations

import random
from datetime import date

from pipeline.demo.common import DemoPerson
from pipeline.demo.families import families
from pipeline.demo.hil import hil_residents
from pipeline.demo.histories import community_support_people
from pipeline.demo.refuge import floating_support, refuge_women
from pipeline.demo.sds import sds_people

# Shares of the people asked for; children and women moving on come on top.
# Families First reviews weekly for up to six months: few families make many forms.
SHARES = {"community-support": 30, "swa-refuge-women": 14, "swa-floating": 6,
          "medway-hil": 16, "families-first": 8, "sds": 14}


def shares(count: int) -> dict[str, int]:
    """``count`` split by :data:`SHARES` (largest remainders; every service gets someone
    once there are enough people to go round)."""
    total = sum(SHARES.values())
    exact = {service: count * share / total for service, share in SHARES.items()}
    split = {service: int(value) for service, value in exact.items()}
    if count >= len(SHARES):
        split = {service: max(1, n) for service, n in split.items()}
    by_remainder = sorted(SHARES, key=lambda s: (split[s] - exact[s], list(SHARES).index(s)))
    index = 0
    while sum(split.values()) < count:
        split[by_remainder[index % len(by_remainder)]] += 1
        index += 1
    while sum(split.values()) > count:
        largest = max(split, key=lambda s: split[s])
        split[largest] -= 1
    return split


def demo_people(as_of: date, count: int = 100, seed: int = 2026) -> list[DemoPerson]:
    """About ``count`` people across every service, with varied histories (see above)."""
    rng = random.Random(seed)
    split = shares(count)
    women, children_and_movers = refuge_women(as_of, split["swa-refuge-women"], rng)
    people = [
        *community_support_people(as_of, split["community-support"], rng),
        *women, *children_and_movers,
        *floating_support(as_of, split["swa-floating"], rng,
                          number=split["swa-refuge-women"] + 1),
        *hil_residents(as_of, split["medway-hil"], rng),
        *families(as_of, split["families-first"], rng),
        *sds_people(as_of, split["sds"], rng),
    ]
    # Some staff use LibreOffice; re-saving is slow, so a few of their forms are enough.
    for person in people:
        for form in person.forms:
            form.libreoffice = rng.random() < 0.06
    return people
