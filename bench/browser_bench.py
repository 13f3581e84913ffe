"""How fast the calculators are in a real browser, against the floor: Pyodide itself.

    .venv/bin/python bench/browser_bench.py [--runs N] [--readme]

A measurement, not a test. In one run it builds the site once, serves it over HTTP on
loopback together with a *bare page* (kept in this bench's own temporary folder, never
in the site) that only starts the same self-hosted Pyodide runtime in a module worker,
the way ``docs/assets/js/engine-worker.mjs`` does, and drives Debian's Chromium through
Playwright (the launch arguments of ``tests/browser/conftest.py``). Every measure is
taken ``--runs`` times (default 7), cold (a fresh browser context: empty cache) and warm
(the same context, its HTTP cache primed, a new page):

- navigation → engine ready, for the bare page and each calculator page, with the
  engine restored from its memory snapshot (the site's default) and, with
  ``--engine both`` (the default), booted the old way too (``?engine=boot``);
- a policy page → a calculator page by the site's own link (instant navigation) → ready;
- a second calculator page in the same tab → ready;
- a single-code deep link (``?lines=97112:38``) → the preview (the build-time table)
  and → the engine's answer, by a fresh load and by instant navigation; a multi-code
  one (``?lines=97112:24,97110:23&method=cms``: no preview) → the engine's answer;
- a calculation's round trip through the page's engine API (p50/p95 of 200 calls);
- bytes transferred (``transferSize`` and ``encodedBodySize`` of the Resource Timing
  entries of the page *and* of its worker), and what the same first visit to the units
  page would transfer behind ``deploy/nginx.conf`` (counted from the built files: the
  ``.br`` or ``.gz`` copy it sends, else its on-the-fly gzip of text types, level 1).

It prints a Markdown table, writes ``bench/results/latest.json`` and ``latest.md``
(git-ignored) and, with ``--readme``, puts the table between the bench markers of the
README's Performance section.

The server sends the cache headers a deployment should (``deploy/nginx.conf``): the
versioned runtime folder ``assets/pyodide/<version>/`` cached for a year, everything
else revalidated (``no-cache``), so "warm" is what a returning biller gets.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the tests' server pieces, from this checkout
    sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS as LAUNCH_ARGS  # noqa: E402
from tests.browser.conftest import _free_port as free_port  # noqa: E402
from tests.browser.conftest import _Handler as SiteHandler  # noqa: E402

RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
README_START = "<!-- browser-bench:start -->"
README_END = "<!-- browser-bench:end -->"
BARE = "/__bare__/"  # where the bare page is served (from the bench's temporary folder)
CALCULATORS = {
    "units": "calculators/units/",
    "claim": "calculators/claim/",
    "documentation": "calculators/documentation/",
}
DEEP_LINK = "calculators/units/?lines=97112:38"
#: issue 17's budget link: several codes, so no preview: the engine's answer is the first
MULTI_LINK = "calculators/units/?lines=97112:24,97110:23&method=cms"
#: the engine's two start paths (engine-worker.mjs); a page asks for boot with ?engine=boot
PATHS = ("snapshot", "boot")
ROUND_TRIPS = 200
TIMEOUT_MS = 120_000
#: the targets of issue 6 (ms, or a ratio to the bare page of the same run)
READY_RATIO = 1.10
#: issue 17: the engine restored from its snapshot, against the bare page of the same run
SNAPSHOT_RATIO = 0.40
#: issue 17: a first visit to a calculator page behind deploy/nginx.conf (MiB)
NGINX_MIB = {"br": 11, "gzip": 13}
#: the types deploy/nginx.conf gzips on the fly (gzip_types; text/html always)
NGINX_GZIP_TYPES = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml")
SECOND_PAGE_MS = 100
PREVIEW_MS = 300
ROUND_TRIP_P95_MS = 5

# --- the bare page: only the runtime, started the way engine-worker.mjs starts it ------

BARE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bare Pyodide</title>
<script type="module" src="bare.mjs"></script></head>
<body><p>Bare Pyodide load (the bench's floor).</p></body></html>
"""
BARE_PAGE_JS = """// starts the bare worker as engine.mjs starts the engine
window.bare = { ready: null, workerMs: null, start: performance.now() };
const url = new URL("./bare-worker.mjs", import.meta.url);
const worker = new Worker(url, { type: "module", name: "bare" });
worker.addEventListener("message", (event) => {
  if (event.data.type === "ready") {
    window.bare.ready = performance.now();
    window.bare.workerMs = event.data.ms;
  } else {
    window.bare.failed = String(event.data.message);
  }
});
"""
BARE_WORKER_JS = """// engine-worker.mjs's start(), without the calc package
const started = performance.now();
try {
  const runtime = await import(new URL("/assets/pyodide/runtime.mjs", self.location.href).href);
  const { loadPyodide } = await import(new URL("pyodide.mjs", runtime.indexURL).href);
  const pyodide = await loadPyodide({
    indexURL: runtime.indexURL,
    fsInit: async () => {},
    stdout: () => {},
    stderr: (text) => console.warn("[bare]", text),
  });
  pyodide.runPython("import sys; sys.version.split()[0]");
  self.postMessage({ type: "ready", ms: Math.round(performance.now() - started) });
} catch (err) {
  self.postMessage({ type: "failed", message: String((err && err.message) || err) });
}
"""

