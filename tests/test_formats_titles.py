"""Service titles come from the loaded policies of the forms folder in use."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue
from pipeline.formats.titles import bundled_titles, service_title, service_titles
from pipeline.forms_service import fill
from pipeline.policies import load_policies
from tests.form_samples import sample_values


def _own_forms(tmp_path: Path, name: str) -> Path:
    """A copy of the bundled forms whose community-support policy has another name."""
    folder = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, folder, ignore=shutil.ignore_patterns("blank"))
    policy = folder / "services" / "community-support.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "name: Community Support\n" in text
    policy.write_text(text.replace("name: Community Support\n", f"name: {name}\n"),
                      encoding="utf-8")
    return folder


def test_the_bundled_titles_are_the_policies_names() -> None:
    assert dict(bundled_titles()) == {p.id: p.name for p in load_policies(DEFAULT_FORMS_DIR)}
    assert service_title("swa-refuge-women") == "Stockport Women's Aid: refuge (women)"
    assert service_title("no-such-service", {}) == "No Such Service"


def test_a_workspace_forms_folder_names_its_own_services(tmp_path: Path) -> None:
    folder = _own_forms(tmp_path, "Northside Community Support")
    assert service_titles(folder)["community-support"] == "Northside Community Support"
    definition = Catalogue.load(folder).get("support-plan")
    values = sample_values(definition.for_service("community-support"))
    path = fill(definition, values, tmp_path / "plan.docx", service="community-support",
                titles=service_titles(folder))
    with zipfile.ZipFile(path) as package:
        assert "Northside Community Support" in package.read("word/document.xml").decode()
        assert ("<dc:title>Support plan (Northside Community Support)</dc:title>"
                in package.read("docProps/core.xml").decode())
