"""Word forms read back whole when their content controls were lost (issue 16).

Every copy of every form is filled, then stripped of every content control (content
kept) and its custom properties, as Google Docs, a paste into a fresh document or Word's
"Remove content control" leave it: ``forms check`` must give the same values, field by
field, as the intact copy; so must the stripped copy saved again by LibreOffice, and its
tables pasted into a new python-docx document (no title, no footer, no properties). The
layout reader's own cases (labels as people edit them, ticks, UK dates, answers under a
header row, "Label:" lines, two places that disagree) and strange documents follow.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from pipeline.definitions import Catalogue, FormDefinition
from pipeline.errors import FormReadError
from pipeline.formats.word.answers import uk_date
from pipeline.formats.word.layout import LabelReader, Page, fold
from pipeline.formats.word.names import W_NS, w
from pipeline.forms_service import check, fill
from pipeline.inbox.sandbox import SandboxedReader
from pipeline.records import RawForm, RawValue, Record, Severity
from pipeline.validate import validate
from tests.form_samples import sample_values
from tests.office_forms import paste_tables, stripped, with_body

COPIES = [(d.id, s) for d in Catalogue.load() for s in d.services]
FULLEST = [(d.id, max(d.services, key=lambda s, d=d: len(list(d.for_service(s).leaf_fields()))))
           for d in Catalogue.load()]


def _name(form_id: str, service: str) -> str:
    return f"{form_id}--{service}"


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    """Each copy filled (``<name>.docx``), stripped (``-stripped``) and pasted (``-pasted``)."""
    folder = tmp_path_factory.mktemp("layout")
    for form_id, service in COPIES:
        definition = catalogue.get(form_id)
        intact = folder / f"{_name(form_id, service)}.docx"
        fill(definition, sample_values(definition.for_service(service)), intact, service=service)
        bare = stripped(intact.read_bytes())
        (folder / f"{_name(form_id, service)}-stripped.docx").write_bytes(bare)
        (folder / f"{_name(form_id, service)}-pasted.docx").write_bytes(paste_tables(bare))
    return folder


def _same_values(intact: Record, other: Record) -> None:
    """Field by field, so a failure names the field (a form whose service cannot be told
    is checked against every service's fields: those not on this copy are empty)."""
    for key, value in intact.values.items():
        assert other.values.get(key) == value, key
    if other.service:
        assert set(other.values) == set(intact.values)
    else:
        assert not any(other.values[k] for k in set(other.values) - set(intact.values))
    for key, rows in intact.tables.items():
        assert other.tables.get(key) == rows, key


@pytest.mark.parametrize(("form_id", "service"),
                         [pytest.param(f, s, id=_name(f, s)) for f, s in COPIES])
def test_stripped_copy_reads_back_field_by_field(form_id: str, service: str, copies: Path,
                                                 catalogue: Catalogue) -> None:
    intact = check(copies / f"{_name(form_id, service)}.docx", catalogue)
    bare = check(copies / f"{_name(form_id, service)}-stripped.docx", catalogue)
    _same_values(intact, bare)
    assert bare.service == intact.service == service
    assert bare.findings == intact.findings
    assert intact.read_by_label == ()
    assert set(bare.read_by_label) >= set(intact.values)


@pytest.mark.parametrize(("form_id", "service"),
                         [pytest.param(f, s, id=_name(f, s)) for f, s in COPIES])
def test_tables_pasted_into_a_new_document_read_back_field_by_field(
        form_id: str, service: str, copies: Path, catalogue: Catalogue) -> None:
    intact = check(copies / f"{_name(form_id, service)}.docx", catalogue)
    pasted = check(copies / f"{_name(form_id, service)}-pasted.docx", catalogue)
    _same_values(intact, pasted)
    same_labels = [s for s in catalogue.get(form_id).services
                   if _labels(catalogue, form_id, s) == _labels(catalogue, form_id, service)]
    if len(same_labels) == 1:
        assert pasted.service == service
        assert pasted.findings == intact.findings
    else:  # several services' copies have the same labels: the service cannot be told
        assert pasted.service == ""
        unknown = [f for f in pasted.findings if f.code == "unknown_service"]
        assert unknown and unknown[0].severity is Severity.BLOCKING
        assert service in unknown[0].message
        assert [f for f in pasted.findings if f.code != "unknown_service"] == list(
            intact.findings)


def _labels(catalogue: Catalogue, form_id: str, service: str) -> list[str]:
    copy = catalogue.get(form_id).for_service(service)
    return [f.label for f in copy.leaf_fields()] + [
        c.label for t in copy.tables for c in t.columns]


@pytest.fixture(scope="module")
def libreoffice_saved(copies: Path, libreoffice: Callable[..., list[Path]],
                      request: pytest.FixtureRequest) -> Path:
    """The stripped copies saved again by LibreOffice Writer: each form's fullest copy,
    every copy with `-m slow` (LibreOffice takes a while per file)."""
    chosen = COPIES if request.config.getoption("-m") == "slow" else FULLEST
    out = copies / "libreoffice"
    libreoffice([copies / f"{_name(f, s)}-stripped.docx" for f, s in chosen], out)
    return out


def _libreoffice_round_trip(form_id: str, service: str, copies: Path, saved: Path,
                            catalogue: Catalogue) -> None:
    intact = check(copies / f"{_name(form_id, service)}.docx", catalogue)
    resaved = check(saved / f"{_name(form_id, service)}-stripped.docx", catalogue)
    _same_values(intact, resaved)
    assert resaved.findings == intact.findings


@pytest.mark.libreoffice
@pytest.mark.parametrize(("form_id", "service"),
                         [pytest.param(f, s, id=_name(f, s)) for f, s in FULLEST])
def test_stripped_copy_saved_by_libreoffice_reads_back_field_by_field(
        form_id: str, service: str, copies: Path, libreoffice_saved: Path,
        catalogue: Catalogue) -> None:
    _libreoffice_round_trip(form_id, service, copies, libreoffice_saved, catalogue)


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize(("form_id", "service"),
                         [pytest.param(f, s, id=_name(f, s)) for f, s in COPIES
                          if (f, s) not in FULLEST])
def test_every_other_stripped_copy_saved_by_libreoffice_reads_back(
        form_id: str, service: str, copies: Path, libreoffice_saved: Path,
        catalogue: Catalogue) -> None:
    _libreoffice_round_trip(form_id, service, copies, libreoffice_saved, catalogue)


def test_stripped_copy_reads_the_same_in_the_sandboxed_reader(copies: Path,
                                                              catalogue: Catalogue) -> None:
    path = copies / f"{_name('support-plan', 'community-support')}-stripped.docx"
    with SandboxedReader(catalogue.folder, timeout_seconds=60) as reader:
        raw, record = reader.read(path, path.read_bytes())
    assert raw.fields["full_name"].matched_by == "layout"
    assert record == check(path, catalogue)


# --- the layout reader's own cases -----------------------------------------------------

CASE_FORM = FormDefinition.model_validate({
    "id": "case-form", "version": 1, "title": "Case form", "services": ["community-support"],
    "instructions": "For the layout reader's tests.",
    "sections": [{"title": "All", "items": [
        {"key": "person_id", "label": "Person ID", "required": True},
        {"key": "full_name", "label": "Full name"},
        {"key": "date_of_birth", "label": "Date of birth", "type": "date"},
        {"key": "consent", "label": "Consent to share", "type": "yes_no"},
        {"key": "risk", "label": "Risk level", "type": "choice", "choices": [
            {"value": "low", "label": "Low"}, {"value": "medium", "label": "Medium"},
            {"value": "high", "label": "High"}]},
        {"key": "notes", "label": "Notes", "type": "long_text"},
    ]}],
})


def _page(document: Any) -> Page:
    buffer = io.BytesIO()
    document.save(buffer)
    root = etree.fromstring(zipfile.ZipFile(buffer).read("word/document.xml"))
    return Page(root)


def _read(document: Any, key: str) -> tuple[Any, LabelReader]:
    reader = LabelReader(CASE_FORM, _page(document))
    raw = reader.read([key]).get(key)
    if raw is None:
        return None, reader
    fields = {"person_id": RawValue(text="P1"), key: raw}
    record = validate(RawForm(file_name="case.docx", form_id="case-form", form_version=1,
                              fields=fields), CASE_FORM)
    return record.values[key], reader


def _two_column(label: str, answer: str) -> Any:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = label, answer
    return document


@pytest.mark.parametrize(("label", "key", "answer", "expected"), [
    pytest.param("Full name", "full_name", "Ada Lovelace", "Ada Lovelace", id="label_as_defined"),
    pytest.param("FULL NAME:", "full_name", "Ada Lovelace", "Ada Lovelace",
                 id="capitals_and_colon"),
    pytest.param("Full  name *", "full_name", "Ada", "Ada", id="extra_space_and_asterisk"),
    pytest.param("Date of birth (dd/mm/yyyy)", "date_of_birth", "10/12/1985",
                 date(1985, 12, 10), id="date_hint_in_the_label"),
    pytest.param("Date of birth", "date_of_birth", "1st March 2026", date(2026, 3, 1),
                 id="date_in_words_with_ordinal"),
    pytest.param("Date of birth", "date_of_birth", "01.03.26", date(2026, 3, 1),
                 id="date_with_dots_and_two_digit_year"),
    pytest.param("Date of birth", "date_of_birth", "2026-03-01", date(2026, 3, 1),
                 id="date_iso"),
    pytest.param("Date of birth", "date_of_birth", "1 Mar 2026", date(2026, 3, 1),
                 id="date_short_month"),
    pytest.param("Date of birth", "date_of_birth", "__/__/____", None, id="date_left_blank"),
    pytest.param("Consent to share", "consent", "\u2612", True, id="tick_ballot_box_x"),
    pytest.param("Consent to share", "consent", "\u2611", True, id="tick_ballot_box_check"),
    pytest.param("Consent to share", "consent", "\u2713", True, id="tick_mark"),
    pytest.param("Consent to share", "consent", "[x]", True, id="tick_in_brackets"),
    pytest.param("Consent to share", "consent", "X", True, id="tick_as_letter_x"),
    pytest.param("Consent to share", "consent", "Yes", True, id="tick_as_yes"),
    pytest.param("Consent to share", "consent", "\u2610", False, id="box_left_empty"),
    pytest.param("Consent to share", "consent", "\u2610 Yes  \u2612 No", False,
                 id="yes_no_pair_no_ticked"),
    pytest.param("Consent to share", "consent", "\u2612 Yes  \u2610 No", True,
                 id="yes_no_pair_yes_ticked"),
    pytest.param("Risk level", "risk", "medium", "medium", id="choice_by_its_label"),
    pytest.param("Risk level", "risk", "\u2610 Low \u2612 Medium \u2610 High", "medium",
                 id="choice_ticked_in_a_row_of_boxes"),
    pytest.param("Risk level", "risk", "X Low \u2610 Medium \u2610 High", "low",
                 id="choice_box_retyped_as_x"),
    pytest.param("Notes", "notes", "Line one\nLine two", "Line one\nLine two",
                 id="long_text_lines_kept"),
])
def test_answer_in_the_cell_beside_its_label(label: str, key: str, answer: str,
                                             expected: Any) -> None:
    value, reader = _read(_two_column(label, answer), key)
    assert value == expected
    assert reader.findings == []


def test_header_row_of_labels_over_a_row_of_answers_with_merged_cells() -> None:
    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Person ID", "Full name", "Date of birth"],
                          strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["P1", "Ada Lovelace", "10/12/1985"],
                          strict=True):
        cell.text = text
    table.cell(2, 0).merge(table.cell(2, 2)).text = "Notes"
    table.cell(3, 0).merge(table.cell(3, 2)).text = "Moved in May"
    reader = LabelReader(CASE_FORM, _page(document))
    values = reader.read(["person_id", "full_name", "date_of_birth", "notes"])
    assert values["full_name"].text == "Ada Lovelace"
    assert values["date_of_birth"].full_date == date(1985, 12, 10)
    assert values["notes"].text == "Moved in May"
    assert all(v.matched_by == "layout" for v in values.values())


