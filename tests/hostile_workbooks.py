"""A corpus of hostile and broken workbooks, generated from a real return template (nothing of
it is committed as a binary): what an attacker or a careless user could upload, and what the
tracker must answer to each (a dry run: checked, checked with errors, or unusable, always with
one sentence)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl

from indicators import problems
from indicators.model import UploadOutcome
from tests.return_workbooks import fill

SENTINEL = 987654321  # a value written by openpyxl, then replaced in the sheet's XML
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Case:
    """One hostile upload and what must become of it: the outcome, and the catalogue problem
    named by the sentence (unusable) or found in a cell (rejected)."""

    name: str
    data: bytes
    outcome: UploadOutcome
    problem: type[problems.ProblemType] | None = None

    @property
    def exit_code(self) -> int:
        """What `mne import --dry-run` must exit with: 0 checked, 1 errors, 2 unusable."""
        if self.outcome is UploadOutcome.UNUSABLE:
            return 2
        return 1 if self.problem and self.problem.severity is problems.Severity.ERROR else 0


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {item.filename: archive.read(item) for item in archive.infolist()}


def _zip(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


def _sheet_part(data: bytes, title: str) -> str:
    """The zip member holding the sheet called `title`."""
    members = _members(data)
    rel = re.search(rf'<sheet [^>]*name="{title}"[^>]*r:id="(\w+)"',
                    members["xl/workbook.xml"].decode()).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rel}"[^>]*Target="([^"]+)"|'
                       rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rel}"',
                       members["xl/_rels/workbook.xml.rels"].decode())
    return "xl/" + (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")


def _edit_sheet(data: bytes, edit: Callable[[bytes], bytes], title: str = "Quantitative") -> bytes:
    members = _members(data)
    part = _sheet_part(data, title)
    members[part] = edit(members[part])
    return _zip(members)


def _replace_sentinel(data: bytes, cell_xml: str, title: str = "Quantitative") -> bytes:
    """The sentinel's cell rewritten as `cell_xml` (`{r}` is its reference, `{s}` its style)."""
    def edit(xml: bytes) -> bytes:
        pattern = rb'<c r="([A-Z]+\d+)"( s="\d+")?( t="n")?><v>' + str(SENTINEL).encode() \
            + rb"</v></c>"
        return re.sub(pattern, lambda found: cell_xml.format(
            r=found.group(1).decode(), s=(found.group(2) or b"").decode()).encode(), xml)
    return _edit_sheet(data, edit, title)


def _add_rows(xml: bytes, rows: bytes) -> bytes:
    return xml.replace(b"</sheetData>", rows + b"</sheetData>")


def _million_rows(xml: bytes) -> bytes:
    first = int(max(re.findall(rb'<row r="(\d+)"', xml), key=int)) + 1
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (number, number)
                    for number in range(first, 1_400_000))
    return _add_rows(xml, rows)


