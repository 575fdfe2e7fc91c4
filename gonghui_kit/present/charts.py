"""Report charts: one house style, one calling convention.

Every chart function has the seaborn-like signature::

    fn(data, *, <column arguments>, title=None, xlabel=None, ylabel=None,
       ax=None, **kw) -> matplotlib.axes.Axes

``data`` is a tidy (long) DataFrame; the column arguments name its columns
(``x``/``y``/``hue`` where they make sense, ``value`` for cell values,
``age_group``/``gender`` for the pyramid).  ``x`` is always the horizontal
axis and ``y`` the vertical one, as in seaborn: ``bar(x=category, y=value)``
but ``barh(x=value, y=category)``.  With ``ax=None`` a new figure of a
standard size is created (through pyplot, so notebooks display it).  Empty
data never raises: the axes shows “无数据”.  Extra ``**kw`` go to the
underlying matplotlib call (``ax.bar``, ``ax.plot``, ``ax.pie`` …).

Layouts are fixed (:mod:`gonghui_kit.present.layout`): a chart fills the
figure it makes, or the grid cell of the ``ax`` it is given (:func:`grid`,
``plt.subplots(1, 2)``, a GridSpec), with margins estimated from its labels,
so a figure is drawn once when saved; :func:`align` lines up charts side by
side, :func:`figure_to_png` saves a figure once at its own size.  The house
style (:mod:`gonghui_kit.present.style`: palette, rcParams, the bundled CJK
font) is applied when this module is imported and re-applied by any chart
call that finds it undone.  ``grid``, ``align``, ``set_style`` and the
palette constants are re-exported here, so ``charts.grid(...)``,
``charts.UNION_RED`` … keep working.

>>> import pandas as pd
>>> df = pd.DataFrame({"月份": ["01", "03"], "活动数": [4, 2]})
>>> ax = bar(df, x="月份", y="活动数", order=MONTHS, title="各月活动")
>>> len(ax.patches), ax.get_xticklabels()[1].get_text()
(12, '02')
>>> tag = figure_to_img_tag(ax.figure, alt="各月活动")
>>> tag.startswith('<img src="data:image/png;base64,')
True
>>> empty = bar(pd.DataFrame(), x="月份", y="活动数")
>>> [t.get_text() for t in empty.texts]
['无数据']
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from gonghui_kit.present.fmt import fmt_int, fmt_num, fmt_pct
from gonghui_kit.present.layout import (
    PAD,
    align,
    cell_box,
    figure_of,
    figure_pt,
    fit_xlabels,
    font_pt,
    grid,
    layout_axes,
    layout_donut,
    legend_loc,
    text_box,
    text_em,
    wrap_label,
)
from gonghui_kit.present.png import PNG_KW, figure_to_img_tag, figure_to_png  # noqa: F401 - re-exported: charts.figure_to_png and friends stay where callers find them
from gonghui_kit.present.style import (
    FIGSIZE,
    GREY,
    HALO,
    MUTED,
    NAVY,
    PALETTE,
    RANK_COLORS,
    TEXT,
    UNION_RED,
    ensure_style,
    label_color,
    set_style,
)

__all__ = [
    "UNION_RED",
    "NAVY",
    "GREY",
    "PALETTE",
    "RANK_COLORS",
    "MONTHS",
    "FIGSIZE",
    "set_style",
    "bar",
    "barh",
    "grouped_bar",
    "line",
    "donut",
    "pyramid",
    "grid",
    "align",
    "figure_to_png",
    "figure_to_img_tag",
]

#: Month keys "01".."12", for ``bar(..., order=MONTHS)``.
MONTHS = [f"{m:02d}" for m in range(1, 13)]

# --------------------------------------------------------------- helpers ----

Fmt = Callable[[Any], str]


def _new_ax(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    ensure_style()
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="none")
    return fig.add_subplot()


def _is_empty(data: pd.DataFrame | None, *cols: str | None, value: str | None = None) -> bool:
    """No rows, a missing column, or no numeric value at all in ``value``."""
    if data is None or len(data) == 0:
        return True
    if any(c is not None and c not in data.columns for c in (*cols, value)):
        return True
    if value is not None and not pd.to_numeric(data[value], errors="coerce").notna().any():
        return True
    return False


def _empty(ax: Axes, title: str | None) -> Axes:
    ax.clear()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(0.5, 0.5, "无数据", transform=ax.transAxes, ha="center", va="center", fontsize=15, color="#999999")
    return layout_axes(ax, title, None, None)


def _auto_fmt(values: Iterable[Any]) -> Fmt:
    vals = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").dropna()
    if len(vals) and np.allclose(vals, np.round(vals)):
        return fmt_int
    return lambda v: fmt_num(v, 1)


def _tick_fmt(fmt: Fmt | None) -> FuncFormatter:
    f = fmt or (lambda v: fmt_num(v, 2))
    return FuncFormatter(lambda v, _pos: f(v))


def _aggregate(data: pd.DataFrame, keys: list[str], y: str, estimator: Any) -> pd.Series:
    vals = data[keys + [y]].copy()
    vals[y] = pd.to_numeric(vals[y], errors="coerce")
    return vals.groupby(keys, sort=False, observed=True, dropna=True)[y].agg(estimator)


def _category_order(values: pd.Series, order: Sequence[Any] | None) -> list[Any]:
    if order is not None:
        return list(order)
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna())
        return [c for c in values.cat.categories if c in present]
    uniq = list(pd.unique(values.dropna()))
    if uniq and all(isinstance(u, (int, float, np.integer, np.floating)) for u in uniq):
        return sorted(uniq)
    return uniq


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        return [v]
    return list(v)


def _colors(keys: Sequence[Any], palette: Any) -> dict[Any, Any]:
    if isinstance(palette, dict):
        return {k: palette.get(k, GREY) for k in keys}
    pal = list(palette) if palette is not None else PALETTE
    return {k: pal[i % len(pal)] for i, k in enumerate(keys)}


def _zero_line(ax: Axes, values: Any, axis: str) -> None:
    """Baseline at 0 when bars go negative (the spine is then not at 0)."""
    v = np.asarray(values, dtype=float)
    if np.nanmin(v, initial=0.0) < 0:
        (ax.axhline if axis == "y" else ax.axvline)(0, color="#888888", lw=0.9, zorder=2.5)


def _integer_ticks(axis: Any, values: Any) -> None:
    """Whole-number ticks for counts (no "0, 0, 1, 1, 2" from fractional ticks)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) and np.allclose(v, np.round(v)):
        axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))


