-- name: nba_analytics.upcoming_player_game_context
-- description: What is known about a player before a game tips off: his prop line (opening, current, movement), the game's spread and total, fatigue (rest, recent games and minutes), recent scoring and prop streaks, the opponent's recent pace and defence, star teammates out, and the completeness of his history. For played games the players who appeared; for games not played yet the rostered players of both teams minus those listed out on the latest injury report before tip-off. Everything strictly before the game date.
-- grain: one row per player per game date
-- key: game_date, player_lookup
-- date_column: game_date
-- upstream: nba_raw.schedule (critical), nba_analytics.player_game_summary (critical), nba_analytics.player_prop_lines (optional), nba_raw.injury_report (optional), nba_raw.team_rosters (optional), nba_analytics.upcoming_team_game_context (optional), nba_analytics.team_offense_game_summary (optional), nba_analytics.team_defense_game_summary (optional), nba_analytics.player_completeness (optional)
-- lookback: 82 games
-- check: unique_key
-- check: not_null(game_id, player_lookup, team_abbr, opponent_team_abbr)
-- check: expr(games_in_last_7_days <= games_in_last_14_days)
-- check: expr(l5_games_used <= 5 AND l10_games_used <= 10)
-- check: range(days_rest, 0, 400)
-- check: range(points_avg_last_10, 0, 70)
-- check: expr(NOT has_prop_line OR current_points_line IS NOT NULL)
-- check: share(CASE WHEN l10_games_used > 0 THEN avg_usage_rate_last_7_games IS NOT NULL END, 0.1, 50) warn
-- check: share(has_prop_line, 0.1, 50) warn
--
-- column game_id: NBA.com game id
-- column game_date: game date (US/Eastern)
-- column season_year: season start year
-- column player_lookup: normalised player name
-- column universal_player_id: registry id
-- column player_name: display name
-- column team_abbr: the player's team for this game
-- column opponent_team_abbr: the other team
-- column home_game: does his team play at home?
-- column is_future_game: the game had no results when this row was computed (driver: roster minus players out)
-- column injury_status: his status on the latest injury report before tip-off (lower case), NULL when not listed
-- column injury_reason: the reason given on that report
-- column has_prop_line: does any book have a pre-game points line for him?
-- column current_points_line: the chosen book's latest pre-game main line (DraftKings, FanDuel, then A..Z) [points]
-- column opening_points_line: the same book's earliest pre-game main line [points]
-- column line_movement: current - opening [points]
-- column current_points_line_source: bookmaker of the current line
-- column opening_points_line_source: bookmaker of the opening line (the same book)
-- column prop_book_count: books with a pre-game line for him
-- column game_spread: his team's current spread (median over books), from upcoming_team_game_context [points]
-- column opening_spread: the team's opening spread [points]
-- column spread_movement: current - opening spread [points]
-- column game_total: current game total (median over books) [points]
-- column opening_total: opening game total [points]
-- column total_movement: current - opening total [points]
-- column days_rest: days between his previous game and this one minus 1 (0 = back-to-back; same convention as the team table); NULL without a previous game this season [days]
-- column is_back_to_back: days_rest = 0
-- column games_in_last_7_days: games he played in the 7 days before the date [games]
-- column games_in_last_14_days: games he played in the 14 days before the date [games]
-- column minutes_in_last_7_days: minutes he played in the 7 days before the date [minutes]
-- column minutes_in_last_14_days: minutes in the 14 days before the date [minutes]
-- column avg_minutes_per_game_last_7: minutes_in_last_7_days / games_in_last_7_days [minutes]
-- column back_to_backs_last_14_days: games in the 14 days before the date played the day after another game [games]
-- column avg_usage_rate_last_7_games: mean usage rate over his last 7 games played [%]
-- column points_avg_last_5: mean points over his last 5 games played this season [points]
-- column points_avg_last_10: mean points over his last 10 games played this season [points]
-- column l5_games_used: games behind points_avg_last_5 [games]
-- column l10_games_used: games behind points_avg_last_10 [games]
-- column points_avg_season: mean points over his games played this season before the date [points]
-- column minutes_avg_season: mean minutes over those games [minutes]
-- column games_played_season: games played this season before the date [games]
-- column sample_quality: excellent (10 games), good (>= 7), limited (>= 5), insufficient
-- column prop_over_streak: his most recent consecutive games (pushes skipped; among his last 20 games within 60 days) with points above the current line [games]
-- column prop_under_streak: most recent consecutive games below the current line (same games) [games]
-- column team_pace_last_10: his team's mean pace over its last 10 games [possessions]
-- column opponent_pace_last_10: the opponent's mean pace over its last 10 games (per 48, any season date: legacy hard-coded 2024-10-01, spec 9.5) [possessions]
-- column opponent_def_rating_last_10: the opponent's mean defensive rating over its last 10 games [points per 100 possessions]
-- column pace_differential: team_pace_last_10 - opponent_pace_last_10 [possessions]
-- column star_teammates_out: teammates who are stars (>= 10 games this season and >= 18 points a game, or >= 28 minutes and >= 12 points) listed out or doubtful before tip-off
-- column questionable_star_teammates: star teammates listed questionable
-- column team_days_rest: his team's days rest, from upcoming_team_game_context [days]
-- column opponent_days_rest: the opponent's days rest [days]
-- column travel_miles: his team's travel to this game, from upcoming_team_game_context [miles]
-- column l5_completeness_pct: completeness of his last 5 team games, from player_completeness [%]
-- column l10_completeness_pct: last 10 team games [%]
-- column l7d_completeness_pct: last 7 days [%]
-- column l14d_completeness_pct: last 14 days [%]
-- column l30d_completeness_pct: last 30 days [%]
-- column all_windows_complete: every completeness window complete
-- column is_production_ready: spec 4.4: in the first 30 days after the season's real opener (legacy: Oct 1, spec 9.8) and in October, November and April (season boundary), TRUE; else all five completeness windows (last 5 and 10 games, 7, 14 and 30 days) at least 70% (FALSE when his completeness row is missing); TRUE for a player without a game this season
-- column season_phase: early (Oct-Nov), mid (Dec-Feb), late (Mar-Apr), postseason
-- column quality_tier: gold (>= 10 games of history), silver (>= 5), bronze (fewer)
-- column quality_score: 95 gold, 75 silver, 50 bronze
-- column data_hash: first 16 hex characters of SHA-256 over the row's context columns (values joined by '|', fixed order, a NULL status or source as '' and any other NULL left out; doubles as fixed six-decimal text (DECIMAL(18,6)), the same text in DuckDB and Spark)
--
-- History comes from player_game_summary rows where he played (active, minutes > 0). A target
-- takes the game-count windows of his last game before the date and the day windows of his
-- games in the days before it: the point-in-time rule is in the joins, not in a per-date loop.

