-- name: nba_analytics.player_completeness
-- description: How complete each player's recent history is on each game date (spec 6.3): games his current team played before the date in the last 5 and 10 games and the last 7, 14 and 30 days, against the games where his box score row exists; games he sat out (DNP, inactive) leave the expected count. Production-ready at 70% over the last 10 games. Every Phase 4 model reads its completeness from here.
-- grain: one row per player per game date (players who have a box-score row earlier in the season)
-- key: analysis_date, player_lookup
-- date_column: analysis_date
-- upstream: nba_raw.schedule (critical), nba_raw.player_boxscores (critical)
-- lookback: 10 games
-- check: unique_key
-- check: not_null(player_lookup, team_abbr, completeness_pct)
-- check: expr(l10_actual <= l10_expected AND l5_actual <= l5_expected)
-- check: range(completeness_pct, 0, 100)
--
-- column analysis_date: the game date the completeness is for (history strictly before it)
-- column player_lookup: normalised player name
-- column team_abbr: the player's team on the date: the team of his latest box-score row before it
-- column l5_expected: his team's last 5 games before the date (pre-season and All-Star games left out), minus those he sat out (DNP or inactive) [games]
-- column l5_actual: of those, the games he played [games]
-- column l5_pct: 100 x l5_actual / l5_expected; 100 when nothing was expected [%]
-- column l10_expected: as l5_expected over the last 10 team games [games]
-- column l10_actual: games played among the last 10 team games [games]
-- column l10_pct: 100 x l10_actual / l10_expected [%]
-- column l7d_expected: team games in the 7 days before the date, minus games sat out [games]
-- column l7d_actual: games played in those 7 days [games]
-- column l7d_pct: 100 x l7d_actual / l7d_expected [%]
-- column l14d_expected: as l7d_expected over 14 days [games]
-- column l14d_actual: games played in the 14 days [games]
-- column l14d_pct: 100 x l14d_actual / l14d_expected [%]
-- column l30d_expected: as l7d_expected over 30 days [games]
-- column l30d_actual: games played in the 30 days [games]
-- column l30d_pct: 100 x l30d_actual / l30d_expected [%]
-- column l10_games_sat_out: last-10 team games with a DNP or inactive row for him [games]
-- column l10_games_without_row: last-10 team games with no box-score row for him at all (a data gap, or games before he joined the team) [games]
-- column completeness_pct: the 10-game figure, l10_pct [%]
-- column is_production_ready: completeness_pct >= 70 (vocab.PRODUCTION_READY_PCT)
-- column all_windows_complete: every window has actual = expected
--
-- The player's team is the team of his latest box-score row before the date (a player
-- traded on Monday counts his new team's games from Monday on). Strictly before the date:
-- the date's own game is never part of its window.

WITH
analysis_dates AS (
    SELECT DISTINCT game_date AS analysis_date, season_year
    FROM nba_raw.schedule
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
),

completed_games AS (
    SELECT game_id, game_date, season_year, home_team_abbr, away_team_abbr
    FROM nba_raw.schedule
    WHERE game_date >= {{ season_start }} AND game_date < {{ end_date }}
      AND coalesce(game_status, 3) = 3
      -- pre-season and All-Star games are no part of a player's expected games
      AND {{ COUNTED_GAME(season_type) }}
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY source) = 1
),

team_games AS (
    SELECT game_id, game_date, season_year, home_team_abbr AS team_abbr FROM completed_games
    UNION ALL
    SELECT game_id, game_date, season_year, away_team_abbr AS team_abbr FROM completed_games
),

player_rows AS (
    SELECT game_id, game_date, season_year, team_abbr, player_lookup, player_status
    FROM nba_raw.player_boxscores
    WHERE game_date >= {{ season_start }} AND game_date < {{ end_date }}
    QUALIFY row_number() OVER (
        PARTITION BY game_id, player_lookup ORDER BY {{ BOXSCORE_SOURCE_PRIORITY }}
    ) = 1
),

-- The player's rows in order, each with its team (never NULL in the raw table). Each row is
-- his latest one for the dates after it up to and including his next row, so every analysis
-- date of the season after his first row gets the team of his latest row before the date (a
-- row of the date itself does not count).
player_row_teams AS (
    SELECT
        player_lookup, season_year, game_date,
        lead(game_date) OVER (PARTITION BY player_lookup, season_year ORDER BY game_date)
            AS next_row_date,
        team_abbr
    FROM player_rows
),

