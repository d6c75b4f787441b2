"""The per-team reference (bench/reference/team_offense_game_summary.py) against the model on
dates across a synthetic season, with rebuilt team lines, shot-chart zones, missing
play-by-play, unknown zones and overtime from minutes sprinkled in
(reference_support.plant_team_edge_cases). Also the row hash: its columns, its text, and that
it follows the data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.reference import team_offense_game_summary as reference_module
from bench.reference.team_offense_game_summary import HASHED, HASHED_DOUBLES, REFERENCE
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from reference_support import (
    Season,
    assert_clean,
    build_season,
    compare_dates,
    hash_only_mismatches,
    hashed_columns,
    plant_team_edge_cases,
    reference_seconds,
    stored_hash_errors,
)

TABLE = REFERENCE.table


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Season:
    return build_season(tmp_path_factory, TABLE, plant_team_edge_cases)


def test_team_offense_game_summary_reference_equals_model_on_every_row_and_column(
    season: Season,
) -> None:
    games = season.planted
    with season.connect() as con:
        total = assert_clean(compare_dates(con, REFERENCE, season.days), min_rows=80)
        # one failure row on both sides: the home team that had too few players to rebuild
        assert total.failures == 1
        (failed,) = con.execute(
            "SELECT entity_id FROM nba_processing.precompute_failures WHERE model = ? "
            "AND failure_category = 'MISSING_RAW_DATA'",
            [TABLE],
        ).fetchone()
        assert failed.startswith(games["too_few_players"] + " ")
        # The edge cases are on the compared dates and look as intended.
        tiers = dict(
            con.execute(
                f"SELECT game_id || ':' || team_abbr, primary_source_used FROM {TABLE} "
                "WHERE game_id IN (?, ?, ?)",
                [games["rebuilt"], games["one_team_rebuilt"], games["too_few_players"]],
            ).fetchall()
        )
        kinds = sorted(v.split(":")[1] for v in tiers.values())
        assert kinds.count("rebuilt_from_players") == 4 and kinds.count("team_boxscore") == 1
        chart = con.execute(
            f"SELECT bool_and(blocks_paint IS NULL), min(shot_zones_source) FROM {TABLE} "
            "WHERE game_id = ?",
            [games["shotchart"]],
        ).fetchone()
        assert chart == (True, "nba_stats_shotchart")
        unknown, zoned = con.execute(
            f"SELECT sum(team_unknown_zone_attempts) FILTER (WHERE game_id = ?), "
            f"bool_or(shot_zones_available) FILTER (WHERE game_id = ?) FROM {TABLE}",
            [games["unknown_zones"], games["no_pbp"]],
        ).fetchone()
        assert unknown > 0 and zoned is False
        assert con.execute(
            f"SELECT min(overtime_periods) FROM {TABLE} WHERE game_id = ?",
            [games["overtime_from_minutes"]],
        ).fetchone() == (1,)


def test_team_offense_game_summary_reference_takes_under_two_seconds_a_date(
    season: Season,
) -> None:
    assert reference_seconds(season.path, REFERENCE, season.days[-1]) < 2


def test_team_offense_game_summary_data_hash_covers_every_column_in_order(season: Season) -> None:
    """data_hash is the SHA-256 of every column but the run columns, in table order, doubles as
    fixed six-decimal text; the reference hashes the same columns with the same types."""
    with season.connect() as con:
        columns, doubles = hashed_columns(con, TABLE)
        assert columns == list(HASHED) and doubles == HASHED_DOUBLES
        for day in season.days:
            bad, n, distinct = stored_hash_errors(con, TABLE, HASHED, day)
            assert bad == [] and distinct == n, bad[:3]


@pytest.mark.parametrize(
    "wrong",
    [HASHED[:-1], (HASHED[1], HASHED[0], *HASHED[2:])],
    ids=["one_column_short", "two_columns_swapped"],
)
def test_team_offense_game_summary_reference_with_a_wrong_hash_fails(
    season: Season, monkeypatch: pytest.MonkeyPatch, wrong: tuple[str, ...]
) -> None:
    monkeypatch.setattr(reference_module, "HASHED", wrong)
    with season.connect() as con:
        columns, mismatches, rows = hash_only_mismatches(con, REFERENCE, season.days[-1])
    assert columns == {"data_hash"} and mismatches == rows > 0


def test_team_offense_game_summary_data_hash_is_stable_and_follows_one_value(
    season: Season, tmp_path: Path
) -> None:
    """The date recomputed: the same hashes. One team's personal fouls changed in its box
    score: that row's hash changes, no other."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(season.path, copy)
    day = season.days[len(season.days) // 2]
    q = f"SELECT team_abbr, personal_fouls, data_hash FROM {TABLE} WHERE game_date = ? ORDER BY 1"
    with DuckDBEngine(copy, create=False) as eng:
        before = eng.fetchall(q, [day])
        game_id, team = eng.fetchone(
            f"SELECT game_id, team_abbr FROM {TABLE} WHERE game_date = ? "
            "AND primary_source_used LIKE '%:team_boxscore' ORDER BY 2 LIMIT 1",
            [day],
        )
    assert api.backfill(day, day, warehouse=copy, models=[TABLE], force=True).ok
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchall(q, [day]) == before
        eng.execute(
            "UPDATE nba_raw.team_boxscores SET personal_fouls = personal_fouls + 1 "
            "WHERE game_id = ? AND team_abbr = ?",
            [game_id, team],
        )
    assert api.backfill(day, day, warehouse=copy, models=[TABLE], force=True).ok
    with DuckDBEngine(copy, create=False) as eng:
        after = eng.fetchall(q, [day])
    assert [r[0] for r in after] == [r[0] for r in before] and len(before) >= 10
    changed = {b[0]: (b[1], a[1]) for b, a in zip(before, after, strict=True) if b[2] != a[2]}
    old = dict((r[0], r[1]) for r in before)[team]
    assert changed == {team: (old, old + 1)}
