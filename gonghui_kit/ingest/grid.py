"""A raw grid read from a sheet: where its header is, what each column
means, and what each row below it is.

``locate_header`` finds the header row under any title rows and matches its
cells against the schema's columns and aliases (``match_header``); the body
below becomes a ``Grid`` of codes into its distinct values (``make_grid``),
on which every row is classified at once (blank, note, subtotal or data:
``row_kind_codes``) and exact duplicate rows are found (``duplicates``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from gonghui_kit.ingest import clean
from gonghui_kit.ingest.clean import is_blank
from gonghui_kit.ingest.codes import JoinedTexts, factorize_typed, first_copies, object_grid
from gonghui_kit.schema import Schema, Sheet, load_schema, norm_key

_WS = " \t\r\n\u3000\u00a0"

# --------------------------------------------------------------------------
# headers

_SCALE_RE = re.compile(r"[（(\[【]\s*(万元|千元|百元|元|万|千)\s*[）)\]】]")
_SCALES = {"万元": 10_000.0, "万": 10_000.0, "千元": 1_000.0, "千": 1_000.0, "百元": 100.0, "元": 1.0}


_TITLE_UNIT_RE = re.compile(r"(?:金额|货币|计量)?单位\s*[:：]\s*(?:人民币)?\s*(万元|千元|百元|元)(?![\u4e00-\u9fff])")


def title_scale(rows: Sequence[Sequence[Any]]) -> tuple[float, int, int, str] | None:
    """A money unit declared in a line above the table (``单位：万元``,
    ``（金额单位：元）``): ``(factor, row, column, text)`` with 0-based row and
    column, or None.

    >>> title_scale([["2024年经费收支明细"], [None, None, "单位：万元"]])
    (10000.0, 1, 2, '单位：万元')
    >>> title_scale([["（金额单位：元）"]])[0], title_scale([["填报单位：机关分会"]])
    (1.0, None)
    """
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if isinstance(v, str) and (m := _TITLE_UNIT_RE.search(unicodedata.normalize("NFKC", v))):
                return _SCALES[m.group(1)], i, j, v.strip()
    return None


def header_scale(header: Any) -> float:
    """The factor a unit in the header applies to its column.

    >>> header_scale("金额（万元）"), header_scale("金额(元)"), header_scale("支出金额")
    (10000.0, 1.0, 1.0)
    """
    if is_blank(header):
        return 1.0
    m = _SCALE_RE.search(unicodedata.normalize("NFKC", str(header)))
    return _SCALES[m.group(1)] if m else 1.0


@dataclass(frozen=True)
class HeaderMatch:
    """Where a sheet's header is and what each column means.

    ``columns`` maps a 0-based column index to a schema column key (or the
    special key ``'_unit'`` for the 单位名称 column of a combined workbook);
    ``headers`` keeps the header text as written, for findings.
    """

    row: int  # 0-based index into the grid
    columns: dict[int, str]
    headers: dict[int, str]
    scales: dict[int, float]
    unknown: dict[int, str]
    ignored: dict[int, str] = field(default_factory=dict)  # recognised, not needed (序号, 地点, 余额 …)

    @property
    def score(self) -> int:
        return len(self.columns)


_ALIAS_TABLES: dict[tuple[int, int], tuple[Sheet, Schema, dict[str, str]]] = {}


def _alias_table(sheet: Sheet, schema: Schema) -> dict[str, str]:
    """Normalised header → column key (cached per sheet and schema object;
    callers only read it)."""
    key = (id(sheet), id(schema))
    hit = _ALIAS_TABLES.get(key)
    if hit is not None and hit[0] is sheet and hit[1] is schema:
        return hit[2]
    table = _build_alias_table(sheet, schema)
    if len(_ALIAS_TABLES) > 256:
        _ALIAS_TABLES.clear()
    _ALIAS_TABLES[key] = (sheet, schema, table)
    return table


def _build_alias_table(sheet: Sheet, schema: Schema) -> dict[str, str]:
    table: dict[str, str] = {}
    # canonical labels first so that an alias shared with another column
    # (活动台账: 类型 is an alias of 活动类别) never shadows a real label
    for c in sheet.columns:
        table.setdefault(norm_key(c.label), c.key)
    for c in sheet.columns:
        for a in c.aliases:
            table.setdefault(norm_key(a), c.key)
    for c in sheet.extra:
        for a in c.names:
            table.setdefault(norm_key(a), c.key)
    for a in schema.unit_column:
        table.setdefault(norm_key(a), "_unit")
    for a in schema.ignored_columns:
        table.setdefault(norm_key(a), IGNORED)
    return table


IGNORED = "_ignored"


# norm_key of header candidates: locate_header looks at the top rows of
# every sheet, where the same header texts recur in every workbook
_norm_cell = functools.lru_cache(maxsize=1 << 14)(norm_key)


def match_header(cells: Sequence[Any], sheet: Sheet, schema: Schema | None = None) -> HeaderMatch:
    """Match one row of header cells against the sheet's columns and aliases.

    >>> s = load_schema().sheet("activities")
    >>> m = match_header(["活动日期", "名称", "类 型", "参加人数", "金额（万元）", ""], s)
    >>> m.columns
    {0: 'date', 1: 'name', 2: 'category', 3: 'participants', 4: 'amount'}
    >>> m.scales[4]
    10000.0
    >>> match_header(["日期", "参与人数", "其中：女职工"], s).ignored
    {2: '其中：女职工'}
    """
    schema = schema or load_schema()
    table = _alias_table(sheet, schema)
    columns: dict[int, str] = {}
    headers: dict[int, str] = {}
    scales: dict[int, float] = {}
    unknown: dict[int, str] = {}
    ignored: dict[int, str] = {}
    taken: set[str] = set()
    for i, cell in enumerate(cells):
        if is_blank(cell) or not isinstance(cell, str):
            continue
        key = table.get(_norm_cell(cell))
        if key is None and _norm_cell(cell).startswith(schema.ignored_column_prefixes or ("\0",)):
            key = IGNORED  # 其中女职工: a breakdown, already in its total
        if key is None:
            unknown[i] = str(cell).strip()
            continue
        if key == IGNORED:
            ignored[i] = str(cell).strip()
            continue
        if key in taken:  # a second column with the same meaning: keep the first
            unknown[i] = str(cell).strip()
            continue
        taken.add(key)
        columns[i] = key
        headers[i] = str(cell).strip()
        scales[i] = header_scale(cell)
    return HeaderMatch(0, columns, headers, scales, unknown, ignored)


def combine_header_rows(
    top: Sequence[Any], sub: Sequence[Any], sheet: Sheet, schema: Schema | None = None
) -> list[Any]:
    """One header row from two: a group cell (merged over its sub-headers:
    收入/支出 under 金额, 编码/名称 under 科目) joined with each sub-header when
    the sub-header alone means nothing, the group cell where nothing is below.

    >>> s = load_schema().sheet("funds")
    >>> top, sub = ["日期", "摘要", "科目", None, "金额", None], [None, None, "编码", "名称", "收入", "支出"]
    >>> combine_header_rows(top, sub, s)
    ['日期', '摘要', '科目编码', '科目名称', '收入', '支出']
    """
    table = _alias_table(sheet, schema or load_schema())
    out: list[Any] = []
    group: Any = None
    for j in range(max(len(top), len(sub))):
        t = top[j] if j < len(top) else None
        b = sub[j] if j < len(sub) else None
        if isinstance(t, str) and not is_blank(t):
            group = t.strip()
        elif not is_blank(t):
            group = None
        if not isinstance(b, str) or is_blank(b):
            out.append(t if not is_blank(t) else b)
            continue
        b = b.strip()
        if group and b != group and table.get(_norm_cell(b)) is None and table.get(_norm_cell(group + b)) is not None:
            out.append(group + b)
        else:
            out.append(b)
    return out


def locate_header(
    rows: Sequence[Sequence[Any]], sheet: Sheet, schema: Schema | None = None, *, max_scan: int = 30, min_score: int = 2
) -> HeaderMatch | None:
    """Find the header row below any title rows: the first row among the top
    ``max_scan`` that matches the most columns (at least two, or one for a
    single-column sheet).

    >>> s = load_schema().sheet("training")
    >>> grid = [["2023年培训台账", None], [None, None], ["日期", "项目名称", "类型", "学时", "参训人数"]]
    >>> grid.append(["2023-05-01", "安全", "安全生产", 8, 20])
    >>> locate_header(grid, s).row
    2
    """
    schema = schema or load_schema()
    best: HeaderMatch | None = None
    for r, cells in enumerate(rows[:max_scan]):
        m = match_header(cells, sheet, schema)
        if r and m.score:  # a header of two rows: group cells over sub-headers
            c = match_header(combine_header_rows(rows[r - 1], cells, sheet, schema), sheet, schema)
            if c.score > m.score or (c.score == m.score and len(c.unknown) < len(m.unknown)):
                m = c
        if m.score and (best is None or m.score > best.score):
            best = HeaderMatch(r, m.columns, m.headers, m.scales, m.unknown, m.ignored)
    need = min(min_score, len(sheet.columns))
    if best is None or best.score < need:
        return None
    return best


def _date_headers(schema: Schema) -> frozenset[str]:
    """Every header that names a record sheet's date column (日期, 慰问日期, 提出日期 …)."""
    return frozenset(norm_key(n) for s in schema.record_sheets for c in s.columns if c.type == "date" for n in c.names)


