"""The scoring engine: figures -> points per criterion -> area totals -> index, rank, class.

Rules come from a ``Methodology`` (YAML); this module only interprets the closed set of rule
types. Index = points / maximum x 100, rounded half up to 2 decimals; peers that tie share a
rank (1, 2, 2, 4), compared on the published (rounded) index, as a reader of the table would.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from parbrief.core.periods import Period, parse_period
from parbrief.scoring.methodology import COMPONENTS, TOTALS, Methodology, Rule
from parbrief.scoring.metrics import METRICS, compute_metrics, round_half_up
from parbrief.scoring.spans import (
    comparable,
    is_span,
    row_periods,
    span_figures,
    span_points,
    units_with_rows,
)
from parbrief.units import register


def figures_wide(figures: pd.DataFrame, period: Period | str, codes=None) -> pd.DataFrame:
    """One row per locality (index: code), one float column per indicator, for one period."""
    sel = figures[figures.period == str(period)]
    if codes is not None:
        sel = sel[sel.locality_code.isin([str(c) for c in codes])]
    if sel.empty:
        return pd.DataFrame(index=pd.Index([], name="code", dtype="str"))
    # Validated data has one row per (locality, period, indicator): a plain unstack will do.
    sel = sel.drop_duplicates(["locality_code", "indicator"])
    wide = sel.set_index(["locality_code", "indicator"])["value"].unstack("indicator")
    wide.index = wide.index.astype("str").rename("code")
    wide.columns = [str(c) for c in wide.columns]
    return wide.astype("float64")


class _Inputs:
    """Indicators and metrics by name, as float arrays aligned with ``wide``'s rows: rules may
    name either. Plain numpy keeps scoring one locality cheap (a briefing scores 8 quarters)."""

    def __init__(self, wide: pd.DataFrame):
        self._wide = wide
        self._metrics = None
        self.n = len(wide)

    def __call__(self, name: str | None) -> np.ndarray:
        if name in self._wide.columns:
            return pd.to_numeric(self._wide[name], errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan)
        if name in METRICS:
            if self._metrics is None:
                self._metrics = compute_metrics(self._wide)
            return self._metrics[name].to_numpy(dtype="float64", na_value=np.nan)
        return np.full(self.n, np.nan)


def _rule_points(rule: Rule, value: np.ndarray, max_points: float) -> np.ndarray:
    """Points of one rule; NaN where the input is missing."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if rule.type == "proportional":
            if rule.direction == "lower":
                pts = np.where(value > rule.target,
                               max_points * (100.0 - value) / (100.0 - rule.target), max_points)
            else:
                pts = np.where(value < rule.target, value * max_points / rule.target, max_points)
            pts = np.clip(pts, 0, max_points)
        elif rule.type == "thresholds":
            pts = np.zeros_like(value)
            decided = np.zeros(value.shape, dtype=bool)
            for kind, bound, step_points in rule.steps:
                hit = ((value >= bound) if kind == "min" else (value <= bound)) & ~decided
                pts = np.where(hit, step_points, pts)
                decided |= hit
        elif rule.type == "boolean":
            full = max_points if rule.points is None else min(rule.points, max_points)
            pts = (value >= 0.5).astype("float64") * full
        elif rule.type == "survey":
            pts = np.clip(value / rule.scale * max_points, 0, max_points)
        else:
            raise AssertionError(rule.type)  # appraisal is handled by the caller
    return np.where(np.isnan(value), np.nan, pts)


def _appraisal_points(appraisal: pd.DataFrame, method: Methodology, column: str = "points"
                      ) -> pd.DataFrame:
    """Points per locality (rows) and criterion (columns) for this methodology; blank points
    (a row with the locality's own points only) stay NaN: not yet appraised."""
    if appraisal is None or appraisal.empty or column not in appraisal.columns:
        return pd.DataFrame()
    rows = appraisal[appraisal.methodology == method.id]
    if rows.empty:
        return pd.DataFrame()
    return rows.pivot_table(index="locality_code", columns="criterion", values=column,
                            aggfunc="first", dropna=False)


def _given(appraisal: pd.DataFrame, method: Methodology, codes: list[str], column: str
           ) -> dict[str, np.ndarray]:
    """Each criterion's (and total's) given points as an array aligned with ``codes``; NaN
    where the table has no points. A key is present only if some row names it."""
    given = _appraisal_points(appraisal, method, column)
    if not len(given):
        return {}
    given.index = given.index.astype("str")
    given = given.reindex(codes)
    return {str(c): given[c].to_numpy(dtype="float64", na_value=np.nan) for c in given.columns}


