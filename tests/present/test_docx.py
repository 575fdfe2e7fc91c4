"""present/docx.py: the 工作总结 as a GB/T 9704-style Word document."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from analysis.test_narrative import IND, REG, UNIT

from gonghui_kit.analysis.narrative import draft_summary
from gonghui_kit.present.docx import summary_docx

docx = pytest.importorskip("docx")
from docx.shared import Pt


@pytest.fixture(scope="module")
def text():
    return draft_summary(UNIT, 2023, IND, registry=REG)


@pytest.fixture(scope="module")
def written(tmp_path_factory, text):
    p = summary_docx(
        text + "\n> 说明：本初稿根据台账自动生成。\n",
        tmp_path_factory.mktemp("d") / "总结（初稿）.docx",
        signature=UNIT,
        date=dt.date(2025, 1, 9),
    )
    return p, docx.Document(str(p))


def xml(p, part="word/document.xml") -> str:
    with zipfile.ZipFile(p) as z:
        return z.read(part).decode("utf-8")


def test_summary_docx(tmp_path, text):
    from docx import Document

    p = summary_docx(text, tmp_path / "总结.docx")
    assert p.exists() and not list(tmp_path.glob("*.part"))
    doc = Document(str(p))
    paras = [x.text for x in doc.paragraphs if x.text.strip()]
    assert paras[0] == "甲分工会2023年度工作总结" and p.name == "总结.docx"
    assert (
        "一、夯实组织基础，会员队伍不断壮大" in paras
        and "七、存在的问题与下一步打算" in paras
        and "（一）存在的问题" in paras
    )
    assert not any(x.startswith("#") for x in paras)
    body = next(x for x in doc.paragraphs if x.text.startswith("坚持以职工需求为导向"))
    assert (body.paragraph_format.first_line_indent or body.style.paragraph_format.first_line_indent).pt == 32
    assert "6,613人次" in body.text


def test_page_a4_and_margins(written):
    _p, d = written
    s = d.sections[0]
    mm = lambda x: round(x.mm, 1)
    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)  # A4, not US Letter
    assert (mm(s.top_margin), mm(s.bottom_margin), mm(s.left_margin), mm(s.right_margin)) == (37, 35, 28, 26)
    # 28 characters of 三号 fit the text area
    assert abs((s.page_width - s.left_margin - s.right_margin) / Pt(16) - 28) < 0.5


def test_title_headings_body_styles(written):
    _p, d = written
    paras = [x for x in d.paragraphs if x.text.strip()]
    title = paras[0]
    assert title.style.name == "Title" and title.text == "甲分工会2023年度工作总结"
    st = d.styles["Title"]
    assert st.font.size == Pt(22) and st.font.bold is False
    assert st.element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia")) == "方正小标宋简体"
    assert d.paragraphs[1].text == ""  # a blank line after the title
    h1 = [x for x in paras if x.style.name == "Heading 1"]
    h2 = [x for x in paras if x.style.name == "Heading 2"]
    assert h1[0].text == "一、夯实组织基础，会员队伍不断壮大" and h2[0].text == "（一）存在的问题"
    for name, font in (("Heading 1", "黑体"), ("Heading 2", "楷体_GB2312"), ("Normal", "仿宋_GB2312")):
        s = d.styles[name]
        rf = s.element.rPr.rFonts
        assert rf.get(docx.oxml.ns.qn("w:eastAsia")) == font
        assert rf.get(docx.oxml.ns.qn("w:ascii")) == "Times New Roman"  # Arabic numerals
        assert not any(k.endswith("Theme") for k in rf.attrib)
        assert s.font.size == Pt(16) and not s.font.bold
    assert d.styles["Normal"].paragraph_format.line_spacing == Pt(28)
    # the body carries no direct formatting: styles do it
    body = next(x for x in paras if x.text.startswith("坚持以职工需求为导向"))
    assert body.style.name == "Normal" and all(r.font.name is None for r in body.runs)


def test_language_page_numbers_signature(written):
    p, d = written
    styles = xml(p, "word/styles.xml")
    assert 'w:eastAsia="zh-CN"' in styles and 'w:val="zh-CN"' in styles and "en-US" not in styles
    assert d.core_properties.language == "zh-CN"
    foot = d.sections[0].footer
    fx = foot._element.xml
    assert "PAGE" in fx and "— " in foot.paragraphs[0].text and " —" in foot.paragraphs[0].text
    assert 'w:eastAsia="宋体"' in fx and 'w:val="28"' in fx  # 宋体 四号 (14 pt = 28 half-points)
    assert d.settings.odd_and_even_pages_header_footer and "PAGE" in d.sections[0].even_page_footer._element.xml
    paras = [x.text for x in d.paragraphs if x.text.strip()]
    assert paras[-2:] == [UNIT, "2025年1月9日"]
    doc = xml(p)
    assert "初稿" not in doc and "说明" not in doc and "自动生成" not in doc
