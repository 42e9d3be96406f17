"""A reader that runs wild in the sandbox is stopped, and the caller hears one sentence: too
much memory, too long, or a crash in native code are an unusable file, never a dead server."""

from __future__ import annotations

import os
import time

import pytest

from importers.sandbox import in_sandbox
from importers.workbook import Limits, UnusableWorkbook

MEGABYTE = 1024 * 1024


def hog_memory() -> int:
    """Ask for far more memory than the sandbox allows."""
    return len(bytearray(2048 * MEGABYTE))


def abort() -> None:
    """Die as a native reader does on a failed allocation (SIGABRT)."""
    os.abort()


def sleep_long() -> None:
    time.sleep(60)


def add(first: int, second: int) -> int:
    return first + second


def _refusal(work, limits: Limits) -> UnusableWorkbook:
    with pytest.raises(UnusableWorkbook) as raised:
        in_sandbox(limits, work)
    return raised.value


def test_work_within_the_limits_gives_its_result():
    assert in_sandbox(Limits(), add, 2, 3) == 5


@pytest.mark.parametrize("work", [hog_memory, abort])
def test_a_reader_that_runs_out_of_memory_or_dies_is_an_unusable_file(work):
    problem = _refusal(work, Limits(memory_bytes=200 * MEGABYTE))
    assert problem.reason == "reading_limit"
    assert "200 MB of memory" in problem.message


def test_a_reader_that_takes_too_long_is_stopped():
    started = time.monotonic()
    problem = _refusal(sleep_long, Limits(timeout_seconds=1))
    assert problem.reason == "reading_limit" and "1 seconds" in problem.message
    assert time.monotonic() - started < 15
