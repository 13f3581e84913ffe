"""The trainer's key as Markdown: every scenario with its story, facts, the engine's
answer and steps, the learning point and the source. Presentation for the site and the
command line, kept out of the browser's wheel (tools/build_assets.py, TOOL_MODULES).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from calc.training.key import Answer, answer_key, load_scenarios
from calc.training.scenarios import Scenario, Tag, facts

# --- the trainer's key ---------------------------------------------------------------------


def _md(text: str) -> str:
    """Data text made safe for Markdown: no HTML, no accidental emphasis."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("*", r"\*")
        .replace("_", r"\_")
    )


_KIND_WORDS = {
    "claim": "bill the visit: lines, units and modifiers",
    "units": "units per code",
    "review": "documentation review: what is missing",
    "audit": "claim file audit: what the audit reports",
}


def _key_answer(s: Scenario, answer: Answer) -> list[str]:
    if s.kind == "audit":
        return [f"- Found (`{i.id}`): {_md(i.text)}. {_md(i.detail)}" for i in answer.missing]
    if s.kind == "review":
        out = [f"- Missing (`{i.id}`): {_md(i.text)} {_md(i.detail)}" for i in answer.missing]
        out += [f"- Flagged, not missing (`{i.id}`): {_md(i.text)} {_md(i.detail)}"
                for i in answer.flagged]  # fmt: skip
        return out
    out = [
        f"- `{line.display if s.kind == 'claim' else f'{line.code} × {line.units}'}`"
        for line in answer.billed
    ]
    out += [
        f"- Not billed: `{line.code}`. {_md(line.reason)}".rstrip() for line in answer.not_billed
    ]
    if answer.tie:
        alts = "; or ".join(
            ", ".join(f"{code} × {units}" for code, units in alt.items() if units)
            for alt in answer.alternatives
        )
        out.append(f"- {_md(answer.tie)} Equally correct: {alts}.")
    return out


def _key_section(s: Scenario, tags: Mapping[str, Tag], anchors: bool, link: str | None) -> str:
    answer = answer_key(s)
    anchor = f" {{#{s.id}}}" if anchors else ""
    meta = f"Scenario `{s.id}` · {_KIND_WORDS[s.kind]} · confidence {s.confidence}"
    meta += f" · reviewed {s.reviewed}"
    if link:
        meta += f" · [practise it]({link.format(id=s.id)})"
    out = [f"## {_md(s.title)}{anchor}", "", meta, "", f"**The visit.** {_md(s.story)}", ""]
    out += ["**Facts**", "", *(f"- {_md(label)}: {_md(value)}" for label, value in facts(s))]
    out += ["", "**Answer**", "", *_key_answer(s, answer)]
    out += ["", "**How the engine got there**", ""]
    out += [f"{n}. {_md(step)}" for n, step in enumerate(answer.steps, start=1)]
    said = {line.reason for line in answer.not_billed}
    shown_notes = [w.message for w in answer.warnings if w.message not in said]
    shown_notes += [f"[{n.confidence}] {n.message}" for n in answer.notes if n.confidence != "high"]
    if shown_notes:
        out += ["", "**Warnings and unconfirmed rules**", ""]
        out += [f"- {_md(text)}" for text in shown_notes]
    out += [
        "",
        f"**Learning point.** {_md(s.learning_point)}",
        "",
        f"**Source.** {_md(s.source)}",
        "",
        "**Rules exercised.** " + "; ".join(_md(tags[t].title) for t in s.tags) + ".",
    ]
    return "\n".join(out)


def render_key(
    scenario_ids: Iterable[str] | None = None, *, link: str | None = None, anchors: bool = True
) -> str:
    """The trainer's key as Markdown: every scenario (or those named) with its story,
    facts, the engine's answer and steps, the learning point and the source.

    ``link`` (e.g. ``"../training/?scenario={id}"``) adds a link to practise each one;
    ``anchors`` puts ``{#id}`` on each heading (attr_list) so a page can link to it.

    >>> text = render_key(["bcbsnc-cmt-97112"], anchors=False)
    >>> "## Blue Cross NC: CMT and 97112 (the HNS example)" in text, "`97112-59-GP × 2`" in text
    (True, True)
    """
    data = load_scenarios()
    chosen = (
        data.scenarios
        if scenario_ids is None
        else tuple(data.require(i) for i in dict.fromkeys(scenario_ids))
    )
    tags = {t.id: t for t in data.tags}
    return "\n\n".join(_key_section(s, tags, anchors, link) for s in chosen) + "\n"
