"""Answers as people write them on a Word form, read for one field: what a tick, a
choice in a row of tick boxes or a UK date looks like, and what a blank line is.

Contract: :func:`value_of` turns the text found in an answer place into the
:class:`RawValue` validation expects (a tick as ``checked``, a date as ``full_date``),
with the problem when the text cannot be one answer (both Yes and No ticked). Every
pattern stays linear in the text's length: a hostile file can make it long.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.definitions import FieldSpec, FieldType
from pipeline.records import RawValue

MATCHED_BY = "layout"
TICKED = "\u2612\u2611\u25a0\u2713\u2714\u2718"
BOXES = "\u2610\u2612\u2611\u25a1\u25a0\u2713\u2714\u2718"
# A tick box as people write one: a ballot box, a tick, [x] or [ ].
MARK = rf"(?:[{BOXES}]|\[\s*[xX\u2713\u2714]?\s*\])"
# What a blank answer shows: lines of underscores or dots, a date hint.
_BLANK_LINE = re.compile(r"_{2,}|\.{4,}|\u2026{2,}")
_DATE_HINT = re.compile(r"^\(?\s*(?:dd|d)\s*[/.-]\s*mm\s*[/.-]\s*(?:yyyy|yy)\s*\)?$", re.I)
_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}


def clean(text: str) -> str:
    """An answer without the blank lines and hints of the empty form, lines kept."""
    lines = []
    for line in text.replace("\u00a0", " ").split("\n"):
        line = _BLANK_LINE.sub(" ", line)
        line = re.sub(r"[ \t]+", " ", line).strip()
        lines.append("" if _DATE_HINT.match(line) else line)
    return "\n".join(lines).strip("\n")


def mark_ticked(mark: str) -> bool:
    mark = mark.strip()
    return mark[:1] in TICKED or (mark.startswith("[") and mark.strip("[] ") != "")


def options_ticked(text: str, labels: list[str]) -> list[str] | None:
    """Which of ``labels`` are ticked in a row of tick boxes, or None when ``text`` is no
    such row. A box retyped as X counts ("X Medium")."""
    found: dict[str, bool] = {}
    for label in labels:
        words = r"\W+".join(re.escape(p) for p in re.findall(r"\w+", label))
        if not words:
            continue
        pattern = rf"({MARK}|(?<![\w])[xX](?=\s))\s*{words}(?!\w)"
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            found[label] = mark_ticked(match.group(1)) or match.group(1) in "xX"
    if not found:
        return None
    return [label for label, ticked in found.items() if ticked]


def uk_date(text: str) -> date | None:
    """A date as people write one in the UK: 01/03/2026, 1.3.26, 1st March 2026, 2026-03-01."""
    cleaned = text.strip().lower().rstrip(".")
    if len(cleaned) > 40:
        return None
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", cleaned)
    numeric = re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})", cleaned)
    words = re.fullmatch(r"(?:\w+day,?\s+)?(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+([a-z]+)\.?,?"
                         r"\s+(\d{2}|\d{4})", cleaned)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if numeric:
            year = int(numeric[3])
            return date(year + 2000 if year < 100 else year, int(numeric[2]), int(numeric[1]))
        if words and words[2] in _MONTHS:
            year = int(words[3])
            return date(year + 2000 if year < 100 else year, _MONTHS[words[2]], int(words[1]))
    except ValueError:
        return None
    return None


def value_of(spec: FieldSpec, text: str) -> tuple[RawValue, str | None]:
    """The raw value of an answer written as ``text``, and a problem, if there is one."""
    answer = clean(text)
    if spec.type is FieldType.YES_NO:
        ticked = options_ticked(answer, ["Yes", "No"])
        if ticked is not None and len(ticked) > 1:
            return RawValue(matched_by=MATCHED_BY), "both Yes and No are ticked"
        if ticked is not None:
            return RawValue(checked=ticked == ["Yes"] if ticked else None, text="",
                            matched_by=MATCHED_BY), None
        mark = re.fullmatch(rf"\s*({MARK}|[xX])\s*", answer)
        if mark:
            return RawValue(checked=mark_ticked(mark[1]) or mark[1] in "xX",
                            matched_by=MATCHED_BY), None
    if spec.type is FieldType.CHOICE:
        ticked = options_ticked(answer, [c.label for c in spec.choices])
        if ticked is not None and len(ticked) > 1:
            return RawValue(matched_by=MATCHED_BY), f"{' and '.join(ticked)} are both ticked"
        if ticked is not None:
            return RawValue(text=ticked[0] if ticked else "", matched_by=MATCHED_BY), None
    if spec.type is FieldType.DATE:
        day = uk_date(answer)
        if day is not None:
            return RawValue(text=f"{day.day:02d}/{day.month:02d}/{day.year}", full_date=day,
                            matched_by=MATCHED_BY), None
    if spec.type is not FieldType.LONG_TEXT:
        answer = re.sub(r"\s*\n\s*", " ", answer) if spec.type is not FieldType.TEXT else answer
    return RawValue(text=answer, matched_by=MATCHED_BY), None
