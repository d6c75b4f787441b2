-- name: nba_analytics.player_game_summary
-- description: A player's line for one game (spec 4.1), DNP and inactive players included: box score from the best box-score source, shot zones, assisted/unassisted makes, and-ones and blocks by zone from the game's best play-by-play source, efficiency and usage on the team's actual minutes, the pre-game points prop (main line of the preferred bookmaker, opening and latest) graded OVER/UNDER/PUSH, the team's result, quality and a row hash.
-- grain: one row per player per game date (every box-score row: active, DNP and inactive)
-- key: game_date, player_lookup
-- date_column: game_date
-- upstream: nba_raw.player_boxscores (critical), nba_analytics.team_offense_game_summary (critical), nba_raw.play_by_play (optional), nba_analytics.player_prop_lines (optional), nba_raw.schedule (optional)
-- team_games: team_abbr
-- lookback: 0 days
-- check: unique_key
-- check: not_null(game_id, player_lookup, team_abbr, player_status, is_active, is_dnp, primary_source_used, quality_tier, quality_score, data_quality_flag, data_hash)
-- check: expr(player_status IN ('active', 'dnp', 'inactive'))
-- check: expr(is_active OR dnp_reason_category IS NOT NULL)
-- check: expr(usage_rate IS NULL OR (team_stats_available AND NOT team_totals_incomplete AND minutes_played > 0))
-- check: expr(over_under_result IS NULL OR (points_line IS NOT NULL AND points IS NOT NULL))
-- check: expr(points IS NULL OR points = 2 * (fg_makes - three_pt_makes) + 3 * three_pt_makes + ft_makes) warn
-- check: expr(paint_attempts IS NULL OR NOT is_active OR paint_attempts + mid_range_attempts + three_attempts_pbp + unknown_zone_attempts = fg_attempts) warn
-- check: expr(usage_rate IS NULL OR minutes_played < 10 OR usage_rate BETWEEN 0 AND 90) warn
-- check: range(efg_pct, 0, 1.5)
-- check: share(CASE WHEN is_active THEN minutes_played IS NOT NULL END, 0.9)
-- check: share(CASE WHEN is_active AND minutes_played > 0 AND team_stats_available AND NOT team_totals_incomplete THEN usage_rate IS NOT NULL END, 0.5)
-- check: share(CASE WHEN is_active THEN team_stats_available END, 0.8) warn
--
-- column game_id: NBA.com game id
-- column game_date: game date (US/Eastern)
-- column season_year: season start year (2024 = 2024-25)
-- column season_type: Regular Season, Playoffs, ... from the schedule (NULL without a schedule row)
-- column player_lookup: normalised player name
-- column universal_player_id: registry id, from the box score
-- column player_name: display name as the box-score source wrote it
-- column team_abbr: the player's team in this game
-- column opponent_team_abbr: the other team
-- column home_game: did the player's team play at home?
-- column player_status: active, dnp or inactive
-- column is_active: player_status = 'active'
-- column is_dnp: dnp or inactive, or active with 0 minutes
-- column dnp_reason: the source's reason for a dnp/inactive row (NULL for active rows)
-- column dnp_reason_category: keyword bucket of dnp_reason, case-insensitive, first match in this order: injury, rest, personal, coach_decision, else other (spec 4.1); NULL for active rows
-- column starter_flag: in the starting five, from the box score's starter column; NULL when the source does not say (legacy guessed minutes > 20, spec 9.19)
-- column minutes_played: minutes as a decimal, 1 decimal (34.5 = 34:30) [minutes]
-- column points: PTS [points]
-- column fg_makes: FGM
-- column fg_attempts: FGA
-- column three_pt_makes: 3PM (box score)
-- column three_pt_attempts: 3PA (box score)
-- column ft_makes: FTM
-- column ft_attempts: FTA
-- column offensive_rebounds: OREB
-- column defensive_rebounds: DREB
-- column total_rebounds: REB
-- column assists: AST
-- column steals: STL
-- column blocks: BLK
-- column turnovers: TOV
-- column personal_fouls: PF
-- column plus_minus: point margin while on court [points]
-- column paint_attempts: FGA in the paint (vocab zone rule) from the game's play-by-play; 0 for an active player without shots; NULL without play-by-play or for dnp/inactive rows
-- column paint_makes: FGM in the paint
-- column mid_range_attempts: 2-point FGA outside the paint
-- column mid_range_makes: 2-point FGM outside the paint
-- column three_attempts_pbp: 3PA counted from play-by-play
-- column three_makes_pbp: 3PM counted from play-by-play
-- column unknown_zone_attempts: FGA with neither a distance nor a source zone (paint + mid + three + unknown = FGA when the play-by-play covers the player)
-- column has_complete_shot_zones: zones present, every shot zoned (unknown = 0) and the play-by-play's attempts and makes equal the box score's FGA and FGM
-- column assisted_fg_makes: made shots with player_2_role 'assist'; NULL when the game's play-by-play has no secondary players (shot-chart data)
-- column unassisted_fg_makes: made shots whose player_2_role is NULL or not assist/block; NULL without secondary players
-- column and1_count: free-throw events 'free throw 1/1' of the player (a lone free throw: made basket plus foul); NULL without free-throw events
-- column paint_blocks: shots in the paint the player blocked (credited to the blocker, player_2 with role 'block'); NULL without secondary players
-- column mid_range_blocks: mid-range shots the player blocked
-- column three_pt_blocks: threes the player blocked
-- column efg_pct: (FGM + 0.5 x 3PM) / FGA, 3 decimals, when FGA > 0 [fraction]
-- column ts_pct: PTS / (2 x (FGA + 0.44 x FTA)), 3 decimals, when FGA + FTA > 0 [fraction]
-- column usage_rate: 100 x (FGA + 0.44 x FTA + TOV) x (team_minutes / 5) / (minutes x (TmFGA + 0.44 x TmFTA + TmTOV)) on the unrounded box-score minutes, 1 decimal; team minutes include overtime (legacy used 48, spec 9.18); NULL without the team's row, with incomplete team totals, or without minutes [%]
-- column team_minutes: the team's player-minutes (240 + 25 per overtime period) from team_offense_game_summary [minutes]
-- column team_stats_available: does team_offense_game_summary have the player's team-game?
-- column team_totals_incomplete: the team row was rebuilt from player rows that list fewer player-minutes than the team played minus 25 (one overtime period): its totals miss players, so usage is NULL
-- column points_line: latest pre-game main points line of the chosen bookmaker [points]
-- column opening_line: earliest pre-game main line of the same bookmaker [points]
-- column line_movement: points_line - opening_line [points]
-- column points_line_source: the bookmaker of points_line: DraftKings, FanDuel, then others A..Z among books with a pre-game line
-- column points_line_snapshot_at: when the latest pre-game line was captured, UTC
-- column lines_book_count: bookmakers with a pre-game points line for the player-game
-- column over_under_result: OVER (points > line), UNDER (points < line), PUSH (equal; legacy counted a push as OVER, spec 9.2); NULL without line or points
-- column margin: points - points_line, 2 decimals [points]
-- column win_flag: did the player's team win? from team_offense_game_summary (legacy always FALSE, spec 9.1)
-- column team_margin: the team's points minus the opponent's [points]
-- column primary_source_used: the box-score source of the row
-- column source_boxscore: the box-score source name
-- column source_pbp: the play-by-play source of the game's zones (NULL without play-by-play)
-- column source_props: the prop source and bookmaker of points_line, source:bookmaker (NULL without a line)
-- column box_lists_non_playing: does the box-score source list the game's DNP/inactive players (a full box score rather than a game log)?
-- column quality_tier: gold = full box score (with DNP/inactive rows) and shot zones; else silver
-- column quality_score: 100 for a full box score, 85 for a game log (active players only), minus 5 without plus-minus on an active row, minus 5 without shot zones for the game
-- column data_quality_flag: complete; partial_no_team_stats (no team row, usage NULL); partial_incomplete_team_stats (team totals rebuilt from too few players, usage NULL); partial_zones_mismatch (active row whose play-by-play shots do not add up to the box score)
-- column is_production_ready: quality_score >= 50 and usable team totals (flag complete or partial_zones_mismatch)
-- column data_hash: first 16 hex chars of sha256 over the analytic columns (values joined by '|', NULL as 'NULL', fixed order; doubles as fixed six-decimal text (DECIMAL(18,6)), the same text in DuckDB and Spark)
--
-- Play-by-play players are matched to box-score rows by NBA.com person id when both sides
-- have it, else by player_lookup (shot-chart names such as "Jimmy Butler III" normalise
-- differently from the game logs' "Jimmy Butler").
-- Legacy fixes: 9.1 win_flag from the team result (was always FALSE); 9.2 a push is PUSH (was
-- OVER); 9.3 props ordered by snapshot, pre-game only, opening line and movement filled, the
-- main rung of a ladder; 9.10 zones from whichever play-by-play source has the game (the
-- NBA.com fallback never matched); 9.12 one zone rule with an explicit unknown zone; 9.18
-- usage on actual team minutes; 9.19 starter from the box score, not minutes > 20; 11.2 usage
-- only with whole team totals (never the 1,228% of a missing or partial team row).

WITH
-- Not materialized: each reader scans only its columns (the wide rows are read once, below).
box_candidates AS NOT MATERIALIZED (
    SELECT
        game_id, game_date, season_year, home_team_abbr, away_team_abbr, team_abbr,
        opponent_team_abbr, player_lookup, player_name, nba_player_id, universal_player_id,
        player_status, dnp_reason, starter, minutes, points, field_goals_made,
        field_goals_attempted, three_pointers_made, three_pointers_attempted, free_throws_made,
        free_throws_attempted, offensive_rebounds, defensive_rebounds, total_rebounds, assists,
        steals, blocks, turnovers, personal_fouls, plus_minus, source
    FROM nba_raw.player_boxscores
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
),

-- Does a source list the game's non-playing players (full box score) or only who played?
box_source_games AS (
    SELECT game_id, source, bool_or(player_status <> 'active') AS lists_non_playing
    FROM box_candidates
    GROUP BY game_id, source
),

-- Props: each book's pre-game lines come from player_prop_lines (pre-game snapshots, main
-- line of a ladder, opening and current); the book by priority.
chosen_lines AS (
    SELECT
        game_id, player_lookup,
        arg_min(
            {'source': source, 'bookmaker': bookmaker, 'points_line': current_line,
             'snapshot_timestamp': current_snapshot_at, 'opening_line': opening_line},
            {'book_priority': book_priority, 'bookmaker': bookmaker}
        ) AS line,
        CAST(count(*) AS INTEGER) AS lines_book_count
    FROM nba_analytics.player_prop_lines
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    GROUP BY game_id, player_lookup
),

