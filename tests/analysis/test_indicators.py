"""Indicators against the truth.

1. The generated messy sample (gonghui_kit.ledgers.sample) carries the ground truth
   of every record it planted: load it and compare every canonical record and
   value, every planted anomaly, and the §5 indicators recomputed here from
   the truth with plain Python.
2. A small hand-built workbook whose every §5 value is computed by hand below.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from conftest import Sheet

from gonghui_kit.ledgers.sample.expected import mismatches, truth_indicators
from gonghui_kit.schema import load_schema

SCHEMA = load_schema()
YUAN = 0.005  # amounts to the fen
RATE = 1e-6


# --------------------------------------------------------------------------
# 1. the generated sample


@pytest.fixture(scope="module")
def loaded_sample(sample_result):
    from gonghui_kit.analysis.indicators import compute_indicators
    from gonghui_kit.ingest.load import load_ledgers

    d, res = sample_result
    if not getattr(res, "truth", None):
        pytest.skip("generate_sample() returned no ground truth")
    led = load_ledgers(d)
    return res, led, compute_indicators(led)


def _key(source_file: str) -> str:
    """source_file is shown relative to the folder's parent: drop the folder."""
    return source_file.split("/", 1)[1] if "/" in source_file else source_file


def _as_date(v):
    if v is None:
        return None
    if isinstance(v, tuple):
        return dt.date(v[0], v[1], 1)
    return v


def _same(col, truth, got) -> bool:
    if col.type == "date":
        if truth is None:
            return pd.isna(got)
        if pd.isna(got):
            return False
        got = pd.Timestamp(got)
        if isinstance(truth, tuple):
            return (got.year, got.month) == truth
        return got.date() == truth
    if col.type in ("count", "money", "number"):
        if truth is None:
            return got is None or (isinstance(got, float) and math.isnan(got))
        return (
            got is not None
            and not pd.isna(got)
            and abs(float(got) - float(truth)) <= (YUAN if col.type == "money" else 1e-9)
        )
    if truth is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    return got == truth


def test_sample_workbooks_all_read(loaded_sample):
    res, led, _ = loaded_sample
    files = {_key(f): s for f, s in zip(led.files["file"], led.files["status"], strict=False)}
    for rel, _t in res.truth.items():
        assert files.get(rel) == "ok", (
            rel,
            files.get(rel),
            [(f.code, f.message) for f in led.findings if _key(f.file) == rel and f.severity == "error"],
        )
    info = led["info"].assign(key=lambda d: d["source_file"].map(_key)).set_index("key")
    for rel, t in res.truth.items():
        row = info.loc[rel]
        assert row["unit"] == t["unit"] and row["year"] == t["year"]
        assert row["employees"] == t["info"]["employees"]


def test_sample_records_match_truth(loaded_sample):
    res, led, _ = loaded_sample
    problems: list[str] = []
    for key in [s.key for s in SCHEMA.record_sheets]:
        sheet = SCHEMA.sheet(key)
        df = led[key]
        df = df.assign(_file=df["source_file"].map(_key))
        groups = {k: g.set_index("excel_row") for k, g in df.groupby("_file")}
        for rel, t in res.truth.items():
            st = t["sheets"].get(key)
            got = groups.get(rel)
            if st is None:
                if got is not None and len(got):
                    problems.append(f"{rel} {key}: {len(got)} records but the sheet is absent in the truth")
                continue
            want_rows = [r["_row"] for r in st["records"]]
            have_rows = [] if got is None else got.index.tolist()
            if sorted(want_rows) != sorted(have_rows):
                problems.append(
                    f"{rel} {key}: rows missing {sorted(set(want_rows) - set(have_rows))[:10]}, "
                    f"extra {sorted(set(have_rows) - set(want_rows))[:10]}"
                )
                continue
            for r in st["records"]:
                rec = got.loc[r["_row"]]
                for col in sheet.columns:
                    if col.pii or col.key not in r:
                        continue
                    if not _same(col, r[col.key], rec[col.key]):
                        problems.append(
                            f"{rel} {st['name']} row {r['_row']} {col.key}: "
                            f"truth {r[col.key]!r}, loaded {rec[col.key]!r}"
                        )
                if sheet.date_column and isinstance(r.get(sheet.date_column), tuple):
                    if rec[f"{sheet.date_column}_precision"] != "month":
                        problems.append(
                            f"{rel} {key} row {r['_row']}: month-only date read with precision "
                            f"{rec[f'{sheet.date_column}_precision']}"
                        )
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems[:40])


