"""MkDocs hook: render the Markdown snippets from calc before every build.

The work is done by the ``docsgen`` package (``python -m docsgen OUT_DIR``), run in a
fresh Python process so that ``mkdocs serve`` picks up edited rules, engine code and
generator code (a long-lived server would keep the old modules and cached data). The
snippets go to ``docs/_generated/`` (git-ignored, excluded from the pages), where pages
include them with markdown-include.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

GENERATED_DIR = "_generated"
SITE_URL_TOKEN = "@@SITE_URL@@"  # = docsgen.markdown.SITE_URL_TOKEN
INCLUDE_EXTENSION = "markdown_include.include"

log = logging.getLogger("mkdocs.hooks.snippets")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # markdown-include resolves base_path against the working directory: pin it to
    # docs_dir so the build works from any folder.
    config.mdx_configs.setdefault(INCLUDE_EXTENSION, {})["base_path"] = config.docs_dir
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    root = Path(__file__).resolve().parent.parent  # docsgen and calc sit beside hooks/
    out = Path(config.docs_dir) / GENERATED_DIR
    command = [sys.executable, "-m", "docsgen", str(out)]
    # No .pyc writes: calc/ and docsgen/ are watched by `mkdocs serve`, a write would rebuild again.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PluginError(
            f"python -m docsgen failed (exit {done.returncode}); the pages' tables could not "
            f"be generated from calc:\n{done.stderr.strip()}"
        )
    log.info(done.stdout.strip())


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    # Snippets name the site's address with a token, so that builds for different
    # addresses can share docs/_generated/; each build puts in its own site_url.
    return html.replace(SITE_URL_TOKEN, config.site_url or "/")
