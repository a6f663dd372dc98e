"""parbrief for the analyst in JupyterLab: each finding of the issue "safe to edit, short errors,
one language, and every number explained" has its test here (the real JupyterLab in a real
browser is tests/test_lab_browser.py)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from parbrief.core.errors import ParameterError, PeriodError, UnknownLocalityError
from parbrief.core.periods import Quarter
from parbrief.lab import command, read_only_reason, working_copies
from parbrief.model import briefing, lookup, overview
from parbrief.model.explain import explain, peer_table
from parbrief.present import explain as explain_view
from parbrief.present import sections
from parbrief.runner.notebooks import check_template, declare, working_copy
from parbrief.runner.params import NOTEBOOKS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
PARBRIEF = str(Path(sys.executable).parent / "parbrief")
REPORT = "briefing-17266-xa-tan-ky"


@pytest.fixture(scope="module")
def tan_ky():
    return briefing.prepare("17266", "2026Q3", str(SAMPLE), "par-commune")


# ------------------------------------------------------------------ 1. make lab


def test_make_lab_serves_the_project_root_as_root_and_passes_lab_args():
    dry = subprocess.run(["make", "-n", "lab", "LAB_ARGS=--ip=127.0.0.1 --port=9999 "
                          "--IdentityProvider.token=T --no-browser"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert ".venv/bin/parbrief lab --ip=127.0.0.1 --port=9999 --IdentityProvider.token=T " \
           "--no-browser" in dry
    argv = command(ROOT, ["--port=9999"])
    assert f"--ServerApp.root_dir={ROOT}" in argv  # data/ and reports/ in reach
    assert "--ServerApp.contents_manager_class=parbrief.lab.ProjectContentsManager" in argv
    assert f"--FileCheckpoints.root_dir={ROOT / '.checkpoints'}" in argv  # not in reports/
    assert ("--allow-root" in argv) == (os.geteuid() == 0)
    assert argv[-1] == "--port=9999"


# ------------------------------------------------------------------ 2. the template is safe


def test_shipped_templates_are_declared_and_clean():
    for path in NOTEBOOKS.values():
        check_template(path)
    ok = subprocess.run([PARBRIEF, "notebook", "check", *map(str, NOTEBOOKS.values())],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and ok.stdout.strip() == "5 template(s) clean"


def _edited_template(tmp_path: Path) -> Path:
    """The template as JupyterLab's autosave left it: outputs, a changed parameter, scratch."""
    nb = nbformat.read(NOTEBOOKS["briefing"], as_version=4)
    nb.cells[1].source = nb.cells[1].source.replace('"17266"', '"99999"')
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n")]
    nb.cells[3].execution_count = 4
    nb.cells += [nbformat.v4.new_code_cell("x = b.scores.head()"),
                 nbformat.v4.new_code_cell("x"), nbformat.v4.new_code_cell(""),
                 nbformat.v4.new_code_cell("print(1)")]
    path = tmp_path / "notebooks" / "briefing.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


def test_a_template_saved_by_an_editor_is_refused_naming_its_cells(tmp_path):
    path = _edited_template(tmp_path)
    with pytest.raises(ParameterError) as e:
        check_template(path, "notebooks/briefing.ipynb")
    assert str(e.value) == (
        "notebook notebooks/briefing.ipynb is a batch template and was changed outside a "
        "review: outputs in cell 4 ('sections.show(sections.headline, b, languages)'); cells "
        "it does not declare: 12 ('x = b.scores.head()'), 13 ('x'), 14 and 1 more; declared "
        "cells whose code changed: 2 ('locality: str = \"99999\"'). "
        "The batch publishes exactly what the template declares. Restore it (git checkout -- "
        "notebooks/briefing.ipynb) and make your changes in a working copy "
        "(work/briefing.ipynb, made by `make lab`); if the change is meant for every report, "
        "declare it: parbrief notebook declare notebooks/briefing.ipynb")


