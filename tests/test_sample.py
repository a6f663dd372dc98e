"""The synthetic sample generator: register, constraints, planted problems, determinism."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from parbrief.core.errors import ParameterError
from parbrief.core.periods import quarter_range
from parbrief.ingest.sample import generate, plant, read_methodologies, write_sample
from parbrief.units import register

SEED = 876
REPO = Path(__file__).resolve().parents[1]
CATALOGUE = yaml.safe_load(
    (REPO / "src/parbrief/resources/indicators.yaml").read_text(encoding="utf-8"))["indicators"]
KINDS = {e["name"]: e["type"] for e in CATALOGUE}

TINY = """
id: tiny-commune
level: commune
maximum: 10
areas:
  - id: "1"
    max: 10
    criteria:
      - {id: "1.1", max: 3, rule: {type: appraisal}}
      - {id: "1.2", max: 2, rule: {type: proportional, metric: on_time_rate, target: 100}}
      - id: "1.3"
        max: 5
        criteria:
          - {id: "1.3.1", max: 2.5, rule: {type: appraisal}}
          - {id: "1.3.2", max: 2.5, rule: {type: boolean, indicator: one_stop_shop_operational}}
"""
PROVINCE_LEVEL = """
id: tiny-province
level: province
maximum: 4
areas:
  - {id: "1", max: 4, criteria: [{id: "1.1", max: 4, rule: {type: appraisal}}]}
"""


@pytest.fixture(scope="module")
def methodologies(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("methodologies")
    (folder / "tiny-commune.yaml").write_text(TINY, encoding="utf-8")
    (folder / "tiny-province.yaml").write_text(PROVINCE_LEVEL, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory, methodologies) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(out, "40", "2025Q1", "2026Q1", SEED, methodologies)
    return out


@pytest.fixture(scope="module")
def data(methodologies):
    return generate("40", "2025Q1", "2026Q1", SEED, methodologies)


@pytest.fixture(scope="module")
def wide(data) -> pd.DataFrame:
    figures, _ = data
    return figures.pivot(index=["locality_code", "period"], columns="indicator",
                         values="value").reset_index()


def test_same_seed_gives_byte_identical_files(sample_dir, methodologies, tmp_path):
    write_sample(tmp_path, "40", "2025Q1", "2026Q1", SEED, methodologies)
    for name in ("figures.csv", "appraisal.csv", "README.md"):
        assert (tmp_path / name).read_bytes() == (sample_dir / name).read_bytes(), name
    assert b"\r\n" not in (tmp_path / "figures.csv").read_bytes()


def test_another_seed_gives_other_values(sample_dir, methodologies, tmp_path):
    write_sample(tmp_path, "40", "2025Q1", "2026Q1", 7, methodologies)
    assert (tmp_path / "figures.csv").read_bytes() != (sample_dir / "figures.csv").read_bytes()
    assert "synthetic: parbrief sample --seed 7" in (tmp_path / "figures.csv").read_text("utf-8")


def test_files_say_synthetic(sample_dir):
    readme = (sample_dir / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme.splitlines()[0]
    for name in ("figures.csv", "appraisal.csv"):
        df = pd.read_csv(sample_dir / name, dtype=str)
        assert set(df.source) == {"synthetic: parbrief sample --seed 876"}


def test_csv_layout_and_fixed_number_format(sample_dir):
    lines = (sample_dir / "figures.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "locality_code,period,indicator,value,source"
    assert lines[1] == "412,2025Q1,procedures_total," + lines[1].split(",")[3] + \
        ",synthetic: parbrief sample --seed 876"
    values = dict(re.match(r"[^,]+,[^,]+,([^,]+),([^,]+),", line).groups() for line in lines[1:50])
    assert re.fullmatch(r"\d+", values["records_received"])
    assert re.fullmatch(r"\d{2,3}\.\d\d", values["satisfaction_rate"])
    assert values["one_stop_shop_operational"] in ("0", "1")
    head = (sample_dir / "appraisal.csv").read_text(encoding="utf-8").splitlines()[0]
    assert head == "methodology,locality_code,period,criterion,points,source"


def test_register_before_and_after_the_merger(data):
    figures, _ = data
    by_period = figures.groupby("period").locality_code.apply(set)
    districts = {u.code for u in register.children("40", "2025Q2", "district")}
    communes = {u.code for u in register.children("40", "2025Q3", "commune")}
    assert len(districts) == 20 and len(communes) == 130
    assert by_period["2025Q1"] == districts == by_period["2025Q2"]
    assert by_period["2025Q3"] == communes == by_period["2025Q4"]
    assert len(by_period["2026Q1"]) == 129 and by_period["2026Q1"] < communes


def test_every_indicator_for_every_reporting_locality(data):
    figures, _ = data
    assert figures.dtypes.astype(str).tolist() == ["str", "str", "str", "float64", "str"]
    per = figures.groupby(["locality_code", "period"]).indicator.apply(list)
    assert all(names == list(KINDS) for names in per)  # catalogue order, each once
    assert not figures.value.isna().any()


def test_types_and_part_of_constraints(data, wide):
    figures, _ = data
    kinds = figures.indicator.map(KINDS)
    counts = figures.value[kinds == "count"]
    assert (counts >= 0).all() and (counts == counts.round()).all()
    percents = figures.value[kinds == "percent"]
    assert percents.between(0, 100).all() and (percents == percents.round(2)).all()
    assert set(figures.value[kinds == "boolean"]) <= {0.0, 1.0}
    for entry in CATALOGUE:
        for whole in entry.get("part_of") or ():
            assert (wide[entry["name"]] <= wide[whole]).all(), f"{entry['name']} > {whole}"
    assert (wide.records_resolved_on_time + wide.records_resolved_late
            == wide.records_resolved).all()
    assert (wide.procedures_online_full + wide.procedures_online_partial
            <= wide.procedures_total).all()


def test_realistic_ranges(wide):
    on_time = wide.records_resolved_on_time / wide.records_resolved * 100
    assert (on_time >= 90).mean() > 0.9
    assert wide.satisfaction_rate.between(85, 100).all()
    online = wide.records_submitted_online / wide.records_received * 100
    assert (online.between(20, 90) | (online < 8)).all()
    districts = wide[wide.locality_code.str.len() == 3]
    communes = wide[wide.locality_code.str.len() == 5]
    assert districts.records_received.mean() > 2 * communes.records_received.mean()
    assert districts.civil_servants_total.min() > communes.civil_servants_total.median()


def test_plan_completion_is_year_to_date(methodologies):
    figures, _ = generate("40", "2024Q1", "2024Q4", SEED, methodologies)
    w = figures.pivot(index="locality_code", columns=["indicator", "period"], values="value")
    w = w.dropna()  # the locality with the planted missing 2024Q4 submission
    assert len(w) == 19
    rate = w["plan_tasks_completed"] / w["plan_tasks_assigned"]
    assert (w["plan_tasks_assigned"].nunique(axis=1) == 1).all()  # one plan all year
    assert (rate.diff(axis=1).iloc[:, 1:] > 0).all().all()  # rises every quarter
    assert rate["2024Q1"].max() < 0.4 and rate["2024Q4"].min() > 0.8


def test_quality_persists_over_time_and_across_indicators(wide):
    w = wide[wide.period >= "2025Q3"].assign(
        on_time=lambda d: d.records_resolved_on_time / d.records_resolved,
        online=lambda d: d.records_submitted_online / d.records_received)
    per = w.pivot(index="locality_code", columns="period", values="satisfaction_rate")
    assert per["2025Q3"].corr(per["2025Q4"]) > 0.6
    means = w.groupby("locality_code")[["on_time", "satisfaction_rate"]].mean()
    assert means.on_time.corr(means.satisfaction_rate) > 0.5


def _readme_codes(readme: str, heading: str) -> dict[str, set[str]]:
    """Codes listed in the README's planted-problem bullets that start with ``heading``."""
    out: dict[str, set[str]] = {}
    for line in readme.splitlines():
        m = re.match(rf"- \*\*{heading}\*\*, (\S+?): (.*)", line)
        if m:
            out[m.group(1)] = set(re.findall(r"\b(\d{3,5}) (?:Xã|Phường|Đặc khu|Huyện|Thị xã|"
                                             r"Thành phố|Quận)", m.group(2)))
    return out