# Installed in every page before its own scripts: notes when the calculator's preview,
# its answer and its engine status appear (a MutationObserver, so no polling delay).
OBSERVER_JS = """
(() => {
  const seen = (window.__bench = { events: [] });
  const note = (name) => seen.events.push([name, performance.now()]);
  const check = () => {
    // a widget is ready when its engine status says so (the documentation review: when
    // its form, which the engine's checklist builds, is there)
    const widget = document.querySelector(".calc-widget[data-calc]");
    const ready = widget && (widget.dataset.calc === "documentation"
      ? widget.classList.contains("calc-form-ready")
      : widget.querySelector(".calc-status[data-state=ready]"));
    if (ready && !widget.__benchReady) {
      widget.__benchReady = true; note("ready:" + widget.dataset.calc);
    }
    const box = document.querySelector(".calc-widget[data-calc] .calc-result");
    if (box && box.querySelector(".calc-preview") && box.__benchPreview !== true) {
      box.__benchPreview = true; note("preview");
    }
    const done = box && ["ok", "error"].includes(box.dataset.state);
    if (done && box.__benchAnswer !== box.dataset.result) {
      box.__benchAnswer = box.dataset.result; note("answer");
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-state", "class"],
  });
})();
"""

# --- serving ----------------------------------------------------------------------------


class Handler(SiteHandler):
    """The tests' server (its types for .mjs and .wasm), with the bare page at /__bare__/,
    keep-alive and a deployment's cache headers."""

    protocol_version = "HTTP/1.1"  # keep-alive, as a real server does

    def __init__(self, *args: Any, bare: Path, **kwargs: Any) -> None:
        self.bare = bare
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        if path.startswith(BARE):
            name = path[len(BARE) :].split("?")[0] or "index.html"
            return str(self.bare / Path(name).name)
        return super().translate_path(path)

    def end_headers(self) -> None:
        versioned = self.path.startswith("/assets/pyodide/") and self.path.count("/") > 3
        self.send_header(
            "Cache-Control", "public, max-age=31536000, immutable" if versioned else "no-cache"
        )
        super().end_headers()


@contextmanager
def serving(site: Path, bare: Path) -> Iterator[str]:
    port = free_port()
    handler = partial(Handler, directory=str(site), bare=bare)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        server.server_close()


def build_site(dest: Path, site_url: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(dest)],
        cwd=ROOT,
        env={**os.environ, "SITE_URL": site_url},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"error: the site did not build:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


# --- measuring one page -------------------------------------------------------------------

BYTES_JS = """() => {
  const entries = [...performance.getEntriesByType("navigation"),
                   ...performance.getEntriesByType("resource")];
  return entries.map((e) => [e.name, e.transferSize, e.encodedBodySize]);
}"""


