"""The batch runner: a params file -> jobs -> execute -> render -> ``reports/<period>/...``.

For each job (one briefing, or one overview) the runner computes a fingerprint of everything
the report depends on: the notebook, its parameters, the slice of data it reads
(``briefing.job_fingerprint``), the methodology, parbrief's version and code, the languages and
formats. A job whose manifest carries the same fingerprint, with every output present, is
skipped as up to date. Every other job runs in a worker process (one warm kernel and one
renderer per worker), renders into a staging folder, and is published file by file with
``os.replace``; its manifest is written last, so a report without a current manifest is simply
run again. A failed job never touches the last good report: its executed notebook goes to
``reports/<period>/_failed/`` with the failing cell marked.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Self

from parbrief import PACKAGE_ROOT, __version__
from parbrief.core.errors import ParbriefError
from parbrief.runner import params as paramfiles
from parbrief.runner.params import Job, Params

LOCK_NAME = ".parbrief.lock"
STAGING = ".staging"  # inside the output folder: same file system, so os.replace is atomic
MANIFEST_VERSION = 1
SUMMARY_MIME = "application/vnd.parbrief.summary+json"
PACKAGES = ("pandas", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "typst",
            "matplotlib", "babel", "jupyter_client")
RENDERERS = ("typst", "quarto")
STATUS_OK, STATUS_SKIPPED, STATUS_FAILED = "ok", "skipped", "failed"


class BatchLockedError(ParbriefError):
    """Another batch is writing to the same output folder."""


# --------------------------------------------------------------------------- results


@dataclass
class JobResult:
    job: str  # <period>/<parent slug>/<stem>
    kind: str
    locality: str
    name: str
    period: str
    status: str  # ok | skipped | failed
    seconds: float = 0.0
    detail: str = ""
    cell: int | None = None  # execution count of the failing cell (In [N])
    exception: str | None = None  # "ValueError: message"
    outputs: list[str] = field(default_factory=list)  # relative to the job's folder
    failed_notebook: str | None = None

    @property
    def stem(self) -> str:
        return self.job.rsplit("/", 1)[-1]


@dataclass
class BatchResult:
    output: Path
    results: list[JobResult]
    index_pages: list[Path]
    seconds: float
    # what went wrong outside any job (e.g. an index page that could not be written)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> list[JobResult]:
        return [r for r in self.results if r.status == STATUS_OK]

    @property
    def skipped(self) -> list[JobResult]:
        return [r for r in self.results if r.status == STATUS_SKIPPED]

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == STATUS_FAILED]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.problems else 0

    def by_stem(self) -> dict[str, JobResult]:
        return {r.stem: r for r in self.results}

    def table(self) -> str:
        """The final status table: job, locality, status, seconds, detail."""
        rows = [("job", "locality", "status", "seconds", "detail")]
        for r in self.results:
            status = "skipped (up to date)" if r.status == STATUS_SKIPPED else r.status
            rows.append((r.stem, f"{r.locality} {r.name}", status, f"{r.seconds:.1f}", r.detail))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row[:4], widths)) + "  " + row[4]
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 6)
        return "\n".join(line.rstrip() for line in lines)

    def summary_line(self) -> str:
        return (f"{len(self.results)} jobs: {len(self.ok)} ok, {len(self.skipped)} skipped "
                f"(up to date), {len(self.failed)} failed in {self.seconds:.1f} s")


# --------------------------------------------------------------------------- lock


class OutputLock:
    """``reports/.parbrief.lock``: one batch per output folder at a time (fcntl.flock, released
    by the kernel when the process ends, however it ends)."""

    def __init__(self, output: Path):
        self.output = Path(output)
        self.path = self.output / LOCK_NAME
        self.fd: int | None = None

    def __enter__(self) -> Self:
        self.output.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise BatchLockedError(f"{self.path} is a symbolic link; remove it") from None
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise BatchLockedError(
                f"another parbrief batch (PID {holder}) is writing to {self.output} (lock file "
                f"{self.path}); wait until it finishes, or stop it (kill {holder}) and run "
                "again") from None
        try:  # the PID only names the holder for a second batch; the flock is the lock
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:  # e.g. no space left on the device: the jobs will say so
            pass
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


# --------------------------------------------------------------------------- files


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _check_no_symlink(path: Path, top: Path) -> None:
    """Refuse to write through a symbolic link planted inside the output folder."""
    link = paramfiles._symlink_below(Path(os.path.normpath(path)), Path(os.path.normpath(top)))
    if link is not None:
        raise ParbriefError(f"refusing to write {path}: {link} is a symbolic link inside the "
                            f"output folder {top}; remove it")


# The runner and the command line decide what runs, not what a report says.
NOT_REPORT_CODE = frozenset({"runner/batch.py", "runner/params.py", "cli.py"})


@lru_cache(maxsize=1)
def code_checksum() -> str:
    """sha256 of the code and resources that make a report's content: a change to any of them
    re-renders the reports, even within one parbrief version."""
    h = hashlib.sha256()
    for f in sorted(PACKAGE_ROOT.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc" \
                and f.relative_to(PACKAGE_ROOT).as_posix() not in NOT_REPORT_CODE:
            h.update(f.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0")
            h.update(f.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "parbrief": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit(root: Path) -> str | None:
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def read_manifest(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _outputs_present(manifest: dict, folder: Path) -> bool:
    for out in manifest.get("outputs", []):
        p = folder / out["path"]
        try:
            if p.stat().st_size != out["bytes"]:
                return False
        except OSError:
            return False
    return bool(manifest.get("outputs"))


# --------------------------------------------------------------------------- fingerprints


def _sha(value) -> str:
    return hashlib.sha256(paramfiles.dumps(value).encode("utf-8")).hexdigest()


@dataclass
class _Inputs:
    """What every job of a batch shares: checksums computed once."""

    data_checksum: str
    methodology: dict  # id, version, checksum
    notebooks: dict  # path -> sha256
    code: str


def _batch_inputs(params: Params) -> _Inputs:
    from parbrief.ingest import dataset as datasets
    from parbrief.scoring import methodology as methodologies

    data = Path(params.data)
    figures, appraisal, _ = datasets.dataset_files(data)
    files = figures + ([appraisal] if appraisal else [])
    method = methodologies.load(params.methodology)
    notebooks = {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest()
                 for p in set(params.notebooks.values())}
    return _Inputs(data_checksum=datasets.checksum(files),
                   methodology={"id": method.id, "version": method.version,
                                "checksum": method.checksum},
                   notebooks=notebooks, code=code_checksum())


def _key(job: Job, params: Params, inputs: _Inputs, renderer: str, data_part: str) -> str:
    return _sha({
        "kind": job.kind, "notebook": inputs.notebooks[str(job.notebook)],
        "parameters": job.parameters, "data": data_part, "methodology": inputs.methodology,
        "parbrief": __version__, "code": inputs.code, "languages": list(params.languages),
        "formats": list(params.formats), "renderer": renderer,
        # the date PDFs carry: another value re-renders them
        "pdf_date": os.environ.get("SOURCE_DATE_EPOCH") if "pdf" in params.formats else None,
    })


def _fingerprint_parameters(job: Job, params: Params) -> dict:
    """``job_fingerprint`` resolves paths itself: give it absolute ones."""
    p = dict(job.parameters, data=str(params.data), methodology=params.methodology)
    if job.kind == "overview":
        p["province"] = job.locality
    return p


# --------------------------------------------------------------------------- worker side

_worker: dict = {}


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
    _worker.clear()
    _worker.update(executor=executor, renderer_kind=renderer, root=root)
    multiprocessing.util.Finalize(None, shutdown_worker, exitpriority=10)
    if renderer != "quarto":
        from parbrief.publish import render

        with contextlib.suppress(Exception):  # a broken renderer shows in the first job
            render.default_renderer()
    if executor == "warm" and warm_up:
        with contextlib.suppress(Exception):  # a kernel that cannot start fails the first job
            _ensure_kernel(root)  # started and warmed up (imports, registers) before any job


@contextlib.contextmanager
def _quiet_kernels():
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


def _ensure_kernel(root: str) -> None:
    from parbrief.runner import execution

    if _worker.get("kernel_cwd") != root:  # the kernel's folder is fixed when it starts
        execution._warm.shutdown()
    if execution._warm.km is None or not execution._warm.km.is_alive():
        with _quiet_kernels():
            execution._warm.ensure(cwd=root)
    _worker["kernel_cwd"] = root


def _quiet_papermill() -> None:
    import logging

    # papermill logs every parameter its own parser cannot read; ours are checked beforehand.
    logging.getLogger("papermill").setLevel(logging.ERROR)


def shutdown_worker() -> None:
    from parbrief.runner import execution

    execution._warm.shutdown()
    _worker.pop("kernel_cwd", None)


def _renderer(kind: str):
    """One Renderer (HTML exporter + Typst compiler) per process; Quarto runs as a command."""
    from parbrief.publish import render

    return "quarto" if kind == "quarto" else render.default_renderer()


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


def _machine_paths(root: str) -> tuple[re.Pattern, dict[str, str]]:
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


def _scrub(value, paths: tuple[re.Pattern, dict[str, str]]):
    """``value`` (a string, or lists and dicts of them) with machine paths replaced."""
    if isinstance(value, str):
        pattern, names = paths
        return pattern.sub(lambda m: names[m.group(0)], value)
    if isinstance(value, list):
        return [_scrub(v, paths) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, paths) for k, v in value.items()}
    return value


def _scrub_outputs(cell, paths: tuple[re.Pattern, dict[str, str]]) -> None:
    """Error messages, tracebacks, printed text and warnings of a cell: the places where a
    library names the files it runs from (the report's own outputs hold no absolute paths)."""
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "error":
            out["evalue"] = _scrub(out.get("evalue", ""), paths)
            out["traceback"] = _scrub(out.get("traceback", []), paths)
        elif kind == "stream":
            out["text"] = _scrub(out.get("text", ""), paths)
        elif kind in ("display_data", "execute_result"):
            for mime, data in out.get("data", {}).items():
                if mime.startswith("text/"):
                    out["data"][mime] = _scrub(data, paths)


def _published_copy(nb, public_parameters: dict, root: str):
    """The executed notebook as it may be published: outputs kept; absolute paths (in the
    metadata, and in error messages, tracebacks and warnings), timings and the papermill
    bookkeeping that names the machine removed."""
    import copy

    from papermill.translators import translate_parameters

    nb = copy.deepcopy(nb)
    paths = _machine_paths(root)
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
            cell.source = translate_parameters("python3", "python", public_parameters,
                                               "Parameters")
    return nb


def _failing_cell(nb) -> tuple[int | None, int | None]:
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


def _save_failed(spec: JobSpec, executed: Path, error_name: str, error_value: str) -> tuple:
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
    index, cell = _failing_cell(nb)
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
                f'{_scrub(error_value, _machine_paths(spec.root))}</span>')
            note.metadata["tags"] = [ERROR_MARKER_TAG]
            anchor = nbformat.v4.new_markdown_cell(
                '<span id="papermill-error-cell" style="color:red; font-family:Helvetica Neue, '
                'Helvetica, Arial, sans-serif; font-size:2em;">Execution using papermill '
                'encountered an exception here and stopped:</span>')
            anchor.metadata["tags"] = [ERROR_MARKER_TAG]
            nb.cells.insert(index, anchor)
            nb.cells.insert(0, note)
    published = _published_copy(nb, spec.public_parameters, spec.root)
    _check_no_symlink(target, Path(spec.output))
    atomic_write(target, nbformat.writes(published).encode("utf-8"))
    return cell, target


