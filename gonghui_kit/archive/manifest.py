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
from typing import Any

import pandas as pd

from gonghui_kit import __version__
from gonghui_kit.archive.layout import MANIFEST, SEAL_FILE
from gonghui_kit.atomic import sha256_file, write_json

__all__ = [
    "is_sealed",
    "seal",
    "reseal",
    "read_manifest",
    "write_manifest",
    "verify",
]

# --------------------------------------------------------------------------
# manifest, seal, verify


def _outputs(year_dir: Path) -> dict[str, str]:
    out = {}
    for p in sorted(year_dir.rglob("*")):
        rel = p.relative_to(year_dir).as_posix()
        if p.is_dir() or p.is_symlink() or rel in (MANIFEST, SEAL_FILE) or any(part.startswith(".") for part in Path(rel).parts):
            continue
        out[rel] = sha256_file(p)
    return out


def read_manifest(year_dir: Path) -> dict[str, Any]:
    p = Path(year_dir) / MANIFEST
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_manifest(year_dir: Path, *, year: int, inputs: pd.DataFrame, params: dict, notebooks: dict, units: dict, engine: str, fingerprint: str | None = None) -> Path:
    year_dir = Path(year_dir)
    ins = [
        {"file": r["file"], "sha256": r["sha256"], "unit": r["unit"], "year": None if pd.isna(r["year"]) else int(r["year"]), "status": r["status"]}
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
        "outputs": _outputs(year_dir),
    }
    return write_json(year_dir / MANIFEST, manifest)


def is_sealed(year_dir: Path) -> bool:
    return (Path(year_dir) / SEAL_FILE).exists()


def seal(year_dir: Path, *, note: str = "") -> Path:
    """Mark a year final: its manifest's hash and the time, in SEALED.json."""
    year_dir = Path(year_dir)
    m = year_dir / MANIFEST
    if not m.exists():
        raise FileNotFoundError(f"{year_dir} 中没有 {MANIFEST}，请先生成该年度报告（gonghui build）")
    return write_json(year_dir / SEAL_FILE, {"sealed_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "manifest_sha256": sha256_file(m), "toolkit_version": __version__, "note": note})


def reseal(year_dir: Path) -> Path:
    """Seal a sealed year again on its current manifest (after ``build --force``),
    keeping the first seal's time and note and recording when it was resealed."""
    year_dir = Path(year_dir)
    try:
        old = json.loads((year_dir / SEAL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    new = json.loads(seal(year_dir, note=str(old.get("note", ""))).read_text(encoding="utf-8"))
    if old.get("sealed_at"):
        history = list(old.get("resealed", [])) + [new["sealed_at"]]
        new.update(sealed_at=old["sealed_at"], resealed=history)
        write_json(year_dir / SEAL_FILE, new)
    return year_dir / SEAL_FILE


def verify(year_dir: Path) -> dict[str, list[str]]:
    """Re-hash every output against the manifest.

    Returns ``{'changed': [...], 'missing': [...], 'extra': [...]}`` (paths
    relative to the year folder); all empty means the year is intact.
    """
    year_dir = Path(year_dir)
    man = read_manifest(year_dir)
    if not man:
        return {"changed": [], "missing": [MANIFEST], "extra": []}
    recorded: dict[str, str] = man.get("outputs", {})
    now = _outputs(year_dir)
    res = {
        "changed": sorted(k for k in recorded if k in now and now[k] != recorded[k]),
        "missing": sorted(k for k in recorded if k not in now),
        "extra": sorted(k for k in now if k not in recorded),
    }
    seal_p = year_dir / SEAL_FILE
    if seal_p.exists():
        try:
            s = json.loads(seal_p.read_text(encoding="utf-8"))
            if s.get("manifest_sha256") != sha256_file(year_dir / MANIFEST):
                res["changed"].append(MANIFEST)
        except (OSError, ValueError):
            res["changed"].append(SEAL_FILE)
    return res


# --------------------------------------------------------------------------
# pages
