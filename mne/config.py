"""Loading config.toml into typed settings, with one clear message for what is wrong."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from indicators.obligations import Calendar
from indicators.progress import Thresholds
from reports.notify import SmtpServer

CONFIG_ENV = "MNE_CONFIG"
DATABASE_ENV = "MNE_DATABASE_URL"
SMTP_USER_ENV = "MNE_SMTP_USER"
SMTP_PASSWORD_ENV = "MNE_SMTP_PASSWORD"
SECRET_ENV = "MNE_SECRET_KEY"


class ConfigError(Exception):
    """config.toml is missing, malformed or holds a wrong value; the message names file and key."""


@dataclass(frozen=True)
class LoginLimits:
    """Failed log-ins allowed per account and per address within `window`."""

    per_account: int = 5
    per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Settings:
    """Everything config.toml says, with paths resolved."""

    path: Path
    database_url: str
    storage_folder: Path
    period_type: str
    due_days: int
    review_days: int
    remind_days_before: int
    thresholds: Thresholds
    max_upload_bytes: int
    max_uncompressed_bytes: int
    scheduler_enabled: bool
    scheduler_timezone: str
    jobs: dict[str, str]
    run_at: dt.time
    misfire_grace_seconds: int
    reminder_lookback: int
    smtp: SmtpServer | None
    host: str
    port: int
    default_locale: str
    site_url: str
    dimensions: dict[str, dict[str, Any]] = field(default_factory=dict)
    production: bool = False
    secure_cookies: bool = False
    login_limits: LoginLimits = field(default_factory=LoginLimits)

    @property
    def calendar(self) -> Calendar:
        """The reporting calendar: when returns are due, reminded and reported on."""
        return Calendar(self.period_type, self.due_days, self.review_days,
                        self.remind_days_before)


def config_path() -> Path:
    """The config file in use: $MNE_CONFIG, else config.toml in the working directory."""
    return Path(os.environ.get(CONFIG_ENV) or "config.toml").resolve()


def load_settings(path: Path | None = None) -> Settings:
    """Read and check the config file."""
    path = (path or config_path()).resolve()
    if not path.is_file():
        raise ConfigError(
            f"{path}: configuration file not found "
            f"(set {CONFIG_ENV} or run from the project folder)"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    reader = _Reader(path, data)
    base = path.parent
    url = os.environ.get(DATABASE_ENV) or reader.get("database.url", str)
    return Settings(
        path=path,
        database_url=_resolve_sqlite(url, base, path),
        storage_folder=base / reader.get("storage.folder", str),
        period_type=reader.choice("calendar.period_type",
                                  ("monthly", "quarterly", "semiannual", "annual")),
        due_days=reader.get("calendar.due_days", int),
        review_days=reader.optional("calendar.review_days", int, 15),
        remind_days_before=reader.optional("calendar.remind_days_before", int, 7),
        thresholds=Thresholds(
            on_track=reader.fraction("thresholds.on_track"),
            at_risk=reader.fraction("thresholds.at_risk"),
            maintain_tolerance=reader.fraction("thresholds.maintain_tolerance"),
            trend_periods=reader.get("thresholds.trend_periods", int),
        ),
        max_upload_bytes=reader.get("uploads.max_bytes", int),
        max_uncompressed_bytes=reader.get("uploads.max_uncompressed_bytes", int),
        scheduler_enabled=reader.get("scheduler.enabled", bool),
        scheduler_timezone=reader.get("scheduler.timezone", str),
        jobs=reader.get("scheduler.jobs", dict),
        run_at=reader.time_of_day("scheduler.run_at", dt.time(6)),
        misfire_grace_seconds=reader.get("scheduler.misfire_grace_seconds", int),
        reminder_lookback=reader.get("scheduler.reminder_lookback", int),
        smtp=reader.smtp(),
        host=reader.get("web.host", str),
        port=reader.get("web.port", int),
        default_locale=reader.get("web.default_locale", str),
        site_url=reader.optional("web.site_url", str, "").rstrip("/"),
        dimensions=reader.dimensions(),
        production=reader.optional("web.production", bool, False),
        secure_cookies=reader.optional("web.secure_cookies", bool, False),
        login_limits=LoginLimits(
            per_account=reader.optional("security.login_failures_per_account", int, 5),
            per_address=reader.optional("security.login_failures_per_address", int, 20),
            window=dt.timedelta(
                minutes=reader.optional("security.login_window_minutes", int, 15)),
        ),
    )


def _resolve_sqlite(url: str, base: Path, path: Path) -> str:
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy raises several kinds for a bad URL
        raise ConfigError(f"{path}: database.url '{url}' is not a database URL") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(parsed.database)
        if not database.is_absolute():
            return str(parsed.set(database=str(base / database)))
    return url


class _Reader:
    def __init__(self, path: Path, data: dict[str, Any]):
        self.path, self.data = path, data

    def _fail(self, key: str, expected: str) -> ConfigError:
        return ConfigError(f"{self.path}: key '{key}' {expected}")

    def get(self, key: str, kind: type) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise self._fail(key, "is missing")
            node = node[part]
        if kind is int and isinstance(node, bool) or not isinstance(node, kind):
            raise self._fail(key, f"must be {kind.__name__}, found {node!r}")
        return node

    def optional(self, key: str, kind: type, default: Any) -> Any:
        """The value at `key`, or `default` when the file does not set it."""
        try:
            return self.get(key, kind)
        except ConfigError as problem:
            if str(problem).endswith("is missing"):
                return default
            raise

    def time_of_day(self, key: str, default: dt.time) -> dt.time:
        """An optional "HH:MM" at `key`."""
        value = self.optional(key, str, None)
        if value is None:
            return default
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            raise self._fail(key, f"must be a time of day like 06:00, found {value!r}") from None

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.get(key, str)
        if value not in allowed:
            raise self._fail(key, f"must be one of {', '.join(allowed)}, found {value!r}")
        return value

    def fraction(self, key: str) -> float:
        value = self.get(key, object)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise self._fail(key, f"must be a number between 0 and 1, found {value!r}")
        return float(value)

    def smtp(self) -> SmtpServer | None:
        host = self.get("smtp.host", str)
        if not host:
            return None
        return SmtpServer(host=host, port=self.get("smtp.port", int),
                          sender=self.get("smtp.sender", str),
                          starttls=self.get("smtp.starttls", bool),
                          username=os.environ.get(SMTP_USER_ENV, ""),
                          password=os.environ.get(SMTP_PASSWORD_ENV, ""))

    def dimensions(self) -> dict[str, dict[str, Any]]:
        dimensions = self.get("dimensions", dict)
        for code in ("sex", "age"):
            if code not in dimensions:
                raise self._fail(f"dimensions.{code}", "is missing")
        for code, spec in dimensions.items():
            categories = self.get(f"dimensions.{code}.categories", dict)
            if not categories:
                raise self._fail(f"dimensions.{code}.categories", "must name at least one")
            spec.setdefault("name", code.title())
        return dimensions


WEAK_SECRET_WORDS = ("secret", "change", "password", "example", "default", "mne")
MIN_SECRET_LENGTH = 32


def secret_key(settings: Settings) -> str:
    """The key that signs sessions: $MNE_SECRET_KEY; in development a random one when it is
    not set. In production mode (web.production = true) a missing or weak key stops the start
    with a ConfigError."""
    key = os.environ.get(SECRET_ENV, "")
    if settings.production:
        problem = secret_key_problem(key)
        if problem:
            raise ConfigError(
                f"{settings.path}: web.production is true but {SECRET_ENV} {problem}; set it to "
                f"a random secret of {MIN_SECRET_LENGTH} characters or more, for example the "
                f"output of: python3 -c 'import secrets; print(secrets.token_hex(32))'")
    return key or secrets.token_hex(32)


def secret_key_problem(key: str) -> str:
    """Why `key` is not fit to sign sessions in production, or "" when it is."""
    if not key:
        return "is not set"
    if len(key) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(key)) < 10 or any(word in key.lower() for word in WEAK_SECRET_WORDS):
        return "looks guessable (repeated characters or a common word)"
    return ""