def _summary(nb) -> dict:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if SUMMARY_MIME in data:
                value = data[SUMMARY_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    return {}


def _describe_error(e: BaseException) -> tuple[str, str]:
    name = getattr(e, "ename", None) or type(e).__name__
    value = getattr(e, "evalue", None)
    if value is None:
        value = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return str(name), str(value)


def _publish(staged: Path, job: Job, output: Path, manifest: dict) -> list[dict]:
    """Move the staged files over the published ones; the manifest comes last.

    Everything that needs disk space happens first, beside the staged files: their checksums
    and the new manifest, written and flushed to disk in the staging folder. What follows only
    renames and removes files, which needs no space, so a disk that fills up meanwhile cannot
    leave a half-swapped report waiting for a manifest that no longer fits."""
    from parbrief.publish.render import _fsync_dir

    folder = job.out_dir
    _check_no_symlink(folder, output)
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = job.path(".manifest.json")
    old = read_manifest(manifest_path) or {}
    files = sorted(p for p in staged.rglob("*") if p.is_file())
    outputs = [{"path": p.relative_to(staged).as_posix(), "bytes": p.stat().st_size,
                "sha256": sha256_file(p)} for p in files]
    for p in files:  # flush the staged bytes before they become visible under their names
        with open(p, "rb") as f:
            os.fsync(f.fileno())
    manifest["outputs"] = outputs
    staged_manifest = staged.parent / "manifest.json"  # beside the outputs, not one of them
    with open(staged_manifest, "wb") as f:
        f.write((json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=False)
                 + "\n").encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())
    targets = []
    for out in outputs:  # folders made (and links refused) before anything is swapped
        target = folder / out["path"]
        _check_no_symlink(target, output)
        target.parent.mkdir(parents=True, exist_ok=True)
        targets.append(target)
    # While files are being swapped the report is neither old nor new: no manifest says
    # "up to date" until the new one is in place.
    with contextlib.suppress(FileNotFoundError):
        manifest_path.unlink()
    for p, target in zip(files, targets):
        os.replace(p, target)
    new = {o["path"] for o in outputs}
    for o in old.get("outputs", []):  # files the previous report had and this one has not
        if o["path"] not in new:
            stale = folder / o["path"]
            with contextlib.suppress(OSError):
                _check_no_symlink(stale, output)
                stale.unlink()
    os.replace(staged_manifest, manifest_path)
    for sub in sorted({t.parent for t in targets} | {folder}):
        _fsync_dir(sub)
    return outputs


