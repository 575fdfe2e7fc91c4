"""An IPython shell inside the current process whose outputs are nbformat outputs.

It produces the same cells and outputs a Jupyter kernel would (display_data,
execute_result, stream, error with traceback; matplotlib's inline backend
draws the figures), so a notebook run here looks the same as one run by
papermill's own engine.  :func:`prepare_pristine` makes one ahead of time
(in the warm parent, see :mod:`gonghui_kit.run.warm`); :func:`run_managed`
executes a papermill-managed notebook in it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["WarmShell", "new_shell", "prepare_pristine", "run_managed"]


# --------------------------------------------------------------------------
# an in-process shell whose outputs are nbformat outputs


def _shell_classes():
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets import Type

    class _Publisher(DisplayPublisher):
        """display() → a display_data output of the running cell."""

        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
            self.shell._emit_flush()
            out = {"output_type": "display_data", "data": data, "metadata": metadata or {}}
            if update:  # update_display_data is applied in place by kernels' clients; keep it simple
                return
            self.shell._outputs.append(out)

        def clear_output(self, wait=False):
            self.shell._outputs.clear()

    class _Hook(DisplayHook):
        """The value of a cell's last expression → an execute_result output."""

        def start_displayhook(self):
            self._fmt = None

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self._fmt = (format_dict, md_dict or {})

        def finish_displayhook(self):
            self.shell._emit_flush()
            if self._fmt and self._fmt[0]:
                self.shell._outputs.append(
                    {
                        "output_type": "execute_result",
                        "data": self._fmt[0],
                        "metadata": self._fmt[1],
                        "execution_count": self.prompt_count,
                    }
                )
            self._fmt = None

    class WarmShell(InteractiveShell):
        """An InteractiveShell that collects a cell's outputs like a kernel."""

        displayhook_class = Type(_Hook)
        display_pub_class = Type(_Publisher)

        def __init__(self, **kw):
            super().__init__(**kw)
            self._outputs: list[dict[str, Any]] = []
            self.used = False

        def _showtraceback(self, etype, evalue, stb):
            self._emit_flush()
            self._outputs.append(
                {"output_type": "error", "ename": str(etype.__name__), "evalue": str(evalue), "traceback": stb}
            )

        def _write_stream(self, name: str, text: str) -> None:
            if not text:
                return
            if self._outputs and self._outputs[-1].get("output_type") == "stream" and self._outputs[-1]["name"] == name:
                self._outputs[-1]["text"] += text
            else:
                self._outputs.append({"output_type": "stream", "name": name, "text": text})

        def _emit_flush(self) -> None:
            for s in (sys.stdout, sys.stderr):
                try:
                    s.flush()
                except Exception:
                    pass

        def run_cell_outputs(self, source: str) -> tuple[list[dict[str, Any]], int, BaseException | None]:
            """Run one cell; return (outputs, execution_count, error)."""
            self.used = True
            self._outputs = []
            count = self.execution_count
            out_w, err_w = _Stream(self, "stdout"), _Stream(self, "stderr")
            old = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = out_w, err_w
            try:
                result = self.run_cell(source, store_history=True, silent=False)
            finally:
                sys.stdout, sys.stderr = old
            error = result.error_before_exec or result.error_in_exec
            return self._outputs, count, error

        def enable_gui(self, gui=None):  # no event loops here
            pass

    return WarmShell


class _Stream:
    """sys.stdout/sys.stderr stand-in that appends stream outputs."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, shell, name: str):
        self.shell, self.name = shell, name

    def write(self, text: str) -> int:
        self.shell._write_stream(self.name, str(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:  # some libraries ask; they get the real one
        raise OSError("no fileno")


_SHELL_CLS = None
_PRISTINE = None  # a shell created by warm_up() and not used yet


def WarmShell():  # noqa: N802 - factory named like the class it returns
    global _SHELL_CLS
    if _SHELL_CLS is None:
        _SHELL_CLS = _shell_classes()
    return _SHELL_CLS


def prepare_pristine() -> None:
    """Make the shell the next :func:`new_shell` returns (again, if the last one was used)."""
    global _PRISTINE
    if _PRISTINE is None or _PRISTINE.used:
        _PRISTINE = new_shell()


def new_shell():
    """A pristine shell: the one warm_up() made (free in a forked child) or a new one."""
    global _PRISTINE
    if _PRISTINE is not None and not _PRISTINE.used:
        shell, _PRISTINE = _PRISTINE, None
        return shell
    cls = WarmShell()
    cls.clear_instance()
    from traitlets.config import Config

    cfg = Config()
    cfg.HistoryManager.enabled = False  # no sqlite file per report
    cfg.InteractiveShell.colors = "linux"  # like a kernel's ANSI tracebacks
    cfg.InteractiveShell.autocall = 0
    cfg.InteractiveShell.xmode = "Context"
    shell = cls.instance(config=cfg)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    shell.enable_matplotlib("inline")
    # matplotlib_inline selects the figure formats only for the first shell
    # of a process; a later one (tests, the inline executor) needs them too
    from IPython.core.pylabtools import select_figure_formats
    from matplotlib_inline.backend_inline import InlineBackend

    cfg_inline = InlineBackend.instance(parent=shell)
    select_figure_formats(shell, cfg_inline.figure_formats, **cfg_inline.print_figure_kwargs)
    return shell


# --------------------------------------------------------------------------
# running a papermill-managed notebook (the engine class is gonghui_kit.run.pm_engine)


def run_managed(nb_man, metadata: dict[str, Any] | None = None) -> None:
    """Execute a papermill-managed notebook cell by cell in a pristine shell.
    ``metadata``: merged into ``nb.metadata`` first, so the notebook that
    papermill saves already carries it."""
    from nbformat import from_dict

    if metadata:
        for key, value in metadata.items():
            nb_man.nb.metadata.setdefault(key, {}).update(value)
    shell = new_shell()
    for index, cell in enumerate(nb_man.nb.cells):
        if cell.cell_type != "code":
            continue
        nb_man.cell_start(cell, index)
        outputs, count, error = shell.run_cell_outputs(cell.source)
        cell.execution_count = count
        cell.outputs = [from_dict(o) for o in outputs]
        if error is not None:
            nb_man.cell_exception(cell, cell_index=index, exception=error)
            nb_man.cell_complete(cell, cell_index=index)
            break
        nb_man.cell_complete(cell, cell_index=index)