player_dates AS (
    SELECT d.analysis_date, r.player_lookup, r.team_abbr, r.season_year
    FROM analysis_dates AS d
    JOIN player_row_teams AS r
      ON r.season_year = d.season_year AND r.game_date < d.analysis_date
     AND d.analysis_date <= coalesce(r.next_row_date, DATE '9999-12-31')
),

-- The team's games of the season in order: game number k = 1, 2, ...
team_game_seq AS (
    SELECT
        team_abbr, season_year, game_id, game_date,
        row_number() OVER (PARTITION BY team_abbr, season_year ORDER BY game_date) AS k
    FROM team_games
),

-- Per date and team: games played before the date, and how many of them fall in each
-- day window (days back 1..N).
team_counts AS (
    SELECT
        d.analysis_date, g.team_abbr, d.season_year,
        CAST(count(*) AS INTEGER) AS games_before,
        CAST(count(*) FILTER (WHERE date_diff('day', g.game_date, d.analysis_date) <= 7) AS INTEGER) AS l7d_games,
        CAST(count(*) FILTER (WHERE date_diff('day', g.game_date, d.analysis_date) <= 14) AS INTEGER)
            AS l14d_games,
        CAST(count(*) FILTER (WHERE date_diff('day', g.game_date, d.analysis_date) <= 30) AS INTEGER)
            AS l30d_games
    FROM analysis_dates AS d
    JOIN team_game_seq AS g
      ON g.season_year = d.season_year AND g.game_date < d.analysis_date
    GROUP BY d.analysis_date, g.team_abbr, d.season_year
),

-- Every team a player had rows with, numbered: (pair_id, k) is a compact key for the four
-- lookups below (joins on the names cost several times more).
player_teams AS (
    SELECT
        player_lookup, season_year, team_abbr,
        row_number() OVER (ORDER BY player_lookup, season_year, team_abbr) AS pair_id
    FROM (SELECT DISTINCT player_lookup, season_year, team_abbr FROM player_rows) AS pt
),

-- For every team a player had rows with, his running count of that team's games he played
-- and sat out (dnp/inactive) up to game number k. Windows are differences of these; the
-- counts up to games k - 5 and k - 10 ride along (k runs 1, 2, ... without gaps, so that is
-- lag 5 and 10), so the 5- and 10-game windows need no lookup of their own.
player_team_games AS (
    SELECT
        pt.pair_id, s.k,
        CASE WHEN r.player_status = 'active' THEN 1 ELSE 0 END AS played,
        CASE WHEN r.player_status IN ('dnp', 'inactive') THEN 1 ELSE 0 END AS sat_out
    FROM player_teams AS pt
    JOIN team_game_seq AS s ON s.team_abbr = pt.team_abbr AND s.season_year = pt.season_year
    LEFT JOIN player_rows AS r ON r.game_id = s.game_id AND r.player_lookup = pt.player_lookup
),

