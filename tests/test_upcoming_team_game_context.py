"""upcoming_team_game_context: per-row Python reference, point-in-time, future dates, real data."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
import shutil
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest

from bench.reference.base import rows as ref_rows
from bench.reference.upcoming_team_game_context import REFERENCE, haversine_miles
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from reference_support import mess_up_game_lines_and_reports

MODEL = "nba_analytics.upcoming_team_game_context"
TOGS = "nba_analytics.team_offense_game_summary"
ROWS = f"SELECT * EXCLUDE (run_id, processed_at) FROM {MODEL} WHERE game_date = ? ORDER BY ALL"


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    """A synthetic season whose lines and injury reports are made messier than the simulator's:
    books captured at different times, some closing captures missing, in-game snapshots and
    post-tip-off injury reports that must be ignored, statuses in mixed case."""
    path = tmp_path_factory.mktemp("utgc") / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=3, warehouse=path)
    with DuckDBEngine(path, create=False) as eng:
        mess_up_game_lines_and_reports(eng)
    api.backfill(warehouse=path, models=[TOGS, MODEL])
    return path


# -- the per-row reference ---------------------------------------------------------------------


def arenas(eng: DuckDBEngine) -> dict[str, tuple[float, float]]:
    rows = eng.fetchall(
        "SELECT team_abbr, arena_latitude, arena_longitude FROM nba_reference.teams"
    )
    return {t: (lat, lon) for t, lat, lon in rows}


def team_schedules(eng: DuckDBEngine) -> dict[str, list[dict]]:
    """Each team's games in date order, from the raw schedule."""
    games: dict[str, list[dict]] = defaultdict(list)
    for gid, day, home, away, status, hs, as_, start in eng.fetchall(
        "SELECT game_id, game_date, home_team_abbr, away_team_abbr, game_status, "
        "home_team_score, away_team_score, game_start_time FROM nba_raw.schedule"
    ):
        final = status == 3 and hs is not None and as_ is not None
        for team, opp, is_home in ((home, away, True), (away, home, False)):
            margin = None
            if final:
                margin = (hs - as_) if is_home else (as_ - hs)
            games[team].append(
                {
                    "game_id": gid,
                    "date": day,
                    "opp": opp,
                    "home": is_home,
                    "arena": home,
                    "margin": margin,
                    "start": start,
                }
            )
    for g in games.values():
        g.sort(key=lambda x: x["date"])
    return games


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return a == b


def test_upcoming_team_game_context_matches_per_row_reference(season: Path) -> None:
    """Every row and column on 20 random dates equals the reference's
    (bench/reference/upcoming_team_game_context.py)."""
    con = duckdb.connect(str(season), read_only=True)
    try:
        days = [
            d
            for (d,) in con.execute(f"SELECT DISTINCT game_date FROM {MODEL} ORDER BY 1").fetchall()
        ]
        mismatches, compared = [], []
        for day in sorted(random.Random(4).sample(days, 20)):
            want = {r["team_abbr"]: r for r in REFERENCE.compute(con, day).rows}
            got = {
                r["team_abbr"]: r
                for r in ref_rows(
                    con,
                    f"SELECT * EXCLUDE (run_id, processed_at) FROM {MODEL} WHERE game_date = ?",
                    [day],
                )
            }
            assert set(got) == set(want), day
            for team, g in got.items():
                mismatches += [
                    (day, team, c, g[c], want[team][c]) for c in g if not same(g[c], want[team][c])
                ]
            compared += got.values()
    finally:
        con.close()
    covered = (
        sum(r["is_back_to_back"] for r in compared),
        sum(r["win_streak_entering"] >= 3 for r in compared),
        sum((r["spread_movement"] or 0) != 0 for r in compared),
        sum(r["players_out"] > 0 for r in compared),
    )
    assert min(covered) >= 5, covered  # the sample exercises each feature
    assert mismatches[:10] == []


