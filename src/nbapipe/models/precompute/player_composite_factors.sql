-- name: nba_precompute.player_composite_factors
-- description: The four adjustment factors of spec 5.3 for every player expected in a game (calculation_version v1_4factors): a fatigue score (0-100) and its adjustment, the shot-zone mismatch between his primary zone and the opponent's defence of it, a pace adjustment and a usage-spike adjustment, four deferred factors fixed at 0, their total, and which inputs were present. Inputs are the pre-game rows of the same date: upcoming_player_game_context, the opponent's upcoming_team_game_context, his player_shot_zone_analysis row and the opponent's team_defense_zone_analysis row. In the first 14 days after the real opener every player gets an EARLY_SEASON failure row instead.
-- grain: one row per player per game date (every player of upcoming_player_game_context)
-- key: game_date, player_lookup
-- date_column: game_date
-- upstream: nba_analytics.upcoming_player_game_context (critical, same-day), nba_analytics.upcoming_team_game_context (critical, same-day), nba_precompute.player_shot_zone_analysis (critical, same-day), nba_precompute.team_defense_zone_analysis (critical, same-day), nba_analytics.player_completeness (optional), nba_raw.schedule (critical)
-- lookback: 0 days
-- check: unique_key
-- check: not_null(game_id, player_lookup, team_abbr, opponent_team_abbr, fatigue_score, fatigue_adjustment, shot_zone_mismatch_score, pace_score, usage_spike_score, total_composite_adjustment, data_completeness_pct, data_hash)
-- check: range(fatigue_score, 0, 100)
-- check: range(fatigue_adjustment, -5, 0)
-- check: range(shot_zone_mismatch_score, -10, 10)
-- check: range(pace_score, -3, 3)
-- check: range(usage_spike_score, -3, 3)
-- check: range(total_composite_adjustment, -21, 16)
-- check: range(data_completeness_pct, 0, 100)
-- check: expr(abs(total_composite_adjustment - (fatigue_adjustment + shot_zone_mismatch_score + pace_score + usage_spike_score)) <= 0.006)
--
-- column game_date: the game date (pre-game: every input row is known before tip-off)
-- column player_lookup: normalised player name
-- column universal_player_id: registry id
-- column game_id: NBA.com game id of his game that date
-- column team_abbr: his team
-- column opponent_team_abbr: the other team
-- column fatigue_score: 100, minus 15 on a back-to-back or plus 5 with two or more full days of rest, minus 10 with 4+ games in the last 7 days, minus 10 with more than 240 minutes in them, minus 8 averaging more than 35 minutes in them, minus 12 with 2+ back-to-backs in the last 14 days (minus 5 with one), clamped to 0-100; missing inputs take the legacy defaults (1 day of rest, 3 games, 200 minutes, 30 minutes a game); no age term (we have no birth dates; the legacy default age 25 gave none either) [score]
-- column fatigue_adjustment: (fatigue_score - 100) / 20 [points]
-- column shot_zone_mismatch_score: the opponent's defence-vs-league value (percentage points, + = worse than the league) in his primary zone (paint when balanced or unknown; perimeter = three_pt), times min(his rate in that zone / 50, 1) (rate 50 when unknown), times 1.2 when that exceeds 5 in size, clamped to -10..10; 0 without both his shot-zone row and the opponent's defence row [points]
-- column pace_score: pace_differential / 2 from the player context, clamped to -3..3; 0 when unknown [points]
-- column usage_spike_score: (projected usage - his mean usage over the last 7 games) x 0.3, both 25 when unknown (we have no usage projection, so projected is always 25, as in the legacy); when positive x 1.15 with one star teammate out, x 1.30 with two or more; clamped to -3..3; 0 when the baseline is 0 [points]
-- column referee_favorability_score: deferred factor, always 0 (as in the legacy) [points]
-- column look_ahead_pressure_score: deferred factor, always 0 [points]
-- column travel_impact_score: deferred factor, always 0 [points]
-- column opponent_strength_score: deferred factor, always 0 [points]
-- column total_composite_adjustment: sum of the eight adjustments (the fatigue adjustment, not the score), 2 decimals [points]
-- column player_primary_zone: the zone the mismatch used: paint, mid_range or perimeter
-- column player_zone_rate: his last-10 rate in that zone, from player_shot_zone_analysis [%]
-- column opponent_zone_vs_league: the opponent's defence-vs-league value in that zone [percentage points]
-- column opponent_weakest_zone: the opponent's weakest zone, from team_defense_zone_analysis
-- column days_rest: his days rest from the player context (0 = back-to-back) [days]
-- column is_back_to_back: he played the day before
-- column games_in_last_7_days: from the player context [games]
-- column minutes_in_last_7_days: from the player context [minutes]
-- column avg_minutes_per_game_last_7: from the player context [minutes]
-- column back_to_backs_last_14_days: from the player context [games]
-- column avg_usage_rate_last_7_games: from the player context [%]
-- column pace_differential: from the player context [possessions]
-- column star_teammates_out: from the player context [players]
-- column has_shot_zone_data: his player_shot_zone_analysis row exists for the date
-- column has_team_defense_data: the opponent's team_defense_zone_analysis row exists for the date
-- column data_completeness_pct: 20 x the inputs present among days_rest, a projected usage rate (never: we have none, as in the legacy), pace_differential, his shot-zone row and the opponent's defence row [%]
-- column missing_data_fields: comma-separated names of the missing inputs among those five (always starts with projected_usage_rate: we have no usage projection)
-- column warnings: comma-separated EXTREME_FATIGUE (fatigue_score < 50), EXTREME_MATCHUP (|mismatch| > 8), EXTREME_ADJUSTMENT (|total| > 12); NULL when none
-- column upstream_player_context_ready: his player-context row is production ready (five completeness windows, relaxed early and at the season boundary)
-- column upstream_player_shot_ready: his shot-zone row exists and is production ready
-- column upstream_team_defense_ready: the opponent's defence row exists and is production ready
-- column upstream_team_context_ready: the opponent's team-context row is production ready (its last 7 and 14 days' box scores at least 70% complete)
-- column all_upstreams_ready: all four upstream flags
-- column is_production_ready: his own 10-game completeness is at least 70% (player_completeness; TRUE without a game this season, FALSE without a completeness row otherwise) and all_upstreams_ready; informational: every player still gets his factors
-- column calculation_version: v1_4factors
-- column data_hash: first 16 hex chars of sha256 over the factor columns (values joined by '|', NULL as 'NULL', fixed order; doubles as fixed six-decimal text (DECIMAL(18,6)), the same text in DuckDB and Spark)
--
-- column failure_category: NULL on table rows; EARLY_SEASON for every player of the player context in the first 14 days after the real opener
-- column failure_reason: e.g. 'early season: day 3 of 14 after the 2024-10-22 opener'
-- column can_retry: FALSE (more data cannot change an early-season date)
-- column expected_game_count: NULL (no game window)
-- column actual_game_count: NULL (no game window)
--
-- Pure per-row arithmetic on pre-game rows of the same date: no history is read here, so
-- a row for D can only change when D's pre-game inputs change.
-- Legacy fixes: days of rest use the one convention of the context tables (0 = back-to-back;
-- the legacy fatigue bonus "days_rest >= 3" counted calendar days since the last game, i.e. two
-- full days off, which is our days_rest >= 2, spec 9.7); the opponent's pace and days of rest
-- are real values (spec 9.5, 9.6, 9.9 fixed upstream); the first 14 days give EARLY_SEASON
-- failure rows rather than nothing (spec 9.15).

