"""Every validation rule, with the exact ``file:row:column: message`` a user sees."""

from pathlib import Path

import openpyxl
import pandas as pd

from parbrief.ingest import template
from parbrief.ingest.validation import validate_appraisal, validate_figures, validate_paths

BAD = Path(__file__).parent / "data" / "bad"
GOOD = Path(__file__).parent / "data" / "good"
REQUIRED = {"procedures_total": 375, "procedures_published": 282, "procedures_online_full": 150,
            "records_received": 1200, "records_resolved": 1100, "records_resolved_on_time": 1080,
            "records_resolved_late": 20, "records_submitted_online": 900,
            "records_digitised": 800, "plan_tasks_assigned": 133, "plan_tasks_completed": 39}
HEADER = "the header must be locality_code,period,indicator,value,source"
DOT = "write a plain number with a dot as decimal separator and no thousands separator " \
      "(e.g. 1234 or 92.5)"


def problems(*paths):
    return [str(p) for p in validate_paths(list(paths))]


def test_good_data_set_and_bom_file_have_no_problems():
    assert problems(GOOD, GOOD / "bom.csv", GOOD / "figures.csv") == []


def test_missing_column():
    assert problems(BAD / "missing_column.csv") == [
        f"missing_column.csv:1:source: missing column source; {HEADER}"]


def test_extra_column_suggests_the_missing_name():
    assert problems(BAD / "extra_column.csv") == [
        f"extra_column.csv:1:note: unexpected column note; remove it ({HEADER})",
        f"extra_column.csv:1:valu: unexpected column valu; rename it to value or remove it "
        f"({HEADER})",
        f"extra_column.csv:1:value: missing column value; {HEADER}",
    ]


def test_malformed_period_uses_the_period_error():
    assert problems(BAD / "malformed_period.csv") == [
        "malformed_period.csv:13:period: malformed period '2026-13': write a quarter as 2026Q3 "
        "(also accepted: 2026-Q3, Q3/2026)"]


def test_unknown_indicator_suggests_the_closest():
    assert problems(BAD / "unknown_indicator.csv") == [
        "unknown_indicator.csv:13:indicator: unknown indicator 'apologies_isued'; did you mean "
        "apologies_issued? Use a name from the indicator catalogue (docs/data-format.md)"]


def test_unknown_locality_names_the_successors_of_a_merged_unit():
    assert problems(BAD / "unknown_locality.csv") == [
        "unknown_locality.csv:13:locality_code: unknown locality code '423' in the 2025 register "
        "(period 2026Q3). Huyện Tân Kỳ (423) existed until 30 June 2025; from 2025Q3 report under "
        "its successor: 17266 Xã Tân Kỳ, 17272 Xã Tân Phú, 17278 Xã Giai Xuân, 17284 Xã Nghĩa "
        "Đồng, 17287 Xã Tiên Đồng, 17305 Xã Tân An, 17326 Xã Nghĩa Hành"]


def test_negative_count():
    assert problems(BAD / "negative_count.csv") == [
        "negative_count.csv:8:value: negative count -3 for records_resolved_late; counts cannot "
        "be negative, correct the figure"]


def test_non_integer_count_and_a_thousands_dot():
    assert problems(BAD / "non_integer_count.csv") == [
        "non_integer_count.csv:5:value: non-integer count 1.2 for records_received; counts are "
        "whole numbers, correct the figure (if you meant 1200, write it without the dot)",
        "non_integer_count.csv:8:value: non-integer count 2.5 for records_resolved_late; counts "
        "are whole numbers, correct the figure",
    ]


def test_percent_outside_0_100():
    assert problems(BAD / "percent_range.csv") == [
        "percent_range.csv:13:value: percent 120 for satisfaction_rate is outside 0-100; write a "
        "percentage between 0 and 100 (e.g. 92.5)"]


def test_boolean_not_0_or_1():
    assert problems(BAD / "boolean.csv") == [
        "boolean.csv:13:value: one_stop_shop_operational is a yes/no figure and must be 0 or 1, "
        "got 2; write 1 for yes and 0 for no"]


def test_non_numeric_and_blank_value():
    assert problems(BAD / "non_numeric.csv") == [
        "non_numeric.csv:8:value: missing value for records_resolved_late; write the figure, or "
        "delete the row if it was not reported",
        f"non_numeric.csv:10:value: non-numeric value '92,5' for records_digitised; {DOT}",
    ]


def test_blank_code_and_indicator():
    assert problems(BAD / "blank_cells.csv") == [
        "blank_cells.csv:13:locality_code: missing locality_code; write the locality_code "
        "(e.g. 17266)",
        "blank_cells.csv:14:indicator: missing indicator; write the indicator "
        "(e.g. records_received)",
    ]


def test_part_larger_than_its_whole_is_reported_at_the_part():
    assert problems(BAD / "part_larger.csv") == [
        "part_larger.csv:7:value: records_resolved_on_time (120) is larger than records_resolved "
        "(100) for 00004 in 2026Q3; a part cannot exceed its whole, correct one of them "
        "(records_resolved is on line 6)"]


