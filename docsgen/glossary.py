"""The modifier glossary page: one section per modifier, then the questions billers ask.

>>> "{#modifier-59}" in modifier_glossary()
True
"""

from __future__ import annotations

from calc.glossary import anchor, load_glossary
from docsgen.dates import reviewed
from docsgen.markdown import badge, cell, cited, header, link


def modifier_glossary() -> str:
    """One section per modifier (anchor ``modifier-59``: claim results link to it),
    then the questions billers ask, each answer with its sources."""
    glossary = load_glossary()
    out = [header("calc/data/modifier_glossary.toml"), ""]
    for entry in glossary:
        document = f" ({link('open the document', entry.url)})" if entry.url else ""
        out += [
            f"### {cell(entry.code)} {{#{anchor(entry.code)}}}",
            "",
            f"*{cell(entry.name)}.* {cell(entry.meaning)}",
            "",
            f"**On a claim from the claim builder:** {cell(entry.on_claims)}",
            "",
            f"Source: {cited(entry.cite)}{document} · {badge(entry.confidence)} "
            f"{reviewed(entry.reviewed.isoformat())}",
            "",
        ]
    out += ["## Questions {#questions}", ""]
    for question in glossary.questions:
        links = ", ".join(link(url, url) for url in question.urls)
        out += [
            f"### {cell(question.title)} {{#{question.id}}}",
            "",
            cell(question.answer),
            "",
            f"Sources: {cited(question.cite)} ({links}) · {badge(question.confidence)} "
            f"{reviewed(question.reviewed.isoformat())}",
            "",
        ]
    return "\n".join(out)
