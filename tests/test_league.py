"""Every model together on four synthetic seasons: one backfill, validation, keys, daily runs,
the Phase 4 failure curve and point-in-time correctness across Phase 4 and the feature store."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.pipeline.model import all_models

PHASE3 = (
    "nba_analytics.team_offense_game_summary",
    "nba_analytics.team_defense_game_summary",
    "nba_analytics.player_game_summary",
    "nba_analytics.upcoming_team_game_context",
    "nba_analytics.upcoming_player_game_context",
)
PHASE4 = (
    "nba_precompute.team_defense_zone_analysis",
    "nba_precompute.player_shot_zone_analysis",
    "nba_precompute.player_composite_factors",
    "nba_precompute.player_daily_cache",
    "nba_predictions.ml_feature_store_v2",
)
# Tables whose row for date D is a pre-game view: nothing on or after D may change it.
PRE_GAME = (
    "nba_analytics.upcoming_team_game_context",
    "nba_analytics.upcoming_player_game_context",
    *PHASE4,
)
PSZA = "nba_precompute.player_shot_zone_analysis"


@pytest.fixture(scope="module")
def league(tmp_path_factory) -> tuple[Path, api.RunSummary]:
    path = tmp_path_factory.mktemp("league") / "w.duckdb"
    api.ingest_synthetic("2021-22..2024-25", seed=7, warehouse=path)
    return path, api.backfill(warehouse=path)


def _rows_on(path: Path, tables: tuple[str, ...], day: dt.date) -> dict[str, list]:
    models = all_models()
    with DuckDBEngine(path, create=False) as eng:
        return {
            name: eng.fetchall(
                f"SELECT * EXCLUDE (run_id, processed_at) FROM {name} "
                f"WHERE {models[name].date_column} = ? ORDER BY ALL",
                [day],
            )
            for name in tables
        }


@pytest.mark.slow
def test_league_one_backfill_builds_every_table_and_validates(league) -> None:
    path, summary = league
    by_model = {m.model: m for m in summary.models}
    assert set(PHASE3 + PHASE4) <= set(by_model)
    for name in PHASE3 + PHASE4:
        assert by_model[name].status == "success", by_model[name]
        assert by_model[name].rows_written > 0, name
        assert by_model[name].checks_failed == 0, (name, by_model[name].failed_checks)
    report = api.validate(warehouse=path)
    assert report.ok, report.violations


@pytest.mark.slow
def test_league_no_duplicate_keys(league) -> None:
    path, _ = league
    models = all_models()
    with DuckDBEngine(path, create=False) as eng:
        for name, model in models.items():
            key = ", ".join(model.key)
            dups = eng.fetchone(
                f"SELECT count(*) FROM (SELECT {key} FROM {name} GROUP BY ALL HAVING count(*) > 1)"
            )[0]
            assert dups == 0, name


@pytest.mark.slow
def test_league_daily_run_equals_backfill_rows(league, tmp_path: Path) -> None:
    path, _ = league
    copy = tmp_path / "w.duckdb"
    shutil.copy(path, copy)
    day = dt.date(2024, 1, 17)
    tables = tuple(all_models())
    before = _rows_on(copy, tables, day)
    api.run_daily(day, warehouse=copy, force=True)
    assert _rows_on(copy, tables, day) == before
    assert all(len(before[name]) > 0 for name in PHASE3 + PHASE4)


@pytest.mark.slow
def test_league_pre_game_rows_never_see_the_date_or_later(league, tmp_path: Path) -> None:
    """Change every game on date d and add a game after it: no pre-game row (upcoming context,
    Phase 4, feature store) dated on or before d changes; rows after d do."""
    path, _ = league
    copy = tmp_path / "w.duckdb"
    shutil.copy(path, copy)
    day = dt.date(2024, 2, 7)
    earlier = day - dt.timedelta(days=1)
    before = {d: _rows_on(copy, PRE_GAME, d) for d in (earlier, day)}
    after_day = day + dt.timedelta(days=2)
    later_before = _rows_on(copy, PRE_GAME, after_day)
    with DuckDBEngine(copy, create=False) as eng:
        # Every box score on d and the day after gets 6 more points (three more made twos).
        for table, pts, fgm, fga in (
            ("nba_raw.player_boxscores", "points", "field_goals_made", "field_goals_attempted"),
            ("nba_raw.team_boxscores", "points", "field_goals_made", "field_goals_attempted"),
        ):
            eng.execute(
                f"UPDATE {table} SET {pts} = {pts} + 6, {fgm} = {fgm} + 3, {fga} = {fga} + 3 "
                "WHERE game_date IN (?, ?) AND coalesce(minutes, 1) > 0",
                [day, day + dt.timedelta(days=1)],
            )
    api.backfill(day - dt.timedelta(days=1), after_day, warehouse=copy, force=True)
    for d in (earlier, day):
        assert _rows_on(copy, PRE_GAME, d) == before[d], d
    later = _rows_on(copy, PRE_GAME, after_day)
    changed = [name for name in PRE_GAME if later[name] != later_before[name]]
    assert "nba_predictions.ml_feature_store_v2" in changed
    assert "nba_precompute.player_daily_cache" in changed


@pytest.mark.slow
def test_league_shot_zone_failure_share_follows_the_season_curve(league) -> None:
    """Spec 6.12 item 5: nearly everyone fails the first two weeks, the share falls through
    the early weeks and settles in the teens by mid-season (see docs/pipeline.md for week 3)."""
    path, _ = league
    shares: dict[int, list[float]] = {}
    for w in api.failures_by_week(warehouse=path):
        if w.model == PSZA:
            shares.setdefault(w.season_week, []).append(w.failure_share)
    mean = {week: sum(v) / len(v) for week, v in shares.items()}
    assert mean[1] >= 90 and mean[2] >= 90
    assert 35 <= mean[3] <= 75
    assert mean[3] > mean[4] > mean[6]
    assert all(mean[w] <= 30 for w in mean if w >= 6)
    mid_season = [mean[w] for w in range(9, 14)]
    assert all(12 <= share <= 22 for share in mid_season), mid_season
