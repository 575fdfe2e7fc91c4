"""The archive survives a kill at any moment, and a sealed year stays sealed.

``gonghui build --year 2023`` runs in its own process group and is SIGKILLed
at seeded random moments (with its forked report children).  After each
kill: the earlier year still verifies, nothing in the interrupted year is
half-written (every page parses and ends with ``</html>``, every JSON and
notebook loads, every xlsx opens), temporary ``.*.part*`` files are ignored
by verify; the next build removes them and an uninterrupted build succeeds
and verifies clean.  A sealed year is refused without ``--force`` and left
byte-identical; with ``--force`` it is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from conftest import build_config

from gonghui_kit.archive import layout
from gonghui_kit.archive import manifest as archive
from gonghui_kit.build import BuildConfig, build
from gonghui_kit.cli import main
from gonghui_kit.ledgers.sample import generate_sample

pytestmark = [
    pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="the build uses the fork executor"),
    pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX"),
]

UNITS = 3


def _cfg(data: Path, out: Path, year: int, **kw) -> BuildConfig:
    return build_config(data, out, year, **kw)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    data = root / "data"
    generate_sample(data, units=UNITS, years=(2022, 2023), seed=21)
    out = root / "reports"
    res = build(_cfg(data, out, 2022))
    assert res.ok, res.failed
    assert archive.verify(out / "2022") == {"changed": [], "missing": [], "extra": []}
    return root, data, out


def _snapshot(d: Path) -> dict[str, str]:
    return {
        str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()
    }


def _build_cmd(data: Path, out: Path, year: int, *extra: str) -> list[str]:
    code = "import sys; from gonghui_kit.cli import main; sys.exit(main(sys.argv[1:]))"
    return [
        sys.executable,
        "-c",
        code,
        "build",
        "--year",
        str(year),
        "--data",
        str(data),
        "--out",
        str(out),
        "--jobs",
        "2",
        "--quiet",
        *extra,
    ]


def _wait_group_gone(pgid: int, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process group {pgid} still alive")


class _Ends(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open_html = self.close_html = False

    def handle_starttag(self, tag, attrs):
        self.open_html |= tag == "html"

    def handle_endtag(self, tag):
        self.close_html |= tag == "html"


def _assert_no_half_written_file(year_dir: Path) -> list[Path]:
    """Every visible output is complete; returns the temporary files seen."""
    parts = []
    for p in sorted(year_dir.rglob("*")):
        if not p.is_file():
            continue
        if p.name.startswith(".") and ".part" in p.name:
            parts.append(p)
            continue
        if any(x.startswith(".") for x in p.relative_to(year_dir).parts[:-1]):
            continue  # .work/bundle.pkl: internal, rewritten atomically too
        if p.suffix == ".html":
            text = p.read_text(encoding="utf-8")
            assert text.rstrip().endswith("</html>"), p
            e = _Ends()
            e.feed(text)
            e.close()
            assert e.open_html and e.close_html, p
        elif p.suffix in (".json", ".ipynb"):
            json.loads(p.read_text(encoding="utf-8"))
        elif p.suffix == ".xlsx":
            openpyxl.load_workbook(p, read_only=True).close()
    return parts


def _newer(d: Path, pattern: str, t0: int) -> bool:
    try:
        return any(p.stat().st_mtime_ns >= t0 for p in d.glob(pattern))
    except OSError:
        return False


def _verify_cli(year_dir: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", str(year_dir)])
    return code, capsys.readouterr().out


@pytest.mark.slow
def test_build_killed_at_random_points_leaves_a_sound_archive(world, capsys):
    root, data, out = world
    y22, y23 = out / "2022", out / "2023"
    before22 = _snapshot(y22)
    # a stray temporary file in the finished year is not an output
    stray = y22 / ".index.html.stray.part"
    stray.write_text("half", encoding="utf-8")
    rng = random.Random(20230)
    # kill points spread over the stages (polled, then a seeded random extra
    # delay): start-up and loading, the bundle written, notebooks executing,
    # unit pages written, the comparison written, the year pages and manifest
    stages = [
        ("start", lambda t0: True, 0.5 + rng.random()),
        ("bundle", lambda t0: _newer(y23 / ".work", "bundle.pkl", t0), rng.random() * 0.3),
        ("executing", lambda t0: _newer(y23 / "notebooks", ".*.part.ipynb", t0), rng.random() * 0.5),
        ("unit pages", lambda t0: _newer(y23 / "units", "*.html", t0), rng.random() * 0.3),
        ("compare", lambda t0: _newer(y23, "compare.html", t0), rng.random() * 0.2),
        ("year pages", lambda t0: _newer(y23, "indicators.xlsx", t0), rng.random() * 0.05),
    ]
    killed = 0
    for stage, reached, extra in stages:
        # --force: every run rebuilds everything, even after one that finished
        t0 = time.time_ns()
        proc = subprocess.Popen(
            _build_cmd(data, out, 2023, "--force"),
            cwd=root,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while proc.poll() is None and not reached(t0) and time.monotonic() < deadline:
            time.sleep(0.01)
        if proc.poll() is None:
            time.sleep(extra)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait(timeout=30)
        _wait_group_gone(proc.pid)
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stdout.close(), proc.stderr.close()
        assert "Traceback" not in err, err
        code, text = _verify_cli(y22, capsys)
        assert code == 0, (stage, text)
        assert "核对通过" in text
        if y23.exists():
            _assert_no_half_written_file(y23)
        assert (out / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert killed >= 4, killed
    # a leftover temporary file in the interrupted year: the next build removes it
    y23.mkdir(parents=True, exist_ok=True)
    (y23 / "units").mkdir(exist_ok=True)
    (y23 / "units" / ".机修分工会.html.x1.part").write_text("<html><body>半", encoding="utf-8")
    (y23 / ".manifest.json.x2.part").write_text("{", encoding="utf-8")
    final = subprocess.run(_build_cmd(data, out, 2023), cwd=root, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert "Traceback" not in final.stderr
    assert not [p for p in y23.rglob(".*") if ".part" in p.name], "the next build cleans temporary files"
    assert _assert_no_half_written_file(y23) == []
    assert archive.verify(y23) == {"changed": [], "missing": [], "extra": []}
    assert _verify_cli(y23, capsys)[0] == 0
    assert len(list((y23 / "units").glob("*.html"))) == UNITS
    # the earlier year is byte-identical (the stray file aside, which verify ignored)
    stray.unlink()
    assert _snapshot(y22) == before22


@pytest.mark.slow
def test_sealed_year_is_refused_then_rebuilt_with_force(world, tmp_path, capsys):
    root, data, out0 = world
    out = tmp_path / "reports"
    shutil.copytree(out0, out)
    y23 = out / "2023"
    if archive.read_manifest(y23).get("fingerprint") is None:  # when run alone
        assert build(_cfg(data, out, 2023)).ok
    assert main(["seal", "2023", "--out", str(out), "--note", "终稿"]) == 0
    assert archive.is_sealed(y23)
    before = _snapshot(y23)
    capsys.readouterr()
    code = main(["build", "--year", "2023", "--data", str(data), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "已封存" in err and "--force" in err and "Traceback" not in err
    assert _snapshot(y23) == before, "a refused build must not touch the sealed year"
    # also through the library, and when the inputs changed
    from gonghui_kit.build import BuildError

    with pytest.raises(BuildError, match="已封存"):
        build(_cfg(data, out, 2023))
    assert _snapshot(y23) == before
    # --force rebuilds; the year verifies clean and stays sealed (re-sealed on the new manifest)
    code = main(["build", "--year", "2023", "--data", str(data), "--out", str(out), "--quiet", "--force"])
    assert code == 0
    assert _snapshot(y23) != before
    assert archive.verify(y23) == {"changed": [], "missing": [], "extra": []}
    assert _verify_cli(y23, capsys)[0] == 0
    assert archive.is_sealed(y23)
    seal = json.loads((y23 / layout.SEAL_FILE).read_text(encoding="utf-8"))
    assert "终稿" in seal.get("note", "")
