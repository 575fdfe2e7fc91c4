"""The warm engine gives the same notebook as papermill's kernel engine."""

from __future__ import annotations

import multiprocessing as mp
import os

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

from gonghui_kit.run.execute import ReportJob, run_job, run_jobs
from gonghui_kit.run.pm_engine import ensure_registered


def _notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('unit: str = "示例"\nyear: int = 2023\ncode: str = "001"')
    params.metadata.tags = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# 标题"), params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, str(path))
    return path


CELLS = [
    "import matplotlib.pyplot as plt\nfrom IPython.display import HTML, Markdown, display\nprint('单位', unit, code, type(code).__name__)\ndisplay(HTML('<b>粗体</b>'))",
    "fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([1, 2, 3])\nyear + 1",
    "import pandas as pd\npd.DataFrame({'a': [1, 2]})",
    "import sys\nprint('err', file=sys.stderr)\nx = 5",
    "x * 2",
]


def _normalise(nb):
    """Cells and outputs without timings, ids and volatile metadata; streams
    merged by name (a kernel batches them by time)."""
    out = []
    for c in nb.cells:
        item = {"type": c.cell_type, "source": c.source, "tags": sorted(c.metadata.get("tags", []))}
        if c.cell_type == "code":
            item["count"] = c.execution_count
            item["status"] = c.metadata.get("papermill", {}).get("status")
            outs, streams = [], {}
            for o in c.outputs:
                if o.output_type == "stream":
                    if o.name in streams:
                        streams[o.name]["text"] += o.text
                        continue
                    d = {"t": "stream", "name": o.name, "text": o.text}
                    streams[o.name] = d
                    outs.append(d)
                elif o.output_type == "error":
                    outs.append({"t": "error", "ename": o.ename, "evalue": o.evalue, "has_tb": bool(o.traceback)})
                else:
                    data = dict(o.data)
                    if "image/png" in data:
                        data["image/png"] = "<png>"
                    outs.append({"t": o.output_type, "data": data, "count": o.get("execution_count")})
            item["outputs"] = outs
        out.append(item)
    return out


def _run(src, dst, engine, **params):
    ensure_registered()
    try:
        pm.execute_notebook(
            str(src), str(dst), parameters=params, engine_name=engine, progress_bar=False, kernel_name="python3"
        )
    except PapermillExecutionError:
        pass
    return nbformat.read(str(dst), as_version=4)


@pytest.mark.slow
def test_same_cells_and_outputs_as_kernel(tmp_path):
    src = _notebook(tmp_path / "in.ipynb", CELLS)
    kernel = _run(src, tmp_path / "k.ipynb", "nbclient", unit="机修", code="029")
    warm = _run(src, tmp_path / "w.ipynb", "gonghui_warm", unit="机修", code="029")
    assert _normalise(warm) == _normalise(kernel)
    # a unit code stays text: "029", not 29
    first = [o for o in warm.cells[3].outputs if o.output_type == "stream"][0]
    assert "029 str" in first.text


