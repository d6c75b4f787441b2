"""player_daily_cache (spec 5.4): per player and date, his last 5 / 10 / up to 82 games played
this season before the date, his team's last 10 games, copied context, shot zones and
completeness, and the gates, one player at a time.

``detailed(con, day)`` gives every player's dict (table columns, or the failure columns for a
failure); ``compute`` turns it into the uniform Answer.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from fractions import Fraction

import duckdb

from bench.reference import register
from bench.reference.base import Answer, Reference, Row, row_hash, rows, window_ready
from nbapipe import vocab

TABLE = "nba_precompute.player_daily_cache"
LOOKBACK = 82
COPIED = [
    "games_in_last_7_days",
    "games_in_last_14_days",
    "minutes_in_last_7_days",
    "minutes_in_last_14_days",
    "back_to_backs_last_14_days",
    "avg_minutes_per_game_last_7",
]
WINDOWS = ["l5", "l10", "l7d", "l14d"]
FAILURE_FIELDS = [
    "failure_category",
    "failure_reason",
    "can_retry",
    "expected_game_count",
    "actual_game_count",
]
TIERS = [("gold", 95), ("silver", 75), ("bronze", 50), ("poor", 25)]
# The columns data_hash covers, in order; those the model holds as DOUBLE; those its concat_ws
# leaves out when NULL (never NULL; the others are NULL as 'NULL').
HASHED = (
    "cache_date",
    "player_lookup",
    "team_abbr",
    "game_id",
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
    "completeness_percentage",
    "all_windows_complete",
    "last_game_date",
)
HASHED_DOUBLES = frozenset(
    {
        "points_avg_last_5",
        "points_avg_last_10",
        "points_avg_season",
        "points_std_last_10",
        "minutes_avg_last_10",
        "usage_rate_last_10",
        "ts_pct_last_10",
        "player_usage_rate_season",
        "assisted_rate_last_10",
        "team_pace_last_10",
        "team_off_rating_last_10",
        "minutes_in_last_7_days",
        "minutes_in_last_14_days",
        "avg_minutes_per_game_last_7",
        "paint_rate_last_10",
        "three_pt_rate_last_10",
        "completeness_percentage",
    }
)
HASHED_DROPPED = frozenset({"games_played_season", "all_windows_complete"})


def mean(values: list) -> float | None:
    """Exact mean (the values as exact fractions), as a float; None without values."""
    vals = [Fraction(v) for v in values if v is not None]
    return float(sum(vals) / len(vals)) if vals else None


def played(r: Row) -> bool:
    """A game played: active, not DNP, with minutes or points."""
    return bool(
        r["is_active"]
        and not r["is_dnp"]
        and ((r["minutes_played"] or 0) > 0 or (r["points"] or 0) > 0)
    )


class Inputs:
    """Everything one cache date reads, loaded with a few queries."""

    def __init__(self, con: duckdb.DuckDBPyConnection, day: dt.date) -> None:
        self.day = day
        found = con.execute(
            "SELECT max(season_year) FROM nba_raw.schedule WHERE game_date = ?", [day]
        ).fetchone()
        self.season = found[0] if found else None
        self.opener = con.execute(
            "SELECT min(game_date) FROM nba_raw.schedule WHERE season_year = ? "
            "AND coalesce(season_type, 'Regular Season') = 'Regular Season'",
            [self.season],
        ).fetchone()[0]
        # the team's game on the date: one schedule row per game (latest status, then source)
        games: dict[str, tuple] = {}
        for r in rows(
            con,
            "SELECT game_id, game_status, source, home_team_abbr, away_team_abbr "
            "FROM nba_raw.schedule WHERE game_date = ?",
            [day],
        ):
            rank = (-(r["game_status"] or 0), r["source"])
            if r["game_id"] not in games or rank < games[r["game_id"]][0]:
                games[r["game_id"]] = (rank, r)
        self.team_game: dict[str, str] = {}
        for game_id, (_, r) in sorted(games.items()):
            for team in (r["home_team_abbr"], r["away_team_abbr"]):
                self.team_game.setdefault(team, game_id)
        # completed games of the season before the date, per team
        completed: dict[str, Row] = {}
        for r in rows(
            con,
            "SELECT game_id, source, home_team_abbr, away_team_abbr FROM nba_raw.schedule "
            "WHERE season_year = ? AND game_date >= ? AND game_date < ? "
            "AND coalesce(game_status, 3) = 3 ORDER BY source",
            [self.season, self.opener, day],
        ):
            completed.setdefault(r["game_id"], r)
        self.team_games_before: dict[str, int] = defaultdict(int)
        for r in completed.values():
            self.team_games_before[r["home_team_abbr"]] += 1
            self.team_games_before[r["away_team_abbr"]] += 1
        self.history: dict[str, list[Row]] = defaultdict(list)
        for r in rows(
            con,
            "SELECT player_lookup, universal_player_id, game_date, team_abbr, is_active, is_dnp, "
            "minutes_played, points, usage_rate, ts_pct, assisted_fg_makes, fg_makes "
            "FROM nba_analytics.player_game_summary WHERE season_year = ? "
            "AND game_date >= ? AND game_date < ? ORDER BY game_date",
            [self.season, self.opener, day],
        ):
            self.history[r["player_lookup"]].append(r)
        self.team_history: dict[str, list[Row]] = defaultdict(list)
        for r in rows(
            con,
            "SELECT team_abbr, game_date, pace, offensive_rating "
            "FROM nba_analytics.team_offense_game_summary WHERE season_year = ? "
            "AND game_date >= ? AND game_date < ? ORDER BY game_date",
            [self.season, self.opener, day],
        ):
            self.team_history[r["team_abbr"]].append(r)
        self.context = {
            r["player_lookup"]: r
            for r in rows(
                con,
                "SELECT * FROM nba_analytics.upcoming_player_game_context WHERE game_date = ?",
                [day],
            )
        }
        self.zones = {
            r["player_lookup"]: r
            for r in rows(
                con,
                "SELECT * FROM nba_precompute.player_shot_zone_analysis WHERE analysis_date = ?",
                [day],
            )
        }
        self.completeness = {
            r["player_lookup"]: r
            for r in rows(
                con,
                "SELECT * FROM nba_analytics.player_completeness WHERE analysis_date = ?",
                [day],
            )
        }


def drivers(inp: Inputs) -> dict[str, Row]:
    """The date's players: the context's, plus roster expansion (his team, from his latest row
    of any status, plays on the date; he played within 30 days; no context row)."""
    out = {
        p: {
            "player_lookup": p,
            "universal_player_id": u["universal_player_id"],
            "team_abbr": u["team_abbr"],
            "game_id": u["game_id"],
            "in_upcoming_context": True,
            **{c: u[c] for c in COPIED},
        }
        for p, u in inp.context.items()
    }
    for player, hist in inp.history.items():
        if player in out or not hist:
            continue
        games = [r for r in hist if played(r)]
        team = hist[-1]["team_abbr"]
        if games and (inp.day - games[-1]["game_date"]).days <= 30 and team in inp.team_game:
            out[player] = {
                "player_lookup": player,
                "universal_player_id": hist[-1]["universal_player_id"],
                "team_abbr": team,
                "game_id": inp.team_game[team],
                "in_upcoming_context": False,
                **dict.fromkeys(COPIED),
            }
    return out


def one(inp: Inputs, driver: Row) -> Row:
    """Every column for one player on the date, with the failure columns (None on rows)."""
    day, opener = inp.day, inp.opener
    player, team = driver["player_lookup"], driver["team_abbr"]
    rows_before = inp.history.get(player, [])
    hist = [r for r in rows_before if played(r)][::-1][:LOOKBACK]  # newest first
    w5, w10 = hist[:5], hist[:10]
    pts10 = [r["points"] for r in w10 if r["points"] is not None]
    assist_games = [r for r in w10 if r["assisted_fg_makes"] is not None]
    fgm = sum(r["fg_makes"] or 0 for r in assist_games)
    team_last10 = inp.team_history.get(team, [])[-10:]
    zone = inp.zones.get(player)
    comp = inp.completeness.get(player)
    out: Row = {
        "cache_date": day,
        "player_lookup": player,
        "universal_player_id": driver["universal_player_id"]
        or (rows_before[-1]["universal_player_id"] if rows_before else None),
        "team_abbr": team,
        "game_id": driver["game_id"],
        "in_upcoming_context": driver["in_upcoming_context"],
        "points_avg_last_5": mean([r["points"] for r in w5]),
        "points_avg_last_10": mean(pts10),
        "points_avg_season": mean([r["points"] for r in hist]),
        "points_std_last_10": statistics.stdev(pts10) if len(pts10) >= 2 else None,
        "minutes_avg_last_10": mean([r["minutes_played"] for r in w10]),
        "usage_rate_last_10": mean([r["usage_rate"] for r in w10]),
        "ts_pct_last_10": mean([r["ts_pct"] for r in w10]),
        "games_played_season": len(hist),
        "player_usage_rate_season": mean([r["usage_rate"] for r in hist]),
        "assisted_rate_last_10": (
            sum(r["assisted_fg_makes"] for r in assist_games) / fgm if fgm else None
        ),
        "team_pace_last_10": mean([g["pace"] for g in team_last10]),
        "team_off_rating_last_10": mean([g["offensive_rating"] for g in team_last10]),
        **{c: driver[c] for c in COPIED},
        "primary_scoring_zone": zone["primary_scoring_zone"] if zone else None,
        "paint_rate_last_10": zone["paint_rate_last_10"] if zone else None,
        "three_pt_rate_last_10": zone["three_pt_rate_last_10"] if zone else None,
        "shot_zone_data_available": zone is not None,
    }
    ready = {}
    for w in WINDOWS:
        if comp is None:
            out[f"{w}_completeness_pct"], ready[w] = None, False
        else:
            out[f"{w}_completeness_pct"] = comp[f"{w}_pct"]
            ready[w] = window_ready(comp[f"{w}_actual"], comp[f"{w}_expected"])
        out[f"{w}_is_complete"] = ready[w]
    l5 = out["l5_completeness_pct"]
    out |= {
        "all_windows_complete": all(ready.values()),
        "expected_games": comp["l5_expected"] if comp else None,
        "actual_games": comp["l5_actual"] if comp else None,
        "missing_games": comp["l5_expected"] - comp["l5_actual"] if comp else None,
        "completeness_percentage": l5,
        "quality_tier": next((t for t, lo in TIERS if l5 is not None and l5 >= lo), "unusable"),
        "cache_quality_score": l5,
        "early_season_flag": len(hist) < 10,
        "days_since_opener": (day - opener).days,
        "last_game_date": hist[0]["game_date"] if hist else None,
        "days_since_last_game": (day - hist[0]["game_date"]).days if hist else None,
        "cache_version": "v1",
    }
    days_in = (day - opener).days
    relaxed = days_in < vocab.COMPLETENESS_GRACE_DAYS or day.month in vocab.SEASON_BOUNDARY_MONTHS
    reason = None
    if days_in < vocab.BOOTSTRAP_DAYS:
        category = "EARLY_SEASON"
        reason = f"early season: day {days_in} of {vocab.BOOTSTRAP_DAYS} after the {opener} opener"
    elif len(hist) < 3:
        category = "INSUFFICIENT_DATA"
        reason = f"{len(hist)} games played this season, 3 needed"
    elif (day - hist[0]["game_date"]).days > 30:
        category = "STALE_DATA"
        reason = (
            f"latest game played {hist[0]['game_date']}, "
            f"{(day - hist[0]['game_date']).days} days before (more than 30)"
        )
    elif not all(ready.values()) and not relaxed:
        category = "INCOMPLETE_DATA"
        reason = "completeness below 70%: " + ", ".join(
            f"{w.upper().replace('D', 'd')} "
            + (
                "NULL"
                if out[f"{w}_completeness_pct"] is None
                else f"{out[f'{w}_completeness_pct']}%"
            )
            for w in WINDOWS
        )
    else:
        category = None
    failed = category is not None
    return out | {
        "failure_category": category,
        "failure_reason": reason,
        "can_retry": category in ("INSUFFICIENT_DATA", "INCOMPLETE_DATA") if failed else None,
        "expected_game_count": min(inp.team_games_before[team], LOOKBACK) if failed else None,
        "actual_game_count": len(hist) if failed else None,
    }


def detailed(con: duckdb.DuckDBPyConnection, day: dt.date) -> dict[str, Row]:
    """Every player the model must return for ``day``: his columns or his failure."""
    inp = Inputs(con, day)
    if inp.season is None or inp.opener is None:
        return {}
    return {p: one(inp, d) for p, d in drivers(inp).items()}


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    answer = Answer()
    for player, r in detailed(con, day).items():
        if r["failure_category"] is None:
            row = {k: v for k, v in r.items() if k not in FAILURE_FIELDS}
            row["data_hash"] = row_hash(row, HASHED, HASHED_DOUBLES, HASHED_DROPPED)
            answer.rows.append(row)
        else:
            answer.failures[player] = r["failure_category"]
    return answer


REFERENCE = register(
    Reference(
        table=TABLE,
        key=("player_lookup",),
        compute=compute,
    )
)