-- Best source per (game_id, player); then one game per player and date (a data error
-- otherwise): the row where he played, the most minutes, the lowest game id. Chosen on the
-- narrow key columns; the chosen box-score row is joined back by the raw key (source,
-- game_id, player_lookup) in enriched. The source order is one struct (priority, then name;
-- a NULL name last, as in a two-key ORDER BY): DuckDB then picks the row with an aggregate
-- instead of sorting every partition.
best_box AS (
    SELECT
        game_id, game_date, team_abbr, player_lookup, nba_player_id, player_status, minutes,
        source
    FROM box_candidates
    QUALIFY row_number() OVER (
        PARTITION BY game_id, player_lookup
        ORDER BY {'priority': {{ BOXSCORE_SOURCE_PRIORITY }}, 'source': source}
    ) = 1
),

-- With the chosen line (joined to the narrow rows: cheaper than to the wide ones).
player_games AS (
    SELECT k.*, cl.line, cl.lines_book_count
    FROM (
        SELECT *
        FROM best_box
        QUALIFY row_number() OVER (
            PARTITION BY game_date, player_lookup
            ORDER BY CASE WHEN player_status = 'active' THEN 0 ELSE 1 END,
                minutes DESC NULLS LAST, game_id
        ) = 1
    ) AS k
    LEFT JOIN chosen_lines AS cl ON cl.game_id = k.game_id AND cl.player_lookup = k.player_lookup
),

