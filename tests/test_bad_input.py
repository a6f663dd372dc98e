"""The bad-input catalogue (docs/bad-input.md): one real file per case, and the exact answer.

Each case is a file under tests/data/bad-input/ (written by make_files.py there) and the exact
lines ``parbrief validate`` prints for it (``file:row:column: message``), or, for a file that is
read fine, what is read. A last group of tests checks the catalogue itself: every row has a case
here, every example file exists, and the message the catalogue shows is the one users get.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from parbrief.cli import app
from parbrief.core.errors import MethodologyError, ValidationError
from parbrief.ingest import dataset
from parbrief.ingest.validation import validate_paths
from parbrief.scoring import methodology

ROOT = Path(__file__).parents[1]
BAD = ROOT / "tests" / "data" / "bad-input"
DOC = ROOT / "docs" / "bad-input.md"
REQUIRED_TOTAL = 6079.0  # the sum of the required figures every example reports
SOURCE = "Báo cáo quý III/2026 của UBND xã Tân Kỳ"
HEADER = "the header must be locality_code,period,indicator,value,source"
UTF8 = 'save it as "CSV UTF-8" (Excel) or with UTF-8 encoding'
PERIOD = "write a quarter as 2026Q3 (also accepted: 2026-Q3, Q3/2026)"
UNMERGE = "unmerge them (Home → Merge & Center)"
CODE_ROWS = range(2, 13)  # the eleven lines of one locality's required figures


@dataclass(frozen=True)
class Case:
    file: str
    problems: str | tuple[str, ...] = ()  # every line `parbrief validate` prints; () = fine
    province: str | None = None  # checked as this province's own data set
    error: str = ""  # methodology files: the loader's message
    folders: tuple[str, ...] = ()  # several folders checked together (under ``file``)

    def __post_init__(self):
        if isinstance(self.problems, str):
            object.__setattr__(self, "problems", (self.problems,))


def each_row(file: str, rows, column: str, message: str) -> tuple[str, ...]:
    """The same problem on several rows (one line per row, as a user sees them)."""
    return tuple(f"{file}:{row}:{column}: {message}" for row in rows)


CASES: dict[int, Case] = {
    # ------------------------------------------------------------ files and encodings
    1: Case("01-empty.csv",
        "01-empty.csv:1:: the file is empty; it needs a header row and one row per figure"),
    2: Case("02-header-only.csv",
        "02-header-only.csv:1:: the file has a header but no figures; add one row per figure "
        "below the header, or remove the file"),
    3: Case("03-utf8-bom.csv"),
    4: Case("04-utf16-bom.csv"),
    5: Case("05-utf16-tab-no-bom.csv"),
    6: Case("06-windows-1258.csv",
        "06-windows-1258.csv:2:: the file is not UTF-8 text: it looks like Windows-1258 "
        f"(Vietnamese ANSI), in which this line reads '{SOURCE}'; {UTF8}"),
    7: Case("07-tcvn3-bytes.csv",
        "07-tcvn3-bytes.csv:2:: the file is not UTF-8 text: it looks like TCVN3 (ABC) text, from "
        "the old .VnTime fonts ('B¸o c¸o quý III/2026 cña UBND x· T©n Kú' for "
        f"'{SOURCE}' on this line); convert it to Unicode (e.g. Unikey's converter, "
        f"Ctrl+Shift+F6: source TCVN3 (ABC), destination Unicode), then {UTF8}"),
    8: Case("08-vni-bytes.csv",
        "08-vni-bytes.csv:2:: the file is not UTF-8 text: it looks like VNI text, from the old "
        "VNI-Times fonts ('Baùo caùo quyù III/2026 cuûa UBND xaõ Taân Kyø' for "
        f"'{SOURCE}' on this line); convert it to Unicode (e.g. Unikey's converter, "
        f"Ctrl+Shift+F6: source VNI Windows, destination Unicode), then {UTF8}"),
    9: Case("09-nfd-names.csv"),
    10: Case("10-tcvn3-text.csv",
        "10-tcvn3-text.csv:2:locality_name: 'X· T©n Kú' looks like TCVN3 (ABC) text, from the "
        "old .VnTime fonts; it reads 'Xã Tân Kỳ'. Convert it to Unicode (e.g. Unikey's "
        "converter, Ctrl+Shift+F6: source TCVN3 (ABC), destination Unicode; convert the file, "
        "then save it as \"CSV UTF-8\")"),
    11: Case("11-vni-text.xlsx",
        "11-vni-text.xlsx#2026Q3:2:locality_name: 'Xaõ Taân Kyø' looks like VNI text, from the "
        "old VNI-Times fonts; it reads 'Xã Tân Kỳ'. Convert it to Unicode (e.g. Unikey's "
        "converter, Ctrl+Shift+F6: source VNI Windows, destination Unicode; copy the cells, "
        "convert the clipboard and paste them back)"),
    12: Case("12-name-mismatch.csv", each_row(
        "12-name-mismatch.csv", CODE_ROWS, "locality_name",
        "locality_name 'Xã Tân Phú' does not match 17266 Xã Tân Kỳ, the unit with this code in "
        "2026Q3 ('Xã Tân Phú' is 17272 Xã Tân Phú in 2026Q3); correct the code or the name")),
    13: Case("13-western-ansi.csv",
        f"13-western-ansi.csv:2:: the file is not UTF-8 text; {UTF8}"),
    14: Case("14-old-excel.xls",
        "14-old-excel.xls:0:: an Excel 97-2003 workbook (.xls) is not read; open it in Excel "
        "and save it as \"Excel Workbook (.xlsx)\""),
    15: Case("15-csv-named-xlsx.xlsx",
        "15-csv-named-xlsx.xlsx:0:: the file is text (probably CSV) with an .xlsx name; rename "
        "it to .csv, or open it in Excel and save it as \"Excel Workbook (.xlsx)\""),
    16: Case("16-missing-column.csv",
        f"16-missing-column.csv:1:source: missing column source; {HEADER}"),
    17: Case("17-misspelt-column.csv", (
        ("17-misspelt-column.csv:1:valu: unexpected column valu; rename it to value or remove "
         f"it ({HEADER})"),
        f"17-misspelt-column.csv:1:value: missing column value; {HEADER}")),
    18: Case("18-unquoted-comma.csv",
        "18-unquoted-comma.csv:6:: 6 fields where the header has 5; a value probably holds an "
        "unquoted comma: quote it or remove the comma"),
    19: Case("19-semicolons.csv"),
    # ------------------------------------------------------------ workbooks
    20: Case("20-merged-header.xlsx",
        "20-merged-header.xlsx#2026Q3:1:D: header cells D1:F1 are merged ('Thủ tục hành "
        f"chính'); row 1 must hold one name per column: {UNMERGE} and write each column's "
        "locality_code, locality_name, parent_code or indicator name, with no group row above"),
    21: Case("21-title-rows.xlsx",
        "21-title-rows.xlsx#2026Q3:4:locality_code: the header (locality_code, ...) is on row 4, "
        "not row 1; delete rows 1-3 (titles) so that row 1 holds the header, as in the "
        "template"),
    22: Case("22-merged-cells.xlsx",
        "22-merged-cells.xlsx#2026Q3:2:parent_code: cells C2:C3 are merged, so only the first "
        f"holds a value; {UNMERGE} and fill in every row's own value"),
    23: Case("23-formula-saved-value.xlsx"),
    24: Case("24-formula-no-saved-value.xlsx",
        "24-formula-no-saved-value.xlsx#2026Q3:2:procedures_published: the cell holds a formula "
        "(=1+1) with no saved value; open and save the workbook in Excel or LibreOffice, or type "
        "the value"),
    25: Case("25-formula-error.xlsx",
        "25-formula-error.xlsx#2026Q3:2:procedures_published: the cell shows the error #DIV/0! "
        "from its formula (=D2/0); correct the formula or type the figure"),
    26: Case("26-hidden-sheet.xlsx",
        "26-hidden-sheet.xlsx#2026Q2:0:sheet: the sheet is hidden, so its figures were not read; "
        "show it (right-click a sheet tab → Unhide) if they count, or delete the sheet"),
    27: Case("27-very-hidden-sheet.xlsx",
        "27-very-hidden-sheet.xlsx#DanhMuc:0:sheet: the sheet is very hidden (Excel lists it "
        "only in the VBA editor) and not named by a quarter, so it was not read; show it (in the "
        "VBA editor, Alt+F11, set the sheet's Visible property to xlSheetVisible) and delete "
        "it"),
    28: Case("28-missing-quarter-sheet.xlsx",
        "28-missing-quarter-sheet.xlsx:0:sheet: no sheet for 2026Q2, between the sheets for "
        "2026Q1 and 2026Q3; add a sheet named 2026Q2 with that quarter's figures (parbrief "
        "template writes one), or keep only consecutive quarters in the workbook"),
    29: Case("29-no-quarter-sheet.xlsx",
        "29-no-quarter-sheet.xlsx:0:sheet: this workbook was prepared for 2026Q3, but no sheet "
        "is named by a quarter, so no figures were read; the figures go in a sheet named by "
        "their quarter (2026Q3), as parbrief template writes it"),
    30: Case("30-sheet-not-a-quarter.xlsx",
        f"30-sheet-not-a-quarter.xlsx#Sheet1:0:sheet: malformed period 'Sheet1': {PERIOD}; name "
        "each sheet by its quarter (e.g. 2026Q3), or remove the sheet"),
    31: Case("31-two-sheets-one-quarter.xlsx",
        "31-two-sheets-one-quarter.xlsx#Quý III-2026:0:sheet: sheet 'Quý III-2026' is for the "
        "same quarter (2026Q3) as sheet '2026Q3', so it was not read; keep one sheet per "
        "quarter: move its rows to that sheet and delete it"),
    32: Case("32-duplicate-column.xlsx",
        "32-duplicate-column.xlsx#2026Q3:1:records_received: column records_received appears "
        "twice in row 1 (columns G and O); keep one of them (column O was not read)"),
    33: Case("33-code-as-number.xlsx",
        "33-code-as-number.xlsx#2026Q3:3:locality_code: unknown locality code '4' in the 2025 "
        "register (period 2026Q3). Closest codes: 48 Thành phố Đà Nẵng, 46 Thành phố Huế, 44 "
        "Tỉnh Quảng Trị. The cell holds a number, so leading zeros may be lost: format the "
        "locality_code column as Text and retype the code."),
    34: Case("34-template-not-filled.xlsx",
        "34-template-not-filled.xlsx#2026Q3:0:sheet: the sheet has no figures (every indicator "
        "cell is blank); fill in the figures, or delete the sheet"),
    # ------------------------------------------------------------ numbers
    35: Case("35-count-thousands-dot.csv",
        "35-count-thousands-dot.csv:5:value: non-integer count 1.234 for records_received; "
        "counts are whole numbers, correct the figure (if you meant 1234, write it without the "
        "dot)"),
    36: Case("36-count-thousands-comma.csv",
        "36-count-thousands-comma.csv:5:value: ambiguous number '1,234' for records_received: "
        "it reads 1234 if the comma separates thousands, or 1.234 if it is a decimal comma "
        "(Vietnamese style); write it as a plain number with a dot as decimal separator and no "
        "thousands separator (1234 or 1.234)"),
    37: Case("37-percent-sign.csv",
        "37-percent-sign.csv:13:value: percent written as '75,2%' for satisfaction_rate; write "
        "the number alone, with a dot as decimal separator: 75.2"),
    38: Case("38-thousands-separators.csv",
        "38-thousands-separators.csv:5:value: value '1.234.567' for records_received has "
        "thousands separators; write a plain number with a dot as decimal separator and no "
        "thousands separator: 1234567"),
    39: Case("39-decimal-comma.csv",
        "39-decimal-comma.csv:13:value: non-numeric value '92,5' for satisfaction_rate; write a "
        "plain number with a dot as decimal separator and no thousands separator (e.g. 1234 or "
        "92.5)"),
    40: Case("40-negative-count.csv",
        "40-negative-count.csv:8:value: negative count -3 for records_resolved_late; counts "
        "cannot be negative, correct the figure"),
    41: Case("41-non-integer-count.csv",
        "41-non-integer-count.csv:8:value: non-integer count 2.5 for records_resolved_late; "
        "counts are whole numbers, correct the figure"),
    42: Case("42-percent-out-of-range.csv",
        "42-percent-out-of-range.csv:13:value: percent 120 for satisfaction_rate is outside "
        "0-100; write a percentage between 0 and 100 (e.g. 92.5)"),
    43: Case("43-boolean-not-0-1.csv",
        "43-boolean-not-0-1.csv:13:value: one_stop_shop_operational is a yes/no figure and must "
        "be 0 or 1, got 2; write 1 for yes and 0 for no"),
    44: Case("44-blank-value.csv",
        "44-blank-value.csv:8:value: missing value for records_resolved_late; write the figure, "
        "or delete the row if it was not reported"),
    45: Case("45-excel-error-in-csv.csv",
        "45-excel-error-in-csv.csv:10:value: the value is the Excel error #DIV/0!, not a figure; "
        "correct the formula that gave it in the workbook and export the file again, or type "
        "the figure"),
    # ------------------------------------------------------------ periods
    46: Case("46-period-spellings.csv"),
    47: Case("47-period-roman.csv",
        f"47-period-roman.csv:13:period: malformed period 'III/2026': {PERIOD}; did you mean "
        "2026Q3 (Quý III/2026)?"),
    48: Case("48-period-month-or-quarter.csv",
        f"48-period-month-or-quarter.csv:13:period: malformed period '3/2026': {PERIOD}; "
        "'3/2026' could be quarter 3 (2026Q3) or month 3 (2026Q1): write 2026Q3 or 2026Q1, "
        "whichever you mean"),
    49: Case("49-period-date.csv",
        f"49-period-date.csv:13:period: malformed period '30/09/2026': {PERIOD}; '30/09/2026' "
        "looks like a date: write the quarter it falls in, 2026Q3"),
    50: Case("50-period-malformed.csv",
        f"50-period-malformed.csv:13:period: malformed period '2026-13': {PERIOD}"),
    # ------------------------------------------------------------ localities
    51: Case("51-duplicate-row.csv",
        "51-duplicate-row.csv:13:indicator: duplicate row: records_received for 17266 in 2026Q3 "
        "is given on lines 5 and 13; delete one of them"),
    52: Case("52-duplicate-period-spellings.csv",
        "52-duplicate-period-spellings.csv:13:indicator: duplicate row: records_received for "
        "17266 in 2026Q3 is given on lines 5 and 13; delete one of them"),
    53: Case("53-duplicate-locality-row.xlsx",
        "53-duplicate-locality-row.xlsx#2026Q3:3:locality_code: duplicate row: locality 17266 "
        "is on rows 2 and 3; delete one of them"),
    54: Case("54-template-other-province.xlsx",
        "54-template-other-province.xlsx#2026Q3:132:locality_code: 00004 Phường Ba Đình is in "
        "province 01 Thành phố Hà Nội, but this workbook was prepared for province 40 Tỉnh Nghệ "
        "An; move the row to that province's workbook or correct the code"),
    55: Case("55-other-province.csv", each_row(
        "55-other-province.csv", range(13, 24), "locality_code",
        "00004 Phường Ba Đình is in province 01 Thành phố Hà Nội, but this data set is checked "
        "for province 40 Tỉnh Nghệ An only; remove the row, or correct the code"),
        province="40"),
    56: Case("56-merged-district.csv", each_row(
        "56-merged-district.csv", CODE_ROWS, "locality_code",
        "unknown locality code '423' in the 2025 register (period 2026Q3). Huyện Tân Kỳ (423) "
        "existed until 30 June 2025; from 2025Q3 report under its successor: 17266 Xã Tân Kỳ, "
        "17272 Xã Tân Phú, 17278 Xã Giai Xuân, 17284 Xã Nghĩa Đồng, 17287 Xã Tiên Đồng, 17305 "
        "Xã Tân An, 17326 Xã Nghĩa Hành")),
    57: Case("57-merged-commune.csv", each_row(
        "57-merged-commune.csv", CODE_ROWS, "locality_code",
        "unknown locality code '17269' in the 2025 register (period 2026Q3). Xã Tân Hợp (17269) "
        "existed until 30 June 2025; from 2025Q3 report under its successor: 17278 Xã Giai "
        "Xuân")),
    58: Case("58-code-before-it-existed.csv", each_row(
        "58-code-before-it-existed.csv", CODE_ROWS, "locality_code",
        "unknown locality code '19742' in the legacy register (period 2025Q2). Đặc khu Cồn Cỏ "
        "(19742) exists only from 1 July 2025 (2025Q3)")),
    59: Case("59-code-reused-wrong-period.csv", each_row(
        "59-code-reused-wrong-period.csv", CODE_ROWS, "locality_name",
        "locality_name 'Xã Tân Kỳ' does not match 17266 Thị trấn Tân Kỳ, the unit with this code "
        "in 2025Q2 (17266 is Xã Tân Kỳ from 2025Q3: codes are reused between registers, so "
        "check the period); correct the code or the name")),
    60: Case("60-leading-zeros-lost.csv", each_row(
        "60-leading-zeros-lost.csv", CODE_ROWS, "locality_code",
        "unknown locality code '4' in the 2025 register (period 2026Q3). Leading zeros were "
        "probably lost (Excel drops them when it opens a CSV file): did you mean 00004 Phường "
        "Ba Đình or 04 Tỉnh Cao Bằng? Write the code with its zeros and keep the column as "
        "text")),
    61: Case("61-unknown-code.csv", each_row(
        "61-unknown-code.csv", CODE_ROWS, "locality_code",
        "unknown locality code '17267' in the 2025 register (period 2026Q3). Closest codes: "
        "31726 Xã Gia Hòa, 21727 Xã Kim Sơn, 17827 Xã Nghi Lộc")),
    62: Case("62-wrong-parent.csv", each_row(
        "62-wrong-parent.csv", CODE_ROWS, "parent_code",
        "17266 Xã Tân Kỳ belongs to 40 Tỉnh Nghệ An in 2026Q3, not to 41; correct parent_code "
        "or the locality code")),
    # ------------------------------------------------------------ consistency
    63: Case("63-part-larger-than-whole.csv",
        "63-part-larger-than-whole.csv:7:value: records_resolved_on_time (1150) is larger than "
        "records_resolved (1100) for 17266 in 2026Q3; a part cannot exceed its whole, correct "
        "one of them (records_resolved is on line 6)"),
    64: Case("64-whole-missing.csv",
        "64-whole-missing.csv:13:indicator: payments_online is given for 17266 in 2026Q3 "
        "without records_payable, the figure it is part of; add records_payable (a part cannot "
        "be checked or turned into a rate without its whole), or delete payments_online"),
    65: Case("65-required-missing.csv",
        "65-required-missing.csv:2:indicator: required figure records_digitised is missing for "
        "17266 in 2026Q3, which reports other figures for that period; add it"),
    66: Case("66-unknown-indicator.csv",
        "66-unknown-indicator.csv:13:indicator: unknown indicator 'apologies_isued'; did you "
        "mean apologies_issued? Use a name from the indicator catalogue (docs/data-format.md)"),
    # ------------------------------------------------------------ appraisal points
    67: Case("67-appraisal-above-maximum.csv",
        "67-appraisal-above-maximum.csv:2:points: points 3 for criterion a1_leadership exceed "
        "its maximum 2.5; correct them"),
    68: Case("68-appraisal-unknown-criterion.csv",
        "68-appraisal-unknown-criterion.csv:2:criterion: unknown criterion 'a1_leadershp' in "
        "methodology par-commune; did you mean a1_leadership or a2_legal_errors or a4_villages? "
        "use a criterion id of par-commune"),
    # ------------------------------------------------------------ methodology files
    69: Case("69-unknown-rule.yaml", error=(
        "69-unknown-rule.yaml: areas[0] (procedures).criteria[0] (on_time).rule.type: unknown "
        "rule type 'ratio'; rule types are proportional, thresholds, boolean, appraisal, survey")),
    70: Case("70-criterion-above-area.yaml", error=(
        "70-criterion-above-area.yaml: areas[0] (procedures) criterion on_time: max 12 exceeds "
        "its area's max 10; lower the criterion's max or raise the area's")),
    71: Case("71-maximum-not-sum.yaml", error=(
        "71-maximum-not-sum.yaml: maximum: maximum is 25 but the areas add up to 20; make them "
        "equal")),
    72: Case("72-area-not-sum.yaml", error=(
        "72-area-not-sum.yaml: areas[0] (procedures).max: max is 11 but its criteria add up to "
        "10; make them equal")),
    73: Case("73-unknown-key.yaml", error=(
        "73-unknown-key.yaml: areas[0] (procedures).criteria[1]: unknown key 'rules'; did you "
        "mean 'rule'? Valid keys: assumption, criteria, id, max, name, rule, source")),
    # ------------------------------------------------------------ careless and hostile input
    74: Case("74-parts-exceed-whole.csv",
        "74-parts-exceed-whole.csv:8:value: records_resolved_on_time + records_resolved_late "
        "(493 + 500 = 993) is larger than records_resolved (523) for 17266 in 2026Q3; these "
        "parts of records_resolved do not overlap, so together they cannot exceed it: correct "
        "one of them (records_resolved is on line 6)"),
    75: Case("75-mistyped-year.csv",  # a warning: validate exits 0 and the data set loads
        "75-mistyped-year.csv:134:period: warning: 2036Q3 comes 40 quarters after the other "
        "figures (2026Q3) and only 1 unit reports it (17266), against 12 in 2026Q3: probably a "
        "mistyped period; correct it (until then, 'latest' in a params file skips this "
        "quarter)"),
    76: Case("76-full-width-value.csv",
        "76-full-width-value.csv:5:value: value '１２００' for records_received is typed in "
        "full-width digits (an input method's full-width mode); type it with ordinary digits: "
        "1200"),
    77: Case("77-full-width-code.csv", each_row(
        "77-full-width-code.csv", CODE_ROWS, "locality_code",
        "unknown locality code '１７２６６' in the 2025 register (period 2026Q3). The code is "
        "typed in full-width digits (an input method's full-width mode): did you mean 17266 Xã "
        "Tân Kỳ? Type it with ordinary digits")),
    78: Case("78-name-as-code.csv", each_row(
        "78-name-as-code.csv", CODE_ROWS, "locality_code",
        "unknown locality code 'Xã Tân Kỳ' in the 2025 register (period 2026Q3). It is a name, "
        "not a code: Xã Tân Kỳ has the code 17266; write the code in locality_code (the name "
        "may go in a locality_name column)")),
    79: Case("79-bidi-control.csv",
        "79-bidi-control.csv:2:source: source holds an invisible character that reorders how "
        "text is shown (U+202E RIGHT-TO-LEFT OVERRIDE) at character 22 of 'Báo cáo quý III/2026 "
        "<U+202E>CBU<U+202C> của xã Tân Kỳ'; delete it (retype the text, or paste it as plain "
        "text)"),
    80: Case("80-source-too-long.csv",
        "80-source-too-long.csv:2:source: source of 1,024 characters; a source names the "
        "document a figure comes from in at most 300 characters (e.g. 'Báo cáo số 123/BC-UBND "
        "ngày 15/9/2026 của UBND xã Tân Kỳ'): shorten it"),
    81: Case("81-two-folders", (
        "81-two-folders/quy2/figures.csv:8:value: negative count -3 for records_resolved_late; "
        "counts cannot be negative, correct the figure",
        "81-two-folders/quy3/figures.csv:8:value: non-integer count 2.5 for "
        "records_resolved_late; counts are whole numbers, correct the figure"),
        folders=("quy2", "quy3")),
    82: Case("82-too-many-rows.xlsx",
        "82-too-many-rows.xlsx#2026Q3:10002:: the sheet has more than 10,000 rows of figures (a "
        "province has at most about 560 communes; the country 3,321); keep one row per locality "
        "and delete the rest, or split the workbook"),
    83: Case("83-alias-bomb.yaml", error=(
        "83-alias-bomb.yaml:61:60: the alias *l2 repeats its anchor's values until the file "
        "holds more than 100,000 values (aliases nested in aliases, as in a \"billion laughs\" "
        "file); parbrief files need far fewer: write the values out instead of using aliases "
        "(&name, *name)")),
    84: Case("84-criteria-too-deep.yaml", error=(
        "84-criteria-too-deep.yaml: areas[0] (procedures).criteria[2] (desk).criteria[1] "
        "(desk_quality).criteria[0] (q3).criteria[0] (q4).criteria[0]: criteria nested 5 levels "
        "deep under their area; a methodology has at most 4 (criteria, sub-criteria and their "
        "parts): flatten the criteria")),
    85: Case("85-nested-3000-deep.yaml", error=(
        "85-nested-3000-deep.yaml:57:56: values nested more than 50 levels deep; parbrief "
        "files need only a few levels: check the indentation and the brackets")),
    86: Case("86-text-too-long.yaml", error=(
        "86-text-too-long.yaml: basis: a text of 2,720 characters; names, labels, assumptions "
        "and notes are at most 2,000: shorten it (cite the document rather than copy it)")),
}

# Params files (rows 90 and up) are checked by parbrief.runner.params and its own tests; the
# catalogue lists them with the others.
PARAMS_ROWS = range(90, 103)


def _figures(number: int) -> pd.DataFrame:
    return dataset.load(BAD / CASES[number].file).figures


def _read_fine(number: int) -> None:
    """What a file that must be read fine is read as."""
    f = _figures(number)
    assert f.locality_code.tolist() == ["17266"] * 11
    assert set(f.period) == {"2026Q3"}
    assert f.value.sum() == REQUIRED_TOTAL
    if number in (3, 4, 5, 9, 19):
        assert set(f.source) == {SOURCE}
        assert unicodedata.is_normalized("NFC", f.source.iloc[0])


READ_FINE = {
    3: _read_fine, 4: _read_fine, 5: _read_fine, 9: _read_fine, 19: _read_fine, 46: _read_fine,
    23: lambda n: (
        _read_fine(n),
        # The saved value (282), not what evaluating "=1+1" would give.
        _check(_figures(n).set_index("indicator").at["procedures_published", "value"] == 282.0)),
}


def _check(condition: bool) -> None:
    assert condition


def _errors(case: Case) -> list[str]:
    """The lines that are problems (a warning is printed, but the data set still loads)."""
    return [line for line in case.problems if ": warning: " not in line]


@pytest.mark.parametrize("number", sorted(CASES), ids=lambda n: f"case-{n:02d}")
def test_case(number, monkeypatch):
    case = CASES[number]
    path = BAD / case.file
    if case.error:
        with pytest.raises(MethodologyError) as e:
            methodology.load(str(path))
        assert str(e.value) == case.error
        return
    if case.folders:  # checked together, from the folder above them, as a user types it
        monkeypatch.chdir(BAD)
        paths = [Path(case.file) / f for f in case.folders]
        assert [str(p) for p in validate_paths(paths)] == list(case.problems)
        return
    assert [str(p) for p in validate_paths([path], province=case.province)] == \
        list(case.problems)
    if _errors(case):
        with pytest.raises(ValidationError) as e:
            dataset.load(path, province=case.province)
        assert [str(p) for p in e.value.problems] == _errors(case)
    elif number in READ_FINE:
        READ_FINE[number](number)
    else:  # warnings only: the figures are all read
        assert len(dataset.load(path).figures) == len(path.read_text("utf-8").splitlines()) - 1


def test_nfd_file_really_holds_decomposed_text_and_is_read_as_nfc():
    data = (BAD / "09-nfd-names.csv").read_bytes().decode("utf-8")
    assert not unicodedata.is_normalized("NFC", data)
    assert "Quy\u0301 III/2026" in data  # the period too: it is matched after normalisation
    f = _figures(9)
    assert f.source.iloc[0] == unicodedata.normalize("NFC", SOURCE)


def test_encodings_are_what_old_software_writes():
    assert (BAD / "03-utf8-bom.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert (BAD / "04-utf16-bom.csv").read_bytes()[:2] == b"\xff\xfe"
    assert (BAD / "05-utf16-tab-no-bom.csv").read_bytes()[:4] == b"l\x00o\x00"
    assert b"xa\xde T\xe2n Ky\xcc" in (BAD / "06-windows-1258.csv").read_bytes()
    assert b"x\xb7 T\xa9n K\xfa" in (BAD / "07-tcvn3-bytes.csv").read_bytes()
    assert b"xa\xf5 Ta\xe2n Ky\xf8" in (BAD / "08-vni-bytes.csv").read_bytes()


def test_workbooks_hold_what_the_cases_say():
    import openpyxl

    book = openpyxl.load_workbook(BAD / "26-hidden-sheet.xlsx")
    assert book["2026Q2"].sheet_state == "hidden"
    book = openpyxl.load_workbook(BAD / "27-very-hidden-sheet.xlsx")
    assert book["DanhMuc"].sheet_state == "veryHidden"
    book = openpyxl.load_workbook(BAD / "20-merged-header.xlsx")
    assert [str(r) for r in book["2026Q3"].merged_cells.ranges] == ["D1:F1"]
    with zipfile.ZipFile(BAD / "23-formula-saved-value.xlsx") as z:
        assert b'<c r="E2"><f>1+1</f><v>282</v></c>' in z.read("xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(BAD / "24-formula-no-saved-value.xlsx") as z:
        assert b'<c r="E2"><f>1+1</f><v /></c>' in z.read("xl/worksheets/sheet1.xml")


def test_a_province_scoped_check_is_opt_in():
    assert validate_paths([BAD / "55-other-province.csv"]) == []


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("number", [n for n in sorted(CASES) if not CASES[n].error
                                    and not CASES[n].province], ids=lambda n: f"case-{n:02d}")
def test_validate_command_prints_the_messages_and_never_a_traceback(number, monkeypatch):
    case = CASES[number]
    monkeypatch.chdir(BAD)
    paths = [str(Path(case.file) / f) for f in case.folders] or [str(BAD / case.file)]
    result = CliRunner().invoke(app, ["validate", *paths])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == (1 if _errors(case) else 0)
    assert result.stdout.splitlines() == list(case.problems)


GARBAGE = {
    "random.csv": bytes(range(256)) * 8,
    "nul.csv": b"locality_code,period,indicator,value,source\n17266,2026Q3,\0,1,x\n",
    "quote.csv": b'locality_code,period,indicator,value,source\n17266,2026Q3,"records_received',
    "crlf-only.csv": b"\r\n\r\n\r\n",
    "figures.parquet": b"PAR1 not really parquet",
    "truncated.xlsx": b"PK\x03\x04" + bytes(60),
    "zip-not-workbook.xlsx": None,  # a valid zip with no workbook inside
    "header-only.parquet": None,
    "only-a-header-row.xlsx": None,
}


def _garbage(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    if name == "zip-not-workbook.xlsx":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "xin chào")
    elif name == "header-only.parquet":
        pd.DataFrame({c: pd.Series([], dtype="str") for c in
                      ["locality_code", "period", "indicator", "value", "source"]}).to_parquet(path)
    elif name == "only-a-header-row.xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        wb.active.title = "2026Q3"
        wb.active.append(["locality_code", "locality_name", "parent_code", "records_received"])
        wb.save(path)
    else:
        path.write_bytes(GARBAGE[name])
    return path


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_garbage_gets_a_message_with_its_file_name(tmp_path, name):
    path = _garbage(tmp_path, name)
    found = validate_paths([path])
    assert found and all(p.file.startswith(name) for p in found), found
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    with pytest.raises(ValidationError):
        dataset.load(path)


def test_a_folder_with_an_old_excel_file_says_it_is_not_read(tmp_path):
    (tmp_path / "figures.csv").write_bytes((BAD / "03-utf8-bom.csv").read_bytes())
    (tmp_path / "quy3.xls").write_bytes((BAD / "14-old-excel.xls").read_bytes())
    expected = ("quy3.xls:0:: an Excel 97-2003 workbook (.xls) is not read; open it in Excel "
                "and save it as \"Excel Workbook (.xlsx)\"")
    assert [str(p) for p in validate_paths([tmp_path])] == [expected]


# --------------------------------------------------------------------------- the catalogue


def catalogue_rows() -> dict[int, list[str]]:
    """Row number -> cells of docs/bad-input.md's table."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\|\s*\d+\s*\|", line):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            assert len(cells) == 5, line
            number = int(cells[0])
            assert number not in rows, f"row {number} twice"
            rows[number] = cells
    return rows


