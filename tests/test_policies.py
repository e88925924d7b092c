"""Service policies are files: they load, agree with the forms, and name file and key when
they are wrong; a new service needs no Python; defaults come from the settings."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.config import POLICY_DEFAULT_SETTINGS, Settings, load_settings
from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue
from pipeline.errors import DefinitionError
from pipeline.policies import load_policies, load_policy
from pipeline.records import Event, ObligationStatus
from pipeline.rules import Nation, compute_obligations

SERVICES = {"community-support", "swa-refuge-women", "swa-refuge-children", "swa-floating",
            "medway-hil", "families-first", "sds"}
FORMS = {"referral", "referral-response", "self-assessment", "support-plan", "review",
         "review-part2", "closure", "feedback", "copy-request", "change-of-circumstances"}
# The obligation ids of policies.md: part of the public interface (due --json).
OBLIGATIONS = {
    "community-support": ["support_plan", "first_review", "review", "review_part2"],
    "swa-refuge-women": ["self_assessment", "support_plan", "review", "outcomes_form"],
    "swa-refuge-children": ["child_referral", "self_assessment", "support_plan", "review"],
    "swa-floating": ["self_assessment", "support_plan", "review"],
    "medway-hil": ["support_plan", "review", "hard_copy"],
    "families-first": ["sw_contact", "worker_allocated", "review", "closure", "feedback"],
    "sds": ["review", "change_review"],
}


def test_every_service_of_the_policies_is_configured(catalogue: Catalogue) -> None:
    policies = load_policies(catalogue=catalogue)
    assert {p.id for p in policies} == SERVICES
    assert {d.id for d in catalogue} == FORMS
    assert {p.id: [r.obligation for r in p.obligations] for p in policies} == OBLIGATIONS
    assert policies.get("sds").nation is Nation.SCOTLAND
    assert {p.nation for p in policies if p.id != "sds"} == {Nation.ENGLAND_AND_WALES}
    assert policies.capacities() == {"families-first": 30}
    assert policies.forms_needed(catalogue)["families-first"]["feedback"] == (
        "Intervention feedback form")


AREA_COLUMNS = [("self-assessment", "needs"), ("support-plan", "actions"), ("review", "scores"),
                ("closure", "outcomes")]


@pytest.mark.parametrize("service", sorted(SERVICES - {"community-support", "sds"}))
def test_outcome_area_lists_on_the_forms_are_the_services_framework(
    catalogue: Catalogue, service: str
) -> None:
    framework = load_policies().get(service).outcome_framework
    assert framework is not None
    for form_id, table in AREA_COLUMNS:
        if service not in catalogue.get(form_id).services:
            continue
        spec = catalogue.get(form_id).for_service(service).tables_by_key[table]
        area = next(c for c in spec.columns if c.key == "area")
        assert [c.label for c in area.choices] == list(framework.areas), (form_id, table)


def test_sds_children_are_rated_on_the_eight_shanarri_indicators(catalogue: Catalogue) -> None:
    framework = load_policies().get("sds").outcome_framework
    assert framework is not None
    review = catalogue.get("review").for_service("sds")
    labels = [f.label for f in review.leaf_fields() if f.key.startswith("shanarri_")]
    assert labels == list(framework.areas)


def test_each_default_is_a_setting_whose_default_is_the_policy_files_value() -> None:
    declared: dict[str, int] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "setting" in node:
                declared[node["setting"]] = node.get("count", node.get("hour"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in (DEFAULT_FORMS_DIR / "services").glob("*.yaml"):
        walk(yaml.safe_load(path.read_text()))
    assert set(declared) == set(POLICY_DEFAULT_SETTINGS)
    for name, count in declared.items():
        assert Settings.model_fields[name].default == count, name


def test_only_settings_given_override_the_policy_files(tmp_path: Path) -> None:
    assert load_settings(tmp_path).policy_overrides() == {}
    (tmp_path / "planwatch.toml").write_text("feedback_days = 21\nreview_part2_working_days = 5\n")
    settings = load_settings(tmp_path)
    assert settings.policy_overrides() == {"feedback_days": 21, "review_part2_working_days": 5}
    policies = load_policies(overrides=settings.policy_overrides())
    [feedback] = [r for r in policies.get("families-first").obligations
                  if r.obligation == "feedback"]
    assert feedback.span.count == 21  # type: ignore[union-attr]


# --- a new service is a file ------------------------------------------------------------

NEW_SERVICE = """
id: befriending
name: Befriending
nation: scotland
source: A made-up policy
forms: [referral, support-plan]
obligations:
  - {kind: within, obligation: support_plan, after_event: start,
     span: {unit: working_days, count: 3}, met_by_event: support_plan}
