"""Fuzzing the parsers and the loader (hypothesis), beyond tests/test_properties.py.

test_properties.py already fuzzes parse_date / parse_number / map_category /
map_account / match_header with ordinary values, and random 活动台账 +
经费收支 sheets.  Here:

(a) every parser — also parse_year, header_scale, locate_header, map_yesno,
    is_subtotal_row, is_note_row, clean_text — on hostile values (control
    characters, lone surrogates, huge strings, nan/inf, huge ints, numpy and
    pandas scalars, timedeltas, bytes): never an exception, well-typed
    output, bounded time on megabyte strings;
(b) whole workbooks with random mess in every record sheet of the schema:
    random sheet-name and header aliases, title rows, offsets, blank rows,
    subtotals, duplicates, notes, other-year rows, garbage cells, an extra
    unknown column, a 单位名称 column, two sheets of the same kind, an
    unknown sheet, a broken 基本信息 — load never raises and no row is lost
    without a finding.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import YEAR, Sheet, info_rows, write_book
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_properties import control, garbage_date, garbage_number, garbage_text, spell_date

from gonghui_kit.ingest import categories, clean, grid
from gonghui_kit.schema import load_schema

SCHEMA = load_schema()
PARSERS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOOKS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --------------------------------------------------------------------------
# (a) hostile scalar values

_any_char = st.characters(codec=None, exclude_categories=())  # everything, lone surrogates and C0/C1 controls included
hostile_text = st.one_of(
    st.text(alphabet=_any_char, max_size=40),
    st.text(
        alphabet=st.sampled_from(
            list(
                "0123456789.,，-—+eE万千百亿元约余多人次年月日号〇一二三四五六七八九十合计小注：: "
                "\t\n\x00\x1f\u3000\ufeff\u202e"
            )
        ),
        max_size=60,
    ),
    st.builds(
        lambda s, n: s * n,
        st.sampled_from(
            ["1", "9,", "约", "2023年", "合计", "万", "〇一", "( ", "\x00", "1.", "e9", "-", "元", "〇一", "十"]
        ),
        st.integers(100, 5_000),
    ),
)
hostile_number = st.one_of(
    st.floats(),  # nan, ±inf, subnormals
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -0.0, 1e308, -1e308, 5e-324, 2**63, -(2**63), 2**64 + 1]),
    st.sampled_from(
        [np.float64("nan"), np.float64("inf"), np.int64(2**62), np.float32(1.5), np.int8(-3), np.bool_(True)]
    ),
    st.decimals(allow_nan=True, allow_infinity=True),
)
hostile_time = st.one_of(
    st.datetimes(),
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.sampled_from(
        [
            pd.NaT,
            pd.Timestamp("1677-09-22"),
            pd.Timestamp("2262-04-11"),
            dt.datetime.min,
            dt.datetime.max,
            dt.date(1, 1, 1),
        ]
    ),
)
hostile = st.one_of(st.none(), st.booleans(), hostile_text, hostile_number, hostile_time, st.binary(max_size=20))


def _no_control(s: str) -> bool:
    return not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in s) and "\x7f" not in s


@PARSERS
@given(v=hostile, year=st.one_of(st.none(), st.integers(1900, 2100)))
@example(v=float("nan"), year=2023)
@example(v=float("inf"), year=2023)
@example(v=dt.timedelta(days=3), year=2023)
@example(v=decimal.Decimal("NaN"), year=None)
@example(v="\ud800", year=2023)
@example(v="〇一" * 3000, year=2023)
@example(v="二〇二三年" + "〇" * 5000 + "月", year=None)
def test_parse_date_is_total_and_typed(v, year):
    r = clean.parse_date(v, year=year)
    assert isinstance(r, clean.ParsedDate)
    assert r.ts is None or isinstance(r.ts, pd.Timestamp) and not pd.isna(r.ts)
    assert r.precision in (None, "day", "month", "year")
    assert (r.ts is None) == (r.precision is None)
    assert isinstance(r.ok, bool) and (r.note is None or isinstance(r.note, str))


@PARSERS
@given(
    v=hostile, kind=st.sampled_from(["count", "money", "number"]), scale=st.sampled_from([1.0, 100.0, 1000.0, 10000.0])
)
@example(v=decimal.Decimal("sNaN"), kind="money", scale=1.0)
@example(v=np.float64("inf"), kind="count", scale=1.0)
@example(v=True, kind="count", scale=1.0)
@example(v=10**30, kind="money", scale=10000.0)
@example(v="〇一" * 1000, kind="count", scale=1.0)  # was: OverflowError (int too large to convert to float)
def test_parse_number_is_total_and_typed(v, kind, scale):
    r = clean.parse_number(v, kind=kind, scale=scale)
    assert isinstance(r, clean.ParsedNumber)
    assert r.value is None or type(r.value) is float and math.isfinite(r.value)
    assert isinstance(r.ok, bool) and (r.note is None or isinstance(r.note, str))
    if not r.ok:
        assert r.value is None


@PARSERS
@given(v=hostile)
@example(v=dt.date(1, 1, 1))
@example(v=np.int64(2023))
@example(v=2023.5)
@example(v="〇" * 5000 + "年")  # was: ValueError (int too large for str)
def test_parse_year_is_total_and_typed(v):
    y = clean.parse_year(v)
    assert y is None or type(y) is int
    if isinstance(v, (str, int, float)) and not isinstance(v, bool) and y is not None:
        assert 1900 <= y <= 2100


@PARSERS
@given(v=hostile)
@example(v="金额（万元）" * 50_000)
def test_header_scale_is_total_and_typed(v):
    s = grid.header_scale(v)
    assert type(s) is float and s in (1.0, 100.0, 1_000.0, 10_000.0)


@PARSERS
@given(v=hostile, cat=st.sampled_from(sorted(SCHEMA.categories)), blank=st.sampled_from([None, "是", "在册"]))
def test_map_category_and_yesno_are_total_and_typed(v, cat, blank):
    cats = SCHEMA.categories[cat]
    r = categories.map_category(v, cats, blank=blank)
    assert isinstance(r, categories.ParsedCategory)
    assert r.value is None or r.value in cats.labels or r.value == blank
    assert r.note in (None, "synonym", "unknown", "missing")
    y = categories.map_yesno(v)
    assert y.value in (None, *SCHEMA.categories["yesno"].labels)


@PARSERS
@given(v=hostile)
def test_map_account_is_total_and_typed(v):
    d, a, note = categories.map_account(v)
    assert (d is None) == (a is None)
    assert d in (None, "收入", "支出")
    assert a is None or a in SCHEMA.accounts["income" if d == "收入" else "expense"]
    assert note in (None, "rollup", "unknown", "missing", "code", "code_conflict")  # account codes (intake issue)


@PARSERS
@given(cells=st.lists(hostile, max_size=10))
def test_row_predicates_and_clean_text_are_total_and_typed(cells):
    assert type(clean.is_subtotal_row(cells)) is bool
    assert type(clean.is_note_row(cells)) is bool
    assert type(clean.is_blank(cells[0] if cells else None)) is bool
    for v in cells:
        t = clean.clean_text(v)
        assert t is None or isinstance(t, str) and 0 < len(t) <= 2001 and _no_control(t)


@PARSERS
@given(
    rows=st.lists(
        st.lists(
            st.one_of(hostile, st.sampled_from([n for s in SCHEMA.sheets for c in s.columns for n in c.names])),
            max_size=8,
        ),
        max_size=40,
    ),
    key=st.sampled_from([s.key for s in SCHEMA.sheets]),
)
def test_match_and_locate_header_are_total_and_typed(rows, key):
    sheet = SCHEMA.sheet(key)
    keys = set(sheet.column_keys) | {"_unit"}
    for cells in rows[:5]:
        m = grid.match_header(cells, sheet)
        assert set(m.columns.values()) <= keys and len(set(m.columns.values())) == len(m.columns)
        assert all(0 <= j < len(cells) for j in (*m.columns, *m.unknown))
        assert not set(m.columns) & set(m.unknown)
        assert all(type(s) is float for s in m.scales.values())
    loc = grid.locate_header(rows, sheet)
    assert loc is None or 0 <= loc.row < min(len(rows), 30) and loc.score >= min(2, len(sheet.columns))


HUGE = [
    "1" * 1_000_000,
    "1" * 500_000 + "万",
    "约" * 300_000 + "5",
    "9," * 400_000,
    "2023年" * 150_000,
    "二〇二三年" * 100_000 + "七月一日",
    "合计" * 300_000,
    "填表说明：" + "很长" * 400_000,
    "职工活动支出-" * 100_000,
    "\x00" * 500_000,
    ("(" * 50_000) + "元",
    "1" * 5000 + "e" + "9" * 5000,
    "〇一" * 500_000,
    "十" * 1_000_000,
]


@pytest.mark.parametrize("s", HUGE, ids=[f"huge{i}" for i in range(len(HUGE))])
def test_parsers_are_fast_on_megabyte_strings(s):
    cats = SCHEMA.categories["activity_category"]
    sheet = SCHEMA.sheet("activities")
    for name, fn in [
        ("parse_number", lambda: clean.parse_number(s, kind="money")),
        ("parse_date", lambda: clean.parse_date(s, year=2023)),
        ("parse_year", lambda: clean.parse_year(s)),
        ("header_scale", lambda: grid.header_scale(s)),
        ("map_category", lambda: categories.map_category(s, cats)),
        ("map_account", lambda: categories.map_account(s)),
        ("is_subtotal_row", lambda: clean.is_subtotal_row([s])),
        ("is_note_row", lambda: clean.is_note_row([s])),
        ("clean_text", lambda: clean.clean_text(s)),
        ("locate_header", lambda: grid.locate_header([[s, s]] * 3, sheet)),
    ]:
        t = time.perf_counter()
        fn()
        assert time.perf_counter() - t < 2.0, name


# --------------------------------------------------------------------------
# (b) whole workbooks with random mess in every record sheet

date_in_year = st.dates(min_value=dt.date(YEAR, 1, 1), max_value=dt.date(YEAR, 12, 31))
date_other_year = st.dates(min_value=dt.date(YEAR - 2, 1, 1), max_value=dt.date(YEAR - 1, 12, 31))
plain_text = st.text(
    alphabet=st.sampled_from(list("职工篮球赛安全培训先进集体困难帮扶慰问学习abcXYZ0123 -（）")),
    min_size=1,
    max_size=10,
).filter(
    lambda s: s.strip() and not any(w in clean.norm_key(s) for w in (*SCHEMA.subtotal_words, *SCHEMA.note_prefixes))
)
ACCOUNTS = [a for side in SCHEMA.accounts.values() for a in side] + [
    "职工活动支出-文体活动",
    "文体活动支出",
    "事业支出",
    "送温暖",
    "杂项",
]


@st.composite
def cell_value(draw, col, garbage: bool, other_year: bool):
    if garbage and draw(st.booleans()):
        return draw(st.one_of(garbage_text, garbage_number, garbage_date, control))
    t = col.type
    if t == "date":
        return spell_date(draw(date_other_year if other_year else date_in_year), draw(st.integers(0, 6)))
    if t in ("count", "money", "number"):
        return draw(
            st.one_of(
                st.integers(0, 5000),
                st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2)),
                st.sampled_from(["约50人", "1,200", "１２００", "10万", "300元", "—", None]),
            )
        )
    if t in ("category", "yesno"):
        cats = SCHEMA.categories[col.categories]
        syns = [s for syn in cats.values.values() for s in syn]
        return draw(st.sampled_from(cats.labels + syns + [" 其 它 ", None]))
    if t == "account":
        return draw(st.sampled_from(ACCOUNTS))
    return draw(st.one_of(plain_text, st.none()))


@st.composite
def record_sheet(draw, sheet, serial0: int):
    """(Sheet spec, row kinds): a random subset of the columns under random aliases."""
    cols = list(sheet.columns)
    keep = draw(st.lists(st.sampled_from(cols), min_size=2, max_size=len(cols), unique_by=lambda c: c.key))
    if sheet.date_column and not any(c.key == sheet.date_column for c in keep) and draw(st.booleans()):
        keep.insert(0, sheet.column(sheet.date_column))
    header = [draw(st.sampled_from(c.names)) for c in keep]
    extra_unknown = draw(st.booleans())
    unit_col = draw(st.integers(0, 4)) == 0
    if extra_unknown:
        header.append("自定义列")
    if unit_col:
        header.append(draw(st.sampled_from(SCHEMA.unit_column)))
    kinds = draw(
        st.lists(
            st.sampled_from(
                ["record", "record", "record", "blank", "subtotal", "dup", "other_year", "garbage", "note"]
            ),
            min_size=0,
            max_size=14,
        )
    )
    rows: list = [header]
    records: list[int] = []
    planted = []
    for i, k in enumerate(kinds):
        if k == "dup" and records:
            rows.append(list(rows[draw(st.sampled_from(records))]))
            planted.append(k)
            continue
        if k == "dup":
            k = "record"
        if k == "blank":
            rows.append(None)
        elif k == "note":
            rows.append(
                [draw(st.sampled_from(["填表说明：本表于次年1月10日前报送。", "制表人：张某", "注：金额单位为元"]))]
            )
        elif k == "subtotal":
            r = [None] * len(header)
            r[draw(st.integers(0, len(header) - 1))] = draw(
                st.sampled_from(["合计", "小计", "总计", "合 计：", "本页小计"])
            )
            rows.append(r)
        else:
            other = k == "other_year" and sheet.date_column is not None
            r = [draw(cell_value(c, k == "garbage", other and c.key == sheet.date_column)) for c in keep]
            # a unique text cell keeps unplanted rows from being exact duplicates
            r.append(f"#{serial0 + i}" if extra_unknown else None)
            if unit_col:
                r.append(draw(st.sampled_from(["测试分工会", "另一分工会", None])))
            if not extra_unknown:
                r.pop(len(keep))
            records.append(len(rows))
            rows.append(r)
        planted.append(k)
    notes = draw(st.lists(st.sampled_from(["填表说明：请按时报送。", "制表人：李某    审核人：王某"]), max_size=2))
    title = draw(st.one_of(st.none(), st.just(f"{YEAR}年测试分工会{sheet.label}")))
    spec = Sheet(
        rows,
        title=title,
        title_rows=draw(st.integers(1, 3)),
        notes=notes,
        row_offset=draw(st.integers(0, 2)),
        col_offset=draw(st.integers(0, 2)),
        hidden=draw(st.lists(st.integers(1, max(1, len(rows) - 1)), max_size=2)),
    )
    return spec, planted


@st.composite
def workbook(draw):
    sheets: dict[str, Sheet] = {}
    chosen = draw(st.lists(st.sampled_from(SCHEMA.record_sheets), min_size=1, max_size=5, unique_by=lambda s: s.key))
    for n, sheet in enumerate(chosen):
        name = draw(st.sampled_from(sheet.names))
        spec, _ = draw(record_sheet(sheet, 1000 * n))
        sheets[name] = spec
        if draw(st.integers(0, 5)) == 0:  # a second sheet of the same kind under another alias
            other = [x for x in sheet.names if x != name]
            if other:
                spec2, _ = draw(record_sheet(sheet, 1000 * n + 500))
                sheets[draw(st.sampled_from(other))] = spec2
    if draw(st.booleans()):
        sheets["Sheet3"] = Sheet([["随便写写"], [draw(garbage_text) or "x"]])
    info = draw(st.sampled_from(["default", "aliases", "inline", "text_year"]))
    if info == "aliases":
        info_v: object = [["单位", "测试分工会"], ["年份", f"{YEAR}年"], ["职工总数", "约100人"], ["工会主席", "张某"]]
    elif info == "inline":
        info_v = [["单位名称：测试分工会"], ["年度：" + str(YEAR)], ["职工人数：100"]]
    elif info == "text_year":
        info_v = info_rows(year="二〇二三年度", employees="一百")
    else:
        info_v = True
    return sheets, info_v


STAT_KEYS = ("title", "blank", "notes", "subtotals", "duplicates", "other_year", "records", "unreadable")
EXCLUDED_CODES = {"subtotal", "duplicate", "other_year", "note", "summary_empty"}


@BOOKS
@given(wb=workbook())
def test_random_workbooks_load_and_no_row_is_lost(wb):
    from gonghui_kit.ingest.load import load_workbook

    sheets, info = wb
    with tempfile.TemporaryDirectory() as d:
        book = write_book(Path(d) / "随机台账.xlsx", sheets, info=info)
        res = load_workbook(book.path)
    assert res.status == "ok", [(f.code, f.message) for f in res.findings if f.severity == "error"]
    assert res.unit == "测试分工会" and res.year == YEAR
    by_sheet = {s["sheet"]: s for s in res.stats}
    for f in res.findings:
        assert f.severity in ("error", "warning", "info") and f.message
        assert "\n" not in f.value and len(f.value) <= 61
    for name, spec in book.sheets.items():
        if name == "Sheet3":
            continue
        s = by_sheet[name]
        assert s["rows"] == sum(s[k] for k in STAT_KEYS), (name, s)
        table = s["table"]
        if table == "summary":  # a 统计表: its rows are values reported per unit
            df = pd.DataFrame(res.reported, columns=["sheet", "excel_row"])
        else:
            df = res.tables.get(table)
        counted = set(df[df["sheet"] == name]["excel_row"].tolist()) if df is not None else set()
        assert len(counted) == s["records"], (name, s)
        mine = [f for f in res.findings if f.sheet == name]
        excluded = {f.row for f in mine if f.code in EXCLUDED_CODES}
        assert all(f.action == "excluded" for f in mine if f.code in EXCLUDED_CODES)
        assert len(excluded) == s["notes"] + s["subtotals"] + s["duplicates"] + s["other_year"], (
            name,
            s,
            sorted(excluded),
        )
        assert not counted & excluded
        if s["unreadable"]:
            assert any(f.code in ("no_header", "summary_no_unit") for f in mine), (name, s)
            continue
        # every non-blank row below the header is counted or named by a finding at its row
        for i, row in enumerate(spec.rows[1:], start=1):
            if row and any(not clean.is_blank(v) for v in row):
                r = spec.excel_row(i)
                assert r in counted or r in excluded, (name, r, row, s)
        for k in range(len(spec.notes)):
            assert spec.note_row(k) in excluded, (name, spec.note_row(k))
