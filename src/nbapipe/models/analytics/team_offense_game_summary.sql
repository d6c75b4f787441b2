-- name: nba_analytics.team_offense_game_summary
-- description: A team's offensive line for one game: box score, possessions, offensive rating, pace per 48 on actual minutes, shooting efficiency, result, and shot zones from play-by-play.
-- grain: one row per team per game date
-- key: game_date, team_abbr
-- date_column: game_date
-- upstream: nba_raw.schedule (optional), nba_raw.team_boxscores (critical), nba_raw.player_boxscores (optional), nba_raw.play_by_play (optional)
-- team_games: team_abbr
-- lookback: 0 days
-- check: unique_key
-- check: not_null(game_id, team_abbr, opponent_team_abbr, points_scored, possessions, data_hash)
-- check: expr(points_scored = 2 * (fg_makes - three_pt_makes) + 3 * three_pt_makes + ft_makes) warn
-- check: expr(team_paint_attempts + team_mid_range_attempts + team_three_attempts_pbp + team_unknown_zone_attempts = fg_attempts OR NOT shot_zones_available) warn
-- check: range(pace, 75, 130) warn
-- check: range(offensive_rating, 50, 180) warn
-- check: range(points_scored, 50, 200) warn
--
-- column game_id: NBA.com game id
-- column game_date: game date (US/Eastern)
-- column season_year: season start year (2024 = 2024-25)
-- column team_abbr: the team whose offence this row describes
-- column opponent_team_abbr: the other team
-- column home_game: did the team play at home?
-- column points_scored: points [points]
-- column fg_makes: field goals made (FGM)
-- column fg_attempts: field goals attempted (FGA)
-- column three_pt_makes: three-pointers made (3PM)
-- column three_pt_attempts: three-pointers attempted (3PA)
-- column ft_makes: free throws made (FTM)
-- column ft_attempts: free throws attempted (FTA)
-- column offensive_rebounds: OREB
-- column defensive_rebounds: DREB
-- column total_rebounds: REB
-- column assists: AST
-- column steals: STL
-- column blocks: BLK (the team's own blocks)
-- column turnovers: TOV
-- column personal_fouls: PF
-- column team_minutes: player-minutes of the team: 240 + 25 per overtime period [minutes]
-- column overtime_periods: overtime periods, from the schedule's periods (never below 0), else from the box score's minutes
-- column possessions: FGA + 0.44 x FTA + TOV - OREB, 1 decimal [possessions]
-- column offensive_rating: 100 x points / possessions [points per 100 possessions]
-- column pace: possessions x 48 / (team_minutes / 5): possessions per 48 minutes on actual minutes (legacy used 240 for overtime games too) [possessions]
-- column ts_pct: points / (2 x (FGA + 0.44 x FTA)) [fraction]
-- column efg_pct: (FGM + 0.5 x 3PM) / FGA [fraction]
-- column opponent_points: the opponent's points [points]
-- column win_flag: points > opponent points
-- column margin_of_victory: points - opponent points [points]
-- column team_paint_attempts: FGA in the paint (<= 8 ft) from play-by-play, NULL without play-by-play
-- column team_paint_makes: FGM in the paint
-- column team_mid_range_attempts: 2-point FGA beyond 8 ft
-- column team_mid_range_makes: 2-point FGM beyond 8 ft
-- column team_three_attempts_pbp: 3PA counted from play-by-play
-- column team_three_makes_pbp: 3PM counted from play-by-play
-- column team_unknown_zone_attempts: FGA with no distance and no source zone (paint + mid + three + unknown = FGA)
-- column points_in_paint_scored: 2 x paint makes [points]
-- column blocks_paint: the team's blocks of opponent shots in the paint (play-by-play; NULL when the source has no blockers, e.g. shot charts)
-- column blocks_mid_range: the team's blocks of opponent mid-range shots
-- column blocks_three_pt: the team's blocks of opponent threes
-- column shot_zones_available: did any play-by-play source have this game's shots?
-- column shot_zones_source: the play-by-play source the zones came from
-- column primary_source_used: box-score source and kind: <source>:team_boxscore or <source>:rebuilt_from_players
-- column quality_tier: gold (team box score) or silver (rebuilt from player rows)
-- column quality_score: 100 gold / 85 silver, minus 5 without shot zones
-- column data_hash: first 16 hex chars of sha256 over the analytic columns (values joined by '|', NULL as 'NULL', fixed order; doubles as fixed six-decimal text (DECIMAL(18,6)), the same text in DuckDB and Spark)
--
-- Team box scores come from nba_raw.team_boxscores (best source per game); a team-game that
-- only has player rows is rebuilt from the sum of its active players (tier silver).
-- Shot zones use the one rule of nbapipe.vocab.shot_zone_sql on the best play-by-play source
-- of the game. Fixes of legacy bugs: see docs/models.md.

WITH
scheduled_games AS (
    SELECT game_id, game_date, home_team_abbr, away_team_abbr, periods
    FROM nba_raw.schedule
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    QUALIFY row_number() OVER (
        PARTITION BY game_id ORDER BY game_status DESC, source
    ) = 1
),

team_box_rows AS (
    SELECT
        game_id, game_date, season_year, team_abbr, opponent_team_abbr, is_home, minutes,
        points, field_goals_made, field_goals_attempted, three_pointers_made,
        three_pointers_attempted, free_throws_made, free_throws_attempted, offensive_rebounds,
        defensive_rebounds, total_rebounds, assists, steals, blocks, turnovers, personal_fouls,
        source, 'team_boxscore' AS source_kind, 1 AS kind_priority
    FROM nba_raw.team_boxscores
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
      AND field_goals_attempted > 0
),

rebuilt_from_players AS (
    SELECT
        game_id, min(game_date) AS game_date, min(season_year) AS season_year, team_abbr,
        min(opponent_team_abbr) AS opponent_team_abbr,
        bool_or(team_abbr = home_team_abbr) AS is_home,
        sum(minutes) AS minutes,
        CAST(sum(points) AS INTEGER) AS points, CAST(sum(field_goals_made) AS INTEGER) AS field_goals_made,
        CAST(sum(field_goals_attempted) AS INTEGER) AS field_goals_attempted,
        CAST(sum(three_pointers_made) AS INTEGER) AS three_pointers_made,
        CAST(sum(three_pointers_attempted) AS INTEGER) AS three_pointers_attempted,
        CAST(sum(free_throws_made) AS INTEGER) AS free_throws_made,
        CAST(sum(free_throws_attempted) AS INTEGER) AS free_throws_attempted,
        CAST(sum(offensive_rebounds) AS INTEGER) AS offensive_rebounds,
        CAST(sum(defensive_rebounds) AS INTEGER) AS defensive_rebounds, CAST(sum(total_rebounds) AS INTEGER) AS total_rebounds,
        CAST(sum(assists) AS INTEGER) AS assists, CAST(sum(steals) AS INTEGER) AS steals, CAST(sum(blocks) AS INTEGER) AS blocks,
        CAST(sum(turnovers) AS INTEGER) AS turnovers, CAST(sum(personal_fouls) AS INTEGER) AS personal_fouls,
        source, 'rebuilt_from_players' AS source_kind, 2 AS kind_priority
    FROM nba_raw.player_boxscores
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
      AND player_status = 'active'
    GROUP BY game_id, team_abbr, source
    -- Only a complete set of player rows rebuilds a team: their minutes must cover a game
    -- (a game-log export that lists a few players would give far too small team totals).
    HAVING count(*) >= 5 AND sum(field_goals_attempted) > 0
       AND sum(minutes) >= {{ TEAM_REGULATION_MINUTES }} - {{ TEAM_OVERTIME_MINUTES }}
),

best_team_box AS (
    SELECT *
    FROM (SELECT * FROM team_box_rows UNION ALL SELECT * FROM rebuilt_from_players) AS candidates
    QUALIFY row_number() OVER (
        PARTITION BY game_id, team_abbr
        ORDER BY kind_priority, {{ BOXSCORE_SOURCE_PRIORITY }}, field_goals_attempted DESC
    ) = 1
),

shots AS (
    SELECT
        game_id, team_abbr, source, shot_made, player_2_role,
        {{ SHOT_ZONE }} AS zone
    FROM nba_raw.play_by_play
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
      AND event_type = 'shot'
),

pbp_source_per_game AS (
    SELECT game_id, source, has_secondary_players
    FROM (
        -- Shot charts have no assists or blocks: their blocks by zone stay unknown (NULL).
        SELECT game_id, source, bool_or(player_2_role IS NOT NULL) AS has_secondary_players
        FROM shots GROUP BY game_id, source
    ) AS game_sources
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY {{ PBP_SOURCE_PRIORITY }}) = 1
),

