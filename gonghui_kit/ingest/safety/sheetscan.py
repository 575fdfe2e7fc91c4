"""Bounded streaming scans of XML parts: a worksheet's extent from its row
and cell references (so a missing or lying ``<dimension>`` cannot hide rows
or a far-away cell), cell text longer than Excel allows, raw control
characters."""

from __future__ import annotations

import functools
import html
import itertools
import operator
import re
import string

from gonghui_kit.ingest.safety.limits import Limits
from gonghui_kit.ingest.safety.report import Report, fmt_count

# one pass maps: a-z -> A-Z, whitespace, '>' and '/' -> ' ', "'" -> '"', control characters -> NUL.
# Then '<ROW ' counts rows (also '<row>' and '<row/>', not '</row>' or '<rowBreaks'),
# '<C ' counts cells, ' R="..."' finds every r attribute and NUL flags a control character.
_T = bytearray(range(256))
for _b in range(ord("a"), ord("z") + 1):
    _T[_b] = _b - 32
for _b in b"\t\r\n>/":
    _T[_b] = 0x20
_T[ord("'")] = ord('"')
for _b in [*range(0, 9), 11, 12, *range(14, 32)]:
    _T[_b] = 0
_TABLE = bytes(_T)
del _T, _b

_RX_DIGITS = re.compile(rb' R="\$?[A-Z]*\$?(\d+)"')
_MAX_HIDDEN = 100_000  # hidden rows listed per sheet (only said in a finding)
_RX_LETTERS = re.compile(rb' R="\$?([A-Z]{2,})\$?\d')  # columns AA and beyond
_RX_LETTER = re.compile(rb' R="\$?([A-Z])\$?\d')
# the same, for attributes written with spaces around '=' (never by Excel; slower)
_RX_DIGITS_SPACED = re.compile(rb'(?<![\w:.-])R *= *"\$?[A-Z]*\$?(\d+)"')
_RX_LETTERS_SPACED = re.compile(rb'(?<![\w:.-])R *= *"\$?([A-Z]{2,})\$?\d')
_RX_LETTER_SPACED = re.compile(rb'(?<![\w:.-])R *= *"\$?([A-Z])\$?\d')


@functools.lru_cache(maxsize=32)
def _rx_col_beyond(col: int) -> re.Pattern:
    """An r attribute in column AA or beyond, or in a one-letter column right
    of column number ``col`` (0: none; 26: only AA and beyond)."""
    one = rb"|[" + chr(65 + col).encode() + rb"-Z]" if col < 26 else b""
    return re.compile(rb' R="\$?([A-Z]{2,}' + one + rb")\$?\d")


