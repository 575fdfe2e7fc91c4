"""The archive always equals its data.

After any change to the ledgers (edited, added, removed), to the archive
(a page edited by hand, a stray file), a build killed at a random point or
two builds at once, a plain ``gonghui build`` ends in an archive equal to a
``--force`` build of the same data into a fresh folder (``tools/archive_diff``:
what a reader sees, time stamps ignored), and ``verify --data`` passes.
"""

from __future__ import annotations

import errno
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import build_config

from gonghui_kit.archive import layout
from gonghui_kit.archive import manifest as archive
from gonghui_kit.archive.audit import audit
from gonghui_kit.archive.lock import FolderLock, LockBusy, ReadOnly
from gonghui_kit.build import BuildConfig, BuildError, build, input_state
from gonghui_kit.cli import main
from gonghui_kit.ledgers.sample import generate_sample

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import archive_diff

pytestmark = pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="the build uses the fork executor")

YEAR = 2024
UNITS = 3


def _cfg(data: Path, out: Path, **kw) -> BuildConfig:
    return build_config(data, out, YEAR, **kw)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """Sample ledgers and their archive, built once; tests work on copies."""
    root = tmp_path_factory.mktemp("pristine")
    generate_sample(root / "data", units=UNITS + 1, years=(2023, YEAR), seed=5)
    spare = sorted((root / "data" / str(YEAR)).glob("*.xlsx"))[-1]
    shutil.move(str(spare), root / spare.name)  # a unit to add later
    res = build(_cfg(root / "data", root / "inc" / "reports"))
    assert res.ok, res.failed
    return root


@pytest.fixture
def world(pristine, tmp_path):
    shutil.copytree(pristine, tmp_path / "w")
    return tmp_path / "w"


def _equal_to_fresh(root: Path) -> None:
    """The archive under root/inc equals a --force build into root/fresh, and verifies against the data."""
    fresh = root / "fresh" / "reports"
    shutil.rmtree(fresh.parent, ignore_errors=True)
    assert build(_cfg(root / "data", fresh, force=True)).ok
    d = archive_diff.diff(root / "inc" / "reports", fresh)
    assert d == [], "\n".join(d[:10])
    y = root / "inc" / "reports" / str(YEAR)
    v = archive.verify(y)
    assert v == {"changed": [], "missing": [], "extra": []}, v
    assert audit(y, root / "data") == []


def _set_employees(path: Path, n: int) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["基本信息"]
    for row in ws.iter_rows():
        if row[0].value == "职工人数":
            row[1].value = n
    wb.save(path)


def _ledgers(root: Path) -> list[Path]:
    return sorted((root / "data" / str(YEAR)).glob("*.xlsx"))


def _plain(root: Path, events: list | None = None):
    return build(
        _cfg(root / "data", root / "inc" / "reports"),
        on_event=(lambda k, p: events.append((k, p))) if events is not None else None,
    )


# --------------------------------------------------------------------------
# what each page shows


def test_a_year_does_not_change_when_a_later_year_is_built(world):
    """Years are built in turn (and sealed): next year's build never makes this
    year's pages differ from a --force build of them done afterwards."""
    alone, later = world / "alone" / "reports", world / "later" / "reports"
    assert build(build_config(world / "data", alone, 2023)).ok
    assert build(build_config(world / "data", later, 2024)).ok
    assert build(build_config(world / "data", later, 2023, force=True)).ok
    d = [x for x in archive_diff.diff(alone, later) if x.split(":", 1)[1].strip().startswith("2023/")]
    assert d == [], "\n".join(d[:10])
    assert "../2022/index.html" not in (later / "2023" / "index.html").read_text(encoding="utf-8")
    assert "../2024/" not in (later / "2023" / "index.html").read_text(encoding="utf-8")


def test_an_edited_ledger_rebuilds_every_page_that_shows_it(world):
    _set_employees(_ledgers(world)[0], 999)
    res = _plain(world)
    assert res.ok and res.built and res.compare_built
    _equal_to_fresh(world)
    again = _plain(world)
    assert again.built == [] and not again.compare_built


