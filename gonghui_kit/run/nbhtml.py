"""Executed notebook → lean, self-contained HTML report.

nbconvert's stock templates pull require.js / MathJax / mermaid from CDNs and
inline ~300 KB of JupyterLab CSS.  The ``gonghui`` template
(``templates/nbconvert/gonghui``) emits outputs only — rendered markdown,
HTML tables, inline PNG charts, readable error boxes — with the shared
stylesheet ``templates/html/report.css`` inlined, and no external URL at all.

>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 2024年度工会工作报告")])
>>> page = notebook_to_html(nb)
>>> "<title>2024年度工会工作报告</title>" in page and 'lang="zh-CN"' in page
True
"""

from __future__ import annotations

import html as _html
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Set, Unicode, default

from gonghui_kit.resources import shipped_dir

__all__ = [
    "TEMPLATE_NAME",
    "templates_dir",
    "css_path",
    "report_css",
    "tables_js",
    "report_title",
    "ReportCleanPreprocessor",
    "ReportHTMLExporter",
    "html_exporter",
    "notebook_to_html",
]

TEMPLATE_NAME = "gonghui"


def templates_dir() -> Path:
    """``gonghui_kit/templates`` as a real directory."""
    return shipped_dir("templates")


def css_path() -> Path:
    """The shared stylesheet (reports, archive index, quality pages)."""
    return templates_dir() / "html" / "report.css"


def report_css() -> str:
    """Text of :func:`css_path`, to inline as ``<style>`` in other pages."""
    return css_path().read_text(encoding="utf-8")


def tables_js() -> str:
    """``templates/html/tables.js``: sort by a header click, filter rows by an
    ``<input data-filter=TABLE_ID>``.  Inlined (never linked) into pages that
    have such tables."""
    return (templates_dir() / "html" / "tables.js").read_text(encoding="utf-8")


def _needs_tables_js(html: str) -> bool:
    return "data-filter=" in html or ("<table" in html and "sortable" in html)


# ------------------------------------------------------------------ title ----

_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
_HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"[*_`~]+")


