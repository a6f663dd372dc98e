"""Hostile and careless input: bounded resources, no writes through links, clear refusals.

The hostile files (a "billion laughs" YAML, a zip-bomb workbook) are built here, small on disk,
and each test checks the refusal's exact message and that the reader stops at its limit: the
memory it allocates stays bounded by design (tracemalloc's peak), whatever the file would
unpack to. No timing is asserted.
"""

from __future__ import annotations

import os
import subprocess
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, make_project
from typer.testing import CliRunner

from parbrief.cli import app
from parbrief.core import catalogue
from parbrief.core.errors import MethodologyError, ParameterError, ParbriefError
from parbrief.ingest.readers import read_workbook_rows
from parbrief.ingest.validation import validate_paths
from parbrief.runner import params as paramfiles
from parbrief.runner.batch import run_batch
from parbrief.scoring import methodology

TOY = ROOT / "tests" / "data" / "methodologies" / "toy.yaml"
MiB = 1 << 20


def peak_bytes(work) -> tuple[object, int]:
    """What ``work()`` returns (or raises) and the most memory it held at once."""
    tracemalloc.start()
    try:
        try:
            out = work()
        except Exception as e:  # noqa: BLE001 - the refusal is the result
            out = e
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --------------------------------------------------------------------------- YAML


