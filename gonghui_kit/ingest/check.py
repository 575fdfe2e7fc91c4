"""Checks across columns and rows of the clean tables, and the quality summary.

Loading already names every fix and every excluded row.  The checks here look
at records that were read fine but do not add up (a member marked 转出 with no
离会日期, a proposal answered before it was raised, …): they never change a
value, they ask the unit to look.  So does a summary table's row that the
unit's records contradict (``reconcile``).  ``quality_summary`` turns findings
and row statistics into the per-file table of the quality report.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd

from gonghui_kit.ingest.findings import Finding, findings_frame
from gonghui_kit.ingest.reconcile import reconcile_findings, reconcile_ledger

__all__ = ["CHECKS", "register_check", "run_checks", "quality_summary", "check_ledger", "incomplete_units", "UNCOUNTED"]

# name -> (table, function(df) -> boolean mask, column, severity, message)
CHECKS: dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series], str, str, str]] = {}


def register_check(name: str, table: str, column: str, severity: str, message: str):
    def deco(fn: Callable[[pd.DataFrame], pd.Series]):
        CHECKS[name] = (table, fn, column, severity, message)
        return fn

    return deco


@register_check(
    "left_without_date",
    "members",
    "离会日期",
    "warning",
    "状态为转出/除名，但没有离会日期：按仍在册计入会员人数，请补填离会日期",
)
def _left_without_date(m: pd.DataFrame) -> pd.Series:
    return m["status"].isin(["转出", "除名"]) & m["leave_date"].isna()


@register_check("leave_before_join", "members", "离会日期", "warning", "离会日期早于入会日期，请核实")
def _leave_before_join(m: pd.DataFrame) -> pd.Series:
    return m["leave_date"].notna() & m["join_date"].notna() & (m["leave_date"] < m["join_date"])


@register_check("no_join_date", "members", "入会日期", "warning", "没有入会日期：按已入会计入会员人数，请补填")
def _no_join_date(m: pd.DataFrame) -> pd.Series:
    return m["join_date"].isna()


@register_check("reply_before_proposal", "proposals", "答复日期", "warning", "答复日期早于提出日期，请核实")
def _reply_before(p: pd.DataFrame) -> pd.Series:
    return p["reply_date"].notna() & p["date"].notna() & (p["reply_date"] < p["date"])


@register_check("closed_without_reply", "proposals", "答复日期", "info", "已办结但没有答复日期，不计入平均办理天数")
def _closed_without_reply(p: pd.DataFrame) -> pd.Series:
    return (p["status"] == "已办结") & (p["accepted"] == "是") & p["reply_date"].isna()


@register_check("fund_without_amount", "funds", "金额", "warning", "经费记录没有金额，收支合计中按缺失处理，请补填")
def _fund_without_amount(f: pd.DataFrame) -> pd.Series:
    return f["amount"].isna()


@register_check(
    "fund_without_direction", "funds", "收支", "warning", "既无收支方向也无可识别的科目，未计入收入或支出合计，请补填"
)
def _fund_without_direction(f: pd.DataFrame) -> pd.Series:
    return f["direction"].isna()


@register_check("negative_amount", "funds", "金额", "warning", "金额为负数，请核实是否为冲销")
def _negative(f: pd.DataFrame) -> pd.Series:
    return f["amount"] < 0


def run_checks(tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """Apply every registered check; one finding per offending record."""
    out: list[Finding] = []
    for code, (table, fn, column, severity, message) in CHECKS.items():
        df = tables.get(table)
        if df is None or df.empty:
            continue
        mask = fn(df).fillna(False).to_numpy(dtype=bool)
        for r in df[mask].itertuples(index=False):
            out.append(
                Finding(
                    r.source_file,
                    r.sheet,
                    int(r.excel_row),
                    column,
                    "",
                    "checked",
                    severity,
                    message,
                    code,
                    r.unit,
                    int(r.year),
                    table,
                )
            )
    return out


def check_ledger(ledger) -> list[Finding]:
    """All findings of a loaded ledger: loading's plus the cross-checks and
    the summary tables' values compared with the records (``reconcile``), in
    file order."""
    extra = run_checks(ledger.tables) + reconcile_findings(reconcile_ledger(ledger))
    allf = list(ledger.findings) + extra
    order = {name: i for i, name in enumerate(dict.fromkeys(f.file for f in ledger.findings))}
    return sorted(allf, key=lambda f: (order.get(f.file, len(order)), f.sheet, f.row or 0))


# what an error finding did to the data: something was not counted
UNCOUNTED = frozenset({"refused", "skipped", "excluded", "missing"})


def incomplete_units(findings: list[Finding]) -> dict[tuple[str, int], list[Finding]]:
    """(unit, year) → the error findings that left some of its data uncounted
    (an unknown sheet or column, a value not understood, a summary table …):
    the units to mark 数据不完整.  ``gonghui check`` exits 0 only when this
    is empty and no other error was found.

    >>> f = Finding(
    ...     "a.xlsx", "活动台账", 3, "参与人数", "很多", "missing", "error", "无法识别", "number_invalid", "U", 2023
    ... )
    >>> ok = Finding("a.xlsx", "活动台账", 4, "", "", "excluded", "info", "合计行", "subtotal", "U", 2023)
    >>> {k: [x.code for x in v] for k, v in incomplete_units([f, ok]).items()}
    {('U', 2023): ['number_invalid']}
    """
    out: dict[tuple[str, int], list[Finding]] = {}
    for f in findings:
        if f.severity == "error" and f.action in UNCOUNTED and f.unit and f.year is not None:
            out.setdefault((f.unit, int(f.year)), []).append(f)
    return out


def quality_summary(ledger, findings: list[Finding] | None = None) -> pd.DataFrame:
    """Per file: status, unit, year, rows read, records kept and what was
    excluded or fixed (counts), for the quality pages and appendices."""
    findings = findings if findings is not None else check_ledger(ledger)
    files = ledger.files.copy()
    st = ledger.stats
    cols = ["rows", "title", "blank", "notes", "subtotals", "duplicates", "other_year", "records", "unreadable"]
    if not st.empty:
        agg = st.groupby("file")[cols].sum()
        files = files.merge(agg, left_on="file", right_index=True, how="left")
    else:
        for c in cols:
            files[c] = 0
    fdf = findings_frame(findings)
    if not fdf.empty:
        counts = fdf.pivot_table(index="file", columns="severity", values="message", aggfunc="size", fill_value=0)
        for s in ("error", "warning", "info"):
            files[s] = files["file"].map(counts[s] if s in counts else {}).fillna(0).astype(int)
        fixed = fdf[fdf["action"].isin(["converted", "mapped"])].groupby("file").size()
        files["fixed"] = files["file"].map(fixed).fillna(0).astype(int)
    else:
        for s in ("error", "warning", "info", "fixed"):
            files[s] = 0
    for c in cols:
        files[c] = files[c].fillna(0).astype(int)
    return files.drop(columns=["errors", "warnings"], errors="ignore")