def test_the_batch_refuses_an_edited_template_before_any_kernel_starts(tmp_path):
    from conftest import make_project

    from parbrief.runner.params import expand, load

    _edited_template(tmp_path)
    params = make_project(tmp_path, "edited", localities=["17266"], reports=["briefing"],
                          extra={"notebooks": {"briefing": "../notebooks/briefing.ipynb"}})
    with pytest.raises(ParameterError, match=r"^notebook notebooks/briefing.ipynb is a batch "
                                             r"template and was changed outside a review"):
        expand(load(params))
    run = subprocess.run([PARBRIEF, "batch", str(params), "--no-progress"], capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 1 and "is a batch template" in run.stderr
    assert not (tmp_path / "reports" / "2026Q3").exists()


def test_a_reviewed_change_is_declared_and_then_accepted(tmp_path):
    path = _edited_template(tmp_path)
    assert len(declare(path)) == 15
    check_template(path)  # clean: outputs cleared, the new cells declared
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells
               if c.cell_type == "code")


def test_jupyterlab_keeps_templates_and_published_files_read_only_even_for_root(tmp_path):
    pytest.importorskip("jupyter_server")
    from tornado.web import HTTPError

    from parbrief.lab import ProjectContentsManager

    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    report = tmp_path / "reports" / "r.ipynb"
    report.parent.mkdir()
    shutil.copy(NOTEBOOKS["overview"], report)
    report.chmod(0o444)
    (tmp_path / "work").mkdir()
    mine = tmp_path / "work" / "mine.ipynb"
    shutil.copy(NOTEBOOKS["overview"], mine)
    assert read_only_reason(tmp_path, "notebooks/briefing.ipynb").startswith(
        "notebooks/briefing.ipynb is the batch template")
    assert read_only_reason(tmp_path, "reports/r.ipynb").startswith("reports/r.ipynb is read-only")
    assert read_only_reason(tmp_path, "work/mine.ipynb") is None
    manager = ProjectContentsManager(root_dir=str(tmp_path))
    before = {p: p.read_bytes() for p in (NOTEBOOKS["briefing"], report)}

    async def attempts():
        for path in ("notebooks/briefing.ipynb", "reports/r.ipynb"):
            model = await manager.get(path)
            assert model["writable"] is False
            with pytest.raises(HTTPError) as e:
                await manager.save(model, path)
            assert e.value.status_code == 403
            with pytest.raises(HTTPError):
                await manager.delete_file(path)
            with pytest.raises(HTTPError):
                await manager.rename_file(path, "work/x.ipynb")
        model = await manager.get("work/mine.ipynb")
        assert model["writable"] is True
        await manager.save(model, "work/mine.ipynb")

    asyncio.run(attempts())
    assert (tmp_path / "notebooks" / "briefing.ipynb").read_bytes() == before[NOTEBOOKS["briefing"]]
    assert report.read_bytes() == before[report]


def test_working_copies_are_made_once_paired_with_a_text_form(tmp_path):
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    made = working_copies(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in made] == [
        "work/briefing.ipynb", "work/overview.ipynb", "work/annual_briefing.ipynb",
        "work/annual_overview.ipynb", "work/methodology.ipynb"]
    nb = nbformat.read(made[0], as_version=4)
    assert nb.metadata["jupytext"] == {"formats": "ipynb,py:percent"}
    assert "parbrief" not in nb.metadata  # the working copy is no template
    assert nb.cells[-1].source.endswith("sections.explain(b)")
    assert 'formats = "ipynb,py:percent"' in (tmp_path / "work" / "jupytext.toml").read_text()
    made[0].write_text(made[0].read_text() + "\n")  # the analyst's own changes
    mine = made[0].read_bytes()
    working_copies(tmp_path)
    assert made[0].read_bytes() == mine  # never overwritten
    assert working_copy(NOTEBOOKS["briefing"], tmp_path / "work") == made[0]


# ------------------------------------------------------------------ 3. published reports


@pytest.mark.slow
def test_published_reports_are_read_only(small_batch):
    folder = small_batch.output / "2026Q3" / "nghe-an"
    files = [p for p in folder.rglob("*")
             if p.is_file() and p.relative_to(folder).parts[0].startswith(REPORT)]
    assert len(files) > 10  # HTML, PDF, notebook, manifest, the newsroom packs' files
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {"0o444"}


