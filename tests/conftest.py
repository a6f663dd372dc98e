"""Shared fixtures. ``small_batch`` runs one real batch (both notebooks, vi + en, HTML + PDF)
once per test session; the tests that read reports share it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SMALL_LOCALITIES = ["17266", "16681", "17662"]  # Xã Tân Kỳ, Phường Thành Vinh, Xã Đô Lương


def make_project(folder: Path, name: str = "small", localities=SMALL_LOCALITIES,
                 languages=("vi", "en"), formats=("html", "pdf"),
                 reports=("briefing", "overview"), period: str = "2026Q3",
                 extra: dict | None = None) -> Path:
    """A project folder of its own (params/, data/ copied from the sample, reports/):
    params files may only point inside their project. Returns the params file."""
    data = folder / "data" / "sample"
    if not data.exists():
        shutil.copytree(SAMPLE, data)
    params = folder / "params" / f"{name}.yaml"
    params.parent.mkdir(parents=True, exist_ok=True)
    content = {"name": name, "province": "40", "level": "commune", "periods": [period],
               "localities": list(localities), "data": "../data/sample",
               "methodology": "par-commune", "reports": list(reports),
               "languages": list(languages), "formats": list(formats), "output": "../reports"}
    content.update(extra or {})
    params.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return params


def pdf_objects(pdf: bytes) -> bytes:
    """Every object of a PDF written out uncompressed (qpdf's QDF form): what a test searches
    for a word the file must not hold (its objects are packed in compressed streams)."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        out = io.BytesIO()
        document.save(out, qdf=True, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                      compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.generalized)
    return out.getvalue()


@dataclass
class SmallBatch:
    project: Path  # the project folder (params/, data/, reports/)
    params: Path  # its params file
    output: Path  # the output folder (reports/)
    result: object  # parbrief.runner.results.BatchResult
    printed: str  # what the batch printed (status table, where the reports are)


@pytest.fixture(scope="session")
def small_batch(tmp_path_factory) -> SmallBatch:
    from parbrief.runner.batch import report, run_batch

    project = tmp_path_factory.mktemp("small-batch")
    params = make_project(project)
    result = run_batch(params, workers=2, progress=False, echo=False)
    return SmallBatch(project=project, params=params, output=project / "reports", result=result,
                      printed=report(result))
