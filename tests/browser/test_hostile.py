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


#: A worker of its own, started from the page's engine-worker.mjs, sent raw messages no
#: page sends: each one with an id must be answered, and the worker must go on working.
RAW = """async (workerUrl) => {
  const worker = new Worker(workerUrl, { type: "module" });
  const answers = {};
  const ready = new Promise((resolve, reject) => {
    worker.addEventListener("message", (event) => {
      const data = event.data || {};
      if (data.type === "ready") resolve();
      else if (data.type === "failed") reject(new Error(data.message));
      else if (data.id !== undefined) answers[data.id] = data.result;
    });
  });
  await ready;
  const deep = (n) => '{"lines": ' + "[".repeat(n) + "]".repeat(n) + "}";
  for (const message of [null, 42, "units", [1, 2], { id: "x" }, { call: "units" }]) {
    worker.postMessage(message);
  }
  worker.postMessage({ id: 1, call: "units", text: deep(2600) });
  worker.postMessage({ id: 2, call: "units", text: deep(3200) });
  worker.postMessage({ id: 3, call: "units", text: deep(5000) });
  worker.postMessage({ id: 4, call: "units", text: 5 });
  worker.postMessage({ id: 5, call: "shell", text: "{}" });
  worker.postMessage({ id: 6, call: "units", text: '{"lines": ' + "9".repeat(5000) + "}" });
  worker.postMessage({ id: 7, call: "units", text: "{not json" });
  worker.postMessage({ id: 8, call: "units", text: '{"lines": "97112:24"}' });
  const until = Date.now() + 30000;
  while (Object.keys(answers).length < 8 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  worker.terminate();
  return answers;
}"""


def test_case_5_the_worker_itself_answers_every_id(page: Page, site: Site) -> None:
    page.goto(site.page("calculators/units/"))
    got: dict[str, Any] = page.evaluate(RAW, site.page("assets/js/engine-worker.mjs"))
    codes = {key: answer.get("error", {}).get("code") for key, answer in got.items()}
    assert codes == {
        "1": "bad_request",
        "2": "bad_request",
        "3": "bad_request",
        "4": "bad_request",
        "5": "unknown_call",
        "6": "bad_request",
        "7": "bad_request",
        "8": None,
    }, got
    assert got["8"]["total_units"] == 2
