// The page side of the calculator engine: one Web Worker per tab, started by the first
// page that has a calculator. Material's instant navigation keeps this module (and so
// the worker) alive across page changes, so later calculator pages are ready at once.
//
//   import * as engine from "./engine.mjs";
//   engine.start();
//   const unsubscribe = engine.subscribe((status) => ...);  // {state, stage, message}
//   const result = await engine.call("units", { lines: "97112:24" });
//
// call() never rejects: like calc.api, it answers with a result or {error: {code, message}}.
// window.calcEngine exposes read-only facts (worker starts, timings) for tests and scripts.

const WORKER_URL = new URL("./engine-worker.mjs", import.meta.url);
const STAGES = { starting: 0, runtime: 1, python: 2, engine: 3, ready: 4 };
// Past this, a load that has not finished is reported as failed (a stalled network
// would otherwise leave "Downloading…" on screen for ever).
const GIVE_UP_MS = 180_000;

let worker = null;
let workerStarts = 0;
let nextId = 1;
const pending = new Map();
const progressOf = new Map(); // audit jobs: id -> onProgress
const listeners = new Set();
const timings = { start: null, ready: null, workerMs: null };
// path: how the engine started, "snapshot" or "boot" (engine-worker.mjs)
let status = { state: "idle", stage: null, step: 0, steps: 4, message: "", path: null };

function setStatus(next) {
  status = Object.freeze({ ...status, ...next });
  for (const listener of [...listeners]) {
    try {
      listener(status);
    } catch (err) {
      console.error("[calc engine] status listener failed", err);
    }
  }
}

function failed(message) {
  if (status.state === "failed") return;
  setStatus({ state: "failed", message });
  if (worker) worker.terminate();
  for (const [id, resolve] of pending) {
    pending.delete(id);
    resolve({ error: { code: "engine_unavailable", message: `The calculator engine could not be loaded: ${message}` } });
  }
}

function onMessage(event) {
  const data = event.data || {};
  if (data.type === "progress") {
    if (status.state === "loading") {
      setStatus({ stage: data.stage, step: STAGES[data.stage] || status.step, message: String(data.message) });
    }
  } else if (data.type === "ready") {
    timings.ready = performance.now();
    timings.workerMs = data.ms;
    performance.mark("calc-engine-ready");
    setStatus({
      state: "ready",
      stage: "ready",
      step: STAGES.ready,
      message: `Engine ready (Python ${data.python}).`,
      path: data.path === "snapshot" ? "snapshot" : "boot",
    });
  } else if (data.type === "failed") {
    failed(String(data.message));
  } else if (data.type === "audit-progress") {
    const onProgress = progressOf.get(data.id);
    if (onProgress) onProgress(data);
  } else if (pending.has(data.id)) {
    const resolve = pending.get(data.id);
    pending.delete(data.id);
    resolve(data.result);
  }
}

/** Start the worker (once per tab); later calls do nothing. */
export function start() {
  if (worker || status.state === "failed") return;
  // a calculator page's head may have started the worker already (engine-boot.js)
  const boot = window.calcEngineBoot ? window.calcEngineBoot.take() : null;
  timings.start = boot ? window.calcEngineBoot.started : performance.now();
  performance.mark("calc-engine-start", { startTime: timings.start });
  setStatus({ state: "loading", stage: "starting", step: STAGES.starting, message: "Starting the calculator engine…" });
  try {
    const url = new URL(WORKER_URL);
    // ?engine=boot in the page's address: Python starts without the engine's snapshot
    // (slower; for comparing both paths, bench/browser_bench.py, or ruling the snapshot out)
    if (new URLSearchParams(window.location.search).get("engine") === "boot") url.search = "?engine=boot";
    worker = boot ? boot.worker : new Worker(url, { type: "module", name: "calc-engine" });
  } catch (err) {
    failed(`this browser cannot start it (${(err && err.message) || err})`);
    return;
  }
  workerStarts += 1;
  setTimeout(() => {
    if (status.state === "loading") failed("it did not start within 3 minutes; the network may be slow or blocking it");
  }, GIVE_UP_MS);
  // a worker script that fails to load or parse fires "error" and never answers
  const onError = (event) => {
    event.preventDefault();
    failed(event.message || "the engine script failed to load");
  };
  const onMessageError = () => failed("a message could not be read");
  worker.addEventListener("message", onMessage);
  worker.addEventListener("error", onError);
  worker.addEventListener("messageerror", onMessageError);
  for (const event of boot ? boot.early : []) {
    ({ message: onMessage, error: onError, messageerror: onMessageError })[event.type](event);
  }
}

