"""``generate_sample``: units × years of simulated records, messed up, written
and paired with their truth (see the package doc)."""

from __future__ import annotations

from pathlib import Path
from random import Random
from typing import Sequence

from gonghui_kit.ledgers.sample.mess import MISSING_STYLES, MessContext, plan_mess
from gonghui_kit.ledgers.sample.simulate import UnitProfile, UnitSim, simulate_unit, simulate_year, unit_profiles
from gonghui_kit.ledgers.sample.tables import build_table
from gonghui_kit.ledgers.sample.truth import SampleResult, table_truth, truth_to_json
from gonghui_kit.ledgers.sample.write import file_name, info_rows, write_workbook
from gonghui_kit.schema import Schema, load_schema

__all__ = ["generate_sample"]


def _unit_factor(p: UnitProfile, size: float, rows_per_workbook: int | None) -> float:
    if not rows_per_workbook:
        return size
    m = p.employees * p.member_rate
    base = (
        m * 1.05
        + (5 + m / 25)
        + (8 + p.employees / 25)
        + 10
        + (3 + m / 15)
        + (2 + m / 40)
        + (3 + m / 30)
        + (2 + m / 60)
        + 2.5
    )
    return max(0.05, rows_per_workbook / base)


def generate_sample(
    out_dir: str | Path,
    *,
    units: int = 12,
    years: Sequence[int] = (2022, 2023, 2024),
    seed: int = 0,
    mess: bool = True,
    size: float = 1.0,
    rows_per_workbook: int | None = None,
    write_truth: bool = False,
) -> SampleResult:
    """Write sample ledgers to ``out_dir/<年度>/`` and return what was planted.

    ``units`` units (a mix of 企业分工会, 学校, 幼儿园, 机关) × ``years``, one
    workbook each.  ``size`` multiplies every row count (staff and members
    included); ``rows_per_workbook`` instead sizes each unit so that its
    workbooks hold about that many data rows (for benchmarks, e.g. 5000).
    Same ``seed`` → same workbooks and the same truth.  Existing files with
    the same names are overwritten; other files are left alone.
    """
    schema = load_schema()
    out_dir = Path(out_dir)
    years = sorted({int(y) for y in years})
    if not years:
        raise ValueError("years must not be empty")
    profiles = unit_profiles(units)
    last = years[-1] if len(years) > 1 else None
    plans = plan_mess(len(profiles) * len(years), mess, Random(f"{seed}/plan"))
    files: list[Path] = []
    truth: dict[str, dict] = {}
    renames: dict[str, list[str]] = {}
    k = 0
    carry: set[str] = set()  # forced kinds a workbook could not place go to the next one
    taken: set[str] = set()
    for ui, p in enumerate(profiles):
        factor = _unit_factor(p, size, rows_per_workbook)
        sim = simulate_unit(p, years, Random(f"{seed}/unit/{ui}"), factor)
        current = p.renamed_to if (p.renamed_to and last) else p.name
        if current != p.name:
            renames[current] = [p.name]
        for t, year in enumerate(years):
            enabled, forced = plans[k]
            k += 1
            ctx = MessContext(Random(f"{seed}/wb/{ui}/{year}"), year, enabled, forced | carry, mess)
            unit = p.renamed_to if (p.renamed_to and year == last) else p.name
            rel, wb_truth = _one_workbook(ctx, schema, p, sim, unit, current, year, t, factor, out_dir, taken)
            carry = set(ctx.pending)
            files.append(out_dir / rel)
            truth[rel] = wb_truth
            if write_truth:
                tdir = out_dir / str(year) / "_truth"
                tdir.mkdir(parents=True, exist_ok=True)
                (tdir / (Path(rel).stem + ".json")).write_text(truth_to_json(wb_truth), encoding="utf-8")
    return SampleResult(out_dir, files, truth, renames, sorted({t["unit_current"] for t in truth.values()}))


def _one_workbook(
    ctx: MessContext,
    schema: Schema,
    p: UnitProfile,
    sim: UnitSim,
    unit: str,
    current: str,
    year: int,
    t: int,
    factor: float,
    out_dir: Path,
    taken: set[str],
) -> tuple[str, dict]:
    """Content, mess and layout of one unit-year; writes it, returns (relative path, truth)."""
    rng, mess = ctx.rng, ctx.mess
    info, content = simulate_year(
        rng,
        p,
        sim,
        unit,
        year,
        t,
        factor,
        late_joiners=mess,
        n_missing=len(ctx.pending & set(MISSING_STYLES)) + 1,
        legacy_funds="fund_legacy" in ctx.enabled,
        cash_gifts=p.cash_gifts or "cash_gift" in ctx.enabled,
    )
    absent: list[str] = []
    if mess and p.kind == "幼儿园":
        absent.append("proposals")
    if mess and ctx.want("missing_sheet"):
        absent.append("awards" if "proposals" in absent else rng.choice(("proposals", "awards")))
    if absent:
        ctx.used("missing_sheet", len(absent))
    info_cells = info_rows(ctx, info, schema)
    tables = [build_table(ctx, s, content[s.key], unit, schema) for s in schema.record_sheets if s.key not in absent]
    extra = mess and ctx.want("extra_sheet")
    if extra:
        ctx.used("extra_sheet")
    name = file_name(ctx, unit, year, mess, p.name if unit != p.name else None)
    rel, n = f"{year}/{name}", 2
    while rel.lower() in taken:
        rel, n = f"{year}/{Path(name).stem}({n}).xlsx", n + 1
    taken.add(rel.lower())
    path = out_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    use_formulas = "formula_cached" in ctx.enabled and mess
    n_rows = write_workbook(path, info_cells, tables, extra, use_formulas)
    if use_formulas and any(r.kind == "subtotal" for tb in tables for r in tb.rows):
        ctx.used("formula_cached")
    sheets, anomalies = {}, []
    for tb in tables:
        sheets[tb.key], an = table_truth(tb)
        anomalies.extend(an)
    wb_truth = {
        "file": rel,
        "unit": unit,
        "unit_current": current,
        "kind": p.kind,
        "year": year,
        "info": info,
        "sheets": sheets,
        "absent": absent,
        "anomalies": anomalies,
        "mess": dict(sorted(ctx.counts.items())),
        "n_rows": n_rows,
    }
    return rel, wb_truth
