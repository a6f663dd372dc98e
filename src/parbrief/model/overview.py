"""The province overview (tổng quan cấp tỉnh): every locality of a province in one quarter."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parbrief.core.periods import Quarter
from parbrief.model import lookup, sources
from parbrief.model import news as news_model
from parbrief.model.inputs import check_rows, declare_overview, level_for
from parbrief.scoring import engine as scoring
from parbrief.scoring import metrics as metric_functions
from parbrief.scoring.spans import units_with_rows
from parbrief.units import register

MOVERS = 5


@dataclass
class Overview:
    province: register.Locality
    period: Quarter
    methodology: object
    dataset: object  # the rows it read (``model.inputs.OverviewInputs.own``)
    level: str
    scores: pd.DataFrame  # one row per reporting unit, ranked, with lat/lon
    not_reported: list[register.Locality]
    figures: dict  # province totals of the raw counts in this quarter
    metrics: dict  # rates computed from the province totals
    previous_metrics: dict
    parameters: dict
    provenance: dict  # what the overview was made from (see ``sources.provenance``)
    # what is news: movers, class changes, first and last (``model.news``)
    news: news_model.ProvinceNews | None = None
    # units that reported but are not ranked (criteria without points; ``model.appraisal``)
    not_ranked: pd.DataFrame = field(default_factory=pd.DataFrame)

    def class_counts(self, lang: str) -> pd.DataFrame:
        """Localities per class, in the methodology's band order (empty classes included)."""
        labels = [band["label"][lang] if isinstance(band, dict) else band.label[lang]
                  for band in self.methodology.bands]
        # score tables carry the English label in `classification`, the Vietnamese one apart
        column = "classification_vi" if lang == "vi" else "classification"
        counts = self.scores[column].value_counts() if len(self.scores) else pd.Series()
        return pd.DataFrame({"classification": labels,
                             "localities": [int(counts.get(lbl, 0)) for lbl in labels]})

    def movers(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Biggest risers and fallers by change of index against the previous quarter."""
        moved = self.scores.dropna(subset=["index_change"])
        up = moved[moved.index_change > 0].sort_values(["index_change", "code"],
                                                        ascending=[False, True]).head(MOVERS)
        down = moved[moved.index_change < 0].sort_values(["index_change", "code"]).head(MOVERS)
        return up, down


def _totals(ds, codes: list[str], period: Quarter) -> tuple[dict, dict]:
    wide = scoring.figures_wide(ds.figures, period, codes)
    if wide.empty:
        return {}, {}
    from parbrief.core.catalogue import catalogue

    counts = [c for c in wide.columns if catalogue()[c].type == "count"]
    total = wide[counts].sum(min_count=1).to_frame().T
    total.index = ["total"]
    for c in wide.columns:  # percents: the mean of the localities that reported them
        if c not in counts:
            total[c] = wide[c].mean()
    met = metric_functions.compute_metrics(total)
    clean = lambda d: {k: (None if pd.isna(v) else float(v)) for k, v in d.items()}  # noqa: E731
    return clean(total.iloc[0].to_dict()), clean(met.iloc[0].to_dict())


def prepare(province: str, period: str, data: str, methodology: str) -> Overview:
    """The overview of a province in one quarter, read through its declared inputs
    (``model.inputs.OverviewInputs``): its units' figures in this quarter and the one before,
    and their league table."""
    q = Quarter.parse(period)
    given, data = data, lookup.input_path(data)  # found from a report's folder too
    if Path(methodology).suffix in (".yaml", ".yml"):
        methodology = lookup.input_path(methodology)
    method = sources.load_methodology(methodology, data)
    unit = lookup.province(province, q)  # a code, or a province's name
    inputs = declare_overview(unit.code, q, method)
    level = inputs.level
    # this quarter's and the previous one's units: the province's own rows suffice when both
    # are 2025 communes
    ds = (sources.dataset_for(data, unit.code, level, q, methodology)
          if level == level_for(q.previous()) else sources.load_dataset(data, methodology))
    lookup.check_quarter(ds, q, given)  # a quarter beyond the data is an error, not an overview
    check_rows(inputs, ds, f"the overview of {unit.name} ({unit.code}) for {q}", given)
    own = inputs.own.subset(ds)
    # the league table and the news are of the ranked; the rest wait for their points
    tables = {p: scoring.ranked(t) for p, t in sources.group_scores(inputs.peers, ds,
                                                                     method).items()}
    not_ranked = scoring.unranked(sources.group_scores(inputs.peers, ds, method)[q])
    scores = tables[q].copy()
    units = inputs.units
    by_code = {u.code: u for u in units}
    if len(scores):
        scores["lat"] = scores.code.map(lambda c: by_code[c].lat)
        scores["lon"] = scores.code.map(lambda c: by_code[c].lon)
        scores = scores.sort_values(["rank", "code"]).reset_index(drop=True)
    reported = units_with_rows(own.figures, own.appraisal, q, method.id)
    figures, met = _totals(own, [u.code for u in units if u.code in reported], q)
    _, prev_met = _totals(own, [u.code for u in inputs.previous_units], q.previous())
    parameters = dict(province=unit.code, period=str(q), methodology=methodology)
    return Overview(province=unit, period=q, methodology=method, dataset=own, level=level,
                    scores=scores, not_reported=[u for u in units if u.code not in reported],
                    figures=figures, metrics=met, previous_metrics=prev_met,
                    parameters=parameters,
                    provenance=sources.provenance(inputs, ds, method, parameters),
                    news=news_model.province_news(tables, method, q),
                    not_ranked=not_ranked)


__all__ = ["Overview", "prepare"]
