"""Command line: ``python -m calc units|codes ... [--json]``.

Each command turns its arguments into an :mod:`calc.api` request, so the CLI and the
browser get the very same answers. Bad input: exit status 2, one line on stderr
starting ``error:`` and, with ``--json``, ``{"error": {...}}`` on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from calc import api
from calc.errors import CalcError


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in the product's one-line format."""

    def error(self, message: str) -> NoReturn:
        raise CalcError("bad_arguments", f"{message} (see: {self.prog} --help)")


def _text_units(result: dict[str, Any]) -> str:
    out = [f"Method: {result['method_name']}"]
    width = max(len(line["code"]) for line in result["lines"])
    for line in result["lines"]:
        minutes = "" if line["minutes"] is None else f"{line['minutes']:>4} min"
        kind = "" if line["timed"] else "  (untimed)"
        plural = "" if line["units"] == 1 else "s"
        out.append(
            f"  {line['code']:<{width}}  {minutes:>8}  {line['units']:>2} unit{plural}{kind}"
        )
    out.append(
        f"Timed: {result['total_minutes']} min → {result['timed_units']} units; "
        f"total units billed: {result['total_units']}"
    )
    out += ["", "How:"] + [f"  - {s}" for s in result["steps"]]
    if result["tie"]:
        out += ["", result["tie"]["message"]]
    if result["warnings"]:
        out += ["", "Warnings:"] + [f"  ! {w['message']}" for w in result["warnings"]]
    out += ["", "Source: " + "; ".join(result["sources"])]
    return "\n".join(out)


def _text_codes(result: dict[str, Any]) -> str:
    return "\n".join(
        f"{c['code']:<6} {'timed  ' if c['timed'] else 'untimed'}  {c['name']}"
        + ("" if c["billable"] else "  [not calculated]")
        for c in result["codes"]
    )


Renderer = Callable[[dict[str, Any]], str]


def _build() -> tuple[argparse.ArgumentParser, dict[str, tuple[str, Renderer]]]:
    parser = _Parser(prog="python -m calc", description="CPT 97112 billing calculators.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    renderers: dict[str, tuple[str, Renderer]] = {}

    p = sub.add_parser("units", help="minutes → 15-minute units")
    p.add_argument("lines", nargs="+", metavar="CODE=MINUTES", help="e.g. 97112=24 97110=23")
    p.add_argument("--method", choices=["cms", "per-code"], default="cms")
    p.add_argument("--json", action="store_true", help="print the JSON result")
    renderers["units"] = ("units", _text_units)

    p = sub.add_parser("codes", help="list the codes the calculators know")
    p.add_argument("--json", action="store_true")
    renderers["codes"] = ("codes", _text_codes)
    return parser, renderers


def _request(args: argparse.Namespace) -> dict[str, Any]:
    if args.command == "units":
        return {"lines": list(args.lines), "method": args.method}
    return {}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    parser, renderers = _build()
    try:
        args = parser.parse_args(argv)
        call, render = renderers[args.command]
        result = api.call(call, _request(args))
    except CalcError as err:
        result = err.as_dict()
    if "error" in result:
        if as_json:
            print(json.dumps(result, ensure_ascii=False))
        message = " ".join(result["error"]["message"].split())
        print(f"error: {message}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2) if as_json else render(result))
    return 0
