"""The engine's memory snapshot in Chromium (issue 17): calculator deep links are answered
by an engine restored from the snapshot (no wheel download, no import), with CPython's
answers; ``?engine=boot`` starts Python the old way; and a snapshot that is corrupted,
does not restore or fails its health check costs the user nothing but time: the same
worker boots Python and the page answers as always."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from calc import api
from tests.browser.conftest import Site

pytestmark = pytest.mark.browser
READY_MS = 90_000
#: The deep links of the linking contract, with the call and request each one makes.
#: The date of service is pinned: a link without one is answered for the browser's today,
#: which the engine's answer then states (and CPython's must be asked for the same day).
LINKS = [
    (
        "calculators/units/?lines=97112:24,97110:23&method=cms&dos=2026-12-01",
        "units",
        {"lines": "97112:24,97110:23", "method": "cms", "dos": "2026-12-01"},
    ),
    ("calculators/claim/?payer=bcbsnc&lines=98941,97112:23&dos=2026-12-01", "claim", None),
]


def open_page(browser: Browser, url: str) -> tuple[Page, list[str], Callable[[], None]]:
    """A page in a fresh context (cold cache), and the paths of the requests it makes."""
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url)
    return page, requested, context.close


def answer_and_path(page: Page, widget: str) -> tuple[dict[str, Any], str]:
    """The engine's answer a widget shows and how its engine started."""
    box = page.locator(f".calc-widget[data-calc={widget}] .calc-result")
    expect(box).to_have_attribute("data-state", re.compile("ok|error"), timeout=READY_MS)
    status = page.locator(f".calc-widget[data-calc={widget}] .calc-status")
    expect(status).to_have_attribute("data-state", "ready", timeout=READY_MS)
    answer: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return answer, status.get_attribute("data-engine-path") or ""


@pytest.mark.parametrize(("link", "call", "request_"), LINKS)
def test_deep_links_are_answered_from_the_snapshot(
    browser: Browser, site: Site, link: str, call: str, request_: dict[str, Any] | None
) -> None:
    page, requested, close = open_page(browser, site.page(link))
    try:
        answer, path = answer_and_path(page, call)
        assert path == "snapshot"
        assert any(
            re.search(r"/engine/[0-9a-f]{16}/snapshot-[0-9a-f]{16}\.bin$", u) for u in requested
        )
        assert not [u for u in requested if u.endswith(".whl")]  # no wheel, no import
        if request_ is not None:
            assert answer == api.call(call, request_)  # CPython's answer, in Chromium
        else:
            assert "error" not in answer and answer["payer"] == "bcbsnc"
    finally:
        close()


def test_engine_boot_in_the_address_starts_python_without_the_snapshot(
    browser: Browser, site: Site
) -> None:
    link, call, request_ = LINKS[0]
    page, requested, close = open_page(browser, site.page(link + "&engine=boot"))
    try:
        answer, path = answer_and_path(page, call)
        assert path == "boot"
        assert not [u for u in requested if u.endswith(".bin")]
        assert [u for u in requested if u.endswith(".whl")]
        assert answer == api.call(call, request_)
    finally:
        close()


def _flip_bytes(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]


def _bad_build_id(data: bytes) -> bytes:
    return data[:16] + bytes(32) + data[48:]  # the header's BUILD_ID, words 4-11


@pytest.mark.parametrize("damage", ["corrupted", "not-restorable", "wrong-health-check"])
def test_a_bad_snapshot_falls_back_to_booting_python(
    browser: Browser, site: Site, http_root: tuple[str, Path], damage: str
) -> None:
    """A copy of the site with its snapshot damaged: served corrupted (Subresource
    Integrity rejects it), consistent but made for another runtime build (the restore
    throws), or answering the health check differently. The page still answers, via boot,
    and says nothing about it."""
    origin, served = http_root
    copy = served / f"damaged-{damage}"
    if not copy.exists():
        shutil.copytree(
            site.root,
            copy,
            copy_function=os.link,  # hard links: the runtime files are not copied
            ignore=lambda folder, names: (
                [n for n in names if n.startswith(("damaged-", "billing"))]
                if Path(folder) == site.root
                else []
            ),
        )
    (snapshot,) = copy.glob("assets/pyodide/engine/*/snapshot-*.bin")
    runtime = copy / "assets" / "pyodide" / "runtime.mjs"
    module = runtime.read_text()
    runtime.unlink()  # hard links: write new files, never into the shared ones
    data = snapshot.read_bytes()
    snapshot.unlink()
    if damage == "corrupted":
        snapshot.write_bytes(_flip_bytes(data))
    elif damage == "not-restorable":
        import base64
        import hashlib

        bad = _bad_build_id(data)
        snapshot.write_bytes(bad)
        digest = base64.b64encode(hashlib.sha256(bad).digest()).decode()
        module = re.sub(r'integrity: "sha256-[^"]+"', f'integrity: "sha256-{digest}"', module)
    else:
        snapshot.write_bytes(data)
        module = re.sub(r'"digest": "[0-9a-f]{8}"', '"digest": "00000000"', module)
    runtime.write_text(module)

    link, call, request_ = LINKS[0]
    page, requested, close = open_page(browser, f"{origin}/{copy.name}/{link}")
    try:
        answer, path = answer_and_path(page, call)
        assert path == "boot"
        assert answer == api.call(call, request_)
        assert [u for u in requested if u.endswith(".whl")]  # the boot path's wheel
        assert page.evaluate("window.calcEngine.workerStarts") == 1  # in the same worker
        expect(page.locator(".calc-status[role=alert]")).to_have_count(0)
    finally:
        close()
