"""Chart functions: common signature, Chinese rendering, empty data, details."""

from __future__ import annotations

import base64
import inspect
import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from gonghui_kit import charts as C  # noqa: E402
from gonghui_kit.fmt import fmt_int, fmt_pct, fmt_yuan  # noqa: E402

UNITS = ["市总工会机关", "第一人民医院工会", "城投集团工会委员会", "公交公司工会",
         "高新区某某电子科技有限公司联合工会委员会"]


def _samples():
    return {
        "bar": (C.bar, dict(data=pd.DataFrame({"月份": ["01", "03"], "次数": [4, 2]}),
                            x="月份", y="次数", order=C.MONTHS)),
        "barh": (C.barh, dict(data=pd.DataFrame({"单位": UNITS, "人均": [900, 1500, 300, 1200, 700]}),
                              x="人均", y="单位", highlight="公交公司工会", fmt=fmt_int, ref=800)),
        "grouped_bar": (C.grouped_bar, dict(
            data=pd.DataFrame({"科目": ["职工教育费", "文体活动费"] * 2, "占比": [0.1, 0.3, 0.2, 0.25],
                               "口径": ["本单位", "本单位", "同类单位中位数", "同类单位中位数"]}),
            x="科目", y="占比", hue="口径", fmt=fmt_pct)),
        "line": (C.line, dict(data=pd.DataFrame({"年度": [2022, 2023, 2024] * 2, "人数": [5, 6, 7, 4, 5, 5],
                                                 "口径": ["本单位"] * 3 + ["中位数"] * 3}),
                              x="年度", y="人数", hue="口径", labels=True)),
        "donut": (C.donut, dict(data=pd.DataFrame({"状态": ["已办结", "办理中", "撤回"], "件数": [23, 8, 1]}),
                                x="状态", y="件数")),
        "heatmap": (C.heatmap, dict(
            data=pd.DataFrame({"单位": ["甲", "甲", "乙", "乙", "丙", "丙"], "指标": ["入会率", "人均经费"] * 3,
                               "排名": [1, 3, 2, 1, 3, 2]}),
            x="指标", y="单位", value="排名", highlight="乙")),
        "pyramid": (C.pyramid, dict(
            data=pd.DataFrame({"年龄段": ["35岁以下", "35-45岁", "55岁以上"] * 2, "性别": ["男"] * 3 + ["女"] * 3,
                               "人数": [30, 40, 10, 20, 35, 8]}),
            age_group="年龄段", gender="性别", value="人数")),
    }


SAMPLES = _samples()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _render(ax: Axes) -> bytes:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png")
    return buf.getvalue()


@pytest.mark.parametrize("name", list(SAMPLES))
def test_signature_is_uniform(name):
    fn, _ = SAMPLES[name]
    params = inspect.signature(fn).parameters
    first = next(iter(params.values()))
    assert first.name == "data" and first.kind is first.POSITIONAL_OR_KEYWORD
    for kw in ("title", "xlabel", "ylabel", "ax"):
        assert params[kw].kind is inspect.Parameter.KEYWORD_ONLY and params[kw].default is None
    assert any(p.kind is p.VAR_KEYWORD for p in params.values())


