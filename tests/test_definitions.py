"""Form definitions load into models; a mistake names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue, FieldType, load_definition
from pipeline.errors import DefinitionError, UnknownFormError


def test_bundled_community_support_forms_load() -> None:
    catalogue = Catalogue.load()
    assert {"referral", "support-plan", "review", "review-part2"} <= {d.id for d in catalogue}
    plan = catalogue.get("support-plan")
    assert plan.leaves_by_key["person_signature"].type is FieldType.TEXT
    assert plan.leaves_by_key["person_signed_on"].type is FieldType.DATE
    assert [c.key for c in plan.tables_by_key["actions"].columns] == [
        "area", "issue", "task", "responsible", "target_date"]


def _write(tmp_path: Path, name: str, change: dict[str, object] | str) -> Path:
    data = yaml.safe_load((DEFAULT_FORMS_DIR / "review-part2.yaml").read_text())
    path = tmp_path / name
    if isinstance(change, str):
        path.write_text(change)
        return path
    data.update(change)
    path.write_text(yaml.safe_dump(data))
    return path


def _section(items: list[dict[str, object]]) -> dict[str, object]:
    return {"sections": [{"title": "S", "items": [
        {"key": "person_id", "label": "Ref"}, *items]}]}


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        pytest.param(_section([{"key": "x", "label": "X", "type": "colour"}]),
                     "sections[0].items[1] (x).type", "Input should be", id="unknown_type"),
        pytest.param(_section([{"key": "x", "label": "X"}, {"key": "x", "label": "Y"}]),
                     "(top level)", "field key 'x' is used twice", id="duplicate_key"),
        pytest.param(_section([{"key": "x", "label": "X", "type": "choice"}]),
                     "sections[0].items[1] (x)", "needs at least one entry",
                     id="choice_without_choices"),
        pytest.param({"sections": [{"title": "S", "items": [{"key": "a", "label": "A"}]}]},
                     "(top level)", "person_id", id="no_person_id"),
        pytest.param(_section([{"key": "x", "label": "X", "required_if": "nothing"}]),
                     "(top level)", "required_if", id="required_if_names_no_field"),
        pytest.param({"version": 0}, "version", "greater than or equal to 1",
                     id="version_zero"),
        pytest.param({"colour": "red"}, "colour", "Extra inputs", id="unknown_top_level_key"),
    ],
)
def test_mistake_names_file_and_key(tmp_path: Path, change: dict[str, object], key: str,
                                    words: str) -> None:
    path = _write(tmp_path, "review-part2.yaml", change)
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}:"), message
    assert words in message


def test_bad_yaml_and_mismatched_id(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="not valid YAML"):
        load_definition(_write(tmp_path, "review-part2.yaml", "id: [unclosed"))
    with pytest.raises(DefinitionError, match=r"but the file is other\.yaml"):
        load_definition(_write(tmp_path, "other.yaml", {}))


def test_unknown_form_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFormError, match="planwatch forms list"):
        Catalogue.load().get("shopping-list")
