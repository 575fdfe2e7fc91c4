"""Every kind of real-world mess of spec §3: the parsed value AND the finding
at the right sheet and Excel row (the row number a person sees)."""

from __future__ import annotations

import datetime as dt
import json
import math
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import UNIT, YEAR, Sheet, findings_at, one_finding, write_book

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "examples" / "2023年示例车间分工会台账.xlsx"
if not EXAMPLE.exists():  # the repo may sit elsewhere than beside shared/
    EXAMPLE = Path("/work/shared/examples/2023年示例车间分工会台账.xlsx")

ACT = "活动台账"
HEAD = ["日期", "活动名称", "活动类别", "参与人数", "支出金额"]


def act_book(make_book, records, **sheet_kw):
    return make_book({ACT: Sheet([HEAD, *records], **sheet_kw)})


# --------------------------------------------------------------------------
# layout: title rows, notes, blank rows/columns, hidden rows


def test_title_notes_blank_rows_and_columns(make_book, load_book):
    rows = [
        ["日期", None, "活动名称", "参与人数", None, "支出金额"],  # blank columns inside the table
        ["2023-03-01", None, "甲", 10, None, 100],
        None,  # blank row between records
        ["2023-03-02", None, "乙", 20, None, 200],
        [],
        None,
        ["2023-03-03", None, "丙", 30, None, 300],
    ]
    book = make_book(
        {
            ACT: Sheet(
                rows,
                title="2023年测试分工会活动台账",
                title_rows=3,
                row_offset=2,
                col_offset=3,
                notes=["填表说明：本表于次年1月10日前报送。", "制表人：张三    审核人：李四"],
                notes_gap=2,
            )
        }
    )
    res = load_book(book)
    df = res.tables["activities"]
    assert df["name"].tolist() == ["甲", "乙", "丙"]
    assert df["excel_row"].tolist() == [book.row(ACT, 1), book.row(ACT, 3), book.row(ACT, 6)]
    assert df["participants"].tolist() == [10, 20, 30]
    assert df["amount"].tolist() == [100, 200, 300]
    # the title is not a record and not a finding about a record
    assert not findings_at(res.findings, sheet=ACT, row=book.sheets[ACT].row_offset + 1)
    for k, text in enumerate(["填表说明：本表于次年1月10日前报送。", "制表人：张三    审核人：李四"]):
        f = one_finding(res.findings, sheet=ACT, row=book.note_row(ACT, k), code="note")
        assert f.action == "excluded" and f.value == text
    st = next(s for s in res.stats if s["sheet"] == ACT)
    assert st["records"] == 3 and st["notes"] == 2 and st["blank"] >= 3
    assert st["rows"] == sum(
        st[k] for k in ("title", "blank", "notes", "subtotals", "duplicates", "other_year", "records", "unreadable")
    )


@pytest.mark.parametrize("text", ["备注：无", "注：略", "说明：见附件"])
def test_short_note_inside_the_table_is_not_a_record(text, make_book, load_book):
    """A one-cell ``备注：无`` between records is a note, not an activity."""
    book = act_book(
        make_book, [["2023-03-01", "甲", "文体活动", 10, 100], [text], ["2023-03-02", "乙", "文体活动", 20, 200]]
    )
    res = load_book(book)
    assert res.tables["activities"]["name"].tolist() == ["甲", "乙"]
    one_finding(res.findings, sheet=ACT, row=book.row(ACT, 2), code="note")


def test_one_cell_record_named_like_a_note_word_stays_a_record(make_book, load_book):
    book = act_book(
        make_book,
        [["2023-03-01", "甲", "文体活动", 10, 100], [None, "说明会"], ["2023-03-02", "乙", "文体活动", 20, 200]],
    )
    res = load_book(book)
    assert res.tables["activities"]["name"].tolist() == ["甲", "说明会", "乙"]


def test_merged_title_and_header_far_down(make_book, load_book):
    book = act_book(
        make_book,
        [["2023-05-01", "甲", "文体活动", 5, 50]],
        title="2023年度  测试分工会  职工活动登记表（单位：元）",
        title_rows=6,
    )
    res = load_book(book)
    assert res.tables["activities"]["excel_row"].tolist() == [book.row(ACT, 1)] == [8]


