"""What the briefing and overview models read: data sets (validated, cut to a province), the
methodology, and a peer group's scores, each cached while its files are unchanged."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from parbrief import __version__
from parbrief.core.periods import MERGER_QUARTER, Quarter
from parbrief.ingest.validated import load_validated
from parbrief.model.inputs import DataSlice, PeerGroup, digests
from parbrief.model.inputs import forget as forget_slices
from parbrief.scoring import engine as scoring
from parbrief.scoring import methodology as methodologies
from parbrief.scoring.spans import row_periods
from parbrief.units import crosswalk, register


def file_signature(path: str) -> tuple:
    """Names, sizes and modification times: a cached input is reloaded as soon as it changes
    (an analyst fixes a figure in JupyterLab and re-runs the notebook)."""
    p = Path(path)
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.exists())


def _given(methodology: str | None) -> tuple[str, ...]:
    """A methodology given by path must be known when the data set's appraisal rows are
    checked (they name it by its id); a shipped id or a data set's own needs no telling."""
    return (str(methodology),) if methodology and methodologies.is_file_name(methodology) \
        else ()


def _signature(path: str, methodology: str | None) -> tuple:
    given = _given(methodology)
    return file_signature(path) + tuple(file_signature(g) for g in given)


@lru_cache(maxsize=8)
def _load_dataset_cached(path: str, signature: tuple, given: tuple[str, ...]):
    return load_validated(path, partial=True, methodologies=given)


def load_dataset(path: str, methodology: str | None = None):
    """The validated data set (rows that failed validation left out, in ``problems``);
    ``methodology``: the one the report scores with, so that rows naming it by id are known."""
    return _load_dataset_cached(path, _signature(path, methodology), _given(methodology))


@lru_cache(maxsize=1)
def province_units(province: str) -> frozenset[str]:
    """Every unit a 2025 commune briefing of this province reads: the province, its communes
    (the peer group) and their legacy communes and districts (history before the merger)."""
    communes = {u.code for u in register.children(province, MERGER_QUARTER, level="commune")}
    codes = {province} | communes
    for apportionment in crosswalk.APPORTIONMENT:
        cw = crosswalk.commune_crosswalk(apportionment)
        mine = cw[cw.commune_code.isin(communes)]
        codes |= set(mine.legacy_commune_code) | set(mine.legacy_district_code)
    return frozenset(codes)


@lru_cache(maxsize=1)
def _province_dataset_cached(path: str, province: str, signature: tuple, given: tuple[str, ...]):
    return load_validated(path, only=province_units(province), partial=True, methodologies=given)


def province_dataset(path: str, province: str, methodology: str | None = None):
    """The data set cut to one 2025 province's units.

    A national data set holds about a million rows; a kernel running a province's commune
    briefings keeps only that province's, some thirty times fewer, and every selection a
    briefing makes scans that many fewer. Jobs run province by province, so one is kept.
    """
    return _province_dataset_cached(path, province, _signature(path, methodology),
                                    _given(methodology))


def dataset_for(path: str, parent: str | None, level: str, period, methodology: str | None = None):
    """The rows a peer group of 2025 communes can read: its province's; else all."""
    if parent and level == "commune" and register.register_for(period) == register.REG_2025:
        return province_dataset(path, register.get(parent, period).province_code, methodology)
    return load_dataset(path, methodology)


@lru_cache(maxsize=8)
def _load_methodology_cached(name: str, folder: str | None, signature: tuple):
    return methodologies.load(name, [Path(folder)] if folder else [])


def load_methodology(name: str, data: str | None = None):
    """A shipped id, a YAML file, or the id of a file in the data set's ``methodologies/``
    folder (``data``: the data set), reloaded as soon as its file changes."""
    folder = methodologies.folder_of(data) if data else None
    if Path(name).suffix in (".yaml", ".yml"):
        signature = file_signature(name)
    elif folder is not None:
        signature = file_signature(str(folder))
    else:
        signature = ()
    return _load_methodology_cached(name, str(folder) if folder else None, signature)


def peers_of(unit: register.Locality, period: Quarter) -> list[register.Locality]:
    """Units of the same level under the same parent: the group a locality is ranked in."""
    if unit.parent_code is None:
        return register.localities(period, unit.level)
    return register.children(unit.parent_code, period, level=unit.level)


def group_scores(peers: PeerGroup, ds, method) -> dict[Quarter, pd.DataFrame]:
    """The peer step: the group's league table in each of its quarters, computed from the
    group's slice of the data set only (kept: every briefing of the group shares it)."""
    key = (peers, id(ds), method.checksum)
    held = _group_scores.get(key)
    if held is not None and held[0] is ds:
        return held[1]
    part = peers.slice.subset(ds)
    reported = peers.slice.reported(ds)
    out = {}
    for q in peers.quarters:
        names = row_periods(q)  # a year is made of its quarters' rows and its own
        units = peers.units(q)  # all of them: the previous quarter's ranks are among its own
        any_reported = any((u.code, n) in reported for u in units for n in names)
        out[q] = scoring.score_table(part, method, q, units, reported) if any_reported \
            else pd.DataFrame()
    if len(_group_scores) >= 8:
        _group_scores.pop(next(iter(_group_scores)))
    _group_scores[key] = (ds, out)  # the data set held, so its id is not reused
    return out


_group_scores: dict[tuple, tuple] = {}


def province_history(ds, province: str, periods: tuple[Quarter, ...], apportionment: str
                     ) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Every 2025 commune of a province rebuilt across the merger in one pass, from the rows
    of the communes and their predecessors (kept: the province's briefings share it)."""
    key = (id(ds), province, periods, apportionment)
    held = _histories.get(key)
    if held is not None and held[0] is ds:
        return held[1]
    from parbrief.units.history import communes_history

    codes = [u.code for u in register.children(province, MERGER_QUARTER, level="commune")]
    rows = DataSlice(province_units(province), frozenset(str(q) for q in periods)).subset(ds)
    fig, app = communes_history(rows.figures, rows.appraisal, codes, list(periods),
                                apportionment)
    figs = {c: part.reset_index(drop=True) for c, part in fig.groupby("locality_code", sort=False)}
    apps = {c: part.reset_index(drop=True) for c, part in app.groupby("locality_code", sort=False)}
    out = {c: (figs.get(c, fig.iloc[:0]), apps.get(c, app.iloc[:0])) for c in codes}
    _histories.clear()  # one province at a time
    _histories[key] = (ds, out)
    return out


_histories: dict[tuple, tuple] = {}


def provenance(inputs, ds, method, parameters: dict) -> dict:
    """What a report was made from, as its data notes and its manifest state it: ``inputs``
    identifies what the report read (its own rows, its peer step, the methodology, the code),
    the parts are named alongside, with the data set the rows were read from."""
    return {
        **digests(inputs, ds, method),
        "data_set": ds.checksum,
        "methodology": {"id": method.id, "version": method.version, "checksum": method.checksum},
        "parbrief": __version__,
        "parameters": dict(parameters),
    }


def forget() -> None:
    """Forget every data set, methodology and score table loaded so far."""
    for cached in (_load_dataset_cached, _province_dataset_cached, _load_methodology_cached):
        cached.cache_clear()
    _group_scores.clear()
    _histories.clear()
    forget_slices()
