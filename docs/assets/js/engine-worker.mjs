// The calculator engine: Pyodide running the `calc` wheel, in one module Web Worker
// per tab (started by engine.mjs). Messages in: {id, call, text}; out:
//   {type: "progress", stage: "runtime" | "python" | "engine", message}
//   {type: "ready", version, python, path: "snapshot" | "boot", fallback, ms}
//   {type: "failed", message}      (fallback: why the snapshot was not used, or null)
//   {id, result}   (result is calc.api's JSON answer: a result or {error: {code, message}})
// (the request arrives as JSON text, written by engine.mjs)
// Only JSON crosses this boundary: no code is ever evaluated from a message.
// Every URL is derived from this file's own URL, so the site works under a sub-path.
// Audit jobs ({type: "audit", ...}, with progress messages) are engine-audit.mjs's,
// loaded on the first job only: other pages never load it.

// The calls the pages may make (calc.api.CALLS checks again on the Python side).
const CALLS = new Set(["units", "codes", "claim", "payers", "checklist", "review", "scenarios", "grade"]);
const started = performance.now();
let runtimeForAudit = null; // the Pyodide instance, for audit jobs (engine-audit.mjs)

function progress(stage, message) {
  self.postMessage({ type: "progress", stage, message });
}

function errorResult(code, message) {
  return { error: { code, message } };
}

// Pyodide 314 catches a failed WebAssembly download or compile, logs
// "wasm instantiation failed!" and the error with console.warn, and then never settles
// loadPyodide's promise. Watch for that message so the page can say what went wrong.
function wasmFailure() {
  const warn = console.warn;
  let fail;
  let detail = null;
  let armed = false;
  const failed = new Promise((resolve, reject) => {
    fail = reject;
  });
  console.warn = (...args) => {
    warn.apply(console, args);
    if (armed && detail === null) {
      detail = String((args[0] && args[0].message) || args[0]);
    } else if (args[0] === "wasm instantiation failed!") {
      armed = true; // the error itself is the next warning, logged right after
      queueMicrotask(() =>
        fail(new Error(`the Python runtime (WebAssembly) did not download or start${detail ? ` (${detail})` : ""}`)),
      );
    }
  };
  return { failed, restore: () => (console.warn = warn) };
}

// The calc wheel, fetched while the runtime loads and checked by the browser against the
// sha256 the lock file gives it (Subresource Integrity), as loadPackage would check it.
async function fetchWheel(lockFileURL) {
  const lock = await (await fetch(lockFileURL)).json();
  const entry = lock && lock.packages && lock.packages.calc;
  if (!entry || !/^[\w.+-]+\.whl$/.test(entry.file_name) || !/^[0-9a-f]{64}$/.test(entry.sha256)) {
    throw new Error("the engine package is missing from the lock file");
  }
  const digest = String.fromCharCode(...entry.sha256.match(/../g).map((pair) => parseInt(pair, 16)));
  let response;
  try {
    response = await fetch(new URL(entry.file_name, lockFileURL), { integrity: `sha256-${btoa(digest)}` });
  } catch (err) {
    throw new Error(`the engine package did not load or did not match its checksum (${err.message})`);
  }
  if (!response.ok) throw new Error(`the engine package did not load (HTTP ${response.status})`);
  return { name: entry.file_name, bytes: new Uint8Array(await response.arrayBuffer()) };
}

