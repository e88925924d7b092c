"""Shared fixtures: the bundled catalogue, filled forms, LibreOffice conversions, the
store on SQLite and PostgreSQL, and one demo workspace for the tests that read it."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine

from pipeline.config import Settings, load_settings
from pipeline.definitions import Catalogue
from pipeline.inbox.ingest import Workspace
from pipeline.store.session import Store, open_store
from pipeline.workspace import init_workspace

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load()


@dataclass(frozen=True)
class Demo:
    """A demo workspace and what ``planwatch demo`` printed making it."""

    home: Path
    output: str


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """``planwatch demo --people 20``, made once (it takes a while) for every test that
    reads what it wrote or asks it a question; such tests never change it."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    home = tmp_path_factory.mktemp("demo") / "demo"
    result = CliRunner().invoke(app, ["--home", str(home), "demo", "--people", "20"])
    assert result.exit_code == 0, result.output
    return Demo(home, result.output)


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


# A PostgreSQL server for the store's tests: .ci/run starts the machine's own at
# 127.0.0.1:5432; PLANWATCH_TEST_POSTGRES points elsewhere (an admin connection string).
POSTGRES_ADMIN = os.environ.get("PLANWATCH_TEST_POSTGRES",
                                "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


def _postgres_reachable() -> str | None:
    try:
        psycopg.connect(POSTGRES_ADMIN, connect_timeout=2).close()
    except psycopg.Error as exc:
        return str(exc).strip()
    return None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server, dropped afterwards."""
    problem = _postgres_reachable()
    if problem is not None:
        pytest.skip(f"PostgreSQL not reachable ({problem}). `bash .ci/run` starts the local "
                    "server; or set PLANWATCH_TEST_POSTGRES to an admin connection string "
                    "(e.g. 'host=db user=postgres dbname=postgres').")
    info = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN)
    name = f"planwatch_test_{uuid.uuid4().hex[:12]}"
    base = (f"postgresql+psycopg://{info.get('user', 'postgres')}@{info.get('host', '127.0.0.1')}"
            f":{info.get('port', 5432)}")
    admin = create_engine(f"{base}/{info.get('dbname', 'postgres')}",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """Each store test once on SQLite (None: the workspace default) and once on PostgreSQL."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_url")
    return url


# An ingest workspace on SQLite, then PostgreSQL: for the inbox tests that need no other
# set-up (a module defining its own ``settings``, ``store`` or ``workspace`` wins).
@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    """A workspace whose store is SQLite, then PostgreSQL (each test runs on both)."""
    init_workspace(tmp_path / "ws", database_url=database_url)
    return load_settings(tmp_path / "ws", database_url=database_url)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with open_store(settings.database_url) as opened:
        yield opened


@pytest.fixture
def workspace(settings: Settings, catalogue: Catalogue) -> Workspace:
    return Workspace(home=settings.home, inbox=settings.inbox_path,
                     archive=settings.archive_path, rejected=settings.rejected_path,
                     catalogue=catalogue)
