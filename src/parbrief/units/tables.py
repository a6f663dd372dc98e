"""The two unit registers as tables, built once from ``vietnamadminunits`` and cached.

* ``legacy``: 63 provinces -> ~700 districts -> ~10,000 communes, valid until 30 June 2025;
* ``2025``: 34 provinces -> 3,321 communes/wards/special zones, valid from 1 July 2025
  (Resolution 202/2025/QH15 abolished the district level).

``register`` looks units up in these tables; ``crosswalk`` links the two.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import pandas as pd

from parbrief.core import cache
from parbrief.core.fingerprint import code_fingerprint
from parbrief.core.names import ascii_name, nfc, slug
from parbrief.core.periods import MERGER_QUARTER, Quarter

LEGACY = "legacy"


REG_2025 = "2025"


LEVELS = ("province", "district", "commune")


LEGACY_VALID_TO = date(2025, 6, 30)


REG_2025_VALID_FROM = date(2025, 7, 1)


COLUMNS = [
    "code", "name", "short_name", "name_ascii", "slug", "level", "unit_type", "parent_code",
    "province_code", "register", "valid_from", "valid_to", "lat", "lon", "area_km2", "key",
]


def register_for(period: Quarter | str) -> str:
    """Which register a quarter's figures are reported against."""
    return REG_2025 if Quarter.parse(period) >= MERGER_QUARTER else LEGACY


def _unit_type(name: str, short: str) -> str:
    return name[: len(name) - len(short)].strip() if name.endswith(short) else ""


def _units(src: pd.DataFrame, level: str, prefix: str, parent: str | None, key_parts: list[str],
           register: str, area: str | None = None) -> pd.DataFrame:
    """One level of a register from the package's flat table (one row per commune)."""
    code = f"{prefix}Code"
    src = src[src[code].notna()].drop_duplicates(code)
    name = src[prefix].map(nfc)
    short = src[f"{prefix}Short"].map(nfc)
    if f"{prefix}Type" in src:
        unit_type = src[f"{prefix}Type"].map(nfc)
    else:
        unit_type = pd.Series([_unit_type(n, s) for n, s in zip(name, short)], index=src.index)
    out = pd.DataFrame({
        "code": src[code], "name": name, "short_name": short, "level": level,
        "unit_type": unit_type,
        "parent_code": src[parent] if parent else None,
        "province_code": src["provinceCode"], "register": register,
        "lat": src[f"{prefix}Lat"], "lon": src[f"{prefix}Lon"],
        "area_km2": src[area] if area else float("nan"),
        "key": ["_".join(parts) for parts in zip(*(src[k].astype(str) for k in key_parts))],
    })
    if register == LEGACY:
        out["valid_from"], out["valid_to"] = None, LEGACY_VALID_TO
    else:
        out["valid_from"], out["valid_to"] = REG_2025_VALID_FROM, None
    return out


@lru_cache(maxsize=1)
def _load() -> dict[str, pd.DataFrame]:
    """Both registers, from the cache when this package version and code built them before."""
    key = code_fingerprint("units", packages=("vietnamadminunits",))
    return cache.frames("register", key, (LEGACY, REG_2025), _build)


def _build() -> dict[str, pd.DataFrame]:
    # imported here: the package compiles its address parser on import (over a second)
    from vietnamadminunits.database import query

    legacy = pd.DataFrame(query("SELECT * FROM admin_units_legacy"))
    new = pd.DataFrame(query("SELECT * FROM admin_units"))
    frames = {
        LEGACY: [
            _units(legacy, "province", "province", None, ["provinceKey"], LEGACY),
            _units(legacy, "district", "district", "provinceCode",
                   ["provinceKey", "districtKey"], LEGACY),
            _units(legacy, "commune", "ward", "districtCode",
                   ["provinceKey", "districtKey", "wardKey"], LEGACY),
        ],
        REG_2025: [
            _units(new, "province", "province", None, ["provinceKey"], REG_2025),
            _units(new, "commune", "ward", "provinceCode", ["provinceKey", "wardKey"], REG_2025,
                   area="wardAreaKm2"),
        ],
    }
    out = {}
    for reg, parts in frames.items():
        frame = pd.concat(parts, ignore_index=True)
        frame["name_ascii"] = frame["name"].map(ascii_name)
        frame["slug"] = frame["name"].map(slug)
        # Stable order (level, then code) so that lists of peers never depend on the package's.
        frame["_level"] = frame.level.map({lvl: i for i, lvl in enumerate(LEVELS)})
        frame = frame.sort_values(["_level", "code"], kind="stable")
        # as Parquet gives it back: strings, a missing parent is NaN
        frame["parent_code"] = frame["parent_code"].astype("str")
        out[reg] = frame[COLUMNS].reset_index(drop=True)
    return out


def table(register: str) -> pd.DataFrame:
    """The whole register as a DataFrame (one row per unit); do not mutate."""
    return _load()[register]
