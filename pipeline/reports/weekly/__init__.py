"""The manager's weekly compliance workbook: :mod:`.workbook` writes it from a
:class:`~.data.WeeklyInput` (sheets in :mod:`.summary_sheet`, :mod:`.sheets` and
:mod:`.caseload`), :mod:`.snapshots` keeps the weekly counts behind its trend, and
:mod:`.job` is what the command line and the watcher call (store and settings in, file
out). Imports the shared report modules (feed, tally, sites, text, saving, xlsx)."""
