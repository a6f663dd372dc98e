import openpyxl
import pytest

from parbrief.core import catalogue
from parbrief.core.errors import ParameterError
from parbrief.ingest import dataset, template
from parbrief.ingest.validation import validate_paths


@pytest.fixture(scope="module")
def nghe_an(tmp_path_factory):
    return template.write_template("40", "2026Q3", tmp_path_factory.mktemp("t") / "nghe-an.xlsx")


def test_template_lists_the_2025_communes_with_codes_as_text(nghe_an):
    wb = openpyxl.load_workbook(nghe_an)
    assert wb.sheetnames == ["2026Q3", "indicators"]
    ws = wb["2026Q3"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["locality_code", "locality_name", "parent_code"]
    assert header[3:] == list(catalogue.catalogue())
    assert ws.max_row == 131  # 130 communes of Nghệ An from 1 July 2025
    codes = [ws.cell(row=r, column=1).value for r in range(2, 132)]
    assert "17266" in codes and all(isinstance(c, str) for c in codes)
    row = codes.index("17266") + 2
    assert [c.value for c in ws[row]][:3] == ["17266", "Xã Tân Kỳ", "40"]
    assert ws.cell(row=row, column=1).number_format == "@"
    assert ws.freeze_panes == "D2"


def test_template_has_excel_checks_per_indicator_type(nghe_an):
    ws = openpyxl.load_workbook(nghe_an)["2026Q3"]
    rules = {str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2)
             for dv in ws.data_validations.dataValidation}
    assert len(rules) == 43
    assert rules["D2:D131"] == ("whole", "greaterThanOrEqual", "0", None)  # procedures_total
    header = [c.value for c in ws[1]]
    rate = openpyxl.utils.get_column_letter(header.index("satisfaction_rate") + 1)
    assert rules[f"{rate}2:{rate}131"] == ("decimal", "between", "0", "100")
    flag = openpyxl.utils.get_column_letter(header.index("one_stop_shop_operational") + 1)
    assert rules[f"{flag}2:{flag}131"] == ("whole", "between", "0", "1")


def test_indicator_sheet_lists_type_unit_and_both_labels(nghe_an):
    ws = openpyxl.load_workbook(nghe_an)["indicators"]
    rows = list(ws.values)
    assert rows[0] == ("name", "type", "unit", "group", "required", "part_of", "label_vi",
                       "label_en")
    assert len(rows) == 44
    assert rows[1] == ("procedures_total", "count", "procedures", "procedures", "yes", None,
                       "Số TTHC thuộc thẩm quyền", "Administrative procedures under its authority")


def test_legacy_template_lists_the_districts(tmp_path):
    path = template.write_template("40", "2025Q2", tmp_path / "legacy.xlsx")
    ws = openpyxl.load_workbook(path)["2025Q2"]
    assert ws.max_row == 21
    codes = [ws.cell(row=r, column=1).value for r in range(2, 22)]
    assert codes[0] == "412" and "423" in codes


def test_template_round_trip_loads_and_validates_clean(nghe_an, tmp_path):
    wb = openpyxl.load_workbook(nghe_an)
    ws = wb["2026Q3"]
    header = [c.value for c in ws[1]]
    figures = {"procedures_total": 375, "procedures_published": 282,
               "procedures_online_full": 150, "records_received": 1200, "records_resolved": 1100,
               "records_resolved_on_time": 1080, "records_resolved_late": 20,
               "records_submitted_online": 900, "records_digitised": 800,
               "plan_tasks_assigned": 133, "plan_tasks_completed": 39, "satisfaction_rate": 99.5,
               "one_stop_shop_operational": 1}
    for row in (2, 3):
        for name, value in figures.items():
            ws.cell(row=row, column=header.index(name) + 1, value=value)
    wb.save(tmp_path / "filled.xlsx")

    assert validate_paths([tmp_path / "filled.xlsx"]) == []
    f = dataset.load(tmp_path / "filled.xlsx").figures
    assert len(f) == 26
    assert set(f.source) == {"filled.xlsx#2026Q3"}
    first = ws.cell(row=2, column=1).value
    assert f[(f.locality_code == first) & (f.indicator == "satisfaction_rate")].value.tolist() == \
        [99.5]


def test_unknown_or_non_province_code_is_refused(tmp_path):
    with pytest.raises(ParameterError) as e:
        template.write_template("17266", "2026Q3", tmp_path / "x.xlsx")
    assert str(e.value) == ("province: 17266 Xã Tân Kỳ is a commune, not a province; give a "
                            "province code (e.g. 40 for Nghệ An)")
    with pytest.raises(ParameterError) as e:
        template.write_template("99", "2026Q3", tmp_path / "x.xlsx")
    assert str(e.value).startswith("province: unknown locality code '99' in the 2025 register")
