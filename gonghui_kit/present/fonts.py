"""The CJK font bundled with the package, registered with matplotlib.

Charts never depend on a system font: ``assets/fonts/`` ships a subset of
Noto Sans CJK SC (SIL OFL 1.1) renamed to :data:`FAMILY` so it can't be
confused with an installed "Noto Sans CJK SC".  It covers all of GB2312, ASCII
/ Latin-1, CJK and full-width punctuation and the usual chart symbols
(％ ‰ · — ↑ ↓ ≥ ≤ × ÷ ℃ ¥ № ① ㎡ 〇 …).  See ``assets/fonts/README.md`` and
``tools/make_font_subset.py`` for how it was made.

>>> register_fonts() == font_family() == FAMILY
True
>>> missing_chars("工会经费支出18.5％")
''
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from gonghui_kit.resources import shipped

__all__ = ["FAMILY", "font_dir", "font_paths", "register_fonts", "font_family", "missing_chars"]

#: Family name of the bundled font as matplotlib sees it.
FAMILY = "Noto Sans SC GB2312"

_FILES = ("NotoSansSC-GB2312-Regular.otf", "NotoSansSC-GB2312-Bold.otf")
_lock = threading.Lock()


def font_dir() -> Path:
    """Directory holding the bundled font files (a real path, even from a zip)."""
    return shipped("assets", "fonts")


def font_paths() -> list[Path]:
    """Bundled font files (Regular first; Bold when shipped)."""
    d = font_dir()
    paths = [d / name for name in _FILES if (d / name).is_file()]
    if not paths:
        raise FileNotFoundError(f"bundled CJK font missing from {d}")
    return paths


def register_fonts() -> str:
    """Add the bundled font(s) to matplotlib's font manager; return the family.

    Idempotent and cheap after the first call: it checks the font manager's
    list itself (not a module flag), so it also re-registers after something
    rebuilt ``matplotlib.font_manager.fontManager``.
    """
    from matplotlib import font_manager

    with _lock:
        fm = font_manager.fontManager
        known = {str(e.fname) for e in fm.ttflist}
        for path in font_paths():
            if str(path) not in known:
                fm.addfont(str(path))
    return FAMILY


def font_family() -> str:
    """Family name to put in ``rcParams['font.sans-serif']`` (registers first)."""
    return register_fonts()


@lru_cache(maxsize=1)
def _codepoints() -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(str(font_paths()[0])).get_charmap())


def missing_chars(text: str) -> str:
    """Characters of ``text`` the bundled font cannot draw (whitespace ignored).

    Useful to warn about rare hanzi outside GB2312 in unit or person names:

    >>> missing_chars("𠀾工会")
    '𠀾'
    """
    cps = _codepoints()
    seen: dict[str, None] = {}
    for ch in text:
        if not ch.isspace() and ord(ch) not in cps:
            seen[ch] = None
    return "".join(seen)
