"""What each report kind reads, declared once.

A report's inputs are a small typed object built from its parameters: the unit, the quarter
window, the peer group whose scores it shows, the predecessor units its history is rebuilt
from, the methodology. The model reads data only through it (``DataSlice.subset``), the kernel
states the checksum of what it read in the report (``digests``), and the batch's planner
fingerprints a job with the same object and the same function; so a report skipped as up to
date is, by construction, the report a forced run would make, and ``parbrief verify`` can
recompute the chain.

A peer group's scores are a step of their own (``PeerGroup``): their checksum covers the rows of
the group's units that scoring reads (the methodology's indicators, the appraisal points, and
which units reported at all), in the quarters whose ranks a briefing shows. Every briefing of the
group depends on it, once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from parbrief.core.errors import ValidationError
from parbrief.core.fingerprint import report_code
from parbrief.core.periods import (
    MERGER_QUARTER,
    Period,
    Quarter,
    Year,
    YearToDate,
    parse_period,
)
from parbrief.ingest.dataset import Dataset, RowProblem
from parbrief.model.news_rules import history_quarters
from parbrief.scoring.methodology import Methodology
from parbrief.scoring.spans import comparable, row_periods
from parbrief.units import crosswalk, register

TREND_QUARTERS = 8  # a briefing's trend and rank history: this quarter and the seven before


def window(period: Quarter, quarters: int = TREND_QUARTERS) -> tuple[Quarter, ...]:
    """``quarters`` quarters ending with ``period``, oldest first."""
    return tuple(period.previous(n) for n in range(quarters - 1, -1, -1))


# --------------------------------------------------------------------------- slices of a data set


@dataclass(frozen=True)
class DataSlice:
    """The rows of a data set a report reads: these units in these quarters, and of the figures
    only these indicators (None: all of them)."""

    codes: frozenset[str]
    periods: frozenset[str]
    indicators: frozenset[str] | None = None

    def figures(self, ds: Dataset) -> pd.DataFrame:
        rows = _rows(ds).figures(self.codes, self.periods)
        if self.indicators is not None:
            rows = rows[rows.indicator.isin(self.indicators)]
        return rows.reset_index(drop=True)

    def appraisal(self, ds: Dataset) -> pd.DataFrame:
        return _rows(ds).appraisal(self.codes, self.periods).reset_index(drop=True)

    def reported(self, ds: Dataset) -> frozenset[tuple[str, str]]:
        """(unit, period) pairs with any figure or appraisal point at all: whether a unit
        reported does not depend on which indicators are read."""
        return _rows(ds).reported(self)

    def problems(self, ds: Dataset) -> list[RowProblem]:
        """The validation problems of rows this slice would read (rows left out of ``ds``)."""
        return [r for r in ds.problems if r.locality_code in self.codes
                and r.period in self.periods
                and (self.indicators is None or r.indicators is None
                     or r.indicators & self.indicators)]

    def subset(self, ds: Dataset) -> Dataset:
        """A data set holding only these rows (what a model computes from)."""
        return Dataset(figures=self.figures(ds), appraisal=self.appraisal(ds), path=ds.path,
                       checksum=ds.checksum, files=ds.files)

    def digest(self, ds: Dataset) -> str:
        """sha256 of the rows, sorted, as CSV text (values as Python writes floats): the same
        rows give the same digest whichever way the data set was loaded."""
        h = hashlib.sha256()
        fig = self.figures(ds).sort_values(["locality_code", "period", "indicator"])
        h.update(fig[["locality_code", "period", "indicator", "value", "source"]]
                 .to_csv(index=False, lineterminator="\n").encode())
        appr = self.appraisal(ds)
        if len(appr):
            appr = appr.sort_values(list(appr.columns))
            h.update(b"appraisal\n" + appr.to_csv(index=False, lineterminator="\n").encode())
        if self.indicators is not None:
            h.update(b"reported\n" + "\n".join(
                f"{c},{p}" for c, p in sorted(self.reported(ds))).encode())
        return h.hexdigest()


class _RowIndex:
    """A data set's rows grouped by unit, built once: a national batch slices it thousands of
    times."""

    def __init__(self, ds: Dataset):
        self.ds = ds  # held, so the id the index is keyed by is not reused
        self.by_figures = dict(iter(ds.figures.groupby("locality_code", sort=False)))
        appr = ds.appraisal
        self.by_appraisal = dict(iter(appr.groupby("locality_code", sort=False))) \
            if len(appr) else {}
        self._reported: dict[tuple, frozenset] = {}

    @staticmethod
    def _select(by_unit: dict, empty: pd.DataFrame, codes, periods) -> pd.DataFrame:
        parts = [by_unit[c] for c in sorted(codes) if c in by_unit]
        if not parts:
            return empty.iloc[:0]
        rows = pd.concat(parts) if len(parts) > 1 else parts[0]
        return rows[rows.period.isin(periods)]

    def figures(self, codes, periods) -> pd.DataFrame:
        return self._select(self.by_figures, self.ds.figures, codes, periods)

    def appraisal(self, codes, periods) -> pd.DataFrame:
        return self._select(self.by_appraisal, self.ds.appraisal, codes, periods)

    def reported(self, part: DataSlice) -> frozenset[tuple[str, str]]:
        key = (part.codes, part.periods)
        if key not in self._reported:
            found: set[tuple[str, str]] = set()
            for rows in (self.figures(part.codes, part.periods),
                         self.appraisal(part.codes, part.periods)):
                if len(rows):
                    pairs = rows[["locality_code", "period"]].drop_duplicates()
                    found |= set(zip(pairs.locality_code.tolist(), pairs.period.tolist()))
            self._reported[key] = frozenset(found)
        return self._reported[key]


_indexes: dict[int, _RowIndex] = {}


def _rows(ds: Dataset) -> _RowIndex:
    index = _indexes.get(id(ds))
    if index is None or index.ds is not ds:
        if len(_indexes) >= 2:  # a province's and the whole data set's, at most
            _indexes.pop(next(iter(_indexes)))
        index = _indexes[id(ds)] = _RowIndex(ds)
    return index


def forget() -> None:
    """Drop the row indexes (the batch does once its jobs are planned)."""
    _indexes.clear()


# --------------------------------------------------------------------------- peer groups


def methodology_indicators(method: Methodology) -> frozenset[str]:
    """The catalogue indicators a methodology's rules read, directly or through a metric."""
    from parbrief.scoring.metrics import METRICS

    out: set[str] = set()
    for rule in method.rules():
        if rule.indicator:
            out.add(rule.indicator)
        if rule.metric:
            out.update(METRICS[rule.metric].inputs if rule.metric in METRICS else (rule.metric,))
    return frozenset(out)


