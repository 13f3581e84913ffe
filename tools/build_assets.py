"""Build the calculators' in-browser runtime into a built site.

    python tools/build_assets.py OUT_DIR

writes, under ``OUT_DIR/assets/pyodide/``:

- ``<version>/``: the five files the browser needs from the pinned npm package
  ``pyodide`` (``npm ci``), byte for byte: a web server may cache them for ever;
- ``engine/<hash>/``: the ``calc`` wheel and a copy of the runtime's
  ``pyodide-lock.json`` with the wheel registered (name, sha256) by ``pyodide lockfile
  add-wheels`` from ``pyodide-build``: the worker fetches the wheel checked against that
  sha256 and imports from it as it is (``pyodide.loadPackage("calc")`` loads it too, as
  the Node test does, but unpacks it first: slower). ``<hash>`` is a hash of that lock
  file (which holds the wheel's sha256): a changed engine gets a new address, so these
  files too may be cached for ever (deploy/nginx.conf);
- in that folder too, ``snapshot-<sha>.bin``: a Pyodide memory snapshot taken under Node
  after ``calc`` was imported and every loader warmed (``tools/make_snapshot.mjs``,
  ``tools/snapshot_warmup.py``); the worker restores it instead of booting Python and
  importing the engine (about a third of the time), and boots as before when it cannot.
  It is cached in ``build/assets-cache/<digest>/``, keyed on the runtime, the wheel and
  the two scripts. Three checks make it safe to ship: it fits the heap Pyodide restores
  into (pyodide/pyodide#6254: otherwise no snapshot is shipped, with a warning), it
  carries no path of this machine (the build fails), and the worker compares a health
  check's answer with the checksum recorded here before it uses it;
- ``runtime.mjs``: a tiny generated module telling the worker which folders to load
  (``package.json`` of the npm package is the only place the version lives) and which
  snapshot to restore (with its sha256 for Subresource Integrity); the one runtime file
  a server must revalidate;
- beside each large file, a ``.gz`` copy (and a ``.br`` one when the ``brotli`` package
  is installed) for servers that send pre-compressed files (nginx ``gzip_static``), when
  it is at least 10% smaller (the wheel and ``python_stdlib.zip`` are zips already).

The MkDocs hook ``hooks/pyodide_assets.py`` calls :func:`build_assets` after each
build; it is a plain script so that a move away from MkDocs hooks stays cheap.

The wheel is built with PyPA ``build`` from a clean copy of the sources (setuptools
reuses a stale ``build/lib`` otherwise, which can ship deleted modules) and with a fixed
``SOURCE_DATE_EPOCH``, so the same sources give the same bytes and the same sha256.
Wheel and lock file are cached in ``build/assets-cache/<digest>/``, keyed on the
sources and the runtime's lock file, and compressed copies in
``build/assets-cache/compressed/``, keyed on the content, so a ``mkdocs serve`` rebuild
only copies files.
(``pyodide build`` would download a cross-build environment and ``pyodide py-compile``
writes host bytecode that Pyodide rejects; a pure-Python wheel needs neither.)
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

try:  # optional (pyproject.toml, extra "wasm"): without it, only .gz copies are written
    import brotli  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

ROOT = Path(__file__).resolve().parent.parent
#: What the browser needs from the npm package, and nothing else (no CDN, no micropip).
RUNTIME_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
#: The wheel's inputs besides the calc/ package itself (README.md is its long description).
WHEEL_INPUTS = ("pyproject.toml", "README.md")
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip file can hold
#: A compressed copy is written only when it saves at least this share of the bytes.
MIN_SAVING = 0.10
#: Brotli quality 9: pyodide.asm.wasm 9.6 MB -> 3.10 MB in 1.5 s; quality 11 gives 2.74 MB
#: but takes 40 s, on every clean CI machine. gzip -9: 3.53 MB in 2 s.
BROTLI_QUALITY = 9
#: Compressed copies this old are dropped from the cache, unless this build used them.
COMPRESSED_CACHE_DAYS = 14
#: The suffixes of the compressed copies (a web server looks for NAME.gz and NAME.br).
COMPRESSED_SUFFIXES = (".gz", ".br")


#: The scripts that make the snapshot (their text is part of its cache key).
SNAPSHOT_MAKER = ROOT / "tools" / "make_snapshot.mjs"
SNAPSHOT_WARMUP = ROOT / "tools" / "snapshot_warmup.py"
#: Making the snapshot takes ~2 s under Node on a quiet machine; this is a hang.
SNAPSHOT_TIMEOUT_S = 180
WASM_PAGE = 65536

log = logging.getLogger("mkdocs.hooks.pyodide_assets")


class BuildError(RuntimeError):
    """A step of the asset build failed; the message says what to run or install."""


def runtime_dir(root: Path = ROOT) -> Path:
    """The installed npm package, checked for every file the browser needs."""
    pkg = root / "node_modules" / "pyodide"
    missing = [name for name in (*RUNTIME_FILES, "package.json") if not (pkg / name).is_file()]
    if missing:
        raise BuildError(
            f"the Pyodide runtime is not installed ({pkg} lacks {', '.join(missing)}): "
            "run `npm ci` (or tools/setup.sh)"
        )
    return pkg


def runtime_version(root: Path = ROOT) -> str:
    """The Pyodide version, as pinned in package-lock.json and installed by npm."""
    meta = json.loads((runtime_dir(root) / "package.json").read_text(encoding="utf-8"))
    version = str(meta["version"])
    if not version or "/" in version or version.startswith("."):
        raise BuildError(f"unexpected Pyodide version {version!r}")
    return version


#: calc modules that are tools for maintainers or for the site generator (the trainer's
#: key as Markdown, the provenance walk), never loaded by the browser: left out of the
#: wheel (the CLI imports them only for their own command).
TOOL_MODULES = ("calc/ncci_import.py", "calc/trainer_key.py", "calc/provenance.py")


def _wheel_sources(root: Path) -> list[Path]:
    files = [
        p
        for p in sorted((root / "calc").rglob("*"))
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.suffix != ".pyc"
        and p.relative_to(root).as_posix() not in TOOL_MODULES
    ]
    return files + [root / name for name in WHEEL_INPUTS]


def source_digest(root: Path = ROOT) -> str:
    """A hash of everything that goes into the wheel and the lock file."""
    h = hashlib.sha256()
    for path in [*_wheel_sources(root), runtime_dir(root) / "pyodide-lock.json"]:
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def _run(
    cmd: list[str], what: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=cwd, env=env)
    if done.returncode != 0:
        raise BuildError(f"{what} failed ({' '.join(cmd)}):\n{done.stdout}\n{done.stderr}")


def build_wheel(root: Path, workdir: Path) -> Path:
    """Build the calc wheel from a clean copy of its sources; return its path."""
    src = workdir / "src"
    src.mkdir()
    for path in _wheel_sources(root):
        dest = src / path.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    dist = workdir / "dist"
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    _run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), "."],
        "building the calc wheel (PyPA build)",
        cwd=src,
        env=env,
    )
    wheels = sorted(dist.glob("calc-*-py3-none-any.whl"))
    if len(wheels) != 1:
        raise BuildError(f"expected one pure-Python calc wheel, got {[w.name for w in wheels]}")
    return wheels[0]


def _pyodide_cli() -> list[str]:
    exe = Path(sys.executable).with_name("pyodide")
    if exe.is_file():
        return [str(exe)]
    found = shutil.which("pyodide")
    if found is None:
        raise BuildError("the `pyodide` command (pyodide-build) is missing: pip install '.[wasm]'")
    return [found]


def register_wheel(lock_in: Path, wheel: Path, lock_out: Path) -> None:
    """Add the wheel to a copy of the runtime's lock file (``pyodide lockfile add-wheels``)."""
    _run(
        [
            *_pyodide_cli(),
            "lockfile",
            "add-wheels",
            "--input",
            str(lock_in),
            "--output",
            str(lock_out),
            "--base-path",
            str(wheel.parent),
            str(wheel),
        ],
        "registering the calc wheel (pyodide lockfile add-wheels)",
    )
    entry = json.loads(lock_out.read_text(encoding="utf-8"))["packages"].get("calc")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if not entry or entry.get("file_name") != wheel.name or entry.get("sha256") != digest:
        raise BuildError(f"pyodide-lock.json does not register {wheel.name} as 'calc': {entry}")


