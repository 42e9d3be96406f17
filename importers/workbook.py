"""Opening a workbook someone uploaded, safely.

Before anything is parsed the bytes are checked: the size limit, what kind of file it really is
(an old .xls, an encrypted workbook, a CSV or other text, a workbook with macros, a corrupt zip),
and the total size its parts would inflate to, read from the zip directory (a decompression bomb
never gets inflated). XML declaring a DTD or entities is refused; external links are never
followed. Whatever is wrong is raised as `UnusableWorkbook`, whose message is one sentence saying
what is wrong and what to do.

Values are read with python-calamine (fast, and its XML reader expands no entities); the cells
holding formulas are found with openpyxl (which parses through defusedxml) only for sheets that
contain formulas at all.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.workbook.workbook import Workbook
from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetVisibleEnum,
    XmlError,
    ZipError,
)

from indicators import problems
from indicators.problems import ProblemError

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
MACRO_PARTS = ("xl/vbaProject.bin", "xl/macrosheets/", "xl/activeX/")
XML_PROLOG_BYTES = 4096
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How big an upload may be, as received and once its parts are inflated."""

    max_bytes: int = 10 * MEGABYTE
    max_uncompressed_bytes: int = 100 * MEGABYTE


class UnusableWorkbook(ProblemError):
    """The file cannot be read as a workbook: `problem` is the catalogue's, `reason` its code,
    the message one sentence for the person who sent it."""


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f}"


def check_workbook_bytes(data: bytes, limits: Limits) -> None:
    """Raise `UnusableWorkbook` unless `data` is an .xlsx workbook within `limits`, without
    macros, unencrypted, an intact zip that does not inflate beyond the limit, with safe XML."""
    if not data:
        raise UnusableWorkbook(problems.EmptyFile)
    if len(data) > limits.max_bytes:
        raise UnusableWorkbook(problems.FileTooLarge, size=_megabytes(len(data)),
                               limit=_megabytes(limits.max_bytes))
    if data.startswith(OLE_SIGNATURE):
        raise _ole_problem(data)
    if not data.startswith(ZIP_SIGNATURE):
        raise _not_a_zip_problem(data)
    _check_zip(data, limits)


def _ole_problem(data: bytes) -> UnusableWorkbook:
    if ENCRYPTION_STREAM in data:
        return UnusableWorkbook(problems.EncryptedWorkbook)
    return UnusableWorkbook(problems.OldExcelFile)


def _not_a_zip_problem(data: bytes) -> UnusableWorkbook:
    sample = data[:4096]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        text = sample.decode("latin-1")
    printable = sum(char.isprintable() or char in "\r\n\t" for char in text)
    if printable >= 0.95 * len(text):
        return UnusableWorkbook(problems.TextFile)
    return UnusableWorkbook(problems.NotAWorkbook)


def _corrupt() -> UnusableWorkbook:
    return UnusableWorkbook(problems.CorruptWorkbook)


def _check_zip(data: bytes, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_inflated_size(members, limits)
            _check_parts(archive, [member.filename for member in members])
            _check_xml_prologs(archive, members)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError):
        raise _corrupt() from None


def _check_inflated_size(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    inflated = sum(member.file_size for member in members)
    if inflated > limits.max_uncompressed_bytes:
        raise UnusableWorkbook(problems.ZipBomb, size=_megabytes(inflated),
                               limit=_megabytes(limits.max_uncompressed_bytes))


def _check_parts(archive: zipfile.ZipFile, names: list[str]) -> None:
    if any(name.startswith(MACRO_PARTS) for name in names):
        raise UnusableWorkbook(problems.MacroWorkbook)
    if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
        raise UnusableWorkbook(problems.OpenDocumentFile)
    if "xl/workbook.xml" not in names:
        raise UnusableWorkbook(problems.NotAWorkbook)


def _check_xml_prologs(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    for member in members:
        if not member.filename.endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(member) as stream:
            prolog = stream.read(XML_PROLOG_BYTES)
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
            raise UnusableWorkbook(problems.UnsafeXml)


@dataclass
class SafeWorkbook:
    """An uploaded workbook that passed the checks: its sheets' values and formula cells."""

    data: bytes
    sheet_names: list[str]
    hidden_sheets: set[str]
    _calamine: CalamineWorkbook = field(repr=False)

    def rows(self, sheet: str) -> list[list[Any]]:
        """The sheet's values as rows from A1, each row a list from column A (empty cells are
        ""); a formula gives its last computed value, "" when Excel never computed it."""
        return self._calamine.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    def formula_cells(self, sheet: str) -> dict[str, str]:
        """Cells of `sheet` that hold a formula, e.g. `{"H14": "=SUM(H15:H18)"}`."""
        return self._formulas.get(sheet, {})

    @cached_property
    def _formulas(self) -> dict[str, dict[str, str]]:
        if not _has_formulas(self.data):
            return {}
        workbook = self.openpyxl(data_only=False)
        try:
            return {sheet.title: _formulas_of(sheet) for sheet in workbook.worksheets}
        finally:
            workbook.close()

    def number_formats(self, sheet: str, references: set[str]) -> dict[str, str]:
        """The number format of each of `references` (e.g. `H14`) in `sheet`."""
        if not references:
            return {}
        places = [coordinate_to_tuple(reference) for reference in references]
        workbook = self.openpyxl()
        try:
            cells = workbook[sheet].iter_rows(
                min_row=min(row for row, _ in places), max_row=max(row for row, _ in places),
                min_col=min(col for _, col in places), max_col=max(col for _, col in places))
            return {cell.coordinate: cell.number_format for row in cells for cell in row
                    if getattr(cell, "coordinate", None) in references}
        finally:
            workbook.close()

    def openpyxl(self, data_only: bool = True) -> Workbook:
        """The workbook opened read-only by openpyxl (links not followed); close it after use."""
        return load_workbook(io.BytesIO(self.data), read_only=True, data_only=data_only,
                             keep_links=False)


def _has_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                content = archive.read(name)
                if b"<f>" in content or b"<f " in content or b":f>" in content:
                    return True
    return False


def _formulas_of(sheet) -> dict[str, str]:
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" and cell.value is not None:
                found[f"{get_column_letter(cell.column)}{cell.row}"] = str(cell.value)
    return found


def open_workbook(data: bytes, limits: Limits | None = None) -> SafeWorkbook:
    """Check `data` (see `check_workbook_bytes`) and open it; raises `UnusableWorkbook`."""
    check_workbook_bytes(data, limits or Limits())
    try:
        calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = calamine.sheets_metadata
    except (CalamineError, PasswordError, XmlError, ZipError, ValueError, OSError):
        raise _corrupt() from None
    hidden = {sheet.name for sheet in metadata if sheet.visible != SheetVisibleEnum.Visible}
    return SafeWorkbook(data, list(calamine.sheet_names), hidden, calamine)
