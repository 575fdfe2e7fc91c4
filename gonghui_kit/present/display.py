"""How the analysis API's tables look in JupyterLab.

:class:`Table` is a pandas ``DataFrame`` — same numbers, same methods; any
operation on it (``head``, ``sort_values``, ``t[cols]``, arithmetic) returns a
plain ``DataFrame`` — that *displays* itself with Chinese headers and the
toolkit's number formats (:mod:`gonghui_kit.present.fmt`): ``11900`` in the
``慰问金额`` column shows as ``1.19万元``.  ``t.style`` is that display as a
pandas ``Styler``; ``t.display_frame()`` the same text as a DataFrame of
strings; ``t.plain()`` a plain DataFrame copy.

How a table is shown is described by a small ``spec`` dict:

``columns``   {column: header} — the columns shown, in order (default: all,
              headers unchanged);
``labels``    {column: {value: text}} — cell values replaced by text
              (``severity: error`` → ``错误``);
``key``       {column: indicator key} — cells written with :func:`fmt_indicator`;
``row_key``   name of a column whose value is each row's indicator key (the
              tidy table), with ``value`` the column to format; or
``row_keys``  one indicator key per row (tables with indicators as rows),
              formatting every numeric cell of the row;
``ranks``     columns (or last-level column names) holding ranks: ``第2名``;
``caption``   a line shown above the table.

>>> t = Table(pd.DataFrame({"unit": ["甲"], "care_amount": [11900.0]}),
...           spec={"columns": {"unit": "单位", "care_amount": "慰问金额"}, "key": {"care_amount": "care_amount"}})
>>> t.display_frame().to_dict("records")
[{'单位': '甲', '慰问金额': '1.19万元'}]
>>> type(t.head(1)).__name__, float(t["care_amount"].sum())
('DataFrame', 11900.0)
"""

from __future__ import annotations

import html
from typing import Any, Mapping

import pandas as pd

from gonghui_kit.analysis.compare import category_label
from gonghui_kit.analysis.indicators import BY_KEY
from gonghui_kit.present.fmt import MISSING, fmt_indicator, fmt_int, fmt_num

__all__ = ["Table", "Text", "style", "display_frame", "category_text", "dataset_card", "MAX_ROWS", "CSS"]

#: Rows shown in a notebook (the table itself keeps every row).
MAX_ROWS = 60

CSS = (
    "font-family: 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif; "
    "font-variant-numeric: tabular-nums;"
)
_TABLE_STYLES = [
    {"selector": "", "props": CSS + " border-collapse: collapse; font-size: 13px;"},
    {
        "selector": "th",
        "props": "background: #F4F5F7; color: #333; font-weight: 600; padding: 4px 10px; text-align: left;",
    },
    {"selector": "td", "props": "padding: 4px 10px; border-bottom: 1px solid #E6E8EB; text-align: left;"},
    {"selector": "th.row_heading, th.col_heading, th.index_name", "props": "white-space: nowrap;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; color: #666; padding: 4px 0;"},
]


def _cell(x: Any) -> str:
    """Any other cell: integers with separators, text as is, gaps as ``—``.

    >>> _cell(1234.0), _cell(2.5), _cell(None), _cell("甲"), _cell(pd.NA)
    ('1,234', '2.5', '—', '甲', '—')
    """
    if x is None or (not isinstance(x, str) and pd.api.types.is_scalar(x) and pd.isna(x)):
        return MISSING
    if isinstance(x, bool):
        return "是" if x else "否"
    if isinstance(x, (int, float)) or pd.api.types.is_number(x):
        v = float(x)
        return fmt_int(v) if v == int(v) else fmt_num(v, 2)
    return str(x)


def _rank(x: Any) -> str:
    """A rank as people read it.

    >>> _rank(2), _rank(pd.NA)
    ('第2名', '—')
    """
    return MISSING if x is None or pd.isna(x) else f"第{int(x)}名"


def _indicator_cell(key: Any, x: Any) -> str:
    if key in BY_KEY:
        return fmt_indicator(key, x)
    return _cell(x)


def _last(col: Any) -> Any:
    return col[-1] if isinstance(col, tuple) else col


