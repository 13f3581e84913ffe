"""``python -m calc audit FILE.csv [--json | --csv OUT.csv] [--payer-map MAP.toml]``.

Reads the file in pieces (constant memory in its size), prints the findings and a
one-line summary. Exit status: 0 no findings, 1 findings, 2 bad input (the file
cannot be read, or some rows could not be checked: those are listed with their row
and column, and the other rows are still checked).
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from collections.abc import Iterator
from typing import IO, Any

from calc.audit import Auditor, Report, findings_csv, parse_payer_map
from calc.errors import CalcError, shown

CHUNK_BYTES = 1 << 20
_MAX_MAP_BYTES = 1_000_000


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "audit",
        help="check a claim-lines CSV file (see the Claim file audit page for the format)",
        description="Check every visit of a claim-lines CSV file against the rules. Exit "
        "status: 0 no findings, 1 findings, 2 bad input.",
    )
    p.add_argument("file", metavar="FILE.csv", help="the claim lines; - reads standard input")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the report as JSON")
    out.add_argument("--csv", metavar="OUT.csv", help="write the findings as CSV to OUT.csv")
    p.add_argument(
        "--payer-map",
        metavar="MAP.toml",
        help='payer spellings in the file → payer ids: [payers] "BCBS of NC" = "bcbsnc"',
    )


def open_input(path: str) -> IO[bytes]:
    """A file to read as bytes (``-``: standard input), or a clear error."""
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise CalcError("no_such_file", f"No such file: {shown(path, 60)}.") from None
    except OSError as exc:
        raise CalcError(
            "cannot_read", f"Cannot read {shown(path, 60)}: {exc.strerror or exc}."
        ) from None


def read_chunks(handle: IO[bytes]) -> Iterator[str]:
    """The file as text pieces (UTF-8, with or without a byte order mark)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    done = 0
    while True:
        data = handle.read(CHUNK_BYTES)
        try:
            yield decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise CalcError(
                "not_utf8",
                f"The file is not UTF-8 text (byte {done + exc.start + 1}). Save it as "
                "'CSV UTF-8' and try again.",
            ) from None
        if not data:
            return
        done += len(data)


def _payer_map(path: str | None) -> dict[str, str]:
    if path is None:
        return {}
    with open_input(path) as handle:
        data = handle.read(_MAX_MAP_BYTES + 1)
    if len(data) > _MAX_MAP_BYTES:
        raise CalcError("bad_payer_map", "The payer map is over 1 MB.")
    try:
        return parse_payer_map(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise CalcError("bad_payer_map", "The payer map is not UTF-8 text.") from None


def _text(report: Report) -> str:
    out = []
    for f in report.findings:
        code = f" {f.code}" if f.code else ""
        mark = "" if f.confidence == "high" else f" [{f.confidence}]"
        out.append(f"{f.severity.upper():<8} row {f.row} · visit {f.visit_id}{code} · {f.title}")
        out.append(f"         {f.message}")
        out.append(f"         Rule {f.rule}{mark}: {f.source}")
    for p in report.problems:
        where = f", column {p.column} ({p.column_name})" if p.column else ""
        out.append(f"INPUT    row {p.row}{where}: {p.message} [{p.code}]")
    hidden = sum(report.summary.findings.values()) - report.summary.findings_listed
    if hidden:
        out.append(f"… {hidden} more findings not listed.")
    return "\n".join(out)


def run(args: argparse.Namespace) -> tuple[int, str, str]:
    """Audit ``args.file``: exit status, standard output, standard error (the summary
    goes to standard error with --json). Raises CalcError on bad input."""
    auditor = Auditor(payer_map=_payer_map(args.payer_map))
    with open_input(args.file) as handle:
        for chunk in read_chunks(handle):
            auditor.feed(chunk)
    # visits split across the file are checked on a second reading (not of standard
    # input, which cannot be read twice: the problem says so)
    if auditor.end() and args.file != "-":
        auditor.read_again()
        with open_input(args.file) as handle:
            for chunk in read_chunks(handle):
                auditor.feed(chunk)
    report = auditor.finish()
    summary = report.summary
    status = 2 if summary.problems else 1 if sum(summary.findings.values()) else 0
    if args.json:
        return (
            status,
            json.dumps(report.as_dict(), ensure_ascii=False, indent=1) + "\n",
            (summary.text + "\n"),
        )
    if args.csv:
        findings = [f.as_dict() for f in report.findings]
        text = findings_csv(findings, [p.as_dict() for p in report.problems])
        try:
            with open(args.csv, "w", encoding="utf-8", newline="") as out:
                out.write(text)
        except OSError as exc:
            raise CalcError(
                "cannot_write", f"Cannot write {shown(args.csv, 60)}: {exc.strerror or exc}."
            ) from None
        return status, summary.text + "\n", ""
    text = _text(report)
    return status, (text + "\n" if text else "") + summary.text + "\n", ""
