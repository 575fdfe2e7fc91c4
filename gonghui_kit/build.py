"""``gonghui build``: a year's archive, incrementally and safely.

Steps (one function each, in order):

1. ``BuildConfig.resolve`` — command line + ``params/*.yaml`` (validated:
   unknown keys and wrong types are errors before anything runs);
2. ``prepare_bundle`` — load every year up to Y once, compute everything
   (where reports are forked from this process, in a forked child that
   then writes the year's files, while this process warms up for the
   reports: ``execute.start_beside``);
3. ``plan`` — which unit reports are stale: a unit is rebuilt exactly when
   what its page shows changed (its key: the hash of its slice of the year's
   data, with the peers' rows behind its ranks and medians, its links, the
   params, the notebook and the toolkit version —
   :mod:`gonghui_kit.archive.keys`), its last build failed, or its page or
   notebook is missing or differs from the manifest (never re-hashed into
   it); the comparison follows the whole year's data.  Outputs of units
   that are gone are removed; files the toolkit never wrote are named;
4. ``execute.run_jobs`` — unit notebooks via papermill (warm engine by
   default), HTML via nbconvert, each output atomic; in the same pool,
   ``write_year_files`` (``indicators.xlsx``, ``quality.html``: in the
   child that prepared the data, or as a pool task) and the comparison
   first (the longest), so no core idles;
5. the year index, ``manifest.json`` last, then the all-years index.

The fingerprint that lets a no-op rebuild stop before loading anything is
of the bytes the loader parsed (its hashes are checked against the files'
state taken before it read them: a ledger changed or gone meanwhile is read
again).  One build at a time writes a year (``archive.lock``).

A failing unit keeps its executed notebook and a page with the error, is
listed as failed in the index, and the others finish (exit status 1).  A
sealed year (``gonghui seal``) is never rebuilt without ``--force``.
"""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import yaml

from gonghui_kit import __version__, resources
from gonghui_kit.archive import layout
from gonghui_kit.archive.inputs import (
    drift,
    earlier_pages,
    fingerprint_of,
    input_fingerprint,
    input_state,
    shown_name,
    year_folders_of,
)
from gonghui_kit.archive.keys import digest
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
        """What, besides a unit's own files, its report depends on (the data
        folder too: every notebook's parameters name it)."""
        parts: dict[str, Any] = {
            "unit_report": self.unit_report,
            "compare_units": self.compare_units,
            "engine": self.engine,
            "data": str(Path(self.data).resolve()),
        }
        for name, p in (("registry", self.registry_file), ("standards", self.standards_file)):
            parts[name] = sha256_file(p) if p and Path(p).exists() else None
        return digest(parts)


@dataclass
class UnitPlan:
    unit: str
    slug: str
    key: str
    rebuild: bool
    reason: str
    status: str = "ok"  # when not rebuilt: ok (up to date) or stale (left as it was: not among --units)


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
    refused: dict[str, str] = field(default_factory=dict)  # ledger file → why it was left out
    stale: list[str] = field(default_factory=list)  # units not brought up to date (--units)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def exit_status(self) -> int:
        """0 all built from all ledgers; 1 some reports failed; 3 built, but ledgers were left out."""
        return 1 if self.failed else 3 if self.refused else 0


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


# --------------------------------------------------------------------------
# the plan


