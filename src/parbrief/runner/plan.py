"""Which jobs of a batch run and which are up to date."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from parbrief import __version__
from parbrief.core.files import atomic_write
from parbrief.runner import params as paramfiles
from parbrief.runner.manifest import (
    MANIFEST_VERSION,
    code_checksum,
    outputs_present,
    package_versions,
    read_manifest,
)
from parbrief.runner.params import Job, Params
from parbrief.runner.results import STATUS_SKIPPED, JobResult


def _sha(value) -> str:
    return hashlib.sha256(paramfiles.dumps(value).encode("utf-8")).hexdigest()


@dataclass
class BatchInputs:
    """What every job of a batch shares: checksums computed once."""

    data_checksum: str
    methodology: dict  # id, version, checksum
    notebooks: dict  # path -> sha256
    code: str


def batch_inputs(params: Params) -> BatchInputs:
    from parbrief.ingest import dataset as datasets
    from parbrief.ingest import readers
    from parbrief.scoring import methodology as methodologies

    data = Path(params.data)
    figures, appraisal, _ = readers.dataset_files(data)
    files = figures + ([appraisal] if appraisal else [])
    method = methodologies.load(params.methodology)
    notebooks = {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest()
                 for p in set(params.notebooks.values())}
    return BatchInputs(data_checksum=datasets.checksum(files),
                   methodology={"id": method.id, "version": method.version,
                                "checksum": method.checksum},
                   notebooks=notebooks, code=code_checksum())


def _key(job: Job, params: Params, inputs: BatchInputs, renderer: str, data_part: str) -> str:
    return _sha({
        "kind": job.kind, "notebook": inputs.notebooks[str(job.notebook)],
        "parameters": job.parameters, "data": data_part, "methodology": inputs.methodology,
        "parbrief": __version__, "code": inputs.code, "languages": list(params.languages),
        "formats": list(params.formats), "renderer": renderer,
        # the committee edition's frame (issuing body, signer ...): another one re-renders
        "committee": params.committee,
        # the date PDFs carry: another value re-renders them
        "pdf_date": os.environ.get("SOURCE_DATE_EPOCH") if "pdf" in params.formats else None,
    })


def _fingerprint_parameters(job: Job, params: Params) -> dict:
    """``job_fingerprint`` resolves paths itself: give it absolute ones."""
    p = dict(job.parameters, data=str(params.data), methodology=params.methodology)
    if job.kind == "overview":
        p["province"] = job.locality
    return p


def plan_jobs(jobs: list[Job], params: Params, inputs: BatchInputs, renderer: str, force: bool,
          commit: str | None) -> tuple[list[tuple[Job, dict]], list[JobResult]]:
    """Which jobs run and which are up to date. The cheap key (whole data set checksum) is
    tried first; only when it differs is the data loaded to fingerprint each job's slice."""
    from parbrief.model import briefing, sources

    to_run: list[tuple[Job, dict]] = []
    skipped: list[JobResult] = []
    undecided: list[tuple[Job, dict | None, str]] = []
    for job in jobs:
        quick = _key(job, params, inputs, renderer, inputs.data_checksum)
        manifest = read_manifest(job.path(".manifest.json"))
        if not force and manifest and manifest.get("inputs_key") == quick \
                and outputs_present(manifest, job.out_dir):
            skipped.append(skipped_result(job, manifest))
        else:
            undecided.append((job, manifest, quick))
    if not undecided:
        return to_run, skipped
    dataset = None
    try:
        dataset = sources.load_dataset(str(params.data))
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
                and outputs_present(manifest, job.out_dir):
            # Same slice of data in a changed data set: remember the new data set so the next
            # unchanged run is decided without loading the data.
            manifest.update(inputs_key=quick, data_checksum=inputs.data_checksum)
            with contextlib.suppress(OSError):  # e.g. a full disk: decided the same way next time
                atomic_write(job.path(".manifest.json"),
                             (json.dumps(manifest, indent=1, ensure_ascii=False)
                              + "\n").encode())
            skipped.append(skipped_result(job, manifest))
            continue
        to_run.append((job, manifest_base(job, params, inputs, full, quick, renderer, slice_sum,
                                           commit)))
    briefing.release_data()
    return to_run, skipped


def skipped_result(job: Job, manifest: dict) -> JobResult:
    return JobResult(job=job.id, kind=job.kind, locality=job.locality, name=job.name,
                     period=job.period, status=STATUS_SKIPPED, detail="up to date",
                     outputs=[o["path"] for o in manifest.get("outputs", [])])


def manifest_base(job: Job, params: Params, inputs: BatchInputs, fingerprint: str, quick: str,
                   renderer: str, slice_checksum: str | None, commit: str | None) -> dict:
    public = public_parameters(job, params)
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
        "committee": dict(params.committee),
        "packages": package_versions(),
    }


def public_parameters(job: Job, params: Params) -> dict:
    out = dict(job.parameters)
    for key in ("data", "methodology"):
        if key in out and (key == "data" or paramfiles.is_yaml(out[key])):
            out[key] = params.public_path(params.root / out[key]) \
                if not Path(out[key]).is_absolute() else params.public_path(out[key])
    return out
