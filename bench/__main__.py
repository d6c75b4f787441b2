"""Measure what nbapipe promises and record it in BENCHMARKS.md.

    python -m bench --write                        # every dataset (~3 min)
    python -m bench --datasets synthetic-4 --repeat 3
    python -m bench --smoke --out /tmp/bench       # the CI smoke run: a tiny league, one run

Each dataset is built first (the `ingest` scenario, one run): the real 2024-25 season from
../shared/data (skipped when absent), four synthetic seasons (2021-22..2024-25) and twenty
(2005-06..2024-25). Then backfill, rerun_unchanged and daily_run run on each, compute_only and
reference_dates on synthetic-4 only; each --repeat times (default 3), on synthetic-20 once.
Each scenario runs in a fresh child process, so its wall time, CPU time (user + system, all
threads) and peak memory (RSS) belong to it alone. Results go to bench/results/latest.json
(or --out) and, with --write, into BENCHMARKS.md, with the targets of issue #8 checked.
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SHARED_DATA = ROOT.parent / "shared" / "data"
REAL_FILES = [
    "schedule_2024_25.csv",
    "team_gamelogs_2024_25.csv",
    "player_gamelogs_2024_25.csv",
    "shots_2024_25.csv.zip",
]

# What each scenario runs in the child; W is the warehouse, DAILY a mid-season date.
CALLS = {
    "backfill": "api.backfill(warehouse=W, force=True)",
    "rerun_unchanged": "api.backfill(warehouse=W)",
    "daily_run": "api.run_daily(DAILY, warehouse=W, force=True)",
    # every model's statement over the backfill's range, one after another, nothing written
    # (bench/compute): the part of our backfill that the reference also does
    "compute_only": "time_compute(W)",
    # the legacy-style per-entity reference (bench/reference): every table, N game dates
    "reference_dates": "time_reference(W, DAILY, N_REFERENCE)",
}


@dataclass(frozen=True)
class Dataset:
    name: str
    ingest: str  # the child call that builds the warehouse
    daily: str  # the daily-run date (also the first reference date)
    scenarios: tuple[str, ...]
    describe: str
    needs: Path | None = None  # skipped when this folder is absent
    repeat: int | None = None  # runs per scenario when not the --repeat default


DATASETS = {
    "real-2024-25": Dataset(
        "real-2024-25",
        "api.ingest_files('nba-stats', [DATA / f for f in REAL_FILES], warehouse=W)",
        "2025-01-15",
        ("backfill", "rerun_unchanged", "daily_run"),
        "the real 2024-25 season (NBA.com schedule, game logs, shots from ../shared/data)",
        needs=SHARED_DATA / "nba_stats",
    ),
    "synthetic-4": Dataset(
        "synthetic-4",
        "api.ingest_synthetic('2021-22..2024-25', seed=7, warehouse=W)",
        "2025-01-15",
        ("backfill", "rerun_unchanged", "daily_run", "compute_only", "reference_dates"),
        "four synthetic seasons, 2021-22..2024-25 (seed 7)",
    ),
    "synthetic-20": Dataset(
        "synthetic-20",
        "api.ingest_synthetic('2005-06..2024-25', seed=7, warehouse=W)",
        "2025-01-15",
        ("backfill", "rerun_unchanged", "daily_run"),
        "twenty synthetic seasons, 2005-06..2024-25 (seed 7)",
        repeat=1,
    ),
}
SMOKE = Dataset(
    "smoke",
    "api.ingest_synthetic('2024-25', seed=3, teams=6, weeks=6, warehouse=W)",
    "2024-11-20",
    ("backfill", "rerun_unchanged", "daily_run", "compute_only", "reference_dates"),
    "smoke: 6 synthetic teams, 6 weeks of 2024-25",
    repeat=1,
)
N_REFERENCE = 10

CHILD = """
import json, resource, sys, time
from pathlib import Path
from nbapipe import api
from bench.compute import time_compute
from bench.proof import time_reference
W, DAILY, N_REFERENCE = sys.argv[1], sys.argv[2], int(sys.argv[3])
DATA, REAL_FILES = Path(sys.argv[4]) / "nba_stats", sys.argv[5].split(",")
t0, c0 = time.perf_counter(), time.process_time()
result = {call}
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
rows, seconds, extra = {{}}, {{}}, {{}}
if hasattr(result, "models"):
    rows = {{m.model: m.rows_written for m in result.models}}
    seconds = {{m.model: round(m.seconds, 3) for m in result.models}}
    extra = {{"dates_computed": sum(m.dates_computed for m in result.models),
              "ok": result.ok,
              "dates_failed": {{m.model: m.dates_failed for m in result.models
                               if m.dates_failed}}}}
