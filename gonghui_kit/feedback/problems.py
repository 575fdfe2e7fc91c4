"""Findings as a unit's problems: where (A1 cell), what, how to fix, how serious.

Only findings a unit must fix or confirm become problems (see
``fixes.is_listed``); the rest are counted.  The raw value of a personal-data
column (spec §6: 姓名, 身份证号, 联系电话, 慰问对象, 提案人 …) is never copied,
only its cell reference.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from openpyxl.utils import get_column_letter

from gonghui_kit.feedback.fixes import fix_for, is_listed
from gonghui_kit.feedback.rounds import identity
from gonghui_kit.ingest.findings import Finding
from gonghui_kit.schema import load_schema, norm_key

__all__ = ["SEV_CN", "SEV_ORDER", "Problem", "cell_ref", "is_pii_column", "split_findings", "AUTO_LABELS"]

SEV_CN = {"error": "错误", "warning": "警告", "info": "提示"}
SEV_ORDER = {"error": 0, "warning": 1, "info": 2}
# words of personal-data headers, besides the schema's own names (a column the schema does not know)
_PII_WORDS = ("姓名", "身份证", "电话", "手机", "慰问对象", "提案人", "联系人", "住址")

# how the counted (not listed) findings are named on the cover line
AUTO_LABELS = {
    "subtotal": "合计/小计行",
    "note": "表格下方的说明文字",
    "lock_file": "临时文件",
    "not_ledger": "非台账文件",
}


def cell_ref(row: int | None, col: int | None, sheet: str = "") -> str:
    """The cell as a clerk finds it.

    >>> cell_ref(14, 4), cell_ref(14, None), cell_ref(None, None, "活动"), cell_ref(None, None)
    ('D14', '第14行', '整张表', '整个文件')
    """
    if row and col:
        return f"{get_column_letter(col)}{row}"
    if row:
        return f"第{row}行"
    return "整张表" if sheet else "整个文件"


@functools.lru_cache(maxsize=1)
def _pii_names() -> frozenset[str]:
    schema = load_schema()
    return frozenset(norm_key(n) for s in schema.sheets for c in s.columns if c.pii for n in c.names)


def is_pii_column(header: str) -> bool:
    """Whether a column (header as written) holds personal data.

    >>> is_pii_column("身份证号码"), is_pii_column("慰问对象"), is_pii_column("活动日期"), is_pii_column("备用手机")
    (True, True, False, True)
    """
    if not header:
        return False
    k = norm_key(header)
    return k in _pii_names() or any(w in k for w in _PII_WORDS)


@dataclass
class Problem:
    """One row of a 问题清单."""

    file: str
    sheet: str
    row: int | None
    col: int | None
    column: str
    value: str
    message: str
    how: str
    severity: str
    code: str
    key: str  # identity across rounds
    new: bool = False

    @property
    def ref(self) -> str:
        return cell_ref(self.row, self.col, self.sheet)

    @property
    def severity_cn(self) -> str:
        return SEV_CN[self.severity]

    def sort_key(self) -> tuple:
        return (SEV_ORDER[self.severity], self.file, self.sheet, self.row or 0, self.col or 0, self.code)


def _problem(unit: str, f: Finding) -> Problem:
    value = "" if is_pii_column(f.column) else f.value
    return Problem(
        f.file,
        f.sheet,
        f.row,
        f.col,
        f.column,
        value,
        f.message,
        fix_for(f.code).how,
        f.severity,
        f.code,
        identity(unit, f.sheet, f.column, f.row, f.code),
    )


def split_findings(unit: str, findings: Iterable[Finding]) -> tuple[list[Problem], Counter]:
    """The listed problems (errors first, then by place) and the counts of
    what needs no action, by cover-line label."""
    listed: list[Problem] = []
    auto: Counter = Counter()
    seen: set[tuple] = set()
    for f in findings:
        if is_listed(f.severity, f.code):
            p = _problem(unit, f)
            k = (p.key, p.message, p.col)
            if k not in seen:  # the same cell, code and message once
                seen.add(k)
                listed.append(p)
        else:
            auto[AUTO_LABELS.get(f.code, "已自动识别的不规范写法")] += 1
    listed.sort(key=Problem.sort_key)
    return listed, auto