def test_label_lines_and_the_lines_after_a_label() -> None:
    document = docx.Document()
    document.add_paragraph("Full name: Ada Lovelace")
    document.add_paragraph("Person ID:\tP1\tDate of birth (dd/mm/yyyy): 10/12/1985")
    document.add_paragraph("\u2612 Consent to share")
    document.add_paragraph().add_run("Notes").bold = True
    document.add_paragraph("First line")
    document.add_paragraph("Second line")
    document.add_paragraph().add_run("Thank you").bold = True
    values = LabelReader(CASE_FORM, _page(document)).read(
        ["full_name", "person_id", "date_of_birth", "consent", "notes"])
    assert values["full_name"].text == "Ada Lovelace"
    assert values["person_id"].text == "P1"
    assert values["date_of_birth"].full_date == date(1985, 12, 10)
    assert values["consent"].checked is True
    assert values["notes"].text == "First line\nSecond line"


def test_two_places_that_disagree_leave_the_field_empty_with_a_finding() -> None:
    document = _two_column("Full name", "Ada Lovelace")
    document.add_paragraph("Full name: Grace Hopper")
    value, reader = _read(document, "full_name")
    assert value is None
    [finding] = reader.findings
    assert finding.code == "two_places"
    assert "table 1, row 1" in finding.message and "the line starting" in finding.message


