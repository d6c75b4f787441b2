-- name: nba_precompute.player_daily_cache
-- description: The per-player numbers the prediction features start from, one row per player and date with games (spec 5.4): his scoring, minutes, usage and efficiency over his last 5 / 10 / up to 82 games played this season strictly before the date, his team's recent pace and offensive rating, rest and workload copied from upcoming_player_game_context, shot zones copied from player_shot_zone_analysis, and the completeness of his history from player_completeness. Players: upcoming_player_game_context's rows for the date, plus players of a team playing that date who played in the 30 days before but have no context row (roster expansion). Players in the first 14 days after the real opener, with fewer than 3 games, with no game in 30 days, or with incomplete history outside the relaxed periods go to nba_processing.precompute_failures instead. player_age is left out: there are no birth dates.
-- grain: one row per player per cache date (dates with scheduled games)
-- key: cache_date, player_lookup
-- date_column: cache_date
-- upstream: nba_analytics.player_game_summary (critical), nba_analytics.team_offense_game_summary (critical), nba_analytics.upcoming_player_game_context (critical, same-day), nba_precompute.player_shot_zone_analysis (optional), nba_analytics.player_completeness (optional), nba_raw.schedule (critical)
-- lookback: 82 games
-- check: unique_key
-- check: not_null(player_lookup, team_abbr, game_id, games_played_season, last_game_date, days_since_last_game, quality_tier, early_season_flag, cache_version, data_hash)
-- check: expr(games_played_season >= 3 AND games_played_season <= 82)
-- check: expr(last_game_date < cache_date AND days_since_last_game <= 30)
-- check: expr(points_std_last_10 IS NULL OR points_std_last_10 >= 0)
-- check: expr(actual_games IS NULL OR actual_games <= expected_games)
-- check: expr(early_season_flag = (games_played_season < 10))
-- check: range(points_avg_last_5, 0, 70)
-- check: range(points_avg_last_10, 0, 70)
-- check: range(points_avg_season, 0, 70)
-- check: range(minutes_avg_last_10, 0, 60)
-- check: range(assisted_rate_last_10, 0, 1)
-- check: range(completeness_percentage, 0, 100)
-- check: range(ts_pct_last_10, 0, 1.5) warn
-- check: range(usage_rate_last_10, 0, 75) warn
-- check: range(team_pace_last_10, 85, 115) warn
-- check: range(team_off_rating_last_10, 80, 140) warn
--
-- column cache_date: the date the cache row is for (a date with scheduled games); only games strictly before it count
-- column player_lookup: normalised player name
-- column universal_player_id: registry id: from upcoming_player_game_context, else from his latest player_game_summary row
-- column team_abbr: his team on the date: upcoming_player_game_context's team; for roster-expansion players the team of his latest player_game_summary row (any status) before the date
-- column game_id: his team's game on the date (NBA.com game id)
-- column in_upcoming_context: TRUE when upcoming_player_game_context has his row for the date, FALSE for a roster-expansion player (his copied context columns are NULL)
-- column points_avg_last_5: mean points over his last 5 games played (played: active, not DNP, minutes > 0 or points > 0; this season from the real opener, before the date), unrounded [points]
-- column points_avg_last_10: mean points over his last 10 games played [points]
-- column points_avg_season: mean points over his games played this season, at most the last 82 [points]
-- column points_std_last_10: sample standard deviation (n - 1) of points over the last 10 games played; NULL with fewer than 2 [points]
-- column minutes_avg_last_10: mean minutes over the last 10 games played [minutes]
-- column usage_rate_last_10: mean usage rate over the last 10 games played (games without a usage rate left out) [%]
-- column ts_pct_last_10: mean true shooting over the last 10 games played (games without attempts left out) [fraction]
-- column games_played_season: games played this season before the date, at most 82 (the lookback) [games]
-- column player_usage_rate_season: mean usage rate over those games [%]
-- column assisted_rate_last_10: assisted FG makes / FG makes over the last 10 games played whose play-by-play names assisters; NULL without such a game (shot-chart data) or without makes. A FRACTION 0-1 as in spec 5.4, unlike player_shot_zone_analysis.assisted_rate_last_10, which is a percent [fraction]
-- column team_pace_last_10: mean pace of his team over its last 10 team_offense_game_summary games this season before the date [possessions]
-- column team_off_rating_last_10: mean offensive rating over the same games [points per 100 possessions]
-- column games_in_last_7_days: copied from upcoming_player_game_context: games he played in the 7 days before the date; NULL for roster-expansion players [games]
-- column games_in_last_14_days: copied: games in the 14 days before [games]
-- column minutes_in_last_7_days: copied: minutes in the 7 days before [minutes]
-- column minutes_in_last_14_days: copied: minutes in the 14 days before [minutes]
-- column back_to_backs_last_14_days: copied: back-to-back second games in the 14 days before [games]
-- column avg_minutes_per_game_last_7: copied: minutes per game in the 7 days before [minutes]
-- column primary_scoring_zone: copied from player_shot_zone_analysis for the date (paint, perimeter, mid_range, balanced); NULL without its row
-- column paint_rate_last_10: copied from player_shot_zone_analysis: share of zoned attempts in the paint, last 10 games (PERCENT 0-100) [%]
-- column three_pt_rate_last_10: copied from player_shot_zone_analysis: share of zoned attempts from three (PERCENT 0-100) [%]
-- column shot_zone_data_available: player_shot_zone_analysis has a row for him on the date
-- column l5_completeness_pct: from player_completeness: 100 x games played / games expected (his team's last 5 games minus those he sat out), NULL without a completeness row [%]
-- column l5_is_complete: the 5-game window is production-ready: actual >= 70% of expected (vocab.PRODUCTION_READY_PCT); FALSE without a completeness row
-- column l10_completeness_pct: the same over his team's last 10 games [%]
-- column l10_is_complete: the 10-game window is production-ready
-- column l7d_completeness_pct: the same over his team's games of the 7 days before the date [%]
-- column l7d_is_complete: the 7-day window is production-ready
-- column l14d_completeness_pct: the same over the 14 days before the date [%]
-- column l14d_is_complete: the 14-day window is production-ready
-- column all_windows_complete: all four windows production-ready
-- column expected_games: the 5-game window's expected games (from player_completeness) [games]
-- column actual_games: the 5-game window's games played [games]
-- column missing_games: expected_games - actual_games [games]
-- column completeness_percentage: the 5-game window's completeness, = l5_completeness_pct [%]
-- column quality_tier: tier of completeness_percentage: gold >= 95, silver >= 75, bronze >= 50, poor >= 25, else unusable (also without a completeness row)
-- column cache_quality_score: = completeness_percentage [%]
-- column early_season_flag: games_played_season < 10
-- column days_since_opener: days from the season's real opener (first Regular Season game date in the schedule) to the date [days]
-- column last_game_date: date of his latest game played before the date
-- column days_since_last_game: cache_date - last_game_date [days]
-- column cache_version: 'v1'
-- column data_hash: first 16 hex chars of sha256 over the metric columns (values joined by '|', NULL as 'NULL', fixed order; doubles as fixed six-decimal text (DECIMAL(18,6)), the same text in DuckDB and Spark)
--
-- column failure_category: NULL on table rows. In this order: EARLY_SEASON on days 0-13 after the real opener (every player that would get a row); INSUFFICIENT_DATA with fewer than 3 games played this season; STALE_DATA when his latest game played is more than 30 days before the date; INCOMPLETE_DATA when not all four completeness windows are production-ready, except in the first 30 days after the real opener and in October, November and April (season boundary, anchored to the opener: legacy used Oct 1, spec 9.8)
-- column failure_reason: e.g. 'early season: day 3 of 14 after the 2024-10-22 opener', '2 games played this season, 3 needed', 'latest game played 2025-01-02, 41 days before (more than 30)', 'completeness below 70%: L5 60.0%, L10 80.0%, L7d 50.0%, L14d 66.7%'
-- column can_retry: FALSE for EARLY_SEASON and STALE_DATA, TRUE for INSUFFICIENT_DATA and INCOMPLETE_DATA
-- column expected_game_count: his team's completed games this season before the date, at most 82 [games]
-- column actual_game_count: his games played this season before the date, at most 82 [games]
--
-- History: his player_game_summary rows of the season from its real opener (pre-season games
-- are not part of it) strictly before the date, played only, newest first, up to 82. Window
-- sums are frame sums over his games in order, in exact decimals (values at 10 decimals), so
-- a daily run and a backfill give identical values. Averages are not rounded.
-- The completeness windows are player_completeness's (no extension of day windows over breaks
-- such as the All-Star break, unlike the legacy).
-- Legacy fixes: 9.8 the relaxed completeness period runs 30 days from the real opener, not from
-- Oct 1; the first 14 days give one EARLY_SEASON failure per player instead of nothing;
-- assisted rate only over games whose play-by-play names assisters.

