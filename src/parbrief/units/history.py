"""A 2025 commune's series across the July-2025 merger (chuỗi số liệu qua sáp nhập).

From 2025Q3 a commune reports under its own code. Before that its territory reported as parts
of legacy units, so its earlier quarters are reconstructed from its predecessors through
``parbrief.units.crosswalk``:

* counts: the share-weighted sum, Σ share × predecessor value, rounded to a whole number
  (counts stay counts, and rounding keeps every part below its whole);
* percents and booleans: the share-weighted mean over the predecessors that reported the figure
  (a boolean becomes the weighted fraction of predecessors where it held);
* appraisal points: the share-weighted mean over the predecessors that have points.

Predecessors are the legacy communes when the data set has rows for them in that quarter,
otherwise the legacy districts (each district's share is the part of its communes that now
form the commune). Reconstructed rows keep the commune's code, so the scoring engine scores
them like any other quarter, and their ``source`` names the legacy units and shares.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from parbrief.core import safe_yaml
from parbrief.core.errors import ParameterError
from parbrief.core.periods import MERGER_QUARTER, Quarter
from parbrief.units import crosswalk
from parbrief.units import register as reg

FIGURE_COLUMNS = ["locality_code", "period", "indicator", "value", "source"]
APPRAISAL_COLUMNS = ["methodology", "locality_code", "period", "criterion", "points", "source"]
LANGS = ("vi", "en")
# The last quarter of the legacy register, to look legacy units up by code.
_LEGACY_QUARTER = MERGER_QUARTER.previous()


@lru_cache(maxsize=1)
def _indicator_types() -> dict[str, str]:
    text = resources.files("parbrief").joinpath("resources/indicators.yaml").read_text("utf-8")
    return {e["name"]: e["type"] for e in safe_yaml.loads(text, "indicators.yaml")["indicators"]}


def _check_apportionment(apportionment: str) -> None:
    if apportionment not in crosswalk.APPORTIONMENT:
        raise ParameterError(
            f"unknown apportionment {apportionment!r}: use one of "
            f"{', '.join(crosswalk.APPORTIONMENT)} (area shares, or all to the default successor)")


def _empty(columns: list[str], numeric: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="float64" if c == numeric else "str")
                         for c in columns})


def _canonical_periods(df: pd.DataFrame) -> pd.Series:
    """Periods as ``2026Q3`` whatever spelling the data set used."""
    mapping = {p: str(Quarter.parse(p)) for p in df.period.unique()}
    return df.period.map(mapping)


def share_text(share: float, lang: str = "en") -> str:
    """``0.2`` -> ``20 %``; ``1/15`` -> ``6.7 %`` (``6,7 %`` in Vietnamese)."""
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") if lang == "vi" else text) + " %"


def _source(units: list[str], shares: dict[str, float]) -> str:
    return "reconstructed from legacy units " + ", ".join(
        f"{u} ({share_text(shares[u])})" for u in units)


def predecessors_for(figures: pd.DataFrame, commune_code: str, period: Quarter | str,
                     apportionment: str = "area") -> tuple[str, pd.DataFrame]:
    """Which legacy level feeds ``period`` and the predecessors with their shares.

    Legacy communes if the data set has a row for any of them in ``period``, else districts.
    """
    period = str(Quarter.parse(period))
    in_period = set(figures.locality_code[figures.period == period])
    communes = crosswalk.predecessors(commune_code, "commune", apportionment)
    if in_period.intersection(communes.legacy_code):
        return "commune", communes
    return "district", crosswalk.predecessors(commune_code, "district", apportionment)


def _shares(codes: list[str], level: str, apportionment: str) -> pd.DataFrame:
    """The predecessors of each commune of ``codes`` at ``level`` (``crosswalk.predecessors``
    for many communes at once): commune_code, legacy_code, share, _pos (the order in which
    ``predecessors`` lists them, which is the order sources name them)."""
    if level == "district":
        cw = crosswalk.district_crosswalk(apportionment)
        legacy = "legacy_district_code"
    else:
        cw = crosswalk.commune_crosswalk(apportionment)
        legacy = "legacy_commune_code"
    sel = cw[cw.commune_code.isin(codes)]
    out = pd.DataFrame({"commune_code": sel.commune_code.to_numpy(),
                        "legacy_code": sel[legacy].to_numpy(), "share": sel.share.to_numpy()})
    out["_pos"] = out.groupby("commune_code", sort=False).cumcount()
    return out


def _weighted(rows: pd.DataFrame, shares: pd.DataFrame, keys: list[str],
              value: str) -> pd.DataFrame:
    """Share-weighted sum and mean of ``value`` per commune, period and ``keys``, with the
    source naming the contributing units. Rows are added in the data set's order (``_row``),
    so a commune's figures are the same whether it is reconstructed alone or with others."""
    groups = ["commune_code", "period", *keys]
    rows = rows[rows[value].notna()].merge(shares, left_on=["locality_code", "period"],
                                           right_on=["legacy_code", "period"])
    if rows.empty:
        return pd.DataFrame(columns=[*groups, "sum", "mean", "source"])
    rows = rows.sort_values(["commune_code", "_row"], kind="stable")
    rows["_w"] = rows.share * rows[value]
    grouped = rows.groupby(groups, sort=False)
    agg = grouped.agg(sum=("_w", "sum"), _share=("share", "sum")).reset_index()
    agg["mean"] = agg["sum"] / agg["_share"]
    # The units behind each group, in predecessor order: usually the same set for all of a
    # commune's indicators in a quarter, so each (commune, set) is labelled once.
    rows["_group"] = grouped.ngroup()
    rows = rows.sort_values(["_group", "_pos"], kind="stable")
    group_ids = rows["_group"].to_numpy()
    units = rows.legacy_code.to_numpy()
    shares_of = rows.share.to_numpy()
    starts = np.flatnonzero(np.r_[True, group_ids[1:] != group_ids[:-1]])
    ends = np.r_[starts[1:], len(group_ids)]
    communes = agg.commune_code.to_numpy()
    labels: dict = {}
    source = []
    for g, (s, e) in enumerate(zip(starts, ends)):
        key = (communes[g], tuple(dict.fromkeys(units[s:e])))
        if key not in labels:
            share_of = dict(zip(units[s:e], shares_of[s:e]))
            labels[key] = _source(list(key[1]), share_of)
        source.append(labels[key])
    agg["source"] = source
    return agg[[*groups, "sum", "mean", "source"]]


