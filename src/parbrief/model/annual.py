"""The annual reports: a locality's PAR index for a year (or a year to date), and its
province's league table for the year.

The official index is annual: the locality self-assesses, the appraisal council scores, the
survey supplies its points, the Department of Home Affairs publishes the index, ranks and
classes. ``prepare_briefing`` gathers what a locality's annual briefing says (the year's index,
rank, class, change on the previous year, its rank over the years available, points by area, its
own points beside the council's); ``prepare_overview`` the province's table as it is published
(appraised points, survey points, index, rank, class). Both read through their declared inputs
(``model.inputs.AnnualBriefingInputs``, ``AnnualOverviewInputs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parbrief.core.periods import Year, YearToDate
from parbrief.model import appraisal as appraisal_model
from parbrief.model import lookup, sources
from parbrief.model.briefing import Standing
from parbrief.model.inputs import (
    AnnualBriefingInputs,
    AnnualOverviewInputs,
    check_rows,
    declare_annual_briefing,
    declare_annual_overview,
    span,
)
from parbrief.scoring import engine as scoring
from parbrief.scoring.spans import (
    comparable,
    missing_quarters,
    other_register,
    span_figures,
    span_points,
    units_with_rows,
)
from parbrief.units import register

HISTORY_COLUMNS = ["period", "index", "rank", "rank_of", "classification", "classification_vi",
                   "appraised", "survey", "appraisal_missing"]


def _row(table: pd.DataFrame, code: str) -> dict:
    if table is None or not len(table) or code not in set(table.code):
        return {}
    return table[table.code == code].iloc[0].to_dict()


@dataclass
class AnnualBriefing(Standing):
    locality: register.Locality
    period: Year | YearToDate
    methodology: object
    dataset: object  # the rows it read (``inputs.own``)
    reported: bool
    own: dict  # its row of the league table ({} when it has no rows for the period)
    scores: pd.DataFrame  # the ranked units of its peer group
    not_ranked: pd.DataFrame  # peers with rows but criteria without points
    peers_not_reported: list[register.Locality]
    points: pd.DataFrame  # its points per criterion (``engine.criterion_points``)
    self_assessment: pd.DataFrame  # its own points beside the council's, by area
    history: pd.DataFrame  # its index, rank and class in each year available, oldest first
    previous: dict  # its row in the previous comparable period ({} if none)
    missing_quarters: list[str] = field(default_factory=list)  # quarters it did not report
    other_register: list[str] = field(default_factory=list)  # quarters before the merger
    parameters: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    inputs: AnnualBriefingInputs | None = None

    def __repr__(self) -> str:
        unit = f"{self.locality.code} {self.locality.name}"
        result = self.standing("no rows for this period")
        years = ", ".join(f"{r.period} {r.index:.2f} ({int(r.rank)}/{int(r.rank_of)})"
                          for r in self.history.itertuples() if pd.notna(r.rank))
        return (f"AnnualBriefing {unit}, {self.period}, {self.methodology.id}: {result}"
                + (f"\n  rank history: {years}" if years else ""))


def _history(code: str, tables: dict) -> pd.DataFrame:
    rows = []
    for period, table in tables.items():
        row = _row(table, code)
        if row:
            rows.append([str(period)] + [row.get(c) for c in HISTORY_COLUMNS[1:]])
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def _resolved(data: str, methodology: str) -> tuple[str, str]:
    data = lookup.input_path(data)  # found from a report's folder too
    if Path(methodology).suffix in (".yaml", ".yml"):
        methodology = lookup.input_path(methodology)
    return data, methodology


def prepare_briefing(locality: str, period: str, data: str, methodology: str
                     ) -> AnnualBriefing:
    """Everything the annual (or year-to-date) briefing of one locality says."""
    p = span(period)
    given = data
    data, methodology = _resolved(data, methodology)
    method = sources.load_methodology(methodology, data)
    unit = lookup.locality(locality, p, data, methodology=methodology)
    inputs = declare_annual_briefing(unit.code, p, method)
    ds = sources.dataset_for(data, unit.parent_code, unit.level, p, methodology)
    lookup.check_quarter(ds, p, given)
    check_rows(inputs, ds, f"the annual briefing of {unit.name} ({unit.code}) for {p}", given)
    own = inputs.own.subset(ds)
    tables = sources.group_scores(inputs.peers, ds, method)
    table = tables[p]
    own_row = _row(table, unit.code)
    reported = bool(own_row)
    group_reported = inputs.peers.slice.reported(ds)
    names = {str(q) for q in p.quarters()} | {str(p)}
    not_reported = [u for u in inputs.peers.units(p)
                    if not any((u.code, n) in group_reported for n in names)]
    points, self_assessed = pd.DataFrame(), pd.DataFrame()
    if reported:
        wide = scoring.figures_wide(span_figures(own.figures, p), p, [unit.code]).reindex(
            pd.Index([unit.code], name="code"))
        rows = span_points(own.appraisal, p)
        rows = rows[rows.locality_code == unit.code] if len(rows) else rows
        points = scoring.criterion_points(wide, rows, method)
        self_assessed = appraisal_model.self_assessment(points, rows, method)
    history = _history(unit.code, tables)
    previous = _row(tables.get(p.previous(), pd.DataFrame()), unit.code) \
        if comparable(p, p.previous()) else {}
    parameters = dict(locality=unit.code, period=str(p), methodology=methodology)
    return AnnualBriefing(
        locality=unit, period=p, methodology=method, dataset=own, reported=reported,
        own=own_row, scores=scoring.ranked(table), not_ranked=scoring.unranked(table),
        peers_not_reported=not_reported, points=points, self_assessment=self_assessed,
        history=history, previous=previous,
        missing_quarters=missing_quarters(own.figures, p, [unit.code]).get(unit.code, []),
        other_register=[str(q) for q in other_register(p)], parameters=parameters,
        provenance=sources.provenance(inputs, ds, method, parameters), inputs=inputs)


@dataclass
class AnnualOverview:
    province: register.Locality
    period: Year | YearToDate
    methodology: object
    dataset: object  # the rows it read (``inputs.own``)
    level: str
    scores: pd.DataFrame  # the ranked units, by rank: the published table
    not_ranked: pd.DataFrame  # units with rows but criteria without points
    not_reported: list[register.Locality]
    missing_quarters: dict  # unit -> quarters of the span it did not report
    other_register: list[str]
    parameters: dict
    provenance: dict
    inputs: AnnualOverviewInputs | None = None

    @property
    def units(self) -> list[register.Locality]:
        return register.children(self.province.code, self.period, level=self.level)

    def class_counts(self, lang: str) -> pd.DataFrame:
        """Ranked units per class, in the methodology's band order (empty classes included)."""
        labels = [band.label[lang] for band in self.methodology.bands]
        column = "classification_vi" if lang == "vi" else "classification"
        counts = self.scores[column].value_counts() if len(self.scores) else pd.Series()
        return pd.DataFrame({"classification": labels,
                             "minimum": [band.min for band in self.methodology.bands],
                             "localities": [int(counts.get(lbl, 0)) for lbl in labels]})


