"""The 8-minute rule page's generated parts (docsgen.units); the built page is checked
against the engine in tests/test_site.py."""

from __future__ import annotations

from calc.units import Entry, compute_units
from docsgen import units


def test_the_page_works_every_cms_example() -> None:
    """The 8-minute rule page works the five numbered examples of the worked cases."""
    assert [c.example for c in units.CMS_EXAMPLES] == [1, 2, 3, 4, 5]
    page = units.cms_examples()
    for example in units.CMS_EXAMPLES:
        assert f"{{#cms-example-{example.example}}}" in page


def test_methods_compared_shows_both_methods_answers() -> None:
    page = units.methods_compared()
    for visit in units.COMPARED_VISITS:
        for method in ("cms", "per-code"):
            result = compute_units([Entry(c, m) for c, m in visit], method=method)
            assert units.billed(result) in page, (visit, method)
