"""A coordinator's return: every problem found with its cell, nothing imported on error,
values imported with their provenance otherwise, revisions and their changes."""

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from importers.problems import PROBLEMS_SHEET
from importers.return_form import NATURE_WORDS, build_form
from importers.returns import Expected, annotated_upload, receive_return
from importers.template import write_template
from indicators.model import (
    DataValue,
    DataValueHistory,
    Nature,
    Return,
    ReturnState,
    Upload,
    UploadOutcome,
)
from indicators.periods import parse_period
from indicators.storage import read_stored
from tests.return_workbooks import cell_of, fill, write_sex_history

PERIOD = "2026Q3"
WORDS = {nature: word for word, nature in NATURE_WORDS.items()}


@pytest.fixture
def send(db, tmp_path):
    def send(data: bytes, dry_run: bool = False, **expected):
        return receive_return(db.sessions, tmp_path / "storage", data, "return.xlsx", "tester",
                              dry_run=dry_run, expected=Expected(**expected))
    return send


def _snapshot(db) -> tuple[int, int]:
    with db.sessions() as session:
        return (session.scalar(select(func.count()).select_from(DataValue)),
                session.scalar(select(func.count()).select_from(DataValueHistory)))


def _problem(result, type_):
    found = [problem for problem in result.report.problems if problem.type == type_]
    assert found, f"no {type_} among {[p.line() for p in result.report.problems]}"
    return found[0]


ERRORS = [
    ("not_a_number", {("P1", ""): "about half"}, "P1", ""),
    ("negative_count", {("C1", "sex=unknown"): -5, ("C1", ""): 95}, "C1", "sex=unknown"),
    ("fraction_in_count", {("C1", ""): 100.5}, "C1", ""),
    ("percent_out_of_range", {("P1", ""): 140}, "P1", ""),
    ("not_yes_no", {("Y1", ""): 3}, "Y1", ""),
    ("required_empty", {("P1", ""): None}, "P1", ""),
    ("breakdown_exceeds_total", {("C1", "sex=male"): 80}, "C1", ""),
    ("unknown_nature", {("P1", ""): (45, "guessed")}, "P1", ""),
]


def test_a_breakdown_above_its_total_marks_the_total_and_every_category(db, template, send):
    result = send(fill(template, {("C1", ""): 100, ("C1", "sex=female"): 40,
                                  ("C1", "sex=male"): 80, ("C1", "sex=unknown"): 5}))
    marked = {problem.reference: problem.message for problem in result.report.problems
              if problem.type == "breakdown_exceeds_total"}
    assert set(marked) == {f"Quantitative!{cell_of(template, 'C1', breakdown)}"
                           for breakdown in ("", "sex=female", "sex=male", "sex=unknown")}
    assert all("125" in message and "100" in message for message in marked.values())


def test_categories_not_always_known_may_be_left_blank(db, template, send):
    result = send(fill(template, {("C1", ""): 60, ("C1", "sex=female"): "<5",
                                  ("C1", "sex=male"): 55, ("C1", "sex=unknown"): None}))
    assert result.outcome is UploadOutcome.SUBMITTED, [p.line() for p in result.report.problems]
    assert not [problem for problem in result.report.problems
                if problem.type in ("required_empty", "breakdown_below_total")]


@pytest.mark.parametrize(("type_", "cells", "code", "breakdown"), ERRORS,
                         ids=[case[0] for case in ERRORS])
def test_coordinator_sees_the_cell_of_each_error_and_nothing_is_imported(
        db, template, send, type_, cells, code, breakdown):
    before = _snapshot(db)
    result = send(fill(template, cells))
    problem = _problem(result, type_)
    column = "I" if type_ == "unknown_nature" else "H"
    assert problem.reference == f"Quantitative!{cell_of(template, code, breakdown, column)}"
    assert problem.indicator == code
    assert result.outcome is UploadOutcome.REJECTED and result.exit_code == 1
    assert _snapshot(db) == before
    with db.sessions() as session:
        stored = session.get(Return, result.return_id)
        assert stored.state is ReturnState.REJECTED
        assert any(item["type"] == type_ for item in stored.validation["problems"])


def _qualitative_row(template: bytes) -> int:
    sheet = openpyxl.load_workbook(io.BytesIO(template))["Qualitative"]
    return next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 1).value == "Q1")


def test_level_not_on_the_scale_is_an_error_at_its_cell(db, template, send):
    before = _snapshot(db)
    result = send(fill(template, qualitative={"Q1": ("7", "Done.", "")}))
    assert _problem(result, "level_not_on_scale").reference == \
        f"Qualitative!E{_qualitative_row(template)}"
    assert _snapshot(db) == before


def test_level_without_narrative_is_an_error_at_the_narrative(db, template, send):
    before = _snapshot(db)
    result = send(fill(template, qualitative={"Q1": (3, None, "Report")}))
    assert _problem(result, "narrative_missing").reference == \
        f"Qualitative!F{_qualitative_row(template)}"
    assert _snapshot(db) == before


