"""Numbers as each language writes them, through Babel's CLDR data.

Vietnamese: decimal comma, dot thousands ("92,62", "9.330"); English: "92.62", "9,330".
Values are rounded half up first (the way published results are rounded), then formatted, so
Babel's own half-even rounding never decides a digit.
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal

from parbrief.core.rounding import round_half_up

LOCALES = {"vi": "vi_VN", "en": "en_US"}
MISSING = {"vi": "–", "en": "–"}


def _locale(lang: str) -> str:
    try:
        return LOCALES[lang]
    except KeyError:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LOCALES)}") from None


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, lang: str, decimals: int = 2, keep_zeros: bool = False) -> str:
    """92.625 -> "92,63" (vi) / "92.63" (en); trailing zeros dropped unless ``keep_zeros``."""
    if _missing(value):
        return MISSING[lang]
    rounded = round_half_up(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # never print "-0"
    frac = ("0" * decimals) if keep_zeros else ("#" * decimals)
    pattern = "#,##0" + (f".{frac}" if decimals else "")
    return format_decimal(rounded, format=pattern, locale=_locale(lang))


def integer(value, lang: str) -> str:
    """9330 -> "9.330" (vi) / "9,330" (en)."""
    if _missing(value):
        return MISSING[lang]
    return format_decimal(int(round_half_up(float(value), 0)), format="#,##0",
                          locale=_locale(lang))


# English house style spells out a count under ten in running text ("two areas"); Vietnamese
# writes the digits ("2 lĩnh vực").
COUNT_WORDS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def count(value, lang: str) -> str:
    """A count in running text: "two" (en, under ten), "2" (vi), "12" (both)."""
    if not _missing(value) and lang == "en" and 0 <= float(value) < 10 \
            and float(value) == int(value):
        return COUNT_WORDS_EN[int(value)]
    return integer(value, lang)


def points(value, lang: str) -> str:
    """Index and points with the 2 decimals results are published with: "92,62"."""
    return number(value, lang, 2, keep_zeros=True)


def percent(value, lang: str, decimals: int = 2, keep_zeros: bool = True) -> str:
    """A rate with the two decimals every rate is shown with: "75.20%" / "75,20%",
    "29.32%" / "29,32%". ``keep_zeros=False`` drops trailing zeros, as the press writes a
    single figure ("75,2%")."""
    if _missing(value):
        return MISSING[lang]
    return number(value, lang, decimals, keep_zeros=keep_zeros) + "%"


def change(value, lang: str, decimals: int = 2, unit: str = "") -> str:
    """A signed change with its decimals: "+1.25", "−0.50", "0.00"; a missing comparison is
    a dash."""
    if _missing(value):
        return MISSING[lang]
    rounded = round_half_up(float(value), decimals)
    text = number(abs(rounded), lang, decimals, keep_zeros=True)
    sign = "+" if rounded > 0 else ("−" if rounded < 0 else "")
    return f"{sign}{text}{unit}"


def rank(position, of, lang: str = "en") -> str:
    """Ranks are written "3/13" in both languages."""
    if _missing(position) or _missing(of):
        return MISSING[lang]
    return f"{int(position)}/{int(of)}"


__all__ = ["number", "integer", "points", "percent", "change", "rank", "LOCALES"]
