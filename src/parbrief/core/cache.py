"""Derived tables kept on disk between processes (``$PARBRIEF_CACHE``, default
``~/.cache/parbrief``).

Every batch worker, kernel and command would otherwise rebuild the same tables: the unit
registers and crosswalk from ``vietnamadminunits`` (about 2 s, and importing that package alone
costs over a second), the validated data set (seconds to minutes). A cached table is keyed by
everything it is derived from, so a new package version, code change or input file makes a new
entry; an unreadable entry is only a slower start.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def cache_dir() -> Path:
    return Path(os.environ.get("PARBRIEF_CACHE") or Path.home() / ".cache" / "parbrief")


def frames(kind: str, key: str, names: tuple[str, ...],
           build: Callable[[], dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The tables ``names`` from ``<cache>/<kind>/<key>/``, or ``build()`` them and keep them.

    The folder is written under a temporary name and renamed, so a reader never sees half of
    it; two processes building at once both succeed and one folder stays.
    """
    folder = cache_dir() / kind / key
    try:
        if (folder / "done").is_file():
            return {name: pd.read_parquet(folder / f"{name}.parquet") for name in names}
    except (OSError, ValueError):
        pass
    built = build()
    try:
        tmp = folder.with_name(f"{key}.{os.getpid()}.tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        for name in names:
            built[name].to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / "done").write_text(key)
        if folder.exists():
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(folder.with_name(f"{key}.{os.getpid()}.tmp"), ignore_errors=True)
    return built