scheduled_games AS (
    SELECT game_id, season_type, home_team_abbr, away_team_abbr
    FROM nba_raw.schedule
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY game_status DESC, source) = 1
),

team_totals AS (
    SELECT
        game_id, team_abbr, fg_attempts AS team_fg_attempts, ft_attempts AS team_ft_attempts,
        turnovers AS team_turnovers, team_minutes, win_flag, margin_of_victory,
        primary_source_used LIKE '%:rebuilt_from_players' AS rebuilt_from_players
    FROM nba_analytics.team_offense_game_summary
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
),

-- Player-minutes the box score lists per team-game: totals rebuilt from player rows are only
-- whole when the rows cover the team's minutes (a game log missing players does not).
listed_team_minutes AS (
    SELECT game_id, team_abbr, sum(minutes) AS listed_minutes
    FROM player_games
    WHERE player_status = 'active'
    GROUP BY game_id, team_abbr
),

-- Play-by-play: per game the preferred source that has shots (the choice of
-- team_offense_game_summary); a source with free-throw events is full play-by-play (secondary
-- players, free throws), shot-chart data is not. Not materialized: its two readers each scan
-- only what they need (the shooters' counts, the blocks).
pbp_events AS NOT MATERIALIZED (
    SELECT
        game_id, source, event_type, event_subtype, shot_made, player_1_id, player_1_lookup,
        player_2_id, player_2_lookup, player_2_role,
        {{ SHOT_ZONE }} AS zone
    FROM nba_raw.play_by_play
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
      AND event_type IN ('shot', 'free throw')
),

-- Counts per game, source and shooter as the source names him: counted once here, then
-- summed per resolved player (far fewer rows to resolve than one per event).
shooter_counts AS (
    SELECT
        game_id, source, player_1_id, player_1_lookup,
        sum(CASE WHEN event_type = 'shot' THEN 1 ELSE 0 END) AS shot_attempts,
        sum(CASE WHEN event_type = 'shot' AND shot_made THEN 1 ELSE 0 END) AS shot_makes,
        sum(CASE WHEN event_type = 'shot' AND zone = 'paint' THEN 1 ELSE 0 END)
            AS paint_attempts,
        sum(CASE WHEN event_type = 'shot' AND zone = 'paint' AND shot_made THEN 1 ELSE 0 END)
            AS paint_makes,
        sum(CASE WHEN event_type = 'shot' AND zone = 'mid_range' THEN 1 ELSE 0 END)
            AS mid_range_attempts,
        sum(CASE WHEN event_type = 'shot' AND zone = 'mid_range' AND shot_made THEN 1 ELSE 0 END)
            AS mid_range_makes,
        sum(CASE WHEN event_type = 'shot' AND zone = 'three' THEN 1 ELSE 0 END)
            AS three_attempts,
        sum(CASE WHEN event_type = 'shot' AND zone = 'three' AND shot_made THEN 1 ELSE 0 END)
            AS three_makes,
        sum(CASE WHEN event_type = 'shot' AND zone IS NULL THEN 1 ELSE 0 END)
            AS unknown_zone_attempts,
        sum(CASE WHEN event_type = 'shot' AND shot_made AND player_2_role = 'assist'
                 THEN 1 ELSE 0 END) AS assisted_makes,
        sum(CASE WHEN event_type = 'shot' AND shot_made
                  AND (player_2_role IS NULL OR player_2_role NOT IN ('assist', 'block'))
                 THEN 1 ELSE 0 END) AS unassisted_makes,
        sum(CASE WHEN event_type = 'free throw' AND event_subtype = 'free throw 1/1'
                 THEN 1 ELSE 0 END) AS and1_count,
        sum(CASE WHEN event_type = 'free throw' THEN 1 ELSE 0 END) AS free_throws
    FROM pbp_events
    GROUP BY game_id, source, player_1_id, player_1_lookup
),

-- The game's source: the preferred one with shots; full play-by-play if it has free throws.
pbp_games AS (
    SELECT game_id, source, sum(free_throws) > 0 AS has_event_detail
    FROM shooter_counts
    GROUP BY game_id, source
    HAVING sum(shot_attempts) > 0
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY {{ PBP_SOURCE_PRIORITY }}) = 1
),

