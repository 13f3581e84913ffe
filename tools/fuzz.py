"""The long hypothesis round of issue 16 (not run in CI, which keeps a short profile).

    python tools/fuzz.py [MINUTES]      (default 10)

Runs the property tests of tests/test_hostile.py (call() with arbitrary nested Python
values, call_json() with arbitrary text) for as many examples as fit in the time given,
split between them, and prints what they found: nothing, or the failing example.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: import calc and the tests from this checkout
    sys.path.insert(0, str(ROOT))

from tests import test_hostile  # noqa: E402

PROPERTIES = [
    ("call() with any Python value", test_hostile.check_any_call, test_hostile.REQUESTS),
    ("call_json() with any text", test_hostile.check_any_text, test_hostile.TEXTS),
]


def main(argv: list[str]) -> int:
    minutes = float(argv[0]) if argv else 10.0
    share = minutes * 60 / len(PROPERTIES)
    failed = 0
    for title, check, requests in PROPERTIES:
        deadline = time.monotonic() + share
        examples = 0
        found = None
        while time.monotonic() < deadline and found is None:
            run = settings(
                max_examples=1_000,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )(given(test_hostile.NAMES, requests)(check))
            try:
                run()
            except Exception as exc:  # hypothesis printed the shrunk example above
                found = exc
            examples += 1_000
        if found is None:
            print(f"{title}: nothing found in about {examples:,} examples ({share / 60:.1f} min)")
        else:
            failed += 1
            print(f"{title}: FOUND {found!r}"[:3000])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
