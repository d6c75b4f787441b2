"""The per-player reference (bench/reference/player_completeness.py) against the model on
dates across a synthetic season, with data gaps, extra inactive rows, a preferred second
box-score source that disagrees, a postponed game and the season's trades."""

from __future__ import annotations

import time

import duckdb
import pytest

from bench.reference.player_completeness import REFERENCE
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from test_reference_team_offense_game_summary import compare, spread_dates

TABLE = "nba_analytics.player_completeness"


def perturb(eng: DuckDBEngine) -> None:
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
def season(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref_completeness") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    with DuckDBEngine(path, create=False) as eng:
        days = spread_dates(eng.con)
        perturb(eng)
    summary = api.backfill(warehouse=path, models=[TABLE])
    assert summary.ok, [(m.model, m.status, m.failed_checks) for m in summary.models]
    return path, days


def test_player_completeness_reference_equals_model_on_every_row_and_column(season) -> None:
    path, days = season
    con = duckdb.connect(str(path), read_only=True)
    total, bad = 0, []
    for day in days[1:]:  # opening night has no history: no rows on either side
        n, wrong = compare(con, REFERENCE, day)
        total, bad = total + n, bad + wrong
    assert bad == []
    assert REFERENCE.compute(con, days[0]).rows == []
    assert len(days) >= 9 and total >= 2500
    placeholders = ", ".join("?" for _ in days)
    incomplete, gaps = con.execute(
        f"""SELECT count(*) FILTER (WHERE NOT all_windows_complete),
                   count(*) FILTER (WHERE l10_games_without_row > 0)
            FROM {TABLE} WHERE analysis_date IN ({placeholders})""",
        days,
    ).fetchone()
    assert incomplete > 0 and gaps > 0
    con.close()


def test_player_completeness_reference_takes_under_two_seconds_a_date(season) -> None:
    path, days = season
    con = duckdb.connect(str(path), read_only=True)
    t = time.perf_counter()
    REFERENCE.compute(con, days[-1])
    assert time.perf_counter() - t < 2
    con.close()
