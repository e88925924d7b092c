"""What ``planwatch forms show`` prints: a form exactly as ``planwatch forms fill`` takes it.

With a service, its copy: every answer's key, label, type, whether it is required, its
choices (value and label), tables with their columns, and each signature block as the two
keys that are filled (``person_signature``, ``person_signed_on``). Without one, the whole
form, each field, column and choice saying which services' copies have it.
"""

from __future__ import annotations

from typing import Any

from pipeline.definitions import FieldSpec, FieldType, FormDefinition, TableSpec, signature_parts


def describe(definition: FormDefinition, service: str | None = None) -> dict[str, Any]:
    """``definition`` for people and integrations; ``service``: that service's copy."""
    if service is not None:
        copy = definition.for_service(service)
        return {**_header(copy), "service": service,
                "sections": [{"title": s.title, "items": [_item(i, None) for i in s.items]}
                             for s in copy.sections]}
    seen = _seen_by(definition)
    return {**_header(definition), "service": None,
            "copies_differ": copies_differ(definition),
            "sections": [{"title": s.title, "items": [_item(i, seen) for i in s.items]}
                         for s in definition.sections]}


def copies_differ(definition: FormDefinition) -> bool:
    """Whether two services' copies of the form take different answers."""
    shapes = {repr(describe(definition, s)["sections"]) for s in definition.services}
    return len(shapes) > 1


def _header(definition: FormDefinition) -> dict[str, Any]:
    return {"id": definition.id, "version": definition.version, "title": definition.title,
            "services": list(definition.services), "event": definition.event}


# Which services' copies hold each key ("table.column" for a column) and each
# "key=value" choice.
Seen = dict[str, list[str]]


def _seen_by(definition: FormDefinition) -> Seen:
    seen: Seen = {}
    for service in definition.services:
        copy = definition.for_service(service)
        names: list[str] = []
        for item in (i for s in copy.sections for i in s.items):
            if isinstance(item, TableSpec):
                names.append(item.key)
            fields = item.columns if isinstance(item, TableSpec) else (item,)
            prefix = f"{item.key}." if isinstance(item, TableSpec) else ""
            for field in fields:
                names.append(prefix + field.key)
                names += [f"{prefix}{field.key}={c.value}" for c in field.choices]
        for name in names:
            seen.setdefault(name, []).append(service)
    return seen


def _services(seen: Seen | None, name: str) -> dict[str, Any]:
    return {} if seen is None else {"services": seen.get(name, [])}


def _field(field: FieldSpec, seen: Seen | None, prefix: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {"key": field.key, "label": field.label, "type": field.type.value,
                           "required": field.required, **_services(seen, prefix + field.key)}
    if field.type is FieldType.CHOICE:
        row["choices"] = [
            {"value": c.value, "label": c.label,
             **_services(seen, f"{prefix}{field.key}={c.value}")} for c in field.choices]
    if field.type is FieldType.NUMBER:
        row["minimum"], row["maximum"] = field.minimum, field.maximum
    if field.max_length is not None:
        row["max_length"] = field.max_length
    if field.required_if:
        row["required_if"] = field.required_if
    if field.help:
        row["help"] = field.help
    return row


def _item(item: FieldSpec | TableSpec, seen: Seen | None) -> dict[str, Any]:
    if isinstance(item, TableSpec):
        return {"table": item.key, "label": item.label, "required": item.required,
                "min_rows": item.min_rows, **_services(seen, item.key),
                "columns": [_field(c, seen, f"{item.key}.") for c in item.columns]}
    row = _field(item, seen)
    if item.type is FieldType.SIGNATURE:
        # A signature block is filled as its two parts: these are the keys to give.
        row["fields"] = [{**_field(part, None), **_services(seen, item.key)}
                         for part in signature_parts(item)]
        row["keys"] = [part["key"] for part in row["fields"]]
    return row
