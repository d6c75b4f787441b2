"""Compare the set-based tables with the per-entity references, table by table and date by date.

    python -m bench.proof                       # a fresh 1-season synthetic league, 12 dates
    python -m bench.proof --warehouse w.duckdb --dates 20
    python -m bench.proof --seasons 2022-23..2023-24 --seed 4 --teams 16 --weeks 20

Prints, per table, the dates, rows and columns compared and the mismatches found; exits 1 when
any value differs. The same comparison runs inside the property tests (tests/test_proof.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from bench.reference import Reference, load_all
from bench.reference.base import rows as fetch_rows

RUN_COLUMNS = ("run_id", "processed_at")
REL_TOL = 1e-9
FAILURES = "nba_processing.precompute_failures"
INTERVALS = "nba_reference.model_intervals"


@dataclass
class Mismatch:
    table: str
    day: dt.date
    entity: str
    column: str
    ours: Any
    reference: Any

    def __str__(self) -> str:
        return (
            f"{self.table} {self.day} {self.entity} {self.column}: "
            f"ours {self.ours!r}, reference {self.reference!r}"
        )


@dataclass
class TableComparison:
    table: str
    columns: int = 0
    dates: int = 0
    dates_skipped: int = 0  # the model itself recorded the date as failed
    rows: int = 0
    failures: int = 0
    reference_seconds: float = 0.0
    mismatches: list[Mismatch] = field(default_factory=list)

    def add(self, other: TableComparison) -> None:
        self.columns = max(self.columns, other.columns)
        self.dates += other.dates
        self.dates_skipped += other.dates_skipped
        self.rows += other.rows
        self.failures += other.failures
        self.reference_seconds += other.reference_seconds
        self.mismatches += other.mismatches


def same(ours: Any, ref: Any, tol: float = 0.0) -> bool:
    """Equal, with floats to 1e-9 relative (or ``tol`` absolute) and NULL equal to NULL."""
    if ours is None or ref is None:
        return ours is None and ref is None
    if isinstance(ours, (list, tuple)) and isinstance(ref, (list, tuple)):
        return len(ours) == len(ref) and all(
            same(a, b, tol) for a, b in zip(ours, ref, strict=True)
        )
    if isinstance(ours, bool) or isinstance(ref, bool):
        return bool(ours) == bool(ref) and type(ours) is type(ref)
    if isinstance(ours, (int, float)) and isinstance(ref, (int, float)):
        if isinstance(ours, float) and math.isnan(ours):
            return isinstance(ref, float) and math.isnan(ref)
        return math.isclose(float(ours), float(ref), rel_tol=REL_TOL, abs_tol=max(tol, 1e-12))
    return ours == ref


def _date_column(con: duckdb.DuckDBPyConnection, table: str) -> str:
    from nbapipe.pipeline.model import all_models

    return all_models()[table].date_column


def compare_date(con: duckdb.DuckDBPyConnection, ref: Reference, day: dt.date) -> TableComparison:
    """One table on one date: every stored row and failure against the reference's."""
    out = TableComparison(ref.table)
    status = con.execute(
        f"SELECT status FROM {INTERVALS} WHERE model = ? AND interval_date = ?", [ref.table, day]
    ).fetchone()
    if status is None or status[0] != "success":
        out.dates_skipped = 1
        return out
    dc = _date_column(con, ref.table)
    stored = fetch_rows(con, f"SELECT * FROM {ref.table} WHERE {dc} = ?", [day])
    t = time.perf_counter()
    answer = ref.compute(con, day)
    out.reference_seconds = time.perf_counter() - t
    out.dates = 1

    def key_of(row: dict) -> str:
        return "/".join(str(row[k]) for k in ref.key)

    ours = {key_of(r): r for r in stored}
    theirs = {key_of(r): r for r in answer.rows}
    columns = [
        c
        for c in (stored[0].keys() if stored else (answer.rows[0].keys() if answer.rows else []))
        if c not in RUN_COLUMNS and c not in ref.skip and c != dc
    ]
    out.columns = len(columns)
    for entity in sorted(ours.keys() | theirs.keys()):
        if entity not in ours or entity not in theirs:
            out.mismatches.append(
                Mismatch(ref.table, day, entity, "(row)", entity in ours, entity in theirs)
            )
            continue
        out.rows += 1
        a, b = ours[entity], theirs[entity]
        for col in columns:
            if col not in b:
                out.mismatches.append(Mismatch(ref.table, day, entity, col, a.get(col), "(absent)"))
            elif not same(a.get(col), b[col], ref.tolerance.get(col, 0.0)):
                out.mismatches.append(Mismatch(ref.table, day, entity, col, a.get(col), b[col]))
    stored_failures = dict(
        con.execute(
            f"SELECT entity_id, failure_category FROM {FAILURES} WHERE model = ? "
            "AND analysis_date = ? AND entity_id <> '__date__'",
            [ref.table, day],
        ).fetchall()
    )
    for entity in sorted(stored_failures.keys() | answer.failures.keys()):
        out.failures += 1
        if stored_failures.get(entity) != answer.failures.get(entity):
            out.mismatches.append(
                Mismatch(
                    ref.table,
                    day,
                    entity,
                    "failure_category",
                    stored_failures.get(entity),
                    answer.failures.get(entity),
                )
            )
    return out


