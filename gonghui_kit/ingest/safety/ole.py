"""OLE2 / compound file binary (CFB) files: old .xls (with or without a
password), encrypted .xlsx, Word and PowerPoint files; found by a small,
bounded parse of the CFB directory (no dependency)."""

from __future__ import annotations

import struct

from gonghui_kit.ingest.safety.report import CORRUPT, ENCRYPTED, NOT_WORKBOOK, Report

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CFB_END = 0xFFFFFFFA  # sector ids >= this are markers (ENDOFCHAIN, FREESECT, ...)


def inspect_cfb(f, size: int, rep: Report) -> None:
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
        raise rep.refuse("encrypted", ENCRYPTED)
    wb = names.get("workbook") or names.get("book")
    if wb is not None:
        rep.kind = "xls"  # also WPS .et: the same BIFF records
        if _biff_has_filepass(f, size, wb):
            raise rep.refuse(
                "encrypted",
                "这是设置了打开密码的旧版 .xls 文件：请取消密码，并在 Excel/WPS 中“另存为” .xlsx 后重新报送。",
            )
        if entries is None:
            raise rep.refuse("corrupt", CORRUPT)
        # BIFF is not compressed: its size is bounded by the file's (checked
        # before); the reader bounds each sheet's used range (read.py)
        if any(n in names for n in ("_vba_project_cur", "_vba_project", "macros")):
            rep.add("macros", "info", "文件含宏（VBA 等代码），宏不会被运行，只读取表格数据。")
        return
    if "worddocument" in names:
        rep.kind = "doc"
        raise rep.refuse("not_workbook", NOT_WORKBOOK["doc"])
    if "powerpoint document" in names:
        rep.kind = "ppt"
        raise rep.refuse("not_workbook", NOT_WORKBOOK["ppt"])
    if entries is None:
        rep.kind = "cfb"
        raise rep.refuse("corrupt", CORRUPT)
    rep.kind = "cfb"
    raise rep.refuse("not_workbook", NOT_WORKBOOK["cfb"])


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
