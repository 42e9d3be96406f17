"""Web pages, one blueprint per area, and the template filters they share."""

from __future__ import annotations

import datetime as dt
import functools

from babel.numbers import get_group_symbol
from flask import Flask, g
from flask_babel import format_date, format_decimal, format_time, get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from indicators.audit import action_words, subject_words
from indicators.framework_texts import breakdown_words, dimension_words, text_of
from indicators.model import Dimension
from indicators.vocabulary import Term, Unit
from mne.context import session
from mne.web import (
    accounts,
    audit,
    evaluation,
    framework,
    overview,
    reports,
    return_form_page,
    returns,
    review,
)

BLUEPRINTS = (overview.blueprint, returns.blueprint, framework.blueprint, evaluation.blueprint,
              accounts.blueprint, audit.blueprint, review.blueprint, reports.blueprint,
              return_form_page.blueprint)


def register(app: Flask) -> None:
    """Add every page blueprint and the shared template filters to `app`."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.add_template_filter(format_number, "number")
    app.add_template_filter(term, "term")
    app.add_template_filter(text_of, "text")
    app.add_template_filter(format_day, "date")
    app.add_template_filter(format_moment, "datetime")
    app.add_template_filter(format_amount, "amount")
    app.add_template_filter(format_range, "range")
    app.add_template_filter(breakdown, "breakdown")
    app.add_template_filter(dimension, "dimension")
    app.add_template_filter(action_words, "action")
    app.add_template_filter(subject_words, "subject")


def breakdown(key: str | None) -> str:
    """A breakdown key (`sex=female`) in the reader's words ("Sex: female"; "Total"), by
    `indicators.framework_texts.breakdown_words`, each key worded once a request."""
    if "breakdowns" not in g:
        g.breakdowns = {}
    if key not in g.breakdowns:
        g.breakdowns[key] = breakdown_words(key or "", _dimensions())
    return g.breakdowns[key]


def dimension(code: str) -> str:
    """A dimension code (`sex`) as its name in the reader's words, by
    `indicators.framework_texts.dimension_words`."""
    return dimension_words(code, _dimensions())


def _dimensions() -> list[Dimension]:
    """The framework's dimensions with their categories, read once a request."""
    if "dimensions" not in g:
        g.dimensions = session().scalars(
            select(Dimension).options(selectinload(Dimension.categories))).all()
    return g.dimensions


def term(member: Term) -> str:
    """A member of the vocabulary (unit, direction, frequency, aggregation, kind, nature, state)
    in words a reader understands, in the page's language."""
    return member.label


def format_number(value: float | None, unit: Unit | str = Unit.COUNT) -> str:
    """A value as a reader expects it (`unit` a unit code, or empty when none applies):
    whole counts without decimals, others to two places,
    grouped in thousands the way the page's language writes them."""
    if value is None:
        return ""
    whole = (unit and Unit(unit).whole_numbers) or float(value).is_integer()
    if whole and value >= 0:  # as babel writes it, without its pattern machinery
        return f"{round(float(value)):,}".replace(",", _group_symbol(str(get_locale())))
    return format_decimal(value, format="#,##0" if whole else "#,##0.##")


@functools.lru_cache(maxsize=8)
def _group_symbol(locale: str) -> str:
    """The thousands separator of a language, as babel knows it."""
    return get_group_symbol(locale)


def format_amount(value: float, unit: Unit | str, currency: str = "") -> str:
    """A value followed by its unit as a reader writes it: 12.5 %, 3.2 per 100,000, 1,200 EUR."""
    unit = Unit(unit)
    return f"{format_number(value, unit)} {unit.suffix(currency)}".strip()


def format_range(value: dict, unit: Unit | str = Unit.COUNT) -> str:
    """The range a value (`low`, `high`, `at_least`) carries, after its number: `[90–120]`,
    `(at least)`; nothing without one."""
    if value.get("at_least"):
        return "(" + _("at least") + ")"
    if value.get("low") is not None and value.get("high") is not None:
        return f"[{format_number(value['low'], unit)}–{format_number(value['high'], unit)}]"
    return ""


def format_day(value: dt.date | str | None) -> str:
    """A date the way the page's language writes it (30 Nov 2026, 2026年11月30日)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return format_date(value, "medium")


def format_moment(value: dt.datetime | str | None, seconds: bool = False) -> str:
    """A moment (UTC) as its date in the page's language and its time on the 24-hour clock."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return f"{format_day(value)} {format_time(value, 'HH:mm:ss' if seconds else 'HH:mm')}"
