"""Command line: ``python -m calc units|codes|checklist|review|claim|payers|scenarios|
changes|rules ... [--json]``, and ``python -m calc ncci import FILE...`` (the quarterly
CMS update).

Each command turns its arguments into an :mod:`calc.api` request, so the CLI and the
browser get the very same answers. Bad input: exit status 2, one line on stderr
starting ``error:`` and, with ``--json``, ``{"error": {...}}`` on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from calc import api, audit_cli, documentation
from calc.codes import PHASES
from calc.errors import CalcError
from calc.modifiers import PROVIDERS
from calc.payers import MODIFIER_STYLES
from calc.units import METHODS


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in the product's one-line format."""

    def error(self, message: str) -> NoReturn:
        raise CalcError("bad_arguments", f"{message} (see: {self.prog} --help)")


def _mark(confidence: str) -> str:
    return "" if confidence == "high" else f" [{confidence}]"


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


def _text_date(block: dict[str, Any]) -> str:
    """The date of service an answer is for, its dated rules and nearby changes."""
    out = [block["statement"]]
    if block.get("cli_note"):
        out = [f"Date of service: {block['date']} ({block['cli_note']})."]
    dated = [a for a in block["applied"] if a["from"] or a["until"]]
    if dated:
        out += ["Dated rules applied:"]
        out += [f"  - {a['what']} ({a['period']}){_mark(a['confidence'])}" for a in dated]
    out += [f"  ~ {c['said']}" for c in block["changes"]]
    out += [f"  ! {w}" for w in block["warnings"]]
    return "\n".join(out)


def _text_changes(result: dict[str, Any]) -> str:
    since = f" since {result['since']}" if result["since"] else ""
    out = [f"Rule changes{since}, newest first:"]
    for c in result["changes"]:
        who = f" [{c['payer_name']}]" if c["payer_name"] else ""
        codes = f" ({', '.join(c['codes'])})" if c["codes"] else ""
        out.append(f"  {c['on']}{who}{codes}: {c['text']}{_mark(c['confidence'])}")
        out.append(f"      Source: {c['source']}")
    if not result["changes"]:
        out.append("  (none)")
    return "\n".join(out)


def _text_due(result: dict[str, Any]) -> str:
    head = (
        f"Reviews older than {result['review_months']} months on {result['on']}: "
        f"{len(result['due'])}"
    )
    rows = [
        f"  {d['kind']:<9} {d['id']:<36} reviewed {d['reviewed']}  {d['title']}"
        for d in result["due"]
    ]
    return "\n".join([head, *rows])


def _text_codes(result: dict[str, Any]) -> str:
    return "\n".join(
        f"{c['code']:<6} {'timed  ' if c['timed'] else 'untimed'}  {c['name']}"
        + ("" if c["billable"] else "  [not calculated]")
        for c in result["codes"]
    )


_STATUS_MARKS = {
    "met": "✓ met",
    "missing": "✗ MISSING",
    "warning": "! WARNING",
    "not_applicable": "- n/a",
    "reminder": "? reminder",
}
_MAX_RECORD_BYTES = 1_000_000


def _text_checklist(result: dict[str, Any]) -> str:
    out: list[str] = []
    for group in result["groups"]:
        out += ["", group["title"]] + ([f"  {group['intro']}"] if group["intro"] else [])
        for item in (i for i in result["items"] if i["group"] == group["id"]):
            need = "" if item["requirement"] == "required" else f" ({item['requirement']})"
            out.append(f"  - {item['text']}{need}  [{item['id']}]")
            out.append(
                f"      Source: {item['source']} · confidence {item['confidence']} · "
                f"reviewed {item['reviewed']}"
            )
    return "\n".join(out[1:])


def _text_review(result: dict[str, Any]) -> str:
    counts = result["counts"]
    problems = [f"{counts['missing']} missing"] if counts["missing"] else []
    if counts["warning"]:
        problems.append(f"{counts['warning']} warning{'' if counts['warning'] == 1 else 's'}")
    out = [f"Documentation review: {', '.join(problems) if problems else 'nothing missing'}."]
    for group in result["groups"]:
        out += ["", group["title"]]
        for item in (i for i in result["items"] if i["group"] == group["id"]):
            out.append(f"  {_STATUS_MARKS[item['status']]:<11} {item['text']}")
            if item["status"] != "met":
                out.append(f"  {'':<11} {item['detail']}")
    if result["warnings"]:
        out += ["", "Warnings:"] + [f"  ! {w['message']}" for w in result["warnings"]]
    if result["notes"]:
        out += ["", "Notes:"] + [f"  - {n}" for n in result["notes"]]
    out += ["", "Summary (only what was entered):"]
    out += [f"  {line}" for line in result["summary"].splitlines()] or ["  (nothing entered)"]
    out += ["", "Sources: " + "; ".join(result["sources"])]
    return "\n".join(out)


