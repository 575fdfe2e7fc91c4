"""The one lookup of files: those shipped with the package and the user's own beside them.

Shipped files live inside the installed package, whether it was installed
with ``pip install .`` or is used from a source tree:

- ``params``: run configurations, the unit roster (``units.yaml``) and the
  spending standards (``standards.yaml``): the repository's ``params/``,
  installed as ``gonghui_kit.params``;
- ``notebooks``: the report notebooks (``notebooks/``, installed as ``gonghui_kit.notebooks``);
- ``templates``, ``assets``: HTML/nbconvert/summary templates and the bundled fonts.

A user's own configuration is found by :func:`user_or_shipped` in this order:
the path given on the command line; ``params/<name>`` in the working folder;
the shipped copy (with a warning that says so).  The choice and its reason
travel with the path (:class:`Resolved`), so commands can say which file
they used.  The shipped roster and standards are the same bytes as the
repository's ``params/``, so a command gives the same output from any folder.

>>> shipped("params", "units.yaml").name
'units.yaml'
>>> shipped("templates", "html", "report.css").is_file()
True
>>> r = user_or_shipped("standards.yaml", None, cwd=shipped("templates"))
>>> r.origin, r.path == shipped("params", "standards.yaml")
('shipped', True)
"""

from __future__ import annotations

import contextlib
import importlib.resources
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gonghui_kit.analysis.standards import Standards, load_standards
from gonghui_kit.analysis.units import UnitRegistry
from gonghui_kit.errors import ResourceError

__all__ = [
    "shipped",
    "shipped_dir",
    "notebook_path",
    "params_path",
    "Resolved",
    "user_or_shipped",
    "roster",
    "standards",
]

#: shipped kind → (package that holds it, sub-folder inside that package)
_KINDS = {
    "params": ("gonghui_kit.params", ()),
    "notebooks": ("gonghui_kit.notebooks", ()),
    "templates": ("gonghui_kit", ("templates",)),
    "assets": ("gonghui_kit", ("assets",)),
}
_stack = contextlib.ExitStack()
_lock = threading.Lock()


@lru_cache(maxsize=None)
def shipped_dir(kind: str) -> Path:
    """The real folder that holds one kind of shipped file (extracted once if the package is zipped)."""
    try:
        package, sub = _KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown kind of shipped file: {kind!r} (one of {', '.join(_KINDS)})") from None
    try:
        res = importlib.resources.files(package).joinpath(*sub)
    except ModuleNotFoundError:
        # the source tree imported without an install (python run in the repository
        # folder): params/ and notebooks/ sit beside the package, not inside it
        return Path(__file__).resolve().parent.parent / kind
    with _lock:
        return Path(_stack.enter_context(importlib.resources.as_file(res)))


def shipped(kind: str, *parts: str) -> Path:
    """A shipped file or folder: ``shipped("templates", "html", "report.css")``."""
    return shipped_dir(kind).joinpath(*parts)


def notebook_path(name: str) -> Path:
    """A report notebook shipped with the package (``notebooks/`` in the repository)."""
    return shipped("notebooks", name)


def params_path(name: str) -> Path:
    """A shipped run configuration, roster or standards file (``params/`` in the repository)."""
    return shipped("params", name)


@dataclass(frozen=True)
class Resolved:
    """A file and where it came from: ``given`` (command line), ``working`` (./params) or ``shipped``."""

    path: Path
    origin: str

    @property
    def note(self) -> str:
        """One Chinese line saying which file is used."""
        where = {"given": "指定的", "working": "工作文件夹中的", "shipped": "随工具附带的示例"}[self.origin]
        return f"使用{where}文件：{self.path}"


def user_or_shipped(
    name: str, given: str | Path | None, *, cwd: str | Path | None = None, warn: bool = True
) -> Resolved:
    """The user's file ``name`` (e.g. ``units.yaml``): ``given`` if set (must exist),
    else ``params/<name>`` in the working folder, else the shipped copy."""
    if given is not None and str(given) != "":
        p = Path(given)
        if not p.is_file():
            raise ResourceError(f"找不到文件：{p}")
        return Resolved(p, "given")
    local = Path(cwd or ".") / "params" / name
    if local.is_file():
        return Resolved(local, "working")
    p = params_path(name)
    if not p.is_file():
        raise ResourceError(f"安装不完整：缺少随工具附带的 {name}，请重新安装 gonghui_kit")
    if warn:
        warnings.warn(
            f"未找到 params/{name}，使用随工具附带的示例文件（{p}）；请按本地实际修改后放在 params/ 下", stacklevel=2
        )
    return Resolved(p, "shipped")


def roster(
    given: str | Path | None = None, *, cwd: str | Path | None = None, warn: bool = True
) -> tuple[UnitRegistry, Resolved]:
    """The unit roster and where it came from."""
    r = user_or_shipped("units.yaml", given, cwd=cwd, warn=warn)
    try:
        return UnitRegistry.from_yaml(r.path), r
    except (OSError, ValueError) as e:
        raise ResourceError(f"单位名册 {r.path} 无法读取：{e}") from e


def standards(
    given: str | Path | None = None, *, cwd: str | Path | None = None, warn: bool = True
) -> tuple[Standards, Resolved]:
    """The spending standards and where they came from."""
    r = user_or_shipped("standards.yaml", given, cwd=cwd, warn=warn)
    try:
        return load_standards(r.path), r
    except (OSError, ValueError) as e:
        raise ResourceError(f"经费标准 {r.path} 无法读取：{e}") from e
