"""Reading a data set's files into raw tables: CSV (UTF-8 or UTF-16), Parquet and Excel
workbooks, every row keeping its file and line so that validation can point to the cell to fix.

Codes and periods are always read as text, so ``"01"`` (Hà Nội) stays ``"01"``. Excel cells are
read as their saved values; formulas are never evaluated. Text is normalised to Unicode NFC.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from parbrief.core import catalogue
from parbrief.core.columns import FIGURE_COLUMNS, WIDE_ID_COLUMNS
from parbrief.core.errors import PeriodError, Problem
from parbrief.core.periods import Quarter, quarter_range
from parbrief.ingest import workbooks
from parbrief.ingest.encodings import EXCEL_ERRORS, guess_encoding
from parbrief.ingest.messages import messages

# The template's catalogue sheet; any other sheet must be named by a quarter.
INDICATOR_SHEET = "indicators"


PROVINCE_PROPERTY = workbooks.PROVINCE_PROPERTY


FIGURE_FILE_NAMES = ("figures.csv", "figures.parquet")


APPRAISAL_FILE_NAME = "appraisal.csv"


# A data set's own methodology files (``methodologies/<id>.yaml``): part of its files, so a
# revised criteria set is a changed data set.
METHODOLOGY_FOLDER = "methodologies"


# Bookkeeping columns carried by raw tables (never part of a loaded data set).
META = ["_file", "_row", "_column", "_code_numeric", "_province", "_skip", "_scope"]


# Where a sheet's header is searched for when row 1 does not hold it (title rows above it).
HEADER_SEARCH_ROWS = 20


_TEMPLATE_TITLE = re.compile(r"^parbrief template (?P<province>\S+) (?P<period>\d{4}Q[1-4])$")


_OTHER_SPREADSHEETS = (".xls", ".ods", ".xlsb", ".numbers")


def dataset_files(path: Path) -> tuple[list[Path], Path | None, list[Problem]]:
    """The figures files and the appraisal file of a data set folder or single file."""
    path = Path(path)
    if not path.exists():
        return [], None, [Problem(str(path), 0, "", "no such file or folder; check the path")]
    if path.is_file():
        if path.suffix.lower() not in (".csv", ".parquet", ".xlsx", ".xlsm"):
            return [], None, [Problem(path.name, 0, "", messages.unsupported_file(path.suffix))]
        if _is_appraisal_file(path):
            return [], path, []
        return [path], None, []
    figures = [path / n for n in FIGURE_FILE_NAMES if (path / n).is_file()]
    # "~$book.xlsx" is the lock file Excel leaves next to an open workbook.
    figures += sorted(p for p in path.glob("*.xlsx") if not p.name.startswith("~$"))
    appraisal = path / APPRAISAL_FILE_NAME
    problems = []
    # A workbook the user meant to send but in a format never read: say so rather than skip it.
    for other in sorted(p for p in path.iterdir() if p.suffix.lower() in _OTHER_SPREADSHEETS
                        and not p.name.startswith("~$")):
        problems.append(Problem(other.name, 0, "", messages.unsupported_file(other.suffix)))
    if not figures and not appraisal.is_file():  # points alone make a data set (annual index)
        problems.append(Problem(str(path), 0, "", (
            "no figures file in this folder; add figures.csv, figures.parquet or an .xlsx "
            "workbook, or appraisal.csv for a data set of points only (see "
            "docs/data-format.md)")))
    return figures, appraisal if appraisal.is_file() else None, problems


def methodology_files(path: Path) -> list[Path]:
    """The YAML files of a data set folder's ``methodologies/`` folder, by name."""
    folder = Path(path) / METHODOLOGY_FOLDER
    if not Path(path).is_dir() or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in (".yaml", ".yml"))


def data_files(path: Path) -> tuple[list[Path], list[Problem]]:
    """Every file a data set is made of (figures, appraisal points, its own methodologies)."""
    figures, appraisal, problems = dataset_files(Path(path))
    return figures + ([appraisal] if appraisal else []) + methodology_files(Path(path)), problems


def relative_name(path: Path, top: Path) -> str:
    """A data set file's name inside its folder (``methodologies/x.yaml``)."""
    try:
        return Path(path).relative_to(top).as_posix() if Path(top).is_dir() else Path(path).name
    except ValueError:
        return Path(path).name