def pick_dates(con: duckdb.DuckDBPyConnection, n: int, seed: int) -> list[dt.date]:
    """Dates to compare: the opener, the early-season edge (days 13 and 14), the first dates
    after the All-Star break and after the trade deadline when present, the last date, and
    random others."""
    days = [
        d
        for (d,) in con.execute(
            "SELECT DISTINCT game_date FROM nba_raw.schedule WHERE coalesce(game_status, 3) = 3 "
            "ORDER BY 1"
        ).fetchall()
    ]
    if not days:
        return []
    chosen: set[dt.date] = {days[0], days[-1]}
    openers = [
        d
        for (d,) in con.execute(
            "SELECT min(game_date) FROM nba_raw.schedule GROUP BY season_year"
        ).fetchall()
    ]
    for opener in openers:
        for offset in (13, 14, 21):
            later = [d for d in days if d >= opener + dt.timedelta(days=offset)]
            if later:
                chosen.add(later[0])
    gaps = [b for a, b in itertools.pairwise(days) if (b - a).days >= 4]
    chosen.update(gaps[:2])  # the first game day after a break (All-Star)
    rng = random.Random(seed)
    rest = [d for d in days if d not in chosen]
    chosen.update(rng.sample(rest, min(len(rest), max(0, n - len(chosen)))))
    return sorted(chosen)


def schedule_days(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Every game date of the schedule, played or not, in order."""
    return [
        d
        for (d,) in con.execute(
            "SELECT DISTINCT game_date FROM nba_raw.schedule ORDER BY 1"
        ).fetchall()
    ]


SPREAD_OFFSETS = (0, 3, 5, 13, 14, 18, 21)  # days after the opener: early season and its end


def spread_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Fixed dates spread over a season, for comparing a table with its reference: the first
    game day on or after each of SPREAD_OFFSETS days from the opener (opening night, early
    season, its last day and the first after it, the end of the ramp), the next game day after
    the opener, the quarter, half and three-quarter game days, the first game day after the
    longest gap (the All-Star break) and the last two game days, played or not."""
    days = schedule_days(con)
    if not days:
        return []
    opener, n = days[0], len(days)
    picks = {next(d for d in days if (d - opener).days >= k) for k in SPREAD_OFFSETS}
    after_break = max(range(1, n), key=lambda i: days[i] - days[i - 1]) if n > 1 else 0
    picks |= {days[min(1, n - 1)], days[n // 4], days[n // 2], days[3 * n // 4]}
    picks |= {days[after_break], days[-2 if n > 1 else -1], days[-1]}
    return sorted(picks)


def compare_warehouse(
    path: Path,
    days: list[dt.date] | None = None,
    n_dates: int = 12,
    seed: int = 0,
    tables: list[str] | None = None,
) -> dict[str, TableComparison]:
    """Every registered reference over the chosen dates of a built warehouse."""
    refs = load_all()
    names = [t for t in (tables or list(refs)) if t in refs]
    results = {t: TableComparison(t) for t in names}
    con = duckdb.connect(str(path), read_only=True)
    try:
        days = days or pick_dates(con, n_dates, seed)
        for name in names:
            for day in days:
                results[name].add(compare_date(con, refs[name], day))
    finally:
        con.close()
    return results


def time_reference(path: str | Path, first_day: str | dt.date, n_dates: int) -> dict:
    """Seconds the reference takes per table for ``n_dates`` game dates from ``first_day``
    (the legacy-style baseline the benchmark compares with)."""
    refs = load_all()
    con = duckdb.connect(str(path), read_only=True)
    try:
        days = [
            d
            for (d,) in con.execute(
                "SELECT DISTINCT game_date FROM nba_raw.schedule WHERE game_date >= ? "
                "ORDER BY 1 LIMIT ?",
                [first_day, n_dates],
            ).fetchall()
        ]
        seconds: dict[str, float] = {}
        for name, ref in refs.items():
            t = time.perf_counter()
            for day in days:
                ref.compute(con, day)
            seconds[name] = round(time.perf_counter() - t, 3)
    finally:
        con.close()
    return {"dates": len(days), "seconds_by_table": seconds}


def print_report(results: dict[str, TableComparison], file=None) -> int:
    """The per-table summary; returns the number of mismatches."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file or sys.stdout, width=160)
    table = Table(title="set-based tables vs the per-entity reference")
    for col in (
        "table",
        "dates",
        "skipped",
        "columns",
        "rows",
        "failures",
        "mismatches",
        "reference s",
    ):
        table.add_column(col, justify="left" if col == "table" else "right", no_wrap=True)
    total = 0
    for name, r in results.items():
        total += len(r.mismatches)
        table.add_row(
            name,
            str(r.dates),
            str(r.dates_skipped),
            str(r.columns),
            f"{r.rows:,}",
            f"{r.failures:,}",
            str(len(r.mismatches)),
            f"{r.reference_seconds:.1f}",
        )
    console.print(table)
    for r in results.values():
        for m in r.mismatches[:10]:
            console.print(f"  [red]{m}[/]")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.proof", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--warehouse", type=Path, help="a built warehouse (default: build one)")
    parser.add_argument("--seasons", default="2023-24")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--teams", type=int)
    parser.add_argument("--weeks", type=int)
    parser.add_argument("--dates", type=int, default=12, help="dates to compare per table")
    parser.add_argument("--table", action="append", help="only these tables (repeatable)")
    args = parser.parse_args(argv)
    from nbapipe import api

    if args.warehouse is None:
        tmp = Path(tempfile.mkdtemp(prefix="nbapipe-proof-")) / "w.duckdb"
        print(f"building a synthetic league in {tmp} ...", file=sys.stderr)
        api.ingest_synthetic(
            args.seasons, seed=args.seed, teams=args.teams, weeks=args.weeks, warehouse=tmp
        )
        api.backfill(warehouse=tmp)
        args.warehouse = tmp
    results = compare_warehouse(
        args.warehouse, n_dates=args.dates, seed=args.seed, tables=args.table
    )
    return 1 if print_report(results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