def cached_engine(root: Path = ROOT, cache: Path | None = None) -> tuple[Path, Path]:
    """The calc wheel and the lock file registering it, rebuilt only when sources change."""
    cache = cache or root / "build" / "assets-cache"
    key = source_digest(root)
    done = cache / key
    if not (done / "pyodide-lock.json").is_file():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache, prefix=".tmp-") as tmp:
            work = Path(tmp)
            wheel = build_wheel(root, work)
            ready = work / "ready"
            ready.mkdir()
            shutil.copyfile(wheel, ready / wheel.name)
            register_wheel(
                runtime_dir(root) / "pyodide-lock.json",
                ready / wheel.name,
                ready / "pyodide-lock.json",
            )
            try:
                ready.rename(done)
            except OSError:  # another build finished the same key first: theirs is identical
                if not (done / "pyodide-lock.json").is_file():
                    raise
        for old in cache.iterdir():  # keep the cache from growing with every edit
            if old.name != key and not old.name.startswith(".tmp-"):
                shutil.rmtree(old, ignore_errors=True)
    wheels = sorted(done.glob("calc-*.whl"))
    return wheels[0], done / "pyodide-lock.json"


class Snapshot(NamedTuple):
    """A memory snapshot of the warmed engine and what the worker needs to trust it
    (a NamedTuple: the MkDocs hooks load this file without registering it as a module,
    which a dataclass needs).

    ``check`` is the health check ``{"call", "request", "digest"}``: the restored engine
    must answer ``call`` with a text whose :func:`check_digest` is ``digest``.
    """

    path: Path
    sha256: str
    heap: int
    check: dict[str, object]


