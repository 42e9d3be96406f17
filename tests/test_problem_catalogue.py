"""Every problem an import reports is an entry of one catalogue, named by its call sites with
fields, never with sentences; every lookup that finds nothing is one `NotFound`, answered as 404
by pages and the API and with the same exit code by every command."""

import ast
from pathlib import Path

import pytest

from indicators import problems
from indicators.errors import NOT_FOUND, Conflict, Invalid, MneError, NotFound
from indicators.periods import PeriodError
from indicators.problems import CATALOGUE, PLACEHOLDER, ProblemReport, Severity
from mne.errors import exit_code, http_status

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [path for package in ("indicators", "importers", "reports", "mne")
           for path in sorted((ROOT / package).rglob("*.py"))]
LOCATION = {"sheet", "cell", "indicator", "breakdown"}  # what `_Where.at` gives


def _catalogue_entry(node: ast.expr) -> str | None:
    """The code of the catalogue entry `node` names (`problems.NegativeCount`), if it does."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id == "problems":
        kind = getattr(problems, node.attr, None)
        if isinstance(kind, type) and getattr(kind, "code", None) in CATALOGUE \
                and CATALOGUE[kind.code] is kind:
            return kind.code
    return None


def _dict_keys(node: ast.expr, module: ast.Module) -> set[str] | None:
    """The keys a `**` argument supplies, when they can be read from the code."""
    if isinstance(node, ast.Dict):
        return {key.value for key in node.keys if isinstance(key, ast.Constant)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "at":
        return LOCATION
    if isinstance(node, ast.Name):
        for assignment in ast.walk(module):
            if isinstance(assignment, ast.Assign) and isinstance(assignment.value, ast.Dict) \
                    and any(isinstance(target, ast.Name) and target.id == node.id
                            for target in assignment.targets):
                return _dict_keys(assignment.value, module)
    return None


def _kinds_given_back(path: Path, module: ast.Module) -> list[tuple[str, str, None]]:
    """Entries a function returns for its caller to report (`return problems.NegativeCount`):
    used, with fields the caller supplies (unknowable here)."""
    return [(f"{path.relative_to(ROOT)}:{node.lineno}", code, None)
            for node in ast.walk(module) if isinstance(node, ast.Return) and node.value
            for code in [_catalogue_entry(node.value)] if code is not None]


def _kinds_in_rule_tables(path: Path, module: ast.Module) -> list[tuple[str, str, None]]:
    """Entries a table of rules names (`VALUE_RULES = ((problems.NotANumber, rule), ...)`),
    reported by the one site that judges by the table: used, fields unknowable here."""
    return [(f"{path.relative_to(ROOT)}:{node.lineno}", code, None)
            for assignment in ast.walk(module)
            if isinstance(assignment, ast.AnnAssign | ast.Assign)
            and any(isinstance(target, ast.Name) and target.id.endswith("_RULES")
                    for target in (assignment.targets if isinstance(assignment, ast.Assign)
                                   else [assignment.target]))
            for node in ast.walk(assignment.value)
            if isinstance(node, ast.Tuple) and node.elts
            for code in [_catalogue_entry(node.elts[0])] if code is not None]


def _call_sites() -> list[tuple[str, str, set[str] | None]]:
    """(where, type code, field names supplied or None when unknowable) of every call naming
    a catalogue entry: `report.add(problems.X, ...)`, `problems.X.problem(...)`,
    `UnusableWorkbook(problems.X, ...)`, `Unmapped(problems.X, {...})`..."""
    sites = []
    for path in SOURCES:
        module = ast.parse(path.read_text(encoding="utf-8"))
        sites += _kinds_given_back(path, module) + _kinds_in_rule_tables(path, module)
        for call in ast.walk(module):
            if not isinstance(call, ast.Call):
                continue
            code = next(filter(None, map(_catalogue_entry, call.args[:1])), None)
            if code is None and isinstance(call.func, ast.Attribute) \
                    and call.func.attr == "problem":
                code = _catalogue_entry(call.func.value)
            if code is None:
                continue
            supplied: set[str] | None = set()
            for keyword in call.keywords:
                if keyword.arg is not None:
                    supplied.add(keyword.arg)
                else:
                    keys = _dict_keys(keyword.value, module)
                    supplied = None if keys is None or supplied is None else supplied | keys
            if isinstance(call.func, ast.Name) and call.func.id == "Unmapped":
                supplied = _dict_keys(call.args[1], module) | {"row"}  # the row is added later
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            sites.append((where, code, supplied))
    return sites


def test_every_problem_type_has_a_title_a_severity_and_a_message_template():
    assert len(CATALOGUE) >= 50
    for code, kind in CATALOGUE.items():
        assert kind.code == code and code.islower() and " " not in code
        assert kind.title and kind.title[0].isupper(), code
        assert isinstance(kind.severity, Severity), code
        assert kind.template.strip(), code
        assert "{" not in kind.template + kind.expected, f"{code}: use %(name)s placeholders"


def test_every_problem_type_renders_with_its_fields():
    for code, kind in CATALOGUE.items():
        sample = {name: f"<{name}>" for name in kind.placeholders()}
        problem = kind.problem(**sample)
        assert problem.type == code and problem.severity is kind.severity
        assert "%(" not in problem.message and "%(" not in problem.expected, code
        assert all(value in problem.message + problem.expected for value in sample.values())


def test_every_call_site_supplies_the_placeholders_of_its_type():
    sites = _call_sites()
    used = {code for _where, code, _supplied in sites}
    assert set(CATALOGUE) - used == set(), "catalogue entries no code reports"
    for where, code, supplied in sites:
        if supplied is None:
            continue
        missing = CATALOGUE[code].placeholders() - supplied
        assert not missing, f"{where}: {code} lacks {missing}"


def _formatted_sentence(node: ast.expr) -> bool:
    """A string, or a `_("...")` translation, or an f-string: a sentence made on the spot."""
    if isinstance(node, ast.Constant | ast.JoinedStr):
        return isinstance(node, ast.JoinedStr) or isinstance(node.value, str)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id in {"_", "gettext"}


def test_no_importer_builds_a_problem_message_itself():
    assert not hasattr(ProblemReport, "error") and not hasattr(ProblemReport, "warning")
    raising = {"UnusableWorkbook", "CellError", "ProblemError", "StatsProblem", "_Unusable"}
    offences = []
    for path in sorted((ROOT / "importers").rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        for call in ast.walk(module):
            if not isinstance(call, ast.Call):
                continue
            name = call.func.attr if isinstance(call.func, ast.Attribute) else \
                getattr(call.func, "id", "")
            arguments = [*call.args, *(item.elts[0] for item in call.args
                                        if isinstance(item, ast.List) and item.elts)]
            owner = ast.unparse(call.func.value) if isinstance(call.func, ast.Attribute) else ""
            makes_problem = name in raising or (name == "add" and "report" in owner) \
                or (name == "of" and owner == "_Unusable") \
                or (name == "append" and owner.endswith("problems"))
            if makes_problem and any(map(_formatted_sentence, arguments)):
                offences.append(f"{path.relative_to(ROOT)}:{call.lineno}")
            if name in {"error", "warning"} and "report" in owner:
                offences.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert offences == []


def test_problem_templates_live_only_in_the_catalogue():
    templates = {kind.template for kind in CATALOGUE.values()}
    elsewhere = []
    for path in SOURCES:
        if path == ROOT / "indicators" / "problems.py":
            continue
        module = ast.parse(path.read_text(encoding="utf-8"))
        elsewhere += [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(module)
                      if isinstance(node, ast.Constant) and node.value in templates
                      and PLACEHOLDER.search(str(node.value))]
    assert elsewhere == []


def test_each_kind_of_domain_error_has_one_status_and_one_exit_code():
    assert http_status(NotFound("strategy", "NOPE")) == 404
    assert http_status(PeriodError("2026Q9 is not a period")) == 400
    assert http_status(Conflict("approved")) == 409
    assert http_status(problems.ProblemError(problems.EmptyFile)) == 422
    assert http_status(MneError("anything")) == 400
    assert exit_code(NotFound("entity", "NOPE")) == 1
    assert exit_code(Invalid("no")) == 1
    assert exit_code(problems.ProblemError(problems.TextFile)) == 2
    for kind in NOT_FOUND:
        assert "NOPE" in NotFound(kind, "NOPE").message


def test_unknown_codes_are_404_on_pages_and_in_the_api(client_as, api_client_as,
                                                        small_strategy):
    page = client_as("evaluator")
    for path in ("/strategies/NOPE", "/entities/NOPE", "/strategies/SMALL/indicators/NOPE"):
        response = page.get(path)
        assert response.status_code == 404, path
        assert "NOPE" in response.get_data(as_text=True) and response.mimetype == "text/html"
    assert page.get("/strategies/SMALL/dashboard?period=2026Q9").status_code == 400

    evaluator, coordinator = api_client_as("evaluator"), api_client_as("coordinator", "AG")
    for api, path, sentence in (
            (evaluator, "/api/v1/strategies/NOPE/indicators", "No strategy has the code NOPE."),
            (evaluator, "/api/v1/indicators/NOPE/progress?strategy=SMALL",
             "No indicator has the code NOPE."),
            (coordinator, "/api/v1/templates?entity=NOPE&period=2026Q3",
             "No entity has the code NOPE.")):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.get_json() == {"error": sentence}
    bad_period = coordinator.get("/api/v1/templates?entity=AG&period=2026Q9")
    assert bad_period.status_code == 400 and "2026Q9" in bad_period.get_json()["error"]


@pytest.mark.parametrize(("arguments", "sentence"), [
    (["framework", "export", "--strategy", "NOPE", "-o", "{out}"],
     "No strategy has the code NOPE."),
    (["template", "--entity", "NOPE", "--period", "2026Q3", "-o", "{out}"],
     "No entity has the code NOPE."),
    (["template", "--entity", "AG", "--period", "2026Q9", "-o", "{out}"], "2026Q9"),
])
def test_unknown_codes_end_a_command_with_exit_code_1(app, small_strategy, tmp_path,
                                                      arguments, sentence):
    out = str(tmp_path / "out.xlsx")
    result = app.test_cli_runner().invoke(
        args=[argument.format(out=out) for argument in arguments])
    assert result.exit_code == 1, result.output
    assert sentence in result.output and "Traceback" not in result.output


def test_the_console_script_maps_a_domain_error_to_its_exit_code(run_mne, small_strategy,
                                                                 tmp_path):
    result = run_mne("report", "progress", "--strategy", "NOPE", "-o",
                     str(tmp_path / "report.xlsx"), check=False)
    assert result.returncode == 1
    assert "No strategy has the code NOPE." in result.stderr
    assert "Traceback" not in result.stderr
