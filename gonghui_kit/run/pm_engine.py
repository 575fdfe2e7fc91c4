"""The warm engine as papermill sees it (entry point ``papermill.engine``:
``gonghui_warm``).

Papermill loads its engine entry points while it is itself being imported,
so this module must not import papermill at import time: ``WarmEngine``
delegates to a subclass of papermill's ``Engine`` made on first use.
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=None)
def _impl():
    from papermill.engines import Engine

    class _WarmEngine(Engine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, gonghui_metadata=None, **kwargs):
            from gonghui_kit.run.warm import run_managed

            run_managed(nb_man, gonghui_metadata)
            return nb_man.nb

    return _WarmEngine


class WarmEngine:
    """Execute cells in-process, in a pristine IPython shell
    (see :mod:`gonghui_kit.run.warm`)."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, **kwargs):
        return _impl().execute_notebook(nb, kernel_name, **kwargs)

    @classmethod
    def nb_kernel_name(cls, nb, name=None):
        return _impl().nb_kernel_name(nb, name)

    @classmethod
    def nb_language(cls, nb, language=None):
        return _impl().nb_language(nb, language)
