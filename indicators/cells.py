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
