"""The package's shape (tools/structure.py): no import cycle, no private name
used across modules, no module over 800 lines — function-local imports count."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("structure_tool", ROOT / "tools" / "structure.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_cycle_finder_finds_a_planted_cycle():
    t = _tool()
    assert t.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert t.cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    shape = _tool().measure()
    assert (
        "gonghui_kit.cli" in shape.imports
        and "gonghui_kit.ingest.load" in shape.imports
        or any(m.startswith("gonghui_kit.ingest.load") for m in shape.imports)
    )
    assert _tool().cycles(shape.imports) == []


def test_no_private_name_across_modules():
    assert _tool().measure().private == []


def test_no_module_over_800_lines():
    lines = _tool().measure().lines
    assert {m: n for m, n in lines.items() if n > 800} == {}


def test_one_package_per_stage():
    pkg = ROOT / "gonghui_kit"
    for stage in ("ingest", "analysis", "present", "run", "archive", "ledgers"):
        assert (pkg / stage / "__init__.py").is_file(), stage
    # the names that used to mislead are gone
    for old in ("iorw.py", "registry.py", "template.py", "html.py", "engines.py", "archive.py"):
        assert not (pkg / old).exists(), old


def test_every_package_is_installed():
    """pyproject lists packages by hand (notebooks/ and params/ are mapped into the
    package): a sub-package missing from the list would be missing after pip install."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "gonghui_kit").rglob("__init__.py")}
    assert found - listed == set()
