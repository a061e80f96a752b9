"""The ``kadry`` command line: it only parses arguments and composes the stages.

Exit status: 0 success, 1 the run finished but rejected input, 2 usage or configuration
error, 3 the run could not finish. Input errors are printed as messages; ``--debug``
shows the traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from typing import Sequence

from forecast._version import __version__
from forecast.errors import KadryError


#: the exit status contract (interfaces.md), shown by every --help
EXIT_CODES_HELP = """exit status:
  0  success
  1  the run finished, but some input was rejected (see the report / data issues sheet)
  2  usage or configuration error (nothing long was started)
  3  the run could not finish (an environment problem such as a full disk, or a bug)"""

#: errno values that are the machine's condition, not a bug: a message, exit 3
_ENVIRONMENT_ERRNOS = frozenset(
    getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "EIO",
                                      "EMFILE", "ENFILE", "ENOMEM", "EFBIG") if hasattr(errno, name)
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kadry",
        description="Regional workforce planning: employer surveys, staffing demand, admission quotas.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"kadry {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="show the traceback of an error instead of a one-line message")
    p.add_argument("--quiet", action="store_true",
                   help="no progress output (it is shown only on a terminal anyway)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("demo", help="run the whole annual cycle on the bundled sample region")
    d.add_argument("--out", default="out/demo", help="output folder (default out/demo)")

    t = sub.add_parser("template", help="write the blank employer form (.xlsx or .ods, by the extension)")
    t.add_argument("out", metavar="OUT.xlsx|OUT.ods", help="the form to write; .ods for LibreOffice users")
    t.add_argument("--year", type=int, required=True, help="survey year T")
    t.add_argument("--horizon", type=int, default=None, help="need columns (years ahead, ≤ 10)")

    v = sub.add_parser("validate", help="read and check survey files, write the JSON report")
    v.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    v.add_argument("--json", metavar="FILE", help="write the report here")
    v.add_argument("--controls", metavar="CSV", help="control totals survey_year,okved_section,employment")
    v.add_argument("--year", type=int, default=None,
                   help="survey year T of the run: rows of later years are rejected (as [survey] year)")

    r = sub.add_parser("run", help="the annual cycle: surveys → forecast → demand → quotas → workbook")
    r.add_argument("--config", required=True, metavar="kadry.toml",
                   help="the region's config file (sections [survey] [forecast] [demand] [quotas] "
                        "[output]; relative paths in it are relative to its folder)")
    r.add_argument("--out", metavar="DIR", help="output folder (default: [output] dir)")
    r.add_argument("--scenario", metavar="NAME", help="only this scenario variant")
    e = sub.add_parser("evaluate", help="last year's forecast against this year's survey "
                                        "(methodology §8): writes evaluation.csv")
    e.add_argument("previous", metavar="PREVIOUS", help="last year's output folder")
    e.add_argument("current", metavar="CURRENT", help="this year's output folder (a later survey year)")
    e.add_argument("--out", metavar="FILE", help="where to write (default CURRENT/evaluation.csv)")

    n = sub.add_parser("national", help="every region's annual cycle and the national roll-up (Dask)")
    n.add_argument("--config", required=True, metavar="national.toml",
                   help="the national config: [national] regions (globs of the regions' kadry.toml), "
                        "[dask], [output]")
    n.add_argument("--out", metavar="DIR", help="output folder (default: [output] dir)")
    n.add_argument("--scheduler", metavar="ADDRESS",
                   help="a running Dask scheduler (default: [dask] scheduler, else a local cluster)")
    n.add_argument("--workers", type=int, metavar="N",
                   help="local cluster worker processes (default: [dask] workers, else the "
                        "machine's cores); 0: the regions one after another in this process, no Dask")
    pb = sub.add_parser("publish", help="the publication package (measure 15): a static site and open-data sets")
    pb.add_argument("output", metavar="OUTPUT", help="output folder of kadry run / kadry demo")
    pb.add_argument("--site", metavar="DIR", help="site folder (default OUTPUT/site)")

    helps = {a.dest: a.help for a in sub._choices_actions}  # argparse keeps each command's help here
    for name, sp in sub.choices.items():  # every command: what it does, exit codes, common options
        sp.description = sp.description or helps.get(name)
        sp.epilog = EXIT_CODES_HELP
        sp.formatter_class = argparse.RawDescriptionHelpFormatter
        sp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an error instead of a one-line message")
        sp.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress output (it is shown only on a terminal anyway)")
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

    return run_command(args.config, out=args.out, scenario=args.scenario,
                       progress=_progress_enabled(args))


def _cmd_demo(args: argparse.Namespace) -> int:
    from forecast.pipeline import demo_command

    return demo_command(out=args.out, progress=_progress_enabled(args))


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from forecast.columns import EVALUATION_COLUMNS
    from forecast.evaluation import evaluate_folders
    from forecast.report.files import write_csv

    ev = evaluate_folders(args.previous, args.current)
    out = Path(args.out) if args.out else Path(args.current) / "evaluation.csv"
    write_csv(out, ev, EVALUATION_COLUMNS)
    for r in ev[ev["kind"] == "summary"].itertuples():
        print(f"kadry evaluate: {r.level}: wMAPE {r.wmape:.1%} (flat {r.wmape_flat:.1%}), "
              f"bias {r.bias:+.1%}, coverage 80% {r.coverage_80:.0%}, 95% {r.coverage_95:.0%}, "
              f"n = {r.n}")
    print(f"kadry evaluate: wrote {out}")
    return 0


def _cmd_national(args: argparse.Namespace) -> int:
    from forecast.national import national_command

    return national_command(args.config, out=args.out, scheduler=args.scheduler,
                            workers=args.workers, progress=_progress_enabled(args))


def _cmd_publish(args: argparse.Namespace) -> int:
    from forecast.publish import publish_command

    return publish_command(args.output, site=args.site)


_COMMANDS = {"template": _cmd_template, "validate": _cmd_validate, "run": _cmd_run, "demo": _cmd_demo,
             "evaluate": _cmd_evaluate, "national": _cmd_national, "publish": _cmd_publish}


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
    except BrokenPipeError:
        # `kadry validate … | head`: the reader left; say so once, without a traceback, and
        # keep Python from failing again when it flushes stdout at exit
        _silence_stdout()
        print(f"kadry {args.command}: standard output was closed before everything was "
              "printed (a pipe into a program that exited early)", file=sys.stderr)
        return 3
    except OSError as exc:
        if args.debug:
            raise
        if exc.errno in _ENVIRONMENT_ERRNOS:  # full or read-only disk, permissions: the machine's
            where = f": {exc.filename}" if exc.filename else ""
            print(f"kadry {args.command}: cannot finish{where}: {exc.strerror or exc} "
                  "(free disk space, check permissions, or choose another --out)", file=sys.stderr)
        else:  # any other OSError is unexpected: reported as the internal error it is
            print(f"kadry {args.command}: internal error: {type(exc).__name__}: {exc} "
                  "(run with --debug for the traceback)", file=sys.stderr)
        return 3
    except MemoryError:
        if args.debug:
            raise
        print(f"kadry {args.command}: out of memory (run fewer regions or series at once)",
              file=sys.stderr)
        return 3
    except Exception as exc:  # the last line of defence: a message, never a traceback
        if args.debug:
            raise
        print(f"kadry {args.command}: internal error: {type(exc).__name__}: {exc} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 3


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout already closed or not a real file: nothing to do
        pass


if __name__ == "__main__":
    raise SystemExit(main())