@pytest.mark.slow
def test_a_published_report_re_runs_where_it_sits_and_shows_charts_without_trust(small_batch,
                                                                                tmp_path):
    project = tmp_path / "project"
    shutil.copytree(small_batch.project, project, ignore=shutil.ignore_patterns(".parbrief.lock"))
    folder = project / "reports" / "2026Q3" / "nghe-an"
    path = folder / f"{REPORT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert injected.source.startswith("# Paths are relative to the project folder; run where "
                                      "it sits, this report finds them\n# in the folders above")
    assert 'data = "data/sample"' in injected.source  # as the manifest says, wherever it is
    assert nb.metadata.papermill["parameters"]["data"] == "data/sample"
    charts = [o for c in nb.cells for o in c.get("outputs", [])
              if "image/svg+xml" in o.get("data", {})]
    assert len(charts) == 6
    from PIL import Image

    for chart in charts:
        png = Image.open(io.BytesIO(base64.b64decode(chart["data"]["image/png"])))
        assert png.format == "PNG" and png.width == 672 and png.mode == "P"
    # re-run in place, as JupyterLab would: the kernel in the report's folder
    from nbclient import NotebookClient

    NotebookClient(nb, kernel_name="parbrief", timeout=300,
                   resources={"metadata": {"path": str(folder)}}).execute()
    summary = next(o for c in nb.cells for o in c.get("outputs", [])
                   if o.get("metadata", {}).get("parbrief", {}).get("summary"))
    assert summary["data"]["application/vnd.parbrief.summary+json"]["index"] == 75.11


# ------------------------------------------------------------------ 4. short errors


def _failing_run(tmp_path: Path, parameters: dict, notebook: Path = NOTEBOOKS["briefing"]):
    out = tmp_path / "out.ipynb"
    with pytest.raises(PapermillExecutionError):
        papermill.execute_notebook(str(notebook), str(out), parameters=parameters,
                                   kernel_name="parbrief", cwd=str(notebook.parent),
                                   progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    error = next(o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error")
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))  # colours
    return error, text.splitlines()


@pytest.mark.slow
def test_a_wrong_code_is_one_short_box_suggesting_codes_of_the_province(tmp_path):
    error, lines = _failing_run(tmp_path, {"locality": "17265"})
    assert error.ename == "UnknownLocalityError"  # the batch still sees the error as before
    assert lines == [
        "parbrief: unknown locality",
        "no unit has the code '17265' in 2026Q3 (Tỉnh Nghệ An); closest codes: 17605 Xã Hợp "
        "Minh, 17365 Xã Anh Sơn Đông, 17326 Xã Nghĩa Hành",
        'Where: the parameters cell, locality = "17265"',
        'Fix: give a code or a name of a unit of Tỉnh Nghệ An, e.g. locality = "17605" or '
        'locality = "Tân Kỳ"; `parbrief locality NAME` looks codes up']


@pytest.mark.slow
def test_a_bad_figure_and_an_unknown_language_are_short_boxes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    figures = data / "figures.csv"
    rows = figures.read_text(encoding="utf-8").splitlines()
    # a figure of the briefing's own (a bad figure elsewhere does not stop it: issue 11)
    [line] = [n for n, r in enumerate(rows) if r.startswith("17266,2026Q3,records_resolved,")]
    value = rows[line].split(",")[3]
    rows[line] = rows[line].replace(f",{value},", f",-{value},", 1)
    figures.write_text("\n".join(rows) + "\n", encoding="utf-8")
    error, lines = _failing_run(tmp_path, {"data": str(data)})
    assert error.ename == "RowsInvalidError"  # a ValidationError: the rows it reads
    assert lines[0] == "parbrief: the data has problems"
    assert lines[1] == "1 problem found in the data:"
    assert lines[2].startswith(f"  figures.csv:{line + 1}:value: ")
    assert lines[-1].startswith("Fix: correct these rows in the file")
    assert len(lines) == 4
    error, lines = _failing_run(tmp_path, {"languages": ["fr"]})
    assert lines == ["parbrief: parameter", "language 'fr' is not supported",
                     "Where: the parameters cell, languages = ['fr']",
                     'Fix: use one or more of vi, en, e.g. languages = ["vi"]']


