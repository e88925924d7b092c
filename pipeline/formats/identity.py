"""Which form a file is: the clues every format carries, and how they are weighed.

Each blank form carries its form id, version and service three ways: in the file's
properties (custom document properties, the PDF information dictionary), in a printed
stamp ("Planwatch form review · version 1 · community-support", the footer) and in its
title. Office suites and viewers keep different clues, so a reader collects all it can
find and :func:`identify` takes the first that names a form in the catalogue.

Every format's builder writes these clues and its reader looks for them, so they live
here, beside no format: the custom property names (Word and Excel), the stamp's text, and
the fixed moment every blank form is saved at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.definitions import Catalogue, FormDefinition
from pipeline.errors import FormReadError, UnknownFormError

# Custom document properties that identify a blank or filled form (.docx and .xlsx).
PROP_FORM_ID = "PlanwatchFormId"
PROP_FORM_VERSION = "PlanwatchFormVersion"
PROP_SERVICE = "PlanwatchService"
# Every blank form is stamped as saved at this moment, so that building it again gives
# the same bytes (see tests/test_formats_word_build.py).
FIXED_STAMP = datetime(2026, 1, 1, tzinfo=UTC)

STAMP_PATTERN = re.compile(
    r"Planwatch form (?P<id>[a-z][a-z0-9-]*) \u00b7 version (?P<version>\d+) \u00b7 "
    r"(?P<service>[a-z0-9-]+)"
)
# "Support plan (Community Support)": the title a blank form's properties carry.
_SERVICE_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")


def stamp_text(form_id: str, version: int, service: str) -> str:
    """The stamp printed on every blank form (the Word form's footer says the same)."""
    return f"Planwatch form {form_id} \u00b7 version {version} \u00b7 {service}"


@dataclass(frozen=True)
class Clue:
    """What one place in a file says about the form; any part may be missing."""

    form_id: str | None
    version: str | None = None
    service: str | None = None


def stamp_clue(text: str) -> Clue | None:
    """The clue in a printed stamp, if ``text`` holds one."""
    match = STAMP_PATTERN.search(text)
    if match is None:
        return None
    return Clue(match["id"], match["version"], match["service"])


def identify(path: Path, catalogue: Catalogue, clues: Iterable[Clue],
             titles: Iterable[str] = ()) -> tuple[FormDefinition, int, str | None]:
    """The definition, version and service of a file, from the first clue that fits.

    Raises :class:`FormReadError` when no clue and no title names a known form.
    """
    for clue in clues:
        if not clue.form_id:
            continue
        try:
            definition = catalogue.get(clue.form_id)
        except UnknownFormError:
            continue
        try:
            version = int(clue.version) if clue.version else definition.version
        except ValueError:
            version = definition.version
        return definition, version, clue.service or None
    for title in titles:
        for candidate in (title, _SERVICE_SUFFIX.sub("", title)):
            found = catalogue.find_by_title(candidate) if candidate.strip() else None
            if found is not None:
                return found, found.version, None
    raise not_a_form(path)


def not_a_form(path: Path) -> FormReadError:
    """The reason for a file that names no form Planwatch has, in a support worker's words:
    what it is, why that happens, and where the right blank form comes from."""
    return FormReadError(
        path, "this is not a Planwatch form: nothing in it says which of Planwatch's forms "
        "it is (a form retyped or copied into a new document loses that, and other "
        "organisations' forms never have it)",
        hint="Fill in Planwatch's blank form for your service and drop that. The blank "
        "forms, in Word, PDF and Excel, are in Planwatch's forms/blank folder, one folder "
        "per service; whoever looks after Planwatch can send you one (they make them with "
        "`planwatch forms build`).")
