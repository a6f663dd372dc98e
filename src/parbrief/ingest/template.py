"""The wide Excel template (biểu mẫu báo cáo) a province sends its localities each quarter.

One sheet named by the quarter, one row per unit in force in that quarter (legacy districts
before 2025Q3, 2025 communes from then on), pre-filled with code, name and parent; one column
per catalogue indicator. A second sheet lists the indicators with type, unit and labels.
``parbrief.ingest.dataset.load`` reads the filled workbook back.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from parbrief.core import catalogue
from parbrief.core.columns import WIDE_ID_COLUMNS
from parbrief.core.errors import ParameterError, UnknownLocalityError
from parbrief.core.files import atomic_write
from parbrief.core.periods import Quarter
from parbrief.ingest.readers import INDICATOR_SHEET, PROVINCE_PROPERTY
from parbrief.units import register

_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_REQUIRED_FILL = PatternFill("solid", fgColor="F8E0C0")

# Excel's own checks on typing; the messages are bilingual because the people filling the
# template are commune officials, while the files travel to analysts.
_RULES = {
    "count": dict(type="whole", operator="greaterThanOrEqual", formula1="0",
                  error="Số nguyên không âm / a whole number, 0 or more"),
    "percent": dict(type="decimal", operator="between", formula1="0", formula2="100",
                    error="Tỷ lệ % từ 0 đến 100 / a percentage from 0 to 100"),
    "boolean": dict(type="whole", operator="between", formula1="0", formula2="1",
                    error="1 = có / yes, 0 = không / no"),
}


def template_units(province_code: str, period: str | Quarter) -> list[register.Locality]:
    """Units a province's template lists: its districts (legacy) or its communes (2025)."""
    quarter = Quarter.parse(period)
    try:
        province = register.get(str(province_code), quarter)
    except UnknownLocalityError as e:
        raise ParameterError(f"province: {e}") from None
    if province.level != "province":
        raise ParameterError(
            f"province: {province.code} {province.name} is a {province.level}, not a province; "
            "give a province code (e.g. 40 for Nghệ An)")
    return register.children(province.code, quarter)


def write_template(province_code: str, period: str | Quarter, out_path: str | Path) -> Path:
    """Write the workbook for ``province_code``'s units in force in ``period``; return its path."""
    quarter = Quarter.parse(period)
    units = template_units(province_code, quarter)
    indicators = list(catalogue.catalogue().values())
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":  # an .xlsx written under a .csv name reads as junk
        raise ParameterError(f"{out_path}: the template is an Excel workbook; give a file name "
                             f"ending in .xlsx (e.g. {out_path.with_suffix('.xlsx').name})")

    wb = Workbook()
    ws = wb.active
    ws.title = str(quarter)
    headers = WIDE_ID_COLUMNS + [ind.name for ind in indicators]
    ws.append(headers)
    for unit in units:
        ws.append([unit.code, unit.name, unit.parent_code or ""])
    last = len(units) + 1
    # Codes are text: "01" must not become 1 when someone retypes or sorts the column.
    for row in ws.iter_rows(min_row=2, max_row=last, max_col=3):
        for cell in row:
            cell.number_format = "@"
    for i, name in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = 28 if i == 2 else max(12, len(name) + 2)
    for i, ind in enumerate(indicators, start=len(WIDE_ID_COLUMNS) + 1):
        letter = get_column_letter(i)
        if ind.required:
            ws.cell(row=1, column=i).fill = _REQUIRED_FILL
        if last >= 2:
            rule = _RULES[ind.type]
            dv = DataValidation(allow_blank=True, showErrorMessage=True,
                                errorTitle=ind.name, promptTitle=ind.name[:32],
                                prompt=f"{ind.labels.get('vi', '')} / {ind.labels.get('en', '')}"
                                [:255], showInputMessage=True, **rule)
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "D2"

    sheet = wb.create_sheet(INDICATOR_SHEET)
    sheet.append(["name", "type", "unit", "group", "required", "part_of", "label_vi", "label_en"])
    for ind in indicators:
        sheet.append([ind.name, ind.type, ind.unit, ind.group, "yes" if ind.required else "",
                      ", ".join(ind.part_of), ind.labels.get("vi", ""), ind.labels.get("en", "")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", (32, 9, 12, 14, 9, 28, 50, 50)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"

    # Read back by parbrief.ingest.dataset to flag rows of another province's units.
    wb.custom_doc_props.append(StringProperty(name=PROVINCE_PROPERTY, value=str(province_code)))
    wb.properties.title = f"parbrief template {province_code} {quarter}"
    book = io.BytesIO()  # a few hundred KB; written whole, so a full disk leaves no half file
    wb.save(book)
    atomic_write(out_path, book.getvalue())
    return out_path
