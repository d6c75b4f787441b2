"""The per-team reference (bench/reference/team_offense_game_summary.py) against the model on
dates across a synthetic season, with rebuilt team lines, shot-chart zones, missing
play-by-play, unknown zones and overtime from minutes sprinkled in
(reference_support.plant_team_edge_cases)."""

from __future__ import annotations

import pytest

from bench.reference.team_offense_game_summary import REFERENCE
from reference_support import (
    Season,
    assert_clean,
    build_season,
    compare_dates,
    plant_team_edge_cases,
    reference_seconds,
)

TABLE = REFERENCE.table


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Season:
    return build_season(tmp_path_factory, TABLE, plant_team_edge_cases)


def test_team_offense_game_summary_reference_equals_model_on_every_row_and_column(
    season: Season,
) -> None:
    games = season.planted
    with season.connect() as con:
        total = assert_clean(compare_dates(con, REFERENCE, season.days), min_rows=80)
        assert total.failures == 0  # no failure rows on either side
        # The edge cases are on the compared dates and look as intended.
        tiers = dict(
            con.execute(
                f"SELECT game_id || ':' || team_abbr, primary_source_used FROM {TABLE} "
                "WHERE game_id IN (?, ?, ?)",
                [games["rebuilt"], games["one_team_rebuilt"], games["too_few_players"]],
            ).fetchall()
        )
        kinds = sorted(v.split(":")[1] for v in tiers.values())
        assert kinds.count("rebuilt_from_players") == 4 and kinds.count("team_boxscore") == 1
        chart = con.execute(
            f"SELECT bool_and(blocks_paint IS NULL), min(shot_zones_source) FROM {TABLE} "
            "WHERE game_id = ?",
            [games["shotchart"]],
        ).fetchone()
        assert chart == (True, "nba_stats_shotchart")
        unknown, zoned = con.execute(
            f"SELECT sum(team_unknown_zone_attempts) FILTER (WHERE game_id = ?), "
            f"bool_or(shot_zones_available) FILTER (WHERE game_id = ?) FROM {TABLE}",
            [games["unknown_zones"], games["no_pbp"]],
        ).fetchone()
        assert unknown > 0 and zoned is False
        assert con.execute(
            f"SELECT min(overtime_periods) FROM {TABLE} WHERE game_id = ?",
            [games["overtime_from_minutes"]],
        ).fetchone() == (1,)


def test_team_offense_game_summary_reference_takes_under_two_seconds_a_date(
    season: Season,
) -> None:
    assert reference_seconds(season.path, REFERENCE, season.days[-1]) < 2
