"""The built site behind real nginx (Debian's package), with the sample configuration
deploy/nginx.conf filled in: the types, caching and compression an intranet server sends,
the calculators working, and no page breaking the Content-Security-Policy.

One nginx for the session, started here as the current user on loopback (not as a
daemon, with its pid, logs and temp files in a temporary folder); the site is built for,
and served under, a sub-path, as on a shared intranet host.

Violations are heard three ways: a ``securitypolicyviolation`` listener in every page,
console errors (pages and workers), and, for what happens inside workers (whose events
and console the pages cannot see), a ``report-uri`` the test adds to the policy: the
browser POSTs each report to nginx, and the access log shows it."""

from __future__ import annotations

import gzip
import json
import os
import pwd
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from tests.browser.conftest import ROOT, Site, _free_port, build_site

pytestmark = pytest.mark.browser
NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))
TEMPLATE = ROOT / "deploy" / "nginx.conf"
#: Debian's libnginx-mod-http-brotli-static (tools/setup.sh --browser installs it).
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
BASE = "/cpt97112/"
#: Added to the sample's policy for the test: where the browser reports violations.
REPORT_PATH = BASE + "__csp-report"
#: A page that is not there: the site's 404 page (its 404 status is no problem).
MISSING = "no-such-page/"
READY_MS = 60_000
IMMUTABLE = "public, max-age=31536000, immutable"
#: What deploy/nginx.conf promises; asserted on the answers, not read back from the file.
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
)


@dataclass
class Nginx:
    """The site served by nginx at ``site.url``; ``brotli``: the module is loaded."""

    site: Site
    folder: Path
    brotli: bool
    violations: list[dict[str, Any]] = field(default_factory=list)

    def log_size(self) -> int:
        return (self.folder / "access.log").stat().st_size

    def reports(self, since: int = 0) -> list[str]:
        """The violation reports browsers sent since that log offset (one log line each,
        with the page or worker that broke the policy as its referer)."""
        with (self.folder / "access.log").open("rb") as log:
            log.seek(since)
            lines = log.read().decode("utf-8", errors="replace").splitlines()
        return [line for line in lines if f"POST {REPORT_PATH} " in line]


def render(
    template: str, listen: str, web_root: Path, base: str, brotli: bool, report: bool = True
) -> str:
    """deploy/nginx.conf with its {{...}} placeholders filled in; with ``report``, the
    policy also names REPORT_PATH, which answers 204 (and the access log keeps)."""
    values = {
        "LISTEN": listen,
        "SERVER_NAME": "127.0.0.1",
        "WEB_ROOT": str(web_root),
        "BASE": base,
    }
    text = re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template)
    if brotli:
        text = text.replace("# brotli_static on;", "brotli_static on;")
    assert not re.search(r"^[^#]*\{\{", text, re.MULTILINE)  # (comments may name them)
    if report:
        policy = f'add_header Content-Security-Policy "{CSP}" always;'
        assert text.count(policy) == 1
        text = text.replace(policy, policy.replace(CSP, f"{CSP}; report-uri {REPORT_PATH}"))
        where = f"    location {base} {{"
        assert text.count(where) == 1
        text = text.replace(where, f"    location = {REPORT_PATH} {{ return 204; }}\n{where}")
    return text


