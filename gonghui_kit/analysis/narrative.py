"""工作总结初稿: a first draft of a unit's yearly work summary (工作总结).

``draft_summary(unit, year, ind, tables=ledger)`` returns Markdown in the
structure union cadres hand in::

    # {unit}{year}年度工作总结
    opening paragraph (leadership line, what was won, the first 亮点)
    ## 一、夯实组织基础，会员队伍不断壮大   (claim-style headings, from data)
    ## 二、健全民主管理，职工诉求有效回应 …
    ## 七、存在的问题与下一步打算          (always 2–3 problems and plans)

A section without data is left out (民主管理 stays, with a 【】 placeholder to
fill in); the wording lives in Jinja2 templates (``templates/summary/*.j2``),
which get one dictionary built by :func:`facts`.  Numbers come from the
indicator table, already formatted by :mod:`gonghui_kit.present.fmt`; names
(activities, honours, media reports, proposals, courses) come from ledger rows
(:mod:`gonghui_kit.analysis.named`) and each keeps its sheet and row
(``f["sources"]``).  亮点 come from the same ranked list the HTML panel shows.
Rule breaches and changes in how a ledger was filled never reach the text:
they are in :func:`checklist`, the 核查清单 for the union secretary.

``gonghui summary`` (:mod:`gonghui_kit.cli`) loads the data and calls these;
the Word file is written by :mod:`gonghui_kit.present.docx`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from gonghui_kit.analysis.compare import yoy
from gonghui_kit.analysis.indicators import BY_KEY
from gonghui_kit.analysis.named import as_named, unit_named
from gonghui_kit.present.fmt import fmt_count, fmt_number, fmt_pct, fmt_pp, measure

__all__ = [
    "CN_NUMERALS",
    "SECTIONS",
    "checklist",
    "checklist_markdown",
    "draft_summary",
    "facts",
    "ranked_highlights",
    "render_summary",
    "unit_kind",
    "wording",
]

CN_NUMERALS = "一二三四五六七八九十"

#: (key, topic heading, template, topics of the indicators it speaks about)
SECTIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("org", "组织建设", "org.md.j2", ("组织建设",)),
    ("democracy", "民主管理", "democracy.md.j2", ("民主管理",)),
    ("activities", "职工活动与劳动竞赛", "activities.md.j2", ("职工活动",)),
    ("care", "关爱帮扶", "care.md.j2", ("关爱帮扶",)),
    ("publicity", "宣传教育与培训", "publicity.md.j2", ("宣传教育",)),
    ("funds", "经费管理", "funds.md.j2", ("经费管理",)),
)
PROBLEMS = ("problems", "存在的问题与下一步打算", "problems.md.j2", ())

MIN_PROBLEMS, MAX_PROBLEMS = 2, 3
FORM_MEASURE = {"报刊文章": "篇", "网络新媒体": "篇", "橱窗图板": "期", "横幅": "条", "板报": "期", "简报": "期"}
EDUCATION = ("学校", "幼儿园")
#: unit kind from the name when the roster does not list the unit (first match wins)
KIND_BY_NAME: tuple[tuple[str, str], ...] = (
    ("幼儿园", "幼儿园"),
    ("学校", "学校"),
    ("中学", "学校"),
    ("小学", "学校"),
    ("大学", "学校"),
    ("学院", "学校"),
    ("医院", "医院"),
    ("卫生院", "医院"),
    ("机关", "机关"),
    ("局", "机关"),
    ("委员会", "机关"),
    ("公司", "企业"),
    ("厂", "企业"),
    ("车间", "企业"),
    ("分工会", "企业"),
)

#: how an indicator is named inside a sentence (default: its label); {worker} = 职工/教职工
PROSE: dict[str, str] = {
    "members_total": "工会会员",
    "membership_rate": "入会率为",
    "activities": "开展{worker}活动",
    "activity_participants": "{worker}活动参与",
    "participation_per_member": "会员人均参与活动",
    "care_visits": "慰问{worker}",
    "proposals": "征集提案",
    "publicity_items": "开展宣传",
    "training_sessions": "开展培训",
    "training_person_times": "参训",
    "training_hours_per_member": "会员人均培训",
    "awards": "获得荣誉",
}

#: the closing line's words for a highlight (no numbers)
PHRASE = {
    "award_national": "争先创优",
    "award_provincial": "争先创优",
    "close_rate_full": "提案办理",
    "new_activity_kinds": "活动创新",
    "publicity_high": "宣传工作",
}

# 下一步打算 by the cause of a problem
PLANS: dict[str, str] = {
    "membership": "持续推进“应入尽入”，重点做好新入职{worker}和青年{worker}的入会工作，不断扩大工会组织覆盖面。",
    "组织建设": "加强会员队伍建设，及时做好会员接转和会籍管理，夯实工会组织基础。",
    "民主管理": "健全{congress}提案督办机制，对未办结的提案逐件跟踪、限期落实，及时向提案人反馈办理结果。",
    "proposals_few": "拓宽{worker}建言献策渠道，引导{worker}代表围绕中心工作和切身利益提出高质量提案。",
    "职工活动": "围绕{worker}需求精心设计活动项目，丰富活动内容和形式，扩大活动覆盖面，提高{worker}参与度。",
    "contests": "围绕中心工作广泛开展{contest}，搭建{worker}岗位建功、技能成才的平台。",
    "关爱帮扶": "健全常态化关爱帮扶机制，做好困难{worker}帮扶和日常走访慰问，做到应帮尽帮、应访尽访。",
    "宣传教育": "加强工会宣传阵地和{worker}教育培训工作，讲好{worker}故事，提升{worker}综合素质。",
    "media": "加强与上级媒体的沟通联系，围绕先进典型和特色工作积极投稿，提升工会工作的影响力。",
    "经费管理": "加强经费预算管理，严格按预算安排支出，优化支出结构，确保经费更多用于服务{worker}。",
    "荣誉表彰": "积极培育和选树先进典型，争创更高层次的荣誉。",
    "brand": "立足单位实际，总结提炼工作经验，培育具有本单位特色的工会工作品牌。",
    "cadres": "加强工会干部学习培训，提升工会干部履职能力和服务水平。",
}


# --------------------------------------------------------------------------
# numbers and words


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


def unit_kind(unit: str, registry=None) -> tuple[str | None, bool]:
    """(kind, inferred): the roster's kind, else one read from the name.

    >>> unit_kind("实验幼儿园工会"), unit_kind("区财政局机关工会"), unit_kind("某某协会")
    (('幼儿园', True), ('机关', True), (None, False))
    """
    k = registry.kind(unit) if registry is not None else None
    if k:
        return k, False
    for word, kind in KIND_BY_NAME:
        if word in unit:
            return kind, True
    return None, False


def wording(kind: str | None) -> dict[str, str]:
    """Words that depend on the kind of unit.

    >>> w = wording("幼儿园"); w["worker"], w["congress_short"], w["openness"]
    ('教职工', '教代会', '园务公开')
    >>> wording("机关")["congress"]
    '会员（代表）大会'
    """
    if kind in EDUCATION:
        return {
            "worker": "教职工",
            "congress": "教职工代表大会",
            "congress_short": "教代会",
            "openness": "园务公开" if kind == "幼儿园" else "校务公开",
            "contest": "教学技能竞赛和岗位练兵",
        }
    if kind == "机关":
        return {
            "worker": "干部职工",
            "congress": "会员（代表）大会",
            "congress_short": "会员（代表）大会",
            "openness": "政务公开",
            "contest": "岗位练兵和业务比武",
        }
    return {
        "worker": "职工",
        "congress": "职工代表大会",
        "congress_short": "职代会",
        "openness": "厂务公开",
        "contest": "劳动竞赛和技能比武",
    }


def _month(m: int | None) -> str:
    return fmt_count(m, "月") if m else ""


# --------------------------------------------------------------------------
# facts


def facts(
    unit: str,
    year: int,
    ind: pd.DataFrame,
    highlights_df: pd.DataFrame | None = None,
    breaches: pd.DataFrame | None = None,
    registry=None,
    tables=None,
) -> dict[str, Any]:
    """Everything the templates may say about ``unit`` in ``year``.

    ``tables``: the ledger (a Ledger, its tables, or a
    :func:`~gonghui_kit.analysis.named.named_facts` frame) for the names;
    without it the draft counts instead of naming.  Keys (numbers already
    formatted): ``unit, year, worker, congress, congress_short, openness,
    lead`` (the leadership line); ``v``: indicator → formatted total; ``pos``:
    indicators > 0; ``chg``: indicator → year-on-year phrase; ``cats``:
    category splits; ``sections``; ``headings``: section key → claim-style
    heading; ``named``: :func:`~gonghui_kit.analysis.named.unit_named`;
    ``ranked``: the highlight rows in the order the HTML panel shows them;
    ``problems``/``plans`` (2–3 each); ``checks``: the 核查清单 (never in the
    text); ``sources``: every named item with its ledger row; ``numbers``:
    every number string handed to the templates.
    """
    unit = registry.canonical(unit) if registry is not None else unit
    year = int(year)
    d = ind[(ind["unit"] == unit) & ind["year"].isin([year, year - 1])]
    if not ((d["year"] == year).any()):
        raise KeyError(f"指标表中没有“{unit}”{year}年度的数据")
    y = yoy(d)
    y = y[y["year"] == year]
    tot = y[y["category"] == ""].set_index("indicator")
    kind, inferred = unit_kind(unit, registry)
    named = unit_named(as_named(tables), unit, year)
    f: dict[str, Any] = {
        "unit": unit,
        "year": year,
        "kind": kind,
        **wording(kind),
        "v": {},
        "raw": {},
        "pos": set(),
        "chg": {},
        "cats": {},
        "named": named,
        "checks": [],
        "extra_numbers": [],
    }
    if inferred:
        f["checks"].append(
            f"单位名册中没有“{unit}”，已按名称推断为{kind}，文中使用“{f['worker']}”“{f['congress_short']}”等用语；"
            "如不对，请在单位名册（params/units.yaml）中补充该单位。"
        )
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
        f["cats"][key] = [{"name": c, "n": _num(key, v), "raw": float(v)} for c, v in zip(g["category"], g["value"], strict=False)]
    f["idle_months"] = int(((y["indicator"] == "activities_by_month") & (y["value"] == 0)).sum())
    pu = named["parent_union"]
    f["lead"] = f"【单位党组织】和{pu}" if pu else "【单位党组织】和【上级工会】"
    f["checks"].append("文中【】处为需要补充的内容（领导机关名称、典型事例等），定稿前请填写或删除。")

    pos = f["pos"]
    f["sections"] = {
        "org": "members_total" in pos,
        "democracy": True,  # every unit reports its 民主管理, with a placeholder when the ledger has no proposals
        "activities": "activities" in pos,
        "care": bool({"care_visits", "care_amount"} & pos),
        "publicity": bool({"publicity_items", "training_sessions"} & pos) or bool(named["media"] or named["training"]),
        "funds": bool({"income_total", "expense_total"} & pos),
    }
    _section_details(f)

    if highlights_df is None:
        from gonghui_kit.analysis.highlights import highlights

        highlights_df = highlights(
            ind,
            registry,
            breaches,
            tables=getattr(tables, "tables", tables) if not isinstance(tables, pd.DataFrame) else None,
            year=year,
        )
    hl = highlights_df[(highlights_df["unit"] == unit) & (highlights_df["year"] == year)]
    f["ranked"] = ranked_highlights(hl)
    f["opening_points"] = _opening_points(f)
    f["momentum"] = list(dict.fromkeys(_phrase(r, f) for r in f["ranked"][:3]))[:2]
    f["headings"] = _headings(f)
    f["problems"], f["plans"] = _problems(f, hl)
    f["checks"] += _breach_checks(breaches, unit, year, hl) + [
        f"{r['title']}：{r['text']}" for r in hl[hl["kind"] == "check"].to_dict("records")
    ]
    f["sources"] = named["sources"]
    f["numbers"] = _collect_numbers(f)
    return f


def ranked_highlights(hl: pd.DataFrame) -> list[dict[str, Any]]:
    """The highlight rows of one unit and year, best first: the order of the
    HTML panel (:meth:`gonghui_kit.present.report.UnitReport.highlights`)."""
    h = hl[hl["kind"] == "highlight"].sort_values("score", ascending=False, kind="stable")
    return h.to_dict("records")


def _phrase(r: Mapping[str, Any], f: Mapping[str, Any]) -> str:
    """A highlight in a few words, without numbers (for the closing line)."""
    if r["code"] in PHRASE:
        return PHRASE[r["code"]]
    key = r.get("indicator")
    label = BY_KEY[key].label if key in BY_KEY else "各项工作"
    return f"{label}稳步提升" if r["code"] == "yoy_growth" else f"{label}同类领先"


def _awards_text(f: Mapping[str, Any]) -> str | None:
    aw = f["named"]["awards"]
    if not aw:
        return None
    return "、".join(f"{a['level']}“{a['name']}”{a['grade']}" for a in aw)


def _opening_points(f: dict[str, Any]) -> list[str]:
    """What went best, in the order of the ranked highlights, as clauses for the opening."""
    out: list[str] = []
    for r in f["ranked"][:4]:
        c = r["code"]
        if c in ("award_national", "award_provincial"):
            t = _awards_text(f)
            out.append(f"荣获{t}等荣誉" if t else f"获得{r['title'][1:]}")
        elif c == "close_rate_full":
            out.append(f"{f['congress_short']}立案提案全部办结")
        elif c == "new_activity_kinds":
            out.append(r["title"])
        elif c == "publicity_high" and f["named"]["media"]:
            out.append("工会工作在省级以上媒体得到宣传报道")
        elif c == "first_in_peer" and not (
            r.get("indicator") == "proposal_close_rate" and any(x["code"] == "close_rate_full" for x in f["ranked"])
        ):
            out.append(
                re.sub(r"同类(并列)?", lambda m: "在同类单位中并列" if m.group(1) else "在同类单位中位居", r["title"])
            )
        elif c == "yoy_growth" and r.get("indicator") in BY_KEY:
            out.append(f"{BY_KEY[r['indicator']].label}{f['chg'].get(r['indicator'], '')}")
    return list(dict.fromkeys(x for x in out if x))[:3]


def _headings(f: Mapping[str, Any]) -> dict[str, str]:
    """Claim-style headings from the data (“健全民主管理，职工诉求有效回应”)."""
    w, n, raw, pos = f["worker"], f["named"], f["raw"], f["pos"]
    grow = raw.get("members_total", 0) > 0 and "同比增长" in f["chg"].get("members_total", "")
    closed = raw.get("proposal_close_rate", 0) >= 1 and "proposals_accepted" in pos
    contests = bool(f["contests"] or n["contests"])
    return {
        "org": "夯实组织基础，会员队伍不断壮大" if grow else "加强组织建设，工会基础不断夯实",
        "democracy": f"健全民主管理，{w}诉求有效回应"
        if closed
        else (f"健全民主管理，{w}建言献策渠道畅通" if "proposals" in pos else f"坚持民主管理，{w}主人翁地位不断巩固"),
        "activities": f"深化{f['contest']}，{w}建功热情持续激发"
        if contests
        else f"丰富{w}文化生活，队伍凝聚力不断增强",
        "care": f"用心用情关爱帮扶，{w}获得感不断增强"
        if f["hardship"]["visits"]
        else f"用心用情服务{w}，关爱举措落到实处",
        "publicity": "加强宣传教育，工会工作影响力不断扩大"
        if n["media"]
        else (
            f"加强教育培训，{w}素质稳步提升"
            if "training_sessions" in pos or n["training"]
            else f"加强宣传教育，{w}队伍凝聚力不断增强"
        ),
        "funds": "规范经费管理，经费保障有力有效"
        if raw.get("expense_ratio", 0) <= 1
        else "加强经费管理，保障工会工作正常开展",
        "problems": PROBLEMS[1],
    }


def _section_details(f: dict[str, Any]) -> None:
    """Lists the templates iterate over (names and categories worth naming)."""
    cats, n, raw = f["cats"], f["named"], f["raw"]
    parts = {c["name"]: c for c in cats.get("activity_participants", [])}
    f["contests"] = [
        {"name": c["name"], "n": c["n"], "p": parts.get(c["name"], {}).get("n")}
        for c in cats.get("activities", [])
        if c["name"] in ("劳动竞赛", "技能比武")
    ]
    f["flagships"] = [{**x, "when": _month(x["month"])} for x in n["flagships"]]
    f["contest_names"] = [x["name"] for x in n["contests"]]
    f["awards_text"] = _awards_text(f)
    f["awards_individual"] = [x["name"] for x in n["awards_individual"]]
    f["award_levels"] = [{"name": c["name"], "n": c["n"]} for c in cats.get("awards", [])]
    care_v = {c["name"]: c for c in cats.get("care_visits", [])}
    care_a = {c["name"]: c for c in cats.get("care_amount", [])}
    fest = care_v.get("节日慰问", {}).get("raw", 0.0)
    visits = raw.get("care_visits")
    f["visits_other"] = None
    if visits is not None and visits - fest > 0:
        f["visits_other"] = fmt_number("care_visits", visits - fest)
        f["extra_numbers"].append(f["visits_other"])
    f["care_reasons"] = [
        c["name"] for c in cats.get("care_visits", []) if c["name"] not in ("其他", "节日慰问", "困难帮扶")
    ][:3]
    forms = n["care"].get("forms_of", {}) if n["care"] else {}
    f["hardship"] = {
        "visits": care_v.get("困难帮扶", {}).get("n"),
        "amount": care_a.get("困难帮扶", {}).get("n"),
        "what": {("现金",): "帮扶资金", ("实物",): "帮扶物资，折合"}.get(
            tuple(forms.get("困难帮扶", [])), "帮扶资金和物资"
        ),
    }
    f["festival"] = {"visits": care_v.get("节日慰问", {}).get("n")}
    f["care_split"] = None
    if n["care"] and "care_amount" in f["pos"] and n["care"]["cash"] > 0 and n["care"]["goods"] > 0:
        f["care_split"] = {
            "cash": fmt_number("care_amount", n["care"]["cash"]),
            "goods": fmt_number("care_amount", n["care"]["goods"]),
        }
        f["extra_numbers"] += list(f["care_split"].values())
    f["care_form_word"] = (
        "慰问金"
        if n["care"] and not n["care"]["goods"]
        else ("慰问品" if n["care"] and not n["care"]["cash"] else None)
    )
    pub = cats.get("publicity_items", [])
    f["pub_forms"] = [
        {"name": c["name"][3:], "n": c["n"], "measure": FORM_MEASURE.get(c["name"][3:], "篇（期）")}
        for c in pub
        if c["name"].startswith("形式:") and c["name"] != "形式:其他"
    ][:4]
    f["media"] = [{**x, "where": f"{x['level']}{x['outlet']}"} for x in n["media"]]
    f["training_names"] = [x["name"] for x in n["training"]]
    f["proposals_closed"] = [x["name"] for x in n["proposals_closed"]]
    f["proposals_open"] = [x["name"] for x in n["proposals_open"]]
    exp = cats.get("expense_total", [])
    f["expense_accounts"] = ([c for c in exp if c["name"] != "其他支出"] or exp)[:3]
    bal = raw.get("balance")
    f["balance_text"] = None
    if bal is not None and "income_total" in f["pos"]:
        gap = fmt_number("balance", abs(bal))
        f["extra_numbers"].append(gap)
        f["balance_text"] = f"当年结余{gap}元" if bal >= 0 else f"当年支出大于收入{gap}元，动用了以前年度结余"


def _problems(f: dict[str, Any], hl: pd.DataFrame) -> tuple[list[str], list[str]]:
    """2–3 problems, one per cause, each with its plan; never a rule breach
    (those go to the 核查清单) and never the ledger or the tool."""
    probs: list[tuple[str, str]] = []  # (sentence, plan key)
    seen: set[str] = set()
    sc = hl[hl["kind"] == "shortcoming"].sort_values("score", ascending=False, kind="stable")
    for r in sc.itertuples(index=False):
        key = r.indicator if isinstance(r.indicator, str) else None
        if r.code.startswith("standard:") or key is None or key not in BY_KEY:
            continue
        cause = "membership" if key in ("membership_rate", "members_total") else BY_KEY[key].topic
        s = _shortcoming_sentence(r, f)
        if s and cause not in seen:
            seen.add(cause)
            probs.append((s, cause))
    w, raw, pos = f["worker"], f["raw"], f["pos"]
    candidates = [
        (
            raw.get("expense_ratio", 0) > 1,
            f"经费支出超过当年收入，经费使用率为{f['v'].get('expense_ratio')}，预算管理还需加强",
            "经费管理",
        ),
        (
            "membership_rate" in f["v"] and raw.get("membership_rate", 1) < 1,
            f"仍有部分{w}尚未加入工会，入会率为{f['v'].get('membership_rate')}",
            "membership",
        ),
        (
            "activities" in pos and not f["contests"],
            f"围绕中心工作开展{f['contest']}还不够，{w}岗位建功的平台还不多",
            "contests",
        ),
        (
            "proposals" not in pos and "职代会提案" not in f["named"]["absent"],  # no sheet: nothing known
            f"{f['congress_short']}提案工作还不够活跃，{w}参与民主管理的积极性有待进一步调动",
            "proposals_few",
        ),
        (
            not f["named"]["media"] and "publicity_items" in pos,
            "宣传工作层次还不够高，在省级以上媒体宣传报道工会工作还不多",
            "media",
        ),
        ("training_sessions" not in pos, f"{w}教育培训开展不多，培训的针对性和覆盖面还需提升", "宣传教育"),
        (f["idle_months"] >= 2 and "activities" in pos, f"活动安排在时间上不够均衡，部分月份未组织{w}活动", "职工活动"),
        (True, "工作创新不够，具有本单位特色的工会工作品牌还不够鲜明", "brand"),
        (True, "工会干部多为兼职，工作精力和业务能力与新形势新任务的要求还有差距【请结合实际修改】", "cadres"),
    ]
    for ok, s, cause in candidates:
        fallback = cause in ("brand", "cadres")
        if len(probs) >= MAX_PROBLEMS or not ok or cause in seen or (fallback and len(probs) >= MIN_PROBLEMS):
            continue
        seen.add(cause)
        probs.append((s, cause))
    probs = probs[:MAX_PROBLEMS]
    plans = [PLANS[k].format(worker=w, congress=f["congress"], contest=f["contest"]) for _s, k in probs]
    return [s for s, _k in probs], list(dict.fromkeys(plans))


def _breach_checks(breaches, unit: str, year: int, hl: pd.DataFrame) -> list[str]:
    """Rule breaches worded as the ledger shows them (sheet, row, the cell)."""
    out: list[str] = []
    if isinstance(breaches, pd.DataFrame) and len(breaches):
        b = breaches[(breaches["unit"] == unit) & (breaches["year"] == year)]
        for r in b.to_dict("records"):
            where = ""
            if r.get("sheet") and r.get("row") is not None and not pd.isna(r.get("row")):
                where = f"{r['sheet']}第{r['row']}行"
            elif isinstance(r.get("rows"), tuple) and r["rows"]:
                where = "第" + "、".join(str(x) for x in r["rows"]) + "行"
            cell = f"“{r['column']}”填为“{r['value']}”" if r.get("column") and r.get("value") not in (None, "") else ""
            what = r.get("reasons") or ""
            head = "，".join(x for x in (where, what, cell) if x)
            out.append(f"{head}：与“{r.get('title') or '经费使用标准'}”不符，请核实后整改，不写入总结。")
    else:
        for r in hl[hl["code"].str.startswith("standard:")].to_dict("records"):
            out.append(f"{r['title']}：{r['text']}请核实后整改，不写入总结。")
    return out


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
        f["extra_numbers"].append(m)
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
    nums |= {x["when"] for x in f["flagships"] if x["when"]}
    return nums


def checklist(f: Mapping[str, Any]) -> list[str]:
    """The 核查清单 of a :func:`facts` dictionary: what the secretary checks
    before handing the draft in (never part of the text)."""
    return list(dict.fromkeys(f["checks"]))


def checklist_markdown(f: Mapping[str, Any]) -> str:
    """The 核查清单 as Markdown (a companion of the draft, not inside it)."""
    items = "\n".join(f"- {x}" for x in checklist(f))
    return f"# {f['unit']}{f['year']}年度工作总结核查清单\n\n以下事项供工会负责同志核查，不属于总结正文：\n\n{items}\n"


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
    for s in sections:
        s["title"] = f.get("headings", {}).get(s["key"], s["title"])
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


def draft_summary(
    unit: str,
    year: int,
    ind: pd.DataFrame,
    highlights_df: pd.DataFrame | None = None,
    breaches: pd.DataFrame | None = None,
    registry=None,
    tables=None,
) -> str:
    """The 工作总结初稿 of ``unit`` for ``year`` as Markdown (see module doc).

    ``highlights_df``: :func:`gonghui_kit.analysis.highlights.highlights` output
    (computed when None, with ``breaches``, ``registry`` and ``tables``);
    ``breaches``: :func:`gonghui_kit.analysis.standards.breaches_frame` output,
    listed in the 核查清单 (:func:`checklist`), never in the text; ``tables``:
    the ledger, for the names.  Raises ``KeyError`` when the unit has no
    indicators for the year.
    """
    return render_summary(facts(unit, year, ind, highlights_df, breaches, registry, tables))


# --------------------------------------------------------------------------
# CLI body
