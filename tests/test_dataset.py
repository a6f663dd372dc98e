import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from parbrief.core.errors import ValidationError
from parbrief.ingest import dataset

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"
REQUIRED = {"procedures_total": 375, "procedures_published": 282, "procedures_online_full": 150,
            "records_received": 1200, "records_resolved": 1100, "records_resolved_on_time": 1080,
            "records_resolved_late": 20, "records_submitted_online": 900,
            "records_digitised": 800, "plan_tasks_assigned": 133, "plan_tasks_completed": 39}


def write_csv(path: Path, code: str, period: str = "2026Q3", sep: str = ",", **extra) -> Path:
    lines = [sep.join(["locality_code", "period", "indicator", "value", "source"])]
    for name, value in {**REQUIRED, **extra}.items():
        lines.append(sep.join([code, period, name, str(value), "report"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_folder_gives_the_long_table_with_contract_dtypes():
    ds = dataset.load(GOOD)
    f = ds.figures
    assert list(f.columns) == ["locality_code", "period", "indicator", "value", "source"]
    assert [str(t) for t in f.dtypes] == ["str", "str", "str", "float64", "str"]
    assert len(f) == 24
    assert f.iloc[0].tolist() == ["00004", "2026Q3", "procedures_total", 375.0, "report Q3"]
    assert sorted(f.locality_code.unique()) == ["00004", "17266"]
    assert ds.appraisal.empty
    assert list(ds.appraisal.columns) == ["methodology", "locality_code", "period", "criterion",
                                          "points", "source", "self_assessed"]
    assert [p.name for p in ds.files] == ["figures.csv", "appraisal.csv"]
    assert ds.path == GOOD and ds.periods == ["2026Q3"]


def test_codes_like_01_stay_strings(tmp_path):
    ds = dataset.load(write_csv(tmp_path / "figures.csv", "01"))
    assert set(ds.figures.locality_code) == {"01"}


def test_csv_with_utf8_bom_reads_fine():
    assert (GOOD / "bom.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    f = dataset.load(GOOD / "bom.csv").figures
    assert f.columns[0] == "locality_code"
    assert f.locality_code.iloc[0] == "00004"


def test_semicolon_csv_from_a_vietnamese_excel_reads_fine(tmp_path):
    f = dataset.load(write_csv(tmp_path / "figures.csv", "17266", sep=";")).figures
    assert f.value.sum() == sum(REQUIRED.values())


def test_periods_are_normalised(tmp_path):
    f = dataset.load(write_csv(tmp_path / "figures.csv", "17266", period="Q3/2026")).figures
    assert set(f.period) == {"2026Q3"}


def test_parquet_holds_the_same_figures(tmp_path):
    csv = dataset.load(GOOD / "figures.csv").figures
    csv.to_parquet(tmp_path / "figures.parquet")
    ds = dataset.load(tmp_path)
    pd.testing.assert_frame_equal(ds.figures, csv)
    assert [p.name for p in ds.files] == ["figures.parquet"]


def test_parquet_with_numeric_codes_is_refused(tmp_path):
    frame = dataset.load(GOOD / "figures.csv").figures
    frame = frame[frame.locality_code == "17266"].assign(locality_code=17266)
    frame.to_parquet(tmp_path / "figures.parquet")
    with pytest.raises(ValidationError) as e:
        dataset.load(tmp_path / "figures.parquet")
    assert str(e.value) == ("figures.parquet:0:locality_code: locality_code is stored as numbers, "
                            "so leading zeros (\"01\") are lost; store codes as text (string)")


def test_wide_workbook_is_melted_with_sheet_as_source(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2026-Q3"
    ws.append(["locality_code", "locality_name", *REQUIRED, "satisfaction_rate"])
    ws.append(["00004", "Phường Ba Đình", *REQUIRED.values(), None])
    ws.append(["17266", "Xã Tân Kỳ", *REQUIRED.values(), 0.995])
    ws.cell(row=3, column=ws.max_column).number_format = "0.0%"  # typed as 99.5 %
    ws.append([])
    wb.save(tmp_path / "book.xlsx")
    f = dataset.load(tmp_path / "book.xlsx").figures
    assert len(f) == 23  # blank cells are figures not reported
    assert set(f.source) == {"book.xlsx#2026-Q3"} and set(f.period) == {"2026Q3"}
    rate = f[f.indicator == "satisfaction_rate"]
    assert rate.locality_code.tolist() == ["17266"] and rate.value.tolist() == [99.5]


def test_formula_cells_are_read_as_saved_values_never_evaluated(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2026Q3"
    ws.append(["locality_code", "locality_name", *REQUIRED])
    ws.append(["17266", "Xã Tân Kỳ", *REQUIRED.values()])
    ws["D2"] = "=B1*0+10"  # openpyxl saves no value for a formula
    wb.save(tmp_path / "book.xlsx")
    with pytest.raises(ValidationError) as e:
        dataset.load(tmp_path / "book.xlsx")
    assert str(e.value) == (
        "book.xlsx#2026Q3:2:procedures_published: the cell holds a formula (=B1*0+10) with no "
        "saved value; open and save the workbook in Excel or LibreOffice, or type the value")


def test_load_raises_every_problem_at_once_and_can_skip_validation():
    with pytest.raises(ValidationError) as e:
        dataset.load(DATA / "bad" / "non_integer_count.csv")
    assert len(e.value.problems) == 2
    f = dataset.load(DATA / "bad" / "non_numeric.csv", validate=False).figures
    assert f.value.isna().sum() == 2 and len(f) == 11


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(ValidationError) as e:
        dataset.load(tmp_path / "nowhere")
    assert str(e.value) == f"{tmp_path / 'nowhere'}:0:: no such file or folder; check the path"
    with pytest.raises(ValidationError) as e:
        dataset.load(tmp_path)
    assert str(e.value) == (f"{tmp_path}:0:: no figures file in this folder; add figures.csv, "
                            "figures.parquet or an .xlsx workbook, or appraisal.csv for a data "
                            "set of points only (see docs/data-format.md)")


def test_checksum_covers_names_and_bytes_not_the_folder(tmp_path):
    shutil.copytree(GOOD, tmp_path / "copy")
    (tmp_path / "copy" / "bom.csv").unlink()
    (GOOD_COPY := tmp_path / "copy2").mkdir()
    for name in ("figures.csv", "appraisal.csv"):
        shutil.copy(GOOD / name, GOOD_COPY / name)
    a, b = dataset.load(tmp_path / "copy"), dataset.load(GOOD_COPY)
    assert a.checksum == b.checksum and len(a.checksum) == 64
    text = (GOOD_COPY / "figures.csv").read_text().replace("99.5", "99.4")
    (GOOD_COPY / "figures.csv").write_text(text)
    assert dataset.load(GOOD_COPY).checksum != a.checksum


def test_slice_and_its_checksum_change_only_with_their_own_rows(tmp_path):
    for name in ("figures.csv", "appraisal.csv"):
        shutil.copy(GOOD / name, tmp_path / name)
    before = dataset.load(tmp_path)
    part = dataset.figures_slice(before, ["17266"], ["2026Q3"])
    assert len(part) == 13 and set(part.locality_code) == {"17266"}
    assert part.indicator.tolist() == sorted(part.indicator)
    assert dataset.figures_slice(before, "17266", "2026Q2").empty
    own = dataset.slice_checksum(before, ["17266"], ["2026Q3"])
    other = dataset.slice_checksum(before, ["00004"], ["2026Q3"])

    text = (tmp_path / "figures.csv").read_text()
    (tmp_path / "figures.csv").write_text(text.replace("17266,2026Q3,satisfaction_rate,99.5",
                                                       "17266,2026Q3,satisfaction_rate,98.0"))
    after = dataset.load(tmp_path)
    assert after.checksum != before.checksum
    assert dataset.slice_checksum(after, ["17266"], ["2026Q3"]) != own
    assert dataset.slice_checksum(after, ["00004"], ["2026Q3"]) == other

    (tmp_path / "appraisal.csv").write_text(
        "methodology,locality_code,period,criterion,points,source\n"
        "par-commune,00004,2026Q3,1.1,2.5,council\n")
    with_points = dataset.load(tmp_path, validate=False)
    assert dataset.slice_checksum(with_points, ["00004"], ["2026Q3"]) != other
    assert dataset.slice_checksum(with_points, ["00004"], ["2026Q2"]) == \
        dataset.slice_checksum(after, ["00004"], ["2026Q2"])
