"""Cell text that is not what it seems: Vietnamese typed in pre-Unicode encodings (TCVN3, VNI,
Windows-1258), recognised and named but never converted silently, and Excel's error values."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Before Unicode, Vietnamese offices typed with fonts that drew Vietnamese letters in place of
# Western ones: TCVN3 (ABC, the .VnTime fonts) and VNI (VNI-Times). Such text survives in old
# spreadsheets and reads as "X· T©n Kú" (TCVN3) or "Xaõ Taân Kyø" (VNI) once the font is gone.
# Files saved by Windows in the "ANSI" code page come as Windows-1258. None of them is ever
# converted silently: a guess that is wrong would put garbled names into a published briefing, so
# the reader says which encoding the text looks like and how to convert it.

_TONES = "\u0300\u0309\u0303\u0301\u0323"  # grave, hook, tilde, acute, dot below: TCVN3's order


_TCVN3_PLAIN = {"ă": 0xA8, "â": 0xA9, "ê": 0xAA, "ô": 0xAB, "ơ": 0xAC, "ư": 0xAD, "đ": 0xAE,
                "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}


# Lowercase letters with a tone, in the order of _TONES (TCVN3 has no toned capitals).
_TCVN3_TONED = {
    "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9), "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB), "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6), "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4), "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE), "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9), "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}


def _tcvn3_table() -> dict[str, str]:
    """TCVN3 character (as a Western code page shows it) -> Unicode letter."""
    table = {chr(b): letter for letter, b in _TCVN3_PLAIN.items()}
    for base, codes in _TCVN3_TONED.items():
        for tone, b in zip(_TONES, codes):
            table[chr(b)] = unicodedata.normalize("NFC", base + tone)
    return table


# VNI writes a letter as its base letter followed by a mark character; ơ, ư, đ, the toned i and
# ỵ have characters of their own. Marks by modifier, for no tone then the tones of _TONES:
_VNI_MARKS = {"": ("", "ø", "û", "õ", "ù", "ï"), "\u0302": ("â", "à", "å", "ã", "á", "ä"),
              "\u0306": ("ê", "è", "ú", "ü", "é", "ë")}


_VNI_I = ("i", "ì", "æ", "ó", "í", "ò")


def _vni_table() -> dict[str, str]:
    """VNI sequence (one or two characters as a Western code page shows them) -> Unicode letter."""
    table = {"ñ": "đ", "Ñ": "Đ"}
    for base in "aăâeêioôơuưy":
        for t, tone in enumerate(("",) + tuple(_TONES)):
            letter = unicodedata.normalize("NFC", base + tone)
            d = unicodedata.normalize("NFD", base)
            modifier = d[1:] if d[1:] in ("\u0302", "\u0306") else ""
            if base == "ơ" or base == "ư":
                code = {"ơ": "ô", "ư": "ö"}[base] + _VNI_MARKS[""][t]
            elif base == "i":
                code = _VNI_I[t]
            elif base == "y" and tone == "\u0323":
                code = "î"
            else:
                code = d[0] + _VNI_MARKS[modifier][t]
            if code != letter:
                table[code] = letter
                table[code.upper()] = letter.upper()
    return table


_TCVN3 = _tcvn3_table()


_VNI = _vni_table()


# Vowel nuclei of Vietnamese syllables, without tone marks. Those that end in a glide take no
# final consonant ("ao", never "aon") and carry the tone on their first vowel (on the middle one
# of three: "bão", "người"); "ch" and "nh" only follow a, ê, i, y ("sách", "bệnh", "tỉnh").
_OPEN = ["ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui",
         "ưa", "ưi", "ưu", "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "uya", "uyu",
         "ươi", "ươu"]


_CLOSED = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "iê", "yê", "oa", "oă",
           "oe", "oo", "uâ", "uê", "uô", "uơ", "uy", "ươ", "uyê"]


_PALATAL = ["a", "ê", "i", "y", "oa", "uê", "uy"]


# Onsets and codas include those of ethnic-minority place names (Krông Búk, Đắk Lắk, Plei Ku).
_ONSETS = ("ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|kr|pl|pr|bl|br|dr|đr|gl|kl|hr|"
           "b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x|j|f|w|z")


def _alternatives(items: list[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


_SYLLABLE = re.compile(
    f"^(?:{_ONSETS})?(?:(?P<open>{_alternatives(_OPEN)})"
    f"|(?:{_alternatives(_PALATAL)})(?:ch|nh)"
    f"|(?:{_alternatives(_CLOSED)})(?:ng|c|m|n|p|t|k|l|h|s)?)$")


_WORD_BREAK = re.compile(r"[\s\d!-/:-@\[-`{-~\u2013\u2014]+")


def _syllable(word: str) -> bool:
    """A Vietnamese syllable: onset, vowel nucleus, coda, at most one tone mark in its place."""
    letters: list[str] = []
    toned = []  # index of the letter each tone mark sits on
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            toned.append(len(unicodedata.normalize("NFC", "".join(letters))) - 1)
        else:
            letters.append(ch)
    m = _SYLLABLE.match(unicodedata.normalize("NFC", "".join(letters)))
    if not m or len(toned) > 1:
        return False
    if toned and m.group("open"):
        return toned[0] == m.start("open") + (len(m.group("open")) == 3)
    return True


def _score(text: str) -> tuple[int, int]:
    """(Vietnamese syllables, other words) among the words with a non-ASCII character."""
    # A lone symbol (©, °) is no word; a symbol inside a word (X·) is what legacy text shows.
    words = [w for w in _WORD_BREAK.split(text)
             if w and not w.isascii() and any(ch.isalpha() for ch in w)]
    good = sum(_syllable(w) for w in words)
    return good, len(words) - good


def _tcvn3_decode(text: str) -> str:
    return "".join(_TCVN3.get(ch, ch) for ch in text)


def _vni_decode(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        for size in (2, 1):
            if text[i:i + size] in _VNI:
                out.append(_VNI[text[i:i + size]])
                i += size
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


LEGACY_ENCODINGS = {
    # name -> (how to say it, how to convert it)
    "TCVN3": ("TCVN3 (ABC) text, from the old .VnTime fonts",
              "source TCVN3 (ABC), destination Unicode"),
    "VNI": ("VNI text, from the old VNI-Times fonts", "source VNI Windows, destination Unicode"),
}


def legacy_text(text: str) -> tuple[str, str] | None:
    """(encoding, what the text reads) when Unicode text was typed in TCVN3 or VNI; else None.

    Such text only holds characters up to U+00FF, and some of its words are no Vietnamese
    syllable until decoded; genuine Vietnamese (with ư, ơ, ạ, ...) is never taken for it.
    """
    if text.isascii() or any(ord(ch) > 0xFF for ch in text):
        return None
    before = _score(text)[1]
    if before == 0:
        return None
    found = []
    for name, decode in (("VNI", _vni_decode), ("TCVN3", _tcvn3_decode)):
        out = decode(text)
        good, bad = _score(out)
        # Names of ethnic-minority places (Krông, Jút) are no Vietnamese syllables: a few stay.
        if out != text and good and bad < before and bad <= good:
            found.append((bad, -good, name, out))
    found.sort()
    # The reading with the fewest non-syllables wins; a tie means the text cannot be told.
    if not found or (len(found) > 1 and found[0][:2] == found[1][:2]):
        return None
    return found[0][2], found[0][3]


def guess_encoding(data: bytes) -> tuple[str, Callable[[bytes], str]] | None:
    """The Vietnamese 8-bit encoding bytes that are not UTF-8 are in, if exactly one fits.

    Each candidate decodes the whole file; the one whose words are Vietnamese syllables wins.
    Text with only letters that Western code pages share (á, à, é, ...) fits several: no guess.
    """
    candidates = {
        "Windows-1258": lambda b: unicodedata.normalize("NFC", b.decode("cp1258", "replace")),
        "VNI": lambda b: _vni_decode(b.decode("latin-1")),
        "TCVN3": lambda b: _tcvn3_decode(b.decode("latin-1")),
    }
    fits = []
    for name, decode in candidates.items():
        good, bad = _score(decode(data))
        if good and bad <= good // 4:  # a few foreign or ethnic-minority names are fine
            fits.append((bad, -good, name))
    fits.sort()
    if not fits or (len(fits) > 1 and fits[0][:2] == fits[1][:2]):
        return None
    return fits[0][2], candidates[fits[0][2]]


# What Excel shows in a cell whose formula failed; its saved value is this text.
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                "#GETTING_DATA", "#SPILL!", "#CALC!")
