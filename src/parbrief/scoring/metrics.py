"""Rates derived from the raw quarterly figures (chỉ số tính từ số liệu báo cáo).

One function per metric, each a ratio of catalogue indicators in percent. Rates are kept at
full precision for scoring; ``press_percent`` rounds them the way the press writes them
(2 decimals, half up, trailing zeros dropped: 282/375 -> "75.2 %", 39/133 -> "29.32 %").
A rate whose whole is missing or zero is NaN ("not reported"), never 0 or 100 by accident,
except where the domain says otherwise (no late record means every late record got an apology).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from parbrief.core.rounding import round_half_up  # noqa: F401 - part of this module's interface


def _ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, part / whole * 100.0, np.nan)


class _Columns:
    """Indicator columns as float arrays (missing column: all NaN).

    Metrics run on numpy arrays: a briefing computes them for a handful of rows many times,
    where pandas' per-operation overhead would dominate.
    """

    def __init__(self, wide: pd.DataFrame):
        self._wide = wide
        self._cache: dict[str, np.ndarray] = {}

    def __call__(self, name: str) -> np.ndarray:
        if name not in self._cache:
            if name in self._wide.columns:
                self._cache[name] = pd.to_numeric(self._wide[name], errors="coerce") \
                    .to_numpy(dtype="float64", na_value=np.nan)
            else:
                self._cache[name] = np.full(len(self._wide), np.nan)
        return self._cache[name]


@dataclass(frozen=True)
class Metric:
    name: str
    inputs: tuple[str, ...]
    compute: Callable[[_Columns], np.ndarray]
    labels: dict
    higher_is_better: bool = True


def _share(part: str, whole: str) -> Callable[[_Columns], np.ndarray]:
    return lambda c: _ratio(c(part), c(whole))


def _online_services(c: _Columns) -> np.ndarray:
    return _ratio(c("procedures_online_full") + np.nan_to_num(c("procedures_online_partial")),
                  c("procedures_total"))


def _apology_rate(c: _Columns) -> np.ndarray:
    late = c("records_resolved_late")
    rate = np.minimum(_ratio(c("apologies_issued"), late), 100.0)
    # No late record: nothing to apologise for, the duty is fully met.
    return np.where(late == 0, 100.0, rate)


def _service_satisfaction(c: _Columns) -> np.ndarray:
    """Decision 766: satisfaction = 100 % - (overdue rate + complaint rate)."""
    overdue = _ratio(c("records_resolved_late") + np.nan_to_num(c("records_overdue")),
                     c("records_received"))
    complaints = _ratio(np.nan_to_num(c("complaints_received")), c("records_received"))
    return np.maximum(100.0 - overdue - complaints, 0.0)


def _percent(name: str) -> Callable[[_Columns], np.ndarray]:
    return lambda c: c(name).copy()


METRICS: dict[str, Metric] = {m.name: m for m in [
    Metric("on_time_rate", ("records_resolved_on_time", "records_resolved"),
           _share("records_resolved_on_time", "records_resolved"),
           {"vi": "Tỷ lệ hồ sơ giải quyết đúng hạn", "en": "Records resolved on time"}),
    Metric("late_rate", ("records_resolved_late", "records_resolved"),
           _share("records_resolved_late", "records_resolved"),
           {"vi": "Tỷ lệ hồ sơ giải quyết quá hạn", "en": "Records resolved late"},
           higher_is_better=False),
    Metric("overdue_pending_rate", ("records_overdue", "records_pending"),
           _share("records_overdue", "records_pending"),
           {"vi": "Tỷ lệ hồ sơ đang giải quyết đã quá hạn", "en": "Pending records overdue"},
           higher_is_better=False),
    Metric("apology_rate", ("apologies_issued", "records_resolved_late"), _apology_rate,
           {"vi": "Tỷ lệ hồ sơ quá hạn có văn bản xin lỗi", "en": "Late records with an apology"}),
    Metric("procedures_published_rate", ("procedures_published", "procedures_total"),
           _share("procedures_published", "procedures_total"),
           {"vi": "Tỷ lệ TTHC được công khai", "en": "Procedures publicly listed"}),
    Metric("online_full_service_rate", ("procedures_online_full", "procedures_total"),
           _share("procedures_online_full", "procedures_total"),
           {"vi": "Tỷ lệ TTHC trực tuyến toàn trình", "en": "Procedures fully online"}),
    Metric("online_service_rate",
           ("procedures_online_full", "procedures_online_partial", "procedures_total"),
           _online_services,
           {"vi": "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến", "en": "Procedures offered online"}),
    Metric("one_stop_shop_rate", ("procedures_at_one_stop_shop", "procedures_total"),
           _share("procedures_at_one_stop_shop", "procedures_total"),
           {"vi": "Tỷ lệ TTHC tiếp nhận tại Bộ phận Một cửa",
            "en": "Procedures handled at the one-stop shop"}),
    Metric("online_submission_rate", ("records_submitted_online", "records_received"),
           _share("records_submitted_online", "records_received"),
           {"vi": "Tỷ lệ hồ sơ nộp trực tuyến", "en": "Records submitted online"}),
    Metric("online_payment_rate", ("payments_online", "records_payable"),
           _share("payments_online", "records_payable"),
           {"vi": "Tỷ lệ thanh toán trực tuyến", "en": "Fees paid online"}),
    Metric("digitisation_rate", ("records_digitised", "records_received"),
           _share("records_digitised", "records_received"),
           {"vi": "Tỷ lệ số hóa hồ sơ", "en": "Records digitised"}),
    Metric("results_digitisation_rate", ("results_digitised", "records_resolved"),
           _share("results_digitised", "records_resolved"),
           {"vi": "Tỷ lệ số hóa kết quả giải quyết", "en": "Results digitised"}),
    Metric("satisfaction_rate", ("satisfaction_rate",), _percent("satisfaction_rate"),
           {"vi": "Mức độ hài lòng", "en": "Citizen satisfaction"}),
    Metric("service_satisfaction_766",
           ("records_resolved_late", "records_overdue", "complaints_received", "records_received"),
           _service_satisfaction,
           {"vi": "Mức độ hài lòng (100% − tỷ lệ quá hạn − tỷ lệ phản ánh)",
            "en": "Satisfaction (100 % − overdue − complaints)"}),
    Metric("plan_completion_rate", ("plan_tasks_completed", "plan_tasks_assigned"),
           _share("plan_tasks_completed", "plan_tasks_assigned"),
           {"vi": "Tỷ lệ nhiệm vụ kế hoạch CCHC hoàn thành", "en": "PAR plan tasks completed"}),
    Metric("legal_docs_error_rate", ("legal_docs_with_errors", "legal_docs_issued"),
           _share("legal_docs_with_errors", "legal_docs_issued"),
           {"vi": "Tỷ lệ văn bản QPPL có sai sót", "en": "Legal documents with errors"},
           higher_is_better=False),
    Metric("legal_docs_review_rate", ("legal_docs_reviewed", "legal_docs_issued"),
           _share("legal_docs_reviewed", "legal_docs_issued"),
           {"vi": "Tỷ lệ văn bản QPPL được rà soát", "en": "Legal documents reviewed"}),
    Metric("training_rate", ("civil_servants_trained", "civil_servants_total"),
           _share("civil_servants_trained", "civil_servants_total"),
           {"vi": "Tỷ lệ công chức được bồi dưỡng", "en": "Civil servants trained"}),
    Metric("electronic_documents_rate", ("documents_sent_electronic", "documents_sent"),
           _share("documents_sent_electronic", "documents_sent"),
           {"vi": "Tỷ lệ văn bản gửi điện tử", "en": "Documents sent electronically"}),
    Metric("digital_signature_rate", ("documents_digitally_signed", "documents_sent"),
           _share("documents_digitally_signed", "documents_sent"),
           {"vi": "Tỷ lệ văn bản ký số", "en": "Documents digitally signed"}),
    Metric("official_email_rate", ("official_email_use",), _percent("official_email_use"),
           {"vi": "Tỷ lệ sử dụng thư điện tử công vụ", "en": "Official e-mail use"}),
]}


def compute_metrics(wide: pd.DataFrame) -> pd.DataFrame:
    """Every metric for every row of a wide table (one row per locality, one column per
    indicator); a metric whose inputs are missing is NaN."""
    columns = _Columns(wide)
    return pd.DataFrame({name: m.compute(columns) for name, m in METRICS.items()},
                        index=wide.index)


def rate(part: float, whole: float) -> float:
    """One rate in percent at full precision; NaN when the whole is missing or zero."""
    if whole is None or part is None or not whole or whole != whole:
        return float("nan")
    return float(part) / float(whole) * 100.0


def press_percent(part: float, whole: float | None = None, lang: str = "en") -> str:
    """A rate as the press prints it: 2 decimals half up, trailing zeros dropped.

    ``press_percent(282, 375)`` -> "75.2 %" (English), "75,2%" (Vietnamese). With one argument
    the value is already a percent.
    """
    from parbrief.core.formatting import percent

    value = part if whole is None else rate(part, whole)
    return percent(value, lang, keep_zeros=False)


__all__ = ["METRICS", "Metric", "compute_metrics", "rate", "press_percent", "round_half_up"]