def test_hidden_rows_are_still_records(make_book, load_book):
    recs = [
        ["2023-03-01", "甲", "文体活动", 10, 100],
        ["2023-03-02", "乙（隐藏）", "文体活动", 20, 200],
        ["2023-03-03", "丙", "文体活动", 30, 300],
    ]
    book = act_book(make_book, recs, hidden=[2])
    res = load_book(book)
    df = res.tables["activities"]
    assert df["name"].tolist() == ["甲", "乙（隐藏）", "丙"]
    assert df["excel_row"].tolist() == [book.row(ACT, i) for i in (1, 2, 3)]


def test_hidden_rows_openpyxl_engine(make_book, load_book):
    recs = [["2023-03-01", "甲", "文体活动", 10, 100], ["2023-03-02", "乙", "文体活动", 20, 200]]
    book = act_book(make_book, recs, hidden=[1], title="标题")
    res = load_book(book, engine="openpyxl")
    assert res.tables["activities"]["excel_row"].tolist() == [book.row(ACT, 1), book.row(ACT, 2)]


# --------------------------------------------------------------------------
# dates

DATE_CASES = [
    # raw, expected date, precision, finding code (None: no finding needed)
    (dt.datetime(2023, 7, 1), "2023-07-01", "day", None),
    (dt.date(2023, 7, 1), "2023-07-01", "day", None),
    (45108, "2023-07-01", "day", "date_serial"),
    ("45108", "2023-07-01", "day", "date_serial"),
    ("2023-07-01", "2023-07-01", "day", None),
    ("2023/7/1", "2023-07-01", "day", "date_text"),
    ("2023.7.1", "2023-07-01", "day", "date_text"),
    ("2023年7月1日", "2023-07-01", "day", "date_text"),
    ("2023年7月1号", "2023-07-01", "day", "date_text"),
    (" 2023 年 7 月 1 日 ", "2023-07-01", "day", "date_text"),
    ("7月1日", "2023-07-01", "day", "date_no_year"),
    ("7.1", "2023-07-01", "day", "date_no_year"),
    ("7/1", "2023-07-01", "day", "date_no_year"),
    (7.1, "2023-07-01", "day", "date_md_number"),
    ("2023年7月", "2023-07-01", "month", "date_month_only"),
    ("2023.7", "2023-07-01", "month", "date_month_only"),
    ("二〇二三年七月一日", "2023-07-01", "day", "date_chinese"),
    ("二〇二三年十二月三十一日", "2023-12-31", "day", "date_chinese"),
    ("２０２３年７月１日", "2023-07-01", "day", "date_text"),
]


@pytest.mark.parametrize("raw,expected,precision,code", DATE_CASES, ids=[repr(c[0]) for c in DATE_CASES])
def test_date_spellings(raw, expected, precision, code, make_book, load_book):
    book = act_book(
        make_book, [["2023-01-05", "前", "文体活动", 1, 1], [raw, "测", "文体活动", 5, 50]], title="2023年活动台账"
    )
    res = load_book(book)
    df = res.tables["activities"]
    rec = df[df["name"] == "测"].iloc[0]
    assert rec["date"] == pd.Timestamp(expected)
    assert rec["date_precision"] == precision
    assert rec["month"] == pd.Timestamp(expected).month  # month-only dates count in their month
    assert rec["excel_row"] == book.row(ACT, 2)
    if code:
        f = one_finding(res.findings, sheet=ACT, row=book.row(ACT, 2), code=code)
        assert f.column == "日期" and f.severity in ("info", "warning")
    else:
        assert not findings_at(res.findings, sheet=ACT, row=book.row(ACT, 2))


def test_month_only_counted_in_its_month(make_book, load_book, tmp_path):
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.ingest.load import load_ledgers

    act_book(
        make_book,
        [
            ["2023年7月", "甲", "文体活动", 5, 50],
            ["2023-07-15", "乙", "文体活动", 5, 50],
            ["2023年8月1日", "丙", "文体活动", 5, 50],
        ],
    )
    ind = compute_indicators(load_ledgers(tmp_path))
    assert value_of(ind, UNIT, YEAR, "activities_by_month", "07") == 2
    assert value_of(ind, UNIT, YEAR, "activities_by_month", "08") == 1
    assert value_of(ind, UNIT, YEAR, "activities") == 3


