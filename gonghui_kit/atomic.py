"""Writing outputs: atomically, portably, Excel-friendly.

Every file the toolkit writes goes through ``atomic_write`` (a temporary file
in the same folder, flushed and fsynced, then ``os.replace``), so an
interrupted run never leaves a half-written file and a reader never sees one.
CSV meant for Excel/WPS is UTF-8 with a BOM, or Excel shows mojibake.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

__all__ = ["sha256_file", "atomic_write", "commit", "write_text", "write_bytes", "write_json", "write_csv", "fsync_dir"]


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's content, read in 1 MiB chunks (the one hash used
    for inputs, outputs, manifests and incremental builds)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


_UMASK = _umask()


def fsync_dir(path: Path) -> None:
    """Make a rename durable (no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[io.IOBase]:
    """Open a temporary sibling of ``path`` for writing; on success it
    replaces ``path`` in one step, on error it is removed.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_write(d / "a.txt", "w", encoding="utf-8") as f:
    ...     _ = f.write("好")
    >>> (d / "a.txt").read_text(encoding="utf-8")
    '好'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".part", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; an archive is for others to read
        with os.fdopen(fd, mode, encoding=encoding, newline="" if "b" not in mode else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def commit(tmp: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Make a finished file written by someone else (``tmp``, in the same
    folder) the output ``path``: flushed to disk, then renamed in one step,
    as ``atomic_write`` does."""
    fd = os.open(tmp, os.O_RDWR)  # Windows flushes only a handle open for writing
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)
    os.replace(tmp, path)
    fsync_dir(Path(path).parent)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_write(path, "wb") as f:
        f.write(data)
    return Path(path)


def write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    return write_bytes(path, text.encode(encoding))


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    return write_text(path, json.dumps(obj, ensure_ascii=False, indent=1, default=str) + "\n")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe_text(value):
    """Text that Excel would take for a formula gets a leading apostrophe
    (Excel's own "this is text" mark); everything else is unchanged.

    >>> excel_safe_text("=HYPERLINK(1)"), excel_safe_text("机修分工会"), excel_safe_text(-5)
    ("'=HYPERLINK(1)", '机修分工会', -5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(path: str | os.PathLike, df: pd.DataFrame) -> Path:
    """CSV for Excel/WPS: UTF-8 with a BOM, no index, and no text cell that
    Excel would run as a formula (see ``excel_safe_text``)."""
    safe = df.copy()
    for c in safe.columns:
        if safe[c].dtype == object or str(safe[c].dtype) in ("str", "string"):
            safe[c] = safe[c].map(excel_safe_text)
    return write_bytes(path, safe.to_csv(index=False).encode("utf-8-sig"))