def test_catalogue_has_a_test_and_a_real_file_for_every_row():
    rows = catalogue_rows()
    data_rows = [n for n in rows if n not in PARAMS_ROWS]
    assert len(data_rows) >= 30
    assert sorted(data_rows) == sorted(CASES), "catalogue rows and test cases differ"
    for number, cells in rows.items():
        files = re.findall(r"`(tests/data/bad-input/[^`]+)`", cells[2])
        if number in PARAMS_ROWS and not files:
            assert "placeholder" in " ".join(cells).lower(), cells
            continue
        assert files, f"row {number} names no example file"
        for f in files:
            assert (ROOT / f).is_file() or (number in CASES and CASES[number].folders and
                                           (ROOT / f).is_dir()), f"row {number}: {f} does not exist"
        if number in CASES:
            assert Path(files[0]).name == CASES[number].file, number


def test_catalogue_shows_the_message_users_get():
    for number, cells in catalogue_rows().items():
        if number not in CASES:
            continue
        case = CASES[number]
        shown = re.findall(r"`([^`]+)`", cells[3])
        expected = case.error or (case.problems[0] if case.problems else "")
        if expected:
            assert shown and shown[0] == expected, f"row {number}: {shown[:1]} != {expected!r}"
        else:
            assert cells[3].lower().startswith("read fine"), number