def test_upcoming_team_game_context_every_scheduled_game_has_two_rows(season: Path) -> None:
    with DuckDBEngine(season, create=False) as eng:
        games = eng.fetchone("SELECT count(*) FROM nba_raw.schedule")[0]
        rows, distinct_games, bad_pairs = eng.fetchone(
            f"SELECT count(*), count(DISTINCT u.game_id), "
            f"count(*) FILTER (WHERE o.team_abbr IS NULL OR o.home_game = u.home_game) "
            f"FROM {MODEL} u LEFT JOIN {MODEL} o ON o.game_id = u.game_id "
            f"AND o.team_abbr = u.opponent_team_abbr AND o.opponent_team_abbr = u.team_abbr"
        )
        missing = eng.fetchone(
            f"SELECT count(*) FROM nba_raw.schedule s WHERE NOT EXISTS (SELECT 1 FROM {MODEL} u "
            "WHERE u.game_id = s.game_id AND u.team_abbr = s.home_team_abbr AND u.home_game)"
        )[0]
    assert games == 1230
    assert (rows, distinct_games, bad_pairs, missing) == (2 * games, games, 0, 0)


def test_upcoming_team_game_context_days_rest_back_to_back_is_zero(season: Path) -> None:
    with DuckDBEngine(season, create=False) as eng:
        schedules = team_schedules(eng)
        b2b_model = dict(
            eng.fetchall(
                f"SELECT team_abbr, count(*) FILTER (WHERE is_back_to_back) FROM {MODEL} GROUP BY 1"
            )
        )
        bad = eng.fetchone(
            f"SELECT count(*) FILTER (WHERE is_back_to_back <> coalesce(days_rest = 0, FALSE) "
            "OR is_back_to_back <> coalesce(days_since_last_game = 1, FALSE) "
            "OR (days_rest IS NULL) <> is_first_game_of_season "
            "OR is_first_game_of_season <> (game_number = 1) "
            "OR (is_first_game_of_season AND (travel_miles <> 0 OR win_pct_entering IS NOT NULL))"
            f"), count(*) FILTER (WHERE is_first_game_of_season) FROM {MODEL}"
        )
    # back-to-backs straight from the schedule: consecutive calendar days
    b2b_schedule = {
        t: sum((b["date"] - a["date"]).days == 1 for a, b in itertools.pairwise(g))
        for t, g in schedules.items()
    }
    assert b2b_model == b2b_schedule
    assert 12 <= statistics.mean(b2b_schedule.values()) <= 16
    assert all(8 <= n <= 20 for n in b2b_schedule.values())
    assert bad == (0, 30)


# -- point in time -----------------------------------------------------------------------------


def hold_back_results(eng: DuckDBEngine, day: dt.date) -> None:
    """Make every game on and after ``day`` look unplayed: no scores, no box scores."""
    eng.execute(
        "UPDATE nba_raw.schedule SET game_status = 1, home_team_score = NULL, "
        "away_team_score = NULL, winning_team_abbr = NULL, periods = NULL WHERE game_date >= ?",
        [day],
    )
    raw = ("nba_raw.team_boxscores", "nba_raw.player_boxscores", "nba_raw.play_by_play")
    for table in (*raw, TOGS):
        eng.execute(f"DELETE FROM {table} WHERE game_date >= ?", [day])


def test_upcoming_team_game_context_uses_only_information_before_the_date(
    season: Path, tmp_path: Path
) -> None:
    """Results on and after D removed, D's rows recomputed: unchanged. (The fixture already
    holds in-game line snapshots and post-tip-off injury reports, which must not count.)"""
    copy = tmp_path / "w.duckdb"
    shutil.copy(season, copy)
    day = dt.date(2025, 1, 20)
    with DuckDBEngine(copy, create=False) as eng:
        before = eng.fetchall(ROWS, [day])
        hold_back_results(eng, day)
        # later lines and reports for D's games: none is before tip-off
        eng.execute(
            "UPDATE nba_raw.game_lines SET outcome_point = outcome_point + 3 "
            "WHERE game_date = ? AND minutes_before_tipoff <= 0",
            [day],
        )
    summary = api.backfill(day, day, warehouse=copy, models=[MODEL], force=True)
    assert summary.models[0].dates_computed == 1 and summary.ok
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchall(ROWS, [day]) == before
    assert len(before) >= 10


