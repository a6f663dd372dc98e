"""What a briefing says, computed once per locality and quarter.

``prepare`` gathers the numbers (scores, peers, key figures, trend, findings) into a
``Briefing``; the section functions turn it into display objects in one language. The notebook
only calls these and displays them, once per language, tagging each output with its language
so that one execution yields the Vietnamese and the English briefing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parbrief.core.periods import MERGER_QUARTER, Quarter
from parbrief.model import appraisal as appraisal_model
from parbrief.model import lookup, sources
from parbrief.model import news as news_model
from parbrief.model.inputs import TREND_QUARTERS, BriefingInputs, check_rows, declare_briefing
from parbrief.scoring import engine as scoring
from parbrief.scoring import findings
from parbrief.scoring import metrics as metric_functions
from parbrief.units import register

# Key figures in the order a newspaper lead quotes them.
KEY_METRICS = (
    "on_time_rate", "late_rate", "online_submission_rate", "digitisation_rate",
    "satisfaction_rate", "procedures_published_rate", "plan_completion_rate",
)
TREND_METRICS = ("on_time_rate", "online_submission_rate", "digitisation_rate")


class Standing:
    """Where a unit stands in its period, for a quarter's briefing and a year's alike (from
    its own row of the league table, ``own``)."""

    @property
    def ranked(self) -> bool:
        """Reported, and every judged criterion has its points: it has an index, a rank and a
        class. A unit the council has not (fully) appraised is not ranked, never scored 0."""
        return self.reported and not pd.isna(self.own.get("rank"))

    @property
    def unappraised(self) -> int:
        """How many of its criteria still lack their points (0 when ranked)."""
        value = self.own.get("appraisal_missing") if self.reported else None
        return 0 if value is None or pd.isna(value) else int(value)

    @property
    def parent(self) -> register.Locality | None:
        if self.locality.parent_code is None:
            return None
        return register.get(self.locality.parent_code, self.period)

    def standing(self, absent: str) -> str:
        """"index 75.11, rank 103/129, Fair", "not ranked: 13 criteria without points", or
        ``absent`` for a unit without rows."""
        if self.ranked:
            return (f"index {self.own['index']:.2f}, rank {int(self.own['rank'])}/"
                    f"{int(self.own['rank_of'])}, {self.own.get('classification')}")
        if self.reported:
            return f"not ranked: {self.unappraised} criteria without points"
        return absent


@dataclass
class Briefing(Standing):
    locality: register.Locality
    period: Quarter
    methodology: object
    dataset: object  # the rows it read (``inputs.own``): its own and its predecessors'
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
    inputs: BriefingInputs | None = None  # what it reads, declared (see ``model.inputs``)
    # what is news: movement, first/last, largest movers, rank history (``model.news``)
    news: news_model.UnitNews | None = None
    # peers that reported but are not ranked: judged criteria without points (their rows of
    # the league table, without index, rank or class; ``appraisal_missing`` counts them)
    not_ranked: pd.DataFrame = field(default_factory=pd.DataFrame)
    # its own points beside the council's, by area, where both are given
    # (``model.appraisal.self_assessment``)
    self_assessment: pd.DataFrame = field(default_factory=pd.DataFrame)

    def tables(self) -> list[tuple[str, str, str]]:
        """(expression, size, what it holds) for every table the briefing carries."""
        def size(frame) -> str:
            return f"{len(frame)} × {len(frame.columns)}" if frame is not None else "0"
        return [
            ("b.scores", size(self.scores), "scores of the reporting peers this quarter"),
            ("b.points", size(self.points), "points per criterion of this locality"),
            ("b.trend", size(self.trend), "index and key rates, the last 8 quarters"),
            ("b.figures[b.period]", f"{len(self.figures.get(self.period, {}))} figures",
             "the raw figures reported this quarter"),
            ("b.metrics[b.period]", f"{len(self.metrics.get(self.period, {}))} rates",
             "the rates computed from them"),
        ]

    def __repr__(self) -> str:
        """A compact summary (not the 50,000 characters of every field)."""
        unit = f"{self.locality.code} {self.locality.name}"
        result = self.standing("did not report")
        lines = [f"Briefing {unit}, {self.period}, {self.methodology.id}: {result}"]
        lines += [f"  {expr:<20} {shape:>10}  {what}" for expr, shape, what in self.tables()]
        lines.append("  sections.explain(b): how each number came about; "
                     "sections.peer_table(b): every peer")
        return "\n".join(lines)




def _figures_and_metrics(figures_long: pd.DataFrame, code: str, period: Quarter):
    wide = scoring.figures_wide(figures_long, period, [code])
    if wide.empty or code not in wide.index:
        return {}, {}
    met = metric_functions.compute_metrics(wide)
    clean = lambda row: {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}  # noqa: E731
    return clean(wide.loc[code].to_dict()), clean(met.loc[code].to_dict())


def _history_rows(own, unit: register.Locality, periods: list[Quarter], apportionment: str,
                  ds) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A 2025 commune's series across the merger, rebuilt from its predecessors' rows: taken
    from its province's, rebuilt once for all the province's briefings (a commune's rows come
    from its own predecessors only, ``inputs.own``; tests check the two agree)."""
    by_code = sources.province_history(ds, unit.province_code, tuple(periods), apportionment)
    if unit.code in by_code:
        return by_code[unit.code]
    from parbrief.units.history import commune_history

    return commune_history(own.figures, own.appraisal, unit.code, periods, apportionment)


