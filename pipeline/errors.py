"""One error tree for everything a person may need to act on.

    PlanwatchError                 anything Planwatch reports to a person (exit code 1)
    ├── DefinitionError            a form definition file is wrong (names file and key)
    ├── UnknownFormError           a form id, or a file, that Planwatch does not know
    ├── FormReadError              a file that cannot be read as a form (names the file)
    │   ├── UnsafeFileError        a file refused before parsing (zip bomb, DOCTYPE, ...)
    │   └── ReaderLimitError       its reading hit a time or memory limit, or the reader
    │                              stopped: not a verdict on the content (tried again)
    ├── FillError                  values that cannot be put into a form (names the field)
    ├── SettingsError              planwatch.toml or PLANWATCH_* variables are wrong
    ├── StoreError                 the store cannot be opened or written
    └── ReportError                a report cannot be written

Third-party errors are converted at the boundary with ``raise X(...) from exc`` so the
message always says which file or field and what to do next.
"""

from __future__ import annotations

from pathlib import Path


class PlanwatchError(Exception):
    """Base of every error a person is shown. ``str(err)`` is the whole message."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\n{hint}")


class DefinitionError(PlanwatchError):
    """A form or policy definition is wrong: names the file and the key."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path = Path(path)
        self.key = key
        super().__init__(
            f"{self.path}: {key}: {problem}",
            hint="Fix the definition file and run the command again.",
        )


class UnknownFormError(PlanwatchError):
    """A form id or file that Planwatch does not recognise."""


class FormReadError(PlanwatchError):
    """A file that cannot be read as a form."""

    def __init__(self, path: Path | str, problem: str, *, hint: str | None = None) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path.name}: {problem}", hint=hint)


class UnsafeFileError(FormReadError):
    """A file refused before parsing because it could harm the machine or the reader."""


class ReaderLimitError(FormReadError):
    """Reading a file hit the reader's time or memory limit, or the reader stopped.

    Not a verdict on the content: a busy machine can make a good file slow. An identical
    copy dropped later is tried again. ``retry_larger``: a time or memory limit was hit,
    so reading once more with larger limits may succeed.
    """

    def __init__(self, path: Path | str, problem: str, *, hint: str | None = None,
                 retry_larger: bool = False) -> None:
        super().__init__(path, problem, hint=hint)
        self.retry_larger = retry_larger


class FillError(PlanwatchError):
    """Values that cannot be written into a form: names the field."""


class SettingsError(PlanwatchError):
    """Settings from planwatch.toml or the environment are wrong."""


class StoreError(PlanwatchError):
    """The store cannot be opened, migrated or written."""


class ReportError(PlanwatchError):
    """A report cannot be produced."""


class ReaderStartError(PlanwatchError):
    """The sandboxed reader process could not start (nothing to do with any file)."""
