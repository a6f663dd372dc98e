"""The columns of the tables a data set is read into: one home for every module that reads,
validates or writes them."""

from __future__ import annotations

FIGURE_COLUMNS = ["locality_code", "period", "indicator", "value", "source"]


APPRAISAL_COLUMNS = ["methodology", "locality_code", "period", "criterion", "points", "source"]


# Optional columns of the long table: informative, and checked against the register.
OPTIONAL_FIGURE_COLUMNS = ["parent_code", "locality_name"]


WIDE_ID_COLUMNS = ["locality_code", "locality_name", "parent_code"]
