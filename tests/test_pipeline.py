"""The runner on a synthetic league: backfill, smart reprocessing, daily = backfill, kills,
concurrent writers, dependency failures, checks."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.engine.lock import writer_lock
from nbapipe.errors import NbapipeError
from nbapipe.pipeline.model import all_models

TOGS = "nba_analytics.team_offense_game_summary"
TDGS = "nba_analytics.team_defense_game_summary"
TEAM_MODELS = (TOGS, TDGS)
# The runner's mechanics on a few models: same-day ones, a history model with per-entity
# failure rows, and the completeness model (the whole set runs in test_league.py).
RUNNER_MODELS = [
    TOGS,
    TDGS,
    "nba_analytics.player_completeness",
    "nba_precompute.team_defense_zone_analysis",
]
MODEL_ARGS = [arg for m in RUNNER_MODELS for arg in ("--models", m)]


@pytest.fixture(scope="module")
def league_file(tmp_path_factory) -> Path:
    """Two synthetic seasons, ingested once; tests work on copies."""
    path = tmp_path_factory.mktemp("league") / "league.duckdb"
    api.ingest_synthetic("2023-24..2024-25", seed=11, warehouse=path)
    return path


@pytest.fixture()
def wh(league_file: Path, tmp_path: Path) -> Path:
    target = tmp_path / "w.duckdb"
    shutil.copy(league_file, target)
    return target


def table_rows(path: Path, table: str) -> list[tuple]:
    """All rows of a model table except run metadata, in key order."""
    with DuckDBEngine(path, create=False) as eng:
        cols = [c for c, _ in eng.columns(table) if c not in ("run_id", "processed_at")]
        return eng.fetchall(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL")


def duplicate_keys(path: Path) -> int:
    models = all_models()
    with DuckDBEngine(path, create=False) as eng:
        total = 0
        for name in TEAM_MODELS:
            key = ", ".join(models[name].key)
            total += eng.fetchone(
                f"SELECT count(*) FROM (SELECT {key} FROM {name} GROUP BY ALL HAVING count(*) > 1)"
            )[0]
        return total


def test_pipeline_backfill_builds_team_tables_and_validates(wh: Path) -> None:
    summary = api.backfill(warehouse=wh, models=RUNNER_MODELS)
    assert summary.ok
    by_model = {m.model: m for m in summary.models}
    assert by_model[TOGS].rows_written == by_model[TDGS].rows_written == 2 * 2 * 1230
    report = api.validate(warehouse=wh, models=RUNNER_MODELS)
    assert report.ok, report.violations
    coverage = {c.model: c for c in api.coverage(warehouse=wh)}
    assert all(coverage[m].coverage_pct == 100.0 for m in TEAM_MODELS)
    assert duplicate_keys(wh) == 0


def test_pipeline_team_tables_hold_nba_ranges(wh: Path) -> None:
    api.backfill(warehouse=wh, models=RUNNER_MODELS)
    with DuckDBEngine(wh, create=False) as eng:
        pace, ortg, poss, zone_gap, wins = eng.fetchone(
            f"""SELECT avg(pace), avg(offensive_rating), avg(possessions),
                       sum(abs(team_paint_attempts + team_mid_range_attempts
                           + team_three_attempts_pbp + team_unknown_zone_attempts - fg_attempts)),
                       sum(CAST(win_flag AS INTEGER))
                FROM {TOGS}"""
        )
        assert 95 <= pace <= 103 and 105 <= ortg <= 122 and 94 <= poss <= 104
        assert zone_gap == 0
        assert wins == 2 * 1230  # one winner per game
        # Defence is the opponent's offence, row for row.
        mismatched = eng.fetchone(
            f"""SELECT count(*) FROM {TDGS} d JOIN {TOGS} o
                ON o.game_id = d.game_id AND o.team_abbr = d.opponent_team_abbr
                WHERE d.points_allowed <> o.points_scored
                   OR d.defensive_rating <> o.offensive_rating"""
        )[0]
        assert mismatched == 0


def test_pipeline_unchanged_rerun_computes_nothing(wh: Path) -> None:
    api.backfill(warehouse=wh, models=RUNNER_MODELS)
    before = {m: table_rows(wh, m) for m in TEAM_MODELS}
    again = api.backfill(warehouse=wh, models=RUNNER_MODELS)
    assert not again.computed_anything
    assert all(m.status == "skipped" for m in again.models)
    assert {m: table_rows(wh, m) for m in TEAM_MODELS} == before


def test_pipeline_warehouse_from_before_output_hashes_migrates_and_skips(wh: Path) -> None:
    """A v1 warehouse (no model_intervals.output_hash) gets its hashes from the tables, so the
    first run after the upgrade still recomputes nothing."""
    api.backfill(warehouse=wh, models=RUNNER_MODELS)
    with DuckDBEngine(wh, create=False) as eng:
        eng.execute("ALTER TABLE nba_reference.model_intervals DROP COLUMN output_hash")
        eng.execute("DELETE FROM nba_reference.schema_migrations WHERE version >= 2")
    result = api.init(warehouse=wh)
    assert result.applied and result.applied[0].startswith("v2:")
    with DuckDBEngine(wh, create=False) as eng:
        missing = eng.fetchone(
            "SELECT count(*) FROM nba_reference.model_intervals "
            "WHERE status = 'success' AND row_count > 0 AND output_hash IS NULL"
        )[0]
    assert missing == 0
    again = api.backfill(warehouse=wh, models=RUNNER_MODELS)
    assert not again.computed_anything


def test_pipeline_upgraded_model_keeps_its_table_until_a_run_may_change_it(wh: Path) -> None:
    """A model file that gained a column (an upgrade): a run that does not compute the model
    leaves its table alone; a daily run that does adds the column and keeps every stored row
    (they lose nothing, the new column NULL), validate says which dates an earlier version
    computed, and a backfill recomputes them. A change that is not an added column rebuilds
    the table only in a run over all its stored dates."""
    api.backfill(warehouse=wh, models=RUNNER_MODELS)
    count = f"SELECT count(*), count(data_hash) FROM {TOGS}"

    def downgrade(extra: str) -> int:
        with DuckDBEngine(wh, create=False) as eng:
            eng.execute(extra)
            eng.execute(
                "UPDATE nba_reference.model_intervals SET model_fingerprint = 'older' "
                "WHERE model = ?",
                [TOGS],
            )
            return eng.fetchone(f"SELECT count(*) FROM {TOGS}")[0]

    rows = downgrade(f"ALTER TABLE {TOGS} DROP COLUMN data_hash")
    day = dt.date(2025, 2, 3)
    api.run_daily(day, warehouse=wh, models=[TDGS], force=True)
    with DuckDBEngine(wh, create=False) as eng:
        assert "data_hash" not in dict(eng.columns(TOGS))  # not that run's table to change
    api.run_daily(day, warehouse=wh, models=[TOGS], force=True)
    with DuckDBEngine(wh, create=False) as eng:
        total, hashed = eng.fetchone(count)
        today = eng.fetchone(f"SELECT count(*) FROM {TOGS} WHERE game_date = ?", [day])[0]
    assert (total, hashed) == (rows, today) and today > 0
    report = api.validate(warehouse=wh, models=[TOGS])
    older = {v.check: v for v in report.violations}[
        "every date computed by this version of the model"
    ]
    assert older.severity == "warn" and older.example.endswith("nbapipe backfill recomputes them")
    api.backfill(warehouse=wh, models=[TOGS])
    with DuckDBEngine(wh, create=False) as eng:
        assert eng.fetchone(count) == (rows, rows)
    assert not api.validate(warehouse=wh, models=[TOGS]).violations
    # a column the model no longer has: only a run over every stored date may rebuild
    downgrade(f"ALTER TABLE {TOGS} ADD COLUMN retired INTEGER")
    with pytest.raises(NbapipeError, match="backfill --from-model team_offense_game_summary"):
        api.run_daily(day, warehouse=wh, models=[TOGS], force=True)
    with DuckDBEngine(wh, create=False) as eng:
        assert eng.fetchone(count) == (rows, rows) and "retired" in dict(eng.columns(TOGS))
    api.backfill(warehouse=wh, models=[TOGS])
    with DuckDBEngine(wh, create=False) as eng:
        assert eng.fetchone(count) == (rows, rows) and "retired" not in dict(eng.columns(TOGS))


def test_pipeline_one_changed_game_recomputes_only_its_date(wh: Path) -> None:
    api.backfill(warehouse=wh, models=RUNNER_MODELS)
    with DuckDBEngine(wh, create=False) as eng:
        game_id, day, team = eng.fetchone(
            "SELECT game_id, game_date, team_abbr FROM nba_raw.team_boxscores "
            "WHERE game_date = DATE '2025-01-15' ORDER BY game_id, team_abbr LIMIT 1"
        )
        # A corrected box score: one more made two.
        eng.execute(
            "UPDATE nba_raw.team_boxscores SET points = points + 2, "
            "field_goals_made = field_goals_made + 1, "
            "field_goals_attempted = field_goals_attempted + 1 "
            "WHERE game_id = ? AND team_abbr = ?",
            [game_id, team],
        )
    summary = api.backfill(warehouse=wh, models=RUNNER_MODELS)
    computed = {m.model: m.dates_computed for m in summary.models}
    # The team tables recompute exactly the changed date (later pre-game context may change
    # too: streaks and records read past results).
    assert (computed[TOGS], computed[TDGS]) == (1, 1)
    assert computed["nba_analytics.player_completeness"] == 0
    with DuckDBEngine(wh, create=False) as eng:
        latest = eng.fetchall(
            "SELECT model, interval_date FROM nba_reference.model_intervals "
            "WHERE run_id = ? ORDER BY model",
            [summary.run_id],
        )
    assert [(m, d) for m, d in latest if m in TEAM_MODELS] == [(TDGS, day), (TOGS, day)]


def test_pipeline_force_recomputes_everything(wh: Path) -> None:
    api.backfill(warehouse=wh, models=RUNNER_MODELS)
    forced = api.backfill(warehouse=wh, models=RUNNER_MODELS, force=True)
    assert all(m.dates_computed == m.dates_in_range for m in forced.models)


def test_pipeline_daily_runs_equal_one_backfill(wh: Path, tmp_path: Path) -> None:
    other = tmp_path / "daily.duckdb"
    shutil.copy(wh, other)
    start = dt.date(2025, 1, 6)
    days = [start + dt.timedelta(days=i) for i in range(14)]
    api.backfill(days[0], days[-1], warehouse=wh, models=RUNNER_MODELS)
    for d in days:
        api.run_daily(d, warehouse=other, models=RUNNER_MODELS)
    for model in TEAM_MODELS:
        assert table_rows(other, model) == table_rows(wh, model)
        assert len(table_rows(wh, model)) > 100


def test_pipeline_from_model_runs_downstream_only(wh: Path) -> None:
    summary = api.backfill(warehouse=wh, from_model="team_defense_game_summary")
    ran = [m.model for m in summary.models]
    assert ran[0] == TDGS and TOGS not in ran
    # Its upstream was never computed: every game date fails with MISSING_DEPENDENCY.
    assert summary.models[0].status == "failed" or summary.models[0].dates_failed > 0


def test_pipeline_missing_critical_upstream_marks_dates_failed(wh: Path) -> None:
    with DuckDBEngine(wh, create=False) as eng:
        eng.execute("DELETE FROM nba_raw.team_boxscores WHERE game_date = DATE '2025-02-03'")
    summary = api.backfill("2025-02-01", "2025-02-05", warehouse=wh, models=[TOGS])
    result = summary.models[0]
    assert result.status == "partial" and result.dates_failed == 1
    assert result.failures_by_category == {"MISSING_DEPENDENCY": 1}
    rows, counts = api.failures(category="missing_dependency", warehouse=wh)
    assert counts == {"MISSING_DEPENDENCY": 1}
    assert rows[0]["analysis_date"] == dt.date(2025, 2, 3)
    assert "nba_raw.team_boxscores has no rows for 2025-02-03" in rows[0]["failure_reason"]
    # The other dates were computed.
    with DuckDBEngine(wh, create=False) as eng:
        dates = eng.fetchall(f"SELECT DISTINCT game_date FROM {TOGS} ORDER BY 1")
    assert dt.date(2025, 2, 3) not in {d for (d,) in dates} and len(dates) >= 3
    # Run again: the failed date is retried and fails again, replacing (not adding to) its
    # failure row and interval; the run-history row says what happened, in the same commit.
    again = api.backfill("2025-02-01", "2025-02-05", warehouse=wh, models=[TOGS])
    assert again.models[0].dates_computed == 0 and again.models[0].dates_failed == 1
    _, counts = api.failures(category="missing_dependency", warehouse=wh)
    assert counts == {"MISSING_DEPENDENCY": 1}
    with DuckDBEngine(wh, create=False) as eng:
        assert eng.fetchall(
            "SELECT status, count(*) FROM nba_reference.model_intervals "
            "WHERE model = ? AND interval_date = DATE '2025-02-03' GROUP BY 1",
            [TOGS],
        ) == [("failed", 1)]
        history = eng.fetchall(
            "SELECT status, dates_failed, finished_at IS NOT NULL "
            "FROM nba_reference.processor_run_history WHERE run_id = ?",
            [again.run_id],
        )
    assert history == [("failed", 1, True)]


def test_pipeline_a_night_missing_some_box_scores_is_written_and_reported(wh: Path) -> None:
    """Box scores for one game of a night and not the others (spec 11.3: 1 of 9 gamebooks
    collected on an incident night): the date is written with the game it has, each team of
    the missing games becomes a failure row and a validate error, and the date is computed
    again when they arrive. Judged on the rows written: a team line the table cannot rebuild
    from too few player rows is missing too; one it can rebuild is not."""
    day = dt.date(2025, 2, 3)
    with DuckDBEngine(wh, create=False) as eng:
        games = eng.fetchall(
            "SELECT game_id, home_team_abbr, away_team_abbr FROM nba_raw.schedule "
            "WHERE game_date = ? ORDER BY 1",
            [day],
        )
        assert len(games) >= 4
        kept, partial = games[0], games[1]
        for t in ("team", "player"):
            eng.execute(
                f"CREATE TABLE held_{t} AS SELECT * FROM nba_raw.{t}_boxscores "
                "WHERE game_date = ? AND game_id <> ?",
                [day, kept[0]],
            )
        eng.execute(
            "DELETE FROM nba_raw.team_boxscores WHERE game_id IN (SELECT game_id FROM held_team)"
        )
    # only team lines missing: rebuilt from the player rows, the night is whole
    whole = api.backfill(day, day, warehouse=wh, models=[TOGS]).models[0]
    assert whole.failures_by_category == {} and whole.status == "success"
    with DuckDBEngine(wh, create=False) as eng:
        # one game keeps its away team's player rows only: its home line cannot be rebuilt
        eng.execute(
            "DELETE FROM nba_raw.player_boxscores WHERE game_id IN "
            "(SELECT game_id FROM held_player) AND NOT (game_id = ? AND team_abbr = ?)",
            [partial[0], partial[2]],
        )
    summary = api.backfill("2025-02-01", "2025-02-05", warehouse=wh, models=[TOGS])
    result = summary.models[0]
    want = sorted(
        [f"{g} {home}" for g, home, _ in games[1:]] + [f"{g} {away}" for g, _, away in games[2:]]
    )
    assert result.dates_failed == 0 and result.status == "success"
    assert result.failures_by_category == {"MISSING_RAW_DATA": len(want)}
    rows, _ = api.failures(model=TOGS, warehouse=wh)
    assert sorted(r["entity_id"] for r in rows) == want
    assert {r["analysis_date"] for r in rows} == {day}
    g, home, away = games[2]
    reason = next(r["failure_reason"] for r in rows if r["entity_id"] == f"{g} {home}")
    assert reason.startswith(f"no row for {home} in this completed game ({away} at {home}): ")
    written = f"SELECT count(*) FROM {TOGS} WHERE game_date = ?"
    with DuckDBEngine(wh, create=False) as eng:
        assert eng.fetchone(written, [day])[0] == 3  # both teams of one game, one of another
    report = api.validate("2025-02-01", "2025-02-05", warehouse=wh, models=[TOGS])
    gap = {v.check: v for v in report.violations}["has rows for both teams of every completed game"]
    assert (gap.severity, gap.dates, gap.failing_rows) == ("error", 1, len(want))
    assert gap.example.startswith(f"{day}: {len(want)} team-games without rows ({want[0]}, ")
    assert not report.ok
    # the week table of spec 6.12 item 5 counts entities a model could not compute, not gaps
    assert not [w for w in api.failures_by_week(warehouse=wh) if w.model == TOGS]
    with DuckDBEngine(wh, create=False) as eng:
        eng.execute("DELETE FROM nba_raw.player_boxscores WHERE game_id = ?", [partial[0]])
        eng.execute("INSERT INTO nba_raw.team_boxscores SELECT * FROM held_team")
        eng.execute("INSERT INTO nba_raw.player_boxscores SELECT * FROM held_player")
    again = api.backfill("2025-02-01", "2025-02-05", warehouse=wh, models=[TOGS])
    assert (again.models[0].dates_computed, again.models[0].failures_by_category) == (1, {})
    with DuckDBEngine(wh, create=False) as eng:
        assert eng.fetchone(written, [day])[0] == 2 * len(games)
    assert api.validate("2025-02-01", "2025-02-05", warehouse=wh, models=[TOGS]).ok


def test_pipeline_error_check_blocks_only_the_bad_date(wh: Path) -> None:
    with DuckDBEngine(wh, create=False) as eng:
        # A box score without points: not_null(points_scored) fails on that date.
        eng.execute(
            "UPDATE nba_raw.team_boxscores SET points = NULL WHERE game_date = DATE '2025-03-05'"
        )
    summary = api.backfill("2025-03-01", "2025-03-10", warehouse=wh, models=[TOGS])
    result = summary.models[0]
    assert result.dates_failed == 1 and result.failures_by_category == {"CHECK_FAILED": 1}
    report = api.validate("2025-03-01", "2025-03-10", warehouse=wh, models=[TOGS])
    assert not report.ok
    assert any("covers every date" in v.check for v in report.violations)


def test_pipeline_validate_reports_a_failed_date_whose_earlier_rows_remain(wh: Path) -> None:
    """A date blocked by a check keeps its earlier rows, so coverage sees it as present: the
    failed interval must still make validate fail, naming the date and the category."""
    api.backfill("2025-03-01", "2025-03-10", warehouse=wh, models=[TOGS])
    assert api.validate("2025-03-01", "2025-03-10", warehouse=wh, models=[TOGS]).ok
    with DuckDBEngine(wh, create=False) as eng:
        eng.execute(
            "CREATE TABLE main.kept_points AS SELECT rowid AS r, points "
            "FROM nba_raw.team_boxscores WHERE game_date = DATE '2025-03-05'"
        )
        eng.execute(
            "UPDATE nba_raw.team_boxscores SET points = NULL WHERE game_date = DATE '2025-03-05'"
        )
        kept = eng.fetchone(f"SELECT count(*) FROM {TOGS} WHERE game_date = DATE '2025-03-05'")
    result = api.backfill("2025-03-01", "2025-03-10", warehouse=wh, models=[TOGS]).models[0]
    assert result.failures_by_category == {"CHECK_FAILED": 1}
    report = api.validate("2025-03-01", "2025-03-10", warehouse=wh, models=[TOGS])
    stale = [v for v in report.violations if v.check == "the latest run of each date succeeded"]
    assert [(v.severity, v.dates, v.failing_rows) for v in stale] == [("error", 1, kept[0])]
    assert stale[0].example == "2025-03-05 CHECK_FAILED, earlier rows kept"
    assert not any("covers every date" in v.check for v in report.violations)
    with DuckDBEngine(wh, create=False) as eng:  # the box score fixed: the date recovers
        eng.execute(
            "UPDATE nba_raw.team_boxscores AS b SET points = k.points FROM main.kept_points AS k "
            "WHERE b.rowid = k.r"
        )
    api.backfill("2025-03-01", "2025-03-10", warehouse=wh, models=[TOGS])
    assert api.validate("2025-03-01", "2025-03-10", warehouse=wh, models=[TOGS]).ok


def test_pipeline_player_minutes_lost_on_a_date_block_it(wh: Path) -> None:
    """The legacy's minutes_played went 99.5% NULL unnoticed (spec 11.2). Here a date whose
    active players mostly lack minutes fails a coverage check instead of feeding every
    downstream table, and a date with one player's minutes lost is still written."""
    pgs = "nba_analytics.player_game_summary"
    bad, one = dt.date(2025, 3, 5), dt.date(2025, 3, 6)
    with DuckDBEngine(wh, create=False) as eng:
        eng.execute("UPDATE nba_raw.player_boxscores SET minutes = NULL WHERE game_date = ?", [bad])
        eng.execute(
            "UPDATE nba_raw.player_boxscores SET minutes = NULL WHERE rowid = (SELECT min(rowid) "
            "FROM nba_raw.player_boxscores WHERE game_date = ? AND minutes > 0)",
            [one],
        )
    summary = api.backfill("2025-03-04", "2025-03-07", warehouse=wh, models=[TOGS, pgs])
    result = {m.model: m for m in summary.models}[pgs]
    assert result.failures_by_category == {"CHECK_FAILED": 1}
    assert [c.split(" on ")[1] for c in result.failed_checks] == [str(bad)]
    assert result.failed_checks[0].startswith("share(CASE WHEN is_active THEN minutes_played")
    with DuckDBEngine(wh, create=False) as eng:
        written = dict(eng.fetchall(f"SELECT game_date, count(*) FROM {pgs} GROUP BY 1 ORDER BY 1"))
    assert bad not in written and written[one] > 100