box_player_ids AS (
    SELECT game_id, nba_player_id, player_lookup
    FROM best_box
    WHERE nba_player_id IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY game_id, nba_player_id ORDER BY player_lookup) = 1
),

-- The chosen source's shooters resolved to box-score lookups.
player_shots AS (
    SELECT
        c.game_id, coalesce(b.player_lookup, c.player_1_lookup) AS player_lookup,
        sum(c.shot_attempts) AS shot_attempts, sum(c.shot_makes) AS shot_makes,
        sum(c.paint_attempts) AS paint_attempts, sum(c.paint_makes) AS paint_makes,
        sum(c.mid_range_attempts) AS mid_range_attempts,
        sum(c.mid_range_makes) AS mid_range_makes,
        sum(c.three_attempts) AS three_attempts, sum(c.three_makes) AS three_makes,
        sum(c.unknown_zone_attempts) AS unknown_zone_attempts,
        sum(c.assisted_makes) AS assisted_makes, sum(c.unassisted_makes) AS unassisted_makes,
        sum(c.and1_count) AS and1_count
    FROM shooter_counts AS c
    JOIN pbp_games AS p ON p.game_id = c.game_id AND p.source = c.source
    LEFT JOIN box_player_ids AS b
      ON b.game_id = c.game_id AND b.nba_player_id = c.player_1_id
    WHERE coalesce(b.player_lookup, c.player_1_lookup) IS NOT NULL
    GROUP BY c.game_id, coalesce(b.player_lookup, c.player_1_lookup)
),

