"""ml_feature_store_v2 (spec 5.5): the 60 features, their sources, the quality score (5.5.2)
and the flags, one player at a time.

For each player of the date's upcoming_player_game_context: his box-score rows of the year
before the date (pre-season and All-Star games left out), newest first; the 60-day "last 10"
lists of the legacy; his team's games of the season; the same-date Phase 4 rows (daily cache,
composite factors, shot zones, the opponent's defence); each book's latest pre-game line
(player_prop_lines, Bovada left out) and the latest injury report before tip-off.

Rounding follows the model: most features are rounded to 4 decimals, minutes, usage rates and
line margins are summed as DECIMAL(12, 4) and points per minute as DECIMAL(18, 6).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import duckdb

from bench.reference import register
from bench.reference.base import Answer, Reference, Row, as_double, data_hash, rows, sql_round_float
from nbapipe import vocab

TABLE = "nba_predictions.ml_feature_store_v2"
NAMES = [
    "points_avg_last_5", "points_avg_last_10", "points_avg_season", "points_std_last_10",
    "games_in_last_7_days", "fatigue_score", "shot_zone_mismatch_score", "pace_score",
    "usage_spike_score", "rest_advantage", "injury_risk", "recent_trend", "minutes_change",
    "opponent_def_rating", "opponent_pace", "home_away", "back_to_back", "playoff_game",
    "pct_paint", "pct_mid_range", "pct_three", "pct_free_throw", "team_pace",
    "team_off_rating", "team_win_pct", "vegas_points_line", "vegas_opening_line",
    "vegas_line_move", "has_vegas_line", "avg_points_vs_opponent", "games_vs_opponent",
    "minutes_avg_last_10", "ppm_avg_last_10", "dnp_rate", "pts_slope_10g",
    "pts_vs_season_zscore", "breakout_flag", "star_teammates_out", "game_total_line",
    "days_rest", "minutes_load_last_7d", "spread_magnitude", "implied_team_total",
    "points_avg_last_3", "scoring_trend_slope", "deviation_from_avg_last3",
    "consecutive_games_below_avg", "teammate_usage_available", "usage_rate_last_5",
    "games_since_structural_change", "multi_book_line_std", "prop_over_streak",
    "prop_under_streak", "line_vs_season_avg", "prop_line_delta", "over_rate_last_10",
    "margin_vs_line_avg_last_5", "blowout_minutes_risk", "minutes_volatility_last_10",
    "opponent_pace_mismatch",
]  # fmt: skip
OPTIONAL = {25, 26, 27, *range(37, 60)}
# Features the model holds as a one-decimal DECIMAL (a literal like 50.0 or 1.0) until it
# stores them as DOUBLE: data_hash has them as that decimal ('85.0'), the others as doubles.
ONE_DECIMAL = {5, 10, 11, 12, 15, 16, 17, 28, 36}
CATEGORIES = {
    "matchup": {5, 6, 7, 8, 13, 14},
    "player_history": {*range(0, 5), *range(29, 38), 43, 44, 45, 46, 48, 49, 54, 55, 56, 58},
    "team_context": {22, 23, 24, 57},
    "vegas": {25, 26, 27, 28},
    "game_context": {*range(9, 13), *range(15, 22), *range(38, 43), 47, 50, 51, 52, 53, 59},
}
WEIGHTS = {"phase4": 100, "phase3": 87, "calculated": 100, "vegas": 100, "default": 40,
           "missing": 0}  # fmt: skip
DEFAULTED = ("default", "missing")
RECENT_DAYS, MINUTES_DAYS, OPPONENT_DAYS, PROP_DELTA_DAYS = 60, 30, 365, 14


def r4(x: float | None) -> float | None:
    return sql_round_float(x, 4)


def dec(x: float | None, places: int) -> Decimal | None:
    """CAST(x AS DECIMAL(.., places))."""
    if x is None:
        return None
    return Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ratio(num: float | int | Decimal, den: int) -> float:
    """A SQL division that yields a DOUBLE."""
    return float(num) / float(den)


def slope(ys: list[int]) -> float:
    """Least-squares slope of ys over x = 0, 1, ... (a float division of exact integers)."""
    n = len(ys)
    sx, sy = sum(range(n)), sum(ys)
    sxy, sxx = sum(x * y for x, y in enumerate(ys)), sum(x * x for x in range(n))
    return ratio(n * sxy - sx * sy, n * sxx - sx * sx)


def step(change: float, big: float, small: float) -> float:
    if change >= big:
        return 2.0
    if change >= small:
        return 1.0
    if change <= -big:
        return -2.0
    if change <= -small:
        return -1.0
    return 0.0


class Inputs:
    """Everything one date reads, with a few queries."""

    def __init__(self, con: duckdb.DuckDBPyConnection, day: dt.date) -> None:
        self.day = day
        self.targets = rows(
            con, "SELECT * FROM nba_analytics.upcoming_player_game_context WHERE game_date = ?",
            [day],
        )  # fmt: skip
        self.openers = dict(
            con.execute(
                "SELECT season_year, min(game_date) FROM nba_raw.schedule "
                "WHERE coalesce(season_type, 'Regular Season') = 'Regular Season' GROUP BY 1"
            ).fetchall()
        )
        games: dict[str, tuple] = {}
        for r in rows(con, "SELECT * FROM nba_raw.schedule WHERE game_date = ?", [day]):
            rank = (-(r["game_status"] or 0), r["source"])
            if r["game_id"] not in games or rank < games[r["game_id"]][0]:
                games[r["game_id"]] = (rank, r)
        self.games = {g: r for g, (_, r) in games.items()}
        self.history: dict[str, list[Row]] = defaultdict(list)  # newest first
        for r in rows(
            con,
            "SELECT player_lookup, game_date, season_year, team_abbr, opponent_team_abbr, "
            "is_active, is_dnp, minutes_played, points, ft_makes, usage_rate, points_line, "
            "over_under_result FROM nba_analytics.player_game_summary WHERE game_date < ? "
            "AND game_date >= ? AND coalesce(season_type, 'Regular Season') "
            "NOT IN ('Pre Season', 'All-Star') AND (player_lookup IN (SELECT player_lookup "
            "FROM nba_analytics.upcoming_player_game_context WHERE game_date = ?) "
            "OR player_lookup IN (SELECT i.player_lookup FROM nba_raw.injury_report AS i "
            "JOIN nba_raw.schedule AS g ON g.game_id = i.game_id WHERE g.game_date = ?)) "
            "ORDER BY game_date DESC",
            [day, day - dt.timedelta(days=OPPONENT_DAYS), day, day],
        ):
            r["played"] = bool(r["is_active"] and (r["minutes_played"] or 0) > 0)
            r["dnp"] = r["is_dnp"] if r["is_dnp"] is not None else not r["is_active"]
            r["minutes4"] = dec(r["minutes_played"], 4)
            self.history[r["player_lookup"]].append(r)
        self.team_history: dict[tuple[int, str], list[Row]] = defaultdict(list)  # newest first
        for r in rows(
            con,
            "SELECT * FROM nba_analytics.team_offense_game_summary WHERE game_date < ? "
            "AND game_date >= ? ORDER BY game_date DESC",
            [day, day - dt.timedelta(days=OPPONENT_DAYS)],
        ):
            if r["game_date"] >= dt.date(r["season_year"], 10, 1):
                self.team_history[(r["season_year"], r["team_abbr"])].append(r)

        def by(table: str, date_col: str, key: str) -> dict[str, Row]:
            return {
                r[key]: r for r in rows(con, f"SELECT * FROM {table} WHERE {date_col} = ?", [day])
            }

        self.pdc = by("nba_precompute.player_daily_cache", "cache_date", "player_lookup")
        self.pcf = by("nba_precompute.player_composite_factors", "game_date", "player_lookup")
        self.tdza = by("nba_precompute.team_defense_zone_analysis", "analysis_date", "team_abbr")
        self.psza = by("nba_precompute.player_shot_zone_analysis", "analysis_date",
                       "player_lookup")  # fmt: skip
        self.lines: dict[tuple[str, dt.date], list[float]] = defaultdict(list)
        for player, d, line in con.execute(
            "SELECT player_lookup, game_date, current_line FROM nba_analytics.player_prop_lines "
            "WHERE bookmaker <> 'bovada' AND game_date <= ? AND game_date >= ?",
            [day, day - dt.timedelta(days=PROP_DELTA_DAYS)],
        ).fetchall():
            self.lines[(player, d)].append(line)
        # the latest injury report line per game and player before tip-off
        self.injuries: dict[str, dict[str, Row]] = defaultdict(dict)
        reports = rows(
            con,
            "SELECT * FROM nba_raw.injury_report WHERE game_id IN "
            "(SELECT game_id FROM nba_raw.schedule WHERE game_date = ?)",
            [day],
        )
        for r in sorted(reports, key=lambda r: (r["report_timestamp"], _desc(r["source"]))):
            game = self.games.get(r["game_id"])
            if game is None:
                continue
            start = game["game_start_time"]
            if start is None or r["report_timestamp"] < start:
                self.injuries[r["game_id"]][r["player_lookup"]] = r


class _desc(str):
    """Sorts a string in reverse (the later of equal timestamps wins: the lowest source)."""

    def __lt__(self, other: str) -> bool:  # type: ignore[override]
        return str.__gt__(self, other)


def teammate_usage(inp: Inputs, u: Row) -> float | None:
    latest = inp.injuries.get(u["game_id"], {})
    if not latest:
        return None
    total = 0.0
    found = False
    for player, r in latest.items():
        status = (r["injury_status"] or "").strip().lower() if r["injury_status"] else None
        if player == u["player_lookup"] or r["team_abbr"] != u["team_abbr"]:
            continue
        if status not in ("out", "doubtful"):
            continue
        usage = [
            dec(g["usage_rate"], 4)
            for g in inp.history.get(player, [])
            if (inp.day - g["game_date"]).days <= MINUTES_DAYS
            and g["minutes4"] is not None
            and g["minutes4"] > 10
            and g["usage_rate"] is not None
        ]
        if usage:
            total += ratio(sum(usage), len(usage))
            found = True
    return r4(total if found else 0.0)


def structural(u: Row, played: list[Row]) -> float | None:
    """Games played since the last team change or gap > 14 days (newest first)."""
    if not played:
        return None
    newest = played[0]
    if newest["team_abbr"] != u["team_abbr"] or (u["game_date"] - newest["game_date"]).days > 14:
        return 0.0
    n = len(played)
    for k in range(len(played) - 1):
        newer, older = played[k], played[k + 1]
        if (
            newer["team_abbr"] != older["team_abbr"]
            or (newer["game_date"] - older["game_date"]).days > 14
        ):
            n = k + 1
            break
    return float(min(n, 30))


def one(inp: Inputs, u: Row) -> Row:
    day, player = inp.day, u["player_lookup"]
    season = u["season_year"]
    hist = inp.history.get(player, [])
    recent = [g for g in hist if (day - g["game_date"]).days <= RECENT_DAYS]  # newest first
    rp = [g for g in recent if g["played"]]
    r10, p10, p5, p3 = recent[:10], rp[:10], rp[:5], rp[:3]
    pts = [g["points"] or 0 for g in rp]
    season_games = [g for g in hist if g["season_year"] == season and g["played"]]
    pdc = inp.pdc.get(player)
    pcf = inp.pcf.get(player)
    tdza = inp.tdza.get(u["opponent_team_abbr"])
    psza = inp.psza.get(player)
    team = inp.team_history.get((season, u["team_abbr"]), [])
    t10 = team[:10]
    f: dict[int, float | None] = {}
    s: dict[int, str] = {}

    def pick(i: int, *options: tuple[bool, object, str], default=None, dsrc="default") -> None:
        for ok, value, src in options:
            if ok:
                f[i] = value() if callable(value) else value
                s[i] = src
                return
        f[i], s[i] = default, dsrc

    def pdcv(col: str):
        return pdc[col] if pdc is not None else None

    # 0-4: daily cache, else the 60-day box scores (phase3), else the default
    pick(
        0,
        (pdcv("points_avg_last_5") is not None, pdcv("points_avg_last_5"), "phase4"),
        (len(p5) >= 5, lambda: r4(ratio(sum(pts[:5]), 5)), "phase3"),
        default=10.0,
    )
    pick(
        1,
        (pdcv("points_avg_last_10") is not None, pdcv("points_avg_last_10"), "phase4"),
        (len(p10) >= 1, lambda: r4(ratio(sum(pts[:10]), len(p10))), "phase3"),
        default=10.0,
    )
    pick(
        2,
        (pdcv("points_avg_season") is not None, pdcv("points_avg_season"), "phase4"),
        (
            len(season_games) >= 1,
            lambda: r4(ratio(sum(g["points"] or 0 for g in season_games), len(season_games))),
            "phase3",
        ),
        default=10.0,
    )
    pick(
        3,
        (pdcv("points_std_last_10") is not None, pdcv("points_std_last_10"), "phase4"),
        (len(p10) >= 2, lambda: r4(statistics.stdev(pts[:10])), "phase3"),
        default=5.0,
    )
    pick(4, (pdcv("games_in_last_7_days") is not None,
             lambda: float(pdcv("games_in_last_7_days")), "phase4"),
         (u["games_in_last_7_days"] is not None, lambda: float(u["games_in_last_7_days"]),
          "phase3"), default=3.0)  # fmt: skip
    # 5-8: composite factors
    for i, col, default in (
        (5, "fatigue_score", 50.0),
        (6, "shot_zone_mismatch_score", 0.0),
        (7, "pace_score", 0.0),
        (8, "usage_spike_score", 0.0),
    ):
        value = pcf[col] if pcf is not None else None
        pick(i, (value is not None, lambda v=value: float(v), "phase4"), default=default)
    # 9: rest advantage on both real rests
    dr, odr = u["days_rest"], u["opponent_days_rest"]
    pick(9, (dr is not None and odr is not None, lambda: float(max(-2, min(2, dr - odr))),
             "calculated"), default=0.0)  # fmt: skip
    status = (u["injury_status"] or "").strip().lower()
    f[10] = {"probable": 1.0, "questionable": 2.0, "doubtful": 3.0, "out": 3.0}.get(status, 0.0)
    s[10] = "calculated"
    # 11: mean of the 2 newest games - mean of the 3 before (exact)
    pick(11, (len(p5) >= 5, lambda: step(Fraction(sum(pts[:2]), 2) - Fraction(sum(pts[2:5]), 3),
                                         5, 2), "calculated"), default=0.0)  # fmt: skip
    # 12: minutes of the last 10 relative to the season mean
    if pdcv("minutes_avg_last_10") is not None:
        m10 = pdcv("minutes_avg_last_10")
    elif p10:
        m10 = r4(ratio(sum(g["minutes4"] for g in p10), len(p10)))
    else:
        m10 = None
    season_minutes = sum((g["minutes4"] for g in season_games), Decimal(0))
    smin = ratio(season_minutes, len(season_games)) if season_games and season_minutes > 0 else None
    pick(
        12,
        (
            m10 is not None and smin is not None,
            lambda: step((m10 - smin) / smin, 0.2, 0.1),
            "calculated",
        ),
        default=0.0,
    )
    pick(
        13,
        (
            tdza is not None and tdza["defensive_rating_last_15"] is not None,
            lambda: tdza["defensive_rating_last_15"],
            "phase4",
        ),
        default=112.0,
    )
    pick(14, (tdza is not None and tdza["opponent_pace"] is not None,
              lambda: tdza["opponent_pace"], "phase4"), default=100.0)  # fmt: skip
    pick(
        15,
        (u["home_game"] is not None, lambda: 1.0 if u["home_game"] else 0.0, "phase3"),
        default=0.0,
    )
    pick(16, (u["is_back_to_back"] is not None, lambda: 1.0 if u["is_back_to_back"] else 0.0,
              "phase3"), default=0.0)  # fmt: skip
    game = inp.games.get(u["game_id"])
    season_type = game["season_type"] if game else None
    pick(
        17,
        (
            season_type is not None,
            lambda: 1.0 if season_type in ("Playoffs", "Play-In") else 0.0,
            "calculated",
        ),
        default=0.0,
    )
    for i, col in (
        (18, "paint_rate_last_10"),
        (19, "mid_range_rate_last_10"),
        (20, "three_pt_rate_last_10"),
    ):
        value = psza[col] if psza is not None else None
        pick(i, (value is not None, lambda v=value: r4(v / 100), "phase4"), dsrc="missing")
    points_10 = sum(pts[:10])
    pick(
        21,
        (
            len(p10) >= 5 and points_10 > 0,
            lambda: r4(max(0.0, min(0.5, ratio(sum(g["ft_makes"] or 0 for g in p10), points_10)))),
            "calculated",
        ),
        default=0.15,
    )
    pick(
        22,
        (pdcv("team_pace_last_10") is not None, pdcv("team_pace_last_10"), "phase4"),
        (len(t10) >= 1, lambda: r4(ratio(sum(dec(g["pace"], 4) for g in t10), len(t10))), "phase3"),
        default=100.0,
    )
    pick(
        23,
        (pdcv("team_off_rating_last_10") is not None, pdcv("team_off_rating_last_10"), "phase4"),
        (
            len(t10) >= 1,
            lambda: r4(ratio(sum(dec(g["offensive_rating"], 4) for g in t10), len(t10))),
            "phase3",
        ),
        default=112.0,
    )
    pick(
        24,
        (
            len(team) >= 5,
            lambda: r4(ratio(sum(1 for g in team if g["win_flag"]), len(team))),
            "calculated",
        ),
        default=0.5,
    )
    # 25-28: lines from the player context
    cur, opening = u["current_points_line"], u["opening_points_line"]
    has_line = cur is not None
    opening = opening if opening is not None else cur
    pick(25, (has_line, cur, "vegas"), dsrc="missing")
    pick(26, (has_line, opening, "vegas"), dsrc="missing")
    pick(27, (has_line, lambda: cur - opening, "vegas"), dsrc="missing")
    f[28], s[28] = (1.0 if has_line else 0.0), "calculated"
    # 29-30: games against tonight's opponent in the year before
    vs = [g for g in hist if g["played"] and g["opponent_team_abbr"] == u["opponent_team_abbr"]]
    pick(
        29,
        (len(vs) >= 1, lambda: r4(ratio(sum(g["points"] or 0 for g in vs), len(vs))), "phase3"),
        (pdcv("points_avg_season") is not None or len(season_games) >= 1, f[2], "calculated"),
        default=10.0,
    )
    f[30], s[30] = float(len(vs)), "phase3"
    # 31-32: the 30 days before
    p30 = [g for g in rp if (day - g["game_date"]).days <= MINUTES_DAYS]
    pick(
        31,
        (len(p30) >= 1, lambda: r4(ratio(sum(g["minutes4"] for g in p30), len(p30))), "phase3"),
        (pdcv("minutes_avg_last_10") is not None, pdcv("minutes_avg_last_10"), "phase4"),
        default=28.0,
    )
    pick(
        32,
        (
            len(p30) >= 1,
            lambda: r4(
                ratio(sum(dec(ratio(g["points"], g["minutes4"]), 6) for g in p30), len(p30))
            ),
            "phase3",
        ),
        (
            pdcv("points_avg_last_10") is not None and (pdcv("minutes_avg_last_10") or 0) > 0,
            lambda: r4(pdcv("points_avg_last_10") / pdcv("minutes_avg_last_10")),
            "phase4",
        ),
        default=0.4,
    )
    # 33-34: the last 10 rows of any status
    pick(
        33,
        (len(r10) >= 3, lambda: r4(ratio(sum(1 for g in r10 if g["dnp"]), len(r10))), "calculated"),
        default=0.0,
    )
    pick(
        34,
        (len(r10) >= 5, lambda: r4(slope([g["points"] or 0 for g in r10][::-1])), "calculated"),
        default=0.0,
    )
    # 35-36 from 0, 2, 3
    pick(
        35,
        (f[3] > 0, lambda: r4(max(-3.0, min(3.0, (f[0] - f[2]) / f[3]))), "calculated"),
        default=0.0,
    )
    f[36], s[36] = (1.0 if f[0] > f[2] + 1.5 * f[3] else 0.0), "calculated"
    # 37-42: the player context
    for i, value, src in (
        (37, u["star_teammates_out"], "phase3"),
        (38, u["game_total"], "phase3"),
        (39, u["days_rest"], "phase3"),
        (40, u["minutes_in_last_7_days"], "phase3"),
        (41, None if u["game_spread"] is None else abs(u["game_spread"]), "phase3"),
    ):
        pick(i, (value is not None, lambda v=value: float(v), src), dsrc="missing")
    total, spread = u["game_total"], u["game_spread"]
    pick(
        42,
        (total is not None and spread is not None, lambda: (total - spread) / 2, "calculated"),
        dsrc="missing",
    )
    # 43-46: the last 3 / 7 and the 60-day mean
    pick(43, (len(p3) >= 1, lambda: r4(ratio(sum(pts[:3]), len(p3))), "phase3"), dsrc="missing")
    pick(
        44,
        (len(rp[:7]) >= 4, lambda: r4(slope(pts[:7][::-1])), "calculated"),
        (len(rp) >= 1, 0.0, "default"),
        dsrc="missing",
    )
    mean60 = r4(ratio(sum(pts), len(pts))) if pts else None
    std60 = statistics.stdev(pts) if len(pts) >= 2 else 0.0
    pick(
        45,
        (
            len(p3) >= 1,
            lambda: r4((ratio(sum(pts[:3]), len(p3)) - mean60) / (std60 if std60 > 0 else 5.0)),
            "calculated",
        ),
        dsrc="missing",
    )
    streak = 0
    for p in pts:
        if p * len(pts) >= sum(pts):
            break
        streak += 1
    pick(46, (len(rp) >= 1, float(streak), "calculated"), dsrc="missing")
    usage = teammate_usage(inp, u)
    pick(47, (usage is not None, usage, "calculated"), dsrc="missing")
    usage5 = [dec(g["usage_rate"], 4) for g in p5 if g["usage_rate"] is not None]
    pick(
        48,
        (len(usage5) >= 3, lambda: r4(ratio(sum(usage5), len(usage5))), "phase3"),
        (len(rp) >= 1, 20.0, "default"),
        dsrc="missing",
    )
    pick(49, (len(rp) >= 1, lambda: structural(u, rp), "calculated"), dsrc="missing")
    # 50, 54: each book's latest line today, and the previous line date within 14 days
    lines = inp.lines.get((player, day), [])
    pick(50, (len(lines) >= 2, lambda: r4(statistics.stdev(lines)), "vegas"), dsrc="missing")
    previous = next(
        (
            inp.lines[(player, day - dt.timedelta(days=back))]
            for back in range(1, PROP_DELTA_DAYS + 1)
            if (player, day - dt.timedelta(days=back)) in inp.lines
        ),
        None,
    )
    pick(
        51,
        (u["prop_over_streak"] is not None, lambda: float(u["prop_over_streak"]), "phase3"),
        dsrc="missing",
    )
    pick(52, (u["prop_under_streak"] is not None, lambda: float(u["prop_under_streak"]),
              "phase3"), dsrc="missing")  # fmt: skip
    pick(53, (has_line, lambda: cur - f[2], "calculated"), dsrc="missing")
    pick(
        54,
        (
            bool(lines) and previous is not None,
            lambda: statistics.median(lines) - statistics.median(previous),
            "vegas",
        ),
        dsrc="missing",
    )
    # 55-56: graded props (pushes left out), newest first
    graded = [g for g in rp if g["over_under_result"] in ("OVER", "UNDER")]
    g10, g5 = graded[:10], graded[:5]
    pick(
        55,
        (
            len(g10) >= 5,
            lambda: r4(ratio(sum(1 for g in g10 if g["over_under_result"] == "OVER"), len(g10))),
            "calculated",
        ),
        dsrc="missing",
    )
    pick(
        56,
        (
            len(g5) >= 3,
            lambda: r4(ratio(sum(dec(g["points"] - g["points_line"], 4) for g in g5), len(g5))),
            "calculated",
        ),
        dsrc="missing",
    )
    pick(
        57,
        (
            len(t10) >= 5,
            lambda: r4(ratio(sum(1 for g in t10 if abs(g["margin_of_victory"]) >= 15), len(t10))),
            "calculated",
        ),
        default=0.2,
    )
    pick(
        58,
        (
            len(p10) >= 3,
            lambda: r4(statistics.stdev([float(g["minutes4"]) for g in p10])),
            "phase3",
        ),
        dsrc="missing",
    )
    pick(59, (s[22] != "default" and s[14] != "default", lambda: r4(f[22] - f[14]),
              "calculated"), dsrc="missing")  # fmt: skip

    team_60 = sum(1 for g in team if (day - g["game_date"]).days <= RECENT_DAYS)
    opener = inp.openers.get(season)
    days_since_opener = (day - opener).days if opener else None
    if days_since_opener is not None and days_since_opener < vocab.BOOTSTRAP_DAYS:
        category = "EARLY_SEASON"
    elif not rp:
        category = "MISSING_DATA"
    elif not 0 <= f[5] <= 100:
        category = "FEATURE_VALIDATION_ERROR"
    else:
        category = None
    values = [f[i] for i in range(60)]
    sources = [s[i] for i in range(60)]
    out: Row = {
        "game_date": day,
        "player_lookup": player,
        "universal_player_id": u["universal_player_id"],
        "game_id": u["game_id"],
        "season_year": season,
        "team_abbr": u["team_abbr"],
        "opponent_team_abbr": u["opponent_team_abbr"],
        **{NAMES[i]: None if values[i] is None else float(values[i]) for i in range(60)},
        "features": [None if v is None else float(v) for v in values],
        "feature_names": list(NAMES),
        "feature_sources": sources,
        "feature_count": 60,
        "feature_version": "v2_60features",
    }
    out["data_hash"] = data_hash(
        [
            day,
            player,
            u["game_id"],
            u["team_abbr"],
            *(
                None if v is None else dec(float(v), 1) if i in ONE_DECIMAL else as_double(v)
                for i, v in enumerate(values)
            ),
        ]
    )
    out |= quality(sources)
    out |= {
        "has_composite_factors": pcf is not None,
        "has_opponent_defense": tdza is not None,
        "vegas_line_source": "odds_api" if has_line else "none",
        "games_found": len(p10),
        "games_expected": min(team_60, 10),
        "is_production_ready": bool(pcf is not None and pcf["is_production_ready"])
        and pdc is not None
        and pdc["l10_completeness_pct"] is not None
        and pdc["l10_completeness_pct"] >= vocab.PRODUCTION_READY_PCT,
        "is_prediction_candidate": ((u["avg_minutes_per_game_last_7"] or 0) >= 15
                                    or bool(u["has_prop_line"]))
        and status not in ("out", "doubtful")
        and (bool(u["is_production_ready"]) or bool(u["has_prop_line"])),
        "days_since_opener": days_since_opener,
        "failure_category": category,
    }  # fmt: skip
    return out


def quality(sources: list[str]) -> Row:
    """Spec 5.5.2: the mean source weight (optional features skipped when defaulted), capped
    with required defaults; per-category means and default counts; alert and readiness."""
    defaulted = [i for i, src in enumerate(sources) if src in DEFAULTED]
    required = [i for i in defaulted if i not in OPTIONAL]
    counted = [
        WEIGHTS[src] for i, src in enumerate(sources) if not (i in OPTIONAL and src in DEFAULTED)
    ]
    raw = ratio(sum(counted), len(counted))
    if len(required) >= 5:
        raw = min(raw, 49.0)
    elif required:
        raw = min(raw, 69.0)
    score = sql_round_float(raw, 2)
    out: Row = {"feature_quality_score": score}
    tiers = (("gold", 95), ("silver", 85), ("bronze", 70), ("poor", 50))
    out["quality_tier"] = next((t for t, lo in tiers if score >= lo), "critical")
    pct = {}
    for cat, idx in CATEGORIES.items():
        pct[cat] = ratio(sum(WEIGHTS[sources[i]] for i in idx), len(idx))
        out[f"{cat}_quality_pct"] = sql_round_float(pct[cat], 2)
        out[f"{cat}_default_count"] = sum(1 for i in idx if sources[i] in DEFAULTED)
    if pct["matchup"] < 50 or score < 50:
        alert = "red"
    elif required or score < 70 or pct["matchup"] < 70:
        alert = "yellow"
    else:
        alert = "green"
    table_sourced = [src for src in sources if src in ("phase4", "phase3", *DEFAULTED)]
    phase4, phase3 = table_sourced.count("phase4"), table_sourced.count("phase3")
    n = len(table_sourced)
    if phase4 >= 0.9 * n:
        data_source = "phase4"
    elif phase4 >= 0.5 * n:
        data_source = "phase4_partial"
    elif phase3 >= 0.5 * n:
        data_source = "phase3"
    else:
        data_source = "mixed"
    return out | {
        "quality_alert_level": alert,
        "is_quality_ready": score >= 70 and pct["matchup"] >= 50 and not required,
        "is_training_ready": score >= 85 and pct["matchup"] >= 70 and pct["player_history"] >= 80,
        "data_source": data_source,
        "default_feature_count": len(defaulted),
        "required_default_count": len(required),
        "default_feature_indices": ",".join(map(str, defaulted)),
    }


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    inp = Inputs(con, day)
    answer = Answer()
    for u in inp.targets:
        row = one(inp, u)
        category = row.pop("failure_category")
        if category is None:
            answer.rows.append(row)
        else:
            answer.failures[u["player_lookup"]] = category
    return answer


REFERENCE = register(
    Reference(
        table=TABLE,
        key=("player_lookup",),
        compute=compute,
    )
)
