"""The ledger schema as data.

``ledger.yaml`` beside this module is the single place where sheets, columns,
aliases, types and categories are decided (spec §2).  This module only reads
it into small immutable objects that generic code walks; there is no code
written per sheet anywhere in the package.

>>> s = load_schema()
>>> s.sheet("activities").label
'活动台账'
>>> s.sheet_for_name("职工活动").key
'activities'
>>> s.sheet("activities").column("amount").type
'money'
>>> s.categories["activity_category"].canonical("文体类")
'文体活动'
>>> sorted(s.pii_columns("members"))
['id_number', 'name', 'phone']
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable

import yaml

__all__ = [
    "Column",
    "Sheet",
    "CategoryList",
    "Schema",
    "load_schema",
    "norm_key",
]

# no opening bracket inside: linear time (``[^）)\]】]*`` rescanned a cell of
# 50,000 unclosed "(" from every one of them: quadratic, 16 s)
_BRACKETS = re.compile(r"[（(\[【][^（(\[【）)\]】]*[）)\]】]")
_SPACES = re.compile(r"[\s\u3000\u00a0]+")


def norm_key(text: object) -> str:
    """Normalise a header, sheet name or category for matching.

    Ignores spaces, full-/half-width differences, bracketed units such as
    ``（元）`` and a trailing ``：``/``:`` (spec §2).

    >>> norm_key(" 金 额（元）： ")
    '金额'
    >>> norm_key("ＡＢＣ")
    'abc'
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _BRACKETS.sub("", s)
    s = _SPACES.sub("", s)
    s = s.rstrip(":：")
    return s.lower()


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...]
    type: str
    categories: str | None = None
    blank: object = None
    required: bool = False
    pii: bool = False
    identifying: bool = False
    into: str | None = None  # an extra column: fills this column where it is blank ...
    sets: tuple[tuple[str, str], ...] = ()  # ... and these columns where they are blank
    derives: tuple[str, ...] = ()  # columns its value fills where they are blank (ingest.idcard)
    extension: bool = False  # not in the spec: accepted beyond the contract (documented in the README)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Sheet:
    key: str
    label: str
    aliases: tuple[str, ...]
    layout: str
    columns: tuple[Column, ...]
    date_column: str | None = None
    extra: tuple[Column, ...] = ()  # columns standing in for another (not in the tables)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.key} has no column {key!r}")

    @property
    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]


@dataclass(frozen=True)
class CategoryList:
    """A list of canonical labels with their synonyms.

    >>> c = CategoryList("x", {"文体活动": ("体育活动",), "其他": ()}, unknown="其他")
    >>> c.canonical("体育 活动"), c.canonical("文体活动类"), c.canonical("打牌")
    ('文体活动', '文体活动', None)
    """

    name: str
    values: dict[str, tuple[str, ...]]
    unknown: str | None = None
    _lookup: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for label, syns in self.values.items():
            for s in (label, *syns):
                lookup.setdefault(norm_key(s), label)
        object.__setattr__(self, "_lookup", lookup)

    @property
    def labels(self) -> list[str]:
        return list(self.values)

    def canonical(self, raw: object) -> str | None:
        """The canonical label for ``raw``, or ``None`` when it is unknown."""
        k = norm_key(raw)
        if not k:
            return None
        hit = self._lookup.get(k)
        if hit:
            return hit
        # Variants: a trailing 类/类别/活动 or a leading/trailing qualifier.
        for suffix in ("类活动", "类别", "类", "活动", "慰问"):
            if k.endswith(suffix) and len(k) > len(suffix):
                hit = self._lookup.get(k[: -len(suffix)])
                if hit:
                    return hit
        for label in self.values:
            nl = norm_key(label)
            if len(k) >= 2 and (k.startswith(nl) or (len(k) >= 2 and nl.startswith(k) and len(k) >= len(nl) - 2)):
                return label
        return None


