"""The scoring engine: figures -> points per criterion -> area totals -> index, rank, class.

Rules come from a ``Methodology`` (YAML); this module only interprets the closed set of rule
types. Index = points / maximum x 100, rounded half up to 2 decimals; peers that tie share a
rank (1, 2, 2, 4), compared on the published (rounded) index, as a reader of the table would.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from parbrief.core.periods import Quarter
from parbrief.scoring.methodology import Methodology, Rule
from parbrief.scoring.metrics import METRICS, compute_metrics, round_half_up
from parbrief.units import register


def figures_wide(figures: pd.DataFrame, period: Quarter | str, codes=None) -> pd.DataFrame:
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


def _appraisal_points(appraisal: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    """Points per locality (rows) and criterion (columns) for this methodology."""
    if appraisal is None or appraisal.empty:
        return pd.DataFrame()
    rows = appraisal[appraisal.methodology == method.id]
    if rows.empty:
        return pd.DataFrame()
    return rows.pivot_table(index="locality_code", columns="criterion", values="points",
                            aggfunc="first")


def _leaf_points(wide: pd.DataFrame, appraisal: pd.DataFrame, method: Methodology
                 ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(points, values) per leaf criterion, arrays aligned with ``wide``; NaN = missing."""
    inputs = _Inputs(wide)
    given = _appraisal_points(appraisal, method)
    if len(given):
        given.index = given.index.astype("str")
        given = given.reindex([str(c) for c in wide.index])
    points, values = {}, {}
    for cid, c in method.criteria().items():
        if c.rule.type == "appraisal":
            v = given[cid].to_numpy(dtype="float64", na_value=np.nan) if cid in given.columns \
                else np.full(len(wide), np.nan)
            values[cid] = v
            points[cid] = np.clip(v, 0, c.max_points)
        else:
            v = inputs(c.rule.source)
            values[cid] = v
            points[cid] = _rule_points(c.rule, v, c.max_points)
    return points, values


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
    """Points per area, adjustment, total, maximum, index and class for every row of ``wide``."""
    points, _ = _leaf_points(wide, appraisal, method)
    columns = {}
    area_total = np.zeros(len(wide))
    for area in method.areas:
        total = np.zeros(len(wide))
        for c in area.leaves():
            total += np.nan_to_num(points[c.id])
        columns[f"points_{area.id}"] = np.round(total, 6)
        area_total += columns[f"points_{area.id}"]  # the total adds up the published columns
    adj = _adjustments(wide, method)
    adjustment = adj.to_numpy().sum(axis=1) if len(adj.columns) else np.zeros(len(wide))
    columns["adjustment"] = np.round(adjustment, 6)
    columns["total"] = np.round(np.clip(area_total + adjustment, 0, method.maximum), 6)
    columns["maximum"] = np.full(len(wide), method.maximum)
    # Rounded to 8 places first so float noise (92.62499999999) cannot flip a published .xx5.
    columns["index"] = np.array([round_half_up(round(t / method.maximum * 100, 8), 2)
                                 for t in columns["total"]], dtype="float64")
    bands = [method.classify(i) for i in columns["index"]]
    out = pd.DataFrame(columns, index=wide.index)
    out["classification"] = [b.label["en"] if b else None for b in bands]
    out["classification_vi"] = [b.label["vi"] if b else None for b in bands]
    return out


def criterion_points(wide: pd.DataFrame, appraisal: pd.DataFrame, method: Methodology
                     ) -> pd.DataFrame:
    """One locality's points per leaf criterion (wide has one row), in methodology order."""
    points, values = _leaf_points(wide, appraisal, method)
    rows = []
    for cid, c in method.criteria().items():
        p = float(points[cid][0])
        rows.append({"area": c.area_id, "criterion": cid, "name_vi": c.name["vi"],
                     "name_en": c.name["en"], "rule": c.rule.type, "max": c.max_points,
                     "points": 0.0 if math.isnan(p) else p,
                     "value": float(values[cid][0]), "missing": math.isnan(p)})
    return pd.DataFrame(rows)


def rank(index: pd.Series) -> pd.Series:
    """Competition ranking, highest first: ties share the rank and the next is skipped."""
    return index.rank(method="min", ascending=False).astype("Int64")


def _reporting(ds, period: Quarter, codes: list[str], reported) -> list[str]:
    """The codes that reported in ``period``: with any figure at all (``reported``: the
    (code, quarter) pairs with figures, when ``ds`` holds only the figures scoring reads)."""
    if reported is None:
        have = set(ds.figures.locality_code[ds.figures.period == str(period)])
    else:
        have = {c for c, p in reported if p == str(period)}
    return [c for c in codes if c in have]


def _scores_for(ds, method: Methodology, period: Quarter, units, reported=None) -> pd.DataFrame:
    codes = _reporting(ds, period, [u.code for u in units], reported)
    if not codes:
        return pd.DataFrame()
    # a unit that reported none of the figures scoring reads is scored as missing them all
    wide = figures_wide(ds.figures, period, codes).reindex(pd.Index(codes, name="code"))
    appraisal = ds.appraisal[(ds.appraisal.period == str(period))
                             & ds.appraisal.locality_code.isin(codes)] \
        if len(ds.appraisal) else ds.appraisal
    scored = score(wide, appraisal, method)
    scored["rank"] = rank(scored["index"])
    scored["rank_of"] = len(scored)
    return scored


def score_table(ds, method: Methodology, period: Quarter | str, units, reported=None
                ) -> pd.DataFrame:
    """The league table of ``units`` (peers) in ``period``, with change against the previous
    quarter. Units that did not report are left out (the caller lists them as missing).

    ``reported``: the (code, quarter) pairs that have figures, when ``ds`` holds only the
    figures scoring reads (a peer group's slice); by default, read from ``ds``."""
    period = Quarter.parse(str(period))
    units = list(units)
    scored = _scores_for(ds, method, period, units, reported)
    if scored.empty:
        return scored
    by_code = {u.code: u for u in units}
    prev = pd.DataFrame()
    previous = period.previous()
    # Ranks compare only within one register: before the merger the peers were other units.
    if register.register_for(previous) == register.register_for(period):
        prev_units = [u for u in (register.get(c, previous) for c in scored.index
                                  if register.exists(c, previous))]
        prev = _scores_for(ds, method, previous, prev_units, reported)
    table = pd.DataFrame({
        "code": scored.index.astype("str"),
        "name": [by_code[c].name for c in scored.index],
        "parent": [by_code[c].parent_code for c in scored.index],
        "period": str(period),
        "methodology": method.id,
    })
    for col in [f"points_{a.id}" for a in method.areas] + ["adjustment", "total", "maximum",
                                                           "index"]:
        table[col] = scored[col].to_numpy(dtype="float64")
    table["rank"] = scored["rank"].to_numpy()
    table["rank_of"] = int(len(scored))
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
    table = table.sort_values(["rank", "code"], kind="stable").reset_index(drop=True)
    return table


__all__ = ["figures_wide", "score", "criterion_points", "rank", "score_table"]
