"""The methodology document (bộ tiêu chí): what a steering committee approves before the year
starts. Every area, criterion and sub-criterion, numbered as an annex table numbers them, with
its maximum, how it is scored and its notes; bonus and penalty items; the bands.

It reads the methodology only (``model.inputs.MethodologyInputs``): a shipped id, a file, or an
id kept in a data set's ``methodologies/`` folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from parbrief.ingest import dataset as datasets
from parbrief.model import lookup, sources
from parbrief.model.inputs import MethodologyInputs, declare_methodology
from parbrief.scoring.methodology import Area, Criterion, Methodology

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
         "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX")


@dataclass(frozen=True)
class Row:
    """One line of the annex table: an area, a criterion or a sub-criterion."""

    number: str  # I, 1.2, 1.2.1
    depth: int  # 0 area, 1 criterion, 2 and more sub-criteria
    node: Area | Criterion

    @property
    def leaf(self) -> bool:
        return isinstance(self.node, Criterion) and not self.node.criteria


def roman(n: int) -> str:
    return ROMAN[n - 1] if n <= len(ROMAN) else str(n)


def rows(method: Methodology) -> list[Row]:
    """The annex table's lines in file order: areas numbered I, II…; their criteria 1.1,
    1.2…; sub-criteria 1.1.1…"""
    out: list[Row] = []

    def walk(c: Criterion, number: str, depth: int) -> None:
        out.append(Row(number, depth, c))
        for j, sub in enumerate(c.criteria, 1):
            walk(sub, f"{number}.{j}", depth + 1)

    for i, area in enumerate(method.areas, 1):
        out.append(Row(roman(i), 0, area))
        for j, c in enumerate(area.criteria, 1):
            walk(c, f"{i}.{j}", 1)
    return out


@dataclass
class MethodologyDocument:
    methodology: Methodology
    rows: list[Row]
    parameters: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    inputs: MethodologyInputs | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Areas, criteria (directly under an area) and sub-criteria."""
        return {"areas": sum(1 for r in self.rows if r.depth == 0),
                "criteria": sum(1 for r in self.rows if r.depth == 1),
                "subcriteria": sum(1 for r in self.rows if r.depth >= 2)}

    def __repr__(self) -> str:
        c, m = self.counts, self.methodology
        parts = m.component_maxima()
        return (f"MethodologyDocument {m.id} {m.version}: {c['areas']} areas, {c['criteria']} "
                f"criteria, {c['subcriteria']} sub-criteria, {m.maximum:g} points "
                f"({parts['appraised']:g} appraised + {parts['survey']:g} survey)")


def prepare(methodology: str, data: str = "") -> MethodologyDocument:
    """The document of a methodology (``data``: the data set whose ``methodologies/`` folder
    holds it, when it is named by id)."""
    if Path(methodology).suffix in (".yaml", ".yml"):
        methodology = lookup.input_path(methodology)
    folder = lookup.input_path(data) if data else None
    method = sources.load_methodology(methodology, folder)
    inputs = declare_methodology(method)
    parameters = {"methodology": methodology}
    return MethodologyDocument(
        methodology=method, rows=rows(method), parameters=parameters,
        provenance=sources.provenance(inputs, datasets.empty(), method, parameters),
        inputs=inputs)


def describe(method: Methodology) -> list[str]:
    """What ``parbrief methodology check`` prints of a methodology that passed: its shape, its
    points, and what an appraisal table may name."""
    table = rows(method)
    areas = sum(1 for r in table if r.depth == 0)
    criteria = sum(1 for r in table if r.depth == 1)
    subs = sum(1 for r in table if r.depth >= 2)
    parts = method.component_maxima()
    given = method.given_criteria()
    leaves = method.criteria()
    bands = ", ".join(f"{b.label['en']} ({b.label['vi']}) from {b.min:g}" for b in method.bands)
    return [
        f"ok: {method.id} version {method.version}: {method.title['en']} "
        f"({method.title['vi']})",
        f"  levels: {', '.join(method.levels)}",
        f"  {areas} areas, {criteria} criteria, {subs} sub-criteria ({len(leaves)} scored); "
        f"maximum {method.maximum:g} = {parts['appraised']:g} appraised + {parts['survey']:g} "
        "survey points",
        f"  {len(given)} criteria take their points from the appraisal table (council or "
        f"survey); {len(leaves) - len(given)} are computed from figures unless the table gives "
        "their points",
        f"  bonus and penalty items: {len(method.adjustments)}; classes: {bands}",
        f"  appraisal rows name it {method.id}; criterion ids: {', '.join(leaves)}; or the "
        f"totals appraised-total (at most {parts['appraised']:g}) and survey-total (at most "
        f"{parts['survey']:g})",
    ]


__all__ = ["MethodologyDocument", "Row", "describe", "prepare", "roman", "rows"]
