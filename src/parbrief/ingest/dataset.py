"""Data sets (bộ số liệu): the quarterly figures of localities, and the appraisal council's points.

A data set is a folder holding ``figures.csv`` (or ``figures.parquet``, or ``.xlsx`` workbooks)
and optionally ``appraisal.csv``; or a single figures file. Three input shapes are read into one
long table ``locality_code, period, indicator, value, source``:

* the long CSV / Parquet table itself;
* the wide Excel workbook: one sheet per quarter (named like ``2026Q3``), one row per locality,
  one column per indicator (see ``parbrief.ingest.template``).

Codes and periods are always read as text, so ``"01"`` (Hà Nội) stays ``"01"``. Excel cells are
read as their saved values; formulas are never evaluated.

Reading keeps each row's file and line (``_file``, ``_row``) so that validation can point to the
cell to fix; ``load`` returns the clean, typed table. Text is normalised to Unicode NFC, so a name
typed on a keyboard that writes decomposed letters (NFD) matches the register. CSV files may be
UTF-8 (with or without a byte-order mark) or UTF-16; anything else is reported, naming the
Vietnamese encoding it looks like (Windows-1258, TCVN3, VNI) when one fits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parbrief.core.columns import APPRAISAL_COLUMNS, APPRAISAL_TABLE_COLUMNS, FIGURE_COLUMNS
from parbrief.core.errors import PeriodError, Problem, ValidationError
from parbrief.core.periods import Quarter, Year, parse_row_period, sort_key
from parbrief.ingest.readers import read_raw


@dataclass(frozen=True)
class RowProblem:
    """A validation problem and the figures it concerns: a unit in a quarter, and the
    indicators involved (``None``: every figure and appraisal point of the unit in that
    quarter). A report whose declared rows include them cannot be made; others can."""

    problem: Problem
    locality_code: str
    period: str
    indicators: frozenset[str] | None = None

    def to_json(self) -> dict:
        p = self.problem
        return {"file": p.file, "row": p.row, "column": p.column, "message": p.message,
                "locality_code": self.locality_code, "period": self.period,
                "indicators": sorted(self.indicators) if self.indicators is not None else None}

    @classmethod
    def from_json(cls, d: dict) -> RowProblem:
        return cls(Problem(d["file"], int(d["row"]), d["column"], d["message"]),
                   d["locality_code"], d["period"],
                   frozenset(d["indicators"]) if d["indicators"] is not None else None)


@dataclass
class Dataset:
    """One data set: figures (long form), appraisal points, where it came from and its checksum.

    ``problems``: rows left out because they failed validation (``load_checked``), each with
    the unit and quarter it concerns."""

    figures: pd.DataFrame
    appraisal: pd.DataFrame
    path: Path
    checksum: str
    files: tuple[Path, ...] = field(default_factory=tuple)
    problems: tuple[RowProblem, ...] = ()

    @property
    def periods(self) -> list[str]:
        """Quarters (and years) with figures or appraisal points, oldest first."""
        held = set(self.figures.period.unique()) | set(self.appraisal.period.unique())
        return sorted((p for p in held if _is_row_period(p)), key=sort_key)


def empty() -> Dataset:
    """A data set of no rows (what a report that reads no data, the methodology document, is
    checked against)."""
    return Dataset(figures=_typed_figures(pd.DataFrame()), appraisal=_typed_appraisal(
        pd.DataFrame()), path=Path("."), checksum=checksum([]))


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
        return _empty(APPRAISAL_TABLE_COLUMNS, "points", "self_assessed")
    out = pd.DataFrame({c: raw.get(c, pd.Series("", index=raw.index)).astype("str")
                        for c in APPRAISAL_COLUMNS})
    out["period"] = out["period"].map(_normal_period).astype("str")
    # blank points: not yet appraised (the row carries the locality's own points only)
    for column in ("points", "self_assessed"):
        out[column] = pd.to_numeric(raw.get(column, pd.Series("", index=raw.index)),
                                    errors="coerce").astype("float64")
    return out.reset_index(drop=True)


def _empty(columns: list[str], *numeric: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="float64" if c in numeric else "str")
                         for c in columns})


def _normal_period(text: str) -> str:
    try:
        return str(parse_row_period(text))
    except PeriodError:
        return text


def _is_row_period(text: str) -> bool:
    try:
        parse_row_period(text)
        return True
    except PeriodError:
        return False


def checksum(files: Iterable[Path]) -> str:
    """sha256 over the files' names and bytes, in name order (independent of the folder path)."""
    h = hashlib.sha256()
    for f in sorted(files, key=_file_key):
        h.update(_file_key(f).encode("utf-8") + b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _file_key(f: Path) -> str:
    """A file's name in the data set: a methodology file with its folder's."""
    from parbrief.ingest.readers import METHODOLOGY_FOLDER

    return f"{METHODOLOGY_FOLDER}/{f.name}" if f.parent.name == METHODOLOGY_FOLDER else f.name


def load(path: str | Path, validate: bool = True, province: str | None = None,
         methodologies: Iterable[str | Path] = ()) -> Dataset:
    """Read a data set folder or a single figures file.

    With ``validate`` (the default) every problem in every file is collected first and raised
    together as one ``ValidationError``; without it, unreadable values become NaN. ``province``
    (a code) declares the data set one province's own: a row of another province's unit is then
    a problem. ``methodologies``: methodology files given by path, which appraisal rows may
    name by id (besides the shipped ones and the data set's ``methodologies/`` folder).
    """
    from parbrief.ingest.validation import dataset_methodologies, validate_raw

    path = Path(path)
    raw_figures, raw_appraisal, files, problems = read_raw(path)
    if validate:
        known = dataset_methodologies(path, _yaml_files(methodologies))
        problems = problems + _file_problems(known) + validate_raw(
            raw_figures, raw_appraisal, province=province, methodology_files=known)
        if any(not p.warning for p in problems):  # warnings (a quarter that looks mistyped)
            raise ValidationError(problems)  # are for the user to judge, not a failure
    elif not files:
        raise ValidationError(problems)
    usable = [f for f in raw_figures if len(f)]
    raw = pd.concat(usable, ignore_index=True) if usable else pd.DataFrame()
    return Dataset(figures=_typed_figures(raw), appraisal=_typed_appraisal(raw_appraisal),
                   path=path, checksum=checksum(files), files=tuple(files))


def _yaml_files(methodologies: Iterable[str | Path]) -> list[Path]:
    """The methodologies given by path (ids need no telling: they are looked up)."""
    from parbrief.scoring.methodology import is_file_name

    return [Path(m) for m in methodologies if m and is_file_name(str(m))]


def _file_problems(files: list[Path]) -> list:
    from parbrief.ingest.validation import methodology_file_problems

    return methodology_file_problems(files)


def load_checked(path: str | Path, province: str | None = None,
                 methodologies: Iterable[str | Path] = ()) -> Dataset:
    """Read and validate a data set, leaving out the rows that fail validation.

    Each row-level problem is kept with the unit, quarter and indicators it concerns, so a
    report that does not read those rows can still be made (one bad figure of one commune
    does not stop the province's other briefings). A problem of a whole file (its header, its
    encoding) leaves nothing to trust: that is a ``ValidationError``, as with ``load``.
    """
    from parbrief.ingest.validation import dataset_methodologies, validate_raw

    path = Path(path)
    raw_figures, raw_appraisal, files, problems = read_raw(path)
    known = dataset_methodologies(path, _yaml_files(methodologies))
    problems = problems + _file_problems(known) + validate_raw(
        raw_figures, raw_appraisal, province=province, methodology_files=known)
    if not files:
        raise ValidationError(problems)
    # warnings (a quarter that looks mistyped) are for the user to judge, not a failure
    problems = [p for p in problems if not p.warning]
    located, whole_file = _locate(problems, raw_figures, raw_appraisal)
    if whole_file:
        raise ValidationError(problems)
    bad_rows = {(r.problem.file, r.problem.row) for r in located}
    usable = [f[~pd.Series(list(zip(f["_file"], f["_row"])), index=f.index).isin(bad_rows)]
              for f in raw_figures if len(f)]
    usable = [f for f in usable if len(f)]
    raw = pd.concat(usable, ignore_index=True) if usable else pd.DataFrame()
    appraisal = raw_appraisal
    if len(appraisal) and "_row" in appraisal:
        keep = ~pd.Series(list(zip(appraisal["_file"], appraisal["_row"])),
                          index=appraisal.index).isin(bad_rows)
        appraisal = appraisal[keep]
    return Dataset(figures=_typed_figures(raw), appraisal=_typed_appraisal(appraisal),
                   path=path, checksum=checksum(files), files=tuple(files),
                   problems=tuple(sorted(set(located), key=lambda r: r.problem)))


def _related(indicator: str) -> frozenset[str] | None:
    """An indicator with the figures it is checked against (its wholes and parts): a problem
    between a part and its whole puts both in doubt. ``None`` for a name the catalogue does
    not know (every figure of the unit is then in doubt)."""
    from parbrief.core import catalogue

    cat = catalogue.catalogue()
    if indicator not in cat:
        return None
    related = {indicator, *cat[indicator].part_of}
    related |= {name for name, ind in cat.items() if indicator in ind.part_of}
    for group in catalogue.sums():  # parts that must add up within their whole
        if indicator == group.whole or indicator in group.parts:
            related |= {group.whole, *group.parts}
    return frozenset(related)


def _locate(problems, raw_figures, raw_appraisal) -> tuple[list[RowProblem], list]:
    """Row-level problems with what they concern, and the problems of whole files."""
    rows: dict[tuple[str, int], list[tuple[str, str, str | None]]] = {}
    for frame in raw_figures:
        if not len(frame) or "_row" not in frame or "locality_code" not in frame:
            continue
        indicator = frame["indicator"] if "indicator" in frame else pd.Series(None, frame.index)
        period = frame["period"] if "period" in frame else pd.Series("", frame.index)
        for key in zip(frame["_file"], frame["_row"], frame["locality_code"], period, indicator):
            rows.setdefault((str(key[0]), int(key[1])), []).append(
                (str(key[2]), _normal_period(str(key[3])), key[4]))
    if len(raw_appraisal) and "_row" in raw_appraisal and "locality_code" in raw_appraisal:
        for key in zip(raw_appraisal["_file"], raw_appraisal["_row"],
                       raw_appraisal["locality_code"], raw_appraisal.get("period", "")):
            rows.setdefault((str(key[0]), int(key[1])), []).append(
                (str(key[2]), _normal_period(str(key[3])), None))
    located, whole = [], []
    for problem in problems:
        hits = rows.get((problem.file, problem.row))
        if not hits:
            whole.append(problem)
            continue
        for code, period in dict.fromkeys((c, p) for c, p, _ in hits):
            names = {i for c, p, i in hits if (c, p) == (code, period)}
            indicators: frozenset[str] | None = frozenset()
            for name in names:
                related = _related(str(name)) if name is not None else None
                indicators = None if related is None or indicators is None \
                    else indicators | related
            located.append(RowProblem(problem, code, period, indicators))
    return located, whole


# --------------------------------------------------------------------------- slices


def _periods(periods: Iterable) -> set[str]:
    if isinstance(periods, (str, Quarter, Year)):
        periods = [periods]
    return {str(parse_row_period(p)) for p in periods}


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
