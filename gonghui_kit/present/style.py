"""The house style of the report charts: palette, figure size, rcParams, font.

The style (:func:`set_style`) is applied when this module is imported (so
figures made with ``plt.subplots`` right after importing the charts get it
too) and re-applied by any chart call that finds it undone (e.g. by a later
``sns.set_theme()``, see :func:`ensure_style`).  It puts the bundled CJK font
(:mod:`gonghui_kit.present.fonts`) after seaborn's ``whitegrid`` theme, because
``sns.set_theme`` resets the font list.  The house style does not turn
constrained layout on: the charts place their axes themselves
(:mod:`gonghui_kit.present.layout`).

The colours are shared by the image charts (:mod:`gonghui_kit.present.charts`)
and the HTML ones (:mod:`gonghui_kit.present.htmlcharts`).
"""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
from matplotlib.colors import to_rgb
from matplotlib.patheffects import withStroke

from gonghui_kit.present.fonts import FAMILY, register_fonts

__all__ = [
    "UNION_RED",
    "NAVY",
    "GREY",
    "PALETTE",
    "TEXT",
    "MUTED",
    "RANK_COLORS",
    "FIGSIZE",
    "DPI",
    "HALO",
    "set_style",
    "ensure_style",
    "luminance",
    "label_color",
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
#: Standard figure size (inches) at :data:`DPI` → 800 × 450 px.
FIGSIZE = (8.0, 4.5)
DPI = 100
#: Rank colour scale, light (worst) → deep red (best), for the HTML heatmap.
RANK_COLORS = ["#FBF0EE", "#F2C4BC", "#DE7F72", "#B22222", "#7A1212"]

#: White outline that keeps value labels readable over lines and grid.
HALO = [withStroke(linewidth=3, foreground="white")]

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


def ensure_style() -> None:
    """Re-apply the house style if something (``sns.set_theme()``) undid it."""
    rc = mpl.rcParams
    if rc["font.sans-serif"][:1] != [FAMILY] or rc["axes.unicode_minus"]:
        set_style()
    else:
        register_fonts()  # cheap; survives a rebuilt fontManager


# --------------------------------------------------------------- colours ----


def luminance(color: Any) -> float:
    """Relative luminance (0 black … 1 white) of a matplotlib colour, to pick
    a readable text colour on it.

    >>> luminance("white"), luminance("#000000")
    (1.0, 0.0)
    >>> round(luminance(UNION_RED), 3), round(luminance(RANK_COLORS[0]), 3)
    (0.253, 0.95)
    """
    r, g, b = to_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def label_color(bg: Any) -> str:
    """Text colour for a label drawn on ``bg``: white on dark, :data:`TEXT` on light.

    >>> label_color(UNION_RED), label_color(RANK_COLORS[0])
    ('white', '#333333')
    """
    return "white" if luminance(bg) < 0.5 else TEXT


# Style on import: report code typically imports the charts (which import this module) and
# then calls ``plt.subplots(...)`` before the first chart call.
set_style()
