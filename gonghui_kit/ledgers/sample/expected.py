"""The §5 indicators a correct reader must compute from a workbook's truth,
recomputed with plain Python (no pandas, nothing shared with
``analysis.indicators``) so that the two can be compared.

Keys are ``(unit, year, indicator, category)`` as in ``compute_indicators``;
category ``""`` is the total.  ``info=False`` leaves out what needs the
基本信息 sheet (职工人数 → 入会率), for layouts that do not carry it.  A
truth's ``reported`` (indicator → value) is what the unit reported without
records to count it from (会员人数 in 基本信息 and no 会员名册): taken as is.
"""

from __future__ import annotations

import datetime as dt
import math
from statistics import mean
from typing import Iterable

from gonghui_kit.schema import load_schema

__all__ = ["INFO_INDICATORS", "mismatches", "truth_indicators"]

#: Indicators that need 基本信息's 职工人数.
INFO_INDICATORS = frozenset({"membership_rate"})

Key = tuple[str, int, str, str]


def _as_date(v) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, tuple):
        return dt.date(v[0], v[1], 1)
    return v


def _total(rows: list[dict], col: str) -> float:
    """Sum of a column; NaN when rows exist but none has a value (unknown, never 0).

    >>> _total([], "amount"), _total([{"amount": 2.5}, {"amount": None}], "amount")
    (0.0, 2.5)
    >>> _total([{"amount": None}], "amount")
    nan
    """
    vals = [r[col] for r in rows if r.get(col) is not None]
    return float(sum(vals)) if vals else (0.0 if not rows else math.nan)