elif hasattr(result, "summary"):
    rows = dict(result.summary.tables)
elif hasattr(result, "tables"):
    rows = dict(result.tables)
elif isinstance(result, dict):
    seconds = result.get("seconds_by_table", {{}})
    extra = {{"dates": result.get("dates")}}
    if "rows_by_table" in result:  # computed, not written
        extra["rows_computed"] = result["rows_by_table"]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall_s": wall, "cpu_s": cpu, "peak_rss_mib": peak, "rows": rows,
                  "seconds": seconds, "extra": extra}}))
"""


def run_child(call: str, warehouse: Path, daily: str, n_reference: int) -> dict:
    code = CHILD.format(call=call)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(warehouse),
            daily,
            str(n_reference),
            str(SHARED_DATA),
            ",".join(REAL_FILES),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench: `{call}` failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarise(runs: list[dict]) -> dict:
    return {
        "wall_s_median": round(statistics.median(r["wall_s"] for r in runs), 3),
        "wall_s_runs": [round(r["wall_s"], 3) for r in runs],
        "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 3),
        "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs), 1),
        "rows": runs[-1]["rows"],
        "seconds": runs[-1]["seconds"],
        "extra": runs[-1]["extra"],
    }


def game_dates(warehouse: Path) -> int:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT count(DISTINCT game_date) FROM nba_raw.schedule").fetchone()[0]
    finally:
        con.close()


def run_dataset(ds: Dataset, repeat: int, work: Path, n_reference: int) -> dict:
    warehouse = work / f"{ds.name}.duckdb"
    results = {"ingest": summarise([run_child(ds.ingest, warehouse, ds.daily, n_reference)])}
    print(f"{ds.name:14s} {'ingest':16s} {results['ingest']['wall_s_median']:8.3f} s", flush=True)
    for scenario in ds.scenarios:
        # The reference too: its seconds per date divide every ratio, so one slow run of it
        # would move them all.
        runs = [
            run_child(CALLS[scenario], warehouse, ds.daily, n_reference)
            for _ in range(ds.repeat or repeat)
        ]
        results[scenario] = summarise(runs)
        r = results[scenario]
        print(f"{ds.name:14s} {scenario:16s} {r['wall_s_median']:8.3f} s  runs {r['wall_s_runs']}")
    out = {
        "describe": ds.describe,
        "daily_date": ds.daily,
        "game_dates": game_dates(warehouse),
        "results": results,
    }
    out["ratios"] = ratios(out, n_reference)
    if out["ratios"]:
        r = out["ratios"]
        print(
            f"{ds.name:14s} reference {r['reference_s_per_date']:.3f} s per date: "
            f"x{r['vs_backfill_per_date']} our backfill per date, "
            f"x{r['vs_daily_run']} one daily run"
            + (
                f", x{r['vs_compute_per_date']} our computation alone per date"
                if "vs_compute_per_date" in r
                else ""
            )
        )
        for table, t in r["by_table"].items():
            alone = f"  (computation alone x{t['compute_ratio']})" if "compute_ratio" in t else ""
            print(f"{ds.name:14s}   {table.split('.')[-1]:30s} x{t['ratio']}{alone}")
    warehouse.unlink(missing_ok=True)
    return out


def ratios(data: dict, n_reference: int) -> dict:
    """The legacy-style reference per date against our daily run and our backfill per date."""
    res = data["results"]
    ref = res.get("reference_dates")
    if not ref or "daily_run" not in res or "backfill" not in res:
        return {}
    dates = ref["extra"].get("dates") or n_reference
    per_date = ref["wall_s_median"] / max(dates, 1)
    game_days = max(data["game_dates"], 1)
    backfill_per_date = res["backfill"]["wall_s_median"] / game_days
    compute = res.get("compute_only")
    out = {
        "reference_s_per_date": round(per_date, 3),
        "reference_dates": dates,
        "daily_run_s": res["daily_run"]["wall_s_median"],
        "backfill_s_per_date": round(backfill_per_date, 4),
        "vs_daily_run": round(per_date / res["daily_run"]["wall_s_median"], 1),
        "vs_backfill_per_date": round(per_date / backfill_per_date, 1),
    }
    if compute:
        # like with like: the reference writes nothing either
        compute_per_date = compute["wall_s_median"] / game_days
        out["compute_s_per_date"] = round(compute_per_date, 4)
        out["vs_compute_per_date"] = round(per_date / compute_per_date, 1)
    out["by_table"] = by_table(
        ref["seconds"],
        res["backfill"]["seconds"],
        dates,
        game_days,
        compute_s=compute["seconds"] if compute else None,
    )
    return out


def by_table(
    reference_s: dict[str, float],
    backfill_s: dict[str, float],
    dates: int,
    game_days: int,
    compute_s: dict[str, float] | None = None,
) -> dict[str, dict]:
    """Per table: the reference's seconds per date against the model's seconds in the
    backfill per game date (and, given ``compute_s``, against its statement alone per game
    date). Models overlap in the backfill (two run at a time), so these ratios show where the
    time goes, not a sum that adds up to the run's ratio."""
    out = {}
    for table, ours in backfill_s.items():  # in the order the models ran
        ref_s = reference_s.get(table)
        if not ours or not ref_s:
            continue
        ref_per_date, ours_per_date = ref_s / max(dates, 1), ours / game_days
        out[table] = {
            "reference_s_per_date": round(ref_per_date, 4),
            "backfill_s_per_date": round(ours_per_date, 5),
            "ratio": round(ref_per_date / ours_per_date, 1),
        }
        computed = (compute_s or {}).get(table)
        if computed:
            out[table]["compute_s_per_date"] = round(computed / game_days, 5)
            out[table]["compute_ratio"] = round(ref_per_date * game_days / computed, 1)
    return out


