"""The words staff use for what Planwatch knows by id: services, obligations, forms, fields.

Every report and terminal table a person reads names a service by its policy's ``name``
("Stockport Women's Aid: refuge (women)"), an obligation by what it is ("Weekly review",
"Support plan"), a form by its title and a field by its label ("Actions, row 2: Need
area", never ``actions[1].area``), never ``swa-refuge-women`` or ``support_plan``; JSON
for scripts keeps the ids. The reports' jobs look the names up here and hand them to the
writers with the rest of the report's input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipeline.definitions import Catalogue, FieldSpec, TableSpec
from pipeline.policies import Policies, service_form_titles
from pipeline.rules.vocabulary import CalendarDays, CalendarMonths, Recurring, Weeks

# Obligations whose id does not read as their name once its underscores are spaces.
OBLIGATION_WORDS = {
    "review_part2": "Review Part 2 (manager)",
    "sw_contact": "Social worker contacted",
    "hard_copy": "Copy of the plan sent",
    "outcomes_form": "Outcomes form",
    "change_review": "Review after a change of circumstances",
    "child_referral": "Child referral",
    "worker_allocated": "Worker allocated",
    "feedback": "Feedback form",
    "self_assessment": "Self-assessment",
}

# Events whose id reads wrong as words.
EVENT_WORDS = {"start": "Support started", "closure": "Support ended (closure)"}


def humanise(identifier: str) -> str:
    """``support_plan`` as "Support plan", ``swa-floating`` as "Swa floating"."""
    words = identifier.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def _every(rule: Recurring) -> str:
    """ "Weekly", "Monthly", "Every 6 months": how often a recurring obligation falls."""
    span = rule.every
    count = getattr(span, "count", 0)
    if isinstance(span, CalendarDays) and count % 7 == 0 and count:
        span, count = Weeks(count=count // 7), count // 7
    if isinstance(span, Weeks):
        return {1: "Weekly", 2: "Fortnightly"}.get(count, f"Every {count} weeks")
    if isinstance(span, CalendarMonths):
        return {1: "Monthly", 12: "Yearly"}.get(count, f"Every {count} months")
    return ""


@dataclass(frozen=True)
class Names:
    """Names by id, looked up once from the policies and the forms."""

    services: Mapping[str, str] = field(default_factory=dict)
    # (service, obligation id) -> its name on that service.
    obligations: Mapping[tuple[str, str], str] = field(default_factory=dict)
    forms: Mapping[str, str] = field(default_factory=dict)
    # (form id, service) -> the title that service knows the form by.
    service_forms: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # (form id, key) -> its label; (form id, table key, column key) -> the column's.
    fields: Mapping[tuple[str, str], str] = field(default_factory=dict)
    columns: Mapping[tuple[str, str, str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, policies: Policies, catalogue: Catalogue | None = None) -> Names:
        obligations: dict[tuple[str, str], str] = {}
        for policy in policies:
            for rule in policy.obligations:
                name = OBLIGATION_WORDS.get(rule.obligation, humanise(rule.obligation))
                if isinstance(rule, Recurring) and rule.due_by_detail is None:
                    often = _every(rule)
                    name = f"{often} {name.lower()}" if often else name
                obligations[(policy.id, rule.obligation)] = name
        forms: dict[str, str] = {}
        fields: dict[tuple[str, str], str] = {}
        columns: dict[tuple[str, str, str], str] = {}
        service_forms: dict[tuple[str, str], str] = {}
        if catalogue is not None:
            for policy in policies:
                for form_id, title in service_form_titles(policy, catalogue).items():
                    service_forms[(form_id, policy.id)] = title
        for definition in catalogue if catalogue is not None else ():
            forms[definition.id] = definition.title
            for leaf in definition.leaf_fields():
                fields.setdefault((definition.id, leaf.key), leaf.label)
            for table in definition.tables:
                fields.setdefault((definition.id, table.key), table.label)
                for column in table.columns:
                    columns.setdefault((definition.id, table.key, column.key), column.label)
            # A check over several fields names its finding by a key of its own (all
            # eight SHANARRI indicators): it reads as the section the fields are in.
            sections = {key: section.title for section in definition.sections
                        for item in section.items for key in _keys(item)}
            for check in definition.checks:
                key, over = getattr(check, "key", None), getattr(check, "fields", ())
                if key and over and over[0] in sections:
                    fields.setdefault((definition.id, key), sections[over[0]])
        return cls(services={p.id: p.name for p in policies}, obligations=obligations,
                   forms=forms, service_forms=service_forms, fields=fields, columns=columns)

    def service(self, service: str | None) -> str:
        if not service:
            return ""
        return self.services.get(service, service)

    def obligation(self, service: str, obligation: str) -> str:
        return self.obligations.get((service, obligation),
                                    OBLIGATION_WORDS.get(obligation, humanise(obligation)))

    def event(self, kind: str) -> str:
        """An event as staff say it: in the obligations' words where they share an id
        (``review_part2`` is "Review Part 2 (manager)" in both), else as its words."""
        return EVENT_WORDS.get(kind) or OBLIGATION_WORDS.get(kind) or humanise(kind)

    def form(self, form_id: str | None, service: str | None = None) -> str:
        """A form's title, as ``service`` knows it when given."""
        if not form_id:
            return ""
        if service and (form_id, service) in self.service_forms:
            return self.service_forms[(form_id, service)]
        return self.forms.get(form_id, humanise(form_id))

    def field(self, form_id: str, key: str) -> str:
        """A field of a form as its label reads: ``actions[2].area`` is "Actions, row 2:
        Need area" (findings number a table's rows from 1, as the form shows them); a key
        the form does not have reads as its words ("Review date")."""
        if not key:
            return ""
        cell = _CELL.fullmatch(key)
        if cell is None:
            return self.fields.get((form_id, key), humanise(key))
        table, index, column = cell.group("table"), cell.group("row"), cell.group("column")
        words = self.fields.get((form_id, table), humanise(table))
        if index is not None:
            words = f"{words}, row {int(index)}"
        if column:
            label = self.columns.get((form_id, table, column), humanise(column))
            words = f"{words}: {label}"
        return words


# ``actions[1].area``, ``actions[1]`` or ``actions.area``: a table's row, cell or column.
_CELL = re.compile(r"(?P<table>[a-z][a-z0-9_]*)(?:\[(?P<row>\d+)\])?"
                   r"(?:\.(?P<column>[a-z][a-z0-9_]*))?")


def _keys(item: TableSpec | FieldSpec) -> list[str]:
    """The keys an item of a section answers: a field's, or a table's and its columns'."""
    if isinstance(item, TableSpec):
        return [item.key, *(column.key for column in item.columns)]
    return [item.key]
