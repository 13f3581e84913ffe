"""The claim file audit (issue 15): planted errors, bad input, streaming, the trend check."""

from __future__ import annotations

import sys
from collections import Counter
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc.audit import (
    BROWSER_MAX_BYTES,
    REQUIRED,
    Auditor,
    Report,
    audit_text,
    findings_csv,
    parse_audit_rules,
    parse_payer_map,
)
from calc.errors import CalcError
from calc.statements import statement
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from audit_file import PLANTS, TREND, generate

HEADER = "visit_id,patient_id,dos,payer,provider,code,minutes,units,modifiers"
CLEAN = (
    "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,\n"  # HNS: 97112 with CMT gets 59 then GP
    "V1,P1,2026-01-05,bcbsnc,dc,97112,23,2,59-GP\n"  # CMS: 23 min → 2 units
)


def found(report: Report) -> Counter[tuple[str, str]]:
    return Counter((f.visit_id, f.kind) for f in report.findings)


def text(*rows: str, header: str = HEADER) -> str:
    return header + "\n" + "".join(r + "\n" for r in rows)


# --- done when: planted errors of every kind, and nothing on the clean visits ----------


def test_planted_errors_get_exactly_their_findings() -> None:
    lines, expected = generate(3000, planted_every=10)
    report = audit_text("\n".join(lines) + "\n")
    assert {e.kind for e in expected} == {*PLANTS, TREND}  # every kind is planted
    assert found(report) == Counter((e.visit_id, e.kind) for e in expected)
    by_visit = {(f.visit_id, f.kind): f for f in report.findings}
    for e in expected:
        if e.code:
            assert by_visit[(e.visit_id, e.kind)].code.startswith(e.code)
    assert report.problems == ()
    assert report.summary.visits == report.summary.visits_checked


def test_every_finding_has_rule_source_confidence_and_a_link() -> None:
    lines, _ = generate(600, planted_every=5)
    report = audit_text("\n".join(lines) + "\n")
    assert report.findings
    for f in report.findings:
        assert f.rule and f.source and f.confidence in ("high", "medium", "low", "verify")
        assert f.link.startswith("payer=") and "lines=" in f.link
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=("error", "warning", "reminder").index)


def test_the_finding_explains_units_with_the_minutes() -> None:
    report = audit_text(text("V1,P1,2026-01-05,bcbsnc,dc,97112,38,2,"))
    (f,) = report.findings
    assert (f.kind, f.severity, f.rule, f.row) == ("units-under", "warning", "units-cms", 2)
    assert "2 units billed for 38 min; the rules give 3" in f.message
    assert f.source == statement("units-cms").source  # Pub. 100-04, Ch. 5, §20.2
    assert f.link == "payer=bcbsnc&lines=97112:38&dos=2026-01-05"


def test_same_region_is_a_fact_of_the_therapy_row() -> None:
    """As in the claim builder (#14): said on the therapy's row. On a CMT row it means
    nothing (exports that repeat visit flags on every row put it there too)."""
    header = HEADER + ",same_region"
    report = audit_text(
        text(
            "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,,yes",
            "V1,P1,2026-01-05,bcbsnc,dc,97112,23,2,59-GP,yes",
            header=header,
        )
    )
    (f,) = report.findings
    assert (f.kind, f.rule) == ("59-same-region", "same-region-not-reportable")
    assert f.link == "payer=bcbsnc&lines=98941,97112:23:same-region&dos=2026-01-05"
    only_cmt = text(
        "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,,yes",
        "V1,P1,2026-01-05,bcbsnc,dc,97112,23,2,59-GP,no",
        header=header,
    )
    assert audit_text(only_cmt).findings == ()


def test_x_style_payer_and_a_verify_note_on_an_extra_gp() -> None:
    report = audit_text(
        text(
            "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,",
            "V1,P1,2026-01-05,bcbsnc,dc,97140,23,2,59-GP",
        )
    )
    (f,) = report.findings
    assert (f.kind, f.rule, f.confidence) == (
        "modifier-extra",
        "hns-gp-on-other-therapy-unconfirmed",
        "verify",
    )


