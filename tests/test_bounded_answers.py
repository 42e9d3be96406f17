"""However many problems a return holds, what the tracker answers and keeps is bounded: the
first of each type, and a count of the rest, in the API, the stored validation, the page and
the annotated workbook; a cell's long text is repeated cut short."""

from __future__ import annotations

import io

import openpyxl

from indicators.problems import LONGEST_FIELD, PROBLEMS_PER_TYPE
from tests.return_workbooks import fill

EXTRA_ROWS = 300


def _flooded(template: bytes) -> bytes:
    """The template filled, with many rows that are not part of the return, one of them
    holding a very long text."""
    workbook = openpyxl.load_workbook(io.BytesIO(fill(template)))
    sheet = workbook["Quantitative"]
    start = sheet.max_row + 1
    for row in range(start, start + EXTRA_ROWS):
        sheet.cell(row, 1, f"ZZ{row}")
    sheet.cell(start, 1, "Z" * 5000)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_a_flood_of_problems_is_answered_with_the_first_of_each_type_and_a_count(
        small_strategy, api_client_as, client_as):
    client = api_client_as("coordinator", "AG")
    template = client.get("/api/v1/templates?entity=AG&period=2026Q3").data
    response = client.post("/api/v1/returns", data={
        "file": (io.BytesIO(_flooded(template)), "flooded.xlsx")},
        content_type="multipart/form-data")
    answer = response.get_json()
    assert response.status_code == 422
    unknown = [problem for problem in answer["problems"] if problem["type"] == "unknown_row"]
    assert len(unknown) == PROBLEMS_PER_TYPE
    assert answer["omitted"] == {"unknown_row": EXTRA_ROWS - PROBLEMS_PER_TYPE}
    assert answer["errors"] == EXTRA_ROWS
    assert any("250 more problems" in line for line in answer["omissions"])
    assert max(len(problem["found"]) for problem in unknown) <= LONGEST_FIELD

    stored = client.get(f"/api/v1/returns/{answer['return_id']}").get_json()
    assert len(stored["problems"]) == len(answer["problems"]) and stored["errors"] == EXTRA_ROWS

    page = client_as("coordinator", "AG").get(f"/returns/{answer['return_id']}")
    assert "250 more problems" in page.get_data(as_text=True)

    annotated = client.get(f"/api/v1/returns/{answer['return_id']}/annotated")
    problems_sheet = openpyxl.load_workbook(io.BytesIO(annotated.data))["Problems"]
    assert problems_sheet.max_row <= len(answer["problems"]) + 3
    assert "250 more problems" in str(problems_sheet.cell(problems_sheet.max_row, 8).value)
