"""parbrief's JupyterLab (``make lab``, ``parbrief lab``): the project folder, safe to edit.

* It serves the project root (``data/``, ``notebooks/``, ``reports/``, ``work/`` all in reach),
  runs as root where that is the only user (``--allow-root``), and takes JupyterLab's own
  options (``--ip``, ``--port``, ``--IdentityProvider.token``, ``--no-browser``) for a headless
  server.
* The batch templates (``notebooks/*.ipynb``) and every file without write permission (the
  published reports) are read-only *for JupyterLab*, even for root, whose writes the file
  system would let through: the server refuses to save, rename or delete them, so autosave,
  "Trust Notebook" and a stray Ctrl+S leave their bytes alone.
* Checkpoints are kept under ``.checkpoints/`` in the project, never beside the notebooks
  (no ``.ipynb_checkpoints/`` inside ``reports/``).
* The analyst works in ``work/`` (git-ignored): a copy of each template, made once and then
  theirs, paired with a ``.py`` text form (jupytext) for reviewable diffs.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from parbrief.runner import notebooks
from parbrief.runner.params import NOTEBOOKS, PROJECT_ROOT

CHECKPOINTS = ".checkpoints"


def template_paths(root: Path | None = None) -> list[str]:
    """The batch templates as JupyterLab names them (relative to the project root)."""
    return [f"notebooks/{path.name}" for path in NOTEBOOKS.values()]


def read_only_reason(root: Path, path: str) -> str | None:
    """Why JupyterLab may not write ``path`` (relative to ``root``), or None."""
    path = path.strip("/")
    if path in template_paths(root):
        name = Path(path).name
        return (f"{path} is the batch template: parbrief batch publishes exactly what it "
                f"declares, so it is read-only here. Work in {notebooks.WORK}/{name}, your "
                "own copy (File > Open), or save this one under another name (File > Save As)")
    full = root / path
    try:
        mode = full.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) and not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return (f"{path} is read-only (a published report, as the batch wrote it: its "
                "checksum is in its manifest). Run it here as much as you like; to keep your "
                "changes, save a copy under another name (File > Save As) in work/")
    return None


def _contents_manager_class():
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
    from tornado import web

    class ProjectContentsManager(AsyncLargeFileManager):
        """Files JupyterLab may read and run but never write: templates and read-only files."""

        def _reason(self, path: str) -> str | None:
            return read_only_reason(Path(self.root_dir), path)

        def is_writable(self, path):
            if self._reason(path):
                return False
            return super().is_writable(path)

        def _refuse(self, path: str) -> None:
            reason = self._reason(path)
            if reason:
                raise web.HTTPError(403, reason)

        async def save(self, model, path=""):
            self._refuse(path)
            return await super().save(model, path)

        async def rename_file(self, old_path, new_path):
            self._refuse(old_path)
            self._refuse(new_path)
            return await super().rename_file(old_path, new_path)

        async def delete_file(self, path):
            self._refuse(path)
            return await super().delete_file(path)

    return ProjectContentsManager


def __getattr__(name: str):
    # The class is made on first use: jupyter_server is the ``lab`` extra, and the batch and
    # the command line import this package without it.
    if name == "ProjectContentsManager":
        cls = _contents_manager_class()
        globals()[name] = cls
        return cls
    raise AttributeError(name)


def working_copies(root: Path) -> list[Path]:
    """``work/briefing.ipynb`` and ``work/overview.ipynb``, made from the templates when absent."""
    folder = root / notebooks.WORK
    made = [notebooks.working_copy(root / path, folder) for path in template_paths(root)
            if (root / path).exists()]
    notebooks.write_jupytext_config(folder)
    return made


def command(root: Path, args: list[str]) -> list[str]:
    """The ``jupyter lab`` command line: project root, read-only guard, checkpoints, root."""
    argv = [sys.executable, "-m", "jupyterlab",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.contents_manager_class=parbrief.lab.ProjectContentsManager",
            f"--FileCheckpoints.root_dir={root / CHECKPOINTS}",
            f"--ServerApp.default_url=/lab/tree/{notebooks.WORK}/briefing.ipynb"]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        argv.append("--allow-root")  # a container or server where root is the only user
    return argv + list(args)


def main(args: list[str], root: Path | None = None) -> None:
    """Make the working copies and replace this process with JupyterLab."""
    root = (root or PROJECT_ROOT).resolve()
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        raise SystemExit("JupyterLab is not installed: make lab installs it (or pip install "
                         "-e '.[lab]')") from None
    for path in working_copies(root):
        print(f"working copy: {path.relative_to(root)}", flush=True)
    (root / CHECKPOINTS).mkdir(exist_ok=True)
    argv = command(root, args)
    os.chdir(root)
    os.execv(argv[0], argv)


__all__ = ["CHECKPOINTS", "command", "main", "read_only_reason", "template_paths",
           "working_copies"]
