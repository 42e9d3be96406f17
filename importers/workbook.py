"""Opening a workbook someone uploaded, safely.

Before anything is parsed the bytes are checked: the size limit, what kind of file it really is
(an old .xls, an encrypted workbook, a CSV or other text, a workbook with macros, a corrupt zip).
Then every part of the zip is inflated as a stream, counting the bytes it really yields (the sizes
the zip declares are never trusted; a part yielding other than it declares is damaged), and each
XML part is read by expat as it inflates: a DTD or entity anywhere, an encoding other than UTF-8,
or a sheet cell far outside what a return template holds (`Limits.max_rows`, `max_columns`,
`max_cells`) is refused before any workbook reader allocates for it. Whatever is wrong is raised
as `UnusableWorkbook`, whose message is one sentence saying what is wrong and what to do.

Values are read with python-calamine (fast, and its XML reader expands no entities); the cells
holding formulas are found with openpyxl (which parses through defusedxml) only for sheets that
contain formulas at all. `importers.sandbox` runs all of this in a child process with memory,
CPU and time limits; `open_workbook` is what runs there.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
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
XML_PARTS = (".xml", ".rels", ".vml")
SHEET_PARTS = re.compile(r"^xl/(worksheets|chartsheets|dialogsheets)/[^/]+\.xml$")
# a sheet's references: `r="XFD3000"` on a cell, `r="3000"` on a row
ROW_NUMBER = re.compile(rb" r=[\"']\$?[A-Za-z]{0,8}\$?(\d{1,12})")
FORMULA_TAGS = (b"<f>", b"<f ", b":f>", b":f ")
COLUMN_LETTERS = re.compile(rb" r=[\"']\$?([A-Za-z]{1,8})\$?\d")
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
CHUNK = 64 * 1024
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How big an upload may be: as received, once its parts are inflated, how far its sheets
    may reach (a return template holds far less), and what reading it may cost."""

    max_bytes: int = 10 * MEGABYTE
    max_uncompressed_bytes: int = 100 * MEGABYTE
    max_rows: int = 100_000
    max_columns: int = 256
    max_cells: int = 2_000_000
    memory_bytes: int = 400 * MEGABYTE
    cpu_seconds: int = 60
    timeout_seconds: float = 120.0


class UnusableWorkbook(ProblemError):
    """The file cannot be read as a workbook: `problem` is the catalogue's, `reason` its code,
    the message one sentence for the person who sent it."""


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f}"


def check_file_kind(data: bytes, limits: Limits) -> None:
    """Raise `UnusableWorkbook` unless `data` looks like a zip within the size limit (what can be
    told from the first bytes, without inflating anything)."""
    if not data:
        raise UnusableWorkbook(problems.EmptyFile)
    if len(data) > limits.max_bytes:
        raise UnusableWorkbook(problems.FileTooLarge, size=_megabytes(len(data)),
                               limit=_megabytes(limits.max_bytes))
    if data.startswith(OLE_SIGNATURE):
        raise _ole_problem(data)
    if not data.startswith(ZIP_SIGNATURE):
        raise _not_a_zip_problem(data)


def check_workbook_bytes(data: bytes, limits: Limits) -> bool:
    """Raise `UnusableWorkbook` unless `data` is an .xlsx workbook within `limits`, without
    macros, unencrypted, an intact zip that does not inflate beyond the limit, with safe XML
    whose sheets stay within the limits; returns whether a sheet holds formulas."""
    check_file_kind(data, limits)
    return _check_zip(data, limits)


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


def _check_zip(data: bytes, limits: Limits) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_parts([member.filename for member in members])
            budget = _Budget(limits.max_uncompressed_bytes)
            return any([_scan_member(data, member, budget, limits) for member in members])
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError,
            struct.error):
        raise _corrupt() from None


def _check_parts(names: list[str]) -> None:
    if any(name.startswith(MACRO_PARTS) for name in names):
        raise UnusableWorkbook(problems.MacroWorkbook)
    if "mimetype" in names:
        raise UnusableWorkbook(problems.OpenDocumentFile)
    if "xl/workbook.xml" not in names:
        raise UnusableWorkbook(problems.NotAWorkbook)


class _Budget:
    """The inflated bytes the whole workbook may yield, spent as they really come out."""

    def __init__(self, limit: int):
        self.limit, self.spent = limit, 0

    def spend(self, size: int) -> None:
        self.spent += size
        if self.spent > self.limit:
            raise UnusableWorkbook(problems.ZipBomb, size=f"{_megabytes(self.spent)}+",
                                   limit=_megabytes(self.limit))


