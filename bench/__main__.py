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
    # the legacy-style per-entity reference (bench/reference) on REFERENCE_DATES game dates
    # from DAILY on, every table
    "reference_dates": "time_reference(W, DAILY, REFERENCE_DATES)",
}
REFERENCE_DATES = 10

CHILD = """
import json, resource, sys, time
from nbapipe import api
from bench.proof import time_reference
W, SEASONS, DAILY, REFERENCE_DATES = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t0, c0 = time.perf_counter(), time.process_time()
result = {call}
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
rows, detail = {{}}, {{}}
if hasattr(result, "models"):
    rows = {{m.model: m.rows_written for m in result.models}}
    detail = {{m.model: round(m.seconds, 3) for m in result.models}}
elif hasattr(result, "tables"):
    rows = dict(result.tables)
elif isinstance(result, dict):
    detail = result
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall_s": wall, "cpu_s": cpu, "peak_rss_mib": peak, "rows": rows,
                  "detail": detail}}))
"""


def run_child(scenario: str, warehouse: Path, seasons: str, daily: str) -> dict:
    code = CHILD.format(call=SCENARIOS[scenario])
    out = subprocess.run(
        [sys.executable, "-c", code, str(warehouse), seasons, daily, str(REFERENCE_DATES)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def game_dates(warehouse: Path) -> int:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT count(DISTINCT game_date) FROM nba_raw.schedule").fetchone()[0]
    finally:
        con.close()


def ratios(results: dict[str, dict], dates: int) -> dict:
    """The legacy-style reference per date against our daily run and our backfill per date."""
    ref = results.get("reference_dates")
    if not ref or "daily_run" not in results or "backfill" not in results:
        return {}
    per_date = ref["wall_s_median"] / REFERENCE_DATES
    backfill_per_date = results["backfill"]["wall_s_median"] / max(dates, 1)
    return {
        "reference_s_per_date": round(per_date, 3),
        "daily_run_s": results["daily_run"]["wall_s_median"],
        "backfill_s_per_date": round(backfill_per_date, 4),
        "game_dates": dates,
        "vs_daily_run": round(per_date / results["daily_run"]["wall_s_median"], 1),
        "vs_backfill_per_date": round(per_date / backfill_per_date, 1),
    }


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
                "detail": runs[-1]["detail"],
            }
            print(f"{scenario:16s} {wall:7.3f} s  (runs: {results[scenario]['wall_s_runs']})")
        warehouse_dates = game_dates(warehouse)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    record = {
        "ratios": ratios(results, warehouse_dates),
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
    r = record.get("ratios") or {}
    if r:
        lines += [
            "",
            f"Legacy-style reference (bench/reference, every table, {REFERENCE_DATES} dates): "
            f"{r['reference_s_per_date']:.2f} s per date; our daily run {r['daily_run_s']:.2f} s "
            f"(x{r['vs_daily_run']}), our backfill {r['backfill_s_per_date']:.3f} s per date over "
            f"{r['game_dates']} game dates (x{r['vs_backfill_per_date']}).",
        ]
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