def nbapipe_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nbapipe.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        timeout=600,
    )


@pytest.mark.parametrize(
    "failpoint",
    ["computed:1", "writing:1", "committed:1", "writing:3", "committed:3", "computed:4"],
)
def test_pipeline_killed_backfill_resumes_to_identical_tables(
    wh: Path, tmp_path: Path, failpoint: str
) -> None:
    reference = tmp_path / "reference.duckdb"
    shutil.copy(wh, reference)
    api.backfill(warehouse=reference, models=RUNNER_MODELS)

    killed = nbapipe_cli(
        "backfill", *MODEL_ARGS, "--warehouse", str(wh), env={"NBAPIPE_FAILPOINT": failpoint}
    )
    assert killed.returncode == -9, killed.stderr
    resumed = nbapipe_cli("backfill", *MODEL_ARGS, "--warehouse", str(wh))
    assert resumed.returncode == 0, resumed.stderr
    for model in TEAM_MODELS:
        assert table_rows(wh, model) == table_rows(reference, model)
    assert duplicate_keys(wh) == 0
    with DuckDBEngine(wh, create=False) as eng:
        runs = eng.fetchall(
            "SELECT run_id, list(status ORDER BY model), list(error ORDER BY model) "
            "FROM nba_reference.processor_run_history GROUP BY 1 ORDER BY min(started_at)"
        )
    # Two runs, each with a row for every model (the killed run's models that never
    # started included); on resume the killed run's open rows were closed as interrupted.
    assert len(runs) == 2
    (_, killed_statuses, killed_errors), (_, resumed_statuses, _) = runs
    assert len(killed_statuses) == len(resumed_statuses) == len(RUNNER_MODELS)
    assert not {"queued", "running"} & set(killed_statuses + resumed_statuses)
    interrupted = [e for s, e in zip(killed_statuses, killed_errors, strict=True) if s == "failed"]
    assert interrupted and all(e.startswith("interrupted: the process ended") for e in interrupted)
    stage, _, nth = failpoint.partition(":")
    if stage == "committed":  # the models committed before the kill stay committed
        assert killed_statuses.count("success") >= int(nth)


