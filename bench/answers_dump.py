"""Dump ``calc.api.call`` answers for a fixed set of requests, one JSON line each, so a
refactoring can be checked byte for byte (run before and after, then ``cmp``).

    .venv/bin/python bench/answers_dump.py > /tmp/before.jsonl
    (change the code)
    .venv/bin/python bench/answers_dump.py > /tmp/after.jsonl
    cmp /tmp/before.jsonl /tmp/after.jsonl

To dump another tree (e.g. ``git archive main | tar -x -C /tmp/base``), copy this file
into its ``bench/`` and run it there with ``python -S`` (calc is stdlib only; ``-S``
keeps the virtual environment's editable install of this tree out of the way).

Source texts change by design when the source registry's rendering changes (#13):
``--no-source-text`` writes every source text (the ``source`` and ``sources`` fields of
any answer, and a training tag's ``section``) as ``"…"``, so everything else can still
be compared byte for byte; and
``--source-pairs BEFORE AFTER`` reads two full dumps of the same requests and prints each
distinct old → new source text once, for a person to read:

    python -S bench/answers_dump.py --no-source-text > after-normalised.jsonl
    python -S bench/answers_dump.py --source-pairs before.jsonl after.jsonl > pairs.txt

The requests: the golden cases in ``tests/golden/``, every training scenario (its
request, its answer key through ``scenarios``, and a right and an empty attempt through
``grade``), every listing call, a small audit file, and ``--count`` (default 3,000)
requests generated from ``--seed`` (default 13), each with a pinned ``dos`` (the clock
is never read).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calc.api import call  # noqa: E402

DATES = ("2024-03-01", "2024-12-01", "2025-06-30", "2026-01-15", "2026-12-04")
TIMED = ("97112", "97110", "97140", "97116", "97530", "97124", "97035", "97032")
UNTIMED = ("97010", "97150", "98940", "98941", "98943", "99213", "99203", "G0283", "97014")
WRONG = ("9711X", "", "97112:-3", "97112:abc")  # a few bad lines: errors must not move either
PAYERS = ("bcbsnc", "nc-shp", "medcost", "zelis", "commercial", "uhc", "medicare")
FACTS = ("", "", "", ":same-region", ":separate-encounter")
AUDIT_CSV = (
    "visit_id,patient_id,dos,payer,provider,code,minutes,units,modifiers,same_region,separate_encounter,phase,maintenance,abn\n"
    "C1001,PT-0001,2026-01-05,bcbsnc,dc,99203,,1,25,,,initial,,\n"
    "C1001,PT-0001,2026-01-05,bcbsnc,dc,98941,,1,,,,initial,,\n"
    "C1001,PT-0001,2026-01-05,bcbsnc,dc,97112,23,2,59-GP,no,,initial,,\n"
    "C1002,PT-0001,2026-01-12,bcbsnc,dc,98941,,1,,,,initial,,\n"
    "C1002,PT-0001,2026-01-12,bcbsnc,dc,97112,15,1,59-GP,no,,initial,,\n"
    "C1002,PT-0001,2026-01-12,bcbsnc,dc,97110,15,1,,no,,initial,,\n"
    "C1003,PT-0002,2026-01-05,commercial,dc,98941,,1,,,,ongoing,,\n"
)


def _lines(rng: random.Random, facts: bool) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.03:
            parts.append(rng.choice(WRONG))
        elif roll < 0.35:
            parts.append(rng.choice(UNTIMED))
        else:
            minutes = rng.choice((rng.randint(1, 70), rng.randint(1, 9)))
            item = f"{rng.choice(TIMED)}:{minutes}"
            if facts and rng.random() < 0.3:
                item += rng.choice(FACTS)
            parts.append(item)
    return ",".join(parts)


def generated(seed: int, count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    for _ in range(count):
        dos = rng.choice(DATES)
        if rng.random() < 0.35:
            yield (
                "units",
                {
                    "lines": _lines(rng, False),
                    "method": rng.choice(("cms", "per-code")),
                    "dos": dos,
                },
            )
            continue
        request: dict[str, Any] = {
            "payer": rng.choice(PAYERS) if rng.random() > 0.02 else "nope",
            "lines": _lines(rng, True),
            "dos": dos,
        }
        for key, values in (
            ("provider", ("dc", "pt")),
            ("phase", ("initial", "ongoing")),
            ("modifier_style", ("59", "x")),
            ("care", ("active", "maintenance")),
            ("method", ("cms", "per-code")),
        ):
            if rng.random() < 0.15:
                request[key] = rng.choice(values)
        for key in ("same_region", "separate_encounter", "cmt_abn", "voluntary_abn", "abn"):
            if rng.random() < 0.08:
                request[key] = rng.random() < 0.7
        yield "claim", request


def _units_cases() -> list[dict[str, Any]]:
    """The worked cases' requests (before #13 step 2 they were tests/golden/units_cms.json:
    the same requests in the same order, so a run on an older tree compares too)."""
    try:
        from calc.cases import load_units_cases
    except ImportError:
        old = json.loads((ROOT / "tests" / "golden" / "units_cms.json").read_text())["cases"]
        return [
            {"lines": ",".join(f"{c}:{m}" for c, m in case["lines"]), "method": case["method"]}
            for case in old
        ]
    return [case.request for case in load_units_cases()]


def fixed() -> Iterator[tuple[str, dict[str, Any]]]:
    for name in ("codes", "checklist", "payers", "rules", "changes", "scenarios"):
        yield name, {}
    yield "changes", {"since": "2025-01-01"}
    yield "due", {"on": "2027-06-01"}
    yield "scenarios", {"answers": False}
    yield "audit", {"csv": AUDIT_CSV}
    golden = ROOT / "tests" / "golden"
    for request in _units_cases():
        for dos in DATES:
            yield "units", {**request, "dos": dos}
    record = json.loads((golden / "documentation_complete.json").read_text())["record"]
    for dos in DATES:
        yield "review", {**record, "dos": dos}
        yield "review", {"minutes": 24, "dos": dos}
    listing = call("scenarios", {})
    for s in listing["scenarios"]:
        yield s["kind"], s["request"]
        yield "scenarios", {"scenario": s["id"]}
        answer = s["answer"]
        if s["kind"] == "review":
            attempts: list[Any] = [
                {"missing": [i["id"] for i in answer["missing"]]},
                {"missing": []},
            ]
        else:
            attempts = [
                {
                    "lines": [
                        {
                            "code": b["code"],
                            "units": b["units"],
                            "modifiers": b.get("modifiers", []),
                        }
                        for b in answer["lines"]
                    ]
                },
                {"lines": []},
            ]
        for attempt in attempts:
            yield "grade", {"scenario": s["id"], "attempt": attempt}
    yield "grade", {"scenario": "nope", "attempt": {"lines": []}}


SOURCE_KEYS = ("source", "sources", "section")  # a training tag's section is a citation
BLANK = "…"


def without_source_text(value: Any) -> Any:
    """The answer with every source text blanked (lists keep their length), and without
    ``source_links`` (the documents those texts name: added with the registry)."""
    if isinstance(value, dict):
        return {
            k: _blank(v) if k in SOURCE_KEYS else without_source_text(v)
            for k, v in value.items()
            if k != "source_links"
        }
    if isinstance(value, list):
        return [without_source_text(v) for v in value]
    return value


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        return BLANK
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [BLANK for _ in value]
    return without_source_text(value)


def _pairs(old: Any, new: Any, found: dict[tuple[str, str], None]) -> None:
    """Collect the (old, new) ``source`` texts at the same places of two answers."""
    if isinstance(old, dict) and isinstance(new, dict):
        for k in old.keys() & new.keys():
            if k in ("source", "section") and isinstance(old[k], str) and isinstance(new[k], str):
                found[(old[k], new[k])] = None
            else:
                _pairs(old[k], new[k], found)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for a, b in zip(old, new, strict=True):
            _pairs(a, b, found)


def source_pairs(before: Path, after: Path) -> dict[tuple[str, str], None]:
    """Every distinct (old, new) pair of source texts between two full dumps."""
    found: dict[tuple[str, str], None] = {}
    with before.open(encoding="utf-8") as b, after.open(encoding="utf-8") as a:
        for old_line, new_line in zip(b, a, strict=True):
            old, new = (json.loads(x.split("\t", 1)[1]) for x in (old_line, new_line))
            _source_lists(old, new, found)
            _pairs(old, new, found)
    return found


def _source_lists(old: Any, new: Any, found: dict[tuple[str, str], None]) -> None:
    """The ``sources`` lists of two answers, item by item (same length) or whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        for k in old.keys() & new.keys():
            a, b = old[k], new[k]
            if k == "sources" and isinstance(a, list) and isinstance(b, list):
                if len(a) == len(b):
                    found.update(dict.fromkeys(zip(map(str, a), map(str, b), strict=True)))
                else:
                    found[(" | ".join(map(str, a)), " | ".join(map(str, b)))] = None
            else:
                _source_lists(a, b, found)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for a, b in zip(old, new, strict=True):
            _source_lists(a, b, found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument(
        "--no-source-text", action="store_true", help="blank every source text (see above)"
    )
    parser.add_argument(
        "--source-pairs",
        nargs=2,
        type=Path,
        metavar=("BEFORE", "AFTER"),
        help="print the distinct old -> new source texts of two full dumps",
    )
    args = parser.parse_args()
    out = sys.stdout
    if args.source_pairs:
        pairs = source_pairs(*args.source_pairs)
        changed = [(a, b) for a, b in pairs if a != b]
        for old, new in changed:
            out.write(f"- {old}\n+ {new}\n\n")
        out.write(f"{len(changed)} distinct changed source texts ({len(pairs)} pairs in all)\n")
        return
    for name, request in [*fixed(), *generated(args.seed, args.count)]:
        answer = call(name, request)
        if args.no_source_text:
            answer = without_source_text(answer)
        # the answer exactly as call_json sends it (key order included)
        asked = json.dumps([name, request], ensure_ascii=False, sort_keys=True)
        out.write(asked + "\t" + json.dumps(answer, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
