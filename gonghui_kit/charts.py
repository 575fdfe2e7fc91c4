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

The style (:func:`set_style`) is applied when this module is imported (so
figures made with ``plt.subplots`` right after the import get it too) and
re-applied by any chart call that finds it undone (e.g. by a later
``sns.set_theme()``).  It puts the bundled CJK font
(:mod:`gonghui_kit.fonts`) after seaborn's ``whitegrid`` theme, because
``sns.set_theme`` resets the font list.

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

import base64
import html
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FixedLocator, FuncFormatter

from .fmt import fmt_int, fmt_num, fmt_pct
from .fonts import FAMILY, register_fonts

__all__ = [
    "UNION_RED", "NAVY", "GREY", "PALETTE", "MONTHS", "FIGSIZE",
    "set_style", "bar", "barh", "grouped_bar", "line", "donut", "heatmap",
    "pyramid", "figure_to_img_tag",
]

# ----------------------------------------------------------------- style ----

#: Union red — "this unit", highlights, the first series.
UNION_RED = "#B22222"
#: Deep muted blue — single-series default, male in the pyramid.
NAVY = "#34506B"
#: Neutral for "the others" when one item is highlighted.
GREY = "#B8C1CA"
#: Categorical palette: red accent, then restrained blues / greys / earth tones.
PALETTE = [UNION_RED, NAVY, "#7F9AB3", "#C9A25E", "#6E7780", "#7E9C8A", "#B3C3D1", "#D39A8E"]
TEXT = "#333333"
MUTED = "#777777"
#: Month keys "01".."12", for ``bar(..., order=MONTHS)``.
MONTHS = [f"{m:02d}" for m in range(1, 13)]
#: Standard figure size (inches) at :data:`DPI` → 800 × 450 px.
FIGSIZE = (8.0, 4.5)
DPI = 100
#: Rank colour map: light (bad) → deep red (good); reversed for ranks.
RANK_CMAP = LinearSegmentedColormap.from_list(
    "gonghui_rank", ["#FBF0EE", "#F2C4BC", "#DE7F72", "#B22222", "#7A1212"]
)

_HALO = [withStroke(linewidth=3, foreground="white")]

_RC = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": DPI,
    "savefig.dpi": "figure",
    "savefig.bbox": None,  # fixed size: no tight-bbox recomputation on save
    "figure.constrained_layout.use": True,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.unicode_minus": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 10,
    "axes.titlecolor": TEXT,
    "axes.labelsize": 10.5,
    "axes.labelcolor": TEXT,
    "axes.edgecolor": "#C8CDD2",
    "axes.linewidth": 0.8,
    "grid.color": "#E6E8EB",
    "grid.linewidth": 0.8,
    "text.color": TEXT,
    "xtick.color": "#555555",
    "ytick.color": "#555555",
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "legend.title_fontsize": 10,
    "lines.linewidth": 2.0,
    "lines.markersize": 5.5,
    "patch.edgecolor": "none",
}


def set_style() -> None:
    """Apply the house style (seaborn ``whitegrid`` + bundled CJK font).

    Safe to call repeatedly; charts call it on first use.
    """
    import seaborn as sns

    family = register_fonts()
    sns.set_theme(style="whitegrid", palette=PALETTE)
    # After set_theme, which resets font.family / font.sans-serif.
    mpl.rcParams.update(_RC)
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]


def _ensure_style() -> None:
    rc = mpl.rcParams
    if rc["font.sans-serif"][:1] != [FAMILY] or rc["axes.unicode_minus"]:
        set_style()
    else:
        register_fonts()  # cheap; survives a rebuilt fontManager


# --------------------------------------------------------------- helpers ----

Fmt = Callable[[Any], str]


