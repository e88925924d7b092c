"""The garbage collector paused for bulk work, and restored after, however it ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from pipeline.rules.bulk import collector_paused


@pytest.fixture
def collector_running() -> Iterator[None]:
    was_running = gc.isenabled()
    gc.enable()
    yield
    if not was_running:
        gc.disable()


@pytest.mark.usefixtures("collector_running")
def test_paused_inside_and_running_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_running")
def test_nested_pauses_only_the_outermost_restarts_it() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_running")
def test_restarted_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_left_paused_when_it_was_paused_before() -> None:
    was_running = gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was_running:
            gc.enable()