def resources(page: Page) -> list[tuple[str, int, int]]:
    """Every response the page and its workers received: (url, transfer, encoded body)."""
    rows = [tuple(r) for r in page.evaluate(BYTES_JS)]
    for worker in page.workers:
        try:
            rows += [tuple(r) for r in worker.evaluate(BYTES_JS)]
        except Exception:  # a worker that ended meanwhile has nothing more to say
            continue
    return rows  # type: ignore[return-value]


def byte_counts(rows: list[tuple[str, int, int]]) -> dict[str, int]:
    return {
        "transfer": sum(r[1] for r in rows),
        "encoded": sum(r[2] for r in rows),
        "requests": len(rows),
        "runtime_requests": sum("/assets/pyodide/" in r[0] for r in rows),
    }


def wait_engine(page: Page, name: str = "") -> float:
    """When the engine was ready, checking it started the way `name` says (".boot")."""
    page.wait_for_function(
        "() => window.calcEngine && ['ready', 'failed'].includes(window.calcEngine.status.state)",
        timeout=TIMEOUT_MS,
        polling=20,
    )
    state = page.evaluate("window.calcEngine.status")
    if state["state"] != "ready":
        sys.exit(f"error: the engine failed: {state['message']}")
    path = "boot" if name.endswith(".boot") else "snapshot"
    if state.get("path") != path:
        sys.exit(f"error: the engine started by {state.get('path')}, not {path} (?engine=boot)")
    ready: float = page.evaluate("window.calcEngine.timings.ready")
    return ready


def wait_bare(page: Page) -> float:
    page.wait_for_function(
        "() => window.bare && (window.bare.ready !== null || window.bare.failed)",
        timeout=TIMEOUT_MS,
        polling=20,
    )
    bare = page.evaluate("window.bare")
    if bare.get("failed"):
        sys.exit(f"error: the bare page failed: {bare['failed']}")
    ready: float = bare["ready"]
    return ready


def widget_ready(page: Page, name: str) -> None:
    """The widget of this page is mounted and its engine status says ready (for the
    documentation review, its form, which the engine's checklist builds, is there)."""
    ready = f".calc-widget[data-calc={name}] .calc-status[data-state=ready]"
    if name == "documentation":
        ready = ".calc-widget[data-calc=documentation].calc-form-ready"
    page.wait_for_selector(ready, state="attached", timeout=TIMEOUT_MS)


def event_after(page: Page, name: str, since: float) -> float:
    """Milliseconds from `since` to the first `name` event the observer noted after it."""
    page.wait_for_function(
        "([name, since]) => window.__bench.events.some(([n, t]) => n === name && t >= since)",
        arg=[name, since],
        timeout=TIMEOUT_MS,
        polling=20,
    )
    at: float = page.evaluate(
        "([name, since]) => window.__bench.events.find(([n, t]) => n === name && t >= since)[1]",
        [name, since],
    )
    return at - since


def click_link(page: Page, href: str) -> float:
    """Click a link to `href` (as the site's own links are clicked); the time of the click."""
    started: float = page.evaluate(
        """(href) => { const a = document.createElement('a'); a.href = href;
                       a.textContent = 'bench link';
                       document.querySelector('.md-content').append(a);
                       const t = performance.now(); a.click(); return t; }""",
        href,
    )
    return started


ROUND_TRIP_JS = """async ([count, seed, engineUrl]) => {
  const engine = await import(engineUrl); // the page's own module instance
  // random visits of 1-6 timed codes, the shape billers enter (same seed every run)
  const codes = ["97110", "97112", "97116", "97140", "97530", "97535"];
  let state = seed;
  const rnd = (n) => { state = (state * 1103515245 + 12345) % 2147483648; return state % n; };
  const times = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + rnd(6);
    const lines = codes.slice(0, n).map((c) => `${c}:${rnd(61)}`).join(",");
    const t = performance.now();
    const answer = await engine.call("units", { lines, method: i % 2 ? "per-code" : "cms" });
    times.push(performance.now() - t);
    if (answer.error) throw new Error(answer.error.message);
  }
  return times;
}"""


