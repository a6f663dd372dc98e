"""What a report reads is declared once (model/inputs.py): the model reads through it, the
planner fingerprints with it, the report and its manifest state its checksum, verify
recomputes it. Each test here is one way that could go wrong."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SAMPLE, make_project

from parbrief.core.fingerprint import code_fingerprint, files_of
from parbrief.ingest import dataset as datasets
from parbrief.model import briefing, inputs, sources
from parbrief.present import sections
from parbrief.runner.batch import run_batch
from parbrief.scoring import methodology as methodologies
from parbrief.scoring.metrics import METRICS, compute_metrics
from parbrief.units import register

PERIOD = "2026Q3"
PACKAGE = ROOT / "src" / "parbrief"


def statuses(result) -> dict[str, str]:
    return {r.stem: r.status for r in result.results}


def _edit(project: Path, prefix: str, to: str | None = None) -> None:
    """Set (or add 1 to) the figure on the line of figures.csv starting with ``prefix``."""
    figures = project / "data" / "sample" / "figures.csv"
    lines = figures.read_text(encoding="utf-8").splitlines()
    [i] = [n for n, line in enumerate(lines) if line.startswith(prefix)]
    code, period, indicator, value, source = lines[i].split(",", 4)
    lines[i] = ",".join([code, period, indicator, to or str(int(value) + 1), source])
    figures.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _manifest(project: Path, stem_prefix: str) -> tuple[Path, dict]:
    path = next((project / "reports" / PERIOD).rglob(f"{stem_prefix}*.manifest.json"))
    return path, json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- what is declared


def test_every_metric_reads_only_the_indicators_it_declares():
    """A peer step's rows are those of the indicators the methodology's rules read through
    their metrics: a metric reading an undeclared indicator would be scored from a slice
    that lacks it."""
    rng = np.random.default_rng(876)
    from parbrief.core.catalogue import catalogue

    names = list(catalogue())
    wide = pd.DataFrame(rng.integers(1, 500, size=(6, len(names))).astype("float64"),
                        columns=names, index=[f"u{i}" for i in range(6)])
    full = compute_metrics(wide)
    for name, metric in METRICS.items():
        only = compute_metrics(wide[list(metric.inputs)])
        pd.testing.assert_series_equal(only[name], full[name], check_names=False,
                                       obj=f"metric {name}")


@pytest.mark.parametrize("method_id", ["par-commune", "service-766", "par-province-876"])
def test_peer_scores_from_the_peer_step_equal_scores_from_the_whole_data_set(method_id):
    """The peer step scores the group from its slice only; the scores are those of the
    whole data set."""
    from parbrief.scoring import engine

    method = methodologies.load(method_id)
    ds = sources.load_dataset(str(SAMPLE))
    unit = register.get("17266", PERIOD)
    group = inputs.peer_group(unit, inputs.Quarter.parse(PERIOD), method)
    by_step = sources.group_scores(group, ds, method)
    for q, table in by_step.items():
        # every peer: the table leaves out those that did not report, and ranks the previous
        # quarter among those that reported then
        whole = engine.score_table(ds, method, q, group.units(q))
        pd.testing.assert_frame_equal(table, whole, obj=f"{method_id} {q}")


def test_a_communes_history_comes_from_its_own_declared_rows():
    """The trend before the merger is rebuilt once for a whole province (fast), but each
    commune's series depends only on its own declared rows: for every commune of Nghệ An,
    the province-wide result equals the result from the commune's own slice alone."""
    from parbrief.units.history import commune_history

    ds = sources.province_dataset(str(SAMPLE.resolve()), "40")
    method = methodologies.load("par-commune")
    q = inputs.Quarter.parse(PERIOD)
    codes = [u.code for u in register.children("40", q, level="commune")]
    for apportionment in ("area", "default"):
        window = inputs.window(q)
        province = sources.province_history(ds, "40", window, apportionment)
        for code in codes:
            declared = inputs.declare_briefing(code, q, method, apportionment)
            own = declared.own.subset(ds)
            fig, app = commune_history(own.figures, own.appraisal, code, list(window),
                                       apportionment)
            pd.testing.assert_frame_equal(province[code][0], fig, obj=f"{code} figures")
            pd.testing.assert_frame_equal(province[code][1], app, obj=f"{code} appraisal")


