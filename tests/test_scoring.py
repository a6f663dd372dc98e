"""The scoring engine on hand-checked figures: every rule type, caps, ties, rounding, bands."""

from pathlib import Path

import pandas as pd
import pytest

from parbrief.core.errors import MethodologyError
from parbrief.scoring import engine as scoring
from parbrief.scoring import methodology
from parbrief.scoring.metrics import round_half_up

TOY = Path(__file__).parent / "data" / "methodologies" / "toy.yaml"


@pytest.fixture(scope="module")
def toy():
    return methodology.load(str(TOY))


def _wide(**localities):
    return pd.DataFrame.from_dict(localities, orient="index").rename_axis("code").astype("float64")


A = dict(records_received=200, records_resolved=100, records_resolved_on_time=81,
         records_resolved_late=19, records_submitted_online=60, one_stop_shop_operational=1,
         survey_satisfaction_index=85, initiatives_registered=3)


def _appraisal(rows):
    return pd.DataFrame(rows, columns=["methodology", "locality_code", "period", "criterion",
                                       "points", "source"])


def test_every_rule_type_by_hand(toy):
    wide = _wide(A=A)
    appraisal = _appraisal([["toy", "A", "2026Q3", "desk_quality", 1.5, "council"]])
    points = scoring.criterion_points(wide, appraisal, toy).set_index("criterion")["points"]
    assert points["on_time"] == pytest.approx(81 / 90 * 4)          # proportional: 3.6
    assert points["online"] == 2                                     # 30 % hits the 30 step
    assert points["desk_open"] == 1                                  # boolean
    assert points["desk_quality"] == 1.5                             # appraisal
    assert points["survey"] == pytest.approx(6.8)                    # 85 % of 8
    assert points["late"] == pytest.approx(2 * (100 - 19) / 95)      # lower is better
    scored = scoring.score(wide, appraisal, toy).loc["A"]
    assert scored["points_procedures"] == pytest.approx(8.1)
    # initiatives 3 x 0.5 capped at +1; 19 late records -> one block of 10 -> -0.25
    assert scored["adjustment"] == pytest.approx(0.75)
    assert scored["total"] == pytest.approx(8.1 + 6.8 + 2 * 81 / 95 + 0.75)
    assert scored["index"] == 86.78
    assert scored["classification"] == "Good" and scored["classification_vi"] == "Tốt"


def test_penalty_cap_and_total_never_negative(toy):
    wide = _wide(B=dict(records_resolved=1000, records_resolved_late=900, records_resolved_on_time=100,
                        records_received=1000, records_submitted_online=0,
                        one_stop_shop_operational=0, survey_satisfaction_index=0))
    scored = scoring.score(wide, _appraisal([]), toy).loc["B"]
    assert scored["adjustment"] == -1.5  # 90 blocks of -0.25 stop at the cap
    assert scored["total"] >= 0


def test_missing_figure_gives_zero_and_is_reported(toy):
    wide = _wide(C=dict(records_resolved=100, records_resolved_on_time=95))
    table = scoring.criterion_points(wide, _appraisal([]), toy).set_index("criterion")
    assert table.loc["on_time", "points"] == 4 and not table.loc["on_time", "missing"]
    assert table.loc["survey", "missing"] and table.loc["survey", "points"] == 0
    assert table.loc["desk_quality", "missing"]


def test_appraisal_points_are_capped_at_the_criterion_max(toy):
    wide = _wide(A=A)
    appraisal = _appraisal([["toy", "A", "2026Q3", "desk_quality", 7, "council"]])
    points = scoring.criterion_points(wide, appraisal, toy).set_index("criterion")["points"]
    assert points["desk_quality"] == 2


def test_ties_share_the_rank():
    ranks = scoring.rank(pd.Series([92.62, 88.1, 88.1, 80.0, 92.62, 70.0]))
    assert ranks.tolist() == [1, 3, 3, 5, 1, 6]
    assert scoring.rank(pd.Series([90.0, 85.0, 85.0, 80.0])).tolist() == [1, 2, 2, 4]


@pytest.mark.parametrize("value,expected", [(92.625, 92.63), (2.675, 2.68), (0.125, 0.13),
                                            (86.774999, 86.77), (29.3233, 29.32), (75.2, 75.2),
                                            (-1.005, -1.01)])
def test_round_half_up(value, expected):
    assert round_half_up(value, 2) == expected


def test_index_at_a_half_hundredth_rounds_up(toy):
    # 18.525 / 20 = 92.625 % exactly on paper; float arithmetic must not make it 92.62
    wide = _wide(D=dict(survey_satisfaction_index=100, records_resolved=100,
                        records_resolved_on_time=90, records_resolved_late=0,
                        records_received=100, records_submitted_online=50,
                        one_stop_shop_operational=1))
    appraisal = _appraisal([["toy", "D", "2026Q3", "desk_quality", 0.525, "council"]])
    scored = scoring.score(wide, appraisal, toy).loc["D"]
    assert scored["total"] == pytest.approx(18.525)
    assert scored["index"] == 92.63


