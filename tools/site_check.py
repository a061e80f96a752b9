"""Screenshots of the published site in headless Chromium, at desktop and phone widths.

Usage: ``python tools/site_check.py SITE_DIR [--out DIR] [--browser chromium]`` (``make site-check``
builds the demo, publishes it and runs this). Writes ``<page>-<width>.png`` for every page of
the site at 1280 and 390 px wide, and prints the file names; look at them. Not part of
``make test``: it needs a browser (Debian: ``apt-get install chromium``).

The browser runs with networking features off (``--disable-background-networking`` etc.) and
a throw-away profile, so the screenshots show what a reader without network sees.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PAGES = ("index.html", "demand.html", "quotas.html", "methodology.html", "data.html")
#: (name, width, height): the phone height is long so a screenshot shows more than one screen
SIZES = (("desktop", 1280, 2400), ("phone", 390, 2400))


def screenshot(browser: str, url: str, out: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="kadry-chromium-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={out}",
               f"--window-size={width},{height}", url]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("site", type=Path)
    p.add_argument("--out", type=Path, default=Path("out/site-check"))
    p.add_argument("--browser", default="chromium")
    p.add_argument("--pages", nargs="*", default=list(PAGES))
    args = p.parse_args(argv)
    browser = shutil.which(args.browser)
    if browser is None:
        print(f"site_check: {args.browser} not found (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for page in args.pages:
        path = (args.site / page).resolve()
        if not path.is_file():
            print(f"site_check: {path} missing", file=sys.stderr)
            return 1
        for name, width, height in SIZES:
            png = args.out / f"{path.stem}-{name}.png"
            screenshot(browser, path.as_uri(), png.resolve(), width, height)
            print(png)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
