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
from typing import Callable

__all__ = ["main", "command", "COMMANDS"]

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


class UserError(Exception):
    """A problem the user can fix; printed as one Chinese line, exit 2."""


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
    )
)
def _check(a: argparse.Namespace) -> int:
    from .check import check_ledger
    from .findings import has_errors, to_json, to_text

    ledger = _load(a.data, a.year, a.units_file)
    findings = check_ledger(ledger)
    _out(to_json(findings) if a.format == "json" else to_text(findings, verbose=a.verbose))
    return 1 if has_errors(findings) else 0


def _registry(units_file: str | None):
    from .registry import UnitRegistry

    path = Path(units_file) if units_file else Path("params/units.yaml")
    if units_file and not path.exists():
        raise UserError(f"找不到单位名册文件：{path}")
    return UnitRegistry.from_yaml(path) if path.exists() else None


def _load(data: list[str], year: int | None, units_file: str | None = None):
    from .load import load_ledgers

    for d in data:
        if not Path(d).exists() and not Path(d).is_symlink():
            raise UserError(f"找不到文件或文件夹：{d}")
    reg = _registry(units_file)
    return load_ledgers(data, year=year, registry=reg)


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
    from .indicators import compute_indicators
    from .iorw import write_csv, write_text

    ledger = _load(a.data, a.year, a.units_file)
    ind = compute_indicators(ledger)
    if a.format == "xlsx":
        if not a.output:
            raise UserError("xlsx 格式需要用 -o 指定输出文件")
        from .export import write_indicators_xlsx

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
    from .template import write_template

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
    )
)
def _sample(a: argparse.Namespace) -> int:
    from .sample import generate_sample

    res = generate_sample(a.out_dir, units=a.units, years=tuple(a.years), seed=a.seed, mess=not a.clean)
    _out(f"已生成 {len(res.files)} 个示例台账：{Path(a.out_dir).resolve()}")
    return 0


# --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

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


def _load_plugins() -> None:
    # commands that live with their stage
    from . import archive_cli  # noqa: F401  (build, demo, seal, verify, summary)


def main(argv: list[str] | None = None) -> int:
    _ensure_utf8_streams()
    try:
        _load_plugins()
    except ImportError:
        pass
    parser = build_parser()
    a = parser.parse_args(argv)
    if not a.command:
        parser.print_help()
        return 0
    _help, _setup, fn = COMMANDS[a.command]
    try:
        return int(fn(a) or 0)
    except UserError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。已写出的文件都是完整的；未完成的不会留下半截文件。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
