"""Cross-runtime: the built wheel, loaded by the shipped Pyodide 3.14 under Node, and the
engine's memory snapshot restored there, give exactly the answers CPython gives (same
JSON text), on the golden cases, every scenario and a few hundred random visits per call.
Also checks what tools/build_assets.py puts into a site, and the snapshot's known traps
(pyodide/pyodide#6254 heap size, #4652 fixed hash seed, no build-machine paths)."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from calc import api
from calc.codes import load_codes
from calc.documentation import FIELDS
from calc.payers import load_payers
from tests.conftest import ROOT, golden, units_cases

pytestmark = pytest.mark.node
RUNNER = ROOT / "tests" / "node" / "run_calc.mjs"
BUILD = ROOT / "tools" / "build_assets.py"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the assets exactly as a site build writes them (via the CLI)."""
    out = tmp_path_factory.mktemp("assets-site")
    done = subprocess.run(
        [sys.executable, str(BUILD), str(out)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="session")
def runtime(built_site: Path) -> Path:
    version = json.loads((ROOT / "node_modules" / "pyodide" / "package.json").read_text())[
        "version"
    ]
    return built_site / "assets" / "pyodide" / version


@pytest.fixture(scope="session")
def engine(built_site: Path) -> Path:
    """The content-hashed folder with the calc wheel and the lock file registering it."""
    (folder,) = (built_site / "assets" / "pyodide" / "engine").iterdir()
    return folder


@pytest.fixture(scope="session")
def snapshot(engine: Path) -> Path:
    """The engine's memory snapshot, as the site ships it."""
    (found,) = engine.glob("snapshot-*.bin")
    return found


@pytest.fixture(scope="session")
def build_assets() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BUILD.parent))
    try:
        import build_assets

        yield build_assets
    finally:
        sys.path.remove(str(BUILD.parent))


