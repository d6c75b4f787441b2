"""nba_analytics.player_game_summary, the legacy way (spec 4.1) with the documented fixes: for
each player of the date, his box-score row from the best source, shot zones, assisted and
unassisted makes, and-ones and blocks by zone from the game's best play-by-play source, the
team's totals and result from team_offense_game_summary, the preferred bookmaker's pre-game
line from player_prop_lines, quality and the row hash.

``summarize`` computes any set of games (tests use it on game lists); ``compute`` is one date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
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
from bench.reference.player_prop_lines import lines_of
from bench.reference.team_offense_game_summary import (
    FT_TRIP,
    TEAM_OVERTIME_MINUTES,
    box_priority,
    pbp_source_per_game,
    pick_schedule,
    ratio,
    zone_of,
)
from nbapipe import vocab

INJURY = (
    "injury",
    "illness",
    "sprain",
    "strain",
    "sore",
    "pain",
    "surgery",
    "concussion",
    "knee",
    "ankle",
    "back",
    "hamstring",
    "shoulder",
    "hip",
    "foot",
    "calf",
    "quad",
    "groin",
    "wrist",
    "elbow",
)
REST = ("rest", "load management", "recovery", "maintenance", "precautionary")
PERSONAL = ("personal", "family", "birth", "funeral", "bereavement")
COACH = ("coach", "decision", "not with team", "suspension", "team decision", "disciplinary")

# model column -> raw box column
BOX_COLUMNS = {
    "points": "points",
    "fg_makes": "field_goals_made",
    "fg_attempts": "field_goals_attempted",
    "three_pt_makes": "three_pointers_made",
    "three_pt_attempts": "three_pointers_attempted",
    "ft_makes": "free_throws_made",
    "ft_attempts": "free_throws_attempted",
    "offensive_rebounds": "offensive_rebounds",
    "defensive_rebounds": "defensive_rebounds",
    "total_rebounds": "total_rebounds",
    "assists": "assists",
    "steals": "steals",
    "blocks": "blocks",
    "turnovers": "turnovers",
    "personal_fouls": "personal_fouls",
    "plus_minus": "plus_minus",
}
# model column -> counter of the player's play-by-play events
ZONE_COLUMNS = {
    "paint_attempts": "paint_att",
    "paint_makes": "paint_made",
    "mid_range_attempts": "mid_range_att",
    "mid_range_makes": "mid_range_made",
    "three_attempts_pbp": "three_att",
    "three_makes_pbp": "three_made",
    "unknown_zone_attempts": "unknown_att",
}
DETAIL_COLUMNS = {
    "assisted_fg_makes": "assisted",
    "unassisted_fg_makes": "unassisted",
    "and1_count": "and1",
    "paint_blocks": "paint_blocks",
    "mid_range_blocks": "mid_range_blocks",
    "three_pt_blocks": "three_blocks",
}
# The columns data_hash covers, in order, and those of them the model holds as DOUBLE.
HASHED = (
    "game_id",
    "game_date",
    "player_lookup",
    "universal_player_id",
    "team_abbr",
    "opponent_team_abbr",
    "home_game",
    "player_status",
    "dnp_reason_category",
    "starter_flag",
    "minutes_played",
    "points",
    "fg_makes",
    "fg_attempts",
    "three_pt_makes",
    "three_pt_attempts",
    "ft_makes",
    "ft_attempts",
    "offensive_rebounds",
    "defensive_rebounds",
    "total_rebounds",
    "assists",
    "steals",
    "blocks",
    "turnovers",
    "personal_fouls",
    "plus_minus",
    *ZONE_COLUMNS,
    *DETAIL_COLUMNS,
    "efg_pct",
    "ts_pct",
    "usage_rate",
    "points_line",
    "opening_line",
    "points_line_source",
    "over_under_result",
    "win_flag",
    "source_boxscore",
    "source_pbp",
    "quality_tier",
    "quality_score",
)
HASHED_DOUBLES = frozenset(
    {"minutes_played", "efg_pct", "ts_pct", "usage_rate", "points_line", "opening_line"}
)


def category(reason: str | None) -> str:
    """The DNP reason's keyword bucket, first match in spec order; 'other' otherwise."""
    text = (reason or "").lower()
    for name, words in (
        ("injury", INJURY),
        ("rest", REST),
        ("personal", PERSONAL),
        ("coach_decision", COACH),
    ):
        if any(w in text for w in words):
            return name
    return "other"


