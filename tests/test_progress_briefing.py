"""The quarterly progress report reads as a briefing a minister can be sent: a summary page
whose figures equal the dashboard's, a section per principle with a readable table and small
charts, the full tables in an annex; the same report as an A4 PDF."""

from __future__ import annotations

import io
import re
from collections import Counter
from html import unescape

import pytest
from pypdf import PdfReader

from indicators.vocabulary import Status
from mne.scheduling import report_settings
from reports.archive import compile_and_issue
from tests.test_raw_codes import raw_codes_in

PERIOD = "2026Q3"
STRATEGY = "MRD-NSOC"


@pytest.fixture
def briefing(db, demo, settings):
    """The demonstration's progress report for 2026Q3, issued."""
    with db.transaction() as session:
        return compile_and_issue(session, "progress", demo.strategy, PERIOD,
                                 report_settings(settings), "evaluator")


def _dashboard_counts(client) -> dict[str, Counter]:
    """{principle name: {status: count}} as the dashboard's chart draws them to `client`'s
    user (a viewer reads approved figures, as issued reports count)."""
    page = client.get(f"/strategies/{STRATEGY}/dashboard?to={PERIOD}").get_data(as_text=True)
    counts: dict[str, Counter] = {}
    for group, status, count in re.findall(
            r'data-group="([^"]+)" data-status="(\w+)" data-count="(\d+)"', page):
        counts.setdefault(unescape(group), Counter())[status] += int(count)
    return counts


def test_pdf_briefing_fits_twelve_pages_before_its_annex_and_opens_with_the_dashboards_figures(
        evaluator_client, client_as, briefing):
    answer = evaluator_client.get(f"/reports/{briefing.id}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages]
    annex = next(number for number, text in enumerate(pages) if "Annex: all figures" in text)
    assert 1 < annex <= 12
    first = pages[0]
    for principle, counts in _dashboard_counts(client_as("viewer")).items():  # approved figures
        figures = " ".join(str(counts.get(status.value, 0)) for status in Status)
        assert f"{principle} {figures} {sum(counts.values())}" in first, principle
    assert "Most off track" in first and "Movements since the previous period" in first
    assert "returns received" in first and "sex breakdown" in first
    assert raw_codes_in(*pages) == []


def test_each_principle_has_a_readable_table_and_small_charts(evaluator_client, briefing):
    page = evaluator_client.get(f"/reports/{briefing.id}.html").get_data(as_text=True)
    sections = re.findall(r'<section class="principle">(.*?)</section>', page, re.S)
    assert len(sections) == 4
    for section in sections:
        headings = re.search(r'<table class="indicators">.*?<thead><tr>(.*?)</tr>', section,
                             re.S).group(1)
        assert headings.count("<th") <= 8
        assert "rate_per_100k" not in section
        assert section.count('<svg class="chart trend"') >= 5
        assert re.search(r'class="narrative">\d+ indicators: ', section)
    assert 'class="actual-point incomplete"' in page   # 2026Q3: one return is missing
    annex = page.split('<section class="annex"')[1]
    assert annex.count("<th") >= 20 and "Data sources" in annex


def test_reports_page_offers_the_pdf(evaluator_client, briefing):
    listing = evaluator_client.get("/reports").get_data(as_text=True)
    assert f'href="/reports/{briefing.id}.pdf"' in listing
