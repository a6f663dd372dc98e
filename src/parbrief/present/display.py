"""Blocks -> notebook outputs (the display contract read by ``render``).

A block is a JSON-serialisable dict (heading, lead, paragraph, list, figures, table, chart,
note) whose strings are already formatted for one language. Each block becomes one
``display_data`` output carrying escaped HTML (what JupyterLab shows), plain text, the block
itself as ``application/vnd.parbrief+json`` (what the renderers read) and, for charts, the SVG.
The Markdown form Quarto reads (``block_markdown``) is not stored: it is made from the block
when Quarto is given the notebook (``publish.contract.published_notebook``), so a table is kept
three times, not four. Data values end up in HTML, so every string is escaped: a locality name
or a source note containing ``<script>`` prints as text.
"""

from __future__ import annotations

from html import escape

BLOCK_MIME = "application/vnd.parbrief+json"
SUMMARY_MIME = "application/vnd.parbrief.summary+json"
KINDS = ("heading", "lead", "paragraph", "list", "figures", "table", "chart", "note")


def _e(text) -> str:
    return escape(str(text), quote=True)


def _check(block: dict) -> str:
    kind = block.get("kind") if isinstance(block, dict) else None
    if kind not in KINDS:
        raise ValueError(f"not a display block: kind {kind!r}; kinds: {', '.join(KINDS)}")
    return kind