def _blocks(b) -> dict:
    return {name: getattr(sections, name)(b, lang) for name in sections.BRIEFING_SECTIONS
            for lang in ("vi", "en")}


def test_a_briefing_reads_nothing_outside_its_declared_inputs(tmp_path):
    """Every figure a briefing does not declare is changed: the briefing says exactly what
    it said (what a skipped job relies on)."""
    from parbrief.core.catalogue import catalogue

    method = methodologies.load("par-commune")
    declared = inputs.declare_briefing("17266", PERIOD, method)
    ds = datasets.load(SAMPLE)
    own, peers = declared.own, declared.peers.slice
    fig = ds.figures.copy()
    in_own = fig.locality_code.isin(own.codes) & fig.period.isin(own.periods)
    in_peers = fig.locality_code.isin(peers.codes) & fig.period.isin(peers.periods) \
        & fig.indicator.isin(peers.indicators)
    outside = ~(in_own | in_peers)
    assert outside.sum() > 10_000
    # Valid changes only: a (unit, quarter) wholly outside gets every count doubled (parts
    # stay within their wholes); elsewhere a count tied to no other figure gets one more.
    # Every source outside is renamed.
    cat = catalogue()
    tied = {n for n, i in cat.items() if i.part_of} | {w for i in cat.values() for w in i.part_of}
    counts = fig.indicator.map(lambda name: cat[name].type == "count")
    pair = fig.locality_code + "|" + fig.period
    wholly = ~pair.isin(set(pair[~outside]))
    fig.loc[wholly & counts, "value"] = fig.loc[wholly & counts, "value"] * 2
    loose = outside & ~wholly & counts & ~fig.indicator.isin(tied)
    assert loose.sum() > 100
    fig.loc[loose, "value"] = fig.loc[loose, "value"] + 1
    fig.loc[outside, "source"] = "another source"
    changed = tmp_path / "changed"
    changed.mkdir()
    fig.to_csv(changed / "figures.csv", index=False, lineterminator="\n")
    shutil.copy(SAMPLE / "appraisal.csv", changed / "appraisal.csv")
    before = briefing.prepare("17266", PERIOD, str(SAMPLE), "par-commune")
    after = briefing.prepare("17266", PERIOD, str(changed), "par-commune")
    assert after.provenance["inputs"] == before.provenance["inputs"]
    assert after.provenance["data_set"] != before.provenance["data_set"]
    assert _blocks(after) == _blocks(before)


def test_one_code_fingerprint_covers_every_module_that_shapes_a_published_byte():
    """The report's code is every file of the package but the command line and JupyterLab's
    server set-up; the validated
    cache's is everything validation imports (catalogue, names, periods, the registers,
    messages, methodologies)."""
    report = {p.relative_to(PACKAGE).as_posix() for p in files_of("runner")}
    every = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    assert every - report == {"cli.py", "lab.py"}
    validated = {p.relative_to(PACKAGE).as_posix() for p in files_of("ingest")}
    for needed in ("ingest/validation.py", "ingest/messages.py", "ingest/readers.py",
                   "core/catalogue.py", "core/names.py", "core/periods.py", "units/register.py",
                   "units/tables.py", "scoring/methodology.py", "resources/indicators.yaml",
                   "resources/methodologies/par-commune.yaml"):
        assert needed in validated
    assert not any(f.startswith(("present/", "publish/", "runner/")) for f in validated)


