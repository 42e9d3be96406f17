"""Evaluators read the demonstration strategy: dashboard, indicator, entity and quality pages,
and the API that gives the same numbers."""

import re
from html import unescape

import pytest

from indicators.dashboard import dashboard
from indicators.data_quality import completeness_by, expected_returns, latest_completeness
from indicators.evaluation import Scope, status_changes, strategy_progress
from indicators.periods import parse_period
from indicators.progress import Status

STRATEGY = "MRD-NSOC"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _fields(html: str) -> dict[str, str]:
    """The figures an indicator page shows, by field, as the raw values it renders."""
    return {name: unescape(value) for name, value in
            re.findall(r'data-field="([a-z_]+)" data-value="([^"]*)"', html)}


def _as_page_writes(value) -> str:
    return "None" if value is None else str(value)


def test_dashboard_of_the_demonstration_shows_every_status_one_click_from_its_indicators(
        client_as, demo):
    client = client_as("evaluator")
    html = _page(client, f"/strategies/{STRATEGY}/dashboard")
    cells = re.findall(r'class="cell-link" data-principle="(\w+)" data-status="(\w+)" '
                       r'href="([^"]+)">(\d+)<', html)
    assert {status for _, status, _, _ in cells} == {status.value for status in Status}
    principle, status, link, count = cells[0]
    listed = _page(client, unescape(link))
    rows = re.findall(r'<tr class="indicator" data-indicator="([^"]+)" data-status="(\w+)"',
                      listed)
    assert len(rows) == int(count)
    assert {row_status for _, row_status in rows} == {status}
    assert "of 11 returns received" in html   # completeness of the latest period


def test_overview_and_navigation_lead_to_the_dashboard(client_as, demo):
    client = client_as("evaluator")
    html = _page(client, "/")
    assert f'href="/strategies/{STRATEGY}/dashboard"' in html
    assert client.get("/dashboard").headers["Location"].endswith(
        f"/strategies/{STRATEGY}/dashboard")


@pytest.mark.parametrize("query", ["period=2026Q3", "period=2026Q1&entity=POL"])
def test_progress_api_equals_what_the_indicator_page_shows(client_as, demo, query):
    client = client_as("evaluator")
    for code in ("PR1.1", "PV1.1", "PM2.5", "PU1.4", "PM3.2"):
        api = client.get(f"/api/v1/indicators/{code}/progress?{query}").get_json()
        shown = _fields(_page(client, f"/strategies/{STRATEGY}/indicators/{code}?"
                                      + query.replace("period=", "to=")))
        for field in ("baseline_value", "target_value", "target_period", "latest_value",
                      "latest_period", "progress", "expected_progress", "status", "slope",
                      "projected_value", "observed_required_ratio", "entities_reporting"):
            assert shown[field] == _as_page_writes(api[field]), (code, field)
        if api["sex"]:
            for field in ("female_share", "female_to_male", "unknown_share"):
                assert shown[field] == _as_page_writes(api["sex"][field]), (code, field)
        if api["sex_coverage"] is not None:
            assert shown["sex_coverage"] == _as_page_writes(api["sex_coverage"])


def test_progress_api_reports_a_victims_indicator_by_sex(client_as, demo):
    client = client_as("evaluator")
    answer = client.get("/api/v1/indicators/PR1.1/progress?period=2026Q3").get_json()
    assert answer["strategy"] == STRATEGY and answer["latest_period"] == "2026Q3"
    assert answer["status"] in {status.value for status in Status}
    sex = answer["sex"]
    assert sex["female"] + sex["male"] + sex["unknown"] == answer["latest_value"]
    assert sex["female_share"] == pytest.approx(sex["female"] / answer["latest_value"])
    assert answer["sex_coverage"] == 1.0


def test_series_api_by_sex_equals_the_page_table(client_as, demo):
    client = client_as("evaluator")
    answer = client.get("/api/v1/indicators/PR1.1/series?disaggregate=sex").get_json()
    html = _page(client, f"/strategies/{STRATEGY}/indicators/PR1.1")
    shown = dict(re.findall(r'<tr data-period="(\w+)"><td>\w+</td><td class="num" '
                            r'data-value="([^"]*)"', html))
    assert {point["period"]: str(point["value"]) for point in answer["series"]} == shown
    by_sex = {point["period"]: point["breakdown"] for point in answer["series"]}
    assert set(by_sex["2026Q3"]) == {"female", "male", "unknown"}
    assert by_sex["2025Q1"] == {}                     # reported without breakdown that quarter


def test_api_names_what_it_does_not_know(client_as, demo):
    client = client_as("evaluator")
    assert client.get("/api/v1/indicators/NOPE/progress").status_code == 404
    assert client.get("/api/v1/indicators/PR1.1/progress?entity=NOPE").status_code == 404
    assert client.get("/api/v1/indicators/PR1.1/progress?period=2026Q7").status_code == 400
    assert client.get(f"/strategies/{STRATEGY}/indicators/NOPE").status_code == 404


