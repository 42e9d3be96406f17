"""config.toml: defaults that work, and one clear message when something is wrong."""

import subprocess
import sys

import pytest

from mne.config import ConfigError, load_settings
from tests.helpers import ROOT


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
