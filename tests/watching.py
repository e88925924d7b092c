"""Helpers for watcher tests: a workspace, a watcher in a thread, waiting for outcomes."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Settings, load_settings
from pipeline.definitions import Catalogue
from pipeline.forms_service import fill
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.ingest import IngestResult, Parse, Workspace, ingest_file
from pipeline.store.session import Store, open_store
from pipeline.watch.loop import Watcher, WatchOptions
from pipeline.workspace import init_workspace
from tests.form_values import FULL_VALUES


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@dataclass
class Running:
    settings: Settings
    store: Store
    results: list[IngestResult] = field(default_factory=list)
    calls: list[tuple[float, Path]] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)  # files per batch taken

    @property
    def inbox(self) -> Path:
        return self.settings.inbox_path

    def outcomes(self) -> dict[str, str]:
        return {r.file: r.outcome.value for r in list(self.results)}


def new_workspace(root: Path) -> Settings:
    init_workspace(root)
    return load_settings(root)


@contextmanager
def watching(root: Path, options: WatchOptions, *, parse: Parse | None = None,
             max_file_bytes: int | None = None, batches: bool = False) -> Iterator[Running]:
    """A watcher on a fresh workspace, in a background thread, stopped afterwards."""
    settings = new_workspace(root)
    with open_store(settings.database_url) as store:
        from pipeline.formats.safety import Limits

        limits = Limits(max_file_bytes=max_file_bytes or settings.max_file_bytes)
        workspace = Workspace(home=settings.home, inbox=settings.inbox_path,
                              archive=settings.archive_path, rejected=settings.rejected_path,
                              catalogue=Catalogue.load(), limits=limits, parse=parse)
        running = Running(settings, store)

        def ingest(path: Path) -> IngestResult:
            running.calls.append((time.monotonic(), path))
            return ingest_file(path, store, workspace, command="watch")

        def ingest_batch(paths: list[Path]) -> list[IngestResult]:
            running.calls.extend((time.monotonic(), path) for path in paths)
            running.batches.append(len(paths))
            return ingest_paths(paths, store, workspace, command="watch")

        watcher = Watcher(inbox=settings.inbox_path, home=settings.home, ingest=ingest,
                          options=options, on_result=running.results.append,
                          ingest_batch=ingest_batch if batches else None)
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
        thread.start()
        try:
            yield running
        finally:
            stop.set()
            thread.join(timeout=10)


def filled_bytes(catalogue: Catalogue, tmp: Path, form_id: str = "review",
                 **changes: object) -> bytes:
    values = {k: v for k, v in {**FULL_VALUES[form_id], **changes}.items() if v is not None}
    return fill(catalogue.get(form_id), values, tmp / f"template-{form_id}.docx").read_bytes()


def variant(template: bytes, person_id: str) -> bytes:
    """The same filled form for another person: a cheap way to make many distinct files."""
    source = zipfile.ZipFile(io.BytesIO(template))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "word/document.xml":
                data = data.replace(b"CS-00042", person_id.encode())
            target.writestr(entry, data)
    return output.getvalue()