ANOMALY_CODES = {
    "subtotal": {"subtotal"},
    "duplicate": {"duplicate"},
    "other_year": {"other_year"},
    "note": {"note"},
    "no_date": {"no_date"},
    "unknown_category": {"category_unknown", "account_unknown"},
    "approx_number": {"number_approx"},
}


def test_sample_anomalies_are_named(loaded_sample):
    res, led, _ = loaded_sample
    at = defaultdict(set)
    for f in led.findings:
        at[(_key(f.file), f.sheet, f.row)].add(f.code)
    counted = defaultdict(set)
    for key in [s.key for s in SCHEMA.record_sheets]:
        for f_, r in zip(led[key]["source_file"], led[key]["excel_row"], strict=False):
            counted[_key(f_)].add((key, int(r)))
    problems = []
    for rel, t in res.truth.items():
        for a in t["anomalies"]:
            codes = at.get((rel, a["sheet"], a["row"]), set())
            want = ANOMALY_CODES.get(a["kind"])
            if want and not (codes & want):
                problems.append(f"{rel} {a['sheet']} row {a['row']} {a['kind']}: findings {sorted(codes)}")
            is_counted = (a["sheet_key"], a["row"]) in counted[rel]
            if is_counted != a["counted"]:
                problems.append(
                    f"{rel} {a['sheet']} row {a['row']} {a['kind']}: counted={is_counted}, truth says {a['counted']}"
                )
    assert not problems, "\n".join(problems[:40])


def test_sample_indicators_match_truth(loaded_sample):
    res, _led, ind = loaded_sample
    got = {(r.unit, r.year, r.indicator, r.category): r.value for r in ind.itertuples(index=False)}
    problems = [
        f"{k}: absent" if have == "absent" else f"{k}: truth {want}, computed {have}"
        for k, want, have in mismatches(truth_indicators(res.truth.values()), got, yuan=YUAN, rate=RATE)
    ]
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems[:40])


# --------------------------------------------------------------------------
# 2. a hand-built workbook, every value computed by hand

