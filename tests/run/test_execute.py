"""execute.start_beside: data prepared in a forked child while the parent
warms up, and the child's follow-up task adopted by the report pool."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from pathlib import Path

import pytest

from gonghui_kit.atomic import _UMASK
from gonghui_kit.run.execute import JobResult, TaskJob, run_jobs, start_beside, warms_parent

pytestmark = pytest.mark.skipif(
    "fork" not in mp.get_all_start_methods(), reason="start_beside forks; elsewhere it runs everything in order"
)


class Refused(Exception):
    pass


def _wait_for(path: Path, seconds: float = 30.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if path.exists():
            return True
        time.sleep(0.01)
    return False


def _prepare(ready, *, marker: str, out: str):
    """Signals ready, then waits until the parent's beside() has run: proves
    the two overlap (a parent that waited for the result would deadlock
    here and the child would give up after 30 s)."""
    ready()
    saw = _wait_for(Path(marker))
    Path(out).write_text("bundle", encoding="utf-8")
    return {"saw_beside": saw, "pid": os.getpid()}


def _fail(ready, **_):
    raise Refused("台账目录不存在（测试）")


def _die(ready, **_):
    os._exit(3)


def write_marker(path: str, delay: float = 0.0) -> None:
    time.sleep(delay)
    Path(path).write_text("year files", encoding="utf-8")


def after(marker: str, path: str) -> None:
    """Fails when started before ``marker`` exists."""
    if not Path(marker).exists():
        raise RuntimeError("started while the adopted task was still running")
    Path(path).write_text("later", encoding="utf-8")


def test_beside_runs_while_the_child_works(tmp_path):
    marker, out = tmp_path / "warm", tmp_path / "bundle.pkl"
    value, started = start_beside(
        _prepare, lambda: marker.write_text("warm", encoding="utf-8"), marker=str(marker), out=str(out)
    )
    assert started is None
    assert value["saw_beside"] is True and value["pid"] != os.getpid()
    assert out.read_text(encoding="utf-8") == "bundle"


def test_child_error_is_raised_with_its_type_and_beside_is_skipped(tmp_path):
    ran = []
    with pytest.raises(Refused, match="台账目录不存在"):
        start_beside(_fail, lambda: ran.append(1))
    assert ran == []


def test_child_that_dies_is_a_clear_error():
    with pytest.raises(RuntimeError, match="准备数据的子进程异常退出（退出码 3）"):
        start_beside(_die, lambda: None)


def test_follow_up_task_is_adopted_by_the_pool(tmp_path):
    """The child goes on with the `then` task; run_jobs counts it as a live
    child (jobs_n=1: the next job starts only after it) and returns its
    result with the others."""
    marker, out, files = tmp_path / "warm", tmp_path / "bundle.pkl", tmp_path / "indicators.xlsx"
    then = TaskJob(
        key="__year_files__", func=f"{__name__}:write_marker", kwargs={"path": str(files), "delay": 0.5}, warm=False
    )
    later = TaskJob(
        key="later",
        func=f"{__name__}:after",
        kwargs={"marker": str(files), "path": str(tmp_path / "later.txt")},
        warm=False,
    )
    value, started = start_beside(
        _prepare, lambda: marker.write_text("warm", encoding="utf-8"), then=then, marker=str(marker), out=str(out)
    )
    assert started is not None and started.job is then
    seen: list[JobResult] = []
    results = run_jobs([later], executor="fork", jobs_n=1, running=[started], on_done=seen.append)
    assert [r.key for r in results] == ["__year_files__", "later"]  # one live child at a time: the adopted one first
    assert all(r.ok for r in results), [r.error for r in results]
    assert seen == results
    assert results[0].pid == value["pid"]  # the task ran in the child that prepared the data
    assert files.read_text(encoding="utf-8") == "year files"


def test_follow_up_task_failure_is_recorded(tmp_path):
    marker = tmp_path / "warm"
    then = TaskJob(key="__year_files__", func="no_such_module:write", title="年度文件")
    _, started = start_beside(
        _prepare,
        lambda: marker.write_text("warm", encoding="utf-8"),
        then=then,
        marker=str(marker),
        out=str(tmp_path / "b"),
    )
    (res,) = run_jobs([], executor="fork", running=[started])
    assert not res.ok and res.error.startswith("年度文件：ModuleNotFoundError")


def test_only_forking_executors_adopt_running_tasks(tmp_path):
    assert (
        warms_parent("fork")
        and not warms_parent("spawn")
        and not warms_parent("fork", scheduler="tcp://127.0.0.1:8786")
    )
    marker = tmp_path / "warm"
    then = TaskJob(key="t", func=f"{__name__}:write_marker", kwargs={"path": str(tmp_path / "t.txt")})
    _, started = start_beside(
        _prepare,
        lambda: marker.write_text("warm", encoding="utf-8"),
        then=then,
        marker=str(marker),
        out=str(tmp_path / "b"),
    )
    with pytest.raises(ValueError, match="不能接管"):
        run_jobs([], executor="inline", running=[started])
    run_jobs([], executor="fork", running=[started])  # collect the child


def test_warm_engine_output_is_papermills_file_with_the_title(tmp_path):
    """With the warm engine the title goes in before papermill saves, and that
    file becomes the output as it stands (no second save, no leftovers)."""
    import nbformat

    from gonghui_kit.run.execute import ReportJob, run_job

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("unit = '甲'", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("print(unit * 2)"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp_path / "in.ipynb"
    nbformat.write(nb, src)
    out = tmp_path / "out"
    job = ReportJob(
        key="甲",
        notebook=str(src),
        parameters={"unit": "乙"},
        out_ipynb=str(out / "甲.ipynb"),
        out_html=str(out / "甲.html"),
        title="乙 2023年度报告",
    )
    res = run_job(job)
    assert res.ok, res.error
    done = nbformat.read(out / "甲.ipynb", as_version=4)
    nbformat.validate(done)
    assert done.metadata["gonghui"] == {"title": "乙 2023年度报告"}
    assert done.cells[-1].outputs[0]["text"] == "乙乙\n"
    assert "<title>乙 2023年度报告</title>" in (out / "甲.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["甲.html", "甲.ipynb"]
    assert (out / "甲.ipynb").stat().st_mode & 0o777 == 0o666 & ~_UMASK