/** The current status: {state: idle|loading|ready|failed, stage, step, steps, message}. */
export function currentStatus() {
  return status;
}

/** Call listener(status) now and on every change; returns a function that unsubscribes. */
export function subscribe(listener) {
  listeners.add(listener);
  listener(status);
  return () => listeners.delete(listener);
}

// Far past what the engine accepts (calc.inputs.MAX_DEPTH: it answers deeper requests
// itself), low enough that JSON.stringify and Python's parser, which both recurse, never
// run out of stack (thousands of levels crash the worker's Python).
const MAX_NESTING = 1000;
const MAX_VALUES = 200_000;

/** The request as JSON text, or null when it is not plain JSON data the engine can read.
 * Text crosses to the worker: a structured copy of deep nesting can fail in the worker,
 * where no answer could say so. */
function requestText(request) {
  const stack = [[request, 0]];
  let values = 0;
  while (stack.length) {
    const [value, depth] = stack.pop();
    values += 1;
    if (depth > MAX_NESTING || values > MAX_VALUES) return null;
    if (typeof value === "bigint" || typeof value === "function" || typeof value === "symbol") return null;
    if (value === null || typeof value !== "object") continue;
    for (const key of Object.keys(value)) stack.push([value[key], depth + 1]);
  }
  try {
    return JSON.stringify(request === undefined ? {} : request);
  } catch {
    return null; // a cycle, or a getter that throws
  }
}

// Post one message (made by message(), or an {error} answer) to the worker with a fresh
// id; resolves to the worker's answer. onProgress gets an audit job's progress messages.
function send(message, onProgress = null) {
  start();
  if (status.state === "failed") {
    return Promise.resolve({ error: { code: "engine_unavailable", message: `The calculator engine could not be loaded: ${status.message}` } });
  }
  const body = message();
  if (body.error) return Promise.resolve(body);
  return new Promise((resolve) => {
    const id = nextId++;
    if (onProgress) progressOf.set(id, onProgress);
    pending.set(id, (result) => {
      progressOf.delete(id);
      resolve(result);
    });
    worker.postMessage({ id, ...body });
  });
}

/** Ask the engine: resolves to calc.api's answer (a result or {error: {code, message}}). */
export function call(name, request = {}) {
  return send(() => {
    const text = requestText(request);
    if (text === null) {
      return { error: { code: "bad_request", message: "The request is not plain JSON data, or it is nested too deeply." } };
    }
    return { call: typeof name === "string" ? name : "", text };
  });
}

/**
 * Audit a claim file in the worker: source is {file} (a File, never uploaded) or {text}.
 * onProgress({done, total, lines, visits, findings, problems}) is called between pieces.
 * Resolves to {report, csv} or {error: {code, message}, header?, columns?}.
 */
export function audit(source, options, onProgress) {
  return send(() => ({ type: "audit", file: source.file, pasted: source.text, options }), onProgress);
}

Object.defineProperty(window, "calcEngine", {
  configurable: false,
  enumerable: false,
  value: Object.freeze({
    get workerStarts() {
      return workerStarts;
    },
    get status() {
      return status;
    },
    get timings() {
      return { ...timings };
    },
  }),
});
