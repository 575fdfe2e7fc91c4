"""Pre-flight inspection of a submitted workbook, before any parser opens it.

Ledgers arrive from many hands, so a file is treated as hostile until a
cheap, bounded look at its bytes says a workbook parser can safely open it.
``inspect_workbook`` never runs a workbook parser, never expands XML entities,
never follows a symlink and never raises for a bad file: everything it finds
is a ``Problem`` with a stable ``code``, a ``severity`` and one Chinese line
telling the person who sent the file what to do.

What is checked, by content (magic bytes), never by file extension:

- the path itself: missing, a directory (``x.xlsx/``), a symlink (never
  followed), a pipe or device (opening a FIFO would block), empty, too big;
- OLE2/CFB files: an old ``.xls`` (a ``Workbook``/``Book`` stream, with or
  without a password), an encrypted ``.xlsx`` (``EncryptionInfo`` +
  ``EncryptedPackage`` streams), a Word/PowerPoint file; found by a small,
  bounded parse of the CFB directory (no dependency);
- anything else that is not a zip: PDF, HTML or XML-2003 "Excel" exports,
  CSV/plain text, images, archives, Windows shortcuts;
- zips: not OOXML (``.docx``, ``.ods``, ``.xlsb``, a plain zip), corrupt
  (truncated, bad CRC, sizes that lie), zip bombs (declared sizes, per-member
  compression ratio, and the bytes actually inflated, which are counted and
  capped while streaming), too many members;
- XML parts: any DTD (``<!DOCTYPE``/``<!ENTITY``, i.e. billion laughs and
  external entities; Excel never writes one) in the prolog of any XML part;
- worksheets: ``<dimension>`` and a bounded streaming scan of every sheet's
  row and cell references, so a missing or lying ``<dimension>`` cannot hide
  4,000,000 rows, a cell at ``XFD1000000`` or rows that are not in order.
  Both calamine and openpyxl allocate the whole used range densely (a sheet
  with ``A1`` and ``XFD1000000`` would need ~16 billion cells), so the range
  (rows × columns) is limited as well as rows and columns;
- macros (``vbaProject.bin``, Excel 4 macro sheets) and external links or
  data connections: reported, never run or followed;
- cell text longer than Excel's 32,767 characters and raw control characters
  (which Excel never writes and openpyxl refuses): reported.

Memory stays bounded (1 MiB chunks; structure parts capped), and time is
linear in the bytes inflated, which are capped by
``Limits.max_uncompressed_bytes``; scans stop as soon as a limit is crossed.
"""

from __future__ import annotations

import codecs
import copy
import errno
import functools
import html
import itertools
import operator
import os
import posixpath
import re
import stat
import string
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

__all__ = ["Limits", "Problem", "Inspection", "inspect_workbook", "SEVERITIES"]

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Limits:
    """What a submitted workbook may contain before it is refused."""

    max_file_bytes: int = 200 * 2**20
    max_rows: int = 1_048_576  # Excel's own limit: a sheet beyond it is not from Excel
    max_cols: int = 16_384  # Excel's own limit (column XFD)
    max_uncompressed_bytes: int = 1 * 2**30  # sum over zip members, declared and actually inflated
    max_ratio: float = 200.0  # compression ratio of one member (zip bomb) ...
    bomb_min_bytes: int = 10 * 2**20  # ... counted only for members bigger than this
    max_cell_chars: int = 32_767  # Excel's own cell limit
    max_sheet_rows_default: int = 1_000_000  # our stated limit for one sheet
    # calamine and openpyxl build the used range densely: rows × columns cells
    # (calamine: ~32 bytes each, before Python objects)
    max_sheet_cells: int = 20_000_000
    # ... and summed over all sheets: readers keep every sheet's grid at once
    # (8 sparse sheets of 20 million cells each would need ~2.5 GB)
    max_workbook_cells: int = 40_000_000
    max_members: int = 10_000  # zip entries (each costs memory in any zip reader)


@dataclass(frozen=True)
class Problem:
    code: str  # stable, machine-readable: see inspect_workbook
    severity: str  # 'error' (file refused) | 'warning' | 'info' (file read, but say so)
    message: str  # one Chinese line saying what to do
    sheet: str = ""  # the sheet concerned, as named in the file, if any


@dataclass(frozen=True)
class Inspection:
    path: Path
    kind: str  # 'xlsx' | 'xlsm' for workbooks; else what the file looks like ('xls', 'pdf', 'text', ...)
    problems: tuple[Problem, ...]
    # worksheet name -> (last row, last column), 1-based from A1: the larger of
    # what <dimension> declares and what the bounded scan found (an estimate
    # when the scan stopped at a limit)
    sheet_dims: dict[str, tuple[int, int]] = field(default_factory=dict)
    # zip members scanned as worksheets, and those among them whose XML may
    # hold a formula (an element starting with "<f"): a reader looking for
    # formulas without a cached value need not inflate the others again
    sheet_parts: frozenset[str] = frozenset()
    formula_parts: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        """True when no problem is an error: the file may be opened."""
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def notes(self) -> tuple[Problem, ...]:
        """Warnings and infos: the file is read, but the report should say these."""
        return tuple(p for p in self.problems if p.severity != "error")


# --------------------------------------------------------------------------
# messages


def _n(x: int) -> str:
    return f"{x:,}"


def _size(b: float) -> str:
    for unit, k in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if b >= k:
            v = b / k
            return f"{v:.1f} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{int(b)} 字节"


_SAVE_AS = "请在 Excel/WPS 中打开后“另存为” Excel 工作簿（.xlsx）再报送。"
_CORRUPT = "文件已损坏，无法打开，请重新导出后报送。"
_ENCRYPTED = "文件设置了打开密码，请取消密码后重新报送（Excel：文件→信息→保护工作簿→用密码进行加密，清空密码后保存）。"
_XML_DTD = (
    "文件内部含有 Excel 不会写入的 XML 声明（DTD/实体定义），可能是恶意构造的文件，已拒绝读取；"
    "请在 Excel/WPS 中打开后另存为 .xlsx 再报送。"
)

