"""compare.py on small hand-made indicator tables (expected numbers by hand)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gonghui_kit.analysis.compare import (
    LOCAL,
    OTHERS,
    expense_structure,
    indicator_rows,
    peer_median,
    peer_medians,
    ranks,
    side_by_side,
    yoy,
)
from gonghui_kit.analysis.units import UnitRegistry


def tidy(rows):
    """rows: (unit, year, indicator, category, value)."""
    df = pd.DataFrame(rows, columns=["unit", "year", "indicator", "category", "value"])
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype("float64")
    return df


REG = UnitRegistry.from_dict(
    {
        "units": [
            {"name": "甲", "kind": "企业", "peer_group": "企业"},
            {"name": "乙", "kind": "企业", "peer_group": "企业"},
            {"name": "丙", "kind": "企业", "peer_group": "企业"},
            {"name": "丁", "kind": "学校", "peer_group": "学校"},
        ]
    }
)


@pytest.fixture
def ind():
    return tidy(
        [
            ("甲", 2022, "activities", "", 10),
            ("甲", 2023, "activities", "", 13),
            ("甲", 2022, "activities", "文体活动", 0),
            ("甲", 2023, "activities", "文体活动", 4),
            ("乙", 2022, "activities", "", 0),
            ("乙", 2023, "activities", "", 5),
            ("丙", 2023, "activities", "", 20),
            ("丁", 2023, "activities", "", 30),
            # lower is better
            ("甲", 2023, "proposal_days", "", 12.0),
            ("乙", 2023, "proposal_days", "", 30.0),
            ("丙", 2023, "proposal_days", "", 12.0),
            ("丁", 2023, "proposal_days", "", np.nan),
            # not ranked (higher_is_better None)
            ("甲", 2023, "employees", "", 100),
            ("乙", 2023, "employees", "", 50),
            # balance can be negative
            ("甲", 2022, "balance", "", -200),
            ("甲", 2023, "balance", "", 100),
        ]
    )


def test_yoy_change_and_pct(ind):
    y = yoy(ind).set_index(["unit", "year", "indicator", "category"])
    r = y.loc[("甲", 2023, "activities", "")]
    assert r["prev_value"] == 10 and r["change"] == 3 and r["change_pct"] == pytest.approx(0.3)
    # previous value 0 → no percentage (but the absolute change is there)
    r = y.loc[("乙", 2023, "activities", "")]
    assert r["change"] == 5 and math.isnan(r["change_pct"])
    r = y.loc[("甲", 2023, "activities", "文体活动")]
    assert r["change"] == 4 and math.isnan(r["change_pct"])
    # no previous year at all
    assert math.isnan(y.loc[("丙", 2023, "activities", ""), "prev_value"])
    assert math.isnan(y.loc[("甲", 2022, "activities", ""), "change_pct"])
    # negative base: relative to |prev| (−200 → 100 is +150%, not −150%)
    assert y.loc[("甲", 2023, "balance", ""), "change_pct"] == pytest.approx(1.5)
    assert len(y) == len(ind)


def test_yoy_only_previous_year_not_older():
    ind = tidy([("甲", 2021, "awards", "", 2), ("甲", 2023, "awards", "", 3)])
    y = yoy(ind)
    assert y["prev_value"].isna().all()


def test_ranks_peer_and_overall(ind):
    r = ranks(ind, REG, year=2023).set_index(["unit", "indicator"])
    # activities 2023: 企业 甲13 乙5 丙20 → 丙1 甲2 乙3; 学校 丁30 alone
    assert r.loc[("丙", "activities"), "rank"] == 1
    assert r.loc[("甲", "activities"), "rank"] == 2
    assert r.loc[("乙", "activities"), "rank"] == 3
    assert r.loc[("甲", "activities"), "n"] == 3
    assert r.loc[("甲", "activities"), "peer_median"] == 13
    assert r.loc[("甲", "activities"), "peer_group"] == "企业"
    assert r.loc[("丁", "activities"), "rank"] == 1 and r.loc[("丁", "activities"), "n"] == 1
    # overall: 丁30 丙20 甲13 乙5
    assert r.loc[("甲", "activities"), "rank_overall"] == 3
    assert r.loc[("丁", "activities"), "rank_overall"] == 1
    assert r.loc[("甲", "activities"), "n_overall"] == 4
    assert r.loc[("甲", "activities"), "median_overall"] == 16.5
    # lower is better, ties share the best rank, NaN not ranked
    assert r.loc[("甲", "proposal_days"), "rank"] == 1
    assert r.loc[("丙", "proposal_days"), "rank"] == 1
    assert r.loc[("乙", "proposal_days"), "rank"] == 3
    assert pd.isna(r.loc[("丁", "proposal_days"), "rank"])
    assert r.loc[("丁", "proposal_days"), "n"] == 0
    # employees has no direction: not ranked; categories never ranked
    assert "employees" not in r.index.get_level_values("indicator")
    assert set(r.columns) >= {"year", "value", "peer_group", "rank", "n", "peer_median", "rank_overall", "n_overall"}
    assert (r["year"] == 2023).all()


def test_ranks_without_registry_is_one_group(ind):
    r = ranks(ind, None, 2023).set_index(["unit", "indicator"])
    assert r.loc[("丁", "activities"), "rank"] == 1
    assert r.loc[("甲", "activities"), "rank"] == 3
    assert (r["peer_group"] == "未分组").all()


def test_peer_median_helpers(ind):
    assert peer_median(ind, REG, 2023, "activities", unit="乙") == 13
    assert peer_median(ind, REG, 2023, "activities", peer_group="学校") == 30
    assert peer_median(ind, REG, 2023, "activities") == 16.5
    assert math.isnan(peer_median(ind, REG, 2023, "awards"))
    pm = peer_medians(ind, REG, 2023).set_index(["peer_group", "indicator", "category"])
    assert pm.loc[("企业", "activities", ""), "median"] == 13
    assert pm.loc[("企业", "activities", ""), "n"] == 3
    assert pm.loc[("企业", "proposal_days", ""), "median"] == 12


def test_side_by_side_labels_and_transpose(ind):
    w = side_by_side(ind, 2023, indicators=["activities", "proposal_days"], units=["乙", "甲"])
    assert list(w.columns) == ["乙", "甲"]
    assert list(w.index) == ["活动场次", "平均办理天数"]
    assert w.loc["活动场次", "甲"] == 13
    t = side_by_side(ind, 2023, indicators=["activities"], units=["乙", "甲"], transpose=True)
    assert list(t.index) == ["乙", "甲"] and t.loc["甲", "活动场次"] == 13
    c = side_by_side(ind, 2023, indicators=["activities"], units=["甲"], categories=True)
    assert list(c.index) == ["活动场次", "　其中：文体活动"]
    assert c.iloc[1, 0] == 4


def test_indicator_rows_drops_all_zero_categories(ind):
    w = indicator_rows(ind, 2022, ["activities"], categories=True)
    # 文体活动 is 0 for 甲 in 2022 (and absent for the others): dropped
    assert list(w.index) == [("activities", "")]
    assert list(w.columns) == [("甲", 2022), ("乙", 2022)]


def test_expense_structure_against_peer_median():
    rows = []
    for u, tot, act, svc in [("甲", 1000, 600, 400), ("乙", 2000, 500, 1500), ("丙", 400, 100, 300), ("丁", 10, 10, 0)]:
        rows += [
            (u, 2023, "expense_total", "", tot),
            (u, 2023, "expense_total", "职工活动支出", act),
            (u, 2023, "expense_total", "职工服务支出", svc),
        ]
    s = expense_structure(tidy(rows), "甲", 2023, REG).set_index(["account", "who"])
    assert s.loc[("职工活动支出", LOCAL), "value"] == 600
    assert s.loc[("职工活动支出", LOCAL), "share"] == pytest.approx(0.6)
    # peers 甲 乙 丙 (丁 is a school): amounts 600/500/100 → 500; shares .6/.25/.25 → .25
    assert s.loc[("职工活动支出", OTHERS), "value"] == 500
    assert s.loc[("职工活动支出", OTHERS), "share"] == pytest.approx(0.25)
    assert s.loc[("职工服务支出", OTHERS), "share"] == pytest.approx(0.75)
    assert list(s.reset_index()["account"]) == ["职工活动支出", "职工活动支出", "职工服务支出", "职工服务支出"]