zone_counts AS (
    SELECT
        s.game_id, s.team_abbr, min(s.source) AS zones_source,
        count(*) FILTER (WHERE s.zone = 'paint') AS paint_attempts,
        count(*) FILTER (WHERE s.zone = 'paint' AND s.shot_made) AS paint_makes,
        count(*) FILTER (WHERE s.zone = 'mid_range') AS mid_range_attempts,
        count(*) FILTER (WHERE s.zone = 'mid_range' AND s.shot_made) AS mid_range_makes,
        count(*) FILTER (WHERE s.zone = 'three') AS three_attempts,
        count(*) FILTER (WHERE s.zone = 'three' AND s.shot_made) AS three_makes,
        count(*) FILTER (WHERE s.zone IS NULL) AS unknown_zone_attempts,
        bool_or(p.has_secondary_players) AS has_secondary_players
    FROM shots AS s
    JOIN pbp_source_per_game AS p ON p.game_id = s.game_id AND p.source = s.source
    GROUP BY s.game_id, s.team_abbr
),

-- Blocks this team made, by the zone of the blocked shot (the shooter is the opponent).
blocks_by_zone AS (
    SELECT
        s.game_id, s.team_abbr AS shooting_team_abbr,
        count(*) FILTER (WHERE s.zone = 'paint') AS blocks_paint,
        count(*) FILTER (WHERE s.zone = 'mid_range') AS blocks_mid_range,
        count(*) FILTER (WHERE s.zone = 'three') AS blocks_three_pt,
        count(*) AS blocks_pbp
    FROM shots AS s
    JOIN pbp_source_per_game AS p ON p.game_id = s.game_id AND p.source = s.source
    WHERE s.player_2_role = 'block'
    GROUP BY s.game_id, s.team_abbr
),