-- Blocked shots, by the zone of the shot, credited to the blocker.
player_blocks AS (
    SELECT
        e.game_id, coalesce(b.player_lookup, e.player_2_lookup) AS player_lookup,
        count(*) FILTER (WHERE e.zone = 'paint') AS paint_blocks,
        count(*) FILTER (WHERE e.zone = 'mid_range') AS mid_range_blocks,
        count(*) FILTER (WHERE e.zone = 'three') AS three_pt_blocks
    FROM pbp_events AS e
    JOIN pbp_games AS p ON p.game_id = e.game_id AND p.source = e.source
    LEFT JOIN box_player_ids AS b
      ON b.game_id = e.game_id AND b.nba_player_id = e.player_2_id
    WHERE e.event_type = 'shot' AND e.player_2_role = 'block'
      AND coalesce(b.player_lookup, e.player_2_lookup) IS NOT NULL
    GROUP BY e.game_id, coalesce(b.player_lookup, e.player_2_lookup)
),

enriched AS (
    SELECT
        b.*,
        s.season_type,
        coalesce(b.home_team_abbr, s.home_team_abbr) AS game_home_team_abbr,
        coalesce(b.away_team_abbr, s.away_team_abbr) AS game_away_team_abbr,
        b.player_status = 'active' AS is_active_row,
        g.lists_non_playing,
        t.team_abbr IS NOT NULL AS has_team_row,
        coalesce(t.rebuilt_from_players
            AND coalesce(lm.listed_minutes, 0) < t.team_minutes - {{ TEAM_OVERTIME_MINUTES }},
            FALSE) AS team_totals_incomplete,
        t.team_fg_attempts, t.team_ft_attempts, t.team_turnovers, t.team_minutes,
        t.win_flag AS team_win_flag, t.margin_of_victory AS team_margin_of_victory,
        pg.source AS pbp_source,
        pg.has_event_detail,
        sh.shot_attempts, sh.shot_makes, sh.paint_attempts, sh.paint_makes,
        sh.mid_range_attempts, sh.mid_range_makes, sh.three_attempts, sh.three_makes,
        sh.unknown_zone_attempts, sh.assisted_makes, sh.unassisted_makes, sh.and1_count,
        bl.paint_blocks, bl.mid_range_blocks, bl.three_pt_blocks,
        k.line.source AS props_source, k.line.bookmaker AS props_bookmaker,
        k.line.points_line AS points_line, k.line.opening_line AS opening_line,
        k.line.snapshot_timestamp AS line_snapshot_at, k.lines_book_count,
        lower(b.dnp_reason) AS reason_text
    FROM player_games AS k
    JOIN box_candidates AS b
      ON b.game_id = k.game_id AND b.player_lookup = k.player_lookup AND b.source = k.source
    LEFT JOIN box_source_games AS g ON g.game_id = b.game_id AND g.source = b.source
    LEFT JOIN scheduled_games AS s ON s.game_id = b.game_id
    LEFT JOIN team_totals AS t ON t.game_id = b.game_id AND t.team_abbr = b.team_abbr
    LEFT JOIN listed_team_minutes AS lm
        ON lm.game_id = b.game_id AND lm.team_abbr = b.team_abbr
    LEFT JOIN pbp_games AS pg ON pg.game_id = b.game_id
    LEFT JOIN player_shots AS sh ON sh.game_id = b.game_id AND sh.player_lookup = b.player_lookup
    LEFT JOIN player_blocks AS bl
        ON bl.game_id = b.game_id AND bl.player_lookup = b.player_lookup
),

