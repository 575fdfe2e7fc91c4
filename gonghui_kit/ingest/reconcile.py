"""A unit that sends records and also a row in a summary table (统计表,
汇总表): the reported values compared with what the records give.

The records stay the source of the indicators (they are checked row by row);
the summary row is checked against them, for each indicator it reports, per
(unit, year) after the roster resolved names (``ingest.ledger.assemble``), in
whichever files of the load the two came:

- ``agrees``: the records give the same value (money within 1 元, counts
  exactly) — an info finding on the summary row;
- ``differs``: they do not (or none of the records has the value) — an error
  at the summary cell naming both numbers, so ``gonghui check`` exits 1; the
  indicator stays the records' value;
- ``as_reported``: the unit sent records, but not of this kind (no 慰问帮扶
  sheet, no 职工人数 in 基本信息) — the reported value is taken as reported,
  as for a unit without records, with a warning at the cell
  (``analysis.indicators`` uses it);
- ``no_records``: the unit sent no records at all — its values are taken as
  reported (``analysis.indicators``), said once per sheet at loading
  (``summary_read``); no finding here.

The value from the records is the definition of spec §5 and
``analysis.indicators`` for each indicator a summary column may report
(``SOURCES``; ``tests/test_intake.py`` holds the two equal on the sample).
Summary tables have no rate columns; a new one needs a tolerance here
(0.1 percentage point) and a test fails until it has one.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from gonghui_kit.ingest.findings import Finding
from gonghui_kit.ingest.summary import MONEY, REPORTED_COLUMNS
from gonghui_kit.schema import Schema, load_schema

__all__ = [
    "SOURCES",
    "TOTALS_COLUMNS",
    "RECONCILED_COLUMNS",
    "record_totals",
    "reconcile",
    "reconcile_findings",
    "reconcile_ledger",
    "taken_as_reported",
]

# indicator -> (table, column summed; None: records counted).  employees is
# 基本信息's 职工人数; members_total counts the members in the register on
# 12-31; income_total / expense_total sum the funds of that direction.
SOURCES: dict[str, tuple[str, str | None]] = {
    "employees": ("info", "employees"),
    "members_total": ("members", None),
    "activities": ("activities", None),
    "activity_participants": ("activities", "participants"),
    "activity_spend": ("activities", "amount"),
    "income_total": ("funds", "amount"),
    "expense_total": ("funds", "amount"),
    "care_visits": ("care", "visits"),
    "care_amount": ("care", "amount"),
    "proposals": ("proposals", None),
    "publicity_items": ("publicity", "quantity"),
    "training_sessions": ("training", None),
    "training_person_times": ("training", "participants"),
    "awards": ("awards", None),
}

# sent: the unit sent this kind of record (a sheet, even an empty one)
TOTALS_COLUMNS = ["unit", "year", "indicator", "value", "sent"]
RECONCILED_COLUMNS = [*REPORTED_COLUMNS, "records", "verdict"]

_KEYS = ["unit", "year"]


# --------------------------------------------------------------------------
# the records' values


def _rows(indicator: str, df: pd.DataFrame) -> pd.DataFrame:
    """The records an indicator counts or sums (as ``analysis.indicators``)."""
    if indicator == "members_total" and len(df):
        ye = pd.to_datetime(df["year"].astype("int64").astype(str) + "-12-31")
        joined = df["join_date"].isna() | (df["join_date"] <= ye)
        not_left = df["leave_date"].isna() | (df["leave_date"] > ye)
        return df[(joined & not_left).to_numpy()]
    if indicator in ("income_total", "expense_total"):
        return df[df["direction"] == ("收入" if indicator == "income_total" else "支出")]
    return df


def _unit_years(tables: Mapping[str, pd.DataFrame]) -> pd.MultiIndex:
    parts = [df[_KEYS] for df in tables.values() if len(df) and "unit" in df]
    if not parts:
        return pd.MultiIndex.from_tuples([], names=_KEYS)
    uy = pd.concat(parts, ignore_index=True).dropna().drop_duplicates().astype({"year": "int64"})
    return pd.MultiIndex.from_frame(uy, names=_KEYS)


def _sent(tables: Mapping[str, pd.DataFrame], table: str, idx: pd.MultiIndex, schema: Schema) -> np.ndarray:
    """Per (unit, year) of ``idx``: a record of ``table``, or a workbook of the
    unit whose 基本信息 came with that sheet (absent ones: ``sheets_absent``)."""
    sent = np.zeros(len(idx), dtype=bool)
    df = tables.get(table)
    if df is not None and len(df):
        sent |= idx.isin(pd.MultiIndex.from_frame(df[_KEYS].astype({"year": "int64"})))
    info = tables.get("info")
    if info is not None and len(info):
        label = schema.sheet(table).label
        absent = info["sheets_absent"].fillna("").map(lambda s: label in s.split("、")).to_numpy(dtype=bool)
        sent |= idx.isin(pd.MultiIndex.from_frame(info.loc[~absent, _KEYS].astype({"year": "int64"})))
    return sent


def record_totals(tables: Mapping[str, pd.DataFrame], indicators=None, schema: Schema | None = None) -> pd.DataFrame:
    """For every (unit, year) with a 基本信息 row or any record: the value its
    records give for each of ``indicators`` (default: all of ``SOURCES``) and
    whether it sent that kind of record (``TOTALS_COLUMNS``).  A count or sum
    over no records is 0; a sum over records none of which has the value is
    NaN (spec §5, as ``analysis.indicators``)."""
    schema = schema or load_schema()
    idx = _unit_years(tables)
    out = []
    for ind in indicators if indicators is not None else SOURCES:
        table, column = SOURCES[ind]
        df = tables.get(table)
        if ind == "employees":
            if df is None or not len(df):
                val = pd.Series(np.nan, index=idx)
            else:
                e = df.drop_duplicates(_KEYS).astype({"year": "int64"}).set_index(_KEYS)["employees"]
                val = e.astype("float64").reindex(idx)
            sent = val.notna().to_numpy()
        else:
            if df is None or not len(df):
                val = pd.Series(0.0, index=idx)
            else:
                g = _rows(ind, df).astype({"year": "int64"}).groupby(_KEYS, sort=False)
                n = g.size().reindex(idx, fill_value=0)
                val = n.astype("float64") if column is None else g[column].sum(min_count=1).reindex(idx)
                val = val.where(n > 0, 0.0)
            sent = _sent(tables, table, idx, schema)
        out.append(pd.DataFrame({"indicator": ind, "value": val.to_numpy("float64"), "sent": sent}, index=idx))
    if not out:
        dtypes = ["object", "int64", "object", "float64", "bool"]
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(TOTALS_COLUMNS, dtypes, strict=True)})
    return pd.concat(out).reset_index()[TOTALS_COLUMNS]


# --------------------------------------------------------------------------
# the comparison


def _same(indicator: str, reported: float, records: float) -> bool:
    """Money within 1 元, counts exactly; NaN (no value in the records) never."""
    if records != records:
        return False
    return abs(reported - records) <= (1.0 if indicator in MONEY else 0.0) + 1e-9


def reconcile(reported: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Each reported value (``REPORTED_COLUMNS``) with the records' value of
    its unit, year and indicator (``record_totals``) and the verdict:
    ``agrees``, ``differs``, ``as_reported`` (the unit sent no records of
    that kind) or ``no_records`` (no records at all).

    >>> row = lambda u, k, v, h, c: [u, 2023, k, v, "a.xlsx", "统计表", 4, h, c, "统计表"]
    >>> rep = pd.DataFrame([row("U", "activities", 12.0, "活动场次", 2),
    ...                     row("U", "activity_spend", 300.4, "活动支出", 3),
    ...                     row("U", "care_visits", 30.0, "慰问人次", 4),
    ...                     row("V", "activities", 5.0, "活动场次", 2)], columns=REPORTED_COLUMNS)
    >>> tot = pd.DataFrame({"unit": "U", "year": 2023, "indicator": ["activities", "activity_spend", "care_visits"],
    ...                     "value": [10.0, 300.0, 0.0], "sent": [True, True, False]})
    >>> reconcile(rep, tot)[["unit", "indicator", "value", "records", "verdict"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['U', 'activities', 12.0, 10.0, 'differs'], ['U', 'activity_spend', 300.4, 300.0, 'agrees'],
     ['U', 'care_visits', 30.0, 0.0, 'as_reported'], ['V', 'activities', 5.0, nan, 'no_records']]
    """
    rep = reported.astype({"year": "int64"}).reset_index(drop=True)
    tot = totals.astype({"year": "int64"}).rename(columns={"value": "records"})
    m = rep.merge(tot, on=["unit", "year", "indicator"], how="left", validate="many_to_one")
    known = pd.MultiIndex.from_frame(m[_KEYS]).isin(pd.MultiIndex.from_frame(tot[_KEYS]))
    same = [_same(k, float(v), float(r)) for k, v, r in zip(m["indicator"], m["value"], m["records"], strict=True)]
    sent = m["sent"].fillna(False).astype(bool).to_numpy()
    m["verdict"] = np.select(
        [~known, ~sent, np.asarray(same, dtype=bool)], ["no_records", "as_reported", "agrees"], "differs"
    )
    m.loc[~known, "records"] = np.nan
    return m[RECONCILED_COLUMNS]