team_games AS (
    SELECT
        b.*,
        opp.points AS opponent_points,
        g.periods AS scheduled_periods,
        CAST(b.field_goals_attempted + {{ FT_TRIP_FACTOR }} * b.free_throws_attempted
            + b.turnovers - b.offensive_rebounds AS DOUBLE) AS raw_possessions
    FROM best_team_box AS b
    LEFT JOIN best_team_box AS opp
        ON opp.game_id = b.game_id AND opp.team_abbr <> b.team_abbr
    LEFT JOIN scheduled_games AS g ON g.game_id = b.game_id
),

with_minutes AS (
    SELECT
        t.*,
        -- Overtime from the schedule when it says, else from the team's player-minutes.
        coalesce(
            CASE WHEN t.scheduled_periods IS NOT NULL THEN greatest(t.scheduled_periods - 4, 0) END,
            greatest(CAST(round((coalesce(t.minutes, {{ TEAM_REGULATION_MINUTES }})
                - {{ TEAM_REGULATION_MINUTES }}) / {{ TEAM_OVERTIME_MINUTES }}) AS INTEGER), 0)
        ) AS overtime_periods
    FROM team_games AS t
),

summary AS (
    SELECT
        w.game_id,
        w.game_date,
        w.season_year,
        w.team_abbr,
        w.opponent_team_abbr,
        w.is_home AS home_game,
        w.points AS points_scored,
        w.field_goals_made AS fg_makes,
        w.field_goals_attempted AS fg_attempts,
        w.three_pointers_made AS three_pt_makes,
        w.three_pointers_attempted AS three_pt_attempts,
        w.free_throws_made AS ft_makes,
        w.free_throws_attempted AS ft_attempts,
        w.offensive_rebounds,
        w.defensive_rebounds,
        w.total_rebounds,
        w.assists,
        w.steals,
        w.blocks,
        w.turnovers,
        w.personal_fouls,
        {{ TEAM_REGULATION_MINUTES }} + {{ TEAM_OVERTIME_MINUTES }} * w.overtime_periods
            AS team_minutes,
        w.overtime_periods,
        round(w.raw_possessions, 1) AS possessions,
        round(100.0 * w.points / nullif(w.raw_possessions, 0), 2) AS offensive_rating,
        round(
            w.raw_possessions * {{ REGULATION_MINUTES }}
            / (({{ TEAM_REGULATION_MINUTES }} + {{ TEAM_OVERTIME_MINUTES }} * w.overtime_periods)
               / {{ PLAYERS_ON_COURT }}), 1
        ) AS pace,
        round(w.points / nullif(2 * (w.field_goals_attempted
            + {{ FT_TRIP_FACTOR }} * w.free_throws_attempted), 0), 3) AS ts_pct,
        round((w.field_goals_made + 0.5 * w.three_pointers_made)
            / nullif(w.field_goals_attempted, 0), 3) AS efg_pct,
        w.opponent_points,
        w.points > w.opponent_points AS win_flag,
        CAST(w.points - w.opponent_points AS INTEGER) AS margin_of_victory,
        z.paint_attempts AS team_paint_attempts,
        z.paint_makes AS team_paint_makes,
        z.mid_range_attempts AS team_mid_range_attempts,
        z.mid_range_makes AS team_mid_range_makes,
        z.three_attempts AS team_three_attempts_pbp,
        z.three_makes AS team_three_makes_pbp,
        z.unknown_zone_attempts AS team_unknown_zone_attempts,
        CAST(2 * z.paint_makes AS INTEGER) AS points_in_paint_scored,
        CASE WHEN z.has_secondary_players THEN coalesce(k.blocks_paint, 0) END AS blocks_paint,
        CASE WHEN z.has_secondary_players THEN coalesce(k.blocks_mid_range, 0) END
            AS blocks_mid_range,
        CASE WHEN z.has_secondary_players THEN coalesce(k.blocks_three_pt, 0) END
            AS blocks_three_pt,
        z.game_id IS NOT NULL AS shot_zones_available,
        z.zones_source AS shot_zones_source,
        w.source || ':' || w.source_kind AS primary_source_used,
        CASE WHEN w.source_kind = 'team_boxscore' THEN 'gold' ELSE 'silver' END AS quality_tier,
        CASE WHEN w.source_kind = 'team_boxscore' THEN 100 ELSE 85 END
            - CASE WHEN z.game_id IS NULL THEN 5 ELSE 0 END AS quality_score
    FROM with_minutes AS w
    LEFT JOIN zone_counts AS z ON z.game_id = w.game_id AND z.team_abbr = w.team_abbr
    LEFT JOIN blocks_by_zone AS k
        ON k.game_id = w.game_id AND k.shooting_team_abbr = w.opponent_team_abbr
)

