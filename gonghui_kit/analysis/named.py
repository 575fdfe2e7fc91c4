"""Named facts: what a unit did and won, by name, from its ledger rows.

The 工作总结 names things (“4月举办职工篮球赛”, “荣获省部级‘模范职工小家’”);
the indicator table only counts them.  ``named_facts(tables)`` keeps, for every
unit and year, the rows worth naming — activities, collective and individual
honours, publicity items, proposals, training courses, care rows and the
基本信息 — as one small frame with no personal data (activity names, honour
names and titles are not personal; 慰问对象 and 提案人 are never copied).
Every row keeps ``sheet`` and ``excel_row`` so a sentence can be traced back
to the ledger row it names.

Columns: ``unit, year, kind, name, category, level, month, value, amount,
status, form, grade, recipient, sheet, excel_row``; ``kind`` is one of
``activity, award, publicity, proposal, training, care, info``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["AWARD_LEVELS", "COLUMNS", "MEDIA_FORMS", "as_named", "display_name", "named_facts"]

COLUMNS = [
    "unit",
    "year",
    "kind",
    "name",
    "category",
    "level",
    "month",
    "value",
    "amount",
    "status",
    "form",
    "grade",
    "recipient",
    "sheet",
    "excel_row",
]

#: honour levels, highest first
AWARD_LEVELS = ("国家级", "省部级", "市厅级", "县区级", "单位内部")
#: publicity forms that are 媒体刊发 (a 横幅 or 橱窗 at 国家级 is not)
MEDIA_FORMS = ("报刊文章", "网络新媒体", "广播电视")

# (table key, kind, {column of the frame: column of the table})
_SPECS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("activities", "activity", {"name": "name", "category": "category", "value": "participants", "amount": "amount"}),
    ("awards", "award", {"name": "name", "level": "level", "grade": "grade", "recipient": "recipient"}),
    ("publicity", "publicity", {"name": "title", "form": "form", "level": "level", "value": "quantity"}),
    ("proposals", "proposal", {"name": "title", "category": "category", "status": "status", "recipient": "accepted"}),
    ("training", "training", {"name": "name", "category": "type", "value": "participants", "amount": "hours"}),
    ("care", "care", {"category": "reason", "form": "form", "value": "visits", "amount": "amount"}),
    ("info", "info", {"name": "parent_union", "status": "sheets_absent", "value": "employees"}),
)

_ORDINAL = re.compile(r"\s*[（(][一二三四五六七八九十\d]+[）)]\s*$")


def display_name(name: Any) -> str:
    """A ledger name as a sentence names it: trimmed, quotes and a trailing
    ordinal in brackets removed (the second 拔河比赛 is still 拔河比赛).

    >>> display_name(" 拔河比赛（二） "), display_name("“模范职工小家”"), display_name(None)
    ('拔河比赛', '模范职工小家', '')
    """
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return ""
    s = str(name).strip().strip('“”"《》')
    return _ORDINAL.sub("", s).strip()


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


def named_facts(tables: Any) -> pd.DataFrame:
    """The rows worth naming of every unit and year (see module doc).

    ``tables``: a :class:`~gonghui_kit.ingest.load.Ledger` or its ``tables`` dict.

    >>> acts = pd.DataFrame({"unit": ["甲"], "year": [2024], "name": ["职工篮球赛"], "category": ["文体活动"],
    ...     "participants": [69.0], "amount": [4490.0], "month": [5], "sheet": ["活动台账"], "excel_row": [13]})
    >>> named_facts({"activities": acts})[["kind", "name", "month", "value", "excel_row"]].values.tolist()
    [['activity', '职工篮球赛', 5, 69.0, 13]]
    """
    tables = getattr(tables, "tables", tables) or {}
    parts = []
    for key, kind, cols in _SPECS:
        t = tables.get(key)
        if t is None or len(t) == 0 or "unit" not in t:
            continue
        d = pd.DataFrame({"unit": t["unit"].to_numpy(), "year": t["year"].astype("int64").to_numpy(), "kind": kind})
        for out, src in cols.items():
            d[out] = t[src].to_numpy() if src in t else None
        d["month"] = t["month"].to_numpy() if "month" in t else None
        d["sheet"] = t["sheet"].to_numpy() if "sheet" in t else None
        d["excel_row"] = t["excel_row"].to_numpy() if "excel_row" in t else None
        parts.append(d.reindex(columns=COLUMNS))
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    for c in ("value", "amount"):
        out[c] = pd.to_numeric(out[c], errors="coerce")
    out["month"] = [None if pd.isna(m) else int(m) for m in out["month"]]
    return out


def as_named(x: Any) -> pd.DataFrame | None:
    """A :func:`named_facts` frame from itself, a Ledger or a tables dict; None for None."""
    if x is None:
        return None
    if isinstance(x, pd.DataFrame):
        return x if "kind" in x and "excel_row" in x else None
    return named_facts(x)


# --------------------------------------------------------------------------
# what one unit's summary names

#: the verb a sentence uses for an activity of a category
VERBS = {
    "文体活动": "举办",
    "劳动竞赛": "开展",
    "技能比武": "举办",
    "教育培训": "举办",
    "参观学习": "组织",
    "节日活动": "开展",
    "志愿服务": "组织",
    "女职工活动": "开展",
}
CONTESTS = ("劳动竞赛", "技能比武")
#: where a 媒体刊发 appeared, by its form
OUTLET = {"报刊文章": "报刊", "网络新媒体": "网络媒体", "广播电视": "广播电视"}
#: highest levels worth naming in a summary (a 单位内部 honour is not)
NAMED_AWARD_LEVELS = AWARD_LEVELS[:4]
_GRADED = ("赛", "演出", "展演", "评比", "比武", "竞赛", "征文", "大奖")


def _top_rows(d: pd.DataFrame, n: int, by: str = "value") -> pd.DataFrame:
    """The ``n`` largest rows by ``by``, one per display name, in month order."""
    d = d.assign(_name=d["name"].map(display_name))
    d = d[d["_name"] != ""].sort_values(by, ascending=False, kind="stable", na_position="last")
    d = d.drop_duplicates("_name").head(n)
    return d.assign(_m=d["month"].map(lambda m: 13 if m is None or pd.isna(m) else int(m))).sort_values(
        "_m", kind="stable"
    )


def _ref(r) -> dict[str, Any]:
    return {
        "name": display_name(r.name),
        "ledger_name": r.name,
        "sheet": r.sheet,
        "excel_row": r.excel_row,
        "month": None if r.month is None or pd.isna(r.month) else int(r.month),
    }


def unit_named(nf: pd.DataFrame | None, unit: str, year: int) -> dict[str, Any]:
    """What the summary of ``unit`` in ``year`` names, each item with its ledger row.

    Keys: ``flagships`` (2–4 activities by participation, month order, with
    ``verb``), ``contests``, ``awards`` (collective, 县区级 and above, highest
    level first), ``awards_individual``, ``media`` (省级 and 国家级 媒体刊发,
    with ``level`` and ``outlet``), ``training``, ``proposals_closed``,
    ``proposals_open``, ``care`` (amounts by form and by 事由×form),
    ``parent_union``, ``absent`` (sheets the workbook lacks), ``has`` (kinds
    with rows) and ``sources`` (every named item).
    """
    out: dict[str, Any] = {
        "flagships": [],
        "contests": [],
        "awards": [],
        "awards_individual": [],
        "media": [],
        "training": [],
        "proposals_closed": [],
        "proposals_open": [],
        "care": {},
        "parent_union": None,
        "absent": [],
        "has": set(),
        "sources": [],
    }
    if nf is None or nf.empty:
        return out
    d = nf[(nf["unit"] == unit) & (nf["year"] == int(year))]
    out["has"] = set(d["kind"])
    acts = d[d["kind"] == "activity"]
    for r in _top_rows(acts[~acts["category"].isin(CONTESTS)] if len(acts) > 3 else acts, 4).itertuples(index=False):
        out["flagships"].append({**_ref(r), "verb": VERBS.get(r.category, "组织开展")})
    out["contests"] = [_ref(r) for r in _top_rows(acts[acts["category"].isin(CONTESTS)], 2).itertuples(index=False)]
    aw = d[(d["kind"] == "award") & d["level"].isin(NAMED_AWARD_LEVELS)]
    aw = aw.assign(_lv=aw["level"].map(AWARD_LEVELS.index)).sort_values(["_lv", "month"], kind="stable")
    for r in aw[aw["recipient"] == "集体"].drop_duplicates("name").head(4).itertuples(index=False):
        grade = str(r.grade).strip() if isinstance(r.grade, str) and any(w in str(r.name) for w in _GRADED) else ""
        out["awards"].append({**_ref(r), "level": r.level, "grade": grade})
    out["awards_individual"] = [
        {**_ref(r), "level": r.level}
        for r in aw[aw["recipient"] == "个人"].drop_duplicates("name").head(2).itertuples(index=False)
    ]
    pub = d[(d["kind"] == "publicity") & d["form"].isin(MEDIA_FORMS) & d["level"].isin(["国家级", "省级"])]
    pub = pub.assign(_lv=(pub["level"] != "国家级").astype(int)).sort_values(["_lv", "month"], kind="stable")
    out["media"] = [
        {**_ref(r), "level": r.level, "outlet": OUTLET.get(r.form, "媒体")}
        for r in pub.drop_duplicates("name").head(3).itertuples(index=False)
        if display_name(r.name)
    ]
    out["training"] = [_ref(r) for r in _top_rows(d[d["kind"] == "training"], 3).itertuples(index=False)]
    pr = d[(d["kind"] == "proposal") & (d["recipient"] == "是")]
    out["proposals_closed"] = [
        _ref(r) for r in _top_rows(pr[pr["status"] == "已办结"], 3, by="month").itertuples(index=False)
    ]
    out["proposals_open"] = [
        _ref(r) for r in _top_rows(pr[pr["status"] == "办理中"], 2, by="month").itertuples(index=False)
    ]
    care = d[d["kind"] == "care"]
    if len(care):
        amt = care.groupby("form")["amount"].sum()
        out["care"] = {
            "cash": float(amt.get("现金", 0.0)),
            "goods": float(amt.get("实物", 0.0)),
            "forms_of": {k: sorted(set(g["form"].dropna())) for k, g in care.groupby("category")},
        }
    info = d[d["kind"] == "info"]
    if len(info):
        pu = info["name"].iloc[0]
        out["parent_union"] = display_name(pu) or None
        ab = info["status"].iloc[0]
        out["absent"] = [x for x in re.split(r"[、,，;；\s]+", str(ab)) if x] if isinstance(ab, str) else []
    for key in (
        "flagships",
        "contests",
        "awards",
        "awards_individual",
        "media",
        "training",
        "proposals_closed",
        "proposals_open",
    ):
        out["sources"] += [{"what": key, **x} for x in out[key]]
    return out
