"""MkDocs hook: put the Pyodide runtime and the calc wheel into the built site.

All the work is in tools/build_assets.py (a plain script, also run outside MkDocs);
this hook only calls it after each build, ``mkdocs serve`` rebuilds included (the wheel
is cached, so a rebuild that does not touch calc/ only copies files).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from mkdocs.exceptions import PluginError

_SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "build_assets.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_assets", _SCRIPT)
    if spec is None or spec.loader is None:
        raise PluginError(f"cannot load {_SCRIPT}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_post_build(config: Any, **kwargs: Any) -> None:
    build_assets = _load()
    try:
        build_assets.build_assets(Path(config["site_dir"]))
    except build_assets.BuildError as err:
        raise PluginError(f"pyodide_assets: {err}") from err