def test_duplicate_row_names_both_lines():
    assert problems(BAD / "duplicate.csv") == [
        "duplicate.csv:13:indicator: duplicate row: records_received for 00004 in 2026Q3 is "
        "given on lines 5 and 13; delete one of them"]


def test_wrong_parent_in_a_parent_code_column():
    found = problems(BAD / "wrong_parent.csv")
    assert len(found) == 11  # every row of Xã Tân Kỳ; Phường Ba Đình's parent 01 is right
    assert found[0] == (
        "wrong_parent.csv:13:parent_code: 17266 Xã Tân Kỳ belongs to 40 Tỉnh Nghệ An in 2026Q3, "
        "not to 41; correct parent_code or the locality code")


def test_required_figure_missing():
    assert problems(BAD / "required_missing.csv") == [
        "required_missing.csv:2:indicator: required figure records_digitised is missing for 00004 "
        "in 2026Q3, which reports other figures for that period; add it"]


def test_file_not_utf8_and_ragged_row():
    assert problems(BAD / "not_utf8.csv") == [
        "not_utf8.csv:2:: the file is not UTF-8 text; save it as \"CSV UTF-8\" (Excel) or with "
        "UTF-8 encoding"]
    assert problems(BAD / "ragged.csv") == [
        "ragged.csv:13:: 6 fields where the header has 5; a value probably holds an unquoted "
        "comma: quote it or remove the comma"]


def test_every_problem_in_every_file_sorted():
    found = problems(BAD / "negative_count.csv", BAD / "boolean.csv")
    assert [f.split(":")[0] for f in found] == ["boolean.csv", "negative_count.csv"]


def test_appraisal_table():
    found = problems(BAD / "appraisal")
    assert found[:7] == [
        "appraisal.csv:3:points: negative points -1 for criterion a1_propaganda; points cannot be negative, "
        "correct them",
        "appraisal.csv:4:points: non-numeric points 'two'; write a plain number with a dot as "
        "decimal separator (e.g. 2.5)",
        "appraisal.csv:5:criterion: duplicate row: criterion a1_leadership of par-commune for 00004 in "
        "2026Q3 is given on lines 2 and 5; delete one of them",
        "appraisal.csv:6:locality_code: unknown locality code '423' in the 2025 register (period "
        "2026Q3). Huyện Tân Kỳ (423) existed until 30 June 2025; from 2025Q3 report under its "
        "successor: 17266 Xã Tân Kỳ, 17272 Xã Tân Phú, 17278 Xã Giai Xuân, 17284 Xã Nghĩa Đồng, "
        "17287 Xã Tiên Đồng, 17305 Xã Tân An, 17326 Xã Nghĩa Hành",
        "appraisal.csv:7:period: malformed period 'Q5/2026': write a quarter as 2026Q3 or a "
        "year as 2026 (also accepted: 2026-Q3, Q3/2026)",
        "appraisal.csv:8:methodology: missing methodology; write the methodology "
        "(e.g. par-commune)",
        "appraisal.csv:9:points: missing points for criterion a1_directives; write the points awarded (0 if "
        "none), or delete the row",
    ]


def test_appraisal_header():
    df = pd.DataFrame({"methodology": ["par-commune"], "locality_code": ["17266"],
                       "period": ["2026Q3"], "criterion": ["1.1"], "point": ["2"],
                       "source": ["x"]})
    assert [str(p) for p in validate_appraisal(df, "appraisal.csv")] == [
        "appraisal.csv:1:point: unexpected column point; rename it to points or remove it (the "
        "header must be methodology,locality_code,period,criterion,points,source)",
        "appraisal.csv:1:points: missing column points; the header must be "
        "methodology,locality_code,period,criterion,points,source",
    ]


def test_validate_figures_on_a_frame_with_real_row_numbers():
    df = pd.DataFrame({"locality_code": ["17266", "17266"], "period": ["2026Q3", "2026Q3"],
                       "indicator": ["satisfaction_rate", "records_pending"],
                       "value": [101.0, -1.0], "source": ["a", "b"]})
    found = [str(p) for p in validate_figures(df, "export.csv", [40, 41])]
    assert len(found) == 13  # and 11 required figures missing
    assert [f for f in found if ":value:" in f] == [
        "export.csv:40:value: percent 101 for satisfaction_rate is outside 0-100; write a "
        "percentage between 0 and 100 (e.g. 92.5)",
        "export.csv:41:value: negative count -1 for records_pending; counts cannot be negative, "
        "correct the figure",
    ]


# --------------------------------------------------------------------------- wide workbooks