def summary_header(rows: Sequence[Sequence[Any]], schema: Schema | None = None, *, max_scan: int = 30) -> int | None:
    """The header row of a summary table (统计表: one row per unit, indicator
    columns), or None: a row with a unit column and at least two of the
    schema's ``summary_columns``, and no date column.

    >>> rows = [["2023年工会工作统计表"], ["单位名称", "会员人数", "活动场次", "参与人次"], ["机关分会", 50, 4, 200]]
    >>> summary_header(rows)
    1
    >>> summary_header([["日期", "所属分会", "活动场次", "参与人次"]]) is None
    True
    >>> summary_header([["慰问日期", "慰问人次", "慰问金额", "单位名称"]]) is None  # records with a unit column
    True
    """
    schema = schema or load_schema()
    units = {norm_key(a) for a in schema.unit_column}
    words = schema.summary_lookup
    dates = _date_headers(schema)
    for r, cells in enumerate(rows[:max_scan]):
        keys = [_norm_cell(c) for c in cells if isinstance(c, str) and c.strip()]
        if any(k in units for k in keys) and sum(k in words for k in keys) >= 2 and not any(k in dates for k in keys):
            return r
    return None


# --------------------------------------------------------------------------
# the body as a grid of codes


@dataclass
class Grid:
    """A sheet body as codes: ``codes[i, j]`` indexes ``values`` (-1 for
    None/NaN/NaT; ragged rows are padded with None); cells with one code
    have equal values of one type (1.0 and "1", True and 1 stay apart)."""

    cells: np.ndarray  # (n, m) object: the raw values, padded with None
    codes: np.ndarray  # (n, m) intp
    values: np.ndarray  # (k + 1,) object: distinct values, then None for code -1
    lengths: np.ndarray | None  # row lengths when the rows are ragged
    blank: np.ndarray  # (k + 1,) bool per code: clean.is_blank
    text: np.ndarray  # (k + 1,) bool per code: a str
    texts: list[str]  # the distinct str values ...
    text_codes: np.ndarray  # ... and their codes
    joined: JoinedTexts  # the texts, joined


