"""Values for `forms fill`: dates said as every other command says them (pipeline/dates.py)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.dates import NotADateError, parse_day, parse_day_and_time
from pipeline.definitions import Catalogue
from pipeline.errors import FillError
from pipeline.fill_values import coerce_values
from tests.form_values import FULL_VALUES

runner = CliRunner()


def _fill(tmp_path: Path, form: str, changes: dict[str, Any]) -> str:
    """What `planwatch forms fill` says (its error, as main() prints it)."""
    values = tmp_path / "values.json"
    values.write_text(json.dumps({**FULL_VALUES[form], **changes}))
    result = runner.invoke(app, ["forms", "fill", form, "--service", "community-support",
                                 "--data", str(values), "-o", str(tmp_path / "out.docx")])
    assert isinstance(result.exception, FillError), result.output
    return str(result.exception)


def test_an_impossible_date_gets_the_message_every_command_gives(tmp_path: Path) -> None:
    said = _fill(tmp_path, "support-plan", {"plan_date": "31/02/2026"})
    assert "plan_date: 31/02/2026 is not a date: February 2026 has 28 days." in said
    assert "expected" not in said
    with pytest.raises(NotADateError) as every_command:  # what --as-of and the rest say
        parse_day("31/02/2026")
    assert every_command.value.message in said


@pytest.mark.parametrize(("typed", "said"), [
    pytest.param("2026-02-29", "2026-02-29 is not a date: February 2026 has 28 days.",
                 id="iso_not_a_leap_year"),
    pytest.param("01/13/2026", "01/13/2026 is not a date: there is no month 13.",
                 id="month_13"),
    pytest.param("next Tuesday", "next Tuesday is not a date: write it as dd/mm/yyyy or "
                 "yyyy-mm-dd, e.g. 01/12/2026.", id="words"),
])
def test_a_date_in_a_table_is_said_the_same_way(catalogue: Catalogue, typed: str,
                                                said: str) -> None:
    with pytest.raises(FillError) as raised:
        coerce_values(catalogue.get("support-plan"),
                      {"actions": [{"issue": "Rent arrears", "target_date": typed}]})
    assert f"actions[1].target_date: {said}" in str(raised.value)
    with pytest.raises(NotADateError) as direct:
        parse_day(typed)
    assert direct.value.message == said


def test_dates_are_taken_as_dd_mm_yyyy_or_yyyy_mm_dd(catalogue: Catalogue) -> None:
    plan = catalogue.get("support-plan")
    for typed in ("20/03/2026", "2026-03-20", " 20/3/2026 "):
        assert coerce_values(plan, {"plan_date": typed}).fields["plan_date"] == date(2026, 3, 20)
    with pytest.raises(FillError, match=r"plan_date: expected a date as dd/mm/yyyy or "
                       r"yyyy-mm-dd \(a JSON string\), got 20260320"):
        coerce_values(plan, {"plan_date": 20260320})


@pytest.mark.parametrize(("typed", "expected"), [
    pytest.param("02/03/2026 10:00", datetime(2026, 3, 2, 10, 0), id="uk"),
    pytest.param("2026-03-02T10:00", datetime(2026, 3, 2, 10, 0), id="iso"),
    pytest.param("2026-03-02 09:05:30", datetime(2026, 3, 2, 9, 5, 30), id="iso_seconds"),
])
def test_a_date_and_time_is_taken_as_people_type_it(catalogue: Catalogue, typed: str,
                                                    expected: datetime) -> None:
    referral = catalogue.get("referral")
    values = coerce_values(referral, {"referral_received_at": typed})
    assert values.fields["referral_received_at"] == expected


@pytest.mark.parametrize(("typed", "said"), [
    pytest.param("31/02/2026 10:00", "31/02/2026 is not a date: February 2026 has 28 days.",
                 id="impossible_day"),
    pytest.param("02/03/2026 25:00", "02/03/2026 25:00 is not a date and time: 25:00 is not "
                 "a time of day (00:00 to 23:59).", id="hour_25"),
    pytest.param("02/03/2026", "02/03/2026 is not a date and time: write it as dd/mm/yyyy "
                 "HH:MM or yyyy-mm-ddTHH:MM, e.g. 01/12/2026 14:30.", id="no_time"),
])
def test_an_impossible_date_and_time_says_what_is_wrong(catalogue: Catalogue, typed: str,
                                                        said: str) -> None:
    with pytest.raises(FillError) as raised:
        coerce_values(catalogue.get("referral"), {"referral_received_at": typed})
    assert f"referral_received_at: {said}" in str(raised.value)
    with pytest.raises(NotADateError):
        parse_day_and_time(typed)
