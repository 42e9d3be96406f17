"""A small evaluator of the Excel formulas the return template writes into its data
validations, with Excel's meaning of each function used (en-GB/en-US number formats), so that
tests can ask what a cell's validation accepts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

TOKEN = re.compile(r'\s*(?:(?P<string>"(?:[^"]|"")*")|(?P<range>(?:\'[^\']+\'|\w+)!\$?[A-Z]+\$?\d+'
                   r'(?::\$?[A-Z]+\$?\d+)?)|(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Z]+\d*)'
                   r'|(?P<op><>|<=|>=|[=<>(),+\-]))')
CELL = re.compile(r"^([A-Z]+)(\d+)$")


class ExcelError(Exception):
    """#VALUE!, #N/A: what Excel shows when a function cannot answer."""


def _value(text: Any) -> float:
    if isinstance(text, int | float):
        return float(text)
    compact = str(text).strip()
    scale = 1.0
    if compact.endswith("%"):
        compact, scale = compact[:-1], 0.01
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", compact):
        compact = compact.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", compact):
        raise ExcelError("#VALUE!")
    return float(compact) * scale


def _is_number(thunk: Callable[[], Any]) -> bool:
    try:
        value = thunk()
    except ExcelError:
        return False
    return isinstance(value, int | float) and not isinstance(value, bool)


def _match(value: Any, column: list[Any], _exact: Any) -> int:
    for position, entry in enumerate(column, start=1):
        if str(entry).lower() == str(value).lower():
            return position
    raise ExcelError("#N/A")


class Formula:
    """A formula parsed once; `evaluate(cell, ranges)` answers it for a cell's content, the
    references `ranges` resolves (a function of the range's text)."""

    def __init__(self, text: str):
        self.tokens = [next(kind for kind, value in match.groupdict().items() if value) + ":"
                       + match.group(match.lastgroup)
                       for match in TOKEN.finditer(text.lstrip("="))]
        assert "".join(token.split(":", 1)[1] for token in self.tokens).replace(" ", "") == \
            text.lstrip("=").replace(" ", ""), "a token the evaluator does not know"

    def evaluate(self, cell: Callable[[str], Any], ranges: Callable[[str], list[Any]]) -> Any:
        self.position, self.cell, self.ranges = 0, cell, ranges
        return self._comparison()()

    def _next(self) -> tuple[str, str]:
        kind, _colon, value = self.tokens[self.position].partition(":")
        self.position += 1
        return kind, value

    def _peek(self) -> str:
        return self.tokens[self.position].partition(":")[2] if self.position < len(
            self.tokens) else ""

    def _comparison(self) -> Callable[[], Any]:
        left = self._sum()
        operators = {"=": lambda a, b: _same(a) == _same(b), "<>": lambda a, b: a != b,
                     "<": lambda a, b: a < b, ">": lambda a, b: a > b,
                     "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}
        if self._peek() in operators:
            operator = operators[self._next()[1]]
            right = self._sum()
            return lambda: operator(left(), right())
        return left

    def _sum(self) -> Callable[[], Any]:
        left = self._unary()
        while self._peek() in ("+", "-"):
            sign = 1 if self._next()[1] == "+" else -1
            right, before = self._unary(), left
            left = lambda before=before, right=right, sign=sign: before() + sign * right()  # noqa: E731
        return left

    def _unary(self) -> Callable[[], Any]:
        if self._peek() == "-":
            self._next()
            inner = self._unary()
            return lambda: -_value(inner())
        return self._primary()

    def _primary(self) -> Callable[[], Any]:
        kind, value = self._next()
        if kind == "number":
            return lambda: float(value)
        if kind == "string":
            return lambda: value[1:-1].replace('""', '"')
        if kind == "range":
            return lambda: self.ranges(value)
        if kind == "name" and self._peek() == "(":
            self._next()
            arguments = []
            while self._peek() != ")":
                arguments.append(self._comparison())
                if self._peek() == ",":
                    self._next()
            self._next()
            return self._function(value, arguments)
        if kind == "name" and CELL.match(value):
            return lambda: self.cell(value)
        if kind == "op" and value == "(":
            inner = self._comparison()
            self._next()
            return inner
        raise AssertionError(f"unexpected {value}")

    def _function(self, name: str, arguments: list[Callable[[], Any]]) -> Callable[[], Any]:
        values = lambda: [argument() for argument in arguments]  # noqa: E731
        functions: dict[str, Callable[[], Any]] = {
            "IF": lambda: arguments[1]() if arguments[0]() else arguments[2](),
            "ISNUMBER": lambda: _is_number(arguments[0]),
            "AND": lambda: all(values()),
            "OR": lambda: any(values()),
            "INT": lambda: float(int(_value(arguments[0]()) // 1)),
            "MATCH": lambda: _match(*values()),
            "LOWER": lambda: _text(arguments[0]()).lower(),
            "TRIM": lambda: " ".join(_text(arguments[0]()).split(" ")).strip(),
            "LEFT": lambda: _text(arguments[0]())[:int(arguments[1]())],
            "MID": lambda: _text(arguments[0]())[int(arguments[1]()) - 1:][:int(arguments[2]())],
            "VALUE": lambda: _value(arguments[0]()),
            "SUBSTITUTE": lambda: _text(arguments[0]()).replace(*[_text(item) for item in
                                                                  values()[1:]]),
            "CHAR": lambda: chr(int(arguments[0]())),
        }
        return functions[name]


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _same(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value
