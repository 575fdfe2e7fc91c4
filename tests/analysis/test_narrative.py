"""narrative.py: the 工作总结初稿 — structure, wording, and every number traced to the indicators."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gonghui_kit.analysis.narrative import (
    checklist,
    draft_summary,
    facts,
)
from gonghui_kit.analysis.units import UnitRegistry
from gonghui_kit.present.fmt import fmt_int, fmt_num, fmt_pct, fmt_yuan

UNIT = "甲分工会"
REG = UnitRegistry.from_dict(
    {
        "units": [
            {"name": "甲分工会", "kind": "企业", "peer_group": "企业分工会"},
            {"name": "乙分工会", "kind": "企业", "peer_group": "企业分工会"},
            {"name": "丙分工会", "kind": "企业", "peer_group": "企业分工会"},
            {"name": "丁分工会", "kind": "企业", "peer_group": "企业分工会"},
            {"name": "实验小学工会", "kind": "学校", "peer_group": "学校"},
        ]
    }
)


def tidy(rows):
    return pd.DataFrame(rows, columns=["unit", "year", "indicator", "category", "value"]).astype(
        {"year": "int64", "value": "float64"}
    )


def unit_rows(u, y, **vals):
    rows = []
    for k, v in vals.items():
        if isinstance(v, dict):
            for c, x in v.items():
                rows.append((u, y, k, c, x))
        else:
            rows.append((u, y, k, "", v))
    return rows


JIA_2023 = {
    "employees": 1934,
    "members_total": 1860,
    "members_new": 35,
    "membership_rate": 1860 / 1934,
    "female_share": 0.4,
    "youth_share": 0.3,
    "activities": 26,
    "activity_participants": 6613,
    "participation_per_member": 6613 / 1860,
    "income_total": 1_125_446,
    "expense_total": 600_235,
    "balance": 1_125_446 - 600_235,
    "expense_ratio": 600_235 / 1_125_446,
    "activity_expense_per_member": 250_000 / 1860,
    "care_visits": 34,
    "care_amount": 11_900,
    "proposals": 7,
    "proposals_accepted": 6,
    "proposals_closed": 6,
    "proposal_close_rate": 1.0,
    "proposal_days": 12.5,
    "publicity_items": 0,
    "training_sessions": 3,
    "training_person_times": 282,
    "training_hours": 1884,
    "training_hours_per_member": 1884 / 1860,
    "awards": 0,
}
JIA_CATS = {
    "activities": {"文体活动": 8, "技能比武": 4, "劳动竞赛": 0, "其他": 14},
    "activity_participants": {"文体活动": 3000, "技能比武": 300, "其他": 3313},
    "care_visits": {"生病住院": 14, "婚嫁": 12, "丧葬": 8, "节日慰问": 0},
    "care_amount": {"生病住院": 5600, "婚嫁": 3600, "丧葬": 2700},
    "expense_total": {"职工活动支出": 250_000, "职工服务支出": 150_000, "维权支出": 100_000, "其他支出": 100_235},
}


def make_ind():
    rows = unit_rows(UNIT, 2023, **JIA_2023) + unit_rows(UNIT, 2023, **JIA_CATS)
    rows += unit_rows(
        UNIT,
        2022,
        activities=20,
        activity_participants=5889,
        membership_rate=0.95,
        members_total=1800,
        participation_per_member=5889 / 1800,
    )
    for u, rate, ppm in (("乙分工会", 0.9, 2.0), ("丙分工会", 0.8, 3.0), ("丁分工会", 0.85, 1.0)):
        rows += unit_rows(u, 2023, membership_rate=rate, participation_per_member=ppm, members_total=100, employees=120)
    # a unit with members and funds only
    rows += unit_rows(
        "乙分工会",
        2023,
        income_total=50_000,
        expense_total=40_000,
        balance=10_000,
        expense_ratio=0.8,
        proposals=0,
        activities=0,
        care_visits=0,
        care_amount=0,
        training_sessions=0,
        publicity_items=0,
        awards=0,
    )
    rows += unit_rows(
        "实验小学工会",
        2023,
        employees=120,
        members_total=118,
        membership_rate=118 / 120,
        proposals=5,
        proposals_accepted=5,
        proposals_closed=3,
        proposal_close_rate=0.6,
        activities=0,
    )
    return tidy(rows)


IND = make_ind()

BREACHES = pd.DataFrame(
    [
        {
            "unit": UNIT,
            "year": 2023,
            "rule": "fest_no_cash",
            "title": "节日慰问不得发放现金",
            "actual": 600.0,
            "limit": np.nan,
            "rows": (7,),
            "source": "《办法》",
            "kind": "forbidden_form",
            "scope": "person",
            "indicator": None,
            "reasons": "节日慰问",
            "message": "…",
        },
        {
            "unit": UNIT,
            "year": 2023,
            "rule": "fest_cap",
            "title": "节日慰问年度标准",
            "actual": 1700.0,
            "limit": 1500.0,
            "rows": (5, 6),
            "source": "《实施意见》",
            "kind": "cap_per_member_year",
            "scope": "person",
            "indicator": None,
            "reasons": "节日慰问",
            "message": "…",
        },
    ]
)


# --------------------------------------------------------------------------
# the number check: every number in the text is a formatted value of the table


NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _tokens(s: str) -> set[str]:
    return set(NUM.findall(s))


def allowed_numbers(unit: str, year: int, ind: pd.DataFrame, breaches: pd.DataFrame | None = None) -> set[str]:
    """Independently of the code under test: every way a number of the table
    (this and last year, year-on-year changes, peer medians, breach limits)
    may be written."""
    vals: list[float] = [float(year), float(year - 1)]
    d = ind[ind["year"].isin([year, year - 1])]
    vals += d["value"].dropna().tolist()  # own values and peers' (medians below)
    cur = d[(d["unit"] == unit) & (d["year"] == year)].set_index(["indicator", "category"])["value"]
    prev = d[(d["unit"] == unit) & (d["year"] == year - 1)].set_index(["indicator", "category"])["value"]
    both = pd.concat([cur.rename("c"), prev.rename("p")], axis=1).dropna()
    vals += ((both["c"] - both["p"]).abs()).tolist()  # changes (and percentage points)
    vals += ((both["c"] - both["p"]).abs() / both["p"].abs().replace(0, np.nan)).dropna().tolist()
    med = d[d["year"] == year].groupby(["indicator", "category"])["value"].median()
    vals += med.dropna().tolist()
    vals += [abs(v) for v in vals]
    if breaches is not None:
        vals += breaches["limit"].dropna().tolist() + breaches["actual"].dropna().tolist()
    out: set[str] = {str(year), str(year - 1)}
    for v in vals:
        for s in (
            fmt_int(v),
            fmt_num(v, 1),
            fmt_num(v, 2),
            fmt_yuan(v, 1),
            fmt_yuan(v, 2),
            fmt_pct(v),
            fmt_pct(v, strip=True),
            fmt_pct(v, 2),
        ):
            out |= _tokens(s)
    return out


def assert_numbers_traced(text: str, unit: str, year: int, ind: pd.DataFrame, breaches=None) -> None:
    body = text.replace(unit, "")
    allowed = allowed_numbers(unit, year, ind, breaches)
    stray = sorted(_tokens(body) - allowed)
    assert not stray, f"numbers not from the indicator table: {stray}"


# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def text():
    return draft_summary(UNIT, 2023, IND, registry=REG)


def headings(md: str) -> list[str]:
    return [ln for ln in md.splitlines() if ln.startswith("## ")]


def test_title_and_structure(text):
    # no “（初稿）” and no note about the tool inside the text to be handed in
    assert text.splitlines()[0] == "# 甲分工会2023年度工作总结"
    assert "初稿" not in text and "台账" not in text and "自动生成" not in text
    # claim-style headings, from the data
    assert headings(text) == [
        "## 一、夯实组织基础，会员队伍不断壮大",  # members +3.3%
        "## 二、健全民主管理，职工诉求有效回应",  # all accepted proposals closed
        "## 三、深化劳动竞赛和技能比武，职工建功热情持续激发",  # 技能比武 held
        "## 四、用心用情服务职工，关爱举措落到实处",  # no 困难帮扶
        "## 五、加强教育培训，职工素质稳步提升",  # training, no media
        "## 六、规范经费管理，经费保障有力有效",
        "## 七、存在的问题与下一步打算",
    ]
    # an opening paragraph between title and first section
    opening = text.split("## 一")[0].splitlines()[2]
    assert opening.startswith("2023年，甲分工会") and opening.endswith("现将全年工作总结如下。")


def test_sentences_read_like_a_summary(text):
    # without the ledger the draft counts; it does not list categories (“其中文体活动8场”)
    assert "全年共组织开展各类职工活动26场次，同比增长30.0%，参与职工6,613人次，同比增长12.3%。" in text
    assert "其中文体活动" not in text
    # care: visits apart from 节日福利; the amount is not called 慰问金 without the form column
    assert "全年走访慰问职工34人次，涵盖生病住院、婚嫁、丧葬等情形。" in text
    assert "全年慰问帮扶支出1.19万元。" in text and "慰问金" not in text
    assert (
        "截至2023年底，单位共有职工1,934人，工会会员1,860人，同比增长3.3%，入会率96.2%，较上年提高1.2个百分点。" in text
    )
    assert "全年共征集职代会提案7件，立案6件，已办结6件，办结率100%，平均办理周期12.5天。" in text
    assert "全年经费收入112.5万元，经费支出60.02万元，经费使用率53.3%，当年结余52.52万元。" in text
    assert "支出中，职工活动支出25万元、职工服务支出15万元、维权支出10万元。" in text
    assert "全年开展技能比武4场次（参与300人次）" in text
    assert "组织开展各类教育培训，全年共3期，参训职工282人次，累计培训1,884学时，会员人均1学时。" in text
    # no awards, no publicity: not mentioned at all
    assert "荣誉" not in text.split("## 一")[0]
    assert "宣传" not in text.split("## 五、")[1].split("\n", 1)[1].split("##")[0]
    # ranked first among 4 peers on two size-free key indicators: in the opening, as the panel says it;
    # 会员人数 (size) is no highlight
    opening = text.split("## 一")[0]
    assert "入会率在同类单位中位居第一" in opening and "人均参与次数在同类单位中位居第一" in opening
    assert "会员人数" not in text


def test_every_number_comes_from_the_indicator_table(text):
    assert_numbers_traced(text, UNIT, 2023, IND)
    with_b = draft_summary(UNIT, 2023, IND, breaches=BREACHES, registry=REG)
    assert_numbers_traced(with_b, UNIT, 2023, IND, BREACHES)
    for u in ("乙分工会", "实验小学工会"):
        assert_numbers_traced(draft_summary(u, 2023, IND, registry=REG), u, 2023, IND)


def test_the_number_check_catches_an_invented_number(text):
    with pytest.raises(AssertionError, match="12,345"):
        assert_numbers_traced(text + "另有志愿者12,345人次。", UNIT, 2023, IND)


def test_facts_are_the_formatted_indicator_values():
    f = facts(UNIT, 2023, IND, registry=REG)
    assert f["v"]["members_total"] == "1,860"
    assert f["v"]["membership_rate"] == "96.2%"
    assert f["v"]["care_amount"] == "1.19万"
    assert f["v"]["proposal_close_rate"] == "100%"
    assert f["chg"]["activity_participants"] == "同比增长12.3%"
    assert f["chg"]["membership_rate"] == "较上年提高1.2个百分点"
    assert "care_visits" not in f["chg"]  # no previous year for it
    assert f["sections"] == {
        "org": True,
        "democracy": True,
        "activities": True,
        "care": True,
        "publicity": True,
        "funds": True,
    }
    assert [r["code"] for r in f["ranked"]] == ["first_in_peer", "first_in_peer", "close_rate_full"] or f["ranked"][0][
        "score"
    ] >= f["ranked"][-1]["score"]
    assert [c["name"] for c in f["contests"]] == ["技能比武"]  # 劳动竞赛 0 left out
    for s in f["numbers"]:
        assert _tokens(s) <= allowed_numbers(UNIT, 2023, IND)


def test_sections_without_data_are_left_out_and_renumbered():
    t = draft_summary("乙分工会", 2023, IND, registry=REG)
    # 民主管理 stays (every unit reports it), with a placeholder to fill in
    assert headings(t) == [
        "## 一、加强组织建设，工会基础不断夯实",
        "## 二、坚持民主管理，职工主人翁地位不断巩固",
        "## 三、规范经费管理，经费保障有力有效",
        "## 四、存在的问题与下一步打算",
    ]
    assert "【请补充：本年度召开职代会" in t


def test_school_wording_and_problems():
    t = draft_summary("实验小学工会", 2023, IND, registry=REG)
    assert headings(t) == [
        "## 一、加强组织建设，工会基础不断夯实",
        "## 二、健全民主管理，教职工建言献策渠道畅通",
        "## 三、存在的问题与下一步打算",
    ]
    assert (
        "教职工代表大会" in t
        and "校务公开" in t
        and "职代会" not in t
        and "教代会提案5件" in t
        and "单位共有教职工120人" in t
    )
    probs = t.split("### （一）存在的问题")[1].split("### （二）")[0]
    assert "一是提案办结率为60%，部分立案提案尚未办结" in probs
    plans = t.split("### （二）下一步打算")[1]
    assert "一是健全教职工代表大会提案督办机制" in plans


def test_breaches_are_in_the_checklist_not_in_the_text():
    t = draft_summary(UNIT, 2023, IND, breaches=BREACHES, registry=REG)
    assert t == draft_summary(UNIT, 2023, IND, registry=REG)  # the text to be handed in is the same
    for word in ("购物卡", "现金", "节日慰问不得", "1,500", "《办法》", "超出", "标准"):
        assert word not in t, word
    checks = checklist(facts(UNIT, 2023, IND, breaches=BREACHES, registry=REG))
    assert "第7行，节日慰问：与“节日慰问不得发放现金”不符，请核实后整改，不写入总结。" in checks
    assert "第5、6行，节日慰问：与“节日慰问年度标准”不符，请核实后整改，不写入总结。" in checks


def test_breaches_known_only_from_highlights():
    from gonghui_kit.analysis.highlights import highlights

    hl = highlights(IND, REG, BREACHES)
    t = draft_summary(UNIT, 2023, IND, highlights_df=hl, registry=REG)
    assert "节日慰问不得发放现金" not in t
    assert any(
        x.startswith("节日慰问不得发放现金：")
        for x in checklist(facts(UNIT, 2023, IND, highlights_df=hl, registry=REG))
    )
    assert_numbers_traced(t, UNIT, 2023, IND)


def problems_and_plans(t: str) -> tuple[list[str], list[str]]:
    probs = t.split("### （一）存在的问题")[1].split("### （二）")[0]
    plans = t.split("### （二）下一步打算")[1].split("\n\n")[1]
    return re.findall(r"[一二三四五]是", probs), re.findall(r"[一二三四五]是", plans)


def test_without_shortcomings_still_two_or_three_true_problems(text):
    probs, plans = problems_and_plans(text)
    assert 2 <= len(probs) <= 3 and len(plans) == len(probs)
    body = text.split("### （一）存在的问题")[1]
    assert "未发现明显短板" not in body and "台账" not in text
    assert "入会率为96.2%" in body  # true: not everyone is a member
    # the closing line names what went well, without a percentage
    closing = text.strip().splitlines()[-1]
    assert "继续保持" in closing and "的良好势头" in closing
    assert "%" not in closing and "百分点" not in closing and not re.search(r"\d", closing)


def test_sparse_data_reads_cleanly():
    """Any subset of indicators: no dangling punctuation, placeholders or dashes."""
    rng = np.random.default_rng(0)
    full = unit_rows(UNIT, 2023, **JIA_2023) + unit_rows(UNIT, 2023, **JIA_CATS)
    for _ in range(60):
        keep = [r for r in full if rng.random() < 0.5] + [(UNIT, 2023, "members_total", "", 0)]
        if rng.random() < 0.3:  # some zeros and a negative balance
            keep += [(UNIT, 2023, "balance", "", -12_000.0), (UNIT, 2023, "expense_ratio", "", 0.0)]
        ind = tidy(keep).drop_duplicates(["unit", "year", "indicator", "category"])
        t = draft_summary(UNIT, 2023, ind)
        for bad in ("，，", "，。", "。。", "，；", "None", "nan", "—", "{{", "}}", "Undefined"):
            assert bad not in t, (bad, t)
        assert headings(t)[-1].endswith("存在的问题与下一步打算")
        assert_numbers_traced(t, UNIT, 2023, ind)


def test_unknown_unit_year():
    with pytest.raises(KeyError, match="戊分工会"):
        draft_summary("戊分工会", 2023, IND)
    with pytest.raises(KeyError):
        draft_summary(UNIT, 2030, IND)


def test_without_registry_and_previous_year():
    ind = IND[(IND["unit"] == UNIT) & (IND["year"] == 2023)]
    t = draft_summary(UNIT, 2023, ind)
    assert "同比" not in t and "较上年" not in t
    assert "在同类单位中" not in t  # no peers
    assert_numbers_traced(t, UNIT, 2023, ind)


def test_summary_command_on_the_sample(sample_dir, tmp_path, capsys, monkeypatch):
    from gonghui_kit.cli import summary_command
    from gonghui_kit.errors import UserError

    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)  # params/units.yaml and params/standards.yaml
    out = tmp_path / "机修.docx"
    assert summary_command(sample_dir, "机修分工会", 2024, out) == 0
    assert out.exists()
    md = tmp_path / "机修.md"
    assert summary_command([sample_dir], "机修分工会", 2024, md) == 0
    t = md.read_text(encoding="utf-8")
    assert t.startswith("# 机修分工会2024年度工作总结\n")
    assert (tmp_path / "机修-核查清单.md").exists() and (tmp_path / "机修-核查清单.md").read_text(
        encoding="utf-8"
    ).startswith("# 机修分工会")
    assert not re.search(r"P[0-9a-f]{12}", t)  # no pseudonym tokens
    assert summary_command(sample_dir, "机修分工会", 2024, None) == 0
    assert capsys.readouterr().out.startswith("# 机修分工会")
    with pytest.raises(UserError, match="没有"):
        summary_command(sample_dir, "不存在的工会", 2024, None)
    with pytest.raises(UserError, match="docx"):
        summary_command(sample_dir, "机修分工会", 2024, tmp_path / "x.pdf")


# --------------------------------------------------------------------------
# on the sample ledgers: names traced to ledger rows, wording by kind


@pytest.fixture(scope="module")
def sample_ledger(sample_dir):
    from gonghui_kit import resources
    from gonghui_kit.analysis.indicators import compute_indicators
    from gonghui_kit.analysis.standards import breaches_frame
    from gonghui_kit.ingest.load import load_ledgers

    reg = UnitRegistry.from_yaml(Path(__file__).resolve().parents[2] / "params" / "units.yaml")
    ledger = load_ledgers([sample_dir / "2023", sample_dir / "2024"], registry=reg)
    ind = compute_indicators(ledger)
    b = breaches_frame(ledger, ind, resources.standards(warn=False)[0], reg)
    return ledger, ind, b, reg


def ledger_numbers(ledger, unit, year) -> set[str]:
    """Numbers a named sentence may carry besides the indicator table: months of
    ledger rows and the care amounts by form (慰问金 / 慰问品)."""
    out: set[str] = set()
    for key in ("activities", "training", "publicity", "proposals", "awards"):
        t = ledger.tables[key]
        out |= {str(int(m)) for m in t.loc[(t["unit"] == unit) & (t["year"] == year), "month"].dropna()}
    care = ledger.tables["care"]
    c = care[(care["unit"] == unit) & (care["year"] == year)]
    for v in c.groupby("form")["amount"].sum().tolist() + [
        c["visits"].sum() - c.loc[c["reason"] == "节日慰问", "visits"].sum()
    ]:
        out |= _tokens(fmt_yuan(v, 2)) | _tokens(fmt_int(v))
    return out


@pytest.mark.parametrize("unit", ["机修分工会", "阳光幼儿园工会", "区财政局机关工会"])
def test_names_come_from_ledger_rows(sample_ledger, unit):
    ledger, ind, b, reg = sample_ledger
    f = facts(unit, 2024, ind, breaches=b, registry=reg, tables=ledger)
    t = draft_summary(unit, 2024, ind, breaches=b, registry=reg, tables=ledger)
    assert f["sources"], "the draft names nothing"
    sheet_of = {
        "flagships": "activities",
        "contests": "activities",
        "awards": "awards",
        "awards_individual": "awards",
        "media": "publicity",
        "training": "training",
        "proposals_closed": "proposals",
        "proposals_open": "proposals",
    }
    col = {"activities": "name", "awards": "name", "publicity": "title", "training": "name", "proposals": "title"}
    for s in f["sources"]:
        tab = ledger.tables[sheet_of[s["what"]]]
        row = tab[
            (tab["unit"] == unit)
            & (tab["year"] == 2024)
            & (tab["excel_row"] == s["excel_row"])
            & (tab["sheet"] == s["sheet"])
        ]
        assert len(row) == 1, s
        ledger_name = str(row[col[sheet_of[s["what"]]]].iloc[0])
        assert ledger_name.startswith(s["name"]) and s["name"], (s, ledger_name)
        if s["what"] not in ("awards_individual",):
            assert s["name"] in t, s
    # every number: the indicator table, or a month / care amount of the ledger
    body = t.replace(unit, "")
    from gonghui_kit.analysis.compare import ranks

    rk = ranks(ind, reg, year=2024)
    peer = set().union(
        *(
            _tokens(fmt_num(v, 1)) | _tokens(fmt_pct(v, strip=True))
            for v in rk.loc[rk["unit"] == unit, "peer_median"].dropna()
        )
    )
    stray = _tokens(body) - allowed_numbers(unit, 2024, ind, b) - ledger_numbers(ledger, unit, 2024) - peer
    assert not stray, stray
    assert not re.search(r"P[0-9a-f]{12}", t)  # no person codes


def test_company_draft_names_flagships_awards_and_proposals(sample_ledger):
    ledger, ind, b, reg = sample_ledger
    t = draft_summary("机修分工会", 2024, ind, breaches=b, registry=reg, tables=ledger)
    opening = t.split("## 一")[0]
    # the best highlight (a 省部级 collective award) reaches the prose, by name, highest level first
    assert "荣获省部级“模范职工小家”、市厅级“先进职工之家”等荣誉" in opening
    assert re.search(r"\d+月(举办|组织|开展)", t)  # flagship activities with their month
    assert "“关于改进" in t and "提案已办结并向提案人反馈办理结果" in t
    # a 横幅 marked 国家级 is no 媒体刊发
    assert "国家级媒体" not in t and "媒体刊发" not in t
    assert "其中慰问金" in t and "慰问品折合" in t  # 慰问金 vs 慰问品 from the form column
    assert "节日福利" in t
    closing = t.strip().splitlines()[-1]
    assert "%" not in closing and not re.search(r"\d", closing)


def test_kindergarten_wording_and_missing_proposals_sheet(sample_ledger):
    ledger, ind, b, reg = sample_ledger
    t = draft_summary("阳光幼儿园工会", 2024, ind, breaches=b, registry=reg, tables=ledger)
    assert "教职工" in t and "教代会" in t and "教职工代表大会" in t and "园务公开" in t
    assert "职代会" not in t and "广大职工" not in t
    assert "民主管理" in "".join(headings(t))  # no 职代会提案 sheet: the section stays, with a placeholder
    assert "在【单位党组织】和区教育工会的坚强领导下" in t
    # not in the roster: the kind is read from the name, and the secretary is told
    bare = UnitRegistry.from_dict({"units": []})
    f = facts("阳光幼儿园工会", 2024, ind, registry=bare, tables=ledger)
    assert f["worker"] == "教职工" and any("按名称推断为幼儿园" in x for x in checklist(f))


def test_one_year_of_data_gives_two_or_three_problems(sample_ledger):
    ledger, ind, _b, reg = sample_ledger
    one = ind[ind["year"] == 2024]
    for unit in ("机修分工会", "阳光幼儿园工会", "区财政局机关工会"):
        t = draft_summary(unit, 2024, one, registry=reg, tables=ledger)
        probs, plans = problems_and_plans(t)
        assert 2 <= len(probs) <= 3 and len(plans) == len(probs), t
        assert "台账" not in t and "未发现明显短板" not in t


def test_breaches_of_the_sample_go_to_the_checklist(sample_ledger):
    ledger, ind, b, reg = sample_ledger
    f = facts("阳光幼儿园工会", 2023, ind, breaches=b, registry=reg, tables=ledger)
    t = draft_summary("阳光幼儿园工会", 2023, ind, breaches=b, registry=reg, tables=ledger)
    assert "购物卡" not in t and "不符合" not in t
    assert (
        "慰问帮扶第5行，节日慰问，“形式”填为“现金”：与“节日慰问不得发放现金和购物卡”不符，请核实后整改，不写入总结。"
        in checklist(f)
    )


def test_overspending_is_never_praised():
    rows = unit_rows(UNIT, 2023, income_total=100_000, expense_total=100_200, expense_ratio=1.002, members_total=100)
    for u, r in (("乙分工会", 0.8), ("丙分工会", 0.9), ("丁分工会", 0.7)):
        rows += unit_rows(u, 2023, expense_ratio=r, members_total=100)
    t = draft_summary(UNIT, 2023, tidy(rows), registry=REG)
    assert "经费使用率" not in t.split("## ")[0] and "经费使用率同类" not in t
    probs = t.split("### （一）存在的问题")[1].split("### （二）")[0]
    assert "经费支出超过当年收入，经费使用率为100.2%" in probs
    assert "经费保障有力有效" not in t