player_running AS (
    SELECT
        pair_id, k, played_through_k, sat_through_k,
        lag(played_through_k, 5) OVER by_k AS played_through_k5,
        lag(sat_through_k, 5) OVER by_k AS sat_through_k5,
        lag(played_through_k, 10) OVER by_k AS played_through_k10,
        lag(sat_through_k, 10) OVER by_k AS sat_through_k10
    FROM (
        SELECT
            pair_id, k,
            CAST(sum(played) OVER (
                PARTITION BY pair_id ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS INTEGER) AS played_through_k,
            CAST(sum(sat_out) OVER (
                PARTITION BY pair_id ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS INTEGER) AS sat_through_k
        FROM player_team_games
    ) AS r
    WINDOW by_k AS (PARTITION BY pair_id ORDER BY k)
),

window_bounds AS (
    SELECT
        p.analysis_date, p.player_lookup, p.team_abbr, pt.pair_id, t.games_before,
        least(t.games_before, 5) AS l5_games,
        least(t.games_before, 10) AS l10_games,
        t.l7d_games, t.l14d_games, t.l30d_games
    FROM player_dates AS p
    JOIN team_counts AS t
      ON t.analysis_date = p.analysis_date AND t.team_abbr = p.team_abbr
    LEFT JOIN player_teams AS pt
      ON pt.player_lookup = p.player_lookup AND pt.season_year = p.season_year
     AND pt.team_abbr = p.team_abbr
),

windows AS (
    SELECT
        b.analysis_date, b.player_lookup, b.team_abbr,
        -- expected: team games in the window minus those he sat out; actual: games played
        b.l5_games - (coalesce(now_.sat_through_k, 0) - coalesce(now_.sat_through_k5, 0))
            AS l5_expected,
        coalesce(now_.played_through_k, 0) - coalesce(now_.played_through_k5, 0) AS l5_actual,
        b.l10_games - (coalesce(now_.sat_through_k, 0) - coalesce(now_.sat_through_k10, 0))
            AS l10_expected,
        coalesce(now_.played_through_k, 0) - coalesce(now_.played_through_k10, 0) AS l10_actual,
        b.l7d_games - (coalesce(now_.sat_through_k, 0) - coalesce(d7.sat_through_k, 0))
            AS l7d_expected,
        coalesce(now_.played_through_k, 0) - coalesce(d7.played_through_k, 0) AS l7d_actual,
        b.l14d_games - (coalesce(now_.sat_through_k, 0) - coalesce(d14.sat_through_k, 0))
            AS l14d_expected,
        coalesce(now_.played_through_k, 0) - coalesce(d14.played_through_k, 0) AS l14d_actual,
        b.l30d_games - (coalesce(now_.sat_through_k, 0) - coalesce(d30.sat_through_k, 0))
            AS l30d_expected,
        coalesce(now_.played_through_k, 0) - coalesce(d30.played_through_k, 0) AS l30d_actual,
        coalesce(now_.sat_through_k, 0) - coalesce(now_.sat_through_k10, 0) AS l10_games_sat_out,
        b.l10_games
            - (coalesce(now_.played_through_k, 0) - coalesce(now_.played_through_k10, 0))
            - (coalesce(now_.sat_through_k, 0) - coalesce(now_.sat_through_k10, 0))
            AS l10_games_without_row
    FROM window_bounds AS b
    LEFT JOIN player_running AS now_
      ON now_.pair_id = b.pair_id AND now_.k = b.games_before
    LEFT JOIN player_running AS d7
      ON d7.pair_id = b.pair_id AND d7.k = b.games_before - b.l7d_games
    LEFT JOIN player_running AS d14
      ON d14.pair_id = b.pair_id AND d14.k = b.games_before - b.l14d_games
    LEFT JOIN player_running AS d30
      ON d30.pair_id = b.pair_id AND d30.k = b.games_before - b.l30d_games
)

SELECT
    analysis_date,
    player_lookup,
    team_abbr,
    CAST(l5_expected AS INTEGER) AS l5_expected, CAST(l5_actual AS INTEGER) AS l5_actual,
    CASE WHEN l5_expected = 0 THEN 100.0 ELSE round(100.0 * l5_actual / l5_expected, 1) END AS l5_pct,
    CAST(l10_expected AS INTEGER) AS l10_expected, CAST(l10_actual AS INTEGER) AS l10_actual,
    CASE WHEN l10_expected = 0 THEN 100.0 ELSE round(100.0 * l10_actual / l10_expected, 1) END AS l10_pct,
    CAST(l7d_expected AS INTEGER) AS l7d_expected, CAST(l7d_actual AS INTEGER) AS l7d_actual,
    CASE WHEN l7d_expected = 0 THEN 100.0 ELSE round(100.0 * l7d_actual / l7d_expected, 1) END AS l7d_pct,
    CAST(l14d_expected AS INTEGER) AS l14d_expected,
    CAST(l14d_actual AS INTEGER) AS l14d_actual,
    CASE WHEN l14d_expected = 0 THEN 100.0 ELSE round(100.0 * l14d_actual / l14d_expected, 1) END AS l14d_pct,
    CAST(l30d_expected AS INTEGER) AS l30d_expected,
    CAST(l30d_actual AS INTEGER) AS l30d_actual,
    CASE WHEN l30d_expected = 0 THEN 100.0 ELSE round(100.0 * l30d_actual / l30d_expected, 1) END AS l30d_pct,
    CAST(l10_games_sat_out AS INTEGER) AS l10_games_sat_out,
    CAST(l10_games_without_row AS INTEGER) AS l10_games_without_row,
    CASE WHEN l10_expected = 0 THEN 100.0 ELSE round(100.0 * l10_actual / l10_expected, 1) END AS completeness_pct,
    CASE WHEN l10_expected = 0 THEN 100.0 ELSE 100.0 * l10_actual / l10_expected END
        >= {{ PRODUCTION_READY_PCT }} AS is_production_ready,
    l5_actual >= l5_expected AND l10_actual >= l10_expected AND l7d_actual >= l7d_expected
        AND l14d_actual >= l14d_expected AND l30d_actual >= l30d_expected AS all_windows_complete
FROM windows
