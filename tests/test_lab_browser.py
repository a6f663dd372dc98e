"""An analyst in a real JupyterLab (started here, on a loopback port, with `parbrief lab` as
`make lab` starts it), driven by Playwright in Debian's Chromium: open the briefing, run all,
change the locality, read the new index, mistype a code and read the short message, open a
published report and see its charts, work in the working copy; the template and the report
stay byte-identical throughout."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
PARBRIEF = str(Path(sys.executable).parent / "parbrief")
REPORT = "reports/2026Q3/nghe-an/briefing-17266-xa-tan-ky.ipynb"
IDLE = "Python (parbrief) | Idle"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(small_batch, tmp_path_factory):
    """A project (the small batch's data and reports, the shipped templates) served by
    `parbrief lab` on a loopback port; JupyterLab's user settings kept out of the home."""
    pytest.importorskip("jupyterlab")
    project = tmp_path_factory.mktemp("lab") / "project"
    shutil.copytree(small_batch.project, project, symlinks=True,
                    ignore=shutil.ignore_patterns(".parbrief.lock"))
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    home = project.parent / "jupyter"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    # every cell in the page (not only those scrolled into view), so the test reads them all
    settings = home / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        '{"windowingMode": "none"}')
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false"}')
    port, token = _free_port(), secrets.token_hex(16)
    log = open(project.parent / "lab.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([PARBRIEF, "lab", "--project", str(project), "--ip=127.0.0.1",
                             f"--port={port}", f"--IdentityProvider.token={token}",
                             "--no-browser"], cwd=project, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail("JupyterLab did not start:\n"
                            + (project.parent / "lab.log").read_text(errors="replace"))
            time.sleep(0.5)
    yield project, base, token
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


def _open(browser, base: str, token: str, path: str, previous=None):
    """A new window on ``path`` in a workspace of its own (only that notebook open), its
    kernel started and idle."""
    if previous is not None:
        previous.close()  # as closing a browser tab: JupyterLab saves nothing on the way out
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)
    workspace = Path(path).stem.replace(".", "-") + "-" + secrets.token_hex(4)
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{path}?token={token}")
    page.get_by_text(IDLE).wait_for()
    return page


def _run_all(page) -> None:
    page.get_by_text("Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    page.wait_for_timeout(500)
    page.get_by_text(IDLE).wait_for()


def _set_cell(page, index: int, source: str) -> None:
    """Replace the source of the notebook's cell ``index`` (0-based) as a user would."""
    editor = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)
    page.keyboard.press("Escape")


PARAMETERS = '''locality: str = "{locality}"
period: str = "2026Q3"
data: str = "../data/sample"
methodology: str = "par-commune"
languages: list = ["vi"]
apportionment: str = "area"'''


def test_an_analyst_in_jupyterlab(lab, browser):
    project, base, token = lab
    template, report = project / "notebooks" / "briefing.ipynb", project / REPORT
    before = {p: _sha(p) for p in (template, report)}
    report_files = {p: _sha(p) for p in report.parent.rglob("briefing-17266-*") if p.is_file()}

    # 1. the briefing: Run All shows one language, the summary as a paragraph
    page = _open(browser, base, token, "notebooks/briefing.ipynb")
    assert page.get_by_text("notebook is read-only").is_visible()
    _run_all(page)
    text = page.locator(".jp-Notebook").inner_text()
    assert "Quý III/2026, xã Tân Kỳ đạt 75,11 điểm Chỉ số CCHC; giữ nguyên thứ 103/129" in text
    assert "scored" not in text and "Key figures" not in text  # no English edition
    summary = page.locator(".parbrief-summary")
    assert summary.evaluate("e => getComputedStyle(e).fontFamily").find("monospace") < 0

    # 2. another locality, by name: the new index
    _set_cell(page, 1, PARAMETERS.format(locality="Đô Lương"))
    _run_all(page)
    text = page.locator(".jp-Notebook").inner_text()
    assert "Quý III/2026, xã Đô Lương đạt 79,33 điểm Chỉ số CCHC; giảm 7 bậc, xuống thứ 87/129" in text

    # 3. a wrong code: one short box, suggestions (if any) inside the province
    _set_cell(page, 1, PARAMETERS.format(locality="29991"))
    _run_all(page)
    error = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert error.count() == 1
    message = error.inner_text().strip()
    assert message.splitlines()[0] == "parbrief: unknown locality"
    assert len(message.splitlines()) <= 4, message
    assert "Traceback" not in message and "site-packages" not in message
    assert 'Where: the parameters cell, locality = "29991"' in message
    assert "Fix:" in message and "Tỉnh Nghệ An" in message
    page.keyboard.press("Control+s")  # a reflex: the template stays as it is
    page.wait_for_timeout(1000)

    # 4. the published report: read-only, charts shown without trust, re-runs where it sits
    page = _open(browser, base, token, REPORT, page)
    assert page.get_by_text("notebook is read-only").is_visible()
    images = page.locator(".jp-OutputArea-output img")
    assert images.count() == 6  # three charts, two languages
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        assert img.evaluate("i => i.complete && i.naturalWidth") > 500
    # "Trust Notebook" saves the notebook: the server refuses, and says why
    page.keyboard.press("Control+Shift+c")
    page.keyboard.insert_text("Trust")
    page.keyboard.press("Enter")
    page.locator(".jp-Dialog-button.jp-mod-accept", has_text="Trust").click()
    page.get_by_text("File Save Error").wait_for()
    assert "is read-only (a published report" in page.locator(".jp-Dialog-body").inner_text()
    page.locator(".jp-Dialog-button", has_text="Close").click()
    _run_all(page)
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                        ).count() == 0
    assert "xã Tân Kỳ đạt 75,11 điểm" in page.locator(".jp-Notebook").inner_text()
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1000)

    # 5. the working copy: saved, with its text twin; the explain view at its end
    page = _open(browser, base, token, "work/briefing.ipynb", page)
    _run_all(page)
    text = page.locator(".jp-Notebook").inner_text()
    assert "Cách tính từng điểm: Xã Tân Kỳ, Quý III/2026" in text
    assert "figures.csv, dòng" in text
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while not (project / "work" / "briefing.py").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "sections.explain(b)" in (project / "work" / "briefing.py").read_text(encoding="utf-8")

    # 6. nothing the batch made or reads was touched
    assert {p: _sha(p) for p in (template, report)} == before
    assert {p: _sha(p) for p in report_files} == report_files
    assert not list((project / "reports").rglob(".ipynb_checkpoints"))
    assert not list((project / "notebooks").rglob(".ipynb_checkpoints"))
