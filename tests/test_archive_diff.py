"""tools/archive_diff.py: two archives compared by what a reader sees."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import archive_diff  # a script in tools/, not a package


def _manifest(root: Path, params: dict) -> None:
    d = root / "2024"
    d.mkdir(parents=True)
    (d / "manifest.json").write_text(json.dumps({"year": 2024, "params": params}), encoding="utf-8")


def test_the_same_run_configuration_read_from_another_copy_is_equal(tmp_path):
    _manifest(tmp_path / "a", {"digest": "d1", "file": "/site-packages/gonghui_kit/params/demo.yaml", "top_n": 6})
    _manifest(tmp_path / "b", {"digest": "d1", "file": "params/demo.yaml", "top_n": 6})
    assert archive_diff.diff(tmp_path / "a", tmp_path / "b") == []


def test_another_run_configuration_differs(tmp_path):
    _manifest(tmp_path / "a", {"digest": "d1", "file": "params/demo.yaml", "top_n": 6})
    _manifest(tmp_path / "b", {"digest": "d2", "file": "params/demo.yaml", "top_n": 8})
    d = archive_diff.diff(tmp_path / "a", tmp_path / "b")
    assert len(d) == 1 and d[0].startswith("differs: 2024/manifest.json")