@pytest.mark.parametrize(
    "raw,code",
    [
        (None, "no_date"),
        ("下半年", "date_invalid"),
        ("—", "date_missing_token"),
        ("无", "date_missing_token"),
        (2023, "date_year_only"),
        ("2023年", "date_year_only"),
    ],
)
def test_record_without_usable_date(raw, code, make_book, load_book, tmp_path):
    """Counted in the year's totals, not in monthly figures, with a warning."""
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.ingest.load import load_ledgers

    book = act_book(make_book, [["2023-07-01", "甲", "文体活动", 5, 50], [raw, "乙", "文体活动", 7, 70]], title="台账")
    res = load_book(book)
    df = res.tables["activities"]
    assert len(df) == 2
    rec = df[df["name"] == "乙"].iloc[0]
    assert pd.isna(rec["month"])
    f = one_finding(res.findings, sheet=ACT, row=book.row(ACT, 2), code=code)
    # a date not understood is an error since the exit-0 rule (issue: never silently wrong)
    assert f.severity == ("error" if code == "date_invalid" else "warning") and f.column == "日期"
    ind = compute_indicators(load_ledgers(tmp_path))
    assert value_of(ind, UNIT, YEAR, "activities") == 2
    assert value_of(ind, UNIT, YEAR, "activity_participants") == 12
    assert sum(value_of(ind, UNIT, YEAR, "activities_by_month", f"{m:02d}") for m in range(1, 13)) == 1


@pytest.mark.parametrize("raw", ["2022-12-28", dt.datetime(2024, 1, 2), "2022年12月", "二〇二四年一月三日", 44923])
def test_other_year_record_excluded_and_listed(raw, make_book, load_book):
    book = act_book(make_book, [["2023-07-01", "甲", "文体活动", 5, 50], [raw, "上年补录", "文体活动", 120, 8000]])
    res = load_book(book)
    df = res.tables["activities"]
    assert df["name"].tolist() == ["甲"]
    f = one_finding(res.findings, sheet=ACT, row=book.row(ACT, 2), code="other_year")
    assert f.action == "excluded" and f.severity in ("warning", "info") and f.column == "日期"
    st = next(s for s in res.stats if s["sheet"] == ACT)
    assert st["other_year"] == 1 and st["records"] == 1


def test_no_year_dates_use_info_year(make_book, load_book):
    book = make_book({ACT: [HEAD, ["7月1日", "甲", "文体活动", 5, 50]]}, info={"year": "2024年度"})
    res = load_book(book)
    assert res.tables["activities"]["date"].iloc[0] == pd.Timestamp("2024-07-01")


# --------------------------------------------------------------------------
# numbers

NUMBER_CASES = [
    # column, raw, expected (None = missing), finding code (None: no finding needed)
    ("参与人数", 50, 50.0, None),
    ("参与人数", "50", 50.0, None),
    ("支出金额", "1200", 1200.0, None),
    ("支出金额", "1,200", 1200.0, "number_text"),
    ("支出金额", "１２００", 1200.0, None),
    ("支出金额", "１，２００", 1200.0, "number_text"),
    ("支出金额", "10万", 100_000.0, "number_text"),
    ("支出金额", "10万元", 100_000.0, "number_text"),
    ("支出金额", "1.3508万元", 13_508.0, "number_text"),
    ("支出金额", "5千", 5_000.0, "number_text"),
    ("支出金额", "300元", 300.0, "number_text"),
    ("支出金额", "￥300.50", 300.5, "number_text"),
    ("支出金额", "41,715.00", 41_715.0, "number_text"),
    ("参与人数", "约50人", 50.0, "number_approx"),
    ("参与人数", "50余人", 50.0, "number_approx"),
    ("参与人数", "50多人", 50.0, "number_approx"),
    ("参与人数", "50人左右", 50.0, "number_approx"),
    ("参与人数", "227多人", 227.0, "number_approx"),
    ("参与人数", "304人", 304.0, "number_text"),
    ("参与人数", "—", None, "number_missing_token"),
    ("参与人数", "-", None, "number_missing_token"),
    ("参与人数", "/", None, "number_missing_token"),
    ("参与人数", "无", None, "number_missing_token"),
    ("支出金额", "——", None, "number_missing_token"),
    ("参与人数", None, None, None),
    ("参与人数", "   ", None, None),
    ("参与人数", "很多", None, "number_invalid"),
]


