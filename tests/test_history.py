"""A 2025 commune's series across the July-2025 merger, checked by hand on small tables."""

from __future__ import annotations

import pandas as pd
import pytest

from parbrief.core.errors import ParameterError, UnknownLocalityError
from parbrief.ingest.sample import generate
from parbrief.present.wording import history_note
from parbrief.units.history import commune_history, share_text


def figures(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["locality_code", "period", "indicator", "value"])
    df["source"] = "hand-made"
    return df.astype({"locality_code": "str", "period": "str", "indicator": "str",
                      "value": "float64", "source": "str"})


def appraisal(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["methodology", "locality_code", "period", "criterion",
                                     "points"])
    df["source"] = "council"
    return df.astype({"methodology": "str", "locality_code": "str", "period": "str",
                      "criterion": "str", "points": "float64", "source": "str"})


def values(df: pd.DataFrame, period: str) -> dict[str, float]:
    sel = df[df.period == period]
    return dict(zip(sel.indicator, sel.value))


# Xã Tân Kỳ (17266) is 20 % of legacy district Huyện Tân Kỳ (423): 4 of its 20 communes, each
# counting equally, so counts are a fifth of the district's and rates are the district's.
TAN_KY = figures([
    ("423", "2025Q1", "records_received", 1003),
    ("423", "2025Q1", "records_resolved", 900),
    ("423", "2025Q1", "satisfaction_rate", 95.5),
    ("423", "2025Q1", "one_stop_shop_operational", 1),
    ("424", "2025Q1", "records_received", 777),  # a neighbour: not a predecessor
    ("423", "2025Q2", "records_received", 1200),
    ("17266", "2025Q3", "records_received", 260),
    ("17266", "2025Q3", "satisfaction_rate", 97.25),
    ("17308", "2025Q3", "records_received", 999),  # another 2025 commune
])


def test_tan_ky_from_its_district():
    fig, app = commune_history(TAN_KY, None, "17266", ["2025Q1", "2025Q2", "2025Q3"])
    assert fig.columns.tolist() == ["locality_code", "period", "indicator", "value", "source"]
    assert fig.dtypes.astype(str).tolist() == ["str", "str", "str", "float64", "str"]
    assert set(fig.locality_code) == {"17266"}
    assert fig.period.tolist() == ["2025Q1"] * 4 + ["2025Q2", "2025Q3", "2025Q3"]
    # counts: 0.2 x 1003 = 200.6 -> 201; 0.2 x 900 = 180; rates: the district's own
    assert values(fig, "2025Q1") == {"records_received": 201.0, "records_resolved": 180.0,
                                     "satisfaction_rate": 95.5, "one_stop_shop_operational": 1.0}
    assert values(fig, "2025Q2") == {"records_received": 240.0}
    assert values(fig, "2025Q3") == {"records_received": 260.0, "satisfaction_rate": 97.25}
    sources = fig.groupby("period").source.unique().map(list).to_dict()
    assert sources == {"2025Q1": ["reconstructed from legacy units 423 (20 %)"],
                       "2025Q2": ["reconstructed from legacy units 423 (20 %)"],
                       "2025Q3": ["hand-made"]}
    assert app.empty and app.columns.tolist()[-2:] == ["points", "source"]


def test_periods_in_the_order_asked_and_empty_periods_give_no_rows():
    fig, _ = commune_history(TAN_KY, None, "17266", ["Q3/2025", "2024Q4", "2025-Q2"])
    assert fig.period.tolist() == ["2025Q3", "2025Q3", "2025Q2"]


