"""Whose failure is it: the file's, or the machine's around it?

When storing a file fails unexpectedly, the answer decides what happens to it. A failure
of the machine (the store unreachable or busy, the disk full, a folder that cannot be
written) says nothing about the file: it stays in the inbox and is tried again once the
problem is gone, and the watcher's health says what is wrong. Any other failure came
from this file's content meeting a fault in Planwatch: the file is rejected with a
reason (and may be tried again as an identical copy), so one poison file never blocks
the queue or the rest of its batch.
"""

from __future__ import annotations

import errno

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from pipeline.errors import ReaderStartError, StoreError

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def machine_problem(exc: BaseException) -> str | None:
    """What is wrong around the file, in a few words for ``planwatch status``; None when
    the failure is the file's own."""
    if isinstance(exc, OSError):
        if exc.errno in _DISK_FULL:
            return "disk full: files stay in the inbox until there is space"
        if exc.errno == errno.EROFS:
            return "a folder is read-only: files stay in the inbox"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "cannot write to the archive or rejected folder (permission denied)"
        return "cannot write to the workspace's folders (input/output error)"
    if isinstance(exc, ReaderStartError):
        return "the reader process cannot start"
    if isinstance(exc, StoreError):
        cause = exc.__cause__
        text = str(getattr(cause, "orig", cause) or "").lower()
        if "disk" in text and "full" in text:
            return "disk full: files stay in the inbox until there is space"
        if isinstance(cause, OperationalError | InterfaceError) or (
                isinstance(cause, DBAPIError) and cause.connection_invalidated):
            return "the store is unreachable or busy: files stay in the inbox"
    return None


STORE_FAILED_REASON = (
    "Planwatch could not store this form because of a fault in Planwatch itself, not "
    "necessarily in the form. It is kept here; report it to whoever looks after Planwatch. "
    "Once that is fixed, drop the same file again and it is tried again.")
