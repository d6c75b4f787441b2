"""Basketball constants shared by every model: zone cut-offs, windows, thresholds, priorities.

Models never hard-code these numbers: the runner renders ``{{ NAME }}`` placeholders in model
SQL from this module, so one edit here changes every table consistently.
"""

from __future__ import annotations

from collections.abc import Callable

# -- shot zones (spec 3.13) ------------------------------------------------------------------
# Paint: shots at most this far from the basket (feet).
PAINT_MAX_FEET = 8.0
# A shot this far or farther is a three even if the source forgot to say so.
THREE_MIN_FEET = 23.75
# Possessions = FGA + FT_TRIP_FACTOR * FTA + TOV - OREB (standard free-throw trip weight).
FT_TRIP_FACTOR = 0.44
# Minutes in a regulation game and per overtime period, per player slot.
REGULATION_MINUTES = 48
OVERTIME_MINUTES = 5
PLAYERS_ON_COURT = 5

# -- windows and thresholds (spec 5, 6.3) ----------------------------------------------------
BOOTSTRAP_DAYS = 14
# Fatigue (spec 5.3): more minutes than this in the last 7 days costs 10 points of the score;
# the same number as a team's regulation minutes, a different meaning.
FATIGUE_HEAVY_MINUTES_LAST_7 = 240
PRODUCTION_READY_PCT = 70.0
# Completeness is not held against a player (spec 6.3) in a season's first 30 days, counted
# from its real opener (the legacy counted from Oct 1, spec 9.8), nor in the season-boundary
# months October, November and April.
COMPLETENESS_GRACE_DAYS = 30
SEASON_BOUNDARY_MONTHS = (10, 11, 4)
COMPLETENESS_GAME_WINDOWS = (5, 10)
COMPLETENESS_DAY_WINDOWS = (7, 14, 30)

# Phase 4 minimum games: a full window, or a smaller dynamic minimum during the first
# DYNAMIC_MIN_DAYS after the real opener: min(base + days // DAYS_PER_GAME, cap).
DYNAMIC_MIN_DAYS = 21
DYNAMIC_MIN_DAYS_PER_GAME = 3
# Team defence zones (spec 5.1): last 15 games; dynamic minimum min(5 + days // 3, 14).
TDZA_WINDOW_GAMES = 15
TDZA_DYNAMIC_MIN_BASE = 5
TDZA_DYNAMIC_MIN_CAP = 14
TDZA_MEDIUM_TIER_GAMES = 10
# League zone averages: the 30 days before the date, teams with 10+ games, at least 10 teams;
# otherwise these NBA-typical defaults.
LEAGUE_WINDOW_DAYS = 30
LEAGUE_MIN_TEAM_GAMES = 10
LEAGUE_MIN_TEAMS = 10
DEFAULT_LEAGUE_PAINT_PCT = 0.580
DEFAULT_LEAGUE_MID_RANGE_PCT = 0.410
DEFAULT_LEAGUE_THREE_PT_PCT = 0.355
# Play-by-play that has shots only (no assists, blockers or free throws).
SHOTS_ONLY_SOURCE = "nba_stats_shotchart"

# Season types whose games the models leave out of every window and every context.
COUNTED_OUT_SEASON_TYPES = "('Pre Season', 'All-Star')"


def counted_game_sql(season_type: str) -> str:
    """SQL: true for a game every model counts (a game without a season type is a regular one).
    Models write it as ``{{ COUNTED_GAME(season_type) }}``; the runner and ops call it."""
    return f"coalesce({season_type}, 'Regular Season') NOT IN {COUNTED_OUT_SEASON_TYPES}"


# Each season's real opener (season_year, opener_date): its first Regular Season game in the
# schedule. Early-season rules and dynamic minimums count days from it (the legacy used Oct 1,
# spec 9.8). Models use it as a CTE: `season_openers AS ({{ SEASON_OPENERS }})`.
SEASON_OPENERS_SQL = (
    "SELECT season_year, min(game_date) AS opener_date FROM nba_raw.schedule "
    "WHERE coalesce(season_type, 'Regular Season') = 'Regular Season' GROUP BY season_year"
)

# -- source priority (lower = preferred) --------------------------------------------------------
# Play-by-play for shot zones: BigDataBall has assists/blocks and distances; NBA.com PBP next;
# shot-chart data has shots only; synthetic data stands alone.
PBP_SOURCE_PRIORITY = {
    "bigdataball": 1,
    "nba_stats": 2,
    "nbacom_pbp": 3,
    "nba_stats_shotchart": 4,
    "synthetic": 5,
}
BOXSCORE_SOURCE_PRIORITY = {
    "nba_stats": 1,
    "synthetic": 2,
}
DEFAULT_SOURCE_PRIORITY = 9

# Prop lines: the bookmaker whose line a table reports (spec 4.1): DraftKings, FanDuel, then
# the others alphabetically.
BOOKMAKER_PRIORITY = {"draftkings": 1, "fanduel": 2}

