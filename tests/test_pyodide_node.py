"""Cross-runtime: the built wheel, loaded by the shipped Pyodide 3.14 under Node, gives
exactly the answers CPython gives (same JSON text), on the golden cases and on a few
hundred random visits. Also checks what tools/build_assets.py puts into a site."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from calc import api
from calc.codes import load_codes
from tests.conftest import ROOT, golden

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


def run_in_pyodide(
    runtime: Path, engine: Path, cases: list[tuple[str, Any]], tmp: Path
) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "Node.js is needed for this test (apt-get install nodejs)"
    cases_file = tmp / "cases.json"
    cases_file.write_text(json.dumps(cases), encoding="utf-8")
    done = subprocess.run(
        [node, str(RUNNER), str(runtime), str(engine), str(cases_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
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


def test_engine_folder_is_named_by_its_content(engine: Path) -> None:
    names = {p.name for p in engine.iterdir()}
    wheel = next(n for n in names if n.endswith(".whl"))
    assert {n for n in names if not n.endswith((".gz", ".br"))} == {"pyodide-lock.json", wheel}
    lock = (engine / "pyodide-lock.json").read_bytes()
    assert engine.name == hashlib.sha256(lock).hexdigest()[:16]
    entry = json.loads(lock)["packages"]["calc"]
    assert entry["file_name"] == wheel
    assert entry["sha256"] == hashlib.sha256((engine / wheel).read_bytes()).hexdigest()
    assert entry["imports"] == ["calc"]
    with zipfile.ZipFile(engine / wheel) as zf:
        files = zf.namelist()
    assert "calc/api.py" in files
    assert "calc/data/codes.toml" in files
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
    for case in golden("units_cms.json")["cases"]:
        lines = ",".join(f"{code}:{minutes}" for code, minutes in case["lines"])
        cases.append(("units", {"lines": lines, "method": case["method"]}))
    golden_count = len(cases)
    cases += [(name, {}) for name in sorted(api.CALLS)]  # every call, with its defaults
    cases += [("eval", {}), ("units", {"lines": "<img src=x onerror=alert(1)>:5"})]
    cases += random_visits(300)

    out = run_in_pyodide(runtime, engine, cases, tmp_path)

    assert out["python"].startswith("3.14.")
    assert "calc" in out["loaded"]
    expected = [api.call_json(name, json.dumps(request)) for name, request in cases]
    mismatches = [
        (case, got, want)
        for case, got, want in zip(cases, out["results"], expected, strict=True)
        if got != want
    ]
    assert not mismatches, mismatches[:3]
    for case, text in zip(cases[:golden_count], out["results"][:golden_count], strict=True):
        result = json.loads(text)
        assert "error" not in result, (case, result)
    # the golden totals, as Pyodide computed them
    goldens = golden("units_cms.json")["cases"]
    for case, text in zip(goldens, out["results"][:golden_count], strict=True):
        result = json.loads(text)
        assert result["total_units"] == case["total_units"], case["id"]
        assert {x["code"]: x["units"] for x in result["lines"]} in case["expect_any_of"]
    # the random visits exercise answers and errors alike
    kinds = {"error" in json.loads(t) for t in out["results"][-300:]}
    assert kinds == {True, False}
