"""Load ledgers: files → canonical tables + findings, in one call.

``load_ledgers(paths, year=...)`` is the library's front door.  For each
workbook it runs the stages in order:

1. ``safety.inspect_workbook`` — refuse what is not a readable .xlsx/.xlsm
   (old .xls, encrypted, corrupt, zip bombs, …) before any parser runs;
2. ``read.read_workbook`` — raw grids of cached cell values;
3. 基本信息 → unit and year (never from the file name);
4. per data sheet: find the header under any title rows, classify every row
   (blank, note, subtotal, duplicate, record), parse every column by its
   schema type (``clean``), drop records of another year;
5. personal data (spec §6) is removed before anything leaves this module:
   names become per-load pseudonyms (so "once a year per person" can still be
   checked) and ID and phone numbers are dropped.

Every row read ends up either in a table or in ``Ledger.stats`` and a
finding (``rows == title + blank + notes + subtotals + duplicates +
other_year + records`` for each sheet), which the property tests check.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from . import clean
from .findings import Finding, findings_frame, show_value
from .iorw import sha256_file
from .read import RawSheet, RawWorkbook, ReadError, read_workbook
from .schema import Column, Schema, Sheet, load_schema, norm_key

__all__ = ["Ledger", "WorkbookResult", "load_ledgers", "load_workbook", "discover", "empty_table", "META_COLUMNS"]

META_COLUMNS = ["unit", "year", "source_file", "sheet", "excel_row"]
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".et", ".ods", ".csv", ".xltx", ".xltm"}

# How each parser note is reported: (severity, action, message).  The one
# place where the wording of cell-level findings is decided.
NOTE_MESSAGES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("number", "approx"): ("info", "converted", "近似数（约/余/多），按所写数字计入"),
    ("number", "text"): ("info", "converted", "文本格式的数字，已转换为数值"),
    ("number", "missing_token"): ("info", "missing", "填写为“无/—/-”，按缺失处理（不按 0 计）"),
    ("number", "invalid"): ("warning", "missing", "无法识别为数字，按缺失处理，请核实"),
    ("date", "serial"): ("info", "converted", "Excel 日期序列号，已转换为日期"),
    ("date", "text"): ("info", "converted", "文本格式的日期，已转换"),
    ("date", "chinese"): ("info", "converted", "中文数字日期，已转换"),
    ("date", "no_year"): ("info", "converted", "日期未写年份，按基本信息中的年度补全"),
    ("date", "md_number"): ("info", "converted", "日期写作“月.日”数字，按基本信息中的年度补全"),
    ("date", "month_only"): ("info", "converted", "日期只有年月，计入该月，日不详"),
    ("date", "year_only"): ("warning", "kept", "日期只有年份，计入全年合计，不计入月度统计"),
    ("date", "missing_token"): ("warning", "missing", "日期填写为“无/—”，按缺失处理"),
    ("date", "invalid"): ("warning", "missing", "无法识别的日期，按缺失处理，请核实"),
    ("category", "synonym"): ("info", "mapped", "类别写法不规范，已归入标准类别"),
    ("category", "unknown"): ("warning", "mapped", "未知类别，已归入“其他”，请核实"),
    ("category", "unknown_nodefault"): ("warning", "missing", "无法识别的取值，按缺失处理，请核实"),
    ("account", "rollup"): ("info", "mapped", "明细科目已归入上级科目"),
    ("account", "unknown"): ("warning", "mapped", "无法识别的科目，按收支方向归入“其他收入/其他支出”，请核实"),
}


# --------------------------------------------------------------------------
# results


@dataclass
class WorkbookResult:
    path: Path
    name: str
    sha256: str
    unit: str | None = None
    year: int | None = None
    employees: float | None = None
    status: str = "ok"  # ok | refused | skipped
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    stats: list[dict[str, Any]] = field(default_factory=list)
    absent_sheets: list[str] = field(default_factory=list)


@dataclass
class Ledger:
    """Canonical tables per sheet key, plus what was found on the way.

    ``tables['activities']`` etc. carry ``unit, year, source_file, sheet,
    excel_row`` on every record.  ``tables['info']`` has one row per unit and
    year (employees, parent union, …).
    """

    tables: dict[str, pd.DataFrame]
    findings: list[Finding]
    files: pd.DataFrame
    stats: pd.DataFrame

    def __getitem__(self, key: str) -> pd.DataFrame:
        return self.tables[key]

    @property
    def findings_df(self) -> pd.DataFrame:
        return findings_frame(self.findings)

    @property
    def units(self) -> list[str]:
        info = self.tables["info"]
        return sorted(info["unit"].dropna().unique().tolist()) if not info.empty else []

    @property
    def years(self) -> list[int]:
        info = self.tables["info"]
        return sorted(int(y) for y in info["year"].dropna().unique()) if not info.empty else []

    def for_unit(self, unit: str, year: int | None = None) -> "Ledger":
        """The same ledger restricted to one unit (and year)."""

        def keep(df: pd.DataFrame) -> pd.DataFrame:
            m = df["unit"] == unit
            if year is not None:
                m &= df["year"] == year
            return df[m]

        findings = [f for f in self.findings if f.unit == unit and (year is None or f.year == year)]
        files = self.files[self.files["unit"] == unit] if not self.files.empty else self.files
        stats = keep(self.stats) if not self.stats.empty else self.stats
        return Ledger({k: keep(v) for k, v in self.tables.items()}, findings, files, stats)


# --------------------------------------------------------------------------
# canonical table shapes


def _dtype(col: Column) -> str:
    return {"date": "datetime64[ns]", "count": "float64", "money": "float64", "number": "float64"}.get(col.type, "object")


def table_columns(sheet: Sheet) -> list[str]:
    cols = list(META_COLUMNS)
    for c in sheet.columns:
        if c.pii and not c.identifying:
            continue
        if c.type == "account":
            cols += ["direction", c.key] if "direction" not in cols else [c.key]
            continue
        cols.append(c.key)
        if c.type == "date":
            cols.append(f"{c.key}_precision")
    if sheet.date_column:
        cols.append("month")
    seen: set[str] = set()
    return [c for c in cols if not (c in seen or seen.add(c))]


def empty_table(key: str, schema: Schema | None = None) -> pd.DataFrame:
    """A zero-row canonical table with the right columns and dtypes."""
    schema = schema or load_schema()
    if key == "info":
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _INFO_COLUMNS.items()})
    sheet = schema.sheet(key)
    out = {}
    for c in table_columns(sheet):
        if c in ("year", "excel_row"):
            out[c] = pd.Series(dtype="int64")
        elif c == "month":
            out[c] = pd.Series(dtype="Int64")
        else:
            try:
                out[c] = pd.Series(dtype=_dtype(sheet.column(c)))
            except KeyError:
                out[c] = pd.Series(dtype="object")
    return pd.DataFrame(out)


_INFO_COLUMNS = {
    "unit": "object",
    "year": "int64",
    "employees": "float64",
    "parent_union": "object",
    "fill_date": "datetime64[ns]",
    "source_file": "object",
    "sheets_absent": "object",
}


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
                findings.append(Finding(str(q.name), "", None, "", "", "skipped", "info", "Excel/WPS 的临时锁定文件，已跳过", code="lock_file"))
                continue
            if q.is_dir() and not q.is_symlink():
                if q.suffix.lower() in WORKBOOK_SUFFIXES:
                    files.append(q)  # a folder named like a workbook: safety says so
                continue
            if q.suffix.lower() in WORKBOOK_SUFFIXES or q.is_symlink():
                files.append(q)
            else:
                findings.append(Finding(_display(q, p), "", None, "", "", "skipped", "info", "不是台账文件（不是 .xlsx/.xlsm），已跳过", code="not_ledger"))
    return files, findings


def _display(path: Path, root: Path | None = None) -> str:
    if root is not None:
        try:
            return str(path.relative_to(root.parent if root.is_dir() else root)).replace(os.sep, "/")
        except ValueError:
            pass
    return path.name


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

    def add(self, sheet: str, row: int | None, column: str, value: Any, action: str, severity: str, message: str, code: str, table: str | None = None, unit: str | None = None) -> None:
        self.findings.append(Finding(self.file, sheet, row, column, show_value(value), action, severity, message, code, unit or self.unit, self.year, table))


def load_workbook(path: str | os.PathLike, *, year: int | None = None, engine: str = "calamine", name: str | None = None, salt: bytes | None = None) -> WorkbookResult:
    """Load one workbook (see module docstring).  Never raises for a bad file."""
    from .safety import inspect_workbook

    path = Path(path)
    name = name or path.name
    schema = load_schema()
    res = WorkbookResult(path=path, name=name, sha256="")
    ctx = _Ctx(name, None, None, schema, salt or secrets.token_bytes(16), res.findings)

    insp = inspect_workbook(path)
    for p in insp.problems:
        action = "refused" if p.severity == "error" else "kept"
        ctx.add(getattr(p, "sheet", "") or "", None, "", "", action, p.severity, p.message, p.code)
    if not insp.ok:
        res.status = "refused"
        return res
    res.sha256 = _sha256(path)
    try:
        wb = read_workbook(path, engine=engine)
    except ReadError as e:
        ctx.add("", None, "", "", "refused", "error", f"{e.message}。请在 Excel/WPS 中打开确认无误后另存为 .xlsx 重新报送。", e.code)
        res.status = "refused"
        return res
    except Exception as e:  # noqa: BLE001 - a reader bug must not stop the batch
        ctx.add("", None, "", "", "refused", "error", f"读取失败（{type(e).__name__}）。请另存为 .xlsx 后重新报送。", "corrupt")
        res.status = "refused"
        return res
    _load_raw(wb, res, ctx, year)
    return res


def _assign_sheets(wb: RawWorkbook, schema: Schema, ctx: _Ctx) -> list[tuple[RawSheet, Sheet | None]]:
    out: list[tuple[RawSheet, Sheet | None]] = []
    for raw in wb.sheets:
        sheet = schema.sheet_for_name(raw.name)
        if sheet is None and not schema.is_helper_sheet(raw.name):
            # a sheet named Sheet1 with activity headers is still an activity sheet
            best = None
            for cand in schema.record_sheets:
                m = clean.locate_header(raw.rows, cand, schema)
                if m is not None and m.score >= 3 and (best is None or m.score > best[0]):
                    best = (m.score, cand)
            if best:
                sheet = best[1]
                ctx.add(raw.name, None, "", "", "kept", "info", f"工作表名称不规范，按表头识别为“{sheet.label}”", "sheet_by_header", sheet.key)
        out.append((raw, sheet))
    return out


def _load_raw(wb: RawWorkbook, res: WorkbookResult, ctx: _Ctx, want_year: int | None) -> None:
    schema = ctx.schema
    assigned = _assign_sheets(wb, schema, ctx)
    info_sheets = [r for r, s in assigned if s is not None and s.key == "info"]
    if not info_sheets:
        ctx.add("", None, "", "", "refused", "error", "缺少“基本信息”工作表，无法确定单位和年度。请按模板补上“基本信息”（单位名称、年度、职工人数）后重新报送。", "no_info")
        res.status = "refused"
        return
    info = _parse_info(info_sheets[0], schema, ctx)
    unit, year = info.get("unit_name"), info.get("year")
    if not unit or not year:
        missing = "、".join(x for x, v in (("单位名称", unit), ("年度", year)) if not v)
        ctx.add(info_sheets[0].name, None, missing, "", "refused", "error", f"“基本信息”中缺少{missing}，无法归属本台账。请填写后重新报送。", "no_unit_year")
        res.status = "refused"
        return
    ctx.unit, ctx.year = unit, year
    for f in res.findings:  # findings so far get the unit too
        object.__setattr__(f, "unit", unit)
        object.__setattr__(f, "year", year)
    res.unit, res.year, res.employees = unit, year, info.get("employees")
    res.info = info
    if want_year is not None and year != want_year:
        ctx.add(info_sheets[0].name, None, "年度", year, "skipped", "error", f"本台账是 {year} 年度的，不是本次核查的 {want_year} 年度，未计入。请确认是否放错了文件夹或“年度”填错。", "other_year_workbook")
        res.status = "skipped"
        return
    tables: dict[str, list[pd.DataFrame]] = {}
    for raw, sheet in assigned:
        if sheet is None:
            if raw.rows and not schema.is_helper_sheet(raw.name) and any(not clean.is_blank(v) for r in raw.rows for v in r):
                ctx.add(raw.name, None, "", "", "skipped", "info", f"未识别的工作表（{len(raw.rows)} 行），未读取。如是台账数据，请按模板改名为标准表名。", "unknown_sheet")
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
            res.tables[sheet.key] = pd.concat(tables[sheet.key], ignore_index=True) if len(tables[sheet.key]) > 1 else tables[sheet.key][0]
        else:
            res.absent_sheets.append(sheet.label)
            if not any(s.get("table") == sheet.key for s in res.stats):
                ctx.add("", None, "", "", "kept", "info", f"未报送“{sheet.label}”，视为本年度无此项记录", "sheet_absent", sheet.key)


def _parse_info(raw: RawSheet, schema: Schema, ctx: _Ctx) -> dict[str, Any]:
    """基本信息: key in one cell, value in the next filled cell to its right
    (``单位名称：XX`` in a single cell works too)."""
    sheet = schema.sheet("info")
    table = {}
    for c in sheet.columns:
        for n in c.names:
            table.setdefault(norm_key(n), c)
    found: dict[str, tuple[Any, int, str]] = {}
    for i, cells in enumerate(raw.rows):
        filled = [(j, v) for j, v in enumerate(cells) if not clean.is_blank(v)]
        if not filled:
            continue
        j, key = filled[0]
        if not isinstance(key, str):
            continue
        col = table.get(norm_key(key))
        value: Any = None
        if col is not None:
            value = filled[1][1] if len(filled) > 1 else None
        else:
            for sep in ("：", ":"):
                if sep in key:
                    k, _, v = key.partition(sep)
                    col = table.get(norm_key(k))
                    value = v
                    break
        if col is not None and col.key not in found:
            found[col.key] = (value, raw.excel_row(i), str(key).strip())
    if len(found) < 2:  # keys across one row, values in the next
        m = clean.locate_header(raw.rows, sheet, schema)
        if m is not None and m.row + 1 < len(raw.rows):
            vals = raw.rows[m.row + 1]
            for j, k in m.columns.items():
                if j < len(vals):
                    found.setdefault(k, (vals[j], raw.excel_row(m.row + 1), m.headers[j]))
    out: dict[str, Any] = {}
    for key, (value, row, header) in found.items():
        col = sheet.column(key)
        if col.pii:
            continue
        if key == "year":
            y = clean.parse_year(value)
            if y is None and not clean.is_blank(value):
                ctx.add(raw.name, row, header, value, "missing", "error", "“年度”无法识别，请填写四位年份，如 2023", "bad_year")
            out["year"] = y
        elif col.type == "count":
            r = clean.parse_number(value, kind="count")
            if not r.ok:
                ctx.add(raw.name, row, header, value, "missing", "warning", f"“{col.label}”无法识别为数字，按缺失处理", "bad_number", "info")
            out[key] = r.value
        elif col.type == "date":
            out[key] = clean.parse_date(value).ts
        else:
            out[key] = clean.clean_text(value)
    return out


def _scan_rows(body: list[list[Any]], schema: Schema) -> tuple[list[list[Any]], list[bool]]:
    """One pass over every cell: each row's non-blank cells, and whether the
    row says 合计/小计 (``clean.is_subtotal_row``, with a per-sheet cache of
    the texts already seen: ledgers repeat the same texts in every row)."""
    words = clean._norm_words(tuple(schema.subtotal_words))
    says = clean._says_subtotal
    seen: dict[str, bool] = {}
    filled_rows: list[list[Any]] = []
    subtotal: list[bool] = []
    for row in body:
        filled = []
        sub = False
        for v in row:
            if v is None or v == "":
                continue
            if isinstance(v, str):
                if not sub:
                    hit = seen.get(v)
                    if hit is None:
                        hit = seen[v] = says(v, words)
                    sub = hit
                if not v.strip(" \t\r\n\u3000\u00a0"):
                    continue
            elif clean.is_blank(v):
                continue
            filled.append(v)
        filled_rows.append(filled)
        subtotal.append(sub)
    return filled_rows, subtotal


def _row_kinds(body: list[list[Any]], schema: Schema) -> list[str]:
    """blank / note / subtotal / data for each body row."""
    kinds = []
    filled, subtotal = _scan_rows(body, schema)
    last_multi = max((i for i, f in enumerate(filled) if len(f) >= 2), default=-1)
    for i, r in enumerate(body):
        n = len(filled[i])
        if n == 0:
            kinds.append("blank")
        elif n == 1 and clean.is_note_row(r, schema.note_prefixes):  # a note is one filled cell
            kinds.append("note")
        elif subtotal[i]:
            # before the "lone text below the table" rule: a 合计 row whose sums
            # are formulas without cached values has only its label left
            kinds.append("subtotal")
        elif n == 1 and i > last_multi and isinstance(filled[i][0], str) and last_multi >= 0:
            kinds.append("note")
        else:
            kinds.append("data")
    return kinds


def _pseudonym(salt: bytes, value: Any) -> str | None:
    t = clean.clean_text(value)
    if t is None:
        return None
    return "P" + hashlib.blake2b(norm_key(t).encode(), key=salt, digest_size=6).hexdigest()


def _clean_sheet(raw: RawSheet, sheet: Sheet, ctx: _Ctx) -> tuple[pd.DataFrame | None, dict[str, int]]:
    schema = ctx.schema
    stats = dict(rows=len(raw.rows), title=0, blank=0, notes=0, subtotals=0, duplicates=0, other_year=0, records=0, unreadable=0)
    header = clean.locate_header(raw.rows, sheet, schema)
    if header is None:
        n_filled = sum(1 for r in raw.rows if any(not clean.is_blank(v) for v in r))
        stats["unreadable"] = len(raw.rows)
        if n_filled:
            ctx.add(raw.name, None, "", "", "skipped", "warning", f"找不到表头（应含“{'”“'.join(c.label for c in sheet.columns[:4])}”等列），本表 {n_filled} 行未读取。请按模板填写表头。", "no_header", sheet.key)
        return None, stats
    for j, text in header.unknown.items():
        ctx.add(raw.name, raw.excel_row(header.row), text, "", "skipped", "info", "未识别的列，未读取", "unknown_column", sheet.key)
    for j, key in header.columns.items():
        if header.scales.get(j, 1.0) != 1.0:
            ctx.add(raw.name, raw.excel_row(header.row), header.headers[j], "", "converted", "info", f"表头注明单位，本列数值已乘以 {header.scales[j]:,.0f} 换算为元", "header_scale", sheet.key)
    stats["title"] = header.row + 1
    body = raw.rows[header.row + 1 :]
    kinds = _row_kinds(body, schema)
    data_idx: list[int] = []
    # cells of personal-data columns are never quoted in a finding (spec §6)
    pii_cols = {j for j, k in header.columns.items() if k in {c.key for c in sheet.columns if c.pii}}
    for i, k in enumerate(kinds):
        row_no = raw.excel_row(header.row + 1 + i)
        if k == "blank":
            stats["blank"] += 1
        elif k == "note":
            stats["notes"] += 1
            j, text = next((j, v) for j, v in enumerate(body[i]) if not clean.is_blank(v))
            ctx.add(raw.name, row_no, "", "" if j in pii_cols else text, "excluded", "info", "表格下方的说明文字，不是记录，未计入", "note", sheet.key)
        elif k == "subtotal":
            stats["subtotals"] += 1
            label = next((v for j, v in enumerate(body[i]) if isinstance(v, str) and not clean.is_blank(v) and j not in pii_cols), "")
            ctx.add(raw.name, row_no, "", label, "excluded", "info", "合计/小计行，不是记录，未计入（汇总由系统计算）", "subtotal", sheet.key)
        else:
            data_idx.append(i)

    # exact duplicate rows (whole raw row) within the sheet
    seen: dict[tuple, int] = {}
    keep_idx: list[int] = []
    for i in data_idx:
        row = body[i]
        try:  # (type, value) per cell: 1 and 1.0 and "1" stay different
            key = tuple(zip(map(type, row), row))
            hash(key)
        except TypeError:
            key = tuple(_hashable(v) for v in row)
        if key in seen:
            stats["duplicates"] += 1
            first = raw.excel_row(header.row + 1 + seen[key])
            # only cells of recognised, non-personal columns: an unknown column may hold anything (备用手机 …)
            shown = " | ".join(show_value(v, limit=20) for j, v in enumerate(body[i]) if not clean.is_blank(v) and j in header.columns and j not in pii_cols)
            ctx.add(raw.name, raw.excel_row(header.row + 1 + i), "", shown, "excluded", "warning", f"与第{first}行完全相同的重复行，只计一次", "duplicate", sheet.key)
        else:
            seen[key] = i
            keep_idx.append(i)

    n = len(keep_idx)
    ncols = len(raw.rows[header.row]) if raw.rows else 0
    rows_no = np.array([raw.excel_row(header.row + 1 + i) for i in keep_idx], dtype="int64")
    col_of = {k: j for j, k in header.columns.items()}

    def raw_col(j: int) -> list[Any]:
        return [body[i][j] if j < len(body[i]) else None for i in keep_idx]

    out: dict[str, Any] = {}
    # unit column of a combined workbook
    units = [ctx.unit] * n
    if "_unit" in col_of:
        vals = raw_col(col_of["_unit"])
        units = [clean.clean_text(v) or ctx.unit for v in vals]
    out["unit"] = units
    out["year"] = np.full(n, ctx.year, dtype="int64")
    out["source_file"] = [ctx.file] * n
    out["sheet"] = [raw.name] * n
    out["excel_row"] = rows_no

    def note(col: Column, j: int, parsed: list, kind: str) -> None:
        for pos, r in enumerate(parsed):
            code = r.note
            if code is None:
                continue
            if kind == "number" and code == "text":
                v = body[keep_idx[pos]][j]
                if isinstance(v, str) and clean._NUMBER_RE.match(v.strip()):
                    continue  # a plain number stored as text: nothing to say
            if kind == "date" and code == "text":
                v = body[keep_idx[pos]][j]
                if isinstance(v, str) and len(v.strip()) == 10 and v.strip()[4] == "-":
                    continue  # ISO 2023-07-01
            if code == "scaled":
                continue
            if kind == "category" and code == "unknown" and r.value is None:
                code = "unknown_nodefault"
            if kind == "category" and code == "missing":
                continue
            sev, action, msg = NOTE_MESSAGES[(kind, code)]
            value = "" if col.pii else body[keep_idx[pos]][j]
            ctx.add(raw.name, int(rows_no[pos]), header.headers[j], value, action, sev, msg, f"{kind}_{code}", sheet.key, units[pos])

    for col in sheet.columns:
        j = col_of.get(col.key)
        present = j is not None
        values = raw_col(j) if present else [None] * n
        if col.pii and not col.identifying:
            continue
        if col.identifying:
            out[col.key] = [_pseudonym(ctx.salt, v) for v in values]
            continue
        if col.type == "text":
            out[col.key] = [clean.clean_text(v) for v in values]
        elif col.type in ("count", "money", "number"):
            scale = header.scales.get(j, 1.0) if present else 1.0
            parsed, _ = clean.clean_column(pd.Series(values, dtype=object), partial(clean.parse_number, kind=col.type, scale=scale))
            vals = [r.value for r in parsed]
            if col.blank is not None:
                vals = [float(col.blank) if (v is None and clean.is_blank(values[p])) else v for p, v in enumerate(vals)]
            out[col.key] = np.array([np.nan if v is None else v for v in vals], dtype="float64")
            if present:
                note(col, j, parsed, "number")
        elif col.type == "date":
            parsed, _ = clean.clean_column(pd.Series(values, dtype=object), partial(clean.parse_date, year=ctx.year))
            out[col.key] = pd.to_datetime(pd.Series([r.ts for r in parsed], dtype=object), errors="coerce") if n else pd.Series(dtype="datetime64[ns]")
            out[f"{col.key}_precision"] = [r.precision for r in parsed]
            if present:
                note(col, j, parsed, "date")
        elif col.type in ("category", "yesno"):
            cats = schema.categories[col.categories]
            parsed, _ = clean.clean_column(pd.Series(values, dtype=object), partial(clean.map_category, categories=cats, blank=col.blank))
            out[col.key] = [r.value for r in parsed]
            if present:
                note(col, j, parsed, "category")
        elif col.type == "account":
            parsed, _ = clean.clean_column(pd.Series(values, dtype=object), partial(clean.map_account, schema=schema))
            out[col.key] = [a for d, a, _ in parsed]
            out["_account_direction"] = [d for d, a, _ in parsed]
            if present:
                wrapped = [clean.ParsedCategory(a, nt) for d, a, nt in parsed]
                for pos, r in enumerate(wrapped):
                    if r.note in ("rollup", "unknown"):
                        sev, action, msg = NOTE_MESSAGES[("account", r.note)]
                        ctx.add(raw.name, int(rows_no[pos]), header.headers[j], values[pos], action, sev, msg, f"account_{r.note}", sheet.key, units[pos])
        else:  # pragma: no cover - schema types are closed
            raise ValueError(f"unknown column type {col.type}")

    df = pd.DataFrame(out)
    if sheet.key == "funds":
        df = _resolve_direction(df, raw.name, ctx)
    for r, c in raw.formulas_without_value:
        hr = raw.excel_row(header.row)
        if r > hr:
            name = header.headers.get(c - raw.first_col, "")
            ctx.add(raw.name, r, name, "", "missing", "warning", "公式单元格没有计算结果（缓存值），按缺失处理。请在 Excel/WPS 中打开、重新计算并保存后报送。", "formula_no_value", sheet.key)

    if sheet.date_column and n:
        dc = sheet.date_column
        dates = df[dc]
        prec = df[f"{dc}_precision"]
        other = dates.notna() & (dates.dt.year != ctx.year)
        for pos in np.flatnonzero(other.to_numpy()):
            i = keep_idx[pos]
            j = col_of.get(dc)
            ctx.add(raw.name, int(rows_no[pos]), header.headers.get(j, ""), body[i][j] if j is not None else "", "excluded", "warning", f"记录日期不在 {ctx.year} 年度内，未计入本年度统计", "other_year", sheet.key, units[pos])
        stats["other_year"] = int(other.sum())
        nodate = dates.isna()
        for pos in np.flatnonzero(nodate.to_numpy()):
            j = col_of.get(dc)
            raw_v = body[keep_idx[pos]][j] if j is not None else None
            if clean.is_blank(raw_v):
                ctx.add(raw.name, int(rows_no[pos]), header.headers.get(j, sheet.column(dc).label) if j is not None else sheet.column(dc).label, "", "kept", "warning", "没有日期：计入全年合计，不计入月度统计，请补填", "no_date", sheet.key, units[pos])
        df = df[~other.to_numpy()].reset_index(drop=True)
        month = df[dc].dt.month.astype("Int64")
        month[~df[f"{dc}_precision"].isin(["day", "month"]).to_numpy()] = pd.NA
        df["month"] = month
    elif sheet.date_column:
        df["month"] = pd.Series(dtype="Int64")
    stats["records"] = len(df)
    cols = table_columns(sheet)
    for c in cols:
        if c not in df.columns:
            df[c] = None
    return df[cols], stats


def _hashable(v: Any) -> Any:
    try:
        hash(v)
        return (type(v).__name__, v) if not isinstance(v, str) else ("s", v)
    except TypeError:
        return ("r", repr(v))


def _resolve_direction(df: pd.DataFrame, sheet_name: str, ctx: _Ctx) -> pd.DataFrame:
    """收支 follows from the 科目 when blank; the 科目 wins on a conflict."""
    given = df["direction"]
    implied = df.pop("_account_direction")
    direction = given.where(given.notna(), implied)
    conflict = given.notna() & implied.notna() & (given != implied)
    for pos in np.flatnonzero(conflict.to_numpy()):
        ctx.add(sheet_name, int(df["excel_row"].iat[pos]), "收支", given.iat[pos], "mapped", "warning", f"收支方向与科目“{df['account'].iat[pos]}”不符，按科目计为{implied.iat[pos]}", "direction_conflict", "funds", df["unit"].iat[pos])
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
) -> Ledger:
    """Load workbooks and folders of workbooks into one ``Ledger``.

    ``year``: only workbooks of that 年度 are counted (others: an error finding
    each).  ``registry``: maps a unit name as written to its canonical name
    (a ``gonghui_kit.registry.UnitRegistry``, or any callable name → name).  ``jobs`` > 1 reads files in parallel
    processes (fork where available, spawn on Windows).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    files, findings = discover(paths)
    roots = [Path(p) for p in paths]
    names = [_display(f, next((r for r in roots if r.is_dir() and _is_under(f, r)), None)) for f in files]
    salt = secrets.token_bytes(16)
    results = _load_many(files, names, year=year, engine=engine, salt=salt, jobs=jobs)
    return assemble(results, findings, registry=registry)


