"""What an analyst types in a notebook's parameters cell, looked up against the register and the
data set: a locality by code or by name, a province, and a quarter the data holds.

An analyst in Nghệ An who mistypes a code wants the closest codes of Nghệ An, not a commune of
another province that happens to look alike; one who asks for a quarter beyond the data wants
to hear which quarters there are, not to read a briefing saying nobody reported.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from parbrief.core.errors import PeriodError, UnknownLocalityError
from parbrief.core.periods import Quarter
from parbrief.model import sources
from parbrief.units import register

SUGGESTIONS = 3


def input_path(path: str) -> str:
    """An input's absolute path. A relative path not found from the kernel's folder is looked up
    in the folders above it: a published report keeps its parameters relative to the project
    folder (the batch runs there), and re-run where it sits, three folders down, it finds the
    project's data all the same."""
    given = Path(path)
    if given.is_absolute() or given.exists():
        return str(given.resolve())
    for folder in Path.cwd().resolve().parents:
        if (folder / given).exists():
            return str(folder / given)
    return str(given.resolve())  # not found anywhere: the reader says so, naming it


def data_provinces(data: str, period: Quarter, methodology: str | None = None
                   ) -> list[register.Locality]:
    """The provinces whose units report in the data set (in the register in force in ``period``),
    which is where an analyst's localities are."""
    ds = sources.load_dataset(data, methodology)
    reg = register.register_for(period)
    codes = set(ds.figures.locality_code.unique()) | set(ds.appraisal.locality_code.unique())
    table = register.table(reg)
    provinces = sorted(set(table.loc[table.code.isin(codes), "province_code"]))
    return [register.get(p, period) for p in provinces]


def _candidates(provinces: list[register.Locality], period: Quarter):
    table = register.table(register.register_for(period))
    if provinces:
        table = table[table.province_code.isin([p.code for p in provinces])]
    return table


def _in_words(provinces: list[register.Locality]) -> str:
    return ", ".join(p.name for p in provinces) if provinces else "the whole country"


def locality(value: str, period: Quarter, data: str, parameter: str = "locality",
             methodology: str | None = None) -> register.Locality:
    """The unit an analyst means by ``value``: a code (``"17266"``) or a name (``"Tân Kỳ"``,
    ``"Xã Tân Kỳ"``, ``"tan ky"``), looked for in the provinces the data set covers."""
    text = str(value).strip()
    where = f'the parameters cell, {parameter} = "{text}"'
    if text.isdigit():
        if register.exists(text, period):
            return register.get(text, period)
        try:
            register.get(text, period)  # a code of the other register says so, with successors
        except UnknownLocalityError as e:
            if "existed until" in e.what or "exists only from" in e.what:
                raise UnknownLocalityError(e.what, where=where, fix=(
                    f"give the code of the unit in force in {period}")) from None
        provinces = data_provinces(data, period, methodology)
        pool = _candidates(provinces, period)
        close = difflib.get_close_matches(text, list(pool.code), n=SUGGESTIONS, cutoff=0.6)
        names = dict(zip(pool.code, pool["name"]))
        hint = "; closest codes: " + ", ".join(f"{c} {names[c]}" for c in close) if close else ""
        raise UnknownLocalityError(
            f"no unit has the code {text!r} in {period} ({_in_words(provinces)}){hint}",
            where=where,
            fix=(f'give a code or a name of a unit of {_in_words(provinces)}, e.g. {parameter} = '
                 f'"{close[0] if close else "17266"}" or {parameter} = "Tân Kỳ"; '
                 '`parbrief locality NAME` looks codes up'))
    provinces = data_provinces(data, period, methodology)
    found: list[register.Locality] = []
    errors: list[UnknownLocalityError] = []
    for province in provinces or [None]:
        try:
            unit = register.find(text, period, parent=province.code if province else None)
        except UnknownLocalityError as e:
            errors.append(e)
            continue
        if unit.code not in {u.code for u in found}:
            found.append(unit)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        options = "; ".join(f"{u.code} {u.name}" for u in found)
        raise UnknownLocalityError(f"the name {text!r} fits several units: {options}",
                                   where=where, fix=f'give the code, e.g. {parameter} = '
                                                    f'"{found[0].code}"')
    what = errors[0].what if len(errors) == 1 else \
        f"no unit named {text!r} in {_in_words(provinces)}"
    raise UnknownLocalityError(what, where=where, fix=(
        f"give a name or a code of a unit of {_in_words(provinces)}; `parbrief locality "
        f'"{text}"` looks it up'))


def province(value: str, period: Quarter, parameter: str = "province") -> register.Locality:
    """A province (or parent unit) by code or name."""
    text = str(value).strip()
    where = f'the parameters cell, {parameter} = "{text}"'
    try:
        if text.isdigit():
            return register.get(text, period)
        return register.find(text, period, level="province")
    except UnknownLocalityError as e:
        raise UnknownLocalityError(e.what, where=where, fix=(
            f'give a province code or name, e.g. {parameter} = "40" or {parameter} = "Nghệ An"')
        ) from None


def check_quarter(ds, period, data: str, parameter: str = "period") -> None:
    """A period the data set holds no row for (no figure, no appraisal point; for a year or a
    year to date, in none of its quarters) is an error naming the periods it holds."""
    from parbrief.core.periods import sort_key
    from parbrief.scoring.spans import row_periods

    held = set(ds.periods)
    if set(row_periods(period)) & held:
        return
    where = f'the parameters cell, {parameter} = "{period}"'
    if not held:
        raise PeriodError(f"the data set {data} holds no figures at all", where=where,
                          fix="check the data parameter: it should name the data set folder")
    quarters = sorted((Quarter.parse(p) for p in held if "Q" in p), key=sort_key)
    years = sorted(p for p in held if "Q" not in p)
    if not quarters:
        raise PeriodError(f"the data set holds nothing for {period}; it holds the years "
                          f"{', '.join(years)}", where=where,
                          fix=f'choose one of these, e.g. {parameter} = "{years[-1]}"')
    gaps = [q for q in _between(quarters[0], quarters[-1]) if q not in quarters]
    missing = f", without {', '.join(map(str, gaps))}" if gaps else ""
    and_years = f", and the years {', '.join(years)}" if years else ""
    raise PeriodError(
        f"the data set holds no figures for {period} ({period.label('en')}); it holds "
        f"{len(quarters)} quarters, {quarters[0]} to {quarters[-1]}{missing}{and_years}",
        where=where, fix=f'choose one of these, e.g. {parameter} = "{quarters[-1]}" (the latest)')


def _between(first: Quarter, last: Quarter) -> list[Quarter]:
    out = [last]
    while out[-1] > first:
        out.append(out[-1].previous())
    return out[::-1]


__all__ = ["check_quarter", "data_provinces", "input_path", "locality", "province"]