def targets(datasets: dict[str, dict]) -> list[dict]:
    """Issue #8's targets, each with the measured value and whether it holds."""
    out = []
    four = datasets.get("synthetic-4")
    if four:
        r = four["results"]
        out += [
            _target("4 seasons: full backfill", r["backfill"]["wall_s_median"], "<=", 20.0, "s"),
            _target("4 seasons: one daily run", r["daily_run"]["wall_s_median"], "<=", 1.0, "s"),
            _target(
                "4 seasons: unchanged re-run", r["rerun_unchanged"]["wall_s_median"], "<=", 2.0, "s"
            ),
        ]
        if four["ratios"]:
            out += [
                _target(
                    "reference per date / our daily run",
                    four["ratios"]["vs_daily_run"],
                    ">=",
                    100.0,
                    "x",
                ),
                _target(
                    "reference per date / our backfill per date",
                    four["ratios"]["vs_backfill_per_date"],
                    ">=",
                    100.0,
                    "x",
                ),
            ]
    twenty = datasets.get("synthetic-20")
    if four and twenty:
        growth = (
            twenty["results"]["backfill"]["wall_s_median"]
            / four["results"]["backfill"]["wall_s_median"]
        )
        out += [
            _target("20 seasons: backfill time / 4 seasons", round(growth, 2), "<=", 6.0, "x"),
            _target(
                "20 seasons: peak memory",
                twenty["results"]["backfill"]["peak_rss_mib"],
                "<",
                4096.0,
                "MiB",
            ),
        ]
    return out


def _target(name: str, value: float, op: str, bound: float, unit: str) -> dict:
    met = {"<=": value <= bound, "<": value < bound, ">=": value >= bound}[op]
    return {"target": name, "measured": value, "bound": f"{op} {bound:g} {unit}", "met": met}


def machine() -> dict:
    import duckdb

    from nbapipe import __version__

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "nbapipe": __version__,
        "platform": platform.platform(),
    }


@dataclass
class Options:
    datasets: list[str] = field(default_factory=lambda: list(DATASETS))
    repeat: int = 3
    write: bool = False
    smoke: bool = False
    out: Path = RESULTS
    n_reference: int = N_REFERENCE


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets",
        default=",".join(DATASETS),
        help=f"comma-separated, from {', '.join(DATASETS)} (default: all)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median kept)")
    parser.add_argument("--write", action="store_true", help="add the results to BENCHMARKS.md")
    parser.add_argument("--smoke", action="store_true", help="a tiny league, one run each")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for latest.json")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}: use {', '.join(DATASETS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return Options(
        names, args.repeat, args.write, args.smoke, args.out, 2 if args.smoke else N_REFERENCE
    )


def main(argv: list[str] | None = None) -> dict:
    opts = parse(argv)
    chosen = [SMOKE] if opts.smoke else [DATASETS[n] for n in opts.datasets]
    work = Path(tempfile.mkdtemp(prefix="nbapipe-bench-"))
    datasets: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    try:
        for ds in chosen:
            if ds.needs is not None and not ds.needs.is_dir():
                skipped[ds.name] = f"{ds.needs} not present"
                print(f"{ds.name:14s} skipped: {skipped[ds.name]}")
                continue
            datasets[ds.name] = run_dataset(ds, opts.repeat, work, opts.n_reference)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    record = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "repeat": opts.repeat,
        "datasets": datasets,
        "skipped": skipped,
        "targets": targets(datasets),
    }
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / "latest.json").write_text(json.dumps(record, indent=2) + "\n")
    for t in record["targets"]:
        mark = "met" if t["met"] else "NOT met"
        print(f"target {t['target']}: {t['measured']} ({t['bound']}) {mark}")
    if opts.write:
        write_markdown(record)
    return record