WITH
games AS (
    SELECT game_id, game_date, season_year, home_team_abbr, away_team_abbr, game_start_time
    FROM nba_raw.schedule
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY game_status DESC, source) = 1
),

game_teams AS (
    SELECT game_id, game_date, season_year, game_start_time,
           home_team_abbr AS team_abbr, away_team_abbr AS opponent_team_abbr, TRUE AS home_game
    FROM games
    UNION ALL
    SELECT game_id, game_date, season_year, game_start_time,
           away_team_abbr, home_team_abbr, FALSE
    FROM games
),

-- Not materialized: each reader scans only the columns it needs.
summaries AS NOT MATERIALIZED (
    SELECT *
    FROM nba_analytics.player_game_summary
    WHERE game_date >= {{ season_start }} AND game_date < {{ end_date }}
),

games_with_results AS (
    SELECT DISTINCT game_id FROM summaries WHERE game_date >= {{ start_date }}
),

latest_injury_status AS (
    SELECT i.game_id, i.player_lookup, i.team_abbr,
           lower(trim(i.injury_status)) AS injury_status, i.reason
    FROM nba_raw.injury_report AS i
    JOIN games AS g ON g.game_id = i.game_id
    WHERE g.game_start_time IS NULL OR i.report_timestamp < g.game_start_time
    QUALIFY row_number() OVER (
        PARTITION BY i.game_id, i.player_lookup ORDER BY i.report_timestamp DESC, i.source
    ) = 1
),

