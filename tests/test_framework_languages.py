"""The framework's own texts in several languages: an indicator's name, a category's label, an
entity's name are shown in the reader's language where a translation is given, in the default
language where not; an entity's return template comes in its template language unless the
reader asks for another, and a Chinese template uploads exactly like an English one."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from indicators.framework import write_entity, write_indicator
from indicators.framework_texts import set_texts
from indicators.model import Category, Strategy
from tests.helpers import csrf_token_of
from tests.return_workbooks import fill

NAME_ZH = "起诉的案件"
FEMALE_ZH = "女"


@pytest.fixture
def bilingual(db, small_strategy):
    """SMALL with C1 named in Chinese, the category female labelled in Chinese, and AG's
    template in Chinese; P1 has no Chinese name."""
    with db.transaction() as session:
        strategy = session.scalars(select(Strategy).filter_by(code="SMALL")).one()
        write_indicator(session, strategy, "C1", name_zh=NAME_ZH)
        write_entity(session, "AG", name="Agency", name_zh="机构", template_language="zh")
        female = session.scalars(select(Category).filter_by(code="female")).one()
        set_texts(female, {"label_zh": FEMALE_ZH})
    return small_strategy


def _quantitative_rows(template: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(template))["Quantitative"]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_entitys_template_language_gives_a_chinese_template_unless_english_is_asked(
        client_as, bilingual):
    coordinator = client_as("coordinator", "AG")  # reads English
    url = "/returns/of/AG/2026Q3/template"
    chinese = _quantitative_rows(coordinator.get(url).data)
    assert chinese[0][:2] == ["代码", "指标"]
    names = {row[0]: row[1] for row in chinese if row[0]}
    assert names["C1"] == NAME_ZH and names["P1"] == "Name P1", "no translation: the default"
    assert any(FEMALE_ZH in str(row[3]) for row in chinese if row[0] == "C1")

    english = _quantitative_rows(coordinator.get(f"{url}?lang=en").data)
    assert english[0][:2] == ["Code", "Indicator"]
    assert {row[0]: row[1] for row in english if row[0]}["C1"] == "Name C1"

    upload = coordinator.post("/returns/of/AG/2026Q3", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_of(coordinator, "/returns/of/AG/2026Q3"), "action": "submit",
        "file": (io.BytesIO(fill(coordinator.get(url).data)), "return.xlsx")})
    assert 'data-outcome="submitted"' in upload.get_data(as_text=True)


def test_pages_and_the_api_name_the_indicator_in_the_readers_language(client_as, bilingual):
    evaluator = client_as("evaluator")
    page = "/strategies/SMALL/indicators/C1"
    assert NAME_ZH in evaluator.get(f"{page}?lang=zh").get_data(as_text=True)
    in_english = evaluator.get(f"{page}?lang=en").get_data(as_text=True)
    assert "Name C1" in in_english and NAME_ZH not in in_english
    names = {indicator["code"]: indicator["name"]
             for principle in evaluator.get("/api/v1/strategies/SMALL/indicators?lang=zh").json[
                 "principles"]
             for objective in principle["objectives"] for indicator in objective["indicators"]}
    assert names["C1"] == NAME_ZH and names["P1"] == "Name P1"
