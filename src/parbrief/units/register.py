"""The unit register (danh mục đơn vị hành chính), built from ``vietnamadminunits``.

Two registers are in force at different times:

* ``legacy``: 63 provinces -> ~700 districts -> ~10,000 communes, valid until 30 June 2025;
* ``2025``: 34 provinces -> 3,321 communes/wards/special zones, valid from 1 July 2025
  (Resolution 202/2025/QH15 abolished the district level).

Codes are strings and are reused across registers (a 2025 commune often keeps the code of one
of its predecessors), so a code is only meaningful together with a period.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pandas as pd

from parbrief.core.errors import UnknownLocalityError
from parbrief.core.names import match_key, nfc
from parbrief.core.periods import MERGER_QUARTER, Quarter, parse_period
from parbrief.units import crosswalk

# the registers' names and tables, looked up through this module by its callers
from parbrief.units.tables import LEGACY, LEVELS, REG_2025, register_for, table


@dataclass(frozen=True)
class Locality:
    """One administrative unit as it existed in one register."""

    code: str
    name: str
    short_name: str
    name_ascii: str
    slug: str
    level: str
    unit_type: str
    parent_code: str | None
    province_code: str
    register: str
    valid_from: date | None
    valid_to: date | None
    lat: float | None
    lon: float | None
    area_km2: float | None

    @property
    def file_stem(self) -> str:
        """``17266-xa-tan-ky``: unique (code) and readable (slug)."""
        return f"{self.code}-{self.slug}"

    def valid_in(self, period: Quarter) -> bool:
        return register_for(period) == self.register


def _to_locality(row: dict) -> Locality:
    def num(x):
        return None if x is None or pd.isna(x) else float(x)

    def day(x):
        return x if isinstance(x, date) else None

    return Locality(
        code=row["code"], name=row["name"], short_name=row["short_name"],
        name_ascii=row["name_ascii"], slug=row["slug"], level=row["level"],
        unit_type=row["unit_type"],
        parent_code=None if pd.isna(row["parent_code"]) else row["parent_code"],
        province_code=row["province_code"], register=row["register"],
        valid_from=day(row["valid_from"]), valid_to=day(row["valid_to"]),
        lat=num(row["lat"]), lon=num(row["lon"]), area_km2=num(row["area_km2"]),
    )


@lru_cache(maxsize=4)
def _by_code(register: str) -> dict[str, Locality]:
    return {r["code"]: _to_locality(r) for r in table(register).to_dict("records")}


def warm_up() -> None:
    """Load both registers and the crosswalk: a warm kernel does it once, before any briefing."""
    _by_code(LEGACY)
    _by_code(REG_2025)
    crosswalk.commune_crosswalk()
    crosswalk.district_crosswalk()


def get(code: str, period: Quarter | str) -> Locality:
    """The unit with this code in the register in force in ``period``.

    An unknown code is an error; a legacy code asked for after the merger (or the reverse)
    says which register it belongs to and, for legacy communes, names the successor.
    """
    period = parse_period(period)  # a year's units are those of its last quarter
    code = str(code).strip()
    reg = register_for(period)
    units = _by_code(reg)
    if code in units:
        return units[code]
    other = LEGACY if reg == REG_2025 else REG_2025
    hint = ""
    if code in _by_code(other):
        old = _by_code(other)[code]
        if reg == REG_2025:
            successors = successors_of(code)
            names = ", ".join(f"{s.code} {s.name}" for s in successors)
            hint = (f" {old.name} ({code}) existed until 30 June 2025; from {MERGER_QUARTER} report "
                    f"under its successor: {names}" if names else
                    f" {old.name} ({code}) existed until 30 June 2025")
        else:
            hint = f" {old.name} ({code}) exists only from 1 July 2025 ({MERGER_QUARTER})"
    else:
        close = difflib.get_close_matches(code, list(units), n=3, cutoff=0.6)
        if close:
            hint = " Closest codes: " + ", ".join(f"{c} {units[c].name}" for c in close)
    raise UnknownLocalityError(
        f"unknown locality code {code!r} in the {reg} register (period {period}).{hint}".rstrip())


def exists(code: str, period: Quarter | str) -> bool:
    return str(code) in _by_code(register_for(period))


def children(parent_code: str, period: Quarter | str, level: str | None = None) -> list[Locality]:
    """Units directly or indirectly under ``parent_code`` at ``level`` (default: the next level)."""
    reg = register_for(period)
    parent = get(parent_code, period)
    df = table(reg)
    if level is None:
        level = "district" if (parent.level == "province" and reg == LEGACY) else "commune"
    if parent.level == "province":
        sel = df[(df.province_code == parent.code) & (df.level == level)]
    else:
        sel = df[(df.parent_code == parent.code) & (df.level == level)]
    units = _by_code(reg)
    return [units[c] for c in sel.code]


def localities(period: Quarter | str, level: str, parent: str | None = None) -> list[Locality]:
    """All units of ``level`` (optionally under ``parent``) in force in ``period``."""
    if parent is not None:
        return children(parent, period, level)
    df = table(register_for(period))
    units = _by_code(register_for(period))
    return [units[c] for c in df[df.level == level].code]


def find(name: str, period: Quarter | str, level: str | None = None,
         parent: str | None = None) -> Locality:
    """Look a unit up by name: exact after NFC, then case- and diacritic-insensitive.

    ``Tân Kỳ``, ``Xã Tân Kỳ`` and ``tan ky`` all find Xã Tân Kỳ; an unknown or ambiguous name
    is an error listing the closest matches with their codes.
    """
    reg = register_for(period)
    df = table(reg)
    if level:
        df = df[df.level == level]
    if parent:
        p = get(parent, period)
        df = df[(df.parent_code == p.code) | (df.province_code == p.code)] if p.level == "province" \
            else df[df.parent_code == p.code]
    wanted = nfc(name)
    hits = df[(df["name"] == wanted) | (df.short_name == wanted)]
    if hits.empty:
        key = match_key(wanted)
        hits = df[(df["name"].map(match_key) == key) | (df.short_name.map(match_key) == key)]
    units = _by_code(reg)
    if len(hits) == 1:
        return units[hits.code.iloc[0]]
    where = f" in the {reg} register" + (f" under {parent}" if parent else "")
    if len(hits) > 1:
        options = "; ".join(f"{c} {units[c].name} (in {units[c].parent_code})" for c in hits.code[:8])
        raise UnknownLocalityError(
            f"ambiguous locality name {name!r}{where}: {options}. Give the code or the parent.")
    pool = {match_key(n): c for n, c in zip(df["name"], df.code)}
    pool.update({match_key(n): c for n, c in zip(df.short_name, df.code)})
    close = difflib.get_close_matches(match_key(wanted), list(pool), n=3, cutoff=0.5)
    seen: list[str] = []
    for k in close:
        if pool[k] not in seen:
            seen.append(pool[k])
    hint = (" Did you mean: " + ", ".join(f"{c} {units[c].name}" for c in seen) + "?") if seen else ""
    raise UnknownLocalityError(f"unknown locality name {name!r}{where}.{hint}")


def successors_of(legacy_code: str) -> list[Locality]:
    """2025 communes that took over a legacy commune or district (default successor first)."""
    from parbrief.units.crosswalk import (
        commune_crosswalk,  # local import: crosswalk builds on this module
    )

    cw = commune_crosswalk()
    legacy = _by_code(LEGACY).get(str(legacy_code))
    if legacy is None:
        return []
    col = "legacy_district_code" if legacy.level == "district" else "legacy_commune_code"
    if legacy.level == "province":
        col = "legacy_province_code"
    sel = cw[cw[col] == legacy.code].sort_values(["default_successor", "share"], ascending=False)
    units = _by_code(REG_2025)
    return [units[c] for c in dict.fromkeys(sel.commune_code)]


__all__ = ["LEGACY", "LEVELS", "REG_2025", "Locality", "children", "exists", "find", "get",
           "localities", "register_for", "successors_of", "table", "warm_up"]
