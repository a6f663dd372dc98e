"""What a batch reports: one result per job (ok, skipped, failed) and the status table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

STATUS_OK, STATUS_SKIPPED, STATUS_FAILED = "ok", "skipped", "failed"


@dataclass
class JobResult:
    job: str  # <period>/<parent slug>/<stem>
    kind: str
    locality: str
    name: str
    period: str
    status: str  # ok | skipped | failed
    seconds: float = 0.0
    detail: str = ""
    cell: int | None = None  # execution count of the failing cell (In [N])
    exception: str | None = None  # "ValueError: message"
    outputs: list[str] = field(default_factory=list)  # relative to the job's folder
    failed_notebook: str | None = None

    @property
    def stem(self) -> str:
        return self.job.rsplit("/", 1)[-1]


@dataclass
class BatchResult:
    output: Path
    results: list[JobResult]
    index_pages: list[Path]
    seconds: float
    # what went wrong outside any job (e.g. an index page that could not be written)
    problems: list[str] = field(default_factory=list)
    # what may be wrong and did not stop the batch (a quarter of the data that looks mistyped)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> list[JobResult]:
        return [r for r in self.results if r.status == STATUS_OK]

    @property
    def skipped(self) -> list[JobResult]:
        return [r for r in self.results if r.status == STATUS_SKIPPED]

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == STATUS_FAILED]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.problems else 0

    def by_stem(self) -> dict[str, JobResult]:
        return {r.stem: r for r in self.results}

    def table(self) -> str:
        """The final status table: job, locality, status, seconds, detail."""
        rows = [("job", "locality", "status", "seconds", "detail")]
        for r in self.results:
            status = "skipped (up to date)" if r.status == STATUS_SKIPPED else r.status
            rows.append((r.stem, f"{r.locality} {r.name}", status, f"{r.seconds:.1f}", r.detail))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row[:4], widths)) + "  " + row[4]
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 6)
        return "\n".join(line.rstrip() for line in lines)

    def summary_line(self) -> str:
        return (f"{len(self.results)} jobs: {len(self.ok)} ok, {len(self.skipped)} skipped "
                f"(up to date), {len(self.failed)} failed in {self.seconds:.1f} s")
