"""Hostile and sloppy input in Chromium (issue 16): the engine worker answers every
message and engine.call never rejects (case 5); the links' notices are in
test_links.py."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Site

pytestmark = pytest.mark.browser
READY_MS = 60_000

#: Calls engine.call from the page (the page's own module, so the page's own worker)
#: with requests no form sends; each entry: what came back, or how the promise failed.
PROBE = """async (engineUrl) => {
  const engine = await import(engineUrl);
  const nest = (depth, leaf) => {
    let v = leaf;
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  };
  const cyclic = {}; cyclic.self = cyclic;
  const requests = {
    depth2500: { lines: nest(2500, "97112:24") },
    depth3000: { lines: nest(3000, "97112:24") },
    depth5000: { lines: nest(5000, "97112:24") },
    depth100k: { lines: nest(100000, "97112:24") },
    keyDeep: JSON.parse('{"lines": ' + "[".repeat(2600) + "]".repeat(2600) + "}"),
    func: { lines: () => 1 },
    node: { lines: document.body },
    bigint: { lines: 10n ** 5000n },
    cycle: cyclic,
    huge: { lines: "97112:" + "9".repeat(5000) },
    rtl: { lines: "\\u202eEVIL:x" },
  };
  const out = {};
  for (const [name, request] of Object.entries(requests)) {
    try {
      const answer = await Promise.race([
        engine.call("units", request),
        new Promise((resolve) => setTimeout(() => resolve("no answer in 20 s"), 20000)),
      ]);
      out[name] = answer;
    } catch (err) {
      out[name] = "rejected: " + String(err);
    }
  }
  out.after = await engine.call("units", { lines: "97112:24" });
  out.status = engine.currentStatus().state;
  return out;
}"""


def test_case_5_the_worker_answers_whatever_it_is_sent(page: Page, site: Site) -> None:
    page.goto(site.page("calculators/units/"))
    page.wait_for_function(
        "() => window.calcEngine && window.calcEngine.status.state === 'ready'", timeout=READY_MS
    )
    got: dict[str, Any] = page.evaluate(PROBE, site.page("assets/js/engine.mjs"))
    after, status = got.pop("after"), got.pop("status")
    for name, answer in got.items():
        assert isinstance(answer, dict) and "error" in answer, (name, answer)
        assert answer["error"]["code"] in ("bad_request", "bad_minutes", "day_too_long"), (
            name,
            answer,
        )
        assert "\u202e" not in answer["error"]["message"]
    assert got["depth2500"]["error"]["code"] == "bad_request"
    assert after["total_units"] == 2 and status == "ready"
