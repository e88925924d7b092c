"""A worker's review schedule: :mod:`.workbook` as a workbook, :mod:`.calendar` as an
iCalendar file with reminders, :mod:`.job` from the store and settings. Imports the
shared report modules."""
