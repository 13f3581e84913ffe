"""The help sheet and the quick reference card: each payer's answer for the usual
visits (run through the claim builder), the modifier rules, the other rules, the order
of modifiers.

>>> _refs(["cmt", "97112"])
'CMT codes, 97112'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from calc._data import weakest
from calc.claim import Claim, ClaimLine, Visit, build_claim
from calc.codes import load_codes
from calc.modifiers import THERAPY, ModifierRule, fill, load_modifier_rules
from calc.ncci import load_ncci_pairs
from calc.payers import Payer, load_payers
from calc.units import Entry
from docsgen.codes import CATEGORY_LABELS
from docsgen.dates import build_date, reviewed
from docsgen.markdown import badge, cell, cited, header, table, wide_table

# --- the help sheet and the payers (calc.claim, calc.modifiers, calc.ncci, calc.payers) ----

#: Representative visit inputs for the "by payer" table (inputs only: every modifier shown
#: is computed by the claim builder, with its defaults: a chiropractor, active care, a
#: different body region than the CMT, no ABN).
SAMPLE_CMT = "98941"
SAMPLE_EM = "99213"
SAMPLE_MINUTES = 23
WHEN_LABELS: dict[tuple[str, object], str] = {
    ("provider", "dc"): "a chiropractor bills it",
    ("provider", "pt"): "a physical therapist bills it",
    ("care", "active"): "active care",
    ("care", "maintenance"): "maintenance care",
    ("abn", True): "an ABN is on file",
    ("abn", False): "no ABN",
    ("same_region", True): "same region as the CMT, same encounter",
    ("same_region", False): "a different region than the CMT",
    ("separate_encounter", True): "a separate encounter",
    ("phase", "initial"): "initial phase of care",
    ("phase", "ongoing"): "ongoing care",
    ("style", "x"): "X modifiers chosen",
    ("style", "59"): "59 chosen",
}


REF_LABELS = {THERAPY: "any therapy or modality", "cmt": "CMT codes", "em": "E/M codes"}


def ref_words(refs: Iterable[str]) -> list[str]:
    """Code references of a rule in words: codes, categories, or "therapy".

    >>> ref_words(["97112", "cmt", "therapy", "evaluation"])
    ['97112', 'CMT codes', 'any therapy or modality', 'evaluation codes']
    """
    words = []
    for ref in refs:
        if ref in REF_LABELS:
            words.append(REF_LABELS[ref])
        elif ref in CATEGORY_LABELS:
            words.append(CATEGORY_LABELS[ref].lower() + " codes")
        else:
            words.append(ref)
    return words


def _refs(refs: Iterable[str]) -> str:
    return ", ".join(ref_words(refs))


def _line_confidence(claim: Claim, line: ClaimLine) -> str:
    """How sure the claim builder is of one line: its modifiers' rules and the warnings and
    notes about that line (a payer-wide statement is shown with the payer instead)."""
    messages = (*claim.warnings, *claim.notes)
    return weakest([line.confidence, *(m.confidence for m in messages if line.code in m.lines)])


def _payer_confidence(payer: Payer) -> str:
    return weakest([payer.confidence, *(["verify"] if payer.verify else [])])


def _marked(text: str, confidence: str) -> str:
    return text if confidence == "high" else f"{text} {badge(confidence)}"


def _payers_of(rule: ModifierRule) -> str:
    payers = load_payers()
    if rule.payers == "all":
        return "all payers"
    if isinstance(rule.payers, str):
        return ", ".join(p.name for p in payers if p.has_flag(rule.payers))
    return ", ".join(payers.require(p).name for p in rule.payers)


def _line(line: ClaimLine) -> str:
    return "-".join([line.code, *line.modifiers])


def _sample_claim(payer: str, codes: Sequence[str]) -> Claim:
    entries = [Entry(c, SAMPLE_MINUTES if load_codes().require(c).timed else None) for c in codes]
    return build_claim(Visit(lines=tuple(entries), payer=payer, dos=build_date()))


def _cmt_pair_codes() -> list[str]:
    """The therapy codes an NCCI pair bundles into CMT (column 2 under a CMT code)."""
    codes = load_codes()
    found: list[str] = []
    for pair in load_ncci_pairs().active():
        if pair.indicator == "1" and all(codes.require(c).category == "cmt" for c in pair.column1):
            found += [c for c in pair.column2 if codes.require(c).is_therapy and c not in found]
    return found


def help_sheet_by_payer() -> str:
    """Each payer × the usual same-day combinations, as the claim builder bills them."""
    scenarios = [(f"{code} + CMT", [SAMPLE_CMT, code]) for code in _cmt_pair_codes()]
    scenarios += [
        ("97112 + E/M", [SAMPLE_EM, "97112"]),
        ("97112 + CMT + E/M", [SAMPLE_CMT, SAMPLE_EM, "97112"]),
    ]
    rows = []
    checks = []
    for payer in load_payers():
        name = _marked(f"**{cell(payer.name)}**", _payer_confidence(payer))
        cells = [f"{name} <br><small>`{payer.id}`</small>"]
        for _, codes in scenarios:
            claim = _sample_claim(payer.id, codes)
            text = " <br>".join(
                _marked(f"`{_line(line)}`", _line_confidence(claim, line)) for line in claim.lines
            )
            if claim.not_billed:
                text += " <br>" + ", ".join(f"{n.code} not billed" for n in claim.not_billed)
            cells.append(text)
        rows.append(cells)
        checks += [f"- **{cell(payer.name)}** {badge('verify')} {cell(v)}" for v in payer.verify]
    headers = ["Payer", *(f"{name}" for name, _ in scenarios)]
    return "\n".join(
        [
            header("calc/claim.py run on calc/data/*.toml"),
            "",
            '<div class="by-payer" markdown>',
            "",
            table(headers, rows),
            "",
            "</div>",
            "",
            f"Each cell is the claim builder's answer for that visit ({SAMPLE_CMT} for the CMT, "
            f"{SAMPLE_EM} for the E/M, {SAMPLE_MINUTES} minutes of therapy), billed by a "
            "chiropractor for active care, with the therapy on a different body region than "
            "the manipulation. A badge marks a payer profile, or a claim line, that rests on "
            "something below high confidence ([the list](#verify)).",
            "",
            *(["**Check before relying on these payers:**", "", *checks, ""] if checks else []),
        ]
    )


def _when(rule: ModifierRule) -> str:
    parts = [WHEN_LABELS.get((k, v), f"{k} = {v}") for k, v in rule.when]
    return "; ".join(parts)


def _adds(rule: ModifierRule) -> str:
    if rule.kind == "not-reportable":
        return "not billed"
    if not rule.add:
        return "—"
    text = ", then ".join(f"**{m}**" for m in rule.add)
    if rule.with_abn:
        text += " (+ " + ", ".join(f"**{m}**" for m in rule.with_abn) + " with an ABN)"
    return text


def _rule_title(rule: ModifierRule) -> str:
    """The rule's title (placeholders in words), its id, and an anchor: #rule-<id>."""
    title = cell(fill(rule.title, code="the code", payer="the payer"))
    return f'<span id="rule-{rule.id}"></span>{title} <br><small>`{rule.id}`</small>'


