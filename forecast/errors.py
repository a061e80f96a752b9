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
