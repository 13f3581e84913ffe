"""``python -m docsgen OUT_DIR``: write the site's generated Markdown into OUT_DIR.

The MkDocs hook ``hooks/snippets.py`` runs this in a fresh process before every build.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from docsgen.build import SNIPPETS, build


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the site's Markdown snippets from calc.")
    parser.add_argument("out_dir", type=Path, help="folder to write into (docs/_generated)")
    args = parser.parse_args(argv)
    changed = build(args.out_dir)
    print(f"snippets: {len(changed)} of {len(SNIPPETS)} files changed in {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
