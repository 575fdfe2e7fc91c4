"""A generated workbook opened for reshaping: where each record table sits
(header rows, the column of each key, the Excel row of each true record),
kept right while rows are inserted, cells merged and sheets renamed.

The shapes of :mod:`.shapes` change a :class:`Book` and the truth it carries
together, so the truth always describes the cells as written.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from gonghui_kit.schema import norm_key

__all__ = ["Book", "Placed", "open_book"]


@dataclass
class Placed:
    """One record table on a sheet."""

    ws: Worksheet
    key: str
    header_top: int  # first header row (Excel)
    header_row: int  # last header row; data start below it
    cols: dict[str, int]  # column key -> Excel column
    records: list[dict]  # truth records, each with its Excel row in "_row"
    scale: dict[str, float]
    other_rows: list[int] = field(default_factory=list)  # planted non-records (subtotal, duplicate, note …)
    dups: dict[int, list[int]] = field(default_factory=dict)  # record row -> rows of its exact copies

    def set(self, rec: dict, key: str, value: Any) -> None:
        """Write a record's cell, and the same into its planted duplicates (they stay exact copies)."""
        col = self.cols[key]
        for row in (rec["_row"], *self.dups.get(rec["_row"], ())):
            self.ws.cell(row, col).value = value

    def last_row(self) -> int:
        """The last row that belongs to the table (records and planted rows)."""
        rows = [r["_row"] for r in self.records] + self.other_rows
        return max(rows, default=self.header_row)

    def first_col(self) -> int:
        return min(self.cols.values())


@dataclass
class Book:
    """An openpyxl workbook and the truth of every unit whose records it holds."""

    wb: openpyxl.Workbook
    truths: list[dict]  # one per unit-year held (several in a multi-unit book)
    tables: dict[str, Placed]
    name: str  # file name as it will be written
    year: int
    shapes: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # planted error cells: {"sheet", "marker"}
    info: bool = True  # whether the unit's 基本信息 travels with the records
    unit_column: str | None = None  # multi-unit books: the header of the unit column

    # ---------------------------------------------------------------- rows

    def insert_rows(self, ws: Worksheet, at: int, n: int = 1) -> None:
        """Insert ``n`` empty rows before row ``at``: values, merges, hidden
        rows and the truth's row numbers all move down."""
        merged = [copy.copy(r) for r in ws.merged_cells.ranges]
        for r in merged:
            ws.unmerge_cells(str(r))
        hidden = {i for i, d in ws.row_dimensions.items() if d.hidden}
        ws.insert_rows(at, n)
        for i in hidden:
            ws.row_dimensions[i].hidden = False
        for i in hidden:
            ws.row_dimensions[i + n if i >= at else i].hidden = True
        for r in merged:
            if r.min_row >= at:
                r.shift(0, n)
            elif r.max_row >= at:
                r.expand(down=n)
            ws.merge_cells(r.coord)
        for t in self.tables.values():
            if t.ws is not ws:
                continue
            for rec in t.records:
                if rec["_row"] >= at:
                    rec["_row"] += n
            t.other_rows = [r + n if r >= at else r for r in t.other_rows]
            t.dups = {(k + n if k >= at else k): [r + n if r >= at else r for r in v] for k, v in t.dups.items()}
            if t.header_top >= at:
                t.header_top += n
                t.header_row += n
            elif t.header_row >= at:
                t.header_row += n

    def put_row(self, ws: Worksheet, row: int, values: dict[int, Any]) -> None:
        for col, v in values.items():
            ws.cell(row, col, v)

    def record_at(self, t: Placed, row: int) -> dict | None:
        return next((r for r in t.records if r["_row"] == row), None)

    # ---------------------------------------------------------------- writing

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.wb.save(path)


def _cell_text(v: Any) -> str:
    return norm_key(v) if isinstance(v, str) else ""


def _locate(ws: Worksheet, sheet_truth: dict) -> tuple[int, dict[str, int]]:
    """(header row, column of each key) from the headers the truth says were written."""
    row = sheet_truth["header_row"]
    wanted = {norm_key(h): k for k, h in sheet_truth["headers"].items()}
    cols = {}
    for c in range(1, ws.max_column + 1):
        k = wanted.get(_cell_text(ws.cell(row, c).value))
        if k and k not in cols:
            cols[k] = c
    return row, cols


def open_book(path: Path, truth: dict, name: str | None = None) -> Book:
    """Open a generated workbook (cached values instead of formulas) with its truth.

    The truth is deep-copied: shapes change the copy, never the sample's.
    """
    wb = openpyxl.load_workbook(path, data_only=True)
    truth = copy.deepcopy(truth)
    tables = {}
    for key, st in truth["sheets"].items():
        ws = wb[st["name"]]
        header_row, cols = _locate(ws, st)
        mine = [a for a in truth["anomalies"] if a["sheet_key"] == key]
        other = [a["row"] for a in mine if not a["counted"]]
        dups: dict[int, list[int]] = {}
        for a in mine:
            if a["kind"] == "duplicate":
                dups.setdefault(a["of_row"], []).append(a["row"])
        tables[key] = Placed(ws, key, header_row, header_row, cols, st["records"], dict(st["scale"]), other, dups)
    return Book(wb, [truth], tables, name or Path(path).name, int(truth["year"]))


def as_cell_date(v: Any) -> dt.date | None:
    """A truth date that is a full calendar date (not month-only, not missing)."""
    return v if isinstance(v, dt.date) else None
