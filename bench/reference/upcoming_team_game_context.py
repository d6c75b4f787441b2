"""upcoming_team_game_context (spec 4.5) the legacy way: for one date, each team playing walks
its season's schedule up to the game (rest, load, travel), its completed games (record,
streaks, last game), the game's pre-game lines per book (median over books) and each player's
latest injury report before tip-off; then the row hash.

Written from spec 4.5 and the model's column docs, with the documented fixes: days_rest 0 =
back-to-back (9.7), a real opponent_days_rest (9.6), case-insensitive injury statuses (9.4),
lines and reports strictly before tip-off.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from fractions import Fraction

import duckdb

from bench.reference import register
from bench.reference.base import (
    Answer,
    Reference,
    Row,
    row_hash,
    rows,
    season_openers,
    sql_round_float,
    window_ready,
)
from bench.reference.base import sql_round as round_exact
from nbapipe import vocab

TABLE = "nba_analytics.upcoming_team_game_context"
NOT_COUNTED = ("Pre Season", "All-Star")
STATUSES = ("out", "doubtful", "questionable", "probable")
# The columns data_hash covers, in order (every column of the row but the three timestamps:
# game_start_time, lines_last_snapshot_at, injury_report_at), and those the model holds as
# DOUBLE.
HASHED = (
    "game_id",
    "game_date",
    "season_year",
    "team_abbr",
    "opponent_team_abbr",
    "home_game",
    "season_type",
    "game_number",
    "is_first_game_of_season",
    "previous_game_date",
    "days_since_last_game",
    "days_rest",
    "is_back_to_back",
    "games_in_last_7_days",
    "games_in_last_14_days",
    "opponent_days_rest",
    "opponent_is_back_to_back",
    "rest_advantage",
    "wins_entering",
    "losses_entering",
    "win_pct_entering",
    "opponent_win_pct_entering",
    "win_streak_entering",
    "loss_streak_entering",
    "last_game_margin",
    "last_game_result",
    "opening_spread",
    "current_spread",
    "spread_movement",
    "spread_book_count",
    "opening_total",
    "current_total",
    "total_movement",
    "total_book_count",
    "players_out",
    "players_doubtful",
    "players_questionable",
    "players_probable",
    "previous_game_arena_team_abbr",
    "travel_miles",
    "is_home_after_road",
    "consecutive_road_games",
    "consecutive_home_games",
    "l7d_expected_games",
    "l7d_actual_games",
    "l14d_expected_games",
    "l14d_actual_games",
    "l7d_completeness_pct",
    "l14d_completeness_pct",
    "data_quality_tier",
    "quality_score",
    "data_quality_issues",
    "is_production_ready",
)
HASHED_DOUBLES = frozenset(
    {
        "win_pct_entering",
        "opponent_win_pct_entering",
        "opening_spread",
        "current_spread",
        "spread_movement",
        "opening_total",
        "current_total",
        "total_movement",
        "travel_miles",
        "l7d_completeness_pct",
        "l14d_completeness_pct",
    }
)


def data_hash(row: Row) -> str:
    return row_hash(row, HASHED, HASHED_DOUBLES)


def haversine_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * vocab.EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def load_games(con: duckdb.DuckDBPyConnection, day: dt.date) -> list[Row]:
    """The schedule of the seasons playing on the date, up to the date: one row per game (most
    advanced status, then source), pre-season and All-Star games left out, with the final
    score (the final schedule row, else the box score) as each side's margin."""
    games = rows(
        con,
        "SELECT game_id, game_date, game_start_time, season_year, "
        "coalesce(season_type, 'Regular Season') AS season_type, home_team_abbr, "
        "away_team_abbr, coalesce(game_status = 3, FALSE) AS is_final "
        "FROM nba_raw.schedule WHERE game_date <= ? AND season_year IN "
        "(SELECT season_year FROM nba_raw.schedule WHERE game_date = ?) "
        "QUALIFY row_number() OVER (PARTITION BY game_id "
        "ORDER BY coalesce(game_status, 0) DESC, source) = 1",
        [day, day],
    )
    games = [g for g in games if g["season_type"] not in NOT_COUNTED]
    finals: dict[str, Row] = {}
    for f in rows(
        con,
        "SELECT game_id, source, home_team_score, away_team_score FROM nba_raw.schedule "
        "WHERE game_date < ? AND game_status = 3 AND home_team_score IS NOT NULL "
        "AND away_team_score IS NOT NULL ORDER BY source",
        [day],
    ):
        finals.setdefault(f["game_id"], f)
    box = {
        (b["game_id"], b["team_abbr"]): b["points_scored"] - b["opponent_points"]
        for b in rows(
            con,
            "SELECT game_id, team_abbr, points_scored, opponent_points "
            "FROM nba_analytics.team_offense_game_summary WHERE game_date < ? "
            "AND points_scored IS NOT NULL AND opponent_points IS NOT NULL",
            [day],
        )
    }
    for g in games:
        f = finals.get(g["game_id"])
        g["home_box"] = (g["game_id"], g["home_team_abbr"]) in box
        g["away_box"] = (g["game_id"], g["away_team_abbr"]) in box
        home = away = None
        if f is not None:
            home = f["home_team_score"] - f["away_team_score"]
            away = -home
        g["home_margin"] = (
            home if home is not None else box.get((g["game_id"], g["home_team_abbr"]))
        )
        g["away_margin"] = (
            away if away is not None else box.get((g["game_id"], g["away_team_abbr"]))
        )
    return games


