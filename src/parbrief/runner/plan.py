"""Which jobs of a batch run and which are up to date.

A job's fingerprint covers its notebook, its parameters, what the report reads (the checksums
of its declared inputs, ``model.inputs``: its own rows, its peer group's step, the methodology,
parbrief's code), the languages, formats and renderer. A job whose manifest carries the same
fingerprint, and whose published files all still have the bytes the manifest records, is
skipped; any other runs.

Computing the inputs' checksums needs the data set loaded. Most re-runs change nothing, so the
planner first tries a quick key (the whole data set's checksum in place of the inputs'): the
output folder's plan file (``.parbrief-plan.json``) remembers, per job, the quick key it last
saw and the fingerprint it then computed. Manifests are never rewritten for a skipped job: a
report's manifest states what that report was made from, and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from parbrief import __version__
from parbrief.core.errors import ParbriefError
from parbrief.core.files import atomic_write, check_no_symlink
from parbrief.runner import params as paramfiles
from parbrief.runner.manifest import (
    MANIFEST_VERSION,
    code_checksum,
    outputs_intact,
    package_versions,
    read_manifest,
)
from parbrief.runner.params import Job, Params
from parbrief.runner.results import STATUS_FAILED, STATUS_SKIPPED, JobResult

PLAN_FILE = ".parbrief-plan.json"
PLAN_VERSION = 1


def _sha(value) -> str:
    return hashlib.sha256(paramfiles.dumps(value).encode("utf-8")).hexdigest()


@dataclass
class BatchInputs:
    """What every job of a batch shares: checksums computed once."""

    data_checksum: str  # the data set's files, as a whole (the quick key)
    methodology: dict  # id, version, checksum, and the public path of a file given by path
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
    described = {"id": method.id, "version": method.version, "checksum": method.checksum}
    if paramfiles.is_yaml(params.methodology):
        described["path"] = params.public_path(params.methodology)
    return BatchInputs(data_checksum=datasets.checksum(files), methodology=described,
                       notebooks=notebooks, code=code_checksum())


def job_key(job: Job, params: Params, inputs: BatchInputs, renderer: str, data: str) -> str:
    """The fingerprint of a job, with ``data`` the checksum of what it reads."""
    return _sha({
        "kind": job.kind, "notebook": inputs.notebooks[str(job.notebook)],
        "parameters": job.parameters, "data": data, "methodology": inputs.methodology,
        "parbrief": __version__, "code": inputs.code, "languages": list(params.languages),
        "formats": list(params.formats), "renderer": renderer,
        # the date PDFs carry: another value re-renders them
        "pdf_date": os.environ.get("SOURCE_DATE_EPOCH") if "pdf" in params.formats else None,
    })


def declared_inputs(job: Job, params: Params, method):
    """The inputs a job's report reads, declared from its parameters as its notebook's
    ``prepare`` declares them."""
    from parbrief.model import inputs

    if job.kind == "overview":
        return inputs.declare_overview(job.locality, job.period, method)
    return inputs.declare_briefing(job.locality, job.period, method,
                                   job.parameters.get("apportionment", params.apportionment))


def inputs_of(job: Job, params: Params, ds, method) -> dict:
    """The checksums of what a job's report reads (see ``model.inputs.digests``)."""
    from parbrief.model import inputs

    return inputs.digests(declared_inputs(job, params, method), ds, method)


class PlanFile:
    """``<output>/.parbrief-plan.json``: per job, the quick key last seen and the fingerprint
    computed under it. Lost or unreadable, the next run computes the fingerprints again."""

    def __init__(self, output: Path):
        self.path = Path(output) / PLAN_FILE
        self.entries: dict[str, dict] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == PLAN_VERSION and isinstance(data.get("jobs"), dict):
                self.entries = data["jobs"]
        except (OSError, ValueError, AttributeError):
            pass

    def fingerprint(self, job: Job, quick: str) -> str | None:
        entry = self.entries.get(job.id)
        return entry.get("fingerprint") if entry and entry.get("quick") == quick else None

    def remember(self, job: Job, quick: str, fingerprint: str) -> None:
        self.entries[job.id] = {"quick": quick, "fingerprint": fingerprint}

    def write(self, output: Path) -> None:
        check_no_symlink(self.path, output)
        atomic_write(self.path, (json.dumps({"version": PLAN_VERSION, "jobs": self.entries},
                                            indent=0, sort_keys=True) + "\n").encode())


