"""The per-player reference (bench/reference/player_game_summary.py) against the model on
dates across a synthetic season: the offence test's edge cases (rebuilt team lines, a team
without a row, shot-chart zones, no play-by-play, unknown zones, overtime from minutes, a game
without schedule row) plus a preferred second box-score source, shot-chart names that only
match by person id, incomplete rebuilt team totals, prop ladders and in-game lines, and varied
DNP reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.proof import schedule_days
from bench.reference.player_game_summary import REFERENCE
from nbapipe.engine.duckdb import DuckDBEngine
from reference_support import (
    Season,
    assert_clean,
    build_season,
    compare_dates,
    plant_prop_edge_cases,
    plant_team_edge_cases,
    reference_seconds,
)

TABLE = REFERENCE.table


def perturb(eng: DuckDBEngine, days: list[dt.date]) -> dict[str, str]:
    """The team and prop edge cases, then the players': on the three-quarter game day a
    preferred second box-score source, a shot chart matching only by person id, incomplete
    rebuilt team totals and lost shots; varied DNP reasons on the second and last dates."""
    games = plant_team_edge_cases(eng, days)
    plant_prop_edge_cases(eng)
    season = schedule_days(eng.con)
    day = season[3 * len(season) // 4]
    assert day in days
    ids = [
        r[0]
        for r in eng.fetchall(
            "SELECT game_id FROM nba_raw.schedule WHERE game_date = ? ORDER BY 1", [day]
        )
    ]
    box_game, chart_game, incomplete_game, lost_shots = ids[0], ids[1], ids[2], ids[3]
    # Play-by-play that lost some shots: those players' zones do not add up to the box score.
    eng.execute(
        "DELETE FROM nba_raw.play_by_play WHERE game_id = ? AND event_type = 'shot' "
        "AND event_id % 11 = 0",
        [lost_shots],
    )
    eng.execute(
        """INSERT INTO nba_raw.player_boxscores SELECT * REPLACE (
               'nba_stats' AS source, upper(player_name) AS player_name,
               CASE WHEN player_status = 'active' THEN NULL ELSE starter END AS starter)
           FROM nba_raw.player_boxscores WHERE game_id = ? AND player_status = 'active'""",
        [box_game],
    )
    # Shot chart with other name spellings: only the person id matches the box score.
    eng.execute(
        """INSERT INTO nba_raw.play_by_play SELECT * REPLACE (
               'nba_stats_shotchart' AS source, player_1_lookup || 'iii' AS player_1_lookup,
               NULL AS player_2_lookup, NULL AS player_2_name, NULL AS player_2_id,
               NULL AS player_2_team_abbr, NULL AS player_2_role)
           FROM nba_raw.play_by_play WHERE event_type = 'shot' AND game_id = ?""",
        [chart_game],
    )
    # Rebuilt team lines of a game the schedule says went to double overtime: the listed
    # player-minutes (regulation) fall short of the team's minutes, so totals are incomplete.
    eng.execute("DELETE FROM nba_raw.team_boxscores WHERE game_id = ?", [incomplete_game])
    eng.execute("UPDATE nba_raw.schedule SET periods = 6 WHERE game_id = ?", [incomplete_game])
    eng.execute(
        "UPDATE nba_raw.player_boxscores SET plus_minus = NULL WHERE game_id = ?",
        [incomplete_game],
    )
    reasons = ("G League - On Assignment", "NOT WITH TEAM", "Family Matters", "LOAD MANAGEMENT")
    for i, reason in enumerate(reasons):
        eng.execute(
            "UPDATE nba_raw.player_boxscores SET dnp_reason = ? WHERE player_status <> 'active' "
            "AND game_date IN (?, ?) AND hash(player_lookup) % 4 = ?",
            [reason, days[1], days[-1], i],
        )
    return {**games, "box": box_game, "chart_by_id": chart_game, "incomplete": incomplete_game}


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Season:
    return build_season(tmp_path_factory, TABLE, perturb)


def test_player_game_summary_reference_equals_model_on_every_row_and_column(
    season: Season,
) -> None:
    days, games = season.days, season.planted
    with season.connect() as con:
        total = assert_clean(compare_dates(con, REFERENCE, days), min_rows=1500)
        assert total.failures == 0
        flags = dict(
            con.execute(
                f"SELECT data_quality_flag, count(*) FROM {TABLE} "
                "WHERE game_date IN (SELECT unnest(?)) GROUP BY 1",
                [days],
            ).fetchall()
        )
        zoned = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE paint_attempts + mid_range_attempts "
            f"+ three_attempts_pbp = fg_attempts) FROM {TABLE} WHERE game_id = ? AND is_active",
            [games["chart_by_id"]],
        ).fetchone()
        sources, cats = con.execute(
            f"SELECT count(DISTINCT primary_source_used), count(DISTINCT dnp_reason_category) "
            f"FROM {TABLE} WHERE game_date IN (SELECT unnest(?))",
            [days],
        ).fetchone()
    assert set(flags) == {
        "complete",
        "partial_no_team_stats",
        "partial_incomplete_team_stats",
        "partial_zones_mismatch",
    }
    assert zoned[0] > 10 and zoned[0] == zoned[1]
    assert sources == 2 and cats >= 4


def test_player_game_summary_reference_takes_under_two_seconds_a_date(season: Season) -> None:
    assert reference_seconds(season.path, REFERENCE, season.days[-1]) < 2