def truth_indicators(truths: Iterable[dict], *, info: bool = True) -> dict[Key, float]:
    """§5 indicators of every unit-year truth dict (see the sample package doc).

    >>> t = {"unit": "甲", "year": 2024, "info": {"employees": 4}, "sheets": {
    ...     "members": {"records": [
    ...         {"join_date": dt.date(2024, 3, 1), "leave_date": None, "gender": "女", "birth_date": None},
    ...         {"join_date": dt.date(2020, 1, 1), "leave_date": dt.date(2024, 5, 1), "gender": "男",
    ...          "birth_date": None}]},
    ...     "activities": {"records": [{"date": (2024, 10), "participants": 30, "amount": None, "category": "其他"}]}}}
    >>> got = truth_indicators([t])
    >>> got[("甲", 2024, "members_total", "")], got[("甲", 2024, "membership_rate", "")]
    (1, 0.25)
    >>> got[("甲", 2024, "activities_by_month", "10")], got[("甲", 2024, "activity_spend", "")]
    (1, nan)
    >>> ("甲", 2024, "membership_rate", "") in truth_indicators([t], info=False)
    False
    """
    schema = load_schema()
    out: dict[Key, float] = {}
    for t in truths:
        u, y = t["unit"], t["year"]
        ye = dt.date(y, 12, 31)
        recs = {k: s["records"] for k, s in t["sheets"].items()}
        m = recs.get("members", [])
        cur = [
            r
            for r in m
            if (r["join_date"] is None or _as_date(r["join_date"]) <= ye)
            and (r["leave_date"] is None or _as_date(r["leave_date"]) > ye)
        ]
        n = len(cur)
        out[(u, y, "members_total", "")] = n
        out[(u, y, "members_new", "")] = sum(
            1 for r in m if r["join_date"] is not None and _as_date(r["join_date"]).year == y
        )
        if info:
            emp = t["info"].get("employees")
            out[(u, y, "membership_rate", "")] = n / emp if emp else math.nan
        out[(u, y, "female_share", "")] = sum(r["gender"] == "女" for r in cur) / n if n else math.nan
        wb = [r for r in cur if r["birth_date"] is not None]
        out[(u, y, "youth_share", "")] = (
            sum(y - _as_date(r["birth_date"]).year < 35 for r in wb) / len(wb) if wb else math.nan
        )
        a = recs.get("activities", [])
        out[(u, y, "activities", "")] = len(a)
        out[(u, y, "activity_participants", "")] = _total(a, "participants")
        out[(u, y, "activity_spend", "")] = _total(a, "amount")
        for c in schema.categories["activity_category"].labels:
            out[(u, y, "activities", c)] = sum(r["category"] == c for r in a)
        for mm in range(1, 13):
            out[(u, y, "activities_by_month", f"{mm:02d}")] = sum(
                1 for r in a if r["date"] is not None and _as_date(r["date"]).month == mm
            )
        f = recs.get("funds", [])
        inc = [r for r in f if r["direction"] == "收入"]
        exp = [r for r in f if r["direction"] == "支出"]
        out[(u, y, "income_total", "")] = _total(inc, "amount")
        out[(u, y, "expense_total", "")] = _total(exp, "amount")
        for acc in schema.accounts["expense"]:
            out[(u, y, "expense_total", acc)] = _total([r for r in exp if r["account"] == acc], "amount")
        for acc in schema.accounts["income"]:
            out[(u, y, "income_total", acc)] = _total([r for r in inc if r["account"] == acc], "amount")
        c = recs.get("care", [])
        out[(u, y, "care_visits", "")] = _total(c, "visits")
        out[(u, y, "care_amount", "")] = _total(c, "amount")
        p = recs.get("proposals", [])
        acc_ = [r for r in p if r["accepted"] == "是"]
        closed = [r for r in acc_ if r["status"] == "已办结"]
        out[(u, y, "proposals", "")] = len(p)
        out[(u, y, "proposals_accepted", "")] = len(acc_)
        out[(u, y, "proposals_closed", "")] = len(closed)
        days = [
            (r["reply_date"] - r["date"]).days
            for r in closed
            if isinstance(r["date"], dt.date) and isinstance(r["reply_date"], dt.date)
        ]
        out[(u, y, "proposal_days", "")] = float(mean(days)) if days else math.nan
        out[(u, y, "publicity_items", "")] = _total(recs.get("publicity", []), "quantity")
        tr = recs.get("training", [])
        out[(u, y, "training_sessions", "")] = len(tr)
        hp = [r["hours"] * r["participants"] for r in tr if r["hours"] is not None and r["participants"] is not None]
        out[(u, y, "training_hours", "")] = float(sum(hp)) if hp else (0.0 if not tr else math.nan)
        out[(u, y, "awards", "")] = len(recs.get("awards", []))
        for k, v in t.get("reported", {}).items():  # a value taken as reported (基本信息's 会员人数, no roster)
            out[(u, y, k, "")] = v
            if k == "members_total" and info:
                emp = t["info"].get("employees")
                out[(u, y, "membership_rate", "")] = v / emp if emp else math.nan
    return out


def mismatches(
    expected: dict[Key, float], got: dict[Key, float], *, yuan: float = 0.005, rate: float = 1e-6
) -> list[tuple[Key, float, object]]:
    """``(key, expected, got)`` where the computed indicators differ from the
    truth: absent, NaN against a value (or the reverse), or further apart than
    to the fen (``yuan``) or a relative ``rate``.

    >>> mismatches({("甲", 2024, "activities", ""): 2, ("甲", 2024, "female_share", ""): math.nan},
    ...            {("甲", 2024, "activities", ""): 3.0, ("甲", 2024, "female_share", ""): math.nan})
    [(('甲', 2024, 'activities', ''), 2, 3.0)]
    """
    bad: list[tuple[Key, float, object]] = []
    for k, want in expected.items():
        have = got.get(k)
        if have is None:
            bad.append((k, want, "absent"))
        elif isinstance(want, float) and math.isnan(want):
            if not math.isnan(have):
                bad.append((k, want, have))
        elif math.isnan(have) or abs(have - want) > max(yuan, rate * abs(want)):
            bad.append((k, want, have))
    return bad
