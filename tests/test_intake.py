"""What grassroots unions really send (intake issue): each kind of ledger
read correctly, or an error naming the cell — never silently wrong.

Every test builds its workbook with openpyxl (conftest's ``Sheet`` /
``make_book``) and asserts exact indicator values and findings with cells.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import openpyxl
import pandas as pd
import pytest
from conftest import UNIT, YEAR, Sheet, findings_at, one_finding

pytestmark = pytest.mark.usefixtures("load_book")

ACT = "活动台账"
HEAD = ["日期", "活动名称", "活动类别", "参与人数", "支出金额"]


def indicators(path):
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.ingest.load import load_ledgers

    ind = compute_indicators(load_ledgers(path))
    return lambda key, cat="": value_of(ind, UNIT, YEAR, key, cat)


def check_exit(path) -> int:
    from gonghui_kit.cli import main

    return main(["check", str(path), "--format", "json"])


def codes(findings, severity=None):
    return sorted({f.code for f in findings if severity is None or f.severity == severity})


def edit(book, fn):
    """Change the written workbook with openpyxl (merges, hidden sheets …)."""
    wb = openpyxl.load_workbook(book.path)
    fn(wb)
    wb.save(book.path)


# --------------------------------------------------------------------------
# values


def test_chinese_capital_amounts(make_book, load_book, tmp_path):
    book = make_book(
        {
            ACT: Sheet(
                [
                    HEAD,
                    ["2023-07-01", "篮球赛", "文体活动", 20, "叁仟元整"],
                    ["2023-08-01", "歌咏", "文体活动", 30, "壹万零伍佰元"],
                    ["2023-09-01", "健步走", "文体活动", "三十人", "1.2万"],
                ]
            )
        }
    )
    res = load_book(book)
    assert res.tables["activities"]["amount"].tolist() == [3000.0, 10500.0, 12000.0]
    f = one_finding(res.findings, row=book.row(ACT, 2), code="number_chinese")
    assert (f.column, f.value, f.col, f.severity) == ("支出金额", "壹万零伍佰元", 5, "info")
    get = indicators(tmp_path)
    assert get("activity_spend") == 25500 and get("activity_participants") == 80
    assert check_exit(tmp_path) == 0


def test_dates_typed_as_numbers_two_digit_years_and_months(make_book, load_book, tmp_path):
    book = make_book(
        {
            ACT: Sheet(
                [
                    HEAD,
                    [2023.3, "甲", "文体活动", 1, 10],
                    [2023.12, "乙", "文体活动", 2, 20],
                    [2023.1, "丙", "文体活动", 4, 40],
                    ["23-5-8", "丁", "文体活动", 8, 80],
                    ["2023年6月", "戊", "文体活动", 16, 160],
                ]
            )
        }
    )
    res = load_book(book)
    df = res.tables["activities"]
    assert df["month"].tolist() == [3, 12, 1, 5, 6]  # never a 1905 date, never dropped
    assert [str(d.date()) for d in df["date"]] == ["2023-03-01", "2023-12-01", "2023-01-01", "2023-05-08", "2023-06-01"]
    amb = one_finding(res.findings, row=book.row(ACT, 3), code="date_ym_ambiguous")
    assert (amb.severity, amb.column, amb.col, amb.value) == ("warning", "日期", 1, "2023.1")
    assert one_finding(res.findings, row=book.row(ACT, 4), code="date_two_digit_year").severity == "info"
    assert not findings_at(res.findings, code="other_year")
    get = indicators(tmp_path)
    assert get("activities") == 5 and get("activity_participants") == 31
    assert get("activities_by_month", "01") == 1 and get("activities_by_month", "12") == 1


def test_account_codes_before_or_instead_of_the_name(make_book, load_book, tmp_path):
    book = make_book(
        {
            "经费收支": Sheet(
                [
                    ["日期", "科目", "摘要", "金额"],
                    ["2023-01-05", "401 会费收入", "会费", 5000],
                    ["2023-02-05", 402, "拨缴经费", 8000],
                    ["2023-03-05", "501 职工活动支出", "篮球赛", 1200],
                    ["2023-04-05", "50101", "培训", 300],
                    ["2023-05-05", "501职工活动支出-会员活动支出", "生日", 100],
                    ["2023-06-05", "503", "困难帮扶", 600],
                ]
            )
        }
    )
    res = load_book(book)
    df = res.tables["funds"]
    assert df["account"].tolist() == [
        "会费收入",
        "拨缴经费收入",
        "职工活动支出",
        "职工活动支出",
        "职工活动支出",
        "维权支出",
    ]
    assert df["direction"].tolist() == ["收入"] * 2 + ["支出"] * 4
    f = one_finding(res.findings, row=book.row("经费收支", 2), code="account_code")
    assert (f.column, f.col, f.value) == ("科目", 2, "402")
    get = indicators(tmp_path)
    assert get("income_total") == 13000 and get("expense_total") == 2200
    assert get("expense_total", "职工活动支出") == 1600 and get("income_total", "会费收入") == 5000
    assert check_exit(tmp_path) == 0


def test_account_code_against_its_name_is_a_warning(make_book, load_book):
    book = make_book({"经费收支": Sheet([["日期", "科目", "金额"], ["2023-01-05", "401 职工活动支出", 50]])})
    res = load_book(book)
    f = one_finding(res.findings, row=book.row("经费收支", 1), code="account_code_conflict")
    assert f.severity == "warning" and res.tables["funds"]["account"].tolist() == ["会费收入"]


# --------------------------------------------------------------------------
# rows


def test_totals_of_any_label_length_and_signature_lines(make_book, load_book, tmp_path):
    book = make_book(
        {
            ACT: Sheet(
                [
                    HEAD,
                    ["2023-07-01", "篮球赛", "文体活动", 20, 100],
                    ["2023-08-01", "歌咏", "文体活动", 30, 200],
                    ["2023年全年合计", None, None, 50, 300],
                    ["合计：2场", None, None, 50, 300],
                    ["总计", None, None, 50, 300],
                    ["负责人签字：", "张三", None, "填表日期：", "2024-01-10"],
                    ["单位（盖章）", None, None, None, None],
                ]
            )
        }
    )
    res = load_book(book)
    assert res.tables["activities"]["name"].tolist() == ["篮球赛", "歌咏"]
    for i in (3, 4, 5):
        assert one_finding(res.findings, row=book.row(ACT, i), code="subtotal").action == "excluded"
    sig = one_finding(res.findings, row=book.row(ACT, 6), code="signature")
    assert (sig.value, sig.col, sig.action) == ("负责人签字", 1, "excluded")  # the label only, never the name
    assert "张三" not in repr(res.findings)
    assert one_finding(res.findings, row=book.row(ACT, 7), code="signature").value == "单位（盖章）"
    st = res.stats[0]
    assert (st["subtotals"], st["notes"], st["records"]) == (3, 2, 2)
    get = indicators(tmp_path)
    assert get("activities") == 2 and get("activity_participants") == 50
    assert check_exit(tmp_path) == 0


def test_repeated_header_row_mid_sheet(make_book, load_book, tmp_path):
    book = make_book(
        {
            ACT: Sheet(
                [
                    HEAD,
                    ["2023-07-01", "篮球赛", "文体活动", 20, 100],
                    ["日期", "活动名称", "活动类别", "参与人数", "支出金额"],
                    ["2023-08-01", "歌咏", "文体活动", 30, 200],
                ]
            )
        }
    )
    res = load_book(book)
    assert res.tables["activities"]["participants"].tolist() == [20.0, 30.0]
    f = one_finding(res.findings, row=book.row(ACT, 2), code="repeated_header")
    assert f.action == "excluded" and f.severity == "info"
    assert not findings_at(res.findings, code="date_invalid") and not findings_at(res.findings, code="number_invalid")
    assert check_exit(tmp_path) == 0


def test_merged_cells_apply_to_every_row_they_span(make_book, load_book, tmp_path):
    care = "慰问帮扶"
    book = make_book(
        {
            ACT: Sheet(
                [
                    HEAD,
                    ["2023-07-01", "篮球赛", "文体活动", 20, 100],
                    [None, "乒乓球", "文体活动", 10, 50],
                    [None, "羽毛球", "文体活动", 8, 40],
                ]
            ),
            care: Sheet(
                [
                    ["日期", "慰问对象", "事由", "金额"],
                    ["2023-03-01", "甲", "生病住院", 500],
                    ["2023-03-02", "乙", None, 500],
                ]
            ),
        }
    )

    def merge(wb):
        r = book.row(ACT, 1)
        wb[ACT].merge_cells(start_row=r, start_column=1, end_row=r + 2, end_column=1)
        r = book.row(care, 1)
        wb[care].merge_cells(start_row=r, start_column=3, end_row=r + 1, end_column=3)

    edit(book, merge)
    res = load_book(book)
    assert res.tables["activities"]["month"].tolist() == [7, 7, 7]
    assert res.tables["care"]["reason"].tolist() == ["生病住院", "生病住院"]
    f = one_finding(res.findings, sheet=ACT, row=book.row(ACT, 1), code="merged_cells")
    assert f.col == 1 and "第" in f.message
    assert not findings_at(res.findings, code="no_date")
    get = indicators(tmp_path)
    assert get("activities_by_month", "07") == 3 and get("care_amount", "生病住院") == 1000


def test_hidden_copy_of_a_sheet_is_left_out(make_book, load_book, tmp_path):
    rows = [HEAD, ["2023-07-01", "篮球赛", "文体活动", 20, 100], ["2023-08-01", "歌咏", "文体活动", 30, 200]]
    book = make_book({ACT: Sheet(rows), "活动台账 (旧)": Sheet(rows[:2])})
    edit(book, lambda wb: setattr(wb["活动台账 (旧)"], "sheet_state", "hidden"))
    res = load_book(book)
    assert len(res.tables["activities"]) == 2
    f = one_finding(res.findings, sheet="活动台账 (旧)", code="hidden_copy")
    assert f.severity == "warning" and f.action == "excluded"
    assert indicators(tmp_path)("activity_participants") == 50


def test_hidden_sheet_with_other_records_is_an_error(make_book, load_book, tmp_path):
    book = make_book(
        {
            ACT: Sheet([HEAD, ["2023-07-01", "篮球赛", "文体活动", 20, 100]]),
            "活动台账2": Sheet([HEAD, ["2023-09-01", "登山", "文体活动", 9, 90]]),
        }
    )
    edit(book, lambda wb: setattr(wb["活动台账2"], "sheet_state", "hidden"))
    res = load_book(book)
    assert one_finding(res.findings, sheet="活动台账2", code="hidden_sheet_differs").severity == "error"
    assert len(res.tables["activities"]) == 1
    assert check_exit(tmp_path) == 1


def test_hidden_sheet_alone_of_its_kind_is_read(make_book, load_book, tmp_path):
    book = make_book({ACT: Sheet([HEAD, ["2023-07-01", "篮球赛", "文体活动", 20, 100]])})
    edit(book, lambda wb: setattr(wb[ACT], "sheet_state", "hidden"))
    res = load_book(book)
    assert len(res.tables["activities"]) == 1
    assert one_finding(res.findings, sheet=ACT, code="hidden_sheet").severity == "warning"
    assert "活动台账" not in res.absent_sheets


# --------------------------------------------------------------------------
# renamed sheets, real column wording, member status


def test_renamed_sheets_and_real_column_wording(make_book, load_book, tmp_path):
    book = make_book(
        {
            "活动登记": Sheet(
                [
                    ["序号", "活动时间", "活动主题", "活动地点", "参加人次", "活动经费（元）"],
                    [1, "2023-05-01", "劳动节游园", "食堂", 120, 3000],
                ]
            ),
            "经费流水": Sheet(
                [
                    ["序号", "记账日期", "凭证编号", "摘要", "科目名称", "发生额", "余额"],
                    [1, "2023-01-10", "记-1", "收会费", "会费收入", 6000, 6000],
                    [2, "2023-05-01", "记-2", "游园", "职工活动支出", 3000, 3000],
                ]
            ),
            "走访慰问记录": Sheet(
                [
                    ["走访日期", "走访对象", "慰问原因", "慰问金额", "慰问形式"],
                    ["2023-02-01", "王五", "生病住院", 800, "慰问金"],
                ]
            ),
        }
    )
    res = load_book(book)
    assert not findings_at(res.findings, code="unknown_column")
    assert not findings_at(res.findings, code="unknown_sheet")
    absent = [f.message for f in res.findings if f.code == "sheet_absent"]
    assert not any(w in m for m in absent for w in ("职工活动", "经费", "慰问"))
    get = indicators(tmp_path)
    assert get("activities") == 1 and get("activity_participants") == 120 and get("activity_spend") == 3000
    assert get("income_total") == 6000 and get("expense_total") == 3000  # 余额 is not added
    assert get("care_visits") == 1 and get("care_amount") == 800
    assert check_exit(tmp_path) == 0


def test_members_who_left_are_not_counted(make_book, load_book, tmp_path):
    book = make_book(
        {
            "会员名册": Sheet(
                [
                    ["姓名", "性别", "入会时间", "会籍状态", "转出时间"],
                    ["甲", "男", "2015-01-01", "在册", None],
                    ["乙", "女", "2016-01-01", "已转出", "2023-06-30"],
                    ["丙", "女", "2016-01-01", "转出", "2024-02-01"],
                    ["丁", "男", "2023-03-01", None, None],
                ]
            )
        }
    )
    res = load_book(book)
    assert res.tables["members"]["status"].tolist() == ["在册", "转出", "转出", "在册"]
    get = indicators(tmp_path)
    assert get("members_total") == 3  # 乙 left in the year; 丙 only next year
    assert get("members_new") == 1


# --------------------------------------------------------------------------
# exit 0 means nothing was left uncounted


def test_unknown_column_with_content_is_an_error_naming_the_cell(make_book, load_book, tmp_path):
    book = make_book(
        {ACT: Sheet([[*HEAD, "自定义", "空列"], ["2023-07-01", "篮球赛", "文体活动", 20, 100, "x", None]])}
    )
    res = load_book(book)
    f = one_finding(res.findings, code="unknown_column", column="自定义")
    assert (f.severity, f.row, f.col, f.sheet) == ("error", book.row(ACT, 0), 6, ACT)
    assert "F列" in f.message and "删除" in f.message
    empty = one_finding(res.findings, code="unknown_column", column="空列")
    assert empty.severity == "info"
    assert check_exit(tmp_path) == 1


def test_unknown_sheet_with_content_is_an_error(make_book, load_book, tmp_path):
    book = make_book(
        {
            ACT: Sheet([HEAD, ["2023-07-01", "篮球赛", "文体活动", 20, 100]]),
            "Sheet3": Sheet([["随手记", None], ["买水", 20]]),
            "填表说明": Sheet([["按模板填写"]]),
        }
    )
    res = load_book(book)
    f = one_finding(res.findings, sheet="Sheet3", code="unknown_sheet")
    assert f.severity == "error" and "删除" in f.message
    assert not findings_at(res.findings, sheet="填表说明")
    assert check_exit(tmp_path) == 1


def test_value_not_understood_is_an_error(make_book, load_book, tmp_path):
    book = make_book({ACT: Sheet([HEAD, ["2023-07-01", "篮球赛", "文体活动", "很多", 100]])})
    res = load_book(book)
    f = one_finding(res.findings, row=book.row(ACT, 1), code="number_invalid")
    assert (f.severity, f.col, f.column) == ("error", 4, "参与人数")
    assert check_exit(tmp_path) == 1


def test_clean_ledger_exits_zero(make_book, tmp_path):
    make_book(
        {
            ACT: Sheet(
                [HEAD, ["2023-07-01", "篮球赛", "文体活动", 20, 100]],
                title="2023年活动台账",
                notes=["填表说明：本表于次年1月10日前报送。"],
            )
        }
    )
    assert check_exit(tmp_path) == 0


# --------------------------------------------------------------------------
# layouts


def test_several_units_in_one_workbook_split_by_unit_column(make_book, load_book, tmp_path):
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.analysis.units import UnitRegistry
    from gonghui_kit.ingest.load import load_ledgers

    book = make_book(
        {
            ACT: Sheet(
                [
                    ["所属分会", *HEAD],
                    ["机关分会", "2023-07-01", "篮球赛", "文体活动", 20, 100],
                    ["动力车间分工会", "2023-08-01", "歌咏", "文体活动", 30, 200],
                    ["机关分会", "2023-09-01", "健步走", "文体活动", 5, 50],
                    [None, "2023-10-01", "总会座谈", "其他", 7, 0],
                ]
            )
        }
    )
    res = load_book(book)
    assert res.tables["activities"]["unit"].tolist() == ["机关分会", "动力车间分工会", "机关分会", UNIT]
    f = one_finding(res.findings, code="split_units")
    assert (f.col, f.column, f.row) == (1, "所属分会", book.row(ACT, 0))
    assert not findings_at(res.findings, code="unknown_column")
    reg = UnitRegistry.from_dict(
        {"units": [{"name": UNIT}, {"name": "机关分会"}, {"name": "动力分厂分工会", "former": ["动力车间分工会"]}]}
    )
    led = load_ledgers(tmp_path, registry=reg)
    ind = compute_indicators(led)
    assert value_of(ind, "机关分会", YEAR, "activity_participants") == 25
    assert value_of(ind, "动力分厂分工会", YEAR, "activities") == 1  # the roster's former name applies
    assert value_of(ind, UNIT, YEAR, "activities") == 1
    assert not [x for x in led.findings if x.code == "unknown_unit"]
    reg2 = UnitRegistry.from_dict({"units": [{"name": UNIT}, {"name": "机关分会"}]})
    led2 = load_ledgers(tmp_path, registry=reg2)
    unknown = [x for x in led2.findings if x.code == "unknown_unit"]
    assert [(x.value, x.unit, x.severity) for x in unknown] == [("动力车间分工会", "动力车间分工会", "warning")]


def test_two_row_header_with_merged_group_cells(make_book, load_book, tmp_path):
    fs = "经费收支"
    book = make_book(
        {
            fs: Sheet(
                [
                    ["日期", "摘要", "科目", None, "金额", None],
                    [None, None, "编码", "名称", "收入", "支出"],
                    ["2023-01-05", "收会费", 401, "会费收入", 5000, None],
                    ["2023-03-05", "篮球赛", "501", None, None, 1200],
                    ["2023-04-05", "慰问", None, "维权支出", None, 600],
                    ["2023-05-05", "错行", 408, "其他收入", 10, 20],
                ],
                title="2023年经费收支明细账",
            )
        }
    )

    def merge(wb):
        ws, r = wb[fs], book.row(fs, 0)
        for c in (1, 2):
            ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)
        ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=6)

    edit(book, merge)
    res = load_book(book)
    df = res.tables["funds"]
    assert df["amount"].tolist() == [5000.0, 1200.0, 600.0, 10.0]
    assert df["direction"].tolist() == ["收入", "支出", "支出", "收入"]
    assert df["account"].tolist() == ["会费收入", "职工活动支出", "维权支出", "其他收入"]
    assert df["amount"].dtype == "float64"
    assert res.stats[0]["title"] == book.row(fs, 1)  # title rows and both header rows; no header row as a record
    both = one_finding(res.findings, row=book.row(fs, 5), code="two_amounts")
    assert both.severity == "error"
    assert not findings_at(res.findings, code="unknown_column")
    get = indicators(tmp_path)
    assert get("income_total") == 5010 and get("expense_total") == 1800
    assert check_exit(tmp_path) == 1  # the row with two amounts


def test_two_row_header_of_an_activity_sheet(make_book, load_book, tmp_path):
    book = make_book(
        {
            ACT: Sheet(
                [
                    ["日期", "活动名称", "参与", None, "支出金额"],
                    [None, None, "人数", "部门", None],
                    ["2023-07-01", "篮球赛", 20, "机关", 100],
                ]
            )
        }
    )
    edit(
        book,
        lambda wb: wb[ACT].merge_cells(
            start_row=book.row(ACT, 0), start_column=3, end_row=book.row(ACT, 0), end_column=4
        ),
    )
    res = load_book(book)
    assert res.tables["activities"]["participants"].tolist() == [20.0]
    assert res.tables["activities"]["amount"].tolist() == [100.0]
    assert len(res.tables["activities"]) == 1


# --------------------------------------------------------------------------
# formats and a folder per unit with one file per topic


def test_folder_per_unit_one_file_per_topic_gbk_and_utf8_csv(tmp_path, make_book):
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.cli import main
    from gonghui_kit.ingest.load import load_ledgers

    root = tmp_path / "报送"
    unit = root / "机关分会"
    unit.mkdir(parents=True)
    act = (
        "2023年职工活动登记表\n填报单位：机关分会\n日期;活动名称;活动类别;参与人数;支出金额\n"
        "2023-05-01;游园;文体活动;120;3000\n23-6-1;讲座;教育培训;40;0\n"
    )
    (unit / "活动台账.csv").write_bytes(act.encode("gbk"))
    funds = "日期\t科目\t摘要\t金额\n2023-01-10\t401 会费收入\t会费\t6000\n2023-05-01\t501\t游园\t3000\n"
    (unit / "2023经费收支.csv").write_bytes(b"\xef\xbb\xbf" + funds.encode("utf-8"))
    led = load_ledgers(root)
    assert sorted(led.tables["activities"]["unit"]) == ["机关分会", "机关分会"]
    ind = compute_indicators(led)
    get = lambda k: value_of(ind, "机关分会", 2023, k)
    assert get("activities") == 2 and get("activity_participants") == 160
    assert get("income_total") == 6000 and get("expense_total") == 3000
    inferred = [f for f in led.findings if f.code == "unit_inferred"]
    assert len(inferred) == 2 and all(f.severity == "warning" for f in inferred)
    assert "填报单位" in inferred[0].message or "文件夹" in inferred[0].message
    absent = [f.message for f in led.findings if f.code == "sheet_absent"]
    assert not any("活动台账" in m or "经费收支" in m for m in absent)  # never 未报送 for a sheet that was sent
    assert sum("慰问帮扶" in m for m in absent) == 1
    assert not [f for f in led.findings if f.code in ("duplicate_workbook", "no_info")]
    assert main(["check", str(root), "--format", "json"]) == 0


def test_text_file_named_xlsx_is_refused_with_a_true_message(tmp_path):
    from gonghui_kit.ingest.load import load_workbook

    p = tmp_path / "台账.xlsx"
    p.write_bytes("日期,金额\n2023-01-01,5\n".encode("gbk"))
    res = load_workbook(p)
    assert res.status == "refused" and "扩展名改成了 .xlsx" in res.findings[0].message
    q = tmp_path / "台账.csv"
    q.write_bytes("日期,金额\n2023-01-01,5\n".encode("gbk"))
    res = load_workbook(q)
    assert not any("扩展名" in f.message for f in res.findings)  # a real .csv: no claim it was renamed
    assert [f.code for f in res.findings] == ["no_info"]  # no 基本信息, no title line, no folder per unit


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """One ledger as .xls and .ods, converted by LibreOffice (skipped without it)."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) not installed: cannot write .xls/.ods")
    from conftest import write_book

    d = tmp_path_factory.mktemp("formats")
    src = d / "src"
    src.mkdir()
    write_book(
        src / "台账.xlsx",
        {
            ACT: Sheet(
                [HEAD, ["2023-07-01", "篮球赛", "文体活动", 20, 100], ["2023-08-01", "歌咏", "文体活动", 30, "叁仟元"]]
            )
        },
    )
    out = {}
    for fmt in ("xls", "ods"):
        dest = d / fmt
        dest.mkdir()
        subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation=file://{d}/profile",
                "--convert-to",
                fmt,
                "--outdir",
                str(dest),
                str(src / "台账.xlsx"),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        out[fmt] = dest / f"台账.{fmt}"
    return out


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_are_read(converted, fmt):
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.ingest.load import load_ledgers
    from gonghui_kit.ingest.safety import inspect_workbook

    assert inspect_workbook(converted[fmt]).kind == fmt
    led = load_ledgers(converted[fmt])
    ind = compute_indicators(led)
    assert value_of(ind, UNIT, YEAR, "activity_participants") == 50
    assert value_of(ind, UNIT, YEAR, "activity_spend") == 3100
    assert not [f for f in led.findings if f.severity == "error"]


