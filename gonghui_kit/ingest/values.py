"""A column's distinct values parsed at once: numbers and dates with fast
paths for the commonest spellings, other parsers through a memo shared
across sheets and workbooks; ``to_column`` spreads the results back to the
rows.  Same results as ``clean``'s parsers, value by value."""

from __future__ import annotations

import datetime as _dt
import math
import re
from functools import partial
from typing import Any, Callable

import numpy as np
import pandas as pd

from gonghui_kit.ingest import clean
from gonghui_kit.ingest.codes import type_of


def take(values: list[Any], inv: np.ndarray) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr[inv]


_STR = pd.array([""], dtype="str").dtype  # pandas' default str dtype, as DataFrame infers it


def to_column(values: list[Any], inv: np.ndarray) -> Any:
    """``values[inv]`` as a table column: texts (and None) become pandas'
    str dtype as DataFrame would infer it, checked on the distinct values
    only; anything else an object array."""
    if len(inv) and any(type(v) is str for v in values) and all(v is None or type(v) is str for v in values):
        return pd.array(values, dtype=_STR).take(inv)
    return take(values, inv)


class Memo:
    """Parser results by (parser and its arguments, type, value), across
    sheets and workbooks: categories, 科目, texts and numbers written as text
    recur everywhere.  Results are immutable; bounded by clearing."""

    MAX = 1 << 17
    _MISS = object()

    def __init__(self) -> None:
        self.results: dict[tuple, Any] = {}
        self.pinned: dict[int, Any] = {}  # objects whose id is part of a key stay alive

    def pin(self, obj: Any) -> int:
        self.pinned.setdefault(id(obj), obj)
        return id(obj)

    def one(self, key: tuple, v: Any, parse: Callable[[Any], Any]) -> Any:
        k = (key, type(v), v)
        r = self.results.get(k, self._MISS)
        if r is self._MISS:
            if len(self.results) > self.MAX:
                self.results.clear()
            r = self.results[k] = parse(v)
        return r

    def map(self, key: tuple, vals: list[Any], parse: Callable[[Any], Any]) -> list[Any]:
        if len(self.results) > self.MAX:
            self.results.clear()
        results, miss = self.results, self._MISS
        out = []
        for v in vals:
            k = (key, type(v), v)
            r = results.get(k, miss)
            if r is miss:
                r = results[k] = parse(v)
            out.append(r)
        return out


MEMO = Memo()


def number_values(vals: list[Any], kind: str, scale: float) -> tuple[list[float | None], list[str | None]]:
    """``clean.parse_number`` of each distinct value: values and note codes
    (a float cell, the usual case, without building a ParsedNumber)."""
    nums: list[float | None] = []
    codes: list[str | None] = []
    scaled = "scaled" if scale != 1.0 else None
    money = kind == "money"
    isfinite = math.isfinite
    parse = partial(clean.parse_number, kind=kind, scale=scale)
    for v in vals:
        if type(v) is float and v == v:  # clean.parse_number's branch for numbers
            x = v * scale
            if not isfinite(x):
                nums.append(None)
                codes.append("invalid")
            else:
                nums.append(round(x, 2) if money else x)
                codes.append(scaled)
        else:
            r = MEMO.one(("number", kind, scale), v, parse)
            nums.append(r.value)
            codes.append(r.note)
    return nums, codes


_UNITS = ("s", "ms", "us", "ns")
_NAT = np.iinfo(np.int64).min  # NaT as int64
# (type, value, year) -> (microseconds or None, unit, precision, note) of
# clean.parse_date: the same dates recur in every sheet and workbook
_DATE_MEMO: dict[tuple, tuple[int | None, str, str | None, str | None]] = {}
_DATE_MEMO_MAX = 1 << 17


_FAST_YMD = re.compile(r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})[日号]?")
_FAST_MD = re.compile(r"([0-9]{1,2})月([0-9]{1,2})[日号]?")
_DAY_US = 86_400_000_000
_ORD_1970 = _dt.date(1970, 1, 1).toordinal()
_EXCEL_1970 = 25_569  # days from Excel's epoch (1899-12-30) to 1970-01-01