def _num(v: float) -> str:
    """A value as written in a message: 12, 300.4, 1234.56.

    >>> _num(12.0), _num(300.4), _num(1234.5678)
    ('12', '300.4', '1234.57')
    """
    return f"{v:.2f}".rstrip("0").rstrip(".") if v == v else ""


def _source(indicator: str, schema: Schema) -> str:
    table = SOURCES[indicator][0]
    return "基本信息" if table == "info" else schema.sheet(table).label


def reconcile_findings(rows: pd.DataFrame, schema: Schema | None = None) -> list[Finding]:
    """The findings of ``reconcile``'s rows: per summary row one info listing
    the values that agree; an error at each cell that differs; a warning at
    each cell taken as reported.  Nothing for a unit without records.

    >>> row = lambda k, v, h, c, r, x: ["U", 2023, k, v, "a.xlsx", "统计表", 4, h, c, "统计表", r, x]
    >>> rows = pd.DataFrame([row("activities", 12.0, "活动场次", 2, 10.0, "differs"),
    ...                      row("activity_spend", 300.4, "活动支出", 3, 300.0, "agrees"),
    ...                      row("care_visits", 30.0, "慰问人次", 4, 0.0, "as_reported")], columns=RECONCILED_COLUMNS)
    >>> for f in reconcile_findings(rows):
    ...     print((f.severity, f.sheet, f.row, f.column, f.col, f.value, f.code))
    ...     print(f.message)
    ('error', '统计表', 4, '活动场次', 2, '12', 'summary_differs')
    统计表填报的活动场次 12 与活动台账明细统计的 10 不一致，请核对后更正其中之一（报告按明细计）
    ('warning', '统计表', 4, '慰问人次', 4, '30', 'summary_as_reported')
    本单位未报送慰问帮扶明细，慰问人次按统计表报送数 30 计入，没有逐条记录可核对；如有明细，请一并报送
    ('info', '统计表', 4, '', None, '', 'summary_agrees')
    统计表本行与明细一致（已逐项核对：活动支出 300.4）
    """
    schema = schema or load_schema()
    out: list[Finding] = []
    agree: dict[tuple, list[str]] = {}
    for r in rows.itertuples(index=False):
        src = _source(r.indicator, schema)
        table = SOURCES[r.indicator][0]
        v = _num(r.value)
        if r.verdict == "agrees":
            agree.setdefault((r.source_file, r.sheet, int(r.excel_row), r.unit, int(r.year), r.origin), []).append(
                f"{r.column} {v}"
            )
            continue
        cell = dict(
            file=r.source_file,
            sheet=r.sheet,
            row=int(r.excel_row),
            column=r.column,
            value=v,
            unit=r.unit,
            year=int(r.year),
            table=table,
            col=int(r.col),
        )
        if r.verdict == "differs":
            if r.records != r.records:
                msg = (
                    f"{r.origin}填报的{r.column} {v}，{src}明细中没有可统计的数值，无法核对；"
                    "请在明细中补填或更正统计表（报告中此项为缺失）"
                )
            else:
                rec = f"{src}填报的" if table == "info" else f"{src}明细统计的"
                msg = (
                    f"{r.origin}填报的{r.column} {v} 与{rec} {_num(r.records)} 不一致，请核对后更正其中之一"
                    f"（报告按{src if table == 'info' else '明细'}计）"
                )
            out.append(Finding(**cell, action="checked", severity="error", message=msg, code="summary_differs"))
        elif r.verdict == "as_reported":
            what = "基本信息未填职工人数" if table == "info" else f"本单位未报送{src}明细"
            msg = f"{what}，{r.column}按{r.origin}报送数 {v} 计入，没有逐条记录可核对；如有明细，请一并报送"
            out.append(Finding(**cell, action="kept", severity="warning", message=msg, code="summary_as_reported"))
    for (file, sheet, row, unit, year, origin), what in agree.items():
        out.append(
            Finding(
                file,
                sheet,
                row,
                "",
                "",
                "kept",
                "info",
                f"{origin}本行与明细一致（已逐项核对：{'、'.join(what)}）",
                "summary_agrees",
                unit,
                year,
            )
        )
    return out


def reconcile_ledger(ledger) -> pd.DataFrame:
    """``reconcile`` for a loaded ``Ledger`` (its ``reported`` values and its
    tables); no rows when it has no summary table."""
    reported = getattr(ledger, "reported", None)
    if reported is None or not len(reported):
        return pd.DataFrame(columns=RECONCILED_COLUMNS)
    return reconcile(reported, record_totals(ledger.tables, sorted(set(reported["indicator"]))))


def taken_as_reported(ledger) -> pd.DataFrame:
    """``unit, year, indicator, value``: the reported values a unit with
    records has no records for (verdict ``as_reported``); a unit reporting one
    twice: its last value, as for a unit without records."""
    rows = reconcile_ledger(ledger)
    rows = rows[rows["verdict"] == "as_reported"]
    return rows.drop_duplicates(["unit", "year", "indicator"], keep="last")[["unit", "year", "indicator", "value"]]
