"""What an inspection reports: ``Problem``, ``Inspection``, and the Chinese
messages shared by the checks (each a line telling the sender what to do)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SEVERITIES = ("error", "warning", "info")


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
    # worksheet name -> Excel rows marked hidden (by hand or by a filter): data all the same
    hidden_rows: dict[str, frozenset[int]] = field(default_factory=dict)

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


def fmt_count(x: int) -> str:
    """1234567 -> '1,234,567'."""
    return f"{x:,}"


def fmt_size(b: float) -> str:
    """A byte count for people.

    >>> fmt_size(3 * 2**20), fmt_size(500)
    ('3.0 MB', '500 字节')
    """
    for unit, k in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if b >= k:
            v = b / k
            return f"{v:.1f} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{int(b)} 字节"


_SAVE_AS = "请在 Excel/WPS 中打开后“另存为” Excel 工作簿（.xlsx）再报送。"
CORRUPT = "文件已损坏，无法打开，请重新导出后报送。"
ENCRYPTED = "文件设置了打开密码，请取消密码后重新报送（Excel：文件→信息→保护工作簿→用密码进行加密，清空密码后保存）。"

NOT_WORKBOOK = {
    "pdf": "这是 PDF 文件，不是 Excel 表格；请报送原始的 .xlsx 台账。",
    "html": "这是网页（HTML）文件，常见于某些系统的“导出 Excel”功能，并不是真正的 Excel 文件；" + _SAVE_AS,
    "xml2003": "这是旧式的“XML 表格 2003”文件，不是 .xlsx；" + _SAVE_AS,
    "mht": "这是网页存档（.mht）文件，不是 Excel 工作簿；" + _SAVE_AS,
    "xml": "这是一个 XML 文件，不是 Excel 工作簿；" + _SAVE_AS,
    "rtf": "这是 RTF 文档，不是 Excel 表格；请报送 .xlsx 台账。",
    "text": "这是纯文本（CSV 等）文件，只是扩展名改成了 .xlsx；" + _SAVE_AS,
    "text_plain": "这是纯文本文件，不是 Excel 工作簿；" + _SAVE_AS,
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


class Refuse(Exception):
    """Raised by the checks to stop inspecting; the problem has been recorded."""


class Report:
    """What the checks have found so far: problems (a repeated warning once),
    the file's kind, and the sheets' extents."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.kind = "unknown"
        self.dims: dict[str, tuple[int, int]] = {}
        self.hidden_rows: dict[str, frozenset[int]] = {}
        self.sheet_parts: set[str] = set()
        self.formula_parts: set[str] = set()
        self._seen: set[tuple[str, str]] = set()

    def add(self, code: str, severity: str, message: str, sheet: str = "") -> None:
        key = (code, sheet)
        if key in self._seen and severity != "error":
            return
        self._seen.add(key)
        self.problems.append(Problem(code, severity, message, sheet))

    def refuse(self, code: str, message: str, sheet: str = "") -> Refuse:
        self.add(code, "error", message, sheet)
        return Refuse()

    @property
    def has_error(self) -> bool:
        return any(p.severity == "error" for p in self.problems)
