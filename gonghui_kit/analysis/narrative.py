"""工作总结初稿: a first draft of a unit's yearly work summary, from its numbers.

``draft_summary(unit, year, ind)`` returns Markdown in the structure union
cadres know::

    # {unit}{year}年度工作总结（初稿）
    opening paragraph
    ## 一、组织建设 / 二、民主管理 / 三、职工活动与劳动竞赛 / 四、关爱帮扶 /
    ##   五、宣传教育与培训 / 六、经费管理 / 七、存在的问题与下一步打算

A section whose numbers are all missing or zero is left out and the others
are renumbered (一、二、三…).  The wording lives in Jinja2 templates
(``templates/summary/*.j2``); the templates get one dictionary, built by
:func:`facts`, and every number they print comes from it already formatted
(``1,860``, ``10.5万``, ``96.2%``).  :func:`facts` reads numbers only from the
indicator table (this year and last year, peer medians) and from the
spending-standard breaches (their limits), so a test can check every number
of the text against the indicator table.

``summary_docx(markdown, path)`` turns the draft into a Word file;
``summary_command(data, unit, year, output)`` is the body of
``gonghui summary``.
"""

from __future__ import annotations

import functools
import io
import math
import re
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence

import jinja2
import numpy as np
import pandas as pd

from gonghui_kit.analysis.compare import yoy
from gonghui_kit.present.fmt import fmt_number, fmt_pct, fmt_pp, measure
from gonghui_kit.analysis.indicators import BY_KEY, INDICATORS

__all__ = ["facts", "draft_summary", "render_summary", "summary_docx", "summary_command", "SECTIONS", "CN_NUMERALS"]

CN_NUMERALS = "一二三四五六七八九十"

#: (key, heading, template, topics of the indicators it speaks about)
SECTIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("org", "组织建设", "org.md.j2", ("组织建设",)),
    ("democracy", "民主管理", "democracy.md.j2", ("民主管理",)),
    ("activities", "职工活动与劳动竞赛", "activities.md.j2", ("职工活动",)),
    ("care", "关爱帮扶", "care.md.j2", ("关爱帮扶",)),
    ("publicity", "宣传教育与培训", "publicity.md.j2", ("宣传教育",)),
    ("funds", "经费管理", "funds.md.j2", ("经费管理",)),
)
PROBLEMS = ("problems", "存在的问题与下一步打算", "problems.md.j2", ())

#: money in the text: two decimals in 万 (1.19万元), as in published summaries
MAX_PROBLEMS = 4
FORM_MEASURE = {"报刊文章": "篇", "网络新媒体": "篇", "橱窗图板": "期", "横幅": "条", "板报": "期", "简报": "期", "其他": "篇（期）"}
CONTEST_KINDS = ("劳动竞赛", "技能比武")

#: how an indicator is named inside a sentence (default: its label); {worker} = 职工/教职工
PROSE: dict[str, str] = {
    "members_total": "工会会员",
    "members_new": "新发展会员",
    "membership_rate": "入会率为",
    "activities": "开展{worker}活动",
    "activity_participants": "{worker}活动参与",
    "participation_per_member": "会员人均参与活动",
    "expense_ratio": "经费使用率为",
    "activity_expense_per_member": "人均职工活动支出",
    "care_visits": "慰问{worker}",
    "care_amount": "发放慰问金",
    "proposals": "征集提案",
    "proposal_close_rate": "提案办结率为",
    "proposal_days": "提案平均办理周期",
    "publicity_items": "开展宣传",
    "training_sessions": "开展培训",
    "training_person_times": "参训",
    "training_hours_per_member": "会员人均培训",
    "awards": "获得荣誉",
}