-- Who gets a row: the players who appeared in a played game; for a game without results yet,
-- the rostered players of both teams minus those listed out.
appeared AS (
    SELECT s.game_id, s.player_lookup, s.team_abbr, FALSE AS is_future_game
    FROM summaries AS s
    WHERE s.game_date >= {{ start_date }} AND s.is_active AND s.minutes_played > 0
),

rostered AS (
    SELECT t.game_id, r.player_lookup, t.team_abbr, TRUE AS is_future_game
    FROM game_teams AS t
    JOIN nba_raw.team_rosters AS r
      ON r.team_abbr = t.team_abbr AND r.start_date <= t.game_date
     AND (r.end_date IS NULL OR r.end_date >= t.game_date)
    LEFT JOIN latest_injury_status AS i
      ON i.game_id = t.game_id AND i.player_lookup = r.player_lookup
    WHERE t.game_id NOT IN (SELECT game_id FROM games_with_results)
      AND coalesce(i.injury_status, '') <> 'out'
    QUALIFY row_number() OVER (PARTITION BY t.game_id, r.player_lookup) = 1
),

-- The two never share a game (rosters only drive games without results), and a played game
-- has one summary row per player: only a roster can list a player twice.
driver AS (
    SELECT * FROM appeared
    UNION ALL
    SELECT * FROM rostered
),

-- t_id: an integer key for the per-target aggregates and their joins (two strings cost more
-- to hash); numbered once (materialized), never part of the output.
targets AS MATERIALIZED (
    SELECT row_number() OVER () AS t_id, d.game_id, t.game_date, t.season_year,
           d.player_lookup, d.team_abbr, t.opponent_team_abbr, t.home_game, t.game_start_time,
           d.is_future_game
    FROM driver AS d
    JOIN game_teams AS t ON t.game_id = d.game_id AND t.team_abbr = d.team_abbr
),

