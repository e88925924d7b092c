"""The watcher: notice files dropped into the inbox and release them when complete.

:mod:`.loop` takes file events and full re-scans, :mod:`.settle` releases a file once it
has stopped changing and can be opened, and each released file goes through the same
:func:`pipeline.inbox.ingest.ingest_file` as ``planwatch ingest``; :mod:`.status` is the
status file ``planwatch status`` reads. It sits above the inbox and the reports:
:mod:`.jobs`, its timetable (the Monday workbook, departure drafts), is the one module
here that calls the reports; the loop itself only watches.
"""
