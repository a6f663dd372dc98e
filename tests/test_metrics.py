"""Metrics and number formats, checked against figures printed in the press."""

import math

import pandas as pd
import pytest

from parbrief.core import formatting
from parbrief.scoring.metrics import METRICS, compute_metrics, press_percent, rate


def test_seed_figures_as_printed():
    # "282/375 administrative procedures, 75.2%" and "39 tasks ... reaching a rate of 29.32%"
    assert press_percent(282, 375) == "75.2%"
    assert press_percent(39, 133) == "29.32%"
    assert press_percent(282, 375, "vi") == "75,2%"
    assert press_percent(39, 133, "vi") == "29,32%"


def test_rate_of_nothing_is_missing_not_zero():
    assert math.isnan(rate(0, 0))
    assert press_percent(5, 0) == "–"


@pytest.mark.parametrize("value,lang,text", [
    (92.62, "vi", "92,62"), (92.62, "en", "92.62"), (9330, "vi", "9.330"), (9330, "en", "9,330"),
    (92.625, "en", "92.63"), (88.1, "en", "88.10"), (0.0, "vi", "0,00")])
def test_locale_numbers(value, lang, text):
    if isinstance(value, int):
        assert formatting.integer(value, lang) == text
    else:
        assert formatting.points(value, lang) == text


def test_change_and_rank():
    assert formatting.change(1.254, "vi") == "+1,25"
    assert formatting.change(-0.5, "en") == "−0.50"  # with its decimals, as every change
    assert formatting.change(0.001, "en") == "0.00"
    assert formatting.change(-3, "vi", 0) == "−3"
    assert formatting.percent(58.2, "vi") == "58,20%"  # rates: two decimals everywhere
    assert formatting.percent(75.2, "en", keep_zeros=False) == "75.2%"  # a press quote
    assert formatting.rank(3, 13) == "3/13"


def test_each_metric_from_one_wide_row():
    wide = pd.DataFrame([{
        "records_received": 400, "records_resolved": 375, "records_resolved_on_time": 282,
        "records_resolved_late": 93, "apologies_issued": 31, "records_submitted_online": 100,
        "procedures_total": 375, "procedures_published": 282, "procedures_online_full": 100,
        "procedures_online_partial": 50, "records_digitised": 300, "plan_tasks_assigned": 133,
        "plan_tasks_completed": 39, "records_overdue": 7, "complaints_received": 1,
        "satisfaction_rate": 99.5}], index=pd.Index(["x"], name="code"))
    m = compute_metrics(wide).loc["x"]
    assert m["on_time_rate"] == pytest.approx(75.2)
    assert m["late_rate"] == pytest.approx(24.8)
    assert m["apology_rate"] == pytest.approx(31 / 93 * 100)
    assert m["online_submission_rate"] == pytest.approx(25.0)
    assert m["online_service_rate"] == pytest.approx(40.0)
    assert m["procedures_published_rate"] == pytest.approx(75.2)
    assert m["digitisation_rate"] == pytest.approx(75.0)
    assert m["plan_completion_rate"] == pytest.approx(29.3233, abs=1e-4)
    assert m["satisfaction_rate"] == 99.5
    assert m["service_satisfaction_766"] == pytest.approx(100 - 25.0 - 0.25)
    assert math.isnan(m["online_payment_rate"])  # no payable records reported
    assert set(METRICS) == set(m.index)


def test_no_late_record_means_apology_duty_met():
    wide = pd.DataFrame([{"records_resolved_late": 0, "apologies_issued": 0}], index=["x"])
    assert compute_metrics(wide).loc["x", "apology_rate"] == 100