# --- one run --------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {}
        self.browser = ""

    def add(self, name: str, value: float) -> None:
        self.samples.setdefault(name, []).append(round(value, 2))


@contextmanager
def profile(pw: Playwright) -> Iterator[BrowserContext]:
    """A browser with a fresh profile: an empty HTTP cache *on disk*, as a biller's browser
    has. (A Playwright incognito context keeps its cache in memory, where the 9.6 MB
    WebAssembly file does not fit, so "warm" would download it again.)"""
    with tempfile.TemporaryDirectory(prefix="browser-bench-profile-") as folder:
        context = pw.chromium.launch_persistent_context(
            folder, executable_path=str(CHROMIUM), args=LAUNCH_ARGS
        )
        try:
            context.add_init_script(OBSERVER_JS)
            for blank in context.pages:
                blank.close()
            yield context
        finally:
            context.close()


def run_ready(
    pw: Playwright, url: str, name: str, bare: bool, rec: Recorder, site: Path | None = None
) -> None:
    """Cold then warm: navigation → ready, and the bytes each load moved (and, given the
    built site, what the cold load would move behind deploy/nginx.conf)."""
    widget = name.split(".")[0]
    with profile(pw) as context:
        for mode in ("cold", "warm"):
            page = context.new_page()
            page.goto(url)
            rec.browser = rec.browser or page.evaluate(
                "navigator.userAgent.match(/Chrome\\/([\\d.]+)/)[1]"
            )
            ready = wait_bare(page) if bare else wait_engine(page, name)
            if not bare:
                widget_ready(page, widget)
            rec.add(f"ready.{name}.{mode}", ready)
            # where the time goes: until the worker starts, then inside the worker
            start, worker = page.evaluate(
                "window.bare ? [window.bare.start, window.bare.workerMs]"
                " : [window.calcEngine.timings.start, window.calcEngine.timings.workerMs]"
            )
            rec.add(f"worker_start.{name}.{mode}", start)
            rec.add(f"worker_ms.{name}.{mode}", worker)
            rows = resources(page)
            counts = byte_counts(rows)
            rec.add(f"bytes.{name}.{mode}.transfer", counts["transfer"])
            rec.add(f"bytes.{name}.{mode}.encoded", counts["encoded"])
            if site is not None and mode == "cold":
                for encoding in ("br", "gzip"):
                    rec.add(f"nginx.{name}.{encoding}", nginx_bytes(rows, site, encoding))
            page.close()


def nginx_bytes(rows: list[tuple[str, int, int]], site: Path, encoding: str) -> int:
    """The bytes deploy/nginx.conf would send for these responses: the pre-compressed
    copy beside a file (.br with brotli_static, .gz), else text gzipped on the fly at
    nginx's default level 1, else the file."""
    total = 0
    for url, _, _ in rows:
        path = urlsplit(url).path
        if path.startswith(BARE):
            continue
        file = site / path.lstrip("/")
        if file.is_dir() or path.endswith("/"):
            file = file / "index.html"
        if not file.is_file():
            continue
        pre = [file.with_name(file.name + ".br")] if encoding == "br" else []
        pre.append(file.with_name(file.name + ".gz"))
        found = next((p for p in pre if p.is_file()), None)
        if found is not None:
            total += found.stat().st_size
        elif file.suffix in NGINX_GZIP_TYPES:
            total += len(gzip.compress(file.read_bytes(), compresslevel=1))
        else:
            total += file.stat().st_size
    return total


