"""nba_analytics.team_defense_game_summary, the legacy way (spec 4.3, "flip the perspective"):
for each team of the date, the opponent's offensive line (as stored in
team_offense_game_summary) is this team's defence; the team's own line gives its steals,
blocks, blocks by zone, fouls and result; then the row hash.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from bench.reference import register
from bench.reference.base import Answer, Reference, Row, missing_team_games, row_hash, rows

# defence column <- opponent's offence column
FROM_OPPONENT = {
    "points_allowed": "points_scored",
    "opp_fg_makes": "fg_makes",
    "opp_fg_attempts": "fg_attempts",
    "opp_three_pt_makes": "three_pt_makes",
    "opp_three_pt_attempts": "three_pt_attempts",
    "opp_ft_makes": "ft_makes",
    "opp_ft_attempts": "ft_attempts",
    "opp_offensive_rebounds": "offensive_rebounds",
    "opp_rebounds": "total_rebounds",
    "opp_assists": "assists",
    "turnovers_forced": "turnovers",
    "opp_possessions": "possessions",
    "defensive_rating": "offensive_rating",
    "opponent_pace": "pace",
    "opponent_ts_pct": "ts_pct",
    "opp_paint_attempts": "team_paint_attempts",
    "opp_paint_makes": "team_paint_makes",
    "opp_mid_range_attempts": "team_mid_range_attempts",
    "opp_mid_range_makes": "team_mid_range_makes",
    "opp_three_attempts_pbp": "team_three_attempts_pbp",
    "opp_three_makes_pbp": "team_three_makes_pbp",
    "opp_unknown_zone_attempts": "team_unknown_zone_attempts",
    "shot_zones_available": "shot_zones_available",
    "shot_zones_source": "shot_zones_source",
    "primary_source_used": "primary_source_used",
    "quality_tier": "quality_tier",
    "quality_score": "quality_score",
}
# defence column <- the defender's own offence-row column
FROM_DEFENDER = {
    "game_id": "game_id",
    "season_year": "season_year",
    "defending_team_abbr": "team_abbr",
    "opponent_team_abbr": "opponent_team_abbr",
    "home_game": "home_game",
    "fouls_committed": "personal_fouls",
    "steals": "steals",
    "blocks": "blocks",
    "defensive_rebounds": "defensive_rebounds",
    "win_flag": "win_flag",
    "margin_of_victory": "margin_of_victory",
    "overtime_periods": "overtime_periods",
    "blocks_paint": "blocks_paint",
    "blocks_mid_range": "blocks_mid_range",
    "blocks_three_pt": "blocks_three_pt",
}
# The columns data_hash covers, in order (every column of the row), and those of them the
# model holds as DOUBLE.
HASHED = (
    "game_id",
    "game_date",
    "season_year",
    "defending_team_abbr",
    "opponent_team_abbr",
    "home_game",
    "points_allowed",
    "opp_fg_makes",
    "opp_fg_attempts",
    "opp_three_pt_makes",
    "opp_three_pt_attempts",
    "opp_ft_makes",
    "opp_ft_attempts",
    "opp_offensive_rebounds",
    "opp_rebounds",
    "opp_assists",
    "turnovers_forced",
    "fouls_committed",
    "steals",
    "blocks",
    "defensive_rebounds",
    "opp_possessions",
    "defensive_rating",
    "opponent_pace",
    "opponent_ts_pct",
    "win_flag",
    "margin_of_victory",
    "overtime_periods",
    "opp_paint_attempts",
    "opp_paint_makes",
    "opp_mid_range_attempts",
    "opp_mid_range_makes",
    "opp_three_attempts_pbp",
    "opp_three_makes_pbp",
    "opp_unknown_zone_attempts",
    "points_in_paint_allowed",
    "mid_range_points_allowed",
    "three_pt_points_allowed",
    "blocks_paint",
    "blocks_mid_range",
    "blocks_three_pt",
    "shot_zones_available",
    "shot_zones_source",
    "primary_source_used",
    "quality_tier",
    "quality_score",
)
HASHED_DOUBLES = frozenset(
    {"opp_possessions", "defensive_rating", "opponent_pace", "opponent_ts_pct"}
)


def data_hash(row: Row) -> str:
    return row_hash(row, HASHED, HASHED_DOUBLES)


def times(k: int, x: int | None) -> int | None:
    return None if x is None else k * x


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    offence = rows(
        con, "SELECT * FROM nba_analytics.team_offense_game_summary WHERE game_date = ?", [day]
    )
    out = []
    for d in offence:
        # The opponent's row of the same game; a game with one team row has no defence row.
        o = next(
            (
                r
                for r in offence
                if r["game_id"] == d["game_id"] and r["team_abbr"] == d["opponent_team_abbr"]
            ),
            None,
        )
        if o is None:
            continue
        row: Row = {"game_date": d["game_date"]}
        row.update({col: d[src] for col, src in FROM_DEFENDER.items()})
        row.update({col: o[src] for col, src in FROM_OPPONENT.items()})
        row["points_in_paint_allowed"] = times(2, o["team_paint_makes"])
        row["mid_range_points_allowed"] = times(2, o["team_mid_range_makes"])
        row["three_pt_points_allowed"] = times(3, o["three_pt_makes"])
        row["data_hash"] = data_hash(row)
        out.append(row)
    return Answer(rows=out, failures=missing_team_games(con, day, out, "defending_team_abbr"))


REFERENCE = register(
    Reference(
        table="nba_analytics.team_defense_game_summary",
        key=("defending_team_abbr",),
        compute=compute,
    )
)
