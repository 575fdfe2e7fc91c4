"""export.py: indicators.xlsx — layout, formats, text safety, re-loadable (and LibreOffice when present)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from gonghui_kit.analysis.indicators import TOPICS
from gonghui_kit.analysis.units import UnitRegistry
from gonghui_kit.present.xlsx import number_format, write_indicators_xlsx

EVIL = ['=HYPERLINK("http://x","点我")', "+1+2", "-3分工会", "@SUM(A1)"]


def tidy(rows):
    return pd.DataFrame(rows, columns=["unit", "year", "indicator", "category", "value"]).astype(
        {"year": "int64", "value": "float64"}
    )


def make_ind(units=("甲分工会", "乙分工会", "丙分工会"), years=(2023,)):
    rows = []
    for n, u in enumerate(units):
        for y in years:
            k = n + 1 + (y - 2023)
            rows += [
                (u, y, "employees", "", 100 * k),
                (u, y, "members_total", "", 90 * k),
                (u, y, "membership_rate", "", 0.9),
                (u, y, "activities", "", 10 * k),
                (u, y, "activities", "文体活动", 4 * k),
                (u, y, "activities", "技能比武", 0),
                (u, y, "activity_participants", "", 1860 * k),
                (u, y, "income_total", "", 105000.5 * k),
                (u, y, "expense_total", "", 90000 * k),
                (u, y, "expense_total", "职工活动支出", 50000 * k),
                (u, y, "proposal_days", "", 10.0 * k),
                (u, y, "proposal_close_rate", "", float("nan") if n == 0 else 0.5 * n),
                (u, y, "publicity_items", "级别:省级", 2),
                (u, y, "awards", "", k),
            ]
    return tidy(rows)


def load(path):
    return openpyxl.load_workbook(path)


def rows_of(ws):
    return {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}


def test_sheets_layout_and_formats(tmp_path):
    p = write_indicators_xlsx(tmp_path / "indicators.xlsx", make_ind())
    assert p.exists() and not list(tmp_path.glob("*.part"))
    wb = load(p)
    assert wb.sheetnames == ["说明", *TOPICS, "长表"]
    assert set(TOPICS) == {"组织建设", "职工活动", "经费管理", "关爱帮扶", "民主管理", "宣传教育", "荣誉表彰"}
    ws = wb["职工活动"]
    assert ws["A1"].value == "职工活动指标（2023年）"
    assert [ws.cell(2, c).value for c in range(1, 5)] == ["指标", "甲分工会", "乙分工会", "丙分工会"]
    assert ws["A2"].font.bold and ws["B2"].font.bold
    assert ws.freeze_panes == "B3"
    r = rows_of(ws)
    # indicators as rows, categories indented under them; all-zero categories dropped
    assert r["活动场次"] < r["文体活动"] < r["参与人次"]
    assert "技能比武" not in r
    assert ws.cell(r["文体活动"], 1).alignment.indent == 2
    assert ws.row_dimensions[r["文体活动"]].outline_level == 1
    assert ws.cell(r["参与人次"], 2).value == 1860
    assert ws.cell(r["参与人次"], 2).number_format == '#,##0"人次"'
    assert ws.cell(r["活动场次"], 3).value == 20
    assert ws.cell(r["活动场次"], 3).number_format == '#,##0"场次"'
    org = wb["组织建设"]
    ro = rows_of(org)
    assert org.cell(ro["入会率"], 2).number_format == "0.0%"
    fund = wb["经费管理"]
    rf = rows_of(fund)
    assert fund.cell(rf["经费收入合计"], 2).value == pytest.approx(105000.5)
    assert fund.cell(rf["经费收入合计"], 2).number_format == '#,##0.00"元"'
    # missing stays empty, never 0
    dem = wb["民主管理"]
    rd = rows_of(dem)
    assert dem.cell(rd["办结率"], 2).value is None
    assert dem.cell(rd["平均办理天数"], 4).value == 30
    # colour scales on key indicators only
    ranges = {str(cf.sqref) for cf in ws.conditional_formatting}
    assert f"B{r['活动场次']} C{r['活动场次']} D{r['活动场次']}" in ranges
    cf_rows = {int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for x in ranges for ref in x.split()}
    assert r["文体活动"] not in cf_rows and r["活动场次"] in cf_rows


def test_rank_block(tmp_path):
    reg = UnitRegistry.from_dict(
        {
            "units": [
                {"name": "甲分工会", "peer_group": "企业"},
                {"name": "乙分工会", "peer_group": "学校"},
                {"name": "丙分工会", "peer_group": "企业"},
            ]
        }
    )
    wb = load(write_indicators_xlsx(tmp_path / "i.xlsx", make_ind(), registry=reg))
    ws = wb["职工活动"]
    # peers side by side: 企业 (甲, 丙) then 学校 (乙)
    assert [ws.cell(2, c).value for c in range(2, 5)] == ["甲分工会", "丙分工会", "乙分工会"]
    r = rows_of(ws)
    assert "同类排名（1为最好）" in r
    assert [ws.cell(r["同类分组"], c).value for c in range(2, 5)] == ["企业", "企业", "学校"]
    # 活动场次: 甲 10, 丙 30 (企业) → 丙 1st of 2, 甲 2nd; 乙 alone
    assert [ws.cell(r["活动场次排名"], c).value for c in range(2, 5)] == [2, 1, 1]
    assert ws.cell(r["活动场次排名"], 2).number_format == '0"/"2'
    # lower is better is not a key indicator → no rank row; 办结率 is
    dem = wb["民主管理"]
    rd = rows_of(dem)
    assert "平均办理天数排名" not in rd
    assert dem.cell(rd["办结率排名"], 2).value is None  # 甲 has no rate


def test_several_years_two_header_rows(tmp_path):
    wb = load(write_indicators_xlsx(tmp_path / "i.xlsx", make_ind(years=(2022, 2023))))
    ws = wb["组织建设"]
    assert ws["A1"].value == "组织建设指标（2022—2023年）"
    assert [ws.cell(2, c).value for c in range(1, 6)] == ["指标", "甲分工会", None, "乙分工会", None]
    assert [ws.cell(3, c).value for c in range(1, 4)] == ["年度", "2022年", "2023年"]
    assert "B2:C2" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.freeze_panes == "B4"
    r = rows_of(ws)
    assert ws.cell(r["会员人数"], 2).value == 0 and ws.cell(r["会员人数"], 3).value == 90
    only = load(write_indicators_xlsx(tmp_path / "j.xlsx", make_ind(years=(2022, 2023)), year=2023))
    assert only["组织建设"]["A1"].value == "组织建设指标（2023年）"
    assert {c.value for c in only["长表"]["B"][1:]} == {2023}


def test_long_sheet_and_readme(tmp_path):
    ind = make_ind()
    wb = load(write_indicators_xlsx(tmp_path / "i.xlsx", ind))
    ws = wb["长表"]
    assert [c.value for c in ws[1]] == ["单位", "年度", "指标", "分类", "数值", "计量", "指标代码"]
    assert ws.max_row == len(ind) + 1
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "乙分工会" and r[6] == "publicity_items")
    assert row == ("乙分工会", 2023, "宣传数量", "级别：省级", 2, "篇（期）", "publicity_items")
    assert ws.auto_filter.ref == f"A1:G{len(ind) + 1}"
    readme = wb["说明"]
    text = "\n".join(str(c.value) for col in readme.iter_cols() for c in col if c.value)
    assert "入会率" in text and "会员人数 ÷ 职工人数" in text and "空白表示缺失" in text
    assert "单位数：3" in text


def test_text_never_becomes_a_formula(tmp_path):
    ind = make_ind(units=tuple(EVIL))
    p = write_indicators_xlsx(tmp_path / "evil.xlsx", ind)
    wb = load(p)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    seen.add(c.value)
    assert set(EVIL) <= seen
    # and in the XML: no <f> element at all
    import zipfile

    with zipfile.ZipFile(p) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(n) and b"<f " not in z.read(n)


def test_empty_table(tmp_path):
    wb = load(write_indicators_xlsx(tmp_path / "e.xlsx", tidy([])))
    assert wb.sheetnames[0] == "说明" and wb.sheetnames[-1] == "长表"


def test_number_formats():
    assert number_format("employees") == '#,##0"人"'
    assert number_format("proposal_days") == '#,##0.0"天"'
    assert number_format("training_hours") == '#,##0"学时"'
    assert number_format("awards") == '#,##0"项"'


def _office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_office() is None, reason="LibreOffice (soffice) is not installed on this machine")
def test_libreoffice_opens_it(tmp_path):
    p = write_indicators_xlsx(
        tmp_path / "indicators.xlsx", make_ind(units=("甲分工会", "=乙", "丙分工会"), years=(2022, 2023))
    )
    out = tmp_path / "pdf"
    r = subprocess.run(
        [_office(), "--headless", "--convert-to", "pdf", "--outdir", str(out), str(p)], capture_output=True, timeout=180
    )
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    pdf = out / "indicators.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000


@pytest.mark.slow
def test_on_the_sample(sample_dir, tmp_path):
    from gonghui_kit.analysis.indicators import compute_indicators
    from gonghui_kit.ingest.load import load_ledgers

    root = Path(__file__).resolve().parents[2]
    reg = UnitRegistry.from_yaml(root / "params" / "units.yaml")
    ind = compute_indicators(load_ledgers([sample_dir], registry=reg))
    wb = load(write_indicators_xlsx(tmp_path / "s.xlsx", ind, registry=reg))
    ws = wb["组织建设"]
    units = {ws.cell(2, c).value for c in range(2, ws.max_column + 1)} - {None}
    assert units == set(ind["unit"])
    assert "动力分厂分工会" in units and "动力车间分工会" not in units  # renamed unit merged


def test_cell_styles_in_every_workbook(tmp_path):
    """Styles are assigned once per combination and copied (export._apply_style);
    a second workbook written in the same process gets them all again."""
    reg = UnitRegistry.from_dict(
        {
            "units": [
                {"name": "甲分工会", "peer_group": "企业"},
                {"name": "乙分工会", "peer_group": "企业"},
                {"name": "丙分工会", "peer_group": "企业"},
            ]
        }
    )
    for name in ("a.xlsx", "b.xlsx"):
        wb = load(write_indicators_xlsx(tmp_path / name, make_ind(years=(2022, 2023)), registry=reg))
        ws = wb["职工活动"]
        r = rows_of(ws)
        head = ws.cell(2, 4)  # 乙分工会 (B2:C2 merged, D2:E2 …)
        assert (
            head.font.bold
            and head.fill.fgColor.rgb == "00DDEBF7"
            and head.border.left.style == "thin"
            and head.alignment.horizontal == "center"
        )
        assert ws.cell(3, 2).value == "2022年" and ws.cell(3, 2).fill.fgColor.rgb == "00DDEBF7"
        label, sub = ws.cell(r["活动场次"], 1), ws.cell(r["文体活动"], 1)
        assert label.font.bold and label.border.bottom.style == "thin" and label.alignment.indent == 0
        assert not sub.font.bold and sub.alignment.indent == 2 and sub.border.top.style == "thin"
        value = ws.cell(r["参与人次"], 3)
        assert value.number_format == '#,##0"人次"' and value.border.right.style == "thin" and not value.font.bold
        block = r["同类排名（1为最好）"]
        assert (
            ws.cell(block, 1).font.bold
            and ws.cell(block, 1).fill.fgColor.rgb == "00F2F2F2"
            and ws.cell(block, 4).fill.fgColor.rgb == "00F2F2F2"
        )
        rank = ws.cell(r["活动场次排名"], 2)
        assert (
            rank.alignment.horizontal == "center" and rank.number_format == '0"/"3' and rank.border.left.style == "thin"
        )
        assert (
            wb["说明"]["A1"].font.sz == 14
            and wb["长表"]["A1"].font.bold
            and wb["长表"]["A2"].number_format == "General"
        )
