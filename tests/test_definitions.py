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
        pytest.param(_section([{"key": "x", "label": "X", "type": "number", "minimum": 5,
                                "maximum": 1}]),
                     "sections[0].items[1] (x)", "'minimum' is greater than 'maximum'",
                     id="minimum_above_maximum"),
        pytest.param(_section([{"key": "x", "label": "X", "type": "number",
                                "maximum": float("inf")}]),
                     "sections[0].items[1] (x)", "'maximum' must be a number between",
                     id="infinite_maximum"),
        pytest.param(_section([{"key": "x", "label": "X", "type": "text", "minimum": 0}]),
                     "sections[0].items[1] (x)", "only for type number",
                     id="minimum_on_a_text_field"),
        pytest.param(_section([{"key": "x", "label": "X", "type": "date", "max_length": 9}]),
                     "sections[0].items[1] (x)", "only for text and long_text",
                     id="max_length_on_a_date"),
        pytest.param({"date_checks": {"event_in_future": "sometimes"}},
                     "date_checks.event_in_future", "'blocking', 'advisory' or 'off'",
                     id="date_check_level_unknown"),
        pytest.param({"date_checks": {"future_days": 0}}, "date_checks.future_days",
                     "greater than or equal to 1", id="date_check_future_days_zero"),
        pytest.param({"date_checks": {"in_the_past": "blocking"}}, "date_checks.in_the_past",
                     "Extra inputs", id="date_check_unknown_key"),
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


def test_date_checks_have_defaults_and_can_be_set(tmp_path: Path) -> None:
    bundled = Catalogue.load().get("review-part2").date_checks
    assert (bundled.future_days, bundled.event_in_future, bundled.born_after_event,
            bundled.signed_before_event, bundled.birth_field) == (
        366, "blocking", "advisory", "as_signature", "date_of_birth")
    path = _write(tmp_path, "review-part2.yaml", {"date_checks": {
        "future_days": 30, "event_in_future": "advisory", "signed_before_event": "off"}})
    rules = load_definition(path).date_checks
    assert (rules.future_days, rules.event_in_future, rules.signed_before_event) == (
        30, "advisory", "off")


def test_text_limits_default_by_field() -> None:
    plan = Catalogue.load().get("support-plan")
    assert plan.leaves_by_key["person_id"].length_limit == 64
    assert plan.leaves_by_key["needs_summary"].length_limit == 32_000


def test_bad_yaml_and_mismatched_id(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="not valid YAML"):
        load_definition(_write(tmp_path, "review-part2.yaml", "id: [unclosed"))
    with pytest.raises(DefinitionError, match=r"but the file is other\.yaml"):
        load_definition(_write(tmp_path, "other.yaml", {}))


def test_unknown_form_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFormError, match="planwatch forms list"):
        Catalogue.load().get("shopping-list")


# --- service copies, checks and signatures that stand in -----------------------------


