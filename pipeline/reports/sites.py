"""One site's view of the weekly workbook, when several sites share one store.

A site's caseload is every (person, service) with a current form taken by that site's
watcher (:func:`pipeline.casework.site_people`); its workbook keeps only their rows, and
only the files rejected at that site. The 12-week trend stays the whole organisation's:
snapshots are kept for the unfiltered workbook only.
"""

from __future__ import annotations

from pipeline.reports.weekly.data import WeeklyInput


def for_site(data: WeeklyInput, people: set[tuple[str, str]], site: str) -> WeeklyInput:
    """``data`` restricted to one site's caseload and rejected files."""

    def mine(person_id: str | None, service: str) -> bool:
        return person_id is not None and (person_id, service) in people

    return data.model_copy(update={
        "obligations": [o for o in data.obligations if mine(o.person_id, o.service)],
        "incomplete": [r for r in data.incomplete if mine(r.person_id, r.service)],
        "rejected": [r for r in data.rejected if r.site == site],
        "active_people": [p for p in data.active_people if mine(p.person_id, p.service)],
        "disagreements": [d for d in data.disagreements if mine(d.person_id, d.service)],
        "scores": [s for s in data.scores if mine(s.person_id, s.service)],
    })