def test_initial_phase_reminder_only_when_the_phase_is_stated() -> None:
    rows = [
        "V1,P1,2026-01-05,bcbsnc,dc,97112,15,1,,{p}",
        "V1,P1,2026-01-05,bcbsnc,dc,97110,15,1,,{p}",
        "V1,P1,2026-01-05,bcbsnc,dc,97530,15,1,,{p}",
    ]
    header = HEADER + ",phase"
    initial = audit_text(text(*(r.format(p="initial") for r in rows), header=header))
    assert [f.kind for f in initial.findings] == ["initial-phase-therapies"]
    assert initial.findings[0].rule == "hns-initial-phase-two-therapies"
    unstated = audit_text(text(*(r.format(p="") for r in rows), header=header))
    assert unstated.findings == ()


def test_trend_reminder_states_counts_and_dates_in_date_order() -> None:
    rows = []
    # file order is not date order: the check sorts each patient's visits by date
    for vid, day in (("V3", "2026-02-02"), ("V1", "2026-01-05"), ("V2", "2026-01-19")):
        rows += [
            f"{vid},P1,{day},bcbsnc,dc,97112,15,1,",
            f"{vid},P1,{day},bcbsnc,dc,97110,15,1,",
        ]
    report = audit_text(text(*rows))
    (f,) = report.findings
    assert (f.kind, f.severity, f.rule, f.visit_id) == (
        "therapies-not-decreasing",
        "reminder",
        "hns-therapies-decrease",
        "V3",
    )
    assert "2 (2026-01-05), 2 (2026-01-19), 2 (2026-02-02)" in f.message
    assert f.confidence == "medium"  # the thresholds are our reading of HNS's sentence
    going_up = rows[:3] + rows[4:5]  # in date order: V1 1 therapy, V2 1, V3 2
    assert audit_text(text(*going_up)).findings[0].kind == "therapies-not-decreasing"
    going_down = rows[0:1] + rows[2:5]  # in date order: V1 2 therapies, V2 1, V3 1
    assert audit_text(text(*going_down)).findings == ()


# --- bad input: row and column, and the good rows are still checked ------------------


@pytest.mark.parametrize(
    ("row", "code", "column", "name"),
    [
        ("V9,P1,2026-01-05,bcbsnc,dc,9711,23,2,", "unknown_code", 6, "code"),
        ("V9,P1,2026-01-05,bcbsnc,dc,98941,5,1,", "minutes_on_untimed", 7, "minutes"),
        ("V9,P1,2026-01-05,bcbsnc,dc,97112,ten,2,", "bad_minutes", 7, "minutes"),
        ("V9,P1,2026-01-05,bcbsnc,dc,97112,,2,", "missing_minutes", 7, "minutes"),
        ("V9,P1,2026-01-05,bcbsnc,dc,97112,23,two,", "bad_units", 8, "units"),
        ("V9,P1,2026-01-05,Blue Shield,dc,97112,23,2,", "unknown_payer", 4, "payer"),
        ("V9,P1,05/01/2026,bcbsnc,dc,97112,23,2,", "bad_date", 3, "dos"),
        ("V9,P1,2026-02-30,bcbsnc,dc,97112,23,2,", "bad_date", 3, "dos"),
        ("V9,P1,2026-01-05,bcbsnc,md,97112,23,2,", "bad_provider", 5, "provider"),
        ("V9,P1,2026-01-05,bcbsnc,dc,97112,23,2,59/GPX", "bad_modifier", 9, "modifiers"),
        ("V9,,2026-01-05,bcbsnc,dc,97112,23,2,", "missing_patient_id", 2, "patient_id"),
        ("V9,P1,2026-01-05,bcbsnc,dc,97112,23,2,59,GP", "extra_columns", None, ""),
    ],
)
def test_a_bad_row_names_row_and_column_and_the_rest_is_checked(
    row: str, code: str, column: int | None, name: str
) -> None:
    report = audit_text(text(row, "V2,P2,2026-01-05,bcbsnc,dc,97112,23,3,"))
    assert [(p.code, p.row, p.column, p.column_name) for p in report.problems] == [
        (code, 2, column, name)
    ]
    assert report.problems[0].message
    assert [(f.visit_id, f.kind) for f in report.findings] == [("V2", "units-over")]
    assert (report.summary.visits, report.summary.visits_checked) == (2, 1)


