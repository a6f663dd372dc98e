"""How each number of a briefing came about (cách tính từng điểm): per area and criterion, the
rule, the figures it read (with the file and line each came from), the value and the points;
and the full table of the peer group a briefing ranks the locality in.

The numbers are the scoring engine's own (``briefing.points``, ``briefing.scores``), never
computed a second time; this module adds where each input came from. The wording is in
``present.explain``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from parbrief.core.errors import ParameterError
from parbrief.core.periods import Quarter
from parbrief.model import sources
from parbrief.model.briefing import Briefing
from parbrief.scoring.methodology import Criterion, Rule
from parbrief.scoring.metrics import METRICS

FIGURE_COLUMNS = ["criterion", "indicator", "value", "file", "line", "column", "source"]


@dataclass
class Explanation:
    """Every criterion of one briefing and the figures behind it."""

    briefing: Briefing
    criteria: pd.DataFrame  # one row per criterion: area, criterion, rule, max, value, points
    figures: pd.DataFrame  # one row per figure a criterion read: where it came from
    areas: pd.DataFrame  # one row per area: points, max

    def rule(self, criterion: str) -> Rule:
        return self.criterion(criterion).rule

    def criterion(self, criterion: str) -> Criterion:
        return self.briefing.methodology.criteria()[criterion]

    def select(self, what: str | None) -> pd.DataFrame:
        """The criteria rows of one area or one criterion (by id), or all of them."""
        if what is None:
            return self.criteria
        rows = self.criteria[(self.criteria.area == what) | (self.criteria.criterion == what)]
        if rows.empty:
            areas = ", ".join(self.areas.area)
            raise ParameterError(
                f"{what!r} is neither an area nor a criterion of {self.briefing.methodology.id}",
                where=f'explain(b, "{what}")',
                fix=f"give an area ({areas}) or a criterion id (explain(b) lists them all)")
        return rows

    def __repr__(self) -> str:
        b = self.briefing
        return (f"Explanation of {b.locality.code} {b.locality.name}, {b.period}: "
                f"{len(self.criteria)} criteria in {len(self.areas)} areas, "
                f"{len(self.figures)} figures read (.criteria, .figures, .areas)")


def _inputs(rule: Rule | None) -> list[str]:
    """The raw figures a rule reads: its indicator, or the indicators its metric is made of."""
    if rule is None or rule.type == "appraisal":
        return []
    if rule.indicator:
        return [rule.indicator]
    return list(METRICS[rule.metric].inputs) if rule.metric in METRICS else []


@lru_cache(maxsize=2)
def _raw_rows(data: str, signature: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The data set's rows as read from its files, with the file and line of each."""
    from parbrief.ingest import readers

    frames, appraisal, _, _ = readers.read_raw(Path(data))
    figures = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return _canonical(figures), _canonical(appraisal)


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Periods as the validated data writes them (``2026-Q3`` -> ``2026Q3``)."""
    if frame is None or frame.empty or "period" not in frame.columns:
        return pd.DataFrame() if frame is None else frame
    texts = {}
    for text in frame.period.dropna().unique():
        try:
            texts[text] = str(Quarter.parse(text))
        except Exception:  # noqa: BLE001 - the validation reports it; it is no input here
            texts[text] = text
    return frame.assign(period=frame.period.map(texts),
                        locality_code=frame.locality_code.astype(str).str.strip())


def _where(rows: pd.DataFrame) -> tuple[str | None, int | None, str | None, str | None]:
    if rows is None or rows.empty:
        return None, None, None, None
    r = rows.iloc[0]
    column = r.get("_column") if "_column" in rows.columns else None
    source = r.get("source") if "source" in rows.columns else None
    return (str(r["_file"]), int(r["_row"]), None if pd.isna(column) else str(column),
            None if source is None or pd.isna(source) else str(source))


def explain(b: Briefing) -> Explanation:
    """Per criterion: the rule, the figures it read (file, line, source), value and points."""
    method = b.methodology
    points = b.points
    by_id = {r["criterion"]: r for r in points.to_dict("records")} if len(points) else {}
    raw_fig, raw_appr = pd.DataFrame(), pd.DataFrame()
    if b.reported:
        data = str(b.dataset.path)
        raw_fig, raw_appr = _raw_rows(data, sources.file_signature(data))
    own = b.figures.get(b.period, {})
    code, period = b.locality.code, str(b.period)
    if len(raw_fig):
        raw_fig = raw_fig[(raw_fig.locality_code == code) & (raw_fig.period == period)]
    if len(raw_appr):
        raw_appr = raw_appr[(raw_appr.locality_code == code) & (raw_appr.period == period)
                            & (raw_appr.methodology == method.id)]
    crit_rows, fig_rows = [], []
    for area in method.areas:
        for c in area.leaves():
            row = by_id.get(c.id, {})
            value, pts = row.get("value"), row.get("points")
            crit_rows.append({
                "area": area.id, "area_name_vi": area.name["vi"], "area_name_en": area.name["en"],
                "criterion": c.id, "name_vi": c.name["vi"], "name_en": c.name["en"],
                "rule": c.rule.type, "reads": c.rule.indicator or c.rule.metric
                or ("appraisal" if c.rule.type == "appraisal" else None),
                "max": c.max_points,
                "value": None if value is None or (isinstance(value, float) and math.isnan(value))
                else float(value),
                "points": None if not row or row.get("missing") else float(pts),
            })
            if c.rule.type == "appraisal":
                rows = raw_appr[raw_appr.criterion == c.id] if len(raw_appr) else None
                file, line, column, source = _where(rows)
                fig_rows.append({"criterion": c.id, "indicator": "appraisal points",
                                 "value": crit_rows[-1]["value"], "file": file, "line": line,
                                 "column": column, "source": source})
            for name in _inputs(c.rule):
                rows = raw_fig[raw_fig.indicator == name] if len(raw_fig) else None
                file, line, column, source = _where(rows)
                fig_rows.append({"criterion": c.id, "indicator": name, "value": own.get(name),
                                 "file": file, "line": line, "column": column, "source": source})
    criteria = pd.DataFrame(crit_rows)
    areas = pd.DataFrame([{
        "area": a.id, "name_vi": a.name["vi"], "name_en": a.name["en"],
        "points": b.own.get(f"points_{a.id}") if b.reported else None, "max": a.max_points}
        for a in method.areas])
    return Explanation(briefing=b, criteria=criteria,
                       figures=pd.DataFrame(fig_rows, columns=FIGURE_COLUMNS), areas=areas)


def peer_table(b: Briefing) -> pd.DataFrame:
    """Every unit of the peer group, ranked first, then those that did not report: code, name,
    index, rank, class, change, and the points of every area (what the peers section shows an
    excerpt of)."""
    units = sources.peers_of(b.locality, b.period)
    scores = b.scores if b.scores is not None and len(b.scores) else pd.DataFrame(
        columns=["code", "name", "index", "rank", "rank_of"])
    area_cols = [f"points_{a.id}" for a in b.methodology.areas]
    keep = ["code", "name", "index", "rank", "rank_of", "classification", "classification_vi",
            "index_change", "rank_change", *area_cols, "adjustment", "total", "maximum"]
    table = scores[[c for c in keep if c in scores.columns]].copy()
    table["reported"] = True
    missing = [u for u in units if u.code not in set(table.code)]
    if missing:
        table = pd.concat([table, pd.DataFrame({
            "code": [u.code for u in missing], "name": [u.name for u in missing],
            "reported": False})], ignore_index=True)
    table["this_locality"] = table.code == b.locality.code
    return table.reset_index(drop=True)


__all__ = ["Explanation", "explain", "peer_table"]
