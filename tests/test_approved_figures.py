"""Viewers read approved figures: the dashboard, the indicator and entity pages, the progress
and series API and the value exports leave out values of returns not yet approved, while
evaluators still see them. In the demonstration 2026Q3 is submitted, earlier quarters approved."""

import csv
import io
import re
from html import unescape

from sqlalchemy import select, update

from indicators import aggregates
from indicators.model import DataValue, Indicator

STRATEGY = "MRD-NSOC"
SUBMITTED = "2026Q3"
APPROVED = "2026Q2"
INDICATORS = ("PR1.1", "PV1.1", "PM2.5", "PU1.4", "PM3.2")
FIELDS = ("baseline_value", "target_value", "target_period", "latest_value", "latest_period",
          "progress", "expected_progress", "status", "slope", "projected_value",
          "observed_required_ratio", "entities_reporting")


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _indicator_page(client, code: str, query: str = "") -> dict[str, str]:
    html = _html(client, f"/strategies/{STRATEGY}/indicators/{code}?{query}")
    return {name: unescape(value) for name, value in
            re.findall(r'data-field="([a-z_]+)" data-value="([^"]*)"', html)}


PERIOD_CELL = re.compile(r'(?:<td>|<small class="period">)(\d{4}(?:[QSM]\d+)?)<')


def _listed_periods(client, url: str) -> dict[str, str]:
    """The latest period of each indicator a dashboard or entity page lists in its table (the
    first period written in its row)."""
    rows = re.findall(r'<tr[^>]* data-indicator="([^"]+)"[^>]*>(.*?)</tr>', _html(client, url),
                      re.S)
    return {code: found.group(1) for code, row in rows if (found := PERIOD_CELL.search(row))}


def _series_periods(client, code: str) -> set[str]:
    answer = client.get(f"/api/v1/indicators/{code}/series?disaggregate=sex").get_json()
    return {point["period"] for point in answer["series"]}


def test_viewer_dashboard_leaves_out_the_submitted_quarter_the_evaluator_sees(client_as, demo):
    dashboard = f"/strategies/{STRATEGY}/dashboard"
    evaluator = _listed_periods(client_as("evaluator"), dashboard)
    viewer = _listed_periods(client_as("viewer"), dashboard)
    assert SUBMITTED in evaluator.values()
    assert SUBMITTED not in viewer.values()
    assert APPROVED in viewer.values()


def test_viewer_indicator_page_equals_the_api_and_stops_at_the_approved_quarter(
        client_as, api_client_as, demo):
    page, api = client_as("viewer"), api_client_as("viewer")
    for code in INDICATORS:
        progress = api.get(f"/api/v1/indicators/{code}/progress").get_json()
        shown = _indicator_page(page, code)
        for field in FIELDS:
            assert shown[field] == str(progress[field]), (code, field)
        assert progress["latest_period"] != SUBMITTED, code
        assert SUBMITTED not in _series_periods(api, code)


def test_evaluator_still_reads_the_submitted_quarter_by_page_and_api(
        client_as, api_client_as, demo):
    page, api = client_as("evaluator"), api_client_as("evaluator")
    progress = api.get("/api/v1/indicators/PR1.1/progress").get_json()
    assert progress["latest_period"] == SUBMITTED
    assert _indicator_page(page, "PR1.1")["latest_period"] == SUBMITTED
    assert SUBMITTED in _series_periods(api, "PR1.1")


def test_coordinator_reads_approved_figures_as_on_the_overview(client_as, demo):
    coordinator = client_as("coordinator", "POL")
    assert _indicator_page(coordinator, "PR1.1", "entity=POL")["latest_period"] == APPROVED
    own = _listed_periods(coordinator, f"/entities/POL?strategy={STRATEGY}")
    assert APPROVED in own.values()
    assert SUBMITTED not in own.values()


def test_viewer_reads_published_figures_that_came_with_no_return(client_as, db, demo):
    with db.transaction() as session:
        indicator_id = session.scalars(select(Indicator.id).where(
            Indicator.code == "PR1.1")).one()
        session.execute(update(DataValue).where(
            DataValue.indicator_id == indicator_id, DataValue.period == SUBMITTED,
        ).values(return_id=None))  # as figures imported from published statistics are
        aggregates.mark(session, [(indicator_id, SUBMITTED)])  # written behind the writers' back
    viewer = client_as("viewer")
    assert _indicator_page(viewer, "PR1.1")["latest_period"] == SUBMITTED
    assert _indicator_page(viewer, "PV1.3")["latest_period"] == APPROVED


def test_value_exports_give_viewers_approved_figures_and_evaluators_every_value(
        api_client_as, demo):
    def periods(role: str) -> set[str]:
        response = api_client_as(role).get("/api/v1/exports/values.csv?indicator=PR1.1")
        assert response.status_code == 200
        return {row["period"] for row in csv.DictReader(io.StringIO(response.text))}

    viewer, evaluator = periods("viewer"), periods("evaluator")
    assert SUBMITTED in evaluator
    assert SUBMITTED not in viewer
    assert viewer == evaluator - {SUBMITTED}
