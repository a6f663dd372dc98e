"""Crosswalk from the legacy register to the 2025 register (bảng chuyển đổi đơn vị).

Built from the converter data shipped by ``vietnamadminunits``. Most 2025 communes are whole
unions of legacy communes; some legacy communes were divided between several new ones. For a
divided commune the converter names a default successor and each successor's area. How its
figures are apportioned is a choice the briefing states:

* ``area`` (default): in proportion to the successors' areas;
* ``default``: everything to the default successor.

A legacy district's figures reach 2025 communes through its communes: each commune carries an
equal part of the district (the register has no population or area for legacy communes).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from parbrief.core import cache
from parbrief.core.fingerprint import code_fingerprint
from parbrief.units import tables as reg

APPORTIONMENT = ("area", "default")
APPORTIONMENT_NOTE = {
    "area": {
        "en": "figures of a former commune divided between several new communes are apportioned "
              "by the successors' areas",
        "vi": "số liệu của xã cũ bị chia cho nhiều xã mới được phân bổ theo tỷ lệ diện tích "
              "các xã mới",
    },
    "default": {
        "en": "figures of a former commune divided between several new communes are assigned "
              "entirely to its default successor",
        "vi": "số liệu của xã cũ bị chia cho nhiều xã mới được tính toàn bộ cho xã kế thừa "
              "mặc định",
    },
}


def _converter_data() -> dict:
    # found without importing the package (its import compiles an address parser)
    spec = importlib.util.find_spec("vietnamadminunits")
    path = Path(spec.submodule_search_locations[0]) / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def commune_crosswalk(apportionment: str = "area") -> pd.DataFrame:
    """One row per (legacy commune, 2025 commune) with the share of the legacy figures (kept in
    the cache: see ``_build_commune_crosswalk``)."""
    if apportionment not in APPORTIONMENT:
        raise ValueError(f"unknown apportionment {apportionment!r}: use one of {APPORTIONMENT}")
    key = hashlib.sha256(f"{apportionment}\0".encode() + code_fingerprint(
        "units", packages=("vietnamadminunits",)).encode()).hexdigest()
    return cache.frames("crosswalk", key, ("crosswalk",), lambda: {
        "crosswalk": _build_commune_crosswalk(apportionment)})["crosswalk"]


def _build_commune_crosswalk(apportionment: str) -> pd.DataFrame:
    """One row per (legacy commune, 2025 commune) with the share of the legacy figures.

    Columns: legacy_commune_code, legacy_district_code, legacy_province_code, commune_code,
    province_code, share, divided, default_successor. Shares of each legacy commune sum to 1.
    Island districts without communes appear with legacy_commune_code equal to the district.
    """
    if apportionment not in APPORTIONMENT:
        raise ValueError(f"unknown apportionment {apportionment!r}: use one of {APPORTIONMENT}")
    data = _converter_data()
    legacy = reg.table(reg.LEGACY)
    new = reg.table(reg.REG_2025)
    legacy_by_key = {k: r for k, r in zip(legacy.key, legacy.itertuples(index=False))}
    new_by_key = {k: r for k, r in zip(new.key, new.itertuples(index=False))}

    def legacy_unit(old_key: str):
        unit = legacy_by_key.get(old_key)
        if unit is None and old_key.endswith("_"):  # island district, no communes
            unit = legacy_by_key.get(old_key.rstrip("_"))
        return unit

    rows = []
    for new_prov, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            target = new_by_key.get(f"{new_prov}_{new_ward}")
            if target is None:
                continue
            for old_key in old_keys:
                unit = legacy_unit(old_key)
                if unit is None:
                    continue
                rows.append((unit, target, 1.0, False, True))
    for new_prov, divided in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, successors in divided.items():
            unit = legacy_unit(old_key)
            if unit is None:
                continue
            targets = [(new_by_key.get(f"{new_prov}_{s['newWardKey']}"), s) for s in successors]
            targets = [(t, s) for t, s in targets if t is not None]
            total_area = sum(s["newWardAreaKm2"] or 0 for _, s in targets) or 1.0
            for target, s in targets:
                if apportionment == "area":
                    share = (s["newWardAreaKm2"] or 0) / total_area
                else:
                    share = 1.0 if s["isDefaultNewWard"] else 0.0
                rows.append((unit, target, share, True, bool(s["isDefaultNewWard"])))
    out = pd.DataFrame(
        [
            dict(
                legacy_commune_code=u.code,
                legacy_district_code=u.parent_code if u.level == "commune" else u.code,
                legacy_province_code=u.province_code,
                commune_code=t.code,
                province_code=t.province_code,
                share=share,
                divided=divided,
                default_successor=default,
            )
            for u, t, share, divided, default in rows
        ]
    )
    out = out[out.share > 0].drop_duplicates(["legacy_commune_code", "commune_code"])
    return out.sort_values(["commune_code", "legacy_commune_code"]).reset_index(drop=True)


@lru_cache(maxsize=2)
def district_crosswalk(apportionment: str = "area") -> pd.DataFrame:
    """Share of each legacy district's figures that belongs to each 2025 commune.

    share(d -> c) = sum over the district's communes w of share(w -> c) / number of communes.
    """
    cw = commune_crosswalk(apportionment)
    n_communes = cw.groupby("legacy_district_code").legacy_commune_code.nunique()
    agg = cw.groupby(["legacy_district_code", "commune_code"], as_index=False).share.sum()
    agg["share"] = agg.share / agg.legacy_district_code.map(n_communes)
    return agg.sort_values(["commune_code", "legacy_district_code"]).reset_index(drop=True)


def predecessors(commune_code: str, level: str = "commune",
                 apportionment: str = "area") -> pd.DataFrame:
    """Legacy units (communes or districts) whose figures make up a 2025 commune's history.

    Returns columns ``legacy_code`` and ``share`` (the part of the legacy unit's figures that
    belongs to this commune).
    """
    if level == "district":
        cw = district_crosswalk(apportionment)
        sel = cw[cw.commune_code == str(commune_code)]
        return sel.rename(columns={"legacy_district_code": "legacy_code"})[["legacy_code", "share"]] \
            .reset_index(drop=True)
    cw = commune_crosswalk(apportionment)
    sel = cw[cw.commune_code == str(commune_code)]
    return sel.rename(columns={"legacy_commune_code": "legacy_code"})[["legacy_code", "share"]] \
        .reset_index(drop=True)
