"""Load ledgers: files → canonical tables + findings, in one call.

``load_ledgers(paths, year=...)`` is the library's front door.  For each
workbook it runs the stages in order:

1. ``safety.inspect_workbook`` — refuse what is not a readable .xlsx/.xlsm
   (old .xls, encrypted, corrupt, zip bombs, …) before any parser runs;
2. ``read.read_workbook`` — raw grids of cached cell values;
3. 基本信息 → unit and year (never from the file name);
4. per data sheet: find the header under any title rows and classify every
   row (blank, note, subtotal, duplicate, record: ``grid``), parse every
   column by its schema type (``values``, ``clean``), drop records of
   another year;
5. personal data (spec §6) is removed before anything leaves this module
   (``pii``): names become per-load pseudonyms (so "once a year per person"
   can still be checked) and ID and phone numbers are dropped.

The results and the combined ``Ledger`` are defined in ``ledger``.

Every row read ends up either in a table or in ``Ledger.stats`` and a
finding (``rows == title + blank + notes + subtotals + duplicates +
other_year + records`` for each sheet), which the property tests check.
"""

from __future__ import annotations

import contextlib
import gc
import os
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from gonghui_kit.atomic import sha256_file
from gonghui_kit.ingest import clean
from gonghui_kit.ingest.codes import NA_CODE
from gonghui_kit.ingest.findings import Finding, finding_fields, findings_like, show_value
from gonghui_kit.ingest.grid import (
    BLANK,
    DATA,
    NOTE,
    SIGNATURE,
    duplicates,
    header_repeats,
    locate_header,
    make_grid,
    match_header,
    row_kind_codes,
    summary_header,
)
from gonghui_kit.ingest.layout import excel_col, fill_merged, hidden_verdict, stand_ins
from gonghui_kit.ingest.layouts import apply_columns, layout_for
from gonghui_kit.ingest.ledger import (
    INFO_COLUMNS,
    META_COLUMNS,
    Ledger,
    WorkbookResult,
    assemble,
    empty_table,
    table_columns,
)
from gonghui_kit.ingest.notes import NOTE_MESSAGES
from gonghui_kit.ingest.pii import new_salt, pseudonyms
from gonghui_kit.ingest.read import RawSheet, RawWorkbook, ReadError, read_workbook
from gonghui_kit.ingest.summary import read_summary
from gonghui_kit.ingest.values import MEMO, date_values, number_values, take, to_column
from gonghui_kit.ingest.whose import infer_unit_year, parse_info
from gonghui_kit.schema import Schema, Sheet, load_schema

__all__ = [
    "Ledger",
    "WorkbookResult",
    "load_ledgers",
    "load_years_ledgers",
    "load_workbook",
    "discover",
    "assemble",
    "empty_table",
    "table_columns",
    "META_COLUMNS",
    "INFO_COLUMNS",
]

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".et", ".ods", ".csv", ".xltx", ".xltm"}

REPEATED = -1  # a row kind of its own here: a repeated header row (counted with the title rows)

# --------------------------------------------------------------------------
# discovery


def discover(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[Finding]]:
    """Expand folders into the workbook-like files they hold (recursively,
    sorted), skipping hidden files and Office lock files (``~$…``)."""
    files: list[Path] = []
    findings: list[Finding] = []
    for p in paths:
        p = Path(p)
        if p.is_symlink() or not p.is_dir():
            files.append(p)
            continue
        for q in sorted(p.rglob("*")):
            rel_parts = q.relative_to(p).parts
            if any(part.startswith((".", "_")) for part in rel_parts):
                continue
            if q.name.startswith("~$"):
                findings.append(
                    Finding(
                        str(q.name),
                        "",
                        None,
                        "",
                        "",
                        "skipped",
                        "info",
                        "Excel/WPS 的临时锁定文件，已跳过",
                        code="lock_file",
                    )
                )
                continue
            if q.is_dir() and not q.is_symlink():
                if q.suffix.lower() in WORKBOOK_SUFFIXES:
                    files.append(q)  # a folder named like a workbook: safety says so
                continue
            if q.suffix.lower() in WORKBOOK_SUFFIXES or q.is_symlink():
                files.append(q)
                if not _utf8_name(q):
                    msg = "文件名不是 UTF-8 编码（常见于从 Windows 压缩包解压），无法识别的字显示为 �；已照常读取，建议把文件改名"
                    shown = _display(q, p)
                    findings.append(Finding(shown, "", None, "", "", "kept", "warning", msg, code="odd_file_name"))
            else:
                findings.append(
                    Finding(
                        _display(q, p),
                        "",
                        None,
                        "",
                        "",
                        "skipped",
                        "info",
                        "不是台账文件（不是 .xlsx/.xlsm），已跳过",
                        code="not_ledger",
                    )
                )
    return files, findings


