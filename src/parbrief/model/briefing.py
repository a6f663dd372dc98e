"""What a briefing says, computed once per locality and quarter.

``prepare`` gathers the numbers (scores, peers, key figures, trend, findings) into a
``Briefing``; the section functions turn it into display objects in one language. The notebook
only calls these and displays them, once per language, tagging each output with its language
so that one execution yields the Vietnamese and the English briefing.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from parbrief.core.periods import MERGER_QUARTER, Quarter
from parbrief.model import news as news_model
from parbrief.model import sources
from parbrief.scoring import engine as scoring
from parbrief.scoring import findings
from parbrief.scoring import metrics as metric_functions
from parbrief.units import crosswalk, register

TREND_QUARTERS = 8
# Key figures in the order a newspaper lead quotes them.
KEY_METRICS = (
    "on_time_rate", "late_rate", "online_submission_rate", "digitisation_rate",
    "satisfaction_rate", "procedures_published_rate", "plan_completion_rate",
)
TREND_METRICS = ("on_time_rate", "online_submission_rate", "digitisation_rate")


@dataclass
class Briefing:
    locality: register.Locality
    period: Quarter
    methodology: object
    dataset: object
    apportionment: str
    reported: bool
    scores: pd.DataFrame  # peers' scores in this period (one row per reporting peer)
    own: dict  # this locality's row of ``scores``
    peers_not_reported: list[register.Locality]
    points: pd.DataFrame  # this locality's points per criterion
    figures: dict[Quarter, dict]  # raw figures: this period, previous, same quarter last year
    metrics: dict[Quarter, dict]
    trend: pd.DataFrame  # period, index, metrics..., reconstructed (bool)
    last_year_index: float | None
    missing_figures: list[str] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    # what the briefing was made from: ``inputs`` identifies exactly what it read
    provenance: dict = field(default_factory=dict)
    # what is news: movement, first/last, largest movers, rank history (``model.news``)
    news: news_model.UnitNews | None = None

    @property
    def parent(self) -> register.Locality | None:
        if self.locality.parent_code is None:
            return None
        return register.get(self.locality.parent_code, self.period)




def _figures_and_metrics(figures_long: pd.DataFrame, code: str, period: Quarter):
    wide = scoring.figures_wide(figures_long, period, [code])
    if wide.empty or code not in wide.index:
        return {}, {}
    met = metric_functions.compute_metrics(wide)
    clean = lambda row: {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}  # noqa: E731
    return clean(wide.loc[code].to_dict()), clean(met.loc[code].to_dict())


def _history_rows(data: str, unit: register.Locality, periods: list[Quarter],
                  apportionment: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A 2025 commune's series across the merger, taken from its province's (reconstructed
    once for all the province's briefings)."""
    by_code = _province_history(data, unit.province_code, tuple(str(p) for p in periods),
                                apportionment, sources.file_signature(data))
    if unit.code in by_code:
        return by_code[unit.code]
    from parbrief.units.history import (
        commune_history,  # not a commune (a 2025 province): on its own
    )

    ds = sources.load_dataset(data)
    return commune_history(ds.figures, ds.appraisal, unit.code, periods, apportionment)


@lru_cache(maxsize=4)
def _province_history(data: str, province: str, periods: tuple[str, ...], apportionment: str,
                      signature: tuple) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    from parbrief.units.history import communes_history

    ds = sources.province_dataset(data, province)
    codes = [u.code for u in register.children(province, MERGER_QUARTER, level="commune")]
    fig, app = communes_history(ds.figures, ds.appraisal, codes, list(periods), apportionment)
    figs = {c: part.reset_index(drop=True) for c, part in fig.groupby("locality_code", sort=False)}
    apps = {c: part.reset_index(drop=True) for c, part in app.groupby("locality_code", sort=False)}
    return {c: (figs.get(c, fig.iloc[:0]), apps.get(c, app.iloc[:0])) for c in codes}


