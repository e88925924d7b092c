"""Render the README's pictures from a fresh demo: ``python3 docs/make_pictures.py``.

Runs ``planwatch demo --people 20`` in a temporary folder, with this checkout's Planwatch
(installed or not: never whichever ``planwatch`` is on PATH), converts the weekly workbook,
a blank review, a filled review and an outcome summary to PDF with LibreOffice
(``soffice --headless --convert-to pdf``) and the first page of each to a PNG in
``docs/`` with ``pdftoppm``. Needs LibreOffice and poppler-utils (``.ci/run`` installs
both). Every name in the pictures is invented by the demo.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
CHECKOUT = DOCS.parent
BLANK = CHECKOUT / "pipeline" / "forms" / "blank" / "community-support" / "review.docx"


def run_planwatch(*args: str) -> subprocess.CompletedProcess[str]:
    """``planwatch ARGS`` from this checkout (``python -c`` puts the folder it runs in
    first on the path), so the pictures show this code even where Planwatch is not
    installed, or another version is. Its output is shown if it fails."""
    done = subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()",
                           *args], cwd=CHECKOUT, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        done.check_returncode()
    return done


def picture(source: Path, name: str, work: Path) -> Path:
    """The first page of ``source`` as ``docs/<name>.png``."""
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work),
                    str(source)], check=True, capture_output=True)
    pdf = work / f"{source.stem}.pdf"
    target = DOCS / name
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(target)], check=True)
    return target.with_suffix(".png")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        home = work / "demo"
        run_planwatch("demo", "--people", "20", "--home", str(home))
        workbook = next((home / "reports").glob("compliance-*.xlsx"))
        summaries = home / "reports" / "summaries"
        summary = min(summaries.glob("outcome-summary-CS-*.docx"), default=None) or min(
            summaries.glob("*.docx"))
        filled = min(p for p in (home / "archive").rglob("CS-*.docx")
                     if re.fullmatch(r"CS-\d+ Review [\d-]+\.docx", p.name))
        for source, name in ((workbook, "workbook-summary"), (BLANK, "blank-review"),
                             (filled, "filled-review"), (summary, "outcome-summary")):
            copy = work / f"{name}{source.suffix}"
            shutil.copyfile(source, copy)
            sys.stdout.write(f"wrote {picture(copy, name, work)}\n")


if __name__ == "__main__":
    main()