-- His games played this season, numbered (h_idx), each with the game-count windows that end
-- with it (last 5/7/10 games, season so far): a target whose last game before the date is
-- game k takes game k's windows (one window pass over games, not over games and targets).
-- Decimals, not doubles: sums in any order give the same result, so a daily run and a
-- backfill round every average the same way.
history AS (
    SELECT
        player_lookup, season_year, game_date, points, minutes_played,
        CASE WHEN date_diff('day', lag(game_date) OVER season_so_far, game_date) = 1
             THEN 1 ELSE 0 END AS is_second_of_back_to_back,
        row_number() OVER season_so_far AS h_idx,
        avg(points) OVER last_5 AS points_avg_last_5,
        count(points) OVER last_5 AS l5_games_used,
        avg(points) OVER last_10 AS points_avg_last_10,
        count(points) OVER last_10 AS l10_games_used,
        avg(usage_rate) OVER last_7 AS avg_usage_rate_last_7_games,
        avg(points) OVER season_so_far AS points_avg_season,
        avg(minutes_played) OVER season_so_far AS minutes_avg_season,
        lead(game_date) OVER season_so_far AS next_game_date
    FROM (
        SELECT
            player_lookup, season_year, game_date, points,
            CAST(minutes_played AS DECIMAL(12, 4)) AS minutes_played,
            CAST(usage_rate AS DECIMAL(12, 4)) AS usage_rate
        FROM summaries
        WHERE is_active AND minutes_played > 0
    ) AS played
    WINDOW
        last_5 AS (PARTITION BY player_lookup, season_year ORDER BY game_date
                   ROWS BETWEEN 4 PRECEDING AND CURRENT ROW),
        last_7 AS (PARTITION BY player_lookup, season_year ORDER BY game_date
                   ROWS BETWEEN 6 PRECEDING AND CURRENT ROW),
        last_10 AS (PARTITION BY player_lookup, season_year ORDER BY game_date
                    ROWS BETWEEN 9 PRECEDING AND CURRENT ROW),
        season_so_far AS (PARTITION BY player_lookup, season_year ORDER BY game_date
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),

-- Day windows (the 7 and 14 days before the date) counted from his games in those days: a
-- join of each target with at most 14 of his games, no window over a stream of days.
day_windows AS (
    SELECT
        t.t_id,
        count(*) FILTER (WHERE h.game_date >= t.game_date - 7)
            AS games_in_last_7_days,
        count(*) AS games_in_last_14_days,
        sum(h.minutes_played) FILTER (WHERE h.game_date >= t.game_date - 7)
            AS minutes_in_last_7_days,
        sum(h.minutes_played) AS minutes_in_last_14_days,
        sum(h.is_second_of_back_to_back) AS back_to_backs_last_14_days
    FROM targets AS t
    JOIN history AS h
      ON h.player_lookup = t.player_lookup AND h.season_year = t.season_year
     AND h.game_date < t.game_date AND h.game_date >= t.game_date - 14
    GROUP BY t.t_id
),

-- The number (h_idx) of his last game this season before the date: a mark per target in the
-- date-ordered stream of his games (a date's marks sort before its games, so a mark sees only
-- games strictly before it) takes the running max of h_idx, the portable form of an as-of join.
target_positions AS (
    SELECT t_id, h_idx
    FROM (
        SELECT
            m.t_id,
            max(m.h_idx) OVER (
                PARTITION BY m.player_lookup, m.season_year ORDER BY m.stream_date, m.after_marks
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS h_idx
        FROM (
            SELECT
                player_lookup, season_year, game_date AS stream_date, 1 AS after_marks, h_idx,
                CAST(NULL AS BIGINT) AS t_id
            FROM history
            UNION ALL
            SELECT player_lookup, season_year, game_date, 0, NULL, t_id FROM targets
        ) AS m
    ) AS marked
    WHERE t_id IS NOT NULL
),

-- His last game before the date carries the game-count windows, the games played this season
-- before the date (its number) and the date of his last game.
target_windows AS (
    SELECT
        t.t_id, coalesce(h.h_idx, 0) AS games_played_season,
        h.points_avg_last_5, coalesce(h.l5_games_used, 0) AS l5_games_used,
        h.points_avg_last_10, coalesce(h.l10_games_used, 0) AS l10_games_used,
        h.avg_usage_rate_last_7_games, h.points_avg_season, h.minutes_avg_season,
        d.games_in_last_7_days, d.games_in_last_14_days, d.minutes_in_last_7_days,
        d.minutes_in_last_14_days, d.back_to_backs_last_14_days, h.game_date AS last_game_date
    FROM targets AS t
    JOIN target_positions AS p ON p.t_id = t.t_id
    LEFT JOIN history AS h
      ON h.player_lookup = t.player_lookup AND h.season_year = t.season_year
     AND h.h_idx = p.h_idx
    LEFT JOIN day_windows AS d ON d.t_id = t.t_id
),

-- Prop lines: each book's pre-game lines come from player_prop_lines (pre-game snapshots,
-- main line of a ladder, opening and current); the book by priority.
prop_lines AS (
    SELECT
        game_id, player_lookup,
        count(*) AS prop_book_count,
        arg_min(
            {'bookmaker': bookmaker, 'current_line': current_line, 'opening_line': opening_line},
            {'book_priority': book_priority, 'bookmaker': bookmaker}
        ) AS chosen
    FROM nba_analytics.player_prop_lines
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    GROUP BY game_id, player_lookup
),

-- Prop streaks: his last 20 games played within 60 days against this game's current line,
-- pushes skipped. Every game after his latest under is an over or skipped (a push, or no
-- points), so the over streak is the games after that under minus the skipped ones (without
-- an under: every counted game), at most 20; the under streak likewise. Aggregates over his
-- games in the window, no ranking of them per target.
prop_streaks AS (
    SELECT
        t_id,
        least(20, CASE WHEN last_under IS NULL THEN counted ELSE last_game - last_under
            - coalesce(array_length(list_filter(skipped, lambda x: x > last_under)), 0) END)
            AS prop_over_streak,
        least(20, CASE WHEN last_over IS NULL THEN counted ELSE last_game - last_over
            - coalesce(array_length(list_filter(skipped, lambda x: x > last_over)), 0) END)
            AS prop_under_streak
    FROM (
        SELECT
            t.t_id,
            max(h.h_idx) AS last_game,
            max(h.h_idx) FILTER (WHERE h.points < l.chosen.current_line) AS last_under,
            max(h.h_idx) FILTER (WHERE h.points > l.chosen.current_line) AS last_over,
            count(*) FILTER (WHERE h.points <> l.chosen.current_line) AS counted,
            list(h.h_idx) FILTER (WHERE (h.points <> l.chosen.current_line) IS NOT TRUE)
                AS skipped
        FROM targets AS t
        JOIN prop_lines AS l ON l.game_id = t.game_id AND l.player_lookup = t.player_lookup
        JOIN history AS h
          ON h.player_lookup = t.player_lookup AND h.season_year = t.season_year
         AND h.game_date < t.game_date AND h.game_date >= t.game_date - 60
        GROUP BY t.t_id
    ) AS r
    WHERE counted > 0
),

-- Team pace and defence over each team's last 10 games before the date: each team game with
-- its last-10 window; a game's value is that of the team's last game before the date.
team_history AS (
    SELECT
        o.team_abbr, o.game_date, o.season_year,
        row_number() OVER team_games AS t_idx,
        avg(CAST(o.pace AS DECIMAL(12, 4))) OVER last_10 AS pace_last_10,
        -- exact sums and counts: the output rounds the exact means (vocab.round_mean)
        sum(CAST(o.pace AS DECIMAL(12, 4))) OVER last_10 AS pace_sum_10,
        count(o.pace) OVER last_10 AS pace_n_10,
        sum(CAST(d.defensive_rating AS DECIMAL(12, 4))) OVER last_10 AS def_rating_sum_10,
        count(d.defensive_rating) OVER last_10 AS def_rating_n_10
    FROM nba_analytics.team_offense_game_summary AS o
    JOIN nba_analytics.team_defense_game_summary AS d
      ON d.game_id = o.game_id AND d.defending_team_abbr = o.team_abbr
    WHERE o.game_date >= {{ season_start }} AND o.game_date < {{ end_date }}
    WINDOW
        team_games AS (PARTITION BY o.team_abbr, o.season_year ORDER BY o.game_date),
        last_10 AS (PARTITION BY o.team_abbr, o.season_year ORDER BY o.game_date
                    ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)
),

team_recent AS (
    SELECT
        t.game_id, t.team_abbr, h.pace_last_10, h.pace_sum_10, h.pace_n_10,
        h.def_rating_sum_10, h.def_rating_n_10
    FROM (
        SELECT g.game_id, g.team_abbr, g.season_year, count(*) AS games_before
        FROM game_teams AS g
        JOIN team_history AS h
          ON h.team_abbr = g.team_abbr AND h.season_year = g.season_year
         AND h.game_date < g.game_date
        GROUP BY g.game_id, g.team_abbr, g.season_year
    ) AS t
    JOIN team_history AS h
      ON h.team_abbr = t.team_abbr AND h.season_year = t.season_year
     AND h.t_idx = t.games_before
),

-- Stars listed on the report: season averages before the date; out = out or doubtful before
-- tip-off. UNION keeps one row per star and team (his status is one per game), so the counts
-- below count distinct stars.
stars AS (
    SELECT t.game_id, t.team_abbr, t.player_lookup, i.injury_status
    FROM target_windows AS w
    JOIN targets AS t ON t.t_id = w.t_id
    JOIN latest_injury_status AS i
      ON i.game_id = t.game_id AND i.player_lookup = t.player_lookup
    WHERE i.injury_status IN ('out', 'doubtful', 'questionable')
      AND w.games_played_season >= 10
      AND (w.points_avg_season >= 18
           OR (w.minutes_avg_season >= 28 AND w.points_avg_season >= 12))
    UNION
    -- stars listed before a game they then missed have no target row: find them too (what was
    -- known before tip-off must not depend on whether he played)
    SELECT i.game_id, i.team_abbr, i.player_lookup, i.injury_status
    FROM latest_injury_status AS i
    JOIN games AS g ON g.game_id = i.game_id
    JOIN (
        SELECT player_lookup, season_year, game_date, next_game_date,
               h_idx AS games_before, points_avg_season AS points_before,
               minutes_avg_season AS minutes_before
        FROM history
    ) AS s
      ON s.player_lookup = i.player_lookup AND s.season_year = g.season_year
     AND s.game_date < g.game_date
     AND (s.next_game_date IS NULL OR s.next_game_date >= g.game_date)
    WHERE i.injury_status IN ('out', 'doubtful', 'questionable')
      AND s.games_before >= 10
      AND (s.points_before >= 18 OR (s.minutes_before >= 28 AND s.points_before >= 12))
),

star_absences AS (
    SELECT
        t.t_id,
        count(*) FILTER (WHERE s.injury_status IN ('out', 'doubtful')) AS star_teammates_out,
        count(*) FILTER (WHERE s.injury_status = 'questionable') AS questionable_star_teammates
    FROM targets AS t
    JOIN stars AS s
      ON s.game_id = t.game_id AND s.team_abbr = t.team_abbr
     AND s.player_lookup <> t.player_lookup
    GROUP BY t.t_id
),

-- The registry player holding the lookup (namesakes hold distinct lookups); an alias only for
-- a lookup no registry player holds.
registry AS (
    SELECT player_lookup, min(universal_player_id) AS universal_player_id
    FROM nba_reference.nba_players_registry
    GROUP BY player_lookup
    UNION ALL
    SELECT alias_lookup, universal_player_id
    FROM nba_reference.player_aliases
    WHERE alias_lookup NOT IN (SELECT player_lookup FROM nba_reference.nba_players_registry)
),

names AS (
    SELECT player_lookup, player_name
    FROM (
        SELECT player_lookup, player_name, game_date AS seen FROM summaries
        UNION ALL
        SELECT player_lookup, player_name, start_date FROM nba_raw.team_rosters
    ) AS named
    WHERE player_name IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY player_lookup ORDER BY seen DESC) = 1
),

