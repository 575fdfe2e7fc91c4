"""Execution engines by name, and the warm engine as papermill sees it
(entry point ``papermill.engine``: ``gonghui_warm``).

- ``papermill`` (papermill's own nbclient engine): a fresh Jupyter kernel per
  notebook.  Start-up, imports and shutdown are paid for every report.
- ``warm`` (``gonghui_warm``): the cells run in an in-process IPython shell
  (:mod:`gonghui_kit.run.shell`) of a fresh child forked from a warm parent
  (:mod:`gonghui_kit.run.warm`).  Papermill itself still parameterizes the
  notebook, keeps the per-cell metadata and inserts its error markers, so a
  failing notebook looks the same whichever engine ran it.

Papermill loads its engine entry points while it is itself being imported,
so this module must not import papermill at import time: ``WarmEngine``
delegates to a subclass of papermill's ``Engine`` made on first use.
"""

from __future__ import annotations

import functools

__all__ = ["ENGINES", "engine_name", "WarmEngine", "ensure_registered"]

#: user-facing name -> papermill engine name
ENGINES = {"warm": "gonghui_warm", "papermill": "nbclient"}


def engine_name(name: str) -> str:
    """The papermill engine behind a user-facing name.

    >>> engine_name("warm")
    'gonghui_warm'
    """
    try:
        return ENGINES[name]
    except KeyError:
        raise ValueError(f"未知的执行引擎：{name}（可选：{'、'.join(ENGINES)}）") from None


@functools.lru_cache(maxsize=None)
def _impl():
    from papermill.engines import Engine

    class _WarmEngine(Engine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, gonghui_metadata=None, **kwargs):
            from gonghui_kit.run.shell import run_managed

            run_managed(nb_man, gonghui_metadata)
            return nb_man.nb

    return _WarmEngine


class WarmEngine:
    """Execute cells in-process, in a pristine IPython shell
    (see :mod:`gonghui_kit.run.shell`)."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, **kwargs):
        return _impl().execute_notebook(nb, kernel_name, **kwargs)

    @classmethod
    def nb_kernel_name(cls, nb, name=None):
        return _impl().nb_kernel_name(nb, name)

    @classmethod
    def nb_language(cls, nb, language=None):
        return _impl().nb_language(nb, language)


def ensure_registered() -> None:
    """Register the warm engine with papermill even where the package's
    entry points are not installed (e.g. running from a source tree)."""
    from papermill.engines import papermill_engines

    papermill_engines.register("gonghui_warm", WarmEngine)
