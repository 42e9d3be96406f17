"""What `make run` does: init, demo, serve; the overview answers over real HTTP."""

import os
import shutil
import socket
import subprocess
import sys
import time
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


def test_served_overview_shows_the_demonstration_strategy(run_mne, config_file):
    run_mne("init")
    run_mne("demo")
    port = _free_port()
    command = shutil.which("mne", path=str(Path(sys.executable).parent))
    server = subprocess.Popen([command, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env={**os.environ, "MNE_CONFIG": str(config_file)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert page.count('class="principle"') == 4
    assert page.count('class="objective') >= 12
    assert page.count('class="indicator"') >= 32