season_openers AS ({{ SEASON_OPENERS }}),

assembled AS (
    SELECT
        t.t_id, t.game_id, t.game_date, t.season_year, t.player_lookup,
        r.universal_player_id, n.player_name,
        t.team_abbr, t.opponent_team_abbr, t.home_game, t.is_future_game,
        i.injury_status, i.reason AS injury_reason,
        l.chosen.current_line IS NOT NULL AS has_prop_line,
        l.chosen.current_line AS current_points_line,
        l.chosen.opening_line AS opening_points_line,
        l.chosen.current_line - l.chosen.opening_line AS line_movement,
        l.chosen.bookmaker AS current_points_line_source,
        l.chosen.bookmaker AS opening_points_line_source,
        CAST(coalesce(l.prop_book_count, 0) AS INTEGER) AS prop_book_count,
        u.current_spread AS game_spread, u.opening_spread, u.spread_movement,
        u.current_total AS game_total, u.opening_total, u.total_movement,
        CAST(date_diff('day', w.last_game_date, t.game_date) - 1 AS INTEGER) AS days_rest,
        CAST(coalesce(w.games_in_last_7_days, 0) AS INTEGER) AS games_in_last_7_days,
        CAST(coalesce(w.games_in_last_14_days, 0) AS INTEGER) AS games_in_last_14_days,
        CAST(round(coalesce(w.minutes_in_last_7_days, 0), 1) AS DOUBLE) AS minutes_in_last_7_days,
        CAST(round(coalesce(w.minutes_in_last_14_days, 0), 1) AS DOUBLE) AS minutes_in_last_14_days,
        CAST(round(w.minutes_in_last_7_days / nullif(w.games_in_last_7_days, 0), 1) AS DOUBLE)
            AS avg_minutes_per_game_last_7,
        CAST(coalesce(w.back_to_backs_last_14_days, 0) AS INTEGER) AS back_to_backs_last_14_days,
        CAST(round(w.avg_usage_rate_last_7_games, 1) AS DOUBLE) AS avg_usage_rate_last_7_games,
        CAST(round(w.points_avg_last_5, 1) AS DOUBLE) AS points_avg_last_5,
        CAST(round(w.points_avg_last_10, 1) AS DOUBLE) AS points_avg_last_10,
        CAST(w.l5_games_used AS INTEGER) AS l5_games_used,
        CAST(w.l10_games_used AS INTEGER) AS l10_games_used,
        CAST(round(w.points_avg_season, 1) AS DOUBLE) AS points_avg_season,
        CAST(round(w.minutes_avg_season, 1) AS DOUBLE) AS minutes_avg_season,
        CAST(w.games_played_season AS INTEGER) AS games_played_season,
        CAST(s.prop_over_streak AS INTEGER) AS prop_over_streak,
        CAST(s.prop_under_streak AS INTEGER) AS prop_under_streak,
        {{ ROUND_MEAN(tr.pace_sum_10, tr.pace_n_10, 1) }} AS team_pace_last_10,
        {{ ROUND_MEAN(orr.pace_sum_10, orr.pace_n_10, 1) }} AS opponent_pace_last_10,
        {{ ROUND_MEAN(orr.def_rating_sum_10, orr.def_rating_n_10, 2) }}
            AS opponent_def_rating_last_10,
        CAST(round(tr.pace_last_10 - orr.pace_last_10, 1) AS DOUBLE) AS pace_differential,
        CAST(coalesce(a.star_teammates_out, 0) AS INTEGER) AS star_teammates_out,
        CAST(coalesce(a.questionable_star_teammates, 0) AS INTEGER)
            AS questionable_star_teammates,
        u.days_rest AS team_days_rest, u.opponent_days_rest, u.travel_miles,
        c.l5_pct AS l5_completeness_pct, c.l10_pct AS l10_completeness_pct,
        c.l7d_pct AS l7d_completeness_pct, c.l14d_pct AS l14d_completeness_pct,
        c.l30d_pct AS l30d_completeness_pct,
        coalesce(c.all_windows_complete, TRUE) AS all_windows_complete,
        -- spec 4.4: ready in the relaxed periods (spec 6.3), else all five windows >= 70%;
        -- a player without a game this season has nothing to be incomplete about, but one
        -- with games and no completeness row (its date failed) is not known to be complete
        coalesce(w.games_played_season, 0) = 0
            OR coalesce(date_diff('day', o.opener_date, t.game_date)
                        < {{ COMPLETENESS_GRACE_DAYS }}, FALSE)
            OR month(t.game_date) IN ({{ SEASON_BOUNDARY_MONTHS }})
            OR coalesce({{ WINDOW_READY(c.l5_actual, c.l5_expected) }}
                AND {{ WINDOW_READY(c.l10_actual, c.l10_expected) }}
                AND {{ WINDOW_READY(c.l7d_actual, c.l7d_expected) }}
                AND {{ WINDOW_READY(c.l14d_actual, c.l14d_expected) }}
                AND {{ WINDOW_READY(c.l30d_actual, c.l30d_expected) }}, FALSE)
            AS is_production_ready
    -- the large tables first, while the rows joined to them are still narrow
    FROM targets AS t
    LEFT JOIN nba_analytics.player_completeness AS c
      ON c.analysis_date = t.game_date AND c.player_lookup = t.player_lookup
    LEFT JOIN season_openers AS o ON o.season_year = t.season_year
    LEFT JOIN nba_analytics.upcoming_team_game_context AS u
      ON u.game_date = t.game_date AND u.team_abbr = t.team_abbr
    LEFT JOIN prop_lines AS l ON l.game_id = t.game_id AND l.player_lookup = t.player_lookup
    LEFT JOIN registry AS r ON r.player_lookup = t.player_lookup
    LEFT JOIN names AS n ON n.player_lookup = t.player_lookup
    LEFT JOIN target_windows AS w ON w.t_id = t.t_id
    LEFT JOIN latest_injury_status AS i
      ON i.game_id = t.game_id AND i.player_lookup = t.player_lookup
    LEFT JOIN prop_streaks AS s ON s.t_id = t.t_id
    LEFT JOIN team_recent AS tr ON tr.game_id = t.game_id AND tr.team_abbr = t.team_abbr
    LEFT JOIN team_recent AS orr
      ON orr.game_id = t.game_id AND orr.team_abbr = t.opponent_team_abbr
    LEFT JOIN star_absences AS a ON a.t_id = t.t_id
)

