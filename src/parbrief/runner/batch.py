"""The batch runner: a params file -> jobs -> execute -> render -> ``reports/<period>/...``.

For each job (one briefing, or one overview) the planner (``runner.plan``) computes a
fingerprint of everything the report depends on: the notebook, its parameters, the checksums of
what it reads (its declared inputs, ``model.inputs``), the methodology, parbrief's code and
dependency lock, the languages and formats. A job whose manifest carries the same fingerprint,
with every output as published, is skipped as up to date. Every other job runs in a worker process (one warm kernel and one
renderer per worker), renders into a staging folder, and is published file by file with
``os.replace``; its manifest is written last, so a report without a current manifest is simply
run again. A failed job never touches the last good report: its executed notebook goes to
``reports/<period>/_failed/`` with the failing cell marked.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from pathlib import Path

from parbrief.core.errors import ParbriefError
from parbrief.core.files import atomic_write, check_no_symlink
from parbrief.publish import index_page, newsroom, quarto
from parbrief.publish.html import site_page
from parbrief.publish.render import RENDERERS
from parbrief.runner import params as paramfiles
from parbrief.runner.executors import EXECUTORS, worker_environment
from parbrief.runner.lock import OutputLock
from parbrief.runner.manifest import git_commit, read_manifest
from parbrief.runner.params import Params
from parbrief.runner.plan import batch_inputs, plan_jobs
from parbrief.runner.results import STATUS_FAILED, BatchResult, JobResult
from parbrief.runner.worker import STAGING, JobSpec, data_stamps, describe_error

# The last second whose date every time zone can show (IPython's kernel banner and the PDFs
# turn SOURCE_DATE_EPOCH into a local date: later ones overflow).
LAST_SOURCE_DATE_EPOCH = 253_402_214_400  # 9999-12-31 00:00 UTC


def check_source_date_epoch() -> None:
    """``SOURCE_DATE_EPOCH`` checked once, before any kernel starts: a kernel reads it for its
    banner and, given ``abc`` or ``2026-01-01``, never answers (each job then waited 60 s for
    it and failed with "Kernel didn't respond")."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return
    if not value.isdigit() or not value.isascii() or int(value) > LAST_SOURCE_DATE_EPOCH:
        raise paramfiles.ParameterError(
            f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970-01-01 UTC "
            "(e.g. 1767225600 for 2026-01-01; see docs/faults.md): correct it or unset it; "
            "nothing was run")


# --------------------------------------------------------------------------- results


# --------------------------------------------------------------------------- lock


# --------------------------------------------------------------------------- files


# --------------------------------------------------------------------------- fingerprints


# --------------------------------------------------------------------------- worker side


# --------------------------------------------------------------------------- the batch


def clean_staging(output: Path, folders: set[Path] | None = None) -> None:
    """What a killed run leaves: its staging folder and temporary files of interrupted
    atomic writes (under the lock, nobody else is using them)."""
    shutil.rmtree(output / STAGING, ignore_errors=True)
    for folder in folders or ():
        for tmp in folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()


def refuse_links(params: Params, jobs) -> None:
    """Every folder the batch writes in or cleans, the staging folder included, checked for a
    symbolic link planted in the output folder before anything is written (each write checks
    again: a link planted meanwhile is not followed either)."""
    folders = {params.output / STAGING}
    for period in params.periods:
        folders |= {params.output / period, params.output / period / "_failed",
                    params.output / period / "index.html"}
    folders |= {job.out_dir for job in jobs}
    for folder in sorted(folders):
        check_no_symlink(folder, params.output)


def _index_entries(params: Params, period: str, failed: list[JobResult]) -> list[dict]:
    """Every report of the quarter in the output folder, read back from its manifest: its
    summary, its ``folder`` (the province's) and its ``links`` ({lang: {format: path relative
    to the province folder}}; ``newsroom`` is the pack's index page)."""
    top = params.output / period
    entries = []
    for path in sorted(top.glob("*/*.manifest.json")):
        manifest = read_manifest(path)
        if not manifest or manifest.get("period") != period:
            continue
        folder = path.parent.relative_to(top).as_posix()
        stem = manifest.get("stem", "")
        names = {out["path"] for out in manifest.get("outputs", [])}
        links: dict = {}
        for lang in manifest.get("languages", []):
            for fmt in ("html", "pdf", "docx"):
                if f"{stem}.{lang}.{fmt}" in names:
                    links.setdefault(lang, {})[fmt] = f"{stem}.{lang}.{fmt}"
            pack = f"{stem}.{lang}.newsroom/{newsroom.PACK_INDEX}"
            if pack in names:
                links.setdefault(lang, {})["newsroom"] = pack
        entry = dict(manifest.get("summary") or {})
        entry.update(kind=manifest.get("kind"), stem=stem, folder=folder,
                     locality_code=manifest.get("locality_code"),
                     locality_name=entry.get("locality_name") or manifest.get("locality_name"),
                     links=links)
        entries.append(entry)
    have = {(e["folder"], e["stem"]) for e in entries}
    for r in (r for r in failed if r.period == period):  # failed, no earlier good report
        folder = r.job.split("/")[1] if r.job.count("/") >= 2 else ""
        if (folder, r.stem) not in have:
            entries.append({"kind": r.kind, "stem": r.stem, "folder": folder,
                            "locality_code": r.locality, "locality_name": r.name, "links": {}})
    return entries


