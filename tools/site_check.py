"""Screenshots of the published site in headless Chromium, at desktop and phone widths.

Usage: ``python tools/site_check.py SITE_DIR [--out DIR] [--browser chromium]`` (``make site-check``
builds the demo, publishes it and runs this). Writes ``<page>-desktop.png`` and
``<page>-phone.png`` for every page of the site (1280 and 390 px wide) and ``<page>.pdf`` (the
print stylesheet, A4 landscape), prints the file names; look at them. It also checks in the
browser that a click on a column header sorts the table by its numbers, both ways (the
page's own script, run by Chromium). Not part of ``make test``: it needs a browser (Debian:
``apt-get install chromium``).

The browser runs with networking features off (``--disable-background-networking`` etc.) and
a throw-away profile, so the screenshots show what a reader without network sees.
"""

from __future__ import annotations

import argparse
import json
import re
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


def _flags(profile: str) -> list[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}"]


def print_pdf(browser: str, url: str, out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="kadry-chromium-") as profile:
        subprocess.run([browser, *_flags(profile), "--no-pdf-header-footer", f"--print-to-pdf={out}", url],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


#: clicks the header of the third column of the first table twice and records the order
_SORT_PROBE = """<script>
window.addEventListener("load", function () {
  var t = document.querySelector("table.sortable"), th = t.tHead.rows[0].cells[2];
  function col() { return Array.prototype.map.call(t.tBodies[0].rows, function (r) {
    return parseFloat(r.cells[2].getAttribute("data-v")); }); }
  th.querySelector("button").click(); var a = col(), sa = th.getAttribute("aria-sort");
  th.querySelector("button").click(); var b = col(), sb = th.getAttribute("aria-sort");
  document.body.setAttribute("data-probe", JSON.stringify({a: a, b: b, sa: sa, sb: sb}));
});
</script>
</body>"""


def sort_check(browser: str, site: Path) -> str:
    """Run the site's sort script in the browser on ``demand.html``; 'ok' or what went wrong."""
    with tempfile.TemporaryDirectory(prefix="kadry-sortcheck-") as tmp:
        copy = Path(tmp) / "site"
        shutil.copytree(site, copy)
        page = copy / "demand.html"
        page.write_text(page.read_text(encoding="utf-8").replace("</body>", _SORT_PROBE, 1), encoding="utf-8")
        with tempfile.TemporaryDirectory(prefix="kadry-chromium-") as profile:
            dom = subprocess.run([browser, *_flags(profile), "--dump-dom", page.as_uri()], check=True,
                                 capture_output=True, text=True, timeout=120).stdout
    m = re.search(r'data-probe="([^"]*)"', dom)
    if not m:
        return "the probe did not run (script error?)"
    probe = json.loads(m.group(1).replace("&quot;", '"'))
    if probe["a"] != sorted(probe["a"]) or probe["b"] != sorted(probe["b"], reverse=True):
        return f"rows not in order: {probe}"
    if (probe["sa"], probe["sb"]) != ("ascending", "descending"):
        return f"aria-sort not set: {probe}"
    return "ok"


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
        pdf = args.out / f"{path.stem}.pdf"
        print_pdf(browser, path.as_uri(), pdf.resolve())
        print(pdf)
    result = sort_check(browser, args.site)
    print(f"sort script in {Path(browser).name}: {result}")
    return 0 if result == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main())