SELECT
    * EXCLUDE (t_id),
    coalesce(days_rest = {{ BACK_TO_BACK_DAYS_REST }}, FALSE) AS is_back_to_back,
    CASE
        WHEN l10_games_used >= 10 THEN 'excellent'
        WHEN l10_games_used >= 7 THEN 'good'
        WHEN l10_games_used >= 5 THEN 'limited'
        ELSE 'insufficient'
    END AS sample_quality,
    CASE
        WHEN month(game_date) IN (10, 11) THEN 'early'
        WHEN month(game_date) IN (12, 1, 2) THEN 'mid'
        WHEN month(game_date) IN (3, 4) THEN 'late'
        ELSE 'postseason'
    END AS season_phase,
    CASE
        WHEN games_played_season >= 10 THEN 'gold'
        WHEN games_played_season >= 5 THEN 'silver'
        ELSE 'bronze'
    END AS quality_tier,
    CASE
        WHEN games_played_season >= 10 THEN 95
        WHEN games_played_season >= 5 THEN 75
        ELSE 50
    END AS quality_score,
    substr(sha256(concat_ws('|',
        game_id, player_lookup, team_abbr, CAST(is_future_game AS VARCHAR),
        coalesce(injury_status, ''),
        {{ HASH_TEXT_DOUBLE(current_points_line) }},
        {{ HASH_TEXT_DOUBLE(opening_points_line) }},
        coalesce(current_points_line_source, ''),
        {{ HASH_TEXT_DOUBLE(game_spread) }},
        {{ HASH_TEXT_DOUBLE(game_total) }},
        CAST(days_rest AS VARCHAR), CAST(games_in_last_7_days AS VARCHAR),
        {{ HASH_TEXT_DOUBLE(minutes_in_last_7_days) }},
        {{ HASH_TEXT_DOUBLE(points_avg_last_5) }},
        {{ HASH_TEXT_DOUBLE(points_avg_last_10) }},
        CAST(prop_over_streak AS VARCHAR), CAST(prop_under_streak AS VARCHAR),
        {{ HASH_TEXT_DOUBLE(opponent_pace_last_10) }},
        CAST(star_teammates_out AS VARCHAR)
    )), 1, 16) AS data_hash
FROM assembled
