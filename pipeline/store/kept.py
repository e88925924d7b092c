"""The kept obligations' tables: what was worked out from what, read and replaced.

    kept_basis        one row: the fingerprint and rule sets they were worked out by
    kept_groups       per person and service: the horizon they hold from, who lists them
    kept_obligations  the obligations themselves, without their status

The store only keeps them: the rules work them out and judge them
(:mod:`pipeline.rules.kept`), and whoever changes a person's forms replaces that person's
rows in the same transaction (:mod:`pipeline.inbox.recording`); a different fingerprint
means every row is worked out again (:mod:`pipeline.casework`). Rows go in and come out
as column values in :data:`COLUMNS` order; each person's rows are written in the rules'
order and read back in it.

Locks, for PostgreSQL (SQLite's transactions are one at a time already): storing forms
holds the kept obligations shared (:func:`hold`) and its people's rows
(:func:`lock_people`); working everything out again holds them alone, so neither starts
while the other is under way.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    String,
    and_,
    case,
    delete,
    false,
    func,
    insert,
    null,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pipeline.store.models import KeptBasis, KeptGroupRow, KeptObligationRow, Person, utc_now

# Fingerprints that are no hash: kept rows to be worked out again before they are read.
# MIGRATED: a store that held forms before obligations were kept (migration 0006);
# STALE: forms were stored by a Planwatch whose fingerprint differed from the basis's.
MIGRATED = "migrated"
STALE = "stale"

# The columns of a kept obligation, in the order of pipeline.rules.kept.KeptObligation.
COLUMNS = ("person_id", "service", "obligation", "due", "state", "met_on", "worker", "team",
           "source", "cycle", "episode", "due_at", "note", "met_by", "next_due", "onward")
# Dates, times and JSON as the database hands them over (see rows()).
_RAW = {"due", "met_on", "due_at", "next_due", "onward"}
_SELECTED = tuple(type_coerce(getattr(KeptObligationRow, name), String) if name in _RAW
                  else getattr(KeptObligationRow, name) for name in COLUMNS)
# Rows of at most this many people per statement (PostgreSQL and SQLite limit parameters).
_PER_QUERY = 500
# PostgreSQL's advisory lock for the kept obligations (any number Planwatch uses alone).
_ADVISORY_KEY = 0x706C616E77617463  # "planwatc"


class Basis(NamedTuple):
    """What the kept obligations were worked out from (see :class:`KeptBasis`)."""

    fingerprint: str
    rule_sets: str | None


class Group(NamedTuple):
    """One person in one service whose obligations are kept (see :class:`KeptGroupRow`)."""

    person_id: str
    service: str
    horizon: date
    listers: tuple[str, ...]


def basis(session: Session) -> Basis | None:
    """The basis of the kept obligations; None before any were worked out."""
    found = session.execute(select(KeptBasis.fingerprint, KeptBasis.rule_sets)).first()
    return None if found is None else Basis(found[0], found[1])


def hold(session: Session, *, alone: bool) -> None:
    """Hold the kept obligations until the transaction ends (PostgreSQL): shared, to
    bring some people's up to date (storing forms), or ``alone``, to work every one out
    again, so neither starts while the other is under way. (SQLite's transactions are
    one at a time already.)"""
    if session.get_bind().dialect.name == "postgresql":
        call = "pg_advisory_xact_lock" if alone else "pg_advisory_xact_lock_shared"
        session.execute(select(getattr(func, call)(_ADVISORY_KEY)))


def lock_people(session: Session, people: Collection[str]) -> None:
    """Hold ``people``'s rows until the transaction ends (PostgreSQL), so that two
    transactions storing forms of one person bring their obligations up to date one
    after the other. A person with no row yet is held by its creation (the first
    transaction to add one makes the other wait)."""
    for chunk in _chunks(sorted(people)):
        session.execute(select(Person.id).where(Person.person_id.in_(chunk))
                        .order_by(Person.person_id).with_for_update(key_share=True)).all()


def set_basis(session: Session, fingerprint: str, rule_sets: str) -> None:
    """Record what the kept obligations are now worked out from."""
    session.execute(delete(KeptBasis))
    session.execute(insert(KeptBasis), [{"id": 1, "fingerprint": fingerprint,
                                         "rule_sets": rule_sets, "worked_out_at": utc_now()}])


def mark_stale(session: Session) -> None:
    """Say the kept obligations must be worked out again before they are read (forms
    were stored by rule sets other than theirs)."""
    session.execute(update(KeptBasis).values(fingerprint=STALE))


def replace(session: Session, people: Collection[str] | None, groups: Iterable[Group],
            rows: Iterable[dict[str, Any]]) -> None:
    """Replace the kept groups and obligations of ``people`` (None: of everyone) with
    ``groups`` and ``rows`` (each a dict of :data:`COLUMNS`, ``onward`` as JSON)."""
    if people is None:
        session.execute(delete(KeptObligationRow))
        session.execute(delete(KeptGroupRow))
    else:
        for chunk in _chunks(sorted(people)):
            session.execute(delete(KeptObligationRow)
                            .where(KeptObligationRow.person_id.in_(chunk)))
            session.execute(delete(KeptGroupRow).where(KeptGroupRow.person_id.in_(chunk)))
    connection = session.connection()
    values = [{"person_id": g.person_id, "service": g.service, "horizon": g.horizon,
               "listers": list(g.listers)} for g in groups]
    if values:
        connection.execute(insert(KeptGroupRow), values)
    written = list(rows)
    if written:
        # Core, not the ORM: one executemany, in the order given (the rules' order).
        connection.execute(insert(KeptObligationRow), written)


def rows(session: Session, *,
         states: Mapping[str, tuple[date | None, date | None]] | None = None,
         people: Collection[str] | None = None,
         onward_by: date | None = None) -> list[Sequence[Any]]:
    """Kept obligations as :data:`COLUMNS` values, each person's in the order written:
    all of them, or of ``states`` only, each state's due on or before the first date or
    with a ``next_due`` on or before the second (None: by neither; ``date.max``: all of
    that state's); of ``people`` only, when given. With ``onward_by``, a chain's
    ``onward`` only where its ``next_due`` is on or before that date (None elsewhere:
    it is not needed before then, and it is most of a row).

    Dates, times and JSON come as the database hands them over: Python values from
    PostgreSQL's driver, text from SQLite (ISO dates, UTC times, JSON), made Python
    values by the reader (:func:`pipeline.rules.kept.from_columns`) in the one pass it
    makes over them: through SQLAlchemy's own processing a council's rows cost several
    times as much.
    """
    selected = list(_SELECTED)
    if onward_by is not None:
        selected[-1] = case((KeptObligationRow.next_due <= onward_by, selected[-1]),
                            else_=null())
    query = select(*selected).order_by(KeptObligationRow.id)
    if states is not None:
        query = query.where(or_(false(), *(
            _reading(state, due_by, next_due_by)
            for state, (due_by, next_due_by) in sorted(states.items()))))
    connection = session.connection()
    if people is None:
        return list(connection.execute(query).all())
    found: list[Sequence[Any]] = []
    for chunk in _chunks(sorted(people)):
        found += connection.execute(query.where(KeptObligationRow.person_id.in_(chunk))).all()
    return found


def _reading(state: str, due_by: date | None, next_due_by: date | None) -> ColumnElement[bool]:
    """The rows of ``state`` that :func:`rows` reads by those dates."""
    if due_by == date.max:
        return KeptObligationRow.state == state
    chosen = [KeptObligationRow.due <= due_by] if due_by is not None else []
    if next_due_by is not None:
        chosen.append(KeptObligationRow.next_due <= next_due_by)
    return and_(KeptObligationRow.state == state, or_(false(), *chosen))


def groups(session: Session, *, later_than: date | None = None,
           people: Collection[str] | None = None) -> list[Group]:
    """Kept groups (with a horizon after ``later_than``, of ``people``, when given)."""
    query = select(KeptGroupRow.person_id, KeptGroupRow.service, KeptGroupRow.horizon,
                   KeptGroupRow.listers).order_by(KeptGroupRow.id)
    if later_than is not None:
        query = query.where(KeptGroupRow.horizon > later_than)
    chunks: Iterable[Sequence[str] | None] = [None] if people is None else _chunks(
        sorted(people))
    found: list[Group] = []
    for chunk in chunks:
        chosen = query if chunk is None else query.where(KeptGroupRow.person_id.in_(chunk))
        found += [Group(person, service, horizon, tuple(listers or ()))
                  for person, service, horizon, listers in session.execute(chosen)]
    return found


def counts(session: Session) -> tuple[int, int]:
    """How many people have kept obligations (or a kept group), and how many rows."""
    people = session.scalar(select(func.count(KeptGroupRow.person_id.distinct()))) or 0
    obligations = session.scalar(select(func.count()).select_from(KeptObligationRow)) or 0
    return int(people), int(obligations)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _PER_QUERY):
        yield items[start:start + _PER_QUERY]
