#!/usr/bin/env python
"""Build the CJK font subset bundled in ``gonghui_kit/assets/fonts/`` (dev-time only).

The charts must render Chinese with a font the package ships itself, never a
system font.  Noto Sans CJK (SIL OFL 1.1) is far too large to bundle whole
(~19 MB per weight), so this script cuts the Simplified-Chinese face down to
what ledger charts need:

* every character encodable in GB2312 (6,763 hanzi + 682 symbols, incl. pinyin,
  Greek, Cyrillic, full-width forms);
* printable ASCII and Latin-1;
* common CJK / full-width punctuation and chart symbols (％ ‰ · — – ↑ ↓ → ←
  ≥ ≤ × ÷ ℃ ¥ № ①… ㎡ 〇 …);
* a short list of hanzi frequent in Chinese personal / unit names that are not
  in GB2312 (喆 赟 珺 堃 …).

All ``name`` records are kept (``--name-IDs='*' --name-languages='*'
--name-legacy``): with the default (English IDs 0-6 only) matplotlib may not
recognise the family and silently falls back to DejaVu Sans.  The family is
then *renamed* (``Noto Sans SC GB2312``) so that matplotlib can never confuse
the bundled file with a system-installed "Noto Sans CJK SC" of the same name
(the first registered entry wins a tie in ``findfont``).  Renaming a modified
version is also what the OFL asks for; "Noto" is not a Reserved Font Name.

Usage (needs the Debian package ``fonts-noto-cjk`` or the upstream TTCs)::

    python tools/make_font_subset.py            # writes Regular (+ Bold if <= 4 MB)
    python tools/make_font_subset.py --src-dir /path/to/ttc --no-bold

The script is deterministic: same source TTC -> byte-identical output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "gonghui_kit" / "assets" / "fonts"
SRC_DIR = Path("/usr/share/fonts/opentype/noto")

FAMILY = "Noto Sans SC GB2312"
PS_PREFIX = "NotoSansSC-GB2312"
MAX_BOLD_BYTES = 4_000_000

# Unicode blocks of punctuation / symbols worth keeping whole (only code points
# the source font actually maps end up in the subset).
EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: × ÷ ° ± · ¥ ² ³ …
    (0x2000, 0x206F),  # General punctuation: — – ‘ ’ “ ” … ‰ ′ ″ ※ • thin spaces
    (0x20A0, 0x20BF),  # Currency: € ₩ …
    (0x2100, 0x214F),  # Letterlike: ℃ № ℉ ™ …
    (0x2150, 0x218F),  # Number forms: Ⅰ Ⅱ ⅰ ⅱ …
    (0x2190, 0x21FF),  # Arrows: ← ↑ → ↓ ⇒ …
    (0x2200, 0x22FF),  # Math operators: ≥ ≤ ≠ ≈ ∑ − …
    (0x2460, 0x24FF),  # Enclosed alphanumerics: ① ⑴ ⒈ …
    (0x2500, 0x257F),  # Box drawing
    (0x25A0, 0x25FF),  # Geometric shapes: ■ □ ▲ △ ● ○ ◆ ◇ …
    (0x2600, 0x26FF),  # Misc symbols: ★ ☆ ☑ …
    (0x2700, 0x27BF),  # Dingbats: ✓ ✔ ✕ ✗ …
    (0x3000, 0x303F),  # CJK symbols & punctuation: 、 。 《 》 【 】 〇 …
    (0x3200, 0x32FF),  # Enclosed CJK: ㈠ ㊣ …
    (0x3380, 0x33FF),  # CJK compatibility: ㎡ ㎏ ㎞ …
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # Half/full-width forms: ％ ， （ ） ￥ …
]

# Hanzi common in names of people / units / places but outside GB2312.
EXTRA_HANZI = (
    "〇喆赟珺堃玥璟昇犇琍镕熠翀祎禕晟頔暐珅彧垚淏浛霈钖锘沄浠汭琤瑄琰"
    "煜婧妍昳炅焜炟烨燚曌昉旻昀晗晞晢珈珩珹琎琮瑛瑢瑗璠璨璎瓅甡皞睿"
    "祐祺禛禧筠缙芃茆荃莜菁萩蓥薏靓韬颋飏骐鹍鹏麒龑啟嘉懿彪彬洺淇淞"
    "湉湲溱澍濛瀚炫焱煊熙燊玟玳珂珞琇琬瑀瑭瑱璐璘璜璞璿瓒甯畯祎婳婼"
    "媖嫄姮姝妘娴娆娓婷媛嫣嬿孟宸宥宬寯峣嵘崧岚峤巍弢彣徕徳恂恺悰惇"
    "杺枏栎栩桢梓棣楠榆槿樾檀歆沅沣泓泾洳涴淳渟湛滢漪潆潼澄澈灏"
)


def charset() -> str:
    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for a, b in EXTRA_RANGES:
        chars.update(chr(c) for c in range(a, b + 1))
    chars.update(EXTRA_HANZI)
    chars.update("\u30fb\u2027\u00b7\u2212\u3007")  # middle dots, real minus, 〇
    return "".join(sorted(chars))


def sc_index(ttc_path: Path) -> int:
    """Index of the "Noto Sans CJK SC" (proportional, Simplified) face."""
    coll = TTCollection(str(ttc_path), lazy=True)
    for i, font in enumerate(coll.fonts):
        if font["name"].getDebugName(1) == "Noto Sans CJK SC":
            return i
    raise SystemExit(f"no 'Noto Sans CJK SC' face in {ttc_path}")


def rename(font: TTFont, style: str) -> None:
    """Give the subset its own family name in every name record that carries one."""
    full = FAMILY if style == "Regular" else f"{FAMILY} {style}"
    ps = f"{PS_PREFIX}-{style}"
    version = font["name"].getDebugName(5) or ""
    new = {
        1: FAMILY,
        3: f"{ps};{version};gonghui_kit subset",
        4: full,
        6: ps,
    }
    for rec in font["name"].names:
        if rec.nameID in new:
            rec.string = new[rec.nameID]
        elif rec.nameID == 16:
            rec.string = FAMILY
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps]
        top = cff.topDictIndex[0]
        for attr in ("FullName", "FamilyName"):
            if hasattr(top, attr):
                setattr(top, attr, full if attr == "FullName" else FAMILY)
        # CID-keyed fonts carry the name again in the ROS-less FontName of each FD.
        if hasattr(top, "FDArray"):
            for fd in top.FDArray:
                if hasattr(fd, "FontName"):
                    fd.FontName = f"{ps}-{fd.FontName.rsplit('-', 1)[-1]}"


def build(src: Path, style: str, out_dir: Path) -> Path:
    index = sc_index(src)
    opts = subset.Options()
    opts.font_number = index
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.name_legacy = True
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.hinting = True
    # Horizontal-text features only.  Dropping 'locl' (Japanese / Korean /
    # Traditional glyph variants reached from this face's GSUB) and the
    # vertical / width-alternate features (vert, aalt, fwid, hwid, pwid, ruby)
    # halves the file (3.5 -> 2.0 MB): the SC face's cmap already maps to the
    # Simplified-Chinese forms, which is all a zh-CN chart ever draws.
    opts.layout_features = ["ccmp", "liga", "kern", "palt", "halt", "mark", "mkmk"]
    opts.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]  # vertical text unused
    font = subset.load_font(str(src), opts, dontLoadGlyphNames=True)
    sub = subset.Subsetter(opts)
    sub.populate(text=charset())
    sub.subset(font)
    rename(font, style)
    out = out_dir / f"{PS_PREFIX}-{style}.otf"
    out_dir.mkdir(parents=True, exist_ok=True)
    # Keep the source's head.modified instead of "now" -> reproducible bytes.
    font.recalcTimestamp = False
    subset.save_font(font, str(out), opts)
    font.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src-dir", type=Path, default=SRC_DIR)
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    ap.add_argument("--no-bold", action="store_true")
    args = ap.parse_args(argv)

    reg = build(args.src_dir / "NotoSansCJK-Regular.ttc", "Regular", args.out_dir)
    print(f"{reg}: {reg.stat().st_size / 1e6:.2f} MB")
    if not args.no_bold:
        bold = build(args.src_dir / "NotoSansCJK-Bold.ttc", "Bold", args.out_dir)
        size = bold.stat().st_size
        if size > MAX_BOLD_BYTES:
            print(f"{bold}: {size / 1e6:.2f} MB > {MAX_BOLD_BYTES / 1e6} MB, removed")
            bold.unlink()
        else:
            print(f"{bold}: {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
