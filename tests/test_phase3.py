"""All Phase 3 tables together on four synthetic seasons."""

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


@pytest.fixture(scope="module")
def league(tmp_path_factory) -> tuple[Path, api.RunSummary]:
    path = tmp_path_factory.mktemp("phase3") / "w.duckdb"
    api.ingest_synthetic("2021-22..2024-25", seed=7, warehouse=path)
    return path, api.backfill(warehouse=path)


@pytest.mark.slow
def test_phase3_one_backfill_builds_every_table_and_validates(league) -> None:
    path, summary = league
    by_model = {m.model: m for m in summary.models}
    for name in PHASE3:
        assert by_model[name].status == "success", by_model[name]
        assert by_model[name].rows_written > 0
    report = api.validate(warehouse=path)
    assert report.ok, report.violations


@pytest.mark.slow
def test_phase3_no_duplicate_keys(league) -> None:
    path, _ = league
    models = all_models()
    with DuckDBEngine(path, create=False) as eng:
        for name in PHASE3:
            key = ", ".join(models[name].key)
            dups = eng.fetchone(
                f"SELECT count(*) FROM (SELECT {key} FROM {name} GROUP BY ALL HAVING count(*) > 1)"
            )[0]
            assert dups == 0, name


@pytest.mark.slow
def test_phase3_daily_run_equals_backfill_rows(league, tmp_path: Path) -> None:
    path, _ = league
    copy = tmp_path / "w.duckdb"
    shutil.copy(path, copy)
    day = dt.date(2024, 1, 17)

    def rows(p: Path) -> dict[str, list]:
        with DuckDBEngine(p, create=False) as eng:
            out = {}
            for name in PHASE3:
                dc = all_models()[name].date_column
                out[name] = eng.fetchall(
                    f"SELECT * EXCLUDE (run_id, processed_at) FROM {name} WHERE {dc} = ? "
                    "ORDER BY ALL",
                    [day],
                )
            return out

    before = rows(copy)
    api.run_daily(day, warehouse=copy, force=True)
    after = rows(copy)
    assert after == before
    assert all(len(v) > 0 for v in before.values())
