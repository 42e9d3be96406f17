"""Bulk imports pause the garbage collector and always leave it as they found it."""

import gc

import pytest

from indicators.bulk import collector_paused


def test_collector_resumes_after_nested_imports_and_a_failed_one():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with pytest.raises(ValueError), collector_paused():
            raise ValueError("a workbook that cannot be read")
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_switched_off_by_the_host_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