SELECT
    *,
    -- The row hash over every analytic column in output order, joined by '|' with concat:
    -- each value is coalesced to 'NULL' but those of the not_null check.
    substr(sha256(concat(
        game_id, '|', CAST(game_date AS VARCHAR), '|',
        coalesce(CAST(season_year AS VARCHAR), 'NULL'), '|', team_abbr, '|',
        opponent_team_abbr, '|', coalesce(CAST(home_game AS VARCHAR), 'NULL'), '|',
        CAST(points_scored AS VARCHAR), '|', coalesce(CAST(fg_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(fg_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(three_pt_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(three_pt_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(ft_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(ft_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(offensive_rebounds AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(defensive_rebounds AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(total_rebounds AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(assists AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(steals AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(blocks AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(turnovers AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(personal_fouls AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(team_minutes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(overtime_periods AS VARCHAR), 'NULL'), '|',
        {{ HASH_TEXT_DOUBLE(possessions) }}, '|',
        coalesce({{ HASH_TEXT_DOUBLE(offensive_rating) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(pace) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(ts_pct) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(efg_pct) }}, 'NULL'), '|',
        coalesce(CAST(opponent_points AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(win_flag AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(margin_of_victory AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(team_paint_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(team_paint_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(team_mid_range_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(team_mid_range_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(team_three_attempts_pbp AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(team_three_makes_pbp AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(team_unknown_zone_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(points_in_paint_scored AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(blocks_paint AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(blocks_mid_range AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(blocks_three_pt AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(shot_zones_available AS VARCHAR), 'NULL'), '|',
        coalesce(shot_zones_source, 'NULL'), '|', coalesce(primary_source_used, 'NULL'), '|',
        coalesce(quality_tier, 'NULL'), '|', coalesce(CAST(quality_score AS VARCHAR), 'NULL')
    )), 1, 16) AS data_hash
FROM summary
