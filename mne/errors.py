"""The domain's errors (`indicators.errors`) mapped once to HTTP statuses and exit codes.

A page or API route lets a `MneError` rise: the application answers with the status of its
kind, as JSON under /api and as a page elsewhere (the same answer as any HTTP error). A command
lets it rise too: the command line prints its message and exits with the code of its kind.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from werkzeug.exceptions import default_exceptions

from indicators.errors import Conflict, Invalid, MneError, NotFound
from indicators.problems import ProblemError

HTTP_STATUS: dict[type[MneError], int] = {
    NotFound: 404,
    Conflict: 409,
    ProblemError: 422,
    Invalid: 400,
    MneError: 400,
}
# as every command has meant so far: 1 the command could not do it (nothing found, refused),
# 2 the file given cannot be used at all
EXIT_CODE: dict[type[MneError], int] = {
    ProblemError: 2,
    NotFound: 1,
    MneError: 1,
}


def _of_kind(table: dict[type[MneError], int], error: MneError) -> int:
    """The value `table` gives the most specific kind of `error`."""
    return next(table[kind] for kind in type(error).__mro__ if kind in table)


def http_status(error: MneError) -> int:
    return _of_kind(HTTP_STATUS, error)


def exit_code(error: MneError) -> int:
    return _of_kind(EXIT_CODE, error)


def register(app: Flask) -> None:
    """Answer every `MneError` a route lets rise with its status and message."""
    app.register_error_handler(MneError, _answer)


def _answer(error: MneError):
    http_error = default_exceptions[http_status(error)](description=error.message)
    return current_app.handle_http_exception(http_error)


class CommandFailed(click.ClickException):
    """A domain error ending a command: its message on stderr, its kind's exit code."""

    def __init__(self, error: MneError):
        super().__init__(error.message)
        self.exit_code = exit_code(error)


def with_exit_codes(command: click.Command) -> click.Command:
    """`command` (with its subcommands) ending on a `MneError` with the error's exit code."""
    invoke = command.invoke

    def invoke_mapping_errors(context: click.Context):
        try:
            return invoke(context)
        except MneError as error:
            raise CommandFailed(error) from None

    command.invoke = invoke_mapping_errors
    return command