def test_planted_problems_are_where_the_readme_says(sample_dir, wide):
    readme = (sample_dir / "README.md").read_text(encoding="utf-8")
    late = _readme_codes(readme, "Late records without apologies")
    low = _readme_codes(readme, "Persistently low online share")
    missing = _readme_codes(readme, "Missing submission")
    assert list(late) == ["2026Q1"] and len(late["2026Q1"]) == 6
    assert list(missing) == ["2026Q1"] and len(missing["2026Q1"]) == 1
    assert set(low) == {"2025Q1-2025Q2", "2025Q3-2026Q1"}

    without = wide[wide.apologies_issued < wide.records_resolved_late]
    assert without.period.unique().tolist() == ["2026Q1"]
    assert set(without.locality_code) == late["2026Q1"]
    assert (without.records_resolved_late >= 3).all()

    online = wide.assign(share=wide.records_submitted_online / wide.records_received)
    low_codes = low["2025Q1-2025Q2"] | low["2025Q3-2026Q1"]
    assert set(online.locality_code[online.share < 0.08]) == low_codes
    (district,) = low["2025Q1-2025Q2"]
    (commune,) = low["2025Q3-2026Q1"]
    low_rows = online[online.share < 0.08]
    assert low_rows.period[low_rows.locality_code == district].tolist() == ["2025Q1", "2025Q2"]
    assert low_rows.period[low_rows.locality_code == commune].tolist() == [
        "2025Q3", "2025Q4", "2026Q1"]
    assert register.get(district, "2025Q2").level == "district"
    from parbrief.units.crosswalk import predecessors
    assert district in set(predecessors(commune, "district").legacy_code)

    (gone,) = missing["2026Q1"]
    reported = set(wide.locality_code[wide.period == "2026Q1"])
    assert gone not in reported and gone in set(wide.locality_code[wide.period == "2025Q4"])


