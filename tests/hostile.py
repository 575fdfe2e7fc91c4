"""Builders of hostile workbooks (and good ones to compare), for tests.

Every builder takes a directory and returns the path of the file it wrote
there. Nothing here needs Excel or LibreOffice: OLE2 files (.xls, encrypted
.xlsx, .doc) are written by a small compound-file writer whose output
follows the CFB layout ([MS-CFB]: header, FAT, directory, stream sectors), so
a detector reads them as it would read real ones; zips are written with
``zipfile`` from raw XML so that each trap is exactly what a hostile file
would hold (openpyxl refuses to write some of them).

Big builds (the 4,000,000-row sheets) take a few seconds: cache them per
test session (``tmp_path_factory`` + ``scope="session"``).
"""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence

__all__ = [
    "cfb_bytes",
    "sheet_xml",
    "write_xlsx",
    "good_workbook",
    "big_good_workbook",
    "old_xls",
    "encrypted_xls",
    "encrypted_xlsx",
    "word_doc",
    "truncated_xlsx",
    "crc_corrupt_xlsx",
    "text_as_xlsx",
    "gbk_csv_as_xlsx",
    "pdf_as_xlsx",
    "html_as_xlsx",
    "docx_as_xlsx",
    "ods_as_xlsx",
    "xlsb_as_xlsx",
    "plain_zip",
    "row_bomb",
    "ratio_bomb",
    "declared_size_bomb",
    "size_liar",
    "many_members",
    "billion_laughs",
    "xxe_workbook",
    "dtd_after_whitespace",
    "wide_dimension",
    "far_cell",
    "long_text",
    "cjk_text",
    "control_chars",
    "macro_xlsm",
    "external_link",
    "symlink_to",
    "dir_named_xlsx",
    "empty_file",
    "fifo",
    "utf16_sheet",
    "rless_rows",
    "rless_wide",
    "nonascending_rows",
    "hidden_far_corner",
    "spaced_attrs",
    "lowercase_refs",
    "prefixed_namespace",
    "orphan_sheet",
    "gt_in_sheet_name",
]

# --------------------------------------------------------------------------
# compound file binary (OLE2) writer

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def cfb_bytes(streams: Mapping[str, bytes], storages: Sequence[str] = ()) -> bytes:
    """A version-3 compound file (512-byte sectors) holding ``streams`` at the root.

    Streams shorter than the 4096-byte mini-stream cutoff are padded to it so
    that every stream lives in regular sectors (no mini stream needed).
    """
    ss = 512
    datas = [(name, data.ljust(4096, b"\x00")) for name, data in streams.items()]
    entries = [("Root Entry", 5, _END, 0)]  # (name, type, start, size)
    sectors: list[bytes] = []  # stream sectors, numbered after FAT + directory
    n_entries = 1 + len(storages) + len(datas)
    n_dir = (n_entries + 3) // 4
    first_data = 1 + n_dir
    chains: list[tuple[int, int]] = []  # (first sector, count)
    for name in storages:
        entries.append((name, 1, 0, 0))
    for name, data in datas:
        start = first_data + len(sectors)
        count = (len(data) + ss - 1) // ss
        for i in range(count):
            sectors.append(data[i * ss : (i + 1) * ss].ljust(ss, b"\x00"))
        entries.append((name, 2, start, len(data)))
        chains.append((start, count))
    total = first_data + len(sectors)
    if total > 128:
        raise ValueError("cfb_bytes writes one FAT sector: keep the streams under ~60 KB")
    fat = [_FREE] * 128
    fat[0] = _FATSECT
    for i in range(n_dir):
        fat[1 + i] = 2 + i if i < n_dir - 1 else _END
    for start, count in chains:
        for k in range(count):
            fat[start + k] = start + k + 1 if k < count - 1 else _END

    def entry(i: int, name: str, typ: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        left = right = child = _NOSTREAM
        if typ == 5:
            child = 1 if n_entries > 1 else _NOSTREAM
        elif i + 1 < n_entries:
            right = i + 1  # a degenerate but valid (all black) sibling tree
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), typ, 1)
            + struct.pack("<III", left, right, child)
            + b"\x00" * 16  # clsid
            + struct.pack("<I", 0)  # state bits
            + b"\x00" * 16  # creation, modification times
            + struct.pack("<IQ", start, size)
        )

    directory = b"".join(entry(i, *e) for i, e in enumerate(entries))
    empty = b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", _NOSTREAM, _NOSTREAM, _NOSTREAM)
    empty = empty.ljust(128, b"\x00")
    directory += empty * (n_dir * 4 - n_entries)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *([_FREE] * 108))
    )
    assert len(header) == 512, len(header)
    return header + struct.pack("<128I", *fat) + directory + b"".join(sectors)


