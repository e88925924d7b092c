"""What Planwatch writes opens and prints: LibreOffice converts the weekly workbook, an
outcome summary and a pre-filled form to PDF, and poppler draws their first pages."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.prefill import write_prefilled
from pipeline.reports.outcome_summary.job import write_summary_for_closure
from pipeline.reports.weekly.job import write_compliance_report
from pipeline.store.session import open_store
from tests.reports_store import add_closure, workspace

pytestmark = pytest.mark.libreoffice
AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> dict[str, Path]:
    home = tmp_path_factory.mktemp("render") / "ws"
    settings: Settings = workspace(home, catalogue)
    with open_store(settings.database_url) as store:
        workbook = write_compliance_report(store, settings, AS_OF)
        form = write_prefilled(store, catalogue, "review", "CS-00042",
                               settings.reports_path / "next-review.docx", today=AS_OF)
        summary = write_summary_for_closure(store, catalogue, add_closure(store),
                                            reports_path=settings.reports_path, today=AS_OF)
    assert summary is not None
    return {"workbook": workbook, "summary": summary, "form": form}


@pytest.fixture(scope="module")
def pdfs(written: dict[str, Path], libreoffice: Callable[..., list[Path]],
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    names = list(written)
    converted = libreoffice([written[n] for n in names],
                            tmp_path_factory.mktemp("pdf"), "pdf")
    return dict(zip(names, converted, strict=True))


def first_page_png(pdf: Path) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed: `bash .ci/run` installs it")
    stem = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(stem)], check=True, capture_output=True, timeout=60)
    return Image.open(stem.with_suffix(".png")).convert("L")


def inked(image: Image.Image) -> float:
    """The share of pixels that are not (near) white."""
    histogram = image.histogram()
    return sum(histogram[:230]) / (image.width * image.height)


@pytest.mark.parametrize(("name", "pages", "words"), [
    pytest.param("workbook", (11, 40), ["Planwatch weekly compliance 2026-W48", "By worker"],
                 id="weekly_workbook"),
    pytest.param("summary", (1, 3), ["Outcome summary", "Ada Lovelace", "Outcomes achieved"],
                 id="outcome_summary"),
    pytest.param("form", (1, 6), ["Support plan review", "CS-00042", "No GP"],
                 id="prefilled_review"),
])
def test_renders_with_its_content(pdfs: dict[str, Path], name: str, pages: tuple[int, int],
                                  words: list[str]) -> None:
    reader = PdfReader(pdfs[name])
    assert pages[0] <= len(reader.pages) <= pages[1]
    text = " ".join(page.extract_text() for page in reader.pages)
    for word in words:
        assert word in text, word
    page = first_page_png(pdfs[name])
    assert page.width > page.height if name == "workbook" else page.height > page.width
    assert 0.01 < inked(page) < 0.5  # something is drawn, and it is not a black page


def test_summary_prints_its_chart(pdfs: dict[str, Path]) -> None:
    # LibreOffice may list one image in the resources of every page: count it once.
    names = {image.name for page in PdfReader(pdfs["summary"]).pages for image in page.images}
    assert len(names) == 1
