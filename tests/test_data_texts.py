"""The data's own words (training scenarios, checklist items, the modifier rules', payer
profiles', codes', the engine's statements and the linking contract's) restate another
file's facts only where the exercise, the item or the message needs them, and then they
say what the data says: each date in the covered range, unit count, chart row,
threshold, limit, modifier order, code range, payer list and MUE in those texts is read
back and compared with the rule book, so a change to the data fails here until the words
follow.

The scenarios' words stay words: the training page shows them from the engine in the
browser, where no build step could put in a rule-book phrase."""

from __future__ import annotations

import re

import pytest

from calc.codes import load_codes
from calc.dates import load_rulebook_dates
from calc.documentation import load_checklists
from calc.modifiers import load_modifier_rules
from calc.mue import load_mue
from calc.payers import load_payers
from calc.statements import load_statements
from calc.training import load_scenarios
from calc.units import UNIT_MINUTES, chart_row, chart_units
from docsgen.facts import NUMBER_WORDS, in_words
from docsgen.linking import load_contract
from tests.test_docsgen_shortcodes import _dated_facts, _payers_named

MODIFIER = r"(59|XS|XE|GP|GY|GX|25|AT|GA|GZ|KX)"


def _texts() -> list[tuple[str, str]]:
    """Every text of the scenarios and the checklists, named by where it is."""
    book = load_scenarios()
    texts = [
        (f"scenario {s.id} {part}", str(getattr(s, part)))
        for s in book.scenarios
        for part in ("title", "story", "learning_point")
    ]
    texts += [(f"strict_order {o.first}/{o.then}", o.text) for o in book.strict_order]
    texts += [(f"tag {t.id}", f"{t.title} | {t.section}") for t in book.tags]
    checklists = load_checklists()
    texts += [
        (f"checklist item {i.id} {part}", str(getattr(i, part) or ""))
        for i in checklists.items
        for part in ("text", "help", "note")
    ]
    texts += [(f"checklist group {g.id}", f"{g.title} | {g.intro}") for g in checklists.groups]
    for rule in load_modifier_rules().rules:
        texts += [(f"modifier rule {rule.id}", f"{rule.title} | {rule.text} | {rule.action}")]
    texts += [("modifier order", load_modifier_rules().order.text)]
    for payer in load_payers():
        words = [*payer.notes, *payer.verify, *(n.text for n in payer.code_notes)]
        for part in payer.periods:
            words += [part.change or "", *(part.notes or ()), *(part.verify or ())]
        texts += [(f"payer {payer.id}", " | ".join(words))]
    texts += [(f"code {c.code}", f"{c.name} | {c.notes}") for c in load_codes()]
    texts += [(f"statement {s.id}", f"{s.title} | {s.text}") for s in load_statements()]
    for calc in load_contract()["calculator_links"]:  # the wiki's linking contract
        words = list(calc["params"].values())
        for example in calc["examples"]:  # its link's date of service is input, not a fact
            dos = re.findall(r"dos=([\d-]+)", example["link"])
            words.append(example["what"].replace(dos[0], "") if dos else example["what"])
        texts += [(f"linking contract {calc['url']}", " | ".join(words))]
    return texts


def _limit() -> int:
    limit = load_modifier_rules().get("hns-initial-phase-two-therapies").limit
    assert limit is not None
    return limit


def _pairs_in_order() -> set[tuple[str, str]]:
    """Two modifiers one after the other on a line, as the rules add them or training grades."""
    pairs = {(o.first, o.then) for o in load_scenarios().strict_order}
    for rule in load_modifier_rules().rules:
        pairs |= set(zip(rule.add, rule.add[1:], strict=False))
    return pairs


def _code_ranges() -> set[str]:
    """The runs of codes the data holds: a category's, or the codes a rule is about."""
    from docsgen.facts import fact_phrases

    return {
        part
        for key, phrase in fact_phrases().items()
        if key.startswith("codes/") or key.endswith("/codes")
        for part in phrase.split(", ")
    }


