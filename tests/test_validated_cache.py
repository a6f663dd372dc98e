"""The validated-data cache: same table as a fresh load, and never hides a bad file."""

import shutil
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from parbrief import briefing, dataset
from parbrief.errors import ValidationError

ROOT = Path(__file__).resolve().parents[1]


def test_cached_table_equals_a_fresh_load(tmp_path, monkeypatch):
    monkeypatch.setenv("PARBRIEF_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sample", data)
    first = briefing.load_validated(str(data))
    assert len(list((tmp_path / "cache" / "validated").iterdir())) == 1
    second = briefing.load_validated(str(data))
    fresh = dataset.load(data)
    assert_frame_equal(second.figures, fresh.figures)
    assert_frame_equal(second.appraisal, fresh.appraisal)
    assert second.checksum == first.checksum == fresh.checksum

    # A figure changed into a bad one: the cache key changes and validation runs again.
    text = (data / "figures.csv").read_text(encoding="utf-8").splitlines()
    text[1] = text[1].rsplit(",", 2)[0] + ",-5," + text[1].rsplit(",", 1)[1]
    (data / "figures.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="figures.csv:2:value"):
        briefing.load_validated(str(data))
