"""The manager's weekly compliance workbook.

    Summary                   as-of date; what changed since the previous workbook;
                              counts and on-time rates by service, team and worker,
                              coloured red/amber/green; the 12-week trend chart
    Since last week           each change (newly overdue, no longer overdue, files
                              rejected, people started and ended), linked to its row
    Overdue                   past due and not met, most overdue first: who, whose
                              caseload, since when, which form is needed, the source file
    Due soon                  not met, due within the due-soon window (14 days by default)
    Incomplete                one row per finding on a stored form still waiting to be fixed
    Disagreements and wishes  plans and reviews where the person disagreed, or wishes could
                              not be incorporated (people supported now)
    Caseload                  open episodes by service (against capacity), team and worker
    Outcomes                  average first and latest outcome scores by service and area
    Outcomes by person        first and latest score per person and area (distance travelled)
    Rejected                  files that could not be taken in, and why
    Obligations               every obligation: filtering it reproduces every Summary count
    Active people             every open episode: the rows behind the caseload counts

A pure function over :class:`~pipeline.reports.weekly.data.WeeklyInput`: no store, no
settings. Statuses are taken as the rules computed them for ``as_of``. Every row that
comes from a form links to the archived file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from pipeline.errors import ReportError
from pipeline.reports.weekly.caseload import write_caseload
from pipeline.reports.weekly.changes import changes_sheet, changes_since
from pipeline.reports.weekly.data import WeeklyInput
from pipeline.reports.weekly.sheets import (
    STATUS_LABELS,
    detail_sheets,
    form_sheets,
    obligation_sheets,
    outcome_sheets,
)
from pipeline.reports.weekly.summary_sheet import iso_week, write_summary
from pipeline.reports.xlsx.book import Book, write_workbook
from pipeline.reports.xlsx.links import file_links
from pipeline.reports.xlsx.lists import write_list_sheet
from pipeline.reports.xlsx.style import Link, Value

__all__ = ["STATUS_LABELS", "weekly_report_name", "write_weekly_workbook"]


def weekly_report_name(as_of: date) -> str:
    """The file name of the week's workbook: ``compliance-YYYY-Www.xlsx`` (ISO year, week)."""
    return f"compliance-{iso_week(as_of)}.xlsx"


def _file_name(stored: str) -> str:
    """``Path(stored).name``, without building a Path for the usual archived path."""
    name = stored.rpartition("/")[2]
    if "\\" in stored or name in ("", ".", ".."):
        return Path(stored).name
    return name


def write_weekly_workbook(
    data: WeeklyInput, path: Path, *, files_root: Path | None = None
) -> Path:
    """Write the weekly compliance workbook for ``data`` to ``path`` and return ``path``.

    The file is replaced atomically (readers see the previous workbook or the new one)
    and is owner-only, as every report: it names people and their workers.
    Archived-file paths become links relative to the workbook; relative stored paths are
    taken relative to ``files_root`` (the workspace) or, without it, to the workbook's
    folder. Raises
    :class:`ReportError` when ``path`` is not an .xlsx file or cannot be written.
    """
    if path.suffix.lower() != ".xlsx":
        raise ReportError(
            f"{path}: the weekly workbook must be an .xlsx file.",
            hint="Give an output name ending in .xlsx.",
        )
    week = iso_week(data.as_of)
    footer = f"Planwatch weekly compliance {week}, as of {data.as_of:%d/%m/%Y}"

    target = file_links(path.parent, files_root)
    return _write(data, path, target, footer, week)


def _write(data: WeeklyInput, path: Path, target: Callable[[str], str], footer: str,
           week: str) -> Path:
    """The workbook's sheets, written and saved (see write_weekly_workbook)."""
    # Many rows link to the same form (an obligation's trigger, a plan with findings).
    links: dict[str, Link] = {}

    def link(stored: str | None, text: str | None = None) -> Value:
        if stored is None:
            return text
        if text is not None:
            return Link(text, target(stored))
        if stored not in links:
            links[stored] = Link(_file_name(stored), target(stored))
        return links[stored]

    changes = changes_since(data)
    change_title, change_columns, change_rows, no_changes = changes_sheet(data, changes)

    def fill(book: Book) -> None:
        # Sheet by sheet, in tab order, each written whole before the next (constant
        # memory: a council's list sheets run to hundreds of thousands of rows).
        write_summary(book, data, footer, changes)
        write_list_sheet(book, change_title, change_columns, change_rows,
                         empty_message=no_changes, footer=footer)
        for title, columns, rows, empty in [*obligation_sheets(data, link),
                                            *form_sheets(data, link)]:
            write_list_sheet(book, title, columns, rows, empty_message=empty, footer=footer)
        write_caseload(book, data, footer)
        for title, columns, rows, empty in [*outcome_sheets(data, link),
                                            *detail_sheets(data, link)]:
            write_list_sheet(book, title, columns, rows, empty_message=empty, footer=footer)

    return write_workbook(path, fill, title=f"Planwatch weekly compliance {week}")