def test_removed_and_added_units_follow_everywhere(world):
    y = world / "inc" / "reports" / str(YEAR)
    gone = _ledgers(world)[0]
    before = archive.read_manifest(y)
    shutil.move(str(gone), world / "gone.xlsx")
    res = _plain(world)
    assert res.ok
    man = archive.read_manifest(y)
    assert len(man["units"]) == UNITS - 1
    (removed,) = set(before["units"]) - set(man["units"])
    slug = before["units"][removed]["slug"]
    assert not layout.at(y.parent, layout.unit_page(YEAR, slug)).exists()
    assert not layout.at(y.parent, layout.unit_notebook(YEAR, slug)).exists()
    assert removed not in (y / "compare.html").read_text(encoding="utf-8")
    _equal_to_fresh(world)
    # a new unit: every page's "x/n" follows
    spare = next(p for p in world.glob("*.xlsx") if p.name != "gone.xlsx")
    shutil.move(str(spare), world / "data" / str(YEAR) / spare.name)
    assert _plain(world).ok
    assert len(archive.read_manifest(y)["units"]) == UNITS
    _equal_to_fresh(world)


def test_units_option_rebuilds_only_those_and_keeps_the_archive_complete(world):
    y = world / "inc" / "reports" / str(YEAR)
    a, b = _ledgers(world)[:2]
    _set_employees(a, 555)
    _set_employees(b, 444)
    units = list(archive.read_manifest(y)["units"])
    pick = units[0]
    res = build(_cfg(world / "data", world / "inc" / "reports", units=[pick]))
    assert res.ok and res.built == [pick]
    man = archive.read_manifest(y)
    assert sorted(man["units"]) == sorted(units)  # all units listed, each with its page
    index = (y / "index.html").read_text(encoding="utf-8")
    assert "units/.html" not in index
    for _u, st in man["units"].items():
        assert st["slug"] and layout.href(st["slug"]) in index
    assert man["fingerprint"] is None or not res.stale  # an incomplete archive never skips the next build
    if res.stale:
        assert "待更新" in index and archive.verify(y).get("stale") == res.stale
        assert audit(y, world / "data")  # says which page is behind its data
    assert _plain(world).ok
    _equal_to_fresh(world)


# --------------------------------------------------------------------------
# a skip is checked


def test_an_edited_output_is_rebuilt_never_laundered(world, capsys):
    y = world / "inc" / "reports" / str(YEAR)
    assert _plain(world).ok  # the copy's data folder is new to it
    page = sorted((y / "units").glob("*.html"))[0]
    page.write_text(page.read_text(encoding="utf-8").replace("工会", "公会"), encoding="utf-8")
    (y / "my-notes.txt").write_text("读者自己的笔记", encoding="utf-8")
    events: list = []
    res = _plain(world, events)
    warns = [p for k, p in events if k == "warn"]
    assert any(page.name in w and "不符" in w for w in warns), warns
    assert any("my-notes.txt" in w and "清单外" in w for w in warns), warns
    assert (y / "my-notes.txt").exists(), "a file the toolkit never wrote is never deleted"
    man = archive.read_manifest(y)
    assert "my-notes.txt" not in man["outputs"]
    assert "公会" not in page.read_text(encoding="utf-8")[:5000] or res.built
    assert archive.verify(y)["extra"] == ["my-notes.txt"]
    capsys.readouterr()
    assert main(["verify", str(y)]) == 1 and "清单外的文件：my-notes.txt" in capsys.readouterr().out
    (y / "my-notes.txt").unlink()
    _equal_to_fresh(world)


def test_seal_and_verify_catch_what_the_manifest_alone_does_not(world, capsys):
    out = world / "inc" / "reports"
    y = out / str(YEAR)
    assert main(["seal", str(YEAR), "--out", str(out), "--note", "终稿"]) == 0
    assert archive.verify(y) == {"changed": [], "missing": [], "extra": []}
    seal = (y / layout.SEAL_FILE).read_text(encoding="utf-8")
    (y / layout.SEAL_FILE).write_text(seal.replace("终稿", "改稿"), encoding="utf-8")
    assert layout.SEAL_FILE in archive.verify(y)["changed"]
    (y / layout.SEAL_FILE).unlink()
    assert layout.SEAL_FILE in archive.verify(y)["missing"]
    capsys.readouterr()
    assert main(["verify", str(y)]) == 1
    # no laundering: without its SEALED.json the year is still sealed
    with pytest.raises(BuildError, match="已封存"):
        _plain(world)
    (y / layout.SEAL_FILE).write_text(seal, encoding="utf-8")
    assert archive.verify(y) == {"changed": [], "missing": [], "extra": []}