-- Zones for active players of games with play-by-play (0 when he took no shot); the detail
-- columns only when the source has secondary players and free throws.
zoned AS (
    SELECT
        e.*,
        e.pbp_source IS NOT NULL AND e.is_active_row AS zones_apply,
        e.pbp_source IS NOT NULL AND e.is_active_row AND e.has_event_detail AS detail_applies
    FROM enriched AS e
),

summary AS (
    SELECT
        z.game_id,
        z.game_date,
        z.season_year,
        z.season_type,
        z.player_lookup,
        z.universal_player_id,
        z.player_name,
        z.team_abbr,
        coalesce(
            z.opponent_team_abbr,
            CASE WHEN z.team_abbr = z.game_home_team_abbr THEN z.game_away_team_abbr
                 WHEN z.team_abbr = z.game_away_team_abbr THEN z.game_home_team_abbr END
        ) AS opponent_team_abbr,
        z.team_abbr = z.game_home_team_abbr AS home_game,
        z.player_status,
        z.is_active_row AS is_active,
        z.player_status IN ('dnp', 'inactive')
            OR coalesce(z.is_active_row AND z.minutes = 0, FALSE) AS is_dnp,
        CASE WHEN NOT z.is_active_row THEN z.dnp_reason END AS dnp_reason,
        CASE
            WHEN z.is_active_row THEN NULL
            WHEN z.reason_text LIKE '%injury%' OR z.reason_text LIKE '%illness%'
                OR z.reason_text LIKE '%sprain%' OR z.reason_text LIKE '%strain%'
                OR z.reason_text LIKE '%sore%' OR z.reason_text LIKE '%pain%'
                OR z.reason_text LIKE '%surgery%' OR z.reason_text LIKE '%concussion%'
                OR z.reason_text LIKE '%knee%' OR z.reason_text LIKE '%ankle%'
                OR z.reason_text LIKE '%back%' OR z.reason_text LIKE '%hamstring%'
                OR z.reason_text LIKE '%shoulder%' OR z.reason_text LIKE '%hip%'
                OR z.reason_text LIKE '%foot%' OR z.reason_text LIKE '%calf%'
                OR z.reason_text LIKE '%quad%' OR z.reason_text LIKE '%groin%'
                OR z.reason_text LIKE '%wrist%' OR z.reason_text LIKE '%elbow%'
                THEN 'injury'
            WHEN z.reason_text LIKE '%rest%' OR z.reason_text LIKE '%load management%'
                OR z.reason_text LIKE '%recovery%' OR z.reason_text LIKE '%maintenance%'
                OR z.reason_text LIKE '%precautionary%'
                THEN 'rest'
            WHEN z.reason_text LIKE '%personal%' OR z.reason_text LIKE '%family%'
                OR z.reason_text LIKE '%birth%' OR z.reason_text LIKE '%funeral%'
                OR z.reason_text LIKE '%bereavement%'
                THEN 'personal'
            WHEN z.reason_text LIKE '%coach%' OR z.reason_text LIKE '%decision%'
                OR z.reason_text LIKE '%not with team%' OR z.reason_text LIKE '%suspension%'
                OR z.reason_text LIKE '%team decision%' OR z.reason_text LIKE '%disciplinary%'
                THEN 'coach_decision'
            ELSE 'other'
        END AS dnp_reason_category,
        z.starter AS starter_flag,
        round(z.minutes, 1) AS minutes_played,
        z.minutes AS raw_minutes,
        z.points,
        z.field_goals_made AS fg_makes,
        z.field_goals_attempted AS fg_attempts,
        z.three_pointers_made AS three_pt_makes,
        z.three_pointers_attempted AS three_pt_attempts,
        z.free_throws_made AS ft_makes,
        z.free_throws_attempted AS ft_attempts,
        z.offensive_rebounds,
        z.defensive_rebounds,
        z.total_rebounds,
        z.assists,
        z.steals,
        z.blocks,
        z.turnovers,
        z.personal_fouls,
        z.plus_minus,
        CASE WHEN z.zones_apply THEN CAST(coalesce(z.paint_attempts, 0) AS INTEGER) END
            AS paint_attempts,
        CASE WHEN z.zones_apply THEN CAST(coalesce(z.paint_makes, 0) AS INTEGER) END
            AS paint_makes,
        CASE WHEN z.zones_apply THEN CAST(coalesce(z.mid_range_attempts, 0) AS INTEGER) END
            AS mid_range_attempts,
        CASE WHEN z.zones_apply THEN CAST(coalesce(z.mid_range_makes, 0) AS INTEGER) END
            AS mid_range_makes,
        CASE WHEN z.zones_apply THEN CAST(coalesce(z.three_attempts, 0) AS INTEGER) END
            AS three_attempts_pbp,
        CASE WHEN z.zones_apply THEN CAST(coalesce(z.three_makes, 0) AS INTEGER) END
            AS three_makes_pbp,
        CASE WHEN z.zones_apply THEN CAST(coalesce(z.unknown_zone_attempts, 0) AS INTEGER) END
            AS unknown_zone_attempts,
        coalesce(z.zones_apply
            AND coalesce(z.unknown_zone_attempts, 0) = 0
            AND coalesce(z.shot_attempts, 0) = z.field_goals_attempted
            AND coalesce(z.shot_makes, 0) = z.field_goals_made, FALSE) AS has_complete_shot_zones,
        coalesce(z.zones_apply
            AND (coalesce(z.shot_attempts, 0) <> z.field_goals_attempted
                 OR coalesce(z.shot_makes, 0) <> z.field_goals_made), FALSE) AS zones_mismatch,
        CASE WHEN z.detail_applies THEN CAST(coalesce(z.assisted_makes, 0) AS INTEGER) END
            AS assisted_fg_makes,
        CASE WHEN z.detail_applies THEN CAST(coalesce(z.unassisted_makes, 0) AS INTEGER) END
            AS unassisted_fg_makes,
        CASE WHEN z.detail_applies THEN CAST(coalesce(z.and1_count, 0) AS INTEGER) END
            AS and1_count,
        CASE WHEN z.detail_applies THEN CAST(coalesce(z.paint_blocks, 0) AS INTEGER) END
            AS paint_blocks,
        CASE WHEN z.detail_applies THEN CAST(coalesce(z.mid_range_blocks, 0) AS INTEGER) END
            AS mid_range_blocks,
        CASE WHEN z.detail_applies THEN CAST(coalesce(z.three_pt_blocks, 0) AS INTEGER) END
            AS three_pt_blocks,
        CASE WHEN z.field_goals_attempted > 0 THEN
            round((z.field_goals_made + 0.5 * z.three_pointers_made)
                / z.field_goals_attempted, 3)
        END AS efg_pct,
        CASE WHEN z.field_goals_attempted + z.free_throws_attempted > 0 THEN
            round(z.points / (2 * (z.field_goals_attempted
                + {{ FT_TRIP_FACTOR }} * z.free_throws_attempted)), 3)
        END AS ts_pct,
        CASE WHEN z.has_team_row AND NOT z.team_totals_incomplete AND z.minutes > 0
                AND z.team_fg_attempts + {{ FT_TRIP_FACTOR }} * z.team_ft_attempts
                    + z.team_turnovers > 0 THEN
            round(100.0 * (z.field_goals_attempted
                    + {{ FT_TRIP_FACTOR }} * z.free_throws_attempted + z.turnovers)
                * (z.team_minutes / {{ PLAYERS_ON_COURT }})
                / (z.minutes * (z.team_fg_attempts
                    + {{ FT_TRIP_FACTOR }} * z.team_ft_attempts + z.team_turnovers)), 1)
        END AS usage_rate,
        z.team_minutes,
        z.has_team_row AS team_stats_available,
        z.team_totals_incomplete,
        z.points_line,
        z.opening_line,
        z.points_line - z.opening_line AS line_movement,
        z.props_bookmaker AS points_line_source,
        z.line_snapshot_at AS points_line_snapshot_at,
        coalesce(z.lines_book_count, 0) AS lines_book_count,
        CASE
            WHEN z.points IS NULL OR z.points_line IS NULL THEN NULL
            WHEN z.points > z.points_line THEN 'OVER'
            WHEN z.points < z.points_line THEN 'UNDER'
            ELSE 'PUSH'
        END AS over_under_result,
        round(z.points - z.points_line, 2) AS margin,
        z.team_win_flag AS win_flag,
        z.team_margin_of_victory AS team_margin,
        z.source AS primary_source_used,
        z.source AS source_boxscore,
        z.pbp_source AS source_pbp,
        z.props_source || ':' || z.props_bookmaker AS source_props,
        coalesce(z.lists_non_playing, FALSE) AS box_lists_non_playing
    FROM zoned AS z
),

