"""The collection round: feedback to every unit, and who has reported.

``feedback(data, year, out, roster)`` reads every workbook under ``data``,
picks one version per unit, and writes under ``out``:

- ``<单位>/问题清单.xlsx``: what the unit must fix or confirm, cell by cell,
  with the fix in plain words (errors first);
- ``<单位>/<原文件名>（标注）.xlsx``: a copy of the unit's workbook with the
  problem cells coloured and commented (the original is only read);
- ``<文件名>/问题清单.xlsx`` for a file that could not be read at all;
- ``报送情况.xlsx``: every roster unit's status (未报送 / 已报送、无问题 /
  有问题待改 / 多个版本), and units found that the roster lacks;
- ``反馈轮次记录.json``: this round's problems, so the next round can say what
  was fixed and what is new.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from gonghui_kit.feedback.annotate import annotate, annotated_name, not_annotatable_reason
from gonghui_kit.feedback.problems import Problem, split_findings
from gonghui_kit.feedback.rounds import diff, last_round, read_state, record_round
from gonghui_kit.feedback.status import (
    NOT_REPORTED,
    UNREADABLE,
    UnitStatus,
    Version,
    as_date,
    choose_version,
    status_label,
    unit_status,
)
from gonghui_kit.feedback.workbook import STATUS_COLUMNS, status_rows, write_problem_list, write_status_book
from gonghui_kit.ingest.check import check_ledger
from gonghui_kit.ingest.load import WorkbookResult, assemble, discover, load_workbook
from gonghui_kit.schema import norm_key

__all__ = ["feedback", "FeedbackResult", "unit_status", "status_table", "PROBLEM_LIST", "STATUS_BOOK", "safe_name"]

PROBLEM_LIST = "问题清单.xlsx"
STATUS_BOOK = "报送情况.xlsx"
_BAD_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def safe_name(text: str, limit: int = 80) -> str:
    """A folder or file name made of ``text`` (a unit name as written may hold anything).

    >>> safe_name("../机修/分工会"), safe_name("  ."), safe_name("a" * 100)[-3:]
    ('_机修_分工会', '未命名', 'aaa')
    """
    s = _BAD_CHARS.sub("_", str(text)).strip(" .")
    s = s[:limit].strip(" .")
    return s or "未命名"


@dataclass
class FeedbackResult:
    year: int
    out: Path
    date: dt.date
    round: int
    statuses: list[UnitStatus]
    lists: dict[str, Path] = field(default_factory=dict)  # folder -> its 问题清单
    annotated: dict[str, Path] = field(default_factory=dict)  # folder -> the marked copy
    status_book: Path | None = None
    has_roster: bool = False

    @property
    def ok(self) -> bool:
        """Every roster unit (without a roster: every unit found) reported without errors."""
        units = (
            [s for s in self.statuses if s.in_roster and s.status != UNREADABLE] if self.has_roster else self.statuses
        )
        return bool(units) and all(s.ok for s in units)


@dataclass
class _Owner:
    """Whoever gets one 问题清单: a unit (its chosen file), or a file that could not be read."""

    key: str  # identity across rounds: the unit, or "文件:<name>"
    label: str
    folder: str
    result: WorkbookResult
    findings: list[Any]
    versions: list[WorkbookResult]
    why: str = ""
    problems: list[Problem] = field(default_factory=list)
    auto: Counter = field(default_factory=Counter)


def _registry(roster: Any) -> Any:
    if roster is None or hasattr(roster, "canonical"):
        return roster
    from gonghui_kit.analysis.units import UnitRegistry

    return UnitRegistry.from_yaml(roster)


def _guess_unit(name: str, registry: Any) -> str | None:
    """The roster unit whose name (or a former one) the file name holds (the longest match)."""
    if registry is None:
        return None
    k = norm_key(Path(name).stem)
    best = None
    for u in registry.units:
        for n in (u.name, *u.former):
            nk = norm_key(n)
            if len(nk) >= 2 and nk in k and (best is None or len(nk) > best[0]):
                best = (len(nk), u.name)
    return best[1] if best else None


def _is_under(p: Path, root: Path) -> bool:
    try:
        p.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


def _files(paths: Sequence[Path], out: Path) -> list[tuple[Path, str]]:
    files, _ = discover(paths)
    out_r = out.resolve()
    roots = [p for p in paths if p.is_dir()]
    named = []
    for f in files:
        if _is_under(f, out_r):
            continue  # our own output of an earlier round
        root = next((r for r in roots if f.is_relative_to(r)), None)
        named.append((f, f.relative_to(root).as_posix() if root is not None else f.name))
    return named


def _mtime(p: Path) -> float:
    try:
        return p.lstat().st_mtime
    except OSError:
        return 0.0


def _cover(owner: _Owner, year: int, rnd: int, date: dt.date, d: Any, annot: str) -> tuple[str, list[str]]:
    probs = owner.problems
    n = Counter(p.severity for p in probs)
    title = f"{owner.label}  {year} 年度台账问题清单（第 {rnd} 轮反馈，{date:%Y-%m-%d}）"
    lines = [
        f"共 {len(probs)} 个问题需要处理：错误 {n['error']} 个（必须改正）、警告 {n['warning']} 个（请核对，需要时改正）、"
        f"提示 {n['info']} 个（请确认）。请先改错误，改好后重新报送整个文件。"
        if probs
        else "没有需要修改或确认的问题，感谢认真填报。",
    ]
    if d.previous is None:
        lines.append("这是本单位本年度的第一轮反馈。")
    else:
        lines.append(
            f"与上一轮相比：上轮问题 {d.previous} 个，已改正 {d.fixed} 个，本轮新出现 {d.new} 个（“本轮新出现”列标“新”）。"
        )
    blank = sum(int(s.get("blank", 0)) for s in owner.result.stats)
    auto = ([f"空行 {blank} 行"] if blank else []) + [f"{k} {v} 处" for k, v in owner.auto.most_common()]
    if auto:
        lines.append("已自动处理、无需修改（未列出）：" + "、".join(auto) + "。")
    lines.append(annot)
    if len(owner.versions) > 1:
        others = "、".join(f"“{v.name}”" for v in owner.versions if v is not owner.result)
        lines.append(
            f"本单位报送了 {len(owner.versions)} 个版本，本清单针对“{owner.result.name}”（{owner.why}）；未采用：{others}。今后请只报送一份最终版本。"
        )
    return title, lines


def feedback(
    data: str | os.PathLike | Iterable[str | os.PathLike],
    year: int,
    out: str | os.PathLike,
    roster: Any = None,
    *,
    today: dt.date | None = None,
) -> FeedbackResult:
    """Write this round's feedback for ``year`` (see module docstring).

    ``roster``: a ``UnitRegistry`` or the path of a units.yaml (None: the
    units found in the files are the list).  ``data`` is only read.
    """
    registry = _registry(roster)
    canon = registry.canonical if registry is not None else (lambda s: str(s).strip())
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    date = today or dt.date.today()
    paths = [Path(data)] if isinstance(data, (str, os.PathLike)) else [Path(p) for p in data]
    salt = secrets.token_bytes(16)
    results = [load_workbook(f, year=year, name=name, salt=salt) for f, name in _files(paths, out)]

    groups: dict[str, list[WorkbookResult]] = {}
    unreadable: list[tuple[WorkbookResult, str | None]] = []
    for r in results:
        if r.unit:
            groups.setdefault(canon(r.unit), []).append(r)
        else:
            g = _guess_unit(r.name, registry)
            unreadable.append((r, g))
            if g:
                groups.setdefault(g, []).append(r)

    chosen: dict[str, tuple[WorkbookResult, str]] = {}
    for unit, rs in groups.items():
        i, why = choose_version(
            [Version(r.name, r.info.get("fill_date"), _mtime(r.path), r.status == "ok") for r in rs]
        )
        chosen[unit] = (rs[i], why)
    ledger = assemble([r for r, _ in chosen.values() if r.status == "ok"], registry=registry)
    by_file: dict[str, list[Any]] = {}
    for f in check_ledger(ledger):
        by_file.setdefault(f.file, []).append(f)

    owners: list[_Owner] = []
    used_folders: set[str] = set()

    def folder_for(name: str) -> str:
        base = safe_name(name)
        f, k = base, 2
        while f in used_folders or f in (PROBLEM_LIST, STATUS_BOOK):
            f, k = f"{base}_{k}", k + 1
        used_folders.add(f)
        return f

    unit_owner: dict[str, _Owner] = {}
    for unit, (r, why) in chosen.items():
        if r.status == "refused":
            continue  # gets its file-named 问题清单 below
        o = _Owner(
            unit,
            unit,
            folder_for(unit),
            r,
            by_file.get(r.name, []) if r.status == "ok" else list(r.findings),
            groups[unit],
            why,
        )
        owners.append(o)
        unit_owner[unit] = o
    for r, g in unreadable:
        is_chosen = g is not None and chosen[g][0] is r
        label = f"{Path(r.name).name}（无法读取{'，' + g if g else ''}）"
        o = _Owner(
            g if is_chosen else f"文件:{r.name}",
            label,
            folder_for(Path(r.name).stem),
            r,
            list(r.findings),
            groups[g] if is_chosen else [r],
            chosen[g][1] if is_chosen else "",
        )
        owners.append(o)
        if is_chosen:
            unit_owner[g] = o

    state = read_state(out)
    prev = last_round(state, year)
    rnd = int(prev.get("round", 0)) + 1 if prev else 1
    res = FeedbackResult(year, out, date, rnd, [], has_roster=registry is not None)
    current: dict[str, set[str]] = {}
    diffs = {}
    for o in owners:
        o.problems, o.auto = split_findings(o.key, o.findings)
        keys = {p.key for p in o.problems}
        current[o.key] = keys
        d = diffs[o.key] = diff(prev["problems"].get(o.key) if prev else None, keys)
        for p in o.problems:
            p.new = p.key in d.new_keys
        folder = out / o.folder
        annot_reason = "文件无法读取，未生成标注副本。" if o.result.status == "refused" else None
        if annot_reason is None:
            annot_reason = not_annotatable_reason(o.result.name)
        if annot_reason is None and not any(p.row for p in o.problems):
            annot_reason = "没有需要在单元格上标注的问题，未生成标注副本。"
        if annot_reason is None:
            target = folder / safe_name(annotated_name(Path(o.result.name).name), 120)
            annot_reason = annotate(o.result.path, target, o.problems)
            if annot_reason is None:
                res.annotated[o.folder] = target
                annot = (
                    f"标注副本“{target.name}”：问题单元格已标色（红=错误、黄=警告、蓝=提示），鼠标移到单元格上可看批注。"
                    "请在自己的原文件上修改后重新报送，不要报送标注副本。"
                )
        if o.folder not in res.annotated:
            annot = f"未生成标注副本：{annot_reason.rstrip('。')}。"
        title, cover = _cover(o, year, rnd, date, d, annot)
        res.lists[o.folder] = write_problem_list(folder / PROBLEM_LIST, title, cover, o.problems)

    names = [u.name for u in registry.units] if registry is not None else []
    statuses = []
    for unit in dict.fromkeys([*names, *sorted(groups)]):
        o = unit_owner.get(unit)
        if o is None:
            statuses.append(UnitStatus(unit, NOT_REPORTED, in_roster=True))
            continue
        n = Counter(p.severity for p in o.problems)
        d = diffs[o.key]
        st = UnitStatus(
            unit,
            status_label(n["error"], n["warning"], len(o.problems), len(o.versions)),
            in_roster=registry is None or unit in names,
            errors=n["error"],
            warnings=n["warning"],
            infos=n["info"],
            file=o.result.name,
            fill_date=as_date(o.result.info.get("fill_date")),
            folder=o.folder,
            previous=d.previous,
            fixed=d.fixed,
            new=d.new,
        )
        if o.result.status == "refused":
            st.status = f"多个版本、{UNREADABLE}" if len(o.versions) > 1 else UNREADABLE
        if len(o.versions) > 1:
            st.why = o.why
            st.ignored = [f"{v.name}（{_why_not(v, year)}）" for v in o.versions if v is not o.result]
        statuses.append(st)
    for o in owners:
        if o.key.startswith("文件:"):
            n = Counter(p.severity for p in o.problems)
            statuses.append(
                UnitStatus(
                    o.label,
                    UNREADABLE,
                    in_roster=False,
                    errors=n["error"],
                    warnings=n["warning"],
                    infos=n["info"],
                    file=o.result.name,
                    folder=o.folder,
                )
            )
    res.statuses = statuses
    counts = {o.key: {"问题": len(o.problems), "错误": sum(p.severity == "error" for p in o.problems)} for o in owners}
    record_round(out, state, year, date, current, counts)
    res.status_book = write_status_book(out / STATUS_BOOK, *_status_head(res), statuses)
    return res


def _why_not(r: WorkbookResult, year: int) -> str:
    if r.status == "refused":
        return "无法读取"
    if r.status == "skipped" and r.year != year:
        return f"年度为 {r.year}"
    return "较早的版本"


def _status_head(res: FeedbackResult) -> tuple[str, list[str]]:
    st = res.statuses
    n = Counter(s.status for s in st)
    roster = [s for s in st if s.in_roster]
    done = sum(s.reported and s.status != UNREADABLE for s in roster)
    title = f"{res.year} 年度台账报送情况（第 {res.round} 轮，{res.date:%Y-%m-%d}）"
    line = (
        f"名册单位 {len(roster)} 个：已报送 {done} 个，未报送 {n[NOT_REPORTED]} 个；"
        f"无问题 {sum('无问题' in s.status for s in st)} 个，有问题待改 {sum('有问题' in s.status for s in st)} 个，"
        f"多个版本 {sum('多个版本' in s.status for s in st)} 个。各单位的问题清单在同名文件夹中。"
    )
    return title, [line]


def status_table(res: FeedbackResult) -> Any:
    """The 报送情况 table for the console (a ``rich`` Table)."""
    from rich.markup import escape
    from rich.table import Table

    title, head = _status_head(res)
    t = Table(title=title, caption=head[0], show_lines=False)
    for name, _ in STATUS_COLUMNS:
        t.add_column(
            name,
            overflow="fold",
            justify="right" if name in ("序号", "错误", "警告", "提示", "上轮问题", "已改正", "新出现") else "left",
        )
    style = {NOT_REPORTED: "red", UNREADABLE: "red"}
    for s, row in zip(res.statuses, status_rows(res.statuses), strict=False):
        cells = [escape(str(v)) for v in row]
        colour = style.get(s.status) or ("yellow" if "有问题" in s.status else "green")
        cells[2] = f"[{colour}]{cells[2]}[/]"
        t.add_row(*cells)
    return t
