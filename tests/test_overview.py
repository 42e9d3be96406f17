"""The strategy overview a newcomer sees at /, and the same structure from the API."""

import re

from sqlalchemy import select

from indicators.model import Indicator


def test_api_lists_principles_objectives_and_indicators(client_as, demo):
    client = client_as("evaluator")
    response = client.get("/api/v1/strategies/MRD-NSOC/indicators")
    assert response.status_code == 200
    body = response.get_json()
    assert [principle["name"] for principle in body["principles"]] == [
        "Prevent", "Pursue", "Protect", "Promote"]
    objectives = [o for p in body["principles"] for o in p["objectives"]]
    indicators = [i for o in objectives for i in o["indicators"]]
    assert len(objectives) >= 12 and len(indicators) >= 32
    assert any(indicator["latest_period"] == "2026Q3" for indicator in indicators)


def test_latest_national_value_sums_the_entities_of_a_count(client_as, demo, session):
    client = client_as("evaluator")
    indicator = session.scalars(
        select(Indicator).where(Indicator.aggregation == "sum")
        .where(Indicator.reporters.any()).order_by(Indicator.code)).first()
    body = client.get("/api/v1/strategies/MRD-NSOC/indicators").get_json()
    entry = next(i for p in body["principles"] for o in p["objectives"]
                 for i in o["indicators"] if i["code"] == indicator.code)
    from indicators.model import DataValue
    period = entry["latest_period"]
    expected = sum(session.scalars(select(DataValue.value).where(
        DataValue.indicator_id == indicator.id, DataValue.period == period,
        DataValue.disaggregation == "")))
    assert entry["latest_value"] == expected


def test_overview_page_shows_what_the_api_says(client_as, demo):
    client = client_as("evaluator")
    body = client.get("/api/v1/strategies/MRD-NSOC/indicators").get_json()
    page = client.get("/").get_data(as_text=True)
    assert body["title"] in page
    for principle in body["principles"]:
        assert f'data-principle="{principle["code"]}"' in page
        for objective in principle["objectives"]:
            assert f'data-objective="{objective["code"]}"' in page
            for indicator in objective["indicators"]:
                row = re.search(rf'data-indicator="{re.escape(indicator["code"])}">(.*?)</tr>',
                                page, re.S).group(1)
                assert (indicator["latest_period"] or "") in row


def test_unknown_strategy_is_a_readable_404(client_as, db):
    client = client_as("evaluator")
    response = client.get("/api/v1/strategies/NOPE/indicators")
    assert response.status_code == 404
    assert response.get_json() == {"error": "No strategy has the code NOPE."}


def test_empty_database_invites_to_load_the_demo(client_as, db):
    client = client_as("evaluator")
    page = client.get("/").get_data(as_text=True)
    assert "mne demo" in page


def test_viewer_reads_approved_figures_only(client_as, demo):
    evaluator = client_as("evaluator").get("/api/v1/strategies/MRD-NSOC/indicators").get_json()
    viewer = client_as("viewer").get("/api/v1/strategies/MRD-NSOC/indicators").get_json()

    def latest(body):
        return {i["code"]: i["latest_period"] for p in body["principles"]
                for o in p["objectives"] for i in o["indicators"]}

    assert "2026Q3" in latest(evaluator).values()  # submitted, not yet approved
    assert "2026Q3" not in latest(viewer).values()
    assert "2026Q2" in latest(viewer).values()