@pytest.mark.parametrize("column,raw,expected,code", NUMBER_CASES, ids=[f"{c[0]}-{c[1]!r}" for c in NUMBER_CASES])
def test_number_spellings(column, raw, expected, code, make_book, load_book, tmp_path):
    recs = [["2023-07-01", "测", "文体活动", 9, 90]]
    recs[0][HEAD.index(column)] = raw
    book = act_book(make_book, recs, title="2023年活动台账")
    res = load_book(book)
    key = {"参与人数": "participants", "支出金额": "amount"}[column]
    got = res.tables["activities"][key].iloc[0]
    if expected is None:
        assert math.isnan(got)  # missing, never 0
    else:
        assert got == pytest.approx(expected)
    if code:
        f = one_finding(res.findings, sheet=ACT, row=book.row(ACT, 1), code=code)
        assert f.column == column
        if raw is not None:
            assert f.value == str(raw).strip() or f.value == str(raw)
    elif expected is None:  # blank: nothing to say, just missing
        assert not findings_at(res.findings, sheet=ACT, row=book.row(ACT, 1), column=column)


def test_missing_numbers_are_not_zero_in_indicators(make_book, tmp_path):
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.ingest.load import load_ledgers

    act_book(make_book, [["2023-07-01", "甲", "文体活动", "—", "无"], ["2023-07-02", "乙", "文体活动", None, None]])
    ind = compute_indicators(load_ledgers(tmp_path))
    assert value_of(ind, UNIT, YEAR, "activities") == 2
    assert math.isnan(value_of(ind, UNIT, YEAR, "activity_participants"))
    assert math.isnan(value_of(ind, UNIT, YEAR, "activity_spend"))


def test_care_visits_blank_means_one(make_book, load_book):
    book = make_book(
        {
            "慰问帮扶": [
                ["日期", "事由", "人次", "金额"],
                ["2023-01-05", "生病住院", None, 300],
                ["2023-01-06", "婚嫁", 2, 500],
                ["2023-01-07", "婚嫁", "—", 500],
            ]
        }
    )
    df = load_book(book).tables["care"]
    assert df["visits"].iloc[0] == 1.0 and df["visits"].iloc[1] == 2.0
    assert math.isnan(df["visits"].iloc[2])  # written "—": missing, not the blank default


# --------------------------------------------------------------------------
# subtotals, duplicates, formulas


@pytest.mark.parametrize(
    "row",
    [
        ["合计", None, None, 30, 300],
        [None, "小计", None, 30, 300],
        ["总计：", None, None, 30, 300],
        [None, None, "合 计", 30, 300],
        ["本页小计", None, None, "30", "300"],
        ["合计", "", "", "=SUM(D5:D6)", "=SUM(E5:E6)"],
    ],
)
def test_subtotal_rows_excluded_and_listed(row, make_book, load_book):
    book = act_book(
        make_book,
        [["2023-01-05", "甲", "文体活动", 10, 100], ["2023-01-06", "乙", "文体活动", 20, 200], row],
        title="2023年活动台账",
    )
    res = load_book(book)
    df = res.tables["activities"]
    assert df["name"].tolist() == ["甲", "乙"]
    f = one_finding(res.findings, sheet=ACT, row=book.row(ACT, 3), code="subtotal")
    assert f.action == "excluded"
    st = next(s for s in res.stats if s["sheet"] == ACT)
    assert st["subtotals"] == 1


def test_subtotal_in_the_middle(make_book, load_book):
    recs = [
        ["2023-01-05", "甲", "文体活动", 10, 100],
        ["一季度小计", None, None, 10, 100],
        ["2023-04-06", "乙", "文体活动", 20, 200],
        ["全年合计", None, None, 30, 300],
    ]
    book = act_book(make_book, recs)
    res = load_book(book)
    assert res.tables["activities"]["name"].tolist() == ["甲", "乙"]
    assert {f.row for f in findings_at(res.findings, code="subtotal")} == {book.row(ACT, 2), book.row(ACT, 4)}


def test_words_containing_heji_are_not_subtotals(make_book, load_book):
    book = act_book(make_book, [["2023-01-05", "活动合计划讨论会", "文体活动", 10, 100]])
    res = load_book(book)
    assert res.tables["activities"]["name"].tolist() == ["活动合计划讨论会"]


def test_exact_duplicates_counted_once_and_listed(make_book, load_book):
    rec = ["2023-01-01", "活动4", "教育培训", "１５５", 49950]
    recs = [
        rec,
        ["2023-01-02", "活动5", "教育培训", 10, 10],
        list(rec),
        list(rec),
        ["2023-01-01", "活动4", "教育培训", "１５５", 49951],
    ]
    book = act_book(make_book, recs, title="2023年活动台账")
    res = load_book(book)
    df = res.tables["activities"]
    assert len(df) == 3
    assert df["excel_row"].tolist() == [book.row(ACT, 1), book.row(ACT, 2), book.row(ACT, 5)]
    dups = findings_at(res.findings, sheet=ACT, code="duplicate")
    assert [f.row for f in dups] == [book.row(ACT, 3), book.row(ACT, 4)]
    assert all(f.action == "excluded" and str(book.row(ACT, 1)) in f.message for f in dups)
    st = next(s for s in res.stats if s["sheet"] == ACT)
    assert st["duplicates"] == 2