WITH
-- The numbers of spec 5.4 in one place.
thresholds AS (
    SELECT
        -- (these three are also the frames of played_games and team_games, which must be
        -- literals there: change both together)
        82 AS lookback_games,             -- history: at most the last 82 games played
        5 AS short_window,                -- points_avg_last_5
        10 AS sample_window,              -- the last-10 windows (player and team)
        3 AS absolute_min_games,          -- fewer games played: INSUFFICIENT_DATA
        30 AS stale_days,                 -- latest game older than this: STALE_DATA
        30 AS expansion_days,             -- roster expansion: played within this many days
        {{ COMPLETENESS_GRACE_DAYS }} AS completeness_grace_days,  -- not gated this long after the opener
        10 AS early_season_games,         -- early_season_flag below this many games
        2 AS std_min_games,               -- points_std_last_10 needs this many games
        95.0 AS gold_pct,                 -- quality tiers of the 5-game completeness
        75.0 AS silver_pct,
        50.0 AS bronze_pct,
        25.0 AS poor_pct
),

-- Each season's real opener: its first Regular Season game date.
season_openers AS ({{ SEASON_OPENERS }}),

cache_dates AS (
    SELECT
        d.cache_date, d.season_year, o.opener_date,
        date_diff('day', o.opener_date, d.cache_date) AS days_since_opener
    FROM (
        SELECT DISTINCT game_date AS cache_date, season_year
        FROM nba_raw.schedule
        WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    ) AS d
    JOIN season_openers AS o ON o.season_year = d.season_year
),