def _biff_record(rtype: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


_BOF = _biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0x000080C9, 0x00000206))
_SUMMARY = b"\xfe\xff\x00\x00" + b"\x00" * 44  # a property-set stream header, as Excel writes


def old_xls(d: Path, name: str = "旧版台账.xlsx") -> Path:
    """A BIFF8 .xls (named .xlsx, as people do): CFB with a 'Workbook' stream."""
    body = _BOF + _biff_record(0x00E1, b"\x00\x00") + _biff_record(0x0042, b"\xb0\x04") + _biff_record(0x000A)
    p = Path(d) / name
    p.write_bytes(cfb_bytes({"Workbook": body, "\x05SummaryInformation": _SUMMARY}))
    return p


def encrypted_xls(d: Path, name: str = "加密旧版.xls") -> Path:
    """A BIFF8 .xls with a FILEPASS record right after BOF (RC4 password)."""
    filepass = _biff_record(0x002F, struct.pack("<HHH", 1, 1, 1) + os.urandom(48))
    body = _BOF + filepass + _biff_record(0x00E1, b"\x00\x00") + _biff_record(0x000A)
    p = Path(d) / name
    p.write_bytes(cfb_bytes({"Workbook": body}))
    return p


def encrypted_xlsx(d: Path, name: str = "加密台账.xlsx") -> Path:
    """What Excel writes for a password-protected .xlsx: a CFB with EncryptionInfo + EncryptedPackage."""
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        b"</encryption>"
    )
    package = struct.pack("<Q", 8000) + os.urandom(8000)
    p = Path(d) / name
    p.write_bytes(
        cfb_bytes(
            {"EncryptionInfo": info, "EncryptedPackage": package},
            storages=["\x06DataSpaces"],
        )
    )
    return p


def word_doc(d: Path, name: str = "通知.xlsx") -> Path:
    """A Word 97-2003 .doc renamed .xlsx."""
    p = Path(d) / name
    p.write_bytes(cfb_bytes({"WordDocument": b"\xec\xa5\xc1\x00" + b"\x00" * 200, "1Table": b"\x00" * 100}))
    return p