def test_upcoming_team_game_context_future_date_has_lines_and_injuries(
    season: Path, tmp_path: Path
) -> None:
    """The season's last day held back as not yet played: its rows are still produced, with
    lines and injuries, and equal what was computed once the results were in."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(season, copy)
    with DuckDBEngine(copy, create=False) as eng:
        last = eng.fetchone("SELECT max(game_date) FROM nba_raw.schedule")[0]
        before = eng.fetchall(ROWS, [last])
        hold_back_results(eng, last)
    summary = api.backfill(last, last, warehouse=copy, models=[TOGS, MODEL], force=True)
    assert summary.ok, summary
    with DuckDBEngine(copy, create=False) as eng:
        games = eng.fetchone(
            "SELECT count(*) FROM nba_raw.schedule WHERE game_date = ? AND game_status = 1", [last]
        )[0]
        n, spreads, totals, injured, numbered = eng.fetchone(
            f"SELECT count(*), count(current_spread), count(current_total), "
            f"sum(players_out + players_doubtful + players_questionable + players_probable), "
            f"count(*) FILTER (WHERE game_number > 70 AND days_rest IS NOT NULL) "
            f"FROM {MODEL} WHERE game_date = ?",
            [last],
        )
        assert eng.fetchall(ROWS, [last]) == before
    assert games >= 5 and n == 2 * games == spreads == totals == numbered
    assert injured > 0


def test_upcoming_team_game_context_results_fall_back_to_box_scores(
    season: Path, tmp_path: Path
) -> None:
    """A schedule without final scores: form comes from team_offense_game_summary."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(season, copy)
    day = dt.date(2025, 2, 3)
    with DuckDBEngine(copy, create=False) as eng:
        before = eng.fetchall(ROWS, [day])
        eng.execute(
            "UPDATE nba_raw.schedule SET home_team_score = NULL, away_team_score = NULL "
            "WHERE game_date < ?",
            [day],
        )
    api.backfill(day, day, warehouse=copy, models=[MODEL], force=True)
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchall(ROWS, [day]) == before
        eng.execute(f"DELETE FROM {TOGS} WHERE game_date < ?", [day])
    api.backfill(day, day, warehouse=copy, models=[MODEL], force=True)
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchone(
            f"SELECT max(wins_entering + losses_entering), count(last_game_result) FROM {MODEL} "
            "WHERE game_date = ?",
            [day],
        ) == (0, 0)


# -- real data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_season(shared_data: Path, tmp_path_factory) -> tuple[Path, Path]:
    path = tmp_path_factory.mktemp("utgc_real") / "w.duckdb"
    csv_path = shared_data / "nba_stats" / "schedule_2024_25.csv"
    api.ingest_files("nba-stats", [csv_path], warehouse=path)
    summary = api.backfill(warehouse=path, models=[MODEL])
    assert summary.ok and summary.models[0].rows_written == 2460
    return path, csv_path


