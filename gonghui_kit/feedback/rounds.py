"""Collection rounds: what was wrong last time, what is fixed, what is new.

The state file (JSON, in the output folder, written atomically) keeps, per
year, the round number and date and every listed problem of the last round
by a file-independent identity: unit, sheet, column (header as written),
row and finding code.  A unit that resends a corrected file under another
name keeps its identities, so fixed problems are counted as fixed.

>>> prev = {"U": [identity("U", "活动", "日期", 5, "date_invalid"), identity("U", "活动", "人数", 6, "number_invalid")]}
>>> d = diff(prev.get("U"), {identity("U", "活动", "人数", 6, "number_invalid"), identity("U", "经费", "金额", 3, "negative_amount")})
>>> d.previous, d.fixed, d.new
(2, 1, 1)
>>> diff(None, {"a"}).previous is None
True
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from gonghui_kit.atomic import write_json

__all__ = ["STATE_NAME", "identity", "RoundDiff", "diff", "read_state", "last_round", "record_round"]

STATE_NAME = "反馈轮次记录.json"
_VERSION = 1


def identity(unit: str, sheet: str, column: str, row: int | None, code: str) -> str:
    """One problem's key across rounds (a JSON list as text)."""
    return json.dumps([unit, sheet or "", column or "", row, code], ensure_ascii=False)


@dataclass
class RoundDiff:
    previous: int | None  # problems last round (None: no last round for this unit)
    fixed: int = 0
    new: int = 0
    new_keys: set[str] = field(default_factory=set)


def diff(previous: Iterable[str] | None, current: set[str]) -> RoundDiff:
    if previous is None:
        return RoundDiff(None, 0, 0, set())
    prev = set(previous)
    new = current - prev
    return RoundDiff(len(prev), len(prev - current), len(new), new)


def read_state(out: str | Path) -> dict[str, Any]:
    """The state file of ``out`` (empty when absent or unreadable)."""
    p = Path(out) / STATE_NAME
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": _VERSION, "years": {}}
    if not isinstance(raw, dict) or not isinstance(raw.get("years"), dict):
        return {"version": _VERSION, "years": {}}
    return raw


def last_round(state: dict[str, Any], year: int) -> dict[str, Any] | None:
    """``{"round": n, "date": "YYYY-MM-DD", "problems": {unit: [identity, …]}}`` of the year's last round."""
    r = state.get("years", {}).get(str(year))
    if not isinstance(r, dict) or not isinstance(r.get("problems"), dict):
        return None
    return r


def record_round(
    out: str | Path,
    state: dict[str, Any],
    year: int,
    date: dt.date,
    problems: dict[str, set[str]],
    counts: dict[str, dict[str, int]],
) -> int:
    """Write this round as the year's last one; returns its number."""
    prev = last_round(state, year)
    n = int(prev.get("round", 0)) + 1 if prev else 1
    history = list(prev.get("history", [])) if prev else []
    history.append({"round": n, "date": date.isoformat(), "units": counts})
    state = dict(state, version=_VERSION)
    state.setdefault("years", {})
    state["years"] = dict(state["years"])
    state["years"][str(year)] = {
        "round": n,
        "date": date.isoformat(),
        "problems": {u: sorted(keys) for u, keys in sorted(problems.items())},
        "history": history[-20:],
    }
    write_json(Path(out) / STATE_NAME, state)
    return n