@pytest.mark.slow
def test_a_real_bug_keeps_its_traceback(tmp_path):
    notebook = tmp_path / "bug.ipynb"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from parbrief.present import sections\n"
                                  "def broken():\n    return 1 / 0\nbroken()")],
        metadata={"kernelspec": {"name": "parbrief", "display_name": "parbrief",
                                 "language": "python"}})
    nbformat.write(nb, notebook)
    error, lines = _failing_run(tmp_path, {}, notebook)
    assert error.ename == "ZeroDivisionError"
    text = "\n".join(lines)
    assert "return 1 / 0" in text and "broken()" in text and len(lines) > 4


# ------------------------------------------------------------------ 5. one language


@pytest.mark.slow
def test_an_interactive_run_shows_one_language_and_its_summary_as_text(tmp_path):
    def langs(parameters):
        out = tmp_path / "run.ipynb"
        nb = papermill.execute_notebook(str(NOTEBOOKS["briefing"]), str(out),
                                        parameters=parameters, kernel_name="parbrief",
                                        cwd=str(NOTEBOOKS["briefing"].parent), progress_bar=False)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        summary = next(o for o in outputs if o.metadata.get("parbrief", {}).get("summary"))
        return {o.metadata["parbrief"]["lang"] for o in outputs
                if "lang" in o.metadata.get("parbrief", {})}, summary.data["text/html"]

    shown, html = langs({})
    assert shown == {"vi"}
    assert html.startswith('<p class="parbrief-summary" lang="vi">Quý III/2026, xã Tân Kỳ đạt '
                           "75,11 điểm")
    shown, html = langs({"languages": ["en"], "locality": "Tân Kỳ"})  # by name, in English
    assert shown == {"en"}
    assert html.startswith('<p class="parbrief-summary" lang="en">Tân Kỳ commune scored 75.11 '
                           "points")


# ------------------------------------------------------------------ 6. every number explained


def test_explain_gives_each_criterion_its_rule_figures_with_their_lines_value_and_points(tan_ky):
    ex = explain(tan_ky)
    assert len(ex.criteria) == len(tan_ky.methodology.criteria()) == 36
    points = dict(zip(tan_ky.points.criterion, tan_ky.points.points))
    assert dict(zip(ex.criteria.criterion, ex.criteria.points)) == points
    sums = ex.criteria.groupby("area").points.sum().round(6)
    assert {a: round(v, 6) for a, v in zip(ex.areas.area, ex.areas.points)} == sums.to_dict()
    lines = (SAMPLE / "figures.csv").read_text(encoding="utf-8").splitlines()
    read = ex.figures[ex.figures.file == "figures.csv"]
    assert len(read) >= 30
    for row in read.itertuples():
        code, period, indicator, value, _ = lines[row.line - 1].split(",", 4)
        assert (code, period, indicator) == ("17266", "2026Q3", row.indicator)
        assert float(value) == row.value
    on_time = ex.figures[ex.figures.criterion == "a3_on_time"]
    assert list(on_time.indicator) == ["records_resolved_on_time", "records_resolved"]
    appraisal = (SAMPLE / "appraisal.csv").read_text(encoding="utf-8").splitlines()
    row = ex.figures[ex.figures.criterion == "a1_leadership"].iloc[0]
    assert appraisal[row.line - 1].startswith("par-commune,17266,2026Q3,a1_leadership,")


