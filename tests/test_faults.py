"""Faults a batch survives, and what its published files never depend on or give away: a disk
that fills up, a cell that hangs, the folder a batch runs in, the user who runs it.
docs/faults.md lists each fault with its test."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, make_project, pdf_objects
from test_batch import PERIOD, _planted_notebook, manifests, statuses

from parbrief.runner.batch import run_batch
from parbrief.runner.notebooks import declare

PARBRIEF = str(Path(sys.executable).parent / "parbrief")
TAN_KY, THANH_VINH, DO_LUONG = ("briefing-17266-xa-tan-ky", "briefing-16681-phuong-thanh-vinh",
                                "briefing-17662-xa-do-luong")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_of(folder: Path, stem: str) -> dict[str, str]:
    """Every published file of one report but its manifest (the newsroom pack's files
    included): name -> sha256."""
    return {p.relative_to(folder).as_posix(): sha256(p)
            for p in list(folder.glob(f"{stem}.*")) + list(folder.glob(f"{stem}.*.newsroom/*"))
            if p.is_file() and not p.name.endswith(".manifest.json")}


def assert_manifests_match_their_files(output: Path) -> None:
    for stem, manifest in manifests(output).items():
        folder = output / manifest["period"] / Path(manifest["job"]).parent.name
        assert {o["path"]: o["sha256"] for o in manifest["outputs"]} == files_of(folder, stem), stem


def bump(project: Path, code: str, indicator: str = "inspections_unscheduled") -> None:
    """Change one figure of one locality. Unscheduled inspections feed no score: only that
    locality's own briefing (and its province's overview) reads it."""
    import pandas as pd

    figures = project / "data" / "sample" / "figures.csv"
    fig = pd.read_csv(figures, dtype=str, keep_default_na=False)
    sel = (fig.locality_code == code) & (fig.period == PERIOD) & (fig.indicator == indicator)
    assert sel.sum() == 1
    fig.loc[sel, "value"] = str(int(float(fig.loc[sel, "value"].iloc[0])) + 1)
    fig.to_csv(figures, index=False, lineterminator="\n")


# --------------------------------------------------------------------------- a full disk


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str = "64m"):
    """A tmpfs of its own mounted on ``folder`` (root only); skips the test where it cannot."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {(proc.stderr or proc.stdout).strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path, leave: int = 4096) -> Path:
    """Fill the file system of ``folder`` up to ``leave`` bytes (one tmpfs page: a few KB)."""
    st = os.statvfs(folder)
    filler = folder / "filler"
    with open(filler, "wb") as f:
        remaining = st.f_bavail * st.f_frsize - leave
        while remaining > 0:
            remaining -= f.write(b"\0" * min(remaining, 1 << 22))
        f.flush()
        os.fsync(f.fileno())
    st = os.statvfs(folder)
    assert st.f_bavail * st.f_frsize == leave
    return filler


