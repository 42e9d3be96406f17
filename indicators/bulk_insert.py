"""Inserting thousands of rows in one statement, without per-row work in SQLAlchemy.

Each column's value goes through its type's own bind conversion (the one SQLAlchemy applies:
an enumeration member to its code, a date to SQLite's text), computed once per column; the rows
then travel as plain tuples: `COPY ... FROM STDIN` through psycopg on PostgreSQL, one
`executemany` elsewhere. The rows are in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

Converter = Callable[[Any], Any]


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert `rows` (each a mapping of column name to value, all with the same names) into
    `table`; returns how many."""
    if not rows:
        return 0
    names = list(rows[0])
    session.flush()  # rows the session holds go first, as a statement through it would
    connection = session.connection()
    dialect = connection.dialect
    columns = []
    for name in names:
        column = [row[name] for row in rows]
        convert = _converter(table.c[name].type, dialect)
        columns.append(_converted(column, convert) if convert else column)
    tuples = list(zip(*columns, strict=True))
    if dialect.name == "postgresql":
        _copy(connection, table.name, names, tuples)
    else:
        marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _name in names)
        connection.exec_driver_sql(
            f"INSERT INTO {_quoted(dialect, table.name)} "
            f"({', '.join(_quoted(dialect, name) for name in names)}) VALUES ({marks})", tuples)
    return len(tuples)


def _converter(column_type: Any, dialect: Any) -> Converter | None:
    """The column type's conversion of a Python value to what the driver takes, or None."""
    return column_type._cached_bind_processor(dialect)  # noqa: SLF001 - SQLAlchemy's own cache


def _converted(column: list[Any], convert: Converter) -> list[Any]:
    """The column's values converted, each distinct value once (a column often repeats one:
    the time of the import, the period's end, a flag)."""
    try:
        distinct = {value: convert(value) for value in set(column)}
    except TypeError:  # values that cannot be told apart by hashing (JSON documents)
        return list(map(convert, column))
    return [distinct[value] for value in column]


def _quoted(dialect: Any, name: str) -> str:
    return dialect.identifier_preparer.quote(name)


def _copy(connection: Any, table: str, names: list[str], tuples: list[tuple]) -> None:
    """The rows sent with PostgreSQL's COPY (psycopg 3) on the session's own connection."""
    dialect = connection.dialect
    columns = ", ".join(_quoted(dialect, name) for name in names)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {_quoted(dialect, table)} ({columns}) FROM STDIN") as copy:
        for row in tuples:
            copy.write_row(row)
