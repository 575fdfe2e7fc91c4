"""Fixed layouts for the report charts: label fitting, margins, figure grids.

Layouts are fixed, decided by the chart from what it knows — the lines of
its title and tick labels, the length of its longest labels (estimated from
the font's character widths, never measured by rendering), its legend — so a
figure is drawn once when saved, with no layout engine and no
``bbox_inches="tight"``.  A chart fills the figure it makes, or the grid
cell of the ``ax`` it is given (:func:`grid`, ``plt.subplots(1, 2)``, a
GridSpec: the cells then touch, each chart keeps its own margins inside its
cell); :func:`align` lines up charts side by side.  A figure with a layout
engine chosen explicitly (``plt.subplots(layout="constrained")``) is left to
that engine.

Every chart places its axes itself (:func:`layout_axes`,
:func:`layout_donut`), with margins computed from the lines of its title and
tick labels and their widths, estimated from the advance widths of the
bundled font (:func:`text_box`: no text is rendered to be measured).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.transforms import Bbox

from gonghui_kit.present.style import DPI, ensure_style

__all__ = [
    "PAD",
    "wrap_label",
    "fit_xlabels",
    "text_em",
    "text_box",
    "font_pt",
    "figure_pt",
    "figure_of",
    "cell_box",
    "place",
    "tick_texts",
    "layout_axes",
    "layout_donut",
    "legend_loc",
    "grid",
    "align",
]

# ------------------------------------------------------------ text sizes ----


def _char_width(ch: str) -> float:
    return 0.55 if ord(ch) < 0x2E80 else 1.0


def _text_width(s: str) -> float:
    return sum(_char_width(c) for c in s)


_NO_LINE_START = set("，。、；：？！）》」』】〕…%％,.;:?!)]}")


def wrap_label(label: Any, width: float) -> str:
    r"""Break ``label`` into balanced lines of at most ``width`` CJK-character widths.

    >>> wrap_label("职工集体福利费", 6)
    '职工集体\n福利费'
    >>> wrap_label("困难帮扶覆盖率（%）", 4)
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


def fit_xlabels(ax: Axes, labels: Sequence[Any], axis_px: float, fontsize: float = 10) -> float:
    """Set categorical x tick labels, wrapping (or rotating) long ones; return the rotation."""
    n = max(len(labels), 1)
    char_px = fontsize * DPI / 72 * 1.05
    width = max(3, int(axis_px / n / char_px))
    wrapped = [wrap_label(lab, width) for lab in labels]
    if max((w.count("\n") + 1 for w in wrapped), default=1) > 3:
        # Too long to wrap: rotate; vertical when the slots are very narrow.
        if axis_px / n < 2.2 * char_px:
            ax.set_xticks(range(len(labels)), [str(v) for v in labels], rotation=90)
            return 90.0
        ax.set_xticks(range(len(labels)), [str(v) for v in labels], rotation=40, ha="right", rotation_mode="anchor")
        return 40.0
    ax.set_xticks(range(len(labels)), wrapped)
    return 0.0


#: Advance widths (em) of the printable ASCII characters in the bundled font
#: (Noto Sans SC); any other character counts 1 em (CJK, full-width punctuation).
_ASCII_EM = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
        (
            0.224,
            0.323,
            0.474,
            0.555,
            0.555,
            0.921,
            0.68,
            0.278,
            0.338,
            0.338,
            0.467,
            0.555,
            0.278,
            0.347,
            0.278,
            0.392,
            *[0.555] * 10,
            0.278,
            0.278,
            0.555,
            0.555,
            0.555,
            0.474,
            0.946,
            0.608,
            0.657,
            0.638,
            0.688,
            0.589,
            0.552,
            0.689,
            0.728,
            0.293,
            0.535,
            0.646,
            0.543,
            0.812,
            0.723,
            0.742,
            0.633,
            0.742,
            0.635,
            0.596,
            0.599,
            0.721,
            0.575,
            0.878,
            0.573,
            0.531,
            0.603,
            0.338,
            0.392,
            0.338,
            0.555,
            0.559,
            0.606,
            0.563,
            0.618,
            0.51,
            0.62,
            0.554,
            0.325,
            0.564,
            0.607,
            0.275,
            0.275,
            0.552,
            0.284,
            0.926,
            0.61,
            0.606,
            0.62,
            0.62,
            0.388,
            0.468,
            0.377,
            0.607,
            0.521,
            0.802,
            0.498,
            0.521,
            0.475,
            0.338,
            0.27,
            0.338,
            0.555,
        ),
        strict=True,
    )
)
#: Space (points) between a chart and the edge of its figure or grid cell.
PAD = 7.0


