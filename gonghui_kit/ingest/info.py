"""基本信息: a workbook's unit and year — from its 基本信息 sheet, or, when it
has none, inferred from its title rows or folder name (never from the file
name alone); a workbook of another year than the one checked is skipped."""

from __future__ import annotations

from typing import Any

from gonghui_kit.ingest.context import LoadContext
from gonghui_kit.ingest.ledger import WorkbookResult
from gonghui_kit.ingest.read import RawSheet, RawWorkbook
from gonghui_kit.ingest.whose import infer_unit_year, parse_info, title_rows
from gonghui_kit.schema import Sheet


def settle_unit_year(
    wb: RawWorkbook,
    assigned: list[tuple[RawSheet, Sheet | None]],
    res: WorkbookResult,
    ctx: LoadContext,
    want_year: int | None,
) -> bool:
    """Set the workbook's unit and year (on ``res`` and ``ctx``, and on the
    findings so far); False when it is not read on (``res.status`` says why,
    with a finding): no unit or year, or not of ``want_year``."""
    schema = ctx.schema
    info_sheets = [r for r, s in assigned if s is not None and s.key == "info"]
    if not info_sheets:
        info = infer_info(wb, assigned, res, ctx)
        if info is None:
            res.status = "refused"
            return False
        info_name = ""
    else:
        info_name = info_sheets[0].name
        where: dict[str, tuple[int, str, int]] = {}
        info = parse_info(info_sheets[0], schema, ctx.add, where)
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
        return False
    ctx.unit, ctx.year = unit, year
    for f in res.findings:  # findings so far get the unit too
        object.__setattr__(f, "unit", unit)
        object.__setattr__(f, "year", year)
    res.unit, res.year, res.employees = unit, year, info.get("employees")
    res.info = info
    if info_sheets and info.get("members") is not None:  # 会员人数: checked against 会员名册 (ingest.reconcile)
        row, header, col = where["members"]
        res.reported.append(
            dict(
                unit=unit,
                year=year,
                indicator="members_total",
                value=float(info["members"]),
                source_file=res.name,
                sheet=info_name,
                excel_row=row,
                column=header,
                col=col,
                origin="基本信息",
            )
        )
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
        return False
    return True


def infer_info(
    wb: RawWorkbook, assigned: list[tuple[RawSheet, Sheet | None]], res: WorkbookResult, ctx: LoadContext
) -> dict[str, Any] | None:
    """Unit and year of a file without 基本信息 (``whose.infer_unit_year``),
    said in a finding; None (refused, with a finding) when either stays unknown."""
    data = [r.rows for r, s in assigned if s is None or s.key != "info"]  # 统计表 sheets have no schema sheet
    lay = ctx.layout
    unit, unit_from, year, year_from = infer_unit_year(
        data, res.name, lay.unit if lay else None, lay.year if lay else None
    )
    if not data or unit is None or year is None:
        missing = "、".join(x for x, v in (("单位", unit), ("年度", year)) if v is None) or "台账数据"
        msg = (
            f"缺少“基本信息”工作表，也无法从标题行或文件夹名确定{missing}。"
            "请按模板补上“基本信息”（单位名称、年度、职工人数），或在表格上方写明“填报单位：…”和“20xx年”后重新报送。"
        )
        ctx.add("", None, "", "", "refused", "error", msg, "no_info")
        return None
    res.inferred = True
    info: dict[str, Any] = {}
    for raw, sheet in assigned:  # 职工人数：120 in a title line, as 基本信息 would say it
        if sheet is not None and sheet.key != "info" and (n := title_rows(raw.rows)):
            for k, v in parse_info(
                RawSheet(raw.name, raw.rows[:n], raw.first_row, raw.first_col), ctx.schema, ctx.add
            ).items():
                if k not in ("unit_name", "year") and v is not None:
                    info.setdefault(k, v)
    emp = info.get("employees")
    msg = (
        f"没有“基本信息”工作表：单位按{unit_from}取为“{unit}”，年度按{year_from}取为 {year}"
        + (f"，职工人数按表头上方的文字取为 {emp:g}" if emp is not None else "")
        + "。请核对；建议按模板补上“基本信息”"
        + ("。" if emp is not None else "（含职工人数）。")
    )
    ctx.add("", None, "", "", "kept", "warning", msg, "unit_inferred")
    return {**info, "unit_name": unit, "year": year}