# -- rest ----------------------------------------------------------------------------------------
# One days-rest convention for teams and players (legacy mixed two, spec 9.7):
# days_rest = days between the previous game and this one, minus 1; a back-to-back is 0,
# NULL for a team's or player's first game of the season.
BACK_TO_BACK_DAYS_REST = 0

# Great-circle distances (travel) use the mean Earth radius.
EARTH_RADIUS_MILES = 3958.8


# The feature store's 60 features in spec order (spec 5.5.1) and where a value came from.
ML_FEATURE_NAMES = (
    "points_avg_last_5", "points_avg_last_10", "points_avg_season", "points_std_last_10",
    "games_in_last_7_days", "fatigue_score", "shot_zone_mismatch_score", "pace_score",
    "usage_spike_score", "rest_advantage", "injury_risk", "recent_trend",
    "minutes_change", "opponent_def_rating", "opponent_pace", "home_away",
    "back_to_back", "playoff_game", "pct_paint", "pct_mid_range",
    "pct_three", "pct_free_throw", "team_pace", "team_off_rating",
    "team_win_pct", "vegas_points_line", "vegas_opening_line", "vegas_line_move",
    "has_vegas_line", "avg_points_vs_opponent", "games_vs_opponent", "minutes_avg_last_10",
    "ppm_avg_last_10", "dnp_rate", "pts_slope_10g", "pts_vs_season_zscore",
    "breakout_flag", "star_teammates_out", "game_total_line", "days_rest",
    "minutes_load_last_7d", "spread_magnitude", "implied_team_total", "points_avg_last_3",
    "scoring_trend_slope", "deviation_from_avg_last3", "consecutive_games_below_avg",
    "teammate_usage_available", "usage_rate_last_5", "games_since_structural_change",
    "multi_book_line_std", "prop_over_streak", "prop_under_streak", "line_vs_season_avg",
    "prop_line_delta", "over_rate_last_10", "margin_vs_line_avg_last_5",
    "blowout_minutes_risk", "minutes_volatility_last_10", "opponent_pace_mismatch",
)  # fmt: skip
ML_FEATURE_SOURCES = ("phase4", "phase3", "calculated", "vegas", "default", "missing")


def dictionary_list_type(values: tuple[str, ...]) -> str:
    """A list of strings from a closed set, stored as small codes instead of one string per
    element (60 strings a row cost seconds to write; see docs/pipeline.md). Reads as text."""
    return "ENUM(" + ", ".join(f"'{v}'" for v in values) + ")[]"


def shot_zone_sql(shot_type: str, distance: str, source_zone: str) -> str:
    """The one zone rule for every table (documented in docs/models.md).

    Three if the shot is a 3PT attempt (or at least THREE_MIN_FEET away); else paint if the
    distance is known and at most PAINT_MAX_FEET; else mid-range if the distance is known;
    with no distance, the source's own zone label decides; otherwise the zone is unknown (NULL).
    """
    return (
        f"CASE WHEN {shot_type} = '3PT' THEN 'three' "
        f"WHEN {distance} IS NOT NULL AND {distance} >= {THREE_MIN_FEET} THEN 'three' "
        f"WHEN {distance} IS NOT NULL AND {distance} <= {PAINT_MAX_FEET} THEN 'paint' "
        f"WHEN {distance} IS NOT NULL THEN 'mid_range' "
        f"WHEN {source_zone} IN ('Restricted Area', 'In The Paint (Non-RA)') THEN 'paint' "
        f"WHEN {source_zone} = 'Mid-Range' THEN 'mid_range' "
        f"WHEN {source_zone} LIKE '%3' THEN 'three' "
        "END"
    )


def priority_sql(column: str, priorities: dict[str, int]) -> str:
    """SQL CASE giving a source's priority (unknown sources last)."""
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in priorities.items())
    return f"CASE {column} {whens} ELSE {DEFAULT_SOURCE_PRIORITY} END"


def hash_text_double(column: str) -> str:
    """A DOUBLE's text in a row's data_hash: fixed six decimals (DECIMAL(18,6), the same
    text in Spark), or its plain text where that cast fails (NaN, infinity, 1e12 and
    beyond); NULL stays NULL."""
    return (
        f"coalesce(CAST(TRY_CAST({column} AS DECIMAL(18, 6)) AS VARCHAR), "
        f"CAST({column} AS VARCHAR))"
    )


def window_ready(actual: str, expected: str) -> str:
    """SQL: a completeness window is production-ready, its actual games at least
    PRODUCTION_READY_PCT of the expected ones (so TRUE when none were expected; NULL when
    either count is NULL). Models write it as ``{{ WINDOW_READY(c.l5_actual, c.l5_expected) }}``."""
    return f"(100.0 * {actual} >= {PRODUCTION_READY_PCT!r} * {expected})"


