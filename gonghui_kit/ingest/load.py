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

import contextlib
import datetime as _dt
import functools
import gc
import hashlib
import itertools
import math
import os
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from gonghui_kit.ingest import clean
from gonghui_kit.ingest.findings import Finding, finding_fields, findings_frame, findings_from_rows, findings_like, findings_to_rows, show_value
from gonghui_kit.atomic import sha256_file
from gonghui_kit.ingest.read import RawSheet, RawWorkbook, ReadError, read_workbook
from gonghui_kit.schema import Column, Schema, Sheet, load_schema, norm_key

__all__ = ["Ledger", "WorkbookResult", "load_ledgers", "load_years_ledgers", "load_workbook", "discover", "empty_table", "META_COLUMNS"]

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

    # sent back from a worker process: findings as tuples unpickle ~15× faster
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["findings"] = findings_to_rows(self.findings)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state["findings"] = findings_from_rows(state["findings"])
        self.__dict__.update(state)


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
                if not _utf8_name(q):
                    msg = "文件名不是 UTF-8 编码（常见于从 Windows 压缩包解压），无法识别的字显示为 �；已照常读取，建议把文件改名"
                    shown = _display(q, p)
                    findings.append(Finding(shown, "", None, "", "", "kept", "warning", msg, code="odd_file_name"))
            else:
                findings.append(Finding(_display(q, p), "", None, "", "", "skipped", "info", "不是台账文件（不是 .xlsx/.xlsm），已跳过", code="not_ledger"))
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

    def add(self, sheet: str, row: int | None, column: str, value: Any, action: str, severity: str, message: str, code: str, table: str | None = None, unit: str | None = None) -> None:
        self.findings.append(Finding(self.file, sheet, row, column, show_value(value), action, severity, message, code, unit or self.unit, self.year, table))


def load_workbook(path: str | os.PathLike, *, year: int | None = None, engine: str = "calamine", name: str | None = None, salt: bytes | None = None) -> WorkbookResult:
    """Load one workbook (see module docstring).  Never raises for a bad file."""
    res, ctx, insp = _inspect(path, name, salt)
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
        ctx.add("", None, "", "", "kept", "warning", "文件在读取过程中被修改，读到的内容可能不完整；请等文件保存完毕后重新核查", "changed_while_read")


def _inspect(path: str | os.PathLike, name: str | None, salt: bytes | None) -> tuple[WorkbookResult, _Ctx, Any]:
    """The safety check: the result so far, and the inspection when the file may be read (else None)."""
    from gonghui_kit.ingest.safety import inspect_workbook

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
        ctx.add("", None, "", "", "refused", "error", f"{e.message}。请在 Excel/WPS 中打开确认无误后另存为 .xlsx 重新报送。", e.code)
    except Exception as e:  # noqa: BLE001 - a reader bug must not stop the batch
        ctx.add("", None, "", "", "refused", "error", f"读取失败（{type(e).__name__}）。请另存为 .xlsx 后重新报送。", "corrupt")
    res.status = "refused"
    return None


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


# -- a sheet body as a grid of codes -------------------------------------------
#
# Cleaning works on distinct values: a body of n rows × m columns becomes one
# object grid, every cell a code into the sheet's distinct values (pandas'
# hash table, in C).  Row kinds, duplicate rows and every column parser then
# look at each distinct value once and at the codes with numpy.

_WS = " \t\r\n\u3000\u00a0"
_NA = -1  # code of None / NaN / NaT cells (pandas' missing-value sentinel)
# Texts are often checked together, joined by NUL, as one array of code
# points: numpy finds the characters of a kind, and each one's position tells
# which text holds it.
# Characters NFKC leaves alone in any context (printable ASCII, 、。 and the
# unified CJK ideographs): norm_key of a text of only these keeps its
# characters (lower-cased) or drops them.
_STABLE = ((0x20, 0x7E), (0x3001, 0x3002), (0x4E00, 0x9FFF))
# Characters that clean_text and norm_key both keep as they are: a text of
# only these is its own clean_text and norm_key.
_PLAIN = ((0x30, 0x39), (0x61, 0x7A), (0x4E00, 0x9FFF))