def _trend(own, method, unit: register.Locality, period: Quarter,
           apportionment: str, ds) -> pd.DataFrame:
    """Index and key rates over the last 8 quarters, scored in one pass (one row per quarter).

    Before the merger a 2025 commune's quarters are reconstructed from its predecessors.
    """
    periods = [period.previous(n) for n in range(TREND_QUARTERS - 1, -1, -1)]
    names = [str(q) for q in periods]
    if unit.register == register.REG_2025 and periods[0] < MERGER_QUARTER:
        fig, appr = _history_rows(own, unit, periods, apportionment, ds)
    else:
        fig = own.figures[own.figures.locality_code == unit.code]
        appr = own.appraisal[own.appraisal.locality_code == unit.code] if len(own.appraisal) \
            else own.appraisal
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
    """Everything the briefing of one locality in one quarter says, read through its declared
    inputs (``model.inputs.BriefingInputs``): its own rows, its peer group's scores."""
    q = Quarter.parse(period)
    given, data = data, lookup.input_path(data)  # found from a report's folder too
    if Path(methodology).suffix in (".yaml", ".yml"):
        methodology = lookup.input_path(methodology)
    method = sources.load_methodology(methodology, data)
    # a code, or a name in the data's provinces
    unit = lookup.locality(locality, q, data, methodology=methodology)
    inputs = declare_briefing(unit.code, q, method, apportionment)
    ds = sources.dataset_for(data, unit.parent_code, unit.level, q, methodology)
    lookup.check_quarter(ds, q, given)  # a quarter beyond the data is an error, not a briefing
    check_rows(inputs, ds, f"the briefing of {unit.name} ({unit.code}) for {q}", given)
    own = inputs.own.subset(ds)
    tables = sources.group_scores(inputs.peers, ds, method)
    table = tables[q]
    scores, not_ranked = scoring.ranked(table), scoring.unranked(table)
    reported = not table.empty and unit.code in set(table.code)
    own_row = table[table.code == unit.code].iloc[0].to_dict() if reported else {}
    group_reported = inputs.peers.slice.reported(ds)
    not_reported = [u for u in inputs.peers.units(q) if (u.code, str(q)) not in group_reported]
    figures_by_q, metrics_by_q = {}, {}
    for p in (q, q.previous(), q.same_quarter_last_year()):
        f, m = _figures_and_metrics(own.figures, unit.code, p) if register.register_for(p) == \
            unit.register else ({}, {})
        figures_by_q[p], metrics_by_q[p] = f, m
    points, self_assessed = pd.DataFrame(), pd.DataFrame()
    if reported:
        wide = scoring.figures_wide(own.figures, q, [unit.code]).reindex(
            pd.Index([unit.code], name="code"))
        appraisal = own.appraisal[(own.appraisal.period == str(q))
                                  & (own.appraisal.locality_code == unit.code)] \
            if len(own.appraisal) else own.appraisal
        points = scoring.criterion_points(wide, appraisal, method)
        self_assessed = appraisal_model.self_assessment(points, appraisal, method)
    # the quarters that exist, even when this one was not reported
    trend = _trend(own, method, unit, q, apportionment, ds)
    last_year = q.same_quarter_last_year()
    last_year_index = None
    if len(trend) and str(last_year) in set(trend.period):
        v = trend.loc[trend.period == str(last_year), "index"].iloc[0]
        last_year_index = None if pd.isna(v) else float(v)
    own_figures = figures_by_q[q]
    missing = [name for name in _required_indicators() if own_figures.get(name) is None] \
        if reported else []
    parameters = dict(locality=unit.code, period=str(q), methodology=methodology,
                      apportionment=apportionment)
    return Briefing(
        locality=unit, period=q, methodology=method, dataset=own, apportionment=apportionment,
        reported=reported, scores=scores, own=own_row, peers_not_reported=not_reported,
        points=points, figures=figures_by_q, metrics=metrics_by_q, trend=trend,
        last_year_index=last_year_index, missing_figures=missing, parameters=parameters,
        provenance=sources.provenance(inputs, ds, method, parameters), inputs=inputs,
        # the news (moves, ranks over time) is of the ranked: a unit not yet appraised has none
        news=news_model.unit_news({p: scoring.ranked(t) for p, t in tables.items()}, method,
                                  unit, q),
        not_ranked=not_ranked, self_assessment=self_assessed,
    )


def _required_indicators() -> list[str]:
    from parbrief.core.catalogue import catalogue

    return [name for name, ind in catalogue().items() if ind.required]


def briefing_findings(b: Briefing, lang: str) -> list[findings.Finding]:
    if not b.reported:
        return []
    return findings.evaluate(b.figures[b.period], b.metrics[b.period], b.period, lang)


__all__ = ["Briefing", "briefing_findings", "prepare"]
