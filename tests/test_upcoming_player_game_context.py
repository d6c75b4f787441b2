"""upcoming_player_game_context: per-row reference, point in time, games not played yet."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

UPGC = "nba_analytics.upcoming_player_game_context"
PGS = "nba_analytics.player_game_summary"
MODELS = [
    "nba_analytics.team_offense_game_summary",
    "nba_analytics.team_defense_game_summary",
    "nba_analytics.player_prop_lines",
    PGS,
    "nba_analytics.player_completeness",
    "nba_analytics.upcoming_team_game_context",
    UPGC,
]


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("upgc") / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=13, warehouse=path)
    summary = api.backfill(warehouse=path, models=MODELS)
    assert all(m.status in ("success", "partial") for m in summary.models), summary.models
    return path


def test_upcoming_player_context_played_games_have_every_player_who_appeared(
    season: Path,
) -> None:
    with DuckDBEngine(season, create=False) as eng:
        missing, extra = eng.fetchone(
            f"""SELECT
                (SELECT count(*) FROM {PGS} p WHERE p.is_active AND p.minutes_played > 0
                   AND NOT EXISTS (SELECT 1 FROM {UPGC} u WHERE u.game_date = p.game_date
                                   AND u.player_lookup = p.player_lookup)),
                (SELECT count(*) FROM {UPGC} u WHERE NOT EXISTS (
                    SELECT 1 FROM {PGS} p WHERE p.game_date = u.game_date
                      AND p.player_lookup = u.player_lookup AND p.is_active))"""
        )
    assert (missing, extra) == (0, 0)


def r1(x: float) -> float:
    """Round half away from zero to one decimal, as SQL's round() does."""
    return float(Decimal(str(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def reference(eng: DuckDBEngine, day: dt.date, player: str) -> dict:
    """One row the obvious way: the player's played games before the date, in Python."""
    history = eng.fetchall(
        f"SELECT game_date, points, minutes_played FROM {PGS} WHERE player_lookup = ? "
        "AND season_year = 2024 AND is_active AND minutes_played > 0 AND game_date < ? "
        "ORDER BY game_date DESC",
        [player, day],
    )
    line = eng.fetchone(
        f"SELECT current_points_line FROM {UPGC} WHERE game_date = ? AND player_lookup = ?",
        [day, player],
    )[0]
    last5, last10 = history[:5], history[:10]

    def streak(pred) -> int | None:
        # Games of the last 60 days, pushes skipped, at most the 20 most recent.
        if line is None:
            return None
        considered = [pts for d, pts, _ in history if (day - d).days <= 60 and pts != line][:20]
        n = 0
        for pts in considered:
            if not pred(pts):
                break
            n += 1
        return n

    in7 = [h for h in history if (day - h[0]).days <= 7]
    in14 = [h for h in history if (day - h[0]).days <= 14]
    return {
        "days_rest": (day - history[0][0]).days - 1 if history else None,
        "games_in_last_7_days": len(in7),
        "games_in_last_14_days": len(in14),
        "minutes_in_last_7_days": r1(sum(h[2] for h in in7)),
        "points_avg_last_5": r1(sum(h[1] for h in last5) / len(last5)) if last5 else None,
        "points_avg_last_10": r1(sum(h[1] for h in last10) / len(last10)) if last10 else None,
        "l10_games_used": len(last10),
        "games_played_season": len(history),
        "prop_over_streak": streak(lambda p: p > line) if history else None,
        "prop_under_streak": streak(lambda p: p < line) if history else None,
    }


def test_upcoming_player_context_matches_per_player_reference(season: Path) -> None:
    cols = [
        "days_rest",
        "games_in_last_7_days",
        "games_in_last_14_days",
        "minutes_in_last_7_days",
        "points_avg_last_5",
        "points_avg_last_10",
        "l10_games_used",
        "games_played_season",
        "prop_over_streak",
        "prop_under_streak",
    ]
    with DuckDBEngine(season, create=False) as eng:
        keys = eng.fetchall(
            f"SELECT game_date, player_lookup FROM {UPGC} WHERE games_played_season > 0 "
            "ORDER BY ALL"
        )
        sample = random.Random(2).sample(keys, 150)
        mismatches = []
        for day, player in sample:
            got = dict(
                zip(
                    cols,
                    eng.fetchone(
                        f"SELECT {', '.join(cols)} FROM {UPGC} "
                        "WHERE game_date = ? AND player_lookup = ?",
                        [day, player],
                    ),
                    strict=True,
                )
            )
            if got["prop_over_streak"] is None:  # no line: the reference has none either
                got["prop_over_streak"] = got["prop_under_streak"] = None
            want = reference(eng, day, player)
            if want["prop_over_streak"] is not None and got["prop_over_streak"] is None:
                want["prop_over_streak"] = want["prop_under_streak"] = None
            if got != want:
                mismatches.append((day, player, got, want))
    assert mismatches == []


def test_upcoming_player_context_opponent_pace_is_last_ten_games(season: Path) -> None:
    with DuckDBEngine(season, create=False) as eng:
        day, opp, got = eng.fetchone(
            f"SELECT game_date, opponent_team_abbr, opponent_pace_last_10 FROM {UPGC} "
            "WHERE game_date = DATE '2025-02-05' ORDER BY player_lookup LIMIT 1"
        )
        paces = eng.fetchall(
            "SELECT pace FROM nba_analytics.team_offense_game_summary "
            "WHERE team_abbr = ? AND game_date < ? AND season_year = 2024 "
            "ORDER BY game_date DESC LIMIT 10",
            [opp, day],
        )
    assert got == round(sum(p for (p,) in paces) / len(paces), 1)


def test_upcoming_player_context_only_sees_games_before_the_date(
    season: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(season, copy)
    day = dt.date(2025, 2, 10)
    query = f"SELECT * EXCLUDE (run_id, processed_at) FROM {UPGC} WHERE game_date = ? ORDER BY ALL"
    with DuckDBEngine(copy, create=False) as eng:
        before = eng.fetchall(query, [day])
        # Every result on and after the date changes: one more made free throw each.
        eng.execute(
            "UPDATE nba_raw.player_boxscores SET points = points + 1, "
            "free_throws_made = free_throws_made + 1, "
            "free_throws_attempted = free_throws_attempted + 1 "
            "WHERE game_date >= ? AND player_status = 'active'",
            [day],
        )
    api.backfill(day, day + dt.timedelta(days=3), warehouse=copy, models=MODELS, force=True)
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchall(query, [day]) == before
    assert len(before) > 50


def test_upcoming_player_context_future_game_uses_roster_minus_players_out(
    season: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(season, copy)
    with DuckDBEngine(copy, create=False) as eng:
        day = eng.fetchone("SELECT max(game_date) FROM nba_raw.schedule")[0]
        # Hold back the last day's results: scheduled, not played.
        eng.execute(
            "UPDATE nba_raw.schedule SET game_status = 1, home_team_score = NULL, "
            "away_team_score = NULL, winning_team_abbr = NULL WHERE game_date = ?",
            [day],
        )
        for table in ("player_boxscores", "team_boxscores", "play_by_play"):
            eng.execute(f"DELETE FROM nba_raw.{table} WHERE game_date = ?", [day])
    summary = api.backfill(day, day, warehouse=copy, models=MODELS, force=True)
    assert {m.model: m.status for m in summary.models}[UPGC] == "success"
    with DuckDBEngine(copy, create=False) as eng:
        rows, future, with_line, listed_out = eng.fetchone(
            f"""SELECT count(*), count(*) FILTER (WHERE is_future_game),
                       count(*) FILTER (WHERE has_prop_line),
                       count(*) FILTER (WHERE injury_status = 'out')
                FROM {UPGC} WHERE game_date = ?""",
            [day],
        )
        out_players = eng.fetchone(
            """SELECT count(*) FROM (
                 SELECT player_lookup FROM nba_raw.injury_report WHERE game_date = ?
                 QUALIFY row_number() OVER (PARTITION BY game_id, player_lookup
                                            ORDER BY report_timestamp DESC) = 1
                   AND lower(injury_status) = 'out')""",
            [day],
        )[0]
        rostered = eng.fetchone(
            """SELECT count(*) FROM nba_raw.team_rosters r JOIN nba_raw.schedule s
                 ON r.team_abbr IN (s.home_team_abbr, s.away_team_abbr)
               WHERE s.game_date = ? AND r.start_date <= ?
                 AND (r.end_date IS NULL OR r.end_date >= ?)""",
            [day, day, day],
        )[0]
    assert rows == future and rows > 0
    assert listed_out == 0 and out_players > 0
    assert rows == rostered - out_players
    assert with_line > 0


def test_upcoming_player_context_daily_run_equals_backfill(season: Path, tmp_path: Path) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(season, copy)
    day = dt.date(2025, 3, 12)
    query = f"SELECT * EXCLUDE (run_id, processed_at) FROM {UPGC} WHERE game_date = ? ORDER BY ALL"
    with DuckDBEngine(copy, create=False) as eng:
        before = eng.fetchall(query, [day])
    api.run_daily(day, warehouse=copy, models=MODELS, force=True)
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchall(query, [day]) == before
