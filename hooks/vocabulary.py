"""MkDocs hook: write the engine's vocabulary (``calc.vocabulary``) into the built site
as ``assets/calc/vocabulary.json``, beside the units preview table: the link fields of
each calculator, the names their choices accept and the yes/no words, which the pages'
link reader and forms use instead of copies of their own. Computed in a fresh Python
process, so ``mkdocs serve`` picks up edited rules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

TARGET = Path("assets") / "calc" / "vocabulary.json"  # = links.mjs VOCABULARY_URL
PROGRAM = (
    "import json, sys; from calc.vocabulary import vocabulary; "
    "sys.stdout.write(json.dumps(vocabulary(), ensure_ascii=False, separators=(',', ':')))"
)


def on_post_build(config: Any, **kwargs: Any) -> None:
    root = Path(config.config_file_path).resolve().parent
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        cwd=root,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if done.returncode != 0:
        raise PluginError(f"calc.vocabulary failed:\n{done.stderr.strip()}")
    dest = Path(config["site_dir"]) / TARGET
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(done.stdout + "\n", encoding="utf-8")
