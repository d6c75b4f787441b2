"""player_completeness against a straightforward per-player reference, and point-in-time."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from bench.reference import player_completeness as completeness_reference
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

MODEL = "nba_analytics.player_completeness"


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("completeness") / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=5, warehouse=path)
    api.backfill(warehouse=path, models=[MODEL])
    return path


def test_completeness_matches_per_player_reference(season: Path) -> None:
    """150 random (date, player) rows equal the per-player reference of
    bench/reference/player_completeness.py in every column."""
    with DuckDBEngine(season, create=False) as eng:
        rows = eng.fetchall(f"SELECT analysis_date, player_lookup FROM {MODEL} ORDER BY ALL")
        sample = random.Random(1).sample(rows, 150)
        by_day = defaultdict(set)
        for day, player in sample:
            by_day[day].add(player)
        cur = eng.execute(
            f"SELECT * EXCLUDE (run_id, processed_at) FROM {MODEL} "
            "WHERE (analysis_date, player_lookup) IN (SELECT unnest(?), unnest(?))",
            [[d for d, _ in sample], [p for _, p in sample]],
        )
        names = [d[0] for d in cur.description]
        got = {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in cur.fetchall()}
        want = {}
        for day, players in sorted(by_day.items()):
            for r in completeness_reference.compute(eng.con, day).rows:
                if r["player_lookup"] in players:
                    want[(day, r["player_lookup"])] = r
    assert len(got) == len(want) == 150
    assert {k: v for k, v in got.items() if v != want[k]} == {}


def test_completeness_league_is_mostly_production_ready(season: Path) -> None:
    with DuckDBEngine(season, create=False) as eng:
        ready, avg_pct, players_per_date = eng.fetchone(
            f"SELECT avg(CAST(is_production_ready AS DOUBLE)), avg(completeness_pct), "
            f"count(*) / count(DISTINCT analysis_date) FROM {MODEL}"
        )
    assert ready > 0.95 and avg_pct > 95  # synthetic data has no gaps, only trades
    assert 200 <= players_per_date <= 560


def test_completeness_uses_only_games_before_the_date(season: Path, tmp_path: Path) -> None:
    """Deleting every box-score row on and after D leaves D's completeness unchanged."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(season, copy)
    day = dt.date(2025, 1, 20)
    query = (
        f"SELECT * EXCLUDE (run_id, processed_at) FROM {MODEL} WHERE analysis_date = ? ORDER BY ALL"
    )
    with DuckDBEngine(copy, create=False) as eng:
        before = eng.fetchall(query, [day])
        eng.execute("DELETE FROM nba_raw.player_boxscores WHERE game_date >= ?", [day])
    summary = api.backfill(day, day, warehouse=copy, models=[MODEL], force=True)
    assert summary.models[0].dates_computed == 1
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchall(query, [day]) == before
    assert len(before) > 200


def test_completeness_changed_game_recomputes_later_dates_of_the_season(
    season: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(season, copy)
    with DuckDBEngine(copy, create=False) as eng:
        eng.execute(
            "UPDATE nba_raw.player_boxscores SET player_status = 'inactive', minutes = NULL, "
            "points = NULL WHERE game_date = DATE '2025-03-01' AND player_status = 'dnp'"
        )
    summary = api.backfill(warehouse=copy, models=[MODEL])
    computed = summary.models[0].dates_computed
    # A 10-game window reaches forward: every later date may change, earlier ones cannot.
    with DuckDBEngine(copy, create=False) as eng:
        later = eng.fetchone(
            "SELECT count(DISTINCT game_date) FROM nba_raw.schedule "
            "WHERE game_date >= DATE '2025-03-01'"
        )[0]
        by_date = defaultdict(int)
        for (d,) in eng.fetchall(
            "SELECT interval_date FROM nba_reference.model_intervals WHERE run_id = ?",
            [summary.run_id],
        ):
            by_date[d] += 1
    assert min(by_date) >= dt.date(2025, 3, 1)
    assert computed >= later
