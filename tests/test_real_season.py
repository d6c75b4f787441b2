"""The team models on the real 2024-25 season (NBA.com files from ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHARED_DATA
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

DATA = SHARED_DATA / "nba_stats"
TOGS = "nba_analytics.team_offense_game_summary"
TDGS = "nba_analytics.team_defense_game_summary"


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    if not DATA.is_dir():
        pytest.skip("../shared/data not present: real-data tests need it beside the checkout")
    path = tmp_path_factory.mktemp("real") / "w.duckdb"
    files = [
        "schedule_2024_25.csv",
        "team_gamelogs_2024_25.csv",
        "player_gamelogs_2024_25.csv",
        "shots_2024_25.csv.zip",
    ]
    result = api.ingest_files("nba-stats", [DATA / f for f in files], warehouse=path)
    assert all(o.status == "loaded" for o in result.files)
    api.backfill(warehouse=path, models=[TOGS, TDGS])
    return path


def test_real_season_every_team_game_is_present(season: Path) -> None:
    with DuckDBEngine(season, create=False) as eng:
        box, togs, tdgs, regular = eng.fetchone(
            f"""SELECT (SELECT count(*) FROM nba_raw.team_boxscores),
                       (SELECT count(*) FROM {TOGS}), (SELECT count(*) FROM {TDGS}),
                       (SELECT count(*) FROM {TOGS} t JOIN nba_raw.schedule s USING (game_id)
                        WHERE s.season_type = 'Regular Season')"""
        )
    assert togs == tdgs == box
    assert regular == 2460


def test_real_season_possessions_ratings_and_pace_are_nba_like(season: Path) -> None:
    with DuckDBEngine(season, create=False) as eng:
        pace, share_in_band, ortg, poss, lo_ortg, hi_ortg = eng.fetchone(
            f"""SELECT avg(pace), avg(CAST(pace BETWEEN 90 AND 110 AS DOUBLE)),
                       avg(offensive_rating), avg(possessions),
                       min(offensive_rating), max(offensive_rating)
                FROM {TOGS} t JOIN nba_raw.schedule s USING (game_id)
                WHERE s.season_type = 'Regular Season'"""
        )
    # 2024-25: league pace about 99-100, offensive rating about 112-114.
    assert 97 <= pace <= 103 and share_in_band >= 0.9
    assert 109 <= ortg <= 117 and 95 <= poss <= 105
    assert lo_ortg >= 55 and hi_ortg <= 175


def test_real_season_zones_sum_to_attempts_with_real_shares(season: Path) -> None:
    with DuckDBEngine(season, create=False) as eng:
        gap, paint, mid, three, paint_pct, mid_pct = eng.fetchone(
            f"""SELECT sum(abs(team_paint_attempts + team_mid_range_attempts
                               + team_three_attempts_pbp + team_unknown_zone_attempts
                               - fg_attempts)),
                       sum(team_paint_attempts) / sum(fg_attempts),
                       sum(team_mid_range_attempts) / sum(fg_attempts),
                       sum(team_three_attempts_pbp) / sum(fg_attempts),
                       sum(team_paint_makes) / sum(team_paint_attempts),
                       sum(team_mid_range_makes) / sum(team_mid_range_attempts)
                FROM {TOGS} WHERE shot_zones_available"""
        )
    assert gap == 0
    assert 0.38 <= paint <= 0.48 and 0.12 <= mid <= 0.20 and 0.38 <= three <= 0.45
    assert 0.55 <= paint_pct <= 0.62 and 0.39 <= mid_pct <= 0.46


def test_real_season_validate_passes(season: Path) -> None:
    report = api.validate("2024-10-22", "2025-04-13", models=[TOGS, TDGS], warehouse=season)
    assert [v for v in report.violations if v.severity == "error"] == []


def test_real_season_one_lookup_per_person_id_across_sources(season: Path) -> None:
    """Shot charts write "Jimmy Butler III", game logs "Jimmy Butler": the person id decides."""
    with DuckDBEngine(season, create=False) as eng:
        split = eng.fetchone(
            """SELECT count(*) FROM (
                 SELECT player_1_id FROM (
                   SELECT player_1_id, player_1_lookup FROM nba_raw.play_by_play
                   WHERE player_1_id IS NOT NULL
                   UNION
                   SELECT nba_player_id, player_lookup FROM nba_raw.player_boxscores
                 ) GROUP BY player_1_id HAVING count(DISTINCT player_1_lookup) > 1)"""
        )[0]
        alias = eng.fetchone(
            "SELECT universal_player_id FROM nba_reference.player_aliases "
            "WHERE alias_lookup = 'jimmybutleriii'"
        )
    assert split == 0
    assert alias == ("jimmybutler_001",)