def test_summary_table_values_are_taken_as_reported_and_checked(make_book, load_book, tmp_path):
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.ingest.load import load_ledgers

    st = "统计表"
    book = make_book(
        {
            st: Sheet(
                [
                    ["单位名称", "职工人数", "会员人数", "活动场次", "参与人次", "经费收入", "经费支出"],
                    ["机关分会", 60, 50, 4, 200, 10000, 8000],
                    ["动力分会", 90, 80, 6, 5, "2万", 5000],
                    ["合计", 150, 130, 10, 205, 30000, 13000],
                ],
                title="2023年基层工会工作统计表",
            )
        }
    )
    res = load_book(book)
    assert res.tables.get("activities") is None or res.tables["activities"].empty  # never one activity per unit
    f = one_finding(res.findings, sheet=st, code="summary_read")
    assert f.severity == "warning" and "按报送数计入" in f.message and f.row == book.row(st, 0)
    bad = one_finding(res.findings, sheet=st, code="summary_inconsistent")
    assert (bad.row, bad.col, bad.severity) == (book.row(st, 2), 5, "warning")
    led = load_ledgers(tmp_path)
    assert sorted(led.reported["unit"].unique()) == ["动力分会", "机关分会"]
    ind = compute_indicators(led)
    get = lambda u, k: value_of(ind, u, YEAR, k)
    assert get("机关分会", "members_total") == 50 and get("机关分会", "activities") == 4
    assert get("机关分会", "activity_participants") == 200 and get("机关分会", "membership_rate") == pytest.approx(
        50 / 60
    )
    assert get("动力分会", "income_total") == 20000 and get("动力分会", "balance") == 15000
    assert math.isnan(get("机关分会", "care_visits"))  # not reported: unknown, never 0
    assert get(UNIT, "activities") == 0  # the collecting unit itself has no records
    assert check_exit(tmp_path) == 0  # every cell counted (taken as reported) or a total row


