"""The yearly archive's manifest, seal and verify.

``manifest.json`` records the toolkit version, the parameters, every input
(file, SHA-256, unit, year) and every output's SHA-256; ``SEALED.json``
marks a year final.  Where each file lives is decided by
:mod:`gonghui_kit.archive.layout`; the pages are :mod:`gonghui_kit.archive.pages`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from gonghui_kit import __version__
from gonghui_kit.archive.layout import MANIFEST, SEAL_FILE
from gonghui_kit.atomic import sha256_file, write_json
from gonghui_kit.errors import UserError

__all__ = [
    "is_sealed",
    "seal",
    "reseal",
    "read_manifest",
    "write_manifest",
    "verify",
    "seal_problem",
    "failed_units",
    "output_hashes",
    "unlisted",
    "SealRefused",
]

# --------------------------------------------------------------------------
# manifest, seal, verify


def _files(year_dir: Path) -> list[str]:
    """Every file in the year folder a reader sees (not the manifest, the
    seal, or anything dot-named: temporary files, the build's scratch space, the lock)."""
    out = []
    for p in sorted(Path(year_dir).rglob("*")):
        rel = p.relative_to(year_dir).as_posix()
        if p.is_dir() or rel in (MANIFEST, SEAL_FILE) or any(part.startswith(".") for part in Path(rel).parts):
            continue
        out.append(rel)
    return out


def _hashes(year_dir: Path, names: Iterable[str]) -> dict[str, str]:
    out = {}
    for rel in names:
        p = Path(year_dir) / rel
        if p.is_file() and not p.is_symlink():
            out[rel] = sha256_file(p)
    return out


def output_hashes(year_dir: Path, names: Iterable[str]) -> dict[str, str]:
    """sha256 of the named outputs that exist (relative names; a link is not an output)."""
    return _hashes(year_dir, names)


def unlisted(year_dir: Path, listed: Iterable[str]) -> list[str]:
    """Files in the year folder that ``listed`` does not name (see :func:`_files`)."""
    known = set(listed)
    return [f for f in _files(year_dir) if f not in known]


def read_manifest(year_dir: Path) -> dict[str, Any]:
    p = Path(year_dir) / MANIFEST
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_manifest(
    year_dir: Path,
    *,
    year: int,
    inputs: pd.DataFrame,
    params: dict,
    notebooks: dict,
    units: dict,
    engine: str,
    fingerprint: str | None = None,
    outputs: Iterable[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """The year's manifest.  ``outputs``: the files this build answers for
    (relative to the year folder; default every file there), hashed now;
    ``extra``: more entries (the pages' keys, the ledgers left out)."""
    year_dir = Path(year_dir)
    ins = [
        {
            "file": r["file"],
            "sha256": r["sha256"],
            "unit": r["unit"],
            "year": None if pd.isna(r["year"]) else int(r["year"]),
            "status": r["status"],
        }
        for _, r in inputs.iterrows()
    ]
    manifest = {
        "toolkit": "gonghui_kit",
        "toolkit_version": __version__,
        "year": year,
        "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "engine": engine,
        "inputs": ins,
        "params": params,
        "notebooks": notebooks,
        "units": units,
        "fingerprint": fingerprint,
        **(extra or {}),
        "outputs": _hashes(year_dir, _files(year_dir) if outputs is None else sorted(set(outputs))),
    }
    return write_json(year_dir / MANIFEST, manifest)


def is_sealed(year_dir: Path) -> bool:
    """Sealed: a SEALED.json, or a manifest that says it was sealed (its SEALED.json gone)."""
    year_dir = Path(year_dir)
    return (year_dir / SEAL_FILE).exists() or bool(read_manifest(year_dir).get("sealed"))


def failed_units(man: dict[str, Any]) -> list[str]:
    """Units a manifest lists as not built (failed, or left stale by ``--units``)."""
    return sorted(u for u, st in man.get("units", {}).items() if st.get("status") != "ok")


def seal(year_dir: Path, *, note: str = "", force: bool = False) -> Path:
    """Mark a year final: the manifest records the seal, and SEALED.json
    holds the manifest's hash, the time and the note.  A year with failed
    units is sealed only with ``force``."""
    year_dir = Path(year_dir)
    m = year_dir / MANIFEST
    if not m.exists():
        raise FileNotFoundError(f"{year_dir} 中没有 {MANIFEST}，请先生成该年度报告（gonghui build）")
    man = read_manifest(year_dir)
    bad = failed_units(man)
    if bad and not force:
        raise SealRefused(
            f"{year_dir.name} 年度有 {len(bad)} 个单位的报告未生成成功（{'、'.join(bad[:10])}"
            f"{' 等' if len(bad) > 10 else ''}），不能封存；请修正后重新生成，或加 --force 仍然封存"
        )
    when = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    man["sealed"] = {"sealed_at": when, "note": note}
    write_json(m, man)
    return write_json(
        year_dir / SEAL_FILE,
        {"sealed_at": when, "manifest_sha256": sha256_file(m), "toolkit_version": __version__, "note": note},
    )


class SealRefused(UserError):
    """``seal`` of a year whose reports did not all build."""


def reseal(year_dir: Path) -> Path:
    """Seal a sealed year again on its current manifest (after ``build --force``),
    keeping the first seal's time and note and recording when it was resealed."""
    year_dir = Path(year_dir)
    try:
        old = json.loads((year_dir / SEAL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    new = json.loads(seal(year_dir, note=str(old.get("note", "")), force=True).read_text(encoding="utf-8"))
    if old.get("sealed_at"):
        history = list(old.get("resealed", [])) + [new["sealed_at"]]
        new.update(sealed_at=old["sealed_at"], resealed=history)
        man = read_manifest(year_dir)
        man["sealed"] = {"sealed_at": old["sealed_at"], "note": new.get("note", ""), "resealed": history}
        write_json(year_dir / MANIFEST, man)
        new["manifest_sha256"] = sha256_file(year_dir / MANIFEST)
        write_json(year_dir / SEAL_FILE, new)
    return year_dir / SEAL_FILE


def seal_problem(year_dir: Path, man: dict[str, Any] | None = None) -> str | None:
    """What is wrong with a year's seal (None: not sealed, or sound)."""
    year_dir = Path(year_dir)
    man = read_manifest(year_dir) if man is None else man
    p = year_dir / SEAL_FILE
    if not p.exists():
        return "missing" if man.get("sealed") else None
    try:
        s = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "changed"
    rec = man.get("sealed") or {}
    if s.get("manifest_sha256") != sha256_file(year_dir / MANIFEST):
        return "changed"
    if rec and (s.get("sealed_at") != rec.get("sealed_at") or s.get("note", "") != rec.get("note", "")):
        return "changed"
    return None


def verify(year_dir: Path) -> dict[str, list[str]]:
    """Re-hash every output against the manifest.

    Returns ``{'changed': [...], 'missing': [...], 'extra': [...]}`` (paths
    relative to the year folder; SEALED.json is changed when it does not
    match the manifest and missing when the manifest says the year was
    sealed), and ``'failed': [...]`` units whose report failed and
    ``'stale': [...]`` units left out of date by ``build --units``, when there are any.  All empty
    means the year is intact.
    """
    year_dir = Path(year_dir)
    man = read_manifest(year_dir)
    if not man:
        return {"changed": [], "missing": [MANIFEST], "extra": []}
    recorded: dict[str, str] = man.get("outputs", {})
    present = _files(year_dir)
    now = _hashes(year_dir, [k for k in recorded if k in set(present)])
    res = {
        "changed": sorted(k for k in recorded if k in now and now[k] != recorded[k]),
        "missing": sorted(k for k in recorded if k not in now),
        "extra": sorted(k for k in present if k not in recorded),
    }
    problem = seal_problem(year_dir, man)
    if problem:
        res[problem].append(SEAL_FILE)
    units = man.get("units", {})
    failed = sorted(u for u, st in units.items() if st.get("status") not in ("ok", "stale"))
    stale = sorted(u for u, st in units.items() if st.get("status") == "stale")
    if failed:
        res["failed"] = failed
    if stale:
        res["stale"] = stale
    return res