# Xã Thông Nguyên (01090, Tuyên Quang) was formed from communes of two legacy districts:
# 1 of the 24 communes of Huyện Hoàng Su Phì (032) and 1 of the 15 of Huyện Quang Bình (035).
TWO_DISTRICTS = figures([
    ("032", "2025Q2", "records_received", 2400),
    ("035", "2025Q2", "records_received", 1500),
    ("032", "2025Q2", "satisfaction_rate", 90.0),
    ("035", "2025Q2", "satisfaction_rate", 96.0),
    ("032", "2025Q2", "one_stop_shop_operational", 1),
    ("035", "2025Q2", "one_stop_shop_operational", 0),
    ("032", "2025Q2", "official_email_use", 80.0),  # 035 did not report it
])


def test_commune_formed_from_two_districts():
    fig, _ = commune_history(TWO_DISTRICTS, None, "01090", ["2025Q2"])
    got = values(fig, "2025Q2")
    assert got["records_received"] == 200.0  # 2400/24 + 1500/15
    # share-weighted means: (90/24 + 96/15) / (1/24 + 1/15) = 10.15 / 0.108333...
    assert got["satisfaction_rate"] == pytest.approx(93.692308, abs=1e-6)
    assert got["one_stop_shop_operational"] == pytest.approx(0.384615, abs=1e-6)  # 5/13
    assert got["official_email_use"] == 80.0  # mean over the predecessors that reported
    by_indicator = dict(zip(fig.indicator, fig.source))
    assert by_indicator["records_received"] == \
        "reconstructed from legacy units 032 (4.2 %), 035 (6.7 %)"
    assert by_indicator["official_email_use"] == "reconstructed from legacy units 032 (4.2 %)"


def test_appraisal_points_are_share_weighted_means():
    points = appraisal([
        ("par-commune", "032", "2025Q2", "1.2", 3.0),
        ("par-commune", "035", "2025Q2", "1.2", 2.0),
        ("par-commune", "035", "2025Q2", "2.1", 1.5),
        ("par-commune", "01090", "2025Q3", "1.2", 2.75),
    ])
    _, app = commune_history(TWO_DISTRICTS, points, "01090", ["2025Q2", "2025Q3"])
    assert app.columns.tolist() == ["methodology", "locality_code", "period", "criterion",
                                    "points", "source"]
    rows = list(app[["period", "criterion", "points"]].itertuples(index=False, name=None))
    # (3.0/24 + 2.0/15) / (1/24 + 1/15) = 0.258333 / 0.108333 = 2.384615
    assert rows[0][:2] == ("2025Q2", "1.2") and rows[0][2] == pytest.approx(2.384615, abs=1e-6)
    assert rows[1] == ("2025Q2", "2.1", 1.5)
    assert rows[2] == ("2025Q3", "1.2", 2.75)
    assert app.source.tolist() == [
        "reconstructed from legacy units 032 (4.2 %), 035 (6.7 %)",
        "reconstructed from legacy units 035 (6.7 %)",
        "council",
    ]
    assert set(app.locality_code) == {"01090"}


# Phường Ngọc Hà (00008, Hà Nội) took in legacy wards whole and parts of divided wards. Legacy
# code 00008 (Phường Liễu Giai) is one of them: codes mean something only with a period.
NGOC_HA_WARDS = figures([
    (code, "2025Q2", "records_received", value)
    for code, value in [("00006", 100), ("00007", 200), ("00008", 300), ("00016", 400),
                        ("00022", 500), ("00025", 600), ("00028", 700), ("00157", 800),
                        ("00004", 5000)]  # 00004 went to Phường Ba Đình, not here
] + [("001", "2025Q2", "records_received", 13000), ("005", "2025Q2", "records_received", 9)])


def test_legacy_communes_are_used_when_the_data_has_them():
    fig, _ = commune_history(NGOC_HA_WARDS, None, "00008", ["2025Q2"])
    # area shares: 100 + 200(0.5076) + 300 + 400(0.4743) + 500(0.4743) + 600(0.3743)
    #            + 700(0.3248) + 800(0.1511) = 1501.25
    assert values(fig, "2025Q2") == {"records_received": 1501.0}
    assert fig.source.iloc[0].startswith(
        "reconstructed from legacy units 00006 (100 %), 00007 (50.8 %), 00008 (100 %), "
        "00016 (47.4 %)")


