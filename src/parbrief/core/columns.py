"""The columns of the tables a data set is read into: one home for every module that reads,
validates or writes them."""

from __future__ import annotations

FIGURE_COLUMNS = ["locality_code", "period", "indicator", "value", "source"]


APPRAISAL_COLUMNS = ["methodology", "locality_code", "period", "criterion", "points", "source"]


# Optional column of the appraisal table: the locality's own points (tự đánh giá) beside the
# council's (``points``, thẩm định). A loaded table always has it (blank: not given).
OPTIONAL_APPRAISAL_COLUMNS = ["self_assessed"]
APPRAISAL_TABLE_COLUMNS = APPRAISAL_COLUMNS + OPTIONAL_APPRAISAL_COLUMNS


# Optional columns of the long table: informative, and checked against the register.
OPTIONAL_FIGURE_COLUMNS = ["parent_code", "locality_name"]


WIDE_ID_COLUMNS = ["locality_code", "locality_name", "parent_code"]
