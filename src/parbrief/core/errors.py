"""Errors a user can cause. Each one says what, where and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


class ParbriefError(Exception):
    """Base class for errors caused by input (data, parameters, methodology files)."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in an input file, printed as ``file:row:column: message``.

    ``row`` is the 1-based line of a CSV file (the header is line 1) or the Excel row number;
    0 means "the whole file". ``column`` is the column name or the YAML key path. A
    ``warning`` (a quarter that looks mistyped) is printed but does not stop the data set from
    being used: it may be right.
    """

    file: str
    row: int
    column: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.file}:{self.row}:{self.column}: {kind}{self.message}"


class ValidationError(ParbriefError):
    """Raised with every problem found, so a user can fix them all in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(p for p in problems if not p.warning)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownLocalityError(ParbriefError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class PeriodError(ParbriefError, ValueError):
    pass


class MethodologyError(ParbriefError, ValueError):
    pass


class ParameterError(ParbriefError, ValueError):
    pass
