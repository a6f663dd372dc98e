"""A batch worker process: one warm kernel and one renderer, executing, rendering and publishing
one job at a time; a failure is a result, never an exception."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from parbrief.core.errors import ParbriefError
from parbrief.core.files import atomic_write, check_no_symlink
from parbrief.publish.contract import SUMMARY_MIME
from parbrief.runner import params as paramfiles
from parbrief.runner.manifest import publish_report
from parbrief.runner.params import Job
from parbrief.runner.results import STATUS_FAILED, STATUS_OK, JobResult

STAGING = ".staging"  # inside the output folder: same file system, so os.replace is atomic


worker_state: dict = {}


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process from /proc (Linux), None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[19])


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat:
                children.setdefault(stat[1], []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _watch_batch(batch_pid: int) -> None:
    """A worker outlives a killed batch otherwise: its parent is multiprocessing's fork server,
    which lives as long as its children, and the task queue never closes. So each worker
    watches the batch process and, when it is gone, kills its kernels and exits."""
    import threading

    first = _proc_stat(batch_pid)
    if first is None:
        return  # no /proc: nothing to watch with

    def watch() -> None:
        while True:
            time.sleep(0.5)
            now = _proc_stat(batch_pid)
            if now is None or now[0] in ("Z", "X") or now[2] != first[2]:
                for child in _descendants(os.getpid()):
                    with contextlib.suppress(OSError):
                        os.kill(child, 9)
                os._exit(1)

    threading.Thread(target=watch, name="parbrief-watch-batch", daemon=True).start()


def init_worker(executor: str, renderer: str, root: str, warm_up: bool = True,
                batch_pid: int | None = None) -> None:
    """Per-process set-up: a warm kernel (imports done once) and one renderer."""
    import multiprocessing.util

    if batch_pid is not None:
        _watch_batch(batch_pid)
    _quiet_papermill()
    worker_state.clear()
    worker_state.update(executor=executor, renderer_kind=renderer, root=root)
    multiprocessing.util.Finalize(None, shutdown_worker, exitpriority=10)
    if renderer != "quarto":
        from parbrief.publish import render

        with contextlib.suppress(Exception):  # a broken renderer shows in the first job
            render.default_renderer()
    if executor == "warm" and warm_up:
        with contextlib.suppress(Exception):  # a kernel that cannot start fails the first job
            ensure_kernel(root)  # started and warmed up (imports, registers) before any job


@contextlib.contextmanager
def quiet_kernels():
    """Kernels started inside this block inherit a closed stderr: their start-up chatter
    (transport warnings) would otherwise cut through the progress bar. What a cell prints
    reaches the notebook through the kernel's messages, not through this stream."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def ensure_kernel(root: str) -> None:
    from parbrief.runner import execution

    if worker_state.get("kernel_cwd") != root:  # the kernel's folder is fixed when it starts
        execution.warm_kernel.shutdown()
    if execution.warm_kernel.km is None or not execution.warm_kernel.km.is_alive():
        with quiet_kernels():
            execution.warm_kernel.ensure(cwd=root)
    worker_state["kernel_cwd"] = root


def _quiet_papermill() -> None:
    import logging

    # papermill logs every parameter its own parser cannot read; ours are checked beforehand.
    logging.getLogger("papermill").setLevel(logging.ERROR)


def shutdown_worker() -> None:
    from parbrief.runner import execution

    execution.warm_kernel.shutdown()
    worker_state.pop("kernel_cwd", None)


def renderer_for(name: str):
    """The renderer registered under ``name`` (parbrief's own is made once per process)."""
    from parbrief.publish import render

    return render.renderer_named(name)


class InputsChangedError(ParbriefError):
    """A report read other inputs than its job was planned with."""


@dataclass
class JobSpec:
    """Everything a worker needs (picklable; no open handles)."""

    job: Job
    root: str
    output: str
    executor: str
    renderer: str
    timeout: float | None
    languages: tuple[str, ...]
    formats: tuple[str, ...]
    manifest: dict  # the manifest's fields known before execution
    public_parameters: dict
    committee: dict = field(default_factory=dict)  # the committee edition's frame
    # the data set (folder or file) and its files as the batch found them before planning
    data: str | None = None
    data_stamps: tuple = ()