def plan(
    bundle,
    cfg: BuildConfig,
    previous: dict[str, Any],
    slugs: dict[str, str],
    keys: dict[str, str],
    now: dict[str, str],
    warn: Callable[[str], None] = lambda text: None,
) -> list[UnitPlan]:
    """Which unit reports are stale.  A unit is rebuilt when its key (what
    its page shows: :mod:`gonghui_kit.archive.keys`) changed, its last build
    failed, or its page or notebook is missing or not what the manifest
    recorded (``now``: the outputs' hashes; such a file is named by ``warn``).
    With ``--units`` the others are not rebuilt: those out of date are
    left as they are and marked stale."""
    prev_units = previous.get("units", {}) if previous.get("toolkit_version") == __version__ else {}
    recorded = previous.get("outputs", {})
    out = []
    for u in bundle.unit_names:
        slug, key = slugs[u], keys[u]
        names = [
            layout.in_year(cfg.year, layout.unit_page(cfg.year, slug)),
            layout.in_year(cfg.year, layout.unit_notebook(cfg.year, slug)),
        ]
        old = prev_units.get(u, {})
        selected = not cfg.units or u in cfg.units
        bad = [n for n in names if n in now and recorded.get(n) != now[n]]
        if cfg.force and selected:
            reason = "强制重建"
        elif names[0] not in now:
            reason = "新报告"
        elif old.get("key") != key:
            reason = "数据或配置有变化"
        elif old.get("status") != "ok":
            reason = "上次未生成成功"
        elif bad or names[1] not in now:
            reason = "输出文件与清单不符"
            if selected:
                for n in bad:
                    warn(f"{n} 与清单记录不符（被改动、损坏或上次生成被中断），重新生成")
        else:
            out.append(UnitPlan(u, slug, key, False, "无变化"))
            continue
        if selected:
            out.append(UnitPlan(u, slug, key, True, reason))
        else:
            out.append(UnitPlan(u, slug, key, False, reason, status="stale"))
    return out


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
    write_indicators_xlsx(
        layout.at(root, layout.indicators_xlsx(b.year)),
        b.ind[b.ind["year"] <= b.year],
        year=b.year,
        registry=b.extra.get("registry"),
        incomplete=getattr(b, "incomplete", {}),
    )
    write_quality_page(layout.at(root, layout.quality_page(b.year)), b)


def _selected_units(bundle, cfg: BuildConfig) -> list[str]:
    """The units to report on: all the year's units, or those asked for."""
    units = bundle.unit_names
    if cfg.units:
        unknown = [u for u in cfg.units if u not in units]
        if unknown:
            raise BuildError(
                f"{cfg.year} 年度的台账中没有这些单位：{'、'.join(unknown)}（可用：{'、'.join(units) or '无'}）"
            )
        units = [u for u in units if u in cfg.units]
    if not units:
        raise BuildError(f"在 {cfg.data} 中没有找到 {cfg.year} 年度可用的台账（请先运行 gonghui check 查看原因）")
    return units


class _Once:
    def __init__(self, fn: Callable[[], Any] | None):
        self.fn, self.done = fn, False

    def __call__(self) -> None:
        if not self.done and self.fn is not None:
            self.done = True
            self.fn()


READ_ATTEMPTS = 3


def _prepare(
    cfg: BuildConfig, path: Path, ready: Callable[[], Any] | None = None, expect: dict[str, str] | None = None
) -> None:
    """Load the ledgers, compute the year's bundle and save it to ``path``
    (nothing is saved for a run that cannot go on).  ``ready`` is called
    when the loader's processes are done.  The bundle records the inputs'
    state it was computed from (``extra['input_state']``): the hashes of
    the bytes the loader parsed; a ledger that changed or vanished since
    ``expect`` was taken is read again (the year re-planned), and a build
    whose ledgers keep changing stops."""
    from gonghui_kit.analysis.bundle import prepare_bundle, save_bundle

    once = _Once(ready)
    state = expect if expect is not None else input_state(cfg)
    changed: list[str] = []
    for _ in range(READ_ATTEMPTS):
        bundle = prepare_bundle(
            cfg.data, cfg.year, registry=_registry(cfg), standards=_standards(cfg), jobs=cfg.jobs, on_loaded=once
        )
        moved = drift(bundle.files, state)
        if not moved:
            break
        changed = changed or moved
        state = input_state(cfg)
    else:
        raise BuildError(
            f"台账在读取过程中一直在变化（{'、'.join(moved[:5])}{' 等' if len(moved) > 5 else ''}），"
            "请等文件保存完毕后重新生成；档案未改动"
        )
    _selected_units(bundle, cfg)
    bundle.extra["archive_dir"] = str(path.parent.parent.resolve())  # pages link only to reports that exist
    bundle.extra["input_state"] = state
    bundle.extra["changed_while_read"] = changed
    save_bundle(bundle, path)


