"""The people a batch of forms is about: found, or created, in one round trip."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.store.models import Person


def get_or_create_people(session: Session, person_ids: list[str]) -> dict[str, Person]:
    """Each person by id, created (and flushed) where the store has not seen them.

    Safe when another process meets the same new person at once: the new rows are added
    in a savepoint, and if another process won the race the rows are read back instead.
    """
    wanted = sorted(set(person_ids))
    found = _people(session, wanted)
    missing = [person_id for person_id in wanted if person_id not in found]
    if missing:
        created = {person_id: Person(person_id=person_id) for person_id in missing}
        try:
            with session.begin_nested():
                session.add_all(created.values())
        except IntegrityError:
            found = _people(session, wanted)
            if len(found) < len(wanted):
                raise
        else:
            found.update(created)
    return found


def _people(session: Session, person_ids: list[str]) -> dict[str, Person]:
    return {person.person_id: person for person in session.scalars(
        select(Person).where(Person.person_id.in_(person_ids)))}
