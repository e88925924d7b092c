"""An office's own blank Word forms adopted (issue 16): the inferred definition, the
marked-up copy staff use from then on, and the office's old filled copies read by layout.

Three forms made the way offices make them in Word (tests/office_forms.py): a header row
of labels over answer rows with merged cells and a table of goals; "Label:" lines and
☐ option rows; a logo, a two-column label/answer table and a signature line.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue, FormDefinition
from pipeline.errors import PlanwatchError
from pipeline.fill_values import coerce_values
from pipeline.formats.word.adopt import adopt
from pipeline.formats.word.fill import fill_document
from pipeline.formats.word.names import text_of, w
from pipeline.forms_service import check
from tests.office_forms import (
    TICKED,
    UNTICKED,
    key_work_review,
    outreach_referral,
    resident_self_assessment,
    with_body,
)

runner = CliRunner()
SERVICE = "community-support"

# What a person checking each inference expects: (key, label, type, choices), in order.
EXPECTED_FIELDS: dict[str, list[tuple[str, str, str, list[str]]]] = {
    "outreach-referral": [
        ("client_name", "Client name", "text", []),
        ("person_id", "Client reference", "text", []),
        ("date_of_birth", "Date of birth", "date", []),
        ("address", "Address", "long_text", []),
        ("referral_date", "Referral date", "date", []),
        ("referred_by", "Referred by", "text", []),
        ("interpreter_needed", "Interpreter needed?", "yes_no", []),
    ],
    "resident-self-assessment": [
        ("name", "Name", "text", []),
        ("person_id", "Resident ID", "text", []),
        ("date_of_assessment", "Date of assessment", "date", []),
        ("how_safe_do_you_feel_here", "How safe do you feel here?", "choice",
         ["Very safe", "Quite safe", "Not safe"]),
        ("do_you_have_children_with_you", "Do you have children with you?", "yes_no", []),
        ("i_agree_to_my_information_being_shared_w",
         "I agree to my information being shared with my support agencies", "yes_no", []),
        ("what_would_you_like_help_with", "What would you like help with?", "long_text", []),
    ],
    "key-work-review": [
        ("service_user_name", "Service user name", "text", []),
        ("person_id", "Case number", "text", []),
        ("review_date", "Review date", "date", []),
        ("key_worker", "Key worker", "text", []),
        ("progress_since_last_review", "Progress since last review", "long_text", []),
        ("risk_level", "Risk level", "choice", ["Low", "Medium", "High"]),
        ("signed", "Signed", "signature", []),
    ],
}
EXPECTED_TABLES = {
    "outreach-referral": [("goals", "Goals", [("goal", "Goal", "text"),
                                              ("who_will_help", "Who will help", "text"),
                                              ("target_date", "Target date", "date")])],
}
BUILDERS: dict[str, Callable[..., bytes]] = {
    "outreach-referral": outreach_referral,
    "resident-self-assessment": resident_self_assessment,
    "key-work-review": key_work_review,
}
# A person's answers, as the office's builder takes them (what they type) ...
TYPED: dict[str, dict[str, Any]] = {
    "outreach-referral": {
        "client_name": "Zoë O'Brien", "person_id": "OR-0042", "date_of_birth": "10/12/1985",
        "address": "Flat 2\n14 Example Road\nStockport SK1 1AA", "referral_date": "2 March 2026",
        "referred_by": "Dr Jones, Example Surgery", "interpreter_needed": True,
        "goals": [{"goal": "Find a flat", "who_will_help": "Sam Patel",
                   "target_date": "01/04/2026"},
                  {"goal": "Register with a GP", "who_will_help": "Zoë",
                   "target_date": "31/03/2026"}],
    },
    "resident-self-assessment": {
        "name": "Łucja Nowak", "person_id": "SWA-0007", "date_of_assessment": "05/03/2026",
        "how_safe": "Quite safe", "children_with_you": False, "agree_to_sharing": True,
        "help_with": "Money\nA solicitor",
    },
    "key-work-review": {
        "service_user_name": "Ada Lovelace", "person_id": "KW-0101", "review_date": "3/3/26",
        "key_worker": "Sam Patel", "progress": "Rent paid on time.\nStarted the lunch club.",
        "risk_level": "Medium", "signed": "Sam Patel", "signed_on": "03/03/2026",
    },
}
# ... and the record they expect back, by the adopted definition's keys.
EXPECTED_VALUES: dict[str, dict[str, Any]] = {
    "outreach-referral": {
        "client_name": "Zoë O'Brien", "person_id": "OR-0042", "date_of_birth": date(1985, 12, 10),
        "address": "Flat 2\n14 Example Road\nStockport SK1 1AA", "referral_date": date(2026, 3, 2),
        "referred_by": "Dr Jones, Example Surgery", "interpreter_needed": True,
    },
    "resident-self-assessment": {
        "name": "Łucja Nowak", "person_id": "SWA-0007", "date_of_assessment": date(2026, 3, 5),
        "how_safe_do_you_feel_here": "quite_safe", "do_you_have_children_with_you": False,
        "i_agree_to_my_information_being_shared_w": True,
        "what_would_you_like_help_with": "Money\nA solicitor",
    },
    "key-work-review": {
        "service_user_name": "Ada Lovelace", "person_id": "KW-0101",
        "review_date": date(2026, 3, 3), "key_worker": "Sam Patel",
        "progress_since_last_review": "Rent paid on time.\nStarted the lunch club.",
        "risk_level": "medium", "signed_signature": "Sam Patel",
        "signed_signed_on": date(2026, 3, 3),
    },
}
EXPECTED_ROWS = {
    "outreach-referral": {"goals": [
        {"goal": "Find a flat", "who_will_help": "Sam Patel", "target_date": date(2026, 4, 1)},
        {"goal": "Register with a GP", "who_will_help": "Zoë", "target_date": date(2026, 3, 31)},
    ]},
}
FORMS = [pytest.param(form_id, id=form_id) for form_id in BUILDERS]


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A forms folder (the bundled forms and policies) with the three forms adopted."""
    forms = tmp_path_factory.mktemp("adopted") / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, forms, ignore=shutil.ignore_patterns("blank"))
    for form_id, build in BUILDERS.items():
        blank = forms.parent / f"{form_id}-blank.docx"
        blank.write_bytes(build())
        adopt(blank, form_id, [SERVICE], forms)
    return forms


