"""A generated claim-lines file with planted errors of every kind, and what to expect.

    .venv/bin/python bench/audit_file.py VISITS OUT.csv [--seed N]

Clean visits come from a few templates whose correct claim is written out by hand here
(not computed by the engine), each checked against its source:

- HNS CPT 97112 policy: 97112 billed with a CMT code gets 59 then GP (Blue Cross NC);
  an E/M with CMT takes 25; a commercial plan without HNS's GP rule gets 59 only.
- CMS Pub. 100-04 Ch. 5 §20.2 (the 8-minute rule): 23–37 min → 2 units, 8–22 → 1,
  38–52 → 3; 15 + 15 min of two codes → 30 min → 2 units, one each.
- Medicare Part B (42 CFR 410.21(b)): 97112 by a chiropractor is excluded (GP, GY);
  active CMT takes AT.
- CMS MUE table: 97112 at most 4 units per day (MAI 3).

Each planted error changes one clean visit in one way and names the one finding the
audit must report for it (:data:`PLANTS`); a patient with three visits that each bill
two therapies gets the trend reminder. Used by ``tests/test_audit_planted.py``, the
browser test and ``bench/audit_bench.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

HEADER = (
    "visit_id,patient_id,dos,payer,provider,code,minutes,units,modifiers,"
    "same_region,separate_encounter,phase,maintenance,abn"
)


@dataclass(frozen=True)
class Line:
    code: str
    minutes: tuple[int, int] | None  # a range that keeps the units below unchanged
    units: int
    modifiers: str


@dataclass(frozen=True)
class Template:
    name: str
    payer: str
    lines: tuple[Line, ...]
    provider: str = "dc"
    phase: str = ""
    same_region: str = ""
    therapies: int = 0  # therapies or modalities billed (for the trend check)
    dos: dt.date | None = None  # a fixed date of service (else the plan's)


CMT_97112 = Template(
    "cmt+97112",
    "bcbsnc",
    (Line("98941", None, 1, ""), Line("97112", (23, 37), 2, "59-GP")),
    therapies=1,
)
TEMPLATES = (
    CMT_97112,
    Template(
        "cmt+97112 short",
        "bcbsnc",
        (Line("98940", None, 1, ""), Line("97112", (8, 22), 1, "59,GP")),
        therapies=1,
    ),
    Template(
        "commercial",
        "commercial",
        (Line("98941", None, 1, ""), Line("97112", (38, 52), 3, "59")),
        therapies=1,
    ),
    Template(
        "em+cmt+97112",
        "bcbsnc",
        (
            Line("99213", None, 1, "25"),
            Line("98941", None, 1, ""),
            Line("97112", (23, 37), 2, "59-GP"),
        ),
        therapies=1,
    ),
    Template("medicare cmt", "medicare", (Line("98941", None, 1, "AT"),)),
    Template("97112 alone", "bcbsnc", (Line("97112", (23, 37), 2, ""),), therapies=1),
    Template(
        "two therapies",
        "bcbsnc",
        (
            Line("98941", None, 1, ""),
            Line("97112", (15, 15), 1, "59-GP"),
            Line("97110", (15, 15), 1, ""),
        ),
        therapies=2,
    ),
    Template(
        "three therapies, ongoing",
        "bcbsnc",
        (
            Line("97112", (15, 15), 1, ""),
            Line("97110", (15, 15), 1, ""),
            Line("97530", (15, 15), 1, ""),
        ),
        phase="ongoing",
        therapies=3,
    ),
    Template(
        "medicare pt",
        "medicare",
        (Line("97112", (23, 37), 2, "GP"),),
        provider="pt",
        therapies=1,
    ),
)
TWO_THERAPIES = TEMPLATES[6]


def _set(t: Template, code: str, **change: object) -> Template:
    return replace(t, lines=tuple(replace(x, **change) if x.code == code else x for x in t.lines))  # type: ignore[arg-type]


#: kind of finding -> (the visit that plants it, the code the finding names)
PLANTS: dict[str, tuple[Callable[[], Template], str]] = {
    "units-over": (lambda: _set(CMT_97112, "97112", units=3), "97112"),
    "units-under": (lambda: _set(CMT_97112, "97112", units=1), "97112"),
    "modifier-missing": (lambda: _set(CMT_97112, "97112", modifiers="59"), "97112"),
    "modifier-extra": (lambda: _set(CMT_97112, "98941", modifiers="59"), "98941"),
    "modifier-order": (lambda: _set(CMT_97112, "97112", modifiers="GP-59"), "97112"),
    "59-on-em": (lambda: _set(TEMPLATES[3], "99213", modifiers="25-59"), "99213"),
    "59-same-region": (lambda: replace(CMT_97112, same_region="yes"), "97112"),
    "not-reportable": (
        lambda: _set(replace(CMT_97112, same_region="yes"), "97112", modifiers="GP"),
        "97112",
    ),
    "not-billable": (
        lambda: replace(CMT_97112, lines=(*CMT_97112.lines, Line("97039", None, 1, ""))),
        "97039",
    ),
    "not-covered": (
        lambda: Template("medicare 97112", "medicare", (Line("97112", (23, 37), 2, "GP-GY"),)),
        "97112",
    ),
    "initial-phase-therapies": (lambda: replace(TEMPLATES[7], phase="initial"), "97112"),
    # CMS MUE table: 97112 at most 4 units a day (MAI 3); 68–82 min → 5 units
    "units-over-mue": (lambda: _set(CMT_97112, "97112", minutes=(68, 82), units=5), "97112"),
    # before calc/data/rulebook.toml's covered_from (2024-01-01), billed as the rules give
    "dos-not-covered": (lambda: replace(CMT_97112, dos=dt.date(2023, 6, 5)), ""),
}
TREND = "therapies-not-decreasing"


@dataclass(frozen=True)
class Expected:
    visit_id: str
    kind: str
    code: str


def generate(
    visits: int, *, seed: int = 97112, planted_every: int = 100
) -> tuple[Iterator[str], list[Expected]]:
    """CSV lines (header first) for about ``visits`` visits, and the findings to expect.

    Every ``planted_every``-th visit is planted with the next kind of error in turn;
    every ``planted_every``-th patient (offset by half) gets three visits of two
    therapies each (the trend reminder). Other patients have one or two visits.
    """
    rnd = random.Random(seed)
    expected: list[Expected] = []
    kinds = list(PLANTS)
    start = dt.date(2026, 1, 5)
    plan: list[tuple[str, str, dt.date, Template]] = []
    n = patient = 0
    while n < visits:
        patient += 1
        pid = f"P{patient:07d}"
        day = start + dt.timedelta(days=rnd.randrange(300))
        if patient % planted_every == planted_every // 2:
            chosen = [TWO_THERAPIES] * 3
        else:
            chosen = [rnd.choice(TEMPLATES) for _ in range(rnd.choice((1, 1, 2)))]
            # a patient's later visit never bills more therapies than the first
            chosen.sort(key=lambda t: -t.therapies)
        for i, template in enumerate(chosen):
            n += 1
            vid = f"V{n:08d}"
            if n % planted_every == 0 and len(chosen) == 1:
                kind = kinds[(n // planted_every) % len(kinds)]
                make, code = PLANTS[kind]
                template = make()
                expected.append(Expected(vid, kind, code))
            plan.append((vid, pid, template.dos or day + dt.timedelta(days=7 * i), template))
        if len(chosen) == 3:
            expected.append(Expected(f"V{n:08d}", TREND, ""))
    return _lines(plan, rnd), expected


def _lines(plan: list[tuple[str, str, dt.date, Template]], rnd: random.Random) -> Iterator[str]:
    yield HEADER
    for vid, pid, day, t in plan:
        for x in t.lines:
            minutes = "" if x.minutes is None else str(rnd.randint(*x.minutes))
            modifiers = f'"{x.modifiers}"' if "," in x.modifiers else x.modifiers
            yield (
                f"{vid},{pid},{day.isoformat()},{t.payer},{t.provider},{x.code},{minutes},"
                f"{x.units},{modifiers},{t.same_region},,{t.phase},,"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("visits", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=97112)
    args = parser.parse_args()
    lines, expected = generate(args.visits, seed=args.seed)
    count = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")
            count += 1
    print(f"{args.out}: {count - 1} lines, {len(expected)} planted findings")


if __name__ == "__main__":
    main()
