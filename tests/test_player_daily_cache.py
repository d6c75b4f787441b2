"""player_daily_cache: per-player reference written from spec 5.4, gates, early season, point
in time, daily run = backfill, and the real 2024-25 season."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.reference import player_daily_cache as reference
from conftest import SHARED_DATA
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

PDC = "nba_precompute.player_daily_cache"
PGS = "nba_analytics.player_game_summary"
TOGS = "nba_analytics.team_offense_game_summary"
COMPLETENESS = "nba_analytics.player_completeness"
UTGC = "nba_analytics.upcoming_team_game_context"
UPGC = "nba_analytics.upcoming_player_game_context"
PSZA = "nba_precompute.player_shot_zone_analysis"
MODELS = [TOGS, PGS, COMPLETENESS, UTGC, UPGC, PSZA, PDC]
FAILURES = "nba_processing.precompute_failures"
NBA_STATS = SHARED_DATA / "nba_stats"
REAL_FILES = [
    "schedule_2024_25.csv",
    "team_gamelogs_2024_25.csv",
    "player_gamelogs_2024_25.csv",
    "shots_2024_25.csv.zip",
]
COPIED, WINDOWS = reference.COPIED, reference.WINDOWS
METRICS = [
    "universal_player_id",
    "team_abbr",
    "game_id",
    "in_upcoming_context",
    "points_avg_last_5",
    "points_avg_last_10",
    "points_avg_season",
    "points_std_last_10",
    "minutes_avg_last_10",
    "usage_rate_last_10",
    "ts_pct_last_10",
    "games_played_season",
    "player_usage_rate_season",
    "assisted_rate_last_10",
    "team_pace_last_10",
    "team_off_rating_last_10",
    *COPIED,
    "primary_scoring_zone",
    "paint_rate_last_10",
    "three_pt_rate_last_10",
    "shot_zone_data_available",
    *[f"{w}_{s}" for w in WINDOWS for s in ("completeness_pct", "is_complete")],
    "all_windows_complete",
    "expected_games",
    "actual_games",
    "missing_games",
    "completeness_percentage",
    "quality_tier",
    "cache_quality_score",
    "early_season_flag",
    "days_since_opener",
    "last_game_date",
    "days_since_last_game",
    "cache_version",
]
FAILURE_FIELDS = [
    "failure_category",
    "failure_reason",
    "can_retry",
    "expected_game_count",
    "actual_game_count",
]
CATEGORIES = {"EARLY_SEASON", "INSUFFICIENT_DATA", "STALE_DATA", "INCOMPLETE_DATA"}


@dataclass
class Built:
    path: Path
    seconds: float  # PDC backfill time for the season


def _build(path: Path) -> float:
    summary = api.backfill(warehouse=path, models=MODELS)
    result = {m.model: m for m in summary.models}[PDC]
    assert result.status == "success" and result.dates_computed > 100, result
    assert result.failed_checks == [] and result.failures_by_category.get("CHECK_FAILED") is None
    return result.seconds


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Built:
    path = tmp_path_factory.mktemp("pdc") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    seconds = _build(path)
    print(f"\nPDC synthetic 2023-24: {seconds:.2f} s")
    return Built(path, seconds)


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Built:
    """Real 2024-25 with only Regular Season games in the schedule: the game logs have no
    pre-season, NBA Cup final or playoff rows, whose holes would fail history models for the
    30 days after them (see test_player_shot_zone_analysis)."""
    if not NBA_STATS.is_dir():
        pytest.skip("../shared/data not present: real-data tests need it beside the checkout")
    path = tmp_path_factory.mktemp("pdc_real") / "w.duckdb"
    result = api.ingest_files("nba-stats", [NBA_STATS / f for f in REAL_FILES], warehouse=path)
    assert all(o.status == "loaded" for o in result.files)
    with DuckDBEngine(path, create=False) as eng:
        eng.execute("DELETE FROM nba_raw.schedule WHERE season_type <> 'Regular Season'")
    seconds = _build(path)
    print(f"\nPDC real 2024-25: {seconds:.2f} s")
    return Built(path, seconds)


# -- the reference (bench/reference/player_daily_cache.py, written from spec 5.4) ------------


def stored(eng: DuckDBEngine, day: dt.date) -> dict[str, dict]:
    """What the warehouse holds for ``day``: table rows and failure rows by player."""
    out = {}
    for values in eng.fetchall(
        f"SELECT player_lookup, {', '.join(METRICS)} FROM {PDC} WHERE cache_date = ?", [day]
    ):
        out[values[0]] = dict(zip(METRICS, values[1:], strict=True)) | dict.fromkeys(FAILURE_FIELDS)
    for values in eng.fetchall(
        f"SELECT entity_id, {', '.join(FAILURE_FIELDS)} FROM {FAILURES} "
        "WHERE model = ? AND analysis_date = ?",
        [PDC, day],
    ):
        assert values[0] not in out, f"{values[0]} has a row and a failure on {day}"
        out[values[0]] = dict(zip(FAILURE_FIELDS, values[1:], strict=True))
    return out


def compare(got: dict[str, dict], want: dict[str, dict]) -> list:
    """Differences between stored and reference (metrics only for table rows)."""
    assert set(got) == set(want), sorted(set(got) ^ set(want))[:10]
    diffs = []
    for player, w in want.items():
        g = got[player]
        fields = METRICS + FAILURE_FIELDS if w["failure_category"] is None else FAILURE_FIELDS
        for f in fields:
            a, b = g[f], w[f]
            if isinstance(a, float) and isinstance(b, (int, float)):
                same = abs(a - b) <= 1e-9 * max(1.0, abs(b))
            else:
                same = a == b
            if not same:
                diffs.append((player, f, a, b))
    return diffs


def check_dates(eng: DuckDBEngine, days: list[dt.date]) -> tuple[list, dict]:
    diffs, outcomes = [], defaultdict(int)
    for day in days:
        want = reference.detailed(eng.con, day)
        diffs += compare(stored(eng, day), want)[:5]
        for w in want.values():
            outcomes[w["failure_category"] or "row"] += 1
            if w["failure_category"] is None and not w["in_upcoming_context"]:
                outcomes["expansion row"] += 1
    return diffs, outcomes


def sample_dates(eng: DuckDBEngine, n_random: int, seed: int) -> list[dt.date]:
    """Fixed points of the season (early, the 30-day boundary, April), random dates, and the
    dates where the model recorded the rarer gates (the reference must agree there too)."""
    all_dates = [
        d for (d,) in eng.fetchall("SELECT DISTINCT game_date FROM nba_raw.schedule ORDER BY 1")
    ]
    opener = all_dates[0]
    dates = []
    for offset in (0, 5, 13, 14, 20, 29, 30, 45):
        dates.append(next(d for d in all_dates if (d - opener).days >= offset))
    dates += random.Random(seed).sample(all_dates, n_random)
    dates.append(next(d for d in all_dates if d.month == 4))
    for category in ("STALE_DATA", "INCOMPLETE_DATA"):
        dates += [
            d
            for (d,) in eng.fetchall(
                f"SELECT DISTINCT analysis_date FROM {FAILURES} WHERE model = ? "
                "AND failure_category = ? ORDER BY 1 LIMIT 2",
                [PDC, category],
            )
        ]
    return sorted(set(dates))


# -- synthetic season ---------------------------------------------------------------------


def test_player_daily_cache_matches_reference_on_sampled_dates(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        days = sample_dates(eng, 6, seed=5)
        diffs, outcomes = check_dates(eng, days)
    assert diffs == []
    assert len(days) >= 10 and sum(v for k, v in outcomes.items() if k != "expansion row") >= 2000
    # every path was exercised: rows (also of roster-expansion players) and every gate
    assert {"row", "expansion row"} | CATEGORIES <= set(outcomes), outcomes


def test_player_daily_cache_gates_have_their_retry_flag_and_reason(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        by_category = {
            cat: (n, retry, reason)
            for cat, n, retry, reason in eng.fetchall(
                f"SELECT failure_category, count(*), bool_or(can_retry) AND bool_and(can_retry), "
                f"min(failure_reason) FROM {FAILURES} WHERE model = ? GROUP BY 1",
                [PDC],
            )
        }
        relaxed = eng.fetchone(
            f"""SELECT count(*) FROM {FAILURES} AS f
                JOIN (SELECT min(game_date) AS opener FROM nba_raw.schedule
                      WHERE season_type = 'Regular Season') AS o ON TRUE
                WHERE f.model = ? AND f.failure_category = 'INCOMPLETE_DATA'
                  AND (month(f.analysis_date) IN (10, 11, 4)
                       OR f.analysis_date - o.opener < 30)""",
            [PDC],
        )[0]
        incomplete_rows = eng.fetchone(
            f"SELECT count(*) FROM {PDC} WHERE NOT all_windows_complete "
            "AND month(cache_date) NOT IN (10, 11, 4) AND days_since_opener >= 30"
        )[0]
    assert set(by_category) == CATEGORIES, by_category
    retry = {cat: v[1] for cat, v in by_category.items()}
    assert retry == {
        "EARLY_SEASON": False,
        "INSUFFICIENT_DATA": True,
        "STALE_DATA": False,
        "INCOMPLETE_DATA": True,
    }
    assert by_category["INSUFFICIENT_DATA"][2].endswith("games played this season, 3 needed")
    assert by_category["STALE_DATA"][2].startswith("latest game played ")
    assert by_category["INCOMPLETE_DATA"][2].startswith("completeness below 70%: L5 ")
    # the completeness gate is relaxed in Oct, Nov, Apr and the first 30 days only: no
    # INCOMPLETE_DATA failure falls in those periods, no incomplete row outside them
    assert relaxed == 0 and incomplete_rows == 0


def test_player_daily_cache_early_season_fails_every_player_with_reason(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        opener = eng.fetchone(
            "SELECT min(game_date) FROM nba_raw.schedule WHERE season_type = 'Regular Season'"
        )[0]
        rows_early = eng.fetchone(f"SELECT count(*) FROM {PDC} WHERE days_since_opener < 14")[0]
        early = eng.fetchall(
            f"SELECT analysis_date, count(*), count(*) FILTER (WHERE can_retry), "
            f"min(failure_reason), max(failure_reason) FROM {FAILURES} WHERE model = ? "
            "AND failure_category = 'EARLY_SEASON' GROUP BY 1 ORDER BY 1",
            [PDC],
        )
        context = dict(
            eng.fetchall(
                f"SELECT game_date, count(*) FROM {UPGC} WHERE game_date < ? GROUP BY 1",
                [opener + dt.timedelta(days=14)],
            )
        )
        first_rows = eng.fetchone(f"SELECT min(cache_date) FROM {PDC}")[0]
    assert rows_early == 0
    assert [d for d, *_ in early] == sorted(context)  # every early date, nothing later
    assert (first_rows - opener).days >= 14
    for day, n, retry, lo, hi in early:
        assert n >= context[day] and retry == 0
        assert (
            lo == hi == f"early season: day {(day - opener).days} of 14 after the {opener} opener"
        )


def test_player_daily_cache_only_sees_games_before_the_date(
    synthetic: Built, tmp_path: Path
) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(synthetic.path, copy)
    day = dt.date(2024, 1, 17)
    rows_q = f"SELECT * EXCLUDE (run_id, processed_at) FROM {PDC} WHERE cache_date = ? ORDER BY ALL"
    fail_q = (
        f"SELECT entity_id, failure_category, failure_reason, can_retry, expected_game_count, "
        f"actual_game_count FROM {FAILURES} WHERE model = '{PDC}' AND analysis_date = ? "
        "ORDER BY ALL"
    )
    with DuckDBEngine(copy, create=False) as eng:
        later = eng.fetchone(
            "SELECT min(game_date) FROM nba_raw.schedule WHERE game_date > ?", [day]
        )[0]
        before = {d: (eng.fetchall(rows_q, [d]), eng.fetchall(fail_q, [d])) for d in (day, later)}
        pgs_before = eng.fetchall(
            f"SELECT points FROM {PGS} WHERE game_date = ? ORDER BY ALL", [day]
        )
        # The date's own box scores change (every player who played scores 3 more free-throw
        # points in a minute more) and a new player appears in a box score after it.
        eng.execute(
            "UPDATE nba_raw.player_boxscores SET points = points + 3, "
            "free_throws_made = free_throws_made + 3, "
            "free_throws_attempted = free_throws_attempted + 3, minutes = minutes + 1 "
            "WHERE game_date >= ? AND player_status = 'active' AND minutes > 0",
            [day],
        )
        eng.execute(
            "INSERT INTO nba_raw.player_boxscores SELECT * REPLACE ("
            "'zz_newcomer' AS player_lookup, 'Zz Newcomer' AS player_name, "
            "NULL AS nba_player_id, NULL AS universal_player_id) "
            "FROM nba_raw.player_boxscores WHERE game_date = ? AND player_status = 'active' "
            "ORDER BY ALL LIMIT 1",
            [later],
        )
    summary = api.backfill(day, later, warehouse=copy, models=MODELS, force=True)
    assert {m.model: m.status for m in summary.models}[PDC] == "success"
    with DuckDBEngine(copy, create=False) as eng:
        after = {d: (eng.fetchall(rows_q, [d]), eng.fetchall(fail_q, [d])) for d in (day, later)}
        pgs_after = eng.fetchall(
            f"SELECT points FROM {PGS} WHERE game_date = ? ORDER BY ALL", [day]
        )
    assert pgs_after != pgs_before  # the change reached player_game_summary ...
    assert after[later] != before[later]  # ... and the next date's cache
    assert after[day] == before[day]  # but not the date's own cache
    assert len(before[day][0]) > 100


def test_player_daily_cache_daily_run_equals_backfill(synthetic: Built, tmp_path: Path) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(synthetic.path, copy)
    rows_q = f"SELECT * EXCLUDE (run_id, processed_at) FROM {PDC} WHERE cache_date = ? ORDER BY ALL"
    fail_q = (
        f"SELECT entity_id, failure_category, failure_reason, can_retry, expected_game_count, "
        f"actual_game_count FROM {FAILURES} WHERE model = '{PDC}' AND analysis_date = ? "
        "ORDER BY ALL"
    )
    days = [dt.date(2023, 10, 27), dt.date(2023, 11, 30), dt.date(2024, 2, 6)]
    with DuckDBEngine(copy, create=False) as eng:
        days.append(eng.fetchone("SELECT max(game_date) FROM nba_raw.schedule")[0])
        before = {d: (eng.fetchall(rows_q, [d]), eng.fetchall(fail_q, [d])) for d in days}
    for d in days:
        summary = api.run_daily(d, models=[PDC], force=True, warehouse=copy)
        assert summary.models[0].dates_computed == 1
    with DuckDBEngine(copy, create=False) as eng:
        after = {d: (eng.fetchall(rows_q, [d]), eng.fetchall(fail_q, [d])) for d in days}
    assert after == before
    assert all(len(rows) > 0 for rows, _ in list(before.values())[1:])


def test_player_daily_cache_time_per_season(synthetic: Built) -> None:
    assert synthetic.seconds < 15


# -- the real 2024-25 season ------------------------------------------------------------------


def test_player_daily_cache_real_values_are_in_basketball_ranges(real: Built) -> None:
    with DuckDBEngine(real.path, create=False) as eng:
        (rows, pts_lo, pts_hi, pts_avg, pace_lo, pace_hi, ortg_lo, ortg_hi, ts, usage, minutes,
         std, assisted, zones, expansion) = eng.fetchone(
            f"""SELECT count(*), min(points_avg_season), max(points_avg_season),
                       avg(points_avg_season), min(team_pace_last_10), max(team_pace_last_10),
                       min(team_off_rating_last_10), max(team_off_rating_last_10),
                       avg(ts_pct_last_10), avg(usage_rate_last_10), max(minutes_avg_last_10),
                       avg(points_std_last_10), count(assisted_rate_last_10),
                       avg(CASE WHEN shot_zone_data_available THEN 1.0 ELSE 0 END),
                       count(*) FILTER (WHERE NOT in_upcoming_context)
                FROM {PDC}"""
        )  # fmt: skip
        failures = dict(
            eng.fetchall(
                f"SELECT failure_category, count(*) FROM {FAILURES} WHERE model = ? GROUP BY 1",
                [PDC],
            )
        )
        sga = eng.fetchone(
            f"SELECT points_avg_season, games_played_season FROM {PDC} "
            "WHERE player_lookup = 'shaigilgeousalexander' ORDER BY cache_date DESC LIMIT 1"
        )
    print(
        f"\nPDC real 2024-25: {rows} rows, failures {failures}; points_avg_season "
        f"{pts_lo:.1f}-{pts_hi:.1f} (mean {pts_avg:.2f}); team pace {pace_lo:.1f}-{pace_hi:.1f}; "
        f"off rating {ortg_lo:.1f}-{ortg_hi:.1f}; mean TS {ts:.3f}, usage {usage:.1f}%, "
        f"points std {std:.2f}; max minutes {minutes:.1f}; zones on {100 * zones:.1f}% of rows; "
        f"{expansion} roster-expansion rows; SGA {sga}"
    )
    assert rows > 15000
    assert pts_lo >= 0 and pts_hi <= 40 and 8 <= pts_avg <= 15
    assert pace_lo >= 90 and pace_hi <= 115
    assert ortg_lo >= 90 and ortg_hi <= 135
    assert 0.53 <= ts <= 0.60 and 17 <= usage <= 22 and minutes <= 48
    assert 4 <= std <= 7
    # shot-chart play-by-play names no assisters: no assisted rate rather than a wrong one
    assert assisted == 0
    assert zones > 0.8 and expansion > 0
    # Shai Gilgeous-Alexander, 2024-25 scoring leader: 2,484 points in 76 games (32.7)
    assert sga[1] == 76 and abs(sga[0] - 2484 / 76) < 1e-9
    assert set(failures) == CATEGORIES


def test_player_daily_cache_real_matches_reference_on_box_scores(real: Built) -> None:
    with DuckDBEngine(real.path, create=False) as eng:
        days = [dt.date(2024, 11, 20), dt.date(2025, 1, 22), dt.date(2025, 3, 3)]
        diffs, outcomes = check_dates(eng, days)
    assert diffs == [] and sum(outcomes[k] for k in ("row", *CATEGORIES)) > 500
    assert {"row", "INCOMPLETE_DATA", "INSUFFICIENT_DATA"} <= set(outcomes), outcomes
