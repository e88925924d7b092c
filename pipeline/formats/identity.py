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
from collections.abc import Callable, Iterable
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


def identity_properties(form_id: str, version: int, service: str) -> dict[str, str]:
    """The custom document properties a blank .docx or .xlsx carries: id, version, service."""
    return {PROP_FORM_ID: form_id, PROP_FORM_VERSION: str(version), PROP_SERVICE: service}


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


# --- by labels, when every other clue was lost ----------------------------------------

# A form is the one on the page when one of its copies fits the page's labels at least
# this well (the F1 of the page's labels that are any form's labels against the copy's
# own) and no other form's copy comes within the margin. Service copies of one form
# differ by a label or two, so the best copy of the form is its service when it fits
# strictly better than the others (copies with the same labels cannot be told apart).
_CLEAR_SCORE = 0.75
_CLEAR_MARGIN = 0.1


@dataclass(frozen=True)
class Likeness:
    """How well one service's copy of a form fits the labels found on a page."""

    definition: FormDefinition
    services: tuple[str, ...]  # the copies with exactly these labels
    score: float
    found: int
    labels: int


def copy_labels(copy: FormDefinition, fold: Callable[[str], str]) -> frozenset[str]:
    """The labels a person sees on one service's copy of a form, folded."""
    labels = {fold(f.label) for f in copy.leaf_fields()}
    labels |= {fold(c.label) for t in copy.tables for c in t.columns}
    labels.discard("")
    return frozenset(labels)


def likenesses(catalogue: Catalogue, page_labels: set[str],
               fold: Callable[[str], str]) -> list[Likeness]:
    """Every form's copies, best fit first; copies with the same labels are one."""
    copies: dict[tuple[str, frozenset[str]], list[str]] = {}
    for definition in catalogue:
        for service in definition.services:
            labels = copy_labels(definition.for_service(service), fold)
            copies.setdefault((definition.id, labels), []).append(service)
    every = set().union(*(labels for _, labels in copies)) if copies else set()
    on_page = page_labels & every
    found: list[Likeness] = []
    for (form_id, labels), services in copies.items():
        hits = len(labels & on_page)
        precision = hits / len(on_page) if on_page else 0.0
        recall = hits / len(labels) if labels else 0.0
        score = 2 * precision * recall / (precision + recall) if hits else 0.0
        found.append(Likeness(catalogue.get(form_id), tuple(services), score, hits,
                              len(labels)))
    return sorted(found, key=lambda like: (-like.score, like.definition.id))


def identify_by_labels(path: Path, catalogue: Catalogue, page_labels: set[str],
                       fold: Callable[[str], str],
                       form_id: str | None = None) -> LabelMatch:
    """The form whose labels a page carries, when one fits clearly, and its service when
    one copy fits best (else None, with the services whose copies fit alike). ``form_id``:
    the form is known (by its title); only its service is looked for.

    Raises :class:`FormReadError` naming the closest forms when none fits clearly.
    """
    ranked = [like for like in likenesses(catalogue, page_labels, fold)
              if form_id is None or like.definition.id == form_id]
    if not ranked or (form_id is None and ranked[0].score < _CLEAR_SCORE):
        raise unclear_form(path, [like for like in ranked[:3] if like.found])
    best = ranked[0]
    rival = next((like for like in ranked if like.definition.id != best.definition.id), None)
    if rival is not None and best.score - rival.score < _CLEAR_MARGIN:
        raise unclear_form(path, [best, rival])
    same_form = [like for like in ranked[1:] if like.definition.id == best.definition.id]
    tied = [like for like in same_form if like.score >= best.score]
    if len(best.services) == 1 and not tied:
        return LabelMatch(best.definition, best.services[0])
    alike = [*best.services, *(s for like in tied for s in like.services)]
    return LabelMatch(best.definition, None, tuple(alike))


@dataclass(frozen=True)
class LabelMatch:
    """The form a page's labels name; its service, or the services that fit alike."""

    definition: FormDefinition
    service: str | None
    services_alike: tuple[str, ...] = ()


def _copy_name(like: Likeness) -> str:
    services = ", ".join(like.services)
    return (f"'{like.definition.title}' ({services}: {like.found} of its {like.labels} "
            "labels)")


def unclear_form(path: Path, closest: list[Likeness]) -> FormReadError:
    """The reason for a form with no properties whose labels fit no form clearly."""
    if not closest:
        return not_a_form(path)
    names = "; ".join(_copy_name(like) for like in closest)
    return FormReadError(
        path, "nothing in it says which form it is (its properties and footer were lost) "
        f"and its labels do not fit one form clearly: the closest are {names}",
        hint="If it is one of these, fill in that form's blank from Planwatch's "
        "forms/blank folder and drop that. If it is your organisation's own form, whoever "
        "looks after Planwatch can adopt it (`planwatch forms adopt FILE.docx --id ID`) "
        "and its old copies are then read as they are.")