def test_the_payer_map_maps_other_spellings() -> None:
    row = "V1,P1,2026-01-05,BCBS of NC,dc,97112,23,2,"
    assert audit_text(text(row)).problems[0].code == "unknown_payer"
    mapping = parse_payer_map('[payers]\n"bcbs of nc" = "bcbsnc"\n')
    report = audit_text(text(row), payer_map=mapping)
    assert report.problems == () and report.findings == ()
    with pytest.raises(CalcError) as err:
        parse_payer_map('[payers]\n"BCBS" = "blue"\n')
    assert err.value.code == "bad_payer_map"


def test_user_column_names_map_to_the_canonical_ones() -> None:
    header = "Claim,Member,Service Date,Plan,Prov,CPT,Mins,Qty,Mods"
    with pytest.raises(CalcError) as err:
        audit_text(text(CLEAN, header=header))
    assert err.value.code == "missing_column" and "'visit_id'" in err.value.message
    columns = dict(zip(REQUIRED, header.split(","), strict=True))
    report = audit_text(text(CLEAN.rstrip("\n"), header=header), columns=columns)
    assert report.summary.visits_checked == 1 and report.findings == ()


def test_header_names_match_case_and_space_insensitively() -> None:
    header = " Visit ID,PATIENT_ID,Dos,Payer,provider,Code,Minutes,Units,Modifiers "
    report = audit_text(text(CLEAN.rstrip("\n"), header=header))
    assert report.summary.visits_checked == 1


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        ("", "empty_file", "empty"),
        ("\n\n", "empty_file", "Row 1"),
        (HEADER + "\n", "no_rows", "no claim lines"),
        (HEADER.replace(",", ";") + "\nV1;P1\n", "wrong_delimiter", "';'"),
        (HEADER.replace(",", "\t") + "\n", "wrong_delimiter", "tabs"),
        (HEADER.replace(",units", "") + "\n", "missing_column", "'units'"),
        (HEADER + ",Code\n", "duplicate_header", "columns 6 and 10"),
        (HEADER + '\nV1,P1,2026-01-05,bcbsnc,dc,97112,23,2,"59\n', "unclosed_quote", "Row 2"),
    ],
)
def test_file_level_problems_are_clear_errors(content: str, code: str, where: str) -> None:
    with pytest.raises(CalcError) as err:
        audit_text(content)
    assert err.value.code == code
    assert where in err.value.message


def test_the_browser_size_limit_is_named() -> None:
    with pytest.raises(CalcError) as err:
        Auditor(size=200 * 1024 * 1024, limit=BROWSER_MAX_BYTES)
    assert err.value.code == "too_large" and "100 MB" in err.value.message


def test_a_visit_split_across_the_file_is_checked_as_one_visit() -> None:
    """V1's CMT and its 97112 are apart: together, 97112 with 98941 gets 59 then GP
    (HNS), so 59-GP is right and nothing is found; each part alone would be wrong."""
    report = audit_text(
        text(
            "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,",
            "V2,P2,2026-01-05,bcbsnc,dc,97112,23,2,",
            "V1,P1,2026-01-05,bcbsnc,dc,97112,23,2,59-GP",
            "V3,P3,2026-01-05,bcbsnc,dc,98941,,1,",
            "V3,P3,2026-01-06,bcbsnc,dc,97112,23,2,59-GP",
        )
    )
    assert [(p.code, p.row, p.column_name) for p in report.problems] == [
        ("visit_disagrees", 6, "dos"),
    ]
    assert found(report) == Counter()
    summary = report.summary
    assert (summary.visits, summary.visits_checked, summary.split_visits) == (3, 2, 1)
    assert "1 visit had rows apart in the file: checked as one." in summary.text