@dataclass(frozen=True)
class Schema:
    sheets: tuple[Sheet, ...]
    categories: dict[str, CategoryList]
    accounts: dict[str, dict[str, tuple[str, ...]]]
    unit_column: tuple[str, ...]
    subtotal_words: tuple[str, ...]
    note_prefixes: tuple[str, ...]
    helper_sheets: tuple[str, ...] = ()
    account_codes: dict[str, str] = field(default_factory=dict)
    signature_words: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    ignored_column_prefixes: tuple[str, ...] = ()
    summary_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # indicator -> headers

    @functools.cached_property
    def summary_lookup(self) -> dict[str, str]:
        """norm_key(header) -> indicator key of a summary table's column."""
        return {norm_key(n): k for k, names in self.summary_columns.items() for n in names}

    def is_helper_sheet(self, name: str) -> bool:
        """Instructions or drop-down lists, not data (``helper_sheets``)."""
        return norm_key(name) in {norm_key(h) for h in self.helper_sheets}

    def sheet(self, key: str) -> Sheet:
        for s in self.sheets:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def record_sheets(self) -> list[Sheet]:
        return [s for s in self.sheets if s.layout == "records"]

    @functools.cached_property
    def _sheet_lookup(self) -> dict[str, Sheet]:
        out: dict[str, Sheet] = {}
        for s in self.sheets:
            for n in s.names:
                out.setdefault(norm_key(n), s)
        return out

    def sheet_for_name(self, name: str) -> Sheet | None:
        """The sheet a workbook's sheet name stands for (exact alias first,
        then a name that contains a canonical label, e.g. ``2023活动台账``)."""
        k = norm_key(name)
        if k in self._sheet_lookup:
            return self._sheet_lookup[k]
        # Longest alias contained in the name wins (职工活动 vs 活动).
        best: tuple[int, Sheet] | None = None
        for alias, s in self._sheet_lookup.items():
            if len(alias) >= 2 and alias in k and (best is None or len(alias) > best[0]):
                best = (len(alias), s)
        return best[1] if best else None

    def pii_columns(self, sheet_key: str) -> list[str]:
        return [c.key for c in self.sheet(sheet_key).columns if c.pii]

    @property
    def all_pii(self) -> dict[str, list[str]]:
        return {s.key: self.pii_columns(s.key) for s in self.sheets}

    @functools.cached_property
    def account_lookup(self) -> dict[str, tuple[str, str]]:
        """norm_key(name) -> (direction, account) for accounts and sub-items."""
        out: dict[str, tuple[str, str]] = {}
        for direction, table in (("收入", self.accounts["income"]), ("支出", self.accounts["expense"])):
            for account, items in table.items():
                out.setdefault(norm_key(account), (direction, account))
                for it in items:
                    out.setdefault(norm_key(it), (direction, account))
        return out


def _tuple(x: Iterable | None) -> tuple:
    return tuple(str(v) for v in (x or ()))


@functools.lru_cache(maxsize=None)
def load_schema() -> Schema:
    """Read ``ledger.yaml`` (cached; the schema is immutable)."""
    text = resources.files(__package__).joinpath("ledger.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    sheets = []

    def column(c: dict) -> Column:
        return Column(
            key=c["key"],
            label=c["name"],
            aliases=_tuple(c.get("aliases")),
            type=c["type"],
            categories=c.get("categories") or ("yesno" if c["type"] == "yesno" else None),
            blank=c.get("blank"),
            required=bool(c.get("required", False)),
            pii=bool(c.get("pii", False)),
            identifying=bool(c.get("identifying", False)),
            into=c.get("into"),
            sets=tuple((str(k), str(v)) for k, v in (c.get("sets") or {}).items()),
            derives=_tuple(c.get("derives")),
            extension=bool(c.get("extension", False)),
        )

    for s in raw["sheets"]:
        cols = tuple(column(c) for c in s["columns"])
        sheets.append(
            Sheet(
                key=s["key"],
                label=s["name"],
                aliases=_tuple(s.get("aliases")),
                layout=s["layout"],
                columns=cols,
                date_column=s.get("date_column"),
                extra=tuple(column(c) for c in s.get("extra") or ()),
            )
        )
    cats = {
        name: CategoryList(name, {k: _tuple(v) for k, v in spec["values"].items()}, spec.get("unknown"))
        for name, spec in raw["categories"].items()
    }
    accounts = {d: {acc: _tuple(items) for acc, items in raw["accounts"][d].items()} for d in ("income", "expense")}
    uc = raw["unit_column"]
    return Schema(
        sheets=tuple(sheets),
        categories=cats,
        accounts=accounts,
        unit_column=(uc["name"], *_tuple(uc.get("aliases"))),
        subtotal_words=_tuple(raw["subtotal_words"]),
        note_prefixes=_tuple(raw["note_prefixes"]),
        helper_sheets=_tuple(raw.get("helper_sheets")),
        signature_words=_tuple(raw.get("signature_words")),
        ignored_columns=_tuple(raw.get("ignored_columns")),
        ignored_column_prefixes=_tuple(raw.get("ignored_column_prefixes")),
        summary_columns={str(k): _tuple(v) for k, v in (raw.get("summary_columns") or {}).items()},
        account_codes={str(k): str(v) for k, v in (raw.get("account_codes") or {}).items()},
    )
