"""The vocabulary is the one home of the words, colours and behaviour of every enumeration a
reader sees: each member has words of its own, statuses and states have colours, and no other
module keeps a table of labels or colours or a set of units that add up."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from indicators import model, periods, progress
from indicators.vocabulary import (
    COLOURED,
    VOCABULARY,
    Direction,
    ReturnState,
    Status,
    Term,
    Unit,
)

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "indicators" / "vocabulary.py"
PACKAGES = ("indicators", "importers", "reports", "mne")
MEMBERS = [member for vocabulary in VOCABULARY for member in vocabulary]
CODES = {member.value for member in MEMBERS}
COLOUR = re.compile(r"^#?[0-9A-Fa-f]{6}$")
LABEL_CALLS = {"_", "_l", "gettext", "lazy_gettext", "N_"}


@pytest.mark.parametrize("member", MEMBERS, ids=lambda member: f"{type(member).__name__}.{member}")
def test_every_member_has_words_of_its_own(member):
    assert member.label.strip()
    if "_" in member.value or member.value in {"semiannual", "none"}:
        assert member.label != member.value


@pytest.mark.parametrize("member", [member for vocabulary in COLOURED for member in vocabulary],
                         ids=str)
def test_statuses_and_states_have_colours(member):
    assert COLOUR.match(member.fill)
    if isinstance(member, Status):
        assert COLOUR.match(member.colour)


def test_the_model_and_the_calendar_name_the_vocabulary_s_enumerations():
    assert model.Unit is Unit and model.Direction is Direction
    assert periods.Frequency is model.Frequency and progress.Status is Status
    assert "received" not in {state.value for state in ReturnState}


def test_units_know_whether_they_add_up_and_take_whole_numbers():
    assert {unit for unit in Unit if unit.additive} == {Unit.COUNT, Unit.AMOUNT}
    assert {unit for unit in Unit if unit.whole_numbers} == {Unit.COUNT, Unit.YES_NO}
    assert [direction for direction in Direction if direction.keeps_level] == [
        Direction.MAINTAIN]


def test_a_value_is_followed_by_what_its_unit_writes():
    assert Unit.PERCENT.suffix() == "%" and Unit.RATE_PER_100K.suffix() == "per 100,000"
    assert Unit.AMOUNT.suffix("EUR") == "EUR" and Unit.COUNT.suffix() == ""


def test_a_code_given_as_text_becomes_a_member():
    indicator = model.Indicator(unit="rate_per_100k", direction="maintain")
    assert indicator.unit is Unit.RATE_PER_100K and indicator.direction.keeps_level


def _modules() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
            if path != HOME and "migrations" not in path.parts]


def _is_member(node: ast.AST) -> bool:
    """`Unit.COUNT`, `Status.ON_TRACK`: a member of the vocabulary named in code."""
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and any(node.value.id == vocabulary.__name__ and node.attr in vocabulary.__members__
                    for vocabulary in VOCABULARY))


def _is_code(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in CODES


def _is_label_or_colour(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(COLOUR.match(node.value))
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in LABEL_CALLS)


def _second_homes(tree: ast.AST) -> list[int]:
    """Lines of dicts from members or codes to words or colours, of collections of units, and
    of names like ADDITIVE."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            pairs = [(key, value) for key, value in zip(node.keys, node.values, strict=True)
                     if key is not None and (_is_member(key) or _is_code(key))]
            if len(pairs) >= 2 and all(_is_label_or_colour(value) for _key, value in pairs):
                found.append(node.lineno)
        elif isinstance(node, ast.Set | ast.Tuple | ast.List):
            units = [item for item in node.elts
                     if _is_member(item) and item.value.id == Unit.__name__]
            if len(units) >= 2:
                found.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(target, ast.Name) and "ADDITIVE" in target.id
                   for target in targets):
                found.append(node.lineno)
    return sorted(found)


def test_no_module_keeps_a_second_label_colour_or_unit_table():
    found = [f"{path.relative_to(ROOT)}:{line}" for path in _modules()
             for line in _second_homes(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == []


def test_no_page_or_report_template_keeps_a_label_table():
    code_keys = re.compile(r"""['"]({})['"]\s*:\s*_\(""".format("|".join(sorted(CODES))))
    templates = [path for folder in ("mne/templates", "reports/templates")
                 for path in sorted((ROOT / folder).rglob("*.html"))]
    found = [str(path.relative_to(ROOT)) for path in templates
             if code_keys.search(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_scan_finds_a_second_home():
    copy = """
LABELS = {Status.ON_TRACK: _("on track"), Status.AT_RISK: _("at risk")}
COLOURS = {"on_track": "C6EFCE", "off_track": "FFC7CE"}
WHOLE = (Unit.COUNT, Unit.YES_NO)
ADDITIVE_UNITS = frozenset()
"""
    assert _second_homes(ast.parse(copy)) == [2, 3, 4, 5]


def test_members_are_terms_with_codes_for_machines():
    assert all(isinstance(member, Term) and str(member) == member.value for member in MEMBERS)
