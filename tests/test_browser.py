"""Open the index page and a briefing in a real headless Chromium (Debian's), driven by Playwright.

The fixture installs Debian's chromium when it is missing (CI runs as root); it skips, saying why,
only where it cannot be installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, path: Path):
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors


def test_index_page_links_resolve_and_has_no_console_errors(browser, small_batch):
    index = small_batch.output / "2026Q3" / "index.html"
    page, errors = _open(browser, index)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) >= 4
    for href in hrefs:
        target = (index.parent / href).resolve()
        assert target.is_file(), f"index.html links to missing {href}"
    assert errors == []
    page.close()


def test_briefing_shows_its_charts_and_prints_to_a4(browser, small_batch, tmp_path):
    html = next((small_batch.output / "2026Q3").glob("*/briefing-17266-*.vi.html"))
    page, errors = _open(browser, html)
    images = page.query_selector_all("img")
    assert len(images) >= 3
    for img in images:
        assert img.is_visible()
        assert page.evaluate("i => i.naturalWidth", img) > 100
    assert errors == []
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    # A4 is 595.28 x 841.89 pt; Chromium rounds the page to whole CSS pixels (794 x 1123).
    assert abs(width - 595.28) < 1.5 and abs(height - 841.89) < 1.5, (width, height)
    assert "Tân Kỳ" in reader.pages[0].extract_text()
    page.close()