# --------------------------------------------------------------------------
# property: for any generated variant, the indicators equal the truth, or
# check exits 1 naming the cell

_CAPITALS = [(3000, "叁仟元整"), (10500, "壹万零伍佰元"), (800, "捌佰元"), (1250, "壹仟贰佰伍拾元"), (60, "陆拾元整")]


def _variant(rng, plant=None, year=YEAR):
    """A messy activity ledger and its truth: (sheets, truth, planted error cell or None)."""
    n = rng.randint(3, 7)
    recs = []
    for i in range(n):
        month = rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 11, 12])
        amount, spelled = rng.choice(_CAPITALS) if rng.random() < 0.3 else ((p := rng.randint(1, 90) * 10), p)
        part = rng.randint(5, 60)
        date = rng.choice(
            [
                f"{year}-{month:02d}-{i + 1:02d}",
                f"{year % 100}-{month}-{i + 1}",
                year + month / 100 if month > 9 else year + month / 10,
            ]
        )
        recs.append([date, f"活动{i}", "文体活动", part, spelled, amount])
    truth = {
        "activities": n,
        "activity_participants": sum(r[3] for r in recs),
        "activity_spend": sum(r[5] for r in recs),
    }
    renamed = rng.random() < 0.4
    head = ["活动时间", "活动主题", "活动形式", "参加人次", "活动经费"] if renamed else HEAD
    name = "活动登记" if renamed else ACT
    rows = [head] + [r[:5] for r in recs]
    error = None
    if rng.random() < 0.3:  # a repeated header mid-sheet
        rows.insert(rng.randint(2, len(rows)), list(head))
    if rng.random() < 0.5:  # a year-total row with a long label, then a signature line
        rows.append([f"{year}年全年合计", None, None, truth["activity_participants"], truth["activity_spend"]])
    if rng.random() < 0.5:
        rows.append(["负责人签字：", "张三", None, "填表日期：", f"{year + 1}-01-10"])
    if plant == "column":  # a column nobody knows, with content: an error at its header cell
        for r in rows[1:]:
            if r and r[0] != head[0]:
                r.append("x")
        rows[0] = [*rows[0], "自定义"]
        error = (name, 0, 6)
    elif plant == "value":  # a value not understood: an error at that cell
        i = rng.randint(1, n)
        rows[i][3] = "很多"
        error = (name, i, 4)
    return {name: Sheet(rows, title=f"{year}年职工活动台账")}, truth, error


