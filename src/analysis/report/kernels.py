"""The warm kernel pool: worker processes, each running notebooks through papermill on one warm kernel.

A fresh kernel plus the pandas/matplotlib/statsmodels imports costs more than most notebooks, so
each worker starts one kernel once, imports the heavy modules into it (``WARM_IMPORTS``) and resets
its namespace, seeds, working directory, rcParams, pandas options and warning filters before every
notebook (the papermill engine ``warm``). Workers die with the pipeline process (PR_SET_PDEATHSIG)
and shut their kernel down at exit."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parents[3]


SRC_DIR = Path(__file__).resolve().parents[1]


CELL_TIMEOUT = 900


# Environment of every kernel: fixed hash seed, one BLAS thread (workers already use the cores,
# and a fixed thread count keeps floating-point sums reproducible), inline figures, fixed dates.
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "SOURCE_DATE_EPOCH": "0",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TZ": "UTC",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


# No IPython history database: a warm kernel restarts its execution count for every notebook.
KERNEL_ARGS = ["--HistoryManager.enabled=False", "--IPKernelApp.log_level=ERROR"]


# Modules imported once per warm kernel, before the first notebook (cached in sys.modules after).
WARM_IMPORTS = (
    "numpy", "pandas", "scipy.stats", "matplotlib", "matplotlib.pyplot", "statsmodels.api",
    "statsmodels.tsa.api", "openpyxl", "IPython.display",
    "analysis.data.loader", "analysis.report.i18n", "analysis.report.plots", "analysis.forecast.models",
    "analysis.forecast.backtest", "analysis.assess.statuses", "analysis.report.text", "analysis.report.markdown",
    "analysis.report.status_tables", "analysis.report.source_tables",
)


RESET_CODE = """
get_ipython().run_line_magic('reset', '-f')
import os as _os, sys as _sys, random as _random, warnings as _warnings
_state = _sys.modules.get('_pipeline_state')
_os.chdir({cwd!r})
_random.seed(0)
if 'numpy' in _sys.modules:
    _sys.modules['numpy'].random.seed(0)
if 'matplotlib.pyplot' in _sys.modules:
    _sys.modules['matplotlib.pyplot'].close('all')
if _state is not None and getattr(_state, 'rc', None):
    _sys.modules['matplotlib'].rcParams.update(_state.rc)
if 'pandas' in _sys.modules:
    with _warnings.catch_warnings():
        _warnings.simplefilter('ignore')
        _sys.modules['pandas'].reset_option('all')
if _state is not None:
    _warnings.filters[:] = _state.filters
_warnings._filters_mutated()
get_ipython().execution_count = 1
del _os, _sys, _random, _warnings, _state
"""


WARM_CODE = """
import importlib as _il, sys as _sys, types as _types, warnings as _warnings
_state = _sys.modules['_pipeline_state'] = _types.ModuleType('_pipeline_state')
_state.filters = list(_warnings.filters)
with _warnings.catch_warnings():
    _warnings.simplefilter('ignore')
    for _name in {modules!r}:
        try:
            _il.import_module(_name)
        except Exception:
            pass
if 'matplotlib.pyplot' in _sys.modules:
    _mpl = _sys.modules['matplotlib']
    _state.rc = {{k: v for k, v in _mpl.rcParams.items() if k != 'backend'}}
import gc as _gc
_gc.collect()
_gc.freeze()  # the warm modules' objects: never rescanned, so %reset's gc.collect stays cheap
del _gc, _il, _sys, _types, _warnings, _state
"""


_WORKER: dict[str, Any] = {}


PR_SET_PDEATHSIG = 1


def kernel_env() -> dict[str, str]:
    """Return the environment of a kernel: this process's plus the fixed settings."""
    env = dict(os.environ)
    env.update(KERNEL_ENV)
    src = str(SRC_DIR.parent)
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_silent(km: Any, code: str, timeout: float = 120) -> None:
    """Execute code silently in a running kernel; raise RuntimeError on an error reply."""
    from jupyter_core.utils import run_sync

    async def go() -> dict[str, Any]:
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=timeout)
            return await kc.execute_interactive(code, silent=True, store_history=False, timeout=timeout,
                                                output_hook=lambda msg: None)
        finally:
            kc.stop_channels()

    reply = run_sync(go)()
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel setup failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")


def start_kernel(warm: bool = True) -> Any:
    """Start one kernel of this interpreter (optionally with the heavy modules imported)."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name="python3")
    run_sync(km.start_kernel)(env=kernel_env(), cwd=str(REPO_ROOT), extra_arguments=KERNEL_ARGS)
    if warm:
        run_silent(km, WARM_CODE.format(modules=list(WARM_IMPORTS)), timeout=300)
    return km


def stop_kernel() -> None:
    """Shut down this worker's kernel, if any."""
    from jupyter_core.utils import run_sync

    kc = _WORKER.pop("kc", None)
    if kc is not None:
        with contextlib.suppress(Exception):
            kc.stop_channels()
    km = _WORKER.pop("km", None)
    if km is not None:
        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)


