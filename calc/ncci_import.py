"""The quarterly update: CMS's NCCI files → ``ncci_pairs.toml`` and ``mue.toml``.

``python -m calc ncci import --effective 2026-04-01 FILE...`` reads the Medicare NCCI
files as a user downloads them from CMS each quarter:

* Practitioner PTP edits (``ccipra-v321r0-f1.zip`` … ``-f4``: a zip holding a
  tab-delimited ``.txt`` or an ``.xlsx``). Some title rows, then the column titles
  (column 1, column 2, in existence prior to 1996, effective date, deletion date,
  modifier indicator, PTP edit rationale), sometimes continued on the next rows; then
  one edit per row. Dates are ``YYYYMMDD``; a deletion date of ``*`` means none.
* Practitioner Services MUE table (``MCR_MUE_PractitionerServices_Eff_….zip``: a
  ``.csv`` or ``.xlsx``). Title rows, then HCPCS/CPT code, practitioner services MUE
  value, MUE adjudication indicator (``3 Date of Service Edit: Clinical``), MUE rationale.

Only rows touching codes in ``codes.toml`` are kept (both codes, for an edit);
indicator 9 rows ("not applicable": deleted as never in force) are left out. The data
files are rewritten with their header comments kept, and what changed is printed. The
layout above is the one public projects read (e.g. the northstar R package's
``data-raw/ncci.R``); it must be checked against the first real download: a file whose
column titles cannot be found is refused with an error naming it, never half-read.

This module is a tool: the engine the browser loads never imports it (the CLI imports
it only for this command).

>>> rows = ptp_rows(["Column 1\\tColumn 2\\t*=in existence prior to 1996\\t"
...     "Effective Date\\tDeletion Date *=no data\\tModifier\\tPTP Edit Rationale",
...     "98941\\t97161\\t\\t20200101\\t*\\t0\\tStandards of medical/surgical practice"])
>>> rows[0].column2, rows[0].indicator, rows[0].effective, rows[0].deleted
('97161', '0', datetime.date(2020, 1, 1), None)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from calc._data import parse_toml
from calc.codes import CodeTable, load_codes
from calc.errors import CalcError
from calc.mue import MueData, parse_mue
from calc.ncci import NcciData, NcciPair, bypass_modifier, parse_ncci

DATA_DIR = Path(__file__).resolve().parent / "data"
#: The column titles must be within a file's first rows.
HEADER_ROWS = 200
_CODE = re.compile(r"^[0-9A-Z]\d{3}[0-9A-Z]$")


@dataclass(frozen=True)
class PtpRow:
    """One PTP edit as the CMS file lists it."""

    column1: str
    column2: str
    effective: dt.date | None
    deleted: dt.date | None
    indicator: str  # "0", "1" or "9"
    rationale: str


@dataclass(frozen=True)
class MueRow:
    """One code's MUE as the CMS file lists it."""

    code: str
    value: int
    mai: int
    rationale: str


# --- reading the files ----------------------------------------------------------------


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    """The first sheet of an .xlsx (a zip of XML files) as rows of text cells, read as a
    stream (a quarter's PTP sheet holds some 600,000 rows).

    Shared strings, inline strings and numbers are read; styles are ignored, so a date
    stored as an Excel serial number comes back as that number (see :func:`_date`).
    """
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            with book.open("xl/sharedStrings.xml") as stream:
                for _, elem in ElementTree.iterparse(stream):
                    if elem.tag == f"{main}si":
                        shared.append("".join(t.text or "" for t in elem.iter(f"{main}t")))
                        elem.clear()
        sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if not sheets:
            raise CalcError("bad_file", "the spreadsheet has no worksheet")
        columns: dict[str, int] = {}  # "AB" → 27, computed once per column
        row_tag, value_tag = f"{main}row", f"{main}v"
        with book.open(sheets[0]) as stream:
            for _, elem in ElementTree.iterparse(stream):
                if elem.tag != row_tag:
                    continue
                cells: dict[int, str] = {}
                for c in elem:
                    letters = c.get("r", "").rstrip("0123456789")
                    if letters not in columns:
                        columns[letters] = _column_index(letters)
                    col = columns[letters] if letters else len(cells)
                    if c.get("t") == "inlineStr":
                        text = "".join(t.text or "" for t in c.iter(f"{main}t"))
                    else:
                        v = c.find(value_tag)
                        text = "" if v is None or v.text is None else v.text
                        if c.get("t") == "s" and text:
                            text = shared[int(text)]
                    cells[col] = text.strip()
                elem.clear()  # an emptied row stays in the tree: ~100 bytes each
                if cells:
                    yield [cells.get(i, "") for i in range(max(cells) + 1)]


