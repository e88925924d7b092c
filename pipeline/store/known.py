"""What the store knows, for checking a filter a person typed (``--worker``, ``--team``,
``--site``, a person's reference): every distinct value, read in one query each."""

from __future__ import annotations

from sqlalchemy import select

from pipeline.store.models import EventRow, Person, Submission
from pipeline.store.session import Store


def workers(store: Store) -> set[str]:
    """Every worker named on a stored form's event."""
    with store.session() as session:
        return {w for w in session.scalars(select(EventRow.worker).distinct()) if w}


def teams(store: Store) -> set[str]:
    """Every team named on a stored form's event."""
    with store.session() as session:
        return {t for t in session.scalars(select(EventRow.team).distinct()) if t}


def sites(store: Store) -> set[str]:
    """Every site a file was taken at."""
    with store.session() as session:
        return {s for s in session.scalars(select(Submission.site).distinct()) if s}


def people(store: Store) -> set[str]:
    """Every person a form was stored for, and everyone listed on one (a child on her
    mother's referral has a person of their own)."""
    with store.session() as session:
        found = {p for p in session.scalars(select(Person.person_id)) if p}
        found |= {p for p in session.scalars(select(EventRow.person_id).distinct()) if p}
        return found
