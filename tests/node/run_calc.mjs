// Run calc.api in Pyodide under Node (no browser), the way the site's worker does:
//   node tests/node/run_calc.mjs RUNTIME_DIR ENGINE_DIR CASES.json [SNAPSHOT]
// With SNAPSHOT (the engine folder's snapshot-*.bin), Python starts from that memory
// snapshot, as the worker's fast path does: no wheel, no import, no file of calc at all.
// RUNTIME_DIR is a built site's assets/pyodide/<version>/ folder and ENGINE_DIR its
// assets/pyodide/engine/<hash>/ folder (tools/build_assets.py): the same runtime files,
// the same wheel and the same lock file the browser loads.
// CASES.json holds [[call, request], ...]; prints one JSON object on stdout:
// {"python": "3.14.x", "loaded": {...}, "ms": startup, "results": ["<call_json text>", ...]}.
import { readFile } from "node:fs/promises";
import path from "node:path";

const [runtimeDir, engineDir, casesFile, snapshotFile] = process.argv.slice(2);
if (!runtimeDir || !engineDir || !casesFile) {
  console.error("usage: node run_calc.mjs RUNTIME_DIR ENGINE_DIR CASES.json");
  process.exit(2);
}
const indexURL = path.resolve(runtimeDir) + path.sep;
const engineURL = path.resolve(engineDir) + path.sep;
const { loadPyodide } = await import(path.join(indexURL, "pyodide.mjs"));
const cases = JSON.parse(await readFile(casesFile, "utf8"));

const started = performance.now();
const options = { indexURL, lockFileURL: engineURL + "pyodide-lock.json", packageCacheDir: engineURL, stdout: () => {} };
let pyodide;
if (snapshotFile) {
  // a private option of Pyodide 314.0.7: an upgrade that breaks it fails here
  const bytes = new Uint8Array(await readFile(snapshotFile));
  try {
    pyodide = await loadPyodide({ ...options, _loadSnapshot: bytes });
  } catch (err) {
    // one line (Node's own report of an uncaught error quotes the minified runtime)
    console.error(`the snapshot did not restore: ${err.name}: ${err.message}`);
    process.exit(1);
  }
} else {
  pyodide = await loadPyodide(options);
  await pyodide.loadPackage("calc", { messageCallback: () => {}, errorCallback: (m) => console.error(m) });
  if (!("calc" in pyodide.loadedPackages)) {
    console.error("calc was not loaded from", engineURL);
    process.exit(1);
  }
}
const api = pyodide.pyimport("calc.api");
const ms = Math.round(performance.now() - started);
const callJson = api.call_json;
const results = cases.map(([name, request]) => callJson(name, JSON.stringify(request)));
const python = pyodide.runPython("import sys; sys.version.split()[0]");
const wheel = pyodide.runPython("import calc, pathlib; str(pathlib.Path(calc.__file__).parent)");
const files = pyodide.FS.readdir("/lib");
process.stdout.write(JSON.stringify({ python, where: wheel, loaded: pyodide.loadedPackages, ms, files, results }));
