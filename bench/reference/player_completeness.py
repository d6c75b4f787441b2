"""nba_analytics.player_completeness, the legacy completeness checker (spec 6.3), DNP-aware:
for each player with a box-score row earlier in the season, his current team (latest row
before the date), that team's completed games before the date in the last 5/10 games and
7/14/30 days, minus the games he sat out (expected), against the games he played (actual).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb

from bench.reference import register
from bench.reference.base import Answer, Reference, Row, rows, sql_round_float
from bench.reference.team_offense_game_summary import box_priority
from nbapipe import vocab

GAME_WINDOWS = vocab.COMPLETENESS_GAME_WINDOWS  # (5, 10)
DAY_WINDOWS = vocab.COMPLETENESS_DAY_WINDOWS  # (7, 14, 30)


def pct(actual: int, expected: int) -> float:
    """100 x actual / expected (100 when nothing was expected), unrounded."""
    return 100.0 if expected == 0 else float(100 * actual) / expected


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    season = con.execute(
        "SELECT min(season_year) FROM nba_raw.schedule WHERE game_date = ?", [day]
    ).fetchone()[0]
    if season is None:
        return Answer()
    schedule = rows(
        con,
        "SELECT game_id, game_date, home_team_abbr, away_team_abbr, source "
        "FROM nba_raw.schedule WHERE season_year = ? AND game_date < ? "
        "AND coalesce(game_status, 3) = 3 "
        "AND coalesce(season_type, 'Regular Season') NOT IN ('Pre Season', 'All-Star')",
        [season, day],
    )
    box = rows(
        con,
        "SELECT game_id, game_date, team_abbr, player_lookup, player_status, source "
        "FROM nba_raw.player_boxscores WHERE season_year = ? AND game_date < ?",
        [season, day],
    )

    # Completed games: one schedule row per game (first source); each team's games, newest first.
    games: dict[str, Row] = {}
    for g in sorted(schedule, key=lambda g: g["source"]):
        games.setdefault(g["game_id"], g)
    team_games: dict[str, list[Row]] = defaultdict(list)
    for g in games.values():
        team_games[g["home_team_abbr"]].append(g)
        team_games[g["away_team_abbr"]].append(g)
    for lst in team_games.values():
        lst.sort(key=lambda g: g["game_date"], reverse=True)

    # The player's row per game (best source), and his rows in date order.
    best: dict[tuple, Row] = {}
    for r in box:
        k = (r["game_id"], r["player_lookup"])
        if k not in best or box_priority(r["source"]) < box_priority(best[k]["source"]):
            best[k] = r
    by_player: dict[str, list[Row]] = defaultdict(list)
    for r in best.values():
        by_player[r["player_lookup"]].append(r)

    out = []
    for player, player_rows in by_player.items():
        team = max(player_rows, key=lambda r: r["game_date"])["team_abbr"]
        status = {r["game_id"]: r["player_status"] for r in player_rows}
        history = team_games.get(team, [])
        windows = {f"l{n}": history[:n] for n in GAME_WINDOWS}
        for n in DAY_WINDOWS:
            windows[f"l{n}d"] = [g for g in history if (day - g["game_date"]).days <= n]
        row: Row = {"analysis_date": day, "player_lookup": player, "team_abbr": team}
        complete = True
        for name, window in windows.items():
            sat = sum(status.get(g["game_id"]) in ("dnp", "inactive") for g in window)
            played = sum(status.get(g["game_id"]) == "active" for g in window)
            expected = len(window) - sat
            row[f"{name}_expected"] = expected
            row[f"{name}_actual"] = played
            row[f"{name}_pct"] = sql_round_float(pct(played, expected), 1)
            complete &= played >= expected
            if name == "l10":
                row["l10_games_sat_out"] = sat
                row["l10_games_without_row"] = len(window) - played - sat
        row["completeness_pct"] = row["l10_pct"]
        row["is_production_ready"] = (
            pct(row["l10_actual"], row["l10_expected"]) >= vocab.PRODUCTION_READY_PCT
        )
        row["all_windows_complete"] = complete
        out.append(row)
    return Answer(rows=out)


REFERENCE = register(
    Reference(
        table="nba_analytics.player_completeness",
        key=("player_lookup",),
        compute=compute,
    )
)
