"""The command line's own behaviour: version, help, usage errors (exit 2), no tracebacks."""

import subprocess
import sys

from forecast import __version__
from forecast.cli import main


def test_version(capsys):
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_no_command_is_usage_error(capsys):
    assert main([]) == 2


def test_unknown_command_is_usage_error(capsys):
    assert main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_missing_required_option(capsys):
    assert main(["template", "x.xlsx"]) == 2  # --year is required
    assert "--year" in capsys.readouterr().err


def test_python_dash_m_entry_point():
    out = subprocess.run([sys.executable, "-m", "forecast", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout
