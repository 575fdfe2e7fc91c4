"""Comparisons: year on year, ranks and medians within peer groups, wide tables.

Library functions the notebooks, the narrative and the exports call.  All of
them take the tidy indicator table of :func:`gonghui_kit.analysis.indicators.compute_indicators`
(``unit, year, indicator, category, value``) and work on all units at once
with groupbys — never a loop per unit over the data.

Peer groups come from the units registry (``params/units.yaml``); without a
registry every unit is in one group, :data:`gonghui_kit.analysis.units.UNGROUPED`.

>>> ind = pd.DataFrame({"unit": ["甲", "甲", "乙"], "year": [2022, 2023, 2023],
...     "indicator": "activities", "category": "", "value": [10.0, 12.0, 8.0]})
>>> yoy(ind)[["unit", "year", "prev_value", "change", "change_pct"]].to_string(index=False)
'unit  year  prev_value  change  change_pct\\n   甲  2022         NaN     NaN         NaN\\n   甲  2023        10.0     2.0         0.2\\n   乙  2023         NaN     NaN         NaN'
>>> r = ranks(ind, year=2023)
>>> r[["unit", "rank", "n", "peer_median"]].to_string(index=False)
'unit  rank  n  peer_median\\n   甲     1  2         10.0\\n   乙     2  2         10.0'
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from gonghui_kit.analysis.indicators import BY_KEY, INDICATORS, ORDER
from gonghui_kit.analysis.units import UNGROUPED

__all__ = [
    "LOCAL",
    "OTHERS",
    "yoy",
    "ranks",
    "side_by_side",
    "indicator_rows",
    "peer_groups",
    "peer_medians",
    "peer_median",
    "structure",
    "expense_structure",
    "income_structure",
    "category_label",
]

KEYS = ["unit", "year", "indicator", "category"]

#: The measure word written after each indicator's number (rates have none).

#: The two series of :func:`structure`.
LOCAL, OTHERS = "本单位", "同类中位数"


def category_label(category: str) -> str:
    """How a category split is labelled in tables: ``形式:报刊文章`` → ``形式：报刊文章``,
    months ``03`` → ``3月``.

    >>> category_label("级别:省级"), category_label("03"), category_label("文体活动")
    ('级别：省级', '3月', '文体活动')
    """
    c = str(category)
    if len(c) == 2 and c.isdigit():
        return f"{int(c)}月"
    return c.replace(":", "：")


# --------------------------------------------------------------------------
# helpers


def _meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": [i.key for i in INDICATORS],
            "label": [i.label for i in INDICATORS],
            "kind": [i.kind for i in INDICATORS],
            "topic": [i.topic for i in INDICATORS],
            "higher_is_better": [i.higher_is_better for i in INDICATORS],
            "key_indicator": [i.key_indicator for i in INDICATORS],
        }
    )


def peer_groups(units: Iterable[str], registry=None) -> pd.Series:
    """unit → peer group (``未分组`` without a registry or for an unknown unit)."""
    units = pd.Index(pd.unique(pd.Series(list(units), dtype=object)))
    if registry is None:
        return pd.Series(UNGROUPED, index=units, dtype=object)
    return pd.Series([registry.peer_group(u) for u in units], index=units, dtype=object)


def _with_group(d: pd.DataFrame, registry) -> pd.DataFrame:
    g = peer_groups(d["unit"].unique(), registry)
    return d.assign(peer_group=d["unit"].map(g).astype(object))


def _year(d: pd.DataFrame, year: int | None) -> pd.DataFrame:
    return d if year is None else d[d["year"] == year]


# --------------------------------------------------------------------------
# year on year


def yoy(ind: pd.DataFrame) -> pd.DataFrame:
    """``ind`` plus ``prev_value`` (same unit, indicator and category, year − 1),
    ``change`` (absolute) and ``change_pct`` (change / |prev|; NaN when the
    previous value is 0 or missing, or the unit has no previous year)."""
    base = ind.reset_index(drop=True)
    prev = base[KEYS + ["value"]].drop_duplicates(KEYS).assign(year=lambda d: d["year"] + 1)
    prev = prev.rename(columns={"value": "prev_value"})
    out = base.merge(prev, on=KEYS, how="left", sort=False)
    out["prev_value"] = out["prev_value"].astype("float64")
    out["change"] = out["value"] - out["prev_value"]
    den = out["prev_value"].abs()
    out["change_pct"] = out["change"] / den.where(den != 0)
    return out


# --------------------------------------------------------------------------
# ranks and medians


def ranks(ind: pd.DataFrame, registry=None, year: int | None = None) -> pd.DataFrame:
    """Ranks of every unit on every total whose direction is known.

    One row per unit, year and indicator (category ``""`` only; indicators
    with ``higher_is_better`` None are not ranked).  Columns: ``unit, year,
    indicator, value, peer_group, rank, n, peer_median, rank_overall,
    n_overall, median_overall``.  Rank 1 is best (ties share the best rank);
    a missing value has no rank and is not counted in ``n``.  The peer
    median includes the unit itself.
    """
    hib = {i.key: i.higher_is_better for i in INDICATORS if i.higher_is_better is not None}
    d = _year(ind, year)
    d = d[(d["category"] == "") & d["indicator"].isin(list(hib))][["unit", "year", "indicator", "value"]]
    d = _with_group(d.reset_index(drop=True), registry)
    sign = d["indicator"].map({k: (1.0 if v else -1.0) for k, v in hib.items()}).astype("float64")
    d["_s"] = d["value"] * sign
    grp = d.groupby(["year", "indicator", "peer_group"], sort=False)
    d["rank"] = grp["_s"].rank(method="min", ascending=False).astype("Int64")
    d["n"] = grp["value"].transform("count").astype("int64")
    d["peer_median"] = grp["value"].transform("median")
    allg = d.groupby(["year", "indicator"], sort=False)
    d["rank_overall"] = allg["_s"].rank(method="min", ascending=False).astype("Int64")
    d["n_overall"] = allg["value"].transform("count").astype("int64")
    d["median_overall"] = allg["value"].transform("median")
    d["_o"] = d["indicator"].map(ORDER)
    d = d.sort_values(["year", "_o", "peer_group", "rank", "unit"], kind="stable", na_position="last")
    return d.drop(columns=["_s", "_o"]).reset_index(drop=True)


def peer_medians(ind: pd.DataFrame, registry=None, year: int | None = None) -> pd.DataFrame:
    """Median of every indicator and category per peer group and year:
    ``year, peer_group, indicator, category, median, n`` (n = units with a value)."""
    d = _with_group(_year(ind, year).reset_index(drop=True), registry)
    g = d.groupby(["year", "peer_group", "indicator", "category"], sort=False)["value"]
    out = g.agg(median="median", n="count").reset_index()
    return out


def peer_median(
    ind: pd.DataFrame,
    registry,
    year: int,
    indicator: str,
    category: str = "",
    *,
    unit: str | None = None,
    peer_group: str | None = None,
) -> float:
    """Median of one indicator in one peer group (the group of ``unit``, or
    ``peer_group``; all units when neither is given). NaN when nobody has a value.

    >>> ind = pd.DataFrame({"unit": list("abc"), "year": 2023, "indicator": "awards", "category": "", "value": [1.0, 5.0, 3.0]})
    >>> peer_median(ind, None, 2023, "awards")
    3.0
    """
    d = ind[(ind["year"] == year) & (ind["indicator"] == indicator) & (ind["category"] == (category or ""))]
    if unit is not None or peer_group is not None:
        grp = peer_groups(d["unit"].unique(), registry)
        target = peer_group if peer_group is not None else peer_groups([unit], registry).iloc[0]
        d = d[d["unit"].map(grp) == target]
    v = d["value"].median()
    return float(v) if pd.notna(v) else float("nan")


# --------------------------------------------------------------------------
# wide tables


def indicator_rows(
    ind: pd.DataFrame,
    year: int | None = None,
    indicators: Sequence[str] | None = None,
    units: Sequence[str] | None = None,
    *,
    categories: bool = False,
    drop_empty_categories: bool = True,
) -> pd.DataFrame:
    """Indicators as rows (MultiIndex ``indicator, category`` in the order of
    ``INDICATORS`` and of the schema's categories), columns ``(unit, year)``.

    Used by :func:`side_by_side` and the xlsx export.  Category rows that are
    0 or missing for every column are dropped unless ``drop_empty_categories``
    is false.
    """
    d = _year(ind, year)
    if indicators is not None:
        d = d[d["indicator"].isin(list(indicators))]
    if not categories:
        d = d[d["category"] == ""]
    if units is not None:
        d = d[d["unit"].isin(list(units))]
    rows = d[["indicator", "category"]].drop_duplicates()
    rows = rows.assign(
        _o=rows["indicator"].map(ORDER if indicators is None else {k: n for n, k in enumerate(indicators)})
    )
    rows = rows.assign(_c=(rows["category"] != "").astype(int)).reset_index(drop=True)
    rows["_p"] = np.arange(len(rows))
    rows = rows.sort_values(["_o", "_c", "_p"], kind="stable")
    idx = pd.MultiIndex.from_frame(rows[["indicator", "category"]])
    w = d.pivot_table(
        index=["indicator", "category"],
        columns=["unit", "year"],
        values="value",
        aggfunc="first",
        dropna=False,
        sort=False,
    )
    w = w.reindex(idx)
    if units is not None:
        cols = [c for u in units for c in w.columns if c[0] == u]
    else:
        first = {u: n for n, u in enumerate(pd.unique(d["unit"]))}  # order of appearance
        cols = sorted(w.columns, key=lambda c: (first.get(c[0], len(first)), c[1]))
    w = w.reindex(columns=pd.MultiIndex.from_tuples(cols, names=["unit", "year"]) if cols else w.columns)
    if categories and drop_empty_categories and len(w):
        empty = (w.fillna(0) == 0).all(axis=1) & (w.index.get_level_values("category") != "")
        w = w[~np.asarray(empty)]
    return w


def side_by_side(
    ind: pd.DataFrame,
    year: int,
    indicators: Sequence[str] | None = None,
    units: Sequence[str] | None = None,
    *,
    transpose: bool = False,
    categories: bool = False,
) -> pd.DataFrame:
    """Wide table for the compare page: one row per indicator (Chinese labels;
    category splits as ``　其中：文体活动`` rows when ``categories``), one
    column per unit.  ``transpose=True`` gives units as rows.

    >>> ind = pd.DataFrame({"unit": ["甲", "乙", "甲", "乙"], "year": 2023,
    ...     "indicator": ["members_total", "members_total", "activities", "activities"],
    ...     "category": "", "value": [120.0, 80.0, 26.0, 9.0]})
    >>> side_by_side(ind, 2023).to_dict()
    {'甲': {'会员人数': 120.0, '活动场次': 26.0}, '乙': {'会员人数': 80.0, '活动场次': 9.0}}
    """
    w = indicator_rows(ind, year, indicators, units, categories=categories)
    w.columns = w.columns.get_level_values("unit")
    labels = [BY_KEY[i].label if c == "" else f"　其中：{category_label(c)}" for i, c in w.index]
    if categories and len(set(labels)) != len(labels):  # categories repeated under several indicators
        labels = [BY_KEY[i].label if c == "" else f"　{BY_KEY[i].label}：{category_label(c)}" for i, c in w.index]
    w.index = pd.Index(labels, name="指标")
    w.columns.name = "单位"
    return w.T if transpose else w


# --------------------------------------------------------------------------
# structure of funds


def structure(ind: pd.DataFrame, unit: str, year: int, registry=None, indicator: str = "expense_total") -> pd.DataFrame:
    """Split of a money total by 科目 for one unit against its peer group.

    Tidy: ``account, who, value, share`` with ``who`` = ``本单位`` (the unit's
    amounts and shares of its total) or ``同类中位数`` (per 科目 the median
    amount and the median share among the units of the unit's peer group,
    the unit included; medians of shares need not add up to 1).
    """
    d = ind[(ind["year"] == year) & (ind["indicator"] == indicator)]
    grp = peer_groups(d["unit"].unique(), registry)
    mine = peer_groups([unit], registry).iloc[0]
    d = d[d["unit"].map(grp) == mine]
    tot = d[d["category"] == ""].set_index("unit")["value"]
    parts = d[d["category"] != ""].copy()
    den = parts["unit"].map(tot)
    parts["share"] = parts["value"] / den.where(den != 0)
    own = parts[parts["unit"] == unit][["category", "value", "share"]].assign(who=LOCAL)
    med = parts.groupby("category", sort=False)[["value", "share"]].median().reset_index().assign(who=OTHERS)
    out = pd.concat([own, med], ignore_index=True).rename(columns={"category": "account"})
    order = {a: n for n, a in enumerate(pd.unique(parts["category"]))}
    out["_o"] = out["account"].map(order)
    out = out.sort_values(
        ["_o", "who"], key=lambda s: s if s.name == "_o" else s.map({LOCAL: 0, OTHERS: 1}), kind="stable"
    )
    return out[["account", "who", "value", "share"]].reset_index(drop=True)


def expense_structure(ind: pd.DataFrame, unit: str, year: int, registry=None) -> pd.DataFrame:
    """:func:`structure` of 经费支出 by 科目."""
    return structure(ind, unit, year, registry, "expense_total")


def income_structure(ind: pd.DataFrame, unit: str, year: int, registry=None) -> pd.DataFrame:
    """:func:`structure` of 经费收入 by 科目."""
    return structure(ind, unit, year, registry, "income_total")
