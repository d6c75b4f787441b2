"""The per-team reference (bench/reference/team_defense_game_summary.py) against the model on
dates across a synthetic season with the edge cases of the offence test (rebuilt lines, a team
without a row, shot-chart zones, no play-by-play)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from bench.reference.team_defense_game_summary import REFERENCE
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from test_reference_team_offense_game_summary import compare, perturb, spread_dates

TOGS = "nba_analytics.team_offense_game_summary"
TABLE = "nba_analytics.team_defense_game_summary"


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref_tdgs") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    with DuckDBEngine(path, create=False) as eng:
        days = spread_dates(eng.con)
        games = perturb(eng, days)
    summary = api.backfill(warehouse=path, models=[TOGS, TABLE])
    assert summary.ok, [(m.model, m.status, m.failed_checks) for m in summary.models]
    return path, days, games


def test_team_defense_game_summary_reference_equals_model_on_every_row_and_column(
    season,
) -> None:
    path, days, games = season
    con = duckdb.connect(str(path), read_only=True)
    total, bad = 0, []
    for day in days:
        n, wrong = compare(con, REFERENCE, day)
        total, bad = total + n, bad + wrong
    assert bad == []
    assert len(days) >= 8 and total >= 80
    # A game with one offence row (the other team could not be rebuilt): the team with a row
    # has no opponent line to defend against, the other no line of its own: no defence rows.
    assert con.execute(
        f"SELECT count(*) FROM {TABLE} WHERE game_id = ?", [games["too_few_players"]]
    ).fetchone() == (0,)
    assert con.execute(
        f"SELECT count(*) FROM {TABLE} WHERE game_id = ? AND blocks_paint IS NULL",
        [games["shotchart"]],
    ).fetchone() == (2,)
    con.close()


def test_team_defense_game_summary_reference_takes_under_two_seconds_a_date(
    season: tuple[Path, list, dict],
) -> None:
    path, days, _ = season
    con = duckdb.connect(str(path), read_only=True)
    t = time.perf_counter()
    REFERENCE.compute(con, days[-1])
    assert time.perf_counter() - t < 2
    con.close()
