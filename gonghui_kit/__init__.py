"""gonghui_kit — analytics for Chinese trade-union (工会) ledgers.

Stages, one package each:
read → clean → load (orchestration) → check → indicators → compare/standards
→ highlights/narrative → charts → build/archive → cli.

For analysis in a notebook (see :mod:`gonghui_kit.api`)::

    import gonghui_kit as gh
    d = gh.load("data/2023", "data/2024")
    d.compare(units=["机修分工会", "炼钢厂分工会"], year=2024)

``import gonghui_kit`` stays cheap: ``load``, ``Dataset`` and ``charts`` are
imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "load", "Dataset", "charts"]

# public name -> (module, attribute or None for the module itself)
_LAZY = {
    "load": ("gonghui_kit.api", "load"),
    "Dataset": ("gonghui_kit.api", "Dataset"),
    "charts": ("gonghui_kit.present.charts", None),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'gonghui_kit' has no attribute {name!r}") from None
    value = importlib.import_module(module)
    value = value if attr is None else getattr(value, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
