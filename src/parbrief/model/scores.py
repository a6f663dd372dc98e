"""A league table for ``parbrief score``: every unit of a level (under a parent) in a quarter, a
year or a year to date, scored and ranked under a methodology.

Every case that would score nobody is an error saying why (no rows for the period, a
methodology for another level, no unit of the level under the parent, nobody of that level
reporting); units whose judged criteria lack points are listed without a rank, and said so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parbrief.core.errors import NothingToScoreError, ParbriefError
from parbrief.core.periods import Period, Quarter, Year, parse_period, sort_key
from parbrief.ingest import dataset as datasets
from parbrief.scoring import engine as scoring
from parbrief.scoring import methodology as methodologies
from parbrief.scoring.spans import missing_quarters, other_register, row_periods, units_with_rows
from parbrief.units import register

LOCAL = ("district", "commune")


@dataclass
class LeagueTable:
    table: pd.DataFrame
    methodology: methodologies.Methodology
    period: Period
    level: str
    notes: list[str] = field(default_factory=list)  # what a reader of the table must know


def latest(ds, kind: str = "quarter") -> str:
    """The latest quarter (or year) a data set holds rows for."""
    held = [parse_period(p) for p in ds.periods]
    if kind == "year":
        held = [p for p in held if not isinstance(p, Quarter)]
    else:
        held = [p for p in held if isinstance(p, Quarter)]
    if not held:
        raise NothingToScoreError(f"the data set holds no {kind} at all",
                                  fix="give a data set with figures or appraisal points")
    return str(max(held, key=sort_key))


def methodology_for(name: str, data: str | Path) -> methodologies.Methodology:
    """A shipped id, the id of a file in the data set's ``methodologies/`` folder, or a file."""
    return methodologies.load(str(name), [methodologies.folder_of(data)])


def load_for(data: str | Path, methodology: str):
    """The data set, validated with the methodology known (a file given by path)."""
    given = [methodology] if methodologies.is_file_name(methodology) else []
    return datasets.load(data, methodologies=given)


def _held(ds) -> str:
    periods = ds.periods
    if not periods:
        return "nothing at all"
    return f"{len(periods)} periods, {periods[0]} to {periods[-1]}"


def _levels_with_rows(ds, period: Period, method) -> dict[str, int]:
    """How many units of each level have rows for the period (what the data set holds)."""
    have = units_with_rows(ds.figures, ds.appraisal, period)
    out: dict[str, int] = {}
    for code in have:
        if register.exists(code, period):
            level = register.get(code, period).level
            out[level] = out.get(level, 0) + 1
    return out


def _plural(level: str, n: int) -> str:
    words = {"province": "provinces", "district": "districts", "commune": "communes"}
    return f"{n} {words[level] if n != 1 else level}"


