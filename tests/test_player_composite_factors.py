"""player_composite_factors: a per-row reference written from spec 5.3, early season, and a daily
run equal to the backfill."""

from __future__ import annotations

import datetime as dt
import math
import random
import shutil
from pathlib import Path

import pytest

from bench.reference.player_composite_factors import REFERENCE
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

PCF = "nba_precompute.player_composite_factors"
UPGC = "nba_analytics.upcoming_player_game_context"
MODELS = [
    "nba_analytics.team_offense_game_summary",
    "nba_analytics.team_defense_game_summary",
    "nba_analytics.player_game_summary",
    "nba_analytics.player_completeness",
    "nba_analytics.upcoming_team_game_context",
    UPGC,
    "nba_precompute.player_shot_zone_analysis",
    "nba_precompute.team_defense_zone_analysis",
    PCF,
]


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pcf") / "wh.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    summary = api.backfill(warehouse=path, models=MODELS)
    result = {m.model: m for m in summary.models}[PCF]
    assert result.status == "success", result
    return path


def _dicts(eng: DuckDBEngine, sql: str, params: list | None = None) -> list[dict]:
    cur = eng.con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def test_player_composite_factors_reference_matches_every_row_of_sampled_dates(wh: Path) -> None:
    """The per-player reference (bench/reference, written from spec 5.3) on 12 random dates:
    every row and every column but the hash."""
    rng = random.Random(11)
    with DuckDBEngine(wh, create=False) as eng:
        dates = [d for (d,) in eng.fetchall(f"SELECT DISTINCT game_date FROM {PCF} ORDER BY 1")]
        sample = sorted(rng.sample(dates, 12))
        diffs, checked = [], 0
        for d in sample:
            answer = REFERENCE.compute(eng.con, d)
            got = {
                r["player_lookup"]: r
                for r in _dicts(eng, f"SELECT * FROM {PCF} WHERE game_date = ?", [d])
            }
            assert not answer.failures
            assert set(got) == {r["player_lookup"] for r in answer.rows}
            for want in answer.rows:
                row = got[want["player_lookup"]]
                for col, value in want.items():
                    checked += 1
                    if not _same(row[col], value):
                        diffs.append((d, want["player_lookup"], col, row[col], value))
    assert diffs == [] and checked > 50000


def test_player_composite_factors_factors_vary_and_stay_in_bounds(wh: Path) -> None:
    with DuckDBEngine(wh, create=False) as eng:
        stats = eng.fetchone(
            f"SELECT count(DISTINCT fatigue_score), count(DISTINCT shot_zone_mismatch_score), "
            f"count(DISTINCT pace_score), count(DISTINCT usage_spike_score), "
            f"min(fatigue_score), max(fatigue_score), "
            f"count(*) FILTER (WHERE has_shot_zone_data AND has_team_defense_data), count(*) "
            f"FROM {PCF}"
        )
    assert all(n > 10 for n in stats[:4])
    assert 0 <= stats[4] < 70 and stats[5] == 100
    assert stats[6] > 0.8 * stats[7]


def test_player_composite_factors_early_season_gives_failure_rows_only(wh: Path) -> None:
    with DuckDBEngine(wh, create=False) as eng:
        opener = eng.fetchone(
            "SELECT min(game_date) FROM nba_raw.schedule WHERE season_type = 'Regular Season'"
        )[0]
        early_end = opener + dt.timedelta(days=14)
        rows = eng.fetchone(f"SELECT count(*) FROM {PCF} WHERE game_date < ?", [early_end])[0]
        fails = eng.fetchone(
            "SELECT count(*), count(*) FILTER (WHERE failure_category = 'EARLY_SEASON' "
            "AND NOT can_retry) FROM nba_processing.precompute_failures "
            "WHERE model = ? AND analysis_date < ?",
            [PCF, early_end],
        )
        players = eng.fetchone(f"SELECT count(*) FROM {UPGC} WHERE game_date < ?", [early_end])[0]
        first_rows = eng.fetchone(f"SELECT min(game_date) FROM {PCF}")[0]
    assert rows == 0
    assert fails[0] == fails[1] == players > 0
    assert first_rows == early_end


def test_player_composite_factors_daily_run_equals_backfill(wh: Path, tmp_path: Path) -> None:
    other = tmp_path / "daily.duckdb"
    shutil.copy(wh, other)
    day = dt.date(2024, 1, 17)
    with DuckDBEngine(other, create=False) as eng:
        eng.execute(f"DELETE FROM {PCF} WHERE game_date = ?", [day])
    api.backfill(day, day, warehouse=other, models=[PCF], force=True)
    sql = f"SELECT * EXCLUDE (run_id, processed_at) FROM {PCF} WHERE game_date = ? ORDER BY 2"
    with DuckDBEngine(wh, create=False) as a, DuckDBEngine(other, create=False) as b:
        want, got = a.fetchall(sql, [day]), b.fetchall(sql, [day])
    assert got == want and len(want) > 50


def test_player_composite_factors_declares_same_day_pre_game_upstreams() -> None:
    from nbapipe.pipeline.model import all_models

    ups = {u.table: u for u in all_models()[PCF].upstream}
    assert ups[UPGC].critical and ups[UPGC].same_day
    assert not ups["nba_raw.schedule"].same_day


def test_player_composite_factors_missing_same_day_upstream_blocks_the_date(
    wh: Path, tmp_path: Path
) -> None:
    other = tmp_path / "gap.duckdb"
    shutil.copy(wh, other)
    day = dt.date(2024, 2, 5)
    psza = "nba_precompute.player_shot_zone_analysis"
    with DuckDBEngine(other, create=False) as eng:
        eng.execute(f"DELETE FROM {psza} WHERE analysis_date = ?", [day])
        eng.execute(
            "DELETE FROM nba_reference.model_intervals WHERE model = ? AND interval_date = ?",
            [psza, day],
        )
    summary = api.backfill(
        day, day + dt.timedelta(days=1), warehouse=other, models=[PCF], force=True
    )
    result = summary.models[0]
    assert result.failures_by_category.get("MISSING_DEPENDENCY") == 1
    rows, _ = api.failures(category="missing_dependency", warehouse=other)
    reasons = {r["analysis_date"]: r["failure_reason"] for r in rows if r["model"] == PCF}
    assert f"{psza} has no rows" in reasons[day]
    with DuckDBEngine(other, create=False) as eng:
        status = eng.fetchone(
            "SELECT status FROM nba_reference.model_intervals WHERE model = ? "
            "AND interval_date = ?",
            [PCF, day],
        )[0]
        next_day = eng.fetchone(
            f"SELECT count(*) FROM {PCF} WHERE game_date = ?", [day + dt.timedelta(days=1)]
        )[0]
    assert status == "failed" and next_day > 0
