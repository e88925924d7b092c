"""Data validation for answer cells: lists, dates, numbers, and the prompt each shows.

Excel shows the prompt when a person selects the cell and refuses a value that breaks the
rule. openpyxl enforces none of it, and a person can paste past it, so Planwatch still
validates everything it reads (:mod:`pipeline.validate`).
"""

from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.definitions import FieldSpec, FieldType
from pipeline.formats.xlsx.names import DATE_FORMAT, NO, YES

# Excel's limits on a validation's prompt title and text.
_TITLE_CHARS = 32
_PROMPT_CHARS = 255


def _limit(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "\u2026"


def _number_rule(field: FieldSpec) -> tuple[str, str, str | None, str]:
    """Operator, formulas and the wording of a number rule."""
    low, high = field.minimum, field.maximum
    if low is not None and high is not None:
        return "between", f"{low:g}", f"{high:g}", f"a number from {low:g} to {high:g}"
    if low is not None:
        return "greaterThanOrEqual", f"{low:g}", None, f"a number of at least {low:g}"
    if high is not None:
        return "lessThanOrEqual", f"{high:g}", None, f"a number of at most {high:g}"
    return "between", "-1E+15", "1E+15", "a number"


def validation_for(field: FieldSpec, list_range: str | None, prompt_title: str) -> (
        DataValidation | None):
    """The validation of one answer (or table column); None for plain text without help.

    ``list_range`` is where a choice's labels are listed (``'Lists'!$A$1:$A$3``).
    """
    kind = field.type
    prompt = field.help or ""
    rule: dict[str, object] = {}
    if kind is FieldType.YES_NO:
        rule = {"type": "list", "formula1": f'"{YES},{NO}"',
                "error": f"Choose {YES} or {NO} from the list."}
        prompt = prompt or f"Choose {YES} or {NO}."
    elif kind is FieldType.CHOICE and list_range:
        rule = {"type": "list", "formula1": list_range,
                "error": "Choose one of the items in the list."}
        prompt = prompt or "Choose an item from the list."
    elif kind in (FieldType.DATE, FieldType.DATETIME):
        shown = DATE_FORMAT if kind is FieldType.DATE else f"{DATE_FORMAT} hh:mm"
        rule = {"type": "date", "operator": "between", "formula1": "DATE(1900,1,1)",
                "formula2": "DATE(2099,12,31)", "error": f"Type a date as {shown}."}
        prompt = f"Type the date as {shown}." + (f" {prompt}" if prompt else "")
    elif kind is FieldType.NUMBER:
        operator, low, high, words = _number_rule(field)
        rule = {"type": "decimal", "operator": operator, "formula1": low, "formula2": high,
                "error": f"Type {words}."}
        prompt = prompt or f"Type {words}."
    if not rule and not prompt:
        return None
    error = str(rule.pop("error", ""))
    return DataValidation(
        **rule, allow_blank=True,
        showErrorMessage=bool(error), errorTitle=_limit(prompt_title, _TITLE_CHARS),
        error=error or None,
        showInputMessage=bool(prompt), promptTitle=_limit(prompt_title, _TITLE_CHARS),
        prompt=_limit(prompt, _PROMPT_CHARS) or None,
    )