def test_a_split_visit_gets_the_findings_of_the_whole_visit() -> None:
    report = audit_text(
        text(
            "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,",
            "V2,P2,2026-01-05,bcbsnc,dc,98941,,1,",
            "V1,P1,2026-01-05,bcbsnc,dc,97112,23,3,59-GP",  # 23 min: 2 units
            "V3,P3,2026-01-05,bcbsnc,dc,98941,,1,",
            "V1,P1,2026-01-05,bcbsnc,dc,97140,15,1,",  # same day as V1: 59 (NCCI)
        )
    )
    assert [(f.visit_id, f.kind, f.code, f.row) for f in report.findings] == [
        ("V1", "units-over", "97112", 4),
        ("V1", "modifier-missing", "97140", 6),
    ]
    assert "97112:23" in report.findings[0].link and "97140:15" in report.findings[0].link
    assert report.problems == () and report.summary.visits == report.summary.visits_checked == 3


def test_a_split_visit_whose_parts_disagree_or_have_a_bad_row_is_not_checked() -> None:
    report = audit_text(
        text(
            "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,",
            "V2,P2,2026-01-05,bcbsnc,dc,98941,,1,",
            "V1,P1,2026-01-06,bcbsnc,dc,97112,23,3,",  # another day: the visit disagrees
            "V3,P3,2026-01-05,bcbsnc,dc,98941,,1,",
            "V4,P4,2026-01-05,bcbsnc,dc,97112,ten,2,",  # a bad row in V4's first part
            "V3,P3,2026-01-05,bcbsnc,dc,97112,23,3,59-GP",
            "V4,P4,2026-01-05,bcbsnc,dc,98941,,1,",
        )
    )
    assert [(p.code, p.row) for p in report.problems] == [
        ("visit_disagrees", 4),
        ("bad_minutes", 6),
    ]
    assert [(f.visit_id, f.kind) for f in report.findings] == [("V3", "units-over")]
    summary = report.summary
    assert (summary.visits, summary.visits_checked, summary.split_visits) == (4, 2, 3)


def test_the_trend_counts_a_split_visit_once() -> None:
    """Three visits of two therapies: the reminder; a split visit must not count twice."""
    rows = [
        f"{v},P1,2026-01-{d},bcbsnc,dc,{code},15,1,"
        for v, d in (("V1", "05"), ("V2", "12"))
        for code in ("97112", "97110")
    ]
    split = [*rows, "V9,P9,2026-01-05,bcbsnc,dc,98941,,1,"]
    split.insert(1, "V8,P8,2026-01-05,bcbsnc,dc,98941,,1,")  # V1 is split by V8
    assert found(audit_text(text(*split))) == Counter()  # 2 visits: no reminder


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_moving_rows_of_visits_apart_changes_no_finding(rnd: Any) -> None:
    """The planted file with some visits' rows moved elsewhere in the file gets the same
    findings (visit, kind, code) and counts as the sorted file."""
    lines, _ = generate(120, planted_every=5)
    header, *rows = list(lines)
    sorted_report = audit_text("\n".join([header, *rows]) + "\n")
    moved = list(rows)
    for _ in range(rnd.randint(1, 6)):
        row = moved.pop(rnd.randrange(len(moved)))
        moved.insert(rnd.randrange(len(moved) + 1), row)
    report = audit_text("\n".join([header, *moved]) + "\n")

    def seen(r: Report) -> Counter[tuple[str, str, str]]:
        # a visit's codes are named in the order of its rows, which moving may change
        return Counter(
            (f.visit_id, f.kind, ", ".join(sorted(f.code.split(", ")))) for f in r.findings
        )

    assert seen(report) == seen(sorted_report)
    assert report.problems == ()
    assert report.summary.findings == sorted_report.summary.findings
    assert report.summary.visits == report.summary.visits_checked == sorted_report.summary.visits


