"""player_composite_factors (spec 5.3): the four factors per player, one player at a time.

Inputs are the same-date pre-game rows: his upcoming_player_game_context row, his
player_shot_zone_analysis row, the opponent's team_defense_zone_analysis and
upcoming_team_game_context rows. Every context player gets his factors, except in the first
14 days after the season's real opener, where every player is an EARLY_SEASON failure.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from bench.reference import register
from bench.reference.base import Answer, Reference, Row, row_hash, rows, sql_round_float
from nbapipe import vocab

TABLE = "nba_precompute.player_composite_factors"
ZONE_RATE = {
    "paint": "paint_rate_last_10",
    "mid_range": "mid_range_rate_last_10",
    "perimeter": "three_pt_rate_last_10",
}
ZONE_VS_LEAGUE = {
    "paint": "paint_defense_vs_league_avg",
    "mid_range": "mid_range_defense_vs_league_avg",
    "perimeter": "three_pt_defense_vs_league_avg",
}
# The values data_hash covers, in order; those the model holds as DOUBLE; those its concat_ws
# leaves out when NULL (the others are NULL as 'NULL'). checks_present: how many of the
# five completeness checks have their input.
HASHED = (
    "game_date",
    "player_lookup",
    "game_id",
    "fatigue_score",
    "shot_zone_mismatch_score",
    "pace_score",
    "usage_spike_score",
    "total_composite_adjustment",
    "player_primary_zone",
    "player_zone_rate",
    "opponent_zone_vs_league",
    "checks_present",
)
HASHED_DOUBLES = frozenset(
    {
        "shot_zone_mismatch_score",
        "pace_score",
        "usage_spike_score",
        "total_composite_adjustment",
        "player_zone_rate",
        "opponent_zone_vs_league",
    }
)
HASHED_DROPPED = frozenset(HASHED) - {"game_id", "player_zone_rate", "opponent_zone_vs_league"}
COMPLETENESS_CHECKS = 5
COPIED = [
    "days_rest",
    "is_back_to_back",
    "games_in_last_7_days",
    "minutes_in_last_7_days",
    "avg_minutes_per_game_last_7",
    "back_to_backs_last_14_days",
    "avg_usage_rate_last_7_games",
    "pace_differential",
    "star_teammates_out",
]


def _clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def _or(value, default):
    return default if value is None else value


def opener_of(con: duckdb.DuckDBPyConnection, day: dt.date) -> dt.date | None:
    """The real opener of the season ``day`` belongs to (first Regular Season game)."""
    found = con.execute(
        "SELECT min(s.game_date) FROM nba_raw.schedule AS s "
        "WHERE coalesce(s.season_type, 'Regular Season') = 'Regular Season' "
        "AND s.season_year = (SELECT max(season_year) FROM nba_raw.schedule WHERE game_date = ?)",
        [day],
    ).fetchone()
    return found[0] if found else None


def factors(ctx: Row, zone: Row | None, defense: Row | None, opp_ctx: bool, own_ready: bool) -> Row:
    """Spec 5.3, factor by factor, for one player on one date (every output column but the
    key, game, failure columns and data_hash; and checks_present, which data_hash covers)."""
    # 1. fatigue (days_rest: 0 = back-to-back; the legacy "3 days" counted calendar days)
    score = 100
    if ctx["is_back_to_back"]:
        score -= 15
    elif _or(ctx["days_rest"], 1) >= 2:
        score += 5
    if _or(ctx["games_in_last_7_days"], 3) >= 4:
        score -= 10
    if _or(ctx["minutes_in_last_7_days"], 200.0) > vocab.FATIGUE_HEAVY_MINUTES_LAST_7:
        score -= 10
    if _or(ctx["avg_minutes_per_game_last_7"], 30.0) > 35:
        score -= 8
    b2b = _or(ctx["back_to_backs_last_14_days"], 0)
    if b2b >= 2:
        score -= 12
    elif b2b == 1:
        score -= 5
    score = int(_clamp(score, 0, 100))
    fatigue_adj = (score - 100) / 20.0

    # 2. shot-zone mismatch in his primary zone (balanced/unknown: paint)
    primary = (zone or {}).get("primary_scoring_zone")
    primary = primary if primary in ("mid_range", "perimeter") else "paint"
    rate = zone.get(ZONE_RATE[primary]) if zone else None
    vs_league = defense.get(ZONE_VS_LEAGUE[primary]) if defense else None
    if zone is None or defense is None or vs_league is None:
        mismatch = 0.0
    else:
        weighted = vs_league * min(_or(rate, 50.0) / 50.0, 1.0)
        if abs(weighted) > 5:
            weighted *= 1.2
        mismatch = _clamp(weighted, -10.0, 10.0)

    # 3. pace
    pace_diff = ctx["pace_differential"]
    pace = 0.0 if pace_diff is None else _clamp(pace_diff / 2.0, -3.0, 3.0)

    # 4. usage spike (no projection in our data: 25, as the legacy's default)
    baseline = _or(ctx["avg_usage_rate_last_7_games"], 25.0)
    if baseline == 0:
        usage = 0.0
    else:
        spike = (25.0 - baseline) * 0.3
        stars = _or(ctx["star_teammates_out"], 0)
        if 25.0 - baseline > 0 and stars >= 2:
            spike *= 1.30
        elif 25.0 - baseline > 0 and stars == 1:
            spike *= 1.15
        usage = _clamp(spike, -3.0, 3.0)

    total = sql_round_float(fatigue_adj + mismatch + pace + usage, 2)
    missing = [
        name
        for name, absent in (
            ("days_rest", ctx["days_rest"] is None),
            ("projected_usage_rate", True),
            ("pace_differential", pace_diff is None),
            ("player_shot_zone", zone is None),
            ("opponent_team_defense", defense is None),
        )
        if absent
    ]
    warnings = [
        w
        for w, on in (
            ("EXTREME_FATIGUE", score < 50),
            ("EXTREME_MATCHUP", abs(mismatch) > 8),
            ("EXTREME_ADJUSTMENT", abs(total) > 12),
        )
        if on
    ]
    context_ready = bool(ctx["is_production_ready"])
    zone_ready = bool(zone and zone["is_production_ready"])
    defense_ready = bool(defense and defense["is_production_ready"])
    upstreams = context_ready and zone_ready and defense_ready and opp_ctx
    return {
        "fatigue_score": score,
        "fatigue_adjustment": fatigue_adj,
        "shot_zone_mismatch_score": mismatch,
        "pace_score": pace,
        "usage_spike_score": usage,
        "referee_favorability_score": 0.0,
        "look_ahead_pressure_score": 0.0,
        "travel_impact_score": 0.0,
        "opponent_strength_score": 0.0,
        "total_composite_adjustment": total,
        "player_primary_zone": primary,
        "player_zone_rate": rate,
        "opponent_zone_vs_league": vs_league,
        "opponent_weakest_zone": defense["weakest_zone"] if defense else None,
        **{c: ctx[c] for c in COPIED},
        "has_shot_zone_data": zone is not None,
        "has_team_defense_data": defense is not None,
        "data_completeness_pct": 100.0 * (COMPLETENESS_CHECKS - len(missing)) / COMPLETENESS_CHECKS,
        "checks_present": COMPLETENESS_CHECKS - len(missing),  # for data_hash only
        "missing_data_fields": ",".join(missing) or None,
        "warnings": ",".join(warnings) or None,
        "upstream_player_context_ready": context_ready,
        "upstream_player_shot_ready": zone_ready,
        "upstream_team_defense_ready": defense_ready,
        "upstream_team_context_ready": opp_ctx,
        "all_upstreams_ready": upstreams,
        "is_production_ready": own_ready and upstreams,
        "calculation_version": "v1_4factors",
    }


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    ctxs = rows(
        con, "SELECT * FROM nba_analytics.upcoming_player_game_context WHERE game_date = ?", [day]
    )
    answer = Answer()
    if not ctxs:
        return answer
    opener = opener_of(con, day)
    if opener is None:
        return answer
    if (day - opener).days < vocab.BOOTSTRAP_DAYS:
        answer.failures = {c["player_lookup"]: "EARLY_SEASON" for c in ctxs}
        return answer
    zones = {
        r["player_lookup"]: r
        for r in rows(
            con,
            "SELECT * FROM nba_precompute.player_shot_zone_analysis WHERE analysis_date = ?",
            [day],
        )
    }
    defense = {
        r["team_abbr"]: r
        for r in rows(
            con,
            "SELECT * FROM nba_precompute.team_defense_zone_analysis WHERE analysis_date = ?",
            [day],
        )
    }
    # opponents whose team context is production ready (a row that is not counts as none)
    teams = {
        r["team_abbr"]
        for r in rows(
            con,
            "SELECT team_abbr FROM nba_analytics.upcoming_team_game_context "
            "WHERE game_date = ? AND is_production_ready",
            [day],
        )
    }
    # his own completeness (last 10 games); without a row, no history to be incomplete
    own = dict(
        con.execute(
            "SELECT player_lookup, is_production_ready FROM nba_analytics.player_completeness "
            "WHERE analysis_date = ?",
            [day],
        ).fetchall()
    )
    for ctx in ctxs:
        opp = ctx["opponent_team_abbr"]
        row = {
            "game_date": day,
            "player_lookup": ctx["player_lookup"],
            "universal_player_id": ctx["universal_player_id"],
            "game_id": ctx["game_id"],
            "team_abbr": ctx["team_abbr"],
            "opponent_team_abbr": opp,
            **factors(
                ctx,
                zones.get(ctx["player_lookup"]),
                defense.get(opp),
                opp in teams,
                # without a completeness row: ready only without a game this season
                bool(own.get(ctx["player_lookup"], not ctx["games_played_season"])),
            ),
        }
        checks = row.pop("checks_present")
        hashed = row | {"checks_present": checks}
        row["data_hash"] = row_hash(hashed, HASHED, HASHED_DOUBLES, HASHED_DROPPED)
        answer.rows.append(row)
    return answer


REFERENCE = register(
    Reference(
        table=TABLE,
        key=("player_lookup",),
        compute=compute,
    )
)
