"""Claims on file contents: one process at a time, on SQLite (flock) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_settings
from pipeline.store.claims import claim, claim_many
from pipeline.store.session import open_store
from pipeline.workspace import init_workspace


def test_a_batch_claims_only_what_no_one_else_holds(tmp_path: Path,
                                                    database_url: str | None) -> None:
    init_workspace(tmp_path / "ws", database_url=database_url)
    settings = load_settings(tmp_path / "ws", database_url=database_url)
    taken, free = "a" * 64, "b" * 64
    with open_store(settings.database_url) as store, claim(store, taken) as held:
        assert held
        with claim_many(store, [taken, free]) as mine:
            assert mine == {free}
            with claim(store, free) as again:
                assert not again  # the batch holds it now
        with claim(store, free) as released:
            assert released  # the batch's claims end with it