def _read_record(path: str) -> dict[str, Any]:
    """The record JSON from a file (``-``: standard input), or a clear error."""
    with audit_cli.open_input(path) as handle:
        data = handle.read(_MAX_RECORD_BYTES + 1)
    if len(data) > _MAX_RECORD_BYTES:
        raise CalcError("too_long", "The record file is over 1 MB; a record is much smaller.")
    try:
        record = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise CalcError("bad_json", "The record file is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise CalcError(
            "bad_json",
            f"The record is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
        ) from None
    except RecursionError:
        raise CalcError("bad_json", "The record is not valid JSON: nested too deeply.") from None
    except ValueError:  # a number of more than 4,300 digits (int_max_str_digits)
        raise CalcError("bad_json", "The record holds a number too long to read.") from None
    if not isinstance(record, dict):
        raise CalcError("bad_request", 'The record must be a JSON object, like {"minutes": 24}.')
    return record


def _text_claim(result: dict[str, Any]) -> str:
    out = [
        f"{result['payer_name']} ({result['payer']}) · units: {result['method_name']} · "
        f"modifier style: {result['modifier_style']}",
        "",
        "Claim lines:",
    ]
    for line in result["lines"]:
        minutes = "" if line["minutes"] is None else f"{line['minutes']} min"
        extra = "  (excluded: bill only if the patient asks)" if line["excluded"] else ""
        text = f"  {line['display']:<22} {minutes:>8}{_mark(line['confidence'])}{extra}"
        out.append(text.rstrip())
        out += [f"      → {c['action']}{_mark(c['confidence'])}" for c in line["checks"]]
    if not result["lines"]:
        out.append("  (nothing to bill)")
    if result["not_billed"]:
        out += ["", "Not billed:"]
        out += [f"  {n['code']}: {n['reason']}" for n in result["not_billed"]]
    out += ["", "How:"] + [f"  - {s}" for s in result["steps"]]
    if result["warnings"]:
        out += ["", "Warnings:"]
        out += [f"  !{_mark(w['confidence'])} {w['message']}" for w in result["warnings"]]
    # open questions and things to do first; background that explains a rule after
    for title, level in (("Notes:", "primary"), ("Background notes:", "secondary")):
        notes = [n for n in result["notes"] if n["level"] == level]
        if notes:
            out += ["", title]
            out += [f"  -{_mark(n['confidence'])} {n['message']}" for n in notes]
    out += ["", "Sources:"] + [f"  - {s}" for s in result["sources"]]
    return "\n".join(out)


def _text_payers(result: dict[str, Any]) -> str:
    out = []
    for p in result["payers"]:
        gp = "59+GP with CMT" if p["hns_59_gp_with_cmt"] else "59 with E/M or CMT"
        if p["medicare_part_b"]:
            gp = "Medicare Part B rules"
        out.append(
            f"{p['id']:<11} {p['name']} · {p['units_method_name']} · {gp} · style "
            f"{p['modifier_style']}{_mark(p['confidence'])}"
        )
        out += [f"{'':<11}   verify: {v}" for v in p["verify"]]
    return "\n".join(out)


def _text_scenarios(result: dict[str, Any]) -> str:
    """The trainer's key, as the site prints it (Markdown reads well as plain text)."""
    from calc.trainer_key import render_key  # presentation: not in the browser's wheel

    return render_key([s["id"] for s in result["scenarios"]], anchors=False).rstrip()


Renderer = Callable[[dict[str, Any]], str]


