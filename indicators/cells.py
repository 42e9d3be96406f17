"""Cell text that is safe to put in a spreadsheet or CSV file someone will open in Excel."""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value` unchanged unless it is text a spreadsheet would run as a formula
    (starting with =, +, -, @, tab or carriage return); such text gets a leading apostrophe
    so that it is shown, never evaluated. Numbers are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_literal(cell: Any, value: Any) -> Any:
    """Put `value` in a spreadsheet cell (openpyxl's) so that it reads back exactly as given:
    text is kept as text even when it starts like a formula (`=1+1`), never run. Returns the
    cell."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