@pytest.mark.slow
def test_a_full_disk_fails_the_jobs_that_need_space_and_keeps_the_last_good_report(tmp_path):
    project = tmp_path / "project"
    setup = {"languages": ["vi"], "formats": ["html", "pdf"], "reports": ["briefing"]}
    params = make_project(project, "full", localities=["17266", "17662"], **setup)
    reports = project / "reports"
    folder = reports / PERIOD / "nghe-an"
    with small_tmpfs(reports):
        # (a) room enough: both reports published
        first = run_batch(params, workers=2, progress=False, echo=False)
        assert statuses(first) == {TAN_KY: "ok", DO_LUONG: "ok"}
        good = files_of(folder, TAN_KY)
        good_manifest = (folder / f"{TAN_KY}.manifest.json").read_bytes()
        index = (reports / PERIOD / "index.html").read_bytes()

        # (b) Tân Kỳ's figures change, Thành Vinh is added, and the disk is full
        bump(project, "17266")
        make_project(project, "full", localities=["17266", "16681", "17662"], **setup)
        filler = fill(reports)
        proc = subprocess.run([PARBRIEF, "batch", str(params), "--workers", "2",
                               "--no-progress"], capture_output=True, text=True, timeout=600,
                              cwd=project, check=False)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        rows = {line.split()[0]: line for line in proc.stdout.splitlines()
                if line.startswith("briefing-")}
        assert " skipped (up to date) " in rows[DO_LUONG]
        for stem in (TAN_KY, THANH_VINH):
            assert " failed " in rows[stem] and "No space left on device" in rows[stem], rows[stem]
        assert "3 jobs: 0 ok, 1 skipped (up to date), 2 failed" in proc.stdout
        assert (f"error: could not write {reports / PERIOD / 'index.html'}: OSError: [Errno 28] "
                "No space left on device") in proc.stdout
        # the last good report, its manifest and the index page are as they were
        assert files_of(folder, TAN_KY) == good
        assert (folder / f"{TAN_KY}.manifest.json").read_bytes() == good_manifest
        assert (reports / PERIOD / "index.html").read_bytes() == index
        assert_manifests_match_their_files(reports)
        assert not list(folder.glob(f"{THANH_VINH}*"))
        assert [p for p in reports.rglob("*") if p.name.endswith(".tmp")] == []
        assert not (reports / ".staging").exists()

        # (c) room again: only the failed jobs run
        filler.unlink()
        third = run_batch(params, workers=2, progress=False, echo=False)
        assert statuses(third) == {TAN_KY: "ok", THANH_VINH: "ok", DO_LUONG: "skipped"}
        assert third.exit_code == 0 and third.problems == []
        assert files_of(folder, TAN_KY) != good
        assert_manifests_match_their_files(reports)
        assert set(manifests(reports)) == {TAN_KY, THANH_VINH, DO_LUONG}
        assert "Phường Thành Vinh" in (reports / PERIOD / "nghe-an" / "index.html").read_text(
            "utf-8")
        assert not (reports / ".staging").exists()


@pytest.mark.slow
def test_publishing_needs_no_space_once_a_report_is_staged(tmp_path):
    """The checksums and the new manifest are written beside the staged files before any
    published file is replaced: a disk already full then stops the job before it touches the
    last good report; with room for the manifest, the swap itself only renames."""
    from parbrief.runner import params as paramfiles
    from parbrief.runner.manifest import publish_report, read_manifest
    from parbrief.runner.worker import STAGING

    project = tmp_path / "project"
    params_file = make_project(project, "swap", localities=["17266"], languages=["vi"],
                               formats=["html"], reports=["briefing"])
    job = paramfiles.expand(paramfiles.load(params_file))[0]
    reports = project / "reports"
    with small_tmpfs(reports, size="1m"):
        folder = job.out_dir
        (folder / f"{job.stem}.vi.newsroom").mkdir(parents=True)
        (folder / f"{job.stem}.vi.html").write_bytes(b"<html>old report</html>\n")
        (folder / f"{job.stem}.vi.newsroom" / "stale.csv").write_bytes(b"a\n1\n")
        old_manifest = json.dumps({"outputs": [
            {"path": f"{job.stem}.vi.html"},
            {"path": f"{job.stem}.vi.newsroom/stale.csv"}]}).encode()
        (folder / f"{job.stem}.manifest.json").write_bytes(old_manifest)
        old = files_of(folder, job.stem)
        staged = reports / STAGING / "job" / "out"
        (staged / f"{job.stem}.vi.newsroom").mkdir(parents=True)
        (staged / f"{job.stem}.vi.html").write_bytes(b"<html>new report</html>\n")
        (staged / f"{job.stem}.vi.newsroom" / "lead.txt").write_bytes(b"lead\n")

        filler = fill(reports, leave=0)
        with pytest.raises(OSError, match="No space left on device"):
            publish_report(staged, job, reports, {"job": job.id})
        assert files_of(folder, job.stem) == old
        assert (folder / f"{job.stem}.manifest.json").read_bytes() == old_manifest

        filler.unlink()
        filler = fill(reports, leave=4096)  # room for the manifest, and for nothing else
        outputs = publish_report(staged, job, reports, {"job": job.id})
        assert [o["path"] for o in outputs] == [f"{job.stem}.vi.html",
                                                f"{job.stem}.vi.newsroom/lead.txt"]
        assert read_manifest(folder / f"{job.stem}.manifest.json") == {"job": job.id,
                                                                       "outputs": outputs}
        assert files_of(folder, job.stem) == {o["path"]: o["sha256"] for o in outputs}
        assert not (folder / f"{job.stem}.vi.newsroom" / "stale.csv").exists()


# --------------------------------------------------------------------------- a cell that hangs


