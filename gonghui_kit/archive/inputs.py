"""What a build's inputs are, by content: the state of every ledger, the
fingerprint a no-op rebuild compares, and the check that the loader read
what the state says.

``cfg`` is a :class:`gonghui_kit.build.BuildConfig` (its ``data``, ``out``,
``year`` and ``params_digest()``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pandas as pd

from gonghui_kit import __version__
from gonghui_kit.archive import layout
from gonghui_kit.archive.keys import digest
from gonghui_kit.atomic import sha256_file

__all__ = [
    "shown_name",
    "year_folders_of",
    "input_state",
    "earlier_pages",
    "fingerprint_of",
    "input_fingerprint",
    "drift",
]


def shown_name(text: str) -> str:
    """A file name as people see it: bytes that are not UTF-8 become �.

    >>> shown_name("a" + "\\udcb0" + ".xlsx")
    'a�.xlsx'
    """
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def year_folders_of(cfg) -> dict[int, Path]:
    from gonghui_kit.analysis.bundle import year_folders

    return year_folders(cfg.data, upto=cfg.year) or {cfg.year: Path(cfg.data)}


def input_state(cfg) -> dict[str, str]:
    """Every input file of every year up to Y (as the loader names its path)
    → the sha256 of its content (or what it is when it is not a regular file)."""
    from gonghui_kit.ingest.load import discover

    files, _ = discover(list(year_folders_of(cfg).values()))
    state = {}
    for f in files:
        try:
            st = os.lstat(f)
            # only regular files are read: opening a pipe blocks, a link to
            # /dev/zero never ends (the loader refuses both anyway)
            if stat.S_ISREG(st.st_mode):
                state[str(f)] = sha256_file(f)
            elif stat.S_ISLNK(st.st_mode):
                state[str(f)] = "symlink:" + os.readlink(f)
            else:
                state[str(f)] = f"not_file:{stat.S_IFMT(st.st_mode)}"
        except OSError:
            state[str(f)] = "unreadable"
    return state


def earlier_pages(cfg) -> list[list[Any]]:
    """The unit pages of earlier built years (a page links to them)."""
    from gonghui_kit.archive.manifest import read_manifest

    out = []
    for y in layout.built_years(cfg.out):
        if y < cfg.year:
            units = read_manifest(layout.year_dir(cfg.out, y)).get("units", {})
            out.extend(
                [y, u, st.get("slug")]
                for u, st in sorted(units.items())
                if st.get("status") == "ok"
                and st.get("slug")
                and layout.at(cfg.out, layout.unit_page(y, st["slug"])).exists()
            )
    return out


def fingerprint_of(cfg, state: dict[str, str], nb_digest: str, earlier: list) -> str:
    """One hash over everything a year's archive depends on (see :func:`input_fingerprint`)."""
    data = Path(cfg.data)
    entries = sorted(
        (str(Path(p).relative_to(data)) if Path(p).is_relative_to(data) else p, m) for p, m in state.items()
    )
    return digest(
        {
            "files": entries,
            "params": cfg.params_digest(),
            "notebooks": nb_digest,
            "version": __version__,
            "earlier": earlier,
        }
    )


def input_fingerprint(cfg, nb_digest: str) -> str:
    """One hash over everything a year's archive depends on: the content of
    every input file of every year up to Y, the params, the notebooks, the
    toolkit version and the earlier years' pages.  Hashing files is cheap
    next to loading them, so a no-op rebuild stops here."""
    return fingerprint_of(cfg, input_state(cfg), nb_digest, earlier_pages(cfg))


def drift(files: pd.DataFrame, state: dict[str, str]) -> list[str]:
    """Ledgers the loader did not read as ``state`` has them (changed, added
    or gone in between, or changed while being read), by name.

    >>> f = pd.DataFrame({"path": ["d/a.xlsx", "d/b.xlsx"], "file": ["a.xlsx", "b.xlsx"], "sha256": ["1", ""]})
    >>> drift(f, {"d/a.xlsx": "1", "d/b.xlsx": "symlink:x"}), drift(f, {"d/a.xlsx": "2", "d/c.xlsx": "3"})
    ([], ['a.xlsx', 'b.xlsx', 'c.xlsx'])
    """
    seen = {str(p): (str(n), str(h or "")) for p, n, h in zip(files["path"], files["file"], files["sha256"], strict=False)}
    moved = [n for p, (n, h) in seen.items() if p not in state or (h and state[p] != h)]
    return moved + [shown_name(Path(p).name) for p in state if p not in seen]
