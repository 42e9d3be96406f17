"""A hostile upload gets nothing: a 100 MB body is refused before it is read, a zip bomb before
it is inflated; the refusal says what the limit is."""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest

from importers.workbook import Limits, UnusableWorkbook, open_workbook

MEGABYTE = 1024 * 1024


class CountingStream(io.RawIOBase):
    """A request body of `size` bytes that counts how much of it the server reads."""

    def __init__(self, size: int):
        self.size, self.position, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position,
                         io.SEEK_END: self.size}[whence] + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        count = max(0, min(len(buffer), self.size - self.position))
        buffer[:count] = b"\0" * count
        self.position += count
        self.read_bytes += count
        return count


def _post_100_mb(client, path: str, **headers):
    body = CountingStream(100 * MEGABYTE)
    response = client.post(path, input_stream=body, content_type="multipart/form-data; "
                           "boundary=x", headers={"Content-Length": str(body.size), **headers})
    return response, body


def test_a_100_mb_page_upload_is_refused_unread_with_the_limit(client_as, db):
    client = client_as("coordinator", "POL")
    response, body = _post_100_mb(client, "/account/tokens")
    assert response.status_code == 413
    assert "larger than the 10.0 MB accepted" in response.get_data(as_text=True)
    assert body.read_bytes == 0


def test_a_100_mb_api_upload_is_refused_unread_with_the_limit(app, token_for, db):
    token = token_for("evaluator")
    response, body = _post_100_mb(app.test_client(), "/api/v1/returns/1/approve",
                                  Authorization=f"Bearer {token}")
    assert response.status_code == 413
    assert "larger than the 10.0 MB accepted" in response.get_json()["error"]
    assert body.read_bytes == 0


def _zip_bomb(inflated_megabytes: int) -> bytes:
    workbook = openpyxl.Workbook()
    base = io.BytesIO()
    workbook.save(base)
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base.getvalue())) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        with bomb.open("xl/media/image1.png", "w") as member:
            chunk = b"\0" * MEGABYTE
            for _megabyte in range(inflated_megabytes):
                member.write(chunk)
    return output.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _zip_bomb(150)


def _refusal_and_peak_memory(data: bytes) -> tuple[UnusableWorkbook, int]:
    """Why `open_workbook` refuses `data` (default limits), and the most memory it took."""
    tracemalloc.start()
    try:
        with pytest.raises(UnusableWorkbook) as refused:
            open_workbook(data, Limits())
        return refused.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_zip_bomb_is_refused_without_being_inflated(bomb):
    assert len(bomb) < 1 * MEGABYTE
    problem, peak = _refusal_and_peak_memory(bomb)
    assert problem.reason == "zip_bomb"
    assert "100.0 MB" in problem.message
    assert peak < 10 * MEGABYTE


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened():
    problem, peak = _refusal_and_peak_memory(b"PK\x03\x04" + b"\0" * (10 * MEGABYTE + 1))
    assert problem.reason == "too_large"
    assert peak < MEGABYTE
