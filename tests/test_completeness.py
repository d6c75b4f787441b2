"""player_completeness against a straightforward per-player reference, and point-in-time."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

MODEL = "nba_analytics.player_completeness"
WINDOWS = ("l5", "l10", "l7d", "l14d", "l30d")


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("completeness") / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=5, warehouse=path)
    api.backfill(warehouse=path, models=[MODEL])
    return path


def reference(eng: DuckDBEngine, day: dt.date, player: str) -> dict:
    """One player on one date, computed the obvious way, one row at a time."""
    rows = eng.fetchall(
        "SELECT game_id, game_date, team_abbr, player_status FROM nba_raw.player_boxscores "
        "WHERE player_lookup = ? AND season_year = 2024 ORDER BY game_date",
        [player],
    )
    before = [r for r in rows if r[1] < day]
    team = before[-1][2]
    status = {r[0]: r[3] for r in rows}
    games = eng.fetchall(
        "SELECT game_id, game_date FROM nba_raw.schedule WHERE season_year = 2024 "
        "AND (home_team_abbr = ? OR away_team_abbr = ?) AND game_date < ? "
        "ORDER BY game_date DESC",
        [team, team, day],
    )
    windows = {
        "l5": games[:5],
        "l10": games[:10],
        "l7d": [g for g in games if (day - g[1]).days <= 7],
        "l14d": [g for g in games if (day - g[1]).days <= 14],
        "l30d": [g for g in games if (day - g[1]).days <= 30],
    }
    out: dict = {"team_abbr": team}
    for name, window in windows.items():
        sat = sum(status.get(g[0]) in ("dnp", "inactive") for g in window)
        out[f"{name}_expected"] = len(window) - sat
        out[f"{name}_actual"] = sum(status.get(g[0]) == "active" for g in window)
    return out


def test_completeness_matches_per_player_reference(season: Path) -> None:
    with DuckDBEngine(season, create=False) as eng:
        rows = eng.fetchall(f"SELECT analysis_date, player_lookup FROM {MODEL} ORDER BY ALL")
        rng = random.Random(1)
        sample = rng.sample(rows, 150)
        cols = ["team_abbr"] + [f"{w}_{k}" for w in WINDOWS for k in ("expected", "actual")]
        mismatches = []
        for day, player in sample:
            got = dict(
                zip(
                    cols,
                    eng.fetchone(
                        f"SELECT {', '.join(cols)} FROM {MODEL} "
                        "WHERE analysis_date = ? AND player_lookup = ?",
                        [day, player],
                    ),
                    strict=True,
                )
            )
            want = reference(eng, day, player)
            if got != want:
                mismatches.append((day, player, got, want))
    assert mismatches == []


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