def plan_jobs(jobs: list[Job], params: Params, inputs: BatchInputs, renderer: str, force: bool,
              commit: str | None) -> tuple[list[tuple[Job, dict]], list[JobResult]]:
    """Which jobs run (with the manifest fields known before they run) and which are decided
    already (up to date, or failed because the rows they read are invalid)."""
    from parbrief.model import sources
    from parbrief.scoring import methodology as methodologies

    plan = PlanFile(params.output)
    to_run: list[tuple[Job, dict]] = []
    decided: list[JobResult] = []
    undecided: list[tuple[Job, dict | None, str]] = []
    for job in jobs:
        quick = job_key(job, params, inputs, renderer, "set:" + inputs.data_checksum)
        manifest = read_manifest(job.path(".manifest.json"))
        known = plan.fingerprint(job, quick)
        if not force and known and manifest and manifest.get("fingerprint") == known \
                and outputs_intact(manifest, job.out_dir):
            decided.append(skipped_result(job, manifest))
        else:
            undecided.append((job, manifest, quick))
    if not undecided:
        return to_run, decided
    method = methodologies.load(params.methodology)
    try:
        ds = sources.load_dataset(str(params.data))
    except ParbriefError:  # the notebooks report the data's problems, job by job
        ds = None
    for job, manifest, quick in undecided:
        parts = inputs_of(job, params, ds, method) if ds is not None else \
            {"inputs": None, "data_set": inputs.data_checksum}
        full = job_key(job, params, inputs, renderer, "inputs:" + parts["inputs"]) \
            if ds is not None else quick
        plan.remember(job, quick, full)
        if not force and manifest and manifest.get("fingerprint") == full \
                and outputs_intact(manifest, job.out_dir):
            decided.append(skipped_result(job, manifest))
            continue
        to_run.append((job, manifest_base(job, params, inputs, full, parts, renderer, commit)))
    sources.forget()  # the workers read the data themselves
    try:
        plan.write(params.output)
    except OSError:  # e.g. a full disk: the next run computes the fingerprints again
        pass
    return to_run, decided


def skipped_result(job: Job, manifest: dict) -> JobResult:
    return JobResult(job=job.id, kind=job.kind, locality=job.locality, name=job.name,
                     period=job.period, status=STATUS_SKIPPED, detail="up to date",
                     outputs=[o["path"] for o in manifest.get("outputs", [])])


def failed_result(job: Job, detail: str, exception: str) -> JobResult:
    return JobResult(job=job.id, kind=job.kind, locality=job.locality, name=job.name,
                     period=job.period, status=STATUS_FAILED, detail=detail, exception=exception)


def manifest_base(job: Job, params: Params, inputs: BatchInputs, fingerprint: str, parts: dict,
                  renderer: str, commit: str | None) -> dict:
    """The manifest's fields known before the job runs. ``inputs`` holds the checksums of
    what the report reads; the worker checks that the report states the same."""
    return {
        "parbrief_manifest": MANIFEST_VERSION,
        "job": job.id, "kind": job.kind, "locality_code": job.locality,
        "locality_name": job.name, "period": job.period, "stem": job.stem,
        "fingerprint": fingerprint,
        "inputs": parts,
        "data_set": inputs.data_checksum,
        "methodology": inputs.methodology,
        "notebook": {"path": params.public_path(job.notebook),
                     "sha256": inputs.notebooks[str(job.notebook)]},
        "parbrief_version": __version__, "code_checksum": inputs.code, "git_commit": commit,
        "parameters": public_parameters(job, params), "languages": list(params.languages),
        "formats": list(params.formats), "renderer": renderer,
        "packages": package_versions(),
    }


def public_parameters(job: Job, params: Params) -> dict:
    out = dict(job.parameters)
    for key in ("data", "methodology"):
        if key in out and (key == "data" or paramfiles.is_yaml(out[key])):
            out[key] = params.public_path(params.root / out[key]) \
                if not Path(out[key]).is_absolute() else params.public_path(out[key])
    return out
