"""nba_analytics.team_offense_game_summary, the legacy way (spec 4.2): per team-game of the
date, the best team box score (or one rebuilt from the team's player rows), possessions and
ratings, the opponent's points, shot zones and blocks by zone from the game's best
play-by-play source, and the row hash.

Also home of the helpers every game-summary reference shares: the zone rule, source priorities
and the exact (decimal) arithmetic DuckDB does on ``0.44``-style literals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import duckdb

from bench.reference import register
from bench.reference.base import (
    Answer,
    Reference,
    Row,
    missing_team_games,
    row_hash,
    rows,
    sql_round_float,
)
from nbapipe import vocab

FT_TRIP = Decimal(repr(vocab.FT_TRIP_FACTOR))  # a DECIMAL literal in SQL: exact arithmetic
TEAM_REGULATION_MINUTES = vocab.REGULATION_MINUTES * vocab.PLAYERS_ON_COURT
TEAM_OVERTIME_MINUTES = vocab.OVERTIME_MINUTES * vocab.PLAYERS_ON_COURT

# raw box-score column -> TOGS column
BOX_STATS = {
    "points": "points_scored",
    "field_goals_made": "fg_makes",
    "field_goals_attempted": "fg_attempts",
    "three_pointers_made": "three_pt_makes",
    "three_pointers_attempted": "three_pt_attempts",
    "free_throws_made": "ft_makes",
    "free_throws_attempted": "ft_attempts",
    "offensive_rebounds": "offensive_rebounds",
    "defensive_rebounds": "defensive_rebounds",
    "total_rebounds": "total_rebounds",
    "assists": "assists",
    "steals": "steals",
    "blocks": "blocks",
    "turnovers": "turnovers",
    "personal_fouls": "personal_fouls",
}
ZONE_COLUMNS = (
    "team_paint_attempts",
    "team_paint_makes",
    "team_mid_range_attempts",
    "team_mid_range_makes",
    "team_three_attempts_pbp",
    "team_three_makes_pbp",
    "team_unknown_zone_attempts",
    "points_in_paint_scored",
    "blocks_paint",
    "blocks_mid_range",
    "blocks_three_pt",
)
# The columns data_hash covers, in order (every column of the row), and those of them the
# model holds as DOUBLE.
HASHED = (
    "game_id",
    "game_date",
    "season_year",
    "team_abbr",
    "opponent_team_abbr",
    "home_game",
    *BOX_STATS.values(),
    "team_minutes",
    "overtime_periods",
    "possessions",
    "offensive_rating",
    "pace",
    "ts_pct",
    "efg_pct",
    "opponent_points",
    "win_flag",
    "margin_of_victory",
    *ZONE_COLUMNS,
    "shot_zones_available",
    "shot_zones_source",
    "primary_source_used",
    "quality_tier",
    "quality_score",
)
HASHED_DOUBLES = frozenset({"possessions", "offensive_rating", "pace", "ts_pct", "efg_pct"})


def data_hash(row: Row) -> str:
    return row_hash(row, HASHED, HASHED_DOUBLES)


def box_priority(source: str) -> int:
    return vocab.BOXSCORE_SOURCE_PRIORITY.get(source, vocab.DEFAULT_SOURCE_PRIORITY)


def pbp_priority(source: str) -> int:
    return vocab.PBP_SOURCE_PRIORITY.get(source, vocab.DEFAULT_SOURCE_PRIORITY)


def zone_of(shot_type: str | None, distance: float | None, source_zone: str | None) -> str | None:
    """Spec 3.13 as adopted in docs/pipeline.md: three, paint (<= 8 ft), mid-range, unknown."""
    if shot_type == "3PT" or (distance is not None and distance >= vocab.THREE_MIN_FEET):
        return "three"
    if distance is not None:
        return "paint" if distance <= vocab.PAINT_MAX_FEET else "mid_range"
    if source_zone in ("Restricted Area", "In The Paint (Non-RA)"):
        return "paint"
    if source_zone == "Mid-Range":
        return "mid_range"
    if source_zone and source_zone.endswith("3"):
        return "three"
    return None


def ratio(num: Decimal | int | None, den: Decimal | int | None) -> float | None:
    """num / den as SQL divides exact decimals: both to DOUBLE, then divide; NULL on 0."""
    if num is None or den is None or den == 0:
        return None
    return float(num) / float(den)


def pick_schedule(schedule: list[Row]) -> dict[str, Row]:
    """One schedule row per game: the most advanced status, then the first source."""
    best: dict[str, Row] = {}
    for r in sorted(schedule, key=lambda r: (-(r["game_status"] or -1), r["source"])):
        best.setdefault(r["game_id"], r)
    return best


def pbp_source_per_game(shots: list[Row]) -> dict[str, str]:
    """The game's preferred play-by-play source among those with shots."""
    sources: dict[str, set[str]] = defaultdict(set)
    for s in shots:
        sources[s["game_id"]].add(s["source"])
    return {g: min(srcs, key=lambda s: (pbp_priority(s), s)) for g, srcs in sources.items()}


