"""WordprocessingML names and small element helpers shared by the builder, filler and reader."""

from __future__ import annotations

from functools import cache
from typing import cast

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"
CUSTOM_PROPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

# The glyphs Word uses for a content-control checkbox (MS Gothic ballot boxes).
CHECKED_GLYPH = "\u2612"
UNCHECKED_GLYPH = "\u2610"


@cache
def w(tag: str) -> str:
    """Clark name in the main WordprocessingML namespace: ``w("sdt")``."""
    return f"{{{W_NS}}}{tag}"


@cache
def w14(tag: str) -> str:
    return f"{{{W14_NS}}}{tag}"


@cache
def w15(tag: str) -> str:
    return f"{{{W15_NS}}}{tag}"


def wattr(element: etree._Element, name: str) -> str | None:
    """A ``w:`` attribute of an element, or None."""
    value = element.get(w(name))
    return None if value is None else str(value)


def sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    """Append a child; attribute names are in the ``w:`` namespace unless already qualified."""
    child = etree.SubElement(parent, tag)
    for name, value in attrs.items():
        child.set(name if name.startswith("{") else w(name), value)
    return child


_T, _TAB, _BR, _CR, _P = (f"{{{W_NS}}}{name}" for name in ("t", "tab", "br", "cr", "p"))


def text_of(element: etree._Element) -> str:
    """The visible text of an element: runs' text, tabs and breaks, paragraphs on new lines."""
    parts: list[str] = []
    for node in element.iter(_T, _TAB, _BR, _CR, _P):
        tag = node.tag
        if tag == _T:
            parts.append(node.text or "")
        elif tag == _P:
            if parts:
                parts.append("\n")
        else:
            parts.append("\t" if tag == _TAB else "\n")
    return "".join(parts).strip("\n")


def custom_properties_xml(values: dict[str, str]) -> bytes:
    """``docProps/custom.xml`` holding ``values`` as text properties (a form's identity)."""
    # The default namespace's key is None, which lxml-stubs does not allow for.
    namespaces = cast(dict[str, str], {None: CUSTOM_PROPS_NS, "vt": VT_NS})
    root = etree.Element(f"{{{CUSTOM_PROPS_NS}}}Properties", nsmap=namespaces)
    for pid, (name, value) in enumerate(values.items(), start=2):
        prop = etree.SubElement(root, f"{{{CUSTOM_PROPS_NS}}}property")
        prop.set("fmtid", "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}")
        prop.set("pid", str(pid))
        prop.set("name", name)
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