def display_frame(df: pd.DataFrame, spec: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """``df`` written as text the way :class:`Table` shows it (see module doc)."""
    spec = dict(spec or {})
    out = pd.DataFrame(index=df.index, columns=df.columns, dtype=object)
    labels: Mapping[str, Mapping[Any, str]] = spec.get("labels", {})
    keys: Mapping[str, str] = spec.get("key", {})
    ranks = set(spec.get("ranks", ()))
    row_key, row_keys = spec.get("row_key"), spec.get("row_keys")
    for j, col in enumerate(df.columns):
        s = df.iloc[:, j]
        if col in labels:
            m = labels[col]
            text = [m.get(v, _cell(v)) if not callable(m) else m(v) for v in s]
        elif col in keys:
            text = [fmt_indicator(keys[col], v) for v in s]
        elif col in ranks or _last(col) in ranks:
            text = [_rank(v) for v in s]
        elif row_key is not None and col == spec.get("value", "value"):
            text = [_indicator_cell(k, v) for k, v in zip(df[row_key], s, strict=False)]
        elif row_keys is not None and pd.api.types.is_numeric_dtype(s.dtype):
            text = [_indicator_cell(k, v) for k, v in zip(row_keys, s, strict=False)]
        else:
            text = [_cell(v) for v in s]
        out.iloc[:, j] = text
    cols = spec.get("columns")
    if cols:
        out = out[[c for c in cols if c in out.columns]].rename(columns=dict(cols))
    return out


def style(df: pd.DataFrame, spec: Mapping[str, Any] | None = None, *, max_rows: int | None = MAX_ROWS):
    """A pandas ``Styler`` showing ``df`` with the spec's headers and formats.

    >>> s = style(pd.DataFrame({"x": [1.0]}), {"columns": {"x": "数"}, "caption": "说明"})
    >>> "数" in s.to_html() and "说明" in s.to_html()
    True
    """
    spec = dict(spec or {})
    d = df if max_rows is None or len(df) <= max_rows else df.iloc[:max_rows]
    text = display_frame(d, spec)
    caption = spec.get("caption", "")
    if len(df) > len(d):
        caption = (caption + " " if caption else "") + f"（共 {len(df):,} 行，此处显示前 {len(d)} 行）"
    # every cell and label may come from a ledger: escaped, never markup
    st = text.style.format(escape="html").format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    st = st.set_table_styles(_TABLE_STYLES)
    numeric = [c for c, src in zip(text.columns, _shown(df, spec), strict=False) if _is_number_column(df, src, spec)]
    if numeric:  # per column, more specific than the table's left-aligned td
        right = [{"selector": "td", "props": "text-align: right; white-space: nowrap;"}]
        st = st.set_table_styles({c: right for c in numeric}, overwrite=False)
    if spec.get("hide_index"):
        st = st.hide(axis="index")
    if caption:
        st = st.set_caption(html.escape(caption))
    return st


def _shown(df: pd.DataFrame, spec: Mapping[str, Any]) -> list[Any]:
    cols = spec.get("columns")
    return [c for c in cols if c in df.columns] if cols else list(df.columns)


def _is_number_column(df: pd.DataFrame, col: Any, spec: Mapping[str, Any]) -> bool:
    if col in spec.get("labels", {}):
        return False
    if pd.api.types.is_numeric_dtype(df[col].dtype):
        return True
    return col == spec.get("value", "value") and spec.get("row_key") is not None


class Table(pd.DataFrame):
    """A ``DataFrame`` that displays with Chinese headers and formatted numbers.

    Its data and methods are pandas'; only ``_repr_html_`` and ``style``
    differ.  Results of operations on it are plain ``DataFrame`` objects.
    """

    _metadata = ["gh_spec"]

    def __init__(self, data: Any = None, *args: Any, spec: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.gh_spec = dict(spec or {})

    @property
    def _constructor(self):
        return pd.DataFrame

    @property
    def style(self):  # type: ignore[override]
        """The table as shown in a notebook: a pandas ``Styler``."""
        return style(self, self.gh_spec)

    def display_frame(self) -> pd.DataFrame:
        """Every row as the notebook shows it (text)."""
        return display_frame(self, self.gh_spec)

    def plain(self) -> pd.DataFrame:
        """A plain ``DataFrame`` copy (same index, columns and values)."""
        return pd.DataFrame(self, copy=True)

    def _repr_html_(self) -> str:  # type: ignore[override]
        return style(self, self.gh_spec).to_html()


class Text(str):
    """A Markdown text (the 工作总结初稿) that a notebook renders as Markdown.

    >>> t = Text("# 标题\\n\\n正文")
    >>> t._repr_markdown_() == t, t.startswith("# 标题")
    (True, True)
    """

    def _repr_markdown_(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        from gonghui_kit.present.htmlparts import md_to_html

        return f'<article style="{CSS} max-width: 46em; line-height: 1.7;">{md_to_html(str(self))}</article>'


def category_text(category: Any) -> str:
    """``形式:报刊文章`` → ``形式：报刊文章``; totals (``""``) → ``合计``.

    >>> category_text(""), category_text("03")
    ('合计', '3月')
    """
    return "合计" if category in ("", None) else category_label(category)


_SEVERITY_CN = {"error": "错误", "warning": "警告", "info": "提示"}
_SEVERITY_COLOR = {"error": "#B22222", "warning": "#B7791F", "info": "#666666"}


def dataset_card(
    units: list[str],
    years: list[int],
    members: Mapping[tuple[str, int], float],
    records: Mapping[tuple[str, int], int] | None,
    severity: Mapping[str, int],
    unit_severity: Mapping[str, Mapping[str, int]],
    *,
    title: str = "台账数据",
    max_units: int = 30,
) -> str:
    """The HTML card of a dataset: units × years (会员人数 and records read)
    and the findings by severity.  Everything from a ledger is escaped.

    >>> h = dataset_card(["<甲>"], [2024], {("<甲>", 2024): 120.0}, {("<甲>", 2024): 35}, {"error": 1},
    ...                  {"<甲>": {"error": 1}})
    >>> "&lt;甲&gt;" in h and "120人" in h and "35 条记录" in h and "错误 1" in h and "<甲>" not in h
    True
    """
    e = html.escape
    sev = " · ".join(
        f"<span style='color:{_SEVERITY_COLOR[s]}'>{_SEVERITY_CN[s]} {fmt_int(severity.get(s, 0))}</span>"
        for s in _SEVERITY_CN
    )
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "—")
    head = (
        f"<div style='font-weight:600;font-size:15px;margin-bottom:2px'>{e(title)}</div>"
        f"<div style='color:#555;margin-bottom:8px'>{len(units)} 个单位 · {e(span)} 年度 · 核查结果：{sev}</div>"
    )
    th = "style='background:#F4F5F7;padding:4px 10px;text-align:left;font-weight:600'"
    td = "style='padding:4px 10px;border-bottom:1px solid #E6E8EB;white-space:nowrap'"
    cols = "".join(f"<th {th}>{y}年</th>" for y in years)
    rows = []
    for u in units[:max_units]:
        cells = []
        for y in years:
            m = members.get((u, y))
            if m is None:
                cells.append(f"<td {td}><span style='color:#aaa'>—</span></td>")
                continue
            rec = records.get((u, y)) if records is not None else None
            sub = f"<div style='color:#777;font-size:12px'>{fmt_int(rec)} 条记录</div>" if rec is not None else ""
            cells.append(f"<td {td}>会员 {e(fmt_indicator('members_total', m))}{sub}</td>")
        us = unit_severity.get(u, {})
        found = " · ".join(f"{_SEVERITY_CN[s]} {fmt_int(us[s])}" for s in ("error", "warning") if us.get(s)) or "—"
        rows.append(f"<tr><td {td}><b>{e(u)}</b></td>{''.join(cells)}<td {td}>{e(found)}</td></tr>")
    more = ""
    if len(units) > max_units:
        more = (
            f"<div style='color:#777;margin-top:4px'>……另有 {len(units) - max_units} 个单位（d.units 列出全部）</div>"
        )
    table = (
        f"<table style='border-collapse:collapse;font-size:13px'>"
        f"<thead><tr><th {th}>单位</th>{cols}<th {th}>错误与警告</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    box = "border:1px solid #DDE1E5;border-radius:6px;padding:10px 14px;display:inline-block"
    return f'<div style="{CSS} {box}">{head}{table}{more}</div>'
