"""Framework management pages: an administrator creates and edits the framework in forms, and
changes that would orphan data are refused with the reason."""

from __future__ import annotations

import re

from sqlalchemy import select

from indicators.model import Category, Dimension, Entity, Indicator, Strategy, Target


def _token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _post(client, url: str, form_url: str | None = None, **form):
    form["csrf_token"] = _token(client, form_url or url)
    return client.post(url, data=form, follow_redirects=True)


def test_administrator_creates_a_strategy_principle_objective_indicator_and_target(
        client_as, session):
    client = client_as("administrator")
    _post(client, "/admin/strategy/new", code="TST", title="Test strategy", area="Testland",
          start_year="2025", end_year="2029", description="", active="on")
    strategy = session.scalars(select(Strategy).filter_by(code="TST")).one()
    _post(client, f"/admin/principle/new?owner={strategy.id}", code="PROTECT", name="Protect",
          description="", position="0")
    principle = strategy.principles[0]
    _post(client, f"/admin/objective/new?owner={principle.id}", code="PR1",
          title="Victims identified", description="", parent_id="")
    objective = principle.objectives[0]
    sex = session.scalars(select(Dimension).filter_by(code="sex")).one_or_none()
    response = _post(
        client, f"/admin/indicator/new?owner={strategy.id}", code="PR1.1",
        name="Victims identified", objective_id=str(objective.id), definition="Count",
        kind="quantitative", unit="count", currency="", direction="increase",
        frequency="quarterly", aggregation="sum", data_source="Police", verification="Records",
        responsible_entity_id="", dimension_links=[str(sex.id)] if sex else [],
        standard="SDG 16.2.2", sex_required="on", scale_id="", baseline_value="12",
        baseline_period="2024", baseline_note="first count")
    assert "Indicator saved." in response.text
    indicator = session.scalars(select(Indicator).filter_by(code="PR1.1")).one()
    assert indicator.standard == "SDG 16.2.2" and indicator.baseline_value == 12.0
    assert indicator.sex_required and indicator.baseline_period == "2024"
    _post(client, f"/admin/target/new?owner={indicator.id}", period="2029", value="40",
          final="on")
    target = session.scalars(select(Target).filter_by(indicator_id=indicator.id)).one()
    assert target.final and target.period_end.isoformat() == "2029-12-31"


def test_a_wrong_field_is_marked_and_nothing_saved(demo, client_as, session):
    client = client_as("administrator")
    indicator = session.scalars(select(Indicator).filter_by(code="PV1.1")).one()
    url = f"/admin/indicator/{indicator.id}"
    response = client.post(url, data={
        "csrf_token": _token(client, url), "code": "PV1.1", "name": "Changed",
        "objective_id": str(indicator.objective_id), "kind": "quantitative", "unit": "litres",
        "direction": "decrease", "frequency": "quarterly", "aggregation": "sum",
        "baseline_value": "many"})
    assert response.status_code == 422
    assert "Expected one of: count" in response.text and "Expected a number" in response.text
    session.expire_all()
    assert session.get(Indicator, indicator.id).name != "Changed"


def test_deleting_an_indicator_with_values_is_refused_and_archiving_keeps_it(
        demo, client_as, session):
    client = client_as("administrator")
    indicator = session.scalars(select(Indicator).filter_by(code="PV1.1")).one()
    strategy_page = "/admin/strategies/MRD-NSOC"
    response = _post(client, f"/admin/indicator/{indicator.id}/delete", strategy_page)
    assert "Not deleted: The indicator has values; archive it instead" in response.text
    strategy = session.scalars(select(Strategy).filter_by(code="MRD-NSOC")).one()
    response = _post(client, f"/admin/strategy/{strategy.id}/delete", strategy_page)
    assert "Not deleted: The strategy has indicators or returns" in response.text
    session.expire_all()
    assert session.get(Indicator, indicator.id) is not None


def test_removing_a_category_in_use_is_refused_with_the_reason(demo, client_as, session):
    client = client_as("administrator")
    female = session.scalars(select(Category).join(Dimension).where(
        Dimension.code == "sex", Category.code == "female")).one()
    response = _post(client, f"/admin/category/{female.id}/delete", "/admin/")
    assert "Not deleted:" in response.text and "values are broken down by this category" in (
        response.text)
    other = session.scalars(select(Category).join(Dimension).where(
        Dimension.code == "sex", Category.code == "other")).one()
    response = _post(client, f"/admin/category/{other.id}/delete", "/admin/")
    assert "Category deleted." in response.text


def test_entity_and_its_population_are_edited(client_as, session):
    client = client_as("administrator")
    _post(client, "/admin/entity/new", code="MOJ", name="Ministry of Justice", kind="ministry",
          parent_id="")
    entity = session.scalars(select(Entity).filter_by(code="MOJ")).one()
    _post(client, f"/admin/population/new?owner={entity.id}", "/admin/", year="2026",
          population="6231000")
    session.refresh(entity)
    assert [(item.year, item.population) for item in entity.populations] == [(2026, 6231000)]


def test_standard_is_added_from_the_strategy_page_in_one_step(demo, client_as, session):
    client = client_as("administrator")
    response = _post(client, "/admin/strategies/MRD-NSOC/standards", "/admin/strategies/MRD-NSOC",
                     standard="SDG 16.10.1", objective="PM1")
    assert "Added SDG16.10.1 (SDG 16.10.1)." in response.text
    indicator = session.scalars(select(Indicator).filter_by(code="SDG16.10.1")).one()
    assert indicator.standard == "SDG 16.10.1"
