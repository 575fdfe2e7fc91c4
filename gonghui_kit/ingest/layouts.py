"""Layout files: how to read a union's own workbook where the template's
names are not used (``params/layouts/*.yaml``), and ``propose_layout`` that
``gonghui map FILE`` prints as a starting point.

A layout file::

    files: ["机关分会*.xlsx"]        # which files (name or path, * and ? allowed); default: all
    unit: 机关分会                    # when the file has no 基本信息
    year: 2023
    sheets:
      Sheet3: ignore                  # left out on purpose: no error
      活动登记表:
        as: 活动台账                  # the template sheet it holds (name or key)
        header_row: 3                 # Excel row of its header (optional)
        columns:
          活动人数: 参与人数          # the template column it holds (name or key)
          自编号: ignore              # left out on purpose: no error

>>> entry = {"as": "活动台账", "columns": {"活动人数": "参与人数"}}
>>> lay = parse_layout({"sheets": {"Sheet3": "ignore", "活动登记表": entry}})
>>> lay.sheets["Sheet3"].ignore, lay.sheets["活动登记表"].sheet, lay.sheets["活动登记表"].columns
(True, 'activities', {'活动人数': 'participants'})
>>> lay.matches("报送/机关分会.xlsx")
True
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from gonghui_kit.ingest.grid import IGNORED, HeaderMatch, locate_header
from gonghui_kit.schema import Schema, Sheet, load_schema, norm_key

__all__ = [
    "Layout",
    "SheetLayout",
    "LayoutError",
    "parse_layout",
    "load_layouts",
    "layout_for",
    "apply_columns",
    "propose_layout",
]


class LayoutError(ValueError):
    """A layout file that cannot be used (message in Chinese)."""


@dataclass(frozen=True)
class SheetLayout:
    ignore: bool = False
    sheet: str | None = None  # schema sheet key
    header_row: int | None = None  # Excel row
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> column key or IGNORED


@dataclass(frozen=True)
class Layout:
    files: tuple[str, ...] = ("*",)
    unit: str | None = None
    year: int | None = None
    sheets: dict[str, SheetLayout] = field(default_factory=dict)
    source: str = ""

    def matches(self, display_name: str) -> bool:
        name = display_name.replace("\\", "/")
        return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(name.rsplit("/", 1)[-1], p) for p in self.files)

    def for_sheet(self, name: str) -> SheetLayout | None:
        return self.sheets.get(name) or next((s for k, s in self.sheets.items() if norm_key(k) == norm_key(name)), None)


def _sheet_key(text: str, schema: Schema, source: str) -> str:
    for s in schema.sheets:
        if text in (s.key, *s.names):
            return s.key
    raise LayoutError(
        f"版式文件 {source}：没有名为“{text}”的台账工作表（可用：{'、'.join(s.label for s in schema.sheets)}）"
    )


def _column_key(text: str, sheet: Sheet, schema: Schema, source: str) -> str:
    if str(text).strip().lower() in ("ignore", "忽略"):
        return IGNORED
    for c in (*sheet.columns, *sheet.extra):
        if text in (c.key, *c.names):
            return c.key
    if text in schema.unit_column or text == "_unit":
        return "_unit"
    raise LayoutError(
        f"版式文件 {source}：“{sheet.label}”没有名为“{text}”的列（可用：{'、'.join(c.label for c in sheet.columns)}）"
    )


def parse_layout(raw: dict[str, Any], source: str = "", schema: Schema | None = None) -> Layout:
    schema = schema or load_schema()
    if not isinstance(raw, dict):
        raise LayoutError(f"版式文件 {source} 的内容应是键值对（files/unit/year/sheets）")
    files = raw.get("files") or ["*"]
    files = (files,) if isinstance(files, str) else tuple(str(f) for f in files)
    sheets: dict[str, SheetLayout] = {}
    for name, spec in (raw.get("sheets") or {}).items():
        if isinstance(spec, str) and spec.strip().lower() in ("ignore", "忽略"):
            sheets[str(name)] = SheetLayout(ignore=True)
            continue
        if isinstance(spec, str):
            spec = {"as": spec}
        if not isinstance(spec, dict):
            raise LayoutError(f"版式文件 {source}：工作表“{name}”的写法不对（应为 ignore 或 as/header_row/columns）")
        key = _sheet_key(str(spec["as"]), schema, source) if spec.get("as") else None
        sheet = schema.sheet(key) if key else schema.sheet_for_name(str(name))
        cols = {}
        for header, target in (spec.get("columns") or {}).items():
            if sheet is None:
                raise LayoutError(f"版式文件 {source}：工作表“{name}”写了 columns，请先用 as 说明它是哪张台账")
            cols[str(header)] = _column_key(str(target), sheet, schema, source)
        hr = spec.get("header_row")
        sheets[str(name)] = SheetLayout(bool(spec.get("ignore", False)), key, int(hr) if hr else None, cols)
    year = raw.get("year")
    return Layout(files, str(raw["unit"]) if raw.get("unit") else None, int(year) if year else None, sheets, source)


def load_layouts(folder: str | Path | None) -> list[Layout]:
    """Every ``*.yaml`` of a folder, in name order (none when it does not exist)."""
    if folder is None or not Path(folder).is_dir():
        return []
    out = []
    for p in sorted(Path(folder).glob("*.y*ml")):
        try:
            raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise LayoutError(f"版式文件 {p.name} 无法读取（{type(e).__name__}）") from e
        out.append(parse_layout(raw, p.name))
    return out


def layout_for(display_name: str, layouts: Iterable[Layout]) -> Layout | None:
    """The first layout whose ``files`` match the file."""
    return next((lay for lay in layouts if lay.matches(display_name)), None)


def apply_columns(header: HeaderMatch, columns: dict[str, str]) -> HeaderMatch:
    """A header with the layout's column meanings applied (unknown or not).

    >>> from gonghui_kit.ingest.grid import match_header
    >>> h = match_header(["日期", "活动人数", "自编号"], load_schema().sheet("activities"))
    >>> a = apply_columns(h, {"活动人数": "participants", "自编号": IGNORED})
    >>> a.columns, a.unknown, a.ignored
    ({0: 'date', 1: 'participants'}, {}, {2: '自编号'})
    """
    if not columns:
        return header
    want = {norm_key(k): v for k, v in columns.items()}
    cols, heads, unknown, ignored = dict(header.columns), dict(header.headers), {}, dict(header.ignored)
    scales = dict(header.scales)
    for j, text in header.unknown.items():
        key = want.get(norm_key(text))
        if key == IGNORED:
            ignored[j] = text
        elif key is not None and key not in cols.values():
            cols[j], heads[j], scales[j] = key, text, 1.0
        else:
            unknown[j] = text
    return HeaderMatch(header.row, dict(sorted(cols.items())), heads, scales, unknown, ignored)


def propose_layout(path: str | Path, display_name: str | None = None) -> str:
    """A layout file for ``path`` as YAML text: every sheet with what it was
    recognised as, its header row and each column's meaning; what was not
    recognised is marked ``ignore`` with a comment to change it."""
    from gonghui_kit.ingest.read import read_workbook
    from gonghui_kit.ingest.safety import inspect_workbook

    schema = load_schema()
    path = Path(path)
    insp = inspect_workbook(path)
    if not insp.ok:
        raise LayoutError("；".join(p.message for p in insp.errors))
    wb = read_workbook(path, inspection=insp)
    lines = [
        "# 版式文件（由 gonghui map 生成）：放到 params/layouts/ 下，按需修改后重新运行 gonghui check",
        f'files: ["{display_name or path.name}"]',
    ]
    lines.append("sheets:")
    for raw in wb.sheets:
        if not any(v not in (None, "") for r in raw.rows for v in r):
            continue
        sheet = schema.sheet_for_name(raw.name)
        header = locate_header(raw.rows, sheet, schema) if sheet is not None and sheet.layout == "records" else None
        if sheet is not None and sheet.layout == "records" and header is None:
            sheet = None
        if sheet is None:
            best = max(
                ((locate_header(raw.rows, s, schema, min_score=1), s) for s in schema.record_sheets),
                key=lambda t: t[0].score if t[0] else -1,
            )
            if best[0] is not None:  # a guess from one matching column: the file's owner confirms it
                header, sheet = best
        if sheet is None or (sheet.layout == "records" and header is None):
            lines.append(
                f'  "{raw.name}": ignore   # 未识别：如是台账，请改为 as: 活动台账 等，并写 header_row 和 columns'
            )
            continue
        if sheet.layout != "records":
            lines.append(f'  "{raw.name}": {{as: {sheet.label}}}')
            continue
        lines.append(f'  "{raw.name}":')
        lines.append(f"    as: {sheet.label}")
        lines.append(f"    header_row: {raw.excel_row(header.row)}")
        lines.append("    columns:")
        labels = {c.key: c.label for c in (*sheet.columns, *sheet.extra)}
        for j in sorted({*header.columns, *header.unknown, *header.ignored}):
            if j in header.columns:
                key = header.columns[j]
                lines.append(f'      "{header.headers[j]}": {labels.get(key, "单位名称" if key == "_unit" else key)}')
            elif j in header.ignored:
                lines.append(f'      "{header.ignored[j]}": ignore')
            else:
                lines.append(
                    f'      "{header.unknown[j]}": ignore   '
                    f"# 未识别：请改为它对应的列名，如 {'、'.join(c.label for c in sheet.columns[:3])}"
                )
    return "\n".join(lines) + "\n"
