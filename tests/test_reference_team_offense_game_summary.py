"""The per-team reference (bench/reference/team_offense_game_summary.py) against the model on
dates across a synthetic season, with rebuilt team lines, shot-chart zones, missing
play-by-play, unknown zones and overtime from minutes sprinkled in."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import duckdb
import pytest

from bench.reference import Reference
from bench.reference.team_offense_game_summary import REFERENCE
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.pipeline.model import all_models

TABLE = "nba_analytics.team_offense_game_summary"


def spread_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Opening night and the next days, quarters of the season, the first date after the
    All-Star break (the longest gap), the last two dates."""
    days = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT game_date FROM nba_raw.schedule ORDER BY 1"
        ).fetchall()
    ]
    gaps = max(range(1, len(days)), key=lambda i: days[i] - days[i - 1])
    n = len(days)
    return sorted(
        {
            days[0],
            days[1],
            days[7],
            days[n // 4],
            days[n // 2],
            days[gaps],
            days[3 * n // 4],
            days[-2],
            days[-1],
        }
    )


def compare(con: duckdb.DuckDBPyConnection, ref: Reference, day: dt.date) -> tuple[int, list[str]]:
    """Rows of the model and the reference for one date: same keys, every non-skipped column
    equal (floats to 1e-9 relative or the reference's tolerance); no failures on either side."""
    date_col = all_models()[ref.table].date_column
    cur = con.execute(
        f"SELECT * EXCLUDE (run_id, processed_at) FROM {ref.table} WHERE {date_col} = ?", [day]
    )
    names = [d[0] for d in cur.description]
    model = {
        tuple(r[k] for k in ref.key): r
        for r in (dict(zip(names, t, strict=True)) for t in cur.fetchall())
    }
    answer = ref.compute(con, day)
    mine = {tuple(r[k] for k in ref.key): r for r in answer.rows}
    bad = (
        [f"{day} keys only in model: {sorted(set(model) - set(mine))[:5]}"]
        if set(model) - set(mine)
        else []
    )
    bad += (
        [f"{day} keys only in reference: {sorted(set(mine) - set(model))[:5]}"]
        if set(mine) - set(model)
        else []
    )
    bad += [f"{day} failures {answer.failures}"] if answer.failures else []
    for k in set(model) & set(mine):
        for col in names:
            if col in ref.skip:
                continue
            got, want = model[k][col], mine[k].get(col, "<missing>")
            if got == want:
                continue
            if isinstance(got, float) and isinstance(want, float):
                tol = max(ref.tolerance.get(col, 0.0), 1e-9 * max(abs(got), abs(want)))
                if abs(got - want) <= tol:
                    continue
            bad.append(f"{day} {k} {col}: model {got!r} vs reference {want!r}")
    return len(model), bad


def perturb(eng: DuckDBEngine, days: list[dt.date]) -> dict[str, str]:
    """Edge cases on the compared dates; returns what was done to which game."""

    def game(day: dt.date, i: int) -> str:
        ids = [
            r[0]
            for r in eng.fetchall(
                "SELECT game_id FROM nba_raw.schedule WHERE game_date = ? ORDER BY 1", [day]
            )
        ]
        return ids[i % len(ids)]

    quarter, half = days[3], days[4]
    g = {
        "rebuilt": game(quarter, 0),
        "one_team_rebuilt": game(quarter, 1),
        "too_few_players": game(quarter, 2),
        "shotchart": game(half, 0),
        "no_pbp": game(half, 1),
        "unknown_zones": game(half, 2),
        "overtime_from_minutes": game(days[-1], 0),
        "no_schedule": game(days[-1], 1),
    }
    eng.execute(
        "DELETE FROM nba_raw.team_boxscores WHERE game_id IN (?, ?)",
        [g["rebuilt"], g["too_few_players"]],
    )
    eng.execute(
        "DELETE FROM nba_raw.team_boxscores WHERE game_id = ? AND is_home", [g["one_team_rebuilt"]]
    )
    # The home team lists only its four busiest players: too few to rebuild, no row.
    eng.execute(
        """DELETE FROM nba_raw.player_boxscores WHERE game_id = ? AND team_abbr = home_team_abbr
           AND player_lookup NOT IN (SELECT player_lookup FROM nba_raw.player_boxscores
               WHERE game_id = ? AND team_abbr = home_team_abbr AND player_status = 'active'
               ORDER BY minutes DESC LIMIT 4)""",
        [g["too_few_players"], g["too_few_players"]],
    )
    eng.execute(
        """INSERT INTO nba_raw.play_by_play SELECT * REPLACE (
               'nba_stats_shotchart' AS source, NULL AS player_2_lookup, NULL AS player_2_name,
               NULL AS player_2_id, NULL AS player_2_team_abbr, NULL AS player_2_role)
           FROM nba_raw.play_by_play WHERE event_type = 'shot' AND game_id = ?""",
        [g["shotchart"]],
    )
    eng.execute("DELETE FROM nba_raw.play_by_play WHERE game_id = ?", [g["no_pbp"]])
    eng.execute(
        "UPDATE nba_raw.play_by_play SET shot_distance = NULL, source_zone = NULL "
        "WHERE game_id = ? AND event_type = 'shot' AND shot_type = '2PT' AND event_id % 3 = 0",
        [g["unknown_zones"]],
    )
    eng.execute(
        "UPDATE nba_raw.schedule SET periods = NULL WHERE game_id = ?", [g["overtime_from_minutes"]]
    )
    eng.execute(
        "UPDATE nba_raw.team_boxscores SET minutes = 265 WHERE game_id = ?",
        [g["overtime_from_minutes"]],
    )
    eng.execute("DELETE FROM nba_raw.schedule WHERE game_id = ?", [g["no_schedule"]])
    return g


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> tuple[Path, list[dt.date], dict[str, str]]:
    path = tmp_path_factory.mktemp("ref_togs") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    with DuckDBEngine(path, create=False) as eng:
        days = spread_dates(eng.con)
        games = perturb(eng, days)
    summary = api.backfill(warehouse=path, models=[TABLE])
    assert summary.ok, [(m.model, m.status, m.failed_checks) for m in summary.models]
    return path, days, games


def test_team_offense_game_summary_reference_equals_model_on_every_row_and_column(season) -> None:
    path, days, games = season
    con = duckdb.connect(str(path), read_only=True)
    total, bad = 0, []
    for day in days:
        n, wrong = compare(con, REFERENCE, day)
        total, bad = total + n, bad + wrong
    assert bad == []
    assert len(days) >= 8 and total >= 80
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
    con.close()


def test_team_offense_game_summary_reference_takes_under_two_seconds_a_date(season) -> None:
    path, days, _ = season
    con = duckdb.connect(str(path), read_only=True)
    t = time.perf_counter()
    REFERENCE.compute(con, days[-1])
    assert time.perf_counter() - t < 2
    con.close()