def test_editing_the_code_that_writes_the_published_notebook_changes_the_reports_code(tmp_path):
    """The batch's own writing of published files (runner/worker.py) is report code: edited,
    every report's fingerprint changes and the next batch re-renders them."""
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "parbrief", ignore=shutil.ignore_patterns("__pycache__"))
    probe = ("from parbrief.core.fingerprint import code_fingerprint as f\n"
             "print(f('runner'), f('ingest'))")
    env = dict(os.environ, PYTHONPATH=str(copy))

    def fingerprints() -> list[str]:
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                             text=True, check=True, timeout=120)
        return out.stdout.split()

    original = fingerprints()
    assert original == [code_fingerprint("runner"), code_fingerprint("ingest")]
    worker = copy / "parbrief" / "runner" / "worker.py"
    worker.write_text(worker.read_text(encoding="utf-8").replace(
        "def published_copy(", "# a change to the published copy\ndef published_copy(", 1),
        encoding="utf-8")
    edited = fingerprints()
    assert edited[0] != original[0] and edited[1] == original[1]
    messages = copy / "parbrief" / "ingest" / "messages.py"
    messages.write_text(messages.read_text(encoding="utf-8") + "\n# a new message\n",
                        encoding="utf-8")
    assert fingerprints()[1] != original[1]


# --------------------------------------------------------------------------- in a real batch


@pytest.mark.slow
def test_a_skipped_report_keeps_the_manifest_of_what_it_read_and_verify_agrees(small_batch,
                                                                              tmp_path):
    """Another commune's figure changes: Tân Kỳ's briefing is skipped, its manifest is not
    rewritten, it states the same inputs as its manifest, and verify passes it."""
    from typer.testing import CliRunner

    from parbrief.cli import app

    project = tmp_path / "copy"
    shutil.copytree(small_batch.project, project, ignore=shutil.ignore_patterns(".parbrief.lock"))
    params = project / "params" / small_batch.params.name
    path, before = _manifest(project, "briefing-17266")
    manifest_bytes = path.read_bytes()
    _edit(project, "16681,2026Q3,inspections_unscheduled,")
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert statuses(result)["briefing-17266-xa-tan-ky"] == "skipped"
    assert statuses(result)["briefing-16681-phuong-thanh-vinh"] == "ok"
    assert path.read_bytes() == manifest_bytes
    stated = before["summary"]["inputs"]
    assert stated == before["inputs"]["inputs"]
    html = (path.parent / "briefing-17266-xa-tan-ky.vi.html").read_text(encoding="utf-8")
    assert stated[:12] in html
    _, after = _manifest(project, "briefing-16681")
    assert after["summary"]["inputs"] == after["inputs"]["inputs"]
    assert after["data_set"] != before["data_set"]
    checked = CliRunner().invoke(app, ["verify", str(path)])
    assert checked.exit_code == 0, checked.output


@pytest.mark.slow
def test_a_hand_edited_report_of_the_same_size_is_made_again(small_batch, tmp_path):
    project = tmp_path / "copy"
    shutil.copytree(small_batch.project, project, ignore=shutil.ignore_patterns(".parbrief.lock"))
    params = project / "params" / small_batch.params.name
    html = next((project / "reports" / PERIOD).rglob("briefing-17266-*.vi.html"))
    good = html.read_bytes()
    index = good.split(b"</h1>", 1)[1]
    digit = next(c for c in index.decode() if c.isdigit())
    edited = good.replace(digit.encode(), b"9" if digit != "9" else b"8", 1)
    assert edited != good and len(edited) == len(good)
    html.write_bytes(edited)
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert statuses(result)["briefing-17266-xa-tan-ky"] == "ok"
    assert html.read_bytes() == good


