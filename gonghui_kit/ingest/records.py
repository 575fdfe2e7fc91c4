"""One record sheet → its table: find the header (or take the layout file's),
classify every row below it (blank, note, signature, subtotal, repeated
header, duplicate, record: ``grid``), parse every column by its schema type
(``values``, ``clean``), pseudonymise personal data (``pii``) and drop
records of another year — each step said in findings, every row counted in
the sheet's stats."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from gonghui_kit.ingest import categories, clean
from gonghui_kit.ingest.codes import NA_CODE
from gonghui_kit.ingest.context import LoadContext
from gonghui_kit.ingest.findings import Finding, finding_fields, findings_like, row_ranges, show_value
from gonghui_kit.ingest.grid import (
    BLANK,
    DATA,
    NOTE,
    SECTION,
    SIGNATURE,
    duplicates,
    header_repeats,
    locate_header,
    make_grid,
    match_header,
    row_kind_codes,
    title_scale,
)
from gonghui_kit.ingest.idcard import DERIVATIONS
from gonghui_kit.ingest.layout import excel_col, fill_ditto, fill_merged, has_ditto, stand_ins
from gonghui_kit.ingest.layouts import apply_columns
from gonghui_kit.ingest.ledger import table_columns
from gonghui_kit.ingest.notes import NOTE_MESSAGES, YM_BY_ORDER
from gonghui_kit.ingest.pii import pseudonyms
from gonghui_kit.ingest.read import RawSheet
from gonghui_kit.ingest.values import MEMO, date_values, number_values, settle_ym, take, to_column
from gonghui_kit.schema import Sheet

REPEATED = -1  # a row kind of its own here: a repeated header row (counted with the title rows)

#: Rows that are not records, left out and named (counted with the notes): kind -> (code, message).
_LEFT_OUT = {
    NOTE: ("note", "表格下方的说明文字，不是记录，未计入"),
    SECTION: ("section", "表格中的分段标题（如“二、支出”），不是记录，未计入"),
    SIGNATURE: ("signature", "签字、盖章或填表说明行，不是记录，未计入"),
}


def fill_derived(
    out: dict[str, Any], sources: dict[str, tuple[list[Any], np.ndarray]], sheet_name: str, key: str, ctx
) -> None:
    """Blank cells of ``out``'s columns filled from what a personal column
    gives (``sources``: target column -> the personal column's distinct raw
    values and each row's index into them; ``idcard.DERIVATIONS`` says how),
    said once per column.  Only rows left blank are derived (usually none:
    nothing to compute); the personal values themselves are never kept."""
    for col, (vals, inv) in sources.items():
        have = out.get(col)
        if have is None:
            continue
        blank = pd.isna(pd.Series(have)).to_numpy()
        if not blank.any():
            continue
        rows = np.flatnonzero(blank)
        got = {u: DERIVATIONS[col](vals[u]) for u in set(inv[rows].tolist())}
        values = [got[u] for u in inv[rows].tolist()]
        ok = np.array([v is not None for v in values], dtype=bool)
        if not ok.any():
            continue
        take_, new = rows[ok], [v for v in values if v is not None]
        if col == "gender":
            filled = np.array(pd.Series(have, dtype=object).where(~blank, None), dtype=object)
            filled[take_] = new
            out[col] = to_column(list(filled), np.arange(len(filled)))
        else:
            filled = have.copy()
            filled[take_] = np.array([np.datetime64(v, "D") for v in new]).astype(filled.dtype)
            out[col] = filled
            prec = np.array(out[f"{col}_precision"], dtype=object)
            prec[take_] = "day"
            out[f"{col}_precision"] = prec
        label = ctx.schema.sheet(key).column(col).label
        ctx.add(
            sheet_name,
            None,
            label,
            "",
            "converted",
            "info",
            f"{len(take_)} 人的{label}未填写，已按身份证号推算（身份证号本身不保存）",
            "derived_from_id",
            key,
        )


def clean_sheet(raw: RawSheet, sheet: Sheet, ctx: LoadContext) -> tuple[pd.DataFrame | None, dict[str, int]]:
    """The sheet's table (None: no header found) and its row counts (``rows == title + blank + notes +
    subtotals + duplicates + other_year + records``, or all ``unreadable``)."""
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
                f"找不到表头，数据不完整（应含“{'”“'.join(c.label for c in sheet.columns[:4])}”等列），"
                f"本表 {n_filled} 行未读取。请按模板填写表头。",
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
                f"未识别的列“{text}”（{excel_col(col - 1)}列，{filled} 个单元格有内容），未读取，数据不完整。"
                f"{hint}如不是台账数据，请删除这一列后重新报送。",
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
    declared = title_scale(raw.rows[: header.row])
    from_title: set[int] = set()
    if declared is not None and declared[0] != 1.0:
        factor, ti, tj, text = declared
        header = dataclasses.replace(header, scales=dict(header.scales))  # header matches are shared (memoised)
        kinds = {c.key: c.type for c in (*sheet.columns, *sheet.extra)}
        for j, key in header.columns.items():
            if kinds.get(key) == "money" and "元" not in header.headers[j] and header.scales.get(j, 1.0) == 1.0:
                header.scales[j] = factor
                from_title.add(j)
                ctx.add(
                    raw.name,
                    raw.excel_row(ti),
                    header.headers[j],
                    text,
                    "converted",
                    "info",
                    f"表格上方注明“{text}”，“{header.headers[j]}”列数值已乘以 {factor:,.0f} 换算为元",
                    "title_scale",
                    sheet.key,
                    col=raw.first_col + tj + 1,
                )
            elif kinds.get(key) == "money" and header.scales.get(j, 1.0) != factor:
                ctx.add(
                    raw.name,
                    raw.excel_row(header.row),
                    header.headers[j],
                    text,
                    "kept",
                    "warning",
                    f"表格上方写着“{text}”，但列名“{header.headers[j]}”写明了自己的单位，已按列名计入。"
                    "请核对金额单位，删去不对的一处",
                    "title_scale_conflict",
                    sheet.key,
                    col=raw.first_col + j + 1,
                )
    for j in header.columns:
        if header.scales.get(j, 1.0) != 1.0 and j not in from_title:
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
    ditto = fill_ditto(body, sorted(header.columns)) if has_ditto(grid.texts) else []  # distinct texts: cheap
    if ditto:
        grid = make_grid(body)
    for i, j, value in ditto:
        ctx.add(
            raw.name,
            raw.excel_row(header.row + 1 + i),
            header.headers.get(j, ""),
            value if j not in pii_cols0 else "",
            "converted",
            "info",
            "写的是“同上”，按上一行的值计入",
            "ditto",
            sheet.key,
            col=raw.first_col + j + 1,
        )
    kinds = row_kind_codes(grid, body, schema)
    row0 = raw.excel_row(header.row + 1)  # Excel row of body[0]
    repeats = np.flatnonzero(header_repeats(grid, header, sheet, schema) & (kinds == DATA))
    kinds[repeats] = REPEATED
    if raw.hidden_rows:  # hidden by hand or by a filter: data all the same, and said
        hid = (row0 + np.flatnonzero(kinds == DATA)).tolist()
        hid = [r for r in hid if r in raw.hidden_rows]
        if hid:
            ctx.add(
                raw.name,
                hid[0],
                "",
                "",
                "kept",
                "info",
                f"第{row_ranges(hid)}行在 Excel 中是隐藏的（手动隐藏或被筛选隐藏），"
                f"仍是数据，已计入（共 {len(hid)} 行）",
                "hidden_rows",
                sheet.key,
            )
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
        elif k in _LEFT_OUT:
            stats["notes"] += 1
            code, message = _LEFT_OUT[k]
            j, text = next((j, v) for j, v in enumerate(body[i]) if not clean.is_blank(v))
            if k == SIGNATURE:
                shown = str(text).replace(":", "：").split("：", 1)[0].strip()  # the label only: a name may follow
            else:
                shown = "" if j in pii_cols else text
            ctx.add(
                raw.name, row0 + i, "", shown, "excluded", "info", message, code, sheet.key, col=raw.first_col + j + 1
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

    def report(pii: bool, j: int, inv: np.ndarray, vals: list[Any], notes: list[tuple[str, ...] | None]) -> None:
        """One finding per cell whose distinct value carries a note, in row order; a note is (type, code)
        or (type, code, message) when the message is not the code's own."""
        protos: list[dict[str, Any]] = []
        proto_of: dict[tuple[str, ...], int] = {}
        index = np.full(len(notes), -1, dtype=np.intp)
        shown: list[str] = [""] * len(notes)
        for u, nt in enumerate(notes):
            if nt is None:
                continue
            k = proto_of.get(nt)
            if k is None:
                sev, action, msg = NOTE_MESSAGES[nt[:2]]
                msg = nt[2] if len(nt) > 2 else msg
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
            f"本表按“{header.headers[uj]}”列分属 {len(named)} 个单位"
            f"（{'、'.join(named[:5])}{'等' if len(named) > 5 else ''}），"
            f"各单位分别统计；该列空白的记录计入本台账单位“{ctx.unit}”",
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
    derived: dict[str, tuple[list[Any], np.ndarray]] = {}  # column key -> a personal column it may come from
    for col in (*sheet.columns, *(c for c in sheet.extra if c.key in col_of)):
        if col.pii and not col.identifying:
            if col.derives and col.key in col_of and n:
                vals, inv, _ = distinct(col_of[col.key])
                for key in col.derives:
                    derived[key] = (vals, inv)
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
                if n and "ym_ambiguous" in codes:  # 2024.1: January or October, by the column's order
                    row_codes = take(codes, inv)
                    settled, how = settle_ym(pd.Series(out[col.key], index=rows_no), pd.Series(row_codes, rows_no))
                    out[col.key] = settled.to_numpy()
                    # each such cell a note of its own (rows in ``how``'s order): the month taken and why
                    cells = np.flatnonzero(row_codes == "ym_ambiguous")
                    inv, vals = inv.copy(), [*vals, *take(vals, inv[cells])]
                    inv[cells] = len(notes) + np.arange(len(cells))
                    for month, by_order, above, below in how.itertuples(index=False):
                        why = YM_BY_ORDER.format(month=month, above=above, below=below)
                        notes.append(("date", "ym_ambiguous", why) if by_order else ("date", "ym_ambiguous"))
                report(col.pii, j, inv, vals, notes)
        elif col.type in ("category", "yesno"):
            cats = schema.categories[col.categories]
            res = MEMO.map(
                ("category", MEMO.pin(cats), col.blank),
                vals,
                partial(categories.map_category, categories=cats, blank=col.blank),
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
            res = MEMO.map(("account", MEMO.pin(schema)), vals, partial(categories.map_account, schema=schema))
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

    if derived:
        fill_derived(out, derived, raw.name, sheet.key, ctx)
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
        df = resolve_direction(df, raw.name, ctx)
    for r, c in raw.formulas_without_value:
        hr = raw.excel_row(header.row)
        if r > hr:
            name = header.headers.get(c - raw.first_col, "")
            counted = (c - raw.first_col) in header.columns  # a recognised column: its value is unknown
            ctx.add(
                raw.name,
                r,
                name,
                "",
                "missing",
                "error" if counted else "info",
                "公式单元格没有计算结果（缓存值），未计入，数据不完整。请在 Excel/WPS 中打开、重新计算并保存后报送。"
                if counted
                else "公式单元格没有计算结果（缓存值）；这一列不参与统计。",
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


def resolve_direction(df: pd.DataFrame, sheet_name: str, ctx: LoadContext) -> pd.DataFrame:
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
