"""Excel export of the indicators: ``indicators.xlsx`` for people who live in Excel/WPS.

``write_indicators_xlsx(path, ind)`` writes

- ``说明``: what the file holds, how to read it, every indicator's definition;
- one sheet per topic (组织建设, 职工活动, 经费管理, 关爱帮扶, 民主管理,
  宣传教育, 荣誉表彰): indicators as rows (Chinese labels; category splits
  as indented, collapsible rows), units as columns (and years under them
  when there are several), number formats by unit of measure (``#,##0"人次"``,
  ``#,##0.00"元"``, ``0.0%`` …), frozen panes, a colour scale on the key
  indicators (green = better, per year) and a block of ranks within the
  peer group;
- ``长表``: the tidy table itself with Chinese headers, filterable.

Text is always stored as text: a unit name starting with ``=``, ``+``, ``-``
or ``@`` can never become a formula.  The file is written atomically.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from gonghui_kit.analysis.compare import category_label, indicator_rows, peer_groups, ranks
from gonghui_kit.analysis.indicators import BY_KEY, INDICATORS, TOPICS
from gonghui_kit.atomic import write_bytes
from gonghui_kit.present.fmt import measure

__all__ = ["write_indicators_xlsx", "number_format", "DEFINITIONS", "EXCEL_MAX_COLUMNS", "EXCEL_MAX_ROWS"]

EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_ROWS = 1_048_576
FORMULA_START = ("=", "+", "-", "@")

#: 口径 of every indicator (spec §5), for the 说明 sheet
DEFINITIONS: dict[str, str] = {
    "employees": "基本信息中的职工人数",
    "members_total": "年末在册会员：入会日期不晚于12月31日且未在当年或之前离会",
    "members_new": "入会日期在本年度的会员",
    "membership_rate": "会员人数 ÷ 职工人数",
    "female_share": "女会员人数 ÷ 会员人数",
    "youth_share": "年末未满35周岁的会员 ÷ 有出生日期的会员",
    "activities": "活动台账中本年度的活动记录数，另按活动类别分列",
    "activity_participants": "参与人数合计，另按活动类别分列",
    "activity_spend": "活动台账中支出金额合计",
    "participation_per_member": "参与人次 ÷ 会员人数",
    "activities_by_month": "按月份统计的活动场次（日期不详的不计入）",
    "income_total": "经费收入合计，另按会计科目分列",
    "expense_total": "经费支出合计，另按会计科目分列",
    "balance": "经费收入合计 − 经费支出合计",
    "expense_ratio": "经费支出合计 ÷ 经费收入合计",
    "activity_expense_per_member": "职工活动支出 ÷ 会员人数",
    "care_visits": "慰问人次合计（未填按1人次），另按事由分列",
    "care_amount": "慰问金额合计，另按事由分列",
    "proposals": "职代会提案记录数",
    "proposals_accepted": "是否立案为“是”的提案数（未填视为立案）",
    "proposals_closed": "已立案且办理状态为“已办结”的提案数",
    "proposal_close_rate": "办结数 ÷ 立案数",
    "proposal_days": "已办结提案（答复日期 − 提出日期）的平均天数",
    "publicity_items": "宣传数量合计（未填按1计），另按形式和级别分列",
    "training_sessions": "培训台账记录数",
    "training_person_times": "参训人数合计",
    "training_hours": "学时 × 参训人数 之和",
    "training_hours_per_member": "培训学时总量 ÷ 会员人数",
    "awards": "荣誉表彰记录数，另按级别分列",
}

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_BLOCK_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="BFBFBF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_GOOD, _MID, _BAD = "63BE7B", "FFEB84", "F8696B"


def number_format(key: str) -> str:
    """Excel number format of an indicator, by its unit of measure.

    >>> number_format("activity_participants"), number_format("income_total"), number_format("membership_rate")
    ('#,##0"人次"', '#,##0.00"元"', '0.0%')
    >>> number_format("training_hours_per_member"), number_format("publicity_items")
    ('#,##0.0"学时"', '#,##0"篇（期）"')
    """
    kind = BY_KEY[key].kind if key in BY_KEY else "count"
    if kind in ("rate", "ratio"):
        return "0.0%"
    word = measure(key)
    suffix = f'"{word}"' if word else ""
    if kind == "yuan":
        return f"#,##0.00{suffix}"
    if kind in ("per_member", "hours", "days") and (key != "training_hours"):
        return f"#,##0.0{suffix}"
    return f"#,##0{suffix}"


#: the cell styles the workbook uses, by name (see ``_put``)
_STYLES: dict[str, dict[str, object]] = {
    "title": {"font": _TITLE},
    "head": {"font": _BOLD, "fill": _HEAD_FILL, "alignment": _CENTER, "border": _BOX},
    "box": {"border": _BOX},
    "box_bold": {"font": _BOLD, "border": _BOX},
    "box_indent": {"alignment": Alignment(indent=2), "border": _BOX},
    "box_center": {"border": _BOX, "alignment": Alignment(horizontal="center")},
    "block": {"fill": _BLOCK_FILL},
    "block_bold": {"font": _BOLD, "fill": _BLOCK_FILL},
}


def _apply_style(cell, style: str | None, fmt: str | None) -> None:
    """Give ``cell`` the named style and number format.  openpyxl hashes a
    style object each time one is assigned (tens of microseconds), and a
    workbook has tens of thousands of cells but a handful of combinations:
    each combination is assigned once per workbook, and its style array is
    copied to every other cell that uses it."""
    if style is None and fmt is None:
        return
    cache = cell.parent.parent.__dict__.setdefault("_gonghui_styles", {})
    arr = cache.get((style, fmt))
    if arr is None:
        for attr, v in _STYLES[style].items() if style else ():
            setattr(cell, attr, v)
        if fmt:
            cell.number_format = fmt
        cache[(style, fmt)] = copy.copy(cell._style)
    else:
        cell._style = copy.copy(arr)


def _put(ws, row: int, col: int, value, *, fmt: str | None = None, style: str | None = None):
    """Write one cell with a style of ``_STYLES``; text is always text (never
    a formula); the number format applies to a value that is there."""
    cell = ws.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        _apply_style(cell, style, None)
        return cell
    if isinstance(value, (np.integer,)):
        value = int(value)
    elif isinstance(value, (np.floating,)):
        value = float(value)
    if isinstance(value, str):
        value = "".join(ch for ch in value if ch >= " " or ch in "\t\n")  # no control characters
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value
    _apply_style(cell, style, fmt)
    return cell


def _years_text(years: list[int]) -> str:
    if not years:
        return ""
    return f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"


def _unit_order(ind: pd.DataFrame, registry) -> list[str]:
    units = list(pd.unique(ind["unit"]))
    if registry is None:
        return units
    g = peer_groups(units, registry)
    return sorted(units, key=lambda u: (str(g[u]), units.index(u)))


def _topic_sheet(
    wb: Workbook,
    topic: str,
    ind: pd.DataFrame,
    units: list[str],
    years: list[int],
    rk: pd.DataFrame,
    groups: pd.Series,
    incomplete: set[str] = frozenset(),
) -> None:
    ws = wb.create_sheet(topic)
    keys = [i.key for i in INDICATORS if i.topic == topic]
    w = indicator_rows(ind, None, keys, units, categories=True)
    cols = [(u, y) for u in units for y in years]
    w = w.reindex(columns=pd.MultiIndex.from_tuples(cols, names=["unit", "year"]))
    multi = len(years) > 1
    _put(ws, 1, 1, f"{topic}指标（{_years_text(years)}）", style="title")
    head = 2
    _put(ws, head, 1, "指标")
    for j, u in enumerate(units):
        c0 = 2 + j * len(years)
        _put(ws, head, c0, f"{u}（数据不完整）" if u in incomplete else u)
        if multi:
            ws.merge_cells(start_row=head, start_column=c0, end_row=head, end_column=c0 + len(years) - 1)
            for k, y in enumerate(years):
                _put(ws, head + 1, c0 + k, f"{y}年")
    last_head = head + (1 if multi else 0)
    if multi:
        _put(ws, head + 1, 1, "年度")
    for r in range(head, last_head + 1):
        for c in range(1, 2 + len(cols)):
            _apply_style(ws.cell(r, c), "head", None)
    ws.freeze_panes = ws.cell(last_head + 1, 2)

    row = last_head + 1
    key_rows: dict[str, int] = {}
    values = w.to_numpy(dtype="float64") if len(w) else np.empty((0, len(cols)))
    for (key, cat), vals in zip(w.index, values, strict=False):
        label = BY_KEY[key].label if cat == "" else category_label(cat)
        _put(ws, row, 1, label, style="box_bold" if cat == "" else "box_indent")
        if cat == "":
            key_rows[key] = row
        else:
            ws.row_dimensions[row].outline_level = 1
        fmt = number_format(key)
        for j, v in enumerate(vals):
            _put(ws, row, 2 + j, None if np.isnan(v) else float(v), fmt=fmt, style="box")
        row += 1
    ws.sheet_properties.outlinePr.summaryBelow = False

    # colour scale on key indicators (per year: like is compared with like)
    for key, r in key_rows.items():
        ind_meta = BY_KEY[key]
        if not ind_meta.key_indicator or ind_meta.higher_is_better is None or len(units) < 2:
            continue
        lo, hi = (_BAD, _GOOD) if ind_meta.higher_is_better else (_GOOD, _BAD)
        for k in range(len(years)):
            refs = " ".join(f"{get_column_letter(2 + j * len(years) + k)}{r}" for j in range(len(units)))
            ws.conditional_formatting.add(
                refs,
                ColorScaleRule(
                    start_type="min",
                    start_color=lo,
                    mid_type="percentile",
                    mid_value=50,
                    mid_color=_MID,
                    end_type="max",
                    end_color=hi,
                ),
            )

    # rank block
    rank_keys = [k for k in keys if BY_KEY[k].key_indicator and BY_KEY[k].higher_is_better is not None]
    if rank_keys and len(units) >= 2:
        row += 1
        _put(ws, row, 1, "同类排名（1为最好）", style="block_bold")
        for j in range(len(cols)):
            _apply_style(ws.cell(row, 2 + j), "block", None)
        row += 1
        _put(ws, row, 1, "同类分组", style="box")
        for j, (u, _y) in enumerate(cols):
            _put(ws, row, 2 + j, str(groups.get(u, "")), style="box")
        row += 1
        rmap = {
            (i, u, int(y)): (r, n)
            for i, u, y, r, n in rk[["indicator", "unit", "year", "rank", "n"]].itertuples(index=False, name=None)
        }
        for key in rank_keys:
            _put(ws, row, 1, f"{BY_KEY[key].label}排名", style="box")
            for j, (u, y) in enumerate(cols):
                rr, n = rmap.get((key, u, int(y)), (pd.NA, None))
                _put(
                    ws,
                    row,
                    2 + j,
                    None if pd.isna(rr) else int(rr),
                    fmt='0"/"' + str(int(n)) if not pd.isna(rr) else None,
                    style="box_center",
                )
            row += 1

    ws.column_dimensions["A"].width = 26
    for j, (u, _y) in enumerate(cols):
        width = (
            max(11, min(30, 2 * len(str(u)) + 2)) if not multi else max(11, min(30, (2 * len(str(u)) + 2) / len(years)))
        )
        ws.column_dimensions[get_column_letter(2 + j)].width = width


def _readme_sheet(wb: Workbook, ind: pd.DataFrame, units: list[str], years: list[int], notes: Iterable[str]) -> None:
    ws = wb.create_sheet("说明", 0)
    _put(ws, 1, 1, "工会台账指标汇总", style="title")
    lines = [
        f"数据年度：{_years_text(years) or '无'}；单位数：{len(units)}。",
        "各板块工作表：每行一个指标（缩进行为该指标按类别、科目、事由等的分项，可折叠），每列一个单位"
        + ("，单位下按年度分列" if len(years) > 1 else "")
        + "。",
        "金额单位为元，比率以百分数显示；空白表示缺失（台账未填写或无法计算），不等于0。",
        "关键指标按同类单位着色：绿色较好、红色较差（各年度分别比较）；表下“同类排名”中“2/6”表示在6个同类单位中排第2。",
        "“长表”工作表为全部指标的明细（单位、年度、指标、分类、数值），可筛选、可做数据透视表。",
        "本表只含汇总数字，不含姓名、身份证号、联系电话等个人信息。",
        *notes,
    ]
    for i, s in enumerate(lines):
        _put(ws, 3 + i, 1, s)
    r = 4 + len(lines)
    heads = ["指标", "代码", "所属板块", "计量", "口径", "方向", "关键指标"]
    for j, h in enumerate(heads):
        _put(ws, r, 1 + j, h, style="head")
    for i in INDICATORS:
        r += 1
        direction = {True: "越高越好", False: "越低越好", None: "—"}[i.higher_is_better]
        word = "%" if i.kind == "rate" else measure(i.key)
        for j, v in enumerate(
            [i.label, i.key, i.topic, word, DEFINITIONS.get(i.key, ""), direction, "是" if i.key_indicator else ""]
        ):
            _put(ws, r, 1 + j, v, style="box")
    for col, wdt in zip("ABCDEFG", (18, 28, 10, 9, 52, 10, 9), strict=False):
        ws.column_dimensions[col].width = wdt
    ws.column_dimensions["A"].width = 18


def _long_sheet(wb: Workbook, ind: pd.DataFrame) -> None:
    ws = wb.create_sheet("长表")
    heads = ["单位", "年度", "指标", "分类", "数值", "计量", "指标代码"]
    for j, h in enumerate(heads):
        _put(ws, 1, 1 + j, h, style="head")
    labels = {i.key: i.label for i in INDICATORS}
    fmts = {k: number_format(k) for k in labels}
    words = {i.key: ("%" if i.kind == "rate" else measure(i.key)) for i in INDICATORS}
    for r, (u, y, k, c, v) in enumerate(
        ind[["unit", "year", "indicator", "category", "value"]].itertuples(index=False, name=None), start=2
    ):
        _put(ws, r, 1, str(u))
        _put(ws, r, 2, int(y))
        _put(ws, r, 3, labels.get(k, str(k)))
        _put(ws, r, 4, category_label(c) if c else "")
        _put(ws, r, 5, None if pd.isna(v) else float(v), fmt=fmts.get(k))
        _put(ws, r, 6, words.get(k, ""))
        _put(ws, r, 7, str(k))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:G{max(1, len(ind) + 1)}"
    for col, wdt in zip("ABCDEFG", (22, 8, 18, 16, 16, 8, 28), strict=False):
        ws.column_dimensions[col].width = wdt


def write_indicators_xlsx(
    path: str | Path,
    ind: pd.DataFrame,
    *,
    year: int | None = None,
    registry=None,
    incomplete: Mapping[str, int] | None = None,
) -> Path:
    """Write the indicator table as ``indicators.xlsx`` (see module doc).

    ``year``: only that year (default: every year in ``ind``); ``registry``:
    peer groups for the ranks and the order of the unit columns (peers
    side by side); ``incomplete``: units with data left uncounted → number of
    places, marked 数据不完整 in the 说明 sheet and on their column heads.
    Returns the path.
    """
    incomplete = dict(incomplete or {})
    d = ind if year is None else ind[ind["year"] == year]
    d = d.reset_index(drop=True)
    if len(d) + 1 > EXCEL_MAX_ROWS:
        raise ValueError(f"指标明细共 {len(d)} 行，超过 Excel 单个工作表上限，请按年度分别导出或导出 CSV")
    units = _unit_order(d, registry)
    years = sorted(int(y) for y in pd.unique(d["year"])) if len(d) else []
    notes: list[str] = []
    topic_years = years
    if len(units) * max(1, len(years)) + 1 > EXCEL_MAX_COLUMNS and years:
        topic_years = years[-1:]
        notes.append(f"单位较多，各板块工作表只列{years[-1]}年；其他年度见“长表”。")
    if len(units) + 1 > EXCEL_MAX_COLUMNS:
        notes = ["单位数超过 Excel 列数上限，未生成各板块工作表；全部数据见“长表”。"]
    if incomplete:
        listed = "、".join(f"{u}（{n} 处）" for u, n in sorted(incomplete.items()))
        notes.append(f"数据不完整（有内容未能识别、未计入统计，详见数据质量报告）：{listed}。")
    wb = Workbook()
    wb.remove(wb.active)
    _readme_sheet(wb, d, units, years, notes)
    if len(units) + 1 <= EXCEL_MAX_COLUMNS:
        rk = ranks(d, registry) if len(d) else pd.DataFrame(columns=["indicator", "unit", "year", "rank", "n"])
        groups = peer_groups(units, registry)
        td = d[d["year"].isin(topic_years)]
        for topic in TOPICS:
            _topic_sheet(wb, topic, td, units, topic_years, rk, groups, set(incomplete))
    _long_sheet(wb, d)
    buf = io.BytesIO()
    wb.save(buf)
    return write_bytes(path, buf.getvalue())