def data_stamps(data) -> tuple:
    """(path, size, modification time) of every file of a data set: what tells a file edited
    while a batch runs, even one put back since."""
    from parbrief.ingest import readers

    if data is None:
        return ()
    try:
        files = readers.data_files(Path(data))[0]
    except Exception:  # noqa: BLE001 - a data set the planner cannot read fails there
        return ()
    out = []
    for path in sorted(files):
        with contextlib.suppress(OSError):
            st = Path(path).stat()
            out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


def data_changed(spec: JobSpec) -> bool:
    """Whether a file of the data set was edited (or removed, or added) since the batch
    planned."""
    if spec.data is None or not spec.data_stamps:
        return False
    return data_stamps(spec.data) != spec.data_stamps


def machine_paths(root: str) -> tuple[re.Pattern, dict[str, str]]:
    """Folders whose absolute paths name the machine or its user (the project, the Python
    environment, the home folder), as one pattern (longest first) and what a published copy
    says instead of each. A path is matched whole: ``/root`` in ``/root/x``, not ``/rootfs``."""
    places = {str(Path(root)): "<project>", sys.prefix: "<python>", sys.base_prefix: "<python>",
              sys.exec_prefix: "<python>", str(Path.home()): "~"}
    for folder, name in list(places.items()):
        with contextlib.suppress(OSError):
            places.setdefault(os.path.realpath(folder), name)
    names = {folder.rstrip("/"): name for folder, name in places.items() if folder.rstrip("/")}
    pattern = "|".join(re.escape(f) for f in sorted(names, key=len, reverse=True))
    return re.compile(f"(?:{pattern})(?![\\w.-])"), names


def scrub(value, paths: tuple[re.Pattern, dict[str, str]]):
    """``value`` (a string, or lists and dicts of them) with machine paths replaced."""
    if isinstance(value, str):
        pattern, names = paths
        return pattern.sub(lambda m: names[m.group(0)], value)
    if isinstance(value, list):
        return [scrub(v, paths) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, paths) for k, v in value.items()}
    return value


def _scrub_outputs(cell, paths: tuple[re.Pattern, dict[str, str]]) -> None:
    """Error messages, tracebacks, printed text and warnings of a cell: the places where a
    library names the files it runs from (the report's own outputs hold no absolute paths)."""
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "error":
            out["evalue"] = scrub(out.get("evalue", ""), paths)
            out["traceback"] = scrub(out.get("traceback", []), paths)
        elif kind == "stream":
            out["text"] = scrub(out.get("text", ""), paths)
        elif kind in ("display_data", "execute_result"):
            for mime, data in out.get("data", {}).items():
                if mime.startswith("text/"):
                    out["data"][mime] = scrub(data, paths)


# A published notebook re-runs where it sits: its parameters are relative to the project folder,
# which ``briefing.prepare`` finds above the report's folder (``model.lookup.input_path``).
IN_PLACE_NOTE = ("# Paths are relative to the project folder; run where it sits, this report finds "
                 "them\n# in the folders above it.\n")


def published_copy(nb, public_parameters: dict, root: str):
    """The executed notebook as it may be published: outputs kept; absolute paths (in the
    metadata, and in error messages, tracebacks and warnings), timings and the papermill
    bookkeeping that names the machine removed. The parameters cell says how its
    project-relative paths are found when it re-runs where it sits."""
    import copy

    from papermill.translators import translate_parameters

    nb = copy.deepcopy(nb)
    paths = machine_paths(root)
    pm = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {
        "parameters": public_parameters,
        "input_path": paramfiles.public_path(pm.get("input_path", ""), Path(root))
        if pm.get("input_path") else None,
        "exception": pm.get("exception"),
    }
    markers = 0
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        tags = meta.get("tags", [])
        # cells papermill adds get random ids: fixed ones keep the published copy reproducible
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"
        elif "papermill-error-cell-tag" in tags:
            markers += 1
            cell["id"] = f"papermill-error-{markers}"
        meta.pop("execution", None)
        if cell.cell_type == "code":
            _scrub_outputs(cell, paths)
        if "papermill" in meta:
            meta["papermill"] = {k: v for k, v in meta["papermill"].items()
                                 if k in ("exception", "status")}
        if "injected-parameters" in meta.get("tags", []):
            cell.source = IN_PLACE_NOTE + translate_parameters(
                "python3", "python", public_parameters, "Parameters")
    return nb


