"""The multi-process deployment on loopback, for the deployment test and bench/load.py:
gunicorn running the application factory with several workers, and logged-in HTTP clients
that post forms with their CSRF token as a browser does."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import free_port

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def wait_until_answers(url: str, server: subprocess.Popen | None = None,
                       seconds: float = 60) -> str:
    """The body of `url` once it answers (polling), failing when `server` ends first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if server is not None and server.poll() is not None:
                raise RuntimeError(f"the server ended with code {server.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def gunicorn(config_file: Path, workers: int, threads: int = 1,
             log: Path | None = None) -> Iterator[str]:
    """The application factory (`mne:create_app()`) under gunicorn with `workers` processes
    on a free loopback port, all signing sessions with one secret key; yields its base URL."""
    port = free_port()
    environment = {**os.environ, "MNE_CONFIG": str(config_file),
                   "MNE_SECRET_KEY": secrets.token_hex(32)}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads",
               str(threads), "--bind", f"127.0.0.1:{port}", "--preload", "--timeout", "120",
               "--no-control-socket", "--graceful-timeout", "2", "mne:create_app()"]
    log = log or config_file.with_name("gunicorn.log")
    with open(log, "wb") as output:
        server = subprocess.Popen(command, env=environment, stdout=output,
                                  stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(f"{base}/login", server)
        yield base
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        server.wait(timeout=30)


class Browser:
    """An HTTP client holding the session of a user who logged in through the form."""

    def __init__(self, base: str, email: str, password: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        _status, page = self.post("/login", {"email": email, "password": password},
                                  form_at="/login")
        if CSRF.search(page.decode()) and b'name="password"' in page:
            raise RuntimeError(f"{email} could not log in")

    def get(self, path: str) -> tuple[int, bytes]:
        """The status and body of a GET (an error status is an answer, not an exception)."""
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict[str, str], form_at: str,
             files: dict[str, tuple[str, bytes]] | None = None) -> tuple[int, bytes]:
        """Post `fields` (and `files`: name → (file name, bytes)) with the CSRF token of the
        form on the page `form_at`, as a browser that opened that page does."""
        _status, page = self.get(form_at)
        fields = {**fields, "csrf_token": CSRF.search(page.decode()).group(1)}
        if not files:
            body = urllib.parse.urlencode(fields).encode()
            kind = "application/x-www-form-urlencoded"
        else:
            body, kind = _multipart(fields, files)
        return self._send(urllib.request.Request(self.base + path, data=body,
                                                 headers={"Content-Type": kind}))

    def _send(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read()


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             .encode() for name, value in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
              f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
              .encode() + data + b"\r\n" for name, (filename, data) in files.items()]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"
