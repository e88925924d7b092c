"""Reading Excel forms: Planwatch's own, LibreOffice Calc's copies, lost names, hostile files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from pipeline.definitions import Catalogue, FormDefinition
from pipeline.errors import FillError, FormReadError, UnsafeFileError
from pipeline.fill_values import coerce_values
from pipeline.formats.safety import OLE_MAGIC, Limits
from pipeline.formats.titles import service_title
from pipeline.formats.xlsx.fill import fill_xlsx
from pipeline.formats.xlsx.read import read_xlsx
from pipeline.forms_service import check, fill
from pipeline.records import Record
from tests.form_samples import sample_values, strict_open_xml

SERVICE = "community-support"


@pytest.fixture(scope="module")
def plan(catalogue: Catalogue) -> FormDefinition:
    return catalogue.get("support-plan").for_service(SERVICE)


@pytest.fixture(scope="module")
def values(plan: FormDefinition) -> dict[str, Any]:
    return sample_values(plan)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, plan: FormDefinition,
           values: dict[str, Any]) -> Path:
    return fill(plan, values, tmp_path_factory.mktemp("xlsx") / "plan.xlsx",
                saved_at=datetime(2026, 3, 20, 10, 15, tzinfo=UTC))


@pytest.fixture(scope="module")
def expected(filled: Path, catalogue: Catalogue) -> Record:
    return check(filled, catalogue)


def _same(got: Record, want: Record) -> None:
    assert (got.values, got.tables, got.findings) == (want.values, want.tables, want.findings)
    assert (got.form_id, got.service, got.person_id) == (want.form_id, want.service,
                                                         want.person_id)


def _rewrite(blob: bytes, change: Callable[[Any], None]) -> bytes:
    workbook = load_workbook(io.BytesIO(blob), rich_text=True)
    change(workbook)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_filled_form_reads_back_what_was_typed(
    filled: Path, catalogue: Catalogue, plan: FormDefinition, values: dict[str, Any]
) -> None:
    raw = read_xlsx(filled, catalogue)
    typed = coerce_values(plan, values)
    record = check(filled, catalogue)
    assert {k: record.values[k] for k in typed.fields} == typed.fields
    assert [{k: v for k, v in row.items() if v is not None}
            for row in record.tables["actions"]] == typed.tables["actions"]
    assert raw.modified == datetime(2026, 3, 20, 10, 15, tzinfo=UTC)
    assert (raw.form_id, raw.form_version, raw.service) == ("support-plan", 1, SERVICE)
    assert not raw.unmatched
    assert raw.fields["plan_date"].full_date == typed.fields["plan_date"]


def test_saved_as_strict_open_xml_reads_back_the_same_record(
    filled: Path, expected: Record, catalogue: Catalogue, tmp_path: Path
) -> None:
    """Excel's "Strict Open XML Spreadsheet": openpyxl is shown the usual names."""
    path = tmp_path / "strict.xlsx"
    path.write_bytes(strict_open_xml(filled.read_bytes()))
    _same(check(path, catalogue), expected)


