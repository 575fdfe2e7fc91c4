"""resources.py: the one lookup of shipped files, the same from any working folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gonghui_kit import resources
from gonghui_kit.errors import ResourceError

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_files_are_the_repositorys():
    assert resources.params_path("units.yaml").read_bytes() == (ROOT / "params" / "units.yaml").read_bytes()
    assert resources.params_path("standards.yaml").read_bytes() == (ROOT / "params" / "standards.yaml").read_bytes()
    assert (
        resources.notebook_path("unit_report.ipynb").read_bytes()
        == (ROOT / "notebooks" / "unit_report.ipynb").read_bytes()
    )
    assert resources.shipped("assets", "fonts", "OFL.txt").is_file()


def test_user_file_order(tmp_path):
    given = tmp_path / "my.yaml"
    given.write_text("units: []\n", encoding="utf-8")
    assert resources.user_or_shipped("units.yaml", given).origin == "given"
    with pytest.raises(ResourceError, match="找不到文件"):
        resources.user_or_shipped("units.yaml", tmp_path / "missing.yaml")
    assert resources.user_or_shipped("units.yaml", None, cwd=tmp_path, warn=False).origin == "shipped"
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "units.yaml").write_text("units: []\n", encoding="utf-8")
    r = resources.user_or_shipped("units.yaml", None, cwd=tmp_path)
    assert (r.origin, r.path) == ("working", tmp_path / "params" / "units.yaml")
    assert "工作文件夹" in r.note


def test_fallback_warns():
    with pytest.warns(UserWarning, match="随工具附带"):
        resources.user_or_shipped("standards.yaml", None, cwd=ROOT / "tests")


def test_roster_and_standards_load():
    reg, where = resources.roster(None, cwd=ROOT, warn=False)
    assert where.origin == "working" and reg.knows("机修分工会")
    std, _ = resources.standards(None, cwd=ROOT, warn=False)
    assert std is not None


@pytest.mark.slow
def test_same_summary_from_any_folder_after_a_plain_install(tmp_path):
    """`pip install .` (not editable) into a folder, then `gonghui summary` (python -P: like the
    console script, the working folder is not on sys.path) in the
    project folder and in an empty one: the same text, standards applied in both."""
    from gonghui_kit.ledgers.sample import generate_sample

    target = tmp_path / "site"
    r = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if r.returncode != 0:
        pytest.skip(f"pip install . failed here (no build backend available offline?): {r.stderr[-300:]}")
    data = tmp_path / "data"
    generate_sample(data, units=4, years=(2023, 2024), seed=0)
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "import sys; from gonghui_kit.cli import main; sys.exit(main(sys.argv[1:]))"
    args = ["summary", str(data / "2023"), str(data / "2024"), "--unit", "机修分工会", "--year", "2024"]
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    outs = []
    for cwd in (ROOT, empty):
        p = subprocess.run(
            [sys.executable, "-P", "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
        )
        assert p.returncode == 0, p.stderr
        outs.append(p.stdout)
        import_check = subprocess.run(
            [sys.executable, "-P", "-c", "import gonghui_kit; print(gonghui_kit.__file__)"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
        assert str(target) in import_check.stdout  # the installed copy, not the source tree
    assert outs[0] == outs[1]
    assert "机修分工会" in outs[0]


def test_source_tree_without_install_finds_params_and_notebooks(tmp_path):
    """`python -c` in the repository folder imports the source tree, where params/
    and notebooks/ are not sub-packages: the lookup still finds them."""
    code = (
        "import sys; sys.modules.pop('gonghui_kit.params', None); import builtins\n"
        "from gonghui_kit import resources\n"
        "real = __import__('importlib').import_module\n"
        "def fake(name, *a, **k):\n"
        "    if name in ('gonghui_kit.params', 'gonghui_kit.notebooks'): raise ModuleNotFoundError(name)\n"
        "    return real(name, *a, **k)\n"
        "__import__('importlib').import_module = fake\n"
        "print(resources.params_path('units.yaml').is_file(), resources.notebook_path('unit_report.ipynb').is_file())"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.stdout.split() == ["True", "True"], p.stderr