def round_mean(total: str, count: str, digits: str) -> str:
    """The mean total / count rounded to ``digits`` decimals as SQL's ROUND does it (half away
    from zero) on the exact mean, as a DOUBLE; NULL when count is 0. ``total`` is an exact
    DECIMAL sum of values with at most 4 decimals. ROUND of avg() would round a DOUBLE: a mean
    of exactly 128.075 is the double 128.07499..., which rounds to 128.07, not 128.08. Here
    the mean is an integer ratio (ten-thousandths over count) rounded in integers."""
    d = int(digits)
    units = f"CAST(CAST({total} AS DECIMAL(38, 4)) * 10000 AS HUGEINT)"
    return (
        f"CASE WHEN {count} > 0 THEN CAST(sign({units}) * ((abs({units}) * {2 * 10**d} "
        f"+ 10000 * {count}) // (20000 * {count})) AS DOUBLE) / {10**d} END"
    )


def template_values() -> dict[str, str | Callable[..., str]]:
    """Every placeholder a model may use, rendered as SQL text, and the template functions
    (``{{ NAME(column) }}``)."""
    return {
        "HASH_TEXT_DOUBLE": hash_text_double,
        "ROUND_MEAN": round_mean,
        "WINDOW_READY": window_ready,
        "ML_FEATURE_NAMES": "CAST(["
        + ", ".join(f"'{n}'" for n in ML_FEATURE_NAMES)
        + f"] AS {dictionary_list_type(ML_FEATURE_NAMES)})",
        "ML_FEATURE_SOURCE_LIST": dictionary_list_type(ML_FEATURE_SOURCES),
        "PAINT_MAX_FEET": repr(PAINT_MAX_FEET),
        "THREE_MIN_FEET": repr(THREE_MIN_FEET),
        "FT_TRIP_FACTOR": repr(FT_TRIP_FACTOR),
        "REGULATION_MINUTES": str(REGULATION_MINUTES),
        "OVERTIME_MINUTES": str(OVERTIME_MINUTES),
        "PLAYERS_ON_COURT": str(PLAYERS_ON_COURT),
        "TEAM_REGULATION_MINUTES": str(REGULATION_MINUTES * PLAYERS_ON_COURT),
        "TEAM_OVERTIME_MINUTES": str(OVERTIME_MINUTES * PLAYERS_ON_COURT),
        "BOOTSTRAP_DAYS": str(BOOTSTRAP_DAYS),
        "FATIGUE_HEAVY_MINUTES_LAST_7": str(FATIGUE_HEAVY_MINUTES_LAST_7),
        "PRODUCTION_READY_PCT": repr(PRODUCTION_READY_PCT),
        "COMPLETENESS_GRACE_DAYS": str(COMPLETENESS_GRACE_DAYS),
        "SEASON_BOUNDARY_MONTHS": ", ".join(str(m) for m in SEASON_BOUNDARY_MONTHS),
        "SHOT_ZONE": shot_zone_sql("shot_type", "shot_distance", "source_zone"),
        "PBP_SOURCE_PRIORITY": priority_sql("source", PBP_SOURCE_PRIORITY),
        "BOXSCORE_SOURCE_PRIORITY": priority_sql("source", BOXSCORE_SOURCE_PRIORITY),
        # ORDER BY this, then bookmaker, to take DraftKings, then FanDuel, then A..Z.
        "BOOKMAKER_PRIORITY": priority_sql("bookmaker", BOOKMAKER_PRIORITY),
        "BACK_TO_BACK_DAYS_REST": str(BACK_TO_BACK_DAYS_REST),
        "EARTH_RADIUS_MILES": repr(EARTH_RADIUS_MILES),
        "DYNAMIC_MIN_DAYS": str(DYNAMIC_MIN_DAYS),
        "DYNAMIC_MIN_DAYS_PER_GAME": str(DYNAMIC_MIN_DAYS_PER_GAME),
        "TDZA_WINDOW_GAMES": str(TDZA_WINDOW_GAMES),
        "TDZA_DYNAMIC_MIN_BASE": str(TDZA_DYNAMIC_MIN_BASE),
        "TDZA_DYNAMIC_MIN_CAP": str(TDZA_DYNAMIC_MIN_CAP),
        "TDZA_MEDIUM_TIER_GAMES": str(TDZA_MEDIUM_TIER_GAMES),
        "LEAGUE_WINDOW_DAYS": str(LEAGUE_WINDOW_DAYS),
        "LEAGUE_MIN_TEAM_GAMES": str(LEAGUE_MIN_TEAM_GAMES),
        "LEAGUE_MIN_TEAMS": str(LEAGUE_MIN_TEAMS),
        "DEFAULT_LEAGUE_PAINT_PCT": repr(DEFAULT_LEAGUE_PAINT_PCT),
        "DEFAULT_LEAGUE_MID_RANGE_PCT": repr(DEFAULT_LEAGUE_MID_RANGE_PCT),
        "DEFAULT_LEAGUE_THREE_PT_PCT": repr(DEFAULT_LEAGUE_THREE_PT_PCT),
        "SHOTS_ONLY_SOURCE": f"'{SHOTS_ONLY_SOURCE}'",
        "SEASON_OPENERS": SEASON_OPENERS_SQL,
        "COUNTED_GAME": counted_game_sql,
    }
