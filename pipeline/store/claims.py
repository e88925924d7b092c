"""Claims: one process at a time works on a given file content, across every watcher.

Several watchers may share an inbox (or a PostgreSQL store across sites). Before reading
a file, a watcher claims its content hash; another watcher that meets the same content
meanwhile skips it. A claim dies with its process, so a watcher killed mid-file never
blocks the others:

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a dedicated
  connection, released by the server when the connection closes.
- SQLite (one machine): an exclusive ``flock`` on a small lock file next to the store,
  released by the kernel when the process exits.

The content hash stays the final guard: it is unique in the store, so even two claims
that somehow overlapped would store the file once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text

from pipeline import files
from pipeline.store.session import Store, sqlite_file

CLAIMS_DIR = ".planwatch-claims"


def _advisory_key(sha256: str) -> int:
    # The first 60 bits of the hash fit PostgreSQL's signed bigint.
    return int(sha256[:15], 16)


@contextlib.contextmanager
def _file_claim(folder: Path, sha256: str) -> Iterator[bool]:
    import fcntl

    path = files.private_dir(folder) / f"{sha256}.lock"
    descriptor = files.open_private(path)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            path.unlink(missing_ok=True)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _postgres_claims(store: Store, hashes: list[str]) -> Iterator[set[str]]:
    keys = {sha256: _advisory_key(sha256) for sha256 in hashes}
    with store.engine.connect() as connection:
        held = {sha256 for sha256, key in keys.items() if connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()}
        connection.commit()
        try:
            yield held
        finally:
            for sha256 in held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                   {"key": keys[sha256]})
            connection.commit()


@contextlib.contextmanager
def claim_many(store: Store, hashes: list[str]) -> Iterator[set[str]]:
    """Claim several contents at once (on one connection); yields the hashes this process
    now holds, which excludes those another process has. ``hashes`` must be distinct."""
    if store.engine.dialect.name == "postgresql":
        with _postgres_claims(store, hashes) as held:
            yield held
        return
    with contextlib.ExitStack() as stack:
        yield {sha256 for sha256 in hashes if stack.enter_context(claim(store, sha256))}


@contextlib.contextmanager
def claim(store: Store, sha256: str) -> Iterator[bool]:
    """Hold the claim on ``sha256`` for the block; yields False if another process has it."""
    if store.engine.dialect.name == "postgresql":
        with _postgres_claims(store, [sha256]) as held:
            yield sha256 in held
        return
    database = sqlite_file(store.engine.url)
    if database is None or os.name != "posix":  # in-memory store, or no flock: no rivals
        yield True
        return
    with _file_claim(database.parent / CLAIMS_DIR, sha256) as held:
        yield held
