"""Rounding as results are published (no numpy or pandas: the renderer needs it too)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, decimals: int = 2) -> float:
    """Round as published results are rounded (92.625 -> 92.63), not banker's rounding.

    Goes through the shortest decimal repr of the float, so 0.125 and 2.675 round the way a
    reader of the printed number expects.
    """
    if value is None or math.isnan(float(value)):
        return float("nan")
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
