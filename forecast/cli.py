"""The ``kadry`` command line: it only parses arguments and composes the stages.

Exit status: 0 success, 1 the run finished but rejected input, 2 usage or configuration
error, 3 the run could not finish. Input errors are printed as messages; ``--debug``
shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from forecast import __version__
from forecast.errors import KadryError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kadry",
        description="Regional workforce planning: employer surveys, staffing demand, admission quotas.",
    )
    p.add_argument("--version", action="version", version=f"kadry {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("demo", help="run the whole annual cycle on the bundled sample region")
    d.add_argument("--out", default="out/demo", help="output folder (default out/demo)")

    t = sub.add_parser("template", help="write the blank employer form (.xlsx or .ods, by the extension)")
    t.add_argument("out", metavar="OUT.xlsx|OUT.ods")
    t.add_argument("--year", type=int, required=True, help="survey year T")
    t.add_argument("--horizon", type=int, default=None, help="need columns (years ahead, ≤ 10)")

    v = sub.add_parser("validate", help="read and check survey files, write the JSON report")
    v.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    v.add_argument("--json", metavar="FILE", help="write the report here")
    v.add_argument("--controls", metavar="CSV", help="control totals survey_year,okved_section,employment")
    v.add_argument("--year", type=int, default=None,
                   help="survey year T of the run: rows of later years are rejected (as [survey] year)")

    r = sub.add_parser("run", help="the annual cycle: surveys → forecast → demand → quotas → workbook")
    r.add_argument("--config", required=True, metavar="kadry.toml")
    r.add_argument("--out", metavar="DIR", help="output folder (default: [output] dir)")
    r.add_argument("--scenario", metavar="NAME", help="only this scenario variant")
    r.add_argument("--backend", choices=("local", "dask"), default="local")
    for sp in (d, t, v, r):
        sp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
        sp.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS)
    return p


def _progress_enabled(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


def _cmd_template(args: argparse.Namespace) -> int:
    from forecast.survey.template import write_template

    write_template(args.out, year=args.year, horizon=args.horizon)
    print(f"wrote {args.out}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from forecast.survey import validate_command

    return validate_command(args.paths, json_path=args.json, controls=args.controls,
                            progress=_progress_enabled(args), survey_year=args.year)


def _cmd_run(args: argparse.Namespace) -> int:
    from forecast.pipeline import run_command

    return run_command(args.config, out=args.out, scenario=args.scenario, backend=args.backend,
                       progress=_progress_enabled(args))


def _cmd_demo(args: argparse.Namespace) -> int:
    from forecast.pipeline import demo_command

    return demo_command(out=args.out, progress=_progress_enabled(args))


_COMMANDS = {"template": _cmd_template, "validate": _cmd_validate, "run": _cmd_run, "demo": _cmd_demo}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help/--version exit 0
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _COMMANDS[args.command](args)
    except KadryError as exc:
        if args.debug:
            raise
        print(f"kadry {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kadry: interrupted", file=sys.stderr)
        return 3
    except Exception as exc:  # the last line of defence: a message, never a traceback
        if args.debug:
            raise
        print(f"kadry {args.command}: internal error: {type(exc).__name__}: {exc} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
