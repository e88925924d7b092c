"""The AcroForm field tree, walked with bounds: the filler's and the reader's view of it.

A field's name is the path of partial names (``/T``) from the root, joined by periods;
its type, flags and value may be inherited from a parent. A widget is a kid without a
``/T`` (or the field itself, when the two are merged, as they usually are). The files
are untrusted: the walk stops at a depth, a number of nodes, and any loop.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pypdf.generic import ArrayObject, DictionaryObject, PdfObject

from pipeline.errors import FormReadError

MAX_DEPTH = 12
MAX_NODES = 20_000
_INHERITED = ("/FT", "/Ff", "/V", "/Opt", "/DA")


@dataclass
class FieldNode:
    """A terminal field: its full name, dictionary, widgets and inherited entries."""

    name: str
    field: DictionaryObject
    widgets: list[DictionaryObject] = dataclasses.field(default_factory=list)
    inherited: dict[str, PdfObject] = dataclasses.field(default_factory=dict)

    def get(self, key: str) -> PdfObject | None:
        """An entry of the field, else the nearest parent's (type, flags, value, options)."""
        if key in self.field:
            return self.field[key]
        return self.inherited.get(key)

    @property
    def kind(self) -> str:
        return str(self.get("/FT") or "")

    @property
    def flags(self) -> int:
        value = self.get("/Ff")
        try:
            return int(value) if value is not None else 0  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return 0


def _resolve(node: object) -> DictionaryObject | None:
    try:
        resolved = node.get_object() if isinstance(node, PdfObject) else None
    except Exception:  # a dangling or damaged reference is just not a field
        return None
    return resolved if isinstance(resolved, DictionaryObject) else None


def walk(roots: object, path: str = "the form") -> list[FieldNode]:
    """Every terminal field under the ``/Fields`` array, depth-first, in document order."""
    found: list[FieldNode] = []
    seen: set[int] = set()
    if not isinstance(roots, ArrayObject):
        return found
    stack: list[tuple[object, str, dict[str, PdfObject], int]] = [
        (kid, "", {}, 0) for kid in reversed(roots)]
    while stack:
        raw, prefix, inherited, depth = stack.pop()
        node = _resolve(raw)
        # pypdf hands back the same object for every reference to it, so identity finds
        # a node reached twice (a loop, or a kid listed twice).
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if len(seen) > MAX_NODES or depth > MAX_DEPTH:
            raise FormReadError(path, "the form's field tree is far larger or deeper than any "
                                "real form's", hint="This is not a normal form; check where "
                                "it came from.")
        partial = node.get("/T")
        name = prefix if partial is None else (
            f"{prefix}.{partial}" if prefix else str(partial))
        passed = {**inherited, **{k: node[k] for k in _INHERITED if k in node}}
        kids = [k for k in (_resolve(kid) for kid in _kids(node)) if k is not None]
        named_kids = [k for k in kids if "/T" in k]
        if named_kids:
            for kid in reversed(kids):
                stack.append((kid, name, passed, depth + 1))
            continue
        widgets = kids or ([node] if node.get("/Subtype") == "/Widget" else [])
        found.append(FieldNode(name, node, widgets, inherited))
    return found


def _kids(node: DictionaryObject) -> list[object]:
    kids = node.get("/Kids")
    kids = kids.get_object() if isinstance(kids, PdfObject) else None
    return list(kids) if isinstance(kids, ArrayObject) else []