def test_indicator_page_traces_each_value_to_its_return_sheet_and_cell(client_as, demo):
    client = client_as("evaluator")
    html = _page(client, f"/strategies/{STRATEGY}/indicators/PM2.5")
    assert re.search(r'<a class="return-link" href="/returns/\d+">#\d+ r1</a>', html)
    assert "Quantitative" in _page(client, f"/strategies/{STRATEGY}/indicators/PR1.1")
    assert "All four neighbours covered" in html          # the narrative of 2026Q1


def test_entity_page_shows_returns_completeness_and_statuses(client_as, demo):
    client = client_as("evaluator")
    html = _page(client, f"/entities/PROS?strategy={STRATEGY}")
    assert 'data-period="2026Q3" class="missing"' in html   # PROS never sent 2026Q3
    assert re.search(r'data-status="late"[^>]*>late<', html)   # its status, in words
    assert re.search(r'data-completeness="0\.875"', html)
    assert 'data-indicator="PM2.1"' in html
    assert 'data-indicator="PR1.1"' not in html             # reported by others


def test_quality_page_lists_missing_breakdowns_and_outliers(client_as, demo):
    client = client_as("evaluator")
    html = _page(client, f"/strategies/{STRATEGY}/quality")
    missing = re.findall(r'<tr class="missing"><td class="code"><a [^>]+>([^<]+)</a></td>'
                         r'<td>(\w+)</td><td>(\w+)</td><td data-dimension="(\w+)">(\w+)</td>',
                         html)
    assert ("PM1.3", "NCO", "2025Q3", "sex", "Sex") in missing
    assert 'class="outlier"' in html
    filtered = _page(client, f"/strategies/{STRATEGY}/quality?entity=POL&from=2025Q1")
    rows = re.findall(r'<tr class="missing">.*?</tr>', filtered)
    assert rows and all("<td>POL</td><td>2025Q1</td>" in row for row in rows)


def test_quality_page_shows_the_demonstration_breakdown_that_does_not_add_up(client_as, demo):
    client = client_as("evaluator")
    html = _page(client, f"/strategies/{STRATEGY}/quality?from=2026Q1&to=2026Q1")
    rows = re.findall(r'<tr class="inconsistent">(.*?)</tr>', html)
    assert len(rows) == 1 and "PR2.4" in rows[0] and '<td data-dimension="sex">Sex</td>' in rows[0]


def test_indicator_page_names_unit_direction_and_frequency_in_words(client_as, demo):
    page = client_as("evaluator").get(
        f"/strategies/{STRATEGY}/indicators/PV1.1").get_data(as_text=True)
    assert "rate per 100,000" in page and "rate_per_100k" not in page
    assert "<dd>decrease</dd>" in page and "<dd>annual</dd>" in page


def test_dashboard_marks_a_latest_value_fewer_entities_reported_than_usual(client_as, demo):
    html = _page(client_as("evaluator"), f"/strategies/{STRATEGY}/dashboard")
    notes = re.findall(r'<small class="incomplete"[^>]*>(\d+) of (\d+) entities</small>', html)
    assert notes and all(int(count) < int(usual) for count, usual in notes)
    assert 'class="spark-latest incomplete"' in html   # its trend line's hollow point


@pytest.mark.parametrize("until, entity", [(None, None), ("2026Q2", None), (None, "PROS")])
def test_dashboard_changes_and_completeness_equal_each_period_judged_on_its_own(
        session, settings, demo, until, entity):
    """The dashboard judges the period before from the series it read: the same changes as
    two progress tables read apart, the same completeness as every expected return's."""
    thresholds, calendar = settings.thresholds, settings.calendar
    shown = dashboard(session, STRATEGY, Scope.of(session, until, entity_code=entity),
                      thresholds, parse_period(until) if until else None)
    before = strategy_progress(session, STRATEGY, (shown.current - 1).code, thresholds, entity)
    after = strategy_progress(session, STRATEGY, until, thresholds, entity)
    assert shown.rows == after
    assert shown.changes == status_changes(before, after)
    assert shown.changes or entity   # the demonstration's statuses move at the strategy's level
    until_period = parse_period(until) if until else None
    every = completeness_by(expected_returns(session, STRATEGY, calendar, until_period), "period")
    assert latest_completeness(session, STRATEGY, calendar, until_period) == every[-1]


def test_indicator_page_lists_the_first_values_of_a_large_period_and_links_to_them_all(
        client_as, demo, monkeypatch):
    from indicators import provenance

    monkeypatch.setattr(provenance, "PROVENANCE_ROWS", 5)
    client = client_as("evaluator")
    html = _page(client, f"/strategies/{STRATEGY}/indicators/PR1.1")
    listed = re.search(r'<section class="provenance">(.*?)</section>', html, re.S).group(1)
    assert listed.count('<tr class="value">') == 5
    shown, count, period = re.search(
        r"The first (\d+) of the (\d+) values of (\S+) are listed", listed).groups()
    assert shown == "5" and int(count) > 5
    export = unescape(re.search(r'<a href="([^"]+)">Download them all \(CSV\)', listed).group(1))
    rows = _page(client, export).strip().splitlines()[1:]
    assert len(rows) == int(count)
    assert all(",PR1.1," in row and f",{period}," in row for row in rows)
