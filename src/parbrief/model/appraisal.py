"""The council's points beside the locality's own (tự đánh giá / thẩm định), and the rule for
units whose judged criteria are not yet appraised.

The rule (what a steering committee approves, and what every report applies): a unit with a
judged criterion still without the council's points, or a unit measured by figures it did not
report, is **not ranked and not classified** until it has them; it is never scored 0 for them.
Its points so far are shown as provisional; the others are ranked among themselves, and
``rank_of`` counts them.
"""

from __future__ import annotations

import pandas as pd

from parbrief.core.rounding import round_half_up
from parbrief.scoring.methodology import TOTALS, Methodology

COLUMNS = ["key", "kind", "name_vi", "name_en", "criteria", "self_assessed", "appraised",
           "difference"]


def self_assessment(points: pd.DataFrame, appraisal: pd.DataFrame, method: Methodology
                    ) -> pd.DataFrame:
    """By area, the locality's own points and the council's over the criteria that have both
    (``points``: ``engine.criterion_points``; ``appraisal``: the unit's appraisal rows for the
    period); a component total given with both (``appraised-total``) is a row of its own.
    Values are as shown (two decimals) and the difference is theirs: council minus own."""
    rows = []
    if points is not None and len(points) and "self_assessed" in points:
        both = points[points.self_assessed.notna() & points["given"].astype(bool)]
        for area in method.areas:
            part = both[both.area == area.id]
            if len(part):
                rows.append(_row(area.id, "area", area.name, len(part),
                                 float(part.self_assessed.sum()), float(part.points.sum())))
    if appraisal is not None and len(appraisal) and "self_assessed" in appraisal:
        mine = appraisal[appraisal.methodology == method.id]
        for total in TOTALS:
            part = mine[(mine.criterion == total) & mine.points.notna()
                        & mine.self_assessed.notna()]
            if len(part):
                rows.append(_row(total, "total", None, 1, float(part.self_assessed.iloc[0]),
                                 float(part.points.iloc[0])))
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(key: str, kind: str, name: dict | None, criteria: int, own: float, council: float
         ) -> dict:
    own, council = round_half_up(own, 2), round_half_up(council, 2)
    return {"key": key, "kind": kind, "name_vi": (name or {}).get("vi"),
            "name_en": (name or {}).get("en"), "criteria": criteria, "self_assessed": own,
            "appraised": council, "difference": round_half_up(council - own, 2)}


def unappraised(points: pd.DataFrame) -> pd.DataFrame:
    """The criteria (rows of ``engine.criterion_points``) whose missing points keep the unit
    unranked."""
    if points is None or not len(points) or "unappraised" not in points:
        return pd.DataFrame()
    return points[points.unappraised.astype(bool)]


__all__ = ["COLUMNS", "self_assessment", "unappraised"]
