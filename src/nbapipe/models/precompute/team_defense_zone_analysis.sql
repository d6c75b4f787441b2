-- name: nba_precompute.team_defense_zone_analysis
-- description: How well each team defends the paint, the mid-range and the three-point line (spec 5.1): opponent FG% by zone, attempts, points and blocks per game over the team's last 15 games before the date, each zone against the league average of the 30 days before the date (percentage points, + = worse defence), defensive rating, opponent points and pace, strongest and weakest zone, sample size and completeness. The first 14 days after the season's real opener, and teams with too few games or too incomplete data, give failure rows (nba_processing.precompute_failures) instead.
-- grain: one row per team per analysis date (every date with scheduled games; every team of the season's regular-season schedule)
-- key: analysis_date, team_abbr
-- date_column: analysis_date
-- upstream: nba_analytics.team_defense_game_summary (critical), nba_raw.schedule (critical)
-- lookback: 15 games
-- check: unique_key
-- check: not_null(team_abbr, season_year, games_in_sample, defensive_rating_last_15, opponent_points_per_game, three_pt_pct_allowed_last_15, completeness_pct, data_quality_tier, data_hash)
-- check: expr(games_in_sample >= min_games_required AND games_in_sample <= 15)
-- check: expr(shot_zone_games <= games_in_sample AND actual_games_count <= expected_games_count)
-- check: expr(is_production_ready)
-- check: range(paint_pct_allowed_last_15, 0, 1)
-- check: range(mid_range_pct_allowed_last_15, 0, 1)
-- check: range(three_pt_pct_allowed_last_15, 0, 1)
-- check: range(completeness_pct, 0, 100)
-- check: range(paint_pct_allowed_last_15, 0.40, 0.75) warn
-- check: range(three_pt_pct_allowed_last_15, 0.25, 0.45) warn
-- check: range(defensive_rating_last_15, 95, 130) warn
-- check: range(opponent_pace, 85, 115) warn
--
-- column analysis_date: the date the analysis is for; only games strictly before it count
-- column team_abbr: the defending team
-- column season_year: season start year
-- column paint_pct_allowed_last_15: opponent paint FGM / FGA over the window's games with shot zones; NULL without paint attempts [fraction]
-- column paint_attempts_allowed_per_game: opponent paint FGA per game with shot zones [attempts per game]
-- column paint_points_allowed_per_game: opponent points in the paint per game with shot zones [points per game]
-- column paint_blocks_per_game: the team's blocks of paint shots per game whose play-by-play records blockers; NULL when no game does (shot-chart-only data) [blocks per game]
-- column paint_defense_vs_league_avg: (paint_pct_allowed_last_15 - league_paint_pct) x 100, unrounded values; + = worse than the league [percentage points]
-- column mid_range_pct_allowed_last_15: opponent mid-range FGM / FGA (2-pointers beyond the paint) [fraction]
-- column mid_range_attempts_allowed_per_game: opponent mid-range FGA per game with shot zones [attempts per game]
-- column mid_range_points_allowed_per_game: opponent mid-range points per game with shot zones [points per game]
-- column mid_range_blocks_per_game: the team's blocks of mid-range shots per game with blockers recorded [blocks per game]
-- column mid_range_defense_vs_league_avg: (mid_range_pct_allowed_last_15 - league_mid_range_pct) x 100 [percentage points]
-- column three_pt_pct_allowed_last_15: opponent 3PM / 3PA from the box scores, every game of the window [fraction]
-- column three_pt_attempts_allowed_per_game: opponent 3PA per game (box score) [attempts per game]
-- column three_pt_points_allowed_per_game: 3 x opponent 3PM per game (box score) [points per game]
-- column three_pt_blocks_per_game: the team's blocks of threes per game with blockers recorded [blocks per game]
-- column three_pt_defense_vs_league_avg: (three_pt_pct_allowed_last_15 - league_three_pt_pct) x 100 [percentage points]
-- column defensive_rating_last_15: mean of the games' defensive ratings [points per 100 possessions]
-- column opponent_points_per_game: points allowed per game [points per game]
-- column opponent_pace: mean of the games' opponent pace, already per 48 minutes on actual minutes (legacy averaged raw possession counts, spec 9.9) [possessions per 48 minutes]
-- column strongest_zone: paint, mid_range or perimeter: the most negative vs-league value (ties: that order); NULL with fewer than two zones known
-- column weakest_zone: paint, mid_range or perimeter: the most positive vs-league value (ties: that order); NULL with fewer than two zones known
-- column league_paint_pct: league paint FG% allowed: over team_defense_game_summary rows of the 30 days before the date (never the date itself; the legacy included it), per team with 10+ games there, then the mean over those teams; 0.580 when fewer than 10 teams qualify [fraction]
-- column league_mid_range_pct: as league_paint_pct for mid-range; default 0.410 [fraction]
-- column league_three_pt_pct: as league_paint_pct for threes (box score); default 0.355 [fraction]
-- column league_teams_in_average: teams with 10+ games in the 30 days before the date [teams]
-- column league_average_is_default: fewer than 10 teams qualified, so the league averages are the defaults
-- column games_in_sample: the team's games in the window: its last 15 games of the season (from the opener, pre-season and All-Star games left out) before the date [games]
-- column shot_zone_games: games of the window whose play-by-play gave shot zones (the paint and mid-range figures use these) [games]
-- column block_zone_games: games of the window whose play-by-play records blockers (the blocks-by-zone figures use these) [games]
-- column window_first_game_date: date of the window's oldest game
-- column window_last_game_date: date of the window's latest game
-- column days_since_opener: days from the season's real opener (first regular-season game in the schedule) to the date [days]
-- column min_games_required: games needed for a row: min(5 + days_since_opener / 3, 14) during the first 21 days after the real opener (legacy anchored to Oct 1, spec 9.8), 15 after [games]
-- column data_quality_tier: high with 15 games, medium with 10 to 14, else low
-- column expected_games_count: the team's last 15 completed schedule games before the date (this season, from the opener) [games]
-- column actual_games_count: of those, the games with a team_defense_game_summary row for the team [games]
-- column missing_games_count: expected_games_count - actual_games_count [games]
-- column completeness_pct: 100 x actual / expected; 100 when nothing was expected [%]
-- column is_production_ready: completeness_pct >= 70 (vocab.PRODUCTION_READY_PCT)
-- column calculation_notes: what limited the figures (no attempts in a zone, zones or blockers missing from some games, league defaults); NULL when nothing did
-- column data_hash: first 16 hex characters of the SHA-256 of the row's analytic columns (values joined by '|', NULL as 'NULL', fixed order; doubles as fixed six-decimal text (DECIMAL(18,6)), the same text in DuckDB and Spark)
--
-- column failure_category: why the team has no row on this date (NULL on rows): EARLY_SEASON, INSUFFICIENT_DATA, INCOMPLETE_DATA; the runner moves failures to nba_processing.precompute_failures
-- column failure_reason: the failure in words
-- column can_retry: may a later run succeed once more data arrives?
-- column expected_game_count: games the schedule says the window should hold [games]
-- column actual_game_count: games found in team_defense_game_summary [games]
--
-- Categories, in order:
--   EARLY_SEASON (can_retry FALSE): the date is before the opener or within its first 14 days
--     (vocab.BOOTSTRAP_DAYS), counted from the real opener (spec 9.8), for every team.
--   INSUFFICIENT_DATA (can_retry TRUE): games_in_sample < min_games_required.
--   INCOMPLETE_DATA (can_retry TRUE): completeness_pct < 70.
-- After the early-season days, a team becomes a row once it has min_games_required games:
-- during days 14..20 that is 9 to 11 games, from day 21 it is the full 15.

WITH
-- Constants of this model (spec 5.1), from nbapipe.vocab.
params AS (
    SELECT
        {{ TDZA_WINDOW_GAMES }} AS window_games,          -- the team's last 15 games
        {{ TDZA_WINDOW_GAMES }} AS full_min_games,        -- needed after the dynamic minimum
        {{ TDZA_DYNAMIC_MIN_BASE }} AS dynamic_min_base,  -- dynamic minimum: min(5 + days / 3,
        {{ DYNAMIC_MIN_DAYS_PER_GAME }} AS dynamic_min_days_per_game,
        {{ TDZA_DYNAMIC_MIN_CAP }} AS dynamic_min_cap,    -- 14) ...
        {{ DYNAMIC_MIN_DAYS }} AS dynamic_min_days,       -- ... for the first 21 days
        {{ TDZA_MEDIUM_TIER_GAMES }} AS medium_tier_games,
        {{ LEAGUE_MIN_TEAM_GAMES }} AS league_min_team_games,
        {{ LEAGUE_MIN_TEAMS }} AS league_min_teams,
        CAST({{ DEFAULT_LEAGUE_PAINT_PCT }} AS DOUBLE) AS default_league_paint_pct,
        CAST({{ DEFAULT_LEAGUE_MID_RANGE_PCT }} AS DOUBLE) AS default_league_mid_range_pct,
        CAST({{ DEFAULT_LEAGUE_THREE_PT_PCT }} AS DOUBLE) AS default_league_three_pt_pct,
        -- Shot-chart data has shots but no blockers: blocks by zone are unknown there.
        {{ SHOTS_ONLY_SOURCE }} AS shots_only_source
),

schedule_games AS (
    SELECT
        game_id, game_date, season_year, home_team_abbr, away_team_abbr,
        coalesce(game_status, 3) AS game_status,
        coalesce(season_type, 'Regular Season') AS season_type
    FROM nba_raw.schedule
    WHERE game_date >= {{ season_start }}
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY source) = 1
),