@pytest.mark.parametrize("seed", range(20))
def test_generated_variants_are_read_or_named(seed, tmp_path):
    import random

    from conftest import write_book

    from gonghui_kit.ingest.load import load_ledgers

    rng = random.Random(seed)
    sheets, truth, error = _variant(rng, {0: "column", 1: "value"}.get(seed % 5))
    book = write_book(tmp_path / f"变体{seed}.xlsx", sheets)
    code = check_exit(tmp_path)
    if error is None:
        assert code == 0, [(f.code, f.row, f.value) for f in load_ledgers(tmp_path).findings if f.severity == "error"]
        get = indicators(tmp_path)
        for k, v in truth.items():
            assert get(k) == v, (k, get(k), v)
    else:
        assert code == 1
        sheet, i, col = error
        errs = [f for f in load_ledgers(tmp_path).findings if f.severity == "error"]
        assert any(f.sheet == sheet and f.row == book.row(sheet, i) and f.col == col for f in errs), errs


# --------------------------------------------------------------------------
# layout files and gonghui map


def test_layout_file_says_how_to_read_a_unit_s_own_workbook(make_book, tmp_path, capsys):
    from gonghui_kit.cli import main

    data = tmp_path / "data"
    book = make_book(
        {
            "登记表": Sheet(
                [
                    ["活动日子", "活动名称", "活动人数", "自编号"],
                    ["2023-07-01", "篮球赛", 20, "A1"],
                    ["2023-08-01", "歌咏", 30, "A2"],
                ]
            ),
            "Sheet3": Sheet([["随手记"], ["买水"]]),
        },
        folder="data",
        name="机关分会.xlsx",
    )
    assert main(["check", str(data), "--format", "json", "--layouts", str(tmp_path / "none")]) == 1
    capsys.readouterr()
    assert main(["map", str(book.path)]) == 0
    proposal = capsys.readouterr().out
    assert '"Sheet3": ignore' in proposal and '"活动人数": ignore' in proposal and "files:" in proposal
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "机关分会.yaml").write_text(
        'files: ["机关分会*.xlsx"]\n'
        "sheets:\n"
        "  Sheet3: ignore\n"
        "  登记表:\n"
        "    as: 活动台账\n"
        f"    header_row: {book.row('登记表', 0)}\n"
        "    columns: {活动日子: 日期, 活动人数: 参与人数, 自编号: ignore}\n",
        encoding="utf-8",
    )
    assert main(["check", str(data), "--format", "json", "--layouts", str(layouts)]) == 0
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.ingest.layouts import load_layouts
    from gonghui_kit.ingest.load import load_ledgers

    led = load_ledgers(data, layouts=load_layouts(layouts))
    ind = compute_indicators(led)
    assert value_of(ind, UNIT, YEAR, "activity_participants") == 50
    assert value_of(ind, UNIT, YEAR, "activities_by_month", "08") == 1
    assert one_finding(led.findings, sheet="Sheet3", code="layout_ignored").severity == "info"


