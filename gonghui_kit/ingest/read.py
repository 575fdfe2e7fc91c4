"""Reading workbooks into raw grids.

Readers are registered by name (like papermill's engines) and return the
same ``RawWorkbook``: one ``RawSheet`` per worksheet, a grid of cell values
(cached values for formulas) with the Excel row number of its first row.

- ``calamine`` (default): python-calamine, a Rust reader ~10× faster than
  openpyxl on these files (pandas 3 announces it as its future default).
- ``openpyxl``: pure Python, slower; also reports hidden rows.

Formula cells without a cached value (a workbook saved by a program that
does not compute formulas) are found by a bounded scan of the sheet XML, so
either reader can report them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

__all__ = [
    "RawSheet",
    "RawWorkbook",
    "ReadError",
    "READERS",
    "register_reader",
    "read_workbook",
    "parse_ahead",
    "Prefetched",
    "sheet_xml_paths",
    "read_text_table",
    "decode_text",
    "sniff_delimiter",
    "TEXT_SUFFIXES",
]


@dataclass
class RawSheet:
    name: str
    rows: list[list[Any]]
    first_row: int = 1  # Excel row number of rows[0]
    first_col: int = 0  # 0-based column offset of rows[*][0]
    hidden_rows: frozenset[int] = frozenset()
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)  # (excel_row, col0)
    visible: bool = True
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based (row0, col0, row1, col1), absolute

    def excel_row(self, i: int) -> int:
        return self.first_row + i


@dataclass
class RawWorkbook:
    path: Path
    sheets: list[RawSheet]
    engine: str


class ReadError(Exception):
    """A workbook that cannot be read; ``code`` names the reason."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


READERS: dict[str, Callable[[Path], RawWorkbook]] = {}


def register_reader(name: str):
    def deco(fn: Callable[[Path], RawWorkbook]):
        READERS[name] = fn
        return fn

    return deco


def read_workbook(
    path: str | Path, engine: str = "calamine", *, inspection: Any = None, prefetched: Prefetched | None = None
) -> RawWorkbook:
    """Read every worksheet of ``path`` with the named reader.

    ``inspection``: the ``safety.Inspection`` of the same file, if any; the
    sheets it scanned and found without any formula are not inflated again
    to look for formulas without a cached value.  ``prefetched``: what
    ``parse_ahead(path)`` returned (calamine only).
    """
    try:
        reader = READERS[engine]
    except KeyError:
        raise ValueError(f"unknown reader {engine!r}; known: {sorted(READERS)}") from None
    path = Path(path)
    if path.suffix.lower() in TEXT_SUFFIXES or getattr(inspection, "kind", None) == "csv":
        return read_text_table(path)
    if prefetched is not None and engine == "calamine":
        wb = _calamine_grids(path, prefetched.wb, prefetched.parsed)
    else:
        wb = reader(path)
    skip: frozenset[str] = frozenset()
    if inspection is not None:
        skip = frozenset(getattr(inspection, "sheet_parts", ())) - frozenset(getattr(inspection, "formula_parts", ()))
    missing = _formulas_without_value(path, skip=skip)
    hidden = getattr(inspection, "hidden_rows", None) or {}
    for s in wb.sheets:
        s.formulas_without_value = missing.get(s.name, [])
        s.hidden_rows = hidden.get(s.name, s.hidden_rows)
    return wb


MAX_SHEET_CELLS = 20_000_000  # safety.Limits.max_sheet_cells
TEXT_SUFFIXES = (".csv", ".txt")
_DELIMITERS = ",\t;|"


def decode_text(data: bytes) -> tuple[str, str]:
    r"""Text and the encoding it was written in: a BOM (UTF-8, UTF-16), else
    UTF-8 if it decodes, else GB18030 (a superset of GBK and GB2312, what
    Chinese Excel and WPS write for "CSV").

    >>> decode_text("日期,金额".encode("gbk")), decode_text("\ufeff日期".encode("utf-8"))
    (('日期,金额', 'gb18030'), ('日期', 'utf-8-sig'))
    """
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, "replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace"), "gb18030"


