"""Indicators of spec §5, computed for all units and years at once.

``compute_indicators(ledger)`` returns the tidy table
``unit, year, indicator, category, value`` (category ``""`` for totals).
Every indicator is one vectorised groupby over all units — never a loop per
unit — so 10,000 units cost about what 10 do per row.

Rules applied everywhere (the "missing-not-zero" rule):

- a unit with no record of a kind (sheet absent or empty) has count 0 and
  sum 0: "nothing recorded";
- a sum over records that exist but whose values are all missing is missing
  (NaN), never 0;
- a ratio whose denominator is 0 or missing is missing (NaN), never 0 or inf.

A summary table (统计表) gives values as reported: a unit without records
gets those (``_as_reported``); a unit with records keeps its records' values
(``ingest.reconcile`` compares the two), except where it sent no records of
that kind — there the reported total is taken (``_take``) and its parts
(categories, months) are unknown.

``INDICATORS`` below is the one table of indicator names, Chinese labels,
units of measure and topics that reports, exports and the narrative use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from gonghui_kit.schema import load_schema

__all__ = [
    "Indicator",
    "INDICATORS",
    "TOPICS",
    "compute_indicators",
    "indicator_label",
    "wide",
    "value_of",
    "unit_years",
]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    kind: str  # count | people | person_times | yuan | rate | days | hours | per_member | ratio
    topic: str
    higher_is_better: bool | None = True
    key_indicator: bool = False  # shown on KPI cards and compared across units
    measure: str = ""  # the measure word written after the number (人次, 元, 场次 …); rates have none


INDICATORS: tuple[Indicator, ...] = (
    Indicator("employees", "职工人数", "people", "组织建设", None, measure="人"),
    Indicator("members_total", "会员人数", "people", "组织建设", True, True, measure="人"),
    Indicator("members_new", "新增会员", "people", "组织建设", True, measure="人"),
    Indicator("membership_rate", "入会率", "rate", "组织建设", True, True),
    Indicator("female_share", "女会员占比", "rate", "组织建设", None),
    Indicator("youth_share", "青年会员占比", "rate", "组织建设", None),
    Indicator("activities", "活动场次", "count", "职工活动", True, True, measure="场次"),
    Indicator("activity_participants", "参与人次", "person_times", "职工活动", True, True, measure="人次"),
    Indicator("activity_spend", "活动支出", "yuan", "职工活动", None, measure="元"),
    Indicator("participation_per_member", "人均参与次数", "per_member", "职工活动", True, True, measure="次"),
    Indicator("activities_by_month", "月度活动场次", "count", "职工活动", None, measure="场次"),
    Indicator("income_total", "经费收入合计", "yuan", "经费管理", None, True, measure="元"),
    Indicator("expense_total", "经费支出合计", "yuan", "经费管理", None, True, measure="元"),
    Indicator("balance", "当年结余", "yuan", "经费管理", None, measure="元"),
    Indicator("expense_ratio", "经费使用率", "rate", "经费管理", True, True),
    Indicator("activity_expense_per_member", "人均职工活动支出", "yuan", "经费管理", True, True, measure="元"),
    Indicator("care_visits", "慰问人次", "person_times", "关爱帮扶", True, True, measure="人次"),
    Indicator("care_amount", "慰问金额", "yuan", "关爱帮扶", None, True, measure="元"),
    Indicator("proposals", "提案数", "count", "民主管理", True, True, measure="件"),
    Indicator("proposals_accepted", "立案数", "count", "民主管理", True, measure="件"),
    Indicator("proposals_closed", "办结数", "count", "民主管理", True, measure="件"),
    Indicator("proposal_close_rate", "办结率", "rate", "民主管理", True, True),
    Indicator("proposal_days", "平均办理天数", "days", "民主管理", False, measure="天"),
    Indicator("publicity_items", "宣传数量", "count", "宣传教育", True, True, measure="篇（期）"),
    Indicator("training_sessions", "培训场次", "count", "宣传教育", True, measure="期"),
    Indicator("training_person_times", "参训人次", "person_times", "宣传教育", True, measure="人次"),
    Indicator("training_hours", "培训学时总量", "hours", "宣传教育", True, measure="学时"),
    Indicator("training_hours_per_member", "人均培训学时", "hours", "宣传教育", True, True, measure="学时"),
    Indicator("awards", "荣誉数", "count", "荣誉表彰", True, True, measure="项"),
)
BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}
TOPICS: tuple[str, ...] = tuple(dict.fromkeys(i.topic for i in INDICATORS))
ORDER = {i.key: n for n, i in enumerate(INDICATORS)}
COLUMNS = ["unit", "year", "indicator", "category", "value"]


def indicator_label(key: str) -> str:
    """The Chinese label of an indicator.

    >>> indicator_label("membership_rate")
    '入会率'
    """
    return BY_KEY[key].label


def unit_years(tables: Mapping[str, pd.DataFrame]) -> pd.MultiIndex:
    """Every (unit, year) that has a 基本信息 row or any record."""
    parts = [df[["unit", "year"]] for df in tables.values() if len(df) and "unit" in df]
    if not parts:
        return pd.MultiIndex.from_tuples([], names=["unit", "year"])
    uy = pd.concat(parts, ignore_index=True).dropna().drop_duplicates()
    uy["year"] = uy["year"].astype("int64")
    uy = uy.sort_values(["unit", "year"])
    return pd.MultiIndex.from_frame(uy, names=["unit", "year"])


# --------------------------------------------------------------------------
# building blocks: each returns a Series indexed by (unit, year[, category])


def _count(
    df: pd.DataFrame, idx: pd.MultiIndex, by: str | None = None, labels: Iterable[str] | None = None
) -> pd.Series:
    keys = ["unit", "year"] + ([by] if by else [])
    s = df.groupby(keys, observed=True, sort=False).size().astype("float64")
    return _reindex(s, idx, labels, fill=0.0)


def _sum(
    df: pd.DataFrame, value: str, idx: pd.MultiIndex, by: str | None = None, labels: Iterable[str] | None = None
) -> pd.Series:
    """Σ value; NaN when records exist but none has a value; 0 when none exist."""
    keys = ["unit", "year"] + ([by] if by else [])
    g = df.groupby(keys, observed=True, sort=False)[value]
    s = g.sum(min_count=1)
    n = g.size()
    s = _reindex(s, idx, labels, fill=np.nan)
    n = _reindex(n.astype("float64"), idx, labels, fill=0.0)
    return s.where(n > 0, 0.0)


def _reindex(s: pd.Series, idx: pd.MultiIndex, labels: Iterable[str] | None, fill: float) -> pd.Series:
    if labels is None:
        full = idx
    else:
        labels = list(labels)
        full = pd.MultiIndex.from_tuples(
            [(u, y, c) for u, y in idx for c in labels], names=["unit", "year", "category"]
        )
        s.index = s.index.set_names(["unit", "year", "category"])
        s = s[s.index.get_level_values("category").isin(labels)]
    s.index = s.index.set_names(full.names)
    return s.reindex(full, fill_value=fill).astype("float64")


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.where(den != 0)
    return num / den


def _emit(out: list[pd.DataFrame], key: str, s: pd.Series, *, prefix: str = "") -> None:
    df = s.rename("value").reset_index()
    if "category" in df:
        df["category"] = prefix + df["category"].astype(str)
    else:
        df["category"] = ""
    df["indicator"] = key
    out.append(df[COLUMNS])


def _year_end(df: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(df["year"].astype("int64").astype(str) + "-12-31")


# --------------------------------------------------------------------------


def compute_indicators(ledger_or_tables) -> pd.DataFrame:
    """All indicators of spec §5 for every unit and year in the ledger.

    Accepts a ``Ledger`` or a mapping of canonical tables.
    """
    tables: Mapping[str, pd.DataFrame] = getattr(ledger_or_tables, "tables", ledger_or_tables)
    reported = getattr(ledger_or_tables, "reported", None)
    taken = None
    if reported is not None and len(reported):
        from gonghui_kit.ingest.reconcile import taken_as_reported

        taken = taken_as_reported(ledger_or_tables)
    schema = load_schema()
    cats = schema.categories
    idx = unit_years(tables)
    only_reported = pd.MultiIndex.from_tuples([], names=["unit", "year"])
    if reported is not None and len(reported):
        uy = pd.MultiIndex.from_frame(reported[["unit", "year"]].astype({"year": "int64"}).drop_duplicates())
        only_reported = uy.difference(idx)
        idx = idx.append(only_reported).sort_values() if len(only_reported) else idx
    out: list[pd.DataFrame] = []
    if len(idx) == 0:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=t)
                for c, t in zip(COLUMNS, ["object", "int64", "object", "object", "float64"], strict=False)
            }
        )

    def t(key: str) -> pd.DataFrame:
        from gonghui_kit.ingest.load import empty_table

        df = tables.get(key)
        return df if df is not None else empty_table(key)

    # --- organisation -----------------------------------------------------
    info = t("info")
    employees = info.drop_duplicates(["unit", "year"]).set_index(["unit", "year"])["employees"].astype("float64")
    employees = _take(employees.reindex(idx), taken, "employees")
    _emit(out, "employees", employees)

    m = t("members")
    ye = _year_end(m) if len(m) else pd.Series(dtype="datetime64[ns]")
    joined = m["join_date"].isna() | (m["join_date"] <= ye)
    not_left = m["leave_date"].isna() | (m["leave_date"] > ye)
    cur = m[(joined & not_left).to_numpy()]
    members_total = _take(_count(cur, idx), taken, "members_total")
    _emit(out, "members_total", members_total)
    new = m[(m["join_date"].dt.year == m["year"]).to_numpy()] if len(m) else m
    _emit(out, "members_new", _count(new, idx))
    _emit(out, "membership_rate", _ratio(members_total, employees))
    female = _count(cur[cur["gender"] == "女"], idx)
    _emit(out, "female_share", _ratio(female, _count(cur, idx)))  # of the roster: a reported total has no genders
    with_birth = cur[cur["birth_date"].notna()]
    young = with_birth[(with_birth["year"] - with_birth["birth_date"].dt.year) < 35] if len(with_birth) else with_birth
    _emit(out, "youth_share", _ratio(_count(young, idx), _count(with_birth, idx)))

    # --- activities ---------------------------------------------------------
    a = t("activities")
    act_labels = cats["activity_category"].labels
    activities = _take(_count(a, idx), taken, "activities")
    _emit(out, "activities", activities)
    _emit(out, "activities", _count(a, idx, "category", act_labels))
    participants = _take(_sum(a, "participants", idx), taken, "activity_participants")
    _emit(out, "activity_participants", participants)
    _emit(out, "activity_participants", _sum(a, "participants", idx, "category", act_labels))
    _emit(out, "activity_spend", _take(_sum(a, "amount", idx), taken, "activity_spend"))
    _emit(out, "participation_per_member", _ratio(participants, members_total))
    months = [f"{i:02d}" for i in range(1, 13)]
    am = (
        a[a["month"].notna()].assign(mm=lambda d: d["month"].astype("int64").map(lambda x: f"{x:02d}"))
        if len(a)
        else a.assign(mm=pd.Series(dtype=object))
    )
    _emit(out, "activities_by_month", _count(am, idx, "mm", months))

    # --- funds ---------------------------------------------------------------
    f = t("funds")
    inc = f[f["direction"] == "收入"]
    exp = f[f["direction"] == "支出"]
    income = _take(_sum(inc, "amount", idx), taken, "income_total")
    expense = _take(_sum(exp, "amount", idx), taken, "expense_total")
    _emit(out, "income_total", income)
    _emit(out, "income_total", _sum(inc, "amount", idx, "account", list(schema.accounts["income"])))
    _emit(out, "expense_total", expense)
    _emit(out, "expense_total", _sum(exp, "amount", idx, "account", list(schema.accounts["expense"])))
    _emit(out, "balance", income - expense)
    _emit(out, "expense_ratio", _ratio(expense, income))
    act_exp = _sum(exp[exp["account"] == "职工活动支出"], "amount", idx)
    _emit(out, "activity_expense_per_member", _ratio(act_exp, members_total))

    # --- care --------------------------------------------------------------
    c = t("care")
    reasons = cats["care_reason"].labels
    _emit(out, "care_visits", _take(_sum(c, "visits", idx), taken, "care_visits"))
    _emit(out, "care_visits", _sum(c, "visits", idx, "reason", reasons))
    _emit(out, "care_amount", _take(_sum(c, "amount", idx), taken, "care_amount"))
    _emit(out, "care_amount", _sum(c, "amount", idx, "reason", reasons))

    # --- proposals -----------------------------------------------------------
    p = t("proposals")
    accepted = p[p["accepted"] == "是"]
    closed = accepted[accepted["status"] == "已办结"]
    n_acc, n_closed = _count(accepted, idx), _count(closed, idx)
    _emit(out, "proposals", _take(_count(p, idx), taken, "proposals"))
    _emit(out, "proposals_accepted", n_acc)
    _emit(out, "proposals_closed", n_closed)
    _emit(out, "proposal_close_rate", _ratio(n_closed, n_acc))
    both = closed[(closed["date_precision"] == "day") & (closed["reply_date_precision"] == "day")]
    both = both.assign(days=(both["reply_date"] - both["date"]).dt.days.astype("float64"))
    days = both.groupby(["unit", "year"], observed=True)["days"].mean().reindex(idx)
    _emit(out, "proposal_days", days)

    # --- publicity -----------------------------------------------------------
    pub = t("publicity")
    _emit(out, "publicity_items", _take(_sum(pub, "quantity", idx), taken, "publicity_items"))
    _emit(out, "publicity_items", _sum(pub, "quantity", idx, "form", cats["publicity_form"].labels), prefix="形式:")
    _emit(out, "publicity_items", _sum(pub, "quantity", idx, "level", cats["publicity_level"].labels), prefix="级别:")

    # --- training -------------------------------------------------------------
    tr = t("training")
    _emit(out, "training_sessions", _take(_count(tr, idx), taken, "training_sessions"))
    _emit(out, "training_person_times", _take(_sum(tr, "participants", idx), taken, "training_person_times"))
    tr = tr.assign(hp=tr["hours"] * tr["participants"])
    hours = _sum(tr, "hp", idx)
    _emit(out, "training_hours", hours)
    _emit(out, "training_hours_per_member", _ratio(hours, members_total))

    # --- awards -------------------------------------------------------------
    aw = t("awards")
    _emit(out, "awards", _take(_count(aw, idx), taken, "awards"))
    _emit(out, "awards", _count(aw, idx, "level", cats["award_level"].labels))

    res = pd.concat(out, ignore_index=True)
    if len(only_reported):
        res = _as_reported(res, reported, only_reported)
    if taken is not None and len(taken):
        res = _parts_unknown(res, taken)
    res["year"] = res["year"].astype("int64")
    res["value"] = res["value"].astype("float64")
    res["_o"] = res["indicator"].map(ORDER)
    res = res.sort_values(["unit", "year", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return res


def _take(s: pd.Series, taken: pd.DataFrame | None, key: str) -> pd.Series:
    """``s`` (by unit, year) with the reported values of ``key`` taken where
    the unit sent no records of that kind (``ingest.reconcile.taken_as_reported``)."""
    if taken is None or not (t := taken[taken["indicator"] == key]).size:
        return s
    v = t.set_index(["unit", "year"])["value"]
    common = v.index.intersection(s.index)
    s = s.copy()
    s.loc[common] = v.loc[common].to_numpy("float64")
    return s


def _parts_unknown(res: pd.DataFrame, taken: pd.DataFrame) -> pd.DataFrame:
    """The parts of a total taken as reported (its categories; the months of
    activities) are unknown (NaN), never the 0 of records not sent."""
    cols = ["unit", "year", "indicator"]
    whose = res[cols].astype({"year": "int64"}).replace({"indicator": {"activities_by_month": "activities"}})
    of_taken = pd.MultiIndex.from_frame(whose).isin(pd.MultiIndex.from_frame(taken[cols].astype({"year": "int64"})))
    res = res.copy()
    res.loc[(res["category"] != "").to_numpy() & of_taken, "value"] = np.nan
    return res


def _as_reported(res: pd.DataFrame, reported: pd.DataFrame, units: pd.MultiIndex) -> pd.DataFrame:
    """Units known only from a summary table (统计表): their indicators are
    the values reported, a few ratios follow from them, everything else is
    unknown (NaN, never 0)."""
    key = pd.MultiIndex.from_frame(res[["unit", "year"]].astype({"year": "int64"}))
    mine = key.isin(units)
    res = res.copy()
    res.loc[mine, "value"] = np.nan
    rep = reported.astype({"year": "int64"}).drop_duplicates(["unit", "year", "indicator"], keep="last")
    vals = {(u, y, k): v for u, y, k, v in rep[["unit", "year", "indicator", "value"]].itertuples(index=False)}

    def get(u, y, k):
        return vals.get((u, y, k), np.nan)

    derived = {
        "membership_rate": lambda u, y: (
            get(u, y, "members_total") / get(u, y, "employees") if get(u, y, "employees") else np.nan
        ),
        "participation_per_member": lambda u, y: (
            get(u, y, "activity_participants") / get(u, y, "members_total") if get(u, y, "members_total") else np.nan
        ),
        "balance": lambda u, y: get(u, y, "income_total") - get(u, y, "expense_total"),
        "expense_ratio": lambda u, y: (
            get(u, y, "expense_total") / get(u, y, "income_total") if get(u, y, "income_total") else np.nan
        ),
    }
    for i in np.flatnonzero(mine & (res["category"] == "").to_numpy()).tolist():
        u, y, k = res.at[i, "unit"], int(res.at[i, "year"]), res.at[i, "indicator"]
        res.at[i, "value"] = derived[k](u, y) if k in derived else get(u, y, k)
    return res


def value_of(ind: pd.DataFrame, unit: str, year: int, indicator: str, category: str = "") -> float:
    """One value from the tidy table (NaN when absent)."""
    m = (ind["unit"] == unit) & (ind["year"] == year) & (ind["indicator"] == indicator) & (ind["category"] == category)
    s = ind.loc[m, "value"]
    return float(s.iloc[0]) if len(s) else float("nan")


def wide(ind: pd.DataFrame, *, year: int | None = None, totals_only: bool = True) -> pd.DataFrame:
    """Units as rows, indicators as columns (totals), for one year or all."""
    d = ind
    if year is not None:
        d = d[d["year"] == year]
    if totals_only:
        d = d[d["category"] == ""]
    w = d.pivot_table(index=["unit", "year"], columns="indicator", values="value", aggfunc="first", dropna=False)
    cols = [i.key for i in INDICATORS if i.key in w.columns]
    return w[cols]
