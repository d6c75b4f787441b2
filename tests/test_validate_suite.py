"""`validate` runs the legacy operators' queries (spec 6.12) on top of the declared checks:
each one fires on a warehouse broken in its particular way, and none fires on a clean one."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

PGS = "nba_analytics.player_game_summary"
PSZA = "nba_precompute.player_shot_zone_analysis"
MODELS = [
    "nba_analytics.team_offense_game_summary",
    "nba_analytics.player_prop_lines",
    PGS,
    "nba_analytics.player_completeness",
    PSZA,
]
DAY = dt.date(2024, 1, 24)  # mid-season


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("suite") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=9, warehouse=path)
    api.backfill(warehouse=path, models=MODELS)
    return path


@pytest.fixture()
def broken(clean: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "w.duckdb"
    shutil.copy(clean, copy)
    return copy


def _suite(path: Path) -> dict[tuple[str, str], api.Violation]:
    report = api.validate(warehouse=path, models=MODELS)
    return {(v.model, v.check): v for v in report.violations if v.check.startswith("spec 6.12")}


def test_validate_suite_is_silent_on_a_clean_league(clean: Path) -> None:
    report = api.validate(warehouse=clean, models=MODELS)
    assert report.ok and not report.violations, report.violations


PPL = "nba_analytics.player_prop_lines"


def test_validate_a_date_without_sportsbook_data_is_a_warning_not_a_gap(broken: Path) -> None:
    """The prop lines read only optional sportsbook data: a date none was loaded for is a
    warning naming the input, and validate passes unless --strict; rows missing while the
    data is there stay a coverage error."""
    from typer.testing import CliRunner

    from nbapipe.cli import app

    with DuckDBEngine(broken, create=False) as eng:
        eng.execute("DELETE FROM nba_raw.player_props WHERE game_date = ?", [DAY])
    api.backfill(DAY, DAY, warehouse=broken, models=[PPL], force=True)
    report = api.validate(warehouse=broken, models=MODELS)
    found = {(v.model, v.check): v for v in report.violations}
    warn = found[(PPL, "has input on every date with completed games")]
    assert (warn.severity, warn.dates) == ("warn", 1)
    assert warn.example == f"no rows in nba_raw.player_props for {DAY}"
    assert (PPL, "covers every date with completed games") not in found
    assert report.ok and (report.errors, report.warnings) == (0, 1)
    runner = CliRunner()
    args = ["validate", "-w", str(broken), *(a for m in MODELS for a in ("--models", m))]
    relaxed = runner.invoke(app, args)
    assert relaxed.exit_code == 0 and "1 warning" in relaxed.output, relaxed.output
    assert runner.invoke(app, [*args, "--strict"]).exit_code == 1
    strict = runner.invoke(app, [*args, "--strict", "--json"])
    payload = json.loads(strict.output)
    assert strict.exit_code == 1 and payload["ok"] is False and payload["warnings"] == 1
    # the day's rows deleted while its sportsbook data is there: a gap, an error
    other = DAY + dt.timedelta(days=1)
    with DuckDBEngine(broken, create=False) as eng:
        props = "SELECT count(*) FROM nba_raw.player_props WHERE game_date = ?"
        assert eng.fetchone(props, [other])[0]
        eng.execute(f"DELETE FROM {PPL} WHERE game_date = ?", [other])
    gap = {(v.model, v.check): v for v in api.validate(warehouse=broken, models=MODELS).violations}[
        (PPL, "covers every date with completed games")
    ]
    assert gap.severity == "error" and gap.example == f"missing {other}; {other}: computed, no rows"


def test_validate_coverage_says_why_a_date_is_missing(broken: Path) -> None:
    with DuckDBEngine(broken, create=False) as eng:
        eng.execute("DELETE FROM nba_raw.player_boxscores WHERE game_date = ?", [DAY])
        eng.execute(f"DELETE FROM {PGS} WHERE game_date = ?", [DAY])  # else they stay
    api.backfill(DAY, DAY, warehouse=broken, models=[PGS], force=True)
    report = api.validate(warehouse=broken, models=MODELS)
    gap = {(v.model, v.check): v for v in report.violations}[
        (PGS, "covers every date with completed games")
    ]
    assert gap.severity == "error" and not report.ok
    assert gap.example == (
        f"missing {DAY}; {DAY}: games were played but nba_raw.player_boxscores has no rows "
        f"for {DAY}"
    ), gap.example


def test_validate_suite_finds_duplicate_keys(broken: Path) -> None:
    with DuckDBEngine(broken, create=False) as eng:
        eng.execute(
            f"INSERT INTO {PSZA} SELECT * FROM {PSZA} WHERE analysis_date = ? LIMIT 3", [DAY]
        )
    found = _suite(broken)[(PSZA, "spec 6.12: no duplicate keys")]
    assert found.severity == "error" and found.dates == 1 and found.failing_rows == 6


@pytest.mark.parametrize(
    "column, which, check, severity",
    [
        ("points", "minutes_played > 20", "points, shots and usage", "error"),
        ("minutes_played", "player_lookup < 'c'", "minutes", "warn"),
    ],
)
def test_validate_suite_finds_active_players_without_a_critical_field(
    broken: Path, column: str, which: str, check: str, severity: str
) -> None:
    with DuckDBEngine(broken, create=False) as eng:
        where = f"game_date = ? AND is_active AND {which}"
        n = eng.fetchone(f"SELECT count(*) FROM {PGS} WHERE {where}", [DAY])[0]
        eng.execute(f"UPDATE {PGS} SET {column} = NULL WHERE {where}", [DAY])
    found = _suite(broken)[(PGS, f"spec 6.12: active players have {check}")]
    assert (found.severity, found.dates) == (severity, 1) and found.failing_rows == n > 5


def test_validate_suite_flags_failure_share_after_week_six_and_processing_errors(
    broken: Path,
) -> None:
    with DuckDBEngine(broken, create=False) as eng:
        # Half the date's players fail: above the 30% red line after week 6.
        eng.execute(
            "INSERT INTO nba_processing.precompute_failures "
            "SELECT ?, 'run-test', analysis_date, player_lookup || '_x', 'PROCESSING_ERROR', "
            "'boom', TRUE, NULL, NULL, now() FROM " + PSZA + " WHERE analysis_date = ?",
            [PSZA, DAY],
        )
    suite = _suite(broken)
    red = suite[(PSZA, "spec 6.12: failure share <= 30% after week 6")]
    assert red.severity == "warn" and red.dates == 1 and str(DAY) in red.example
    errors = suite[(PSZA, "spec 6.12: no PROCESSING_ERROR failures")]
    assert errors.severity == "error" and errors.failing_rows > 100


def test_validate_coverage_leaves_out_dates_with_only_pre_season_or_all_star_games(
    broken: Path,
) -> None:
    # Pre-season games before the opener and an All-Star game on a date of its own, completed
    # but without box scores (as in the real NBA.com logs): the models leave such games out
    # of every window, so coverage must not expect rows on those dates.
    with DuckDBEngine(broken, create=False) as eng:
        opener, last = eng.fetchone(
            "SELECT min(game_date), max(game_date) FROM nba_raw.schedule WHERE season_year = 2023"
        )
        extra = [("Pre Season", opener - dt.timedelta(days=d)) for d in (9, 8, 5)]
        extra.append(("All-Star", last + dt.timedelta(days=3)))
        for n, (kind, day) in enumerate(extra):
            eng.execute(
                "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, season_type, "
                "home_team_abbr, away_team_abbr, game_status, home_team_score, away_team_score) "
                "SELECT ?, ?, 2023, ?, home_team_abbr, away_team_abbr, 3, 100, 99 "
                "FROM nba_raw.schedule WHERE game_date = ? LIMIT 1",
                [f"00X{n}", day, kind, opener],
            )
    # Nor may the dependency check demand box scores on them: every date computes.
    summary = api.backfill(warehouse=broken, models=MODELS)
    assert not [(m.model, m.dates_failed) for m in summary.models if m.dates_failed]
    report = api.validate(warehouse=broken, models=MODELS)
    assert not [v for v in report.violations if v.check.startswith("covers every date")], [
        (v.model, v.example) for v in report.violations
    ]
    status = {c.model: c for c in api.coverage(warehouse=broken) if c.model in MODELS}
    assert status[PGS].coverage_pct == 100.0
    assert not {d for c in status.values() for d in c.missing_dates} & {
        str(day) for _, day in extra
    }


@pytest.fixture(scope="module")
def every_model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("suite_all") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=9, weeks=12, warehouse=path)
    assert api.backfill(warehouse=path).ok
    return path


def test_validate_suite_finds_composite_factors_missing_players(
    every_model: Path, tmp_path: Path
) -> None:
    """Spec 6.12 item 6: composite factors for at least 90% of the active players of each
    date that has them."""
    pcf = "nba_precompute.player_composite_factors"
    assert api.validate(warehouse=every_model).ok
    copy = tmp_path / "w.duckdb"
    shutil.copy(every_model, copy)
    with DuckDBEngine(copy, create=False) as eng:
        day = eng.fetchone(
            f"SELECT game_date FROM {pcf} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        )[0]
        active = eng.fetchone(
            f"SELECT count(*) FROM {PGS} WHERE is_active AND game_date = ?", [day]
        )
        eng.execute(
            f"DELETE FROM {pcf} WHERE game_date = ? AND player_lookup IN ("
            f"SELECT player_lookup FROM {pcf} WHERE game_date = ? ORDER BY 1 LIMIT ?)",
            [day, day, active[0] // 5],
        )
        left = eng.fetchone(f"SELECT count(*) FROM {pcf} WHERE game_date = ?", [day])[0]
    report = api.validate(warehouse=copy)
    found = [v for v in report.violations if v.model == pcf and v.check.startswith("spec 6.12")]
    assert [(v.check, v.dates, v.failing_rows, v.example) for v in found] == [
        (
            "spec 6.12: rows for 90% of the date's active players",
            1,
            active[0] - left,
            f"{day}: {left} of {active[0]}",
        )
    ]


def test_validate_names_a_table_an_older_model_built(broken: Path) -> None:
    """After an upgrade that changed a model's columns, its stored table cannot be checked:
    validate says so and how to rebuild it, instead of failing on a missing column; the
    rebuild makes it pass."""
    with DuckDBEngine(broken, create=False) as eng:
        eng.execute(f"ALTER TABLE {PSZA} DROP COLUMN data_hash")
        eng.execute(
            "UPDATE nba_reference.model_intervals SET model_fingerprint = 'older' WHERE model = ?",
            [PSZA],
        )
    report = api.validate(warehouse=broken, models=MODELS)
    found = [v for v in report.violations if v.model == PSZA]
    assert [(v.check, v.severity) for v in found] == [("table has the model's columns", "error")]
    assert found[0].example.endswith("nbapipe backfill --from-model player_shot_zone_analysis")
    api.backfill(warehouse=broken, models=[PSZA])
    assert not api.validate(warehouse=broken, models=MODELS).violations


def test_validate_names_a_model_that_reads_a_table_an_older_model_built(broken: Path) -> None:
    """Both the team offence and the player summary that reads it come from older model
    files, and the offence lost a column the summary reads: the summary's SQL cannot even be
    described, so validate reports both with the model to rebuild from, and does not fail."""
    togs = "nba_analytics.team_offense_game_summary"
    with DuckDBEngine(broken, create=False) as eng:
        eng.execute(f"ALTER TABLE {togs} DROP COLUMN team_minutes")
        eng.execute(
            "UPDATE nba_reference.model_intervals SET model_fingerprint = 'older' "
            "WHERE model IN (?, ?)",
            [togs, PGS],
        )
    report = api.validate(warehouse=broken, models=MODELS)
    found = {v.model: v for v in report.violations if v.check == "table has the model's columns"}
    assert set(found) == {togs, PGS}
    assert found[PGS].example == (
        f"built by an earlier version of the model and reads {togs}, which is missing or "
        "outdated, so its checks were not run; rebuild it and what reads it: nbapipe backfill "
        "--from-model team_offense_game_summary"
    )