def test_pipeline_second_writer_gets_busy_message(wh: Path) -> None:
    with writer_lock(wh, "run-test-holder"):
        result = nbapipe_cli("backfill", *MODEL_ARGS, "--warehouse", str(wh))
    assert result.returncode == 1
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "is busy (run run-test-holder since" in lines[0]


def test_pipeline_second_writer_waits_with_wait_flag(wh: Path) -> None:
    with writer_lock(wh, "run-test-holder"):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nbapipe.cli",
                "backfill",
                *MODEL_ARGS,
                "--wait",
                "--warehouse",
                str(wh),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(2.0)
        assert proc.poll() is None  # still waiting
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "done in" in out
    assert duplicate_keys(wh) == 0


def test_pipeline_two_concurrent_backfills_leave_consistent_tables(wh: Path) -> None:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nbapipe.cli",
                "backfill",
                *MODEL_ARGS,
                "--wait",
                "--warehouse",
                str(wh),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert duplicate_keys(wh) == 0
    assert len(table_rows(wh, TOGS)) == 2 * 2 * 1230


def state_rows(path: Path) -> list[tuple]:
    """Interval state and check results, without run ids and times."""
    with DuckDBEngine(path, create=False) as eng:
        return eng.fetchall(
            "SELECT model, interval_date, status, row_count, input_fingerprint, "
            "model_fingerprint, output_hash FROM nba_reference.model_intervals ORDER BY ALL"
        ) + eng.fetchall(
            "SELECT model, check_date, check_name, severity, passed, failing_rows, detail "
            "FROM nba_processing.check_results ORDER BY ALL"
        )