def team_sides(games: list[Row]) -> dict[tuple[str, int], list[Row]]:
    """Each team's games of a season in date order, one game per date (lowest game id)."""
    sides: dict[tuple[str, int], dict[dt.date, Row]] = defaultdict(dict)
    for g in sorted(games, key=lambda g: g["game_id"]):
        for team, opp, home in (
            (g["home_team_abbr"], g["away_team_abbr"], True),
            (g["away_team_abbr"], g["home_team_abbr"], False),
        ):
            sides[(team, g["season_year"])].setdefault(
                g["game_date"],
                {
                    **g,
                    "team": team,
                    "opp": opp,
                    "home": home,
                    "arena": g["home_team_abbr"],
                    "margin": g["home_margin"] if home else g["away_margin"],
                    "has_box": g["home_box"] if home else g["away_box"],
                },
            )
    return {k: [v[d] for d in sorted(v)] for k, v in sides.items()}


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    games = load_games(con, day)
    sides = team_sides(games)
    coords = {
        r["team_abbr"]: (r["arena_latitude"], r["arena_longitude"])
        for r in rows(
            con, "SELECT team_abbr, arena_latitude, arena_longitude FROM nba_reference.teams"
        )
    }
    feed_start = dict(
        con.execute(
            "SELECT game_id, min(game_start_time) FROM nba_raw.game_lines WHERE game_date = ? "
            "GROUP BY game_id",
            [day],
        ).fetchall()
    )
    lines: dict[str, list[Row]] = defaultdict(list)
    for r in rows(
        con,
        "SELECT game_id, bookmaker, market_key, outcome_name, outcome_point, "
        "snapshot_timestamp, minutes_before_tipoff, game_start_time, source "
        "FROM nba_raw.game_lines WHERE game_date = ?",
        [day],
    ):
        lines[r["game_id"]].append(r)
    reports: dict[str, list[Row]] = defaultdict(list)
    for r in rows(
        con,
        "SELECT game_id, team_abbr, player_lookup, report_timestamp, report_date, "
        "injury_status, source FROM nba_raw.injury_report WHERE game_date = ?",
        [day],
    ):
        reports[r["game_id"]].append(r)

    openers = season_openers(con)
    contexts = {}
    for (team, season), seq in sides.items():
        for i, g in enumerate(seq):
            if g["game_date"] == day:
                contexts[team] = team_context(seq, i, coords) | quality(seq, i, openers.get(season))
    answer = Answer()
    for team, ctx in contexts.items():
        g = ctx.pop("_game")
        opp = contexts.get(g["opp"], {})
        tipoff = g["game_start_time"] or feed_start.get(g["game_id"])
        row = {
            "game_id": g["game_id"],
            "game_date": day,
            "season_year": g["season_year"],
            "team_abbr": team,
            "opponent_team_abbr": g["opp"],
            "home_game": g["home"],
            "game_start_time": tipoff,
            "season_type": g["season_type"],
            **ctx,
            "opponent_days_rest": opp.get("days_rest"),
            "opponent_is_back_to_back": opp.get("days_rest") == vocab.BACK_TO_BACK_DAYS_REST,
            "rest_advantage": None
            if ctx["days_rest"] is None or opp.get("days_rest") is None
            else ctx["days_rest"] - opp["days_rest"],
            "opponent_win_pct_entering": opp.get("win_pct_entering"),
        }
        row.update(game_lines(lines[g["game_id"]], team))
        row.update(injuries(reports[g["game_id"]], team, tipoff, day))
        row["data_hash"] = data_hash(row)
        answer.rows.append(row)
    return answer


