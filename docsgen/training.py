"""The training pages: the list of scenarios (never their answers) and the trainer's key.

>>> PRACTISE_LINK.format(id="x")
'training.md?scenario=x'
"""

from __future__ import annotations

from calc.trainer_key import render_key
from calc.training import load_scenarios
from docsgen.markdown import cell, header, table

# --- training (calc.training) -------------------------------------------------------------

#: What the trainee answers, per kind of scenario (presentation only).
TRAINING_KINDS = {
    "units": "Units per code",
    "claim": "Bill the visit: units and modifiers",
    "review": "Documentation review: what is missing",
    "audit": "Claim file audit: what it reports",
}
#: training.md and training-key.md are side by side in docs/.
PRACTISE_LINK = "training.md?scenario={id}"


def training_scenarios() -> str:
    """The training page's list of scenarios: a link to practise each one, what the
    trainee answers and the rules it exercises (never the answer)."""
    data = load_scenarios()
    tags = {t.id: t.title for t in data.tags}
    rows = [
        [
            f"[{cell(s.title)}]({PRACTISE_LINK.format(id=s.id)})",
            TRAINING_KINDS[s.kind],
            "; ".join(cell(tags[t]) for t in s.tags),
        ]
        for s in data.scenarios
    ]
    return "\n".join(
        [
            header("calc/data/scenarios.toml"),
            "",
            table(["Scenario", "You answer", "Rules it exercises"], rows),
            "",
        ]
    )


def training_key() -> str:
    """The trainer's key (calc.trainer_key.render_key), one section per scenario so that
    print keeps a scenario on one page where it fits (site.css)."""
    parts = [header("calc/trainer_key.py (render_key) on calc/data/scenarios.toml"), ""]
    for s in load_scenarios().scenarios:
        key = render_key([s.id], link=PRACTISE_LINK).strip()
        parts += ['<section class="training-key-scenario" markdown>', "", key, "", "</section>", ""]
    return "\n".join(parts)
