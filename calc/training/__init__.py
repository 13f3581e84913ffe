"""Training: practice visits whose answers the engine computes, and grading.

The scenarios live in ``calc/data/scenarios.toml``: each holds the facts of a visit as
an engine request (the same object the calculators send to :mod:`calc.api`), a story,
the learning point and its source, never the answer.

- :mod:`calc.training.scenarios`  the data as written, and the facts a trainee reads
- :mod:`calc.training.key`  the engine's answer to each scenario (:func:`answer_key`);
  the shipped scenarios, loaded and checked against the engine
- :mod:`calc.training.grading`  a trainee's attempt against that answer, every mark
  explained (:func:`grade`)

The trainer's key as Markdown is presentation: :mod:`calc.trainer_key`, outside the
browser's wheel.

>>> answer = answer_key(scenario("bcbsnc-cmt-97112"))
>>> [line.display for line in answer.billed]
['98941 × 1', '97112-59-GP × 2']
"""

from calc.training.grading import Grade, ItemMark, LineMark, grade
from calc.training.key import (
    Answer,
    answer_key,
    load_scenarios,
    parse_scenarios,
    scenario,
    scenario_dict,
)
from calc.training.scenarios import (
    DATA_FILE,
    ITEM_KINDS,
    POSED_KEYS,
    SCENARIO_KEYS,
    Scenario,
    codes_of,
    facts,
)

__all__ = [
    "DATA_FILE",
    "ITEM_KINDS",
    "POSED_KEYS",
    "SCENARIO_KEYS",
    "Answer",
    "Grade",
    "ItemMark",
    "LineMark",
    "Scenario",
    "answer_key",
    "codes_of",
    "facts",
    "grade",
    "load_scenarios",
    "parse_scenarios",
    "scenario",
    "scenario_dict",
]