WITH
-- The numbers of spec 5.3 in one place.
thresholds AS (
    SELECT
        100 AS fatigue_base,
        15 AS back_to_back_penalty,
        2 AS rested_days,               -- full days off for the rest bonus (legacy: 3 calendar days)
        5 AS rested_bonus,
        4 AS heavy_games_7d,
        10 AS heavy_games_penalty,
        {{ FATIGUE_HEAVY_MINUTES_LAST_7 }} AS heavy_minutes_7d,
        10 AS heavy_minutes_penalty,
        35.0 AS heavy_mpg_7d,
        8 AS heavy_mpg_penalty,
        2 AS many_b2b_14d,
        12 AS many_b2b_penalty,
        5 AS one_b2b_penalty,
        1 AS default_days_rest,
        3 AS default_games_7d,
        200.0 AS default_minutes_7d,
        30.0 AS default_mpg_7d,
        20.0 AS fatigue_divisor,        -- adjustment = (score - 100) / 20
        50.0 AS zone_rate_full_weight,  -- mismatch weight = min(rate / 50, 1)
        50.0 AS default_zone_rate,
        5.0 AS mismatch_boost_above,
        1.2 AS mismatch_boost,
        10.0 AS mismatch_cap,
        2.0 AS pace_divisor,
        3.0 AS pace_cap,
        25.0 AS default_usage,
        0.3 AS usage_factor,
        1.15 AS one_star_out_boost,
        1.30 AS two_stars_out_boost,
        3.0 AS usage_cap,
        50 AS extreme_fatigue_below,
        8 AS extreme_matchup_above,
        12.0 AS extreme_total_above,
        5 AS completeness_checks
),

