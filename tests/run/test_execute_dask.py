"""--scheduler: the per-unit jobs go to a Dask cluster (here: a local one
with 2 worker processes); outputs land on the shared path."""

from __future__ import annotations

import json

import pytest

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install 'gonghui_kit[dask]')"
)

from gonghui_kit.build import BuildConfig, build
from gonghui_kit.ledgers.sample import generate_sample
from gonghui_kit.resources import params_path


@pytest.mark.slow
def test_build_on_a_local_dask_cluster(tmp_path):
    data = tmp_path / "data"
    generate_sample(data, units=3, years=(2022, 2023), seed=5)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        cfg = BuildConfig(
            year=2023,
            data=data,
            out=tmp_path / "reports",
            jobs=2,
            scheduler=cluster.scheduler_address,
            registry_file=params_path("units.yaml"),
            standards_file=params_path("standards.yaml"),
            progress=False,
        )
        res = build(cfg)
        workers = {w for w in cluster.scheduler.workers}
    assert res.ok, res.failed
    assert len(res.built) == 3 and len(workers) == 2
    y = tmp_path / "reports" / "2023"
    assert len(list((y / "units").glob("*.html"))) == 3 and (y / "compare.html").exists()
    man = json.loads((y / "manifest.json").read_text(encoding="utf-8"))
    assert all(u["status"] == "ok" for u in man["units"].values())
