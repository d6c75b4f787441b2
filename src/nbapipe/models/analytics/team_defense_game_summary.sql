-- name: nba_analytics.team_defense_game_summary
-- description: A team's defensive line for one game: the opponent's offence seen from the defender (points and shots allowed, defensive rating, opponent pace per 48, zones allowed), plus the defender's own steals, blocks by zone and defensive rebounds.
-- grain: one row per defending team per game date
-- key: game_date, defending_team_abbr
-- date_column: game_date
-- upstream: nba_analytics.team_offense_game_summary (critical)
-- team_games: defending_team_abbr
-- lookback: 0 days
-- check: unique_key
-- check: not_null(game_id, defending_team_abbr, opponent_team_abbr, points_allowed, defensive_rating, data_hash)
-- check: expr(points_in_paint_allowed = 2 * opp_paint_makes OR NOT shot_zones_available)
-- check: range(defensive_rating, 50, 180) warn
-- check: range(opponent_pace, 75, 130) warn
--
-- column game_id: NBA.com game id
-- column game_date: game date (US/Eastern)
-- column season_year: season start year
-- column defending_team_abbr: the team whose defence this row describes
-- column opponent_team_abbr: the team it defended against
-- column home_game: did the defending team play at home?
-- column points_allowed: the opponent's points [points]
-- column opp_fg_makes: opponent FGM
-- column opp_fg_attempts: opponent FGA
-- column opp_three_pt_makes: opponent 3PM
-- column opp_three_pt_attempts: opponent 3PA
-- column opp_ft_makes: opponent FTM
-- column opp_ft_attempts: opponent FTA
-- column opp_offensive_rebounds: opponent OREB
-- column opp_rebounds: opponent REB
-- column opp_assists: opponent AST
-- column turnovers_forced: opponent turnovers
-- column fouls_committed: the defender's personal fouls
-- column steals: the defender's steals
-- column blocks: the defender's blocks
-- column defensive_rebounds: the defender's defensive rebounds
-- column opp_possessions: the opponent's possessions [possessions]
-- column defensive_rating: 100 x points allowed / opponent possessions [points per 100 possessions]
-- column opponent_pace: the opponent's pace per 48 minutes on actual minutes (legacy: raw possession count, spec 9.9) [possessions]
-- column opponent_ts_pct: the opponent's true shooting [fraction]
-- column win_flag: did the defending team win? (from points; legacy used the plus-minus sign)
-- column margin_of_victory: defender points - opponent points [points]
-- column overtime_periods: overtime periods played (legacy: always 0)
-- column opp_paint_attempts: opponent FGA in the paint (<= 8 ft)
-- column opp_paint_makes: opponent FGM in the paint
-- column opp_mid_range_attempts: opponent 2-point FGA beyond 8 ft
-- column opp_mid_range_makes: opponent 2-point FGM beyond 8 ft
-- column opp_three_attempts_pbp: opponent 3PA from play-by-play
-- column opp_three_makes_pbp: opponent 3PM from play-by-play
-- column opp_unknown_zone_attempts: opponent FGA of unknown zone
-- column points_in_paint_allowed: 2 x opponent paint makes [points]
-- column mid_range_points_allowed: 2 x opponent mid-range makes [points]
-- column three_pt_points_allowed: 3 x opponent 3PM (box score) [points]
-- column blocks_paint: the defender's blocks of paint shots
-- column blocks_mid_range: the defender's blocks of mid-range shots
-- column blocks_three_pt: the defender's blocks of threes
-- column shot_zones_available: did play-by-play have this game's shots?
-- column shot_zones_source: the play-by-play source of the zones
-- column primary_source_used: the opponent row's box-score source
-- column quality_tier: gold or silver, as the offence row
-- column quality_score: as the offence row
-- column data_hash: first 16 hex chars of sha256 over the analytic columns (values joined by '|', NULL as 'NULL', fixed order; doubles as fixed six-decimal text (DECIMAL(18,6)), the same text in DuckDB and Spark)
--
-- "Flip the perspective": the opponent's row of team_offense_game_summary is this team's
-- defence, so both tables share one source choice and one zone rule.

WITH
offense AS (
    SELECT *
    FROM nba_analytics.team_offense_game_summary
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
),

summary AS (
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
)

SELECT
    *,
    -- The row hash over every analytic column in output order, joined by '|' with concat:
    -- each value is coalesced to 'NULL' but those of the not_null check.
    substr(sha256(concat(
        game_id, '|', CAST(game_date AS VARCHAR), '|',
        coalesce(CAST(season_year AS VARCHAR), 'NULL'), '|', defending_team_abbr, '|',
        opponent_team_abbr, '|', coalesce(CAST(home_game AS VARCHAR), 'NULL'), '|',
        CAST(points_allowed AS VARCHAR), '|', coalesce(CAST(opp_fg_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_fg_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_three_pt_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_three_pt_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_ft_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_ft_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_offensive_rebounds AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_rebounds AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_assists AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(turnovers_forced AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(fouls_committed AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(steals AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(blocks AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(defensive_rebounds AS VARCHAR), 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(opp_possessions) }}, 'NULL'), '|',
        {{ HASH_TEXT_DOUBLE(defensive_rating) }}, '|',
        coalesce({{ HASH_TEXT_DOUBLE(opponent_pace) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(opponent_ts_pct) }}, 'NULL'), '|',
        coalesce(CAST(win_flag AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(margin_of_victory AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(overtime_periods AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_paint_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_paint_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_mid_range_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_mid_range_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_three_attempts_pbp AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_three_makes_pbp AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opp_unknown_zone_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(points_in_paint_allowed AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(mid_range_points_allowed AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(three_pt_points_allowed AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(blocks_paint AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(blocks_mid_range AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(blocks_three_pt AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(shot_zones_available AS VARCHAR), 'NULL'), '|',
        coalesce(shot_zones_source, 'NULL'), '|', coalesce(primary_source_used, 'NULL'), '|',
        coalesce(quality_tier, 'NULL'), '|', coalesce(CAST(quality_score AS VARCHAR), 'NULL')
    )), 1, 16) AS data_hash
FROM summary
