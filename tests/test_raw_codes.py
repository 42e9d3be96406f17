"""Every status, unit, direction, frequency, flag and return state reaches a reader in words,
never as its code: on every page of the demonstration and in every report (xlsx cells, html
text, the json's words).

The words of the core and of the pages are pseudo-translated to «words» for the walk, so that a
code printed where words belong shows up even when it looks like a word (`achieved`)."""

from __future__ import annotations

import io
import json
import re
from html import unescape

import openpyxl
import pytest
from jinja2 import pass_context
from markupsafe import Markup

from indicators import i18n
from indicators.vocabulary import VOCABULARY, Status
from mne.scheduling import report_settings
from reports.archive import compile_and_issue
from reports.model import ReportKind
from tests.routes import SAMPLE_USER, add_sample_report, add_sample_upload, routes, samples, url

PERIOD = "2026Q3"
CODES = {member.value for vocabulary in VOCABULARY for member in vocabulary}
# a code such as rate_per_100k is raw wherever it stands; one that looks like a word (achieved)
# when it is all a cell or an element says
RAW = re.compile(r"\b(?:{})\b".format("|".join(sorted(code for code in CODES if "_" in code))))
WORDLIKE = {"achieved", "semiannual", "quantitative", "qualitative", "estimated", "provisional",
            "suppressed", "rejected", "submitted", "approved", "returned", "increase",
            "decrease", "maintain", "missing", "late"}
PSEUDO = re.compile(r"«[^«»]*»")
HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.S)
TAG = re.compile(r"<[^>]*>")


def _pseudo(translate):
    return lambda message, **variables: f"«{translate(message, **variables)}»"


@pytest.fixture
def pseudo_translated(app, monkeypatch):
    """Messages of the core (the vocabulary's words among them) and of the page templates
    written «like this»: what stays outside is data, or a code printed where words belong."""
    monkeypatch.setattr(i18n, "_translator", _pseudo(i18n._translator))
    for name in ("_", "gettext"):
        monkeypatch.setitem(app.jinja_env.globals, name,
                            _pseudo_in_pages(app.jinja_env.globals[name]))


def _pseudo_in_pages(gettext):
    @pass_context
    def pseudo(context, message, **variables):
        return Markup("«") + gettext(context, message, **variables) + Markup("»")
    return pseudo


def raw_codes_in(*texts: str) -> list[str]:
    """The codes a reader would see in `texts` (cells, elements) outside the «words», each in
    its context."""
    found = []
    for text in texts:
        outside = " ".join(PSEUDO.sub(" ", text).split())
        found += [outside[max(0, code.start() - 30):code.end() + 30]
                  for code in RAW.finditer(outside)]
        found += [outside] if outside in WORDLIKE else []
    return found


def visible_text(html: str) -> list[str]:
    """What a reader sees of a page, element by element: no tags, attributes, scripts or
    styles."""
    return [unescape(text) for text in TAG.split(HIDDEN.sub(" ", html))]


def _page_addresses(app, db) -> list[str]:
    with db.sessions() as session:
        values = samples(session)
    return sorted({url(app, endpoint, rule, values) for endpoint, rule, method in routes(app)
                   if method == "GET" and not rule.startswith(("/api/", "/static"))})


def _pages_of(client, addresses: list[str]) -> dict[str, str]:
    """The html pages among `addresses` that answer, by address."""
    pages = {}
    for address in addresses:
        response = client.get(address)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[address] = response.get_data(as_text=True)
    return pages


def _linked_pages(html: str, under: str) -> list[str]:
    return sorted({unescape(link) for link in re.findall(r'href="([^"#]+)', html)
                   if link.startswith(under)})


def _one_form_of_each_kind(pages) -> list[str]:
    """An address of each administration form linked from `pages`: new and existing rows."""
    forms = {}
    for html in pages:
        for link in re.findall(r'href="(/admin/(\w+)/(new|\d+))"', html):
            forms.setdefault(link[1:], link[0])
    return sorted(forms.values())


@pytest.fixture
def walked(app, db, settings, demo, make_user, token_for, pseudo_translated):
    """The demonstration with a sample upload, report, user and token, for walking every
    route."""
    make_user("viewer", email=SAMPLE_USER)
    token_for("viewer")
    with db.transaction() as session:
        add_sample_upload(session, settings.storage_folder)
        add_sample_report(session, settings)
    return demo


def test_no_page_of_the_demonstration_prints_a_code(app, db, client_as, walked):
    addresses = _page_addresses(app, db)
    seen = {}
    for role in ("evaluator", "administrator"):
        client = client_as(role)
        pages = _pages_of(client, addresses)
        dashboard = next(html for address, html in pages.items()
                         if address.endswith("/dashboard"))
        strategy = next(address for address in pages if address.endswith("/dashboard"))
        pages |= _pages_of(client, _linked_pages(dashboard, strategy.rsplit("/", 1)[0]))
        pages |= _pages_of(client, _one_form_of_each_kind(pages.values()))
        seen |= {f"{role} {address}": raw_codes_in(*visible_text(html))
                 for address, html in pages.items()}
    assert len(seen) > 60 and any("/admin/indicator/" in page for page in seen)
    assert {page: codes for page, codes in seen.items() if codes} == {}


@pytest.mark.parametrize("kind", [ReportKind.PROGRESS, ReportKind.GAPS])
def test_no_report_of_the_demonstration_prints_a_code(db, settings, evaluator_client, demo,
                                                     pseudo_translated, kind):
    with db.transaction() as session:
        issued = compile_and_issue(session, kind, demo.strategy, PERIOD,
                                   report_settings(settings), "evaluator")
    address = f"/api/v1/reports/{issued.id}/file?format="
    workbook = openpyxl.load_workbook(io.BytesIO(evaluator_client.get(address + "xlsx").data))
    cells = {f"{sheet.title}!{cell.coordinate}": cell.value for sheet in workbook
             for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert {where: text for where, text in cells.items() if raw_codes_in(text)} == {}
    if kind is ReportKind.PROGRESS:
        indicators = next(sheet for sheet in workbook if sheet.title == "«Indicators»")
        coloured = {rule.formula[0] for ranges in indicators.conditional_formatting
                    for rule in ranges.rules}
        assert {f'"{status.label}"' for status in Status} <= coloured
    html = evaluator_client.get(address + "html").get_data(as_text=True)
    assert raw_codes_in(*visible_text(html)) == []
    figures = json.loads(evaluator_client.get(address + "json").data)
    assert _unlabelled_codes(figures) == []
    statuses = [row["status_label"] for section in figures["sections"]
                for row in section["rows"] if "status" in row]
    assert statuses and all(PSEUDO.fullmatch(label) for label in statuses)


def _unlabelled_codes(figures: dict) -> list[str]:
    """Codes of the report's json without their words beside them, and words in the titles,
    notes and headings that are codes."""
    found = [text for section in figures["sections"]
             for text in (section["title"], section["note"],
                          *(column["label"] for column in section["columns"]))
             if raw_codes_in(text)]
    for section in figures["sections"]:
        for row in section["rows"]:
            found += [f"{section['key']}.{key}={value}" for key, value in row.items()
                      if isinstance(value, str) and raw_codes_in(value)
                      and not PSEUDO.fullmatch(str(row.get(f"{key}_label", "")))]
    return found
