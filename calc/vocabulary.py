"""The engine's words for what a page or a link may say: the fields each calculator's
link takes, the names a choice accepts (with the label a person reads), and the yes/no
words. Written once, here, from the engine's own constants; the site writes it into
``assets/calc/vocabulary.json`` at build time (``hooks/vocabulary.py``), where the
pages' one link reader (``docs/assets/js/calculators/links.mjs``) and their forms read
it. A new link field is one entry in :func:`link_fields`.

>>> words = vocabulary()
>>> words["yes"], sorted(words["links"]["units"])
(['1', 'true', 'yes', 'on'], ['dos', 'lines', 'method'])
>>> [v["value"] for v in words["links"]["claim"]["provider"]["values"]]
['dc', 'pt']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from calc.claim import LINE_FACT_NAMES, LINE_FACTS, STYLE_NAMES
from calc.codes import PHASES
from calc.inputs import NO_WORDS, YES_WORDS
from calc.modifiers import CARE, PROVIDERS
from calc.payers import MODIFIER_STYLES, load_payers
from calc.units import METHOD_NAMES, METHODS

PROVIDER_NAMES = {"dc": "Chiropractor (DC)", "pt": "Physical therapist (PT)"}
PHASE_NAMES = {"initial": "Initial", "ongoing": "Ongoing"}
CARE_NAMES = {"active": "Active treatment", "maintenance": "Maintenance care"}

Spec = dict[str, Any]


def choice(values: Iterable[str], names: Mapping[str, str], default: str | None) -> Spec:
    """A field that takes one of these names (compared trimmed and lower-case, as
    :func:`calc.inputs.choice` reads them); ``default``: what absence means (None: not
    stated, and an empty value means that too)."""
    return {
        "kind": "choice",
        "values": [{"value": v, "label": names[v]} for v in values],
        "default": default,
    }


FLAG: Spec = {"kind": "flag"}  # yes/no: the yes and no words (calc.inputs.flag)
TEXT: Spec = {"kind": "text"}  # passed as it is; the engine checks it


def link_fields() -> dict[str, dict[str, Spec]]:
    """Per calculator page (its ``data-calc`` name): the link's fields and their kinds."""
    payers = load_payers().payers
    return {
        "units": {
            "lines": {"kind": "lines", "facts": []},
            "method": choice(METHODS, METHOD_NAMES, "cms"),
            "dos": TEXT,  # the date of service, YYYY-MM-DD (calc.dates reads it)
        },
        "claim": {
            "payer": choice([p.id for p in payers], {p.id: p.name for p in payers}, None),
            "lines": {
                "kind": "lines",
                "facts": [f.replace("_", "-") for f in LINE_FACTS],
                # the per-line choice, as links spell its words
                "values": [
                    {"value": f.replace("_", "-"), "label": LINE_FACT_NAMES[f]} for f in LINE_FACTS
                ],
            },
            "provider": choice(PROVIDERS, PROVIDER_NAMES, "dc"),
            "phase": choice(PHASES, PHASE_NAMES, None),
            "same_region": FLAG,
            "separate_encounter": FLAG,
            "modifier_style": choice(MODIFIER_STYLES, STYLE_NAMES, None),
            "care": choice(CARE, CARE_NAMES, "active"),
            "cmt_abn": FLAG,
            "voluntary_abn": FLAG,
            "abn": FLAG,
            "method": choice(METHODS, METHOD_NAMES, None),
            "dos": TEXT,  # the date of service, YYYY-MM-DD (calc.dates reads it)
        },
        # a record never goes in a link; its date of service may (it is not patient data)
        "documentation": {"dos": TEXT},
        "training": {"scenario": TEXT},
        "audit": {},  # the claim file is chosen on the page, never put in a link
    }


def vocabulary() -> dict[str, Any]:
    """Everything the pages need, as JSON data."""
    return {"yes": list(YES_WORDS), "no": list(NO_WORDS), "links": link_fields()}