class _Joined:
    """Texts joined by NUL, as one array of code points."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        big = "\x00".join(texts)
        self.ok = big.count("\x00") == max(len(texts) - 1, 0)  # no NUL inside a text
        self.ends = np.cumsum(np.fromiter(map(len, texts), np.intp, len(texts)) + 1)  # one past each text's NUL
        self.cp = np.frombuffer(big.encode("utf-32-le", "surrogatepass") + b"\0\0\0\0", np.uint32)

    def first_chars(self) -> np.ndarray:
        """Code point of each text's first character (0 for an empty text)."""
        lens = np.diff(self.ends, prepend=0) - 1
        first = self.cp[self.ends - lens - 1]
        first[lens == 0] = 0
        return first

    def holding(self, mask: np.ndarray) -> np.ndarray:
        """Indices of the texts holding a character where ``mask`` (over ``cp``) is set."""
        return np.unique(np.searchsorted(self.ends, np.flatnonzero(mask), side="right"))

    def outside(self, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
        """Indices of the texts holding a character outside the code point ``ranges``."""
        cp = self.cp[:-1]
        inside = cp == 0  # the NULs between texts
        for lo, hi in ranges:
            inside |= (cp >= lo) & (cp <= hi)
        return self.holding(~inside)

    def among(self, chars: frozenset[str]) -> np.ndarray:
        """Indices of the texts holding any of ``chars``."""
        cp = self.cp[:-1]
        hit = np.zeros(len(cp), dtype=bool)
        for c in chars:
            hit |= cp == ord(c)
        return self.holding(hit)


@dataclass
class _Grid:
    """A sheet body as codes: ``codes[i, j]`` indexes ``values`` (-1 for
    None/NaN/NaT; ragged rows are padded with None); cells with one code
    have equal values of one type (1.0 and "1", True and 1 stay apart)."""

    cells: np.ndarray  # (n, m) object: the raw values, padded with None
    codes: np.ndarray  # (n, m) intp
    values: np.ndarray  # (k + 1,) object: distinct values, then None for code -1
    lengths: np.ndarray | None  # row lengths when the rows are ragged
    blank: np.ndarray  # (k + 1,) bool per code: clean.is_blank
    text: np.ndarray  # (k + 1,) bool per code: a str
    texts: list[str]  # the distinct str values ...
    text_codes: np.ndarray  # ... and their codes
    joined: _Joined  # the texts, joined


def _object_grid(body: Sequence[Sequence[Any]]) -> tuple[np.ndarray, np.ndarray | None]:
    n = len(body)
    lengths = [len(r) for r in body]
    m = max(lengths, default=0)
    grid = np.empty((n, m), dtype=object)
    if not n or not m:
        return grid, None
    ragged = min(lengths) != m
    try:
        if ragged:
            for i, r in enumerate(body):
                grid[i, : len(r)] = r
        else:
            grid = np.fromiter(itertools.chain.from_iterable(body), dtype=object, count=n * m).reshape(n, m)
    except (ValueError, TypeError):  # a cell that numpy takes for a sequence
        grid = np.empty((n, m), dtype=object)
        for i, r in enumerate(body):
            for j, v in enumerate(r):
                grid[i, j] = v
    return grid, (np.asarray(lengths, dtype=np.intp) if ragged else None)


_PLAIN_TYPES = frozenset((str, float, _dt.date, _dt.datetime, _dt.time, type(None)))
_type_of = np.frompyfunc(type, 1, 1)


def _factorize(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """pd.factorize, with cells of different types never sharing a code;
    also whether each distinct value is a str."""
    codes, uniq = pd.factorize(flat)
    codes = np.asarray(codes, dtype=np.intp)
    uniq = np.asarray(uniq, dtype=object)
    if not len(uniq):
        return codes, uniq, np.zeros(0, dtype=bool)
    is_str = np.fromiter(map(isinstance, uniq, itertools.repeat(str)), bool, len(uniq))
    # str only equals str; date, datetime and time never equal each other or a
    # float: with at most those types the hash table cannot have merged types
    if is_str.all():
        return codes, uniq, is_str
    sel = np.flatnonzero(~is_str[codes] & (codes >= 0))
    if _PLAIN_TYPES.issuperset(map(type, flat[sel])):
        return codes, uniq, is_str
    # numbers and bools of several types (openpyxl's int and float, True):
    # recode those cells by (type, value)
    seen: dict[Any, int] = {}
    extra: list[Any] = []
    new = codes.copy()
    for pos, v in zip(sel.tolist(), flat[sel].tolist()):
        key = (type(v), codes[pos])
        c = seen.get(key)
        if c is None:
            c = seen[key] = len(uniq) + len(extra)
            extra.append(v)
        new[pos] = c
    ext = np.empty(len(extra), dtype=object)
    ext[:] = extra
    return new, np.concatenate([uniq, ext]), np.concatenate([is_str, np.zeros(len(extra), dtype=bool)])


_WS_CODES = np.array([0, *map(ord, _WS)], dtype=np.uint32)


def _make_grid(body: Sequence[Sequence[Any]]) -> _Grid:
    cells, lengths = _object_grid(body)
    n, m = cells.shape
    if n and m:
        codes, uniq, is_str = _factorize(cells.reshape(-1))
    else:
        codes, uniq, is_str = np.zeros(0, np.intp), np.empty(0, dtype=object), np.zeros(0, dtype=bool)
    codes = codes.reshape(n, m)
    k = len(uniq)
    values = np.empty(k + 1, dtype=object)
    values[:k] = uniq
    values[k] = None
    text = np.append(is_str, False)
    text_codes = np.flatnonzero(is_str)
    texts = uniq[text_codes].tolist()
    joined = _Joined(texts)
    blank = np.ones(k + 1, dtype=bool)
    blank[text_codes] = False
    # only a text that is empty or starts with white space can be blank
    first = joined.first_chars()
    maybe = first == 0
    for c in _WS_CODES[1:].tolist():
        maybe |= first == c
    for p in np.flatnonzero(maybe).tolist():
        blank[text_codes[p]] = not texts[p].strip(_WS)
    other = np.flatnonzero(~is_str)
    if len(other):
        is_blank = clean.is_blank
        blank[other] = [is_blank(v) for v in uniq[other].tolist()]
    return _Grid(cells, codes, values, lengths, blank, text, texts, text_codes, joined)


def _subtotal_codes(grid: _Grid, schema: Schema) -> np.ndarray:
    """Per code: a text that says 合计/小计 (``clean.is_subtotal_row``'s test)."""
    words = clean._norm_words(tuple(schema.subtotal_words))
    says = clean._says_subtotal
    out = np.zeros(len(grid.values), dtype=bool)
    texts = grid.texts
    joined = grid.joined
    if joined.ok:
        # only a text with a word's first character, or with characters NFKC
        # may change, can say a word (clean._says_subtotal's own shortcut)
        cand = np.union1d(joined.outside(_STABLE), joined.among(_lowering_to(clean._first_chars(words)))).tolist()
    else:
        cand = range(len(texts))
    codes = grid.text_codes
    for p in cand:
        t = texts[p]
        if t and says(t, words):
            out[codes[p]] = True
    return out


@functools.lru_cache(maxsize=16)
def _lowering_to(first: frozenset[str]) -> frozenset[str]:
    """``first`` and the ASCII characters that lower-case to one of them."""
    return frozenset(first) | {c for c in map(chr, range(128)) if c.lower() in first}


_DATA, _BLANK, _NOTE, _SUBTOTAL = 0, 1, 2, 3
_KIND_NAMES = ("data", "blank", "note", "subtotal")


def _grid_kinds(grid: _Grid, body: Sequence[Sequence[Any]], schema: Schema) -> np.ndarray:
    """blank / note / subtotal / data code for each body row."""
    n = grid.codes.shape[0]
    kinds = np.zeros(n, dtype=np.int8)
    if not n:
        return kinds
    filled = ~grid.blank[grid.codes]
    nfilled = filled.sum(axis=1)
    subtotal = _subtotal_codes(grid, schema)[grid.codes].any(axis=1)
    multi = np.flatnonzero(nfilled >= 2)
    last_multi = int(multi[-1]) if len(multi) else -1
    kinds[nfilled == 0] = _BLANK
    kinds[(nfilled > 0) & subtotal] = _SUBTOTAL
    prefixes = schema.note_prefixes
    for i in np.flatnonzero(nfilled == 1).tolist():
        # a note is one filled cell (before the subtotal rule) ...
        if clean.is_note_row(body[i], prefixes):
            kinds[i] = _NOTE
        elif subtotal[i]:
            pass
        # ... or one text below the table (after it: a 合计 row whose sums are
        # formulas without cached values has only its label left)
        elif i > last_multi and last_multi >= 0 and grid.text[grid.codes[i, filled[i]][0]]:
            kinds[i] = _NOTE
    return kinds


def _row_kinds(body: list[list[Any]], schema: Schema) -> list[str]:
    """blank / note / subtotal / data for each body row.

    >>> rows = [["2023-07-01", "篮球赛", 50], [None, "\u3000"], ["合 计：", None, 50], ["2023-07-02", "活动合计划", 3], ["填表说明：本表于次年1月10日前报送。"]]
    >>> _row_kinds(rows, load_schema())
    ['data', 'blank', 'subtotal', 'data', 'note']
    """
    return [_KIND_NAMES[k] for k in _grid_kinds(_make_grid(body), body, schema).tolist()]


def _row_ids(codes: np.ndarray) -> np.ndarray:
    """One id per distinct row of an int matrix (0, 1, ... in order of first appearance)."""
    n, m = codes.shape
    key = np.zeros(n, dtype=np.int64)
    top = 0  # key < top
    for j in range(m):
        c = codes[:, j].astype(np.int64) + 1  # codes start at -1
        base = int(c.max()) + 1 if n else 1
        if top and top * base >= 1 << 62:
            key, uniq = pd.factorize(key)
            key = key.astype(np.int64)
            top = len(uniq)
        key = key * base + c
        top = max(top, 1) * base
    ids, _ = pd.factorize(key)
    return np.asarray(ids, dtype=np.intp)


def _duplicates(grid: _Grid, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact duplicates among ``rows`` (whole raw row, type-aware): a mask of
    the later copies, and for each row the position of its first copy.

    >>> dup, first = _duplicates(_make_grid([[1.0, "a"], ["1", "a"], [True, "a"], [1.0, "a"], [1.0, "a", None]]), np.arange(5))
    >>> dup.tolist(), first.tolist()
    ([False, False, False, True, False], [0, 1, 2, 0, 4])
    """
    if len(rows) < 2 or not grid.codes.shape[1]:
        return np.zeros(len(rows), dtype=bool), np.arange(len(rows))
    sub = grid.codes[rows]
    if grid.lengths is not None:
        sub = np.column_stack([sub, grid.lengths[rows]])
    ids = _row_ids(sub)
    _, first = np.unique(ids, return_index=True)  # ids count up in order of first appearance
    first_of = first[ids]
    return first_of != np.arange(len(rows)), first_of


def _pseudonym(salt: bytes, value: Any) -> str | None:
    t = clean.clean_text(value)
    if t is None:
        return None
    return "P" + hashlib.blake2b(norm_key(t).encode(), key=salt, digest_size=6).hexdigest()


def _pseudonyms(salt: bytes, values: list[Any]) -> list[str | None]:
    """``_pseudonym`` of each value; a name of plain characters (the usual
    case) is its own clean_text and norm_key, and the keyed hash state is
    copied instead of keyed again for each name.

    >>> names = ["张三", " 张三 ", "ZHANG（备注）", "li4", None, ""]
    >>> _pseudonyms(b"k" * 16, names) == [_pseudonym(b"k" * 16, v) for v in names]
    True
    """
    out: list[str | None] = [None] * len(values)
    pos = [u for u, v in enumerate(values) if type(v) is str and 0 < len(v) <= 2000]
    texts = [values[u] for u in pos]
    joined = _Joined(texts)
    odd = set(joined.outside(_PLAIN).tolist()) if joined.ok else set(range(len(texts)))
    keyed = hashlib.blake2b(key=salt, digest_size=6)
    copy = keyed.copy
    for p, (u, v) in enumerate(zip(pos, texts)):
        if p in odd:
            out[u] = _pseudonym(salt, v)
        else:
            h = copy()
            h.update(v.encode())
            out[u] = "P" + h.hexdigest()
    if len(pos) != len(values):
        done = set(pos)
        for u, v in enumerate(values):
            if u not in done:
                out[u] = _pseudonym(salt, v)
    return out


def _take(values: list[Any], inv: np.ndarray) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr[inv]


_STR = pd.array([""], dtype="str").dtype  # pandas' default str dtype, as DataFrame infers it


def _column(values: list[Any], inv: np.ndarray) -> Any:
    """``values[inv]`` as a table column: texts (and None) become pandas'
    str dtype as DataFrame would infer it, checked on the distinct values
    only; anything else an object array."""
    if len(inv) and any(type(v) is str for v in values) and all(v is None or type(v) is str for v in values):
        return pd.array(values, dtype=_STR).take(inv)
    return _take(values, inv)


class _Memo:
    """Parser results by (parser and its arguments, type, value), across
    sheets and workbooks: categories, 科目, texts and numbers written as text
    recur everywhere.  Results are immutable; bounded by clearing."""

    MAX = 1 << 17
    _MISS = object()

    def __init__(self) -> None:
        self.results: dict[tuple, Any] = {}
        self.pinned: dict[int, Any] = {}  # objects whose id is part of a key stay alive

    def pin(self, obj: Any) -> int:
        self.pinned.setdefault(id(obj), obj)
        return id(obj)

    def one(self, key: tuple, v: Any, parse: Callable[[Any], Any]) -> Any:
        k = (key, type(v), v)
        r = self.results.get(k, self._MISS)
        if r is self._MISS:
            if len(self.results) > self.MAX:
                self.results.clear()
            r = self.results[k] = parse(v)
        return r

    def map(self, key: tuple, vals: list[Any], parse: Callable[[Any], Any]) -> list[Any]:
        if len(self.results) > self.MAX:
            self.results.clear()
        results, miss = self.results, self._MISS
        out = []
        for v in vals:
            k = (key, type(v), v)
            r = results.get(k, miss)
            if r is miss:
                r = results[k] = parse(v)
            out.append(r)
        return out


_MEMO = _Memo()


def _number_values(vals: list[Any], kind: str, scale: float) -> tuple[list[float | None], list[str | None]]:
    """``clean.parse_number`` of each distinct value: values and note codes
    (a float cell, the usual case, without building a ParsedNumber)."""
    nums: list[float | None] = []
    codes: list[str | None] = []
    scaled = "scaled" if scale != 1.0 else None
    money = kind == "money"
    isfinite = math.isfinite
    parse = partial(clean.parse_number, kind=kind, scale=scale)
    for v in vals:
        if type(v) is float and v == v:  # clean.parse_number's branch for numbers
            x = v * scale
            if not isfinite(x):
                nums.append(None)
                codes.append("invalid")
            else:
                nums.append(round(x, 2) if money else x)
                codes.append(scaled)
        else:
            r = _MEMO.one(("number", kind, scale), v, parse)
            nums.append(r.value)
            codes.append(r.note)
    return nums, codes


_UNITS = ("s", "ms", "us", "ns")
_NAT = np.iinfo(np.int64).min  # NaT as int64
# (type, value, year) -> (microseconds or None, unit, precision, note) of
# clean.parse_date: the same dates recur in every sheet and workbook
_DATE_MEMO: dict[tuple, tuple[int | None, str, str | None, str | None]] = {}
_DATE_MEMO_MAX = 1 << 17


_FAST_YMD = re.compile(r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})[日号]?")
_FAST_MD = re.compile(r"([0-9]{1,2})月([0-9]{1,2})[日号]?")
_DAY_US = 86_400_000_000
_ORD_1970 = _dt.date(1970, 1, 1).toordinal()
_EXCEL_1970 = 25_569  # days from Excel's epoch (1899-12-30) to 1970-01-01


def _date_fast(v: Any, t: type, year: int | None) -> tuple[int, int, str | None, str | None] | None:
    """``clean.parse_date`` for the commonest spellings without building a
    Timestamp (``_date_values``' memo entry), or None for the others."""
    if t is str:
        m = _FAST_YMD.fullmatch(v)  # 2023年7月1日, 2023-07-01, 2023/7/1: clean._D_YMD, note 'text'
        note = "text"
        if m is None:
            m = _FAST_MD.fullmatch(v)  # 7月1日: clean._D_MD, note 'no_year'
            if m is None or not year:
                return None
            y, mo, d = year, int(m[1]), int(m[2])
            note = "no_year"
        else:
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
        try:
            day = _dt.date(y, mo, d).toordinal() - _ORD_1970
        except ValueError:
            return (_NAT, 0, None, "invalid")
        return (day * _DAY_US, 0, "day", note)
    if t is float:  # an Excel serial (clean._serial: unit 'us')
        if 60 <= v < 2_958_466 and not (v.is_integer() and (1900 <= v <= 2100 or 19000101 <= v <= 21001231)):
            return ((int(v) - _EXCEL_1970) * _DAY_US, 2, "day", "serial")
    return None


def _date_values(vals: np.ndarray, year: int | None) -> tuple[np.ndarray, str, list[str | None], list[str | None]]:
    """``clean.parse_date`` of each distinct value (an object array): the
    datetime64[us] values (NaT when missing), the unit pandas would infer for
    these timestamps (the finest among them, 's' when none), precisions and
    note codes.

    >>> stamps, unit, prec, notes = _date_values(np.array([_dt.date(2023, 7, 1), "7月1日", 45108.0, "下半年", None], dtype=object), 2023)
    >>> [str(t)[:10] for t in stamps], unit, prec, notes
    (['2023-07-01', '2023-07-01', '2023-07-01', 'NaT', 'NaT'], 'us', ['day', 'day', 'day', None, None], [None, 'no_year', 'serial', 'invalid', None])
    """
    k = len(vals)
    is_date = _type_of(vals) == _dt.date if k else np.zeros(0, dtype=bool)
    dates = np.flatnonzero(is_date)  # real Excel dates: Timestamp(date), unit 's', precision 'day'
    stamps = np.full(k, _NAT, dtype=np.int64)
    if len(dates):
        stamps[dates] = (np.fromiter(map(_dt.date.toordinal, vals[dates].tolist()), np.int64, len(dates)) - _ORD_1970) * _DAY_US
    precision: list[str | None] = np.where(is_date, "day", None).tolist() if len(dates) else [None] * k
    notes: list[str | None] = [None] * k
    finest = 0
    memo = _DATE_MEMO
    if len(memo) > _DATE_MEMO_MAX:
        memo.clear()
    rest = np.flatnonzero(~is_date)
    for u, v in zip(rest.tolist(), vals[rest].tolist()):
        t = type(v)
        key = (t, v, year)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = _date_fast(v, t, year)
        if hit is None:
            r = clean.parse_date(v, year=year)
            ts = r.ts
            if ts is None:
                hit = (_NAT, 0, r.precision, r.note)
            else:
                us = int(ts.to_datetime64().astype("datetime64[us]").astype("int64"))
                hit = (us, _UNITS.index(ts.unit) if ts.unit in _UNITS else 3, r.precision, r.note)
            memo[key] = hit
        stamps[u], unit, precision[u], notes[u] = hit
        if unit > finest:
            finest = unit
    return stamps.view("datetime64[us]"), _UNITS[finest], precision, notes


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
    grid = _make_grid(body)
    kinds = _grid_kinds(grid, body, schema)
    row0 = raw.excel_row(header.row + 1)  # Excel row of body[0]
    # cells of personal-data columns are never quoted in a finding (spec §6)
    pii_keys = {c.key for c in sheet.columns if c.pii}
    pii_cols = {j for j, k in header.columns.items() if k in pii_keys}
    for i in np.flatnonzero(kinds != _DATA).tolist():
        k = kinds[i]
        if k == _BLANK:
            stats["blank"] += 1
        elif k == _NOTE:
            stats["notes"] += 1
            j, text = next((j, v) for j, v in enumerate(body[i]) if not clean.is_blank(v))
            ctx.add(raw.name, row0 + i, "", "" if j in pii_cols else text, "excluded", "info", "表格下方的说明文字，不是记录，未计入", "note", sheet.key)
        else:
            stats["subtotals"] += 1
            label = next((v for j, v in enumerate(body[i]) if isinstance(v, str) and not clean.is_blank(v) and j not in pii_cols), "")
            ctx.add(raw.name, row0 + i, "", label, "excluded", "info", "合计/小计行，不是记录，未计入（汇总由系统计算）", "subtotal", sheet.key)

    # exact duplicate rows (whole raw row) within the sheet
    data_idx = np.flatnonzero(kinds == _DATA)
    dup, first = _duplicates(grid, data_idx)
    for p in np.flatnonzero(dup).tolist():
        i = int(data_idx[p])
        stats["duplicates"] += 1
        # only cells of recognised, non-personal columns: an unknown column may hold anything (备用手机 …)
        shown = " | ".join(show_value(v, limit=20) for j, v in enumerate(body[i]) if not clean.is_blank(v) and j in header.columns and j not in pii_cols)
        ctx.add(raw.name, row0 + i, "", shown, "excluded", "warning", f"与第{row0 + int(data_idx[first[p]])}行完全相同的重复行，只计一次", "duplicate", sheet.key)
    keep_idx = data_idx[~dup]

    n = len(keep_idx)
    rows_no = (row0 + keep_idx).astype("int64")
    rows_list = rows_no.tolist()
    col_of = {k: j for j, k in header.columns.items()}
    na_col = np.full(n, _NA, dtype=np.intp)

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
                protos.append(finding_fields(ctx.file, raw.name, None, header.headers[j], "", action, sev, msg, f"{nt[0]}_{nt[1]}", ctx.unit, ctx.year, sheet.key))
            index[u] = k
            if not pii:
                shown[u] = show_value(vals[u])
        if not protos:
            return
        pos = np.flatnonzero(index[inv] >= 0)
        cell = inv[pos]
        ctx.findings.extend(findings_like(protos, index[cell].tolist(), rows_no[pos].tolist(), [shown[u] for u in cell.tolist()], units[pos].tolist() if units_vary else None))

    out: dict[str, Any] = {}
    # unit column of a combined workbook
    units_vary = "_unit" in col_of
    if units_vary:
        vals, inv, _ = distinct(col_of["_unit"])
        units_u, units_inv = [clean.clean_text(v) or ctx.unit for v in vals], inv
        units = _take(units_u, inv)
    else:
        units = np.full(n, ctx.unit, dtype=object)
    zeros = np.zeros(n, dtype=np.intp)
    out["unit"] = _column(units_u, units_inv) if units_vary else _column([ctx.unit], zeros)
    out["year"] = np.full(n, ctx.year, dtype="int64")
    out["source_file"] = _column([ctx.file], zeros)
    out["sheet"] = _column([raw.name], zeros)
    out["excel_row"] = rows_no

    by_month: dict[str, np.ndarray] = {}  # date column -> precision day or month
    for col in sheet.columns:
        if col.pii and not col.identifying:
            continue
        j = col_of.get(col.key)
        present = j is not None
        vals, inv, ucodes = distinct(j)
        if col.identifying:
            out[col.key] = _column(_pseudonyms(ctx.salt, vals), inv)
            continue
        if col.type == "text":
            out[col.key] = _column(_MEMO.map(("text",), vals, clean.clean_text), inv)
        elif col.type in ("count", "money", "number"):
            scale = header.scales.get(j, 1.0) if present else 1.0
            nums, codes = _number_values(vals, col.type, scale)
            if col.blank is not None:
                nums = [float(col.blank) if (x is None and clean.is_blank(v)) else x for x, v in zip(nums, vals)]
            arr = np.array([np.nan if x is None else x for x in nums], dtype="float64")
            out[col.key] = arr[inv] if n else np.zeros(0, dtype="float64")
            if present:
                notes = []
                for code, v in zip(codes, vals):
                    if code is None or code == "scaled" or (code == "text" and isinstance(v, str) and clean._NUMBER_RE.match(v.strip())):
                        notes.append(None)  # a plain number stored as text: nothing to say
                    else:
                        notes.append(("number", code))
                report(col.pii, j, inv, vals, notes)
        elif col.type == "date":
            stamps, unit, precision, codes = _date_values(grid.values[ucodes], ctx.year)
            if n:
                out[col.key] = stamps.astype(f"datetime64[{unit}]")[inv]
            else:
                # the coarsest unit: concatenated with another sheet's dates it
                # never forces theirs into nanoseconds (years past 2262 overflow)
                out[col.key] = pd.Series(dtype="datetime64[s]")
            out[f"{col.key}_precision"] = _column(precision, inv)
            by_month[col.key] = np.array([p in ("day", "month") for p in precision], dtype=bool)[inv]
            if present:
                notes = []
                for code, v in zip(codes, vals):
                    if code is None or (code == "text" and isinstance(v, str) and len(v.strip()) == 10 and v.strip()[4] == "-"):
                        notes.append(None)  # ISO 2023-07-01
                    else:
                        notes.append(("date", code))
                report(col.pii, j, inv, vals, notes)
        elif col.type in ("category", "yesno"):
            cats = schema.categories[col.categories]
            res = _MEMO.map(("category", _MEMO.pin(cats), col.blank), vals, partial(clean.map_category, categories=cats, blank=col.blank))
            out[col.key] = _column([r.value for r in res], inv)
            if present:
                notes = []
                for r in res:
                    code = r.note
                    if code == "unknown" and r.value is None:
                        code = "unknown_nodefault"
                    notes.append(None if code in (None, "missing") else ("category", code))
                report(col.pii, j, inv, vals, notes)
        elif col.type == "account":
            res = _MEMO.map(("account", _MEMO.pin(schema)), vals, partial(clean.map_account, schema=schema))
            out[col.key] = _column([a for d, a, _ in res], inv)
            out["_account_direction"] = _column([d for d, a, _ in res], inv)
            if present:
                notes = [("account", nt) if nt in ("rollup", "unknown") else None for d, a, nt in res]
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
        df = _resolve_direction(frame(), raw.name, ctx)
    for r, c in raw.formulas_without_value:
        hr = raw.excel_row(header.row)
        if r > hr:
            name = header.headers.get(c - raw.first_col, "")
            ctx.add(raw.name, r, name, "", "missing", "warning", "公式单元格没有计算结果（缓存值），按缺失处理。请在 Excel/WPS 中打开、重新计算并保存后报送。", "formula_no_value", sheet.key)

    if other is not None:
        j = col_of.get(dc)
        label = header.headers.get(j, "") if j is not None else ""
        for pos in np.flatnonzero(other).tolist():
            ctx.add(raw.name, rows_list[pos], label, grid.cells[keep_idx[pos], j] if j is not None else "", "excluded", "warning", f"记录日期不在 {ctx.year} 年度内，未计入本年度统计", "other_year", sheet.key, units[pos])
        stats["other_year"] = int(other.sum())
        nodate = np.isnat(out[dc])
        if j is not None:
            nodate &= grid.blank[grid.codes[keep_idx, j]] if j < grid.codes.shape[1] else True
        if nodate.any():
            label = header.headers.get(j, sheet.column(dc).label) if j is not None else sheet.column(dc).label
            proto = Finding(ctx.file, raw.name, None, label, "", "kept", "warning", "没有日期：计入全年合计，不计入月度统计，请补填", "no_date", ctx.unit, ctx.year, sheet.key)
            pos = np.flatnonzero(nodate)
            ctx.findings.extend(findings_like([proto], [0] * len(pos), rows_no[pos].tolist(), units=[u or ctx.unit for u in units[pos].tolist()]))
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
    stats["records"] = len(df)
    return df, stats


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
    (a ``gonghui_kit.analysis.units.UnitRegistry``, or any callable name → name).  ``jobs`` > 1 reads files in parallel
    processes (fork where available, spawn on Windows).
    """
    return load_years_ledgers({year: paths}, engine=engine, registry=registry, jobs=jobs)[year]


def load_years_ledgers(
    batches: Mapping[int | None, Iterable[str | os.PathLike] | str | os.PathLike],
    *,
    engine: str = "calamine",
    registry=None,
    jobs: int = 1,
    on_read: Callable[[], Any] | None = None,
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
        plans.append((year, files, names, findings, secrets.token_bytes(16)))
    args = [(f, n, year, engine, salt) for year, files, names, _, salt in plans for f, n in zip(files, names)]
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
    path, name, year, engine, salt = args
    with _no_gc():  # also in a spawned worker
        return load_workbook(path, year=year, engine=engine, name=name, salt=salt)


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
    if len(args) < 2 or any(engine != "calamine" for _, _, _, engine, _ in args):
        return [_load_one(a) for a in args]
    import concurrent.futures as cf

    from gonghui_kit.ingest.read import parse_ahead

    out: list[WorkbookResult] = []
    with _no_gc(), cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="gonghui-parse") as ex:

        def start(a: tuple) -> tuple[WorkbookResult, _Ctx, Any, Any]:
            path, name, _, _, salt = a
            res, ctx, insp = _inspect(path, name, salt)
            ahead = None
            if insp is not None and sum(r * c for r, c in insp.sheet_dims.values()) <= _AHEAD_MAX_CELLS:
                ahead = ex.submit(parse_ahead, res.path)
            return res, ctx, insp, ahead

        nxt = start(args[0])
        for k, (_, _, year, engine, _) in enumerate(args):
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
    """Load ``(path, name, year, engine, salt)`` workbooks, in order."""
    if jobs <= 1 or len(args) < 4:
        return _load_serial(args)
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
