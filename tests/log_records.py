"""What Planwatch's own log handlers would receive, from a pytest ``caplog``.

pytest 9.2 attaches its capturing handler to every logger that does not propagate, so
``caplog`` now also hears the third-party loggers that
:mod:`pipeline.formats.containment` closes off (their records go to its counting sink
and nowhere else: never to root, where Planwatch's log file and console handlers are).
Tests that check nothing personal reaches a log look at the records that reach root.
"""

from __future__ import annotations

import logging

import pytest

from pipeline.formats.containment import LIBRARIES


def _contained(name: str) -> bool:
    return any(name == library or name.startswith(f"{library}.") for library in LIBRARIES)


def reaching_root(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The captured records that would reach the root logger's handlers."""
    for library in LIBRARIES:  # the containment itself, checked rather than assumed
        logger = logging.getLogger(library)
        assert not logger.propagate, f"{library} records would reach Planwatch's logs"
    # A logger that did not propagate when the test began has pytest's handler too: a
    # record that then reaches root as well is captured twice, as the same object.
    seen: set[int] = set()
    found: list[logging.LogRecord] = []
    for record in caplog.records:
        if not _contained(record.name) and id(record) not in seen:
            seen.add(id(record))
            found.append(record)
    return found


def text_reaching_root(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return "\n".join(formatter.format(record) for record in reaching_root(caplog))