def _book(path, rows, title="2026Q3", header=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header or ["locality_code", "locality_name", "parent_code", *REQUIRED])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_wide_cell_problems_point_to_the_indicator_column(tmp_path):
    values = dict(REQUIRED, records_resolved_late=-3)
    values.pop("records_digitised")
    header = ["locality_code", "locality_name", "parent_code", *values]
    path = _book(tmp_path / "book.xlsx", [["17266", "Xã Tân Kỳ", "40", *values.values()]],
                 header=header)
    assert problems(path) == [
        "book.xlsx#2026Q3:2:records_digitised: required figure records_digitised is missing for "
        "17266 in 2026Q3, which reports other figures for that period; add it",
        "book.xlsx#2026Q3:2:records_resolved_late: negative count -3 for records_resolved_late; "
        "counts cannot be negative, correct the figure",
    ]


def test_wide_unknown_indicator_header_missing_code_column_and_bad_sheet_name(tmp_path):
    path = _book(tmp_path / "book.xlsx", [["17266", "Xã Tân Kỳ", "40", *REQUIRED.values(), 5]],
                 header=["locality_code", "locality_name", "parent_code", *REQUIRED,
                         "records_recieved_late"])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Sheet2").append(["code", "records_received"])
    wb.create_sheet("2026Q2").append(["code", "records_received"])
    wb.save(path)
    assert problems(path) == [
        "book.xlsx#2026Q2:1:locality_code: missing column locality_code; row 1 of each sheet "
        "must start with locality_code, locality_name, parent_code, then the indicator names",
        "book.xlsx#2026Q3:1:records_recieved_late: unknown indicator 'records_recieved_late'; "
        "did you mean records_resolved_late, records_received, records_resolved_on_time? Use a "
        "name from the indicator catalogue (docs/data-format.md)",
        "book.xlsx#Sheet2:0:sheet: malformed period 'Sheet2': write a quarter as 2026Q3 (also "
        "accepted: 2026-Q3, Q3/2026); name each sheet by its quarter (e.g. 2026Q3), or remove "
        "the sheet",
    ]


def test_wide_wrong_parent_duplicate_row_and_numeric_code(tmp_path):
    rows = [["17266", "Xã Tân Kỳ", "42", *REQUIRED.values()],
            ["17266", "Xã Tân Kỳ", "40", *REQUIRED.values()],
            [4, "Phường Ba Đình", "01", *REQUIRED.values()]]
    found = problems(_book(tmp_path / "book.xlsx", rows))
    assert found == [
        "book.xlsx#2026Q3:2:parent_code: 17266 Xã Tân Kỳ belongs to 40 Tỉnh Nghệ An in 2026Q3, "
        "not to 42; correct parent_code or the locality code",
        "book.xlsx#2026Q3:3:locality_code: duplicate row: locality 17266 is on rows 2 and 3; "
        "delete one of them",
        "book.xlsx#2026Q3:4:locality_code: unknown locality code '4' in the 2025 register "
        "(period 2026Q3). Closest codes: 48 Thành phố Đà Nẵng, 46 Thành phố Huế, 44 Tỉnh Quảng "
        "Trị. The cell holds a number, so leading zeros may be lost: format the "
        "locality_code column as Text and retype the code.",
    ]


def test_province_template_flags_a_unit_of_another_province(tmp_path):
    path = template.write_template("40", "2026Q3", tmp_path / "nghe-an.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["2026Q3"]
    header = [c.value for c in ws[1]]
    ws.append(["00004", "Phường Ba Đình", None])
    for name, value in REQUIRED.items():
        ws.cell(row=132, column=header.index(name) + 1, value=value)
    wb.save(path)
    assert problems(path) == [
        "nghe-an.xlsx#2026Q3:132:locality_code: 00004 Phường Ba Đình is in province 01 Thành phố "
        "Hà Nội, but this workbook was prepared for province 40 Tỉnh Nghệ An; move the row to "
        "that province's workbook or correct the code"]


def test_duplicate_across_files_of_one_data_set(tmp_path):
    (tmp_path / "figures.csv").write_bytes((GOOD / "bom.csv").read_bytes())
    _book(tmp_path / "book.xlsx", [["00004", "Phường Ba Đình", "01", *REQUIRED.values()]])
    found = problems(tmp_path)
    assert len(found) == 11
    assert found[0] == (
        "book.xlsx#2026Q3:2:plan_tasks_assigned: duplicate row: plan_tasks_assigned for 00004 in "
        "2026Q3 is given on figures.csv:11 and book.xlsx#2026Q3:2; delete one of them")


def test_empty_file_and_header_less_column(tmp_path):
    (tmp_path / "figures.csv").write_text("\n", encoding="utf-8")
    assert problems(tmp_path / "figures.csv") == [
        "figures.csv:1:: the file is empty; it needs a header row and one row per figure"]
    path = _book(tmp_path / "book.xlsx", [["17266", "Xã Tân Kỳ", "40", *REQUIRED.values(), 7]],
                 header=["locality_code", "locality_name", "parent_code", *REQUIRED, None])
    assert problems(path) == [
        "book.xlsx#2026Q3:1:O: column O has values but no header; write the indicator name in "
        "row 1"]
