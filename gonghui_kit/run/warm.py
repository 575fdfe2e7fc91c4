"""Warm-up: do once, in a parent process, everything every report needs.

Reports run in fresh child processes forked from a warm parent (see
:mod:`gonghui_kit.run.execute`): the parent imports pandas, matplotlib,
seaborn, nbconvert, gonghui_kit and the fonts, compiles the templates and
prepares a pristine shell (:mod:`gonghui_kit.run.shell`) once; each child
starts from that state and nothing carries over from one unit to the next.
"""

from __future__ import annotations

import os

from gonghui_kit.run import shell
from gonghui_kit.run.pm_engine import ensure_registered

__all__ = ["warm_up"]

_WARM = False


def warm_up() -> None:
    """Do once, in the parent, everything every report needs: imports,
    fonts, the chart style, the HTML exporter and its templates, a pristine
    shell.  Children forked afterwards get all of it for free.  Calling it
    again only replaces a pristine shell that was used (a Dask worker calls
    it before every job)."""
    global _WARM
    if _WARM:
        shell.prepare_pristine()
        return
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import matplotlib

    matplotlib.use("module://matplotlib_inline.backend_inline")
    # what every report child would otherwise import on its own: IPython's
    # debugger base and logger (first cell run), the memory probes and the
    # codec /proc is read with (execute.JobResult)
    import bdb  # noqa: F401 - imported once in the warm parent so forked children inherit it
    import encodings.ascii  # noqa: F401 - imported once in the warm parent so forked children inherit it

    import IPython.core.logger  # noqa: F401 - imported once in the warm parent so forked children inherit it
    import matplotlib.pyplot  # noqa: F401 - imported once in the warm parent so forked children inherit it
    import nbformat  # noqa: F401 - imported once in the warm parent so forked children inherit it
    import numpy  # noqa: F401 - imported once in the warm parent so forked children inherit it
    import pandas  # noqa: F401 - imported once in the warm parent so forked children inherit it
    import papermill  # noqa: F401 - imported once in the warm parent so forked children inherit it
    import seaborn  # noqa: F401 - imported once in the warm parent so forked children inherit it

    try:
        import resource  # noqa: F401 - imported once in the warm parent so forked children inherit it
    except ImportError:  # Windows
        pass

    from gonghui_kit import api  # noqa: F401 - what the report notebooks import (gh.load)
    from gonghui_kit.analysis import (
        bundle,  # noqa: F401 - imported once in the warm parent so forked children inherit it
        compare,  # noqa: F401 - imported once in the warm parent so forked children inherit it
        highlights,  # noqa: F401 - imported once in the warm parent so forked children inherit it
        indicators,  # noqa: F401 - imported once in the warm parent so forked children inherit it
        narrative,  # noqa: F401 - imported once in the warm parent so forked children inherit it
    )
    from gonghui_kit.present import (
        charts,  # noqa: F401 - imported once in the warm parent so forked children inherit it
        fonts,  # noqa: F401 - imported once in the warm parent so forked children inherit it
        report,  # noqa: F401 - imported once in the warm parent so forked children inherit it
    )
    from gonghui_kit.run import nbhtml as html  # noqa: F401 - imported once in the warm parent so forked children inherit it

    ensure_registered()
    fonts.register_fonts()
    charts.set_style()
    # compile the HTML templates once (about 0.2 s a child would otherwise pay)
    html.notebook_to_html(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 预热")]))
    # load the font's glyphs and Agg's caches with one small Chinese chart
    import pandas as pd

    ax = charts.bar(
        pd.DataFrame({"月份": ["01", "02"], "场次": [1, 2]}), x="月份", y="场次", title="预热图表：工会活动"
    )
    charts.figure_to_png(ax.figure)
    html.html_exporter()  # templates compiled and cached
    narrative.precompile_templates()  # the 工作总结 templates, ~40 ms a report otherwise
    shell.prepare_pristine()
    _WARM = True