-- The games on the cache dates, one side per team (the game of a roster-expansion player).
date_games AS (
    SELECT game_id, game_date, home_team_abbr, away_team_abbr
    FROM nba_raw.schedule
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY game_status DESC, source) = 1
),

date_teams AS (
    SELECT game_date, team_abbr, game_id
    FROM (
        SELECT game_date, home_team_abbr AS team_abbr, game_id FROM date_games
        UNION ALL
        SELECT game_date, away_team_abbr AS team_abbr, game_id FROM date_games
    ) AS t
    QUALIFY row_number() OVER (PARTITION BY game_date, team_abbr ORDER BY game_id) = 1
),

-- Completed games of the season from its opener on, one side per team.
completed_games AS (
    SELECT game_id, game_date, season_year, home_team_abbr, away_team_abbr
    FROM nba_raw.schedule
    WHERE game_date >= {{ season_start }} AND game_date < {{ end_date }}
      AND coalesce(game_status, 3) = 3
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY source) = 1
),

team_schedule AS (
    SELECT game_date, season_year, home_team_abbr AS team_abbr FROM completed_games
    UNION ALL
    SELECT game_date, season_year, away_team_abbr AS team_abbr FROM completed_games
),

team_games_before AS (
    SELECT d.cache_date, g.team_abbr, CAST(count(*) AS INTEGER) AS team_games
    FROM cache_dates AS d
    JOIN team_schedule AS g
      ON g.season_year = d.season_year
     AND g.game_date >= d.opener_date AND g.game_date < d.cache_date
    GROUP BY d.cache_date, g.team_abbr
),

-- Every player row of the season from the opener on (any status: it tells his team).
season_rows AS (
    SELECT
        p.player_lookup, p.universal_player_id, p.game_date, p.season_year, p.team_abbr,
        coalesce(p.is_active AND NOT p.is_dnp AND (p.minutes_played > 0 OR p.points > 0), FALSE)
            AS played,
        p.points, p.minutes_played, p.usage_rate, p.ts_pct, p.assisted_fg_makes, p.fg_makes
    FROM nba_analytics.player_game_summary AS p
    JOIN season_openers AS o ON o.season_year = p.season_year
    WHERE p.game_date >= {{ season_start }} AND p.game_date < {{ end_date }}
      AND p.game_date >= o.opener_date
),