def _site_pages(params: Params, period: str, entries: list[dict]) -> dict[Path, bytes]:
    """The national page and a page per province folder, in each language of the params."""
    top = params.output / period
    languages = list(params.languages)
    folders: dict[str, dict] = {}
    for entry in entries:
        p = folders.setdefault(entry["folder"], {"folder": entry["folder"], "overview": None,
                                                 "briefings": [], })
        if entry.get("kind") == "overview":
            p["overview"] = entry
        else:
            p["briefings"].append(entry)
    pages: dict[Path, bytes] = {}
    for lang in languages:
        name = site_page(lang, languages)
        for folder, p in folders.items():
            if folder:
                pages[top / folder / name] = index_page.province_page(
                    period, lang, languages, p["overview"], p["briefings"])
        pages[top / name] = index_page.national_page(
            period, lang, languages, [dict(p, briefings=len(p["briefings"]))
                                      for f, p in folders.items() if f])
    return pages


def _write_index(params: Params, periods: list[str], failed: list[JobResult],
                 problems: list[str] | None = None) -> list[Path]:
    """The site of each period: ``index.html`` (the national page; ``index.<lang>.html`` in
    the other languages) and the same pages in each province folder. A page that cannot be
    written (a full disk) is named in ``problems`` and the previous page, if any, is left as
    it was; the jobs' reports stand. Returns each period's national page."""

    national = []
    for period in periods:
        main = params.output / period / site_page(params.languages[0] if params.languages
                                                  else "vi", params.languages)
        try:
            pages = _site_pages(params, period, _index_entries(params, period, failed))
        except (OSError, ParbriefError) as e:
            if problems is None:
                raise
            name, value = describe_error(e)
            problems.append(f"could not write {main}: {name}: {value}")
            continue
        # the national page last: a reader who finds it finds the province pages too
        order = sorted(pages, key=lambda p: (p.parent == params.output / period, str(p)))
        ok = True
        for path in order:
            try:
                check_no_symlink(path, params.output)
                atomic_write(path, pages[path])
            except (OSError, ParbriefError) as e:
                if problems is None:
                    raise
                name, value = describe_error(e)
                problems.append(f"could not write {path}: {name}: {value}")
                ok = False
        main = params.output / period / "index.html"
        if ok and main.exists():
            national.append(main)
    return national


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
    check_source_date_epoch()
    params = params_file if isinstance(params_file, Params) else paramfiles.load(
        params_file, overrides={"output": output} if output else None)
    if output and isinstance(params_file, Params):
        params = paramfiles.override(params, {"output": output}, "run_batch")
    executor = executor or params.executor
    if executor not in paramfiles.EXECUTORS:
        raise paramfiles.ParameterError(f"unknown executor {executor!r}: use one of "
                                        f"{', '.join(paramfiles.EXECUTORS)}")
    if renderer not in RENDERERS:
        raise paramfiles.ParameterError(f"unknown renderer {renderer!r}: use one of "
                                        f"{', '.join(RENDERERS)}")
    if renderer == "quarto":
        if quarto.quarto_available() is None:
            raise paramfiles.ParameterError(
                "--renderer quarto needs the quarto command on PATH (https://quarto.org, or "
                "pip install quarto-cli); without it use the default --renderer typst")
    workers = workers or params.workers or os.cpu_count() or 1
    # before this process reads any data (it uses the same allocator) and before any worker,
    # local or a LocalCluster's, starts; a remote cluster's workers keep their own
    worker_environment()
    jobs = paramfiles.expand(params)  # notebook parameters checked before any kernel starts
    stamps = data_stamps(params.data)  # before reading: an edit from here on is seen
    inputs = batch_inputs(params)
    commit = git_commit(params.root)
    with OutputLock(params.output):
        refuse_links(params, jobs)
        clean_staging(params.output, {j.out_dir for j in jobs}
                       | {params.output / p for p in params.periods})
        plan = plan_jobs(jobs, params, inputs, renderer, force, commit)
        results = list(plan.decided)
        runner = EXECUTORS[executor]
        specs = [JobSpec(job=job, root=str(params.root), output=str(params.output),
                         executor=runner.kernel, renderer=renderer, timeout=params.timeout,
                         languages=params.languages, formats=params.formats, manifest=base,
                         public_parameters=base["parameters"], committee=params.committee,
                         data=None if params.data is None else str(params.data),
                         data_stamps=stamps)
                 for job, base in plan.to_run]
        bar = tqdm(total=len(jobs), initial=len(results), file=sys.stderr,
                   disable=not progress, unit="job", desc=params.name, dynamic_ncols=True)
        try:
            results += runner.run(specs, workers, bar, scheduler)
        finally:
            bar.close()
        order = {job.id: i for i, job in enumerate(jobs)}
        results.sort(key=lambda r: order[r.job])
        failed = [r for r in results if r.status == STATUS_FAILED]
        problems: list[str] = list(plan.problems)
        pages = _write_index(params, list(params.periods), failed, problems)
        clean_staging(params.output)
    result = BatchResult(output=params.output, results=results, index_pages=pages,
                         seconds=time.perf_counter() - start, problems=problems,
                         warnings=list(params.warnings))
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
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
