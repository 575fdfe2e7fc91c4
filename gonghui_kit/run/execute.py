"""Running report jobs: one notebook → executed notebook + HTML, isolated.

A ``ReportJob`` says which notebook to run with which parameters and where
its outputs go.  ``run_job`` does it in the current process (papermill with
the chosen engine, then nbconvert with the lean template); both outputs are
written atomically, and a failing notebook still yields its partial
executed notebook and an HTML page showing the error.

Executors decide *where* jobs run, registered by name:

- ``fork`` (default on Linux/macOS): the parent warms up once
  (``engines.warm_up``), then forks one fresh child per report, at most
  ``jobs`` alive at a time.  Children exit after one report, so memory stays
  flat over thousands of reports and nothing leaks between units.  An
  optional ``prewarm`` task (a build rehearses one unit report, see
  ``report.rehearse``) runs in the parent while the first children work, so
  later children inherit the caches a report fills.
- ``spawn`` (the fallback where fork does not exist, i.e. Windows): the same
  loop with freshly started interpreters — isolated, but each pays the
  imports.
- ``dask``: jobs go to an existing Dask cluster (``--scheduler ADDRESS``);
  each worker warms up once and forks a child per report where it can.

``start_beside`` runs a function in a forked child while this process does
something else (a build prepares the year's data there while the parent
warms up); the child may go on with a task that the fork executor then
counts among its live children (``run_jobs(..., running=...)``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

__all__ = [
    "ReportJob",
    "TaskJob",
    "JobResult",
    "run_job",
    "EXECUTORS",
    "register_executor",
    "run_jobs",
    "default_executor",
    "warms_parent",
    "warm_parent",
    "start_beside",
    "Started",
]


@dataclass
class ReportJob:
    key: str
    notebook: str
    parameters: dict[str, Any]
    out_ipynb: str
    out_html: str
    title: str = ""
    engine: str = "gonghui_warm"
    cwd: str | None = None
    timeout: int | None = 600
    back: str = ""  # relative link to the page listing this report (shown when it fails)


@dataclass
class TaskJob:
    """A Python function run like a report: in the same pool, isolated in its
    own child, its failure recorded instead of stopping the build.  A build
    uses it for the year's files that do not come from a notebook
    (``indicators.xlsx``, ``quality.html``), so they are written while the
    unit reports run instead of after them (or, where reports are forked,
    by the child that prepared the data: :func:`start_beside`).

    ``func`` is ``"module:function"`` (importable by name, so the job also
    travels to spawned processes and Dask workers); ``kwargs`` must be
    picklable.
    """

    key: str
    func: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    warm: bool = True  # False: needs none of engines.warm_up (no charts, no notebook): a spawned child skips it


@dataclass
class JobResult:
    key: str
    ok: bool
    seconds: float
    error: str | None = None
    peak_rss_mb: float | None = None  # includes pages still shared with a warm parent
    pid: int | None = None
    private_mb: float | None = None  # what this process added: its own pages at the end (Linux)


#: Measure each job's private memory (``JobResult.private_mb``)?  Reading
#: /proc/self/smaps_rollup walks the process's page tables (~4 ms a report,
#: ~1% of it), so only when asked: ``GONGHUI_MEMORY_STATS=1`` in the
#: environment (``bench/bench_build.py`` sets it for its memory runs).
MEMORY_STATS = os.environ.get("GONGHUI_MEMORY_STATS") == "1"


def _private_mb() -> float | None:
    """This process's private memory (pages not shared with its parent),
    from /proc/self/smaps_rollup; None where that does not exist or when
    :data:`MEMORY_STATS` is off."""
    if not MEMORY_STATS:
        return None
    try:
        kb = 0
        with open("/proc/self/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    kb += int(line.split()[1])
        return kb / 1024
    except (OSError, ValueError, IndexError):
        return None


def _peak_rss_mb() -> float | None:
    try:
        import resource

        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r / 1024 if sys.platform != "darwin" else r / 2**20
    except Exception:  # Windows
        return None


def run_task(job: TaskJob) -> JobResult:
    """Call a :class:`TaskJob`'s function; never raises."""
    import importlib

    t0 = time.perf_counter()
    error = None
    try:
        module, _, name = job.func.partition(":")
        getattr(importlib.import_module(module), name)(**job.kwargs)
    except Exception as e:  # noqa: BLE001 - recorded, the build goes on
        error = f"{job.title or job.key}：{type(e).__name__}: {e}"[:300]
    return JobResult(
        job.key, error is None, time.perf_counter() - t0, error, _peak_rss_mb(), os.getpid(), _private_mb()
    )


