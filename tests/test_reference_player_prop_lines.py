"""The per-player reference (bench/reference/player_prop_lines.py) against the model on dates
across a synthetic season with ladders, in-game and tip-off snapshots, a book quoting only
after tip-off, a second feed for the same books and rungs without prices."""

from __future__ import annotations

import time

import duckdb
import pytest

from bench.reference.player_prop_lines import REFERENCE
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from test_reference_team_offense_game_summary import compare, spread_dates

TABLE = "nba_analytics.player_prop_lines"


def perturb(eng: DuckDBEngine) -> None:
    # Ladders: off-main rungs with lopsided prices beside a third of the quotes.
    for delta, over, under in ((-2.0, 1.45, 2.75), (2.0, 2.75, 1.45)):
        eng.execute(
            f"""INSERT INTO nba_raw.player_props SELECT * REPLACE (
                    points_line + {delta} AS points_line, {over} AS over_price,
                    {under} AS under_price)
                FROM nba_raw.player_props
                WHERE hash(player_lookup, snapshot_timestamp, bookmaker) % 3 = 0"""
        )
    # A rung without prices (never the main line while a priced rung exists).
    eng.execute(
        """INSERT INTO nba_raw.player_props SELECT * REPLACE (
               points_line - 0.5 AS points_line, NULL AS over_price, NULL AS under_price)
           FROM nba_raw.player_props WHERE hash(player_lookup, snapshot_timestamp) % 7 = 0"""
    )
    # In-game and tip-off snapshots of known books, and a book quoting only then.
    for book, mbt, shift in (("draftkings", -30, 7.0), ("aaabook", -30, 3.0), ("aaabook", 0, 1.0)):
        eng.execute(
            f"""INSERT INTO nba_raw.player_props SELECT * REPLACE (
                    game_start_time - INTERVAL ({mbt}) MINUTE AS snapshot_timestamp,
                    {mbt} AS minutes_before_tipoff, '{book}' AS bookmaker,
                    points_line + {shift} AS points_line)
                FROM nba_raw.player_props WHERE hash(game_id) % 5 = 0
                QUALIFY row_number() OVER (PARTITION BY game_id, player_lookup
                                           ORDER BY snapshot_timestamp DESC, bookmaker,
                                                    points_line) = 1"""
        )
    # A second feed carrying the same books with other lines: the first feed A..Z is used.
    eng.execute(
        """INSERT INTO nba_raw.player_props SELECT * REPLACE (
               'zzfeed' AS source, points_line + 1 AS points_line)
           FROM nba_raw.player_props WHERE hash(game_id) % 4 = 0 AND source = 'synthetic'"""
    )
    eng.execute(
        """INSERT INTO nba_raw.player_props SELECT * REPLACE (
               'aafeed' AS source, points_line - 1 AS points_line)
           FROM nba_raw.player_props WHERE hash(game_id) % 4 = 1 AND source = 'synthetic'"""
    )


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref_lines") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    with DuckDBEngine(path, create=False) as eng:
        days = spread_dates(eng.con)
        perturb(eng)
    summary = api.backfill(warehouse=path, models=[TABLE])
    assert summary.ok, [(m.model, m.status, m.failed_checks) for m in summary.models]
    return path, days


def test_player_prop_lines_reference_equals_model_on_every_row_and_column(season) -> None:
    path, days = season
    con = duckdb.connect(str(path), read_only=True)
    total, bad = 0, []
    for day in days:
        n, wrong = compare(con, REFERENCE, day)
        total, bad = total + n, bad + wrong
    assert bad == []
    assert len(days) >= 8 and total >= 2000
    placeholders = ", ".join("?" for _ in days)
    feeds, moved, in_game = con.execute(
        f"""SELECT count(DISTINCT source), count(*) FILTER (WHERE opening_line <> current_line),
                   count(*) FILTER (WHERE bookmaker = 'aaabook')
            FROM {TABLE} WHERE game_date IN ({placeholders})""",
        days,
    ).fetchone()
    assert feeds == 2 and moved > 0 and in_game == 0  # aafeed and synthetic; zzfeed never
    con.close()


def test_player_prop_lines_reference_takes_under_two_seconds_a_date(season) -> None:
    path, days = season
    con = duckdb.connect(str(path), read_only=True)
    t = time.perf_counter()
    REFERENCE.compute(con, days[-1])
    assert time.perf_counter() - t < 2
    con.close()