# 下一步打算 by the topic of a problem (or the code of a rule)
PLANS: dict[str, str] = {
    "membership": "持续推进“应入尽入”，重点做好新入职{worker}和青年{worker}的入会工作，不断扩大工会组织覆盖面，提高入会率。",
    "组织建设": "加强会员队伍建设，及时做好会员接转和会籍管理，夯实工会组织基础。",
    "民主管理": "健全{congress}提案督办机制，对未办结的提案逐件跟踪、限期落实，及时向提案人反馈办理结果。",
    "职工活动": "围绕{worker}需求精心设计活动项目，丰富活动内容和形式，扩大活动覆盖面，提高{worker}参与度。",
    "关爱帮扶": "健全常态化关爱帮扶机制，做好困难{worker}帮扶和日常走访慰问，做到应帮尽帮、应访尽访。",
    "宣传教育": "加强工会宣传阵地和{worker}教育培训工作，讲好{worker}故事，提升{worker}综合素质。",
    "经费管理": "加强经费预算管理，优化支出结构，提高经费使用效益，确保经费更多用于服务{worker}。",
    "荣誉表彰": "积极培育和选树先进典型，争创更高层次的荣誉。",
    "standard": "严格执行工会经费收支管理规定，对照标准开展自查自纠，规范慰问品发放，坚决杜绝超标准、超范围发放。",
}


# --------------------------------------------------------------------------
# numbers


