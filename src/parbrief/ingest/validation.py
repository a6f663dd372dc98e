"""Validation (kiểm tra số liệu) of figures and appraisal tables: every problem, in every file.

Each problem names the file, the row a user sees (CSV: the header is line 1; Excel: the sheet's
row number, the file shown as ``book.xlsx#2026Q3``), the column, what is wrong and how to fix it.

Column-level checks (blank cells, malformed periods, unknown indicators, non-numbers, ranges per
indicator type) are pandera schemas whose failure cases become ``Problem``s; checks across rows
(register look-ups, duplicates, parts larger than their whole or given without it, required
figures, parents, names against codes, text typed in a legacy font) are plain pandas. Every case
and its exact message is catalogued in docs/bad-input.md, each with a real file and a test.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from parbrief.core import catalogue
from parbrief.core.columns import (
    APPRAISAL_COLUMNS,
    FIGURE_COLUMNS,
    OPTIONAL_APPRAISAL_COLUMNS,
    OPTIONAL_FIGURE_COLUMNS,
)
from parbrief.core.errors import ParbriefError, PeriodError, Problem, UnknownLocalityError
from parbrief.core.names import match_key
from parbrief.core.periods import Quarter, parse_row_period
from parbrief.ingest import coverage
from parbrief.ingest.encodings import legacy_text
from parbrief.ingest.messages import line_reference, messages
from parbrief.ingest.readers import cell_text, read_raw
from parbrief.units import register

# ASCII digits only: Python's \d and float() take full-width digits ("１２００"), which pandas
# then reads as NaN: a figure silently lost.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
# Text limits: a source names a document, a name is a unit's name (the longest in the
# registers has 31 characters); 110 KB of source per figure once made a 496-page PDF.
MAX_TEXT = {"source": 300, "locality_name": 100}
# Invisible characters that reorder how text is shown (bidirectional controls): a name or a
# source holding them can print differently from what it says.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# --------------------------------------------------------------------------- column checks


def _is_period(text: str) -> bool:
    """A figure's period: a quarter (a year's figures are its quarters added up)."""
    try:
        Quarter.parse(text)
        return True
    except PeriodError:
        return False


def _is_points_period(text: str) -> bool:
    """An appraisal row's period: a quarter, or a year (the council's annual points)."""
    try:
        parse_row_period(text)
        return True
    except PeriodError:
        return False


def _points_period_message(text: str) -> str:
    """A malformed appraisal period: the quarter's message, saying a year is right too."""
    return messages.period(text).replace(
        "write a quarter as 2026Q3", "write a quarter as 2026Q3 or a year as 2026", 1)


def _period_message(text: str) -> str:
    return messages.period(text)


def _is_number(text: str) -> bool:
    # "1e999" has the form of a number but is infinite: no figure is.
    return bool(_NUMBER.match(text)) and math.isfinite(float(text))


def _each(s: pd.Series, test) -> pd.Series:
    """``test`` on each distinct value only: files repeat the same periods and codes a lot."""
    results = {v: bool(test(v)) for v in s.unique()}
    return s.map(results).astype(bool)


def _normal_periods(s: pd.Series) -> pd.Series:
    names = {v: str(parse_row_period(v)) for v in s.unique()}
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


def _with_meta(df: pd.DataFrame, file: str | Sequence[str],
               row_numbers: Sequence[int] | None) -> pd.DataFrame:
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
    if "_scope" not in raw:  # the province a data set is checked as (empty: any)
        raw["_scope"] = ""
    for c in raw.columns:
        if c.startswith("_"):
            continue
        if pd.api.types.is_string_dtype(raw[c]) and not raw[c].isna().any():
            raw[c] = raw[c].astype("str")
            # Frames given directly may hold decomposed (NFD) text; files are read as NFC.
            odd = {v: unicodedata.normalize("NFC", v) for v in raw[c].unique() if not v.isascii()}
            odd = {k: v for k, v in odd.items() if k != v}
            if odd:
                raw[c] = raw[c].replace(odd).astype("str")
        else:
            raw[c] = raw[c].map(_text).astype("str")
    raw["_file"] = raw["_file"].astype("str")
    raw["_row"] = raw["_row"].astype("int64")
    raw["_column"] = raw["_column"].fillna("value").astype("str")
    raw["_province"] = raw["_province"].fillna("").astype("str")
    raw["_code_numeric"] = raw["_code_numeric"].fillna(False).astype(bool)
    raw["_skip"] = raw["_skip"].fillna(False).astype(bool)
    raw["_scope"] = raw["_scope"].fillna("").astype("str")
    return raw


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return cell_text(value)