def test_two_places_that_agree_are_one_answer() -> None:
    document = _two_column("Full name", "Ada Lovelace")
    document.add_paragraph("Full name: Ada Lovelace")
    value, reader = _read(document, "full_name")
    assert (value, reader.findings) == ("Ada Lovelace", [])


def test_both_yes_and_no_ticked_is_left_empty_with_a_finding() -> None:
    value, reader = _read(_two_column("Consent to share", "\u2612 Yes \u2612 No"), "consent")
    assert value is False  # an empty tick box
    assert [f.code for f in reader.findings] == ["unclear_answer"]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("01/03/2026", date(2026, 3, 1), id="slashes"),
    pytest.param("1-3-2026", date(2026, 3, 1), id="dashes"),
    pytest.param("Monday 2nd March 2026", date(2026, 3, 2), id="weekday_and_ordinal"),
    pytest.param("2 of March 2026", date(2026, 3, 2), id="of_month"),
    pytest.param("31/02/2026", None, id="no_such_day"),
    pytest.param("next week", None, id="not_a_date"),
])
def test_uk_dates(text: str, expected: date | None) -> None:
    assert uk_date(text) == expected


def test_labels_fold_the_way_people_edit_them() -> None:
    assert fold("  DATE of Birth (dd/mm/yyyy) *: ") == fold("Date of birth")
    assert fold("\u2610 Consent to share?") == fold("Consent to share")


