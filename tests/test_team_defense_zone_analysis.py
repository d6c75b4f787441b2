"""team_defense_zone_analysis: per-row Python reference, early season, gates, point-in-time,
daily = backfill, and the real 2024-25 season against the NBA.com files themselves."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import shutil
import zipfile
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from bench.reference.base import rows
from bench.reference.team_defense_zone_analysis import REFERENCE
from conftest import SHARED_DATA
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

MODEL = "nba_precompute.team_defense_zone_analysis"
TOGS = "nba_analytics.team_offense_game_summary"
TDGS = "nba_analytics.team_defense_game_summary"
DATA = SHARED_DATA / "nba_stats"

# The model's constants (spec 5.1), restated independently.
WINDOW = 15
BOOTSTRAP_DAYS = 14

BOS_GAPS = 6  # BOS games whose box scores are deleted: 9 or 10 of 15 present -> INCOMPLETE_DATA


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    """A synthetic season with holes: six BOS games lose their box scores (no
    team_defense_game_summary rows for them) and one game in twenty loses its play-by-play
    (no shot zones)."""
    path = tmp_path_factory.mktemp("tdza") / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=3, warehouse=path)
    with DuckDBEngine(path, create=False) as eng:
        ids = [
            g
            for (g,) in eng.fetchall(
                "SELECT game_id FROM nba_raw.schedule WHERE 'BOS' IN (home_team_abbr, "
                f"away_team_abbr) ORDER BY game_date LIMIT {BOS_GAPS} OFFSET 30"
            )
        ]
        for table in ("team_boxscores", "player_boxscores", "play_by_play"):
            eng.execute(f"DELETE FROM nba_raw.{table} WHERE game_id IN (SELECT unnest(?))", [ids])
        eng.execute("DELETE FROM nba_raw.play_by_play WHERE hash(game_id) % 20 = 0")
    summary = api.backfill(warehouse=path, models=[TOGS, TDGS, MODEL])
    assert summary.ok, summary
    return path


# -- the per-row reference (bench/reference/team_defense_zone_analysis.py) --------------------


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return a == b


def test_team_defense_zone_analysis_rows_match_python_reference(season: Path) -> None:
    """Every team on every other date of the season with holes: rows, columns, failures."""
    con = duckdb.connect(str(season), read_only=True)
    try:
        days = [
            d
            for (d,) in con.execute(
                "SELECT DISTINCT game_date FROM nba_raw.schedule ORDER BY 1"
            ).fetchall()
        ]
        mismatches, compared, categories = [], 0, set()
        for day in days[::2] + days[-1:]:
            want = REFERENCE.compute(con, day)
            got = {
                r["team_abbr"]: r
                for r in rows(
                    con,
                    f"SELECT * EXCLUDE (run_id, processed_at) FROM {MODEL} WHERE analysis_date = ?",
                    [day],
                )
            }
            failures = {
                f["entity_id"]: f
                for f in rows(
                    con,
                    "SELECT * FROM nba_processing.precompute_failures "
                    "WHERE model = ? AND analysis_date = ?",
                    [MODEL, day],
                )
            }
            assert {t: f["failure_category"] for t, f in failures.items()} == want.failures, day
            for f in failures.values():
                assert f["can_retry"] == (f["failure_category"] != "EARLY_SEASON"), f
            categories |= set(want.failures.values())
            assert set(got) == {r["team_abbr"] for r in want.rows}, day
            for w in want.rows:
                g = got[w["team_abbr"]]
                mismatches += [
                    (day, w["team_abbr"], c, g[c], w[c])
                    for c in g
                    if c not in REFERENCE.skip and not same(g[c], w[c])
                ]
                compared += 1
    finally:
        con.close()
    assert mismatches[:10] == []
    assert compared >= 100
    assert categories == {"EARLY_SEASON", "INSUFFICIENT_DATA", "INCOMPLETE_DATA"}


def test_team_defense_zone_analysis_early_season_gives_only_early_season_failures(
    season: Path,
) -> None:
    opener = dt.date(2024, 10, 22)
    first_regular = opener + dt.timedelta(days=BOOTSTRAP_DAYS)
    fails, counts = api.failures(
        model=MODEL, category="EARLY_SEASON", limit=10_000, warehouse=season
    )
    assert counts == {"EARLY_SEASON": len(fails)}
    with DuckDBEngine(season, create=False) as eng:
        dates = [
            d
            for (d,) in eng.fetchall(
                "SELECT DISTINCT game_date FROM nba_raw.schedule WHERE game_date < ? ORDER BY 1",
                [first_regular],
            )
        ]
        rows_early = eng.fetchone(
            f"SELECT count(*) FROM {MODEL} WHERE analysis_date < ?", [first_regular]
        )[0]
        other_early = eng.fetchone(
            "SELECT count(*) FROM nba_processing.precompute_failures WHERE model = ? "
            "AND analysis_date < ? AND failure_category <> 'EARLY_SEASON'",
            [MODEL, first_regular],
        )[0]
        day14 = eng.fetchall(
            f"SELECT DISTINCT min_games_required FROM {MODEL} "
            "WHERE analysis_date >= ? AND analysis_date < ?",
            [first_regular, opener + dt.timedelta(days=21)],
        )
    assert rows_early == 0 and other_early == 0
    assert {f["analysis_date"] for f in fails} == set(dates)
    assert len(fails) == 30 * len(dates)
    for f in fails:
        day = (f["analysis_date"] - opener).days + 1
        assert f["failure_reason"] == f"early season: day {day} of 14 after the 2024-10-22 opener"
        assert f["can_retry"] is False
        assert f["expected_game_count"] is not None and f["actual_game_count"] is not None
    # After day 13: dynamic minimum anchored to the real opener (legacy Oct 1 gave 15 at once),
    # so teams with 10 or 11 games already get rows during days 14..20.
    assert {m for (m,) in day14} <= {9, 10, 11} and day14


def test_team_defense_zone_analysis_missing_games_fail_incomplete_data(season: Path) -> None:
    fails, _ = api.failures(model=MODEL, category="INCOMPLETE_DATA", limit=10_000, warehouse=season)
    assert fails and {f["entity_id"] for f in fails} == {"BOS"}
    for f in fails:
        assert f["expected_game_count"] == WINDOW
        assert WINDOW - BOS_GAPS <= f["actual_game_count"] < 0.7 * WINDOW
        assert f["can_retry"] is True
        assert re.fullmatch(
            r"\d+ of the last 15 scheduled games have team_defense_game_summary rows "
            r"\(\d+\.\d% < 70\.0%\)",
            f["failure_reason"],
        ), f["failure_reason"]
    insufficient, _ = api.failures(
        model=MODEL, category="INSUFFICIENT_DATA", limit=10_000, warehouse=season
    )
    assert insufficient and all(
        re.fullmatch(
            r"\d+ games before the date, \d+ needed \(\d+ days after the 2024-10-22 "
            r"opener\)",
            f["failure_reason"],
        )
        for f in insufficient
    )


ROWS = f"SELECT * EXCLUDE (run_id, processed_at) FROM {MODEL} WHERE analysis_date = ? ORDER BY ALL"
FAILS = (
    "SELECT entity_id, failure_category, failure_reason, can_retry, expected_game_count, "
    "actual_game_count FROM nba_processing.precompute_failures "
    "WHERE model = ? AND analysis_date = ? ORDER BY ALL"
)


def snapshot(path: Path, day: dt.date) -> tuple[list, list]:
    with DuckDBEngine(path, create=False) as eng:
        return eng.fetchall(ROWS, [day]), eng.fetchall(FAILS, [MODEL, day])


def test_team_defense_zone_analysis_point_in_time_ignores_the_date_and_later(
    season: Path, tmp_path: Path
) -> None:
    day = dt.date(2025, 1, 15)
    copy = tmp_path / "pit.duckdb"
    shutil.copy(season, copy)
    before = snapshot(copy, day)
    assert len(before[0]) + len(before[1]) == 30 and before[0]
    with DuckDBEngine(copy, create=False) as eng:
        eng.execute(
            f"UPDATE {TDGS} SET points_allowed = points_allowed + 30, "
            "opp_paint_makes = opp_paint_attempts, opp_three_pt_makes = opp_three_pt_attempts, "
            "defensive_rating = defensive_rating + 40 WHERE game_date >= ?",
            [day],
        )
        eng.execute(f"DELETE FROM {TDGS} WHERE game_date > ? AND hash(game_id) % 3 = 0", [day])
        eng.execute("UPDATE nba_raw.schedule SET game_status = 1 WHERE game_date >= ?", [day])
        eng.execute("DELETE FROM nba_raw.schedule WHERE game_date > ?", [day + dt.timedelta(20)])
    summary = api.backfill(day, day, models=[MODEL], force=True, warehouse=copy)
    assert summary.models[0].dates_computed == 1
    assert snapshot(copy, day) == before

    # ... while the day before the date does count.
    with DuckDBEngine(copy, create=False) as eng:
        prev = eng.fetchone(f"SELECT max(game_date) FROM {TDGS} WHERE game_date < ?", [day])[0]
        eng.execute(
            f"UPDATE {TDGS} SET points_allowed = points_allowed + 30 WHERE game_date = ?", [prev]
        )
    api.backfill(day, day, models=[MODEL], force=True, warehouse=copy)
    assert snapshot(copy, day)[0] != before[0]


def test_team_defense_zone_analysis_daily_run_equals_backfill(season: Path, tmp_path: Path) -> None:
    copy = tmp_path / "daily.duckdb"
    shutil.copy(season, copy)
    with DuckDBEngine(copy, create=False) as eng:
        bos_incomplete = eng.fetchone(
            "SELECT min(analysis_date) FROM nba_processing.precompute_failures "
            "WHERE model = ? AND failure_category = 'INCOMPLETE_DATA'",
            [MODEL],
        )[0]
    days = [
        dt.date(2024, 10, 25),  # early season
        dt.date(2024, 11, 10),  # dynamic minimum
        bos_incomplete,
        dt.date(2025, 2, 20),
        dt.date(2025, 4, 13),
    ]
    for day in days:
        before = snapshot(copy, day)
        assert before[0] or before[1]
        summary = api.run_daily(day, models=[MODEL], force=True, warehouse=copy)
        assert summary.models[0].dates_computed == 1
        assert snapshot(copy, day) == before, day


# -- the real 2024-25 season --------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory, shared_data) -> tuple[Path, float]:
    path = tmp_path_factory.mktemp("tdza_real") / "w.duckdb"
    files = [
        "schedule_2024_25.csv",
        "team_gamelogs_2024_25.csv",
        "player_gamelogs_2024_25.csv",
        "shots_2024_25.csv.zip",
    ]
    result = api.ingest_files("nba-stats", [DATA / f for f in files], warehouse=path)
    assert all(o.status == "loaded" for o in result.files)
    summary = api.backfill(warehouse=path, models=[TOGS, TDGS, MODEL])
    assert summary.ok
    tdza = next(m for m in summary.models if m.model == MODEL)
    assert tdza.failed_checks == [], tdza.failed_checks
    return path, tdza.seconds


def test_team_defense_zone_analysis_real_season_values_are_nba_like(real) -> None:
    path, seconds = real
    with DuckDBEngine(path, create=False) as eng:
        cols = {
            "paint_pct_allowed_last_15": (0.50, 0.68),
            "mid_range_pct_allowed_last_15": (0.33, 0.52),
            "three_pt_pct_allowed_last_15": (0.31, 0.41),
            "paint_attempts_allowed_per_game": (30, 46),
            "three_pt_attempts_allowed_per_game": (30, 45),
            "defensive_rating_last_15": (100, 125),
            "opponent_points_per_game": (100, 125),
            "opponent_pace": (94, 107),
            "league_paint_pct": (0.55, 0.62),
            "league_three_pt_pct": (0.34, 0.38),
        }
        for col, (lo, hi) in cols.items():
            p5, med, p95 = eng.fetchone(
                f"SELECT quantile_cont({col}, 0.05), median({col}), quantile_cont({col}, 0.95) "
                f"FROM {MODEL} WHERE analysis_date <= DATE '2025-04-13'"
            )
            print(f"{col}: p5 {p5:.3f} median {med:.3f} p95 {p95:.3f}")
            assert lo <= p5 <= med <= p95 <= hi, (col, p5, med, p95)
        # every regular-season date from December: all 30 teams, no failures
        per_date = eng.fetchall(
            f"""SELECT s.game_date, count(DISTINCT t.team_abbr), count(DISTINCT f.entity_id)
                FROM nba_raw.schedule s
                LEFT JOIN {MODEL} t ON t.analysis_date = s.game_date
                LEFT JOIN nba_processing.precompute_failures f
                  ON f.model = ? AND f.analysis_date = s.game_date
                WHERE s.game_date BETWEEN DATE '2024-12-01' AND DATE '2025-04-13'
                GROUP BY 1""",
            [MODEL],
        )
        assert per_date and all(n == 30 and nf == 0 for _, n, nf in per_date)
        # regular-season windows have shot zones for every game but the NBA Cup final
        # (2024-12-17, MIL-OKC, not in the shot file); blockers are not in shot-chart data,
        # so blocks by zone are unknown rather than zero
        blocks_known, short_teams = eng.fetchone(
            "SELECT count(*) FILTER (WHERE paint_blocks_per_game IS NOT NULL), "
            "list(DISTINCT team_abbr ORDER BY team_abbr) FILTER (WHERE shot_zone_games "
            f"< games_in_sample) FROM {MODEL} "
            "WHERE analysis_date BETWEEN DATE '2024-12-01' AND DATE '2025-04-13'"
        )
        assert blocks_known == 0 and short_teams == ["MIL", "OKC"]
    print(f"team_defense_zone_analysis: {seconds:.2f} s for the 2024-25 season")


def gamelogs() -> list[dict]:
    with open(DATA / "team_gamelogs_2024_25.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_team_defense_zone_analysis_real_season_matches_the_nba_com_files(real) -> None:
    """Points and threes allowed from team_gamelogs, paint shots allowed from the shot chart,
    over each team's last 15 games, for 100 random team-dates."""
    path, _ = real
    opener = dt.date(2024, 10, 22)
    logs = [r for r in gamelogs() if not r["GAME_ID"].startswith("001")]  # no pre-season
    by_game: dict[str, list[dict]] = defaultdict(list)
    for r in logs:
        by_game[r["GAME_ID"]].append(r)
    team_of_id = {r["TEAM_ID"]: r["TEAM_ABBREVIATION"] for r in logs}
    games_of: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for r in logs:
        day = dt.date.fromisoformat(r["GAME_DATE"][:10])
        if day >= opener:
            games_of[r["TEAM_ABBREVIATION"]].append((day, r["GAME_ID"]))

    # paint makes/attempts by shooting team and game, from the raw shot chart
    paint: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    with zipfile.ZipFile(DATA / "shots_2024_25.csv.zip") as zf:
        name = next(n for n in zf.namelist() if n.endswith(".csv") and "MACOSX" not in n)
        with zf.open(name) as fh:
            for s in csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8")):
                if s["SHOT_TYPE"].startswith("3PT") or float(s["SHOT_DISTANCE"]) > 8:
                    continue
                key = (s["GAME_ID"].zfill(10), team_of_id[s["TEAM_ID"]])
                paint[key][1] += 1
                paint[key][0] += s["SHOT_MADE"].upper() == "TRUE"

    with DuckDBEngine(path, create=False) as eng:
        rows = eng.fetchall(
            f"SELECT analysis_date, team_abbr, opponent_points_per_game, "
            "three_pt_pct_allowed_last_15, three_pt_attempts_allowed_per_game, "
            f"paint_pct_allowed_last_15, shot_zone_games, games_in_sample FROM {MODEL}"
        )
    random.seed(7)
    sample = random.sample(rows, 100)
    for day, team, ppg, three_pct, three_pg, paint_pct, zone_games, n in sample:
        window = sorted((g for g in games_of[team] if g[0] < day), reverse=True)[:WINDOW]
        assert len(window) == n
        opp = [next(r for r in by_game[gid] if r["TEAM_ABBREVIATION"] != team) for _, gid in window]
        pts = sum(int(r["PTS"]) for r in opp)
        m3 = sum(int(r["FG3M"]) for r in opp)
        a3 = sum(int(r["FG3A"]) for r in opp)
        assert abs(ppg - pts / n) <= 0.005 + 1e-9
        assert abs(three_pct - m3 / a3) <= 0.0005 + 1e-9
        assert abs(three_pg - a3 / n) <= 0.005 + 1e-9
        opp_abbr = [r["TEAM_ABBREVIATION"] for r in opp]
        keys = [(gid, o) for (_, gid), o in zip(window, opp_abbr, strict=True)]
        with_shots = [k for k in keys if k in paint]
        assert len(with_shots) == zone_games
        if with_shots:
            made = sum(paint[k][0] for k in with_shots)
            att = sum(paint[k][1] for k in with_shots)
            assert abs(paint_pct - made / att) <= 0.0005 + 1e-9, (day, team)
