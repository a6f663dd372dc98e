"""Reporting periods: quarters (quý), years (năm) and years to date (lũy kế từ đầu năm).

The PAR index is annual; provinces monitor it quarterly and year-to-date, so a
``Quarter`` knows its neighbours, the same quarter last year and the quarters of
its year so far. A report's period is any of the three (``parse_period``); a data row's is a
quarter or a year (``parse_row_period``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from parbrief.core.errors import PeriodError

_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})\s*-?\s*Q(?P<q>[1-4])$", re.IGNORECASE),  # 2026Q3, 2026-Q3
    re.compile(r"^Q(?P<q>[1-4])\s*[/-]\s*(?P<y>\d{4})$", re.IGNORECASE),  # Q3/2026, Q3-2026
    re.compile(r"^(?:quý|quy)\s*(?P<q>[1-4]|I{1,3}|IV)\s*[/-]?\s*(?:năm|nam)?\s*(?P<y>\d{4})$",
               re.IGNORECASE),  # Quý 3/2026, quý III năm 2026
)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, e.g. ``Quarter(2026, 3)`` printed as ``2026Q3``."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise PeriodError(f"quarter must be 1-4, got {self.quarter}")

    @classmethod
    def parse(cls, text: str | Quarter) -> Quarter:
        """Parse ``2026Q3``, ``2026-Q3``, ``Q3/2026`` or ``Quý III/2026``."""
        if isinstance(text, Quarter):
            return text
        s = str(text).strip()
        for pattern in _PATTERNS:
            m = pattern.match(s)
            if m:
                q = m.group("q").upper()
                return cls(int(m.group("y")), _ROMAN.get(q) or int(q))
        raise PeriodError(
            f"malformed period {s!r}: write a quarter as 2026Q3 (also accepted: 2026-Q3, Q3/2026)"
        )

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def index(self) -> int:
        """Quarters since year 0, so that differences count quarters."""
        return self.year * 4 + self.quarter - 1

    @classmethod
    def from_index(cls, n: int) -> Quarter:
        return cls(n // 4, n % 4 + 1)

    def previous(self, n: int = 1) -> Quarter:
        return Quarter.from_index(self.index - n)

    def next(self, n: int = 1) -> Quarter:
        return Quarter.from_index(self.index + n)

    def same_quarter_last_year(self) -> Quarter:
        return Quarter(self.year - 1, self.quarter)

    def year_to_date(self) -> list[Quarter]:
        """Quarters of this year up to and including this one (lũy kế từ đầu năm)."""
        return [Quarter(self.year, q) for q in range(1, self.quarter + 1)]

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        nxt = self.next().start
        return date.fromordinal(nxt.toordinal() - 1)

    def label(self, lang: str = "en") -> str:
        """Human label: ``Q3 2026`` / ``Quý III/2026``."""
        if lang == "vi":
            roman = {v: k for k, v in _ROMAN.items()}[self.quarter]
            return f"Quý {roman}/{self.year}"
        return f"Q{self.quarter} {self.year}"


def quarter_range(first: str | Quarter, last: str | Quarter) -> list[Quarter]:
    a, b = Quarter.parse(first), Quarter.parse(last)
    if b < a:
        raise PeriodError(f"period range ends ({b}) before it starts ({a})")
    return [Quarter.from_index(i) for i in range(a.index, b.index + 1)]


@dataclass(frozen=True, order=True)
class Year:
    """A calendar year, the period of the official annual PAR INDEX (``2025``).

    A year's figures are its annual rows, else its quarters added up (``over_year`` in the
    indicator catalogue); its appraisal points are the council's annual points (rows of period
    ``2025``): quarterly points belong to the year to date, not to the annual index."""

    year: int

    @classmethod
    def parse(cls, text: str | int | Year) -> Year:
        if isinstance(text, Year):
            return text
        s = str(text).strip()
        if not _YEAR.fullmatch(s):
            raise PeriodError(f"malformed year {s!r}: write a year as 2026")
        return cls(int(s))

    def quarters(self) -> list[Quarter]:
        return [Quarter(self.year, q) for q in range(1, 5)]

    @property
    def last_quarter(self) -> Quarter:
        return Quarter(self.year, 4)

    def previous(self, n: int = 1) -> Year:
        return Year(self.year - n)

    def label(self, lang: str = "en") -> str:
        """``Năm 2025`` / ``2025``."""
        return f"năm {self.year}" if lang == "vi" else str(self.year)

    def __str__(self) -> str:
        return str(self.year)


@dataclass(frozen=True, order=True)
class YearToDate:
    """The quarters of a year up to and including one (lũy kế từ đầu năm), written
    ``2026Q1-Q3``: the province's monitoring between two annual indices. Its figures are its
    quarters' added up; its appraisal points, each criterion's latest of those quarters."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise PeriodError(f"quarter must be 1-4, got {self.quarter}")

    @classmethod
    def parse(cls, text: str | YearToDate) -> YearToDate:
        if isinstance(text, YearToDate):
            return text
        s = str(text).strip()
        for pattern in _YTD_PATTERNS:
            m = pattern.fullmatch(s)
            if m and (m.groupdict().get("y2") in (None, m.group("y"))):
                return cls(int(m.group("y")), int(m.group("q")))
        raise PeriodError(f"malformed year to date {s!r}: write it as 2026Q1-Q3 (the first "
                          "three quarters of 2026)")

    def quarters(self) -> list[Quarter]:
        return [Quarter(self.year, q) for q in range(1, self.quarter + 1)]

    @property
    def last_quarter(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    def previous(self, n: int = 1) -> YearToDate:
        """The same quarters ``n`` years earlier (a year to date compares with last year's)."""
        return YearToDate(self.year - n, self.quarter)

    def label(self, lang: str = "en") -> str:
        """``9 tháng đầu năm 2026`` / ``the first nine months of 2026``."""
        if lang == "vi":
            return {1: f"quý I/{self.year} (lũy kế)", 2: f"6 tháng đầu năm {self.year}",
                    3: f"9 tháng đầu năm {self.year}",
                    4: f"cả năm {self.year} (lũy kế 4 quý)"}[self.quarter]
        return {1: f"Q1 {self.year} (year to date)", 2: f"the first half of {self.year}",
                3: f"the first nine months of {self.year}",
                4: f"the four quarters of {self.year}"}[self.quarter]

    def __str__(self) -> str:
        return f"{self.year}Q1-Q{self.quarter}"


_YEAR = re.compile(r"\d{4}")
_YTD_PATTERNS = (
    re.compile(r"(?P<y>\d{4})\s*-?\s*Q1\s*[-–]\s*(?:(?P<y2>\d{4})\s*-?\s*)?Q(?P<q>[1-4])",
               re.IGNORECASE),  # 2026Q1-Q3, 2026Q1-2026Q3
    re.compile(r"(?:ytd|year[ -]to[ -]date)\s*(?P<y>\d{4})\s*-?\s*Q(?P<q>[1-4])",
               re.IGNORECASE),  # YTD 2026Q3
    re.compile(r"(?P<y>\d{4})\s*-?\s*Q(?P<q>[1-4])\s*(?:ytd|year[ -]to[ -]date)",
               re.IGNORECASE),  # 2026Q3 YTD
)

Period = Quarter | Year | YearToDate
"""A report's period: a quarter, a year (the annual index) or a year to date."""


def parse_period(text: str | int | Period) -> Period:
    """``2026Q3`` (and every spelling ``Quarter.parse`` reads), ``2026`` or ``2026Q1-Q3``."""
    if isinstance(text, (Quarter, Year, YearToDate)):
        return text
    s = str(text).strip()
    if _YEAR.fullmatch(s):
        return Year(int(s))
    try:
        return Quarter.parse(s)
    except PeriodError:
        pass
    try:
        return YearToDate.parse(s)
    except PeriodError:
        raise PeriodError(f"malformed period {s!r}: write a quarter as 2026Q3, a year as 2026, "
                          "or a year to date as 2026Q1-Q3") from None


def parse_row_period(text: str | Quarter | Year) -> Quarter | Year:
    """The period of a data row: a quarter, or a year for annual rows (the council's annual
    points, a figure reported once a year). A malformed one gets the quarter's message."""
    if isinstance(text, (Quarter, Year)):
        return text
    s = str(text).strip()
    if _YEAR.fullmatch(s):
        return Year(int(s))
    return Quarter.parse(s)


def last_quarter(period: str | Period) -> Quarter:
    """The quarter a period ends with: which register its units are in."""
    p = parse_period(period)
    return p if isinstance(p, Quarter) else p.last_quarter


def is_quarter(period: str | Period) -> bool:
    return isinstance(parse_period(period), Quarter)


def sort_key(period: str | Period) -> tuple[int, int, int]:
    """Orders quarters, years and years to date together: by the quarter they end with, a
    year after its fourth quarter."""
    p = parse_period(period)
    end = last_quarter(p)
    return (end.year, end.quarter, {Quarter: 0, YearToDate: 1, Year: 2}[type(p)])


# The district level was abolished on 1 July 2025 (Resolution 202/2025/QH15).
MERGER_QUARTER = Quarter(2025, 3)