@pytest.mark.slow
def test_a_cell_that_hangs_times_out_alone_and_the_worker_goes_on(tmp_path):
    project = tmp_path / "project"
    notebook = _planted_notebook(project)
    setup = {"languages": ["vi"], "formats": ["html"], "reports": ["briefing"],
             "extra": {"notebooks": {"briefing": "../notebooks/briefing.ipynb"}, "timeout": 5}}
    folder = project / "reports" / PERIOD / "nghe-an"
    failed = project / "reports" / PERIOD / "_failed" / f"{THANH_VINH}.ipynb"
    cell = sum(c.cell_type == "code" for c in nbformat.read(notebook, 4).cells) + 1  # + injected

    # the last good report of Thành Vinh
    params = make_project(project, "hang", localities=["16681"], **setup)
    assert statuses(run_batch(params, workers=1, progress=False, echo=False)) == \
        {THANH_VINH: "ok"}
    good = files_of(folder, THANH_VINH)

    # its figures change and its notebook hangs; one worker runs the three jobs in turn
    bump(project, "16681")
    (project / "SLEEP").write_text("16681\n")
    make_project(project, "hang", localities=["17266", "16681", "17662"], **setup)
    result = run_batch(params, workers=1, progress=False, echo=False)
    assert statuses(result) == {TAN_KY: "ok", THANH_VINH: "failed", DO_LUONG: "ok"}
    hung = result.by_stem()[THANH_VINH]
    assert hung.detail == (f"cell {cell}: CellTimeoutError: A cell timed out while it was being "
                           "executed, after 5 seconds.")
    assert hung.cell == cell
    assert result.exit_code == 1
    assert files_of(folder, THANH_VINH) == good
    nb = nbformat.read(failed, as_version=4)  # kept, the cell that hung marked
    marked = [c for c in nb.cells if c.metadata.get("papermill", {}).get("exception")]
    assert len(marked) == 1 and marked[0].execution_count == cell
    assert "time.sleep(600)" in marked[0].source
    assert f"In [{cell}]" in nb.cells[0].source and "CellTimeoutError" in nb.cells[0].source

    # it no longer hangs: only that job runs again
    (project / "SLEEP").unlink()
    again = run_batch(params, workers=1, progress=False, echo=False)
    assert statuses(again) == {TAN_KY: "skipped", THANH_VINH: "ok", DO_LUONG: "skipped"}
    assert not failed.exists()
    assert files_of(folder, THANH_VINH) != good


# --------------------------------------------------------------------------- reproducible bytes


def published_files(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*"))
            if p.is_file() and p.name != ".parbrief.lock"}


@pytest.mark.slow
def test_the_same_batch_in_another_folder_gives_the_same_bytes(small_batch, tmp_path):
    """No SOURCE_DATE_EPOCH, another absolute path: every published file, manifests and index
    pages included (they hold no time and no path), is byte for byte the same."""
    assert "SOURCE_DATE_EPOCH" not in os.environ
    project = tmp_path / "somewhere" / "else"
    params = make_project(project)  # the settings small_batch was made with
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert set(statuses(result).values()) == {"ok"}
    here, there = published_files(small_batch.output), published_files(project / "reports")
    assert sorted(there) == sorted(here)
    kinds = {Path(name).suffix for name in here}
    assert kinds >= {".html", ".pdf", ".ipynb", ".csv", ".svg", ".png", ".json", ".txt"}
    assert [name for name in here if here[name] != there[name]] == []


@pytest.mark.slow
def test_pdf_dates_come_from_source_date_epoch_only(small_batch, monkeypatch):
    from pypdf import PdfReader

    from parbrief.publish import render

    folder = small_batch.output / PERIOD / "nghe-an"
    nb = nbformat.read(folder / f"{TAN_KY}.ipynb", as_version=4)
    published = (folder / f"{TAN_KY}.vi.pdf").read_bytes()
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert render.Renderer().pdf(nb, "vi") == published  # no date: the same bytes every time
    assert b"/CreationDate" not in pdf_objects(published)
    assert b"/ModDate" not in pdf_objects(published)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00:00 UTC
    dated = render.Renderer().pdf(nb, "vi")
    info = PdfReader(io.BytesIO(dated)).metadata
    expected = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert info.creation_date == expected and info.modification_date == expected
    assert render.Renderer().pdf(nb, "vi") == dated


