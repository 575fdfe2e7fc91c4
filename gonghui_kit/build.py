"""``gonghui build``: a year's archive, incrementally and safely.

Steps (one function each, in order):

1. ``BuildConfig.resolve`` — command line + ``params/*.yaml`` (validated:
   unknown keys and wrong types are errors before anything runs);
2. ``prepare_bundle`` — load every year up to Y once, compute everything
   (where reports are forked from this process, in a forked child that
   then writes the year's files, while this process warms up for the
   reports: ``execute.start_beside``);
3. ``plan`` — which unit reports are stale: a unit is rebuilt only when the
   content hash of its input files, the params, the notebook or the toolkit
   version changed (or an output is missing); the comparison follows when
   any unit changed;
4. ``execute.run_jobs`` — unit notebooks via papermill (warm engine by
   default), HTML via nbconvert, each output atomic; in the same pool,
   ``write_year_files`` (``indicators.xlsx``, ``quality.html``: in the
   child that prepared the data, or as a pool task) and the comparison
   first (the longest), so no core idles;
5. the year index, ``manifest.json`` last, then the all-years index.

A failing unit keeps its executed notebook and a page with the error, is
listed as failed in the index, and the others finish (exit status 1).  A
sealed year (``gonghui seal``) is never rebuilt without ``--force``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import yaml

from gonghui_kit import __version__, resources
from gonghui_kit.archive import layout
from gonghui_kit.atomic import sha256_file
from gonghui_kit.errors import BuildError, ResourceError
from gonghui_kit.run.parameters import ParameterError, notebook_parameters, validate

__all__ = ["BuildConfig", "BuildResult", "BuildError", "build", "RUN_KEYS"]

# the keys a params/*.yaml run configuration may hold, and their types
RUN_KEYS: dict[str, type | tuple[type, ...]] = {
    "data": str,
    "out": str,
    "years": (list, int, str),
    "jobs": int,
    "engine": str,
    "registry": str,
    "standards": str,
    "units": list,
    "unit_report": dict,
    "compare_units": dict,
}


def _sha256_json(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class BuildConfig:
    year: int
    data: Path = Path("data")
    out: Path = Path("reports")
    jobs: int = 2
    engine: str = "warm"
    executor: str | None = None
    scheduler: str | None = None
    units: list[str] | None = None
    force: bool = False
    registry_file: Path | None = None
    standards_file: Path | None = None
    unit_report: dict[str, Any] = field(default_factory=dict)
    compare_units: dict[str, Any] = field(default_factory=dict)
    params_file: Path | None = None
    progress: bool = True

    @staticmethod
    def read_params(path: str | Path) -> dict[str, Any]:
        """Read and validate a run configuration (params/*.yaml)."""
        path = Path(path)
        if not path.exists():
            raise BuildError(f"找不到运行配置文件：{path}")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except yaml.YAMLError as e:
            raise BuildError(f"{path} 不是有效的 YAML：{e}") from e
        if not isinstance(raw, dict):
            raise BuildError(f"{path} 应为“键: 值”形式的配置")
        for k, v in raw.items():
            if k not in RUN_KEYS:
                raise BuildError(f"{path}：未知配置项 {k}（可用：{'、'.join(RUN_KEYS)}）")
            t = RUN_KEYS[k]
            if not isinstance(v, t) or isinstance(v, bool):
                raise BuildError(f"{path}：配置项 {k} 的类型不对（收到 {type(v).__name__}）")
        for key, nb in (("unit_report", "unit_report.ipynb"), ("compare_units", "compare_units.ipynb")):
            if key in raw:
                schema = notebook_parameters(resources.notebook_path(nb))
                reserved = {"unit", "year", "units", "data", "bundle"} & set(raw[key])
                if reserved:
                    raise BuildError(f"{path}：{key} 中不能设置 {'、'.join(sorted(reserved))}（由 gonghui build 传入）")
                try:
                    raw[key] = validate(raw[key], schema, where=f"{path} 的 {key}")
                except ParameterError as e:
                    raise BuildError(str(e)) from e
        return raw

    def params_digest(self) -> str:
        """What, besides a unit's own files, its report depends on."""
        parts: dict[str, Any] = {"unit_report": self.unit_report, "compare_units": self.compare_units, "engine": self.engine}
        for name, p in (("registry", self.registry_file), ("standards", self.standards_file)):
            parts[name] = sha256_file(p) if p and Path(p).exists() else None
        return _sha256_json(parts)


@dataclass
class UnitPlan:
    unit: str
    slug: str
    key: str
    rebuild: bool
    reason: str


@dataclass
class BuildResult:
    year: int
    out: Path
    built: list[str]
    skipped: list[str]
    failed: dict[str, str]
    seconds: float
    index: Path
    compare_built: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed


def _registry(cfg: BuildConfig):
    try:
        return resources.roster(cfg.registry_file, warn=False)[0]
    except ResourceError as e:
        raise BuildError(str(e)) from e


def _standards(cfg: BuildConfig):
    try:
        return resources.standards(cfg.standards_file, warn=False)[0]
    except ResourceError as e:
        raise BuildError(str(e)) from e


def plan(bundle, cfg: BuildConfig, previous: dict[str, Any], slugs: dict[str, str], units: list[str], nb_digest: str) -> list[UnitPlan]:
    """Decide which unit reports are stale (see module docstring)."""
    prev_units = previous.get("units", {}) if previous.get("toolkit_version") == __version__ else {}
    params = cfg.params_digest()
    out = []
    year_dir = layout.year_dir(cfg.out, cfg.year)
    for u in units:
        files = bundle.unit_files(u)
        inputs = sorted(files["sha256"].dropna().tolist())
        key = _sha256_json({"inputs": inputs, "params": params, "notebook": nb_digest, "version": __version__})
        slug = slugs[u]
        html_path = layout.at(cfg.out, layout.unit_page(cfg.year, slug))
        old = prev_units.get(u, {})
        if cfg.force:
            out.append(UnitPlan(u, slug, key, True, "强制重建"))
        elif not html_path.exists():
            out.append(UnitPlan(u, slug, key, True, "新报告"))
        elif old.get("key") != key:
            out.append(UnitPlan(u, slug, key, True, "数据或配置有变化"))
        elif old.get("status") != "ok":
            out.append(UnitPlan(u, slug, key, True, "上次生成失败"))
        else:
            out.append(UnitPlan(u, slug, key, False, "无变化"))
    return out


def input_fingerprint(cfg: BuildConfig, nb_digest: str) -> str:
    """One hash over everything a year's archive depends on: the content of
    every input file of every year up to Y, the params, the notebooks, the
    toolkit version and the units asked for.  Hashing files is cheap next to
    loading them, so a no-op rebuild stops here."""
    from gonghui_kit.analysis.bundle import year_folders
    from gonghui_kit.ingest.load import discover

    folders = year_folders(cfg.data, upto=cfg.year) or {cfg.year: Path(cfg.data)}
    files, _ = discover(list(folders.values()))
    entries = []
    for f in files:
        name = str(f.relative_to(cfg.data)) if f.is_relative_to(cfg.data) else str(f)
        try:
            st = os.lstat(f)
            # only regular files are read: opening a pipe blocks, a link to
            # /dev/zero never ends (the loader refuses both anyway)
            if stat.S_ISREG(st.st_mode):
                entries.append((name, sha256_file(f)))
            elif stat.S_ISLNK(st.st_mode):
                entries.append((name, "symlink:" + os.readlink(f)))
            else:
                entries.append((name, f"not_file:{stat.S_IFMT(st.st_mode)}"))
        except OSError:
            entries.append((name, "unreadable"))
    return _sha256_json({"files": sorted(entries), "params": cfg.params_digest(), "notebooks": nb_digest, "version": __version__, "units": sorted(cfg.units or [])})


def _unchanged(previous: dict[str, Any], fingerprint: str, year_dir: Path) -> bool:
    from gonghui_kit.archive import manifest

    if not previous or previous.get("fingerprint") != fingerprint:
        return False
    if any(u.get("status") != "ok" for u in previous.get("units", {}).values()):
        return False
    v = manifest.verify(year_dir)
    return not v["missing"] and not v["changed"]


def _clean_stale_parts(year_dir: Path) -> None:
    """Temporary files left by a build that was killed."""
    if year_dir.exists():
        for p in [*year_dir.rglob(".*.part"), *year_dir.rglob(".*.part.ipynb")]:
            try:
                p.unlink()
            except OSError:
                pass


# keys of the year's jobs that are not unit reports, and how they are named to people
COMPARE = "__compare__"
YEAR_FILES = "__year_files__"
JOB_LABELS = {COMPARE: "各单位对比", YEAR_FILES: "指标汇总表和数据质量页"}


def job_label(key: str) -> str:
    """What a job is called in progress lines and summaries."""
    return JOB_LABELS.get(key, key)


def write_year_files(bundle: str, year_dir: str) -> None:
    """A year's files that come from the bundle alone: ``indicators.xlsx``
    (every year up to this one) and ``quality.html``.  Run as a pool task
    by :func:`build`."""
    from gonghui_kit.analysis.bundle import load_bundle
    from gonghui_kit.archive.pages import write_quality_page
    from gonghui_kit.present.xlsx import write_indicators_xlsx

    b = load_bundle(bundle)
    root = Path(year_dir).parent
    write_indicators_xlsx(layout.at(root, layout.indicators_xlsx(b.year)), b.ind[b.ind["year"] <= b.year], year=b.year, registry=b.extra.get("registry"))
    write_quality_page(layout.at(root, layout.quality_page(b.year)), b)


def _selected_units(bundle, cfg: BuildConfig) -> list[str]:
    """The units to report on: all the year's units, or those asked for."""
    units = bundle.unit_names
    if cfg.units:
        unknown = [u for u in cfg.units if u not in units]
        if unknown:
            raise BuildError(f"{cfg.year} 年度的台账中没有这些单位：{'、'.join(unknown)}（可用：{'、'.join(units) or '无'}）")
        units = [u for u in units if u in cfg.units]
    if not units:
        raise BuildError(f"在 {cfg.data} 中没有找到 {cfg.year} 年度可用的台账（请先运行 gonghui check 查看原因）")
    return units


def _prepare(cfg: BuildConfig, path: Path, ready: Callable[[], Any] | None = None) -> None:
    """Load the ledgers, compute the year's bundle and save it to ``path``
    (nothing is saved for a run that cannot go on).  ``ready`` is called
    when the loader's processes are done."""
    from gonghui_kit.analysis.bundle import prepare_bundle, save_bundle

    bundle = prepare_bundle(cfg.data, cfg.year, registry=_registry(cfg), standards=_standards(cfg), jobs=cfg.jobs, on_loaded=ready)
    _selected_units(bundle, cfg)
    bundle.extra["archive_dir"] = str(path.parent.parent.resolve())  # pages link only to reports that exist
    save_bundle(bundle, path)


def build(cfg: BuildConfig, *, on_event: Callable[[str, Any], None] | None = None) -> BuildResult:
    """Build one year's archive (see module docstring)."""
    from gonghui_kit.analysis.bundle import load_bundle
    from gonghui_kit.archive import manifest
    from gonghui_kit.archive import pages
    from gonghui_kit.run.pm_engine import engine_name
    from gonghui_kit.run.execute import ReportJob, TaskJob, run_jobs, start_beside, warm_parent, warms_parent

    t0 = time.perf_counter()
    emit = on_event or (lambda kind, payload: None)
    year_dir = layout.year_dir(cfg.out, cfg.year)
    index_page = layout.at(cfg.out, layout.year_index(cfg.year))
    sealed = manifest.is_sealed(year_dir)
    if sealed and not cfg.force:
        raise BuildError(f"{cfg.year} 年度已封存（{layout.at(cfg.out, layout.seal_file(cfg.year))}），不会重建或覆盖；确需重建请加 --force")
    eng = engine_name(cfg.engine)
    _clean_stale_parts(year_dir)

    unit_nb = resources.notebook_path("unit_report.ipynb")
    cmp_nb = resources.notebook_path("compare_units.ipynb")
    nb_digest = _sha256_json([sha256_file(unit_nb), sha256_file(cmp_nb)])
    previous = manifest.read_manifest(year_dir)
    fingerprint = input_fingerprint(cfg, nb_digest)
    if not cfg.force and _unchanged(previous, fingerprint, year_dir):
        units = list(previous.get("units", {}))
        emit("stage", "输入、参数、笔记本和工具版本均无变化，无需重建")
        pages.write_root_index(cfg.out)
        return BuildResult(cfg.year, cfg.out, [], units, {}, time.perf_counter() - t0, index_page, False)

    emit("stage", "读取台账并计算指标")
    bundle_path = layout.at(cfg.out, layout.bundle_file(cfg.year))
    # the year's workbook and quality page need no notebook and no warm-up
    year_files = TaskJob(key=YEAR_FILES, func="gonghui_kit.build:write_year_files", kwargs={"bundle": str(bundle_path.resolve()), "year_dir": str(year_dir.resolve())}, title=JOB_LABELS[YEAR_FILES], warm=False)
    running = []
    if warms_parent(cfg.executor, cfg.scheduler):
        # The data is prepared in a forked child.  Once its loader pool is
        # done and it computes alone, this process warms up for the reports
        # on the other core; the child then writes the year's files while
        # this one plans and starts the reports (see execute.start_beside).
        _, started = start_beside(_prepare, warm_parent, then=year_files, cfg=cfg, path=bundle_path)
        running = [started] if started is not None else []
    else:
        _prepare(cfg, bundle_path)
    bundle = load_bundle(bundle_path)
    units = _selected_units(bundle, cfg)

    slugs = layout.unique_slugs(bundle.unit_names)
    plans = plan(bundle, cfg, previous, slugs, units, nb_digest)
    todo = [p for p in plans if p.rebuild]
    emit("plan", plans)

    data_abs = str(Path(cfg.data).resolve())
    jobs = [
        ReportJob(
            key=p.unit,
            notebook=str(unit_nb),
            parameters={**cfg.unit_report, "unit": p.unit, "year": cfg.year, "data": data_abs, "bundle": str(bundle_path.resolve())},
            out_ipynb=str(layout.at(cfg.out, layout.unit_notebook(cfg.year, p.slug))),
            out_html=str(layout.at(cfg.out, layout.unit_page(cfg.year, p.slug))),
            title=f"{p.unit} {cfg.year}年度工会工作报告",
            engine=eng,
            back=layout.link(layout.unit_page(cfg.year, p.slug), layout.year_index(cfg.year)),
        )
        for p in todo
    ]
    compare_needed = bool(todo) or not layout.at(cfg.out, layout.compare_page(cfg.year)).exists() or cfg.force
    if compare_needed:
        # the comparison is the longest job: first, so it overlaps the unit reports
        jobs.insert(
            0,
            ReportJob(
                key=COMPARE,
                notebook=str(cmp_nb),
                parameters={**cfg.compare_units, "year": cfg.year, "units": list(bundle.unit_names), "data": data_abs, "bundle": str(bundle_path.resolve())},
                out_ipynb=str(layout.at(cfg.out, layout.compare_notebook(cfg.year))),
                out_html=str(layout.at(cfg.out, layout.compare_page(cfg.year))),
                title=f"{cfg.year}年度各单位工会工作对比",
                engine=eng,
                back=layout.link(layout.compare_page(cfg.year), layout.year_index(cfg.year)),
            )
        )
    if not running:  # in the pool beside the comparison, not after the last report
        jobs.insert(1 if compare_needed else 0, year_files)
    emit("start", [s.job for s in running] + jobs)
    # the warm parent draws one unit's report once, unseen, so every child
    # starts with the caches a report fills (see report.rehearse)
    prewarm = TaskJob(key="__rehearsal__", func="gonghui_kit.present.report:rehearse", kwargs={"bundle": str(bundle_path.resolve()), "unit": todo[0].unit, "year": cfg.year}) if todo else None
    results = run_jobs(jobs, executor=cfg.executor, jobs_n=cfg.jobs, scheduler=cfg.scheduler, on_done=lambda r: emit("done", r), prewarm=prewarm, running=running)
    by_key = {r.key: r for r in results}

    failed = {k: r.error or "失败" for k, r in by_key.items() if not r.ok}
    if YEAR_FILES not in by_key:  # never run (e.g. a cluster lost the task)
        failed[YEAR_FILES] = "未运行"
    unit_status: dict[str, dict[str, Any]] = {}
    prev_units = previous.get("units", {})
    for p in plans:
        if p.rebuild:
            r = by_key.get(p.unit)
            unit_status[p.unit] = {"slug": p.slug, "key": p.key, "status": "ok" if r and r.ok else "failed", "error": None if r and r.ok else (r.error if r else "未运行"), "seconds": round(r.seconds, 2) if r else None}
        else:
            unit_status[p.unit] = {**prev_units.get(p.unit, {}), "slug": p.slug, "key": p.key}

    emit("stage", "写出年度目录页和清单")
    pages.write_year_index(index_page, bundle, unit_status, compare_ok=COMPARE not in failed)
    manifest.write_manifest(
        year_dir,
        year=cfg.year,
        inputs=bundle.files,
        params={"file": str(cfg.params_file) if cfg.params_file else None, "digest": cfg.params_digest(), "unit_report": cfg.unit_report, "compare_units": cfg.compare_units},
        notebooks={"unit_report.ipynb": sha256_file(unit_nb), "compare_units.ipynb": sha256_file(cmp_nb)},
        units=unit_status,
        engine=cfg.engine,
        fingerprint=fingerprint if not failed else None,
    )
    if sealed:  # rebuilt with --force: the year stays final, sealed on its new manifest
        manifest.reseal(year_dir)
    pages.write_root_index(cfg.out)
    built = [p.unit for p in todo if by_key.get(p.unit) and by_key[p.unit].ok]
    skipped = [p.unit for p in plans if not p.rebuild]
    unit_failed = {k: v for k, v in failed.items()}
    return BuildResult(cfg.year, cfg.out, built, skipped, unit_failed, time.perf_counter() - t0, index_page, compare_needed)
