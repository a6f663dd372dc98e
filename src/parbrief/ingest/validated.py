"""Validated data sets kept as Parquet under ``$PARBRIEF_CACHE``, keyed by the files' bytes and
the validation code, so that each batch worker does not validate the same data again."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from parbrief.core import cache
from parbrief.core.errors import ValidationError
from parbrief.core.fingerprint import code_fingerprint
from parbrief.ingest import dataset as datasets
from parbrief.ingest import readers


def load_validated(path: str, only: frozenset[str] | None = None, partial: bool = False,
                   methodologies: tuple[str, ...] = ()):
    """``dataset.load_checked``, remembered by content checksum.

    Validating every row against the register costs seconds for a province and minutes for
    the country; each batch worker would pay it again. The validated table (and the problems
    of the rows left out) is kept as Parquet under ``$PARBRIEF_CACHE`` (default
    ``~/.cache/parbrief``), keyed by the files' bytes and the code validation runs.

    The files are copied first and the copies read and checksummed: a file that changes while
    it is read cannot put one version's rows under another version's checksum.

    ``only`` keeps the rows of these locality codes (the whole data set is still validated and
    checksummed); from the cache only those rows are read.

    ``partial``: rows that fail validation are left out and listed in ``problems`` (a report
    that does not read them can be made); by default any problem is a ``ValidationError``.

    ``methodologies``: methodology files given by path (the one a report scores with), which
    appraisal rows may name by id: their bytes are part of the key, as the data set's own
    ``methodologies/`` folder is part of its files.
    """
    given = [Path(m) for m in methodologies if m and Path(str(m)).suffix.lower()
             in (".yaml", ".yml") and Path(str(m)).is_file()]
    all_files, problems = readers.data_files(Path(path))
    if problems or not all_files:
        return _only(datasets.load(path, methodologies=given), only)
    code = code_fingerprint("ingest", packages=("vietnamadminunits",))
    key = datasets.checksum(all_files) + "".join(
        f"\0{g.name}\0{hashlib.sha256(g.read_bytes()).hexdigest()}" for g in given)
    cached = _read_entry(_entry(key, code), Path(path), tuple(all_files), only)
    if cached is not None:
        return _checked(cached, partial)
    # Validate a copy of the files: what is read, checksummed and kept under that checksum is
    # one and the same set of bytes, whatever happens to the files meanwhile.
    top = cache.cache_dir()
    top.mkdir(parents=True, exist_ok=True)
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    with tempfile.TemporaryDirectory(dir=top, prefix="snapshot-") as tmp:
        for f in all_files:
            target = Path(tmp) / "data" / readers.relative_name(f, folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, target)
        copies = []
        for g in given:
            copies.append(Path(tmp) / "given" / g.name)
            copies[-1].parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(g, copies[-1])
        copy = Path(tmp) / "data" if Path(path).is_dir() else Path(tmp) / "data" / Path(path).name
        ds = datasets.load_checked(copy, methodologies=copies)
    ds = datasets.Dataset(figures=ds.figures, appraisal=ds.appraisal, path=Path(path),
                          checksum=ds.checksum, files=tuple(all_files), problems=ds.problems)
    _write_entry(_entry(key, code), ds)
    return _checked(_only(ds, only), partial)


def _checked(ds, partial: bool):
    if ds.problems and not partial:
        raise ValidationError([r.problem for r in ds.problems])
    return ds


def _entry(files_checksum: str, code: str) -> Path:
    return cache.cache_dir() / "validated" / hashlib.sha256(
        (files_checksum + code).encode()).hexdigest()


def _read_entry(folder: Path, path: Path, files: tuple, only) -> datasets.Dataset | None:
    try:
        if (folder / "done").is_file():
            problems = json.loads((folder / "problems.json").read_text(encoding="utf-8"))
            return datasets.Dataset(
                figures=_read_cached(folder / "figures.parquet", only),
                appraisal=_read_cached(folder / "appraisal.parquet", only),
                path=path, checksum=(folder / "done").read_text().strip(), files=files,
                problems=tuple(r for r in map(datasets.RowProblem.from_json, problems)
                               if only is None or r.locality_code in only))
    except (OSError, ValueError, KeyError):
        pass  # an unreadable cache is only a slower start
    return None


def _write_entry(folder: Path, ds) -> None:
    tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        ds.figures.to_parquet(tmp / "figures.parquet", index=False)
        ds.appraisal.to_parquet(tmp / "appraisal.parquet", index=False)
        (tmp / "problems.json").write_text(json.dumps([r.to_json() for r in ds.problems]),
                                           encoding="utf-8")
        (tmp / "done").write_text(ds.checksum)
        os.replace(tmp, folder) if not folder.exists() else shutil.rmtree(tmp)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def _read_cached(path: Path, only: frozenset[str] | None) -> pd.DataFrame:
    """A cached table, or only these localities' rows of it read a batch at a time.

    pandas' ``filters`` read ahead many batches at once: for the national sample a province's
    rows cost a kernel about 140 MB more at the peak, against about 30 MB a batch at a time.
    """
    if only is None:
        return pd.read_parquet(path)
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path)
    wanted = pa.array(sorted(only), type=table.schema_arrow.field("locality_code").type)
    parts = [batch.filter(pc.is_in(batch.column("locality_code"), value_set=wanted))
             for batch in table.iter_batches(batch_size=50_000)]
    return pa.Table.from_batches(parts, schema=table.schema_arrow).to_pandas()


def _only(ds, codes: frozenset[str] | None):
    if codes is None:
        return ds
    keep = lambda df: df[df.locality_code.isin(codes)].reset_index(drop=True)  # noqa: E731
    return datasets.Dataset(figures=keep(ds.figures), appraisal=keep(ds.appraisal),
                            path=ds.path, checksum=ds.checksum, files=ds.files,
                            problems=tuple(r for r in ds.problems if r.locality_code in codes))
