"""Benchmark: parbrief batch against the plain papermill + nbconvert loop (prints figures).

Times, on the same machine, data and job list:
  1. the naive loop: `papermill` CLI then `jupyter nbconvert --to html` CLI per briefing, one after
     the other (HTML only);
  2. `parbrief batch`, HTML only, then HTML + PDF (fresh output folders);
  3. `parbrief batch` again with nothing changed, and after one locality's figure changed (a
     figure no score reads, then a scored one), saying how many jobs re-ran.
Prints briefings per minute, seconds per briefing, the ratio parbrief/naive and peak memory per
worker (the worker process with its kernel) and in total, as PSS and RSS.

    python bench/bench_batch.py --workload province            # Nghệ An's 130 communes (make bench)
    python bench/bench_batch.py --workload national            # 3,321 communes + 34 overviews

The national workload (eight quarters of sample data for all 34 provinces) runs the naive loop,
the HTML + PDF batch and the unchanged re-run only: its target is the whole quarter in HTML and
PDF. The naive loop is timed on --naive-jobs briefings (default 12) and its rate extrapolated: it
is sequential, so its per-briefing cost does not depend on how many run."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"


class PeakMemory(threading.Thread):
    """Samples the memory of a batch's process tree.

    A worker is a process with a kernel below it (or, with no kernel yet, a child of
    multiprocessing's fork server); its memory is its own plus its kernel's. Both the resident
    set (RSS: counts shared library pages once per process) and the proportional set (PSS:
    shared pages split between the processes sharing them, so per-process figures add up to
    what the machine really holds) are reported.
    """

    def __init__(self, pid: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.total_rss = self.total_pss = 0
        self.worker_rss = self.worker_pss = 0
        self._stop = threading.Event()

    @staticmethod
    def _memory(proc: psutil.Process) -> tuple[int, int]:
        try:
            info = proc.memory_full_info()
            return info.rss, info.pss
        except psutil.Error:
            return 0, 0

    @staticmethod
    def _is_kernel(proc: psutil.Process) -> bool:
        try:
            return any("ipykernel" in part for part in proc.cmdline())
        except psutil.Error:
            return False

    def _workers(self, root: psutil.Process) -> list[psutil.Process]:
        tree = root.children(recursive=True)
        kernels = [p for p in tree if self._is_kernel(p)]
        workers = {}
        for kernel in kernels:
            try:
                parent = kernel.parent()
            except psutil.Error:
                continue
            if parent is not None and parent.pid != root.pid:
                workers[parent.pid] = parent
        return list(workers.values())

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                # each process read once per sample: reading a big process's page map costs
                # the sampler a noticeable share of a core
                memory = {p.pid: self._memory(p) for p in tree}
                total = [sum(x) for x in zip(*memory.values())] or [0, 0]
                self.total_rss = max(self.total_rss, total[0])
                self.total_pss = max(self.total_pss, total[1])
                for worker in self._workers(root):
                    own = [worker, *worker.children(recursive=True)]
                    rss, pss = (sum(x) for x in zip(*(memory.get(p.pid) or self._memory(p)
                                                       for p in own)))
                    self.worker_rss = max(self.worker_rss, rss)
                    self.worker_pss = max(self.worker_pss, pss)
            except psutil.Error:
                pass
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop.set()

    def describe(self) -> str:
        mb = 2**20
        return (f"peak memory per worker (worker + its kernel) {self.worker_pss / mb:.0f} MB PSS "
                f"({self.worker_rss / mb:.0f} MB RSS), in total {self.total_pss / mb:.0f} MB PSS "
                f"({self.total_rss / mb:.0f} MB RSS)")


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, PeakMemory, str]:
    """Run a command; its wall time, memory and the batch's summary line ("N jobs: ...")."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    sampler = PeakMemory(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    sampler.stop()
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.stderr.write(err[-3000:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    summary = next((line.split(" in ")[0] for line in out.splitlines()
                    if " jobs: " in line), "")
    if proc.returncode == 1:
        summary += " (exit 1)"
    return elapsed, sampler, summary


def write_params(path: Path, data: Path, output: Path, province: str, formats: list[str],
                 languages: list[str], period: str, reports: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({
        "name": path.stem, "province": province, "level": "commune", "periods": [period],
        "data": str(data), "methodology": "par-commune", "reports": reports,
        "languages": languages, "formats": formats, "output": str(output),
    }, allow_unicode=True), encoding="utf-8")
    return path


def naive_loop(codes: list[str], data: Path, period: str, out: Path) -> float:
    """What users write by hand: papermill then nbconvert, one briefing after the other."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for code in codes:
        executed = out / f"{code}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(ROOT / "notebooks" / "briefing.ipynb"),
                        str(executed), "-k", "parbrief", "--cwd", str(ROOT / "notebooks"),
                        "-r", "locality", code, "-r", "period", period, "-r", "data", str(data),
                        "-y", "languages: [vi]"],
                       check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(executed)], check=True, capture_output=True)
    return time.perf_counter() - start


def change_one_figure(data: Path, code: str, period: str, indicator: str) -> None:
    """Add one to one figure of one locality."""
    import pandas as pd

    path = data / "figures.csv"
    fig = pd.read_csv(path, dtype=str, keep_default_na=False)
    sel = (fig.locality_code == code) & (fig.period == period) & (fig.indicator == indicator)
    fig.loc[sel, "value"] = str(int(float(fig.loc[sel, "value"].iloc[0])) + 1)
    fig.to_csv(path, index=False, lineterminator="\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", choices=["province", "national"], default="province")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--naive-jobs", type=int, default=12)
    ap.add_argument("--executor", default=None, help="passed to parbrief batch --executor")
    args = ap.parse_args()

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    period = "2026Q3"
    if args.workload == "province":
        # a copy: the runs after a changed figure edit it
        province, data = "40", OUT / "province-data"
        shutil.copytree(ROOT / "data" / "sample", data)
        provinces = ["40"]
    else:
        # eight quarters, as a briefing's trend reads, three of them before the merger
        province, data = "all", OUT / "national-data"
        subprocess.run([str(BIN / "parbrief"), "sample", "--out", str(data), "--province", "all",
                        "--from", "2024Q4", "--to", period, "--seed", "876"], check=True,
                       capture_output=True)
        provinces = None
    sys.path.insert(0, str(ROOT / "src"))
    from parbrief.units import register

    if provinces is None:
        provinces = [u.code for u in register.localities(period, "province")]
    communes = [u.code for p in provinces for u in register.children(p, period)]
    jobs = len(communes)
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; "
          f"workload {args.workload}: {jobs} commune briefings + {len(provinces)} overviews, "
          f"{period}, {args.workers} workers")

    naive_codes = communes[: args.naive_jobs]
    naive = naive_loop(naive_codes, data, period, OUT / "naive")
    naive_per = naive / len(naive_codes)
    print(f"naive loop (papermill + nbconvert CLI, HTML, vi): {naive:.1f} s for {len(naive_codes)} "
          f"briefings = {naive_per:.2f} s/briefing, {60 / naive_per:.1f} briefings/min")

    def batch(name: str, formats: list[str], out: Path, force: bool = False,
              languages: tuple[str, ...] = ("vi",)) -> tuple[float, PeakMemory]:
        params = write_params(OUT / "params" / f"{name}.yaml", data, out,
                              province if provinces != ["40"] else "40", formats,
                              list(languages), period, ["briefing", "overview"])
        cmd = [str(BIN / "parbrief"), "batch", str(params), "--workers", str(args.workers),
               "--no-progress"]
        if args.executor:
            cmd += ["--executor", args.executor]
        if force:
            cmd.append("--force")
        seconds, mem, summary = timed(cmd)
        if "0 failed" not in summary:
            raise SystemExit(f"{name}: {summary}")
        return seconds, mem

    def report(label: str, seconds: float, mem: PeakMemory, n: int) -> float:
        per = seconds / n
        print(f"{label}: {seconds:.1f} s for {n} briefings = {per:.3f} s/briefing, "
              f"{60 / per:.1f} briefings/min, ratio parbrief/naive {naive_per / per:.1f}x faster; "
              f"{mem.describe()}")
        return per

    if args.workload == "national":
        # the target: the whole quarter, HTML + PDF; then a re-run with nothing changed
        both_s, both_mem = batch("html-pdf", ["html", "pdf"], OUT / "html-pdf")
        report("parbrief batch, HTML + PDF", both_s, both_mem, jobs)
        again_s, _, summary = timed([str(BIN / "parbrief"), "batch",
                                     str(OUT / "params" / "html-pdf.yaml"), "--workers",
                                     str(args.workers), "--no-progress"])
        print(f"re-run, nothing changed: {again_s:.2f} s, {summary}")
        print(f"national quarter: {both_s / 60:.1f} min for {jobs} briefings + "
              f"{len(provinces)} overviews (HTML + PDF, {args.workers} workers)")
        return
    html_s, html_mem = batch("html", ["html"], OUT / "html")
    html_per = report("parbrief batch, HTML", html_s, html_mem, jobs)
    both_s, both_mem = batch("html-pdf", ["html", "pdf"], OUT / "html-pdf")
    report("parbrief batch, HTML + PDF", both_s, both_mem, jobs)
    params_file = OUT / "params" / "html-pdf.yaml"
    again_s, _, summary = timed([str(BIN / "parbrief"), "batch", str(params_file), "--workers",
                                 str(args.workers), "--no-progress"])
    print(f"re-run, nothing changed: {again_s:.2f} s, {summary}")
    # A figure no score reads (complaints received): only that commune's briefing and its
    # province's overview read it. Then a figure its index counts (civil servants disciplined):
    # every peer's briefing ranks it, so the whole peer group re-runs.
    for what, indicator in (("a figure no score reads", "inspections_unscheduled"),
                            ("a scored figure", "civil_servants_disciplined")):
        change_one_figure(data, communes[0], period, indicator)
        changed_s, _, summary = timed([str(BIN / "parbrief"), "batch", str(params_file),
                                       "--workers", str(args.workers), "--no-progress"])
        print(f"re-run after one locality's figure changed ({what}, {indicator}): "
              f"{changed_s:.2f} s, {summary}")
    print(f"speedup vs naive loop: {naive_per / html_per:.1f}x "
          f"(HTML, {args.workers} workers, {jobs} briefings)")


if __name__ == "__main__":
    main()