def _plan(change: dict[str, object]) -> dict[str, object]:
    return {"services": ["community-support", "sds"], "events": [], **change}


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        pytest.param(_section([{"key": "x", "label": "X", "type": "choice", "choices": [
            {"value": "a", "label": "A", "services": ["nowhere"]}]}]),
                     "(top level)", "names service 'nowhere'", id="choice_for_unknown_service"),
        pytest.param({"checks": [{"kind": "ticked", "field": "nothing", "message": "M"}]},
                     "(top level)", "'nothing' is not a field", id="check_names_no_field"),
        pytest.param({"checks": [{"kind": "ticked", "field": "reviewer", "message": "M"}]},
                     "(top level)", "not a yes/no field", id="ticked_needs_yes_no"),
        pytest.param({"checks": [{"kind": "row_columns", "table": "actions",
                                  "columns": ["area"], "message": "M"}]},
                     "(top level)", "table or column", id="row_check_without_table"),
        pytest.param({"checks": [{"kind": "sometimes", "message": "M"}]}, "checks[0]",
                     "does not match any of the expected tags", id="unknown_check_kind"),
        pytest.param(_section([{"key": "x", "label": "X", "type": "text",
                                "stands_in_for": "reviewer"}]),
                     "sections[0].items[1] (x)", "only for signatures",
                     id="stands_in_for_on_a_text_field"),
        pytest.param(_section([{"key": "x", "label": "X", "type": "signature",
                                "blocking_for": ["nowhere"]}]),
                     "(top level)", "names service 'nowhere'",
                     id="signature_blocking_for_unknown_service"),
        pytest.param(_section([{"key": "x", "label": "X", "type": "text",
                                "not_needed_when": {"field": "person_id", "is_one_of": ["a"]}}]),
                     "sections[0].items[1] (x)", "only for signatures",
                     id="not_needed_when_on_a_text_field"),
        pytest.param(_section([{"key": "x", "label": "X", "type": "signature",
                                "not_needed_when": {"field": "nothing", "is_one_of": ["a"]}}]),
                     "(top level)", "'nothing', which is not a field",
                     id="not_needed_when_names_no_field"),
        pytest.param({"checks": [{"kind": "has_rows", "table": "nothing", "message": "M"}]},
                     "(top level)", "table or column", id="has_rows_without_table"),
        pytest.param({"checks": [{"kind": "date_within", "field": "evaluation",
                                  "after": "review_date", "months": 12, "message": "M"}]},
                     "(top level)", "must be date fields", id="date_within_a_text_field"),
        pytest.param({"events": [{"kind": "x", "date_field": "review_date",
                                  "details": ["nothing"]}]},
                     "(top level)", "'nothing' is not a field or a table",
                     id="event_detail_names_nothing"),
        pytest.param(_plan({"sections": [{"title": "S", "items": [
            {"key": "person_id", "label": "Ref"},
            {"key": "views", "label": "Views", "services": ["sds"]}]}],
            "checks": [{"kind": "at_least_one", "key": "v", "fields": ["views", "person_id"],
                        "message": "M"}]}),
                     "services (community-support)", "'views' is not a field",
                     id="check_names_a_field_left_off_a_copy"),
    ],
)
def test_service_copy_mistake_names_file_and_key(tmp_path: Path, change: dict[str, object],
                                                 key: str, words: str) -> None:
    path = _write(tmp_path, "review-part2.yaml", change)
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}:"), message
    assert words in message


def test_a_choice_field_with_no_choices_on_a_copy_is_free_text() -> None:
    plan = Catalogue.load().get("support-plan")
    assert plan.tables_by_key["actions"].columns[0].type is FieldType.CHOICE
    for service, kind in (("community-support", FieldType.TEXT), ("sds", FieldType.TEXT),
                          ("medway-hil", FieldType.CHOICE)):
        area = plan.for_service(service).tables_by_key["actions"].columns[0]
        assert area.type is kind, service


def test_events_and_details_follow_the_copy() -> None:
    referral = Catalogue.load().get("referral")
    hil = referral.for_service("medway-hil")
    assert [(e.kind, e.date_field, e.details) for e in hil.events] == [
        ("referral", "referral_date", ("disclaimer",)), ("start", "start_date", ())]
    assert referral.for_service("community-support").events[0].details == ()


def test_a_table_can_be_an_event_detail_on_its_copy() -> None:
    """The children arriving with a woman reach the rules as her arrival's detail."""
    referral = Catalogue.load().get("referral")
    starts = {service: next(e.details for e in referral.for_service(service).events
                            if e.kind == "start")
              for service in ("swa-refuge-women", "swa-refuge-children", "medway-hil")}
    assert starts == {"swa-refuge-women": ("children_with_her",),
                      "swa-refuge-children": ("mother_person_id",), "medway-hil": ()}


@pytest.mark.parametrize(
    ("service", "person", "worker"),
    [
        pytest.param("swa-refuge-women", "blocking", "blocking", id="seed-000-refuge"),
        pytest.param("swa-floating", "blocking", "blocking", id="seed-000-floating"),
        pytest.param("medway-hil", "blocking", "blocking", id="seed-001"),
        pytest.param("families-first", "advisory", "advisory", id="seed-002"),
        pytest.param("sds", "advisory", "advisory", id="seed-003"),
        pytest.param("community-support", "advisory", "advisory", id="seed-004"),
    ],
)
def test_a_plans_signatures_are_as_serious_as_its_seed_says(service: str, person: str,
                                                            worker: str) -> None:
    copy = Catalogue.load().get("support-plan").for_service(service)
    severity = {block.key: block.severity.value for block in copy.signatures}
    assert (severity["person"], severity["worker"]) == (person, worker)
    assert all(block.blocking_for is None for block in copy.signatures)
