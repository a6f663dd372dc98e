"""Rounding as results are published, and the one rule every displayed number follows
(no numpy or pandas: the renderer needs it too).

The rule (stated in every report's notes): each value is shown rounded half up to two
decimals; a change is the difference of the two values as shown; parts shown beside their total
(area points under "Tổng điểm", localities per class under 100 %) are rounded by the largest
remainder method, so that the parts shown add up to the total shown; a share of a maximum is
computed from the points as shown. A reader with a calculator gets the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

DECIMALS = 2  # indices, points and rates are published with two decimals


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def round_half_up(value: float, decimals: int = 2) -> float:
    """Round as published results are rounded (92.625 -> 92.63), not banker's rounding.

    Goes through the shortest decimal repr of the float, so 0.125 and 2.675 round the way a
    reader of the printed number expects.
    """
    if value is None or math.isnan(float(value)):
        return float("nan")
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def displayed(value, decimals: int = DECIMALS) -> float | None:
    """The value as it is shown (rounded half up), or None when it is missing."""
    return None if _missing(value) else round_half_up(float(value), decimals)


def displayed_difference(a, b, decimals: int = DECIMALS) -> float | None:
    """A change as a reader computes it from the two values shown: shown(a) − shown(b).

    96.494 % against 98.466 % is shown as 96,49% and 98,47%, so the change is −1,98, not the
    −1,97 of the unrounded values. None when either value is missing.
    """
    if _missing(a) or _missing(b):
        return None
    return round_half_up(round_half_up(float(a), decimals) - round_half_up(float(b), decimals),
                         decimals)


def displayed_share(part, whole, decimals: int = DECIMALS) -> float | None:
    """``part`` as a percentage of ``whole``, both as shown: 5,50 of 8 is 68,75 %."""
    if _missing(part) or _missing(whole) or not float(whole):
        return None
    shown_part = round_half_up(float(part), decimals)
    return round_half_up(shown_part / round_half_up(float(whole), decimals) * 100, decimals)


def round_to_total(parts: Sequence[float], total: float | None = None,
                   decimals: int = DECIMALS) -> list[float]:
    """Round ``parts`` so that the rounded parts add up to the rounded total (largest
    remainder method): each part is first rounded down, then the units still missing go to
    the parts with the largest remainders (the first of equal ones). ``total`` defaults to the
    sum of the parts; when it is not that sum (a total capped at its maximum), each part is
    rounded on its own, as no rounding can make them agree.

    Every part shown is within one unit of the last decimal of its exact value.
    """
    values = [0.0 if _missing(p) else float(p) for p in parts]
    exact_total = math.fsum(values)
    if total is None:
        total = exact_total
    if abs(float(total) - exact_total) > 1e-6:
        return [round_half_up(v, decimals) for v in values]
    scale = Decimal(1).scaleb(decimals)
    units = [Decimal(repr(v)) * scale for v in values]
    floors = [u.to_integral_value(rounding=ROUND_FLOOR) for u in units]
    target = (Decimal(repr(float(total))) * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    missing = int(target - sum(floors))
    order = sorted(range(len(values)), key=lambda i: (-(units[i] - floors[i]), i))
    for i in order[:max(missing, 0)]:
        floors[i] += 1
    return [float(f / scale) for f in floors]


__all__ = ["DECIMALS", "displayed", "displayed_difference", "displayed_share", "round_half_up",
           "round_to_total"]