_NOT_WORKBOOK = {
    "pdf": "这是 PDF 文件，不是 Excel 表格；请报送原始的 .xlsx 台账。",
    "html": "这是网页（HTML）文件，常见于某些系统的“导出 Excel”功能，并不是真正的 Excel 文件；" + _SAVE_AS,
    "xml2003": "这是旧式的“XML 表格 2003”文件，不是 .xlsx；" + _SAVE_AS,
    "mht": "这是网页存档（.mht）文件，不是 Excel 工作簿；" + _SAVE_AS,
    "xml": "这是一个 XML 文件，不是 Excel 工作簿；" + _SAVE_AS,
    "rtf": "这是 RTF 文档，不是 Excel 表格；请报送 .xlsx 台账。",
    "text": "这是纯文本（CSV 等）文件，只是扩展名改成了 .xlsx；" + _SAVE_AS,
    "image": "这是一张图片，不是 Excel 表格；请报送 .xlsx 台账。",
    "archive": "这是压缩包（RAR/7z/gz 等），不是 Excel 工作簿；请解压后报送其中的 .xlsx 文件。",
    "zip": "这是普通的 .zip 压缩包，不是 Excel 工作簿；请解压后报送其中的 .xlsx 文件。",
    "lnk": "这是 Windows 快捷方式，不是文件本身；请找到原文件后报送。",
    "doc": "这是 Word 文档，不是 Excel 表格；请报送 .xlsx 台账。",
    "docx": "这是 Word 文档（.docx），只是扩展名改成了 .xlsx；请报送 Excel 台账。",
    "ppt": "这是 PowerPoint 演示文稿，不是 Excel 表格；请报送 .xlsx 台账。",
    "pptx": "这是 PowerPoint 演示文稿（.pptx），只是扩展名改成了 .xlsx；请报送 Excel 台账。",
    "ods": "这是 .ods 表格（WPS/LibreOffice 格式），不是 .xlsx；" + _SAVE_AS,
    "odf": "这是 OpenDocument 文档（WPS/LibreOffice 格式），不是 Excel 工作簿；请报送 .xlsx 台账。",
    "cfb": "这是无法识别的旧版 Office 格式文件，不是 Excel 工作簿；" + _SAVE_AS,
    "unknown": "无法识别的文件格式，不是 Excel 工作簿；请报送 .xlsx 文件。",
}


class _Refuse(Exception):
    """Internal: stop inspecting; the problem has been recorded."""


