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

Layouts are fixed, decided by the chart from what it knows — the lines of
its title and tick labels, the length of its longest labels (estimated from
the font's character widths, never measured by rendering), its legend — so a
figure is drawn once when saved, with no layout engine and no
``bbox_inches="tight"``.  A chart fills the figure it makes, or the grid
cell of the ``ax`` it is given (:func:`grid`, ``plt.subplots(1, 2)``, a
GridSpec: the cells then touch, each chart keeps its own margins inside its
cell); :func:`align` lines up charts side by side.  :func:`figure_to_png`
saves a figure once at its own size.  A figure with a layout engine chosen
explicitly (``plt.subplots(layout="constrained")``) is left to that engine.
The house style no longer turns constrained layout on for every figure.

The style (:func:`set_style`) is applied when this module is imported (so
figures made with ``plt.subplots`` right after the import get it too) and
re-applied by any chart call that finds it undone (e.g. by a later
``sns.set_theme()``).  It puts the bundled CJK font
(:mod:`gonghui_kit.present.fonts`) after seaborn's ``whitegrid`` theme, because
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
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.patheffects import withStroke
from matplotlib.transforms import Bbox
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from gonghui_kit.present.fmt import fmt_int, fmt_num, fmt_pct
from gonghui_kit.present.fonts import FAMILY, register_fonts

__all__ = [
    "UNION_RED", "NAVY", "GREY", "PALETTE", "RANK_COLORS", "MONTHS", "FIGSIZE",
    "set_style", "bar", "barh", "grouped_bar", "line", "donut",
    "pyramid", "grid", "align", "figure_to_png", "figure_to_img_tag",
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
#: Rank colour scale, light (worst) → deep red (best), for the HTML heatmap.
RANK_COLORS = ["#FBF0EE", "#F2C4BC", "#DE7F72", "#B22222", "#7A1212"]

_HALO = [withStroke(linewidth=3, foreground="white")]

_RC = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": DPI,
    "savefig.dpi": "figure",
    "savefig.bbox": None,  # fixed size: no tight-bbox recomputation on save
    "figure.constrained_layout.use": False,  # fixed layouts (see the module docstring)
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
    ax.text(0.5, 0.5, "无数据", transform=ax.transAxes, ha="center", va="center",
            fontsize=15, color="#999999")
    return _layout(ax, title, None, None)


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


def _fit_labels(ax: Axes, labels: Sequence[Any], axis_px: float, fontsize: float = 10) -> float:
    """Set categorical x tick labels, wrapping (or rotating) long ones; return the rotation."""
    n = max(len(labels), 1)
    char_px = fontsize * DPI / 72 * 1.05
    width = max(3, int(axis_px / n / char_px))
    wrapped = [_wrap(lab, width) for lab in labels]
    if max((w.count("\n") + 1 for w in wrapped), default=1) > 3:
        # Too long to wrap: rotate; vertical when the slots are very narrow.
        if axis_px / n < 2.2 * char_px:
            ax.set_xticks(range(len(labels)), [str(v) for v in labels], rotation=90)
            return 90.0
        ax.set_xticks(range(len(labels)), [str(v) for v in labels], rotation=40,
                      ha="right", rotation_mode="anchor")
        return 40.0
    ax.set_xticks(range(len(labels)), wrapped)
    return 0.0


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


def _integer_ticks(axis: Any, values: Any) -> None:
    """Whole-number ticks for counts (no "0, 0, 1, 1, 2" from fractional ticks)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) and np.allclose(v, np.round(v)):
        axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))


# ---------------------------------------------------------------- layout ----
#
# Every chart places its axes itself, with margins computed from what it knows:
# the lines of its title and tick labels and their widths, estimated from the
# advance widths of the bundled font (no text is rendered to be measured).

#: Advance widths (em) of the printable ASCII characters in the bundled font
#: (Noto Sans SC); any other character counts 1 em (CJK, full-width punctuation).
_ASCII_EM = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
    (0.224, 0.323, 0.474, 0.555, 0.555, 0.921, 0.68, 0.278, 0.338, 0.338, 0.467, 0.555, 0.278, 0.347,
     0.278, 0.392, *[0.555] * 10, 0.278, 0.278, 0.555, 0.555, 0.555, 0.474, 0.946, 0.608, 0.657, 0.638,
     0.688, 0.589, 0.552, 0.689, 0.728, 0.293, 0.535, 0.646, 0.543, 0.812, 0.723, 0.742, 0.633, 0.742,
     0.635, 0.596, 0.599, 0.721, 0.575, 0.878, 0.573, 0.531, 0.603, 0.338, 0.392, 0.338, 0.555, 0.559,
     0.606, 0.563, 0.618, 0.51, 0.62, 0.554, 0.325, 0.564, 0.607, 0.275, 0.275, 0.552, 0.284, 0.926,
     0.61, 0.606, 0.62, 0.62, 0.388, 0.468, 0.377, 0.607, 0.521, 0.802, 0.498, 0.521, 0.475, 0.338,
     0.27, 0.338, 0.555),
))
#: Space (points) between a chart and the edge of its figure or grid cell.
_PAD = 7.0


def _em(line: str) -> float:
    return sum(_ASCII_EM.get(c, 1.0) for c in line)


def _text_box(s: Any, fontsize: float, bold: bool = False) -> tuple[float, float]:
    r"""Estimated ``(width, height)`` in points of text ``s`` (may hold newlines).

    Upper bounds: rendered glyphs snap to whole pixels, so a little is added.

    >>> [round(v) for v in _text_box("第16基层工会委员会", 10)]
    [96, 12]
    >>> [round(v) for v in _text_box("对附属单\n位的支出", 10)]
    [43, 22]
    """
    lines = str(s).split("\n")
    em = max(_em(line) for line in lines) * (1.06 if bold else 1.0)
    return em * fontsize * 1.04 + 1.0, fontsize * (len(lines) + 0.2)


def _title_h(title: str, fontsize: float) -> float:
    """Height above its baseline of a title (its descent sits in the title pad)."""
    return fontsize * (title.count("\n") + 0.95)


def _pt(size: Any) -> float:
    """A font size from rcParams (number or name like ``"medium"``) in points."""
    if isinstance(size, (int, float)):
        return float(size)
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=size).get_size_in_points()


def _fig_pt(fig: Any) -> tuple[float, float]:
    return fig.bbox.width * 72 / fig.dpi, fig.bbox.height * 72 / fig.dpi


def _figure(ax: Axes, root: bool = False) -> Any:
    try:
        return ax.get_figure(root=root)
    except TypeError:  # matplotlib < 3.10
        return ax.figure


def _cell(ax: Axes) -> Bbox | None:
    """The box (figure fraction) ``ax`` may fill: its whole grid cell, spacing included.

    None when its position is not the chart's to set: a layout engine was
    chosen for the figure, or the axes was put at an explicit rectangle.
    """
    if _figure(ax, root=True).get_layout_engine() is not None:
        return None
    ss = ax.get_subplotspec()
    if ss is None:
        return None
    gs = ss.get_gridspec()
    if not isinstance(gs, GridSpec):  # nested grid: its cell as laid out
        return ss.get_position(_figure(ax))
    nrows, ncols = gs.get_geometry()
    raw = GridSpec(nrows, ncols, left=0, right=1, bottom=0, top=1, wspace=0, hspace=0,
                   width_ratios=gs.get_width_ratios(), height_ratios=gs.get_height_ratios())
    bottoms, tops, lefts, rights = raw.get_grid_positions(_figure(ax))
    return Bbox.from_extents(lefts[ss.colspan.start], bottoms[ss.rowspan.stop - 1],
                             rights[ss.colspan.stop - 1], tops[ss.rowspan.start])


def _place(ax: Axes, cell: Bbox, left: float, right: float, bottom: float, top: float) -> None:
    """Put ``ax`` in ``cell`` with these margins (points); remembered for :func:`align`."""
    fw, fh = _fig_pt(_figure(ax))
    cw, ch = cell.width * fw, cell.height * fh

    def fit(a: float, b: float, total: float) -> tuple[float, float]:
        # margins never take more than 2/3 of the cell
        k = min(1.0, 0.67 * total / (a + b)) if a + b > 0 else 1.0
        return a * k, b * k

    left, right = fit(left, right, cw)
    bottom, top = fit(bottom, top, ch)
    ax.set_position([cell.x0 + left / fw, cell.y0 + bottom / fh,
                     (cw - left - right) / fw, (ch - bottom - top) / fh])
    ax.set_in_layout(True)
    ax._gonghui_layout = (cell, left, right, bottom, top)  # type: ignore[attr-defined]


def _tick_texts(axis: Any) -> list[tuple[float, str]]:
    """``(position, label)`` of the major ticks that will be drawn (no rendering)."""
    locs = np.asarray(axis.get_majorticklocs(), dtype=float)
    if not len(locs):
        return []
    texts = axis.major.formatter.format_ticks(locs)
    lo, hi = sorted(axis.get_view_interval())
    eps = (hi - lo) * 1e-9
    return [(v, t) for v, t in zip(locs, texts) if t and lo - eps <= v <= hi + eps]


def _layout(
    ax: Axes,
    title: str | None,
    xlabel: str | None,
    ylabel: str | None,
    *,
    fit_x: Callable[[float], float] | None = None,
    xtop: bool = False,
    xpad: float | None = None,
    ypad: float | None = None,
    title_pad: float = 0.0,
) -> Axes:
    """Set title and axis labels and place ``ax`` with fixed margins.

    The margins come from the estimated size of the y tick labels (left), x
    tick labels and x label (bottom, or top with ``xtop``) and the wrapped
    title (top).  ``fit_x(axis_px)`` sets categorical x tick labels for the
    plot width it is given and returns their rotation.  ``xpad``/``ypad``:
    points between the axes and its tick labels (default: tick size + pad);
    ``title_pad``: extra room between the axes and the title (points).  Axis
    labels and title get fixed positions, so drawing measures nothing.
    """
    from matplotlib.transforms import ScaledTranslation

    rc = mpl.rcParams
    fig = _figure(ax)
    cell = _cell(ax)
    fw, fh = _fig_pt(fig)
    box = cell if cell is not None else ax.get_position(original=True)
    cw = box.width * fw
    xfs, yfs = _pt(rc["xtick.labelsize"]), _pt(rc["ytick.labelsize"])
    lfs, tfs = _pt(rc["axes.labelsize"]), _pt(rc["axes.titlesize"])
    xpad = rc["xtick.major.size"] + rc["xtick.major.pad"] if xpad is None else xpad
    ypad = rc["ytick.major.size"] + rc["ytick.major.pad"] if ypad is None else ypad
    labelpad = rc["axes.labelpad"]
    ax.set_xlabel(xlabel or "")
    ax.set_ylabel(ylabel or "")
    xl_h = labelpad + _text_box(xlabel, lfs)[1] if xlabel else 0.0
    yl_w = labelpad + _text_box(ylabel, lfs)[1] if ylabel else 0.0
    yt_w = -1.0
    for _ in range(3):  # the y ticks depend on the plot height: settle in ≤ 2 rounds
        ylabs = _tick_texts(ax.yaxis)
        w = max((_text_box(t, yfs)[0] for _, t in ylabs), default=0.0)
        if abs(w - yt_w) < 1.0:
            break
        yt_w = w
        left = _PAD + yl_w + (ypad + yt_w if ylabs else 0.0)
        right = _PAD
        rot = fit_x((cw - left - right) * DPI / 72) if fit_x is not None else 0.0
        xlabs = _tick_texts(ax.xaxis)
        boxes = [_text_box(t, xfs) for _, t in xlabs]
        plot_w = cw - left - right
        if rot:
            a = math.radians(rot)
            xt_h = max(bw * math.sin(a) + bh * math.cos(a) for bw, bh in boxes)
        else:
            xt_h = max((bh for _, bh in boxes), default=0.0)
        if xlabs and plot_w > 0:
            # labels at the ends of the axis reach past it (centred, or right-aligned when rotated)
            lo, hi = ax.get_xlim()
            span = (hi - lo) or 1.0
            (v0, _), (v1, _) = xlabs[0], xlabs[-1]
            d0, d1 = (v0 - lo) / span * plot_w, (hi - v1) / span * plot_w
            reach0 = boxes[0][0] * (math.cos(math.radians(rot)) if rot and rot < 90 else 0.5)
            reach1 = 0.0 if rot and rot < 90 else boxes[-1][0] * 0.5
            if rot >= 90:
                reach0 = reach1 = boxes[0][1] * 0.5
            left = max(left, _PAD + reach0 - d0)
            right = max(right, _PAD + reach1 - d1)
        xt_block = (xpad + xt_h if xlabs else 0.0) + xl_h
        tpad = rc["axes.titlepad"] + title_pad + (xt_block if xtop else 0.0)
        title_em = (cw - left - _PAD) / (tfs * 1.04 * 1.06)
        t = _wrap(title, max(6, min(40, int(title_em)))) if title else ""
        top = _PAD + (tpad + _title_h(t, tfs) if t else (xt_block if xtop else 0.0))
        bottom = _PAD + (0.0 if xtop else xt_block)
        if cell is not None:
            _place(ax, cell, left, right, bottom, top)
        else:
            break
    ax.set_title(t, y=1.0, pad=tpad)  # fixed: no search for a free spot at draw time
    if cell is not None:
        # axis labels at fixed offsets from the axes: no tick label measured at draw time
        dpi_t = fig.dpi_scale_trans
        off = (xpad + xt_h + labelpad) / 72 if xlabs else labelpad / 72
        if xtop:
            ax.xaxis.set_label_coords(0.5, 1, ax.transAxes + ScaledTranslation(0, off, dpi_t))
        else:
            ax.xaxis.set_label_coords(0.5, 0, ax.transAxes + ScaledTranslation(0, -off, dpi_t))
        off = (ypad + yt_w + labelpad) / 72 if ylabs else labelpad / 72
        ax.yaxis.set_label_coords(0, 0.5, ax.transAxes + ScaledTranslation(-off, 0, dpi_t))
    return ax


def _layout_donut(ax: Axes, title: str | None, legend_w: float) -> Axes:
    """Square pie axes and its legend on the right, centred together in the cell."""
    rc = mpl.rcParams
    cell = _cell(ax)
    fw, fh = _fig_pt(_figure(ax))
    box = cell if cell is not None else ax.get_position(original=True)
    cw, ch = box.width * fw, box.height * fh
    tfs, tpad = _pt(rc["axes.titlesize"]), rc["axes.titlepad"]
    title_h = 0.0
    if title:
        t = _wrap(title, max(6, min(40, int((cw - 2 * _PAD) / (tfs * 1.1)))))
        title_h = tpad + _title_h(t, tfs)
    ax.set_title(t if title else "", y=1.0, pad=tpad)
    if cell is None:
        return ax
    avail_h = ch - 2 * _PAD - title_h
    legend_w += 0.02 * avail_h  # the legend starts at 1.02 × the axes width
    side = max(min(avail_h, cw - 2 * _PAD - legend_w), 0.3 * min(cw, ch))
    left = max(_PAD, (cw - side - legend_w) / 2)
    # the square hangs under the title (level with titles of charts beside it)
    top = _PAD + title_h
    _place(ax, cell, left, cw - left - side, ch - top - side, top)
    return ax


def grid(ncols: int, *, figsize: tuple[float, float], width_ratios: Sequence[float] | None = None
         ) -> tuple[Figure, list[Axes]]:
    """A figure with one row of ``ncols`` axes on a fixed GridSpec, no layout engine.

    The cells touch; each chart drawn on one keeps its own margins inside its
    cell.  Follow with :func:`align` to line the charts up::

        fig, (a1, a2) = grid(2, figsize=(11, 4.2), width_ratios=[1.25, 1])
        bar(..., ax=a1); barh(..., ax=a2); align(a1, a2)
    """
    import matplotlib.pyplot as plt

    _ensure_style()
    fig = plt.figure(figsize=figsize, layout="none")
    gs = fig.add_gridspec(1, ncols, width_ratios=width_ratios)
    return fig, [fig.add_subplot(gs[0, i]) for i in range(ncols)]


def align(*axes: Axes, same_width: bool = False) -> None:
    """Line up charts drawn side by side: the same top and bottom margins.

    With ``same_width`` also the same left and right margins, so plots in
    cells of equal width get equal widths (small multiples).  Axes not
    placed by a chart (a layout engine, an explicit rectangle) are skipped.

    >>> import matplotlib.pyplot as plt
    >>> fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    >>> _ = bar(pd.DataFrame({"x": ["甲"], "y": [1]}), x="x", y="y", ax=a1, title="一")
    >>> _ = bar(pd.DataFrame({"x": ["乙"], "y": [2]}), x="x", y="y", ax=a2, xlabel="横轴")
    >>> align(a1, a2)
    >>> p1, p2 = a1.get_position(), a2.get_position()
    >>> bool(p1.y0 == p2.y0 and p1.y1 == p2.y1)
    True
    >>> plt.close(fig)
    """
    done = [(ax, ax._gonghui_layout) for ax in axes if getattr(ax, "_gonghui_layout", None)]
    if not done:
        return
    bottom = max(m[3] for _, m in done)
    top = max(m[4] for _, m in done)
    left = max(m[1] for _, m in done)
    right = max(m[2] for _, m in done)
    for ax, (cell, l_, r_, _b, _t) in done:
        _place(ax, cell, left if same_width else l_, right if same_width else r_, bottom, top)


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
    ax.set_xlim(-0.6, len(cats) - 0.4)
    ax.margins(y=0.12)
    _zero_line(ax, vals, "y")
    _integer_ticks(ax.yaxis, vals)
    ax.yaxis.set_major_formatter(_tick_fmt(fmt))
    ax.grid(axis="x", visible=False)
    ax.spines[["top", "right", "left"]].set_visible(False)
    names = list(xticklabels) if xticklabels is not None else cats
    return _layout(ax, title, xlabel, ylabel, fit_x=lambda px: _fit_labels(ax, names, px))


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
    ax.set_xlim(-0.6, len(cats) - 0.4)
    ax.margins(y=0.2)
    _zero_line(ax, table.to_numpy(dtype=float), "y")
    _integer_ticks(ax.yaxis, table.to_numpy(dtype=float))
    ax.yaxis.set_major_formatter(_tick_fmt(fmt))
    ax.grid(axis="x", visible=False)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.legend(loc="upper right", ncol=min(k, 4), title=legend_title, handlelength=1.2,
              columnspacing=1.2)
    return _layout(ax, title, xlabel, ylabel, fit_x=lambda px: _fit_labels(ax, cats, px))


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
    lines = max((_wrap(c, 14).count("\n") + 1 for c in names), default=1)
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
        ax.bar_label(cont, labels=["—" if np.isnan(v) else fmt_(v) for v in vals],
                     padding=3, fontsize=9, color=TEXT)
    # tick settings before the ticks exist: new ticks take them, no per-tick update
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.set_yticks(pos, [_wrap(c, 14) for c in cats])
    for tick, c in zip(ax.get_yticklabels(), cats):
        if c in hl:
            tick.set_color(UNION_RED)
            tick.set_fontweight("bold")
    ax.set_ylim(-0.6, len(cats) - 0.4)
    has_ref = ref is not None and not (isinstance(ref, float) and math.isnan(ref))
    note = None
    if has_ref:
        ax.axvline(ref, color=MUTED, lw=1, ls="--", zorder=3)
        note = ax.annotate(f"{ref_label} {fmt_(ref)}", (ref, 1), xycoords=("data", "axes fraction"),
                           xytext=(3, 2), textcoords="offset points", fontsize=8.5, color=MUTED,
                           va="bottom", annotation_clip=False)
    ax.margins(x=0.14)
    _zero_line(ax, vals, "x")
    _integer_ticks(ax.xaxis, vals)
    ax.xaxis.set_major_formatter(_tick_fmt(fmt))
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    _layout(ax, title, xlabel, ylabel, ypad=mpl.rcParams["ytick.major.pad"],
            title_pad=_text_box("0", 8.5)[1] + 4 if has_ref else 0.0)
    # Room for the value labels at the bar ends, and the reference note kept inside.
    plot_w = ax.get_position().width * _fig_pt(_figure(ax))[0]
    if labels and plot_w > 0:
        f = min(0.5, (max(_text_box(fmt_(v), 9)[0] for v in np.nan_to_num(vals)) + 6) / plot_w)
        if f / (1 - f) > 0.14:  # the margin is a fraction of the data span
            ax.margins(x=f / (1 - f) * 1.05)
    if note is not None and plot_w > 0:
        lo, hi = ax.get_xlim()
        at = (ref - lo) / ((hi - lo) or 1.0) * plot_w
        if at + 3 + _text_box(note.get_text(), 8.5)[0] > plot_w + _PAD / 2:
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
        pos_of = {v: float(n) for v, n in zip(xs_all, xnum)}
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
        ax.plot(px, py, marker="o", color=c, label=None if lev is None else str(lev),
                **({"lw": lw} if lw else {}), **kw)
        series.append((px, py))
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
    lo, hi = float(np.nanmin(agg.to_numpy())), float(np.nanmax(agg.to_numpy()))
    if zero and lo >= 0:
        ax.set_ylim(0, hi * 1.15 if hi > 0 else 1)
    else:
        ax.margins(y=0.15)
    ax.margins(x=0.06)
    _integer_ticks(ax.yaxis, agg.to_numpy())
    ax.yaxis.set_major_formatter(_tick_fmt(fmt))
    ax.spines[["top", "right"]].set_visible(False)
    fit_x = None if numeric else (lambda px: _fit_labels(ax, ticks, px))
    _layout(ax, title, xlabel, ylabel, fit_x=fit_x)
    if hue is not None:
        names = [str(lev) for lev in levels]
        ax.legend(loc=_legend_loc(ax, series, names, labels), handlelength=1.6)
    return ax


def _legend_loc(ax: Axes, series: list[tuple[list[float], list[float]]], names: list[str],
                labels: bool) -> str:
    """The corner (or side) of ``ax`` where a legend of ``names`` covers the fewest
    points of the lines (and their value labels), decided without rendering —
    matplotlib's ``loc="best"`` measures every text of the axes at draw time."""
    fw, fh = _fig_pt(_figure(ax))
    pos = ax.get_position()
    aw, ah = max(pos.width * fw, 1.0), max(pos.height * fh, 1.0)
    fs = _pt(mpl.rcParams["legend.fontsize"])
    w = (max((_text_box(n, fs)[0] for n in names), default=0.0) + 3.6 * fs) / aw
    h = (len(names) * 1.5 * fs + 0.3 * fs) / ah
    pad_x, pad_y = 0.5 * fs / aw, 0.5 * fs / ah
    lab_h = 16.0 / ah if labels else 0.0  # a value label above or below each point
    pts = []
    to_axes = ax.transLimits
    for xs, ys in series:
        xy = to_axes.transform(np.column_stack([xs, ys]))
        for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
            t = np.linspace(0, 1, 12)[:-1]
            pts.append(np.column_stack([x0 + (x1 - x0) * t, y0 + (y1 - y0) * t]))
        pts.append(xy)
        if lab_h:
            pts.append(xy + [0, lab_h])
            pts.append(xy - [0, lab_h])
    allp = np.concatenate(pts) if pts else np.zeros((0, 2))
    boxes = {
        "upper right": (1 - pad_x - w, 1 - pad_y - h), "upper left": (pad_x, 1 - pad_y - h),
        "lower right": (1 - pad_x - w, pad_y), "lower left": (pad_x, pad_y),
        "center right": (1 - pad_x - w, 0.5 - h / 2), "center left": (pad_x, 0.5 - h / 2),
        "upper center": (0.5 - w / 2, 1 - pad_y - h), "lower center": (0.5 - w / 2, pad_y),
    }
    best, best_n = "upper right", None
    for loc, (x0, y0) in boxes.items():
        n = int(((allp[:, 0] >= x0 - 0.02) & (allp[:, 0] <= x0 + w + 0.02)
                 & (allp[:, 1] >= y0 - 0.03) & (allp[:, 1] <= y0 + h + 0.03)).sum())
        if best_n is None or n < best_n:
            best, best_n = loc, n
        if n == 0:
            break
    return best


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
    # Legend entries: long category names wrap so the legend keeps ≤ half the width.
    cell = _cell(ax)
    fw = _fig_pt(_figure(ax))[0]
    room_em = ((cell or ax.get_position()).width * fw * 0.5 - 42) / 10.5
    entries = []
    for c, v, s in zip(cats, agg, shares):
        rest = f"  {fmt_(v)}（{fmt_pct(s, 1)}）"
        entries.append(_wrap(c, max(6.0, room_em - _em(rest))) + rest)
    fs = _pt(mpl.rcParams["legend.fontsize"])
    legend_w = max(_text_box(e, fs)[0] for e in entries) + 3.4 * fs
    ax.legend(wedges, entries, loc="center left", bbox_to_anchor=(1.02, 0.5), handlelength=1.0,
              handleheight=1.0, labelspacing=0.7)
    ax.set_aspect("equal")
    return _layout_donut(ax, title, legend_w)


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
    ax.grid(axis="y", visible=False)  # before the ticks exist: no per-tick update
    ax.tick_params(axis="y", length=0)
    ax.set_yticks(pos, [str(g) for g in groups])
    ax.axvline(0, color="#888888", lw=0.9)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_(abs(v))))
    head_y = len(groups) - 0.05
    ax.text(-lim / 2, head_y, f"{left}  {fmt_(lv.sum())}", ha="center", va="center",
            fontsize=11, fontweight="bold", color=colors[0])
    ax.text(lim / 2, head_y, f"{right}  {fmt_(rv.sum())}", ha="center", va="center",
            fontsize=11, fontweight="bold", color=colors[1])
    ax.spines[["top", "right", "left"]].set_visible(False)
    _integer_ticks(ax.xaxis, np.concatenate([lv, rv]))
    return _layout(ax, title, xlabel, ylabel, ypad=mpl.rcParams["ytick.major.pad"])


