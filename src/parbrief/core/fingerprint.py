"""One fingerprint of parbrief's code, for everything derived from it.

The package's stages import only the stages below them (import-linter checks it), so what a
stage makes depends on the code of that stage and the stages below, and on the resources they
read. ``code_fingerprint(stage)`` hashes exactly that: the unit registers are keyed by ``units``,
a validated data set by ``ingest``, a published report by ``runner`` (everything that shapes a
published byte, the batch's own writing of files included).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

from parbrief import PACKAGE_ROOT, __version__

# Bottom to top, as in pyproject.toml's import-linter layers.
STAGES = ("core", "units", "scoring", "ingest", "model", "present", "publish", "runner", "lab",
          "cli")
# Which stage reads each resource (a resource not named here counts as the bottom stage's).
RESOURCE_STAGE = {"indicators.yaml": "core", "messages": "core", "methodologies": "scoring",
                  "news.yaml": "model",
                  "findings.yaml": "scoring", "templates": "publish"}


def _stage_of(relative: Path) -> str:
    first = relative.parts[0]
    if first == "resources":
        return RESOURCE_STAGE.get(relative.parts[1] if len(relative.parts) > 1 else "", "core")
    if first.endswith(".py"):
        first = first[:-3]
    return first if first in STAGES else "core"  # __init__.py and the like: the bottom


def files_of(stage: str) -> list[Path]:
    """The package's source and resource files that ``stage`` and the stages below it use."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}: one of {', '.join(STAGES)}")
    upto = set(STAGES[: STAGES.index(stage) + 1])
    out = []
    for path in sorted(PACKAGE_ROOT.rglob("*")):
        relative = path.relative_to(PACKAGE_ROOT)
        if path.is_file() and "__pycache__" not in relative.parts and path.suffix != ".pyc" \
                and _stage_of(relative) in upto:
            out.append(path)
    return out


@cache
def code_fingerprint(stage: str, packages: tuple[str, ...] = ()) -> str:
    """sha256 of parbrief's version, the files of ``stage`` and below (names and bytes), and
    the versions of ``packages`` (e.g. the one the unit registers are built from)."""
    h = hashlib.sha256(f"parbrief {__version__}\0".encode())
    for path in files_of(stage):
        h.update(path.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    for package in packages:
        try:
            h.update(f"{package}=={metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}\0".encode())
    return h.hexdigest()


def report_code() -> str:
    """The fingerprint of everything that shapes a published report."""
    return code_fingerprint("runner", packages=("vietnamadminunits",))


__all__ = ["STAGES", "code_fingerprint", "files_of", "report_code"]
