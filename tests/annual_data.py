"""An annual data set of appraisal points, built around what the press published of one
district (seed 002: Tiên Yên, Quảng Ninh: 89.53 points and 8th of 13 in 2021, 87.45 and 5th
in 2023, 92.62, 3rd and excellent in 2024).

Tiên Yên's totals are the published ones; the other twelve districts' totals are
ILLUSTRATIVE, chosen so that Tiên Yên's ranks are the published ones. Each total is spread
over the methodology's criteria (appraised and survey) on a 0.01 grid: every criterion gets
the same share of its maximum, and the rounding rest goes to the criteria with room for it.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

QUANG_NINH = "22"
TIEN_YEN = "199"
# the 13 district-level units of Quảng Ninh in the legacy register, Tiên Yên first
DISTRICTS = ["199", "193", "194", "195", "196", "198", "200", "201", "202", "203", "205", "206",
             "207"]
# published for Tiên Yên; the others illustrative (a tie in 2023: 86.90 twice)
TOTALS = {
    "2021": [89.53, 94.12, 93.40, 92.85, 91.77, 91.02, 90.64, 89.90, 88.71, 87.30, 86.95,
             85.12, 83.44],
    "2023": [87.45, 93.05, 91.88, 90.10, 88.02, 86.90, 86.90, 85.33, 84.70, 83.15, 82.06,
             80.51, 79.98],
    "2024": [92.62, 94.80, 93.15, 91.40, 90.07, 89.99, 88.50, 87.25, 86.74, 85.05, 84.60,
             83.19, 82.33],
}
SOURCE = "Quyết định công bố Chỉ số CCHC năm {year} (minh họa)"


def _cents(x) -> int:
    return int((Decimal(str(x)) * 100).to_integral_value(ROUND_HALF_UP))


def spread(total: float, maxima: dict[str, float]) -> dict[str, float]:
    """``total`` points over the criteria, each at most its maximum, on a 0.01 grid, summing
    exactly (in cents) to ``total``."""
    top = sum(_cents(m) for m in maxima.values())
    want = _cents(total)
    share = {c: _cents(m) * want // top for c, m in maxima.items()}
    rest = want - sum(share.values())
    for c in sorted(maxima, key=lambda c: -_cents(maxima[c])):
        room = _cents(maxima[c]) - share[c]
        step = min(room, rest)
        share[c] += step
        rest -= step
        if not rest:
            break
    assert rest == 0 and sum(share.values()) == want
    return {c: v / 100 for c, v in share.items()}


def appraisal_rows(method, years=("2021", "2023", "2024"), self_assessed: str | None = "2024"
                   ) -> list[dict]:
    """Rows of appraisal.csv: every criterion of every district in every year (the council
    scores the measured criteria too); in ``self_assessed``'s year the districts' own points
    beside the council's (they rate themselves up to 0.5 higher on the council's criteria)."""
    maxima = {cid: c.max_points for cid, c in method.criteria().items()}
    rows = []
    for year in years:
        for code, total in zip(DISTRICTS, TOTALS[year]):
            for cid, points in spread(total, maxima).items():
                row = {"methodology": method.id, "locality_code": code, "period": year,
                       "criterion": cid, "points": f"{points:.2f}",
                       "source": SOURCE.format(year=year), "self_assessed": ""}
                if year == self_assessed and method.criteria()[cid].rule.type == "appraisal":
                    own = min(maxima[cid], points + 0.5)
                    row["self_assessed"] = f"{own:.2f}"
                rows.append(row)
    return rows


def write(folder: Path, method, methodology_file: Path | None = None, **kw) -> Path:
    """A data set folder: ``appraisal.csv`` (points only) and, if given, the methodology in
    its ``methodologies/`` folder."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = appraisal_rows(method, **kw)
    with (folder / "appraisal.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    if methodology_file is not None:
        (folder / "methodologies").mkdir(exist_ok=True)
        (folder / "methodologies" / methodology_file.name).write_bytes(
            methodology_file.read_bytes())
    return folder


def expected(year: str) -> dict[str, tuple[float, int]]:
    """Index and rank of each district, computed here by hand: points / 100 × 100 rounded half
    up to two decimals; ties share the rank (1, 2, 2, 4)."""
    index = {c: float(Decimal(str(t)).quantize(Decimal("0.01"), ROUND_HALF_UP))
             for c, t in zip(DISTRICTS, TOTALS[year])}
    return {c: (v, 1 + sum(1 for w in index.values() if w > v)) for c, v in index.items()}