def test_text_starting_with_equals_is_stored_as_text(filled: Path) -> None:
    workbook = load_workbook(filled)
    texts = [c for row in workbook.active.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=1+2")]
    assert texts and all(c.data_type == "s" for c in texts)


@pytest.mark.libreoffice
def test_saved_by_libreoffice_calc_reads_back_whole(
    filled: Path, expected: Record, catalogue: Catalogue, tmp_path: Path,
    libreoffice: Callable[..., list[Path]],
) -> None:
    (resaved,) = libreoffice([filled], tmp_path, "xlsx")
    assert resaved.read_bytes() != filled.read_bytes()
    raw = read_xlsx(resaved, catalogue)
    assert {v.matched_by for v in raw.fields.values()} == {"name"}
    _same(check(resaved, catalogue), expected)


def test_names_deleted_falls_back_to_the_labels(
    filled: Path, expected: Record, catalogue: Catalogue, tmp_path: Path
) -> None:
    def drop_names(workbook: Any) -> None:
        for name in list(workbook.defined_names):
            del workbook.defined_names[name]

    path = tmp_path / "no-names.xlsx"
    path.write_bytes(_rewrite(filled.read_bytes(), drop_names))
    raw = read_xlsx(path, catalogue)
    assert {v.matched_by for v in raw.fields.values()} == {"label"}
    _same(check(path, catalogue), expected)


def test_recognised_by_the_stamp_when_properties_are_gone(
    filled: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    source = zipfile.ZipFile(filled)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for entry in source.infolist():
            if entry.filename != "docProps/custom.xml":
                target.writestr(entry, source.read(entry))
    path = tmp_path / "no-props.xlsx"
    path.write_bytes(output.getvalue())
    raw = read_xlsx(path, catalogue)
    assert (raw.form_id, raw.form_version, raw.service) == ("support-plan", 1, SERVICE)


def test_date_typed_as_text_and_date_whose_format_was_lost(
    filled: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    def retype(workbook: Any) -> None:
        for key, value in (("plan_date", "20/03/2026"), ("next_review_date", 46125)):
            title, cells = next(iter(workbook.defined_names[key].destinations))
            cell = workbook[title][cells.replace("$", "")]
            cell.value, cell.number_format = value, "General"

    path = tmp_path / "retyped.xlsx"
    path.write_bytes(_rewrite(filled.read_bytes(), retype))
    record = check(path, catalogue)
    assert record.values["plan_date"].isoformat() == "2026-03-20"
    assert record.values["next_review_date"].isoformat() == "2026-04-13"


def test_more_rows_than_the_range_is_refused(plan: FormDefinition) -> None:
    rows = [{"issue": f"Issue {n}", "task": "Task", "responsible": "Sam",
             "target_date": "2026-05-01"} for n in range(11)]
    with pytest.raises(FillError, match="room for 10"):
        fill_xlsx(plan, SERVICE, coerce_values(plan, {"person_id": "PW-1", "actions": rows}),
                  title=service_title(SERVICE))


# --- files that cannot be read ----------------------------------------------------------


def _replace_part(blob: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(blob))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, data if entry.filename == name else source.read(entry))
    return output.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t>
</si></sst>"""


def _utf16_doctype(blob: bytes) -> bytes:
    """The same attack in UTF-16, which a byte scan for "<!DOCTYPE" would miss."""
    text = BILLION_LAUGHS.decode().replace('version="1.0"?>', 'version="1.0" encoding="UTF-16"?>')
    return _replace_part(blob, "xl/styles.xml", text.encode("utf-16"))


def _zip_bomb(blob: bytes) -> bytes:
    return _replace_part(blob, "xl/worksheets/sheet1.xml", b"<" + b" " * (5 * 1024 * 1024)
                         + b"/>")


def _huge_named_range(blob: bytes) -> bytes:
    def change(workbook: Any) -> None:
        workbook.defined_names["actions"].attr_text = "'Support plan'!$B$1:$XFD$1048576"
    return _rewrite(blob, change)


UNREADABLE = [
    pytest.param(lambda ok: b"name,date\nAda,2026-03-20\n", FormReadError,
                 "not a Excel .xlsx file", id="csv_renamed_xlsx"),
    pytest.param(lambda ok: ok[: len(ok) // 2], FormReadError, "damaged", id="truncated"),
    pytest.param(lambda ok: OLE_MAGIC + b"\0" * 600, UnsafeFileError, "password",
                 id="encrypted_workbook_is_an_ole_container"),
    pytest.param(lambda ok: _replace_part(ok, "xl/styles.xml", BILLION_LAUGHS),
                 UnsafeFileError, "DOCTYPE", id="billion_laughs"),
    pytest.param(_utf16_doctype, UnsafeFileError, "DOCTYPE", id="billion_laughs_utf16"),
    pytest.param(_zip_bomb, UnsafeFileError, "zip bomb", id="zip_bomb"),
    pytest.param(lambda ok: _replace_part(ok, "xl/workbook.xml", b"<workbook"),
                 FormReadError, "not well-formed", id="broken_xml"),
    pytest.param(lambda ok: _replace_part(ok, "xl/workbook.xml",
                                          b"<workbook><Jane_Example_1981></workbook>"),
                 FormReadError, "not well-formed", id="xml_error_quotes_the_part"),
    pytest.param(lambda ok: _replace_part(ok, "xl/workbook.xml", _WORKBOOK_OPENPYXL_REFUSES),
                 FormReadError, "damaged and cannot be read", id="openpyxl_error_in_reason"),
]
# Well-formed, but openpyxl fails on it (with a message quoting the sheet's title).
_WORKBOOK_OPENPYXL_REFUSES = (
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r='
    b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    b'<sheet name="Jane Example 1981" sheetId="first" r:id="rId404"/></sheets></workbook>')


@pytest.mark.parametrize(("make", "error", "words"), UNREADABLE)
def test_unreadable_workbook_gets_a_clear_reason(
    make: Callable[[bytes], bytes], error: type[FormReadError], words: str, filled: Path,
    catalogue: Catalogue, tmp_path: Path,
) -> None:
    path = tmp_path / "dropped.xlsx"
    path.write_bytes(make(filled.read_bytes()))
    with pytest.raises(error) as caught:
        read_xlsx(path, catalogue)
    assert words in str(caught.value)
    assert "dropped.xlsx" in str(caught.value) and caught.value.hint
    # Planwatch's own words: nothing a parser quoted from the file, no exception's name.
    assert not any(secret in str(caught.value) for secret in ("Jane", "Example", "1981"))
    assert not re.search(r"\w+(Error|Exception)\b", str(caught.value)), str(caught.value)


def test_a_named_range_over_the_whole_sheet_is_read_within_bounds(
    filled: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "huge.xlsx"
    path.write_bytes(_huge_named_range(filled.read_bytes()))
    raw = read_xlsx(path, catalogue)
    assert len(raw.tables["actions"]) <= 500


def test_oversized_workbook_is_refused_before_parsing(filled: Path, catalogue: Catalogue) -> None:
    with pytest.raises(UnsafeFileError, match="larger than"):
        read_xlsx(filled, catalogue, limits=Limits(max_file_bytes=1000))
