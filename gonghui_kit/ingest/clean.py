"""Cleaning steps: pure functions, value → value or DataFrame → DataFrame.

Every parser returns a small result object that carries the parsed value and,
when the raw value needed interpreting, a ``note`` code that the loader turns
into a finding.  Nothing here reads files or knows about sheets beyond what
the schema passes in, so each step can be used, tested and fuzzed alone::

    >>> parse_number("约50人").value, parse_number("约50人").note
    (50.0, 'approx')
    >>> parse_number("1.3508万元", kind="money").value
    13508.0
    >>> parse_date("二〇二三年七月一日").ts.date()
    datetime.date(2023, 7, 1)
    >>> parse_date("7月1日", year=2023).ts.date(), parse_date("7月1日", year=2023).note
    (datetime.date(2023, 7, 1), 'no_year')

DataFrame steps (``clean_column``, ``flag_subtotals``, ``flag_duplicates``)
compose with ``DataFrame.pipe``.  Category, yes/no and 科目 labels are mapped
in :mod:`gonghui_kit.ingest.categories`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from gonghui_kit.ingest.codes import STABLE_RANGES, JoinedTexts, factorize_typed, first_copies
from gonghui_kit.ingest.numerals import cn_amount, cn_int
from gonghui_kit.schema import Schema, load_schema, norm_key

__all__ = [
    "ParsedNumber",
    "ParsedDate",
    "is_blank",
    "clean_text",
    "parse_number",
    "parse_date",
    "parse_year",
    "is_subtotal_row",
    "is_note_row",
    "is_section_row",
    "is_signature_label",
    "is_plain_number",
    "subtotal_texts",
    "flag_subtotals",
    "flag_duplicates",
    "clean_column",
]

# --------------------------------------------------------------------------
# small helpers

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MISSING_TOKENS = frozenset(
    norm_key(t)
    for t in (
        "—",
        "——",
        "-",
        "--",
        "－",
        "–",
        "/",
        "\\",
        "无",
        "暂无",
        "空",
        "不详",
        "未填",
        "N/A",
        "NA",
        "null",
        "none",
        "#N/A",
        "／",
        "…",
    )
)


def is_blank(value: Any) -> bool:
    """True for None, NaN, NaT and strings that are only white space.

    >>> [is_blank(v) for v in (None, float("nan"), "  ", "\\u3000", 0, "0")]
    [True, True, True, True, False, False]
    """
    if value is None:
        return True
    t = type(value)  # exact-type fast paths: this runs for every cell
    if t is str:
        return not value or not value.strip(" \t\r\n\u3000\u00a0")
    if t is int or t is bool or t is _dt.datetime:
        return False
    if t is float:
        return value != value
    if isinstance(value, str):
        return not value.strip(" \t\r\n\u3000\u00a0")
    if isinstance(value, float):
        return math.isnan(value)
    if value is pd.NaT:
        return True
    return False


def clean_text(value: Any, *, max_chars: int = 2000) -> str | None:
    """Free text: stripped, control characters removed, length bounded.

    >>> clean_text("  活动\\x07一  ")
    '活动一'
    >>> clean_text(12.0)
    '12'
    >>> clean_text("   ") is None
    True
    """
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        s = str(int(value))
    elif isinstance(value, (_dt.datetime, pd.Timestamp)):
        s = value.strftime("%Y-%m-%d") if value.time() == _dt.time(0) else value.isoformat(sep=" ")
    else:
        s = str(value)
    s = _CONTROL.sub("", s).strip(" \t\r\n\u3000\u00a0")
    if len(s) > max_chars:
        s = s[:max_chars] + "…"
    return s or None


# --------------------------------------------------------------------------
# numbers


@dataclass(frozen=True)
class ParsedNumber:
    """``value`` is None when missing or unreadable; ``ok`` False only when
    the raw value was present but could not be read as a number."""

    value: float | None
    note: str | None = None  # approx, text, missing_token, invalid, unit_in_cell
    ok: bool = True


_NUM_UNITS = (
    "元整",
    "圆整",
    "人次",
    "学时",
    "课时",
    "小时",
    "元",
    "人",
    "次",
    "个",
    "篇",
    "期",
    "块",
    "场",
    "名",
    "位",
    "项",
    "份",
    "h",
    "件",
    "幅",
    "条",
)
_APPROX_PRE = ("大约", "约计", "约", "近", "将近", "超过", "逾")
_APPROX_POST = ("左右", "以上", "余", "多", "来", "+")
_MULT = {"万": 10_000.0, "千": 1_000.0, "百": 100.0, "亿": 100_000_000.0}
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_plain_number(text: str) -> bool:
    """A number written plainly (what ``float`` reads, without a sign of
    infinity or NaN): stored as text, it needs no finding.

    >>> is_plain_number(" 1200 "), is_plain_number("1.5e3"), is_plain_number("1,200"), is_plain_number("inf")
    (True, True, False, False)
    """
    return _NUMBER_RE.match(text.strip()) is not None


def _to_float(value: Any) -> float | None:
    """float(value), or None for an int too large for a float (10**400)."""
    try:
        return float(value)
    except (OverflowError, ValueError):
        return None


def parse_number(value: Any, *, kind: str = "number", scale: float = 1.0) -> ParsedNumber:
    """Read a count, an amount (元) or any number the way people write them.

    ``scale`` comes from the header (``金额（万元）`` → 10000); a unit written in
    the cell itself (``2万``, ``300元``) wins over the header.

    >>> [parse_number(v).value for v in ("1,200", "１２００", "10万", "5千", "300元", "50余人", "50多人", 7)]
    [1200.0, 1200.0, 100000.0, 5000.0, 300.0, 50.0, 50.0, 7.0]
    >>> [parse_number(v).value for v in ("—", "-", "/", "无", "", None)]
    [None, None, None, None, None, None]
    >>> parse_number("无").note, parse_number("很多").ok
    ('missing_token', False)
    >>> parse_number(1.5, kind="money", scale=10000).value
    15000.0
    >>> parse_number("300元", kind="money", scale=10000).value, parse_number("1200元整", kind="money").value
    (300.0, 1200.0)
    >>> parse_number("2万元", kind="money", scale=10000).value
    20000.0
    >>> parse_number("壹万零伍佰元", kind="money").value, parse_number("叁仟元整", kind="money").note
    (10500.0, 'chinese')
    """
    if is_blank(value):
        return ParsedNumber(None)
    if isinstance(value, bool):
        return ParsedNumber(None, "invalid", False)
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = _to_float(value)
        if v is None or not math.isfinite(v * scale):
            return ParsedNumber(None, "invalid", False)
        v *= scale
        return ParsedNumber(round(v, 2) if kind == "money" else v, "scaled" if scale != 1.0 else None)
    if isinstance(value, (_dt.date, _dt.time, pd.Timestamp)):
        return ParsedNumber(None, "invalid", False)
    s = unicodedata.normalize("NFKC", str(value))
    s = re.sub(r"[\s\u3000\u00a0]+", "", s)
    if norm_key(s) in MISSING_TOKENS:
        return ParsedNumber(None, "missing_token")
    note = "text"
    s = s.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    if s.upper().startswith("RMB"):
        s = s[3:]
    whole_text = s
    approx = False
    for p in _APPROX_PRE:
        if s.startswith(p):
            s, approx = s[len(p) :], True
            break
    changed = True
    yuan = False  # the cell says 元 itself: the header's 万元 does not apply
    while changed:  # strip trailing units and approximation words in any order
        changed = False
        for u in _NUM_UNITS:
            if s.endswith(u) and len(s) > len(u):
                s, changed = s[: -len(u)], True
                yuan = yuan or u in ("元", "元整", "圆整")
        for p in _APPROX_POST:
            if s.endswith(p) and len(s) > len(p):
                s, changed, approx = s[: -len(p)], True, True
    cell_scale = None
    if s and s[-1] in _MULT and len(s) > 1:
        cell_scale = _MULT[s[-1]]
        s = s[:-1]
    if not _NUMBER_RE.match(s):
        n = cn_int(s)
        v = _to_float(n) if n is not None else None
        if v is None:
            cap = cn_amount(whole_text)
            if cap is None:
                return ParsedNumber(None, "invalid", False)
            if not any(u in whole_text for u in "元圆角分"):
                cap *= scale  # 叁仟 under 金额（万元）; 叁仟元 says its own unit
            return ParsedNumber(round(cap, 2) if kind == "money" else cap, "chinese")
    else:
        v = float(s)
    if not math.isfinite(v):
        return ParsedNumber(None, "invalid", False)
    v *= cell_scale if cell_scale is not None else (1.0 if yuan else scale)
    if not math.isfinite(v):  # 1e308万
        return ParsedNumber(None, "invalid", False)
    if kind == "money":
        v = round(v, 2)
    if approx:
        note = "approx"
    return ParsedNumber(v, note)


# --------------------------------------------------------------------------
# dates


@dataclass(frozen=True)
class ParsedDate:
    """``precision`` is 'day', 'month', 'year' or None (missing/unreadable)."""

    ts: pd.Timestamp | None
    precision: str | None = None
    # serial, text, no_year, month_only, chinese, md_number, ym_number, ym_ambiguous, ym_in_date_cell,
    # two_digit_year, range, invalid
    note: str | None = None
    ok: bool = True


_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)
_CN_RUN = re.compile(r"[〇零一二两三四五六七八九十]+")
_D_YMD = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_D_YM = re.compile(r"^(\d{4})(?:[-/.年])(\d{1,2})月?(?:份)?(?:上旬|中旬|下旬|初|中|底|末|上半月|下半月)?$")
_D_MD = re.compile(r"^(\d{1,2})(?:月(\d{1,2})[日号]?|[./](\d{1,2}))$")
_D_M = re.compile(r"^(\d{1,2})月(?:份)?(?:上旬|中旬|下旬|初|中|底|末|上半月|下半月)?$")
_D_Y = re.compile(r"^(\d{4})年?(?:度)?$")
_D_YY = re.compile(r"^(\d{2})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})[日号]?)$")
_D_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_D_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_TIME_TAIL = re.compile(r"(?<=[\d日号])(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*$")
_DAY_WORDS = re.compile(r"星期|周|礼拜|上午|下午|中午|晚上|全天|全日")
_DAY_SUFFIX = re.compile(
    r"(?:[(（]?(?:星期|周|礼拜)[一二三四五六日天七][)）]?)?(?:上午|下午|中午|晚上|全天|全日)?(?:\d{1,2}[:：]\d{2})?$"
)


def _mk(y: int, m: int, d: int, precision: str, note: str | None) -> ParsedDate:
    try:
        return ParsedDate(pd.Timestamp(_dt.date(y, m, d)), precision, note)
    except ValueError:
        return ParsedDate(None, None, "invalid", False)


def _serial(v: float) -> ParsedDate:
    if 1 <= v < 2_958_466:  # Excel's last date is 9999-12-31
        ts = pd.Timestamp(_EXCEL_EPOCH + _dt.timedelta(days=int(v)))
        return ParsedDate(ts, "day", "serial")
    return ParsedDate(None, None, "invalid", False)


def _year_dot_number(v: float) -> ParsedDate:
    """A date typed as a number: 2024.3 (March), 2024.12, 2024.0305; 2024.1
    may be January or October (Excel dropped the 0 of 2024.10): read as
    January with a warning (``ym_ambiguous``).  Never an Excel serial (that
    would be a date in 1905).

    >>> parsed = map(_year_dot_number, (2024.3, 2024.12, 2024.1, 2024.0305))
    >>> read = [(str(r.ts.date()), r.precision, r.note) for r in parsed]
    >>> read[:2]
    [('2024-03-01', 'month', 'ym_number'), ('2024-12-01', 'month', 'ym_number')]
    >>> read[2:]
    [('2024-01-01', 'month', 'ym_ambiguous'), ('2024-03-05', 'day', 'ym_number')]
    >>> _year_dot_number(2024.13).ok
    False
    """
    whole, _, frac = repr(v).partition(".")
    y = int(whole)
    if len(frac) in (1, 2) and 1 <= int(frac) <= 12:
        return _mk(y, int(frac), 1, "month", "ym_ambiguous" if frac == "1" else "ym_number")
    if len(frac) in (3, 4):
        frac = frac.ljust(4, "0")
        r = _mk(y, int(frac[:2]), int(frac[2:]), "day", "ym_number")
        if r.ok:
            return r
    return ParsedDate(None, None, "invalid", False)


def _number_in_date_cell(value: _dt.datetime, year: int | None) -> ParsedDate:
    """A date before 1910 in a ledger is a number typed into a date-formatted
    cell: 2024.3 shows as 1905-07-16.  Read the number back (Excel's serial)
    and parse it as typed; otherwise the date stands (a finding will say it is
    out of the year).

    >>> r = _number_in_date_cell(_dt.datetime(1905, 7, 16, 4, 48), 2024)
    >>> (str(r.ts.date()), r.precision, r.note)
    ('2024-02-01', 'month', 'ym_in_date_cell')
    >>> _number_in_date_cell(_dt.datetime(1905, 7, 6, 2, 24), 2024).note  # 2024.1: January or October
    'ym_ambiguous'
    >>> _number_in_date_cell(_dt.datetime(1901, 3, 1), 2024).ts.year
    1901
    """
    serial = round((_dt.datetime(*value.timetuple()[:6]) - _EXCEL_EPOCH).total_seconds() / 86400, 4)
    if 1900 <= serial <= 2100:
        r = _parse_date(serial, year)
        if r.ok:
            return r if r.note == "ym_ambiguous" else ParsedDate(r.ts, r.precision, "ym_in_date_cell")
    return ParsedDate(pd.Timestamp(value.date()), "day")


def parse_date(value: Any, *, year: int | None = None) -> ParsedDate:
    """Read every date spelling of spec §3.

    Results are cached across calls (the same dates recur in every sheet and
    workbook of a year; ``ParsedDate`` is immutable).

    ``year`` (from 基本信息) completes dates written without one.

    >>> f = lambda v: (parse_date(v, year=2023).ts.strftime("%Y-%m-%d"), parse_date(v, year=2023).precision)
    >>> spellings = ("2023-07-01", "2023/7/1", "2023.7.1", "2023年7月1日", "7月1日", "7.1", 45108, "二〇二三年七月一日")
    >>> [f(v)[0] for v in spellings]
    ['2023-07-01', '2023-07-01', '2023-07-01', '2023-07-01', '2023-07-01', '2023-07-01', '2023-07-01', '2023-07-01']
    >>> f("2023年7月")
    ('2023-07-01', 'month')
    >>> parse_date("下半年").ok, parse_date(None).precision
    (False, None)
    >>> parse_date(7.1, year=2023).ts.date()
    datetime.date(2023, 7, 1)
    >>> [f(v) for v in ("23-5-8", "23年5月8日")], parse_date("23-5-8").note
    ([('2023-05-08', 'day'), ('2023-05-08', 'day')], 'two_digit_year')
    >>> f(2023.1), parse_date(2023.1).note, f(2023.10)
    (('2023-01-01', 'month'), 'ym_ambiguous', ('2023-01-01', 'month'))
    >>> f("2023年3月5日（星期日）")[0], f("3月5日周日下午")[0], f("2023.3.5 14:30")[0], f("2022-12-22 00:00:00")[0]
    ('2023-03-05', '2023-03-05', '2023-03-05', '2022-12-22')
    >>> f("2024年6月"), f("2023年3月上旬"), f("5月底")
    (('2024-06-01', 'month'), ('2023-03-01', 'month'), ('2023-05-01', 'month'))
    """
    try:
        return _parse_date_cached(value, year)
    except TypeError:  # unhashable
        return _parse_date(value, year)


def _parse_date(value: Any, year: int | None) -> ParsedDate:
    if is_blank(value):
        return ParsedDate(None)
    if isinstance(value, bool):
        return ParsedDate(None, None, "invalid", False)
    if isinstance(value, (pd.Timestamp, _dt.datetime)) and value.year < 1910:
        return _number_in_date_cell(value, year)
    if isinstance(value, pd.Timestamp):
        return ParsedDate(value.normalize(), "day")
    if isinstance(value, _dt.datetime):
        return ParsedDate(pd.Timestamp(value.date()), "day")
    if isinstance(value, _dt.date):
        return ParsedDate(pd.Timestamp(value), "day")
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = _to_float(value)
        if v is None or not math.isfinite(v):
            return ParsedDate(None, None, "invalid", False)
        if 1 <= v < 13 and not v.is_integer() and year:
            # 7.1 typed into a General cell is stored as the number 7.1
            r = parse_date(format(v, "g"), year=year)
            return ParsedDate(r.ts, r.precision, "md_number") if r.ok else r
        if 1900 <= v <= 2100 and v.is_integer():
            return ParsedDate(pd.Timestamp(_dt.date(int(v), 1, 1)), "year", "year_only")
        if 1900 <= v <= 2100:
            return _year_dot_number(v)
        if v >= 20000 and v.is_integer() and 19000101 <= v <= 21001231:
            return parse_date(str(int(v)), year=year)
        if v >= 60:
            return _serial(v)
        return ParsedDate(None, None, "invalid", False)
    if isinstance(value, _dt.time):
        return ParsedDate(None, None, "invalid", False)
    s = unicodedata.normalize("NFKC", str(value))
    s = _TIME_TAIL.sub("", s)  # 2022-12-22 00:00:00, 2023.3.5 14:30: the time apart before spaces go
    s = re.sub(r"[\s\u3000\u00a0]+", "", s)
    if norm_key(s) in MISSING_TOKENS:
        return ParsedDate(None, None, "missing_token")
    if _DAY_WORDS.search(s):  # 2024年3月5日（星期二）, 3月5日上午 9:30 (a bare time is _D_YMD's)
        s = _DAY_SUFFIX.sub("", s) or s
    chinese = False
    if _CN_RUN.search(s):
        chinese = True

        def _rep(m: re.Match) -> str:
            n = cn_int(m.group(0))
            return str(n) if n is not None else m.group(0)

        s = _CN_RUN.sub(_rep, s)
    note = "chinese" if chinese else "text"
    if m := _D_YMD.match(s):
        return _mk(int(m[1]), int(m[2]), int(m[3]), "day", note)
    if m := _D_YY.match(s):
        return _mk(2000 + int(m[1]), int(m[2] or m[4]), int(m[3] or m[5]), "day", "two_digit_year")
    if m := _D_COMPACT.match(s):
        return _mk(int(m[1]), int(m[2]), int(m[3]), "day", note)
    if m := _D_YM.match(s):
        return _mk(int(m[1]), int(m[2]), 1, "month", "month_only")
    if m := _D_MD.match(s):
        if not year:
            return ParsedDate(None, None, "invalid", False)
        day = m[2] or m[3]
        return _mk(year, int(m[1]), int(day), "day", "no_year")
    if m := _D_M.match(s):
        if not year:
            return ParsedDate(None, None, "invalid", False)
        return _mk(year, int(m[1]), 1, "month", "month_only")
    if m := _D_Y.match(s):
        return ParsedDate(pd.Timestamp(_dt.date(int(m[1]), 1, 1)), "year", "year_only")
    if _D_SERIAL.match(s):
        return _serial(float(s))
    return _date_range(s, year)


_RANGE_SEP = re.compile(r"[-—–~～至到]+")
_RANGE_END = re.compile(r"^(?:(?:\d{4}[-/.年])?\d{1,2}[-/.月])?\d{1,2}[日号]?$")


def _date_range(s: str, year: int | None) -> ParsedDate:
    """A period (``2024.3.1-3.5``, ``2024年5月1日至3日``, ``3月1日—5日``)
    counts on its first day (``range``); anything else is invalid.

    >>> [str(_date_range(x, 2024).ts.date()) for x in ("2024.3.1-3.5", "2024年5月1日至3日", "3月1日—2024年3月5日")]
    ['2024-03-01', '2024-05-01', '2024-03-01']
    >>> _date_range("2024.3.1-3.5", 2024).note, _date_range("上半年-下半年", 2024).ok
    ('range', False)
    """
    if len(s) > 40:  # a period is short; never quadratic on a long text
        return ParsedDate(None, None, "invalid", False)
    for m in _RANGE_SEP.finditer(s):
        left, right = s[: m.start()], s[m.end() :]
        if not left or not _RANGE_END.match(right):
            continue
        start = _parse_date(left, year)
        if start.ok and start.precision == "day":
            return ParsedDate(start.ts, "day", "range")
    return ParsedDate(None, None, "invalid", False)


_parse_date_cached = functools.lru_cache(maxsize=1 << 15, typed=True)(_parse_date)


def parse_year(value: Any) -> int | None:
    """The 年度 of 基本信息: ``2023``, ``'2023年'``, ``'2023年度'``, ``'二〇二三年'``.

    >>> [parse_year(v) for v in (2023, 2023.0, "2023年", "2023年度", "二〇二三年", "明年")]
    [2023, 2023, 2023, 2023, 2023, None]
    """
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, (_dt.date, pd.Timestamp)):
        return value.year
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = _to_float(value)
        return int(v) if v is not None and v.is_integer() and 1900 <= v <= 2100 else None
    s = unicodedata.normalize("NFKC", str(value))
    s = _CN_RUN.sub(lambda m: str(cn_int(m.group(0)) if cn_int(m.group(0)) is not None else m.group(0)), s)
    m = re.search(r"(19|20)\d{2}", s)
    return int(m.group(0)) if m else None


# --------------------------------------------------------------------------
# rows


def _cell_text(v: Any) -> str:
    return norm_key(v) if isinstance(v, str) else ""


@functools.lru_cache(maxsize=16)
def _norm_words(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(norm_key(w) for w in words)


@functools.lru_cache(maxsize=16)
def _first_chars(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w[0] for w in words if w)


@functools.lru_cache(maxsize=1 << 16)
def _says_subtotal(text: str, words: tuple[str, ...]) -> bool:
    """One text cell says 合计/小计/… (``words`` already normalised); cached:
    ledgers repeat the same texts in every row."""
    # Fast exact rejection (most cells): a text already in NFKC form keeps its
    # characters under norm_key (which only drops spaces, brackets and colons
    # and lower-cases), so it cannot contain a word whose first character it
    # lacks (exact for any word not starting with a Greek sigma, whose lower
    # case depends on context).
    if unicodedata.is_normalized("NFKC", text) and _first_chars(words).isdisjoint(text.lower()):
        return False
    t = norm_key(text)
    if not t:
        return False
    for w in words:
        if t == w or (len(t) <= len(w) + 4 and (t.startswith(w) or t.endswith(w))):
            return True
        if t.endswith(w) and len(_PERIOD_CHARS.sub("", t[: -len(w)])) <= 4:
            return True  # 2024年全年合计, 2023年1-12月累计, 第一季度收支小计
        if t.startswith(w) and t[len(w) : len(w) + 1] in (":", "：", "(", "（"):
            return True  # 合计：12场 1200元
    return False


# what a period or scope before 合计 is written with (2024年全年, 1-12月, 第三季度)
_PERIOD_CHARS = re.compile(r"[0-9〇零一二三四五六七八九十年月日季度第本上下半全共总各期间份至~～\-—–/.、]+")


def is_subtotal_row(cells: Iterable[Any], words: Sequence[str] | None = None) -> bool:
    """A row whose text cells say 合计/小计/总计 is a subtotal, not a record.

    >>> rows = (["合计", None, 6613], [None, "小 计：", 1.5], ["2023-01-01", "活动合计划", 3])
    >>> tuple(is_subtotal_row(r) for r in rows)
    (True, True, False)
    """
    words = _norm_words(tuple(words or load_schema().subtotal_words))
    for v in cells:
        if isinstance(v, str) and v and _says_subtotal(v, words):
            return True
    return False


def is_note_row(cells: Sequence[Any], prefixes: Sequence[str] | None = None) -> bool:
    """A row holding only one text cell that starts like a note
    (``填表说明：…``, ``制表人：…``, ``注：…``).

    >>> is_note_row(["填表说明：本表于次年1月10日前报送。", None, None]), is_note_row(["张三", "男"])
    (True, False)
    >>> is_note_row([None, "备注：无"]), is_note_row(["说明会"])
    (True, False)
    """
    filled = [v for v in cells if not is_blank(v)]
    if len(filled) != 1 or not isinstance(filled[0], str):
        return False
    t = unicodedata.normalize("NFKC", filled[0]).strip()
    prefixes = prefixes or load_schema().note_prefixes
    # long enough to be a sentence, or the prefix is followed by a colon
    # (``备注：无``, ``注：略``): short labels such as ``说明会`` stay records
    return any(t.startswith(p) and (len(t) > 4 or t[len(p) : len(p) + 1] in (":", "：")) for p in prefixes)


_SECTION_NUMBER = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]{1,2}[)）]|\d{1,2}[、．]|第[一二三四五六七八九十\d]{1,2}[部分类项])\s*"
)


def is_section_row(cells: Sequence[Any], schema: Schema | None = None) -> bool:
    """A numbered section heading inside a table, one text cell alone:
    ``一、收入``, ``（二）支出情况``, ``2、文体活动`` — a number, then a
    收支 direction or a category of the schema, optionally with 情况/部分/类.
    A numbered row naming anything else (``3、植树节活动``) stays a record.

    >>> [is_section_row(r) for r in (["二、支出"], ["（一）收入部分", None], [None, "2、文体活动类"])]
    [True, True, True]
    >>> [is_section_row(r) for r in (["3、植树节活动"], ["二、支出", 500], ["支出"])]
    [False, False, False]
    """
    filled = [v for v in cells if not is_blank(v)]
    if len(filled) != 1 or not isinstance(filled[0], str):
        return False
    t = unicodedata.normalize("NFKC", filled[0]).strip()
    m = _SECTION_NUMBER.match(t)
    if m is None:
        return False
    rest = re.sub(r"(?:情况|部分|类|项目|明细)$", "", t[m.end() :].strip())
    if not rest:
        return False
    schema = schema or load_schema()
    return any(
        schema.categories[name].canonical(rest) is not None
        for name in ("fund_direction", "activity_category", "care_reason", "training_type", "publicity_form")
    )


def is_signature_label(text: str, prefixes: Sequence[str] | None = None, words: Sequence[str] | None = None) -> bool:
    """A cell that opens a signature, stamp or notes line: a note prefix
    followed by a colon (``填表人：``, ``注：``, ``审核人:``) or a text with
    ``签字``/``盖章`` …, short enough to be a label.

    >>> labels = ("负责人签字：", "填表人：李四", "单位（盖章）", "注：金额单位为元", "负责人", "签字笔采购")
    >>> [is_signature_label(t) for t in labels]
    [True, True, True, True, False, False]
    """
    t = unicodedata.normalize("NFKC", text).strip()
    if not t:
        return False
    schema = None
    if prefixes is None or words is None:
        schema = load_schema()
    prefixes = schema.note_prefixes if prefixes is None else prefixes
    words = schema.signature_words if words is None else words
    for p in prefixes:
        if t.startswith(p) and t[len(p) : len(p) + 1] in (":", "："):
            return True
    head = t.split(":", 1)[0].split("：", 1)[0].rstrip(")）]】 ")
    return len(head) <= 12 and any(head.endswith(w) for w in words)


@functools.lru_cache(maxsize=16)
def _lowering_to(first: frozenset[str]) -> frozenset[str]:
    """``first`` and the ASCII characters that lower-case to one of them."""
    return frozenset(first) | {c for c in map(chr, range(128)) if c.lower() in first}


def subtotal_texts(
    texts: Sequence[str], words: Sequence[str] | None = None, *, joined: JoinedTexts | None = None
) -> np.ndarray:
    """For each of ``texts`` (distinct values, typically): does it say
    合计/小计/… (``is_subtotal_row``'s test), as a bool array.  ``joined``:
    the same texts as ``JoinedTexts``, when the caller has them already.

    >>> subtotal_texts(["合 计：", "篮球赛", "活动合计划", "小计", ""]).tolist()
    [True, False, False, True, False]
    >>> subtotal_texts(["2024年全年合计", "2023年1-12月累计", "合计：12场", "总计", "开展职工健步走活动累计"]).tolist()
    [True, True, True, True, False]
    """
    words = _norm_words(tuple(load_schema().subtotal_words if words is None else words))
    out = np.zeros(len(texts), dtype=bool)
    if joined is None:
        joined = JoinedTexts(list(texts))
    if joined.ok:
        # only a text with a word's first character, or with characters NFKC
        # may change, can say a word (_says_subtotal's own shortcut)
        cand = np.union1d(joined.outside(STABLE_RANGES), joined.among(_lowering_to(_first_chars(words)))).tolist()
    else:
        cand = range(len(texts))
    for p in cand:
        t = texts[p]
        if t and _says_subtotal(t, words):
            out[p] = True
    return out


def _step_columns(df: pd.DataFrame, columns: Sequence[str] | None) -> list[Any]:
    return list(columns or [c for c in df.columns if not str(c).startswith("_")])


def flag_subtotals(
    df: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    flag: str = "_subtotal",
    words: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Add a boolean column marking subtotal rows (for ``.pipe``): a row is
    one when a text cell says 合计/小计/… (``subtotal_texts``, on each
    distinct value once).  ``columns``: those looked at (default: all not
    starting with ``_``).

    >>> df = pd.DataFrame({"a": ["x", "合计", None, "小 计："], "b": [1, 2, 3, 4]})
    >>> df.pipe(flag_subtotals)["_subtotal"].tolist()
    [False, True, False, True]
    """
    cells = df[_step_columns(df, columns)].to_numpy(dtype=object)
    n, m = cells.shape
    if not n or not m:
        return df.assign(**{flag: np.zeros(n, dtype=bool)})
    codes, uniq, is_str = factorize_typed(cells.reshape(-1))
    says = np.zeros(len(uniq) + 1, dtype=bool)  # the last one: code -1 (missing)
    text_codes = np.flatnonzero(is_str)
    says[text_codes] = subtotal_texts(uniq[text_codes].tolist(), words)
    return df.assign(**{flag: says[codes.reshape(n, m)].any(axis=1)})


def flag_duplicates(
    df: pd.DataFrame, *, columns: Sequence[str] | None = None, flag: str = "_duplicate"
) -> pd.DataFrame:
    """Mark exact duplicate rows (for ``.pipe``): the first copy is kept,
    later copies flagged.  Values of different types never match (1.0, "1"
    and True stay apart).

    >>> df = pd.DataFrame({"a": ["x", "x", "y", "x"], "b": [1.0, 1.0, 1.0, "1"]})
    >>> df.pipe(flag_duplicates)["_duplicate"].tolist()
    [False, True, False, False]
    """
    cells = df[_step_columns(df, columns)].to_numpy(dtype=object)
    n, m = cells.shape
    if n < 2 or not m:
        return df.assign(**{flag: np.zeros(n, dtype=bool)})
    codes, _, _ = factorize_typed(cells.reshape(-1))
    dup, _ = first_copies(codes.reshape(n, m))
    return df.assign(**{flag: dup})


# --------------------------------------------------------------------------
# columns


def clean_column(raw: pd.Series, parse: Callable[[Any], Any]) -> pd.Series:
    """Apply a value parser to a column (for ``.pipe``), parsing each
    distinct value once (values of different types apart; the missing ones,
    None/NaN/NaT, once as the first of them).  Ledgers repeat dates,
    categories and amounts a lot: parsing the distinct values only is what
    makes loading fast.

    >>> calls = []
    >>> def number(v):
    ...     calls.append(v)
    ...     return parse_number(v).value
    >>> out = pd.Series(["1,200", "1,200", "约5人", None], dtype=object).pipe(clean_column, number)
    >>> out.tolist(), calls
    ([1200.0, 1200.0, 5.0, None], ['1,200', '约5人', None])
    """
    flat = raw.to_numpy(dtype=object)
    codes, uniq, _ = factorize_typed(flat)
    results = [parse(v) for v in uniq.tolist()]
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        results.append(parse(flat[missing[0]]))
        codes = np.where(codes < 0, len(uniq), codes)
    out = np.empty(len(results), dtype=object)
    out[:] = results
    return pd.Series(out[codes], index=raw.index, name=raw.name, dtype=object)