@dataclass(frozen=True)
class PeerGroup:
    """The units a locality is ranked among, scored in ``quarters`` (each with the period
    before it, which the change of rank is measured against). For the annual reports the
    periods are years (or years to date), each read from the rows it is made of."""

    parent: str | None
    level: str
    quarters: tuple[Period, ...]
    indicators: frozenset[str]

    @property
    def period(self) -> Period:
        return self.quarters[-1]

    def units(self, period: Quarter) -> list[register.Locality]:
        if self.parent:
            return register.children(self.parent, period, level=self.level)
        return register.localities(period, self.level)

    @property
    def slice(self) -> DataSlice:
        return _group_slice(self)


@lru_cache(maxsize=64)
def _group_slice(group: PeerGroup) -> DataSlice:
    """Every unit of the group in its quarters and the quarters before them (same register)."""
    codes: set[str] = set()
    periods: set[str] = set()
    for q in group.quarters:
        for p in (q, q.previous()):
            if register.register_for(p) == register.register_for(q):
                periods.update(row_periods(p))
        codes |= {u.code for u in group.units(q)}
    return DataSlice(frozenset(codes), frozenset(periods), group.indicators)


def peer_group(unit: register.Locality, period: Quarter, method: Methodology) -> PeerGroup:
    """``unit``'s peers (same level, same parent), over the quarters of its rank history
    (``news_rules.history_quarters``: they fall in the same register, since before the
    July-2025 merger the peers were other units)."""
    quarters = tuple(history_quarters(period))
    return PeerGroup(parent=unit.parent_code, level=unit.level, quarters=quarters,
                     indicators=methodology_indicators(method))


