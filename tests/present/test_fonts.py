"""The bundled CJK font: present, complete enough, and actually used by matplotlib."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gonghui_kit.present import fonts

FONT_DIR = Path(fonts.__file__).parents[1] / "assets" / "fonts"


def test_files_license_and_size():
    paths = fonts.font_paths()
    assert paths[0].name == "NotoSansSC-GB2312-Regular.otf"
    for p in paths:
        assert p.parent == FONT_DIR
        assert 1_000_000 < p.stat().st_size <= 4_000_000, p
    ofl = (FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in ofl
    assert "make_font_subset.py" in (FONT_DIR / "README.md").read_text(encoding="utf-8")


def test_name_table_complete_and_renamed():
    from fontTools.ttLib import TTFont

    font = TTFont(fonts.font_paths()[0], lazy=True)
    name = font["name"]
    ids = {r.nameID for r in name.names}
    assert set(range(0, 15)) <= ids  # copyright … license URL all kept
    assert {r.langID for r in name.names} >= {0x409, 0x804}  # English + Chinese records
    assert name.getDebugName(1) == fonts.FAMILY
    assert name.getDebugName(6) == "NotoSansSC-GB2312-Regular"


def test_coverage_gb2312_and_chart_symbols():
    gb2312 = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    assert len(gb2312) > 7400
    assert fonts.missing_chars("".join(gb2312)) == ""
    ascii_ = "".join(chr(c) for c in range(0x21, 0x7F))
    symbols = "％‰·—–↑↓→←≥≤×÷℃¥￥№①②⑩〇、。，；：？！（）《》【】“”‘’…￥㎡±°"
    assert fonts.missing_chars(ascii_ + symbols) == ""
    assert fonts.missing_chars("工会 经费") == ""
    assert fonts.missing_chars("𠀾") == "𠀾"


def test_register_is_idempotent():
    from matplotlib import font_manager

    fonts.register_fonts()
    before = len(font_manager.fontManager.ttflist)
    assert fonts.register_fonts() == fonts.font_family() == fonts.FAMILY
    assert len(font_manager.fontManager.ttflist) == before
    found = font_manager.findfont(font_manager.FontProperties(family=fonts.FAMILY))
    assert Path(found).parent == FONT_DIR


_FRESH = textwrap.dedent(
    r"""
    import json, logging, warnings, io, os
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import font_manager as fm

    # Simulate a machine without any system CJK font: keep only matplotlib's own.
    mpl_data = os.path.realpath(matplotlib.get_data_path())
    fm.fontManager.ttflist = [e for e in fm.fontManager.ttflist
                              if os.path.realpath(e.fname).startswith(mpl_data)]
    fm.fontManager._findfont_cached.cache_clear()

    records = []
    class Catch(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())
    logging.getLogger().addHandler(Catch(level=logging.DEBUG))
    logging.getLogger("matplotlib").setLevel(logging.WARNING)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import pandas as pd
        from gonghui_kit.present import charts
        charts.set_style()
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots()
        ax.plot([2022, 2023, 2024], [-3, 5, 8], label="会员人数（人）")
        ax.bar([2022, 2023, 2024], [1, 2, 3], label="经费支出（万元）")
        ax.set_title("工会经费收支情况 ≥18.5％ ↑ ℃ № ① 〇", fontweight="bold")
        ax.set_xlabel("年度"); ax.set_ylabel("金额（万元）")
        ax.set_xticks([2022, 2023, 2024], ["二〇二二年", "2023年", "2024年"])
        ax.legend(title="图例")
        for fmt in ("png", "pdf", "svg"):
            fig.savefig(io.BytesIO(), format=fmt)
        ax2 = charts.bar(pd.DataFrame({"月份": ["01", "02"], "次数": [3, 4]}),
                         x="月份", y="次数", order=charts.MONTHS, title="各月活动次数")
        ax2.figure.savefig(io.BytesIO(), format="png")
        used = sorted({fm.findfont(t.get_fontproperties())
                       for t in ax.findobj(matplotlib.text.Text) if t.get_text()})
    print(json.dumps({"warnings": [str(w.message) for w in caught],
                      "logs": records, "used": used}))
    """
)


def test_fresh_process_renders_chinese_without_missing_glyphs(tmp_path):
    script = tmp_path / "fresh.py"
    script.write_text(_FRESH, encoding="utf-8")
    # the child imports the same gonghui_kit as this process (source tree or installed)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(Path(fonts.__file__).parents[2]), os.environ.get("PYTHONPATH", "")]),
    }
    env_out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert env_out.returncode == 0, env_out.stderr
    result = json.loads(env_out.stdout.strip().splitlines()[-1])
    problems = [m for m in result["warnings"] + result["logs"] if "Glyph" in m or "missing" in m or "findfont" in m]
    assert problems == [], problems
    assert result["used"], "no text drawn?"
    for path in result["used"]:
        assert Path(path).parent == FONT_DIR, path


@pytest.mark.parametrize("text", ["工会", "１２３％"])
def test_missing_chars_empty_for_common_text(text):
    assert fonts.missing_chars(text) == ""