def header_problems(columns: Sequence[str], file: str, expected: Sequence[str],
                    optional: Sequence[str] = ()) -> list[Problem]:
    cols = [c for c in columns if not str(c).startswith("_")]
    missing = [c for c in expected if c not in cols]
    problems = [Problem(file, 1, c, messages.missing_column(c, expected)) for c in missing]
    problems += [Problem(file, 1, c, messages.extra_column(c, expected, missing))
                 for c in cols if c not in expected and c not in optional]
    return problems


def validate_figures(df: pd.DataFrame, file: str | Sequence[str] = "figures.csv",
                     row_numbers: Sequence[int] | None = None) -> list[Problem]:
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
            type_ = cat[ind].type if ind in cat else ""
            problems.append(_problem(raw, i, _value_column(raw, i),
                                     messages.not_a_number(raw.at[i, "value"], ind, type_)))
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
    # A boolean Series, not a list: an empty list would select no columns instead of no rows.
    known = ok[pd.Series([k in valid for k in zip(ok.locality_code.tolist(), ok.period.tolist())],
                         index=ok.index, dtype=bool)]
    problems += _duplicate_problems(ok, ["locality_code", "period", "indicator"],
                                    lambda r: r["indicator"])
    good_values = ok.drop(index=list(bad_value), errors="ignore")
    problems += _part_problems(good_values, cat)
    problems += _sum_problems(good_values)
    problems += _whole_problems(ok, cat)
    problems += _required_problems(known, cat)
    problems += _text_problems(raw)
    problems += _quarter_warnings(ok)
    return problems


def _quarter_warnings(ok: pd.DataFrame) -> list[Problem]:
    """Quarters that look mistyped (``coverage.unlikely_quarters``), as warnings at the
    quarter's first row (in a workbook: its sheet)."""
    unlikely = coverage.unlikely_quarters(coverage.reports_of(
        zip(ok["locality_code"].tolist(), ok["period"].tolist())))
    problems = []
    for quarter, u in unlikely.items():
        first = ok.index[ok["period"] == str(quarter)][0]
        file = str(ok.at[first, "_file"])
        wide = ok.at[first, "_column"] != "value"
        problems.append(Problem(file, 0 if wide else int(ok.at[first, "_row"]),
                                "sheet" if wide else "period", messages.unlikely_quarter(u),
                                warning=True))
    return problems


def _locality_problems(ok: pd.DataFrame) -> list[Problem]:
    """Unknown codes (per period's register), wrong parent, wrong province of a template or of
    a province-scoped check, and names that do not match the code."""
    problems = []
    pairs = ok[["locality_code", "period"]].drop_duplicates()
    units: dict[tuple[str, str], register.Locality | str] = {}
    for code, period in zip(pairs.locality_code, pairs.period):
        try:
            units[(code, period)] = register.get(code, period)
        except UnknownLocalityError as e:
            units[(code, period)] = str(e)
    columns = ["locality_code", "period", "_code_numeric", "_province", "_scope"]
    columns += [c for c in ("parent_code", "locality_name") if c in ok]
    # One verdict per distinct combination, then one problem per row that has it.
    verdicts: dict[tuple, list[tuple[str, str]]] = {}
    for combo in ok[columns].drop_duplicates().itertuples(index=False, name=None):
        row = dict(zip(columns, combo))
        code, period, numeric = row["locality_code"], row["period"], row["_code_numeric"]
        province, scope = row["_province"], row["_scope"]
        given, name = row.get("parent_code", ""), row.get("locality_name", "")
        unit = units[(code, period)]
        found = []
        if isinstance(unit, str):
            # A number cell says so itself; in text, zeros in front may make a known code.
            unit = unit.rstrip(".") + "." + messages.numeric_code_hint() if numeric else \
                _unknown_code(code, period, unit, given or province or scope)
            found.append(("locality_code", unit))
        else:
            if given and given not in (unit.parent_code, unit.province_code):
                found.append(("parent_code", messages.wrong_parent(unit, given, period)))
            if province and province != unit.province_code and unit.code != province:
                found.append(("locality_code", messages.wrong_province(unit, province, period)))
            elif scope and scope != unit.province_code and unit.code != scope:
                found.append(("locality_code", messages.wrong_scope(unit, scope, period)))
            if name and not _legacy(name) and not _name_matches(name, unit):
                found.append(("locality_name", messages.name_mismatch(
                    name, unit, period, _name_hint(name, unit, period))))
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


