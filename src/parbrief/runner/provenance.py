"""Where a published report came from, and whether it still matches its inputs.

Every report has a manifest beside it (``<stem>.manifest.json``, written last by the batch):
the checksums of the data set, the methodology and parbrief's code, the parameters and the
package versions, and the sha256 of every file published. ``verify`` recomputes that chain.
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
    lines = [
        f"report       {manifest.get('job')}",
        f"locality     {manifest.get('locality_code')} {manifest.get('locality_name') or ''}".rstrip(),
        f"period       {manifest.get('period')}",
        f"data         sha256 {manifest.get('data_checksum')}",
        f"methodology  {method.get('id')} {method.get('version')} sha256 {method.get('checksum')}",
        (f"parbrief     {manifest.get('parbrief_version')} code sha256 "
         f"{manifest.get('code_checksum')}"),
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


def _find_data(manifest_path: Path, data: str | None) -> Path | None:
    """The data set the report was made from: given, or the manifest's relative data path
    looked up from the report's folder upwards (the project folder holds it)."""
    if data:
        return Path(data)
    relative = (manifest_path and (json.loads(manifest_path.read_text(encoding="utf-8"))
                                   .get("parameters") or {}).get("data"))
    if not relative or Path(relative).is_absolute():
        return None
    for folder in manifest_path.resolve().parents:
        if (folder / relative).exists():
            return folder / relative
    return None


def verify(report: str | Path, data: str | None = None) -> list[Check]:
    """Recompute the checksum chain of a report: its files, the data set, the methodology and
    parbrief's code. Every check that fails says what changed."""
    from parbrief.core.files import sha256_file
    from parbrief.ingest import dataset as datasets
    from parbrief.ingest import readers
    from parbrief.runner.manifest import code_checksum
    from parbrief.scoring import methodology as methodologies

    path, manifest = read(report)
    folder = path.parent
    checks = []
    for out in manifest.get("outputs", []):
        file = folder / out["path"]
        if not file.is_file():
            checks.append(Check(out["path"], False, "missing"))
            continue
        digest = sha256_file(file)
        checks.append(Check(out["path"], digest == out["sha256"],
                            "as published" if digest == out["sha256"]
                            else f"changed since publication (sha256 {digest[:12]}…, "
                                 f"manifest {out['sha256'][:12]}…)"))
    data_path = _find_data(path, data)
    if data_path is None:
        checks.append(Check("data", False, "data set not found; give it with --data"))
    else:
        files, appraisal, problems = readers.dataset_files(data_path)
        digest = datasets.checksum(files + ([appraisal] if appraisal else [])) \
            if files and not problems else None
        checks.append(Check(f"data {data_path}", digest == manifest.get("data_checksum"),
                            "same bytes as when the report was made"
                            if digest == manifest.get("data_checksum")
                            else "the data set changed since the report was made: re-run the "
                                 "batch (only the jobs whose figures changed re-run)"))
    method = manifest.get("methodology") or {}
    try:
        current = methodologies.load(method.get("id", "")).checksum
        same = current == method.get("checksum")
        checks.append(Check(f"methodology {method.get('id')}", same,
                            "unchanged" if same else "the methodology file changed since"))
    except ParbriefError as e:
        checks.append(Check(f"methodology {method.get('id')}", False, str(e)))
    same = code_checksum() == manifest.get("code_checksum")
    checks.append(Check("parbrief code", same, "unchanged" if same else
                        "parbrief's code or resources differ from those that made the report"))
    return checks


__all__ = ["Check", "describe", "manifest_for", "read", "verify"]