def test_upcoming_team_game_context_real_schedule_rest_and_travel(real_season) -> None:
    """NBA 2024-25: all 1,230 games, back-to-backs per team counted straight from the CSV,
    travel miles equal to a Python haversine for every row, coast-to-coast trips ~2,500+ mi."""
    path, csv_path = real_season
    dates: dict[str, set[dt.date]] = defaultdict(set)
    with csv_path.open(newline="") as f:
        for r in csv.DictReader(f):
            # one row per game, from either side: "AWY @ HOM" or "HOM vs. AWY"
            m = r["MATCHUP"]
            away, home = m.split(" @ ") if " @ " in m else m.split(" vs. ")[::-1]
            day = dt.date.fromisoformat(r["GAME_DATE"][:10])
            dates[away].add(day)
            dates[home].add(day)
    b2b_csv = {t: sum(d - dt.timedelta(days=1) in ds for d in ds) for t, ds in dates.items()}
    with DuckDBEngine(path, create=False) as eng:
        coords = arenas(eng)
        rows = eng.fetchall(
            f"SELECT game_id, team_abbr, home_game, is_back_to_back, "
            f"previous_game_arena_team_abbr, opponent_team_abbr, travel_miles, game_number, "
            f"wins_entering + losses_entering "
            f"FROM {MODEL}"
        )
    assert len(rows) == 2460 and len({r[0] for r in rows}) == 1230
    b2b_model = Counter(r[1] for r in rows if r[3])
    assert b2b_model == b2b_csv
    assert min(b2b_csv.values()) >= 13 and max(b2b_csv.values()) <= 17
    assert sum(b2b_csv.values()) == 450
    for _, team, home, _, prev_arena, opp, miles, number, played in rows:
        arena = team if home else opp
        want = 0.0 if prev_arena is None else haversine_miles(coords[prev_arena], coords[arena])
        assert abs(miles - want) < 0.06, (team, number)
        assert played == number - 1
    by_trip = {(r[4], r[1] if r[2] else r[5]): r[6] for r in rows if r[4]}
    # Miami to Portland, Boston to the Bay Area: the long hauls of the season
    assert 2650 < max(by_trip.values()) < 2750
    coast_to_coast = [
        m for (a, b), m in by_trip.items() if a in ("BOS", "NYK", "MIA") and b in ("LAL", "GSW")
    ]
    assert coast_to_coast and all(2300 < m < 2750 for m in coast_to_coast)


def test_upcoming_team_game_context_real_odds_snapshot_after_tipoff_is_ignored(
    shared_data: Path, tmp_path: Path
) -> None:
    """The recorded Odds API game-lines response (ATL at GSW, 2024-01-24 ET) was captured 35
    minutes after tip-off: no line may come from it. Its commence time supplies the tip-off the
    schedule row lacks. The same snapshot moved two hours earlier is used: medians of 2 books."""
    path = tmp_path / "w.duckdb"
    api.init(path)
    with DuckDBEngine(path, create=False) as eng:
        eng.execute(
            "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
            "away_team_abbr, game_status, source) VALUES ('0022300640', DATE '2024-01-24', 2023, "
            "'GSW', 'ATL', 1, 'test')"
        )
    sample = shared_data / "legacy_samples" / "oddsa_game_lines_his" / "raw_b722994c.json"
    api.ingest_files("odds-api", [sample], warehouse=path)
    query = (
        f"SELECT team_abbr, game_start_time, spread_book_count, current_spread, opening_total, "
        f"current_total, total_book_count FROM {MODEL} ORDER BY team_abbr"
    )
    api.backfill("2024-01-24", "2024-01-24", warehouse=path, models=[MODEL])
    tip = dt.datetime(2024, 1, 25, 3, 20, 30)
    with DuckDBEngine(path, create=False) as eng:
        assert eng.fetchall(query) == [
            ("ATL", tip, 0, None, None, None, 0),
            ("GSW", tip, 0, None, None, None, 0),
        ]
        eng.execute(
            "INSERT INTO nba_raw.game_lines SELECT * REPLACE (snapshot_timestamp - INTERVAL 2 "
            "HOUR AS snapshot_timestamp, minutes_before_tipoff + 120 AS minutes_before_tipoff) "
            "FROM nba_raw.game_lines"
        )
    api.backfill("2024-01-24", "2024-01-24", warehouse=path, models=[MODEL])
    with DuckDBEngine(path, create=False) as eng:
        # DraftKings ATL +6.5 / total 248.5, FanDuel ATL +7.5 / total 247.5
        assert eng.fetchall(query) == [
            ("ATL", tip, 2, 7.0, 248.0, 248.0, 2),
            ("GSW", tip, 2, -7.0, 248.0, 248.0, 2),
        ]


