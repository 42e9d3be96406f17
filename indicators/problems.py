"""The catalogue of problems an import can find, in the manner of Frictionless error classes.

Each problem type is one class: a `code`, a `title`, a `Severity` and a message `template` with
named `%(field)s` placeholders (and, where it is always the same, a template of what was
`expected`). Call sites name the type and pass fields, never sentences:

    report.add(NegativeCount, found="-3", sheet="Quantitative", cell="H14", indicator="PU1")

A `Problem` is data: its type's code, severity and title, its fields, where it is (sheet, cell,
indicator, breakdown, found, expected) and its message rendered in the reader's language. A
`ProblemReport` is the list of them, with the JSON shape the API and stored validations use.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from indicators.errors import MneError
from indicators.i18n import N_, gettext

CELL_PATTERN = re.compile(r"^([A-Z]{1,3})(\d+)$")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
WHERE = ("sheet", "cell", "indicator", "breakdown", "found", "expected")
PROBLEMS_PER_TYPE = 50  # a report keeps the first of each type, and counts the rest
LONGEST_FIELD = 200  # characters of a cell's text a problem repeats


class Severity(StrEnum):
    """An error blocks the import; a warning does not."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return gettext(N_("Error")) if self is Severity.ERROR else gettext(N_("Warning"))


CATALOGUE: dict[str, type[ProblemType]] = {}