def _utf8_name(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _display(path: Path, root: Path | None = None) -> str:
    """A file's name as shown: relative to ``root``'s parent; bytes that are
    not UTF-8 (a GBK name from a Windows zip) become �, so every report and
    JSON stays valid UTF-8."""
    name = path.name
    if root is not None:
        try:
            name = str(path.relative_to(root.parent if root.is_dir() else root)).replace(os.sep, "/")
        except ValueError:
            pass
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _sha256(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError:
        return ""


# --------------------------------------------------------------------------
# one workbook


@dataclass
class _Ctx:
    file: str
    unit: str | None
    year: int | None
    schema: Schema
    salt: bytes
    findings: list[Finding]
    layout: Any = None  # layouts.Layout of this file, if any

    def add(
        self,
        sheet: str,
        row: int | None,
        column: str,
        value: Any,
        action: str,
        severity: str,
        message: str,
        code: str,
        table: str | None = None,
        unit: str | None = None,
        col: int | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                self.file,
                sheet,
                row,
                column,
                show_value(value),
                action,
                severity,
                message,
                code,
                unit or self.unit,
                self.year,
                table,
                col,
            )
        )


def load_workbook(
    path: str | os.PathLike,
    *,
    year: int | None = None,
    engine: str = "calamine",
    name: str | None = None,
    salt: bytes | None = None,
    layout: Any = None,
) -> WorkbookResult:
    """Load one workbook (see module docstring).  Never raises for a bad file.
    ``layout``: a ``layouts.Layout`` saying how to read it (params/layouts)."""
    res, ctx, insp = _inspect(path, name, salt)
    ctx.layout = layout
    if insp is not None:
        wb = _read(res, ctx, engine, insp)
        if wb is not None:
            _confirm_read(res, ctx)
            _load_raw(wb, res, ctx, year)
    return res


CHANGED_WHILE_READ = "changed-while-read"


def _confirm_read(res: WorkbookResult, ctx: _Ctx) -> None:
    """The file's hash, taken before it was parsed, again: when it differs the
    file changed while it was read, and its hash says so (a build reads it
    again), so the recorded hash is always of the bytes parsed."""
    if res.sha256 and _sha256(res.path) != res.sha256:
        res.sha256 = CHANGED_WHILE_READ
        ctx.add(
            "",
            None,
            "",
            "",
            "kept",
            "warning",
            "文件在读取过程中被修改，读到的内容可能不完整；请等文件保存完毕后重新核查",
            "changed_while_read",
        )


def _inspect(path: str | os.PathLike, name: str | None, salt: bytes | None) -> tuple[WorkbookResult, _Ctx, Any]:
    """The safety check: the result so far, and the inspection when the file may be read (else None)."""
    from gonghui_kit.ingest.safety import inspect_workbook

    path = Path(path)
    name = name or path.name
    schema = load_schema()
    res = WorkbookResult(path=path, name=name, sha256="")
    ctx = _Ctx(name, None, None, schema, salt or new_salt(), res.findings)

    insp = inspect_workbook(path)
    for p in insp.problems:
        action = "refused" if p.severity == "error" else "kept"
        ctx.add(getattr(p, "sheet", "") or "", None, "", "", action, p.severity, p.message, p.code)
    if not insp.ok:
        res.status = "refused"
        return res, ctx, None
    res.sha256 = _sha256(path)
    return res, ctx, insp


def _read(res: WorkbookResult, ctx: _Ctx, engine: str, insp: Any, ahead: Any = None) -> RawWorkbook | None:
    """The raw grids of a file that passed the safety check (None: refused,
    with a finding).  ``ahead``: a future of ``read.parse_ahead``."""
    try:
        prefetched = ahead.result() if ahead is not None else None
        return read_workbook(res.path, engine=engine, inspection=insp, prefetched=prefetched)
    except ReadError as e:
        ctx.add(
            "",
            None,
            "",
            "",
            "refused",
            "error",
            f"{e.message}。请在 Excel/WPS 中打开确认无误后另存为 .xlsx 重新报送。",
            e.code,
        )
    except Exception as e:  # noqa: BLE001 - a reader bug must not stop the batch
        ctx.add(
            "",
            None,
            "",
            "",
            "refused",
            "error",
            f"读取失败（{type(e).__name__}）。请另存为 .xlsx 后重新报送。",
            "corrupt",
        )
    res.status = "refused"
    return None


def _assign_sheets(wb: RawWorkbook, schema: Schema, ctx: _Ctx) -> list[tuple[RawSheet, Sheet | None]]:
    out: list[tuple[RawSheet, Sheet | None]] = []
    for raw in wb.sheets:
        sl = ctx.layout.for_sheet(raw.name) if ctx.layout is not None else None
        sheet = schema.sheet(sl.sheet) if sl is not None and sl.sheet else schema.sheet_for_name(raw.name)
        if sl is not None and sl.ignore:
            ctx.add(
                raw.name,
                None,
                "",
                "",
                "skipped",
                "info",
                f"按版式文件 {ctx.layout.source} 的说明，本工作表不读取",
                "layout_ignored",
            )
            sheet = None
        elif sheet is None and not schema.is_helper_sheet(raw.name):
            # a sheet named Sheet1 with activity headers is still an activity sheet
            best = None
            for cand in schema.record_sheets:
                m = locate_header(raw.rows, cand, schema)
                if m is not None and m.score >= 3 and (best is None or m.score > best[0]):
                    best = (m.score, cand)
            if best:
                sheet = best[1]
                ctx.add(
                    raw.name,
                    None,
                    "",
                    "",
                    "kept",
                    "info",
                    f"工作表名称不规范，按表头识别为“{sheet.label}”",
                    "sheet_by_header",
                    sheet.key,
                )
        out.append((raw, sheet))
    return out


def _load_raw(wb: RawWorkbook, res: WorkbookResult, ctx: _Ctx, want_year: int | None) -> None:
    schema = ctx.schema
    assigned = _assign_sheets(wb, schema, ctx)
    info_sheets = [r for r, s in assigned if s is not None and s.key == "info"]
    if not info_sheets:
        info = _infer_info(wb, assigned, res, ctx)
        if info is None:
            res.status = "refused"
            return
        info_name = ""
    else:
        info_name = info_sheets[0].name
        info = parse_info(info_sheets[0], schema, ctx.add)
    unit, year = info.get("unit_name"), info.get("year")
    if info_sheets and (not unit or not year):
        missing = "、".join(x for x, v in (("单位名称", unit), ("年度", year)) if not v)
        ctx.add(
            info_name,
            None,
            missing,
            "",
            "refused",
            "error",
            f"“基本信息”中缺少{missing}，无法归属本台账。请填写后重新报送。",
            "no_unit_year",
        )
        res.status = "refused"
        return
    ctx.unit, ctx.year = unit, year
    for f in res.findings:  # findings so far get the unit too
        object.__setattr__(f, "unit", unit)
        object.__setattr__(f, "year", year)
    res.unit, res.year, res.employees = unit, year, info.get("employees")
    res.info = info
    if want_year is not None and year != want_year:
        ctx.add(
            info_name,
            None,
            "年度",
            year,
            "skipped",
            "error",
            f"本台账是 {year} 年度的，不是本次核查的 {want_year} 年度，未计入。请确认是否放错了文件夹或“年度”填错。",
            "other_year_workbook",
        )
        res.status = "skipped"
        return
    tables: dict[str, list[pd.DataFrame]] = {}
    for raw, sheet in assigned:
        if (
            (sheet is None or sheet.key != "info")
            and not (ctx.layout and ctx.layout.for_sheet(raw.name))
            and (sr := summary_header(raw.rows, schema)) is not None
        ):
            _read_summary(raw, sr, sheet, res, ctx)
            continue
        if (
            sheet is not None
            and sheet.key != "info"
            and not raw.visible
            and not _hidden_sheet(raw, sheet, assigned, ctx)
        ):
            continue
        ignored = ctx.layout is not None and (sl := ctx.layout.for_sheet(raw.name)) is not None and sl.ignore
        if sheet is None:
            if (
                raw.rows
                and not ignored
                and not schema.is_helper_sheet(raw.name)
                and any(not clean.is_blank(v) for r in raw.rows for v in r)
            ):
                names = "、".join(f"“{s.label}”" for s in schema.record_sheets)
                ctx.add(
                    raw.name,
                    None,
                    "",
                    "",
                    "skipped",
                    "error",
                    f"未识别的工作表“{raw.name}”（{len(raw.rows)} 行有内容），未读取，数据不完整。如是台账数据，请把工作表名称改为{names}之一；如不是台账数据，请删除这张工作表后重新报送。",
                    "unknown_sheet",
                )
            continue
        if sheet.key == "info":
            continue
        df, stats = _clean_sheet(raw, sheet, ctx)
        stats.update(file=res.name, unit=unit, year=year, sheet=raw.name, table=sheet.key)
        res.stats.append(stats)
        if df is not None:
            tables.setdefault(sheet.key, []).append(df)
    for sheet in schema.record_sheets:
        if sheet.key in tables:
            res.tables[sheet.key] = (
                pd.concat(tables[sheet.key], ignore_index=True) if len(tables[sheet.key]) > 1 else tables[sheet.key][0]
            )
        else:
            res.absent_sheets.append(sheet.label)
            if not res.inferred and not any(
                s.get("table") == sheet.key for s in res.stats
            ):  # inferred: said once per unit (assemble)
                ctx.add(
                    "",
                    None,
                    "",
                    "",
                    "kept",
                    "info",
                    f"未报送“{sheet.label}”，视为本年度无此项记录",
                    "sheet_absent",
                    sheet.key,
                )


def _infer_info(
    wb: RawWorkbook, assigned: list[tuple[RawSheet, Sheet | None]], res: WorkbookResult, ctx: _Ctx
) -> dict[str, Any] | None:
    """Unit and year of a file without 基本信息 (``whose.infer_unit_year``),
    said in a finding; None (refused, with a finding) when either stays unknown."""
    data = [r.rows for r, s in assigned if s is not None and s.key != "info"]
    lay = ctx.layout
    unit, unit_from, year, year_from = infer_unit_year(
        data, res.name, lay.unit if lay else None, lay.year if lay else None
    )
    if not data or unit is None or year is None:
        missing = "、".join(x for x, v in (("单位", unit), ("年度", year)) if v is None) or "台账数据"
        msg = f"缺少“基本信息”工作表，也无法从标题行或文件夹名确定{missing}。请按模板补上“基本信息”（单位名称、年度、职工人数），或在表格上方写明“填报单位：…”和“20xx年”后重新报送。"
        ctx.add("", None, "", "", "refused", "error", msg, "no_info")
        return None
    res.inferred = True
    msg = f"没有“基本信息”工作表：单位按{unit_from}取为“{unit}”，年度按{year_from}取为 {year}。请核对；建议按模板补上“基本信息”（含职工人数）。"
    ctx.add("", None, "", "", "kept", "warning", msg, "unit_inferred")
    return {"unit_name": unit, "year": year}


def _read_summary(raw: RawSheet, sr: int, sheet: Sheet | None, res: WorkbookResult, ctx: _Ctx) -> None:
    """A summary table (``summary.read_summary``): its values as reported, said so."""
    recs, problems = read_summary(raw, sr, ctx.year, res.name, ctx.schema)
    res.reported.extend(recs)
    for row, col, header, value, code, severity, message in problems:
        ctx.add(
            raw.name,
            row,
            header,
            value,
            "missing" if code == "number_invalid" else "checked" if severity == "warning" else "skipped",
            severity,
            message,
            code,
            col=col,
        )
    n = len({r["excel_row"] for r in recs})
    units = sorted({r["unit"] for r in recs})
    ctx.add(
        raw.name,
        raw.excel_row(sr),
        "",
        "",
        "kept",
        "warning",
        f"这是统计表（每个单位一行）：{len(units)} 个单位的数值按报送数计入，没有逐条记录可核对（{'、'.join(units[:5])}{'等' if len(units) > 5 else ''}）。请核对；如有明细台账，请一并报送。",
        "summary_read",
    )
    stats = dict(
        rows=len(raw.rows),
        title=sr + 1,
        blank=0,
        notes=0,
        subtotals=0,
        duplicates=0,
        other_year=0,
        records=n,
        unreadable=len(raw.rows) - sr - 1 - n,
    )
    res.stats.append(
        {
            **stats,
            "file": res.name,
            "unit": ctx.unit,
            "year": ctx.year,
            "sheet": raw.name,
            "table": sheet.key if sheet else "",
        }
    )


def _hidden_sheet(raw: RawSheet, sheet: Sheet, assigned: list[tuple[RawSheet, Sheet | None]], ctx: _Ctx) -> bool:
    """Whether a hidden record sheet is read (``layout.hidden_verdict``), said in a finding."""
    read, code, severity, action, message = hidden_verdict(
        raw, sheet, [r for r, s in assigned if s is not None and s.key == sheet.key and r.visible]
    )
    ctx.add(raw.name, None, "", "", action, severity, message, code, sheet.key)
    return read


# --------------------------------------------------------------------------
# one sheet


def _clean_sheet(raw: RawSheet, sheet: Sheet, ctx: _Ctx) -> tuple[pd.DataFrame | None, dict[str, int]]:
    schema = ctx.schema
    stats = dict(
        rows=len(raw.rows), title=0, blank=0, notes=0, subtotals=0, duplicates=0, other_year=0, records=0, unreadable=0
    )
    fill_merged_body = fill_merged(raw)
    header = locate_header(raw.rows, sheet, schema)
    sl = ctx.layout.for_sheet(raw.name) if ctx.layout is not None else None
    if sl is not None and sl.header_row and 0 <= sl.header_row - raw.first_row < len(raw.rows):
        header = replace(
            match_header(raw.rows[sl.header_row - raw.first_row], sheet, schema), row=sl.header_row - raw.first_row
        )
    if header is not None and sl is not None:
        header = apply_columns(header, sl.columns)
    if header is None:
        n_filled = sum(1 for r in raw.rows if any(not clean.is_blank(v) for v in r))
        stats["unreadable"] = len(raw.rows)
        if n_filled:
            ctx.add(
                raw.name,
                None,
                "",
                "",
                "skipped",
                "error",
                f"找不到表头，数据不完整（应含“{'”“'.join(c.label for c in sheet.columns[:4])}”等列），本表 {n_filled} 行未读取。请按模板填写表头。",
                "no_header",
                sheet.key,
            )
        return None, stats
    pii_cols0 = {j for j, k in header.columns.items() if k in {c.key for c in sheet.columns if c.pii}}
    below = raw.rows[header.row + 1 :]
    for j, text in header.unknown.items():
        filled = sum(1 for r in below if j < len(r) and not clean.is_blank(r[j]))
        col = raw.first_col + j + 1
        if filled:
            known = "”“".join(c.label for c in sheet.columns if c.key not in header.columns.values())
            hint = f"如是“{known}”之一，请把列名改成模板写法；" if known else ""
            ctx.add(
                raw.name,
                raw.excel_row(header.row),
                text,
                "",
                "skipped",
                "error",
                f"未识别的列“{text}”（{excel_col(col - 1)}列，{filled} 个单元格有内容），未读取，数据不完整。{hint}如不是台账数据，请删除这一列后重新报送。",
                "unknown_column",
                sheet.key,
                col=col,
            )
        else:
            ctx.add(
                raw.name,
                raw.excel_row(header.row),
                text,
                "",
                "skipped",
                "info",
                "未识别的列（下面没有内容），未读取",
                "unknown_column",
                sheet.key,
                col=col,
            )
    for j in header.columns:
        if header.scales.get(j, 1.0) != 1.0:
            ctx.add(
                raw.name,
                raw.excel_row(header.row),
                header.headers[j],
                "",
                "converted",
                "info",
                f"表头注明单位，本列数值已乘以 {header.scales[j]:,.0f} 换算为元",
                "header_scale",
                sheet.key,
                col=raw.first_col + j + 1,
            )
    stats["title"] = header.row + 1
    for first, last, c, value in fill_merged_body:
        if first > raw.excel_row(header.row):
            ctx.add(
                raw.name,
                first,
                header.headers.get(c - 1 - raw.first_col, ""),
                value if (c - 1 - raw.first_col) not in pii_cols0 else "",
                "converted",
                "info",
                f"合并单元格（第{first}–{last}行），其值计入所跨的每一行",
                "merged_cells",
                sheet.key,
                col=c,
            )
    body = raw.rows[header.row + 1 :]
    grid = make_grid(body)
    kinds = row_kind_codes(grid, body, schema)
    row0 = raw.excel_row(header.row + 1)  # Excel row of body[0]
    repeats = np.flatnonzero(header_repeats(grid, header, sheet, schema) & (kinds == DATA))
    kinds[repeats] = REPEATED
    stats["title"] += len(repeats)
    for i in repeats.tolist():
        ctx.add(
            raw.name,
            row0 + i,
            "",
            "",
            "excluded",
            "info",
            f"重复的表头行（与第{raw.excel_row(header.row)}行相同），不是记录，未计入",
            "repeated_header",
            sheet.key,
        )
    # cells of personal-data columns are never quoted in a finding (spec §6)
    pii_keys = {c.key for c in sheet.columns if c.pii}
    pii_cols = {j for j, k in header.columns.items() if k in pii_keys}
    for i in np.flatnonzero((kinds != DATA) & (kinds != REPEATED)).tolist():
        k = kinds[i]
        if k == BLANK:
            stats["blank"] += 1
        elif k == NOTE:
            stats["notes"] += 1
            j, text = next((j, v) for j, v in enumerate(body[i]) if not clean.is_blank(v))
            ctx.add(
                raw.name,
                row0 + i,
                "",
                "" if j in pii_cols else text,
                "excluded",
                "info",
                "表格下方的说明文字，不是记录，未计入",
                "note",
                sheet.key,
                col=raw.first_col + j + 1,
            )
        elif k == SIGNATURE:
            stats["notes"] += 1
            j, text = next((j, v) for j, v in enumerate(body[i]) if not clean.is_blank(v))
            label = str(text).replace(":", "：").split("：", 1)[0].strip()  # the label only: a name may follow
            ctx.add(
                raw.name,
                row0 + i,
                "",
                label,
                "excluded",
                "info",
                "签字、盖章或填表说明行，不是记录，未计入",
                "signature",
                sheet.key,
                col=raw.first_col + j + 1,
            )
        else:
            stats["subtotals"] += 1
            label = next(
                (
                    v
                    for j, v in enumerate(body[i])
                    if isinstance(v, str) and not clean.is_blank(v) and j not in pii_cols
                ),
                "",
            )
            ctx.add(
                raw.name,
                row0 + i,
                "",
                label,
                "excluded",
                "info",
                "合计/小计行，不是记录，未计入（汇总由系统计算）",
                "subtotal",
                sheet.key,
            )

    # exact duplicate rows (whole raw row) within the sheet
    data_idx = np.flatnonzero(kinds == DATA)
    dup, first = duplicates(grid, data_idx)
    for p in np.flatnonzero(dup).tolist():
        i = int(data_idx[p])
        stats["duplicates"] += 1
        # only cells of recognised, non-personal columns: an unknown column may hold anything (备用手机 …)
        shown = " | ".join(
            show_value(v, limit=20)
            for j, v in enumerate(body[i])
            if not clean.is_blank(v) and j in header.columns and j not in pii_cols
        )
        ctx.add(
            raw.name,
            row0 + i,
            "",
            shown,
            "excluded",
            "warning",
            f"与第{row0 + int(data_idx[first[p]])}行完全相同的重复行，只计一次",
            "duplicate",
            sheet.key,
        )
    keep_idx = data_idx[~dup]

    n = len(keep_idx)
    rows_no = (row0 + keep_idx).astype("int64")
    rows_list = rows_no.tolist()
    col_of = {k: j for j, k in header.columns.items()}
    na_col = np.full(n, NA_CODE, dtype=np.intp)

    def distinct(j: int | None) -> tuple[list[Any], np.ndarray, np.ndarray]:
        """The column's distinct raw values, each row's index into them, and their codes."""
        codes = grid.codes[keep_idx, j] if j is not None and j < grid.codes.shape[1] else na_col
        inv, ucodes = pd.factorize(codes)
        return grid.values[ucodes].tolist(), np.asarray(inv, dtype=np.intp), ucodes

    def report(pii: bool, j: int, inv: np.ndarray, vals: list[Any], notes: list[tuple[str, str] | None]) -> None:
        """One finding per cell whose distinct value carries a note, in row order."""
        protos: list[dict[str, Any]] = []
        proto_of: dict[tuple[str, str], int] = {}
        index = np.full(len(notes), -1, dtype=np.intp)
        shown: list[str] = [""] * len(notes)
        for u, nt in enumerate(notes):
            if nt is None:
                continue
            k = proto_of.get(nt)
            if k is None:
                sev, action, msg = NOTE_MESSAGES[nt]
                k = proto_of[nt] = len(protos)
                protos.append(
                    finding_fields(
                        ctx.file,
                        raw.name,
                        None,
                        header.headers[j],
                        "",
                        action,
                        sev,
                        msg,
                        f"{nt[0]}_{nt[1]}",
                        ctx.unit,
                        ctx.year,
                        sheet.key,
                        raw.first_col + j + 1,
                    )
                )
            index[u] = k
            if not pii:
                shown[u] = show_value(vals[u])
        if not protos:
            return
        pos = np.flatnonzero(index[inv] >= 0)
        cell = inv[pos]
        ctx.findings.extend(
            findings_like(
                protos,
                index[cell].tolist(),
                rows_no[pos].tolist(),
                [shown[u] for u in cell.tolist()],
                units[pos].tolist() if units_vary else None,
            )
        )

    out: dict[str, Any] = {}
    # unit column of a combined workbook
    units_vary = "_unit" in col_of
    if units_vary:
        vals, inv, _ = distinct(col_of["_unit"])
        units_u, units_inv = [clean.clean_text(v) or ctx.unit for v in vals], inv
        units = take(units_u, inv)
        named = sorted({u for u, v in zip(units_u, vals, strict=True) if not clean.is_blank(v)})
        uj = col_of["_unit"]
        ctx.add(
            raw.name,
            raw.excel_row(header.row),
            header.headers[uj],
            "",
            "kept",
            "info",
            f"本表按“{header.headers[uj]}”列分属 {len(named)} 个单位（{'、'.join(named[:5])}{'等' if len(named) > 5 else ''}），各单位分别统计；该列空白的记录计入本台账单位“{ctx.unit}”",
            "split_units",
            sheet.key,
            col=raw.first_col + uj + 1,
        )
    else:
        units = np.full(n, ctx.unit, dtype=object)
    zeros = np.zeros(n, dtype=np.intp)
    out["unit"] = to_column(units_u, units_inv) if units_vary else to_column([ctx.unit], zeros)
    out["year"] = np.full(n, ctx.year, dtype="int64")
    out["source_file"] = to_column([ctx.file], zeros)
    out["sheet"] = to_column([raw.name], zeros)
    out["excel_row"] = rows_no

    by_month: dict[str, np.ndarray] = {}  # date column -> precision day or month
    for col in (*sheet.columns, *(c for c in sheet.extra if c.key in col_of)):
        if col.pii and not col.identifying:
            continue
        j = col_of.get(col.key)
        present = j is not None
        vals, inv, ucodes = distinct(j)
        if col.identifying:
            out[col.key] = to_column(pseudonyms(ctx.salt, vals), inv)
            continue
        if col.type == "text":
            out[col.key] = to_column(MEMO.map(("text",), vals, clean.clean_text), inv)
        elif col.type in ("count", "money", "number"):
            scale = header.scales.get(j, 1.0) if present else 1.0
            nums, codes = number_values(vals, col.type, scale)
            if col.blank is not None:
                nums = [
                    float(col.blank) if (x is None and clean.is_blank(v)) else x
                    for x, v in zip(nums, vals, strict=True)
                ]
            arr = np.array([np.nan if x is None else x for x in nums], dtype="float64")
            out[col.key] = arr[inv] if n else np.zeros(0, dtype="float64")
            if present:
                notes = []
                for code, v in zip(codes, vals, strict=True):
                    if (
                        code is None
                        or code == "scaled"
                        or (code == "text" and isinstance(v, str) and clean.is_plain_number(v))
                    ):
                        notes.append(None)  # a plain number stored as text: nothing to say
                    else:
                        notes.append(("number", code))
                report(col.pii, j, inv, vals, notes)
        elif col.type == "date":
            stamps, unit, precision, codes = date_values(grid.values[ucodes], ctx.year)
            if n:
                out[col.key] = stamps.astype(f"datetime64[{unit}]")[inv]
            else:
                # the coarsest unit: concatenated with another sheet's dates it
                # never forces theirs into nanoseconds (years past 2262 overflow)
                out[col.key] = pd.Series(dtype="datetime64[s]")
            out[f"{col.key}_precision"] = to_column(precision, inv)
            by_month[col.key] = np.array([p in ("day", "month") for p in precision], dtype=bool)[inv]
            if present:
                notes = []
                for code, v in zip(codes, vals, strict=True):
                    if code is None or (
                        code == "text" and isinstance(v, str) and len(v.strip()) == 10 and v.strip()[4] == "-"
                    ):
                        notes.append(None)  # ISO 2023-07-01
                    else:
                        notes.append(("date", code))
                report(col.pii, j, inv, vals, notes)
        elif col.type in ("category", "yesno"):
            cats = schema.categories[col.categories]
            res = MEMO.map(
                ("category", MEMO.pin(cats), col.blank),
                vals,
                partial(clean.map_category, categories=cats, blank=col.blank),
            )
            out[col.key] = to_column([r.value for r in res], inv)
            if present:
                notes = []
                for r in res:
                    code = r.note
                    if code == "unknown" and r.value is None:
                        code = "unknown_nodefault"
                    notes.append(None if code in (None, "missing") else ("category", code))
                report(col.pii, j, inv, vals, notes)
        elif col.type == "account":
            res = MEMO.map(("account", MEMO.pin(schema)), vals, partial(clean.map_account, schema=schema))
            out[col.key] = to_column([a for d, a, _ in res], inv)
            out[f"{col.key}_direction" if col.into else "_account_direction"] = to_column([d for d, a, _ in res], inv)
            if present:
                notes = [
                    ("account", nt) if nt in ("rollup", "unknown", "code", "code_conflict") else None
                    for d, a, nt in res
                ]
                report(False, j, inv, vals, notes)
        else:  # pragma: no cover - schema types are closed
            raise ValueError(f"unknown column type {col.type}")

    cols = table_columns(sheet)
    dc = sheet.date_column
    other = None
    if dc and n:
        dates = out[dc]
        nat = np.isnat(dates)
        other = ~nat & (dates.astype("datetime64[Y]").astype(np.int64) + 1970 != ctx.year)
        month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        month_na = nat | ~by_month[dc]
        out["month"] = pd.arrays.IntegerArray(np.where(month_na, 0, month), month_na)
    elif dc:
        out["month"] = pd.Series(dtype="Int64")

    def frame() -> pd.DataFrame:
        data = {}
        for c in cols if sheet.key != "funds" else list(out):
            v = out.get(c)
            if v is None:
                v = np.full(n, None, dtype=object)
            elif not n and (isinstance(v, pd.arrays.StringArray) or getattr(v, "dtype", None) == object):
                v = []  # dtypes of an empty sheet's table as they always were
            data[c] = v
        return pd.DataFrame(data, copy=False)

    if sheet.key == "funds":
        df, both = stand_ins(frame(), sheet)
        for pos in np.flatnonzero(both).tolist():
            ctx.add(
                raw.name,
                int(df["excel_row"].iat[pos]),
                "",
                "",
                "missing",
                "error",
                "同一行既填了收入金额又填了支出金额，无法判断是哪一笔，只计入了第一笔。请拆成两行（一收一支）后重新报送",
                "two_amounts",
                "funds",
                df["unit"].iat[pos],
            )
        df = _resolve_direction(df, raw.name, ctx)
    for r, c in raw.formulas_without_value:
        hr = raw.excel_row(header.row)
        if r > hr:
            name = header.headers.get(c - raw.first_col, "")
            ctx.add(
                raw.name,
                r,
                name,
                "",
                "missing",
                "warning",
                "公式单元格没有计算结果（缓存值），按缺失处理。请在 Excel/WPS 中打开、重新计算并保存后报送。",
                "formula_no_value",
                sheet.key,
                col=c + 1,
            )

    if other is not None:
        j = col_of.get(dc)
        label = header.headers.get(j, "") if j is not None else ""
        for pos in np.flatnonzero(other).tolist():
            ctx.add(
                raw.name,
                rows_list[pos],
                label,
                grid.cells[keep_idx[pos], j] if j is not None else "",
                "excluded",
                "warning",
                f"记录日期不在 {ctx.year} 年度内，未计入本年度统计",
                "other_year",
                sheet.key,
                units[pos],
                col=None if j is None else raw.first_col + j + 1,
            )
        stats["other_year"] = int(other.sum())
        nodate = np.isnat(out[dc])
        if j is not None:
            nodate &= grid.blank[grid.codes[keep_idx, j]] if j < grid.codes.shape[1] else True
        if nodate.any():
            label = header.headers.get(j, sheet.column(dc).label) if j is not None else sheet.column(dc).label
            proto = Finding(
                ctx.file,
                raw.name,
                None,
                label,
                "",
                "kept",
                "warning",
                "没有日期：计入全年合计，不计入月度统计，请补填",
                "no_date",
                ctx.unit,
                ctx.year,
                sheet.key,
                None if j is None else raw.first_col + j + 1,
            )
            pos = np.flatnonzero(nodate)
            ctx.findings.extend(
                findings_like(
                    [proto], [0] * len(pos), rows_no[pos].tolist(), units=[u or ctx.unit for u in units[pos].tolist()]
                )
            )
    keep = None if other is None or not other.any() else ~other
    if sheet.key != "funds":
        df = frame()  # dtypes as inferred from every record read
    if keep is not None:
        df = df[keep].reset_index(drop=True)
    if sheet.key == "funds":
        for c in cols:
            if c not in df.columns:
                df[c] = None
        df = df[cols]
        if df["amount"].dtype == object:  # only 收入/支出 columns: amounts came from them
            df["amount"] = pd.to_numeric(df["amount"]).astype("float64")
    stats["records"] = len(df)
    return df, stats


def _resolve_direction(df: pd.DataFrame, sheet_name: str, ctx: _Ctx) -> pd.DataFrame:
    """收支 follows from the 科目 when blank; the 科目 wins on a conflict."""
    given = df["direction"]
    implied = df.pop("_account_direction")
    direction = given.where(given.notna(), implied)
    conflict = given.notna() & implied.notna() & (given != implied)
    for pos in np.flatnonzero(conflict.to_numpy()):
        ctx.add(
            sheet_name,
            int(df["excel_row"].iat[pos]),
            "收支",
            given.iat[pos],
            "mapped",
            "warning",
            f"收支方向与科目“{df['account'].iat[pos]}”不符，按科目计为{implied.iat[pos]}",
            "direction_conflict",
            "funds",
            df["unit"].iat[pos],
        )
    direction = direction.where(~conflict, implied)
    account = df["account"]
    unknown = account.isna() & direction.notna()
    account = account.where(~unknown, direction.map({"收入": "其他收入", "支出": "其他支出"}))
    return df.assign(direction=direction, account=account)


# --------------------------------------------------------------------------
# many workbooks


def load_ledgers(
    paths: Iterable[str | os.PathLike] | str | os.PathLike,
    *,
    year: int | None = None,
    engine: str = "calamine",
    registry=None,
    jobs: int = 1,
    layouts: Sequence[Any] = (),
) -> Ledger:
    """Load workbooks and folders of workbooks into one ``Ledger``.

    ``year``: only workbooks of that 年度 are counted (others: an error finding
    each).  ``registry``: maps a unit name as written to its canonical name
    (a ``gonghui_kit.analysis.units.UnitRegistry``, or any callable name → name).  ``jobs`` > 1 reads files in parallel
    processes (fork where available, spawn on Windows).  ``layouts``: layout
    files (``layouts.load_layouts``); a file uses the first whose ``files`` match.
    """
    return load_years_ledgers({year: paths}, engine=engine, registry=registry, jobs=jobs, layouts=layouts)[year]


def load_years_ledgers(
    batches: Mapping[int | None, Iterable[str | os.PathLike] | str | os.PathLike],
    *,
    engine: str = "calamine",
    registry=None,
    jobs: int = 1,
    on_read: Callable[[], Any] | None = None,
    layouts: Sequence[Any] = (),
) -> dict[int | None, Ledger]:
    """:func:`load_ledgers` for several years at once: ``{year: paths}`` →
    ``{year: Ledger}``, every workbook of every year read in one pool (no
    worker waits for the slowest file of a year before the next year
    starts).  Each year gets its own pseudonym salt, as separate calls
    would.  ``on_read`` is called once every workbook is read and the
    pool's processes are gone, before the results are combined here."""
    plans = []
    for year, paths in batches.items():
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        paths = list(paths)
        files, findings = discover(paths)
        roots = [Path(p) for p in paths]
        names = [_display(f, next((r for r in roots if r.is_dir() and _is_under(f, r)), None)) for f in files]
        plans.append((year, files, names, findings, new_salt()))
    args = [
        (f, n, year, engine, salt, layout_for(n, layouts))
        for year, files, names, _, salt in plans
        for f, n in zip(files, names, strict=True)
    ]
    out: dict[int | None, Ledger] = {}
    with _no_gc():
        results = _load_many(args, jobs=jobs)
        if on_read is not None:
            on_read()
        i = 0
        for year, files, _, findings, _ in plans:
            out[year] = assemble(results[i : i + len(files)], findings, registry=registry)
            i += len(files)
    return out


@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic garbage collector: loading allocates millions of
    container objects (every row a list) and leaves almost no cycles, so the
    collector's passes over everything alive cost ~10% and find nothing
    (reference counting still frees whatever is not in a cycle at once; the
    collector resumes afterwards)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _is_under(f: Path, root: Path) -> bool:
    try:
        f.relative_to(root)
        return True
    except ValueError:
        return False


def _load_one(args: tuple) -> WorkbookResult:
    path, name, year, engine, salt, layout = args
    with _no_gc():  # also in a spawned worker
        return load_workbook(path, year=year, engine=engine, name=name, salt=salt, layout=layout)


# a workbook is parsed ahead only up to this many cells (safety's estimate of
# the used ranges): calamine's grids of all its sheets are alive at once then
_AHEAD_MAX_CELLS = 4_000_000


def _load_serial(args: list[tuple]) -> list[WorkbookResult]:
    """Load in order, in this process, overlapping reading and cleaning.

    calamine parses a sheet's XML without holding the GIL.  So once the
    next workbook has passed its safety check (in this thread, as always
    before any parser sees a file), a helper thread parses it while this one
    is cleaned; only turning calamine's grids into Python rows waits for the
    GIL.  Same results and CPU time as one workbook after the other, ~25%
    less elapsed time.
    """
    if len(args) < 2 or any(a[3] != "calamine" for a in args):
        return [_load_one(a) for a in args]
    import concurrent.futures as cf

    from gonghui_kit.ingest.read import parse_ahead

    out: list[WorkbookResult] = []
    with _no_gc(), cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="gonghui-parse") as ex:

        def start(a: tuple) -> tuple[WorkbookResult, _Ctx, Any, Any]:
            path, name, _, _, salt, layout = a
            res, ctx, insp = _inspect(path, name, salt)
            ctx.layout = layout
            ahead = None
            if (
                insp is not None
                and insp.kind in ("xlsx", "xlsm")
                and sum(r * c for r, c in insp.sheet_dims.values()) <= _AHEAD_MAX_CELLS
            ):
                ahead = ex.submit(parse_ahead, res.path)
            return res, ctx, insp, ahead

        nxt = start(args[0])
        for k, (_, _, year, engine, _, _) in enumerate(args):
            res, ctx, insp, ahead = nxt
            wb = _read(res, ctx, engine, insp, ahead) if insp is not None else None
            if k + 1 < len(args):
                nxt = start(args[k + 1])  # parsed while this one is cleaned
            if wb is not None:
                _confirm_read(res, ctx)
                _load_raw(wb, res, ctx, year)
            del wb
            out.append(res)
    return out


def _load_many(args: list[tuple], *, jobs: int) -> list[WorkbookResult]:
    """Load ``(path, name, year, engine, salt, layout)`` workbooks, in order."""
    if jobs <= 1 or len(args) < 4:
        return _load_serial(args)
    import concurrent.futures as cf
    import multiprocessing as mp

    # fork where it exists (workers start warm); spawn elsewhere (Windows)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as ex:
        return list(ex.map(_load_one, args, chunksize=max(1, len(args) // (jobs * 4))))
