"""What loading produces: one workbook's ``WorkbookResult``, the combined
``Ledger`` (``assemble``), and the canonical tables' shapes (their columns
and dtypes, also of an empty table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gonghui_kit.ingest.findings import Finding, findings_frame, findings_from_rows, findings_to_rows
from gonghui_kit.ingest.summary import REPORTED_COLUMNS
from gonghui_kit.schema import Column, Schema, Sheet, load_schema

META_COLUMNS = ["unit", "year", "source_file", "sheet", "excel_row"]


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
    inferred: bool = False  # unit and year not from 基本信息 (a file per topic)
    merged_into: str | None = None  # a topic file whose tables went to this file's result
    reported: list[dict[str, Any]] = field(default_factory=list)  # values of a summary table (summary.py)

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
    # values reported per unit in summary tables (统计表): unit, year,
    # indicator, value, source_file, sheet, excel_row
    reported: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPORTED_COLUMNS))

    def __getitem__(self, key: str) -> pd.DataFrame:
        return self.tables[key]

    @property
    def findings_df(self) -> pd.DataFrame:
        return findings_frame(self.findings)

    def sources(self) -> pd.DataFrame:
        """``unit, year, source_file``: the files each unit's data came from —
        its own workbook, and for a 分会 whose records sit in a 上级工会's
        workbook (a unit column, a sheet per 分会, a 统计表 row) that workbook.

        >>> led = assemble([])
        >>> list(led.sources().columns)
        ['unit', 'year', 'source_file']
        """
        cols = ["unit", "year", "source_file"]
        parts = [self.tables["info"][cols]] if not self.tables["info"].empty else []
        parts += [df[cols] for k, df in self.tables.items() if k != "info" and len(df)]
        if len(self.reported):
            parts.append(self.reported[cols])
        if not parts:
            return pd.DataFrame(columns=cols)
        out = pd.concat(parts, ignore_index=True).dropna(subset=["unit"]).drop_duplicates()
        return out.astype({"year": "int64"}).reset_index(drop=True)

    @property
    def units(self) -> list[str]:
        """Every unit with data: its own workbook, or records and reported values in another's."""
        return sorted(self.sources()["unit"].unique().tolist())

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
        src = self.sources()
        held = set(src[(src["unit"] == unit) & ((src["year"] == year) if year is not None else True)]["source_file"])
        files = (
            self.files[(self.files["unit"] == unit) | self.files["file"].isin(held)]
            if not self.files.empty
            else self.files
        )
        stats = keep(self.stats) if not self.stats.empty else self.stats
        reported = keep(self.reported) if not self.reported.empty else self.reported
        return Ledger({k: keep(v) for k, v in self.tables.items()}, findings, files, stats, reported)


# --------------------------------------------------------------------------
# canonical table shapes


def _dtype(col: Column) -> str:
    return {"date": "datetime64[ns]", "count": "float64", "money": "float64", "number": "float64"}.get(
        col.type, "object"
    )


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
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in INFO_COLUMNS.items()})
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


INFO_COLUMNS = {
    "unit": "object",
    "year": "int64",
    "employees": "float64",
    "parent_union": "object",
    "fill_date": "datetime64[ns]",
    "source_file": "object",
    "sheets_absent": "object",
}


