"""The validated-data cache: same table as a fresh load, and never hides a bad file."""

import shutil
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from parbrief.core.errors import ValidationError
from parbrief.ingest import dataset, validated
from parbrief.model import briefing, sources

ROOT = Path(__file__).resolve().parents[1]


def test_cached_table_equals_a_fresh_load(tmp_path, monkeypatch):
    monkeypatch.setenv("PARBRIEF_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sample", data)
    first = validated.load_validated(str(data))
    assert len(list((tmp_path / "cache" / "validated").iterdir())) == 1
    second = validated.load_validated(str(data))
    fresh = dataset.load(data)
    assert_frame_equal(second.figures, fresh.figures)
    assert_frame_equal(second.appraisal, fresh.appraisal)
    assert second.checksum == first.checksum == fresh.checksum

    # A figure changed into a bad one: the cache key changes and validation runs again.
    text = (data / "figures.csv").read_text(encoding="utf-8").splitlines()
    text[1] = text[1].rsplit(",", 2)[0] + ",-5," + text[1].rsplit(",", 1)[1]
    (data / "figures.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="figures.csv:2:value"):
        validated.load_validated(str(data))


def _concatenate_csv(first: Path, second: Path, out: Path) -> None:
    """Two data sets' CSV files as one (the second's header dropped)."""
    lines = second.read_text(encoding="utf-8").splitlines(keepends=True)[1:]
    out.write_text(first.read_text(encoding="utf-8") + "".join(lines), encoding="utf-8")


@pytest.mark.parametrize("cached", [False, True], ids=["first-load", "from-cache"])
def test_a_province_slice_of_a_larger_data_set_is_the_province_alone(tmp_path, monkeypatch,
                                                                       cached):
    """A kernel running 2025 commune briefings keeps only its province's rows of a national
    data set: they must be every row a briefing of that province can read, legacy districts and
    communes before the merger included, and nothing of another province."""
    from parbrief.ingest.sample import write_sample

    monkeypatch.setenv("PARBRIEF_CACHE", str(tmp_path / "cache"))
    lai_chau = tmp_path / "lai-chau"
    write_sample(lai_chau, province="12", first="2024Q4", last="2026Q3")
    two = tmp_path / "two-provinces"
    two.mkdir()
    for name in ("figures.csv", "appraisal.csv"):
        _concatenate_csv(ROOT / "data" / "sample" / name, lai_chau / name, two / name)
    if cached:
        validated.load_validated(str(two))
    sources._province_dataset_cached.cache_clear()
    part = sources.province_dataset(str(two.resolve()), "40")
    alone = dataset.load(ROOT / "data" / "sample")
    assert_frame_equal(part.figures, alone.figures)
    assert_frame_equal(part.appraisal, alone.appraisal)
    assert part.checksum == dataset.load(two).checksum  # provenance names the whole data set

    commune = briefing.prepare("17266", "2026Q3", str(two), "par-commune")
    assert set(commune.dataset.figures.locality_code) <= sources.province_units("40")
    from_alone = briefing.prepare("17266", "2026Q3", str(ROOT / "data" / "sample"), "par-commune")
    assert_frame_equal(commune.scores, from_alone.scores)
    assert_frame_equal(commune.trend, from_alone.trend)
    assert commune.figures == from_alone.figures
