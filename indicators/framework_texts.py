"""The framework's texts in several languages: one rule, "the text of field F of row R in
language L, falling back to the default language".

A framework row's own columns (`Indicator.name`, `Category.label` …) hold its text in the
default language, the one the framework is written in. Its `translations` column holds the same
fields in other languages, `{"zh": {"name": "…", "definition": "…"}}`; a language is served by
data alone, any code of `LANGUAGES`. Pages (the `text` filter), the return template, the reports,
the API and the e-mails ask `text_of`; the framework workbook and the administration pages read
and write the per-language columns (`name_zh`) through `translation_columns`, `column_texts` and
`set_texts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from indicators.disaggregation import parse_key
from indicators.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext, reader_language
from indicators.model import (
    Category,
    Crisis,
    Dimension,
    Entity,
    Indicator,
    Objective,
    Principle,
    Strategy,
)

TRANSLATED_FIELDS: dict[type, tuple[str, ...]] = {
    Strategy: ("title", "description"),
    Principle: ("name", "description"),
    Objective: ("title", "description"),
    Indicator: ("name", "definition"),
    Dimension: ("name",),
    Category: ("label",),
    Entity: ("name",),
    Crisis: ("name", "note"),
}


def text_of(row: Any, field: str, language: str | None = None) -> str:
    """The text of `field` of the framework `row` in `language` (default: the reader's), or in
    the default language when it has none in that language."""
    language = language or reader_language()
    translated = ((getattr(row, "translations", None) or {}).get(language) or {}).get(field)
    return translated or getattr(row, field)


def other_languages() -> list[str]:
    """The languages a framework text may be given in beside the default one."""
    return [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]


def translation_columns(fields: Iterable[str]) -> list[str]:
    """The per-language columns of `fields` (`name_zh`, `definition_zh` …), language by
    language."""
    return [f"{field}_{code}" for code in other_languages() for field in fields]


def column_texts(row: Any, fields: Iterable[str]) -> dict[str, str]:
    """The row's translations as per-language columns (`{"name_zh": "…"}`, empty where
    missing)."""
    stored = getattr(row, "translations", None) or {}
    return {f"{field}_{code}": (stored.get(code) or {}).get(field, "")
            for code in other_languages() for field in fields}


def text_columns(model: type) -> list[str]:
    """The per-language columns of a framework table (none for a table without texts)."""
    return translation_columns(TRANSLATED_FIELDS.get(model, ()))


def set_texts(row: Any, columns: Mapping[str, Any]) -> None:
    """Set the row's translations from the per-language columns given (`{"name_zh": "…"}`; a
    blank one removes that text); texts of columns not given are kept, a row without any keeps
    None, and a repeat of the same texts changes nothing."""
    if not columns:
        return
    stored = {code: dict(texts) for code, texts in (row.translations or {}).items()}
    for code in other_languages():
        for field in TRANSLATED_FIELDS[type(row)]:
            column = f"{field}_{code}"
            if column not in columns:
                continue
            content = str(columns[column] or "").strip()
            if content:
                stored.setdefault(code, {})[field] = content
            else:
                stored.get(code, {}).pop(field, None)
    found = {code: texts for code, texts in stored.items() if texts} or None
    if (row.translations or None) != found:
        row.translations = found


def breakdown_words(key: str, dimensions: Iterable[Dimension],
                    language: str | None = None) -> str:
    """A breakdown key (`age=0-17;sex=female`) in words, each pair as "Dimension: category" in
    `language` (default: the reader's); "Total" for the total, codes where the framework names
    no such dimension or category."""
    pairs = parse_key(key)
    if not pairs:
        return gettext("Total")
    language = language or reader_language()
    named = {dimension.code: dimension for dimension in dimensions}
    words = []
    for code, category in pairs.items():
        dimension = named.get(code)
        if dimension is None:
            words.append(f"{code}: {category}")
            continue
        labels = {item.code: text_of(item, "label", language) for item in dimension.categories}
        words.append(f"{text_of(dimension, 'name', language)}: {labels.get(category, category)}")
    return "; ".join(words)


def dimension_words(code: str, dimensions: Iterable[Dimension], language: str | None = None) -> str:
    """A dimension's code (`sex`) as its name in `language` (default: the reader's), the code
    itself where the framework names no such dimension."""
    named = {dimension.code: dimension for dimension in dimensions}
    return text_of(named[code], "name", language) if code in named else code
