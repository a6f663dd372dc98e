"""Where a batch's jobs run: a local pool of worker processes, or a Dask cluster."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from parbrief.runner import params as paramfiles
from parbrief.runner.results import STATUS_FAILED, JobResult
from parbrief.runner.worker import (
    STAGING,
    JobSpec,
    describe_error,
    init_worker,
    run_job,
    shutdown_worker,
)


def as_result(d: dict) -> JobResult:
    return JobResult(**d)


def worker_died(spec: JobSpec, detail: str) -> JobResult:
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
                results.append(as_result(fut.result()))
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


def worker_environment() -> None:
    """Settings the workers and their kernels inherit (set before they start; a value the
    user set wins). Arrow's default allocator (mimalloc) keeps per-thread heaps that held
    about 40 MB per process after reading the registers; the system allocator returns it."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def run_local(specs: list[JobSpec], workers: int, bar, scheduler: str | None = None
              ) -> list[JobResult]:
    """Jobs on ``workers`` local processes (each with its kernel and renderer); a local pool
    has no scheduler."""
    import multiprocessing

    executor, renderer, root = specs[0].executor, specs[0].renderer, specs[0].root
    output = Path(specs[0].output)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["parbrief.runner.worker", "parbrief.runner.execution"])
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
                    results.append(worker_died(spec, "the worker processes died before "
                                                      "running any job"))
                    bar.update(1)
                shared = []
        if alone:
            # A suspect runs on its own: if its worker dies again, it is the cause.
            spec = alone.pop(0)
            done, suspects, again = _pool_round([spec], 1, ctx, initargs, output, bar)
            results += done
            for dead in suspects + again:
                results.append(worker_died(dead, "the worker process died while running it, "
                                                  "twice (killed, out of memory, or a cell that "
                                                  "ends its process)"))
                bar.update(1)
    return results


def run_dask(specs: list[JobSpec], workers: int, bar, scheduler: str | None = None
             ) -> list[JobResult]:
    """Jobs on a Dask cluster: ``scheduler``'s, or a local one of ``workers`` processes."""
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
                results.append(as_result(fut.result()))
            except Exception as e:  # noqa: BLE001 - a lost worker
                name, value = describe_error(e)
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


@dataclass(frozen=True)
class Executor:
    """Where a batch's jobs run: ``run(specs, workers, bar, scheduler)`` returns their results.

    ``kernel``: ``warm`` (one kernel per worker, reset between notebooks) or ``strict`` (a
    fresh kernel per notebook)."""

    name: str
    kernel: str
    run_jobs: Callable[..., list[JobResult]]

    def run(self, specs: list[JobSpec], workers: int, bar, scheduler: str | None = None
            ) -> list[JobResult]:
        return self.run_jobs(specs, workers, bar, scheduler) if specs else []


EXECUTORS = {e.name: e for e in (Executor("warm", "warm", run_local),
                                 Executor("strict", "strict", run_local),
                                 Executor("dask", "warm", run_dask))}
assert set(EXECUTORS) == set(paramfiles.EXECUTORS)  # params files name these