def _sum(values: list[Any]) -> Any:
    vals = [v for v in values if v is not None]
    return sum(vals) if vals else None


def rebuilt_teams(players: list[Row]) -> list[Row]:
    """Team lines summed from each source's active player rows, only when they cover a game."""
    groups: dict[tuple, list[Row]] = defaultdict(list)
    for p in players:
        if p["player_status"] == "active":
            groups[(p["game_id"], p["team_abbr"], p["source"])].append(p)
    out = []
    for (game_id, team, source), members in groups.items():
        fga = _sum([m["field_goals_attempted"] for m in members])
        minutes = _sum([m["minutes"] for m in members])
        if len(members) < 5 or fga is None or fga <= 0:
            continue
        if minutes is None or minutes < TEAM_REGULATION_MINUTES - TEAM_OVERTIME_MINUTES:
            continue
        row = {
            "game_id": game_id,
            "game_date": min(m["game_date"] for m in members),
            "season_year": min(m["season_year"] for m in members),
            "team_abbr": team,
            "opponent_team_abbr": min(
                (m["opponent_team_abbr"] for m in members if m["opponent_team_abbr"]),
                default=None,
            ),
            "is_home": _bool_or([m["team_abbr"] == m["home_team_abbr"] for m in members]),
            "minutes": minutes,
            "source": source,
            "kind": "rebuilt_from_players",
        }
        for raw in BOX_STATS:
            row[raw] = _sum([m[raw] for m in members])
        out.append(row)
    return out