# ------------------------------------------------------------------ bars ----


def bar(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    hue_order: Sequence[Any] | None = None,
    estimator: Any = "sum",
    fmt: Fmt | None = None,
    labels: bool | None = None,
    highlight: Any = None,
    color: Any = None,
    xticklabels: Sequence[str] | None = None,
    **kw: Any,
) -> Axes:
    """Vertical bars of ``y`` per category ``x`` (``hue`` → :func:`grouped_bar`).

    Rows sharing an ``x`` are combined with ``estimator`` (default ``"sum"``).
    ``order`` fixes the categories *and* shows missing ones as 0 — e.g.
    ``order=MONTHS`` always draws 12 months.  ``fmt`` formats value labels and
    the y ticks (:func:`~gonghui_kit.present.fmt.fmt_int`, ``fmt_yuan`` …); ``labels``
    toggles value labels (default: on when ≤ 31 bars).  ``highlight`` names
    categories drawn in union red (others grey).  ``xticklabels`` replaces the
    displayed category names (e.g. ``[f"{m}月" for m in range(1, 13)]``).
    """
    if hue is not None:
        return grouped_bar(
            data,
            x=x,
            y=y,
            hue=hue,
            title=title,
            xlabel=xlabel,
            ylabel=ylabel,
            ax=ax,
            order=order,
            hue_order=hue_order,
            estimator=estimator,
            fmt=fmt,
            labels=labels,
            **kw,
        )
    ax = _new_ax(ax)
    if _is_empty(data, x, value=y):
        return _empty(ax, title)
    agg = _aggregate(data, [x], y, estimator)
    cats = _category_order(data[x], order)
    agg = agg.reindex(cats)
    if order is not None:
        agg = agg.fillna(0)
    vals = agg.to_numpy(dtype=float)
    hl = set(_as_list(highlight))
    if hl:
        colors = [UNION_RED if c in hl else GREY for c in cats]
    else:
        colors = color or NAVY
    pos = np.arange(len(cats))
    cont = ax.bar(pos, np.nan_to_num(vals), width=kw.pop("width", 0.62), color=colors, **kw)
    fmt_ = fmt or _auto_fmt(vals)
    if labels if labels is not None else len(cats) <= 31:
        ax.bar_label(cont, labels=["" if np.isnan(v) else fmt_(v) for v in vals], padding=2, fontsize=9, color=TEXT)
    ax.set_xlim(-0.6, len(cats) - 0.4)
    ax.margins(y=0.12)
    _zero_line(ax, vals, "y")
    _integer_ticks(ax.yaxis, vals)
    ax.yaxis.set_major_formatter(_tick_fmt(fmt))
    ax.grid(axis="x", visible=False)
    ax.spines[["top", "right", "left"]].set_visible(False)
    names = list(xticklabels) if xticklabels is not None else cats
    return layout_axes(ax, title, xlabel, ylabel, fit_x=lambda px: fit_xlabels(ax, names, px))