def run_job(spec: JobSpec) -> dict:
    """Execute, render and publish one job; never raises (a failure is a result)."""
    import nbformat

    from parbrief.runner import execution

    job = spec.job
    start = time.perf_counter()
    result = JobResult(job=job.id, kind=job.kind, locality=job.locality, name=job.name,
                       period=job.period, status=STATUS_FAILED)
    if not _worker:
        init_worker(spec.executor, spec.renderer, spec.root, warm_up=False)
    # <stem>.<pid>.<random>: the batch tells from it which jobs a dead worker was running
    staging = Path(spec.output) / STAGING / f"{job.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir(parents=True)
        executed = staging / "executed.ipynb"
        out = staging / "out"
        out.mkdir()
        try:
            if spec.executor == "warm":
                _ensure_kernel(spec.root)
                nb = execution.execute(job.notebook, executed, job.parameters, executor="warm",
                                       cwd=Path(spec.root), timeout=spec.timeout)
            else:
                with _quiet_kernels():  # papermill starts a fresh kernel for this notebook
                    nb = execution.execute(job.notebook, executed, job.parameters,
                                           executor="strict", cwd=Path(spec.root),
                                           timeout=spec.timeout)
        except Exception as e:  # noqa: BLE001 - any failure is this job's, never the batch's
            from papermill.exceptions import PapermillExecutionError

            if spec.executor == "warm" and not isinstance(e, PapermillExecutionError):
                # A timed-out cell is still running in the warm kernel (and a kernel that
                # failed otherwise is in an unknown state): the next job gets a new kernel.
                shutdown_worker()
            name, value = _describe_error(e)
            cell, saved = None, None
            try:
                cell, saved = _save_failed(spec, executed, name, value)
            except Exception as save_error:  # noqa: BLE001
                value += f" (the executed notebook could not be kept: {save_error})"
            result.cell, result.exception = cell, f"{name}: {value}"
            result.failed_notebook = str(saved) if saved else None
            where = f"cell {cell}: " if cell is not None else ""
            result.detail = f"{where}{name}: {value}"
            return asdict(result) | {"seconds": time.perf_counter() - start}

        published = _published_copy(nb, spec.public_parameters, spec.root)
        from parbrief.publish import render

        render.render_report(published, out, job.stem, list(spec.languages), list(spec.formats),
                             _renderer(spec.renderer))
        (out / f"{job.stem}.ipynb").write_bytes(nbformat.writes(published).encode("utf-8"))
        manifest = dict(spec.manifest)
        manifest["summary"] = _summary(nb)
        outputs = _publish(out, job, Path(spec.output), manifest)
        failed_copy = job.out_dir.parent / "_failed" / f"{job.stem}.ipynb"
        with contextlib.suppress(FileNotFoundError):  # this job works again
            failed_copy.unlink()
        result.status = STATUS_OK
        result.outputs = [o["path"] for o in outputs]
        result.detail = ""
    except Exception as e:  # noqa: BLE001 - rendering or writing failed: the old report stays
        name, value = _describe_error(e)
        result.exception = f"{name}: {value}"
        result.detail = f"rendering/publishing: {name}: {value}"
        with contextlib.suppress(Exception):  # the executed notebook, to see what was rendered
            if "published" in locals():
                target = job.out_dir.parent / "_failed" / f"{job.stem}.ipynb"
                _check_no_symlink(target, Path(spec.output))
                atomic_write(target, nbformat.writes(published).encode("utf-8"))
                result.failed_notebook = str(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return asdict(result) | {"seconds": time.perf_counter() - start}


# --------------------------------------------------------------------------- the batch


def _as_result(d: dict) -> JobResult:
    return JobResult(**d)


def _manifest_base(job: Job, params: Params, inputs: _Inputs, fingerprint: str, quick: str,
                   renderer: str, slice_checksum: str | None, commit: str | None) -> dict:
    public = _public_parameters(job, params)
    return {
        "parbrief_manifest": MANIFEST_VERSION,
        "job": job.id, "kind": job.kind, "locality_code": job.locality,
        "locality_name": job.name, "period": job.period, "stem": job.stem,
        "fingerprint": fingerprint, "inputs_key": quick,
        "data_checksum": inputs.data_checksum, "data_slice_checksum": slice_checksum,
        "methodology": inputs.methodology,
        "notebook": {"path": params.public_path(job.notebook),
                     "sha256": inputs.notebooks[str(job.notebook)]},
        "parbrief_version": __version__, "code_checksum": inputs.code, "git_commit": commit,
        "parameters": public, "languages": list(params.languages),
        "formats": list(params.formats), "renderer": renderer,
        "packages": package_versions(),
    }


def _public_parameters(job: Job, params: Params) -> dict:
    out = dict(job.parameters)
    for key in ("data", "methodology"):
        if key in out and (key == "data" or paramfiles._is_yaml(out[key])):
            out[key] = params.public_path(params.root / out[key]) \
                if not Path(out[key]).is_absolute() else params.public_path(out[key])
    return out


def _plan(jobs: list[Job], params: Params, inputs: _Inputs, renderer: str, force: bool,
          commit: str | None) -> tuple[list[tuple[Job, dict]], list[JobResult]]:
    """Which jobs run and which are up to date. The cheap key (whole data set checksum) is
    tried first; only when it differs is the data loaded to fingerprint each job's slice."""
    from parbrief.model import briefing

    to_run: list[tuple[Job, dict]] = []
    skipped: list[JobResult] = []
    undecided: list[tuple[Job, dict | None, str]] = []
    for job in jobs:
        quick = _key(job, params, inputs, renderer, inputs.data_checksum)
        manifest = read_manifest(job.path(".manifest.json"))
        if not force and manifest and manifest.get("inputs_key") == quick \
                and _outputs_present(manifest, job.out_dir):
            skipped.append(_skipped(job, manifest))
        else:
            undecided.append((job, manifest, quick))
    if not undecided:
        return to_run, skipped
    dataset = None
    try:
        dataset = briefing._load_dataset(str(params.data))
    except Exception:  # noqa: BLE001 - the notebooks will report the data's problems per job
        dataset = None
    for job, manifest, quick in undecided:
        slice_sum = None
        if dataset is not None:
            try:
                slice_sum = briefing.job_fingerprint(job.kind, _fingerprint_parameters(job, params),
                                                     dataset)
            except Exception:  # noqa: BLE001 - e.g. a unit with no data: fall back to all data
                slice_sum = None
        full = _key(job, params, inputs, renderer,
                    "slice:" + slice_sum if slice_sum else "all:" + inputs.data_checksum)
        if not force and manifest and manifest.get("fingerprint") == full \
                and _outputs_present(manifest, job.out_dir):
            # Same slice of data in a changed data set: remember the new data set so the next
            # unchanged run is decided without loading the data.
            manifest.update(inputs_key=quick, data_checksum=inputs.data_checksum)
            with contextlib.suppress(OSError):  # e.g. a full disk: decided the same way next time
                atomic_write(job.path(".manifest.json"),
                             (json.dumps(manifest, indent=1, ensure_ascii=False)
                              + "\n").encode())
            skipped.append(_skipped(job, manifest))
            continue
        to_run.append((job, _manifest_base(job, params, inputs, full, quick, renderer, slice_sum,
                                           commit)))
    briefing.release_data()
    return to_run, skipped


def _skipped(job: Job, manifest: dict) -> JobResult:
    return JobResult(job=job.id, kind=job.kind, locality=job.locality, name=job.name,
                     period=job.period, status=STATUS_SKIPPED, detail="up to date",
                     outputs=[o["path"] for o in manifest.get("outputs", [])])


def _clean_staging(output: Path, folders: set[Path] | None = None) -> None:
    """What a killed run leaves: its staging folder and temporary files of interrupted
    atomic writes (under the lock, nobody else is using them)."""
    shutil.rmtree(output / STAGING, ignore_errors=True)
    for folder in folders or ():
        for tmp in folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _worker_died(spec: JobSpec, detail: str) -> JobResult:
    job = spec.job
    return JobResult(job=job.id, kind=job.kind, locality=job.locality, name=job.name,
                     period=job.period, status=STATUS_FAILED,
                     exception="WorkerDied: the worker process running it died", detail=detail)


def _pool_round(specs: list[JobSpec], workers: int, ctx, initargs: tuple, output: Path,
                bar) -> tuple[list[JobResult], list[JobSpec], list[JobSpec]]:
    """Run jobs in one process pool. A worker that dies (killed, out of memory, a cell that
    kills its own worker) breaks the whole pool: the jobs then in flight are returned as
    suspects, the ones not yet started to be run again."""
    results: list[JobResult] = []
    lost: list[JobSpec] = []
    pool = ProcessPoolExecutor(max_workers=min(workers, len(specs)), mp_context=ctx,
                               initializer=init_worker, initargs=initargs)
    futures = {pool.submit(run_job, spec): spec for spec in specs}
    broken = False
    try:
        # as_completed waits on every future once; wait(FIRST_COMPLETED) in a loop locks all
        # the pending ones at each completion, a fifth of a core for a national batch
        for fut in as_completed(futures):
            try:
                results.append(_as_result(fut.result()))
                bar.update(1)
            except BrokenProcessPool:
                broken = True
                lost.append(futures[fut])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if not broken:
        return results, [], []
    started = {p.name.split(".", 1)[0] for p in (output / STAGING).glob("*.*.*")}
    shutil.rmtree(output / STAGING, ignore_errors=True)
    suspects = [s for s in lost if s.job.stem in started]
    return results, suspects, [s for s in lost if s.job.stem not in started]


def _worker_environment() -> None:
    """Settings the workers and their kernels inherit (set before they start; a value the
    user set wins). Arrow's default allocator (mimalloc) keeps per-thread heaps that held
    about 40 MB per process after reading the registers; the system allocator returns it."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def _run_local(specs: list[JobSpec], workers: int, executor: str, renderer: str, root: str,
               output: Path, bar) -> list[JobResult]:
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["parbrief.runner.batch", "parbrief.runner.execution"])
    initargs = (executor, renderer, root, True, os.getpid())
    results: list[JobResult] = []
    shared, alone = list(specs), []
    while shared or alone:
        if shared:
            done, suspects, again = _pool_round(shared, workers, ctx, initargs, output, bar)
            results += done
            if suspects or done:
                alone += suspects
                shared = again
            else:  # no worker got as far as a job (e.g. it cannot start a kernel)
                for spec in again:
                    results.append(_worker_died(spec, "the worker processes died before "
                                                      "running any job"))
                    bar.update(1)
                shared = []
        if alone:
            # A suspect runs on its own: if its worker dies again, it is the cause.
            spec = alone.pop(0)
            done, suspects, again = _pool_round([spec], 1, ctx, initargs, output, bar)
            results += done
            for dead in suspects + again:
                results.append(_worker_died(dead, "the worker process died while running it, "
                                                  "twice (killed, out of memory, or a cell that "
                                                  "ends its process)"))
                bar.update(1)
    return results


def _run_dask(specs: list[JobSpec], workers: int, scheduler: str | None, bar) -> list[JobResult]:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    results: list[JobResult] = []
    try:
        futures = [client.submit(run_job, spec, pure=False, key=f"parbrief-{spec.job.id}-"
                                 f"{uuid.uuid4().hex[:6]}", retries=1) for spec in specs]
        by_future = dict(zip(futures, specs))
        for fut in as_completed(futures):
            spec = by_future[fut]
            try:
                results.append(_as_result(fut.result()))
            except Exception as e:  # noqa: BLE001 - a lost worker
                name, value = _describe_error(e)
                results.append(JobResult(job=spec.job.id, kind=spec.job.kind,
                                         locality=spec.job.locality, name=spec.job.name,
                                         period=spec.job.period, status=STATUS_FAILED,
                                         exception=f"{name}: {value}",
                                         detail=f"dask: {name}: {value}"))
            bar.update(1)
        if cluster is not None:
            with contextlib.suppress(Exception):
                client.run(shutdown_worker)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results


def _index_entries(params: Params, period: str, failed: list[JobResult]) -> list[dict]:
    """Every report of the quarter in the output folder, read back from its manifest."""
    top = params.output / period
    entries = []
    for path in sorted(top.glob("*/*.manifest.json")):
        manifest = read_manifest(path)
        if not manifest or manifest.get("period") != period:
            continue
        folder = path.parent.relative_to(top).as_posix()
        stem = manifest.get("stem", "")
        links: dict = {}
        for out in manifest.get("outputs", []):
            name = out["path"]
            for lang in manifest.get("languages", []):
                for fmt in ("html", "pdf"):
                    if name == f"{stem}.{lang}.{fmt}":
                        links.setdefault(lang, {})[fmt] = f"{folder}/{name}"
        entry = dict(manifest.get("summary") or {})
        entry.update(kind=manifest.get("kind"), stem=stem,
                     locality_code=manifest.get("locality_code"),
                     locality_name=entry.get("locality_name") or manifest.get("locality_name"),
                     links=links)
        entries.append(entry)
    have = {e["stem"] for e in entries}
    for r in failed:  # failed with no earlier good report: listed, without links
        if r.period == period and r.stem not in have:
            entries.append({"kind": r.kind, "stem": r.stem, "locality_code": r.locality,
                            "locality_name": r.name, "links": {}})
    return entries


def _write_index(params: Params, periods: list[str], failed: list[JobResult],
                 problems: list[str] | None = None) -> list[Path]:
    """``index.html`` of each period. A page that cannot be written (a full disk) is named in
    ``problems`` and the previous page, if any, is left as it was; the jobs' reports stand."""
    from parbrief.publish import render

    pages = []
    for period in periods:
        path = params.output / period / "index.html"
        try:
            _check_no_symlink(path, params.output)
            page = render.index_page(period, _index_entries(params, period, failed))
            render.atomic_write(path, page.encode("utf-8") if isinstance(page, str) else page)
        except (OSError, ParbriefError) as e:
            if problems is None:
                raise
            name, value = _describe_error(e)
            problems.append(f"could not write {path}: {name}: {value}")
            continue
        pages.append(path)
    return pages


def run_batch(params_file: str | Path | Params, workers: int | None = None,
              force: bool = False, executor: str | None = None, scheduler: str | None = None,
              progress: bool = True, renderer: str = "typst", output: str | Path | None = None,
              echo=None) -> BatchResult:
    """Run every job of a params file; returns the results (never raises for a failed job).

    ``executor``: ``warm`` (default: one reused kernel per worker), ``strict`` (a fresh kernel
    per notebook) or ``dask`` (``scheduler`` address, or a LocalCluster of ``workers``).
    ``echo``: where the status table goes (default: print to stdout).
    """
    from tqdm import tqdm

    start = time.perf_counter()
    params = params_file if isinstance(params_file, Params) else paramfiles.load(
        params_file, overrides={"output": output} if output else None)
    if output and isinstance(params_file, Params):
        params = paramfiles._override(params, {"output": output}, "run_batch")
    executor = executor or params.executor
    if executor not in paramfiles.EXECUTORS:
        raise paramfiles.ParameterError(f"unknown executor {executor!r}: use one of "
                                        f"{', '.join(paramfiles.EXECUTORS)}")
    if renderer not in RENDERERS:
        raise paramfiles.ParameterError(f"unknown renderer {renderer!r}: use one of "
                                        f"{', '.join(RENDERERS)}")
    if renderer == "quarto":
        from parbrief.publish import render

        if render.quarto_available() is None:
            raise paramfiles.ParameterError(
                "--renderer quarto needs the quarto command on PATH (https://quarto.org, or "
                "pip install quarto-cli); without it use the default --renderer typst")
    workers = workers or params.workers or os.cpu_count() or 1
    # before this process reads any data (it uses the same allocator) and before any worker,
    # local or a LocalCluster's, starts; a remote cluster's workers keep their own
    _worker_environment()
    jobs = paramfiles.expand(params)  # notebook parameters checked before any kernel starts
    inputs = _batch_inputs(params)
    commit = git_commit(params.root)
    with OutputLock(params.output):
        _clean_staging(params.output, {j.out_dir for j in jobs}
                       | {params.output / p for p in params.periods})
        to_run, results = _plan(jobs, params, inputs, renderer, force, commit)
        kernel_executor = "strict" if executor == "strict" else "warm"
        specs = [JobSpec(job=job, root=str(params.root), output=str(params.output),
                         executor=kernel_executor, renderer=renderer, timeout=params.timeout,
                         languages=params.languages, formats=params.formats, manifest=base,
                         public_parameters=base["parameters"]) for job, base in to_run]
        bar = tqdm(total=len(jobs), initial=len(results), file=sys.stderr,
                   disable=not progress, unit="job", desc=params.name, dynamic_ncols=True)
        try:
            if specs and executor == "dask":
                results += _run_dask(specs, workers, scheduler, bar)
            elif specs:
                results += _run_local(specs, workers, kernel_executor, renderer,
                                      str(params.root), params.output, bar)
        finally:
            bar.close()
        order = {job.id: i for i, job in enumerate(jobs)}
        results.sort(key=lambda r: order[r.job])
        failed = [r for r in results if r.status == STATUS_FAILED]
        problems: list[str] = []
        pages = _write_index(params, list(params.periods), failed, problems)
        _clean_staging(params.output)
    result = BatchResult(output=params.output, results=results, index_pages=pages,
                         seconds=time.perf_counter() - start, problems=problems)
    if echo is not False:
        (echo or print)(report(result))
    return result


def report(result: BatchResult, cwd: Path | None = None) -> str:
    """The status table, the counts and where the reports are."""
    cwd = cwd or Path.cwd()

    def show(p: Path) -> str:
        try:
            return os.path.relpath(p, cwd) if not os.path.relpath(p, cwd).startswith("../..") \
                else str(p)
        except ValueError:
            return str(p)

    lines = [result.table(), "", result.summary_line()]
    for page in result.index_pages:
        lines.append(f"reports: {show(page)}")
    for r in result.failed:
        if r.failed_notebook:
            lines.append(f"failed notebook: {show(Path(r.failed_notebook))}")
    for problem in result.problems:
        lines.append(f"error: {problem}")
    return "\n".join(lines)
