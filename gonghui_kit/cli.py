"""The ``gonghui`` command.

Sub-commands are registered by name (``@command``); each one is a thin layer
over a library function, so whatever the CLI does a notebook can do too.
Problems a user caused end in a Chinese message and an exit status, never a
traceback.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from gonghui_kit import resources
from gonghui_kit.errors import GonghuiError, UserError

__all__ = ["main", "command", "COMMANDS"]

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def command(name: str, help: str):
    """Register ``fn(args) -> exit status`` with its argument setup ``fn.setup``."""

    def deco(fn):
        COMMANDS[name] = (help, getattr(fn, "setup", lambda p: None), fn)
        return fn

    return deco


def args(setup: Callable[[argparse.ArgumentParser], None]):
    def deco(fn):
        fn.setup = setup
        return fn

    return deco


def _year_range(text: str) -> list[int]:
    """``2022-2024`` or ``2022,2024`` → years.

    >>> _year_range("2022-2024"), _year_range("2023")
    ([2022, 2023, 2024], [2023])
    """
    out: list[int] = []
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


# --------------------------------------------------------------------------
# check


@command("check", "核查台账：逐个文件列出问题（修正了什么、排除了哪些行）")
@args(
    lambda p: (
        p.add_argument("data", nargs="+", help="台账文件或文件夹"),
        p.add_argument("--year", type=int, help="只核查该年度（其他年度的台账报错）"),
        p.add_argument("--format", choices=["text", "json"], default="text"),
        p.add_argument("--verbose", action="store_true", help="逐条列出所有提示"),
        p.add_argument("--units", dest="units_file", help="单位名册 units.yaml（默认 params/units.yaml，如存在）"),
        p.add_argument(
            "--layouts", dest="layouts_dir", help="版式文件夹（默认 params/layouts，如存在；见 gonghui map）"
        ),
    )
)
def _check(a: argparse.Namespace) -> int:
    from gonghui_kit.ingest.check import check_ledger
    from gonghui_kit.ingest.findings import has_errors, to_json, to_text

    ledger = _load(a.data, a.year, a.units_file, a.layouts_dir)
    findings = check_ledger(ledger)
    _out(to_json(findings) if a.format == "json" else to_text(findings, verbose=a.verbose))
    return 1 if has_errors(findings) else 0


def _registry(units_file: str | None):
    """The roster (``--units``, else ./params/units.yaml, else the shipped one — said on stderr)."""
    registry, where = resources.roster(units_file, warn=False)
    if where.origin == "shipped":
        print(f"提示：未找到 params/units.yaml，{where.note}", file=sys.stderr)
    return registry


def _load(data: list[str], year: int | None, units_file: str | None = None, layouts_dir: str | None = None):
    from gonghui_kit.ingest.layouts import LayoutError, load_layouts
    from gonghui_kit.ingest.load import load_ledgers

    for d in data:
        if not Path(d).exists() and not Path(d).is_symlink():
            raise UserError(f"找不到文件或文件夹：{d}")
    reg = _registry(units_file)
    try:  # layout files: --layouts, else ./params/layouts when it exists
        layouts = load_layouts(layouts_dir or Path("params") / "layouts")
    except LayoutError as e:
        raise UserError(str(e)) from None
    return load_ledgers(data, year=year, registry=reg, layouts=layouts)


@command("map", "为一个格式特殊的台账生成版式文件草稿（说明各工作表、各列对应模板的哪一项）")
@args(
    lambda p: (
        p.add_argument("file", help="台账文件"),
        p.add_argument("-o", "--output", help="写入的版式文件（默认输出到屏幕；建议放在 params/layouts/ 下）"),
    )
)
def _map(a: argparse.Namespace) -> int:
    from gonghui_kit.ingest.layouts import LayoutError, propose_layout
    from gonghui_kit.ingest.read import ReadError

    if not Path(a.file).is_file():
        raise UserError(f"找不到文件：{a.file}")
    try:
        text = propose_layout(a.file)
    except (LayoutError, ReadError) as e:
        raise UserError(str(e)) from None
    if a.output:
        Path(a.output).parent.mkdir(parents=True, exist_ok=True)
        Path(a.output).write_text(text, encoding="utf-8")
        _out(f"版式文件草稿已写入 {a.output}：请核对其中标为 ignore 的工作表和列，改成它们的含义后运行 gonghui check")
    else:
        _out(text)
    return 0


# --------------------------------------------------------------------------
# feedback (the collection round)


@command("feedback", "收集反馈：给每个单位写问题清单和标注副本，列出报送情况（未报送、有问题、多个版本）")
@args(
    lambda p: (
        p.add_argument("data", nargs="+", help="本轮收到的台账文件或文件夹"),
        p.add_argument("--year", type=int, required=True, help="年度"),
        p.add_argument("--out", required=True, help="反馈输出文件夹（每个单位一个子文件夹；保留上一轮的记录）"),
        p.add_argument("--units", dest="units_file", help="单位名册 units.yaml（默认 params/units.yaml，如存在）"),
    )
)
def _feedback(a: argparse.Namespace) -> int:
    from rich.console import Console

    from gonghui_kit.feedback import feedback, status_table

    for d in a.data:
        if not Path(d).exists() and not Path(d).is_symlink():
            raise UserError(f"找不到文件或文件夹：{d}")
    res = feedback(a.data, a.year, a.out, _registry(a.units_file))
    Console(width=max(Console().width, 160)).print(status_table(res))
    _out(f"报送情况：{res.status_book}")
    _out(f"各单位的问题清单：{Path(a.out).resolve()}（共 {len(res.lists)} 份）")
    return 0 if res.ok else 1


# --------------------------------------------------------------------------
# indicators


@command("indicators", "计算指标，输出长表 unit, year, indicator, category, value")
@args(
    lambda p: (
        p.add_argument("data", nargs="+", help="台账文件或文件夹（可多个年度）"),
        p.add_argument("--year", type=int),
        p.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv"),
        p.add_argument("-o", "--output", help="输出文件（不填则 CSV/JSON 输出到屏幕）"),
        p.add_argument("--units", dest="units_file"),
    )
)
def _indicators(a: argparse.Namespace) -> int:
    from gonghui_kit.analysis.indicators import compute_indicators
    from gonghui_kit.atomic import write_csv, write_text

    ledger = _load(a.data, a.year, a.units_file)
    ind = compute_indicators(ledger)
    if a.format == "xlsx":
        if not a.output:
            raise UserError("xlsx 格式需要用 -o 指定输出文件")
        from gonghui_kit.present.xlsx import write_indicators_xlsx

        write_indicators_xlsx(a.output, ind)
    elif a.format == "json":
        text = ind.to_json(orient="records", force_ascii=False, indent=1)
        write_text(a.output, text) if a.output else _out(text)
    else:
        write_csv(a.output, ind) if a.output else _out(ind.to_csv(index=False))
    if a.output:
        print(f"已写出：{a.output}", file=sys.stderr)
    errors = sum(f.severity == "error" for f in ledger.findings)
    if errors:
        print(f"注意：{errors} 个文件有错误未计入，请运行 gonghui check 查看。", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------
# template and sample


@command("template", "生成空白台账模板（含下拉选项、格式和填表说明）")
@args(
    lambda p: (
        p.add_argument("out", help="输出 .xlsx 文件"),
        p.add_argument("--unit", help="预填单位名称"),
        p.add_argument("--year", type=int, help="预填年度"),
    )
)
def _template(a: argparse.Namespace) -> int:
    from gonghui_kit.ledgers.template import write_template

    path = write_template(a.out, unit=a.unit, year=a.year)
    _out(f"已生成模板：{path}")
    return 0


@command("sample", "生成示例台账（多个单位、多个年度，含真实世界的各种不规范写法）")
@args(
    lambda p: (
        p.add_argument("out_dir", help="输出文件夹，按年度分子文件夹"),
        p.add_argument("--units", type=int, default=12),
        p.add_argument("--years", type=_year_range, default=[2022, 2023, 2024]),
        p.add_argument("--seed", type=int, default=0),
        p.add_argument("--clean", action="store_true", help="不加入不规范写法"),
        p.add_argument(
            "--real-world",
            action="store_true",
            help="按基层实际报送的样子改写（合并单元格、大写金额、统计表、一张表多个分会、分文件报送……），"
            "只生成 --years 的最后一年，每份的“标准答案”（应得的指标）写在 _truth/ 下",
        ),
    )
)
def _sample(a: argparse.Namespace) -> int:
    if a.real_world:
        from random import Random

        from gonghui_kit.ledgers.realworld import make_corpus, random_variant
        from gonghui_kit.ledgers.realworld.containers import soffice

        rng = Random(a.seed)
        variants = [random_variant(rng, convert_ok=soffice() is not None, errors=False) for _ in range(a.units)]
        corpus = make_corpus(a.out_dir, variants, seed=a.seed, year=a.years[-1], mess=not a.clean)
        units = sum(len(o.units) for o in corpus.outputs)
        _out(
            f"已生成 {len(corpus.outputs)} 份按实际报送样子改写的台账（{corpus.year} 年度，{units} 个单位）："
            f"{Path(a.out_dir).resolve()}；每份应得的指标在 _truth/ 下"
        )
        return 0
    from gonghui_kit.ledgers.sample import generate_sample

    res = generate_sample(a.out_dir, units=a.units, years=tuple(a.years), seed=a.seed, mess=not a.clean)
    _out(f"已生成 {len(res.files)} 个示例台账：{Path(a.out_dir).resolve()}")
    return 0


# --------------------------------------------------------------------------
# summary


@command("summary", "生成某单位某年度的工作总结初稿（Markdown 或 Word）")
@args(
    lambda p: (
        p.add_argument("data", nargs="+", help="台账文件或文件夹（含上一年度时可写同比）"),
        p.add_argument("--unit", required=True, help="单位名称"),
        p.add_argument("--year", type=int, required=True),
        p.add_argument("-o", "--output", help="输出 .md 或 .docx（不填则输出到屏幕）"),
        p.add_argument("--units", dest="units_file", help="单位名册 units.yaml"),
        p.add_argument("--standards", dest="standards_file", help="经费标准 standards.yaml"),
    )
)
def _summary(a: argparse.Namespace) -> int:
    return summary_command(a.data, a.unit, a.year, a.output, units_file=a.units_file, standards_file=a.standards_file)


def summary_command(
    data: str | Path | Sequence[str | Path],
    unit: str,
    year: int,
    output: str | Path | None = None,
    *,
    units_file: str | Path | None = None,
    standards_file: str | Path | None = None,
) -> int:
    """Body of ``gonghui summary DATA --unit NAME --year Y [-o FILE.md|.docx]``.

    Loads the ledgers in ``data`` (give the previous year's too, for the
    year-on-year figures), the units registry (``units_file`` or
    ``params/units.yaml`` when present) and the spending standards
    (``standards_file`` or ``params/standards.yaml`` when present), and
    writes the draft to ``output`` (``.md`` or ``.docx``) and its 核查清单
    next to it (``<name>-核查清单.md``), or prints both (the list to stderr).
    Returns the exit status; problems the user can fix raise
    :class:`~gonghui_kit.errors.UserError` with a Chinese message.
    """
    from gonghui_kit.analysis.indicators import compute_indicators
    from gonghui_kit.analysis.narrative import checklist_markdown, facts, render_summary
    from gonghui_kit.analysis.standards import breaches_frame
    from gonghui_kit.atomic import write_text
    from gonghui_kit.ingest.load import load_ledgers

    paths = [data] if isinstance(data, (str, Path)) else list(data)
    for p in paths:
        if not Path(p).exists():
            raise UserError(f"找不到文件或文件夹：{p}")
    registry, reg_from = resources.roster(units_file, warn=False)
    standards, std_from = resources.standards(standards_file, warn=False)
    for where in (reg_from, std_from):
        if where.origin == "shipped":
            print(f"提示：{where.note}", file=sys.stderr)
    out = Path(output) if output else None
    if out is not None and out.suffix.lower() not in (".md", ".docx", ".txt"):
        raise UserError(f"输出文件应为 .md 或 .docx：{out}")

    ledger = load_ledgers([Path(p) for p in paths], registry=registry)
    ind = compute_indicators(ledger)
    name = registry.canonical(unit) if registry is not None else str(unit).strip()
    have = ind[(ind["unit"] == name) & (ind["year"] == int(year))]
    if have.empty:
        units = sorted(ind.loc[ind["year"] == int(year), "unit"].unique())
        hint = (
            f"该年度的单位有：{'、'.join(units[:20])}{'等' if len(units) > 20 else ''}"
            if units
            else "台账中没有该年度的数据"
        )
        raise UserError(f"台账中没有“{unit}”{year}年度的数据。{hint}")
    breaches = breaches_frame(ledger, ind, standards, registry) if standards is not None else None
    f = facts(name, int(year), ind, breaches=breaches, registry=registry, tables=ledger)
    text = render_summary(f)
    checks = checklist_markdown(f)
    if out is None:
        sys.stdout.write(text)
        sys.stderr.write("\n" + checks)
        return 0
    companion = out.with_name(f"{out.stem}-核查清单.md")
    if out.suffix.lower() == ".docx":
        from gonghui_kit.present.docx import summary_docx

        summary_docx(text, out, signature=name)
    else:
        write_text(out, text)
    write_text(companion, checks)
    print(f"已写出：{out}（核查清单：{companion}）", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------
# build, demo, seal, verify


def _build_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="年度")
    p.add_argument("--data", help="台账根目录，每年一个子文件夹（默认 data/）")
    p.add_argument("--params", help="运行配置 params/*.yaml")
    p.add_argument("--units", help="只生成这些单位，逗号分隔")
    p.add_argument("--jobs", type=int, help="同时生成几份报告（默认 CPU 核数）")
    p.add_argument("--out", help="输出目录（默认 reports/）")
    p.add_argument(
        "--engine",
        choices=["warm", "papermill"],
        help="执行引擎：warm（默认，预热进程+每份报告一个新子进程）或 papermill（每份报告一个 Jupyter 内核）",
    )
    p.add_argument("--scheduler", help="Dask 调度器地址（如 tcp://10.0.0.5:8786），把各单位的报告分发到集群")
    p.add_argument("--force", action="store_true", help="全部重建（包括已封存的年度）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")


def _config_from_args(a: argparse.Namespace, year: int):
    from gonghui_kit.build import BuildConfig

    raw = BuildConfig.read_params(a.params) if getattr(a, "params", None) else {}

    def pick(name, default):
        v = getattr(a, name, None)
        return v if v is not None else raw.get(name, default)

    def param_file(key, default_name):
        if key in raw:  # relative to the working folder, else to the params file
            p = Path(raw[key])
            here = Path(a.params).parent
            for cand in (p, here / p, here / p.name):
                if cand.exists():
                    return cand
            raise UserError(f"{a.params}：找不到 {key} 文件 {p}")
        return resources.user_or_shipped(default_name, None, warn=False).path

    units = a.units.replace("，", ",").split(",") if getattr(a, "units", None) else raw.get("units")
    return BuildConfig(
        year=year,
        data=Path(pick("data", "data")),
        out=Path(pick("out", "reports")),
        jobs=int(pick("jobs", os.cpu_count() or 2)),
        engine=pick("engine", "warm"),
        scheduler=getattr(a, "scheduler", None),
        units=[u.strip() for u in units if u.strip()] if units else None,
        force=bool(getattr(a, "force", False)),
        registry_file=param_file("registry", "units.yaml"),
        standards_file=param_file("standards", "standards.yaml"),
        unit_report=raw.get("unit_report", {}),
        compare_units=raw.get("compare_units", {}),
        params_file=Path(a.params) if getattr(a, "params", None) else None,
        progress=not getattr(a, "quiet", False),
    )


def _run_build(cfg) -> int:
    from gonghui_kit.build import build
    from gonghui_kit.progress import BuildProgress

    with BuildProgress(enabled=cfg.progress) as prog:
        res = build(cfg, on_event=prog.event)
    prog.summary(res)
    return res.exit_status


@command("build", "生成某年度全部单位的报告、对比页、数据质量报告和指标表（增量）")
@args(_build_setup)
def _build(a: argparse.Namespace) -> int:
    return _run_build(_config_from_args(a, a.year))


@command("demo", "演示：生成三年示例台账并生成全部年度报告，最后给出档案首页路径")
@args(
    lambda p: (
        p.add_argument("--out", default="reports", help="报告输出目录（默认 reports/）"),
        p.add_argument("--data", default="data", help="示例台账写到哪里（默认 data/）"),
        p.add_argument("--years", type=_year_range, default=[2022, 2023, 2024]),
        p.add_argument("--units", type=int, default=12, dest="n_units"),
        p.add_argument("--jobs", type=int),
        p.add_argument("--engine", choices=["warm", "papermill"]),
        p.add_argument("--quiet", action="store_true"),
    )
)
def _demo(a: argparse.Namespace) -> int:
    from gonghui_kit.ledgers.sample import generate_sample

    data = Path(a.data)
    if not all(any((data / str(y)).glob("*.xlsx")) for y in a.years):
        print(f"生成示例台账：{data.resolve()}", file=sys.stderr)
        generate_sample(data, units=a.n_units, years=tuple(a.years), seed=0)
    a.params = str(resources.params_path("demo.yaml"))
    a.data, a.units, a.scheduler, a.force = str(data), None, None, False
    status = 0
    for y in a.years:
        print(f"== {y} 年度 ==", file=sys.stderr)
        status = max(status, _run_build(_config_from_args(a, y)))
    index = (Path(a.out) / "index.html").resolve()
    _out(f"档案首页：{index}")
    return status


@command("seal", "封存某年度：此后不会被重建或覆盖（除非 --force）")
@args(
    lambda p: (
        p.add_argument("year", type=int),
        p.add_argument("--out", default="reports"),
        p.add_argument("--note", default=""),
        p.add_argument("--force", action="store_true", help="有单位的报告未生成成功时仍然封存"),
    )
)
def _seal(a: argparse.Namespace) -> int:
    from gonghui_kit.archive.manifest import is_sealed, seal
    from gonghui_kit.archive.pages import write_root_index

    d = Path(a.out) / str(a.year)
    if is_sealed(d):
        _out(f"{a.year} 年度已经封存：{d}")
        return 0
    try:
        p = seal(d, note=a.note, force=a.force)
    except FileNotFoundError as e:
        raise UserError(str(e)) from e
    write_root_index(Path(a.out))
    _out(f"已封存 {a.year} 年度：{p}")
    return 0


@command("verify", "核对归档：逐个文件重新计算 SHA-256，与清单比对；加 --data 时按台账重新计算指标，与归档所写的比对")
@args(
    lambda p: (
        p.add_argument("year_dir", help="年度目录，如 reports/2023"),
        p.add_argument("--data", help="台账根目录：按台账重新计算指标，与指标表和各页面所写的数字比对"),
        p.add_argument("--units", dest="units_file", help="单位名册 units.yaml（与 --data 一起用）"),
        p.add_argument("--standards", dest="standards_file", help="经费标准 standards.yaml（与 --data 一起用）"),
    )
)
def _verify(a: argparse.Namespace) -> int:
    from gonghui_kit.archive.manifest import verify

    d = Path(a.year_dir)
    if not d.is_dir():
        raise UserError(f"找不到目录：{d}")
    res = verify(d)
    bad = False
    for kind, label in (
        ("missing", "缺失"),
        ("changed", "已被修改"),
        ("extra", "清单外的文件"),
        ("failed", "报告未生成成功的单位"),
        ("stale", "报告未按最新数据更新的单位（build --units 未包括）"),
    ):
        for f in res.get(kind, []):
            _out(f"{label}：{f}")
            bad = True
    if not bad:
        _out(f"核对通过：{d} 中清单所列文件均完整未改动，没有清单外的文件。")
    if a.data:
        from gonghui_kit.archive.audit import audit

        if not Path(a.data).is_dir():
            raise UserError(f"找不到台账目录：{a.data}")
        problems = audit(d, a.data, units_file=a.units_file, standards_file=a.standards_file)
        for line in problems:
            _out(f"与台账不符：{line}")
        if problems:
            bad = True
        else:
            _out(f"内容核对通过：按 {a.data} 中的台账重新计算，指标表和各页面的数字与台账一致。")
    return 1 if bad else 0


# --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from gonghui_kit import __version__

    p = argparse.ArgumentParser(prog="gonghui", description="工会台账分析工具：核查、指标、亮点、报告与年度归档")
    p.add_argument("--version", action="version", version=f"gonghui_kit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="命令")
    for name, (help_, setup, _fn) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_, description=help_)
        setup(sp)
    return p


def _ensure_utf8_streams() -> None:
    """Windows consoles may be GBK: never crash on a character they lack."""
    for s in (sys.stdout, sys.stderr):
        try:
            if s.encoding and s.encoding.lower().replace("-", "") not in ("utf8", "utf8sig"):
                s.reconfigure(errors="replace")
        except (AttributeError, io.UnsupportedOperation):
            pass


def main(argv: list[str] | None = None) -> int:
    _ensure_utf8_streams()
    parser = build_parser()
    a = parser.parse_args(argv)
    if not a.command:
        parser.print_help()
        return 0
    _help, _setup, fn = COMMANDS[a.command]
    try:
        return int(fn(a) or 0)
    except GonghuiError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。已写出的文件都是完整的；未完成的不会留下半截文件。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
