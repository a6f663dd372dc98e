"""Validated data sets kept as Parquet under ``$PARBRIEF_CACHE``, keyed by the files' bytes and
the validation code, so that each batch worker does not validate the same data again."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pandas as pd

from parbrief.core import cache
from parbrief.core.fingerprint import code_fingerprint
from parbrief.ingest import dataset as datasets
from parbrief.ingest import readers


def load_validated(path: str, only: frozenset[str] | None = None):
    """``dataset.load`` with validation, remembered by content checksum.

    Validating every row against the register costs seconds for a province and minutes for
    the country; each batch worker would pay it again. The validated table is kept as Parquet
    under ``$PARBRIEF_CACHE`` (default ``~/.cache/parbrief``), keyed by the files' bytes and the
    validation code, so only a data set that validated cleanly before is read from the cache.

    ``only`` keeps the rows of these locality codes (the whole data set is still validated and
    checksummed); from the cache only those rows are read.
    """
    files, appraisal, problems = readers.dataset_files(Path(path))
    if problems or not files:
        return _only(datasets.load(path), only)
    all_files = files + ([appraisal] if appraisal else [])
    key = hashlib.sha256((datasets.checksum(all_files) + code_fingerprint("ingest", packages=("vietnamadminunits",)))
                         .encode()).hexdigest()
    folder = cache.cache_dir() / "validated" / key
    try:
        if (folder / "done").is_file():
            return datasets.Dataset(
                figures=_read_cached(folder / "figures.parquet", only),
                appraisal=_read_cached(folder / "appraisal.parquet", only),
                path=Path(path), checksum=(folder / "done").read_text().strip(),
                files=tuple(all_files))
    except (OSError, ValueError):
        pass  # an unreadable cache is only a slower start
    ds = datasets.load(path)
    try:
        tmp = folder.with_name(f"{key}.{os.getpid()}.tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        ds.figures.to_parquet(tmp / "figures.parquet", index=False)
        ds.appraisal.to_parquet(tmp / "appraisal.parquet", index=False)
        (tmp / "done").write_text(ds.checksum)
        os.replace(tmp, folder) if not folder.exists() else shutil.rmtree(tmp)
    except OSError:
        pass
    return _only(ds, only)


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
                            path=ds.path, checksum=ds.checksum, files=ds.files)