def data_hash(row: Row) -> str:
    return row_hash(row, HASHED, HASHED_DOUBLES)


def _minutes_rank(r: Row) -> tuple:
    """One game per player and date: the row where he played, most minutes, lowest game id."""
    m = r["minutes"]
    return (r["player_status"] != "active", m is None, -(m or 0), r["game_id"])


def summarize(
    con: duckdb.DuckDBPyConnection,
    where: str,
    params: Sequence[Any],
    *,
    lines_from_raw: bool = False,
) -> dict[tuple, Row]:
    """Expected rows per (game_date, player_lookup) for the games ``where`` selects (a
    predicate on game_id/game_date valid for every input table). Team totals and results come
    from team_offense_game_summary, lines from player_prop_lines (or, with lines_from_raw,
    straight from nba_raw.player_props by the same rules)."""
    params = list(params)
    box_all = rows(con, f"SELECT * FROM nba_raw.player_boxscores WHERE {where}", params)
    events = rows(
        con,
        "SELECT game_id, source, event_type, event_subtype, shot_made, shot_type, "
        "shot_distance, source_zone, player_1_id, player_1_lookup, player_2_id, "
        f"player_2_lookup, player_2_role FROM nba_raw.play_by_play WHERE {where} "
        "AND event_type IN ('shot', 'free throw')",
        params,
    )
    schedule = pick_schedule(rows(con, f"SELECT * FROM nba_raw.schedule WHERE {where}", params))
    teams = {
        (t["game_id"], t["team_abbr"]): t
        for t in rows(
            con, f"SELECT * FROM nba_analytics.team_offense_game_summary WHERE {where}", params
        )
    }
    if lines_from_raw:
        book_lines = lines_of(
            rows(con, f"SELECT * FROM nba_raw.player_props WHERE {where}", params)
        )
    else:
        book_lines = rows(
            con, f"SELECT * FROM nba_analytics.player_prop_lines WHERE {where}", params
        )
    books: dict[tuple, list[Row]] = defaultdict(list)
    for b in book_lines:
        books[(b["game_id"], b["player_lookup"])].append(b)

    # Box: best source per (game, player), then one game per player and date.
    best: dict[tuple, Row] = {}
    for r in box_all:
        k = (r["game_id"], r["player_lookup"])
        rank = (box_priority(r["source"]), r["source"])
        if k not in best or rank < (box_priority(best[k]["source"]), best[k]["source"]):
            best[k] = r
    per_date: dict[tuple, Row] = {}
    for r in best.values():
        k = (r["game_date"], r["player_lookup"])
        if k not in per_date or _minutes_rank(r) < _minutes_rank(per_date[k]):
            per_date[k] = r
    lists_non_playing: dict[tuple, bool] = defaultdict(bool)
    for r in box_all:
        lists_non_playing[(r["game_id"], r["source"])] |= r["player_status"] != "active"
    listed_minutes: dict[tuple, float] = defaultdict(float)
    for r in per_date.values():
        if r["player_status"] == "active" and r["minutes"] is not None:
            listed_minutes[(r["game_id"], r["team_abbr"])] += r["minutes"]

    # Play-by-play: the game's preferred source with shots; ids resolve to box lookups.
    pbp_source = pbp_source_per_game([e for e in events if e["event_type"] == "shot"])
    ft_sources = {(e["game_id"], e["source"]) for e in events if e["event_type"] == "free throw"}
    by_id: dict[tuple, str] = {}
    for r in best.values():
        if r["nba_player_id"] is not None:
            k = (r["game_id"], r["nba_player_id"])
            by_id[k] = min(by_id.get(k, r["player_lookup"]), r["player_lookup"])
    counts: dict[tuple, defaultdict] = defaultdict(lambda: defaultdict(int))
    for e in events:
        g = e["game_id"]
        if pbp_source.get(g) != e["source"]:
            continue
        actor = by_id.get((g, e["player_1_id"]), e["player_1_lookup"])
        second = by_id.get((g, e["player_2_id"]), e["player_2_lookup"])
        if e["event_type"] == "free throw":
            if actor is not None and e["event_subtype"] == "free throw 1/1":
                counts[(g, actor)]["and1"] += 1
            continue
        z = zone_of(e["shot_type"], e["shot_distance"], e["source_zone"]) or "unknown"
        if actor is not None:
            c = counts[(g, actor)]
            c["fga"] += 1
            c["fgm"] += bool(e["shot_made"])
            c[f"{z}_att"] += 1
            c[f"{z}_made"] += bool(e["shot_made"])
            if e["shot_made"]:
                if e["player_2_role"] == "assist":
                    c["assisted"] += 1
                elif e["player_2_role"] != "block":
                    c["unassisted"] += 1
        if e["player_2_role"] == "block" and second is not None and z != "unknown":
            counts[(g, second)][f"{z}_blocks"] += 1

    out: dict[tuple, Row] = {}
    for (day, pl), r in per_date.items():
        g, team = r["game_id"], r["team_abbr"]
        active = r["player_status"] == "active"
        minutes = r["minutes"]
        sched = schedule.get(g)
        home = r["home_team_abbr"] or (sched["home_team_abbr"] if sched else None)
        away = r["away_team_abbr"] or (sched["away_team_abbr"] if sched else None)
        opponent = r["opponent_team_abbr"]
        if opponent is None:
            opponent = away if team == home else home if team == away else None
        exp: Row = {
            "game_id": g,
            "game_date": day,
            "season_year": r["season_year"],
            "season_type": sched["season_type"] if sched else None,
            "player_lookup": pl,
            "universal_player_id": r["universal_player_id"],
            "player_name": r["player_name"],
            "team_abbr": team,
            "opponent_team_abbr": opponent,
            "home_game": None if home is None else team == home,
            "player_status": r["player_status"],
            "is_active": active,
            "is_dnp": (not active) or minutes == 0,
            "dnp_reason": None if active else r["dnp_reason"],
            "dnp_reason_category": None if active else category(r["dnp_reason"]),
            "starter_flag": r["starter"],
            "minutes_played": sql_round_float(minutes, 1),
        }
        for col, raw in BOX_COLUMNS.items():
            exp[col] = r[raw]
        fga, fgm, fg3m = (
            r["field_goals_attempted"],
            r["field_goals_made"],
            r["three_pointers_made"],
        )
        fta, pts, tov = r["free_throws_attempted"], r["points"], r["turnovers"]

        # Zones for active players of games with play-by-play; detail with free throws.
        source_pbp = pbp_source.get(g)
        zones_apply = active and source_pbp is not None
        detail = zones_apply and (g, source_pbp) in ft_sources
        c = counts.get((g, pl), defaultdict(int))
        for col, k in ZONE_COLUMNS.items():
            exp[col] = c[k] if zones_apply else None
        for col, k in DETAIL_COLUMNS.items():
            exp[col] = c[k] if detail else None
        exp["has_complete_shot_zones"] = bool(
            zones_apply and c["unknown_att"] == 0 and c["fga"] == fga and c["fgm"] == fgm
        )
        zones_mismatch = bool(
            zones_apply
            and fga is not None
            and fgm is not None
            and (c["fga"], c["fgm"]) != (fga, fgm)
        )

        # Shooting and usage (team minutes include overtime, spec 9.18).
        exp["efg_pct"] = (
            sql_round_float(ratio(fgm + Decimal("0.5") * fg3m, fga), 3)
            if fga and fgm is not None and fg3m is not None
            else None
        )
        exp["ts_pct"] = (
            sql_round_float(ratio(pts, 2 * (fga + FT_TRIP * fta)), 3)
            if fga is not None and fta is not None and fga + fta > 0 and pts is not None
            else None
        )
        t = teams.get((g, team))
        incomplete = bool(
            t is not None
            and t["primary_source_used"].endswith(":rebuilt_from_players")
            and listed_minutes.get((g, team), 0) < t["team_minutes"] - TEAM_OVERTIME_MINUTES
        )
        usage = None
        if t is not None and not incomplete and minutes is not None and minutes > 0:
            tm_poss = t["fg_attempts"] + FT_TRIP * t["ft_attempts"] + t["turnovers"]
            if tm_poss > 0 and None not in (fga, fta, tov):
                own = 100 * (fga + FT_TRIP * fta + tov)
                usage = sql_round_float(
                    float(own)
                    * (t["team_minutes"] / vocab.PLAYERS_ON_COURT)
                    / (minutes * float(tm_poss)),
                    1,
                )
        exp.update(
            usage_rate=usage,
            team_minutes=t["team_minutes"] if t else None,
            team_stats_available=t is not None,
            team_totals_incomplete=incomplete,
            win_flag=t["win_flag"] if t else None,
            team_margin=t["margin_of_victory"] if t else None,
        )

        # The line: DraftKings, FanDuel, then the other books A..Z; graded with PUSH (9.2).
        cand = books.get((g, pl), [])
        pick = min(cand, key=lambda b: (b["book_priority"], b["bookmaker"])) if cand else None
        line = pick["current_line"] if pick else None
        exp.update(
            points_line=line,
            opening_line=pick["opening_line"] if pick else None,
            line_movement=line - pick["opening_line"] if pick else None,
            points_line_source=pick["bookmaker"] if pick else None,
            points_line_snapshot_at=pick["current_snapshot_at"] if pick else None,
            lines_book_count=len(cand),
            over_under_result=(
                None
                if line is None or pts is None
                else "OVER"
                if pts > line
                else "UNDER"
                if pts < line
                else "PUSH"
            ),
            margin=None if line is None or pts is None else sql_round_float(pts - line, 2),
            primary_source_used=r["source"],
            source_boxscore=r["source"],
            source_pbp=source_pbp,
            source_props=f"{pick['source']}:{pick['bookmaker']}" if pick else None,
            box_lists_non_playing=lists_non_playing[(g, r["source"])],
        )

        # Quality.
        full_box = exp["box_lists_non_playing"]
        exp["quality_tier"] = "gold" if full_box and source_pbp is not None else "silver"
        exp["quality_score"] = (
            (100 if full_box else 85)
            - (5 if active and r["plus_minus"] is None else 0)
            - (5 if source_pbp is None else 0)
        )
        if t is None:
            flag = "partial_no_team_stats"
        elif incomplete:
            flag = "partial_incomplete_team_stats"
        elif zones_mismatch:
            flag = "partial_zones_mismatch"
        else:
            flag = "complete"
        exp["data_quality_flag"] = flag
        exp["is_production_ready"] = exp["quality_score"] >= 50 and flag in (
            "complete",
            "partial_zones_mismatch",
        )
        exp["data_hash"] = data_hash(exp)
        out[(day, pl)] = exp
    return out


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    out = list(summarize(con, "game_date = ?", [day]).values())
    return Answer(rows=out, failures=missing_team_games(con, day, out, "team_abbr"))


REFERENCE = register(
    Reference(
        table="nba_analytics.player_game_summary",
        key=("player_lookup",),
        compute=compute,
    )
)
