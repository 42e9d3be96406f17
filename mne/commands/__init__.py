"""Every command of the `mne` command line, one module per area. `COMMANDS` names where each
lives, so that the command line loads a command's module only when that command runs."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click
    from flask import Flask

COMMANDS = {
    "init": "mne.commands.setup:init_command",
    "demo": "mne.commands.setup:demo_command",
    "serve": "mne.commands.server:serve_command",
    "template": "mne.commands.returns:template_command",
    "import": "mne.commands.returns:import_command",
    "standards": "mne.commands.standards:standards_group",
    "import-stats": "mne.commands.statistics:import_stats_command",
    "export": "mne.commands.exports:export_command",
    "framework": "mne.commands.framework:framework_group",
    "user": "mne.accounts.cli:user_command",
    "scheduler": "mne.commands.server:scheduler_command",
    "report": "mne.commands.reports:report_command",
}
SERVING_PAGES = {"serve"}
"""The commands that serve pages; the others build the application without them."""


def register(app: Flask) -> None:
    """Add mne's commands to the application's command line (`flask --app mne ...`)."""
    for name in COMMANDS:
        app.cli.add_command(load_command(name))


@cache
def load_command(name: str) -> click.Command:
    """The command `name`, its module imported now, ending on a `MneError` with its exit code."""
    from mne.errors import with_exit_codes

    module, attribute = COMMANDS[name].split(":")
    return with_exit_codes(getattr(importlib.import_module(module), attribute))


def description(name: str) -> str:
    """The help of the command `name` (its function's docstring), read from its module's source
    without importing it."""
    module, attribute = COMMANDS[name].split(":")
    source = importlib.util.find_spec(module).origin
    with open(source, encoding="utf-8") as stream:
        tree = ast.parse(stream.read(), source)
    function = next(node for node in tree.body
                    if isinstance(node, ast.FunctionDef) and node.name == attribute)
    return ast.get_docstring(function) or ""
