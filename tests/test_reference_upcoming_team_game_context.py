"""upcoming_team_game_context against its legacy-style reference (bench/reference): every
row and every column on dates spread over a synthetic season with messy lines and reports;
the row hash's columns and text."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.reference import upcoming_team_game_context as reference_module
from bench.reference.upcoming_team_game_context import HASHED, HASHED_DOUBLES, REFERENCE
from nbapipe.engine.duckdb import DuckDBEngine
from reference_support import (
    Season,
    assert_clean,
    build_season,
    compare_dates,
    hash_only_mismatches,
    hashed_columns,
    mess_up_game_lines_and_reports,
    stored_hash_errors,
    uncovered_columns,
    unplay_last_days,
)

# Not in data_hash: when things were published or captured, not what they said.
TIMESTAMPS = frozenset({"game_start_time", "lines_last_snapshot_at", "injury_report_at"})


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
    assert REFERENCE.skip == {}  # data_hash included (doubles as fixed six-decimal text)


def test_reference_upcoming_team_game_context_data_hash_covers_every_column_in_order(
    warehouse: Season,
) -> None:
    """data_hash is the SHA-256 of every column but the run columns and the timestamps, in
    table order, doubles as fixed six-decimal text; the reference hashes the same columns with
    the same types (its win percentages are exact decimals, its lines those of the feed)."""
    with warehouse.connect() as con:
        columns, doubles = hashed_columns(con, REFERENCE.table, TIMESTAMPS)
        assert columns == list(HASHED) and doubles == HASHED_DOUBLES
        for day in warehouse.days:
            bad, n, distinct = stored_hash_errors(con, REFERENCE.table, HASHED, day)
            assert bad == [] and distinct == n, bad[:3]


@pytest.mark.parametrize(
    "wrong",
    [HASHED[:-1], (HASHED[1], HASHED[0], *HASHED[2:])],
    ids=["one_column_short", "two_columns_swapped"],
)
def test_reference_upcoming_team_game_context_with_a_wrong_hash_fails(
    warehouse: Season, monkeypatch: pytest.MonkeyPatch, wrong: tuple[str, ...]
) -> None:
    monkeypatch.setattr(reference_module, "HASHED", wrong)
    with warehouse.connect() as con:
        columns, mismatches, rows = hash_only_mismatches(con, REFERENCE, warehouse.days[-1])
    assert columns == {"data_hash"} and mismatches == rows > 0