def _named(appraisal: pd.DataFrame, method: Methodology, codes: list[str]) -> dict[str, np.ndarray]:
    """Which rows the table has (criterion -> bool array): a row with blank points is there
    (the council has still to appraise it), a criterion with no row is not."""
    if appraisal is None or appraisal.empty:
        return {}
    rows = appraisal[appraisal.methodology == method.id]
    out = {}
    for criterion, part in rows.groupby("criterion", sort=False):
        have = set(part.locality_code.astype("str"))
        out[str(criterion)] = np.array([c in have for c in codes], dtype=bool)
    return out


class _Leaves:
    """Every leaf criterion's points for the rows of ``wide``, and where they come from.

    A criterion's points are the appraisal table's when it gives them (the council's points
    stand, whatever the rule); else its rule's, from the figures. A component total
    (``appraised-total``, ``survey-total``) covers every criterion of its component: their
    single points are then unknown and the total counts instead. A criterion whose points must
    be given (``Rule.given``) and are not is *missing*; so is a measured one for a unit that
    reported no figure at all and was not given its points.
    """

    def __init__(self, wide: pd.DataFrame, appraisal: pd.DataFrame, method: Methodology):
        inputs = _Inputs(wide)
        codes = [str(c) for c in wide.index]
        given = _given(appraisal, method, codes, "points")
        own = _given(appraisal, method, codes, "self_assessed")
        n = len(wide)
        self.has_figures = wide.notna().any(axis=1).to_numpy(dtype=bool) if len(wide.columns) \
            else np.zeros(n, dtype=bool)
        self.totals = {component: given.get(name, np.full(n, np.nan))
                       for name, component in TOTALS.items()}
        self.totals_named = {component: _named(appraisal, method, codes).get(
            name, np.zeros(n, dtype=bool)) for name, component in TOTALS.items()}
        self.own_totals = {component: own.get(name, np.full(n, np.nan))
                           for name, component in TOTALS.items()}
        self.points, self.values, self.missing, self.covered, self.self_assessed = \
            {}, {}, {}, {}, {}
        self.blocking: dict[str, np.ndarray] = {}  # missing points that keep a unit unranked
        for cid, c in method.criteria().items():
            covered = self.totals_named[c.component]
            if cid in given:
                v = given[cid]
                pts = np.clip(v, 0, c.max_points)
            elif c.rule.given:
                v = np.full(n, np.nan)
                pts = v
            else:
                v = inputs(c.rule.source)
                pts = _rule_points(c.rule, v, c.max_points)
            measured = not c.rule.given and cid not in given
            missing = np.isnan(pts) & ~covered
            # a rate without its figures scores 0, as it always has; a unit that reported no
            # figure at all was not measured, and a judged criterion has no points yet
            blocking = missing & ~self.has_figures if measured else missing
            self.values[cid] = v
            self.points[cid] = np.where(covered, np.nan, pts)
            self.missing[cid] = missing
            self.blocking[cid] = blocking
            self.covered[cid] = covered
            self.self_assessed[cid] = own.get(cid, np.full(n, np.nan))