def _without_declaration(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def _dtd_after_padding(xml: bytes) -> bytes:
    rest = _without_declaration(xml)
    return (b'<?xml version="1.0" encoding="UTF-8"?>' + b" " * 4096 + b"<!-- " + b"x" * 100
            + b" -->" + b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>' + rest)


def _utf16(xml: bytes) -> bytes:
    text = '<?xml version="1.0" encoding="UTF-16"?>' + _without_declaration(xml).decode()
    return text.encode("utf-16")


def _bomb(template: bytes, inflated_megabytes: int) -> tuple[bytes, str]:
    """`template` with a picture that inflates to `inflated_megabytes`; and its member's name."""
    output = io.BytesIO()
    name = "xl/media/image1.png"
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in _members(template).items():
            archive.writestr(member, content)
        with archive.open(name, "w") as picture:
            chunk = b"\0" * MEGABYTE
            for _megabyte in range(inflated_megabytes):
                picture.write(chunk)
    return output.getvalue(), name


def _lying_sizes(data: bytes, name: str, declared: int) -> bytes:
    """`data` with the sizes of member `name` declared as `declared` in the local header and
    the central directory (its real content unchanged)."""
    patched = bytearray(data)
    encoded = name.encode()
    local = data.index(b"PK\x03\x04")
    while data[local + 30:local + 30 + len(encoded)] != encoded:
        local = data.index(b"PK\x03\x04", local + 4)
    struct.pack_into("<L", patched, local + 22, declared)
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(encoded)] != encoded:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<L", patched, central + 24, declared)
    return bytes(patched)


def _macro(template: bytes) -> bytes:
    return _zip({**_members(template), "xl/vbaProject.bin": b"\0" * 512})


def _external_link(template: bytes) -> bytes:
    members = _members(template)
    members["xl/externalLinks/externalLink1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxml'
        b'formats.org/spreadsheetml/2006/main"><externalBook xmlns:r="http://schemas.openxml'
        b'formats.org/officeDocument/2006/relationships" r:id="rId1"/></externalLink>')
    members["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxml'
        b'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas'
        b'.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        b'Target="http://attacker.invalid/steal.xlsx" TargetMode="External"/></Relationships>')
    return _zip(members)


def _zero_sheets(template: bytes) -> bytes:
    members = _members(template)
    members["xl/workbook.xml"] = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>",
                                        members["xl/workbook.xml"], flags=re.S)
    return _zip(members)


def _with_cells(template: bytes, cells: dict[str, object], title: str = "Quantitative") -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(fill(template)))
    for reference, value in cells.items():
        workbook[title][reference] = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _wide_row(template: bytes) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(fill(template)))
    sheet = workbook["Quantitative"]
    for column in range(1, 16_385):
        sheet.cell(200, column, column)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def hostile_corpus(template: bytes, value_cell: str, level_cell: str) -> list[Case]:
    """The corpus, built from the return `template` of the small strategy (see
    tests/return_workbooks.py); `value_cell` is C1's total, `level_cell` Q1's level."""
    good = fill(template)
    sentinel = _with_cells(template, {value_cell: SENTINEL})
    level_sentinel = _with_cells(template, {level_cell: SENTINEL}, "Qualitative")
    bomb, _picture = _bomb(template, 120)
    liar, liar_picture = _bomb(template, 200)
    unusable = UploadOutcome.UNUSABLE
    checked = UploadOutcome.CHECKED
    long_text = "x" * 32_000
    return [
        Case("good", good, checked),
        Case("cell_at_XFD1048576", _with_cells(template, {"XFD1048576": 1}), unusable,
             problems.SheetTooLarge),
        Case("cell_at_XFD3000", _with_cells(template, {"XFD3000": 1}), unusable,
             problems.SheetTooLarge),
        Case("1.4_million_rows", _edit_sheet(good, _million_rows), unusable,
             problems.SheetTooLarge),
        Case("16384_columns", _wide_row(template), unusable, problems.SheetTooLarge),
        Case("zip_bomb", bomb, unusable, problems.ZipBomb),
        Case("lying_zip_headers", _lying_sizes(liar, liar_picture, 5 * MEGABYTE), unusable,
             problems.ZipBomb),
        Case("lying_sizes", _lying_sizes(good, "xl/styles.xml", 10), unusable,
             problems.CorruptWorkbook),
        Case("nan", _replace_sentinel(sentinel, '<c r="{r}"{s}><v>NaN</v></c>'), checked,
             problems.NotFinite),
        Case("infinity", _replace_sentinel(sentinel, '<c r="{r}"{s}><v>1e999</v></c>'), checked,
             problems.NotFinite),
        Case("true_as_count", _with_cells(template, {value_cell: True}), checked,
             problems.LogicalValue),
        Case("1e300_as_count", _with_cells(template, {value_cell: 1e300}), checked,
             problems.ImplausiblyLarge),
        Case("level_of_5000_digits", _replace_sentinel(
            level_sentinel, '<c r="{r}"{s}><v>' + "9" * 5000 + "</v></c>", "Qualitative"),
            checked, problems.LevelNotOnScale),
        Case("32k_character_cells", _with_cells(
            template, {value_cell: long_text, **{f"J{row}": long_text for row in range(2, 40)}}),
            checked, problems.NotANumber),
        Case("dtd_after_4kb_padding", _edit_sheet(good, _dtd_after_padding), unusable,
             problems.UnsafeXml),
        Case("utf16_sheet", _edit_sheet(good, _utf16), unusable, problems.UnusualEncoding),
        Case("encrypted", OLE_SIGNATURE + b"\0" * 64 + "EncryptionInfo".encode("utf-16-le")
             + b"\0" * 512, unusable, problems.EncryptedWorkbook),
        Case("macros", _macro(good), unusable, problems.MacroWorkbook),
        Case("renamed_csv", b"code,value\nC1,4\n", unusable, problems.TextFile),
        Case("renamed_xls", OLE_SIGNATURE + b"\0" * 600, unusable, problems.OldExcelFile),
        Case("renamed_ods", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                                  "content.xml": b"<office:document-content/>"}), unusable,
             problems.OpenDocumentFile),
        Case("truncated", good[: len(good) // 2], unusable, problems.CorruptWorkbook),
        Case("empty", b"", unusable, problems.EmptyFile),
        Case("zero_sheets", _zero_sheets(good), unusable, problems.NotATemplate),
        Case("external_links", _external_link(good), checked),
    ]
