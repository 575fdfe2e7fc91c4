"""Figures as PNG: bytes saved once at the figure's own size, or an inline ``<img>``.

Re-exported by :mod:`gonghui_kit.present.charts` (``charts.figure_to_png`` …).
"""

from __future__ import annotations

import base64
import html
import io

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gonghui_kit.present.layout import figure_of
from gonghui_kit.present.style import DPI

__all__ = ["PNG_KW", "figure_to_png", "figure_to_img_tag"]

#: PNG settings: zlib level 3 encodes about twice as fast as the default 6
#: for files a few percent larger (charts are flat colours and text).
PNG_KW = {"compress_level": 3}


def figure_to_png(fig: Figure | Axes, *, dpi: float | None = None, close: bool = True) -> bytes:
    """The figure as PNG bytes at its own size (drawn once), closed unless ``close=False``."""
    if isinstance(fig, Axes):
        fig = figure_of(fig, root=True)
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
        fig = figure_of(fig, root=True)
    w_in, h_in = fig.get_size_inches()
    data = base64.b64encode(figure_to_png(fig, dpi=dpi)).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(str(alt), quote=True)}" '
        f'width="{round(w_in * DPI)}" height="{round(h_in * DPI)}" loading="lazy">'
    )
