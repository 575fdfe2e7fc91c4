"""Zip containers: what kind of zip, corrupt or lying sizes, zip bombs
(declared sizes, per-member ratio, bytes actually inflated), too many
members, DTDs in XML parts, macros and external links; every member is
inflated once, bounded, and worksheets are handed to ``sheetscan``."""

from __future__ import annotations

import codecs
import copy
import html
import itertools
import posixpath
import re
import struct
import zipfile
import zlib
from typing import Iterator

from gonghui_kit.ingest.safety.limits import Limits
from gonghui_kit.ingest.safety.report import CORRUPT, ENCRYPTED, NOT_WORKBOOK, Refuse, Report, fmt_count, fmt_size
from gonghui_kit.ingest.safety.sheetscan import RX_DIM, RX_ROOT, SheetScan, TextScan, dims_problem, parse_ref

# --------------------------------------------------------------------------
# zip containers

_XML_DTD = (
    "文件内部含有 Excel 不会写入的 XML 声明（DTD/实体定义），可能是恶意构造的文件，已拒绝读取；"
    "请在 Excel/WPS 中打开后另存为 .xlsx 再报送。"
)

_CHUNK = 2**20
_HEAD = 64 * 2**10  # bytes of an XML part checked for a DTD / where the root element must start
_PART_CAP = 32 * 2**20  # structure parts (workbook.xml, rels, content types) read whole, up to this


class _Budget:
    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0


def inspect_zip(f, size: int, lim: Limits, rep: Report) -> None:
    rep.kind = "zip"
    cd = _central_directory_size(f, size)
    if cd is not None:
        entries, cd_size = cd
        if entries > lim.max_members or cd_size > lim.max_members * 512:
            raise rep.refuse(
                "zip_bomb",
                f"文件内部包含 {fmt_count(entries)} 个部件，远超正常工作簿，疑似恶意构造的文件，已拒绝读取；"
                "请重新导出后报送。",
            )
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error, NotImplementedError):
        raise rep.refuse("corrupt", CORRUPT) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.max_members:
            raise rep.refuse(
                "zip_bomb",
                f"文件内部包含 {fmt_count(len(infos))} 个部件，远超正常工作簿，疑似恶意构造的文件，已拒绝读取。",
            )
        by_name: dict[str, zipfile.ZipInfo] = {}
        for i in infos:
            if i.filename in by_name:
                raise rep.refuse(
                    "corrupt", "文件内部结构异常（部件重名），无法安全读取；请在 Excel/WPS 中重新另存为 .xlsx 后报送。"
                )
            by_name[i.filename] = i
        lower = {n.lower(): n for n in by_name}

        # what kind of zip is it?
        has_ct = "[content_types].xml" in lower
        if not (has_ct and "xl/workbook.xml" in lower):
            kind = _zip_kind(zf, lower)
            rep.kind = kind
            if kind not in ("xlsb", "ods"):
                raise rep.refuse("not_workbook", NOT_WORKBOOK.get(kind, NOT_WORKBOOK["zip"]))
            _check_declared(infos, lim, rep)
            _check_other_zip(zf, kind, lower, by_name, lim, rep)  # read by calamine
            return
        rep.kind = "xlsx"
        _check_declared(infos, lim, rep)
        budget = _Budget(lim.max_uncompressed_bytes)
        _check_xlsx(zf, infos, by_name, lower, budget, lim, rep)


def _check_other_zip(
    zf: zipfile.ZipFile, kind: str, lower: dict[str, str], by_name: dict, lim: Limits, rep: Report
) -> None:
    """.ods and .xlsb, read by calamine: encryption and macros (the sizes and
    ratios are checked before; the reader bounds each sheet's used range)."""
    names_low = list(lower)
    if kind == "ods":
        man = lower.get("meta-inf/manifest.xml")
        if man is not None:
            text = _read_part(zf, by_name[man], _Budget(lim.max_uncompressed_bytes), lim, rep)
            if "encryption-data" in text:
                rep.kind = "encrypted"
                raise rep.refuse("encrypted", ENCRYPTED)
        if any(n.startswith(("basic/", "scripts/")) for n in names_low):
            rep.add("macros", "info", "文件含宏（Basic 等代码），宏不会被运行，只读取表格数据。")
    elif any(n.endswith("vbaproject.bin") for n in names_low):
        rep.add("macros", "info", "文件含宏（VBA 等代码），宏不会被运行，只读取表格数据。")


def _check_declared(infos: list[zipfile.ZipInfo], lim: Limits, rep: Report) -> None:
    """Declared sizes, methods, encryption: nothing inflated yet."""
    total = 0
    flagged = sum(i.flag_bits & 0x1 for i in infos)
    if flagged:  # zip-level passwords: Excel never writes them (its own are CFB, above)
        if flagged == len(infos):
            rep.kind = "encrypted"
            raise rep.refuse("encrypted", ENCRYPTED)
        raise rep.refuse("corrupt", CORRUPT)
    for i in infos:
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise rep.refuse(
                "corrupt",
                "文件使用了 Excel 不会使用的压缩方式，无法安全读取；请在 Excel/WPS 中重新另存为 .xlsx 后报送。",
            )
        if i.compress_type == zipfile.ZIP_STORED and i.compress_size != i.file_size:
            raise rep.refuse("corrupt", CORRUPT)
        if i.compress_type == zipfile.ZIP_DEFLATED and i.compress_size > i.file_size * 1.01 + 1024:
            # deflate never expands data this much: the declared size is a lie
            raise rep.refuse(
                "corrupt", "文件内部记录的大小与实际不符（已损坏或被篡改），无法安全读取；请重新导出后报送。"
            )
        total += i.file_size
        if i.file_size > lim.bomb_min_bytes and i.file_size > lim.max_ratio * max(i.compress_size, 1):
            raise _bomb(rep, lim, i.file_size, i.file_size / max(i.compress_size, 1))
    if total > lim.max_uncompressed_bytes:
        raise _bomb(rep, lim, total, None)


