"""The rows of a year or a year to date, made from a data set's quarterly and annual rows.

The official PAR index is annual; provinces monitor it quarter by quarter and year to date.
A span's rows are what scoring reads for it, under the span's own period (``2025``,
``2026Q1-Q3``), so the engine scores them as it scores a quarter:

* **figures**: the quarters of the span added up, indicator by indicator, as the catalogue says
  (``over_year``: flows summed, stocks and figures already counted from January taken from the
  last quarter reported, rates averaged). Figures are reported by quarter only.
* **points**: for a year, the appraisal council's annual points (period ``2025``): quarterly
  points are monitoring, not the annual index; for a year to date, each criterion's points of
  the latest quarter of the span that has a row for it.
"""

from __future__ import annotations

import pandas as pd

from parbrief.core.catalogue import catalogue
from parbrief.core.periods import Quarter, Year, YearToDate, parse_period


def quarters_of(period) -> list[Quarter]:
    """The quarters a period spans (a quarter spans itself)."""
    p = parse_period(period)
    return [p] if isinstance(p, Quarter) else p.quarters()


def row_periods(period) -> list[str]:
    """The periods of the data rows a period is made from: its quarters, and a year's own
    (the council's annual points)."""
    p = parse_period(period)
    out = [str(q) for q in quarters_of(p)]
    return out + [str(p)] if isinstance(p, Year) else out


def span_figures(figures: pd.DataFrame, period) -> pd.DataFrame:
    """The long figures table of a year or year to date (period column = the span)."""
    p = parse_period(period)
    if isinstance(p, Quarter):
        return figures[figures.period == str(p)]
    quarters = [str(q) for q in p.quarters()]
    part = figures[figures.period.isin(quarters)]
    out = _added_up(part, str(p)) if len(part) else part.iloc[:0]
    return out.reset_index(drop=True)


def _added_up(part: pd.DataFrame, name: str) -> pd.DataFrame:
    """One row per unit and indicator: its quarters added up the catalogue's way."""
    cat = catalogue()
    order = {q: i for i, q in enumerate(sorted(set(part.period), key=Quarter.parse))}
    part = part.assign(_order=part.period.map(order)).sort_values(
        ["locality_code", "indicator", "_order"], kind="stable")
    how = part.indicator.map(lambda n: cat[n].over_year if n in cat else "sum")
    groups = part.groupby(["locality_code", "indicator"], sort=False)
    summed = groups["value"].sum(min_count=1)
    last = groups["value"].last()
    mean = groups["value"].mean()
    firsts = part.drop_duplicates(["locality_code", "indicator"])[["locality_code", "indicator"]]
    rule = dict(zip(zip(firsts.locality_code, firsts.indicator), how.loc[firsts.index]))
    values = [{"sum": summed, "last": last, "mean": mean}[rule[k]][k] for k in summed.index]
    sources = groups["source"].agg(lambda s: "; ".join(dict.fromkeys(x for x in s if x)))
    return pd.DataFrame({
        "locality_code": [k[0] for k in summed.index],
        "period": name,
        "indicator": [k[1] for k in summed.index],
        "value": pd.Series(values, dtype="float64").to_numpy(),
        "source": sources.reindex(summed.index).to_numpy(),
    })


def span_points(appraisal: pd.DataFrame, period) -> pd.DataFrame:
    """The appraisal rows that count for a period, under its name."""
    p = parse_period(period)
    if appraisal is None or not len(appraisal) or isinstance(p, (Quarter, Year)):
        return appraisal[appraisal.period == str(p)] if appraisal is not None and \
            len(appraisal) else appraisal
    quarters = {str(q): i for i, q in enumerate(p.quarters())}
    part = appraisal[appraisal.period.isin(quarters)]
    if not len(part):
        return part
    latest = part.assign(_order=part.period.map(quarters)).sort_values("_order", kind="stable") \
        .drop_duplicates(["methodology", "locality_code", "criterion"], keep="last")
    return latest.drop(columns="_order").assign(period=str(p)).reset_index(drop=True)


def units_with_rows(figures: pd.DataFrame, appraisal: pd.DataFrame, period,
                    methodology: str | None = None) -> set[str]:
    """The units with any figure, or any points (of ``methodology``), for a period: those that
    reported, whose place in the table is to be said."""
    names = set(row_periods(period))
    have = set(figures.locality_code[figures.period.isin(names)])
    if appraisal is not None and len(appraisal):
        rows = appraisal[appraisal.period.isin(names)]
        if methodology is not None:
            rows = rows[rows.methodology == methodology]
        have |= set(rows.locality_code)
    return have


def is_span(period) -> bool:
    return isinstance(parse_period(period), (Year, YearToDate))


def other_register(period) -> list[Quarter]:
    """The quarters of a span reported in another register than the one it ends in (2025Q1-Q2
    of the year 2025: the former districts reported them, not the 2025 communes)."""
    from parbrief.units.tables import register_for

    p = parse_period(period)
    return [q for q in quarters_of(p) if register_for(q) != register_for(p)]


def comparable(period, previous) -> bool:
    """Whether a period's change against ``previous`` means something: both in one register,
    and a year to date whose quarters all are (2025Q1-Q3 was mostly reported by the former
    districts: no 2025 commune has one to compare with)."""
    from parbrief.units.tables import register_for

    if register_for(previous) != register_for(period):
        return False
    p = parse_period(previous)
    return not isinstance(p, YearToDate) or not other_register(p)


def missing_quarters(figures: pd.DataFrame, period, codes) -> dict[str, list[str]]:
    """For a span: the units (of ``codes``) with figures in some of its quarters but not all
    (of those in its register that the data set holds), and which quarters they lack."""
    p = parse_period(period)
    if isinstance(p, Quarter):
        return {}
    held = set(figures.period.unique())
    wanted = [str(q) for q in quarters_of(p) if q not in other_register(p) and str(q) in held]
    rows = figures[figures.period.isin(wanted) & figures.locality_code.isin(set(codes))]
    have = rows.groupby("locality_code").period.agg(set)
    return {str(code): [q for q in wanted if q not in got] for code, got in have.items()
            if len(got) < len(wanted)}


__all__ = ["comparable", "is_span", "missing_quarters", "other_register", "quarters_of",
           "row_periods", "span_figures", "span_points", "units_with_rows"]
