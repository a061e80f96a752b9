"""Regenerate the bundled sample region in data/sample/ (deterministic).

Usage::

    python data/generate.py            # (re)write data/sample/
    python data/generate.py --check    # regenerate into a temporary folder and compare bytes
    python data/generate.py --out DIR --employers 5000 --layout csv   # a large benchmark region
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from forecast.sample import DEFAULT_SEED, folder_digest, generate_region, write_region  # noqa: E402

SAMPLE_DIR = ROOT / "data" / "sample"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=SAMPLE_DIR)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--employers", type=int, default=400)
    ap.add_argument("--layout", choices=("mixed", "csv"), default="mixed")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary folder and compare with --out byte for byte")
    args = ap.parse_args(argv)
    region = generate_region(seed=args.seed, n_employers=args.employers)
    if not args.check:
        write_region(region, args.out, layout=args.layout)
        print(f"wrote {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write_region(region, tmp, layout=args.layout)
        want, have = folder_digest(tmp), folder_digest(args.out)
    # files a user may add next to the sample (outputs) are not part of it
    have = {k: v for k, v in have.items() if not k.startswith("out/")}
    diff = sorted(k for k in set(want) | set(have) if want.get(k) != have.get(k))
    if diff:
        print(f"{len(diff)} file(s) differ from a fresh generation, e.g.:", *diff[:10], sep="\n  ")
        return 1
    print(f"{args.out}: {len(want)} files identical to a fresh generation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