# --------------------------------------------------------------------------
# a minimal xlsx writer (raw XML, so hostile content stays exactly as written)

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_WORKBOOK_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def sheet_xml(rows: str, dimension: str | None = None, head: str = "") -> bytes:
    """A worksheet part around ``rows`` (the inside of <sheetData>)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{_XML_DECL}{head}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">{dim}<sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def write_xlsx(
    path: Path,
    sheets: Sequence[tuple[str, bytes | Iterable[bytes]]],
    *,
    shared_strings: bytes | None = None,
    extra: Mapping[str, bytes] | None = None,
    overrides: Mapping[str, str] | None = None,
    workbook_rels_extra: Sequence[tuple[str, str]] = (),
    workbook_xml: bytes | None = None,
    workbook_content_type: str = CT_WORKBOOK,
    compresslevel: int = 6,
) -> Path:
    """Write an .xlsx from raw parts.

    ``sheets``: (name, XML) pairs; the XML may be an iterable of byte chunks
    (streamed into the zip, for sheets too big to hold in memory).
    ``workbook_rels_extra``: (Type suffix, Target) relationships to add.
    """
    if not hasattr(path, "write"):
        path = Path(path)
    extra = dict(extra or {})
    overrides = dict(overrides or {})
    ct = [
        f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        f'<Override PartName="/xl/workbook.xml" ContentType="{workbook_content_type}"/>',
    ]
    for i in range(1, len(sheets) + 1):
        ct.append(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
    if shared_strings is not None:
        ct.append(
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    for part, ctype in overrides.items():
        ct.append(f'<Override PartName="/{part}" ContentType="{ctype}"/>')
    ct.append("</Types>")
    root_rels = (
        f'{_XML_DECL}<Relationships xmlns="{NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{NS_R}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    if workbook_xml is None:
        sheet_tags = "".join(
            f'<sheet name="{_esc(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in enumerate(sheets, 1)
        )
        workbook_xml = (
            f'{_XML_DECL}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><sheets>{sheet_tags}</sheets></workbook>'.encode()
        )
    rels = [f'{_XML_DECL}<Relationships xmlns="{NS_PKG_REL}">']
    for i in range(1, len(sheets) + 1):
        rels.append(f'<Relationship Id="rId{i}" Type="{NS_R}/worksheet" Target="worksheets/sheet{i}.xml"/>')
    n = len(sheets)
    if shared_strings is not None:
        n += 1
        rels.append(f'<Relationship Id="rId{n}" Type="{NS_R}/sharedStrings" Target="sharedStrings.xml"/>')
    for typ, target in workbook_rels_extra:
        n += 1
        rels.append(f'<Relationship Id="rId{n}" Type="{NS_R}/{typ}" Target="{target}"/>')
    rels.append("</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr("[Content_Types].xml", "".join(ct))
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook_xml)
        z.writestr("xl/_rels/workbook.xml.rels", "".join(rels))
        for i, (_name, xml) in enumerate(sheets, 1):
            member = f"xl/worksheets/sheet{i}.xml"
            if isinstance(xml, (bytes, bytearray)):
                z.writestr(member, bytes(xml))
            else:
                with z.open(member, "w", force_zip64=True) as w:
                    for chunk in xml:
                        w.write(chunk)
        if shared_strings is not None:
            z.writestr("xl/sharedStrings.xml", shared_strings)
        for part, data in extra.items():
            z.writestr(part, data)
    return path


def _sst(strings: Sequence[str]) -> bytes:
    items = "".join(f'<si><t xml:space="preserve">{_esc(s)}</t></si>' for s in strings)
    return (
        f'{_XML_DECL}<sst xmlns="{NS_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'.encode()
    )


# --------------------------------------------------------------------------
# good workbooks


def good_workbook(d: Path, name: str = "会员名册.xlsx") -> Path:
    """What Excel users send, made by openpyxl: sheet '会员名册' 6×4 and '经费收支' 3×3."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "会员名册"
    ws.append(["姓名", "性别", "入会日期", "月缴会费"])
    for i in range(5):
        ws.append([f"会员{i}", "女" if i % 2 else "男", f"2024-0{i + 1}-01", 10 + i])
    ws2 = wb.create_sheet("经费收支")
    ws2.append(["科目", "收入", "支出"])
    ws2.append(["会费", 1200, 0])
    ws2.append(["活动", 0, 800])
    p = Path(d) / name
    wb.save(p)
    return p