def _is_under(f: Path, root: Path) -> bool:
    try:
        f.relative_to(root)
        return True
    except ValueError:
        return False


def _load_one(args: tuple) -> WorkbookResult:
    path, name, year, engine, salt = args
    return load_workbook(path, year=year, engine=engine, name=name, salt=salt)


def _load_many(files: list[Path], names: list[str], *, year, engine, salt, jobs) -> list[WorkbookResult]:
    args = [(f, n, year, engine, salt) for f, n in zip(files, names)]
    if jobs <= 1 or len(files) < 4:
        return [_load_one(a) for a in args]
    import concurrent.futures as cf
    import multiprocessing as mp

    # fork where it exists (workers start warm); spawn elsewhere (Windows)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as ex:
        return list(ex.map(_load_one, args, chunksize=max(1, len(args) // (jobs * 4))))


def assemble(results: list[WorkbookResult], findings: list[Finding] | None = None, *, registry=None) -> Ledger:
    """Combine per-workbook results: cross-file checks (same unit and year
    twice), canonical unit names, one table per sheet key."""
    findings = list(findings or [])
    canon = getattr(registry, "canonical", registry) or (lambda s: s)
    knows = getattr(registry, "knows", None)
    seen: dict[tuple[str, int], WorkbookResult] = {}
    for r in results:
        if r.status == "ok" and r.unit:
            if knows is not None and not knows(r.unit):
                r.findings.append(Finding(r.name, "基本信息", None, "单位名称", r.unit, "kept", "warning", "单位名册（units.yaml）中没有这个单位名称，按新单位单独统计；如是改名或写法不同，请在名册中登记", "unknown_unit", r.unit, r.year))
            r.unit = canon(r.unit)
            key = (r.unit, r.year)
            if key in seen:
                first = seen[key]
                r.status = "skipped"
                r.findings.append(Finding(r.name, "", None, "", "", "skipped", "error", f"与“{first.name}”是同一单位（{r.unit}）同一年度（{r.year}）的台账，本文件未计入。请只保留一份（通常是终稿）后重新核查。", "duplicate_workbook", r.unit, r.year))
            else:
                seen[key] = r
    schema = load_schema()
    tables: dict[str, list[pd.DataFrame]] = {s.key: [] for s in schema.record_sheets}
    info_rows = []
    stats = []
    files = []
    for r in results:
        findings.extend(r.findings)
        files.append(dict(path=str(r.path), file=r.name, sha256=r.sha256, unit=r.unit, year=r.year, status=r.status, errors=sum(f.severity == "error" for f in r.findings), warnings=sum(f.severity == "warning" for f in r.findings)))
        if r.status != "ok":
            continue
        stats.extend(r.stats)
        info_rows.append(dict(unit=r.unit, year=r.year, employees=r.employees if r.employees is not None else np.nan, parent_union=r.info.get("parent_union"), fill_date=r.info.get("fill_date"), source_file=r.name, sheets_absent="、".join(r.absent_sheets)))
        for k, df in r.tables.items():
            if registry is not None:
                df = df.assign(unit=df["unit"].map(canon))
            tables[k].append(df)
    out = {}
    for k, parts in tables.items():
        parts = [p for p in parts if len(p)]
        out[k] = pd.concat(parts, ignore_index=True) if parts else empty_table(k)
    info = pd.DataFrame(info_rows, columns=list(_INFO_COLUMNS)) if info_rows else empty_table("info")
    if info_rows:
        info = info.astype({"year": "int64", "employees": "float64"})
        info["fill_date"] = pd.to_datetime(info["fill_date"], errors="coerce")
    out["info"] = info
    stats_df = pd.DataFrame(stats)
    files_df = pd.DataFrame(files, columns=["path", "file", "sha256", "unit", "year", "status", "errors", "warnings"])
    return Ledger(out, findings, files_df, stats_df)