@pytest.mark.slow
def test_errors_and_partial_notebook_like_kernel(tmp_path):
    src = _notebook(tmp_path / "in.ipynb", CELLS[:2] + ["1 / 0", "print('never')"])
    kernel = _run(src, tmp_path / "k.ipynb", "nbclient")
    warm = _run(src, tmp_path / "w.ipynb", "gonghui_warm")
    assert _normalise(warm) == _normalise(kernel)
    errs = [o for c in warm.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert [(e.ename, e.evalue) for e in errs] == [("ZeroDivisionError", "division by zero")]
    assert any("ZeroDivisionError" in line for line in errs[0].traceback)
    # papermill's error marker cells are inserted the same way
    tags = [c.metadata.get("tags", []) for c in warm.cells if c.cell_type == "markdown"]
    assert sum("papermill-error-cell-tag" in t for t in tags) == 2
    last = warm.cells[-1]
    assert last.metadata.papermill["status"] == "pending" and last.outputs == []


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="fork is not available on this platform")
def test_fork_executor_isolates_reports(tmp_path):
    """Module state, rcParams and globals never carry over between reports."""
    cells = [
        "import matplotlib as mpl, gonghui_kit\nprint(getattr(gonghui_kit, '_leak', None), mpl.rcParams['lines.linewidth'])\n"
        "gonghui_kit._leak = unit\nmpl.rcParams['lines.linewidth'] = 9.0\nimport os\nprint(os.getpid())",
    ]
    src = _notebook(tmp_path / "in.ipynb", cells)
    jobs = [
        ReportJob(
            key=u,
            notebook=str(src),
            parameters={"unit": u},
            out_ipynb=str(tmp_path / f"{u}.ipynb"),
            out_html=str(tmp_path / f"{u}.html"),
            title=u,
        )
        for u in ("甲", "乙", "丙")
    ]
    results = run_jobs(jobs, executor="fork", jobs_n=2)
    assert all(r.ok for r in results), [r.error for r in results]
    pids = set()
    for u in ("甲", "乙", "丙"):
        nb = nbformat.read(str(tmp_path / f"{u}.ipynb"), as_version=4)
        text = "".join(o.text for o in nb.cells[-1].outputs if o.output_type == "stream")
        first_line, pid = text.splitlines()[0], text.splitlines()[1]
        assert first_line.startswith("None "), first_line  # nothing leaked from an earlier report
        assert first_line.split()[1] != "9.0"
        pids.add(pid)
        assert (tmp_path / f"{u}.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert len(pids) == 3 and str(os.getpid()) not in pids  # a fresh child per report


def test_failed_notebook_keeps_partial_outputs(tmp_path):
    src = _notebook(tmp_path / "in.ipynb", ["print('before')", "raise ValueError('坏数据')", "print('after')"])
    job = ReportJob(
        key="x",
        notebook=str(src),
        parameters={},
        out_ipynb=str(tmp_path / "x.ipynb"),
        out_html=str(tmp_path / "x.html"),
        title="失败的报告",
    )
    res = run_job(job)
    assert not res.ok and "坏数据" in res.error
    nb = nbformat.read(str(tmp_path / "x.ipynb"), as_version=4)
    assert nb.metadata["gonghui"]["failed"].startswith("ValueError")
    html = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "坏数据" in html and "<title>失败的报告</title>" in html
    assert not list(tmp_path.glob(".*part*"))  # no temporary file left behind


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="fork is not available on this platform")
def test_task_jobs_and_prewarm(tmp_path):
    """A TaskJob runs in the pool like a report and its failure is recorded,
    not raised; the prewarm task runs once in the warm parent, and a failing
    one costs nothing but speed."""
    from gonghui_kit.run.execute import TaskJob

    src = _notebook(tmp_path / "in.ipynb", ["print(unit)"])
    jobs = [
        TaskJob(key="ok", func="os:makedirs", kwargs={"name": str(tmp_path / "made_by_task")}, title="建目录"),
        TaskJob(key="bad", func="os:rmdir", kwargs={"path": str(tmp_path / "no_such_dir")}, title="测试任务"),
        ReportJob(
            key="甲",
            notebook=str(src),
            parameters={"unit": "甲"},
            out_ipynb=str(tmp_path / "甲.ipynb"),
            out_html=str(tmp_path / "甲.html"),
            title="甲",
        ),
    ]
    marker = tmp_path / "made_by_prewarm"
    results = {
        r.key: r
        for r in run_jobs(
            jobs, executor="fork", jobs_n=2, prewarm=TaskJob(key="p", func="os:makedirs", kwargs={"name": str(marker)})
        )
    }
    assert results["ok"].ok and (tmp_path / "made_by_task").is_dir()
    assert not results["bad"].ok and "测试任务" in results["bad"].error and "FileNotFoundError" in results["bad"].error
    assert results["甲"].ok and marker.is_dir()
    assert results["ok"].pid != os.getpid()  # tasks are isolated too
    again = run_jobs(jobs[2:], executor="fork", jobs_n=1, prewarm=TaskJob(key="p", func="no_such_module:f"))
    assert again[0].ok
