"""The synthetic league: structure, internal consistency and NBA-like statistics.

One 2024-25 season is simulated once for the module and checked whole, with set-based SQL.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from nbapipe.identity import normalize_name
from nbapipe.season import calendar
from nbapipe.sources import schema
from nbapipe.sources.synthetic import simulate_league

SEASON = 2024
CAL = calendar(SEASON)
TABLES = {
    "schedule": schema.SCHEDULE,
    "team_rosters": schema.TEAM_ROSTERS,
    "player_boxscores": schema.PLAYER_BOXSCORES,
    "team_boxscores": schema.TEAM_BOXSCORES,
    "play_by_play": schema.PLAY_BY_PLAY,
    "player_props": schema.PLAYER_PROPS,
    "game_lines": schema.GAME_LINES,
    "injury_report": schema.INJURY_REPORT,
}
STATS = tuple(c.name for c in schema.BOX_SCORE_STATS if c.name != "plus_minus")


@pytest.fixture(scope="module")
def league() -> dict[str, pa.Table]:
    calls: list[tuple[str, int, int]] = []
    tables = simulate_league([SEASON], seed=7, progress=lambda s, d, t: calls.append((s, d, t)))
    tables["_progress"] = calls  # type: ignore[assignment]
    return tables


@pytest.fixture(scope="module")
def con(league: dict[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    for name in (*TABLES, "players"):
        c.register(name, league[name])
    c.execute("""
        CREATE VIEW team_games AS
        SELECT game_id, game_date, home_team_abbr AS team, 1 AS home FROM schedule
        UNION ALL SELECT game_id, game_date, away_team_abbr, 0 FROM schedule
    """)
    return c


def one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    return con.execute(sql).fetchone()


# ------------------------------------------------------------------------------- structure


def test_synthetic_schemas_equal_canonical_schemas(league):
    for name, table in TABLES.items():
        assert league[name].schema.equals(table.arrow_schema()), name
        assert league[name].num_rows > 0, name
    players = league["players"]
    assert players.column_names == [
        "nba_player_id",
        "player_name",
        "player_lookup",
        "first_season",
        "last_season",
    ]
    assert [f.type for f in players.schema] == [
        pa.int64(),
        pa.string(),
        pa.string(),
        pa.int32(),
        pa.int32(),
    ]


def test_synthetic_progress_reports_a_handful_of_steps(league):
    calls = league["_progress"]
    assert 3 <= len(calls) <= 30
    assert calls[-1][1] == calls[-1][2]
    assert all(isinstance(stage, str) and stage for stage, _, _ in calls)


def test_synthetic_keys_are_unique(con):
    for name, table in TABLES.items():
        key = ", ".join(k for k in table.key if k not in table.column_names[len(table.columns) :])
        dup = one(
            con, f"SELECT count(*) FROM (SELECT {key} FROM {name} GROUP BY ALL HAVING count(*) > 1)"
        )[0]
        assert dup == 0, name


def test_synthetic_player_names_are_unique_normalised_and_varied(league):
    players = league["players"].to_pylist()
    names = [p["player_name"] for p in players]
    lookups = [p["player_lookup"] for p in players]
    assert len(set(lookups)) == len(lookups) == len(players)
    assert len(set(p["nba_player_id"] for p in players)) == len(players)
    assert all(normalize_name(n) == lk for n, lk in zip(names, lookups, strict=True))
    assert all(p["nba_player_id"] > 1_600_000 for p in players)
    assert sum(not n.isascii() for n in names) >= 10
    assert any("'" in n for n in names)
    assert any("-" in n.split()[-1] for n in names)
    assert any(re.search(r" (Jr\.|II|III)$", n) for n in names)


# -------------------------------------------------------------------------------- schedule


def test_synthetic_schedule_gives_every_team_82_games_41_at_home(con):
    low, high, home_low, home_high, teams = one(
        con,
        """
        SELECT min(n), max(n), min(h), max(h), count(*)
        FROM (SELECT team, count(*) n, sum(home) h FROM team_games GROUP BY team)
    """,
    )
    assert (low, high, home_low, home_high, teams) == (82, 82, 41, 41, 30)
    assert one(con, "SELECT count(*) FROM schedule")[0] == 1230


def test_synthetic_schedule_follows_the_nba_matchup_formula(con):
    from nbapipe.teams import BY_ABBR

    rows = con.execute("""
        SELECT least(home_team_abbr, away_team_abbr) a, greatest(home_team_abbr, away_team_abbr) b,
               count(*) FROM schedule GROUP BY ALL
    """).fetchall()
    for a, b, n in rows:
        ta, tb = BY_ABBR[a], BY_ABBR[b]
        if ta.division == tb.division:
            assert n == 4
        elif ta.conference == tb.conference:
            assert n in (3, 4)
        else:
            assert n == 2
    assert len(rows) == 435  # every pair meets


def test_synthetic_schedule_has_no_team_twice_a_day_nor_three_days_running(con):
    assert (
        one(
            con,
            "SELECT max(c) FROM (SELECT team, game_date, count(*) c FROM team_games GROUP BY ALL)",
        )[0]
        == 1
    )
    three, b2b_low, b2b_high = one(
        con,
        """
        WITH x AS (SELECT team, game_date d,
                          lag(game_date) OVER (PARTITION BY team ORDER BY game_date) p1,
                          lag(game_date, 2) OVER (PARTITION BY team ORDER BY game_date) p2
                   FROM team_games),
             t AS (SELECT team, count(*) FILTER (WHERE d - p1 = 1) b2b,
                          count(*) FILTER (WHERE d - p2 = 2) three FROM x GROUP BY team)
        SELECT sum(three), min(b2b), max(b2b) FROM t
    """,
    )
    assert three == 0
    assert b2b_low >= 4 and b2b_high <= 24


def test_synthetic_schedule_stays_in_season_and_skips_all_star_break(con):
    first, last, in_break = one(
        con,
        f"""
        SELECT min(game_date), max(game_date),
               count(*) FILTER (WHERE game_date BETWEEN DATE '{CAL.all_star_break[0]}'
                                                    AND DATE '{CAL.all_star_break[1]}')
        FROM schedule
    """,
    )
    assert first == CAL.opener
    assert last <= CAL.regular_season_end
    assert in_break == 0
    median_per_day = one(
        con, "SELECT median(n) FROM (SELECT game_date, count(*) n FROM schedule GROUP BY 1)"
    )[0]
    assert 5 <= median_per_day <= 12


def test_synthetic_schedule_ids_follow_nba_formats(league):
    rows = (
        league["schedule"]
        .select(
            [
                "game_id",
                "legacy_game_id",
                "game_date",
                "home_team_abbr",
                "away_team_abbr",
                "season_type",
                "game_status",
                "home_team_score",
                "away_team_score",
                "winning_team_abbr",
                "periods",
            ]
        )
        .to_pylist()
    )
    ids = [r["game_id"] for r in rows]
    assert ids == sorted(ids)
    assert ids[0] == "0022400001" and ids[-1] == "0022401230"
    for r in rows:
        assert re.fullmatch(r"00224\d{5}", r["game_id"])
        d = r["game_date"].strftime("%Y%m%d")
        assert r["legacy_game_id"] == f"{d}_{r['away_team_abbr']}_{r['home_team_abbr']}"
        assert r["season_type"] == "Regular Season" and r["game_status"] == 3
        assert r["home_team_score"] != r["away_team_score"]
        winner = (
            r["home_team_abbr"]
            if r["home_team_score"] > r["away_team_score"]
            else r["away_team_abbr"]
        )
        assert r["winning_team_abbr"] == winner
        assert r["periods"] >= 4


def test_synthetic_tipoffs_are_evening_eastern_stored_as_utc(league):
    from zoneinfo import ZoneInfo

    try:
        eastern = ZoneInfo("America/New_York")
    except Exception:  # pragma: no cover - no tz database on the machine
        pytest.skip("no time zone database")
    rows = league["schedule"].select(["game_date", "game_start_time"]).to_pylist()
    for r in rows:
        local = r["game_start_time"].replace(tzinfo=dt.UTC).astimezone(eastern)
        assert local.date() == r["game_date"]
        assert (local.hour, local.minute) in {(19, 0), (19, 30), (20, 0), (21, 0), (22, 0)}


# --------------------------------------------------------------------------------- rosters


def test_synthetic_rosters_carry_13_to_17_players(con):
    for day in (CAL.opener, CAL.regular_season_end):
        low, high = one(
            con,
            f"""
            SELECT min(n), max(n) FROM (
              SELECT team_abbr, count(*) n FROM team_rosters
              WHERE start_date <= DATE '{day}' AND coalesce(end_date, DATE '2100-01-01')
                    >= DATE '{day}'
              GROUP BY 1)
        """,
        )
        assert low >= 13 and high <= 17, day


def test_synthetic_trades_move_at_least_10_players_mid_season(con):
    n, first, last = one(
        con,
        "SELECT count(*), min(start_date), max(start_date) "
        "FROM team_rosters WHERE how_acquired = 'trade'",
    )
    assert n >= 10
    assert dt.date(SEASON, 12, 1) <= first and last <= dt.date(SEASON + 1, 2, 10)
    # The old stint ends the day before the new one starts.
    bad = one(
        con,
        """
        SELECT count(*) FROM team_rosters t
        LEFT JOIN team_rosters o ON o.player_lookup = t.player_lookup
             AND o.end_date = t.start_date - 1 AND o.team_abbr <> t.team_abbr
        WHERE t.how_acquired = 'trade' AND o.player_lookup IS NULL
    """,
    )[0]
    assert bad == 0


def test_synthetic_rostered_players_have_one_box_row_per_team_game(con):
    expected, box, matched = one(
        con,
        """
        WITH e AS (
          SELECT r.player_lookup, g.game_id, r.team_abbr FROM team_rosters r
          JOIN team_games g ON g.team = r.team_abbr
           AND g.game_date BETWEEN r.start_date AND coalesce(r.end_date, DATE '2100-01-01'))
        SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM player_boxscores),
               (SELECT count(*) FROM e JOIN player_boxscores b USING (game_id, player_lookup)
                WHERE b.team_abbr = e.team_abbr)
    """,
    )
    assert expected == box == matched


def test_synthetic_box_rows_carry_the_team_of_that_day(con):
    wrong = one(
        con,
        """
        SELECT count(*) FROM player_boxscores b
        WHERE NOT EXISTS (
          SELECT 1 FROM team_rosters r WHERE r.player_lookup = b.player_lookup
            AND r.team_abbr = b.team_abbr
            AND b.game_date BETWEEN r.start_date AND coalesce(r.end_date, DATE '2100-01-01'))
    """,
    )[0]
    assert wrong == 0


# ------------------------------------------------------------------------ box scores & pbp


def test_synthetic_play_by_play_aggregates_equal_player_box_scores(con):
    mismatches = one(
        con,
        """
        WITH p1 AS (
          SELECT game_id, player_1_lookup AS player_lookup,
            count(*) FILTER (WHERE event_type = 'shot') fga,
            count(*) FILTER (WHERE event_type = 'shot' AND shot_made) fgm,
            count(*) FILTER (WHERE event_type = 'shot' AND shot_type = '3PT') tpa,
            count(*) FILTER (WHERE event_type = 'shot' AND shot_type = '3PT' AND shot_made) tpm,
            count(*) FILTER (WHERE event_type = 'free throw') fta,
            count(*) FILTER (WHERE event_type = 'free throw' AND shot_made) ftm,
            count(*) FILTER (WHERE event_type = 'rebound' AND event_subtype = 'offensive') oreb,
            count(*) FILTER (WHERE event_type = 'rebound' AND event_subtype = 'defensive') dreb,
            count(*) FILTER (WHERE event_type = 'turnover') tov,
            count(*) FILTER (WHERE event_type = 'foul') pf,
            sum(points_scored) pts
          FROM play_by_play GROUP BY ALL),
        p2 AS (
          SELECT game_id, player_2_lookup AS player_lookup,
            count(*) FILTER (WHERE player_2_role = 'assist') ast,
            count(*) FILTER (WHERE player_2_role = 'steal') stl,
            count(*) FILTER (WHERE player_2_role = 'block') blk
          FROM play_by_play WHERE player_2_lookup IS NOT NULL GROUP BY ALL)
        SELECT count(*) FROM player_boxscores b
        LEFT JOIN p1 USING (game_id, player_lookup) LEFT JOIN p2 USING (game_id, player_lookup)
        WHERE b.player_status = 'active' AND (
              coalesce(p1.fga, 0) <> b.field_goals_attempted
           OR coalesce(p1.fgm, 0) <> b.field_goals_made
           OR coalesce(p1.tpa, 0) <> b.three_pointers_attempted
           OR coalesce(p1.tpm, 0) <> b.three_pointers_made
           OR coalesce(p1.fta, 0) <> b.free_throws_attempted
           OR coalesce(p1.ftm, 0) <> b.free_throws_made
           OR coalesce(p1.oreb, 0) <> b.offensive_rebounds
           OR coalesce(p1.dreb, 0) <> b.defensive_rebounds
           OR coalesce(p1.tov, 0) <> b.turnovers
           OR coalesce(p1.pf, 0) <> b.personal_fouls
           OR coalesce(p1.pts, 0) <> b.points
           OR coalesce(p2.ast, 0) <> b.assists
           OR coalesce(p2.stl, 0) <> b.steals
           OR coalesce(p2.blk, 0) <> b.blocks)
    """,
    )[0]
    assert mismatches == 0


def test_synthetic_events_credit_only_players_who_played(con):
    stray = one(
        con,
        """
        WITH actors AS (
          SELECT game_id, player_1_lookup lk, team_abbr team FROM play_by_play
          UNION ALL SELECT game_id, player_2_lookup, player_2_team_abbr FROM play_by_play
          WHERE player_2_lookup IS NOT NULL)
        SELECT count(*) FROM actors a LEFT JOIN player_boxscores b
          ON b.game_id = a.game_id AND b.player_lookup = a.lk AND b.team_abbr = a.team
             AND b.player_status = 'active'
        WHERE b.player_lookup IS NULL
    """,
    )[0]
    assert stray == 0


def test_synthetic_points_equal_two_fgm_plus_3pm_plus_ftm_every_row(con):
    for table in ("player_boxscores", "team_boxscores"):
        bad = one(
            con,
            f"""
            SELECT count(*) FROM {table}
            WHERE points <> 2 * field_goals_made + three_pointers_made + free_throws_made
               OR total_rebounds <> offensive_rebounds + defensive_rebounds
               OR field_goals_made > field_goals_attempted
               OR three_pointers_attempted > field_goals_attempted
        """,
        )[0]
        assert bad == 0, table


def test_synthetic_team_box_equals_sum_of_players_for_every_stat(con):
    sums = ", ".join(f"sum({s}) AS {s}" for s in STATS)
    diff = " OR ".join(f"p.{s} <> t.{s}" for s in STATS)
    bad = one(
        con,
        f"""
        WITH p AS (SELECT game_id, team_abbr, {sums}, sum(minutes) AS mins
                   FROM player_boxscores WHERE player_status = 'active' GROUP BY ALL)
        SELECT count(*) FROM team_boxscores t JOIN p USING (game_id, team_abbr)
        WHERE {diff} OR abs(p.mins - t.minutes) > 1e-6
    """,
    )[0]
    assert bad == 0
    assert one(con, "SELECT count(*) FROM team_boxscores")[0] == 2460


def test_synthetic_team_minutes_are_240_plus_25_per_overtime(con):
    bad, ot_games = one(
        con,
        """
        WITH p AS (SELECT game_id, team_abbr, sum(minutes) m, count(*) FILTER (WHERE starter) s
                   FROM player_boxscores GROUP BY ALL)
        SELECT count(*) FILTER (WHERE abs(p.m - (240 + 25 * (s.periods - 4))) > 1e-6
                                   OR abs(t.minutes - (240 + 25 * (s.periods - 4))) > 1e-9
                                   OR p.s <> 5),
               count(*) FILTER (WHERE s.periods > 4)
        FROM p JOIN schedule s USING (game_id)
        JOIN team_boxscores t USING (game_id, team_abbr)
    """,
    )
    assert bad == 0
    assert ot_games > 0
    # Seconds resolution: every minutes value is a whole number of seconds.
    frac = one(
        con,
        "SELECT max(abs(minutes * 60 - round(minutes * 60))) FROM player_boxscores "
        "WHERE minutes IS NOT NULL",
    )[0]
    assert frac < 1e-6


def test_synthetic_final_scores_agree_across_tables(con):
    bad = one(
        con,
        """
        WITH last AS (
          SELECT game_id, arg_max(home_score, event_sequence) h,
                 arg_max(away_score, event_sequence) a,
                 max(period) periods, count(*) n, max(event_sequence) top,
                 count(DISTINCT event_id) ids
          FROM play_by_play GROUP BY 1),
        t AS (SELECT game_id, sum(points) FILTER (WHERE is_home) h,
                     sum(points) FILTER (WHERE NOT is_home) a,
                     sum(plus_minus) FILTER (WHERE is_home) m FROM team_boxscores GROUP BY 1)
        SELECT count(*) FROM schedule s JOIN last l USING (game_id) JOIN t USING (game_id)
        WHERE s.home_team_score <> l.h OR s.away_team_score <> l.a
           OR s.home_team_score <> t.h OR s.away_team_score <> t.a
           OR t.m <> s.home_team_score - s.away_team_score
           OR s.periods <> l.periods OR l.top <> l.n OR l.ids <> l.n
    """,
    )[0]
    assert bad == 0


def test_synthetic_play_by_play_is_well_formed(con):
    # Every missed shot and every missed last free throw is followed by a rebound.
    missing = one(
        con,
        """
        WITH e AS (SELECT *, lead(event_type) OVER (PARTITION BY game_id ORDER BY event_sequence)
                             AS nxt FROM play_by_play)
        SELECT count(*) FROM e WHERE nxt IS DISTINCT FROM 'rebound' AND NOT shot_made
          AND (event_type = 'shot' OR event_subtype IN ('free throw 1/1', 'free throw 2/2',
                                                        'free throw 3/3'))
    """,
    )[0]
    assert missing == 0
    # Assists come from a teammate; blocks, steals and fouls from the other team.
    roles = dict(
        con.execute("""
        SELECT player_2_role, count(*) FILTER (WHERE
            (player_2_role = 'assist') <> (player_2_team_abbr = team_abbr)
            OR player_2_lookup = player_1_lookup) FROM play_by_play
        WHERE player_2_role IS NOT NULL GROUP BY 1
    """).fetchall()
    )
    assert set(roles) == {"assist", "block", "steal", "fouled"}
    assert sum(roles.values()) == 0
    # Clock runs down inside each period; scores never go down.
    bad_clock = one(
        con,
        """
        WITH e AS (SELECT *, lag(game_clock_seconds) OVER w prev_clock, lag(period) OVER w pp,
                          lag(home_score) OVER w ph, lag(away_score) OVER w pa
                   FROM play_by_play WINDOW w AS (PARTITION BY game_id ORDER BY event_sequence))
        SELECT count(*) FROM e
        WHERE game_clock_seconds < 0
           OR game_clock_seconds > CASE WHEN period <= 4 THEN 720 ELSE 300 END
           OR (pp = period AND game_clock_seconds > prev_clock) OR period < pp
           OR home_score < ph OR away_score < pa
    """,
    )[0]
    assert bad_clock == 0
    vocab = {r[0] for r in con.execute("SELECT DISTINCT event_type FROM play_by_play").fetchall()}
    assert vocab == {"shot", "free throw", "rebound", "turnover", "foul"}
    assert one(con, "SELECT count(*) FROM play_by_play WHERE source_zone IS NOT NULL")[0] == 0


def test_synthetic_shot_geometry_matches_shot_type(con):
    bad = one(
        con,
        """
        SELECT count(*) FROM play_by_play WHERE event_type = 'shot' AND (
            shot_x IS NULL OR shot_distance IS NULL
            OR abs(shot_distance - sqrt(shot_x * shot_x + shot_y * shot_y) / 10) > 0.051
            OR (shot_type = '3PT' AND NOT (shot_distance >= 23.75
                                           OR (abs(shot_x) >= 220 AND shot_distance >= 22)))
            OR (shot_type = '3PT' AND event_subtype NOT LIKE '%3pt%')
            OR (shot_type = '2PT' AND (shot_distance >= 22 OR event_subtype LIKE '%3pt%')))
    """,
    )[0]
    assert bad == 0
    ft = one(
        con,
        "SELECT count(*) FILTER (WHERE shot_type <> 'FT' OR event_subtype NOT LIKE "
        "'free throw _/_' OR points_scored <> shot_made::int) "
        "FROM play_by_play WHERE event_type = 'free throw'",
    )[0]
    assert ft == 0


def test_synthetic_zone_attempts_sum_to_field_goal_attempts(con):
    bad = one(
        con,
        """
        WITH z AS (
          SELECT game_id, player_1_lookup player_lookup,
            count(*) FILTER (WHERE shot_distance <= 8 AND shot_type = '2PT') paint,
            count(*) FILTER (WHERE shot_distance > 8 AND shot_type = '2PT') mid,
            count(*) FILTER (WHERE shot_type = '3PT') three
          FROM play_by_play WHERE event_type = 'shot' GROUP BY ALL)
        SELECT count(*) FROM player_boxscores b LEFT JOIN z USING (game_id, player_lookup)
        WHERE b.player_status = 'active'
          AND coalesce(paint + mid + three, 0) <> b.field_goals_attempted
    """,
    )[0]
    assert bad == 0


def test_synthetic_non_playing_rows_have_null_stats_and_a_reason(con):
    rows = dict(
        con.execute("""
        SELECT player_status, count(*) FILTER (WHERE minutes IS NOT NULL OR points IS NOT NULL
                   OR dnp_reason IS NULL OR starter OR plus_minus IS NOT NULL)
        FROM player_boxscores WHERE player_status <> 'active' GROUP BY 1
    """).fetchall()
    )
    assert set(rows) == {"dnp", "inactive"} and sum(rows.values()) == 0
    assert (
        one(
            con,
            "SELECT count(*) FROM player_boxscores WHERE player_status = 'dnp' "
            "AND dnp_reason <> 'Coach''s Decision'",
        )[0]
        == 0
    )
    bad_active = one(
        con,
        "SELECT count(*) FROM player_boxscores WHERE player_status = 'active' "
        "AND (minutes IS NULL OR minutes <= 0 OR dnp_reason IS NOT NULL "
        "OR universal_player_id IS NOT NULL)",
    )[0]
    assert bad_active == 0


# ----------------------------------------------------------------------- league statistics


def test_synthetic_league_averages_are_within_nba_bands(con):
    zones = dict(
        (z, (share, pct))
        for z, share, pct in con.execute("""
        WITH s AS (SELECT CASE WHEN shot_type = '3PT' THEN 'three' WHEN shot_distance <= 8
                          THEN 'paint' ELSE 'mid' END zone, shot_made
                   FROM play_by_play WHERE event_type = 'shot')
        SELECT zone, count(*) / sum(count(*)) OVER (), avg(shot_made::int) FROM s GROUP BY 1
    """).fetchall()
    )
    for zone, target in (("paint", 0.58), ("mid", 0.42), ("three", 0.36)):
        assert abs(zones[zone][1] - target) <= 0.03, (zone, zones[zone])
    assert 0.44 <= zones["paint"][0] <= 0.52
    assert 0.08 <= zones["mid"][0] <= 0.16
    assert 0.36 <= zones["three"][0] <= 0.44
    assisted = one(
        con,
        "SELECT avg((player_2_role IS NOT DISTINCT FROM 'assist')::int) "
        "FROM play_by_play WHERE event_type = 'shot' AND shot_made",
    )[0]
    assert 0.55 <= assisted <= 0.65
    ppg, ftp, fta, tov, oreb_share, pace = one(
        con,
        """
        SELECT avg(t.points), sum(t.free_throws_made) / sum(t.free_throws_attempted),
               avg(t.free_throws_attempted), avg(t.turnovers),
               sum(t.offensive_rebounds) / sum(t.offensive_rebounds + o.defensive_rebounds),
               avg((t.field_goals_attempted + 0.44 * t.free_throws_attempted
                    - t.offensive_rebounds + t.turnovers) * 240 / t.minutes)
        FROM team_boxscores t JOIN team_boxscores o
          ON o.game_id = t.game_id AND o.team_abbr <> t.team_abbr
    """,
    )
    assert 105 <= ppg <= 120
    assert 0.74 <= ftp <= 0.82
    assert 18 <= fta <= 26
    assert 12 <= tov <= 16
    assert 0.20 <= oreb_share <= 0.32
    assert 94 <= pace <= 106


def test_synthetic_game_margins_and_overtimes_look_like_the_nba(con):
    sd, home_win, ot_share = one(
        con,
        """
        SELECT stddev(home_team_score - away_team_score),
               avg((home_team_score > away_team_score)::int), avg((periods > 4)::int)
        FROM schedule
    """,
    )
    assert 11 <= sd <= 17
    assert 0.5 < home_win < 0.65
    assert 0.005 <= ot_share <= 0.1
    low, high = one(
        con,
        "SELECT min(w), max(w) FROM (SELECT team_abbr, "
        "sum((plus_minus > 0)::int) w FROM team_boxscores GROUP BY 1)",
    )
    assert low < 35 and high > 47  # teams differ in strength


def test_synthetic_minutes_follow_rotation_roles(con):
    p10, p50, p90, top = one(
        con,
        """
        SELECT quantile_cont(minutes, 0.1), quantile_cont(minutes, 0.5),
               quantile_cont(minutes, 0.9), max(minutes)
        FROM player_boxscores WHERE player_status = 'active'
    """,
    )
    assert p10 < 10 and 18 <= p50 <= 28 and 30 <= p90 <= 40 and top <= 60
    low, high = one(
        con,
        "SELECT min(n), max(n) FROM (SELECT game_id, team_abbr, "
        "count(*) FILTER (WHERE player_status = 'active') n "
        "FROM player_boxscores GROUP BY ALL)",
    )
    assert low >= 8 and high <= 17


def test_synthetic_player_scoring_persists_between_season_halves(con):
    r = one(
        con,
        f"""
        WITH h AS (
          SELECT player_lookup, game_date < DATE '{SEASON + 1}-01-15' AS first_half,
                 avg(points) ppg, count(*) n
          FROM player_boxscores WHERE player_status = 'active' GROUP BY ALL HAVING count(*) >= 10)
        SELECT corr(a.ppg, b.ppg) FROM h a JOIN h b
          ON a.player_lookup = b.player_lookup AND a.first_half AND NOT b.first_half
    """,
    )[0]
    assert r > 0.7


# ---------------------------------------------------------------------------------- injuries


def test_synthetic_injuries_leave_at_least_3pct_of_rows_inactive(con):
    share = one(con, "SELECT avg((player_status = 'inactive')::int) FROM player_boxscores")[0]
    assert 0.03 <= share <= 0.15
    reasons = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT dnp_reason FROM player_boxscores WHERE player_status = 'inactive'"
        ).fetchall()
    }
    assert "Rest" in reasons
    assert any(r.startswith("Injury/Illness - ") and ";" in r for r in reasons)
    # Episodes: some players miss long stretches in a row.
    longest = one(
        con,
        """
        WITH x AS (SELECT player_lookup, game_date, player_status = 'inactive' out,
                          row_number() OVER (PARTITION BY player_lookup ORDER BY game_date)
                          - row_number() OVER (PARTITION BY player_lookup,
                                               player_status = 'inactive' ORDER BY game_date) grp
                   FROM player_boxscores)
        SELECT max(n) FROM (SELECT player_lookup, grp, count(*) n FROM x WHERE out GROUP BY ALL)
    """,
    )[0]
    assert longest >= 10


def test_synthetic_injury_report_is_consistent_with_box_scores(con):
    statuses = {
        r[0] for r in con.execute("SELECT DISTINCT injury_status FROM injury_report").fetchall()
    }
    assert statuses == {"out", "doubtful", "questionable", "probable", "available"}
    categories = {
        r[0] for r in con.execute("SELECT DISTINCT reason_category FROM injury_report").fetchall()
    }
    assert categories <= {"injury", "illness", "rest", "personal"} and "injury" in categories
    times = con.execute(
        "SELECT DISTINCT strftime(report_timestamp, '%H:%M') FROM injury_report"
    ).fetchall()
    assert {t[0] for t in times} == {"17:30", "18:30", "21:30", "22:30"}
    rates = dict(
        con.execute("""
        WITH first_report AS (
          SELECT game_id, player_lookup, arg_min(injury_status, report_timestamp) s
          FROM injury_report GROUP BY ALL)
        SELECT s, avg((b.player_status <> 'inactive')::int)
        FROM first_report r JOIN player_boxscores b USING (game_id, player_lookup) GROUP BY 1
    """).fetchall()
    )
    assert rates["out"] == 0.0
    assert 0.35 <= rates["questionable"] <= 0.75
    assert rates["doubtful"] <= 0.4 and rates["probable"] >= 0.8
    # Every inactive player is on that game's report; every report row names a rostered player.
    unlisted, unknown = one(
        con,
        """
        SELECT (SELECT count(*) FROM player_boxscores b WHERE player_status = 'inactive'
                AND NOT EXISTS (SELECT 1 FROM injury_report r WHERE r.game_id = b.game_id
                                AND r.player_lookup = b.player_lookup)),
               (SELECT count(*) FROM injury_report r LEFT JOIN player_boxscores b
                  USING (game_id, player_lookup, team_abbr) WHERE b.game_id IS NULL)
    """,
    )
    assert unlisted == 0 and unknown == 0
    before_tip = one(
        con,
        "SELECT count(*) FROM injury_report r JOIN schedule s USING (game_id) "
        "WHERE r.report_timestamp >= s.game_start_time",
    )[0]
    assert before_tip == 0


# ----------------------------------------------------------------------------------- markets


def test_synthetic_props_have_half_point_lines_books_and_two_snapshots(con):
    bad = one(
        con,
        """
        SELECT count(*) FROM player_props
        WHERE points_line * 2 <> round(points_line * 2) OR points_line <= 0
           OR minutes_before_tipoff <= 0 OR market <> 'player_points'
           OR abs(over_price - CASE WHEN over_price_american < 0
                  THEN 1 + 100 / abs(over_price_american) ELSE 1 + over_price_american / 100 END)
              > 1e-9
           OR over_price_american NOT BETWEEN -200 AND 200
           OR minutes_before_tipoff <> date_diff('minute', snapshot_timestamp, game_start_time)
    """,
    )[0]
    assert bad == 0
    books, snaps, half = one(
        con,
        "SELECT count(DISTINCT bookmaker), "
        "count(DISTINCT minutes_before_tipoff > 120), "
        "avg((points_line % 1 = 0.5)::int) FROM player_props",
    )
    assert books >= 4 and snaps == 2 and half > 0.6
    per_team_game = one(
        con,
        "SELECT count(*) / 2460.0 FROM (SELECT DISTINCT game_id, player_lookup FROM player_props)",
    )[0]
    assert 5 <= per_team_game <= 10


def test_synthetic_props_are_informative_about_points(con):
    r, bias, n = one(
        con,
        """
        WITH c AS (SELECT game_id, player_lookup, median(points_line) line FROM player_props
                   WHERE minutes_before_tipoff < 120 GROUP BY ALL)
        SELECT corr(b.points, c.line), avg(b.points - c.line), count(*)
        FROM c JOIN player_boxscores b USING (game_id, player_lookup)
        WHERE b.player_status = 'active'
    """,
    )
    assert n > 10_000
    assert r > 0.5
    assert abs(bias) < 1.0


def test_synthetic_game_lines_pair_outcomes_and_track_results(con):
    bad = one(
        con,
        """
        WITH s AS (SELECT game_id, bookmaker, snapshot_timestamp, market_key,
                          count(*) n, sum(outcome_point) FILTER (WHERE market_key = 'spreads') sp,
                          count(DISTINCT outcome_point) FILTER (WHERE market_key = 'totals') tp,
                          bool_and(outcome_point * 2 = round(outcome_point * 2)) half
                   FROM game_lines GROUP BY ALL)
        SELECT count(*) FROM s WHERE n <> 2 OR NOT half
           OR (market_key = 'spreads' AND sp <> 0) OR (market_key = 'totals' AND tp <> 1)
    """,
    )[0]
    assert bad == 0
    names = one(
        con,
        "SELECT count(*) FROM game_lines WHERE outcome_name NOT IN "
        "(home_team_abbr, away_team_abbr, 'Over', 'Under')",
    )[0]
    assert names == 0
    r_margin, r_total = one(
        con,
        """
        WITH c AS (SELECT game_id,
            avg(outcome_point) FILTER (WHERE market_key = 'spreads'
                                       AND outcome_name = home_team_abbr) home_spread,
            avg(outcome_point) FILTER (WHERE market_key = 'totals') total
          FROM game_lines WHERE minutes_before_tipoff < 120 GROUP BY 1)
        SELECT corr(-home_spread, home_team_score - away_team_score),
               corr(total, home_team_score + away_team_score)
        FROM c JOIN schedule USING (game_id)
    """,
    )
    assert r_margin > 0.3 and r_total > 0.15


# ------------------------------------------------------------------------------ determinism


def test_synthetic_same_seed_gives_identical_tables(league):
    again = simulate_league([SEASON], seed=7)
    for name in (*TABLES, "players"):
        assert again[name].equals(league[name]), name


def test_synthetic_different_seed_gives_different_data(league):
    other = simulate_league([SEASON], seed=8)
    for name in ("schedule", "player_boxscores", "play_by_play", "player_props", "players"):
        assert not other[name].equals(league[name]), name
    assert other["schedule"].schema.equals(league["schedule"].schema)


@pytest.mark.slow
def test_synthetic_two_seasons_keep_players_and_real_openers():
    tables = simulate_league([2023, 2024], seed=7)
    schedule = tables["schedule"]
    c = duckdb.connect()
    for name in ("schedule", "player_boxscores", "team_rosters", "players"):
        c.register(name, tables[name])
    for year in (2023, 2024):
        first, games = one(
            c, f"SELECT min(game_date), count(*) FROM schedule WHERE season_year = {year}"
        )
        assert first == calendar(year).opener and games == 1230
    assert schedule.num_rows == 2460
    both = one(
        c,
        """
        SELECT count(*) FROM (SELECT player_lookup FROM player_boxscores
                              GROUP BY 1 HAVING count(DISTINCT season_year) = 2)
    """,
    )[0]
    rostered_2024 = one(
        c, "SELECT count(DISTINCT player_lookup) FROM team_rosters WHERE season_year = 2024"
    )[0]
    assert 0.75 * rostered_2024 <= both < rostered_2024  # most stay, some are new
    spans = dict(
        c.execute(
            "SELECT first_season || '-' || last_season, count(*) FROM players GROUP BY 1"
        ).fetchall()
    )
    assert set(spans) == {"2023-2023", "2023-2024", "2024-2024"}
    # Only the last season's final stints are open-ended.
    open_2023 = one(
        c, "SELECT count(*) FROM team_rosters WHERE season_year = 2023 AND end_date IS NULL"
    )[0]
    assert open_2023 == 0
    # Skill persists across seasons.
    r = one(
        c,
        """
        WITH s AS (SELECT season_year, player_lookup, avg(points) p FROM player_boxscores
                   WHERE player_status = 'active' GROUP BY ALL HAVING count(*) >= 20)
        SELECT corr(a.p, b.p) FROM s a JOIN s b
          ON a.player_lookup = b.player_lookup AND a.season_year = 2023 AND b.season_year = 2024
    """,
    )[0]
    assert r > 0.6


def test_synthetic_skill_spreads_stay_put_over_twenty_seasons():
    # Skills drift within a season and carry over; each summer they revert part of the way,
    # so a 20-season league keeps the spread it began with (without reversion the spread of
    # shot volume nearly doubled and one simulated player averaged 62 points a game).
    from nbapipe.sources import synthetic as sim

    pool = sim._create_league(sim._rng(7, 2005, 0), 2005)

    def spreads() -> np.ndarray:
        on = pool.team >= 0
        return np.array([pool.usage[on].std(), *pool.pct[on].std(axis=0), pool.tend[on].std()])

    first = spreads()  # at the first opener
    for season in range(2005, 2024):
        cal = calendar(season)
        n_days = (cal.regular_season_end - cal.opener).days + 1
        sim._carry_drift(pool, sim._drift(pool, n_days, sim._rng(7, season, 2)))
        pool = sim._offseason(pool, sim._rng(7, season + 1, 1), season + 1)
    ratio = spreads() / first  # at the twentieth opener
    assert ((ratio > 0.8) & (ratio < 1.25)).all(), ratio.round(2)


def test_synthetic_players_table_covers_every_box_score_player(league, con):
    missing = one(
        con,
        "SELECT count(*) FROM (SELECT DISTINCT player_lookup, nba_player_id "
        "FROM player_boxscores) b LEFT JOIN players p USING (player_lookup, "
        "nba_player_id) WHERE p.player_lookup IS NULL",
    )[0]
    assert missing == 0
    assert np.all(np.asarray(league["players"]["first_season"]) == SEASON)


# ------------------------------------------------------------------------------- namesakes

NAME_COLUMNS = {
    "player_boxscores": ("player_name", "player_lookup"),
    "team_rosters": ("player_name", "player_lookup"),
    "players": ("player_name", "player_lookup"),
    "play_by_play": ("player_1_name", "player_1_lookup", "player_2_name", "player_2_lookup"),
    "player_props": ("player_name", "player_lookup"),
    "injury_report": ("player_name", "player_lookup"),
}


def test_synthetic_namesakes_rename_pairs_of_players_and_change_nothing_else():
    plain = simulate_league([2023], seed=5, teams=4, weeks=3)
    twins = simulate_league([2023], seed=5, teams=4, weeks=3, namesakes=2)
    for name, table in plain.items():
        drop = [c for c in NAME_COLUMNS.get(name, ()) if c in table.column_names]
        assert twins[name].drop_columns(drop).equals(table.drop_columns(drop)), name
    c = duckdb.connect()
    for name in ("player_boxscores", "players", "play_by_play", "team_rosters"):
        c.register(name, twins[name])
    # Two names, each held by two person ids who both played, never for the same team.
    pairs = c.execute(
        """
        SELECT player_lookup, count(DISTINCT nba_player_id), count(DISTINCT player_name),
               list(DISTINCT team_abbr ORDER BY team_abbr)
        FROM player_boxscores WHERE minutes > 0 GROUP BY 1 HAVING count(DISTINCT nba_player_id) > 1
        """
    ).fetchall()
    assert len(pairs) == 2 and all(p[1:3] == (2, 1) for p in pairs)
    shared = [p[0] for p in pairs]
    apart = c.execute(
        "SELECT count(*) FROM (SELECT team_abbr FROM player_boxscores WHERE player_lookup = ? "
        "GROUP BY team_abbr HAVING count(DISTINCT nba_player_id) > 1)",
        [shared[0]],
    ).fetchone()[0]
    assert apart == 0
    # Everywhere a person id appears, it carries his (new) name.
    for table, id_col, lookup_col in (
        ("players", "nba_player_id", "player_lookup"),
        ("team_rosters", "nba_player_id", "player_lookup"),
        ("play_by_play", "player_1_id", "player_1_lookup"),
        ("play_by_play", "player_2_id", "player_2_lookup"),
    ):
        ids = c.execute(
            f"SELECT count(DISTINCT {id_col}) FROM {table} WHERE {lookup_col} IN (?, ?)", shared
        ).fetchone()[0]
        assert ids == 4 or (table == "play_by_play" and ids >= 2), table
    assert twins["player_props"].num_rows == plain["player_props"].num_rows
    assert simulate_league([2023], seed=5, teams=4, weeks=3, namesakes=2)["players"].equals(
        twins["players"]
    )


def test_synthetic_namesakes_plant_as_many_pairs_as_there_are_players():
    # One game between two teams: every pair needs a player of each team.
    tables = simulate_league([2023], seed=5, teams=2, weeks=3, namesakes=1000)
    c = duckdb.connect()
    c.register("box", tables["player_boxscores"])
    c.register("players", tables["players"])
    smaller_team = c.execute(
        "SELECT min(n) FROM (SELECT count(DISTINCT nba_player_id) AS n FROM box "
        "WHERE minutes > 0 GROUP BY team_abbr)"
    ).fetchone()[0]
    shared = c.execute(
        "SELECT count(*) FROM (SELECT player_lookup FROM players GROUP BY 1 HAVING count(*) = 2)"
    ).fetchone()[0]
    assert smaller_team >= 8 and shared == smaller_team
    with pytest.raises(ValueError, match="namesakes"):
        simulate_league([2023], seed=5, teams=2, weeks=3, namesakes=-1)


def test_synthetic_shared_name_given_by_an_alias_is_that_players_on_the_next_ingest(
    tmp_path,
) -> None:
    """Props of a name two players share are left out as ambiguous; once an alias says
    which, ingesting the league again writes them under that player, not under the first
    one's plain lookup, and the name leaves registry_failures."""
    from nbapipe import api, registry
    from nbapipe.engine.duckdb import DuckDBEngine

    w = tmp_path / "w.duckdb"
    args = {"seed": 5, "teams": 4, "weeks": 3, "namesakes": 2, "warehouse": w}
    api.ingest_synthetic("2023-24", **args)
    with DuckDBEngine(w) as eng:
        name, second, lookup = eng.fetchone(
            # the second player of the shared name has the longer lookup, <name>_<person id>
            "SELECT f.player_name, max(r.universal_player_id), max(r.player_lookup) "
            "FROM nba_processing.registry_failures f JOIN nba_reference.nba_players_registry r "
            "ON split_part(r.player_lookup, '_', 1) = f.player_lookup "
            "WHERE starts_with(f.reason, 'ambiguous') GROUP BY f.player_name ORDER BY 1 LIMIT 1"
        )
        done = registry.add_alias(eng, name, second)
        assert done.read_again == [("synthetic", "synthetic")]
    api.ingest_synthetic("2023-24", **args)
    with DuckDBEngine(w, read_only=True) as eng:
        assert eng.fetchall(
            "SELECT DISTINCT player_lookup FROM nba_raw.player_props WHERE player_name = ?",
            [name],
        ) == [(lookup,)]
        assert (
            eng.fetchone(
                "SELECT count(*) FROM nba_processing.registry_failures WHERE player_name = ?",
                [name],
            )[0]
            == 0
        )
