"""Whatever is uploaded, the coordinator hears in one sentence what is wrong with the file and
what to do; nothing unsafe is ever inflated or parsed."""

import io
import zipfile

import openpyxl
import pytest

from importers.workbook import OLE_SIGNATURE, Limits, UnusableWorkbook, open_workbook


def _xlsx(**cells) -> bytes:
    workbook = openpyxl.Workbook()
    for reference, value in cells.items():
        workbook.active[reference] = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _reason(data: bytes, limits: Limits | None = None) -> UnusableWorkbook:
    with pytest.raises(UnusableWorkbook) as raised:
        open_workbook(data, limits)
    return raised.value


def _with_member(name: str, content: bytes) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx(A1=1))) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr(name, content)
    return output.getvalue()


def test_a_plain_workbook_opens_with_values_from_a1():
    workbook = open_workbook(_xlsx(C3=5, A1="title"))
    sheet = workbook.sheet_names[0]
    assert workbook.rows(sheet)[2][2] == 5
    assert workbook.rows(sheet)[0][0] == "title"


def test_formula_cells_are_found_with_their_formula():
    workbook = open_workbook(_xlsx(A1=2, B2="=A1*2"))
    assert workbook.formula_cells(workbook.sheet_names[0]) == {"B2": "=A1*2"}


def test_old_xls_file_is_named_and_the_user_told_to_save_as_xlsx():
    problem = _reason(OLE_SIGNATURE + b"\0" * 600)
    assert problem.reason == "xls"
    assert ".xlsx" in problem.message


def test_password_protected_workbook_is_recognised():
    problem = _reason(OLE_SIGNATURE + b"\0" * 64 + "EncryptionInfo".encode("utf-16-le"))
    assert problem.reason == "encrypted"
    assert "password" in problem.message


def test_csv_text_is_recognised():
    problem = _reason(b"code,value\nPU1,12\n")
    assert problem.reason == "text"
    assert "CSV" in problem.message


def test_workbook_with_macros_is_refused():
    problem = _reason(_with_member("xl/vbaProject.bin", b"\0" * 100))
    assert problem.reason == "macros"
    assert "macros" in problem.message


def test_corrupt_zip_is_refused():
    data = _xlsx(A1=1)
    problem = _reason(data[: len(data) // 2])
    assert problem.reason == "corrupt"


def test_file_over_the_size_limit_is_refused_before_reading():
    problem = _reason(b"PK\x03\x04" + b"\0" * 2000, Limits(max_bytes=1000))
    assert problem.reason == "too_large"
    assert "MB" in problem.message


def test_decompression_bomb_is_refused_from_the_zip_directory():
    bomb = _with_member("xl/media/padding.bin", b"\0" * 5_000_000)
    assert len(bomb) < 100_000
    problem = _reason(bomb, Limits(max_uncompressed_bytes=1_000_000))
    assert problem.reason == "zip_bomb"


def test_xml_with_entity_declarations_is_refused():
    problem = _reason(_with_member(
        "xl/custom.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'))
    assert problem.reason == "unsafe_xml"


def test_an_empty_file_is_refused():
    assert _reason(b"").reason == "empty"
