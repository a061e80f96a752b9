"""Errors that reach users as messages, not tracebacks (the CLI maps them to exit codes).

Exit status (interfaces.md): 0 success, 1 the run finished but rejected input,
2 usage or configuration error, 3 the run could not finish.
"""

from __future__ import annotations


class KadryError(Exception):
    """An error a user can act on; ``str(err)`` says what and where. Exit status 3."""

    exit_code = 3


class ConfigError(KadryError, ValueError):
    """A configuration or usage error: a bad key, a missing file, a bad parameter. Exit 2."""

    exit_code = 2


class InputError(KadryError, ValueError):
    """An input table that cannot be used (names the table, row and value). Exit 2."""

    exit_code = 2



def cell_location(table: str, row: int | str | None = None, column: str | None = None) -> str:
    """Where a cell is, in the one style of kadry's messages about tables:
    ``colleges.csv row 3, column capacity`` (``row`` may carry a note: ``"5 (DataFrame
    position 3)"``).

    >>> cell_location("scenario.csv", 7, "value"), cell_location("mapping.csv", None, "weight")
    ('scenario.csv row 7, column value', 'mapping.csv column weight')
    """
    where = table if row is None else f"{table} row {row}"
    if column:
        where += f", column {column}" if row is not None else f" column {column}"
    return where


def cell_error(table: str, row: int | str | None, column: str | None, what: str) -> InputError:
    """InputError ``<table> row <r>, column <c>: <what>`` (``what`` names the value and what
    is wrong with it); ``row`` is the CSV line (header = 1).

    >>> str(cell_error("colleges.csv", 3, "capacity", "'-5' is negative"))
    "colleges.csv row 3, column capacity: '-5' is negative"
    >>> str(cell_error("scenario.csv", None, None, "lacks column(s) value"))
    'scenario.csv: lacks column(s) value'
    """
    return InputError(f"{cell_location(table, row, column)}: {what}")
