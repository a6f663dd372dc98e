"""A 2025 commune's series across the July-2025 merger (chuỗi số liệu qua sáp nhập).

From 2025Q3 a commune reports under its own code. Before that its territory reported as parts
of legacy units, so its earlier quarters are reconstructed from its predecessors through
``parbrief.crosswalk``:

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
import yaml

from . import crosswalk
from . import register as reg
from .errors import ParameterError
from .periods import MERGER_QUARTER, Quarter

FIGURE_COLUMNS = ["locality_code", "period", "indicator", "value", "source"]
APPRAISAL_COLUMNS = ["methodology", "locality_code", "period", "criterion", "points", "source"]
LANGS = ("vi", "en")
# The last quarter of the legacy register, to look legacy units up by code.
_LEGACY_QUARTER = MERGER_QUARTER.previous()


@lru_cache(maxsize=1)
def _indicator_types() -> dict[str, str]:
    text = resources.files("parbrief").joinpath("resources/indicators.yaml").read_text("utf-8")
    return {e["name"]: e["type"] for e in yaml.safe_load(text)["indicators"]}


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


def _weighted(rows: pd.DataFrame, shares: pd.DataFrame, keys: list[str], value: str,
              order: list[str]) -> pd.DataFrame:
    """Share-weighted sum and mean of ``value`` per ``keys`` group, with the contributing units."""
    rows = rows[rows[value].notna()].merge(shares, left_on="locality_code", right_on="legacy_code")
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "sum", "mean", "source"])
    rows = rows.assign(_w=rows.share * rows[value],
                       _pos=rows.locality_code.map({c: i for i, c in enumerate(order)}))
    share_of = dict(zip(shares.legacy_code, shares.share))
    agg = rows.groupby(keys, sort=False).agg(sum=("_w", "sum"), _share=("share", "sum")) \
        .reset_index()
    agg["mean"] = agg["sum"] / agg["_share"]
    # Which units stand behind each group: usually the same for all, so label once per set.
    units_of = rows.sort_values("_pos", kind="stable").groupby(keys, sort=False) \
        .locality_code.agg(lambda c: tuple(dict.fromkeys(c)))
    labels = {u: _source(list(u), share_of) for u in set(units_of)}
    agg["source"] = [labels[u] for u in units_of.reindex(
        pd.MultiIndex.from_frame(agg[keys]) if len(keys) > 1 else agg[keys[0]])]
    return agg[[*keys, "sum", "mean", "source"]]


def _reconstruct_figures(figures: pd.DataFrame, shares: pd.DataFrame, code: str,
                         period: str) -> pd.DataFrame:
    rows = figures[(figures.period == period) & figures.locality_code.isin(set(shares.legacy_code))]
    agg = _weighted(rows, shares, ["indicator"], "value", list(shares.legacy_code))
    if agg.empty:
        return _empty(FIGURE_COLUMNS, "value")
    types = _indicator_types()
    is_count = agg.indicator.map(types).eq("count").to_numpy()
    # Counts stay whole numbers (round half up); an unknown indicator is averaged, never inflated.
    value = np.where(is_count, np.floor(agg["sum"].to_numpy(float) + 0.5),
                     np.round(agg["mean"].to_numpy(float), 6))
    return pd.DataFrame({"locality_code": code, "period": period, "indicator": agg.indicator,
                         "value": value, "source": agg.source})


def _reconstruct_appraisal(appraisal: pd.DataFrame, shares: pd.DataFrame, code: str,
                           period: str) -> pd.DataFrame:
    rows = appraisal[(appraisal.period == period)
                     & appraisal.locality_code.isin(set(shares.legacy_code))]
    agg = _weighted(rows, shares, ["methodology", "criterion"], "points", list(shares.legacy_code))
    if agg.empty:
        return _empty(APPRAISAL_COLUMNS, "points")
    return pd.DataFrame({"methodology": agg.methodology, "locality_code": code, "period": period,
                         "criterion": agg.criterion,
                         "points": np.round(agg["mean"].to_numpy(float), 6),
                         "source": agg.source})


def _typed(df: pd.DataFrame, columns: list[str], numeric: str) -> pd.DataFrame:
    if df.empty:
        return _empty(columns, numeric)
    return df[columns].astype({c: ("float64" if c == numeric else "str") for c in columns}) \
        .reset_index(drop=True)


def commune_history(figures: pd.DataFrame, appraisal: pd.DataFrame | None, commune_code: str,
                    periods, apportionment: str = "area") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The figures and appraisal points of 2025 commune ``commune_code`` for every period.

    From 2025Q3: the commune's own rows. Before: rows reconstructed from its predecessors (see
    the module docstring), under the commune's code. A period with no data gives no rows.
    Rows come in the order of ``periods``, then catalogue order of indicators.
    """
    _check_apportionment(apportionment)
    code = str(commune_code).strip()
    reg.get(code, MERGER_QUARTER)  # an unknown or legacy-only code is the caller's error
    quarters = [Quarter.parse(p) for p in periods]
    figures = figures.assign(period=_canonical_periods(figures),
                             locality_code=figures.locality_code.astype("str"))
    if appraisal is None or appraisal.empty:
        appraisal = _empty(APPRAISAL_COLUMNS, "points")
    else:
        appraisal = appraisal.assign(period=_canonical_periods(appraisal),
                                     locality_code=appraisal.locality_code.astype("str"))

    fig_parts, app_parts = [], []
    for q in quarters:
        period = str(q)
        if q >= MERGER_QUARTER:
            fig_parts.append(figures[(figures.locality_code == code) & (figures.period == period)])
            app_parts.append(appraisal[(appraisal.locality_code == code)
                                       & (appraisal.period == period)])
            continue
        _, shares = predecessors_for(figures, code, q, apportionment)
        fig_parts.append(_reconstruct_figures(figures, shares, code, period))
        app_parts.append(_reconstruct_appraisal(appraisal, shares, code, period))

    fig = pd.concat([p[FIGURE_COLUMNS] for p in fig_parts if not p.empty], ignore_index=True) \
        if any(not p.empty for p in fig_parts) else _empty(FIGURE_COLUMNS, "value")
    app = pd.concat([p[APPRAISAL_COLUMNS] for p in app_parts if not p.empty], ignore_index=True) \
        if any(not p.empty for p in app_parts) else _empty(APPRAISAL_COLUMNS, "points")
    if not fig.empty:
        position = {str(q): i for i, q in enumerate(quarters)}
        catalogue = {name: i for i, name in enumerate(_indicator_types())}
        fig = fig.assign(_p=fig.period.map(position),
                         _i=fig.indicator.map(catalogue).fillna(len(catalogue)))
        fig = fig.sort_values(["_p", "_i", "indicator"], kind="stable")
    if not app.empty:
        position = {str(q): i for i, q in enumerate(quarters)}
        app = app.assign(_p=app.period.map(position)).sort_values("_p", kind="stable")
    return _typed(fig, FIGURE_COLUMNS, "value"), _typed(app, APPRAISAL_COLUMNS, "points")


