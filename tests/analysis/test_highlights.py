"""highlights.py on a hand-made indicator table: every rule, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from gonghui_kit.analysis.highlights import COLUMNS, highlights, top
from gonghui_kit.analysis.units import UnitRegistry

REG = UnitRegistry.from_dict({"units": [{"name": u, "kind": "企业", "peer_group": "企业分工会"} for u in "甲乙丙丁"]})


def tidy(rows):
    df = pd.DataFrame(rows, columns=["unit", "year", "indicator", "category", "value"])
    return df.astype({"year": "int64", "value": "float64"})


ROWS = [
    # 甲: growth, first among peers, full closing, national award, new kind, provincial publicity
    ("甲", 2022, "activities", "", 16),
    ("甲", 2023, "activities", "", 20),
    ("甲", 2022, "activities", "文体活动", 2),
    ("甲", 2023, "activities", "文体活动", 5),
    ("甲", 2022, "activities", "技能比武", 0),
    ("甲", 2023, "activities", "技能比武", 3),
    ("甲", 2022, "activities", "其他", 0),
    ("甲", 2023, "activities", "其他", 4),
    ("甲", 2022, "activity_participants", "", 900),
    ("甲", 2023, "activity_participants", "", 1000),
    ("甲", 2022, "membership_rate", "", 0.88),
    ("甲", 2023, "membership_rate", "", 0.95),
    ("甲", 2023, "participation_per_member", "", 5.0),
    ("甲", 2023, "proposals_accepted", "", 4),
    ("甲", 2023, "proposals_closed", "", 4),
    ("甲", 2023, "proposal_close_rate", "", 1.0),
    ("甲", 2023, "awards", "国家级", 1),
    ("甲", 2023, "awards", "省部级", 0),
    ("甲", 2023, "publicity_items", "级别:省级", 2),
    ("甲", 2023, "publicity_items", "级别:国家级", 0),
    # 乙: small base, decline, below peers, low rates
    ("乙", 2022, "activities", "", 1),
    ("乙", 2023, "activities", "", 2),
    ("乙", 2022, "activity_participants", "", 500),
    ("乙", 2023, "activity_participants", "", 300),
    ("乙", 2023, "membership_rate", "", 0.85),
    ("乙", 2023, "participation_per_member", "", 1.0),
    ("乙", 2023, "proposals_accepted", "", 2),
    ("乙", 2023, "proposals_closed", "", 1),
    ("乙", 2023, "proposal_close_rate", "", 0.5),
    # 丙, 丁: the peers
    ("丙", 2023, "activities", "", 10),
    ("丙", 2023, "activity_participants", "", 800),
    ("丙", 2023, "membership_rate", "", 0.92),
    ("丙", 2023, "participation_per_member", "", 4.0),
    ("丁", 2023, "activities", "", 12),
    ("丁", 2023, "activity_participants", "", 700),
    ("丁", 2023, "membership_rate", "", 0.90),
    ("丁", 2023, "participation_per_member", "", 3.0),
    ("丁", 2023, "members_new", "", 40),  # not a key indicator: never "first among peers"
]


@pytest.fixture(scope="module")
def hl():
    return highlights(tidy(ROWS), REG)


def codes(hl, unit, year=2023, kind=None):
    d = hl[(hl["unit"] == unit) & (hl["year"] == year)]
    if kind:
        d = d[d["kind"] == kind]
    return sorted(zip(d["code"], d["indicator"].fillna(""), strict=False))


def row(hl, unit, code, indicator=None):
    d = hl[(hl["unit"] == unit) & (hl["code"] == code) & (hl["year"] == 2023)]
    if indicator:
        d = d[d["indicator"] == indicator]
    assert len(d) == 1, d
    return d.iloc[0]


def test_columns(hl):
    assert list(hl.columns) == COLUMNS
    assert set(hl["kind"]) == {"highlight", "shortcoming"}


def test_highlights_of_jia(hl):
    assert codes(hl, "甲", kind="highlight") == sorted(
        [
            ("yoy_growth", "activities"),  # 16 → 20: +25%
            ("yoy_growth", "membership_rate"),  # 88% → 95%: +7 points
            # 20 of 20/2/10/12 activities, 1000 of 1000/300/800/700 participants: size, not a 亮点
            ("first_in_peer", "membership_rate"),  # 95% of 95/85/92/90
            ("first_in_peer", "participation_per_member"),  # 5 of 5/1/4/3
            ("award_national", "awards"),
            ("close_rate_full", "proposal_close_rate"),  # 4 of 4
            ("new_activity_kinds", "activities"),  # 技能比武 (其他 does not count)
            ("publicity_high", "publicity_items"),
        ]
    )
    assert codes(hl, "甲", kind="shortcoming") == []
    r = row(hl, "甲", "yoy_growth", "activities")
    assert r["value"] == 20 and r["prev_value"] == 16
    assert r["text"] == "活动场次20场次，同比增长25.0%（上年16场次）。"
    r = row(hl, "甲", "yoy_growth", "membership_rate")
    assert r["text"] == "入会率95%，较上年提高7.0个百分点（上年88%）。"
    r = row(hl, "甲", "first_in_peer", "participation_per_member")
    assert r["rank"] == 1 and r["peer_median"] == 3.5
    assert r["text"] == "人均参与次数5次，在同类单位（企业分工会）4家中排名第一（中位数3.5次）。"
    assert row(hl, "甲", "close_rate_full")["text"] == "立案提案4件，全部办结，办结率100%。"
    assert row(hl, "甲", "new_activity_kinds")["text"] == "新开展技能比武3场次，活动形式更加丰富。"
    assert row(hl, "甲", "award_national")["text"] == "全年获得国家级荣誉1项。"
    # levels known without forms (a 横幅 may be among them): not called 媒体
    assert row(hl, "甲", "publicity_high")["text"] == "在省级层面宣传报道2篇（期）。"
    # a first place in a total that grows with size is no highlight
    assert not ((hl["code"] == "first_in_peer") & hl["indicator"].isin(["activities", "activity_participants"])).any()
    assert "members_new" not in set(hl.loc[hl["unit"] == "丁", "indicator"])
    # awards are scored above everything else
    d = hl[(hl["unit"] == "甲") & (hl["kind"] == "highlight")]
    assert d.iloc[0]["code"] == "award_national"
    assert list(d["score"]) == sorted(d["score"], reverse=True)


def test_shortcomings_of_yi(hl):
    assert codes(hl, "乙", kind="highlight") == []  # 1 → 2 activities is not "+100%"
    assert codes(hl, "乙", kind="shortcoming") == sorted(
        [
            ("yoy_decline", "activity_participants"),  # 500 → 300: −40%
            # 2 activities vs a median of 11 is not held against 乙 (size-dependent)
            ("below_peer", "participation_per_member"),  # 1 vs median 3.5: −71.4%
            ("membership_rate_low", "membership_rate"),
            ("close_rate_low", "proposal_close_rate"),
        ]
    )
    assert row(hl, "乙", "yoy_decline")["text"] == "参与人次300人次，同比下降40.0%（上年500人次）。"
    assert row(hl, "乙", "below_peer")["text"] == "人均参与次数1次，低于同类单位（企业分工会）中位数（3.5次）71.4%。"
    assert row(hl, "乙", "close_rate_low")["text"] == "立案提案2件，办结1件，办结率50%，低于80%。"
    assert row(hl, "乙", "membership_rate_low")["text"] == "入会率85%，低于90%。"


def test_breaches_become_shortcomings_and_replace_membership_rule():
    b = pd.DataFrame(
        [
            {
                "unit": "乙",
                "year": 2023,
                "rule": "rate_min",
                "title": "入会率要求",
                "actual": 0.85,
                "limit": 0.9,
                "rows": (),
                "source": "评选条件",
                "kind": "min_indicator",
                "scope": "person",
                "indicator": "membership_rate",
                "reasons": "",
                "message": "…",
            },
            {
                "unit": "乙",
                "year": 2023,
                "rule": "fest_no_cash",
                "title": "节日慰问不得发放现金",
                "actual": 600.0,
                "limit": float("nan"),
                "rows": (7,),
                "source": "《办法》",
                "kind": "forbidden_form",
                "scope": "person",
                "indicator": None,
                "reasons": "节日慰问",
                "message": "…",
            },
            {
                "unit": "乙",
                "year": 2023,
                "rule": "fest_no_cash",
                "title": "节日慰问不得发放现金",
                "actual": 300.0,
                "limit": float("nan"),
                "rows": (9,),
                "source": "《办法》",
                "kind": "forbidden_form",
                "scope": "person",
                "indicator": None,
                "reasons": "节日慰问",
                "message": "…",
            },
        ]
    )
    hl = highlights(tidy(ROWS), REG, standards_breaches=b)
    c = codes(hl, "乙", kind="shortcoming")
    assert ("membership_rate_low", "membership_rate") not in c
    assert ("standard:rate_min", "membership_rate") in c
    r = row(hl, "乙", "standard:fest_no_cash")
    assert (
        r["text"]
        == "慰问帮扶中有2处不符合“节日慰问不得发放现金”（节日慰问不得发放现金、购物卡和代金券，依据《办法》）。"
    )
    assert r["score"] == 97
    r = row(hl, "乙", "standard:rate_min")
    assert r["text"] == "入会率85%，未达到“入会率要求”（入会率不低于90%，依据评选条件）。"
    # standards breaches come first among shortcomings
    d = hl[(hl["unit"] == "乙") & (hl["kind"] == "shortcoming")]
    assert d.iloc[0]["code"].startswith("standard:")


def test_no_registry_means_all_units_are_peers():
    hl = highlights(tidy(ROWS))
    r = row(hl, "甲", "first_in_peer", "membership_rate")
    assert "全部单位4家" in r["text"]


def test_small_peer_group_no_rank_rules():
    small = UnitRegistry.from_dict(
        {
            "units": [
                {"name": "甲", "peer_group": "A"},
                {"name": "乙", "peer_group": "A"},
                {"name": "丙", "peer_group": "B"},
                {"name": "丁", "peer_group": "B"},
            ]
        }
    )
    hl = highlights(tidy(ROWS), small)
    assert not hl["code"].isin(["first_in_peer", "below_peer"]).any()


def test_year_filter_and_top(hl):
    h = highlights(tidy(ROWS), REG, year=2023)
    assert set(h["year"]) == {2023}
    assert len(h) == len(hl[hl["year"] == 2023])
    t = top(hl, 3, "highlight", unit="甲", year=2023)
    assert len(t) == 3
    assert t["code"].tolist()[0] == "award_national"
    assert t["indicator"].is_unique  # one per indicator
    both = top(hl, 2)
    assert both.groupby(["unit", "year", "kind"]).size().max() <= 2


def test_empty_input():
    hl = highlights(tidy([]))
    assert hl.empty and list(hl.columns) == COLUMNS


def test_media_only_from_the_ledger_and_a_banner_is_no_media():
    pub = pd.DataFrame(
        {
            "unit": ["甲", "甲", "甲"],
            "year": [2023] * 3,
            "form": ["横幅", "报刊文章", "橱窗图板"],
            "level": ["国家级", "省级", "省级"],
            "quantity": [2.0, 1.0, 3.0],
            "title": ["a", "b", "c"],
        }
    )
    hl = highlights(tidy(ROWS), REG, tables={"publicity": pub})
    r = row(hl, "甲", "publicity_high")
    assert r["text"] == "在省级媒体刊发宣传报道1篇（期）。" and r["value"] == 1
    only_banner = highlights(tidy(ROWS), REG, tables={"publicity": pub.iloc[[0]]})
    assert "publicity_high" not in set(only_banner["code"])


def test_spending_is_never_praised_and_overspending_not_first():
    rows = [(u, 2023, "expense_ratio", "", v) for u, v in (("甲", 1.002), ("乙", 0.8), ("丙", 0.7), ("丁", 0.9))]
    rows += [
        (u, 2023, "activity_expense_per_member", "", v) for u, v in (("甲", 900), ("乙", 100), ("丙", 200), ("丁", 300))
    ]
    rows += [("甲", 2022, "expense_ratio", "", 0.6), ("甲", 2022, "activity_expense_per_member", "", 300)]
    hl = highlights(tidy(rows), REG)
    h = hl[hl["kind"] == "highlight"]
    assert h.empty, h[["unit", "code", "indicator"]]


def test_one_cause_one_row():
    rows = [
        ("甲", 2022, "activity_participants", "", 1000),
        ("甲", 2023, "activity_participants", "", 692),
        ("甲", 2022, "participation_per_member", "", 5.0),
        ("甲", 2023, "participation_per_member", "", 3.46),
    ]
    hl = highlights(tidy(rows))
    assert codes(hl, "甲", kind="shortcoming") == [("yoy_decline", "activity_participants")]


def test_a_category_in_one_year_only_is_a_ledger_change_not_growth():
    rows = [
        ("甲", 2022, "care_visits", "", 60),
        ("甲", 2023, "care_visits", "", 190),
        ("甲", 2022, "care_visits", "生病住院", 60),
        ("甲", 2023, "care_visits", "生病住院", 55),
        ("甲", 2023, "care_visits", "节日慰问", 135),
        ("甲", 2022, "care_visits", "节日慰问", 0),
    ]
    hl = highlights(tidy(rows))
    assert codes(hl, "甲") == [("ledger_change", "care_visits")]
    r = row(hl, "甲", "ledger_change")
    assert r["kind"] == "check" and "节日慰问" in r["text"] and "核实" in r["text"]
