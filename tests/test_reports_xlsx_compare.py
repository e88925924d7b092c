"""The workbooks XlsxWriter writes against the ones the openpyxl writer wrote before it.

``tests/data/workbooks/*_before.xlsx`` were written by the openpyxl writer from the fixed
inputs of :mod:`tests.data.workbooks.reference`; here the same inputs are written again
and both files are read with openpyxl, sheet by sheet and cell by cell. What differs on
purpose, and is allowed for below:

- relative links are written as Excel writes them, ``..\\archive\\x.docx``, not
  ``../archive/x.docx`` (Excel and LibreOffice open either);
- column widths are stored with Excel's cell padding (XlsxWriter stores the width Excel
  shows, 0.71 more than the number openpyxl stored, so columns show 5 pixels wider);
- row heights are whole pixels (40 points is stored as 39.75);
- a chart's references are written absolute and unquoted (``Summary!$C$34``);
- the weekly workbook has a sheet the openpyxl writer never wrote, "Since last week"
  (tests/test_reports_weekly_changes.py); with no previous workbook in the input it adds
  nothing to the Summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from tests.data.workbooks import reference

BEFORE = {"weekly": reference.HERE / "weekly_before.xlsx",
          "schedule": reference.HERE / "schedule_before.xlsx"}
PADDING = 0.7109375  # 5 pixels of Excel's default font, in 1/256 of a digit's width
PIXEL = 0.75  # points
ADDED = {"Since last week"}  # sheets added since the reference workbooks were written


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    weekly, schedule = reference.write_both(tmp_path_factory.mktemp("workspace"))
    return {"weekly": weekly, "schedule": schedule}


def _colour(colour: Any) -> str | None:
    return str(colour.rgb)[-6:] if colour is not None and colour.type == "rgb" else None


def _link(cell: Any) -> tuple[str | None, str | None] | None:
    if cell.hyperlink is None:
        return None
    target = cell.hyperlink.target
    return (target.replace("\\", "/") if target else None, cell.hyperlink.location)


def cells(ws: Any) -> dict[str, dict[str, Any]]:
    """Every cell of ``ws``: what it holds and how it looks."""
    found = {}
    for row in ws.iter_rows():
        for cell in row:
            font, align, bottom = cell.font, cell.alignment, cell.border.bottom
            found[cell.coordinate] = {
                "value": cell.value, "type": cell.data_type, "format": cell.number_format,
                "link": _link(cell),
                "font": (font.name, font.sz, font.b, font.i, font.u, _colour(font.color)),
                "fill": _colour(cell.fill.fgColor) if cell.fill.fill_type else None,
                "align": (align.horizontal, align.vertical, align.wrap_text),
                "border": (bottom.style, _colour(bottom.color))}
    return found


def layout(ws: Any) -> dict[str, Any]:
    """How ``ws`` is laid out on screen and on paper."""
    setup, margins = ws.page_setup, ws.page_margins
    return {
        "dimensions": ws.dimensions, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "print_area": ws.print_area, "print_titles": ws.print_title_rows,
        "row_breaks": [b.id for b in ws.row_breaks.brk],
        "footer": (ws.oddFooter.left.text, ws.oddFooter.right.text),
        # fitToWidth is left out when 1, the file format's default.
        "page": (setup.orientation, setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight,
                 ws.sheet_properties.pageSetUpPr.fitToPage),
        "margins": (margins.left, margins.right, margins.top, margins.bottom, margins.header,
                    margins.footer),
        "gridlines_printed": bool(ws.print_options.gridLines)}


def widths(ws: Any) -> dict[str, float]:
    return {get_column_letter(n): dimension.width
            for dimension in ws.column_dimensions.values()
            for n in range(dimension.min or 1, (dimension.max or dimension.min or 1) + 1)}


def heights(ws: Any) -> dict[int, float]:
    return {n: d.height for n, d in ws.row_dimensions.items() if d.height}


def books(written: dict[str, Path], name: str) -> tuple[Any, Any]:
    return openpyxl.load_workbook(BEFORE[name]), openpyxl.load_workbook(written[name])


NAMES = [pytest.param("weekly", id="weekly_workbook"),
         pytest.param("schedule", id="schedule_workbook")]


@pytest.mark.parametrize("name", NAMES)
def test_same_sheets_and_properties(written: dict[str, Path], name: str) -> None:
    before, after = books(written, name)
    assert [title for title in after.sheetnames if title not in ADDED] == before.sheetnames
    assert (after.properties.title, after.properties.creator) == (
        before.properties.title, before.properties.creator)


@pytest.mark.parametrize("name", NAMES)
def test_every_cell_holds_the_same_and_looks_the_same(written: dict[str, Path],
                                                      name: str) -> None:
    """Values, types, number formats, links (targets and places), fonts, fills,
    alignment and borders, cell by cell."""
    before, after = books(written, name)
    for title in before.sheetnames:
        old, new = cells(before[title]), cells(after[title])
        assert new.keys() == old.keys(), title
        for coordinate, was in old.items():
            assert new[coordinate] == was, (title, coordinate)


@pytest.mark.parametrize("name", NAMES)
def test_same_layout_on_screen_and_paper(written: dict[str, Path], name: str) -> None:
    """Frozen header, autofilter, merged cells, print area and titles, page breaks,
    footers, page setup, margins, printed gridlines; widths and heights as above."""
    before, after = books(written, name)
    for title in before.sheetnames:
        assert layout(after[title]) == layout(before[title]), title
        old_widths, new_widths = widths(before[title]), widths(after[title])
        assert new_widths.keys() == old_widths.keys(), title
        for letter, width in old_widths.items():
            assert new_widths[letter] == pytest.approx(width + PADDING), (title, letter)
        old_heights, new_heights = heights(before[title]), heights(after[title])
        assert new_heights.keys() == old_heights.keys(), title
        for number, height in old_heights.items():
            assert height - PIXEL < new_heights[number] <= height, (title, number)


def _chart(ws: Any) -> dict[str, Any]:
    (chart,) = ws._charts
    axis = chart.y_axis

    def ref(formula: str) -> str:
        return formula.replace("'", "").replace("$", "")

    series = []
    for line in chart.series:
        categories = line.cat.numRef or line.cat.strRef
        stroke = line.spPr.ln if line.spPr is not None else None
        series.append({
            "name": ref(line.tx.strRef.f), "values": ref(line.val.numRef.f),
            "categories": ref(categories.f), "marker": line.marker.symbol,
            "colour": stroke.solidFill.srgbClr if stroke is not None and stroke.solidFill
            else None, "width": stroke.w if stroke is not None else None})
    return {"type": chart.tagname, "series": series, "blanks": chart.display_blanks,
            "scale": (axis.scaling.min, axis.scaling.max, axis.majorUnit),
            "format": axis.number_format.formatCode, "axis_title": axis.title is not None,
            "legend": chart.legend.position,
            "at": (chart.anchor._from.row, chart.anchor._from.col)}


def test_summary_has_the_same_trend_chart(written: dict[str, Path]) -> None:
    """A line chart of the same series (all services in the accent colour, 2.25 pt),
    0-100% in steps of 25%, gaps for missing weeks, circle markers, in the same place."""
    before, after = books(written, "weekly")
    chart = _chart(after["Summary"])
    assert chart == _chart(before["Summary"])
    assert chart["series"][0]["name"] == "Summary!C34"
    assert [s["colour"] for s in chart["series"]] == ["1F4E5F", None, None, None]