def sniff_delimiter(text: str) -> str:
    r"""The delimiter of a text table: the candidate that splits the first
    lines into the same number (> 1) of fields most often.

    >>> sniff_delimiter("日期;金额\n2023-01-01;5"), sniff_delimiter("日期\t名称\n1\t2"), sniff_delimiter("a")
    (';', '\t', ',')
    """
    import csv
    import io

    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, score = ",", 0
    for d in _DELIMITERS:
        counts = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=d)]
        wide = [c for c in counts if c > 1]
        if wide:
            common = max(set(wide), key=wide.count)
            sc = wide.count(common) * common
            if sc > score:
                best, score = d, sc
    return best


def read_text_table(path: Path) -> RawWorkbook:
    """A .csv/.txt table as one sheet named after the file (cells as text;
    the column parsers read numbers and dates written as text)."""
    import csv
    import io

    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReadError("unreadable", f"文件无法读取（{type(e).__name__}）") from e
    text, _ = decode_text(data)
    rows = [[(c.strip() or None) for c in r] for r in csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))]
    if sum(len(r) for r in rows) > MAX_SHEET_CELLS:
        raise ReadError("too_many_cells", "文件的单元格数超过上限；请拆分后重新报送")
    return RawWorkbook(path, [RawSheet(path.stem, rows)], "csv")


@register_reader("calamine")
def _read_calamine(path: Path) -> RawWorkbook:
    return _calamine_grids(path, _calamine_open(path))


def _calamine_open(path: Path) -> Any:
    import python_calamine as pc

    try:
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:  # a file name that is not UTF-8 (GBK from a Windows zip): calamine takes text only
            with open(path, "rb") as f:
                return pc.CalamineWorkbook.from_filelike(io.BytesIO(f.read()))
        # calamine picks its reader by the suffix; for one it does not know (WPS .et, a BIFF8
        # .xls or an .xlsx inside) it tries each format in turn, so both kinds of .et open
        return pc.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types
        first = e
    try:  # an .xls or .ods named .xlsx (calamine picks the format by the name): by content
        with open(path, "rb") as f:
            return pc.CalamineWorkbook.from_filelike(f)
    except Exception as e:
        if isinstance(first, pc.PasswordError) or isinstance(e, pc.PasswordError):  # preflight finds FILEPASS first
            raise ReadError("encrypted", "文件设置了打开密码，无法读取；请取消密码") from first
        raise ReadError("corrupt", f"文件无法打开（{type(first).__name__}）") from first


def _calamine_worksheets(wb: Any) -> list[tuple[str, Any]]:
    """(name, metadata) of each worksheet (not chart or macro sheets)."""
    meta = {m.name: m for m in wb.sheets_metadata}
    out = []
    for name in wb.sheet_names:
        m = meta.get(name)
        if m is not None and "WorkSheet" not in str(m.typ):
            continue  # chart sheets, macro sheets
        out.append((name, m))
    return out


def _calamine_grids(path: Path, wb: Any, parsed: dict[str, Any] | None = None) -> RawWorkbook:
    """Python grids of every worksheet; ``parsed``: sheets already parsed
    (``parse_ahead``), the others are parsed here one at a time."""
    sheets: list[RawSheet] = []
    try:
        for name, m in _calamine_worksheets(wb):
            sh = parsed.pop(name) if parsed and name in parsed else wb.get_sheet_by_name(name)
            if sh.height * sh.width > MAX_SHEET_CELLS:  # .xls/.ods/.xlsb: not bounded by the safety scan
                raise ReadError(
                    "too_many_cells",
                    f"工作表“{name}”的使用范围约 {sh.height * sh.width:,} 个单元格，超过上限；"
                    "请删除多余的行和列后重新报送",
                )
            start = sh.start or (0, 0)
            rows = sh.to_python(skip_empty_area=True)
            try:
                merged = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or ())]
            except Exception:  # noqa: BLE001 - formats without merge records
                merged = []
            # free this sheet's dense Rust grid now: a plain reassignment keeps
            # it alive while the next sheet's grid is built (2× peak memory)
            del sh
            visible = m is None or str(m.visible).endswith("Visible")
            sheets.append(
                RawSheet(
                    name=name, rows=rows, first_row=start[0] + 1, first_col=start[1], visible=visible, merged=merged
                )
            )
    except ReadError:
        raise
    except Exception as e:
        raise ReadError("corrupt", f"文件内容损坏，无法读取（{type(e).__name__}）") from e
    finally:
        try:
            wb.close()
        except Exception:
            pass
    return RawWorkbook(path, sheets, "calamine")


