"""Warm the calc engine in Pyodide just before its memory snapshot is taken.

Run by ``tools/make_snapshot.mjs`` (``pyodide.runPython``) with the global ``WHEEL``,
the path of the calc wheel in Pyodide's file system; leaves the global ``CHECK``.

A restored snapshot has Python's memory but no files: Emscripten's file system lives in
JavaScript, so the wheel is not there and anything the engine would read later fails.
So this imports every module of ``calc``, calls each cached function that needs no
argument (the data loaders: ``@functools.cache def load_codes()``) and each entry of
``calc.api.CALLS`` once (new calls and data files are covered without a change here),
then checks two things and raises, failing the build, when one does not hold:

- every file under ``calc/data/`` in the wheel was read by those calls, and
- calling them again reads no file (each loader caches what it parsed).

``CHECK`` is a JSON text ``{"call", "request", "answer"}``: the worker asks the restored
engine this and uses the snapshot only when the answer is the same, byte for byte.

For example, with the wheel written to ``/lib/calc-0.1.0-py3-none-any.whl``:
``CHECK`` holds the ``claim`` answer for ``98941,97112:23,97110:10`` (BCBS NC).
"""

from __future__ import annotations

import gc
import importlib
import inspect
import json
import pkgutil
import sys
import zipfile
from typing import Any

#: The health check: a claim touches the codes, payers, modifier rules and NCCI pairs.
CHECK_CALL = "claim"
CHECK_REQUEST = {"payer": "bcbsnc", "lines": "98941,97112:23,97110:10"}


def _required_parameters(fn: Any) -> list[str]:
    """The parameters a function cannot be called without."""
    return [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _warm(wheel: str) -> str:
    sys.path.insert(0, wheel)
    import calc
    import calc.api

    opened: set[str] = set()
    original = zipfile.ZipFile.open

    def recording(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.add(name if isinstance(name, str) else name.filename)
        return original(self, name, *args, **kwargs)

    def every_call() -> None:
        for loader in loaders:
            loader()
        for name in calc.api.CALLS:
            calc.api.call_json(name, "{}")

    zipfile.ZipFile.open = recording  # type: ignore[method-assign]
    try:
        loaders = []
        for info in pkgutil.walk_packages(calc.__path__, "calc."):
            if info.name != "calc.__main__":  # that one runs the command line
                module = importlib.import_module(info.name)
                loaders += [
                    fn
                    for fn in vars(module).values()
                    if hasattr(fn, "cache_info")
                    and getattr(fn, "__module__", None) == info.name
                    and not _required_parameters(fn)
                ]
        every_call()
        with zipfile.ZipFile(wheel) as zf:
            data = {n for n in zf.namelist() if n.startswith("calc/data/") and n[-1] != "/"}
        if data - opened:
            raise RuntimeError(
                f"no call of calc.api.CALLS reads {', '.join(sorted(data - opened))} when "
                "given {}: the snapshot would lack it (make the call load it, or load it "
                "with another call's data)"
            )
        opened.clear()
        every_call()
        if opened:
            raise RuntimeError(
                f"{', '.join(sorted(opened))} read again on a second call: its loader does "
                "not cache (functools.cache), so the restored engine would not find it"
            )
    finally:
        zipfile.ZipFile.open = original  # type: ignore[method-assign]
    answer = calc.api.call_json(CHECK_CALL, json.dumps(CHECK_REQUEST))
    # every module is imported: the wheel, gone from the restored file system, is not needed
    sys.path.remove(wheel)
    sys.path_importer_cache.pop(wheel, None)
    gc.collect()
    return json.dumps({"call": CHECK_CALL, "request": CHECK_REQUEST, "answer": answer})


CHECK = _warm(globals()["WHEEL"])
del _warm
