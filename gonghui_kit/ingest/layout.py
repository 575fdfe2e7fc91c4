"""How a workbook's sheets are laid out, beyond one header over records:
merged cells that stand for every row they span, hidden sheets that copy a
visible one, and whether a sheet copies another.

Pure functions on ``read.RawSheet`` grids; ``load`` turns what they return
into findings.
"""

from __future__ import annotations

from typing import Any, Sequence

from gonghui_kit.ingest.clean import is_blank
from gonghui_kit.ingest.read import RawSheet

__all__ = ["fill_merged", "same_records", "excel_col"]


def excel_col(j: int) -> str:
    """The letters of a 0-based column.

    >>> excel_col(0), excel_col(25), excel_col(26)
    ('A', 'Z', 'AA')
    """
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def fill_merged(raw: RawSheet) -> list[tuple[int, int, int, Any]]:
    """Give a vertically merged cell's value to every row it spans (a block
    of same-day rows under one merged 日期, a shared 事由): in the sheet a
    reader sees the value beside each of those rows, a reader of the file
    only in the first.  Only the merged range's first column is filled (a
    merged title over the table stays one cell).  Changes ``raw.rows`` in
    place; returns ``(first Excel row, last Excel row, 1-based column,
    value)`` per range filled.

    >>> s = RawSheet("活动台账", [["日期", "名称"], ["2023-07-01", "a"], ["", "b"], [None, "c"]], merged=[(1, 0, 3, 0), (0, 0, 0, 1)])
    >>> fill_merged(s), [r[0] for r in s.rows]
    ([(2, 4, 1, '2023-07-01')], ['日期', '2023-07-01', '2023-07-01', '2023-07-01'])
    """
    out = []
    for r0, c0, r1, _c1 in raw.merged:
        if r1 <= r0:
            continue
        i0, j = r0 - (raw.first_row - 1), c0 - raw.first_col
        if i0 < 0 or j < 0 or i0 >= len(raw.rows):
            continue
        top = raw.rows[i0]
        value = top[j] if j < len(top) else None
        if is_blank(value):
            continue
        last = min(r1 - (raw.first_row - 1), len(raw.rows) - 1)
        for i in range(i0 + 1, last + 1):
            row = raw.rows[i]
            if len(row) <= j:
                row.extend([None] * (j + 1 - len(row)))
            if is_blank(row[j]):
                row[j] = value
        out.append((raw.excel_row(i0), raw.excel_row(last), c0 + 1, value))
    return out


def _filled(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    return [t for t in (tuple(v for v in r if not is_blank(v)) for r in rows) if t]


def same_records(hidden: RawSheet, visible: RawSheet) -> float:
    """The share of the hidden sheet's filled rows that the visible sheet
    also has (an old draft kept as a hidden copy: close to 1).

    >>> a = RawSheet("活动台账", [["日期", "名称"], ["2023-07-01", "a"], ["2023-07-02", "b"]])
    >>> b = RawSheet("活动台账 (2)", [["日期", "名称"], ["2023-07-01", "a"]])
    >>> same_records(b, a), round(same_records(a, b), 2)
    (1.0, 0.67)
    """
    mine = _filled(hidden.rows)
    if not mine:
        return 1.0
    theirs = set(_filled(visible.rows))
    return sum(r in theirs for r in mine) / len(mine)