def markdown(record: dict) -> str:
    m = record["machine"]
    lines = [
        f"### {record['when']}",
        "",
        f"`{record['command']}` on {m['cores']} cores, {m['memory_gib']} GiB, "
        f"Python {m['python']}, DuckDB {m['duckdb']}, nbapipe {m['nbapipe']}; wall time is "
        f"the median of {record['repeat']} runs unless the runs column shows fewer.",
    ]
    for name, why in record["skipped"].items():
        lines += ["", f"Dataset {name} skipped: {why}."]
    for name, data in record["datasets"].items():
        lines += [
            "",
            f"**{name}**: {data['describe']}; {data['game_dates']} game dates; daily run and "
            f"reference from {data['daily_date']}.",
            "",
            "| scenario | wall (median) | runs | CPU | peak RSS | rows written |",
            "|---|---|---|---|---|---|",
        ]
        for scenario, r in data["results"].items():
            rows = sum(r["rows"].values()) if r["rows"] else 0
            runs = ", ".join(f"{w:.2f}" for w in r["wall_s_runs"])
            lines.append(
                f"| {scenario} | {r['wall_s_median']:.2f} s | {runs} | {r['cpu_s']:.2f} s "
                f"| {r['peak_rss_mib']:.0f} MiB | {rows:,} |"
            )
        backfill = data["results"].get("backfill")
        per_table = (data["ratios"] or {}).get("by_table", {})
        if backfill and backfill["seconds"]:
            alone = any("compute_ratio" in t for t in per_table.values())
            head = "| model (backfill) | seconds | rows |"
            if per_table:
                head += " reference s per date | ours s per date | reference / ours |"
            if alone:
                head += " computation alone s | reference / computation |"
            lines += ["", head, "|---" * (head.count("|") - 1) + "|"]
            for model, secs in backfill["seconds"].items():
                row = f"| `{model}` | {secs:.2f} | {backfill['rows'].get(model, 0):,} |"
                t = per_table.get(model)
                if per_table:
                    row += (
                        f" {t['reference_s_per_date']:.4f} | {t['backfill_s_per_date']:.5f} "
                        f"| x{t['ratio']} |"
                        if t
                        else " | | |"
                    )
                if alone:
                    computed = data["results"]["compute_only"]["seconds"].get(model)
                    row += (
                        f" {computed:.2f} | x{t['compute_ratio']} |"
                        if t and "compute_ratio" in t
                        else " | |"
                    )
                lines.append(row)
        failed = (backfill or {}).get("extra", {}).get("dates_failed")
        if failed:
            lines += [
                "",
                "The backfill left dates it could not compute (the harness times the run all the "
                "same; `nbapipe failures` says why): "
                + ", ".join(f"`{m}` {n:,}" for m, n in failed.items())
                + ".",
            ]
        r = data["ratios"]
        if r:
            lines += [
                "",
                f"Legacy-style reference (bench/reference, every table, "
                f"{r['reference_dates']} dates): {r['reference_s_per_date']:.2f} s per date; "
                f"our daily run {r['daily_run_s']:.2f} s (x{r['vs_daily_run']}), our backfill "
                f"{r['backfill_s_per_date']:.4f} s per date (x{r['vs_backfill_per_date']}).",
            ]
            if "vs_compute_per_date" in r:
                lines[-1] += (
                    f" The reference computes rows and writes nothing: against our computation "
                    f"alone (compute_only: every model's statement over the backfill's range, "
                    f"one after another, nothing written) {r['compute_s_per_date']:.4f} s per "
                    f"date (x{r['vs_compute_per_date']})."
                )
            if r.get("by_table"):
                lines[-1] += (
                    " Per table above: the reference's seconds per date against the model's "
                    "backfill seconds per game date (models run two at a time, so the model "
                    "seconds add up to more than the backfill's wall time)"
                    + (", and against its statement alone." if "vs_compute_per_date" in r else ".")
                )
    if record["targets"]:
        lines += ["", "| target | measured | bound | met |", "|---|---|---|---|"]
        for t in record["targets"]:
            lines.append(
                f"| {t['target']} | {t['measured']} | {t['bound']} | "
                f"{'yes' if t['met'] else '**no**'} |"
            )
    return "\n".join(lines) + "\n"


def write_markdown(record: dict) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    marker = "<!-- results: newest first -->\n"
    if marker not in text:
        text += "\n" + marker
    path.write_text(text.replace(marker, marker + "\n" + markdown(record)))


if __name__ == "__main__":
    main()