def test_duplicate_finding_hides_personal_data(make_book, load_book):
    rec = ["2023-01-01", "张三丰", "住院", 1, 500]
    book = make_book({"慰问帮扶": [["日期", "慰问对象", "事由", "人次", "金额"], rec, list(rec)]})
    res = load_book(book)
    f = one_finding(res.findings, code="duplicate")
    assert "张三丰" not in f.value and "张三丰" not in f.message


def test_formula_without_cached_value(make_book, load_book):
    recs = [["2023-01-05", "甲", "文体活动", "=1+1", 100], ["2023-01-06", "乙", "文体活动", 20, "=D5*10"]]
    book = act_book(make_book, recs, title="2023年活动台账")
    res = load_book(book)
    df = res.tables["activities"]
    assert math.isnan(df["participants"].iloc[0]) and df["amount"].iloc[0] == 100
    assert df["participants"].iloc[1] == 20 and math.isnan(df["amount"].iloc[1])
    f1 = one_finding(res.findings, sheet=ACT, row=book.row(ACT, 1), code="formula_no_value")
    f2 = one_finding(res.findings, sheet=ACT, row=book.row(ACT, 2), code="formula_no_value")
    assert (f1.column, f1.severity) == ("参与人数", "error")  # a value not known: exit 1, never a silent 0
    assert (f2.column, f2.severity) == ("支出金额", "error")


def test_formula_without_cached_value_offset_table(make_book, load_book):
    """Blank rows and columns before the table: the finding still names the right cell."""
    recs = [["2023-01-05", "甲", "文体活动", "=1+1", 100]]
    book = act_book(make_book, recs, title="标题", row_offset=3, col_offset=2)
    res = load_book(book)
    f = one_finding(res.findings, sheet=ACT, code="formula_no_value")
    assert (f.row, f.column) == (book.row(ACT, 1), "参与人数")


def test_formula_with_cached_value_is_read(tmp_path, load_book):
    """A formula saved with its value (as Excel does) is read by that value."""
    book = write_book(tmp_path / "f.xlsx", {ACT: [HEAD, ["2023-01-05", "甲", "文体活动", "=1+1", 100]]})
    # add a cached value to the formula cell, as Excel would have saved it
    src = book.path
    dst = tmp_path / "g.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/") and b"<f>1+1</f>" in data:
                data = data.replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>").replace(
                    b"<f>1+1</f></c>", b"<f>1+1</f><v>2</v></c>"
                )
            zout.writestr(item, data)
    res = load_book(dst)
    assert res.tables["activities"]["participants"].iloc[0] == 2
    assert not findings_at(res.findings, code="formula_no_value")


# --------------------------------------------------------------------------
# the example workbook end to end


def _json_check(capsys, *args):
    from gonghui_kit.cli import main

    rc = main(["check", *map(str, args), "--format", "json"])
    out = capsys.readouterr()
    return rc, json.loads(out.out), out.err


def test_example_workbook_json(capsys, tmp_path):
    if not EXAMPLE.exists():
        pytest.skip("example workbook not found")
    rc, items, err = _json_check(capsys, EXAMPLE)
    keys = {"file", "sheet", "row", "column", "value", "action", "severity", "message"}
    assert items and all(keys <= set(d) for d in items)
    assert all(d["severity"] in ("error", "warning", "info") for d in items)

    def has(sheet, row, action):
        hits = [d for d in items if d["sheet"] == sheet and d["row"] == row and d["action"] == action]
        assert hits, f"nothing at {sheet} row {row}"
        return hits[0]

    sub1 = has("活动台账", 35, "excluded")
    sub2 = has("经费收支", 54, "excluded")
    dup = has("活动台账", 10, "excluded")
    other = has("活动台账", 34, "excluded")
    assert "合计" in sub1["value"] and "小计" in sub2["value"]
    assert "9" in dup["message"]  # names the first copy (row 9)
    assert other["column"] == "日期" and "2022" in other["value"]
    for d in (sub1, sub2, dup, other):
        assert d["file"] == EXAMPLE.name
        assert d["message"]
    # personal data never shows (spec §6)
    text = json.dumps(items, ensure_ascii=False)
    for pii in ("张某甲", "320102020410304605", "15644854973", "王主席", "赵填报", "赵代表"):
        assert pii not in text
    assert rc in (0, 1)
    assert "Traceback" not in err