def test_explain_in_words_in_each_language(tan_ky):
    rule = tan_ky.methodology.criteria()["a3_on_time"]
    assert explain_view.rule_text(rule.rule, rule.max_points, "vi") == (
        "theo ngưỡng: từ 98% trở lên: 4; từ 95% trở lên: 3; từ 90% trở lên: 2; từ 80% trở lên: "
        "1; còn lại 0 điểm")
    assert explain_view.rule_text(rule.rule, rule.max_points, "en") == (
        "thresholds: 98% or more: 4; 95% or more: 3; 90% or more: 2; 80% or more: 1; "
        "otherwise 0 points")
    plan = tan_ky.methodology.criteria()["a1_plan_completion"]
    assert explain_view.rule_text(plan.rule, plan.max_points, "en") == (
        "proportional: 90% or more earns the full 2 points; below it, value × 2 ÷ 90%")
    view = explain_view.explain(tan_ky, "a3_on_time", "vi")
    text = repr(view)
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn (a3_on_time)" in text
    assert "94,26%" in text and "2,00/4" in text
    assert ("Số hồ sơ giải quyết đúng và trước hạn (records_resolved_on_time) = 493 "
            "(figures.csv, dòng ") in text
    assert "<table" in view._repr_html_()
    with pytest.raises(ParameterError, match="'a3_ontime' is neither an area nor a criterion"):
        explain_view.explain(tan_ky, "a3_ontime")


def test_b_is_a_compact_summary_listing_its_tables(tan_ky):
    text = repr(tan_ky)
    assert text.splitlines()[0] == ("Briefing 17266 Xã Tân Kỳ, 2026Q3, par-commune: index 75.11, "
                                    "rank 103/129, Fair")
    assert len(text) < 1000 and "b.scores" in text and "sections.explain(b)" in text
    html = explain_view.briefing_html(tan_ky, "vi")
    assert "Chỉ số 75,11, xếp thứ 103/129, Khá." in html and "<code>b.trend</code>" in html


def test_the_full_peer_table_is_one_call_away(tan_ky):
    table = sections.peer_table(tan_ky)
    assert len(table) == 130 and int(table.reported.sum()) == 129
    missing = table[~table.reported]
    assert list(missing.code) == ["17230"] and list(missing.name) == ["Xã Bình Chuẩn"]
    own = table[table.this_locality].iloc[0]
    assert (own.code, own["rank"], own["index"]) == ("17266", 103, 75.11)
    assert peer_table(tan_ky).equals(table)


# ------------------------------------------------------------------ 7. names and quarters


def test_a_locality_or_province_by_name():
    assert briefing.prepare("Tân Kỳ", "2026Q3", str(SAMPLE), "par-commune").locality.code == \
        "17266"
    assert briefing.prepare("xa do luong", "2026Q3", str(SAMPLE), "par-commune").locality.code \
        == "17662"
    assert overview.prepare("Nghệ An", "2026Q3", str(SAMPLE), "par-commune").province.code == "40"
    with pytest.raises(UnknownLocalityError) as e:
        lookup.locality("Long Phú Thuận", Quarter.parse("2026Q3"), str(SAMPLE))
    assert "Tỉnh Nghệ An" in str(e.value) and "Long Phú Thuận" not in e.value.what.split("'")[2]


def test_a_quarter_beyond_the_data_is_a_clear_message():
    with pytest.raises(PeriodError) as e:
        briefing.prepare("17266", "2026Q4", str(SAMPLE), "par-commune")
    assert str(e.value) == (
        'the parameters cell, period = "2026Q4": the data set holds no figures for 2026Q4 '
        "(Q4 2026); it holds 15 quarters, 2023Q1 to 2026Q3. Fix: choose one of these, e.g. "
        'period = "2026Q3" (the latest)')
    with pytest.raises(PeriodError, match="holds no figures for 2026Q4"):
        overview.prepare("40", "2026Q4", str(SAMPLE), "par-commune")


def test_the_trend_shows_the_quarters_that_exist_when_this_one_was_not_reported():
    b = briefing.prepare("17230", "2026Q3", str(SAMPLE), "par-commune")
    assert not b.reported
    assert list(b.trend.period) == ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1",
                                    "2026Q2", "2026Q3"]
    assert b.trend["index"].notna().sum() == 7
    blocks = sections.trend(b, "en")
    assert [bl["kind"] for bl in blocks][:3] == ["heading", "chart", "table"]
    assert json.dumps(blocks[2]["rows"][-2], ensure_ascii=False).startswith('["Q2 2026", "95.76"')