-- The real opener: the season's first regular-season game date (schedules are known ahead).
openers AS (
    SELECT season_year, min(game_date) AS opener
    FROM schedule_games
    WHERE season_type = 'Regular Season'
    GROUP BY season_year
),

-- Every team of the season's regular-season schedule gets a row (or a failure) every date.
season_teams AS (
    SELECT DISTINCT season_year, home_team_abbr AS team_abbr
    FROM schedule_games WHERE season_type = 'Regular Season'
    UNION
    SELECT DISTINCT season_year, away_team_abbr
    FROM schedule_games WHERE season_type = 'Regular Season'
),

analysis_dates AS (
    SELECT
        d.analysis_date, d.season_year, o.opener,
        CAST(date_diff('day', o.opener, d.analysis_date) AS INTEGER) AS days_since_opener
    FROM (
        SELECT DISTINCT game_date AS analysis_date, season_year
        FROM schedule_games
        WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    ) AS d
    LEFT JOIN openers AS o ON o.season_year = d.season_year
),

team_dates AS (
    SELECT
        d.analysis_date, d.season_year, d.opener, d.days_since_opener, t.team_abbr,
        CAST(CASE
            WHEN d.days_since_opener < p.dynamic_min_days
                THEN least(p.dynamic_min_base + CAST(floor(d.days_since_opener
                    / p.dynamic_min_days_per_game) AS INTEGER), p.dynamic_min_cap)
            ELSE p.full_min_games
        END AS INTEGER) AS min_games_required
    FROM analysis_dates AS d
    JOIN season_teams AS t ON t.season_year = d.season_year
    CROSS JOIN params AS p
),