# --------------------------------------------------------------------------- details of rows


@pytest.mark.parametrize(("text", "hint"), [
    ("2026/Q3", "; did you mean 2026Q3?"),
    ("Q3 2026", "; did you mean 2026Q3?"),
    ("09/2026", "; '09/2026' looks like a month: write the quarter it falls in, 2026Q3"),
    ("2026-09-30", "; '2026-09-30' looks like a date: write the quarter it falls in, 2026Q3"),
    ("03/09/2026", ("; '03/09/2026' looks like a date, in 2026Q3 read as day/month or in 2026Q1 "
                    "read as month/day: write 2026Q3 or 2026Q1, whichever you mean")),
    ("2026", "; 2026 is a year: write one of its quarters, e.g. 2026Q1"),
    ("Q3", "; the year is missing: write e.g. 2026Q3"),
    ("Q5/2026", ""),
])
def test_period_hints(text, hint):
    from parbrief.ingest.messages import messages

    assert messages.period(text) == f"malformed period {text!r}: {PERIOD}{hint}"


@pytest.mark.parametrize(("text", "plain"), [
    ("1,234.5", "1234.5"), ("1.234,5", "1234.5"), ("1 234", "1234"), ("12\u00a0345", "12345")])
def test_thousands_separators_give_the_plain_number(text, plain):
    from parbrief.ingest.messages import messages

    assert messages.not_a_number(text, "records_received", "count") == (
        f"value {text!r} for records_received has thousands separators; write a plain number "
        f"with a dot as decimal separator and no thousands separator: {plain}")


