"""Our models' computation alone, the part of a backfill the legacy-style reference also does.

The reference (bench/reference) computes a table's rows for a date and keeps them in memory:
it writes nothing, runs no checks and records no state. ``time_compute`` does the same with
our models on a warehouse a backfill has filled: each model's statement over the backfill's
range, in the backfill's chunks, into a temporary table, one model after another with every
core, nothing written. Set beside the backfill, it shows what writing the rows, the checks
and the run state cost; set beside the reference, it compares like with like.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.pipeline.model import all_models, dependency_order, render
from nbapipe.pipeline.runner import _values, plan_chunks


def time_compute(path: str | Path) -> dict:
    """Seconds per model, and the rows each would write (failure rows left out), for every
    model computed over the schedule's whole range, as ``backfill`` computes it."""
    with DuckDBEngine(path, read_only=True, create=False) as engine:
        lo, hi, game_dates = engine.fetchone(
            "SELECT min(game_date), max(game_date), count(DISTINCT game_date) FROM nba_raw.schedule"
        )
        if lo is None:
            raise SystemExit(f"{path}: the schedule is empty; ingest and backfill first")
        days = [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1)]
        seconds: dict[str, float] = {}
        rows: dict[str, int] = {}
        for model in dependency_order(all_models()):
            spent, written = 0.0, 0
            for chunk in plan_chunks(days):
                sql = render(model, _values(chunk[0], chunk[-1] + dt.timedelta(days=1)))
                t = time.perf_counter()
                engine.materialize("_compute_out", sql)
                spent += time.perf_counter() - t
                columns = [c for c, _ in engine.columns_of_query("SELECT * FROM _compute_out")]
                ok = "failure_category IS NULL" if "failure_category" in columns else "TRUE"
                written += engine.fetchone(f"SELECT count(*) FROM _compute_out WHERE {ok}")[0]
            engine.drop("_compute_out")
            seconds[model.name] = round(spent, 3)
            rows[model.name] = written
    return {"dates": game_dates, "seconds_by_table": seconds, "rows_by_table": rows}
