"""The warm engine as papermill sees it (entry point ``papermill.engine``:
``gonghui_warm``).  Kept apart from :mod:`gonghui_kit.engines` because
papermill loads its entry points while it is itself being imported."""

from papermill.engines import Engine


class WarmEngine(Engine):
    """Execute cells in-process, in a pristine IPython shell
    (see :mod:`gonghui_kit.engines`)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, **kwargs):
        from .engines import run_managed

        run_managed(nb_man)
        return nb_man.nb
