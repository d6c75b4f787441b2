"""The per-player reference (bench/reference/player_completeness.py) against the model on
dates across a synthetic season, with data gaps, extra inactive rows, a preferred second
box-score source that disagrees, a postponed game and the season's trades."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.reference.player_completeness import REFERENCE
from nbapipe.engine.duckdb import DuckDBEngine
from reference_support import (
    Season,
    assert_clean,
    build_season,
    compare_dates,
    reference_seconds,
)

TABLE = REFERENCE.table


def perturb(eng: DuckDBEngine, days: list[dt.date]) -> None:
    # Data gaps: a tenth of one team's player rows in December disappear.
    eng.execute(
        """DELETE FROM nba_raw.player_boxscores
           WHERE month(game_date) = 12 AND team_abbr = (SELECT min(team_abbr)
                 FROM nba_raw.player_boxscores) AND hash(game_id, player_lookup) % 10 = 0"""
    )
    # Some DNPs become inactive, some active rows dnp.
    eng.execute(
        "UPDATE nba_raw.player_boxscores SET player_status = 'inactive' "
        "WHERE player_status = 'dnp' AND hash(game_id) % 3 = 0"
    )
    # A preferred source for a few games that lists a different status for its players.
    eng.execute(
        """INSERT INTO nba_raw.player_boxscores SELECT * REPLACE (
               'nba_stats' AS source,
               CASE WHEN player_status = 'active' AND hash(player_lookup) % 4 = 0 THEN 'dnp'
                    ELSE player_status END AS player_status)
           FROM nba_raw.player_boxscores WHERE hash(game_id) % 40 = 0"""
    )
    # A postponed game (status 1) in February: not a completed game.
    eng.execute(
        """UPDATE nba_raw.schedule SET game_status = 1
           WHERE game_id = (SELECT min(game_id) FROM nba_raw.schedule WHERE month(game_date) = 2)"""
    )


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Season:
    return build_season(tmp_path_factory, TABLE, perturb)


def test_player_completeness_reference_equals_model_on_every_row_and_column(
    season: Season,
) -> None:
    days = season.days
    with season.connect() as con:
        total = assert_clean(compare_dates(con, REFERENCE, days), min_rows=2500)
        assert total.failures == 0
        # opening night has no history: no rows on either side
        assert REFERENCE.compute(con, days[0]).rows == []
        incomplete, gaps = con.execute(
            f"""SELECT count(*) FILTER (WHERE NOT all_windows_complete),
                       count(*) FILTER (WHERE l10_games_without_row > 0)
                FROM {TABLE} WHERE analysis_date IN (SELECT unnest(?))""",
            [days],
        ).fetchone()
    assert incomplete > 0 and gaps > 0


def test_player_completeness_reference_takes_under_two_seconds_a_date(season: Season) -> None:
    assert reference_seconds(season.path, REFERENCE, season.days[-1]) < 2
