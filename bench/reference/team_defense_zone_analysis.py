"""team_defense_zone_analysis (spec 5.1) the legacy way: for one date, each team's last 15
team_defense_game_summary rows before it, summed in Python; the league average over the 30
days before the date; the gates in order (early season, too few games, incomplete).

Written from spec 5.1 and the model's column docs, with the documented fixes: dynamic minimum
anchored to the real opener (9.8), league window strictly before the date, opponent pace as
stored (per 48, 9.9), shot-zone figures only over games with zones, blocks by zone only over
games whose play-by-play names blockers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

import duckdb

from bench.reference import register
from bench.reference.base import (
    Answer,
    Reference,
    Row,
    row_hash,
    rows,
    sql_round,
    sql_round_float,
)

TABLE = "nba_precompute.team_defense_zone_analysis"

WINDOW = 15  # the team's last 15 games
FULL_MIN_GAMES = 15
DYNAMIC_DAYS = 21  # days after the opener with a reduced minimum ...
DYNAMIC_BASE, DYNAMIC_DAYS_PER_GAME, DYNAMIC_CAP = 5, 3, 14  # ... min(5 + days // 3, 14)
MEDIUM_TIER_GAMES = 10
LEAGUE_DAYS = 30
LEAGUE_MIN_TEAM_GAMES = 10
LEAGUE_MIN_TEAMS = 10
DEFAULT_LEAGUE = (0.580, 0.410, 0.355)  # paint, mid-range, three
BOOTSTRAP_DAYS = 14
READY_PCT = 70.0
SHOTS_ONLY_SOURCE = "nba_stats_shotchart"  # shot-chart play-by-play: no blockers
NOT_COUNTED = ("Pre Season", "All-Star")
# The columns data_hash covers, in order; those the model holds as DOUBLE; those its concat_ws
# leaves out when NULL (never NULL; the others are NULL as 'NULL').
HASHED = (
    "paint_pct_allowed_last_15",
    "paint_attempts_allowed_per_game",
    "paint_points_allowed_per_game",
    "paint_blocks_per_game",
    "paint_defense_vs_league_avg",
    "mid_range_pct_allowed_last_15",
    "mid_range_attempts_allowed_per_game",
    "mid_range_points_allowed_per_game",
    "mid_range_blocks_per_game",
    "mid_range_defense_vs_league_avg",
    "three_pt_pct_allowed_last_15",
    "three_pt_attempts_allowed_per_game",
    "three_pt_points_allowed_per_game",
    "three_pt_blocks_per_game",
    "three_pt_defense_vs_league_avg",
    "defensive_rating_last_15",
    "opponent_points_per_game",
    "opponent_pace",
    "strongest_zone",
    "weakest_zone",
    "games_in_sample",
    "completeness_pct",
)
HASHED_DOUBLES = frozenset(HASHED) - {"strongest_zone", "weakest_zone", "games_in_sample"}
HASHED_DROPPED = frozenset({"games_in_sample", "completeness_pct"})


def dynamic_min(days_since_opener: int) -> int:
    if days_since_opener < DYNAMIC_DAYS:
        return min(DYNAMIC_BASE + days_since_opener // DYNAMIC_DAYS_PER_GAME, DYNAMIC_CAP)
    return FULL_MIN_GAMES


def ratio(num: int | None, den: int) -> Fraction | None:
    return None if num is None or not den else Fraction(num, den)


def load(con: duckdb.DuckDBPyConnection, day: dt.date) -> tuple[list[Row], list[Row]] | None:
    """The date's season schedule (one row per game) and its defensive game rows before it."""
    schedule = rows(
        con,
        "SELECT game_id, game_date, season_year, home_team_abbr, away_team_abbr, "
        "coalesce(game_status, 3) AS game_status, "
        "coalesce(season_type, 'Regular Season') AS season_type FROM nba_raw.schedule "
        "WHERE season_year = (SELECT max(season_year) FROM nba_raw.schedule WHERE game_date = ?) "
        "QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY source) = 1",
        [day],
    )
    if not any(g["game_date"] == day for g in schedule):
        return None
    season_year = schedule[0]["season_year"]
    tdgs = rows(
        con,
        "SELECT * FROM nba_analytics.team_defense_game_summary "
        "WHERE season_year = ? AND game_date < ?",
        [season_year, day],
    )
    return schedule, tdgs


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    loaded = load(con, day)
    answer = Answer()
    if loaded is None:  # no game on the date: no analysis date
        return answer
    schedule, tdgs = loaded
    season_year = schedule[0]["season_year"]
    types = {g["game_id"]: g["season_type"] for g in schedule}
    regular = [g for g in schedule if g["season_type"] == "Regular Season"]
    opener = min((g["game_date"] for g in regular), default=None)
    teams = {g["home_team_abbr"] for g in regular} | {g["away_team_abbr"] for g in regular}
    if opener is None:
        return answer

    defense = [
        r
        for r in tdgs
        if r["game_date"] >= opener and types.get(r["game_id"], "Regular Season") not in NOT_COUNTED
    ]
    league = league_average(defense, day)
    have = {(r["game_id"], r["defending_team_abbr"]) for r in defense}
    days = (day - opener).days
    for team in sorted(teams):
        team_rows = sorted(
            (r for r in defense if r["defending_team_abbr"] == team),
            key=lambda r: r["game_date"],
            reverse=True,
        )
        completed = sorted(
            (
                g
                for g in schedule
                if g["game_status"] == 3
                and g["season_type"] not in NOT_COUNTED
                and opener <= g["game_date"] < day
                and team in (g["home_team_abbr"], g["away_team_abbr"])
            ),
            key=lambda g: (g["game_date"], g["game_id"]),
            reverse=True,
        )
        row, failure = one_team(day, team, season_year, days, team_rows, completed, have, league)
        if failure:
            answer.failures[team] = failure
        else:
            row["data_hash"] = row_hash(row, HASHED, HASHED_DOUBLES, HASHED_DROPPED)
            answer.rows.append(row)
    return answer


