"""The inbox: which files to take, and taking each one to a visible outcome.

:mod:`.candidates` says which files in a folder get an outcome, :mod:`.dropped` opens one
safely and reads it once, :mod:`.sandbox` and :mod:`.read_ahead` read it in worker
processes with time and memory limits (through :mod:`pipeline.formats.reading`, then
:mod:`pipeline.validate`), :mod:`.ingest` takes one file to its outcome and
:mod:`.backlog` many at once, :mod:`.recording` writes a validated form into the store
(supersession, episodes) and :mod:`.failures` tells the file's faults from the machine's.
It may import the formats, validate, the store, the rules and the top-level modules,
never the reports, the watcher, the demo or the command line: what follows storing (a
closure's outcome summary) is the caller's job.
"""
