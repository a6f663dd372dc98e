"""The batch runner: params files, jobs, incremental runs, failures, the lock, interruptions."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml
from conftest import ROOT, SMALL_LOCALITIES, make_project

from parbrief.core import formatting
from parbrief.core.errors import ParameterError
from parbrief.publish import contract
from parbrief.runner.batch import run_batch
from parbrief.runner.lock import BatchLockedError, OutputLock
from parbrief.runner.notebooks import declare
from parbrief.runner.params import (
    NOTEBOOKS,
    check_notebook_parameters,
    declared_parameters,
    expand,
    load,
)
from parbrief.units import register

PARBRIEF = str(Path(sys.executable).parent / "parbrief")
PERIOD = "2026Q3"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_params(folder: Path, content: dict, name: str = "p.yaml") -> Path:
    """A params file in a project folder (``pyproject.toml`` marks the project's top)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").touch()
    (folder / "data" / "sample").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "data" / "sample" / "figures.csv", folder / "data" / "sample")
    path = folder / "params" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    base = {"name": "t", "province": "40", "level": "commune", "periods": ["2026Q3"],
            "data": "../data/sample", "output": "../reports"}
    base.update(content)
    path.write_text(yaml.safe_dump(base, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def manifests(output: Path) -> dict[str, dict]:
    return {p.name.removesuffix(".manifest.json"): json.loads(p.read_text(encoding="utf-8"))
            for p in output.glob(f"{PERIOD}/*/*.manifest.json")}


def statuses(result) -> dict[str, str]:
    return {r.stem: r.status for r in result.results}


# --------------------------------------------------------------------------- params files


def test_params_file_expands_into_named_jobs_in_their_folders(tmp_path):
    params = load(write_params(tmp_path, {"localities": ["17266", "16681"],
                                          "languages": ["vi"], "formats": ["html"]}))
    jobs = expand(params)
    assert [j.stem for j in jobs] == ["overview-40-tinh-nghe-an", "briefing-17266-xa-tan-ky",
                                      "briefing-16681-phuong-thanh-vinh"]
    assert jobs[1].out_dir == tmp_path / "reports" / "2026Q3" / "nghe-an"
    assert jobs[1].id == "2026Q3/nghe-an/briefing-17266-xa-tan-ky"
    assert jobs[1].name == "Xã Tân Kỳ"  # names keep their diacritics; file names are ASCII
    # paths reach the notebook relative to the project (its kernel runs there): no user folders
    assert jobs[1].parameters == {"locality": "17266", "period": "2026Q3", "data": "data/sample",
                                  "methodology": "par-commune", "languages": ["vi"],
                                  "apportionment": "area"}
    assert jobs[0].parameters["province"] == "40"


def test_latest_period_and_whole_province(tmp_path):
    params = load(write_params(tmp_path, {"periods": ["latest"], "reports": ["briefing"]}))
    assert params.periods == ("2026Q3",)
    jobs = expand(params)
    assert len(jobs) == len(register.children("40", "2026Q3")) == 130


def test_province_all_is_the_whole_country(tmp_path):
    params = load(write_params(tmp_path, {"province": "all", "languages": ["vi"]}))
    jobs = expand(params)
    overviews = [j for j in jobs if j.kind == "overview"]
    assert len(overviews) == 34 and len(jobs) == 34 + 3321
    assert jobs[0].kind == "overview"  # the longest jobs start first
    assert {j.out_dir.name for j in jobs} >= {"nghe-an", "ha-noi", "ca-mau"}
    assert next(j for j in jobs if j.locality == "17266").out_dir.name == "nghe-an"


def test_shipped_params_files_are_valid():
    for path in sorted((ROOT / "params").glob("*.yaml")):
        params = load(path)
        assert params.output.is_relative_to(ROOT)
        assert params.data in (ROOT / "data" / "sample", ROOT / "data" / "annual-sample")


def test_unknown_key_names_the_file_and_the_closest_key(tmp_path):
    path = write_params(tmp_path, {"langauges": ["vi"]})
    with pytest.raises(ParameterError) as e:
        load(path)
    assert str(e.value) == (
        f"{path}: unknown key 'langauges'; did you mean 'languages'? allowed keys: name, "
        "province, parent, level, periods, localities, data, methodology, reports, languages, "
        "formats, output, apportionment, executor, workers, timeout, notebooks, committee")


def test_wrong_types_are_named_with_an_example(tmp_path):
    path = write_params(tmp_path, {"workers": "two"})
    with pytest.raises(ParameterError) as e:
        load(path)
    assert str(e.value) == (f"{path}: key 'workers': must be a positive whole number, got 'two' "
                            "(str) (e.g. workers: 2)")
    path = write_params(tmp_path, {"province": 40})
    with pytest.raises(ParameterError) as e:
        load(path)
    assert str(e.value) == (f"{path}: key 'province': must be a string, got 40 (int) (write codes "
                            "in quotes so that leading zeros survive) (e.g. province: \"40\"   # or all)")
    path = write_params(tmp_path, {"periods": "2026Q3"})
    with pytest.raises(ParameterError) as e:
        load(path)
    assert str(e.value) == (f"{path}: key 'periods': must be a list, got '2026Q3' (str) "
                            "(e.g. periods: [\"2026Q3\"]   # or [latest], a year [\"2025\"], a "
                            "year to date [\"2026Q1-Q3\"])")


def test_unsupported_language_format_and_executor(tmp_path):
    path = write_params(tmp_path, {"languages": ["vi", "fr"]})
    with pytest.raises(ParameterError, match=re.escape(
            f"{path}: key 'languages': language 'fr' is not supported; supported: vi, en")):
        load(path)
    path = write_params(tmp_path, {"formats": ["html", "odt"]})
    with pytest.raises(ParameterError, match=re.escape(
            "key 'formats': format 'odt' is not supported; supported: html, pdf, docx")):
        load(path)
    path = write_params(tmp_path, {"executor": "strickt"})
    with pytest.raises(ParameterError, match=re.escape(
            "key 'executor': 'strickt' is not supported; did you mean 'strict'? use one of: "
            "warm, strict, dask")):
        load(path)


def test_unknown_and_misplaced_localities_are_named(tmp_path):
    path = write_params(tmp_path, {"localities": ["17266", "99999"]})
    with pytest.raises(ParameterError) as e:
        load(path)
    assert str(e.value).startswith(f"{path}: key 'localities': unknown locality code '99999' in "
                                   "the 2025 register (period 2026Q3).")
    hanoi_commune = register.children("01", "2026Q3")[0]
    path = write_params(tmp_path, {"localities": [hanoi_commune.code]})
    with pytest.raises(ParameterError) as e:
        load(path)
    assert str(e.value) == (f"{path}: key 'localities': {hanoi_commune.code} {hanoi_commune.name} "
                            "is not a commune of 40 Tỉnh Nghệ An in 2026Q3; remove it or change "
                            "'province'")
    path = write_params(tmp_path, {"province": "4O"})
    with pytest.raises(ParameterError, match=re.escape(f"{path}: key 'province': unknown locality "
                                                       "name '4O' in the 2025 register")):
        load(path)


def test_paths_outside_the_project_are_refused(tmp_path):
    project = tmp_path / "project"
    path = write_params(project, {"data": "../../elsewhere"})
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(ParameterError) as e:
        load(path)
    assert str(e.value) == (f"{path}: key 'data': '../../elsewhere' is outside the project folder "
                            f"{project} (it resolves to {tmp_path / 'elsewhere'}); give a path "
                            "inside the project (e.g. data: ../data/sample)")
    path = write_params(project, {"output": "/etc"})
    with pytest.raises(ParameterError) as e:
        load(path)
    assert str(e.value) == (f"{path}: key 'output': '/etc' is outside the project folder {project} "
                            "(it resolves to /etc); give a path inside the project "
                            "(e.g. output: ../reports)")
    # a symbolic link inside the project that leads out of it
    (project / "out-link").symlink_to(tmp_path / "elsewhere")
    path = write_params(project, {"output": "../out-link/reports"})
    with pytest.raises(ParameterError, match="is outside the project folder"):
        load(path)
    # a link that stays inside the project is still refused as an output folder
    (project / "real").mkdir()
    (project / "inner-link").symlink_to(project / "real")
    path = write_params(project, {"output": "../inner-link"})
    with pytest.raises(ParameterError) as e:
        load(path)
    assert str(e.value) == (f"{path}: key 'output': '../inner-link' goes through the symbolic link "
                            f"{project / 'inner-link'}; reports are only written to real folders "
                            "inside the project: remove the link or give another folder "
                            "(e.g. output: ../reports)")


def test_a_symlinked_reports_subfolder_is_refused_when_writing(tmp_path):
    """A link planted inside reports/ after the params were checked is not followed."""
    from parbrief.core.files import check_no_symlink

    reports = tmp_path / "reports"
    (reports / "2026Q3").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (reports / "2026Q3" / "nghe-an").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(Exception, match="is a symbolic link inside the output folder"):
        check_no_symlink(reports / "2026Q3" / "nghe-an" / "x.html", reports)


def test_notebook_parameters_are_checked_before_any_kernel_starts():
    declared = declared_parameters(NOTEBOOKS["briefing"])
    # read even where papermill's own parser gives up (a '=' inside the help comment)
    assert declared == {"locality": "str", "period": "str", "data": "str", "methodology": "str",
                        "languages": "list", "apportionment": "str"}
    with pytest.raises(ParameterError) as e:
        check_notebook_parameters(NOTEBOOKS["briefing"], {"localty": "17266"})
    assert str(e.value) == ("notebook notebooks/briefing.ipynb has no parameter 'localty'; did you "
                            "mean 'locality'? its parameters are: locality, period, data, "
                            "methodology, languages, apportionment")
    with pytest.raises(ParameterError) as e:
        check_notebook_parameters(NOTEBOOKS["briefing"], {"locality": 17266})
    assert str(e.value) == ("notebook notebooks/briefing.ipynb: parameter 'locality' must be str, "
                            "got 17266 (int)")
    with pytest.raises(ParameterError, match="parameter 'languages' must be list, got 'vi'"):
        check_notebook_parameters(NOTEBOOKS["briefing"], {"languages": "vi"})


def test_a_second_batch_on_the_same_output_fails_at_once(tmp_path):
    reports = tmp_path / "reports"
    with OutputLock(reports):
        with pytest.raises(BatchLockedError) as e, OutputLock(reports):
            pass
        assert str(e.value) == (
            f"another parbrief batch (PID {os.getpid()}) is writing to {reports} (lock file "
            f"{reports / '.parbrief.lock'}); wait until it finishes, or stop it "
            f"(kill {os.getpid()}) and run again")
    with OutputLock(reports):  # released with its holder
        assert (reports / ".parbrief.lock").read_text() == f"{os.getpid()}\n"


@pytest.mark.slow
def test_the_command_line_names_the_process_holding_the_lock(tmp_path):
    path = write_params(tmp_path, {"localities": ["17266"], "languages": ["vi"],
                                   "formats": ["html"], "reports": ["briefing"]})
    with OutputLock(tmp_path / "reports"):
        proc = subprocess.run([PARBRIEF, "batch", str(path), "--no-progress"],
                              capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert f"error: another parbrief batch (PID {os.getpid()}) is writing to" in proc.stderr
    assert not list((tmp_path / "reports").glob("2026Q3/*/*"))  # no job ran
    assert not (tmp_path / "reports" / ".staging").exists()


# --------------------------------------------------------------------------- the small batch


def _scores(project: Path) -> dict[str, dict]:
    out = project / "scores.csv"
    subprocess.run([PARBRIEF, "score", "--data", str(project / "data" / "sample"),
                    "--methodology", "par-commune", "--period", PERIOD, "--level", "commune",
                    "--parent", "40", "--out", str(out)], check=True, capture_output=True)
    with out.open(encoding="utf-8") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


@pytest.mark.slow
def test_small_batch_produces_every_report_and_says_where(small_batch):
    result = small_batch.result
    assert result.exit_code == 0, small_batch.printed
    assert statuses(result) == {"overview-40-tinh-nghe-an": "ok",
                                "briefing-17266-xa-tan-ky": "ok",
                                "briefing-16681-phuong-thanh-vinh": "ok",
                                "briefing-17662-xa-do-luong": "ok"}
    folder = small_batch.output / PERIOD / "nghe-an"
    for stem in statuses(result):
        for lang in ("vi", "en"):
            for fmt in ("html", "pdf"):
                assert (folder / f"{stem}.{lang}.{fmt}").stat().st_size > 1000
            assert (folder / f"{stem}.{lang}.newsroom" / "lead.txt").exists()
        assert (folder / f"{stem}.ipynb").exists()
    index = small_batch.output / PERIOD / "index.html"
    assert result.index_pages == [index]
    assert f"reports: {index}" in small_batch.printed or \
        f"reports: {os.path.relpath(index)}" in small_batch.printed
    assert "4 jobs: 4 ok, 0 skipped (up to date), 0 failed" in small_batch.printed
    page = index.read_text(encoding="utf-8")
    assert 'href="nghe-an/index.html"' in page  # the national page links the province page
    province = (small_batch.output / PERIOD / "nghe-an" / "index.html").read_text("utf-8")
    for stem in statuses(result):  # its pages and PDF, the other language's page
        assert f'href="{stem}.vi.html"' in province and f'href="{stem}.vi.pdf"' in province
        assert f'href="{stem}.en.html"' in province
    assert 'href="nghe-an/index.en.html"' in (index.parent / "index.en.html").read_text("utf-8")


@pytest.mark.slow
def test_html_shows_the_index_rank_and_class_of_parbrief_score(small_batch):
    scores = _scores(small_batch.project)
    folder = small_batch.output / PERIOD / "nghe-an"
    for code in SMALL_LOCALITIES:
        row = scores[code]
        stem = f"briefing-{register.get(code, PERIOD).file_stem}"
        index, rank, rank_of = float(row["index"]), int(row["rank"]), int(row["rank_of"])
        vi = (folder / f"{stem}.vi.html").read_text(encoding="utf-8")
        en = (folder / f"{stem}.en.html").read_text(encoding="utf-8")
        assert formatting.points(index, "vi") in vi and formatting.points(index, "en") in en
        assert f"{rank}/{rank_of}" in vi and f"{rank}/{rank_of}" in en
        assert row["classification_vi"] in vi and row["classification"] in en
        manifest = manifests(small_batch.output)[stem]
        assert manifest["summary"]["index"] == index
        assert manifest["summary"]["rank"] == rank


@pytest.mark.slow
def test_pdf_text_has_the_vietnamese_headline_with_diacritics(small_batch):
    from pypdf import PdfReader


    folder = small_batch.output / PERIOD / "nghe-an"
    stem = "briefing-17266-xa-tan-ky"
    nb = nbformat.read(folder / f"{stem}.ipynb", as_version=4)
    headline = next(b["text"] for b in contract.blocks(nb, "vi") if b["kind"] == "heading")
    assert headline == "Xã Tân Kỳ: Chỉ số CCHC Quý III/2026"
    reader = PdfReader(folder / f"{stem}.vi.pdf")
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    # the committee edition: the headline's words in the subject line, spelled out
    assert "Kết quả Chỉ số cải cách hành chính quý III/2026 của xã Tân Kỳ" in text
    assert "Tân Kỳ" in text and "Quý III/2026" in text


@pytest.mark.slow
def test_manifest_records_provenance_without_absolute_paths(small_batch):
    folder = small_batch.output / PERIOD / "nghe-an"
    manifest = manifests(small_batch.output)["briefing-17266-xa-tan-ky"]
    assert manifest["parameters"] == {"locality": "17266", "period": "2026Q3",
                                      "data": "data/sample", "methodology": "par-commune",
                                      "languages": ["vi", "en"], "apportionment": "area"}
    assert manifest["methodology"]["id"] == "par-commune"
    assert len(manifest["methodology"]["checksum"]) == 64
    assert manifest["parbrief_version"] and manifest["packages"]["papermill"]
    assert set(manifest["packages"]) >= {"pandas", "papermill", "nbconvert", "typst",
                                         "matplotlib"}
    for out in manifest["outputs"]:
        assert sha256(folder / out["path"]) == out["sha256"]
    published = (folder / "briefing-17266-xa-tan-ky.ipynb").read_text(encoding="utf-8")
    assert str(small_batch.project) not in published
    assert str(Path.home()) + "/" not in json.dumps(manifest)
    nb = nbformat.reads(published, as_version=4)
    assert nb.metadata.papermill["parameters"]["data"] == "data/sample"
    assert "start_time" not in json.dumps(nb.metadata)


@pytest.mark.slow
def test_a_second_run_skips_everything(small_batch):
    before = {p: p.stat().st_mtime_ns for p in small_batch.output.rglob("*.html")
              if not p.name.startswith("index.")}
    result = run_batch(small_batch.params, workers=2, progress=False, echo=False)
    assert set(statuses(result).values()) == {"skipped"}
    assert result.exit_code == 0
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert "skipped (up to date)" in result.table()


@pytest.mark.slow
def test_a_changed_figure_re_runs_only_the_jobs_that_read_it(small_batch, tmp_path):
    import pandas as pd

    project = tmp_path / "copy"
    shutil.copytree(small_batch.project, project, symlinks=True)
    params = project / "params" / small_batch.params.name
    # the copy is up to date where it stands (manifests hold no absolute paths)
    again = run_batch(params, workers=2, progress=False, echo=False)
    assert set(statuses(again).values()) == {"skipped"}

    figures = project / "data" / "sample" / "figures.csv"

    def bump(code: str, indicator: str, by: int) -> None:
        fig = pd.read_csv(figures, dtype=str, keep_default_na=False)
        sel = (fig.locality_code == code) & (fig.period == PERIOD) & (fig.indicator == indicator)
        assert sel.sum() == 1
        fig.loc[sel, "value"] = str(int(float(fig.loc[sel, "value"].iloc[0])) + by)
        fig.to_csv(figures, index=False, lineterminator="\n")

    # A figure no score reads (unscheduled inspections): Tân Kỳ's own briefing and the
    # province overview re-run; its peers' briefings read only the rows scoring reads.
    bump("17266", "inspections_unscheduled", 1)
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert statuses(result) == {"overview-40-tinh-nghe-an": "ok",
                                "briefing-17266-xa-tan-ky": "ok",
                                "briefing-16681-phuong-thanh-vinh": "skipped",
                                "briefing-17662-xa-do-luong": "skipped"}
    # A figure that moves Tân Kỳ's index: every peer's briefing ranks it, so all re-run.
    before = _scores(project)
    bump("17266", "civil_servants_disciplined", 1)
    after = _scores(project)
    assert after["17266"]["index"] != before["17266"]["index"]
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert set(statuses(result).values()) == {"ok"}
    # and a run with nothing changed skips everything again
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert set(statuses(result).values()) == {"skipped"}


# --------------------------------------------------------------------------- failures


def _planted_notebook(project: Path) -> Path:
    """The briefing notebook with one more cell that fails for the codes listed in FAIL (kills
    its worker for those in KILL, hangs for those in SLEEP)."""
    nb = nbformat.read(NOTEBOOKS["briefing"], as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import os, pathlib, time\n"
        "def listed(name):\n"
        "    return pathlib.Path(name).exists() and locality in pathlib.Path(name).read_text().split()\n"
        "if listed('KILL'):  # the worker process running this notebook dies\n"
        "    os.kill(os.getppid(), 9)\n"
        "if listed('SLEEP'):  # a cell that hangs (a stalled network drive, a deadlock)\n"
        "    time.sleep(600)\n"
        "if listed('FAIL'):\n"
        "    raise ValueError(f'planted failure for {locality}')"))
    path = project / "notebooks" / "briefing.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    declare(path)  # a deliberate change to the template, declared as the batch requires
    return path


@pytest.mark.slow
def test_a_failing_job_is_reported_and_never_replaces_the_last_good_report(tmp_path):
    project = tmp_path / "project"
    notebook = _planted_notebook(project)
    params = make_project(project, "fail", localities=["17266", "16681"], languages=["vi"],
                          formats=["html"], reports=["briefing"],
                          extra={"notebooks": {"briefing": "../notebooks/briefing.ipynb"}})
    cmd = [PARBRIEF, "batch", str(params), "--workers", "2", "--no-progress"]
    folder = project / "reports" / PERIOD / "nghe-an"
    failed = project / "reports" / PERIOD / "_failed" / "briefing-16681-phuong-thanh-vinh.ipynb"
    cell = sum(c.cell_type == "code" for c in nbformat.read(notebook, 4).cells) + 1  # + injected

    # 1. one job fails: reported with its cell and exception, the other one still produced
    (project / "FAIL").write_text("16681\n")
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=project,
                           check=False)
    assert first.returncode == 1, first.stdout + first.stderr
    row = next(line for line in first.stdout.splitlines()
               if line.startswith("briefing-16681-phuong-thanh-vinh"))
    assert re.search(r"16681 Phường Thành Vinh\s+failed\s+[\d.]+\s+cell "
                     rf"{cell}: ValueError: planted failure for 16681$", row), row
    assert re.search(r"^briefing-17266-xa-tan-ky\s+17266 Xã Tân Kỳ\s+ok\s", first.stdout, re.MULTILINE)
    assert "2 jobs: 1 ok, 0 skipped (up to date), 1 failed" in first.stdout
    assert f"failed notebook: reports/{PERIOD}/_failed/{failed.name}" in first.stdout
    assert (folder / "briefing-17266-xa-tan-ky.vi.html").exists()
    assert not list(folder.glob("briefing-16681-*"))
    nb = nbformat.read(failed, as_version=4)  # the executed notebook, its failing cell marked
    marked = [c for c in nb.cells if c.metadata.get("papermill", {}).get("exception")]
    assert len(marked) == 1 and marked[0].execution_count == cell
    assert marked[0].outputs[-1]["ename"] == "ValueError"
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in nb.cells)
    assert f"In [{cell}]" in nb.cells[0].source
    assert str(project) not in json.dumps(nb.metadata)
    index = (project / "reports" / PERIOD / "nghe-an" / "index.html").read_text(encoding="utf-8")
    assert "Phường Thành Vinh" in index  # listed, without links

    # 2. fixed: only the failed job runs again
    (project / "FAIL").unlink()
    second = run_batch(params, workers=2, progress=False, echo=False)
    assert statuses(second) == {"briefing-17266-xa-tan-ky": "skipped",
                                "briefing-16681-phuong-thanh-vinh": "ok"}
    assert not failed.exists()
    good = {p.name: sha256(p) for p in folder.rglob("briefing-16681-*") if p.is_file()}
    assert "briefing-16681-phuong-thanh-vinh.vi.html" in good

    # 3. failing again (forced): the last good report, manifest included, is left as it was
    (project / "FAIL").write_text("16681\n")
    third = subprocess.run(cmd + ["--force"], capture_output=True, text=True, timeout=600,
                           cwd=project, check=False)
    assert third.returncode == 1
    assert re.search(r"^briefing-17266-xa-tan-ky\s+17266 Xã Tân Kỳ\s+ok\s", third.stdout,
                     re.MULTILINE)
    assert {p.name: sha256(p) for p in folder.rglob("briefing-16681-*") if p.is_file()} == good
    assert failed.exists()
    index = (project / "reports" / PERIOD / "nghe-an" / "index.html").read_text(encoding="utf-8")
    assert 'href="briefing-16681-phuong-thanh-vinh.vi.html"' in index