-- His games played in order (n = 1 is his first of the season), each with the sums over the
-- windows of his last 5, 10 and 82 games played that end at it (thresholds.short_window,
-- sample_window, lookback_games): one window pass, no lookups of earlier games.
played_games AS (
    SELECT
        player_lookup, season_year, game_date,
        row_number() OVER running AS n,
        lead(game_date) OVER running AS next_game_date,
        CAST(coalesce(sum(points) OVER last_5, 0) AS BIGINT) AS points_5,
        count(points) OVER last_5 AS points_n_5,
        CAST(coalesce(sum(points) OVER last_10, 0) AS BIGINT) AS points_10,
        CAST(coalesce(sum(points * points) OVER last_10, 0) AS BIGINT) AS points_sq_10,
        count(points) OVER last_10 AS points_n_10,
        sum(CAST(minutes_played AS DECIMAL(18, 10))) OVER last_10 AS minutes_10,
        count(minutes_played) OVER last_10 AS minutes_n_10,
        sum(CAST(usage_rate AS DECIMAL(18, 10))) OVER last_10 AS usage_10,
        count(usage_rate) OVER last_10 AS usage_n_10,
        sum(CAST(ts_pct AS DECIMAL(18, 10))) OVER last_10 AS ts_10,
        count(ts_pct) OVER last_10 AS ts_n_10,
        CAST(sum(assisted_fg_makes) OVER last_10 AS BIGINT) AS assisted_10,
        CAST(sum(CASE WHEN assisted_fg_makes IS NOT NULL THEN fg_makes END) OVER last_10
            AS BIGINT) AS assist_fg_10,
        CAST(coalesce(sum(points) OVER last_82, 0) AS BIGINT) AS points_82,
        count(points) OVER last_82 AS points_n_82,
        sum(CAST(usage_rate AS DECIMAL(18, 10))) OVER last_82 AS usage_82,
        count(usage_rate) OVER last_82 AS usage_n_82
    FROM season_rows
    WHERE played
    WINDOW
        running AS (PARTITION BY player_lookup, season_year ORDER BY game_date),
        last_5 AS (running ROWS BETWEEN 4 PRECEDING AND CURRENT ROW),
        last_10 AS (running ROWS BETWEEN 9 PRECEDING AND CURRENT ROW),
        last_82 AS (running ROWS BETWEEN 81 PRECEDING AND CURRENT ROW)
),

-- The metrics of each game's windows. A game is his latest game played for the dates after it
-- up to and including his next one, and those dates share its metrics: they are computed once
-- per game, not once per date, and only for games with such a date in the range.
game_metrics AS (
    SELECT
        g.player_lookup, g.season_year, g.game_date, g.n,
        CASE WHEN g.points_n_5 > 0 THEN CAST(g.points_5 AS DOUBLE) / g.points_n_5 END
            AS points_avg_last_5,
        CASE WHEN g.points_n_10 > 0 THEN CAST(g.points_10 AS DOUBLE) / g.points_n_10 END
            AS points_avg_last_10,
        CASE WHEN g.points_n_82 > 0 THEN CAST(g.points_82 AS DOUBLE) / g.points_n_82 END
            AS points_avg_season,
        CASE WHEN g.points_n_10 >= t.std_min_games THEN sqrt(
            CAST(g.points_n_10 * g.points_sq_10 - g.points_10 * g.points_10 AS DOUBLE)
            / (g.points_n_10 * (g.points_n_10 - 1))
        ) END AS points_std_last_10,
        CASE WHEN g.minutes_n_10 > 0 THEN CAST(g.minutes_10 AS DOUBLE) / g.minutes_n_10 END
            AS minutes_avg_last_10,
        CASE WHEN g.usage_n_10 > 0 THEN CAST(g.usage_10 AS DOUBLE) / g.usage_n_10 END
            AS usage_rate_last_10,
        CASE WHEN g.ts_n_10 > 0 THEN CAST(g.ts_10 AS DOUBLE) / g.ts_n_10 END AS ts_pct_last_10,
        CAST(least(g.n, t.lookback_games) AS INTEGER) AS games_played_season,
        CASE WHEN g.usage_n_82 > 0 THEN CAST(g.usage_82 AS DOUBLE) / g.usage_n_82 END
            AS player_usage_rate_season,
        CASE WHEN g.assist_fg_10 > 0 THEN CAST(g.assisted_10 AS DOUBLE) / g.assist_fg_10 END
            AS assisted_rate_last_10
    FROM played_games AS g
    CROSS JOIN thresholds AS t
    WHERE g.next_game_date IS NULL OR g.next_game_date >= {{ start_date }}
),

