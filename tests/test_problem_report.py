"""A problem report reads in sheet order, travels as JSON, and marks the sender's own workbook."""

import io

import openpyxl

from importers.problems import PROBLEMS_SHEET, annotate_workbook
from indicators.problems import (
    Estimated,
    NegativeCount,
    NotANumber,
    Problem,
    ProblemReport,
    Severity,
)


def _report() -> ProblemReport:
    report = ProblemReport()
    report.add(Estimated, sheet="Data", cell="B10", indicator="PU1", found="12")
    report.add(NotANumber, sheet="Data", cell="C2", indicator="PU1", breakdown="sex=female",
               found="twelve")
    report.add(NotANumber, sheet="Data", cell="C2", found="zwölf")
    return report


def test_report_counts_and_orders_problems_by_row():
    report = _report()
    assert report.counts() == {"errors": 2, "warnings": 1}
    assert [problem.reference for problem in report.sorted()] == ["Data!C2", "Data!C2",
                                                                   "Data!B10"]


def test_report_survives_a_round_trip_through_json_data():
    report = _report()
    again = ProblemReport.from_dict(report.to_dict())
    assert sorted(again.problems, key=str) == sorted(report.problems, key=str)
    assert again.problems[0].severity is Severity.ERROR


def test_annotated_workbook_comments_each_problem_cell_and_lists_them():
    workbook = openpyxl.Workbook()
    workbook.active.title = "Data"
    workbook.active["C2"] = "twelve"
    original = io.BytesIO()
    workbook.save(original)

    annotated = openpyxl.load_workbook(io.BytesIO(annotate_workbook(original.getvalue(),
                                                                    _report().problems)))
    data = annotated["Data"]
    assert "'twelve' is not a number" in data["C2"].comment.text
    assert "'zwölf' is not a number" in data["C2"].comment.text
    assert data["C2"].fill.start_color.rgb.endswith("F4B6B6")
    assert data["B10"].fill.start_color.rgb.endswith("FFD98A")
    listing = annotated[PROBLEMS_SHEET]
    assert annotated.sheetnames[0] == PROBLEMS_SHEET
    assert listing.max_row == 4
    assert listing["C2"].hyperlink.location == "'Data'!C2"


def test_problem_line_names_cell_indicator_and_breakdown():
    problem = NegativeCount.problem(sheet="Quantitative", cell="H14", indicator="PU1",
                                    breakdown="sex=male", found="-3")
    assert "Quantitative!H14" in problem.line()
    assert "PU1 [sex=male]" in problem.line()


def test_problem_is_data_with_its_type_fields_and_message():
    problem = NegativeCount.problem(sheet="Quantitative", cell="H14", found="-3")
    data = problem.to_dict()
    assert data["type"] == "negative_count" and data["severity"] == "error"
    assert data["message"] == "A count cannot be negative: -3."
    assert data["expected"] == "0 or more" and data["reference"] == "Quantitative!H14"
    assert data["fields"] == {"sheet": "Quantitative", "cell": "H14", "found": "-3"}
    assert Problem.from_dict(data) == problem
