"""upcoming_team_game_context against its legacy-style reference (bench/reference): every
row and every column on dates spread over a synthetic season with messy lines and reports."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.reference.upcoming_team_game_context import REFERENCE
from nbapipe.engine.duckdb import DuckDBEngine
from reference_support import (
    Season,
    assert_clean,
    build_season,
    compare_dates,
    uncovered_columns,
    unplay_last_days,
)


def perturb(eng: DuckDBEngine, days: list[dt.date]) -> None:
    """Messy lines and injury reports: each book captured at its own time (some closing
    captures after tip-off), a fifth of closing captures lost, in-game snapshots, post-tip-off
    reports, statuses in mixed case; the last dates not played yet."""
    shift = "(CAST(hash(game_id || bookmaker || minutes_before_tipoff) % 61 AS INTEGER) - 30)"
    eng.execute(
        f"UPDATE nba_raw.game_lines SET snapshot_timestamp = snapshot_timestamp "
        f"+ to_minutes({shift}), minutes_before_tipoff = minutes_before_tipoff - {shift}"
    )
    eng.execute(
        "DELETE FROM nba_raw.game_lines WHERE minutes_before_tipoff < 200 "
        "AND hash(game_id || bookmaker) % 5 = 0"
    )
    eng.execute(
        "INSERT INTO nba_raw.game_lines SELECT * REPLACE (game_start_time + INTERVAL 40 "
        "MINUTE AS snapshot_timestamp, -40 AS minutes_before_tipoff, outcome_point + 9 "
        "AS outcome_point) FROM nba_raw.game_lines WHERE bookmaker = 'draftkings' "
        "QUALIFY row_number() OVER (PARTITION BY game_id, market_key, outcome_name "
        "ORDER BY snapshot_timestamp DESC) = 1"
    )
    eng.execute(
        "INSERT INTO nba_raw.injury_report SELECT * REPLACE (report_timestamp + INTERVAL 8 "
        "HOUR AS report_timestamp, 'out' AS injury_status) FROM nba_raw.injury_report "
        "WHERE injury_status IN ('probable', 'available')"
    )
    eng.execute(
        "UPDATE nba_raw.injury_report SET injury_status = CASE hash(player_lookup) % 3 "
        "WHEN 0 THEN upper(injury_status) "
        "WHEN 1 THEN ' ' || upper(injury_status[1]) || injury_status[2:] "
        "ELSE injury_status END"
    )
    unplay_last_days(eng)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Season:
    return build_season(tmp_path_factory, REFERENCE.table, perturb)


def test_reference_upcoming_team_game_context_equals_model_on_spread_dates(
    warehouse: Season,
) -> None:
    with warehouse.connect() as con:
        assert_clean(compare_dates(con, REFERENCE, warehouse.days), min_rows=150)


def test_reference_upcoming_team_game_context_covers_every_column(warehouse: Season) -> None:
    with warehouse.connect() as con:
        assert uncovered_columns(con, REFERENCE, warehouse.days[-1]) == set()
