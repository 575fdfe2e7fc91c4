"""Record sheets as planted: rows of raw cells with their truth, plus the
layout mess (sheet/header aliases, header units, hidden, duplicate,
other-year, blank, subtotal and note rows, title rows, blank columns).

A :class:`Table` is what the writer lays out on a sheet and what the truth is
read from; Excel row numbers are filled in when it is laid out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gonghui_kit.ledgers.sample.mess import MessContext, render_record, unknown_labels
from gonghui_kit.ledgers.sample.values import fmt_num
from gonghui_kit.schema import Column, Schema, Sheet, norm_key

__all__ = ["Row", "Table", "build_table"]


@dataclass
class Row:
    """One sheet row: raw cells, what kind of row it is, and its truth."""

    cells: list
    kind: str = "record"  # record | duplicate | subtotal | other_year | note | blank
    truth: dict | None = None
    hidden: bool = False
    flags: list = field(default_factory=list)  # (anomaly kind, column key, raw) of counted rows
    formulas: dict = field(default_factory=dict)  # column index -> formula text (cached value = cell)
    of: Row | None = None  # duplicate source
    sum_cols: tuple = ()  # subtotal: columns to sum
    partial: bool = False  # subtotal: a 小计 of the rows since the previous one
    excel_row: int = 0


@dataclass
class Table:
    """One record sheet as written (name, headers, rows, layout mess)."""

    key: str
    name: str
    headers: list[str]
    columns: list[Column]
    rows: list[Row]
    scales: dict[str, float]
    titles: list[str]
    blank_cols: list[int]  # logical positions (before which a blank column is inserted)
    leading_blank: bool = False
    header_row: int = 1


def _written_headers(ctx: MessContext, sheet: Sheet, aliases: bool) -> list[str]:
    """Headers as written: canonical, or aliases that still resolve uniquely."""
    labels = {norm_key(c.label) for c in sheet.columns}
    out, seen = [], set()
    for c in sheet.columns:
        name = c.label
        if aliases and c.aliases and ctx.rng.random() < 0.6:
            ok = [a for a in c.aliases if norm_key(a) not in labels and norm_key(a) not in seen]
            if ok:
                name = ctx.rng.choice(ok)
        seen.add(norm_key(name))
        out.append(name)
    return out


def _record_row(ctx: MessContext, sheet: Sheet, rec: dict, scales: dict[str, float], schema: Schema) -> Row:
    """One canonical record as a row of raw cells (see :func:`render_record`)."""
    cells, truth, flags = render_record(ctx, sheet, rec, scales, schema)
    return Row(cells, truth=truth, flags=flags)


def _plain_rows(rows: list[Row]) -> list[int]:
    return [
        i
        for i, r in enumerate(rows)
        if r.kind == "record"
        and not r.flags
        and not r.hidden
        and not r.formulas
        and (r.truth or {}).get("date", 0) is not None
    ]


def build_table(ctx: MessContext, sheet: Sheet, records: list[dict], unit: str, schema: Schema) -> Table:
    rng, dated = ctx.rng, sheet.date_column is not None
    name = rng.choice(sheet.aliases) if sheet.aliases and ctx.want("alias_sheet_name") else sheet.label
    if name != sheet.label:
        ctx.used("alias_sheet_name")
    aliases = ctx.want("alias_headers")
    headers = _written_headers(ctx, sheet, aliases)
    if aliases and any(h != c.label for h, c in zip(headers, sheet.columns, strict=True)):
        ctx.used("alias_headers")
    scales: dict[str, float] = {}
    money = [i for i, c in enumerate(sheet.columns) if c.type == "money"]
    if money and ctx.want("header_unit_wan"):
        i = money[0]
        headers[i] += "（万元）"
        scales[sheet.columns[i].key] = 10000.0
        ctx.used("header_unit_wan")
    elif money and ctx.want("header_unit_yuan"):
        headers[money[0]] += rng.choice(("（元）", "(元)"))
        ctx.used("header_unit_yuan")

    records = [dict(r) for r in records]
    if dated and records and ctx.want("no_date"):
        rec = rng.choice(records)
        rec["date"] = None
        rec["_no_date"] = True
    rows = [_record_row(ctx, sheet, r, scales, schema) for r in records]
    for r, rec in zip(rows, records, strict=True):
        if rec.get("_no_date"):
            r.flags.append(("no_date", "date", None))
            ctx.used("no_date")

    if ctx.want("unknown_category"):
        _plant_unknown_category(ctx, sheet, rows, schema)
    if ctx.want("formula_cached"):
        _plant_record_formula(ctx, sheet, rows, scales)
    plain = _plain_rows(rows)
    if plain and ctx.want("hidden_row"):
        for i in rng.sample(plain, min(len(plain), rng.randint(1, 2))):
            rows[i].hidden = True
            rows[i].flags.append(("hidden_row", None, None))
            ctx.used("hidden_row")
    plain = _plain_rows(rows)
    if plain and ctx.want("duplicate"):
        i = rng.choice(plain)
        dup = Row(list(rows[i].cells), kind="duplicate", of=rows[i])
        rows.insert(i + 1 + rng.choice((0, 0, 1)), dup)
        ctx.used("duplicate")
    if dated and records and ctx.want("other_year"):
        rows.insert(rng.choice((0, len(rows))), _other_year_row(ctx, sheet, records, scales, schema))
        ctx.used("other_year")
    if rows and ctx.want("blank_rows"):
        for _ in range(rng.randint(1, 3)):
            rows.insert(rng.randint(1, len(rows)), Row([None] * len(sheet.columns), kind="blank"))
        ctx.used("blank_rows")
    if rows and ctx.want("subtotal"):
        _plant_subtotals(ctx, sheet, rows)
    if ctx.want("note"):
        rows.append(Row([None] * len(sheet.columns), kind="blank"))
        rows.append(Row(["填表说明：本表按时间顺序逐条填写，金额单位为元，次年1月15日前报上级工会。"], kind="note"))
        if rng.random() < 0.7:
            rows.append(Row(["制表人：工会办    审核人：工会主席"], kind="note"))
        ctx.used("note", sum(r.kind == "note" for r in rows))

    titles: list[str] = []
    if ctx.want("title_rows"):
        titles.append(f"{ctx.year}年{unit}{name}")
        if rng.random() < 0.5:
            titles.append(f"填报单位（盖章）：{unit}")
        ctx.used("title_rows")
    blank_cols: list[int] = []
    leading = False
    if ctx.want("blank_columns"):
        if rng.random() < 0.4:
            leading = True
        else:
            blank_cols.append(rng.randint(1, len(sheet.columns) - 1))
        ctx.used("blank_columns")
    return Table(sheet.key, name, headers, list(sheet.columns), rows, scales, titles, blank_cols, leading)


def _other_year_row(ctx: MessContext, sheet: Sheet, records: list[dict], scales, schema) -> Row:
    rec = dict(ctx.rng.choice(records))
    rec.pop("_cash_gift", None)
    rec[sheet.date_column] = dt.date(ctx.year - 1, 12, ctx.rng.randint(10, 31))
    if "note" in sheet.column_keys:
        rec["note"] = "上年补录"
    if "number" in sheet.column_keys:
        rec["number"] = f"TA{ctx.year - 1}-补"
    if "voucher" in sheet.column_keys:
        rec["voucher"] = f"付-{ctx.year - 1}-补"
    pending, ctx.pending = ctx.pending, set()  # forced kinds must land on counted rows
    row = _record_row(ctx, sheet, rec, scales, schema)
    ctx.pending = pending
    row.kind, row.flags = "other_year", []
    return row


def _plant_unknown_category(ctx: MessContext, sheet: Sheet, rows: list[Row], schema: Schema) -> None:
    """One label that is in no list (``茶话会``): read as 其他, with a warning."""
    cols = [j for j, c in enumerate(sheet.columns) if c.categories and unknown_labels(schema.categories[c.categories])]
    plain = _plain_rows(rows)
    if not cols or not plain:
        return
    j = ctx.rng.choice(cols)
    col, cats = sheet.columns[j], schema.categories[sheet.columns[j].categories]
    row = rows[ctx.rng.choice(plain)]
    raw = ctx.rng.choice(unknown_labels(cats))
    row.cells[j] = raw
    row.truth[col.key] = cats.unknown
    row.flags.append(("unknown_category", col.key, raw))
    ctx.used("unknown_category")


def _plant_record_formula(ctx: MessContext, sheet: Sheet, rows: list[Row], scales) -> None:
    """A money cell typed as ``=a+b`` (its cached value is the amount)."""
    keys = [c.key for c in sheet.columns]
    money = [i for i, c in enumerate(sheet.columns) if c.type == "money" and c.key not in scales]
    if not money:
        return
    j = money[0]
    cand = [i for i in _plain_rows(rows) if isinstance(rows[i].cells[j], (int, float)) and rows[i].cells[j] >= 200]
    if not cand:
        return
    row = rows[ctx.rng.choice(cand)]
    value = float(round(row.cells[j]))
    b = float(ctx.rng.randrange(100, int(value), 50)) if value > 150 else 0.0
    row.cells[j] = value
    row.truth[keys[j]] = value
    row.formulas[j] = f"{fmt_num(value - b)}+{fmt_num(b)}"
    ctx.used("formula_cached")


def _plant_subtotals(ctx: MessContext, sheet: Sheet, rows: list[Row]) -> None:
    """A 合计/总计 row at the end, sometimes a 小计 half-way."""
    sum_cols = tuple(i for i, c in enumerate(sheet.columns) if c.type in ("count", "money"))
    label_col = 0 if ctx.rng.random() < 0.6 else 1
    n = len(sheet.columns)
    n_records = sum(1 for r in rows if r.kind == "record")
    unit = "人" if sheet.key == "members" else "项"

    def make(word: str, partial: bool) -> Row:
        cells = [None] * n
        cells[label_col] = word
        if not sum_cols:
            cells[(label_col + 1) % n] = f"共{n_records}{unit}"
        return Row(cells, kind="subtotal", sum_cols=sum_cols, partial=partial)

    records = [i for i, r in enumerate(rows) if r.kind == "record"]
    if len(records) >= 8 and ctx.rng.random() < 0.3:
        rows.insert(records[len(records) // 2] + 1, make("小计", True))
    rows.append(make(ctx.rng.choice(("合计", "合计", "总计", "小 计")), False))
    ctx.used("subtotal", sum(r.kind == "subtotal" for r in rows))
