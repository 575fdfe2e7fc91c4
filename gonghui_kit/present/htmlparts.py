"""Generic HTML for the report pages: escaped tables, the narrative's small
Markdown, and showing HTML and figures in a notebook.

Nothing here knows about units or indicators; :mod:`gonghui_kit.present.report`
and :mod:`gonghui_kit.present.compare_report` build their sections with it.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from gonghui_kit.present.fmt import (
    html_text as _e,
)

__all__ = ["html_table", "md_to_html", "display_html", "show_figures"]


def html_table(
    df: pd.DataFrame,
    *,
    table_id: str | None = None,
    sortable: bool = False,
    numeric: Sequence[str] = (),
    caption: str | None = None,
    values: dict[str, Sequence[Any]] | None = None,
    links: dict[str, Sequence[str | None]] | None = None,
) -> str:
    """A DataFrame (already formatted as text) as an escaped HTML table.

    ``values`` gives the raw numbers of a column (``data-value``, what a
    click on the header sorts by: "2.38万元" must sort after "9,031元");
    ``links`` gives a relative URL per row for a column's cells.

    >>> head = '<div class="gh-scroll"><table class="data"><thead><tr><th>单位</th><th class="num">值</th></tr></thead>'
    >>> html_table(pd.DataFrame({"单位": ["<b>甲</b>"], "值": ["1"]}), numeric=["值"]) == head + (
    ...     '<tbody><tr><td>&lt;b&gt;甲&lt;/b&gt;</td><td class="num">1</td></tr></tbody></table></div>'
    ... )
    True
    >>> html_table(pd.DataFrame({"单位": ["甲"], "值": ["1.2万元"]}), numeric=["值"], values={"值": [12000.0]},
    ...            links={"单位": ["units/%E7%94%B2.html"]}) == head + (
    ...     '<tbody><tr><td><a href="units/%E7%94%B2.html">甲</a></td>'
    ...     '<td class="num" data-value="12000.0">1.2万元</td></tr></tbody></table></div>'
    ... )
    True
    """
    values, links = values or {}, links or {}
    cls = "data sortable" if sortable else "data"
    tid = f' id="{_e(table_id)}"' if table_id else ""
    head = "".join(
        f'<th class="{"sortable " if sortable else ""}num">{_e(c)}</th>'
        if c in numeric
        else (f'<th class="sortable">{_e(c)}</th>' if sortable else f"<th>{_e(c)}</th>")
        for c in df.columns
    )

    def cell(c: str, i: int, v: Any) -> str:
        attrs = ' class="num"' if c in numeric else ""
        if c in values:
            raw = values[c][i]
            if raw is not None and not (isinstance(raw, float) and np.isnan(raw)):
                attrs += f' data-value="{_e(float(raw))}"'
        text = _e(v)
        url = links[c][i] if c in links else None
        return f'<td{attrs}><a href="{_e(url)}">{text}</a></td>' if url else f"<td{attrs}>{text}</td>"

    body = [
        "<tr>" + "".join(cell(c, i, v) for c, v in zip(df.columns, row, strict=False)) + "</tr>"
        for i, row in enumerate(df.itertuples(index=False))
    ]
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return (
        f'<div class="gh-scroll"><table class="{cls}"{tid}>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def md_to_html(md: str) -> str:
    """The small Markdown the narrative uses (headings, paragraphs, lists,
    **bold**) → HTML, escaping everything else: unit names and titles from
    ledgers stay text.

    >>> md_to_html("# 标题\\n\\n段落<script>\\n\\n- 一\\n- **二**\\n\\n---\\n> 说明")
    '<h1>标题</h1>\\n<p>段落&lt;script&gt;</p>\\n<ul><li>一</li><li><strong>二</strong></li></ul>\\n<hr>\\n<blockquote>说明</blockquote>'
    """
    import re

    def inline(s: str) -> str:
        s = _e(s)
        return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)

    out: list[str] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            out.append(f"<p>{inline(''.join(para))}</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in md.splitlines():
        s = line.strip()
        if not s:
            flush()
        elif s in ("---", "***", "___"):
            flush()
            out.append("<hr>")
        elif s.startswith(">"):
            flush()
            out.append(f"<blockquote>{inline(s.lstrip('>').strip())}</blockquote>")
        elif s.startswith("#"):
            flush()
            level = min(len(s) - len(s.lstrip("#")), 6)
            out.append(f"<h{level}>{inline(s[level:].strip())}</h{level}>")
        elif s.startswith(("- ", "* ")) or (len(s) > 2 and s[0].isdigit() and s[1:3] in (". ", "、")):
            if para:
                flush()
            items.append(s[2:].strip() if s[0] in "-*" else s[s.index(s[1:3]) + 2 :].strip())
        else:
            if items:
                flush()
            para.append(s)
    flush()
    return "\n".join(out)


def display_html(s: str):
    """``s`` as an ``IPython.display.HTML`` object (what a notebook cell shows as markup)."""
    from IPython.display import HTML

    return HTML(s)


def show_figures(*figs) -> None:
    """Display figures as PNG now and close them.

    Saved once at their own fixed size and fixed layout (IPython's default
    figure formatter uses ``bbox_inches='tight'``, which draws every figure
    twice), and closed so pyplot's interactive redraw after the cell has
    nothing left to draw and nothing accumulates from one chart to the next.
    """
    from IPython.display import Image, display

    from gonghui_kit.present.charts import figure_to_png

    for fig in figs:
        display(Image(data=figure_to_png(fig), format="png"))