# --------------------------------------------------------------------------- report kinds


@dataclass(frozen=True)
class BriefingInputs:
    """What the briefing of one locality in one quarter reads."""

    unit: register.Locality
    period: Quarter
    apportionment: str
    predecessors: frozenset[str]  # legacy communes and districts its pre-merger history uses
    peers: PeerGroup

    @property
    def window(self) -> tuple[Quarter, ...]:
        return window(self.period)

    @property
    def own(self) -> DataSlice:
        """Its own rows (and its predecessors') over the trend window: key figures, points,
        trend, data notes."""
        return DataSlice(frozenset({self.unit.code}) | self.predecessors,
                         frozenset(str(q) for q in self.window))


class RowsInvalidError(ValidationError):
    """The rows a report reads failed validation."""

    def __init__(self, report: str, data: str, problems: list):
        self.report, self.data = report, data
        super().__init__(problems)

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        return (f"{self.report} reads rows of the data set that failed validation; correct "
                f"them (parbrief validate {self.data} lists every problem), then run again:\n"
                + "\n".join(lines))


def _parts(declared) -> tuple[DataSlice, ...]:
    """The slices a report reads: its own rows and its peer group's (if it has one)."""
    peers = getattr(declared, "peers", None)
    return (declared.own,) + ((peers.slice,) if peers is not None else ())


def problems_of(declared, ds: Dataset) -> list:
    """The validation problems of the rows a report reads (rows left out of ``ds``)."""
    found = {r.problem: None for part in _parts(declared) for r in part.problems(ds)}
    return list(found)


def check_rows(declared, ds: Dataset, what: str, data: str) -> None:
    """Refuse to make a report from a data set whose rows it reads failed validation."""
    found = problems_of(declared, ds)
    if found:
        raise RowsInvalidError(what, data, found)


def declare_briefing(locality: str, period: Quarter | str, method: Methodology,
                     apportionment: str = "area") -> BriefingInputs:
    q = Quarter.parse(str(period))
    unit = register.get(locality, q)
    return BriefingInputs(unit=unit, period=q, apportionment=apportionment,
                          predecessors=_predecessors(unit, q, apportionment),
                          peers=peer_group(unit, q, method))


@lru_cache(maxsize=4096)
def _predecessors(unit: register.Locality, period: Quarter, apportionment: str
                  ) -> frozenset[str]:
    if unit.register != register.REG_2025 or window(period)[0] >= MERGER_QUARTER:
        return frozenset()
    codes: set[str] = set()
    for level in ("commune", "district"):
        codes |= set(crosswalk.predecessors(unit.code, level=level,
                                            apportionment=apportionment).legacy_code)
    return frozenset(codes)


@dataclass(frozen=True)
class OverviewInputs:
    """What the overview of a province (or legacy district) in one quarter reads: every
    figure of its units in the quarter and the one before (province totals), and their
    league table."""

    province: register.Locality
    period: Quarter
    level: str
    peers: PeerGroup

    @property
    def units(self) -> list[register.Locality]:
        return register.children(self.province.code, self.period, level=self.level)

    @property
    def previous_units(self) -> list[register.Locality]:
        previous = self.period.previous()
        return register.children(self.province.code, previous, level=level_for(previous))

    @property
    def own(self) -> DataSlice:
        codes = {u.code for u in self.units} | {u.code for u in self.previous_units}
        return DataSlice(frozenset(codes), frozenset({str(self.period),
                                                      str(self.period.previous())}))


