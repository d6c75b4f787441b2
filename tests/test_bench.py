"""The benchmark harness still works (a smoke run on a tiny league); timings are never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import DATASETS, by_table, markdown, parse, targets
from nbapipe.pipeline.model import all_models

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_smoke_run_writes_every_scenario_with_rows_per_model(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr
    record = json.loads((tmp_path / "latest.json").read_text())
    smoke = record["datasets"]["smoke"]
    results = smoke["results"]
    assert list(results) == [
        "ingest",
        "backfill",
        "rerun_unchanged",
        "daily_run",
        "compute_only",
        "reference_dates",
    ]
    for r in results.values():
        assert r["wall_s_median"] > 0 and r["cpu_s"] > 0 and r["peak_rss_mib"] > 0
    models = set(all_models())
    backfill = results["backfill"]
    assert set(backfill["rows"]) == models and set(backfill["seconds"]) == models
    assert sum(backfill["rows"].values()) > 0 and backfill["extra"]["ok"]
    assert backfill["extra"]["dates_failed"] == {}
    assert results["rerun_unchanged"]["extra"]["dates_computed"] == 0
    assert sum(results["daily_run"]["rows"].values()) > 0
    # the computation alone yields the very rows the backfill wrote, and writes none
    assert results["compute_only"]["extra"]["rows_computed"] == backfill["rows"]
    assert set(results["compute_only"]["seconds"]) == models
    assert not results["compute_only"]["rows"]
    assert results["reference_dates"]["extra"]["dates"] == 2
    assert smoke["ratios"]["reference_dates"] == 2
    assert set(smoke["ratios"]["by_table"]) == models
    assert all(t["ratio"] > 0 for t in smoke["ratios"]["by_table"].values())
    assert all(t["compute_ratio"] > 0 for t in smoke["ratios"]["by_table"].values())
    assert smoke["ratios"]["vs_compute_per_date"] > 0
    assert record["machine"]["cores"] >= 1
    text = markdown(record)
    assert "| backfill |" in text and "| model (backfill) | seconds | rows |" in text
    assert "| compute_only |" in text and "reference / computation |" in text


def test_bench_targets_compare_the_four_and_twenty_season_runs() -> None:
    def data(backfill: float, rss: float = 900.0) -> dict:
        results = {
            "backfill": {"wall_s_median": backfill, "peak_rss_mib": rss},
            "daily_run": {"wall_s_median": 0.8},
            "rerun_unchanged": {"wall_s_median": 1.5},
        }
        ratios = {"vs_daily_run": 3.0, "vs_backfill_per_date": 150.0}
        return {"results": results, "ratios": ratios}

    got = {
        t["target"]: t["met"]
        for t in targets({"synthetic-4": data(18.0), "synthetic-20": data(120.0, 5000.0)})
    }
    assert got == {
        "4 seasons: full backfill": True,
        "4 seasons: one daily run": True,
        "4 seasons: unchanged re-run": True,
        "reference per date / our daily run": False,
        "reference per date / our backfill per date": True,
        "20 seasons: backfill time / 4 seasons": False,
        "20 seasons: peak memory": False,
    }


def test_bench_record_names_the_dates_a_backfill_could_not_compute() -> None:
    def record(dates_failed: dict) -> dict:
        backfill = {
            "wall_s_median": 2.5,
            "wall_s_runs": [2.5],
            "cpu_s": 3.7,
            "peak_rss_mib": 466.0,
            "rows": {"nba_analytics.player_game_summary": 22124},
            "seconds": {"nba_analytics.player_game_summary": 0.3},
            "extra": {"ok": not dates_failed, "dates_failed": dates_failed},
        }
        data = {
            "describe": "the real season",
            "game_dates": 229,
            "daily_date": "2025-01-15",
            "results": {"backfill": backfill},
            "ratios": {},
        }
        machine = {"cores": 2, "memory_gib": 23.5, "python": "3.11", "duckdb": "2", "nbapipe": "0"}
        return {
            "when": "now",
            "command": "python -m bench",
            "machine": machine,
            "repeat": 1,
            "skipped": {},
            "datasets": {"real": data},
            "targets": [],
        }

    text = markdown(record({"nba_analytics.player_game_summary": 66}))
    assert "could not compute" in text and "`nba_analytics.player_game_summary` 66" in text
    assert "could not compute" not in markdown(record({}))


def test_bench_by_table_sets_each_tables_reference_date_against_its_backfill_date() -> None:
    reference = {"a.slow": 2.0, "a.fast": 0.1, "a.only_reference": 1.0}
    backfill = {"a.slow": 1.0, "a.fast": 0.5, "a.only_ours": 3.0}
    got = by_table(reference, backfill, dates=10, game_days=500)
    # 0.2 s per reference date against 0.002 s per game date; 0.01 against 0.001
    assert got == {
        "a.slow": {"reference_s_per_date": 0.2, "backfill_s_per_date": 0.002, "ratio": 100.0},
        "a.fast": {"reference_s_per_date": 0.01, "backfill_s_per_date": 0.001, "ratio": 10.0},
    }
    # the statements alone: 0.5 s and 0.25 s over 500 game dates, 0.001 and 0.0005 per date
    alone = by_table(
        reference, backfill, dates=10, game_days=500, compute_s={"a.slow": 0.5, "a.fast": 0.25}
    )
    assert alone["a.slow"] == got["a.slow"] | {"compute_s_per_date": 0.001, "compute_ratio": 200.0}
    assert alone["a.fast"] == got["a.fast"] | {"compute_s_per_date": 0.0005, "compute_ratio": 20.0}


def test_bench_rejects_an_unknown_dataset(capsys) -> None:
    with pytest.raises(SystemExit):
        parse(["--datasets", "synthetic-5"])
    assert "unknown dataset(s) synthetic-5" in capsys.readouterr().err
    assert parse(["--datasets", "synthetic-4"]).datasets == ["synthetic-4"]
    assert set(DATASETS) == {"real-2024-25", "synthetic-4", "synthetic-20"}
