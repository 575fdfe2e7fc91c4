"""Charts as HTML, for pages that list every unit (the comparison).

The calling convention of :mod:`gonghui_kit.present.charts` — a tidy ``data`` frame,
column arguments (``x`` horizontal, ``y`` vertical, ``value`` for cells),
``title``, ``fmt``, ``order``, ``sort``, ``highlight``, ``ref`` — but the
result is an HTML fragment to display, not an ``Axes``; colours come from the
same house palette (:data:`style.NAVY`, :data:`style.RANK_COLORS` …), the
layout from the shared stylesheet (``templates/html/report.css``).

Why HTML here: a comparison has one row per unit, 12 or 1,000 of them.  As a
PNG that is either unreadable (a figure has to stop growing somewhere) or
megabytes, and each chart costs ~0.2 s to draw, mostly its 2 × n text labels.
As HTML the unit names stay text — searchable with Ctrl+F, copyable, sharp
when printed, each a link to the unit's report — any number of rows fits,
the rank heatmap sorts by any indicator, and a chart costs about a
millisecond.  Unit reports keep their matplotlib charts (a handful of
categories each, where a picture is the right thing).

Everything from the data is escaped; empty data gives the same “无数据”
note as the image charts.

>>> import pandas as pd
>>> d = pd.DataFrame({"unit": ["甲", "乙", "丙"], "value": [2.0, 8.0, None]})
>>> page = barh(d, x="value", y="unit", title="人均参与次数", fmt=lambda v: f"{v:.1f}")
>>> [r["label"] for r in bar_rows(d, x="value", y="unit")]
['乙', '甲', '丙']
>>> "width:100.0%" in page and "width:25.0%" in page and ">—<" in page
True
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from gonghui_kit.present.fmt import MISSING, fmt_num
from gonghui_kit.present.fmt import html_text as _e
from gonghui_kit.present.style import GREY, NAVY, RANK_COLORS, TEXT, UNION_RED, luminance
from gonghui_kit.resources import shipped

__all__ = ["barh", "bar_rows", "heatmap", "heat_table", "rank_color"]

Fmt = Callable[[float], str]
# more rows than this: the chart starts folded (<details>), its title says how many
FOLD_ROWS = 60


@functools.lru_cache(maxsize=1)
def css() -> str:
    """The charts' rules (``templates/html/htmlcharts.css``), comments and
    indentation removed.  Every chart starts with them in a ``<style>``
    (``css=True``), so it looks the same in an exported report and in
    JupyterLab, where ``report.css`` is not loaded.

    >>> css().startswith(".gh-hchart") and "/*" not in css()
    True
    """
    text = shipped("templates", "html", "htmlcharts.css").read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def _styled(fragment: str, with_css: bool) -> str:
    return f"<style>{css()}</style>{fragment}" if with_css else fragment


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _empty(title: str | None) -> str:
    head = f"<figcaption>{_e(title)}</figcaption>" if title else ""
    return f'<figure class="gh-hchart">{head}<p class="gh-muted">无数据</p></figure>'


def _as_set(v: Any) -> set:
    if v is None:
        return set()
    return (
        {v} if isinstance(v, str) or not isinstance(v, (list, tuple, set, frozenset, pd.Index, pd.Series)) else set(v)
    )


def _pct(x: float) -> str:
    return f"{x:.1f}%"


# ------------------------------------------------------------------ barh ----


def bar_rows(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    order: Sequence[Any] | None = None,
    sort: str | None = "desc",
    ref: float | None = None,
) -> list[dict[str, Any]]:
    """The rows a :func:`barh` shows, top to bottom: ``label`` (a category
    of ``y``), ``value`` (its first ``x``; NaN when missing), ``start`` and
    ``width`` (the bar, in percent of the plotting width), ``zero`` and
    ``ref`` (where 0 and the reference line lie, in percent; ``ref`` None
    without one).  The scale spans 0, the values and ``ref``.  Missing
    values sort last.

    >>> d = pd.DataFrame({"unit": ["甲", "乙"], "value": [-1.0, 3.0]})
    >>> [(r["label"], r["start"], r["width"]) for r in bar_rows(d, x="value", y="unit")]
    [('乙', 25.0, 75.0), ('甲', 0.0, 25.0)]
    >>> [(r["width"], r["ref"]) for r in bar_rows(d, x="value", y="unit", ref=7.0)]
    [(37.5, 100.0), (12.5, 100.0)]
    """
    if data is None or data.empty or x not in data or y not in data:
        return []
    s = data[[y, x]].dropna(subset=[y]).drop_duplicates(subset=[y]).set_index(y)[x].astype("float64")
    if order is not None:
        s = s.reindex([c for c in order if c in s.index])
    if sort in ("desc", "asc"):
        s = s.sort_values(ascending=(sort == "asc"), na_position="last", kind="stable")
    vals = s.to_numpy(dtype=float)
    finite = vals[~np.isnan(vals)].tolist()
    ref = float(ref) if ref is not None and not _missing(ref) and finite else None
    points = [0.0, *finite, *([ref] if ref is not None else [])]
    lo = min(points)
    span = (max(points) - lo) or 1.0

    def at(v: float) -> float:
        return round((v - lo) / span * 100, 1)

    rows = []
    for label, v in zip(s.index, vals, strict=True):
        a, b = sorted((0.0, 0.0 if np.isnan(v) else float(v)))
        rows.append(
            {
                "label": label,
                "value": v,
                "start": at(a),
                "width": round(at(b) - at(a), 1),
                "zero": at(0.0),
                "ref": None if ref is None else at(ref),
            }
        )
    return rows


def barh(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str | None = None,
    order: Sequence[Any] | None = None,
    sort: str | None = "desc",
    fmt: Fmt | None = None,
    highlight: Any = None,
    color: str | None = None,
    ref: float | None = None,
    ref_label: str = "中位数",
    links: Mapping[Any, str | None] | None = None,
    fold: int = FOLD_ROWS,
    css: bool = True,
) -> str:
    """Horizontal bars as an HTML table: one row per category of ``y``
    (a unit's name, a link when ``links`` has its URL), its bar, its value
    formatted with ``fmt``; sorted as :func:`charts.barh` sorts
    (``"desc"``: largest on top).  ``ref`` draws a dashed line through all
    rows (e.g. the median), named with its value under the title.
    ``highlight`` draws those rows' bars in union red and the others grey.
    More than ``fold`` rows: the chart starts folded, its title telling how
    many units it holds.  ``css=False`` leaves out the ``<style>`` (for the
    second chart of one output on).

    >>> d = pd.DataFrame({"unit": ["<甲>"], "value": [3.0]})
    >>> out = barh(d, x="value", y="unit", ref=1.5, links={"<甲>": "units/a.html"})
    >>> '<a href="units/a.html">&lt;甲&gt;</a>' in out, "--ref:50.0%" in out, "中位数 1.5" in out
    (True, True, True)
    """
    rows = bar_rows(data, x=x, y=y, order=order, sort=sort, ref=ref)
    if not rows:
        return _empty(title)
    fmt_ = fmt or fmt_num
    hl = _as_set(highlight)
    links = links or {}
    ref_at = rows[0]["ref"]
    has_ref = ref_at is not None
    body = []
    for r in rows:
        label = _e(r["label"])
        url = links.get(r["label"])
        name = f'<a href="{_e(url)}">{label}</a>' if url else label
        # the bar's colour: the table's (a CSS variable) unless highlighting
        fill = ""
        cls = ""
        if hl:
            fill = f";background:{UNION_RED if r['label'] in hl else GREY}"
            cls = ' class="gh-hl"' if r["label"] in hl else ""
        v = r["value"]
        bar = (
            ""
            if np.isnan(v)
            else f'<span class="gh-bar" style="left:{_pct(r["start"])};width:{_pct(r["width"])}{fill}"></span>'
        )
        val = MISSING if np.isnan(v) else fmt_(v)
        data_v = "" if np.isnan(v) else f' data-value="{_e(float(v))}"'
        body.append(
            f'<tr{cls}><th scope="row">{name}</th><td class="gh-track">{bar}</td><td class="num"{data_v}>{_e(val)}</td></tr>'
        )
    note = (
        f'<span class="gh-ref-note"><span class="gh-ref-key"></span>{_e(ref_label)} {_e(fmt_(float(ref)))}</span>'
        if has_ref
        else ""
    )
    cap = f"{_e(title or '')}{note}"
    # the reference line is drawn by every row's track at the table's --ref (CSS)
    style = f"--bar:{color or NAVY}" + (f";--ref:{_pct(ref_at)}" if ref_at is not None else "")
    ref_cls = " gh-has-ref" if ref_at is not None else ""
    table = f'<table class="gh-hbar{ref_cls}" style="{style}">{"".join(body)}</table>'
    if len(rows) > fold:
        return _styled(
            f'<details class="gh-hchart"><summary>{cap}<span class="gh-muted">（共 {len(rows)} 个单位，点击展开）</span></summary>'
            f"{table}</details>",
            css,
        )
    return _styled(f'<figure class="gh-hchart"><figcaption>{cap}</figcaption>{table}</figure>', css)


# --------------------------------------------------------------- heatmap ----


def rank_color(t: float) -> str:
    """The rank colour scale (:data:`style.RANK_COLORS`) at ``t`` in [0, 1]
    (0 = the light, worst end; 1 = the deep red, best end), as ``#rrggbb``.

    >>> rank_color(0.0), rank_color(1.0)
    ('#fbf0ee', '#7a1212')
    """
    t = min(1.0, max(0.0, float(t)))
    stops = RANK_COLORS
    pos = t * (len(stops) - 1)
    i = min(int(pos), len(stops) - 2)
    f = pos - i
    a, b = stops[i].lstrip("#"), stops[i + 1].lstrip("#")
    rgb = [round(int(a[k : k + 2], 16) * (1 - f) + int(b[k : k + 2], 16) * f) for k in (0, 2, 4)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _text_on(bg: str) -> str:
    """White text on a dark cell, dark text on a light one (as :func:`style.label_color`)."""
    return "#fff" if luminance(bg) < 0.5 else TEXT


def heat_table(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    order: Sequence[Any] | None = None,
    col_order: Sequence[Any] | None = None,
    sort: bool = True,
    lower_is_better: bool = True,
) -> pd.DataFrame:
    """The grid a :func:`heatmap` shows: rows ``y`` × columns ``x``, the
    first ``value`` of each cell; rows sorted by their mean, best first
    (``lower_is_better``: ranks), unless ``order`` is given or ``sort=False``.

    >>> d = pd.DataFrame({"unit": ["甲", "甲", "乙", "乙"], "k": ["a", "b", "a", "b"], "rank": [2, 2, 1, 1]})
    >>> heat_table(d, x="k", y="unit", value="rank").index.tolist()
    ['乙', '甲']
    """
    if data is None or data.empty or not {x, y, value} <= set(data.columns):
        return pd.DataFrame()
    t = data.drop_duplicates(subset=[y, x]).pivot(index=y, columns=x, values=value).astype("float64")
    rows = list(order) if order is not None else list(pd.unique(data[y].dropna()))
    cols = list(col_order) if col_order is not None else list(pd.unique(data[x].dropna()))
    t = t.reindex(index=[r for r in rows if r in t.index], columns=[c for c in cols if c in t.columns])
    if order is None and sort:
        t = t.loc[
            t.mean(axis=1, skipna=True).sort_values(ascending=lower_is_better, kind="stable", na_position="last").index
        ]
    return t


def heatmap(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    title: str | None = None,
    ylabel: str = "单位",
    order: Sequence[Any] | None = None,
    col_order: Sequence[Any] | None = None,
    sort: bool = True,
    lower_is_better: bool = True,
    fmt: Fmt | None = None,
    highlight: Any = None,
    links: Mapping[Any, str | None] | None = None,
    table_id: str | None = None,
    css: bool = True,
) -> str:
    """Rank heatmap as a sortable HTML table: rows ``y`` (units) ×
    columns ``x`` (indicators), each cell its ``value`` on the rank colour
    scale (the best value of a column darkest);
    missing cells grey with “—”.  Rows come in :func:`heat_table` order; a
    click on a column header sorts by it (``tables.js``).

    >>> d = pd.DataFrame({"unit": ["甲", "乙"], "k": ["入会率", "入会率"], "rank": [2.0, 1.0]})
    >>> out = heatmap(d, x="k", y="unit", value="rank", fmt=lambda v: f"{v:.0f}")
    >>> out.index("乙") < out.index("甲"), "background:#7a1212" in out, "background:#fbf0ee" in out
    (True, True, True)
    """
    t = heat_table(
        data, x=x, y=y, value=value, order=order, col_order=col_order, sort=sort, lower_is_better=lower_is_better
    )
    if t.empty or np.isnan(t.to_numpy(dtype=float)).all():
        return _empty(title)
    m = t.to_numpy(dtype=float)
    vmin, vmax = float(np.nanmin(m)), float(np.nanmax(m))
    span = (vmax - vmin) or 1.0
    fmt_ = fmt or fmt_num
    hl = _as_set(highlight)
    links = links or {}
    head = f'<th class="sortable">{_e(ylabel)}</th>' + "".join(
        f'<th class="sortable num">{_e(c)}</th>' for c in t.columns
    )
    body = []
    cell_of: dict[float, str] = {}  # ranks repeat: each value's cell is made once
    for label, vals in zip(t.index, m, strict=True):
        url = links.get(label)
        name = f'<a href="{_e(url)}">{_e(label)}</a>' if url else _e(label)
        cells = []
        for v in vals.tolist():
            if math.isnan(v):
                cells.append(f'<td class="num gh-heat-na">{MISSING}</td>')
                continue
            cell = cell_of.get(v)
            if cell is None:
                good = (vmax - v) / span if lower_is_better else (v - vmin) / span
                bg = rank_color(good if vmax != vmin else 0.5)
                cell = cell_of[v] = (
                    f'<td class="num" data-value="{_e(v)}" style="background:{bg};color:{_text_on(bg)}">{_e(fmt_(v))}</td>'
                )
            cells.append(cell)
        cls = ' class="gh-hl"' if label in hl else ""
        body.append(f"<tr{cls}><td>{name}</td>{''.join(cells)}</tr>")
    tid = f' id="{_e(table_id)}"' if table_id else ""
    cap = f"<figcaption>{_e(title)}</figcaption>" if title else ""
    return _styled(
        f'<figure class="gh-hchart">{cap}<div class="gh-scroll"><table class="data sortable gh-heat"{tid}>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div></figure>",
        css,
    )