def quality(seq: list[Row], i: int, opener: dt.date | None) -> Row:
    """Completeness of the team's last 7 and 14 days (spec 4.5, 6.3): final games on the
    schedule, and those with the team's box score; tier from the lower percentage."""
    day = seq[i]["game_date"]
    out: Row = {}
    pcts = []
    issues = []
    for window in (7, 14):
        final = [x for x in seq[:i] if 1 <= (day - x["game_date"]).days <= window and x["is_final"]]
        actual = sum(1 for x in final if x["has_box"])
        out[f"l{window}d_expected_games"] = len(final)
        out[f"l{window}d_actual_games"] = actual
        pct = 100.0 if not final else sql_round_float(100.0 * actual / len(final), 1)
        pcts.append(pct)
        if actual < len(final):
            issues.append(f"l{window}d_incomplete")
    out["l7d_completeness_pct"], out["l14d_completeness_pct"] = pcts
    low = min(pcts)
    tier, score = next((t, sc) for t, sc, floor in TIERS if low >= floor)
    if day.month in vocab.SEASON_BOUNDARY_MONTHS:
        issues.append("season_boundary")
    if opener is not None and (day - opener).days < vocab.COMPLETENESS_GRACE_DAYS:
        issues.append("bootstrap_mode")
    out["data_quality_tier"] = tier
    out["quality_score"] = score
    out["data_quality_issues"] = ",".join(issues) or None
    out["is_production_ready"] = all(
        window_ready(out[f"l{w}d_actual_games"], out[f"l{w}d_expected_games"]) for w in (7, 14)
    )
    return out


TIERS = (("gold", 95, 95), ("silver", 75, 75), ("bronze", 50, 50), ("poor", 25, float("-inf")))