def _unknown_code(code: str, period: str, message: str, parent: str = "") -> str:
    """The register's message, or, when the code is near a known one, that hint: zeros in
    front lost, full-width digits, or a unit's name typed in the code column."""
    plain = unicodedata.normalize("NFKC", code)
    if plain != code and plain.isascii() and register.exists(plain, period):
        return messages.full_width_code(code, register.register_for(period), period,
                                        register.get(plain, period))
    if any(ch.isalpha() for ch in code) and not any(ch.isdigit() for ch in code):
        units = _named(code, period, parent)
        if units:
            return messages.name_as_code(code, register.register_for(period), period, units)
    if not code.isdigit() or not code.isascii() or len(code) >= 5:
        return message
    found = [register.get(padded, period) for padded in dict.fromkeys(
        code.zfill(width) for width in (5, 3, 2)) if padded != code
        and register.exists(padded, period)]
    if not found:
        return message
    return messages.leading_zeros(code, register.register_for(period), period, found)


def _named(name: str, period: str, parent: str) -> list[register.Locality]:
    """The units with this name (under ``parent`` when it is known and one is there)."""
    reg = register.register_for(period)
    df = register.table(reg)
    key = match_key(unicodedata.normalize("NFC", name))
    hits = df[(df["name"].map(match_key) == key) | (df["short_name"].map(match_key) == key)]
    if parent:
        inside = hits[(hits.parent_code == parent) | (hits.province_code == parent)]
        hits = inside if len(inside) else hits
    return [register.get(c, period) for c in hits.code[:4]]


# Unit types and the abbreviations people write for them ("P. Ba Đình", "TT Tân Kỳ").
_TYPE_ABBREVIATIONS = {"xa": ("x",), "phuong": ("p",), "thi tran": ("tt",), "thanh pho": ("tp",),
                       "thi xa": ("tx",), "huyen": ("h",), "quan": ("q",), "tinh": (),
                       "dac khu": ()}
_TYPE_PREFIX = re.compile("^({})\\.?\\s+".format("|".join(sorted(
    {t for k, v in _TYPE_ABBREVIATIONS.items() for t in (k, *v)}, key=len, reverse=True))))


def _name_key(name: str) -> str:
    return re.sub(r"\s+", " ", match_key(name).replace(".", ". ")).strip()


def _name_matches(name: str, unit: register.Locality) -> bool:
    """Whether a typed name is this unit's: case and diacritics aside, with or without its unit
    type (or the type's abbreviation), and "y" or "i" alike ("Kỳ"/"Kì" are both in use)."""
    def same(a: str, b: str) -> bool:
        return a.replace("y", "i") == b.replace("y", "i")

    given = _name_key(name)
    if same(given, _name_key(unit.name)) or same(given, _name_key(unit.short_name)):
        return True
    m = _TYPE_PREFIX.match(given)
    unit_type = _name_key(unit.unit_type)
    return bool(m) and m.group(1) in (unit_type, *_TYPE_ABBREVIATIONS.get(unit_type, ())) \
        and same(given[m.end():], _name_key(unit.short_name))


