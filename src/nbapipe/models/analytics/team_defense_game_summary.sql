-- name: nba_analytics.team_defense_game_summary
-- description: A team's defensive line for one game: the opponent's offence seen from the defender (points and shots allowed, defensive rating, opponent pace per 48, zones allowed), plus the defender's own steals, blocks by zone and defensive rebounds.
-- grain: one row per defending team per game date
-- key: game_date, defending_team_abbr
-- date_column: game_date
-- upstream: nba_analytics.team_offense_game_summary (critical)
-- lookback: 0 days
-- check: unique_key
-- check: not_null(game_id, defending_team_abbr, opponent_team_abbr, points_allowed, defensive_rating)
-- check: expr(points_in_paint_allowed = 2 * opp_paint_makes OR NOT shot_zones_available)
-- check: range(defensive_rating, 50, 180) warn
-- check: range(opponent_pace, 75, 130) warn
--
-- "Flip the perspective": the opponent's row of team_offense_game_summary is this team's
-- defence, so both tables share one source choice and one zone rule.

WITH
offense AS (
    SELECT *
    FROM nba_analytics.team_offense_game_summary
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
)

SELECT
    d.game_id,
    d.game_date,
    d.season_year,
    d.team_abbr AS defending_team_abbr,
    d.opponent_team_abbr,
    d.home_game,
    o.points_scored AS points_allowed,
    o.fg_makes AS opp_fg_makes,
    o.fg_attempts AS opp_fg_attempts,
    o.three_pt_makes AS opp_three_pt_makes,
    o.three_pt_attempts AS opp_three_pt_attempts,
    o.ft_makes AS opp_ft_makes,
    o.ft_attempts AS opp_ft_attempts,
    o.offensive_rebounds AS opp_offensive_rebounds,
    o.total_rebounds AS opp_rebounds,
    o.assists AS opp_assists,
    o.turnovers AS turnovers_forced,
    d.personal_fouls AS fouls_committed,
    d.steals,
    d.blocks,
    d.defensive_rebounds,
    o.possessions AS opp_possessions,
    o.offensive_rating AS defensive_rating,
    o.pace AS opponent_pace,
    o.ts_pct AS opponent_ts_pct,
    d.win_flag,
    d.margin_of_victory,
    d.overtime_periods,
    o.team_paint_attempts AS opp_paint_attempts,
    o.team_paint_makes AS opp_paint_makes,
    o.team_mid_range_attempts AS opp_mid_range_attempts,
    o.team_mid_range_makes AS opp_mid_range_makes,
    o.team_three_attempts_pbp AS opp_three_attempts_pbp,
    o.team_three_makes_pbp AS opp_three_makes_pbp,
    o.team_unknown_zone_attempts AS opp_unknown_zone_attempts,
    o.points_in_paint_scored AS points_in_paint_allowed,
    CAST(2 * o.team_mid_range_makes AS INTEGER) AS mid_range_points_allowed,
    CAST(3 * o.three_pt_makes AS INTEGER) AS three_pt_points_allowed,
    d.blocks_paint,
    d.blocks_mid_range,
    d.blocks_three_pt,
    o.shot_zones_available,
    o.shot_zones_source,
    o.primary_source_used,
    o.quality_tier,
    o.quality_score
FROM offense AS d
JOIN offense AS o ON o.game_id = d.game_id AND o.team_abbr = d.opponent_team_abbr
