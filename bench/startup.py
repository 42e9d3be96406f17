"""Benchmark: how soon the command line answers.

Runs `mne --help` and `mne --version` as whole processes (best of five each) and prints their
wall time with the ratio to the goal (0.4 s), then the modules of the application and of the
heavy libraries that `mne --help` loaded (goal: none). `python -X importtime -c "import mne.cli"`
shows where the remaining time goes.

    python bench/startup.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

GOAL_SECONDS = 0.4
RUNS = 5
HEAVY = ("pandas", "openpyxl", "apscheduler", "weasyprint", "sqlalchemy", "flask", "mne.web")
MNE = shutil.which("mne", path=str(Path(sys.executable).parent)) or "mne"


def wall_time(*arguments: str) -> float:
    """The best wall time of `mne ARGUMENTS` as a whole process, in seconds."""
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([MNE, *arguments], capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def heavy_modules_of_help() -> list[str]:
    """The heavy modules that `mne --help` imports."""
    probe = ("import sys\nfrom mne.cli import main\nsys.argv = ['mne', '--help']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(' '.join(sys.modules), file=sys.stderr)")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stderr.split()
    return sorted(name for name in loaded if name in HEAVY)


def main() -> None:
    for arguments in (["--help"], ["--version"]):
        seconds = wall_time(*arguments)
        print(f"mne {' '.join(arguments)}: {seconds:.3f} s (best of {RUNS}); "
              f"ratio to goal {seconds / GOAL_SECONDS:.2f} (goal <= {GOAL_SECONDS} s)")
    heavy = heavy_modules_of_help()
    print(f"heavy modules loaded by mne --help: {', '.join(heavy) or 'none'} (goal: none)")


if __name__ == "__main__":
    main()
