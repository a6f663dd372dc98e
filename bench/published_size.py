"""Published size per briefing (prints figures): every file a briefing publishes, both
languages, all formats, its notebook and its newsroom packs, read from the manifests.

    python bench/published_size.py [reports/2026Q3] [--top 15] [--limit-mb 0.8]

Prints the distribution of bytes per briefing (and per overview), what each kind of file
weighs in a typical briefing, the largest briefings and the largest single files, and how
many briefings are over the limit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def kind_of(path: str, stem: str) -> str:
    """"html", "pdf", "notebook", "pack png", "pack svg", "pack csv", ..."""
    rest = path[len(stem):].lstrip(".")
    if ".newsroom/" in rest:
        return "pack " + rest.rsplit(".", 1)[-1]
    if rest == "ipynb":
        return "notebook"
    return rest.rsplit(".", 1)[-1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=None,
                    help="a quarter's output folder (default: the newest under reports/)")
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--limit-mb", type=float, default=0.8)
    args = ap.parse_args(argv)
    folder = Path(args.folder) if args.folder else max(
        (p for p in (ROOT / "reports").glob("*Q*") if p.is_dir()), default=None)
    if folder is None or not folder.is_dir():
        print("no reports folder: run `make briefings` first, or name the folder")
        return 1
    reports: dict[str, dict] = {}
    files: list[tuple[int, str]] = []
    for manifest_path in sorted(folder.glob("*/*.manifest.json")):
        m = json.loads(manifest_path.read_text(encoding="utf-8"))
        stem = m["stem"]
        kinds: Counter = Counter()
        for out in m.get("outputs", []):
            kinds[kind_of(out["path"], stem)] += out["bytes"]
            files.append((out["bytes"], f"{manifest_path.parent.name}/{out['path']}"))
        reports[f"{manifest_path.parent.name}/{stem}"] = {
            "kind": m.get("kind"), "bytes": sum(kinds.values()), "kinds": kinds,
            "manifest": manifest_path.stat().st_size}
    briefings = {k: v for k, v in reports.items() if v["kind"] == "briefing"}
    overviews = {k: v for k, v in reports.items() if v["kind"] == "overview"}
    if not briefings:
        print(f"no briefing manifests under {folder}")
        return 1
    mb = 1024 * 1024
    sizes = sorted(v["bytes"] for v in briefings.values())
    total = sum(v["bytes"] + v["manifest"] for v in reports.values())
    print(f"{folder}: {len(briefings)} briefings, {len(overviews)} overviews, "
          f"{total / mb:.1f} MiB published (manifests included)")
    print(f"per briefing (both languages, every format, notebook and packs): "
          f"median {statistics.median(sizes) / mb:.3f} MiB, min {sizes[0] / mb:.3f}, "
          f"max {sizes[-1] / mb:.3f}; over {args.limit_mb} MB: "
          f"{sum(s > args.limit_mb * 1e6 for s in sizes)}")
    for name, v in overviews.items():
        print(f"overview {name}: {v['bytes'] / mb:.3f} MiB")
    median_name = min(briefings, key=lambda k: abs(briefings[k]["bytes"]
                                                  - statistics.median(sizes)))
    typical = briefings[median_name]
    print(f"what a typical briefing weighs ({median_name}):")
    for kind, n in typical["kinds"].most_common():
        print(f"  {kind:12s} {n / 1024:8.1f} KiB")
    print("largest briefings:")
    for name, v in sorted(briefings.items(), key=lambda kv: -kv[1]["bytes"])[:args.top]:
        print(f"  {v['bytes'] / mb:.3f} MiB  {name}")
    print("largest files:")
    for n, name in sorted(files, reverse=True)[:args.top]:
        print(f"  {n / 1024:8.1f} KiB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
