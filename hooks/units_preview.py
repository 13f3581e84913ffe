"""MkDocs hook: put the units calculator's preview table into the built site.

``tools/units_preview.py`` computes the table from calc (the engine's answer for every
timed code, method and minute); this hook hands it to the units page's template as
``units_preview_json`` (``overrides/main.html`` puts it in the page's head, for a deep
link's preview on the first paint) and writes it to ``SITE/assets/calc/units-preview.json``
(fetched when the page is reached by instant navigation). Computing it takes a few
seconds, so it is cached in ``build/units-preview/<digest>.json``, keyed on the same
digest as the calc wheel (``tools/build_assets.py`` ``source_digest``), and computed in
a fresh Python process, so ``mkdocs serve`` picks up edited rules.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "units_preview.py"
TARGET = Path("assets") / "calc" / "units-preview.json"  # = units.mjs PREVIEW_URL


def _source_digest(root: Path) -> str:
    spec = importlib.util.spec_from_file_location(
        "build_assets_digest", root / "tools" / "build_assets.py"
    )
    if spec is None or spec.loader is None:
        raise PluginError("units_preview: cannot load tools/build_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    digest: str = module.source_digest(root)
    return digest


def cached_table(root: Path = ROOT, cache: Path | None = None) -> Path:
    """The table for the current sources, computed only when they changed."""
    cache = cache or root / "build" / "units-preview"
    table = cache / f"{_source_digest(root)}.json"
    if not table.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # calc/ is watched by serve
        done = subprocess.run(
            [sys.executable, str(SCRIPT), str(table)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise PluginError(f"tools/units_preview.py failed:\n{done.stderr.strip()}")
        for old in cache.glob("*.json"):  # keep only the current table
            if old != table:
                old.unlink(missing_ok=True)
    return table


def on_page_context(context: Any, page: Any, config: Any, **kwargs: Any) -> Any:
    if page.meta.get("calculator") == "units":
        text = cached_table(Path(config.config_file_path).resolve().parent).read_text("utf-8")
        # data in a <script> element: "</" could end it early
        context["units_preview_json"] = text.strip().replace("</", "<\\/")
    return context


def on_post_build(config: Any, **kwargs: Any) -> None:
    dest = Path(config["site_dir"]) / TARGET
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached_table(Path(config.config_file_path).resolve().parent), dest)