def test_pipeline_models_side_by_side_equal_one_after_another(wh: Path, tmp_path: Path) -> None:
    """Two workers (each model in its own session once its upstreams committed) write the
    same tables, interval state and check results as one worker."""
    serial = tmp_path / "serial.duckdb"
    shutil.copy(wh, serial)
    one = api.backfill(warehouse=serial, models=RUNNER_MODELS, workers=1)
    two = api.backfill(warehouse=wh, models=RUNNER_MODELS, workers=2)
    assert one.ok and two.ok
    assert [m.model for m in two.models] == [m.model for m in one.models]
    assert [m.rows_written for m in two.models] == [m.rows_written for m in one.models]
    for model in RUNNER_MODELS:
        assert table_rows(wh, model) == table_rows(serial, model)
    assert state_rows(wh) == state_rows(serial)
    # and the next run, side by side again, finds nothing to do
    again = api.backfill(warehouse=wh, models=RUNNER_MODELS, workers=2)
    assert not again.computed_anything


def test_pipeline_failed_model_stops_its_downstream_when_side_by_side(
    wh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbapipe.pipeline import runner

    started: list[str] = []
    real = runner._run_model

    def failing(engine, model, *args, **kwargs):
        started.append(model.name)
        if model.name == TOGS:
            raise runner.RunError(f"{TOGS}: boom")
        return real(engine, model, *args, **kwargs)

    monkeypatch.setattr(runner, "_run_model", failing)
    with pytest.raises(runner.RunError, match="boom"):
        api.backfill(warehouse=wh, models=RUNNER_MODELS, workers=2)
    # team_defense_game_summary and TDZA read TOGS (directly or not): neither started
    assert TDGS not in started
    assert "nba_precompute.team_defense_zone_analysis" not in started
    # The run's history names every model it was asked for; none is left queued or running.
    with DuckDBEngine(wh, create=False) as eng:
        history = dict(
            eng.fetchall(
                "SELECT model, error FROM nba_reference.processor_run_history "
                "WHERE status = 'failed' AND run_id = (SELECT run_id FROM "
                "nba_reference.processor_run_history ORDER BY started_at DESC LIMIT 1)"
            )
        )
        open_rows = eng.fetchone(
            "SELECT count(*) FROM nba_reference.processor_run_history "
            "WHERE status IN ('queued', 'running')"
        )[0]
    assert open_rows == 0
    assert history[TDGS].startswith("not started: the run stopped after a model failed")
    assert history["nba_precompute.team_defense_zone_analysis"].startswith("not started:")


def test_pipeline_interrupted_run_records_the_models_it_never_started(
    wh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbapipe.pipeline import runner

    real = runner._run_model

    def interrupted(engine, model, *args, **kwargs):
        if model.name == TDGS:
            raise KeyboardInterrupt
        return real(engine, model, *args, **kwargs)

    monkeypatch.setattr(runner, "_run_model", interrupted)
    with pytest.raises(KeyboardInterrupt):
        api.backfill(warehouse=wh, models=[TOGS, TDGS], workers=1)
    with DuckDBEngine(wh, create=False) as eng:
        rows = dict(
            eng.fetchall(
                "SELECT model, status || ': ' || coalesce(error, '') "
                "FROM nba_reference.processor_run_history"
            )
        )
    assert rows[TOGS] == "success: "  # committed before the interruption
    assert rows[TDGS] == "failed: not started: the run was interrupted (KeyboardInterrupt)"


def test_pipeline_bad_worker_count_is_a_clear_error(wh: Path) -> None:
    from nbapipe.errors import InputError

    with pytest.raises(InputError, match="at least 1"):
        api.backfill(warehouse=wh, models=[TOGS], workers=0)
    result = nbapipe_cli(
        "backfill",
        "--models",
        TOGS,
        "--warehouse",
        str(wh),
        env={"NBAPIPE_MODEL_WORKERS": "two"},
    )
    assert result.returncode != 0
    assert "NBAPIPE_MODEL_WORKERS must be a whole number" in result.stdout + result.stderr


def test_pipeline_sessions_share_each_raw_tables_hashes(
    wh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Models running side by side hash a raw table once per run (not once per session), the
    fingerprints are those of a serial run, and no shared table outlives the run."""
    import re

    from nbapipe.pipeline import runner

    hashed: list[str] = []
    real = DuckDBEngine.materialize_shared

    def counting(self, name, sql):
        hashed.extend(re.findall(r"FROM (nba_raw\.\w+)", sql))
        return real(self, name, sql)

    monkeypatch.setattr(DuckDBEngine, "materialize_shared", counting)
    models = [all_models()[m] for m in RUNNER_MODELS]
    start, end = dt.date(2023, 10, 1), dt.date(2024, 6, 30)
    with DuckDBEngine(wh, create=False) as eng:
        summary = runner.run_models(eng, models, start, end, workers=2)
        assert summary.ok
        # TOGS, player_completeness and TDZA all read the schedule, and two of them the box
        # scores: each table is hashed once, or twice when a later model needs a longer
        # history than the first one hashed
        pairs = sum(1 for m in models for u in m.upstream if u.table.startswith("nba_raw."))
        assert 0 < len(hashed) < pairs
        assert max(hashed.count(t) for t in hashed) <= 2, hashed
        left = eng.fetchone(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'nbapipe_shared'"
        )[0]
        assert left == 0
        serial = {
            m.name: runner.input_fingerprints(eng, m, start, end + dt.timedelta(days=1))
            for m in models
        }
        recorded = {
            (m, d): fp
            for m, d, fp in eng.fetchall(
                "SELECT model, interval_date, input_fingerprint "
                "FROM nba_reference.model_intervals WHERE status = 'success'"
            )
        }
    compared = 0
    for m in models:
        for d, fp in serial[m.name].items():
            if (m.name, d) in recorded:
                assert recorded[(m.name, d)] == fp, (m.name, d)
                compared += 1
    assert compared > 100


def test_raw_hashes_are_computed_once_for_concurrent_sessions(wh: Path) -> None:
    """Sessions asking for the same raw table at once wait for one computation; a narrower
    range reuses it, a wider one computes the union once."""
    import threading

    from nbapipe.pipeline import runner

    calls: list[tuple[dt.date, dt.date]] = []
    with DuckDBEngine(wh, create=False) as eng:
        real = eng.date_hashes_sql

        def slow_sql(table, date_column, columns, lo, hi):
            calls.append((lo, hi))
            time.sleep(0.2)  # both threads ask while the first computes
            return real(table, date_column, columns, lo, hi)

        eng.date_hashes_sql = slow_sql
        shared = runner.RawHashes()
        cols = ["game_id", "game_date", "home_team_abbr"]
        table = "nba_raw.schedule"
        lo, hi = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
        names: list[str] = []

        def ask() -> None:
            with eng.session() as session:
                session.date_hashes_sql = slow_sql
                names.append(shared.relation(session, table, cols, lo, hi))

        threads = [threading.Thread(target=ask) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert calls == [(lo, hi)] and names[0] == names[1]
        assert shared.relation(eng, table, cols, lo, dt.date(2024, 1, 15)) == names[0]
        wider = shared.relation(eng, table, cols, dt.date(2023, 12, 1), hi)
        assert calls[-1] == (dt.date(2023, 12, 1), hi) and len(calls) == 2
        n = eng.fetchone(f"SELECT count(*) FROM {wider}")[0]
        assert (
            n
            == eng.fetchone(
                "SELECT count(DISTINCT game_date) FROM nba_raw.schedule "
                "WHERE game_date >= DATE '2023-12-01' AND game_date < DATE '2024-02-01'"
            )[0]
        )
        shared.drop(eng)
        assert (
            eng.fetchone(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'nbapipe_shared'"
            )[0]
            == 0
        )


def test_models_side_by_side_use_one_thread_per_statement(
    wh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Models that start side by side run each statement on one thread; a model that starts
    alone (everything left waits for it) gets every thread; the setting is restored after the
    run, and one model at a time keeps every thread."""
    from nbapipe.pipeline import runner

    seen: dict[tuple[int, str], str] = {}
    real = runner._run_model

    def watching(engine, model, *args):
        threads = engine.fetchone("SELECT current_setting('threads')")[0]
        seen[(len(seen_runs), model.name)] = str(threads)
        return real(engine, model, *args)

    seen_runs: list[int] = []
    monkeypatch.setattr(runner, "_run_model", watching)
    models = [all_models()[m] for m in RUNNER_MODELS]
    start, end = dt.date(2023, 10, 1), dt.date(2024, 6, 30)
    with DuckDBEngine(wh, create=False) as eng:
        default = str(eng.fetchone("SELECT current_setting('threads')")[0])
        assert default != "1", "needs a machine with at least two cores"
        assert runner.run_models(eng, models, start, end, workers=2).ok
        assert str(eng.fetchone("SELECT current_setting('threads')")[0]) == default
        seen_runs.append(1)
        chain = [all_models()[TOGS], all_models()[TDGS]]
        assert runner.run_models(eng, chain, start, end, workers=2, force=True).ok
        seen_runs.append(2)
        assert runner.run_models(eng, models, start, end, workers=1, force=True).ok
        assert str(eng.fetchone("SELECT current_setting('threads')")[0]) == default
    # TOGS and player_completeness have no upstream among the models: they start together
    assert seen[(0, TOGS)] == seen[(0, "nba_analytics.player_completeness")] == "1"
    # TDGS waits for TOGS: each of the two runs alone
    assert seen[(1, TOGS)] == seen[(1, TDGS)] == default
    assert {t for (run, _), t in seen.items() if run == 2} == {default}


def test_model_left_running_alone_gets_every_thread(
    wh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two models start side by side on one thread each; once one of them finishes and nothing
    else can start, the one still running gets every thread for its next statements."""
    import threading
    import time

    from nbapipe.pipeline import runner

    completeness = "nba_analytics.player_completeness"
    other_done = threading.Event()
    seen: dict[str, str] = {}
    real = runner._run_model

    def watching(engine, model, *args):
        def threads() -> str:
            return str(engine.fetchone("SELECT current_setting('threads')")[0])

        seen[f"{model.name} at start"] = threads()
        if model.name == completeness:
            result = real(engine, model, *args)
            other_done.set()
            return result
        # TOGS: runs on past the other model's end, as a long model would
        assert other_done.wait(60)
        deadline = time.monotonic() + 10
        while threads() == "1" and time.monotonic() < deadline:
            time.sleep(0.01)
        seen[f"{model.name} alone"] = threads()
        return real(engine, model, *args)

    monkeypatch.setattr(runner, "_run_model", watching)
    models = [all_models()[TOGS], all_models()[completeness]]
    with DuckDBEngine(wh, create=False) as eng:
        default = str(eng.fetchone("SELECT current_setting('threads')")[0])
        assert default != "1", "needs a machine with at least two cores"
        run = runner.run_models(
            eng, models, dt.date(2023, 10, 1), dt.date(2023, 12, 31), workers=2, force=True
        )
        assert run.ok
        assert str(eng.fetchone("SELECT current_setting('threads')")[0]) == default
    assert seen[f"{TOGS} at start"] == seen[f"{completeness} at start"] == "1"
    assert seen[f"{TOGS} alone"] == default


def test_pipeline_short_runs_plan_lightly_and_long_ones_fully(
    wh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A daily run skips the optimizer passes that cost more than they save on one date; a
    backfill keeps them. (That both give the same rows is what the daily-equals-backfill
    tests of every model check.)"""
    from nbapipe.pipeline import runner

    seen = []
    original = runner._run_model

    def spy(engine, model, *args, **kwargs):
        seen.append(engine.fetchone("SELECT current_setting('disabled_optimizers')")[0])
        return original(engine, model, *args, **kwargs)

    monkeypatch.setattr(runner, "_run_model", spy)
    api.run_daily("2025-02-03", warehouse=wh, models=[TOGS], force=True)
    api.backfill("2025-01-01", "2025-02-28", warehouse=wh, models=[TOGS], force=True)
    from nbapipe.engine.duckdb import LIGHT_PLANNING_SKIPS

    light, full = seen
    assert set(light.replace(" ", "").split(",")) == set(LIGHT_PLANNING_SKIPS) and not full