// The engine's memory snapshot (tools/build_assets.py), checked by the browser against
// the sha256 runtime.mjs gives it (Subresource Integrity).
async function fetchSnapshot(snapshot) {
  const response = await fetch(snapshot.url, { integrity: snapshot.integrity });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// FNV-1a (32 bits) of a text's UTF-16 code units: check_digest in tools/build_assets.py.
function checkDigest(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

// loadPyodide, watched for the WebAssembly failure that never settles it.
async function load(loadPyodide, options) {
  const watch = wasmFailure();
  try {
    return await Promise.race([
      loadPyodide({
        // called once the runtime files are in and Python is about to start
        fsInit: async () => progress("python", "Starting Python…"),
        stdout: () => {},
        stderr: (text) => console.warn("[calc engine]", text),
        ...options,
      }),
      watch.failed,
    ]);
  } finally {
    watch.restore();
  }
}

// The fast path: Python's memory as it was once calc was imported and its rules loaded
// (made at build time under Node), so neither Python's start nor the import runs here.
// `_loadSnapshot` is a private option of the pinned Pyodide (tests/test_pyodide_node.py
// restores the same file and fails on an upgrade that breaks it). Throws on any trouble:
// a failed or altered download, a restore that fails, or a wrong health-check answer.
async function fromSnapshot(loadPyodide, runtime, bytes) {
  const pyodide = await load(loadPyodide, {
    indexURL: runtime.indexURL,
    lockFileURL: runtime.lockFileURL,
    _loadSnapshot: bytes,
  });
  progress("engine", "Loading the billing engine…");
  const callJson = pyodide.pyimport("calc.api").call_json;
  const { call, request, digest } = runtime.snapshot.check;
  if (checkDigest(callJson(call, JSON.stringify(request))) !== digest) {
    throw new Error("the restored engine failed its health check");
  }
  return { pyodide, callJson };
}

// The boot path: start Python, put the calc wheel on sys.path and import the engine.
async function boot(loadPyodide, runtime, wheel) {
  const pyodide = await load(loadPyodide, { indexURL: runtime.indexURL, lockFileURL: runtime.lockFileURL });
  progress("engine", "Loading the billing engine…");
  // The wheel goes on sys.path as it is: Python imports from a zip file, so nothing is
  // unpacked or installed (pyodide.loadPackage("calc") does both first: a few hundred
  // milliseconds more before the engine is ready, measured by bench/browser_bench.py).
  const { name, bytes } = await wheel;
  const path = `/lib/${name}`;
  pyodide.FS.writeFile(path, bytes);
  pyodide.pyimport("sys").path.insert(0, path);
  return { pyodide, callJson: pyodide.pyimport("calc.api").call_json };
}

async function start() {
  progress("runtime", "Downloading the Python runtime…");
  // runtime.mjs is generated by tools/build_assets.py: it names the versioned runtime
  // folder, the engine's (content-hashed) lock file, beside which the calc wheel is, and
  // the engine's snapshot (or null). A page may ask for the boot path with ?engine=boot
  // in the worker's URL (bench/browser_bench.py measures both).
  const runtime = await import(new URL("../pyodide/runtime.mjs", import.meta.url).href);
  const wanted = runtime.snapshot && new URL(import.meta.url).searchParams.get("engine") !== "boot";
  // downloads start now, while the runtime loads; failures are reported below
  const snapshot = wanted ? fetchSnapshot(runtime.snapshot) : null;
  snapshot?.catch(() => {});
  let wheel = snapshot ? null : fetchWheel(runtime.lockFileURL);
  wheel?.catch(() => {});
  const { loadPyodide } = await import(new URL("pyodide.mjs", runtime.indexURL).href);
  let engine = null;
  let fallback = null;
  if (snapshot) {
    try {
      engine = await fromSnapshot(loadPyodide, runtime, snapshot);
    } catch (err) {
      // once, in this worker: the page says no more than when it boots
      fallback = String((err && err.message) || err);
      console.warn("[calc engine] the engine's snapshot could not be used, starting Python instead:", fallback);
      progress("runtime", "Downloading the Python runtime…");
      wheel = fetchWheel(runtime.lockFileURL);
    }
  }
  engine ??= await boot(loadPyodide, runtime, wheel);
  runtimeForAudit = engine.pyodide;
  const python = engine.pyodide.runPython("import sys; sys.version.split()[0]");
  self.postMessage({
    type: "ready",
    version: runtime.version,
    python,
    path: fallback === null && snapshot ? "snapshot" : "boot",
    fallback,
    ms: Math.round(performance.now() - started),
  });
  return engine.callJson;
}

const engine = start();
engine.catch((err) => {
  console.error("[calc engine]", err);
  self.postMessage({ type: "failed", message: String((err && err.message) || err) });
});

// Every message with an id gets exactly one answer, whatever it holds.
self.addEventListener("message", async (event) => {
  const data = event.data !== null && typeof event.data === "object" ? event.data : {};
  const { id, call, text } = data;
  if (!Number.isSafeInteger(id)) return; // nobody to answer
  if (data.type === "audit") {
    const post = (message) => self.postMessage(message);
    import("./engine-audit.mjs")
      .then(({ auditJob }) => auditJob(data, engine.then(() => runtimeForAudit), post))
      .catch(() => post({ id, result: errorResult("engine_unavailable", "The audit could not be loaded.") }));
    return;
  }
  if (typeof call !== "string" || !CALLS.has(call)) {
    self.postMessage({ id, result: errorResult("unknown_call", "Unknown call.") });
    return;
  }
  if (typeof text !== "string") {
    self.postMessage({
      id,
      result: errorResult("bad_request", "The request is not plain JSON data, or it is nested too deeply."),
    });
    return;
  }
  let callJson;
  try {
    callJson = await engine;
  } catch (err) {
    self.postMessage({
      id,
      result: errorResult("engine_unavailable", "The calculator engine could not be loaded."),
    });
    return;
  }
  try {
    self.postMessage({ id, result: JSON.parse(callJson(call, text)) });
  } catch (err) {
    // calc.api returns errors as values; reaching this is a bug in the engine.
    console.error("[calc engine]", err);
    self.postMessage({
      id,
      result: errorResult(
        "engine_failure",
        "The engine failed on this input. Please report it with a copy of the link.",
      ),
    });
  }
});