def _num(key: str, v: float) -> str | None:
    """Formatted number of an indicator value, None when missing."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return fmt_number(key, v)


def _change(key: str, value: float, prev: float, pct: float) -> str | None:
    """``同比增长12.3%`` / ``较上年提高1.2个百分点`` / ``与上年持平``; None without a base."""
    if value is None or prev is None or np.isnan(value) or np.isnan(prev):
        return None
    if BY_KEY[key].kind == "rate":
        d = value - prev
        if abs(d) < 0.0005:
            return "与上年持平"
        return f"较上年{'提高' if d > 0 else '下降'}{fmt_pp(abs(d))}"
    if pct is None or np.isnan(pct):
        return None
    if abs(pct) < 0.0005:
        return "与上年持平"
    return f"同比{'增长' if pct > 0 else '下降'}{fmt_pct(abs(pct))}"


def _worker(kind: str | None) -> str:
    return "教职工" if kind in ("学校", "幼儿园") else "职工"


def _congress(kind: str | None) -> tuple[str, str]:
    return ("教职工代表大会", "教代会") if kind in ("学校", "幼儿园") else ("职工代表大会", "职代会")


# --------------------------------------------------------------------------
# facts


def facts(unit: str, year: int, ind: pd.DataFrame, highlights_df: pd.DataFrame | None = None, breaches: pd.DataFrame | None = None, registry=None) -> dict[str, Any]:
    """Everything the templates may say about ``unit`` in ``year``.

    Keys (all numbers are already formatted strings):

    ``unit, year, worker (职工/教职工), congress, congress_short``;
    ``v``: indicator → formatted total of the year (only when not missing);
    ``pos``: indicators whose total is > 0;
    ``chg``: indicator → year-on-year phrase (``同比增长12.3%``);
    ``cats``: indicator → list of ``{"name", "n", "measure"}`` for the
    category splits > 0, largest first; ``sections``: section key → has data;
    ``top_in_peer``: section key → Chinese labels ranked first in the peer group;
    ``problems``/``plans``: the sentences of section 七 (numbers formatted
    here too); ``numbers``: every number string handed to the templates.
    """
    unit = registry.canonical(unit) if registry is not None else unit
    year = int(year)
    d = ind[(ind["unit"] == unit) & ind["year"].isin([year, year - 1])]
    if not ((d["year"] == year).any()):
        raise KeyError(f"指标表中没有“{unit}”{year}年度的数据")
    y = yoy(d)
    y = y[y["year"] == year]
    tot = y[y["category"] == ""].set_index("indicator")
    kind = registry.kind(unit) if registry is not None else None
    congress, congress_short = _congress(kind)
    f: dict[str, Any] = {
        "unit": unit,
        "year": year,
        "worker": _worker(kind),
        "congress": congress,
        "congress_short": congress_short,
        "v": {},
        "raw": {},
        "pos": set(),
        "chg": {},
        "cats": {},
    }
    for key, r in tot.iterrows():
        if key not in BY_KEY:
            continue
        s = _num(key, r["value"])
        if s is not None:
            f["v"][key] = s
            f["raw"][key] = float(r["value"])
            if r["value"] > 0:
                f["pos"].add(key)
        c = _change(key, r["value"], r["prev_value"], r["change_pct"])
        if c:
            f["chg"][key] = c
    cat = y[(y["category"] != "") & (y["value"] > 0)]
    for key, g in cat.groupby("indicator", sort=False):
        if key == "activities_by_month":
            continue
        g = g.sort_values("value", ascending=False, kind="stable")
        f["cats"][key] = [{"name": c, "n": _num(key, v), "raw": float(v)} for c, v in zip(g["category"], g["value"])]

    # section data
    pos = f["pos"]
    f["sections"] = {
        "org": "members_total" in pos,
        "democracy": "proposals" in pos,
        "activities": "activities" in pos,
        "care": bool({"care_visits", "care_amount"} & pos),
        "publicity": bool({"publicity_items", "training_sessions"} & pos),
        "funds": bool({"income_total", "expense_total"} & pos),
    }
    _section_details(f)

    # highlights and problems
    if highlights_df is None:
        from gonghui_kit.analysis.highlights import highlights

        highlights_df = highlights(ind, registry, breaches, year=year)
    hl = highlights_df[(highlights_df["unit"] == unit) & (highlights_df["year"] == year)]
    topic_of = {i.key: i.topic for i in INDICATORS}
    section_of_topic = {t: k for k, _h, _t, ts in SECTIONS for t in ts}
    first = hl[(hl["kind"] == "highlight") & (hl["code"] == "first_in_peer")]
    best: dict[str, dict[str, list[str]]] = {}
    for key in first["indicator"]:
        sec = section_of_topic.get(topic_of.get(key, ""))
        if sec and key in f["v"]:
            word = "最短" if key == "proposal_days" else "最低" if BY_KEY[key].higher_is_better is False else "排名第一"
            best.setdefault(sec, {}).setdefault(word, []).append(BY_KEY[key].label)
    f["peer_note"] = {sec: "，".join(f"{'、'.join(labels)}在同类单位中{word}" for word, labels in words.items()) + "。" for sec, words in best.items()}
    growth = hl[(hl["kind"] == "highlight") & hl["code"].isin(["yoy_growth", "first_in_peer"])].sort_values("score", ascending=False)
    f["momentum"] = [t for t in growth["title"].head(2)]
    f["problems"], f["plans"] = _problems(f, unit, year, hl, breaches)
    f["numbers"] = _collect_numbers(f)
    return f


def _section_details(f: dict[str, Any]) -> None:
    """Lists the templates iterate over (categories worth naming)."""
    cats = f["cats"]
    acts = [c for c in cats.get("activities", []) if c["name"] != "其他"]
    f["activity_cats"] = acts[:4]
    parts = {c["name"]: c for c in cats.get("activity_participants", [])}
    f["contests"] = [
        {"name": c["name"], "n": c["n"], "p": parts.get(c["name"], {}).get("n")}
        for c in cats.get("activities", []) if c["name"] in CONTEST_KINDS
    ]
    care_v = {c["name"]: c for c in cats.get("care_visits", [])}
    care_a = {c["name"]: c for c in cats.get("care_amount", [])}
    reasons = [c["name"] for c in cats.get("care_visits", []) if c["name"] != "其他"] or [c["name"] for c in cats.get("care_amount", []) if c["name"] != "其他"]
    f["care_reasons"] = reasons[:3]
    f["hardship"] = {"visits": care_v.get("困难帮扶", {}).get("n"), "amount": care_a.get("困难帮扶", {}).get("n")}
    f["festival"] = {"visits": care_v.get("节日慰问", {}).get("n")}
    pub = cats.get("publicity_items", [])
    f["pub_forms"] = [{"name": c["name"][3:], "n": c["n"], "measure": FORM_MEASURE.get(c["name"][3:], "篇（期）")} for c in pub if c["name"].startswith("形式:")][:3]
    lv = {c["name"][3:]: c["n"] for c in pub if c["name"].startswith("级别:")}
    f["pub_high"] = [{"name": k, "n": lv[k]} for k in ("国家级", "省级") if k in lv]
    f["award_levels"] = [{"name": c["name"], "n": c["n"]} for c in cats.get("awards", [])]
    exp = cats.get("expense_total", [])
    f["expense_accounts"] = ([c for c in exp if c["name"] != "其他支出"] or exp)[:3]
    bal = f["raw"].get("balance")
    f["balance_text"] = None
    if bal is not None and "income_total" in f["pos"]:
        gap = fmt_number("balance", abs(bal))
        f.setdefault("extra_numbers", []).append(gap)
        f["balance_text"] = f"当年结余{gap}元" if bal >= 0 else f"当年支出大于收入{gap}元"


def _problems(f: dict[str, Any], unit: str, year: int, hl: pd.DataFrame, breaches) -> tuple[list[str], list[str]]:
    from gonghui_kit.analysis.standards import describe_limit

    probs: list[tuple[str, str]] = []  # (sentence, plan key)
    worker = f["worker"]
    # spending standards first (from the breaches frame when given, else the highlight rows)
    b = None
    if isinstance(breaches, pd.DataFrame) and len(breaches):
        b = breaches[(breaches["unit"] == unit) & (breaches["year"] == year)]
    if b is None:  # breaches only known through the highlight rows
        sb = hl[hl["code"].str.startswith("standard:")]
        b = pd.DataFrame({"rule": sb["code"].str[9:], "title": sb["title"], "indicator": sb["indicator"], "actual": sb["value"], "kind": "", "limit": np.nan, "scope": "", "reasons": "", "text": sb["text"]})
    done_ind: set[str] = set()
    if len(b):
        b = b.drop_duplicates("rule")
        care_parts = []
        cash = [x for r in b.itertuples(index=False) if r.kind == "forbidden_form" for x in str(r.reasons or "").split("、") if x]
        if cash:
            care_parts.append(f"存在以现金、购物卡等形式发放{_reason_words('、'.join(dict.fromkeys(cash)))}的情况")
        said_caps: set[str] = set()  # one clause per 事由 for the person and unit-average caps
        order = b.assign(_u=(b.get("scope", pd.Series("person", index=b.index)) == "unit").astype(int)).sort_values("_u", kind="stable")
        for r in order.itertuples(index=False):
            if r.kind == "forbidden_form":
                continue
            if r.kind == "cap_per_member_year":
                if r.reasons in said_caps:
                    continue
                said_caps.add(r.reasons)
            ind = r.indicator if isinstance(r.indicator, str) else None
            if not r.kind:  # known only from the highlight rows: name the rule, no numbers
                probs.append((f"存在不符合“{r.title}”的情况", "membership" if ind == "membership_rate" else "standard"))
            elif r.kind in ("min_indicator", "max_indicator") and ind:
                probs.append((_breach_sentence(r, f, describe_limit), "membership" if ind == "membership_rate" else BY_KEY[ind].topic))
                done_ind.add(ind)
            else:
                care_parts.append(_breach_sentence(r, f, describe_limit))
        if care_parts:
            probs.insert(0, ("慰问品发放还不够规范，" + "，".join(dict.fromkeys(care_parts)), "standard"))
    sc = hl[hl["kind"] == "shortcoming"].sort_values("score", ascending=False, kind="stable")
    for r in sc.itertuples(index=False):
        if r.code.startswith("standard:"):
            continue
        key = r.indicator if isinstance(r.indicator, str) else None
        if key is None or key in done_ind or key not in BY_KEY:
            continue
        s = _shortcoming_sentence(r, f)
        if s:
            done_ind.add(key)
            topic = BY_KEY[key].topic
            probs.append((s, "membership" if key in ("membership_rate", "members_total") else topic))
    probs = probs[:MAX_PROBLEMS]
    plans: list[str] = []
    for _s, k in probs:
        p = PLANS.get(k, "").format(worker=worker, congress=f["congress"])
        if p and p not in plans:
            plans.append(p)
    return [s for s, _k in probs], plans


def _reason_words(reasons: str) -> str:
    """``节日慰问、生日`` → ``节日慰问、生日慰问``.

    >>> _reason_words("节日慰问、生日"), _reason_words("生日、节日慰问")
    ('节日慰问、生日慰问', '生日、节日慰问')
    """
    reasons = reasons or "慰问"
    return reasons if reasons.endswith("慰问") else reasons + "慰问"


def _breach_sentence(r, f: dict[str, Any], describe_limit) -> str:
    ind = r.indicator if isinstance(r.indicator, str) else None
    scope = getattr(r, "scope", "person")
    lim = describe_limit(r.kind, r.limit, indicator=ind, scope=scope if isinstance(scope, str) and scope else "person", reasons=r.reasons or "")
    if r.kind in ("min_indicator", "max_indicator") and ind:
        v = fmt_number(ind, r.actual)
        f.setdefault("extra_numbers", []).append(v)
        return f"{BY_KEY[ind].label}为{v}，未达到{lim}的要求"
    what = _reason_words(r.reasons)
    if r.kind == "forbidden_form":
        return f"存在以现金、购物卡等形式发放{what}的情况"
    if r.kind == "max_count_per_person_year":
        return f"存在同一会员一年内多次领取{what}的情况"
    f.setdefault("extra_numbers", []).append(fmt_number("care_amount", r.limit))
    return f"部分{what}超出“{lim}”的标准"


def _prose(key: str, f: Mapping[str, Any]) -> str:
    return PROSE.get(key, BY_KEY[key].label).format(worker=f["worker"])


def _shortcoming_sentence(r, f: dict[str, Any]) -> str | None:
    key = r.indicator
    label = _prose(key, f)
    v = f["v"].get(key)
    if v is None:
        return None
    unit_word = measure(key)
    if r.code == "yoy_decline":
        c = f["chg"].get(key)
        return f"{label}{v}{unit_word}，{c}" if c else None
    if r.code == "below_peer":
        m = _num(key, r.peer_median)
        if m is None:
            return None
        f.setdefault("extra_numbers", []).append(m)
        word = "低于" if BY_KEY[key].higher_is_better else "高于"
        return f"{label}{v}{unit_word}，{word}同类单位中位数（{m}{unit_word}）"
    if r.code == "membership_rate_low":
        return f"入会率为{v}，距离“应入尽入”的要求还有差距"
    if r.code == "close_rate_low":
        return f"提案办结率为{v}，部分立案提案尚未办结"
    return None


def _collect_numbers(f: dict[str, Any]) -> set[str]:
    nums: set[str] = {str(f["year"])}
    nums |= set(f["v"].values())
    for lst in f["cats"].values():
        nums |= {c["n"] for c in lst}
    nums |= set(f["chg"].values())
    nums |= set(f.get("extra_numbers", []))
    return nums


# --------------------------------------------------------------------------
# rendering


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    """One environment per process, so each template compiles once
    (a fresh one per summary recompiled nine templates: ~40 ms a report)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("gonghui_kit", "templates/summary"),
        autoescape=False,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def precompile_templates() -> None:
    """Compile every summary template now (a warm parent does this once,
    so forked report children do not)."""
    env = _env()
    for name in env.list_templates(extensions=["j2"]):
        env.get_template(name)


