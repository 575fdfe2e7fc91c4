"""Every sheet and column alias of spec §2 loads into the right canonical place.

The alias lists below are typed from shared/spec/ledger.md §2 on purpose —
NOT read from gonghui_kit/schema/ledger.yaml — so these tests check the
schema against the contract.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import UNIT, YEAR, Sheet, findings_at, one_finding

from gonghui_kit.ingest import categories, grid
from gonghui_kit.schema import load_schema

T = pd.Timestamp

# --------------------------------------------------------------------------
# spec §2, typed by hand
#
# sheet key: (canonical sheet name, [sheet aliases], [columns])
# column: (canonical header, [aliases], raw cell value, table column, expected)
# expected: a value; "PSEUDONYM" (identifying personal data: replaced by a
# pseudonym, never the raw name); "DROPPED" (personal data: not stored).

PSEUDONYM = "PSEUDONYM"
DROPPED = "DROPPED"

SPEC: dict[str, tuple[str, list[str], list[tuple]]] = {
    "members": (
        "会员名册",
        ["会员花名册", "会员信息"],
        [
            ("姓名", [], "张三丰", "name", PSEUDONYM),
            ("性别", [], "女", "gender", "女"),
            ("出生日期", ["出生年月"], "1990-05-01", "birth_date", T("1990-05-01")),
            ("入会日期", ["入会时间"], "2015-03-01", "join_date", T("2015-03-01")),
            ("离会日期", ["转出日期"], "2023-06-30", "leave_date", T("2023-06-30")),
            ("状态", ["会员状态"], "转出", "status", "转出"),
            ("身份证号", [], "110101199005011234", "id_number", DROPPED),
            ("联系电话", [], "13912345678", "phone", DROPPED),
            ("部门", [], "生产部", "department", "生产部"),
        ],
    ),
    "activities": (
        "活动台账",
        ["职工活动", "活动记录"],
        [
            ("日期", ["活动日期", "时间"], "2023-07-01", "date", T("2023-07-01")),
            ("活动名称", ["名称", "活动内容"], "职工篮球赛", "name", "职工篮球赛"),
            ("活动类别", ["类别", "类型"], "劳动竞赛", "category", "劳动竞赛"),
            ("参与人数", ["参加人数", "人数", "参与人次"], 48, "participants", 48.0),
            ("支出金额", ["金额", "费用", "支出"], "1,500", "amount", 1500.0),
            ("组织部门", [], "工会办", "department", "工会办"),
            ("备注", [], "备注甲", "note", "备注甲"),
        ],
    ),
    "funds": (
        "经费收支",
        ["经费台账", "收支明细"],
        [
            ("日期", [], "2023/3/5", "date", T("2023-03-05")),
            # an unknown 科目 in the second row: its direction can only come from 收支
            ("收支", ["收支类型", "类型"], "收入", "direction", "收入"),
            ("科目", ["会计科目", "项目"], "会费收入", "account", "会费收入"),
            ("金额", [], 1000, "amount", 1000.0),
            ("摘要", [], "收会费", "summary", "收会费"),
            ("凭证号", [], "记-001", "voucher", "记-001"),
        ],
    ),
    "care": (
        "慰问帮扶",
        ["慰问台账", "帮扶慰问"],
        [
            ("日期", [], "2023年5月6日", "date", T("2023-05-06")),
            ("慰问对象", ["对象", "姓名"], "李四光", "recipient", PSEUDONYM),
            ("事由", ["慰问事由", "类别"], "生病住院", "reason", "生病住院"),
            ("人次", ["人数"], 3, "visits", 3.0),
            ("金额", [], 500, "amount", 500.0),
            ("形式", [], "现金", "form", "现金"),
        ],
    ),
    "proposals": (
        "职代会提案",
        ["提案台账", "提案"],
        [
            ("提案编号", ["编号"], "TA-01", "number", "TA-01"),
            ("提出日期", ["日期"], "2023-03-01", "date", T("2023-03-01")),
            ("提案人", [], "王代表", "proposer", PSEUDONYM),
            ("标题", ["提案名称", "案由"], "关于食堂的建议", "title", "关于食堂的建议"),
            ("类别", [], "生活福利", "category", "生活福利"),
            ("是否立案", [], "否", "accepted", "否"),
            ("办理状态", ["状态"], "办理中", "status", "办理中"),
            ("答复日期", ["办结日期"], "2023-04-01", "reply_date", T("2023-04-01")),
        ],
    ),
    "publicity": (
        "宣传报道",
        ["宣传台账", "宣传"],
        [
            ("日期", [], "2023.7.7", "date", T("2023-07-07")),
            ("形式", [], "横幅", "form", "横幅"),
            ("级别", [], "省级", "level", "省级"),
            ("数量", ["篇数", "期数", "块数"], 4, "quantity", 4.0),
            ("标题", ["载体", "内容"], "厂报", "title", "厂报"),
        ],
    ),
    "training": (
        "培训学习",
        ["培训台账", "教育培训"],
        [
            ("日期", [], "2023-05-29", "date", T("2023-05-29")),
            ("项目名称", ["名称"], "安全培训", "name", "安全培训"),
            ("类型", [], "安全生产", "type", "安全生产"),
            ("学时", ["课时"], 2.5, "hours", 2.5),
            ("参训人数", ["人数"], 30, "participants", 30.0),
        ],
    ),
    "awards": (
        "荣誉表彰",
        ["荣誉", "获奖情况"],
        [
            ("日期", [], "2023-06-03", "date", T("2023-06-03")),
            ("荣誉名称", ["名称"], "模范职工之家", "name", "模范职工之家"),
            ("级别", [], "省部级", "level", "省部级"),
            ("获奖对象", [], "集体", "recipient", "集体"),
            ("等次", ["等级"], "一等奖", "grade", "一等奖"),
        ],
    ),
}

# 基本信息 keys: (canonical key, [aliases], raw value, where, expected)
INFO_SPEC = [
    ("单位名称", ["单位", "工会名称"], "别名分工会", "unit", "别名分工会"),
    ("年度", ["年份"], "2023年", "year", 2023),
    ("上级工会", [], "某市总工会", "parent_union", "某市总工会"),
    ("职工人数", ["在职职工人数", "职工总数"], "210人", "employees", 210.0),
    ("工会主席", [], "王主席某", "chair", DROPPED),
    ("填报人", [], "赵填报某", "filler", DROPPED),
    ("填报日期", [], "2024年1月8日", "fill_date", T("2024-01-08")),
]

# fund accounts and sub-items (spec §2, 经费收支)
INCOME_ACCOUNTS = [
    "会费收入",
    "拨缴经费收入",
    "上级补助收入",
    "行政补助收入",
    "政府补助收入",
    "附属单位上缴收入",
    "投资收益",
    "其他收入",
]
EXPENSE_ACCOUNTS = [
    "职工活动支出",
    "职工服务支出",
    "维权支出",
    "业务支出",
    "资本性支出",
    "对附属单位的支出",
    "其他支出",
]
SUB_ITEMS = {
    "职工活动支出": ["职工教育", "文体活动", "宣传活动", "劳模职工疗休养", "会员活动", "职工集体福利", "其他活动"],
    "维权支出": ["劳动关系协调", "劳动保护", "法律援助", "困难职工帮扶", "送温暖"],
    "业务支出": ["培训", "会议", "专项业务"],
}


def _column_cases():
    for key, (_sheet, _aliases, cols) in SPEC.items():
        for label, aliases, _raw, _col, _expected in cols:
            for header in [label, *aliases]:
                yield pytest.param(key, label, header, id=f"{key}-{header}")


def _sheet_cases():
    for key, (name, aliases, _cols) in SPEC.items():
        for n in [name, *aliases]:
            yield pytest.param(key, n, id=f"{key}-{n}")


def _rows_for(key: str, replace: dict[str, str] | None = None) -> list[list]:
    """Header (canonical labels, some replaced by an alias) and one record."""
    cols = SPEC[key][2]
    replace = replace or {}
    header = [replace.get(c[0], c[0]) for c in cols]
    record = [c[2] for c in cols]
    rows = [header, record]
    if key == "funds":  # a second record whose direction only 收支 can give
        rows.append(["2023/3/6", "支出", "杂项", 20, "杂项支出", "记-002"])
    return rows


def _check_value(got, expected, raw):
    if expected is PSEUDONYM:
        assert isinstance(got, str) and got and got != raw and raw not in got
    elif isinstance(expected, pd.Timestamp):
        assert pd.Timestamp(got) == expected
    elif isinstance(expected, float):
        assert got == pytest.approx(expected)
    else:
        assert got == expected


# --------------------------------------------------------------------------
# the schema itself matches the spec (fast, no workbook)


@pytest.mark.parametrize("key,name", list(_sheet_cases()))
def test_schema_sheet_alias(key, name):
    assert load_schema().sheet_for_name(name).key == key


@pytest.mark.parametrize("key,label,header", list(_column_cases()))
def test_schema_column_alias(key, label, header):
    sheet = load_schema().sheet(key)
    expected_col = next(c[3] for c in SPEC[key][2] if c[0] == label)
    m = grid.match_header([header], sheet)
    assert m.columns == {0: expected_col}


def test_spec_lists_cover_the_schema():
    """Every column the schema has is in the spec (and vice versa), extensions apart."""
    s = load_schema()
    for key, (name, _aliases, cols) in SPEC.items():
        sheet = s.sheet(key)
        assert sheet.label == name
        assert [c.label for c in sheet.columns if not c.extension] == [c[0] for c in cols]
    assert [c.label for c in s.sheet("info").columns if not c.extension] == [c[0] for c in INFO_SPEC]
    assert [c.label for c in s.sheet("info").columns if c.extension] == ["会员人数"]


# --------------------------------------------------------------------------
# workbooks


@pytest.mark.parametrize("key,label,header", list(_column_cases()))
def test_column_alias_loads(key, label, header, make_book, load_book):
    sheet_name = SPEC[key][0]
    book = make_book({sheet_name: Sheet(_rows_for(key, {label: header}), title=f"{YEAR}年{sheet_name}")})
    res = load_book(book)
    assert res.status == "ok", res.findings
    assert res.unit == UNIT and res.year == YEAR
    df = res.tables[key]
    _l, _a, raw, col, expected = next(c for c in SPEC[key][2] if c[0] == label)
    # the header is recognised, not reported as an unknown column
    assert not findings_at(res.findings, code="unknown_column"), [
        f.column for f in res.findings if f.code == "unknown_column"
    ]
    assert df["excel_row"].iloc[0] == book.row(sheet_name, 1)
    if expected is DROPPED:
        assert col not in df.columns
        for c in df.columns:
            assert not df[c].astype(str).str.contains(str(raw), regex=False).any()
        assert all(str(raw) not in f.value for f in res.findings)
        return
    _check_value(df[col].iloc[0], expected, raw)
    if key == "funds" and col == "direction":
        row2 = df[df["excel_row"] == book.row(sheet_name, 2)].iloc[0]
        assert row2["direction"] == "支出" and row2["account"] == "其他支出"


@pytest.mark.parametrize("key,name", list(_sheet_cases()))
def test_sheet_alias_loads(key, name, make_book, load_book):
    book = make_book({name: _rows_for(key)})
    res = load_book(book)
    assert res.status == "ok"
    assert len(res.tables[key]) == (2 if key == "funds" else 1)
    # recognised by its name, not guessed from the header
    assert not findings_at(res.findings, code="sheet_by_header")
    assert not findings_at(res.findings, code="unknown_sheet")
    assert res.tables[key]["sheet"].iloc[0] == name


def _info_cases():
    for label, aliases, _raw, _where, _expected in INFO_SPEC:
        for k in [label, *aliases]:
            yield pytest.param(label, k, id=k)


@pytest.mark.parametrize("label,key", list(_info_cases()))
def test_info_alias_loads(label, key, make_book, load_book):
    _l, _a, raw, where, expected = next(c for c in INFO_SPEC if c[0] == label)
    base = {"单位名称": UNIT, "年度": YEAR, "职工人数": 100}
    base.pop(label, None)
    rows = [[k, v] for k, v in base.items()] + [[key, raw]]
    book = make_book({"活动台账": _rows_for("activities")}, info=rows)
    res = load_book(book)
    assert res.status == "ok", [(f.code, f.message) for f in res.findings]
    got = {"unit": res.unit, "year": res.year, "employees": res.employees}.get(where, res.info.get(where))
    if expected is DROPPED:
        assert where not in res.info
        assert all(raw not in str(v) for v in res.info.values())
        assert all(raw not in f.value for f in res.findings)
    else:
        _check_value(got, expected, raw)


def test_info_key_with_colon_in_one_cell(make_book, load_book):
    book = make_book(
        {"活动台账": _rows_for("activities")},
        info=[["单位名称：冒号分工会"], ["年度:", "2023年度"], ["职工人数（人）", "二百"]],
    )
    res = load_book(book)
    assert res.unit == "冒号分工会" and res.year == 2023


# --------------------------------------------------------------------------
# header matching rules (spec §2): spaces, full-/half-width, bracketed units,
# a trailing colon


@pytest.mark.parametrize(
    "header,col",
    [
        ("活 动 日 期", "date"),
        ("\u3000日期\u3000", "date"),
        (" 参与 人数 ", "participants"),
        ("参与人数（人）", "participants"),
        ("参与人数(人)", "participants"),
        ("参与人数【人次】", "participants"),
        ("参与人数[人]", "participants"),
        ("活动类别：", "category"),
        ("活动类别:", "category"),
        ("活动类别 ：", "category"),
        ("支出金额（元）", "amount"),
        ("支出金额(元)：", "amount"),
        ("活动名称\n", "name"),
        ("备注\u00a0", "note"),
    ],
)
def test_header_variants(header, col, make_book, load_book):
    rows = _rows_for("activities")
    idx = next(i for i, c in enumerate(SPEC["activities"][2]) if c[3] == col)
    rows[0][idx] = header
    book = make_book({"活动台账": rows})
    res = load_book(book)
    df = res.tables["activities"]
    _l, _a, raw, _c, expected = SPEC["activities"][2][idx]
    _check_value(df[col].iloc[0], expected, raw)
    assert not findings_at(res.findings, code="unknown_column")


def test_full_width_header_text(make_book, load_book):
    """Full-width Latin letters, digits and punctuation in headers match their half-width forms."""
    rows = [["日期", "活动名称", "参与人数（人）", "支出金额（元）："], ["2023-07-01", "甲", "１２", "３００"]]
    res = load_book(make_book({"活动台账": rows}))
    df = res.tables["activities"]
    assert df["participants"].iloc[0] == 12.0
    assert df["amount"].iloc[0] == 300.0


@pytest.mark.parametrize(
    "header,raw,expected",
    [
        ("支出金额（万元）", 1.5, 15_000.0),
        ("支出金额（万元）", "0.35", 3_500.0),
        ("支出金额(万元)", "１.５", 15_000.0),
        ("金额（万元）", 2, 20_000.0),
        ("支出金额（万元）", "2万元", 20_000.0),  # a unit in the cell wins over the header
        ("支出金额（千元）", 3, 3_000.0),
        ("支出金额（元）", 300, 300.0),
    ],
)
def test_header_unit_scales_column(header, raw, expected, make_book, load_book):
    rows = [["日期", "活动名称", header], ["2023-07-01", "甲", raw]]
    book = make_book({"活动台账": rows})
    res = load_book(book)
    assert res.tables["activities"]["amount"].iloc[0] == pytest.approx(expected)
    if "万" in header or "千" in header:  # the scaling is reported on the header cell
        f = one_finding(res.findings, sheet="活动台账", row=book.row("活动台账", 0), code="header_scale")
        assert f.column == header


def test_header_unit_scales_fund_amount(make_book, load_book):
    rows = [
        ["日期", "收支", "科目", "金额（万元）"],
        ["2023-01-05", "收入", "会费收入", 1.2345],
        ["2023-01-06", "支出", "业务支出", "0.01"],
    ]
    res = load_book(make_book({"经费收支": rows}))
    df = res.tables["funds"]
    assert df["amount"].tolist() == [pytest.approx(12_345.0), pytest.approx(100.0)]


# --------------------------------------------------------------------------
# categories


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("文体活动", "文体活动"),
        ("文体类", "文体活动"),
        ("体育活动", "文体活动"),
        ("文体 活动", "文体活动"),
        (" 节日活动 ", "节日活动"),
        ("劳动竞赛", "劳动竞赛"),
        ("技能比武", "技能比武"),
        ("教育培训", "教育培训"),
        ("参观学习", "参观学习"),
        ("节日活动", "节日活动"),
        ("志愿服务", "志愿服务"),
        ("女职工活动", "女职工活动"),
        ("其他", "其他"),
    ],
)
def test_activity_category_variants(raw, expected, make_book, load_book):
    book = make_book({"活动台账": [["日期", "活动名称", "活动类别"], ["2023-07-01", "甲", raw]]})
    res = load_book(book)
    assert res.tables["activities"]["category"].iloc[0] == expected
    assert not findings_at(res.findings, code="category_unknown")


@pytest.mark.parametrize("raw", ["打麻将", "XYZ", "团建聚餐"])
def test_unknown_category_goes_to_other_with_warning(raw, make_book, load_book):
    book = make_book(
        {
            "活动台账": [
                ["日期", "活动名称", "活动类别", "参与人数"],
                ["2023-07-01", "甲", raw, 5],
                ["2023-07-02", "乙", "文体活动", 6],
            ]
        }
    )
    res = load_book(book)
    df = res.tables["activities"]
    assert len(df) == 2  # never dropped
    assert df["category"].tolist() == ["其他", "文体活动"]
    f = one_finding(res.findings, sheet="活动台账", row=book.row("活动台账", 1), code="category_unknown")
    assert f.severity == "warning" and f.value == raw and f.column == "活动类别"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("住院", "生病住院"),
        ("结婚", "婚嫁"),
        ("春节慰问", "节日慰问"),
        ("困难帮扶", "困难帮扶"),
        ("去世", "丧葬"),
        ("旅游", "其他"),
    ],
)
def test_care_reason_variants(raw, expected, make_book, load_book):
    book = make_book({"慰问帮扶": [["日期", "事由", "金额"], ["2023-07-01", raw, 200]]})
    res = load_book(book)
    assert res.tables["care"]["reason"].iloc[0] == expected


# --------------------------------------------------------------------------
# fund accounts: rollups and direction


def _account_cases():
    for a in INCOME_ACCOUNTS:
        yield pytest.param(a, "收入", a, id=a)
    for a in EXPENSE_ACCOUNTS:
        yield pytest.param(a, "支出", a, id=a)
    for acc, items in SUB_ITEMS.items():
        for it in items:
            yield pytest.param(it, "支出", acc, id=it)  # stands alone
            yield pytest.param(f"{acc}-{it}", "支出", acc, id=f"{acc}-{it}")  # after its account
    yield pytest.param("文体活动支出", "支出", "职工活动支出", id="文体活动支出")
    yield pytest.param("职工活动支出—文体活动", "支出", "职工活动支出", id="em-dash")
    yield pytest.param("职工活动支出/会员活动", "支出", "职工活动支出", id="slash")
    yield pytest.param("事业支出", "支出", "对附属单位的支出", id="事业支出")
    yield pytest.param("事业收入", "收入", "附属单位上缴收入", id="事业收入")


@pytest.mark.parametrize("raw,direction,account", list(_account_cases()))
def test_map_account(raw, direction, account):
    d, a, _note = categories.map_account(raw)
    assert (d, a) == (direction, account)


@pytest.mark.parametrize(
    "raw,direction,account",
    [
        ("职工活动支出-文体活动", "支出", "职工活动支出"),
        ("文体活动支出", "支出", "职工活动支出"),
        ("职工集体福利", "支出", "职工活动支出"),
        ("事业支出", "支出", "对附属单位的支出"),
        ("事业收入", "收入", "附属单位上缴收入"),
        ("送温暖", "支出", "维权支出"),
        ("会议", "支出", "业务支出"),
        ("会费收入", "收入", "会费收入"),
    ],
)
def test_fund_rollup_and_blank_direction(raw, direction, account, make_book, load_book):
    """收支 left blank: it follows from the 科目."""
    book = make_book(
        {
            "经费收支": [
                ["日期", "收支", "科目", "金额"],
                ["2023-01-05", None, raw, 100],
                ["2023-01-06", direction, raw, 50],
            ]
        }
    )
    res = load_book(book)
    df = res.tables["funds"]
    assert df["direction"].tolist() == [direction, direction]
    assert df["account"].tolist() == [account, account]
    if raw != account:
        f = one_finding(res.findings, sheet="经费收支", row=book.row("经费收支", 1), code="account_rollup")
        assert f.value == raw


def test_fund_without_direction_column(make_book, load_book):
    book = make_book(
        {
            "经费收支": [
                ["日期", "科目", "金额"],
                ["2023-01-05", "会费收入", 100],
                ["2023-01-06", "职工活动支出-文体活动", 50],
            ]
        }
    )
    df = load_book(book).tables["funds"]
    assert df["direction"].tolist() == ["收入", "支出"]


# --------------------------------------------------------------------------
# combined workbooks


@pytest.mark.parametrize("unit_header", ["单位名称", "单位", "分工会"])
def test_combined_workbook_unit_column(unit_header, make_book, load_book):
    rows = [
        [unit_header, "日期", "活动名称", "参与人数"],
        ["机修分工会", "2023-03-01", "甲", 10],
        ["动力分工会", "2023-03-02", "乙", 20],
        [None, "2023-03-03", "丙", 30],  # blank: the workbook's unit
    ]
    book = make_book({"活动台账": rows}, info={"unit": "总厂工会"})
    res = load_book(book)
    df = res.tables["activities"].sort_values("excel_row")
    assert df["unit"].tolist() == ["机修分工会", "动力分工会", "总厂工会"]
    assert not findings_at(res.findings, code="unknown_column")


def test_combined_workbook_in_load_ledgers(make_book, tmp_path):
    from gonghui_kit.analysis.indicators import compute_indicators, value_of
    from gonghui_kit.ingest.load import load_ledgers

    rows = [
        ["单位名称", "日期", "活动名称", "参与人数"],
        ["机修分工会", "2023-03-01", "甲", 10],
        ["动力分工会", "2023-03-02", "乙", 20],
        ["动力分工会", "2023-04-02", "丙", 5],
    ]
    make_book({"活动台账": rows}, info={"unit": "总厂工会"}, folder="d")
    led = load_ledgers(tmp_path / "d")
    ind = compute_indicators(led)
    assert value_of(ind, "动力分工会", YEAR, "activity_participants") == 25
    assert value_of(ind, "机修分工会", YEAR, "activities") == 1
    assert not math.isnan(value_of(ind, "总厂工会", YEAR, "employees"))
