"""ml_feature_store_v2: a per-player reference for the features built from Phase 3 and raw data,
the quality score from the spec, array = typed columns, gates, point in time, daily = backfill,
and the real 2024-25 season."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.reference import ml_feature_store_v2 as reference
from conftest import SHARED_DATA
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

MLFS = "nba_predictions.ml_feature_store_v2"
UPGC = "nba_analytics.upcoming_player_game_context"
PGS = "nba_analytics.player_game_summary"
TOGS = "nba_analytics.team_offense_game_summary"
PDC = "nba_precompute.player_daily_cache"
PCF = "nba_precompute.player_composite_factors"
TDZA = "nba_precompute.team_defense_zone_analysis"
PSZA = "nba_precompute.player_shot_zone_analysis"
FAILURES = "nba_processing.precompute_failures"
NBA_STATS = SHARED_DATA / "nba_stats"
REAL_FILES = [
    "schedule_2024_25.csv",
    "team_gamelogs_2024_25.csv",
    "player_gamelogs_2024_25.csv",
    "shots_2024_25.csv.zip",
]

NAMES = reference.NAMES


@dataclass
class Built:
    path: Path
    seconds: float  # MLFS time for the season


def _mlfs(summary) -> object:
    return {m.model: m for m in summary.models}[MLFS]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Built:
    path = tmp_path_factory.mktemp("mlfs") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    summary = api.backfill(warehouse=path)
    assert summary.ok, [(m.model, m.status) for m in summary.models]
    result = _mlfs(summary)
    assert result.failed_checks == [] and result.dates_computed > 150
    print(f"\nMLFS synthetic 2023-24: {result.seconds:.2f} s, {result.rows_written} rows")
    return Built(path, result.seconds)


# -- the reference (bench/reference/ml_feature_store_v2.py, written from spec 5.5) -----------


def _rows(eng: DuckDBEngine, sql: str, params=()) -> list[dict]:
    cur = eng.con.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _same(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def test_ml_feature_store_features_match_reference_on_sampled_rows(synthetic: Built) -> None:
    """Every 12th date: every row, every column (the 60 features, sources, quality, flags) and
    the failures equal the per-player reference."""
    with DuckDBEngine(synthetic.path, create=False) as eng:
        dates = [r[0] for r in eng.fetchall(f"SELECT DISTINCT game_date FROM {MLFS} ORDER BY 1")][
            ::12
        ]
        diffs, checked, cache_misses = [], 0, 0
        for day in dates:
            answer = reference.compute(eng.con, day)
            got = {
                r["player_lookup"]: r
                for r in _rows(eng, f"SELECT * FROM {MLFS} WHERE game_date = ?", [day])
            }
            failures = dict(
                eng.fetchall(
                    f"SELECT entity_id, failure_category FROM {FAILURES} "
                    "WHERE model = ? AND analysis_date = ?",
                    [MLFS, day],
                )
            )
            assert failures == answer.failures
            assert set(got) == {r["player_lookup"] for r in answer.rows}
            for want in answer.rows:
                row = got[want["player_lookup"]]
                cache_misses += want["feature_sources"][0] != "phase4"
                for col, value in want.items():
                    if not _same(row[col], value):
                        diffs.append((day, want["player_lookup"], col, row[col], value))
                checked += 1
    assert diffs[:10] == [] and len(diffs) == 0
    assert checked > 2000 and cache_misses > 0


def test_ml_feature_store_quality_score_follows_spec(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        rows = _rows(eng, f"SELECT * FROM {MLFS} USING SAMPLE 3000 ROWS (reservoir, 3)")
    tiers = defaultdict(int)
    for r in rows:
        want = reference.quality(r["feature_sources"])
        assert {k: r[k] for k in want} == want
        tiers[r["quality_tier"]] += 1
        assert r["has_vegas_line"] == (1.0 if r["vegas_line_source"] == "odds_api" else 0.0)
    assert tiers["gold"] > 1000 and tiers["poor"] + tiers["critical"] > 0


def test_ml_feature_store_array_equals_typed_columns_in_spec_order(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        cols = ", ".join(NAMES)
        rows = eng.fetchall(
            f"SELECT features, feature_names, feature_sources, feature_count, feature_version, "
            f"{cols} FROM {MLFS}"
        )
    assert len(rows) > 20000
    for features, names, sources, count, version, *typed in rows:
        assert names == NAMES and count == 60 and version == "v2_60features"
        assert features == typed and len(sources) == 60
        assert all((f is None) == (s == "missing") for f, s in zip(features, sources, strict=True))


def test_ml_feature_store_early_season_fails_every_player_with_reason(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        opener = eng.fetchone(
            "SELECT min(game_date) FROM nba_raw.schedule WHERE season_type = 'Regular Season'"
        )[0]
        cutoff = opener + dt.timedelta(days=14)
        table_rows = eng.fetchone(f"SELECT count(*) FROM {MLFS} WHERE game_date < ?", [cutoff])[0]
        context_rows = eng.fetchone(f"SELECT count(*) FROM {UPGC} WHERE game_date < ?", [cutoff])[0]
        fails = eng.fetchall(
            f"SELECT failure_category, failure_reason, can_retry FROM {FAILURES} "
            "WHERE model = ? AND analysis_date < ?",
            [MLFS, cutoff],
        )
        first_after = eng.fetchone(
            f"SELECT count(*) FROM {MLFS} WHERE game_date >= ? AND game_date < ? + 3",
            [cutoff, cutoff],
        )[0]
    assert table_rows == 0 and first_after > 100
    assert len(fails) == context_rows > 1000
    assert {(c, r) for c, _, r in fails} == {("EARLY_SEASON", False)}
    assert f"early season: day 3 of 14 after the {opener} opener" in {r for _, r, _ in fails}


def test_ml_feature_store_missing_data_for_players_without_recent_games(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        want = set(
            eng.fetchall(
                f"""
                SELECT u.game_date, u.player_lookup FROM {UPGC} u
                WHERE u.game_date IN (SELECT DISTINCT game_date FROM {MLFS})
                  AND NOT EXISTS (
                    SELECT 1 FROM {PGS} p WHERE p.player_lookup = u.player_lookup
                      AND p.is_active AND p.minutes_played > 0 AND p.game_date < u.game_date
                      AND p.game_date >= u.game_date - 60)
                """
            )
        )
        got = eng.fetchall(
            f"SELECT analysis_date, entity_id, can_retry FROM {FAILURES} "
            "WHERE model = ? AND failure_category = 'MISSING_DATA'",
            [MLFS],
        )
        leaked = eng.fetchone(f"SELECT count(*) FROM {MLFS} WHERE games_found = 0")[0]
    assert {(d, p) for d, p, _ in got} == want and len(want) > 0
    assert not any(r for _, _, r in got) and leaked == 0


def test_ml_feature_store_only_sees_data_before_the_date(synthetic: Built, tmp_path: Path) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(synthetic.path, copy)
    day = dt.date(2024, 1, 17)
    q = (
        f"SELECT * EXCLUDE (run_id, processed_at) FROM {MLFS} "
        "WHERE game_date BETWEEN ? AND ? ORDER BY ALL"
    )
    with DuckDBEngine(copy, create=False) as eng:
        before = eng.fetchall(q, [day - dt.timedelta(days=2), day])
        after_day = eng.fetchall(q, [day + dt.timedelta(days=1), day + dt.timedelta(days=3)])
        # A box score on the date changes; a game after it gets one more player line.
        eng.execute(
            "UPDATE nba_raw.player_boxscores SET points = points + 9, "
            "free_throws_made = free_throws_made + 9, "
            "free_throws_attempted = free_throws_attempted + 9 "
            "WHERE game_date = ? AND player_status = 'active'",
            [day],
        )
        eng.execute(
            "INSERT INTO nba_raw.player_boxscores SELECT * REPLACE ("
            "player_lookup || 'x' AS player_lookup, player_name || ' X' AS player_name) "
            "FROM nba_raw.player_boxscores WHERE game_date = ? AND player_status = 'active' "
            "LIMIT 1",
            [day + dt.timedelta(days=1)],
        )
    summary = api.backfill(day - dt.timedelta(days=2), day + dt.timedelta(days=3), warehouse=copy)
    assert summary.ok and _mlfs(summary).dates_computed >= 3
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchall(q, [day - dt.timedelta(days=2), day]) == before
        changed = eng.fetchall(q, [day + dt.timedelta(days=1), day + dt.timedelta(days=3)])
    assert len(before) > 300 and changed != after_day


def test_ml_feature_store_daily_run_equals_backfill(synthetic: Built, tmp_path: Path) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(synthetic.path, copy)
    q = f"SELECT * EXCLUDE (run_id, processed_at) FROM {MLFS} WHERE game_date = ? ORDER BY ALL"
    fq = (
        f"SELECT entity_id, failure_category, failure_reason, can_retry, expected_game_count, "
        f"actual_game_count FROM {FAILURES} WHERE model = '{MLFS}' AND analysis_date = ? "
        "ORDER BY ALL"
    )
    days = [dt.date(2023, 11, 2), dt.date(2024, 2, 7)]
    with DuckDBEngine(copy, create=False) as eng:
        before = {d: (eng.fetchall(q, [d]), eng.fetchall(fq, [d])) for d in days}
    for d in days:
        assert (
            _mlfs(api.run_daily(d, models=[MLFS], force=True, warehouse=copy)).dates_computed == 1
        )
    with DuckDBEngine(copy, create=False) as eng:
        after = {d: (eng.fetchall(q, [d]), eng.fetchall(fq, [d])) for d in days}
    assert after == before
    assert all(len(rows) + len(fails) > 100 for rows, fails in before.values())


def test_ml_feature_store_constant_feature_blocks_the_date(
    synthetic: Built, tmp_path: Path
) -> None:
    """The legacy's batch variance check (spec 5.5.3, 11.2): team_win_pct stuck at one value
    for every player of a date is an error, so the date's new rows are not written (its
    earlier rows stay) and the date says why. Here every team 'won' every game, so every team
    with 5 games is at 1.0."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(synthetic.path, copy)
    first, last = dt.date(2024, 1, 10), dt.date(2024, 1, 12)
    q = f"SELECT * FROM {MLFS} WHERE game_date BETWEEN ? AND ? ORDER BY ALL"
    with DuckDBEngine(copy, create=False) as eng:
        before = eng.fetchall(q, [first, last])
        eng.execute(f"UPDATE {TOGS} SET win_flag = TRUE")
    summary = api.backfill(first, last, models=[MLFS], force=True, warehouse=copy)
    result = _mlfs(summary)
    assert result.failures_by_category["CHECK_FAILED"] == 3 and result.dates_failed == 3
    assert any(
        f.startswith("varies(team_pace by team_abbr, team_off_rating by team_abbr, team_win_pct")
        for f in result.failed_checks
    )
    with DuckDBEngine(copy, create=False) as eng:
        after = eng.fetchall(q, [first, last])
        details = eng.fetchall(
            "SELECT check_date, detail FROM nba_processing.check_results "
            "WHERE model = ? AND NOT passed ORDER BY 1",
            [MLFS],
        )
        failures = eng.fetchall(
            f"SELECT analysis_date, failure_reason FROM {FAILURES} WHERE model = ? "
            "AND analysis_date BETWEEN ? AND ? AND failure_category = 'CHECK_FAILED' ORDER BY 1",
            [MLFS, first, last],
        )
    assert after == before and len(before) > 300
    assert [d for d, _ in details] == [first, first + dt.timedelta(days=1), last]
    assert all(detail.startswith("team_win_pct = 1.0 in all ") for _, detail in details)
    assert [d for d, _ in failures] == [d for d, _ in details]
    assert all("check_results" in reason for _, reason in failures)