def check_digest(text: str) -> str:
    """FNV-1a (32 bits) of a text's UTF-16 code units, as 8 hex digits: what the worker
    computes for the health check's answer (no ``crypto.subtle`` on plain-HTTP intranets).

    >>> check_digest(""), check_digest("a")
    ('811c9dc5', 'e40c292c')
    """
    h = 0x811C9DC5
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h = ((h ^ (data[i] | data[i + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return f"{h:08x}"


def _leb128(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def wasm_initial_memory(wasm: bytes) -> int:
    """The size in bytes of the memory a WebAssembly module declares for itself: the heap
    Pyodide 314 restores a snapshot into, whatever size the snapshot asks for
    (pyodide/pyodide#6254: ``INITIAL_MEMORY`` is not read).

    >>> wasm_initial_memory(bytes.fromhex("0061736d01000000" "0503010001"))  # 1 page
    65536
    """
    if wasm[:8] != b"\0asm\x01\0\0\0":
        raise BuildError("pyodide.asm.wasm is not a WebAssembly module")
    pos = 8
    while pos < len(wasm):
        section, pos = wasm[pos], pos + 1
        size, pos = _leb128(wasm, pos)
        if section == 5:  # memory: count, then flags and the initial page count
            _, at = _leb128(wasm, pos)
            pages, _ = _leb128(wasm, at + 1)
            return pages * WASM_PAGE
        pos += size
    raise BuildError("pyodide.asm.wasm declares no memory of its own: check pyodide#6254 again")


def build_machine_strings(root: Path = ROOT) -> list[bytes]:
    """What must not be in a snapshot: the checkout's path and the home folder."""
    found = [str(root), os.environ.get("HOME", "")]
    return [s.encode() for s in found if len(s.strip("/")) >= 2]


def leaked_strings(snapshot: bytes, wasm: bytes, needles: list[bytes]) -> list[str]:
    """The NUL-delimited strings of the snapshot holding a needle, less those that are in
    the runtime itself (Pyodide's build paths, e.g. ``/root/repo/cpython/...``).

    >>> leaked_strings(b"\0/home/me/x\0/root/y\0", b"\0/root/y\0", [b"/home/me", b"/root"])
    ['/home/me/x']
    """
    leaks: set[str] = set()
    for needle in needles:
        at = snapshot.find(needle)
        while at != -1:
            start = snapshot.rfind(b"\0", 0, at) + 1
            end = snapshot.find(b"\0", at)
            text = snapshot[start : end if end != -1 else len(snapshot)]
            if text not in wasm:
                leaks.add(text.decode("utf-8", "replace"))
            at = snapshot.find(needle, at + len(needle))
    return sorted(leaks)


def snapshot_key(wheel: Path, root: Path = ROOT) -> str:
    """The snapshot's cache key: the runtime version, the wheel and the scripts making it."""
    h = hashlib.sha256(runtime_version(root).encode() + b"\0")
    for path in (wheel, SNAPSHOT_MAKER, SNAPSHOT_WARMUP, Path(__file__)):
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def make_snapshot(wheel: Path, out: Path, root: Path = ROOT) -> dict[str, object]:
    """Run tools/make_snapshot.mjs under Node; return what it reports."""
    node = shutil.which("node")
    if node is None:
        raise BuildError("Node.js is needed to make the engine's snapshot (apt-get install nodejs)")
    cmd = [node, str(SNAPSHOT_MAKER), str(runtime_dir(root)), str(wheel), str(SNAPSHOT_WARMUP)]
    try:
        done = subprocess.run(
            [*cmd, str(out)],
            capture_output=True,
            text=True,
            check=False,
            timeout=SNAPSHOT_TIMEOUT_S,
            cwd=out.parent,
        )
    except subprocess.TimeoutExpired as err:
        raise BuildError(f"making the engine's snapshot took over {err.timeout} s") from err
    if done.returncode != 0:
        raise BuildError(f"making the engine's snapshot failed ({' '.join(cmd)}):\n{done.stderr}")
    report: dict[str, object] = json.loads(done.stdout)
    return report


def cached_snapshot(wheel: Path, root: Path = ROOT) -> Snapshot | None:
    """The engine's snapshot, made once per key beside the cached wheel; None (with a
    warning) when it would not fit the heap it is restored into."""
    folder = wheel.parent / f"snapshot-{snapshot_key(wheel, root)}"
    wasm = (runtime_dir(root) / "pyodide.asm.wasm").read_bytes()
    if not (folder / "snapshot.json").is_file():
        for old in wheel.parent.glob("snapshot-*"):
            shutil.rmtree(old, ignore_errors=True)
        with tempfile.TemporaryDirectory(dir=wheel.parent, prefix=".tmp-") as tmp:
            work = Path(tmp)
            report = make_snapshot(wheel, work / "engine.snapshot", root)
            data = (work / "engine.snapshot").read_bytes()
            leaks = leaked_strings(data, wasm, build_machine_strings(root))
            if leaks:
                raise BuildError(f"the engine's snapshot holds paths of this machine: {leaks[:5]}")
            check = dict(report["check"])  # type: ignore[call-overload]
            meta = {
                "bytes": report["bytes"],
                "heap": report["heap"],
                "sha256": hashlib.sha256(data).hexdigest(),
                "check": {
                    "call": check["call"],
                    "request": check["request"],
                    "digest": check_digest(str(check["answer"])),
                },
            }
            (work / "snapshot.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
            try:
                work.rename(folder)
            except OSError:  # another build made the same key first: theirs is as good
                if not (folder / "snapshot.json").is_file():
                    raise
    meta = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    limit = wasm_initial_memory(wasm)
    if meta["heap"] > limit:
        log.warning(
            "pyodide_assets: no engine snapshot shipped: making it grew Python's heap to "
            "%d bytes, past the %d bytes Pyodide restores into (pyodide/pyodide#6254); the "
            "calculators boot Python as before, about three times slower",
            meta["heap"],
            limit,
        )
        return None
    return Snapshot(folder / "engine.snapshot", meta["sha256"], meta["heap"], meta["check"])


def engine_hash(lock: Path) -> str:
    """The engine folder's name: a hash of the lock file, which holds the wheel's sha256."""
    return hashlib.sha256(lock.read_bytes()).hexdigest()[:16]


def runtime_module(version: str, engine: str, snapshot: Snapshot | None = None) -> str:
    """The generated ES module the worker imports to find the runtime and the engine."""
    if snapshot is None:
        restore = "null"
    else:
        digest = base64.b64encode(bytes.fromhex(snapshot.sha256)).decode()
        name = snapshot_name(snapshot)
        restore = (
            "{\n"
            f'  url: new URL("./engine/{engine}/{name}", import.meta.url).href,\n'
            f'  integrity: "sha256-{digest}",\n'
            f"  check: {json.dumps(snapshot.check, sort_keys=True)},\n"
            "}"
        )
    return (
        "// Generated by tools/build_assets.py from node_modules/pyodide/package.json.\n"
        f'export const version = "{version}";\n'
        f'export const indexURL = new URL("./{version}/", import.meta.url).href;\n'
        "// the calc wheel and the lock file registering it (Pyodide loads packages from\n"
        "// the lock file's folder)\n"
        f'export const lockFileURL = new URL("./engine/{engine}/pyodide-lock.json", '
        "import.meta.url).href;\n"
        "// a memory snapshot of the warmed engine (tools/make_snapshot.mjs), or null: the\n"
        "// worker restores it when the health check (call -> check_digest) agrees\n"
        f"export const snapshot = {restore};\n"
    )


def snapshot_name(snapshot: Snapshot) -> str:
    """The snapshot's file name in the engine folder, named by its content."""
    return f"snapshot-{snapshot.sha256[:16]}.bin"


def _compressors() -> dict[str, Callable[[bytes], bytes]]:
    found: dict[str, Callable[[bytes], bytes]] = {
        ".gz": lambda data: gzip.compress(data, compresslevel=9, mtime=0)
    }
    if brotli is not None:
        found[".br"] = lambda data: bytes(brotli.compress(data, quality=BROTLI_QUALITY))
    return found


def _compressed(
    src: Path, suffix: str, compress: Callable[[bytes], bytes], cache: Path
) -> tuple[Path, bool]:
    """The cached compressed copy of src (made once per content), and whether it is worth
    serving; when it is not, an empty ``KEY.skip`` remembers so."""
    data = src.read_bytes()
    key = cache / (hashlib.sha256(data).hexdigest() + suffix)
    skip = key.with_name(key.name + ".skip")
    if not (key.is_file() or skip.is_file()):
        packed = compress(data)
        worth = len(packed) <= len(data) * (1 - MIN_SAVING)
        tmp = key.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{key.name}")
        tmp.write_bytes(packed if worth else b"")
        tmp.replace(key if worth else skip)
    return key, key.is_file()


def write_compressed(files: list[Path], cache: Path) -> list[Path]:
    """Write ``NAME.gz`` (and ``NAME.br``) beside each file where it is worth it; return them.

    Stale copies (a file that shrank below the threshold) are removed, so a server never
    sends an old compressed file for a new one.
    """
    cache.mkdir(parents=True, exist_ok=True)
    jobs = [(f, suffix, fn) for f in files for suffix, fn in _compressors().items()]
    with ThreadPoolExecutor() as pool:  # zlib and brotli release the GIL
        made = list(pool.map(lambda job: _compressed(job[0], job[1], job[2], cache), jobs))
    written = {
        src.with_name(src.name + suffix): key
        for (src, suffix, _), (key, worth) in zip(jobs, made, strict=True)
        if worth
    }
    for dest, key in written.items():
        _copy(key, dest)
    for src in files:  # no stale copy beside a file (e.g. brotli since uninstalled)
        for suffix in COMPRESSED_SUFFIXES:
            dest = src.with_name(src.name + suffix)
            if dest not in written:
                dest.unlink(missing_ok=True)
    used = {name for key, _ in made for name in (key.name, f"{key.name}.skip")}
    too_old = time.time() - COMPRESSED_CACHE_DAYS * 86400
    for old in cache.iterdir():
        if old.name not in used and old.stat().st_mtime < too_old:
            old.unlink(missing_ok=True)
    return list(written)


def _copy(src: Path, dest: Path) -> None:
    """Copy with its modification time, skipping a copy that is already there."""
    if dest.is_file():
        a, b = src.stat(), dest.stat()
        if (a.st_size, a.st_mtime_ns) == (b.st_size, b.st_mtime_ns):
            return
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copy2(src, tmp)
    tmp.replace(dest)


def build_assets(
    out_dir: Path, root: Path = ROOT, cache: Path | None = None, with_snapshot: bool = True
) -> Path:
    """Write the runtime, the engine (with its snapshot unless ``with_snapshot`` is
    false) and their compressed copies; return the runtime folder.

    >>> import tempfile, json
    >>> with tempfile.TemporaryDirectory() as out:  # doctest: +SKIP
    ...     folder = build_assets(Path(out))
    ...     lock = next(folder.parent.glob("engine/*/pyodide-lock.json"))
    ...     json.loads(lock.read_text())["packages"]["calc"]["name"]
    'calc'
    """
    version = runtime_version(root)
    wheel, lock = cached_engine(root, cache)
    base = Path(out_dir) / "assets" / "pyodide"
    folder = base / version
    folder.mkdir(parents=True, exist_ok=True)
    pkg = runtime_dir(root)
    for name in RUNTIME_FILES:
        _copy(pkg / name, folder / name)
    engine = engine_hash(lock)
    engine_dir = base / "engine" / engine
    engine_dir.mkdir(parents=True, exist_ok=True)
    for old in engine_dir.parent.iterdir():  # an earlier build's engine, into the same site
        if old.name != engine:
            shutil.rmtree(old, ignore_errors=True)
    _copy(lock, engine_dir / "pyodide-lock.json")
    _copy(wheel, engine_dir / wheel.name)
    engine_files = [engine_dir / "pyodide-lock.json", engine_dir / wheel.name]
    snapshot = cached_snapshot(wheel, root) if with_snapshot else None
    for old in engine_dir.glob("snapshot-*"):
        if snapshot is None or old.name.split(".")[0] != snapshot_name(snapshot).split(".")[0]:
            old.unlink()
    if snapshot is not None:
        _copy(snapshot.path, engine_dir / snapshot_name(snapshot))
        engine_files.append(engine_dir / snapshot_name(snapshot))
    compressed = (cache or root / "build" / "assets-cache") / "compressed"
    write_compressed([folder / name for name in RUNTIME_FILES] + engine_files, compressed)
    (base / "runtime.mjs").write_text(runtime_module(version, engine, snapshot), encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="the built site (MkDocs site_dir)")
    parser.add_argument(
        "--no-snapshot", action="store_true", help="ship no memory snapshot (the worker boots)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(format="warning: %(message)s")
    try:
        folder = build_assets(args.out_dir, with_snapshot=not args.no_snapshot)
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"runtime and calc wheel in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
