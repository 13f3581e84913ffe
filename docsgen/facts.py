"""Facts in prose: the words a sentence or a heading needs from the rule book, rendered
from the data so a page never types them a second time.

``<!-- fact: ID -->`` puts in a short phrase, with no badge or source (the sentence
around it, or a rule shortcode beside it, cites the rule). The ids:

- ``payers/FLAG`` (``/or``): the payers a profile flag names, as a list;
  ``payers/ID/name``: a payer's name;
- ``codes/CATEGORY``: its codes, runs as ranges; ``codes/CODE/timing``: timed or
  untimed; ``codes/untimed-kinds``: the kinds of untimed code, in words;
- ``units/unit-minutes``, ``units/minimum-minutes``, ``units/chart-start``,
  ``units/long-day``: the unit chart's numbers and the long-day warning;
- ``modifier_rules/ID``: a rule's title; ``/adds``: its modifiers in order; ``/line``:
  the line it writes; ``/codes``: its codes; ``/limit``: its limit in words;
- ``checklists/GROUP``: a checklist group's items as one sentence; ``/card``: their
  few words for the quick reference card; ``/title``: its title;
  ``checklists/ITEM/note``: an item's note;
- ``dates/first-year``, ``dates/last-year``: the years a date of service may have;
  ``rulebook/change-window``: how near a change is named in an answer (rulebook.toml);
- ``ncci_pairs/caveat``: how the NCCI edits were read;
- ``inputs/yes-no``: the yes/no words a link may use (calc.inputs);
- ``scenarios/strict-order``: the modifier orders training grades.

``docsgen.citations`` writes them into ``citations.json`` beside the rule and source
ids; ``docsgen.shortcodes`` puts them in.

>>> facts = fact_phrases()
>>> facts["codes/cmt"], facts["codes/97112/timing"], facts["units/minimum-minutes"]
('98940–98943', 'timed', '8')
>>> facts["modifier_rules/hns-59-gp-with-cmt/line"]
'97112-59-GP'
>>> facts["modifier_rules/hns-initial-phase-two-therapies/limit"]
'two'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from calc.codes import load_codes
from calc.dates import FIRST_YEAR, LAST_YEAR, load_rulebook_dates
from calc.documentation import load_checklists
from calc.inputs import NO_WORDS, YES_WORDS
from calc.modifiers import ModifierRule, fill, load_modifier_rules
from calc.ncci import load_ncci_pairs
from calc.payers import PAYER_FLAGS, Payer, load_payers
from calc.training import load_scenarios
from calc.units import LONG_DAY_MINUTES, UNIT_MINUTES, chart_row

#: Untimed kinds of code in words, plural, in the order a biller meets them (codes.toml
#: categories; presentation only). A category missing here fails the build.
UNTIMED_KINDS = {
    "cmt": "CMT",
    "em": "E/M",
    "supervised-modality": "supervised modalities",
    "group-therapy": "group therapy",
    "evaluation": "evaluations",
    "unlisted": "unlisted codes",
}

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def in_words(n: int) -> str:
    """A small count as a word, a larger one in digits.

    >>> in_words(2), in_words(12)
    ('two', '12')
    """
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def listed(words: Sequence[str], last: str = "and") -> str:
    """Words joined as a sentence lists them.

    >>> listed(["Blue Cross NC", "MedCost", "any other plan"])
    'Blue Cross NC, MedCost and any other plan'
    >>> listed(["59"])
    '59'
    """
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def payer_in_list(payer: Payer) -> str:
    """A payer's name inside a list: a catch-all profile ("Other ...") reads "any other ...".

    >>> from calc.payers import load_payers
    >>> payer_in_list(load_payers().require("zelis"))
    'any other plan that uses Zelis edits'
    """
    name = payer.name
    return f"any {name[0].lower()}{name[1:]}" if name.startswith("Other ") else name


def code_ranges(codes: Iterable[str]) -> str:
    """Codes in order, a run of three or more consecutive numbers written as a range.

    >>> code_ranges(["99202", "99203", "99204", "99205", "99211", "99212", "G0283", "97039"])
    '97039, 99202–99205, 99211, 99212, G0283'
    """
    numbers = sorted(int(c) for c in codes if c.isdigit())
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    return ", ".join([*parts, *sorted(c for c in codes if not c.isdigit())])


def _payers() -> Iterator[tuple[str, str]]:
    payers = load_payers()
    for flag in PAYER_FLAGS:
        names = [payer_in_list(p) for p in payers if p.has_flag(flag)]
        yield f"payers/{flag}", listed(names)
        yield f"payers/{flag}/or", listed(names, "or")
    for payer in payers:
        yield f"payers/{payer.id}/name", payer.name


def _codes() -> Iterator[tuple[str, str]]:
    codes = list(load_codes())
    for category in dict.fromkeys(c.category for c in codes):
        yield f"codes/{category}", code_ranges([c.code for c in codes if c.category == category])
    for c in codes:
        yield f"codes/{c.code}/timing", "timed" if c.timed else "untimed"
    untimed = {c.category for c in codes if c.billable and not c.timed}
    unknown = untimed - set(UNTIMED_KINDS)
    if unknown:
        raise AssertionError(f"docsgen.facts.UNTIMED_KINDS lacks {sorted(unknown)}")
    yield "codes/untimed-kinds", listed([w for k, w in UNTIMED_KINDS.items() if k in untimed])


def _dates() -> Iterator[tuple[str, str]]:
    yield "dates/first-year", str(FIRST_YEAR)
    yield "dates/last-year", str(LAST_YEAR)
    yield "rulebook/change-window", f"{load_rulebook_dates().change_window_days} days"


def _inputs() -> Iterator[tuple[str, str]]:
    pairs = [f"`{yes}`/`{no}`" for yes, no in zip(YES_WORDS, NO_WORDS, strict=False) if no]
    yield "inputs/yes-no", listed(pairs, "or")


def _ncci() -> Iterator[tuple[str, str]]:
    yield "ncci_pairs/caveat", " ".join(load_ncci_pairs().caveat.split())


def _units() -> Iterator[tuple[str, str]]:
    yield "units/unit-minutes", str(UNIT_MINUTES)
    yield "units/minimum-minutes", str(chart_row(1)[0])
    rows = [chart_row(n) for n in (1, 2, 3)]
    yield (
        "units/chart-start",
        f"{rows[0][0]}–{rows[0][1]} minutes are 1 unit, "
        f"{rows[1][0]}–{rows[1][1]} are 2, {rows[2][0]}–{rows[2][1]} are 3",
    )
    hours, rest = divmod(LONG_DAY_MINUTES, 60)
    yield "units/long-day", f"{hours} hours" if not rest else f"{LONG_DAY_MINUTES} minutes"


def adds(rule: ModifierRule) -> str:
    """The modifiers a rule adds, in claim order, and those it adds with an ABN (for an
    excluded service, the patient's voluntary ABN).

    >>> adds(load_modifier_rules().get("medicare-dc-therapy-excluded"))
    'GP, then GY (GX too after a voluntary ABN)'
    """
    text = ", then ".join(rule.add)
    if rule.with_abn:
        abn = "a voluntary ABN" if rule.kind == "exclusion" else "an ABN"
        text += f" ({listed(list(rule.with_abn))} too after {abn})"
    return text


def _rules() -> Iterator[tuple[str, str]]:
    for rule in load_modifier_rules().rules:
        key = f"modifier_rules/{rule.id}"
        yield key, fill(rule.title, code="the code", payer="the payer")
        if rule.add:
            yield f"{key}/adds", adds(rule)
            concrete = [c for c in rule.codes if c.isdigit()]
            if concrete and len(concrete) == len(rule.codes) > 1:
                yield f"{key}/codes", code_ranges(concrete)
            if len(rule.codes) == 1 and rule.codes[0].isdigit():
                yield f"{key}/line", "-".join([rule.codes[0], *rule.add])
        if rule.limit is not None:
            yield f"{key}/limit", in_words(rule.limit)


def _checklists() -> Iterator[tuple[str, str]]:
    book = load_checklists()
    for group in book.groups:
        items = [i for i in book.items if i.group == group.id]
        texts = [i.text.rstrip(".") for i in items]
        yield f"checklists/{group.id}", "; ".join(t[0].lower() + t[1:] for t in texts)
        yield f"checklists/{group.id}/title", group.title
        for item in items:
            if item.note:
                yield f"checklists/{item.id}/note", item.note
        cards = [i.card for i in items if i.card]
        if cards:
            yield f"checklists/{group.id}/card", "; ".join(cards)


def _training() -> Iterator[tuple[str, str]]:
    pairs = [f"{o.first} before {o.then}" for o in load_scenarios().strict_order]
    yield "scenarios/strict-order", listed(pairs)


def fact_phrases() -> dict[str, str]:
    """Every fact id and the phrase it renders to."""
    found: dict[str, str] = {}
    for key, text in (
        *_payers(),
        *_codes(),
        *_dates(),
        *_inputs(),
        *_ncci(),
        *_units(),
        *_rules(),
        *_checklists(),
        *_training(),
    ):
        if key in found:
            raise AssertionError(f"two facts have the id {key!r}")
        found[key] = text
    return dict(sorted(found.items()))