def run_job(job: ReportJob | TaskJob) -> JobResult:
    """Execute one notebook and convert it (or call a task's function);
    never raises for a notebook error."""
    if isinstance(job, TaskJob):
        return run_task(job)
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from gonghui_kit.run.pm_engine import ensure_registered

    ensure_registered()
    from gonghui_kit.atomic import commit, write_text
    from gonghui_kit.run.nbhtml import notebook_to_html

    t0 = time.perf_counter()
    out_ipynb = Path(job.out_ipynb)
    out_ipynb.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_ipynb.with_name(f".{out_ipynb.stem}.{os.getpid()}.part.ipynb")
    error = None
    nb = None
    # the warm engine puts the title in before papermill saves the notebook:
    # papermill's file is then the output as it stands (no second save)
    title_kw = {"gonghui_metadata": {"gonghui": {"title": job.title}}} if job.engine == "gonghui_warm" else {}
    try:
        nb = pm.execute_notebook(
            job.notebook,
            str(tmp),
            parameters=job.parameters,
            engine_name=job.engine,
            progress_bar=False,
            request_save_on_cell_execute=False,
            kernel_name="python3",
            cwd=job.cwd,
            execution_timeout=job.timeout,
            **title_kw,
        )
    except PapermillExecutionError as e:
        error = f"{e.ename}: {e.evalue}"[:300]
    except Exception as e:  # kernel died, timeout, bad notebook
        error = f"{type(e).__name__}: {e}"[:300]
    try:
        if nb is None and tmp.exists():
            nb = nbformat.read(str(tmp), as_version=4)
        if nb is None:
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# 报告生成失败\n\n{error}")])
        if title_kw and error is None and tmp.exists():
            commit(tmp, out_ipynb)
        else:
            nb.metadata.setdefault("gonghui", {})["title"] = job.title
            if error:
                nb.metadata["gonghui"]["failed"] = error
                nb.cells.insert(0, _failure_cell(job, error))
            write_text(out_ipynb, nbformat.writes(nb))
        write_text(job.out_html, notebook_to_html(nb))
    except Exception as e:  # conversion must not kill the batch either
        error = error or f"{type(e).__name__}: {e}"[:300]
    finally:
        if tmp.exists():
            tmp.unlink()
    return JobResult(
        job.key, error is None, time.perf_counter() - t0, error, _peak_rss_mb(), os.getpid(), _private_mb()
    )


# --------------------------------------------------------------------------
# executors

EXECUTORS: dict[str, Callable[..., list[JobResult]]] = {}
#: executors whose children are forked from this process after ``warm_up``:
#: work done here before the pool (the warm-up) is inherited by every report
WARM_PARENT: set[str] = set()


def register_executor(name: str, *, warms_parent: bool = False):
    def deco(fn):
        EXECUTORS[name] = fn
        if warms_parent:
            WARM_PARENT.add(name)
        return fn

    return deco


def warms_parent(executor: str | None = None, scheduler: str | None = None) -> bool:
    """Whether the executor :func:`run_jobs` would pick forks its children
    from this process after warming it up (the default on Linux/macOS)."""
    return scheduler is None and (executor or default_executor()) in WARM_PARENT


@dataclass
class Started:
    """A task already running in a child of this process (see
    :func:`start_beside`); ``run_jobs(..., running=[...])`` counts it among
    its live children and collects its result."""

    job: TaskJob
    process: Any
    conn: Any
    t0: float


def _beside_child(conn, func: Callable[..., Any], kwargs: dict[str, Any], then: TaskJob | None) -> None:
    sent_ready = []

    def ready() -> None:
        if not sent_ready:
            sent_ready.append(True)
            conn.send(("ready", None))

    try:
        out: tuple[str, Any] = ("ok", func(ready=ready, **kwargs))
    except BaseException as e:  # noqa: BLE001 - travels to the parent
        out = ("error", e)
    try:
        conn.send(out)
    except Exception as e:  # an unpicklable result or exception
        conn.send(("error", RuntimeError(f"{type(out[1]).__name__}: {out[1]}; {e}")))
        out = ("error", None)
    if then is not None and out[0] == "ok":
        conn.send(asdict(run_task(then)))
    conn.close()


