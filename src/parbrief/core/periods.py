"""Reporting periods: quarters (quý) and years (năm).

The PAR index is annual; provinces monitor it quarterly and year-to-date, so a
``Quarter`` knows its neighbours, the same quarter last year and the quarters of
its year so far.
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
    """A calendar year, the period of the official annual PAR INDEX."""

    year: int

    @classmethod
    def parse(cls, text: str | int | Year) -> Year:
        if isinstance(text, Year):
            return text
        s = str(text).strip()
        if not re.fullmatch(r"\d{4}", s):
            raise PeriodError(f"malformed year {s!r}: write a year as 2026")
        return cls(int(s))

    def quarters(self) -> list[Quarter]:
        return [Quarter(self.year, q) for q in range(1, 5)]

    def __str__(self) -> str:
        return str(self.year)


# The district level was abolished on 1 July 2025 (Resolution 202/2025/QH15).
MERGER_QUARTER = Quarter(2025, 3)