def _is_appraisal_file(path: Path) -> bool:
    if path.name.lower().startswith("appraisal"):
        return True
    if path.suffix.lower() != ".csv":
        return False
    try:
        with path.open("rb") as f:
            text, _ = _decode(f.read(4096), path.name)
    except OSError:
        return False
    header = (text or "").split("\n", 1)[0]
    return "criterion" in header and "points" in header


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def cell_text(value) -> str:
    """A cell or field as text: numbers without a spurious ``.0``, blanks as ``""``, NFC."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return _nfc(str(value)).strip()


def _sniff_delimiter(header_line: str) -> str:
    # Excel in a Vietnamese locale saves "CSV" with semicolons (the decimal symbol is a comma);
    # its "Unicode Text" (UTF-16) is tab-separated.
    if "," in header_line:
        return ","
    if ";" in header_line:
        return ";"
    return "\t" if "\t" in header_line else ","


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 with no byte-order mark: mostly-ASCII text has a zero in every other byte."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2 or b"\0" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _decode(data: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """A CSV file's text: UTF-8 (a BOM is fine) or UTF-16 (with or without a BOM), in NFC."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(data):
        codec = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
            else _utf16_without_bom(data)
        try:
            return _nfc(data.decode(codec)), []
        except UnicodeDecodeError:
            return None, [Problem(display, 0, "", messages.not_utf8())]
    try:
        return _nfc(data.decode("utf-8")), []
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        guess = guess_encoding(data)
        if guess is None:
            return None, [Problem(display, line, "", messages.not_utf8())]
        name, decode = guess
        shown, reads = _example_field(data.split(b"\n")[line - 1], decode)
        return None, [Problem(display, line, "", messages.not_utf8(name, shown, reads))]


def _example_field(line: bytes, decode: Callable[[bytes], str]) -> tuple[str, str]:
    """The first field of a line holding non-ASCII bytes: as a Western code page shows it, and
    as it reads in the encoding found."""
    for field_ in re.split(rb"[,;\t]", line):
        if any(b >= 0x80 for b in field_):
            field_ = field_.strip().strip(b'"')
            return field_.decode("cp1252", "replace"), decode(field_).strip()
    return "", ""


