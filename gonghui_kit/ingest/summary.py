"""Summary tables (统计表, 汇总表): one row per unit, one column per
indicator, as a 上级工会 collects them.  Their values are taken as reported
and checked for internal consistency; ``analysis.indicators`` uses them for
units without records.  A unit that also sends records has the two compared
(``ingest.reconcile``): the records count, the summary row is checked.
"""

from __future__ import annotations

from typing import Any

from gonghui_kit.ingest import clean
from gonghui_kit.ingest.grid import BLANK, NOTE, SECTION, SIGNATURE, SUBTOTAL, make_grid, row_kind_codes
from gonghui_kit.ingest.read import RawSheet
from gonghui_kit.schema import Schema, load_schema, norm_key

__all__ = ["read_summary", "REPORTED_COLUMNS", "MONEY"]

# column: the header as written; col: its 1-based Excel column
# origin: what reported it, as a message names it (统计表, or 基本信息 for its 会员人数)
REPORTED_COLUMNS = [
    "unit",
    "year",
    "indicator",
    "value",
    "source_file",
    "sheet",
    "excel_row",
    "column",
    "col",
    "origin",
]

# the indicators in 元 (the others are counts)
MONEY = {"activity_spend", "income_total", "expense_total", "care_amount"}

# (smaller, larger, message): a row whose values contradict each other
_CONSISTENT = (
    ("activities", "activity_participants", "参与人次少于活动场次"),
    ("members_total", "employees", "会员人数多于职工人数"),
    ("training_sessions", "training_person_times", "培训人次少于培训场次"),
)


_EMPTY = "这一行只有单位名称，没有填数，未计入（如这个单位有数，请补填后重新报送）"


def _skipped_row(row: list[Any], unit: str | None, kind: int) -> tuple[int, Any, str, str, str] | None:
    """Why a row of a 统计表 names no unit, from its kind as ``grid.row_kind_codes``
    tells record rows apart: ``(column, value, code, severity, message)``, or
    None for a blank row.

    >>> [_skipped_row(r, u, k)[2:4] for r, u, k in ((["合计", 9], "合计", SUBTOTAL), (["注：略"], None, NOTE))]
    [('subtotal', 'info'), ('note', 'info')]
    >>> from gonghui_kit.ingest.grid import DATA
    >>> _skipped_row([None, 5], None, DATA)[2:4], _skipped_row([None, ""], None, BLANK)
    (('summary_no_unit', 'error'), None)
    """
    if kind == BLANK:
        return None
    j, v = next((j, v) for j, v in enumerate(row) if not clean.is_blank(v))
    if unit is not None or kind == SUBTOTAL:
        return j, v, "subtotal", "info", "合计行，不是单位，未计入（汇总由系统计算）"
    if kind in (NOTE, SIGNATURE, SECTION):
        return j, v, "note", "info", "表格下方的说明或签字行，不是单位，未计入"
    return j, v, "summary_no_unit", "error", "这一行没有填单位名称，数值未计入，数据不完整。请填写单位名称后重新报送"