def _check_xlsx(
    zf: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    by_name: dict,
    lower: dict[str, str],
    budget: "_Budget",
    lim: Limits,
    rep: Report,
) -> None:
    """The parts of an .xlsx/.xlsm, inflated within ``budget``."""
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
        if isinstance(scan, SheetScan) and not rep.has_error:
            rows, cols = scan.estimate()
            cells += rows * cols
            if cells > lim.max_workbook_cells:
                raise rep.refuse(
                    "too_many_cells",
                    f"各工作表的使用范围合计约 {fmt_count(cells)} 个单元格，"
                    f"超过整个文件的上限 {fmt_count(lim.max_workbook_cells)} 个。"
                    "如表格右侧或下方远处有零星内容或格式，请选中多余的行和列并“删除”（不是“清除内容”）；"
                    "如数据确实这么多，请拆分为多个文件后重新报送。",
                )
    if long_text:
        rep.add(
            "long_text",
            "warning",
            f"有 {fmt_count(long_text)} 个单元格的文字超过 {fmt_count(lim.max_cell_chars)} 字（Excel 单元格上限），"
            "读取时将被截断；请核对这些单元格。",
        )
    if ctrl:
        rep.add(
            "control_chars",
            "info",
            "部分单元格含不可见的控制字符（常见于从其他系统复制的数据），读取时会去掉这些字符。",
        )


def _bomb(rep: Report, lim: Limits, nbytes: int, ratio: float | None) -> Refuse:
    if ratio is None:
        what = f"文件解压后约 {fmt_size(nbytes)}，超过上限 {fmt_size(lim.max_uncompressed_bytes)}"
    else:
        what = f"文件中有一个部件的压缩比高达 {ratio:,.0f}:1（解压后约 {fmt_size(nbytes)}），远超正常表格"
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


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, lim: Limits, rep: Report) -> Iterator[bytes]:
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
                    raise rep.refuse(
                        "corrupt", "文件内部记录的大小与实际不符（已损坏或被篡改），无法安全读取；请重新导出后报送。"
                    )
                if budget.used > budget.limit:
                    raise _bomb(rep, lim, budget.used, None)
                if got > lim.bomb_min_bytes and got > lim.max_ratio * max(info.compress_size, 1):
                    raise _bomb(rep, lim, got, got / max(info.compress_size, 1))
                yield chunk
    except Refuse:
        raise
    except RuntimeError:  # a member with a password
        rep.kind = "encrypted"
        raise rep.refuse("encrypted", ENCRYPTED) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, struct.error):
        raise rep.refuse("corrupt", CORRUPT) from None
    if got != info.file_size:
        raise rep.refuse("corrupt", CORRUPT)


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


def _check_head(head: bytes, enc: str, name: str, rep: Report) -> None:
    text = head[:_HEAD].decode(enc, "replace")
    if _DTD.search(text) or (len(head) >= _HEAD and not _ROOT.search(text)):
        raise rep.refuse("xml_entities", _XML_DTD)


def _read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, lim: Limits, rep: Report) -> str:
    """A small structure part, whole, as text (after the DTD check)."""
    buf = bytearray()
    for chunk in _chunks(zf, info, budget, lim, rep):
        buf += chunk
        if len(buf) > _PART_CAP:
            raise rep.refuse(
                "corrupt",
                "文件的结构部分异常庞大（可能是恶意构造或已损坏），无法安全读取；"
                "请在 Excel/WPS 中重新另存为 .xlsx 后报送。",
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


def _stream_member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    sheet: str | None,
    shared: bool,
    budget: _Budget,
    lim: Limits,
    rep: Report,
) -> TextScan | None:
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
    root = RX_ROOT.search(head[:_HEAD])
    sheet_roots = (b"worksheet", b"macrosheet", b"dialogsheet")
    is_sheet = sheet is not None or (root is not None and root.group(2) in sheet_roots)
    if not is_sheet and not shared:
        for _ in stream:
            pass
        return None
    if not is_sheet:
        text = TextScan(lim.max_cell_chars)
        for seg in _segments(stream):
            text.feed(seg)
        text.finish()
        return text

    name = sheet if sheet is not None else info.filename
    prefix = (root.group(1) or b"") if root is not None else b""
    dim = RX_DIM.search(head[:_HEAD])
    declared = parse_ref(dim.group(1).decode("ascii", "replace")) if dim else None
    scan = SheetScan(lim, prefix, name, declared)
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
        if scan.hidden:
            rep.hidden_rows[sheet] = frozenset(scan.hidden)
    if what is None:
        rep.sheet_parts.add(info.filename)
        if scan.formulas or enc not in ("utf-8", "utf-8-sig"):
            rep.formula_parts.add(info.filename)
    if what is not None:
        # over a limit: from <dimension> alone (refused before counting) or while counting
        dims_problem(rep, lim, name, rows, cols, what, at_least=declared is None or (rows, cols) != declared)
    return scan