@pytest.mark.parametrize("name", list(SAMPLES))
def test_renders_chinese_without_warnings(name):
    fn, kw = SAMPLES[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = fn(title=f"{name}：标题（单位：元）", xlabel="横轴", ylabel="纵轴", **kw)
        png = _render(ax)
    assert isinstance(ax, Axes)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
    assert tuple(ax.figure.get_size_inches())[0] == C.FIGSIZE[0]


@pytest.mark.parametrize("name", list(SAMPLES))
@pytest.mark.parametrize("empty", [pd.DataFrame(), None, "no-rows", "nan"])
def test_empty_data_shows_placeholder(name, empty):
    fn, kw = SAMPLES[name]
    kw = dict(kw)
    if isinstance(empty, str) and empty == "no-rows":
        kw["data"] = kw["data"].iloc[0:0]
    elif isinstance(empty, str) and empty == "nan":
        numeric = kw["data"].select_dtypes("number").columns
        kw["data"] = kw["data"].assign(**{c: np.nan for c in numeric})
    else:
        kw["data"] = empty
    ax = fn(title="空", **kw)
    assert "无数据" in [t.get_text() for t in ax.texts]
    _render(ax)


def test_given_ax_is_used():
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    fn, kw = SAMPLES["bar"]
    assert fn(ax=a2, **kw) is a2
    assert len(a1.patches) == 0 and len(a2.patches) == 12


def test_bar_all_months_and_labels():
    ax = C.bar(pd.DataFrame({"月份": ["01", "03", "03"], "次数": [4, 2, 1]}), x="月份", y="次数",
               order=C.MONTHS, xticklabels=[f"{m}月" for m in range(1, 13)])
    heights = [p.get_height() for p in ax.patches]
    assert heights == [4, 0, 3] + [0] * 9  # summed; missing months shown as 0
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["1月", "2月"]
    assert "3" in [t.get_text() for t in ax.texts]  # value labels


def test_barh_sorted_highlighted_and_formatted():
    df = pd.DataFrame({"单位": UNITS, "金额": [90000, 150000, 3000, 120000, 70000]})
    ax = C.barh(df, x="金额", y="单位", highlight="公交公司工会", fmt=fmt_yuan)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ys = [t.get_position()[1] for t in ax.get_yticklabels()]
    top_down = [lab for _, lab in sorted(zip(ys, labels), reverse=True)]
    assert top_down[0] == "第一人民医院工会" and top_down[-1] == "城投集团工会委员会"
    colors = {to_hex(p.get_facecolor()) for p in ax.patches}
    assert colors == {C.UNION_RED.lower(), C.GREY.lower()}
    red = [p for p in ax.patches if to_hex(p.get_facecolor()) == C.UNION_RED.lower()]
    assert len(red) == 1 and red[0].get_width() == 120000
    assert "15万" in [t.get_text() for t in ax.texts]


def test_grouped_bar_first_level_red():
    fn, kw = SAMPLES["grouped_bar"]
    ax = fn(**kw)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["本单位", "同类单位中位数"]
    assert to_hex(ax.patches[0].get_facecolor()) == C.UNION_RED.lower()
    assert "30.0%" in [t.get_text() for t in ax.texts]


def test_line_integer_year_ticks():
    fn, kw = SAMPLES["line"]
    ax = fn(**kw)
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2022", "2023", "2024"]
    assert len(ax.lines) == 2 and ax.get_ylim()[0] == 0


def test_donut_percentages():
    fn, kw = SAMPLES["donut"]
    ax = fn(**kw)
    texts = [t.get_text() for t in ax.texts]
    assert "71.9%" in texts and "32" in texts  # share on slice, total in the centre
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "已办结  23（71.9%）" and legend[-1] == "撤回  1（3.1%）"


def test_heatmap_rank_one_darkest():
    fn, kw = SAMPLES["heatmap"]
    ax = fn(**kw)
    mesh = ax.collections[0]
    arr = np.asarray(mesh.get_array()).ravel()
    rgba = mesh.cmap(mesh.norm(arr))
    lum = rgba[:, :3] @ [0.2126, 0.7152, 0.0722]
    assert lum[arr == 1].max() < lum[arr == 3].min()
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "乙"  # best mean rank on top
    assert sorted(t.get_text() for t in ax.texts) == sorted(["1", "3", "2", "1", "3", "2"])


def test_pyramid_men_left_women_right_and_age_order():
    fn, kw = SAMPLES["pyramid"]
    ax = fn(**kw)
    widths = [p.get_width() for p in ax.patches]
    assert all(w <= 0 for w in widths[:3]) and all(w >= 0 for w in widths[3:])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["35岁以下", "35-45岁", "55岁以上"]
    assert any(t.get_text().startswith("男") for t in ax.texts)


def test_style_survives_seaborn_reset():
    import seaborn as sns

    sns.set_theme()  # resets the font list to Arial/DejaVu
    ax = C.bar(pd.DataFrame({"x": ["甲"], "y": [1]}), x="x", y="y", title="中文")
    assert matplotlib.rcParams["font.sans-serif"][0] == C.FAMILY
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    _render(ax)


def test_figure_to_img_tag_closes_and_embeds():
    fn, kw = SAMPLES["bar"]
    ax = fn(**kw)
    num = ax.figure.number
    tag = C.figure_to_img_tag(ax.figure, alt='各月"活动"')
    assert not plt.fignum_exists(num)
    assert tag.startswith('<img src="data:image/png;base64,') and tag.endswith('loading="lazy">')
    assert 'alt="各月&quot;活动&quot;"' in tag and 'width="800" height="450"' in tag
    png = base64.b64decode(tag.split("base64,")[1].split('"')[0])
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size == (800, 450)