season_openers AS ({{ SEASON_OPENERS }}),

players AS (
    SELECT
        u.game_date, u.player_lookup, u.universal_player_id, u.game_id, u.team_abbr,
        u.opponent_team_abbr, u.days_rest, u.is_back_to_back, u.games_in_last_7_days,
        u.minutes_in_last_7_days, u.avg_minutes_per_game_last_7, u.back_to_backs_last_14_days,
        u.avg_usage_rate_last_7_games, u.pace_differential, u.star_teammates_out,
        u.is_production_ready AS context_ready,
        -- his own completeness: last 10 games (spec 5.3); without a game this season nothing
        -- is missing, without a completeness row (its date failed) nothing is known
        coalesce(c.is_production_ready, coalesce(u.games_played_season, 0) = 0) AS own_ready,
        o.opener_date,
        date_diff('day', o.opener_date, u.game_date) AS days_since_opener
    FROM nba_analytics.upcoming_player_game_context AS u
    JOIN season_openers AS o ON o.season_year = u.season_year
    LEFT JOIN nba_analytics.player_completeness AS c
      ON c.analysis_date = u.game_date AND c.player_lookup = u.player_lookup
     AND c.analysis_date >= {{ start_date }} AND c.analysis_date < {{ end_date }}
    WHERE u.game_date >= {{ start_date }} AND u.game_date < {{ end_date }}
),

-- The player's shot profile and the opponent's defence on the same date (the range filters
-- reach the scans: a daily run reads one date of each table, not all of them).
inputs AS (
    SELECT
        p.*,
        z.player_lookup IS NOT NULL AS has_shot_zone_data,
        coalesce(z.is_production_ready, FALSE) AS zone_ready,
        CASE
            WHEN z.primary_scoring_zone IN ('mid_range', 'perimeter') THEN z.primary_scoring_zone
            ELSE 'paint'   -- balanced and unknown count as paint (spec 5.3)
        END AS primary_zone,
        z.paint_rate_last_10, z.mid_range_rate_last_10, z.three_pt_rate_last_10,
        d.team_abbr IS NOT NULL AS has_team_defense_data,
        coalesce(d.is_production_ready, FALSE) AS defense_ready,
        d.paint_defense_vs_league_avg, d.mid_range_defense_vs_league_avg,
        d.three_pt_defense_vs_league_avg, d.weakest_zone,
        c.team_abbr IS NOT NULL AS has_opponent_context,
        coalesce(c.is_production_ready, FALSE) AS opponent_context_ready
    FROM players AS p
    LEFT JOIN nba_precompute.player_shot_zone_analysis AS z
      ON z.analysis_date = p.game_date AND z.player_lookup = p.player_lookup
     AND z.analysis_date >= {{ start_date }} AND z.analysis_date < {{ end_date }}
    LEFT JOIN nba_precompute.team_defense_zone_analysis AS d
      ON d.analysis_date = p.game_date AND d.team_abbr = p.opponent_team_abbr
     AND d.analysis_date >= {{ start_date }} AND d.analysis_date < {{ end_date }}
    LEFT JOIN nba_analytics.upcoming_team_game_context AS c
      ON c.game_date = p.game_date AND c.team_abbr = p.opponent_team_abbr
     AND c.game_date >= {{ start_date }} AND c.game_date < {{ end_date }}
),

zone_inputs AS (
    SELECT
        i.*,
        CASE i.primary_zone
            WHEN 'mid_range' THEN i.mid_range_rate_last_10
            WHEN 'perimeter' THEN i.three_pt_rate_last_10
            ELSE i.paint_rate_last_10
        END AS zone_rate,
        CASE i.primary_zone
            WHEN 'mid_range' THEN i.mid_range_defense_vs_league_avg
            WHEN 'perimeter' THEN i.three_pt_defense_vs_league_avg
            ELSE i.paint_defense_vs_league_avg
        END AS zone_vs_league
    FROM inputs AS i
),