def _name_hint(name: str, unit: register.Locality, period: str) -> str:
    """Which unit the name does match: the same code in the other register, or a neighbour."""
    from parbrief.core.periods import MERGER_QUARTER

    quarter = Quarter.parse(period)
    other = MERGER_QUARTER.previous() if quarter >= MERGER_QUARTER else MERGER_QUARTER
    try:
        then = register.get(unit.code, other)
    except UnknownLocalityError:
        then = None
    if then is not None and _name_matches(name, then):
        when = f"was {then.name} before {MERGER_QUARTER}" if other < MERGER_QUARTER else \
            f"is {then.name} from {MERGER_QUARTER}"
        return (f" ({unit.code} {when}: codes are reused between registers, so check the "
                "period)")
    try:
        match = register.find(name, period, parent=unit.province_code)
    except (UnknownLocalityError, PeriodError):
        return ""
    return f" ({name!r} is {match.code} {match.name} in {period})"


def _legacy(text: str) -> tuple[str, str] | None:
    # A name in the register is genuine, however odd it looks (Xã Ia Púch).
    return None if text in _register_names() else legacy_text(text)


@lru_cache(maxsize=1)
def _register_names() -> frozenset[str]:
    return frozenset(n for reg in (register.LEGACY, register.REG_2025)
                     for column in ("name", "short_name") for n in register.table(reg)[column])


def _text_problems(raw: pd.DataFrame) -> list[Problem]:
    """Names and sources typed in a legacy font encoding (TCVN3, VNI), too long, or holding
    invisible bidirectional controls: each distinct text once per file and column, at its
    first row, since the fix is the same for every row."""
    problems = []
    for column in ("locality_name", "source"):
        if column not in raw:
            continue
        texts = raw[column]
        for text, message in _text_verdicts(texts, column).items():
            first = raw.index[texts == text]
            seen_files = set()
            for i in first:
                if raw.at[i, "_file"] not in seen_files:
                    seen_files.add(raw.at[i, "_file"])
                    problems.append(_problem(raw, i, column, message))
        verdicts = {t: _legacy(t) for t in texts.unique() if t and not t.isascii()
                    and len(t) <= MAX_TEXT[column] and not _BIDI_CONTROLS.search(t)}
        verdicts = {t: v for t, v in verdicts.items() if v}
        seen = set()
        for i in raw.index[texts.isin(list(verdicts))]:
            key = (raw.at[i, "_file"], texts[i])
            if key in seen:
                continue
            seen.add(key)
            encoding, reads = verdicts[texts[i]]
            problems.append(_problem(raw, i, column, messages.legacy_text(
                texts[i], encoding, reads, workbook="#" in str(raw.at[i, "_file"]))))
    return problems


def _text_verdicts(texts: pd.Series, column: str) -> dict[str, str]:
    """Distinct texts that are too long or hold bidirectional controls -> the message."""
    out = {}
    for text in texts.unique():
        if not text or text.isascii() and len(text) <= MAX_TEXT[column]:
            continue
        if len(text) > MAX_TEXT[column]:
            out[text] = messages.text_too_long(column, len(text), MAX_TEXT[column])
        elif (m := _BIDI_CONTROLS.search(text)):
            out[text] = messages.bidi_control(column, text, m.start())
    return out


def _whole_problems(ok: pd.DataFrame, cat: dict) -> list[Problem]:
    """A part given without the figure it is part of (required wholes are reported as missing
    required figures instead)."""
    have = set(zip(ok["locality_code"].tolist(), ok["period"].tolist(), ok["indicator"].tolist()))
    problems = []
    for i, code, period, ind in zip(ok.index, ok["locality_code"], ok["period"], ok["indicator"]):
        for whole in cat[ind].part_of if ind in cat else ():
            if not cat[whole].required and (code, period, whole) not in have:
                problems.append(_problem(ok, i, _value_column(ok, i) if ok.at[i, "_column"] !=
                                         "value" else "indicator",
                                         messages.whole_missing(ind, whole, code, period)))
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
            r["period"], line_reference(r["_file"], int(r["_wrow"]), r["_wfile"])))
        for r in both.to_dict("records")
    ]


