"""Uploads and reports are kept byte for byte, by sha256, and never overwritten."""

import hashlib
import os

import pytest

from indicators.storage import StorageError, read_stored, store_bytes


def test_file_is_kept_byte_for_byte_under_its_sha256(tmp_path):
    data = b"PK\x03\x04 a workbook as received \x00\xff"
    kept = store_bytes(tmp_path, data, ".xlsx")
    assert kept.sha256 == hashlib.sha256(data).hexdigest()
    assert kept.relative_path == f"{kept.sha256[:2]}/{kept.sha256}.xlsx"
    assert kept.size == len(data)
    assert read_stored(tmp_path, kept.relative_path) == data


def test_same_content_twice_is_one_file_never_rewritten(tmp_path):
    first = store_bytes(tmp_path, b"same bytes")
    modified = os.stat(tmp_path / first.relative_path).st_mtime_ns
    second = store_bytes(tmp_path, b"same bytes")
    assert first == second
    assert os.stat(tmp_path / second.relative_path).st_mtime_ns == modified
    assert [path.name for path in (tmp_path / first.sha256[:2]).iterdir()] == [first.sha256]


def test_tampered_file_is_refused_when_read(tmp_path):
    kept = store_bytes(tmp_path, b"original")
    path = tmp_path / kept.relative_path
    os.chmod(path, 0o644)
    path.write_bytes(b"changed")
    with pytest.raises(StorageError, match="no longer matches"):
        read_stored(tmp_path, kept.relative_path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(StorageError, match="missing"):
        read_stored(tmp_path, "ab/abcdef")