@pytest.mark.parametrize(("head", "what"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     ("an Excel 97-2003 workbook, or a workbook protected by a password, with an .xlsx name; "
      "remove the password (File → Info → Protect Workbook) and save it as \"Excel Workbook "
      "(.xlsx)\"")),
    (b"<html><table><tr><td>17266</td></tr></table></html>",
     ("a web page (HTML) with an .xlsx name, as some systems export; open it in Excel and save "
      "it as \"Excel Workbook (.xlsx)\"")),
    (b"PK\x03\x04" + bytes(60),
     ("a damaged or incomplete workbook (cut short, as by an interrupted copy or download); ask "
      "for it again, or open it in Excel and save it again")),
])
def test_what_a_file_with_an_xlsx_name_really_is(tmp_path, head, what):
    path = tmp_path / "book.xlsx"
    path.write_bytes(head + bytes(512))
    assert [str(p) for p in validate_paths([path])] == [f"book.xlsx:0:: the file is {what}"]


def _register_names() -> list[str]:
    from parbrief.units import register

    return sorted(set(register.table(register.LEGACY).name)
                  | set(register.table(register.REG_2025).name))


def test_no_unit_name_of_either_register_is_taken_for_legacy_text():
    from parbrief.ingest.encodings import legacy_text
    from parbrief.ingest.validation import _legacy

    names = _register_names()
    assert len(names) > 9000
    # One genuine ethnic-minority name reads as TCVN3 ("Púch" is no Vietnamese syllable, "Pỳch"
    # would be); names are looked up in the register before they are suspected.
    assert [n for n in names if legacy_text(n)] == ["Xã Ia Púch"]
    assert [n for n in names if _legacy(n)] == []