def _sum_problems(ok: pd.DataFrame) -> list[Problem]:
    """Parts that never overlap (the catalogue's ``sums``: on time + late) adding up to more
    than their whole. Reported on the row of the group's last part in the file; a part larger
    than the whole on its own is already reported by ``_part_problems``."""
    groups = catalogue.sums()
    values = ok[ok["_number"].notna()].drop_duplicates(["locality_code", "period", "indicator"])
    names = {n for g in groups for n in (g.whole, *g.parts)}
    values = values[values["indicator"].isin(list(names))]
    if values.empty:
        return []
    cells = {(c, p, i): (v, f, r, col) for c, p, i, v, f, r, col in zip(
        values["locality_code"], values["period"], values["indicator"], values["_number"],
        values["_file"], values["_row"], values["_column"])}
    problems = []
    for code, period in values[["locality_code", "period"]].drop_duplicates().itertuples(
            index=False, name=None):
        for group in groups:
            whole = cells.get((code, period, group.whole))
            parts = [(p, cells[(code, period, p)]) for p in group.parts
                     if (code, period, p) in cells]
            if whole is None or len(parts) < 2:
                continue
            total = sum(v for _, (v, *_rest) in parts)
            if total <= whole[0] or any(v > whole[0] for _, (v, *_rest) in parts):
                continue
            # the row of the part that comes last in the file (in a sheet: the same row)
            last, (_, file, row, column) = max(parts, key=lambda p: (p[1][1], p[1][2]))
            problems.append(Problem(file, int(row), column, messages.parts_exceed_whole(
                [(p, v) for p, (v, *_rest) in parts], group.whole, whole[0], code, period,
                line_reference(file, int(whole[2]), whole[1]))))
    return problems


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
        "period": pa.Column(str, pa.Check(lambda s: _each(s, _is_points_period),
                                          name="period")),
        "criterion": pa.Column(str, nonblank("criterion")),
        "points": pa.Column(str, [
            pa.Check(lambda s: s != "", name="blank_points"),
            pa.Check(lambda s: (s == "") | _each(s, _is_number), name="number"),
        ]),
        "self_assessed": pa.Column(str, pa.Check(lambda s: (s == "") | _each(s, _is_number),
                                                 name="self_number")),
    }, strict=False)


_POINTS_SCHEMA = pa.DataFrameSchema({"_number": pa.Column(float, [
    pa.Check(lambda s: s >= 0, name="negative_points")])})

_EXAMPLES = {"methodology": "par-commune", "locality_code": "17266", "criterion": "1.2"}


def validate_appraisal(df: pd.DataFrame, file: str | Sequence[str] = "appraisal.csv",
                       row_numbers: Sequence[int] | None = None,
                       province: str | None = None,
                       methodology_files: Sequence[Path] = ()) -> list[Problem]:
    """Every problem in an appraisal-points table (points a council gives to judged criteria).

    ``methodology_files``: methodologies known besides the shipped ones (a data set's
    ``methodologies/`` folder, a file given by path): rows name them by id."""
    raw = _with_meta(df, file, row_numbers)
    raw["_scope"] = str(province or "")
    if "self_assessed" not in raw:
        raw["self_assessed"] = ""
    first_file = file if isinstance(file, str) else (raw["_file"].iloc[0] if len(raw) else "")
    problems = header_problems(df.columns, first_file, APPRAISAL_COLUMNS,
                               OPTIONAL_APPRAISAL_COLUMNS)
    if any(c not in raw for c in APPRAISAL_COLUMNS if c != "source") or raw.empty:
        return sorted(set(problems))
    bad, bad_points = set(), set()
    for check, i in _failures(_appraisal_schema(), raw):
        if check.startswith("blank_") and check != "blank_points":
            column = check[len("blank_"):]
            problems.append(_problem(raw, i, column, messages.blank(column, _EXAMPLES[column])))
            bad.add(i)
        elif check == "period":
            problems.append(_problem(raw, i, "period",
                                     _points_period_message(raw.at[i, "period"])))
            bad.add(i)
        elif check == "blank_points":
            # blank points beside the locality's own: the council has not appraised it yet
            if raw.at[i, "self_assessed"] == "":
                problems.append(_problem(raw, i, "points",
                                         messages.blank_points(raw.at[i, "criterion"])))
            bad_points.add(i)
        elif check == "number":
            problems.append(_problem(raw, i, "points",
                                     messages.non_numeric_points(raw.at[i, "points"])))
            bad_points.add(i)
        elif check == "self_number":
            problems.append(_problem(raw, i, "self_assessed", messages.non_numeric_points(
                raw.at[i, "self_assessed"])))
    raw = raw.copy()
    raw["_number"] = pd.to_numeric(raw["points"].where(_each(raw["points"], _is_number)),
                                   errors="coerce").astype("float64")
    raw["_self"] = pd.to_numeric(raw["self_assessed"].where(_each(raw["self_assessed"],
                                                                  _is_number)),
                                 errors="coerce").astype("float64")
    for column, number in (("points", "_number"), ("self_assessed", "_self")):
        numeric = raw[raw[number].notna()]
        for _, i in _failures(_POINTS_SCHEMA, numeric[[number]].rename(
                columns={number: "_number"})):
            problems.append(_problem(raw, i, column, messages.negative_points(
                raw.at[i, number], raw.at[i, "criterion"])))
    ok = raw.drop(index=list(bad))
    ok = ok.assign(period=_normal_periods(ok["period"]),
                   _column="criterion")
    problems += _locality_problems(ok)
    problems += _duplicate_problems(
        ok, ["methodology", "locality_code", "period", "criterion"],
        lambda r: f"criterion {r['criterion']} of {r['methodology']}")
    problems += _methodology_problems(ok, methodology_files)
    return sorted(set(problems))