def grouped_bar(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    hue_order: Sequence[Any] | None = None,
    estimator: Any = "sum",
    fmt: Fmt | None = None,
    labels: bool | None = None,
    palette: Any = None,
    legend_title: str | None = None,
    **kw: Any,
) -> Axes:
    """Side-by-side bars: ``y`` per ``x`` category, one bar per ``hue`` level.

    E.g. spending structure, this unit vs the peer median per 科目::

        grouped_bar(df, x="科目", y="占比", hue="口径",
                    hue_order=["本单位", "同类单位中位数"], fmt=fmt_pct)

    The first hue level is union red, the next ones muted blues/greys (or
    ``palette``: list or ``{level: colour}``).  Value labels default to on
    when there are ≤ 24 bars.
    """
    ax = _new_ax(ax)
    if _is_empty(data, x, hue, value=y):
        return _empty(ax, title)
    agg = _aggregate(data, [x, hue], y, estimator).unstack(hue)
    cats = _category_order(data[x], order)
    levels = _category_order(data[hue], hue_order)
    table = agg.reindex(index=cats, columns=levels)
    colors = _colors(levels, palette)
    k = max(len(levels), 1)
    width = kw.pop("width", 0.8) / k
    pos = np.arange(len(cats))
    fmt_ = fmt or _auto_fmt(table.to_numpy().ravel())
    show = labels if labels is not None else len(cats) * k <= 24
    for i, lev in enumerate(levels):
        vals = table[lev].to_numpy(dtype=float)
        cont = ax.bar(
            pos + (i - (k - 1) / 2) * width,
            np.nan_to_num(vals),
            width=width * 0.92,
            color=colors[lev],
            label=str(lev),
            **kw,
        )
        if show:
            ax.bar_label(
                cont, labels=["" if np.isnan(v) else fmt_(v) for v in vals], padding=2, fontsize=8.5, color=TEXT
            )
    ax.set_xlim(-0.6, len(cats) - 0.4)
    ax.margins(y=0.2)
    _zero_line(ax, table.to_numpy(dtype=float), "y")
    _integer_ticks(ax.yaxis, table.to_numpy(dtype=float))
    ax.yaxis.set_major_formatter(_tick_fmt(fmt))
    ax.grid(axis="x", visible=False)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.legend(loc="upper right", ncol=min(k, 4), title=legend_title, handlelength=1.2, columnspacing=1.2)
    return layout_axes(ax, title, xlabel, ylabel, fit_x=lambda px: fit_xlabels(ax, cats, px))