def test_every_unit_name_typed_in_a_legacy_font_is_recognised():
    from parbrief.ingest.encodings import _TCVN3, _VNI, legacy_text

    to_tcvn3 = {letter: code for code, letter in _TCVN3.items()}
    to_vni: dict[str, str] = {}
    for code, letter in _VNI.items():
        to_vni.setdefault(letter, code)
    missed = {"TCVN3": [], "VNI": []}
    for name in _register_names():
        # TCVN3 has no capitals with tones (they were typed with .VnTimeH): compare lowercase.
        for encoding, typed, same in (
                ("TCVN3", "".join(to_tcvn3.get(ch, to_tcvn3.get(ch.lower(), ch)) for ch in name),
                 str.lower),
                ("VNI", "".join(to_vni.get(ch, ch) for ch in name), str)):
            found = legacy_text(typed) if typed != name else (encoding, name)
            if found is None or found[0] != encoding or same(found[1]) != same(name):
                missed[encoding].append(name)
    # Two names of a few letters each that fit both encodings or neither.
    assert missed == {"TCVN3": ["Xã Chrôh Pơnan", "Xã Ia Púch"], "VNI": ["Xã Chrôh Pơnan"]}


def test_windows_1258_tcvn3_and_vni_files_of_unit_names_are_told_apart():
    from parbrief.ingest.encodings import _TCVN3, _VNI, guess_encoding

    tones = "\u0300\u0301\u0303\u0309\u0323"

    def cp1258(text: str) -> bytes:  # base letter, then the tone as a combining mark
        out = b""
        for ch in text:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
            out += base.encode("cp1258") + "".join(c for c in d if c in tones).encode("cp1258")
        return out

    to_tcvn3 = {letter: code for code, letter in _TCVN3.items()}
    to_vni: dict[str, str] = {}
    for code, letter in _VNI.items():
        to_vni.setdefault(letter, code)
    names = _register_names()
    for i in range(0, len(names), 25):  # files of 25 names
        text = "\n".join(names[i:i + 25])
        tcvn3 = "".join(to_tcvn3.get(ch, to_tcvn3.get(ch.lower(), ch)) for ch in text)
        vni = "".join(to_vni.get(ch, ch) for ch in text)
        assert guess_encoding(cp1258(text))[0] == "Windows-1258", names[i]
        assert guess_encoding(tcvn3.encode("latin-1"))[0] == "TCVN3", names[i]
        assert guess_encoding(vni.encode("cp1252"))[0] == "VNI", names[i]