def worker_kernel() -> Any:
    """Return this worker's warm kernel, (re)starting it when absent or dead."""
    from jupyter_core.utils import run_sync

    km = _WORKER.get("km")
    if km is None or not run_sync(km.is_alive)():
        stop_kernel()
        _WORKER["km"] = km = start_kernel()
    return km


def worker_client(km: Any) -> Any:
    """Return a connected client of the worker's kernel, kept for every notebook of the worker."""
    from jupyter_core.utils import run_sync

    kc = _WORKER.get("kc")
    if kc is None or _WORKER.get("kc_of") is not km:
        if kc is not None:
            kc.stop_channels()
        kc = km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=120)
        kc.allow_stdin = False
        _WORKER["kc"], _WORKER["kc_of"] = kc, km
    return kc


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to terminate this worker when the pipeline process dies (its kernel follows)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    # The parent may have died before prctl: then this worker was re-parented. Compare with the
    # pipeline's own pid, not with 1: in a container the pipeline itself is often PID 1.
    if os.getppid() != parent_pid:
        os._exit(1)


def worker_init(reuse: bool, parent_pid: int) -> None:
    """Initialise a worker process: register the engine and start its kernel."""
    import atexit
    import logging

    die_with_parent(parent_pid)
    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    register_engine()
    _WORKER["reuse"] = reuse
    if reuse:
        worker_kernel()
        atexit.register(stop_kernel)


def register_engine() -> None:
    """Register the 'warm' papermill engine (a warm kernel per worker, reset between notebooks)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmClient(PapermillNotebookClient):
        """A papermill client that resets the shared kernel before running the cells."""

        reset_code = ""

        def papermill_execute_cells(self) -> None:
            """Reset the kernel's namespace, then run the cells as papermill does."""
            msg_id = self.kc.execute(self.reset_code, silent=True, store_history=False)
            reply = self.wait_for_reply(msg_id)
            if reply is None or reply["content"]["status"] != "ok":
                raise RuntimeError("resetting the warm kernel failed")
            super().papermill_execute_cells()


    class WarmEngine(NBClientEngine):
        """Papermill engine running notebooks on the worker's warm kernel."""

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            """Execute one managed notebook on the warm kernel, in papermill's cwd."""
            _WORKER["nb"] = nb_man.nb
            km = worker_kernel()
            client = WarmClient(
                nb_man, km=km, timeout=CELL_TIMEOUT, startup_timeout=120, kernel_name=kernel_name,
                log_output=False, record_timing=False,
            )
            client.kc = worker_client(km)
            client.reset_code = RESET_CODE.format(cwd=os.getcwd())
            return client.execute()

    papermill_engines.register("warm", WarmEngine)


def describe_error(err: Exception, notebook: str) -> str:
    """Name the failing notebook and cell of a papermill error."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(err, PapermillExecutionError):
        index = err.cell_index
        first = next((line for line in str(err.source).splitlines() if line.strip()), "")
        return (f"{Path(notebook).name} cell {index} (In [{err.exec_count}]: {first[:60]!r}): "
                f"{err.ename}: {err.evalue}")
    return f"{Path(notebook).name}: {type(err).__name__}: {err}"


def execute_notebook(notebook: str, parameters: dict[str, Any], cwd: str) -> tuple[Any, str | None]:
    """Execute a notebook with papermill in a worker; return the notebook as far as it ran and any error."""
    import papermill

    reuse = _WORKER.get("reuse", True)
    _WORKER.pop("nb", None)
    os.environ.update(KERNEL_ENV)
    try:
        nb = papermill.execute_notebook(
            notebook, None, parameters=dict(parameters), kernel_name="python3", progress_bar=False,
            log_output=False, request_save_on_cell_execute=False, execution_timeout=CELL_TIMEOUT,
            engine_name="warm" if reuse else None, cwd=cwd,
        )
    except Exception as err:  # noqa: BLE001 - reported with the notebook and cell, then the run fails
        return _WORKER.pop("nb", None), describe_error(err, notebook)
    return nb, None


def default_workers() -> int:
    """Return the default number of workers (notebooks run at once): the usable cores."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class KernelPool:
    """Worker processes, each with its own warm kernel, shared by every period of a run."""

    def __init__(self, workers: int, reuse_kernels: bool = True):
        """Create the pool lazily (no processes until the first task)."""
        self.workers = max(1, workers)
        self.reuse = reuse_kernels
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Run fn(*args) in a worker, starting the workers (and their kernels) on first use."""
        if self.pool is None:
            import multiprocessing

            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=worker_init, initargs=(self.reuse, os.getpid()))
        return self.pool.submit(fn, *args)

    def close(self) -> None:
        """Stop the workers (their kernels are shut down at worker exit)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __enter__(self) -> "KernelPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
