"""Which sheet is which: a workbook's sheets matched to the schema's (by name,
by layout file, or by their headers), and the sheets that are not read as
records — summary tables, hidden sheets, unknown sheets — each said in a
finding."""

from __future__ import annotations

from gonghui_kit.ingest import clean
from gonghui_kit.ingest.context import LoadContext
from gonghui_kit.ingest.grid import locate_header
from gonghui_kit.ingest.layout import hidden_verdict
from gonghui_kit.ingest.ledger import WorkbookResult
from gonghui_kit.ingest.read import RawSheet, RawWorkbook
from gonghui_kit.ingest.summary import read_summary
from gonghui_kit.schema import Schema, Sheet


def assign_sheets(wb: RawWorkbook, schema: Schema, ctx: LoadContext) -> list[tuple[RawSheet, Sheet | None]]:
    """Each sheet of ``wb`` with the schema sheet it holds (None: not known), said in a finding when
    a layout file ignores it or it is known by its headers only."""
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


def read_summary_sheet(raw: RawSheet, sr: int, sheet: Sheet | None, res: WorkbookResult, ctx: LoadContext) -> None:
    """A summary table (``summary.read_summary``): its values as reported, said so."""
    recs, problems = read_summary(raw, sr, ctx.year, res.name, ctx.schema)
    res.reported.extend(recs)
    for row, col, header, value, code, severity, message in problems:
        ctx.add(
            raw.name,
            row,
            header,
            value,
            "missing"
            if code == "number_invalid"
            else "excluded"
            if code in ("subtotal", "note", "summary_empty")
            else "checked"
            if severity == "warning"
            else "skipped",
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
        f"这是统计表（每个单位一行）：{len(units)} 个单位的数值按报送数计入，"
        f"没有逐条记录可核对（{'、'.join(units[:5])}{'等' if len(units) > 5 else ''}）；"
        "同时报送了明细台账的单位以明细为准，并与本表逐项核对。请核对；如有明细台账，请一并报送。",
        "summary_read",
    )
    said = {code: len({p[0] for p in problems if p[4] == code}) for code in ("subtotal", "note", "summary_empty")}
    blank = sum(1 for r in raw.rows[sr + 1 :] if all(clean.is_blank(v) for v in r))
    stats = dict(
        rows=len(raw.rows),
        title=sr + 1,
        blank=blank,
        notes=said["note"] + said["summary_empty"],
        subtotals=said["subtotal"],
        duplicates=0,
        other_year=0,
        records=n,
        unreadable=len(raw.rows) - sr - 1 - n - blank - said["note"] - said["summary_empty"] - said["subtotal"],
    )
    res.stats.append(
        {
            **stats,
            "file": res.name,
            "unit": ctx.unit,
            "year": ctx.year,
            "sheet": raw.name,
            "table": "summary",  # its rows are in Ledger.reported, not in a record table
        }
    )


def hidden_sheet(raw: RawSheet, sheet: Sheet, assigned: list[tuple[RawSheet, Sheet | None]], ctx: LoadContext) -> bool:
    """Whether a hidden record sheet is read (``layout.hidden_verdict``), said in a finding."""
    read, code, severity, action, message = hidden_verdict(
        raw, sheet, [r for r, s in assigned if s is not None and s.key == sheet.key and r.visible]
    )
    ctx.add(raw.name, None, "", "", action, severity, message, code, sheet.key)
    return read


def unknown_sheet(raw: RawSheet, ctx: LoadContext) -> None:
    """A sheet not matched to any schema sheet: an error finding when it holds
    anything (not a helper sheet, not one the layout file ignores)."""
    schema = ctx.schema
    ignored = ctx.layout is not None and (sl := ctx.layout.for_sheet(raw.name)) is not None and sl.ignore
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
            f"未识别的工作表“{raw.name}”（{len(raw.rows)} 行有内容），未读取，数据不完整。"
            f"如是台账数据，请把工作表名称改为{names}之一；如不是台账数据，请删除这张工作表后重新报送。",
            "unknown_sheet",
        )
