"""``planwatch demo``: every service, end to end, with synthetic people.

Creates a workspace, fills each person's forms (their service's copy) with Planwatch's
own filler (some then opened and saved by LibreOffice, as staff using it would), drops
them into the inbox with a duplicate, a corrected resubmission and files that cannot be
used, ingests everything and writes the weekly workbook. Nothing here is special-cased:
it is the same code path a real inbox takes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import docx

from pipeline import files
from pipeline.definitions import Catalogue
from pipeline.demo.common import DemoForm, corrected_copy, unsigned_draft
from pipeline.demo.population import demo_people
from pipeline.errors import PlanwatchError
from pipeline.formats.safety import OLE_MAGIC
from pipeline.formats.titles import service_titles
from pipeline.forms_service import fill

MARKER = ".planwatch-demo"


@dataclass(frozen=True)
class DemoDrop:
    """What the demo put in the inbox."""

    files: int
    people: int
    libreoffice_saved: int
    libreoffice_missing: bool


def prepare_home(home: Path) -> None:
    """An empty folder for the demo; an earlier demo there is replaced, anything else kept."""
    if home.exists() and any(home.iterdir()):
        if not (home / MARKER).exists():
            raise PlanwatchError(
                f"{home} already exists and is not a Planwatch demo, so it is left alone.",
                hint="Pass another folder with --home, or remove that one.")
        shutil.rmtree(home)
    files.plain_dir(home)
    files.write_file(home / MARKER, b"Created by `planwatch demo`; safe to delete.\n",
                     private=False)


def _save_with_libreoffice(paths: list[Path], workdir: Path) -> bool:
    """Open and save each file with LibreOffice Writer, replacing it; False if not installed."""
    if not paths:
        return True
    soffice = shutil.which("soffice")
    if soffice is None:
        return False
    out = workdir / "libreoffice"
    profile = workdir / "profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "docx", "--outdir", str(out), *map(str, paths)],
                   check=True, capture_output=True, timeout=600)
    for path in paths:
        shutil.move(out / path.name, path)
    return True


def _unusable_files(inbox: Path) -> None:
    """The files any real inbox receives sooner or later."""
    rota = docx.Document()
    rota.add_paragraph("Team rota, December")
    saved = io.BytesIO()
    rota.save(saved)
    for name, data in (("notes from Tuesday's meeting.docx", b"Remember to call the GP.\n"),
                       ("CS-0003 Support plan (password).docx", OLE_MAGIC + b"\0" * 2048),
                       ("Team rota.docx", saved.getvalue()),
                       ("~$S-0004 Review.docx", b"Word's lock file, ignored")):
        # As a person drops them: shared as the umask allows.
        files.write_file(inbox / name, data, private=False)


def drop_demo_forms(inbox: Path, catalogue: Catalogue, as_of: date, *, people: int = 100,
                    seed: int = 2026) -> DemoDrop:
    """Fill every demo form into ``inbox`` (see the module docstring)."""
    population = demo_people(as_of, people, seed)
    forms: list[DemoForm] = [form for person in population for form in person.forms]
    # Two plans arrive twice: unsigned first, then the signed correction.
    plans = sorted((f for f in forms if f.form_id == "support-plan"),
                   key=lambda f: "person_signature" in f.values)[:2]
    forms += [corrected_copy(f) if "person_signature" not in f.values else unsigned_draft(f)
              for f in plans]
    titles = service_titles(catalogue.folder)
    with tempfile.TemporaryDirectory(prefix="planwatch-demo-") as work:
        workdir = Path(work)
        staged = files.private_dir(workdir / "staged")
        to_resave: list[Path] = []
        for form in forms:
            path = fill(catalogue.get(form.form_id), form.values, staged / form.file_name,
                        service=form.service, saved_at=form.saved_at, titles=titles)
            if form.libreoffice:
                to_resave.append(path)
        resaved = _save_with_libreoffice(to_resave, workdir)
        for path in sorted(staged.iterdir()):
            shutil.move(path, inbox / path.name)
    # The same batch dropped twice by a busy administrator: two files arrive again.
    again = [*sorted(inbox.glob("*Review part 2*.docx")), *sorted(inbox.glob("*Review*.docx"))]
    for original in again[:2]:
        shutil.copy(original, inbox / f"Copy of {original.name}")
    _unusable_files(inbox)
    return DemoDrop(files=sum(1 for _ in inbox.iterdir()), people=len(population),
                    libreoffice_saved=len(to_resave) if resaved else 0,
                    libreoffice_missing=not resaved)
