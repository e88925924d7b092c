"""What one AcroForm field holds, as a :class:`RawValue`, and which answer it is.

Viewers and producers differ: a check box's on-state may be ``/Yes``, ``/On``, ``/1`` or
anything else (its appearance names it; only ``/Off`` means unticked); a viewer that
relies on ``/NeedAppearances`` may set ``/V`` but no ``/AS``, another only ``/AS``; a
multi-line value may break lines with CR (Acrobat), LF or both; a combo box's value is
its export value, shown as the option's label. Fields are matched by name (the contract
in :mod:`pipeline.formats.pdf`), else by their tooltip, which carries the label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pypdf.generic import ArrayObject, NameObject, PdfObject

from pipeline.definitions import FieldSpec, FormDefinition, normalise_label
from pipeline.formats.pdf.fields import FieldNode
from pipeline.formats.pdf.names import STAMP_FIELD, label_of_tooltip, parse_cell_name
from pipeline.records import RawValue

RADIO = 1 << 15
PUSH_BUTTON = 1 << 16
OFF = "/Off"


def _text(value: object) -> str:
    """A PDF string (or anything else) as text, with every line break made LF."""
    if value is None:
        return ""
    if isinstance(value, ArrayObject):
        value = value[0] if value else ""
    if isinstance(value, PdfObject) and not isinstance(value, NameObject):
        value = value.get_object()
    text = str(value)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _state(node: FieldNode) -> str | None:
    """A button's state: ``/V``, else the first widget's ``/AS``; None when off."""
    value = node.get("/V")
    if value is None:
        states = [w.get("/AS") for w in node.widgets if w.get("/AS") not in (None, OFF)]
        value = states[0] if states else None
    state = str(value) if value is not None else None
    return None if state in (None, OFF, "") else state


def _options(node: FieldNode) -> list[tuple[str, str]]:
    """A choice field's options as (export value, label) pairs."""
    options = node.get("/Opt")
    options = options.get_object() if isinstance(options, PdfObject) else None
    pairs: list[tuple[str, str]] = []
    for option in options if isinstance(options, ArrayObject) else []:
        option = option.get_object()
        if isinstance(option, ArrayObject) and len(option) >= 2:
            pairs.append((_text(option[0]), _text(option[1])))
        else:
            pairs.append((_text(option), _text(option)))
    return pairs


def raw_value(node: FieldNode, how: str) -> RawValue | None:
    """The field's value as read, or None for fields that hold no answer (buttons, signatures)."""
    if node.kind == "/Btn":
        if node.flags & PUSH_BUTTON:
            return None
        state = _state(node)
        if node.flags & RADIO:
            name = (state or "").lstrip("/")
            return RawValue(text=name, choice_value=name or None, matched_by=how)
        return RawValue(checked=state is not None, matched_by=how)
    if node.kind == "/Ch":
        chosen = _text(node.get("/V"))
        for export, label in _options(node):
            if chosen and chosen == export:
                return RawValue(text=label, choice_value=export or None, matched_by=how)
        return RawValue(text=chosen, matched_by=how)
    if node.kind == "/Tx":
        return RawValue(text=_text(node.get("/V")), matched_by=how)
    return None


@dataclass
class Matched:
    """The answers of one file, keyed as the definition keys them."""

    fields: dict[str, RawValue] = field(default_factory=dict)
    tables: dict[str, dict[int, dict[str, RawValue]]] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)

    def table_rows(self, definition: FormDefinition) -> dict[str, list[dict[str, RawValue]]]:
        """Each table's rows in row order, every column present (empty when not found)."""
        result: dict[str, list[dict[str, RawValue]]] = {}
        for spec in definition.tables:
            rows = self.tables.get(spec.key, {})
            result[spec.key] = [
                {c.key: rows[n].get(c.key, RawValue(text="", matched_by="name"))
                 for c in spec.columns}
                for n in sorted(rows) if any(_used(v) for v in rows[n].values())]
        return result


def _used(value: RawValue) -> bool:
    """A cell someone filled in: an unticked box in an unused row of the blank is not."""
    return bool(value.checked or (value.text or "").strip() or value.choice_value)


def match(definition: FormDefinition, nodes: list[FieldNode]) -> Matched:
    """Assign each field to an answer: by name, then by the label in its tooltip."""
    leaves = definition.leaves_by_key
    by_label = {normalise_label(f.label): f.key for f in leaves.values()}
    matched = Matched()
    for node in nodes:
        if node.name == STAMP_FIELD:
            continue
        cell = parse_cell_name(node.name)
        if cell is not None and cell[0] in definition.tables_by_key:
            table, row, column = cell
            columns = {c.key for c in definition.tables_by_key[table].columns}
            value = raw_value(node, "name")
            if column in columns and value is not None:
                matched.tables.setdefault(table, {}).setdefault(row, {})[column] = value
                continue
        key, how = _field_key(node, leaves, by_label)
        value = raw_value(node, how) if key else None
        if key is None or value is None:
            matched.unmatched.append(node.name)
        elif key not in matched.fields:
            matched.fields[key] = value
    return matched


def _field_key(node: FieldNode, leaves: dict[str, FieldSpec],
               by_label: dict[str, str]) -> tuple[str | None, str]:
    if node.name in leaves:
        return node.name, "name"
    tooltip = node.get("/TU")
    label = normalise_label(label_of_tooltip(_text(tooltip))) if tooltip is not None else ""
    if label in by_label:
        return by_label[label], "label"
    return None, ""