@pytest.mark.slow
def test_a_job_that_kills_its_worker_fails_alone(tmp_path):
    """The pool breaks when a worker dies; the jobs then in flight are run again one at a time,
    so only the job that kills its worker is reported failed."""
    project = tmp_path / "project"
    _planted_notebook(project)
    (project / "KILL").write_text("16681\n")
    params = make_project(project, "kill", localities=["17266", "16681", "17662"],
                          languages=["vi"], formats=["html"], reports=["briefing"],
                          extra={"notebooks": {"briefing": "../notebooks/briefing.ipynb"}})
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert statuses(result) == {"briefing-17266-xa-tan-ky": "ok",
                                "briefing-16681-phuong-thanh-vinh": "failed",
                                "briefing-17662-xa-do-luong": "ok"}
    failed = result.by_stem()["briefing-16681-phuong-thanh-vinh"]
    assert failed.detail == ("the worker process died while running it, twice (killed, out of "
                             "memory, or a cell that ends its process)")
    assert result.exit_code == 1
    assert not (project / "reports" / ".staging").exists()


def _descendants(pid: int) -> list[int]:
    from parbrief.runner.worker import _descendants as descendants

    return descendants(pid)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.slow
def test_a_killed_batch_leaves_no_half_written_report_and_a_re_run_finishes_it(tmp_path):
    project = tmp_path / "project"
    codes = [u.code for u in register.children("40", PERIOD)][:6]
    params = make_project(project, "killed", localities=codes, languages=["vi"],
                          formats=["html", "pdf"], reports=["briefing"])
    folder = project / "reports" / PERIOD / "nghe-an"
    proc = subprocess.Popen([PARBRIEF, "batch", str(params), "--workers", "2", "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=project)
    deadline = time.time() + 300
    while time.time() < deadline and len(list(folder.glob("*.manifest.json"))) < 2:
        time.sleep(0.05)
    workers_and_kernels = _descendants(proc.pid)
    assert workers_and_kernels
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(3)  # the workers notice, kill their kernels and exit
    assert [pid for pid in workers_and_kernels if _running(pid)] == []
    done = manifests(project / "reports")
    assert 2 <= len(done) < len(codes)
    for manifest in done.values():  # every published report is whole
        for out in manifest["outputs"]:
            assert sha256(folder / out["path"]) == out["sha256"]
    for html in folder.glob("*.html"):
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")
    for pdf in folder.glob("*.pdf"):
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]

    result = run_batch(params, workers=2, progress=False, echo=False)
    assert {s for s, st in statuses(result).items() if st == "skipped"} == set(done)
    assert {s for s, st in statuses(result).items() if st == "ok"} == \
        {f"briefing-{register.get(c, PERIOD).file_stem}" for c in codes} - set(done)
    assert not (project / "reports" / ".staging").exists()


# --------------------------------------------------------------------------- executors


@pytest.mark.slow
def test_strict_executor_and_parbrief_run_give_the_same_briefing(small_batch, tmp_path):
    """The fast path (one warm kernel per worker) against a fresh kernel per notebook."""
    out = tmp_path / "strict"
    proc = subprocess.run([PARBRIEF, "run", "--locality", "17266", "--period", PERIOD,
                           "--data", str(small_batch.project / "data" / "sample"),
                           "--lang", "vi,en", "--formats", "html,pdf", "--out", str(out),
                           "--executor", "strict", "--no-progress"],
                          capture_output=True, text=True, timeout=600, check=False,
                          cwd=small_batch.project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"reports: {os.path.relpath(out / PERIOD / 'index.html', small_batch.project)}" \
        in proc.stdout
    warm = small_batch.output / PERIOD / "nghe-an"
    strict = out / PERIOD / "nghe-an"
    for lang in ("vi", "en"):
        for fmt in ("html", "pdf"):
            name = f"briefing-17266-xa-tan-ky.{lang}.{fmt}"
            assert sha256(strict / name) == sha256(warm / name), name


@pytest.mark.slow
def test_dask_local_cluster_gives_the_local_executors_reports(small_batch, tmp_path):
    out = tmp_path / "dask"
    result = run_batch(small_batch.params, workers=2, executor="dask", progress=False,
                       echo=False, output=out)
    assert set(statuses(result).values()) == {"ok"}
    def files(output: Path) -> dict[str, str]:
        return {o["path"]: o["sha256"] for d in manifests(output).values() for o in d["outputs"]}

    local, remote = files(small_batch.output), files(out)
    assert len(local) > 40
    assert {p: h for p, h in remote.items() if local.get(p) != h} == {}
    assert remote.keys() == local.keys()
