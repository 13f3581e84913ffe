"""How fast the units engine allocates random visits in CPython (a measurement, not a test).

    .venv/bin/python bench/units_bench.py [VISITS]

Target (issue #8): >= 50,000 visits per second on the project machine (2 cores).
"""

from __future__ import annotations

import random
import sys
import time

from calc.codes import load_codes
from calc.units import Entry, allocate, compute_units


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rnd = random.Random(97112)
    timed = [c.code for c in load_codes() if c.timed]
    visits = [
        [Entry(code, rnd.randint(0, 60)) for code in rnd.sample(timed, rnd.randint(1, 6))]
        for _ in range(count)
    ]
    codes = load_codes()
    minutes = [[e.minutes or 0 for e in visit] for visit in visits]

    start = time.perf_counter()
    for m in minutes:
        allocate(m)
    elapsed = time.perf_counter() - start
    report("allocation only (calc.units.allocate)", count, elapsed)

    start = time.perf_counter()
    for visit in visits:
        compute_units(visit, "cms", codes)
    elapsed = time.perf_counter() - start
    report("explained result (calc.units.compute_units)", count, elapsed)


def report(what: str, count: int, elapsed: float) -> None:
    print(
        f"{what}: {count:,} visits of 1–6 timed codes (CMS) in {elapsed:.2f} s = "
        f"{count / elapsed:,.0f} visits/s (Python {sys.version.split()[0]})"
    )


if __name__ == "__main__":
    main()
