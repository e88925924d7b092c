"""Shared fixtures: the bundled catalogue, filled forms, and LibreOffice conversions."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.definitions import Catalogue

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load()


def soffice_convert(files: list[Path], outdir: Path, target: str, profile: Path) -> list[Path]:
    """Open and save files with LibreOffice headless (one process for all of them)."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", target, "--outdir", str(outdir), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )
    extension = target.split(":")[0]
    return [outdir / f"{f.stem}.{extension}" for f in files]


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., list[Path]]:
    """Convert files with LibreOffice; skipped (with how to enable) when it is missing."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed: `bash .ci/run` installs it with apt-get")
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(files: list[Path], outdir: Path, target: str = "docx") -> list[Path]:
        return soffice_convert(files, outdir, target, profile)

    return convert
