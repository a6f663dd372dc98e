"""Display blocks: the small dicts every section is made of (heading, paragraph, note, list,
table), and the plain values their data carry."""

from __future__ import annotations

import pandas as pd

from parbrief.core.periods import Quarter


def number_or_none(x) -> float | None:
    """A plain float, or None for missing (NaN, NA, None)."""
    if x is None:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        return None
    return float(x)


def json_value(x):
    """A JSON-safe raw value for table data (CSV)."""
    if x is None or isinstance(x, (str, bool)):
        return x
    if isinstance(x, Quarter):
        return str(x)
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return x.item() if hasattr(x, "item") else x  # numpy scalars -> Python numbers


def heading(text: str, level: int = 2) -> dict:
    return {"kind": "heading", "level": level, "text": text}


def paragraph(text: str) -> dict:
    return {"kind": "paragraph", "text": text}


def note(text: str) -> dict:
    return {"kind": "note", "text": text}


def bullet_list(items: list[str]) -> dict:
    return {"kind": "list", "items": list(items)}


def table(name: str, title: str, columns: list[str], rows: list[list[str]], *,
          data_columns: list[str], data_rows: list[list], highlight: int | None = None) -> dict:
    return {"kind": "table", "name": name, "title": title, "columns": columns,
            "rows": [[str(v) for v in r] for r in rows], "highlight": highlight,
            "data": {"columns": data_columns, "rows": [[json_value(v) for v in r] for r in data_rows]}}