def node_run(
    runtime: Path, engine: Path, cases: list[tuple[str, Any]], tmp: Path, *extra: Path
) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "Node.js is needed for this test (apt-get install nodejs)"
    cases_file = tmp / "cases.json"
    cases_file.write_text(json.dumps(cases), encoding="utf-8")
    return subprocess.run(
        [node, str(RUNNER), str(runtime), str(engine), str(cases_file), *map(str, extra)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def run_in_pyodide(
    runtime: Path, engine: Path, cases: list[tuple[str, Any]], tmp: Path, *extra: Path
) -> dict[str, Any]:
    done = node_run(runtime, engine, cases, tmp, *extra)
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def random_visits(n: int, seed: int = 97112) -> list[tuple[str, Any]]:
    """Visits of 1-6 codes (timed and untimed, some minutes odd), both methods, some bad."""
    rng = random.Random(seed)
    codes = [c.code for c in load_codes()]
    cases: list[tuple[str, Any]] = []
    for _ in range(n):
        parts = []
        for code in rng.sample(codes, rng.randint(1, min(6, len(codes)))):
            roll = rng.random()
            if roll < 0.8:
                parts.append(f"{code}:{rng.randint(0, 75)}")
            elif roll < 0.9:
                parts.append(code)
            else:
                parts.append(f"{code}:{rng.choice(['-3', 'x', '7.5', '1441', ''])}")
        method = rng.choice(["cms", "cms", "per-code"])
        if rng.random() < 0.5:
            cases.append(("units", {"lines": ",".join(parts), "method": method}))
        else:
            cases.append(("units", {"lines": parts, "method": method}))
    return cases


def assert_same_as_cpython(cases: list[tuple[str, Any]], results: list[str]) -> None:
    """Pyodide's answers are CPython's, byte for byte (the same JSON text)."""
    expected = [api.call_json(name, json.dumps(request)) for name, request in cases]
    mismatches = [
        (case, got, want)
        for case, got, want in zip(cases, results, expected, strict=True)
        if got != want
    ]
    assert not mismatches, mismatches[:3]


RUNTIME_FILES = {
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
}


def test_runtime_folder_holds_only_what_the_browser_needs(runtime: Path, engine: Path) -> None:
    """The npm package's files byte for byte (a server may cache them for ever), and
    beside them compressed copies where those are worth it (zips are not)."""
    names = {p.name for p in runtime.iterdir()}
    assert {n for n in names if not n.endswith((".gz", ".br"))} == RUNTIME_FILES
    npm = ROOT / "node_modules" / "pyodide"
    for name in RUNTIME_FILES:
        assert (runtime / name).read_bytes() == (npm / name).read_bytes(), name
    assert {"pyodide.asm.wasm.gz", "pyodide.asm.mjs.gz", "pyodide-lock.json.gz"} <= names
    assert "python_stdlib.zip.gz" not in names
    for name in names - RUNTIME_FILES:
        original = (runtime / name).with_suffix("").read_bytes()
        packed = (runtime / name).read_bytes()
        if name.endswith(".gz"):
            assert gzip.decompress(packed) == original, name
        assert len(packed) <= 0.9 * len(original), name


def test_engine_folder_is_named_by_its_content(engine: Path, snapshot: Path) -> None:
    names = {p.name for p in engine.iterdir()}
    wheel = next(n for n in names if n.endswith(".whl"))
    shipped = {"pyodide-lock.json", wheel, snapshot.name}
    assert {n for n in names if not n.endswith((".gz", ".br"))} == shipped
    digest = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    assert snapshot.name == f"snapshot-{digest[:16]}.bin"
    assert {f"{snapshot.name}.gz", f"{snapshot.name}.br"} <= names
    lock = (engine / "pyodide-lock.json").read_bytes()
    assert engine.name == hashlib.sha256(lock).hexdigest()[:16]
    entry = json.loads(lock)["packages"]["calc"]
    assert entry["file_name"] == wheel
    assert entry["sha256"] == hashlib.sha256((engine / wheel).read_bytes()).hexdigest()
    assert entry["imports"] == ["calc"]
    with zipfile.ZipFile(engine / wheel) as zf:
        files = zf.namelist()
    assert "calc/api.py" in files
    assert "calc/ncci_import.py" not in files  # a maintainers' tool, never in the browser
    assert "calc/trainer_key.py" not in files  # the key as Markdown: the site's and CLI's
    assert "calc/provenance.py" not in files  # the site generator's walk of the rule book
    assert {"calc/requests.py", "calc/training/__init__.py", "calc/training/key.py"} <= set(files)
    assert "calc/data/codes.toml" in files
    assert "calc/data/cases/units.toml" in files  # training poses the worked cases
    assert not [f for f in files if f.endswith(".pyc")]  # host bytecode: Pyodide rejects it
    module = (engine.parent.parent / "runtime.mjs").read_text()
    assert f'"./engine/{engine.name}/pyodide-lock.json"' in module


def test_wheel_is_reproducible_and_cached(tmp_path: Path, engine: Path) -> None:
    """Same sources → same bytes (fixed SOURCE_DATE_EPOCH), and a rebuild reuses the cache."""
    sys.path.insert(0, str(BUILD.parent))
    try:
        import build_assets
    finally:
        sys.path.remove(str(BUILD.parent))
    wheel, _ = build_assets.cached_engine(ROOT, cache=tmp_path / "cache")
    assert wheel.read_bytes() == (engine / wheel.name).read_bytes()
    again, _ = build_assets.cached_engine(ROOT, cache=tmp_path / "cache")
    assert again == wheel


def test_golden_cases_and_random_visits_match_cpython(
    runtime: Path, engine: Path, tmp_path: Path
) -> None:
    cases: list[tuple[str, Any]] = []
    for case in units_cases():
        lines = ",".join(f"{code}:{minutes}" for code, minutes in case["lines"])
        cases.append(("units", {"lines": lines, "method": case["method"]}))
    golden_count = len(cases)
    cases += [(name, {}) for name in sorted(api.CALLS)]  # every call, with its defaults
    cases += [("eval", {}), ("units", {"lines": "<img src=x onerror=alert(1)>:5"})]
    cases += random_visits(300)

    out = run_in_pyodide(runtime, engine, cases, tmp_path)

    assert out["python"].startswith("3.14.")
    assert "calc" in out["loaded"]
    assert_same_as_cpython(cases, out["results"])
    for case, text in zip(cases[:golden_count], out["results"][:golden_count], strict=True):
        result = json.loads(text)
        assert "error" not in result, (case, result)
    # the golden totals, as Pyodide computed them
    goldens = units_cases()
    for case, text in zip(goldens, out["results"][:golden_count], strict=True):
        result = json.loads(text)
        assert result["total_units"] == case["total_units"], case["id"]
        assert {x["code"]: x["units"] for x in result["lines"]} in case["expect_any_of"]
    # the random visits exercise answers and errors alike
    kinds = {"error" in json.loads(t) for t in out["results"][-300:]}
    assert kinds == {True, False}


# --- the engine's memory snapshot (issue 17) -------------------------------------------


def random_claims(n: int, seed: int = 98941) -> list[tuple[str, Any]]:
    """Claims for every payer, 1-5 codes, each option at random, some bad values."""
    rng = random.Random(seed)
    codes = [c.code for c in load_codes()]
    payers = [p.id for p in load_payers()] + ["nobody"]
    cases: list[tuple[str, Any]] = []
    for _ in range(n):
        lines = [
            f"{code}:{rng.randint(0, 60)}" if rng.random() < 0.7 else code
            for code in rng.sample(codes, rng.randint(1, 5))
        ]
        request: dict[str, Any] = {"payer": rng.choice(payers), "lines": ",".join(lines)}
        for key, values in {
            "provider": ["dc", "pt", "md"],
            "phase": ["initial", "ongoing"],
            "same_region": [True, False, "1"],
            "separate_encounter": [True, False],
            "modifier_style": ["59", "x"],
            "abn": [True, False],
            "care": ["active", "maintenance"],
            "method": ["cms", "per-code"],
        }.items():
            if rng.random() < 0.4:
                request[key] = rng.choice(values)
        cases.append(("claim", request))
    return cases


def random_records(n: int, seed: int = 220) -> list[tuple[str, Any]]:
    """Documentation records with a random subset of the fields, some values bad."""
    rng = random.Random(seed)
    codes = [c.code for c in load_codes()]
    words = ["left ankle", "balance", "tandem walking", "", "  foam  pad ", "<b>x</b>", "é"]
    value = {
        "text": lambda f: rng.choice(words),
        "list": lambda f: rng.sample(words, rng.randint(0, 3)),
        "count": lambda f: rng.choice([0, 3, 12, -1, "4"]),
        "units": lambda f: rng.randint(0, 5),
        "minutes": lambda f: rng.choice([0, 8, 24, 38, 75, -2]),
        "yes-no": lambda f: rng.choice([True, False, "yes"]),
        "choice": lambda f: rng.choice([*f.choices, "other"]),
        "choices": lambda f: rng.sample([*f.choices, "other"], rng.randint(0, 2)),
        "codes": lambda f: rng.sample(codes, rng.randint(0, 3)),
    }
    cases: list[tuple[str, Any]] = []
    for _ in range(n):
        fields = rng.sample(FIELDS, rng.randint(0, len(FIELDS)))
        cases.append(("review", {f.name: value[f.kind](f) for f in fields}))
    return cases


def random_audits(n: int, seed: int = 1500) -> list[tuple[str, Any]]:
    """Claim files of 1-6 visits (random payers, codes, minutes, units, modifiers), and
    files the audit must refuse (wrong delimiter, a missing column, no rows)."""
    rng = random.Random(seed)
    codes = [c.code for c in load_codes()]
    payers = [p.id for p in load_payers()] + ["Blue Cross"]
    header = "visit_id,patient_id,dos,payer,provider,code,minutes,units,modifiers"
    cases: list[tuple[str, Any]] = []
    for i in range(n):
        rows = [header]
        for visit in range(rng.randint(1, 6)):
            payer, provider = rng.choice(payers), rng.choice(["dc", "pt", ""])
            day = f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}"
            for code in rng.sample(codes, rng.randint(1, 4)):
                modifiers = rng.choice(["", "59", "GP", "59 GP", "XS", "25"])
                rows.append(
                    f"V{i}-{visit},P{rng.randint(1, 3)},{day},{payer},{provider},{code},"
                    f"{rng.randint(0, 60)},{rng.randint(0, 5)},{modifiers}"
                )
        text = "\n".join(rows) + "\n"
        if rng.random() < 0.1:
            text = rng.choice([header + "\n", text.replace(",", ";"), text.replace(",units", "")])
        cases.append(("audit", {"csv": text}))
    return cases


def every_scenario() -> list[tuple[str, Any]]:
    """Each training scenario's own question, shown alone, and graded (empty attempt)."""
    cases: list[tuple[str, Any]] = []
    for scenario in api.call("scenarios", {})["scenarios"]:
        cases.append((scenario["kind"], scenario["request"]))
        cases.append(("scenarios", {"scenario": scenario["id"]}))
        attempt = {"missing": []} if scenario["kind"] == "review" else {"lines": []}
        cases.append(("grade", {"scenario": scenario["id"], "attempt": attempt}))
    return cases


def test_snapshot_engine_answers_as_cpython_does(
    runtime: Path, engine: Path, snapshot: Path, tmp_path: Path
) -> None:
    """Restored from the snapshot, with no file of calc in its file system, the engine
    answers the golden cases, every scenario and random visits of each call byte for byte
    as CPython does. Pyodide's snapshot options are private (@ignore): an upgrade that
    changes them fails here, rather than every page silently falling back to boot."""
    cases: list[tuple[str, Any]] = [(name, {}) for name in sorted(api.CALLS)]
    for case in units_cases():
        lines = ",".join(f"{code}:{minutes}" for code, minutes in case["lines"])
        cases.append(("units", {"lines": lines, "method": case["method"]}))
    cases.append(("review", golden("documentation_complete.json")["record"]))
    cases += every_scenario()
    cases += random_visits(300, seed=17) + random_claims(300) + random_records(200)
    cases += random_audits(100)
    cases += [("eval", {}), ("units", {"lines": "<img src=x onerror=alert(1)>:5"})]

    out = run_in_pyodide(runtime, engine, cases, tmp_path, snapshot)

    assert out["python"].startswith("3.14.")
    assert not [f for f in out["files"] if f.endswith(".whl")]  # nothing to import from
    assert_same_as_cpython(cases, out["results"])
    answers = [json.loads(text) for text in out["results"]]
    for kind in ("units", "claim", "review", "audit"):
        errors = {"error" in a for (name, _), a in zip(cases, answers, strict=True) if name == kind}
        assert errors == {True, False}, kind  # answers and errors alike


def test_runtime_module_names_the_snapshot_with_its_checksum(
    built_site: Path, snapshot: Path, build_assets: ModuleType
) -> None:
    """runtime.mjs gives the worker the snapshot's address, its sha256 for Subresource
    Integrity, and a health check whose digest is that of CPython's answer."""
    module = (built_site / "assets" / "pyodide" / "runtime.mjs").read_text()
    rel = snapshot.relative_to(built_site / "assets" / "pyodide").as_posix()
    assert f'new URL("./{rel}", import.meta.url)' in module
    digest = base64_sha256(snapshot.read_bytes())
    assert f'integrity: "sha256-{digest}"' in module
    found = re.search(r"check: (\{.*\}),\n", module)
    assert found
    check = json.loads(found.group(1))
    answer = api.call_json(check["call"], json.dumps(check["request"]))
    assert check["digest"] == build_assets.check_digest(answer)
    assert "error" not in json.loads(answer)


def base64_sha256(data: bytes) -> str:
    import base64

    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_snapshot_fits_the_heap_it_is_restored_into(
    runtime: Path, snapshot: Path, build_assets: ModuleType
) -> None:
    """pyodide/pyodide#6254: the restore copies the snapshot into the heap the module was
    created with (the wasm's own memory), whatever size the snapshot asks for."""
    data = snapshot.read_bytes()
    header = int.from_bytes(data[4:8], "little")
    limit = build_assets.wasm_initial_memory((runtime / "pyodide.asm.wasm").read_bytes())
    assert limit == 30 * 2**20  # Pyodide 314.0.7's default: a new release may change it
    assert len(data) - header <= limit


def test_a_snapshot_past_the_heap_fails_to_restore(
    runtime: Path, engine: Path, snapshot: Path, tmp_path: Path
) -> None:
    """The trap itself (pyodide/pyodide#6254), pinned: one page more than the heap and the
    restore throws. When Pyodide fixes it, this fails: the build's guard may then go."""
    big = tmp_path / "big.bin"
    big.write_bytes(snapshot.read_bytes() + bytes(65536))
    done = node_run(runtime, engine, [("codes", {})], tmp_path, big)
    assert done.returncode != 0
    assert "RangeError: offset is out of bounds" in done.stderr, done.stderr[-2000:]


def test_build_ships_no_snapshot_when_the_heap_grew(
    build_assets: ModuleType,
    built_site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A snapshot larger than the heap would fail in every browser: the build ships none
    (runtime.mjs says null, the worker boots) and says why, as a warning (which fails a
    `mkdocs build --strict`)."""
    real = build_assets.wasm_initial_memory
    monkeypatch.setattr(build_assets, "wasm_initial_memory", lambda wasm: real(wasm) - 65536)
    with caplog.at_level(logging.WARNING):
        build_assets.build_assets(tmp_path / "site")
    assert "pyodide/pyodide#6254" in caplog.text
    base = tmp_path / "site" / "assets" / "pyodide"
    assert "export const snapshot = null;" in (base / "runtime.mjs").read_text()
    assert not list(base.glob("engine/*/snapshot-*"))


def test_snapshot_carries_no_path_of_the_build_machine(
    runtime: Path, snapshot: Path, build_assets: ModuleType
) -> None:
    """No checkout path, home folder or environment of the build machine in Python's
    memory (strings that are in Pyodide's own wasm, its build paths, do not count)."""
    data = snapshot.read_bytes()
    wasm = (runtime / "pyodide.asm.wasm").read_bytes()
    needles = [str(ROOT).encode(), os.environ["HOME"].encode()]
    assert build_assets.leaked_strings(data, wasm, needles) == []
    assert b"PWD=/\0" in data  # Emscripten's own environment, not ours
    planted = data.replace(b"PWD=/\0", b"PWD=" + str(ROOT).encode() + b"\0", 1)
    assert build_assets.leaked_strings(planted, wasm, needles) == [f"PWD={ROOT}"]


def test_answers_do_not_depend_on_the_hash_seed() -> None:
    """pyodide/pyodide#4652: a snapshot fixes Python's string-hash seed for every user, so
    no answer may depend on set or hash order (nor on `random`): CPython with two seeds
    gives the same text for every call and the random visits."""
    cases = [(name, {}) for name in sorted(api.CALLS)] + every_scenario()
    cases += random_visits(50) + random_claims(50) + random_records(50) + random_audits(20)
    script = (
        "import json, sys\n"
        "from calc import api\n"
        "cases = json.load(sys.stdin)\n"
        "print(json.dumps([api.call_json(n, json.dumps(r)) for n, r in cases]))\n"
    )
    outputs = []
    for seed in ("0", "97112"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=json.dumps(cases),
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    sources = "\n".join(p.read_text() for p in (ROOT / "calc").rglob("*.py"))
    assert not re.search(r"^\s*(import random|from random import)", sources, re.M)