def run_navigation(pw: Playwright, base: str, rec: Recorder) -> None:
    """Policy page → calculator (instant navigation) → ready; then the second and third
    calculator pages in the same tab; cold (fresh context) and warm (primed, new page).
    Also the policy page's own bytes: no runtime download there."""
    with profile(pw) as context:
        for mode in ("cold", "warm"):
            page = context.new_page()
            page.goto(base + "policy/", wait_until="networkidle")
            counts = byte_counts(resources(page))
            rec.add(f"bytes.policy.{mode}.transfer", counts["transfer"])
            rec.add(f"runtime_requests.policy.{mode}", counts["runtime_requests"])
            page.evaluate("window.__sameDocument = true")
            started = click_link(page, base + CALCULATORS["units"])
            rec.add(f"nav_ready.policy_to_units.{mode}", event_after(page, "ready:units", started))
            for second in ("claim", "documentation"):
                started = click_link(page, base + CALCULATORS[second])
                rec.add(
                    f"second_page.{second}.{mode}", event_after(page, f"ready:{second}", started)
                )
            if page.evaluate("window.__sameDocument") is not True:
                sys.exit("error: instant navigation fell back to full page loads (site_url?)")
            page.close()


def run_deep_link(pw: Playwright, base: str, rec: Recorder, paths: tuple[str, ...]) -> None:
    """A single-code deep link: the preview and the engine's answer, by a fresh load
    (cold, then warm) and by instant navigation from the policy page; the multi-code
    link → the answer, for each engine path."""
    with profile(pw) as context:
        for mode in ("cold", "warm"):
            page = context.new_page()
            page.goto(base + DEEP_LINK)
            rec.add(f"deep_link.preview.{mode}", event_after(page, "preview", 0))
            rec.add(f"deep_link.answer.{mode}", event_after(page, "answer", 0))
            rec.add(f"deep_link.engine_ready.{mode}", wait_engine(page))
            page.close()
    for path in paths:
        with profile(pw) as context:
            for mode in ("cold", "warm"):
                page = context.new_page()
                page.goto(base + MULTI_LINK + ("&engine=boot" if path == "boot" else ""))
                rec.add(f"multi_link.{path}.{mode}", event_after(page, "answer", 0))
                wait_engine(page, "units." + path)
                page.close()
    with profile(pw) as context:
        # instant navigation from a page without a calculator (the engine not started)
        page = context.new_page()
        page.goto(base + "policy/", wait_until="networkidle")
        started = click_link(page, base + DEEP_LINK)
        rec.add("deep_link.preview.from_policy", event_after(page, "preview", started))
        rec.add("deep_link.answer.from_policy", event_after(page, "answer", started))
        # and from a calculator page whose engine is ready
        started = click_link(page, base + "calculators/claim/")
        widget_ready(page, "claim")
        started = click_link(page, base + DEEP_LINK.replace("38", "53"))
        rec.add("deep_link.answer.engine_ready", event_after(page, "answer", started))
        page.close()


def run_round_trips(pw: Playwright, base: str, seed: int, rec: Recorder) -> list[float]:
    with profile(pw) as context:
        page = context.new_page()
        page.goto(base + CALCULATORS["units"])
        wait_engine(page)
        engine = base + "assets/js/engine.mjs"
        page.evaluate(ROUND_TRIP_JS, [10, seed, engine])  # first calls load the rules data
        times: list[float] = page.evaluate(ROUND_TRIP_JS, [ROUND_TRIPS, seed, engine])
        ordered = sorted(times)
        rec.add("round_trip.p50", percentile(ordered, 50))
        rec.add("round_trip.p95", percentile(ordered, 95))
        return times