def start_beside(
    func: Callable[..., Any], beside: Callable[[], Any], *, then: TaskJob | None = None, **kwargs: Any
) -> tuple[Any, Started | None]:
    """Run ``func(ready=..., **kwargs)`` in a forked child while this process
    runs ``beside()``, started when the child calls ``ready()``; return
    ``func``'s result and, with ``then``, the child going on with that task.

    A build prepares the year's data this way: the child calls ``ready()``
    when its loader pool is done and it computes alone, so the parent warms
    up on the core that would idle; then, while the parent plans and starts
    the reports, the child writes the year's files (``then``) -- a live job
    of the pool from then on (pass the :class:`Started` to ``run_jobs``).

    The child's exception is raised here, with its type; a child that dies
    without a word (out of memory) raises ``RuntimeError``.  Where fork does
    not exist, everything runs here, one after the other, and the task is
    left to the caller (``None`` is returned for it).
    """
    if not hasattr(os, "fork"):
        result = func(ready=lambda: None, **kwargs)
        beside()
        return result, None
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    sys.stdout.flush()
    sys.stderr.flush()
    t0 = time.perf_counter()
    # not a daemon: its loader starts processes of its own
    p = ctx.Process(target=_beside_child, args=(child_conn, func, kwargs, then), daemon=False)
    p.start()
    child_conn.close()
    ran_beside = False
    try:
        kind, value = parent_conn.recv()
        if kind == "ready":
            ran_beside = True
            beside()
            kind, value = parent_conn.recv()
    except EOFError:
        kind, value = "died", None
    if kind != "ok" or then is None:  # the child is done: collect it
        p.join()
        parent_conn.close()
    if kind == "died":
        raise RuntimeError(f"准备数据的子进程异常退出（退出码 {p.exitcode}），可能是内存不足")
    if kind == "error":
        raise value
    if not ran_beside:
        beside()
    return value, (Started(then, p, parent_conn, t0) if then is not None else None)


def default_executor() -> str:
    import multiprocessing as mp

    return "fork" if "fork" in mp.get_all_start_methods() else "spawn"


def _one_report_gc() -> None:
    """A child makes one report and exits: collect cycles rarely.  Its
    report allocates fewer container objects than this threshold, so the
    collector's passes (~10-15 ms a report) are skipped; whatever a report
    leaves in cycles goes when the child exits, and a report that
    allocates far more is still collected."""
    import gc

    gc.set_threshold(100_000, 50, 1000)


def _child(conn, job: ReportJob | TaskJob, warm: bool) -> None:
    _one_report_gc()
    try:
        if warm and getattr(job, "warm", True):
            from gonghui_kit.run.warm import warm_up

            warm_up()
        res = run_job(job)
    except BaseException as e:
        res = JobResult(job.key, False, 0.0, f"{type(e).__name__}: {e}", _peak_rss_mb(), os.getpid(), _private_mb())
    try:
        conn.send(asdict(res))
    finally:
        conn.close()


def _freeze() -> None:
    """Children share the parent's memory copy-on-write; a garbage
    collection in a child would touch (and so copy) every object.  Move
    everything alive now out of the collector's sight."""
    import gc

    gc.collect()
    _release_free_heap()
    gc.freeze()


def warm_parent() -> None:
    """Warm this process up for the reports it will fork
    (``engines.warm_up``) and freeze what it holds, so that the collection
    before the first child is short.  A build runs it while its data is
    prepared in a child (:func:`start_beside`)."""
    from gonghui_kit.run.warm import warm_up

    warm_up()
    _freeze()


