"""The lean ``gonghui`` nbconvert template: self-contained, outputs only, small."""

from __future__ import annotations

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from gonghui_kit.run.nbhtml import (
    css_path,
    html_exporter,
    notebook_to_html,
    report_css,
    report_title,
)

SOURCE_MARKER = "SECRET_SOURCE_CODE_42"


def _png() -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


PNG = _png()
TABLE = (
    '<table border="1" class="dataframe"><thead><tr><th>单位</th><th>会员数</th></tr></thead>'
    "<tbody><tr><td>甲工会</td><td>1,860</td></tr></tbody></table>"
)


def _notebook(title: str | None = "2024年度工会工作报告（甲工会）") -> nbformat.NotebookNode:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# 甲工会 2024 年度报告\n\n会员 **1,860** 人。"),
            new_code_cell(
                f"{SOURCE_MARKER} = 1\ndisplay(df)",
                execution_count=1,
                outputs=[
                    new_output("stream", name="stdout", text="共 2 个单位\n"),
                    new_output("stream", name="stderr", text="FutureWarning: STDERR_NOISE\n"),
                    new_output("display_data", data={"text/html": TABLE, "text/plain": "df"}),
                    new_output(
                        "display_data", data={"image/png": PNG, "text/plain": "<Figure size 200x100 with 1 Axes>"}
                    ),
                    new_output(
                        "execute_result", execution_count=1, data={"text/plain": "<Axes: title={'left': '图'}>"}
                    ),
                    new_output(
                        "display_data", data={"application/javascript": "alert(1)", "text/plain": "JS_FALLBACK_TEXT"}
                    ),
                ],
            ),
            new_markdown_cell("## 经费收支", metadata={"tags": ["section"]}),
            new_code_cell(
                "hidden()",
                metadata={"tags": ["remove"]},
                outputs=[new_output("stream", name="stdout", text="HIDDEN_OUTPUT")],
            ),
            new_code_cell("silent = 1", outputs=[]),
            new_code_cell(
                "1/0",
                outputs=[
                    new_output(
                        "error",
                        ename="ZeroDivisionError",
                        evalue="division by zero",
                        traceback=[
                            "\x1b[0;31m----------\x1b[0m",
                            "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
                        ],
                    )
                ],
            ),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if title:
        nb.metadata["gonghui"] = {"title": title}
    return nb


@pytest.fixture(scope="module")
def page() -> str:
    return notebook_to_html(_notebook())


def test_self_contained(page):
    assert "<script" not in page
    assert "<link" not in page
    assert "http://" not in page and "https://" not in page
    assert "mathjax" not in page.lower() and "require.js" not in page


def test_head(page):
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert '<html lang="zh-CN">' in page
    assert re.search(r'<meta charset="utf-8"\s*/?>', page)
    assert (
        re.search(r'<meta content="width=device-width, initial-scale=1" name="viewport"\s*/?>', page)
        or 'name="viewport" content="width=device-width, initial-scale=1"' in page
    )
    assert "<title>2024年度工会工作报告（甲工会）</title>" in page
    assert "Microsoft YaHei" in page and "@page" in page  # report.css inlined


def test_outputs_only(page):
    assert SOURCE_MARKER not in page  # no code
    assert "In&nbsp;[" not in page and "Out[" not in page  # no prompts
    assert "anchor-link" not in page and "¶" not in page
    assert "STDERR_NOISE" not in page
    assert "HIDDEN_OUTPUT" not in page  # cell tagged remove
    assert "<Figure size" not in page and "&lt;Figure size" not in page
    assert "&lt;Axes:" not in page
    assert "JS_FALLBACK_TEXT" in page  # JS dropped, text fallback shown
    assert "<h1>甲工会 2024 年度报告</h1>" in page
    assert "<strong>1,860</strong>" in page
    assert "共 2 个单位" in page
    assert '<div class="gh-html gh-scroll">' in page and "甲工会</td>" in page
    assert 'class="gh-cell gh-md gh-section"' in page


def test_png_embedded(page):
    assert f"data:image/png;base64,{PNG}" in page
    tags = re.findall(r"<img\b[^>]*>", page)
    assert tags and all('alt="图表"' in t and 'src="data:image/png;base64,' in t for t in tags)


def test_error_box_without_ansi(page):
    assert 'class="gh-error"' in page
    assert "ZeroDivisionError" in page and "division by zero" in page
    assert "\x1b" not in page and "[0;31m" not in page


def test_small(page):
    without_image = page.replace(PNG, "")
    assert len(without_image.encode("utf-8")) < 40_000
    assert len(report_css().encode("utf-8")) < 20_000
    assert css_path().name == "report.css"


def test_title_fallbacks():
    nb = _notebook(title=None)
    assert report_title(nb) == "甲工会 2024 年度报告"
    assert "<title>甲工会 2024 年度报告</title>" in notebook_to_html(nb)
    empty = new_notebook()
    assert report_title(empty, {"metadata": {"name": "单位报告"}}) == "单位报告"
    assert report_title(empty) == "报告"
    from_output = new_notebook(
        cells=[
            new_code_cell("x", outputs=[new_output("display_data", data={"text/markdown": "## 从代码输出的 *标题*"})])
        ]
    )
    assert report_title(from_output) == "从代码输出的 标题"


def test_exporter_is_configured_and_reusable(tmp_path):
    exp = html_exporter()
    assert exp.exclude_input and exp.exclude_input_prompt and exp.exclude_output_prompt
    assert exp.exclude_anchor_links and exp.embed_images
    assert exp.template_name == "gonghui"
    first, _ = exp.from_notebook_node(_notebook("一"))
    second, _ = exp.from_notebook_node(_notebook("二"))
    assert "<title>一</title>" in first and "<title>二</title>" in second
    path = tmp_path / "单位报告.ipynb"
    nbformat.write(_notebook(title=None), path)
    assert "<title>甲工会 2024 年度报告</title>" in notebook_to_html(path)


def test_markdown_image_embedded(tmp_path):
    (tmp_path / "logo.png").write_bytes(base64.b64decode(PNG))
    nb = new_notebook(cells=[new_markdown_cell("![会徽](logo.png)")])
    path = tmp_path / "r.ipynb"
    nbformat.write(nb, path)
    page = notebook_to_html(path)
    assert "data:image/png;base64," in page and 'src="logo.png"' not in page


def test_every_image_has_alt_text():
    """nbconvert's BeautifulSoup pass is skipped; images written by hand in
    markdown or HTML outputs still get an (empty) alt, and existing alt text
    is kept."""
    html_out = new_output("display_data", data={"text/html": '<p>徽标<img src="x.png"></p>', "text/plain": "x"})
    nb = new_notebook(
        cells=[new_markdown_cell('<img src="a.png" />\n\n![会徽](b.png)'), new_code_cell("x", outputs=[html_out])]
    )
    page = notebook_to_html(nb)
    tags = re.findall(r"<img\b[^>]*>", page)
    assert len(tags) == 3
    assert all(re.search(r'\salt="', t) for t in tags), tags
    assert any('alt="会徽"' in t for t in tags)
