"""Shared fixtures: tiny workbooks described in a few lines.

Each test states its input as data::

    book = make_book({"活动台账": Sheet([["日期", "活动名称", "参与人数"],
                                         ["2023-07-01", "篮球赛", "约50人"]],
                                        title="2023年活动台账", notes=["填表说明：…"])})
    res = load_book(book)
    book.row("活动台账", 1)   # -> the Excel row a person sees for rows[1]

``Sheet.rows[0]`` is the header; ``None`` (or ``[]``) as a row is a blank
row; ``None`` in a cell is an empty cell; a string starting with ``=`` is a
formula (openpyxl writes it without a cached value); ``datetime``/``date``
objects are real Excel dates.  A 基本信息 sheet (unit, year, employees) is
written first unless ``info=None``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import openpyxl
import pytest

UNIT = "测试分工会"
YEAR = 2023


# --------------------------------------------------------------------------
# workbook builder


@dataclass
class Sheet:
    """One worksheet: ``rows[0]`` is the header row.

    title        text of a title row above the header (``title_rows`` rows in
                 all: the title then blank rows); merged across the table when
                 ``merge_title``
    notes        note lines written below the table after ``notes_gap`` blank rows
    row_offset   blank rows above everything; ``col_offset`` blank columns left
    hidden       indexes into ``rows`` whose Excel rows are hidden
    """

    rows: list[Any]
    title: str | None = None
    title_rows: int = 2
    merge_title: bool = True
    notes: Sequence[str] = ()
    notes_gap: int = 1
    row_offset: int = 0
    col_offset: int = 0
    hidden: Sequence[int] = ()

    @property
    def first_row(self) -> int:
        """Excel row of rows[0] (the header)."""
        return self.row_offset + (self.title_rows if self.title is not None else 0) + 1

    def excel_row(self, i: int) -> int:
        return self.first_row + i

    def note_row(self, k: int) -> int:
        return self.first_row + len(self.rows) + self.notes_gap + k


@dataclass
class Book:
    path: Path
    sheets: dict[str, Sheet] = field(default_factory=dict)

    def row(self, sheet: str, i: int) -> int:
        """Excel row number of ``sheets[sheet].rows[i]`` (0 = header)."""
        return self.sheets[sheet].excel_row(i)

    def note_row(self, sheet: str, k: int = 0) -> int:
        return self.sheets[sheet].note_row(k)

    def __fspath__(self) -> str:
        return str(self.path)


def info_rows(unit: str | None = UNIT, year: Any = YEAR, employees: Any = 100, **extra: Any) -> list[list[Any]]:
    rows = []
    if unit is not None:
        rows.append(["单位名称", unit])
    if year is not None:
        rows.append(["年度", year])
    if employees is not None:
        rows.append(["职工人数", employees])
    for k, v in extra.items():
        rows.append([k, v])
    return rows


def write_book(
    path: str | os.PathLike, sheets: dict[str, Sheet | list], *, info: dict | list | None | bool = True
) -> Book:
    """Write ``sheets`` (name → Sheet or plain list of rows) to ``path``.

    ``info``: True → 基本信息 with the default unit/year/employees; a dict →
    ``info_rows(**info)``; a list → those key/value rows as given; None/False
    → no 基本信息 sheet.
    """
    path = Path(path)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if info is True:
        info = info_rows()
    elif isinstance(info, dict):
        info = info_rows(**info)
    if info:
        ws = wb.create_sheet("基本信息")
        for r in info:
            ws.append(list(r))
    book = Book(path)
    for name, spec in sheets.items():
        if not isinstance(spec, Sheet):
            spec = Sheet(list(spec))
        book.sheets[name] = spec
        ws = wb.create_sheet(name)
        width = max((len(r) for r in spec.rows if r), default=1)
        c0 = spec.col_offset + 1
        if spec.title is not None:
            r0 = spec.row_offset + 1
            ws.cell(r0, c0, spec.title)
            if spec.merge_title and width > 1:
                ws.merge_cells(start_row=r0, start_column=c0, end_row=r0, end_column=c0 + width - 1)
        for i, row in enumerate(spec.rows):
            for j, v in enumerate(row or []):
                if v is not None:
                    ws.cell(spec.excel_row(i), c0 + j, v)
        for k, text in enumerate(spec.notes):
            ws.cell(spec.note_row(k), c0, text)
        for i in spec.hidden:
            ws.row_dimensions[spec.excel_row(i)].hidden = True
    wb.save(path)
    return book


@pytest.fixture
def make_book(tmp_path):
    """``make_book(sheets, info=True, name="台账.xlsx") -> Book`` in a fresh folder."""
    counter = {"n": 0}

    def _make(
        sheets: dict[str, Sheet | list], *, info: Any = True, name: str | None = None, folder: str | None = None
    ) -> Book:
        counter["n"] += 1
        d = tmp_path / folder if folder else tmp_path
        d.mkdir(parents=True, exist_ok=True)
        return write_book(d / (name or f"台账{counter['n']}.xlsx"), sheets, info=info)

    return _make


@pytest.fixture
def load_book():
    """``load_book(book, year=None) -> WorkbookResult`` (gonghui_kit.ingest.load.load_workbook)."""
    from gonghui_kit.ingest.load import load_workbook

    def _load(book: Book | Path, **kw: Any):
        return load_workbook(Path(book), **kw)

    return _load


# --------------------------------------------------------------------------
# finding helpers


def findings_at(
    findings, *, sheet: str | None = None, row: int | None = None, code: str | None = None, column: str | None = None
) -> list:
    out = []
    for f in findings:
        if sheet is not None and f.sheet != sheet:
            continue
        if row is not None and f.row != row:
            continue
        if code is not None and f.code != code:
            continue
        if column is not None and f.column != column:
            continue
        out.append(f)
    return out


def one_finding(findings, **kw):
    hits = findings_at(findings, **kw)
    assert hits, f"no finding {kw}; have: {[(f.sheet, f.row, f.column, f.code) for f in findings]}"
    return hits[0]


# --------------------------------------------------------------------------
# the generated sample


@pytest.fixture(scope="session")
def sample_result(tmp_path_factory):
    """``generate_sample(tmp, units=12, years=(2022, 2023, 2024), seed=0)``, once per session."""
    from gonghui_kit.ledgers.sample import generate_sample

    d = tmp_path_factory.mktemp("sample")
    res = generate_sample(d, units=12, years=(2022, 2023, 2024), seed=0)
    return d, res


@pytest.fixture(scope="session")
def sample_dir(sample_result):
    return sample_result[0]


D = dt.datetime  # short for real Excel dates in row specs


# --------------------------------------------------------------------------
# builds


def build_config(data, out, year: int, **kw):
    """A quiet two-job ``BuildConfig`` with the shipped roster and standards (the tests' default build)."""
    from gonghui_kit.build import BuildConfig
    from gonghui_kit.resources import params_path

    return BuildConfig(
        year=year,
        data=Path(data),
        out=Path(out),
        jobs=2,
        registry_file=params_path("units.yaml"),
        standards_file=params_path("standards.yaml"),
        progress=False,
        **kw,
    )