def _column_index(letters: str) -> int:
    """``A`` → 0, ``Z`` → 25, ``AA`` → 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - ord("A") + 1)
    return n - 1


def _text_rows(data: bytes) -> Iterator[list[str]]:
    """A tab-delimited or comma-separated text file as rows of cells, read as a stream."""
    lines = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="replace", newline="")
    head = list(itertools.islice(lines, 50))
    tabbed = any("\t" in line for line in head)
    reader = csv.reader(itertools.chain(head, lines), delimiter="\t" if tabbed else ",")
    for row in reader:
        yield [cell.strip() for cell in row]


def read_table(path: Path) -> Iterator[list[str]]:
    """Rows of text cells from a .txt/.csv, an .xlsx, or a zip holding one of them."""
    return _table(path.name, path.read_bytes())


def _table(name: str, data: bytes) -> Iterator[list[str]]:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return _xlsx_rows(data)
    if not lower.endswith(".zip"):
        return _text_rows(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # text before spreadsheet: CMS may ship one table in both forms, and a
        # disclaimer or readme beside it
        inner = sorted(
            (n for n in archive.namelist() if n.lower().endswith((".txt", ".csv", ".xlsx"))),
            key=lambda n: (n.lower().endswith(".xlsx"), n),
        )
        for member in inner:
            rows = _table(member, archive.read(member))
            head = list(itertools.islice(rows, HEADER_ROWS))
            if is_mue_table(head) or _has_ptp_header(head):
                return itertools.chain(head, rows)
    raise CalcError(
        "bad_file",
        f"{name}: no PTP or MUE table in the zip (looked in: {', '.join(inner) or 'nothing'})",
    )


# --- finding the columns --------------------------------------------------------------

_PTP_COLUMNS: dict[str, tuple[str, ...]] = {
    "column1": ("column 1",),
    "column2": ("column 2",),
    "effective": ("effective",),
    "deleted": ("deletion",),
    "indicator": ("modifier",),
    "rationale": ("rationale",),
}
_MUE_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("hcpcs", "cpt"),
    "value": ("mue value", "mue values"),
    "mai": ("adjudication indicator",),
    "rationale": ("rationale",),
}


def _norm(cell: str) -> str:
    return " ".join(cell.replace("\n", " ").lower().split())


def _find_header(
    name: str, rows: Sequence[Sequence[str]], wanted: Mapping[str, tuple[str, ...]]
) -> tuple[int, dict[str, int]]:
    """The first row holding every wanted column title, and each title's position."""
    for i, row in enumerate(rows[:HEADER_ROWS]):
        cells = [_norm(c) for c in row]
        found: dict[str, int] = {}
        for key, words in wanted.items():
            for j, cell in enumerate(cells):
                if j not in found.values() and any(w in cell for w in words):
                    found[key] = j
                    break
        if len(found) == len(wanted):
            return i, found
    titles = ", ".join(" / ".join(w) for w in wanted.values())
    raise CalcError(
        "bad_file",
        f"{name}: no row with the column titles ({titles}) in its first {HEADER_ROWS} rows: "
        "is this the CMS file, and has its layout changed?",
    )