@pytest.mark.slow
def test_verify_a_report_made_with_a_methodology_file_of_the_project(tmp_path):
    from typer.testing import CliRunner

    from parbrief.cli import app

    project = tmp_path / "project"
    own = project / "methodologies" / "nghe-an-2026.yaml"
    own.parent.mkdir(parents=True)
    own.write_text(methodologies.locate("par-commune").read_text(encoding="utf-8").replace(
        "id: par-commune", "id: nghe-an-2026", 1), encoding="utf-8")
    params = make_project(project, "own-method", localities=["17266"], languages=["vi"],
                          formats=["html"], reports=["briefing"],
                          extra={"methodology": "../methodologies/nghe-an-2026.yaml"})
    result = run_batch(params, workers=1, progress=False, echo=False)
    assert statuses(result) == {"briefing-17266-xa-tan-ky": "ok"}
    path, manifest = _manifest(project, "briefing-17266")
    assert manifest["methodology"]["path"] == "methodologies/nghe-an-2026.yaml"
    checked = CliRunner().invoke(app, ["verify", str(path)])
    assert checked.exit_code == 0, checked.output
    assert "ok        methodology nghe-an-2026: unchanged" in checked.output
    own.write_text(own.read_text(encoding="utf-8") + "\n# revised\n", encoding="utf-8")
    changed = CliRunner().invoke(app, ["verify", str(path)])
    assert changed.exit_code == 1
    assert "MISMATCH  methodology nghe-an-2026: the methodology file changed" in changed.output


@pytest.mark.slow
def test_verify_refuses_a_manifest_that_points_outside_the_project(small_batch, tmp_path):
    from typer.testing import CliRunner

    from parbrief.cli import app

    project = tmp_path / "copy"
    shutil.copytree(small_batch.project, project, ignore=shutil.ignore_patterns(".parbrief.lock"))
    path, manifest = _manifest(project, "briefing-17266")
    for bad in ("../../../../../../etc", "/etc", "~/data"):
        manifest["parameters"]["data"] = bad
        path.write_text(json.dumps(manifest), encoding="utf-8")
        out = CliRunner().invoke(app, ["verify", str(path)])
        assert out.exit_code == 1
        assert (f"MISMATCH  data: {path.name}: the data path {bad!r} leaves the project; a "
                "manifest names project-relative paths only. Give the data with --data"
                in out.output), out.output