# --- identification without properties ------------------------------------------------


def test_a_document_of_no_form_is_rejected_as_not_a_form(tmp_path: Path,
                                                         catalogue: Catalogue) -> None:
    document = docx.Document()
    document.add_paragraph("Minutes of the team meeting")
    path = tmp_path / "minutes.docx"
    document.save(path)
    with pytest.raises(FormReadError, match="not a Planwatch form"):
        check(path, catalogue)


def test_labels_that_fit_no_form_clearly_are_rejected_naming_the_closest(
        tmp_path: Path, catalogue: Catalogue) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    for row, label in zip(table.rows, ["Person ID", "Full name", "Worker"], strict=True):
        row.cells[0].text = label
    path = tmp_path / "few-labels.docx"
    document.save(path)
    with pytest.raises(FormReadError) as caught:
        check(path, catalogue)
    assert "closest are" in caught.value.problem
    assert "planwatch forms adopt" in (caught.value.hint or "")


# --- strange documents never make the reader fail --------------------------------------

_TEXT_BOX = (f'<w:r xmlns:w="{W_NS}"><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml">'
             '<v:textbox><w:txbxContent><w:p><w:r><w:t>Full name: Someone Else</w:t></w:r>'
             '</w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>')
_TRACKED = (f'<w:p xmlns:w="{W_NS}"><w:del w:id="1" w:author="A"><w:r><w:delText>Old text'
            '</w:delText></w:r></w:del><w:ins w:id="2" w:author="A"><w:r><w:t>New text</w:t>'
            '</w:r></w:ins></w:p>')