def _bool_or(values: list[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    return False if any(v is False for v in values) else None


def best_team_boxes(team_box: list[Row], players: list[Row]) -> dict[tuple, Row]:
    """(game_id, team) -> the chosen box: a team box score before a rebuilt one, then source
    priority, then the most FGA."""
    candidates = [
        {**t, "kind": "team_boxscore"}
        for t in team_box
        if t["field_goals_attempted"] is not None and t["field_goals_attempted"] > 0
    ] + rebuilt_teams(players)
    best: dict[tuple, Row] = {}

    def rank(r: Row) -> tuple:
        return (
            r["kind"] != "team_boxscore",
            box_priority(r["source"]),
            -r["field_goals_attempted"],
        )

    for c in candidates:
        k = (c["game_id"], c["team_abbr"])
        if k not in best or rank(c) < rank(best[k]):
            best[k] = c
    return best


def load(con: duckdb.DuckDBPyConnection, day: dt.date) -> dict[str, list[Row]]:
    return {
        "schedule": rows(con, "SELECT * FROM nba_raw.schedule WHERE game_date = ?", [day]),
        "team_box": rows(con, "SELECT * FROM nba_raw.team_boxscores WHERE game_date = ?", [day]),
        "players": rows(con, "SELECT * FROM nba_raw.player_boxscores WHERE game_date = ?", [day]),
        "shots": rows(
            con,
            "SELECT game_id, team_abbr, source, shot_made, shot_type, shot_distance, "
            "source_zone, player_2_role FROM nba_raw.play_by_play "
            "WHERE game_date = ? AND event_type = 'shot'",
            [day],
        ),
    }


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    data = load(con, day)
    schedule = pick_schedule(data["schedule"])
    teams = best_team_boxes(data["team_box"], data["players"])
    pbp_source = pbp_source_per_game(data["shots"])

    # Zones per (game, shooting team) from the game's chosen play-by-play source.
    zones: dict[tuple, dict[str, int]] = {}
    blocked: dict[tuple, dict[str, int]] = {}  # (game, shooting team) -> blocks by zone
    secondary: dict[str, bool] = defaultdict(bool)
    for s in data["shots"]:
        g = s["game_id"]
        if pbp_source.get(g) != s["source"]:
            continue
        secondary[g] |= s["player_2_role"] is not None
        z = zone_of(s["shot_type"], s["shot_distance"], s["source_zone"]) or "unknown"
        c = zones.setdefault((g, s["team_abbr"]), defaultdict(int))
        c[f"{z}_att"] += 1
        c[f"{z}_made"] += bool(s["shot_made"])
        if s["player_2_role"] == "block":
            blocked.setdefault((g, s["team_abbr"]), defaultdict(int))[z] += 1

    out = []
    for (g, team), b in teams.items():
        opp = next((o for (og, ot), o in teams.items() if og == g and ot != team), None)
        sched = schedule.get(g)
        if sched is not None and sched["periods"] is not None:
            overtime = max(sched["periods"] - 4, 0)
        else:
            minutes = b["minutes"] if b["minutes"] is not None else TEAM_REGULATION_MINUTES
            overtime = max(
                int(sql_round_float((minutes - TEAM_REGULATION_MINUTES) / TEAM_OVERTIME_MINUTES)),
                0,
            )
        team_minutes = TEAM_REGULATION_MINUTES + TEAM_OVERTIME_MINUTES * overtime
        fga, fta = b["field_goals_attempted"], b["free_throws_attempted"]
        pts = b["points"]
        exact_poss = fga + FT_TRIP * fta + b["turnovers"] - b["offensive_rebounds"]
        raw_poss = float(exact_poss)
        row: Row = {
            "game_id": g,
            "game_date": b["game_date"],
            "season_year": b["season_year"],
            "team_abbr": team,
            "opponent_team_abbr": b["opponent_team_abbr"],
            "home_game": b["is_home"],
        }
        for raw, col in BOX_STATS.items():
            row[col] = b[raw]
        opp_pts = opp["points"] if opp else None
        row.update(
            team_minutes=team_minutes,
            overtime_periods=overtime,
            possessions=sql_round_float(raw_poss, 1),
            offensive_rating=sql_round_float(ratio(100 * pts, exact_poss), 2),
            pace=sql_round_float(
                raw_poss * vocab.REGULATION_MINUTES / (team_minutes / vocab.PLAYERS_ON_COURT), 1
            ),
            ts_pct=sql_round_float(ratio(pts, 2 * (fga + FT_TRIP * fta)), 3),
            efg_pct=sql_round_float(
                ratio(b["field_goals_made"] + Decimal("0.5") * b["three_pointers_made"], fga), 3
            ),
            opponent_points=opp_pts,
            win_flag=None if opp_pts is None or pts is None else pts > opp_pts,
            margin_of_victory=None if opp_pts is None or pts is None else pts - opp_pts,
        )
        z = zones.get((g, team))
        if z is None:
            for col in (*ZONE_COLUMNS, "shot_zones_source"):
                row[col] = None
        else:
            # Blocks this team made: the opponent's shots it blocked; unknown without blockers.
            k = blocked.get((g, row["opponent_team_abbr"]), {})
            has_blockers = secondary[g]
            row.update(
                team_paint_attempts=z["paint_att"],
                team_paint_makes=z["paint_made"],
                team_mid_range_attempts=z["mid_range_att"],
                team_mid_range_makes=z["mid_range_made"],
                team_three_attempts_pbp=z["three_att"],
                team_three_makes_pbp=z["three_made"],
                team_unknown_zone_attempts=z["unknown_att"],
                points_in_paint_scored=2 * z["paint_made"],
                blocks_paint=k.get("paint", 0) if has_blockers else None,
                blocks_mid_range=k.get("mid_range", 0) if has_blockers else None,
                blocks_three_pt=k.get("three", 0) if has_blockers else None,
                shot_zones_source=pbp_source[g],
            )
        gold = b["kind"] == "team_boxscore"
        row.update(
            shot_zones_available=z is not None,
            primary_source_used=f"{b['source']}:{b['kind']}",
            quality_tier="gold" if gold else "silver",
            quality_score=(100 if gold else 85) - (0 if z is not None else 5),
        )
        row["data_hash"] = data_hash(row)
        out.append(row)
    return Answer(rows=out, failures=missing_team_games(con, day, out, "team_abbr"))


REFERENCE = register(
    Reference(
        table="nba_analytics.team_offense_game_summary",
        key=("team_abbr",),
        compute=compute,
    )
)