def _disagreements(text: str) -> list[str]:
    """What a text says that the rule book does not."""
    wrong = []
    dates = _dated_facts()
    first = load_rulebook_dates().covered_from.isoformat()  # before it: history, no rule
    days = re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text)
    wrong += [f"date {d}" for d in days if d not in dates and d >= first]
    for low, high in re.findall(r"\b(\d+)–(\d+) minutes", text):
        if chart_row(chart_units(int(low))) != (int(low), int(high)):
            wrong.append(f"chart row {low}–{high}")
    charted = r"\b(\d+) minutes(?: is| are| make|:)(?: only)? (\d+) units?\b"
    for minutes, units in re.findall(charted, text):
        if chart_units(int(minutes)) != int(units):
            wrong.append(f"{minutes} minutes → {units} units")
    threshold = (
        r"(?<!well )\b(?:under|less than|reach(?:es)?|below)\s+(\d+)\s+minutes"
        r"|(\d+)-minute mid-point"
    )
    for found in re.findall(threshold, text, re.IGNORECASE):
        if int(found[0] or found[1]) != chart_row(1)[0]:
            wrong.append(f"threshold {found}")
    for unit in re.findall(r"\b(\d+)-minute units?\b", text):
        if int(unit) != UNIT_MINUTES:
            wrong.append(f"{unit}-minute units")
    for word in re.findall(r"(?:more than|at most)\s+(\w+)\s+therap", text, re.IGNORECASE):
        if word != in_words(_limit()):
            wrong.append(f"limit {word}")
    pair = rf"\b{MODIFIER}\s+(?:and|then|\+|first, followed by|before)\s+{MODIFIER}\b(?! together)"
    in_order = _pairs_in_order()
    wrong += [f"order {a}/{b}" for a, b in re.findall(pair, text) if (a, b) not in in_order]
    for code, value, mai in re.findall(r"MUE for (\w+) is (\d+) units per day \(MAI (\d)\)", text):
        limit = load_mue().limit(code)
        if limit is None or (limit.value, limit.mai) != (int(value), int(mai)):
            wrong.append(f"MUE {code} {value} (MAI {mai})")
    for part in re.findall(r"\b\d{5}–\d{5}\b", text):
        low, high = part.split("–")
        if load_codes().get(low) and load_codes().get(high) and part not in _code_ranges():
            wrong.append(f"codes {part}")
    named = _payers_named(text, "hns_59_gp_with_cmt")
    flagged = {p.id for p in load_payers() if p.has_flag("hns_59_gp_with_cmt")}
    if len(named) >= 3 and named != flagged:
        wrong.append(f"the 59-then-GP payers: {sorted(named)}")
    return wrong


def test_the_texts_say_what_the_rule_book_says() -> None:
    found = [f"{where}: {what}" for where, text in _texts() for what in _disagreements(text)]
    assert not found, "a text disagrees with the rule book:\n" + "\n".join(found)


def test_the_checklist_limit_is_the_modifier_rules_limit() -> None:
    """The documentation review and the claim builder count therapies against one limit."""
    item = load_checklists().item("initial-phase-two-therapies")
    rule = load_modifier_rules().get("hns-initial-phase-two-therapies")
    assert item.limit == rule.limit == _limit()
    assert f"no more than {in_words(_limit())} therapies" in item.text
    assert f"no more than {in_words(_limit())} therapies" in rule.text


def test_a_checklist_groups_title_counts_its_items() -> None:
    """A group's title that counts ("The three clinical checks") counts its items."""
    book = load_checklists()
    for group in book.groups:
        count = sum(1 for i in book.items if i.group == group.id)
        for word in NUMBER_WORDS[1:]:
            if re.search(rf"\b{word}\b", group.title, re.IGNORECASE):
                assert word == in_words(count), (group.id, group.title, count)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("The plan's administrator changed on 2025-01-02.", "date 2025-01-02"),
        ("From 2024-06-30, 97112 needs GP.", "date 2024-06-30"),
        ("97112 to 97140 (98940–98942, 99211–99214)", "codes 99211–99214"),
        ("28 minutes is 2 units (23–38 minutes).", "chart row 23–38"),
        ("40 minutes is 2 units.", "40 minutes → 2 units"),
        ("It ran under 9 minutes.", "threshold"),
        ("More than three therapies in the initial phase.", "limit three"),
        ("97112 gets GP and 59.", "order GP/59"),
        ("CMS's MUE for 97112 is 5 units per day (MAI 3).", "MUE 97112 5 (MAI 3)"),
        ("only for the plans HNS names (BCBSNC, SHP, MedCost)", "the 59-then-GP payers"),
    ],
)
def test_a_text_that_drifted_from_the_data_is_caught(text: str, what: str) -> None:
    assert any(w.startswith(what) for w in _disagreements(text)), _disagreements(text)