def test_layout_file_gives_unit_and_year_and_bad_layouts_are_user_errors(tmp_path, capsys):
    from gonghui_kit.cli import main
    from gonghui_kit.ingest.layouts import LayoutError, load_layouts, parse_layout
    from gonghui_kit.ingest.load import load_ledgers

    data = tmp_path / "data"
    data.mkdir()
    (data / "活动.csv").write_text("日期,活动名称,参与人数\n2023-05-01,游园,120\n", encoding="utf-8")
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "a.yaml").write_text("files: ['活动.csv']\nunit: 机关分会\nyear: 2023\n", encoding="utf-8")
    led = load_ledgers(data, layouts=load_layouts(layouts))
    assert led.tables["activities"]["unit"].tolist() == ["机关分会"]
    assert "版式文件" in one_finding(led.findings, code="unit_inferred").message
    with pytest.raises(LayoutError, match="没有名为“活动表”"):
        parse_layout({"sheets": {"x": {"as": "活动表"}}})
    (layouts / "b.yaml").write_text("sheets:\n  x: {as: 活动台账, columns: {a: 不存在的列}}\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(data), "--layouts", str(layouts)]) == 2
    assert "不存在的列" in capsys.readouterr().err


# --------------------------------------------------------------------------
# a unit that sends records and also a row in a summary table: the two compared
# (ingest.reconcile); the records count, the summary row is checked

ST = "统计表"
ST_HEAD = ["单位名称", "职工人数", "活动场次", "参与人次", "活动支出"]


def _records(**extra):
    """Two activities (participants 20 + 30, spend 100 + 200) of UNIT, 职工人数 100."""
    rows = [HEAD, ["2023-07-01", "篮球赛", "文体活动", 20, 100], ["2023-08-01", "歌咏", "文体活动", 30, 200]]
    return {ACT: Sheet(rows), **extra}


def _checked(path, registry=None):
    from gonghui_kit.ingest.check import check_ledger
    from gonghui_kit.ingest.load import load_ledgers

    led = load_ledgers(path, registry=registry)
    return led, check_ledger(led)


def test_summary_row_equal_to_the_records_is_an_info_and_exit_0(make_book, tmp_path):
    # same workbook; 活动支出 300.4 is within 1 元 of the records' 300
    book = make_book(_records(**{ST: Sheet([ST_HEAD, [UNIT, 100, 2, 50, 300.4]])}))
    _, found = _checked(tmp_path)
    f = one_finding(found, sheet=ST, code="summary_agrees")
    assert (f.severity, f.row, f.unit, f.year) == ("info", book.row(ST, 1), UNIT, YEAR)
    assert f.message == "统计表本行与明细一致（已逐项核对：职工人数 100、活动场次 2、参与人次 50、活动支出 300.4）"
    assert not findings_at(found, code="summary_differs") and not findings_at(found, code="summary_as_reported")
    assert check_exit(tmp_path) == 0
    get = indicators(tmp_path)
    assert (get("activities"), get("activity_participants"), get("activity_spend")) == (2, 50, 300)  # the records


def test_summary_row_different_from_the_records_is_an_error_at_the_cell(make_book, tmp_path):
    # the summary table in another file of the same year folder (the 上级工会's, with its own 基本信息)
    make_book(_records(), name="测试分工会.xlsx")
    st = make_book(
        {ST: Sheet([ST_HEAD, [UNIT, 100, 12, 50, 302]], title="2023年工会工作统计表")},
        info={"unit": "上级工会"},
        name="统计表.xlsx",
    )
    _, found = _checked(tmp_path)
    errs = findings_at(found, code="summary_differs")
    assert [(f.sheet, f.row, f.col, f.column, f.value, f.severity) for f in errs] == [
        (ST, st.row(ST, 1), 3, "活动场次", "12", "error"),
        (ST, st.row(ST, 1), 5, "活动支出", "302", "error"),  # 2 元 off: more than 1 元
    ]
    assert errs[0].file.endswith("/统计表.xlsx") and (errs[0].unit, errs[0].year, errs[0].action) == (
        UNIT,
        YEAR,
        "checked",
    )
    assert errs[0].message == (
        "统计表填报的活动场次 12 与活动台账明细统计的 2 不一致，请核对后更正其中之一（报告按明细计）"
    )
    assert "302" in errs[1].message and "300" in errs[1].message
    agree = one_finding(found, code="summary_agrees")  # the rest of the row agrees
    assert agree.row == st.row(ST, 1) and "职工人数 100、参与人次 50" in agree.message
    assert check_exit(tmp_path) == 1
    get = indicators(tmp_path)
    assert (get("activities"), get("activity_spend")) == (2, 300)  # the records stay the source


def test_summary_value_the_records_cannot_give_is_an_error(make_book, tmp_path):
    rows = [HEAD, ["2023-07-01", "篮球赛", "文体活动", None, 100]]  # 参与人数 left empty
    make_book({ACT: Sheet(rows), ST: Sheet([["单位名称", "活动场次", "参与人次"], [UNIT, 1, 40]])})
    _, found = _checked(tmp_path)
    f = one_finding(found, code="summary_differs")
    assert (f.column, f.value, f.col) == ("参与人次", "40", 3)
    assert "活动台账明细中没有可统计的数值" in f.message
    assert check_exit(tmp_path) == 1


def test_summary_value_of_records_not_sent_is_taken_as_reported(make_book, tmp_path):
    # records of activities but no 慰问帮扶 sheet, and no 职工人数 in 基本信息: those are taken as reported
    head = ["单位名称", "职工人数", "活动场次", "慰问人次", "慰问金额"]
    book = make_book(_records(**{ST: Sheet([head, [UNIT, 120, 2, 30, 6000]])}), info={"employees": None})
    led, found = _checked(tmp_path)
    warned = findings_at(found, code="summary_as_reported")
    assert [(f.row, f.col, f.value, f.severity, f.action) for f in warned] == [
        (book.row(ST, 1), 2, "120", "warning", "kept"),
        (book.row(ST, 1), 4, "30", "warning", "kept"),
        (book.row(ST, 1), 5, "6000", "warning", "kept"),
    ]
    assert (
        warned[0].message
        == "基本信息未填职工人数，职工人数按统计表报送数 120 计入，没有逐条记录可核对；如有明细，请一并报送"
    )
    assert warned[1].message.startswith("本单位未报送慰问帮扶明细，慰问人次按统计表报送数 30 计入")
    assert "活动场次 2" in one_finding(found, code="summary_agrees").message
    assert check_exit(tmp_path) == 0
    get = indicators(tmp_path)
    assert (get("employees"), get("care_visits"), get("care_amount"), get("activities")) == (120, 30, 6000, 2)
    assert math.isnan(get("care_visits", "节日慰问"))  # its parts are unknown, never the 0 of a sheet not sent
    assert get("proposals") == 0  # not reported, not sent: nothing recorded, as before
    assert get("membership_rate") == 0  # 0 members (no 会员名册) of the 120 reported employees


def test_unit_only_in_the_summary_table_is_taken_as_reported_as_before(make_book, tmp_path):
    make_book(_records(**{ST: Sheet([ST_HEAD, ["机关分会", 60, 4, 200, 1000]])}))
    led, found = _checked(tmp_path)
    assert not [f for f in found if f.code in ("summary_agrees", "summary_differs", "summary_as_reported")]
    from gonghui_kit.analysis.indicators import compute_indicators, value_of

    ind = compute_indicators(led)
    assert [value_of(ind, "机关分会", YEAR, k) for k in ("employees", "activities", "activity_spend")] == [60, 4, 1000]
    assert math.isnan(value_of(ind, "机关分会", YEAR, "care_visits"))
    assert value_of(ind, UNIT, YEAR, "activities") == 2
    assert check_exit(tmp_path) == 0


def test_former_name_in_the_summary_table_is_compared_with_the_unit_s_records(make_book, tmp_path):
    from gonghui_kit.analysis.units import UnitRegistry

    unit = "动力分厂分工会"
    make_book(_records(), info={"unit": unit}, name="动力.xlsx")
    make_book({ST: Sheet([ST_HEAD, ["动力车间分工会", 100, 3, 50, 300]])}, info={"unit": "上级工会"}, name="统计.xlsx")
    reg = UnitRegistry.from_dict({"units": [{"name": unit, "former": ["动力车间分工会"]}, {"name": "上级工会"}]})
    led, found = _checked(tmp_path, registry=reg)
    assert sorted(led.reported["unit"].unique()) == [unit]
    f = one_finding(found, code="summary_differs")
    assert (f.unit, f.column, f.value, f.file.split("/")[-1]) == (unit, "活动场次", "3", "统计.xlsx")
    assert "统计表填报的活动场次 3 与活动台账明细统计的 2 不一致" in f.message
    assert "参与人次 50" in one_finding(found, code="summary_agrees").message
    from gonghui_kit.analysis.indicators import compute_indicators, value_of

    ind = compute_indicators(led)
    assert value_of(ind, unit, YEAR, "activities") == 2 and "动力车间分工会" not in set(ind["unit"])


def test_record_totals_are_the_indicators_definitions(sample_dir):
    """ingest.reconcile counts what analysis.indicators counts, for every
    indicator a summary column may report (and no summary column lacks one)."""
    from pandas.testing import assert_series_equal

    from gonghui_kit.analysis.indicators import compute_indicators
    from gonghui_kit.ingest.load import load_ledgers
    from gonghui_kit.ingest.reconcile import SOURCES, record_totals
    from gonghui_kit.schema import load_schema

    assert set(load_schema().summary_columns) <= set(SOURCES)
    led = load_ledgers(sample_dir / "2023")
    tot = record_totals(led.tables).set_index(["unit", "year", "indicator"])["value"]
    ind = compute_indicators(led)
    ind = ind[(ind["category"] == "") & ind["indicator"].isin(list(SOURCES))].set_index(["unit", "year", "indicator"])
    assert len(tot) == len(ind["value"]) > 0
    assert_series_equal(tot.sort_index(), ind["value"].sort_index(), check_names=False)


# WPS .et: the same BIFF8 records as .xls (what WPS 表格 saves by default),
# or an .xlsx saved under the .et name


def test_wps_et_is_read_end_to_end(converted, tmp_path):
    """The .xls LibreOffice wrote, renamed .et: found in a folder, checked as xls by content, read
    exactly like the .xls (calamine tries each format for a suffix it does not know)."""
    import shutil

    from gonghui_kit.ingest.load import load_ledgers
    from gonghui_kit.ingest.safety import inspect_workbook

    data = tmp_path / "报送"
    data.mkdir()
    et = shutil.copy(converted["xls"], data / "机关分会台账.et")
    assert et.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # OLE2/BIFF8, not a zip
    assert inspect_workbook(et).kind == "xls"
    led = load_ledgers(data)
    assert led.files["file"].tolist() == ["报送/机关分会台账.et"] and led.files["status"].tolist() == ["ok"]
    assert not [f for f in led.findings if f.severity == "error"]
    get = indicators(data)
    assert get("activity_participants") == 50 and get("activity_spend") == 3100
    same = load_ledgers(converted["xls"])
    for key, table in led.tables.items():
        cols = [c for c in table.columns if c not in ("file", "source_file")]  # the name differs, nothing else
        assert table[cols].equals(same.tables[key][cols]), key
    assert check_exit(data) == 0


def test_et_holding_an_xlsx_is_read(make_book, tmp_path):
    """An .xlsx saved (or renamed) as .et: a zip, checked and read as the .xlsx it is."""
    from gonghui_kit.ingest.safety import inspect_workbook

    book = make_book({ACT: Sheet([HEAD, ["2023-07-01", "篮球赛", "文体活动", 20, 100]])}, folder="data")
    et = book.path.rename(book.path.with_suffix(".et"))
    assert inspect_workbook(et).kind == "xlsx"
    get = indicators(et)
    assert get("activity_participants") == 20 and get("activity_spend") == 100
    assert check_exit(et.parent) == 0


def test_encrypted_et_is_refused_like_an_encrypted_xls(tmp_path):
    import hostile

    from gonghui_kit.ingest.load import load_workbook

    res = {name: load_workbook(hostile.encrypted_xls(tmp_path, name)) for name in ("加密.xls", "加密.et")}
    for r in res.values():
        assert r.status == "refused" and [f.code for f in r.findings] == ["encrypted"]
        assert "密码" in r.findings[0].message
    assert res["加密.et"].findings[0].message == res["加密.xls"].findings[0].message
    assert check_exit(tmp_path) == 1


# "y.1" dates decided by their column: Excel stores 2023.10 typed into a
# General cell as 2023.1, the number of January; a ledger kept in date order
# tells which one it was (values.settle_ym).  Always a warning: a person confirms.

ORDER_SAYS = "按前后行的日期推断为{}月"
UNDECIDED = "无法判断是1月还是10月，暂按1月计，请核对"


def _dated(dates):
    return Sheet([HEAD] + [[d, f"活动{i}", "文体活动", 10 + i, 100 * (i + 1)] for i, d in enumerate(dates)])


def test_ym_between_september_and_november_is_october(make_book, load_book, tmp_path):
    # row 5 (2023.1) sits between 2023.9 (row 3) and 2023-11-03 (row 6), a blank date between them skipped
    book = make_book({ACT: _dated(["2023-08-12", 2023.9, 2023.1, None, "2023-11-03", 2023.12])})
    res = load_book(book)
    df = res.tables["activities"]
    assert [d.strftime("%Y-%m") if d == d else None for d in df["date"]] == [
        "2023-08",
        "2023-09",
        "2023-10",
        None,
        "2023-11",
        "2023-12",
    ]
    assert df["month"].tolist()[:3] == [8, 9, 10]
    f = one_finding(res.findings, row=book.row(ACT, 3), code="date_ym_ambiguous")
    assert (f.severity, f.column, f.col, f.value) == ("warning", "日期", 1, "2023.1")
    assert ORDER_SAYS.format(10) in f.message and f"第{book.row(ACT, 2)}行、第{book.row(ACT, 5)}行" in f.message
    assert len(findings_at(res.findings, code="date_ym_ambiguous")) == 1
    get = indicators(tmp_path)
    assert get("activities_by_month", "10") == 1 and get("activities_by_month", "01") == 0
    assert get("activities") == 6


def test_ym_between_december_and_february_is_january(make_book, load_book, tmp_path):
    # the ledger is for 2023: the row of 2022-12-28 is another year's (left out of the figures, listed),
    # but it still shows the order; two 2023.1 cells in a row share their neighbours
    book = make_book({ACT: _dated(["2022-12-28", 2023.1, 2023.1, "2023-02-05", 2023.3])})
    res = load_book(book)
    df = res.tables["activities"]
    assert df["month"].tolist() == [1, 1, 2, 3]
    assert one_finding(res.findings, row=book.row(ACT, 1), code="other_year").value == "2022-12-28"
    for i in (2, 3):
        f = one_finding(res.findings, row=book.row(ACT, i), code="date_ym_ambiguous")
        assert f.severity == "warning" and f.value == "2023.1"
        assert ORDER_SAYS.format(1) in f.message and f"第{book.row(ACT, 1)}行、第{book.row(ACT, 4)}行" in f.message
    get = indicators(tmp_path)
    assert get("activities") == 4 and get("activities_by_month", "01") == 2 and get("activities_by_month", "10") == 0


@pytest.mark.parametrize(
    "dates",
    [
        ["2023-09-02", 2023.1, "2023-11-03", "2023-03-15"],  # the column is not in date order further down
        ["2023-12-20", 2023.1, "2023-02-05"],  # December of the ledger's own year above: not in order
        ["2023-09-02", 2023.1, "2023-12-03"],  # neighbours in order but not both in September–November
        ["2023-09-02", "2023-10-05", 2023.1],  # no dated neighbour below
    ],
)
def test_ym_in_a_column_out_of_order_stays_january(make_book, load_book, tmp_path, dates):
    book = make_book({ACT: _dated(dates)})
    res = load_book(book)
    i = dates.index(2023.1) + 1
    assert res.tables["activities"]["month"].tolist()[i - 1] == 1
    f = one_finding(res.findings, row=book.row(ACT, i), code="date_ym_ambiguous")
    assert (f.severity, f.value) == ("warning", "2023.1") and UNDECIDED in f.message and "推断" not in f.message
    get = indicators(tmp_path)
    assert get("activities_by_month", "01") == 1 + sum(str(d).startswith("2023-01") for d in dates)
    assert get("activities_by_month", "10") == sum(str(d).startswith("2023-10") for d in dates)


def test_ym_year_only_and_unreadable_cells_are_no_evidence(make_book, load_book):
    # 2023 (year only) and 下半年 (unreadable) between 2023.1 and its neighbours are skipped, not read as January
    book = make_book({ACT: _dated([2023.9, 2023, 2023.1, "下半年", 2023.11])})
    res = load_book(book)
    assert res.tables["activities"]["month"].tolist()[2] == 10
    f = one_finding(res.findings, row=book.row(ACT, 3), code="date_ym_ambiguous")
    assert f"第{book.row(ACT, 1)}行、第{book.row(ACT, 5)}行" in f.message and ORDER_SAYS.format(10) in f.message


# --------------------------------------------------------------------------
# found with the real-world corpus (tests/ledgers/test_corpus.py): each kind
# read correctly with its finding, or an error at its cell


def test_money_unit_declared_above_the_table(make_book, load_book, tmp_path):
    fs = "经费收支"
    book = make_book(
        {
            fs: Sheet(
                [
                    ["2023年经费收支明细", None, None, None],
                    [None, None, None, "单位：万元"],
                    ["日期", "收支", "科目", "金额"],
                    ["2023-01-05", "收入", "会费收入", 1.5],
                    ["2023-02-05", "支出", "职工活动支出", "3000元"],  # the cell says 元 itself
                ]
            ),
            ACT: Sheet(
                [["（金额单位：万元）"], [*HEAD[:4], "支出金额（元）"], ["2023-03-01", "篮球赛", "文体活动", 9, 800]]
            ),
        }
    )
    res = load_book(book)
    assert res.tables["funds"]["amount"].tolist() == [15000.0, 3000.0]
    f = one_finding(res.findings, sheet=fs, code="title_scale")
    assert (f.row, f.col, f.value, f.severity) == (book.row(fs, 1), 4, "单位：万元", "info")
    assert res.tables["activities"]["amount"].tolist() == [800.0]  # the header's own unit wins ...
    c = one_finding(res.findings, sheet=ACT, code="title_scale_conflict")  # ... and the contradiction is said
    assert (c.severity, c.column) == ("warning", "支出金额（元）")
    get = indicators(tmp_path)
    assert get("income_total") == 15000 and get("expense_total") == 3000


def test_numbers_typed_into_date_cells_are_read_as_typed(make_book, load_book, tmp_path):
    book = make_book(
        {ACT: Sheet([HEAD, ["2023-03-01", "甲", "文体活动", 1, 10], ["2023-07-01", "乙", "文体活动", 2, 20]])}
    )

    def typed_into_date_cells(wb):  # 2023.7 typed where the column is formatted as dates: Excel shows 1905-07-15
        ws = wb[ACT]
        ws.cell(book.row(ACT, 2), 1).value = dt.datetime(1905, 7, 15, 16, 48)
        ws.cell(book.row(ACT, 2), 1).number_format = "yyyy-mm-dd"

    edit(book, typed_into_date_cells)
    res = load_book(book)
    assert res.tables["activities"]["month"].tolist() == [3, 7]
    f = one_finding(res.findings, row=book.row(ACT, 2), code="date_ym_in_date_cell")
    assert (f.severity, f.col) == ("warning", 1)
    assert not findings_at(res.findings, code="other_year")
    assert indicators(tmp_path)("activities_by_month", "07") == 1


def test_section_headings_breakdown_columns_and_date_ranges(make_book, load_book, tmp_path):
    fs = "经费收支"
    fund_head = ["日期", "科目", "摘要", "金额"]
    book = make_book(
        {
            fs: Sheet(
                [
                    fund_head,
                    ["一、收入"],
                    ["2023-01-05", "会费收入", "会费", 5000],
                    ["小计", None, None, 5000],
                    ["二、支出"],
                    fund_head,
                    ["3、植树节活动"],  # numbered, but not a section: a record (without date and amount)
                    ["2023-03-05", "职工活动支出", "篮球", 1200],
                ]
            ),
            ACT: Sheet(
                [
                    ["日期", "活动名称", "活动类别", "参与人数", "其中：女职工", "支出金额"],
                    ["2023.3.1-3.5", "培训周", "教育培训", 30, 12, "1200元整"],
                    ["2023年5月1日至3日", "运动会", "文体活动", 50, 20, 200],
                ]
            ),
        }
    )
    res = load_book(book)
    s = one_finding(res.findings, sheet=fs, code="section", row=book.row(fs, 4))
    assert (s.value, s.severity, s.action) == ("二、支出", "info", "excluded")
    assert res.tables["funds"]["amount"].tolist()[::2] == [5000.0, 1200.0]
    assert len(res.tables["funds"]) == 3  # 3、植树节活动 is kept and named, never dropped silently
    assert findings_at(res.findings, sheet=fs, row=book.row(fs, 6))
    df = res.tables["activities"]
    assert [str(d.date()) for d in df["date"]] == ["2023-03-01", "2023-05-01"]
    assert df["amount"].tolist() == [1200.0, 200.0]
    r = one_finding(res.findings, sheet=ACT, row=book.row(ACT, 1), code="date_range")
    assert r.severity == "info"
    assert not findings_at(res.findings, sheet=ACT, code="unknown_column")  # 其中… is a breakdown, left out
    get = indicators(tmp_path)
    assert get("activities") == 2 and get("activity_participants") == 80 and get("income_total") == 5000


def test_formula_without_a_value_is_an_error_not_a_silent_zero(make_book, tmp_path):
    make_book(
        {ACT: Sheet([HEAD, ["2023-03-01", "甲", "文体活动", 10, "=50*2"], ["2023-04-01", "乙", "文体活动", 5, 7]])}
    )
    assert check_exit(tmp_path) == 1


def test_title_lines_give_unit_year_and_employees_never_the_fill_in_date(tmp_path):
    from conftest import write_book

    folder = tmp_path / "2023" / "机关分会"
    folder.mkdir(parents=True)
    write_book(
        folder / "活动.xlsx",
        {
            ACT: Sheet(
                [
                    ["单位名称：机关分会", None, "单位：万元"],
                    ["职工人数：80", None, "填报时间：2024年1月"],
                    HEAD,
                    ["2023-05-01", "健步走", "文体活动", 40, 0.12],
                ],
                title="2023年职工活动登记表",
            )
        },
        info=None,
    )
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.ingest.load import load_ledgers

    led = load_ledgers(tmp_path)
    ind = compute_indicators(led)
    assert value_of(ind, "机关分会", 2023, "activity_spend") == 1200
    assert value_of(ind, "机关分会", 2023, "employees") == 80
    f = next(f for f in led.findings if f.code == "unit_inferred")
    assert f.year == 2023 and "职工人数按表头上方的文字取为 80" in f.message


def test_summary_table_total_note_and_unitless_rows(make_book, load_book):
    st = "统计表"
    book = make_book(
        {
            st: Sheet(
                [
                    ["序号", "单位名称", "活动场次", "参与人次", "备注"],
                    [1, "机关分会", 4, 200, "已核"],
                    [2, None, 6, 300, None],
                    [3, "空白分会", None, None, None],
                    [None, "合计", 10, 500, None],
                    ["填表说明：按年度汇总。"],
                ],
                title="2023年基层工会工作统计表",
            )
        }
    )
    res = load_book(book)
    assert not findings_at(res.findings, sheet=st, code="unknown_column")  # 序号 and 备注 hold nothing to count
    assert one_finding(res.findings, sheet=st, row=book.row(st, 2), code="summary_no_unit").severity == "error"
    assert one_finding(res.findings, sheet=st, row=book.row(st, 3), code="summary_empty").action == "excluded"
    assert one_finding(res.findings, sheet=st, row=book.row(st, 4), code="subtotal").action == "excluded"
    assert one_finding(res.findings, sheet=st, row=book.row(st, 5), code="note").severity == "info"
    (stats,) = [s for s in res.stats if s["sheet"] == st]
    assert (stats["records"], stats["subtotals"], stats["notes"], stats["unreadable"], stats["table"]) == (
        1,
        1,
        2,
        1,
        "summary",
    )


def test_birth_date_and_gender_derived_from_valid_id_numbers_never_kept(make_book, load_book, tmp_path):
    from gonghui_kit.ingest.idcard import valid_id

    ids = ["320102199001010010", "320102199505050024", "320102198003030037"]  # 男 1990, 女 1995, 男 1980
    assert all(valid_id(x) for x in ids)
    ms = "会员名册"
    rows = [["姓名", "身份证号", "性别", "入会日期"]]
    rows += [[f"某{i}", x, None, "2020-01-01"] for i, x in enumerate(ids)]
    rows += [["某9", "320102198003030038", "女", "2020-01-01"]]  # wrong check digit: nothing derived; 性别 as written
    book = make_book({ms: Sheet(rows)})
    res = load_book(book)
    df = res.tables["members"]
    assert df["gender"].tolist()[:3] == ["男", "女", "男"] and df["gender"].iloc[3] == "女"
    assert [str(d.date()) for d in df["birth_date"].iloc[:3]] == ["1990-01-01", "1995-05-05", "1980-03-03"]
    assert pd.isna(df["birth_date"].iloc[3])
    f = one_finding(res.findings, sheet=ms, code="derived_from_id", column="出生日期")
    assert "3 人" in f.message and f.value == ""
    assert not any(x in repr(res.tables) or any(x in g.message + g.value for g in res.findings) for x in ids)
    get = indicators(tmp_path)
    assert get("female_share") == 0.5 and get("youth_share") == pytest.approx(2 / 3)


def test_month_with_a_part_of_it_counts_in_that_month(make_book, load_book):
    book = make_book(
        {ACT: Sheet([HEAD, ["2023年3月上旬", "甲", "文体活动", 1, 10], ["5月底", "乙", "文体活动", 2, 20]])}
    )
    res = load_book(book)
    assert res.tables["activities"]["month"].tolist() == [3, 5]


def _info_with(*extra):
    from conftest import info_rows

    return [*info_rows(), *extra]


def test_members_in_basic_info_checked_against_the_roster(make_book, load_book, tmp_path, capsys):
    ms = "会员名册"
    roster = Sheet([["姓名", "性别", "入会日期"], *[[f"某{i}", "女", "2020-01-01"] for i in range(5)]])
    book = make_book({ms: roster}, info=_info_with(["会员人数", 5], ["单位地址", "幸福路1号"]))
    assert check_exit(tmp_path) == 0
    res = load_book(book)
    ignored = one_finding(res.findings, code="info_key_ignored")
    assert (ignored.column, ignored.severity, ignored.value) == ("单位地址", "info", "")
    from gonghui_kit.cli import main

    make_book({ms: roster}, info=_info_with(["会员人数", 9]), folder="b")
    capsys.readouterr()
    assert main(["check", str(tmp_path / "b"), "--format", "json"]) == 1
    (err,) = [f for f in json.loads(capsys.readouterr().out) if f["severity"] == "error"]
    assert (err["sheet"], err["cell"], err["value"]) == ("基本信息", "B4", "9")
    assert "会员人数 9" in err["message"] and "5" in err["message"]


def test_members_in_basic_info_without_a_roster_are_taken_as_reported(make_book, tmp_path, capsys):
    from gonghui_kit.cli import main

    make_book({ACT: Sheet([HEAD, ["2023-03-01", "甲", "文体活动", 10, 100]])}, info=_info_with(["会员人数", 40]))
    capsys.readouterr()
    assert main(["check", str(tmp_path), "--format", "json"]) == 0
    warn = [f for f in json.loads(capsys.readouterr().out) if f["code"] == "summary_as_reported"]
    assert [(w["cell"], w["value"]) for w in warn] == [("B4", "40")]
    get = indicators(tmp_path)
    assert get("members_total") == 40 and get("membership_rate") == pytest.approx(40 / 100)
    assert math.isnan(get("female_share")) and math.isnan(get("youth_share"))  # no roster: unknown, never 0


def test_ditto_takes_the_value_above_and_weekdays_are_read(make_book, load_book, tmp_path):
    book = make_book(
        {
            ACT: Sheet(
                [
                    HEAD,
                    ["2023年3月5日（星期日）", "甲", "文体活动", 10, 100],
                    ["同上", "乙", "〃", 20, "同上"],
                    ["3月9日周四下午", "丙", "同上", 5, 50],
                ]
            )
        }
    )
    res = load_book(book)
    df = res.tables["activities"]
    assert [str(d.date()) for d in df["date"]] == ["2023-03-05", "2023-03-05", "2023-03-09"]
    assert df["category"].tolist() == ["文体活动"] * 3 and df["amount"].tolist() == [100.0, 100.0, 50.0]
    f = findings_at(res.findings, code="ditto")
    assert sorted((x.row, x.col) for x in f) == [
        (book.row(ACT, 2), 1),
        (book.row(ACT, 2), 3),
        (book.row(ACT, 2), 5),
        (book.row(ACT, 3), 3),
    ]
    assert check_exit(tmp_path) == 0


def test_rows_hidden_by_hand_or_filter_are_counted_and_said(sample_result):
    from gonghui_kit.ingest.load import load_ledgers

    d, res = sample_result
    led = load_ledgers(d)
    said = {}
    for f in led.findings:
        if f.code == "hidden_rows":
            rows = f.message.split("行在")[0].lstrip("第")
            said[(f.file.split("/", 1)[1], f.sheet)] = rows
    planted: dict[tuple[str, str], list[int]] = {}
    for t in res.truth.values():
        for a in t["anomalies"]:
            if a["kind"] == "hidden_row":
                planted.setdefault((t["file"], a["sheet"]), []).append(a["row"])
    assert planted and said.keys() == planted.keys()
    from gonghui_kit.ingest.findings import row_ranges

    assert all(said[k] == row_ranges(v) for k, v in planted.items())