class ProblemType:
    """One kind of problem; each subclass is an entry of `CATALOGUE`."""

    code: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    template: ClassVar[str]
    expected: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            if cls.code in CATALOGUE:
                raise TypeError(f"two problem types have the code {cls.code}")
            CATALOGUE[cls.code] = cls

    @classmethod
    def placeholders(cls) -> set[str]:
        """The fields its message (and expected) template name."""
        return set(PLACEHOLDER.findall(cls.template + cls.expected))

    @classmethod
    def message(cls, **fields: Any) -> str:
        """The message in the reader's language, its placeholders filled from `fields`."""
        return gettext(cls.template, **fields)

    @classmethod
    def problem(cls, **fields: Any) -> Problem:
        """A problem of this type; the fields of `WHERE` also say where it is."""
        fields = _plain(fields)
        where = {name: str(fields[name]) for name in WHERE if name in fields}
        if cls.expected and "expected" not in fields:
            where["expected"] = gettext(cls.expected, **fields)
        return Problem(cls.code, cls.severity, cls.message(**fields), **where,
                       title=gettext(cls.title), fields=fields)


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as JSON-ready data: texts cut to `LONGEST_FIELD` characters, numbers that are
    not finite as text."""
    return {name: value if isinstance(value, int) or (isinstance(value, float)
                                                      and math.isfinite(value))
            else shorten(str(value)) for name, value in fields.items()}


def shorten(text: str) -> str:
    """`text`, cut to `LONGEST_FIELD` characters (an ellipsis says it was cut)."""
    return text if len(text) <= LONGEST_FIELD else text[:LONGEST_FIELD - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong, found at a place (an error blocks the import, a warning does not)."""

    type: str
    severity: Severity
    message: str
    sheet: str = ""
    cell: str = ""
    indicator: str = ""
    breakdown: str = ""
    found: str = ""
    expected: str = ""
    title: str = ""
    fields: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def reference(self) -> str:
        """Where the problem is, as Excel writes it: `Quantitative!H14` (or the sheet alone)."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "severity": str(self.severity), "reference": self.reference}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        known = {name: value for name, value in data.items() if name in cls.__dataclass_fields__}
        return cls(**{**known, "severity": Severity(known["severity"])})

    def line(self) -> str:
        """The problem on one line, for a terminal."""
        parts = [f"{self.severity.upper():7}", self.reference or "-", self.type]
        if self.indicator:
            parts.append(self.indicator + (f" [{self.breakdown}]" if self.breakdown else ""))
        parts.append(self.message)
        if self.found or self.expected:
            parts.append(gettext(N_("(found: %(found)s; expected: %(expected)s)"),
                                 found=self.found or "-", expected=self.expected or "-"))
        return "  ".join(parts)


def position(problem: Problem) -> tuple:
    """Where `problem` comes in reading order: sheet, row, column."""
    match = CELL_PATTERN.match(problem.cell)
    if not match:
        return (problem.sheet, 0, "", problem.cell)
    letters, row = match.groups()
    return (problem.sheet, int(row), letters.rjust(3), problem.cell)


@dataclass
class ProblemReport:
    """The problems found in one file: the first `PROBLEMS_PER_TYPE` of each type, and how many
    more of each type were found (`omitted`), so that no file makes a report grow without
    bound."""

    problems: list[Problem] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)
    _kept: Counter = field(default_factory=Counter, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._kept.update(problem.type for problem in self.problems)

    def add(self, kind: type[ProblemType], /, **fields: Any) -> Problem | None:
        """Record a problem of `kind` with its fields and return it (None when the report
        already holds enough of its type and only counts it)."""
        if self._kept[kind.code] >= PROBLEMS_PER_TYPE:
            self.omitted[kind.code] = self.omitted.get(kind.code, 0) + 1
            return None
        problem = kind.problem(**fields)
        self.problems.append(problem)
        self._kept[kind.code] += 1
        return problem

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity is Severity.WARNING]

    @property
    def has_errors(self) -> bool:
        return any(problem.severity is Severity.ERROR for problem in self.problems)

    def sorted(self) -> list[Problem]:
        """The problems in reading order: by sheet, row, column."""
        return sorted(self.problems, key=position)

    def _omitted(self, severity: Severity) -> int:
        return sum(count for code, count in self.omitted.items()
                   if code in CATALOGUE and CATALOGUE[code].severity is severity)

    def counts(self) -> dict[str, int]:
        """How many errors and warnings were found (kept or only counted)."""
        return {"errors": len(self.errors) + self._omitted(Severity.ERROR),
                "warnings": len(self.warnings) + self._omitted(Severity.WARNING)}

    def omissions(self) -> list[str]:
        """One line per type of which only the first were kept: how many more there are."""
        return [gettext(N_("%(count)s more problems of the type '%(title)s' are not listed."),
                        count=count, title=gettext(CATALOGUE[code].title))
                for code, count in sorted(self.omitted.items()) if code in CATALOGUE]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {**self.counts(), "problems": [problem.to_dict() for problem in self.sorted()],
                "omitted": dict(self.omitted)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ProblemReport:
        data = data or {}
        return cls([Problem.from_dict(item) for item in data.get("problems", [])],
                   dict(data.get("omitted") or {}))


class ProblemError(MneError):
    """A problem that stops the work at once (a file that cannot be used at all)."""

    def __init__(self, kind: type[ProblemType], /, **fields: Any):
        self.kind, self.fields = kind, fields
        self.problem = kind.problem(**fields)
        super().__init__(self.problem.message)
        self.reason = kind.code


class ErrorType(ProblemType):
    """A problem that blocks the import."""

    severity = Severity.ERROR


class WarningType(ProblemType):
    """A problem worth a look that lets the import through."""

    severity = Severity.WARNING


# ------------------------------------------------------------------ unusable files

class EmptyFile(ErrorType):
    code, title = "empty", N_("Empty file")
    template = N_("The file is empty; choose the filled-in workbook and upload it again.")


class FileTooLarge(ErrorType):
    code, title = "too_large", N_("File too large")
    template = N_("The file is %(size)s MB, more than the %(limit)s MB accepted; remove anything "
                  "that is not part of the return (pictures, extra sheets) and upload it again.")


class EncryptedWorkbook(ErrorType):
    code, title = "encrypted", N_("Workbook protected by a password")
    template = N_("The workbook is protected with a password; remove the password in Excel "
                  "(File, Info, Protect Workbook) and upload it again.")


class OldExcelFile(ErrorType):
    code, title = "xls", N_("Old Excel file")
    template = N_("This is an old Excel 97-2003 (.xls) file; open it in Excel, save it as "
                  "Excel Workbook (.xlsx) and upload that file.")


class TextFile(ErrorType):
    code, title = "text", N_("Text or CSV file")
    template = N_("This is a text or CSV file, not an Excel workbook; download the template, "
                  "fill it in Excel and upload the .xlsx file.")


class NotAWorkbook(ErrorType):
    code, title = "not_xlsx", N_("Not an Excel workbook")
    template = N_("This file is not an Excel workbook; download the template, fill it in Excel "
                  "and upload the .xlsx file.")


class CorruptWorkbook(ErrorType):
    code, title = "corrupt", N_("Damaged workbook")
    template = N_("The workbook is damaged and cannot be opened; open it in Excel, save it "
                  "again as .xlsx and upload the saved copy.")


class ZipBomb(ErrorType):
    code, title = "zip_bomb", N_("Workbook expands too much")
    template = N_("The workbook would expand to %(size)s MB, more than the %(limit)s MB "
                  "accepted; upload the return template filled in, without other content.")


class MacroWorkbook(ErrorType):
    code, title = "macros", N_("Workbook with macros")
    template = N_("The workbook contains macros (.xlsm); save it in Excel as Excel Workbook "
                  "(.xlsx), which removes the macros, and upload that file.")


class OpenDocumentFile(ErrorType):
    code, title = "ods", N_("OpenDocument spreadsheet")
    template = N_("This is an OpenDocument spreadsheet (.ods); save it as Excel Workbook (.xlsx) "
                  "and upload that file.")


class UnsafeXml(ErrorType):
    code, title = "unsafe_xml", N_("Unsafe XML")
    template = N_("The workbook contains XML declarations Excel never writes; open it in Excel, "
                  "save it again as .xlsx and upload the saved copy.")


class SheetTooLarge(ErrorType):
    code, title = "sheet_too_large", N_("Cells far outside the template")
    template = N_("The workbook uses cell %(cell)s (or more than %(cells)s cells in a sheet), far "
                  "beyond what a return holds; delete what lies outside the template's rows and "
                  "columns, or copy the figures into a new template, and upload it again.")


class UnusualEncoding(ErrorType):
    code, title = "encoding", N_("Unusual text encoding")
    template = N_("Part of the workbook is written in an encoding Excel never uses "
                  "(%(encoding)s); open it in Excel, save it again as .xlsx and upload the saved "
                  "copy.")


class ReadingLimit(ErrorType):
    code, title = "reading_limit", N_("Workbook too demanding to read")
    template = N_("Reading the workbook went beyond the %(limit)s allowed, so it was stopped; "
                  "save the return template in Excel with only the figures asked for and upload "
                  "it again.")


class ReadingFailed(ErrorType):
    code, title = "reading_failed", N_("Return could not be processed")
    template = N_("The tracker could not finish processing this file (%(reason)s); nothing was "
                  "imported. Upload it again later, or send it to the administrator.")


class NothingToMark(ErrorType):
    code, title = "nothing_to_mark", N_("No cells to mark")
    template = N_("This file was not read as a return, so there are no cells to mark: "
                  "%(outcome)s")


# ------------------------------------------------------------------ returns: the workbook

class NotATemplate(ErrorType):
    code, title = "not_a_template", N_("Not a return template")
    template = N_("This workbook is not a return template of this tracker; download the "
                  "template for your entity and period, fill it in and upload it.")


class OtherTemplateVersion(ErrorType):
    code, title = "template_version", N_("Template of another version")
    template = N_("This template was made by another version of the tracker; download a new "
                  "template, copy your figures into it and upload it.")


class WrongReturn(ErrorType):
    code, title = "wrong_return", N_("Template for another return")
    template = N_("This template is for %(entity)s, %(period)s (strategy %(strategy)s), not for "
                  "the %(part)s %(wanted)s; upload the return for %(wanted)s or download its "
                  "template.")


class SenderNotAllowed(ErrorType):
    code, title = "not_allowed", N_("Entity outside the sender's role")
    template = N_("You may not send returns for %(entity)s; your role covers %(allowed)s.")


class UnknownInTemplate(ErrorType):
    code, title = "unknown_in_template", N_("Template names something unknown")
    template = N_("This template names something the tracker does not know (%(problem)s); "
                  "download the template again.")


class StaleTemplate(ErrorType):
    code, title = "stale_template", N_("Template of earlier indicators")
    template = N_("This template was made for an earlier version of the indicators of "
                  "%(strategy)s; download the current template for %(entity)s, %(period)s and "
                  "copy your figures into it.")


# ------------------------------------------------------------------ returns: sheets and rows

class MissingSheet(ErrorType):
    code, title = "missing_sheet", N_("Missing sheet")
    template = N_("The workbook has no sheet %(sheet)s; use the workbook as downloaded.")


class UnknownRow(ErrorType):
    code, title = "unknown_row", N_("Row not part of the return")
    template = N_("Row %(row)s (%(code)s) is not part of this return; delete it or use the "
                  "template as downloaded.")


class DuplicateRow(ErrorType):
    code, title = "duplicate_row", N_("Repeated row")
    template = N_("Row %(row)s repeats %(code)s; keep one row for it.")


class MissingRow(ErrorType):
    code, title = "missing_row", N_("Missing row")
    template = N_("The row for %(code)s is missing from the sheet %(sheet)s; copy it from the "
                  "template.")


class FormulaWithoutValue(ErrorType):
    code, title = "formula_without_value", N_("Formula never calculated")
    template = N_("Cell %(cell)s holds a formula with no computed value; open the workbook in "
                  "Excel, let it calculate, save, or type the value instead.")
    expected = N_("a value")


class UnknownNature(ErrorType):
    code, title = "unknown_nature", N_("Unknown nature")
    template = N_("'%(found)s' is not a nature of a value; choose one from the list: "
                  "%(expected)s.")


# ------------------------------------------------------------------ returns: values

class NotANumber(ErrorType):
    code, title = "not_a_number", N_("Not a number")
    template = N_("'%(found)s' is not a number; type a number, <5 for a small suppressed "
                  "number, or N/A when it is not available.")
    expected = N_("a number")


class RequiredEmpty(ErrorType):
    code, title = "required_empty", N_("Value missing")
    template = N_("The value of %(indicator)s is empty; type it, or N/A (or the nature "
                  "'not available') when it is not available.")
    expected = N_("a number or N/A")


class ValueEmptied(ErrorType):
    code, title = "value_emptied", N_("Value emptied")
    template = N_("The value of %(indicator)s was %(before)s and is now empty; type it again, "
                  "or N/A (or the nature 'not available') when it is no longer available.")
    expected = N_("%(before)s or N/A")


class CategoryEmptied(WarningType):
    code, title = "category_emptied", N_("Breakdown category emptied")
    template = N_("%(indicator)s %(breakdown)s was %(before)s and is now empty, so that value "
                  "will be removed; type it again if it was emptied by mistake.")
    expected = N_("%(before)s")


class LevelEmpty(ErrorType):
    code, title = "level_empty", N_("Level missing")
    template = N_("The level of %(indicator)s is empty; choose it, or the nature 'not available'.")
    expected = N_("a level")


class NotFinite(ErrorType):
    code, title = "not_finite", N_("Not a finite number")
    template = N_("'%(found)s' is not a number one can count or compare; type the figure.")
    expected = N_("a number")


class LogicalValue(ErrorType):
    code, title = "logical_value", N_("TRUE or FALSE instead of a number")
    template = N_("The cell holds the logical value %(found)s, not a number; type the figure.")
    expected = N_("a number")


class ImplausiblyLarge(ErrorType):
    code, title = "implausibly_large", N_("Implausibly large number")
    template = N_("%(found)s is far larger than any %(unit)s this tracker accepts (at most "
                  "%(largest)s); check the figure.")
    expected = N_("at most %(largest)s")


class NegativeCount(ErrorType):
    code, title = "negative_count", N_("Negative count")
    template = N_("A count cannot be negative: %(found)s.")
    expected = N_("0 or more")


class FractionInCount(ErrorType):
    code, title = "fraction_in_count", N_("Fraction in a count")
    template = N_("A count is a whole number, not %(found)s.")
    expected = N_("a whole number")


class PercentOutOfRange(ErrorType):
    code, title = "percent_out_of_range", N_("Percentage out of range")
    template = N_("A percentage lies between 0 and 100, not %(found)s.")
    expected = N_("0 to 100")


class NotYesNo(ErrorType):
    code, title = "not_yes_no", N_("Not yes or no")
    template = N_("Type 1 (or yes) for yes and 0 (or no) for no, not %(found)s.")
    expected = N_("1 or 0")


class LevelNotOnScale(ErrorType):
    code, title = "level_not_on_scale", N_("Level not on the scale")
    template = N_("'%(found)s' is not a level of this indicator's scale; choose one from the "
                  "list.")


class NarrativeMissing(ErrorType):
    code, title = "narrative_missing", N_("Narrative missing")
    template = N_("A level needs its narrative: say what was done for %(indicator)s.")
    expected = N_("a narrative")


class BreakdownExceedsTotal(ErrorType):
    code, title = "breakdown_exceeds_total", N_("Breakdown above its total")
    template = N_("The %(dimension)s categories add up to %(sum)s, more than the total "
                  "%(total)s.")
    expected = N_("at most %(total)s")


class BreakdownBelowTotal(WarningType):
    code, title = "breakdown_below_total", N_("Breakdown below its total")
    template = N_("The %(dimension)s categories add up to %(sum)s, less than the total "
                  "%(total)s; put the rest under 'unknown' if it is not known.")


# ------------------------------------------------------------------ returns: nature and range

class RangeNotANumber(ErrorType):
    code, title = "range_not_a_number", N_("Range end not a number")
    template = N_("'%(found)s' is not a number; type the %(end)s end of the range of "
                  "%(indicator)s as a number, or leave it empty.")
    expected = N_("a number")


class RangeReversed(ErrorType):
    code, title = "range_reversed", N_("Low above high")
    template = N_("The low end %(found)s of the range of %(indicator)s is above its high end "
                  "%(high)s; the low end must not exceed the high end.")
    expected = N_("at most %(high)s")


class ValueOutsideRange(ErrorType):
    code, title = "value_outside_range", N_("Value outside its range")
    template = N_("The value %(found)s of %(indicator)s lies outside its range %(low)s to "
                  "%(high)s; the value is the best estimate within the range.")
    expected = N_("from %(low)s to %(high)s")


class RangeIncomplete(ErrorType):
    code, title = "range_incomplete", N_("Range with one end")
    template = N_("The range of %(indicator)s has only one end; type both Low and High, or "
                  "choose 'at least' when the value is a lower bound.")
    expected = N_("both ends of the range")


class RangeWithoutValue(ErrorType):
    code, title = "range_without_value", N_("Range without a value")
    template = N_("%(indicator)s has a range or a lower bound but no value; type the best "
                  "estimate (or the bound) as the value.")
    expected = N_("a number")


class LowerBoundWithHigh(ErrorType):
    code, title = "lower_bound_with_high", N_("Lower bound with a high end")
    template = N_("%(indicator)s is marked 'at least' and has the high end %(found)s; a lower "
                  "bound has no high end: empty High, or empty 'At least' for a range.")
    expected = N_("an empty cell")


class UnknownAtLeast(ErrorType):
    code, title = "unknown_at_least", N_("Unknown 'at least' mark")
    template = N_("'%(found)s' is not understood; choose 'at least' when the value is a lower "
                  "bound, or leave the cell empty.")
    expected = N_("'at least' or nothing")


class MissingReasonWithValue(ErrorType):
    code, title = "missing_reason_with_value", N_("Value with a missing-value reason")
    template = N_("%(indicator)s has the value %(found)s but its nature, %(nature)s, says the "
                  "figure is missing; empty the value or choose another nature.")
    expected = N_("an empty value")


class Estimated(WarningType):
    code, title = "estimated", N_("Estimated value")
    template = N_("The value of %(indicator)s is estimated; replace it with the actual figure "
                  "when you have it.")


class Outlier(WarningType):
    code, title = "outlier", N_("Outlier")
    template = N_("%(found)s is far from this series' own history (median %(median)s); check "
                  "it.")
    expected = N_("near %(median)s")


class UnusualShare(WarningType):
    code, title = "unusual_share", N_("Unusual share of a category")
    template = N_("%(category)s is %(found)s of the total %(total)s, against %(usual)s in "
                  "earlier periods; check that no categories were swapped.")
    expected = N_("near %(usual)s")


class Jump(WarningType):
    code, title = "jump", N_("Jump from the previous period")
    template = N_("%(found)s differs by more than half from %(previous)s in %(period)s; check "
                  "it.")
    expected = N_("near %(previous)s")


# ------------------------------------------------------------------ framework workbooks

class MissingColumns(ErrorType):
    code, title = "missing_column", N_("Missing columns")
    template = N_("Sheet %(sheet)s lacks the columns %(columns)s.")


class CellRequired(ErrorType):
    code, title = "cell_required", N_("Empty cell")
    template = N_("This cell must not be empty.")


class NotAWholeNumber(ErrorType):
    code, title = "not_a_whole_number", N_("Not a whole number")
    template = N_("Expected a whole number.")


class NotANumberOrEmpty(ErrorType):
    code, title = "not_a_number_or_empty", N_("Not a number")
    template = N_("Expected a number or an empty cell.")


class NumberExpected(ErrorType):
    code, title = "number_expected", N_("Not a number")
    template = N_("Expected a number.")


class NotTrueOrFalse(ErrorType):
    code, title = "not_true_or_false", N_("Not TRUE or FALSE")
    template = N_("Expected TRUE or FALSE.")


class NotAChoice(ErrorType):
    code, title = "not_a_choice", N_("Not one of the choices")
    template = N_("Expected one of: %(allowed)s.")


class NotAPeriod(ErrorType):
    code, title = "not_a_period", N_("Not a period")
    template = N_("Expected a period such as 2026, 2026S1, 2026Q3 or 2026M07.")


class StrategyRows(ErrorType):
    code, title = "strategy_rows", N_("Not exactly one strategy")
    template = N_("Sheet Strategy must hold exactly one strategy.")


class UnknownReference(ErrorType):
    code, title = "unknown_reference", N_("Unknown reference")
    template = N_("No %(kind)s has the code %(code)s.")


# ------------------------------------------------------------------ statistics files

class UnknownMapping(ErrorType):
    code, title = "unknown_mapping", N_("Unknown mapping")
    template = N_("No mapping %(name)s: give a file or one of %(shipped)s.")


class CategoryNotMapped(ErrorType):
    code, title = "category_not_mapped", N_("Category not in the mapping")
    template = N_("Row %(row)s: '%(found)s' in column %(column)s is not in the mapping.")


class StatisticNotANumber(ErrorType):
    code, title = "statistic_not_a_number", N_("Statistic not a number")
    template = N_("Row %(row)s: '%(found)s' is not a number.")


class CategoryCodeClash(ErrorType):
    code, title = "category_code_clash", N_("Two categories, one code")
    template = N_("'%(first)s' and '%(second)s' of %(dimension)s would share the code "
                  "%(code)s; give one of them another code in the mapping.")


class RowsAddedUp(WarningType):
    code, title = "rows_added_up", N_("Rows added up")
    template = N_("Rows %(rows)s are added up into one value, stored from row %(row)s: they "
                  "share entity, indicator, breakdown and year (%(entity)s, %(indicator)s, "
                  "%(breakdown)s, %(year)s).")


class LabelsMerged(WarningType):
    code, title = "labels_merged", N_("Labels merged")
    template = N_("%(labels)s of %(dimension)s are one category, %(code)s: they differ only by "
                  "case or spacing.")


class MissingStrategy(ErrorType):
    code, title = "missing_strategy", N_("Strategy to create")
    template = N_("strategy %(code)s")


class MissingEntity(ErrorType):
    code, title = "missing_entity", N_("Entity to create")
    template = N_("entity %(code)s (%(name)s)")


class MissingIndicator(ErrorType):
    code, title = "missing_indicator", N_("Indicator to create")
    template = N_("indicator %(code)s")


class MissingDimension(ErrorType):
    code, title = "missing_dimension", N_("Dimension to create")
    template = N_("dimension %(code)s")


class MissingCategories(ErrorType):
    code, title = "missing_categories", N_("Categories to create")
    template = N_("categories of %(dimension)s: %(codes)s")
