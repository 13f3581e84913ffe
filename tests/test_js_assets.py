"""Static checks on the calculators' JavaScript and the pinned runtime: valid modules,
no HTML built from strings or code evaluated (CSP-friendly), the worker's allow-list
within calc.api's, and Pyodide pinned exactly."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from calc import api
from tests.conftest import ROOT

JS = ROOT / "docs" / "assets" / "js"
MODULES = sorted(JS.rglob("*.mjs"))
PYODIDE = "314.0.7"


def test_there_are_modules() -> None:
    names = {p.relative_to(JS).as_posix() for p in MODULES}
    assert {"calculators.mjs", "engine.mjs", "engine-worker.mjs", "calculators/units.mjs"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(JS).as_posix())
def test_module_parses(path: Path) -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed (apt-get install nodejs)"
    done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


FORBIDDEN = {
    "innerHTML": r"\binnerHTML\b",
    "outerHTML": r"\bouterHTML\b",
    "insertAdjacentHTML": r"\binsertAdjacentHTML\b",
    "document.write": r"\bdocument\.write",
    "eval": r"(?<![.\w])eval\s*\(",
    "new Function": r"\bnew\s+Function\b",
    "string timer": r"set(?:Timeout|Interval)\(\s*[\"'`]",
    "runPython with input": r"runPython(?:Async)?\([^\"']",
    "remote URL": r"https?://",
}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(JS).as_posix())
def test_no_html_from_strings_and_no_eval(path: Path) -> None:
    code = "\n".join(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.strip().startswith("//")
    )
    found = [name for name, pattern in FORBIDDEN.items() if re.search(pattern, code)]
    assert not found, f"{path.name}: {found}"


def test_worker_allow_list_is_within_the_engines() -> None:
    worker = (JS / "engine-worker.mjs").read_text(encoding="utf-8")
    match = re.search(r"const CALLS = new Set\(\[([^\]]*)\]\)", worker)
    assert match
    calls = set(re.findall(r'"([a-z_-]+)"', match.group(1)))
    assert {"units", "codes", "scenarios", "grade"} <= calls
    assert calls <= set(api.CALLS)


def test_pyodide_is_pinned_exactly() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert package["dependencies"]["pyodide"] == PYODIDE  # no ^ or ~
    assert lock["packages"]["node_modules/pyodide"]["version"] == PYODIDE
    assert lock["packages"]["node_modules/pyodide"]["integrity"].startswith("sha512-")


# --- Material's inline scripts, moved to files for the Content-Security-Policy ---------------

THEME = JS / "theme"
#: sha256 of the Material 9.8 partials that overrides/partials/javascripts/ replaces with
#: the scripts in docs/assets/js/theme/ (same code, out of the page). A Material upgrade
#: that changes one fails here: compare the new inline code with the file and update both.
MATERIAL_PARTIALS = {
    "base.html": "d6113712bc4deb30b4bd810ee0dfc28b6f04d2f88cc0016c0f1766eac7b762b6",
    "palette.html": "8790389765ea6036effddba548b15093bb05bdc75624eaeaf8b13f3c24be4ab5",
    "content.html": "3722e156f0f6339de39fbbfc178b6e401d1a4fb890f189ac5b80c2504bda7dcf",
}


def test_moved_material_scripts_match_the_installed_theme() -> None:
    import hashlib

    import material

    partials = Path(material.__file__).parent / "templates" / "partials" / "javascripts"
    for name, digest in MATERIAL_PARTIALS.items():
        assert hashlib.sha256((partials / name).read_bytes()).hexdigest() == digest, (
            f"Material's partials/javascripts/{name} changed: update docs/assets/js/theme/"
            f"{name.replace('.html', '.js')} and overrides/partials/javascripts/{name}"
        )
        assert (ROOT / "overrides" / "partials" / "javascripts" / name).is_file()
        assert (THEME / name.replace(".html", ".js")).is_file()


@pytest.mark.parametrize("path", sorted(THEME.glob("*.js")), ids=lambda p: p.name)
def test_theme_script_parses_and_evaluates_nothing(path: Path) -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed (apt-get install nodejs)"
    done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    code = path.read_text(encoding="utf-8")
    found = [name for name, pattern in FORBIDDEN.items() if re.search(pattern, code)]
    assert not found, f"{path.name}: {found}"
