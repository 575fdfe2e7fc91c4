"""Benchmark: reading a year of ledgers.

Generates 50 workbooks of ~5,000 data rows each (``generate_sample`` with
``rows_per_workbook``; messy values as in real ledgers), then measures in one
run, each variant in its own subprocess so memory peaks do not mix:

  (a) ``pandas.read_excel(f, sheet_name=None, engine="openpyxl")`` on every file
      (raw grids only, no cleaning at all);
  (b) ``gonghui_kit.ingest.load.load_ledgers(dir)`` — calamine + full cleaning,
      findings and checks — serial, and with ``jobs=2``.

Prints rows/second for each, the ratio (b)/(a) and peak RSS
(``resource.getrusage(...).ru_maxrss``; for ``jobs=2`` the worker processes
are reported separately, RUSAGE_CHILDREN).  tracemalloc is not used: it misses
what calamine (Rust) and numpy allocate.

    python bench/bench_load.py                       # 50 × 5000, bench/out/load
    python bench/bench_load.py --files 10 --rows 2000
    python bench/bench_load.py --profile             # + cProfile of (b) serial
    python bench/bench_load.py --repeat 3            # each variant 3×, interleaved; the fastest run counts
    python bench/bench_load.py --formats             # + rows/s per format (.xlsx/.xls/.ods, GBK .csv per topic)
    python bench/bench_load.py --files 6 --rows 3000 --formats --format-files 6

``--formats`` converts the first ``--format-files`` workbooks with LibreOffice
(``soffice``) to .xls and .ods, writes each of their sheets as a GBK .csv in a
folder per unit (one file per topic, no 基本信息), and reads each set both
with plain pandas (``read_excel`` with openpyxl and with calamine for .xlsx,
calamine for .xls and .ods — xlrd and odfpy are not dependencies —, and
``read_csv(encoding="gbk")`` for .csv) and with ``load_ledgers`` +
``check_ledger``, each in its own subprocess, and prints rows/s of both and
their ratio per format.

Rows per second everywhere use one count per file set: the data rows, i.e.
the non-blank rows (any cell not empty) of every worksheet except 基本信息,
header and title rows included, counted on the grids plain pandas read
(``header=None``, after its timer stopped).  The same rows are in every
format, so the count is the same for .xlsx, .xls, .ods and .csv; the printed
table shows it per format, and the records gonghui kept, as a check that every
variant read the same content.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out" / "load"


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    kb = resource.getrusage(who).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20  # macOS reports bytes


SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")
INFO_SHEET = "基本信息"  # not counted as data rows (the .csv sets have none)


def _files(d: Path) -> list[Path]:
    return sorted(
        p
        for p in d.rglob("*")
        if p.suffix.lower() in SUFFIXES
        and p.is_file()
        and not any(part.startswith((".", "_")) for part in p.relative_to(d).parts)
    )


# --------------------------------------------------------------------------
# data


def generate(out: Path, files: int, rows: int, seed: int = 0) -> list[Path]:
    marker = out / f".made-{files}x{rows}-{seed}"
    if marker.exists() and len(_files(out)) == files:
        return _files(out)
    import shutil

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    from gonghui_kit.ledgers.sample import generate_sample

    t = time.perf_counter()
    generate_sample(out, units=files, years=(2023,), seed=seed, rows_per_workbook=rows)
    print(f"generated {files} workbooks in {time.perf_counter() - t:.1f}s → {out}", file=sys.stderr)
    marker.touch()
    return _files(out)


# --------------------------------------------------------------------------
# variants (each runs in a fresh subprocess)


def variant_noop(d: Path) -> dict:
    import pandas  # noqa: F401 - imported before timing, so start-up is not measured

    import gonghui_kit.ingest.load  # noqa: F401 - imported before timing, so start-up is not measured

    return {"seconds": 0.0, "cpu_before": _cpu(), "rows": 0}


def _data_rows(df) -> int:
    """Rows with at least one cell that is not empty (NaN, None or blank text).

    >>> import pandas as pd
    >>> _data_rows(pd.DataFrame([["a", None], [None, None], [" ", float("nan")], [None, 3]]))
    2
    """
    blank = df.map(lambda v: v is None or v != v or (isinstance(v, str) and not v.strip()))
    return int((~blank.all(axis=1)).sum())


def _pandas(d: Path, engine: str) -> dict:
    """Plain pandas on every file of ``d``: ``read_excel(sheet_name=None, header=None, engine=engine)``
    or, for ``engine="csv"``, ``read_csv(header=None, encoding="gbk")``.  Only the reads are timed;
    the data rows are counted after each file's read (not timed), then the file's frames are dropped."""
    import warnings

    import pandas as pd

    files = _files(d)
    secs = cpu = 0.0
    rows = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in files:
            cpu0, t = _cpu(), time.perf_counter()
            if engine == "csv":
                try:
                    sheets = {f.stem: pd.read_csv(f, header=None, encoding="gbk")}
                except pd.errors.EmptyDataError:  # a 0-byte file (an empty sheet written as .csv)
                    sheets = {}
            else:
                sheets = pd.read_excel(f, sheet_name=None, header=None, engine=engine)
            secs += time.perf_counter() - t
            cpu += _cpu() - cpu0
            rows += sum(_data_rows(df) for name, df in sheets.items() if name != INFO_SHEET)
            del sheets
    return {"seconds": secs, "cpu_seconds": cpu, "rows": rows, "files": len(files)}


def variant_pandas(d: Path) -> dict:
    return _pandas(d, "openpyxl")


def variant_pandas_calamine(d: Path) -> dict:
    return _pandas(d, "calamine")


def variant_pandas_csv(d: Path) -> dict:
    return _pandas(d, "csv")


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _load(d: Path, jobs: int) -> dict:
    from gonghui_kit.ingest.check import check_ledger
    from gonghui_kit.ingest.load import load_ledgers

    cpu0 = _cpu()
    t = time.perf_counter()
    led = load_ledgers(d, jobs=jobs)
    findings = check_ledger(led)
    secs = time.perf_counter() - t
    rows = int(led.stats["rows"].sum()) if not led.stats.empty else 0
    records = int(led.stats["records"].sum()) if not led.stats.empty else 0
    return {
        "seconds": secs,
        "cpu_before": cpu0,
        "rows": rows,
        "records": records,
        "findings": len(findings),
        "files": int(len(led.files)),
        "refused": int((led.files["status"] != "ok").sum()),
    }


def variant_gonghui(d: Path) -> dict:
    return _load(d, 1)


def variant_gonghui_jobs2(d: Path) -> dict:
    return _load(d, 2)


def variant_profile(d: Path) -> dict:
    import cProfile
    import io
    import pstats

    pr = cProfile.Profile()
    pr.enable()
    r = _load(d, 1)
    pr.disable()
    s = io.StringIO()
    ps = pstats.Stats(pr, stream=s).sort_stats("cumulative")
    ps.print_stats(35)
    s.write("\n--- by own time ---\n")
    pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(25)
    r["profile"] = s.getvalue()
    return r


VARIANTS = {
    "noop": variant_noop,
    "pandas_openpyxl": variant_pandas,
    "pandas_calamine": variant_pandas_calamine,
    "pandas_csv": variant_pandas_csv,
    "gonghui_serial": variant_gonghui,
    "gonghui_jobs2": variant_gonghui_jobs2,
    "profile": variant_profile,
}


FORMATS = ("xlsx", "xls", "ods", "csv")
# (format, pandas variant, how plain pandas reads it); calamine for .xls/.ods:
# xlrd and odfpy are not installed (not dependencies)
PANDAS_READERS = (
    ("xlsx", "pandas_openpyxl", 'read_excel(engine="openpyxl")'),
    ("xlsx", "pandas_calamine", 'read_excel(engine="calamine")'),
    ("xls", "pandas_calamine", 'read_excel(engine="calamine")'),
    ("ods", "pandas_calamine", 'read_excel(engine="calamine")'),
    ("csv", "pandas_csv", 'read_csv(encoding="gbk")'),
)


def make_formats(src: list[Path], out: Path) -> dict[str, Path]:
    """The same workbooks as .xlsx, .xls, .ods and GBK .csv per topic (a folder per unit)."""
    import csv
    import shutil

    import openpyxl

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    dirs = {fmt: out / fmt for fmt in FORMATS}
    for d in dirs.values():
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    for f in src:
        shutil.copy(f, dirs["xlsx"] / f.name)
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
        info = (
            {r[0]: r[1] for r in wb[INFO_SHEET].iter_rows(values_only=True) if r and r[0]}
            if INFO_SHEET in wb.sheetnames
            else {}
        )
        unit_dir = dirs["csv"] / str(info.get("单位名称") or f.stem)
        unit_dir.mkdir(exist_ok=True)
        for ws in wb.worksheets:
            if ws.title == INFO_SHEET:
                continue
            with open(
                unit_dir / f"{info.get('年度', '')}{ws.title}.csv", "w", encoding="gbk", errors="replace", newline=""
            ) as fh:
                csv.writer(fh).writerows([["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)])
        wb.close()
    if soffice:
        for fmt in ("xls", "ods"):
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    f"-env:UserInstallation=file://{out}/_profile",
                    "--convert-to",
                    fmt,
                    "--outdir",
                    str(dirs[fmt]),
                    *map(str, src),
                ],
                check=True,
                capture_output=True,
            )
    else:
        print("soffice not found: .xls/.ods not measured", file=sys.stderr)
        del dirs["xls"], dirs["ods"]
    return dirs


def run_child(name: str, d: Path, *extra: str) -> dict:
    """Run one variant in a fresh interpreter; it prints one JSON line."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--dir", str(d), *extra]
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise SystemExit(f"variant {name} failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds else float("nan")


def bench_formats(files: list[Path], out: Path, repeat: int) -> None:
    """rows/s of plain pandas and of gonghui per format, on the same files (see the module docstring)."""
    made = run_child("formats", out, "--src", *map(str, files))  # openpyxl/LibreOffice in a child too (peak RSS)
    dirs = {fmt: Path(d) for fmt, d in made["dirs"].items()}
    runs = [(fmt, name) for fmt, name, _ in PANDAS_READERS if fmt in dirs] + [(fmt, "gonghui_serial") for fmt in dirs]
    res: dict[tuple[str, str], dict] = {}
    for _ in range(max(1, repeat)):
        for fmt, name in runs:
            r = run_child(name, dirs[fmt])
            if (fmt, name) not in res or r["seconds"] < res[(fmt, name)]["seconds"]:
                res[(fmt, name)] = r
    print(
        f"\nrows/s per format: the same {len(files)} workbooks as .xlsx, as .xls and .ods (LibreOffice) and as GBK .csv"
        " (one file per sheet but 基本信息, a folder per unit)"
    )
    print(
        "data rows = non-blank rows of every sheet but 基本信息 (header/title rows included), counted on pandas' "
        "grids; rows/s of both sides = data rows / wall seconds"
    )
    print(
        "pandas = raw grids only (no cleaning); gonghui = load_ledgers + check_ledger, serial "
        "(calamine, cleaning, findings, checks)"
    )
    print()
    print(
        f"{'format':<7}{'files':>6}{'data rows':>11}  {'plain pandas':<30}{'wall s':>7}{'rows/s':>9}{'RSS MB':>8}"
        f"  {'gonghui':>7}{'rows/s':>9}{'RSS MB':>8}{'records':>9}  {'gonghui/pandas':>14}"
    )
    for fmt, name, how in PANDAS_READERS:
        if fmt not in dirs:
            continue
        p, g = res[(fmt, name)], res[(fmt, "gonghui_serial")]
        rows = p["rows"]
        print(
            f"{fmt:<7}{p['files']:>6}{rows:>11,}  {how:<30}{p['seconds']:>7.2f}{_rate(rows, p['seconds']):>9,.0f}"
            f"{p['maxrss_mb']:>8.0f}  {g['seconds']:>7.2f}{_rate(rows, g['seconds']):>9,.0f}{g['maxrss_mb']:>8.0f}"
            f"{g['records']:>9,}  {p['seconds'] / g['seconds']:>13.2f}×"
        )
    counts = {res[(fmt, name)]["rows"] for fmt, name, _ in PANDAS_READERS if fmt in dirs}
    records = {res[(fmt, "gonghui_serial")]["records"] for fmt in dirs}
    refused = {fmt: res[(fmt, "gonghui_serial")]["refused"] for fmt in dirs}
    same_rows = "same data rows in every format" if len(counts) == 1 else f"data rows DIFFER: {sorted(counts)}"
    same_records = "same records kept by gonghui in every format"
    if len(records) > 1:
        same_records = f"records DIFFER: {sorted(records)}"
    print(
        f"{same_rows}; {same_records}; files refused by gonghui: "
        + ", ".join(f"{fmt} {n}" for fmt, n in refused.items())
        + (" (.csv: an empty sheet is written as a 0-byte file, refused as empty)" if refused.get("csv") else "")
    )
    print("gonghui/pandas > 1: gonghui (reading + cleaning + checks) is faster than pandas reading the raw grids")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=50)
    ap.add_argument("--rows", type=int, default=5000, help="data rows per workbook (approx.)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--profile", action="store_true", help="also cProfile (b) serial and print the hotspots")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each variant this many times, interleaved, and report the fastest (other load on a small machine)",
    )
    ap.add_argument(
        "--formats",
        action="store_true",
        help="also rows/s per format (.xls/.ods through LibreOffice, GBK .csv), plain pandas beside gonghui",
    )
    ap.add_argument("--format-files", type=int, default=5, help="how many of the workbooks --formats converts")
    ap.add_argument("--child", choices=sorted(VARIANTS) + ["generate", "formats"], help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--src", type=Path, nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.child == "generate":
        generate(a.dir, a.files, a.rows)
        return 0
    if a.child == "formats":
        dirs = make_formats(a.src, a.dir)
        print(json.dumps({"dirs": {fmt: str(d) for fmt, d in dirs.items()}}, ensure_ascii=False))
        return 0
    if a.child:
        r = VARIANTS[a.child](a.dir)
        if "cpu_seconds" not in r:
            me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            r["cpu_seconds"] = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime - r.pop("cpu_before", 0.0)
        r["maxrss_mb"] = _maxrss_mb()
        r["children_maxrss_mb"] = _maxrss_mb(resource.RUSAGE_CHILDREN)
        print(json.dumps(r, ensure_ascii=False))
        return 0

    # generate in a child too: Linux keeps a process's peak RSS across
    # fork+exec, so a big parent would inflate every child's ru_maxrss
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            "generate",
            "--dir",
            str(a.out),
            "--files",
            str(a.files),
            "--rows",
            str(a.rows),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    files = _files(a.out)
    size = sum(f.stat().st_size for f in files)
    print(
        f"{len(files)} workbooks, {size / 2**20:.1f} MiB on disk, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
        + (f", fastest of {a.repeat} runs each" if a.repeat > 1 else "")
    )
    res: dict[str, dict] = {}
    for _ in range(max(1, a.repeat)):
        for name in ("noop", "pandas_openpyxl", "gonghui_serial", "gonghui_jobs2"):
            r = run_child(name, a.out)
            if name not in res or r["seconds"] < res[name]["seconds"]:
                res[name] = r
    rows = res["pandas_openpyxl"]["rows"]
    base = res["noop"]["maxrss_mb"]
    print(
        f"data rows (non-blank rows of every sheet but 基本信息, counted on pandas' grids): {rows:,}; "
        f"rows read by gonghui (used range of the record sheets): {res['gonghui_serial']['rows']:,}; "
        f"records kept: {res['gonghui_serial']['records']:,}; findings: {res['gonghui_serial']['findings']:,}"
    )
    print()
    print(
        f"{'variant':<34}{'wall s':>8}{'rows/s':>10}{'CPU s':>8}"
        f"{'rows/CPU-s':>12}{'peak RSS MB':>13}{'  (workers)':>12}"
    )
    for name, label in (
        ("noop", "imports only (baseline)"),
        ("pandas_openpyxl", "(a) pandas.read_excel openpyxl"),
        ("gonghui_serial", "(b) load_ledgers serial"),
        ("gonghui_jobs2", "(b) load_ledgers jobs=2"),
    ):
        r = res[name]
        rps = rows / r["seconds"] if r["seconds"] else float("nan")
        cps = rows / r["cpu_seconds"] if r["seconds"] else float("nan")
        workers = f"{r['children_maxrss_mb']:>10.0f}" if name == "gonghui_jobs2" else ""
        print(
            f"{label:<34}{r['seconds']:>8.2f}{rps:>10,.0f}{r['cpu_seconds']:>8.2f}"
            f"{cps:>12,.0f}{r['maxrss_mb']:>13.0f}  {workers}"
        )
    a_s, a_c = res["pandas_openpyxl"]["seconds"], res["pandas_openpyxl"]["cpu_seconds"]
    for name in ("gonghui_serial", "gonghui_jobs2"):
        ratio = a_s / res[name]["seconds"]
        cratio = a_c / res[name]["cpu_seconds"]
        print(
            f"speed (b)/(a) {name:<16}: wall {ratio:5.2f}×, CPU {cratio:5.2f}×  "
            f"{'OK' if ratio >= 5 else 'below the 5× target'}"
        )
    try:
        print(
            f"load average during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
            "(wall times are noisy when it exceeds the CPU count)"
        )
    except OSError:
        pass
    print(f"(imports alone take {base:.0f} MB RSS)")
    if a.formats:
        bench_formats(files[: max(1, a.format_files)], a.out.parent / "formats", a.repeat)
    if a.profile:
        r = run_child("profile", a.out)
        print("\ncProfile of (b) serial:\n")
        print(r["profile"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
