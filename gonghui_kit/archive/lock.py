"""One build at a time per folder: a lock file made with ``O_EXCL``.

The lock file (``reports/<Y>/.lock``, ``reports/.lock`` for the all-years
index; dot-named, so never an output) holds who took it: PID, host, start
time and, where the system says it, the process's own start mark (so a PID
reused by another program is not taken for the build).  A lock whose owner
is gone from this host is stale (a build killed with ``kill -9``) and taken
over; a live one makes the second build wait or stop with a message naming
the first.  Plain files and ``os.open``: the same on Windows.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with FolderLock(d / ".lock", what="2024 年度"):
...     (d / ".lock").exists()
True
>>> (d / ".lock").exists()
False
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from gonghui_kit.errors import BuildError

__all__ = ["FolderLock", "LockBusy", "ReadOnly", "pid_alive", "owner_text"]


class LockBusy(BuildError):
    """Another live build holds the lock."""


class ReadOnly(BuildError):
    """The folder cannot be written (read-only medium, no permission)."""


_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def _proc_start(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), to tell a reused PID apart."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode("ascii", "replace")
        return raw.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this host (Windows: OpenProcess).

    >>> pid_alive(os.getpid()), pid_alive(0)
    (True, False)
    """
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows only
        import ctypes

        k = ctypes.windll.kernel32
        h = k.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not h:
            return False
        code = ctypes.c_ulong()
        try:
            return bool(k.GetExitCodeProcess(h, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
        finally:
            k.CloseHandle(h)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def owner_text(info: dict[str, Any]) -> str:
    """How the holder of a lock is named to people.

    >>> owner_text({"pid": 42, "host": "pc1", "started": "2024-03-01T09:30:00+08:00"})
    'PID 42，主机 pc1，开始于 2024-03-01 09:30:00'
    """
    started = str(info.get("started", "?")).replace("T", " ")[:19]
    return f"PID {info.get('pid', '?')}，主机 {info.get('host', '?')}，开始于 {started}"


class FolderLock:
    """``with FolderLock(path, what=...)``: hold ``path`` for this process.

    ``wait``: seconds to wait for a live holder before giving up with
    :class:`LockBusy`.  A folder that cannot be written raises
    :class:`ReadOnly`."""

    def __init__(self, path: str | os.PathLike, *, what: str, wait: float = 0.0):
        self.path = Path(path)
        self.what = what
        self.wait = wait
        self.held = False
        self.took_over: dict[str, Any] | None = None
        self.info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "proc_start": _proc_start(os.getpid()),
        }

    def _read(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}  # being written, or garbage: judged by its age below

    def _stale(self, info: dict[str, Any]) -> bool:
        if not info:  # unreadable: stale once it is old enough not to be a lock being written
            try:
                return time.time() - self.path.stat().st_mtime > 5
            except OSError:
                return False
        if info.get("host") != socket.gethostname():
            return False  # another machine's build: cannot tell, never taken over
        pid = int(info.get("pid") or 0)
        if not pid_alive(pid):
            return True
        mark = info.get("proc_start")
        return bool(mark) and _proc_start(pid) not in (None, mark)

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        except OSError as e:
            if e.errno in _READ_ONLY:
                raise ReadOnly(f"输出目录不可写（{self.path.parent}）：{e.strerror}") from None
            raise BuildError(f"无法在 {self.path.parent} 中创建锁文件：{e.strerror}") from None
        try:
            os.write(fd, json.dumps(self.info, ensure_ascii=False).encode("utf-8"))
        finally:
            os.close(fd)
        return True

    def _take_over(self, seen: dict[str, Any]) -> None:
        """Move a stale lock aside; if what was moved is not the lock judged
        stale (another build took it over meanwhile), put it back."""
        aside = self.path.with_name(f"{self.path.name}.stale.{os.getpid()}")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:
            return
        try:
            moved = json.loads(aside.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            moved = {}
        if moved != seen:
            try:
                os.link(aside, self.path)  # back, unless a new lock is there already
            except OSError:
                pass
        else:
            self.took_over = seen
        try:
            aside.unlink()
        except OSError:
            pass

    def acquire(self) -> "FolderLock":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            if e.errno in _READ_ONLY:
                raise ReadOnly(f"输出目录不可写（{self.path.parent}）：{e.strerror}") from None
            raise BuildError(f"无法创建输出目录 {self.path.parent}：{e.strerror}") from None
        deadline = time.monotonic() + self.wait
        while True:
            if self._create():
                self.held = True
                return self
            info = self._read()
            if info is None:
                continue  # released just now
            if self._stale(info):
                self._take_over(info)
                continue
            if time.monotonic() >= deadline:
                raise LockBusy(
                    f"另一个生成进程正在写{self.what}（{owner_text(info)}）；请等它结束后再运行。"
                    f"如确认该进程已不存在，可删除锁文件 {self.path}"
                )
            time.sleep(0.1)

    def release(self) -> None:
        if self.held and os.getpid() == self.info["pid"]:  # never from a forked child
            self.held = False
            try:
                if self._read() == self.info:
                    self.path.unlink()
            except OSError:
                pass

    def __enter__(self) -> "FolderLock":
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()
