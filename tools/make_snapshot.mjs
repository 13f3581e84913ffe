// Make the engine's Pyodide memory snapshot (run by tools/build_assets.py):
//   node tools/make_snapshot.mjs RUNTIME_DIR WHEEL WARMUP.py OUT_FILE
// RUNTIME_DIR holds the pinned runtime (node_modules/pyodide), WHEEL is the calc wheel
// the site ships and WARMUP.py the Python that imports and warms the engine
// (tools/snapshot_warmup.py). Writes the snapshot to OUT_FILE and prints one JSON line:
//   {"bytes": N, "heap": N, "check": {"call": ..., "request": ..., "answer": "..."}}
// heap is the WebAssembly memory the snapshot holds (its length minus its header).
//
// `_makeSnapshot` and `makeMemorySnapshot` are private (@ignore) options of Pyodide
// 314.0.7: tests/test_pyodide_node.py restores what this writes and compares answers,
// so an upgrade that changes them fails there, loudly.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const [runtimeDir, wheelFile, warmupFile, outFile] = process.argv.slice(2);
if (!outFile) {
  console.error("usage: node make_snapshot.mjs RUNTIME_DIR WHEEL WARMUP.py OUT_FILE");
  process.exit(2);
}
const indexURL = path.resolve(runtimeDir) + path.sep;
// Emscripten under Node names the program (C's argv[0], the environment's `_`) after
// this script's path; in a browser it is "./this.program": use that, not the checkout.
process.argv.splice(1, process.argv.length - 1, "./this.program");
const { loadPyodide } = await import(path.join(indexURL, "pyodide.mjs"));
// No env, no args: nothing of this machine (paths, user name) goes into Python's memory.
const pyodide = await loadPyodide({
  indexURL,
  _makeSnapshot: true,
  env: {},
  stdout: () => {},
  stderr: (text) => console.error(text),
});
// the same place the site's worker puts the wheel on its boot path
const wheelPath = `/lib/${path.basename(wheelFile)}`;
pyodide.FS.writeFile(wheelPath, new Uint8Array(await readFile(wheelFile)));
pyodide.globals.set("WHEEL", wheelPath);
try {
  pyodide.runPython(await readFile(warmupFile, "utf8"));
} catch (err) {
  // the Python traceback only (Node's own report would quote the minified runtime)
  console.error(String((err && err.message) || err));
  process.exit(1);
}
const check = JSON.parse(pyodide.globals.get("CHECK"));
pyodide.globals.delete("WHEEL");
pyodide.globals.delete("CHECK");
pyodide.FS.unlink(wheelPath); // the restored engine has no files of its own either
const snapshot = pyodide.makeMemorySnapshot();
const header = new Uint32Array(snapshot.buffer, snapshot.byteOffset, 4)[1];
await writeFile(outFile, snapshot);
process.stdout.write(JSON.stringify({ bytes: snapshot.length, heap: snapshot.length - header, check }) + "\n");