class _Report:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.kind = "unknown"
        self.dims: dict[str, tuple[int, int]] = {}
        self.sheet_parts: set[str] = set()
        self.formula_parts: set[str] = set()
        self._seen: set[tuple[str, str]] = set()

    def add(self, code: str, severity: str, message: str, sheet: str = "") -> None:
        key = (code, sheet)
        if key in self._seen and severity != "error":
            return
        self._seen.add(key)
        self.problems.append(Problem(code, severity, message, sheet))

    def refuse(self, code: str, message: str, sheet: str = "") -> _Refuse:
        self.add(code, "error", message, sheet)
        return _Refuse()

    @property
    def has_error(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


# --------------------------------------------------------------------------
# entry point


def inspect_workbook(path: str | os.PathLike, limits: Limits = Limits()) -> Inspection:
    """Inspect ``path`` without parsing it as a workbook; never raises for a bad file.

    Codes (severity): ``not_found``, ``is_dir``, ``symlink``, ``not_file``,
    ``unreadable``, ``empty``, ``too_large``, ``xls``, ``xlsb``,
    ``encrypted``, ``not_workbook``, ``corrupt``, ``zip_bomb``,
    ``xml_entities``, ``too_many_rows``, ``too_many_cols``, ``too_many_cells``
    (error); ``external_links``, ``long_text``, ``odd_encoding`` (warning); ``macros``,
    ``control_chars`` (info).

    >>> inspect_workbook("/nonexistent/台账.xlsx").problems[0].code
    'not_found'
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be str or os.PathLike, not {type(path).__name__}")
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be Limits, not {type(limits).__name__}")
    p = Path(path)
    rep = _Report()
    try:
        _inspect(p, limits, rep)
    except _Refuse:
        pass
    return Inspection(p, rep.kind, tuple(rep.problems), dict(rep.dims), frozenset(rep.sheet_parts), frozenset(rep.formula_parts))


def _inspect(p: Path, lim: Limits, rep: _Report) -> None:
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        rep.kind = "missing"
        raise rep.refuse("not_found", "找不到该文件，请确认文件名和位置后重新报送。") from None
    except NotADirectoryError:
        rep.kind = "missing"
        raise rep.refuse("not_found", "找不到该文件（路径中有一级不是文件夹），请确认文件位置后重新报送。") from None
    except OSError as e:
        rep.kind = "missing"
        raise rep.refuse("unreadable", f"无法访问该文件（{_oserror(e)}），请确认文件位置和权限。") from None

    if stat.S_ISLNK(st.st_mode):
        rep.kind = "symlink"
        raise rep.refuse("symlink", "这是一个快捷方式（符号链接），不会被打开；请直接报送文件本身。")
    if stat.S_ISDIR(st.st_mode):
        rep.kind = "directory"
        raise rep.refuse("is_dir", "这是一个文件夹（只是名字像 Excel 文件），不是工作簿；请报送文件本身。")
    if not stat.S_ISREG(st.st_mode):
        rep.kind = "special"
        raise rep.refuse("not_file", "这不是普通文件（可能是管道或设备），无法读取；请报送 .xlsx 文件本身。")
    if st.st_size == 0:
        rep.kind = "empty"
        raise rep.refuse("empty", "文件是空的（0 字节），请重新导出后报送。")
    if st.st_size > lim.max_file_bytes:
        rep.kind = "too_large"
        raise rep.refuse(
            "too_large",
            f"文件有 {_size(st.st_size)}，超过上限 {_size(lim.max_file_bytes)}；"
            "请删除无关的工作表和图片后重新报送，或拆分为多个文件。",
        )

    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(p, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:  # replaced by a symlink since lstat
            rep.kind = "symlink"
            raise rep.refuse("symlink", "这是一个快捷方式（符号链接），不会被打开；请直接报送文件本身。") from None
        rep.kind = "unreadable"
        raise rep.refuse("unreadable", f"无法打开该文件（{_oserror(e)}），请确认文件权限后重新报送。") from None
    with os.fdopen(fd, "rb") as f:
        fst = os.fstat(f.fileno())
        if not stat.S_ISREG(fst.st_mode) or (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
            rep.kind = "special"
            raise rep.refuse("not_file", "文件在检查时被替换，无法读取；请重新报送。")
        size = fst.st_size
        try:
            head = f.read(8192)
        except OSError as e:
            raise rep.refuse("unreadable", f"无法读取该文件（{_oserror(e)}）。") from None
        if head.startswith(_CFB_MAGIC):
            _inspect_cfb(f, size, rep)
        elif head.startswith(b"PK\x03\x04"):
            _inspect_zip(f, size, lim, rep)
        elif head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
            rep.kind = "zip"
            raise rep.refuse("not_workbook", _NOT_WORKBOOK["zip"])
        else:
            kind = _sniff(head)
            rep.kind = kind
            raise rep.refuse("not_workbook", _NOT_WORKBOOK.get(kind, _NOT_WORKBOOK["unknown"]))


def _oserror(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "没有读取权限"
    return e.strerror or type(e).__name__


# --------------------------------------------------------------------------
# things that are neither CFB nor zip


def _sniff(head: bytes) -> str:
    """What a non-zip, non-CFB file looks like: a key of _NOT_WORKBOOK."""
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")) or head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image"
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")):
        return "archive"
    if head.startswith(b"L\x00\x00\x00\x01\x14\x02\x00"):
        return "lnk"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    text = None
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):].decode(enc, "ignore")
            break
    if text is None:
        for enc in ("utf-8", "gb18030"):
            try:
                text = head.decode(enc)
                break
            except UnicodeDecodeError as e:
                if e.start > len(head) - 4:  # a character cut at the end of the sample
                    text = head[: e.start].decode(enc)
                    break
    if text is None:
        return "unknown"
    low = text.lstrip().lower()
    if low.startswith("mime-version:") or "content-type: multipart/related" in low[:2000]:
        return "mht"
    if low.startswith("<?xml") and ("urn:schemas-microsoft-com:office:spreadsheet" in low or "<workbook" in low):
        return "xml2003"
    if low.startswith(("<!doctype html", "<html", "<table")) or "<html" in low[:1000]:
        return "html"
    if low.startswith("<?xml"):
        return "xml"
    if sum(ch < " " and ch not in "\t\r\n" for ch in text[:4096]) == 0:
        return "text"
    return "unknown"


# --------------------------------------------------------------------------
# OLE2 / compound file binary: old .xls, encrypted OOXML, Word, ...

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CFB_END = 0xFFFFFFFA  # sector ids >= this are markers (ENDOFCHAIN, FREESECT, ...)


def _inspect_cfb(f, size: int, rep: _Report) -> None:
    entries = _cfb_directory(f, size)
    if entries is not None:
        names = {e[0].lower(): e for e in entries}
    else:  # damaged directory: look for the UTF-16LE stream names in the first and last MiB
        names = {}
        f.seek(0)
        blob = f.read(2**20)
        if size > 2**20:
            f.seek(max(2**20, size - 2**20))
            blob += f.read(2**20)
        for nm in ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book", "WordDocument", "PowerPoint Document"):
            if nm.encode("utf-16-le") in blob:
                names[nm.lower()] = (nm, 2, _CFB_END, 0)
    if "encryptedpackage" in names or "encryptioninfo" in names:
        rep.kind = "encrypted"
        raise rep.refuse("encrypted", _ENCRYPTED)
    wb = names.get("workbook") or names.get("book")
    if wb is not None:
        rep.kind = "xls"
        if _biff_has_filepass(f, size, wb):
            raise rep.refuse(
                "encrypted", "这是设置了打开密码的旧版 .xls 文件：请取消密码，并在 Excel/WPS 中“另存为” .xlsx 后重新报送。"
            )
        raise rep.refuse("xls", "这是旧版 .xls 文件，请在 Excel/WPS 中“另存为” .xlsx 后重新报送。")
    if "worddocument" in names:
        rep.kind = "doc"
        raise rep.refuse("not_workbook", _NOT_WORKBOOK["doc"])
    if "powerpoint document" in names:
        rep.kind = "ppt"
        raise rep.refuse("not_workbook", _NOT_WORKBOOK["ppt"])
    if entries is None:
        rep.kind = "cfb"
        raise rep.refuse("corrupt", _CORRUPT)
    rep.kind = "cfb"
    raise rep.refuse("not_workbook", _NOT_WORKBOOK["cfb"])


def _cfb_directory(f, size: int) -> list[tuple[str, int, int, int]] | None:
    """(name, type, start sector, stream size) of every directory entry; None if unparsable.

    Follows the DIFAT, FAT and directory chains with bounds and cycle checks,
    reading at most a few thousand sectors.
    """
    try:
        f.seek(0)
        hdr = f.read(512)
        if len(hdr) < 512:
            return None
        shift = struct.unpack_from("<H", hdr, 30)[0]
        if shift not in (9, 12):
            return None
        ss = 1 << shift
        n_fat, first_dir = struct.unpack_from("<II", hdr, 44)
        first_difat, n_difat = struct.unpack_from("<II", hdr, 68)
        difat = list(struct.unpack_from("<109I", hdr, 76))
        per = ss // 4

        def sector(sid: int) -> bytes | None:
            if (sid + 1) * ss >= size:
                return None
            f.seek((sid + 1) * ss)
            data = f.read(ss)
            return data if len(data) >= 128 else None

        sid, seen = first_difat, set()
        while sid < _CFB_END and len(seen) < min(n_difat, 4096):
            if sid in seen:
                return None
            seen.add(sid)
            data = sector(sid)
            if data is None or len(data) < ss:
                return None
            vals = struct.unpack(f"<{per}I", data)
            difat.extend(vals[:-1])
            sid = vals[-1]
        fat_sectors = [s for s in difat[: max(0, n_fat)] if s < _CFB_END]
        cache: dict[int, tuple[int, ...]] = {}

        def next_sector(sid: int) -> int:
            idx = sid // per
            if idx >= len(fat_sectors):
                return 0xFFFFFFFE
            if idx not in cache:
                if len(cache) > 4096:
                    return 0xFFFFFFFE
                data = sector(fat_sectors[idx])
                if data is None or len(data) < ss:
                    return 0xFFFFFFFE
                cache[idx] = struct.unpack(f"<{per}I", data)
            return cache[idx][sid % per]

        out: list[tuple[str, int, int, int]] = []
        sid, seen = first_dir, set()
        while sid < _CFB_END and len(seen) < 4096:
            if sid in seen:
                break
            seen.add(sid)
            data = sector(sid)
            if data is None:
                break
            for off in range(0, len(data) - 127, 128):
                e = data[off : off + 128]
                nlen, typ = struct.unpack_from("<HB", e, 64)
                if typ not in (1, 2, 5) or not 2 <= nlen <= 64:
                    continue
                name = e[: nlen - 2].decode("utf-16-le", "replace")
                start, ssize = struct.unpack_from("<IQ", e, 116)
                out.append((name, typ, start, ssize))
            sid = next_sector(sid)
        return out or None
    except (OSError, struct.error, ValueError):
        return None


def _biff_has_filepass(f, size: int, entry: tuple[str, int, int, int]) -> bool:
    """True when the first records of a BIFF Workbook stream hold FILEPASS (a password)."""
    _name, _typ, start, ssize = entry
    try:
        f.seek(0)
        hdr = f.read(512)
        ss = 1 << struct.unpack_from("<H", hdr, 30)[0]
        cutoff = struct.unpack_from("<I", hdr, 56)[0] or 4096
        if ssize < cutoff or start >= _CFB_END or (start + 2) * ss > size:
            return False  # a tiny stream lives in the mini stream: not worth following
        f.seek((start + 1) * ss)
        data = f.read(ss)
        pos = 0
        for _ in range(32):
            if pos + 4 > len(data):
                break
            rtype, rlen = struct.unpack_from("<HH", data, pos)
            if rtype == 0x002F:
                return True
            if rtype == 0x000A:  # EOF
                break
            pos += 4 + rlen
    except (OSError, struct.error, ValueError):
        return False
    return False


# --------------------------------------------------------------------------
# zip containers

_CHUNK = 2**20
_HEAD = 64 * 2**10  # bytes of an XML part checked for a DTD / where the root element must start
_PART_CAP = 32 * 2**20  # structure parts (workbook.xml, rels, content types) read whole, up to this


class _Budget:
    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0


def _inspect_zip(f, size: int, lim: Limits, rep: _Report) -> None:
    rep.kind = "zip"
    cd = _central_directory_size(f, size)
    if cd is not None:
        entries, cd_size = cd
        if entries > lim.max_members or cd_size > lim.max_members * 512:
            raise rep.refuse(
                "zip_bomb", f"文件内部包含 {_n(entries)} 个部件，远超正常工作簿，疑似恶意构造的文件，已拒绝读取；请重新导出后报送。"
            )
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error, NotImplementedError):
        raise rep.refuse("corrupt", _CORRUPT) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.max_members:
            raise rep.refuse("zip_bomb", f"文件内部包含 {_n(len(infos))} 个部件，远超正常工作簿，疑似恶意构造的文件，已拒绝读取。")
        by_name: dict[str, zipfile.ZipInfo] = {}
        for i in infos:
            if i.filename in by_name:
                raise rep.refuse("corrupt", "文件内部结构异常（部件重名），无法安全读取；请在 Excel/WPS 中重新另存为 .xlsx 后报送。")
            by_name[i.filename] = i
        lower = {n.lower(): n for n in by_name}

        # what kind of zip is it?
        has_ct = "[content_types].xml" in lower
        if not (has_ct and "xl/workbook.xml" in lower):
            kind = _zip_kind(zf, lower)
            rep.kind = kind
            if kind == "xlsb":
                raise rep.refuse("xlsb", "这是 Excel 二进制工作簿（.xlsb），请在 Excel/WPS 中“另存为” .xlsx 后重新报送。")
            raise rep.refuse("not_workbook", _NOT_WORKBOOK.get(kind, _NOT_WORKBOOK["zip"]))
        rep.kind = "xlsx"

        # declared sizes, methods, encryption: nothing inflated yet
        total = 0
        flagged = sum(i.flag_bits & 0x1 for i in infos)
        if flagged:  # zip-level passwords: Excel never writes them (its own are CFB, above)
            if flagged == len(infos):
                rep.kind = "encrypted"
                raise rep.refuse("encrypted", _ENCRYPTED)
            raise rep.refuse("corrupt", _CORRUPT)
        for i in infos:
            if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise rep.refuse("corrupt", "文件使用了 Excel 不会使用的压缩方式，无法安全读取；请在 Excel/WPS 中重新另存为 .xlsx 后报送。")
            if i.compress_type == zipfile.ZIP_STORED and i.compress_size != i.file_size:
                raise rep.refuse("corrupt", _CORRUPT)
            if i.compress_type == zipfile.ZIP_DEFLATED and i.compress_size > i.file_size * 1.01 + 1024:
                # deflate never expands data this much: the declared size is a lie
                raise rep.refuse("corrupt", "文件内部记录的大小与实际不符（已损坏或被篡改），无法安全读取；请重新导出后报送。")
            total += i.file_size
            if i.file_size > lim.bomb_min_bytes and i.file_size > lim.max_ratio * max(i.compress_size, 1):
                raise _bomb(rep, lim, i.file_size, i.file_size / max(i.compress_size, 1))
        if total > lim.max_uncompressed_bytes:
            raise _bomb(rep, lim, total, None)

        budget = _Budget(lim.max_uncompressed_bytes)
        checked: set[str] = set()

        def part(name: str) -> str | None:
            real = by_name.get(name) or by_name.get(lower.get(name.lower(), ""))
            if real is None:
                return None
            data = _read_part(zf, real, budget, lim, rep)
            checked.add(real.filename)
            return data

        ct = part(lower["[content_types].xml"]) or ""
        wb_xml = part(lower["xl/workbook.xml"]) or ""
        rels = part("xl/_rels/workbook.xml.rels") or ""
        sheets = _sheet_parts(wb_xml, rels, by_name, lower)

        names_low = list(lower)
        if (
            "macroenabled" in ct.lower()
            or any(n.endswith("vbaproject.bin") for n in names_low)
            or any(n.startswith(("xl/macrosheets/", "xl/activex/")) for n in names_low)
        ):
            rep.kind = "xlsm"
            rep.add("macros", "info", "文件含宏（VBA 等代码），宏不会被运行，只读取表格数据。")
        if any(n.startswith("xl/externallinks/") for n in names_low) or "xl/connections.xml" in lower:
            rep.add(
                "external_links",
                "warning",
                "文件含外部链接或数据连接（引用其他文件），不会被访问，按保存时的缓存值读取；"
                "如数值有误，请在 Excel 中“断开链接”后重新报送。",
            )

        for sheet_name, target in sheets:
            if target not in by_name:
                rep.add("corrupt", "error", f"工作表「{sheet_name}」的内容缺失，文件已损坏；请重新导出后报送。", sheet_name)
        if rep.has_error:
            return

        sheet_of = {t: n for n, t in sheets if t in by_name}
        shared = {n for n in by_name if n.lower().startswith("xl/") and n.lower().endswith("sharedstrings.xml")}
        long_text = 0
        ctrl = False
        cells = 0
        for info in infos:
            if info.filename in checked:
                continue
            scan = _stream_member(zf, info, sheet_of.get(info.filename), info.filename in shared, budget, lim, rep)
            if scan is not None:
                long_text += scan.long
                ctrl = ctrl or scan.ctrl
            if isinstance(scan, _SheetScan) and not rep.has_error:
                rows, cols = scan.estimate()
                cells += rows * cols
                if cells > lim.max_workbook_cells:
                    raise rep.refuse(
                        "too_many_cells",
                        f"各工作表的使用范围合计约 {_n(cells)} 个单元格，超过整个文件的上限 {_n(lim.max_workbook_cells)} 个。"
                        "如表格右侧或下方远处有零星内容或格式，请选中多余的行和列并“删除”（不是“清除内容”）；"
                        "如数据确实这么多，请拆分为多个文件后重新报送。",
                    )
        if long_text:
            rep.add(
                "long_text",
                "warning",
                f"有 {_n(long_text)} 个单元格的文字超过 {_n(lim.max_cell_chars)} 字（Excel 单元格上限），读取时将被截断；请核对这些单元格。",
            )
        if ctrl:
            rep.add(
                "control_chars", "info", "部分单元格含不可见的控制字符（常见于从其他系统复制的数据），读取时会去掉这些字符。"
            )


def _bomb(rep: _Report, lim: Limits, nbytes: int, ratio: float | None) -> _Refuse:
    if ratio is None:
        what = f"文件解压后约 {_size(nbytes)}，超过上限 {_size(lim.max_uncompressed_bytes)}"
    else:
        what = f"文件中有一个部件的压缩比高达 {ratio:,.0f}:1（解压后约 {_size(nbytes)}），远超正常表格"
    return rep.refuse(
        "zip_bomb",
        f"{what}，疑似“压缩炸弹”，已拒绝读取；如确为正常台账，请删除多余的行、列和图片后重新报送。",
    )


def _central_directory_size(f, size: int) -> tuple[int, int] | None:
    """(entries, central directory bytes) from the end-of-central-directory record, before zipfile reads it."""
    try:
        n = min(size, 65535 + 22 + 20)
        f.seek(size - n)
        tail = f.read(n)
        i = tail.rfind(b"PK\x05\x06")
        if i < 0 or i + 22 > len(tail):
            return None
        entries, cd_size = struct.unpack_from("<xxxxxxxxxxHI", tail, i)
        if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and i >= 20 and tail[i - 20 : i - 16] == b"PK\x06\x07":
            off = struct.unpack_from("<Q", tail, i - 20 + 8)[0]
            if off + 56 <= size:
                f.seek(off)
                rec = f.read(56)
                if rec[:4] == b"PK\x06\x06":
                    entries, cd_size = struct.unpack_from("<QQ", rec, 32)
        return entries, cd_size
    except (OSError, struct.error, ValueError):
        return None


def _zip_kind(zf: zipfile.ZipFile, lower: dict[str, str]) -> str:
    if "xl/workbook.bin" in lower:
        return "xlsb"
    if "word/document.xml" in lower:
        return "docx"
    if "ppt/presentation.xml" in lower:
        return "pptx"
    if "mimetype" in lower:
        try:
            with zf.open(lower["mimetype"]) as m:
                mt = m.read(200)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error):
            mt = b""
        return "ods" if b"opendocument.spreadsheet" in mt else "odf"
    return "zip"


def _open_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """Open a member without zipfile's cut at the declared size: we count what really inflates."""
    zi = copy.copy(info)
    zi.file_size = 1 << 62
    return zf.open(zi)


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, lim: Limits, rep: _Report) -> Iterator[bytes]:
    """Inflate one member in 1 MiB chunks, enforcing the byte budget and the bomb checks."""
    got = 0
    try:
        with _open_member(zf, info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                budget.used += len(chunk)
                if got > info.file_size:
                    raise rep.refuse("corrupt", "文件内部记录的大小与实际不符（已损坏或被篡改），无法安全读取；请重新导出后报送。")
                if budget.used > budget.limit:
                    raise _bomb(rep, lim, budget.used, None)
                if got > lim.bomb_min_bytes and got > lim.max_ratio * max(info.compress_size, 1):
                    raise _bomb(rep, lim, got, got / max(info.compress_size, 1))
                yield chunk
    except _Refuse:
        raise
    except RuntimeError:  # a member with a password
        rep.kind = "encrypted"
        raise rep.refuse("encrypted", _ENCRYPTED) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, struct.error):
        raise rep.refuse("corrupt", _CORRUPT) from None
    if got != info.file_size:
        raise rep.refuse("corrupt", _CORRUPT)