def render_summary(f: Mapping[str, Any]) -> str:
    """Render the summary templates for a :func:`facts` dictionary."""
    sections = []
    for key, title, template, _topics in SECTIONS:
        if f["sections"].get(key):
            sections.append({"key": key, "title": title, "template": template})
    sections.append({"key": PROBLEMS[0], "title": PROBLEMS[1], "template": PROBLEMS[2]})
    for n, s in enumerate(sections):
        s["number"] = CN_NUMERALS[n]
    text = _env().get_template("summary.md.j2").render(f=f, sections=sections)
    return _tidy(text)


def _tidy(text: str) -> str:
    """One paragraph per template line: blank lines between all blocks."""
    lines = [ln.strip() for ln in text.splitlines()]
    out = "\n\n".join(ln for ln in lines if ln) + "\n"
    # punctuation left behind by optional clauses
    out = re.sub(r"，{2,}", "，", out)
    out = re.sub(r"[，、]([。；）])", r"\1", out)
    return out.replace("。。", "。")


def draft_summary(unit: str, year: int, ind: pd.DataFrame, highlights_df: pd.DataFrame | None = None, breaches: pd.DataFrame | None = None, registry=None) -> str:
    """The 工作总结初稿 of ``unit`` for ``year`` as Markdown (see module doc).

    ``highlights_df``: :func:`gonghui_kit.analysis.highlights.highlights` output
    (computed when None, with ``breaches`` and ``registry``); ``breaches``:
    :func:`gonghui_kit.analysis.standards.breaches_frame` output, listed as 问题.
    Raises ``KeyError`` when the unit has no indicators for the year.
    """
    return render_summary(facts(unit, year, ind, highlights_df, breaches, registry))