def test_upcoming_team_game_context_quality_counts_games_without_box_scores(
    season: Path, tmp_path: Path
) -> None:
    """Spec 4.5 quality (6.3 completeness on the schedule): a final game whose box score is
    missing makes the next 7 and 14 days of that team incomplete; two of three missing makes
    the 7-day window fall under 70%, so the row is not production-ready. The per-row
    reference gives the same rows."""
    from bench.proof import compare_warehouse

    copy = tmp_path / "w.duckdb"
    shutil.copy(season, copy)
    with DuckDBEngine(copy, create=False) as eng:
        team = "BOS"
        games = eng.fetchall(
            f"SELECT game_date FROM {MODEL} WHERE team_abbr = ? AND game_date >= DATE '2025-01-06' "
            "ORDER BY 1 LIMIT 4",
            [team],
        )
        gone = [g for (g,) in games[:2]]
        eng.execute(
            f"DELETE FROM {TOGS} WHERE team_abbr = ? AND game_date IN (?, ?)", [team, *gone]
        )
    day = games[3][0]
    api.run_daily(day, models=[MODEL], force=True, warehouse=copy)
    with DuckDBEngine(copy, create=False) as eng:
        row = eng.fetchone(
            f"SELECT l7d_expected_games, l7d_actual_games, l14d_expected_games, "
            "l14d_actual_games, data_quality_tier, quality_score, data_quality_issues, "
            f"is_production_ready FROM {MODEL} WHERE team_abbr = ? AND game_date = ?",
            [team, day],
        )
    # 1 of 3 games in 7 days (33.3%: poor), 4 of 6 in 14 days; January: no other issue
    assert row == (3, 1, 6, 4, "poor", 25, "l7d_incomplete,l14d_incomplete", False)
    results = compare_warehouse(copy, days=[day], tables=[MODEL])
    assert [str(m) for r in results.values() for m in r.mismatches] == []


def test_upcoming_team_game_context_data_hash_is_stable_and_follows_one_value(
    season: Path, tmp_path: Path
) -> None:
    """The date recomputed: the same hashes. Every book's spread for one team half a point
    higher: that team's opening and current spread move by 0.5 and its hash changes; no other
    row's hash does."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(season, copy)
    day = dt.date(2025, 1, 20)
    q = (
        f"SELECT team_abbr, opening_spread, current_spread, data_hash FROM {MODEL} "
        "WHERE game_date = ? ORDER BY 1"
    )
    with DuckDBEngine(copy, create=False) as eng:
        before = eng.fetchall(q, [day])
        game_id, team = eng.fetchone(
            f"SELECT game_id, team_abbr FROM {MODEL} WHERE game_date = ? "
            "AND opening_spread IS NOT NULL AND current_spread IS NOT NULL ORDER BY 2 LIMIT 1",
            [day],
        )
    assert api.backfill(day, day, warehouse=copy, models=[MODEL], force=True).ok
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchall(q, [day]) == before
        eng.execute(
            "UPDATE nba_raw.game_lines SET outcome_point = outcome_point + 0.5 "
            "WHERE game_id = ? AND market_key = 'spreads' AND outcome_name = ?",
            [game_id, team],
        )
    assert api.backfill(day, day, warehouse=copy, models=[MODEL], force=True).ok
    with DuckDBEngine(copy, create=False) as eng:
        after = eng.fetchall(q, [day])
    assert [r[0] for r in after] == [r[0] for r in before] and len(before) >= 10
    changed = {b[0]: (b, a) for b, a in zip(before, after, strict=True) if b[3] != a[3]}
    assert list(changed) == [team]
    b, a = changed[team]
    assert (a[1] - b[1], a[2] - b[2]) == (0.5, 0.5)