def test_planted_choice_is_deterministic_and_per_province():
    quarters = quarter_range("2025Q3", "2026Q3")
    assert plant("40", quarters, SEED) == plant("40", quarters, SEED)
    assert plant("40", quarters, SEED).missing == {"2026Q3": ("17230",)}
    assert plant("40", quarters, SEED).low_online["2025Q3"] == ("17017",)
    national = plant("all", quarters, SEED)
    assert set(national.missing["2026Q3"]) >= {"17230"}
    assert len(national.missing["2026Q3"]) == 34


def test_appraisal_rows_for_each_appraisal_leaf(data, methodologies):
    figures, appraisal = data
    assert read_methodologies(methodologies)[0].leaves == (("1.1", 3.0), ("1.3.1", 2.5))
    assert set(appraisal.methodology) == {"tiny-commune"}  # no province rows in the sample
    assert set(appraisal.criterion) == {"1.1", "1.3.1"}
    pairs = appraisal[["locality_code", "period"]].drop_duplicates()
    reported = figures[["locality_code", "period"]].drop_duplicates()
    assert len(pairs) == len(reported) == len(appraisal) / 2  # districts scored too
    maxima = appraisal.criterion.map({"1.1": 3.0, "1.3.1": 2.5})
    assert (appraisal.points >= maxima / 2).all() and (appraisal.points <= maxima).all()
    assert ((appraisal.points * 4) % 1 == 0).all()
    assert appraisal.points.nunique() > 3


def test_province_alone_equals_its_part_of_the_national_run(methodologies):
    alone, alone_points = generate("40", "2025Q3", "2025Q3", SEED, methodologies)
    national, national_points = generate("all", "2025Q3", "2025Q3", SEED, methodologies)
    communes = {u.code for u in register.children("40", "2025Q3", "commune")}
    part = national[national.locality_code.isin(communes)].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, alone)
    assert len(national_points[national_points.locality_code.isin(communes)]) == len(alone_points)


def test_national_run_covers_every_commune_and_province(methodologies):
    figures, _ = generate("all", "2025Q3", "2025Q4", SEED, methodologies)
    first = figures[figures.period == "2025Q3"]
    assert first.locality_code.nunique() == 3321
    provinces = {register.get(c, "2025Q3").province_code for c in first.locality_code.unique()}
    assert len(provinces) == 34
    assert figures[figures.period == "2025Q4"].locality_code.nunique() == 3321 - 34
    assert len(first) == 3321 * len(KINDS)


def test_national_legacy_quarter_has_the_legacy_districts(methodologies):
    figures, _ = generate("all", "2025Q1", "2025Q2", SEED, methodologies)
    assert figures[figures.period == "2025Q1"].locality_code.nunique() == 696


def test_merged_province_code_names_its_successor():
    with pytest.raises(ParameterError) as e:
        generate("02", "2025Q3", "2025Q3", SEED)
    assert str(e.value) == (
        "province '02' (Tỉnh Hà Giang) was merged into 08 Tỉnh Tuyên Quang on 1 July 2025; use "
        "--province 08 (its sample covers the merged provinces' legacy districts before 2025Q3)")


def test_unknown_province_and_bad_seed():
    with pytest.raises(ParameterError, match=r"unknown province code '99': give a 2025 province"):
        generate("99", "2025Q3", "2025Q3", SEED)
    with pytest.raises(ParameterError, match=r"seed must be a whole number >= 0, got -1"):
        generate("40", "2025Q3", "2025Q3", -1)


def test_committed_sample_is_current():
    """data/sample must be what the generator makes now (same methodologies, same seed)."""
    committed = REPO / "data" / "sample"
    if not (committed / "figures.csv").exists():
        pytest.skip("data/sample not generated yet")
    figures, appraisal = generate("40", "2023Q1", "2026Q3", SEED)
    on_disk = pd.read_csv(committed / "figures.csv", dtype={"locality_code": str})
    assert len(on_disk) == len(figures), (
        "data/sample is stale; regenerate it with parbrief.ingest.sample.write_sample('data/sample')")
    assert np.allclose(on_disk.value.to_numpy(), figures.value.to_numpy())
    on_disk_points = pd.read_csv(committed / "appraisal.csv", dtype={"locality_code": str})
    assert len(on_disk_points) == len(appraisal), (
        "data/sample/appraisal.csv is stale (methodologies changed?); regenerate it with "
        "parbrief.ingest.sample.write_sample('data/sample')")
    assert (committed / "figures.csv").stat().st_size < 5_000_000
