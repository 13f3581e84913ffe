"""How fast the claim file audit runs (a measurement, not a test).

    .venv/bin/python bench/audit_bench.py [--lines N] [--browser-lines N] [--no-browser]

1. The command line: a generated file of about ``--lines`` claim lines (default
   1,000,000, with planted errors: bench/audit_file.py) through
   ``python -m calc audit FILE --csv OUT``; visits per second (wall clock and CPU) and
   the process's peak memory. Budget (issue 15): >= 20,000 visits/s, <= 200 MB.
2. The page in Debian's Chromium: a ``--browser-lines`` file (default 10,000) dropped on
   the audit page once the engine is ready; the time to the findings and the longest
   task on the page's main thread meanwhile (PerformanceObserver "longtask"). Budget:
   <= 3 s, no task over 200 ms.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from audit_file import generate  # noqa: E402


def write_file(path: Path, lines: int) -> tuple[int, int]:
    """About ``lines`` claim lines (two a visit on average); (lines, planted findings)."""
    rows, expected = generate(lines // 2)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(row + "\n")
            count += 1
    return count - 1, len(expected)


def cli(lines: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "claims.csv"
        count, planted = write_file(path, lines)
        size = path.stat().st_size
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "calc", "audit", str(path), "--csv", str(Path(tmp) / "o.csv")],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = done.stdout.strip()
    visits = int(summary.split(" visit")[0].replace(",", ""))
    print(f"CLI: {count:,} lines ({size / 1e6:.0f} MB), {planted:,} planted findings")
    print(f"     exit {done.returncode}: {summary}")
    print(
        f"     {wall:.1f} s wall, {cpu:.1f} s CPU: {visits / wall:,.0f} visits/s (wall), "
        f"{visits / cpu:,.0f} visits/s (CPU); peak memory {after.ru_maxrss / 1024:.0f} MB"
    )


def browser(lines: int) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, _Handler, build_site

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        port = _free_port()
        url = f"http://127.0.0.1:{port}/"
        build_site(site, url)
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        rows, _ = generate(lines // 2)
        text = "\n".join(rows) + "\n"
        try:
            with sync_playwright() as p:
                chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = chromium.new_page()
                page.goto(url + "calculators/audit/")
                page.wait_for_selector(".calc-status[data-state=ready]", state="attached")
                page.evaluate(
                    """() => { window.longest = 0; new PerformanceObserver((list) => {
                        for (const e of list.getEntries())
                          window.longest = Math.max(window.longest, e.duration);
                      }).observe({ type: "longtask" }); }"""
                )
                page.locator(".calc-widget input[type=file]").set_input_files(
                    {"name": "claims.csv", "mimeType": "text/csv", "buffer": text.encode()}
                )
                page.get_by_role("button", name="Check the file").click()
                box = page.locator(".calc-widget .calc-result[data-state=ok]")
                box.wait_for(timeout=120_000)
                ms = int(box.get_attribute("data-ms") or "0")
                render_ms = int(box.get_attribute("data-render-ms") or "0")
                longest = page.evaluate("window.longest")
                version = chromium.version
                chromium.close()
        finally:
            server.shutdown()
            server.server_close()
    count = text.count("\n") - 1
    print(
        f"Browser (Chromium {version}): {count:,} lines audited in {ms:,} ms after the engine "
        f"was ready (drawing the results: {render_ms} ms); longest main-thread task "
        f"meanwhile {longest:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--browser-lines", type=int, default=10_000)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    cli(args.lines)
    if not args.no_browser:
        browser(args.browser_lines)


if __name__ == "__main__":
    main()
