"""The scoring engine: figures -> points per criterion -> area totals -> index, rank, class.

Rules come from a ``Methodology`` (YAML); this module only interprets the closed set of rule
types. Index = points / maximum x 100, rounded half up to 2 decimals; peers that tie share a
rank (1, 2, 2, 4), compared on the published (rounded) index, as a reader of the table would.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import register
from .methodology import Criterion, Methodology, Rule
from .metrics import compute_metrics, round_half_up
from .periods import Quarter


def figures_wide(figures: pd.DataFrame, period: "Quarter | str", codes=None) -> pd.DataFrame:
    """One row per locality (index: code), one float column per indicator, for one period."""
    sel = figures[figures.period == str(period)]
    if codes is not None:
        sel = sel[sel.locality_code.isin([str(c) for c in codes])]
    if sel.empty:
        return pd.DataFrame(index=pd.Index([], name="code", dtype="str"))
    wide = sel.pivot_table(index="locality_code", columns="indicator", values="value",
                           aggfunc="first")
    wide.index = wide.index.astype("str").rename("code")
    wide.columns = [str(c) for c in wide.columns]
    return wide.astype("float64")


def _inputs(wide: pd.DataFrame) -> pd.DataFrame:
    """Indicators and metrics side by side: rules may name either."""
    met = compute_metrics(wide)
    return pd.concat([wide, met[[c for c in met.columns if c not in wide.columns]]], axis=1)


def _value(inputs: pd.DataFrame, rule: Rule) -> pd.Series:
    name = rule.source
    if name in inputs.columns:
        return inputs[name].astype("float64")
    return pd.Series(np.nan, index=inputs.index, dtype="float64")


def _rule_points(rule: Rule, value: pd.Series, max_points: float) -> pd.Series:
    if rule.type == "proportional":
        if rule.direction == "lower":
            pts = max_points * (100.0 - value) / (100.0 - rule.target)
            pts = pts.where(value > rule.target, max_points)
        else:
            pts = (value * max_points / rule.target).where(value < rule.target, max_points)
        return pts.clip(lower=0, upper=max_points)
    if rule.type == "thresholds":
        pts = pd.Series(0.0, index=value.index)
        decided = pd.Series(False, index=value.index)
        for kind, bound, step_points in rule.steps:
            hit = (value >= bound) if kind == "min" else (value <= bound)
            hit &= ~decided
            pts = pts.where(~hit, step_points)
            decided |= hit
        return pts.where(value.notna())
    if rule.type == "boolean":
        full = max_points if rule.points is None else min(rule.points, max_points)
        return (value >= 0.5).astype("float64") * full
    if rule.type == "survey":
        return (value / rule.scale * max_points).clip(lower=0, upper=max_points)
    raise AssertionError(rule.type)  # appraisal is handled by the caller


def _appraisal_points(appraisal: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    """Points per (locality, criterion) for this methodology."""
    if appraisal is None or appraisal.empty:
        return pd.DataFrame(columns=["code", "criterion", "points"])
    rows = appraisal[appraisal.methodology == method.id]
    return pd.DataFrame({"code": rows.locality_code.astype("str"), "criterion": rows.criterion,
                         "points": rows.points.astype("float64")})


def _leaf_points(wide: pd.DataFrame, appraisal: pd.DataFrame, method: Methodology
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(points, values): one row per locality, one column per leaf criterion; NaN = missing."""
    inputs = _inputs(wide)
    given = _appraisal_points(appraisal, method)
    given = given.pivot_table(index="code", columns="criterion", values="points",
                              aggfunc="first") if len(given) else pd.DataFrame()
    points, values = {}, {}
    for cid, c in method.criteria().items():
        if c.rule.type == "appraisal":
            v = given[cid].reindex(wide.index) if cid in given.columns \
                else pd.Series(np.nan, index=wide.index)
            values[cid] = v.astype("float64")
            points[cid] = v.clip(lower=0, upper=c.max_points).astype("float64")
        else:
            v = _value(inputs, c.rule)
            values[cid] = v
            points[cid] = _rule_points(c.rule, v, c.max_points).where(v.notna())
    return pd.DataFrame(points, index=wide.index), pd.DataFrame(values, index=wide.index)


