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
        if _biff_has_filepass(f, size, wb, names.get("root entry")):
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


class _Cfb:
    """Bounded sector access to a compound file: header fields, FAT look-ups and chains.

    Raises ``ValueError`` (or ``struct.error``/``OSError``) for a header it cannot use.
    """

    def __init__(self, f, size: int):
        f.seek(0)
        hdr = f.read(512)
        if len(hdr) < 512:
            raise ValueError("short header")
        shift = struct.unpack_from("<H", hdr, 30)[0]
        if shift not in (9, 12):
            raise ValueError("sector size")
        self.f, self.size, self.ss = f, size, 1 << shift
        self.per = self.ss // 4
        mini_shift = struct.unpack_from("<H", hdr, 32)[0]
        self.mini_size = 1 << mini_shift if 0 < mini_shift < shift else 64  # 64 in every real file
        n_fat, self.first_dir = struct.unpack_from("<II", hdr, 44)
        self.cutoff = struct.unpack_from("<I", hdr, 56)[0] or 4096
        self.first_minifat, self.n_minifat = struct.unpack_from("<II", hdr, 60)
        first_difat, n_difat = struct.unpack_from("<II", hdr, 68)
        difat = list(struct.unpack_from("<109I", hdr, 76))
        sid, seen = first_difat, set()
        while sid < _CFB_END and len(seen) < min(n_difat, 4096):
            if sid in seen:
                raise ValueError("DIFAT cycle")
            seen.add(sid)
            data = self.sector(sid)
            if data is None or len(data) < self.ss:
                raise ValueError("DIFAT sector")
            vals = struct.unpack(f"<{self.per}I", data)
            difat.extend(vals[:-1])
            sid = vals[-1]
        self.fat_sectors = [s for s in difat[: max(0, n_fat)] if s < _CFB_END]
        self.cache: dict[int, tuple[int, ...]] = {}

    def sector(self, sid: int) -> bytes | None:
        if (sid + 1) * self.ss >= self.size:
            return None
        self.f.seek((sid + 1) * self.ss)
        data = self.f.read(self.ss)
        return data if len(data) >= 128 else None

    def next_sector(self, sid: int) -> int:
        idx = sid // self.per
        if idx >= len(self.fat_sectors):
            return 0xFFFFFFFE
        if idx not in self.cache:
            if len(self.cache) > 4096:
                return 0xFFFFFFFE
            data = self.sector(self.fat_sectors[idx])
            if data is None or len(data) < self.ss:
                return 0xFFFFFFFE
            self.cache[idx] = struct.unpack(f"<{self.per}I", data)
        return self.cache[idx][sid % self.per]

    def chain(self, start: int, limit: int):
        """The sector ids of the chain from ``start``: at most ``limit``, stopping at a cycle."""
        sid, seen = start, set()
        while sid < _CFB_END and len(seen) < limit and sid not in seen:
            seen.add(sid)
            yield sid
            sid = self.next_sector(sid)

    def stream_head(self, entry: tuple[str, int, int, int], root: tuple[str, int, int, int] | None, n: int) -> bytes:
        """The first ``n`` bytes (at most) of a stream, from regular sectors or, for a stream
        shorter than the cutoff, from the mini stream (64-byte sectors inside the root entry's
        stream, chained by the mini FAT)."""
        _name, _typ, start, ssize = entry
        want = min(ssize, n)
        out = bytearray()
        if ssize >= self.cutoff:
            for sid in self.chain(start, (want + self.ss - 1) // self.ss):
                data = self.sector(sid)
                if data is None:
                    break
                out += data
            return bytes(out[:want])
        if root is None:
            return b""
        minifat: list[int] = []
        for sid in self.chain(self.first_minifat, min(self.n_minifat, 256)):
            data = self.sector(sid)
            if data is None or len(data) < self.ss:
                break
            minifat.extend(struct.unpack(f"<{self.per}I", data))
        per = self.ss // self.mini_size
        root_chain = list(self.chain(root[2], 4096))
        mid, seen = start, set()
        while mid < _CFB_END and len(out) < want and mid not in seen:
            seen.add(mid)
            idx, off = divmod(mid, per)
            data = self.sector(root_chain[idx]) if idx < len(root_chain) else None
            if data is None:
                break
            out += data[off * self.mini_size : (off + 1) * self.mini_size]
            mid = minifat[mid] if mid < len(minifat) else _CFB_END
        return bytes(out[:want])


def _cfb_directory(f, size: int) -> list[tuple[str, int, int, int]] | None:
    """(name, type, start sector, stream size) of every directory entry; None if unparsable.

    Follows the DIFAT, FAT and directory chains with bounds and cycle checks,
    reading at most a few thousand sectors.
    """
    try:
        cfb = _Cfb(f, size)
        out: list[tuple[str, int, int, int]] = []
        for sid in cfb.chain(cfb.first_dir, 4096):
            data = cfb.sector(sid)
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
        return out or None
    except (OSError, struct.error, ValueError):
        return None


def _biff_has_filepass(
    f, size: int, entry: tuple[str, int, int, int], root: tuple[str, int, int, int] | None = None
) -> bool:
    """True when the first records of a BIFF Workbook stream hold FILEPASS (a password).

    A small workbook's stream (under 4,096 bytes, as LibreOffice and WPS write
    for a sheet or two) lives in the mini stream: it is followed there too.
    """
    try:
        data = _Cfb(f, size).stream_head(entry, root, 4096)
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
