"""Benchmark: indicators for 10,000 units x 1 year (synthetic canonical tables).

    python bench/bench_indicators.py               # 10,000 units, ~10.5M rows
    python bench/bench_indicators.py --units 2000  # smaller

Builds the canonical tables the loader would produce (members, activities,
funds, care, proposals, publicity, training, awards) with numpy, then times
``compute_indicators`` and reports its peak memory (the process's max RSS,
measured in a child process so table building does not count).
Target: under 30 s and under 4 GiB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIZES = {
    "members": 300,
    "activities": 200,
    "funds": 300,
    "care": 100,
    "proposals": 15,
    "publicity": 40,
    "training": 40,
    "awards": 5,
}


def make_tables(n_units: int, year: int = 2023, seed: int = 0):
    import numpy as np
    import pandas as pd

    from gonghui_kit.ingest.load import empty_table
    from gonghui_kit.schema import load_schema

    rng = np.random.default_rng(seed)
    schema = load_schema()
    cats = schema.categories
    units = np.array([f"单位{i:05d}" for i in range(n_units)], dtype=object)
    start = np.datetime64(f"{year}-01-01")

    def base(key: str, per_unit: int) -> pd.DataFrame:
        counts = rng.poisson(per_unit, n_units)
        unit = np.repeat(units, counts)
        n = len(unit)
        df = pd.DataFrame(
            {
                "unit": pd.Categorical(unit, categories=units),
                "year": np.full(n, year, dtype="int64"),
                "source_file": "bench.xlsx",
                "sheet": key,
                "excel_row": np.arange(n, dtype="int64") + 4,
            }
        )
        return df

    def dates(n: int, spread_years: int = 0) -> pd.Series:
        days = rng.integers(-365 * spread_years, 365, n)
        return pd.Series(start + days.astype("timedelta64[D]"))

    def pick(labels, n):
        return pd.Categorical(rng.choice(np.array(labels, dtype=object), n))

    t: dict[str, pd.DataFrame] = {}
    m = base("members", SIZES["members"])
    n = len(m)
    m["gender"] = pick(["男", "女"], n)
    m["birth_date"] = dates(n, 40) - pd.Timedelta(days=365 * 20)
    m["join_date"] = dates(n, 15)
    leave = dates(n, 2)
    m["leave_date"] = leave.where(rng.random(n) < 0.05)
    m["status"] = "在册"
    for c in ("birth_date_precision", "join_date_precision", "leave_date_precision"):
        m[c] = "day"
    t["members"] = m
    a = base("activities", SIZES["activities"])
    n = len(a)
    a["date"] = dates(n)
    a["date_precision"] = "day"
    a["category"] = pick(cats["activity_category"].labels, n)
    a["participants"] = rng.integers(5, 300, n).astype("float64")
    a["amount"] = np.round(rng.gamma(2.0, 3000.0, n), 2)
    a["month"] = pd.array(a["date"].dt.month, dtype="Int64")
    t["activities"] = a
    f = base("funds", SIZES["funds"])
    n = len(f)
    inc = rng.random(n) < 0.3
    f["direction"] = np.where(inc, "收入", "支出")
    f["account"] = np.where(
        inc,
        rng.choice(np.array(list(schema.accounts["income"]), dtype=object), n),
        rng.choice(np.array(list(schema.accounts["expense"]), dtype=object), n),
    )
    f["amount"] = np.round(rng.gamma(2.0, 5000.0, n), 2)
    f["date"] = dates(n)
    t["funds"] = f
    c = base("care", SIZES["care"])
    n = len(c)
    c["reason"] = pick(cats["care_reason"].labels, n)
    c["visits"] = rng.integers(1, 4, n).astype("float64")
    c["amount"] = np.round(rng.gamma(2.0, 300.0, n), 2)
    c["form"] = pick(["现金", "实物"], n)
    t["care"] = c
    p = base("proposals", SIZES["proposals"])
    n = len(p)
    p["date"] = dates(n)
    p["reply_date"] = p["date"] + pd.to_timedelta(rng.integers(5, 120, n), unit="D")
    p["date_precision"] = "day"
    p["reply_date_precision"] = "day"
    p["accepted"] = pick(["是", "是", "是", "否"], n)
    p["status"] = pick(["已办结", "已办结", "办理中", "未办理"], n)
    t["proposals"] = p
    pub = base("publicity", SIZES["publicity"])
    n = len(pub)
    pub["form"] = pick(cats["publicity_form"].labels, n)
    pub["level"] = pick(cats["publicity_level"].labels, n)
    pub["quantity"] = rng.integers(1, 5, n).astype("float64")
    t["publicity"] = pub
    tr = base("training", SIZES["training"])
    n = len(tr)
    tr["hours"] = rng.integers(1, 16, n).astype("float64")
    tr["participants"] = rng.integers(5, 200, n).astype("float64")
    t["training"] = tr
    aw = base("awards", SIZES["awards"])
    aw["level"] = pick(cats["award_level"].labels, len(aw))
    t["awards"] = aw
    for k, df in t.items():  # every canonical column present
        for col in empty_table(k).columns:
            if col not in df:
                df[col] = None
        df["unit"] = df["unit"].astype(object)
    info = pd.DataFrame(
        {
            "unit": units,
            "year": year,
            "employees": rng.integers(20, 2000, n_units).astype("float64"),
            "parent_union": "总工会",
            "fill_date": pd.NaT,
            "source_file": "bench.xlsx",
            "sheets_absent": "",
        }
    )
    t["info"] = info
    return t


def child(n_units: int) -> None:
    from gonghui_kit.analysis.indicators import compute_indicators

    tables = make_tables(n_units)
    rows = sum(len(v) for k, v in tables.items() if k != "info")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    ind = compute_indicators(tables)
    secs = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "units": n_units,
                "rows": rows,
                "seconds": secs,
                "peak_rss_mb": peak / 1024,
                "rss_before_mb": before / 1024,
                "indicator_rows": len(ind),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--child", action="store_true")
    a = ap.parse_args()
    if a.child:
        child(a.units)
        return
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--units", str(a.units)], capture_output=True, text=True, check=True
    )
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{r['units']:,} units x 1 year, {r['rows']:,} record rows -> {r['indicator_rows']:,} indicator rows")
    print(
        f"compute_indicators: {r['seconds']:.1f} s, peak RSS {r['peak_rss_mb']:,.0f} MB (tables alone {r['rss_before_mb']:,.0f} MB)"
    )
    print(f"target < 30 s and < 4 GiB: {'yes' if r['seconds'] < 30 and r['peak_rss_mb'] < 4096 else 'NO'}")


if __name__ == "__main__":
    main()