def _rule_row(rule: ModifierRule) -> list[str]:
    applies = (
        _refs(rule.codes)
        if rule.codes
        else "every line"
        if rule.kind == "constraint"
        else "the visit"
    )
    if rule.with_:
        applies += f", billed with {_refs(rule.with_).replace(', ', ' or ')}"
    condition = _when(rule)
    if condition:
        applies += f"; when {condition}"
    if rule.period.dated:
        applies += f"; dates of service {rule.period.describe()}"
    return [
        _rule_title(rule),
        cell(applies),
        cell(_payers_of(rule)),
        _adds(rule),
        badge(rule.confidence),
        f"{cited(rule.cite)} {reviewed(rule.reviewed.isoformat())}",
    ]


RULE_HEADERS = ["Rule", "Applies to", "Payers", "Modifiers, in order", "Confidence", "Source"]
MODIFIER_KINDS = ("modifier", "exclusion", "not-reportable", "constraint")


def help_sheet_rules() -> str:
    """The modifier rules that decide a claim line (anchor per rule: #rule-<id>)."""
    book = load_modifier_rules()
    rows = [_rule_row(r) for r in book.rules if r.kind in MODIFIER_KINDS]
    return "\n".join(
        [
            header("calc/data/modifier_rules.toml"),
            "",
            wide_table("Modifier rules"),
            "",
            table(RULE_HEADERS, rows),
            "",
            "</div>",
            "",
        ]
    )


