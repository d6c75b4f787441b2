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
    mess_up_game_lines_and_reports,
    uncovered_columns,
    unplay_last_days,
)


def perturb(eng: DuckDBEngine, days: list[dt.date]) -> None:
    """Messy lines and injury reports: each book captured at its own time (some closing
    captures after tip-off), a fifth of closing captures lost, in-game snapshots, post-tip-off
    reports, statuses in mixed case; the last dates not played yet."""
    mess_up_game_lines_and_reports(eng)
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
