"""What `make run` does: init, demo, serve; the overview answers over real HTTP."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.deployment import Browser, wait_until_answers
from tests.helpers import free_port


def test_served_overview_shows_the_demonstration_strategy(run_mne, config_file):
    run_mne("init")
    run_mne("demo")
    port = free_port()
    command = shutil.which("mne", path=str(Path(sys.executable).parent))
    server = subprocess.Popen([command, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env={**os.environ, "MNE_CONFIG": str(config_file)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert "Log in" in wait_until_answers(f"http://127.0.0.1:{port}/", server)
        viewer = Browser(f"http://127.0.0.1:{port}", "viewer@example.org", "viewer-demo")
        page = viewer.get("/")[1].decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert page.count('class="principle"') == 4
    assert page.count('class="objective') >= 12
    assert page.count('class="indicator"') >= 32