-- Their part of data_hash's text (values joined by '|'), also once per game: the casts to
-- text are the costliest expressions of the model. (MATERIALIZED, as in
-- player_shot_zone_analysis: an inlined CTE's expressions may be moved after the join to the
-- dates and evaluated once per date.)
game_hash_text AS MATERIALIZED (
    SELECT
        m.*,
        concat_ws('|',
            coalesce({{ HASH_TEXT_DOUBLE(m.points_avg_last_5) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(m.points_avg_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(m.points_avg_season) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(m.points_std_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(m.minutes_avg_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(m.usage_rate_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(m.ts_pct_last_10) }}, 'NULL'),
            CAST(m.games_played_season AS VARCHAR),
            coalesce({{ HASH_TEXT_DOUBLE(m.player_usage_rate_season) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(m.assisted_rate_last_10) }}, 'NULL')
        ) AS metrics_text
    FROM game_metrics AS m
),

-- His rows in order (any status), each the latest one for the dates after it up to and
-- including his next row; carried forward, the date of his latest game played up to it.
team_rows AS (
    SELECT
        player_lookup, universal_player_id, season_year, game_date, team_abbr,
        lead(game_date) OVER (PARTITION BY player_lookup, season_year ORDER BY game_date)
            AS next_row_date,
        max(CASE WHEN played THEN game_date END) OVER (
            PARTITION BY player_lookup, season_year ORDER BY game_date
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS last_game_date
    FROM (
        -- only the columns used: a window carries every input column through its sort
        SELECT player_lookup, universal_player_id, season_year, game_date, team_abbr, played
        FROM season_rows
    ) AS r
),

-- His latest row (any status) before each cache date (his team for roster expansion) and his
-- latest game played before it (NULL if none).
latest_rows AS (
    SELECT
        d.cache_date, r.player_lookup, r.universal_player_id, r.team_abbr, r.last_game_date
    FROM cache_dates AS d
    JOIN team_rows AS r
      ON r.season_year = d.season_year AND r.game_date < d.cache_date
     AND d.cache_date <= coalesce(r.next_row_date, DATE '9999-12-31')
),

-- The players of the date: upcoming_player_game_context's rows ...
context_players AS (
    SELECT
        u.game_date AS cache_date, u.player_lookup, u.universal_player_id, u.team_abbr,
        u.game_id, TRUE AS in_upcoming_context,
        u.games_in_last_7_days, u.games_in_last_14_days, u.minutes_in_last_7_days,
        u.minutes_in_last_14_days, u.back_to_backs_last_14_days, u.avg_minutes_per_game_last_7
    FROM nba_analytics.upcoming_player_game_context AS u
    WHERE u.game_date >= {{ start_date }} AND u.game_date < {{ end_date }}
),

-- ... plus roster expansion: a player whose team (his latest row) plays on the date, who
-- played in the 30 days before it and has no context row.
expansion_players AS (
    SELECT
        lr.cache_date, lr.player_lookup, lr.universal_player_id, lr.team_abbr, dt.game_id,
        FALSE AS in_upcoming_context,
        CAST(NULL AS INTEGER) AS games_in_last_7_days,
        CAST(NULL AS INTEGER) AS games_in_last_14_days,
        CAST(NULL AS DOUBLE) AS minutes_in_last_7_days,
        CAST(NULL AS DOUBLE) AS minutes_in_last_14_days,
        CAST(NULL AS INTEGER) AS back_to_backs_last_14_days,
        CAST(NULL AS DOUBLE) AS avg_minutes_per_game_last_7
    FROM latest_rows AS lr
    CROSS JOIN thresholds AS t
    JOIN date_teams AS dt ON dt.game_date = lr.cache_date AND dt.team_abbr = lr.team_abbr
    LEFT JOIN context_players AS c
      ON c.cache_date = lr.cache_date AND c.player_lookup = lr.player_lookup
    WHERE date_diff('day', lr.last_game_date, lr.cache_date) <= t.expansion_days
      AND c.player_lookup IS NULL
),

drivers AS (
    SELECT * FROM context_players
    UNION ALL
    SELECT * FROM expansion_players
),

-- Per player and date: the metrics of his latest game played before the date (n = games
-- played so far).
player_windows AS (
    SELECT
        dr.*, d.season_year, d.opener_date, d.days_since_opener,
        lr.universal_player_id AS latest_row_player_id,
        coalesce(g.n, 0) AS games_before, g.game_date AS last_game_date,
        g.points_avg_last_5, g.points_avg_last_10, g.points_avg_season, g.points_std_last_10,
        g.minutes_avg_last_10, g.usage_rate_last_10, g.ts_pct_last_10,
        coalesce(g.games_played_season, 0) AS games_played_season,
        g.player_usage_rate_season, g.assisted_rate_last_10,
        -- without a game played: every metric NULL and 0 games
        coalesce(g.metrics_text, 'NULL|NULL|NULL|NULL|NULL|NULL|NULL|0|NULL|NULL')
            AS metrics_text
    FROM drivers AS dr
    JOIN cache_dates AS d ON d.cache_date = dr.cache_date
    LEFT JOIN latest_rows AS lr
      ON lr.cache_date = dr.cache_date AND lr.player_lookup = dr.player_lookup
    LEFT JOIN game_hash_text AS g
      ON g.player_lookup = dr.player_lookup AND g.season_year = d.season_year
     AND g.game_date = lr.last_game_date
),

-- The team's offensive games of the season in order, each with the sums over its last 10
-- games (thresholds.sample_window) that end at it.
team_games AS (
    SELECT
        o.team_abbr, o.season_year, o.game_date,
        lead(o.game_date) OVER (PARTITION BY o.team_abbr, o.season_year ORDER BY o.game_date)
            AS next_game_date,
        sum(CAST(o.pace AS DECIMAL(18, 10))) OVER last_10 AS pace_10,
        count(o.pace) OVER last_10 AS pace_n_10,
        sum(CAST(o.offensive_rating AS DECIMAL(18, 10))) OVER last_10 AS off_rating_10,
        count(o.offensive_rating) OVER last_10 AS off_rating_n_10
    FROM nba_analytics.team_offense_game_summary AS o
    JOIN season_openers AS s ON s.season_year = o.season_year
    WHERE o.game_date >= {{ season_start }} AND o.game_date < {{ end_date }}
      AND o.game_date >= s.opener_date
    WINDOW last_10 AS (
        PARTITION BY o.team_abbr, o.season_year ORDER BY o.game_date
        ROWS BETWEEN 9 PRECEDING AND CURRENT ROW
    )
),

-- Per team and date: the windows of its latest game before the date, with their part of
-- data_hash's text (once per team and date, not per player).
team_windows AS (
    SELECT
        w.*,
        concat_ws('|',
            coalesce({{ HASH_TEXT_DOUBLE(w.team_pace_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(w.team_off_rating_last_10) }}, 'NULL')
        ) AS team_text
    FROM (
        SELECT
            td.cache_date, td.team_abbr,
            CASE WHEN g.pace_n_10 > 0 THEN CAST(g.pace_10 AS DOUBLE) / g.pace_n_10 END
                AS team_pace_last_10,
            CASE WHEN g.off_rating_n_10 > 0
                THEN CAST(g.off_rating_10 AS DOUBLE) / g.off_rating_n_10
            END AS team_off_rating_last_10
        FROM (SELECT DISTINCT cache_date, season_year, team_abbr FROM player_windows) AS td
        JOIN team_games AS g
          ON g.team_abbr = td.team_abbr AND g.season_year = td.season_year
         AND g.game_date < td.cache_date
         AND (g.next_game_date IS NULL OR td.cache_date <= g.next_game_date)
    ) AS w
),

-- Metrics, copied context, shot zones and completeness per player and date.
assembled AS (
    SELECT
        p.cache_date, p.player_lookup,
        coalesce(p.universal_player_id, p.latest_row_player_id) AS universal_player_id,
        p.team_abbr, p.game_id, p.in_upcoming_context,
        p.points_avg_last_5, p.points_avg_last_10, p.points_avg_season, p.points_std_last_10,
        p.minutes_avg_last_10, p.usage_rate_last_10, p.ts_pct_last_10, p.games_played_season,
        p.player_usage_rate_season, p.assisted_rate_last_10, p.metrics_text,
        tw.team_pace_last_10, tw.team_off_rating_last_10,
        coalesce(tw.team_text, 'NULL|NULL') AS team_text,
        CAST(p.games_in_last_7_days AS INTEGER) AS games_in_last_7_days,
        CAST(p.games_in_last_14_days AS INTEGER) AS games_in_last_14_days,
        CAST(p.minutes_in_last_7_days AS DOUBLE) AS minutes_in_last_7_days,
        CAST(p.minutes_in_last_14_days AS DOUBLE) AS minutes_in_last_14_days,
        CAST(p.back_to_backs_last_14_days AS INTEGER) AS back_to_backs_last_14_days,
        CAST(p.avg_minutes_per_game_last_7 AS DOUBLE) AS avg_minutes_per_game_last_7,
        z.primary_scoring_zone, z.paint_rate_last_10, z.three_pt_rate_last_10,
        z.player_lookup IS NOT NULL AS shot_zone_data_available,
        c.l5_pct AS l5_completeness_pct,
        coalesce({{ WINDOW_READY(c.l5_actual, c.l5_expected) }}, FALSE)
            AS l5_is_complete,
        c.l10_pct AS l10_completeness_pct,
        coalesce({{ WINDOW_READY(c.l10_actual, c.l10_expected) }}, FALSE)
            AS l10_is_complete,
        c.l7d_pct AS l7d_completeness_pct,
        coalesce({{ WINDOW_READY(c.l7d_actual, c.l7d_expected) }}, FALSE)
            AS l7d_is_complete,
        c.l14d_pct AS l14d_completeness_pct,
        coalesce({{ WINDOW_READY(c.l14d_actual, c.l14d_expected) }}, FALSE)
            AS l14d_is_complete,
        CAST(c.l5_expected AS INTEGER) AS expected_games,
        CAST(c.l5_actual AS INTEGER) AS actual_games,
        c.l5_pct AS completeness_percentage,
        p.games_before, p.last_game_date, p.days_since_opener, p.opener_date,
        CAST(coalesce(tg.team_games, 0) AS INTEGER) AS team_games,
        t.lookback_games
    FROM player_windows AS p
    CROSS JOIN thresholds AS t
    LEFT JOIN team_windows AS tw ON tw.cache_date = p.cache_date AND tw.team_abbr = p.team_abbr
    LEFT JOIN team_games_before AS tg
      ON tg.cache_date = p.cache_date AND tg.team_abbr = p.team_abbr
    LEFT JOIN nba_precompute.player_shot_zone_analysis AS z
      ON z.analysis_date = p.cache_date AND z.player_lookup = p.player_lookup
     AND z.analysis_date >= {{ start_date }} AND z.analysis_date < {{ end_date }}
    LEFT JOIN nba_analytics.player_completeness AS c
      ON c.analysis_date = p.cache_date AND c.player_lookup = p.player_lookup
     AND c.analysis_date >= {{ start_date }} AND c.analysis_date < {{ end_date }}
),

-- Gates (spec 5.4 and the Phase 4 early-season rule), in order.
gated AS (
    SELECT
        a.*,
        a.l5_is_complete AND a.l10_is_complete AND a.l7d_is_complete AND a.l14d_is_complete
            AS all_windows_complete,
        CASE
            WHEN a.days_since_opener < {{ BOOTSTRAP_DAYS }} THEN 'EARLY_SEASON'
            WHEN a.games_before < t.absolute_min_games THEN 'INSUFFICIENT_DATA'
            WHEN date_diff('day', a.last_game_date, a.cache_date) > t.stale_days
                THEN 'STALE_DATA'
            WHEN NOT (a.l5_is_complete AND a.l10_is_complete AND a.l7d_is_complete
                      AND a.l14d_is_complete)
                 AND a.days_since_opener >= t.completeness_grace_days
                 AND month(a.cache_date) NOT IN ({{ SEASON_BOUNDARY_MONTHS }})  -- season boundary
                THEN 'INCOMPLETE_DATA'
        END AS failure_category,
        CASE
            WHEN a.completeness_percentage >= t.gold_pct THEN 'gold'
            WHEN a.completeness_percentage >= t.silver_pct THEN 'silver'
            WHEN a.completeness_percentage >= t.bronze_pct THEN 'bronze'
            WHEN a.completeness_percentage >= t.poor_pct THEN 'poor'
            ELSE 'unusable'
        END AS quality_tier,
        a.games_before < t.early_season_games AS early_season_flag,
        t.absolute_min_games, t.stale_days
    FROM assembled AS a
    CROSS JOIN thresholds AS t
)

SELECT
    g.cache_date,
    g.player_lookup,
    g.universal_player_id,
    g.team_abbr,
    g.game_id,
    g.in_upcoming_context,
    g.points_avg_last_5,
    g.points_avg_last_10,
    g.points_avg_season,
    g.points_std_last_10,
    g.minutes_avg_last_10,
    g.usage_rate_last_10,
    g.ts_pct_last_10,
    g.games_played_season,
    g.player_usage_rate_season,
    g.assisted_rate_last_10,
    g.team_pace_last_10,
    g.team_off_rating_last_10,
    g.games_in_last_7_days,
    g.games_in_last_14_days,
    g.minutes_in_last_7_days,
    g.minutes_in_last_14_days,
    g.back_to_backs_last_14_days,
    g.avg_minutes_per_game_last_7,
    g.primary_scoring_zone,
    g.paint_rate_last_10,
    g.three_pt_rate_last_10,
    g.shot_zone_data_available,
    g.l5_completeness_pct,
    g.l5_is_complete,
    g.l10_completeness_pct,
    g.l10_is_complete,
    g.l7d_completeness_pct,
    g.l7d_is_complete,
    g.l14d_completeness_pct,
    g.l14d_is_complete,
    g.all_windows_complete,
    g.expected_games,
    g.actual_games,
    CAST(g.expected_games - g.actual_games AS INTEGER) AS missing_games,
    g.completeness_percentage,
    g.quality_tier,
    g.completeness_percentage AS cache_quality_score,
    g.early_season_flag,
    CAST(g.days_since_opener AS INTEGER) AS days_since_opener,
    g.last_game_date,
    CAST(date_diff('day', g.last_game_date, g.cache_date) AS INTEGER) AS days_since_last_game,
    'v1' AS cache_version,
    CASE WHEN g.failure_category IS NULL THEN substr(sha256(concat_ws('|',
        CAST(g.cache_date AS VARCHAR), g.player_lookup, coalesce(g.team_abbr, 'NULL'),
        coalesce(g.game_id, 'NULL'),
        g.metrics_text,  -- points_avg_last_5 ... assisted_rate_last_10, cast once per game
        g.team_text,     -- team_pace_last_10, team_off_rating_last_10
        coalesce(CAST(g.games_in_last_7_days AS VARCHAR), 'NULL'),
        coalesce(CAST(g.games_in_last_14_days AS VARCHAR), 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(g.minutes_in_last_7_days) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(g.minutes_in_last_14_days) }}, 'NULL'),
        coalesce(CAST(g.back_to_backs_last_14_days AS VARCHAR), 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(g.avg_minutes_per_game_last_7) }}, 'NULL'),
        coalesce(g.primary_scoring_zone, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(g.paint_rate_last_10) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(g.three_pt_rate_last_10) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(g.completeness_percentage) }}, 'NULL'),
        CAST(g.all_windows_complete AS VARCHAR),
        coalesce(CAST(g.last_game_date AS VARCHAR), 'NULL')
    )), 1, 16) END AS data_hash,
    g.failure_category,
    CASE g.failure_category
        WHEN 'EARLY_SEASON' THEN
            'early season: day ' || CAST(g.days_since_opener AS VARCHAR) || ' of '
            || CAST({{ BOOTSTRAP_DAYS }} AS VARCHAR) || ' after the '
            || CAST(g.opener_date AS VARCHAR) || ' opener'
        WHEN 'INSUFFICIENT_DATA' THEN
            CAST(g.games_before AS VARCHAR) || ' games played this season, '
            || CAST(g.absolute_min_games AS VARCHAR) || ' needed'
        WHEN 'STALE_DATA' THEN
            'latest game played ' || CAST(g.last_game_date AS VARCHAR) || ', '
            || CAST(date_diff('day', g.last_game_date, g.cache_date) AS VARCHAR)
            || ' days before (more than ' || CAST(g.stale_days AS VARCHAR) || ')'
        WHEN 'INCOMPLETE_DATA' THEN
            'completeness below ' || CAST(CAST({{ PRODUCTION_READY_PCT }} AS INTEGER) AS VARCHAR)
            || '%: L5 ' || coalesce(CAST(g.l5_completeness_pct AS VARCHAR) || '%', 'NULL')
            || ', L10 ' || coalesce(CAST(g.l10_completeness_pct AS VARCHAR) || '%', 'NULL')
            || ', L7d ' || coalesce(CAST(g.l7d_completeness_pct AS VARCHAR) || '%', 'NULL')
            || ', L14d ' || coalesce(CAST(g.l14d_completeness_pct AS VARCHAR) || '%', 'NULL')
    END AS failure_reason,
    CASE WHEN g.failure_category IS NULL THEN NULL
        ELSE g.failure_category IN ('INSUFFICIENT_DATA', 'INCOMPLETE_DATA') END AS can_retry,
    CASE WHEN g.failure_category IS NULL THEN NULL
        ELSE CAST(least(g.team_games, g.lookback_games) AS INTEGER) END AS expected_game_count,
    CASE WHEN g.failure_category IS NULL THEN NULL
        ELSE g.games_played_season END AS actual_game_count
FROM gated AS g
