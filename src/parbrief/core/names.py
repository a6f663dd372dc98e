"""Vietnamese names: Unicode normalisation, ASCII forms and file-name slugs."""

from __future__ import annotations

import re
import unicodedata


def nfc(text: str) -> str:
    """Names typed on different keyboards arrive composed (NFC) or decomposed (NFD)."""
    return unicodedata.normalize("NFC", str(text)).strip()


def ascii_name(text: str) -> str:
    """``Xã Tân Kỳ`` -> ``Xa Tan Ky``. đ/Đ are letters, not accented d, so map them by hand."""
    s = nfc(text).replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def match_key(text: str) -> str:
    """Case- and diacritic-insensitive key used as the matching fallback."""
    return re.sub(r"\s+", " ", ascii_name(text).casefold()).strip()


def slug(text: str) -> str:
    """``Xã Tân Kỳ`` -> ``xa-tan-ky``: safe in file names and URLs on every system."""
    s = re.sub(r"[^a-z0-9]+", "-", ascii_name(text).lower())
    return s.strip("-") or "unnamed"
