"""player_shot_zone_analysis against its legacy-style reference (bench/reference): every
row, every column and every failure on dates spread over a synthetic season."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.reference.player_shot_zone_analysis import REFERENCE
from nbapipe.engine.duckdb import DuckDBEngine
from reference_support import (
    Season,
    assert_clean,
    build_season,
    compare_dates,
    failure_categories,
    uncovered_columns,
)


def perturb(eng: DuckDBEngine, days: list[dt.date]) -> None:
    """One game in twelve loses its play-by-play (no zones)."""
    eng.execute("DELETE FROM nba_raw.play_by_play WHERE hash(game_id) % 12 = 0")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Season:
    return build_season(tmp_path_factory, REFERENCE.table, perturb)


def test_reference_player_shot_zone_analysis_equals_model_on_spread_dates(
    warehouse: Season,
) -> None:
    with warehouse.connect() as con:
        assert_clean(compare_dates(con, REFERENCE, warehouse.days), min_rows=1000)
        categories = failure_categories(con, REFERENCE.table, warehouse.days)
    assert categories == {"EARLY_SEASON", "EXPECTED_INCOMPLETE", "INCOMPLETE_UPSTREAM"}


def test_reference_player_shot_zone_analysis_covers_every_column(warehouse: Season) -> None:
    with warehouse.connect() as con:
        assert uncovered_columns(con, REFERENCE, warehouse.days[-1]) == set()
    assert REFERENCE.skip == {}  # data_hash included (doubles as fixed six-decimal text)
