"""Every command of the `mne` command line, one module per area; `register` adds them all."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add mne's commands to the application's command line."""
    from mne.accounts.cli import user_command
    from mne.commands import (
        exports,
        framework,
        reports,
        returns,
        server,
        setup,
        standards,
        statistics,
    )
    from mne.errors import with_exit_codes

    for command in (setup.init_command, setup.demo_command, server.serve_command,
                    returns.template_command, returns.import_command,
                    standards.standards_group, statistics.import_stats_command,
                    exports.export_command, framework.framework_group, user_command,
                    server.scheduler_command, reports.report_command):
        app.cli.add_command(with_exit_codes(command))
