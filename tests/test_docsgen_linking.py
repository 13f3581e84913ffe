"""The linking page (docsgen.linking) and the anchors the contract promises."""

from __future__ import annotations

import json

from docsgen.build import render_all
from docsgen.linking import LINKING_CONTRACT, load_contract, page_source
from tests.conftest import ROOT


def test_contract_anchors_are_explicit_in_the_sources() -> None:
    """A promised anchor is written as {#id} on its heading (or generated with one), so
    rewording a heading cannot move it."""
    generated = "\n".join(render_all().values())
    for entry in load_contract()["pages"]:
        source = (ROOT / "docs" / page_source(entry["url"])).read_text("utf-8")
        for anchor in entry["anchors"]:
            assert f"{{#{anchor}}}" in source + generated, f"{entry['url']}#{anchor}"


def test_the_contract_read_is_the_sites_file() -> None:
    assert LINKING_CONTRACT == ROOT / "docs" / "linking-contract.json"
    assert load_contract() == json.loads(LINKING_CONTRACT.read_text(encoding="utf-8"))
