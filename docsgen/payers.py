"""The payers page: a summary table, then each profile as it stands on the build date,
with its history.

>>> "{#nc-shp}" in payer_profiles()
True
"""

from __future__ import annotations

from calc.payers import Payer, load_payers
from calc.units import METHOD_NAMES
from docsgen.dates import build_date, review_due
from docsgen.markdown import badge, capital, cell, cited, code_list, header, table

YES_NO = {True: "yes", False: "no"}


def payer_profiles() -> str:
    """A summary table of the payer profiles, then one section per payer (anchor = id)."""
    payers = list(load_payers())
    rows = [
        [
            f"[{cell(p.name)}](#{p.id})",
            f"`{p.id}`",
            cell(capital(METHOD_NAMES[p.units_method])),
            YES_NO[p.hns_59_gp_with_cmt],
            YES_NO[p.medicare_part_b],
            cell(p.modifier_style),
            badge(p.confidence),
        ]
        for p in payers
    ]
    parts = [
        header("calc/data/payers.toml"),
        "",
        table(
            [
                "Payer",
                "Id (links)",
                "Units",
                "59 then GP with CMT",
                "Medicare Part B",
                "Modifier style",
                "Confidence",
            ],
            rows,
        ),
        "",
    ]
    for profile in payers:
        p = profile.on(build_date())  # as it stands on the build date; its history below
        methods = ", ".join(METHOD_NAMES[m] for m in p.units_methods)
        parts += [
            f"### {cell(p.name)} {{#{p.id}}}",
            "",
            f"Id `{p.id}` · units: {cell(methods)} · confidence {badge(p.confidence)}",
            "",
            *[f"- {cell(note)}" for note in p.notes],
            *[f"- {badge('verify')} {cell(v)}" for v in p.verify],
            *[
                f"- **{code_list(n.codes)}**: {cell(n.text)} {badge(n.confidence)}"
                f" <small>({cited(n.cite)})</small>"
                for n in p.code_notes
            ],
            "",
            *_payer_history(profile),
            f"<small>Source: {cited(p.cite)}; reviewed {p.reviewed.isoformat()}"
            f"{review_due(p.reviewed)}.</small>",
            "",
        ]
    return "\n".join(parts)


def _payer_history(p: Payer) -> list[str]:
    """What changed for this payer, and when (the Rule changes page lists every payer)."""
    items = [
        f"- {period.period.describe()}: {cell(period.change or ' '.join(period.notes or ()))}"
        for period in p.periods
    ] + [
        f"- {n.period.describe()}: **{code_list(n.codes)}**: {cell(n.text)}"
        for n in p.code_notes
        if n.period.dated
    ]
    if not items:
        return []
    return [
        f"History (dates of service; the profile above is as it stands on {build_date()}):",
        "",
        *items,
        "",
    ]
