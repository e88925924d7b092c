"""The ``planwatch`` command line: thin commands over library functions.

Each command group lives in its own module and registers itself on :data:`app`. A
:class:`PlanwatchError` becomes its message on stderr and exit code 1; nothing else
business-like happens here. The top of the house: it may import any package, and no
package imports it (only ``bench/`` and the tests do).

Registering a command costs only typer and rich: each module imports what its command
needs (settings, the store, the readers, the reports) inside the command's function, and
the names its annotations use under ``TYPE_CHECKING``, so that ``planwatch --help``,
``forms list`` and ``status`` import no database, spreadsheet, PDF or plotting library
(``tests/test_cli_imports.py``).
"""

from __future__ import annotations

import sys

from pipeline.cli.app import app, console_error
from pipeline.errors import PlanwatchError

# Command modules (one per command, or command group) register themselves on import.
from pipeline.cli import db as _db  # noqa: F401  isort: skip
from pipeline.cli import demo as _demo  # noqa: F401  isort: skip
from pipeline.cli import due as _due  # noqa: F401  isort: skip
from pipeline.cli import forms as _forms  # noqa: F401  isort: skip
from pipeline.cli import ingest as _ingest  # noqa: F401  isort: skip
from pipeline.cli import init as _init  # noqa: F401  isort: skip
from pipeline.cli import report as _report  # noqa: F401  isort: skip
from pipeline.cli import schedule as _schedule  # noqa: F401  isort: skip
from pipeline.cli import show as _show  # noqa: F401  isort: skip
from pipeline.cli import status as _status  # noqa: F401  isort: skip
from pipeline.cli import summary as _summary  # noqa: F401  isort: skip
from pipeline.cli import watch as _watch  # noqa: F401  isort: skip


def main() -> None:
    try:
        app()
    except PlanwatchError as exc:
        console_error(exc)
        sys.exit(1)