def main_config(folder: Path, site_conf: Path, brotli: bool) -> str:
    """The parts of Debian's /etc/nginx/nginx.conf the site file relies on, with every
    path in ``folder`` (nginx checks its temp folders at start: the defaults are root's)."""
    lines = [
        "daemon off;",
        "worker_processes 1;",
        f"pid {folder}/nginx.pid;",
        f"error_log {folder}/error.log warn;",
    ]
    if os.geteuid() == 0:  # as root, workers would switch to "nobody", who cannot read tmp
        user = pwd.getpwuid(os.geteuid()).pw_name
        lines.append(f"user {user};")
    if brotli:
        lines.append(f"load_module {BROTLI_MODULE};")
    temps = " ".join(
        f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    lines += [
        "events { worker_connections 64; }",
        "http {",
        "    include /etc/nginx/mime.types;",
        "    default_type application/octet-stream;",
        "    sendfile on;",
        f"    access_log {folder}/access.log;",
        f"    {temps}",
        f"    uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;",
        f"    include {site_conf};",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = (folder / "error.log").read_text(errors="replace")
            pytest.fail(f"nginx exited ({proc.returncode}):\n{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail("nginx did not listen within 15 s")


@pytest.fixture(scope="session")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing: run tools/setup.sh --browser (apt-get install nginx)")
    folder = tmp_path_factory.mktemp("nginx")
    web_root = folder / "www"
    port = _free_port()
    url = f"http://127.0.0.1:{port}{BASE}"
    build_site(web_root / BASE.strip("/"), url)
    brotli = BROTLI_MODULE.exists()
    site_conf = folder / "cpt97112.conf"
    site_conf.write_text(
        render(TEMPLATE.read_text(encoding="utf-8"), f"127.0.0.1:{port}", web_root, BASE, brotli)
    )
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site_conf, brotli))
    proc = subprocess.Popen(
        [str(NGINX), "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, proc, folder)
        yield Nginx(Site(url, web_root / BASE.strip("/")), folder, brotli)
    finally:
        proc.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- Headers (no browser) ----------------------------------------------------------------


def fetch(url: str, encoding: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding or "identity"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _first_answer(url: str) -> tuple[int, dict[str, str]]:
    """The status and headers of the first answer (a redirect is not followed)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=10) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}


def runtime_files(site: Site) -> tuple[Path, Path]:
    """The versioned runtime folder and the content-hashed engine folder."""
    pyodide = site.root / "assets" / "pyodide"
    (runtime,) = [p for p in pyodide.iterdir() if p.is_dir() and p.name[0].isdigit()]
    (engine,) = (pyodide / "engine").iterdir()
    return runtime, engine


def path_of(site: Site, file: Path) -> str:
    return site.url + file.relative_to(site.root).as_posix()


def test_security_headers_on_every_answer(nginx: Nginx) -> None:
    site = nginx.site
    runtime, _ = runtime_files(site)
    for url in [site.url, site.page("calculators/units/"), path_of(site, runtime / "pyodide.mjs")]:
        status, headers, _ = fetch(url)
        assert status == 200, url
        assert headers["content-security-policy"] == f"{CSP}; report-uri {REPORT_PATH}"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "SAMEORIGIN"
        assert "nginx/" not in headers.get("server", "")
    # a missing page: the site's own 404 page, with the same headers
    status, headers, body = fetch(site.page(MISSING))
    assert status == 404
    assert headers["content-security-policy"].startswith(CSP)
    assert b"404" in body and b"md-content" in body


def test_only_the_sites_path_is_served_and_no_dotfile(nginx: Nginx) -> None:
    """Issue 16, case 7: files beside the site in the web root, and dotfiles inside it,
    were served (``/other/secret.txt`` and ``/.env`` answered 200)."""
    site = nginx.site
    web_root = site.root.parent
    root_url = site.url.removesuffix(BASE) + "/"
    (web_root / "other").mkdir(exist_ok=True)
    (web_root / "other" / "secret.txt").write_text("secret")
    (web_root / ".env").write_text("SECRET=1")
    (web_root / "notes.txt").write_text("secret")
    (site.root / ".env").write_text("SECRET=1")
    (site.root / ".git").mkdir(exist_ok=True)
    (site.root / ".git" / "config").write_text("secret")
    (site.root / "assets" / ".hidden.mjs").write_text("secret")
    try:
        for url in [
            root_url + "other/secret.txt",
            root_url + ".env",
            root_url + "notes.txt",
            root_url + "cpt97112/../other/secret.txt",
            site.url + ".env",
            site.url + ".git/config",
            site.page("assets/.hidden.mjs"),
            site.url + "%2eenv",
        ]:
            status, headers, body = fetch(url)
            assert (status, b"secret" in body.lower()) == (404, False), url
            assert headers["content-security-policy"].startswith(CSP), url
        status, _, _ = fetch(site.url)
        assert status == 200
        # the site's own path without its last slash is sent to the site, not refused
        status, headers = _first_answer(site.url.removesuffix("/"))
        assert (status, urlsplit(headers.get("location", "")).path) == (301, BASE)
    finally:
        for path in [web_root / ".env", web_root / "notes.txt", site.root / ".env"]:
            path.unlink()


def test_pages_are_revalidated_and_versioned_files_kept(nginx: Nginx) -> None:
    site = nginx.site
    runtime, engine = runtime_files(site)
    wheel = next(engine.glob("calc-*.whl"))
    bundle = next((site.root / "assets" / "javascripts").glob("bundle.*.min.js"))
    expected = {
        # path: (Content-Type, Cache-Control)
        site.url: ("text/html; charset=utf-8", "no-cache"),
        site.page("calculators/claim/"): ("text/html; charset=utf-8", "no-cache"),
        site.page("search/search_index.json"): ("application/json; charset=utf-8", "no-cache"),
        site.page("assets/pyodide/runtime.mjs"): ("text/javascript; charset=utf-8", "no-cache"),
        site.page("assets/js/engine.mjs"): ("text/javascript; charset=utf-8", "no-cache"),
        site.page("assets/js/theme/palette.js"): (
            "application/javascript; charset=utf-8",
            "no-cache",
        ),
        path_of(site, bundle): ("application/javascript; charset=utf-8", IMMUTABLE),
        path_of(site, runtime / "pyodide.mjs"): ("text/javascript; charset=utf-8", IMMUTABLE),
        path_of(site, runtime / "pyodide.asm.mjs"): ("text/javascript; charset=utf-8", IMMUTABLE),
        path_of(site, runtime / "pyodide.asm.wasm"): ("application/wasm", IMMUTABLE),
        path_of(site, runtime / "python_stdlib.zip"): ("application/zip", IMMUTABLE),
        path_of(site, engine / "pyodide-lock.json"): ("application/json; charset=utf-8", IMMUTABLE),
        path_of(site, wheel): ("application/octet-stream", IMMUTABLE),
    }
    got = {}
    for url in expected:
        status, headers, _ = fetch(url)
        assert status == 200, url
        got[url] = (headers.get("content-type"), headers.get("cache-control"))
    assert got == expected


def test_runtime_files_go_out_pre_compressed(nginx: Nginx) -> None:
    site = nginx.site
    runtime, engine = runtime_files(site)
    wasm = runtime / "pyodide.asm.wasm"
    url = path_of(site, wasm)
    status, headers, body = fetch(url)
    assert (status, headers.get("content-encoding")) == (200, None)
    assert body == wasm.read_bytes()
    status, headers, body = fetch(url, "gzip, deflate")
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert headers["content-type"] == "application/wasm"
    assert headers["cache-control"] == IMMUTABLE
    assert (
        len(body) == (runtime / "pyodide.asm.wasm.gz").stat().st_size < 0.4 * len(wasm.read_bytes())
    )
    assert gzip.decompress(body) == wasm.read_bytes()
    status, headers, body = fetch(path_of(site, engine / "pyodide-lock.json"), "gzip")
    assert headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(body))["packages"]["calc"]
    # a zip already: no copy, sent as is
    status, headers, _ = fetch(path_of(site, runtime / "python_stdlib.zip"), "gzip")
    assert headers.get("content-encoding") is None
    if nginx.brotli:
        import brotli  # type: ignore[import-untyped]

        status, headers, body = fetch(url, "gzip, br")
        assert headers["content-encoding"] == "br"
        assert brotli.decompress(body) == wasm.read_bytes()


# --- The pages, read: nothing inline the policy would block -------------------------------

#: Script types a browser runs (a data block such as Material's application/json
#: configuration is not run, and the policy allows it).
_JS_TYPES = {"", "module", "text/javascript", "application/javascript"}


class _Inline(HTMLParser):
    """What in a page would need 'unsafe-inline': scripts, handlers, styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script" and "src" not in a and a.get("type", "").lower() in _JS_TYPES:
            self._script = True
        if tag == "style":
            self.found.append("<style> element")
        self.found += [f"{tag} {k}=" for k in a if k.startswith("on") or k == "style"]
        self.found += [
            f"{tag} {k}=javascript:"
            for k, v in a.items()
            if v.strip().lower().startswith("javascript:")
        ]

    def handle_data(self, data: str) -> None:
        if self._script:
            self.found.append(f"inline script: {data.strip()[:60]}")
            self._script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script:
            self.found.append("inline script (empty)")
            self._script = False


def test_no_page_has_anything_inline(nginx: Nginx) -> None:
    """Material's inline scripts are files now (overrides/), tables align with the align
    attribute (mkdocs.yml): no page needs 'unsafe-inline'. A theme feature turned on
    later that brings an inline script back (announce.dismiss, extra.version,
    extra.consent, analytics) fails here: move it out as overrides/ does."""
    found = {}
    for page in sorted(nginx.site.root.rglob("*.html")):
        parser = _Inline()
        parser.feed(page.read_text(encoding="utf-8"))
        if parser.found:
            found[page.relative_to(nginx.site.root).as_posix()] = sorted(set(parser.found))
    assert found == {}
    assert _inline('<script>x()</script><p style="a" onclick="b"><a href="javascript:c">') == [
        "inline script: x()",
        "p style=",
        "p onclick=",
        "a href=javascript:",
    ]
    assert _inline('<script id="__config" type="application/json">{}</script>') == []


def _inline(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


# --- In Chromium, under the Content-Security-Policy --------------------------------------

#: Installed in every page before its own scripts: report each CSP violation to Python.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation({
    page: location.href, directive: e.effectiveDirective, blocked: e.blockedURI,
    source: e.sourceFile, line: e.lineNumber, sample: e.sample,
  });
});
"""


@dataclass
class Watched:
    """A browser context whose CSP violations, console errors and page errors are kept,
    with the reports nginx received since it was opened."""

    context: BrowserContext
    nginx: Nginx
    since: int
    violations: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def problems(self, page: Page) -> list[Any]:
        page.wait_for_timeout(300)  # reports are sent a moment after the violation
        return [*self.violations, *self.errors, *self.nginx.reports(self.since)]


def _console(watched: Watched, message: ConsoleMessage) -> None:
    where = message.worker.url if message.worker else message.location.get("url", "")
    if where.endswith(MISSING) and "status of 404" in message.text:
        return
    if message.type == "error" or "content security policy" in message.text.lower():
        watched.errors.append(f"console {message.type} ({where}): {message.text}")


@pytest.fixture
def watched(browser: Browser, nginx: Nginx) -> Iterator[Watched]:
    context = browser.new_context()
    watched = Watched(context, nginx, nginx.log_size())
    context.expose_function("__cspViolation", lambda v: watched.violations.append(v))
    context.add_init_script(CSP_LISTENER)
    context.on("console", lambda message: _console(watched, message))
    context.on("weberror", lambda error: watched.errors.append(f"page error: {error.error}"))
    try:
        yield watched
    finally:
        context.close()


def wait_engine(page: Page) -> None:
    page.wait_for_function(
        "() => window.calcEngine && ['ready', 'failed'].includes(window.calcEngine.status.state)",
        timeout=READY_MS,
    )
    assert page.evaluate("window.calcEngine.status.state") == "ready"


def result_of(page: Page, calc: str) -> dict[str, Any]:
    box = page.locator(f".calc-widget[data-calc={calc}] .calc-result")
    expect(box).to_have_attribute("data-state", "ok", timeout=READY_MS)
    data: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return data


def test_calculators_work_behind_nginx(watched: Watched, nginx: Nginx) -> None:
    site = nginx.site
    page = watched.context.new_page()
    encodings: dict[str, str | None] = {}
    page.on(
        "response",
        lambda r: encodings.update({r.url.rsplit("/", 1)[-1]: r.headers.get("content-encoding")}),
    )
    page.goto(site.page("calculators/units/?lines=97112:38"))
    result = result_of(page, "units")
    assert result["total_units"] == 3
    assert {line["code"]: line["units"] for line in result["lines"]} == {"97112": 3}
    # the runtime came compressed (brotli when nginx has the module, else gzip)
    assert encodings["pyodide.asm.wasm"] == ("br" if nginx.brotli else "gzip")
    # on to the claim builder by a link: instant navigation, the same engine
    page.evaluate("window.__sameDocument = true")
    follow_link(page, site.page("calculators/claim/?payer=bcbsnc&lines=98941,97112:23"))
    page.wait_for_url("**/calculators/claim/?payer=bcbsnc&lines=98941,97112:23")
    claim = result_of(page, "claim")
    assert [line["display"] for line in claim["lines"]] == ["98941 × 1", "97112-59-GP × 2"]
    lines = page.locator(".calc-widget .calc-claim-line")
    expect(lines).to_have_text(["98941 × 1", "97112-59-GP × 2"])
    assert page.evaluate("window.__sameDocument") is True
    assert page.evaluate("window.calcEngine.workerStarts") == 1
    assert watched.problems(page) == []


def all_pages(site: Site) -> list[str]:
    paths = sorted(
        p.parent.relative_to(site.root).as_posix() + "/" for p in site.root.rglob("index.html")
    )
    return ["" if p == "./" else p for p in paths]


def follow_link(page: Page, href: str) -> None:
    """Click a link placed in the page (Material's instant navigation handles it)."""
    page.evaluate(
        """(href) => { const a = document.createElement('a'); a.href = href;
                       a.textContent = 'test link';
                       document.querySelector('.md-content').append(a); a.click(); }""",
        href,
    )


def test_no_page_breaks_the_content_security_policy(watched: Watched, nginx: Nginx) -> None:
    """Every page loaded in full, every calculator with an answer, search, the palette
    toggle and instant navigation: not one CSP violation, console error or script error."""
    site = nginx.site
    page = watched.context.new_page()
    pages = all_pages(site)
    calculators = [p for p in pages if "calc-widget" in (site.root / p / "index.html").read_text()]
    assert "" in pages and {"calculators/units/", "calculators/claim/"} <= set(calculators)
    for path in [*pages, MISSING]:
        page.goto(site.page(path))
        for widget in page.locator(".calc-widget[data-calc]").all():
            expect(widget).to_have_attribute("data-calc-mounted", "ready")
    # the calculators with answers shown (one engine: instant navigation between them)
    page.goto(site.page("calculators/units/?lines=97112:24,97110:23&method=cms"))
    assert result_of(page, "units")["total_units"] == 3
    page.evaluate("window.__sameDocument = true")
    follow_link(page, site.page("calculators/claim/?payer=bcbsnc&lines=98941,97112:23"))
    page.wait_for_url("**/calculators/claim/?*")
    assert result_of(page, "claim")["lines"][1]["display"] == "97112-59-GP × 2"
    for path in calculators:
        follow_link(page, site.page(path))
        page.wait_for_url(f"**{BASE}{path}")
        for widget in page.locator(".calc-widget[data-calc]").all():
            expect(widget).to_have_attribute("data-calc-mounted", "ready")
            if widget.locator(".calc-result").count():
                expect(widget.locator(".calc-result")).not_to_have_attribute(
                    "data-state", re.compile("^(|pending)$"), timeout=READY_MS
                )
    assert page.evaluate("window.__sameDocument") is True
    assert page.evaluate("window.calcEngine.workerStarts") == 1
    # search: its worker fetches the index and the results are drawn
    page.goto(site.url)
    meta = page.locator(".md-search-result__meta")
    expect(meta).to_have_text("Type to start searching")  # the worker has the index
    # (typed: Material reads the query on keyup)
    page.locator("input[data-md-component=search-query]").press_sequentially("modifier 59")
    expect(meta).to_contain_text("matching document")
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=10_000)
    page.keyboard.press("Escape")
    # the palette toggle; the choice is kept (in this site's scope) and applied on the
    # next page as it loads (palette.js, a blocking script right after the toggles)
    scheme = page.evaluate("document.body.dataset.mdColorScheme")
    toggles = page.locator("form[data-md-component=palette] label:visible")
    for _ in range(3):
        if page.evaluate("document.body.dataset.mdColorScheme") != scheme:
            break
        toggles.first.click()
    chosen = page.evaluate("document.body.dataset.mdColorScheme")
    assert chosen != scheme
    stored = page.evaluate(f"localStorage.getItem('{BASE}.__palette')")
    assert stored and json.loads(stored)["color"]["scheme"] == chosen
    page.goto(site.page("policy/"), wait_until="domcontentloaded")
    assert page.evaluate("document.body.dataset.mdColorScheme") == chosen
    # instant navigation through the site's own links
    page.evaluate("window.__sameDocument = true")
    page.locator("a[href$='help-sheet/']").first.click()
    page.wait_for_url("**/help-sheet/")
    assert page.evaluate("window.__sameDocument") is True
    assert watched.problems(page) == []


def test_the_watch_hears_violations(watched: Watched, nginx: Nginx) -> None:
    """The check itself: an inline style and an inline script added to a page, and a
    request to another origin from inside a worker (Material's search worker), are all
    reported (so no report above means no violation, not deaf ears)."""
    page = watched.context.new_page()
    page.goto(nginx.site.page("policy/"))
    page.evaluate(
        """() => { document.body.setAttribute('style', 'color: red');
                   const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.body.append(s); }"""
    )
    page.wait_for_event("worker", lambda w: "/workers/search." in w.url) if not [
        w for w in page.workers if "/workers/search." in w.url
    ] else None
    (worker,) = [w for w in page.workers if "/workers/search." in w.url]
    blocked = worker.evaluate("fetch('http://other.invalid/').then(() => 'sent', String)")
    assert blocked.startswith("TypeError")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__ran") is None
    directives = {v["directive"] for v in watched.violations}
    assert {"style-src-attr", "script-src-elem"} <= directives, watched.violations
    reports = nginx.reports(watched.since)
    assert any("/workers/search." in line for line in reports), reports
    assert any("/policy/" in line for line in reports), reports


def test_a_placeholder_left_is_refused(nginx: Nginx, tmp_path: Path) -> None:
    """An admin who forgets one of the {{...}} placeholders gets an error from nginx -t,
    not a server that quietly sends the wrong types (a {{BASE}} left in would otherwise
    read as a named location)."""
    template = TEMPLATE.read_text(encoding="utf-8")
    port = nginx.site.origin.rsplit(":", 1)[1]
    text = render(template, f"127.0.0.1:{port}", nginx.folder / "www", BASE, nginx.brotli, False)
    site_conf = tmp_path / "site.conf"
    conf = tmp_path / "nginx.conf"
    conf.write_text(main_config(tmp_path, site_conf, nginx.brotli))
    test = [str(NGINX), "-t", "-q", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "e")]
    site_conf.write_text(text)
    assert subprocess.run(test, capture_output=True, check=False).returncode == 0
    site_conf.write_text(text.replace(f"location {BASE} ", "location {{BASE}} "))
    assert subprocess.run(test, capture_output=True, check=False).returncode != 0
