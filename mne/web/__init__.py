"""Web pages, one blueprint per area, and the template filters they share."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import format_date, format_decimal, format_time
from flask_babel import lazy_gettext as _l

from mne.web import accounts, audit, evaluation, framework, overview, reports, returns, review

BLUEPRINTS = (overview.blueprint, returns.blueprint, framework.blueprint, evaluation.blueprint,
              accounts.blueprint, audit.blueprint, review.blueprint, reports.blueprint)


def register(app: Flask) -> None:
    """Add every page blueprint and the shared template filters to `app`."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.add_template_filter(format_number, "number")
    app.add_template_filter(term, "term")
    app.add_template_filter(format_day, "date")
    app.add_template_filter(format_moment, "datetime")


TERMS = {
    "quantitative": _l("quantitative"), "qualitative": _l("qualitative"),
    "count": _l("count"), "percent": _l("percent"), "rate_per_100k": _l("rate per 100,000"),
    "amount": _l("amount"), "yes_no": _l("yes/no"), "level": _l("level on a scale"),
    "increase": _l("increase"), "decrease": _l("decrease"), "maintain": _l("maintain"),
    "monthly": _l("monthly"), "quarterly": _l("quarterly"), "semiannual": _l("semi-annual"),
    "annual": _l("annual"), "sum": _l("sum"), "mean": _l("mean"), "latest": _l("latest"),
}


def term(code: object) -> str:
    """A code of the domain (unit, direction, frequency, aggregation, kind) in words a reader
    understands, in the page's language; an unknown code is shown as it is."""
    return str(TERMS.get(str(code), code))


def format_number(value: float | None, unit: str = "count") -> str:
    """A value as a reader expects it: whole counts without decimals, others to two places,
    grouped in thousands the way the page's language writes them."""
    if value is None:
        return ""
    if unit in ("count", "yes_no") or float(value).is_integer():
        return format_decimal(value, format="#,##0")
    return format_decimal(value, format="#,##0.##")


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