_WS_CODES = np.array([0, *map(ord, _WS)], dtype=np.uint32)


def make_grid(body: Sequence[Sequence[Any]]) -> Grid:
    cells, lengths = object_grid(body)
    n, m = cells.shape
    if n and m:
        codes, uniq, is_str = factorize_typed(cells.reshape(-1))
    else:
        codes, uniq, is_str = np.zeros(0, np.intp), np.empty(0, dtype=object), np.zeros(0, dtype=bool)
    codes = codes.reshape(n, m)
    k = len(uniq)
    values = np.empty(k + 1, dtype=object)
    values[:k] = uniq
    values[k] = None
    text = np.append(is_str, False)
    text_codes = np.flatnonzero(is_str)
    texts = uniq[text_codes].tolist()
    joined = JoinedTexts(texts)
    blank = np.ones(k + 1, dtype=bool)
    blank[text_codes] = False
    # only a text that is empty or starts with white space can be blank
    first = joined.first_chars()
    maybe = first == 0
    for c in _WS_CODES[1:].tolist():
        maybe |= first == c
    for p in np.flatnonzero(maybe).tolist():
        blank[text_codes[p]] = not texts[p].strip(_WS)
    other = np.flatnonzero(~is_str)
    if len(other):
        is_blank = clean.is_blank
        blank[other] = [is_blank(v) for v in uniq[other].tolist()]
    return Grid(cells, codes, values, lengths, blank, text, texts, text_codes, joined)


def subtotal_codes(grid: Grid, schema: Schema) -> np.ndarray:
    """Per code: a text that says 合计/小计 (``clean.subtotal_texts``)."""
    out = np.zeros(len(grid.values), dtype=bool)
    out[grid.text_codes] = clean.subtotal_texts(grid.texts, schema.subtotal_words, joined=grid.joined)
    return out


def signature_codes(grid: Grid, schema: Schema) -> np.ndarray:
    """Per code: a text that opens a signature, stamp or notes line
    (``clean.is_signature_label``)."""
    out = np.zeros(len(grid.values), dtype=bool)
    prefixes, words = schema.note_prefixes, schema.signature_words
    out[grid.text_codes] = [clean.is_signature_label(t, prefixes, words) for t in grid.texts]
    return out


