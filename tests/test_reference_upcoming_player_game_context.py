"""upcoming_player_game_context against its legacy-style reference (bench/reference): every
row and every column on dates spread over a synthetic season, games not played yet
included."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from bench.reference.base import rows
from bench.reference.upcoming_player_game_context import REFERENCE
from nbapipe import api

MODEL = REFERENCE.table
DATE_COLUMN = "game_date"
MODELS = [
    "nba_analytics.team_offense_game_summary",
    "nba_analytics.team_defense_game_summary",
    "nba_analytics.player_prop_lines",
    "nba_analytics.player_game_summary",
    "nba_analytics.player_completeness",
    "nba_analytics.upcoming_team_game_context",
    MODEL,
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A synthetic season whose last two dates are not played yet (driver: rosters minus
    players out), with injury statuses in mixed case."""
    path = tmp_path_factory.mktemp("ref_upgc") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    con = duckdb.connect(str(path))
    con.execute(
        "UPDATE nba_raw.injury_report SET injury_status = CASE hash(player_lookup) % 3 "
        "WHEN 0 THEN upper(injury_status) "
        "WHEN 1 THEN upper(injury_status[1]) || injury_status[2:] ELSE injury_status END"
    )
    last = con.execute("SELECT max(game_date) FROM nba_raw.schedule").fetchone()[0]
    con.execute(
        "UPDATE nba_raw.schedule SET game_status = 1, home_team_score = NULL, "
        "away_team_score = NULL, winning_team_abbr = NULL WHERE game_date >= ?",
        [last - dt.timedelta(days=1)],
    )
    for table in ("player_boxscores", "team_boxscores", "play_by_play"):
        con.execute(
            f"DELETE FROM nba_raw.{table} WHERE game_date >= ?", [last - dt.timedelta(days=1)]
        )
    con.close()
    summary = api.backfill(warehouse=path, models=MODELS)
    assert all(m.status in ("success", "partial") for m in summary.models), summary.models
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


def test_reference_upcoming_player_game_context_equals_model_on_spread_dates(
    warehouse: Path,
) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        days = spread_dates(con)
        results = [mismatches(con, day) for day in days]
        future = con.execute(
            f"SELECT count(*) FROM {MODEL} WHERE is_future_game AND game_date IN "
            "(SELECT unnest(?))",
            [days],
        ).fetchone()[0]
    finally:
        con.close()
    diffs = [d for ds, _, _ in results for d in ds]
    assert len(days) >= 8
    assert diffs[:10] == []
    assert sum(n for _, n, _ in results) >= 1000  # rows compared
    assert future > 0  # the roster driver of games not played yet is compared too


def test_reference_upcoming_player_game_context_questionable_star_teammates_match(
    warehouse: Path,
) -> None:
    """Found by this reference: a star listed questionable who then sat was only counted when
    he had a row for the game, so the count depended on the game's outcome."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        diffs = [d for day in spread_dates(con) for d in mismatches(con, day)[0]]
        counted = con.execute(
            f"SELECT count(*) FROM {MODEL} WHERE questionable_star_teammates > 0"
        ).fetchone()[0]
    finally:
        con.close()
    assert [d for d in diffs if len(d) == 5 and d[2] == "questionable_star_teammates"] == []
    assert counted > 0


def test_reference_upcoming_player_game_context_covers_every_column(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = {c for (c, *_) in con.execute(f"DESCRIBE {MODEL}").fetchall()}
        answer = REFERENCE.compute(con, spread_dates(con)[-1])
    finally:
        con.close()
    assert columns <= set(answer.rows[0]) | set(REFERENCE.skip) | {"run_id", "processed_at"}
