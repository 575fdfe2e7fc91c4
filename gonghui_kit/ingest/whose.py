"""Whose ledger is a file without 基本信息, and of which year: one file per
topic in a folder per unit (活动.xlsx, 经费.csv …) says it in a title line
(``填报单位：机关分会``, ``2023年活动台账``) or in its folder and file names.

Pure functions on raw grids; ``load`` reports where the unit and year were
taken from, so the sender can check.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

from gonghui_kit.ingest import clean
from gonghui_kit.ingest.grid import locate_header
from gonghui_kit.ingest.read import RawSheet
from gonghui_kit.schema import Schema, norm_key

__all__ = [
    "sheet_owners",
    "union_in_name",
    "parse_info",
    "infer_unit_year",
    "title_rows",
    "unit_from_titles",
    "year_from_titles",
    "unit_from_path",
    "year_from_path",
]

_UNIT_KEYS = r"填报单位|报送单位|单位名称|基层工会名称|工会名称|单位"
_UNIT_LINE = re.compile(rf"^\s*(?:{_UNIT_KEYS})\s*[（(]?(?:盖章|公章)?[)）]?\s*[:：]\s*(.*)$")
_UNIT_END = re.compile(r"\s{2,}|\s*(?:填报日期|填表日期|日期|年度|填表人|填报人|联系电话)\s*[:：]")
_MONEY_UNIT = re.compile(r"[（(]?(?:人民币)?(?:万元|千元|百元|元|人|人次)[)）]?")
_YEAR_LINE = re.compile(r"(?:年度|统计年度|年份)\s*[:：]\s*((?:19|20)\d{2})")
_YEAR_TITLE = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_DATE_LABEL = re.compile(r"(?:填报|填表|报送|制表|统计|打印)?(?:日期|时间)\s*[:：]")
_YEAR_ANY = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_GENERIC = {"报送", "台账", "数据", "data", "input", "原始数据", "收件", "新建文件夹"}


def _texts(rows: Sequence[Sequence[Any]], top: int) -> list[list[str | None]]:
    return [[v.strip() if isinstance(v, str) and v.strip() else None for v in r] for r in rows[:top]]


def unit_from_titles(rows: Sequence[Sequence[Any]], top: int = 6) -> str | None:
    """The unit a title line names (``填报单位：XX``, the name in that cell
    or the next filled one).

    >>> unit_from_titles([["2023年活动台账"], ["填报单位：机关分会    填报日期：2024-01-10"], ["日期", "活动名称"]])
    '机关分会'
    >>> unit_from_titles([["单位（盖章）：", None, "动力分厂分工会"]]), unit_from_titles([["日期", "名称"]])
    ('动力分厂分工会', None)
    >>> unit_from_titles([["单位：万元"], ["填报单位：机关分会"]])
    '机关分会'

    """
    for r in _texts(rows, top):
        for j, t in enumerate(r):
            if t is None:
                continue
            m = _UNIT_LINE.match(t)
            if m is None:
                continue
            name = _UNIT_END.split(m[1], 1)[0].strip()
            if not name:
                name = next((v for v in r[j + 1 :] if v), "") or ""
                name = _UNIT_END.split(name, 1)[0].strip()
            if name and not _MONEY_UNIT.fullmatch(name):  # 单位：万元 is a money unit, not a union
                return name
    return None


def _title_texts(rows: Sequence[Sequence[Any]], top: int) -> list[str]:
    """Texts of the title lines (``title_rows``), each cut before a date label
    (``填报时间：2025年1月`` is when it was filled in, not the ledger's year)."""
    return [_DATE_LABEL.split(t, 1)[0] for r in _texts(rows, title_rows(rows, top)) for t in r if t]


def title_rows(rows: Sequence[Sequence[Any]], top: int = 8) -> int:
    """How many rows at the top are title lines: those above the first row with
    three or more texts (a header; 职工人数 80 beside a label is still a title).

    >>> title_rows([["2024年活动登记表"], ["单位名称：乙工会", "年度：2024"], ["日期", "名称", "人数"], [1, 2, 3]])
    2
    """
    for i, r in enumerate(_texts(rows, top)):
        if sum(1 for t in r if t) >= 3:
            return i
    return min(len(rows), top)


def year_from_titles(rows: Sequence[Sequence[Any]], top: int = 6) -> int | None:
    """The year a title line names (``年度：2023``, ``2023年活动台账``) —
    never a date of the records below or when the form was filled in.

    >>> year_from_titles([["2023年度职工活动登记表"]]), year_from_titles([["年度：2024"]]), year_from_titles([["活动"]])
    (2023, 2024, None)
    >>> year_from_titles([["填报单位：机关分会"], ["填报时间：2025年1月"], ["日期", "名称", "数量"]])
    >>> year_from_titles([["姓名", "性别", "出生年月"], ["张某", "男", "1981年3月"]])
    >>> year_from_titles([["2024年会员名册  填报日期：2025年1月10日"]])
    2024
    """
    texts = _title_texts(rows, top)
    for t in texts:
        if m := _YEAR_LINE.search(t):
            return int(m[1])
    for t in texts:
        if m := _YEAR_TITLE.search(t):
            return int(m[1])
    return None


def unit_from_path(display_name: str) -> str | None:
    """The folder a file sits in, when it is a folder per unit.

    >>> unit_from_path("2023/机关分会/活动.xlsx"), unit_from_path("活动.xlsx"), unit_from_path("报送/活动.xlsx")
    ('机关分会', None, None)
    """
    parts = display_name.replace("\\", "/").split("/")[:-1]
    for p in reversed(parts):
        p = p.strip()
        if p and p.lower() not in _GENERIC and not re.fullmatch(r"(?:19|20)\d{2}年?度?", p):
            return re.sub(r"^(?:19|20)\d{2}年?度?[-_ ]*", "", p) or None
    return None


def year_from_path(display_name: str) -> int | None:
    """A year in the file's or its folders' names.

    >>> year_from_path("2023/机关分会/活动.xlsx"), year_from_path("机关分会/2024年经费.csv"), year_from_path("a/b.xlsx")
    (2023, 2024, None)
    """
    hits = _YEAR_ANY.findall(display_name)
    return int(hits[-1]) if hits else None


_UNION_SHEET = re.compile(
    r"^(?:\d{1,2}[.、\-_ ]*)?(.{2,30}?(?:分工会|工会委员会|工会小组|工会|分会))(?:\d{4}年?度?)?[-_ ]*(.*)$"
)


def union_in_name(sheet_name: str) -> str | None:
    """The union a sheet is named after (``第一中学工会``, ``2.实验小学分会``,
    ``机修分工会活动台账``), or None.

    >>> [union_in_name(n) for n in ("第一中学工会", "2.实验小学分会", "机修分工会-活动", "工会经费收支", "活动台账")]
    ['第一中学工会', '实验小学分会', '机修分工会', None, None]
    """
    m = _UNION_SHEET.match(sheet_name.strip())
    return m[1] if m else None


def sheet_owners(named: Sequence[tuple[str, str]]) -> dict[str, str]:
    """A workbook of a 上级工会 with one sheet per 分会 (``第一中学工会``,
    ``实验小学分会``, each an 活动台账): ``{sheet name: unit}`` for the sheets
    whose records belong to the union they are named after.  ``named``: the
    record sheets as ``(sheet name, schema sheet key)``.  Only where the
    sheets name two or more different unions (one sheet named after its own
    union, or an abbreviation of it, stays the workbook's).

    >>> sheet_owners([("第一中学工会", "activities"), ("实验小学分会", "activities"), ("经费收支", "funds")])
    {'第一中学工会': '第一中学工会', '实验小学分会': '实验小学分会'}
    >>> sheet_owners([("一中工会", "activities"), ("经费收支", "funds")])
    {}
    >>> sheet_owners([("一中工会-活动", "activities"), ("二中工会-荣誉", "awards")])
    {'一中工会-活动': '一中工会', '二中工会-荣誉': '二中工会'}
    """
    sheets = {name: u for name, _ in named if (u := union_in_name(name)) is not None}
    return sheets if len(set(sheets.values())) >= 2 else {}


def parse_info(
    raw: RawSheet, schema: Schema, add: Callable[..., None], where: dict[str, tuple[int, str, int]] | None = None
) -> dict[str, Any]:
    """基本信息: key in one cell, value in the next filled cell to its right
    (``单位名称：XX`` in a single cell works too).  ``add``: the loader's
    finding callback (``sheet, row, column, value, action, severity,
    message, code, table, col=``).  ``where`` receives each value's cell
    (Excel row, key as written, column).  A key the schema does not know,
    with a value beside it (单位地址、联系电话 …), is named in an info finding:
    基本信息 holds nothing else the indicators use."""
    sheet = schema.sheet("info")
    table = {}
    for c in sheet.columns:
        for n in c.names:
            table.setdefault(norm_key(n), c)
    found: dict[str, tuple[Any, int, str]] = {}
    other: list[tuple[int, int, str]] = []  # (row index, column, key) of keys the schema does not know
    for i, cells in enumerate(raw.rows):
        filled = [(j, v) for j, v in enumerate(cells) if not clean.is_blank(v)]
        if not filled:
            continue
        j, key = filled[0]
        if not isinstance(key, str):
            continue
        col = table.get(norm_key(key))
        value: Any = None
        vj = j  # the value's column
        if col is not None:
            value = filled[1][1] if len(filled) > 1 else None
            vj = filled[1][0] if len(filled) > 1 else j
        else:
            for sep in ("：", ":"):
                if sep in key:
                    k, _, v = key.partition(sep)
                    col = table.get(norm_key(k))
                    value = v
                    break
        if col is not None and col.key not in found:
            found[col.key] = (value, raw.excel_row(i), str(key).strip(), raw.first_col + vj + 1)
        elif col is None and len(filled) > 1:
            other.append((i, j, key.strip()))
    if len(found) >= 2:
        for i, j, key in other:
            add(
                raw.name,
                raw.excel_row(i),
                key,
                "",
                "skipped",
                "info",
                f"基本信息中的“{key}”不参与统计，未读取",
                "info_key_ignored",
                col=raw.first_col + j + 1,
            )
    if len(found) < 2:  # keys across one row, values in the next
        m = locate_header(raw.rows, sheet, schema)
        if m is not None and m.row + 1 < len(raw.rows):
            vals = raw.rows[m.row + 1]
            for j, k in m.columns.items():
                if j < len(vals):
                    found.setdefault(k, (vals[j], raw.excel_row(m.row + 1), m.headers[j], raw.first_col + j + 1))
    out: dict[str, Any] = {}
    for key, (value, row, header, vcol) in found.items():
        if where is not None:
            where[key] = (row, header, vcol)
        col = sheet.column(key)
        if col.pii:
            continue
        if key == "year":
            y = clean.parse_year(value)
            if y is None and not clean.is_blank(value):
                add(
                    raw.name,
                    row,
                    header,
                    value,
                    "missing",
                    "error",
                    "“年度”无法识别，请填写四位年份，如 2023",
                    "bad_year",
                    col=vcol,
                )
            out["year"] = y
        elif col.type == "count":
            r = clean.parse_number(value, kind="count")
            if not r.ok:
                add(
                    raw.name,
                    row,
                    header,
                    value,
                    "missing",
                    "warning",
                    f"“{col.label}”无法识别为数字，按缺失处理",
                    "bad_number",
                    "info",
                    col=vcol,
                )
            out[key] = r.value
        elif col.type == "date":
            out[key] = clean.parse_date(value).ts
        else:
            out[key] = clean.clean_text(value)
    return out


def infer_unit_year(
    sheets: Sequence[Sequence[Sequence[Any]]], display_name: str, unit: str | None = None, year: int | None = None
) -> tuple[str | None, str, int | None, str]:
    """Unit and year of a file without 基本信息, and where each was taken
    from: a layout file's (``unit``, ``year``), else a title line of its
    sheets, else the folder and file names.

    >>> infer_unit_year([[["2023年活动台账"], ["填报单位：机关分会"]]], "报送/机关分会/活动.xlsx")
    ('机关分会', '表头上方的“填报单位”', 2023, '表格标题')
    >>> infer_unit_year([[["日期"]]], "报送/工会A/2024经费.csv")
    ('工会A', '所在文件夹的名称', 2024, '文件或文件夹名称')
    """
    unit_from = "版式文件" if unit else ""
    if unit is None and (unit := next((u for u in map(unit_from_titles, sheets) if u), None)):
        unit_from = "表头上方的“填报单位”"
    if unit is None and (unit := unit_from_path(display_name)):
        unit_from = "所在文件夹的名称"
    year_from = "版式文件" if year else ""
    if year is None and (year := next((y for y in map(year_from_titles, sheets) if y), None)):
        year_from = "表格标题"
    if year is None and (year := year_from_path(display_name)):
        year_from = "文件或文件夹名称"
    return unit, unit_from, year, year_from