def _build() -> tuple[argparse.ArgumentParser, dict[str, tuple[str, Renderer]]]:
    parser = _Parser(prog="python -m calc", description="CPT 97112 billing calculators.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    renderers: dict[str, tuple[str, Renderer]] = {}

    p = sub.add_parser("units", help="minutes → 15-minute units")
    p.add_argument("lines", nargs="+", metavar="CODE=MINUTES", help="e.g. 97112=24 97110=23")
    p.add_argument("--method", choices=METHODS, default="cms")
    _dos_option(p)
    p.add_argument("--json", action="store_true", help="print the JSON result")
    renderers["units"] = ("units", _text_units)

    p = sub.add_parser("codes", help="list the codes the calculators know")
    p.add_argument("--json", action="store_true")
    renderers["codes"] = ("codes", _text_codes)

    p = sub.add_parser("checklist", help="the documentation checklists, with their sources")
    p.add_argument("--json", action="store_true")
    renderers["checklist"] = ("checklist", _text_checklist)

    p = sub.add_parser(
        "review",
        help="review the record of one 97112 service",
        epilog="Record fields (all optional): "
        + ", ".join(f.name for f in documentation.FIELDS)
        + ". See: python -m calc checklist --json.",
    )
    p.add_argument("record", metavar="RECORD.json", help="a JSON object; - reads standard input")
    _dos_option(p)
    p.add_argument("--json", action="store_true")
    renderers["review"] = ("review", _text_review)

    p = sub.add_parser("claim", help="claim lines: units and modifiers for one visit and payer")
    p.add_argument(
        "lines",
        nargs="+",
        metavar="CODE[=MINUTES][:FACT]",
        help="e.g. 98941 97112=23 97140=10:same-region. A therapy line's own facts follow "
        "a colon: same-region (treated the region of the CMT in the same encounter: not "
        "billed) or separate-encounter (XE in X style)",
    )
    p.add_argument("--payer", required=True, help="payer id (see: python -m calc payers)")
    p.add_argument("--provider", choices=PROVIDERS, default="dc")
    p.add_argument("--phase", choices=PHASES)
    p.add_argument(
        "--same-region",
        action="store_true",
        help="shorthand: every therapy line treated the same region as the CMT in the same "
        "encounter (per line: 97112=23:same-region)",
    )
    p.add_argument(
        "--separate-encounter",
        action="store_true",
        help="shorthand: every therapy line was done at a separate encounter (per line: "
        "97112=23:separate-encounter)",
    )
    p.add_argument(
        "--style", choices=MODIFIER_STYLES, help="59 or X modifiers (default: the payer's)"
    )
    p.add_argument(
        "--cmt-abn",
        action="store_true",
        help="Medicare: the patient signed the ABN for maintenance CMT (GA instead of GZ)",
    )
    p.add_argument(
        "--voluntary-abn",
        action="store_true",
        help="Medicare: the patient signed a voluntary ABN for the excluded services (GX)",
    )
    p.add_argument(
        "--abn", action="store_true", help="shorthand for both --cmt-abn and --voluntary-abn"
    )
    p.add_argument("--maintenance", action="store_true", help="maintenance care (Medicare CMT)")
    p.add_argument("--method", choices=METHODS, help="only where the payer allows")
    _dos_option(p)
    p.add_argument("--json", action="store_true")
    renderers["claim"] = ("claim", _text_claim)

    p = sub.add_parser("changes", help="every dated rule change, newest first")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only changes on or after this date")
    p.add_argument("--json", action="store_true")
    renderers["changes"] = ("changes", _text_changes)

    p = sub.add_parser("rules", help="the rule book's entries; --due: those due for review")
    p.add_argument(
        "--due", action="store_true", help="list the entries whose last review is over a year old"
    )
    p.add_argument("--on", metavar="YYYY-MM-DD", help="check the reviews on this date (today)")
    p.add_argument("--json", action="store_true")
    renderers["rules"] = ("due", _text_due)

    p = sub.add_parser("payers", help="list the payer profiles")
    p.add_argument("--json", action="store_true")
    renderers["payers"] = ("payers", _text_payers)

    p = sub.add_parser(
        "scenarios", help="the training scenarios with their answers (trainer's key)"
    )
    p.add_argument("scenario", nargs="?", metavar="ID", help="one scenario only")
    p.add_argument("--json", action="store_true")
    renderers["scenarios"] = ("scenarios", _text_scenarios)

    p = sub.add_parser("ncci", help="the quarterly update of the NCCI and MUE data")
    ncci = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    p = ncci.add_parser(
        "import",
        help="rewrite ncci_pairs.toml and mue.toml from the CMS files",
        description="Read the CMS Medicare NCCI Practitioner PTP files (all four parts: "
        "zip, .xlsx or .txt) and/or the Practitioner Services MUE file, keep the rows "
        "touching our codes, rewrite the data files and print what changed.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="CMS files as downloaded")
    p.add_argument("--effective", required=True, help="the files' effective date, e.g. 2026-04-01")
    p.add_argument("--version", help="PTP version, e.g. 32.1 (default: from the file names)")
    p.add_argument("--data-dir", help="where the data files are (default: calc/data)")
    audit_cli.add_parser(sub)  # streams a file: run by calc.audit_cli, not through calc.api
    return parser, renderers


def _ncci_import(args: argparse.Namespace) -> list[str]:
    """The importer is a tool: imported here only, never by the engine the browser loads."""
    from pathlib import Path

    from calc import ncci_import

    try:
        effective = dt.date.fromisoformat(args.effective)
    except ValueError:
        raise CalcError("bad_arguments", f"--effective {args.effective!r}: not a date") from None
    data_dir = Path(args.data_dir) if args.data_dir else ncci_import.DATA_DIR
    return ncci_import.run([Path(f) for f in args.files], effective, args.version, data_dir)


def _dos_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dos", metavar="YYYY-MM-DD", help="the date of service (default: today, as stated)"
    )


def _today() -> str:
    # The engine never reads the clock; the command line fills in today and says so.
    return dt.date.today().isoformat()


def _request(args: argparse.Namespace) -> dict[str, Any]:
    dos = getattr(args, "dos", None) or _today()
    if args.command == "units":
        return {"lines": list(args.lines), "method": args.method, "dos": dos}
    if args.command == "review":
        return {**_read_record(args.record), "dos": dos}
    if args.command == "changes":
        return {"since": args.since}
    if args.command == "rules":
        if not args.due:
            raise CalcError("bad_arguments", "Use: python -m calc rules --due [--on YYYY-MM-DD].")
        return {"on": args.on or _today()}
    if args.command == "claim":
        return {
            "dos": dos,
            "payer": args.payer,
            "lines": list(args.lines),
            "provider": args.provider,
            "phase": args.phase,
            "same_region": args.same_region,
            "separate_encounter": args.separate_encounter,
            "modifier_style": args.style,
            "abn": args.abn,
            "cmt_abn": args.cmt_abn,
            "voluntary_abn": args.voluntary_abn,
            "care": "maintenance" if args.maintenance else "active",
            "method": args.method,
        }
    if args.command == "scenarios":
        return {"scenario": args.scenario} if args.scenario else {}
    return {}


def _answer(argv: list[str]) -> tuple[int, str, str]:
    """Exit status, standard output and the error line for one command line."""
    as_json = "--json" in argv
    parser, renderers = _build()
    try:
        args = parser.parse_args(argv)
        if args.command == "ncci":
            return 0, "\n".join(_ncci_import(args)) + "\n", ""
        if args.command == "audit":
            return audit_cli.run(args)
        call, render = renderers[args.command]
        result = api.call(call, _request(args))
        if "date_of_service" in result and getattr(args, "dos", None) is None:
            result["date_of_service"]["cli_note"] = "today: no --dos was given"
    except CalcError as err:
        result = err.as_dict()
    if "error" in result:
        message = " ".join(result["error"]["message"].split())
        out = json.dumps(result, ensure_ascii=False) + "\n" if as_json else ""
        return 2, out, f"error: {message}\n"
    text = json.dumps(result, ensure_ascii=False, indent=2) if as_json else render(result)
    if not as_json and "date_of_service" in result:
        text = _text_date(result["date_of_service"]) + "\n\n" + text
    return 0, text + "\n", ""


def _write(stream: Any, text: str) -> None:
    if text:
        stream.write(text)
        stream.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Never a traceback: bad input exits 2 with one ``error:`` line;
    output that cannot be written (a closed pipe, a full disk) exits 1 with one
    ``error:`` line; Ctrl-C exits 130 quietly. Characters the terminal's encoding
    lacks are written as escapes (``\\u2192``), not refused."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        status, out, err = _answer(list(sys.argv[1:] if argv is None else argv))
        _write(sys.stdout, out)
        _write(sys.stderr, err)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # reading a record has its own messages: this is the output
        with contextlib.suppress(OSError, ValueError):
            # the interpreter flushes stdout again on exit: point it at nothing first
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        with contextlib.suppress(OSError):
            _write(sys.stderr, f"error: cannot write the output: {exc.strerror or exc}.\n")
        return 1
    return status