Y = 2023
MEMBERS = [
    ["姓名", "性别", "出生日期", "入会日期", "离会日期", "状态"],
    ["甲", "女", "1990-06-01", "2010-01-01", None, None],  # member, 33: young
    ["乙", "男", "1988-12-31", "2015-05-01", None, "在册"],  # member, 35 on 12-31: not young
    ["丙", "女", "1989-01-01", "2023-03-01", None, None],  # member, new, 34: young
    ["丁", "男", "1970-01-01", "2005-01-01", "2023-06-30", "转出"],  # left in the year
    ["戊", "女", "1975-01-01", "2006-01-01", "2024-02-01", "转出"],  # leaves after the year: member
    ["己", "男", None, "2023-12-31", None, None],  # member, new, no birth date
    ["庚", "女", "1995-01-01", "2024-01-05", None, None],  # joins after the year
    ["辛", "男", "1980-01-01", "2001-01-01", None, "转出"],  # 转出 without a date: still counted
    ["壬", "女", "1960-01-01", "2000-01-01", "2023-12-31", "退休"],  # left on 12-31
    ["癸", "男", "2000-05-05", "2023年7月", None, None],  # member, new (month only), young
]
ACTIVITIES = [
    ["日期", "活动名称", "活动类别", "参与人数", "支出金额"],
    ["2023-01-10", "新春联欢", "节日活动", 50, "1,000"],
    ["2023年3月", "三八活动", "女职工活动", "约30人", 500],
    ["2023-03-15", "篮球赛", "体育活动", 20, "0.2万"],
    [None, "志愿者服务", "志愿服务", 10, "—"],
    ["2022-12-30", "上年补录", "文体活动", 99, 999],
    ["7月1日", "打牌", "打牌", "8", 300.55],
    ["合计", None, None, 217, 4799.55],
    ["2023-01-10", "新春联欢", "节日活动", 50, "1,000"],
]
FUNDS = [
    ["日期", "收支", "科目", "金额"],
    ["2023-01-05", "收入", "会费收入", 5000],
    ["2023-01-06", None, "拨缴经费", "2万"],
    ["2023-02-01", "收入", "事业收入", 1000],
    ["2023-03-01", "支出", "职工活动支出-文体活动", 3000],
    ["2023-03-02", None, "文体活动支出", "1200.50"],
    ["2023-04-01", "支出", "职工集体福利", 800],
    ["2023-05-01", "支出", "事业支出", 600],
    ["2023-06-01", "支出", "送温暖", "400元"],
    ["2023-06-02", "支出", "会议", 250.25],
    ["2022-12-31", "收入", "会费收入", 99999],
    [None, "小计", None, 32250.75],
]
CARE = [
    ["日期", "慰问对象", "事由", "人次", "金额"],
    ["2023-02-01", "张某", "住院", None, 500],
    ["2023-03-01", "李某", "结婚", 2, "1千"],
    ["2023-04-01", "王某", "生病住院", 3, 300],
    ["2023-05-01", "赵某", "打官司", 1, 200],
]
PROPOSALS = [
    ["提案编号", "提出日期", "提案人", "标题", "是否立案", "办理状态", "答复日期"],
    ["1", "2023-03-01", "A", "t1", "是", "已办结", "2023-03-11"],  # closed, 10 days
    ["2", "2023-04-01", "B", "t2", None, "已办结", "2023-05-01"],  # blank = 是; closed, 30 days
    ["3", "2023-05-01", "C", "t3", "否", "未办理", None],
    ["4", "2023-06-01", "D", "t4", "是", "办理中", None],
    ["5", "2023-07-01", "E", "t5", None, "已办结", None],  # closed, no reply date
    ["6", "2023-08-01", "F", "t6", "否", "已办结", "2023-08-05"],  # not accepted: not closed
]
PUBLICITY = [
    ["日期", "形式", "级别", "数量"],
    ["2023-01-01", "报刊文章", "省级", 2],
    ["2023-02-01", "微信公众号", "内部", None],  # blank = 1
    ["2023-03-01", "横幅", "市级", "3块"],
    ["2023-04-01", "报刊", "国家级", 1],
]
TRAINING = [
    ["日期", "项目名称", "类型", "学时", "参训人数"],
    ["2023-03-01", "安全培训", "安全生产", 2, 30],  # 60
    ["2023-04-01", "法律讲座", "法律法规", 1.5, "20人"],  # 30
    ["2023-05-01", "政治学习", "政治理论", "—", 10],  # hours missing
]
AWARDS = [
    ["日期", "荣誉名称", "级别"],
    ["2023-01-01", "a", "省级"],
    ["2023-02-01", "b", "市厅级"],
    ["2023-03-01", "c", "市厅级"],
]

MT = 7  # members_total: 甲 乙 丙 戊 己 辛 癸


