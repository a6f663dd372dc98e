"""Message catalogues (bản dịch): every sentence a briefing or overview prints, in vi and en.

The catalogues are ``resources/messages/<lang>.yaml``: nested mappings whose leaves are
str.format templates, addressed by dotted keys (``news.lead``). Values are formatted for
the language before they reach a template (``formatting``), so a template only places them.
Both catalogues must have the same keys and, per key, the same fields; a missing key or a
missing field is an error that names the key, the language and the file.
"""

from __future__ import annotations

import string
from functools import lru_cache
from importlib import resources
from pathlib import Path

from parbrief.core import safe_yaml

LANGS = ("vi", "en")


class MessageError(KeyError):
    """A message key or a field of a message is missing."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return lang


def catalogue_path(lang: str) -> Path:
    check_lang(lang)
    return Path(str(resources.files("parbrief") / "resources" / "messages" / f"{lang}.yaml"))


def _flatten(node: dict, prefix: str, out: dict[str, str], file: Path) -> None:
    for key, value in node.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, full + ".", out, file)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise MessageError(f"{file}: message {full!r} must be a string (quote it), "
                               f"got {type(value).__name__}")


@lru_cache(maxsize=len(LANGS))
def catalogue(lang: str) -> dict[str, str]:
    """Every message of one language by dotted key."""
    file = catalogue_path(lang)
    doc = safe_yaml.load_file(file)
    if not isinstance(doc, dict):
        raise MessageError(f"{file}: expected a mapping of message keys")
    out: dict[str, str] = {}
    _flatten(doc, "", out, file)
    return out


def fields(template: str) -> set[str]:
    """The names a template needs: ``"{name} đạt {index} điểm"`` -> {"name", "index"}."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            if field == "" or field.isdigit():
                raise MessageError(f"positional field in message {template!r}: name every field")
            names.add(field.split(".")[0].split("[")[0])
    return names


def t(key: str, lang: str, **values) -> str:
    """The message ``key`` in ``lang`` with its fields filled in."""
    messages = catalogue(check_lang(lang))
    try:
        template = messages[key]
    except KeyError:
        raise MessageError(f"no message {key!r} in the {lang} catalogue ({catalogue_path(lang)}); "
                           f"add it to every catalogue in resources/messages/") from None
    missing = fields(template) - set(values)
    if missing:
        raise MessageError(f"message {key!r} ({lang}) needs field(s) {', '.join(sorted(missing))}; "
                           f"given: {', '.join(sorted(values)) or 'none'}")
    return template.format(**values)


def ordinal(n: int, lang: str) -> str:
    """3 -> "3rd" in English; Vietnamese writes the number after "thứ" ("xếp thứ 3")."""
    from parbrief.core.formatting import integer

    n = int(n)
    text = integer(n, check_lang(lang))  # 1.234 / 1,234, like every other number
    if lang == "vi":
        return text
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{text}{suffix}"


def join(items: list[str], lang: str) -> str:
    """["a", "b", "c"] -> "a, b và c" / "a, b and c"."""
    items = [s for s in items if s]
    if len(items) <= 1:
        return "".join(items)
    return t("words.list", lang, head=", ".join(items[:-1]), last=items[-1])


__all__ = ["LANGS", "MessageError", "catalogue", "check_lang", "fields", "join", "ordinal", "t"]