def _release_free_heap() -> None:
    """Give the memory this process freed back to the system (glibc keeps
    it otherwise), so children do not start with it resident.  It mattered
    most while the parent read the ledgers itself (1,000 units: ~920 MB
    down to ~640 MB); now that a child prepares the data it saves little,
    at the cost of a few milliseconds.  A no-op where the C library has no
    ``malloc_trim`` (macOS, musl, Windows)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _process_loop(
    jobs: list[ReportJob | TaskJob],
    n: int,
    method: str,
    on_done: Callable[[JobResult], None] | None,
    prewarm: TaskJob | None = None,
    running: Iterable[Started] = (),
) -> list[JobResult]:
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context(method)
    pending = list(jobs)
    live: dict[int, tuple[Any, Any, ReportJob | TaskJob, float]] = {
        s.process.sentinel: (s.process, s.conn, s.job, s.t0) for s in running
    }
    results: list[JobResult] = []
    n = max(1, n)

    def start(job: ReportJob | TaskJob) -> None:
        parent_conn, child_conn = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_child, args=(child_conn, job, method != "fork"), daemon=True)
        p.start()
        child_conn.close()
        live[p.sentinel] = (p, parent_conn, job, time.perf_counter())

    if method == "fork":
        warm_parent()  # once (a build has done it already); every child starts from this state
    else:
        prewarm = None  # spawned children start cold whatever the parent did
    while pending or live:
        while pending and len(live) < n:
            start(pending.pop(0))
        if prewarm is not None and live:
            # The prewarm task (a build rehearses one unit report) runs while
            # the first children -- the longest jobs -- are busy, so no core
            # idles; every child forked after it inherits the filled caches.
            # Its failure only costs speed.
            run_task(prewarm)
            prewarm = None
            _freeze()
        ready = wait(list(live), timeout=None)
        for s in ready:
            p, conn, job, t0 = live.pop(s)
            res = None
            try:
                if conn.poll():
                    res = JobResult(**conn.recv())
            except (EOFError, OSError):
                res = None
            p.join()
            conn.close()
            if res is None:
                res = JobResult(
                    job.key,
                    False,
                    time.perf_counter() - t0,
                    f"生成进程异常退出（退出码 {p.exitcode}），可能是内存不足",
                    None,
                    p.pid,
                )
                _write_failure(job, res.error)
            results.append(res)
            if on_done:
                on_done(res)
    return results


def _failure_cell(job: ReportJob, reason: str):
    """The note on top of a failed report: what failed and the way back."""
    import html

    import nbformat

    back = f' <a href="{html.escape(job.back, quote=True)}">返回列表</a>' if job.back else ""
    cell = nbformat.v4.new_markdown_cell(
        f'<div class="gh-error" role="alert"><p class="gh-error-title">本报告未能完整生成：{html.escape(reason)}</p>'
        f"<p>下面是已生成的部分；失败原因见红框。{back}</p></div>"
    )
    cell.metadata["tags"] = ["gonghui-failure"]
    return cell


def _write_failure(job: ReportJob | TaskJob, reason: str) -> None:
    """A child that died without writing anything still leaves a page."""
    if not isinstance(job, ReportJob):
        return
    import nbformat

    from gonghui_kit.atomic import write_text
    from gonghui_kit.run.nbhtml import notebook_to_html

    nb = nbformat.v4.new_notebook(cells=[_failure_cell(job, reason)])
    nb.metadata["gonghui"] = {"title": job.title, "failed": reason}
    try:
        if not Path(job.out_ipynb).exists():
            write_text(job.out_ipynb, nbformat.writes(nb))
        write_text(job.out_html, notebook_to_html(nb))
    except Exception:
        pass


@register_executor("fork", warms_parent=True)
def _run_fork(
    jobs: list[ReportJob], *, jobs_n: int = 2, on_done=None, prewarm=None, running=(), **_
) -> list[JobResult]:
    return _process_loop(jobs, jobs_n, "fork", on_done, prewarm, running)


@register_executor("spawn")
def _run_spawn(jobs: list[ReportJob], *, jobs_n: int = 2, on_done=None, **_) -> list[JobResult]:
    return _process_loop(jobs, jobs_n, "spawn", on_done)


@register_executor("inline")
def _run_inline(jobs: list[ReportJob], *, on_done=None, **_) -> list[JobResult]:
    """In this process, one after another (no isolation; for debugging)."""
    out = []
    for j in jobs:
        r = run_job(j)
        out.append(r)
        if on_done:
            on_done(r)
    return out


def fork_one(job: ReportJob) -> JobResult:
    """Run one job in a fresh child forked from this process (raw ``os.fork``:
    works inside daemonic processes such as Dask workers, where
    multiprocessing refuses to start children)."""
    r, w = os.pipe()
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(r)
            _one_report_gc()
            payload = json.dumps(asdict(run_job(job))).encode()
        except BaseException as e:
            payload = json.dumps(
                asdict(
                    JobResult(
                        job.key,
                        False,
                        0.0,
                        f"{type(e).__name__}: {e}"[:300],
                        _peak_rss_mb(),
                        os.getpid(),
                        _private_mb(),
                    )
                )
            ).encode()
            code = 1
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(w, view) :]
        finally:
            os._exit(code)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 1 << 16)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    try:
        return JobResult(**json.loads(b"".join(chunks)))
    except ValueError:
        reason = f"生成进程异常退出（状态 {status}），可能是内存不足"
        _write_failure(job, reason)
        return JobResult(job.key, False, time.perf_counter() - t0, reason, None, pid)


def run_isolated(job: ReportJob | TaskJob, prewarm: TaskJob | None = None) -> dict[str, Any]:
    """Run one job isolated, from a warm process: a forked child where fork
    exists (Dask workers on Linux), else in this process."""
    if not hasattr(os, "fork"):
        return asdict(run_job(job))
    _warm_worker(prewarm)
    _freeze()
    return asdict(fork_one(job))


_WARMED: set[str] = set()  # per process: which prewarm tasks ran already


def _warm_worker(prewarm: TaskJob | None = None) -> bool:
    if hasattr(os, "fork"):
        from gonghui_kit.run.warm import warm_up

        warm_up()
        tag = json.dumps(asdict(prewarm), sort_keys=True, default=str) if prewarm else ""
        if prewarm is not None and tag not in _WARMED:
            _WARMED.add(tag)
            run_task(prewarm)
    return True


@register_executor("dask")
def _run_dask(jobs: list[ReportJob], *, scheduler: str, on_done=None, prewarm=None, **_) -> list[JobResult]:
    try:
        from distributed import Client, as_completed
    except ImportError as e:  # pragma: no cover - optional dependency
        raise RuntimeError("使用 --scheduler 需要安装 dask：pip install 'gonghui_kit[dask]'") from e
    results = []
    with Client(scheduler) as client:
        try:  # warm every worker once, in parallel, before the reports
            client.run(_warm_worker, prewarm)
        except Exception:
            pass
        futures = client.map(
            run_isolated, jobs, prewarm=prewarm, key=[f"gonghui-{j.key}-{time.time_ns()}" for j in jobs], pure=False
        )
        for fut in as_completed(futures):
            try:
                res = JobResult(**fut.result())
            except Exception as e:  # a worker lost, a task error
                job = jobs[futures.index(fut)]
                res = JobResult(job.key, False, 0.0, f"Dask 任务失败：{type(e).__name__}: {e}"[:300])
            results.append(res)
            if on_done:
                on_done(res)
    return results


def run_jobs(
    jobs: Iterable[ReportJob | TaskJob],
    *,
    executor: str | None = None,
    jobs_n: int = 2,
    scheduler: str | None = None,
    on_done=None,
    prewarm: TaskJob | None = None,
    running: Iterable[Started] = (),
) -> list[JobResult]:
    """Run ``jobs`` with the named executor (Dask when ``scheduler`` is given).

    ``prewarm``: a task the warm parent (or each Dask worker) runs once
    before its first child, to fill caches all children share; executors
    that start cold processes (spawn, inline) skip it.  ``running``: tasks
    already running in children of this process (:func:`start_beside`),
    counted among the live children and collected like the others; only
    executors that fork from this process (:func:`warms_parent`) take them.
    """
    jobs, running = list(jobs), list(running)
    name = "dask" if scheduler else (executor or default_executor())
    if running and name not in WARM_PARENT:
        raise ValueError(f"执行器 {name} 不能接管已在运行的任务")
    if not jobs and not running:
        return []
    if running:  # only then: an executor registered elsewhere need not know the keyword
        return EXECUTORS[name](
            jobs, jobs_n=jobs_n, scheduler=scheduler, on_done=on_done, prewarm=prewarm, running=running
        )
    return EXECUTORS[name](jobs, jobs_n=jobs_n, scheduler=scheduler, on_done=on_done, prewarm=prewarm)
