"""Every form, on every service's copy: its blank is current, it fills and reads back whole
(also after LibreOffice has saved it), and a complete one has no findings."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipeline.definitions import Catalogue, FieldType, FormDefinition
from pipeline.fill_values import coerce_values
from pipeline.formats.titles import service_title
from pipeline.formats.word.build import build_blank
from pipeline.forms_service import blank_path, check, fill
from tests.form_values import complete_values

LONDON = ZoneInfo("Europe/London")
COPIES = [(d.id, s) for d in Catalogue.load() for s in d.services]
COPY_IDS = [f"{service}/{form_id}" for form_id, service in COPIES]


def _parts(blob: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(blob))
    return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize(("form_id", "service"), COPIES, ids=COPY_IDS)
def test_committed_blank_matches_its_definition(catalogue: Catalogue, form_id: str,
                                                service: str) -> None:
    """Fails when a definition changed and `planwatch forms build` was not run."""
    definition = catalogue.get(form_id)
    committed = blank_path(catalogue, definition, service)
    assert committed.exists(), f"run `planwatch forms build` to create {committed}"
    assert _parts(committed.read_bytes()) == _parts(
        build_blank(definition, service, title=service_title(service)))


def _typed(value: Any) -> Any:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LONDON)
    return value


def expected(copy: FormDefinition, data: dict[str, Any]) -> dict[str, Any]:
    """What a person who typed ``data`` expects back: every field, empty ones as None."""
    values = coerce_values(copy, data)
    fields = {f.key: _typed(values.fields.get(f.key, False if f.type is FieldType.YES_NO
                                               else None))
              for f in copy.leaf_fields()}
    tables = {spec.key: [{c.key: row.get(c.key) for c in spec.columns}
                         for row in values.tables.get(spec.key, [])] for spec in copy.tables}
    return {"values": fields, "tables": tables}


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    folder = tmp_path_factory.mktemp("every-copy")
    for form_id, service in COPIES:
        definition = catalogue.get(form_id)
        fill(definition, complete_values(definition.for_service(service)),
             folder / f"{service}--{form_id}.docx", service=service)
    return folder


@pytest.mark.parametrize(("form_id", "service"), COPIES, ids=COPY_IDS)
def test_every_copy_fills_and_reads_back_whole(filled: Path, catalogue: Catalogue, form_id: str,
                                               service: str) -> None:
    copy = catalogue.get(form_id).for_service(service)
    record = check(filled / f"{service}--{form_id}.docx", catalogue)
    assert (record.form_id, record.service, record.person_id) == (form_id, service, "PW-00042")
    assert {"values": dict(record.values), "tables": record.tables} == expected(
        copy, complete_values(copy))
    assert record.findings == ()
    event_date = record.values[copy.event_date_field] if copy.event_date_field else None
    if isinstance(event_date, datetime):
        event_date = event_date.date()
    assert record.event_date == event_date and isinstance(record.event_date, date | None)


def test_families_first_dates_its_referral_with_the_time_received(catalogue: Catalogue) -> None:
    copy = catalogue.get("referral").for_service("families-first")
    assert (copy.event, copy.event_date_field) == ("referral", "referral_received_at")
    assert catalogue.get("referral").for_service("sds").event_date_field == "referral_date"


@pytest.mark.parametrize(
    ("form_id", "service", "present", "absent"),
    [
        pytest.param("review", "sds", ["four_options_offered", "shanarri_included",
                                       "views_caring"], ["planned_departure"], id="sds-review"),
        pytest.param("review", "community-support", ["person_views"],
                     ["four_options_offered", "shanarri_safe", "young_person_views"],
                     id="community-support-review"),
        pytest.param("support-plan", "medway-hil", ["interpreter_used", "advocate_signature"],
                     ["sds_option", "planned_departure"], id="hil-plan"),
        pytest.param("referral", "families-first",
                     ["immediate_response", "criterion_imminent_care", "menu_fgc"],
                     ["date_of_birth", "referral_date", "disclaimer"], id="ff-referral"),
        pytest.param("referral", "swa-refuge-children", ["mother_person_id", "school"],
                     ["criterion_no_network", "disclaimer"], id="child-referral"),
        pytest.param("closure", "families-first", ["step_down_lead", "follow_up_on"],
                     ["reflection"], id="ff-closure"),
        pytest.param("closure", "swa-refuge-women", ["reflection"], ["step_down_plan"],
                     id="refuge-outcomes-form"),
    ],
)
def test_service_sections_appear_only_on_that_services_copy(
    catalogue: Catalogue, form_id: str, service: str, present: list[str], absent: list[str]
) -> None:
    keys = set(catalogue.get(form_id).for_service(service).leaves_by_key)
    assert set(present) <= keys
    assert not set(absent) & keys


@pytest.fixture(scope="module")
def libreoffice_saved(filled: Path, libreoffice: Callable[..., list[Path]]) -> Path:
    out = filled / "libreoffice"
    libreoffice(sorted(filled.glob("*.docx")), out)
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize(("form_id", "service"), COPIES, ids=COPY_IDS)
def test_every_copy_reads_back_the_same_after_libreoffice(
    filled: Path, libreoffice_saved: Path, catalogue: Catalogue, form_id: str, service: str
) -> None:
    name = f"{service}--{form_id}.docx"
    original = check(filled / name, catalogue)
    resaved = check(libreoffice_saved / name, catalogue)
    assert resaved.values == original.values
    assert resaved.tables == original.tables
    assert resaved.findings == original.findings