def test_default_apportionment_gives_divided_wards_to_their_default_successor():
    fig, _ = commune_history(NGOC_HA_WARDS, None, "00008", ["2025Q2"], apportionment="default")
    # the whole of every ward whose default successor is Ngọc Hà: 100 + 200 + 300 + 500 + 700
    assert values(fig, "2025Q2") == {"records_received": 1800.0}
    assert fig.source.iloc[0] == ("reconstructed from legacy units 00006 (100 %), 00007 (100 %), "
                                  "00008 (100 %), 00022 (100 %), 00028 (100 %)")


def test_default_apportionment_with_district_figures():
    districts = NGOC_HA_WARDS[NGOC_HA_WARDS.locality_code.str.len() == 3]
    area, _ = commune_history(districts, None, "00008", ["2025Q2"])
    default, _ = commune_history(districts, None, "00008", ["2025Q2"], apportionment="default")
    # area: 13000 x 0.319646 + 9 x 0.018884 = 4155.57; default: 13000 x 5/13 (Ba Đình district)
    assert values(area, "2025Q2") == {"records_received": 4156.0}
    assert values(default, "2025Q2") == {"records_received": 5000.0}
    assert default.source.iloc[0] == "reconstructed from legacy units 001 (38.5 %)"


def test_bad_commune_and_apportionment():
    with pytest.raises(UnknownLocalityError, match="Huyện Tân Kỳ \\(423\\) existed until 30 June"):
        commune_history(TAN_KY, None, "423", ["2025Q2"])
    with pytest.raises(ParameterError) as e:
        commune_history(TAN_KY, None, "17266", ["2025Q2"], apportionment="population")
    assert str(e.value) == ("unknown apportionment 'population': use one of area, default "
                            "(area shares, or all to the default successor)")


def test_history_note():
    assert history_note("17266") == (
        "Before Q3 2025 the series of Tân Kỳ commune is rebuilt from the figures of the former "
        "Tân Kỳ district (code 423; share 20.00%), each share being the part of the district's "
        "communes now in Tân Kỳ commune; figures of a former commune divided between several "
        "new communes are apportioned by the successors' areas.")
    assert history_note("01090", "vi", "default") == (
        "Số liệu trước quý III/2025 của xã Thông Nguyên được quy đổi từ số liệu của huyện Hoàng "
        "Su Phì (cũ) (mã 032; tỷ trọng 4,17%); huyện Quang Bình (cũ) (mã 035; tỷ trọng 6,67%), "
        "theo tỷ lệ số xã của mỗi huyện nay thuộc xã Thông Nguyên; số liệu của xã cũ bị chia cho "
        "nhiều xã mới được tính toàn bộ cho xã kế thừa mặc định.")
    assert "the former Vĩnh Phúc ward (code 00006; share 100.00%);" in \
        history_note("00008", level="commune")
    with pytest.raises(ParameterError, match="unknown language 'fr': use one of vi, en"):
        history_note("17266", "fr")


def test_share_text():
    assert [share_text(x) for x in (0.2, 1.0, 1 / 15, 0.0005)] == ["20 %", "100 %", "6.7 %",
                                                                     "0.1 %"]
    assert share_text(1 / 24, "vi") == "4,2 %"


def test_low_online_commune_stays_low_across_the_merger():
    fig, _ = generate("40", "2024Q4", "2025Q4", 876, methodologies=[])
    hist, _ = commune_history(fig, None, "17017", ["2024Q4", "2025Q1", "2025Q2", "2025Q3",
                                                   "2025Q4"])
    w = hist.pivot(index="period", columns="indicator", values="value")
    assert len(w) == 5
    assert (w.records_submitted_online / w.records_received < 0.08).all()
    assert (w.records_resolved_on_time <= w.records_resolved).all()