def _trend(data: str, ds, method, unit: register.Locality, period: Quarter,
           apportionment: str) -> pd.DataFrame:
    """Index and key rates over the last 8 quarters, scored in one pass (one row per quarter).

    Before the merger a 2025 commune's quarters are reconstructed from its predecessors.
    """
    periods = [period.previous(n) for n in range(TREND_QUARTERS - 1, -1, -1)]
    names = [str(q) for q in periods]
    if unit.register == register.REG_2025 and periods[0] < MERGER_QUARTER:
        fig, appr = _history_rows(data, unit, periods, apportionment)
    else:
        fig = ds.figures[ds.figures.locality_code == unit.code]
        appr = ds.appraisal[ds.appraisal.locality_code == unit.code] if len(ds.appraisal) \
            else ds.appraisal
    fig = fig[fig.period.isin(names)]
    reconstructed = [q < MERGER_QUARTER and unit.register == register.REG_2025 for q in periods]
    out = pd.DataFrame({"period": names, "index": math.nan, "reconstructed": reconstructed})
    for m in TREND_METRICS:
        out[m] = math.nan
    if fig.empty:
        return out
    # One row per quarter: the period plays the part of the locality code.
    wide = scoring.figures_wide(fig.assign(locality_code=fig.period, period="trend"), "trend")
    if len(appr):
        appr = appr[appr.period.isin(names)].assign(locality_code=lambda a: a.period)
    scored = scoring.score(wide, appr, method)
    met = metric_functions.compute_metrics(wide)
    out = out.set_index("period")
    out.loc[wide.index, "index"] = scored["index"].to_numpy()
    for m in TREND_METRICS:
        out.loc[wide.index, m] = met[m].to_numpy()
    return out.reset_index()


def prepare(locality: str, period: str, data: str, methodology: str,
            apportionment: str = "area") -> Briefing:
    """Everything the briefing of one locality in one quarter says."""
    q = Quarter.parse(period)
    data = str(Path(data).resolve())
    method = sources.load_methodology(methodology)
    unit = register.get(locality, q)
    ds = sources.dataset_for(data, unit.parent_code, unit.level, q)
    scores = sources.peer_scores(data, methodology, unit.parent_code, unit.level, q)
    reported = not scores.empty and unit.code in set(scores.code)
    own = scores[scores.code == unit.code].iloc[0].to_dict() if reported else {}
    reported_codes = sources.reported_codes(ds, q)
    not_reported = [u for u in sources.peers_of(unit, q) if u.code not in reported_codes]
    figures_by_q, metrics_by_q = {}, {}
    for p in (q, q.previous(), q.same_quarter_last_year()):
        f, m = _figures_and_metrics(ds.figures, unit.code, p) if register.register_for(p) == \
            unit.register else ({}, {})
        figures_by_q[p], metrics_by_q[p] = f, m
    points = pd.DataFrame()
    if reported:
        wide = scoring.figures_wide(ds.figures, q, [unit.code])
        appraisal = ds.appraisal[(ds.appraisal.period == str(q))
                                 & (ds.appraisal.locality_code == unit.code)] \
            if len(ds.appraisal) else ds.appraisal
        points = scoring.criterion_points(wide, appraisal, method)
    trend = _trend(data, ds, method, unit, q, apportionment) if reported else pd.DataFrame()
    last_year = q.same_quarter_last_year()
    last_year_index = None
    if len(trend) and str(last_year) in set(trend.period):
        v = trend.loc[trend.period == str(last_year), "index"].iloc[0]
        last_year_index = None if pd.isna(v) else float(v)
    catalogue_required = _required_indicators()
    own_figures = figures_by_q[q]
    missing = [name for name in catalogue_required if own_figures.get(name) is None] \
        if reported else []
    return Briefing(
        locality=unit, period=q, methodology=method, dataset=ds, apportionment=apportionment,
        reported=reported, scores=scores, own=own, peers_not_reported=not_reported,
        points=points, figures=figures_by_q, metrics=metrics_by_q, trend=trend,
        last_year_index=last_year_index, missing_figures=missing,
        parameters=(parameters := dict(locality=locality, period=str(q),
                                       methodology=methodology, apportionment=apportionment)),
        provenance=sources.provenance(ds, method, parameters),
        news=news_model.unit_news(data, methodology, unit, q),
    )


def _required_indicators() -> list[str]:
    from parbrief.core.catalogue import catalogue

    return [name for name, ind in catalogue().items() if ind.required]


def briefing_findings(b: Briefing, lang: str) -> list[findings.Finding]:
    if not b.reported:
        return []
    return findings.evaluate(b.figures[b.period], b.metrics[b.period], b.period, lang)


# ---------------------------------------------------------------- incremental batch support