def history_note(commune_code: str, lang: str = "en", apportionment: str = "area",
                 level: str = "district") -> str:
    """One sentence for a briefing: where the pre-merger series comes from and how it is split.

    ``level`` is the legacy level the data set reports (``district`` or ``commune``).
    """
    if lang not in LANGS:
        raise ParameterError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    if level not in ("district", "commune"):
        raise ParameterError(f"unknown legacy level {level!r}: use district or commune")
    _check_apportionment(apportionment)
    commune = reg.get(str(commune_code).strip(), MERGER_QUARTER)
    shares = crosswalk.predecessors(commune.code, level, apportionment)
    units = "; ".join(
        f"{reg.get(c, _LEGACY_QUARTER).name} ({c}, {share_text(s, lang)})"
        for c, s in zip(shares.legacy_code, shares.share))
    note = crosswalk.APPORTIONMENT_NOTE[apportionment][lang]
    since = MERGER_QUARTER.label(lang)
    if lang == "vi":
        kind = "huyện cũ" if level == "district" else "xã cũ"
        how = (f", theo tỷ lệ số xã của mỗi huyện nay thuộc {commune.name}"
               if level == "district" else "")
        return (f"Số liệu trước {since} của {commune.name} được tính lại từ {kind} {units}{how}; "
                f"{note}.")
    kind = "legacy district" if level == "district" else "legacy commune"
    kind += "s" if len(shares) > 1 else ""
    how = (f", each share being the part of the district's communes now in {commune.name}"
           if level == "district" else "")
    return (f"Before {since} the series of {commune.name} is reconstructed from the {kind} "
            f"{units}{how}; {note}.")
