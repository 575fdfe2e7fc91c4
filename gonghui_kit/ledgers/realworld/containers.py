"""How a ledger travels: one workbook per unit (.xlsx, or converted to .xls /
.ods), a folder per unit with one file per topic (.xlsx or .csv in GBK or
UTF-8), one workbook holding several 分会 with a unit column, or a 统计表 with
one row per unit.  Each container is registered by name and writes what it is
given under ``root/<year>/``; it returns the written paths.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from random import Random
from typing import Callable

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from gonghui_kit.atomic import write_bytes
from gonghui_kit.ledgers.realworld.book import Book, Placed
from gonghui_kit.schema import load_schema

__all__ = [
    "CONTAINERS",
    "SUMMARY_INDICATORS",
    "convert_with_soffice",
    "multi_unit_book",
    "soffice",
    "unit_sheets_book",
]

Container = Callable[[Book, Path, Random], list[Path]]
CONTAINERS: dict[str, Container] = {}


def container(name: str):
    def deco(fn: Container) -> Container:
        CONTAINERS[name] = fn
        return fn

    return deco


def _year_dir(root: Path, book: Book) -> Path:
    d = root / str(book.year)
    d.mkdir(parents=True, exist_ok=True)
    return d


@container("xlsx")
def own_workbook(book: Book, root: Path, rng: Random) -> list[Path]:
    """One .xlsx per unit, as the template asks."""
    path = _year_dir(root, book) / book.name
    book.save(path)
    return [path]


def soffice() -> str | None:
    """LibreOffice's command, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_soffice(src: Path, fmt: str, dest_dir: Path) -> Path:
    """``src`` converted by headless LibreOffice to ``fmt`` (xls, ods) in ``dest_dir``."""
    exe = soffice()
    if not exe:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                exe,
                "--headless",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--convert-to",
                fmt,
                "--outdir",
                str(dest_dir),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    out = dest_dir / f"{src.stem}.{fmt}"
    if not out.exists():
        raise RuntimeError(f"LibreOffice wrote no {out.name}")
    return out


def _converted(fmt: str) -> Container:
    def write(book: Book, root: Path, rng: Random) -> list[Path]:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / (Path(book.name).stem + ".xlsx")
            book.save(src)
            out = convert_with_soffice(src, fmt, _year_dir(root, book))
        return [out]

    write.__doc__ = f"One .{fmt} per unit (saved by Excel 97-2003 / LibreOffice / WPS)."
    return write


CONTAINERS["xls"] = _converted("xls")
CONTAINERS["ods"] = _converted("ods")


# --------------------------------------------------------------------------
# a folder per unit, one file per topic


def _copy_sheet(src: Worksheet, dst: Worksheet, lead: list[list] = ()) -> None:
    """Values, merged cells and hidden rows of ``src`` into ``dst``, below ``lead`` rows."""
    off = len(lead)
    for i, row in enumerate(lead, start=1):
        for j, v in enumerate(row, start=1):
            dst.cell(i, j, v)
    for row in src.iter_rows():
        for c in row:
            if c.value is not None:
                dst.cell(c.row + off, c.column, c.value)
    for r in src.merged_cells.ranges:
        dst.merge_cells(
            start_row=r.min_row + off, start_column=r.min_col, end_row=r.max_row + off, end_column=r.max_col
        )
    for i, d in src.row_dimensions.items():
        if d.hidden:
            dst.row_dimensions[i + off].hidden = True