@pytest.mark.parametrize(("name", "same"), [
    ("Thị trấn Tân Kỳ", True), ("Tân Kỳ", True), ("TT Tân Kì", True), ("thi tran tan ky", True),
    ("Xã Tân Kỳ", False), ("Tân Phú", False)])
def test_names_are_compared_as_people_write_them(name, same):
    from parbrief.ingest.validation import _name_matches
    from parbrief.units import register

    assert _name_matches(name, register.get("17266", "2025Q2")) is same


@pytest.mark.parametrize("name,message", [
    ("90-unknown-key.yaml", "{file}: unknown key 'langauges'; did you mean 'languages'? allowed "
     "keys: name, province, parent, level, periods, localities, data, methodology, reports, "
     "languages, formats, output, apportionment, executor, workers, timeout, notebooks, "
     "committee"),
    ("91-wrong-type.yaml", "{file}: key 'workers': must be a positive whole number, got 'two' "
     "(str) (e.g. workers: 2)"),
    ("92-outside-project.yaml", "{file}: key 'output': '/etc/parbrief' is outside the project "
     "folder {project} (it resolves to /etc/parbrief); give a path inside the project "
     "(e.g. output: ../reports)"),
    ("93-methodology-outside.yaml", "{file}: key 'methodology': "
     "'/srv/methodologies/par-commune.yaml' is outside the project folder {project} (it "
     "resolves to /srv/methodologies/par-commune.yaml); give a path inside the project (e.g. "
     "methodology: par-commune)"),
    ("94-timeout-fraction.yaml", "{file}: key 'timeout': must be a positive whole number of "
     "seconds, got 90.5 (float) (e.g. timeout: 600)"),
    ("95-quarter-without-data.yaml", "{file}: key 'periods': data set {data} has no figures "
     "for 1999Q1 from the communes of 40 Tỉnh Nghệ An; for 40 Tỉnh Nghệ An it holds figures of "
     "districts 2025Q2 and communes 2026Q3: give one of those quarters, or periods: [latest]"),
    ("96-level-without-data.yaml", "{file}: key 'level': data set {data} has no figures from "
     "the communes of 40 Tỉnh Nghệ An in 2025Q2, only from its districts: use level: district "
     "(or a quarter it holds communes for: 2026Q3)"),
    ("97-alias-bomb.yaml", "{file}:4:65: the alias *l2 repeats its anchor's values until the "
     "file holds more than 100,000 values (aliases nested in aliases, as in a \"billion "
     "laughs\" file); parbrief files need far fewer: write the values out instead of using "
     "aliases (&name, *name)"),
    ("98-duplicate-key.yaml", "{file}:8:1: the key 'periods' is given twice (first on line 4); "
     "keep one of them"),
    ("99-output-a-file.yaml", "{file}: key 'output': '../data/figures.csv' is not a folder: "
     "{data}/figures.csv is a file; give a folder for the reports (e.g. output: ../reports)"),
    ("100-committee-unknown-field.yaml", "{file}: key 'committee': unknown field 'signer'; did "
     "you mean 'signer_name'? its fields are: issuing_body, parent_body, symbol, place, "
     "signer_authority, signer_title, signer_name, recipients, appendix_to"),
    ("101-committee-recipients-not-a-list.yaml", "{file}: key 'committee.recipients': must be a "
     "list of recipients, got 'Ban Chỉ đạo CCHC tỉnh' (e.g. recipients: [\"Ban Chỉ đạo CCHC "
     "tỉnh\", \"Lưu: VT\"])"),
    ("102-committee-appendix-not-a-mapping.yaml", "{file}: key 'committee.appendix_to': must be "
     "a mapping of fields (appendix, report_number, report_symbol, report_date, issuer), got "
     "'Báo cáo số 12/BC-UBND'; write appendix_to: {{}} to leave every field blank"),
])
def test_params_file_cases(name, message):
    from parbrief.core.errors import ParameterError
    from parbrief.runner.params import load

    file = BAD / "params-project" / "params" / name
    with pytest.raises(ParameterError) as e:
        load(file)
    text = str(e.value)
    shown_file = re.split(r"(?::\d+:\d+)?: ", text, maxsplit=1)[0]
    assert shown_file.endswith(f"params/{name}")
    project = text.split("outside the project folder ", 1)[-1].split(" (it resolves", 1)[0]
    # the data folder as published: relative to the project (here the repository)
    data = (BAD / "params-project" / "data").relative_to(ROOT).as_posix()
    assert text == message.format(file=shown_file, project=project, data=data)
