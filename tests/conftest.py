"""Shared fixtures. ``small_batch`` runs one real batch (both notebooks, vi + en, HTML + PDF)
once per test session; the tests that read reports share it."""

from __future__ import annotations

import os
import shutil
import subprocess
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


# --------------------------------------------------------------------------- a real browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium, installed when missing (CI runs as root); the test skips, saying why,
    only where it cannot be installed."""
    path = _chromium()
    if path is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env,
                       capture_output=True, timeout=900)
        path = _chromium()
    if path is None:
        pytest.skip("Debian's chromium is not installed and cannot be installed here "
                    "(needs root and apt-get): apt-get install chromium")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium driven by Playwright for the whole session: Playwright's sync API
    runs one event loop per thread, so every browser test shares this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()