def _merge_topic_file(first: WorkbookResult, r: WorkbookResult) -> bool:
    """A unit's files per topic (no 基本信息, each with other tables) are one
    ledger: ``r``'s tables and statistics go to ``first``.  False when they
    overlap (then it is a second copy of the ledger)."""
    if not (first.inferred or r.inferred):
        return False
    mine = {k for k, df in first.tables.items() if len(df)}
    theirs = {k for k, df in r.tables.items() if len(df)}
    if mine & theirs:
        return False
    for k in theirs:
        first.tables[k] = r.tables[k]
    first.stats.extend(r.stats)
    first.absent_sheets = [a for a in first.absent_sheets if a in r.absent_sheets]
    if first.employees is None:
        first.employees = r.employees
    first.inferred = True
    r.stats, r.tables, r.merged_into = [], {}, first.name
    return True


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
                r.findings.append(
                    Finding(
                        r.name,
                        "基本信息",
                        None,
                        "单位名称",
                        r.unit,
                        "kept",
                        "warning",
                        "单位名册（units.yaml）中没有这个单位名称，按新单位单独统计；如是改名或写法不同，请在名册中登记",
                        "unknown_unit",
                        r.unit,
                        r.year,
                    )
                )
            r.unit = canon(r.unit)
            key = (r.unit, r.year)
            if key in seen and _merge_topic_file(seen[key], r):
                continue
            if key in seen:
                first = seen[key]
                r.status = "skipped"
                r.findings.append(
                    Finding(
                        r.name,
                        "",
                        None,
                        "",
                        "",
                        "skipped",
                        "error",
                        f"与“{first.name}”是同一单位（{r.unit}）同一年度（{r.year}）的台账，本文件未计入。请只保留一份（通常是终稿）后重新核查。",
                        "duplicate_workbook",
                        r.unit,
                        r.year,
                    )
                )
            else:
                seen[key] = r
    for r in results:  # a unit's files per topic: what none of them holds is said once
        if r.status == "ok" and r.inferred and r.merged_into is None:
            for label in r.absent_sheets:
                r.findings.append(
                    Finding(
                        r.name,
                        "",
                        None,
                        "",
                        "",
                        "kept",
                        "info",
                        f"未报送“{label}”，视为本年度无此项记录",
                        "sheet_absent",
                        r.unit,
                        r.year,
                    )
                )
    schema = load_schema()
    tables: dict[str, list[pd.DataFrame]] = {s.key: [] for s in schema.record_sheets}
    info_rows = []
    stats = []
    files = []
    for r in results:
        findings.extend(r.findings)
        files.append(
            dict(
                path=str(r.path),
                file=r.name,
                sha256=r.sha256,
                unit=r.unit,
                year=r.year,
                status=r.status,
                errors=sum(f.severity == "error" for f in r.findings),
                warnings=sum(f.severity == "warning" for f in r.findings),
            )
        )
        if r.status != "ok" or r.merged_into is not None:
            continue
        stats.extend(r.stats)
        info_rows.append(
            dict(
                unit=r.unit,
                year=r.year,
                employees=r.employees if r.employees is not None else np.nan,
                parent_union=r.info.get("parent_union"),
                fill_date=r.info.get("fill_date"),
                source_file=r.name,
                sheets_absent="、".join(r.absent_sheets),
            )
        )
        warned: set[str] = set()
        for k, df in r.tables.items():
            if registry is not None:
                if knows is not None and df["unit"].nunique() > 1:  # a combined workbook: its units by name
                    for u in sorted(set(df["unit"].dropna()) - {r.unit} - warned):
                        warned.add(u)
                        if not knows(u) and canon(u) != r.unit:
                            findings.append(
                                Finding(
                                    r.name,
                                    str(df["sheet"].iat[0]),
                                    None,
                                    "单位",
                                    u,
                                    "kept",
                                    "warning",
                                    "单位名册（units.yaml）中没有这个单位名称，按新单位单独统计；如是改名或写法不同，请在名册中登记",
                                    "unknown_unit",
                                    u,
                                    r.year,
                                    k,
                                )
                            )
                df = df.assign(unit=df["unit"].map(canon))
            tables[k].append(df)
    out = {}
    for k, parts in tables.items():
        parts = [p for p in parts if len(p)]
        out[k] = pd.concat(parts, ignore_index=True) if parts else empty_table(k)
    info = pd.DataFrame(info_rows, columns=list(INFO_COLUMNS)) if info_rows else empty_table("info")
    if info_rows:
        info = info.astype({"year": "int64", "employees": "float64"})
        info["fill_date"] = pd.to_datetime(info["fill_date"], errors="coerce")
    out["info"] = info
    stats_df = pd.DataFrame(stats)
    rep = [dict(d, unit=canon(d["unit"])) for r in results if r.status == "ok" for d in r.reported]
    reported = pd.DataFrame(rep, columns=REPORTED_COLUMNS)
    files_df = pd.DataFrame(files, columns=["path", "file", "sha256", "unit", "year", "status", "errors", "warnings"])
    return Ledger(out, findings, files_df, stats_df, reported)