-- Games that count: this season's, from the opener on, without pre-season or All-Star games.
season_games AS (
    SELECT g.game_id, g.game_date, g.season_year, g.game_status, g.home_team_abbr,
           g.away_team_abbr
    FROM schedule_games AS g
    JOIN openers AS o ON o.season_year = g.season_year
    WHERE g.game_date >= o.opener AND g.game_date < {{ end_date }}
      AND {{ COUNTED_GAME(g.season_type) }}
),

defense_games AS (
    SELECT t.*
    FROM nba_analytics.team_defense_game_summary AS t
    JOIN openers AS o ON o.season_year = t.season_year
    LEFT JOIN schedule_games AS s ON s.game_id = t.game_id
    WHERE t.game_date >= {{ season_start }} AND t.game_date < {{ end_date }}
      AND t.game_date >= o.opener
      AND {{ COUNTED_GAME(s.season_type) }}
),

-- The team's games in order (n = 1 is its first from the opener). Each game is the team's
-- latest one for the dates after it up to and including its next game: its window is theirs.
team_games AS (
    SELECT
        t.*,
        t.shot_zones_available
            AND coalesce(t.shot_zones_source, '') <> p.shots_only_source AS blockers_recorded,
        row_number() OVER team_order AS n,
        lead(t.game_date) OVER team_order AS next_game_date
    FROM defense_games AS t
    CROSS JOIN params AS p
    WINDOW team_order AS (PARTITION BY t.defending_team_abbr, t.season_year ORDER BY t.game_date)
),

