"""`python -m calc ncci import`: small files built in the CMS layouts (tab-delimited text,
.xlsx, zipped), read back into ncci_pairs.toml and mue.toml.

The layouts are the ones public projects read from the CMS downloads (title rows, the
column titles, continuation rows, then the data; PTP dates as YYYYMMDD, "*" for no
deletion date; the MUE's MAI as "3 Date of Service Edit: Clinical"). They must be
checked against the first real download (README, "Updating the NCCI data").
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from calc._data import parse_toml
from calc.errors import CalcError
from calc.mue import load_mue, parse_mue
from calc.ncci import load_ncci_pairs, parse_ncci
from calc.ncci_import import DATA_DIR, ptp_rows, read_table, run

PTP_TITLES = [
    ["CPT only copyright 2023 American Medical Association. All rights reserved."],
    [
        "Column 1",
        "Column 2",
        "*=in existence prior to 1996",
        "Effective Date",
        "Deletion Date *=no data",
        "Modifier 0=not allowed 1=allowed 9=not applicable",
        "PTP Edit Rationale",
    ],
    ["", "", "", "", "", "", ""],
]
MUE_TITLES = [
    ["CPT codes, descriptions and other data only are copyright 2023 AMA."],
    [
        "HCPCS/CPT Code",
        "Practitioner Services MUE Values",
        "MUE Adjudication Indicator",
        "MUE Rationale",
    ],
]
MAI_TEXT = {
    1: "1 Line Edit",
    2: "2 Date of Service Edit: Policy",
    3: "3 Date of Service Edit: Clinical",
}


def _ymd(day: dt.date | None) -> str:
    return "*" if day is None else day.strftime("%Y%m%d")


def current_ptp_rows() -> list[list[str]]:
    """The shipped edits as CMS file rows (plus rows the importer must leave out)."""
    rows = []
    for p in load_ncci_pairs().pairs:
        for c1 in p.column1:
            for c2 in p.column2:
                eff = _ymd(p.effective) if p.effective else "19960101"
                rows.append([c1, c2, "", eff, _ymd(p.deleted), p.indicator, p.rationale])
    rows.append(["97530", "97164", "", "20200101", "20201001", "9", "Misuse of column two code"])
    rows.append(["22505", "98940", "", "20200101", "*", "0", "Not one of our codes"])
    return rows


def current_mue_rows() -> list[list[str]]:
    rows = [[m.code, str(m.value), MAI_TEXT[m.mai], m.rationale] for m in load_mue().limits]
    return [*rows, ["0001U", "1", MAI_TEXT[2], "Not one of our codes"]]


def txt(rows: Sequence[Sequence[str]]) -> bytes:
    return ("\r\n".join("\t".join(r) for r in rows) + "\r\n").encode()


def xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    """A minimal but complete .xlsx: shared strings for text, numbers as numbers."""
    strings: list[str] = []
    sheet_rows = []
    for i, row in enumerate(rows, start=1):
        cells = []
        for j, value in enumerate(row):
            ref = f"{chr(ord('A') + j)}{i}"
            if value.isdigit():
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value:
                strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        sheet_rows.append(f'<row r="{i}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{pkg}/content-types"><Default Extension="xml" '
            'ContentType="application/xml"/></Types>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Sheet1" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{main}">'
            + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
            + "</sst>",
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}"><sheetData>{"".join(sheet_rows)}</sheetData></worksheet>',
        )
    return out.getvalue()


def zipped(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(name, data)
        z.writestr("README.txt", "CMS NCCI file")
    return out.getvalue()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    for name in ("ncci_pairs.toml", "mue.toml"):
        shutil.copy(DATA_DIR / name, target / name)
    return target


def _split_in_four(rows: list[list[str]]) -> list[list[list[str]]]:
    return [rows[i::4] for i in range(4)]


@pytest.mark.parametrize("form", ["txt", "xlsx", "zip-txt", "zip-xlsx"])
def test_round_trip_keeps_every_edit_and_limit(form: str, data_dir: Path, tmp_path: Path) -> None:
    files = []
    for n, part in enumerate(_split_in_four(current_ptp_rows()), start=1):
        rows = [*PTP_TITLES, *part]
        raw = xlsx(rows) if form.endswith("xlsx") else txt(rows)
        inner = f"ccipra-v301r0-f{n}.{'xlsx' if form.endswith('xlsx') else 'txt'}"
        name, data = (
            (inner.rsplit(".", 1)[0] + ".zip", zipped(inner, raw))
            if "zip" in form
            else (
                inner,
                raw,
            )
        )
        (tmp_path / name).write_bytes(data)
        files.append(tmp_path / name)
    mue_raw = xlsx([*MUE_TITLES, *current_mue_rows()])
    mue_name = "MCR_MUE_PractitionerServices_Eff_04-01-2024.xlsx"
    (tmp_path / mue_name).write_bytes(mue_raw)
    files.append(tmp_path / mue_name)

    report = run(files, dt.date(2024, 4, 1), data_dir=data_dir, today=dt.date(2026, 12, 4))

    assert report[0].startswith("ncci_pairs.toml:") and "0 change(s)" in report[0]
    assert any(line.startswith("mue.toml:") and "0 change(s)" in line for line in report)
    text = (data_dir / "ncci_pairs.toml").read_text(encoding="utf-8")
    new = parse_ncci("ncci_pairs.toml", parse_toml("x", text))
    old = load_ncci_pairs()
    combos = {
        (c1, c2, p.indicator, p.rationale, p.deleted)
        for data in (old,)
        for p in data.pairs
        for c1 in p.column1
        for c2 in p.column2
    }
    assert combos == {
        (c1, c2, p.indicator, p.rationale, p.deleted)
        for p in new.pairs
        for c1 in p.column1
        for c2 in p.column2
    }
    assert [n.against for n in new.none_found] == [n.against for n in old.none_found]
    assert [n.notes for n in new.none_found] == [n.notes for n in old.none_found]
    assert {p.notes for p in new.pairs} == {p.notes for p in old.pairs}
    assert new.edition.version == "30.1" and "ccipra-v301r0-f1" in new.edition.source
    assert text.startswith(
        (DATA_DIR / "ncci_pairs.toml").read_text(encoding="utf-8").split("\ncaveat")[0]
    )
    mue_text = (data_dir / "mue.toml").read_text(encoding="utf-8")
    mue = parse_mue("mue.toml", parse_toml("x", mue_text))
    assert [(m.code, m.value, m.mai) for m in mue.limits] == [
        (m.code, m.value, m.mai) for m in load_mue().limits
    ]
    # importing the same files again changes nothing
    again = run(files, dt.date(2024, 4, 1), data_dir=data_dir, today=dt.date(2026, 12, 4))
    assert (data_dir / "ncci_pairs.toml").read_text(encoding="utf-8") == text
    assert all("0 change(s)" in line for line in again if line.endswith("change(s)."))


def test_changes_are_reported(data_dir: Path, tmp_path: Path) -> None:
    rows = [r for r in current_ptp_rows() if (r[0], r[1]) != ("97012", "97140")]
    for r in rows:
        if (r[0], r[1], r[4]) == ("97150", "97112", "*"):
            r[5] = "0"
    rows.append(["97112", "97530", "", "20260401", "*", "1", "Mutually exclusive procedures"])
    path = tmp_path / "ccipra-v321r0-f1.txt"
    path.write_bytes(txt([*PTP_TITLES, *rows]))
    mue = [
        r if r[0] != "97112" else ["97112", "5", MAI_TEXT[3], "Clinical: Data"]
        for r in current_mue_rows()
    ]
    mue_path = tmp_path / "mue.csv"
    mue_path.write_text("\n".join(",".join(f'"{c}"' for c in r) for r in [*MUE_TITLES, *mue]))

    report = run([path, mue_path], dt.date(2026, 4, 1), data_dir=data_dir)

    assert "  added: 97112 → 97530, indicator 1 (Mutually exclusive procedures)" in report
    assert "  deleted: 97012 → 97140, was indicator 1" in report
    assert "  indicator changed: 97150 → 97112, 1 → 0" in report
    assert "  MUE changed: 97112, 4 (MAI 3) → 5 (MAI 3)" in report
    assert any("import all four together" in line for line in report)
    new = parse_ncci("x", parse_toml("x", (data_dir / "ncci_pairs.toml").read_text()))
    assert new.edition.version == "32.1" and new.edition.effective == dt.date(2026, 4, 1)
    added = new.edit("97112", "97530")
    assert added is not None and added.effective == dt.date(2026, 4, 1)
    assert added.in_force(dt.date(2026, 4, 1)) and not added.in_force(dt.date(2026, 3, 31))
    # the none-found rows follow the table: 97112/97530 is an edit now
    assert "97530" not in next(n for n in new.none_found if n.codes == ("97112",)).against


def test_a_file_without_the_column_titles_is_refused(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "ccipra-v321r0-f1.txt"
    path.write_bytes(txt([["Code A", "Code B"], ["98941", "97112"]]))
    before = (data_dir / "ncci_pairs.toml").read_text(encoding="utf-8")
    with pytest.raises(CalcError) as err:
        run([path], dt.date(2026, 4, 1), data_dir=data_dir)
    assert err.value.code == "bad_file" and "ccipra-v321r0-f1.txt: no row with the column" in (
        err.value.message
    )
    assert (data_dir / "ncci_pairs.toml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["98941", "97112", "", "2024-13-01", "*", "1", "r"], "row 4: '2024-13-01' is not a date"),
        (["98941", "97112", "", "20240101", "*", "2", "r"], "row 4: modifier indicator '2'"),
    ],
)
def test_bad_rows_name_the_file_and_row(row: list[str], message: str) -> None:
    lines = ["\t".join(r) for r in [*PTP_TITLES, row]]
    with pytest.raises(CalcError) as err:
        ptp_rows(lines, "f1.txt")
    assert err.value.code == "bad_file" and f"f1.txt, {message}" in err.value.message


def test_excel_dates_and_zip_contents(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "x")
        z.writestr("b.txt", "y")
    with pytest.raises(CalcError, match=r"two\.zip: no PTP or MUE table in the zip \(looked in: a"):
        read_table(path)
    both = tmp_path / "ccipra-v321r0-f1.zip"  # the table as text and as a spreadsheet, a notice
    table = [*PTP_TITLES, ["98941", "97112", "", "20260401", "*", "1", "r"]]
    with zipfile.ZipFile(both, "w") as z:
        z.writestr("CPT disclaimer.txt", "CPT only copyright AMA.")
        z.writestr("ccipra-v321r0-f1.xlsx", xlsx(table))
        z.writestr("ccipra-v321r0-f1.txt", txt(table))
    assert ptp_rows(read_table(both))[0].effective == dt.date(2026, 4, 1)
    rows = ptp_rows(
        ["\t".join(r) for r in [*PTP_TITLES, ["98941", "97112", "", "45383", "*", "1", "r"]]]
    )
    assert rows[0].effective == dt.date(2024, 4, 1)  # Excel's serial day number


def test_the_command_line(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "ccipra-v301r0-f1.txt"
    path.write_bytes(txt([*PTP_TITLES, *current_ptp_rows()]))
    args = ["ncci", "import", "--effective", "2024-04-01", "--data-dir", str(data_dir)]
    proc = subprocess.run(
        [sys.executable, "-m", "calc", *args, str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ncci_pairs.toml: ") and "0 change(s)" in proc.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "calc", "ncci", "import", "--effective", "April", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: --effective 'April'")


def test_the_engine_never_imports_the_importer() -> None:
    code = "import calc.api, calc.claim, sys; print('calc.ncci_import' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False"


def test_nothing_is_written_unless_every_file_reads(data_dir: Path, tmp_path: Path) -> None:
    good = tmp_path / "ccipra-v321r0-f1.txt"
    good.write_bytes(txt([*PTP_TITLES, ["98941", "97530", "", "20260401", "*", "1", "r"]]))
    bad = tmp_path / "mue.csv"
    bad.write_text("\n".join(",".join(r) for r in [*MUE_TITLES, ["97112", "four", "3 x", "r"]]))
    before = {p.name: p.read_text(encoding="utf-8") for p in data_dir.iterdir()}
    with pytest.raises(CalcError, match=r"mue\.csv, row 3: MUE 'four'"):
        run([good, bad], dt.date(2026, 4, 1), data_dir=data_dir)
    assert {p.name: p.read_text(encoding="utf-8") for p in data_dir.iterdir()} == before
