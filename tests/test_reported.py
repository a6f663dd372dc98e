"""Figures the press printed (data/reported/seed_figures.csv) come out of parbrief as printed.

Only the CSV and parbrief are used: the articles themselves are not part of the repository, so
the CSV's quoted text is the reference.
"""

import csv
import re
from pathlib import Path

import pytest

from parbrief.core import formatting
from parbrief.scoring.metrics import press_percent

REPORTED = Path(__file__).resolve().parents[1] / "data" / "reported"
COLUMNS = ["seed_file", "locality", "period", "figure", "part", "whole", "value", "unit",
           "quoted_text"]


def _rows() -> list[dict]:
    with open(REPORTED / "seed_figures.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


ROWS = _rows()
RATIOS = [r for r in ROWS if r["part"] and r["whole"]]


def _id(row: dict) -> str:
    return f"{row['seed_file'][:3]}:{row['quoted_text'][:30]}"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_columns_and_required_rows():
    with open(REPORTED / "seed_figures.csv", encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == COLUMNS
    printed = {(r["part"], r["whole"], r["quoted_text"]) for r in RATIOS}
    assert ("282", "375", "75.2%") in printed
    assert ("39", "133", "29.32%") in printed
    for r in ROWS:
        assert r["seed_file"] and r["locality"] and r["period"] and r["figure"], r
        assert r["quoted_text"].strip() == r["quoted_text"] and r["quoted_text"], r


@pytest.mark.parametrize("row", RATIOS, ids=_id)
def test_ratio_prints_as_the_press_printed_it(row):
    part, whole = float(row["part"]), float(row["whole"])
    assert _squash(press_percent(part, whole, "en")) == _squash(row["quoted_text"])
    # The value column is the printed percentage itself.
    assert float(row["value"]) == float(row["quoted_text"].rstrip("%"))
    assert row["unit"] == "%"


@pytest.mark.parametrize("row", [r for r in ROWS if r["unit"] == "%" and not r["part"]], ids=_id)
def test_printed_percent_formats_back(row):
    assert _squash(press_percent(float(row["value"]), None, "en")) == _squash(row["quoted_text"])


NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@pytest.mark.parametrize("row", [r for r in ROWS if r["value"] and r["unit"] != "%"
                                 and NUMBER.search(r["quoted_text"])], ids=_id)
def test_value_matches_the_number_in_the_quote(row):
    first = NUMBER.search(row["quoted_text"]).group()
    assert float(first.replace(",", "")) == float(row["value"])


def test_numbers_written_in_words():
    # "înlocuirea unui document": one document proposed for amendment or replacement.
    worded = [r for r in ROWS if r["value"] and not NUMBER.search(r["quoted_text"])]
    assert [(r["quoted_text"], float(r["value"])) for r in worded] == [
        ("înlocuirea unui document", 1.0)]


def test_points_and_thousands_in_english_formats():
    points = [r for r in ROWS if r["unit"] == "points"]
    assert {r["quoted_text"] for r in points} >= {"92.62 points", "87.45 points", "89.53 points"}
    for r in points:
        assert r["quoted_text"].startswith(formatting.number(float(r["value"]), "en"))
    big = [r for r in ROWS if r["value"] and r["unit"] != "%" and float(r["value"]) >= 1000]
    assert big, "the 9,330 civil servants trained in Tien Yen"
    for r in big:
        assert formatting.integer(float(r["value"]), "en") in r["quoted_text"]


def test_every_seed_file_has_a_source_entry():
    sources = (REPORTED / "SOURCES.md").read_text(encoding="utf-8")
    for seed in sorted({r["seed_file"] for r in ROWS}):
        assert f"## {seed}" in sources, seed
