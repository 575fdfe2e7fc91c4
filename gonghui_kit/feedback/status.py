"""Who has reported: one status per unit, and which version counts.

A unit may send several files (a draft, then ``…(终稿).xlsx``, then
``…(终稿)(1).xlsx``).  One of them counts: the latest 填报日期 in 基本信息;
among equal dates a file whose name says 终稿/定稿/最终版; then the newest
file.  The others are ignored and named, so the analyst can tell the unit.

:func:`unit_status` gives the same per-unit status for an already loaded
``Ledger`` (for the year index of the archive).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NOT_REPORTED",
    "CLEAN",
    "TO_FIX",
    "UNREADABLE",
    "FINAL_WORDS",
    "Version",
    "UnitStatus",
    "as_date",
    "choose_version",
    "status_label",
    "unit_status",
]

NOT_REPORTED = "未报送"
CLEAN = "已报送、无问题"
TO_FIX = "有问题待改"
UNREADABLE = "文件无法读取"
MULTIPLE = "多个版本"
FINAL_WORDS = ("终稿", "定稿", "最终版", "最终稿", "正式版")


@dataclass(frozen=True)
class Version:
    """One file a unit sent: its name, 填报日期 and modification time."""

    name: str
    fill_date: dt.date | None = None
    mtime: float = 0.0
    usable: bool = True  # read, of the right year

    @property
    def final(self) -> bool:
        return any(w in self.name for w in FINAL_WORDS)


def as_date(d: Any) -> dt.date | None:
    """A date, datetime or Timestamp as a date (None for missing)."""
    if d is None:
        return None
    try:
        if d != d:  # NaT / NaN
            return None
    except (TypeError, ValueError):
        return None
    return d.date() if isinstance(d, dt.datetime) or hasattr(d, "to_pydatetime") else d


def choose_version(versions: Sequence[Version]) -> tuple[int, str]:
    """Index of the version that counts and why (in Chinese).

    >>> d = dt.date
    >>> choose_version([Version("a.xlsx", d(2024, 1, 5)), Version("b.xlsx", d(2024, 1, 9))])
    (1, '填报日期最晚（2024-01-09）')
    >>> choose_version([Version("草稿.xlsx", d(2024, 1, 9), 5.0), Version("台账(终稿).xlsx", d(2024, 1, 9), 1.0)])
    (1, '填报日期相同，文件名标明“终稿”')
    >>> choose_version([Version("a.xlsx", None, 1.0), Version("a(1).xlsx", None, 2.0)])[1]
    '文件修改时间最新（1970-01-01 00:00）'
    >>> choose_version([Version("x.xls", usable=False), Version("y.xlsx")])
    (1, '唯一能读取的版本')
    """
    if len(versions) == 1:
        return 0, "唯一的文件"

    def key(v: Version) -> tuple:
        return (v.usable, as_date(v.fill_date) or dt.date.min, v.final, v.mtime)

    order = sorted(range(len(versions)), key=lambda i: key(versions[i]), reverse=True)
    best, second = versions[order[0]], versions[order[1]]
    kb, ks = key(best), key(second)
    if kb[0] != ks[0]:
        why = "唯一能读取的版本" if sum(v.usable for v in versions) == 1 else "能读取的版本中最新"
    elif kb[1] != ks[1]:
        why = f"填报日期最晚（{kb[1]:%Y-%m-%d}）"
    elif kb[2] != ks[2]:
        word = next(w for w in FINAL_WORDS if w in best.name)
        why = ("填报日期相同，" if kb[1] != dt.date.min else "") + f"文件名标明“{word}”"
    else:
        stamp = dt.datetime.fromtimestamp(best.mtime, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
        why = f"文件修改时间最新（{stamp}）"
    return order[0], why


def status_label(errors: int, warnings: int, listed: int, versions: int, reported: bool = True) -> str:
    """The status words of one unit.

    >>> status_label(0, 0, 0, 1), status_label(1, 0, 1, 1), status_label(0, 2, 2, 2), status_label(0, 0, 0, 0, False)
    ('已报送、无问题', '有问题待改', '多个版本、有问题待改', '未报送')
    """
    if not reported:
        return NOT_REPORTED
    base = TO_FIX if (errors or listed) else CLEAN
    return f"{MULTIPLE}、{base}" if versions > 1 else base


@dataclass
class UnitStatus:
    """What the 报送情况 table says about one unit."""

    unit: str
    status: str
    in_roster: bool = True
    errors: int = 0
    warnings: int = 0
    infos: int = 0  # listed info-level problems
    file: str | None = None  # the version that counts
    fill_date: dt.date | None = None
    why: str = ""  # why that version counts (several versions only)
    ignored: list[str] = field(default_factory=list)  # other versions, "name（reason）"
    folder: str | None = None  # where its 问题清单 is, relative to the output folder
    previous: int | None = None  # problems of the last round (None: first round)
    fixed: int = 0
    new: int = 0

    @property
    def reported(self) -> bool:
        return self.status != NOT_REPORTED

    @property
    def ok(self) -> bool:
        return self.reported and not self.errors

    def note(self) -> str:
        parts = []
        if self.ignored:
            parts.append(f"采用“{self.file}”（{self.why}）；未采用：" + "、".join(self.ignored))
        if not self.in_roster:
            parts.append("单位名册中没有这个单位")
        return "；".join(parts)


def status_frame(statuses: Sequence[UnitStatus]) -> "pd.DataFrame":
    """Per-unit reporting status as a table (unit, status, in_roster, file, fill_date, errors, warnings).

    >>> status_frame([UnitStatus("甲", NOT_REPORTED)])[["unit", "status", "file"]].values.tolist()
    [['甲', '未报送', None]]
    """
    import pandas as pd

    cols = ["unit", "status", "in_roster", "file", "fill_date", "errors", "warnings"]
    return pd.DataFrame([{c: getattr(s, c) for c in cols} for s in statuses], columns=cols)


def unit_status(
    ledger: Any, registry: Any = None, roster: Iterable[str] | None = None, *, sources: Any = None
) -> list[UnitStatus]:
    """Per-unit reporting status of a loaded ``Ledger`` (for the archive's year index).

    Every unit of ``roster`` (default: the registry's units) and every unit
    found in the files, with the file used, its 填报日期 and the counts of
    errors and warnings of its files.  Several files of one unit are told
    apart as the loader did (the first one counts).  ``sources``: the
    ledger's ``sources()`` when the caller has them already.
    """
    canon = getattr(registry, "canonical", None) or (lambda s: s)
    names = list(roster) if roster is not None else [u.name for u in getattr(registry, "units", [])]
    files = ledger.files
    info = ledger.tables["info"]
    fill = {}
    for r in info.itertuples(index=False):
        fill[r.source_file] = as_date(r.fill_date)
    per: dict[str, list[Any]] = {}
    for r in files.itertuples(index=False):
        if isinstance(r.unit, str) and r.unit:
            per.setdefault(canon(r.unit), []).append(r)
    held: dict[str, list[str]] = {}  # a 分会 whose records sit in a 上级工会's workbook
    src = ledger.sources() if sources is None else sources
    for u, f in src[["unit", "source_file"]].itertuples(index=False):
        if canon(u) not in per:
            held.setdefault(canon(u), []).append(f)
    out = []
    for unit in dict.fromkeys([*names, *sorted(per), *sorted(held)]):
        rows = per.get(unit, [])
        used = [r for r in rows if r.status == "ok"]
        if not rows and unit in held:
            mine = [f for f in ledger.findings if f.unit == unit]
            errors = sum(f.severity == "error" for f in mine)
            warnings = sum(f.severity == "warning" for f in mine)
            st = UnitStatus(
                unit,
                status_label(errors, warnings, errors + warnings, 1),
                in_roster=unit in names or not names,
                errors=errors,
                warnings=warnings,
                file=held[unit][0],
                fill_date=fill.get(held[unit][0]),
            )
            st.why = "记录在上级工会的台账中"
            out.append(st)
            continue
        if not rows:
            out.append(UnitStatus(unit, NOT_REPORTED))
            continue
        first = used[0] if used else rows[0]
        errors = int(sum(r.errors for r in rows if r is first or r.status == "ok"))
        warnings = int(sum(r.warnings for r in rows if r is first or r.status == "ok"))
        st = UnitStatus(
            unit,
            # versions: the files of one unit and year kept apart as copies ("skipped"), not its
            # files per topic (read together) nor a 统计表 beside its own ledger
            status_label(errors, warnings, errors + warnings, 1 + sum(r.status == "skipped" for r in rows)),
            in_roster=unit in names or not names,
            errors=errors,
            warnings=warnings,
            file=first.file,
            fill_date=fill.get(first.file),
        )
        st.ignored = [r.file for r in rows if r is not first and r.status == "skipped"]
        st.why = "先读到的版本" if st.ignored else ""
        out.append(st)
    return out