def read_csv_rows(path: Path, display: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """A CSV file as text columns plus ``_file`` and ``_row`` (its real line number).

    Read with the csv module rather than pandas so that line numbers stay right when a file has
    blank lines or quoted line breaks, and so that nothing is ever parsed as a number.
    """
    display = display or path.name
    text, problems = _decode(path.read_bytes(), display)
    if text is None:
        return pd.DataFrame(), problems
    if "\0" in text:  # binary data, or UTF-16 cut at an odd byte
        line = text[: text.index("\0")].count("\n") + 1
        return pd.DataFrame(), problems + [Problem(display, line, "", messages.unreadable_line(
            "it holds a NUL character, as binary files do"))]
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    header: list[str] | None = None
    records, lines = [], []
    last = 0
    try:
        for fields in reader:
            start, last = last + 1, reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if header is None:
                header = [f.strip() for f in fields]
                continue
            if len(fields) != len(header):
                problems.append(Problem(display, start, "", (
                    f"{len(fields)} fields where the header has {len(header)}; a value probably "
                    "holds an unquoted comma: quote it or remove the comma")))
                fields = (fields + [""] * len(header))[: len(header)]
            records.append([f.strip() for f in fields])
            lines.append(start)
    except csv.Error as e:  # a NUL byte, an unterminated quote at the end, ...
        return pd.DataFrame(), problems + [Problem(display, last + 1, "",
                                                   messages.unreadable_line(str(e)))]
    if header is None:
        return pd.DataFrame(), [Problem(display, 1, "", (
            "the file is empty; it needs a header row and one row per figure"))]
    header = _unique(header)
    df = pd.DataFrame(records, columns=header, dtype=object).astype("str") if records else \
        pd.DataFrame({c: pd.Series([], dtype="str") for c in header})
    df["_file"] = display
    df["_row"] = pd.Series(lines, dtype="int64")
    df.attrs["file"] = display
    return df, problems


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        name = h or "(blank)"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return out


def read_parquet_rows(path: Path, display: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """A Parquet table as text columns; ``_row`` is the 1-based record number plus one, as if the
    table were exported to CSV with a header line."""
    display = display or path.name
    try:
        df = pd.read_parquet(path)
    except Exception as e:  # noqa: BLE001 - pyarrow raises many kinds; the user needs the text
        # The reader's text names the full path; the message names the file already.
        reason = str(e).replace(str(path), path.name)
        return pd.DataFrame(), [Problem(display, 0, "", (
            f"cannot read this Parquet file ({reason}); write it again with "
            "DataFrame.to_parquet, or give the figures as CSV"))]
    problems = []
    if "locality_code" in df and pd.api.types.is_numeric_dtype(df["locality_code"]):
        problems.append(Problem(display, 0, "locality_code", (
            "locality_code is stored as numbers, so leading zeros (\"01\") are lost; store codes "
            "as text (string)")))
    out = pd.DataFrame({c: pd.Series([cell_text(v) for v in df[c].tolist()], dtype="str")
                        for c in df.columns})
    out["_file"] = display
    out["_row"] = pd.Series(range(2, len(df) + 2), dtype="int64")
    out.attrs["file"] = display
    return out, problems


def _not_a_workbook(path: Path) -> str:
    """What a file with an .xlsx name that is no zip package really is, as far as can be told."""
    head = path.read_bytes()[:2048]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # Excel 97-2003, or a workbook encrypted with a password
    if head.startswith(b"PK"):
        return "damaged"  # a zip cut short, as by an interrupted copy or download
    if head.lstrip().lower().startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        return "html"
    try:
        return "" if b"\0" in head else (head.decode("utf-8") and "text")
    except UnicodeDecodeError:
        return ""


def read_workbook_rows(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """A wide workbook melted into the long form, one row per filled indicator cell.

    Each sheet is a quarter; its rows are localities. Blank cells are figures not reported.
    ``_column`` holds the indicator's header so problems point to the cell. Hidden sheets are
    reported and never read; so are merged header cells, two sheets for one quarter and missing
    quarters between the first and the last sheet. The workbook is read once, as a stream,
    within the limits of ``parbrief.ingest.workbooks`` (a zip bomb is refused, not unpacked).
    """
    import zipfile

    try:
        book = workbooks.open_workbook(path)
    except workbooks.WorkbookTooLarge as e:
        return pd.DataFrame(), [Problem(path.name, 0, "", str(e))]
    except zipfile.BadZipFile:
        return pd.DataFrame(), [Problem(path.name, 0, "", messages.not_a_workbook(
            _not_a_workbook(path)))]
    except Exception as e:  # noqa: BLE001 - zip/xml errors: the file is not a workbook
        return pd.DataFrame(), [Problem(path.name, 0, "", (
            f"cannot read this workbook ({e}); save it as an Excel .xlsx file"))]
    try:
        return _read_book(book, path)
    except workbooks.WorkbookTooLarge as e:
        where = f"{path.name}#{e.sheet}" if e.sheet else path.name
        return pd.DataFrame(), [Problem(where, e.row, e.column, str(e))]
    finally:
        book.close()


def _read_book(book: workbooks.Workbook, path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    made = _TEMPLATE_TITLE.match(book.title)
    frames, problems = [], []
    quarters: dict[Quarter, str] = {}  # quarter -> title of its sheet
    for sheet in book.sheets:
        if sheet.title.strip().lower() == INDICATOR_SHEET:
            continue
        display = f"{path.name}#{sheet.title}"
        hidden = sheet.state if sheet.state != "visible" else ""
        try:
            quarter = Quarter.parse(sheet.title)
        except PeriodError:
            problems.append(Problem(display, 0, "sheet", messages.hidden_sheet(hidden, False)
                                    if hidden else
                                    messages.sheet_not_a_quarter(messages.period(sheet.title))))
            continue
        if quarter in quarters:
            problems.append(Problem(display, 0, "sheet", messages.same_quarter_sheets(
                sheet.title, quarters[quarter], str(quarter))))
            continue
        quarters[quarter] = sheet.title
        if hidden:
            problems.append(Problem(display, 0, "sheet", messages.hidden_sheet(hidden, True)))
            continue
        frame, sheet_problems = _read_sheet(book, sheet, display, str(quarter))
        problems += sheet_problems
        if not frame.empty:
            frame["_province"] = book.province
            frames.append(frame)
    if quarters:
        first, last = min(quarters), max(quarters)
        for q in quarter_range(first, last):
            if q not in quarters:
                problems.append(Problem(path.name, 0, "sheet", messages.missing_quarter_sheet(
                    str(q), str(first), str(last))))
    elif not problems:
        problems.append(Problem(path.name, 0, "sheet", messages.no_quarter_sheet(
            made.group("period") if made else "")))
    out = pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame({c: pd.Series([], dtype="str") for c in FIGURE_COLUMNS})
    out.attrs.update(file=path.name, wide=True)
    return out, problems


def _header_row(rows: list[list[workbooks.Cell]]) -> int | None:
    """The row number holding ``locality_code`` among the first rows of a sheet."""
    top = rows[0][0].row if rows else 0
    for cells in rows:
        if cells[0].row >= top + HEADER_SEARCH_ROWS:
            break
        if any(cell_text(c.value) == "locality_code" for c in cells):
            return cells[0].row
    return None


def _dense(cells: list[workbooks.Cell], width: int) -> list[workbooks.Cell | None]:
    """A row's cells by position (0-based column), None where blank."""
    out: list[workbooks.Cell | None] = [None] * max(width, cells[-1].column if cells else 0)
    for c in cells:
        out[c.column - 1] = c
    return out


def _read_sheet(book: workbooks.Workbook, sheet: workbooks.Sheet, display: str, period: str):
    names = catalogue.names()
    content = book.read(sheet)
    rows = content.rows
    problems: list[Problem] = []
    if not rows:
        return pd.DataFrame(), [Problem(display, 0, "sheet", messages.empty_sheet())]
    header_row = _header_row(rows)
    merged = sorted(content.merged, key=lambda r: (r.min_row, r.min_col))
    if header_row is not None and header_row > 1:
        # Title rows above the header, as official report forms have: row numbers would shift.
        return pd.DataFrame(), [Problem(display, header_row, "locality_code",
                                        messages.header_not_first(header_row))]
    header_merges = [r for r in merged if r.min_row == 1]
    if header_merges:
        first = {c.column: c for c in rows[0]} if rows[0][0].row == 1 else {}
        for r in header_merges:
            text = cell_text(first[r.min_col].value) if r.min_col in first else ""
            problems.append(Problem(display, 1, _letter(r.min_col - 1),
                                    messages.merged_header(r.coord, text)))
        return pd.DataFrame(), problems
    last_column = max(cells[-1].column for cells in rows)
    header = [cell_text(c.value) if c else "" for c in _dense(rows[0], last_column)]
    if header_row is None:
        problems.append(Problem(display, 1, "locality_code",
                                messages.missing_wide_column("locality_code")))
        return pd.DataFrame(), problems
    filled_columns = {c.column - 1 for cells in rows[1:] for c in cells
                      if cell_text(c.value)}
    columns: dict[int, str] = {}  # position -> indicator name
    ids = {h: i for i, h in reversed(list(enumerate(header))) if h in WIDE_ID_COLUMNS}
    first_column: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in first_column:
            problems.append(Problem(display, 1, h, messages.duplicate_column(
                h, _letter(first_column[h]), _letter(i))))
            continue
        if h:
            first_column[h] = i
        if h in WIDE_ID_COLUMNS:
            continue
        if not h:
            if i in filled_columns:
                problems.append(Problem(display, 1, _letter(i), messages.blank_header(_letter(i))))
            continue
        if h in names:
            columns[i] = h
        else:
            problems.append(Problem(display, 1, h, messages.unknown_indicator(h)))
    # The cells of a merged range other than its first are blank where the merged value shows:
    # the merge is reported once and those cells are not read (a row whose code is one of them
    # is not read at all). Ranges are clipped to the cells the sheet fills.
    last_row = rows[-1][0].row
    covered: set[tuple[int, int]] = set()
    for r in merged:
        column = header[r.min_col - 1] if r.min_col - 1 < len(header) and \
            header[r.min_col - 1] else _letter(r.min_col - 1)
        problems.append(Problem(display, r.min_row, column, messages.merged_cells(r.coord)))
        covered.update((row, col - 1) for row in range(r.min_row, min(r.max_row, last_row) + 1)
                       for col in range(r.min_col, min(r.max_col, last_column) + 1))
        covered.discard((r.min_row, r.min_col - 1))
    records = []
    first_row_of: dict[str, int] = {}
    for row_cells in rows[1:]:
        cells = _dense(row_cells, len(header))
        texts = [cell_text(c.value) if c else "" for c in cells]
        rownum = row_cells[0].row
        if not any(texts) or (rownum, ids["locality_code"]) in covered:
            continue
        code_cell = cells[ids["locality_code"]]
        code = texts[ids["locality_code"]]
        if code in first_row_of:
            problems.append(Problem(display, rownum, "locality_code",
                                    messages.duplicate_sheet_row(code, first_row_of[code], rownum)))
            continue
        if code:
            first_row_of[code] = rownum
        parent = texts[ids["parent_code"]] if "parent_code" in ids else ""
        name = texts[ids["locality_name"]] if "locality_name" in ids else ""
        numeric_code = code_cell is not None and isinstance(code_cell.value, (int, float)) \
            and not isinstance(code_cell.value, bool)
        for i, indicator in columns.items():
            if i >= len(cells) or (rownum, i) in covered or cells[i] is None:
                continue
            cell = cells[i]
            text = texts[i]
            formula = cell.formula
            skip = False
            if not text:
                if formula is None:
                    continue
                problems.append(Problem(display, rownum, indicator,
                                        messages.formula_without_value(formula)))
                skip = True  # still a reported figure: no second complaint that it is missing
            elif text in EXCEL_ERRORS:
                problems.append(Problem(display, rownum, indicator,
                                        messages.excel_error(text, formula)))
                skip = True
            elif isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) \
                    and "%" in book.number_format(cell):
                # A cell formatted as a percentage stores 75 % as 0.75; the catalogue wants 75.
                text = cell_text(round(cell.value * 100, 10))
            records.append((code, period, indicator, text, display, parent, name, display, rownum,
                            indicator, numeric_code, skip))
    frame = pd.DataFrame(records, columns=FIGURE_COLUMNS + [
        "parent_code", "locality_name", "_file", "_row", "_column", "_code_numeric", "_skip"])
    for c in frame.columns:
        if c not in ("_row", "_code_numeric", "_skip"):
            frame[c] = frame[c].astype("str")
    frame["_row"] = frame["_row"].astype("int64")
    frame["_code_numeric"] = frame["_code_numeric"].astype(bool)
    frame["_skip"] = frame["_skip"].astype(bool)
    frame = frame.drop(columns=[c for c in ("parent_code", "locality_name") if c not in ids])
    if frame.empty and not problems:
        problems.append(Problem(display, 0, "sheet", messages.empty_sheet()))
    return frame, problems


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def read_figures_rows(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Any figures file as a raw long table (text columns, file and row of every figure)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame, problems = read_workbook_rows(path)
        elif suffix == ".parquet":
            frame, problems = read_parquet_rows(path)
        else:
            frame, problems = read_csv_rows(path)
    except Exception as e:  # noqa: BLE001 - whatever a file holds, the user gets a message
        return pd.DataFrame(), [Problem(path.name, 0, "", messages.unreadable(e))]
    if len(frame.columns) and frame.empty and not problems and not frame.attrs.get("wide"):
        problems = [Problem(path.name, 1 if suffix == ".csv" else 0, "", messages.no_figures())]
    return frame, problems


def read_raw(path: Path) -> tuple[list[pd.DataFrame], pd.DataFrame, list[Path], list[Problem]]:
    """Raw figures tables (one per file) and the appraisal table of a data set, the files read,
    and reading problems."""
    figure_files, appraisal_file, problems = dataset_files(Path(path))
    appraisal = pd.DataFrame()
    if appraisal_file is not None:
        try:
            appraisal, p = read_csv_rows(appraisal_file)
        except Exception as e:  # noqa: BLE001 - as for figures files
            appraisal, p = pd.DataFrame(), [Problem(appraisal_file.name, 0, "",
                                                    messages.unreadable(e))]
        problems += p
    figures = []
    for f in figure_files:
        frame, p = read_figures_rows(f)
        if len(appraisal) and len(frame.columns) and frame.empty:
            # a figures file left with its header beside the council's points: a data set of
            # points (the annual index), not an empty one
            p = [x for x in p if x.message != messages.no_figures()]
        problems += p
        if len(frame.columns):
            figures.append(frame)
    files = figure_files + ([appraisal_file] if appraisal_file is not None else []) \
        + methodology_files(Path(path))
    return figures, appraisal, files, problems