def test_formula_without_computed_value_is_an_error(db, template, send):
    before = _snapshot(db)
    reference = cell_of(template, "P1")
    result = send(fill(template, cells={f"Quantitative!{reference}": "=40+5"}))
    problem = _problem(result, "formula_without_value")
    assert problem.reference == f"Quantitative!{reference}"
    assert problem.found == "=40+5"
    assert _snapshot(db) == before


def test_every_problem_is_collected_not_only_the_first(template, send):
    result = send(fill(template, {("P1", ""): "x", ("Y1", ""): 4, ("C1", ""): -1}))
    assert {"not_a_number", "not_yes_no", "negative_count"} <= \
        {problem.type for problem in result.report.errors}


WARNINGS = [
    ("outlier", {("C1", ""): 400, ("C1", "sex=unknown"): 305}),
    ("jump", {("C1", ""): 170, ("C1", "sex=unknown"): 75}),
    ("breakdown_below_total", {("C1", "sex=unknown"): 1}),
    ("estimated", {("C1", ""): (100, "estimated")}),
]


@pytest.mark.parametrize(("type_", "cells"), WARNINGS, ids=[case[0] for case in WARNINGS])
def test_warnings_name_the_cell_and_do_not_block(db, template, send, type_, cells):
    result = send(fill(template, cells))
    problem = _problem(result, type_)
    assert problem.reference == f"Quantitative!{cell_of(template, 'C1')}"
    assert not result.report.has_errors
    assert result.outcome is UploadOutcome.SUBMITTED


def test_swapped_categories_warn_once_on_the_category_whose_share_moved(db, small_strategy,
                                                                       template, send):
    """C1's women were 40 % of its total for four quarters (see HISTORY); a return giving
    them 60 % (female and male swapped) warns once, on the female cell, and goes in."""
    with db.transaction() as session:
        write_sex_history(session, small_strategy)
    result = send(fill(template, {("C1", "sex=female"): 60, ("C1", "sex=male"): 40,
                                  ("C1", "sex=unknown"): None}), dry_run=True)
    shares = [problem for problem in result.report.problems if problem.type == "unusual_share"]
    assert [(problem.reference, problem.found, problem.expected) for problem in shares] == [
        (f"Quantitative!{cell_of(template, 'C1', 'sex=female')}", "60%", "near 40%")]
    assert "Sex: Female is 60% of the total 100, against 40% in earlier periods" in \
        shares[0].message
    assert not result.report.has_errors


def test_what_people_type_is_understood(db, template, send, small_strategy):
    result = send(fill(template, {
        ("C1", ""): "1,234 ", ("C1", "sex=female"): "1 200", ("C1", "sex=male"): "<5",
        ("C1", "sex=unknown"): "n/a", ("P1", ""): "45%", ("Y1", ""): "-"}))
    assert not result.report.has_errors, [p.line() for p in result.report.problems]
    with db.sessions() as session:
        values = {value.disaggregation + value.indicator.code: value
                  for value in session.scalars(select(DataValue).where(
                      DataValue.return_id == result.return_id))}
    assert values["C1"].value == 1234
    assert values["sex=femaleC1"].value == 1200
    assert values["sex=maleC1"].nature is Nature.SUPPRESSED and values["sex=maleC1"].value is None
    assert values["sex=unknownC1"].nature is Nature.NOT_AVAILABLE
    assert values["P1"].value == 45
    assert values["Y1"].nature is Nature.NOT_AVAILABLE


def test_sorted_rows_and_blank_rows_are_accepted(template, send):
    workbook = openpyxl.load_workbook(io.BytesIO(fill(template)))
    sheet = workbook["Quantitative"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    filled = sorted((row for row in rows if row[0]), key=lambda row: str(row[3]), reverse=True)
    sheet.delete_rows(2, sheet.max_row)
    for index, row in enumerate(filled):
        for column, value in enumerate(row, start=1):
            sheet.cell(2 + index * 2, column, value)
    output = io.BytesIO()
    workbook.save(output)
    result = send(output.getvalue())
    assert result.outcome is UploadOutcome.SUBMITTED, [p.line() for p in result.report.problems]


def test_identical_upload_is_a_no_op_and_a_changed_one_is_revision_2_with_its_diff(
        db, template, send):
    filled = fill(template)
    first = send(filled)
    assert (first.outcome, first.revision) == (UploadOutcome.SUBMITTED, 1)
    before = _snapshot(db)
    again = send(filled)
    assert again.outcome is UploadOutcome.DUPLICATE
    assert "already received as revision 1" in again.message
    assert _snapshot(db) == before
    second = send(fill(template, {("P1", ""): 50, ("Y1", ""): "N/A"}))
    assert (second.outcome, second.revision) == (UploadOutcome.SUBMITTED, 2)
    diff = second.diff.to_dict()
    assert diff["against_revision"] == 1
    assert {(item["indicator"], item["before"], item["after"]) for item in diff["changed"]} == \
        {("P1", "45", "50"), ("Y1", "1", "(not available)")}
    assert diff["added"] == [] and diff["removed"] == []
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DataValueHistory)) == \
            before[1] + 7  # every value of revision 1 (C1 and its 3 categories, P1, Y1, Q1)
        assert {value.return_id for value in session.scalars(
            select(DataValue).where(DataValue.period == PERIOD))} == {second.return_id}