@pytest.mark.parametrize("index,label", [(100, "Excellent"), (90.0, "Excellent"),
                                         (89.99, "Good"), (80.0, "Good"), (79.99, "Weak"),
                                         (0, "Weak")])
def test_bands_at_their_edges(toy, index, label):
    assert toy.classify(index).label["en"] == label


def _broken(tmp_path, old, new):
    text = TOY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "toy.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


def test_typo_in_a_key_names_the_key_and_the_fix(tmp_path):
    path = _broken(tmp_path, "        max: 4\n", "        maxx: 4\n")
    with pytest.raises(MethodologyError) as e:
        methodology.load(path)
    assert str(e.value) == (
        "toy.yaml: areas[0] (procedures).criteria[0]: unknown key 'maxx'; did you mean 'max'? "
        "Valid keys: assumption, criteria, id, max, name, rule, source")


def test_unknown_rule_type(tmp_path):
    path = _broken(tmp_path, "type: survey,", "type: poll,")
    with pytest.raises(MethodologyError, match=r"toy.yaml: areas\[1\] \(people\).criteria\[0\] "
                                               r"\(survey\).rule.type: unknown rule type 'poll'"):
        methodology.load(path)


def test_unknown_metric_suggests_the_closest(tmp_path):
    path = _broken(tmp_path, "metric: on_time_rate", "metric: ontime_rate")
    with pytest.raises(MethodologyError, match="unknown metric 'ontime_rate'; did you mean "
                                               "on_time_rate"):
        methodology.load(path)


def test_criterion_worth_more_than_its_area(tmp_path):
    path = _broken(tmp_path, "        max: 8\n", "        max: 11\n")
    with pytest.raises(MethodologyError, match=r"criterion survey: max 11 exceeds its area's max 10"):
        methodology.load(path)


def test_maxima_that_do_not_add_up(tmp_path):
    path = _broken(tmp_path, "maximum: 20", "maximum: 25")
    with pytest.raises(MethodologyError, match="maximum is 25 but the areas add up to 20; "
                                               "make them equal"):
        methodology.load(path)


def test_sub_criteria_must_add_up(tmp_path):
    path = _broken(tmp_path, "            max: 2\n", "            max: 2.5\n")
    with pytest.raises(MethodologyError, match=r"\(desk\).max: max is 3 but its sub-criteria add "
                                               r"up to 3.5"):
        methodology.load(path)


def test_bands_out_of_order(tmp_path):
    path = _broken(tmp_path, "{min: 80,", "{min: 95,")
    with pytest.raises(MethodologyError, match=r"classification\[1\].min: bands must be listed "
                                               r"from the highest min down"):
        methodology.load(path)


def test_unknown_methodology_name_suggests():
    with pytest.raises(MethodologyError, match="unknown methodology 'par-comune': did you mean "
                                               "par-commune"):
        methodology.load("par-comune")


def test_nothing_is_evaluated(tmp_path):
    path = _broken(tmp_path, "target: 90", "target: __import__('os').system('true')")
    with pytest.raises(MethodologyError, match="expected a number"):
        methodology.load(path)
    path = tmp_path / "evil.yaml"
    path.write_text("!!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(MethodologyError, match="not valid YAML"):
        methodology.load(str(path))


def test_a_missing_rate_earns_no_penalty(tmp_path):
    path = _broken(tmp_path, "    rule: {type: per_unit, indicator: records_resolved_late, points: -0.25, per: 10}",
                   "    rule: {type: thresholds, metric: apology_rate, steps: [{max: 50, points: -1}]}")
    method = methodology.load(path)
    scored = scoring.score(_wide(E=dict(survey_satisfaction_index=50)), _appraisal([]), method)
    assert scored.loc["E", "adjustment"] == 0


def test_boolean_points_above_the_criterion_max(tmp_path):
    path = _broken(tmp_path, "indicator: one_stop_shop_operational}",
                   "indicator: one_stop_shop_operational, points: 5}")
    with pytest.raises(MethodologyError, match=r"\(desk_open\).rule.points: 5 points is outside "
                                               r"0..1, the criterion's max"):
        methodology.load(path)


def test_penalty_with_a_positive_cap(tmp_path):
    path = _broken(tmp_path, "cap: -1.5", "cap: 1.5")
    with pytest.raises(MethodologyError, match=r"bonus_penalty\[1\] \(late_records\).cap: cap 1.5 "
                                               r"has the opposite sign"):
        methodology.load(path)
