"""``make_corpus``: ledgers shaped like what grassroots unions really send,
each with the indicators a correct reader must compute (its truth).

The records come from the sample generator (:mod:`gonghui_kit.ledgers.sample`,
its mess included); a :class:`Variant` says how one ledger is then reshaped
(:mod:`.shapes`) and how it travels (:mod:`.containers`).  The truth of each
output is written to ``root/_truth/<n>.json`` (a ``_`` folder, never read as a
ledger) and returned as :class:`Output`.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Sequence

import openpyxl

from gonghui_kit.atomic import write_bytes, write_text
from gonghui_kit.ledgers.realworld.book import Book, open_book
from gonghui_kit.ledgers.realworld.containers import (
    CONTAINERS,
    SUMMARY_INDICATORS,
    multi_unit_book,
    summary_workbook,
    unit_sheets_book,
)
from gonghui_kit.ledgers.realworld.shapes import SHAPES, STAGES
from gonghui_kit.ledgers.sample import generate_sample
from gonghui_kit.ledgers.sample.expected import truth_indicators

__all__ = ["Corpus", "Output", "Variant", "make_corpus", "random_variant"]

#: 上级工会 that collect their 分会's records in one workbook (one each: two
#: collecting workbooks of one union and year are one ledger sent twice).
_PARENTS = (
    "市机械集团工会",
    "区教育工会",
    "区直机关工会",
    "开发区总工会",
    "东区总工会",
    "西区总工会",
    "县总工会",
    "镇总工会",
)

#: Containers that build a new workbook from several units.
GROUPED = ("multi_unit", "unit_sheets", "summary")


@dataclass(frozen=True)
class Variant:
    """One ledger of the corpus: its container, the shapes applied, how many units it holds."""

    container: str = "xlsx"
    shapes: tuple[str, ...] = ()
    units: int = 1

    def __post_init__(self):
        if self.container not in CONTAINERS and self.container not in GROUPED:
            raise ValueError(f"unknown container {self.container!r}")
        unknown = [s for s in self.shapes if s not in SHAPES]
        if unknown:
            raise ValueError(f"unknown shapes {unknown}")


@dataclass
class Output:
    """What one variant wrote and what a correct reader must make of it."""

    paths: list[Path]
    variant: Variant
    shapes: list[str]  # the shapes that found a place
    expected: dict[tuple[str, int, str, str], float]
    errors: list[dict] = field(default_factory=list)  # planted errors: file, sheet, row, col, value
    reported: bool = False  # values of a 统计表, taken as reported

    @property
    def units(self) -> list[str]:
        return sorted({k[0] for k in self.expected})


@dataclass
class Corpus:
    root: Path
    year: int
    outputs: list[Output]


def random_variant(rng: Random, *, csv_ok: bool = True, convert_ok: bool = False, errors: bool = True) -> Variant:
    """A random real-world variant: a container and a random set of shapes
    that fit it (no merged-cell shapes in a CSV)."""
    containers = [c for c in CONTAINERS if (csv_ok or "csv" not in c) and (convert_ok or c not in ("xls", "ods"))]
    container = rng.choice([*containers, "multi_unit", "multi_unit", "unit_sheets", "summary", "xlsx", "xlsx"])
    if container == "summary":
        return Variant("summary", (), rng.randint(2, 4))
    flat = "csv" in container
    pool = [s.name for s in SHAPES.values() if s.stage != "error" and not (flat and s.merges)]
    shapes = rng.sample(pool, rng.randint(1, min(6, len(pool))))
    if errors and not flat and container not in ("xls", "ods") and rng.random() < 0.25:
        shapes.append(rng.choice([s.name for s in SHAPES.values() if s.stage == "error"]))
    return Variant(container, tuple(shapes), rng.randint(2, 3) if container in ("multi_unit", "unit_sheets") else 1)


def _apply(book: Book, shapes: Sequence[str], rng: Random) -> None:
    """Apply ``shapes`` stage by stage, in the registry's order (a hidden draft
    copies the sheet as finally laid out; totals go in before signatures)."""
    for stage in STAGES:
        for s in SHAPES.values():
            if s.stage == stage and s.name in shapes:
                s(book, rng)


def _locate_errors(book: Book, paths: list[Path]) -> list[dict]:
    """Find planted error markers again in the written .xlsx files."""
    out = []
    for e in book.errors:
        for p in paths:
            if p.suffix != ".xlsx":
                continue
            wb = openpyxl.load_workbook(p)
            if e["sheet"] not in wb.sheetnames:
                continue
            for row in wb[e["sheet"]].iter_rows():
                for c in row:
                    if c.value == e["marker"]:
                        out.append({"file": p, "sheet": e["sheet"], "row": c.row, "col": c.column, "value": c.value})
    return out


def _summary(truths: list[dict], root: Path, year: int, rng: Random, n: int) -> Output:
    keys = ["activities", *rng.sample([k for k in SUMMARY_INDICATORS if k != "activities"], rng.randint(3, 8))]
    keys = [k for k in SUMMARY_INDICATORS if k in keys]
    full = truth_indicators(truths)
    reported = {
        t["unit"]: {k: full[(t["unit"], year, k, "")] if k != "employees" else t["info"]["employees"] for k in keys}
        for t in truths
    }
    parent = truths[0]["info"].get("parent_union") or "区总工会"
    path = root / str(year) / f"附件{n}：{parent}{year}年统计表.xlsx"
    write_bytes(path, summary_workbook(reported, parent, year, rng))
    expected = {
        (u, year, k, ""): round(v, 2) for u, vals in reported.items() for k, v in vals.items() if not math.isnan(v)
    }
    return Output([path], Variant("summary", (), len(truths)), [], expected, reported=True)


def make_corpus(
    root: str | Path,
    variants: Sequence[Variant],
    *,
    seed: int = 0,
    year: int = 2024,
    size: float = 0.4,
    mess: bool = True,
) -> Corpus:
    """Write one ledger per variant under ``root/<year>/`` and its truth under ``root/_truth/``.

    Same arguments → same files and the same truth.
    """
    root = Path(root)
    need = sum(v.units for v in variants)
    with tempfile.TemporaryDirectory() as tmp:
        base = generate_sample(tmp, units=need, years=[year], seed=seed, mess=mess, size=size)
        truths = list(base.truth.items())
        outputs = []
        used: set[str] = set()
        used_parents: set[str] = set()
        i = 0
        for n, v in enumerate(variants, start=1):
            rng = Random(f"{seed}/variant/{n}")
            mine = truths[i : i + v.units]
            i += v.units
            if v.container == "summary":
                outputs.append(_summary([t for _, t in mine], root, year, rng, n))
                continue
            books = [open_book(Path(tmp) / rel, t) for rel, t in mine]
            for b in books:
                b.name = _unique(b.name, used)
            if v.container in ("multi_unit", "unit_sheets"):
                k = len(used_parents)
                parent = _PARENTS[k] if k < len(_PARENTS) else f"第{k + 1}片区工会"
                used_parents.add(parent)
                if v.container == "multi_unit":  # records under one header: shaped together
                    book = multi_unit_book(books, parent, rng)
                    _apply(book, v.shapes, rng)
                else:  # each 分会's sheets as it sent them
                    for b in books:
                        _apply(b, v.shapes, rng)
                    book = unit_sheets_book(books, parent)
                    book.shapes = sorted({s for b in books for s in b.shapes})
                    book.errors = [
                        dict(e, sheet=f"{b.truths[0]['unit']}-{e['sheet']}"[:31]) for b in books for e in b.errors
                    ]
                book.name = _unique(book.name, used)
                paths = CONTAINERS["xlsx"](book, root, rng)
            else:
                book = books[0]
                _apply(book, v.shapes, rng)
                paths = CONTAINERS[v.container](book, root, rng)
            if not book.info:  # 基本信息 did not travel: nor did its 会员人数
                for t in book.truths:
                    t.pop("reported", None)
            expected = truth_indicators(book.truths, info=book.info)
            outputs.append(Output(paths, v, list(book.shapes), expected, _locate_errors(book, paths)))
    for n, out in enumerate(outputs, start=1):
        write_text(root / "_truth" / f"{n:03d}.json", _truth_json(out, root))
    return Corpus(root, year, outputs)


def _unique(name: str, used: set[str]) -> str:
    """``name``, or ``name(2)``, ``name(3)`` … when an earlier ledger took it."""
    stem, suffix = Path(name).stem, Path(name).suffix
    n, out = 2, name
    while out.lower() in used:
        out, n = f"{stem}({n}){suffix}", n + 1
    used.add(out.lower())
    return out


def _truth_json(out: Output, root: Path) -> str:
    def num(v):
        return None if isinstance(v, float) and math.isnan(v) else v

    return json.dumps(
        {
            "files": [p.relative_to(root).as_posix() for p in out.paths],
            "container": out.variant.container,
            "shapes": out.shapes,
            "reported": out.reported,
            "expected": [[*k, num(v)] for k, v in sorted(out.expected.items())],
            "errors": [{**e, "file": e["file"].relative_to(root).as_posix()} for e in out.errors],
        },
        ensure_ascii=False,
        indent=1,
    )
