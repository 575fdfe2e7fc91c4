"""Chart functions: common signature, Chinese rendering, empty data, details."""

from __future__ import annotations

import base64
import inspect
import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

from gonghui_kit.present import charts as C
from gonghui_kit.present import layout as L
from gonghui_kit.present.fmt import fmt_int, fmt_pct, fmt_yuan
from gonghui_kit.present.fonts import FAMILY

UNITS = [
    "市总工会机关",
    "第一人民医院工会",
    "城投集团工会委员会",
    "公交公司工会",
    "高新区某某电子科技有限公司联合工会委员会",
]


def _samples():
    return {
        "bar": (
            C.bar,
            dict(data=pd.DataFrame({"月份": ["01", "03"], "次数": [4, 2]}), x="月份", y="次数", order=C.MONTHS),
        ),
        "barh": (
            C.barh,
            dict(
                data=pd.DataFrame({"单位": UNITS, "人均": [900, 1500, 300, 1200, 700]}),
                x="人均",
                y="单位",
                highlight="公交公司工会",
                fmt=fmt_int,
                ref=800,
            ),
        ),
        "grouped_bar": (
            C.grouped_bar,
            dict(
                data=pd.DataFrame(
                    {
                        "科目": ["职工教育费", "文体活动费"] * 2,
                        "占比": [0.1, 0.3, 0.2, 0.25],
                        "口径": ["本单位", "本单位", "同类单位中位数", "同类单位中位数"],
                    }
                ),
                x="科目",
                y="占比",
                hue="口径",
                fmt=fmt_pct,
            ),
        ),
        "line": (
            C.line,
            dict(
                data=pd.DataFrame(
                    {
                        "年度": [2022, 2023, 2024] * 2,
                        "人数": [5, 6, 7, 4, 5, 5],
                        "口径": ["本单位"] * 3 + ["中位数"] * 3,
                    }
                ),
                x="年度",
                y="人数",
                hue="口径",
                labels=True,
            ),
        ),
        "donut": (
            C.donut,
            dict(data=pd.DataFrame({"状态": ["已办结", "办理中", "撤回"], "件数": [23, 8, 1]}), x="状态", y="件数"),
        ),
        "pyramid": (
            C.pyramid,
            dict(
                data=pd.DataFrame(
                    {
                        "年龄段": ["35岁以下", "35-45岁", "55岁以上"] * 2,
                        "性别": ["男"] * 3 + ["女"] * 3,
                        "人数": [30, 40, 10, 20, 35, 8],
                    }
                ),
                age_group="年龄段",
                gender="性别",
                value="人数",
            ),
        ),
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
    ax = C.bar(
        pd.DataFrame({"月份": ["01", "03", "03"], "次数": [4, 2, 1]}),
        x="月份",
        y="次数",
        order=C.MONTHS,
        xticklabels=[f"{m}月" for m in range(1, 13)],
    )
    heights = [p.get_height() for p in ax.patches]
    assert heights == [4, 0, 3] + [0] * 9  # summed; missing months shown as 0
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["1月", "2月"]
    assert "3" in [t.get_text() for t in ax.texts]  # value labels


def test_barh_sorted_highlighted_and_formatted():
    df = pd.DataFrame({"单位": UNITS, "金额": [90000, 150000, 3000, 120000, 70000]})
    ax = C.barh(df, x="金额", y="单位", highlight="公交公司工会", fmt=fmt_yuan)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ys = [t.get_position()[1] for t in ax.get_yticklabels()]
    top_down = [lab for _, lab in sorted(zip(ys, labels, strict=False), reverse=True)]
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
    assert matplotlib.rcParams["font.sans-serif"][0] == FAMILY
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


# -- fixed layouts -------------------------------------------------------------

LONG = [
    "高新区某某电子科技有限公司联合工会委员会",
    "市第一人民医院工会",
    "城市建设投资集团有限责任公司工会委员会（筹）",
    "公交公司工会",
    "ABC Technology Co. Ltd. 工会",
]


def _hard_cases():
    rng = np.random.default_rng(0)
    many = [f"{k}类活动项目名称较长" for k in "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未"]
    return {
        "bar_long": (C.bar, dict(data=pd.DataFrame({"c": LONG, "v": [5, 12, 7, -3, 9]}), x="c", y="v")),
        "bar_rotated": (C.bar, dict(data=pd.DataFrame({"c": many, "v": rng.integers(0, 9, len(many))}), x="c", y="v")),
        "barh_long": (
            C.barh,
            dict(
                data=pd.DataFrame({"c": LONG, "v": [1234567, 2345, 34567, 4567, 98765]}),
                x="v",
                y="c",
                fmt=fmt_yuan,
                ref=1_000_000,
                highlight="公交公司工会",
            ),
        ),
        "grouped_many": (
            C.grouped_bar,
            dict(
                data=pd.DataFrame(
                    {"c": many[:9] * 2, "v": rng.random(18), "h": ["本单位"] * 9 + ["同类单位中位数"] * 9}
                ),
                x="c",
                y="v",
                hue="h",
                fmt=fmt_pct,
            ),
        ),
        "line_categories": (
            C.line,
            dict(
                data=pd.DataFrame(
                    {
                        "q": ["一季度", "二季度", "三季度", "四季度"] * 2,
                        "v": [3, 5, 2, 8, 4, 4, 6, 7],
                        "h": ["本单位"] * 4 + ["同类单位中位数"] * 4,
                    }
                ),
                x="q",
                y="v",
                hue="h",
                labels=True,
            ),
        ),
        "donut_long": (
            C.donut,
            dict(
                data=pd.DataFrame(
                    {
                        "c": ["节日慰问", "困难职工帮扶慰问（大病救助及子女助学）", "生病住院", "生日"],
                        "v": [75, 30, 12, 9],
                    }
                ),
                x="c",
                y="v",
            ),
        ),
    }


LAYOUT_CASES = {**SAMPLES, **_hard_cases()}


def _frame_texts(ax: Axes) -> list:
    """The texts around the plot: drawn tick labels, axis labels, titles, legend."""
    from matplotlib.text import Text

    out = []
    for axis in (ax.xaxis, ax.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        for tick in axis.get_major_ticks():
            if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                out += [t for t in (tick.label1, tick.label2) if t.get_visible()]
        out.append(axis.label)
    out += [c for c in ax.get_children() if isinstance(c, Text) and c not in ax.texts]  # titles
    leg = ax.get_legend()
    if leg is not None:
        out += list(leg.get_texts())
    return [t for t in out if t.get_visible() and t.get_text()]


def _assert_clear(fig, axes):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    fb = fig.bbox
    boxes = []
    for ax in axes:
        for t in _frame_texts(ax) + list(ax.texts):
            bb = t.get_window_extent(r)
            assert bb.x0 >= fb.x0 - 1 and bb.x1 <= fb.x1 + 1 and bb.y0 >= fb.y0 - 1 and bb.y1 <= fb.y1 + 1, (
                f"cut off: {t.get_text()!r} {bb} (figure {fb})"
            )
        boxes += [
            (t.get_text(), t.get_rotation() % 180 != 0, t.get_window_extent(r).shrunk(0.98, 0.9))
            for t in _frame_texts(ax)
        ]
    for i, (a, rot_a, ba) in enumerate(boxes):
        for b, rot_b, bb in boxes[i + 1 :]:
            if rot_a and rot_b:  # the boxes of slanted labels overlap, their glyphs do not
                continue
            assert not ba.overlaps(bb), f"overlap: {a!r} and {b!r}"


@pytest.mark.parametrize("name", list(LAYOUT_CASES))
def test_fixed_layout_keeps_labels_inside_and_apart(name):
    fn, kw = LAYOUT_CASES[name]
    ax = fn(
        title=f"{name}：一个相当长的标题，需要在图的宽度内自动换行（单位：元）", xlabel="横轴说明", ylabel="纵轴", **kw
    )
    fig = ax.figure
    assert fig.get_layout_engine() is None and not matplotlib.rcParams["figure.constrained_layout.use"]
    _assert_clear(fig, [ax])
    title = [t for t in _frame_texts(ax) if t.get_text().startswith(name[:3])][0]
    r = fig.canvas.get_renderer()
    for t in _frame_texts(ax):
        if t is not title:
            assert not title.get_window_extent(r).overlaps(t.get_window_extent(r))


def test_saved_with_one_draw():
    """No layout engine: savefig draws the figure once (no layout pass first)."""
    fn, kw = SAMPLES["barh"]
    ax = fn(title="标题", **kw)
    fig = ax.figure
    draws = []
    orig = fig.draw
    fig.draw = lambda renderer: (draws.append(1), orig(renderer))[1]
    png = C.figure_to_png(fig)
    assert len(draws) == 1 and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)


def test_grid_cells_side_by_side_and_align():
    fig, (a1, a2) = C.grid(2, figsize=(11, 4.2), width_ratios=[1.25, 1])
    assert fig.get_layout_engine() is None
    C.bar(
        pd.DataFrame({"m": C.MONTHS, "v": range(12)}),
        x="m",
        y="v",
        order=C.MONTHS,
        ax=a1,
        title="各月活动场次",
        ylabel="场次",
        xticklabels=[f"{m}月" for m in range(1, 13)],
    )
    C.barh(pd.DataFrame({"c": LONG, "v": [3, 2, 1, 4, 5]}), x="v", y="c", ax=a2, title="各类活动场次", xlabel="场次")
    C.align(a1, a2)
    p1, p2 = a1.get_position(), a2.get_position()
    assert p1.y0 == pytest.approx(p2.y0) and p1.y1 == pytest.approx(p2.y1)
    assert p1.x1 < 1.25 / 2.25 < p2.x0  # each plot inside its own cell
    _assert_clear(fig, [a1, a2])


def test_small_multiples_same_width():
    fig, axes = C.grid(4, figsize=(12, 3.4))
    for ax, hi in zip(axes, [60, 8, 250, 12000], strict=False):
        C.line(
            pd.DataFrame({"年": [2021, 2022, 2023], "v": [hi, hi * 0.8, hi * 0.9]}),
            x="年",
            y="v",
            ax=ax,
            title="趋势",
            labels=True,
            fmt=fmt_int,
        )
    C.align(*axes, same_width=True)
    widths = {round(ax.get_position().width, 6) for ax in axes}
    assert len(widths) == 1
    _assert_clear(fig, axes)


def test_user_layout_engine_is_respected():
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    before = ax.get_position().bounds
    fn, kw = SAMPLES["barh"]
    fn(ax=ax, title="标题", **kw)
    assert fig.get_layout_engine() is not None and ax.get_position().bounds == before
    _render(ax)


def test_count_axes_get_whole_number_ticks():
    ax = C.bar(pd.DataFrame({"月份": ["01", "02"], "次数": [1, 2]}), x="月份", y="次数", fmt=fmt_int)
    labels = [t for _, t in L.tick_texts(ax.yaxis)]
    assert labels == ["0", "1", "2"]


def test_text_width_estimate_is_an_upper_bound():
    fig = plt.figure()
    r = fig.canvas.get_renderer()
    for s in ["第16基层工会委员会", "2,588", "100.0%", "ABC Technology Co. Ltd. 工会", "困难帮扶\n覆盖率（%）"]:
        t = fig.text(0, 0, s, fontsize=10)
        bb = t.get_window_extent(r)
        w, h = L.text_box(s, 10)
        assert bb.width * 72 / fig.dpi <= w <= bb.width * 72 / fig.dpi * 1.15 + 2, s
        assert bb.height * 72 / fig.dpi <= h + 1, s
