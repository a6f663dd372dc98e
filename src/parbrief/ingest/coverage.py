"""Which units reported in which quarter (độ phủ số liệu): what ``latest`` means, which quarters
look mistyped, and what a data set holds when asked for a quarter or a level it has not.

One commune's rows typed ``2036Q3`` in a 2026Q3 file once made ``latest`` 2036Q3 and published
129 "did not report" briefings. So ``latest`` is the newest quarter the units actually reported,
and a quarter is named as unlikely (a warning: it may be right) when

* it is **sparse**: fewer than half as many units report it as the best-reported quarter of the
  same register (legacy districts, or 2025 communes), among at least ``SPARSE_MIN_UNITS``
  units (a mistyped period, or a quarter still being collected); or
* it is **far**: more than ``FAR`` quarters (a year) away from the run of quarters holding
  most figures, with no figures in between.

``latest`` skips unlikely quarters; ``parbrief validate`` and the batch name them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from parbrief.core.errors import ParbriefError
from parbrief.core.periods import Quarter
from parbrief.units import register

FAR = 4
SPARSE_SHARE = 0.5
SPARSE_MIN_UNITS = 10

# What a quarter's units are: codes of the units with figures in it.
Reports = Mapping[Quarter, frozenset[str]]


@dataclass(frozen=True)
class Unlikely:
    """A quarter that looks mistyped, and why."""

    quarter: Quarter
    units: tuple[str, ...]  # codes with figures in it, sorted
    best: Quarter | None = None  # sparse: the best-reported quarter of its register
    best_units: int = 0
    gap: int = 0  # far: quarters to the nearest of the others
    others: tuple[Quarter, Quarter] | None = None  # far: first and last of the others

    @property
    def sparse(self) -> bool:
        return self.best is not None

    @property
    def far(self) -> bool:
        return self.others is not None


def reports_of(rows: Iterable[tuple[str, str]]) -> dict[Quarter, frozenset[str]]:
    """(code, period text) pairs -> codes by quarter; unreadable periods are left out (the
    validation reports them)."""
    by_text: dict[str, set[str]] = {}
    for code, period in rows:
        by_text.setdefault(period, set()).add(code)
    out: dict[Quarter, set[str]] = {}
    for text, codes in by_text.items():
        try:
            q = Quarter.parse(text)
        except ParbriefError:
            continue
        out.setdefault(q, set()).update(codes)
    return {q: frozenset(c) for q, c in sorted(out.items())}


def read_reports(data: Path) -> dict[Quarter, frozenset[str]]:
    """Codes by quarter of a data set folder or file, read cheaply (two columns of a CSV
    file; other formats are read whole, without validation)."""
    import pandas as pd

    from parbrief.ingest import readers

    data = Path(data)
    files, _, _ = readers.dataset_files(data) if data.is_dir() else ([data], None, [])
    pairs: list[tuple[str, str]] = []
    if files and all(f.suffix.lower() == ".csv" for f in files):
        try:
            for f in files:
                frame = pd.read_csv(f, usecols=["locality_code", "period"], dtype=str,
                                    keep_default_na=False, encoding="utf-8-sig")
                pairs += zip(frame.locality_code.str.strip(), frame.period.str.strip())
            return reports_of(pairs)
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
            pass  # UTF-16, semicolons, a ragged line: read it the full way
    frames, _, _, _ = readers.read_raw(data)
    for frame in frames:
        if "locality_code" in frame and "period" in frame:
            pairs += zip(frame["locality_code"].astype(str), frame["period"].astype(str))
    return reports_of(pairs)


def under(reports: Reports, parent: str | None, level: str | None) -> dict[Quarter, frozenset[str]]:
    """Only the units of ``level`` under ``parent`` (a code, or None/"all": the country)."""
    if parent is None and level is None:
        return dict(reports)
    out = {}
    for q, codes in reports.items():
        if parent in (None, "all"):
            units = {u.code for u in register.localities(q, level)} if level else None
        else:
            try:
                units = {u.code for u in register.children(parent, q, level=level)}
            except ParbriefError:
                units = set()
        out[q] = frozenset(codes if units is None else codes & units)
    return out


def _era(q: Quarter) -> str:
    return register.register_for(q)


def unlikely_quarters(reports: Reports) -> dict[Quarter, Unlikely]:
    """Quarters that look mistyped (see the module's docstring), by quarter."""
    counts = {q: len(c) for q, c in reports.items() if c}
    if not counts:
        return {}
    best: dict[str, Quarter] = {}
    for q, n in counts.items():
        era = _era(q)
        if era not in best or n >= counts[best[era]]:
            best[era] = q  # ties: the later quarter
    # Runs of quarters with no gap longer than FAR; the run with most figures (units times
    # quarters) holds "the others" (ties: more quarters, then the later run).
    quarters = sorted(counts)
    runs: list[list[Quarter]] = [[quarters[0]]]
    for q in quarters[1:]:
        if q.index - runs[-1][-1].index > FAR:
            runs.append([q])
        else:
            runs[-1].append(q)
    main = max(runs, key=lambda r: (sum(counts[q] for q in r), len(r), r[-1]))
    out = {}
    for q, n in counts.items():
        top = best[_era(q)]
        sparse = counts[top] >= SPARSE_MIN_UNITS and n < SPARSE_SHARE * counts[top]
        far = q not in main
        if not (sparse or far):
            continue
        gap = min(abs(q.index - m.index) for m in main) if far else 0
        out[q] = Unlikely(q, tuple(sorted(reports[q])),
                          best=top if sparse else None, best_units=counts[top] if sparse else 0,
                          gap=gap, others=(main[0], main[-1]) if far else None)
    return out


def latest(reports: Reports) -> Quarter | None:
    """The newest quarter with figures that does not look mistyped (None: no figures)."""
    unlikely = unlikely_quarters(reports)
    candidates = [q for q, c in reports.items() if c and q not in unlikely]
    if not candidates:  # every quarter looks unlikely (one quarter of few units): the newest
        candidates = [q for q, c in reports.items() if c]
    return max(candidates) if candidates else None


def ranges(quarters: Iterable[Quarter]) -> list[tuple[Quarter, Quarter]]:
    """Consecutive runs: [2023Q1, 2023Q2, 2023Q4] -> [(2023Q1, 2023Q2), (2023Q4, 2023Q4)]."""
    out: list[list[Quarter]] = []
    for q in sorted(set(quarters)):
        if out and q.index == out[-1][1].index + 1:
            out[-1][1] = q
        else:
            out.append([q, q])
    return [(a, b) for a, b in out]


def span(first: Quarter, last: Quarter) -> str:
    return str(first) if first == last else f"{first}-{last}"


def holdings(reports: Reports, parent: str | None) -> str:
    """What a data set holds for a parent, by level: "districts 2023Q1-2025Q2 and communes
    2025Q3-2026Q3" ("" when it holds nothing for it)."""
    parts = []
    for level, plural in (("province", "provinces"), ("district", "districts"),
                          ("commune", "communes")):
        held = [q for q, c in under(reports, parent, level).items() if c]
        if held:
            parts.append(f"{plural} {', '.join(span(a, b) for a, b in ranges(held))}")
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]