@pytest.mark.slow
def test_a_new_source_date_epoch_re_renders_the_pdfs_and_only_their_date_changes(tmp_path):
    from pypdf import PdfReader

    project = tmp_path / "project"
    params = make_project(project, "dated", localities=["17266"], languages=["vi"],
                          formats=["html", "pdf"], reports=["briefing"])
    folder = project / "reports" / PERIOD / "nghe-an"
    cmd = [PARBRIEF, "batch", str(params), "--workers", "1", "--no-progress"]
    undated_env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}

    def run(env: dict) -> str:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=project,
                             env=env, check=True).stdout
        return next(line for line in out.splitlines() if " jobs: " in line).split(" in ")[0]

    assert run(undated_env) == "1 jobs: 1 ok, 0 skipped (up to date), 0 failed"
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert run(undated_env) == "1 jobs: 0 ok, 1 skipped (up to date), 0 failed"
    dated_env = dict(undated_env, SOURCE_DATE_EPOCH="1767225600")
    assert run(dated_env) == "1 jobs: 1 ok, 0 skipped (up to date), 0 failed"
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == [f"{TAN_KY}.manifest.json", f"{TAN_KY}.vi.pdf"]
    info = PdfReader(io.BytesIO(after[f"{TAN_KY}.vi.pdf"])).metadata
    assert info.creation_date == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert run(dated_env) == "1 jobs: 0 ok, 1 skipped (up to date), 0 failed"


# --------------------------------------------------------------------------- no secrets


@pytest.mark.slow
def test_published_files_name_no_user_folder_token_or_environment(tmp_path):
    """The project, the home folder and the cache under a folder named after a user and a
    token, a token in the environment and in the params file's name: none of it reaches a
    published file (HTML, PDF text, notebooks and their metadata, manifests, newsroom packs,
    the failed notebook of a job that fails on an absolute path)."""
    from pypdf import PdfReader

    secret = tmp_path / "home-secretuser-TOKEN123"
    project = secret / "project"
    notebook = _planted_notebook(project)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "if locality == '16681':\n"
        "    open(os.path.abspath('no-such-file.csv'))"))
    nbformat.write(nb, notebook)
    declare(notebook)
    params = make_project(project, "secretuser-TOKEN123", localities=["17266", "16681"],
                          languages=["vi"], formats=["html", "pdf"],
                          reports=["briefing", "overview"],
                          extra={"notebooks": {"briefing": "../notebooks/briefing.ipynb"}})
    env = dict(os.environ, HOME=str(secret), PARBRIEF_CACHE=str(secret / ".cache"),
               API_TOKEN="TOKEN123", USER="secretuser", LOGNAME="secretuser")
    proc = subprocess.run([PARBRIEF, "batch", str(params), "--workers", "2", "--no-progress"],
                          capture_output=True, text=True, timeout=600, cwd=project, env=env,
                          check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FileNotFoundError" in proc.stdout  # the console names the real path
    assert str(project / "no-such-file.csv") in proc.stdout
    reports = project / "reports"
    files = [p for p in reports.rglob("*") if p.is_file() and p.name != ".parbrief.lock"]
    names = {p.relative_to(reports).as_posix() for p in files}
    assert f"{PERIOD}/_failed/{THANH_VINH}.ipynb" in names
    assert f"{PERIOD}/nghe-an/{TAN_KY}.vi.pdf" in names
    for p in files:
        data = p.read_bytes()
        if p.suffix == ".pdf":
            data += " ".join(page.extract_text() for page in PdfReader(p).pages).encode()
        for word in (b"secretuser", b"TOKEN123", b"home-secret"):
            assert word not in data, (p.name, word)
    kept = nbformat.read(reports / PERIOD / "_failed" / f"{THANH_VINH}.ipynb", as_version=4)
    error = next(o for c in kept.cells if c.cell_type == "code" for o in c.get("outputs", [])
                 if o.get("output_type") == "error")
    assert error["ename"] == "FileNotFoundError"
    assert error["evalue"] == "[Errno 2] No such file or directory: '<project>/no-such-file.csv'"


def test_every_test_the_faults_page_names_exists():
    """docs/faults.md names a test for each fault: each one is a test function of that file."""
    doc = (ROOT / "docs" / "faults.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(tests/test_\w+\.py)::(test_\w+)`", doc))
    assert len(named) >= 15
    for file, name in sorted(named):
        assert f"\ndef {name}(" in (ROOT / file).read_text(encoding="utf-8"), f"{file}::{name}"
