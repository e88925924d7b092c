"""Strict Open XML: the same documents under other namespace names, read as the usual ones.

Word's "Strict Open XML Document" and Excel's "Strict Open XML Spreadsheet" save the same
parts as a .docx/.xlsx, with the ISO namespaces (``http://purl.oclc.org/ooxml/...``) in
place of the usual ("transitional") ones (``http://schemas.openxmlformats.org/...``), and
on/off values written ``true``/``false`` (which the readers already accept). So a Strict
file is read by renaming its namespaces back, at the root, before anything looks at it:
both readers rename the elements and attributes of each part they parse
(:func:`transitional_tree`). The extension namespaces Word adds in both kinds (w14 check
boxes, w15 repeating sections) are the same in both.
"""

from __future__ import annotations

from lxml import etree

_STRICT = "http://purl.oclc.org/ooxml/"
_USUAL = "http://schemas.openxmlformats.org/"
# ECMA-376 Part 1: each Strict namespace and its transitional twin.
NAMESPACES = {
    _STRICT + "wordprocessingml/main": _USUAL + "wordprocessingml/2006/main",
    _STRICT + "spreadsheetml/main": _USUAL + "spreadsheetml/2006/main",
    _STRICT + "presentationml/main": _USUAL + "presentationml/2006/main",
    _STRICT + "officeDocument/relationships": _USUAL + "officeDocument/2006/relationships",
    _STRICT + "officeDocument/math": _USUAL + "officeDocument/2006/math",
    _STRICT + "officeDocument/customProperties":
        _USUAL + "officeDocument/2006/custom-properties",
    _STRICT + "officeDocument/extendedProperties":
        _USUAL + "officeDocument/2006/extended-properties",
    _STRICT + "officeDocument/docPropsVTypes": _USUAL + "officeDocument/2006/docPropsVTypes",
    _STRICT + "officeDocument/sharedTypes": _USUAL + "officeDocument/2006/sharedTypes",
    _STRICT + "officeDocument/bibliography": _USUAL + "officeDocument/2006/bibliography",
    _STRICT + "officeDocument/customXml": _USUAL + "officeDocument/2006/customXml",
    _STRICT + "schemaLibrary/main": _USUAL + "schemaLibrary/2006/main",
    **{_STRICT + f"drawingml/{name}": _USUAL + f"drawingml/2006/{name}"
       for name in ("main", "wordprocessingDrawing", "spreadsheetDrawing", "picture", "chart",
                    "chartDrawing", "diagram", "compatibility", "lockedCanvas")},
}
# Word's and Excel's main parts: where a Strict file shows what it is.
STRICT_MARKERS = (_STRICT + "wordprocessingml/main", _STRICT + "spreadsheetml/main")


def _renamed(name: str) -> str | None:
    """``{strict}local`` as ``{transitional}local``; None when ``name`` is not Strict."""
    if not name.startswith("{" + _STRICT):
        return None
    namespace, _, local = name[1:].partition("}")
    usual = NAMESPACES.get(namespace)
    return None if usual is None else f"{{{usual}}}{local}"


def is_strict(root: etree._Element) -> bool:
    """Whether a parsed part uses any Strict namespace (on its root, as Office writes it)."""
    tag = root.tag
    return (isinstance(tag, str) and tag.startswith("{" + _STRICT)) or any(
        isinstance(uri, str) and uri.startswith(_STRICT) for uri in root.nsmap.values())


def transitional_tree(root: etree._Element) -> etree._Element:
    """The part with every Strict element and attribute name renamed to its usual name (in
    place; a part that is not Strict is returned as it is, untouched)."""
    if not is_strict(root):
        return root
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue  # comments and processing instructions
        renamed = _renamed(tag)
        if renamed is not None:
            element.tag = renamed
        for key in [str(k) for k in element.attrib if str(k).startswith("{" + _STRICT)]:
            new_key = _renamed(key)
            if new_key is not None:
                element.set(new_key, element.attrib.pop(key))
    etree.cleanup_namespaces(root)
    return root


def is_strict_part(data: bytes) -> bool:
    """Whether a main part's bytes (``xl/workbook.xml``) are written in Strict names."""
    return any(marker.encode() in data[:4096] for marker in STRICT_MARKERS)