def league_table(data: str | Path, methodology: str, period: str, level: str | None = None,
                 parent: str | None = None) -> LeagueTable:
    """Score every unit of ``level`` (under ``parent``) with rows for ``period``."""
    method = methodology_for(methodology, data)
    ds = load_for(data, methodology)
    text = str(period).strip()
    if text.lower() in ("latest", "latest-year"):
        text = latest(ds, "year" if text.lower() == "latest-year" else "quarter")
    q = parse_period(text)
    if not set(row_periods(q)) & set(ds.periods):
        raise NothingToScoreError(
            f"the data set {data} holds no figures and no appraisal points for {q} "
            f"({q.label('en')}); it holds {_held(ds)}",
            fix=f"choose a period it holds, e.g. --period {ds.periods[-1]}" if ds.periods
            else "check the --data path")
    present = _levels_with_rows(ds, q, method)
    if level is not None:
        if level not in register.LEVELS:
            raise NothingToScoreError(f"unknown level {level!r}",
                                      fix=f"use one of {', '.join(register.LEVELS)}")
        if not method.scores_level(level):
            raise NothingToScoreError(
                f"{method.id} is a methodology for {', '.join(method.levels)} units; it cannot "
                f"score {level} units",
                fix=_other_methodology(level, present))
        lvl = level
    else:
        lvl = method.levels[-1]
        if lvl in LOCAL:  # a local set scores whichever local level reports
            lvl = max((x for x in LOCAL if x in present), key=present.get, default=lvl)
        if not method.scores_level(lvl) or (lvl not in present and present):
            held = ", ".join(_plural(k, v) for k, v in sorted(present.items()))
            raise NothingToScoreError(
                f"{method.id} scores {', '.join(method.levels)} units, and the data set's rows "
                f"for {q} are of {held}: nothing of the methodology's level to score",
                fix=_other_methodology(max(present, key=present.get), present))
    if lvl == "district" and register.register_for(q) == register.REG_2025:
        raise NothingToScoreError(
            f"districts were abolished on 1 July 2025, so {q} has none",
            fix="use --level commune, or a period before 2025Q3")
    if parent is not None:
        try:
            parent_unit = register.get(parent, q)
        except ParbriefError as e:
            raise NothingToScoreError(f"--parent {parent}: {e.what}") from None
        units = register.localities(q, lvl, parent)
        if not units:
            raise NothingToScoreError(
                f"{parent_unit.code} {parent_unit.name} has no {lvl} in {q}",
                fix="give the parent of the units to score, or another --level")
    else:
        units = register.localities(q, lvl)
    have = units_with_rows(ds.figures, ds.appraisal, q, method.id)
    reporting = [u for u in units if u.code in have]
    if not reporting:
        where = f" under {parent}" if parent else ""
        other = units_with_rows(ds.figures, ds.appraisal, q) - have
        why = ""
        if other:
            named = sorted(set(ds.appraisal.methodology[ds.appraisal.locality_code.isin(other)]))
            why = (f"; the rows there are for another methodology ({', '.join(named)})"
                   if named else "")
        raise NothingToScoreError(
            f"no {lvl} unit{where} has figures or {method.id} points for {q}{why}",
            fix="check --parent, --level and --methodology against the data set "
                f"(it holds {_held(ds)})")
    table = scoring.score_table(ds, method, q, units if parent is not None else reporting)
    notes = _notes(table, ds, method, q)
    return LeagueTable(table=table, methodology=method, period=q, level=lvl, notes=notes)


def _other_methodology(level: str, present: dict[str, int]) -> str:
    suited = [m for m in methodologies.shipped() if methodologies.load(m).scores_level(level)
              and m != "service-766"]
    held = f" (the data set holds {', '.join(_plural(k, v) for k, v in present.items())})" \
        if present else ""
    return (f"score {level} units with a methodology for them ({', '.join(suited)}, or the "
            f"province's own file){held}")


def _notes(table: pd.DataFrame, ds, method, period: Period) -> list[str]:
    notes = []
    waiting = scoring.unranked(table)
    if len(waiting):
        shown = "; ".join(f"{r.code} {r.name} ({int(r.appraisal_missing)})"
                          for r in waiting.head(5).itertuples())
        more = f"; and {len(waiting) - 5} more" if len(waiting) > 5 else ""
        notes.append(
            f"{len(waiting)} of {len(table)} units not ranked: criteria without points (judged "
            f"criteria the council has not appraised, or no figures): {shown}{more}. They have "
            "no index, rank or class until every such criterion has its points "
            "(appraisal_missing counts them)")
    gaps = missing_quarters(ds.figures, period, list(table.code))
    if gaps:
        shown = "; ".join(f"{code} without {', '.join(q)}" for code, q in list(gaps.items())[:5])
        more = f"; and {len(gaps) - 5} more" if len(gaps) > 5 else ""
        notes.append(f"{len(gaps)} units did not report every quarter of {period}: their "
                     f"figures are those of the quarters they reported ({shown}{more})")
    before = other_register(period)
    if before:
        notes.append(f"{', '.join(map(str, before))} were reported by the units in force then "
                     f"(before the 1 July 2025 merger): {period} counts the quarters of its "
                     "units only")
    if isinstance(period, Year):
        held = [q for q in period.quarters() if str(q) in set(ds.periods)]
        if 0 < len(held) < 4:
            notes.append(f"{period} has figures for {len(held)} of its 4 quarters; its annual "
                         "index counts the council's annual points (period "
                         f"{period}); for monitoring during the year, score the year to date "
                         f"(--period {period.year}Q1-Q{max(q.quarter for q in held) if held else 1})")
    named = set(ds.appraisal.methodology[ds.appraisal.period.isin(row_periods(period))]) \
        if len(ds.appraisal) else set()
    if named and method.id not in named and method.given_criteria():
        notes.append(f"the appraisal points for {period} are for {', '.join(sorted(named))}, "
                     f"not {method.id}: none of them counts here")
    return notes


__all__ = ["LeagueTable", "latest", "league_table", "load_for",
           "methodology_for"]
