"""config.toml: defaults that work, and one clear message when something is wrong."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mne.config import ConfigError, load_settings
from tests.helpers import ROOT, free_port, write_config


def test_project_config_holds_documented_defaults(monkeypatch):
    monkeypatch.delenv("MNE_DATABASE_URL", raising=False)
    settings = load_settings(ROOT / "config.toml")
    assert settings.database_url == f"sqlite:///{ROOT / 'instance' / 'mne.db'}"
    assert settings.storage_folder == ROOT / "instance" / "storage"
    assert list(settings.dimensions["sex"]["categories"]) == ["female", "male", "other", "unknown"]
    assert list(settings.dimensions["age"]["categories"]) == ["0-17", "18+", "unknown"]
    assert settings.period_type == "quarterly"
    assert 0 < settings.thresholds.at_risk < settings.thresholds.on_track <= 1


def test_database_url_from_environment_wins(monkeypatch):
    monkeypatch.setenv("MNE_DATABASE_URL", "postgresql+psycopg://someone@db.example/mne")
    assert load_settings(ROOT / "config.toml").database_url.startswith("postgresql+psycopg://")


def test_missing_config_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match=r"config\.toml: configuration file not found"):
        load_settings(tmp_path / "config.toml")


def test_malformed_config_names_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[database\nurl = 1\n")
    with pytest.raises(ConfigError, match=r"config\.toml: not valid TOML"):
        load_settings(path)


def test_missing_key_is_named_with_the_file(tmp_path):
    path = tmp_path / "config.toml"
    text = (ROOT / "config.toml").read_text().replace("due_days = 30\n", "")
    path.write_text(text)
    with pytest.raises(ConfigError) as problem:
        load_settings(path)
    assert str(problem.value) == f"{path}: key 'calendar.due_days' is missing"


def test_the_calendar_holds_the_review_window_and_the_reminder_day(tmp_path):
    settings = load_settings(ROOT / "config.toml")
    assert (settings.calendar.due_days, settings.calendar.review_days,
            settings.calendar.remind_days_before) == (30, 15, 7)
    assert settings.jobs == {"quarterly_reports": "calendar", "reminders": "calendar"}
    path = tmp_path / "config.toml"
    path.write_text((ROOT / "config.toml").read_text().replace("review_days = 15\n", "")
                    .replace("remind_days_before = 7\n", "remind_days_before = 3\n"))
    older = load_settings(path).calendar
    assert (older.review_days, older.remind_days_before) == (15, 3), "15 days when not set"


def test_wrong_time_of_day_is_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text((ROOT / "config.toml").read_text().replace('run_at = "06:00"',
                                                               'run_at = "six"'))
    with pytest.raises(ConfigError, match="key 'scheduler.run_at' must be a time of day"):
        load_settings(path)


def test_wrong_threshold_is_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text((ROOT / "config.toml").read_text().replace("on_track = 0.9", "on_track = 9"))
    with pytest.raises(ConfigError, match="key 'thresholds.on_track' must be a number between"):
        load_settings(path)


def test_command_line_prints_one_line_not_a_traceback(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[database]\nurl = 'sqlite://'\n")
    result = subprocess.run([sys.executable, "-m", "mne", "init"], capture_output=True,
                            text=True, env={"MNE_CONFIG": str(path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert result.stderr.strip() == f"mne: {path}: key 'storage.folder' is missing"
    assert "Traceback" not in result.stderr


def test_unknown_key_is_refused_with_the_nearest_known_one(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text((ROOT / "config.toml").read_text().replace("production = false",
                                                               "producton = true"))
    with pytest.raises(ConfigError) as problem:
        load_settings(path)
    assert str(problem.value) == (f"{path}: unknown key 'web.producton'; "
                                  f"did you mean 'web.production'?")


def test_a_key_nothing_resembles_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text((ROOT / "config.toml").read_text() + "\n[zzz]\nqqq = 1\n")
    with pytest.raises(ConfigError, match=r"unknown key 'zzz'; remove it \(the project's "
                                          r"config\.toml documents every key\)"):
        load_settings(path)


def test_optional_keys_may_be_left_out(tmp_path):
    path = tmp_path / "config.toml"
    text = (ROOT / "config.toml").read_text()
    path.write_text(text[:text.index("[security]")] + text[text.index("# Disaggregation"):])
    limits = load_settings(path).login_limits
    assert (limits.per_account, limits.per_address) == (5, 20)


def _mne(config: Path, *arguments: str) -> subprocess.CompletedProcess:
    """The real `mne` command line with `config`, as an administrator runs it."""
    command = shutil.which("mne", path=str(Path(sys.executable).parent))
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("MNE_DATABASE_URL", "MNE_SECRET_KEY")}
    return subprocess.run([command, *arguments], capture_output=True, text=True, timeout=120,
                          env={**environment, "MNE_CONFIG": str(config)})


SERVE = ("serve", "--host", "127.0.0.1", "--port", "{port}")
BROKEN_CONFIGURATIONS = {
    "misspelt production": ("production = false", "producton = true", SERVE,
                            "unknown key 'web.producton'; did you mean 'web.production'?"),
    "misspelt secure_cookies": (
        "secure_cookies = false", "secure_cookie = true", SERVE,
        "unknown key 'web.secure_cookie'; did you mean 'web.secure_cookies'?"),
    "port out of range": ("port = 5000", "port = 99999", ("serve",),
                          "key 'web.port' must be a whole number from 1 to 65535, found 99999"),
    "bad cron expression": ('reminders = "calendar"', 'reminders = "0 25 * * mon"', SERVE,
                            "key 'scheduler.jobs.reminders' holds a wrong cron expression"),
    "unknown job": ('reminders = "calendar"', 'reminder = "calendar"', SERVE,
                    "unknown key 'scheduler.jobs.reminder'; did you mean "
                    "'scheduler.jobs.reminders'?"),
    "bad time zone": ('timezone = "UTC"', 'timezone = "Europe/Atlantis"', SERVE,
                      "key 'scheduler.timezone' must be a time zone such as 'UTC'"),
    "unreachable PostgreSQL": (
        'url = "{sqlite}"', 'url = "postgresql+psycopg://mne@127.0.0.1:1/mne"', SERVE,
        "the database postgresql+psycopg://mne@127.0.0.1:1/mne (database.url or "
        "MNE_DATABASE_URL) cannot be opened"),
    "uninitialised database, serving": ("", "", SERVE,
                                         "is not initialised; run 'mne init' first"),
    "uninitialised database, adding a user": (
        "", "", ("user", "add", "someone@test.example", "--password", "a long password"),
        "is not initialised; run 'mne init' first"),
    "unwritable storage": ('folder = "instance/storage"', 'folder = "blocker/storage"',
                           ("init",), "storage.folder {folder} cannot keep files (Not a "
                           "directory); make it a folder the user"),
}


@pytest.mark.parametrize("case", BROKEN_CONFIGURATIONS)
def test_a_broken_configuration_stops_mne_with_one_sentence(tmp_path, case):
    old, new, arguments, expected = BROKEN_CONFIGURATIONS[case]
    sqlite = f"sqlite:///{tmp_path / 'mne.db'}"
    path = write_config(tmp_path, sqlite)
    path.write_text(path.read_text().replace(old.format(sqlite=sqlite), new))
    (tmp_path / "blocker").write_text("a file where the storage folder should be")
    result = _mne(path, *(argument.format(port=str(free_port())) for argument in arguments))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"mne: {path}: ")
    assert expected.format(folder=tmp_path / "blocker" / "storage") in result.stderr


def test_serve_says_when_its_port_is_taken(run_mne, config_file):
    run_mne("init")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_mne("serve", "--host", "127.0.0.1", "--port", str(port), check=False)
    assert result.returncode == 2
    assert result.stderr == (f"mne: {config_file}: cannot listen on 127.0.0.1:{port} (Address "
                             f"already in use); stop what uses it or choose another web.port "
                             f"(or --port, or make run PORT={port + 1})\n")
