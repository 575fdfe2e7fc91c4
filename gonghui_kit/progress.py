"""Progress while building, and the closing summary table (rich)."""

from __future__ import annotations

from typing import Any

from gonghui_kit.build import job_label

__all__ = ["BuildProgress"]


class BuildProgress:
    """Receives build events (stage, plan, start, done) and shows them:
    a bar over the reports, one line per finished unit, and a summary."""

    def __init__(self, enabled: bool = True):
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False, soft_wrap=True)
        self.enabled = enabled and self.console.is_terminal
        self.progress = None
        self.task = None
        self.total = 0

    def __enter__(self) -> "BuildProgress":
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            )
            self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def _print(self, text: str) -> None:
        self.console.print(text, markup=False)

    def event(self, kind: str, payload: Any) -> None:
        if kind == "stage":
            self._print(f"· {payload}")
        elif kind == "warn":
            self._print(f"注意：{payload}")
        elif kind == "refused":
            for name, why in payload.items():
                self._print(f"未计入的台账：{name}：{why}")
        elif kind == "plan":
            todo = sum(1 for p in payload if p.rebuild)
            self._print(f"· {len(payload)} 个单位：{todo} 个需要生成，{len(payload) - todo} 个无变化（跳过）")
        elif kind == "start":
            self.total = len(payload)
            if self.progress is not None and self.total:
                self.task = self.progress.add_task("生成报告", total=self.total)
        elif kind == "done":
            name = job_label(payload.key)
            mark = "✓" if payload.ok else "✗"
            line = f"  {mark} {name}  {payload.seconds:.1f} 秒" + ("" if payload.ok else f"  失败：{payload.error}")
            if self.progress is not None and self.task is not None:
                self.progress.console.print(line, markup=False)
                self.progress.update(self.task, advance=1, description=f"生成报告：{name}")
            else:
                self._print(line)

    def summary(self, res) -> None:
        from rich.table import Table

        t = Table(title=f"{res.year} 年度生成结果", show_lines=False)
        cols = ["已生成", "跳过（无变化）", "失败", "未计入的台账", "用时（秒）"]
        row = [
            str(len(res.built)),
            str(len(res.skipped)),
            str(len(res.failed)),
            str(len(res.refused)),
            f"{res.seconds:.1f}",
        ]
        if res.stale:
            cols.insert(3, "未更新（未指定）")
            row.insert(3, str(len(res.stale)))
        for c in cols:
            t.add_column(c, justify="right")
        t.add_row(*row)
        self.console.print(t)
        for k, v in res.failed.items():
            self._print(f"失败：{job_label(k)}：{v}")
        for name, why in res.refused.items():
            self._print(f"未计入：{name}：{why}")
        if res.refused:
            self._print(
                f"有 {len(res.refused)} 个台账未计入，报告中没有它们的数据（退出码 3）；请运行 gonghui check 查看原因"
            )
        self._print(f"年度首页：{res.index.resolve()}")