def league_average(defense: list[Row], day: dt.date) -> dict:
    """Per team zone FG% allowed over the 30 days before the date (teams with 10+ games),
    then the plain mean over teams; the defaults with fewer than 10 teams."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    for r in defense:
        if not (day - dt.timedelta(days=LEAGUE_DAYS) <= r["game_date"] < day):
            continue
        s = sums[r["defending_team_abbr"]]
        s[0] += 1
        if r["shot_zones_available"]:
            s[1] += r["opp_paint_makes"]
            s[2] += r["opp_paint_attempts"]
            s[3] += r["opp_mid_range_makes"]
            s[4] += r["opp_mid_range_attempts"]
        s[5] += r["opp_three_pt_makes"]
        s[6] += r["opp_three_pt_attempts"]
    qualified = [s for s in sums.values() if s[0] >= LEAGUE_MIN_TEAM_GAMES]
    if len(qualified) < LEAGUE_MIN_TEAMS:
        return {"teams": len(qualified), "default": True, "pct": DEFAULT_LEAGUE}

    def mean(makes: int, attempts: int) -> float | None:
        vals = [Fraction(s[makes], s[attempts]) for s in qualified if s[attempts]]
        return float(sum(vals) / len(vals)) if vals else None

    return {"teams": len(qualified), "default": False, "pct": (mean(1, 2), mean(3, 4), mean(5, 6))}


def one_team(
    day: dt.date,
    team: str,
    season_year: int,
    days: int,
    team_rows: list[Row],
    completed: list[Row],
    have: set,
    league: dict,
) -> tuple[Row, str | None]:
    window = team_rows[:WINDOW]
    expected_games = completed[:WINDOW]
    expected = len(expected_games)
    actual = sum((g["game_id"], team) in have for g in expected_games)
    exact_pct = Fraction(100) if expected == 0 else Fraction(100 * actual, expected)
    n = len(window)
    zone = [r for r in window if r["shot_zones_available"]]
    blk = [r for r in zone if (r["shot_zones_source"] or "") != SHOTS_ONLY_SOURCE]

    def total(rs: list[Row], col: str) -> int | None:
        vals = [r[col] for r in rs if r[col] is not None]
        return sum(vals) if vals else None

    def per_game(rs: list[Row], col: str) -> float | None:
        return sql_round(ratio(total(rs, col), len(rs)), 2)

    def mean_decimal(col: str) -> float | None:
        vals = [r[col] for r in window if r[col] is not None]
        return sql_round(Fraction(sum(map(Fraction, vals))) / len(vals), 2) if vals else None

    pcts = {
        "paint": ratio(total(zone, "opp_paint_makes"), total(zone, "opp_paint_attempts") or 0),
        "mid_range": ratio(
            total(zone, "opp_mid_range_makes"), total(zone, "opp_mid_range_attempts") or 0
        ),
        "three_pt": ratio(
            total(window, "opp_three_pt_makes"), total(window, "opp_three_pt_attempts") or 0
        ),
    }
    vs_league = {}
    for name, league_pct in zip(pcts, league["pct"], strict=True):
        mine = pcts[name]
        vs_league[name] = (
            None
            if mine is None or league_pct is None
            else sql_round_float((float(mine) - league_pct) * 100, 2)
        )
    strongest, weakest = zones_ranked(vs_league)
    min_games = dynamic_min(days)
    league_teams = league["teams"]
    notes = [
        "no paint attempts" if zone and not total(zone, "opp_paint_attempts") else None,
        "no mid-range attempts" if zone and not total(zone, "opp_mid_range_attempts") else None,
        "no three-point attempts"
        if window and not total(window, "opp_three_pt_attempts")
        else None,
        f"shot zones from {len(zone)} of {n} games" if len(zone) < n else None,
        f"blocks by zone from {len(blk)} of {n} games (shot-chart data has no blockers)"
        if len(blk) < len(zone)
        else None,
        f"league averages are the defaults ({league_teams} teams with enough games in the last "
        "30 days)"
        if league["default"]
        else None,
    ]
    row = {
        "analysis_date": day,
        "team_abbr": team,
        "season_year": season_year,
        "paint_pct_allowed_last_15": sql_round(pcts["paint"], 3),
        "paint_attempts_allowed_per_game": per_game(zone, "opp_paint_attempts"),
        "paint_points_allowed_per_game": per_game(zone, "points_in_paint_allowed"),
        "paint_blocks_per_game": per_game(blk, "blocks_paint"),
        "paint_defense_vs_league_avg": vs_league["paint"],
        "mid_range_pct_allowed_last_15": sql_round(pcts["mid_range"], 3),
        "mid_range_attempts_allowed_per_game": per_game(zone, "opp_mid_range_attempts"),
        "mid_range_points_allowed_per_game": per_game(zone, "mid_range_points_allowed"),
        "mid_range_blocks_per_game": per_game(blk, "blocks_mid_range"),
        "mid_range_defense_vs_league_avg": vs_league["mid_range"],
        "three_pt_pct_allowed_last_15": sql_round(pcts["three_pt"], 3),
        "three_pt_attempts_allowed_per_game": per_game(window, "opp_three_pt_attempts"),
        "three_pt_points_allowed_per_game": per_game(window, "three_pt_points_allowed"),
        "three_pt_blocks_per_game": per_game(blk, "blocks_three_pt"),
        "three_pt_defense_vs_league_avg": vs_league["three_pt"],
        "defensive_rating_last_15": mean_decimal("defensive_rating"),
        "opponent_points_per_game": per_game(window, "points_allowed"),
        "opponent_pace": mean_decimal("opponent_pace"),
        "strongest_zone": strongest,
        "weakest_zone": weakest,
        "league_paint_pct": sql_round_float(league["pct"][0], 4),
        "league_mid_range_pct": sql_round_float(league["pct"][1], 4),
        "league_three_pt_pct": sql_round_float(league["pct"][2], 4),
        "league_teams_in_average": league_teams,
        "league_average_is_default": league["default"],
        "games_in_sample": n,
        "shot_zone_games": len(zone),
        "block_zone_games": len(blk),
        "window_first_game_date": min((r["game_date"] for r in window), default=None),
        "window_last_game_date": max((r["game_date"] for r in window), default=None),
        "days_since_opener": days,
        "min_games_required": min_games,
        "data_quality_tier": "high"
        if n >= WINDOW
        else "medium"
        if n >= MEDIUM_TIER_GAMES
        else "low",
        "expected_games_count": expected,
        "actual_games_count": actual,
        "missing_games_count": expected - actual,
        "completeness_pct": sql_round(exact_pct, 1),
        "is_production_ready": exact_pct >= READY_PCT,
        "calculation_notes": "; ".join(x for x in notes if x) or None,
    }
    if days < BOOTSTRAP_DAYS:
        return row, "EARLY_SEASON"
    if n < min_games:
        return row, "INSUFFICIENT_DATA"
    if exact_pct < READY_PCT:
        return row, "INCOMPLETE_DATA"
    return row, None


def zones_ranked(vs_league: dict[str, float | None]) -> tuple[str | None, str | None]:
    """Strongest (most negative) and weakest (most positive) zone; ties: paint, mid-range,
    perimeter; NULL with fewer than two zones known."""
    names = {"paint": "paint", "mid_range": "mid_range", "three_pt": "perimeter"}
    values = [(names[k], v) for k, v in vs_league.items() if v is not None]
    if len(values) < 2:
        return None, None
    strongest = min(values, key=lambda v: v[1])[0]  # min/max keep the first of ties
    weakest = max(values, key=lambda v: v[1])[0]
    return strongest, weakest


REFERENCE = register(
    Reference(
        table=TABLE,
        key=("team_abbr",),
        compute=compute,
    )
)