def text_em(line: str) -> float:
    """Estimated width of one line of text, in em of the bundled font."""
    return sum(_ASCII_EM.get(c, 1.0) for c in line)


def text_box(s: Any, fontsize: float, bold: bool = False) -> tuple[float, float]:
    r"""Estimated ``(width, height)`` in points of text ``s`` (may hold newlines).

    Upper bounds: rendered glyphs snap to whole pixels, so a little is added.

    >>> [round(v) for v in text_box("第16基层工会委员会", 10)]
    [96, 12]
    >>> [round(v) for v in text_box("对附属单\n位的支出", 10)]
    [43, 22]
    """
    lines = str(s).split("\n")
    em = max(text_em(line) for line in lines) * (1.06 if bold else 1.0)
    return em * fontsize * 1.04 + 1.0, fontsize * (len(lines) + 0.2)


def _title_h(title: str, fontsize: float) -> float:
    """Height above its baseline of a title (its descent sits in the title pad)."""
    return fontsize * (title.count("\n") + 0.95)


def font_pt(size: Any) -> float:
    """A font size from rcParams (number or name like ``"medium"``) in points."""
    if isinstance(size, (int, float)):
        return float(size)
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=size).get_size_in_points()


# --------------------------------------------------------- axes placement ----


def figure_pt(fig: Any) -> tuple[float, float]:
    """``(width, height)`` of a figure in points."""
    return fig.bbox.width * 72 / fig.dpi, fig.bbox.height * 72 / fig.dpi


def figure_of(ax: Axes, root: bool = False) -> Any:
    """The (sub)figure of ``ax``; with ``root`` the top-level figure."""
    try:
        return ax.get_figure(root=root)
    except TypeError:  # matplotlib < 3.10
        return ax.figure


def cell_box(ax: Axes) -> Bbox | None:
    """The box (figure fraction) ``ax`` may fill: its whole grid cell, spacing included.

    None when its position is not the chart's to set: a layout engine was
    chosen for the figure, or the axes was put at an explicit rectangle.
    """
    if figure_of(ax, root=True).get_layout_engine() is not None:
        return None
    ss = ax.get_subplotspec()
    if ss is None:
        return None
    gs = ss.get_gridspec()
    if not isinstance(gs, GridSpec):  # nested grid: its cell as laid out
        return ss.get_position(figure_of(ax))
    nrows, ncols = gs.get_geometry()
    raw = GridSpec(
        nrows,
        ncols,
        left=0,
        right=1,
        bottom=0,
        top=1,
        wspace=0,
        hspace=0,
        width_ratios=gs.get_width_ratios(),
        height_ratios=gs.get_height_ratios(),
    )
    bottoms, tops, lefts, rights = raw.get_grid_positions(figure_of(ax))
    return Bbox.from_extents(
        lefts[ss.colspan.start], bottoms[ss.rowspan.stop - 1], rights[ss.colspan.stop - 1], tops[ss.rowspan.start]
    )


def place(ax: Axes, cell: Bbox, left: float, right: float, bottom: float, top: float) -> None:
    """Put ``ax`` in ``cell`` with these margins (points); remembered for :func:`align`."""
    fw, fh = figure_pt(figure_of(ax))
    cw, ch = cell.width * fw, cell.height * fh

    def fit(a: float, b: float, total: float) -> tuple[float, float]:
        # margins never take more than 2/3 of the cell
        k = min(1.0, 0.67 * total / (a + b)) if a + b > 0 else 1.0
        return a * k, b * k

    left, right = fit(left, right, cw)
    bottom, top = fit(bottom, top, ch)
    ax.set_position([cell.x0 + left / fw, cell.y0 + bottom / fh, (cw - left - right) / fw, (ch - bottom - top) / fh])
    ax.set_in_layout(True)
    ax._gonghui_layout = (cell, left, right, bottom, top)  # type: ignore[attr-defined]