_HYPERLINK_FIELD = (f'<w:p xmlns:w="{W_NS}"><w:hyperlink w:anchor="x"><w:r><w:fldChar '
                    'w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
                    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
                    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink></w:p>')
_NESTED = (f'<w:tbl xmlns:w="{W_NS}"><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Inner'
           '</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:tc></w:tr></w:tbl>')


def _insert(fragment: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        body = root.find(w("body"))
        assert body is not None
        body.insert(0, etree.fromstring(fragment) if not fragment.startswith("<w:r ")
                    else _paragraph_with(fragment))
    return change


def _paragraph_with(run: str) -> etree._Element:
    paragraph = etree.Element(w("p"))
    paragraph.append(etree.fromstring(run))
    return paragraph


@pytest.mark.parametrize("fragment", [
    pytest.param(_TEXT_BOX, id="text_box"),
    pytest.param(_TRACKED, id="tracked_changes"),
    pytest.param(_HYPERLINK_FIELD, id="field_inside_a_hyperlink"),
    pytest.param(_NESTED, id="nested_table"),
])
def test_strange_documents_are_read_without_failing(fragment: str, copies: Path,
                                                    catalogue: Catalogue, tmp_path: Path) -> None:
    name = _name("support-plan", "community-support")
    path = tmp_path / "strange.docx"
    path.write_bytes(with_body((copies / f"{name}-stripped.docx").read_bytes(),
                               _insert(fragment)))
    record = check(path, catalogue)
    intact = check(copies / f"{name}.docx", catalogue)
    for key in intact.values:
        if key != "full_name":  # the text box says it again, differently
            assert record.values[key] == intact.values[key], key
    if fragment is _TEXT_BOX:
        assert "two_places" in {f.code for f in record.findings}


_LONG_LINES = "".join(
    f'<w:p xmlns:w="{W_NS}"><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
    for text in ("Full name" + " " * 200_000 + "x", "(" * 100_000, "* " * 50_000 + ":",
                 "Date of birth:" + "\t " * 50_000, "\u2610 " * 50_000 + "Consent to share"))


def test_long_hostile_lines_are_read_quickly(copies: Path, catalogue: Catalogue,
                                             tmp_path: Path) -> None:
    def change(root: etree._Element) -> None:
        body = root.find(w("body"))
        assert body is not None
        for paragraph in etree.fromstring(f'<w:body xmlns:w="{W_NS}">{_LONG_LINES}</w:body>'):
            body.insert(0, paragraph)

    name = _name("support-plan", "community-support")
    path = tmp_path / "long-lines.docx"
    path.write_bytes(with_body((copies / f"{name}-stripped.docx").read_bytes(), change))
    started = time.monotonic()
    record = check(path, catalogue)
    assert time.monotonic() - started < 20
    assert record.values["plan_date"] == check(copies / f"{name}.docx", catalogue).values[
        "plan_date"]
