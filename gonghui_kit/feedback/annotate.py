"""The unit's own workbook with every problem cell marked.

The original is never opened for writing: its bytes are copied next to the
output first, the copy is opened with openpyxl (formatting kept, macros kept
for .xlsm), problem cells get a fill and a comment (the problem and the fix),
and the result replaces the output in one step.  Values, formats, sheets
and widths are left as openpyxl read them.  openpyxl drops a few things it
does not understand (pictures, some extensions), so the copy is for looking
only: the cover line of the 问题清单 asks the unit to correct its own file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Sequence

from gonghui_kit.atomic import commit
from gonghui_kit.feedback.problems import SEV_CN, SEV_ORDER, Problem
from gonghui_kit.schema import load_schema, norm_key

__all__ = ["ANNOTATABLE", "FILLS", "annotated_name", "not_annotatable_reason", "annotate", "resolve_columns"]

ANNOTATABLE = (".xlsx", ".xlsm")
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
AUTHOR = "上级工会"
_HEADER_SCAN = 60  # rows searched for a header above a problem row


def annotated_name(name: str) -> str:
    """``台账.xlsx`` → ``台账（标注）.xlsx`` (a macro workbook stays .xlsm).

    >>> annotated_name("2023年台账(终稿).xlsx"), annotated_name("a.XLSM")
    ('2023年台账(终稿)（标注）.xlsx', 'a（标注）.xlsm')
    """
    p = Path(name)
    suffix = ".xlsm" if p.suffix.lower() == ".xlsm" else ".xlsx"
    return f"{p.stem}（标注）{suffix}"


def not_annotatable_reason(name: str) -> str | None:
    """Why no annotated copy can be made of a file of this kind (None: it can).

    >>> not_annotatable_reason("a.xls")
    '原文件是 .xls 格式，无法在副本上标注；请按清单中的单元格位置在原文件中修改'
    >>> not_annotatable_reason("a.xlsx") is None
    True
    """
    suffix = Path(name).suffix.lower()
    if suffix in ANNOTATABLE:
        return None
    kind = suffix or "未知"
    return f"原文件是 {kind} 格式，无法在副本上标注；请按清单中的单元格位置在原文件中修改"


def _names_like(header: str) -> set[str]:
    """The normalised header and every schema name of the column it names."""
    k = norm_key(header)
    out = {k}
    for s in load_schema().sheets:
        for c in s.columns:
            names = {norm_key(n) for n in c.names}
            if k in names:
                out |= names
    return out


def _find_column(ws: Any, header: str, row: int, cache: dict) -> int | None:
    key = (ws.title, header)
    if key in cache:
        return cache[key]
    want = _names_like(header)
    found = None
    last = min(row - 1, _HEADER_SCAN, ws.max_row)
    for cells in ws.iter_rows(min_row=1, max_row=max(last, 0)):
        for c in cells:
            v = c.value
            if isinstance(v, str) and v.strip():
                k = norm_key(v)
                if k in want or any(k.startswith(w) for w in want if w):
                    found = c.column
                    break
        if found:
            break
    cache[key] = found
    return found


def resolve_columns(wb: Any, problems: Sequence[Problem]) -> None:
    """Give problems with a row and a column header but no column number
    the column of that header in the sheet (cross-checks name the column
    by its label)."""
    cache: dict = {}
    for p in problems:
        if p.row and not p.col and p.column and p.sheet in wb.sheetnames:
            p.col = _find_column(wb[p.sheet], p.column, p.row, cache)


def _comment_text(items: Sequence[Problem]) -> str:
    parts = [f"【{SEV_CN[p.severity]}】{p.message}\n怎么改：{p.how}" for p in items]
    return "\n———\n".join(parts)


def _target(ws: Any, row: int, col: int) -> Any:
    """The cell that takes the mark: the top-left one of a merged range."""
    from openpyxl.cell.cell import MergedCell

    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if cell.coordinate in rng:
                return ws.cell(row=rng.min_row, column=rng.min_col)
    return cell


def _mark(ws: Any, cells: list[Any], anchor: Any, items: Sequence[Problem]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    worst = min(items, key=lambda p: SEV_ORDER[p.severity]).severity
    fill = PatternFill(fill_type="solid", fgColor=FILLS[worst], bgColor=FILLS[worst])
    for c in cells:
        c.fill = fill
    text = _comment_text(items)
    if anchor.comment is not None and anchor.comment.text:
        text = anchor.comment.text.rstrip() + "\n———\n" + text
    lines = text.count("\n") + 1 + len(text) // 24
    anchor.comment = Comment(text, AUTHOR, height=min(max(80, 16 * lines), 600), width=320)


def annotate(src: str | os.PathLike, dest: str | os.PathLike, problems: Sequence[Problem]) -> str | None:
    """Write the marked copy of ``src`` to ``dest``; None when done, else
    why not (in Chinese).  ``src`` is only read.  Problems without a column
    number get one where the sheet's header names it (``resolve_columns``)."""
    src, dest = Path(src), Path(dest)
    reason = not_annotatable_reason(src.name)
    if reason:
        return reason
    import openpyxl

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".copy.", suffix=src.suffix.lower(), dir=dest.parent)
    os.close(fd)
    fd, out = tempfile.mkstemp(prefix=".annot.", suffix=src.suffix.lower(), dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)  # the bytes first: openpyxl never touches the original
        try:
            wb = openpyxl.load_workbook(tmp, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)
        except Exception as e:  # noqa: BLE001 - openpyxl's own limits: no copy, still a 问题清单
            return (
                f"openpyxl 无法打开原文件（{type(e).__name__}），未生成标注副本；请按清单中的单元格位置在原文件中修改"
            )
        resolve_columns(wb, problems)
        groups: dict[tuple, list[Problem]] = {}
        for p in problems:
            if p.row and p.sheet in wb.sheetnames:
                groups.setdefault((p.sheet, p.row, p.col), []).append(p)
        for (sheet, row, col), items in groups.items():
            ws = wb[sheet]
            if col:
                anchor = _target(ws, row, col)
                _mark(ws, [anchor], anchor, items)
            else:  # a whole row (a duplicate): every cell of the used width, the comment on the first filled one
                width = max(ws.max_column, 1)
                cells = [
                    c
                    for c in (ws.cell(row=row, column=j) for j in range(1, width + 1))
                    if type(c).__name__ != "MergedCell"
                ]
                anchor = next(
                    (c for c in cells if c.value not in (None, "")), cells[0] if cells else _target(ws, row, 1)
                )
                _mark(ws, cells or [anchor], anchor, items)
        wb.save(out)
        wb.close()
        commit(out, dest)
        return None
    finally:
        for t in (tmp, out):
            with contextlib.suppress(OSError):
                os.unlink(t)