def _adjustments(wide: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    inputs = _inputs(wide)
    out = {}
    for adj in method.adjustments:
        v = _value(inputs, adj.rule)
        # A missing figure earns no bonus and no penalty: a blank rate is not a 0 % rate.
        if adj.rule.type == "per_unit":
            pts = np.floor(v / adj.rule.per) * adj.rule.points
        elif adj.rule.type == "boolean":
            pts = (v >= 0.5).astype("float64") * (adj.rule.points or 0)
        else:
            pts = _rule_points(adj.rule, v, math.inf)
        pts = pts.where(v.notna(), 0.0)
        out[adj.id] = pts.clip(lower=min(adj.cap, 0), upper=max(adj.cap, 0))
    return pd.DataFrame(out, index=wide.index)


def score(wide: pd.DataFrame, appraisal: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    """Points per area, adjustment, total, maximum, index and class for every row of ``wide``."""
    points, _ = _leaf_points(wide, appraisal, method)
    out = pd.DataFrame(index=wide.index)
    for area in method.areas:
        ids = [c.id for c in area.leaves()]
        out[f"points_{area.id}"] = points[ids].sum(axis=1, min_count=0).round(6)
    adj = _adjustments(wide, method)
    out["adjustment"] = adj.sum(axis=1).round(6) if len(adj.columns) else 0.0
    area_total = out[[f"points_{a.id}" for a in method.areas]].sum(axis=1)
    out["total"] = (area_total + out["adjustment"]).clip(lower=0, upper=method.maximum).round(6)
    out["maximum"] = method.maximum
    # Rounded to 8 places first so float noise (92.62499999999) cannot flip a published .xx5.
    out["index"] = [round_half_up(round(t / method.maximum * 100, 8), 2) for t in out["total"]]
    bands = [method.classify(i) for i in out["index"]]
    out["classification"] = [b.label["en"] if b else None for b in bands]
    out["classification_vi"] = [b.label["vi"] if b else None for b in bands]
    return out


def criterion_points(wide: pd.DataFrame, appraisal: pd.DataFrame, method: Methodology
                     ) -> pd.DataFrame:
    """One locality's points per leaf criterion (wide has one row), in methodology order."""
    points, values = _leaf_points(wide, appraisal, method)
    code = wide.index[0]
    rows = []
    for cid, c in method.criteria().items():
        p = points.loc[code, cid]
        rows.append({"area": c.area_id, "criterion": cid, "name_vi": c.name["vi"],
                     "name_en": c.name["en"], "rule": c.rule.type, "max": c.max_points,
                     "points": 0.0 if pd.isna(p) else float(p),
                     "value": float(values.loc[code, cid]), "missing": bool(pd.isna(p))})
    return pd.DataFrame(rows)


def rank(index: pd.Series) -> pd.Series:
    """Competition ranking, highest first: ties share the rank and the next is skipped."""
    return index.rank(method="min", ascending=False).astype("Int64")


def _scores_for(ds, method: Methodology, period: Quarter, units) -> pd.DataFrame:
    codes = [u.code for u in units]
    wide = figures_wide(ds.figures, period, codes)
    if wide.empty:
        return pd.DataFrame()
    appraisal = ds.appraisal[(ds.appraisal.period == str(period))
                             & ds.appraisal.locality_code.isin(codes)] \
        if len(ds.appraisal) else ds.appraisal
    scored = score(wide, appraisal, method)
    scored["rank"] = rank(scored["index"])
    scored["rank_of"] = len(scored)
    return scored


def score_table(ds, method: Methodology, period: "Quarter | str", units) -> pd.DataFrame:
    """The league table of ``units`` (peers) in ``period``, with change against the previous
    quarter. Units that did not report are left out (the caller lists them as missing)."""
    period = Quarter.parse(str(period))
    units = list(units)
    scored = _scores_for(ds, method, period, units)
    if scored.empty:
        return scored
    by_code = {u.code: u for u in units}
    prev = pd.DataFrame()
    previous = period.previous()
    # Ranks compare only within one register: before the merger the peers were other units.
    if register.register_for(previous) == register.register_for(period):
        prev_units = [u for u in (register.get(c, previous) for c in scored.index
                                  if register.exists(c, previous))]
        prev = _scores_for(ds, method, previous, prev_units)
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