def billion_laughs(levels: int = 9, width: int = 9, key: str = "laughs") -> str:
    """Anchors of ``width`` aliases of the anchor before, ``levels`` deep: width**levels
    values once expanded (9 levels of 9: 387 million), in a few hundred bytes."""
    lines = [f"{key}0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"{key}{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]"
              for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


BOMB_MESSAGE = ("the alias *l{n} repeats its anchor's values until the file holds more than "
                "100,000 values (aliases nested in aliases, as in a \"billion laughs\" file); "
                "parbrief files need far fewer: write the values out instead of using aliases "
                "(&name, *name)")


@pytest.mark.parametrize("levels", [9, 10])
def test_a_billion_laughs_methodology_is_refused_with_its_line_in_bounded_memory(tmp_path,
                                                                                 levels):
    """9 levels of 9 aliases took 37 s and 3.3 GB; one more level, a MemoryError."""
    path = tmp_path / "bomb.yaml"
    text = TOY.read_text(encoding="utf-8").replace("id: toy\n", "id: bomb\n", 1)
    path.write_text(billion_laughs(levels) + text, encoding="utf-8")
    assert path.stat().st_size < 3000
    error, peak = peak_bytes(lambda: methodology.load(str(path)))
    assert isinstance(error, MethodologyError)
    # levels 0-4 hold 74,732 values; the first alias of level 5 (66,430 more) passes 100,000
    assert str(error) == f"bomb.yaml:6:15: {BOMB_MESSAGE.format(n=4)}"
    assert peak < 5 * MiB


def test_a_billion_laughs_params_file_is_refused_with_its_line(tmp_path):
    path = make_project(tmp_path)
    path.write_text(billion_laughs(9, key="x") + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    error, peak = peak_bytes(lambda: paramfiles.load(path))
    assert isinstance(error, ParameterError)
    assert str(error) == f"{path}:6:10: {BOMB_MESSAGE.format(n=4)}"
    assert peak < 5 * MiB


def test_the_one_yaml_reader_is_used_for_every_yaml_file_the_package_reads():
    """No module parses YAML on its own (catalogues, messages, findings, methodologies, params
    files all go through parbrief.core.safe_yaml)."""
    package = ROOT / "src" / "parbrief"
    calls = [f"{p.relative_to(package)}" for p in package.rglob("*.py")
             if p.name != "safe_yaml.py" and ("yaml.safe_load" in p.read_text(encoding="utf-8")
                                               or "yaml.load(" in p.read_text(encoding="utf-8"))]
    assert calls == []
    assert len(catalogue.names()) > 40  # the catalogue itself is read by it


@pytest.mark.parametrize(("text", "message"), [
    ("a: &a [1, *a]\n", "f.yaml:1:11: the alias *a is used inside its own anchor &a, which makes "
     "an endless value; write the values out instead of using the alias"),
    ("a: " + "[" * 3000 + "]" * 3000 + "\n", "f.yaml:1:53: values nested more than 50 levels "
     "deep; parbrief files need only a few levels: check the indentation and the brackets"),
    ("a: 1" + "0" * 5000 + "\n", "f.yaml: a number has too many digits to be read; write it "
     "with fewer digits"),
    ("a: 1\nb: 2\na: 3\n", "f.yaml:3:1: the key 'a' is given twice (first on line 1); keep one "
     "of them"),
    ("a: [1, 2\n", "f.yaml:2:1: not valid YAML: expected ',' or ']', but got '<stream end>'"),
    ("x: '" + "a" * MiB + "'\n", "f.yaml: the file is 1,048,582 bytes; parbrief's YAML files "
     "are at most 1,048,576 bytes (1 MiB): check that this is the right file"),
])
def test_yaml_beyond_the_limits_is_refused_with_file_and_line(text, message):
    from parbrief.core import safe_yaml

    with pytest.raises(safe_yaml.YamlError) as e:
        safe_yaml.loads(text, "f.yaml")
    assert str(e.value) == message


def test_anchors_and_merge_keys_within_the_limits_still_work():
    from parbrief.core import safe_yaml

    assert safe_yaml.loads("a: &s [1, 2]\nb: *s\nc: {<<: {k: 1}, j: 2}\n", "f.yaml") == {
        "a": [1, 2], "b": [1, 2], "c": {"k": 1, "j": 2}}
    assert safe_yaml.loads(billion_laughs(4), "f.yaml")["laughs4"][0][0][0][0][0] == "lol"


# --------------------------------------------------------------------------- workbooks


def _base_workbook(path: Path) -> list[tuple[str, bytes]]:
    wb = openpyxl.Workbook()
    wb.active.title = "2026Q3"
    wb.active.append(["locality_code", "records_received"])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def _workbook(path: Path, sheet_xml, parts: dict[str, bytes] | None = None) -> Path:
    """A workbook whose first sheet's XML is ``sheet_xml`` (bytes, or chunks of bytes), written
    straight into the zip (fast compression: the point is what it unpacks to)."""
    members = _base_workbook(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in members:
            if name == "xl/worksheets/sheet1.xml":
                with z.open(name, "w", force_zip64=True) as f:
                    for chunk in ([sheet_xml] if isinstance(sheet_xml, bytes) else sheet_xml):
                        f.write(chunk)
            else:
                z.writestr(name, (parts or {}).get(name, data))
        for name, data in (parts or {}).items():
            if name not in dict(members):
                z.writestr(name, data)
    return path


SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
END = b"</sheetData></worksheet>"
ROW = b"<row>" + b"<c><v>1</v></c>" * 10 + b"</row>"  # 10 cells, no row numbers


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked(tmp_path):
    """The issue's bomb: 3 million rows of 10 cells, about 500 MB of XML in a few MB of zip
    (once 2 min 34 s and 5.7 GB, loaded whole twice)."""
    chunk = ROW * 10_000
    path = _workbook(tmp_path / "bomb.xlsx", [SHEET, *([chunk] * 300), END])
    assert path.stat().st_size < 8 * MiB
    found, peak = peak_bytes(lambda: validate_paths([path]))
    assert [str(p) for p in found] == [
        "bomb.xlsx:0:: the workbook unpacks to 461 MiB of XML, more than the 50 MiB a workbook "
        "may hold (a province workbook of 20 quarters holds about 5 MiB); it is probably damaged "
        "or not a figures workbook: save the figures again in a new workbook, or as CSV"]
    assert peak < 2 * MiB  # nothing was unpacked


def test_rows_beyond_the_limit_stop_the_stream_at_the_limit(tmp_path):
    """Under the size limit (200,000 rows, 35 MB of XML) the sheet is streamed: reading stops
    at the first row beyond 10,000 figures, holding no more than those rows."""
    chunk = ROW * 10_000
    path = _workbook(tmp_path / "many.xlsx", [SHEET, *([chunk] * 20), END])
    found, peak = peak_bytes(lambda: validate_paths([path]))
    assert [str(p) for p in found] == [
        "many.xlsx#2026Q3:10002:: the sheet has more than 10,000 rows of figures (a province has "
        "at most about 560 communes; the country 3,321); keep one row per locality and delete "
        "the rest, or split the workbook"]
    # 10,001 rows of 10 cells are held at the stop: far less than the 200,000 rows' worth
    assert peak < 40 * MiB


def test_a_row_of_a_million_cells_stops_at_the_column_limit(tmp_path):
    row = b"<row r=\"1\">" + b"".join(
        f'<c r="{openpyxl.utils.get_column_letter(i)}1"><v>1</v></c>'.encode()
        for i in range(1, 16_000)) + b"</row>"
    path = _workbook(tmp_path / "wide.xlsx", SHEET + row + END)
    found, peak = peak_bytes(lambda: validate_paths([path]))
    assert [str(p) for p in found] == [
        "wide.xlsx#2026Q3:1:GS: the sheet has a value in column GS, beyond the 200 columns a "
        "workbook may have (the template has 48); delete the columns after the last indicator"]
    assert peak < 5 * MiB


def test_blank_rows_cannot_grow_the_memory_either(tmp_path):
    path = _workbook(tmp_path / "blank.xlsx", [SHEET, *([b"<row/>" * 10_000] * 20), END])
    found, peak = peak_bytes(lambda: validate_paths([path]))
    assert [str(p) for p in found] == [
        "blank.xlsx#2026Q3:0:: the sheet has more than 100,000 rows, most of them blank; delete "
        "the blank rows below the figures"]
    assert peak < 5 * MiB


def test_a_merge_over_the_whole_sheet_is_clipped_to_the_cells_filled(tmp_path):
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>locality_code</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>records_received</t></is></c></row>'
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>17266</t></is></c>'
            b'<c r="B2"><v>1200</v></c></row>')
    path = _workbook(tmp_path / "merge.xlsx", SHEET + rows + b"</sheetData><mergeCells count="
                     b'"1"><mergeCell ref="B2:XFD1048576"/></mergeCells></worksheet>')
    assert "merge.xlsx#2026Q3:2:records_received: cells B2:XFD1048576 are merged, so only the " \
        "first holds a value; unmerge them (Home → Merge & Center) and fill in every row's own " \
        "value" in [str(p) for p in validate_paths([path])]
    _, peak = peak_bytes(lambda: read_workbook_rows(path))
    assert peak < 5 * MiB  # 17 billion covered cells were never listed


def test_a_huge_shared_strings_part_is_refused_before_it_is_read(tmp_path):
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + b"<si><t>x</t></si>" * (11 * MiB // 17) + b"</sst>")
    path = _workbook(tmp_path / "strings.xlsx", SHEET + END,
                     parts={"xl/sharedStrings.xml": strings})
    found, peak = peak_bytes(lambda: validate_paths([path]))
    assert [str(p) for p in found] == [
        "strings.xlsx:0:: the workbook's part xl/sharedStrings.xml unpacks to 11 MiB, more than "
        "the 10 MiB it may hold (a province's names and headers take a few KiB); it is probably "
        "damaged or not a figures workbook: save the figures again in a new workbook, or as "
        "CSV"]
    assert peak < 2 * MiB


# --------------------------------------------------------------------------- the batch


def one_job_project(folder: Path, **extra) -> Path:
    """A project with one briefing job (Vietnamese HTML), for batches that must stop before
    any kernel starts."""
    return make_project(folder, localities=["16681"], languages=["vi"], formats=["html"],
                        reports=["briefing"], extra=extra or None)


@pytest.mark.parametrize("planted", [".staging", "2026Q3/_failed", "2026Q3/nghe-an"])
def test_a_link_planted_where_the_batch_writes_is_refused_before_anything_runs(tmp_path,
                                                                               planted):
    """Once a ``.staging`` link had the executed notebooks written outside the output folder;
    every folder the batch writes in or cleans is now checked first, as published paths are."""
    params = one_job_project(tmp_path / "project")
    reports = tmp_path / "project" / "reports"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".half-written.tmp").write_text("not the batch's to delete")
    link = reports / planted
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere)
    with pytest.raises(ParbriefError) as e:
        run_batch(params, workers=1, progress=False, echo=False)
    assert str(e.value) == (f"refusing to write {link}: {link} is a symbolic link inside the "
                            f"output folder {reports}; remove it")
    assert [p.name for p in elsewhere.iterdir()] == [".half-written.tmp"]


def test_a_staging_link_planted_while_the_batch_runs_is_not_followed_by_the_worker(tmp_path):
    from parbrief.runner.worker import JobSpec, run_job

    params = paramfiles.load(one_job_project(tmp_path / "project"))
    job = paramfiles.expand(params)[0]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    params.output.mkdir()
    (params.output / ".staging").symlink_to(elsewhere)
    spec = JobSpec(job=job, root=str(params.root), output=str(params.output), executor="warm",
                   renderer="typst", timeout=60, languages=("vi",), formats=("html",),
                   manifest={}, public_parameters={})
    result = run_job(spec)
    assert result["status"] == "failed"
    assert result["detail"].startswith("rendering/publishing: ParbriefError: refusing to write ")
    assert "is a symbolic link inside the output folder" in result["detail"]
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("value", ["abc", "2026-01-01", "-1", "99999999999999"])
def test_a_bad_source_date_epoch_stops_the_batch_before_any_kernel_starts(tmp_path,
                                                                          monkeypatch, value):
    """``SOURCE_DATE_EPOCH=abc`` once made every kernel stall 60 s and fail ("Kernel didn't
    respond"): about an hour for the main job. Now nothing starts: not even the output folder
    is made."""
    params = one_job_project(tmp_path / "project")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    message = (f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970-01-01 "
               "UTC (e.g. 1767225600 for 2026-01-01; see docs/faults.md): correct it or unset "
               "it; nothing was run")
    with pytest.raises(ParameterError) as e:
        run_batch(params, workers=1, progress=False, echo=False)
    assert str(e.value) == message
    assert not (tmp_path / "project" / "reports").exists()
    result = CliRunner().invoke(app, ["batch", str(params), "--no-progress"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.strip() == f"error: {message}"


def test_timeouts_are_whole_seconds(tmp_path):
    assert paramfiles.load(one_job_project(tmp_path / "a", timeout=600.0)).timeout == 600
    with pytest.raises(ParameterError, match=r"key 'timeout': 100000 seconds is more than a "
                                             r"day \(86400\); a cell that runs longer has hung"):
        paramfiles.load(one_job_project(tmp_path / "b", timeout=100_000))


def test_an_output_that_is_a_file_is_refused_on_the_command_line_too(tmp_path):
    params = one_job_project(tmp_path / "project")
    a_file = tmp_path / "project" / "notes.txt"
    a_file.write_text("x")
    with pytest.raises(ParameterError) as e:
        run_batch(params, workers=1, progress=False, echo=False, output=a_file / "reports")
    assert str(e.value) == (f"--out {a_file / 'reports'} is not a folder: {a_file} is a file; "
                            "give a folder for the reports")


def test_a_read_only_output_folder_is_named_before_any_job_runs(tmp_path):
    params = one_job_project(tmp_path / "project")
    reports = tmp_path / "project" / "reports"
    reports.mkdir()
    mounted = False
    if os.geteuid() == 0:  # root writes through permissions: a read-only file system instead
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs",
                                  str(reports)], capture_output=True, check=False).returncode == 0
        if not mounted:
            pytest.skip("root, and no read-only tmpfs can be mounted here")
    else:
        reports.chmod(0o555)
    try:
        reason = "Read-only file system" if mounted else "Permission denied"
        message = (f"cannot write in the output folder {reports}: {reason}; give a folder you "
                   "can write to ('output:' in the params file, or --out)")
        with pytest.raises(ParbriefError) as e:
            run_batch(params, workers=1, progress=False, echo=False)
        assert str(e.value) == message
        result = CliRunner().invoke(app, ["batch", str(params), "--no-progress"])
        assert result.exit_code == 1 and result.output.strip() == f"error: {message}"
    finally:
        if mounted:
            subprocess.run(["umount", str(reports)], check=False)
        else:
            reports.chmod(0o755)


def test_score_and_template_refuse_an_out_they_cannot_write_with_a_message(tmp_path,
                                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert "Traceback" not in result.output
        return result.output.strip()

    assert run("score", "--data", str(ROOT / "data" / "sample"), "--methodology", "par-commune",
               "--period", "latest", "--out", str(tmp_path)) == (
        f"error: --out {tmp_path} is a folder; give a file name ending in .csv (e.g. "
        f"{tmp_path / 'scores.csv'})")
    template = ["template", "--province", "40", "--period", "2026Q3", "--out"]
    # an .xlsx under a .csv name would open as junk: refused, nothing written
    assert run(*template, "t.csv") == ("error: --out t.csv: the template is an Excel workbook; "
                                       "give a file name ending in .xlsx (e.g. t.xlsx)")
    assert not (tmp_path / "t.csv").exists()
    assert run(*template, "/dev/full") == (
        "error: --out /dev/full is not a regular file (a device or a pipe); give a file name "
        "ending in .xlsx (e.g. template-40.xlsx)")


def test_a_template_on_a_full_disk_says_so_and_leaves_no_half_file(tmp_path):
    from test_faults import fill, small_tmpfs

    with small_tmpfs(tmp_path / "disk", size="1m") as disk:
        fill(disk)
        result = CliRunner().invoke(app, ["template", "--province", "40", "--period", "2026Q3",
                                          "--out", str(disk / "t.xlsx")])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert result.output.strip() == (f"error: could not write {disk / 't.xlsx'}: No space "
                                         "left on device")
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]


# --------------------------------------------------------------------------- quarters


def typo_project(folder: Path) -> Path:
    """The sample data set with Xã Tân Kỳ's 2026Q3 rows typed 2036Q3, and the main job's
    params (periods: [latest]) for one commune."""
    params = make_project(folder, localities=["16681"], languages=["vi"], formats=["html"],
                          reports=["briefing"], extra={"periods": ["latest"]})
    figures = folder / "data" / "sample" / "figures.csv"
    lines = figures.read_text(encoding="utf-8").splitlines()
    lines = [line.replace("17266,2026Q3,", "17266,2036Q3,") for line in lines]
    figures.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return params


WARNING = ("data/sample: 2036Q3 comes 40 quarters after the other figures (2025Q3-2026Q3) and "
           "only 1 unit reports it (17266), against 130 in 2026Q2: probably a mistyped period; "
           "correct it (until then, 'latest' in a params file skips this quarter)")


def test_latest_is_the_quarter_the_province_reported_not_a_mistyped_year(tmp_path):
    """One commune's rows typed 2036Q3 once made ``latest`` 2036Q3: 129 briefings said
    "did not report" and the overview "1/130"."""
    params = paramfiles.load(typo_project(tmp_path))
    assert params.periods == ("2026Q3",)
    assert params.warnings == (WARNING,)
    # the whole data set as `validate` sees it: the quarter is named at its first row
    found = [str(p) for p in validate_paths([tmp_path / "data" / "sample"])]
    assert len(found) == 1 and found[0].startswith("figures.csv:") and \
        ":period: warning: 2036Q3 comes 40 quarters after the other figures (2023Q1-2026Q3)" \
        in found[0]


@pytest.mark.slow
def test_the_batch_names_the_mistyped_quarter_and_publishes_the_reported_one(tmp_path):
    params = typo_project(tmp_path)
    result = subprocess.run([str(Path(os.sys.executable).parent / "parbrief"), "batch",
                             str(params), "--no-progress", "--workers", "1"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"warning: {WARNING}" in result.stdout.splitlines()
    assert (tmp_path / "reports" / "2026Q3" / "nghe-an" /
            "briefing-16681-phuong-thanh-vinh.vi.html").is_file()
    assert not (tmp_path / "reports" / "2036Q3").exists()


def test_a_quarter_with_no_figures_is_refused_naming_what_the_data_holds(tmp_path):
    with pytest.raises(ParameterError) as e:
        paramfiles.load(one_job_project(tmp_path, periods=["1999Q1"]))
    assert str(e.value).endswith(
        "key 'periods': data set data/sample has no figures for 1999Q1 from the communes of 40 "
        "Tỉnh Nghệ An; for 40 Tỉnh Nghệ An it holds figures of districts 2023Q1-2025Q2 and "
        "communes 2025Q3-2026Q3: give one of those quarters, or periods: [latest]")
    with pytest.raises(ParameterError) as e:
        paramfiles.load(one_job_project(tmp_path, periods=["2025Q2"], localities=["17266"]))
    assert str(e.value).endswith(
        "key 'level': data set data/sample has no figures from the communes of 40 Tỉnh Nghệ An "
        "in 2025Q2, only from its districts: use level: district (or a quarter it holds "
        "communes for: 2025Q3-2026Q3)")

