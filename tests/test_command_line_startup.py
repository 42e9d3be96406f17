"""The command line answers at once: `mne --help` and `mne --version` load neither the
application nor the libraries its commands need, and the help still describes every command
as the command itself does; a command that serves no page builds the application without its
pages, and loads only the libraries its own work needs."""

import subprocess
import sys

import click

from mne.commands import COMMANDS, description, load_command

HEAVY = ("pandas", "openpyxl", "apscheduler", "weasyprint", "sqlalchemy", "flask", "mne.web",
         "mne.api", "mne.commands.setup")
LOADED_BY = """
import sys
from mne.cli import main
sys.argv = ["mne", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(" ".join(sys.modules), file=sys.stderr)
"""


def _modules_loaded_by(*arguments: str) -> tuple[str, set[str]]:
    result = subprocess.run([sys.executable, "-c", LOADED_BY, *arguments], capture_output=True,
                            text=True, timeout=60, check=True)
    return result.stdout, set(result.stderr.split())


def test_help_and_version_load_no_library_a_command_needs():
    for arguments in (["--help"], ["--version"]):
        output, modules = _modules_loaded_by(*arguments)
        assert output.strip(), arguments
        assert sorted(modules & set(HEAVY)) == [], arguments


def test_help_lists_every_command_as_the_command_describes_itself():
    output, _modules = _modules_loaded_by("--help")
    listed = [line.split()[0] for line in output.split("Commands:")[1].splitlines() if line]
    assert listed == sorted(COMMANDS)
    for name in COMMANDS:
        described = click.Command(name, help=description(name))
        assert described.get_short_help_str(200) == load_command(name).get_short_help_str(200)


PAGES = ("mne.web", "mne.api", "mne.web.evaluation", "mne.accounts.guard")


def test_commands_that_serve_no_page_build_the_application_without_its_pages(config_file,
                                                                           tmp_path):
    _output, modules = _modules_loaded_by("standards", "add", "--strategy", "NONE",
                                          "--objective", "O1", "16.2.2")
    assert "flask_wtf" in modules   # the application was built (its CSRF protection)
    assert sorted(modules & {*PAGES, "pandas", "openpyxl", "apscheduler", "alembic"}) == []
    table = tmp_path / "statistics.csv"
    table.write_text("not,the,columns\n1,2,3\n", encoding="utf-8")
    _output, modules = _modules_loaded_by("import-stats", str(table), "--mapping", "unodc")
    assert "importers.statistics" in modules
    assert sorted(modules & {*PAGES, "openpyxl", "apscheduler", "alembic"}) == []


def test_configuration_knows_every_scheduled_job_without_loading_them():
    from reports.job_names import JOB_NAMES
    from reports.jobs import JOBS

    assert sorted(JOB_NAMES) == sorted(JOBS)
