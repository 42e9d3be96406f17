"""The message catalogues: every translatable message of the four packages, extracted with
babel.cfg into one .po per language under mne/translations and compiled to the .mo files that
ship in the package.

    python -m mne.catalogues extract FILE.pot   # the messages the sources mark today
    python -m mne.catalogues update             # new messages into every .po, gone ones out
    python -m mne.catalogues compile            # .po → .mo (make does it when a .po changes)
"""

from __future__ import annotations

import sys
import tempfile
from contextlib import chdir
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from mne.languages import TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent

PACKAGES = ("mne", "indicators", "importers", "reports")
KEYWORDS = ("_l", "lazy_gettext")  # beyond Babel's own: _, gettext, ngettext, N_ ...


def _pybabel(*arguments: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *arguments])


def extract(pot: Path) -> None:
    """Write every marked message of the sources to `pot`."""
    keywords = [option for keyword in KEYWORDS for option in ("-k", keyword)]
    with chdir(ROOT):  # locations relative to the project
        _pybabel("extract", "-F", "babel.cfg", *keywords, "--add-location=file",
                 "--sort-by-file", "--no-wrap", "--project=mne", "-o", str(pot.resolve()),
                 *PACKAGES)


def update() -> None:
    """Bring every language's .po in line with the sources: new messages come in untranslated
    (never guessed from a similar one), messages no longer in the sources leave."""
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        extract(pot)
        _pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS), "--no-fuzzy-matching",
                 "--ignore-obsolete", "--no-wrap")


def compile_catalogues() -> None:
    """Compile every language's .po to its .mo."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["help"]
    actions = {"extract": lambda: extract(Path(rest[0])), "update": update,
               "compile": compile_catalogues}
    if command not in actions:
        sys.exit(__doc__)
    actions[command]()
