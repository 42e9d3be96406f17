"""The architecture of DESIGN.md: indicators is the core; Flask lives only in mne/."""

import ast
import subprocess
import sys

import pytest

from tests.helpers import ROOT

FORBIDDEN = {
    "indicators": {"mne", "importers", "reports", "flask", "flask_babel"},
    "importers": {"mne", "reports", "flask", "flask_babel"},
    "reports": {"mne", "importers", "flask", "flask_babel"},
}


def _imported_top_names(package: str) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_no_higher_layer(package):
    offending = {path: names & FORBIDDEN[package]
                 for path, names in _imported_top_names(package).items()
                 if names & FORBIDDEN[package]}
    assert offending == {}


def test_domain_core_loads_without_flask():
    code = ("import sys, pkgutil, importlib, indicators\n"
            "for m in pkgutil.walk_packages(indicators.__path__, 'indicators.'):\n"
            "    importlib.import_module(m.name)\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] in "
            "{'flask', 'mne', 'importers', 'reports'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
