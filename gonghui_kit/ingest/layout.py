"""How a workbook's sheets are laid out, beyond one header over records:
merged cells that stand for every row they span, hidden sheets that copy a
visible one, and whether a sheet copies another.

Pure functions on ``read.RawSheet`` grids; ``load`` turns what they return
into findings.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from gonghui_kit.ingest.clean import is_blank
from gonghui_kit.ingest.read import RawSheet
from gonghui_kit.schema import Sheet

__all__ = ["fill_ditto", "fill_merged", "has_ditto", "same_records", "excel_col", "stand_ins", "hidden_verdict"]


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

    >>> rows = [["日期", "名称"], ["2023-07-01", "a"], ["", "b"], [None, "c"]]
    >>> s = RawSheet("活动台账", rows, merged=[(1, 0, 3, 0), (0, 0, 0, 1)])
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


_DITTO = frozenset({"同上", "〃", '"', "''", "同前", "同上。", "同上行"})


def has_ditto(texts: Sequence[str]) -> bool:
    """Whether any of a sheet's distinct texts says 同上.

    >>> has_ditto(["文体活动", " 〃 "]), has_ditto(["同上级工会"])
    (True, False)
    """
    return any(t.strip() in _DITTO for t in texts)


def fill_ditto(rows: list[list[Any]], columns: Sequence[int]) -> list[tuple[int, int, Any]]:
    """A cell saying 同上 (〃) takes the value of the filled cell above it in
    its column, as the reader of the sheet understands it.  Changes ``rows``
    in place (only the given columns); returns ``(row index, column, value)``
    per cell filled.  A 同上 with nothing above stays (and is read as what it
    is: not a value).

    >>> rows = [["2023-07-01", "文体活动"], ["同上", "〃"], [None, "同上"], ["同上", "其他"]]
    >>> fill_ditto(rows, [0, 1])
    [(1, 0, '2023-07-01'), (3, 0, '2023-07-01'), (1, 1, '文体活动'), (2, 1, '文体活动')]
    >>> rows[3]
    ['2023-07-01', '其他']
    """
    out = []
    for j in columns:
        above: Any = None
        for i, r in enumerate(rows):
            v = r[j] if j < len(r) else None
            if isinstance(v, str) and v.strip() in _DITTO:
                if above is not None:
                    r[j] = above
                    out.append((i, j, above))
            elif not is_blank(v):
                above = v
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


def stand_ins(df: pd.DataFrame, sheet: Sheet) -> tuple[pd.DataFrame, np.ndarray]:
    """Fill columns from the sheet's ``extra`` columns where they are blank (a
    cash journal's 收入/支出 amounts → 金额 and 收支; a 科目编码 → 科目), dropping
    the extra columns.  Also returns a mask of rows where two stand-ins for
    the same column were both filled (收入 and 支出 in one row: only the
    first is taken; the loader reports it as an error).

    >>> from gonghui_kit.schema import load_schema
    >>> df = pd.DataFrame({"amount": [None, None, 5.0, None], "direction": [None, None, "支出", None],
    ...                    "_income": [100.0, None, None, 7.0], "_expense": [None, 30.0, None, 8.0]})
    >>> out, both = stand_ins(df, load_schema().sheet("funds"))
    >>> out["amount"].tolist(), out["direction"].tolist(), both.tolist()
    ([100.0, 30.0, 5.0, 7.0], ['收入', '支出', '支出', '收入'], [False, False, False, True])
    """
    both = np.zeros(len(df), dtype=bool)
    filled: dict[str, np.ndarray] = {}
    df = df.copy()
    for col in sheet.extra:
        if col.key not in df.columns:
            continue
        v = df.pop(col.key)
        target = df[col.into] if col.into in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)
        has = v.notna().to_numpy()
        prev = filled.get(col.into, np.zeros(len(df), dtype=bool))
        both |= has & prev
        fill = has & target.isna().to_numpy()
        df[col.into] = target.where(~fill, v)
        filled[col.into] = prev | fill
        for k, val in col.sets:
            cur = df[k] if k in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)
            df[k] = cur.where(~(fill & cur.isna().to_numpy()), val)
        implied = f"{col.key}_direction"
        if implied in df.columns:
            d = df.pop(implied)
            cur = df["_account_direction"] if "_account_direction" in df.columns else d
            df["_account_direction"] = cur.where(~fill, d)
    return df, both


def hidden_verdict(raw: RawSheet, sheet: Sheet, visible: list[RawSheet]) -> tuple[bool, str, str, str, str]:
    """Whether a hidden record sheet is read, and the finding that says so:
    ``(read, code, severity, action, message)``.  An old draft kept hidden
    beside the visible sheets of its kind (``visible``) is not read (a copy:
    a warning; other records: an error, someone must say which is right); a
    hidden sheet that is the only one of its kind is read, with a warning.

    >>> from gonghui_kit.schema import load_schema
    >>> act = load_schema().sheet("activities")
    >>> a = RawSheet("活动台账", [["日期", "名称"], ["2023-07-01", "a"]])
    >>> [hidden_verdict(RawSheet("旧", a.rows), act, v)[:3] for v in ([a], [])]
    [(False, 'hidden_copy', 'warning'), (True, 'hidden_sheet', 'warning')]
    """
    if not visible:
        return (
            True,
            "hidden_sheet",
            "warning",
            "kept",
            f"工作表“{raw.name}”是隐藏的，已按“{sheet.label}”读取。如是作废的旧表，请删除后重新报送。",
        )
    names = "、".join(f"“{v.name}”" for v in visible)
    for s in (raw, *visible):  # compare what a reader sees: merged cells filled on both sides (idempotent)
        fill_merged(s)
    if max(same_records(raw, v) for v in visible) >= 0.8:
        return (
            False,
            "hidden_copy",
            "warning",
            "excluded",
            f"隐藏的工作表“{raw.name}”是{names}的旧副本，未计入，以可见的工作表为准。",
        )
    return (
        False,
        "hidden_sheet_differs",
        "error",
        "excluded",
        (
            f"隐藏的工作表“{raw.name}”与{names}都是“{sheet.label}”但记录不同，未计入。"
            "请确认哪一张是正确的，删除另一张（或取消隐藏并合并）后重新报送。"
        ),
    )
