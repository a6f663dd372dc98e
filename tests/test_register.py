import pytest

from parbrief.core.errors import UnknownLocalityError
from parbrief.units import crosswalk, register, tables


def test_registers_have_the_official_counts():
    new = register.table("2025")
    legacy = register.table("legacy")
    assert (new.level == "province").sum() == 34
    assert (new.level == "commune").sum() == 3321
    assert (legacy.level == "province").sum() == 63
    assert (legacy.level == "district").sum() == 696
    assert (legacy.level == "commune").sum() == 10035


def test_nghe_an_before_and_after_the_merger():
    assert len(register.children("40", "2025Q2")) == 20
    assert len(register.children("40", "2025Q2", level="commune")) == 412
    assert len(register.children("40", "2025Q3")) == 130


def test_a_locality_carries_code_names_slug_level_parent_validity_coordinates():
    tan_ky = register.get("17266", "2026Q3")
    assert (tan_ky.code, tan_ky.name, tan_ky.name_ascii, tan_ky.slug) == (
        "17266", "Xã Tân Kỳ", "Xa Tan Ky", "xa-tan-ky")
    assert (tan_ky.level, tan_ky.parent_code, tan_ky.register) == ("commune", "40", "2025")
    assert str(tan_ky.valid_from) == "2025-07-01" and tan_ky.valid_to is None
    assert tan_ky.lat == pytest.approx(19.0753) and tan_ky.lon == pytest.approx(105.299)
    assert tan_ky.file_stem == "17266-xa-tan-ky"
    district = register.get("423", "2024Q4")
    assert (district.name, district.level, district.parent_code, str(district.valid_to)) == (
        "Huyện Tân Kỳ", "district", "40", "2025-06-30")


def test_codes_stay_strings_and_are_read_with_their_period():
    assert register.get("01", "2026Q3").name == "Thành phố Hà Nội"
    # code 00004 is Phường Trúc Bạch before the merger and Phường Ba Đình after it
    assert register.get("00004", "2025Q2").name == "Phường Trúc Bạch"
    assert register.get("00004", "2025Q3").name == "Phường Ba Đình"


def test_names_match_after_nfc_then_without_case_and_diacritics():
    decomposed = "Xa\u0303 Tân Kỳ".replace("Tân", "Ta\u0302n")
    assert register.find(decomposed, "2026Q3", parent="40").code == "17266"
    assert register.find("tan ky", "2026Q3", parent="40").code == "17266"
    assert register.find("Đô Lương", "2024Q1", level="district").code == "427"


def test_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownLocalityError) as e:
        register.find("Tan Kyy", "2026Q3", parent="40")
    assert str(e.value) == ("unknown locality name 'Tan Kyy' in the 2025 register under 40. "
                            "Did you mean: 17266 Xã Tân Kỳ, 17305 Xã Tân An?")


def test_merged_unit_points_to_its_successors():
    with pytest.raises(UnknownLocalityError) as e:
        register.get("423", "2026Q3")
    assert str(e.value).startswith(
        "unknown locality code '423' in the 2025 register (period 2026Q3). Huyện Tân Kỳ (423) "
        "existed until 30 June 2025; from 2025Q3 report under its successor: 17266 Xã Tân Kỳ,")


def test_crosswalk_covers_every_unit_and_shares_sum_to_one():
    cw = crosswalk.commune_crosswalk()
    assert cw.commune_code.nunique() == 3321
    assert cw.legacy_commune_code.nunique() == 10040  # 10,035 communes + 5 island districts
    assert cw.groupby("legacy_commune_code").share.sum().round(9).eq(1).all()
    dw = crosswalk.district_crosswalk()
    assert dw.groupby("legacy_district_code").share.sum().round(9).eq(1).all()


def test_tan_ky_commune_comes_from_four_legacy_communes_of_tan_ky_district():
    pred = crosswalk.predecessors("17266")
    assert list(pred.legacy_code) == ["17266", "17308", "17314", "17320"]
    assert crosswalk.predecessors("17266", level="district").to_dict("records") == [
        {"legacy_code": "423", "share": 0.2}]


def test_divided_commune_is_apportioned_by_area_or_to_its_default_successor():
    cw = crosswalk.commune_crosswalk("area")
    divided = cw[cw.divided]
    one = divided.legacy_commune_code.iloc[0]
    parts = divided[divided.legacy_commune_code == one]
    assert len(parts) >= 2 and parts.share.sum() == pytest.approx(1.0)
    default = crosswalk.commune_crosswalk("default")
    only = default[default.legacy_commune_code == one]
    assert len(only) == 1 and only.share.iloc[0] == 1.0 and bool(only.default_successor.iloc[0])


def test_registers_and_crosswalk_come_back_from_the_cache_unchanged(tmp_path, monkeypatch):
    """Built once from vietnamadminunits, then read from Parquet: the same tables exactly."""
    from pandas.testing import assert_frame_equal

    monkeypatch.setenv("PARBRIEF_CACHE", str(tmp_path))
    built = tables._build()
    built_crosswalk = crosswalk._build_commune_crosswalk("area")
    try:
        for load in (tables._load, crosswalk.commune_crosswalk):
            load.cache_clear()
        tables._load()  # builds, then keeps
        crosswalk.commune_crosswalk("area")
        for load in (tables._load, crosswalk.commune_crosswalk):
            load.cache_clear()
        cached = tables._load()  # read back
        cached_crosswalk = crosswalk.commune_crosswalk("area")
    finally:
        for load in (tables._load, crosswalk.commune_crosswalk):
            load.cache_clear()
    kept = sorted(p.parent.parent.name for p in tmp_path.glob("*/*/done"))
    assert kept == ["crosswalk", "register"]
    for name in (register.LEGACY, register.REG_2025):
        assert_frame_equal(cached[name], built[name], check_exact=True)
    assert_frame_equal(cached_crosswalk, built_crosswalk, check_exact=True)


def test_a_batch_worker_and_a_cached_register_do_not_import_the_heavy_packages():
    """Memory and start-up: a worker needs neither pandas nor matplotlib, and with the
    register cached nothing imports vietnamadminunits (its import compiles a parser)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "import parbrief.runner.worker, parbrief.runner.execution, parbrief.publish.render as r\n"
            "r.default_renderer()\n"
            "worker = sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules)\n"
            "from parbrief.units import crosswalk, register\n"
            "register.warm_up(); register.get('17266', '2026Q3')\n"
            "print(worker, 'vietnamadminunits' in sys.modules)\n")
    register.warm_up()  # the cache is filled
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[] False"