def _leaf_points(wide: pd.DataFrame, appraisal: pd.DataFrame, method: Methodology
                 ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(points, values) per leaf criterion, arrays aligned with ``wide``; NaN = missing."""
    leaves = _Leaves(wide, appraisal, method)
    return leaves.points, leaves.values


def _adjustments(wide: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    inputs = _Inputs(wide)
    out = {}
    for adj in method.adjustments:
        v = inputs(adj.rule.source)
        with np.errstate(invalid="ignore"):
            if adj.rule.type == "per_unit":
                pts = np.floor(v / adj.rule.per) * adj.rule.points
            elif adj.rule.type == "boolean":
                pts = (v >= 0.5).astype("float64") * (adj.rule.points or 0)
            else:
                pts = _rule_points(adj.rule, v, math.inf)
        # A missing figure earns no bonus and no penalty: a blank rate is not a 0 % rate.
        pts = np.where(np.isnan(v), 0.0, pts)
        out[adj.id] = np.clip(pts, min(adj.cap, 0), max(adj.cap, 0))
    return pd.DataFrame(out, index=wide.index)


def score(wide: pd.DataFrame, appraisal: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    """Points per area, adjustment, total, maximum, index and class for every row of ``wide``;
    the appraised and survey points (``COMPONENTS``), the locality's own points where the
    table gives them (``self_assessed``), and how many criteria still lack their points
    (``appraisal_missing``).

    A row with criteria missing gets no index and no class (it is not ranked until every
    judged criterion has its points); its points so far stay in the area columns and total.
    Where a component total is given, the areas it spans have no points of their own (NaN).
    """
    leaves = _Leaves(wide, appraisal, method)
    n = len(wide)
    columns = {}
    area_total = np.zeros(n)
    component = {c: np.zeros(n) for c in COMPONENTS}
    for area in method.areas:
        total = np.zeros(n)
        spanned = np.zeros(n, dtype=bool)
        for c in area.leaves():
            total += np.nan_to_num(leaves.points[c.id])
            component[c.component] += np.nan_to_num(leaves.points[c.id])
            spanned |= leaves.covered[c.id]
        columns[f"points_{area.id}"] = np.where(spanned, np.nan, np.round(total, 6))
        area_total += np.round(total, 6)  # the total adds up the published columns
    # bonus and penalty points: counted in a given appraised total already
    adj = _adjustments(wide, method)
    adjustment = adj.to_numpy().sum(axis=1) if len(adj.columns) else np.zeros(n)
    adjustment = np.where(leaves.totals_named["appraised"], 0.0, adjustment)
    columns["adjustment"] = np.round(adjustment, 6)
    for name in COMPONENTS:
        given_total = leaves.totals[name]
        component[name] = np.where(leaves.totals_named[name], np.nan_to_num(given_total),
                                   component[name])
        area_total += np.where(leaves.totals_named[name], np.nan_to_num(given_total), 0.0)
    component["appraised"] = component["appraised"] + adjustment
    missing = sum((leaves.blocking[cid].astype(int) for cid in leaves.blocking), np.zeros(n, int))
    for name in COMPONENTS:  # a total named with blank points: still to be appraised
        missing = missing + (leaves.totals_named[name] & np.isnan(leaves.totals[name]))
    columns["total"] = np.round(np.clip(area_total + adjustment, 0, method.maximum), 6)
    columns["maximum"] = np.full(n, method.maximum)
    # Rounded to 8 places first so float noise (92.62499999999) cannot flip a published .xx5.
    index = np.array([round_half_up(round(t / method.maximum * 100, 8), 2)
                      for t in columns["total"]], dtype="float64")
    columns["index"] = np.where(missing > 0, np.nan, index)
    bands = [method.classify(i) for i in columns["index"]]
    out = pd.DataFrame(columns, index=wide.index)
    out["classification"] = [b.label["en"] if b else None for b in bands]
    out["classification_vi"] = [b.label["vi"] if b else None for b in bands]
    out["appraised"] = np.round(component["appraised"], 6)
    out["survey"] = np.round(component["survey"], 6)
    out["self_assessed"] = _self_total(leaves, method, n)
    out["appraisal_missing"] = np.asarray(missing, dtype="int64")
    return out


def _self_total(leaves: _Leaves, method: Methodology, n: int) -> np.ndarray:
    """The locality's own points in all (criteria and totals given), NaN where it gave none."""
    parts = [leaves.self_assessed[cid] for cid in method.criteria()]
    parts += [leaves.own_totals[c] for c in COMPONENTS]
    stacked = np.vstack(parts) if parts else np.full((1, n), np.nan)
    have = ~np.isnan(stacked)
    return np.where(have.any(axis=0), np.round(np.nansum(stacked, axis=0), 6), np.nan)


def criterion_points(wide: pd.DataFrame, appraisal: pd.DataFrame, method: Methodology
                     ) -> pd.DataFrame:
    """One locality's points per leaf criterion (wide has one row), in methodology order:
    its points (0 where missing), where they came from (``given``: the table's; ``covered``:
    counted in a component total), whether they are missing (``unappraised``: missing points
    that keep it unranked), and the locality's own points."""
    leaves = _Leaves(wide, appraisal, method)
    codes = [str(c) for c in wide.index]
    given = _given(appraisal, method, codes, "points")
    rows = []
    for cid, c in method.criteria().items():
        p = float(leaves.points[cid][0])
        rows.append({"area": c.area_id, "criterion": cid, "name_vi": c.name["vi"],
                     "name_en": c.name["en"], "rule": c.rule.type, "max": c.max_points,
                     "points": 0.0 if math.isnan(p) else p,
                     "value": float(leaves.values[cid][0]),
                     "missing": bool(leaves.missing[cid][0]),
                     "unappraised": bool(leaves.blocking[cid][0]),
                     "given": cid in given and not math.isnan(float(given[cid][0])),
                     "covered": bool(leaves.covered[cid][0]),
                     "component": c.component,
                     "self_assessed": float(leaves.self_assessed[cid][0])})
    return pd.DataFrame(rows)


def rank(index: pd.Series) -> pd.Series:
    """Competition ranking, highest first: ties share the rank and the next is skipped."""
    return index.rank(method="min", ascending=False).astype("Int64")


def _reporting(ds, period: Period, codes: list[str], reported, method: Methodology
               ) -> list[str]:
    """The codes that reported in ``period``: with any figure, or any points of ``method``
    (``reported``: the (code, period) pairs with rows, when ``ds`` holds only the rows
    scoring reads)."""
    if reported is None:
        have = units_with_rows(ds.figures, ds.appraisal, period, method.id)
    else:
        names = set(row_periods(period))
        have = {c for c, p in reported if p in names}
    return [c for c in codes if c in have]


def _scores_for(ds, method: Methodology, period: Period, units, reported=None) -> pd.DataFrame:
    codes = _reporting(ds, period, [u.code for u in units], reported, method)
    if not codes:
        return pd.DataFrame()
    figures = span_figures(ds.figures, period) if is_span(period) else ds.figures
    # a unit that reported none of the figures scoring reads is scored as missing them all
    wide = figures_wide(figures, period, codes).reindex(pd.Index(codes, name="code"))
    points = span_points(ds.appraisal, period) if len(ds.appraisal) else ds.appraisal
    appraisal = points[(points.period == str(period)) & points.locality_code.isin(codes)] \
        if len(points) else points
    scored = score(wide, appraisal, method)
    ranked = scored["appraisal_missing"] == 0
    scored["rank"] = rank(scored["index"].where(ranked))
    scored["rank_of"] = int(ranked.sum())
    return scored


TABLE_COLUMNS = ("adjustment", "total", "maximum", "index")
EXTRA_COLUMNS = ("appraised", "survey", "self_assessed", "appraisal_missing")


def score_table(ds, method: Methodology, period: Period | str, units, reported=None
                ) -> pd.DataFrame:
    """The league table of ``units`` (peers) in ``period`` (a quarter, a year or a year to
    date), with change against the previous comparable period (the quarter before; a year's
    previous year; a year to date's same quarters last year). Units that did not report are
    left out (the caller lists them as missing). A unit whose judged criteria lack points is
    listed without index, rank or class (``appraisal_missing``: how many): not ranked until
    appraised; ``rank_of`` counts the ranked.

    ``reported``: the (code, period) pairs that have rows, when ``ds`` holds only the rows
    scoring reads (a peer group's slice); by default, read from ``ds``."""
    period = parse_period(str(period))
    units = list(units)
    scored = _scores_for(ds, method, period, units, reported)
    if scored.empty:
        return scored
    by_code = {u.code: u for u in units}
    prev = pd.DataFrame()
    previous = period.previous()
    # Ranks compare only within one register: before the merger the peers were other units.
    # The previous rank is the one published then, among every peer that reported then (one
    # that reports now and did not then, or the reverse, moves the others' ranks): the briefing
    # lists those ranks in its rank history, and the change must be their difference.
    if comparable(period, previous):
        prev_units = [register.get(u.code, previous) for u in units
                      if register.exists(u.code, previous)]
        prev = _scores_for(ds, method, previous, prev_units, reported)
    table = pd.DataFrame({
        "code": scored.index.astype("str"),
        "name": [by_code[c].name for c in scored.index],
        "parent": [by_code[c].parent_code for c in scored.index],
        "period": str(period),
        "methodology": method.id,
    })
    for col in [f"points_{a.id}" for a in method.areas] + list(TABLE_COLUMNS):
        table[col] = scored[col].to_numpy(dtype="float64")
    table["rank"] = scored["rank"].to_numpy()
    table["rank_of"] = int(scored["rank_of"].iloc[0])
    table["classification"] = scored["classification"].to_numpy()
    table["classification_vi"] = scored["classification_vi"].to_numpy()
    if len(prev):
        prev_index = prev["index"].reindex(scored.index)
        prev_rank = prev["rank"].reindex(scored.index).astype("float64")
        table["index_change"] = [round_half_up(v, 2) for v in
                                 (scored["index"] - prev_index).to_numpy(dtype="float64")]
        table["rank_change"] = (prev_rank - scored["rank"].astype("float64")).to_numpy()
    else:
        table["index_change"] = np.nan
        table["rank_change"] = np.nan
    for col in EXTRA_COLUMNS:
        table[col] = scored[col].to_numpy()
    # the ranked first, by rank; then those not yet ranked, by code
    table["_unranked"] = table["rank"].isna()
    table = table.sort_values(["_unranked", "rank", "code"], kind="stable") \
        .drop(columns="_unranked").reset_index(drop=True)
    return table


def ranked(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a league table that have a rank."""
    if table is None or not len(table) or "rank" not in table:
        return table
    return table[table["rank"].notna()].reset_index(drop=True)


def unranked(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a league table not ranked: judged criteria without points."""
    if table is None or not len(table) or "rank" not in table:
        return table.iloc[:0] if table is not None else table
    return table[table["rank"].isna()].reset_index(drop=True)


__all__ = ["figures_wide", "score", "criterion_points", "rank", "ranked", "score_table",
           "unranked"]