def failing_cell(nb) -> tuple[int | None, int | None]:
    """(index in the executed notebook, execution count) of the cell that failed: the one
    papermill marked, else the last one that started (a timeout or a dead kernel)."""
    started = None
    count = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is not None:
            count = cell.execution_count
        meta = cell.metadata.get("papermill", {})
        if meta.get("exception") or any(o.get("output_type") == "error"
                                        for o in cell.get("outputs", [])):
            return i, cell.get("execution_count") or count + 1
        if meta.get("start_time"):
            started = (i, cell.get("execution_count") or count + 1)
    return started if started else (None, None)


def save_failed(spec: JobSpec, executed: Path, error_name: str, error_value: str) -> tuple:
    """Keep the executed notebook with its failing cell marked in ``_failed/``."""
    import nbformat
    from papermill.execute import ERROR_MARKER_TAG

    from parbrief.runner.execution import renumber

    job = spec.job
    failed_dir = job.out_dir.parent / "_failed"
    target = failed_dir / f"{job.stem}.ipynb"
    cell = None
    if not executed.exists():
        return None, None
    try:
        raw = nbformat.read(str(executed), as_version=4)
    except Exception:  # noqa: BLE001 - a notebook cut short by a dead kernel
        return None, None
    kernel_counts = {i: c.get("execution_count") for i, c in enumerate(raw.cells)}
    nb = renumber(raw)
    index, cell = failing_cell(nb)
    if index is not None:
        failing = nb.cells[index]
        failing.metadata.setdefault("papermill", {})["exception"] = True
        failing.metadata["papermill"]["status"] = "failed"
        old = kernel_counts.get(index)
        marked = False
        for c in nb.cells:  # papermill's own markers quote the kernel's count: renumber them
            if c.cell_type == "markdown" and ERROR_MARKER_TAG in c.metadata.get("tags", []):
                marked = True
                if old is not None:
                    c.source = c.source.replace(f"In [{old}]", f"In [{cell}]")
        if not marked:  # a timeout or a dead kernel: papermill wrote no marker
            note = nbformat.v4.new_markdown_cell(
                f'<span style="color:red; font-family:Helvetica Neue, Helvetica, Arial, '
                f'sans-serif; font-size:2em;">An Exception was encountered at '
                f'<a href="#papermill-error-cell">\'In [{cell}]\'</a>: {error_name}: '
                f'{scrub(error_value, machine_paths(spec.root))}</span>')
            note.metadata["tags"] = [ERROR_MARKER_TAG]
            anchor = nbformat.v4.new_markdown_cell(
                '<span id="papermill-error-cell" style="color:red; font-family:Helvetica Neue, '
                'Helvetica, Arial, sans-serif; font-size:2em;">Execution using papermill '
                'encountered an exception here and stopped:</span>')
            anchor.metadata["tags"] = [ERROR_MARKER_TAG]
            nb.cells.insert(index, anchor)
            nb.cells.insert(0, note)
    published = published_copy(nb, spec.public_parameters, spec.root)
    check_no_symlink(target, Path(spec.output))
    atomic_write(target, nbformat.writes(published).encode("utf-8"))
    return cell, target


