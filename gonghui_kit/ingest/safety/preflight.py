"""The entry point: checks on the path itself, then a look at the first
bytes decides which container check runs (OLE2/CFB, zip) or what the file
is instead (PDF, HTML, text, ...)."""

from __future__ import annotations

import codecs
import errno
import os
import stat
from dataclasses import replace
from pathlib import Path

from gonghui_kit.ingest.safety.container import inspect_zip
from gonghui_kit.ingest.safety.limits import DEFAULT_LIMITS, Limits
from gonghui_kit.ingest.safety.ole import CFB_MAGIC, inspect_cfb
from gonghui_kit.ingest.safety.report import NOT_WORKBOOK, Inspection, Refuse, Report, fmt_size

# --------------------------------------------------------------------------
# entry point


def inspect_workbook(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> Inspection:
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
    rep = Report()
    try:
        _inspect(p, limits, rep)
    except Refuse:
        pass
    return Inspection(
        p,
        rep.kind,
        tuple(rep.problems),
        dict(rep.dims),
        frozenset(rep.sheet_parts),
        frozenset(rep.formula_parts),
        dict(rep.hidden_rows),
    )


def _inspect(p: Path, lim: Limits, rep: Report) -> None:
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
            f"文件有 {fmt_size(st.st_size)}，超过上限 {fmt_size(lim.max_file_bytes)}；"
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
        try:
            _by_content(p, f, size, head, lim, rep)
        except Refuse:
            if p.suffix.lower() == ".et":
                _say_et(rep)
            raise


def _by_content(p: Path, f, size: int, head: bytes, lim: Limits, rep: Report) -> None:
    """What the first bytes say the file is decides which check runs."""
    if head.startswith(CFB_MAGIC):
        inspect_cfb(f, size, rep)  # BIFF8: .xls, and WPS .et (the same records)
    elif head.startswith(b"PK\x03\x04"):
        inspect_zip(f, size, lim, rep)  # OOXML: .xlsx, and an .et that holds an .xlsx
    elif head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        rep.kind = "zip"
        raise rep.refuse("not_workbook", NOT_WORKBOOK["zip"])
    else:
        kind = _sniff(head)
        rep.kind = kind
        if kind == "text" and p.suffix.lower() in (".csv", ".txt"):
            rep.kind = "csv"  # a text table, named as one: read as text (UTF-8 or GBK)
            return
        if kind == "text" and p.suffix.lower() != ".xlsx":  # never claim a renamed .xlsx when it was not
            msg = NOT_WORKBOOK["text_plain"]
            if p.suffix.lower() in (".xlsm", ".xls", ".xlsb", ".et", ".ods"):
                msg = (
                    f"这是纯文本（CSV 等）文件，只是扩展名改成了 {p.suffix}；"
                    + NOT_WORKBOOK["text_plain"].split("；", 1)[1]
                )
            raise rep.refuse("not_workbook", msg)
        raise rep.refuse("not_workbook", NOT_WORKBOOK.get(kind, NOT_WORKBOOK["unknown"]))


ET_UNKNOWN = (
    "这是 WPS 表格（.et）文件，但内部既不是 .xls 也不是 .xlsx 格式，无法读取；"
    "请在 WPS 中打开后“另存为” Excel 工作簿（.xlsx）再报送。"
)


def _say_et(rep: Report) -> None:
    """A .et (WPS 表格) whose content is a zip or compound file of no workbook
    format read here: say so in the sender's terms, not "a plain .zip"."""
    last = rep.problems[-1] if rep.problems else None
    if last is not None and last.code == "not_workbook" and rep.kind in ("zip", "cfb"):
        rep.problems[-1] = replace(last, message=ET_UNKNOWN)


def _oserror(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "没有读取权限"
    return e.strerror or type(e).__name__


# --------------------------------------------------------------------------
# things that are neither CFB nor zip


def _sniff(head: bytes) -> str:
    """What a non-zip, non-CFB file looks like: a key of NOT_WORKBOOK."""
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
    boms = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
    for bom, enc in boms:
        if head.startswith(bom):
            text = head[len(bom) :].decode(enc, "ignore")
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