def _definition(forms: Path, form_id: str) -> FormDefinition:
    return Catalogue.load(forms).get(form_id)


@pytest.mark.parametrize("form_id", FORMS)
def test_inferred_definition_field_by_field(form_id: str, adopted: Path) -> None:
    definition = _definition(adopted, form_id)
    fields = [(f.key, f.label, f.type.value, [c.label for c in f.choices])
              for f in definition.fields]
    for found, expected in zip(fields, EXPECTED_FIELDS[form_id], strict=False):
        assert found == expected
    assert len(fields) == len(EXPECTED_FIELDS[form_id])
    tables = [(t.key, t.label, [(c.key, c.label, c.type.value) for c in t.columns])
              for t in definition.tables]
    assert tables == EXPECTED_TABLES.get(form_id, [])
    assert definition.services == (SERVICE,)
    assert definition.leaves_by_key["person_id"].required


def test_a_required_mark_makes_a_field_required(adopted: Path) -> None:
    definition = _definition(adopted, "outreach-referral")
    assert [f.key for f in definition.fields if f.required] == ["person_id"]


def _fill_marked_up(blob: bytes, definition: FormDefinition, data: dict[str, Any]) -> bytes:
    """What a person does in Word with the marked-up copy: types into its controls and
    ticks the one box of a row of options (those stay boxes, as the office made them)."""
    copy = definition.for_service(SERVICE)
    values = coerce_values(copy, {k: v for k, v in data.items() if not _is_option_row(copy, k)})

    def change(root: etree._Element) -> None:
        fill_document(root, copy, values)
        tagged = {t.get(w("val")) for t in root.iter(w("tag"))}
        for key, value in data.items():
            if _is_option_row(copy, key):
                _tick(root, copy.leaves_by_key[key].choice_label(value))
            elif key not in tagged and key in copy.leaves_by_key:
                _type_under(root, copy.leaves_by_key[key].label, str(value))
    return with_body(blob, change)