def _inflated_chunks(data: bytes, member: zipfile.ZipInfo) -> Any:
    """The member's bytes as they inflate, read from its local header on (its declared
    uncompressed size is not used)."""
    header = LOCAL_HEADER.unpack_from(data, member.header_offset)
    if header[0] != b"PK\x03\x04":
        raise zipfile.BadZipFile
    start = member.header_offset + LOCAL_HEADER.size + header[-2] + header[-1]
    compressed = memoryview(data)[start:start + member.compress_size]
    if member.flag_bits & 0x1:
        raise UnusableWorkbook(problems.EncryptedWorkbook)
    if member.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(compressed), CHUNK):
            yield bytes(compressed[offset:offset + CHUNK])
        return
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise NotImplementedError
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for offset in range(0, len(compressed), CHUNK):
        pending = bytes(compressed[offset:offset + CHUNK])
        while pending and not inflater.eof:
            yield inflater.decompress(pending, CHUNK)
            pending = inflater.unconsumed_tail
    if not inflater.eof:
        raise zipfile.BadZipFile


def _scan_member(data: bytes, member: zipfile.ZipInfo, budget: _Budget, limits: Limits) -> bool:
    """Inflate one member counting its real bytes; XML parts go through expat as they come.
    Returns whether it is a sheet holding formulas."""
    reader = _XmlScan(member.filename, limits) if member.filename.endswith(XML_PARTS) else None
    size, crc = 0, 0
    for chunk in _inflated_chunks(data, member):
        budget.spend(len(chunk))
        size += len(chunk)
        crc = zlib.crc32(chunk, crc)
        if reader:
            reader.feed(chunk)
    if size != member.file_size or crc != member.CRC:
        raise zipfile.BadZipFile
    if reader:
        reader.close()
    return bool(reader and reader.formulas)


class _XmlScan:
    """An XML part read by expat as a stream: no DTD or entity anywhere, UTF-8 only; in a
    sheet, the row and cell references (found by pattern, chunk by chunk) stay within the
    limits, and so does the number of cells."""

    def __init__(self, name: str, limits: Limits):
        self.limits, self.first = limits, True
        self.sheet = bool(SHEET_PARTS.match(name))
        self.tail, self.cells, self.formulas, self.in_root = b"", 0, False, False
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._unsafe
        self.parser.EntityDeclHandler = self._unsafe
        self.parser.ExternalEntityRefHandler = self._unsafe
        self.parser.XmlDeclHandler = self._declaration
        self.parser.StartElementHandler = self._root

    def feed(self, chunk: bytes) -> None:
        if self.first and chunk:
            self.first = False
            if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:4]:
                raise UnusableWorkbook(problems.UnusualEncoding, encoding="UTF-16")
        if not self.in_root:
            self._parse(chunk, False)
        if self.sheet:
            self._check_references(chunk)

    def close(self) -> None:
        if not self.in_root:
            self._parse(b"", True)

    def _root(self, _name: str, _attributes: dict[str, str]) -> None:
        """Past the prolog no DTD can come (it would not be well-formed XML), so the rest of
        the part goes to the pattern checks alone."""
        self.in_root = True
        self.parser.StartElementHandler = None

    def _parse(self, chunk: bytes, final: bool) -> None:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError:
            raise _corrupt() from None

    def _unsafe(self, *_args: Any) -> None:
        raise UnusableWorkbook(problems.UnsafeXml)

    def _declaration(self, _version: str, encoding: str | None, _standalone: int) -> None:
        if encoding and encoding.lower().replace("-", "") != "utf8":
            raise UnusableWorkbook(problems.UnusualEncoding, encoding=encoding[:40])

    def _check_references(self, chunk: bytes) -> None:
        text = self.tail + chunk
        end = text.rfind(b">") + 1
        text, self.tail = text[:end], text[end:][-CHUNK:]
        rows = ROW_NUMBER.findall(text)
        self.formulas = self.formulas or any(tag in text for tag in FORMULA_TAGS)
        self.cells += len(rows)
        row = _largest(rows, len(str(self.limits.max_rows)))
        column = max(map(column_index, set(COLUMN_LETTERS.findall(text))), default=0)
        limits = self.limits
        if row > limits.max_rows or column > limits.max_columns or self.cells > limits.max_cells:
            raise UnusableWorkbook(problems.SheetTooLarge,
                                   cell=f"{get_column_letter(min(column or 1, 16384))}{row or 1}",
                                   cells=f"{limits.max_cells:,}")


def _largest(numbers: list[bytes], digits: int) -> int:
    """The largest of `numbers` (decimal digits) written with `digits` digits or more, else 0
    (most sheets: nothing is converted)."""
    if max(map(len, numbers), default=0) < digits:
        return 0
    return max(int(number) for number in numbers if len(number) >= digits)