def _xml_encoding(head: bytes) -> str | None:
    """The codec of an XML part from its first bytes; None when it does not look like XML."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head[:2] == b"<\x00":
        return "utf-16-le"
    if head[:2] == b"\x00<":
        return "utf-16-be"
    if head.lstrip(b" \t\r\n")[:1] == b"<":
        return "utf-8"
    return None


_XML_EXT = (".xml", ".rels", ".vml")
_DTD = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_ROOT = re.compile(r"<[A-Za-z_]")


def _check_head(head: bytes, enc: str, name: str, rep: _Report) -> None:
    text = head[:_HEAD].decode(enc, "replace")
    if _DTD.search(text) or (len(head) >= _HEAD and not _ROOT.search(text)):
        raise rep.refuse("xml_entities", _XML_DTD)


def _read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, lim: Limits, rep: _Report) -> str:
    """A small structure part, whole, as text (after the DTD check)."""
    buf = bytearray()
    for chunk in _chunks(zf, info, budget, lim, rep):
        buf += chunk
        if len(buf) > _PART_CAP:
            raise rep.refuse(
                "corrupt", "文件的结构部分异常庞大（可能是恶意构造或已损坏），无法安全读取；请在 Excel/WPS 中重新另存为 .xlsx 后报送。"
            )
    data = bytes(buf)
    enc = _xml_encoding(data) or ("utf-8" if info.filename.lower().endswith(_XML_EXT) else None)
    if enc is None:
        return ""
    _check_head(data, enc, info.filename, rep)
    return data.decode(enc, "replace")


def _transcode(chunks: Iterator[bytes], enc: str) -> Iterator[bytes]:
    dec = codecs.getincrementaldecoder(enc)("replace")
    for c in chunks:
        yield dec.decode(c).encode("utf-8")
    yield dec.decode(b"", final=True).encode("utf-8")


def _segments(chunks: Iterator[bytes], cap: int = _CHUNK) -> Iterator[bytes]:
    """Re-cut a byte stream so that each piece ends just before a '<' (no tag is split).

    A run of more than ``cap`` bytes without '<' (long text) is passed on as is.
    """
    carry = b""
    for chunk in chunks:
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"<")
        if cut < 0 or len(data) - cut > cap:
            if data:
                yield data
            carry = b""
        elif cut == 0:
            carry = data
        else:
            yield data[:cut]
            carry = data[cut:]
    if carry:
        yield carry


# --------------------------------------------------------------------------
# workbook structure: sheet name -> sheet XML part

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_TAG = re.compile(r"""<(?:[\w.-]+:)?sheet\b((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_REL_TAG = re.compile(r"""<(?:[\w.-]+:)?Relationship\b((?:[^>"']|"[^"]*"|'[^']*')*)>""")


def _attrs(s: str) -> dict[str, str]:
    return {k: a or b for k, a, b in _ATTR.findall(s)}


def _sheet_parts(wb_xml: str, rels: str, by_name: dict, lower: dict[str, str]) -> list[tuple[str, str]]:
    """(sheet name, zip member) for every worksheet (not chart or macro sheets), in workbook order."""
    targets: dict[str, tuple[str, str]] = {}
    for m in _REL_TAG.finditer(rels):
        a = _attrs(m.group(1))
        if a.get("TargetMode", "").lower() == "external" or "Id" not in a or "Target" not in a:
            continue
        targets[a["Id"]] = (a["Target"], a.get("Type", ""))
    out = []
    for m in _SHEET_TAG.finditer(wb_xml):
        a = _attrs(m.group(1))
        name = html.unescape(a.get("name", ""))
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if rid is None or rid not in targets:
            continue
        target, typ = targets[rid]
        if typ and not typ.endswith("/worksheet"):
            continue  # chartsheet, dialogsheet, macrosheet
        t = target.replace("\\", "/")
        t = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
        if t not in by_name:
            t = lower.get(t.lower(), t)
        out.append((name, t))
    return out


# --------------------------------------------------------------------------
# scanners

# one pass maps: a-z -> A-Z, whitespace, '>' and '/' -> ' ', "'" -> '"', control characters -> NUL.
# Then '<ROW ' counts rows (also '<row>' and '<row/>', not '</row>' or '<rowBreaks'),
# '<C ' counts cells, ' R="..."' finds every r attribute and NUL flags a control character.
_T = bytearray(range(256))
for _b in range(ord("a"), ord("z") + 1):
    _T[_b] = _b - 32
for _b in b"\t\r\n>/":
    _T[_b] = 0x20
_T[ord("'")] = ord('"')
for _b in [*range(0, 9), 11, 12, *range(14, 32)]:
    _T[_b] = 0
_TABLE = bytes(_T)
del _T, _b

_RX_DIGITS = re.compile(rb' R="\$?[A-Z]*\$?(\d+)"')
_RX_LETTERS = re.compile(rb' R="\$?([A-Z]{2,})\$?\d')  # columns AA and beyond
_RX_LETTER = re.compile(rb' R="\$?([A-Z])\$?\d')
# the same, for attributes written with spaces around '=' (never by Excel; slower)
_RX_DIGITS_SPACED = re.compile(rb'(?<![\w:.-])R *= *"\$?[A-Z]*\$?(\d+)"')
_RX_LETTERS_SPACED = re.compile(rb'(?<![\w:.-])R *= *"\$?([A-Z]{2,})\$?\d')
_RX_LETTER_SPACED = re.compile(rb'(?<![\w:.-])R *= *"\$?([A-Z])\$?\d')


@functools.lru_cache(maxsize=32)
def _rx_col_beyond(col: int) -> re.Pattern:
    """An r attribute in column AA or beyond, or in a one-letter column right
    of column number ``col`` (0: none; 26: only AA and beyond)."""
    one = rb"|[" + chr(65 + col).encode() + rb"-Z]" if col < 26 else b""
    return re.compile(rb' R="\$?([A-Z]{2,}' + one + rb')\$?\d')


_RX_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")  # the first element: the root
_RX_DIM = re.compile(rb"""<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_RX_REF = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,9})")

_COLS: dict[bytes, int] | None = None


def _col_table() -> dict[bytes, int]:
    global _COLS
    if _COLS is None:
        t = {b"": 0}
        for k in (1, 2, 3):
            for tup in itertools.product(string.ascii_uppercase, repeat=k):
                s = "".join(tup)
                t[s.encode()] = _col_num(s.encode())
        _COLS = t
    return _COLS


def _col_num(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _max_col(letters: list[bytes]) -> int:
    top = max(letters)  # as bytes: the last column when it is also one of the longest
    if len(top) == len(max(letters, key=len)) and len(top) <= 3:
        return _col_num(top)
    try:
        return max(map(_col_table().__getitem__, letters))
    except KeyError:  # four letters or more: far beyond XFD anyway
        return max(map(_col_num, letters))


def _max_num(digits: list[bytes]) -> int:
    top = max(digits)  # as bytes: the numeric maximum when it is also one of the longest
    if len(top) == max(map(len, digits)):
        return int(top)
    return max(map(int, digits))


def _parse_ref(ref: str) -> tuple[int, int] | None:
    """'A1:XFD1048576' -> (1048576, 16384): the last cell of a range."""
    last = ref.strip().split(":")[-1]
    m = _RX_REF.fullmatch(last.strip())
    if not m:
        return None
    return int(m.group(2)), _col_num(m.group(1).encode())


class _TextScan:
    """Runs of text longer than a cell may hold, and raw control characters."""

    def __init__(self, max_chars: int):
        self.n = max_chars
        self.long = 0
        self.run = 0  # bytes of text at the end of the previous segment
        self.ctrl = False

    def feed(self, seg: bytes, u: bytes | None = None) -> bool:
        if not self.ctrl:
            self.ctrl = b"\x00" in (u if u is not None else seg.translate(_TABLE))
        self._runs(seg)
        return False

    def _runs(self, data: bytes) -> None:
        n = self.n
        first = data.find(b"<")
        if first < 0:
            self.run += len(data)
            return
        if self.run + first >= n and self._chars(data[:first], self.run) >= n:
            self.long += 1
        last = data.rfind(b"<")
        p = first + 1
        while p <= last:
            q = data.rfind(b"<", p, p + n)
            if q < 0:  # no '<' in n bytes: a long run starts at p
                e = data.find(b"<", p + n)
                if self._chars(data[p:e], 0) >= n:
                    self.long += 1
                p = e + 1
            else:
                p = q + 1
        self.run = len(data) - last - 1

    def _chars(self, piece: bytes, carried: int) -> int:
        # a run is a candidate at n bytes; count characters (CJK is 3 bytes in UTF-8)
        text = piece.decode("utf-8", "ignore")
        if "&" in text:
            text = html.unescape(text)
        return len(text) + carried

    def finish(self) -> None:
        if self.run >= self.n:
            self.long += 1


class _SheetScan(_TextScan):
    """Bounded count of a worksheet's extent from its row and cell references.

    Exact for the largest row and column referenced, in any order (readers
    place a cell by its own reference, not by the row it sits in). Rows and
    cells may also carry no ``r`` (legal: each follows the previous one); in
    the segments where that happens, rows are followed one by one and the
    widest row is counted, so the extent stays an upper bound.
    """

    def __init__(self, lim: Limits, prefix: bytes, name: str, declared: tuple[int, int] | None):
        super().__init__(lim.max_cell_chars)
        self.lim = lim
        self.name = name
        self.declared = declared or (0, 0)
        p = prefix.upper()
        self.t_row = b"<" + p + b"ROW "
        self.t_row_r = b"<" + p + b'ROW R="'
        self.t_c = b"<" + p + b"C "
        self.rx_row = re.compile(re.escape(self.t_row) + rb'(?:[^<]*?(?<![\w:.-])R *= *"\$?(\d+)")?')
        self.rows = self.cells = 0  # elements seen
        self.max_row = self.max_col = 0  # largest references seen
        self.cur_row = 0  # position of the last row element, as a reader counts
        self.top_row = 0  # largest such position
        self.row_cells = 0  # widest row, in cells, where some cells lack r
        self.cur_cells = 0
        self.rless = False
        self.t_f = b"<" + p + b"F"
        self.formulas = False  # an element starting with <f (formulas and more)

    def feed(self, seg: bytes, u: bytes | None = None) -> bool:
        u = seg.translate(_TABLE)
        super().feed(seg, u)
        nrow, ncell, formulas, spaced = self._tags(u)
        self.rows += nrow
        self.cells += ncell
        self.formulas = self.formulas or formulas
        nref = self._refs(u, spaced)
        if ncell + nrow > nref:
            # some rows or cells lack r: follow the rows, count the widest one
            self.rless = True
            cur, top = self.cur_row, self.top_row
            for r in self.rx_row.findall(u):
                cur = int(r) if r else cur + 1
                if cur > top:
                    top = cur
            self.cur_row, self.top_row = cur, top
            pieces = u.split(self.t_row)
            counts = list(map(operator.methodcaller("count", self.t_c), pieces))
            counts[0] += self.cur_cells
            self.row_cells = max(self.row_cells, max(counts))
            self.cur_cells = counts[-1]
        elif nrow:
            m = self.rx_row.match(u, u.rfind(self.t_row))
            if m and m.group(1):
                self.cur_row = int(m.group(1))
            self.cur_cells = 0
        return self.over() is not None

    def _tags(self, u: bytes) -> tuple[int, int, bool, bool]:
        """Row and cell elements, whether an element starts with <f, and
        whether an r attribute is written with spaces around '=' (`` R =``
        or ``R= ``), in one pass with numpy over the tags' positions."""
        if len(self.t_c) != 3:  # a namespace prefix: the plain way
            return u.count(self.t_row), u.count(self.t_c), self.t_f in u, b" R =" in u or b"R= " in u
        import numpy as np

        a = np.frombuffer(u + b"\0\0\0\0\0", np.uint8)  # padded: a[i + 4] and a[-3] stay in range
        lt = np.flatnonzero(a == 0x3C)  # '<'
        c1 = a[lt + 1]
        ncell = int(np.count_nonzero((c1 == 0x43) & (a[lt + 2] == 0x20)))  # '<C '
        nrow = int(np.count_nonzero((c1 == 0x52) & (a[lt + 2] == 0x4F) & (a[lt + 3] == 0x57) & (a[lt + 4] == 0x20)))  # '<ROW '
        formulas = bool((c1 == 0x46).any())  # '<F'
        eq = np.flatnonzero(a == 0x3D)  # '='
        before = a[eq - 1]
        spaced = bool(((before == 0x20) & (a[eq - 2] == 0x52) & (a[eq - 3] == 0x20)).any() or ((before == 0x52) & (a[eq + 1] == 0x20)).any())
        return nrow, ncell, formulas, spaced

    def _refs(self, u: bytes, spaced: bool) -> int:
        """Largest row and column among the r attributes: all of them listed."""
        if spaced:
            rx_d, rx_l, rx_1 = _RX_DIGITS_SPACED, _RX_LETTERS_SPACED, _RX_LETTER_SPACED
        else:
            rx_d, rx_l, rx_1 = _RX_DIGITS, _RX_LETTERS, _RX_LETTER
        digits = rx_d.findall(u)  # every r attribute: rows and cells
        if digits:
            self.max_row = max(self.max_row, _max_num(digits))
        if rx_l is _RX_LETTERS:
            # one search for a cell right of the widest so far (or in column
            # AA or beyond) instead of listing every cell's column
            pos = 0
            while True:
                m = _rx_col_beyond(min(self.max_col, 26)).search(u, pos)
                if m is None:
                    return len(digits)
                if len(m.group(1)) > 1:
                    break
                self.max_col = _col_num(m.group(1))
                pos = m.start()
        letters = rx_l.findall(u)  # cells in column AA or beyond
        if letters:
            self.max_col = max(self.max_col, _max_col(letters))
        elif self.max_col < 26:
            letters = rx_1.findall(u)
            if letters:
                self.max_col = max(self.max_col, _col_num(max(letters)))
        return len(digits)

    def estimate(self) -> tuple[int, int]:
        rows = max(self.max_row, self.top_row if self.rless else self.rows)
        cols = self.max_col + self.row_cells if self.rless else self.max_col
        return max(rows, self.declared[0]), max(cols, self.declared[1])

    def over(self) -> str | None:
        rows, cols = self.estimate()
        lim = self.lim
        if rows > min(lim.max_sheet_rows_default, lim.max_rows):
            return "rows"
        if cols > lim.max_cols:
            return "cols"
        if rows * cols > lim.max_sheet_cells or self.cells > lim.max_sheet_cells:
            return "cells"
        return None


def _dims_problem(rep: _Report, lim: Limits, name: str, rows: int, cols: int, what: str, at_least: bool) -> None:
    more = "至少" if at_least else ""
    if what == "rows":
        if rows > lim.max_rows:
            msg = (
                f"工作表「{name}」{more}有 {_n(rows)} 行，超过 Excel 本身的上限 {_n(lim.max_rows)} 行，"
                "不是 Excel 正常保存的文件；请在 Excel/WPS 中重新另存为 .xlsx 后报送。"
            )
        else:
            msg = (
                f"工作表「{name}」{more}有 {_n(rows)} 行，超过单表上限 {_n(lim.max_sheet_rows_default)} 行；"
                "请删除多余的空行，或拆分为多个工作表后重新报送。"
            )
        rep.add("too_many_rows", "error", msg, name)
    elif what == "cols":
        if cols > lim.max_cols:
            msg = (
                f"工作表「{name}」{more}有 {_n(cols)} 列，超过 Excel 本身的上限 {_n(lim.max_cols)} 列，"
                "不是 Excel 正常保存的文件；请在 Excel/WPS 中重新另存为 .xlsx 后报送。"
            )
        else:  # pragma: no cover - max_cols is Excel's own limit by default
            msg = f"工作表「{name}」{more}有 {_n(cols)} 列，超过上限 {_n(lim.max_cols)} 列。"
        rep.add("too_many_cols", "error", msg, name)
    else:
        rep.add(
            "too_many_cells",
            "error",
            f"工作表「{name}」的使用范围达 {_n(rows)} 行 × {_n(cols)} 列（约 {_n(rows * cols)} 个单元格），"
            f"超过上限 {_n(lim.max_sheet_cells)} 个单元格。如表格右侧或下方远处有零星内容或格式，请选中多余的行和列并"
            "“删除”（不是“清除内容”）；如数据确实这么多，请拆分为多个工作表或文件后重新报送。",
            name,
        )


def _stream_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str | None, shared: bool, budget: _Budget, lim: Limits, rep: _Report
) -> _TextScan | None:
    """Inflate one member, bounded; check an XML head for a DTD; scan worksheets and shared strings.

    ``sheet``: the member's sheet name when workbook.xml lists it. A part
    whose root element is a worksheet is scanned even when it is not listed
    (reported under its part name), so a workbook.xml this module misreads
    cannot hide a sheet from the scan.
    """
    chunks = _chunks(zf, info, budget, lim, rep)
    head = b""
    while len(head) < _HEAD:
        more = next(chunks, b"")
        if not more:
            break
        head += more
    enc = _xml_encoding(head)
    if enc is None and (info.filename.lower().endswith(_XML_EXT) or sheet is not None):
        # e.g. whitespace before the prolog: still parsed as XML by the readers
        enc = "utf-8" if head.strip(b" \t\r\n") == b"" else None
        if enc is None and sheet is not None:
            chunks.close()
            raise rep.refuse("corrupt", f"工作表「{sheet}」的内容已损坏，无法读取；请重新导出后报送。", sheet)
        enc = enc or "utf-8"
    if enc is None:  # not XML: an image, vbaProject.bin, ...
        for _ in chunks:
            pass
        return None
    _check_head(head, enc, info.filename, rep)
    stream: Iterator[bytes] = itertools.chain([head], chunks)
    if enc not in ("utf-8", "utf-8-sig"):
        if sheet is not None or shared:
            rep.add(
                "odd_encoding",
                "warning",
                "文件内部使用了不常见的文字编码（UTF-16/32），部分读取程序可能读不到内容；"
                "如读取结果为空或有缺漏，请在 Excel/WPS 中“另存为” .xlsx 后重新报送。",
            )
        stream = _transcode(stream, enc)
        head = head[:_HEAD].decode(enc, "replace").encode("utf-8")
    root = _RX_ROOT.search(head[:_HEAD])
    is_sheet = sheet is not None or (root is not None and root.group(2) in (b"worksheet", b"macrosheet", b"dialogsheet"))
    if not is_sheet and not shared:
        for _ in stream:
            pass
        return None
    if not is_sheet:
        text = _TextScan(lim.max_cell_chars)
        for seg in _segments(stream):
            text.feed(seg)
        text.finish()
        return text

    name = sheet if sheet is not None else info.filename
    prefix = (root.group(1) or b"") if root is not None else b""
    dim = _RX_DIM.search(head[:_HEAD])
    declared = _parse_ref(dim.group(1).decode("ascii", "replace")) if dim else None
    scan = _SheetScan(lim, prefix, name, declared)
    what = scan.over()
    if what is None:
        for seg in _segments(stream):
            if scan.feed(seg):
                what = scan.over() or "rows"
                break
        else:
            scan.finish()
    chunks.close()
    rows, cols = scan.estimate()
    if sheet is not None:
        rep.dims[sheet] = (rows, cols)
    if what is None:
        rep.sheet_parts.add(info.filename)
        if scan.formulas or enc not in ("utf-8", "utf-8-sig"):
            rep.formula_parts.add(info.filename)
    if what is not None:
        # over a limit: from <dimension> alone (refused before counting) or while counting
        _dims_problem(rep, lim, name, rows, cols, what, at_least=declared is None or (rows, cols) != declared)
    return scan
