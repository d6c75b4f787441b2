"""player_shot_zone_analysis (spec 5.2) the legacy way: for one date, every player with a game
played this season before it; his last 10 (and 20) games played, summed in Python; the gates
(early season, too few games: expected or upstream-incomplete).

Written from spec 5.2 and the model's column docs, with the documented fixes: dynamic minimum
anchored to the real opener (9.8), rates in percent (9.13), one EARLY_SEASON failure per player
in the first 14 days (9.15), assisted shares only over games whose play-by-play names
assisters, per-game volumes only over games with zones.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

import duckdb

from bench.reference import register
from bench.reference.base import Answer, Reference, Row, row_hash, rows
from bench.reference.base import sql_round as round_exact

TABLE = "nba_precompute.player_shot_zone_analysis"

SAMPLE_WINDOW, TREND_WINDOW = 10, 20
TREND_MIN_GAMES = 15  # paint_rate/pct_last_20 need 15 games in the trend window
RAMP_DAYS = 21  # days after the opener with a reduced minimum: min(3 + days // 3, 9)
BOOTSTRAP_DAYS = 14
MEDIUM_TIER_GAMES = 7
ZONE_COLS = ("paint_attempts", "mid_range_attempts", "three_attempts_pbp")

# The columns data_hash covers, in order (NULL as 'NULL'), and those the model holds as DOUBLE.
HASHED = (
    "analysis_date",
    "player_lookup",
    "team_abbr",
    "paint_rate_last_10",
    "mid_range_rate_last_10",
    "three_pt_rate_last_10",
    "total_shots_last_10",
    "games_in_sample_10",
    "paint_pct_last_10",
    "mid_range_pct_last_10",
    "three_pt_pct_last_10",
    "paint_attempts_per_game",
    "mid_range_attempts_per_game",
    "three_pt_attempts_per_game",
    "paint_rate_last_20",
    "paint_pct_last_20",
    "games_in_sample_20",
    "assisted_rate_last_10",
    "unassisted_rate_last_10",
    "primary_scoring_zone",
    "min_games_required",
)
HASHED_DOUBLES = frozenset(HASHED[3:]) - {
    "total_shots_last_10",
    "games_in_sample_10",
    "games_in_sample_20",
    "primary_scoring_zone",
    "min_games_required",
}

PGS_COLS = (
    "player_lookup, universal_player_id, game_date, team_abbr, is_active, minutes_played, "
    "fg_attempts, fg_makes, paint_attempts, paint_makes, mid_range_attempts, mid_range_makes, "
    "three_attempts_pbp, three_makes_pbp, assisted_fg_makes, unassisted_fg_makes"
)


def min_games_required(days_since_opener: int) -> int:
    if days_since_opener < RAMP_DAYS:
        return min(3 + days_since_opener // 3, 9)
    return SAMPLE_WINDOW


def quality(n: int, window: int) -> str:
    if n >= window:
        return "excellent"
    if n >= window * 0.7:
        return "good"
    return "limited" if n >= window * 0.5 else "insufficient"


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    answer = Answer()
    found = con.execute(
        "SELECT max(season_year) FROM nba_raw.schedule WHERE game_date = ?", [day]
    ).fetchone()[0]
    if found is None:  # no game on the date: no analysis date
        return answer
    season_year = found
    opener = con.execute(
        "SELECT min(game_date) FROM nba_raw.schedule WHERE season_year = ? "
        "AND season_type = 'Regular Season'",
        [season_year],
    ).fetchone()[0]
    if opener is None:
        return answer
    # completed games per team from the opener to the day before
    team_games: dict[str, int] = defaultdict(int)
    for g in rows(
        con,
        "SELECT home_team_abbr, away_team_abbr FROM nba_raw.schedule WHERE season_year = ? "
        "AND game_date >= ? AND game_date < ? AND coalesce(game_status, 3) = 3 "
        "QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY source) = 1",
        [season_year, opener, day],
    ):
        team_games[g["home_team_abbr"]] += 1
        team_games[g["away_team_abbr"]] += 1
    by_player: dict[str, list[Row]] = defaultdict(list)
    for r in rows(
        con,
        f"SELECT {PGS_COLS} FROM nba_analytics.player_game_summary "
        "WHERE season_year = ? AND game_date >= ? AND game_date < ?",
        [season_year, opener, day],
    ):
        by_player[r["player_lookup"]].append(r)
    completeness = {
        r["player_lookup"]: r
        for r in rows(
            con,
            "SELECT player_lookup, l10_expected, l10_actual, completeness_pct, "
            "is_production_ready FROM nba_analytics.player_completeness WHERE analysis_date = ?",
            [day],
        )
    }
    days = (day - opener).days
    minimum = min_games_required(days)
    for player, history in by_player.items():
        history.sort(key=lambda r: r["game_date"], reverse=True)
        played = [
            r
            for r in history
            if r["is_active"] and ((r["minutes_played"] or 0) > 0 or (r["fg_attempts"] or 0) > 0)
        ]
        if not played:
            continue
        team = history[0]["team_abbr"]  # his latest row of any status
        w10 = played[:SAMPLE_WINDOW]
        if days < BOOTSTRAP_DAYS:
            answer.failures[player] = "EARLY_SEASON"
        elif len(w10) < minimum:
            answer.failures[player] = (
                "EXPECTED_INCOMPLETE" if team_games[team] < minimum else "INCOMPLETE_UPSTREAM"
            )
        else:
            row = one_player(played, completeness.get(player))
            row.update(
                analysis_date=day,
                player_lookup=player,
                team_abbr=team,
                min_games_required=minimum,
                early_season_flag=minimum < SAMPLE_WINDOW,
                days_since_opener=days,
            )
            row["data_hash"] = row_hash(row, HASHED, HASHED_DOUBLES)
            answer.rows.append(row)
    return answer


def one_player(played: list[Row], comp: Row | None) -> Row:
    """The metrics of his last 10 / 20 games played (newest first)."""
    w10, w20 = played[:SAMPLE_WINDOW], played[:TREND_WINDOW]

    def total(rs: list[Row], col: str) -> int:
        return sum(r[col] or 0 for r in rs)  # a NULL zone counts as 0, as in the legacy

    def known(rs: list[Row], col: str) -> int:
        return sum(1 for r in rs if r[col] is not None)

    p10, m10, t10 = (total(w10, c) for c in ZONE_COLS)
    shots10 = p10 + m10 + t10
    complete10 = all(known(w10, c) for c in ZONE_COLS)
    rates: tuple[float | None, ...] = (None, None, None)
    if complete10 and shots10 > 0:
        rates = tuple(round_exact(Fraction(100 * a, shots10), 2) for a in (p10, m10, t10))
        if abs(sum(rates) - 100) > 2:
            rates = (None, None, None)
    paint_rate, mid_rate, three_rate = rates
    if paint_rate is None:
        zone = None
    elif paint_rate >= 40:
        zone = "paint"
    elif three_rate >= 40:
        zone = "perimeter"
    elif mid_rate >= 35:
        zone = "mid_range"
    else:
        zone = "balanced"

    def pct(rs: list[Row], made: str, att: str) -> float | None:
        a = total(rs, att)
        return round_exact(Fraction(total(rs, made), a), 3) if a else None

    def per_game(col: str) -> float | None:
        n = known(w10, col)
        return round_exact(Fraction(total(w10, col), n), 1) if n else None

    assist_games = [r for r in w10 if r["assisted_fg_makes"] is not None]
    fgm = total(assist_games, "fg_makes")
    assisted = unassisted = None
    if complete10 and assist_games and fgm:
        assisted = round_exact(Fraction(100 * total(assist_games, "assisted_fg_makes"), fgm), 2)
        unassisted = round_exact(Fraction(100 * total(assist_games, "unassisted_fg_makes"), fgm), 2)
    p20 = total(w20, "paint_attempts")
    shots20 = p20 + total(w20, "mid_range_attempts") + total(w20, "three_attempts_pbp")
    complete20 = all(known(w20, c) for c in ZONE_COLS)
    long_enough = len(w20) >= TREND_MIN_GAMES
    comp = comp or {}
    n = len(w10)
    return {
        "universal_player_id": w10[0]["universal_player_id"],
        "paint_rate_last_10": paint_rate,
        "mid_range_rate_last_10": mid_rate,
        "three_pt_rate_last_10": three_rate,
        "total_shots_last_10": shots10 if any(known(w10, c) for c in ZONE_COLS) else None,
        "games_in_sample_10": n,
        "sample_quality_10": quality(n, SAMPLE_WINDOW),
        "paint_pct_last_10": pct(w10, "paint_makes", "paint_attempts"),
        "mid_range_pct_last_10": pct(w10, "mid_range_makes", "mid_range_attempts"),
        "three_pt_pct_last_10": pct(w10, "three_makes_pbp", "three_attempts_pbp"),
        "paint_attempts_per_game": per_game("paint_attempts"),
        "mid_range_attempts_per_game": per_game("mid_range_attempts"),
        "three_pt_attempts_per_game": per_game("three_attempts_pbp"),
        "paint_rate_last_20": round_exact(Fraction(100 * p20, shots20), 2)
        if long_enough and complete20 and shots20
        else None,
        "paint_pct_last_20": pct(w20, "paint_makes", "paint_attempts") if long_enough else None,
        "games_in_sample_20": len(w20),
        "sample_quality_20": quality(len(w20), TREND_WINDOW),
        "assisted_rate_last_10": assisted,
        "unassisted_rate_last_10": unassisted,
        "primary_scoring_zone": zone,
        "data_quality_tier": "high"
        if n >= SAMPLE_WINDOW
        else "medium"
        if n >= MEDIUM_TIER_GAMES
        else "low",
        "last_game_date": w10[0]["game_date"],
        "l10_expected_games": comp.get("l10_expected"),
        "l10_actual_games": comp.get("l10_actual"),
        "completeness_pct": comp.get("completeness_pct"),
        "is_production_ready": comp.get("is_production_ready"),
    }


REFERENCE = register(
    Reference(
        table=TABLE,
        key=("player_lookup",),
        compute=compute,
    )
)