def _expected_hand() -> dict[tuple[str, str], float]:
    cats = SCHEMA.categories
    e: dict[tuple[str, str], float] = {}

    def split(ind, labels, given, prefix=""):
        for lab in labels:
            e[(ind, prefix + lab)] = given.get(lab, 0.0)

    e[("employees", "")] = 10
    e[("members_total", "")] = MT
    e[("members_new", "")] = 3  # 丙 己 癸
    e[("membership_rate", "")] = 0.7
    e[("female_share", "")] = 3 / 7  # 甲 丙 戊
    e[("youth_share", "")] = 3 / 6  # 甲 丙 癸 of 甲 乙 丙 戊 辛 癸
    e[("activities", "")] = 5
    split(
        "activities",
        cats["activity_category"].labels,
        {"节日活动": 1, "女职工活动": 1, "文体活动": 1, "志愿服务": 1, "其他": 1},
    )
    e[("activity_participants", "")] = 118
    split(
        "activity_participants",
        cats["activity_category"].labels,
        {"节日活动": 50, "女职工活动": 30, "文体活动": 20, "志愿服务": 10, "其他": 8},
    )
    e[("activity_spend", "")] = 3800.55
    e[("participation_per_member", "")] = 118 / 7
    split("activities_by_month", [f"{m:02d}" for m in range(1, 13)], {"01": 1, "03": 2, "07": 1})
    e[("income_total", "")] = 26000
    split(
        "income_total", SCHEMA.accounts["income"], {"会费收入": 5000, "拨缴经费收入": 20000, "附属单位上缴收入": 1000}
    )
    e[("expense_total", "")] = 6250.75
    split(
        "expense_total",
        SCHEMA.accounts["expense"],
        {"职工活动支出": 5000.5, "对附属单位的支出": 600, "维权支出": 400, "业务支出": 250.25},
    )
    e[("balance", "")] = 19749.25
    e[("expense_ratio", "")] = 6250.75 / 26000
    e[("activity_expense_per_member", "")] = 5000.5 / 7
    e[("care_visits", "")] = 7
    split("care_visits", cats["care_reason"].labels, {"生病住院": 4, "婚嫁": 2, "其他": 1})
    e[("care_amount", "")] = 2000
    split("care_amount", cats["care_reason"].labels, {"生病住院": 800, "婚嫁": 1000, "其他": 200})
    e[("proposals", "")] = 6
    e[("proposals_accepted", "")] = 4
    e[("proposals_closed", "")] = 3
    e[("proposal_close_rate", "")] = 0.75
    e[("proposal_days", "")] = 20
    e[("publicity_items", "")] = 7
    split("publicity_items", cats["publicity_form"].labels, {"报刊文章": 3, "网络新媒体": 1, "横幅": 3}, "形式:")
    split("publicity_items", cats["publicity_level"].labels, {"省级": 2, "内部": 1, "市级": 3, "国家级": 1}, "级别:")
    e[("training_sessions", "")] = 3
    e[("training_person_times", "")] = 60
    e[("training_hours", "")] = 90
    e[("training_hours_per_member", "")] = 90 / 7
    e[("awards", "")] = 3
    split("awards", cats["award_level"].labels, {"省部级": 1, "市厅级": 2})
    return e


@pytest.fixture
def hand_ledger(make_book, tmp_path):
    from gonghui_kit.analysis.indicators import compute_indicators
    from gonghui_kit.ingest.load import load_ledgers

    title = dict(title="2023年手算分工会台账")
    make_book(
        {
            "会员名册": Sheet(MEMBERS, **title),
            "活动台账": Sheet(ACTIVITIES, notes=["填表说明：手算"], **title),
            "经费收支": Sheet(FUNDS, **title),
            "慰问帮扶": CARE,
            "职代会提案": PROPOSALS,
            "宣传报道": PUBLICITY,
            "培训学习": TRAINING,
            "荣誉表彰": AWARDS,
        },
        info={"unit": "手算分工会", "year": Y, "employees": "10人"},
        folder="data",
        name="手算.xlsx",
    )
    # a unit with nothing to divide by: no employees, no members, no income, no accepted proposal
    make_book(
        {
            "经费收支": [["日期", "收支", "科目", "金额"], ["2023-02-01", "支出", "业务支出", 100]],
            "职代会提案": [["提出日期", "标题", "是否立案"], ["2023-03-01", "x", "否"]],
        },
        info={"unit": "空分工会", "year": Y, "employees": 0},
        folder="data",
        name="空.xlsx",
    )
    make_book(
        {"活动台账": [["日期", "活动名称", "参与人数"], ["2023-03-01", "x", 5]]},
        info={"unit": "无人数分工会", "year": Y, "employees": None},
        folder="data",
        name="无人数.xlsx",
    )
    led = load_ledgers(tmp_path / "data", year=Y)
    return led, compute_indicators(led)


