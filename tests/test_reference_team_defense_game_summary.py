"""The per-team reference (bench/reference/team_defense_game_summary.py) against the model on
dates across a synthetic season with the edge cases of the offence test (rebuilt lines, a team
without a row, shot-chart zones, no play-by-play)."""

from __future__ import annotations

import pytest

from bench.reference.team_defense_game_summary import REFERENCE
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


def test_team_defense_game_summary_reference_equals_model_on_every_row_and_column(
    season: Season,
) -> None:
    games = season.planted
    with season.connect() as con:
        total = assert_clean(compare_dates(con, REFERENCE, season.days), min_rows=80)
        assert total.failures == 0
        # A game with one offence row (the other team could not be rebuilt): the team with a
        # row has no opponent line to defend against, the other no line of its own: no rows.
        assert con.execute(
            f"SELECT count(*) FROM {TABLE} WHERE game_id = ?", [games["too_few_players"]]
        ).fetchone() == (0,)
        assert con.execute(
            f"SELECT count(*) FROM {TABLE} WHERE game_id = ? AND blocks_paint IS NULL",
            [games["shotchart"]],
        ).fetchone() == (2,)


def test_team_defense_game_summary_reference_takes_under_two_seconds_a_date(
    season: Season,
) -> None:
    assert reference_seconds(season.path, REFERENCE, season.days[-1]) < 2
