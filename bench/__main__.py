"""Measure what nbapipe promises and record it in BENCHMARKS.md.

    python -m bench                 # 4 synthetic seasons: ingest, backfill, re-run, daily run
    python -m bench --seasons 2024-25 --repeat 1   # a quick smoke run

Each scenario runs in a fresh child process so wall time, CPU time and peak memory (RSS)
belong to that scenario alone. Results go to bench/results/latest.json and, with --write,
into the table in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"

SCENARIOS = {
    "ingest": "api.ingest_synthetic(SEASONS, seed=7, warehouse=W)",
    "backfill": "api.backfill(warehouse=W, force=True)",
    "rerun_unchanged": "api.backfill(warehouse=W)",
    "daily_run": "api.run_daily(DAILY, warehouse=W, force=True)",
}

CHILD = """
import json, resource, sys, time
from nbapipe import api
W, SEASONS, DAILY = sys.argv[1], sys.argv[2], sys.argv[3]
t0, c0 = time.perf_counter(), time.process_time()
result = {call}
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
rows = {{}}
if hasattr(result, "models"):
    rows = {{m.model: m.rows_written for m in result.models}}
elif hasattr(result, "tables"):
    rows = dict(result.tables)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall_s": wall, "cpu_s": cpu, "peak_rss_mib": peak, "rows": rows}}))
"""


def run_child(scenario: str, warehouse: Path, seasons: str, daily: str) -> dict:
    code = CHILD.format(call=SCENARIOS[scenario])
    out = subprocess.run(
        [sys.executable, "-c", code, str(warehouse), seasons, daily],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import duckdb

    from nbapipe import __version__

    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "nbapipe": __version__,
        "platform": platform.platform(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seasons", default="2021-22..2024-25")
    parser.add_argument("--daily", default="2025-01-15", help="date of the daily-run scenario")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median kept)")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="nbapipe-bench-"))
    warehouse = work / "bench.duckdb"
    results: dict[str, dict] = {}
    try:
        for scenario in SCENARIOS:
            runs = []
            for _ in range(args.repeat if scenario != "ingest" else 1):
                runs.append(run_child(scenario, warehouse, args.seasons, args.daily))
            wall = statistics.median(r["wall_s"] for r in runs)
            results[scenario] = {
                "wall_s_median": round(wall, 3),
                "wall_s_runs": [round(r["wall_s"], 3) for r in runs],
                "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 3),
                "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs), 1),
                "rows": runs[-1]["rows"],
            }
            print(f"{scenario:16s} {wall:7.3f} s  (runs: {results[scenario]['wall_s_runs']})")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    record = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench " + " ".join(sys.argv[1:]),
        "seasons": args.seasons,
        "machine": machine(),
        "results": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(record, indent=2) + "\n")
    if args.write:
        write_markdown(record)


def write_markdown(record: dict) -> None:
    m = record["machine"]
    lines = [
        f"### {record['when']}: synthetic {record['seasons']}",
        "",
        f"`{record['command']}` on {m['cores']} cores, {m['memory_gib']} GiB, "
        f"Python {m['python']}, DuckDB {m['duckdb']}, nbapipe {m['nbapipe']}.",
        "",
        "Models: "
        + ", ".join(f"`{m.split('.')[-1]}`" for m in record["results"]["backfill"]["rows"])
        + ".",
        "",
        "| scenario | wall (median) | runs | CPU | peak RSS | rows written |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in record["results"].items():
        rows = sum(r["rows"].values()) if r["rows"] else 0
        runs = ", ".join(f"{w:.2f}" for w in r["wall_s_runs"])
        lines.append(
            f"| {name} | {r['wall_s_median']:.2f} s | {runs} "
            f"| {r['cpu_s']:.2f} s | {r['peak_rss_mib']:.0f} MiB | {rows:,} |"
        )
    block = "\n".join(lines) + "\n"
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else ""
    marker = "<!-- results: newest first -->\n"
    if marker not in text:
        text += "\n" + marker
    text = text.replace(marker, marker + "\n" + block)
    path.write_text(text)


if __name__ == "__main__":
    main()