# --------------------------------------------------------------------------
# Word


def _set_font(run_or_style, east_asia: str, size_pt: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = east_asia
    if size_pt:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    el = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = el.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        rfonts.set(qn(attr), east_asia)


def _add_runs(par, text: str) -> None:
    """Paragraph text with **bold** spans."""
    for i, part in enumerate(re.split(r"\*\*", text)):
        if part:
            run = par.add_run(part)
            if i % 2 == 1:
                run.bold = True


def summary_docx(markdown: str, path: str | Path) -> Path:
    """Write the Markdown draft as a Word document (``.docx``), atomically.

    ``#`` → centred title (小标宋/黑体 style), ``##`` → 一级标题 (黑体),
    ``###`` → 二级标题 (楷体), other lines → body paragraphs (仿宋, 三号,
    first line indented two characters), ``- `` → list items, ``> `` → note.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from gonghui_kit.atomic import write_bytes

    doc = Document()
    normal = doc.styles["Normal"]
    _set_font(normal, "仿宋", 16)
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    for line in markdown.splitlines():
        s = line.strip()
        if not s or s == "---":
            continue
        if s.startswith("# "):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(16)
            r = p.add_run(s[2:].strip())
            _set_font(r, "方正小标宋简体", 22, True)
        elif s.startswith("## "):
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            r = p.add_run(s[3:].strip())
            _set_font(r, "黑体", 16, False)
        elif s.startswith("### "):
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            r = p.add_run(s[4:].strip())
            _set_font(r, "楷体", 16, True)
        elif s.startswith(("- ", "* ")):
            p = doc.add_paragraph(style="List Bullet")
            _add_runs(p, s[2:].strip())
        elif s.startswith("> "):
            p = doc.add_paragraph()
            r = p.add_run(s[2:].strip())
            _set_font(r, "楷体", 12, False)
        else:
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            _add_runs(p, s)
    buf = io.BytesIO()
    doc.save(buf)
    return write_bytes(path, buf.getvalue())


# --------------------------------------------------------------------------
# CLI body


def summary_command(data: str | Path | Sequence[str | Path], unit: str, year: int, output: str | Path | None = None, *, units_file: str | Path | None = None, standards_file: str | Path | None = None) -> int:
    """Body of ``gonghui summary DATA --unit NAME --year Y [-o FILE.md|.docx]``.

    Loads the ledgers in ``data`` (give the previous year's too, for the
    year-on-year figures), the units registry (``units_file`` or
    ``params/units.yaml`` when present) and the spending standards
    (``standards_file`` or ``params/standards.yaml`` when present), and
    writes the draft to ``output`` (``.md`` or ``.docx``) or prints it.
    Returns the exit status; problems the user can fix raise
    ``gonghui_kit.cli.UserError`` with a Chinese message.
    """
    from gonghui_kit import resources
    from gonghui_kit.errors import UserError
    from gonghui_kit.analysis.indicators import compute_indicators
    from gonghui_kit.atomic import write_text
    from gonghui_kit.ingest.load import load_ledgers
    from gonghui_kit.analysis.standards import breaches_frame

    paths = [data] if isinstance(data, (str, Path)) else list(data)
    for p in paths:
        if not Path(p).exists():
            raise UserError(f"找不到文件或文件夹：{p}")
    registry, reg_from = resources.roster(units_file, warn=False)
    standards, std_from = resources.standards(standards_file, warn=False)
    for where in (reg_from, std_from):
        if where.origin == "shipped":
            print(f"提示：{where.note}", file=sys.stderr)
    out = Path(output) if output else None
    if out is not None and out.suffix.lower() not in (".md", ".docx", ".txt"):
        raise UserError(f"输出文件应为 .md 或 .docx：{out}")

    ledger = load_ledgers([Path(p) for p in paths], registry=registry)
    ind = compute_indicators(ledger)
    name = registry.canonical(unit) if registry is not None else str(unit).strip()
    have = ind[(ind["unit"] == name) & (ind["year"] == int(year))]
    if have.empty:
        units = sorted(ind.loc[ind["year"] == int(year), "unit"].unique())
        hint = f"该年度的单位有：{'、'.join(units[:20])}{'等' if len(units) > 20 else ''}" if units else "台账中没有该年度的数据"
        raise UserError(f"台账中没有“{unit}”{year}年度的数据。{hint}")
    breaches = breaches_frame(ledger, ind, standards, registry) if standards is not None else None
    text = draft_summary(name, int(year), ind, breaches=breaches, registry=registry)
    if out is None:
        sys.stdout.write(text)
        return 0
    if out.suffix.lower() == ".docx":
        summary_docx(text, out)
    else:
        write_text(out, text)
    print(f"已写出：{out}", file=sys.stderr)
    return 0
