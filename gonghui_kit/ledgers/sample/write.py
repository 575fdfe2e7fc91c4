"""Writing the sample workbooks with openpyxl: the 基本信息 sheet, record
sheets laid out with their titles, blank columns, hidden rows and formulas
(with cached values, as Excel saves them), and the free-text file names.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from gonghui_kit.atomic import write_bytes
from gonghui_kit.ledgers.sample.mess import MessContext
from gonghui_kit.ledgers.sample.tables import Table
from gonghui_kit.ledgers.sample.values import fmt_num
from gonghui_kit.schema import Schema

__all__ = ["file_name", "info_rows", "write_workbook"]

_WIN_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _safe_filename(name: str) -> str:
    return _WIN_FORBIDDEN.sub("_", name).strip(" .") or "台账"


# --------------------------------------------------------------------------
# layout


def _layout(table: Table, use_formulas: bool) -> list[list]:
    """Assign Excel row numbers; the grid to write (titles, header, rows)."""
    lead = [None] * int(table.leading_blank)
    grid: list[list] = [lead + [t] for t in table.titles]
    if table.titles:
        grid.append([])
    table.header_row = len(grid) + 1
    grid.append(_spread(table, table.headers))
    for r in table.rows:
        r.excel_row = len(grid) + 1
        grid.append(_spread_note(table, r.cells[0]) if r.kind == "note" else None)
    start, seg = table.header_row + 1, table.header_row + 1
    for r in table.rows:
        if r.kind == "subtotal":
            # ranges a person would sum: from the segment start, skipping earlier subtotals
            first = seg if r.partial else start
            subs = [x.excel_row for x in table.rows if x.kind == "subtotal" and first <= x.excel_row < r.excel_row]
            lo, ranges = first, []
            for s_row in subs + [r.excel_row]:
                if s_row > lo:
                    ranges.append((lo, s_row - 1))
                lo = s_row + 1
            for j in r.sum_cols:
                total = sum(
                    x.cells[j]
                    for x in table.rows
                    if x.kind != "subtotal"
                    and any(a <= x.excel_row <= b for a, b in ranges)
                    and isinstance(x.cells[j], (int, float))
                    and not isinstance(x.cells[j], bool)
                )
                r.cells[j] = round(total, 6)
                if use_formulas and ranges:
                    letter = get_column_letter(_excel_col(table, j))
                    r.formulas[j] = "+".join(f"SUM({letter}{a}:{letter}{b})" for a, b in ranges)
            if r.partial:
                seg = r.excel_row + 1
        if r.kind != "note":
            grid[r.excel_row - 1] = _spread(table, r.cells)
    return grid


def _excel_col(table: Table, j: int) -> int:
    """1-based Excel column of logical column ``j``."""
    return j + 1 + int(table.leading_blank) + sum(1 for b in table.blank_cols if b <= j)


def _spread(table: Table, cells: list) -> list:
    out = [None] * (len(table.columns) + len(table.blank_cols) + int(table.leading_blank))
    for j, v in enumerate(cells):
        out[_excel_col(table, j) - 1] = v
    return out


def _spread_note(table: Table, text: str) -> list:
    out = [None] * (int(table.leading_blank) + 1)
    out[-1] = text
    return out


# --------------------------------------------------------------------------
# workbook


def info_rows(ctx: MessContext, info: dict, schema: Schema) -> list[list]:
    """The 基本信息 sheet as key/value rows, with alias keys and text values under mess."""
    sheet = schema.sheet("info")
    alias = ctx.mess and ctx.want("info_alias_keys")
    text = ctx.mess and ctx.want("info_text_values")
    rows = []
    for c in sheet.columns:
        if c.key not in info:  # an extension the sample does not fill (会员人数: a real-world shape adds it)
            continue
        key = c.label
        if alias and c.aliases and ctx.rng.random() < 0.5:
            key = ctx.rng.choice(c.aliases)
        elif alias and ctx.rng.random() < 0.3:
            key = c.label + "："
        v = info[c.key]
        if text and c.key == "year":
            v = ctx.rng.choice((f"{v}年", f"{v}年度"))
        elif text and c.key == "employees":
            v = f"{v}人"
        elif text and c.key == "fill_date":
            v = f"{v.year}年{v.month}月{v.day}日"
        rows.append([key, v])
    if alias:
        ctx.used("info_alias_keys")
    if text:
        ctx.used("info_text_values")
    return rows


def write_workbook(
    path: Path, info_cells: list[list], tables: list[Table], extra_sheet: bool, use_formulas: bool
) -> int:
    """Write one workbook to ``path`` (atomically) and return its data rows.

    Laying the tables out fills in their Excel row numbers (``header_row``,
    ``Row.excel_row``); ``use_formulas`` writes subtotals as ``SUM`` formulas.
    ``extra_sheet`` adds an empty ``Sheet2``.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本信息"
    for r in info_cells:
        ws.append(r)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 24
    cached: dict[str, dict[str, float]] = {}
    n_rows = 0
    for t in tables:
        ws = wb.create_sheet(t.name)
        grid = _layout(t, use_formulas)
        for row in grid:
            ws.append(row)
        width = len(t.columns) + len(t.blank_cols) + int(t.leading_blank)
        c0 = 1 + int(t.leading_blank)
        for i in range(len(t.titles)):
            ws.merge_cells(start_row=i + 1, start_column=c0, end_row=i + 1, end_column=width)
        for r in t.rows:
            if r.hidden:
                ws.row_dimensions[r.excel_row].hidden = True
            for j, f in r.formulas.items():
                cell = ws.cell(row=r.excel_row, column=_excel_col(t, j))
                cached.setdefault(t.name, {})[cell.coordinate] = cell.value
                cell.value = "=" + f
            n_rows += r.kind != "blank"
        for j in range(1, width + 1):
            ws.column_dimensions[get_column_letter(j)].width = 13
    if extra_sheet:
        wb.create_sheet("Sheet2")
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if cached:
        data = _inject_cached_values(data, cached, path.name)
    write_bytes(path, data)
    return n_rows