def _methodology_problems(ok: pd.DataFrame, files: Sequence[Path] = ()) -> list[Problem]:
    """Methodologies named by a path or by an id nothing knows, unknown criterion ids, points
    above a maximum, and totals (``appraised-total``, ``survey-total``) given beside points for
    single criteria of the same component."""
    from parbrief.scoring import methodology as methodologies

    try:
        ids = methodologies.known(files=files)
    except ParbriefError:
        return []  # two files with one id: reported once, as the data set's problem
    problems = []
    for name, group in ok.groupby("methodology", sort=False):
        if methodologies.is_file_name(name) or "/" in name or "\\" in name:
            msg = messages.methodology_path(name, _id_in(name, files))
            problems += [_problem(ok, i, "methodology", msg) for i in group.index]
            continue
        try:
            if name not in ids:
                raise methodologies.unknown(name, ids)
            method = methodologies.load(str(ids[name]))
        except (ParbriefError, FileNotFoundError, KeyError) as e:
            msg = messages.unknown_methodology(name, str(e))
            problems += [_problem(ok, i, "methodology", msg) for i in group.index]
            continue
        maxima = {cid: c.max_points for cid, c in method.criteria().items()}
        components = method.component_maxima()
        totals = {t: components[c] for t, c in methodologies.TOTALS.items()}
        of_component = {cid: c.component for cid, c in method.criteria().items()}
        for i, criterion, points, own in zip(group.index, group["criterion"], group["_number"],
                                             group["_self"]):
            maximum = maxima.get(criterion, totals.get(criterion))
            if maximum is None:
                problems.append(_problem(ok, i, "criterion", messages.unknown_criterion(
                    criterion, name, list(maxima) + list(totals))))
                continue
            for column, value in (("points", points), ("self_assessed", own)):
                if pd.notna(value) and value > maximum + 1e-9:
                    problems.append(_problem(ok, i, column, messages.points_above_maximum(
                        value, criterion, maximum)))
        # a total and a single criterion of the same component: which would count?
        for (code, period), rows in group.groupby(["locality_code", "period"], sort=False):
            given = set(rows["criterion"])
            for total, component in methodologies.TOTALS.items():
                if total not in given:
                    continue
                singles = [c for c in rows["criterion"] if of_component.get(c) == component]
                if singles:
                    i = rows.index[rows["criterion"] == total][0]
                    problems.append(_problem(ok, i, "criterion", messages.total_and_criteria(
                        component, name, code, period, singles)))
    return problems


def _id_in(name: str, files: Sequence[Path]) -> str | None:
    """The id a methodology file given as a path declares, if it can be read."""
    from parbrief.scoring import methodology as methodologies

    for candidate in [Path(name)] + [Path(f) for f in files if Path(f).name == Path(name).name]:
        try:
            return methodologies.load(str(candidate)).id
        except (ParbriefError, OSError):
            continue
    return Path(name).stem if methodologies.is_file_name(name) else None


# --------------------------------------------------------------------------- files