def _left_out(bundle, cfg: BuildConfig) -> dict[str, str]:
    """The year's ledgers that were not counted (refused, or a duplicate) → why."""
    folder = year_folders_of(cfg).get(cfg.year, Path(cfg.data))
    f = bundle.files
    under = pd.Series([Path(p).is_relative_to(folder) for p in f["path"]], index=f.index, dtype=bool)
    f = f[(f["status"] != "ok") & under]
    why: dict[str, str] = {}
    fd = bundle.findings
    if not fd.empty:
        errs = fd[fd["severity"] == "error"]
        for file, msg in zip(errs["file"], errs["message"], strict=False):
            why.setdefault(str(file), str(msg))
    return {str(n): why.get(str(n), "未计入") for n in f["file"]}


# --------------------------------------------------------------------------
# the build


def _os_message(e: OSError) -> str:
    """One Chinese line for a failed read or write of the archive."""
    where = shown_name(str(e.filename)) if e.filename else "输出目录"
    if e.errno == errno.ENOSPC:
        return f"磁盘空间不足，写入 {where} 失败；请清理磁盘后重新生成（已写出的文件都是完整的，档案清单未更新）"
    if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"输出目录不可写：{where}（{e.strerror}）；请用 --out 指定一个可写的输出目录"
    return f"读写 {where} 失败：{e.strerror or type(e).__name__}"


def _refuse_sealed(cfg: BuildConfig, year_dir: Path) -> bool:
    from gonghui_kit.archive import manifest

    sealed = manifest.is_sealed(year_dir)
    if sealed and not cfg.force:
        problem = manifest.seal_problem(year_dir)
        note = "；注意：其封存标记 SEALED.json 缺失或被改动，请先运行 gonghui verify 核对" if problem else ""
        raise BuildError(
            f"{cfg.year} 年度已封存（{layout.at(cfg.out, layout.seal_file(cfg.year))}），"
            f"不会重建或覆盖；确需重建请加 --force{note}"
        )
    return sealed


def _write_root_index(out: Path, emit: Callable[[str, Any], None]) -> None:
    """The all-years index, under its own lock (waits for another build's write)."""
    from gonghui_kit.archive import pages
    from gonghui_kit.archive.lock import FolderLock, ReadOnly

    try:
        with FolderLock(layout.at(out, layout.ROOT_LOCK), what="档案首页", wait=60):
            pages.write_root_index(out)
    except ReadOnly:
        if not pages.root_index_current(out):
            emit("warn", f"档案首页 {layout.at(out, layout.ROOT_INDEX)} 未更新（目录只读）")


def _noop(
    cfg: BuildConfig, nb_digest: str, emit: Callable[[str, Any], None], t0: float, *, write: bool
) -> BuildResult | None:
    """The result of a build with nothing to do, or None when there is
    something: same inputs (by content), params, notebooks, toolkit and
    earlier years, every unit built, every output as the manifest says."""
    from gonghui_kit.archive import manifest, pages

    year_dir = layout.year_dir(cfg.out, cfg.year)
    previous = manifest.read_manifest(year_dir)
    units = previous.get("units", {})
    if (
        not previous.get("fingerprint")
        or previous.get("toolkit_version") != __version__
        or manifest.failed_units(previous)
    ):
        return None
    if cfg.units and any(u not in units for u in cfg.units):
        return None
    if previous["fingerprint"] != input_fingerprint(cfg, nb_digest):
        return None
    v = manifest.verify(year_dir)
    if v["missing"] or v["changed"]:
        return None
    warnings = [f"清单外的文件（不是本工具写的，未删除，不计入清单）：{f}" for f in v["extra"]]
    for w in warnings:
        emit("warn", w)
    emit("stage", "输入、参数、笔记本和工具版本均无变化，无需重建")
    if write:
        _write_root_index(cfg.out, emit)
    elif not pages.root_index_current(cfg.out):
        emit("warn", f"档案首页 {layout.at(cfg.out, layout.ROOT_INDEX)} 未更新（目录只读）")
    refused = dict(previous.get("refused") or {})
    if refused:
        emit("refused", refused)
    index = layout.at(cfg.out, layout.year_index(cfg.year))
    return BuildResult(
        cfg.year,
        cfg.out,
        [],
        list(units),
        {},
        time.perf_counter() - t0,
        index,
        False,
        refused=refused,
        warnings=warnings,
    )