"""


def test_a_new_service_needs_no_python(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, forms, ignore=shutil.ignore_patterns("blank"))
    for form_id in ("referral", "support-plan"):
        path = forms / f"{form_id}.yaml"
        data = yaml.safe_load(path.read_text())
        data["services"].append("befriending")
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    (forms / "services" / "befriending.yaml").write_text(NEW_SERVICE)
    policies = load_policies(forms, catalogue=Catalogue.load(forms))
    start = Event(person_id="B1", service="befriending", kind="start", on=date(2026, 11, 27))
    [found] = compute_obligations([start], date(2026, 11, 27), rule_sets=policies.rule_sets())
    # Three Scottish working days after Fri 27 Nov 2026: 1, 2, 3 Dec (30 Nov is a holiday).
    assert (found.obligation, found.due, found.status) == (
        "support_plan", date(2026, 12, 3), ObligationStatus.DUE_SOON)


# --- mistakes name the file and the key ---------------------------------------------------


def _policy_file(tmp_path: Path, change: dict[str, Any] | str, name: str = "sds.yaml") -> Path:
    data = yaml.safe_load((DEFAULT_FORMS_DIR / "services" / "sds.yaml").read_text())
    path = tmp_path / name
    if isinstance(change, str):
        path.write_text(change)
        return path
    data.update(change)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _rules(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"obligations": list(rules)}


REVIEW = {"kind": "recurring", "obligation": "review", "anchor_event": "support_plan",
          "every": {"unit": "months", "count": 12}, "met_by_event": "review"}


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        pytest.param({"colour": "red"}, "colour", "Extra inputs", id="unknown-key"),
        pytest.param({"nation": "wales"}, "nation", "Input should be", id="unknown-nation"),
        pytest.param({"id": "SDS!"}, "id", "should match pattern", id="bad-id"),
        pytest.param({"forms": []}, "forms", "at least 1", id="no-forms"),
        pytest.param({"capacity": 0}, "capacity", "greater than 0", id="zero-capacity"),
        pytest.param(_rules({**REVIEW, "kind": "sometimes"}), "obligations[0] (review)",
                     "does not match any of the expected tags", id="unknown-rule-kind"),
        pytest.param(_rules({**REVIEW, "every": {"unit": "fortnights", "count": 1}}),
                     "obligations[0] (review).every", "does not match", id="unknown-unit"),
        pytest.param(_rules({**REVIEW, "every": {"unit": "months", "count": -1}}),
                     "obligations[0] (review).every.count", "greater than or equal to 0",
                     id="negative-count"),
        pytest.param(_rules({**REVIEW, "every": {"unit": "months", "count": 1,
                                                 "setting": "review_months"}}),
                     "obligations[0] (review).every.setting", "not a setting Planwatch has",
                     id="unknown-setting"),
        pytest.param(_rules(REVIEW, REVIEW), "obligations", "more than one rule",
                     id="duplicate-obligation"),
        pytest.param(_rules({**REVIEW, "obligation": "Review"}),
                     "obligations[0] (Review).obligation", "should match pattern",
                     id="obligation-id-not-an-identifier"),
        pytest.param(_rules({**REVIEW, "extra": 1}), "obligations[0] (review).extra",
                     "Extra inputs", id="unknown-rule-key"),
        pytest.param({"exempt_while": {"detail": "disclaimer"}}, "exempt_while.is_one_of",
                     "Field required", id="condition-without-values"),
    ],
)
def test_policy_mistake_names_file_and_key(tmp_path: Path, change: dict[str, Any], key: str,
                                           words: str) -> None:
    path = _policy_file(tmp_path, change)
    with pytest.raises(DefinitionError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}:"), message
    assert words in message


def test_bad_yaml_and_mismatched_id(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="not valid YAML"):
        load_policy(_policy_file(tmp_path, "id: [unclosed"))
    with pytest.raises(DefinitionError, match="top level"):
        load_policy(_policy_file(tmp_path, "- a list"))
    with pytest.raises(DefinitionError, match=r"but the file is other\.yaml"):
        load_policy(_policy_file(tmp_path, {}, name="other.yaml"))


@pytest.fixture
def forms_copy(tmp_path: Path) -> Path:
    forms = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, forms, ignore=shutil.ignore_patterns("blank"))
    return forms


def _edit(path: Path, **changes: Any) -> None:
    data = yaml.safe_load(path.read_text())
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        pytest.param({"forms": ["referral", "support-plan", "review", "closure",
                                "change-of-circumstances", "feedback"]},
                     "forms[5]", "does not list 'sds'", id="form-not-for-this-service"),
        pytest.param({"forms": ["referral", "support-plan", "review", "closure",
                                "change-of-circumstances", "minutes"]},
                     "forms[5]", "'minutes' is not a form", id="unknown-form"),
        pytest.param({"forms": ["referral", "support-plan", "review", "closure"]},
                     "forms", "leaves out 'change-of-circumstances'", id="form-left-out"),
        pytest.param(_rules({**REVIEW, "met_by_event": "reveiw"}),
                     "obligations[0] (review).met_by_event", "no form of this service records",
                     id="misspelt-event"),
        pytest.param(_rules({**REVIEW, "due_by_detail": "next_review"}),
                     "obligations[0] (review).due_by_detail", "not a detail", id="unknown-detail"),
        pytest.param(_rules({**REVIEW, "every": {"choose_by": "review_frequency",
                                                 "cases": {"x": {"unit": "days", "count": 1}},
                                                 "otherwise": {"unit": "days", "count": 7}}}),
                     "obligations[0] (review).every.choose_by", "not a detail",
                     id="choice-not-on-this-services-forms"),
        pytest.param({"exempt_while": {"detail": "disclaimer", "is_one_of": ["yes"]}},
                     "exempt_while.detail", "not a detail", id="exemption-detail-not-recorded"),
    ],
)
def test_policy_disagreeing_with_the_forms_names_file_and_key(
    forms_copy: Path, changes: dict[str, Any], key: str, words: str
) -> None:
    path = forms_copy / "services" / "sds.yaml"
    _edit(path, **changes)
    with pytest.raises(DefinitionError) as caught:
        load_policies(forms_copy, catalogue=Catalogue.load(forms_copy))
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}:"), message
    assert words in message


def test_a_form_naming_a_service_without_a_policy_is_refused(forms_copy: Path) -> None:
    (forms_copy / "services" / "sds.yaml").unlink()
    with pytest.raises(DefinitionError) as caught:
        load_policies(forms_copy, catalogue=Catalogue.load(forms_copy))
    assert "names service 'sds', which has no policy file" in str(caught.value)
    assert str(caught.value).startswith(str(forms_copy / "change-of-circumstances.yaml"))


def test_every_obligation_is_in_the_readme_deadline_table() -> None:
    """The README's deadline table names every service and each of its obligation ids."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Deadlines", 1)[1].split("\n## ", 1)[0]
    listed: dict[str, set[str]] = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            service = cells[0].split("`")[1]
            listed[service] = {name.strip().strip("`") for name in cells[1].split("/")}
    for policy in load_policies():
        assert {rule.obligation for rule in policy.obligations} == listed.get(policy.id), (
            policy.id)
