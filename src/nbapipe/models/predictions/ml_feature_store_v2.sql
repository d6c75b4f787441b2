-- name: nba_predictions.ml_feature_store_v2
-- description: The 60-feature vector per player and game date that the prediction models read (spec 5.5, feature_version v2_60features): recent and season scoring, fatigue and matchup factors, team and opponent context, shot profile, prop lines and their history, each as a typed column and in the features array, with each feature's source, a quality score and tier (spec 5.5.2) and production/candidate flags. Every player of upcoming_player_game_context gets a row (one rule for daily runs and backfills); the first 14 days after the real opener, players without a game in the 60 days before the date and out-of-range fatigue scores become failure rows. We have no birth dates: player_age is not available.
-- grain: one row per player per game date (every player of upcoming_player_game_context on a date after the early-season days)
-- key: game_date, player_lookup
-- date_column: game_date
-- upstream: nba_precompute.player_daily_cache (critical, same-day), nba_precompute.player_composite_factors (critical, same-day), nba_precompute.team_defense_zone_analysis (critical, same-day), nba_precompute.player_shot_zone_analysis (optional), nba_analytics.upcoming_player_game_context (critical, same-day), nba_analytics.player_game_summary (critical), nba_analytics.team_offense_game_summary (critical), nba_analytics.player_prop_lines (optional), nba_raw.injury_report (optional), nba_raw.schedule (critical)
-- lookback: 365 days
-- check: unique_key
-- check: not_null(game_id, team_abbr, opponent_team_abbr, features, feature_names, feature_sources, feature_quality_score, quality_tier, data_hash)
-- check: expr(feature_count = 60 AND feature_version = 'v2_60features')
-- check: expr(games_found <= 10 AND games_expected <= 10)
-- check: varies(points_avg_last_10, points_avg_season, minutes_avg_last_10, usage_rate_last_5, pct_free_throw)
-- check: varies(team_pace by team_abbr, team_off_rating by team_abbr, team_win_pct by team_abbr, vegas_points_line, game_total_line by game_id, spread_magnitude by game_id)
-- check: range(fatigue_score, 0, 100)
-- check: range(feature_quality_score, 0, 100)
-- check: range(shot_zone_mismatch_score, -10, 10) warn
-- check: range(pace_score, -3, 3) warn
-- check: range(usage_spike_score, -3, 3) warn
-- check: range(rest_advantage, -2, 2)
-- check: range(injury_risk, 0, 3)
-- check: range(recent_trend, -2, 2)
-- check: range(minutes_change, -2, 2)
-- check: range(points_avg_last_5, 0, 70) warn
-- check: range(points_avg_last_10, 0, 70) warn
-- check: range(points_avg_season, 0, 60) warn
-- check: range(points_std_last_10, 0, 30) warn
-- check: range(games_in_last_7_days, 0, 5) warn
-- check: range(opponent_def_rating, 90, 135) warn
-- check: range(opponent_pace, 85, 120) warn
-- check: range(pct_paint, 0, 1)
-- check: range(pct_mid_range, 0, 1)
-- check: range(pct_three, 0, 1)
-- check: range(pct_free_throw, 0, 0.5)
-- check: range(team_pace, 85, 120) warn
-- check: range(team_off_rating, 90, 135) warn
-- check: range(team_win_pct, 0, 1)
-- check: range(vegas_points_line, 0, 60) warn
-- check: range(minutes_avg_last_10, 0, 48) warn
-- check: range(ppm_avg_last_10, 0, 5) warn
-- check: range(dnp_rate, 0, 1)
-- check: range(pts_vs_season_zscore, -3, 3)
-- check: range(breakout_flag, 0, 1)
-- check: range(over_rate_last_10, 0, 1)
-- check: range(blowout_minutes_risk, 0, 1)
-- check: range(games_since_structural_change, 0, 30)
-- check: range(usage_rate_last_5, 0, 100) warn
-- check: range(multi_book_line_std, 0, 5) warn
--
-- column game_date: the game date; every input is known before tip-off (history strictly before it)
-- column player_lookup: normalised player name
-- column universal_player_id: registry id (player context)
-- column game_id: NBA.com game id of his game that date
-- column season_year: season start year
-- column team_abbr: his team
-- column opponent_team_abbr: the other team
-- column points_avg_last_5: feature 0: player_daily_cache points_avg_last_5, else the mean of his 5 latest games played within the 60 days before the date (needs 5), else 10 [points]
-- column points_avg_last_10: feature 1: player_daily_cache, else the mean of his up to 10 latest games played within 60 days, else 10 [points]
-- column points_avg_season: feature 2: player_daily_cache, else his mean points over this season's games played before the date, else 10 [points]
-- column points_std_last_10: feature 3: player_daily_cache, else the sample std of points over his up to 10 latest games played within 60 days (needs 2), else 5 [points]
-- column games_in_last_7_days: feature 4: player_daily_cache, else upcoming_player_game_context, else 3 [games]
-- column fatigue_score: feature 5: player_composite_factors fatigue score (0-100), else 50; outside 0-100 the player fails with FEATURE_VALIDATION_ERROR
-- column shot_zone_mismatch_score: feature 6: player_composite_factors, else 0 [points]
-- column pace_score: feature 7: player_composite_factors, else 0 [points]
-- column usage_spike_score: feature 8: player_composite_factors, else 0 [points]
-- column rest_advantage: feature 9: his days_rest minus the opponent's days rest (both from the player context, 0 = back-to-back; the legacy opponent rest was always 0, spec 9.6), clamped to -2..2; 0 when either is unknown [days]
-- column injury_risk: feature 10: from his latest injury status before tip-off: none/available 0, probable 1, questionable 2, doubtful or out 3
-- column recent_trend: feature 11: d = mean of his 2 latest games - mean of the 3 before (games played within 60 days, needs 5): 2 if d >= 5, 1 if >= 2, -2 if <= -5, -1 if <= -2, else 0
-- column minutes_change: feature 12: (minutes_avg_last_10 of the daily cache, else of his up to 10 latest games within 60 days) relative to his season mean minutes: 2 if >= +20%, 1 if >= +10%, -2 if <= -20%, -1 if <= -10%, else 0
-- column opponent_def_rating: feature 13: the opponent's team_defense_zone_analysis defensive_rating_last_15 of the date, else 112 [points per 100 possessions]
-- column opponent_pace: feature 14: the opponent's team_defense_zone_analysis opponent_pace (per 48 minutes; legacy raw possessions, spec 9.9), else 100 [possessions]
-- column home_away: feature 15: 1 at home, 0 away (player context)
-- column back_to_back: feature 16: 1 on the second night of a back-to-back (player context), else 0
-- column playoff_game: feature 17: 1 when the schedule's season_type is Playoffs or Play-In (legacy: month-based season_phase), else 0
-- column pct_paint: feature 18: player_shot_zone_analysis paint_rate_last_10 / 100; NULL without his row (legacy v1 0.30) [fraction]
-- column pct_mid_range: feature 19: player_shot_zone_analysis mid_range_rate_last_10 / 100; NULL without his row [fraction]
-- column pct_three: feature 20: player_shot_zone_analysis three_pt_rate_last_10 / 100; NULL without his row [fraction]
-- column pct_free_throw: feature 21: free-throw makes / points over his up to 10 latest games within 60 days, clamped to 0-0.5; needs 5 games and points > 0, else 0.15 [fraction]
-- column team_pace: feature 22: player_daily_cache team_pace_last_10, else the mean pace of his team's last 10 games this season (team_offense_game_summary), else 100 [possessions]
-- column team_off_rating: feature 23: player_daily_cache team_off_rating_last_10, else the mean offensive rating of his team's last 10 games, else 112 [points per 100 possessions]
-- column team_win_pct: feature 24: his team's wins / games this season before the date (team_offense_game_summary win_flag); needs 5 games, else 0.5 [fraction]
-- column vegas_points_line: feature 25: the player context's current points line (latest pre-game main line, DraftKings, FanDuel, then A..Z); NULL without a line [points]
-- column vegas_opening_line: feature 26: the same book's opening line, else the current line; NULL without a line [points]
-- column vegas_line_move: feature 27: current - opening line; NULL without a line [points]
-- column has_vegas_line: feature 28: 1 when feature 25 is present, else 0 (also the quality block's has_vegas_line flag)
-- column avg_points_vs_opponent: feature 29: his mean points in games played against tonight's opponent in the 365 days before the date, else his season average (feature 2), else 10 [points]
-- column games_vs_opponent: feature 30: those games [games]
-- column minutes_avg_last_10: feature 31: his mean minutes over games played in the 30 days before the date, else player_daily_cache minutes_avg_last_10, else 28 [minutes]
-- column ppm_avg_last_10: feature 32: mean of points / minutes over games played in the 30 days before the date, else the daily cache's points_avg_last_10 / minutes_avg_last_10, else 0.4 [points per minute]
-- column dnp_rate: feature 33: share of his last 10 box-score rows within 60 days that are DNP (is_dnp; an inactive row without that flag also counts); needs 3 rows, else 0 [fraction]
-- column pts_slope_10g: feature 34: least-squares slope of points (NULL as 0) over his last 10 box-score rows within 60 days in date order; needs 5 rows, else 0 [points per game]
-- column pts_vs_season_zscore: feature 35: (feature 0 - feature 2) / feature 3, clamped to -3..3; 0 when feature 3 is 0
-- column breakout_flag: feature 36: 1 when feature 0 > feature 2 + 1.5 x feature 3, else 0
-- column star_teammates_out: feature 37: star teammates out or doubtful before tip-off (player context) [players]
-- column game_total_line: feature 38: the game total (player context, median over books); NULL without lines [points]
-- column days_rest: feature 39: his days rest (player context, 0 = back-to-back); NULL without a previous game this season [days]
-- column minutes_load_last_7d: feature 40: his minutes in the 7 days before the date (player context) [minutes]
-- column spread_magnitude: feature 41: |his team's spread| (player context); NULL without lines [points]
-- column implied_team_total: feature 42: (game total - his team's spread) / 2 (our spread is the team's own, so one formula home or away); NULL without lines [points]
-- column points_avg_last_3: feature 43: mean points of his up to 3 latest games played within 60 days [points]
-- column scoring_trend_slope: feature 44: least-squares slope of points over his up to 7 latest games within 60 days in date order; needs 4 games, else 0 [points per game]
-- column deviation_from_avg_last3: feature 45: (his unrounded last-3 mean - his 60-day mean points rounded to 4 decimals) / his 60-day sample std of points (5 with fewer than 2 games or a zero std)
-- column consecutive_games_below_avg: feature 46: his latest games in a row (newest first) scoring below his 60-day mean [games]
-- column teammate_usage_available: feature 47: sum over teammates listed out or doubtful on the latest injury report before tip-off of their mean usage rate in their games of the 30 days before the date with more than 10 minutes; NULL when the game has no injury report before tip-off [%]
-- column usage_rate_last_5: feature 48: mean usage rate of his 5 latest games within 60 days; needs 3 values, else 20 [%]
-- column games_since_structural_change: feature 49: games he played since the last team change or gap of more than 14 days between games within 60 days (0 when his team or a gap changes today), capped at 30 [games]
-- column multi_book_line_std: feature 50: sample std across books (Bovada left out) of each book's latest pre-game main points line (player_prop_lines); needs 2 books, else NULL (there is no BettingPros feed in our raw layer to fall back on) [points]
-- column prop_over_streak: feature 51: player context prop_over_streak; NULL without a line [games]
-- column prop_under_streak: feature 52: player context prop_under_streak; NULL without a line [games]
-- column line_vs_season_avg: feature 53: feature 25 - feature 2; NULL without a line [points]
-- column prop_line_delta: feature 54: today's median over books of those latest lines - the median of his previous line date within 14 days; NULL without both [points]
-- column over_rate_last_10: feature 55: share OVER among his up to 10 latest graded games within 60 days (player_game_summary points_line / over_under_result, pushes left out); needs 5, else NULL [fraction]
-- column margin_vs_line_avg_last_5: feature 56: mean points - line over his up to 5 latest graded games (pushes left out); needs 3, else NULL [points]
-- column blowout_minutes_risk: feature 57: share of his team's last 10 games this season decided by 15 or more points; needs 5 games, else 0.2 [fraction]
-- column minutes_volatility_last_10: feature 58: sample std of minutes over his up to 10 latest games within 60 days; needs 3, else NULL [minutes]
-- column opponent_pace_mismatch: feature 59: feature 22 - feature 14; NULL when either is a default [possessions]
-- column features: the 60 feature values above in spec order (index = feature number; NULL where a feature is missing)
-- column feature_names: the 60 feature names in spec order (stored dictionary-coded: reads as text)
-- column feature_sources: (stored dictionary-coded: reads as text) per feature: phase4 (precompute table), phase3 (analytics table or box scores), calculated (derived here), vegas (prop lines), default (the spec default was used) or missing (NULL)
-- column feature_count: 60
-- column feature_version: v2_60features (the legacy wrote 60 features under v2_54features, spec 9.14)
-- column feature_quality_score: mean source weight over the 60 features (phase4, calculated, vegas 100, phase3 87, default 40, missing 0), optional features (25-27, 37-59) skipped when missing or defaulted; capped at 69 with a required feature defaulted or missing, at 49 with 5 or more; 2 decimals [0-100]
-- column quality_tier: gold >= 95, silver >= 85, bronze >= 70, poor >= 50, else critical
-- column matchup_quality_pct: mean source weight of the matchup features (features 5-8, 13, 14), 2 decimals [0-100]
-- column matchup_default_count: matchup features with a default or missing value
-- column player_history_quality_pct: mean source weight of the player_history features (features 0-4, 29-37, 43-46, 48, 49, 54-56, 58), 2 decimals [0-100]
-- column player_history_default_count: player_history features with a default or missing value
-- column team_context_quality_pct: mean source weight of the team_context features (features 22-24, 57), 2 decimals [0-100]
-- column team_context_default_count: team_context features with a default or missing value
-- column vegas_quality_pct: mean source weight of the vegas features (features 25-28), 2 decimals [0-100]
-- column vegas_default_count: vegas features with a default or missing value
-- column game_context_quality_pct: mean source weight of the game_context features (features 9-12, 15-21, 38-42, 47, 50-53, 59), 2 decimals [0-100]
-- column game_context_default_count: game_context features with a default or missing value
-- column quality_alert_level: red when matchup_quality_pct < 50 or the score < 50; yellow with a required default, a score < 70 or matchup < 70; else green
-- column is_quality_ready: tier gold/silver/bronze (score >= 70), matchup_quality_pct >= 50 and no required feature defaulted or missing
-- column is_training_ready: tier gold/silver (score >= 85), matchup_quality_pct >= 70 and player_history_quality_pct >= 80
-- column data_source: among features sourced from tables (phase4, phase3, default, missing): phase4 with >= 90% phase4, phase4_partial >= 50%, phase3 with >= 50% phase3, else mixed
-- column default_feature_count: features with a default or missing value
-- column required_default_count: required (non-optional) features with a default or missing value
-- column default_feature_indices: comma-separated indices of those features, ascending; empty when none
-- column has_composite_factors: his player_composite_factors row exists for the date
-- column has_opponent_defense: the opponent's team_defense_zone_analysis row exists for the date
-- column vegas_line_source: odds_api with a line, else none (no BettingPros feed in our raw layer)
-- column games_found: games he played among his up to 10 latest within the 60 days before the date [games]
-- column games_expected: min(his team's games this season within those 60 days, 10) [games]
-- column is_production_ready: his player_composite_factors row is production ready (his own 10-game completeness and the player-context, shot-zone, opponent-defence and opponent-context rows it read) and his player_daily_cache row exists with 10-game completeness >= 70%
-- column is_prediction_candidate: the legacy daily player filter: (avg_minutes_per_game_last_7 >= 15 or a prop line) and not listed out or doubtful and (player context production ready or a prop line)
-- column days_since_opener: days from the season's real opener (first Regular Season game in the schedule) [days]
-- column data_hash: first 16 hex chars of sha256 over the key, game, team and the 60 feature values (joined by '|', NULL as 'NULL'; doubles as fixed six-decimal text (DECIMAL(18,6)), the same text in DuckDB and Spark)
-- column failure_category: NULL on table rows. EARLY_SEASON on days 0-13 after the real opener (every player of the player context); MISSING_DATA when he played no game in the 60 days before the date; FEATURE_VALIDATION_ERROR when fatigue_score is outside 0-100
-- column failure_reason: e.g. 'early season: day 3 of 14 after the 2024-10-22 opener', 'no game played in the 60 days before the date (his team played 20 games in them)'
-- column can_retry: TRUE only for FEATURE_VALIDATION_ERROR (a recomputed upstream can fix it)
-- column expected_game_count: games_expected [games]
-- column actual_game_count: games_found [games]
--
-- Point in time: history is strictly before the game date; prop lines and injury reports only
-- before tip-off; pre-game tables (player context, daily cache, composite factors, shot zones,
-- opponent defence) are their rows for the date itself.
-- Rounding: computed features are rounded to 4 decimals; minutes, usage and margins are
-- summed as DECIMAL(12, 4) and points per minute as DECIMAL(18, 6), so a daily run and a
-- backfill give identical values whatever the order of the sums.
-- Legacy fixes: one player rule for daily runs and backfills (the legacy used box-score
-- players in backfills and a filtered context list daily: that filter is now the
-- is_prediction_candidate flag); 9.6 rest_advantage on the opponent's real rest; 9.9
-- opponent_pace per 48 minutes; 9.14 feature_version says v2_60features; 9.2 over_rate and
-- margin_vs_line leave pushes out; playoff_game from the schedule's season type, not the
-- month; features 18-20 NULL (not 0.30/0.20/0.35) when the shot profile is missing; the early
-- season gives one failure row per player instead of nothing (9.15).

WITH
-- The numbers of spec 5.5 in one place.
thresholds AS (
    SELECT
        60 AS recent_days,             -- the last-10 list: games within the 60 days before the date
        30 AS minutes_days,            -- features 31, 32, 47: the 30 days before the date
        365 AS opponent_days,          -- features 29-30: games against the opponent in a year
        14 AS prop_delta_days,         -- feature 54: previous line date at most 14 days back
        14 AS structural_gap_days,     -- feature 49: a longer gap between games is a change
        30 AS structural_cap_games,    -- feature 49 cap
        10 AS teammate_min_minutes,    -- feature 47: teammates' games with more minutes count
        15 AS blowout_margin,          -- feature 57: |margin| of a blowout [points]
        15.0 AS candidate_min_minutes  -- is_prediction_candidate: minutes per game last 7 days
),

-- Each season's real opener: its first Regular Season game date.
season_openers AS ({{ SEASON_OPENERS }}),

schedule_games AS (
    SELECT game_id, game_date, season_type, game_start_time
    FROM nba_raw.schedule
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY game_status DESC, source) = 1
),

-- Who gets a row: every player-context row of the date (played dates: who appeared; dates
-- not played yet: rostered minus out). One rule for daily runs and backfills.
targets AS (
    SELECT
        u.game_date, u.player_lookup, u.game_id, u.season_year, u.universal_player_id,
        u.team_abbr, u.opponent_team_abbr, u.home_game, u.injury_status, u.has_prop_line,
        u.current_points_line, u.opening_points_line, u.game_spread, u.game_total,
        u.days_rest, u.opponent_days_rest, u.is_back_to_back, u.games_in_last_7_days,
        u.minutes_in_last_7_days, u.avg_minutes_per_game_last_7, u.star_teammates_out,
        u.prop_over_streak, u.prop_under_streak, u.is_production_ready,
        g.season_type, g.game_start_time, o.opener_date,
        date_diff('day', o.opener_date, u.game_date) AS days_since_opener
    FROM nba_analytics.upcoming_player_game_context AS u
    LEFT JOIN schedule_games AS g ON g.game_id = u.game_id
    LEFT JOIN season_openers AS o ON o.season_year = u.season_year
    WHERE u.game_date >= {{ start_date }} AND u.game_date < {{ end_date }}
),

-- Box-score history of the year before the range (every status; pre-season and All-Star
-- games left out). played = active with minutes. The lower bound is a plain comparison with
-- the date column, so the scan skips the older row groups: a daily run reads one year of
-- box scores, however many seasons the warehouse holds.
history AS (
    SELECT
        p.player_lookup, p.game_date, p.season_year, p.team_abbr, p.opponent_team_abbr,
        coalesce(p.is_active AND p.minutes_played > 0, FALSE) AS played,
        coalesce(p.is_dnp, NOT p.is_active) AS is_dnp,
        p.points, p.ft_makes, p.usage_rate, p.points_line, p.over_under_result,
        CAST(p.minutes_played AS DECIMAL(12, 4)) AS minutes_played
    FROM nba_analytics.player_game_summary AS p
    CROSS JOIN thresholds AS t
    WHERE p.game_date < {{ end_date }}
      AND p.game_date >= {{ start_date }} - t.opponent_days
      AND {{ COUNTED_GAME(p.season_type) }}
),

-- His rows from the 60 days before the range on (every 60-day window below lies in them), in
-- date order with running counts (all rows, games played, graded games) and running points
-- of his games played, the previous game he played, and per row the values the aggregates
-- below read: computed once per row, so a target's "n-th latest" is a difference of counts
-- instead of a sort per target.
history_ordered AS (
    SELECT
        h.player_lookup, h.game_date, h.played, h.is_dnp, h.points, h.ft_makes,
        h.minutes_played,
        coalesce(h.points, 0) AS points_or_zero,
        CAST(h.usage_rate AS DECIMAL(12, 4)) AS usage_rate,
        CASE WHEN h.played AND h.minutes_played > 0
            THEN CAST(h.points / h.minutes_played AS DECIMAL(18, 6)) END AS points_per_minute,
        h.played AND h.over_under_result IN ('OVER', 'UNDER') AS graded,
        h.over_under_result = 'OVER' AS is_over,
        CAST(h.points - h.points_line AS DECIMAL(12, 4)) AS margin_vs_line,
        row_number() OVER by_date AS k,
        -- his rows are numbered k = 1, 2, ... and, over all players, row_id (in his date
        -- order too): the joins below find a row by one integer
        row_number() OVER (ORDER BY h.player_lookup, h.game_date) AS row_id,
        sum(CASE WHEN h.played THEN 1 ELSE 0 END) OVER by_date AS pk,
        sum(CASE WHEN h.played AND h.over_under_result IN ('OVER', 'UNDER') THEN 1 ELSE 0 END)
            OVER by_date AS gk,
        sum(CASE WHEN h.played THEN h.points END) OVER by_date AS running_points,
        sum(CASE WHEN h.played AND h.points IS NOT NULL THEN 1 ELSE 0 END) OVER by_date
            AS running_points_n,
        -- a structural change (team change or long gap) since the previous game he played
        lag(h.game_date) OVER played_by_date AS previous_played_date,
        lag(h.team_abbr) OVER played_by_date <> h.team_abbr
            OR date_diff('day', lag(h.game_date) OVER played_by_date, h.game_date)
               > t.structural_gap_days AS structural_change,
        h.team_abbr
    FROM history AS h
    CROSS JOIN thresholds AS t
    WHERE date_diff('day', h.game_date, {{ start_date }}) <= t.recent_days
    WINDOW
        by_date AS (PARTITION BY h.player_lookup ORDER BY h.game_date
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
        played_by_date AS (PARTITION BY h.player_lookup, h.played ORDER BY h.game_date)
),

-- Where each target stands in his rows: the row_id of his latest row before the date and of
-- his latest row before the 60 days. A mark per target and window start joins his rows in one
-- date-ordered stream (a date's marks sort before its rows, so a mark sees only rows strictly
-- before it) and takes the running max of row_id: the portable form of an as-of join.
target_marks AS (
    SELECT
        h.player_lookup, h.game_date AS stream_date, 1 AS after_marks, h.row_id,
        CAST(NULL AS DATE) AS target_date, CAST(NULL AS BOOLEAN) AS at_date
    FROM history_ordered AS h
    UNION ALL
    SELECT t.player_lookup, t.game_date, 0, NULL, t.game_date, TRUE
    FROM targets AS t
    UNION ALL
    SELECT t.player_lookup, t.game_date - th.recent_days, 0, NULL, t.game_date, FALSE
    FROM targets AS t
    CROSS JOIN thresholds AS th
),

target_positions AS (
    SELECT
        target_date, player_lookup,
        max(row_id) FILTER (WHERE at_date) AS latest_row_id,
        max(row_id) FILTER (WHERE NOT at_date) AS window_start_row_id
    FROM (
        SELECT
            m.player_lookup, m.target_date, m.at_date,
            max(m.row_id) OVER (
                PARTITION BY m.player_lookup ORDER BY m.stream_date, m.after_marks
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS row_id
        FROM target_marks AS m
    ) AS marked
    WHERE target_date IS NOT NULL
    GROUP BY target_date, player_lookup
),

-- For each target, his latest row before the date (b) and before the 60 days (w): the counts
-- of his rows, games played and graded games before the date and in the window, and his
-- points in the window (feature 46 compares each game with their mean, so it is known before
-- the rows are read); and the first days of his 30- and 60-day windows, so the list below
-- flags its rows once (no thresholds join on the list's rows).
target_counts AS MATERIALIZED (
    SELECT
        -- t_id: an integer key for the list's aggregate and its join
        row_number() OVER () AS t_id,
        t.game_date AS target_date, t.player_lookup, p.latest_row_id,
        coalesce(b.k, 0) AS rows_before,
        coalesce(b.pk, 0) AS played_before,
        coalesce(b.gk, 0) AS graded_before,
        coalesce(b.k, 0) - coalesce(w.k, 0) AS rows_60,
        coalesce(b.pk, 0) - coalesce(w.pk, 0) AS played_60,
        coalesce(b.gk, 0) - coalesce(w.gk, 0) AS graded_60,
        CASE WHEN coalesce(b.running_points_n, 0) > coalesce(w.running_points_n, 0)
            THEN b.running_points - coalesce(w.running_points, 0) END AS points_60,
        t.game_date - th.minutes_days AS minutes_window_start,
        t.game_date - th.recent_days AS recent_window_start
    FROM targets AS t
    CROSS JOIN thresholds AS th
    JOIN target_positions AS p
      ON p.target_date = t.game_date AND p.player_lookup = t.player_lookup
    LEFT JOIN history_ordered AS b ON b.row_id = p.latest_row_id
    LEFT JOIN history_ordered AS w ON w.row_id = p.window_start_row_id
),

-- The last-10 list of the legacy: his rows of the 60 days before the date, newest first
-- (row_back 1 = his latest row; played_back and graded_back count only such rows). A
-- target's rows_60 rows are his latest row and the rows_60 - 1 before it: an equality join on
-- row_id.
recent_rows AS (
    SELECT
        c.t_id, c.played_60, c.points_60,
        h.game_date, h.team_abbr, h.played, h.is_dnp, h.points, h.points_or_zero, h.ft_makes,
        h.usage_rate, h.minutes_played, h.points_per_minute, h.is_over, h.margin_vs_line,
        h.previous_played_date, h.structural_change,
        -- days_ago <= minutes_days; the previous game at most recent_days before the date
        h.game_date >= c.minutes_window_start AS in_minutes_window,
        h.previous_played_date >= c.recent_window_start AS previous_in_window,
        c.row_back,
        CASE WHEN h.played THEN c.played_before - h.pk + 1 END AS played_back,
        CASE WHEN h.graded THEN c.graded_before - h.gk + 1 END AS graded_back
    FROM (
        SELECT tc.*, unnest(range(1, tc.rows_60 + 1)) AS row_back FROM target_counts AS tc
    ) AS c
    JOIN history_ordered AS h ON h.row_id = c.latest_row_id - c.row_back + 1
),

-- The aggregates of the list in one pass: his rows (features 33, 34), his games played and
-- his graded props (points_line and over_under_result of player_game_summary, pushes left
-- out: we have no prediction_accuracy table). Counts of the n latest are least(n, count in
-- the window), in recent_stats.
recent_sums AS (
    SELECT
        r.t_id,
        count(*) FILTER (WHERE r.row_back <= 10 AND r.is_dnp) AS dnp_rows_10,
        sum(r.points_or_zero) FILTER (WHERE r.row_back <= 10) AS sy_10,
        sum(-r.row_back * r.points_or_zero) FILTER (WHERE r.row_back <= 10) AS sxy_10,
        max(CASE WHEN r.played_back = 1 THEN r.game_date END) AS last_played_date,
        max(CASE WHEN r.played_back = 1 THEN r.team_abbr END) AS last_played_team,
        sum(r.points) FILTER (WHERE r.played_back <= 5) AS points_5,
        sum(r.points) FILTER (WHERE r.played_back <= 10) AS points_10,
        sum(r.points) FILTER (WHERE r.played_back <= 3) AS points_3,
        sum(r.points) FILTER (WHERE r.played_back <= 2) AS points_newest_2,
        sum(r.points) FILTER (WHERE r.played_back BETWEEN 3 AND 5) AS points_older_3,
        sum(r.ft_makes) FILTER (WHERE r.played_back <= 10) AS ft_makes_10,
        stddev_samp(r.points) FILTER (WHERE r.played_back <= 10) AS points_std_10,
        sum(r.minutes_played) FILTER (WHERE r.played_back <= 10) AS minutes_10,
        stddev_samp(r.minutes_played) FILTER (WHERE r.played_back <= 10) AS minutes_std_10,
        stddev_samp(r.points) FILTER (WHERE r.played) AS points_std_60,
        sum(r.points) FILTER (WHERE r.played_back <= 7) AS sy_7,
        sum(-r.played_back * r.points) FILTER (WHERE r.played_back <= 7) AS sxy_7,
        count(r.usage_rate) FILTER (WHERE r.played_back <= 5) AS usage_n_5,
        sum(r.usage_rate) FILTER (WHERE r.played_back <= 5) AS usage_5,
        count(*) FILTER (WHERE r.played AND r.in_minutes_window) AS played_30,
        sum(r.minutes_played) FILTER (WHERE r.played AND r.in_minutes_window)
            AS minutes_30,
        sum(r.points_per_minute) FILTER (WHERE r.played AND r.in_minutes_window)
            AS ppm_sum_30,
        -- the newest game that follows a structural change since a previous game he played
        -- in the window
        min(r.played_back) FILTER (
            WHERE r.played AND r.structural_change AND r.previous_in_window
        ) AS games_since_change,
        -- games in a row (newest first) below his 60-day mean
        coalesce(
            min(r.played_back) FILTER (WHERE r.points * r.played_60 >= r.points_60),
            max(r.played_back) + 1
        ) - 1 AS games_below,
        count(*) FILTER (WHERE r.graded_back <= 10 AND r.is_over) AS overs_10,
        sum(r.margin_vs_line) FILTER (WHERE r.graded_back <= 5) AS margin_sum_5
    FROM recent_rows AS r
    GROUP BY r.t_id
),

-- Per target: the sums above, and the counts of his n latest (least(n, count in the window))
-- and the sums of x and x^2 of the OLS slopes in closed form, with the types the features
-- read.
recent_stats AS (
    SELECT
        c.target_date, c.player_lookup,
        s.dnp_rows_10, s.sy_10, s.sxy_10, s.last_played_date, s.last_played_team, s.points_5,
        s.points_10, s.points_3, s.points_newest_2, s.points_older_3, s.ft_makes_10,
        s.points_std_10, s.minutes_10, s.minutes_std_10, s.points_std_60, s.sy_7, s.sxy_7,
        s.usage_n_5, s.usage_5, s.played_30, s.minutes_30, s.ppm_sum_30, s.games_since_change,
        s.games_below, s.overs_10, s.margin_sum_5,
        CAST(least(c.rows_60, 10) AS BIGINT) AS rows_10,
        -- OLS slope of points (NULL as 0) over the last 10 rows; x = -row_back is the
        -- chronological order shifted, which leaves the slope unchanged: sum(x) and sum(x^2)
        -- over row_back 1..n
        CASE WHEN c.rows_60 >= 1 THEN CAST(
            -(least(c.rows_60, 10) * (least(c.rows_60, 10) + 1) // 2) AS HUGEINT) END AS sx_10,
        CASE WHEN c.rows_60 >= 1 THEN CAST(least(c.rows_60, 10) * (least(c.rows_60, 10) + 1)
            * (2 * least(c.rows_60, 10) + 1) // 6 AS HUGEINT) END AS sxx_10,
        CAST(c.played_60 AS BIGINT) AS played_60,
        CAST(least(c.played_60, 10) AS BIGINT) AS played_10,
        CAST(least(c.played_60, 5) AS BIGINT) AS played_5,
        CAST(least(c.played_60, 3) AS BIGINT) AS played_3,
        c.points_60,
        -- OLS slope over the last 7 games (x = -played_back, chronological order shifted)
        CAST(least(c.played_60, 7) AS BIGINT) AS n_7,
        CASE WHEN c.played_60 >= 1 THEN CAST(
            -(least(c.played_60, 7) * (least(c.played_60, 7) + 1) // 2) AS HUGEINT) END AS sx_7,
        CASE WHEN c.played_60 >= 1 THEN CAST(least(c.played_60, 7) * (least(c.played_60, 7) + 1)
            * (2 * least(c.played_60, 7) + 1) // 6 AS HUGEINT) END AS sxx_7,
        CAST(least(c.graded_60, 10) AS BIGINT) AS graded_10,
        CAST(least(c.graded_60, 5) AS BIGINT) AS graded_5
    FROM target_counts AS c
    LEFT JOIN recent_sums AS s ON s.t_id = c.t_id
),

-- This season's games played before the date.
season_stats AS (
    SELECT
        t.game_date AS target_date, t.player_lookup,
        count(*) AS season_games,
        sum(h.points) AS season_points,
        sum(h.minutes_played) AS season_minutes
    FROM targets AS t
    JOIN history AS h
      ON h.player_lookup = t.player_lookup AND h.season_year = t.season_year
     AND h.game_date < t.game_date AND h.played
    GROUP BY t.game_date, t.player_lookup
),

-- His games against tonight's opponent in the year before the date.
opponent_history AS (
    SELECT
        t.game_date AS target_date, t.player_lookup,
        count(*) AS games_vs_opponent,
        sum(h.points) AS points_vs_opponent
    FROM targets AS t
    CROSS JOIN thresholds AS th
    JOIN history AS h
      ON h.player_lookup = t.player_lookup AND h.opponent_team_abbr = t.opponent_team_abbr
     AND h.game_date < t.game_date AND h.played
     AND date_diff('day', h.game_date, t.game_date) <= th.opponent_days
    GROUP BY t.game_date, t.player_lookup
),

-- His team's games of the season in date order: running counts and the means and counts
-- over its last 10 games ending at each one.
team_totals AS (
    SELECT
        g.team_abbr, g.season_year, g.game_date,
        count(*) OVER run AS team_games_season,
        CAST(sum(CASE WHEN g.win_flag THEN 1 ELSE 0 END) OVER run AS BIGINT) AS team_wins_season,
        -- exact sums and counts: the features round the exact means (vocab.round_mean)
        sum(CAST(g.pace AS DECIMAL(12, 4))) OVER last_10 AS team_pace_sum_10,
        count(g.pace) OVER last_10 AS team_pace_n_10,
        sum(CAST(g.offensive_rating AS DECIMAL(12, 4))) OVER last_10 AS team_off_rating_sum_10,
        count(g.offensive_rating) OVER last_10 AS team_off_rating_n_10,
        CAST(sum(CASE WHEN abs(g.margin_of_victory) >= t.blowout_margin THEN 1 ELSE 0 END)
            OVER last_10 AS BIGINT) AS blowouts_10
    FROM nba_analytics.team_offense_game_summary AS g
    CROSS JOIN thresholds AS t
    WHERE g.game_date >= {{ season_start }} AND g.game_date < {{ end_date }}
    WINDOW
        run AS (PARTITION BY g.team_abbr, g.season_year ORDER BY g.game_date
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
        last_10 AS (PARTITION BY g.team_abbr, g.season_year ORDER BY g.game_date
                    ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)
),

-- His team's season before the date: the number of its latest game before the date, and before
-- the 60 days (marks in the stream of its games, as for the players above).
target_teams AS (
    SELECT DISTINCT game_date, season_year, team_abbr FROM targets
),

team_marks AS (
    SELECT
        g.team_abbr, g.season_year, g.game_date AS stream_date, 1 AS after_marks,
        g.team_games_season, CAST(NULL AS DATE) AS target_date,
        CAST(NULL AS BOOLEAN) AS at_date
    FROM team_totals AS g
    UNION ALL
    SELECT tt.team_abbr, tt.season_year, tt.game_date, 0, NULL, tt.game_date, TRUE
    FROM target_teams AS tt
    UNION ALL
    SELECT tt.team_abbr, tt.season_year, tt.game_date - th.recent_days, 0, NULL, tt.game_date, FALSE
    FROM target_teams AS tt
    CROSS JOIN thresholds AS th
),

team_positions AS (
    SELECT
        target_date, team_abbr, season_year,
        max(games) FILTER (WHERE at_date) AS games_before,
        max(games) FILTER (WHERE NOT at_date) AS games_before_window
    FROM (
        SELECT
            m.team_abbr, m.season_year, m.target_date, m.at_date,
            max(m.team_games_season) OVER (
                PARTITION BY m.team_abbr, m.season_year ORDER BY m.stream_date, m.after_marks
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS games
        FROM team_marks AS m
    ) AS marked
    WHERE target_date IS NOT NULL
    GROUP BY target_date, team_abbr, season_year
),

team_stats AS (
    SELECT
        p.target_date, p.team_abbr,
        g.team_games_season, g.team_wins_season,
        least(g.team_games_season, 10) AS team_games_10,
        g.team_pace_sum_10, g.team_pace_n_10, g.team_off_rating_sum_10, g.team_off_rating_n_10,
        g.blowouts_10,
        g.team_games_season - coalesce(p.games_before_window, 0) AS team_games_60
    FROM team_positions AS p
    JOIN team_totals AS g
      ON g.team_abbr = p.team_abbr AND g.season_year = p.season_year
     AND g.team_games_season = p.games_before
),

-- Each book's latest pre-game main line (Bovada left out, as in the legacy), from
-- player_prop_lines. Odds API lines only: our raw layer has no BettingPros feed to fall back on.
-- The first 14-day window's start bounds the scan (as in history).
book_lines AS (
    SELECT l.game_date, l.player_lookup, l.bookmaker, l.current_line AS points_line
    FROM nba_analytics.player_prop_lines AS l
    CROSS JOIN thresholds AS t
    WHERE l.bookmaker <> 'bovada'
      AND l.game_date < {{ end_date }}
      AND l.game_date >= {{ start_date }} - t.prop_delta_days
),

line_dates AS (
    SELECT
        game_date, player_lookup,
        count(*) AS books,
        stddev_samp(points_line) AS line_std,
        median(points_line) AS line_median
    FROM book_lines
    GROUP BY game_date, player_lookup
),

line_deltas AS (
    SELECT
        l.*,
        lag(l.line_median) OVER by_date AS previous_median,
        lag(l.game_date) OVER by_date AS previous_line_date
    FROM line_dates AS l
    WINDOW by_date AS (PARTITION BY l.player_lookup ORDER BY l.game_date)
),

-- Teammates listed out or doubtful on the latest report before tip-off, and their mean usage
-- over their games of the 30 days before the date with more than 10 minutes.
latest_injuries AS (
    SELECT i.game_id, i.team_abbr, i.player_lookup, lower(trim(i.injury_status)) AS status
    FROM nba_raw.injury_report AS i
    JOIN schedule_games AS g ON g.game_id = i.game_id
    WHERE g.game_start_time IS NULL OR i.report_timestamp < g.game_start_time
    QUALIFY row_number() OVER (
        PARTITION BY i.game_id, i.player_lookup ORDER BY i.report_timestamp DESC, i.source
    ) = 1
),

games_with_reports AS (
    SELECT DISTINCT game_id FROM latest_injuries
),

absent_usage AS (
    SELECT
        i.game_id, i.team_abbr, i.player_lookup,
        avg(CAST(h.usage_rate AS DECIMAL(12, 4))) AS recent_usage
    FROM (
        -- the window and the minutes threshold on the report side, so the join with the
        -- history is a hash join on the player
        SELECT
            i.game_id, i.team_abbr, i.player_lookup, g.game_date,
            g.game_date - t.minutes_days AS usage_window_start, t.teammate_min_minutes
        FROM latest_injuries AS i
        CROSS JOIN thresholds AS t
        JOIN schedule_games AS g ON g.game_id = i.game_id
        WHERE i.status IN ('out', 'doubtful')
    ) AS i
    JOIN history AS h
      ON h.player_lookup = i.player_lookup AND h.game_date < i.game_date
     AND h.game_date >= i.usage_window_start
     AND h.minutes_played > i.teammate_min_minutes AND h.usage_rate IS NOT NULL
    GROUP BY i.game_id, i.team_abbr, i.player_lookup
),

teammate_usage AS (
    SELECT t.game_date, t.player_lookup, sum(a.recent_usage) AS usage_out
    FROM targets AS t
    JOIN absent_usage AS a
      ON a.game_id = t.game_id AND a.team_abbr = t.team_abbr
     AND a.player_lookup <> t.player_lookup
    GROUP BY t.game_date, t.player_lookup
),

-- Everything a feature reads, one row per target.
inputs AS (
    SELECT
        t.*,
        pdc.player_lookup IS NOT NULL AS has_pdc,
        pdc.points_avg_last_5 AS pdc_points_avg_last_5,
        pdc.points_avg_last_10 AS pdc_points_avg_last_10,
        pdc.points_avg_season AS pdc_points_avg_season,
        pdc.points_std_last_10 AS pdc_points_std_last_10,
        pdc.games_in_last_7_days AS pdc_games_in_last_7_days,
        pdc.minutes_avg_last_10 AS pdc_minutes_avg_last_10,
        pdc.team_pace_last_10 AS pdc_team_pace_last_10,
        pdc.team_off_rating_last_10 AS pdc_team_off_rating_last_10,
        pdc.l10_completeness_pct AS pdc_l10_completeness_pct,
        pcf.player_lookup IS NOT NULL AS has_pcf,
        pcf.fatigue_score AS pcf_fatigue_score,
        pcf.shot_zone_mismatch_score AS pcf_shot_zone_mismatch_score,
        pcf.pace_score AS pcf_pace_score,
        pcf.usage_spike_score AS pcf_usage_spike_score,
        pcf.is_production_ready AS pcf_is_production_ready,
        tdza.team_abbr IS NOT NULL AS has_tdza,
        tdza.defensive_rating_last_15 AS tdza_defensive_rating,
        tdza.opponent_pace AS tdza_opponent_pace,
        psza.paint_rate_last_10 AS psza_paint_rate,
        psza.mid_range_rate_last_10 AS psza_mid_range_rate,
        psza.three_pt_rate_last_10 AS psza_three_pt_rate,
        coalesce(rp.played_60, 0) AS played_60,
        rp.last_played_date, rp.last_played_team,
        coalesce(rp.played_10, 0) AS played_10,
        coalesce(rp.played_5, 0) AS played_5,
        coalesce(rp.played_3, 0) AS played_3,
        rp.points_5, rp.points_10, rp.points_3, rp.points_newest_2, rp.points_older_3,
        rp.ft_makes_10, rp.points_std_10, rp.minutes_10, rp.minutes_std_10, rp.points_60,
        rp.points_std_60, coalesce(rp.n_7, 0) AS n_7, rp.sx_7, rp.sy_7, rp.sxy_7, rp.sxx_7,
        coalesce(rp.usage_n_5, 0) AS usage_n_5, rp.usage_5,
        coalesce(rp.played_30, 0) AS played_30, rp.minutes_30, rp.ppm_sum_30,
        rp.games_since_change,
        coalesce(rp.rows_10, 0) AS rows_10, rp.dnp_rows_10, rp.sx_10, rp.sy_10, rp.sxy_10,
        rp.sxx_10,
        rp.games_below,
        coalesce(rp.graded_10, 0) AS graded_10, rp.overs_10,
        coalesce(rp.graded_5, 0) AS graded_5, rp.margin_sum_5,
        coalesce(ss.season_games, 0) AS season_games, ss.season_points, ss.season_minutes,
        coalesce(oh.games_vs_opponent, 0) AS games_vs_opponent, oh.points_vs_opponent,
        coalesce(ts.team_games_season, 0) AS team_games_season, ts.team_wins_season,
        coalesce(ts.team_games_10, 0) AS team_games_10, ts.team_pace_sum_10, ts.team_pace_n_10,
        ts.team_off_rating_sum_10, ts.team_off_rating_n_10, ts.blowouts_10,
        coalesce(ts.team_games_60, 0) AS team_games_60,
        ld.books AS line_books, ld.line_std, ld.line_median, ld.previous_median,
        ld.previous_line_date,
        r.game_id IS NOT NULL AS has_injury_report,
        tu.usage_out
    FROM targets AS t
    LEFT JOIN nba_precompute.player_daily_cache AS pdc
      ON pdc.cache_date = t.game_date AND pdc.player_lookup = t.player_lookup
     AND pdc.cache_date >= {{ start_date }} AND pdc.cache_date < {{ end_date }}
    LEFT JOIN nba_precompute.player_composite_factors AS pcf
      ON pcf.game_date = t.game_date AND pcf.player_lookup = t.player_lookup
     AND pcf.game_date >= {{ start_date }} AND pcf.game_date < {{ end_date }}
    LEFT JOIN nba_precompute.team_defense_zone_analysis AS tdza
      ON tdza.analysis_date = t.game_date AND tdza.team_abbr = t.opponent_team_abbr
     AND tdza.analysis_date >= {{ start_date }} AND tdza.analysis_date < {{ end_date }}
    LEFT JOIN nba_precompute.player_shot_zone_analysis AS psza
      ON psza.analysis_date = t.game_date AND psza.player_lookup = t.player_lookup
     AND psza.analysis_date >= {{ start_date }} AND psza.analysis_date < {{ end_date }}
    LEFT JOIN recent_stats AS rp
      ON rp.target_date = t.game_date AND rp.player_lookup = t.player_lookup
    LEFT JOIN season_stats AS ss
      ON ss.target_date = t.game_date AND ss.player_lookup = t.player_lookup
    LEFT JOIN opponent_history AS oh
      ON oh.target_date = t.game_date AND oh.player_lookup = t.player_lookup
    LEFT JOIN team_stats AS ts ON ts.target_date = t.game_date AND ts.team_abbr = t.team_abbr
    LEFT JOIN line_deltas AS ld
      ON ld.game_date = t.game_date AND ld.player_lookup = t.player_lookup
    LEFT JOIN games_with_reports AS r ON r.game_id = t.game_id
    LEFT JOIN teammate_usage AS tu
      ON tu.game_date = t.game_date AND tu.player_lookup = t.player_lookup
),

-- Features 0-4, 22-23, 31 and their sources (spec 5.5.1): the daily cache, else the
-- box-score history (phase3), else the default.
base_features AS (
    SELECT
        i.*,
        CASE
            WHEN i.pdc_points_avg_last_5 IS NOT NULL THEN i.pdc_points_avg_last_5
            WHEN i.played_5 >= 5 THEN round(1.0 * i.points_5 / i.played_5, 4)
            ELSE 10.0
        END AS f_points_avg_last_5,
        CASE
            WHEN i.pdc_points_avg_last_5 IS NOT NULL THEN 'phase4'
            WHEN i.played_5 >= 5 THEN 'phase3' ELSE 'default'
        END AS s_points_avg_last_5,
        CASE
            WHEN i.pdc_points_avg_last_10 IS NOT NULL THEN i.pdc_points_avg_last_10
            WHEN i.played_10 >= 1 THEN round(1.0 * i.points_10 / i.played_10, 4)
            ELSE 10.0
        END AS f_points_avg_last_10,
        CASE
            WHEN i.pdc_points_avg_last_10 IS NOT NULL THEN 'phase4'
            WHEN i.played_10 >= 1 THEN 'phase3' ELSE 'default'
        END AS s_points_avg_last_10,
        CASE
            WHEN i.pdc_points_avg_season IS NOT NULL THEN i.pdc_points_avg_season
            WHEN i.season_games >= 1 THEN round(1.0 * i.season_points / i.season_games, 4)
            ELSE 10.0
        END AS f_points_avg_season,
        CASE
            WHEN i.pdc_points_avg_season IS NOT NULL THEN 'phase4'
            WHEN i.season_games >= 1 THEN 'phase3' ELSE 'default'
        END AS s_points_avg_season,
        CASE
            WHEN i.pdc_points_std_last_10 IS NOT NULL THEN i.pdc_points_std_last_10
            WHEN i.played_10 >= 2 THEN round(i.points_std_10, 4)
            ELSE 5.0
        END AS f_points_std_last_10,
        CASE
            WHEN i.pdc_points_std_last_10 IS NOT NULL THEN 'phase4'
            WHEN i.played_10 >= 2 THEN 'phase3' ELSE 'default'
        END AS s_points_std_last_10,
        CAST(coalesce(i.pdc_games_in_last_7_days, i.games_in_last_7_days, 3) AS DOUBLE)
            AS f_games_in_last_7_days,
        CASE
            WHEN i.pdc_games_in_last_7_days IS NOT NULL THEN 'phase4'
            WHEN i.games_in_last_7_days IS NOT NULL THEN 'phase3' ELSE 'default'
        END AS s_games_in_last_7_days,
        CASE
            WHEN i.pdc_minutes_avg_last_10 IS NOT NULL THEN i.pdc_minutes_avg_last_10
            WHEN i.played_10 >= 1 THEN CAST(round(i.minutes_10 / i.played_10, 4) AS DOUBLE)
        END AS minutes_avg_last_10_used,
        CASE WHEN i.season_games >= 1 AND i.season_minutes > 0
            THEN CAST(i.season_minutes / i.season_games AS DOUBLE) END AS season_minutes_avg,
        CASE
            WHEN i.pdc_team_pace_last_10 IS NOT NULL THEN i.pdc_team_pace_last_10
            WHEN i.team_games_10 >= 1
                THEN {{ ROUND_MEAN(i.team_pace_sum_10, i.team_pace_n_10, 4) }}
            ELSE 100.0
        END AS f_team_pace,
        CASE
            WHEN i.pdc_team_pace_last_10 IS NOT NULL THEN 'phase4'
            WHEN i.team_games_10 >= 1 THEN 'phase3' ELSE 'default'
        END AS s_team_pace,
        CASE
            WHEN i.pdc_team_off_rating_last_10 IS NOT NULL THEN i.pdc_team_off_rating_last_10
            WHEN i.team_games_10 >= 1
                THEN {{ ROUND_MEAN(i.team_off_rating_sum_10, i.team_off_rating_n_10, 4) }}
            ELSE 112.0
        END AS f_team_off_rating,
        CASE
            WHEN i.pdc_team_off_rating_last_10 IS NOT NULL THEN 'phase4'
            WHEN i.team_games_10 >= 1 THEN 'phase3' ELSE 'default'
        END AS s_team_off_rating,
        CASE
            WHEN i.played_30 >= 1 THEN CAST(round(i.minutes_30 / i.played_30, 4) AS DOUBLE)
            WHEN i.pdc_minutes_avg_last_10 IS NOT NULL THEN i.pdc_minutes_avg_last_10
            ELSE 28.0
        END AS f_minutes_avg_last_10,
        CASE
            WHEN i.played_30 >= 1 THEN 'phase3'
            WHEN i.pdc_minutes_avg_last_10 IS NOT NULL THEN 'phase4' ELSE 'default'
        END AS s_minutes_avg_last_10,
        CASE
            WHEN i.played_30 >= 1 THEN CAST(round(i.ppm_sum_30 / i.played_30, 4) AS DOUBLE)
            WHEN i.pdc_points_avg_last_10 IS NOT NULL AND i.pdc_minutes_avg_last_10 > 0
                THEN round(i.pdc_points_avg_last_10 / i.pdc_minutes_avg_last_10, 4)
            ELSE 0.4
        END AS f_ppm_avg_last_10,
        CASE
            WHEN i.played_30 >= 1 THEN 'phase3'
            WHEN i.pdc_points_avg_last_10 IS NOT NULL AND i.pdc_minutes_avg_last_10 > 0
                THEN 'phase4'
            ELSE 'default'
        END AS s_ppm_avg_last_10,
        CAST(round(
            CASE WHEN i.points_60 IS NOT NULL THEN 1.0 * i.points_60 / i.played_60 END, 4
        ) AS DOUBLE) AS mean_points_60
    FROM inputs AS i
),

-- Every feature's value (default applied) and source, spec 5.5.1 order.
features AS (
    SELECT
        b.*,
        coalesce(b.pcf_fatigue_score, 50.0) AS f_fatigue_score,
        CASE WHEN b.pcf_fatigue_score IS NOT NULL THEN 'phase4' ELSE 'default' END
            AS s_fatigue_score,
        coalesce(b.pcf_shot_zone_mismatch_score, 0.0) AS f_shot_zone_mismatch_score,
        CASE WHEN b.pcf_shot_zone_mismatch_score IS NOT NULL THEN 'phase4' ELSE 'default' END
            AS s_shot_zone_mismatch_score,
        coalesce(b.pcf_pace_score, 0.0) AS f_pace_score,
        CASE WHEN b.pcf_pace_score IS NOT NULL THEN 'phase4' ELSE 'default' END
            AS s_pace_score,
        coalesce(b.pcf_usage_spike_score, 0.0) AS f_usage_spike_score,
        CASE WHEN b.pcf_usage_spike_score IS NOT NULL THEN 'phase4' ELSE 'default' END
            AS s_usage_spike_score,
        -- 9: both rests are real values in our tables (legacy opponent rest was always 0, 9.6);
        -- greatest/least skip NULLs, so an unknown rest is caught before clamping
        CAST(CASE
            WHEN b.days_rest IS NULL OR b.opponent_days_rest IS NULL THEN 0
            ELSE greatest(-2, least(2, b.days_rest - b.opponent_days_rest))
        END AS DOUBLE) AS f_rest_advantage,
        CASE WHEN b.days_rest IS NOT NULL AND b.opponent_days_rest IS NOT NULL
            THEN 'calculated' ELSE 'default' END AS s_rest_advantage,
        CASE lower(trim(coalesce(b.injury_status, '')))
            WHEN 'probable' THEN 1.0 WHEN 'questionable' THEN 2.0
            WHEN 'doubtful' THEN 3.0 WHEN 'out' THEN 3.0 ELSE 0.0
        END AS f_injury_risk,
        'calculated' AS s_injury_risk,
        -- 11: 6 x (mean of the 2 newest - mean of the 3 older) = 3 x newest - 2 x older
        CASE
            WHEN b.played_5 < 5 THEN 0.0
            WHEN 3 * b.points_newest_2 - 2 * b.points_older_3 >= 30 THEN 2.0
            WHEN 3 * b.points_newest_2 - 2 * b.points_older_3 >= 12 THEN 1.0
            WHEN 3 * b.points_newest_2 - 2 * b.points_older_3 <= -30 THEN -2.0
            WHEN 3 * b.points_newest_2 - 2 * b.points_older_3 <= -12 THEN -1.0
            ELSE 0.0
        END AS f_recent_trend,
        CASE WHEN b.played_5 >= 5 THEN 'calculated' ELSE 'default' END AS s_recent_trend,
        CASE
            WHEN b.minutes_avg_last_10_used IS NULL OR b.season_minutes_avg IS NULL THEN 0.0
            WHEN (b.minutes_avg_last_10_used - b.season_minutes_avg) / b.season_minutes_avg
                 >= 0.2 THEN 2.0
            WHEN (b.minutes_avg_last_10_used - b.season_minutes_avg) / b.season_minutes_avg
                 >= 0.1 THEN 1.0
            WHEN (b.minutes_avg_last_10_used - b.season_minutes_avg) / b.season_minutes_avg
                 <= -0.2 THEN -2.0
            WHEN (b.minutes_avg_last_10_used - b.season_minutes_avg) / b.season_minutes_avg
                 <= -0.1 THEN -1.0
            ELSE 0.0
        END AS f_minutes_change,
        CASE WHEN b.minutes_avg_last_10_used IS NULL OR b.season_minutes_avg IS NULL
            THEN 'default' ELSE 'calculated' END AS s_minutes_change,
        coalesce(b.tdza_defensive_rating, 112.0) AS f_opponent_def_rating,
        CASE WHEN b.tdza_defensive_rating IS NOT NULL THEN 'phase4' ELSE 'default' END
            AS s_opponent_def_rating,
        -- 14: per 48 minutes in our TDZA (legacy averaged raw possessions, 9.9)
        coalesce(b.tdza_opponent_pace, 100.0) AS f_opponent_pace,
        CASE WHEN b.tdza_opponent_pace IS NOT NULL THEN 'phase4' ELSE 'default' END
            AS s_opponent_pace,
        CASE WHEN b.home_game THEN 1.0 ELSE 0.0 END AS f_home_away,
        CASE WHEN b.home_game IS NOT NULL THEN 'phase3' ELSE 'default' END AS s_home_away,
        CASE WHEN b.is_back_to_back THEN 1.0 ELSE 0.0 END AS f_back_to_back,
        CASE WHEN b.is_back_to_back IS NOT NULL THEN 'phase3' ELSE 'default' END
            AS s_back_to_back,
        -- 17: from the schedule's season type (legacy: month-based season_phase)
        CASE WHEN b.season_type IN ('Playoffs', 'Play-In') THEN 1.0 ELSE 0.0 END
            AS f_playoff_game,
        CASE WHEN b.season_type IS NOT NULL THEN 'calculated' ELSE 'default' END
            AS s_playoff_game,
        round(b.psza_paint_rate / 100, 4) AS f_pct_paint,
        CASE WHEN b.psza_paint_rate IS NOT NULL THEN 'phase4' ELSE 'missing' END
            AS s_pct_paint,
        round(b.psza_mid_range_rate / 100, 4) AS f_pct_mid_range,
        CASE WHEN b.psza_mid_range_rate IS NOT NULL THEN 'phase4' ELSE 'missing' END
            AS s_pct_mid_range,
        round(b.psza_three_pt_rate / 100, 4) AS f_pct_three,
        CASE WHEN b.psza_three_pt_rate IS NOT NULL THEN 'phase4' ELSE 'missing' END
            AS s_pct_three,
        CASE
            WHEN b.played_10 >= 5 AND b.points_10 > 0
                THEN round(greatest(0.0, least(0.5, 1.0 * b.ft_makes_10 / b.points_10)), 4)
            ELSE 0.15
        END AS f_pct_free_throw,
        CASE WHEN b.played_10 >= 5 AND b.points_10 > 0 THEN 'calculated' ELSE 'default' END
            AS s_pct_free_throw,
        CASE WHEN b.team_games_season >= 5
            THEN round(1.0 * b.team_wins_season / b.team_games_season, 4) ELSE 0.5 END
            AS f_team_win_pct,
        CASE WHEN b.team_games_season >= 5 THEN 'calculated' ELSE 'default' END
            AS s_team_win_pct,
        b.current_points_line AS f_vegas_points_line,
        CASE WHEN b.current_points_line IS NOT NULL THEN 'vegas' ELSE 'missing' END
            AS s_vegas_points_line,
        coalesce(b.opening_points_line, b.current_points_line) AS f_vegas_opening_line,
        CASE WHEN b.current_points_line IS NOT NULL THEN 'vegas' ELSE 'missing' END
            AS s_vegas_opening_line,
        b.current_points_line - coalesce(b.opening_points_line, b.current_points_line)
            AS f_vegas_line_move,
        CASE WHEN b.current_points_line IS NOT NULL THEN 'vegas' ELSE 'missing' END
            AS s_vegas_line_move,
        CASE WHEN b.current_points_line IS NOT NULL THEN 1.0 ELSE 0.0 END AS f_has_vegas_line,
        'calculated' AS s_has_vegas_line,
        CASE
            WHEN b.games_vs_opponent >= 1
                THEN round(1.0 * b.points_vs_opponent / b.games_vs_opponent, 4)
            WHEN b.pdc_points_avg_season IS NOT NULL OR b.season_games >= 1
                THEN b.f_points_avg_season
            ELSE 10.0
        END AS f_avg_points_vs_opponent,
        CASE
            WHEN b.games_vs_opponent >= 1 THEN 'phase3'
            WHEN b.pdc_points_avg_season IS NOT NULL OR b.season_games >= 1 THEN 'calculated'
            ELSE 'default'
        END AS s_avg_points_vs_opponent,
        CAST(b.games_vs_opponent AS DOUBLE) AS f_games_vs_opponent,
        'phase3' AS s_games_vs_opponent,
        CASE WHEN b.rows_10 >= 3 THEN round(1.0 * b.dnp_rows_10 / b.rows_10, 4) ELSE 0.0 END
            AS f_dnp_rate,
        CASE WHEN b.rows_10 >= 3 THEN 'calculated' ELSE 'default' END AS s_dnp_rate,
        CASE WHEN b.rows_10 >= 5 THEN round(
            1.0 * (b.rows_10 * b.sxy_10 - b.sx_10 * b.sy_10)
            / (b.rows_10 * b.sxx_10 - b.sx_10 * b.sx_10), 4) ELSE 0.0 END AS f_pts_slope_10g,
        CASE WHEN b.rows_10 >= 5 THEN 'calculated' ELSE 'default' END AS s_pts_slope_10g,
        CAST(b.star_teammates_out AS DOUBLE) AS f_star_teammates_out,
        CASE WHEN b.star_teammates_out IS NOT NULL THEN 'phase3' ELSE 'missing' END
            AS s_star_teammates_out,
        b.game_total AS f_game_total_line,
        CASE WHEN b.game_total IS NOT NULL THEN 'phase3' ELSE 'missing' END
            AS s_game_total_line,
        CAST(b.days_rest AS DOUBLE) AS f_days_rest,
        CASE WHEN b.days_rest IS NOT NULL THEN 'phase3' ELSE 'missing' END AS s_days_rest,
        b.minutes_in_last_7_days AS f_minutes_load_last_7d,
        CASE WHEN b.minutes_in_last_7_days IS NOT NULL THEN 'phase3' ELSE 'missing' END
            AS s_minutes_load_last_7d,
        abs(b.game_spread) AS f_spread_magnitude,
        CASE WHEN b.game_spread IS NOT NULL THEN 'phase3' ELSE 'missing' END
            AS s_spread_magnitude,
        -- 42: game_spread is the player's own team's spread, so (total - spread) / 2 home
        -- or away (the legacy's home/away formulas assume the home team's spread)
        (b.game_total - b.game_spread) / 2 AS f_implied_team_total,
        CASE WHEN b.game_total IS NOT NULL AND b.game_spread IS NOT NULL THEN 'calculated'
            ELSE 'missing' END AS s_implied_team_total,
        CASE WHEN b.played_3 >= 1 THEN round(1.0 * b.points_3 / b.played_3, 4) END
            AS f_points_avg_last_3,
        CASE WHEN b.played_3 >= 1 THEN 'phase3' ELSE 'missing' END AS s_points_avg_last_3,
        CASE
            WHEN b.n_7 >= 4 THEN round(
                1.0 * (b.n_7 * b.sxy_7 - b.sx_7 * b.sy_7) / (b.n_7 * b.sxx_7 - b.sx_7 * b.sx_7), 4)
            WHEN b.played_60 >= 1 THEN 0.0
        END AS f_scoring_trend_slope,
        CASE WHEN b.n_7 >= 4 THEN 'calculated' WHEN b.played_60 >= 1 THEN 'default'
            ELSE 'missing' END AS s_scoring_trend_slope,
        CASE WHEN b.played_3 >= 1 THEN round(
            (1.0 * b.points_3 / b.played_3 - b.mean_points_60)
            / CASE WHEN b.played_60 >= 2 AND b.points_std_60 > 0 THEN b.points_std_60
                   ELSE 5.0 END, 4) END AS f_deviation_from_avg_last3,
        CASE WHEN b.played_3 >= 1 THEN 'calculated' ELSE 'missing' END
            AS s_deviation_from_avg_last3,
        CAST(b.games_below AS DOUBLE) AS f_consecutive_games_below_avg,
        CASE WHEN b.games_below IS NOT NULL THEN 'calculated' ELSE 'missing' END
            AS s_consecutive_games_below_avg,
        CASE WHEN b.has_injury_report
            THEN CAST(round(coalesce(b.usage_out, 0), 4) AS DOUBLE) END
            AS f_teammate_usage_available,
        CASE WHEN b.has_injury_report THEN 'calculated' ELSE 'missing' END
            AS s_teammate_usage_available,
        CASE WHEN b.usage_n_5 >= 3 THEN CAST(round(b.usage_5 / b.usage_n_5, 4) AS DOUBLE)
            WHEN b.played_60 >= 1 THEN 20.0 END AS f_usage_rate_last_5,
        CASE WHEN b.usage_n_5 >= 3 THEN 'phase3' WHEN b.played_60 >= 1 THEN 'default'
            ELSE 'missing' END AS s_usage_rate_last_5,
        CASE
            WHEN b.played_60 = 0 THEN NULL
            WHEN b.last_played_team <> b.team_abbr
                     OR date_diff('day', b.last_played_date, b.game_date) > t.structural_gap_days
                THEN 0.0
            ELSE CAST(least(coalesce(b.games_since_change, b.played_60), t.structural_cap_games)
                      AS DOUBLE)
        END AS f_games_since_structural_change,
        CASE WHEN b.played_60 = 0 THEN 'missing' ELSE 'calculated' END
            AS s_games_since_structural_change,
        CASE WHEN b.line_books >= 2 THEN round(b.line_std, 4) END AS f_multi_book_line_std,
        CASE WHEN b.line_books >= 2 THEN 'vegas' ELSE 'missing' END AS s_multi_book_line_std,
        CAST(b.prop_over_streak AS DOUBLE) AS f_prop_over_streak,
        CASE WHEN b.prop_over_streak IS NOT NULL THEN 'phase3' ELSE 'missing' END
            AS s_prop_over_streak,
        CAST(b.prop_under_streak AS DOUBLE) AS f_prop_under_streak,
        CASE WHEN b.prop_under_streak IS NOT NULL THEN 'phase3' ELSE 'missing' END
            AS s_prop_under_streak,
        CASE WHEN b.previous_median IS NOT NULL
                  AND date_diff('day', b.previous_line_date, b.game_date) <= t.prop_delta_days
            THEN b.line_median - b.previous_median END AS f_prop_line_delta,
        CASE WHEN b.previous_median IS NOT NULL
                  AND date_diff('day', b.previous_line_date, b.game_date) <= t.prop_delta_days
            THEN 'vegas' ELSE 'missing' END AS s_prop_line_delta,
        CASE WHEN b.graded_10 >= 5 THEN round(1.0 * b.overs_10 / b.graded_10, 4) END
            AS f_over_rate_last_10,
        CASE WHEN b.graded_10 >= 5 THEN 'calculated' ELSE 'missing' END
            AS s_over_rate_last_10,
        CASE WHEN b.graded_5 >= 3 THEN CAST(round(b.margin_sum_5 / b.graded_5, 4) AS DOUBLE) END
            AS f_margin_vs_line_avg_last_5,
        CASE WHEN b.graded_5 >= 3 THEN 'calculated' ELSE 'missing' END
            AS s_margin_vs_line_avg_last_5,
        CASE WHEN b.team_games_10 >= 5 THEN round(1.0 * b.blowouts_10 / b.team_games_10, 4)
            ELSE 0.2 END AS f_blowout_minutes_risk,
        CASE WHEN b.team_games_10 >= 5 THEN 'calculated' ELSE 'default' END
            AS s_blowout_minutes_risk,
        CASE WHEN b.played_10 >= 3 THEN CAST(round(b.minutes_std_10, 4) AS DOUBLE) END
            AS f_minutes_volatility_last_10,
        CASE WHEN b.played_10 >= 3 THEN 'phase3' ELSE 'missing' END
            AS s_minutes_volatility_last_10
    FROM base_features AS b
    CROSS JOIN thresholds AS t
),

-- Features built from other features (35, 36, 53, 59).
derived_features AS (
    SELECT
        f.*,
        CASE WHEN f.f_points_std_last_10 > 0 THEN round(greatest(-3.0, least(3.0,
            (f.f_points_avg_last_5 - f.f_points_avg_season) / f.f_points_std_last_10)), 4)
            ELSE 0.0 END AS f_pts_vs_season_zscore,
        CASE WHEN f.f_points_std_last_10 > 0 THEN 'calculated' ELSE 'default' END
            AS s_pts_vs_season_zscore,
        CASE WHEN f.f_points_avg_last_5 > f.f_points_avg_season + 1.5 * f.f_points_std_last_10
            THEN 1.0 ELSE 0.0 END AS f_breakout_flag,
        'calculated' AS s_breakout_flag,
        f.f_vegas_points_line - f.f_points_avg_season AS f_line_vs_season_avg,
        CASE WHEN f.f_vegas_points_line IS NOT NULL THEN 'calculated' ELSE 'missing' END
            AS s_line_vs_season_avg,
        CASE WHEN f.s_team_pace <> 'default' AND f.s_opponent_pace <> 'default'
            THEN round(f.f_team_pace - f.f_opponent_pace, 4) END AS f_opponent_pace_mismatch,
        CASE WHEN f.s_team_pace <> 'default' AND f.s_opponent_pace <> 'default'
            THEN 'calculated' ELSE 'missing' END AS s_opponent_pace_mismatch
    FROM features AS f
),

-- Gates (spec 5.5 and the Phase 4 early-season rule), in this order. Materialized: the
-- quality block and the final select both read it (only the columns they read: the sources
-- are in source_key).
gated AS MATERIALIZED (
    SELECT
        d.game_date, d.player_lookup, d.universal_player_id, d.game_id, d.season_year,
        d.team_abbr, d.opponent_team_abbr, d.opener_date, d.days_since_opener, d.injury_status,
        d.has_prop_line, d.current_points_line, d.avg_minutes_per_game_last_7,
        d.is_production_ready, d.pcf_is_production_ready, d.has_pdc,
        d.pdc_l10_completeness_pct, d.has_pcf, d.has_tdza, d.played_60, d.played_10,
        d.team_games_60,
        d.f_points_avg_last_5, d.f_points_avg_last_10, d.f_points_avg_season,
        d.f_points_std_last_10, d.f_games_in_last_7_days, d.f_team_pace, d.f_team_off_rating,
        d.f_minutes_avg_last_10, d.f_ppm_avg_last_10, d.f_fatigue_score,
        d.f_shot_zone_mismatch_score, d.f_pace_score, d.f_usage_spike_score,
        d.f_rest_advantage, d.f_injury_risk, d.f_recent_trend, d.f_minutes_change,
        d.f_opponent_def_rating, d.f_opponent_pace, d.f_home_away, d.f_back_to_back,
        d.f_playoff_game, d.f_pct_paint, d.f_pct_mid_range, d.f_pct_three, d.f_pct_free_throw,
        d.f_team_win_pct, d.f_vegas_points_line, d.f_vegas_opening_line, d.f_vegas_line_move,
        d.f_has_vegas_line, d.f_avg_points_vs_opponent, d.f_games_vs_opponent, d.f_dnp_rate,
        d.f_pts_slope_10g, d.f_star_teammates_out, d.f_game_total_line, d.f_days_rest,
        d.f_minutes_load_last_7d, d.f_spread_magnitude, d.f_implied_team_total,
        d.f_points_avg_last_3, d.f_scoring_trend_slope, d.f_deviation_from_avg_last3,
        d.f_consecutive_games_below_avg, d.f_teammate_usage_available, d.f_usage_rate_last_5,
        d.f_games_since_structural_change, d.f_multi_book_line_std, d.f_prop_over_streak,
        d.f_prop_under_streak, d.f_prop_line_delta, d.f_over_rate_last_10,
        d.f_margin_vs_line_avg_last_5, d.f_blowout_minutes_risk,
        d.f_minutes_volatility_last_10, d.f_pts_vs_season_zscore, d.f_breakout_flag,
        d.f_line_vs_season_avg, d.f_opponent_pace_mismatch,
        CASE
            WHEN d.days_since_opener < {{ BOOTSTRAP_DAYS }} THEN 'EARLY_SEASON'
            WHEN d.played_60 = 0 THEN 'MISSING_DATA'
            WHEN d.f_fatigue_score < 0 OR d.f_fatigue_score > 100 THEN 'FEATURE_VALIDATION_ERROR'
        END AS failure_category,
        -- the 60 sources in feature order, the key of the quality block below
        concat_ws(',',
            d.s_points_avg_last_5,
            d.s_points_avg_last_10,
            d.s_points_avg_season,
            d.s_points_std_last_10,
            d.s_games_in_last_7_days,
            d.s_fatigue_score,
            d.s_shot_zone_mismatch_score,
            d.s_pace_score,
            d.s_usage_spike_score,
            d.s_rest_advantage,
            d.s_injury_risk,
            d.s_recent_trend,
            d.s_minutes_change,
            d.s_opponent_def_rating,
            d.s_opponent_pace,
            d.s_home_away,
            d.s_back_to_back,
            d.s_playoff_game,
            d.s_pct_paint,
            d.s_pct_mid_range,
            d.s_pct_three,
            d.s_pct_free_throw,
            d.s_team_pace,
            d.s_team_off_rating,
            d.s_team_win_pct,
            d.s_vegas_points_line,
            d.s_vegas_opening_line,
            d.s_vegas_line_move,
            d.s_has_vegas_line,
            d.s_avg_points_vs_opponent,
            d.s_games_vs_opponent,
            d.s_minutes_avg_last_10,
            d.s_ppm_avg_last_10,
            d.s_dnp_rate,
            d.s_pts_slope_10g,
            d.s_pts_vs_season_zscore,
            d.s_breakout_flag,
            d.s_star_teammates_out,
            d.s_game_total_line,
            d.s_days_rest,
            d.s_minutes_load_last_7d,
            d.s_spread_magnitude,
            d.s_implied_team_total,
            d.s_points_avg_last_3,
            d.s_scoring_trend_slope,
            d.s_deviation_from_avg_last3,
            d.s_consecutive_games_below_avg,
            d.s_teammate_usage_available,
            d.s_usage_rate_last_5,
            d.s_games_since_structural_change,
            d.s_multi_book_line_std,
            d.s_prop_over_streak,
            d.s_prop_under_streak,
            d.s_line_vs_season_avg,
            d.s_prop_line_delta,
            d.s_over_rate_last_10,
            d.s_margin_vs_line_avg_last_5,
            d.s_blowout_minutes_risk,
            d.s_minutes_volatility_last_10,
            d.s_opponent_pace_mismatch
        ) AS source_key
    FROM derived_features AS d
),

-- The feature catalog of spec 5.5.1/5.5.2: index, name, optional (skipped in the quality
-- score when missing or defaulted), quality category.
feature_catalog AS (
    SELECT * FROM (VALUES
        (0, 'points_avg_last_5', FALSE, 'player_history'),
        (1, 'points_avg_last_10', FALSE, 'player_history'),
        (2, 'points_avg_season', FALSE, 'player_history'),
        (3, 'points_std_last_10', FALSE, 'player_history'),
        (4, 'games_in_last_7_days', FALSE, 'player_history'),
        (5, 'fatigue_score', FALSE, 'matchup'),
        (6, 'shot_zone_mismatch_score', FALSE, 'matchup'),
        (7, 'pace_score', FALSE, 'matchup'),
        (8, 'usage_spike_score', FALSE, 'matchup'),
        (9, 'rest_advantage', FALSE, 'game_context'),
        (10, 'injury_risk', FALSE, 'game_context'),
        (11, 'recent_trend', FALSE, 'game_context'),
        (12, 'minutes_change', FALSE, 'game_context'),
        (13, 'opponent_def_rating', FALSE, 'matchup'),
        (14, 'opponent_pace', FALSE, 'matchup'),
        (15, 'home_away', FALSE, 'game_context'),
        (16, 'back_to_back', FALSE, 'game_context'),
        (17, 'playoff_game', FALSE, 'game_context'),
        (18, 'pct_paint', FALSE, 'game_context'),
        (19, 'pct_mid_range', FALSE, 'game_context'),
        (20, 'pct_three', FALSE, 'game_context'),
        (21, 'pct_free_throw', FALSE, 'game_context'),
        (22, 'team_pace', FALSE, 'team_context'),
        (23, 'team_off_rating', FALSE, 'team_context'),
        (24, 'team_win_pct', FALSE, 'team_context'),
        (25, 'vegas_points_line', TRUE, 'vegas'),
        (26, 'vegas_opening_line', TRUE, 'vegas'),
        (27, 'vegas_line_move', TRUE, 'vegas'),
        (28, 'has_vegas_line', FALSE, 'vegas'),
        (29, 'avg_points_vs_opponent', FALSE, 'player_history'),
        (30, 'games_vs_opponent', FALSE, 'player_history'),
        (31, 'minutes_avg_last_10', FALSE, 'player_history'),
        (32, 'ppm_avg_last_10', FALSE, 'player_history'),
        (33, 'dnp_rate', FALSE, 'player_history'),
        (34, 'pts_slope_10g', FALSE, 'player_history'),
        (35, 'pts_vs_season_zscore', FALSE, 'player_history'),
        (36, 'breakout_flag', FALSE, 'player_history'),
        (37, 'star_teammates_out', TRUE, 'player_history'),
        (38, 'game_total_line', TRUE, 'game_context'),
        (39, 'days_rest', TRUE, 'game_context'),
        (40, 'minutes_load_last_7d', TRUE, 'game_context'),
        (41, 'spread_magnitude', TRUE, 'game_context'),
        (42, 'implied_team_total', TRUE, 'game_context'),
        (43, 'points_avg_last_3', TRUE, 'player_history'),
        (44, 'scoring_trend_slope', TRUE, 'player_history'),
        (45, 'deviation_from_avg_last3', TRUE, 'player_history'),
        (46, 'consecutive_games_below_avg', TRUE, 'player_history'),
        (47, 'teammate_usage_available', TRUE, 'game_context'),
        (48, 'usage_rate_last_5', TRUE, 'player_history'),
        (49, 'games_since_structural_change', TRUE, 'player_history'),
        (50, 'multi_book_line_std', TRUE, 'game_context'),
        (51, 'prop_over_streak', TRUE, 'game_context'),
        (52, 'prop_under_streak', TRUE, 'game_context'),
        (53, 'line_vs_season_avg', TRUE, 'game_context'),
        (54, 'prop_line_delta', TRUE, 'player_history'),
        (55, 'over_rate_last_10', TRUE, 'player_history'),
        (56, 'margin_vs_line_avg_last_5', TRUE, 'player_history'),
        (57, 'blowout_minutes_risk', TRUE, 'team_context'),
        (58, 'minutes_volatility_last_10', TRUE, 'player_history'),
        (59, 'opponent_pace_mismatch', TRUE, 'game_context')
    ) AS c(feature_index, feature_name, is_optional, category)
),

-- Spec 5.5.2 source weights (phase3 87, v2; no fallback/opponent_history/minutes_ppm labels
-- are produced here).
source_weights AS (
    SELECT * FROM (VALUES
        ('phase4', 100.0), ('phase3', 87.0), ('calculated', 100.0), ('vegas', 100.0),
        ('default', 40.0), ('missing', 0.0)
    ) AS w(source, weight)
),

-- The quality block and the feature_sources list depend on the 60 sources only: computed
-- once per combination of sources (a few hundred a season) instead of once per player-date.
source_combinations AS (
    SELECT DISTINCT source_key FROM gated
),

-- One row per feature of a combination: its source (the feature_index-th name of the key).
feature_sources_long AS (
    SELECT
        s.source_key, c.feature_index, c.is_optional, c.category,
        split_part(s.source_key, ',', c.feature_index + 1) AS source
    FROM source_combinations AS s
    CROSS JOIN feature_catalog AS c
),

-- Spec 5.5.2: the mean weight, optional features skipped when missing or defaulted.
quality_sums AS (
    SELECT
        l.source_key,
        avg(w.weight) FILTER (
            WHERE NOT (l.is_optional AND l.source IN ('default', 'missing'))
        ) AS raw_quality_score,
        count(*) FILTER (WHERE NOT l.is_optional AND l.source IN ('default', 'missing'))
            AS required_default_count,
        count(*) FILTER (WHERE l.source IN ('default', 'missing')) AS default_feature_count,
        count(*) FILTER (WHERE l.source = 'phase4') AS phase4_features,
        count(*) FILTER (WHERE l.source = 'phase3') AS phase3_features,
        count(*) FILTER (WHERE l.source IN ('phase4', 'phase3', 'default', 'missing'))
            AS sourced_features,
        avg(w.weight) FILTER (WHERE l.category = 'matchup') AS matchup_quality_pct,
        count(*) FILTER (WHERE l.category = 'matchup' AND l.source IN ('default', 'missing'))
            AS matchup_default_count,
        avg(w.weight) FILTER (WHERE l.category = 'player_history') AS player_history_quality_pct,
        count(*) FILTER (WHERE l.category = 'player_history' AND l.source IN ('default', 'missing'))
            AS player_history_default_count,
        avg(w.weight) FILTER (WHERE l.category = 'team_context') AS team_context_quality_pct,
        count(*) FILTER (WHERE l.category = 'team_context' AND l.source IN ('default', 'missing'))
            AS team_context_default_count,
        avg(w.weight) FILTER (WHERE l.category = 'vegas') AS vegas_quality_pct,
        count(*) FILTER (WHERE l.category = 'vegas' AND l.source IN ('default', 'missing'))
            AS vegas_default_count,
        avg(w.weight) FILTER (WHERE l.category = 'game_context') AS game_context_quality_pct,
        count(*) FILTER (WHERE l.category = 'game_context' AND l.source IN ('default', 'missing'))
            AS game_context_default_count,
        count(*) AS feature_rows,
        -- the features with a default or missing value, ascending ('' when none)
        coalesce(string_agg(CAST(l.feature_index AS VARCHAR), ',' ORDER BY l.feature_index)
            FILTER (WHERE l.source IN ('default', 'missing')), '') AS default_feature_indices
    FROM feature_sources_long AS l
    JOIN source_weights AS w ON w.source = l.source
    GROUP BY l.source_key
),

quality AS (
    SELECT
        q.*,
        -- the feature_sources column, built once per combination (the key lists the 60
        -- sources in feature order): stored dictionary-coded (ENUM list), 60 strings a row cost
        -- seconds to write
        CAST(string_split(q.source_key, ',') AS {{ ML_FEATURE_SOURCE_LIST }}) AS feature_sources,
        round(CASE
            WHEN q.required_default_count >= 5 THEN least(q.raw_quality_score, 49.0)
            WHEN q.required_default_count >= 1 THEN least(q.raw_quality_score, 69.0)
            ELSE q.raw_quality_score
        END, 2) AS feature_quality_score
    FROM quality_sums AS q
)

SELECT
    d.game_date,
    d.player_lookup,
    d.universal_player_id,
    d.game_id,
    d.season_year,
    d.team_abbr,
    d.opponent_team_abbr,
    CAST(d.f_points_avg_last_5 AS DOUBLE) AS points_avg_last_5,
    CAST(d.f_points_avg_last_10 AS DOUBLE) AS points_avg_last_10,
    CAST(d.f_points_avg_season AS DOUBLE) AS points_avg_season,
    CAST(d.f_points_std_last_10 AS DOUBLE) AS points_std_last_10,
    CAST(d.f_games_in_last_7_days AS DOUBLE) AS games_in_last_7_days,
    CAST(d.f_fatigue_score AS DOUBLE) AS fatigue_score,
    CAST(d.f_shot_zone_mismatch_score AS DOUBLE) AS shot_zone_mismatch_score,
    CAST(d.f_pace_score AS DOUBLE) AS pace_score,
    CAST(d.f_usage_spike_score AS DOUBLE) AS usage_spike_score,
    CAST(d.f_rest_advantage AS DOUBLE) AS rest_advantage,
    CAST(d.f_injury_risk AS DOUBLE) AS injury_risk,
    CAST(d.f_recent_trend AS DOUBLE) AS recent_trend,
    CAST(d.f_minutes_change AS DOUBLE) AS minutes_change,
    CAST(d.f_opponent_def_rating AS DOUBLE) AS opponent_def_rating,
    CAST(d.f_opponent_pace AS DOUBLE) AS opponent_pace,
    CAST(d.f_home_away AS DOUBLE) AS home_away,
    CAST(d.f_back_to_back AS DOUBLE) AS back_to_back,
    CAST(d.f_playoff_game AS DOUBLE) AS playoff_game,
    CAST(d.f_pct_paint AS DOUBLE) AS pct_paint,
    CAST(d.f_pct_mid_range AS DOUBLE) AS pct_mid_range,
    CAST(d.f_pct_three AS DOUBLE) AS pct_three,
    CAST(d.f_pct_free_throw AS DOUBLE) AS pct_free_throw,
    CAST(d.f_team_pace AS DOUBLE) AS team_pace,
    CAST(d.f_team_off_rating AS DOUBLE) AS team_off_rating,
    CAST(d.f_team_win_pct AS DOUBLE) AS team_win_pct,
    CAST(d.f_vegas_points_line AS DOUBLE) AS vegas_points_line,
    CAST(d.f_vegas_opening_line AS DOUBLE) AS vegas_opening_line,
    CAST(d.f_vegas_line_move AS DOUBLE) AS vegas_line_move,
    CAST(d.f_has_vegas_line AS DOUBLE) AS has_vegas_line,
    CAST(d.f_avg_points_vs_opponent AS DOUBLE) AS avg_points_vs_opponent,
    CAST(d.f_games_vs_opponent AS DOUBLE) AS games_vs_opponent,
    CAST(d.f_minutes_avg_last_10 AS DOUBLE) AS minutes_avg_last_10,
    CAST(d.f_ppm_avg_last_10 AS DOUBLE) AS ppm_avg_last_10,
    CAST(d.f_dnp_rate AS DOUBLE) AS dnp_rate,
    CAST(d.f_pts_slope_10g AS DOUBLE) AS pts_slope_10g,
    CAST(d.f_pts_vs_season_zscore AS DOUBLE) AS pts_vs_season_zscore,
    CAST(d.f_breakout_flag AS DOUBLE) AS breakout_flag,
    CAST(d.f_star_teammates_out AS DOUBLE) AS star_teammates_out,
    CAST(d.f_game_total_line AS DOUBLE) AS game_total_line,
    CAST(d.f_days_rest AS DOUBLE) AS days_rest,
    CAST(d.f_minutes_load_last_7d AS DOUBLE) AS minutes_load_last_7d,
    CAST(d.f_spread_magnitude AS DOUBLE) AS spread_magnitude,
    CAST(d.f_implied_team_total AS DOUBLE) AS implied_team_total,
    CAST(d.f_points_avg_last_3 AS DOUBLE) AS points_avg_last_3,
    CAST(d.f_scoring_trend_slope AS DOUBLE) AS scoring_trend_slope,
    CAST(d.f_deviation_from_avg_last3 AS DOUBLE) AS deviation_from_avg_last3,
    CAST(d.f_consecutive_games_below_avg AS DOUBLE) AS consecutive_games_below_avg,
    CAST(d.f_teammate_usage_available AS DOUBLE) AS teammate_usage_available,
    CAST(d.f_usage_rate_last_5 AS DOUBLE) AS usage_rate_last_5,
    CAST(d.f_games_since_structural_change AS DOUBLE) AS games_since_structural_change,
    CAST(d.f_multi_book_line_std AS DOUBLE) AS multi_book_line_std,
    CAST(d.f_prop_over_streak AS DOUBLE) AS prop_over_streak,
    CAST(d.f_prop_under_streak AS DOUBLE) AS prop_under_streak,
    CAST(d.f_line_vs_season_avg AS DOUBLE) AS line_vs_season_avg,
    CAST(d.f_prop_line_delta AS DOUBLE) AS prop_line_delta,
    CAST(d.f_over_rate_last_10 AS DOUBLE) AS over_rate_last_10,
    CAST(d.f_margin_vs_line_avg_last_5 AS DOUBLE) AS margin_vs_line_avg_last_5,
    CAST(d.f_blowout_minutes_risk AS DOUBLE) AS blowout_minutes_risk,
    CAST(d.f_minutes_volatility_last_10 AS DOUBLE) AS minutes_volatility_last_10,
    CAST(d.f_opponent_pace_mismatch AS DOUBLE) AS opponent_pace_mismatch,
    [
        CAST(d.f_points_avg_last_5 AS DOUBLE),
        CAST(d.f_points_avg_last_10 AS DOUBLE),
        CAST(d.f_points_avg_season AS DOUBLE),
        CAST(d.f_points_std_last_10 AS DOUBLE),
        CAST(d.f_games_in_last_7_days AS DOUBLE),
        CAST(d.f_fatigue_score AS DOUBLE),
        CAST(d.f_shot_zone_mismatch_score AS DOUBLE),
        CAST(d.f_pace_score AS DOUBLE),
        CAST(d.f_usage_spike_score AS DOUBLE),
        CAST(d.f_rest_advantage AS DOUBLE),
        CAST(d.f_injury_risk AS DOUBLE),
        CAST(d.f_recent_trend AS DOUBLE),
        CAST(d.f_minutes_change AS DOUBLE),
        CAST(d.f_opponent_def_rating AS DOUBLE),
        CAST(d.f_opponent_pace AS DOUBLE),
        CAST(d.f_home_away AS DOUBLE),
        CAST(d.f_back_to_back AS DOUBLE),
        CAST(d.f_playoff_game AS DOUBLE),
        CAST(d.f_pct_paint AS DOUBLE),
        CAST(d.f_pct_mid_range AS DOUBLE),
        CAST(d.f_pct_three AS DOUBLE),
        CAST(d.f_pct_free_throw AS DOUBLE),
        CAST(d.f_team_pace AS DOUBLE),
        CAST(d.f_team_off_rating AS DOUBLE),
        CAST(d.f_team_win_pct AS DOUBLE),
        CAST(d.f_vegas_points_line AS DOUBLE),
        CAST(d.f_vegas_opening_line AS DOUBLE),
        CAST(d.f_vegas_line_move AS DOUBLE),
        CAST(d.f_has_vegas_line AS DOUBLE),
        CAST(d.f_avg_points_vs_opponent AS DOUBLE),
        CAST(d.f_games_vs_opponent AS DOUBLE),
        CAST(d.f_minutes_avg_last_10 AS DOUBLE),
        CAST(d.f_ppm_avg_last_10 AS DOUBLE),
        CAST(d.f_dnp_rate AS DOUBLE),
        CAST(d.f_pts_slope_10g AS DOUBLE),
        CAST(d.f_pts_vs_season_zscore AS DOUBLE),
        CAST(d.f_breakout_flag AS DOUBLE),
        CAST(d.f_star_teammates_out AS DOUBLE),
        CAST(d.f_game_total_line AS DOUBLE),
        CAST(d.f_days_rest AS DOUBLE),
        CAST(d.f_minutes_load_last_7d AS DOUBLE),
        CAST(d.f_spread_magnitude AS DOUBLE),
        CAST(d.f_implied_team_total AS DOUBLE),
        CAST(d.f_points_avg_last_3 AS DOUBLE),
        CAST(d.f_scoring_trend_slope AS DOUBLE),
        CAST(d.f_deviation_from_avg_last3 AS DOUBLE),
        CAST(d.f_consecutive_games_below_avg AS DOUBLE),
        CAST(d.f_teammate_usage_available AS DOUBLE),
        CAST(d.f_usage_rate_last_5 AS DOUBLE),
        CAST(d.f_games_since_structural_change AS DOUBLE),
        CAST(d.f_multi_book_line_std AS DOUBLE),
        CAST(d.f_prop_over_streak AS DOUBLE),
        CAST(d.f_prop_under_streak AS DOUBLE),
        CAST(d.f_line_vs_season_avg AS DOUBLE),
        CAST(d.f_prop_line_delta AS DOUBLE),
        CAST(d.f_over_rate_last_10 AS DOUBLE),
        CAST(d.f_margin_vs_line_avg_last_5 AS DOUBLE),
        CAST(d.f_blowout_minutes_risk AS DOUBLE),
        CAST(d.f_minutes_volatility_last_10 AS DOUBLE),
        CAST(d.f_opponent_pace_mismatch AS DOUBLE)
    ] AS features,
    {{ ML_FEATURE_NAMES }} AS feature_names,
    x.feature_sources,
    60 AS feature_count,
    'v2_60features' AS feature_version,
    q.feature_quality_score,
    CASE
        WHEN q.feature_quality_score >= 95 THEN 'gold'
        WHEN q.feature_quality_score >= 85 THEN 'silver'
        WHEN q.feature_quality_score >= 70 THEN 'bronze'
        WHEN q.feature_quality_score >= 50 THEN 'poor'
        ELSE 'critical'
    END AS quality_tier,
    CAST(round(q.matchup_quality_pct, 2) AS DOUBLE) AS matchup_quality_pct,
    CAST(q.matchup_default_count AS INTEGER) AS matchup_default_count,
    CAST(round(q.player_history_quality_pct, 2) AS DOUBLE) AS player_history_quality_pct,
    CAST(q.player_history_default_count AS INTEGER) AS player_history_default_count,
    CAST(round(q.team_context_quality_pct, 2) AS DOUBLE) AS team_context_quality_pct,
    CAST(q.team_context_default_count AS INTEGER) AS team_context_default_count,
    CAST(round(q.vegas_quality_pct, 2) AS DOUBLE) AS vegas_quality_pct,
    CAST(q.vegas_default_count AS INTEGER) AS vegas_default_count,
    CAST(round(q.game_context_quality_pct, 2) AS DOUBLE) AS game_context_quality_pct,
    CAST(q.game_context_default_count AS INTEGER) AS game_context_default_count,
    CASE
        WHEN q.matchup_quality_pct < 50 OR q.feature_quality_score < 50 THEN 'red'
        WHEN q.required_default_count > 0 OR q.feature_quality_score < 70
             OR q.matchup_quality_pct < 70 THEN 'yellow'
        ELSE 'green'
    END AS quality_alert_level,
    q.feature_quality_score >= 70 AND q.matchup_quality_pct >= 50
        AND q.required_default_count = 0 AS is_quality_ready,
    q.feature_quality_score >= 85 AND q.matchup_quality_pct >= 70
        AND q.player_history_quality_pct >= 80 AS is_training_ready,
    CASE
        WHEN q.phase4_features >= 0.9 * q.sourced_features THEN 'phase4'
        WHEN q.phase4_features >= 0.5 * q.sourced_features THEN 'phase4_partial'
        WHEN q.phase3_features >= 0.5 * q.sourced_features THEN 'phase3'
        ELSE 'mixed'
    END AS data_source,
    CAST(q.default_feature_count AS INTEGER) AS default_feature_count,
    CAST(q.required_default_count AS INTEGER) AS required_default_count,
    x.default_feature_indices,
    d.has_pcf AS has_composite_factors,
    d.has_tdza AS has_opponent_defense,
    CASE WHEN d.current_points_line IS NOT NULL THEN 'odds_api' ELSE 'none' END
        AS vegas_line_source,
    CAST(d.played_10 AS INTEGER) AS games_found,
    CAST(least(d.team_games_60, 10) AS INTEGER) AS games_expected,
    coalesce(d.pcf_is_production_ready, FALSE) AND d.has_pdc
        AND coalesce(d.pdc_l10_completeness_pct >= {{ PRODUCTION_READY_PCT }}, FALSE)
        AS is_production_ready,
    (coalesce(d.avg_minutes_per_game_last_7, 0) >= t.candidate_min_minutes
        OR coalesce(d.has_prop_line, FALSE))
        AND lower(trim(coalesce(d.injury_status, ''))) NOT IN ('out', 'doubtful')
        AND (coalesce(d.is_production_ready, FALSE) OR coalesce(d.has_prop_line, FALSE))
        AS is_prediction_candidate,
    CAST(d.days_since_opener AS INTEGER) AS days_since_opener,
    substr(sha256(concat_ws('|',
        CAST(d.game_date AS VARCHAR), d.player_lookup, coalesce(d.game_id, 'NULL'),
        coalesce(d.team_abbr, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_points_avg_last_5) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_points_avg_last_10) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_points_avg_season) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_points_std_last_10) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_games_in_last_7_days) }}, 'NULL'),
        coalesce(CAST(d.f_fatigue_score AS VARCHAR), 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_shot_zone_mismatch_score) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_pace_score) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_usage_spike_score) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_rest_advantage) }}, 'NULL'),
        coalesce(CAST(d.f_injury_risk AS VARCHAR), 'NULL'),
        coalesce(CAST(d.f_recent_trend AS VARCHAR), 'NULL'),
        coalesce(CAST(d.f_minutes_change AS VARCHAR), 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_opponent_def_rating) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_opponent_pace) }}, 'NULL'),
        coalesce(CAST(d.f_home_away AS VARCHAR), 'NULL'),
        coalesce(CAST(d.f_back_to_back AS VARCHAR), 'NULL'),
        coalesce(CAST(d.f_playoff_game AS VARCHAR), 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_pct_paint) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_pct_mid_range) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_pct_three) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_pct_free_throw) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_team_pace) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_team_off_rating) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_team_win_pct) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_vegas_points_line) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_vegas_opening_line) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_vegas_line_move) }}, 'NULL'),
        coalesce(CAST(d.f_has_vegas_line AS VARCHAR), 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_avg_points_vs_opponent) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_games_vs_opponent) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_minutes_avg_last_10) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_ppm_avg_last_10) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_dnp_rate) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_pts_slope_10g) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_pts_vs_season_zscore) }}, 'NULL'),
        coalesce(CAST(d.f_breakout_flag AS VARCHAR), 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_star_teammates_out) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_game_total_line) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_days_rest) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_minutes_load_last_7d) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_spread_magnitude) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_implied_team_total) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_points_avg_last_3) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_scoring_trend_slope) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_deviation_from_avg_last3) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_consecutive_games_below_avg) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_teammate_usage_available) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_usage_rate_last_5) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_games_since_structural_change) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_multi_book_line_std) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_prop_over_streak) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_prop_under_streak) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_line_vs_season_avg) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_prop_line_delta) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_over_rate_last_10) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_margin_vs_line_avg_last_5) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_blowout_minutes_risk) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_minutes_volatility_last_10) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(d.f_opponent_pace_mismatch) }}, 'NULL')
    )), 1, 16) AS data_hash,
    d.failure_category,
    CASE d.failure_category
        WHEN 'EARLY_SEASON' THEN
            'early season: day ' || CAST(d.days_since_opener AS VARCHAR) || ' of '
            || CAST({{ BOOTSTRAP_DAYS }} AS VARCHAR) || ' after the '
            || CAST(d.opener_date AS VARCHAR) || ' opener'
        WHEN 'MISSING_DATA' THEN
            'no game played in the ' || CAST(t.recent_days AS VARCHAR)
            || ' days before the date (his team played '
            || CAST(d.team_games_60 AS VARCHAR) || ' games in them)'
        WHEN 'FEATURE_VALIDATION_ERROR' THEN
            'fatigue_score ' || CAST(d.f_fatigue_score AS VARCHAR)
            || ' from player_composite_factors is outside 0-100'
    END AS failure_reason,
    CASE WHEN d.failure_category IS NULL THEN NULL
        ELSE d.failure_category = 'FEATURE_VALIDATION_ERROR' END AS can_retry,
    CASE WHEN d.failure_category IS NULL THEN NULL
        ELSE CAST(least(d.team_games_60, 10) AS INTEGER) END AS expected_game_count,
    CASE WHEN d.failure_category IS NULL THEN NULL
        ELSE CAST(d.played_10 AS INTEGER) END AS actual_game_count
FROM gated AS d
CROSS JOIN thresholds AS t
JOIN quality AS x ON x.source_key = d.source_key
LEFT JOIN quality AS q ON q.source_key = d.source_key AND d.played_60 > 0