RX_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")  # the first element: the root
RX_DIM = re.compile(rb"""<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_RX_REF = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,9})")

_COLS: dict[bytes, int] | None = None


def _col_table() -> dict[bytes, int]:
    global _COLS
    if _COLS is None:
        t = {b"": 0}
        for k in (1, 2, 3):
            for tup in itertools.product(string.ascii_uppercase, repeat=k):
                s = "".join(tup)
                t[s.encode()] = _col_num(s.encode())
        _COLS = t
    return _COLS


def _col_num(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _max_col(letters: list[bytes]) -> int:
    top = max(letters)  # as bytes: the last column when it is also one of the longest
    if len(top) == len(max(letters, key=len)) and len(top) <= 3:
        return _col_num(top)
    try:
        return max(map(_col_table().__getitem__, letters))
    except KeyError:  # four letters or more: far beyond XFD anyway
        return max(map(_col_num, letters))


def _max_num(digits: list[bytes]) -> int:
    top = max(digits)  # as bytes: the numeric maximum when it is also one of the longest
    if len(top) == max(map(len, digits)):
        return int(top)
    return max(map(int, digits))


def parse_ref(ref: str) -> tuple[int, int] | None:
    """'A1:XFD1048576' -> (1048576, 16384): the last cell of a range."""
    last = ref.strip().split(":")[-1]
    m = _RX_REF.fullmatch(last.strip())
    if not m:
        return None
    return int(m.group(2)), _col_num(m.group(1).encode())


class TextScan:
    """Runs of text longer than a cell may hold, and raw control characters."""

    def __init__(self, max_chars: int):
        self.n = max_chars
        self.long = 0
        self.run = 0  # bytes of text at the end of the previous segment
        self.ctrl = False

    def feed(self, seg: bytes, u: bytes | None = None) -> bool:
        if not self.ctrl:
            self.ctrl = b"\x00" in (u if u is not None else seg.translate(_TABLE))
        self._runs(seg)
        return False

    def _runs(self, data: bytes) -> None:
        n = self.n
        first = data.find(b"<")
        if first < 0:
            self.run += len(data)
            return
        if self.run + first >= n and self._chars(data[:first], self.run) >= n:
            self.long += 1
        last = data.rfind(b"<")
        p = first + 1
        while p <= last:
            q = data.rfind(b"<", p, p + n)
            if q < 0:  # no '<' in n bytes: a long run starts at p
                e = data.find(b"<", p + n)
                if self._chars(data[p:e], 0) >= n:
                    self.long += 1
                p = e + 1
            else:
                p = q + 1
        self.run = len(data) - last - 1

    def _chars(self, piece: bytes, carried: int) -> int:
        # a run is a candidate at n bytes; count characters (CJK is 3 bytes in UTF-8)
        text = piece.decode("utf-8", "ignore")
        if "&" in text:
            text = html.unescape(text)
        return len(text) + carried

    def finish(self) -> None:
        if self.run >= self.n:
            self.long += 1


class SheetScan(TextScan):
    """Bounded count of a worksheet's extent from its row and cell references.

    Exact for the largest row and column referenced, in any order (readers
    place a cell by its own reference, not by the row it sits in). Rows and
    cells may also carry no ``r`` (legal: each follows the previous one); in
    the segments where that happens, rows are followed one by one and the
    widest row is counted, so the extent stays an upper bound.
    """

    def __init__(self, lim: Limits, prefix: bytes, name: str, declared: tuple[int, int] | None):
        super().__init__(lim.max_cell_chars)
        self.lim = lim
        self.name = name
        self.declared = declared or (0, 0)
        p = prefix.upper()
        self.t_row = b"<" + p + b"ROW "
        self.t_row_r = b"<" + p + b'ROW R="'
        self.t_c = b"<" + p + b"C "
        self.rx_row = re.compile(re.escape(self.t_row) + rb'(?:[^<]*?(?<![\w:.-])R *= *"\$?(\d+)")?')
        self.rows = self.cells = 0  # elements seen
        self.max_row = self.max_col = 0  # largest references seen
        self.cur_row = 0  # position of the last row element, as a reader counts
        self.top_row = 0  # largest such position
        self.row_cells = 0  # widest row, in cells, where some cells lack r
        self.cur_cells = 0
        self.rless = False
        self.t_f = b"<" + p + b"F"
        self.formulas = False  # an element starting with <f (formulas and more)
        self.rx_hidden_row = re.compile(re.escape(self.t_row) + rb'([^<]*?HIDDEN *= *"(?:1|TRUE)"[^<]*)')
        self.hidden: list[int] = []  # rows marked hidden (by hand or by a filter), with an r attribute

    def feed(self, seg: bytes, u: bytes | None = None) -> bool:
        u = seg.translate(_TABLE)
        super().feed(seg, u)
        nrow, ncell, formulas, spaced = self._tags(u)
        self.rows += nrow
        self.cells += ncell
        self.formulas = self.formulas or formulas
        nref = self._refs(u, spaced)
        if b'HIDDEN="' in u and len(self.hidden) < _MAX_HIDDEN:
            for attrs in self.rx_hidden_row.findall(u):
                if r := _RX_DIGITS.search(b" " + attrs):
                    self.hidden.append(int(r.group(1)))
        if ncell + nrow > nref:
            # some rows or cells lack r: follow the rows, count the widest one
            self.rless = True
            cur, top = self.cur_row, self.top_row
            for r in self.rx_row.findall(u):
                cur = int(r) if r else cur + 1
                if cur > top:
                    top = cur
            self.cur_row, self.top_row = cur, top
            pieces = u.split(self.t_row)
            counts = list(map(operator.methodcaller("count", self.t_c), pieces))
            counts[0] += self.cur_cells
            self.row_cells = max(self.row_cells, max(counts))
            self.cur_cells = counts[-1]
        elif nrow:
            m = self.rx_row.match(u, u.rfind(self.t_row))
            if m and m.group(1):
                self.cur_row = int(m.group(1))
            self.cur_cells = 0
        return self.over() is not None

    def _tags(self, u: bytes) -> tuple[int, int, bool, bool]:
        """Row and cell elements, whether an element starts with <f, and
        whether an r attribute is written with spaces around '=' (`` R =``
        or ``R= ``), in one pass with numpy over the tags' positions."""
        if len(self.t_c) != 3:  # a namespace prefix: the plain way
            return u.count(self.t_row), u.count(self.t_c), self.t_f in u, b" R =" in u or b"R= " in u
        import numpy as np

        a = np.frombuffer(u + b"\0\0\0\0\0", np.uint8)  # padded: a[i + 4] and a[-3] stay in range
        lt = np.flatnonzero(a == 0x3C)  # '<'
        c1 = a[lt + 1]
        ncell = int(np.count_nonzero((c1 == 0x43) & (a[lt + 2] == 0x20)))  # '<C '
        is_row = (c1 == 0x52) & (a[lt + 2] == 0x4F) & (a[lt + 3] == 0x57) & (a[lt + 4] == 0x20)  # '<ROW '
        nrow = int(np.count_nonzero(is_row))
        formulas = bool((c1 == 0x46).any())  # '<F'
        eq = np.flatnonzero(a == 0x3D)  # '='
        before = a[eq - 1]
        spaced_before = (before == 0x20) & (a[eq - 2] == 0x52) & (a[eq - 3] == 0x20)  # ' R ='
        spaced_after = (before == 0x52) & (a[eq + 1] == 0x20)  # 'R= '
        spaced = bool(spaced_before.any() or spaced_after.any())
        return nrow, ncell, formulas, spaced

    def _refs(self, u: bytes, spaced: bool) -> int:
        """Largest row and column among the r attributes: all of them listed."""
        if spaced:
            rx_d, rx_l, rx_1 = _RX_DIGITS_SPACED, _RX_LETTERS_SPACED, _RX_LETTER_SPACED
        else:
            rx_d, rx_l, rx_1 = _RX_DIGITS, _RX_LETTERS, _RX_LETTER
        digits = rx_d.findall(u)  # every r attribute: rows and cells
        if digits:
            self.max_row = max(self.max_row, _max_num(digits))
        if rx_l is _RX_LETTERS:
            # one search for a cell right of the widest so far (or in column
            # AA or beyond) instead of listing every cell's column
            pos = 0
            while True:
                m = _rx_col_beyond(min(self.max_col, 26)).search(u, pos)
                if m is None:
                    return len(digits)
                if len(m.group(1)) > 1:
                    break
                self.max_col = _col_num(m.group(1))
                pos = m.start()
        letters = rx_l.findall(u)  # cells in column AA or beyond
        if letters:
            self.max_col = max(self.max_col, _max_col(letters))
        elif self.max_col < 26:
            letters = rx_1.findall(u)
            if letters:
                self.max_col = max(self.max_col, _col_num(max(letters)))
        return len(digits)

    def estimate(self) -> tuple[int, int]:
        rows = max(self.max_row, self.top_row if self.rless else self.rows)
        cols = self.max_col + self.row_cells if self.rless else self.max_col
        return max(rows, self.declared[0]), max(cols, self.declared[1])

    def over(self) -> str | None:
        rows, cols = self.estimate()
        lim = self.lim
        if rows > min(lim.max_sheet_rows_default, lim.max_rows):
            return "rows"
        if cols > lim.max_cols:
            return "cols"
        if rows * cols > lim.max_sheet_cells or self.cells > lim.max_sheet_cells:
            return "cells"
        return None


def dims_problem(rep: Report, lim: Limits, name: str, rows: int, cols: int, what: str, at_least: bool) -> None:
    more = "至少" if at_least else ""
    if what == "rows":
        if rows > lim.max_rows:
            msg = (
                f"工作表「{name}」{more}有 {fmt_count(rows)} 行，超过 Excel 本身的上限 {fmt_count(lim.max_rows)} 行，"
                "不是 Excel 正常保存的文件；请在 Excel/WPS 中重新另存为 .xlsx 后报送。"
            )
        else:
            msg = (
                f"工作表「{name}」{more}有 {fmt_count(rows)} 行，"
                f"超过单表上限 {fmt_count(lim.max_sheet_rows_default)} 行；"
                "请删除多余的空行，或拆分为多个工作表后重新报送。"
            )
        rep.add("too_many_rows", "error", msg, name)
    elif what == "cols":
        if cols > lim.max_cols:
            msg = (
                f"工作表「{name}」{more}有 {fmt_count(cols)} 列，超过 Excel 本身的上限 {fmt_count(lim.max_cols)} 列，"
                "不是 Excel 正常保存的文件；请在 Excel/WPS 中重新另存为 .xlsx 后报送。"
            )
        else:  # pragma: no cover - max_cols is Excel's own limit by default
            msg = f"工作表「{name}」{more}有 {fmt_count(cols)} 列，超过上限 {fmt_count(lim.max_cols)} 列。"
        rep.add("too_many_cols", "error", msg, name)
    else:
        rep.add(
            "too_many_cells",
            "error",
            f"工作表「{name}」的使用范围达 {fmt_count(rows)} 行 × {fmt_count(cols)} 列"
            f"（约 {fmt_count(rows * cols)} 个单元格），"
            f"超过上限 {fmt_count(lim.max_sheet_cells)} 个单元格。"
            "如表格右侧或下方远处有零星内容或格式，请选中多余的行和列并"
            "“删除”（不是“清除内容”）；如数据确实这么多，请拆分为多个工作表或文件后重新报送。",
            name,
        )
