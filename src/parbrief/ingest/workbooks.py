"""Reading an .xlsx workbook once, as a stream, within limits a real workbook never reaches.

A workbook is a zip of XML files, and zip compresses repetition a thousandfold: a 1.9 MB file
held 3 million rows of 10 cells (483 MB of XML) and, loaded whole by openpyxl (twice: saved
values, then formulas), took 2 min 34 s and 5.7 GB before a MemoryError. So parbrief

* checks the sizes the zip's directory declares before reading anything (Python's zipfile
  never gives out more bytes than declared): at most ``MAX_UNCOMPRESSED`` in all, and
  ``MAX_PART`` for each part read whole (shared strings, styles);
* reads each sheet's XML as a stream (``iterparse``), once, taking the saved value and the
  formula of each cell together, keeping only filled cells;
* stops at the first row, column or cell beyond ``MAX_ROWS`` data rows per sheet, ``MAX_COLUMNS``
  columns, ``MAX_CELLS`` filled cells in the workbook, ``MAX_SHEETS`` sheets or ``MAX_MERGES``
  merged ranges per sheet, and says which limit and where.

openpyxl (read-only) still reads what is small: the sheet list and states, shared strings,
styles (for number formats) and document properties.

The limits, against the largest real inputs: a province has at most about 560 legacy communes
and the whole country 3,321 communes (2025) or about 700 legacy districts; the template has 48
columns; a province workbook of 20 quarters holds about 120,000 filled cells.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from parbrief.core.errors import ParbriefError

# The document property a workbook made by ``parbrief template`` names its province in.
PROVINCE_PROPERTY = "parbrief_province"

MAX_UNCOMPRESSED = 50 * 1024 * 1024  # bytes of XML in all the workbook's parts
MAX_PART = 10 * 1024 * 1024  # bytes of any part read whole (shared strings, styles, ...)
MAX_ROWS = 10_000  # data rows per sheet (the header row aside)
MAX_COLUMNS = 200
MAX_CELLS = 1_000_000  # filled cells in the whole workbook
MAX_SHEETS = 100
MAX_MERGES = 10_000  # merged ranges per sheet
MAX_ROW_ELEMENTS = 10 * MAX_ROWS  # rows of any kind, blank ones included

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _FORMULA = f"{_NS}row", f"{_NS}c", f"{_NS}v", f"{_NS}f"
_INLINE, _TEXT, _MERGE = f"{_NS}is", f"{_NS}t", f"{_NS}mergeCell"


class WorkbookTooLarge(ParbriefError):
    """A workbook beyond one of the limits; ``where`` is the sheet (or "" for the file)."""

    def __init__(self, message: str, sheet: str = "", row: int = 0, column: str = ""):
        self.sheet, self.row, self.column = sheet, row, column
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Cell:
    """A filled cell: its saved value (None if the formula has none), its formula, its style."""

    row: int
    column: int  # 1-based
    value: object
    formula: str | None = None
    style: int = 0


@dataclass
class Sheet:
    title: str
    state: str  # visible | hidden | veryHidden
    path: str  # the part of the zip holding its XML


@dataclass
class SheetContent:
    rows: list[list[Cell]]  # rows with at least one filled cell, in order; cells by column
    merged: list = field(default_factory=list)  # openpyxl CellRange objects


@dataclass
class Workbook:
    """An open workbook: properties and sheets, each read once with ``read``."""

    path: Path
    title: str
    province: str  # the template's ``parbrief_province`` property, "" if none
    sheets: list[Sheet]
    _reader: object = None
    _formats: dict = field(default_factory=dict)
    _cells: int = 0

    def number_format(self, cell: Cell) -> str:
        """The cell's number format ("0.0%" for a percentage)."""
        from types import SimpleNamespace

        from openpyxl.cell.read_only import ReadOnlyCell

        if cell.style not in self._formats:
            try:  # a read-only cell finds its styles through its sheet's workbook
                sheet = SimpleNamespace(parent=self._reader.wb)
                shown = ReadOnlyCell(sheet, cell.row, cell.column, cell.value,
                                     style_id=cell.style).number_format
            except (IndexError, KeyError, AttributeError):  # a style the workbook lacks
                shown = ""
            self._formats[cell.style] = shown or ""
        return self._formats[cell.style]

    def read(self, sheet: Sheet) -> SheetContent:
        """The filled cells and merged ranges of a sheet, streamed, within the limits.

        Every element is dropped from the tree as soon as it ends (a cell once it is read, a
        row once its cells are), so whatever the sheet's size the XML held at once is one
        cell's and its ancestors'."""
        from openpyxl.worksheet.cell_range import CellRange
        from openpyxl.xml.functions import iterparse

        strings = self._reader.shared_strings
        rows: list[list[Cell]] = []
        merged: list = []
        row_elements = 0
        open_elements: list = []
        in_cell = 0
        number = column = 0
        cells: list[Cell] = []
        with self._reader.archive.open(sheet.path) as source:
            for event, element in iterparse(source, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    open_elements.append(element)
                    if tag == _CELL:
                        in_cell += 1
                    elif tag == _ROW:
                        row_elements += 1
                        if row_elements > MAX_ROW_ELEMENTS:
                            raise WorkbookTooLarge(
                                f"the sheet has more than {MAX_ROW_ELEMENTS:,} rows, most of "
                                "them blank; delete the blank rows below the figures",
                                sheet.title)
                        cells, column = [], 0
                        try:
                            number = int(element.get("r"))
                        except (TypeError, ValueError):
                            number += 1
                    continue
                open_elements.pop()
                if tag == _CELL:
                    in_cell -= 1
                    ref = element.get("r")
                    column = _column_of(ref) if ref else column + 1
                    cell = _cell(element, number, column, strings)
                    if cell is not None:
                        self._add(cell, sheet)
                        cells.append(cell)
                elif tag == _ROW and cells:
                    cells.sort(key=lambda c: c.column)
                    rows.append(cells)
                    cells = []
                    if len(rows) - 1 > MAX_ROWS:  # the first row is the header
                        raise WorkbookTooLarge(
                            f"the sheet has more than {MAX_ROWS:,} rows of figures (a province "
                            "has at most about 560 communes; the country 3,321); keep one row "
                            "per locality and delete the rest, or split the workbook",
                            sheet.title, number)
                elif tag == _MERGE:
                    ref = element.get("ref")
                    if ref and ":" in ref:
                        merged.append(CellRange(ref))
                        if len(merged) > MAX_MERGES:
                            raise WorkbookTooLarge(
                                f"the sheet has more than {MAX_MERGES:,} merged ranges; unmerge "
                                "the cells (Home → Merge & Center)", sheet.title)
                if open_elements and not in_cell:  # a cell's parts stay until the cell ends
                    open_elements[-1].remove(element)
        return SheetContent(rows, merged)

    def _add(self, cell: Cell, sheet: Sheet) -> None:
        if cell.column > MAX_COLUMNS:
            raise WorkbookTooLarge(
                f"the sheet has a value in column {_letter(cell.column)}, beyond the "
                f"{MAX_COLUMNS} columns a workbook may have (the template has 48); delete the "
                "columns after the last indicator", sheet.title, cell.row, _letter(cell.column))
        self._cells += 1
        if self._cells > MAX_CELLS:
            raise WorkbookTooLarge(
                f"the workbook has more than {MAX_CELLS:,} filled cells (a province workbook of "
                "20 quarters has about 120,000); split it into smaller workbooks", sheet.title,
                cell.row)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.archive.close()


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(min(column, 16384))


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text and "E" not in text.upper() \
        else value


def _cell(c, row: int, column: int, strings) -> Cell | None:
    """A ``<c>`` element as a Cell; None when it holds neither a value nor a formula."""
    kind = c.get("t", "n")
    f = c.find(_FORMULA)
    formula = None if f is None else "=" + (f.text or "")
    if kind == "inlineStr":
        inline = c.find(_INLINE)
        value = "".join(t.text or "" for t in inline.iter(_TEXT)) if inline is not None \
            else None
    else:
        text = c.findtext(_VALUE)
        if text is None or text == "":
            value = None
        elif kind == "s":
            value = _shared(strings, text)
        elif kind == "b":
            value = text.strip() not in ("0", "")
        elif kind in ("str", "e", "d"):
            value = text
        else:
            value = _number(text)
    if value is None and formula is None:
        return None
    style = c.get("s")
    return Cell(row, column, value, formula, int(style) if style and style.isdigit() else 0)


def _shared(strings, index: str):
    try:
        value = strings[int(index)]
    except (ValueError, IndexError):
        return None
    return getattr(value, "__str__", lambda: value)() if value is not None else None


def _column_of(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n


def open_workbook(path: Path) -> Workbook:
    """Check the declared sizes, then read the workbook's small parts (openpyxl, read-only).

    Raises ``WorkbookTooLarge`` beyond the limits, ``zipfile.BadZipFile`` for a file that is no
    zip, and openpyxl's errors for a zip that is no workbook."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    with zipfile.ZipFile(path) as z:
        parts = z.infolist()
    declared = sum(i.file_size for i in parts)
    # Shared strings, styles and the rest are read whole by openpyxl: each is held to less.
    whole = max((i for i in parts if not i.filename.startswith("xl/worksheets/")),
                key=lambda i: i.file_size, default=None)
    if whole is not None and whole.file_size > MAX_PART:
        raise WorkbookTooLarge(
            f"the workbook's part {whole.filename} unpacks to {whole.file_size / 2**20:,.0f} "
            f"MiB, more than the {MAX_PART // 2**20} MiB it may hold (a province's names and "
            "headers take a few KiB); it is probably damaged or not a figures workbook: save the "
            "figures again in a new workbook, or as CSV")
    if declared > MAX_UNCOMPRESSED:
        raise WorkbookTooLarge(
            f"the workbook unpacks to {declared / 2**20:,.0f} MiB of XML, more than the "
            f"{MAX_UNCOMPRESSED // 2**20} MiB a workbook may hold (a province workbook of 20 "
            "quarters holds about 5 MiB); it is probably damaged or not a figures workbook: "
            "save the figures again in a new workbook, or as CSV")
    reader = ExcelReader(str(path), read_only=True, keep_links=False, data_only=True)
    try:
        # ExcelReader.read() without its last step: opening a read-only worksheet parses the
        # sheet up to its <dimension>, the whole sheet when there is none (a bomb leaves it out).
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        reader.read_properties()
        reader.read_custom()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [Sheet(s.name, s.state or "visible", rel.target)
                  for s, rel in reader.parser.find_sheets()]
        if len(sheets) > MAX_SHEETS:
            raise WorkbookTooLarge(
                f"the workbook has {len(sheets)} sheets, more than the {MAX_SHEETS} a workbook "
                "may have (one per quarter); split it into smaller workbooks")
        province = ""
        for prop in getattr(reader.wb, "custom_doc_props", []) or []:
            if prop.name == PROVINCE_PROPERTY:
                province = str(prop.value)
        title = reader.wb.properties.title or ""
    except BaseException:
        reader.archive.close()
        raise
    return Workbook(Path(path), title, province, sheets, reader)
