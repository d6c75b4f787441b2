"""team_defense_zone_analysis against its legacy-style reference (bench/reference): every row,
every column and every failure on dates spread over a synthetic season with holes."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.reference.team_defense_zone_analysis import REFERENCE
from nbapipe.engine.duckdb import DuckDBEngine
from reference_support import (
    Season,
    assert_clean,
    build_season,
    compare_dates,
    failure_categories,
    uncovered_columns,
)

FAILURE_COLUMNS = {
    "failure_category",
    "failure_reason",
    "can_retry",
    "expected_game_count",
    "actual_game_count",
}


def perturb(eng: DuckDBEngine, days: list[dt.date]) -> None:
    """Six BOS games lose their box scores (INCOMPLETE_DATA) and one game in fifteen loses its
    play-by-play (no shot zones for it)."""
    ids = [
        g
        for (g,) in eng.fetchall(
            "SELECT game_id FROM nba_raw.schedule WHERE 'BOS' IN (home_team_abbr, "
            "away_team_abbr) ORDER BY game_date LIMIT 6 OFFSET 30"
        )
    ]
    for table in ("team_boxscores", "player_boxscores", "play_by_play"):
        eng.execute(f"DELETE FROM nba_raw.{table} WHERE game_id IN (SELECT unnest(?))", [ids])
    eng.execute("DELETE FROM nba_raw.play_by_play WHERE hash(game_id) % 15 = 0")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Season:
    return build_season(tmp_path_factory, REFERENCE.table, perturb)


def test_reference_team_defense_zone_analysis_equals_model_on_spread_dates(
    warehouse: Season,
) -> None:
    with warehouse.connect() as con:
        assert_clean(compare_dates(con, REFERENCE, warehouse.days), min_rows=150)
        categories = failure_categories(con, REFERENCE.table, warehouse.days)
    assert categories == {"EARLY_SEASON", "INSUFFICIENT_DATA", "INCOMPLETE_DATA"}


def test_reference_team_defense_zone_analysis_covers_every_column(warehouse: Season) -> None:
    with warehouse.connect() as con:
        assert uncovered_columns(con, REFERENCE, warehouse.days[-1]) - FAILURE_COLUMNS == set()
    assert REFERENCE.skip == {}  # data_hash included (doubles as fixed six-decimal text)