def validate_raw(figure_frames: pd.DataFrame | list[pd.DataFrame],
                 appraisal: pd.DataFrame | None = None,
                 province: str | None = None,
                 methodology_files: Sequence[Path] = ()) -> list[Problem]:
    """Problems in a data set's raw tables (as read by ``parbrief.ingest.dataset``).

    ``province``: check the data set as that province's own (rows of other provinces' units are
    problems); by default a data set may hold any province. ``methodology_files``: the
    methodologies appraisal rows may name besides the shipped ones (the data set's
    ``methodologies/`` folder, a file given by path).
    """
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
        raw["_scope"] = str(province or "")
        problems += _figure_row_problems(raw)
    if appraisal is not None and len(appraisal.columns):
        problems += validate_appraisal(appraisal, appraisal.attrs.get("file", "appraisal.csv"),
                                       appraisal.get("_row"), province=province,
                                       methodology_files=methodology_files)
    return sorted(set(problems))


def validate_paths(paths: list[Path] | list[str], province: str | None = None,
                   methodologies: Sequence[str | Path] = ()) -> list[Problem]:
    """Every problem in every file of these data set folders or files, sorted by file and row.

    ``methodologies``: methodology files given by path (besides each data set's own
    ``methodologies/`` folder). Whatever a file holds, the answer is a list of problems, never
    an exception.
    """
    found: list[tuple[Path, list[Problem]]] = []
    for path in paths:
        try:
            figures, appraisal, _files, read_problems = read_raw(Path(path))
            known = dataset_methodologies(Path(path), methodologies)
            found.append((Path(path), read_problems + methodology_file_problems(known)
                          + validate_raw(figures, appraisal, province=province,
                                         methodology_files=known)))
        except Exception as e:  # noqa: BLE001 - the command line prints messages, not tracebacks
            found.append((Path(path), [Problem(str(path), 0, "", messages.unreadable(e))]))
    # Problems name a file by its name ("figures.csv"); when two of the folders checked hold
    # files of the same name, those files are named with their folder ("quy2/figures.csv").
    owners: dict[str, set[Path]] = {}
    for path, problems in found:
        if path.is_dir():
            for p in problems:
                owners.setdefault(_file_name(p.file), set()).add(path)
    shared = {name for name, folders in owners.items() if len(folders) > 1}
    out: list[Problem] = []
    for path, problems in found:
        for p in problems:
            if path.is_dir() and _file_name(p.file) in shared:
                p = replace(p, file=f"{path.as_posix().rstrip('/')}/{p.file}")
            out.append(p)
    return sorted(set(out))


def _file_name(shown: str) -> str:
    """``book.xlsx#2026Q3`` -> ``book.xlsx``."""
    return shown.split("#", 1)[0]


def dataset_methodologies(path: Path, given: Sequence[str | Path] = ()) -> list[Path]:
    """The methodology files a data set's appraisal rows may name: its ``methodologies/``
    folder's and those given by path."""
    from parbrief.ingest.readers import methodology_files

    return methodology_files(Path(path)) + [Path(g) for g in given]


def methodology_file_problems(files: Sequence[Path]) -> list[Problem]:
    """A methodology file of the data set (or given) that does not load, or two files with one
    id: every report that scores with them would fail, so each is named once, with the fix."""
    from parbrief.scoring import methodology as methodologies

    def name(f: Path) -> str:
        f = Path(f)
        return f"{f.parent.name}/{f.name}" if f.parent.name == methodologies.FOLDER else f.name

    problems = []
    for f in files:
        try:
            methodologies.load(str(f))
        except ParbriefError as e:
            text = str(e)
            prefix = f"{Path(f).name}: "
            problems.append(Problem(name(f), 0, "", text[len(prefix):]
                                    if text.startswith(prefix) else text))
        except OSError as e:
            problems.append(Problem(name(f), 0, "", messages.unreadable(e)))
    try:
        methodologies.known(files=files)
    except ParbriefError as e:
        clash = next((f for f in files if str(e).startswith(str(f))), None)
        problems.append(Problem(name(clash) if clash else "methodologies", 0, "",
                                str(e)[len(str(clash)) + 2:] if clash else str(e)))
    return problems