def _date_fast(v: Any, t: type, year: int | None) -> tuple[int, int, str | None, str | None] | None:
    """``clean.parse_date`` for the commonest spellings without building a
    Timestamp (``date_values``' memo entry), or None for the others."""
    if t is str:
        m = _FAST_YMD.fullmatch(v)  # 2023年7月1日, 2023-07-01, 2023/7/1: clean._D_YMD, note 'text'
        note = "text"
        if m is None:
            m = _FAST_MD.fullmatch(v)  # 7月1日: clean._D_MD, note 'no_year'
            if m is None or not year:
                return None
            y, mo, d = year, int(m[1]), int(m[2])
            note = "no_year"
        else:
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
        try:
            day = _dt.date(y, mo, d).toordinal() - _ORD_1970
        except ValueError:
            return (_NAT, 0, None, "invalid")
        return (day * _DAY_US, 0, "day", note)
    if t is float:  # an Excel serial (clean._serial: unit 'us')
        # 1900..2100: a year, or a date typed as a number (2024.3), never a serial of 1905
        if 60 <= v < 2_958_466 and not (1900 <= v <= 2100 or (v.is_integer() and 19000101 <= v <= 21001231)):
            return ((int(v) - _EXCEL_1970) * _DAY_US, 2, "day", "serial")
    return None


def date_values(vals: np.ndarray, year: int | None) -> tuple[np.ndarray, str, list[str | None], list[str | None]]:
    """``clean.parse_date`` of each distinct value (an object array): the
    datetime64[us] values (NaT when missing), the unit pandas would infer for
    these timestamps (the finest among them, 's' when none), precisions and
    note codes.

    >>> vals = np.array([_dt.date(2023, 7, 1), "7月1日", 45108.0, "下半年", None], dtype=object)
    >>> stamps, unit, prec, notes = date_values(vals, 2023)
    >>> [str(t)[:10] for t in stamps], unit
    (['2023-07-01', '2023-07-01', '2023-07-01', 'NaT', 'NaT'], 'us')
    >>> prec, notes
    (['day', 'day', 'day', None, None], [None, 'no_year', 'serial', 'invalid', None])
    """
    k = len(vals)
    is_date = type_of(vals) == _dt.date if k else np.zeros(0, dtype=bool)
    dates = np.flatnonzero(is_date)  # real Excel dates: Timestamp(date), unit 's', precision 'day'
    stamps = np.full(k, _NAT, dtype=np.int64)
    if len(dates):
        stamps[dates] = (
            np.fromiter(map(_dt.date.toordinal, vals[dates].tolist()), np.int64, len(dates)) - _ORD_1970
        ) * _DAY_US
    precision: list[str | None] = np.where(is_date, "day", None).tolist() if len(dates) else [None] * k
    notes: list[str | None] = [None] * k
    finest = 0
    memo = _DATE_MEMO
    if len(memo) > _DATE_MEMO_MAX:
        memo.clear()
    rest = np.flatnonzero(~is_date)
    for u, v in zip(rest.tolist(), vals[rest].tolist(), strict=True):
        t = type(v)
        key = (t, v, year)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = _date_fast(v, t, year)
        if hit is None:
            r = clean.parse_date(v, year=year)
            ts = r.ts
            if ts is None:
                hit = (_NAT, 0, r.precision, r.note)
            else:
                us = int(ts.to_datetime64().astype("datetime64[us]").astype("int64"))
                hit = (us, _UNITS.index(ts.unit) if ts.unit in _UNITS else 3, r.precision, r.note)
            memo[key] = hit
        stamps[u], unit, precision[u], notes[u] = hit
        if unit > finest:
            finest = unit
    return stamps.view("datetime64[us]"), _UNITS[finest], precision, notes


