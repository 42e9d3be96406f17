"""Helpers for writing thousands of rows at once."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _CollectorPause:
    """How many blocks run without the collector, and whether it ran before the first."""

    lock = threading.Lock()
    depth = 0
    resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without Python's cyclic garbage collector.

    A bulk import allocates hundreds of thousands of short-lived objects; they trigger full
    collections that walk every live object of the process, about half the time of importing
    a return. Reference counting still frees what the block drops; cycles are collected once
    it ends. Blocks may nest and run in several threads: the collector resumes when the last
    one ends, if it was running before the first began."""
    with _CollectorPause.lock:
        if _CollectorPause.depth == 0:
            _CollectorPause.resume = gc.isenabled()
            gc.disable()
        _CollectorPause.depth += 1
    try:
        yield
    finally:
        with _CollectorPause.lock:
            _CollectorPause.depth -= 1
            if _CollectorPause.depth == 0 and _CollectorPause.resume:
                gc.enable()