def big_good_workbook(
    d: Path, rows: int = 120_000, cols: int = 30, dimension: bool = True, name: str = "大台账.xlsx"
) -> Path:
    """A legitimately big sheet (header + ``rows`` data rows × ``cols`` columns), streamed raw."""

    def col(i: int) -> str:
        s = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        return s

    letters = [col(i) for i in range(cols)]

    def gen():
        dim = f'<dimension ref="A1:{letters[-1]}{rows + 1}"/>' if dimension else ""
        yield f'{_XML_DECL}<worksheet xmlns="{NS_MAIN}">{dim}<sheetData>'.encode()
        buf = []
        for r in range(1, rows + 2):
            cells = "".join(f'<c r="{L}{r}"><v>{(r * 31 + j) % 9973}</v></c>' for j, L in enumerate(letters))
            buf.append(f'<row r="{r}" spans="1:{cols}">{cells}</row>')
            if len(buf) == 2000:
                yield "".join(buf).encode()
                buf = []
        buf.append("</sheetData></worksheet>")
        yield "".join(buf).encode()

    return write_xlsx(Path(d) / name, [("台账", gen())], compresslevel=1)


# --------------------------------------------------------------------------
# not a workbook / corrupt


def truncated_xlsx(d: Path, name: str = "截断.xlsx") -> Path:
    """A real openpyxl workbook cut in half (an interrupted download)."""
    src = good_workbook(Path(d), name="_full_for_truncation.xlsx")
    data = src.read_bytes()
    src.unlink()
    p = Path(d) / name
    p.write_bytes(data[: len(data) // 2])
    return p


def crc_corrupt_xlsx(d: Path, name: str = "CRC错误.xlsx") -> Path:
    """A complete zip whose sheet bytes changed after the CRC was written (bit rot)."""
    p = Path(d) / name
    sheet = sheet_xml('<row r="1"><c r="A1"><v>12345</v></c></row>', "A1")
    with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as z:
        for part, data in _minimal_parts([("Sheet1", sheet)]).items():
            z.writestr(part, data)
    raw = p.read_bytes()
    i = raw.index(b"<v>12345</v>")
    p.write_bytes(raw[:i] + b"<v>99999</v>" + raw[i + 12 :])
    return p


def _minimal_parts(sheets: Sequence[tuple[str, bytes]]) -> dict[str, bytes]:
    tmp: dict[str, bytes] = {}
    import io

    buf = io.BytesIO()
    write_xlsx(buf, sheets)  # type: ignore[arg-type]
    with zipfile.ZipFile(buf) as z:
        for n in z.namelist():
            tmp[n] = z.read(n)
    return tmp


def text_as_xlsx(d: Path, name: str = "名册.xlsx") -> Path:
    p = Path(d) / name
    p.write_bytes("\ufeff姓名,性别,会费\n张三,男,10\n李四,女,12\n".encode("utf-8"))
    return p


def gbk_csv_as_xlsx(d: Path, name: str = "名册GBK.xlsx") -> Path:
    p = Path(d) / name
    p.write_bytes("姓名,性别,会费\n张三,男,10\n李四,女,12\n".encode("gbk"))
    return p


def pdf_as_xlsx(d: Path, name: str = "报表.xlsx") -> Path:
    p = Path(d) / name
    p.write_bytes(
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    return p


def html_as_xlsx(d: Path, name: str = "系统导出.xlsx") -> Path:
    """What many systems' "导出 Excel" button writes: an HTML table."""
    p = Path(d) / name
    p.write_text(
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head>'
        "<body><table><tr><td>姓名</td><td>会费</td></tr><tr><td>张三</td><td>10</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return p


def docx_as_xlsx(d: Path, name: str = "通知.xlsx") -> Path:
    p = Path(d) / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("_rels/.rels", f'{_XML_DECL}<Relationships xmlns="{NS_PKG_REL}"/>')
        z.writestr(
            "word/document.xml",
            f'{_XML_DECL}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>关于报送台账的通知</w:t></w:r></w:p></w:body></w:document>",
        )
    return p


def ods_as_xlsx(d: Path, name: str = "表格.xlsx") -> Path:
    p = Path(d) / name
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr(
            "content.xml",
            f'{_XML_DECL}<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
        )
    return p


def xlsb_as_xlsx(d: Path, name: str = "二进制.xlsx") -> Path:
    p = Path(d) / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        z.writestr("xl/workbook.bin", b"\x83\x01\x00" * 10)
    return p


def plain_zip(d: Path, name: str = "打包.xlsx") -> Path:
    p = Path(d) / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("台账/说明.txt", "见附件")
    return p


# --------------------------------------------------------------------------
# zip bombs and sizes that lie


def row_bomb(
    d: Path,
    rows: int = 4_000_000,
    dimension: str | None = None,
    every: int = 10,
    name: str = "行炸弹.xlsx",
    compresslevel: int = 9,
) -> Path:
    """A sheet of ``rows`` tiny rows streamed into the zip at compresslevel 9.

    ``every``: one row in ``every`` carries its number (``<row r="N">``); the
    others carry none and, as the format allows, follow the previous row, as
    do their cells. With the default 10 the file is ~1.2 MB (108 MB inflated,
    ratio ~90:1, under any plain ratio rule); ``every=1`` numbers every row
    and cell (``<c r="AN">``), ~5 bytes a row compressed.
    ``dimension``: what ``<dimension ref>`` claims, e.g. f"A1:A{rows}"
    (honest) or "A1:B2" (a lie); None writes no ``<dimension>``.
    ``compresslevel`` 6 gives the same size for this content in a fifth of the time.
    """

    plain = "<row><c><v>1</v></c></row>"

    def row(r: int) -> str:
        if every == 1:
            return f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>'
        if r % every == 0:
            return f'<row r="{r}"><c><v>1</v></c></row>'
        return plain

    def gen():
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        yield f'{_XML_DECL}<worksheet xmlns="{NS_MAIN}">{dim}<sheetData>'.encode()
        r = 1
        if every > 1:  # whole groups at once: one numbered row, then every - 1 plain ones
            group_tail = (plain * (every - 1)).encode()
            while r % every != 0 and r <= rows:
                yield row(r).encode()
                r += 1
            while r + every - 1 <= rows:
                yield b"".join(
                    f'<row r="{k}"><c><v>1</v></c></row>'.encode() + group_tail
                    for k in range(r, min(r + 50_000 * every, rows - every + 2), every)
                )
                r = min(r + 50_000 * every, rows - every + 2)
                r += (-r) % every  # next numbered row
        step = 50_000
        for start in range(r, rows + 1, step):
            yield "".join([row(k) for k in range(start, min(start + step, rows + 1))]).encode()
        yield b"</sheetData></worksheet>"

    return write_xlsx(Path(d) / name, [("Sheet1", gen())], compresslevel=compresslevel)


def ratio_bomb(d: Path, mb: int = 64, name: str = "压缩炸弹.xlsx") -> Path:
    """A valid workbook carrying a ``mb`` MB member of zeros (~1000:1)."""
    sheet = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1")
    p = Path(d) / name
    write_xlsx(p, [("Sheet1", sheet)])
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("xl/media/image1.png", "w", force_zip64=True) as w:
            block = b"\x00" * 2**20
            for _ in range(mb):
                w.write(block)
    return p


def _patch_sizes(path: Path, member: str, *, file_size: int) -> None:
    """Rewrite the uncompressed size of ``member`` in its local header and the central directory."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    name = member.encode()
    # local file header: signature 4, ver 2, flag 2, method 2, time 2, date 2, crc 4, csize 4, usize 4
    lo = info.header_offset
    assert raw[lo : lo + 4] == b"PK\x03\x04"
    struct.pack_into("<I", raw, lo + 22, file_size)
    # central directory record: ... crc at 16, csize 20, usize 24, name at 46
    pos = 0
    while True:
        pos = raw.find(b"PK\x01\x02", pos)
        if pos < 0:
            raise AssertionError("member not found in central directory")
        nlen = struct.unpack_from("<H", raw, pos + 28)[0]
        if bytes(raw[pos + 46 : pos + 46 + nlen]) == name:
            struct.pack_into("<I", raw, pos + 24, file_size)
            break
        pos += 4
    path.write_bytes(bytes(raw))


def declared_size_bomb(d: Path, name: str = "声称超大.xlsx") -> Path:
    """A member whose declared size is 3 GB (the sum of declared sizes is over the limit)."""
    p = Path(d) / name
    sheet = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1")
    write_xlsx(p, [("Sheet1", sheet)], extra={"xl/media/big.bin": os.urandom(4096)})
    _patch_sizes(p, "xl/media/big.bin", file_size=0xC0000000)
    return p


def size_liar(d: Path, name: str = "大小不符.xlsx") -> Path:
    """A sheet that inflates to ~3 MB while its headers claim 600 KB (past the pre-checks)."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>行{r}-{r * 7919 % 10007}</t></is></c></row>'
        for r in range(1, 40_001)
    )
    p = Path(d) / name
    write_xlsx(p, [("Sheet1", sheet_xml(rows, f"A1:A{40_000}"))])
    _patch_sizes(p, "xl/worksheets/sheet1.xml", file_size=600_000)
    return p


def many_members(d: Path, n: int = 12_000, name: str = "部件过多.xlsx") -> Path:
    sheet = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1")
    extra = {f"xl/media/p{i}.bin": b"" for i in range(n)}
    return write_xlsx(Path(d) / name, [("Sheet1", sheet)], extra=extra, compresslevel=1)


# --------------------------------------------------------------------------
# XML traps


def billion_laughs(d: Path, name: str = "实体炸弹.xlsx") -> Path:
    """sharedStrings.xml with the 'billion laughs' DTD (10^9 'lol's if expanded)."""
    ents = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    ]
    sst = (
        '<?xml version="1.0"?>\n<!DOCTYPE sst [' + "".join(ents) + "]>"
        f'<sst xmlns="{NS_MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    ).encode()
    sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', "A1")
    return write_xlsx(Path(d) / name, [("Sheet1", sheet)], shared_strings=sst)


def xxe_workbook(d: Path, name: str = "外部实体.xlsx") -> Path:
    """workbook.xml pulling /etc/passwd through an external entity."""
    wb = (
        '<?xml version="1.0"?>\n<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><sheets><sheet name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    sheet = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1")
    return write_xlsx(Path(d) / name, [("Sheet1", sheet)], workbook_xml=wb)


def dtd_after_whitespace(d: Path, name: str = "空白后DTD.xlsx") -> Path:
    """A sheet whose DTD hides behind 200 KB of whitespace (legal XML without a declaration)."""
    body = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1").split(b"\n", 1)[1]
    sheet = b" " * 200_000 + b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>' + body
    return write_xlsx(Path(d) / name, [("Sheet1", sheet)])


# --------------------------------------------------------------------------
# extent traps


def wide_dimension(d: Path, name: str = "超宽.xlsx") -> Path:
    """<dimension ref="A1:XFE1">: 16,385 columns, one more than Excel allows."""
    sheet = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1:XFE1")
    return write_xlsx(Path(d) / name, [("宽表", sheet)])


def far_cell(d: Path, dimension: str | None = None, name: str = "远处单元格.xlsx") -> Path:
    """A1 and XFD100000: 1.6 billion cells for a reader that fills the used range."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="100000"><c r="XFD100000"><v>2</v></c></row>'
    return write_xlsx(Path(d) / name, [("名册", sheet_xml(rows, dimension))])


def long_text(d: Path, chars: int = 5 * 2**20, name: str = "长文本.xlsx") -> Path:
    """A cell (shared string) with 5 MB of text, made by openpyxl (which does not stop it)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["备注"])
    ws.append(["长" + "x" * (chars - 1)])
    ws.append(["短"])
    p = Path(d) / name
    wb.save(p)
    return p


def cjk_text(d: Path, chars: int = 20_000, name: str = "中文长文本.xlsx") -> Path:
    """A cell of ``chars`` Chinese characters (3 bytes each in UTF-8): under the limit when < 32,767."""
    sst = _sst(["会" * chars])
    sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', "A1")
    return write_xlsx(Path(d) / name, [("Sheet1", sheet)], shared_strings=sst)


def control_chars(d: Path, name: str = "控制字符.xlsx") -> Path:
    """Raw control characters in a shared string and an inline string (openpyxl refuses to write them)."""
    sst = f'{_XML_DECL}<sst xmlns="{NS_MAIN}" count="1" uniqueCount="1"><si><t>张\x01三\x07</t></si></sst>'.encode()
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>李\x0b四\x1f</t></is></c></row>'
    return write_xlsx(Path(d) / name, [("Sheet1", sheet_xml(rows, "A1:B1"))], shared_strings=sst)


def macro_xlsm(d: Path, name: str = "带宏.xlsm") -> Path:
    vba = cfb_bytes({"dir": b"\x01" * 100, "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'})
    sheet = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1")
    return write_xlsx(
        Path(d) / name,
        [("Sheet1", sheet)],
        extra={"xl/vbaProject.bin": vba},
        overrides={"xl/vbaProject.bin": "application/vnd.ms-office.vbaProject"},
        workbook_rels_extra=[("vbaProject", "vbaProject.bin")],
        workbook_content_type=CT_WORKBOOK_MACRO,
    )


def external_link(d: Path, name: str = "外部链接.xlsx") -> Path:
    link = (
        f'{_XML_DECL}<externalLink xmlns="{NS_MAIN}"><externalBook xmlns:r="{NS_R}" r:id="rId1">'
        '<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
    ).encode()
    link_rels = (
        f'{_XML_DECL}<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{NS_R}/externalLinkPath" Target="file:///C:/共享/2023台账.xlsx" TargetMode="External"/></Relationships>'
    ).encode()
    sheet = sheet_xml('<row r="1"><c r="A1"><f>[1]Sheet1!A1</f><v>42</v></c></row>', "A1")
    return write_xlsx(
        Path(d) / name,
        [("Sheet1", sheet)],
        extra={"xl/externalLinks/externalLink1.xml": link, "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels},
        workbook_rels_extra=[("externalLink", "externalLinks/externalLink1.xml")],
    )


# --------------------------------------------------------------------------
# the path itself


def symlink_to(d: Path, target: Path, name: str = "快捷方式.xlsx") -> Path:
    p = Path(d) / name
    os.symlink(target, p)
    return p


def dir_named_xlsx(d: Path, name: str = "x.xlsx") -> Path:
    p = Path(d) / name
    p.mkdir()
    return p


def empty_file(d: Path, name: str = "空文件.xlsx") -> Path:
    p = Path(d) / name
    p.write_bytes(b"")
    return p


def fifo(d: Path, name: str = "管道.xlsx") -> Path:
    """A named pipe: opening it for reading would block until someone writes."""
    p = Path(d) / name
    os.mkfifo(p)
    return p


# --------------------------------------------------------------------------
# ways to hide rows and columns from a naive count


def utf16_sheet(d: Path, name: str = "UTF16.xlsx") -> Path:
    """A UTF-16 sheet (legal XML) whose second row is number 2,000,000, with a lying dimension."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{NS_MAIN}"><dimension ref="A1:A2"/><sheetData>'
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="2000000"><c r="A2000000"><v>2</v></c></row>'
        "</sheetData></worksheet>"
    )
    return write_xlsx(Path(d) / name, [("Sheet1", xml.encode("utf-16"))])


def rless_rows(d: Path, rows: int = 1_200_000, name: str = "无行号.xlsx") -> Path:
    """Rows without r (legal: each follows the previous one), no dimension."""

    def gen():
        yield f'{_XML_DECL}<worksheet xmlns="{NS_MAIN}"><sheetData>'.encode()
        for _ in range(rows // 100_000):
            yield b"<row/>" * 100_000
        yield b"<row/>" * (rows % 100_000) + b"</sheetData></worksheet>"

    return write_xlsx(Path(d) / name, [("Sheet1", gen())], compresslevel=9)


def rless_wide(d: Path, cols: int = 20_000, name: str = "无列号.xlsx") -> Path:
    """One row of ``cols`` cells without r: column 20,000 for a reader, and no dimension."""
    rows = "<row>" + "<c><v>1</v></c>" * cols + "</row>"
    return write_xlsx(Path(d) / name, [("Sheet1", sheet_xml(rows))])


def nonascending_rows(d: Path, name: str = "乱序行.xlsx") -> Path:
    """Row 3,000,000 first, then rows 1-3 (readers place rows by r, not by order)."""
    rows = '<row r="3000000"><c r="A3000000"><v>9</v></c></row>' + "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 4)
    )
    return write_xlsx(Path(d) / name, [("Sheet1", sheet_xml(rows, "A1:A3"))])


def hidden_far_corner(d: Path, name: str = "隐藏角落.xlsx") -> Path:
    """Z99999 early and XFD1 later; the last row is 1: the used range is 99,999 × 16,384."""
    rows = (
        '<row r="99999"><c r="Z99999"><v>1</v></c></row><row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>'
    )
    return write_xlsx(Path(d) / name, [("Sheet1", sheet_xml(rows, "A1:B2"))])


def spaced_attrs(d: Path, name: str = "空格属性.xlsx") -> Path:
    """r = 'XFD99999' written with spaces and single quotes (legal XML)."""
    rows = "<row r = '1'><c r = 'A1'><v>1</v></c></row><row r\n=\t'99999'><c r = 'XFD99999'><v>2</v></c></row>"
    return write_xlsx(Path(d) / name, [("Sheet1", sheet_xml(rows, "A1:A1"))])


def lowercase_refs(d: Path, name: str = "小写引用.xlsx") -> Path:
    """Lower-case references (calamine accepts them): xfd99999."""
    rows = '<row r="1"><c r="a1"><v>1</v></c></row><row r="99999"><c r="xfd99999"><v>2</v></c></row>'
    return write_xlsx(Path(d) / name, [("Sheet1", sheet_xml(rows))])


def prefixed_namespace(d: Path, rows: int = 1_100_000, name: str = "前缀命名空间.xlsx", compresslevel: int = 6) -> Path:
    """<x:worksheet> with <x:row> (as some .NET writers do), 1.1M rows without a dimension."""

    def gen():
        yield f'{_XML_DECL}<x:worksheet xmlns:x="{NS_MAIN}"><x:sheetData>'.encode()
        step = 100_000
        for start in range(1, rows + 1, step):
            stop = min(start + step, rows + 1)
            yield "".join(
                [f'<x:row r="{r}"><x:c r="A{r}"><x:v>1</x:v></x:c></x:row>' for r in range(start, stop)]
            ).encode()
        yield b"</x:sheetData></x:worksheet>"

    return write_xlsx(Path(d) / name, [("Sheet1", gen())], compresslevel=compresslevel)


def orphan_sheet(d: Path, name: str = "未登记工作表.xlsx") -> Path:
    """A worksheet part that workbook.xml does not list, holding A1 and XFD100000."""
    far = '<row r="1"><c r="A1"><v>1</v></c></row><row r="100000"><c r="XFD100000"><v>2</v></c></row>'
    good = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1")
    return write_xlsx(Path(d) / name, [("Sheet1", good)], extra={"xl/worksheets/sheet9.xml": sheet_xml(far)})


def gt_in_sheet_name(d: Path, name: str = "名称含大于号.xlsx") -> Path:
    """A sheet named '收入>支出' written with a raw '>' in the attribute (legal XML), r:id after it."""
    wb = (
        f'{_XML_DECL}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><sheets>'
        '<sheet name="收入>支出" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    sheet = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1:C7")
    return write_xlsx(Path(d) / name, [("收入>支出", sheet)], workbook_xml=wb)