def test_ml_feature_store_time_per_season(synthetic: Built) -> None:
    assert synthetic.seconds < 20


# -- the real 2024-25 season ------------------------------------------------------------------

# Features that may legitimately hold one value across a date of the real season: no playoff
# games in the regular season; the game logs have no prop lines (odds files cover 2025-26 only)
# so the line features are missing and has_vegas_line is 0.
CONSTANT_ON_REAL = {
    "playoff_game",
    "vegas_points_line",
    "vegas_opening_line",
    "vegas_line_move",
    "has_vegas_line",
    "multi_book_line_std",
    "prop_over_streak",
    "prop_under_streak",
    "line_vs_season_avg",
    "prop_line_delta",
    "over_rate_last_10",
    "margin_vs_line_avg_last_5",
    # no injury reports in the game logs: nobody is listed, so no risk and no absent teammates
    "injury_risk",
    "star_teammates_out",
    "teammate_usage_available",
    # no game lines either
    "game_total_line",
    "spread_magnitude",
    "implied_team_total",
}
# Features constant on some dates for a reason, with the most such dates seen (of 139):
# before ~Nov 20 no team has the games a team_defense_zone_analysis row needs, so the matchup
# features take their defaults; no back-to-back on some nights; breakouts are rare; the game
# logs list no DNP rows; in the first week after day 14 the last 10 games are the season.
SOMETIMES_CONSTANT = {
    "back_to_back": 45,
    "breakout_flag": 35,
    "dnp_rate": 20,
    "minutes_change": 10,
    "games_vs_opponent": 3,
    "opponent_def_rating": 15,
    "opponent_pace": 15,
    "shot_zone_mismatch_score": 15,
    "opponent_pace_mismatch": 15,
}
SANE = {
    "points_avg_last_5": (0, 60),
    "points_avg_last_10": (0, 60),
    "points_avg_season": (0, 45),
    "points_std_last_10": (0, 25),
    "games_in_last_7_days": (0, 5),
    "fatigue_score": (0, 100),
    "shot_zone_mismatch_score": (-10, 10),
    "pace_score": (-3, 3),
    "usage_spike_score": (-3, 3),
    "rest_advantage": (-2, 2),
    "injury_risk": (0, 3),
    "recent_trend": (-2, 2),
    "minutes_change": (-2, 2),
    "opponent_def_rating": (95, 130),
    "opponent_pace": (90, 112),
    "home_away": (0, 1),
    "back_to_back": (0, 1),
    "pct_paint": (0, 1),
    "pct_mid_range": (0, 1),
    "pct_three": (0, 1),
    "pct_free_throw": (0, 0.5),
    "team_pace": (90, 112),
    "team_off_rating": (88, 130),  # 2024-25 Charlotte: 93 over 10 games in March
    "team_win_pct": (0, 1),
    "avg_points_vs_opponent": (0, 70),
    "games_vs_opponent": (0, 5),
    "minutes_avg_last_10": (0, 48),
    "ppm_avg_last_10": (0, 3),
    "dnp_rate": (0, 1),
    "pts_slope_10g": (-10, 10),
    "pts_vs_season_zscore": (-3, 3),
    "breakout_flag": (0, 1),
    "days_rest": (0, 200),
    "minutes_load_last_7d": (0, 200),
    "points_avg_last_3": (0, 70),
    "scoring_trend_slope": (-20, 20),
    "deviation_from_avg_last3": (-6, 6),
    "consecutive_games_below_avg": (0, 30),
    "usage_rate_last_5": (0, 70),
    "games_since_structural_change": (0, 30),
    "blowout_minutes_risk": (0, 1),
    "minutes_volatility_last_10": (0, 25),
    "opponent_pace_mismatch": (-20, 20),
}


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Built:
    if not NBA_STATS.is_dir():
        pytest.skip("../shared/data not present: real-data tests need it beside the checkout")
    path = tmp_path_factory.mktemp("mlfs_real") / "w.duckdb"
    result = api.ingest_files("nba-stats", [NBA_STATS / f for f in REAL_FILES], warehouse=path)
    assert all(o.status == "loaded" for o in result.files)
    # The game logs have no pre-season, Cup final or playoff player rows: without those
    # schedule dates every date of the regular season is computed (see the PSZA tests).
    with DuckDBEngine(path, create=False) as eng:
        eng.execute("DELETE FROM nba_raw.schedule WHERE season_type <> 'Regular Season'")
    summary = api.backfill(warehouse=path)
    result = _mlfs(summary)
    print(f"\nMLFS real 2024-25: {result.seconds:.2f} s, {result.rows_written} rows")
    assert result.status == "success" and result.dates_computed > 150
    return Built(path, result.seconds)