def job_fingerprint(kind: str, params: dict, dataset) -> str:
    """Checksum of the slice of data a job reads, so unchanged jobs are skipped.

    A briefing reads its own figures over the trend window (and its predecessors' before the
    merger) and its peers' scores (the ranking and peer chart); an overview reads every
    figure of its units in the quarter and the previous one.
    """
    h = hashlib.sha256()
    q = Quarter.parse(params["period"])
    periods = {str(q.previous(n)) for n in range(TREND_QUARTERS)}
    fig, appr = dataset.figures, dataset.appraisal
    if kind == "briefing":
        unit = register.get(params["locality"], q)
        codes = {unit.code}
        if unit.register == register.REG_2025:
            for level in ("district", "commune"):
                codes |= set(crosswalk.predecessors(unit.code, level=level).legacy_code)
        data = str(Path(params["data"]).resolve())
        signature = sources.file_signature(data) + (sources.file_signature(params["methodology"]) if Path(
            params["methodology"]).suffix in (".yaml", ".yml") else ())
        h.update(_peer_scores_digest(data, params["methodology"], unit.parent_code, unit.level,
                                     q, unit.register, signature))
        # the rows of these units in the trend window, found through an index built once per
        # data set (a national batch asks this for 3,321 briefings)
        by_unit = _rows_by_unit(dataset, frozenset(periods))
        sel = _rows_of(by_unit.figures, codes, fig)
        appr_sel = _rows_of(by_unit.appraisal, codes, appr)
    else:
        parent = params["province"]
        codes = {u.code for p in (q, q.previous()) for u in _units_under(parent, p)}
        sel = fig[fig.locality_code.isin(codes) & fig.period.isin({str(q), str(q.previous())})]
        appr_sel = appr[appr.locality_code.isin(codes) & appr.period.isin(periods)] \
            if len(appr) else appr
    h.update(sel.sort_values(["locality_code", "period", "indicator"])
             .to_csv(index=False, lineterminator="\n").encode())
    if len(appr):
        h.update(appr_sel.sort_values(list(appr_sel.columns))
                 .to_csv(index=False, lineterminator="\n").encode())
    return h.hexdigest()


@lru_cache(maxsize=64)
def _peer_scores_digest(data: str, methodology: str, parent: str | None, level: str,
                        q: Quarter, unit_register: str, signature: tuple) -> bytes:
    """The peer group's scores this quarter and the previous one, as the bytes hashed into a
    briefing's fingerprint (once per peer group, not once per briefing)."""
    scores = sources.peer_scores(data, methodology, parent, level, q)
    prev = sources.peer_scores(data, methodology, parent, level, q.previous()) \
        if register.register_for(q.previous()) == unit_register else pd.DataFrame()
    # the rank history (``news.history_quarters``) reads the group's earlier quarters too
    history = [sources.peer_scores(data, methodology, parent, level, h)
               for h in news_model.history_quarters(q) if h not in (q, q.previous())]
    return (scores.to_csv(index=False, lineterminator="\n")
            + prev.to_csv(index=False, lineterminator="\n")
            + "".join(h.to_csv(index=False, lineterminator="\n") for h in history)).encode()


@dataclass
class _RowsByUnit:
    dataset: object  # held, so the id the index is keyed by is not reused
    figures: dict[str, pd.DataFrame]
    appraisal: dict[str, pd.DataFrame]


_rows_index: dict[tuple, _RowsByUnit] = {}


def _rows_by_unit(dataset, periods: frozenset[str]) -> _RowsByUnit:
    key = (id(dataset), periods)
    if key not in _rows_index:
        _rows_index.clear()  # one data set at a time
        fig = dataset.figures[dataset.figures.period.isin(periods)]
        appr = dataset.appraisal
        appr = appr[appr.period.isin(periods)] if len(appr) else appr
        _rows_index[key] = _RowsByUnit(
            dataset=dataset,
            figures=dict(iter(fig.groupby("locality_code", sort=False))),
            appraisal=dict(iter(appr.groupby("locality_code", sort=False))) if len(appr) else {})
    return _rows_index[key]


def _rows_of(by_unit: dict[str, pd.DataFrame], codes: set[str], empty: pd.DataFrame):
    parts = [by_unit[c] for c in sorted(codes) if c in by_unit]
    return pd.concat(parts) if parts else empty.iloc[:0]


def _units_under(parent: str, period: Quarter) -> list[register.Locality]:
    level = "district" if register.register_for(period) == register.LEGACY else "commune"
    return register.children(parent, period, level=level)


__all__ = ["Briefing", "briefing_findings", "job_fingerprint", "prepare"]


def release_data() -> None:
    """Forget every data set, index and score table loaded so far. A batch calls it once its
    jobs are fingerprinted: its workers read the data themselves, and a national data set
    with its index is some 400 MB the batch process need not hold while they run."""
    sources.forget()
    for cached in (_peer_scores_digest, _province_history):
        cached.cache_clear()
    _rows_index.clear()
