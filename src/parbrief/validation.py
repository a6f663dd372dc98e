"""Validation (kiểm tra số liệu) of figures and appraisal tables: every problem, in every file.

Each problem names the file, the row a user sees (CSV: the header is line 1; Excel: the sheet's
row number, the file shown as ``book.xlsx#2026Q3``), the column, what is wrong and how to fix it.

Column-level checks (blank cells, malformed periods, unknown indicators, non-numbers, ranges per
indicator type) are pandera schemas whose failure cases become ``Problem``s; checks across rows
(register look-ups, duplicates, parts larger than their whole, required figures, parents) are
plain pandas.
"""

from __future__ import annotations

import re
from pathlib import Path
from collections.abc import Sequence

import pandas as pd
import pandera.pandas as pa

from . import catalogue, register
from .errors import ParbriefError, PeriodError, Problem, UnknownLocalityError
from .periods import Quarter

FIGURE_COLUMNS = ["locality_code", "period", "indicator", "value", "source"]
OPTIONAL_FIGURE_COLUMNS = ["parent_code", "locality_name"]
APPRAISAL_COLUMNS = ["methodology", "locality_code", "period", "criterion", "points", "source"]
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# "1.234" typed by someone used to Vietnamese number formats means 1234, not 1.234.
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def _fmt(x: float) -> str:
    """92.0 -> "92", 2.5 -> "2.5": figures shown as a user would type them."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def _loc(file: str, row: int, other_file: str) -> str:
    return f"line {row}" if file == other_file else f"{file}:{row}"


class messages:
    """Every validation message in one place (documented in docs/data-format.md)."""

    @staticmethod
    def missing_column(column: str, expected: Sequence[str]) -> str:
        return f"missing column {column}; the header must be {','.join(expected)}"

    @staticmethod
    def extra_column(column: str, expected: Sequence[str], missing: Sequence[str]) -> str:
        import difflib

        close = difflib.get_close_matches(column, list(missing) or list(expected), n=1, cutoff=0.6)
        fix = f"rename it to {close[0]} or remove it" if close else "remove it"
        return f"unexpected column {column}; {fix} (the header must be {','.join(expected)})"

    @staticmethod
    def missing_wide_column(column: str) -> str:
        return (f"missing column {column}; row 1 of each sheet must start with locality_code, "
                "locality_name, parent_code, then the indicator names")

    @staticmethod
    def blank_header(letter: str) -> str:
        return f"column {letter} has values but no header; write the indicator name in row 1"

    @staticmethod
    def unknown_indicator(name: str) -> str:
        close = catalogue.closest(name)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        return (f"unknown indicator {name!r}; {hint}Use a name from the indicator catalogue "
                "(docs/data-format.md)")

    @staticmethod
    def blank(column: str, example: str) -> str:
        return f"missing {column}; write the {column} (e.g. {example})"

    @staticmethod
    def blank_value(indicator: str) -> str:
        return (f"missing value for {indicator}; write the figure, or delete the row if it was "
                "not reported")

    @staticmethod
    def non_numeric(text: str, indicator: str) -> str:
        return (f"non-numeric value {text!r} for {indicator}; write a plain number with a dot "
                "as decimal separator and no thousands separator (e.g. 1234 or 92.5)")

    @staticmethod
    def negative_count(value: float, indicator: str) -> str:
        return (f"negative count {_fmt(value)} for {indicator}; counts cannot be negative, "
                "correct the figure")

    @staticmethod
    def non_integer_count(value: float, indicator: str, text: str = "") -> str:
        hint = ""
        if _THOUSANDS.match(text or ""):
            hint = f" (if you meant {text.replace('.', '')}, write it without the dot)"
        return (f"non-integer count {_fmt(value)} for {indicator}; counts are whole numbers, "
                f"correct the figure{hint}")

    @staticmethod
    def percent_range(value: float, indicator: str) -> str:
        return (f"percent {_fmt(value)} for {indicator} is outside 0-100; write a percentage "
                "between 0 and 100 (e.g. 92.5)")

    @staticmethod
    def boolean(value: float, indicator: str) -> str:
        return (f"{indicator} is a yes/no figure and must be 0 or 1, got {_fmt(value)}; write 1 "
                "for yes and 0 for no")

    @staticmethod
    def part_larger(part: str, part_value: float, whole: str, whole_value: float, code: str,
                    period: str, where: str) -> str:
        return (f"{part} ({_fmt(part_value)}) is larger than {whole} ({_fmt(whole_value)}) for "
                f"{code} in {period}; a part cannot exceed its whole, correct one of them "
                f"({whole} is on {where})")

    @staticmethod
    def duplicate(what: str, code: str, period: str, first: str, second: str) -> str:
        return (f"duplicate row: {what} for {code} in {period} is given on {first} and {second}; "
                "delete one of them")

    @staticmethod
    def duplicate_sheet_row(code: str, first_row: int, row: int) -> str:
        return (f"duplicate row: locality {code} is on rows {first_row} and {row}; "
                "delete one of them")

    @staticmethod
    def wrong_parent(unit: register.Locality, given: str, period: str) -> str:
        parent = unit.parent_code or ""
        name = _name(parent, period)
        return (f"{unit.code} {unit.name} belongs to {parent}{' ' + name if name else ''} in "
                f"{period}, not to {given}; correct parent_code or the locality code")

    @staticmethod
    def wrong_province(unit: register.Locality, province: str, period: str) -> str:
        return (f"{unit.code} {unit.name} is in province {unit.province_code} "
                f"{_name(unit.province_code, period)}, but this workbook was prepared for province "
                f"{province} {_name(province, period)}; move the row to that province's workbook "
                "or correct the code")

    @staticmethod
    def required_missing(indicator: str, code: str, period: str) -> str:
        return (f"required figure {indicator} is missing for {code} in {period}, which reports "
                "other figures for that period; add it")

    @staticmethod
    def numeric_code_hint() -> str:
        return (" The cell holds a number, so leading zeros may be lost: format the "
                "locality_code column as Text and retype the code.")

    @staticmethod
    def formula_without_value(formula: str) -> str:
        return (f"the cell holds a formula ({formula}) with no saved value; open and save the "
                "workbook in Excel or LibreOffice, or type the value")

    @staticmethod
    def non_numeric_points(text: str) -> str:
        return (f"non-numeric points {text!r}; write a plain number with a dot as decimal "
                "separator (e.g. 2.5)")

    @staticmethod
    def blank_points(criterion: str) -> str:
        return (f"missing points for criterion {criterion}; write the points awarded (0 if none), "
                "or delete the row")

    @staticmethod
    def negative_points(value: float, criterion: str) -> str:
        return (f"negative points {_fmt(value)} for criterion {criterion}; points cannot be "
                "negative, correct them")

    @staticmethod
    def unknown_methodology(name: str, error: str) -> str:
        # The loader's message already names the methodology and the shipped ones.
        return error if error.startswith("unknown methodology") else \
            f"unknown methodology {name!r}: {error}"

    @staticmethod
    def unknown_criterion(criterion: str, methodology: str, known: Sequence[str]) -> str:
        import difflib

        close = difflib.get_close_matches(criterion, list(known), n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        return (f"unknown criterion {criterion!r} in methodology {methodology}; {hint}use a "
                f"criterion id of {methodology}")

    @staticmethod
    def points_above_maximum(value: float, criterion: str, maximum: float) -> str:
        return (f"points {_fmt(value)} for criterion {criterion} exceed its maximum "
                f"{_fmt(maximum)}; correct them")


def _name(code: str, period: str) -> str:
    try:
        return register.get(code, period).name
    except UnknownLocalityError:
        return ""


# --------------------------------------------------------------------------- column checks


def _is_period(text: str) -> bool:
    try:
        Quarter.parse(text)
        return True
    except PeriodError:
        return False


def _period_message(text: str) -> str:
    try:
        Quarter.parse(text)
    except PeriodError as e:
        return str(e)
    return ""


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


def _each(s: pd.Series, test) -> pd.Series:
    """``test`` on each distinct value only: files repeat the same periods and codes a lot."""
    results = {v: bool(test(v)) for v in s.unique()}
    return s.map(results).astype(bool)


def _normal_periods(s: pd.Series) -> pd.Series:
    names = {v: str(Quarter.parse(v)) for v in s.unique()}
    return s.map(names).astype("str")


def _figure_schema() -> pa.DataFrameSchema:
    names = catalogue.names()
    return pa.DataFrameSchema({
        "locality_code": pa.Column(str, pa.Check(lambda s: s != "", name="blank_code")),
        "period": pa.Column(str, pa.Check(lambda s: _each(s, _is_period),
                                          name="period")),
        "indicator": pa.Column(str, pa.Check(lambda s: s.isin(names), name="indicator")),
        "value": pa.Column(str, [
            pa.Check(lambda s: s != "", name="blank_value"),
            pa.Check(lambda s: (s == "") | _each(s, _is_number), name="number"),
        ]),
    }, strict=False)


# Ranges per indicator type, checked on the numeric value of rows of that type.
_TYPE_SCHEMAS = {
    "count": pa.DataFrameSchema({"_number": pa.Column(float, [
        pa.Check(lambda s: s >= 0, name="negative_count"),
        pa.Check(lambda s: s == s.round(), name="non_integer_count"),
    ])}, strict=False),
    "percent": pa.DataFrameSchema({"_number": pa.Column(float, [
        pa.Check(lambda s: (s >= 0) & (s <= 100), name="percent_range"),
    ])}, strict=False),
    "boolean": pa.DataFrameSchema({"_number": pa.Column(float, [
        pa.Check(lambda s: s.isin([0.0, 1.0]), name="boolean"),
    ])}, strict=False),
}


def _failures(schema: pa.DataFrameSchema, df: pd.DataFrame) -> list[tuple[str, int]]:
    """(check name, index) of every failing cell, from a lazy pandera validation."""
    if df.empty:
        return []
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as e:
        fc = e.failure_cases
        fc = fc[fc["index"].notna()]
        return [(str(c), int(i)) for c, i in zip(fc["check"], fc["index"])]
    return []


def _problem(raw: pd.DataFrame, i: int, column: str, message: str) -> Problem:
    return Problem(str(raw.at[i, "_file"]), int(raw.at[i, "_row"]), column, message)


def _value_column(raw: pd.DataFrame, i: int) -> str:
    return str(raw.at[i, "_column"])


# --------------------------------------------------------------------------- figures


def _with_meta(df: pd.DataFrame, file: "str | Sequence[str]",
               row_numbers: "Sequence[int] | None") -> pd.DataFrame:
    raw = df.reset_index(drop=True).copy()
    n = len(raw)
    if "_file" not in raw:
        raw["_file"] = [file] * n if isinstance(file, str) else list(file)
    if "_row" not in raw:
        raw["_row"] = list(row_numbers) if row_numbers is not None else list(range(2, n + 2))
    if "_column" not in raw:
        raw["_column"] = "value"
    if "_code_numeric" not in raw:
        raw["_code_numeric"] = False
    if "_province" not in raw:
        raw["_province"] = ""
    if "_skip" not in raw:  # a value the reader already reported (a formula with no value)
        raw["_skip"] = False
    for c in raw.columns:
        if c.startswith("_"):
            continue
        if pd.api.types.is_string_dtype(raw[c]) and not raw[c].isna().any():
            raw[c] = raw[c].astype("str")  # as read from a file: already clean text
        else:
            raw[c] = raw[c].map(_text).astype("str")
    raw["_file"] = raw["_file"].astype("str")
    raw["_row"] = raw["_row"].astype("int64")
    raw["_column"] = raw["_column"].fillna("value").astype("str")
    raw["_province"] = raw["_province"].fillna("").astype("str")
    raw["_code_numeric"] = raw["_code_numeric"].fillna(False).astype(bool)
    raw["_skip"] = raw["_skip"].fillna(False).astype(bool)
    return raw


def _text(value) -> str:
    from .dataset import _cell_text

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return _cell_text(value)


def header_problems(columns: Sequence[str], file: str, expected: Sequence[str],
                    optional: Sequence[str] = ()) -> list[Problem]:
    cols = [c for c in columns if not str(c).startswith("_")]
    missing = [c for c in expected if c not in cols]
    problems = [Problem(file, 1, c, messages.missing_column(c, expected)) for c in missing]
    problems += [Problem(file, 1, c, messages.extra_column(c, expected, missing))
                 for c in cols if c not in expected and c not in optional]
    return problems


def validate_figures(df: pd.DataFrame, file: "str | Sequence[str]" = "figures.csv",
                     row_numbers: "Sequence[int] | None" = None) -> list[Problem]:
    """Every problem in a long figures table.

    ``df`` holds the columns as read (text or numbers); ``file`` names the file (or one name per
    row); ``row_numbers`` are the rows' line numbers (default: a CSV's, the first data row being
    line 2).
    """
    raw = _with_meta(df, file, row_numbers)
    first_file = file if isinstance(file, str) else (raw["_file"].iloc[0] if len(raw) else "")
    problems = header_problems(df.columns, first_file, FIGURE_COLUMNS, OPTIONAL_FIGURE_COLUMNS)
    if any(c not in raw for c in FIGURE_COLUMNS if c != "source"):
        return sorted(set(problems))
    return sorted(set(problems + _figure_row_problems(raw)))


def _figure_row_problems(raw: pd.DataFrame) -> list[Problem]:
    if raw.empty:
        return []
    if "source" not in raw:
        raw = raw.assign(source="")
    cat = catalogue.catalogue()
    problems: list[Problem] = []
    bad = set()  # rows whose code, period or indicator is unusable for cross-row checks
    bad_value = set(raw.index[raw["_skip"]])
    for check, i in _failures(_figure_schema(), raw):
        ind = raw.at[i, "indicator"]
        if i in bad_value and check in ("blank_value", "number"):
            continue
        if check == "blank_code":
            problems.append(_problem(raw, i, "locality_code",
                                     messages.blank("locality_code", "17266")))
            bad.add(i)
        elif check == "period":
            problems.append(_problem(raw, i, "period", _period_message(raw.at[i, "period"])))
            bad.add(i)
        elif check == "indicator":
            msg = (messages.blank("indicator", "records_received") if ind == ""
                   else messages.unknown_indicator(ind))
            problems.append(_problem(raw, i, "indicator", msg))
            bad.add(i)
        elif check == "blank_value":
            problems.append(_problem(raw, i, _value_column(raw, i), messages.blank_value(ind)))
            bad_value.add(i)
        elif check == "number":
            problems.append(_problem(raw, i, _value_column(raw, i),
                                     messages.non_numeric(raw.at[i, "value"], ind)))
            bad_value.add(i)

    raw = raw.copy()
    raw["_number"] = pd.to_numeric(raw["value"].where(_each(raw["value"], _is_number)),
                                   errors="coerce").astype("float64")
    raw["_type"] = raw["indicator"].map(lambda n: cat[n].type if n in cat else "")
    for type_, schema in _TYPE_SCHEMAS.items():
        rows = raw[(raw["_type"] == type_) & raw["_number"].notna()]
        for check, i in _failures(schema, rows[["_number"]]):
            v, ind, col = raw.at[i, "_number"], raw.at[i, "indicator"], _value_column(raw, i)
            if check == "negative_count":
                msg = messages.negative_count(v, ind)
            elif check == "non_integer_count":
                msg = messages.non_integer_count(v, ind, raw.at[i, "value"])
            elif check == "percent_range":
                msg = messages.percent_range(v, ind)
            else:
                msg = messages.boolean(v, ind)
            problems.append(_problem(raw, i, col, msg))
            bad_value.add(i)  # so that a wrong figure does not also fail its parts

    ok = raw.drop(index=list(bad))
    ok = ok.assign(period=_normal_periods(ok["period"]))
    problems += _locality_problems(ok)
    pairs = ok[["locality_code", "period"]].drop_duplicates()
    valid = {(c, p) for c, p in zip(pairs.locality_code, pairs.period) if register.exists(c, p)}
    known = ok[[k in valid for k in zip(ok.locality_code.tolist(), ok.period.tolist())]]
    problems += _duplicate_problems(ok, ["locality_code", "period", "indicator"],
                                    lambda r: r["indicator"])
    problems += _part_problems(ok.drop(index=list(bad_value), errors="ignore"), cat)
    problems += _required_problems(known, cat)
    return problems


def _locality_problems(ok: pd.DataFrame) -> list[Problem]:
    """Unknown codes (per period's register), wrong parent, wrong province of a template."""
    problems = []
    pairs = ok[["locality_code", "period"]].drop_duplicates()
    units: dict[tuple[str, str], register.Locality | str] = {}
    for code, period in zip(pairs.locality_code, pairs.period):
        try:
            units[(code, period)] = register.get(code, period)
        except UnknownLocalityError as e:
            units[(code, period)] = str(e)
    columns = ["locality_code", "period", "_code_numeric", "_province"] + (
        ["parent_code"] if "parent_code" in ok else [])
    # One verdict per distinct combination, then one problem per row that has it.
    verdicts: dict[tuple, list[tuple[str, str]]] = {}
    for combo in ok[columns].drop_duplicates().itertuples(index=False, name=None):
        code, period, numeric, province = combo[:4]
        given = combo[4] if len(combo) > 4 else ""
        unit = units[(code, period)]
        found = []
        if isinstance(unit, str):
            if numeric:
                unit = unit.rstrip(".") + "." + messages.numeric_code_hint()
            found.append(("locality_code", unit))
        else:
            if given and given not in (unit.parent_code, unit.province_code):
                found.append(("parent_code", messages.wrong_parent(unit, given, period)))
            if province and province != unit.province_code and unit.code != province:
                found.append(("locality_code", messages.wrong_province(unit, province, period)))
        if found:
            verdicts[combo] = found
    if not verdicts:
        return problems
    keys = list(ok[columns].itertuples(index=False, name=None))
    files, rows = ok["_file"].tolist(), ok["_row"].tolist()
    for key, file, row in zip(keys, files, rows):
        for column, message in verdicts.get(key, ()):
            problems.append(Problem(file, int(row), column, message))
    return problems


def _duplicate_problems(ok: pd.DataFrame, key: list[str], what) -> list[Problem]:
    dup = ok[ok.duplicated(key, keep=False)]
    problems = []
    for _, group in dup.groupby(key, sort=False):
        first = group.index[0]
        f_file, f_row = group.at[first, "_file"], int(group.at[first, "_row"])
        for i in group.index[1:]:
            file, row = group.at[i, "_file"], int(group.at[i, "_row"])
            if file == f_file:
                msg = messages.duplicate(what(group.loc[i]), group.at[i, "locality_code"],
                                         group.at[i, "period"], f"lines {f_row}", str(row))
            else:
                msg = messages.duplicate(what(group.loc[i]), group.at[i, "locality_code"],
                                         group.at[i, "period"], f"{f_file}:{f_row}",
                                         f"{file}:{row}")
            problems.append(_problem(ok, i, _dup_column(ok, i), msg))
    return problems


def _dup_column(ok: pd.DataFrame, i: int) -> str:
    return "indicator" if "indicator" in ok and ok.at[i, "_column"] == "value" else (
        str(ok.at[i, "_column"]) if "_column" in ok else "criterion")


def _part_problems(ok: pd.DataFrame, cat: dict) -> list[Problem]:
    values = ok[ok["_number"].notna()].drop_duplicates(["locality_code", "period", "indicator"])
    pairs = [(ind.name, whole) for ind in cat.values() for whole in ind.part_of]
    if values.empty or not pairs:
        return []
    links = pd.DataFrame(pairs, columns=["indicator", "whole"])
    parts = values.reset_index(names="_i").merge(links, on="indicator")
    wholes = values[["locality_code", "period", "indicator", "_number", "_file", "_row"]].rename(
        columns={"indicator": "whole", "_number": "_whole", "_file": "_wfile", "_row": "_wrow"})
    both = parts.merge(wholes, on=["locality_code", "period", "whole"])
    both = both[both["_number"] > both["_whole"]]
    return [
        Problem(r["_file"], int(r["_row"]), r["_column"], messages.part_larger(
            r["indicator"], r["_number"], r["whole"], r["_whole"], r["locality_code"],
            r["period"], _loc(r["_file"], int(r["_wrow"]), r["_wfile"])))
        for r in both.to_dict("records")
    ]


def _required_problems(known: pd.DataFrame, cat: dict) -> list[Problem]:
    required = [n for n, ind in cat.items() if ind.required]
    reported = known[known["indicator"].isin(list(cat))]
    have = set(zip(reported["locality_code"].tolist(), reported["period"].tolist(),
                   reported["indicator"].tolist()))
    # The problem points to the locality's first row: its first line, or its row in a sheet.
    firsts = reported.drop_duplicates(["locality_code", "period"])
    problems = []
    for code, period, file, row, column in zip(
            firsts["locality_code"].tolist(), firsts["period"].tolist(), firsts["_file"].tolist(),
            firsts["_row"].tolist(), firsts["_column"].tolist()):
        wide = column != "value"
        for name in required:
            if (code, period, name) not in have:
                problems.append(Problem(file, int(row), name if wide else "indicator",
                                        messages.required_missing(name, code, period)))
    return problems


# --------------------------------------------------------------------------- appraisal


def _appraisal_schema() -> pa.DataFrameSchema:
    def nonblank(name):
        return pa.Check(lambda s: s != "", name=f"blank_{name}")

    return pa.DataFrameSchema({
        "methodology": pa.Column(str, nonblank("methodology")),
        "locality_code": pa.Column(str, nonblank("locality_code")),
        "period": pa.Column(str, pa.Check(lambda s: _each(s, _is_period),
                                          name="period")),
        "criterion": pa.Column(str, nonblank("criterion")),
        "points": pa.Column(str, [
            pa.Check(lambda s: s != "", name="blank_points"),
            pa.Check(lambda s: (s == "") | _each(s, _is_number), name="number"),
        ]),
    }, strict=False)


_POINTS_SCHEMA = pa.DataFrameSchema({"_number": pa.Column(float, [
    pa.Check(lambda s: s >= 0, name="negative_points")])})

_EXAMPLES = {"methodology": "par-commune", "locality_code": "17266", "criterion": "1.2"}


def validate_appraisal(df: pd.DataFrame, file: "str | Sequence[str]" = "appraisal.csv",
                       row_numbers: "Sequence[int] | None" = None) -> list[Problem]:
    """Every problem in an appraisal-points table (points a council gives to judged criteria)."""
    raw = _with_meta(df, file, row_numbers)
    first_file = file if isinstance(file, str) else (raw["_file"].iloc[0] if len(raw) else "")
    problems = header_problems(df.columns, first_file, APPRAISAL_COLUMNS)
    if any(c not in raw for c in APPRAISAL_COLUMNS if c != "source") or raw.empty:
        return sorted(set(problems))
    bad, bad_points = set(), set()
    for check, i in _failures(_appraisal_schema(), raw):
        if check.startswith("blank_") and check != "blank_points":
            column = check[len("blank_"):]
            problems.append(_problem(raw, i, column, messages.blank(column, _EXAMPLES[column])))
            bad.add(i)
        elif check == "period":
            problems.append(_problem(raw, i, "period", _period_message(raw.at[i, "period"])))
            bad.add(i)
        elif check == "blank_points":
            problems.append(_problem(raw, i, "points",
                                     messages.blank_points(raw.at[i, "criterion"])))
            bad_points.add(i)
        elif check == "number":
            problems.append(_problem(raw, i, "points",
                                     messages.non_numeric_points(raw.at[i, "points"])))
            bad_points.add(i)
    raw = raw.copy()
    raw["_number"] = pd.to_numeric(raw["points"].where(_each(raw["points"], _is_number)),
                                   errors="coerce").astype("float64")
    numeric = raw[raw["_number"].notna()]
    for _, i in _failures(_POINTS_SCHEMA, numeric[["_number"]]):
        problems.append(_problem(raw, i, "points", messages.negative_points(
            raw.at[i, "_number"], raw.at[i, "criterion"])))
    ok = raw.drop(index=list(bad))
    ok = ok.assign(period=_normal_periods(ok["period"]),
                   _column="criterion")
    problems += _locality_problems(ok)
    problems += _duplicate_problems(
        ok, ["methodology", "locality_code", "period", "criterion"],
        lambda r: f"criterion {r['criterion']} of {r['methodology']}")
    problems += _methodology_problems(ok)
    return sorted(set(problems))


def _methodology_problems(ok: pd.DataFrame) -> list[Problem]:
    """Unknown methodology ids and criterion ids, when ``parbrief.methodology`` is available."""
    try:
        from . import methodology as methodologies
    except ImportError:
        return []
    problems = []
    for name, group in ok.groupby("methodology", sort=False):
        try:
            method = methodologies.load(name)
        except (ParbriefError, FileNotFoundError, KeyError) as e:
            msg = messages.unknown_methodology(name, str(e))
            problems += [_problem(ok, i, "methodology", msg) for i in group.index]
            continue
        maxima = _criterion_maxima(method)
        if maxima is None:
            continue
        for i, criterion, points in zip(group.index, group["criterion"], group["_number"]):
            if criterion not in maxima:
                problems.append(_problem(ok, i, "criterion", messages.unknown_criterion(
                    criterion, name, list(maxima))))
            elif maxima[criterion] is not None and pd.notna(points) \
                    and points > maxima[criterion] + 1e-9:
                problems.append(_problem(ok, i, "points", messages.points_above_maximum(
                    points, criterion, maxima[criterion])))
    return problems


def _criterion_maxima(method) -> "dict[str, float | None] | None":
    """Criterion id -> maximum points, read from whatever shape the methodology object has."""
    criteria = getattr(method, "criteria", None)
    if callable(criteria):
        criteria = criteria()
    if criteria is None:
        areas = getattr(method, "areas", None)
        if not areas:
            return None
        criteria = [c for a in areas for c in (getattr(a, "criteria", None) or [])]
    if isinstance(criteria, dict):
        criteria = list(criteria.values())
    out: dict[str, float | None] = {}
    for c in criteria:
        cid = getattr(c, "id", None)
        if cid is None:
            return None
        maximum = getattr(c, "max_points", getattr(c, "maximum", None))
        out[str(cid)] = float(maximum) if isinstance(maximum, (int, float)) else None
    return out or None


# --------------------------------------------------------------------------- files


def validate_raw(figure_frames: "pd.DataFrame | list[pd.DataFrame]",
                 appraisal: "pd.DataFrame | None" = None) -> list[Problem]:
    """Problems in a data set's raw tables (as read by ``parbrief.dataset``)."""
    frames = [figure_frames] if isinstance(figure_frames, pd.DataFrame) else list(figure_frames)
    problems: list[Problem] = []
    usable = []
    for frame in frames:
        file = frame.attrs.get("file", "")
        if not frame.attrs.get("wide"):
            head = header_problems(frame.columns, file, FIGURE_COLUMNS, OPTIONAL_FIGURE_COLUMNS)
            problems += head
            if any(c not in frame for c in FIGURE_COLUMNS if c != "source"):
                continue
        if not frame.empty:
            usable.append(frame)
    if usable:
        raw = _with_meta(pd.concat(usable, ignore_index=True), "", None)
        problems += _figure_row_problems(raw)
    if appraisal is not None and len(appraisal.columns):
        problems += validate_appraisal(appraisal, appraisal.attrs.get("file", "appraisal.csv"),
                                       appraisal.get("_row"))
    return sorted(set(problems))


def validate_paths(paths: "list[Path] | list[str]") -> list[Problem]:
    """Every problem in every file of these data set folders or files, sorted by file and row."""
    from .dataset import read_raw

    problems: list[Problem] = []
    for path in paths:
        figures, appraisal, _files, read_problems = read_raw(Path(path))
        problems += read_problems + validate_raw(figures, appraisal)
    return sorted(set(problems))
