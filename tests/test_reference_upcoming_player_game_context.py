"""upcoming_player_game_context against its legacy-style reference (bench/reference): every
row and every column on dates spread over a synthetic season, games not played yet
included."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.reference.upcoming_player_game_context import REFERENCE
from nbapipe.engine.duckdb import DuckDBEngine
from reference_support import (
    Season,
    assert_clean,
    build_season,
    compare_dates,
    uncovered_columns,
    unplay_last_days,
)

MODEL = REFERENCE.table


def perturb(eng: DuckDBEngine, days: list[dt.date]) -> None:
    """Injury statuses in mixed case; the last two dates not played yet (driver: rosters minus
    players out)."""
    eng.execute(
        "UPDATE nba_raw.injury_report SET injury_status = CASE hash(player_lookup) % 3 "
        "WHEN 0 THEN upper(injury_status) "
        "WHEN 1 THEN upper(injury_status[1]) || injury_status[2:] ELSE injury_status END"
    )
    unplay_last_days(eng)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Season:
    return build_season(tmp_path_factory, MODEL, perturb)


def test_reference_upcoming_player_game_context_equals_model_on_spread_dates(
    warehouse: Season,
) -> None:
    with warehouse.connect() as con:
        assert_clean(compare_dates(con, REFERENCE, warehouse.days), min_rows=1000)
        future = con.execute(
            f"SELECT count(*) FROM {MODEL} WHERE is_future_game AND game_date IN "
            "(SELECT unnest(?))",
            [warehouse.days],
        ).fetchone()[0]
    assert future > 0  # the roster driver of games not played yet is compared too


def test_reference_upcoming_player_game_context_questionable_star_teammates_match(
    warehouse: Season,
) -> None:
    """Found by this reference: a star listed questionable who then sat was only counted when
    he had a row for the game, so the count depended on the game's outcome."""
    with warehouse.connect() as con:
        per_date = compare_dates(con, REFERENCE, warehouse.days)
        counted = con.execute(
            f"SELECT count(*) FROM {MODEL} WHERE questionable_star_teammates > 0"
        ).fetchone()[0]
    wrong = [m for c in per_date for m in c.mismatches if m.column == "questionable_star_teammates"]
    assert wrong == []
    assert counted > 0


def test_reference_upcoming_player_game_context_covers_every_column(warehouse: Season) -> None:
    with warehouse.connect() as con:
        assert uncovered_columns(con, REFERENCE, warehouse.days[-1]) == set()
    assert REFERENCE.skip == {}  # data_hash included (doubles as fixed six-decimal text)
