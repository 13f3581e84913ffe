"""calc: the CPT 97112 billing rule book as code.

Every number the site shows comes from here. Rules live in ``calc/data/*.toml``
(readable by a compliance person); the modules are pure functions over frozen
dataclasses:

- :mod:`calc.codes`   what each CPT/HCPCS code is (timed or not)
- :mod:`calc.units`   minutes -> 15-minute units (CMS total time, or per code)
- :mod:`calc.payers`  payer profiles (units method, modifier style, verify marks)
- :mod:`calc.ncci`    NCCI procedure-to-procedure pairs (and pairs with none found)
- :mod:`calc.modifiers`  modifier rules and the decision for one claim line
- :mod:`calc.claim`   a visit -> claim lines with units, modifiers, steps and sources
- :mod:`calc.documentation`  what the record must show; review of one 97112 record
- :mod:`calc.requests`  each call's JSON request read into typed input
- :mod:`calc.training`  practice scenarios answered and graded by the engine
- :mod:`calc.api`     the JSON facade used by the CLI and the browser worker
"""

from calc.errors import CalcError

__all__ = ["CalcError"]
__version__ = "0.1.0"