def header_repeats(grid: Grid, header: HeaderMatch, sheet: Sheet, schema: Schema | None = None) -> np.ndarray:
    """Per body row: it repeats the header (most of the header's texts in
    their own columns), as a table pasted twice or printed page by page does.

    >>> h = match_header(["日期", "活动名称", "参与人数"], load_schema().sheet("activities"))
    >>> s = load_schema().sheet("activities")
    >>> body = [["2023-07-01", "篮球赛", 50], ["日期", "活动名称", "参与人数"], ["日 期", "名称", None]]
    >>> header_repeats(make_grid(body), h, s).tolist()
    [False, True, True]
    """
    n, m = grid.codes.shape
    hits = np.zeros(n, dtype=np.intp)
    if not n:
        return hits.astype(bool)
    table = _alias_table(sheet, schema or load_schema())
    by_key: dict[str, list[int]] = {}
    for p, t in enumerate(grid.texts):
        if len(t) <= 40:  # a header cell is short
            k = table.get(_norm_cell(t))
            if k is not None:
                by_key.setdefault(k, []).append(int(grid.text_codes[p]))
    for j, key in header.columns.items():
        codes = by_key.get(key)
        if j >= m:
            continue
        if codes:
            hits += np.isin(grid.codes[:, j], codes)
    return hits >= max(2, (len(header.columns) + 1) // 2)


DATA, BLANK, NOTE, SUBTOTAL, SIGNATURE, SECTION = 0, 1, 2, 3, 4, 5
KIND_NAMES = ("data", "blank", "note", "subtotal", "signature", "section")


def row_kind_codes(grid: Grid, body: Sequence[Sequence[Any]], schema: Schema) -> np.ndarray:
    """blank / note / subtotal / data code for each body row."""
    n = grid.codes.shape[0]
    kinds = np.zeros(n, dtype=np.int8)
    if not n:
        return kinds
    filled = ~grid.blank[grid.codes]
    nfilled = filled.sum(axis=1)
    subtotal = subtotal_codes(grid, schema)[grid.codes].any(axis=1)
    multi = np.flatnonzero(nfilled >= 2)
    last_multi = int(multi[-1]) if len(multi) else -1
    kinds[nfilled == 0] = BLANK
    kinds[(nfilled > 0) & subtotal] = SUBTOTAL
    # a signature/stamp/notes line: its first filled cell says 负责人签字：, 填表人：, 盖章 …
    first = grid.codes[np.arange(n), np.argmax(filled, axis=1)]
    kinds[(nfilled > 0) & signature_codes(grid, schema)[first]] = SIGNATURE
    prefixes = schema.note_prefixes
    for i in np.flatnonzero(nfilled == 1).tolist():
        # a note is one filled cell (before the subtotal rule) ...
        if clean.is_note_row(body[i], prefixes):
            kinds[i] = NOTE
        elif clean.is_section_row(body[i], schema):
            kinds[i] = SECTION
        elif subtotal[i] or kinds[i] == SIGNATURE:
            pass
        # ... or one text below the table (after it: a 合计 row whose sums are
        # formulas without cached values has only its label left)
        elif i > last_multi and last_multi >= 0 and grid.text[grid.codes[i, filled[i]][0]]:
            kinds[i] = NOTE
    return kinds


def row_kinds(body: list[list[Any]], schema: Schema) -> list[str]:
    """blank / note / subtotal / data for each body row.

    >>> rows = [["2023-07-01", "篮球赛", 50], [None, "\u3000"], ["合 计：", None, 50], ["2023-07-02", "活动合计划", 3]]
    >>> rows.append(["填表说明：本表于次年1月10日前报送。"])
    >>> row_kinds(rows, load_schema())
    ['data', 'blank', 'subtotal', 'data', 'note']
    >>> rows = [["2024年全年合计", None, 90], ["负责人签字：", "张三", "填表日期：", "2025-01-10"]]
    >>> rows.append(["单位（盖章）", None])
    >>> row_kinds(rows, load_schema())
    ['subtotal', 'signature', 'signature']
    """
    return [KIND_NAMES[k] for k in row_kind_codes(make_grid(body), body, schema).tolist()]


def duplicates(grid: Grid, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact duplicates among ``rows`` (whole raw row, type-aware): a mask of
    the later copies, and for each row the position of its first copy.

    >>> rows = [[1.0, "a"], ["1", "a"], [True, "a"], [1.0, "a"], [1.0, "a", None]]
    >>> dup, first = duplicates(make_grid(rows), np.arange(5))
    >>> dup.tolist(), first.tolist()
    ([False, False, False, True, False], [0, 1, 2, 0, 4])
    """
    if len(rows) < 2 or not grid.codes.shape[1]:
        return np.zeros(len(rows), dtype=bool), np.arange(len(rows))
    sub = grid.codes[rows]
    if grid.lengths is not None:
        sub = np.column_stack([sub, grid.lengths[rows]])
    return first_copies(sub)