def barh(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    sort: str | None = "desc",
    estimator: Any = "sum",
    fmt: Fmt | None = None,
    labels: bool = True,
    highlight: Any = None,
    color: Any = None,
    ref: float | None = None,
    ref_label: str = "中位数",
    **kw: Any,
) -> Axes:
    """Horizontal bars, sorted: value ``x`` per category ``y`` (e.g. units).

    ``sort="desc"`` puts the largest value on top (``"asc"``: smallest on
    top; ``None``: keep ``order`` / data order, first on top).  ``highlight``
    (a name or a list) draws those bars in union red and the others grey, and
    emphasises their tick labels.  Value labels sit at the bar ends, formatted
    with ``fmt``.  ``ref`` draws a dashed reference line (e.g. the median)
    labelled ``ref_label``.  The figure height grows with the number of bars
    when ``ax`` is None.  ``hue`` is accepted for signature symmetry only.
    """
    names = [] if _is_empty(data, y, value=x) else list(pd.unique(data[y].dropna()))
    n_rows = len(names)
    # a row is 0.34 in, more when its label wraps to several lines
    lines = max((wrap_label(c, 14).count("\n") + 1 for c in names), default=1)
    row_in = max(0.34, (10.0 * lines + 10.0) / 72)
    ax = _new_ax(ax, (FIGSIZE[0], min(max(row_in * n_rows + 1.3, 3.0), 16.0)))
    if n_rows == 0:
        return _empty(ax, title)
    agg = _aggregate(data, [y], x, estimator)
    cats = _category_order(data[y], order)
    agg = agg.reindex(cats)
    if sort in ("desc", "asc"):
        agg = agg.sort_values(ascending=(sort == "asc"), na_position="last", kind="stable")
    cats = list(agg.index)
    vals = agg.to_numpy(dtype=float)
    hl = set(_as_list(highlight))
    if hl:
        colors = [UNION_RED if c in hl else GREY for c in cats]
    else:
        colors = color or NAVY
    pos = np.arange(len(cats))[::-1]  # first category on top
    height = kw.pop("height", 0.66 if len(cats) > 3 else 0.5)
    cont = ax.barh(pos, np.nan_to_num(vals), height=height, color=colors, **kw)
    fmt_ = fmt or _auto_fmt(vals)
    if labels:
        ax.bar_label(cont, labels=["—" if np.isnan(v) else fmt_(v) for v in vals], padding=3, fontsize=9, color=TEXT)
    # tick settings before the ticks exist: new ticks take them, no per-tick update
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.set_yticks(pos, [wrap_label(c, 14) for c in cats])
    for tick, c in zip(ax.get_yticklabels(), cats, strict=True):
        if c in hl:
            tick.set_color(UNION_RED)
            tick.set_fontweight("bold")
    ax.set_ylim(-0.6, len(cats) - 0.4)
    has_ref = ref is not None and not (isinstance(ref, float) and math.isnan(ref))
    note = None
    if has_ref:
        ax.axvline(ref, color=MUTED, lw=1, ls="--", zorder=3)
        note = ax.annotate(
            f"{ref_label} {fmt_(ref)}",
            (ref, 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=8.5,
            color=MUTED,
            va="bottom",
            annotation_clip=False,
        )
    ax.margins(x=0.14)
    _zero_line(ax, vals, "x")
    _integer_ticks(ax.xaxis, vals)
    ax.xaxis.set_major_formatter(_tick_fmt(fmt))
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    layout_axes(
        ax,
        title,
        xlabel,
        ylabel,
        ypad=mpl.rcParams["ytick.major.pad"],
        title_pad=text_box("0", 8.5)[1] + 4 if has_ref else 0.0,
    )
    # Room for the value labels at the bar ends, and the reference note kept inside.
    plot_w = ax.get_position().width * figure_pt(figure_of(ax))[0]
    if labels and plot_w > 0:
        f = min(0.5, (max(text_box(fmt_(v), 9)[0] for v in np.nan_to_num(vals)) + 6) / plot_w)
        if f / (1 - f) > 0.14:  # the margin is a fraction of the data span
            ax.margins(x=f / (1 - f) * 1.05)
    if note is not None and plot_w > 0:
        lo, hi = ax.get_xlim()
        at = (ref - lo) / ((hi - lo) or 1.0) * plot_w
        if at + 3 + text_box(note.get_text(), 8.5)[0] > plot_w + PAD / 2:
            note.set_horizontalalignment("right")
            note.xyann = (-3, 2)
    return ax


# ------------------------------------------------------------------ line ----


def line(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
    hue_order: Sequence[Any] | None = None,
    estimator: Any = "sum",
    fmt: Fmt | None = None,
    labels: bool = False,
    highlight: Any = None,
    palette: Any = None,
    zero: bool = True,
    **kw: Any,
) -> Axes:
    """Multi-year trend: ``y`` over ``x`` (years → integer ticks), one line per ``hue``.

    Markers on every point; ``labels=True`` writes the values (``fmt``) above
    the points.  ``highlight`` names the hue level(s) drawn in union red while
    the others turn grey.  ``zero=True`` starts a non-negative y axis at 0 so
    small changes are not exaggerated.
    """
    ax = _new_ax(ax)
    if _is_empty(data, x, hue, value=y):
        return _empty(ax, title)
    keys = [x] if hue is None else [hue, x]
    agg = _aggregate(data, keys, y, estimator).dropna()
    if agg.empty:
        return _empty(ax, title)
    xs_all = pd.Series(agg.index.get_level_values(x))
    xnum = pd.to_numeric(xs_all, errors="coerce")
    numeric = bool(xnum.notna().all())
    if numeric:
        ticks = sorted(set(xnum.tolist()))
        pos_of = {v: float(n) for v, n in zip(xs_all, xnum, strict=True)}
    else:
        ticks = _category_order(data[x], None)
        pos_of = {v: float(i) for i, v in enumerate(ticks)}
    levels = [None] if hue is None else _category_order(data[hue], hue_order)
    hl = set(_as_list(highlight))
    colors = _colors(levels, palette) if hue is not None else {None: kw.pop("color", UNION_RED)}
    fmt_ = fmt or _auto_fmt(agg.to_numpy())
    all_y = [float(v) for v in agg.to_numpy()]
    series = []  # (xs, ys) per line: what the legend must not cover
    for lev in levels:
        s = agg if hue is None else agg.xs(lev, level=hue) if lev in agg.index.get_level_values(hue) else None
        if s is None or s.empty:
            continue
        pts = sorted((pos_of[k], v) for k, v in s.items())
        px, py = [p[0] for p in pts], [p[1] for p in pts]
        c = colors[lev]
        lw = None
        if hl:
            c, lw = (UNION_RED, 2.4) if lev in hl else (GREY, 1.6)
        ax.plot(
            px, py, marker="o", color=c, label=None if lev is None else str(lev), **({"lw": lw} if lw else {}), **kw
        )
        series.append((px, py))
        if labels:
            span = (max(all_y) - min(min(all_y), 0) if zero else max(all_y) - min(all_y)) or 1.0
            for i, (a, b) in enumerate(zip(px, py, strict=True)):
                near = py[max(i - 1, 0) : i] + py[i + 1 : i + 2]
                # Label under valleys (and under ends next to a steep rise), else above.
                if len(near) == 2:
                    below = all(b < v for v in near)
                else:
                    below = bool(near) and near[0] - b > 0.15 * span
                ax.annotate(
                    fmt_(b),
                    (a, b),
                    xytext=(0, -7 if below else 7),
                    textcoords="offset points",
                    ha="center",
                    va="top" if below else "bottom",
                    fontsize=8.5,
                    color=TEXT,
                    path_effects=HALO,
                )
    if numeric:
        step = max(1, math.ceil(len(ticks) / 12))
        ax.xaxis.set_major_locator(FixedLocator(ticks[::step]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}" if float(v).is_integer() else f"{v:g}"))
    lo, hi = float(np.nanmin(agg.to_numpy())), float(np.nanmax(agg.to_numpy()))
    if zero and lo >= 0:
        ax.set_ylim(0, hi * 1.15 if hi > 0 else 1)
    else:
        ax.margins(y=0.15)
    ax.margins(x=0.06)
    _integer_ticks(ax.yaxis, agg.to_numpy())
    ax.yaxis.set_major_formatter(_tick_fmt(fmt))
    ax.spines[["top", "right"]].set_visible(False)
    fit_x = None if numeric else (lambda px: fit_xlabels(ax, ticks, px))
    layout_axes(ax, title, xlabel, ylabel, fit_x=fit_x)
    if hue is not None:
        names = [str(lev) for lev in levels]
        ax.legend(loc=legend_loc(ax, series, names, labels), handlelength=1.6)
    return ax


# ----------------------------------------------------------------- donut ----


def donut(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    fmt: Fmt | None = None,
    palette: Any = None,
    max_slices: int = 7,
    other_label: str = "其他",
    center_label: str | None = "合计",
    **kw: Any,
) -> Axes:
    """Shares as a donut: category ``x``, amount ``y`` (e.g. 提案 by status).

    Percentages are written on slices ≥ 5 %; the legend on the right lists
    every category with its amount (``fmt``) and share.  Categories beyond
    ``max_slices`` are merged into ``other_label``.  The centre shows the total.
    ``xlabel``/``ylabel``/``hue`` are accepted for signature symmetry only.
    """
    ax = _new_ax(ax)
    if _is_empty(data, x, value=y):
        return _empty(ax, title)
    agg = _aggregate(data, [x], y, "sum")
    agg = agg[agg > 0]
    if agg.empty or not np.isfinite(agg.sum()) or agg.sum() <= 0:
        return _empty(ax, title)
    if order is not None:
        agg = agg.reindex([o for o in order if o in agg.index])
    else:
        agg = agg.sort_values(ascending=False, kind="stable")
    if len(agg) > max_slices:
        head = agg.iloc[: max_slices - 1]
        rest = float(agg.iloc[max_slices - 1 :].sum())
        agg = pd.concat([head, pd.Series({other_label: rest})])
    total = float(agg.sum())
    shares = agg / total
    cats = list(agg.index)
    cmap = _colors(cats, palette)
    if other_label in cmap and not isinstance(palette, dict):
        cmap[other_label] = GREY
    colors = [cmap[c] for c in cats]
    fmt_ = fmt or _auto_fmt(agg.to_numpy())
    wedges, _ = ax.pie(
        agg.to_numpy(dtype=float),
        colors=colors,
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.38, "edgecolor": "white", "linewidth": 1.5},
        **kw,
    )
    for w, share, col in zip(wedges, shares, colors, strict=True):
        if share < 0.05:
            continue
        ang = math.radians((w.theta1 + w.theta2) / 2)
        ax.text(
            0.81 * math.cos(ang),
            0.81 * math.sin(ang),
            fmt_pct(share, 1),
            ha="center",
            va="center",
            fontsize=9,
            color=label_color(col),
        )
    if center_label is not None:
        ax.text(0, 0.1, center_label, ha="center", va="center", fontsize=10, color=MUTED)
        ax.text(0, -0.12, fmt_(total), ha="center", va="center", fontsize=15, fontweight="bold", color=TEXT)
    # Legend entries: long category names wrap so the legend keeps ≤ half the width.
    cell = cell_box(ax)
    fw = figure_pt(figure_of(ax))[0]
    room_em = ((cell or ax.get_position()).width * fw * 0.5 - 42) / 10.5
    entries = []
    for c, v, s in zip(cats, agg, shares, strict=True):
        rest = f"  {fmt_(v)}（{fmt_pct(s, 1)}）"
        entries.append(wrap_label(c, max(6.0, room_em - text_em(rest))) + rest)
    fs = font_pt(mpl.rcParams["legend.fontsize"])
    legend_w = max(text_box(e, fs)[0] for e in entries) + 3.4 * fs
    ax.legend(
        wedges,
        entries,
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
        handlelength=1.0,
        handleheight=1.0,
        labelspacing=0.7,
    )
    ax.set_aspect("equal")
    return layout_donut(ax, title, legend_w)


# --------------------------------------------------------------- pyramid ----

_AGE_NUM = re.compile(r"\d+")


def _age_key(label: Any) -> tuple[float, int, str]:
    s = str(label)
    m = _AGE_NUM.search(s)
    n = float(m.group()) if m else math.inf
    tier = (
        0
        if ("以下" in s or "以内" in s or s.startswith("<") or "未满" in s)
        else (2 if ("以上" in s or s.startswith(">") or "及以上" in s) else 1)
    )
    return (n, tier, s)


def pyramid(
    data: pd.DataFrame,
    *,
    age_group: str,
    gender: str,
    value: str,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    left: str = "男",
    right: str = "女",
    fmt: Fmt | None = None,
    colors: tuple[Any, Any] = (NAVY, UNION_RED),
    **kw: Any,
) -> Axes:
    """Population pyramid: ``value`` by ``age_group``, ``left`` (男) vs ``right`` (女).

    Age groups run from youngest (bottom) to oldest (top); without ``order``
    they are sorted by their first number ("35岁以下" < "35-45岁" < "55岁以上").
    Other ``gender`` values are ignored.  Each side is headed with its total.
    """
    ax = _new_ax(ax)
    if _is_empty(data, age_group, gender, value=value):
        return _empty(ax, title)
    agg = _aggregate(data, [age_group, gender], value, "sum").unstack(gender)
    for g in (left, right):
        if g not in agg.columns:
            agg[g] = np.nan
    agg = agg[[left, right]].fillna(0)
    if float(agg.to_numpy().sum()) <= 0:
        return _empty(ax, title)
    if order is not None:
        groups = list(order)
    elif isinstance(data[age_group].dtype, pd.CategoricalDtype):
        groups = _category_order(data[age_group], None)
    else:
        groups = sorted(agg.index, key=_age_key)
    agg = agg.reindex(groups).fillna(0)
    lv, rv = agg[left].to_numpy(dtype=float), agg[right].to_numpy(dtype=float)
    pos = np.arange(len(groups))
    height = kw.pop("height", 0.7)
    fmt_ = fmt or _auto_fmt(np.concatenate([lv, rv]))
    cl = ax.barh(pos, -lv, height=height, color=colors[0], **kw)
    cr = ax.barh(pos, rv, height=height, color=colors[1], **kw)
    ax.bar_label(cl, labels=[fmt_(v) if v else "" for v in lv], padding=3, fontsize=9, color=TEXT)
    ax.bar_label(cr, labels=[fmt_(v) if v else "" for v in rv], padding=3, fontsize=9, color=TEXT)
    lim = max(float(lv.max()), float(rv.max())) * 1.25 or 1.0
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-0.6, len(groups) + 0.5)
    ax.grid(axis="y", visible=False)  # before the ticks exist: no per-tick update
    ax.tick_params(axis="y", length=0)
    ax.set_yticks(pos, [str(g) for g in groups])
    ax.axvline(0, color="#888888", lw=0.9)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_(abs(v))))
    head_y = len(groups) - 0.05
    ax.text(
        -lim / 2,
        head_y,
        f"{left}  {fmt_(lv.sum())}",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        color=colors[0],
    )
    ax.text(
        lim / 2,
        head_y,
        f"{right}  {fmt_(rv.sum())}",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        color=colors[1],
    )
    ax.spines[["top", "right", "left"]].set_visible(False)
    _integer_ticks(ax.xaxis, np.concatenate([lv, rv]))
    return layout_axes(ax, title, xlabel, ylabel, ypad=mpl.rcParams["ytick.major.pad"])