def block_html(block: dict) -> str:
    """An HTML fragment for one block; every data string is escaped."""
    kind = _check(block)
    if kind == "heading":
        level = 1 if block.get("level") == 1 else 2
        return f"<h{level}>{_e(block['text'])}</h{level}>"
    if kind == "lead":
        return f'<p class="parbrief-lead"><strong>{_e(block["text"])}</strong></p>'
    if kind == "paragraph":
        return f"<p>{_e(block['text'])}</p>"
    if kind == "note":
        return f'<p class="parbrief-note"><small>{_e(block["text"])}</small></p>'
    if kind == "list":
        items = "".join(f"<li>{_e(item)}</li>" for item in block["items"])
        return f'<ul class="parbrief-list">{items}</ul>'
    if kind == "figures":
        tiles = "".join(
            '<div class="parbrief-figure" style="display:inline-block;min-width:9em;'
            'margin:0 1.2em 0.8em 0;vertical-align:top">'
            f'<div class="parbrief-figure-label" style="font-size:85%;color:#555">'
            f'{_e(item["label"])}</div>'
            f'<div class="parbrief-figure-value" style="font-size:150%;font-weight:bold">'
            f'{_e(item["value"])}</div>'
            f'<div class="parbrief-figure-change" style="font-size:85%;color:#555">'
            f'{_e(item.get("change", ""))}</div></div>'
            for item in block["items"])
        return f'<div class="parbrief-figures">{tiles}</div>'
    if kind == "table":
        head = "".join(f"<th>{_e(c)}</th>" for c in block["columns"])
        rows = []
        for i, row in enumerate(block["rows"]):
            cls = ' class="parbrief-highlight" style="font-weight:bold;background:#fff4e6"' \
                if i == block.get("highlight") else ""
            rows.append(f"<tr{cls}>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>")
        return (f'<table class="parbrief-table"><caption>{_e(block["title"])}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    # chart: the SVG is our own output (matplotlib escapes the text it writes); title and alt
    # are data and escaped here.
    return (f'<figure class="parbrief-chart"><div role="img" aria-label="{_e(block["alt"])}">'
            f'{block["svg"]}</div><figcaption>{_e(block["title"])}</figcaption></figure>')


def _text_table(columns: list[str], rows: list[list[str]], highlight) -> str:
    table = [list(map(str, columns))] + [list(map(str, r)) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    lines = []
    for k, row in enumerate(table):
        mark = "> " if k - 1 == highlight and k > 0 else "  "
        lines.append(mark + "  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
        if k == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def block_text(block: dict) -> str:
    """Plain text for one block (console, text/plain readers)."""
    kind = _check(block)
    if kind == "heading":
        text = block["text"]
        return f"{text}\n{('=' if block.get('level') == 1 else '-') * len(text)}"
    if kind in ("lead", "paragraph", "note"):
        return block["text"]
    if kind == "list":
        return "\n".join(f"- {item}" for item in block["items"])
    if kind == "figures":
        return "\n".join(f"{i['label']}: {i['value']}" + (f" ({i['change']})" if i.get("change")
                                                           else "") for i in block["items"])
    if kind == "table":
        return block["title"] + "\n" + _text_table(block["columns"], block["rows"],
                                                   block.get("highlight"))
    return f"[{block['title']}] {block['alt']}"


# Characters with a meaning in Pandoc's Markdown: a backslash makes each print as itself.
_MD_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|$~^@:\"'")


def md_escape(text) -> str:
    """A data string as Markdown that prints literally (Quarto renders Markdown outputs)."""
    s = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)


def _md_table(columns: list[str], rows: list[list[str]], numeric: list[bool]) -> str:
    def cells(values) -> str:
        return "| " + " | ".join(md_escape(v) or " " for v in values) + " |"
    rule = "|" + "|".join("---:" if n else ":---" for n in numeric) + "|"
    return "\n".join([cells(columns), rule] + [cells(r) for r in rows])


def _numeric(columns: list[str], rows: list[list[str]]) -> list[bool]:
    import re

    number = re.compile(r"^[+\-−–]?[\d.,\s]*\d[\d.,\s]*%?$|^[–—…-]$|^\d+/\d+$")
    return [bool(col) and all(number.match(c) for c in col)
            for col in ([str(r[i]).strip() for r in rows if i < len(r) and str(r[i]).strip()]
                        for i in range(len(columns)))]


def block_markdown(block: dict) -> str:
    """Pandoc Markdown for one block (what Quarto renders natively in PDF and Word, where
    text/html is not understood, so its documents read like the HTML; every data string is
    escaped). Charts have none: Quarto shows their picture."""
    kind = _check(block)
    if kind == "heading":
        return ("# " if block.get("level") == 1 else "## ") + md_escape(block["text"])
    if kind == "lead":
        return f"**{md_escape(block['text'])}**"
    if kind == "paragraph":
        return md_escape(block["text"])
    if kind == "note":
        return f"*{md_escape(block['text'])}*"
    if kind == "list":
        return "\n".join(f"- {md_escape(item)}" for item in block["items"])
    if kind == "figures":
        rows = [[i["label"], i["value"], i.get("change", "")] for i in block["items"]]
        return _md_table(["", "", ""], rows, [False, True, False])
    if kind == "table":
        columns = [str(c) for c in block["columns"]]
        rows = [[str(v) for v in r] for r in block["rows"]]
        table = _md_table(columns, rows, _numeric(columns, rows))
        return f"{table}\n\n: {md_escape(block['title'])}" if block.get("title") else table
    return ""


def bundle(block: dict) -> dict:
    """The ``data`` of the display_data output for one block."""
    if block["kind"] == "chart":
        # The picture is stored once, as the standard image types JupyterLab shows; the block
        # JSON carries only its words (render puts svg and png back from these).
        words = {k: v for k, v in block.items() if k not in ("svg", "png")}
        data = {"image/svg+xml": block["svg"], "text/plain": block_text(block),
                BLOCK_MIME: words}
        if block.get("png"):
            data["image/png"] = block["png"]
        return data
    # no text/markdown: Quarto's copy gets it from the block (publish.contract)
    return {"text/html": block_html(block), "text/plain": block_text(block), BLOCK_MIME: block}


def metadata(lang: str, section: str) -> dict:
    return {"parbrief": {"lang": lang, "section": section}}


def show_blocks(blocks: list[dict], lang: str, section: str) -> None:
    """Display each block as one output tagged with its language and section."""
    from IPython.display import display

    for block in blocks:
        display(bundle(block), raw=True, metadata=metadata(lang, section))


def first_language(languages) -> str:
    """The language a notebook shows first (``languages`` as the parameters cell gives it)."""
    from parbrief.core.errors import ParameterError
    from parbrief.core.i18n import LANGS

    if isinstance(languages, str):
        languages = [s.strip() for s in languages.split(",") if s.strip()]
    for lang in languages:
        if lang not in LANGS:
            raise ParameterError(f"language {lang!r} is not supported",
                                 where=f"the parameters cell, languages = {list(languages)!r}",
                                 fix=f"use one or more of {', '.join(LANGS)}, e.g. "
                                     'languages = ["vi"]')
    if not languages:
        raise ParameterError("no language given", where="the parameters cell, languages = []",
                             fix='name one, e.g. languages = ["vi"]')
    return list(languages)[0]


def show_summary(summary: dict, text: str, lang: str | None = None) -> None:
    """The one language-neutral output of a report (what batch manifests and indexes read).

    JupyterLab shows its ``text/html``: the lead as a paragraph in the notebook's first
    language (``text/plain`` is monospace and wraps mid-word)."""
    from IPython.display import display

    data = {SUMMARY_MIME: summary, "text/plain": text}
    if lang is not None:
        data["text/html"] = f'<p class="parbrief-summary" lang="{_e(lang)}">{_e(text)}</p>'
    display(data, raw=True, metadata={"parbrief": {"summary": True}})


__all__ = [
    "BLOCK_MIME",
    "KINDS",
    "SUMMARY_MIME",
    "block_html",
    "block_markdown",
    "block_text",
    "bundle",
    "metadata",
    "first_language",
    "show_blocks",
    "show_summary",
]