class Prefetched:
    """A workbook whose sheets calamine parsed ahead of time (see ``parse_ahead``)."""

    def __init__(self, path: Path, wb: Any, parsed: dict[str, Any]):
        self.path, self.wb, self.parsed = path, wb, parsed


def parse_ahead(path: str | Path) -> Prefetched:
    """calamine's part of reading ``path``: unzip and parse every worksheet
    into calamine's own grids, without building Python objects.  calamine
    does this without holding the GIL, so a helper thread can read the next
    workbook while the current one is cleaned; pass the result to
    ``read_workbook(..., prefetched=...)``.  Only for a file that
    ``safety.inspect_workbook`` has passed (the grids are dense).  Raises
    ``ReadError`` like ``read_workbook``.
    """
    path = Path(path)
    wb = _calamine_open(path)
    parsed: dict[str, Any] = {}
    try:
        for name, _ in _calamine_worksheets(wb):
            parsed[name] = wb.get_sheet_by_name(name)
    except Exception as e:
        try:
            wb.close()
        except Exception:
            pass
        raise ReadError("corrupt", f"文件内容损坏，无法读取（{type(e).__name__}）") from e
    return Prefetched(path, wb, parsed)


@register_reader("openpyxl")
def _read_openpyxl(path: Path) -> RawWorkbook:
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=False, data_only=True, keep_links=False, keep_vba=False)
    except Exception as e:
        raise ReadError("corrupt", f"文件无法打开（{type(e).__name__}）") from e
    sheets = []
    try:
        for ws in wb.worksheets:
            rows = [[("" if v is None else v) for v in r] for r in ws.iter_rows(values_only=True)]
            hidden = frozenset(r for r, d in ws.row_dimensions.items() if d.hidden)
            merged = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
            sheets.append(RawSheet(ws.title, rows, 1, 0, hidden, visible=ws.sheet_state == "visible", merged=merged))
    finally:
        wb.close()
    return RawWorkbook(path, sheets, "openpyxl")


# --------------------------------------------------------------------------
# formula cells without a cached value

_REL_ID = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', re.S)
_REL_ID2 = re.compile(rb'<sheet\b[^>]*?r:id="([^"]*)"[^>]*?name="([^"]*)"', re.S)
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"', re.S)
_REL2 = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"', re.S)
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_MAX_SCAN = 64 * 2**20


def _unescape(b: bytes) -> str:
    import html

    return html.unescape(b.decode("utf-8", "replace"))


def sheet_xml_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML part inside the zip."""
    try:
        wbx = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {rid: tgt for rid, tgt in _REL.findall(rels)}
    targets.update({rid: tgt for tgt, rid in _REL2.findall(rels)})
    pairs = _REL_ID.findall(wbx) or [(n, r) for r, n in _REL_ID2.findall(wbx)]
    out = {}
    for name, rid in pairs:
        tgt = targets.get(rid)
        if not tgt:
            continue
        t = tgt.decode()
        t = t.lstrip("/") if t.startswith("/") else "xl/" + t
        out[_unescape(name)] = t
    return out


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _formulas_without_value(path: Path, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple[int, int]]]:
    """(Excel row, column) of each formula cell without a cached value, per
    sheet name; the zip members in ``skip`` are known to hold no formula."""
    out: dict[str, list[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for name, part in sheet_xml_paths(zf).items():
                if part in skip:
                    continue
                try:
                    info = zf.getinfo(part)
                except KeyError:
                    continue
                if info.file_size > _MAX_SCAN:
                    continue
                data = zf.read(part)
                if b"<f" not in data:
                    continue
                hits = []
                for m in _CELL.finditer(data):
                    inner = m.group(3) or b""
                    if b"<f" in inner and not re.search(rb"<v>[^<]+</v>", inner):
                        hits.append((int(m.group(2)), _col_index(m.group(1))))
                if hits:
                    out[name] = hits
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return {}
    return out
