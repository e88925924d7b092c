"""Services as configuration: one policy file per service in ``forms/services/``.

A policy file says which nation's bank holidays count, which forms the service uses, its
outcome framework, the most open episodes it may hold, and its obligations in the rule
vocabulary of :mod:`pipeline.rules.vocabulary`::

    id: medway-hil
    name: Homes for Independent Living (Medway)
    nation: england_and_wales
    source: Support Planning Policy, Homes for Independent Living (seed 001)
    forms: [referral, support-plan, review, closure, copy-request]
    exempt_while: {detail: disclaimer, is_one_of: [yes]}
    obligations:
      - {kind: within, obligation: support_plan, after_event: start,
         span: {unit: days, count: 28}, met_by_event: support_plan}

A count marked ``setting: NAME`` is a policy default: the workspace setting ``NAME``
overrides it when set (see :data:`pipeline.config.POLICY_DEFAULT_SETTINGS`). Adding a
service is adding a file here (and its name to the forms' ``services``), no Python.

Every mistake is a :class:`DefinitionError` naming the file and the key: a wrong value, an
unknown key, a form the catalogue does not have or that is not for this service, an
event or detail that none of the service's forms records, a setting Planwatch lacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from pipeline.config import POLICY_DEFAULT_SETTINGS
from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue
from pipeline.errors import DefinitionError, PlanwatchError
from pipeline.rules.calendar import Nation
from pipeline.rules.vocabulary import (
    ByDate,
    ChosenSpan,
    Condition,
    ListedOn,
    PlannedDuration,
    Recurring,
    Rule,
    RuleSet,
    Timing,
    Within,
    WithinEach,
    normalise_value,
)
from pipeline.yaml_models import key_path, load_model

SERVICES_DIR_NAME = "services"
SERVICE_PATTERN = r"^[a-z][a-z0-9-]*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OutcomeFramework(_Frozen):
    """The outcome areas a service plans and scores against (area names only)."""

    name: str = Field(min_length=1)
    areas: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> OutcomeFramework:
        if len(set(self.areas)) != len(self.areas):
            raise ValueError("outcome areas must be unique")
        return self


class ServicePolicy(_Frozen):
    """One service's policy, as written in ``forms/services/<id>.yaml``."""

    id: str = Field(pattern=SERVICE_PATTERN)
    name: str = Field(min_length=1)
    nation: Nation
    source: str = Field(min_length=1)
    forms: tuple[str, ...] = Field(min_length=1)
    outcome_framework: OutcomeFramework | None = None
    # The most episodes open at once (Families First: 30 families); None: no limit.
    capacity: int | None = Field(default=None, gt=0)
    exempt_while: Condition | None = None
    # People listed on another service's form start here with it (children on their
    # mother's referral).
    listed_on: ListedOn | None = None
    obligations: tuple[Rule, ...] = ()

    @field_validator("forms")
    @classmethod
    def _forms_once(cls, forms: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(forms)) != len(forms):
            raise ValueError("a form is listed twice")
        return forms

    @field_validator("obligations")
    @classmethod
    def _ids_once(cls, rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
        names = [rule.obligation for rule in rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"obligation ids used by more than one rule: {duplicates}")
        return rules

    def rule_set(self) -> RuleSet:
        """The rules engine's view of this policy."""
        return RuleSet(service=self.id, nation=self.nation, rules=self.obligations,
                       exempt_while=self.exempt_while, listed_on=self.listed_on)


class Policies:
    """Every service's policy, by service id."""

    def __init__(self, policies: Mapping[str, ServicePolicy], folder: Path) -> None:
        self._policies = dict(sorted(policies.items()))
        self.folder = folder

    def __iter__(self) -> Iterator[ServicePolicy]:
        return iter(self._policies.values())

    def __len__(self) -> int:
        return len(self._policies)

    def __contains__(self, service: object) -> bool:
        return service in self._policies

    def get(self, service: str) -> ServicePolicy:
        try:
            return self._policies[service]
        except KeyError:
            known = ", ".join(self._policies) or "none"
            raise PlanwatchError(f"There is no service called {service!r}.",
                                 hint=f"Known services: {known}.") from None

    def rule_sets(self) -> dict[str, RuleSet]:
        """Each service's rule set, for :func:`pipeline.rules.compute_obligations`."""
        return {policy.id: policy.rule_set() for policy in self}

    def capacities(self) -> dict[str, int]:
        """The services with a caseload limit, and the limit."""
        return {p.id: p.capacity for p in self if p.capacity is not None}

    def forms_needed(self, catalogue: Catalogue) -> dict[str, dict[str, str]]:
        """Per service and obligation, the title of the form whose event meets it, as
        that service knows it: "Support plan review (Part 1)" only where the service has
        a Part 2 (community support), else "Support plan review"."""
        titles: dict[str, dict[str, str]] = {}
        for policy in self:
            recorded = _events_by_form(policy, catalogue)
            for rule in policy.obligations:
                form = next((title for title, kinds in recorded if rule.met_by_event in kinds),
                            None)
                if form is not None:
                    titles.setdefault(policy.id, {})[rule.obligation] = form
        return titles


_PART = re.compile(r"\s*\(Part \d+\)$")
_ANY_PART = re.compile(r"\bPart \d+\b")


def service_form_titles(policy: ServicePolicy, catalogue: Catalogue) -> dict[str, str]:
    """Each of ``policy``'s forms by the title that service knows it by.

    A form is one part of several only where the service uses another part: the
    review's "(Part 1)" means nothing to a service without the manager's Part 2, so
    there it is the "Support plan review".
    """
    titles = {form_id: catalogue.get(form_id).for_service(policy.id).title
              for form_id in policy.forms}
    if sum(bool(_ANY_PART.search(title)) for title in titles.values()) > 1:
        return titles
    return {form_id: _PART.sub("", title) for form_id, title in titles.items()}


def _events_by_form(policy: ServicePolicy, catalogue: Catalogue) -> list[tuple[str, set[str]]]:
    titles = service_form_titles(policy, catalogue)
    found = []
    for form_id in policy.forms:
        copy = catalogue.get(form_id).for_service(policy.id)
        found.append((titles[form_id], {e.kind for e in copy.events}))
    return found


def services_folder(forms_folder: Path) -> Path:
    """Where the policy files of a forms folder are."""
    return forms_folder / SERVICES_DIR_NAME


def load_policies(
    forms_folder: Path = DEFAULT_FORMS_DIR,
    *,
    catalogue: Catalogue | None = None,
    overrides: Mapping[str, int] | None = None,
) -> Policies:
    """Every ``services/*.yaml`` under ``forms_folder``, with ``overrides`` applied.

    ``overrides`` maps setting names (:data:`pipeline.config.POLICY_DEFAULT_SETTINGS`) to
    the counts that replace the files' defaults. With a ``catalogue``, each policy is
    also checked against the form definitions (:func:`check_against_catalogue`).
    Raises :class:`DefinitionError` naming the file and key of the first mistake.
    """
    folder = services_folder(forms_folder)
    policies = {path.stem: load_policy(path, overrides) for path in sorted(folder.glob("*.yaml"))}
    loaded = Policies(policies, folder)
    if catalogue is not None:
        check_against_catalogue(loaded, catalogue)
    return loaded


def load_policy(path: Path, overrides: Mapping[str, int] | None = None) -> ServicePolicy:
    """Read one policy file (see the module docstring); mistakes name the file and key."""
    return load_model(path, ServicePolicy, label_key="obligation", union_tags=_UNION_TAGS,
                      prepare=lambda data: _with_settings(data, overrides or {}, (path, data), ()))


def _with_settings(node: Any, overrides: Mapping[str, int], file: tuple[Path, Any],
                   where: tuple[str | int, ...]) -> Any:
    """``node`` with every ``{count: N, setting: NAME}`` taking the override for NAME.

    ``file`` is the policy file's path and whole content, to name a mistake's key.
    """
    if isinstance(node, list):
        return [_with_settings(item, overrides, file, (*where, index))
                for index, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    result = {key: _with_settings(value, overrides, file, (*where, key))
              for key, value in node.items()}
    name = node.get("setting")
    if name is not None:
        if name not in POLICY_DEFAULT_SETTINGS:
            path, root = file
            raise DefinitionError(
                path, _location((*where, "setting"), root),
                f"{name!r} is not a setting Planwatch has; a policy default may name one of: "
                f"{', '.join(POLICY_DEFAULT_SETTINGS)}")
        if name in overrides:
            # A count of days, months...; or an hour of the day (opening hours).
            result["hour" if "hour" in node else "count"] = overrides[name]
    return result


def _location(loc: tuple[int | str, ...], data: object) -> str:
    """E.g. ``obligations[2] (feedback).span.count``."""
    return key_path(loc, data, label_key="obligation", union_tags=_UNION_TAGS)


# pydantic names the chosen member of a tagged union in the location: not a key.
_UNION_TAGS = frozenset({"within", "within_each", "recurring", "by_date", "planned_duration",
                         "days", "weeks", "months", "working_days", "hours", "same_day",
                         "chosen"})


# --- checks against the form definitions ------------------------------------------------


def check_against_catalogue(policies: Policies, catalogue: Catalogue) -> None:
    """Policies and form definitions must agree; the first disagreement is raised.

    Each policy's forms exist and name the service; each form naming a service is in
    that service's policy; every event a rule waits for, and every detail it reads, is
    recorded by one of the service's forms (its own copy).
    """
    for definition in catalogue:
        for service in definition.services:
            if service not in policies:
                raise DefinitionError(
                    catalogue.folder / f"{definition.id}.yaml", "services",
                    f"names service {service!r}, which has no policy file in "
                    f"{policies.folder}")
            if definition.id not in policies.get(service).forms:
                raise DefinitionError(
                    policies.folder / f"{service}.yaml", "forms",
                    f"leaves out {definition.id!r}, whose definition lists this service")
    for policy in policies:
        _check_policy(policy, policies.folder / f"{policy.id}.yaml", catalogue)


def _check_policy(policy: ServicePolicy, path: Path, catalogue: Catalogue) -> None:
    kinds: set[str] = set()
    details: set[str] = set()
    for index, form_id in enumerate(policy.forms):
        known = {d.id for d in catalogue}
        if form_id not in known:
            raise DefinitionError(path, f"forms[{index}]",
                                  f"{form_id!r} is not a form in {catalogue.folder}")
        definition = catalogue.get(form_id)
        if policy.id not in definition.services:
            raise DefinitionError(path, f"forms[{index}]",
                                  f"the form {form_id!r} does not list {policy.id!r} among its "
                                  "services")
        for spec in definition.for_service(policy.id).events:
            kinds.add(spec.kind)
            details.update(spec.details)
    if policy.exempt_while is not None and policy.exempt_while.detail not in details:
        raise DefinitionError(path, "exempt_while.detail",
                              f"{policy.exempt_while.detail!r} is not a detail any of this "
                              "service's forms records")
    released_as = policy.exempt_while.released_as if policy.exempt_while is not None else None
    if released_as is not None and released_as not in kinds:
        raise DefinitionError(path, "exempt_while.released_as",
                              f"no form of this service records an event {released_as!r}")
    if policy.listed_on is not None:
        _check_listed_on(policy, path, catalogue, details)
    choices = _choices(policy, catalogue)
    for index, rule in enumerate(policy.obligations):
        where = f"obligations[{index}] ({rule.obligation})"
        for key, kind in _event_kinds(rule):
            if kind not in kinds:
                raise DefinitionError(
                    path, f"{where}.{key}",
                    f"no form of this service records an event {kind!r} (recorded: "
                    f"{', '.join(sorted(kinds))})")
        for key, detail in _details_read(rule):
            if detail not in details:
                raise DefinitionError(
                    path, f"{where}.{key}",
                    f"{detail!r} is not a detail any of this service's forms records")
        _check_choices_have_effect(rule, f"{where}", path, choices)


def _choices(policy: ServicePolicy, catalogue: Catalogue) -> dict[str, set[str]]:
    """The values of each choice field on this service's copies of its forms."""
    found: dict[str, set[str]] = {}
    for form_id in policy.forms:
        for spec in catalogue.get(form_id).for_service(policy.id).fields:
            if spec.choices:
                found.setdefault(spec.key, set()).update(
                    normalise_value(choice.value) for choice in spec.choices)
    return found


def _check_choices_have_effect(rule: Rule, where: str, path: Path,
                               choices: Mapping[str, set[str]]) -> None:
    # Every choice a form offers for a span must drive it (issue 14: a 3-monthly review
    # frequency that changed nothing), and every case must be a choice the form offers.
    timing: Timing | None = (rule.span if isinstance(rule, Within | WithinEach | PlannedDuration)
                             else rule.every if isinstance(rule, Recurring) else None)
    if not isinstance(timing, ChosenSpan) or timing.choose_by not in choices:
        return
    key = "every" if isinstance(rule, Recurring) else "span"
    offered = choices[timing.choose_by]
    for value in sorted(offered - set(timing.cases)):
        raise DefinitionError(
            path, f"{where}.{key}.cases",
            f"has no case for {value!r}, which the form offers for {timing.choose_by!r}: "
            "give it its span, or take the choice off the form")
    for value in sorted(set(timing.cases) - offered):
        raise DefinitionError(
            path, f"{where}.{key}.cases.{value}",
            f"is not a choice the service's forms offer for {timing.choose_by!r}")


def _check_listed_on(policy: ServicePolicy, path: Path, catalogue: Catalogue,
                     details: set[str]) -> None:
    listed = policy.listed_on
    assert listed is not None
    if listed.link_detail not in details:
        raise DefinitionError(path, "listed_on.link_detail",
                              f"{listed.link_detail!r} is not a detail any of this service's "
                              "forms records")
    for definition in catalogue:
        if listed.service not in definition.services:
            continue
        copy = definition.for_service(listed.service)
        table = copy.tables_by_key.get(listed.table)
        # The table must reach the rules: the event carries its rows as a detail.
        if (table is not None and listed.column in {c.key for c in table.columns}
                and any(spec.kind == listed.event and listed.table in spec.details
                        for spec in copy.events)):
            return
    raise DefinitionError(path, "listed_on",
                          f"no form of {listed.service!r} records an event {listed.event!r} "
                          f"with a table {listed.table!r} (a column {listed.column!r}) in its "
                          "details")


def _event_kinds(rule: Rule) -> list[tuple[str, str]]:
    kinds = [("met_by_event", rule.met_by_event)]
    kinds += [(f"also_met_by[{i}]", kind) for i, kind in enumerate(rule.also_met_by)]
    if isinstance(rule, Within | WithinEach | PlannedDuration):
        kinds.append(("after_event", rule.after_event))
    if isinstance(rule, Recurring):
        kinds.append(("anchor_event", rule.anchor_event))
    return kinds


def _details_read(rule: Rule) -> list[tuple[str, str]]:
    read: list[tuple[str, str]] = []
    if rule.exempt_while is not None:
        read.append(("exempt_while.detail", rule.exempt_while.detail))
    if isinstance(rule, ByDate):
        read.append(("date_detail", rule.date_detail))
    if isinstance(rule, Recurring) and rule.due_by_detail is not None:
        read.append(("due_by_detail", rule.due_by_detail))
    if isinstance(rule, WithinEach) and rule.link_detail is not None:
        read.append(("link_detail", rule.link_detail))
    timing: Timing | None = (rule.span if isinstance(rule, Within | WithinEach | PlannedDuration)
                             else rule.every if isinstance(rule, Recurring) else None)
    if isinstance(timing, ChosenSpan):
        key = "every" if isinstance(rule, Recurring) else "span"
        read.append((f"{key}.choose_by", timing.choose_by))
    return read
