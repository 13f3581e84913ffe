"""The site generator: Markdown rendered from ``calc`` at build time, one module per
page family, written into ``docs/_generated/`` where pages include it with
markdown-include (``{!_generated/unit-chart.md!}``)::

    python -m docsgen OUT_DIR

Nothing here states a rule: every number, code, modifier and date comes from the
engine and its validated loaders (never the raw TOML). What the package adds is
presentation only: layout, labels, and the inputs of the sample visits it runs
through the engine.
"""