def test_seal_refuses_a_year_with_failed_units(world, capsys):
    out = world / "inc" / "reports"
    y = out / str(YEAR)
    man = archive.read_manifest(y)
    u = next(iter(man["units"]))
    man["units"][u]["status"] = "failed"
    (y / layout.MANIFEST).write_text(json.dumps(man, ensure_ascii=False), encoding="utf-8")
    assert archive.verify(y)["failed"] == [u]
    capsys.readouterr()
    assert main(["verify", str(y)]) == 1 and u in capsys.readouterr().out
    assert main(["seal", str(YEAR), "--out", str(out)]) == 2
    assert "不能封存" in capsys.readouterr().err and not archive.is_sealed(y)
    assert main(["seal", str(YEAR), "--out", str(out), "--force"]) == 0


# --------------------------------------------------------------------------
# inputs that move, builds that meet


def test_a_ledger_changed_while_read_is_read_again(world, monkeypatch):
    from gonghui_kit import build as build_mod

    real = input_state(_cfg(world / "data", world / "inc" / "reports"))
    stale = dict(real)
    first = next(iter(stale))
    stale[first] = "0" * 64
    path = world / "bundle.pkl"
    build_mod._prepare(_cfg(world / "data", world / "inc" / "reports"), path, expect=stale)
    from gonghui_kit.analysis.bundle import load_bundle

    b = load_bundle(path)
    assert b.extra["input_state"] == real and b.extra["changed_while_read"]
    # ledgers that never stop changing: the build stops and says so
    monkeypatch.setattr(build_mod, "input_state", lambda cfg: stale)
    with pytest.raises(BuildError, match="一直在变化"):
        build_mod._prepare(_cfg(world / "data", world / "inc" / "reports"), path, expect=stale)


def test_a_second_build_is_refused_naming_the_first(world):
    out = world / "inc" / "reports"
    with FolderLock(layout.at(out, layout.lock_file(YEAR)), what="测试"):
        with pytest.raises(LockBusy, match=f"PID {os.getpid()}"):
            build(_cfg(world / "data", out, force=True))