def _csv_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        v = v.date() if v.time() == dt.time() else v
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return f"{v.year}/{v.month}/{v.day}"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _csv_bytes(ws: Worksheet, lead: list[list], encoding: str, delimiter: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in lead:
        w.writerow(row)
    for row in ws.iter_rows(values_only=True):
        w.writerow([_csv_text(v) for v in row])
    return buf.getvalue().encode(encoding)


def _per_topic(fmt: str, who: str) -> Container:
    """``fmt``: xlsx | csv-gbk | csv-utf8; ``who``: info (a 基本信息 file) |
    title (a 填报单位： line on every file) | folder (only the folder's name)."""

    def write(book: Book, root: Path, rng: Random) -> list[Path]:
        unit = book.truths[0]["unit"]
        folder = _year_dir(root, book) / unit
        folder.mkdir(parents=True, exist_ok=True)
        lead = [[f"填报单位：{unit}"], [f"填报时间：{book.year + 1}年1月"]] if who == "title" else []
        sheets = [t.ws for t in book.tables.values()]
        if who == "info":
            sheets.insert(0, book.wb["基本信息"])
        else:
            book.info = False
        out = []
        for ws in sheets:
            is_info = ws.title == "基本信息"
            head = [] if is_info else lead
            if fmt == "xlsx":
                wb = openpyxl.Workbook()
                _copy_sheet(ws, wb.active, head)
                wb.active.title = ws.title
                path = folder / f"{ws.title}.xlsx"
                bio = io.BytesIO()
                wb.save(bio)
                write_bytes(path, bio.getvalue())
            else:
                path = folder / f"{ws.title}.csv"
                try:
                    data = _csv_bytes(ws, head, "gbk" if fmt == "csv-gbk" else "utf-8-sig", ",")
                except UnicodeEncodeError:  # a character GBK lacks (✗): saved as UTF-8, as WPS offers
                    data = _csv_bytes(ws, head, "utf-8-sig", ",")
                write_bytes(path, data)
            out.append(path)
        return out

    write.__doc__ = f"A folder per unit, one {fmt} file per topic; unit from {who}."
    return write


for _fmt in ("xlsx", "csv-gbk", "csv-utf8"):
    for _who in ("info", "title", "folder"):
        CONTAINERS[f"topics-{_fmt}-{_who}"] = _per_topic(_fmt, _who)


# --------------------------------------------------------------------------
# several 分会 in one workbook

_UNIT_HEADERS = ["所属分会", "工会名称", "分会名称", "所属工会", "单位"]


def _cell(v):
    if isinstance(v, tuple):
        return f"{v[0]}年{v[1]}月"
    return v


def multi_unit_book(books: list[Book], parent: str, rng: Random) -> Book:
    """One workbook of a 上级工会 holding its 分会's records: a unit column on
    every record sheet, the parent's own 基本信息; records written plainly from
    the truth (later shapes spell them)."""
    schema = load_schema()
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "基本信息"
    year = books[0].year
    for i, (k, v) in enumerate([("单位名称", parent), ("年度", year), ("填报人", "某某")], start=1):
        info.cell(i, 1, k)
        info.cell(i, 2, v)
    unit_header = rng.choice(_UNIT_HEADERS)
    tables: dict[str, Placed] = {}
    truths = [b.truths[0] for b in books]
    for sheet in schema.record_sheets:
        rows = [(tr["unit"], r) for tr in truths for r in tr["sheets"].get(sheet.key, {}).get("records", [])]
        if not rows:
            continue
        ws = wb.create_sheet(sheet.label)
        cols = {c.key: j + 2 for j, c in enumerate(sheet.columns)}
        ws.cell(1, 1, unit_header)
        for c in sheet.columns:
            ws.cell(1, cols[c.key], c.label)
        records = []
        for i, (unit, rec) in enumerate(rows, start=2):
            ws.cell(i, 1, unit)
            for c in sheet.columns:
                v = _cell(rec.get(c.key))
                if v is not None:
                    ws.cell(i, cols[c.key], v)
            rec["_row"] = i
            records.append(rec)
        tables[sheet.key] = Placed(ws, sheet.key, 1, 1, cols, records, {})
    for tr in truths:
        tr["anomalies"] = []
    name = f"{parent}{year}年各分会台账汇总.xlsx"
    return Book(wb, truths, tables, name, year, info=False, unit_column=unit_header)


def unit_sheets_book(books: list[Book], parent: str) -> Book:
    """One workbook of a 上级工会 with each 分会's sheets under its own name
    (``机修分工会-活动台账``), as the 分会 sent them (their shapes included),
    and the parent's own 基本信息."""
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "基本信息"
    year = books[0].year
    for i, (k, v) in enumerate([("单位名称", parent), ("年度", year)], start=1):
        info.cell(i, 1, k)
        info.cell(i, 2, v)
    for b in books:
        unit = b.truths[0]["unit"]
        for ws in b.wb.worksheets:
            if ws.title == "基本信息" or ws.max_row < 2:
                continue
            dst = wb.create_sheet(f"{unit}-{ws.title}"[:31])
            _copy_sheet(ws, dst)
            dst.sheet_state = ws.sheet_state
    truths = [b.truths[0] for b in books]
    return Book(wb, truths, {}, f"{parent}{year}年各分会台账（分表）.xlsx", year, info=False)


# --------------------------------------------------------------------------
# a 统计表: one row per unit

#: Indicators a 统计表 reports, with the headers offices use.
SUMMARY_INDICATORS: dict[str, list[str]] = {
    "employees": ["职工人数", "职工总数"],
    "members_total": ["会员人数", "会员总数"],
    "activities": ["活动场次", "开展活动次数"],
    "activity_participants": ["参与人次", "活动参与人次"],
    "activity_spend": ["活动经费", "活动支出"],
    "income_total": ["经费收入", "收入合计"],
    "expense_total": ["经费支出", "支出合计"],
    "care_visits": ["慰问人次", "走访慰问人次"],
    "care_amount": ["慰问金额", "慰问金"],
    "training_sessions": ["培训场次", "培训期数"],
    "proposals": ["提案数", "提案件数"],
    "awards": ["获奖数", "获奖项数"],
}


def summary_workbook(reported: dict[str, dict[str, float]], parent: str, year: int, rng: Random) -> bytes:
    """A 统计表 of ``reported`` (unit -> indicator -> value) with a title, a
    序号 column, a 合计 row and a signature line; returns the .xlsx bytes."""
    keys = list(next(iter(reported.values())))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = rng.choice(["统计表", "汇总表", f"{year}年统计表"])
    ws.cell(1, 1, f"{year}年度基层工会工作情况统计表")
    ws.cell(2, 1, f"填报单位：{parent}")
    head = ["序号", "单位名称", *[rng.choice(SUMMARY_INDICATORS[k]) for k in keys]]
    for j, h in enumerate(head, start=1):
        ws.cell(3, j, h)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
    row = 4
    for i, (unit, vals) in enumerate(reported.items(), start=1):
        ws.cell(row, 1, i)
        ws.cell(row, 2, unit)
        for j, k in enumerate(keys, start=3):
            v = vals[k]
            if v == v:  # NaN stays blank: not reported
                ws.cell(row, j, round(v, 2))
        row += 1
    ws.cell(row, 2, "合计")
    for j, k in enumerate(keys, start=3):
        ws.cell(row, j, round(sum(v[k] for v in reported.values() if v[k] == v[k]), 2))
    ws.cell(row + 2, 1, "负责人签字：")
    ws.cell(row + 2, 4, "填表人：某某")
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()
