"""`parbrief provenance` and `parbrief verify` on a real batch's reports."""

import shutil

import pytest
from typer.testing import CliRunner

from parbrief.cli import app

pytestmark = pytest.mark.slow


def _report(project):
    return next((project / "reports" / "2026Q3").rglob("briefing-17266-*.vi.html"))


def test_provenance_prints_the_chain(small_batch):
    result = CliRunner().invoke(app, ["provenance", str(_report(small_batch.project))])
    assert result.exit_code == 0, result.output
    assert "locality     17266 Xã Tân Kỳ" in result.output
    assert "methodology  par-commune" in result.output
    assert str(small_batch.project) not in result.output  # no absolute paths recorded


def test_verify_passes_then_names_what_changed(small_batch, tmp_path):
    project = tmp_path / "copy"
    shutil.copytree(small_batch.project, project, ignore=shutil.ignore_patterns(".parbrief.lock"))
    report = _report(project)
    ok = CliRunner().invoke(app, ["verify", str(report)])
    assert ok.exit_code == 0, ok.output
    assert "MISMATCH" not in ok.output

    report.chmod(0o644)  # published read-only: someone made it writable and edited it
    report.write_bytes(report.read_bytes().replace(b"</body>", b"<p>edited</p></body>"))
    # one of the figures the briefing read: Tân Kỳ's complaints this quarter
    _edit(project, "17266,2026Q3,complaints_received,")
    bad = CliRunner().invoke(app, ["verify", str(report)])
    assert bad.exit_code == 1
    assert f"MISMATCH  {report.name}: changed since publication" in bad.output
    assert "MISMATCH  data" in bad.output and "the data set changed" in bad.output
    assert "ok        methodology par-commune: unchanged" in bad.output


def _edit(project, prefix: str) -> None:
    """Add 1 to the figure on the line of figures.csv that starts with ``prefix``."""
    figures = project / "data" / "sample" / "figures.csv"
    lines = figures.read_text(encoding="utf-8").splitlines()
    [i] = [n for n, line in enumerate(lines) if line.startswith(prefix)]
    code, period, indicator, value, source = lines[i].split(",", 4)
    lines[i] = ",".join([code, period, indicator, str(int(value) + 1), source])
    figures.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_verify_follows_what_the_report_read_not_the_whole_data_set(small_batch, tmp_path):
    """A figure of another commune that no score reads leaves Tân Kỳ's briefing exactly as it
    was made: verify says so, and names the rows that changed when one of its own does."""
    project = tmp_path / "copy"
    shutil.copytree(small_batch.project, project, ignore=shutil.ignore_patterns(".parbrief.lock"))
    report = _report(project)
    _edit(project, "16681,2026Q3,inspections_unscheduled,")
    ok = CliRunner().invoke(app, ["verify", str(report)])
    assert ok.exit_code == 0, ok.output
    assert "(its own rows): the rows it read are unchanged" in ok.output
    assert "(its peer group's scores): the rows it read are unchanged" in ok.output
    # a scored figure of a peer changes the peer step Tân Kỳ's ranking was read from
    _edit(project, "16681,2026Q3,civil_servants_disciplined,")
    bad = CliRunner().invoke(app, ["verify", str(report)])
    assert bad.exit_code == 1
    assert "(its own rows): the rows it read are unchanged" in bad.output
    assert "MISMATCH  data" in bad.output and "(its peer group's scores): the data set " \
        "changed since the report was made" in bad.output


def test_a_report_without_manifest(tmp_path):
    stray = tmp_path / "x.vi.html"
    stray.write_text("<html></html>")
    result = CliRunner().invoke(app, ["verify", str(stray)])
    assert result.exit_code == 1
    assert "no manifest x.manifest.json beside it" in result.output