-- Factor 1: fatigue score 0-100 (spec 5.3).
fatigue AS (
    SELECT
        z.*,
        greatest(0, least(100,
            t.fatigue_base
            + CASE
                WHEN coalesce(z.is_back_to_back, FALSE) THEN -t.back_to_back_penalty
                WHEN coalesce(z.days_rest, t.default_days_rest) >= t.rested_days THEN t.rested_bonus
                ELSE 0
              END
            + CASE WHEN coalesce(z.games_in_last_7_days, t.default_games_7d) >= t.heavy_games_7d
                THEN -t.heavy_games_penalty ELSE 0 END
            + CASE WHEN coalesce(z.minutes_in_last_7_days, t.default_minutes_7d) > t.heavy_minutes_7d
                THEN -t.heavy_minutes_penalty ELSE 0 END
            + CASE WHEN coalesce(z.avg_minutes_per_game_last_7, t.default_mpg_7d) > t.heavy_mpg_7d
                THEN -t.heavy_mpg_penalty ELSE 0 END
            + CASE
                WHEN coalesce(z.back_to_backs_last_14_days, 0) >= t.many_b2b_14d THEN -t.many_b2b_penalty
                WHEN coalesce(z.back_to_backs_last_14_days, 0) = 1 THEN -t.one_b2b_penalty
                ELSE 0
              END
        )) AS fatigue_score
    FROM zone_inputs AS z
    CROSS JOIN thresholds AS t
),

-- Factors 2-4 (spec 5.3).
factors AS (
    SELECT
        f.*,
        CAST(f.fatigue_score - t.fatigue_base AS DOUBLE) / t.fatigue_divisor AS fatigue_adjustment,
        CASE
            WHEN NOT (f.has_shot_zone_data AND f.has_team_defense_data) OR f.zone_vs_league IS NULL
                THEN 0.0
            ELSE greatest(-t.mismatch_cap, least(t.mismatch_cap,
                f.zone_vs_league
                * least(coalesce(f.zone_rate, t.default_zone_rate) / t.zone_rate_full_weight, 1.0)
                * CASE
                    WHEN abs(f.zone_vs_league * least(
                        coalesce(f.zone_rate, t.default_zone_rate) / t.zone_rate_full_weight, 1.0
                    )) > t.mismatch_boost_above THEN t.mismatch_boost
                    ELSE 1.0
                  END
            ))
        END AS shot_zone_mismatch_score,
        CASE WHEN f.pace_differential IS NULL THEN 0.0
            ELSE greatest(-t.pace_cap, least(t.pace_cap, f.pace_differential / t.pace_divisor))
        END AS pace_score,
        coalesce(f.avg_usage_rate_last_7_games, t.default_usage) AS usage_baseline,
        t.default_usage AS projected_usage
    FROM fatigue AS f
    CROSS JOIN thresholds AS t
),

usage_spike AS (
    SELECT
        f.*,
        CASE
            WHEN f.usage_baseline = 0 THEN 0.0
            ELSE greatest(-t.usage_cap, least(t.usage_cap,
                (f.projected_usage - f.usage_baseline) * t.usage_factor
                * CASE
                    WHEN f.projected_usage - f.usage_baseline <= 0 THEN 1.0
                    WHEN coalesce(f.star_teammates_out, 0) >= 2 THEN t.two_stars_out_boost
                    WHEN coalesce(f.star_teammates_out, 0) = 1 THEN t.one_star_out_boost
                    ELSE 1.0
                  END
            ))
        END AS usage_spike_score
    FROM factors AS f
    CROSS JOIN thresholds AS t
),

scored AS (
    SELECT
        u.*,
        round(u.fatigue_adjustment + u.shot_zone_mismatch_score + u.pace_score
            + u.usage_spike_score, 2) AS total_composite_adjustment,
        (CASE WHEN u.days_rest IS NULL THEN 0 ELSE 1 END
            + CASE WHEN u.pace_differential IS NULL THEN 0 ELSE 1 END
            + CASE WHEN u.has_shot_zone_data THEN 1 ELSE 0 END
            + CASE WHEN u.has_team_defense_data THEN 1 ELSE 0 END) AS checks_present
    FROM usage_spike AS u
)