def test_ml_feature_store_real_features_sane_and_vary_within_a_date(real: Built) -> None:
    with DuckDBEngine(real.path, create=False) as eng:
        bad = []
        for name, (lo, hi) in SANE.items():
            n = eng.fetchone(f"SELECT count(*) FROM {MLFS} WHERE {name} < {lo} OR {name} > {hi}")[0]
            if n:
                bad.append((name, n))
        assert bad == []
        stuck = eng.fetchall(
            f"""
            SELECT name, game_date FROM (
                SELECT game_date, unnest(feature_names) AS name,
                       unnest(features) AS value
                FROM {MLFS}
                WHERE game_date IN (SELECT game_date FROM {MLFS} GROUP BY 1 HAVING count(*) >= 50)
            )
            GROUP BY name, game_date HAVING count(DISTINCT value) <= 1
            """
        )
        days = eng.fetchone(
            f"SELECT count(*) FROM (SELECT game_date FROM {MLFS} GROUP BY 1 HAVING count(*) >= 50)"
        )[0]
        vegas = eng.fetchone(f"SELECT count(*) FROM {MLFS} WHERE has_vegas_line = 1")[0]
    stuck_names = defaultdict(int)
    for name, _ in stuck:
        stuck_names[name] += 1
    over = {
        n: c
        for n, c in stuck_names.items()
        if n not in CONSTANT_ON_REAL and c > SOMETIMES_CONSTANT.get(n, 0)
    }
    assert over == {}
    matchup_late = [
        d
        for n, d in stuck
        if n in ("opponent_pace", "opponent_def_rating") and d >= dt.date(2024, 11, 25)
    ]
    assert matchup_late == []
    assert days > 100 and vegas == 0