def _new_ax(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    _ensure_style()
    if ax is not None:
        try:
            fig = ax.get_figure(root=True)
        except TypeError:  # matplotlib < 3.10
            fig = ax.figure
        if hasattr(fig, "get_layout_engine") and fig.get_layout_engine() is None:  # made before set_style(): no overlaps
            fig.set_layout_engine("constrained")
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


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
    ax.text(0.5, 0.5, "无数据", transform=ax.transAxes, ha="center", va="center",
            fontsize=15, color="#999999")
    if title:
        ax.set_title(_wrap(title, 40))
    return ax


def _finish(ax: Axes, title: str | None, xlabel: str | None, ylabel: str | None) -> Axes:
    ax.set_title(_wrap(title, 40) if title else "")
    ax.set_xlabel(xlabel or "")
    ax.set_ylabel(ylabel or "")
    return ax


def _char_width(ch: str) -> float:
    return 0.55 if ord(ch) < 0x2E80 else 1.0


def _text_width(s: str) -> float:
    return sum(_char_width(c) for c in s)


_NO_LINE_START = set("，。、；：？！）》」』】〕…%％,.;:?!)]}")


def _wrap(label: Any, width: float) -> str:
    r"""Break ``label`` into balanced lines of at most ``width`` CJK-character widths.

    >>> _wrap("职工集体福利费", 6)
    '职工集体\n福利费'
    >>> _wrap("困难帮扶覆盖率（%）", 4)
    '困难帮扶\n覆盖率（%）'
    """
    s = str(label)
    if width <= 0 or "\n" in s or _text_width(s) <= width:
        return s
    total = _text_width(s)
    target = math.ceil(total / math.ceil(total / width) - 1e-9)
    lines, cur, w = [], "", 0.0
    for ch in s:
        cw = _char_width(ch)
        if cur and w + cw > target + 1e-9 and ch not in _NO_LINE_START:
            lines.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    lines.append(cur)
    return "\n".join(lines)


def _fit_labels(ax: Axes, labels: Sequence[Any], axis_px: float, fontsize: float = 10) -> None:
    """Set categorical x tick labels, wrapping (or rotating) long ones."""
    n = max(len(labels), 1)
    char_px = fontsize * DPI / 72 * 1.05
    width = max(3, int(axis_px / n / char_px))
    wrapped = [_wrap(lab, width) for lab in labels]
    if max((w.count("\n") + 1 for w in wrapped), default=1) > 3:
        # Too long to wrap: rotate; vertical when the slots are very narrow.
        if axis_px / n < 2.2 * char_px:
            ax.set_xticks(range(len(labels)), [str(v) for v in labels], rotation=90)
        else:
            ax.set_xticks(range(len(labels)), [str(v) for v in labels], rotation=40,
                          ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks(range(len(labels)), wrapped)


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


def _luminance(color: Any) -> float:
    r, g, b = to_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _label_color(bg: Any) -> str:
    return "white" if _luminance(bg) < 0.5 else TEXT


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


def _axis_px(ax: Axes) -> float:
    """Approximate plot-area width in pixels (constrained layout widens it)."""
    w = ax.figure.get_size_inches()[0]
    frac = 0.88 if len(ax.figure.axes) == 1 else ax.get_position().width
    return w * frac * DPI


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
    the y ticks (:func:`~gonghui_kit.fmt.fmt_int`, ``fmt_yuan`` …); ``labels``
    toggles value labels (default: on when ≤ 31 bars).  ``highlight`` names
    categories drawn in union red (others grey).  ``xticklabels`` replaces the
    displayed category names (e.g. ``[f"{m}月" for m in range(1, 13)]``).
    """
    if hue is not None:
        return grouped_bar(data, x=x, y=y, hue=hue, title=title, xlabel=xlabel, ylabel=ylabel,
                           ax=ax, order=order, hue_order=hue_order, estimator=estimator,
                           fmt=fmt, labels=labels, **kw)
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
        ax.bar_label(cont, labels=["" if np.isnan(v) else fmt_(v) for v in vals],
                     padding=2, fontsize=9, color=TEXT)
    _fit_labels(ax, list(xticklabels) if xticklabels is not None else cats, _axis_px(ax))
    ax.set_xlim(-0.6, len(cats) - 0.4)
    ax.margins(y=0.12)
    _zero_line(ax, vals, "y")
    ax.yaxis.set_major_formatter(_tick_fmt(fmt))
    ax.grid(axis="x", visible=False)
    ax.spines[["top", "right", "left"]].set_visible(False)
    return _finish(ax, title, xlabel, ylabel)


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
        cont = ax.bar(pos + (i - (k - 1) / 2) * width, np.nan_to_num(vals), width=width * 0.92,
                      color=colors[lev], label=str(lev), **kw)
        if show:
            ax.bar_label(cont, labels=["" if np.isnan(v) else fmt_(v) for v in vals],
                         padding=2, fontsize=8.5, color=TEXT)
    _fit_labels(ax, cats, _axis_px(ax))
    ax.set_xlim(-0.6, len(cats) - 0.4)
    ax.margins(y=0.2)
    _zero_line(ax, table.to_numpy(dtype=float), "y")
    ax.yaxis.set_major_formatter(_tick_fmt(fmt))
    ax.grid(axis="x", visible=False)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.legend(loc="upper right", ncol=min(k, 4), title=legend_title, handlelength=1.2,
              columnspacing=1.2)
    return _finish(ax, title, xlabel, ylabel)


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
    n_rows = 0 if _is_empty(data, y, value=x) else data[y].nunique()
    ax = _new_ax(ax, (FIGSIZE[0], min(max(0.34 * n_rows + 1.3, 3.0), 16.0)))
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
        ax.bar_label(cont, labels=["—" if np.isnan(v) else fmt_(v) for v in vals],
                     padding=3, fontsize=9, color=TEXT)
    ax.set_yticks(pos, [_wrap(c, 14) for c in cats])
    for tick, c in zip(ax.get_yticklabels(), cats):
        if c in hl:
            tick.set_color(UNION_RED)
            tick.set_fontweight("bold")
    ax.set_ylim(-0.6, len(cats) - 0.4)
    if ref is not None and not (isinstance(ref, float) and math.isnan(ref)):
        ax.axvline(ref, color=MUTED, lw=1, ls="--", zorder=3)
        ax.annotate(f"{ref_label} {fmt_(ref)}", (ref, 1), xycoords=("data", "axes fraction"),
                    xytext=(3, 2), textcoords="offset points", fontsize=8.5, color=MUTED,
                    va="bottom", annotation_clip=False)
    ax.margins(x=0.14)
    _zero_line(ax, vals, "x")
    ax.xaxis.set_major_formatter(_tick_fmt(fmt))
    ax.grid(axis="y", visible=False)
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return _finish(ax, title, xlabel, ylabel)


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
        pos_of = {v: float(n) for v, n in zip(xs_all, xnum)}
    else:
        ticks = _category_order(data[x], None)
        pos_of = {v: float(i) for i, v in enumerate(ticks)}
    levels = [None] if hue is None else _category_order(data[hue], hue_order)
    hl = set(_as_list(highlight))
    colors = _colors(levels, palette) if hue is not None else {None: kw.pop("color", UNION_RED)}
    fmt_ = fmt or _auto_fmt(agg.to_numpy())
    all_y = [float(v) for v in agg.to_numpy()]
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
        ax.plot(px, py, marker="o", color=c, label=None if lev is None else str(lev),
                **({"lw": lw} if lw else {}), **kw)
        if labels:
            span = (max(all_y) - min(min(all_y), 0) if zero else max(all_y) - min(all_y)) or 1.0
            for i, (a, b) in enumerate(zip(px, py)):
                near = py[max(i - 1, 0):i] + py[i + 1:i + 2]
                # Label under valleys (and under ends next to a steep rise), else above.
                if len(near) == 2:
                    below = all(b < v for v in near)
                else:
                    below = bool(near) and near[0] - b > 0.15 * span
                ax.annotate(fmt_(b), (a, b), xytext=(0, -7 if below else 7),
                            textcoords="offset points", ha="center",
                            va="top" if below else "bottom", fontsize=8.5, color=TEXT,
                            path_effects=_HALO)
    if numeric:
        step = max(1, math.ceil(len(ticks) / 12))
        ax.xaxis.set_major_locator(FixedLocator(ticks[::step]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}" if float(v).is_integer() else f"{v:g}"))
    else:
        _fit_labels(ax, ticks, _axis_px(ax))
    lo, hi = float(np.nanmin(agg.to_numpy())), float(np.nanmax(agg.to_numpy()))
    if zero and lo >= 0:
        ax.set_ylim(0, hi * 1.15 if hi > 0 else 1)
    else:
        ax.margins(y=0.15)
    ax.margins(x=0.06)
    ax.yaxis.set_major_formatter(_tick_fmt(fmt))
    ax.spines[["top", "right"]].set_visible(False)
    if hue is not None:
        ax.legend(loc="best", handlelength=1.6)
    return _finish(ax, title, xlabel, ylabel)


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
        rest = float(agg.iloc[max_slices - 1:].sum())
        agg = pd.concat([head, pd.Series({other_label: rest})])
    total = float(agg.sum())
    shares = agg / total
    cats = list(agg.index)
    cmap = _colors(cats, palette)
    if other_label in cmap and not isinstance(palette, dict):
        cmap[other_label] = GREY
    colors = [cmap[c] for c in cats]
    fmt_ = fmt or _auto_fmt(agg.to_numpy())
    wedges, _ = ax.pie(agg.to_numpy(dtype=float), colors=colors, startangle=90, counterclock=False,
                       wedgeprops={"width": 0.38, "edgecolor": "white", "linewidth": 1.5}, **kw)
    for w, share, col in zip(wedges, shares, colors):
        if share < 0.05:
            continue
        ang = math.radians((w.theta1 + w.theta2) / 2)
        ax.text(0.81 * math.cos(ang), 0.81 * math.sin(ang), fmt_pct(share, 1), ha="center",
                va="center", fontsize=9, color=_label_color(col))
    if center_label is not None:
        ax.text(0, 0.1, center_label, ha="center", va="center", fontsize=10, color=MUTED)
        ax.text(0, -0.12, fmt_(total), ha="center", va="center", fontsize=15,
                fontweight="bold", color=TEXT)
    ax.legend(wedges, [f"{c}  {fmt_(v)}（{fmt_pct(s, 1)}）" for c, v, s in zip(cats, agg, shares)],
              loc="center left", bbox_to_anchor=(1.02, 0.5), handlelength=1.0, handleheight=1.0,
              labelspacing=0.7)
    ax.set_aspect("equal")
    ax.set_title(_wrap(title, 40) if title else "")
    return ax


# --------------------------------------------------------------- heatmap ----

def heatmap(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    hue: None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    col_order: Sequence[Any] | None = None,
    sort: bool = True,
    lower_is_better: bool = True,
    cmap: Any = None,
    fmt: Fmt | None = None,
    highlight: Any = None,
    **kw: Any,
) -> Axes:
    """Rank heatmap: rows ``y`` (units) × columns ``x`` (indicators), cells ``value``.

    Cells are annotated with the value (ranks as integers).  With
    ``lower_is_better=True`` (ranks) rank 1 is the darkest colour and rank n
    the lightest; ``cmap`` (name or Colormap, dark = good end last) may
    replace the red default.  Rows are sorted by their mean value (best on
    top) unless ``order`` is given or ``sort=False``.  ``highlight`` marks a
    row (label in red, outlined).  Missing cells are light grey with “—”.
    """
    n_rows = 0 if _is_empty(data, x, y, value=value) else data[y].nunique()
    ax = _new_ax(ax, (FIGSIZE[0], min(max(0.4 * n_rows + 1.8, 3.0), 18.0)))
    if n_rows == 0:
        return _empty(ax, title)
    table = _aggregate(data, [y, x], value, "first").unstack(x)
    rows = _category_order(data[y], order)
    cols = _category_order(data[x], col_order)
    table = table.reindex(index=rows, columns=cols)
    if order is None and sort:
        means = table.mean(axis=1, skipna=True)
        table = table.loc[means.sort_values(ascending=lower_is_better, kind="stable").index]
    rows = list(table.index)
    m = table.to_numpy(dtype=float)
    if np.isnan(m).all():
        return _empty(ax, title)
    cm = mpl.colormaps[cmap] if isinstance(cmap, str) else (cmap or RANK_CMAP)
    if lower_is_better:
        cm = cm.reversed()
    cm = cm.with_extremes(bad="#F1F2F4")
    vmin, vmax = float(np.nanmin(m)), float(np.nanmax(m))
    if vmin == vmax:
        vmin, vmax = vmin - 1, vmax + 1
    mesh = ax.pcolormesh(np.ma.masked_invalid(m), cmap=cm, vmin=vmin, vmax=vmax,
                         edgecolors="white", linewidth=1.5, **kw)
    fmt_ = fmt or _auto_fmt(m.ravel())
    nr, nc = m.shape
    fs = 9.5 if nr * nc <= 150 else 8
    for i in range(nr):
        for j in range(nc):
            v = m[i, j]
            if np.isnan(v):
                ax.text(j + 0.5, i + 0.5, "—", ha="center", va="center", fontsize=fs, color=MUTED)
            else:
                ax.text(j + 0.5, i + 0.5, fmt_(v), ha="center", va="center", fontsize=fs,
                        color=_label_color(mesh.cmap(mesh.norm(v))))
    ax.set_xlim(0, nc)
    ax.set_ylim(nr, 0)  # first row on top
    ax.xaxis.tick_top()
    char_px = 10 * DPI / 72 * 1.05
    width = max(2, int(_axis_px(ax) / max(nc, 1) / char_px))
    ax.set_xticks(np.arange(nc) + 0.5, [_wrap(c, width) for c in cols])
    ax.set_yticks(np.arange(nr) + 0.5, [_wrap(r, 14) for r in rows])
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    hl = set(_as_list(highlight))
    if hl:
        from matplotlib.patches import Rectangle

        for tick, r in zip(ax.get_yticklabels(), rows):
            if r in hl:
                tick.set_color(UNION_RED)
                tick.set_fontweight("bold")
        for i, r in enumerate(rows):
            if r in hl:
                ax.add_patch(Rectangle((0.03, i + 0.04), nc - 0.06, 0.92, fill=False,
                                       edgecolor=TEXT, linewidth=1.6, zorder=4))
    ax.xaxis.set_label_position("top")
    return _finish(ax, title, xlabel, ylabel)


# --------------------------------------------------------------- pyramid ----

_AGE_NUM = re.compile(r"\d+")


def _age_key(label: Any) -> tuple[float, int, str]:
    s = str(label)
    m = _AGE_NUM.search(s)
    n = float(m.group()) if m else math.inf
    tier = 0 if ("以下" in s or "以内" in s or s.startswith("<") or "未满" in s) else (
        2 if ("以上" in s or s.startswith(">") or "及以上" in s) else 1)
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
    ax.set_yticks(pos, [str(g) for g in groups])
    ax.axvline(0, color="#888888", lw=0.9)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_(abs(v))))
    head_y = len(groups) - 0.05
    ax.text(-lim / 2, head_y, f"{left}  {fmt_(lv.sum())}", ha="center", va="center",
            fontsize=11, fontweight="bold", color=colors[0])
    ax.text(lim / 2, head_y, f"{right}  {fmt_(rv.sum())}", ha="center", va="center",
            fontsize=11, fontweight="bold", color=colors[1])
    ax.grid(axis="y", visible=False)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return _finish(ax, title, xlabel, ylabel)


# ---------------------------------------------------------------- output ----

def figure_to_img_tag(fig: Figure | Axes, alt: str, *, dpi: float | None = None) -> str:
    """Render ``fig`` as an inline ``<img>`` (PNG data URI) and close it.

    The figure is saved at its own size (no ``bbox_inches='tight'``);
    ``width``/``height`` attributes give the CSS size so pages don't reflow
    while images decode.  ``dpi`` > 100 makes a sharper image at the same
    displayed size.
    """
    if isinstance(fig, Axes):
        fig = fig.figure
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi or fig.dpi)
        w_in, h_in = fig.get_size_inches()
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(str(alt), quote=True)}" '
            f'width="{round(w_in * DPI)}" height="{round(h_in * DPI)}" loading="lazy">')


# Style on import: report code typically does ``from . import charts`` and then
# ``plt.subplots(...)`` before the first chart call.
set_style()