scored AS (
    SELECT
        s.*,
        CASE WHEN s.box_lists_non_playing AND s.source_pbp IS NOT NULL THEN 'gold'
             ELSE 'silver' END AS quality_tier,
        CASE WHEN s.box_lists_non_playing THEN 100 ELSE 85 END
            - CASE WHEN s.is_active AND s.plus_minus IS NULL THEN 5 ELSE 0 END
            - CASE WHEN s.source_pbp IS NULL THEN 5 ELSE 0 END AS quality_score,
        CASE
            WHEN NOT s.team_stats_available THEN 'partial_no_team_stats'
            WHEN s.team_totals_incomplete THEN 'partial_incomplete_team_stats'
            WHEN s.zones_mismatch THEN 'partial_zones_mismatch'
            ELSE 'complete'
        END AS data_quality_flag
    FROM summary AS s
)

SELECT
    game_id, game_date, season_year, season_type, player_lookup, universal_player_id,
    player_name, team_abbr, opponent_team_abbr, home_game, player_status, is_active, is_dnp,
    dnp_reason, dnp_reason_category, starter_flag, minutes_played, points, fg_makes,
    fg_attempts, three_pt_makes, three_pt_attempts, ft_makes, ft_attempts, offensive_rebounds,
    defensive_rebounds, total_rebounds, assists, steals, blocks, turnovers, personal_fouls,
    plus_minus, paint_attempts, paint_makes, mid_range_attempts, mid_range_makes,
    three_attempts_pbp, three_makes_pbp, unknown_zone_attempts, has_complete_shot_zones,
    assisted_fg_makes, unassisted_fg_makes, and1_count, paint_blocks, mid_range_blocks,
    three_pt_blocks, efg_pct, ts_pct, usage_rate, team_minutes, team_stats_available,
    team_totals_incomplete,
    points_line, opening_line, line_movement, points_line_source, points_line_snapshot_at,
    lines_book_count, over_under_result, margin, win_flag, team_margin, primary_source_used,
    source_boxscore, source_pbp, source_props, box_lists_non_playing, quality_tier,
    quality_score, data_quality_flag,
    quality_score >= 50 AND data_quality_flag IN ('complete', 'partial_zones_mismatch')
        AS is_production_ready,
    -- The values joined by '|' with concat (cheaper than concat_ws): every value is coalesced
    -- or never NULL here (the key, status, box-score source, tier and score).
    substr(sha256(concat(
        game_id, '|', CAST(game_date AS VARCHAR), '|', player_lookup, '|',
        coalesce(universal_player_id, 'NULL'), '|', team_abbr, '|',
        coalesce(opponent_team_abbr, 'NULL'), '|',
        coalesce(CAST(home_game AS VARCHAR), 'NULL'), '|', player_status, '|',
        coalesce(dnp_reason_category, 'NULL'), '|',
        coalesce(CAST(starter_flag AS VARCHAR), 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(minutes_played) }}, 'NULL'), '|',
        coalesce(CAST(points AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(fg_makes AS VARCHAR), 'NULL'), '|',
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
        coalesce(CAST(plus_minus AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(paint_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(paint_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(mid_range_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(mid_range_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(three_attempts_pbp AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(three_makes_pbp AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(unknown_zone_attempts AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(assisted_fg_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(unassisted_fg_makes AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(and1_count AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(paint_blocks AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(mid_range_blocks AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(three_pt_blocks AS VARCHAR), 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(efg_pct) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(ts_pct) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(usage_rate) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(points_line) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(opening_line) }}, 'NULL'), '|',
        coalesce(points_line_source, 'NULL'), '|', coalesce(over_under_result, 'NULL'), '|',
        coalesce(CAST(win_flag AS VARCHAR), 'NULL'), '|', source_boxscore, '|',
        coalesce(source_pbp, 'NULL'), '|', quality_tier, '|', CAST(quality_score AS VARCHAR)
    )), 1, 16) AS data_hash
FROM scored
