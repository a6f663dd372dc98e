"""Data sets (bộ số liệu): the quarterly figures of localities, and the appraisal council's points.

A data set is a folder holding ``figures.csv`` (or ``figures.parquet``, or ``.xlsx`` workbooks)
and optionally ``appraisal.csv``; or a single figures file. Three input shapes are read into one
long table ``locality_code, period, indicator, value, source``:

* the long CSV / Parquet table itself;
* the wide Excel workbook: one sheet per quarter (named like ``2026Q3``), one row per locality,
  one column per indicator (see ``parbrief.template``).

Codes and periods are always read as text, so ``"01"`` (Hà Nội) stays ``"01"``. Excel cells are
read as their saved values; formulas are never evaluated.

Reading keeps each row's file and line (``_file``, ``_row``) so that validation can point to the
cell to fix; ``load`` returns the clean, typed table.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable

import pandas as pd

from .errors import PeriodError, Problem, ValidationError
from .periods import Quarter

FIGURE_COLUMNS = ["locality_code", "period", "indicator", "value", "source"]
APPRAISAL_COLUMNS = ["methodology", "locality_code", "period", "criterion", "points", "source"]
# Optional columns of the long table: informative, and checked against the register.
OPTIONAL_FIGURE_COLUMNS = ["parent_code", "locality_name"]
WIDE_ID_COLUMNS = ["locality_code", "locality_name", "parent_code"]
# The template's catalogue sheet; any other sheet must be named by a quarter.
INDICATOR_SHEET = "indicators"
PROVINCE_PROPERTY = "parbrief_province"
FIGURE_FILE_NAMES = ("figures.csv", "figures.parquet")
APPRAISAL_FILE_NAME = "appraisal.csv"
# Bookkeeping columns carried by raw tables (never part of a loaded data set).
META = ["_file", "_row", "_column", "_code_numeric", "_province", "_skip"]


@dataclass
class Dataset:
    """One data set: figures (long form), appraisal points, where it came from and its checksum."""

    figures: pd.DataFrame
    appraisal: pd.DataFrame
    path: Path
    checksum: str
    files: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def periods(self) -> list[str]:
        """Quarters with figures, oldest first."""
        return [str(q) for q in sorted({Quarter.parse(p) for p in self.figures.period.unique()})]


# --------------------------------------------------------------------------- finding files


def dataset_files(path: Path) -> tuple[list[Path], Path | None, list[Problem]]:
    """The figures files and the appraisal file of a data set folder or single file."""
    path = Path(path)
    if not path.exists():
        return [], None, [Problem(str(path), 0, "", "no such file or folder; check the path")]
    if path.is_file():
        if path.suffix.lower() not in (".csv", ".parquet", ".xlsx", ".xlsm"):
            return [], None, [Problem(path.name, 0, "", (
                f"unsupported file type {path.suffix or '(none)'}; give a .csv, .parquet or "
                ".xlsx figures file, or a data set folder"))]
        if _is_appraisal_file(path):
            return [], path, []
        return [path], None, []
    figures = [path / n for n in FIGURE_FILE_NAMES if (path / n).is_file()]
    # "~$book.xlsx" is the lock file Excel leaves next to an open workbook.
    figures += sorted(p for p in path.glob("*.xlsx") if not p.name.startswith("~$"))
    appraisal = path / APPRAISAL_FILE_NAME
    problems = []
    if not figures:
        problems.append(Problem(str(path), 0, "", (
            "no figures file in this folder; add figures.csv, figures.parquet or an .xlsx "
            "workbook (see docs/data-format.md)")))
    return figures, appraisal if appraisal.is_file() else None, problems


def _is_appraisal_file(path: Path) -> bool:
    if path.name.lower().startswith("appraisal"):
        return True
    if path.suffix.lower() != ".csv":
        return False
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = f.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return "criterion" in header and "points" in header


# --------------------------------------------------------------------------- raw reading


def _cell_text(value) -> str:
    """A cell or field as text: numbers without a spurious ``.0``, blanks as ``""``."""
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
    return str(value).strip()


def _sniff_delimiter(header_line: str) -> str:
    # Excel in a Vietnamese locale saves "CSV" with semicolons (the decimal symbol is a comma).
    return ";" if ";" in header_line and "," not in header_line else ","


def read_csv_rows(path: Path, display: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """A CSV file as text columns plus ``_file`` and ``_row`` (its real line number).

    Read with the csv module rather than pandas so that line numbers stay right when a file has
    blank lines or quoted line breaks, and so that nothing is ever parsed as a number.
    """
    display = display or path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = path.read_bytes()[: e.start].count(b"\n") + 1
        return pd.DataFrame(), [Problem(display, line, "", (
            "the file is not UTF-8 text; save it as \"CSV UTF-8\" (Excel) or with UTF-8 encoding"))]
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    header: list[str] | None = None
    records, lines = [], []
    problems: list[Problem] = []
    last = 0
    for fields in reader:
        start, last = last + 1, reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if header is None:
            header = [f.strip() for f in fields]
            continue
        if len(fields) != len(header):
            problems.append(Problem(display, start, "", (
                f"{len(fields)} fields where the header has {len(header)}; a value probably holds "
                "an unquoted comma: quote it or remove the comma")))
            fields = (fields + [""] * len(header))[: len(header)]
        records.append([f.strip() for f in fields])
        lines.append(start)
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
        return pd.DataFrame(), [Problem(display, 0, "", f"cannot read this Parquet file ({e})")]
    problems = []
    if "locality_code" in df and pd.api.types.is_numeric_dtype(df["locality_code"]):
        problems.append(Problem(display, 0, "locality_code", (
            "locality_code is stored as numbers, so leading zeros (\"01\") are lost; store codes "
            "as text (string)")))
    out = pd.DataFrame({c: pd.Series([_cell_text(v) for v in df[c].tolist()], dtype="str")
                        for c in df.columns})
    out["_file"] = display
    out["_row"] = pd.Series(range(2, len(df) + 2), dtype="int64")
    out.attrs["file"] = display
    return out, problems


def read_workbook_rows(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """A wide workbook melted into the long form, one row per filled indicator cell.

    Each sheet is a quarter; its rows are localities. Blank cells are figures not reported.
    ``_column`` holds the indicator's header so problems point to the cell.
    """
    from openpyxl import load_workbook

    from .validation import messages

    try:
        values_book = load_workbook(path, data_only=True)
        formula_book = load_workbook(path, data_only=False)
    except Exception as e:  # noqa: BLE001 - zip/xml errors: the file is not a workbook
        return pd.DataFrame(), [Problem(path.name, 0, "", (
            f"cannot read this workbook ({e}); save it as an Excel .xlsx file"))]
    province = ""
    for prop in getattr(values_book, "custom_doc_props", []) or []:
        if prop.name == PROVINCE_PROPERTY:
            province = str(prop.value)
    frames, problems = [], []
    for sheet in values_book.worksheets:
        if sheet.title.strip().lower() == INDICATOR_SHEET:
            continue
        display = f"{path.name}#{sheet.title}"
        try:
            period = str(Quarter.parse(sheet.title))
        except PeriodError as e:
            problems.append(Problem(display, 0, "sheet", (
                f"{e}; name each sheet by its quarter (e.g. 2026Q3), or remove the sheet")))
            continue
        frame, sheet_problems = _read_sheet(sheet, formula_book[sheet.title], display, period,
                                            path.name, messages)
        problems += sheet_problems
        if not frame.empty:
            frame["_province"] = province
            frames.append(frame)
    out = pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame({c: pd.Series([], dtype="str") for c in FIGURE_COLUMNS})
    out.attrs.update(file=path.name, wide=True)
    return out, problems


def _read_sheet(sheet, formulas, display: str, period: str, book_name: str, messages):
    from . import catalogue

    names = catalogue.names()
    rows = list(sheet.iter_rows())
    problems: list[Problem] = []
    if not rows:
        return pd.DataFrame(), problems
    header = [_cell_text(c.value) for c in rows[0]]
    if "locality_code" not in header:
        problems.append(Problem(display, 1, "locality_code",
                                messages.missing_wide_column("locality_code")))
        return pd.DataFrame(), problems
    columns: dict[int, str] = {}  # position -> indicator name
    ids = {h: i for i, h in enumerate(header) if h in WIDE_ID_COLUMNS}
    for i, h in enumerate(header):
        if h in WIDE_ID_COLUMNS:
            continue
        if not h:
            if any(_cell_text(r[i].value) for r in rows[1:] if i < len(r)):
                problems.append(Problem(display, 1, _letter(i), messages.blank_header(_letter(i))))
            continue
        if h in names:
            columns[i] = h
        else:
            problems.append(Problem(display, 1, h, messages.unknown_indicator(h)))
    records = []
    first_row_of: dict[str, int] = {}
    for cells in rows[1:]:
        texts = [_cell_text(c.value) for c in cells]
        if not any(texts):
            continue
        rownum = cells[0].row
        code_cell = cells[ids["locality_code"]]
        code = texts[ids["locality_code"]]
        if code in first_row_of:
            problems.append(Problem(display, rownum, "locality_code",
                                    messages.duplicate_sheet_row(code, first_row_of[code], rownum)))
            continue
        if code:
            first_row_of[code] = rownum
        parent = texts[ids["parent_code"]] if "parent_code" in ids else ""
        numeric_code = isinstance(code_cell.value, (int, float)) and not isinstance(
            code_cell.value, bool)
        for i, name in columns.items():
            if i >= len(cells):
                continue
            cell = cells[i]
            text = texts[i]
            if not text:
                formula = formulas.cell(row=cell.row, column=cell.column).value
                if isinstance(formula, str) and formula.startswith("="):
                    problems.append(Problem(display, rownum, name, messages.formula_without_value(
                        formula)))
                    # Still a reported figure: no second complaint that it is missing.
                    records.append((code, period, name, "", display, parent, display, rownum,
                                    name, numeric_code, True))
                continue
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) \
                    and "%" in (cell.number_format or ""):
                # A cell formatted as a percentage stores 75 % as 0.75; the catalogue wants 75.
                text = _cell_text(round(cell.value * 100, 10))
            records.append((code, period, name, text, display, parent, display, rownum, name,
                            numeric_code, False))
    frame = pd.DataFrame(records, columns=FIGURE_COLUMNS + ["parent_code", "_file", "_row",
                                                            "_column", "_code_numeric", "_skip"])
    for c in frame.columns:
        if c not in ("_row", "_code_numeric", "_skip"):
            frame[c] = frame[c].astype("str")
    frame["_row"] = frame["_row"].astype("int64")
    frame["_code_numeric"] = frame["_code_numeric"].astype(bool)
    frame["_skip"] = frame["_skip"].astype(bool)
    if "parent_code" not in ids:
        frame = frame.drop(columns="parent_code")
    return frame, problems


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def read_figures_rows(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Any figures file as a raw long table (text columns, file and row of every figure)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_workbook_rows(path)
    if suffix == ".parquet":
        return read_parquet_rows(path)
    return read_csv_rows(path)


def read_raw(path: Path) -> tuple[list[pd.DataFrame], pd.DataFrame, list[Path], list[Problem]]:
    """Raw figures tables (one per file) and the appraisal table of a data set, the files read,
    and reading problems."""
    figure_files, appraisal_file, problems = dataset_files(Path(path))
    figures = []
    for f in figure_files:
        frame, p = read_figures_rows(f)
        problems += p
        if len(frame.columns):
            figures.append(frame)
    appraisal = pd.DataFrame()
    if appraisal_file is not None:
        appraisal, p = read_csv_rows(appraisal_file)
        problems += p
    files = figure_files + ([appraisal_file] if appraisal_file is not None else [])
    return figures, appraisal, files, problems


# --------------------------------------------------------------------------- typed tables


def _typed_figures(raw: pd.DataFrame) -> pd.DataFrame:
    if raw.empty:
        return _empty(FIGURE_COLUMNS, "value")
    out = pd.DataFrame({
        "locality_code": raw.get("locality_code", pd.Series("", index=raw.index)).astype("str"),
        "period": raw.get("period", pd.Series("", index=raw.index)).map(_normal_period)
        .astype("str"),
        "indicator": raw.get("indicator", pd.Series("", index=raw.index)).astype("str"),
        "value": pd.to_numeric(raw.get("value", pd.Series("", index=raw.index)),
                               errors="coerce").astype("float64"),
        "source": raw.get("source", pd.Series("", index=raw.index)).astype("str"),
    })
    # A figure with no stated source is still traceable to its file and line.
    blank = out.source.str.strip() == ""
    out.loc[blank, "source"] = raw.loc[blank, "_file"] + ":" + raw.loc[blank, "_row"].astype("str")
    return out.reset_index(drop=True)


def _typed_appraisal(raw: pd.DataFrame) -> pd.DataFrame:
    if raw.empty:
        return _empty(APPRAISAL_COLUMNS, "points")
    out = pd.DataFrame({c: raw.get(c, pd.Series("", index=raw.index)).astype("str")
                        for c in APPRAISAL_COLUMNS})
    out["period"] = out["period"].map(_normal_period).astype("str")
    out["points"] = pd.to_numeric(raw.get("points", pd.Series("", index=raw.index)),
                                  errors="coerce").astype("float64")
    return out.reset_index(drop=True)


def _empty(columns: list[str], numeric: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="float64" if c == numeric else "str")
                         for c in columns})


def _normal_period(text: str) -> str:
    try:
        return str(Quarter.parse(text))
    except PeriodError:
        return text


def checksum(files: Iterable[Path]) -> str:
    """sha256 over the files' names and bytes, in name order (independent of the folder path)."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: p.name):
        h.update(f.name.encode("utf-8") + b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def load(path: "str | Path", validate: bool = True) -> Dataset:
    """Read a data set folder or a single figures file.

    With ``validate`` (the default) every problem in every file is collected first and raised
    together as one ``ValidationError``; without it, unreadable values become NaN.
    """
    from .validation import validate_raw

    path = Path(path)
    raw_figures, raw_appraisal, files, problems = read_raw(path)
    if validate:
        problems = problems + validate_raw(raw_figures, raw_appraisal)
        if problems:
            raise ValidationError(problems)
    elif not files:
        raise ValidationError(problems)
    usable = [f for f in raw_figures if len(f)]
    raw = pd.concat(usable, ignore_index=True) if usable else pd.DataFrame()
    return Dataset(figures=_typed_figures(raw), appraisal=_typed_appraisal(raw_appraisal),
                   path=path, checksum=checksum(files), files=tuple(files))


# --------------------------------------------------------------------------- slices


def _periods(periods: Iterable) -> set[str]:
    if isinstance(periods, (str, Quarter)):
        periods = [periods]
    return {str(Quarter.parse(p)) for p in periods}


def _codes(codes: Iterable) -> set[str]:
    if isinstance(codes, str):
        codes = [codes]
    return {str(c) for c in codes}


def figures_slice(dataset: Dataset, codes: Iterable[str], periods: Iterable) -> pd.DataFrame:
    """The figures of these localities in these quarters, in a canonical order."""
    f = dataset.figures
    sel = f[f.locality_code.isin(_codes(codes)) & f.period.isin(_periods(periods))]
    return sel.sort_values(FIGURE_COLUMNS, kind="stable").reset_index(drop=True)


def appraisal_slice(dataset: Dataset, codes: Iterable[str], periods: Iterable) -> pd.DataFrame:
    a = dataset.appraisal
    sel = a[a.locality_code.isin(_codes(codes)) & a.period.isin(_periods(periods))]
    return sel.sort_values(APPRAISAL_COLUMNS, kind="stable").reset_index(drop=True)


def slice_checksum(dataset: Dataset, codes: Iterable[str], periods: Iterable) -> str:
    """sha256 of only these localities' and quarters' figures and appraisal points.

    A briefing is out of date only when its own rows change, whatever else changes in the data
    set (and whatever file format holds them): the rows are written as canonical CSV first.
    """
    h = hashlib.sha256()
    for frame in (figures_slice(dataset, codes, periods), appraisal_slice(dataset, codes, periods)):
        h.update(frame.to_csv(index=False, lineterminator="\n", float_format="%.12g")
                 .encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()