def _period_shares(figures: pd.DataFrame, codes: list[str], periods: list[str],
                   apportionment: str) -> pd.DataFrame:
    """For every commune and pre-merger quarter, the predecessors that feed it: its legacy
    communes if the data set has a row for any of them in that quarter, else its legacy
    districts (``predecessors_for`` for many communes and quarters at once)."""
    communes = _shares(codes, "commune", apportionment)
    districts = _shares(codes, "district", apportionment)
    pairs = pd.DataFrame([(c, p) for c in codes for p in periods],
                         columns=["commune_code", "period"])
    present = figures.loc[figures.period.isin(periods), ["locality_code", "period"]] \
        .drop_duplicates()
    reported = communes.merge(present, left_on="legacy_code", right_on="locality_code")
    by_commune = set(zip(reported.commune_code, reported.period))
    at_commune_level = np.array([pair in by_commune for pair in
                                 zip(pairs.commune_code, pairs.period)], dtype=bool)
    return pd.concat([communes.merge(pairs[at_commune_level], on="commune_code"),
                      districts.merge(pairs[~at_commune_level], on="commune_code")],
                     ignore_index=True)


def _reconstruct_figures(figures: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    agg = _weighted(figures, shares, ["indicator"], "value")
    if agg.empty:
        return _empty(FIGURE_COLUMNS, "value")
    types = _indicator_types()
    is_count = agg.indicator.map(types).eq("count").to_numpy()
    # Counts stay whole numbers (round half up); an unknown indicator is averaged, never inflated.
    value = np.where(is_count, np.floor(agg["sum"].to_numpy(float) + 0.5),
                     np.round(agg["mean"].to_numpy(float), 6))
    return pd.DataFrame({"locality_code": agg.commune_code, "period": agg.period,
                         "indicator": agg.indicator, "value": value, "source": agg.source})


def _reconstruct_appraisal(appraisal: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    agg = _weighted(appraisal, shares, ["methodology", "criterion"], "points")
    if agg.empty:
        return _empty(APPRAISAL_COLUMNS, "points")
    return pd.DataFrame({"methodology": agg.methodology, "locality_code": agg.commune_code,
                         "period": agg.period, "criterion": agg.criterion,
                         "points": np.round(agg["mean"].to_numpy(float), 6),
                         "source": agg.source})


def _typed(df: pd.DataFrame, columns: list[str], numeric: str) -> pd.DataFrame:
    if df.empty:
        return _empty(columns, numeric)
    return df[columns].astype({c: ("float64" if c == numeric else "str") for c in columns}) \
        .reset_index(drop=True)


def communes_history(figures: pd.DataFrame, appraisal: pd.DataFrame | None, codes,
                     periods, apportionment: str = "area") -> tuple[pd.DataFrame, pd.DataFrame]:
    """``commune_history`` for many 2025 communes in one pass (a province's briefings share
    it): rows ordered by commune in the order of ``codes``, then as ``commune_history``."""
    _check_apportionment(apportionment)
    codes = list(dict.fromkeys(str(c).strip() for c in codes))
    for code in codes:
        reg.get(code, MERGER_QUARTER)  # an unknown or legacy-only code is the caller's error
    quarters = [Quarter.parse(p) for p in periods]
    before = [str(q) for q in quarters if q < MERGER_QUARTER]
    after = [str(q) for q in quarters if q >= MERGER_QUARTER]
    figures = figures.assign(period=_canonical_periods(figures),
                             locality_code=figures.locality_code.astype("str"),
                             _row=np.arange(len(figures)))
    if appraisal is None or appraisal.empty:
        appraisal = _empty(APPRAISAL_COLUMNS, "points")
    else:
        appraisal = appraisal.assign(period=_canonical_periods(appraisal),
                                     locality_code=appraisal.locality_code.astype("str"))
    appraisal = appraisal.assign(_row=np.arange(len(appraisal)))

    fig_parts = [figures[figures.locality_code.isin(codes) & figures.period.isin(after)]]
    app_parts = [appraisal[appraisal.locality_code.isin(codes) & appraisal.period.isin(after)]]
    if before:
        shares = _period_shares(figures, codes, before, apportionment)
        fig_parts.append(_reconstruct_figures(figures[figures.period.isin(before)], shares))
        app_parts.append(_reconstruct_appraisal(appraisal[appraisal.period.isin(before)],
                                                shares))
    fig = pd.concat([p[FIGURE_COLUMNS] for p in fig_parts if not p.empty], ignore_index=True) \
        if any(not p.empty for p in fig_parts) else _empty(FIGURE_COLUMNS, "value")
    app = pd.concat([p[APPRAISAL_COLUMNS] for p in app_parts if not p.empty], ignore_index=True) \
        if any(not p.empty for p in app_parts) else _empty(APPRAISAL_COLUMNS, "points")
    order = {c: i for i, c in enumerate(codes)}
    position = {str(q): i for i, q in enumerate(quarters)}
    if not fig.empty:
        catalogue = {name: i for i, name in enumerate(_indicator_types())}
        fig = fig.assign(_c=fig.locality_code.map(order), _p=fig.period.map(position),
                         _i=fig.indicator.map(catalogue).fillna(len(catalogue)))
        fig = fig.sort_values(["_c", "_p", "_i", "indicator"], kind="stable")
    if not app.empty:
        app = app.assign(_c=app.locality_code.map(order), _p=app.period.map(position)) \
            .sort_values(["_c", "_p"], kind="stable")
    return _typed(fig, FIGURE_COLUMNS, "value"), _typed(app, APPRAISAL_COLUMNS, "points")


def commune_history(figures: pd.DataFrame, appraisal: pd.DataFrame | None, commune_code: str,
                    periods, apportionment: str = "area") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The figures and appraisal points of 2025 commune ``commune_code`` for every period.

    From 2025Q3: the commune's own rows. Before: rows reconstructed from its predecessors (see
    the module docstring), under the commune's code. A period with no data gives no rows.
    Rows come in the order of ``periods``, then catalogue order of indicators.
    """
    return communes_history(figures, appraisal, [commune_code], periods, apportionment)