def build(cfg: BuildConfig, *, on_event: Callable[[str, Any], None] | None = None) -> BuildResult:
    """Build one year's archive (see module docstring).  One build at a
    time writes a year (``reports/<Y>/.lock``: a second one stops with a
    message naming the first; a lock left by a killed build is taken over)."""
    from gonghui_kit.archive.lock import FolderLock, ReadOnly, owner_text

    t0 = time.perf_counter()
    emit = on_event or (lambda kind, payload: None)
    year_dir = layout.year_dir(cfg.out, cfg.year)
    _refuse_sealed(cfg, year_dir)
    nb_digest = digest([sha256_file(resources.notebook_path(n)) for n in ("unit_report.ipynb", "compare_units.ipynb")])
    lock = FolderLock(layout.at(cfg.out, layout.lock_file(cfg.year)), what=f" {cfg.year} 年度的报告")
    try:
        lock.acquire()
    except ReadOnly as e:  # nothing can be written: fine when there is nothing to write
        res = _noop(cfg, nb_digest, emit, t0, write=False) if not cfg.force else None
        if res is None:
            raise BuildError(f"{e}；{cfg.year} 年度需要重新生成，请用 --out 指定一个可写的输出目录") from None
        return res
    try:
        sealed = _refuse_sealed(cfg, year_dir)
        if lock.took_over:
            emit("warn", f"上次生成被中断（{owner_text(lock.took_over)}），已接管其留下的锁")
        res = None if cfg.force else _noop(cfg, nb_digest, emit, t0, write=True)
        return res or _build_locked(cfg, emit, t0, nb_digest, sealed)
    except OSError as e:
        raise BuildError(_os_message(e)) from e
    finally:
        lock.release()


