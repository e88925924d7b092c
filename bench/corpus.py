"""Backlogs of filled forms: realistic people across every service, deterministic from a seed.

A backlog is made in two steps, both cached on disk (``bench/.cache``, keyed by seed and
size; delete the folder to start afresh):

1. **Templates.** The demo's population (:func:`pipeline.demo.population.demo_people`,
   every service in its usual proportions, histories on time and late, unsigned plans,
   missed reviews) for ``pool`` people; each of their forms is filled in .docx, .pdf and
   .xlsx with Planwatch's own filler (:func:`pipeline.forms_service.fill`). References are
   rewritten to a fixed width first (``CS-0001`` → ``CS-0000001``).
2. **Copies.** Copy *k* of every template person is a new person (``CS-0000001`` →
   ``CS-00k0001``) with the same history; each of their forms is taken in a format drawn
   from :data:`FORMAT_MIX` and made by :class:`bench.variants.Template`. Copies are added
   person by person until the backlog holds the number of forms asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench.variants import Template, copy_id, template_ids
from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue
from pipeline.demo.population import demo_people
from pipeline.forms_service import fill

CACHE = Path(__file__).resolve().parent / ".cache"
# The demo's as-of date: histories run up to it. Fixed, so a seed always gives one corpus.
AS_OF = date(2026, 3, 9)
FORMATS = ("docx", "pdf", "xlsx")
# Most staff fill the Word forms; PDF and Excel copies arrive from partners and laptops.
FORMAT_MIX = {"docx": 0.6, "pdf": 0.2, "xlsx": 0.2}
# Bump when the way corpora are made changes: old caches are then ignored.
VERSION = 1
_DEMO_ID = re.compile(r"^([A-Z]+)-(\d{4})((?:-[A-Z0-9]+)?)$")


@dataclass(frozen=True)
class TemplateForm:
    """One demo form, filled in every format under ``templates/<key>.<format>``."""

    key: str
    person_id: str
    service: str
    form_id: str
    file_name: str  # as staff would name it, without the suffix
    saved_at: str
    values: dict[str, Any]


@dataclass(frozen=True)
class CorpusFile:
    name: str
    file_format: str
    person_id: str
    form_id: str
    service: str


@dataclass(frozen=True)
class Corpus:
    folder: Path
    files: list[CorpusFile]
    people: int
    template_people: int

    def paths(self) -> list[Path]:
        return [self.folder / f.name for f in self.files]

    def count(self, file_format: str) -> int:
        return sum(1 for f in self.files if f.file_format == file_format)


def forms_fingerprint() -> str:
    """Changes when a form definition or a service policy changes (the templates with it)."""
    digest = hashlib.sha256()
    for path in sorted(DEFAULT_FORMS_DIR.glob("**/*.yaml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _template_id(demo_id: str) -> str:
    match = _DEMO_ID.match(demo_id)
    if match is None:
        raise ValueError(f"unexpected demo reference {demo_id!r}")
    return f"{match[1]}-000{match[2]}{match[3]}"


def _rewrite_ids(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_rewrite_ids(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite_ids(v, ids) for k, v in value.items()}
    return value


def template_forms(pool: int, seed: int) -> list[TemplateForm]:
    """The demo population of ``pool`` people, with fixed-width references."""
    people = demo_people(AS_OF, pool, seed)
    ids = {p.person_id: _template_id(p.person_id) for p in people}
    forms: list[TemplateForm] = []
    for person in people:
        for form in person.forms:
            stem = form.file_name.rsplit(".", 1)[0].replace(person.person_id,
                                                             ids[person.person_id])
            forms.append(TemplateForm(
                key=f"t{len(forms):05d}", person_id=ids[person.person_id], service=form.service,
                form_id=form.form_id, file_name=stem, saved_at=form.saved_at.isoformat(),
                values=_rewrite_ids(form.values, ids)))
    return forms


@cache
def _catalogue() -> Catalogue:
    return Catalogue.load()


def _fill_one(form: TemplateForm, folder: str) -> None:
    for file_format in FORMATS:
        fill(_catalogue().get(form.form_id), form.values,
             Path(folder) / f"{form.key}.{file_format}", service=form.service,
             saved_at=datetime.fromisoformat(form.saved_at), file_format=file_format)


def _fill_all(forms: list[TemplateForm], folder: Path, workers: int) -> None:
    if workers <= 1 or len(forms) < 100:
        for form in forms:
            _fill_one(form, str(folder))
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        list(pool.map(_fill_one, forms, [str(folder)] * len(forms), chunksize=8))


def templates(pool: int, seed: int, *, cache: Path = CACHE,
              workers: int | None = None) -> tuple[Path, list[TemplateForm]]:
    """The template forms, filled in every format (made once, then read from the cache)."""
    folder = cache / f"templates-v{VERSION}-{forms_fingerprint()}-seed{seed}-pool{pool}"
    if not folder.exists():
        forms = template_forms(pool, seed)
        with _building(folder) as building:
            _fill_all(forms, building, workers if workers is not None else (os.cpu_count() or 1))
            (building / "templates.json").write_text(json.dumps([asdict(f) for f in forms]))
    rows = json.loads((folder / "templates.json").read_text())
    return folder, [TemplateForm(**row) for row in rows]


@contextmanager
def _building(folder: Path) -> Iterator[Path]:
    """A private folder to build ``folder`` in, renamed into place once complete: a cache
    entry is whole or absent, even with two benchmarks (or test runs) at once."""
    building = folder.with_name(f".{folder.name}.{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    try:
        yield building
        try:
            building.rename(folder)
        except OSError:
            if not folder.exists():
                raise  # not another builder's win: a real failure
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _ids_of(form: TemplateForm) -> set[str]:
    found: set[str] = set()
    stack: list[Any] = [form.values]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found |= template_ids(value)
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return found


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        stem, suffix = name.rsplit(".", 1)
        candidate = f"{stem} ({number}).{suffix}"
        number += 1
    taken.add(candidate)
    return candidate


def backlog(forms: int, *, seed: int, pool: int, cache: Path = CACHE,
            workers: int | None = None) -> Corpus:
    """A folder of ``forms`` filled forms for people across every service (see above)."""
    template_folder, items = templates(pool, seed, cache=cache, workers=workers)
    folder = cache / f"backlog-v{VERSION}-{template_folder.name.split('-', 2)[2]}-n{forms}"
    if not folder.exists():
        with _building(folder) as building:
            (building / "files").mkdir()
            files = list(_write_copies(items, template_folder, building / "files", forms, seed))
            (building / "manifest.json").write_text(json.dumps([asdict(f) for f in files]))
    files = [CorpusFile(**row) for row in json.loads((folder / "manifest.json").read_text())]
    return Corpus(folder / "files", files, len({f.person_id for f in files}),
                  len({f.person_id for f in items}))


def _write_copies(items: list[TemplateForm], template_folder: Path, target: Path, forms: int,
                  seed: int) -> Iterable[CorpusFile]:
    rng = random.Random(seed)
    loaded: dict[tuple[str, str], Template] = {}
    taken: set[str] = set()
    formats, weights = list(FORMAT_MIX), list(FORMAT_MIX.values())
    written, number = 0, 0
    while written < forms:
        for item in items:
            if written >= forms:
                return
            file_format = rng.choices(formats, weights)[0]
            key = (item.key, file_format)
            if key not in loaded:
                data = (template_folder / f"{item.key}.{file_format}").read_bytes()
                loaded[key] = Template(data, file_format, _ids_of(item))
            person = copy_id(item.person_id, number)
            name = _unique(f"{copy_id(item.file_name, number)}.{file_format}", taken)
            (target / name).write_bytes(loaded[key].copy(number))
            written += 1
            yield CorpusFile(name, file_format, person, item.form_id, item.service)
        number += 1
