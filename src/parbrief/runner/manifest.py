"""A report's manifest (``<stem>.manifest.json``, written last): what the report was made from
and the checksum of every file published; and the publishing of a staged report under it."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from parbrief import __version__
from parbrief.core.files import check_no_symlink, fsync_dir, sha256_file
from parbrief.core.fingerprint import report_code
from parbrief.runner.params import Job

MANIFEST_VERSION = 1


PACKAGES = ("pandas", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "typst",
            "matplotlib", "babel", "jupyter_client")


def code_checksum() -> str:
    """The fingerprint of every file of parbrief that shapes a published byte."""
    return report_code()


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


def outputs_present(manifest: dict, folder: Path) -> bool:
    for out in manifest.get("outputs", []):
        p = folder / out["path"]
        try:
            if p.stat().st_size != out["bytes"]:
                return False
        except OSError:
            return False
    return bool(manifest.get("outputs"))


def publish_report(staged: Path, job: Job, output: Path, manifest: dict) -> list[dict]:
    """Move the staged files over the published ones; the manifest comes last.

    Everything that needs disk space happens first, beside the staged files: their checksums
    and the new manifest, written and flushed to disk in the staging folder. What follows only
    renames and removes files, which needs no space, so a disk that fills up meanwhile cannot
    leave a half-swapped report waiting for a manifest that no longer fits."""

    folder = job.out_dir
    check_no_symlink(folder, output)
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
        check_no_symlink(target, output)
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
                check_no_symlink(stale, output)
                stale.unlink()
    os.replace(staged_manifest, manifest_path)
    for sub in sorted({t.parent for t in targets} | {folder}):
        fsync_dir(sub)
    return outputs