# ---------------------------------------------------------------- output ----

#: PNG settings: zlib level 3 encodes about twice as fast as the default 6
#: for files a few percent larger (charts are flat colours and text).
PNG_KW = {"compress_level": 3}


def figure_to_png(fig: Figure | Axes, *, dpi: float | None = None, close: bool = True) -> bytes:
    """The figure as PNG bytes at its own size (drawn once), closed unless ``close=False``."""
    if isinstance(fig, Axes):
        fig = _figure(fig, root=True)
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi or fig.dpi, pil_kwargs=dict(PNG_KW))
    finally:
        if close:
            import matplotlib.pyplot as plt

            plt.close(fig)
    return buf.getvalue()


def figure_to_img_tag(fig: Figure | Axes, alt: str, *, dpi: float | None = None) -> str:
    """Render ``fig`` as an inline ``<img>`` (PNG data URI) and close it.

    The figure is saved at its own size (no ``bbox_inches='tight'``);
    ``width``/``height`` attributes give the CSS size so pages don't reflow
    while images decode.  ``dpi`` > 100 makes a sharper image at the same
    displayed size.
    """
    if isinstance(fig, Axes):
        fig = _figure(fig, root=True)
    w_in, h_in = fig.get_size_inches()
    data = base64.b64encode(figure_to_png(fig, dpi=dpi)).decode("ascii")
    return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(str(alt), quote=True)}" '
            f'width="{round(w_in * DPI)}" height="{round(h_in * DPI)}" loading="lazy">')


# Style on import: report code typically does ``from . import charts`` and then
# ``plt.subplots(...)`` before the first chart call.
set_style()