# --- statistics and the report -------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.0
    >>> percentile([float(i) for i in range(1, 101)], 95)
    95.0
    """
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    q1, q3 = (
        statistics.quantiles(ordered, n=4, method="inclusive")[::2]
        if len(ordered) > 1
        else (ordered[0], ordered[0])
    )
    return {
        "median": round(statistics.median(ordered), 2),
        "q1": round(q1, 2),
        "q3": round(q3, 2),
        "min": ordered[0],
        "max": ordered[-1],
        "n": len(ordered),
    }


ROWS: list[tuple[str, str, str]] = [
    # (label, metric prefix: .cold/.warm follow, unit)
    ("Bare Pyodide page: navigation → runtime ready (the floor)", "ready.bare", "ms"),
    ("Minutes to units: navigation → engine ready (snapshot)", "ready.units", "ms"),
    ("Claim builder: navigation → engine ready (snapshot)", "ready.claim", "ms"),
    ("Documentation review: navigation → engine ready (snapshot)", "ready.documentation", "ms"),
    ("Minutes to units, booting Python (`?engine=boot`)", "ready.units.boot", "ms"),
    ("Claim builder, booting Python (`?engine=boot`)", "ready.claim.boot", "ms"),
    ("Documentation review, booting Python (`?engine=boot`)", "ready.documentation.boot", "ms"),
    (
        "Deep link `?lines=97112:24,97110:23&method=cms` → engine's answer (snapshot)",
        "multi_link.snapshot",
        "ms",
    ),
    ("… the same deep link, booting Python", "multi_link.boot", "ms"),
    ("… bare page: its worker started at", "worker_start.bare", "ms"),
    ("… units page: the engine worker started at", "worker_start.units", "ms"),
    ("… bare worker: start → runtime ready", "worker_ms.bare", "ms"),
    ("… engine worker: start → ready (runtime, snapshot restored)", "worker_ms.units", "ms"),
    ("… engine worker: start → ready (runtime, calc wheel, import)", "worker_ms.units.boot", "ms"),
    (
        "Policy page → units calculator (instant navigation) → ready",
        "nav_ready.policy_to_units",
        "ms",
    ),
    ("Second calculator page, same tab (claim) → ready", "second_page.claim", "ms"),
    (
        "Third calculator page, same tab (documentation) → form ready",
        "second_page.documentation",
        "ms",
    ),
    ("Deep link `?lines=97112:38` → preview shown (before Python)", "deep_link.preview", "ms"),
    ("Deep link `?lines=97112:38` → engine's answer shown", "deep_link.answer", "ms"),
    ("Bytes transferred, bare page", "bytes.bare", "bytes"),
    ("Bytes transferred, units calculator page (snapshot)", "bytes.units", "bytes"),
    ("Bytes transferred, units calculator page (boot)", "bytes.units.boot", "bytes"),
    ("Bytes transferred, policy page (no calculator)", "bytes.policy", "bytes"),
]


def fmt(stats: dict[str, float] | None, unit: str) -> str:
    if stats is None:
        return "–"
    if unit == "bytes":
        kib = {k: v / 1024 for k, v in stats.items()}
        return f"{kib['median']:,.0f} KiB ({kib['min']:,.0f}–{kib['max']:,.0f})"
    spread = f"{stats['q1']:,.0f}–{stats['q3']:,.0f}; {stats['min']:,.0f}–{stats['max']:,.0f}"
    return f"{stats['median']:,.0f} ({spread})"


def ratio_stats(
    rec: Recorder, page: str, mode: str, measure: str = "ready"
) -> dict[str, float] | None:
    """This page's time over the bare page's, run by run (page "units.boot": its boot
    path; measure "multi_link" with page "snapshot" or "boot": that deep link's answer)."""
    ours = rec.samples.get(f"{measure}.{page}.{mode}")
    bare = rec.samples.get(f"ready.bare.{mode}")
    if not ours or not bare:
        return None
    return summary([o / b for o, b in zip(ours, bare, strict=True)])


def targets(stats: dict[str, dict[str, float]], rec: Recorder) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def target(what: str, value: float | None, limit: float, unit: str) -> None:
        out.append(
            {
                "target": what,
                "median": None if value is None else round(value, 3),
                "limit": limit,
                "unit": unit,
                "met": value is not None and value <= limit,
            }
        )

    for mode in ("cold", "warm"):
        r = ratio_stats(rec, "snapshot", mode, "multi_link")
        target(
            f"multi-code deep link answered / bare Pyodide ready, {mode} (snapshot)",
            None if r is None else r["median"],
            SNAPSHOT_RATIO,
            "×",
        )
        for page in ("units", "claim", "documentation"):
            r = ratio_stats(rec, page, mode)
            target(
                f"{page} engine ready / bare Pyodide, {mode} (snapshot)",
                None if r is None else r["median"],
                SNAPSHOT_RATIO,
                "×",
            )
        for page in ("units", "claim", "documentation"):
            r = ratio_stats(rec, f"{page}.boot", mode)
            target(
                f"{page} engine ready / bare Pyodide, {mode} (boot)",
                None if r is None else r["median"],
                READY_RATIO,
                "×",
            )
    for encoding, limit in NGINX_MIB.items():
        s = stats.get(f"nginx.units.{encoding}")
        target(
            f"first visit to the units page behind nginx, {encoding} (snapshot)",
            s and s["median"] / 2**20,
            limit,
            "MiB",
        )
    s = stats.get("bytes.units.warm.transfer")
    target("warm visit to the units page (snapshot)", s and s["median"] / 1024, 10, "KiB")
    for second in ("claim", "documentation"):
        for mode in ("cold", "warm"):
            s = stats.get(f"second_page.{second}.{mode}")
            target(
                f"second calculator page ({second}) ready, {mode}",
                s and s["median"],
                SECOND_PAGE_MS,
                "ms",
            )
    for mode in ("cold", "warm", "from_policy"):
        s = stats.get(f"deep_link.preview.{mode}")
        target(f"deep link preview shown, {mode}", s and s["median"], PREVIEW_MS, "ms")
    s = stats.get("round_trip.all.p95")
    target("round trip p95 (all calls)", s and s["median"], ROUND_TRIP_P95_MS, "ms")
    for mode in ("cold", "warm"):
        s = stats.get(f"runtime_requests.policy.{mode}")
        target(f"runtime requests on the policy page, {mode}", s and s["max"], 0, "requests")
    return out


def markdown(result: dict[str, Any]) -> str:
    stats = result["metrics"]
    meta = result["meta"]
    lines = [
        f"Chromium {meta['chromium']}, Pyodide {meta['pyodide']}, {meta['cpus']} CPUs, "
        f"loopback HTTP/1.1, {meta['runs']} runs ({meta['date']}). "
        "Milliseconds from navigation (or the click): median (IQR; min–max).",
        "",
        "| measure | cold | warm |",
        "|---|--:|--:|",
    ]
    for label, prefix, unit in ROWS:
        cold = stats.get(f"{prefix}.cold") or stats.get(f"{prefix}.cold.transfer")
        warm = stats.get(f"{prefix}.warm") or stats.get(f"{prefix}.warm.transfer")
        lines.append(f"| {label} | {fmt(cold, unit)} | {fmt(warm, unit)} |")
    extra = [
        (
            "Deep link from the policy page → preview (instant navigation)",
            "deep_link.preview.from_policy",
        ),
        ("Deep link from the policy page → engine's answer", "deep_link.answer.from_policy"),
        (
            "Deep link from a calculator page (engine ready) → answer",
            "deep_link.answer.engine_ready",
        ),
    ]
    for label, key in extra:
        lines.append(f"| {label} | {fmt(stats.get(key), 'ms')} | |")
    for name, how in (("units", "snapshot"), ("units.boot", "boot")):
        br, gz = stats.get(f"nginx.{name}.br"), stats.get(f"nginx.{name}.gzip")
        if br and gz:
            lines.append(
                f"| First visit to the units page behind `deploy/nginx.conf` ({how}): "
                f"brotli / gzip | {br['median'] / 2**20:.2f} / {gz['median'] / 2**20:.2f} MiB | |"
            )
    rt = stats.get("round_trip.all")
    if rt:
        lines.append(
            f"| Round trip through the engine API, {rt['n']} calls: p50 / p95 / max | "
            f"{stats['round_trip.all.p50']['median']:.2f} / "
            f"{stats['round_trip.all.p95']['median']:.2f} / {rt['max']:.2f} | |"
        )
    lines += ["", "| target | median | limit | met |", "|---|--:|--:|---|"]
    for t in result["targets"]:
        value = "–" if t["median"] is None else f"{t['median']:g}"
        lines.append(
            f"| {t['target']} | {value} | {t['limit']:g} {t['unit']} | "
            f"{'yes' if t['met'] else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


def update_readme(table: str, command: str) -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        sys.exit(f"error: README.md has no {README_START} … {README_END} markers")
    block = f"{README_START}\n`{command}`:\n\n{table}{README_END}"
    README.write_text(text[:start] + block + text[end + len(README_END) :], encoding="utf-8")


# --- main ---------------------------------------------------------------------------------------


def pyodide_version() -> str:
    meta = json.loads((ROOT / "node_modules" / "pyodide" / "package.json").read_text())
    return str(meta["version"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of every measure (default 7)")
    parser.add_argument("--readme", action="store_true", help="put the table into README.md")
    parser.add_argument(
        "--engine",
        choices=("both", *PATHS),
        default="both",
        help="the engine's start paths to measure on the calculator pages (default both)",
    )
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        sys.exit(f"error: {CHROMIUM} is missing: run tools/setup.sh --browser")
    command = (
        "make bench"
        if os.environ.get("MAKELEVEL")
        else " ".join(
            [
                ".venv/bin/python bench/browser_bench.py",
                *(argv if argv is not None else sys.argv[1:]),
            ]
        )
    )
    paths = PATHS if args.engine == "both" else (args.engine,)
    rec = Recorder()
    all_trips: list[float] = []
    with tempfile.TemporaryDirectory(prefix="browser-bench-") as tmp:
        site, bare = Path(tmp) / "site", Path(tmp) / "bare"
        bare.mkdir()
        (bare / "index.html").write_text(BARE_HTML, encoding="utf-8")
        (bare / "bare.mjs").write_text(BARE_PAGE_JS, encoding="utf-8")
        (bare / "bare-worker.mjs").write_text(BARE_WORKER_JS, encoding="utf-8")
        with serving(site, bare) as base:
            built = build_site(site, base)
            print(f"site built in {built:.1f} s, served at {base}", file=sys.stderr)
            with sync_playwright() as pw:
                for run in range(args.runs):
                    started = time.perf_counter()
                    # alternate which goes first, so neither always meets a busier machine
                    pages: list[tuple[str, str, bool]] = [("bare", base.rstrip("/") + BARE, True)]
                    for path in paths:
                        boot = path == "boot"
                        pages += [
                            (name + ".boot" * boot, base + url + "?engine=boot" * boot, False)
                            for name, url in CALCULATORS.items()
                        ]
                    for name, url, bare_page in pages[:: -1 if run % 2 else 1]:
                        run_ready(pw, url, name, bare_page, rec, None if bare_page else site)
                    run_navigation(pw, base, rec)
                    run_deep_link(pw, base, rec, paths)
                    all_trips += run_round_trips(pw, base, run + 1, rec)
                    print(
                        f"run {run + 1}/{args.runs} done in {time.perf_counter() - started:.1f} s",
                        file=sys.stderr,
                    )
    stats = {name: summary(values) for name, values in rec.samples.items()}
    for mode in ("cold", "warm"):
        for page in ("units", "claim", "documentation"):
            for name in (page, f"{page}.boot"):
                r = ratio_stats(rec, name, mode)
                if r:
                    stats[f"ratio.{name}.{mode}"] = r
        for path in PATHS:
            r = ratio_stats(rec, path, mode, "multi_link")
            if r:
                stats[f"ratio.multi_link.{path}.{mode}"] = r
    ordered = sorted(all_trips)
    stats["round_trip.all"] = summary(ordered)
    stats["round_trip.all.p50"] = summary([percentile(ordered, 50)])
    stats["round_trip.all.p95"] = summary([percentile(ordered, 95)])
    result: dict[str, Any] = {
        "meta": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": command,
            "runs": args.runs,
            "chromium": rec.browser,
            "pyodide": pyodide_version(),
            "cpus": os.cpu_count(),
            "machine": platform.platform(),
            "server": "Python http.server, HTTP/1.1, loopback; runtime cached, rest no-cache",
        },
        "metrics": stats,
        "samples": rec.samples,
    }
    result["targets"] = targets(stats, rec)
    table = markdown(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "latest.md").write_text(table, encoding="utf-8")
    print(table)
    if args.readme:
        update_readme(table, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
