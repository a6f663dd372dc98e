"""Executing a parameterized notebook: strict (a fresh kernel per notebook) or warm.

Both paths run the notebook through papermill (parameter injection, per-cell metadata, the
failing cell marked in the output notebook). They differ only in the kernel:

* ``strict``: papermill starts a kernel for the notebook and shuts it down afterwards
  (about 0.65 s of start/stop plus the imports, every time);
* ``warm``: each worker process keeps one kernel alive. Before every notebook the kernel's user
  namespace is wiped (``%reset -f``) and matplotlib's settings restored, so nothing one locality
  computed is visible to the next; the imported modules stay loaded, which is the saving.
  Execution counts are renumbered from 1 so both paths write the same notebook.
"""

from __future__ import annotations

import atexit
from pathlib import Path

import nbformat
import papermill
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import KernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

KERNEL_NAME = "parbrief"
WARM_ENGINE = "parbrief-warm"
STRICT_ENGINE = "parbrief-strict"
EXECUTORS = ("warm", "strict")

# Run once when a warm kernel starts: the imports and unit registers every briefing needs,
# then gc.freeze() so that the garbage collector never scans these long-lived objects again
# (IPython's %reset runs two full collections: 0.3 s each time without the freeze, 0.05 s with).
_WARM_UP_CODE = """\
def _parbrief_warm_up():
    import gc
    try:
        import parbrief.model.briefing, parbrief.model.overview, parbrief.present.sections
        from parbrief.units import register
        register.warm_up()
    except ImportError:
        pass
    gc.collect()
    gc.freeze()
_parbrief_warm_up()
del _parbrief_warm_up
"""

# Run in the warm kernel before each notebook: restore matplotlib's global settings, then
# forget the previous notebook's variables (the function's own name included).
_RESET_CODE = """\
def _parbrief_restore_plotting():
    import sys
    if 'matplotlib' in sys.modules:
        import matplotlib
        matplotlib.rcdefaults()
        if 'matplotlib_inline' in sys.modules:
            matplotlib.use('module://matplotlib_inline.backend_inline')
        if 'matplotlib.pyplot' in sys.modules:
            sys.modules['matplotlib.pyplot'].close('all')
_parbrief_restore_plotting()
get_ipython().run_line_magic('reset', '-f')
"""


class WarmKernel:
    """One long-lived kernel per worker process.

    nbclient needs an asynchronous client: with a blocking one, waiting for output blocks the
    event loop, so the check that notices a dead kernel never runs and a notebook that kills
    its kernel hangs for minutes.
    """

    def __init__(self, kernel_name: str = KERNEL_NAME):
        self.kernel_name = kernel_name
        self.km: KernelManager | None = None
        self.kc: AsyncKernelClient | None = None

    def ensure(self, cwd: str | None = None) -> None:
        if self.km is not None and self.km.is_alive():
            return
        self.shutdown()
        self.km = KernelManager(kernel_name=self.kernel_name)
        self.km.start_kernel(cwd=cwd)
        info = self.km.get_connection_info(session=True)
        self.kc = AsyncKernelClient(**info, connection_file=self.km.connection_file,
                                    parent=self.km)
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=60)
        atexit.register(self.shutdown)
        self.run(_WARM_UP_CODE, timeout=300)

    def run(self, code: str, timeout: float = 60) -> dict:
        """Run code in the warm kernel outside any notebook (reset, warm-up imports)."""
        return run_sync(self.kc.execute_interactive)(code, timeout=timeout, store_history=False)

    def reset(self) -> None:
        reply = self.run(_RESET_CODE)
        if reply["content"]["status"] != "ok":  # a kernel that cannot reset is replaced
            self.shutdown()

    def shutdown(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - a dead kernel is already shut down
                pass
            self.km = None


warm_kernel = WarmKernel()


class StrictEngine(NBClientEngine):
    """papermill's own engine (a fresh kernel per notebook) that keeps the notebook on the
    exception when execution stops outside a cell's own error.

    papermill writes the output notebook when a cell raises; a cell that times out or a kernel
    that dies raises out of the engine instead, and with per-cell saves off the partly executed
    notebook would be lost. ``execute`` writes it, so the failed copy shows the cell that hung.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, *args, **kwargs):
        try:
            return super().execute_managed_notebook(nb_man, *args, **kwargs)
        except Exception as error:
            error.parbrief_notebook = nb_man.nb
            raise


class WarmEngine(StrictEngine):
    """papermill engine that runs every notebook of a worker on the same, reset, kernel."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, *args, **kwargs):
        try:
            return cls._execute_warm(nb_man, *args, **kwargs)
        except Exception as error:
            error.parbrief_notebook = nb_man.nb
            raise

    @classmethod
    def _execute_warm(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                      stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        warm_kernel.kernel_name = kernel_name or KERNEL_NAME
        warm_kernel.ensure(cwd=kwargs.get("cwd"))
        warm_kernel.reset()
        warm_kernel.ensure(cwd=kwargs.get("cwd"))  # replaced if the reset failed
        safe_kwargs = remove_args(["timeout", "startup_timeout", "cwd", "input_path"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
            kernel_name=warm_kernel.kernel_name, log=logger, log_output=log_output,
            stdout_file=stdout_file, stderr_file=stderr_file,
        )
        client = PapermillNotebookClient(nb_man, km=warm_kernel.km, **final_kwargs)
        client.kc = warm_kernel.kc
        try:
            return client.execute(cleanup_kc=False)
        finally:
            if not warm_kernel.km.is_alive():  # the notebook killed its kernel: start afresh next time
                warm_kernel.shutdown()


papermill_engines.register(STRICT_ENGINE, StrictEngine)
papermill_engines.register(WARM_ENGINE, WarmEngine)


def renumber(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Execution counts 1, 2, 3... so a warm kernel's notebook equals a fresh kernel's."""
    n = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is not None:
            n += 1
            cell.execution_count = n
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = n
    return nb


def execute(notebook: Path, output: Path, parameters: dict, executor: str = "warm",
            cwd: Path | None = None, timeout: float | None = None) -> nbformat.NotebookNode:
    """Execute ``notebook`` with ``parameters`` and write it to ``output`` (papermill semantics:
    on a failing cell it raises ``PapermillExecutionError`` after writing the notebook with
    the failing cell marked; on a timeout or a dead kernel the notebook as far as it ran is
    written before the error is raised)."""
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}: use one of {', '.join(EXECUTORS)}")
    # request_save_on_cell_execute off: papermill would rewrite the whole (MB-sized) notebook
    # after every cell; it is still written when the notebook ends or a cell fails.
    kwargs = dict(kernel_name=KERNEL_NAME, log_output=False, progress_bar=False,
                  cwd=str(cwd) if cwd else None, execution_timeout=timeout,
                  request_save_on_cell_execute=False)
    kwargs["engine_name"] = WARM_ENGINE if executor == "warm" else STRICT_ENGINE
    try:
        nb = papermill.execute_notebook(str(notebook), str(output), parameters=parameters,
                                        **kwargs)
    except Exception as error:
        kept = getattr(error, "parbrief_notebook", None)
        if kept is not None and not Path(output).exists():
            nbformat.write(kept, str(output))
        raise
    return renumber(nb)