def test_a_lock_left_by_a_killed_build_is_taken_over(tmp_path):
    p = tmp_path / ".lock"
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    import socket

    p.write_text(
        json.dumps({"pid": child.pid, "host": socket.gethostname(), "started": "2024-01-01T00:00:00"}), encoding="utf-8"
    )
    with pytest.raises(LockBusy, match=str(child.pid)):
        FolderLock(p, what="测试").acquire()
    child.kill()
    child.wait()
    with FolderLock(p, what="测试") as lock:
        assert lock.took_over and lock.took_over["pid"] == child.pid
        assert json.loads(p.read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert not p.exists()


# --------------------------------------------------------------------------
# names and media


def test_a_file_name_that_is_not_utf8(tmp_path, capsys):
    if sys.platform == "darwin" or os.name == "nt":
        pytest.skip("the file system insists on Unicode names")
    from gonghui_kit.ingest.load import load_ledgers

    d = tmp_path / "d"
    generate_sample(d, units=2, years=(YEAR,), seed=1)
    f = sorted((d / str(YEAR)).glob("*.xlsx"))[0]
    os.rename(f, os.fsencode(f.parent) + b"/" + "机修台账".encode("gbk") + b".xlsx")
    led = load_ledgers(d / str(YEAR))
    odd = [x for x in led.findings if x.code == "odd_file_name"]
    assert len(odd) == 1 and "�" in odd[0].file
    assert len(led.units) == 2  # the batch goes on, the file is read
    capsys.readouterr()
    main(["check", str(d / str(YEAR)), "--format", "json"])
    out = capsys.readouterr().out
    out.encode("utf-8")  # valid UTF-8 (no lone surrogates)
    json.loads(out)
    input_state(_cfg(d, tmp_path / "r"))  # the fingerprint takes any name


def _cli_build(world: Path) -> int:
    """A plain ``gonghui build`` of the copy's archive, as a user types it."""
    out = world / "inc" / "reports"
    return main(["build", "--year", str(YEAR), "--data", str(world / "data"), "--out", str(out), "--quiet"])


def test_a_refused_ledger_is_named_and_the_exit_code_says_so(world, capsys):
    link = world / "data" / str(YEAR) / "快捷方式.xlsx"
    link.symlink_to(_ledgers(world)[0])
    capsys.readouterr()
    code = _cli_build(world)
    err = capsys.readouterr().err
    assert code == 3, err
    assert "快捷方式.xlsx" in err and "未计入" in err


def test_read_only_media(world, monkeypatch, capsys):
    out = world / "inc" / "reports"
    assert _plain(world).ok  # the copy's data folder is new to it

    def read_only(self):
        raise ReadOnly(f"输出目录不可写（{self.path.parent}）：Read-only file system")

    def no_write(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system", str(a[0]) if a else "")

    monkeypatch.setattr(FolderLock, "acquire", read_only)
    monkeypatch.setattr("gonghui_kit.atomic.atomic_write", no_write)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    res = _plain(world)  # a no-op build writes nothing
    assert res.ok and res.built == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    _set_employees(_ledgers(world)[0], 321)
    capsys.readouterr()
    code = _cli_build(world)
    err = capsys.readouterr().err
    assert code == 2 and "不可写" in err and "Traceback" not in err


def test_disk_full_is_one_line(world, monkeypatch, capsys):
    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("gonghui_kit.atomic.write_bytes", full)
    _set_employees(_ledgers(world)[0], 321)
    capsys.readouterr()
    code = _cli_build(world)
    err = capsys.readouterr().err
    assert code == 2 and "磁盘空间不足" in err and "Traceback" not in err, err


# --------------------------------------------------------------------------
# the property: whatever happens, a plain build ends equal to a fresh one


def _build_cmd(root: Path, *extra: str) -> list[str]:
    code = "import sys; from gonghui_kit.cli import main; sys.exit(main(sys.argv[1:]))"
    return [
        sys.executable,
        "-c",
        code,
        "build",
        "--year",
        str(YEAR),
        "--data",
        str(root / "data"),
        "--out",
        str(root / "inc" / "reports"),
        "--jobs",
        "2",
        "--quiet",
        *extra,
    ]


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_any_sequence_ends_equal_to_a_fresh_build(world):
    rng = random.Random(20240)
    y = world / "inc" / "reports" / str(YEAR)
    parked: list[Path] = list(world.glob("*.xlsx"))
    actions = ["edit", "add", "remove", "tamper", "kill", "concurrent"]
    steps = rng.sample(actions, len(actions)) + [rng.choice(actions) for _ in range(2)]
    for step in steps:
        ledgers = _ledgers(world)
        if step == "edit":
            _set_employees(rng.choice(ledgers), rng.randint(20, 900))
        elif step == "add" and parked:
            p = parked.pop()
            shutil.move(str(p), world / "data" / str(YEAR) / p.name)
        elif step == "remove" and len(ledgers) > 2:
            p = rng.choice(ledgers)
            shutil.move(str(p), world / p.name)
            parked.append(world / p.name)
        elif step == "tamper":
            files = [
                p
                for p in y.rglob("*")
                if p.is_file() and not p.name.startswith(".") and p.suffix in (".html", ".ipynb", ".xlsx")
            ]
            victim = rng.choice(files)
            victim.write_bytes(victim.read_bytes()[: rng.randint(0, 200)])
        elif step == "kill":
            _set_employees(rng.choice(ledgers), rng.randint(20, 900))
            proc = subprocess.Popen(
                _build_cmd(world), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.2, 6.0))
            _kill_group(proc)
        elif step == "concurrent":
            _set_employees(rng.choice(ledgers), rng.randint(20, 900))
            proc = subprocess.Popen(
                _build_cmd(world, "--force"), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            time.sleep(rng.uniform(0.5, 2.0))
            try:
                _plain(world)
            except LockBusy as e:
                assert "PID" in str(e)
            proc.wait(timeout=600)
            err = proc.stderr.read().decode("utf-8", "replace")
            proc.stderr.close()
            assert "Traceback" not in err, err
        res = _plain(world)
        assert res.ok, (step, res.failed)
        _equal_to_fresh(world)