def column_index(letters: bytes) -> int:
    """The column number of Excel's letters (A is 1); beyond XFD numbers keep growing."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


@dataclass
class SafeWorkbook:
    """An uploaded workbook that passed the checks, read whole: its sheets' values, formula
    cells, and the number formats of the cells a percentage may have been typed into. Plain
    data, so that it can come back from the sandbox."""

    sheet_names: list[str]
    hidden_sheets: set[str]
    _rows: dict[str, list[list[Any]]] = field(repr=False)
    _formulas: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _fraction_formats: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def rows(self, sheet: str) -> list[list[Any]]:
        """The sheet's values as rows from A1, each row a list from column A (empty cells are
        ""); a formula gives its last computed value, "" when Excel never computed it."""
        return self._rows[sheet]

    def formula_cells(self, sheet: str) -> dict[str, str]:
        """Cells of `sheet` that hold a formula, e.g. `{"H14": "=SUM(H15:H18)"}`."""
        return self._formulas.get(sheet, {})

    def number_formats(self, sheet: str, references: set[str]) -> dict[str, str]:
        """The number format of each of `references` (e.g. `H14`) in `sheet` that holds a
        number between 0 and 1 (the cells where `45%` may have been typed)."""
        formats = self._fraction_formats.get(sheet, {})
        return {reference: formats[reference] for reference in references if reference in formats}


def _openpyxl(data: bytes, data_only: bool = True) -> Workbook:
    """The workbook opened read-only by openpyxl (links not followed); close it after use."""
    return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)


def _formulas_of(data: bytes) -> dict[str, dict[str, str]]:
    workbook = _openpyxl(data, data_only=False)
    try:
        return {sheet.title: {cell.coordinate: str(cell.value) for row in sheet.iter_rows()
                              for cell in row if cell.data_type == "f" and cell.value is not None}
                for sheet in workbook.worksheets}
    finally:
        workbook.close()


def _fractions(rows: list[list[Any]]) -> set[tuple[int, int]]:
    return {(row_number, column) for row_number, row in enumerate(rows, start=1)
            for column, value in enumerate(row, start=1)
            if isinstance(value, float) and 0 < value <= 1}


def _fraction_formats_of(data: bytes, rows: dict[str, list[list[Any]]]
                         ) -> dict[str, dict[str, str]]:
    places = {sheet: found for sheet, sheet_rows in rows.items()
              if (found := _fractions(sheet_rows))}
    if not places:
        return {}
    workbook = _openpyxl(data)
    try:
        return {sheet: _formats_at(workbook[sheet], found) for sheet, found in places.items()
                if sheet in workbook.sheetnames}
    finally:
        workbook.close()


def _formats_at(sheet, places: set[tuple[int, int]]) -> dict[str, str]:
    cells = sheet.iter_rows(min_row=min(row for row, _ in places),
                            max_row=max(row for row, _ in places),
                            min_col=min(col for _, col in places),
                            max_col=max(col for _, col in places))
    references = {f"{get_column_letter(col)}{row}" for row, col in places}
    return {cell.coordinate: cell.number_format for row in cells for cell in row
            if getattr(cell, "coordinate", None) in references}


def open_workbook(data: bytes, limits: Limits | None = None) -> SafeWorkbook:
    """Check `data` (see `check_workbook_bytes`) and read it whole; raises `UnusableWorkbook`.
    Untrusted files go through `importers.sandbox.read_workbook`, which runs this in a child
    process with limits."""
    formulas = check_workbook_bytes(data, limits or Limits())
    try:
        calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = calamine.sheets_metadata
        rows = {sheet.name: calamine.get_sheet_by_name(sheet.name).to_python(
            skip_empty_area=False) for sheet in metadata}
    except (CalamineError, PasswordError, XmlError, ZipError, ValueError, OSError):
        raise _corrupt() from None
    hidden = {sheet.name for sheet in metadata if sheet.visible != SheetVisibleEnum.Visible}
    return SafeWorkbook(list(calamine.sheet_names), hidden, rows,
                        _or_nothing(_formulas_of, data) if formulas else {},
                        _or_nothing(_fraction_formats_of, data, rows))


def _or_nothing(read: Any, *arguments: Any) -> dict:
    """What openpyxl reads of the workbook, or nothing when it cannot read a cell that
    calamine did (text Excel never writes, such as `NaN` as a number): the cells' values are
    then checked as calamine read them."""
    try:
        return read(*arguments)
    except (ValueError, TypeError, KeyError):
        return {}
