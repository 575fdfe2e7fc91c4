"""Opening the data a report shows: the year bundle ``gonghui build`` prepared,
or one computed now (from sample ledgers when a notebook runs on its own).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from gonghui_kit import resources
from gonghui_kit.analysis.bundle import Bundle, load_bundle, prepare_bundle
from gonghui_kit.archive import layout

__all__ = ["open_bundle", "unit_slugs"]


def _sample_data_dir() -> Path:
    """Sample ledgers for a notebook opened on its own (made on first use)."""
    root = Path(tempfile.gettempdir()) / "gonghui_kit_sample_data"
    if not any(root.glob("*/*.xlsx")):
        from gonghui_kit.ledgers.sample import generate_sample

        generate_sample(root, units=12, years=(2022, 2023, 2024), seed=0)
    return root


def open_bundle(*, year: int, data: str = "", bundle: str = "", params: str = "") -> Bundle:
    """The year bundle: the prepared one ``gonghui build`` passes in, or one
    computed now from ``data`` (sample data when ``data`` does not exist)."""
    if bundle and Path(bundle).exists():
        return load_bundle(bundle)
    root = Path(data) if data and Path(data).exists() else _sample_data_dir()
    registry, _ = resources.roster(params if params and Path(params).exists() else None)
    standards, _ = resources.standards()
    return prepare_bundle(root, year, registry=registry, standards=standards)


# --------------------------------------------------------------------------


def unit_slugs(b: Bundle) -> dict[str, str]:
    """Each unit's file name in the archive (the same call the build makes)."""
    return layout.unique_slugs(b.unit_names)
