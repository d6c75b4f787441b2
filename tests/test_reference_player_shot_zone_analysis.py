"""player_shot_zone_analysis against its legacy-style reference (bench/reference): every
row, every column and every failure on dates spread over a synthetic season."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from bench.reference.base import rows
from bench.reference.player_shot_zone_analysis import REFERENCE
from nbapipe import api

MODEL = REFERENCE.table
DATE_COLUMN = "analysis_date"
MODELS = [
    "nba_analytics.team_offense_game_summary",
    "nba_analytics.player_game_summary",
    "nba_analytics.player_completeness",
    MODEL,
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A synthetic season where one game in twelve loses its play-by-play (no zones)."""
    path = tmp_path_factory.mktemp("ref_psza") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM nba_raw.play_by_play WHERE hash(game_id) % 12 = 0")
    con.close()
    summary = api.backfill(warehouse=path, models=MODELS)
    assert summary.ok, summary
    return path


def spread_dates(con: duckdb.DuckDBPyConnection, extra: int = 2) -> list[dt.date]:
    """The opener, early-season days, the end of the dynamic minimum, the first date after the
    All-Star break (the longest gap between game dates), the last date, and a few more."""
    dates = [
        d
        for (d,) in con.execute(
            "SELECT DISTINCT game_date FROM nba_raw.schedule ORDER BY 1"
        ).fetchall()
    ]
    opener = dates[0]
    picks = [next(d for d in dates if (d - opener).days >= k) for k in (0, 5, 14, 18, 21, 40, 90)]
    gaps = max(range(1, len(dates)), key=lambda i: (dates[i] - dates[i - 1]).days)
    picks += [dates[gaps], dates[-1]]
    picks += dates[len(dates) // 3 :: max(1, len(dates) // (3 * extra))][:extra]
    return sorted(set(picks))


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return a == b


def mismatches(con: duckdb.DuckDBPyConnection, day: dt.date) -> tuple[list, int, int]:
    """Differences between the stored rows/failures of the date and the reference's."""
    ref = REFERENCE
    answer = ref.compute(con, day)
    stored = rows(
        con, f"SELECT * EXCLUDE (run_id, processed_at) FROM {MODEL} WHERE {DATE_COLUMN} = ?", [day]
    )
    failures = dict(
        con.execute(
            "SELECT entity_id, failure_category FROM nba_processing.precompute_failures "
            "WHERE model = ? AND analysis_date = ?",
            [MODEL, day],
        ).fetchall()
    )
    got = {tuple(r[k] for k in ref.key): r for r in stored}
    want = {tuple(r[k] for k in ref.key): r for r in answer.rows}
    diffs = []
    if failures != answer.failures:
        diffs.append((day, "failures", failures, answer.failures))
    if set(got) != set(want):
        diffs.append((day, "keys", sorted(set(got) ^ set(want))))
    for key in set(got) & set(want):
        for col, value in got[key].items():
            if col not in ref.skip and not same(value, want[key][col]):
                diffs.append((day, key, col, value, want[key][col]))
    return diffs, len(got), len(failures)


def test_reference_player_shot_zone_analysis_equals_model_on_spread_dates(
    warehouse: Path,
) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        days = spread_dates(con)
        results = [mismatches(con, day) for day in days]
        categories = {
            c
            for (c,) in con.execute(
                "SELECT DISTINCT failure_category FROM nba_processing.precompute_failures "
                "WHERE model = ? AND analysis_date IN (SELECT unnest(?))",
                [MODEL, days],
            ).fetchall()
        }
    finally:
        con.close()
    assert len(days) >= 8
    assert [d for diffs, _, _ in results for d in diffs][:10] == []
    assert sum(n for _, n, _ in results) >= 1000  # rows compared
    assert categories == {"EARLY_SEASON", "EXPECTED_INCOMPLETE", "INCOMPLETE_UPSTREAM"}


def test_reference_player_shot_zone_analysis_covers_every_column(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = {c for (c, *_) in con.execute(f"DESCRIBE {MODEL}").fetchall()}
        answer = REFERENCE.compute(con, spread_dates(con)[-1])
    finally:
        con.close()
    assert columns <= set(answer.rows[0]) | set(REFERENCE.skip) | {"run_id", "processed_at"}