-- The sums over the window of the last 15 games that ends at each game, only for the games
-- that are the latest one for a date of the range (one window per team in a daily run): a
-- grouped join over the window's games is cheaper than frame aggregates over every game.
-- (Window sizes here are placeholders, not params columns: a constant bound is applied inside
-- the join instead of after it.)
team_game_windows AS (
    SELECT
        e.defending_team_abbr AS team_abbr, e.season_year, e.game_date, e.next_game_date,
        CAST(count(*) AS INTEGER) AS games,
        CAST(count(CASE WHEN g.shot_zones_available THEN 1 END) AS INTEGER) AS zone_games,
        CAST(count(CASE WHEN g.blockers_recorded THEN 1 END) AS INTEGER) AS block_games,
        min(g.game_date) AS first_game_date,
        e.game_date AS last_game_date,
        CAST(sum(CASE WHEN g.shot_zones_available THEN g.opp_paint_makes END) AS BIGINT)
            AS paint_makes,
        CAST(sum(CASE WHEN g.shot_zones_available THEN g.opp_paint_attempts END) AS BIGINT)
            AS paint_attempts,
        CAST(sum(CASE WHEN g.shot_zones_available THEN g.points_in_paint_allowed END) AS BIGINT)
            AS paint_points,
        CAST(sum(CASE WHEN g.shot_zones_available THEN g.opp_mid_range_makes END) AS BIGINT)
            AS mid_makes,
        CAST(sum(CASE WHEN g.shot_zones_available THEN g.opp_mid_range_attempts END) AS BIGINT)
            AS mid_attempts,
        CAST(sum(CASE WHEN g.shot_zones_available THEN g.mid_range_points_allowed END) AS BIGINT)
            AS mid_points,
        CAST(sum(g.opp_three_pt_makes) AS BIGINT) AS three_makes,
        CAST(sum(g.opp_three_pt_attempts) AS BIGINT) AS three_attempts,
        CAST(sum(g.three_pt_points_allowed) AS BIGINT) AS three_points,
        CAST(sum(CASE WHEN g.blockers_recorded THEN g.blocks_paint END) AS BIGINT)
            AS paint_blocks,
        CAST(sum(CASE WHEN g.blockers_recorded THEN g.blocks_mid_range END) AS BIGINT)
            AS mid_blocks,
        CAST(sum(CASE WHEN g.blockers_recorded THEN g.blocks_three_pt END) AS BIGINT)
            AS three_blocks,
        CAST(sum(g.points_allowed) AS BIGINT) AS points_allowed,
        -- exact sums and counts: the output rounds the exact means (vocab.round_mean)
        sum(CAST(g.defensive_rating AS DECIMAL(12, 4))) AS defensive_rating_sum,
        count(g.defensive_rating) AS defensive_rating_n,
        sum(CAST(g.opponent_pace AS DECIMAL(12, 4))) AS opponent_pace_sum,
        count(g.opponent_pace) AS opponent_pace_n
    FROM team_games AS e
    JOIN team_games AS g
      ON g.defending_team_abbr = e.defending_team_abbr AND g.season_year = e.season_year
     AND g.n > e.n - {{ TDZA_WINDOW_GAMES }} AND g.n <= e.n
    WHERE e.next_game_date IS NULL OR e.next_game_date >= {{ start_date }}
    GROUP BY e.defending_team_abbr, e.season_year, e.game_date, e.next_game_date
),

window_sums AS (
    SELECT
        td.analysis_date, td.team_abbr, w.games, w.zone_games, w.block_games,
        w.first_game_date, w.last_game_date, w.paint_makes, w.paint_attempts, w.paint_points,
        w.mid_makes, w.mid_attempts, w.mid_points, w.three_makes, w.three_attempts,
        w.three_points, w.paint_blocks, w.mid_blocks, w.three_blocks, w.points_allowed,
        w.defensive_rating_sum, w.defensive_rating_n, w.opponent_pace_sum, w.opponent_pace_n
    FROM team_dates AS td
    JOIN team_game_windows AS w
      ON w.team_abbr = td.team_abbr AND w.season_year = td.season_year
     AND w.game_date < td.analysis_date
     AND td.analysis_date <= coalesce(w.next_game_date, DATE '9999-12-31')
),

-- Completeness: the team's last 15 completed schedule games before the date, and how many
-- of them have a team_defense_game_summary row. The team's completed games in order (latest
-- last; on one date, the lower game id counts as the later), with the counts over the window
-- of 15 that ends at a game (a game matched by several summary rows counts once per row, as a
-- join would count it).
schedule_sides AS (
    SELECT game_id, game_date, season_year, home_team_abbr AS team_abbr
    FROM season_games
    WHERE game_status = 3
    UNION ALL
    SELECT game_id, game_date, season_year, away_team_abbr AS team_abbr
    FROM season_games
    WHERE game_status = 3 AND away_team_abbr IS DISTINCT FROM home_team_abbr
),

summary_rows AS (
    SELECT game_id, defending_team_abbr, count(*) AS summary_rows
    FROM defense_games
    GROUP BY game_id, defending_team_abbr
),

schedule_sequence AS (
    SELECT
        s.team_abbr, s.season_year, s.game_date,
        greatest(coalesce(r.summary_rows, 0), 1) AS expected_games,
        coalesce(r.summary_rows, 0) AS actual_games,
        row_number() OVER team_order AS n,
        lead(s.game_date) OVER team_order AS next_game_date
    FROM schedule_sides AS s
    LEFT JOIN summary_rows AS r
      ON r.game_id = s.game_id AND r.defending_team_abbr = s.team_abbr
    WINDOW team_order AS (
        PARTITION BY s.team_abbr, s.season_year ORDER BY s.game_date, s.game_id DESC
    )
),

