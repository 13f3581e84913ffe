// Starts the calculator engine's worker from a calculator page's head, as soon as the
// page starts to load: a small blocking classic script (overrides/main.html), so the
// runtime download begins as early as it would on a page that did nothing else. (An
// async module there runs only once the theme's scripts have run, up to a few hundred
// milliseconds later.) engine.mjs adopts this worker, with the messages it sent first.
(() => {
  if (window.calcEngineBoot || !window.Worker) return;
  let worker;
  try {
    const url = new URL("engine-worker.mjs", document.currentScript.src);
    // ?engine=boot: start Python without the engine's snapshot (engine.mjs does the same)
    if (new URLSearchParams(location.search).get("engine") === "boot") url.search = "?engine=boot";
    worker = new Worker(url, { type: "module", name: "calc-engine" });
  } catch {
    return; // engine.mjs starts the worker itself, and reports why it cannot
  }
  const early = [];
  const keep = (event) => early.push(event);
  const kinds = ["message", "error", "messageerror"];
  for (const kind of kinds) worker.addEventListener(kind, keep);
  let taken = false;
  window.calcEngineBoot = Object.freeze({
    started: performance.now(),
    /** The worker and the events it sent so far (once: later calls get null). */
    take() {
      if (taken) return null;
      taken = true;
      for (const kind of kinds) worker.removeEventListener(kind, keep);
      return { worker, early: early.splice(0) };
    },
  });
})();