def help_sheet_notes() -> str:
    """The rules that add no modifier: warnings, notes, limits and background facts."""
    book = load_modifier_rules()
    rows = [
        [
            _rule_title(r),
            cell(fill(r.text, code="the code", payer="the payer", count="more", triggers=["CMT"])),
            badge(r.confidence),
            f"{cited(r.cite)} {reviewed(r.reviewed.isoformat())}",
        ]
        for r in book.rules
        if r.kind not in MODIFIER_KINDS
    ]
    return "\n".join(
        [
            header("calc/data/modifier_rules.toml"),
            "",
            wide_table("Other rules"),
            "",
            table(["Rule", "What it says", "Confidence", "Source"], rows),
            "",
            "</div>",
            "",
        ]
    )


def modifier_order() -> str:
    """The order modifiers go on a claim line."""
    order = load_modifier_rules().order
    sequence = " → ".join(f"**{m}**" for m in order.modifiers)
    return "\n".join(
        [
            header("calc/data/modifier_rules.toml ([order])"),
            "",
            f"Order on a claim line: {sequence}. {badge(order.confidence)}",
            "",
            cell(order.text),
            "",
            f"<small>Source: {cited(order.cite)}; reviewed {order.reviewed.isoformat()}.</small>",
            "",
        ]
    )


def card_modifiers() -> str:
    """The quick reference card's table: 97112's modifiers per payer, from the claim builder."""
    rows = []
    for payer in load_payers():
        cells = [cell(payer.name)]
        for codes in ([SAMPLE_CMT, "97112"], [SAMPLE_EM, "97112"]):
            claim = _sample_claim(payer.id, codes)
            line = next(line for line in claim.lines if line.code == "97112")
            cells.append(f"`{_line(line)}`")
        cells[0] = _marked(cells[0], _payer_confidence(payer))
        rows.append(cells)
    return "\n".join(
        [
            header("calc/claim.py run on calc/data/*.toml"),
            "",
            table(["Payer (chiropractor)", "97112 with CMT", "97112 with E/M"], rows),
            "",
        ]
    )


def lines_by_payer() -> str:
    """The policy page's tabs: for 97112 with CMT, and with an E/M only, each line the
    claim builder writes and the payers it writes it for (a chiropractor, active care, a
    different region than the CMT)."""
    tabs = []
    for title, codes in (
        ("CMT on the same day", [SAMPLE_CMT, "97112"]),
        ("E/M only, no CMT", [SAMPLE_EM, "97112"]),
    ):
        groups: dict[str, list[str]] = {}
        for payer in load_payers():
            line = next(x for x in _sample_claim(payer.id, codes).lines if x.code == "97112")
            groups.setdefault(_line(line), []).append(cell(payer.name))
        rows = [f"    - `{line}`: {', '.join(names)}." for line, names in groups.items()]
        tabs += [f'=== "{title}"', "", *rows, ""]
    return "\n".join([header("calc/claim.py run on calc/data/*.toml"), "", *tabs])