-- As for the defence windows: only the windows that end at a latest game of a date in range.
schedule_windows AS (
    SELECT
        e.team_abbr, e.season_year, e.game_date, e.next_game_date,
        sum(g.expected_games) AS expected_games,
        sum(g.actual_games) AS actual_games
    FROM schedule_sequence AS e
    JOIN schedule_sequence AS g
      ON g.team_abbr = e.team_abbr AND g.season_year = e.season_year
     AND g.n > e.n - {{ TDZA_WINDOW_GAMES }} AND g.n <= e.n
    WHERE e.next_game_date IS NULL OR e.next_game_date >= {{ start_date }}
    GROUP BY e.team_abbr, e.season_year, e.n, e.game_date, e.next_game_date
),

completeness AS (
    SELECT
        td.analysis_date, td.team_abbr,
        CAST(w.expected_games AS INTEGER) AS expected_games,
        CAST(w.actual_games AS INTEGER) AS actual_games
    FROM team_dates AS td
    JOIN schedule_windows AS w
      ON w.team_abbr = td.team_abbr AND w.season_year = td.season_year
     AND w.game_date < td.analysis_date
     AND td.analysis_date <= coalesce(w.next_game_date, DATE '9999-12-31')
),

-- League averages: each team's zone FG% allowed over the 30 days before the date (teams with
-- 10+ games there), then the mean over teams. Strictly before the date: the legacy window
-- included the date itself, whose games are not played yet when the row is used.
league_team_sums AS (
    SELECT
        d.analysis_date, g.defending_team_abbr,
        count(*) AS games,
        sum(g.opp_paint_makes) FILTER (WHERE g.shot_zones_available) AS paint_makes,
        sum(g.opp_paint_attempts) FILTER (WHERE g.shot_zones_available) AS paint_attempts,
        sum(g.opp_mid_range_makes) FILTER (WHERE g.shot_zones_available) AS mid_makes,
        sum(g.opp_mid_range_attempts) FILTER (WHERE g.shot_zones_available) AS mid_attempts,
        sum(g.opp_three_pt_makes) AS three_makes,
        sum(g.opp_three_pt_attempts) AS three_attempts
    FROM analysis_dates AS d
    JOIN defense_games AS g
      ON g.season_year = d.season_year AND g.game_date < d.analysis_date
     AND g.game_date >= d.analysis_date - {{ LEAGUE_WINDOW_DAYS }}  -- the 30 days before
    GROUP BY d.analysis_date, g.defending_team_abbr
),

league_qualified AS (
    SELECT
        s.analysis_date,
        CAST(s.paint_makes AS DOUBLE) / nullif(s.paint_attempts, 0) AS paint_pct,
        CAST(s.mid_makes AS DOUBLE) / nullif(s.mid_attempts, 0) AS mid_pct,
        CAST(s.three_makes AS DOUBLE) / nullif(s.three_attempts, 0) AS three_pct
    FROM league_team_sums AS s
    CROSS JOIN params AS p
    WHERE s.games >= p.league_min_team_games
),

league_means AS (
    SELECT
        analysis_date,
        count(*) AS teams,
        avg(CAST(paint_pct AS DECIMAL(18, 12))) AS paint_pct,
        avg(CAST(mid_pct AS DECIMAL(18, 12))) AS mid_pct,
        avg(CAST(three_pct AS DECIMAL(18, 12))) AS three_pct
    FROM league_qualified
    GROUP BY analysis_date
),

league AS (
    SELECT
        d.analysis_date,
        CAST(coalesce(m.teams, 0) AS INTEGER) AS teams,
        coalesce(m.teams, 0) < p.league_min_teams AS is_default,
        CASE WHEN coalesce(m.teams, 0) < p.league_min_teams THEN p.default_league_paint_pct
             ELSE CAST(m.paint_pct AS DOUBLE) END AS paint_pct,
        CASE WHEN coalesce(m.teams, 0) < p.league_min_teams THEN p.default_league_mid_range_pct
             ELSE CAST(m.mid_pct AS DOUBLE) END AS mid_pct,
        CASE WHEN coalesce(m.teams, 0) < p.league_min_teams THEN p.default_league_three_pt_pct
             ELSE CAST(m.three_pct AS DOUBLE) END AS three_pct
    FROM analysis_dates AS d
    CROSS JOIN params AS p
    LEFT JOIN league_means AS m ON m.analysis_date = d.analysis_date
),

