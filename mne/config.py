"""Loading config.toml into typed settings, with one clear sentence for what is wrong: the file,
the key, and what it must be (or the nearest known key, for a key it does not know)."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url

from indicators.i18n import N_, gettext
from indicators.obligations import Calendar
from indicators.progress import Thresholds
from mne.languages import LANGUAGES
from reports.job_names import CALENDAR, JOB_NAMES

if TYPE_CHECKING:
    from reports.notify import SmtpServer

CONFIG_ENV = "MNE_CONFIG"
DATABASE_ENV = "MNE_DATABASE_URL"
SMTP_USER_ENV = "MNE_SMTP_USER"
SMTP_PASSWORD_ENV = "MNE_SMTP_PASSWORD"
SECRET_ENV = "MNE_SECRET_KEY"


class ConfigError(Exception):
    """config.toml is missing, malformed or holds a wrong value; the message names file and key.

    `where` (the file, or the key) leads the sentence; `message` (marked with N_, with its
    `%(name)s` placeholders filled from `variables`) is translated when the error is read, so
    that it reaches the reader in the language known by then (the configured one, once read)."""

    def __init__(self, where: object, message: str, /, **variables: object):
        super().__init__(where, message, variables)
        self.where, self.message, self.variables = where, message, variables

    def __str__(self) -> str:
        return f"{self.where}: {gettext(self.message, **self.variables)}"


@dataclass(frozen=True)
class LoginLimits:
    """How log-ins slow down after failures (never refusing a right password for good): once an
    account has `per_account` failures within `window` (since its last log-in), or an address
    `per_address`, its next attempt waits `delay`, doubled with each further failure, at most
    `max_delay`."""

    per_account: int = 5
    per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=60)
    delay: dt.timedelta = dt.timedelta(seconds=1)
    max_delay: dt.timedelta = dt.timedelta(minutes=5)

    def wait_after(self, failures: int, allowed: int) -> dt.timedelta:
        """How long after the latest of `failures` the next attempt waits."""
        if failures < allowed:
            return dt.timedelta(0)
        return min(self.delay * 2 ** min(failures - allowed, 32), self.max_delay)


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
    proxies: int = 0
    submit_before_period_end: bool = False
    login_limits: LoginLimits = field(default_factory=LoginLimits)

    @property
    def calendar(self) -> Calendar:
        """The reporting calendar: when returns are due, reminded and reported on."""
        return Calendar(self.period_type, self.due_days, self.review_days,
                        self.remind_days_before)


def config_path() -> Path:
    """The config file in use: $MNE_CONFIG, else config.toml in the working directory."""
    return Path(os.environ.get(CONFIG_ENV) or "config.toml").resolve()


def configured_language(path: Path | None = None) -> str | None:
    """The web.default_locale the config file names, when the file can be read at all (else
    None): the language to say in why the rest of it cannot be used."""
    try:
        data = tomllib.loads((path or config_path()).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    web = data.get("web")
    language = web.get("default_locale") if isinstance(web, dict) else None
    return language if language in LOCALES else None


def load_settings(path: Path | None = None) -> Settings:
    """Read and check the config file: unknown keys are refused (naming the nearest known
    one), values are checked against their kind and range."""
    path = (path or config_path()).resolve()
    if not path.is_file():
        raise ConfigError(path, N_("configuration file not found (set %(variable)s or run "
                                   "from the project folder)"), variable=CONFIG_ENV)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(path, N_("not valid TOML: %(error)s"), error=str(error)) from None
    reader = _Reader(path, data)
    reader.refuse_unknown_keys()
    base = path.parent
    url = os.environ.get(DATABASE_ENV) or reader.get("database.url")
    return Settings(
        path=path,
        database_url=_resolve_sqlite(url, base, path),
        storage_folder=base / reader.get("storage.folder"),
        period_type=reader.choice("calendar.period_type",
                                  ("monthly", "quarterly", "semiannual", "annual")),
        due_days=reader.whole("calendar.due_days", 0, 366),
        review_days=reader.whole("calendar.review_days", 0, 366, default=15),
        remind_days_before=reader.whole("calendar.remind_days_before", 0, 366, default=7),
        thresholds=Thresholds(
            on_track=reader.fraction("thresholds.on_track"),
            at_risk=reader.fraction("thresholds.at_risk"),
            maintain_tolerance=reader.fraction("thresholds.maintain_tolerance"),
            trend_periods=reader.whole("thresholds.trend_periods", 2),
        ),
        max_upload_bytes=reader.whole("uploads.max_bytes", 1),
        max_uncompressed_bytes=reader.whole("uploads.max_uncompressed_bytes", 1),
        scheduler_enabled=reader.get("scheduler.enabled"),
        scheduler_timezone=reader.timezone("scheduler.timezone"),
        jobs=reader.jobs(),
        run_at=reader.time_of_day("scheduler.run_at", dt.time(6)),
        misfire_grace_seconds=reader.whole("scheduler.misfire_grace_seconds", 0),
        reminder_lookback=reader.whole("scheduler.reminder_lookback", 1),
        smtp=reader.smtp(),
        host=reader.get("web.host"),
        port=reader.whole("web.port", 1, MAX_PORT),
        default_locale=reader.choice("web.default_locale", LOCALES),
        site_url=reader.optional("web.site_url", "").rstrip("/"),
        dimensions=reader.dimensions(),
        production=reader.optional("web.production", False),
        secure_cookies=reader.optional("web.secure_cookies", False),
        proxies=reader.whole("web.proxies", 0, 5, default=0),
        submit_before_period_end=reader.optional("calendar.submit_before_period_end", False),
        login_limits=LoginLimits(
            per_account=reader.whole("security.login_failures_per_account", 1, default=5),
            per_address=reader.whole("security.login_failures_per_address", 1, default=20),
            window=dt.timedelta(
                minutes=reader.whole("security.login_window_minutes", 1, default=60)),
            delay=dt.timedelta(
                seconds=reader.positive("security.login_delay_seconds", default=1)),
            max_delay=dt.timedelta(
                seconds=reader.positive("security.login_max_delay_seconds", default=300)),
        ),
    )


def _resolve_sqlite(url: str, base: Path, path: Path) -> str:
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy raises several kinds for a bad URL
        raise ConfigError(path, N_("database.url '%(url)s' is not a database URL"),
                          url=url) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(parsed.database)
        if not database.is_absolute():
            return str(parsed.set(database=str(base / database)))
    return url


MAX_PORT = 65535
LOCALES = tuple(LANGUAGES)  # the languages offered, each with a catalogue
Number = float  # a key of this kind takes a whole or a decimal number

# Every key config.toml may hold, and its kind. Below `dimensions` the keys are the
# administrator's own codes; below `scheduler.jobs` they are the names of the jobs
# (JOB_NAMES).
KEYS: dict[str, type] = {
    "database.url": str,
    "storage.folder": str,
    "calendar.period_type": str, "calendar.due_days": int, "calendar.review_days": int,
    "calendar.remind_days_before": int, "calendar.submit_before_period_end": bool,
    "thresholds.on_track": Number, "thresholds.at_risk": Number,
    "thresholds.maintain_tolerance": Number, "thresholds.trend_periods": int,
    "uploads.max_bytes": int, "uploads.max_uncompressed_bytes": int,
    "scheduler.enabled": bool, "scheduler.timezone": str, "scheduler.jobs": dict,
    "scheduler.misfire_grace_seconds": int, "scheduler.reminder_lookback": int,
    "scheduler.run_at": str,
    "smtp.host": str, "smtp.port": int, "smtp.sender": str, "smtp.starttls": bool,
    "web.host": str, "web.port": int, "web.default_locale": str, "web.production": bool,
    "web.secure_cookies": bool, "web.site_url": str, "web.proxies": int,
    "security.login_failures_per_account": int, "security.login_failures_per_address": int,
    "security.login_window_minutes": int, "security.login_delay_seconds": Number,
    "security.login_max_delay_seconds": Number,
    "dimensions": dict,
}
WRONG_KIND = {  # a key's value is not of its kind
    str: N_("key '%(key)s' must be text in quotes, found %(value)s"),
    int: N_("key '%(key)s' must be a whole number, found %(value)s"),
    Number: N_("key '%(key)s' must be a number, found %(value)s"),
    bool: N_("key '%(key)s' must be true or false, found %(value)s"),
    dict: N_("key '%(key)s' must be a table, found %(value)s"),
}
MISSING_KEY = N_("key '%(key)s' is missing")
_MISSING = object()


def _tables(keys) -> set[str]:
    """The tables that hold `keys`: 'a' and 'a.b' for 'a.b.c'."""
    return {key.rsplit(".", depth)[0] for key in keys for depth in range(1, key.count(".") + 1)}


class _Reader:
    def __init__(self, path: Path, data: dict[str, Any]):
        self.path, self.data = path, data

    def _fail(self, key: str, message: str, value: Any = _MISSING, **variables: Any) -> ConfigError:
        """The error of `key` (`message` names it as `%(key)s`, and the value found, given
        as `value`, as `%(value)s`)."""
        found = {} if value is _MISSING else {"value": repr(value)}
        return ConfigError(self.path, message, key=key, **found, **variables)

    def refuse_unknown_keys(self) -> None:
        """Refuse the first key that is not in KEYS (a misspelt key would otherwise be
        ignored silently), suggesting the nearest known one."""
        known = {*KEYS, *(f"scheduler.jobs.{job}" for job in JOB_NAMES)}
        tables = _tables(known)
        pending = list(self.data.items())
        while pending:
            key, value = pending.pop(0)
            if key in tables:
                if not isinstance(value, dict):
                    raise self._fail(key, N_("key '%(key)s' must be a table ([%(key)s]), found "
                                             "%(value)s"), value)
                pending.extend((f"{key}.{name}", inner) for name, inner in value.items())
            elif key not in known:
                raise self._unknown(key, known | tables)

    def _unknown(self, key: str, known: set[str]) -> ConfigError:
        """The error of an unknown key: the nearest known one, if any is near, else what to do."""
        near = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
        if near:
            return self._fail(key, N_("unknown key '%(key)s'; did you mean '%(near)s'?"),
                              near=near[0])
        return self._fail(key, N_("unknown key '%(key)s'; remove it (the project's config.toml "
                                  "documents every key)"))

    def _value(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        return node

    def get(self, key: str, kind: type | None = None) -> Any:
        """The value at `key`, of its kind in KEYS (or `kind`)."""
        kind = kind or KEYS[key]
        node = self._value(key)
        if node is _MISSING:
            raise self._fail(key, MISSING_KEY)
        wrong_kind = (isinstance(node, bool) and kind is not bool
                      or not isinstance(node, int | float if kind is Number else kind))
        if wrong_kind:
            raise self._fail(key, WRONG_KIND[kind], node)
        return node

    def optional(self, key: str, default: Any) -> Any:
        """The value at `key`, or `default` when the file does not set it."""
        return default if self._value(key) is _MISSING else self.get(key)

    def whole(self, key: str, low: int, high: int | None = None, default: Any = _MISSING) -> int:
        """A whole number from `low` to `high` (or at least `low`)."""
        value = self.get(key) if default is _MISSING else self.optional(key, default)
        if high is not None and not low <= value <= high:
            raise self._fail(key, N_("key '%(key)s' must be a whole number from %(low)s to "
                                     "%(high)s, found %(value)s"), value, low=low, high=high)
        if value < low:
            raise self._fail(key, N_("key '%(key)s' must be a whole number of at least %(low)s, "
                                     "found %(value)s"), value, low=low)
        return value

    def positive(self, key: str, default: float) -> float:
        value = self.optional(key, default)
        if not 0 < value < float("inf"):
            raise self._fail(key, N_("key '%(key)s' must be a number above 0, found "
                                     "%(value)s"), value)
        return float(value)

    def time_of_day(self, key: str, default: dt.time) -> dt.time:
        """An optional "HH:MM" at `key`."""
        value = self.optional(key, None)
        if value is None:
            return default
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            raise self._fail(key, N_("key '%(key)s' must be a time of day like 06:00, found "
                                     "%(value)s"), value) from None

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.get(key)
        if value not in allowed:
            raise self._fail(key, N_("key '%(key)s' must be one of %(allowed)s, found "
                                     "%(value)s"), value, allowed=", ".join(allowed))
        return value

    def fraction(self, key: str) -> float:
        value = self.get(key)
        if not 0 <= value <= 1:
            raise self._fail(key, N_("key '%(key)s' must be a number between 0 and 1, found "
                                     "%(value)s"), value)
        return float(value)

    def timezone(self, key: str) -> str:
        """A time zone of the IANA database, such as UTC or Africa/Nairobi."""
        value = self.get(key)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self._fail(key, N_("key '%(key)s' must be a time zone such as 'UTC' or "
                                     "'Africa/Nairobi', found %(value)s"), value) from None
        return value

    def jobs(self) -> dict[str, str]:
        """The scheduled jobs and their schedules: "calendar", or a cron expression checked in
        the time zone."""
        timezone, jobs = self.timezone("scheduler.timezone"), self.get("scheduler.jobs")
        for job in jobs:
            expression = self.get(f"scheduler.jobs.{job}", str)
            if expression == CALENDAR:
                continue
            from reports.scheduler import ScheduleError, cron_trigger  # only for a cron line

            try:
                cron_trigger(expression, timezone)
            except ScheduleError as problem:
                raise self._fail(f"scheduler.jobs.{job}", N_(
                    "key '%(key)s' holds a wrong %(problem)s; write \"%(calendar)s\" or minute "
                    "hour day month day-of-week, such as '0 8 * * mon'"),
                    problem=str(problem), calendar=CALENDAR) from None
        return jobs

    def smtp(self) -> SmtpServer | None:
        host = self.get("smtp.host")
        if not host:
            return None
        from reports.notify import SmtpServer

        return SmtpServer(host=host, port=self.whole("smtp.port", 1, MAX_PORT),
                          sender=self.get("smtp.sender"),
                          starttls=self.get("smtp.starttls"),
                          username=os.environ.get(SMTP_USER_ENV, ""),
                          password=os.environ.get(SMTP_PASSWORD_ENV, ""))

    def dimensions(self) -> dict[str, dict[str, Any]]:
        dimensions = self.get("dimensions")
        for code in ("sex", "age"):
            if code not in dimensions:
                raise self._fail(f"dimensions.{code}", MISSING_KEY)
        for code, spec in dimensions.items():
            categories = self.get(f"dimensions.{code}.categories", dict)
            if not categories:
                raise self._fail(f"dimensions.{code}.categories",
                                 N_("key '%(key)s' must name at least one"))
            spec.setdefault("name", code.title())
        return dimensions


WEAK_SECRET_WORDS = ("secret", "change", "password", "example", "default", "mne")
MIN_SECRET_LENGTH = 32
NEW_SECRET = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def secret_key(settings: Settings) -> str:
    """The key that signs sessions: $MNE_SECRET_KEY; in development a random one when it is
    not set. In production mode (web.production = true) a missing or weak key stops the start
    with a ConfigError."""
    key = os.environ.get(SECRET_ENV, "")
    if settings.production:
        problem = secret_key_problem(key)
        if problem:
            raise ConfigError(settings.path, problem, variable=SECRET_ENV,
                              length=MIN_SECRET_LENGTH, command=NEW_SECRET)
    return key or secrets.token_hex(32)


def secret_key_problem(key: str) -> str:
    """Why `key` is not fit to sign sessions in production (a message naming the variable,
    the least length and the command that makes a key), or "" when it is."""
    if not key:
        return N_("web.production is true but %(variable)s is not set; set it to a random "
                  "secret of %(length)s characters or more, for example the output of: "
                  "%(command)s")
    if len(key) < MIN_SECRET_LENGTH:
        return N_("web.production is true but %(variable)s is shorter than %(length)s "
                  "characters; set it to a random secret of %(length)s characters or more, for "
                  "example the output of: %(command)s")
    if len(set(key)) < 10 or any(word in key.lower() for word in WEAK_SECRET_WORDS):
        return N_("web.production is true but %(variable)s looks guessable (repeated characters "
                  "or a common word); set it to a random secret of %(length)s characters or "
                  "more, for example the output of: %(command)s")
    return ""