_TAG_RE = {"sheet": re.compile(r"<sheet\b[^>]*>"), "rel": re.compile(r"<Relationship\b[^>]*>")}


def _attr(tag: str, name: str) -> str:
    m = re.search(rf'\s{name}="([^"]*)"', tag)
    return m.group(1) if m else ""


def _inject_cached_values(xlsx: bytes, cached: dict[str, dict[str, float]], name: str) -> bytes:
    """Give formula cells written by openpyxl a cached value (``<v>``), as Excel does.

    ``xlsx`` is the saved workbook, ``cached`` sheet name -> cell -> value,
    ``name`` the file name for the error message; returns the new workbook.
    """
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
        wbx = zf.read("xl/workbook.xml").decode()
        rels_xml = zf.read("xl/_rels/workbook.xml.rels").decode()
    rels = {_attr(t, "Id"): _attr(t, "Target") for t in _TAG_RE["rel"].findall(rels_xml)}
    parts = {}
    for tag in _TAG_RE["sheet"].findall(wbx):
        tgt = rels[_attr(tag, "r:id")]
        parts[tgt.lstrip("/") if tgt.startswith("/") else "xl/" + tgt] = html.unescape(_attr(tag, "name"))
    out = []
    for info, data in items:
        sheet = parts.get(info.filename)
        if sheet in cached:
            xml = data.decode()
            for ref, value in cached[sheet].items():
                pat = re.compile(rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/?>(?:</v>)?')
                xml, n = pat.subn(lambda m, v=value: f"{m.group(1)}<v>{fmt_num(v)}</v>", xml, count=1)
                if n != 1:
                    raise RuntimeError(f"formula cell {sheet}!{ref} not found in {name}")
            data = xml.encode()
        out.append((info, data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in out:
            zf.writestr(info, data)
    return buf.getvalue()


def file_name(ctx: MessContext, unit: str, year: int, mess: bool, old_name: str | None) -> str:
    """The workbook's file name: plain for a clean sample, else a free-text
    spelling (``附件3-…台账.xlsx``), sometimes misleading (last year, ``old_name``)."""
    if not mess:
        return f"{year}年{unit}台账.xlsx"
    y, u = year, unit
    if ctx.want("misleading_file_name"):
        ctx.used("misleading_file_name")
        if old_name and ctx.rng.random() < 0.5:
            u = old_name
        else:
            y = year - 1
    pattern = ctx.rng.choice(
        (
            "{y}年{u}台账(终稿).xlsx",
            "{u}{y}台账-改(1).xlsx",
            "{u}工作台账{y}.xlsx",
            "{y}年度{u}台账（最终版）.xlsx",
            "附件3-{u}{y}年台账.xlsx",
            "{u}台账 {y} v2.xlsx",
            "{y}{u}工作台账(1)(1).xlsx",
            "{y}年{u}台账(终稿)(1).xlsx",
        )
    )
    return _safe_filename(pattern.format(y=y, u=u))