SELECT
    s.game_date,
    s.player_lookup,
    s.universal_player_id,
    s.game_id,
    s.team_abbr,
    s.opponent_team_abbr,
    CAST(s.fatigue_score AS INTEGER) AS fatigue_score,
    s.fatigue_adjustment,
    CAST(s.shot_zone_mismatch_score AS DOUBLE) AS shot_zone_mismatch_score,
    CAST(s.pace_score AS DOUBLE) AS pace_score,
    CAST(s.usage_spike_score AS DOUBLE) AS usage_spike_score,
    CAST(0 AS DOUBLE) AS referee_favorability_score,
    CAST(0 AS DOUBLE) AS look_ahead_pressure_score,
    CAST(0 AS DOUBLE) AS travel_impact_score,
    CAST(0 AS DOUBLE) AS opponent_strength_score,
    CAST(s.total_composite_adjustment AS DOUBLE) AS total_composite_adjustment,
    s.primary_zone AS player_primary_zone,
    CAST(s.zone_rate AS DOUBLE) AS player_zone_rate,
    CAST(s.zone_vs_league AS DOUBLE) AS opponent_zone_vs_league,
    s.weakest_zone AS opponent_weakest_zone,
    s.days_rest,
    s.is_back_to_back,
    s.games_in_last_7_days,
    s.minutes_in_last_7_days,
    s.avg_minutes_per_game_last_7,
    s.back_to_backs_last_14_days,
    s.avg_usage_rate_last_7_games,
    s.pace_differential,
    s.star_teammates_out,
    s.has_shot_zone_data,
    s.has_team_defense_data,
    CAST(100.0 * s.checks_present / t.completeness_checks AS DOUBLE) AS data_completeness_pct,
    concat_ws(',',
        CASE WHEN s.days_rest IS NULL THEN 'days_rest' END,
        'projected_usage_rate',
        CASE WHEN s.pace_differential IS NULL THEN 'pace_differential' END,
        CASE WHEN NOT s.has_shot_zone_data THEN 'player_shot_zone' END,
        CASE WHEN NOT s.has_team_defense_data THEN 'opponent_team_defense' END
    ) AS missing_data_fields,
    nullif(concat_ws(',',
        CASE WHEN s.fatigue_score < t.extreme_fatigue_below THEN 'EXTREME_FATIGUE' END,
        CASE WHEN abs(s.shot_zone_mismatch_score) > t.extreme_matchup_above
            THEN 'EXTREME_MATCHUP' END,
        CASE WHEN abs(s.total_composite_adjustment) > t.extreme_total_above
            THEN 'EXTREME_ADJUSTMENT' END
    ), '') AS warnings,
    coalesce(s.context_ready, FALSE) AS upstream_player_context_ready,
    s.zone_ready AS upstream_player_shot_ready,
    s.defense_ready AS upstream_team_defense_ready,
    s.opponent_context_ready AS upstream_team_context_ready,
    coalesce(s.context_ready, FALSE) AND s.zone_ready AND s.defense_ready
        AND s.opponent_context_ready AS all_upstreams_ready,
    s.own_ready AND coalesce(s.context_ready, FALSE) AND s.zone_ready AND s.defense_ready
        AND s.opponent_context_ready AS is_production_ready,
    'v1_4factors' AS calculation_version,
    substr(sha256(concat_ws('|',
        CAST(s.game_date AS VARCHAR), s.player_lookup, coalesce(s.game_id, 'NULL'),
        CAST(s.fatigue_score AS VARCHAR),
        {{ HASH_TEXT_DOUBLE(s.shot_zone_mismatch_score) }},
        {{ HASH_TEXT_DOUBLE(s.pace_score) }},
        {{ HASH_TEXT_DOUBLE(s.usage_spike_score) }},
        {{ HASH_TEXT_DOUBLE(s.total_composite_adjustment) }},
        s.primary_zone,
        coalesce({{ HASH_TEXT_DOUBLE(s.zone_rate) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(s.zone_vs_league) }}, 'NULL'),
        CAST(s.checks_present AS VARCHAR)
    )), 1, 16) AS data_hash,
    CASE WHEN s.days_since_opener < {{ BOOTSTRAP_DAYS }} THEN 'EARLY_SEASON' END
        AS failure_category,
    CASE WHEN s.days_since_opener < {{ BOOTSTRAP_DAYS }} THEN
        'early season: day ' || CAST(s.days_since_opener AS VARCHAR) || ' of '
        || CAST({{ BOOTSTRAP_DAYS }} AS VARCHAR) || ' after the '
        || CAST(s.opener_date AS VARCHAR) || ' opener'
    END AS failure_reason,
    CASE WHEN s.days_since_opener < {{ BOOTSTRAP_DAYS }} THEN FALSE END AS can_retry,
    CAST(NULL AS INTEGER) AS expected_game_count,
    CAST(NULL AS INTEGER) AS actual_game_count
FROM scored AS s
CROSS JOIN thresholds AS t