def test_dry_run_checks_without_importing(db, template, send):
    before = _snapshot(db)
    result = send(fill(template), dry_run=True)
    assert result.outcome is UploadOutcome.CHECKED and result.exit_code == 0
    assert result.return_id is None
    assert _snapshot(db) == before


def test_unusable_file_is_kept_and_refused_in_one_sentence(db, send, tmp_path):
    data = b"code;value\nC1;5\n"
    result = send(data)
    assert result.outcome is UploadOutcome.UNUSABLE and result.exit_code == 2
    assert "CSV" in result.message
    with db.sessions() as session:
        upload = session.get(Upload, result.upload_id)
        assert upload.outcome is UploadOutcome.UNUSABLE and upload.message == result.message
        assert read_stored(tmp_path / "storage", upload.file_path) == data


def test_template_for_another_entity_or_period_is_refused(template, send):
    result = send(fill(template), entity="OT")
    assert result.outcome is UploadOutcome.UNUSABLE
    assert "not for the entity OT" in result.message


def test_template_of_an_outdated_framework_is_recognised(db, template, send):
    with db.sessions() as session:
        form = build_form(session, "AG", parse_period(PERIOD))
        form.qualitative[0].archived = True
        session.commit()
    result = send(fill(template))
    assert result.outcome is UploadOutcome.UNUSABLE
    assert "earlier version" in result.message


def test_upload_for_an_approved_return_is_refused(db, template, send):
    first = send(fill(template))
    with db.sessions() as session:
        session.get(Return, first.return_id).state = ReturnState.APPROVED
        session.commit()
    result = send(fill(template, {("P1", ""): 60}))
    assert result.outcome is UploadOutcome.REFUSED and "approved" in result.message


def test_annotated_workbook_carries_a_comment_on_each_problem_cell(db, template, send,
                                                                    tmp_path):
    result = send(fill(template, {("P1", ""): "x", ("C1", ""): (100, "estimated")}))
    with db.sessions() as session:
        annotated = annotated_upload(tmp_path / "storage", session.get(Return, result.return_id))
    workbook = openpyxl.load_workbook(io.BytesIO(annotated))
    for problem in result.report.problems:
        assert workbook[problem.sheet][problem.cell].comment is not None
    listing = workbook[PROBLEMS_SHEET]
    assert listing.max_row == len(result.report.problems) + 1
    # each listed problem links to its cell: the marked one, with its comment
    links = [listing.cell(row, 3).hyperlink.location for row in range(2, listing.max_row + 1)]
    assert links == [f"'{problem.sheet}'!{problem.cell}" for problem in result.report.sorted()]
    for link in links:
        sheet, cell = link.split("!")
        assert workbook[sheet.strip("'")][cell].comment is not None


def test_police_return_on_the_demonstration_strategy_is_revision_2_of_the_quarter(
        db, demo, send):
    with db.sessions() as session:
        form = build_form(session, "POL", parse_period("2026Q3"))
        template = write_template(session, form)
        before = {(value.indicator.code, value.disaggregation): value
                  for value in session.scalars(select(DataValue).where(
                      DataValue.entity_id == form.entity.id, DataValue.period == "2026Q3"))}
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook["Quantitative"]
    for row in range(2, sheet.max_row + 1):
        code, key = sheet.cell(row, 1).value, sheet.cell(row, 11).value or ""
        value = before.get((code, key))
        if code:
            sheet.cell(row, 8, value.value if value else "N/A")
            sheet.cell(row, 9, WORDS.get(value.nature) if value else None)
    output = io.BytesIO()
    workbook.save(output)

    result = send(output.getvalue())
    assert result.outcome is UploadOutcome.SUBMITTED, [p.line() for p in result.report.errors]
    assert result.revision == 2 and result.diff.against_revision == 1
    assert result.diff.changed == []
    assert {item["breakdown"] for item in result.diff.added} == {"sex=other", "age=unknown"}
    assert all(item["after"] == "(not available)" for item in result.diff.added)


def test_45_percent_typed_in_excel_is_read_as_45(db, template, send):
    workbook = openpyxl.load_workbook(io.BytesIO(fill(template)))
    cell = workbook["Quantitative"][cell_of(template, "P1")]
    cell.value, cell.number_format = 0.45, "0%"
    output = io.BytesIO()
    workbook.save(output)
    result = send(output.getvalue())
    assert result.outcome is UploadOutcome.SUBMITTED
    with db.sessions() as session:
        stored = session.scalars(select(DataValue).where(
            DataValue.return_id == result.return_id, DataValue.source_cell == cell.coordinate))
        assert stored.one().value == pytest.approx(45)
