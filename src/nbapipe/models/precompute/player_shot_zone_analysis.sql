-- name: nba_precompute.player_shot_zone_analysis
-- description: Where each player shoots from and how well (spec 5.2): over his last 10 games (trend: last 20) of the season strictly before the analysis date, the share of his zoned attempts in the paint, mid-range and from three (percent), FG% per zone (fraction), attempts per game, assisted/unassisted share of his makes (percent, same unit as the zone rates), sample sizes and his primary scoring zone. Players with too few games, and every player in the first 14 days after the real opener, go to nba_processing.precompute_failures instead.
-- grain: one row per player per analysis date (every player with a game this season before a date with scheduled games)
-- key: analysis_date, player_lookup
-- date_column: analysis_date
-- upstream: nba_analytics.player_game_summary (critical), nba_raw.schedule (critical), nba_analytics.player_completeness (optional)
-- lookback: 20 games
-- check: unique_key
-- check: not_null(player_lookup, team_abbr, games_in_sample_10, games_in_sample_20, sample_quality_10, sample_quality_20, data_quality_tier, min_games_required, data_hash)
-- check: expr(games_in_sample_10 >= min_games_required AND games_in_sample_10 <= 10 AND games_in_sample_10 <= games_in_sample_20 AND games_in_sample_20 <= 20)
-- check: expr(paint_rate_last_10 IS NULL OR abs(paint_rate_last_10 + mid_range_rate_last_10 + three_pt_rate_last_10 - 100) <= 2)
-- check: expr((paint_rate_last_10 IS NULL) = (primary_scoring_zone IS NULL))
-- check: expr(last_game_date < analysis_date)
-- check: range(paint_rate_last_10, 0, 100)
-- check: range(mid_range_rate_last_10, 0, 100)
-- check: range(three_pt_rate_last_10, 0, 100)
-- check: range(paint_rate_last_20, 0, 100)
-- check: range(assisted_rate_last_10, 0, 100)
-- check: range(unassisted_rate_last_10, 0, 100)
-- check: range(paint_pct_last_10, 0, 1)
-- check: range(mid_range_pct_last_10, 0, 1)
-- check: range(three_pt_pct_last_10, 0, 1)
-- check: range(paint_pct_last_20, 0, 1)
--
-- column analysis_date: the date the profile is for (a date with scheduled games); only games strictly before it count
-- column player_lookup: normalised player name
-- column universal_player_id: registry id, from his latest game played before the date
-- column team_abbr: his team on the date: the team of his latest player_game_summary row before it (any status)
-- column paint_rate_last_10: 100 x paint attempts / (paint + mid-range + three attempts) over the last-10 window, 2 decimals; NULL without zoned attempts, or if the three rates do not sum to 100 +- 2 [%]
-- column mid_range_rate_last_10: the same share for mid-range attempts [%]
-- column three_pt_rate_last_10: the same share for three-point attempts [%]
-- column total_shots_last_10: paint + mid-range + three attempts in the last-10 window (shots of unknown zone not included); NULL when no game of the window has zones [attempts]
-- column games_in_sample_10: games played in the last-10 window (active row with minutes or a shot) [games]
-- column sample_quality_10: excellent (10 games), good (>= 7), limited (>= 5), else insufficient
-- column paint_pct_last_10: paint makes / paint attempts over the window, 3 decimals; NULL without paint attempts [fraction]
-- column mid_range_pct_last_10: mid-range FG% likewise [fraction]
-- column three_pt_pct_last_10: three-point FG% (from play-by-play) likewise [fraction]
-- column paint_attempts_per_game: paint attempts / games of the window that have zones, 1 decimal [attempts]
-- column mid_range_attempts_per_game: mid-range attempts per zoned game, 1 decimal [attempts]
-- column three_pt_attempts_per_game: three-point attempts per zoned game, 1 decimal [attempts]
-- column paint_rate_last_20: paint share over the last-20 window, 2 decimals; NULL with fewer than 15 games in it [%]
-- column paint_pct_last_20: paint FG% over the last-20 window, 3 decimals; NULL with fewer than 15 games in it [fraction]
-- column games_in_sample_20: games played in the last-20 window [games]
-- column sample_quality_20: excellent (20 games), good (>= 14), limited (>= 10), else insufficient
-- column assisted_rate_last_10: 100 x assisted makes / FG makes over the window's games whose play-by-play names assisters, 2 decimals; NULL when no such game (shot-chart data) or no makes; percent like the zone rates (the legacy mixed fraction and percent, spec 9.13) [%]
-- column unassisted_rate_last_10: 100 x unassisted makes / FG makes over the same games [%]
-- column primary_scoring_zone: paint if paint_rate >= 40, else perimeter if three_pt_rate >= 40, else mid_range if mid_range_rate >= 35, else balanced; NULL when the rates are NULL
-- column data_quality_tier: high with 10 games in the window, medium with 7-9, else low
-- column min_games_required: games the window needed on this date: min(3 + days since the opener // 3, 9) during the first 21 days after the real opener, else 10 [games]
-- column early_season_flag: min_games_required < 10 (days 14-20 after the opener)
-- column days_since_opener: days from the season's real opener (first Regular Season game date in the schedule) to the date [days]
-- column last_game_date: the date of his latest game played (active, minutes or a shot) before the analysis date
-- column l10_expected_games: from player_completeness: his team's last 10 games before the date minus those he sat out; NULL without a completeness row [games]
-- column l10_actual_games: from player_completeness: games he played among them [games]
-- column completeness_pct: from player_completeness: 100 x l10_actual / l10_expected [%]
-- column is_production_ready: from player_completeness: completeness_pct >= 70 (vocab.PRODUCTION_READY_PCT); informational, no gate
-- column data_hash: first 16 hex chars of sha256 over the metric columns (values joined by '|', NULL as 'NULL', fixed order; doubles as fixed six-decimal text (DECIMAL(18,6)), the same text in DuckDB and Spark)
--
-- column failure_category: NULL on table rows. EARLY_SEASON on days 0-13 after the real opener (every player that would get a row); afterwards, with fewer games in the last-10 window than min_games_required: EXPECTED_INCOMPLETE when his team's schedule also has fewer games than that before the date, else INCOMPLETE_UPSTREAM (his team played enough games)
-- column failure_reason: e.g. 'early season: day 3 of 14 after the 2024-10-22 opener', '6 games in the last-10 window, 10 needed, though his team (BOS) has played 30 games this season'
-- column can_retry: FALSE for EARLY_SEASON and EXPECTED_INCOMPLETE (more data cannot appear), TRUE for INCOMPLETE_UPSTREAM
-- column expected_game_count: his team's completed games this season before the date, at most 10 [games]
-- column actual_game_count: games_in_sample_10 [games]
--
-- The season starts at its real opener (the first Regular Season date of its season_year in
-- nba_raw.schedule; legacy anchored the dynamic minimum to Oct 1, spec 9.8): games before it
-- (pre-season) are not part of any window and team game counts start there.
-- The zone rates, percentages and per-game figures are ratios of integer sums, so a daily run
-- and a backfill round them identically.
-- Legacy fixes: 9.8 dynamic minimum anchored to the real opener, not Oct 1; 9.13 assisted and
-- unassisted rates in percent like the zone rates; 9.15 the first 14 days give one
-- EARLY_SEASON failure per player instead of nothing at all; assisted rates only over games
-- whose play-by-play names assisters (a shot-chart game used to count as 0 assisted makes),
-- per-game volumes only over games with zones.

WITH
-- The numbers of spec 5.2 in one place.
thresholds AS (
    SELECT
        10 AS sample_window,          -- primary window [games]
        20 AS trend_window,           -- trend window [games]
        15 AS trend_min_games,        -- paint_rate/pct_last_20 need this many games
        {{ DYNAMIC_MIN_DAYS }} AS ramp_days,  -- days after the opener with a reduced minimum
        3 AS ramp_base_games,         -- reduced minimum = min(3 + days // 3, 9)
        {{ DYNAMIC_MIN_DAYS_PER_GAME }} AS ramp_days_per_game,
        9 AS ramp_max_games,
        7 AS medium_tier_games,       -- data_quality_tier medium from 7 games
        40.0 AS paint_zone_rate,      -- primary zone: paint from 40% of attempts
        40.0 AS perimeter_zone_rate,  -- perimeter (threes) from 40%
        35.0 AS mid_range_zone_rate,  -- mid-range from 35%
        2.0 AS rate_sum_tolerance,    -- the three rates must sum to 100 +- 2
        0.7 AS good_sample_share,     -- sample quality good from 70% of the window
        0.5 AS limited_sample_share   -- limited from 50%
),

-- Each season's real opener: its first Regular Season game date.
season_openers AS ({{ SEASON_OPENERS }}),

analysis_dates AS (
    SELECT
        d.analysis_date, d.season_year, o.opener_date,
        date_diff('day', o.opener_date, d.analysis_date) AS days_since_opener
    FROM (
        SELECT DISTINCT game_date AS analysis_date, season_year
        FROM nba_raw.schedule
        WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    ) AS d
    JOIN season_openers AS o ON o.season_year = d.season_year
),

-- The minimum games the last-10 window needs on each date (spec 5.2, anchored to the opener).
date_rules AS (
    SELECT
        d.analysis_date, d.season_year, d.opener_date, d.days_since_opener,
        d.days_since_opener < {{ BOOTSTRAP_DAYS }} AS is_early_season,
        CAST(CASE
            WHEN d.days_since_opener < t.ramp_days THEN least(
                t.ramp_base_games
                    + CAST(floor(d.days_since_opener / t.ramp_days_per_game) AS INTEGER),
                t.ramp_max_games
            )
            ELSE t.sample_window
        END AS INTEGER) AS min_games_required
    FROM analysis_dates AS d
    CROSS JOIN thresholds AS t
),

-- Completed games of the season from its opener on, one side per team.
completed_games AS (
    SELECT game_id, game_date, season_year, home_team_abbr, away_team_abbr
    FROM nba_raw.schedule
    WHERE game_date >= {{ season_start }} AND game_date < {{ end_date }}
      AND coalesce(game_status, 3) = 3
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY source) = 1
),

team_games AS (
    SELECT game_date, season_year, home_team_abbr AS team_abbr FROM completed_games
    UNION ALL
    SELECT game_date, season_year, away_team_abbr AS team_abbr FROM completed_games
),

team_games_before AS (
    SELECT d.analysis_date, g.team_abbr, CAST(count(*) AS INTEGER) AS team_games
    FROM analysis_dates AS d
    JOIN team_games AS g
      ON g.season_year = d.season_year
     AND g.game_date >= d.opener_date AND g.game_date < d.analysis_date
    GROUP BY d.analysis_date, g.team_abbr
),

-- Every player row of the season from the opener on (any status: it tells his team).
season_rows AS (
    SELECT
        p.player_lookup, p.universal_player_id, p.game_date, p.season_year, p.team_abbr,
        p.is_active AND (p.minutes_played > 0 OR p.fg_attempts > 0) AS played,
        p.fg_makes, p.paint_attempts, p.paint_makes, p.mid_range_attempts,
        p.mid_range_makes, p.three_attempts_pbp, p.three_makes_pbp,
        p.assisted_fg_makes, p.unassisted_fg_makes
    FROM nba_analytics.player_game_summary AS p
    JOIN season_openers AS o ON o.season_year = p.season_year
    WHERE p.game_date >= {{ season_start }} AND p.game_date < {{ end_date }}
      AND p.game_date >= o.opener_date
),

-- His games played in order (n = 1 is his first of the season), each with the running totals
-- up to it, in one window pass. (A NULL zone counts as 0, as in the legacy; the counts of
-- non-NULL values say whether a window has zones at all.)
played_games AS (
    SELECT
        player_lookup, season_year, universal_player_id, game_date,
        row_number() OVER running_total AS n,
        lead(game_date) OVER running_total AS next_game_date,
        count(paint_attempts) OVER running_total AS paint_known,
        count(mid_range_attempts) OVER running_total AS mid_known,
        count(three_attempts_pbp) OVER running_total AS three_known,
        CAST(sum(coalesce(paint_attempts, 0)) OVER running_total AS BIGINT) AS paint_att,
        CAST(sum(coalesce(paint_makes, 0)) OVER running_total AS BIGINT) AS paint_made,
        CAST(sum(coalesce(mid_range_attempts, 0)) OVER running_total AS BIGINT) AS mid_att,
        CAST(sum(coalesce(mid_range_makes, 0)) OVER running_total AS BIGINT) AS mid_made,
        CAST(sum(coalesce(three_attempts_pbp, 0)) OVER running_total AS BIGINT) AS three_att,
        CAST(sum(coalesce(three_makes_pbp, 0)) OVER running_total AS BIGINT) AS three_made,
        -- assisted shares only over games whose play-by-play names assisters
        count(assisted_fg_makes) OVER running_total AS assist_games,
        CAST(sum(coalesce(assisted_fg_makes, 0)) OVER running_total AS BIGINT) AS assisted,
        CAST(sum(coalesce(unassisted_fg_makes, 0)) OVER running_total AS BIGINT) AS unassisted,
        CAST(sum(CASE WHEN assisted_fg_makes IS NOT NULL THEN coalesce(fg_makes, 0) ELSE 0 END)
            OVER running_total AS BIGINT) AS assist_fg_makes
    FROM season_rows
    WHERE played
    WINDOW running_total AS (
        PARTITION BY player_lookup, season_year ORDER BY game_date
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
),

-- Sums over the windows that end at each game: the running totals at the game minus those
-- 10 (or 20) games earlier. Everything up to the metric part of data_hash depends only on
-- his latest game, so it is computed once per game (each game is his latest one for the
-- dates after it up to and including his next game: only games with such a date in the range
-- are needed), not once per date.
window_sums AS (
    SELECT
        r.player_lookup, r.season_year, r.universal_player_id, r.game_date,
        CAST(least(r.n, t.sample_window) AS INTEGER) AS games_10,
        CAST(least(r.n, t.trend_window) AS INTEGER) AS games_20,
        CAST(r.paint_known - coalesce(r10.paint_known, 0) AS INTEGER) AS paint_known_10,
        CAST(r.mid_known - coalesce(r10.mid_known, 0) AS INTEGER) AS mid_known_10,
        CAST(r.three_known - coalesce(r10.three_known, 0) AS INTEGER) AS three_known_10,
        CAST(r.paint_att - coalesce(r10.paint_att, 0) AS BIGINT) AS paint_att_10,
        CAST(r.paint_made - coalesce(r10.paint_made, 0) AS BIGINT) AS paint_made_10,
        CAST(r.mid_att - coalesce(r10.mid_att, 0) AS BIGINT) AS mid_att_10,
        CAST(r.mid_made - coalesce(r10.mid_made, 0) AS BIGINT) AS mid_made_10,
        CAST(r.three_att - coalesce(r10.three_att, 0) AS BIGINT) AS three_att_10,
        CAST(r.three_made - coalesce(r10.three_made, 0) AS BIGINT) AS three_made_10,
        CAST(r.assist_games - coalesce(r10.assist_games, 0) AS INTEGER) AS assist_games_10,
        CAST(r.assisted - coalesce(r10.assisted, 0) AS BIGINT) AS assisted_10,
        CAST(r.unassisted - coalesce(r10.unassisted, 0) AS BIGINT) AS unassisted_10,
        CAST(r.assist_fg_makes - coalesce(r10.assist_fg_makes, 0) AS BIGINT)
            AS assist_fg_makes_10,
        CAST(r.paint_known - coalesce(r20.paint_known, 0) AS INTEGER) AS paint_known_20,
        CAST(r.mid_known - coalesce(r20.mid_known, 0) AS INTEGER) AS mid_known_20,
        CAST(r.three_known - coalesce(r20.three_known, 0) AS INTEGER) AS three_known_20,
        CAST(r.paint_att - coalesce(r20.paint_att, 0) AS BIGINT) AS paint_att_20,
        CAST(r.paint_made - coalesce(r20.paint_made, 0) AS BIGINT) AS paint_made_20,
        CAST(r.mid_att - coalesce(r20.mid_att, 0) AS BIGINT) AS mid_att_20,
        CAST(r.three_att - coalesce(r20.three_att, 0) AS BIGINT) AS three_att_20
    FROM played_games AS r
    CROSS JOIN thresholds AS t
    LEFT JOIN played_games AS r10
      ON r10.player_lookup = r.player_lookup AND r10.season_year = r.season_year
     AND r10.n = r.n - t.sample_window
    LEFT JOIN played_games AS r20
      ON r20.player_lookup = r.player_lookup AND r20.season_year = r.season_year
     AND r20.n = r.n - t.trend_window
    WHERE r.next_game_date IS NULL OR r.next_game_date >= {{ start_date }}
),

-- Spec 5.2 metrics: rates in percent of zoned attempts (only when every zone column has a
-- value in the window and there are attempts), FG% as fractions.
window_metrics AS (
    SELECT
        s.*,
        s.paint_att_10 + s.mid_att_10 + s.three_att_10 AS total_att_10,
        s.paint_known_10 > 0 AND s.mid_known_10 > 0 AND s.three_known_10 > 0 AS zones_complete_10,
        s.paint_known_20 > 0 AND s.mid_known_20 > 0 AND s.three_known_20 > 0 AS zones_complete_20,
        s.paint_att_20 + s.mid_att_20 + s.three_att_20 AS total_att_20
    FROM window_sums AS s
),

raw_rates AS (
    SELECT
        m.*,
        CASE WHEN m.zones_complete_10 AND m.total_att_10 > 0
            THEN round(100.0 * m.paint_att_10 / m.total_att_10, 2) END AS paint_rate_raw,
        CASE WHEN m.zones_complete_10 AND m.total_att_10 > 0
            THEN round(100.0 * m.mid_att_10 / m.total_att_10, 2) END AS mid_rate_raw,
        CASE WHEN m.zones_complete_10 AND m.total_att_10 > 0
            THEN round(100.0 * m.three_att_10 / m.total_att_10, 2) END AS three_rate_raw
    FROM window_metrics AS m
),

metrics AS (
    SELECT
        r.player_lookup, r.season_year, r.universal_player_id, r.game_date,
        r.games_10, r.games_20,
        -- the three rates must sum to 100 +- 2, else all three are NULL
        CASE WHEN abs(r.paint_rate_raw + r.mid_rate_raw + r.three_rate_raw - 100)
                  <= t.rate_sum_tolerance
            THEN r.paint_rate_raw END AS paint_rate_last_10,
        CASE WHEN abs(r.paint_rate_raw + r.mid_rate_raw + r.three_rate_raw - 100)
                  <= t.rate_sum_tolerance
            THEN r.mid_rate_raw END AS mid_range_rate_last_10,
        CASE WHEN abs(r.paint_rate_raw + r.mid_rate_raw + r.three_rate_raw - 100)
                  <= t.rate_sum_tolerance
            THEN r.three_rate_raw END AS three_pt_rate_last_10,
        CASE WHEN r.paint_known_10 > 0 OR r.mid_known_10 > 0 OR r.three_known_10 > 0
            THEN CAST(r.total_att_10 AS INTEGER) END AS total_shots_last_10,
        CASE WHEN r.paint_att_10 > 0
            THEN round(1.0 * r.paint_made_10 / r.paint_att_10, 3) END AS paint_pct_last_10,
        CASE WHEN r.mid_att_10 > 0
            THEN round(1.0 * r.mid_made_10 / r.mid_att_10, 3) END AS mid_range_pct_last_10,
        CASE WHEN r.three_att_10 > 0
            THEN round(1.0 * r.three_made_10 / r.three_att_10, 3) END AS three_pt_pct_last_10,
        CASE WHEN r.paint_known_10 > 0
            THEN round(1.0 * r.paint_att_10 / r.paint_known_10, 1) END AS paint_attempts_per_game,
        CASE WHEN r.mid_known_10 > 0
            THEN round(1.0 * r.mid_att_10 / r.mid_known_10, 1) END AS mid_range_attempts_per_game,
        CASE WHEN r.three_known_10 > 0
            THEN round(1.0 * r.three_att_10 / r.three_known_10, 1) END AS three_pt_attempts_per_game,
        CASE WHEN r.games_20 >= t.trend_min_games AND r.zones_complete_20 AND r.total_att_20 > 0
            THEN round(100.0 * r.paint_att_20 / r.total_att_20, 2) END AS paint_rate_last_20,
        CASE WHEN r.games_20 >= t.trend_min_games AND r.paint_att_20 > 0
            THEN round(1.0 * r.paint_made_20 / r.paint_att_20, 3) END AS paint_pct_last_20,
        CASE WHEN r.zones_complete_10 AND r.assist_games_10 > 0 AND r.assist_fg_makes_10 > 0
            THEN round(100.0 * r.assisted_10 / r.assist_fg_makes_10, 2) END AS assisted_rate_last_10,
        CASE WHEN r.zones_complete_10 AND r.assist_games_10 > 0 AND r.assist_fg_makes_10 > 0
            THEN round(100.0 * r.unassisted_10 / r.assist_fg_makes_10, 2) END
            AS unassisted_rate_last_10
    FROM raw_rates AS r
    CROSS JOIN thresholds AS t
),

game_profiles AS (
    SELECT
        m.*,
        CASE
            WHEN m.games_10 >= t.sample_window THEN 'excellent'
            WHEN m.games_10 >= CAST(floor(t.sample_window * t.good_sample_share) AS INTEGER) THEN 'good'
            WHEN m.games_10 >= CAST(floor(t.sample_window * t.limited_sample_share) AS INTEGER) THEN 'limited'
            ELSE 'insufficient'
        END AS sample_quality_10,
        CASE
            WHEN m.games_20 >= t.trend_window THEN 'excellent'
            WHEN m.games_20 >= CAST(floor(t.trend_window * t.good_sample_share) AS INTEGER) THEN 'good'
            WHEN m.games_20 >= CAST(floor(t.trend_window * t.limited_sample_share) AS INTEGER) THEN 'limited'
            ELSE 'insufficient'
        END AS sample_quality_20,
        CASE
            WHEN m.paint_rate_last_10 IS NULL THEN NULL
            WHEN m.paint_rate_last_10 >= t.paint_zone_rate THEN 'paint'
            WHEN m.three_pt_rate_last_10 >= t.perimeter_zone_rate THEN 'perimeter'
            WHEN m.mid_range_rate_last_10 >= t.mid_range_zone_rate THEN 'mid_range'
            ELSE 'balanced'
        END AS primary_scoring_zone,
        CASE
            WHEN m.games_10 >= t.sample_window THEN 'high'
            WHEN m.games_10 >= t.medium_tier_games THEN 'medium'
            ELSE 'low'
        END AS data_quality_tier
    FROM metrics AS m
    CROSS JOIN thresholds AS t
),

-- The metric part of data_hash's text (its values joined by '|'), also once per game: the
-- casts to text are the costliest expressions of the model. (MATERIALIZED: inlined, DuckDB
-- would evaluate these per-game expressions after the join to the dates, once per date.)
game_hash_text AS MATERIALIZED (
    SELECT
        g.*,
        concat_ws('|',
            coalesce({{ HASH_TEXT_DOUBLE(g.paint_rate_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(g.mid_range_rate_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(g.three_pt_rate_last_10) }}, 'NULL'),
            coalesce(CAST(g.total_shots_last_10 AS VARCHAR), 'NULL'),
            CAST(g.games_10 AS VARCHAR),
            coalesce({{ HASH_TEXT_DOUBLE(g.paint_pct_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(g.mid_range_pct_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(g.three_pt_pct_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(g.paint_attempts_per_game) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(g.mid_range_attempts_per_game) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(g.three_pt_attempts_per_game) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(g.paint_rate_last_20) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(g.paint_pct_last_20) }}, 'NULL'),
            CAST(g.games_20 AS VARCHAR),
            coalesce({{ HASH_TEXT_DOUBLE(g.assisted_rate_last_10) }}, 'NULL'),
            coalesce({{ HASH_TEXT_DOUBLE(g.unassisted_rate_last_10) }}, 'NULL'),
            coalesce(g.primary_scoring_zone, 'NULL')
        ) AS metrics_text
    FROM game_profiles AS g
),

-- His rows in order (any status), each the latest one for the dates after it up to and
-- including his next row: it gives his team on those dates and, carried forward, his latest
-- game played before them.
row_sequence AS (
    SELECT
        player_lookup, season_year, game_date, team_abbr,
        lead(game_date) OVER (PARTITION BY player_lookup, season_year ORDER BY game_date)
            AS next_row_date,
        max(CASE WHEN played THEN game_date END) OVER (
            PARTITION BY player_lookup, season_year ORDER BY game_date
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS last_game_date
    FROM (
        -- only the columns used: a window carries every input column through its sort
        SELECT player_lookup, season_year, game_date, team_abbr, played FROM season_rows
    ) AS r
),

-- Every (date, player) with a game played before the date; his team on the date is the team
-- of his latest row (any status) before it.
player_dates AS (
    SELECT d.analysis_date, d.season_year, r.player_lookup, r.team_abbr, r.last_game_date
    FROM analysis_dates AS d
    JOIN row_sequence AS r
      ON r.season_year = d.season_year
     AND r.game_date < d.analysis_date
     AND d.analysis_date <= coalesce(r.next_row_date, DATE '9999-12-31')
    WHERE r.last_game_date IS NOT NULL
),

-- The date's rules, team games and completeness, joined while the rows are narrow
-- (MATERIALIZED: otherwise DuckDB joins the wide per-game columns first and builds these
-- joins' hash tables on them).
date_players AS MATERIALIZED (
    SELECT
        pd.*,
        dr.days_since_opener, dr.opener_date, dr.is_early_season, dr.min_games_required,
        coalesce(tg.team_games, 0) AS team_games,
        dr.min_games_required < t.sample_window AS early_season_flag,
        t.sample_window,
        CAST(c.l10_expected AS INTEGER) AS l10_expected_games,
        CAST(c.l10_actual AS INTEGER) AS l10_actual_games,
        c.completeness_pct,
        c.is_production_ready
    FROM player_dates AS pd
    CROSS JOIN thresholds AS t
    JOIN date_rules AS dr ON dr.analysis_date = pd.analysis_date
    LEFT JOIN team_games_before AS tg
      ON tg.analysis_date = pd.analysis_date AND tg.team_abbr = pd.team_abbr
    LEFT JOIN nba_analytics.player_completeness AS c
      ON c.analysis_date = pd.analysis_date AND c.player_lookup = pd.player_lookup
     AND c.analysis_date >= {{ start_date }} AND c.analysis_date < {{ end_date }}
),

-- The date's metrics are those of his latest game.
profiles AS (
    SELECT
        p.*, g.universal_player_id,
        g.games_10, g.games_20, g.paint_rate_last_10, g.mid_range_rate_last_10,
        g.three_pt_rate_last_10, g.total_shots_last_10, g.paint_pct_last_10,
        g.mid_range_pct_last_10, g.three_pt_pct_last_10, g.paint_attempts_per_game,
        g.mid_range_attempts_per_game, g.three_pt_attempts_per_game, g.paint_rate_last_20,
        g.paint_pct_last_20, g.assisted_rate_last_10, g.unassisted_rate_last_10,
        g.sample_quality_10, g.sample_quality_20, g.primary_scoring_zone, g.data_quality_tier,
        g.metrics_text
    FROM date_players AS p
    JOIN game_hash_text AS g
      ON g.player_lookup = p.player_lookup AND g.season_year = p.season_year
     AND g.game_date = p.last_game_date
),

-- Gates (spec 5.2 and the Phase 4 early-season rule).
gated AS (
    SELECT
        p.*,
        CASE
            WHEN p.is_early_season THEN 'EARLY_SEASON'
            WHEN p.games_10 < p.min_games_required AND p.team_games < p.min_games_required
                THEN 'EXPECTED_INCOMPLETE'
            WHEN p.games_10 < p.min_games_required THEN 'INCOMPLETE_UPSTREAM'
        END AS failure_category
    FROM profiles AS p
)

SELECT
    g.analysis_date,
    g.player_lookup,
    g.universal_player_id,
    g.team_abbr,
    g.paint_rate_last_10,
    g.mid_range_rate_last_10,
    g.three_pt_rate_last_10,
    g.total_shots_last_10,
    g.games_10 AS games_in_sample_10,
    g.sample_quality_10,
    g.paint_pct_last_10,
    g.mid_range_pct_last_10,
    g.three_pt_pct_last_10,
    g.paint_attempts_per_game,
    g.mid_range_attempts_per_game,
    g.three_pt_attempts_per_game,
    g.paint_rate_last_20,
    g.paint_pct_last_20,
    g.games_20 AS games_in_sample_20,
    g.sample_quality_20,
    g.assisted_rate_last_10,
    g.unassisted_rate_last_10,
    g.primary_scoring_zone,
    g.data_quality_tier,
    g.min_games_required,
    g.early_season_flag,
    CAST(g.days_since_opener AS INTEGER) AS days_since_opener,
    g.last_game_date,
    g.l10_expected_games,
    g.l10_actual_games,
    g.completeness_pct,
    g.is_production_ready,
    CASE WHEN g.failure_category IS NULL THEN substr(sha256(concat_ws('|',
        CAST(g.analysis_date AS VARCHAR), g.player_lookup, coalesce(g.team_abbr, 'NULL'),
        g.metrics_text, CAST(g.min_games_required AS VARCHAR)
    )), 1, 16) END AS data_hash,
    g.failure_category,
    CASE g.failure_category
        WHEN 'EARLY_SEASON' THEN
            'early season: day ' || CAST(g.days_since_opener AS VARCHAR) || ' of '
            || CAST({{ BOOTSTRAP_DAYS }} AS VARCHAR) || ' after the '
            || CAST(g.opener_date AS VARCHAR) || ' opener'
        WHEN 'EXPECTED_INCOMPLETE' THEN
            CAST(g.games_10 AS VARCHAR) || ' games in the last-10 window, '
            || CAST(g.min_games_required AS VARCHAR) || ' needed on day '
            || CAST(g.days_since_opener AS VARCHAR) || ' after the opener; his team ('
            || coalesce(g.team_abbr, 'unknown') || ') has played only '
            || CAST(g.team_games AS VARCHAR) || ' games'
        WHEN 'INCOMPLETE_UPSTREAM' THEN
            CAST(g.games_10 AS VARCHAR) || ' games in the last-10 window, '
            || CAST(g.min_games_required AS VARCHAR) || ' needed, though his team ('
            || coalesce(g.team_abbr, 'unknown') || ') has played '
            || CAST(g.team_games AS VARCHAR) || ' games this season'
    END AS failure_reason,
    CASE WHEN g.failure_category IS NULL THEN NULL
        ELSE g.failure_category = 'INCOMPLETE_UPSTREAM' END AS can_retry,
    CASE WHEN g.failure_category IS NULL THEN NULL
        ELSE CAST(least(g.team_games, g.sample_window) AS INTEGER) END AS expected_game_count,
    CASE WHEN g.failure_category IS NULL THEN NULL
        ELSE g.games_10 END AS actual_game_count
FROM gated AS g
