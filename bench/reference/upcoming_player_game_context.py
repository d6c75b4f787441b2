"""upcoming_player_game_context (spec 4.4) the legacy way: for one date, the players of its
games (those who appeared in a played game; for a game without results, the rostered players
minus those listed out), then per player his games played this season before the date in
Python: rest, load, scoring windows, prop streaks against his line; per team its last 10 games
(pace, defensive rating); star teammates listed out before tip-off; the team context, prop line
and completeness rows of the date.

Written from spec 4.4 and the model's column docs, with the documented fixes: days_rest 0 =
back-to-back like the team table (9.7), case-insensitive statuses (9.4), opponent pace and
star stats over the actual season rather than hard-coded dates (9.5).
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
    season_openers,
    sql_round_float,
    window_ready,
)
from bench.reference.base import sql_round as round_exact
from nbapipe import vocab

TABLE = "nba_analytics.upcoming_player_game_context"

STREAK_DAYS, STREAK_GAMES = 60, 20  # prop streaks: his last 20 games of the last 60 days
TEAM_GAMES = 10  # team pace / defensive rating window
STAR_MIN_GAMES, STAR_POINTS, STAR_MINUTES, STAR_MINUTES_POINTS = 10, 18, 28, 12
OUT_STATUSES = ("out", "doubtful")
# The columns data_hash covers, in order, and those the model holds as DOUBLE. Its concat_ws
# leaves a NULL out, except the status and the line's source, which are '' when NULL.
HASHED = (
    "game_id",
    "player_lookup",
    "team_abbr",
    "is_future_game",
    "injury_status",
    "current_points_line",
    "opening_points_line",
    "current_points_line_source",
    "game_spread",
    "game_total",
    "days_rest",
    "games_in_last_7_days",
    "minutes_in_last_7_days",
    "points_avg_last_5",
    "points_avg_last_10",
    "prop_over_streak",
    "prop_under_streak",
    "opponent_pace_last_10",
    "star_teammates_out",
)
HASHED_DOUBLES = frozenset(
    {
        "current_points_line",
        "opening_points_line",
        "game_spread",
        "game_total",
        "minutes_in_last_7_days",
        "points_avg_last_5",
        "points_avg_last_10",
        "opponent_pace_last_10",
    }
)
HASHED_BLANK = ("injury_status", "current_points_line_source")


def exact(x: float | int | None) -> Fraction | None:
    """The decimal a stored double stands for (31.15 minutes, not 31.149999...): its shortest
    repr, exactly."""
    return None if x is None else Fraction(repr(x))


def mean(values: list) -> Fraction | None:
    vals = [exact(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def r(x: Fraction | None, digits: int) -> float | None:
    return round_exact(x, digits)


def load(con: duckdb.DuckDBPyConnection, day: dt.date) -> dict:
    games = rows(
        con,
        "SELECT game_id, game_date, season_year, home_team_abbr, away_team_abbr, "
        "game_start_time FROM nba_raw.schedule WHERE game_date = ? "
        "QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY game_status DESC, source) = 1",
        [day],
    )
    seasons = sorted({g["season_year"] for g in games}) or [-1]
    marks = ", ".join("?" * len(seasons))
    pgs = rows(
        con,
        "SELECT game_id, game_date, season_year, player_lookup, player_name, team_abbr, "
        "is_active, minutes_played, points, usage_rate FROM nba_analytics.player_game_summary "
        f"WHERE season_year IN ({marks}) AND game_date <= ?",
        [*seasons, day],
    )
    ids = [g["game_id"] for g in games] or [""]
    gmarks = ", ".join("?" * len(ids))
    return {
        "games": games,
        "pgs": pgs,
        "injuries": rows(
            con,
            "SELECT game_id, player_lookup, team_abbr, injury_status, reason, "
            f"report_timestamp, source FROM nba_raw.injury_report WHERE game_id IN ({gmarks})",
            ids,
        ),
        "rosters": rows(
            con,
            "SELECT team_abbr, player_lookup FROM nba_raw.team_rosters WHERE start_date <= ? "
            "AND (end_date IS NULL OR end_date >= ?)",
            [day, day],
        ),
        "roster_names": rows(
            con, "SELECT player_lookup, player_name, start_date FROM nba_raw.team_rosters"
        ),
        "props": rows(
            con,
            "SELECT game_id, player_lookup, bookmaker, book_priority, opening_line, current_line "
            "FROM nba_analytics.player_prop_lines WHERE game_date = ?",
            [day],
        ),
        "team_games": rows(
            con,
            "SELECT o.team_abbr, o.game_date, o.season_year, o.pace, d.defensive_rating "
            "FROM nba_analytics.team_offense_game_summary AS o "
            "JOIN nba_analytics.team_defense_game_summary AS d "
            "ON d.game_id = o.game_id AND d.defending_team_abbr = o.team_abbr "
            f"WHERE o.season_year IN ({marks}) AND o.game_date < ?",
            [*seasons, day],
        ),
        "team_context": {
            c["team_abbr"]: c
            for c in rows(
                con,
                "SELECT * FROM nba_analytics.upcoming_team_game_context WHERE game_date = ?",
                [day],
            )
        },
        "openers": season_openers(con),
        "completeness": {
            c["player_lookup"]: c
            for c in rows(
                con,
                "SELECT * FROM nba_analytics.player_completeness WHERE analysis_date = ?",
                [day],
            )
        },
        # registry players by their lookup first, then aliases of lookups nobody holds
        "registry": dict(
            con.execute(
                "SELECT alias_lookup, universal_player_id FROM nba_reference.player_aliases"
            ).fetchall()
        )
        | {
            lookup: min(ids)
            for lookup, ids in con.execute(
                "SELECT player_lookup, list(universal_player_id) "
                "FROM nba_reference.nba_players_registry GROUP BY 1"
            ).fetchall()
        },
    }


def latest_statuses(injuries: list[Row], games: dict[str, Row]) -> dict[tuple[str, str], Row]:
    """Per (game, player) the latest report before tip-off (ties: source)."""
    latest: dict[tuple[str, str], Row] = {}
    for i in sorted(injuries, key=lambda i: i["source"], reverse=True):
        tipoff = games[i["game_id"]]["game_start_time"]
        if tipoff is not None and not (i["report_timestamp"] < tipoff):
            continue
        key = (i["game_id"], i["player_lookup"])
        if key not in latest or i["report_timestamp"] >= latest[key]["report_timestamp"]:
            latest[key] = i
    return {
        k: {
            **v,
            # statuses in any case and padding (spec 9.4)
            "status": None if v["injury_status"] is None else v["injury_status"].strip().lower(),
        }
        for k, v in latest.items()
    }


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    data = load(con, day)
    games = {g["game_id"]: g for g in data["games"]}
    sides: dict[tuple[str, str], Row] = {}
    for g in data["games"]:
        sides[(g["game_id"], g["home_team_abbr"])] = {**g, "opp": g["away_team_abbr"], "home": True}
        sides[(g["game_id"], g["away_team_abbr"])] = {
            **g,
            "opp": g["home_team_abbr"],
            "home": False,
        }
    status = latest_statuses(data["injuries"], games)

    # history: games played (active, minutes > 0) before the date, per player and season
    history: dict[tuple[str, int], list[Row]] = defaultdict(list)
    today = [p for p in data["pgs"] if p["game_date"] == day]
    for p in data["pgs"]:
        if p["game_date"] < day and p["is_active"] and (p["minutes_played"] or 0) > 0:
            history[(p["player_lookup"], p["season_year"])].append(p)
    for h in history.values():
        h.sort(key=lambda p: p["game_date"], reverse=True)

    # who gets a row
    driver: dict[tuple[str, str], tuple[str, bool]] = {}
    for p in today:
        if p["is_active"] and (p["minutes_played"] or 0) > 0:
            driver[(p["game_id"], p["player_lookup"])] = (p["team_abbr"], False)
    with_results = {p["game_id"] for p in today}
    for (game_id, team), _side in sides.items():
        if game_id in with_results:
            continue
        for ro in data["rosters"]:
            if ro["team_abbr"] != team:
                continue
            st = status.get((game_id, ro["player_lookup"]))
            if st is not None and st["status"] == "out":
                continue
            driver.setdefault((game_id, ro["player_lookup"]), (team, True))
    targets = [
        (game_id, player, team, future)
        for (game_id, player), (team, future) in driver.items()
        if (game_id, team) in sides
    ]

    team_recent = team_windows(data["team_games"], sides)
    props = prop_choice(data["props"])
    names = display_names(data["pgs"], data["roster_names"])

    def season_stats(player: str, season: int) -> tuple[int, Fraction | None, Fraction | None]:
        h = history.get((player, season), [])
        return len(h), mean([p["points"] for p in h]), mean([p["minutes_played"] for p in h])

    def is_star(player: str, season: int) -> bool:
        n, pts, mins = season_stats(player, season)
        return (
            n >= STAR_MIN_GAMES
            and pts is not None
            and (
                pts >= STAR_POINTS
                or (mins is not None and mins >= STAR_MINUTES and pts >= STAR_MINUTES_POINTS)
            )
        )

    # each team's possible stars: its players with a row, and those on the report for it
    teammates: dict[tuple[str, str], set[str]] = defaultdict(set)
    for game_id, player, team, _ in targets:
        teammates[(game_id, team)].add(player)
    for (game_id, player), st in status.items():
        teammates[(game_id, st["team_abbr"])].add(player)

    answer = Answer()
    for game_id, player, team, future in targets:
        g = sides[(game_id, team)]
        season = g["season_year"]
        h = history.get((player, season), [])
        row = player_row(day, h, props.get((game_id, player)))
        st = status.get((game_id, player))
        out = questionable = 0
        for mate in teammates[(game_id, team)] - {player}:
            mate_status = status.get((game_id, mate))
            if mate_status is None or not is_star(mate, season):
                continue
            out += mate_status["status"] in OUT_STATUSES
            questionable += mate_status["status"] == "questionable"
        tr, orr = team_recent.get((game_id, team)), team_recent.get((game_id, g["opp"]))
        u = data["team_context"].get(team, {})
        c = data["completeness"].get(player)
        games_played = row["games_played_season"]
        row.update(
            game_id=game_id,
            game_date=day,
            season_year=season,
            player_lookup=player,
            universal_player_id=data["registry"].get(player),
            player_name=names.get(player),
            team_abbr=team,
            opponent_team_abbr=g["opp"],
            home_game=g["home"],
            is_future_game=future,
            injury_status=None if st is None else st["status"],
            injury_reason=None if st is None else st["reason"],
            game_spread=u.get("current_spread"),
            opening_spread=u.get("opening_spread"),
            spread_movement=u.get("spread_movement"),
            game_total=u.get("current_total"),
            opening_total=u.get("opening_total"),
            total_movement=u.get("total_movement"),
            team_pace_last_10=r(tr and tr[0], 1),
            opponent_pace_last_10=r(orr and orr[0], 1),
            opponent_def_rating_last_10=r(orr and orr[1], 2),
            pace_differential=None
            if tr is None or orr is None or tr[0] is None or orr[0] is None
            # the model subtracts the two averages as doubles, then rounds that double
            else sql_round_float(float(tr[0]) - float(orr[0]), 1),
            star_teammates_out=out,
            questionable_star_teammates=questionable,
            team_days_rest=u.get("days_rest"),
            opponent_days_rest=u.get("opponent_days_rest"),
            travel_miles=u.get("travel_miles"),
            l5_completeness_pct=c and c["l5_pct"],
            l10_completeness_pct=c and c["l10_pct"],
            l7d_completeness_pct=c and c["l7d_pct"],
            l14d_completeness_pct=c and c["l14d_pct"],
            l30d_completeness_pct=c and c["l30d_pct"],
            all_windows_complete=True if c is None else c["all_windows_complete"],
            is_production_ready=context_ready(day, c, data["openers"].get(season), games_played),
            season_phase={
                10: "early",
                11: "early",
                12: "mid",
                1: "mid",
                2: "mid",
                3: "late",
                4: "late",
            }.get(day.month, "postseason"),
            quality_tier="gold"
            if games_played >= 10
            else "silver"
            if games_played >= 5
            else "bronze",
            quality_score=95 if games_played >= 10 else 75 if games_played >= 5 else 50,
        )
        hashed = row | {c: row[c] or "" for c in HASHED_BLANK}
        row["data_hash"] = row_hash(hashed, HASHED, HASHED_DOUBLES, dropped=HASHED)
        answer.rows.append(row)
    return answer


def context_ready(day: dt.date, c: Row | None, opener: dt.date | None, played: int) -> bool:
    """Spec 4.4: ready without a game this season, in the first 30 days after the opener and
    in the season-boundary months; else every one of the five windows at least 70% complete
    (not ready when his completeness row is missing: its date failed)."""
    if not played:
        return True
    if opener is not None and (day - opener).days < vocab.COMPLETENESS_GRACE_DAYS:
        return True
    if day.month in vocab.SEASON_BOUNDARY_MONTHS:
        return True
    return c is not None and all(
        window_ready(c[f"{w}_actual"], c[f"{w}_expected"])
        for w in ("l5", "l10", "l7d", "l14d", "l30d")
    )


def player_row(day: dt.date, h: list[Row], prop: Row | None) -> Row:
    """His rest, load, scoring and prop streaks from his games played before the date
    (newest first)."""
    last5, last7, last10 = h[:5], h[:7], h[:10]
    in7 = [p for p in h if (day - p["game_date"]).days <= 7]
    in14 = [p for p in h if (day - p["game_date"]).days <= 14]
    dates = {p["game_date"] for p in h}
    b2b14 = sum(1 for p in in14 if p["game_date"] - dt.timedelta(days=1) in dates)
    min7 = sum((exact(p["minutes_played"]) for p in in7), Fraction(0))
    min14 = sum((exact(p["minutes_played"]) for p in in14), Fraction(0))
    days_rest = (day - h[0]["game_date"]).days - 1 if h else None
    line = None if prop is None else prop["current_line"]
    over = under = None
    if line is not None:
        considered = [
            p["points"]
            for p in h
            if (day - p["game_date"]).days <= STREAK_DAYS
            and p["points"] is not None
            and p["points"] != line
        ][:STREAK_GAMES]
        if considered:
            over = streak(considered, lambda pts: pts > line)
            under = streak(considered, lambda pts: pts < line)
    l10_used = sum(1 for p in last10 if p["points"] is not None)
    return {
        "has_prop_line": line is not None,
        "current_points_line": line,
        "opening_points_line": None if prop is None else prop["opening_line"],
        "line_movement": None
        if prop is None or line is None or prop["opening_line"] is None
        else line - prop["opening_line"],
        "current_points_line_source": None if prop is None else prop["bookmaker"],
        "opening_points_line_source": None if prop is None else prop["bookmaker"],
        "prop_book_count": 0 if prop is None else prop["book_count"],
        "days_rest": days_rest,
        "is_back_to_back": days_rest == vocab.BACK_TO_BACK_DAYS_REST,
        "games_in_last_7_days": len(in7),
        "games_in_last_14_days": len(in14),
        "minutes_in_last_7_days": r(min7, 1),
        "minutes_in_last_14_days": r(min14, 1),
        "avg_minutes_per_game_last_7": r(min7 / len(in7), 1) if in7 else None,
        "back_to_backs_last_14_days": b2b14,
        "avg_usage_rate_last_7_games": r(mean([p["usage_rate"] for p in last7]), 1),
        "points_avg_last_5": r(mean([p["points"] for p in last5]), 1),
        "points_avg_last_10": r(mean([p["points"] for p in last10]), 1),
        "l5_games_used": sum(1 for p in last5 if p["points"] is not None),
        "l10_games_used": l10_used,
        "points_avg_season": r(mean([p["points"] for p in h]), 1),
        "minutes_avg_season": r(mean([p["minutes_played"] for p in h]), 1),
        "games_played_season": len(h),
        "sample_quality": "excellent"
        if l10_used >= 10
        else "good"
        if l10_used >= 7
        else "limited"
        if l10_used >= 5
        else "insufficient",
        "prop_over_streak": over,
        "prop_under_streak": under,
    }


def streak(points: list[int], pred) -> int:
    n = 0
    for pts in points:
        if not pred(pts):
            break
        n += 1
    return n


def team_windows(
    team_games: list[Row], sides: dict[tuple[str, str], Row]
) -> dict[tuple[str, str], tuple[Fraction | None, Fraction | None]]:
    """Per (game, team): mean pace and defensive rating over the team's last 10 games of the
    season before the date."""
    by_team: dict[tuple[str, int], list[Row]] = defaultdict(list)
    for t in team_games:
        by_team[(t["team_abbr"], t["season_year"])].append(t)
    out = {}
    for (game_id, team), g in sides.items():
        recent = sorted(
            (
                t
                for t in by_team.get((team, g["season_year"]), [])
                if t["game_date"] < g["game_date"]
            ),
            key=lambda t: t["game_date"],
            reverse=True,
        )[:TEAM_GAMES]
        if recent:
            out[(game_id, team)] = (
                mean([t["pace"] for t in recent]),
                mean([t["defensive_rating"] for t in recent]),
            )
    return out


def prop_choice(props: list[Row]) -> dict[tuple[str, str], Row]:
    """Per (game, player) the book by priority (DraftKings, FanDuel, then A..Z) and how many
    books have a pre-game line."""
    by_player: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for p in props:
        by_player[(p["game_id"], p["player_lookup"])].append(p)
    return {
        k: {**min(v, key=lambda p: (p["book_priority"], p["bookmaker"])), "book_count": len(v)}
        for k, v in by_player.items()
    }


def display_names(pgs: list[Row], roster_names: list[Row]) -> dict[str, str]:
    """The latest name seen (box scores up to the date, roster entries)."""
    seen: dict[str, tuple[dt.date, str]] = {}
    for lookup, name, when in [
        (p["player_lookup"], p["player_name"], p["game_date"]) for p in pgs
    ] + [(x["player_lookup"], x["player_name"], x["start_date"]) for x in roster_names]:
        if name is not None and (lookup not in seen or when > seen[lookup][0]):
            seen[lookup] = (when, name)
    return {k: v[1] for k, v in seen.items()}


REFERENCE = register(
    Reference(
        table=TABLE,
        key=("player_lookup",),
        compute=compute,
    )
)