def test_hand_built_every_indicator(hand_ledger):
    led, ind = hand_ledger
    assert set(led.files["status"]) == {"ok"}
    mine = ind[(ind["unit"] == "手算分工会") & (ind["year"] == Y)]
    assert list(mine.columns) == ["unit", "year", "indicator", "category", "value"]
    got = {(r.indicator, r.category): r.value for r in mine.itertuples(index=False)}
    want = _expected_hand()
    assert set(got) == set(want), (sorted(set(want) - set(got))[:10], sorted(set(got) - set(want))[:10])
    amounts = {
        "activity_spend",
        "income_total",
        "expense_total",
        "balance",
        "care_amount",
        "activity_expense_per_member",
    }
    bad = []
    for k, w in want.items():
        tol = YUAN if k[0] in amounts else RATE * max(1.0, abs(w))
        if math.isnan(got[k]) or abs(got[k] - w) > tol:
            bad.append((k, w, got[k]))
    assert not bad, bad
    # every §5 indicator is there
    spec5 = [
        "employees",
        "members_total",
        "members_new",
        "membership_rate",
        "female_share",
        "youth_share",
        "activities",
        "activity_participants",
        "activity_spend",
        "participation_per_member",
        "activities_by_month",
        "income_total",
        "expense_total",
        "balance",
        "expense_ratio",
        "activity_expense_per_member",
        "care_visits",
        "care_amount",
        "proposals",
        "proposals_accepted",
        "proposals_closed",
        "proposal_close_rate",
        "proposal_days",
        "publicity_items",
        "training_sessions",
        "training_person_times",
        "training_hours",
        "training_hours_per_member",
        "awards",
    ]
    assert set(mine["indicator"]) == set(spec5)


def test_zero_or_missing_denominator_is_nan(hand_ledger):
    from gonghui_kit.analysis.indicators import value_of

    _led, ind = hand_ledger
    for key in (
        "membership_rate",
        "female_share",
        "youth_share",
        "participation_per_member",
        "expense_ratio",
        "activity_expense_per_member",
        "proposal_close_rate",
        "proposal_days",
        "training_hours_per_member",
    ):
        v = value_of(ind, "空分工会", Y, key)
        assert math.isnan(v), (key, v)
    assert value_of(ind, "空分工会", Y, "members_total") == 0
    assert value_of(ind, "空分工会", Y, "income_total") == 0
    assert value_of(ind, "空分工会", Y, "expense_total") == 100
    assert value_of(ind, "空分工会", Y, "balance") == -100
    assert value_of(ind, "空分工会", Y, "activities") == 0  # sheet absent: nothing recorded
    assert value_of(ind, "空分工会", Y, "proposals") == 1
    assert math.isnan(value_of(ind, "无人数分工会", Y, "employees"))
    assert math.isnan(value_of(ind, "无人数分工会", Y, "membership_rate"))
    assert not np.isinf(ind["value"].to_numpy(dtype=float)).any()


def test_hand_built_findings(hand_ledger):
    """The excluded rows of the hand-built workbook are named where a person looks."""
    led, _ = hand_ledger
    f = {(x.sheet, x.row, x.code) for x in led.findings if x.unit == "手算分工会"}
    # title (row 1) + blank (2) + header (3): data start on row 4
    assert ("活动台账", 8, "other_year") in f
    assert ("活动台账", 10, "subtotal") in f
    assert ("活动台账", 11, "duplicate") in f
    assert ("活动台账", 7, "no_date") in f
    assert ("活动台账", 9, "category_unknown") in f
    assert ("活动台账", 5, "number_approx") in f
    assert ("活动台账", 13, "note") in f
    assert ("经费收支", 13, "other_year") in f
    assert ("经费收支", 14, "subtotal") in f