def level_for(period: Quarter) -> str:
    """The level a province's units are briefed at: districts before the merger, communes
    after."""
    return "district" if register.register_for(period) == register.LEGACY else "commune"


def declare_overview(province: str, period: Quarter | str, method: Methodology) -> OverviewInputs:
    q = Quarter.parse(str(period))
    unit = register.get(province, q)
    level = level_for(q)
    # this quarter's league table and the one before it (who moved, who changed class)
    quarters = (q.previous(), q) if level_for(q.previous()) == level else (q,)
    return OverviewInputs(province=unit, period=q, level=level,
                          peers=PeerGroup(parent=unit.code, level=level, quarters=quarters,
                                          indicators=methodology_indicators(method)))


def _briefing(parameters: dict, method: Methodology) -> BriefingInputs:
    return declare_briefing(parameters["locality"], parameters["period"], method,
                            parameters.get("apportionment", "area"))


def _overview(parameters: dict, method: Methodology) -> OverviewInputs:
    return declare_overview(parameters["province"], parameters["period"], method)


# --------------------------------------------------------------------------- annual reports


ANNUAL_HISTORY = 6  # an annual briefing's rank history: this year and the five before


def history(period: Year | YearToDate, years: int = ANNUAL_HISTORY) -> tuple[Period, ...]:
    """The year (or year to date) and the ones before it in the same register, oldest first:
    ranks compare only among the units of one register."""
    return tuple(p for p in (period.previous(n) for n in range(years - 1, -1, -1))
                 if comparable(period, p) or p == period)


def annual_peer_group(unit: register.Locality, period: Year | YearToDate, method: Methodology,
                      years: int = ANNUAL_HISTORY) -> PeerGroup:
    """``unit``'s peers (same level, same parent) over the years of its rank history."""
    return PeerGroup(parent=unit.parent_code, level=unit.level, quarters=history(period, years),
                     indicators=methodology_indicators(method))


@dataclass(frozen=True)
class AnnualBriefingInputs:
    """What the annual (or year-to-date) briefing of one locality reads: its own rows over
    the years of its rank history, and its peer group's scores in those years."""

    unit: register.Locality
    period: Year | YearToDate
    peers: PeerGroup

    @property
    def own(self) -> DataSlice:
        periods: set[str] = set()
        for p in self.peers.quarters:
            periods.update(row_periods(p))
        return DataSlice(frozenset({self.unit.code}), frozenset(periods))


def declare_annual_briefing(locality: str, period: str | Year | YearToDate,
                            method: Methodology) -> AnnualBriefingInputs:
    p = span(period)
    unit = register.get(locality, p)
    return AnnualBriefingInputs(unit=unit, period=p, peers=annual_peer_group(unit, p, method))


@dataclass(frozen=True)
class AnnualOverviewInputs:
    """What the annual overview of a province reads: its units' rows in the year (and the year
    before, for the change), and their league table."""

    province: register.Locality
    period: Year | YearToDate
    level: str
    peers: PeerGroup

    @property
    def units(self) -> list[register.Locality]:
        return register.children(self.province.code, self.period, level=self.level)

    @property
    def own(self) -> DataSlice:
        codes = {u.code for u in self.units}
        periods = set(row_periods(self.period))
        if comparable(self.period, self.period.previous()):
            periods.update(row_periods(self.period.previous()))
        return DataSlice(frozenset(codes), frozenset(periods))


def declare_annual_overview(province: str, period: str | Year | YearToDate, method: Methodology,
                            level: str | None = None) -> AnnualOverviewInputs:
    p = span(period)
    unit = register.get(province, p)
    level = level or level_for(p.last_quarter)
    return AnnualOverviewInputs(province=unit, period=p, level=level,
                                peers=PeerGroup(parent=unit.code, level=level, quarters=(p,),
                                                indicators=methodology_indicators(method)))


