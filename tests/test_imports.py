"""calc's imports point one way: no module imports, even lazily inside a function, a
module that imports it back (directly or through others), and every module imports on
its own in a fresh interpreter.

The graph is read with ``ast`` from the sources, so an import inside a function counts
as much as one at the top. A package's own ``__init__`` (which only re-exports its
modules) is not counted as imported by its submodules: Python runs it first, but the
submodules never use it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CALC = ROOT / "calc"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(CALC.rglob("*.py"))}


def _target(name: str) -> str | None:
    """The calc module an imported name lives in (``calc.api.call`` → ``calc.api``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    """Every calc module ``module`` imports, anywhere in its source (lazy too).

    >>> sorted(imports_of("calc.__main__"))
    ['calc.cli']
    """
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            target = _target(name)
            if target and target != "calc" and target != module:
                found.add(target)
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle in the graph, as a path that ends where it starts, or None.

    >>> find_cycle({"a": {"b"}, "b": {"a"}})
    ['a', 'b', 'a']
    >>> find_cycle({"a": {"b"}, "b": set()}) is None
    True
    """
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_is_read_from_the_sources() -> None:
    # Guards the test itself: lazy imports are seen, and so is the facade's fan-out.
    assert "calc.training" in imports_of("calc.api")  # inside scenarios()
    assert {"calc.requests", "calc.claim", "calc.units"} <= imports_of("calc.api")
    assert "calc.requests" in imports_of("calc.training.key")


def test_no_import_circle_in_calc() -> None:
    graph = {m: imports_of(m) for m in MODULES}
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


def test_the_engine_never_imports_the_facade() -> None:
    # requests → api, never back: training reads requests, not the JSON facade.
    users = {m for m in MODULES if "calc.api" in imports_of(m)}
    assert users <= {"calc.cli", "calc.audit_cli"}, users


@pytest.mark.parametrize("module", sorted(set(MODULES) - {"calc.__main__"}))  # runs the CLI
def test_each_module_imports_alone(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
