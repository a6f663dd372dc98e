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
from parbrief.core.errors import ParameterError, ParbriefError
from parbrief.core.files import atomic_write, check_no_symlink
from parbrief.runner import params as paramfiles
from parbrief.runner.manifest import (
    MANIFEST_VERSION,
    code_checksum,
    lock_checksum,
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
    lock: str | None  # sha256 of the dependency lock the environment was installed from


def batch_inputs(params: Params) -> BatchInputs:
    from parbrief.ingest import dataset as datasets
    from parbrief.ingest import readers
    from parbrief.scoring import methodology as methodologies

    # every file of the data set: figures, points and its own methodologies/
    files = readers.data_files(Path(params.data))[0] if params.data is not None else []
    method = methodologies.load(params.methodology, params.methodology_folders)
    notebooks = {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest()
                 for p in set(params.notebooks.values())}
    described = {"id": method.id, "version": method.version, "checksum": method.checksum}
    if paramfiles.is_yaml(params.methodology):
        described["path"] = params.public_path(params.methodology)
    elif Path(method.path) not in methodologies.shipped().values():  # the data set's own
        described["path"] = params.public_path(method.path)
    return BatchInputs(data_checksum=datasets.checksum(files), methodology=described,
                       notebooks=notebooks, code=code_checksum(),
                       lock=lock_checksum())


def job_key(job: Job, params: Params, inputs: BatchInputs, renderer: str, data: str) -> str:
    """The fingerprint of a job, with ``data`` the checksum of what it reads."""
    return _sha({
        "kind": job.kind, "notebook": inputs.notebooks[str(job.notebook)],
        "parameters": job.parameters, "data": data, "methodology": inputs.methodology,
        "parbrief": __version__, "code": inputs.code, "lock": inputs.lock,
        "languages": list(params.languages),
        "formats": list(params.formats), "renderer": renderer,
        # the committee edition's frame (issuing body, signer ...): another one re-renders
        "committee": params.committee,
        # the date PDFs carry: another value re-renders them
        "pdf_date": os.environ.get("SOURCE_DATE_EPOCH") if "pdf" in params.formats else None,
    })


def declared_inputs(job: Job, params: Params, method):
    """The inputs a job's report reads, declared from its parameters as its notebook's
    ``prepare`` declares them."""
    from parbrief.model import inputs as declare

    return declare.declare(job.kind, job.parameters, method)


def digests(declared, ds, method) -> dict:
    """The checksums of what a job's report reads (see ``model.inputs.digests``)."""
    from parbrief.model import inputs as declare

    return declare.digests(declared, ds, method)


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


@dataclass
class Plan:
    to_run: list[tuple[Job, dict]]  # with the manifest fields known before they run
    decided: list[JobResult]  # up to date, or failed before running
    problems: list[str]  # about the data set as a whole (each printed once, not per job)


def _data_problems(ds, params: Params) -> list[str]:
    if not ds.problems:
        return []
    data = params.public_path(params.data)
    lines = [f"the data set {data} has {len(ds.problems)} rows that failed validation, left "
             "out (the jobs that read them failed, the others ran); correct them, then run "
             "again:"]
    seen: dict = {}
    for r in ds.problems:
        seen.setdefault(r.problem, None)
    return ["\n".join(lines + [f"  {p}" for p in seen])]


def plan_jobs(jobs: list[Job], params: Params, inputs: BatchInputs, renderer: str, force: bool,
              commit: str | None) -> Plan:
    """Which jobs run and which are decided already (up to date, or failed because the rows
    they read failed validation)."""
    from parbrief.ingest import dataset as datasets
    from parbrief.model import sources
    from parbrief.model.inputs import problems_of
    from parbrief.scoring import methodology as methodologies

    plan = PlanFile(params.output)
    to_run: list[tuple[Job, dict]] = []
    decided: list[JobResult] = []
    undecided: list[tuple[Job, dict | None, str]] = []
    manifests = {job.id: read_manifest(job.path(".manifest.json")) for job in jobs}
    _refuse_another_methodologys_reports(jobs, manifests, params, inputs)
    for job in jobs:
        quick = job_key(job, params, inputs, renderer, "set:" + inputs.data_checksum)
        manifest = manifests[job.id]
        known = plan.fingerprint(job, quick)
        if not force and known and manifest and manifest.get("fingerprint") == known \
                and outputs_intact(manifest, job.out_dir):
            decided.append(skipped_result(job, manifest))
        else:
            undecided.append((job, manifest, quick))
    if not undecided:
        return Plan(to_run, decided, [])
    method = methodologies.load(params.methodology, params.methodology_folders)
    data = params.public_path(params.data) if params.data is not None else ""
    try:
        # validated knowing the methodology, as the reports' kernels load it
        ds = sources.load_dataset(str(params.data), params.methodology) \
            if params.data is not None else datasets.empty()
    except ParbriefError as e:  # nothing in it can be trusted: no job runs, one message
        lines = str(e).splitlines() or [type(e).__name__]
        for job, _, _ in undecided:
            decided.append(failed_result(
                job, f"the data set {data} cannot be used: {lines[0]}"
                     + (f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""),
                f"{type(e).__name__}: {lines[0]}"))
        return Plan(to_run, decided, ["\n".join(
            [f"the data set {data} cannot be used; nothing was run (parbrief validate {data} "
             "lists every problem):"] + [f"  {line}" for line in lines])])
    for job, manifest, quick in undecided:
        declared = declared_inputs(job, params, method)
        bad = problems_of(declared, ds)
        if bad:
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            decided.append(failed_result(job, f"rows it reads failed validation: {bad[0]}{more}",
                                         f"RowsInvalidError: {bad[0]}"))
            continue
        parts = digests(declared, ds, method)
        full = job_key(job, params, inputs, renderer, "inputs:" + parts["inputs"])
        plan.remember(job, quick, full)
        if not force and manifest and manifest.get("fingerprint") == full \
                and outputs_intact(manifest, job.out_dir):
            decided.append(skipped_result(job, manifest))
            continue
        to_run.append((job, manifest_base(job, params, inputs, full, parts, renderer, commit)))
    problems = _data_problems(ds, params)
    sources.forget()  # the workers read the data themselves
    try:
        plan.write(params.output)
    except OSError:  # e.g. a full disk: the next run computes the fingerprints again
        pass
    return Plan(to_run, decided, problems)


def _params_id(params: Params) -> str | None:
    """Which params file made a report, recorded without its name (a file name can hold what
    must not be published): the sha256 of its path in the project."""
    if not params.file:
        return None
    return hashlib.sha256(params.public_path(params.file).encode("utf-8")).hexdigest()


def _params_file_named(params_id: str | None, params: Params) -> str | None:
    """The params file of the project whose id is ``params_id`` (to name it on the console)."""
    for candidate in sorted(params.root.glob("**/*.y*ml")):
        if ".venv" in candidate.parts or "reports" in candidate.parts:
            continue
        public = params.public_path(candidate)
        if hashlib.sha256(public.encode("utf-8")).hexdigest() == params_id:
            return public
    return None


def _refuse_another_methodologys_reports(jobs: list[Job], manifests: dict, params: Params,
                                         inputs: BatchInputs) -> None:
    """Reports made under another methodology by another params file are not replaced
    silently: the same path would then hold another index, rank and class. (A params file
    that changes its own methodology replaces its own reports: that is what it asks for.)"""
    ours = _params_id(params)
    method = inputs.methodology
    clashes = []
    for job in jobs:
        manifest = manifests[job.id] or {}
        theirs = manifest.get("methodology") or {}
        made_by = manifest.get("params_id")
        if manifest and made_by != ours and (theirs.get("id"), theirs.get("path")) != \
                (method["id"], method.get("path")):
            clashes.append((job, made_by, theirs.get("id")))
    if clashes:
        job, made_by, other = clashes[0]
        made_by = _params_file_named(made_by, params)
        others = f" and {len(clashes) - 1} more" if len(clashes) > 1 else ""
        here = params.public_path(params.file) if params.file else "these parameters"
        raise ParameterError(
            f"{here}: the output folder "
            f"{params.public_path(params.output)} holds reports made by "
            f"{made_by or 'another params file'} with methodology {other} "
            f"({job.id}{others}); this params file uses methodology {method['id']}. Give it "
            "an output folder of its own (output: in the params file, e.g. "
            f"../reports/{method['id']}), or remove those reports first")


def skipped_result(job: Job, manifest: dict) -> JobResult:
    note = (manifest.get("summary") or {}).get("status_note")
    return JobResult(job=job.id, kind=job.kind, locality=job.locality, name=job.name,
                     period=job.period, status=STATUS_SKIPPED,
                     detail=f"up to date; {note}" if note else "up to date",
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
        "params_id": _params_id(params),
        "parameters": public_parameters(job, params), "languages": list(params.languages),
        "formats": list(params.formats), "renderer": renderer,
        "committee": dict(params.committee),
        "packages": package_versions(), "lock": inputs.lock,
    }


def public_parameters(job: Job, params: Params) -> dict:
    out = dict(job.parameters)
    for key in ("data", "methodology"):
        if key in out and out[key] and (key == "data" or paramfiles.is_yaml(out[key])):
            out[key] = params.public_path(params.root / out[key]) \
                if not Path(out[key]).is_absolute() else params.public_path(out[key])
    return out
