"""What `make run` does: init, demo, serve; the overview answers over real HTTP."""

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _logged_in_opener(base: str, email: str, password: str) -> urllib.request.OpenerDirector:
    """An HTTP client holding the session of a user who logged in through the form."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = opener.open(f"{base}/login", timeout=5).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    opener.open(f"{base}/login", data=data.encode(), timeout=5)
    return opener


def test_served_overview_shows_the_demonstration_strategy(run_mne, config_file):
    run_mne("init")
    run_mne("demo")
    port = _free_port()
    command = shutil.which("mne", path=str(Path(sys.executable).parent))
    server = subprocess.Popen([command, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env={**os.environ, "MNE_CONFIG": str(config_file)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert "Log in" in _wait_for(f"http://127.0.0.1:{port}/")
        viewer = _logged_in_opener(f"http://127.0.0.1:{port}", "viewer@example.org",
                                   "viewer-demo")
        page = viewer.open(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert page.count('class="principle"') == 4
    assert page.count('class="objective') >= 12
    assert page.count('class="indicator"') >= 32

