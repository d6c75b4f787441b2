"""`nbapipe status --failures-by-week`: the Phase 4 failure curve by season week."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nbapipe import api


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("weeks") / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=21, warehouse=path)
    api.backfill(
        warehouse=path,
        models=[
            "nba_analytics.team_offense_game_summary",
            "nba_analytics.team_defense_game_summary",
            "nba_analytics.player_game_summary",
            "nba_analytics.player_completeness",
            "nba_precompute.player_shot_zone_analysis",
            "nba_precompute.team_defense_zone_analysis",
        ],
    )
    return path


def test_failures_by_week_early_weeks_fail_and_later_weeks_mostly_compute(season: Path) -> None:
    shares = api.failures_by_week(warehouse=season)
    by_model: dict[str, dict[int, float]] = {}
    for w in shares:
        by_model.setdefault(w.model, {})[w.season_week] = w.failure_share
    psza = by_model["nba_precompute.player_shot_zone_analysis"]
    tdza = by_model["nba_precompute.team_defense_zone_analysis"]
    assert psza[1] == psza[2] == tdza[1] == tdza[2] == 100.0  # the early-season weeks
    assert psza[6] <= 30.0 and psza[3] > psza[6]
    assert max(share for week, share in tdza.items() if week >= 8) == 0.0


def test_failures_by_week_cli_json(season: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbapipe.cli",
            "status",
            "--failures-by-week",
            "--json",
            "--warehouse",
            str(season),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["model"] for r in rows} >= {"nba_precompute.player_shot_zone_analysis"}
    assert all(0 <= r["failure_share_pct"] <= 100 for r in rows)
