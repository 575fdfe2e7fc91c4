"""The mess of spec §3: which workbook gets which kind, and how a canonical
value is spelled under a mess style (``2023年7月1日``, ``约50人``, ``1.2万``,
``—``, ``文体类``, ``职工活动支出-文体活动`` …) together with the value a
correct reader must get back.

:class:`MessContext` is one workbook's random source and bookkeeping: which
kinds are enabled, which are still owed (forced), and how often each was
planted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from random import Random
from typing import Any, Sequence

from gonghui_kit.ledgers.sample.values import cn_date, fmt_num, money
from gonghui_kit.schema import CategoryList, Column, Schema, Sheet, norm_key

__all__ = ["MESS_KINDS", "MISSING_STYLES", "MessContext", "plan_mess", "render_record", "unknown_labels"]

# --------------------------------------------------------------------------
# vocabulary

#: Every kind of mess the generator plants (``truth["mess"]`` counts them).
MESS_KINDS: tuple[str, ...] = (
    # layout
    "title_rows",
    "note",
    "blank_rows",
    "blank_columns",
    "hidden_row",
    "header_unit_wan",
    "header_unit_yuan",
    "alias_sheet_name",
    "alias_headers",
    "missing_sheet",
    "extra_sheet",
    "formula_cached",
    "misleading_file_name",
    # 基本信息
    "info_alias_keys",
    "info_text_values",
    # dates
    "date_excel",
    "date_serial",
    "date_iso",
    "date_slash",
    "date_dot",
    "date_cn",
    "date_md_cn",
    "date_md_dot",
    "date_month_only",
    "date_cn_numerals",
    # numbers
    "num_text",
    "num_comma",
    "num_fullwidth",
    "num_wan",
    "num_qian",
    "num_unit",
    "num_approx_yue",
    "num_approx_yu",
    "num_approx_duo",
    # missing values
    "missing_emdash",
    "missing_hyphen",
    "missing_slash",
    "missing_wu",
    "missing_blank",
    # categories
    "category_variant",
    "category_synonym",
    "unknown_category",
    # rows
    "subtotal",
    "duplicate",
    "other_year",
    "no_date",
    # funds
    "fund_subitem_dash",
    "fund_subitem_suffix",
    "fund_subitem_alone",
    "fund_legacy",
    "blank_direction",
    # content
    "cash_gift",
)

_DATE_STYLES = (
    "date_excel",
    "date_serial",
    "date_iso",
    "date_slash",
    "date_dot",
    "date_cn",
    "date_md_cn",
    "date_md_dot",
    "date_month_only",
    "date_cn_numerals",
)
_COUNT_STYLES = (
    "num_text",
    "num_comma",
    "num_fullwidth",
    "num_unit",
    "num_approx_yue",
    "num_approx_yu",
    "num_approx_duo",
)
_MONEY_STYLES = ("num_text", "num_comma", "num_fullwidth", "num_unit", "num_wan", "num_qian")
#: Spellings of a missing number (a token or a blank cell).
MISSING_STYLES: tuple[str, ...] = ("missing_emdash", "missing_hyphen", "missing_slash", "missing_wu", "missing_blank")
_MISSING_TOKENS = {
    "missing_emdash": "—",
    "missing_hyphen": "-",
    "missing_slash": "/",
    "missing_wu": "无",
    "missing_blank": None,
}

#: Columns where a month-only date (``2023年7月``) is believable.
_MONTH_ONLY_OK = {
    ("activities", "date"),
    ("publicity", "date"),
    ("training", "date"),
    ("awards", "date"),
    ("members", "birth_date"),
}
#: Count columns where ``约50人`` is believable, with the unit people write.
_APPROX_OK = {("activities", "participants"), ("training", "participants")}
_COUNT_UNIT = {"participants": "人", "visits": "人次", "quantity": "篇", "employees": "人"}

#: Probability that an enabled (not forced) mess kind is used at a chance.
_P_KIND = 0.3
_P_CELL = 0.3
_P_ROW = 0.4
_RARE = {
    "missing_sheet": 0.08,
    "extra_sheet": 0.15,
    "misleading_file_name": 0.1,
    "formula_cached": 0.15,
    "header_unit_wan": 0.3,
    "unknown_category": 0.3,
}

#: Chance that a style, once picked for a cell, is kept (rare spellings stay rare).
_STYLE_WEIGHT = {
    "date_cn_numerals": 0.15,
    "date_md_cn": 0.3,
    "date_md_dot": 0.2,
    "date_month_only": 0.15,
    "date_serial": 0.5,
    "date_dot": 0.6,
    "num_fullwidth": 0.3,
    "num_approx_yue": 0.3,
    "num_approx_yu": 0.3,
    "num_approx_duo": 0.3,
    "num_qian": 0.5,
    "category_synonym": 0.6,
}
_FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


# --------------------------------------------------------------------------
# small helpers


def _is_ascii(s: str) -> bool:
    return all(ord(c) < 128 for c in s)


def _resolve_account(raw: str, schema: Schema) -> tuple[str, str] | None:
    """(direction, account) a 科目 spelling stands for under spec §2, or None.

    >>> from gonghui_kit.schema import load_schema
    >>> s = load_schema()
    >>> [_resolve_account(x, s) for x in ("职工活动支出-文体活动", "文体活动支出", "事业支出")]
    [('支出', '职工活动支出'), ('支出', '职工活动支出'), ('支出', '对附属单位的支出')]
    """
    lookup = schema.account_lookup
    k = norm_key(raw)
    if k in lookup:
        return lookup[k]
    for part in re.split(r"[-—－]+", k):
        if part in lookup:
            return lookup[part]
    for suffix in ("支出", "收入"):
        if k.endswith(suffix) and k[: -len(suffix)] in lookup:
            return lookup[k[: -len(suffix)]]
    return None


# --------------------------------------------------------------------------
# rendering: canonical value -> (raw cell, truth value) under a mess style


class MessContext:
    """Per-workbook random source, enabled/forced mess kinds and counters.

    ``enabled`` kinds may be planted, ``pending`` ones (forced, not yet
    planted) must be, ``counts`` tallies what was planted (``truth["mess"]``);
    ``mess`` is False for a clean sample.
    """

    def __init__(self, rng: Random, year: int, enabled: set[str], forced: set[str], mess: bool):
        self.rng = rng
        self.year = year
        self.enabled = set(enabled) | set(forced)
        self.pending = set(forced)
        self.counts: Counter = Counter()
        self.mess = mess

    def used(self, kind: str, n: int = 1) -> None:
        """Record that ``kind`` was planted ``n`` times (it is no longer pending)."""
        self.counts[kind] += n
        self.pending.discard(kind)

    def want(self, kind: str, p: float = _P_ROW) -> bool:
        """Plant ``kind`` at this chance?  Always while it is still pending."""
        if kind not in self.enabled:
            return False
        return kind in self.pending or self.rng.random() < _RARE.get(kind, p)

    def style(self, candidates: Sequence[str], p: float = _P_CELL) -> str | None:
        """A mess style among ``candidates`` for one cell, or None (plain)."""
        pend = [c for c in candidates if c in self.pending]
        if pend:
            return pend[0]
        if self.rng.random() >= p:
            return None
        ok = [c for c in candidates if c in self.enabled]
        if not ok:
            return None
        pick = self.rng.choice(ok)
        return pick if self.rng.random() < _STYLE_WEIGHT.get(pick, 1.0) else None


def _render_date(ctx: MessContext, value: dt.date | None, sheet_key: str, col_key: str) -> tuple[Any, Any]:
    if value is None:
        return None, None
    cands = [s for s in _DATE_STYLES if s != "date_excel"]
    if value.year != ctx.year:
        cands = [s for s in cands if s not in ("date_md_cn", "date_md_dot")]
    if (sheet_key, col_key) not in _MONTH_ONLY_OK:
        cands.remove("date_month_only")
    style = ctx.style(cands, 0.6) if ctx.mess else None
    if style is None:
        if ctx.mess:
            ctx.used("date_excel")
        return value, value
    ctx.used(style)
    y, m, d = value.year, value.month, value.day
    raw = {
        "date_serial": (value - _EXCEL_EPOCH).days,
        "date_iso": f"{value:%Y-%m-%d}",
        "date_slash": f"{y}/{m}/{d}",
        "date_dot": f"{y}.{m}.{d}",
        "date_cn": f"{y}年{m}月{d}日",
        "date_md_cn": f"{m}月{d}日",
        "date_md_dot": f"{m}.{d}",
        "date_month_only": f"{y}年{m}月",
        "date_cn_numerals": cn_date(value),
    }[style]
    return raw, ((y, m) if style == "date_month_only" else value)


def _render_missing(ctx: MessContext, default: Any) -> tuple[Any, Any]:
    """A missing number: a token (—, -, /, 无) or a blank cell."""
    if default is not None or not ctx.mess:
        return None, default
    style = ctx.style(MISSING_STYLES, 1.0) or "missing_blank"
    ctx.used(style)
    return _MISSING_TOKENS[style], None


def _render_count(ctx: MessContext, value: int | None, sheet_key: str, col: Column, flags: list) -> tuple[Any, Any]:
    if value is None:
        return _render_missing(ctx, None if col.blank is None else int(col.blank))
    if col.blank is not None and value == int(col.blank) and ctx.mess and ctx.rng.random() < 0.4:
        return None, value  # blank means the default (人次/数量 → 1)
    cands = [s for s in _COUNT_STYLES if s != "num_comma" or value >= 1000]
    if (sheet_key, col.key) not in _APPROX_OK:
        cands = [s for s in cands if not s.startswith("num_approx")]
    style = ctx.style(cands) if ctx.mess else None
    if style is None:
        return value, value
    ctx.used(style)
    unit = _COUNT_UNIT.get(col.key, "")
    if style.startswith("num_approx"):
        value = max(10, round(value / 10) * 10)
        raw = {
            "num_approx_yue": f"约{value}{unit}",
            "num_approx_yu": f"{value}余{unit}",
            "num_approx_duo": f"{value}多{unit}",
        }[style]
        flags.append(("approx_number", col.key, raw))
        return raw, value
    raw = {
        "num_text": str(value),
        "num_comma": f"{value:,}",
        "num_fullwidth": str(value).translate(_FULLWIDTH),
        "num_unit": f"{value}{unit}",
    }[style]
    return raw, value


def _render_money(ctx: MessContext, value: float | None, col: Column, scale: float) -> tuple[Any, Any]:
    if value is None:
        return _render_missing(ctx, None)
    if scale != 1.0:  # the header says 万元: plain numbers in 万元
        raw = round(value / scale, 6)
        return raw, money(raw * scale)
    cands = [
        s
        for s in _MONEY_STYLES
        if not (s == "num_comma" and value < 1000)
        and not (s == "num_wan" and value < 10000)
        and not (s == "num_qian" and not 1000 <= value < 10000)
    ]
    style = ctx.style(cands) if ctx.mess else None
    if style is None:
        return value, value
    ctx.used(style)
    if style == "num_wan":
        value = money(round(value, -2))
        return f"{fmt_num(value / 10000)}{ctx.rng.choice(('万', '万元'))}", value
    if style == "num_qian":
        value = money(round(value, -3))
        return f"{int(value // 1000)}千", value
    if style == "num_fullwidth":
        value = float(round(value))
        return fmt_num(value).translate(_FULLWIDTH), value
    raw = {
        "num_text": f"{value:.2f}" if not value.is_integer() else fmt_num(value),
        "num_comma": f"{value:,.2f}",
        "num_unit": f"{fmt_num(value)}元",
    }[style]
    return raw, value


def _variants(label: str, suffix: bool) -> list[str]:
    """Spellings people type: inner/outer spaces, a trailing 类 (``文体类``)."""
    mid = max(1, len(label) // 2)
    out = [f" {label} ", label + "\u3000"]
    if len(label) > 1:
        out.append(label[:mid] + " " + label[mid:])
    if suffix:
        out.append(label + "类")
    return out


def _render_category(ctx: MessContext, value: str | None, col: Column, cats: CategoryList) -> tuple[Any, Any]:
    if value is None:
        return None, col.blank
    if not ctx.mess:
        return value, value
    if col.blank is not None and value == col.blank and ctx.rng.random() < 0.3:
        return None, value  # blank means the default (是否立案 → 是)
    style = ctx.style(("category_variant", "category_synonym"), 0.2)
    if style == "category_synonym":
        syns = [s for s in cats.values[value] if not _is_ascii(s) or cats.name == "yesno"]
        syns = [s for s in syns if cats.canonical(s) == value]
        if syns:
            ctx.used(style)
            return ctx.rng.choice(syns), value
        style = "category_variant"
    if style == "category_variant":
        opts = [v for v in _variants(value, cats.unknown is not None) if cats.canonical(v) == value]
        if opts:
            ctx.used(style)
            return ctx.rng.choice(opts), value
    return value, value


_UNKNOWN_LABELS = {
    "activity_category": ("座谈交流", "茶话会", "读书分享会", "观影"),
    "care_reason": ("走访", "高温送清凉", "看望老党员"),
    "training_type": ("礼仪", "急救知识", "心理健康"),
    "publicity_form": ("宣传册", "展览", "座谈会"),
}


def unknown_labels(cats: CategoryList) -> list[str]:
    """Believable labels of a category list that are in no list (read as its unknown label, 其他).

    >>> from gonghui_kit.schema import load_schema
    >>> unknown_labels(load_schema().categories["training_type"])
    ['礼仪', '急救知识', '心理健康']
    """
    return [x for x in _UNKNOWN_LABELS.get(cats.name, ()) if cats.canonical(x) is None]


def _render_account(ctx: MessContext, rec: dict, schema: Schema) -> tuple[Any, str]:
    """科目 as written (sub-items, legacy names) and the canonical account."""
    account, item = rec["account"], rec.get("_item")
    options: dict[str, str] = {}
    if ctx.mess:
        if account == "对附属单位的支出":
            options["fund_legacy"] = "事业支出"
        elif account == "附属单位上缴收入":
            options["fund_legacy"] = "事业收入"
        if item:
            options["fund_subitem_dash"] = f"{account}-{item}"
            options["fund_subitem_alone"] = item
            if rec["direction"] == "支出" and not item.endswith("支出"):
                options["fund_subitem_suffix"] = f"{item}支出"
    options = {k: v for k, v in options.items() if _resolve_account(v, schema) == (rec["direction"], account)}
    style = ctx.style(list(options), 0.5 if "fund_legacy" in options else 0.35) if options else None
    if style is None:
        return account, account
    ctx.used(style)
    return options[style], account


# --------------------------------------------------------------------------
# one record


def render_record(
    ctx: MessContext, sheet: Sheet, rec: dict, scales: dict[str, float], schema: Schema
) -> tuple[list, dict, list]:
    """A canonical record of ``sheet`` as raw cells under this workbook's mess.

    Returns ``(cells, truth, flags)``: the cells to write in column order,
    the values a correct reader gets back (by column key), and the anomalies
    the row carries as ``(kind, column key, raw)``.  ``scales`` holds the
    header unit of money columns (``{"amount": 10000.0}`` for 万元).
    """
    cells, truth, flags = [], {}, []
    for c in sheet.columns:
        v = rec.get(c.key)
        if c.type == "date":
            raw, tv = _render_date(ctx, v, sheet.key, c.key)
        elif c.type == "count":
            raw, tv = _render_count(ctx, v, sheet.key, c, flags)
        elif c.type == "money":
            raw, tv = _render_money(ctx, v, c, scales.get(c.key, 1.0))
        elif c.type == "number":
            raw, tv = (v, v)
            if v is not None and ctx.mess and ctx.style(("num_text",)) == "num_text":
                ctx.used("num_text")
                raw = fmt_num(v)
        elif c.type in ("category", "yesno"):
            raw, tv = _render_category(ctx, v, c, schema.categories[c.categories])
        elif c.type == "account":
            raw, tv = _render_account(ctx, rec, schema)
        else:
            raw, tv = v, v
        cells.append(raw)
        truth[c.key] = tv
    if sheet.key == "funds":  # 收支 may be left blank: it follows from the 科目
        i = sheet.column_keys.index("direction")
        truth["direction"] = rec["direction"]
        if ctx.mess and ctx.style(("blank_direction",), 0.15):
            ctx.used("blank_direction")
            cells[i] = None
    if rec.get("_cash_gift"):
        flags.append(("cash_gift", "amount", cells[sheet.column_keys.index("amount")]))
        if ctx.mess:
            ctx.used("cash_gift")
    return cells, truth, flags


# --------------------------------------------------------------------------
# planning which workbook gets which mess


def plan_mess(n: int, mess: bool, rng: Random) -> list[tuple[set[str], set[str]]]:
    """Per workbook: (enabled kinds, forced kinds).  Every kind is forced in
    exactly one workbook so that a sample always holds all of them."""
    if not mess:
        return [(set(), set()) for _ in range(n)]
    forced: list[set[str]] = [set() for _ in range(n)]
    off = rng.randrange(n)
    for i, kind in enumerate(MESS_KINDS):
        forced[(off + i * 7) % n].add(kind)
    out = []
    for f in forced:
        enabled = {k for k in MESS_KINDS if rng.random() < max(_P_KIND, _RARE.get(k, 0))}
        out.append((enabled, f))
    return out