def span(period) -> Year | YearToDate:
    """A year or a year to date; a quarter here is an error saying which report takes it."""
    from parbrief.core.errors import PeriodError

    p = parse_period(period)
    if isinstance(p, Quarter):
        raise PeriodError(f"{p} is a quarter; an annual report takes a year (2025) or a year "
                          f"to date ({p.year}Q1-Q{p.quarter}); the quarterly briefing takes "
                          "quarters")
    return p


@dataclass(frozen=True)
class MethodologyInputs:
    """What the methodology document reads: the methodology, nothing of any data set."""

    methodology: str  # its id
    checksum: str

    @property
    def own(self) -> DataSlice:
        return DataSlice(frozenset(), frozenset())

    peers = None


def declare_methodology(method: Methodology) -> MethodologyInputs:
    return MethodologyInputs(methodology=method.id, checksum=method.checksum)


def _annual_briefing(parameters: dict, method: Methodology) -> AnnualBriefingInputs:
    return declare_annual_briefing(parameters["locality"], parameters["period"], method)


def _annual_overview(parameters: dict, method: Methodology) -> AnnualOverviewInputs:
    return declare_annual_overview(parameters["province"], parameters["period"], method,
                                   parameters.get("level") or None)


def _methodology(parameters: dict, method: Methodology) -> MethodologyInputs:
    return declare_methodology(method)


# What each report kind reads, from the parameters its notebook takes (codes, not names).
KINDS = {"briefing": _briefing, "overview": _overview, "annual_briefing": _annual_briefing,
         "annual_overview": _annual_overview, "methodology": _methodology}


def declare(kind: str, parameters: dict, method: Methodology):
    """The declared inputs of a report of ``kind`` with these notebook parameters."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}: one of {', '.join(KINDS)}")
    return KINDS[kind](parameters, method)


# --------------------------------------------------------------------------- checksums


_peer_digests: dict[tuple, str] = {}


def peers_digest(peers: PeerGroup, ds: Dataset, method: Methodology) -> str:
    """The peer step's checksum: its rows and the methodology that scores them (once per
    group and data set)."""
    key = (id(ds), peers, method.checksum)
    if key not in _peer_digests:
        if len(_peer_digests) > 256:
            _peer_digests.clear()
        h = hashlib.sha256(peers.slice.digest(ds).encode())
        h.update(f"methodology {method.id} {method.checksum}".encode())
        _peer_digests[key] = h.hexdigest()
    return _peer_digests[key]


def digests(inputs, ds: Dataset, method: Methodology) -> dict:
    """The checksums of what a report reads, and ``inputs``: one identifier for them all (its
    own rows, its peer step, the methodology, parbrief's code). A report without a peer group
    (the methodology document) has an empty peer step."""
    peers = getattr(inputs, "peers", None)
    parts = {
        "own": inputs.own.digest(ds),
        "peers": peers_digest(peers, ds, method) if peers is not None
        else hashlib.sha256(b"no peer group").hexdigest(),
        "methodology": method.checksum,
        "code": report_code(),
    }
    h = hashlib.sha256()
    for name in ("own", "peers", "methodology", "code"):
        h.update(f"{name} {parts[name]}\n".encode())
    return {"inputs": h.hexdigest(), **parts}


__all__ = ["ANNUAL_HISTORY", "KINDS", "TREND_QUARTERS", "AnnualBriefingInputs",
           "AnnualOverviewInputs", "BriefingInputs", "DataSlice", "MethodologyInputs",
           "OverviewInputs", "PeerGroup", "RowsInvalidError", "annual_peer_group", "check_rows",
           "declare", "declare_annual_briefing", "declare_annual_overview", "declare_briefing",
           "declare_methodology", "declare_overview", "digests", "forget", "history",
           "level_for", "methodology_indicators", "peer_group", "peers_digest", "problems_of",
           "span", "window"]
