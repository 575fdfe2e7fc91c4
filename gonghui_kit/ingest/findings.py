"""Findings: what the quality report says about each file, sheet, row and cell.

A finding points at a place (file, sheet as named in that file, Excel row as a
person sees it, column header as written), shows the raw value (never
personal data: spec §6), says what was done and how serious it is.  The
same list feeds ``gonghui check`` (text and JSON), the quality pages of the
archive and the data-quality appendix of every unit report.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from dataclasses import MISSING, dataclass
from typing import Any, Iterable, Sequence

import pandas as pd

__all__ = ["Finding", "SEVERITIES", "ACTIONS", "findings_frame", "to_json", "to_text", "has_errors", "summarize"]

SEVERITIES = ("error", "warning", "info")

# action codes (stable, machine-readable) and how people read them
ACTIONS = {
    "refused": "未读取",
    "skipped": "已跳过",
    "excluded": "已排除",
    "converted": "已转换",
    "mapped": "已归类",
    "kept": "已保留",
    "missing": "按缺失处理",
    "checked": "需核实",
}

FINDING_FIELDS = ("file", "sheet", "row", "column", "value", "action", "severity", "message")


@dataclass(frozen=True, slots=True)
class Finding:
    file: str
    sheet: str
    row: int | None
    column: str
    value: str
    action: str
    severity: str
    message: str
    code: str = ""
    unit: str | None = None
    year: int | None = None
    table: str | None = None
    col: int | None = None  # 1-based Excel column of the cell, when known

    @property
    def cell(self) -> str | None:
        """The cell as Excel names it (``"E5"``), or None when the finding is not about one cell."""
        return f"{col_letters(self.col)}{self.row}" if self.row and self.col else None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"bad severity {self.severity!r}")
        if self.action not in ACTIONS:
            raise ValueError(f"bad action {self.action!r}")


_FIELDS = tuple(Finding.__dataclass_fields__)
_new = object.__new__
# the slot descriptors' setters: a frozen dataclass refuses plain assignment
(
    _s_file,
    _s_sheet,
    _s_row,
    _s_column,
    _s_value,
    _s_action,
    _s_severity,
    _s_message,
    _s_code,
    _s_unit,
    _s_year,
    _s_table,
    _s_col,
) = (Finding.__dict__[k].__set__ for k in _FIELDS)


def finding_fields(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """The fields of ``Finding(*args, **kwargs)``, checked, as a dict (for ``findings_like``)."""
    d = dict(zip(_FIELDS, args, strict=False))
    d.update(kwargs)
    for k, f in Finding.__dataclass_fields__.items():
        if k not in d:
            if f.default is MISSING:
                raise TypeError(f"missing field {k!r}")
            d[k] = f.default
    if len(d) != len(_FIELDS):
        raise TypeError("unknown field")
    if d["severity"] not in SEVERITIES:
        raise ValueError(f"bad severity {d['severity']!r}")
    if d["action"] not in ACTIONS:
        raise ValueError(f"bad action {d['action']!r}")
    return {k: d[k] for k in _FIELDS}


def findings_like(
    protos: Sequence[Finding | dict[str, Any]],
    which: Iterable[int],
    rows: Iterable[int | None],
    values: Iterable[str] | None = None,
    units: Iterable[str | None] | None = None,
) -> list[Finding]:
    """For each ``k``, a copy of ``protos[which[k]]`` at row ``rows[k]``,
    with value ``values[k]`` and unit ``units[k]`` when those are given
    (and not None).

    The loader reports up to a finding per cell; each prototype is checked
    once (a ``Finding``, or a ``finding_fields(...)`` dict) and the copies
    skip ``__init__``.

    >>> fields = ("converted", "info", "已转换", "date_text", "U", 2023)
    >>> p = [Finding("a.xlsx", "活动台账", None, "日期", v, *fields) for v in ("7.1", "7.2")]
    >>> [(f.row, f.value) for f in findings_like(p, [1, 0, 1], [5, 6, 7])]
    [(5, '7.2'), (6, '7.1'), (7, '7.2')]
    >>> findings_like(p, [0], [5])[0] == Finding(
    ...     "a.xlsx", "活动台账", 5, "日期", "7.1", "converted", "info", "已转换", "date_text", "U", 2023
    ... )
    True
    >>> proto = finding_fields("a.xlsx", "活动台账", None, "日期", "", "converted", "info", "已转换")
    >>> f = findings_like([proto], [0, 0], [5, 6], ["x", "y"], ["U1", "U2"])
    >>> [(x.row, x.value, x.unit) for x in f]
    [(5, 'x', 'U1'), (6, 'y', 'U2')]
    """
    bases = [tuple(p[k] for k in _FIELDS) if type(p) is dict else tuple(getattr(p, k) for k in _FIELDS) for p in protos]
    if values is None and units is None:
        return findings_from_rows(
            (b[0], b[1], r, *b[3:]) for b, r in zip(map(bases.__getitem__, which), rows, strict=False)
        )
    values = itertools.repeat(None) if values is None else values
    units = itertools.repeat(None) if units is None else units
    return findings_from_rows(
        (
            b[0],
            b[1],
            r,
            b[3],
            b[4] if v is None else v,
            b[5],
            b[6],
            b[7],
            b[8],
            b[9] if u is None else u,
            b[10],
            b[11],
            b[12],
        )
        for b, r, v, u in zip(map(bases.__getitem__, which), rows, values, units, strict=False)
    )


def findings_to_rows(findings: Iterable[Finding]) -> list[tuple]:
    """Findings as plain tuples of their fields (pickled ~10× faster than
    the objects; ``findings_from_rows`` turns them back)."""
    get = operator.attrgetter(*_FIELDS)
    return [get(f) for f in findings]


def findings_from_rows(rows: Iterable[tuple]) -> list[Finding]:
    """Inverse of ``findings_to_rows`` (the rows came from findings: not re-checked).

    >>> f = [Finding("a.xlsx", "活动台账", 5, "日期", "7.1", "converted", "info", "已转换", "date_text", "U", 2023)]
    >>> findings_from_rows(findings_to_rows(f)) == f
    True
    """
    out = []
    append = out.append
    for b in rows:
        o = _new(Finding)
        _s_file(o, b[0])
        _s_sheet(o, b[1])
        _s_row(o, b[2])
        _s_column(o, b[3])
        _s_value(o, b[4])
        _s_action(o, b[5])
        _s_severity(o, b[6])
        _s_message(o, b[7])
        _s_code(o, b[8])
        _s_unit(o, b[9])
        _s_year(o, b[10])
        _s_table(o, b[11])
        _s_col(o, b[12])
        append(o)
    return out


_CONTROL = re.compile("[\x00-\x1f]")


def show_value(value: Any, *, limit: int = 60) -> str:
    """A raw value as text for a finding (bounded, single line).

    >>> show_value(12.0), show_value("a\\nb"), len(show_value("x" * 500))
    ('12', 'a b', 61)
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    s = str(value).replace("\r", " ").replace("\n", " ")
    if _CONTROL.search(s):
        s = _CONTROL.sub("", s)
    return s if len(s) <= limit else s[:limit] + "…"


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame (one row each; the JSON keys first)."""
    cols = list(FINDING_FIELDS) + ["code", "unit", "year", "cell", "table", "col"]
    rows = [tuple(map(f.__getattribute__, cols)) for f in findings]
    df = pd.DataFrame.from_records(rows, columns=cols) if rows else pd.DataFrame(columns=cols)
    if not df.empty:
        df["row"] = df["row"].astype("Int64")
        df["year"] = df["year"].astype("Int64")
        df["col"] = df["col"].astype("Int64")
    return df


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def to_json(findings: Iterable[Finding], *, extra: bool = True) -> str:
    """The JSON list of ``gonghui check --format json``.

    Keys ``file, sheet, row, column, value, action, severity, message`` always;
    ``code, unit, year`` and ``cell`` (``"E5"``, or null when the finding is
    not about one cell) too when ``extra`` (an extension of the contract).
    """
    out = []
    for f in findings:
        d = {k: getattr(f, k) for k in FINDING_FIELDS}
        if extra:
            d.update(code=f.code, unit=f.unit, year=f.year, cell=f.cell)
        out.append(d)
    return json.dumps(out, ensure_ascii=False, indent=1)


_SEV_CN = {"error": "错误", "warning": "警告", "info": "提示"}


def row_ranges(rows: list[int]) -> str:
    """Compact row list: 5、7–9、12.

    >>> row_ranges([5, 7, 8, 9, 12])
    '5、7–9、12'
    """
    rows = sorted(set(rows))
    parts: list[str] = []
    start = prev = None
    for r in rows + [None]:  # type: ignore[list-item]
        if start is None:
            start = prev = r
            continue
        if r is not None and r == prev + 1:
            prev = r
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = r
    return "、".join(parts)


def col_letters(col: int) -> str:
    """A 1-based column as Excel writes it.

    >>> col_letters(1), col_letters(26), col_letters(28)
    ('A', 'Z', 'AB')
    """
    out = ""
    while col > 0:
        col, r = divmod(col - 1, 26)
        out = chr(65 + r) + out
    return out


def to_text(findings: list[Finding], *, verbose: bool = False, max_rows_listed: int = 12) -> str:
    """Findings for people, grouped by file, in Chinese.

    Errors and warnings are listed one by one (row and column, what was wrong,
    what was done).  Info-level fixes of the same kind in the same column are
    folded into one line with their rows unless ``verbose``.
    """
    if not findings:
        return "未发现问题：所有台账均可读取，数据已全部计入。"
    lines: list[str] = []
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    for file, items in by_file.items():
        n = {s: sum(1 for f in items if f.severity == s) for s in SEVERITIES}
        unit = next((f.unit for f in items if f.unit), None)
        head = f"■ {file}"
        if unit:
            head += f"（{unit}）"
        head += f"：错误 {n['error']} 条，警告 {n['warning']} 条，提示 {n['info']} 条"
        lines.append(head)
        folded: dict[tuple, list[Finding]] = {}
        for f in items:
            if f.severity == "info" and not verbose and f.row is not None:
                folded.setdefault((f.sheet, f.column, f.code), []).append(f)
                continue
            cell = f"单元格 {col_letters(f.col)}{f.row}" if f.row and f.col else (f"第{f.row}行" if f.row else "")
            where = "、".join(
                x for x in (f"工作表“{f.sheet}”" if f.sheet else "", cell, f"“{f.column}”列" if f.column else "") if x
            )
            val = f"（原值：{f.value}）" if f.value else ""
            lines.append(f"  [{_SEV_CN[f.severity]}] {where + '：' if where else ''}{f.message}{val}")
        for (sheet, column, _code), group in folded.items():
            rows = [g.row for g in group if g.row]
            shown = row_ranges(rows[:max_rows_listed]) + ("等" if len(rows) > max_rows_listed else "")
            col = f"“{column}”列" if column else ""
            lines.append(f"  [提示] 工作表“{sheet}”{col}第{shown}行：{group[0].message}（共 {len(group)} 处）")
        lines.append("")
    total = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
    lines.append(
        f"合计：{len(by_file)} 个文件，错误 {total['error']} 条，警告 {total['warning']} 条，提示 {total['info']} 条。"
    )
    if total["error"]:
        lines.append("有错误的文件未能（全部）读取，请按上面的说明修改后重新报送。")
    return "\n".join(lines)


def summarize(findings: Iterable[Finding]) -> pd.DataFrame:
    """Counts by file, severity and code (for the quality pages)."""
    df = findings_frame(findings)
    if df.empty:
        return pd.DataFrame(columns=["file", "unit", "severity", "code", "message", "count"])
    return (
        df.groupby(["file", "unit", "severity", "code"], dropna=False)
        .agg(message=("message", "first"), count=("message", "size"))
        .reset_index()
    )
