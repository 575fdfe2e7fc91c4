"""Seconds per chart (build + draw + save PNG), for each chart type.

Not a test — run by hand::

    python bench/bench_charts.py [--repeat 10]

Budget: a typical bar chart ≤ 0.15 s.  The first figure of a process also
pays for importing matplotlib / seaborn and registering the bundled font; that
one-off cost is printed separately.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from gonghui_kit import charts as C  # noqa: E402
from gonghui_kit.fmt import fmt_int, fmt_pct, fmt_yuan  # noqa: E402

rng = np.random.default_rng(0)
UNITS = [f"第{i}基层工会委员会" for i in range(1, 21)]
SUBJECTS = ["职工教育费", "文体活动费", "宣传活动费", "职工集体福利费", "送温暖费", "其他活动支出", "维权支出"]
INDICATORS = ["入会率", "人均经费", "活动参与率", "提案办结率", "困难帮扶覆盖率", "职工培训人次", "台账完整度"]

CASES = {
    "bar": lambda: C.bar(pd.DataFrame({"月份": C.MONTHS, "活动次数": rng.integers(0, 15, 12)}),
                         x="月份", y="活动次数", order=C.MONTHS, title="各月活动开展次数"),
    "barh": lambda: C.barh(pd.DataFrame({"单位": UNITS, "人均经费": rng.integers(300, 2600, 20)}),
                           x="人均经费", y="单位", highlight=UNITS[3], fmt=fmt_int, ref=1200,
                           title="会员人均经费（元）"),
    "grouped_bar": lambda: C.grouped_bar(
        pd.DataFrame({"科目": SUBJECTS * 2, "占比": rng.dirichlet(np.ones(14)),
                      "口径": ["本单位"] * 7 + ["同类单位中位数"] * 7}),
        x="科目", y="占比", hue="口径", fmt=fmt_pct, title="经费支出结构"),
    "line": lambda: C.line(pd.DataFrame({"年度": list(range(2020, 2025)) * 2,
                                         "会员人数": rng.integers(1500, 1900, 10),
                                         "口径": ["本单位"] * 5 + ["同类单位中位数"] * 5}),
                           x="年度", y="会员人数", hue="口径", labels=True, title="会员人数趋势"),
    "donut": lambda: C.donut(pd.DataFrame({"状态": ["已办结", "办理中", "不予立案", "转意见建议"],
                                           "件数": [23, 8, 3, 5]}), x="状态", y="件数", title="提案办理情况"),
    "heatmap": lambda: C.heatmap(
        pd.DataFrame([{"单位": u, "指标": k, "排名": r} for k in INDICATORS
                      for u, r in zip(UNITS[:12], rng.permutation(12) + 1)]),
        x="指标", y="单位", value="排名", title="关键指标排名"),
    "pyramid": lambda: C.pyramid(
        pd.DataFrame({"年龄段": ["35岁以下", "35-45岁", "45-55岁", "55岁以上"] * 2,
                      "性别": ["男"] * 4 + ["女"] * 4, "人数": rng.integers(50, 400, 8)}),
        age_group="年龄段", gender="性别", value="人数", title="会员年龄与性别结构"),
    "bar_yuan": lambda: C.bar(pd.DataFrame({"科目": SUBJECTS, "金额": rng.integers(5e3, 2e6, 7)}),
                              x="科目", y="金额", fmt=fmt_yuan, title="经费支出（元）"),
}


def run_once(fn) -> float:
    t = time.perf_counter()
    ax = fn()
    ax.figure.savefig(io.BytesIO(), format="png")
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    first = run_once(CASES["bar"])
    print(f"{'first figure (cold)':22s} {first:.3f} s")
    for name, fn in CASES.items():
        times = [run_once(fn) for _ in range(args.repeat)]
        print(f"{name:22s} {statistics.median(times):.3f} s  (min {min(times):.3f}, max {max(times):.3f})")
    t = time.perf_counter()
    for _ in range(args.repeat):
        C.figure_to_img_tag(CASES["bar"]().figure, alt="bar")
    print(f"{'bar → <img> tag':22s} {(time.perf_counter() - t) / args.repeat:.3f} s")


if __name__ == "__main__":
    main()
