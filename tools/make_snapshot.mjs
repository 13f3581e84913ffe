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
zeroFreeMemory(pyodide._module);
const snapshot = pyodide.makeMemorySnapshot();
const header = new Uint32Array(snapshot.buffer, snapshot.byteOffset, 4)[1];
await writeFile(outFile, snapshot);
process.stdout.write(JSON.stringify({ bytes: snapshot.length, heap: snapshot.length - header, check }) + "\n");

// Freed memory keeps what it held (source text, parsed TOML, zip data): ~2 MB of it,
// which the compressed snapshot carries for nothing (brotli: 5.4 -> 5.0 MB). calloc
// hands out free blocks zeroed, so take every free block it will give, largest first,
// then free them all. Only sizes that fit below the heap's end are asked for, so the
// heap never grows (a larger snapshot would not restore: pyodide#6254; the build
// checks that too). Uses the runtime's private module: without it, nothing is zeroed.
function zeroFreeMemory(module) {
  const { _calloc: calloc, _free: free, _emscripten_get_sbrk_ptr: sbrkPtr } = module || {};
  if (![calloc, free, sbrkPtr].every((fn) => typeof fn === "function")) {
    console.error("make_snapshot: free memory not zeroed (this Pyodide does not expose calloc)");
    return;
  }
  const brk = () => module.HEAPU32[sbrkPtr() >>> 2];
  const heap = module.HEAP8.length;
  const margin = 1 << 18; // dlmalloc asks sbrk for a little more than it hands out
  const blocks = [];
  for (let size = 1 << 22; size >= 16; size >>= 1) {
    while (brk() + size + margin < heap) {
      const block = calloc(size, 1);
      if (!block) break;
      blocks.push(block);
    }
  }
  for (const block of blocks) free(block);
  if (module.HEAP8.length !== heap) throw new Error("zeroing free memory grew the heap");
}
