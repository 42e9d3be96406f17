"""Reading an untrusted workbook in a child process that cannot take the caller down.

The child (started from a fork server that has already imported the readers, so that starting
it is cheap) sets its own limits with `resource.setrlimit`: address space (`Limits.memory_bytes`
beyond what it maps when it starts)
and CPU time (`Limits.cpu_seconds`); the caller waits at most `Limits.timeout_seconds`. The child
runs the work (checking and reading a workbook, `importers.workbook.open_workbook`, or marking
its problems on it) and sends back its result or the catalogue problem that makes the file
unusable. A child that runs out of a limit, is killed, or dies in a reader's native code is an
unusable file with a sentence (`problems.ReadingLimit`); the caller only ever sees
`UnusableWorkbook`.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.spawn
import os
import resource
import sys
from collections.abc import Callable
from typing import Any

from importers.workbook import (
    Limits,
    SafeWorkbook,
    UnusableWorkbook,
    check_file_kind,
    open_workbook,
)
from indicators import problems
from indicators.i18n import N_, gettext

_CONTEXT = multiprocessing.get_context("forkserver")
# the fork server imports the readers once; each child starts from it
_CONTEXT.set_forkserver_preload(["importers.sandbox"])
MAIN_PATH = "MNE_SANDBOX_MAIN_PATH"
JOIN_SECONDS = 5
LOG = logging.getLogger(__name__)


def read_workbook(data: bytes, limits: Limits | None = None) -> SafeWorkbook:
    """The workbook in `data`, checked and read in a limited child process; raises
    `UnusableWorkbook` (whatever happened in the child)."""
    limits = limits or Limits()
    check_file_kind(data, limits)
    return in_sandbox(limits, open_workbook, data, limits)


def in_sandbox(limits: Limits, work: Callable[..., Any], *arguments: Any) -> Any:
    """`work(*arguments)` run in a child process within `limits` (`work` a module-level
    function, its arguments and result plain data); raises `UnusableWorkbook`."""
    _name_callers_main()
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_run_in_child, args=(sender, limits, work, arguments),
                             daemon=True)
    child.start()
    sender.close()
    try:
        return _answer(receiver, limits)
    finally:
        receiver.close()
        child.join(JOIN_SECONDS)
        if child.is_alive():
            child.kill()
            child.join()


def _name_callers_main() -> None:
    """Tell the fork server (through its environment, before it starts) the path of the
    caller's main script. A child is prepared like the caller, which runs that script again
    unless the child's main module already is it: seconds in a large application, for nothing,
    as the work is a function of this package."""
    main_path = multiprocessing.spawn.get_preparation_data("sandbox").get("init_main_from_path")
    if main_path:
        os.environ[MAIN_PATH] = main_path


def _main_taken_as_loaded() -> None:
    """In the fork server: its main module stands for the caller's script (see
    `_name_callers_main`), so that no child runs that script again."""
    main = sys.modules["__main__"]
    if os.environ.get(MAIN_PATH) and not getattr(main, "__file__", None):
        main.__file__ = os.environ[MAIN_PATH]


def _answer(receiver: Any, limits: Limits) -> Any:
    try:
        if not receiver.poll(limits.timeout_seconds):
            raise _beyond(N_("%(seconds)s seconds"), seconds=f"{limits.timeout_seconds:g}")
        kind, payload = receiver.recv()
    except (EOFError, OSError):
        raise _beyond(N_("%(megabytes)s MB of memory or %(seconds)s seconds of computing"),
                      megabytes=limits.memory_bytes // (1024 * 1024),
                      seconds=limits.cpu_seconds) from None
    if kind == "unusable":
        code, fields = payload
        raise UnusableWorkbook(problems.CATALOGUE[code], **fields)
    if kind == "failed":
        LOG.warning("a workbook reader gave up: %s", payload)
        raise UnusableWorkbook(problems.CorruptWorkbook)
    return payload


def _beyond(limit: str, **fields: Any) -> UnusableWorkbook:
    return UnusableWorkbook(problems.ReadingLimit, limit=gettext(limit, **fields))


def _mapped_bytes() -> int:
    """The address space this process maps already (libraries, interpreter): the memory
    limit is counted on top of it, whatever the machine's libraries reserve."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _run_in_child(sender: Any, limits: Limits, work: Callable[..., Any],
                  arguments: tuple) -> None:
    """In the child: limit this process, do the work, send back its result or its problem."""
    address_space = _mapped_bytes() + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    try:
        sender.send(("done", work(*arguments)))
    except UnusableWorkbook as unusable:
        sender.send(("unusable", (unusable.kind.code, unusable.fields)))
    except MemoryError:
        pass  # the closed pipe tells the caller a limit was reached
    except Exception as failure:  # noqa: BLE001 - a reader that gives up: a damaged file
        sender.send(("failed", f"{type(failure).__name__}: {str(failure)[:300]}"))
    finally:
        sender.close()


if sys.argv[:1] == ["-c"] and "multiprocessing.forkserver" in sys.modules:
    _main_taken_as_loaded()  # imported by the fork server, before any child is forked
