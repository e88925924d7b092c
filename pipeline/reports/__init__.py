"""What Planwatch writes for people to read, one subpackage per thing it makes.

- :mod:`~pipeline.reports.weekly`: the manager's weekly compliance workbook (its sheets,
  its input, the weekly snapshots behind its trend, and the job that writes it);
- :mod:`~pipeline.reports.outcome_summary`: the Word outcome summary written when
  support ends (and drafts before a planned departure);
- :mod:`~pipeline.reports.schedule`: a worker's review schedule, as a workbook and as an
  iCalendar file;
- :mod:`~pipeline.reports.xlsx`: streaming and styling the workbooks both of the above
  write.

Shared by them: :mod:`~.feed` (the one data layer from the store to the reports),
:mod:`~.tally` (counting obligations by group), :mod:`~.sites`, :mod:`~.text` (text fit
for one line) and :mod:`~.saving` (writing through :mod:`pipeline.files`, with the
reports' own error messages); :mod:`~.demo` writes the demo's reports.

Reports may import the store, the rules, :mod:`pipeline.casework`, the records, the
definitions and policies, and :mod:`pipeline.files`; nothing below them (inbox, formats,
rules, store, casework) imports reports: only the command line, the watcher's timetable
(:mod:`pipeline.watch.jobs`) and :mod:`pipeline.prefill` do. This package imports nothing
itself, so importing one report is cheap.
"""
