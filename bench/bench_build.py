"""Benchmark: report generation, in one run on the same data and notebook.

    python bench/bench_build.py                 # 50 units (about 12 minutes)
    python bench/bench_build.py --units 10      # quicker look
    python bench/bench_build.py --big 1000      # also: memory over 1,000 reports

Prints seconds per report for
  (a) the naive loop: `papermill` CLI then `jupyter nbconvert --to html` CLI per unit, one after another;
  (b) `gonghui build --engine papermill` (a Jupyter kernel per report);
  (c) `gonghui build` (warm engine: warm parent, a fresh forked child per report);
  (d) the floor: one warm process doing only the real work: read the ledgers and
      compute the indicators once, then per unit compute the views, draw the charts
      and render the HTML -- no notebook machinery;
with ratios to (a) and to (d) divided by the cores used, the peak memory per
worker, and a no-op rebuild.  All variants use the same precomputed year
bundle for their unit pages (the naive loop gets it as a notebook parameter).

(c) and (d) are measured ``--repeat`` times (default 3), alternately
(c d c d c d), each in a fresh interpreter: these machines' speed drifts by
10% and more over a minute, so one (c) and one (d) measured a minute apart
can be off by that much.  The seconds shown are the medians; the target
ratio is the median of the pairs' ratios (every pair is printed too).  Memory per worker comes from a separate (c) run before
them, and from the 1,000-unit run: measuring a child's private memory reads
/proc/self/smaps_rollup (GONGHUI_MEMORY_STATS=1, ~4 ms a report), which the
timed runs do not.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


def _bin(name: str) -> str:
    cand = Path(sys.executable).parent / name
    return str(cand) if cand.exists() else name


def naive(units, nb, bundle_path, data, out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for i, u in enumerate(units):
        ipynb = out / f"u{i}.ipynb"
        subprocess.run(
            [
                _bin("papermill"),
                str(nb),
                str(ipynb),
                "-p",
                "unit",
                u,
                "-p",
                "year",
                "2023",
                "-p",
                "data",
                str(data),
                "-p",
                "bundle",
                str(bundle_path),
                "--no-progress-bar",
                "-k",
                "python3",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(
            [_bin("jupyter"), "nbconvert", "--to", "html", "--no-input", str(ipynb)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return time.perf_counter() - t0


@contextlib.contextmanager
def _quiet_stderr():
    """Silence file descriptor 2 (the kernels' own log lines) for a while."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def run_build(data, out, engine, jobs, units=None):
    from gonghui_kit.build import BuildConfig, build
    from gonghui_kit.resources import params_path

    cfg = BuildConfig(
        year=2023,
        data=Path(data),
        out=Path(out),
        jobs=jobs,
        engine=engine,
        progress=False,
        registry_file=params_path("units.yaml"),
        standards_file=params_path("standards.yaml"),
    )
    rss = []  # per unit report, in completion order: (peak RSS, private MB at the end)
    beside = {}  # seconds of the jobs that are not unit reports (comparison, year files)

    def on_event(kind, p):
        if kind == "done" and p.key.startswith("__"):
            beside[p.key.strip("_")] = p.seconds
        elif kind == "done" and p.peak_rss_mb:
            rss.append((p.peak_rss_mb, p.private_mb))

    t0 = time.perf_counter()
    res = build(cfg, on_event=on_event)
    res.beside = beside
    return time.perf_counter() - t0, res, rss


def _memory_line(rss: list) -> str:
    peak = [r[0] for r in rss]
    private = [r[1] for r in rss if r[1] is not None]
    line = f"peak RSS median {statistics.median(peak):.0f} MB, max {max(peak):.0f} MB (pages shared with the warm parent included)"
    if private:
        line += f"; private memory per worker median {statistics.median(private):.0f} MB, max {max(private):.0f} MB"
    return line


def floor(data, units, out: Path) -> float:
    """The real work only, one warm process: read the ledgers and compute
    (once, as any build must), then per unit compute the views, draw the
    charts and render the page."""
    import jinja2
    import matplotlib
    from markupsafe import Markup

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gonghui_kit.present import report
    from gonghui_kit.present.charts import figure_to_png
    from gonghui_kit.run.nbhtml import report_css

    parts: list[str] = []

    def fake_html(s):
        parts.append(s)
        return s

    def fake_show(*figs):
        import base64

        for fig in figs:  # saved exactly as a report saves it
            parts.append(f'<img src="data:image/png;base64,{base64.b64encode(figure_to_png(fig)).decode()}">')

    report._display_html = fake_html
    report._show = fake_show
    page = jinja2.Template(
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{{ t }}</title><style>{{ css }}</style></head><body>{{ body }}</body></html>"
    )
    css = report_css()
    out.mkdir(parents=True, exist_ok=True)
    from gonghui_kit.analysis.bundle import prepare_bundle
    from gonghui_kit.analysis.standards import load_standards
    from gonghui_kit.analysis.units import UnitRegistry
    from gonghui_kit.resources import params_path

    # warm-up (imports, fonts, first figure) outside the timing, as a warm process would be
    fig, _ax = plt.subplots()
    fake_show(fig)
    t0 = time.perf_counter()
    b = prepare_bundle(
        data,
        2023,
        registry=UnitRegistry.from_yaml(params_path("units.yaml")),
        standards=load_standards(params_path("standards.yaml")),
    )
    for i, u in enumerate(units):
        parts.clear()
        r = report.UnitReport(b, u, 2023)
        for name in report.UNIT_SECTIONS:
            getattr(r, name)()
        html = page.render(t=u, css=css, body=Markup("".join(parts)))
        (out / f"u{i}.html").write_text(html, encoding="utf-8")
    return time.perf_counter() - t0


def _child_main(a) -> None:
    """One variant in this fresh process; prints one JSON line."""
    work, data = Path(a.work), Path(a.work) / "data"
    if a.child in ("c", "b", "noop"):
        engine = "papermill" if a.child == "b" else "warm"
        out = work / ("b" if a.child == "b" else "c")
        with _quiet_stderr() if a.child == "b" else contextlib.nullcontext():  # each kernel logs a TCP warning
            t, res, rss = run_build(data, out, engine, a.jobs)
        print(json.dumps({"seconds": t, "rss": rss, "built": res.built, "skipped": res.skipped, "failed": res.failed}))
    elif a.child == "d":
        units = json.loads(Path(a.units_file).read_text(encoding="utf-8"))
        print(json.dumps({"seconds": floor(data, units, work / "d")}))
    elif a.child == "big":
        t, res, rss = run_build(work / "big" / "data", work / "big" / "reports", "warm", a.jobs)
        page = work / "big" / "reports" / "2023" / "compare.html"
        print(
            json.dumps(
                {
                    "seconds": t,
                    "rss": rss,
                    "built": res.built,
                    "failed": res.failed,
                    "beside": res.beside,
                    "compare_mb": page.stat().st_size / 2**20 if page.exists() else None,
                }
            )
        )


def fresh(kind: str, a, memory: bool = False, **extra) -> tuple[float, dict]:
    """Run a variant in a fresh interpreter, as a user's `gonghui build` runs:
    (wall seconds of the whole process, including start-up and imports; its
    JSON result).  ``memory``: each report also measures its private memory
    (GONGHUI_MEMORY_STATS=1, ~4 ms a report: kept out of the timed runs)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--work", a.work, "--jobs", str(a.jobs)]
    for k, v in extra.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    env = {k: v for k, v in os.environ.items() if k != "GONGHUI_MEMORY_STATS"}
    if memory:
        env["GONGHUI_MEMORY_STATS"] = "1"
    t0 = time.perf_counter()
    p = subprocess.run(cmd, check=True, capture_output=True, text=True, encoding="utf-8", env=env)
    wall = time.perf_counter() - t0
    return wall, json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--skip-naive", action="store_true", help="same as --only bcd")
    ap.add_argument(
        "--only", default="abcd", help="variants to run, e.g. cd for a quick look at the warm engine against the floor"
    )
    ap.add_argument("--big", type=int, default=0, help="also build this many units to check memory stays flat")
    ap.add_argument(
        "--repeat", type=int, default=3, help="measure (c) and (d) this many times, alternately; medians are reported"
    )
    ap.add_argument("--work", default=str(HERE / "out" / "build"))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--units-file", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return _child_main(a)
    if a.skip_naive:
        a.only = a.only.replace("a", "")

    import compileall

    import gonghui_kit
    from gonghui_kit.ledgers.sample import generate_sample
    from gonghui_kit.resources import notebook_path

    # bytecode as an installation has it (pip compiles on install; a source
    # tree under PYTHONDONTWRITEBYTECODE would recompile in every process)
    compileall.compile_dir(Path(gonghui_kit.__file__).parent, quiet=1)

    work = Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    data = work / "data"
    t = time.perf_counter()
    generate_sample(data, units=a.units, years=(2022, 2023), seed=0)
    print(f"sample data: {a.units} units x 2 years in {time.perf_counter() - t:.1f} s")

    n = a.units
    results = {}
    # every variant in a fresh process.  (c) first, measuring memory per
    # worker (untimed); it also leaves the bundle the naive loop reuses
    _, res_c = fresh("c", a, memory=True)
    assert not res_c["failed"], res_c["failed"]
    units, rss_c = res_c["built"], res_c["rss"]
    bundle_path = work / "c" / "2023" / ".work" / "bundle.pkl"
    t_noop, res_noop = fresh("noop", a)
    rss_b = []
    if "b" in a.only:
        results["b"], res_b = fresh("b", a, memory=True)
        rss_b = res_b["rss"]
    units_file = work / "units.json"
    units_file.write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    # (c) and (d) alternately: a pair is measured close together in time
    runs_c, calls_c, runs_d = [], [], []
    for i in range(max(1, a.repeat)):
        shutil.rmtree(work / "c", ignore_errors=True)
        w, r = fresh("c", a)
        assert not r["failed"], r["failed"]
        runs_c.append(w)
        calls_c.append(r["seconds"])
        runs_d.append(fresh("d", a, units_file=units_file)[1]["seconds"])
    results["c"], results["d"] = statistics.median(runs_c), statistics.median(runs_d)
    if "a" in a.only:
        results["a"] = naive(units, notebook_path("unit_report.ipynb"), bundle_path, data, work / "a")

    per = {k: v / n for k, v in results.items()}
    print()
    print(f"{n} unit reports, 2-year history, jobs={a.jobs} (machine: {os.cpu_count()} cores)")
    print(
        "(a), (b), (c): wall time of the whole process, start-up and imports included; (d): after its imports and a first chart"
    )
    if len(runs_c) > 1:
        print(
            f"(c) and (d) measured {len(runs_c)} times, alternately; medians below.  Each pair, (c) s/report / ((d) s/report / {a.jobs} cores): "
            + ", ".join(f"{c / n:.3f}/({d / n:.3f}/{a.jobs}) = {c / (d / a.jobs):.2f}x" for c, d in zip(runs_c, runs_d, strict=False))
        )
    labels = {
        "a": "(a) naive papermill + nbconvert CLI loop",
        "b": "(b) gonghui build --engine papermill",
        "c": "(c) gonghui build (warm engine)",
        "d": "(d) floor: one warm process, real work only",
    }
    floor_per_core = per["d"] / a.jobs
    for k in "abcd":
        if k not in per:
            continue
        line = f"{labels[k]:<46} {per[k]:6.2f} s/report"
        if "a" in per:
            line += f"   {per['a'] / per[k]:5.1f}x faster than (a)"
        line += f"   {per[k] / floor_per_core:5.2f}x (d)/{a.jobs} cores"
        print(line)
    c_call = statistics.median(calls_c) / n
    print(
        f"    of which the build() call (after interpreter start-up and `import gonghui_kit.build`): {c_call:.2f} s/report, "
        f"{c_call / floor_per_core:.2f}x (d)/{a.jobs} cores"
    )
    # The target ratio: the median of the pairs' ratios.  A pair is measured
    # within a minute, so a drift of the machine's speed between pairs (10%
    # and more here) cancels out; the medians of (c) and of (d) taken apart
    # can come from different moments.
    pair = statistics.median(c / (d / a.jobs) for c, d in zip(runs_c, runs_d, strict=False))
    pair_call = statistics.median(c / (d / a.jobs) for c, d in zip(calls_c, runs_d, strict=False))
    print(
        f"(c) / ((d)/{a.jobs} cores), median of the {len(runs_c)} pairs' ratios: {pair:.2f}x (build() call alone: {pair_call:.2f}x); "
        f"ratio of the medians above: {per['c'] / floor_per_core:.2f}x"
    )
    print(f"(b)/(c) include loading 2 years of ledgers and computing indicators once ({n} units).")
    if rss_c:
        print(f"memory per worker (c), from its untimed memory run: {_memory_line(rss_c)}")
    if rss_b:
        print(f"memory per worker (b): {_memory_line(rss_b)}")
    print(
        f"no-op rebuild of {n} units: {t_noop:.2f} s for the whole process (built {len(res_noop['built'])}, skipped {len(res_noop['skipped'])})"
    )
    line = f"targets: (c) within 1.3x of (d)/cores (median of the pairs): {'yes' if pair <= 1.3 else 'NO'} (build() call alone: {'yes' if pair_call <= 1.3 else 'NO'})"
    if "a" in per:
        line = f"targets: (c) >= 8x (a): {'yes' if per['a'] / per['c'] >= 8 else 'NO'};  " + line[len("targets: ") :]
    print(line)

    if a.big:
        big = work / "big"
        generate_sample(big / "data", units=a.big, years=(2022, 2023), seed=1)
        tbig, res_big = fresh("big", a, memory=True)
        rss_big = res_big["rss"]
        k = max(1, len(rss_big) // 20)
        print(f"{a.big} reports: {tbig / a.big:.2f} s/report (whole process), failed {len(res_big['failed'])}")
        b = res_big.get("beside", {})
        print(
            f"  beside the reports: comparison page {b.get('compare', float('nan')):.1f} s ({res_big.get('compare_mb') or 0:.1f} MB), "
            f"indicators.xlsx + quality.html {b.get('year_files', float('nan')):.1f} s"
        )
        for i, what in ((0, "peak RSS"), (1, "private memory")):
            vals = [r[i] for r in rss_big if r[i] is not None]
            if vals:
                first, last = statistics.mean(vals[:k]), statistics.mean(vals[-k:])
                print(
                    f"  worker {what}: first {k} reports {first:.0f} MB, last {k} {last:.0f} MB (growth {100 * (last - first) / first:+.1f}%), max {max(vals):.0f} MB"
                )


if __name__ == "__main__":
    main()
