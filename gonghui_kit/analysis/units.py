"""The units registry (``params/units.yaml``): who is who across the years.

Each unit has one canonical name, the former names and spellings it used
(renamed workshops, a missing 工会 suffix, full-width brackets), a kind
(企业/学校/幼儿园/机关/…), a peer group for comparisons and optionally a
province (for standards).  A name the registry does not know is kept as its
own unit with a warning, never dropped.

>>> r = UnitRegistry.from_dict({"units": [
...     {"name": "动力分厂分工会", "former": ["动力车间分工会"], "kind": "企业", "peer_group": "企业分工会"}]})
>>> r.canonical("动力车间分工会"), r.canonical(" 动力分厂分工会 "), r.canonical("新单位")
('动力分厂分工会', '动力分厂分工会', '新单位')
>>> r.knows("新单位"), r.peer_group("动力车间分工会"), r.peer_group("新单位")
(False, '企业分工会', '未分组')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from gonghui_kit.schema import norm_key

__all__ = ["Unit", "UnitRegistry", "UNGROUPED"]

UNGROUPED = "未分组"


@dataclass(frozen=True)
class Unit:
    name: str
    former: tuple[str, ...] = ()
    kind: str | None = None
    peer_group: str | None = None
    province: str | None = None
    code: str | None = None


@dataclass
class UnitRegistry:
    units: list[Unit]
    _lookup: dict[str, Unit] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for u in self.units:
            for n in (u.name, *u.former):
                k = _key(n)
                if k in self._lookup and self._lookup[k].name != u.name:
                    raise ValueError(f"单位名册中“{n}”同时属于“{self._lookup[k].name}”和“{u.name}”，请修改 units.yaml")
                self._lookup[k] = u

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "UnitRegistry":
        units = []
        for i, d in enumerate((raw or {}).get("units") or []):
            if not isinstance(d, dict) or not d.get("name"):
                raise ValueError(f"units.yaml 第 {i + 1} 个单位缺少 name")
            units.append(
                Unit(
                    name=str(d["name"]).strip(),
                    former=tuple(str(x).strip() for x in d.get("former") or ()),
                    kind=d.get("kind"),
                    peer_group=d.get("peer_group") or d.get("kind"),
                    province=d.get("province"),
                    code=None if d.get("code") is None else str(d.get("code")),
                )
            )
        return cls(units)

    @classmethod
    def from_yaml(cls, path: str | Path) -> "UnitRegistry":
        text = Path(path).read_text(encoding="utf-8-sig")
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise ValueError(f"{path} 不是有效的 YAML：{e}") from e
        return cls.from_dict(raw or {})

    @classmethod
    def empty(cls) -> "UnitRegistry":
        return cls([])

    def get(self, name: str) -> Unit | None:
        return self._lookup.get(_key(name))

    def knows(self, name: str) -> bool:
        return self.get(name) is not None

    def canonical(self, name: str) -> str:
        u = self.get(name)
        return u.name if u else str(name).strip()

    def peer_group(self, name: str) -> str:
        u = self.get(name)
        return (u.peer_group or u.kind or UNGROUPED) if u else UNGROUPED

    def kind(self, name: str) -> str | None:
        u = self.get(name)
        return u.kind if u else None

    def province(self, name: str) -> str | None:
        u = self.get(name)
        return u.province if u else None

    def frame(self, names: list[str] | None = None) -> pd.DataFrame:
        """unit, kind, peer_group, province for ``names`` (default: all known)."""
        names = names if names is not None else [u.name for u in self.units]
        return pd.DataFrame(
            {
                "unit": names,
                "kind": [self.kind(n) for n in names],
                "peer_group": [self.peer_group(n) for n in names],
                "province": [self.province(n) for n in names],
            }
        )


def _key(name: str) -> str:
    return norm_key(name)