def _type_under(root: etree._Element, label: str, text: str) -> None:
    """Type ``text`` into the empty lines under a label line, one line each."""
    paragraphs = list(root.iter(w("p")))
    start = next(n for n, p in enumerate(paragraphs) if text_of(p).strip() == label)
    for line, paragraph in zip(text.split("\n"), paragraphs[start + 1:], strict=False):
        etree.SubElement(etree.SubElement(paragraph, w("r")), w("t")).text = line


def _is_option_row(copy: FormDefinition, key: str) -> bool:
    spec = copy.leaves_by_key.get(key)
    return spec is not None and spec.type.value == "choice"


def _tick(root: etree._Element, option: str) -> None:
    for node in root.iter(w("t")):
        if node.text and f"{UNTICKED} {option}" in node.text:
            node.text = node.text.replace(f"{UNTICKED} {option}", f"{TICKED} {option}")


def _as_json(values: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value
    data: dict[str, Any] = {k: plain(v) for k, v in values.items()}
    for key, table in rows.items():
        data[key] = [{c: plain(v) for c, v in row.items()} for row in table]
    return data


def _marked_up(forms: Path, form_id: str) -> Path:
    return forms / "adopted" / SERVICE / f"{form_id}.docx"


@pytest.mark.parametrize("form_id", FORMS)
def test_marked_up_copy_fills_and_reads_back(form_id: str, adopted: Path,
                                             tmp_path: Path) -> None:
    definition = _definition(adopted, form_id)
    data = _as_json(EXPECTED_VALUES[form_id], EXPECTED_ROWS.get(form_id, {}))
    path = tmp_path / f"{form_id}-filled.docx"
    path.write_bytes(_fill_marked_up(_marked_up(adopted, form_id).read_bytes(), definition,
                                     data))
    record = check(path, Catalogue.load(adopted))
    assert (record.form_id, record.service) == (form_id, SERVICE)
    for key, value in EXPECTED_VALUES[form_id].items():
        assert record.values[key] == value, key
    for key, rows in EXPECTED_ROWS.get(form_id, {}).items():
        assert record.tables[key] == rows, key
    assert record.complete, record.findings


@pytest.mark.parametrize("form_id", FORMS)
def test_blank_marked_up_copy_reads_as_empty(form_id: str, adopted: Path) -> None:
    record = check(_marked_up(adopted, form_id), Catalogue.load(adopted))
    assert not any(v for v in record.values.values())
    assert all(rows == [] for rows in record.tables.values())


def _visible(blob: bytes) -> list[str]:
    """Each paragraph's text as a person sees it, blank lines and spaces aside."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(blob)).read("word/document.xml"))
    lines = (re.sub(r"[\s_\u2002]+", " ", text_of(p)).strip() for p in root.iter(w("p")))
    return [line for line in lines if line]


def _media(blob: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(blob))
    return {n: archive.read(n) for n in archive.namelist() if n.startswith("word/media/")}


@pytest.mark.parametrize("form_id", FORMS)
def test_marked_up_copy_keeps_the_layout_wording_and_logo(form_id: str,
                                                          adopted: Path) -> None:
    original = BUILDERS[form_id]()
    marked = _marked_up(adopted, form_id).read_bytes()
    assert _visible(marked) == _visible(original)
    assert _media(marked) == _media(original)
    for part in ("word/styles.xml", "word/settings.xml"):
        assert zipfile.ZipFile(io.BytesIO(marked)).read(part) == \
            zipfile.ZipFile(io.BytesIO(original)).read(part)
    if form_id == "key-work-review":
        assert _media(marked)  # the logo


@pytest.mark.parametrize("form_id", FORMS)
def test_unmarked_filled_copy_reads_back_by_layout(form_id: str, adopted: Path,
                                                   tmp_path: Path) -> None:
    path = tmp_path / f"{form_id}-old.docx"
    path.write_bytes(BUILDERS[form_id](TYPED[form_id]))
    record = check(path, Catalogue.load(adopted))
    assert (record.form_id, record.service) == (form_id, SERVICE)
    for key, value in EXPECTED_VALUES[form_id].items():
        assert record.values[key] == value, key
    for key, rows in EXPECTED_ROWS.get(form_id, {}).items():
        assert record.tables[key] == rows, key
    assert record.complete, record.findings
    assert set(record.read_by_label) >= set(EXPECTED_VALUES[form_id])


def test_forms_adopt_command_writes_the_definition_and_the_marked_up_copy(
        tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, forms, ignore=shutil.ignore_patterns("blank"))
    blank = tmp_path / "Key Work Review.docx"
    blank.write_bytes(key_work_review())
    result = runner.invoke(app, ["forms", "adopt", str(blank), "--id", "key-work-review",
                                 "--service", SERVICE, "--service", "swa-floating",
                                 "--forms-dir", str(forms)])
    assert result.exit_code == 0, result.output
    assert (forms / "key-work-review.yaml").is_file()
    for service in (SERVICE, "swa-floating"):
        assert (forms / "adopted" / service / "key-work-review.docx").is_file()
    for key in ("service_user_name", "person_id", "review_date", "risk_level", "signed"):
        assert key in result.output
    assert "check" in result.output.lower()
    shown = runner.invoke(app, ["forms", "show", "key-work-review", "--forms-dir", str(forms),
                                "--json"])
    assert json.loads(shown.output)["services"] == [SERVICE, "swa-floating"]
    again = runner.invoke(app, ["forms", "adopt", str(blank), "--id", "key-work-review",
                                "--forms-dir", str(forms)])
    assert isinstance(again.exception, PlanwatchError)  # main() prints it, exit code 1
    assert "already" in str(again.exception)


def test_forms_adopt_refuses_an_unknown_service(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR / "services", forms / "services")
    blank = tmp_path / "form.docx"
    blank.write_bytes(key_work_review())
    result = runner.invoke(app, ["forms", "adopt", str(blank), "--id", "kw", "--service",
                                 "nowhere", "--forms-dir", str(forms)])
    assert isinstance(result.exception, PlanwatchError)
    assert "Unknown service: nowhere" in str(result.exception)
    assert SERVICE in str(result.exception)  # the known ones


def test_the_offices_backlog_is_ingested_by_layout(adopted: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"PLANWATCH_FORMS_DIR": str(adopted)}
    assert runner.invoke(app, ["--home", str(home), "init"], env=env).exit_code == 0
    backlog = tmp_path / "backlog"
    backlog.mkdir()
    for number in range(1, 4):
        typed = {**TYPED["key-work-review"], "person_id": f"KW-{number:04d}"}
        if number == 3:
            typed["risk_level"] = None  # never ticked
        (backlog / f"review-{number}.docx").write_bytes(key_work_review(typed, logo=number != 2))
    (backlog / "self-assessment-2019.docx").write_bytes(
        resident_self_assessment(TYPED["resident-self-assessment"]))
    result = runner.invoke(app, ["--home", str(home), "ingest", str(backlog), "--json"], env=env)
    assert result.exit_code == 0, result.output
    rows = {Path(row["file"]).name: row for row in json.loads(result.output)}
    assert {name: row["outcome"] for name, row in rows.items()} == dict.fromkeys(rows, "stored")
    assert rows["review-1.docx"]["form"] == "key-work-review"
    assert rows["review-2.docx"]["person_id"] == "KW-0002"
    assert rows["self-assessment-2019.docx"]["form"] == "resident-self-assessment"
    assert rows["review-1.docx"]["findings"] in (0, [], None)


# --- what else offices put in their forms -----------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DROPDOWN = (f'<w:sdt xmlns:w="{W}"><w:sdtPr><w:id w:val="7"/><w:showingPlcHdr/><w:dropDownList>'
             '<w:listItem w:displayText="Choose an item." w:value=""/>'
             '<w:listItem w:displayText="Weekly" w:value="Weekly"/>'
             '<w:listItem w:displayText="Monthly" w:value="Monthly"/></w:dropDownList></w:sdtPr>'
             '<w:sdtContent><w:r><w:t>Choose an item.</w:t></w:r></w:sdtContent></w:sdt>')


def _contact_form(values: dict[str, str] | None = None) -> bytes:
    """A contact log with an (untagged) dropdown, and two signature lines."""
    import docx

    v = values or {}
    document = docx.Document()
    document.add_paragraph("Contact Log", style="Title")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Client ID", v.get("person_id", "")
    table.cell(2, 0).text = "Next contact"
    table.cell(2, 1).text = v.get("next_contact", "dd/mm/yyyy")
    table.cell(1, 0).text = "Contact frequency"
    paragraph = table.cell(1, 1).paragraphs[0]._p
    dropdown = etree.fromstring(_DROPDOWN)
    if v.get("frequency"):  # chosen in Word: the placeholder goes, the item shows
        properties = dropdown.find(f"{{{W}}}sdtPr")
        assert properties is not None
        flag = properties.find(f"{{{W}}}showingPlcHdr")
        assert flag is not None
        properties.remove(flag)
        text = dropdown.find(f".//{{{W}}}t")
        assert text is not None
        text.text = v["frequency"]
    paragraph.append(dropdown)
    for who in ("worker", "client"):
        line = document.add_paragraph()
        line.add_run(f"Signed ({who}): ").bold = True
        line.add_run(v.get(f"{who}_signed") or "_" * 20)
        line.add_run("\t")
        line.add_run("Date: ").bold = True
        line.add_run(v.get(f"{who}_date") or "_" * 10)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_dropdown_already_in_the_form_is_a_choice_and_keeps_its_control(
        tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, forms, ignore=shutil.ignore_patterns("blank"))
    blank = tmp_path / "contact.docx"
    blank.write_bytes(_contact_form())
    adoption = adopt(blank, "contact-log", [SERVICE], forms)
    frequency = adoption.definition.leaves_by_key["contact_frequency"]
    assert [c.label for c in frequency.choices] == ["Weekly", "Monthly"]
    assert adoption.definition.leaves_by_key["next_contact"].type.value == "date"
    assert "next_contact: a date only by the hint beside it" in adoption.unsure
    signatures = [(f.key, f.label) for f in adoption.definition.signatures]
    assert signatures == [("signed_worker", "Signed (worker)"),
                          ("signed_client", "Signed (client)")]
    marked = adoption.marked_up[0].read_bytes()
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(marked)).read("word/document.xml"))
    dropdowns = [s for s in root.iter(w("sdt")) if s.find(f".//{w('dropDownList')}") is not None]
    assert len(dropdowns) == 1  # the office's own control, now tagged
    tag = dropdowns[0].find(f"{w('sdtPr')}/{w('tag')}")
    assert tag is not None and tag.get(w("val")) == "contact_frequency"
    old = tmp_path / "old-contact.docx"
    old.write_bytes(_contact_form({"person_id": "CL-9", "frequency": "Monthly",
                                   "next_contact": "1st March 2026",
                                   "worker_signed": "Sam Patel", "worker_date": "01/02/2026",
                                   "client_signed": "Ada Lovelace",
                                   "client_date": "2 February 2026"}))
    record = check(old, Catalogue.load(forms))
    assert record.values["contact_frequency"] == "monthly"
    assert record.values["next_contact"] == date(2026, 3, 1)
    assert (record.values["signed_worker_signature"], record.values["signed_worker_signed_on"]
            ) == ("Sam Patel", date(2026, 2, 1))
    assert (record.values["signed_client_signature"], record.values["signed_client_signed_on"]
            ) == ("Ada Lovelace", date(2026, 2, 2))
    assert not [f for f in record.findings if f.code in ("two_places", "unclear_answer")]


_STRANGE = (f'<w:body xmlns:w="{W}"><w:p><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft'
            '-com:vml"><v:textbox><w:txbxContent><w:p><w:r><w:t>Office use only: </w:t></w:r>'
            '</w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>'
            '<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Name</w:t></w:r></w:p></w:tc>'
            '<w:tc><w:p/></w:tc></w:tr></w:tbl><w:p/></w:tc></w:tr></w:tbl>'
            '<w:p><w:ins w:id="1" w:author="A"><w:r><w:t>Reference: </w:t></w:r></w:ins>'
            '<w:del w:id="2" w:author="A"><w:r><w:delText>Old</w:delText></w:r></w:del></w:p>'
            '<w:p><w:hyperlink w:anchor="x"><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/>'
            '</w:r></w:hyperlink></w:p></w:body>')


def test_adopting_a_strange_document_does_not_fail(tmp_path: Path) -> None:
    def strange(root: etree._Element) -> None:
        body = root.find(w("body"))
        assert body is not None
        for node in etree.fromstring(_STRANGE):
            body.insert(0, node)

    forms = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, forms, ignore=shutil.ignore_patterns("blank"))
    blank = tmp_path / "strange.docx"
    blank.write_bytes(with_body(key_work_review(), strange))
    adoption = adopt(blank, "strange", [SERVICE], forms)
    assert "name" in adoption.definition.leaves_by_key  # the label in the nested table
    record = check(adoption.marked_up[0], Catalogue.load(forms))
    assert record.form_id == "strange"


@pytest.mark.libreoffice
def test_marked_up_copies_filled_and_saved_by_libreoffice_read_back(
        adopted: Path, tmp_path: Path, libreoffice: Callable[..., list[Path]]) -> None:
    paths = []
    for form_id in BUILDERS:
        data = _as_json(EXPECTED_VALUES[form_id], EXPECTED_ROWS.get(form_id, {}))
        path = tmp_path / f"{form_id}.docx"
        path.write_bytes(_fill_marked_up(_marked_up(adopted, form_id).read_bytes(),
                                         _definition(adopted, form_id), data))
        paths.append(path)
    for form_id, saved in zip(BUILDERS, libreoffice(paths, tmp_path / "lo"), strict=True):
        record = check(saved, Catalogue.load(adopted))
        for key, value in EXPECTED_VALUES[form_id].items():
            assert record.values[key] == value, (form_id, key)
        for key, rows in EXPECTED_ROWS.get(form_id, {}).items():
            assert record.tables[key] == rows, (form_id, key)


def test_an_old_copy_without_a_field_says_so(adopted: Path, tmp_path: Path) -> None:
    """Years-old copies may predate a field: nothing is read for it, and the record says
    so (advisory), for a person going through the backlog."""
    def drop_key_worker_row(root: etree._Element) -> None:
        for row in root.iter(w("tr")):
            if text_of(row).startswith("Key worker"):
                parent = row.getparent()
                assert parent is not None
                parent.remove(row)

    path = tmp_path / "review-2015.docx"
    path.write_bytes(with_body(key_work_review(TYPED["key-work-review"]), drop_key_worker_row))
    record = check(path, Catalogue.load(adopted))
    assert record.values["key_worker"] is None
    assert record.values["service_user_name"] == "Ada Lovelace"
    [finding] = [f for f in record.findings if f.code == "label_not_found"]
    assert finding.field == "key_worker" and finding.severity.value == "advisory"


def _visit_record(values: dict[str, str] | None = None) -> bytes:
    """A visit record whose signature is one table row: Signed | (name) | Date | (date)."""
    import docx

    v = values or {}
    document = docx.Document()
    document.add_paragraph("Visit record", style="Title")
    details = document.add_table(rows=2, cols=2)
    details.cell(0, 0).text, details.cell(0, 1).text = "Reference number", v.get("ref", "")
    details.cell(1, 0).text, details.cell(1, 1).text = "Name", v.get("name", "")
    document.add_paragraph()
    signature = document.add_table(rows=1, cols=4)
    for cell, text in zip(signature.rows[0].cells,
                          ["Signed", v.get("signed", ""), "Date", v.get("date", "")],
                          strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_signature_row_with_its_date_beside_it_adopts_as_a_signature_block(
        tmp_path: Path) -> None:
    """"Signed | | Date |" in one table row: the signature and its date, one block (it
    crashed with "key: String should match pattern ... input_value=''")."""
    forms = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, forms, ignore=shutil.ignore_patterns("blank"))
    blank = tmp_path / "Visit record.docx"
    blank.write_bytes(_visit_record())
    result = runner.invoke(app, ["forms", "adopt", str(blank), "--id", "visit-record",
                                 "--service", SERVICE, "--forms-dir", str(forms)])
    assert result.exit_code == 0, result.output
    assert "signed: 'Signed' as signature with the date beside it (table 2)" in result.output
    assert "no date" not in result.output
    definition = _definition(forms, "visit-record")
    assert [(f.key, f.label) for f in definition.signatures] == [("signed", "Signed")]
    assert [f.key for f in definition.fields] == ["person_id", "name", "signed"]
    filled = tmp_path / "filled.docx"  # staff type into the marked-up copy's controls
    filled.write_bytes(_fill_marked_up(
        _marked_up(forms, "visit-record").read_bytes(), definition,
        {"person_id": "VR-0001", "name": "Ada Lovelace", "signed_signature": "Sam Patel",
         "signed_signed_on": "2026-03-03"}))
    old = tmp_path / "old.docx"  # an old copy, typed into the cells
    old.write_bytes(_visit_record({"ref": "VR-0001", "name": "Ada Lovelace",
                                   "signed": "Sam Patel", "date": "3/3/26"}))
    for path in (filled, old):
        record = check(path, Catalogue.load(forms))
        assert record.person_id == "VR-0001"
        assert (record.values["signed_signature"], record.values["signed_signed_on"]) == (
            "Sam Patel", date(2026, 3, 3)), path.name
        assert record.complete, record.findings


def test_what_adopt_cannot_make_sense_of_is_an_error_naming_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never a traceback: a form with no answer places, a folder that is not a forms
    folder, and a layout no rule foresaw are each a message naming the file and what to
    do, and nothing is written."""
    import docx

    import pipeline.formats.word.adopt

    forms = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, forms, ignore=shutil.ignore_patterns("blank"))
    letter = tmp_path / "letter.docx"
    document = docx.Document()
    document.add_paragraph("Dear Sam, thank you for coming on Tuesday.")
    document.save(str(letter))
    blank = tmp_path / "Visit record.docx"
    blank.write_bytes(_visit_record())

    def adopting(path: Path, folder: Path = forms) -> str:
        result = runner.invoke(app, ["forms", "adopt", str(path), "--id", "visit-record",
                                     "--service", SERVICE, "--forms-dir", str(folder)])
        assert isinstance(result.exception, PlanwatchError), result.exception  # exit 1
        return str(result.exception)

    assert adopting(letter).startswith("letter.docx: no answer places were found on it")
    assert adopting(blank, tmp_path / "nowhere").startswith(
        f"{tmp_path / 'nowhere'} is not a forms folder")

    def unforeseen(*args: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(pipeline.formats.word.adopt, "mark_up", unforeseen)
    said = adopting(blank)
    assert said.startswith("Visit record.docx: Planwatch could not make sense of its layout")
    assert "IndexError" not in said and "list index" not in said
    assert not (forms / "visit-record.yaml").exists() and not (forms / "adopted").exists()