def _clean_title(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _MD_MARK.sub("", text)
    return " ".join(_html.unescape(text).split())


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def report_title(nb: Mapping[str, Any], resources: Mapping[str, Any] | None = None) -> str:
    """Page title: ``metadata.gonghui.title`` → ``metadata.title`` → first heading → name.

    The first heading is searched in markdown cells and in markdown / HTML
    outputs (reports often print their heading from code), skipping cells
    tagged ``remove``.
    """
    meta = nb.get("metadata", {}) or {}
    title = (meta.get("gonghui") or {}).get("title") or meta.get("title")
    if title:
        return _clean_title(str(title))
    for cell in nb.get("cells", []):
        if "remove" in (cell.get("metadata", {}) or {}).get("tags", []):
            continue
        if cell.get("cell_type") == "markdown":
            m = _MD_HEADING.search(_source(cell))
            if m and _clean_title(m.group(1)):
                return _clean_title(m.group(1))
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = out.get("data", {}) or {}
            md = data.get("text/markdown")
            if md:
                m = _MD_HEADING.search("".join(md) if isinstance(md, list) else md)
                if m and _clean_title(m.group(1)):
                    return _clean_title(m.group(1))
            h = data.get("text/html")
            if h:
                m = _HTML_HEADING.search("".join(h) if isinstance(h, list) else h)
                if m and _clean_title(m.group(1)):
                    return _clean_title(m.group(1))
    name = ((resources or {}).get("metadata") or {}).get("name")
    return str(name) if name else "报告"


# ----------------------------------------------------------- preprocessor ----

_DROP_MIMES = {
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
    "text/vnd.mermaid",
    "application/pdf",
}
# Bare reprs a forgotten ``;`` leaves behind: <Figure size 800x450 with 1 Axes>,
# <Axes: title={...}>, [<matplotlib.lines.Line2D at 0x...>], seaborn grids.
_REPR = re.compile(r"\s*\[?\s*(?:<(?:Figure size|Axes|AxesSubplot|matplotlib\.|seaborn\.)[^<>]*>\s*,?\s*)+\]?\s*")


class ReportCleanPreprocessor(Preprocessor):
    """Prepare an executed notebook for the reader.

    * drops cells tagged ``remove`` (and ``remove-cell`` / ``remove_cell``) and
      outputs of cells tagged ``remove-output`` / ``remove_output``;
    * drops stderr streams (warnings are for developers), bare matplotlib /
      seaborn reprs, JavaScript / widget / mermaid payloads;
    * merges consecutive stdout chunks; drops code cells left without output;
    * when an HTML output has a sortable table or a filter box, puts
      :func:`tables_js` in ``resources["gonghui_js"]`` for the template to
      inline (pages without one carry no script at all).
    Errors are kept — a failed report must show what failed.
    """

    remove_cell_tags = Set(Unicode(), default_value={"remove", "remove-cell", "remove_cell"}).tag(config=True)
    remove_output_tags = Set(Unicode(), default_value={"remove-output", "remove_output"}).tag(config=True)

    def preprocess(self, nb, resources):
        cells = []
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & self.remove_cell_tags:
                continue
            if cell.cell_type == "code":
                outputs = [] if tags & self.remove_output_tags else self._clean(cell.get("outputs", []))
                if not outputs:
                    continue
                cell.outputs = outputs
            cells.append(cell)
        nb.cells = cells
        from gonghui_kit import __version__

        resources["gonghui_version"] = __version__
        if any(
            _needs_tables_js(_text(out.get("data", {}).get("text/html", "")))
            for cell in cells
            if cell.cell_type == "code"
            for out in cell.outputs
        ):
            resources["gonghui_js"] = tables_js()
        return nb, resources

    @staticmethod
    def _clean(outputs: list) -> list:
        kept: list = []
        for out in outputs:
            kind = out.get("output_type")
            if kind == "stream":
                text = out.get("text", "")
                text = "".join(text) if isinstance(text, list) else text
                if out.get("name") != "stdout" or not text.strip():
                    continue
                prev = kept[-1] if kept else None
                if prev is not None and prev.get("output_type") == "stream":
                    prev["text"] = prev["text"] + text
                else:
                    out["text"] = text
                    kept.append(out)
            elif kind in ("display_data", "execute_result"):
                data = {k: v for k, v in out.get("data", {}).items() if k not in _DROP_MIMES}
                if set(data) == {"text/plain"}:
                    plain = data["text/plain"]
                    plain = "".join(plain) if isinstance(plain, list) else plain
                    if not plain.strip() or _REPR.fullmatch(plain):
                        continue
                if not data:
                    continue
                out["data"] = data
                kept.append(out)
            elif kind == "error":
                kept.append(out)
        return kept


def _text(v: Any) -> str:
    return "".join(v) if isinstance(v, list) else str(v or "")


# --------------------------------------------------------------- exporter ----


class ReportHTMLExporter(HTMLExporter):
    """:class:`nbconvert.HTMLExporter` preset for the ``gonghui`` template.

    Outputs only (no input, no prompts, no heading anchor links), markdown
    images embedded as data URIs, ``report.css`` inlined.  Any trait can still
    be overridden with keyword arguments or a traitlets ``Config``.
    """

    export_from_notebook = "工会报告（HTML）"

    @default("template_name")
    def _default_template_name(self) -> str:
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _default_basedirs(self) -> list[str]:
        return [os.fspath(templates_dir() / "nbconvert")]

    @default("extra_template_paths")
    def _default_paths(self) -> list[str]:
        return [os.fspath(templates_dir() / "html")]

    @default("exclude_input")
    def _default_exclude_input(self) -> bool:
        return True

    @default("exclude_input_prompt")
    def _default_exclude_input_prompt(self) -> bool:
        return True

    @default("exclude_output_prompt")
    def _default_exclude_output_prompt(self) -> bool:
        return True

    @default("exclude_anchor_links")
    def _default_exclude_anchor_links(self) -> bool:
        return True

    @default("embed_images")
    def _default_embed_images(self) -> bool:
        return True

    @default("language_code")
    def _default_language_code(self) -> str:
        return "zh"

    @default("optimistic_validation")
    def _default_optimistic_validation(self) -> bool:
        # validate once after all preprocessors, not after each of the
        # twelve (about 10 ms a report)
        return True

    def default_filters(self):
        yield from super().default_filters()
        yield ("report_title", report_title)

    def from_notebook_node(self, nb, resources=None, **kw):
        """As :class:`HTMLExporter`, without its BeautifulSoup post-pass.

        nbconvert re-parses the whole page to add ``alt`` text to images that
        lack it and ``tabindex`` to JupyterLab's cell wrappers.  The
        ``gonghui`` template writes ``alt`` on every output image itself and
        has no JupyterLab wrappers, so the pass changed nothing but cost
        three quarters of the conversion time (pages carry their charts
        inline).  Images in markdown or HTML that still lack ``alt`` get an
        empty one here, so the page stays valid for screen readers.
        """
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter(
            "highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        )
        resources = self._init_resources(resources)
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
        )
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _IMG_TAG.sub(_with_alt, page), resources


_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_HAS_ALT = re.compile(r"\salt\s*=", re.IGNORECASE)


def _without_src(tag: str) -> str:
    """The tag minus its ``src`` value (an inline chart is ~50 KB of base64
    that need not be scanned for attributes)."""
    i = tag.find("src=")
    if i >= 0 and tag[i + 4 : i + 5] in ('"', "'"):
        j = tag.find(tag[i + 4], i + 5)
        if j > 0:
            return tag[:i] + tag[j + 1 :]
    return tag


def _with_alt(m: re.Match) -> str:
    """``<img ...>`` with an empty ``alt`` added when it has none.

    >>> _IMG_TAG.sub(_with_alt, '<p><img src="a.png"><img src="b.png" alt="图"/></p>')
    '<p><img src="a.png" alt=""><img src="b.png" alt="图"/></p>'
    """
    tag = m.group(0)
    if _HAS_ALT.search(_without_src(tag)):
        return tag
    end = -2 if tag.endswith("/>") else -1
    return tag[:end].rstrip() + ' alt=""' + tag[end:]


def html_exporter(**traits: Any) -> ReportHTMLExporter:
    """A new, reusable exporter for the ``gonghui`` template.

    ``traits`` override any exporter setting, e.g. ``embed_images=False``.
    Reuse one instance for many notebooks (the template compiles once); use
    one instance per thread.
    """
    return ReportHTMLExporter(**traits)


_local = threading.local()


def _cached_exporter() -> ReportHTMLExporter:
    exp = getattr(_local, "exporter", None)
    if exp is None:
        exp = _local.exporter = html_exporter()
    return exp


def notebook_to_html(
    nb: nbformat.NotebookNode | Mapping[str, Any] | str | os.PathLike[str],
    *,
    resources: dict[str, Any] | None = None,
) -> str:
    """Render a notebook (node, dict or ``.ipynb`` path) to a standalone HTML page.

    For a path, markdown images are resolved relative to the notebook's
    directory and the file name is the last-resort title.
    """
    if isinstance(nb, (str, os.PathLike)):
        path = Path(nb)
        node = nbformat.read(path, as_version=4)
        resources = {"metadata": {"path": os.fspath(path.parent), "name": path.stem}, **(resources or {})}
    elif isinstance(nb, nbformat.NotebookNode):
        node = nb
    else:
        node = nbformat.from_dict(dict(nb))
    body, _ = _cached_exporter().from_notebook_node(node, resources=resources)
    return body