def _build_locked(
    cfg: BuildConfig, emit: Callable[[str, Any], None], t0: float, nb_digest: str, sealed: bool
) -> BuildResult:
    from gonghui_kit.analysis.bundle import load_bundle
    from gonghui_kit.archive import manifest, pages
    from gonghui_kit.archive.keys import page_keys
    from gonghui_kit.run.execute import ReportJob, TaskJob, run_jobs, start_beside, warm_parent, warms_parent
    from gonghui_kit.run.pm_engine import engine_name

    year_dir = layout.year_dir(cfg.out, cfg.year)
    index_page = layout.at(cfg.out, layout.year_index(cfg.year))
    eng = engine_name(cfg.engine)
    _clean_stale_parts(year_dir)
    unit_nb = resources.notebook_path("unit_report.ipynb")
    cmp_nb = resources.notebook_path("compare_units.ipynb")
    previous = manifest.read_manifest(year_dir)
    earlier = earlier_pages(cfg)
    state = input_state(cfg)

    emit("stage", "读取台账并计算指标")
    bundle_path = layout.at(cfg.out, layout.bundle_file(cfg.year))
    # the year's workbook and quality page need no notebook and no warm-up
    year_files = TaskJob(
        key=YEAR_FILES,
        func="gonghui_kit.build:write_year_files",
        kwargs={"bundle": str(bundle_path.resolve()), "year_dir": str(year_dir.resolve())},
        title=JOB_LABELS[YEAR_FILES],
        warm=False,
    )
    running = []
    if warms_parent(cfg.executor, cfg.scheduler):
        # The data is prepared in a forked child.  Once its loader pool is
        # done and it computes alone, this process warms up for the reports
        # on the other core; the child then writes the year's files while
        # this one plans and starts the reports (see execute.start_beside).
        _, started = start_beside(_prepare, warm_parent, then=year_files, cfg=cfg, path=bundle_path, expect=state)
        running = [started] if started is not None else []
    else:
        _prepare(cfg, bundle_path, expect=state)
    bundle = load_bundle(bundle_path)
    _selected_units(bundle, cfg)
    state = bundle.extra.get("input_state", state)
    warnings: list[str] = []

    def warn(text: str) -> None:
        warnings.append(text)
        emit("warn", text)

    moved = bundle.extra.get("changed_while_read") or []
    if moved:
        warn(f"台账在生成过程中有变化（{'、'.join(moved[:5])}{' 等' if len(moved) > 5 else ''}），已按最新内容重新读取")
    refused = _left_out(bundle, cfg)
    if refused:
        emit("refused", refused)

    all_units = bundle.unit_names
    slugs, keys, ykey = page_keys(
        bundle, {"params": cfg.params_digest(), "notebooks": nb_digest, "version": __version__}
    )

    def names_of(u: str) -> list[str]:
        return [
            layout.in_year(cfg.year, layout.unit_page(cfg.year, slugs[u])),
            layout.in_year(cfg.year, layout.unit_notebook(cfg.year, slugs[u])),
        ]

    cmp_names = [
        layout.in_year(cfg.year, layout.compare_page(cfg.year)),
        layout.in_year(cfg.year, layout.compare_notebook(cfg.year)),
    ]
    year_names = [
        layout.in_year(cfg.year, p)
        for p in (layout.year_index(cfg.year), layout.quality_page(cfg.year), layout.indicators_xlsx(cfg.year))
    ]
    expected = year_names + cmp_names + [n for u in all_units for n in names_of(u)]
    now = manifest.output_hashes(year_dir, expected)
    plans = plan(bundle, cfg, previous, slugs, keys, now, warn)
    todo = [p for p in plans if p.rebuild]
    emit("plan", plans)

    recorded = previous.get("outputs", {})
    prev_cmp = previous.get("compare") or {}
    cmp_bad = [n for n in cmp_names if n in now and recorded.get(n) != now[n]]
    for n in cmp_bad:
        warn(f"{n} 与清单记录不符（被改动、损坏或上次生成被中断），重新生成")
    compare_needed = (
        cfg.force
        or prev_cmp.get("key") != ykey
        or prev_cmp.get("status") != "ok"
        or bool(cmp_bad)
        or any(n not in now for n in cmp_names)
    )

    data_abs = str(Path(cfg.data).resolve())
    jobs = [
        ReportJob(
            key=p.unit,
            notebook=str(unit_nb),
            parameters={
                **cfg.unit_report,
                "unit": p.unit,
                "year": cfg.year,
                "data": data_abs,
                "bundle": str(bundle_path.resolve()),
            },
            out_ipynb=str(layout.at(cfg.out, layout.unit_notebook(cfg.year, p.slug))),
            out_html=str(layout.at(cfg.out, layout.unit_page(cfg.year, p.slug))),
            title=f"{p.unit} {cfg.year}年度工会工作报告",
            engine=eng,
            back=layout.link(layout.unit_page(cfg.year, p.slug), layout.year_index(cfg.year)),
        )
        for p in todo
    ]
    if compare_needed:
        # the comparison is the longest job: first, so it overlaps the unit reports
        jobs.insert(
            0,
            ReportJob(
                key=COMPARE,
                notebook=str(cmp_nb),
                parameters={
                    **cfg.compare_units,
                    "year": cfg.year,
                    "units": list(all_units),
                    "data": data_abs,
                    "bundle": str(bundle_path.resolve()),
                },
                out_ipynb=str(layout.at(cfg.out, layout.compare_notebook(cfg.year))),
                out_html=str(layout.at(cfg.out, layout.compare_page(cfg.year))),
                title=f"{cfg.year}年度各单位工会工作对比",
                engine=eng,
                back=layout.link(layout.compare_page(cfg.year), layout.year_index(cfg.year)),
            ),
        )
    if not running:  # in the pool beside the comparison, not after the last report
        jobs.insert(1 if compare_needed else 0, year_files)
    emit("start", [s.job for s in running] + jobs)
    # the warm parent draws one unit's report once, unseen, so every child
    # starts with the caches a report fills (see report.rehearse)
    prewarm = (
        TaskJob(
            key="__rehearsal__",
            func="gonghui_kit.present.report:rehearse",
            kwargs={"bundle": str(bundle_path.resolve()), "unit": todo[0].unit, "year": cfg.year},
        )
        if todo
        else None
    )
    results = run_jobs(
        jobs,
        executor=cfg.executor,
        jobs_n=cfg.jobs,
        scheduler=cfg.scheduler,
        on_done=lambda r: emit("done", r),
        prewarm=prewarm,
        running=running,
    )
    by_key = {r.key: r for r in results}

    failed = {k: r.error or "失败" for k, r in by_key.items() if not r.ok}
    if YEAR_FILES not in by_key:  # never run (e.g. a cluster lost the task)
        failed[YEAR_FILES] = "未运行"
    unit_status: dict[str, dict[str, Any]] = {}
    prev_units = previous.get("units", {})
    for p in plans:
        if p.rebuild:
            r = by_key.get(p.unit)
            unit_status[p.unit] = {
                "slug": p.slug,
                "key": p.key,
                "status": "ok" if r and r.ok else "failed",
                "error": None if r and r.ok else (r.error if r else "未运行"),
                "seconds": round(r.seconds, 2) if r else None,
            }
        elif p.status == "stale":
            old = prev_units.get(p.unit, {})
            unit_status[p.unit] = {
                **old,
                "slug": p.slug,
                "key": old.get("key"),
                "status": "stale",
                "error": "数据已变化，本次未重新生成（只生成了指定单位）",
            }
        else:
            unit_status[p.unit] = {**prev_units.get(p.unit, {}), "slug": p.slug, "key": p.key}
    if compare_needed:
        compare = {"key": ykey, "status": "ok" if COMPARE not in failed else "failed"}
    else:
        compare = prev_cmp

    # what earlier builds wrote and no longer belongs (a removed unit's page and notebook) goes
    keep = set(expected)
    for name in sorted(set(recorded) - keep):
        try:
            (year_dir / name).unlink()
        except FileNotFoundError:
            pass
    for name in manifest.unlisted(year_dir, keep):
        warn(f"清单外的文件（不是本工具写的，未删除，不计入清单）：{name}")

    emit("stage", "写出年度目录页和清单")
    pages.write_year_index(index_page, bundle, unit_status, compare_ok=COMPARE not in failed)
    stale = [p.unit for p in plans if p.status == "stale"]
    complete = not failed and not stale
    manifest.write_manifest(
        year_dir,
        year=cfg.year,
        inputs=bundle.files,
        params={
            "file": str(cfg.params_file) if cfg.params_file else None,
            "digest": cfg.params_digest(),
            "unit_report": cfg.unit_report,
            "compare_units": cfg.compare_units,
        },
        notebooks={"unit_report.ipynb": sha256_file(unit_nb), "compare_units.ipynb": sha256_file(cmp_nb)},
        units=unit_status,
        engine=cfg.engine,
        fingerprint=fingerprint_of(cfg, state, nb_digest, earlier) if complete else None,
        outputs=expected,
        extra={"year_key": ykey, "compare": compare, "refused": refused},
    )
    if sealed:  # rebuilt with --force: the year stays final, sealed on its new manifest
        manifest.reseal(year_dir)
    _write_root_index(cfg.out, emit)
    built = [p.unit for p in todo if by_key.get(p.unit) and by_key[p.unit].ok]
    skipped = [p.unit for p in plans if not p.rebuild and p.status == "ok"]
    return BuildResult(
        cfg.year,
        cfg.out,
        built,
        skipped,
        dict(failed),
        time.perf_counter() - t0,
        index_page,
        compare_needed,
        refused=refused,
        stale=stale,
        warnings=warnings,
    )
