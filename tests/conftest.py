"""Shared test helpers. The project never reads ../shared at test time: the golden
cases are copied into tests/golden/ with their sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def golden(name: str) -> Any:
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def units_cases() -> list[dict[str, Any]]:
    """The worked minutes -> units cases (calc/data/cases/units.toml, each with its
    source) as plain values: id, method, source, lines, total_units, expect_any_of."""
    from calc.cases import load_units_cases

    return [
        {
            "id": c.id,
            "method": c.method,
            "source": c.source,
            "lines": [list(line) for line in c.lines],
            "total_units": c.total_units,
            "expect_any_of": [dict(a) for a in c.accepted],
        }
        for c in load_units_cases()
    ]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
