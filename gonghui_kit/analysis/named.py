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

__all__ = ["COLUMNS", "named_facts", "as_named", "display_name", "AWARD_LEVELS", "MEDIA_FORMS"]

COLUMNS = ["unit", "year", "kind", "name", "category", "level", "month", "value", "amount", "status", "form",
           "grade", "recipient", "sheet", "excel_row"]

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
    s = str(name).strip().strip("“”\"《》")
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