def settle_ym(dates: pd.Series, notes: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """A date column's ``y.1`` cells (note ``ym_ambiguous``: ``clean.parse_date``
    read them as January, though Excel also stores 2024.10 typed into a General
    cell as 2024.1) decided by their column, as a careful person would: a ledger
    is kept in date order, so a ``y.1`` whose nearest dated cells above and below
    are both in September–November of ``y`` is October, and one between December
    of ``y - 1`` and February of ``y`` is January.  Only when the column's other
    dates are in non-decreasing month order throughout; otherwise, or when the
    neighbours do not agree, it stays January, undecided.

    ``dates``: the column in row order (datetime64; NaT where no date was read),
    ``notes``: each cell's parser note.  Neighbours are the cells with a known
    month: not blank, readable, not year only (``year_only``), not ``y.1``.
    Returns the dates with the Octobers moved, and one row per ``y.1`` cell
    (index: its label in ``dates``): the ``month`` taken (1 or 10), whether the
    order decided it (``by_order``), and the labels of the neighbours (``above``,
    ``below``; -1 when there is none).  Linear in the column.

    >>> days = ["2024-09-20", None, "2024-11-03", "2024-12-05", None, "2025-02-01"]
    >>> dates = pd.Series(pd.to_datetime(days + ["2024-10-05"]), index=[5, 6, 7, 8, 9, 10, 11])
    >>> dates[[6, 9]] = pd.Timestamp("2024-01-01"), pd.Timestamp("2025-01-01")  # the cells 2024.1 and 2025.1
    >>> notes = pd.Series([None, "ym_ambiguous", "text", None, "ym_ambiguous", None, "text"], index=dates.index)
    >>> settled, how = settle_ym(dates, notes)
    >>> settled[[6, 9]].dt.strftime("%Y-%m").tolist()
    ['2024-01', '2025-01']
    >>> how  # row 11 (2024-10 after 2025-02) breaks the order: both stay January
       month  by_order  above  below
    6      1     False      5      7
    9      1     False      8     10

    Without row 11, row 6 (between 2024-09 and 2024-11) is October, row 9
    (between 2024-12 and 2025-02) January:

    >>> settled, how = settle_ym(dates[:-1], notes[:-1])
    >>> settled[[6, 9]].dt.strftime("%Y-%m").tolist(), how["month"].tolist(), how["by_order"].tolist()
    (['2024-10', '2025-01'], [10, 1], [True, True])
    """
    labels = np.asarray(dates.index)
    flags = notes.to_numpy(dtype=object)
    amb = flags == "ym_ambiguous"
    pos = np.flatnonzero(amb)
    arr = dates.to_numpy()
    months = arr.astype("datetime64[M]").astype(np.int64)  # months since 1970-01 (NaT: never read below)
    known = np.flatnonzero(~np.isnat(arr) & ~amb & (flags != "year_only"))
    ends = np.concatenate(([-1], known, [-1]))
    at = np.searchsorted(known, pos)  # each y.1 cell's nearest known cells: ends[at] above, ends[at + 1] below
    above, below = ends[at], ends[at + 1]
    month = np.ones(len(pos), dtype=np.int64)
    by_order = np.zeros(len(pos), dtype=bool)
    if len(pos) and not (np.diff(months[known]) < 0).any():
        both = (above >= 0) & (below >= 0)
        jan = months[pos]
        lo = np.where(both, months[above] - jan, 0)  # the neighbours' months, counted from January of y
        hi = np.where(both, months[below] - jan, 0)
        october = both & (lo >= 8) & (hi <= 10)  # September ... November of y
        by_order = october | (both & (lo >= -1) & (hi <= 1))  # December of y - 1 ... February of y
        month[october] = 10
        if october.any():
            arr = arr.copy()
            arr[pos[october]] = (arr[pos[october]].astype("datetime64[M]") + 9).astype(arr.dtype)
    how = pd.DataFrame(
        {
            "month": month,
            "by_order": by_order,
            "above": np.where(above >= 0, labels[above], -1),
            "below": np.where(below >= 0, labels[below], -1),
        },
        index=dates.index[pos],
    )
    return pd.Series(arr, index=dates.index, name=dates.name), how
