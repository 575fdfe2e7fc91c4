"""The 工作总结 as a Word file laid out like an official document (GB/T 9704-2012).

``summary_docx(markdown, path, signature=…, date=…)`` writes the draft of
:mod:`gonghui_kit.analysis.narrative` so that a union secretary can hand it in
after filling in the 【】 places:

* A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right (a 156 × 225 mm
  text area: 28 characters × 22 lines of 三号);
* title (``# ``) in 方正小标宋简体 二号, centred, not bold, a blank line after;
* body in 仿宋_GB2312 三号, lines of exactly 28 pt, first line indented two
  characters; Arabic numerals and Latin letters in Times New Roman;
* ``## 一、`` → style “Heading 1” in 黑体, ``### （一）`` → “Heading 2” in
  楷体_GB2312, neither bold: real heading styles, so Word's navigation pane
  lists them;
* page numbers “— 1 —” in 宋体 四号 at the foot, odd pages right and even
  pages left, one character in from the edge;
* the 落款 (unit name) and the date (``2025年1月9日``) at the end;
* language zh-CN everywhere.

Nothing about the tool or “初稿” goes into the document (say 初稿 in the
file name); a ``> `` note or a ``---`` rule in the Markdown is left out.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

__all__ = ["FONT_BODY", "FONT_H1", "FONT_H2", "FONT_LATIN", "FONT_PAGE", "FONT_TITLE", "cn_date", "summary_docx"]

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_LATIN = "Times New Roman"
FONT_PAGE = "宋体"
SIZE_TITLE, SIZE_BODY, SIZE_PAGE = 22, 16, 14  # 二号, 三号, 四号 in points
LINE = 28  # points: 22 lines on the text area
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LANG = "zh-CN"


def cn_date(d: dt.date) -> str:
    """A 成文日期 as official documents write it (Arabic numerals, no leading zeros).

    >>> cn_date(dt.date(2025, 1, 9))
    '2025年1月9日'
    """
    return f"{d.year}年{d.month}月{d.day}日"


def _fonts(rpr_owner, east_asia: str, size_pt: float | None = None, *, latin: str = FONT_LATIN) -> None:
    """Set east-Asian and Latin fonts (dropping theme fonts), size, no bold/italic, black, zh-CN."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = rpr_owner.font
    font.name = latin
    if size_pt:
        font.size = Pt(size_pt)
    font.bold = False
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    el = rpr_owner.element if hasattr(rpr_owner, "element") else rpr_owner._element
    rpr = el.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme"):
            del rfonts.attrib[attr]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    _lang(rpr)


def _lang(rpr) -> None:
    from docx.oxml.ns import qn

    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia"):
        lang.set(qn(attr), LANG)


def _para_format(style_or_par, *, indent_chars: float = 2, align=None) -> None:
    from docx.shared import Pt

    pf = style_or_par.paragraph_format
    pf.line_spacing = Pt(LINE)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.first_line_indent = Pt(SIZE_BODY * indent_chars) if indent_chars else Pt(0)
    if align is not None:
        pf.alignment = align


def _setup_styles(doc) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    # document defaults: zh-CN and the body fonts
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _lang(rpr_default)
    normal = doc.styles["Normal"]
    _fonts(normal, FONT_BODY, SIZE_BODY)
    _para_format(normal)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.widow_control = False
    for name, font in (("Title", FONT_TITLE), ("Heading 1", FONT_H1), ("Heading 2", FONT_H2)):
        st = doc.styles[name]
        _fonts(st, font, SIZE_TITLE if name == "Title" else SIZE_BODY)
        _para_format(st, indent_chars=0 if name == "Title" else 2)
        st.paragraph_format.keep_with_next = True
        if name == "Title":
            st.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _no_border(st)


def _no_border(style) -> None:
    """The default template's Title has a bottom border; an official document's title has none."""
    from docx.oxml.ns import qn

    ppr = style.element.find(qn("w:pPr"))
    if ppr is not None:
        for b in ppr.findall(qn("w:pBdr")):
            ppr.remove(b)


def _page(section) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(20)


def _page_number(footer, *, odd: bool) -> None:
    """“— 1 —” in 宋体 四号: a PAGE field between em dashes, odd pages right, even left."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    pf = p.paragraph_format
    pf.first_line_indent = Pt(0)
    pf.line_spacing = 1.0
    if odd:
        pf.right_indent = Pt(SIZE_PAGE)
    else:
        pf.left_indent = Pt(SIZE_PAGE)

    def run(text: str = ""):
        r = p.add_run(text)
        _fonts(r, FONT_PAGE, SIZE_PAGE, latin=FONT_PAGE)
        return r

    run("— ")
    for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            r._r.append(fc)
        elif instr.strip() == "PAGE":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = instr
            r._r.append(it)
        else:
            r.text = instr
    run(" —")


def summary_docx(markdown: str, path: str | Path, *, signature: str | None = None, date: dt.date | None = None) -> Path:
    """Write the Markdown draft as a GB/T 9704-style Word document, atomically
    (see module doc).  ``signature``: the 落款 (default: none); ``date``: the
    成文日期 (default: today)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from gonghui_kit.atomic import write_bytes

    doc = Document()
    _setup_styles(doc)
    sec = doc.sections[0]
    _page(sec)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(sec.footer, odd=True)
    _page_number(sec.even_page_footer, odd=False)
    title = ""
    for line in markdown.splitlines():
        s = line.strip()
        if not s or s == "---" or s.startswith("> "):
            continue
        if s.startswith("# "):
            title = re.sub(r"[（(]初稿[）)]", "", s[2:]).strip()
            doc.add_paragraph(title, style="Title")
            doc.add_paragraph()  # a blank line after the title
        elif s.startswith("## "):
            doc.add_paragraph(s[3:].strip(), style="Heading 1")
        elif s.startswith("### "):
            doc.add_paragraph(s[4:].strip(), style="Heading 2")
        elif s.startswith(("- ", "* ")):
            doc.add_paragraph(s[2:].strip())
        else:
            doc.add_paragraph(s.replace("**", ""))
    when = cn_date(date or dt.date.today())
    if signature:
        doc.add_paragraph()
        p = doc.add_paragraph(signature)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.right_indent = Pt(SIZE_BODY * 2)
        # the date centred under the 署名 (digits are half as wide as characters)
        width = lambda t: sum(0.5 if c.isdigit() else 1 for c in t)
        d = doc.add_paragraph(when)
        d.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        d.paragraph_format.first_line_indent = Pt(0)
        d.paragraph_format.right_indent = Pt(SIZE_BODY * (2 + max(0.0, (width(signature) - width(when)) / 2)))
    else:
        d = doc.add_paragraph(when)
        d.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        d.paragraph_format.right_indent = Pt(SIZE_BODY * 4)
    cp = doc.core_properties
    cp.title = title
    cp.language = LANG
    cp.author = signature or ""
    cp.comments = ""
    buf = io.BytesIO()
    doc.save(buf)
    return write_bytes(path, buf.getvalue())