def prepare_overview(province: str, period: str, data: str, methodology: str,
                     level: str | None = None) -> AnnualOverview:
    """The province's league table for a year (or a year to date), as it is published."""
    p = span(period)
    given = data
    data, methodology = _resolved(data, methodology)
    method = sources.load_methodology(methodology, data)
    unit = lookup.province(province, p)
    inputs = declare_annual_overview(unit.code, p, method, level)
    ds = sources.dataset_for(data, unit.code, inputs.level, p, methodology)
    lookup.check_quarter(ds, p, given)
    check_rows(inputs, ds, f"the annual overview of {unit.name} ({unit.code}) for {p}", given)
    own = inputs.own.subset(ds)
    table = sources.group_scores(inputs.peers, ds, method)[p]
    units = inputs.units
    have = units_with_rows(own.figures, own.appraisal, p, method.id)
    parameters = dict(province=unit.code, period=str(p), methodology=methodology)
    if level:
        parameters["level"] = level
    return AnnualOverview(
        province=unit, period=p, methodology=method, dataset=own, level=inputs.level,
        scores=scoring.ranked(table), not_ranked=scoring.unranked(table),
        not_reported=[u for u in units if u.code not in have],
        missing_quarters=missing_quarters(own.figures, p, [u.code for u in units]),
        other_register=[str(q) for q in other_register(p)], parameters=parameters,
        provenance=sources.provenance(inputs, ds, method, parameters), inputs=inputs)


__all__ = ["AnnualBriefing", "AnnualOverview", "HISTORY_COLUMNS", "prepare_briefing",
           "prepare_overview"]
