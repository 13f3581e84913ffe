"""The codes page's tables (docsgen.codes) and the confidence badge (docsgen.markdown)."""

from __future__ import annotations

from calc.codes import load_codes
from docsgen.codes import code_table
from docsgen.markdown import badge


def test_badges_mark_everything_below_high() -> None:
    assert 'class="badge badge-verify"' in badge("verify")
    assert 'class="badge badge-medium"' in badge("medium")
    tables = "".join(code_table(k) for k in ("timed", "untimed", "not-calculated"))
    assert tables.count('class="badge badge-') == len(load_codes().codes)
    for level in {code.confidence for code in load_codes()}:
        assert f"badge-{level}" in tables