@pytest.mark.slow
def test_a_data_file_edited_during_a_batch_never_mixes_two_versions(tmp_path):
    """A figure that every briefing's peer table reads is edited while the batch runs, then
    put back. Each briefing either is published from the data the batch planned from, or
    fails saying the data changed; none shows the edited figure."""
    localities = [u.code for u in register.children("40", PERIOD, level="commune")][:14]
    project = tmp_path / "project"
    params = make_project(project, "live", localities=localities, languages=["vi"],
                          formats=["html"], reports=["briefing"])
    figures = project / "data" / "sample" / "figures.csv"
    original = figures.read_bytes()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "parbrief"), "batch",
                             str(params), "--workers", "1", "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=project)
    folder = project / "reports" / PERIOD / "nghe-an"
    deadline = time.monotonic() + 600
    while not list(folder.glob("*.manifest.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "the batch ended before the edit"
    _edit(project, "17266,2026Q3,civil_servants_disciplined,")
    time.sleep(6)
    figures.write_bytes(original)
    out, err = proc.communicate(timeout=900)
    assert "Traceback" not in err
    failed = [line for line in out.splitlines() if line.startswith("briefing-") and " failed " in line]
    assert failed, out  # the jobs that read the edited figure did not publish it
    for line in failed:
        assert "the data changed while the batch ran" in line, line
    planned = {}
    for manifest_path in folder.glob("*.manifest.json"):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        assert manifest["summary"]["inputs"] == manifest["inputs"]["inputs"]
        planned[manifest["stem"]] = manifest["inputs"]["peers"]
    assert len(set(planned.values())) == 1  # one peer step, the planned one, for all
    again = run_batch(params, workers=2, progress=False, echo=False)
    assert {r.status for r in again.results} <= {"ok", "skipped"}
    assert sum(r.status == "ok" for r in again.results) == len(failed)


@pytest.mark.slow
def test_one_invalid_figure_fails_only_the_reports_that_read_it(tmp_path):
    """An unscored count of -1 in Tân Kỳ's rows: its briefing and the province overview (which
    totals every figure) fail, once each, naming the row; the other briefings, whose peer
    tables read only scored figures, are published. Nothing runs a kernel for a failed job."""
    project = tmp_path / "project"
    params = make_project(project, "one-bad", languages=["vi"], formats=["html"])
    _edit(project, "17266,2026Q3,inspections_unscheduled,", to="-1")
    figures = (project / "data" / "sample" / "figures.csv").read_text(encoding="utf-8")
    line = figures.splitlines().index(
        "17266,2026Q3,inspections_unscheduled,-1,synthetic: parbrief sample --seed 876") + 1
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert statuses(result) == {"overview-40-tinh-nghe-an": "failed",
                                "briefing-17266-xa-tan-ky": "failed",
                                "briefing-16681-phuong-thanh-vinh": "ok",
                                "briefing-17662-xa-do-luong": "ok"}
    message = (f"figures.csv:{line}:value: negative count -1 for inspections_unscheduled; counts "
               "cannot be negative, correct the figure")
    failed = {r.stem: r for r in result.failed}
    assert failed["briefing-17266-xa-tan-ky"].detail == \
        f"rows it reads failed validation: {message}"
    assert all(r.failed_notebook is None for r in result.failed)
    assert not (project / "reports" / PERIOD / "_failed").exists()
    [problem] = result.problems
    assert problem.splitlines()[1:] == [f"  {message}"]
    assert result.exit_code == 1


@pytest.mark.slow
def test_an_invalid_scored_figure_fails_the_whole_peer_group(tmp_path):
    """A scored figure of Tân Kỳ cannot be read: every briefing ranks Tân Kỳ among its peers,
    so none can be made; each says why."""
    project = tmp_path / "project"
    params = make_project(project, "scored-bad", languages=["vi"], formats=["html"],
                          reports=["briefing"])
    _edit(project, "17266,2026Q3,civil_servants_disciplined,", to="1.5")
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert set(statuses(result).values()) == {"failed"}
    for r in result.failed:
        assert r.detail.startswith("rows it reads failed validation: figures.csv:"), r.detail
        assert "non-integer count 1.5 for civil_servants_disciplined" in r.detail


@pytest.mark.slow
def test_a_params_file_with_another_methodology_does_not_replace_anothers_reports(tmp_path):
    from parbrief.core.errors import ParameterError

    project = tmp_path / "project"
    setup = dict(localities=["17266"], languages=["vi"], formats=["html"], reports=["briefing"])
    commune = make_project(project, "commune-index", **setup)
    service = make_project(project, "service-index", extra={"methodology": "service-766"},
                           **setup)
    first = run_batch(commune, workers=1, progress=False, echo=False)
    assert statuses(first) == {"briefing-17266-xa-tan-ky": "ok"}
    html = next((project / "reports").rglob("briefing-17266-*.vi.html"))
    made = html.read_bytes()
    with pytest.raises(ParameterError) as refused:
        run_batch(service, workers=1, progress=False, echo=False)
    assert str(refused.value) == (
        "params/service-index.yaml: the output folder reports holds reports made by "
        "params/commune-index.yaml with methodology par-commune "
        "(2026Q3/nghe-an/briefing-17266-xa-tan-ky); this params file uses methodology "
        "service-766. Give it an output folder of its own (output: in the params file, e.g. "
        "../reports/service-766), or remove those reports first")
    assert html.read_bytes() == made
    own = make_project(project, "service-index", extra={"methodology": "service-766",
                                                        "output": "../reports/service-766"},
                       **setup)
    assert statuses(run_batch(own, workers=1, progress=False, echo=False)) == \
        {"briefing-17266-xa-tan-ky": "ok"}
    assert statuses(run_batch(commune, workers=1, progress=False, echo=False)) == \
        {"briefing-17266-xa-tan-ky": "skipped"}


def test_a_briefing_whose_rows_failed_validation_says_which(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "data" / "sample")
    _edit(tmp_path, "17266,2026Q3,inspections_unscheduled,", to="-1")
    folder = str(tmp_path / "data" / "sample")
    with pytest.raises(inputs.RowsInvalidError) as invalid:
        briefing.prepare("17266", PERIOD, folder, "par-commune")
    text = str(invalid.value).splitlines()
    assert text[0] == (f"the briefing of Xã Tân Kỳ (17266) for 2026Q3 reads rows of the data "
                       f"set that failed validation; correct them (parbrief validate {folder} "
                       "lists every problem), then run again:")
    assert len(text) == 2 and text[1].endswith(
        ":value: negative count -1 for inspections_unscheduled; counts cannot be negative, "
        "correct the figure")
    assert briefing.prepare("16681", PERIOD, folder, "par-commune").reported


def test_a_data_set_written_while_it_is_read_is_never_cached_under_the_wrong_key(
        tmp_path, monkeypatch):
    """Two versions of a figures file replace each other as fast as they can while the data
    set is read: what comes back is one version whole, under that version's checksum; never
    rows of one under the key of the other."""
    import threading

    from parbrief.ingest import validated

    monkeypatch.setenv("PARBRIEF_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "data"
    folder.mkdir()
    text = (SAMPLE / "figures.csv").read_text(encoding="utf-8")
    versions = [text, text.replace("17266,2026Q3,inspections_unscheduled,0,",
                                   "17266,2026Q3,inspections_unscheduled,5,")]
    assert versions[0] != versions[1]
    target = folder / "figures.csv"
    target.write_text(versions[0], encoding="utf-8")
    stop = threading.Event()

    def churn() -> None:
        n = 0
        while not stop.is_set():
            tmp = folder / f".figures.{n % 2}.tmp"
            tmp.write_text(versions[n % 2], encoding="utf-8")
            os.replace(tmp, target)
            n += 1

    writer = threading.Thread(target=churn)
    writer.start()
    try:
        first = validated.load_validated(str(folder))
        again = validated.load_validated(str(folder))  # read back from the cache, or not
    finally:
        stop.set()
        writer.join()
    for ds in (first, again):
        row = ds.figures[(ds.figures.locality_code == "17266") & (ds.figures.period == PERIOD)
                         & (ds.figures.indicator == "inspections_unscheduled")]
        version = versions[1] if float(row.value.iloc[0]) == 5 else versions[0]
        target.write_text(version, encoding="utf-8")
        assert ds.checksum == datasets.checksum([target])


def test_a_data_file_rewritten_during_a_batch_is_named_even_when_put_back(tmp_path):
    """A job whose kernel read a file while it was being rewritten (empty for an instant)
    fails with the validation error it met; the worker names the cause first: the data
    changed while the batch ran, even once the file holds its old bytes again."""
    from parbrief.runner.worker import JobSpec, data_changed, data_stamps

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    stamps = data_stamps(data)
    assert stamps and {Path(p).name for p, _, _ in stamps} >= {"figures.csv"}
    spec = JobSpec(job=None, root=str(tmp_path), output=str(tmp_path / "reports"),
                   executor="warm", renderer="typst", timeout=None, languages=("vi",),
                   formats=("html",), manifest={}, public_parameters={}, data=str(data),
                   data_stamps=stamps)
    assert not data_changed(spec)
    figures = data / "figures.csv"
    before = figures.read_bytes()
    time.sleep(0.01)
    figures.write_bytes(b"")
    assert data_changed(spec)
    figures.write_bytes(before)
    assert data_changed(spec)  # the same bytes, written again while the batch ran
