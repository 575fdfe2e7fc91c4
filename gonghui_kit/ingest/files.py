"""Discovery: folders → the workbook-like files they hold, and how a file's
name is shown in findings and reports."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from gonghui_kit.ingest.findings import Finding

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".et", ".ods", ".csv", ".xltx", ".xltm"}


def discover(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[Finding]]:
    """Expand folders into the workbook-like files they hold (recursively,
    sorted), skipping hidden files and Office lock files (``~$…``)."""
    files: list[Path] = []
    findings: list[Finding] = []
    for p in paths:
        p = Path(p)
        if p.is_symlink() or not p.is_dir():
            files.append(p)
            continue
        for q in sorted(p.rglob("*")):
            rel_parts = q.relative_to(p).parts
            if any(part.startswith((".", "_")) for part in rel_parts):
                continue
            if q.name.startswith("~$"):
                findings.append(
                    Finding(
                        str(q.name),
                        "",
                        None,
                        "",
                        "",
                        "skipped",
                        "info",
                        "Excel/WPS 的临时锁定文件，已跳过",
                        code="lock_file",
                    )
                )
                continue
            if q.is_dir() and not q.is_symlink():
                if q.suffix.lower() in WORKBOOK_SUFFIXES:
                    files.append(q)  # a folder named like a workbook: safety says so
                continue
            if q.suffix.lower() in WORKBOOK_SUFFIXES or q.is_symlink():
                files.append(q)
                if not _utf8_name(q):
                    msg = (
                        "文件名不是 UTF-8 编码（常见于从 Windows 压缩包解压），无法识别的字显示为 �；"
                        "已照常读取，建议把文件改名"
                    )
                    shown = display_name(q, p)
                    findings.append(Finding(shown, "", None, "", "", "kept", "warning", msg, code="odd_file_name"))
            else:
                findings.append(
                    Finding(
                        display_name(q, p),
                        "",
                        None,
                        "",
                        "",
                        "skipped",
                        "info",
                        "不是台账文件（不是 .xlsx/.xlsm），已跳过",
                        code="not_ledger",
                    )
                )
    return files, findings


def _utf8_name(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def display_name(path: Path, root: Path | None = None) -> str:
    """A file's name as shown: relative to ``root``'s parent; bytes that are
    not UTF-8 (a GBK name from a Windows zip) become �, so every report and
    JSON stays valid UTF-8."""
    name = path.name
    if root is not None:
        try:
            name = str(path.relative_to(root.parent if root.is_dir() else root)).replace(os.sep, "/")
        except ValueError:
            pass
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def is_under(f: Path, root: Path) -> bool:
    """Whether ``f`` lies inside the folder ``root`` (by path, not by resolving links)."""
    try:
        f.relative_to(root)
        return True
    except ValueError:
        return False