@pytest.mark.parametrize(
    ("dos", "says"),
    [
        ("2023-12-31", "is before 2024-01-01"),  # the day before covered_from
        ("2027-12-05", "more than a year after"),  # the day after as_of + 12 months
    ],
)
def test_a_visit_dated_outside_the_covered_dates_gets_its_own_finding(dos: str, says: str) -> None:
    """calc/data/rulebook.toml: covered_from 2024-01-01, as_of 2026-12-04 (a year on)."""
    inside = "2024-01-01" if dos < "2024" else "2027-12-04"
    report = audit_text(
        text(f"V1,P1,{dos},bcbsnc,dc,98941,,1,", f"V2,P2,{inside},bcbsnc,dc,98941,,1,")
    )
    (finding,) = report.findings
    assert (finding.kind, finding.visit_id, finding.severity) == (
        "dos-not-covered",
        "V1",
        "warning",
    )
    assert finding.title == "Date of service outside the dates the rule book covers"
    assert says in finding.message and finding.rule == "rulebook-covered-dates"
    assert finding.link == f"payer=bcbsnc&lines=98941&dos={dos}" and finding.row == 2


def test_findings_csv_neutralises_formulas() -> None:
    finding = audit_text(text("V1,=cmd(),2026-01-05,bcbsnc,dc,97112,23,3,")).findings[0]
    out = findings_csv([finding.as_dict()], [])
    assert ",'=cmd()," in out


def test_audit_data_file_is_checked() -> None:
    data = {
        "finding": [{"kind": "units-over", "severity": "fatal", "title": "x"}],
        "trend": {},
    }
    with pytest.raises(CalcError) as err:
        parse_audit_rules("audit.toml", data)
    assert "severity" in err.value.message


# --- streaming: any split of the file gives the same report ---------------------------

QUOTED = text(
    "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,",
    'V1,P1,2026-01-05,bcbsnc,dc,97112,23,3,"59,GP"',
    '"V2",P2,2026-01-05,commercial,dc,97112,38,3,"GP,\n59"',
    "V3,P3,2026-01-06,medicare,dc,97112,23,2,GP",
    "V4,P3,2026-01-07,bcbsnc,dc,97112,ten,2,",
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, len(QUOTED)), max_size=8))
def test_any_split_of_the_text_gives_the_same_report(cuts: list[int]) -> None:
    whole = audit_text(QUOTED)
    points = [0, *sorted(cuts), len(QUOTED)]
    auditor = Auditor()
    for a, b in pairwise(points):
        auditor.feed(QUOTED[a:b])
    assert auditor.finish() == whole
    assert [f.kind for f in whole.findings].count("modifier-missing") == 1  # V3: GY
    assert [p.code for p in whole.problems] == ["bad_minutes"]


def test_the_browser_session_reads_the_file_again_for_a_split_visit() -> None:
    """calc.audit.Session (engine-audit.mjs): finish asks for the file once more."""
    import json

    from calc.audit import Session

    split = text(
        "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,",
        "V2,P2,2026-01-05,bcbsnc,dc,98941,,1,",
        "V1,P1,2026-01-05,bcbsnc,dc,97112,23,3,59-GP",
    )
    session = Session("{}")
    for a, b in pairwise([0, 50, 120, len(split)]):
        assert "progress" in json.loads(session.feed(split[a:b]))
    assert json.loads(session.finish()) == {"again": True}
    for a, b in pairwise([0, 70, len(split)]):
        assert "progress" in json.loads(session.feed(split[a:b]))
    answer = json.loads(session.finish())
    assert answer["report"] == audit_text(split).as_dict()
    assert [(f["visit_id"], f["kind"]) for f in answer["report"]["findings"]] == [
        ("V1", "units-over")
    ]
    # a file without split visits is answered at once
    session = Session("{}")
    session.feed(text("V1,P1,2026-01-05,bcbsnc,dc,98941,,1,"))
    assert "report" in json.loads(session.finish())
