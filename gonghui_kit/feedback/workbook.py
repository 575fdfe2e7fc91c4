"""The two workbooks people read: a unit's 问题清单 and the analyst's 报送情况.

Readable as printed: a title, cover lines with the counts, a coloured header
row that repeats on every page, wrapped text, widths that fit, landscape A4
fitted to the page width.  Every text is written as text (a value that
starts with ``=`` never becomes a formula).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Sequence

from gonghui_kit.atomic import commit
from gonghui_kit.feedback.problems import Problem
from gonghui_kit.feedback.status import UnitStatus

__all__ = ["PROBLEM_COLUMNS", "STATUS_COLUMNS", "write_problem_list", "write_status_book", "status_rows"]

# (header, width in characters)
PROBLEM_COLUMNS = (
    ("序号", 6),
    ("文件", 26),
    ("工作表", 12),
    ("单元格", 9),
    ("原值", 20),
    ("问题", 34),
    ("怎么改", 42),
    ("严重程度", 9),
    ("本轮新出现", 10),
)
STATUS_COLUMNS = (
    ("序号", 6),
    ("单位", 22),
    ("状态", 18),
    ("错误", 7),
    ("警告", 7),
    ("提示", 7),
    ("采用的文件", 34),
    ("填报日期", 12),
    ("上轮问题", 9),
    ("已改正", 8),
    ("新出现", 8),
    ("说明", 50),
)
_HEADER_FILL = "D9E1F2"
_SEV_FILL = {"错误": "FFC7CE", "警告": "FFEB9C", "提示": "DDEBF7"}
_STATUS_FILL = {"未报送": "FFC7CE", "有问题待改": "FFEB9C", "无问题": "C6EFCE", "无法读取": "FFC7CE"}


def _put(ws: Any, row: int, col: int, value: Any) -> Any:
    c = ws.cell(row=row, column=col, value=value)
    if c.data_type == "f":  # text that looks like a formula stays text
        c.data_type = "s"
    return c


def _lines_needed(text: str, width: float) -> int:
    """Printed lines of ``text`` in a column ``width`` characters wide (CJK counts double)."""
    n = 0
    for part in str(text).split("\n"):
        w = sum(2 if ord(ch) > 0x2E80 else 1 for ch in part)
        n += max(1, -(-w // max(int(width * 0.85), 1)))
    return n


def _sheet(title: str, columns: Sequence[tuple[str, int]], head: Sequence[str], rows: Sequence[Sequence[Any]]):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ncol = len(columns)
    total_width = sum(w for _, w in columns)
    for j, (_, w) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    wrap_top = Alignment(wrap_text=True, vertical="top")
    r = 1
    for k, text in enumerate(head):
        _put(ws, r, 1, text)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        cell = ws.cell(row=r, column=1)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if k == 0:
            cell.font = Font(bold=True, size=14)
            ws.row_dimensions[r].height = 24
        else:
            ws.row_dimensions[r].height = 15 * _lines_needed(text, total_width * 1.1) + 3
        r += 1
    r += 1  # a blank line before the table
    header_row = r
    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for j, (name, _) in enumerate(columns, 1):
        c = _put(ws, r, j, name)
        c.font = Font(bold=True)
        c.fill = PatternFill(fill_type="solid", fgColor=_HEADER_FILL)
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        c.border = border
    for values in rows:
        r += 1
        height = 1
        for j, v in enumerate(values, 1):
            c = _put(ws, r, j, v)
            c.alignment = wrap_top
            c.border = border
            if v not in (None, ""):
                height = max(height, _lines_needed(v, columns[j - 1][1]))
        ws.row_dimensions[r].height = 15 * height + 2
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if rows:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(ncol)}{r}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    return wb, ws, header_row


def _save(wb: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        return commit(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_problem_list(path: str | os.PathLike, title: str, cover: Sequence[str], problems: Sequence[Problem]) -> Path:
    """A unit's 问题清单: errors first (``problems`` are in order already)."""
    from openpyxl.styles import Alignment, PatternFill

    rows = [
        (i, p.file, p.sheet or "—", p.ref, p.value, p.message, p.how, p.severity_cn, "新" if p.new else "")
        for i, p in enumerate(problems, 1)
    ]
    if not rows:
        rows = []
    wb, ws, header_row = _sheet("问题清单", PROBLEM_COLUMNS, [title, *cover], rows)
    for k, p in enumerate(problems, 1):
        r = header_row + k
        sev = ws.cell(row=r, column=8)
        sev.fill = PatternFill(fill_type="solid", fgColor=_SEV_FILL[p.severity_cn])
        for j in (1, 4, 8, 9):
            ws.cell(row=r, column=j).alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
    if not problems:
        _put(ws, header_row + 1, 1, "没有需要修改或确认的问题。")
        ws.merge_cells(
            start_row=header_row + 1, start_column=1, end_row=header_row + 1, end_column=len(PROBLEM_COLUMNS)
        )
    return _save(wb, Path(path))


def status_rows(statuses: Sequence[UnitStatus]) -> list[tuple]:
    """The rows of the 报送情况 table (also printed on the console)."""
    out = []
    for i, s in enumerate(statuses, 1):
        reported = s.reported
        out.append(
            (
                i,
                s.unit + ("" if s.in_roster else "（名册外）"),
                s.status,
                s.errors if reported else "",
                s.warnings if reported else "",
                s.infos if reported else "",
                s.file or "",
                f"{s.fill_date:%Y-%m-%d}" if s.fill_date else "",
                "" if s.previous is None else s.previous,
                "" if s.previous is None else s.fixed,
                "" if s.previous is None else s.new,
                s.note(),
            )
        )
    return out


def write_status_book(
    path: str | os.PathLike, title: str, cover: Sequence[str], statuses: Sequence[UnitStatus]
) -> Path:
    from openpyxl.styles import Alignment, PatternFill

    rows = status_rows(statuses)
    wb, ws, header_row = _sheet("报送情况", STATUS_COLUMNS, [title, *cover], rows)
    for k, s in enumerate(statuses, 1):
        r = header_row + k
        fill = next((c for w, c in _STATUS_FILL.items() if w in s.status), None)
        if fill:
            ws.cell(row=r, column=3).fill = PatternFill(fill_type="solid", fgColor=fill)
        for j in (1, 4, 5, 6, 8, 9, 10, 11):
            ws.cell(row=r, column=j).alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
    return _save(wb, Path(path))