def team_context(seq: list[Row], i: int, coords: dict) -> Row:
    """Schedule and form features of the team's i-th game of the season."""
    g, before = seq[i], seq[:i]
    day = g["game_date"]
    prev = before[-1] if before else None
    days_since = (day - prev["game_date"]).days if prev else None
    days_rest = days_since - 1 if prev else None
    results = [x["margin"] for x in before if x["margin"] is not None]
    wins = sum(1 for m in results if m > 0)
    losses = len(results) - wins
    streak_w = streak_l = 0
    for m in reversed(results):
        if m > 0 and streak_l == 0:
            streak_w += 1
        elif m <= 0 and streak_w == 0:
            streak_l += 1
        else:
            break
    run = 0
    for x in reversed(seq[: i + 1]):
        if x["home"] != g["home"]:
            break
        run += 1
    last = results[-1] if results else None
    travel: float | None = 0.0
    if prev is not None:
        here, there = coords.get(g["arena"]), coords.get(prev["arena"])
        travel = (
            None
            if here is None or there is None or None in here or None in there
            else sql_round_float(haversine_miles(there, here), 1)
        )
    return {
        "_game": g,
        "game_number": i + 1,
        "is_first_game_of_season": i == 0,
        "previous_game_date": prev["game_date"] if prev else None,
        "days_since_last_game": days_since,
        "days_rest": days_rest,
        "is_back_to_back": days_rest == vocab.BACK_TO_BACK_DAYS_REST,
        "games_in_last_7_days": sum(1 <= (day - x["game_date"]).days <= 7 for x in before),
        "games_in_last_14_days": sum(1 <= (day - x["game_date"]).days <= 14 for x in before),
        "wins_entering": wins,
        "losses_entering": losses,
        "win_pct_entering": round_exact(Fraction(wins, len(results)), 3) if results else None,
        "win_streak_entering": streak_w,
        "loss_streak_entering": streak_l,
        "last_game_margin": last,
        "last_game_result": None
        if last is None
        else "W"
        if last > 0
        else "L"
        if last < 0
        else None,
        "previous_game_arena_team_abbr": prev["arena"] if prev else None,
        "travel_miles": travel,
        "is_home_after_road": bool(g["home"] and prev is not None and not prev["home"]),
        "consecutive_road_games": 0 if g["home"] else run,
        "consecutive_home_games": run if g["home"] else 0,
    }


def is_pregame(r: Row) -> bool:
    if r["minutes_before_tipoff"] is not None:
        return r["minutes_before_tipoff"] > 0
    return bool(r["game_start_time"] is not None and r["snapshot_timestamp"] < r["game_start_time"])


def game_lines(game_rows: list[Row], team: str) -> Row:
    """Per book its earliest and latest pre-game line (ties: source), median over books."""
    out: Row = {}
    used: list[dt.datetime] = []
    for market, name in (("spreads", "spread"), ("totals", "total")):
        by_book: dict[str, list[Row]] = defaultdict(list)
        for r in game_rows:
            if r["market_key"] != market or r["outcome_point"] is None or not is_pregame(r):
                continue
            if market == "spreads" and r["outcome_name"] != team:
                continue
            if market == "totals" and (r["outcome_name"] or "").lower() != "over":
                continue
            by_book[r["bookmaker"]].append(r)
        opening = [
            min(v, key=lambda r: (r["snapshot_timestamp"], r["source"]))["outcome_point"]
            for v in by_book.values()
        ]
        current = [
            min(v, key=lambda r: (-r["snapshot_timestamp"].timestamp(), r["source"]))[
                "outcome_point"
            ]
            for v in by_book.values()
        ]
        used += [r["snapshot_timestamp"] for v in by_book.values() for r in v]
        o = statistics.median(opening) if opening else None
        c = statistics.median(current) if current else None
        out[f"opening_{name}"] = o
        out[f"current_{name}"] = c
        out[f"{name}_movement"] = None if o is None or c is None else c - o
        out[f"{name}_book_count"] = len(by_book)
    out["lines_last_snapshot_at"] = max(used, default=None)
    return out


def injuries(game_rows: list[Row], team: str, tipoff: dt.datetime | None, day: dt.date) -> Row:
    """Each player's latest report before tip-off (before the date when tip-off is unknown)."""
    latest: dict[str, Row] = {}
    for r in sorted(game_rows, key=lambda r: r["source"], reverse=True):
        before = (
            r["report_timestamp"] < tipoff
            if tipoff is not None and r["report_timestamp"] is not None
            else r["report_date"] is not None and r["report_date"] < day
        )
        if not before:
            continue
        have = latest.get(r["player_lookup"])
        if have is None or r["report_timestamp"] >= have["report_timestamp"]:
            latest[r["player_lookup"]] = r
    mine = [r for r in latest.values() if r["team_abbr"] == team]
    counts = Counter((r["injury_status"] or "").strip().lower() for r in mine)
    out: Row = {f"players_{s}": counts[s] for s in STATUSES}
    out["injury_report_at"] = max((r["report_timestamp"] for r in mine), default=None)
    return out


REFERENCE = register(Reference(table=TABLE, key=("team_abbr",), compute=compute))