def _date(name: str, line: int, value: str) -> dt.date | None:
    """``20240401`` (CMS text), ``2024-04-01``, an Excel serial number, or ``*`` = none."""
    value = value.strip()
    if value in ("", "*"):
        return None
    if value.endswith(".0"):
        value = value[:-2]
    try:
        if re.fullmatch(r"\d{8}", value):
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        if re.fullmatch(r"\d{4,5}", value):  # Excel's day count from 1899-12-30
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise CalcError("bad_file", f"{name}, row {line}: {value!r} is not a date")


def _cell(row: Sequence[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


Keep = Callable[[str, str], bool]


def _data_rows(
    rows: Iterable[str | Sequence[str]], name: str, wanted: Mapping[str, tuple[str, ...]]
) -> Iterator[tuple[int, dict[str, int], Sequence[str]]]:
    """Each row after the column titles, with its row number and the columns' positions."""
    stream = (r.split("\t") if isinstance(r, str) else r for r in rows)
    head = list(itertools.islice(stream, HEADER_ROWS))
    start, col = _find_header(name, head, wanted)
    for n, row in enumerate(itertools.chain(head[start + 1 :], stream), start=start + 2):
        yield n, col, row


def ptp_rows(
    rows: Iterable[str | Sequence[str]], name: str = "PTP file", keep: Keep | None = None
) -> list[PtpRow]:
    """The edits of one PTP table (rows of cells, or lines of tab-delimited text), only
    those ``keep(column1, column2)`` accepts when it is given.

    Rows between the titles and the first edit (the titles' continuation) and rows
    whose first cell is not a code are skipped.
    """
    out = []
    for n, col, row in _data_rows(rows, name, _PTP_COLUMNS):
        c1, c2 = _cell(row, col["column1"]).upper(), _cell(row, col["column2"]).upper()
        if not (_CODE.match(c1) and _CODE.match(c2)) or (keep and not keep(c1, c2)):
            continue
        indicator = _cell(row, col["indicator"]).removesuffix(".0")
        if indicator not in ("0", "1", "9"):
            raise CalcError("bad_file", f"{name}, row {n}: modifier indicator {indicator!r}")
        out.append(
            PtpRow(
                column1=c1,
                column2=c2,
                effective=_date(name, n, _cell(row, col["effective"])),
                deleted=_date(name, n, _cell(row, col["deleted"])),
                indicator=indicator,
                rationale=_cell(row, col["rationale"]),
            )
        )
    return out


def mue_rows(rows: Iterable[Sequence[str]], name: str = "MUE file") -> list[MueRow]:
    """The codes of one MUE table (rows of cells)."""
    out = []
    for n, col, row in _data_rows(rows, name, _MUE_COLUMNS):
        code = _cell(row, col["code"]).upper()
        if not _CODE.match(code):
            continue
        value, mai = _cell(row, col["value"]).removesuffix(".0"), _cell(row, col["mai"])
        if not value.isdigit() or not mai[:1].isdigit():
            raise CalcError("bad_file", f"{name}, row {n}: MUE {value!r}, MAI {mai!r}")
        out.append(MueRow(code, int(value), int(mai[:1]), _cell(row, col["rationale"])))
    return out


def _has_ptp_header(rows: Sequence[Sequence[str]]) -> bool:
    try:
        _find_header("", rows, _PTP_COLUMNS)
    except CalcError:
        return False
    return True


def is_mue_table(rows: Sequence[Sequence[str]]) -> bool:
    """Whether a table is the MUE table (else it should be a PTP table)."""
    return any(any("adjudication indicator" in _norm(c) for c in row) for row in rows[:HEADER_ROWS])


# --- writing the data files -----------------------------------------------------------


def _q(text: str) -> str:
    """A TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _codes_list(codes: Iterable[str]) -> str:
    items = [_q(c) for c in codes]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= 78:
        return one_line
    lines: list[str] = []
    line = "  "
    for item in items:
        if len(line) + len(item) + 2 > 88:
            lines.append(line.rstrip())
            line = "  "
        line += item + ", "
    lines.append(line.rstrip())
    return "[\n" + "\n".join(lines) + "\n]"


def header_comment(text: str) -> str:
    """The comment block a data file starts with (kept when the file is rewritten)."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") or (not line.strip() and lines):
            lines.append(line)
        else:
            break
    return "\n".join(lines).rstrip() + "\n"


@dataclass(frozen=True)
class Edition:
    """What the imported files were, for the data files' ``[edition]``."""

    version: str
    effective: dt.date
    files: tuple[str, ...]
    reviewed: dt.date


def _ptp_key(row: PtpRow, codes: CodeTable, notes: str) -> tuple[object, ...]:
    is_em = codes.require(row.column2).category == "em"
    return (
        row.deleted is not None,
        row.indicator,
        row.rationale,
        row.effective,
        row.deleted,
        bypass_modifier(row.indicator, is_em),
        notes,
    )


def render_ncci(
    rows: Iterable[PtpRow], old: NcciData, old_text: str, edition: Edition, codes: CodeTable
) -> str:
    """The new ``ncci_pairs.toml``: the old header comment, the edition, the edits among
    our codes (grouped: one ``[[pair]]`` per column 2 list shared by column 1 codes),
    and the "none found" rows recomputed for the codes the old file had them for."""
    kept = sorted(
        {r for r in rows if r.column1 in codes and r.column2 in codes and r.indicator != "9"},
        key=lambda r: (r.column1, r.column2, r.deleted or dt.date.max),
    )
    kept = [
        PtpRow(
            codes.require(r.column1).code,
            codes.require(r.column2).code,
            r.effective,
            r.deleted,
            r.indicator,
            r.rationale,
        )
        for r in kept
    ]
    old_notes = {
        (c1, c2, p.deleted): p.notes for p in old.pairs for c1 in p.column1 for c2 in p.column2
    }
    groups: dict[tuple[object, ...], dict[str, list[str]]] = {}
    for r in kept:
        key = _ptp_key(r, codes, old_notes.get((r.column1, r.column2, r.deleted), ""))
        groups.setdefault(key, {}).setdefault(r.column1, []).append(r.column2)
    out = [header_comment(old_text)]
    caveat = (
        f"Read from the official CMS Medicare NCCI Practitioner PTP edits, version "
        f"{edition.version}, effective {edition.effective.isoformat()} (files: "
        f"{', '.join(edition.files)}), imported {edition.reviewed.isoformat()}. Payers "
        "other than Medicare may apply other edits, or none."
    )
    out += [f"caveat = {_q(caveat)}", "", "[edition]"]
    out += [
        'title = "CMS Medicare NCCI Practitioner PTP edits"',
        f"version = {_q(edition.version)}",
        f"effective = {edition.effective.isoformat()}",
        'sources = ["ncci-ptp"]',
        "where = "
        + _q(
            f"version {edition.version}, effective {edition.effective.isoformat()} "
            f"({', '.join(edition.files)})"
        ),
        'confidence = "high"',
        f"reviewed = {edition.reviewed.isoformat()}",
    ]
    blocks: list[tuple[tuple[object, ...], tuple[str, ...], tuple[str, ...]]] = []
    for key, by_c1 in groups.items():
        merged: dict[tuple[str, ...], list[str]] = {}
        for c1, listed in by_c1.items():
            merged.setdefault(tuple(listed), []).append(c1)
        blocks += [(key, tuple(firsts), seconds) for seconds, firsts in merged.items()]
    blocks.sort(key=lambda b: (b[0][0], b[1], b[2], str(b[0][4])))
    for key, c1s, c2s in blocks:
        _, indicator, rationale, effective, deleted, _, notes = key
        out += ["", "[[pair]]", f"column1 = {_codes_list(c1s)}", f"column2 = {_codes_list(c2s)}"]
        out += [f"indicator = {indicator}", f"rationale = {_q(str(rationale))}"]
        if isinstance(effective, dt.date):
            out.append(f"effective = {effective.isoformat()}")
        if isinstance(deleted, dt.date):
            out.append(f"deleted = {deleted.isoformat()}")
        if notes:
            out.append(f"notes = {_q(str(notes))}")
    active = {(r.column1, r.column2) for r in kept if r.deleted is None}
    for row in old.none_found:
        against = [
            c.code
            for c in codes
            if c.code not in row.codes
            and not any((a, c.code) in active or (c.code, a) in active for a in row.codes)
        ]
        out += ["", "[[none_found]]", f"codes = {_codes_list(row.codes)}"]
        out.append(f"against = {_codes_list(against)}")
        if row.notes:
            out.append(f"notes = {_q(row.notes)}")
    return "\n".join(out) + "\n"


def render_mue(
    rows: Iterable[MueRow], old: MueData, old_text: str, edition: Edition, codes: CodeTable
) -> str:
    """The new ``mue.toml``: header comment, edition, one ``[[mue]]`` per code of ours."""
    kept = {codes.require(r.code).code: r for r in rows if r.code in codes}
    notes = {m.code: m.notes for m in old.limits}
    out = [header_comment(old_text), "[edition]"]
    out += [
        'title = "CMS Medicare NCCI Practitioner Services MUE table"',
        f"effective = {edition.effective.isoformat()}",
        'sources = ["ncci-mue"]',
        "where = "
        + _q(f"the table effective {edition.effective.isoformat()} ({', '.join(edition.files)})"),
        'confidence = "high"',
        f"reviewed = {edition.reviewed.isoformat()}",
    ]
    for c in codes:
        if c.code not in kept:
            continue
        r = kept[c.code]
        out += ["", "[[mue]]", f"code = {_q(r.code)}", f"value = {r.value}", f"mai = {r.mai}"]
        out.append(f"rationale = {_q(r.rationale)}")
        if notes.get(r.code):
            out.append(f"notes = {_q(notes[r.code])}")
    return "\n".join(out) + "\n"


# --- what changed ---------------------------------------------------------------------


def _edits(data: NcciData) -> dict[tuple[str, str], NcciPair]:
    return {(c1, c2): p for p in data.active() for c1 in p.column1 for c2 in p.column2}


def ncci_changes(old: NcciData, new: NcciData) -> list[str]:
    """Edits in force added, deleted, or with a changed indicator (one line each).

    >>> from calc.ncci import load_ncci_pairs
    >>> ncci_changes(load_ncci_pairs(), load_ncci_pairs())
    []
    """
    before, after = _edits(old), _edits(new)
    out = []
    for pair in sorted(before.keys() | after.keys()):
        a, b = before.get(pair), after.get(pair)
        name = f"{pair[0]} → {pair[1]}"
        if a is None and b is not None:
            out.append(f"added: {name}, indicator {b.indicator} ({b.rationale})")
        elif b is None and a is not None:
            hist = [p for p in new.history(*pair) if p.deleted is not None]
            when = f" (deleted {max(p.deleted for p in hist if p.deleted)})" if hist else ""
            out.append(f"deleted: {name}, was indicator {a.indicator}{when}")
        elif a is not None and b is not None and a.indicator != b.indicator:
            out.append(f"indicator changed: {name}, {a.indicator} → {b.indicator}")
    return out


def mue_changes(old: MueData, new: MueData) -> list[str]:
    """MUE limits added, removed, or changed in value or MAI."""
    before = {m.code: m for m in old.limits}
    after = {m.code: m for m in new.limits}
    out = []
    for code in sorted(before.keys() | after.keys()):
        a, b = before.get(code), after.get(code)
        if a is None and b is not None:
            out.append(f"MUE added: {code} = {b.value} (MAI {b.mai})")
        elif b is None and a is not None:
            out.append(f"MUE removed: {code} (was {a.value}, MAI {a.mai})")
        elif a is not None and b is not None and (a.value, a.mai) != (b.value, b.mai):
            out.append(f"MUE changed: {code}, {a.value} (MAI {a.mai}) → {b.value} (MAI {b.mai})")
    return out


# --- the command ----------------------------------------------------------------------


def version_from_names(names: Iterable[str]) -> str | None:
    """The PTP version from CMS's file names: ``ccipra-v321r0-f1.zip`` → ``32.1``.

    >>> version_from_names(["ccipra-v301r0-f1.zip"]), version_from_names(["x.zip"])
    ('30.1', None)
    """
    for name in names:
        m = re.search(r"v(\d+)(\d)r\d", name.lower())
        if m:
            return f"{m.group(1)}.{m.group(2)}"
    return None


def _update[T](
    target: Path,
    parse: Callable[[str, Mapping[str, Any], CodeTable], T],
    render: Callable[[T, str], str],
    diff: Callable[[T, T], list[str]],
) -> tuple[Path, str, T, list[str]]:
    """A data file's new text, checked by the engine's own parser, and what changed."""
    old_text = target.read_text(encoding="utf-8")
    codes = load_codes()
    old = parse(target.name, parse_toml(target.name, old_text), codes)
    text = render(old, old_text)
    new = parse(target.name, parse_toml(target.name, text), codes)
    return target, text, new, diff(old, new)


def run(
    files: Sequence[Path],
    effective: dt.date,
    version: str | None = None,
    data_dir: Path = DATA_DIR,
    today: dt.date | None = None,
) -> list[str]:
    """Read the files, rewrite the data files in ``data_dir``, return what changed."""
    codes = load_codes()
    ptp: list[PtpRow] = []
    mue: list[MueRow] = []
    ptp_names: list[str] = []
    mue_names: list[str] = []
    ours = {c.code for c in codes}
    for path in files:
        try:
            table = read_table(path)
            head = list(itertools.islice(table, HEADER_ROWS))
            rows = itertools.chain(head, table)
            if is_mue_table(head):
                mue += mue_rows(rows, path.name)
                mue_names.append(path.name)
            else:
                ptp += ptp_rows(rows, path.name, keep=lambda a, b: a in ours and b in ours)
                ptp_names.append(path.name)
        except (OSError, zipfile.BadZipFile, ElementTree.ParseError) as err:
            raise CalcError("bad_file", f"{path.name}: cannot read it ({err})") from None
    reviewed = today or dt.date.today()
    updates: list[tuple[Path, str]] = []
    report: list[str] = []
    if ptp_names:
        version = version or version_from_names(ptp_names)
        if version is None:
            raise CalcError(
                "bad_arguments",
                "the PTP version is not in the file names (ccipra-vNNNrN-…): give --version",
            )
        edition = Edition(version, effective, tuple(ptp_names), reviewed)
        target, text, new, changes = _update(
            data_dir / "ncci_pairs.toml",
            parse_ncci,
            lambda old, old_text: render_ncci(ptp, old, old_text, edition, codes),
            ncci_changes,
        )
        updates.append((target, text))
        report.append(
            f"{target.name}: {len(ptp)} PTP rows read from {len(ptp_names)} file(s); "
            f"{len(new.active())} edits in force among our codes, {len(new.deleted())} "
            f"deleted ones kept as history; {len(changes)} change(s)."
        )
        report += [f"  {c}" for c in changes]
        if len(ptp_names) < 4:
            report.append(
                "  note: CMS splits the practitioner PTP table into four files (-f1 … -f4) by "
                "column 1 code; import all four together, or the none-found rows are wrong."
            )
    if mue_names:
        edition = Edition("", effective, tuple(mue_names), reviewed)
        target, text, new_mue, changes = _update(
            data_dir / "mue.toml",
            parse_mue,
            lambda old, old_text: render_mue(mue, old, old_text, edition, codes),
            mue_changes,
        )
        updates.append((target, text))
        report.append(
            f"{target.name}: {len(mue)} MUE rows read; {len(new_mue.limits)} codes of ours; "
            f"{len(changes)} change(s)."
        )
        report += [f"  {c}" for c in changes]
    for target, text in updates:  # written only when every file was read and checked
        target.write_text(text, encoding="utf-8")
    return report