metrics AS (
    SELECT
        td.analysis_date, td.team_abbr, td.season_year, td.opener, td.days_since_opener,
        td.min_games_required,
        coalesce(w.games, 0) AS games,
        coalesce(w.zone_games, 0) AS zone_games,
        coalesce(w.block_games, 0) AS block_games,
        w.first_game_date, w.last_game_date,
        w.paint_attempts, w.mid_attempts, w.three_attempts,
        CAST(w.paint_makes AS DOUBLE) / nullif(w.paint_attempts, 0) AS paint_pct,
        CAST(w.mid_makes AS DOUBLE) / nullif(w.mid_attempts, 0) AS mid_pct,
        CAST(w.three_makes AS DOUBLE) / nullif(w.three_attempts, 0) AS three_pct,
        CAST(w.paint_attempts AS DOUBLE) / nullif(w.zone_games, 0) AS paint_attempts_pg,
        CAST(w.paint_points AS DOUBLE) / nullif(w.zone_games, 0) AS paint_points_pg,
        CAST(w.paint_blocks AS DOUBLE) / nullif(w.block_games, 0) AS paint_blocks_pg,
        CAST(w.mid_attempts AS DOUBLE) / nullif(w.zone_games, 0) AS mid_attempts_pg,
        CAST(w.mid_points AS DOUBLE) / nullif(w.zone_games, 0) AS mid_points_pg,
        CAST(w.mid_blocks AS DOUBLE) / nullif(w.block_games, 0) AS mid_blocks_pg,
        CAST(w.three_attempts AS DOUBLE) / nullif(w.games, 0) AS three_attempts_pg,
        CAST(w.three_points AS DOUBLE) / nullif(w.games, 0) AS three_points_pg,
        CAST(w.three_blocks AS DOUBLE) / nullif(w.block_games, 0) AS three_blocks_pg,
        CAST(w.points_allowed AS DOUBLE) / nullif(w.games, 0) AS points_allowed_pg,
        {{ ROUND_MEAN(w.defensive_rating_sum, w.defensive_rating_n, 2) }} AS defensive_rating_r,
        {{ ROUND_MEAN(w.opponent_pace_sum, w.opponent_pace_n, 2) }} AS opponent_pace_r,
        l.paint_pct AS league_paint_pct,
        l.mid_pct AS league_mid_pct,
        l.three_pct AS league_three_pct,
        l.teams AS league_teams,
        l.is_default AS league_is_default,
        coalesce(c.expected_games, 0) AS expected_games,
        coalesce(c.actual_games, 0) AS actual_games
    FROM team_dates AS td
    LEFT JOIN window_sums AS w
      ON w.analysis_date = td.analysis_date AND w.team_abbr = td.team_abbr
    LEFT JOIN completeness AS c
      ON c.analysis_date = td.analysis_date AND c.team_abbr = td.team_abbr
    JOIN league AS l ON l.analysis_date = td.analysis_date
),

rounded AS (
    SELECT
        m.*,
        round(m.paint_pct, 3) AS paint_pct_r,
        round(m.mid_pct, 3) AS mid_pct_r,
        round(m.three_pct, 3) AS three_pct_r,
        round((m.paint_pct - m.league_paint_pct) * 100, 2) AS paint_vs_league,
        round((m.mid_pct - m.league_mid_pct) * 100, 2) AS mid_vs_league,
        round((m.three_pct - m.league_three_pct) * 100, 2) AS three_vs_league,
        CASE WHEN m.paint_pct IS NULL THEN 0 ELSE 1 END
            + CASE WHEN m.mid_pct IS NULL THEN 0 ELSE 1 END
            + CASE WHEN m.three_pct IS NULL THEN 0 ELSE 1 END AS known_zones,
        CASE WHEN m.expected_games = 0 THEN 100.0
             ELSE round(100.0 * m.actual_games / m.expected_games, 1) END AS completeness_pct,
        CASE WHEN m.expected_games = 0 THEN 100.0
             ELSE 100.0 * m.actual_games / m.expected_games END
            >= {{ PRODUCTION_READY_PCT }} AS is_production_ready
    FROM metrics AS m
),