def test_example_workbook_counts():
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.ingest.load import load_ledgers

    led = load_ledgers(EXAMPLE)
    a = led["activities"]
    assert len(a) == 26  # 30 rows - duplicate - other year - subtotal
    assert 10 not in a["excel_row"].tolist() and 34 not in a["excel_row"].tolist()
    assert a.loc[a["excel_row"] == 20, "amount"].iloc[0] == 13_508.0
    assert a.loc[a["excel_row"] == 22, "participants"].iloc[0] == 227.0
    assert a.loc[a["excel_row"] == 14, "month"].iloc[0] == 9
    ind = compute_indicators(led)
    assert value_of(ind, "示例车间分工会", 2023, "activities") == 26
    assert value_of(ind, "示例车间分工会", 2023, "employees") == 210


# --------------------------------------------------------------------------
# bad input through the CLI: one clear Chinese line per bad file, others read


def _good(tmp_path, name, unit="好分工会", year=YEAR):
    return write_book(
        tmp_path / name, {ACT: [HEAD, [f"{year}-03-01", "甲", "文体活动", 5, 50]]}, info={"unit": unit, "year": year}
    ).path


def _cjk(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


BAD_CASES = ["text_as_xlsx", "truncated", "no_info", "other_year", "same_unit_twice"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_cli(case, tmp_path, capsys):
    d = tmp_path / "data"
    d.mkdir()
    good = _good(d, "a_好台账.xlsx")
    if case == "text_as_xlsx":
        bad = d / "b_假台账.xlsx"
        bad.write_text("这不是Excel文件\n单位名称,年度\n", encoding="utf-8")
    elif case == "truncated":
        src = _good(tmp_path, "full.xlsx", unit="另一分工会")
        data = src.read_bytes()
        bad = d / "b_截断台账.xlsx"
        bad.write_bytes(data[: len(data) // 2])
    elif case == "no_info":
        bad = write_book(
            d / "b_无基本信息.xlsx", {ACT: [HEAD, ["2023-03-01", "甲", "文体活动", 5, 50]]}, info=None
        ).path
    elif case == "other_year":
        bad = _good(d, "b_2022台账.xlsx", unit="别的分工会", year=2022)
    elif case == "same_unit_twice":
        bad = _good(d, "b_好台账(终稿)(1).xlsx")
    rc, items, err = _json_check(capsys, d, "--year", YEAR)
    assert rc == 1
    assert "Traceback" not in err
    errors = [x for x in items if x["severity"] == "error"]
    assert len(errors) == 1, errors
    e = errors[0]
    assert e["file"].endswith(bad.name)  # shown relative to the folder given
    assert _cjk(e["message"]) and "\n" not in e["message"]
    assert e["action"] in ("refused", "skipped")
    # the good file was read: no error against it
    assert not [x for x in items if x["file"].endswith(good.name) and x["severity"] == "error"]

    # the text format names the file on one line, and no traceback either
    from gonghui_kit.cli import main

    rc2 = main(["check", str(d), "--year", str(YEAR)])
    out = capsys.readouterr()
    assert rc2 == 1
    assert "Traceback" not in out.out + out.err
    assert bad.name in out.out
    lines = [ln for ln in out.out.splitlines() if "[错误]" in ln]
    assert len(lines) == 1 and _cjk(lines[0])


def test_bad_files_do_not_stop_the_batch(tmp_path):
    from gonghui_kit.ingest.load import load_ledgers

    d = tmp_path / "data"
    d.mkdir()
    _good(d, "a.xlsx", unit="甲分工会")
    (d / "b.xlsx").write_bytes(b"PK\x03\x04garbage")
    (d / "c.xlsx").write_text("hello", encoding="utf-8")
    write_book(d / "d.xlsx", {ACT: [HEAD]}, info=None)
    _good(d, "e.xlsx", unit="乙分工会")
    led = load_ledgers(d, year=YEAR)
    assert sorted(led["activities"]["unit"].unique()) == ["乙分工会", "甲分工会"]
    st = {Path(f).name: s for f, s in zip(led.files["file"], led.files["status"], strict=False)}
    assert st["a.xlsx"] == "ok" and st["e.xlsx"] == "ok"
    assert st["b.xlsx"] == st["c.xlsx"] == st["d.xlsx"] == "refused"
