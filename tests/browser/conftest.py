"""Browser tests: the built site, served over real HTTP on loopback, driven through
Playwright with Debian's Chromium (never `playwright install`: it downloads a browser)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
#: Chromium's arguments here (and in bench/browser_bench.py): no sandbox in a container,
#: no GPU, nothing fetched from the network behind the tests' back
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run tools/setup.sh --browser (apt-get install chromium)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


class _Handler(SimpleHTTPRequestHandler):
    # explicit, whatever the host's mime.types says: module workers and WebAssembly
    # streaming compilation refuse other types
    extensions_map = {  # noqa: RUF012 (the base class declares it this way)
        **SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".whl": "application/zip",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def build_site(dest: Path, site_url: str) -> None:
    env = {**os.environ, "SITE_URL": site_url}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(dest)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@dataclass
class Site:
    """The built site served at ``url`` (ends with /), from ``root`` on disk."""

    url: str
    root: Path
    origin: str = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        self.origin = f"{parts.scheme}://{parts.netloc}"

    def page(self, path: str = "") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def http_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One loopback HTTP server for the session: (origin, folder it serves)."""
    folder = tmp_path_factory.mktemp("www")
    port = _free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site(http_root: tuple[str, Path]) -> Site:
    """The site built for, and served at, the server's root."""
    origin, folder = http_root
    url = origin + "/"
    build_site(folder, url)
    return Site(url, folder)


@pytest.fixture(scope="session")
def subpath_site(http_root: tuple[str, Path], site: Site) -> Site:
    """The same site built for, and served under, /billing/ (as on a shared intranet host)."""
    origin, folder = http_root
    url = origin + "/billing/"
    build_site(folder / "billing", url)
    return Site(url, folder / "billing")
