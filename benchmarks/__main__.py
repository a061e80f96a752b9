"""``python -m benchmarks`` (``make bench``): run every ``benchmarks/bench_*.py`` module's
``main()`` in sorted order; a failing benchmark is reported and the others still run."""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path


def main() -> int:
    failed = []
    for path in sorted(Path(__file__).resolve().parent.glob("bench_*.py")):
        name = f"benchmarks.{path.stem}"
        print(f"=== {name} ===", flush=True)
        try:
            module = importlib.import_module(name)
            module.main([]) if _takes_argv(module.main) else module.main()
        except Exception:  # keep going: one broken benchmark must not hide the others
            traceback.print_exc()
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


def _takes_argv(fn) -> bool:
    import inspect

    return bool(inspect.signature(fn).parameters)


if __name__ == "__main__":
    sys.exit(main())
