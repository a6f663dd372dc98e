"""Where a published report came from, and whether it still matches its inputs.

Every report has a manifest beside it (``<stem>.manifest.json``, written last by the batch):
the checksums of what the report read (its declared inputs: its own rows, its peer group's
step, the methodology, parbrief's code; the report states the same identifier), the notebook,
the parameters and package versions, and the sha256 of every file published. ``verify``
recomputes that chain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from parbrief.core.errors import ParbriefError

MANIFEST_SUFFIX = ".manifest.json"


def manifest_for(report: str | Path) -> Path:
    """The manifest of a report file (HTML, PDF, newsroom folder or file, notebook)."""
    path = Path(report)
    if path.name.endswith(MANIFEST_SUFFIX):
        candidate = path
    else:
        if path.parent.name.endswith(".newsroom"):  # a file inside a newsroom pack
            path = path.parent
        stem = path.name.split(".")[0]
        candidate = path.parent / f"{stem}{MANIFEST_SUFFIX}"
    if not candidate.is_file():
        raise ParbriefError(f"{report}: no manifest {candidate.name} beside it; only reports "
                            "written by `parbrief batch` or `parbrief run` have one")
    return candidate


def read(report: str | Path) -> tuple[Path, dict]:
    path = manifest_for(report)
    try:
        return path, json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise ParbriefError(f"{path}: not a readable manifest ({e}); re-run the batch with "
                            "--force to write it again") from e


def describe(manifest: dict) -> str:
    """The provenance of a report as lines of text."""
    method = manifest.get("methodology") or {}
    inputs = manifest.get("inputs") or {}
    lines = [
        f"report       {manifest.get('job')}",
        f"locality     {manifest.get('locality_code')} "
        f"{manifest.get('locality_name') or ''}".rstrip(),
        f"period       {manifest.get('period')}",
        f"inputs       sha256 {inputs.get('inputs')} (what the report read, as it states it)",
        f"  own rows   sha256 {inputs.get('own')}",
        f"  peer step  sha256 {inputs.get('peers')}",
        f"data set     sha256 {manifest.get('data_set')} (the files, when the report was made)",
        f"methodology  {method.get('id')} {method.get('version')} sha256 {method.get('checksum')}"
        + (f" ({method['path']})" if method.get("path") else ""),
        (f"parbrief     {manifest.get('parbrief_version')} code sha256 "
         f"{manifest.get('code_checksum')}"),
        f"notebook     {(manifest.get('notebook') or {}).get('path')} sha256 "
        f"{(manifest.get('notebook') or {}).get('sha256')}",
        f"git commit   {manifest.get('git_commit') or 'not recorded'}",
        f"parameters   {json.dumps(manifest.get('parameters'), ensure_ascii=False, sort_keys=True)}",
    ]
    packages = manifest.get("packages") or {}
    lines.append("packages     " + ", ".join(f"{k} {v}" for k, v in packages.items()))
    for out in manifest.get("outputs", []):
        lines.append(f"output       {out['path']}  {out['bytes']} bytes  sha256 {out['sha256']}")
    return "\n".join(lines)


@dataclass
class Check:
    what: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ok      ' if self.ok else 'MISMATCH'}  {self.what}: {self.detail}"


def project_path(manifest_path: Path, relative: str | None, what: str) -> Path:
    """A path a manifest names (relative to the project, as published), found from the
    report's folder upwards, and confined to the folder it is found in: a manifest cannot
    make ``verify`` read a file outside the project that holds the report."""
    if not relative:
        raise ParbriefError(f"{manifest_path.name}: names no {what}; give it with --{what}")
    rel = Path(relative)
    if rel.is_absolute() or ".." in rel.parts or relative.startswith("~"):
        raise ParbriefError(f"{manifest_path.name}: the {what} path {relative!r} leaves the "
                            "project; a manifest names project-relative paths only. Give the "
                            f"{what} with --{what}")
    for folder in manifest_path.resolve().parents:
        candidate = folder / rel
        if candidate.exists():
            real = candidate.resolve()
            if real != folder and folder not in real.parents:
                raise ParbriefError(f"{manifest_path.name}: the {what} {relative} is a link to "
                                    f"{real}, outside the project {folder}; give it with "
                                    f"--{what}")
            return candidate
    raise ParbriefError(f"{manifest_path.name}: the {what} {relative} was not found from the "
                        f"report's folder upwards; give it with --{what}")


def _outputs(folder: Path, manifest: dict) -> list[Check]:
    from parbrief.core.files import sha256_file

    checks = []
    for out in manifest.get("outputs", []):
        file = folder / out["path"]
        if not file.is_file() or folder.resolve() not in file.resolve().parents:
            checks.append(Check(out["path"], False, "missing"))
            continue
        digest = sha256_file(file)
        checks.append(Check(out["path"], digest == out["sha256"],
                            "as published" if digest == out["sha256"]
                            else f"changed since publication (sha256 {digest[:12]}…, "
                                 f"manifest {out['sha256'][:12]}…)"))
    return checks


def verify(report: str | Path, data: str | None = None) -> list[Check]:
    """Recompute the checksum chain of a report: its files; what it read (its own rows, its
    peer group's step), declared again from its parameters and checksummed in the data set as
    it is now; the methodology; the notebook; parbrief's code. Every check that fails says
    what changed."""
    from parbrief.core.fingerprint import report_code
    from parbrief.model import inputs as declared
    from parbrief.model import sources
    from parbrief.scoring import methodology as methodologies

    path, manifest = read(report)
    checks = _outputs(path.parent, manifest)
    parameters = manifest.get("parameters") or {}
    recorded = manifest.get("inputs") or {}
    method_info = manifest.get("methodology") or {}
    label = f"methodology {method_info.get('id')}"
    try:
        name = str(project_path(path, method_info.get("path"), "methodology")) \
            if method_info.get("path") else method_info.get("id", "")
        method = methodologies.load(name)
        same = method.checksum == method_info.get("checksum")
        checks.append(Check(label, same, "unchanged" if same else
                            "the methodology file changed since the report was made"))
    except ParbriefError as e:
        method = None
        checks.append(Check(label, False, str(e)))
    ds = None
    if manifest.get("kind") == "methodology" and not parameters.get("data") and not data:
        pass  # the methodology document reads no data set: its methodology is checked above
    else:
        try:
            data_path = Path(data) if data else project_path(path, parameters.get("data"),
                                                             "data")
            # validated knowing the report's methodology (appraisal rows name it by id)
            ds = sources.load_dataset(str(data_path.resolve()),
                                      name if method is not None else None)
        except ParbriefError as e:
            checks.append(Check("data", False, str(e)))
    if ds is not None and method is not None:
        kind_inputs = declared.declare(manifest.get("kind"), parameters, method)
        now = declared.digests(kind_inputs, ds, method)
        for part, what in (("own", "its own rows"), ("peers", "its peer group's scores")):
            same = now[part] == recorded.get(part)
            checks.append(Check(f"data {data_path} ({what})", same,
                                "the rows it read are unchanged" if same else
                                "the data set changed since the report was made: these rows "
                                "differ; re-run the batch (only the jobs whose rows changed "
                                "re-run)"))
    notebook = manifest.get("notebook") or {}
    try:
        from parbrief.core.files import sha256_file
        from parbrief.runner.params import NOTEBOOKS

        shipped = {p.name: p for p in NOTEBOOKS.values()}
        try:
            nb_path = project_path(path, notebook.get("path"), "notebook")
        except ParbriefError:
            if notebook.get("path") not in shipped:  # parbrief's own template, by its name
                raise
            nb_path = shipped[notebook["path"]]

        same = sha256_file(nb_path) == notebook.get("sha256")
        checks.append(Check(f"notebook {notebook.get('path')}", same, "unchanged" if same else
                            "the notebook template changed since the report was made"))
    except ParbriefError as e:
        checks.append(Check("notebook", False, str(e)))
    same = report_code() == manifest.get("code_checksum") == recorded.get("code")
    checks.append(Check("parbrief code", same, "unchanged" if same else
                        "parbrief's code or resources differ from those that made the report"))
    return checks


__all__ = ["Check", "describe", "manifest_for", "project_path", "read", "verify"]