def tick_texts(axis: Any) -> list[tuple[float, str]]:
    """``(position, label)`` of the major ticks that will be drawn (no rendering)."""
    locs = np.asarray(axis.get_majorticklocs(), dtype=float)
    if not len(locs):
        return []
    texts = axis.major.formatter.format_ticks(locs)
    lo, hi = sorted(axis.get_view_interval())
    eps = (hi - lo) * 1e-9
    return [(v, t) for v, t in zip(locs, texts, strict=True) if t and lo - eps <= v <= hi + eps]


def layout_axes(
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
    fig = figure_of(ax)
    cell = cell_box(ax)
    fw, fh = figure_pt(fig)
    box = cell if cell is not None else ax.get_position(original=True)
    cw = box.width * fw
    xfs, yfs = font_pt(rc["xtick.labelsize"]), font_pt(rc["ytick.labelsize"])
    lfs, tfs = font_pt(rc["axes.labelsize"]), font_pt(rc["axes.titlesize"])
    xpad = rc["xtick.major.size"] + rc["xtick.major.pad"] if xpad is None else xpad
    ypad = rc["ytick.major.size"] + rc["ytick.major.pad"] if ypad is None else ypad
    labelpad = rc["axes.labelpad"]
    ax.set_xlabel(xlabel or "")
    ax.set_ylabel(ylabel or "")
    xl_h = labelpad + text_box(xlabel, lfs)[1] if xlabel else 0.0
    yl_w = labelpad + text_box(ylabel, lfs)[1] if ylabel else 0.0
    yt_w = -1.0
    for _ in range(3):  # the y ticks depend on the plot height: settle in ≤ 2 rounds
        ylabs = tick_texts(ax.yaxis)
        w = max((text_box(t, yfs)[0] for _, t in ylabs), default=0.0)
        if abs(w - yt_w) < 1.0:
            break
        yt_w = w
        left = PAD + yl_w + (ypad + yt_w if ylabs else 0.0)
        right = PAD
        rot = fit_x((cw - left - right) * DPI / 72) if fit_x is not None else 0.0
        xlabs = tick_texts(ax.xaxis)
        boxes = [text_box(t, xfs) for _, t in xlabs]
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
            left = max(left, PAD + reach0 - d0)
            right = max(right, PAD + reach1 - d1)
        xt_block = (xpad + xt_h if xlabs else 0.0) + xl_h
        tpad = rc["axes.titlepad"] + title_pad + (xt_block if xtop else 0.0)
        title_em = (cw - left - PAD) / (tfs * 1.04 * 1.06)
        t = wrap_label(title, max(6, min(40, int(title_em)))) if title else ""
        top = PAD + (tpad + _title_h(t, tfs) if t else (xt_block if xtop else 0.0))
        bottom = PAD + (0.0 if xtop else xt_block)
        if cell is not None:
            place(ax, cell, left, right, bottom, top)
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


def layout_donut(ax: Axes, title: str | None, legend_w: float) -> Axes:
    """Square pie axes and its legend on the right, centred together in the cell."""
    rc = mpl.rcParams
    cell = cell_box(ax)
    fw, fh = figure_pt(figure_of(ax))
    box = cell if cell is not None else ax.get_position(original=True)
    cw, ch = box.width * fw, box.height * fh
    tfs, tpad = font_pt(rc["axes.titlesize"]), rc["axes.titlepad"]
    title_h = 0.0
    if title:
        t = wrap_label(title, max(6, min(40, int((cw - 2 * PAD) / (tfs * 1.1)))))
        title_h = tpad + _title_h(t, tfs)
    ax.set_title(t if title else "", y=1.0, pad=tpad)
    if cell is None:
        return ax
    avail_h = ch - 2 * PAD - title_h
    legend_w += 0.02 * avail_h  # the legend starts at 1.02 × the axes width
    side = max(min(avail_h, cw - 2 * PAD - legend_w), 0.3 * min(cw, ch))
    left = max(PAD, (cw - side - legend_w) / 2)
    # the square hangs under the title (level with titles of charts beside it)
    top = PAD + title_h
    place(ax, cell, left, cw - left - side, ch - top - side, top)
    return ax


# ---------------------------------------------------------- figure grids ----


def grid(
    ncols: int, *, figsize: tuple[float, float], width_ratios: Sequence[float] | None = None
) -> tuple[Figure, list[Axes]]:
    """A figure with one row of ``ncols`` axes on a fixed GridSpec, no layout engine.

    The cells touch; each chart drawn on one keeps its own margins inside its
    cell.  Follow with :func:`align` to line the charts up::

        fig, (a1, a2) = grid(2, figsize=(11, 4.2), width_ratios=[1.25, 1])
        bar(..., ax=a1); barh(..., ax=a2); align(a1, a2)
    """
    import matplotlib.pyplot as plt

    ensure_style()
    fig = plt.figure(figsize=figsize, layout="none")
    gs = fig.add_gridspec(1, ncols, width_ratios=width_ratios)
    return fig, [fig.add_subplot(gs[0, i]) for i in range(ncols)]


def align(*axes: Axes, same_width: bool = False) -> None:
    """Line up charts drawn side by side: the same top and bottom margins.

    With ``same_width`` also the same left and right margins, so plots in
    cells of equal width get equal widths (small multiples).  Axes not
    placed by a chart (a layout engine, an explicit rectangle) are skipped.

    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from gonghui_kit.present.charts import bar
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
        place(ax, cell, left if same_width else l_, right if same_width else r_, bottom, top)


# ---------------------------------------------------------------- legend ----


def legend_loc(ax: Axes, series: list[tuple[list[float], list[float]]], names: list[str], labels: bool) -> str:
    """The corner (or side) of ``ax`` where a legend of ``names`` covers the fewest
    points of the lines (and their value labels), decided without rendering —
    matplotlib's ``loc="best"`` measures every text of the axes at draw time."""
    fw, fh = figure_pt(figure_of(ax))
    pos = ax.get_position()
    aw, ah = max(pos.width * fw, 1.0), max(pos.height * fh, 1.0)
    fs = font_pt(mpl.rcParams["legend.fontsize"])
    w = (max((text_box(n, fs)[0] for n in names), default=0.0) + 3.6 * fs) / aw
    h = (len(names) * 1.5 * fs + 0.3 * fs) / ah
    pad_x, pad_y = 0.5 * fs / aw, 0.5 * fs / ah
    lab_h = 16.0 / ah if labels else 0.0  # a value label above or below each point
    pts = []
    to_axes = ax.transLimits
    for xs, ys in series:
        xy = to_axes.transform(np.column_stack([xs, ys]))
        for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:], strict=True):
            t = np.linspace(0, 1, 12)[:-1]
            pts.append(np.column_stack([x0 + (x1 - x0) * t, y0 + (y1 - y0) * t]))
        pts.append(xy)
        if lab_h:
            pts.append(xy + [0, lab_h])
            pts.append(xy - [0, lab_h])
    allp = np.concatenate(pts) if pts else np.zeros((0, 2))
    boxes = {
        "upper right": (1 - pad_x - w, 1 - pad_y - h),
        "upper left": (pad_x, 1 - pad_y - h),
        "lower right": (1 - pad_x - w, pad_y),
        "lower left": (pad_x, pad_y),
        "center right": (1 - pad_x - w, 0.5 - h / 2),
        "center left": (pad_x, 0.5 - h / 2),
        "upper center": (0.5 - w / 2, 1 - pad_y - h),
        "lower center": (0.5 - w / 2, pad_y),
    }
    best, best_n = "upper right", None
    for loc, (x0, y0) in boxes.items():
        n = int(
            (
                (allp[:, 0] >= x0 - 0.02)
                & (allp[:, 0] <= x0 + w + 0.02)
                & (allp[:, 1] >= y0 - 0.03)
                & (allp[:, 1] <= y0 + h + 0.03)
            ).sum()
        )
        if best_n is None or n < best_n:
            best, best_n = loc, n
        if n == 0:
            break
    return best
