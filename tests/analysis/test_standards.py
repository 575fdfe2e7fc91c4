"""standards.py: rule selection, each kind of check, findings without personal data."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from gonghui_kit.analysis.standards import (
    BREACH_COLUMNS,
    Standards,
    StandardsWarning,
    breach_findings,
    breaches_frame,
    check_standards,
    load_standards,
)
from gonghui_kit.analysis.units import UnitRegistry
from gonghui_kit.ingest.findings import ACTIONS

ROOT = Path(__file__).resolve().parents[2]
FILE = "2023年甲分工会台账.xlsx"


def care(rows, unit="甲分工会", year=2023):
    """rows: (excel_row, recipient, reason, visits, amount, form)."""
    df = pd.DataFrame(rows, columns=["excel_row", "recipient", "reason", "visits", "amount", "form"])
    df.insert(0, "unit", unit)
    df.insert(1, "year", year)
    df.insert(2, "source_file", FILE if unit == "甲分工会" else f"{year}年{unit}台账.xlsx")
    df.insert(3, "sheet", "慰问台账")
    df["year"] = df["year"].astype("int64")
    df["visits"] = df["visits"].astype("float64")
    df["amount"] = df["amount"].astype("float64")
    return df


def ind_for(members: dict, rates: dict | None = None):
    rows = [(u, y, "members_total", "", v) for (u, y), v in members.items()]
    rows += [(u, y, "membership_rate", "", v) for (u, y), v in (rates or {}).items()]
    return pd.DataFrame(rows, columns=["unit", "year", "indicator", "category", "value"]).astype(
        {"year": "int64", "value": "float64"}
    )


RULES = {
    "default_province": "示例省",
    "rules": [
        {
            "id": "fest_no_cash",
            "title": "节日慰问不得发放现金",
            "province": "全国",
            "valid_from": 2018,
            "kind": "forbidden_form",
            "reasons": ["节日慰问", "生日"],
            "forms": ["现金"],
            "source": "《办法》",
        },
        {
            "id": "bday_once",
            "title": "生日慰问每年一次",
            "province": "*",
            "kind": "max_count_per_person_year",
            "reasons": ["生日"],
            "max_count": 1,
            "source": "《办法》",
        },
        {
            "id": "rate_min",
            "title": "入会率要求",
            "province": "全国",
            "kind": "min_indicator",
            "indicator": "membership_rate",
            "min": 0.9,
            "source": "评选条件",
        },
        {
            "id": "fest_cap_2018",
            "title": "节日慰问年度标准",
            "province": "示例省",
            "valid_from": 2018,
            "valid_to": 2024,
            "kind": "cap_per_member_year",
            "reasons": ["节日慰问"],
            "cap": 1500,
            "source": "《实施意见》",
            "example": True,
        },
        {
            "id": "fest_cap_2025",
            "title": "节日慰问年度标准",
            "province": "示例省",
            "valid_from": 2025,
            "kind": "cap_per_member_year",
            "reasons": ["节日慰问"],
            "cap": 2200,
            "source": "《通知》",
        },
        {
            "id": "fest_avg_2018",
            "title": "节日慰问人均标准",
            "province": "示例省",
            "valid_from": 2018,
            "valid_to": 2024,
            "kind": "cap_per_member_year",
            "scope": "unit",
            "reasons": ["节日慰问"],
            "cap": 1500,
            "source": "《实施意见》",
        },
        {
            "id": "wedding_cap",
            "title": "结婚慰问标准",
            "province": "示例省",
            "kind": "cap_per_event",
            "reasons": ["婚嫁"],
            "cap": 1000,
            "source": "《实施意见》",
        },
        {
            "id": "funeral_cap",
            "title": "丧葬慰问标准",
            "province": "示例省",
            "kind": "cap_per_event",
            "reasons": ["丧葬"],
            "cap": 1000,
            "source": "《实施意见》",
        },
        {
            "id": "illness_cap_nat",
            "title": "生病住院慰问标准",
            "province": "全国",
            "kind": "cap_per_event",
            "reasons": ["生病住院"],
            "cap": 500,
            "source": "《全国》",
        },
        {
            "id": "illness_cap_prov",
            "title": "生病住院慰问标准",
            "province": "示例省",
            "kind": "cap_per_event",
            "reasons": ["生病住院"],
            "cap": 1000,
            "source": "《实施意见》",
        },
    ],
}


@pytest.fixture
def std():
    return Standards.from_dict(RULES)


A_ROWS = [
    (5, "Pa1", "节日慰问", 1, 800, "实物"),
    (6, "Pa1", "节日慰问", 1, 900, "实物"),  # Pa1: 1,700 > 1,500 (rows 5, 6)
    (7, "Pa2", "节日慰问", 1, 600, "现金"),  # cash
    (8, None, "节日慰问", 1, 1600, "实物"),  # no recipient: one record already > 1,500
    (9, "Pa3", "生日", 1, 200, "实物"),
    (10, "Pa3", "生日", 1, 200, "实物"),  # twice a year
    (11, "Pa4", "婚嫁", 1, 1200, "实物"),  # > 1,000 per event
    (12, None, "生病住院", 3, 2400, "实物"),  # 3 people × 800: fine under 示例省 1,000
    (13, "Pa5", "丧葬", 2, 2400, "实物"),  # 2 × 1,200 > 1,000
    (14, "Pa6", "困难帮扶", 1, 5000, "现金"),  # no rule for 困难帮扶
]


def tables_a():
    b = care([(5, "Pb1", "节日慰问", 1, 1400, "实物"), (6, "Pb2", "节日慰问", 1, 1400, "实物")], unit="乙分工会")
    return {"care": pd.concat([care(A_ROWS), b], ignore_index=True)}


IND = ind_for({("甲分工会", 2023): 10, ("乙分工会", 2023): 1}, {("甲分工会", 2023): 0.95, ("乙分工会", 2023): 0.5})


def test_applicable_selection_by_province_and_year(std):
    ids = lambda rules: sorted(r.id for r in rules)
    # default province 示例省, 2023: provincial beats national for 生病住院
    got = ids(std.applicable("甲分工会", 2023))
    assert got == sorted(
        [
            "fest_no_cash",
            "bday_once",
            "rate_min",
            "fest_cap_2018",
            "fest_avg_2018",
            "wedding_cap",
            "funeral_cap",
            "illness_cap_prov",
        ]
    )
    # 2025: the 2025 cap replaces the 2018 one; the avg rule has expired
    got = ids(std.applicable("甲分工会", 2025))
    assert "fest_cap_2025" in got and "fest_cap_2018" not in got and "fest_avg_2018" not in got
    # another province: national rules only
    got = ids(std.applicable("甲分工会", 2023, province="其他省"))
    assert got == ["bday_once", "fest_no_cash", "illness_cap_nat", "rate_min"]
    # before valid_from
    assert "fest_no_cash" not in ids(std.applicable("甲分工会", 2017))


def test_breaches_each_kind(std):
    b = breaches_frame(tables_a(), IND, std)
    assert list(b.columns) == BREACH_COLUMNS
    got = {(r.unit, r.rule, r.rows): r.actual for r in b.itertuples()}
    assert got == {
        ("甲分工会", "fest_cap_2018", (5, 6)): 1700.0,
        ("甲分工会", "fest_cap_2018", (8,)): 1600.0,
        ("甲分工会", "fest_no_cash", (7,)): 600.0,
        ("甲分工会", "bday_once", (9, 10)): 2.0,
        ("甲分工会", "wedding_cap", (11,)): 1200.0,
        ("甲分工会", "funeral_cap", (13,)): 1200.0,
        # 乙: two people × 1,400 (each fine) but 1 member → 2,800 per member
        ("乙分工会", "fest_avg_2018", (5, 6)): 2800.0,
        ("乙分工会", "rate_min", ()): 0.5,
    }
    lim = {r.rule: r.limit for r in b.itertuples()}
    assert lim["fest_cap_2018"] == 1500 and lim["bday_once"] == 1 and lim["rate_min"] == 0.9
    src = {r.rule: r.source for r in b.itertuples()}
    assert src["fest_cap_2018"] == "《实施意见》"


def test_findings_point_at_rows_and_cite_rule(std):
    fs = check_standards(tables_a(), IND, std)
    assert len(fs) == 8
    for f in fs:
        assert f.code.startswith("standard:")
        assert f.severity == "warning" and f.action in ACTIONS
        assert "Pa" not in f.message and "Pb" not in f.message  # never a pseudonym
    f = next(f for f in fs if f.code == "standard:fest_cap_2018" and f.row == 5)
    assert (f.file, f.sheet, f.column, f.unit, f.year, f.table) == (FILE, "慰问台账", "金额", "甲分工会", 2023, "care")
    assert "1,700元" in f.message and "1,500元" in f.message and "第5–6行" in f.message
    assert "《实施意见》" in f.message and "示例值" in f.message  # example rule says so
    f = next(f for f in fs if f.code == "standard:fest_no_cash")
    assert f.row == 7 and f.column == "形式" and f.value == "现金" and "第7行" in f.message
    f = next(f for f in fs if f.code == "standard:funeral_cap")
    assert "每人次1,200元" in f.message and "2人次" in f.message
    assert breach_findings(breaches_frame(tables_a(), IND, std)) == fs
    f = next(f for f in fs if f.code == "standard:rate_min")
    assert f.row is None and "50%" in f.message and "90%" in f.message
    assert "示例值" not in f.message


def test_2025_rule_is_looser(std):
    t = {"care": care([(5, "P1", "节日慰问", 1, 1000, "实物"), (6, "P1", "节日慰问", 1, 1000, "实物")], year=2025)}
    ind = ind_for({("甲分工会", 2025): 10})
    assert breaches_frame(t, ind, std).empty  # 2,000 ≤ 2,200
    t = {"care": care([(5, "P1", "节日慰问", 1, 1000, "实物"), (6, "P1", "节日慰问", 1, 1000, "实物")], year=2024)}
    b = breaches_frame(t, ind_for({("甲分工会", 2024): 10}), std)
    assert list(b["rule"]) == ["fest_cap_2018"]


def test_registry_province_selects_rules(std):
    reg = UnitRegistry.from_dict({"units": [{"name": "甲分工会", "province": "其他省"}]})
    b = breaches_frame(tables_a(), IND, std, reg)
    # 甲 now only has national rules: cash, birthday, and 生病住院 800 per head > 500
    assert sorted(b[b["unit"] == "甲分工会"]["rule"]) == ["bday_once", "fest_no_cash", "illness_cap_nat"]


def test_unit_override_stricter_applies(std):
    raw = dict(
        RULES, unit_overrides={"甲分工会": [{"rule": "fest_cap_2018", "cap": 500, "source": "《甲分工会细则》"}]}
    )
    s = Standards.from_dict(raw)
    r = next(r for r in s.applicable("甲分工会", 2023) if r.id == "fest_cap_2018")
    assert r.cap == 500 and r.unit == "甲分工会" and r.source == "《甲分工会细则》"
    # still applies in 2025 against the 2025 rule (same subject)
    assert (
        next(
            r
            for r in s.applicable("甲分工会", 2025)
            if r.subject == r.subject and r.kind == "cap_per_member_year" and r.scope == "person"
        ).cap
        == 500
    )
    # others unaffected
    assert next(r for r in s.applicable("乙分工会", 2023) if r.id == "fest_cap_2018").cap == 1500
    b = breaches_frame(tables_a(), IND, s)
    a = b[(b["unit"] == "甲分工会") & (b["rule"] == "fest_cap_2018")]
    assert sorted(a["rows"]) == [(5, 6), (7,), (8,)]  # Pa2's 600 now over 500 too


def test_unit_override_looser_ignored_with_warning(std):
    raw = dict(RULES, unit_overrides={"甲分工会": [{"rule": "fest_cap_2018", "cap": 3000}]})
    s = Standards.from_dict(raw)
    with pytest.warns(StandardsWarning, match="宽松"):
        r = next(r for r in s.applicable("甲分工会", 2023) if r.id == "fest_cap_2018")
    assert r.cap == 1500 and r.unit is None
    assert any("宽松" in w for w in s.warnings)


def test_unit_override_new_rule():
    raw = dict(
        RULES,
        unit_overrides={
            "甲分工会": [
                {
                    "id": "own_retire",
                    "title": "退休慰问标准",
                    "kind": "cap_per_event",
                    "reasons": ["退休"],
                    "cap": 300,
                    "source": "《细则》",
                }
            ]
        },
    )
    s = Standards.from_dict(raw)
    assert "own_retire" in [r.id for r in s.applicable("甲分工会", 2023)]
    assert "own_retire" not in [r.id for r in s.applicable("乙分工会", 2023)]


@pytest.mark.parametrize(
    "rule, msg",
    [
        ({"id": "x", "kind": "nope"}, "未知的检查类型"),
        ({"id": "x", "kind": "cap_per_event", "reasons": ["婚嫁"]}, "cap"),
        ({"id": "x", "kind": "min_indicator", "indicator": "nonsense", "min": 1}, "未知指标"),
        ({"kind": "cap_per_event", "reasons": ["婚嫁"], "cap": 1}, "缺少 id"),
    ],
)
def test_bad_rules_fail_clearly(rule, msg):
    with pytest.raises(ValueError, match=msg):
        Standards.from_dict({"rules": [rule]})


def test_duplicate_ids_and_unknown_override_rule():
    r = {"id": "x", "kind": "cap_per_event", "reasons": ["婚嫁"], "cap": 1}
    with pytest.raises(ValueError, match="重复"):
        Standards.from_dict({"rules": [r, r]})
    with pytest.raises(ValueError, match="不存在"):
        Standards.from_dict({"rules": [r], "unit_overrides": {"甲": [{"rule": "y", "cap": 0}]}})


def test_no_care_table_only_indicator_rules(std):
    b = breaches_frame({}, IND, std)
    assert list(b["rule"]) == ["rate_min"]
    assert breaches_frame({}, IND.iloc[0:0], std).empty


def test_default_yaml_loads_and_is_labelled_example():
    s = load_standards(ROOT / "params" / "standards.yaml")
    assert s.default_province
    text = (ROOT / "params" / "standards.yaml").read_text(encoding="utf-8")
    assert "示例值" in text
    rules = s.applicable("任一单位", 2023)
    kinds = {r.kind for r in rules}
    assert kinds == {
        "cap_per_member_year",
        "max_count_per_person_year",
        "cap_per_event",
        "forbidden_form",
        "min_indicator",
    }
    caps = {r.id: r.cap for r in rules}
    assert caps["festival_cap_2018"] == 1500
    assert {r.id: r.cap for r in s.applicable("任一单位", 2025)}["festival_cap_2025"] == 2200
    assert all(r.example for r in s.rules)


def test_example_ledger_membership_rate(tmp_path):
    from gonghui_kit.analysis.indicators import compute_indicators
    from gonghui_kit.ingest.load import load_ledgers

    ledger = load_ledgers([Path("/work/shared/examples")])
    if not ledger.tables["info"].shape[0]:
        pytest.skip("example ledger not available")
    ind = compute_indicators(ledger)
    fs = check_standards(ledger, ind, load_standards(ROOT / "params" / "standards.yaml"))
    codes = [f.code for f in fs]
    assert "standard:membership_rate_min" in codes  # 127 members / 210 staff = 60.5%
    for f in fs:
        assert not re.search(r"P[0-9a-f]{12}", f.message)