def summary_of(nb) -> dict:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if SUMMARY_MIME in data:
                value = data[SUMMARY_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    return {}


def describe_error(e: BaseException) -> tuple[str, str]:
    name = getattr(e, "ename", None) or type(e).__name__
    value = getattr(e, "evalue", None)
    if value is None:
        value = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return str(name), str(value)


def run_job(spec: JobSpec) -> dict:
    """Execute, render and publish one job; never raises (a failure is a result)."""
    import nbformat

    from parbrief.runner import execution

    job = spec.job
    start = time.perf_counter()
    result = JobResult(job=job.id, kind=job.kind, locality=job.locality, name=job.name,
                       period=job.period, status=STATUS_FAILED)
    if not worker_state:
        init_worker(spec.executor, spec.renderer, spec.root, warm_up=False)
    # <stem>.<pid>.<random>: the batch tells from it which jobs a dead worker was running
    staging = Path(spec.output) / STAGING / f"{job.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    made = False
    try:
        check_no_symlink(staging, Path(spec.output))  # the batch checked; a link planted since
        staging.mkdir(parents=True)
        made = True
        executed = staging / "executed.ipynb"
        out = staging / "out"
        out.mkdir()
        try:
            if spec.executor == "warm":
                ensure_kernel(spec.root)
                nb = execution.execute(job.notebook, executed, job.parameters, executor="warm",
                                       cwd=Path(spec.root), timeout=spec.timeout)
            else:
                with quiet_kernels():  # papermill starts a fresh kernel for this notebook
                    nb = execution.execute(job.notebook, executed, job.parameters,
                                           executor="strict", cwd=Path(spec.root),
                                           timeout=spec.timeout)
        except Exception as e:  # noqa: BLE001 - any failure is this job's, never the batch's
            from papermill.exceptions import PapermillExecutionError

            if spec.executor == "warm" and not isinstance(e, PapermillExecutionError):
                # A timed-out cell is still running in the warm kernel (and a kernel that
                # failed otherwise is in an unknown state): the next job gets a new kernel.
                shutdown_worker()
            name, value = describe_error(e)
            cell, saved = None, None
            try:
                cell, saved = save_failed(spec, executed, name, value)
            except Exception as save_error:  # noqa: BLE001
                value += f" (the executed notebook could not be kept: {save_error})"
            result.cell, result.exception = cell, f"{name}: {value}"
            result.failed_notebook = str(saved) if saved else None
            where = f"cell {cell}: " if cell is not None else ""
            result.detail = f"{where}{name}: {value}"
            if data_changed(spec):  # what it read was a file being edited: say so first
                result.detail = ("the data changed while the batch ran; nothing was published "
                                 "for it: run the batch again once the data files are no "
                                 f"longer being edited ({result.detail})")
            return asdict(result) | {"seconds": time.perf_counter() - start}

        summary = summary_of(nb)
        planned = (spec.manifest.get("inputs") or {}).get("inputs")
        if planned and summary.get("inputs") != planned:
            # The report read other rows than the batch planned from: a data file changed
            # while the batch ran. Publishing it would mix two versions of the data.
            raise InputsChangedError(
                f"the data changed while the batch ran: the report read inputs "
                f"{str(summary.get('inputs'))[:12]}, the batch planned from "
                f"{planned[:12]}; nothing was published for it: run the batch again once the "
                "data files are no longer being edited")
        published = published_copy(nb, spec.public_parameters, spec.root)
        if spec.committee:  # what the renderers put in the committee edition's frame
            published.metadata.setdefault("parbrief", {})["committee"] = spec.committee
        from parbrief.publish import render
        from parbrief.publish.notebook_copy import notebook_bytes, viewable_without_trust

        # a quarter's and a year's reports sit in the site's province folder and link to its
        # pages; the methodology document has a folder of its own, outside any site
        render.render_report(published, out, job.stem, list(spec.languages), list(spec.formats),
                             renderer_for(spec.renderer), site=job.kind != "methodology")
        # after rendering: the renderers work from the SVG at print resolution
        viewable_without_trust(published, render.default_renderer())
        (out / f"{job.stem}.ipynb").write_bytes(notebook_bytes(published))
        manifest = dict(spec.manifest)
        manifest["summary"] = summary
        outputs = publish_report(out, job, Path(spec.output), manifest)
        failed_copy = job.out_dir.parent / "_failed" / f"{job.stem}.ipynb"
        # this job works again (a link planted on the way is left alone, never followed)
        with contextlib.suppress(FileNotFoundError, ParbriefError):
            check_no_symlink(failed_copy, Path(spec.output))
            failed_copy.unlink()
        result.status = STATUS_OK
        result.outputs = [o["path"] for o in outputs]
        # made, with something a reader of the status must know (a unit not yet ranked)
        result.detail = summary.get("status_note") or ""
    except Exception as e:  # noqa: BLE001 - rendering or writing failed: the old report stays
        name, value = describe_error(e)
        result.exception = f"{name}: {value}"
        result.detail = f"rendering/publishing: {name}: {value}"
        with contextlib.suppress(Exception):  # the executed notebook, to see what was rendered
            if "published" in locals():
                target = job.out_dir.parent / "_failed" / f"{job.stem}.ipynb"
                check_no_symlink(target, Path(spec.output))
                atomic_write(target, nbformat.writes(published).encode("utf-8"))
                result.failed_notebook = str(target)
    finally:
        if made:  # never a folder this job did not make (one reached through a planted link)
            shutil.rmtree(staging, ignore_errors=True)
    return asdict(result) | {"seconds": time.perf_counter() - start}