final AS (
    SELECT
        r.analysis_date,
        r.team_abbr,
        r.season_year,
        r.paint_pct_r AS paint_pct_allowed_last_15,
        round(r.paint_attempts_pg, 2) AS paint_attempts_allowed_per_game,
        round(r.paint_points_pg, 2) AS paint_points_allowed_per_game,
        round(r.paint_blocks_pg, 2) AS paint_blocks_per_game,
        r.paint_vs_league AS paint_defense_vs_league_avg,
        r.mid_pct_r AS mid_range_pct_allowed_last_15,
        round(r.mid_attempts_pg, 2) AS mid_range_attempts_allowed_per_game,
        round(r.mid_points_pg, 2) AS mid_range_points_allowed_per_game,
        round(r.mid_blocks_pg, 2) AS mid_range_blocks_per_game,
        r.mid_vs_league AS mid_range_defense_vs_league_avg,
        r.three_pct_r AS three_pt_pct_allowed_last_15,
        round(r.three_attempts_pg, 2) AS three_pt_attempts_allowed_per_game,
        round(r.three_points_pg, 2) AS three_pt_points_allowed_per_game,
        round(r.three_blocks_pg, 2) AS three_pt_blocks_per_game,
        r.three_vs_league AS three_pt_defense_vs_league_avg,
        r.defensive_rating_r AS defensive_rating_last_15,
        round(r.points_allowed_pg, 2) AS opponent_points_per_game,
        r.opponent_pace_r AS opponent_pace,
        CASE
            WHEN r.known_zones < 2 THEN NULL
            WHEN r.paint_vs_league IS NOT NULL
             AND (r.mid_vs_league IS NULL OR r.paint_vs_league <= r.mid_vs_league)
             AND (r.three_vs_league IS NULL OR r.paint_vs_league <= r.three_vs_league)
                THEN 'paint'
            WHEN r.mid_vs_league IS NOT NULL
             AND (r.three_vs_league IS NULL OR r.mid_vs_league <= r.three_vs_league)
                THEN 'mid_range'
            WHEN r.three_vs_league IS NOT NULL THEN 'perimeter'
        END AS strongest_zone,
        CASE
            WHEN r.known_zones < 2 THEN NULL
            WHEN r.paint_vs_league IS NOT NULL
             AND (r.mid_vs_league IS NULL OR r.paint_vs_league >= r.mid_vs_league)
             AND (r.three_vs_league IS NULL OR r.paint_vs_league >= r.three_vs_league)
                THEN 'paint'
            WHEN r.mid_vs_league IS NOT NULL
             AND (r.three_vs_league IS NULL OR r.mid_vs_league >= r.three_vs_league)
                THEN 'mid_range'
            WHEN r.three_vs_league IS NOT NULL THEN 'perimeter'
        END AS weakest_zone,
        round(r.league_paint_pct, 4) AS league_paint_pct,
        round(r.league_mid_pct, 4) AS league_mid_range_pct,
        round(r.league_three_pct, 4) AS league_three_pt_pct,
        r.league_teams AS league_teams_in_average,
        r.league_is_default AS league_average_is_default,
        CAST(r.games AS INTEGER) AS games_in_sample,
        CAST(r.zone_games AS INTEGER) AS shot_zone_games,
        CAST(r.block_games AS INTEGER) AS block_zone_games,
        r.first_game_date AS window_first_game_date,
        r.last_game_date AS window_last_game_date,
        r.days_since_opener,
        r.min_games_required,
        CASE WHEN r.games >= p.window_games THEN 'high'
             WHEN r.games >= p.medium_tier_games THEN 'medium'
             ELSE 'low' END AS data_quality_tier,
        CAST(r.expected_games AS INTEGER) AS expected_games_count,
        CAST(r.actual_games AS INTEGER) AS actual_games_count,
        CAST(r.expected_games - r.actual_games AS INTEGER) AS missing_games_count,
        r.completeness_pct,
        r.is_production_ready,
        nullif(concat_ws('; ',
            CASE WHEN r.zone_games > 0 AND coalesce(r.paint_attempts, 0) = 0
                THEN 'no paint attempts' END,
            CASE WHEN r.zone_games > 0 AND coalesce(r.mid_attempts, 0) = 0
                THEN 'no mid-range attempts' END,
            CASE WHEN r.games > 0 AND coalesce(r.three_attempts, 0) = 0
                THEN 'no three-point attempts' END,
            CASE WHEN r.zone_games < r.games
                THEN 'shot zones from ' || CAST(r.zone_games AS VARCHAR) || ' of '
                    || CAST(r.games AS VARCHAR) || ' games' END,
            CASE WHEN r.block_games < r.zone_games
                THEN 'blocks by zone from ' || CAST(r.block_games AS VARCHAR) || ' of '
                    || CAST(r.games AS VARCHAR) || ' games (shot-chart data has no blockers)'
                END,
            CASE WHEN r.league_is_default
                THEN 'league averages are the defaults (' || CAST(r.league_teams AS VARCHAR)
                    || ' teams with enough games in the last 30 days)' END
        ), '') AS calculation_notes,
        -- failure gates, in order
        CASE
            WHEN r.opener IS NULL OR r.days_since_opener < {{ BOOTSTRAP_DAYS }}
                THEN 'EARLY_SEASON'
            WHEN r.games < r.min_games_required THEN 'INSUFFICIENT_DATA'
            WHEN NOT r.is_production_ready THEN 'INCOMPLETE_DATA'
        END AS failure_category,
        CASE
            WHEN r.opener IS NULL
                THEN 'early season: no regular-season game in the schedule yet'
            WHEN r.days_since_opener < 0
                THEN 'early season: before the ' || CAST(r.opener AS VARCHAR) || ' opener'
            WHEN r.days_since_opener < {{ BOOTSTRAP_DAYS }}
                THEN 'early season: day ' || CAST(r.days_since_opener + 1 AS VARCHAR) || ' of '
                    || CAST({{ BOOTSTRAP_DAYS }} AS VARCHAR) || ' after the '
                    || CAST(r.opener AS VARCHAR) || ' opener'
            WHEN r.games < r.min_games_required
                THEN CAST(r.games AS VARCHAR) || ' games before the date, '
                    || CAST(r.min_games_required AS VARCHAR) || ' needed ('
                    || CAST(r.days_since_opener AS VARCHAR) || ' days after the '
                    || CAST(r.opener AS VARCHAR) || ' opener)'
            WHEN NOT r.is_production_ready
                THEN CAST(r.actual_games AS VARCHAR) || ' of the last '
                    || CAST(r.expected_games AS VARCHAR)
                    || ' scheduled games have team_defense_game_summary rows ('
                    || CAST(r.completeness_pct AS VARCHAR) || '% < '
                    || CAST({{ PRODUCTION_READY_PCT }} AS VARCHAR) || '%)'
        END AS failure_reason,
        NOT (r.opener IS NULL OR r.days_since_opener < {{ BOOTSTRAP_DAYS }}) AS can_retry,
        CAST(r.expected_games AS INTEGER) AS expected_game_count,
        CAST(r.actual_games AS INTEGER) AS actual_game_count
    FROM rounded AS r
    CROSS JOIN params AS p
)