def read_summary(
    raw: RawSheet, header_row: int, year: int, file: str, schema: Schema | None = None
) -> tuple[list[dict[str, Any]], list[tuple[int, int, str, Any, str, str, str]]]:
    """The values of a summary table whose header is ``raw.rows[header_row]``:
    records ``{unit, year, indicator, value, source_file, sheet, excel_row,
    column, col}`` (``REPORTED_COLUMNS``)
    and problems ``(excel_row, 1-based column, header, value, code,
    severity, message)``.  Total rows (合计) and rows without a unit are left
    out; a value not understood is an error; inconsistent values a warning.

    >>> rows = [["单位名称", "活动场次", "参与人次", "备注", "其他"], ["机关分会", 4, 3, "", None]]
    >>> rows.append(["合计", 4, 3, None])
    >>> s = RawSheet("统计表", [*rows, ["动力分会", "很多", 9, None]])
    >>> recs, probs = read_summary(s, 0, 2023, "a.xlsx")
    >>> [(r["unit"], r["indicator"], r["value"]) for r in recs][:2]
    [('机关分会', 'activities', 4.0), ('机关分会', 'activity_participants', 3.0)]
    >>> [(r["unit"], r["indicator"], r["value"]) for r in recs][2:]
    [('动力分会', 'activity_participants', 9.0)]
    >>> [(p[0], p[1], p[4], p[5]) for p in probs][:2]
    [(2, 3, 'summary_inconsistent', 'warning'), (3, 1, 'subtotal', 'info')]
    >>> [(p[0], p[1], p[4], p[5]) for p in probs][2:]
    [(4, 2, 'number_invalid', 'error'), (1, 5, 'unknown_column', 'info')]
    """
    schema = schema or load_schema()
    units = {norm_key(a) for a in schema.unit_column}
    head = raw.rows[header_row]
    unit_j = next(j for j, h in enumerate(head) if isinstance(h, str) and norm_key(h) in units)
    cols = {
        j: schema.summary_lookup[norm_key(h)]
        for j, h in enumerate(head)
        if isinstance(h, str) and norm_key(h) in schema.summary_lookup
    }
    records: list[dict[str, Any]] = []
    problems: list[tuple[int, int, str, Any, str, str, str]] = []
    body = raw.rows[header_row + 1 :]
    kinds = row_kind_codes(make_grid(body), body, schema)  # totals, notes, signatures as in record sheets
    for i in range(header_row + 1, len(raw.rows)):
        row = raw.rows[i]
        unit = clean.clean_text(row[unit_j]) if unit_j < len(row) else None
        excel_row = raw.excel_row(i)
        if unit is None or clean.is_subtotal_row([unit], schema.subtotal_words):
            skipped = _skipped_row(row, unit, int(kinds[i - header_row - 1]))
            if skipped is not None:
                problems.append((excel_row, raw.first_col + skipped[0] + 1, "", *skipped[1:]))
            continue
        got: dict[str, tuple[float, int]] = {}
        for j, key in cols.items():
            v = row[j] if j < len(row) else None
            r = clean.parse_number(v, kind="money" if key in MONEY else "count")
            if not r.ok:
                problems.append(
                    (
                        excel_row,
                        raw.first_col + j + 1,
                        str(head[j]),
                        v,
                        "number_invalid",
                        "error",
                        "无法识别为数字，未计入。请改为数字后重新报送",
                    )
                )
            elif r.value is not None:
                got[key] = (r.value, j)
                records.append(
                    dict(
                        unit=unit,
                        year=year,
                        indicator=key,
                        value=r.value,
                        source_file=file,
                        sheet=raw.name,
                        excel_row=excel_row,
                        column=str(head[j]).strip(),
                        col=raw.first_col + j + 1,
                        origin="统计表",
                    )
                )
        if not got and not any(p[0] == excel_row for p in problems):  # a unit named, nothing filled in
            problems.append(
                (excel_row, raw.first_col + unit_j + 1, str(head[unit_j]), unit, "summary_empty", "info", _EMPTY)
            )
        for small, large, what in _CONSISTENT:
            if small in got and large in got and got[small][0] > got[large][0]:
                problems.append(
                    (
                        excel_row,
                        raw.first_col + got[large][1] + 1,
                        str(head[got[large][1]]),
                        got[large][0],
                        "summary_inconsistent",
                        "warning",
                        f"{what}，前后矛盾，请核实",
                    )
                )
    # 序号, 地点 … and a 统计表's free-text 备注/说明: recognised, nothing to count
    ignored = {norm_key(c) for c in (*schema.ignored_columns, "备注", "说明")}
    for j, h in enumerate(head):
        if j != unit_j and j not in cols and isinstance(h, str) and h.strip() and norm_key(h) not in ignored:
            filled = any(j < len(r) and not clean.is_blank(r[j]) for r in raw.rows[header_row + 1 :])
            problems.append(
                (
                    raw.excel_row(header_row),
                    raw.first_col + j + 1,
                    h.strip(),
                    "",
                    "unknown_column",
                    "error" if filled else "info",
                    "统计表中未识别的列，未读取" + ("，数据不完整。请删除该列或改为统计表的标准列名" if filled else ""),
                )
            )
    return records, problems
