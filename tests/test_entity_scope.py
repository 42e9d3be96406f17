"""A coordinator works only on the entities assigned to them: another entity's returns and
template are refused (403) on the pages and through the API, and lists leave them out."""

import io

import pytest
from sqlalchemy import select

from indicators.model import Entity, Return, ReturnState


@pytest.fixture
def police_return(demo, session) -> Return:
    return session.scalars(select(Return).join(Entity).where(
        Entity.code == "POL", Return.state == ReturnState.SUBMITTED)).first()


def test_customs_coordinator_is_refused_police_pages(client_as, police_return):
    customs = client_as("coordinator", "CUS")
    for path in (f"/returns/{police_return.id}", f"/returns/{police_return.id}/file",
                 "/returns/of/POL/2026Q3", "/returns/of/POL/2026Q3/template",
                 f"/review/{police_return.id}"):
        assert customs.get(path).status_code == 403, path
    assert customs.get("/returns/of/CUS/2026Q3/template").status_code == 200


def test_customs_coordinator_is_refused_police_data_through_the_api(api_client_as,
                                                                     police_return):
    customs = api_client_as("coordinator", "CUS")
    for path in (f"/api/v1/returns/{police_return.id}", "/api/v1/templates?entity=POL&"
                 "period=2026Q3", f"/api/v1/returns/{police_return.id}/review"):
        assert customs.get(path).status_code == 403, path
    listed = customs.get("/api/v1/returns").get_json()
    assert listed and {item["entity"] for item in listed} == {"CUS"}
    values = customs.get("/api/v1/values?period=2026Q3").get_json()
    assert values and {item["entity"] for item in values} == {"CUS"}


def test_a_police_workbook_sent_by_the_customs_coordinator_is_refused(api_client_as,
                                                                      police_return):
    template = api_client_as("administrator").get(
        "/api/v1/templates?entity=POL&period=2026Q3").data
    customs = api_client_as("coordinator", "CUS")
    response = customs.post("/api/v1/returns", content_type="multipart/form-data",
                            data={"file": (io.BytesIO(template), "police.xlsx")})
    assert response.status_code == 403
    assert "may not send returns for POL" in response.get_json()["message"]