SELECT
    f.analysis_date,
    f.team_abbr,
    f.season_year,
    f.paint_pct_allowed_last_15,
    f.paint_attempts_allowed_per_game,
    f.paint_points_allowed_per_game,
    f.paint_blocks_per_game,
    f.paint_defense_vs_league_avg,
    f.mid_range_pct_allowed_last_15,
    f.mid_range_attempts_allowed_per_game,
    f.mid_range_points_allowed_per_game,
    f.mid_range_blocks_per_game,
    f.mid_range_defense_vs_league_avg,
    f.three_pt_pct_allowed_last_15,
    f.three_pt_attempts_allowed_per_game,
    f.three_pt_points_allowed_per_game,
    f.three_pt_blocks_per_game,
    f.three_pt_defense_vs_league_avg,
    f.defensive_rating_last_15,
    f.opponent_points_per_game,
    f.opponent_pace,
    f.strongest_zone,
    f.weakest_zone,
    f.league_paint_pct,
    f.league_mid_range_pct,
    f.league_three_pt_pct,
    f.league_teams_in_average,
    f.league_average_is_default,
    f.games_in_sample,
    f.shot_zone_games,
    f.block_zone_games,
    f.window_first_game_date,
    f.window_last_game_date,
    f.days_since_opener,
    f.min_games_required,
    f.data_quality_tier,
    f.expected_games_count,
    f.actual_games_count,
    f.missing_games_count,
    f.completeness_pct,
    f.is_production_ready,
    f.calculation_notes,
    substr(sha256(concat_ws('|',
        coalesce({{ HASH_TEXT_DOUBLE(f.paint_pct_allowed_last_15) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.paint_attempts_allowed_per_game) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.paint_points_allowed_per_game) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.paint_blocks_per_game) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.paint_defense_vs_league_avg) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.mid_range_pct_allowed_last_15) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.mid_range_attempts_allowed_per_game) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.mid_range_points_allowed_per_game) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.mid_range_blocks_per_game) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.mid_range_defense_vs_league_avg) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.three_pt_pct_allowed_last_15) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.three_pt_attempts_allowed_per_game) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.three_pt_points_allowed_per_game) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.three_pt_blocks_per_game) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.three_pt_defense_vs_league_avg) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.defensive_rating_last_15) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.opponent_points_per_game) }}, 'NULL'),
        coalesce({{ HASH_TEXT_DOUBLE(f.opponent_pace) }}, 'NULL'),
        coalesce(f.strongest_zone, 'NULL'),
        coalesce(f.weakest_zone, 'NULL'),
        CAST(f.games_in_sample AS VARCHAR),
        {{ HASH_TEXT_DOUBLE(f.completeness_pct) }}
    )), 1, 16) AS data_hash,
    f.failure_category,
    f.failure_reason,
    f.can_retry,
    f.expected_game_count,
    f.actual_game_count
FROM final AS f
