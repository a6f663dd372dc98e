from datetime import date

import pytest

from parbrief.core.errors import PeriodError
from parbrief.core.periods import MERGER_QUARTER, Quarter, Year, quarter_range


@pytest.mark.parametrize("text", ["2026Q3", "2026-Q3", "Q3/2026", "2026q3", "Q3-2026", " 2026Q3 ",
                                  "Quý III/2026", "quý 3 năm 2026"])
def test_parse_spellings(text):
    assert Quarter.parse(text) == Quarter(2026, 3)


@pytest.mark.parametrize("text", ["2026Q5", "2026", "Q0/2026", "26Q3", "2026/3", ""])
def test_malformed_period_says_how_to_write_it(text):
    with pytest.raises(PeriodError) as e:
        Quarter.parse(text)
    assert str(e.value) == (f"malformed period {text.strip()!r}: write a quarter as 2026Q3 "
                            "(also accepted: 2026-Q3, Q3/2026)")


def test_neighbours_and_year_to_date():
    q = Quarter(2026, 1)
    assert str(q.previous()) == "2025Q4"
    assert str(q.next()) == "2026Q2"
    assert str(Quarter(2026, 4).next()) == "2027Q1"
    assert str(Quarter(2026, 3).same_quarter_last_year()) == "2025Q3"
    assert [str(x) for x in Quarter(2026, 3).year_to_date()] == ["2026Q1", "2026Q2", "2026Q3"]
    assert Quarter(2026, 3).start == date(2026, 7, 1)
    assert Quarter(2026, 3).end == date(2026, 9, 30)
    assert Quarter(2024, 1).end == date(2024, 3, 31)


def test_labels_and_ordering():
    assert Quarter(2026, 3).label("vi") == "Quý III/2026"
    assert Quarter(2026, 3).label("en") == "Q3 2026"
    assert Quarter(2025, 2) < MERGER_QUARTER <= Quarter(2025, 3)
    assert [str(q) for q in quarter_range("2025Q3", "2026Q1")] == ["2025Q3", "2025Q4", "2026Q1"]
    with pytest.raises(PeriodError, match="ends"):
        quarter_range("2026Q1", "2025Q1")


def test_year():
    assert [str(q) for q in Year.parse("2025").quarters()] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    with pytest.raises(PeriodError):
        Year.parse("25")
