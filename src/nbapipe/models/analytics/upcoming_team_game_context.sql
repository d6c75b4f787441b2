-- name: nba_analytics.upcoming_team_game_context
-- description: A team entering one of its games (spec 4.5): rest and schedule load, season form, opening and current spread and total (median over books, pre-game snapshots only), the injury report as of tip-off, and travel from the previous game's arena. One row for every scheduled game, played or not yet, two per game; everything uses only games strictly before the date and information published before tip-off.
-- grain: one row per team per game date (every scheduled game, two rows per game)
-- key: game_date, team_abbr
-- date_column: game_date
-- upstream: nba_raw.schedule (critical), nba_raw.game_lines (optional), nba_raw.injury_report (optional), nba_analytics.team_offense_game_summary (optional)
-- lookback: 82 games
-- check: unique_key
-- check: not_null(game_id, season_year, team_abbr, opponent_team_abbr, home_game, game_number, games_in_last_7_days, games_in_last_14_days, win_streak_entering, loss_streak_entering, wins_entering, losses_entering, players_out, data_hash)
-- check: expr((days_rest IS NULL) = (game_number = 1))
-- check: expr(days_rest IS NULL OR days_rest >= 0)
-- check: expr(games_in_last_7_days <= games_in_last_14_days AND games_in_last_14_days < game_number)
-- check: expr(wins_entering + losses_entering < game_number)
-- check: expr(win_streak_entering = 0 OR loss_streak_entering = 0)
-- check: expr(travel_miles = 0 OR NOT is_first_game_of_season)
-- check: range(travel_miles, 0, 3000) warn
-- check: range(days_rest, 0, 30) warn
-- check: range(current_spread, -30, 30) warn
-- check: range(current_total, 180, 270) warn
--
-- column game_id: NBA.com game id
-- column game_date: game date (US/Eastern)
-- column season_year: season start year (2024 = 2024-25)
-- column team_abbr: the team this row describes
-- column opponent_team_abbr: the other team
-- column home_game: does the team play at home?
-- column game_start_time: scheduled tip-off, UTC (from the schedule, else the sportsbook feed's commence time)
-- column season_type: Regular Season, Play-In, Playoffs or NBA Cup (pre-season and All-Star games are left out)
-- column game_number: the team's game number of the season, this game included (1 = opener) [games]
-- column is_first_game_of_season: game_number = 1
-- column previous_game_date: date of the team's previous game of the season (NULL for the first)
-- column days_since_last_game: calendar days since the previous game (1 = back-to-back) [days]
-- column days_rest: days between the previous game and this one minus 1: 0 = back-to-back, NULL for the first game of the season (vocab.BACK_TO_BACK_DAYS_REST; legacy UPGC used 1 = back-to-back, spec 9.7) [days]
-- column is_back_to_back: days_rest = 0 (played the day before)
-- column games_in_last_7_days: the team's games in the 7 days before the date (D-7 .. D-1) [games]
-- column games_in_last_14_days: the team's games in the 14 days before the date (D-14 .. D-1) [games]
-- column opponent_days_rest: the opponent's days_rest (legacy always 0, spec 9.6) [days]
-- column opponent_is_back_to_back: the opponent played the day before
-- column rest_advantage: days_rest - opponent_days_rest; NULL when either is a season opener [days]
-- column wins_entering: wins in the season's completed games before the date [games]
-- column losses_entering: losses in the season's completed games before the date [games]
-- column win_pct_entering: wins / completed games before the date; NULL before the first result [fraction]
-- column opponent_win_pct_entering: the opponent's win_pct_entering [fraction]
-- column win_streak_entering: consecutive wins right before the date (0 if the last completed game was a loss or there is none) [games]
-- column loss_streak_entering: consecutive losses right before the date [games]
-- column last_game_margin: points minus opponent points in the team's latest completed game before the date [points]
-- column last_game_result: W or L of that game
-- column opening_spread: the team's spread at each book's earliest pre-game line, median over books (negative = favourite) [points]
-- column current_spread: the team's spread at each book's latest pre-game line, median over books [points]
-- column spread_movement: current_spread - opening_spread [points]
-- column spread_book_count: books with a pre-game spread for the team [books]
-- column opening_total: the game total (Over line) at each book's earliest pre-game line, median over books [points]
-- column current_total: the game total at each book's latest pre-game line, median over books [points]
-- column total_movement: current_total - opening_total [points]
-- column total_book_count: books with a pre-game total [books]
-- column lines_last_snapshot_at: latest pre-game snapshot among the lines used, UTC
-- column players_out: the team's players whose latest injury-report status before tip-off is out (case-insensitive, spec 9.4) [players]
-- column players_doubtful: ... doubtful [players]
-- column players_questionable: ... questionable [players]
-- column players_probable: ... probable [players]
-- column injury_report_at: time of the latest injury report before tip-off that lists the team, UTC
-- column previous_game_arena_team_abbr: home team of the team's previous game, i.e. whose arena it was played in
-- column travel_miles: great-circle miles from the previous game's arena to this game's arena (home team's arena); 0 for the first game of the season [miles]
-- column is_home_after_road: a home game right after an away game
-- column consecutive_road_games: away games in a row ending with this one (0 at home) [games]
-- column consecutive_home_games: home games in a row ending with this one (0 away) [games]
-- column l7d_expected_games: the team's games in the 7 days before the date that are final on the schedule (game_status 3; spec 4.5 quality, 6.3) [games]
-- column l7d_actual_games: those with the team's team_offense_game_summary row [games]
-- column l14d_expected_games: as l7d_expected_games over 14 days [games]
-- column l14d_actual_games: as l7d_actual_games over 14 days [games]
-- column l7d_completeness_pct: 100 x l7d_actual_games / l7d_expected_games, 1 decimal; 100 when none expected [%]
-- column l14d_completeness_pct: the same over 14 days [%]
-- column data_quality_tier: from the lower of the two: gold >= 95, silver >= 75, bronze >= 50, else poor
-- column quality_score: 95, 75, 50 or 25 with the tier
-- column data_quality_issues: comma-separated: l7d_incomplete / l14d_incomplete (a game without its box score), season_boundary (October, November, April), bootstrap_mode (the first 30 days after the real opener); NULL without any
-- column is_production_ready: both windows at least 70% complete (vocab.PRODUCTION_READY_PCT)
-- column data_hash: first 16 hex chars of sha256 over the analytic columns (values joined by '|', NULL as 'NULL', fixed order; the timestamps game_start_time, lines_last_snapshot_at and injury_report_at left out; doubles as fixed six-decimal text (DECIMAL(18,6)), the same text in DuckDB and Spark)
--
-- Schedule features (rest, game number, games in the last days, travel) count every scheduled
-- game of the season before the date, played or not, so a date a week ahead already knows the
-- games in between; form features (record, streaks, last game) use completed games only: the
-- schedule's final score, else the team_offense_game_summary box score. One schedule row per
-- game: the most advanced status, then source. Neutral-site games count as played in the home
-- team's arena (the schedule has no venue). Lines: rows with minutes_before_tipoff > 0; per
-- book the earliest and the latest such snapshot (books are captured at different times),
-- then the median across books. Injury report: per player the latest report before tip-off
-- (before the game date when tip-off is unknown).

WITH
season_range AS (
    SELECT min(season_year) AS first_season
    FROM nba_raw.schedule
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
),

scheduled_games AS (
    SELECT
        s.game_id, s.game_date, s.game_start_time, s.season_year,
        coalesce(s.season_type, 'Regular Season') AS season_type,
        s.home_team_abbr, s.away_team_abbr,
        coalesce(s.game_status = 3, FALSE) AS is_final   -- final on the schedule: expected
    FROM nba_raw.schedule AS s
    WHERE s.game_date < {{ end_date }}
      AND s.season_year >= (SELECT first_season FROM season_range)
      AND {{ COUNTED_GAME(s.season_type) }}
    QUALIFY row_number() OVER (
        PARTITION BY s.game_id ORDER BY coalesce(s.game_status, 0) DESC, s.source
    ) = 1
),

-- Final scores: a final schedule row with both scores.
final_scores AS (
    SELECT game_id, home_team_score, away_team_score
    FROM nba_raw.schedule
    WHERE game_date < {{ end_date }}
      AND season_year >= (SELECT first_season FROM season_range)
      AND game_status = 3 AND home_team_score IS NOT NULL AND away_team_score IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY source) = 1
),

box_results AS (
    SELECT game_id, team_abbr, points_scored, opponent_points
    FROM nba_analytics.team_offense_game_summary
    WHERE game_date < {{ end_date }}
      AND season_year >= (SELECT first_season FROM season_range)
      AND points_scored IS NOT NULL AND opponent_points IS NOT NULL
),

team_sides AS (
    SELECT
        game_id, game_date, game_start_time, season_year, season_type,
        home_team_abbr AS team_abbr, away_team_abbr AS opponent_team_abbr, TRUE AS home_game,
        home_team_abbr AS arena_team_abbr, is_final
    FROM scheduled_games
    UNION ALL
    SELECT
        game_id, game_date, game_start_time, season_year, season_type,
        away_team_abbr, home_team_abbr, FALSE, home_team_abbr, is_final
    FROM scheduled_games
),

-- A team plays at most once a day: keep one game per team and date.
team_games AS (
    SELECT
        t.*,
        CAST(coalesce(
            CASE WHEN t.home_game THEN f.home_team_score - f.away_team_score
                 ELSE f.away_team_score - f.home_team_score END,
            b.points_scored - b.opponent_points
        ) AS INTEGER) AS margin,
        b.game_id IS NOT NULL AS has_box       -- the team's box score is in
    FROM team_sides AS t
    LEFT JOIN final_scores AS f ON f.game_id = t.game_id
    LEFT JOIN box_results AS b ON b.game_id = t.game_id AND b.team_abbr = t.team_abbr
    QUALIFY row_number() OVER (PARTITION BY t.team_abbr, t.game_date ORDER BY t.game_id) = 1
),

-- Completed games in order: runs of wins or losses, and the record through each game.
completed_runs AS (
    SELECT
        game_id, team_abbr, season_year, game_date, margin,
        row_number() OVER (PARTITION BY team_abbr, season_year ORDER BY game_date)
            - row_number() OVER (
                PARTITION BY team_abbr, season_year, margin > 0 ORDER BY game_date
            ) AS run_number
    FROM team_games
    WHERE margin IS NOT NULL
),

completed_through AS (
    SELECT
        game_id, team_abbr, margin,
        CASE WHEN margin > 0 THEN 1 ELSE -1 END * row_number() OVER (
            PARTITION BY team_abbr, season_year, margin > 0, run_number ORDER BY game_date
        ) AS signed_streak_through,
        sum(CASE WHEN margin > 0 THEN 1 ELSE 0 END) OVER (
            PARTITION BY team_abbr, season_year ORDER BY game_date
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS wins_through,
        sum(CASE WHEN margin > 0 THEN 0 ELSE 1 END) OVER (
            PARTITION BY team_abbr, season_year ORDER BY game_date
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS losses_through
    FROM completed_runs
),

-- Every game of the team's season in order; values of earlier games carried forward.
team_sequence AS (
    SELECT
        g.game_id, g.game_date, g.game_start_time, g.season_year, g.season_type, g.team_abbr,
        g.opponent_team_abbr, g.home_game, g.arena_team_abbr,
        row_number() OVER w AS game_number,
        lag(g.game_date) OVER w AS previous_game_date,
        lag(g.arena_team_abbr) OVER w AS previous_arena_team_abbr,
        lag(g.home_game) OVER w AS previous_home_game,
        last_value(c.wins_through IGNORE NULLS) OVER w_before AS wins_entering,
        last_value(c.losses_through IGNORE NULLS) OVER w_before AS losses_entering,
        last_value(c.signed_streak_through IGNORE NULLS) OVER w_before AS signed_streak,
        last_value(c.margin IGNORE NULLS) OVER w_before AS last_game_margin,
        row_number() OVER w
            - row_number() OVER (
                PARTITION BY g.team_abbr, g.season_year, g.home_game ORDER BY g.game_date
            ) AS venue_run_number
    FROM team_games AS g
    LEFT JOIN completed_through AS c ON c.game_id = g.game_id AND c.team_abbr = g.team_abbr
    WINDOW
        w AS (PARTITION BY g.team_abbr, g.season_year ORDER BY g.game_date),
        w_before AS (
            PARTITION BY g.team_abbr, g.season_year ORDER BY g.game_date
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        )
),

venue_runs AS (
    SELECT
        s.*,
        row_number() OVER (
            PARTITION BY s.team_abbr, s.season_year, s.home_game, s.venue_run_number
            ORDER BY s.game_date
        ) AS venue_run_length
    FROM team_sequence AS s
),

target_games AS (
    SELECT *
    FROM venue_runs
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
),

-- Games of the team in the 14 days before each target date.
recent_load AS (
    SELECT
        t.game_id, t.team_abbr,
        CAST(count(p.game_id) FILTER (WHERE date_diff('day', p.game_date, t.game_date) <= 7) AS INTEGER)
            AS games_in_last_7_days,
        CAST(count(p.game_id) AS INTEGER) AS games_in_last_14_days,
        -- completeness (spec 4.5, 6.3): final games on the schedule, and those with the
        -- team's box score, in the 7 and 14 days before the date
        count(p.game_id) FILTER (WHERE p.is_final AND date_diff('day', p.game_date, t.game_date) <= 7)
            AS l7d_expected,
        count(p.game_id) FILTER (
            WHERE p.is_final AND p.has_box AND date_diff('day', p.game_date, t.game_date) <= 7
        ) AS l7d_actual,
        count(p.game_id) FILTER (WHERE p.is_final) AS l14d_expected,
        count(p.game_id) FILTER (WHERE p.is_final AND p.has_box) AS l14d_actual
    FROM target_games AS t
    LEFT JOIN team_games AS p
      ON p.team_abbr = t.team_abbr AND p.season_year = t.season_year
     AND p.game_date < t.game_date AND date_diff('day', p.game_date, t.game_date) <= 14
    GROUP BY t.game_id, t.team_abbr
),

-- Tip-off: the schedule's, else the sportsbook feed's commence time.
feed_start_times AS (
    SELECT game_id, min(game_start_time) AS feed_start_time
    FROM nba_raw.game_lines
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
    GROUP BY game_id
),

target_tipoffs AS (
    SELECT DISTINCT t.game_id, coalesce(t.game_start_time, f.feed_start_time) AS tipoff, t.game_date
    FROM target_games AS t
    LEFT JOIN feed_start_times AS f ON f.game_id = t.game_id
),

pregame_lines AS (
    SELECT
        game_id, bookmaker, market_key,
        CASE WHEN market_key = 'spreads' THEN outcome_name END AS team_abbr,
        outcome_point, snapshot_timestamp,
        row_number() OVER (
            PARTITION BY game_id, market_key, outcome_name, bookmaker
            ORDER BY snapshot_timestamp, source
        ) AS first_rank,
        row_number() OVER (
            PARTITION BY game_id, market_key, outcome_name, bookmaker
            ORDER BY snapshot_timestamp DESC, source
        ) AS last_rank
    FROM nba_raw.game_lines
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
      AND outcome_point IS NOT NULL
      AND coalesce(minutes_before_tipoff > 0, snapshot_timestamp < game_start_time)
      AND (market_key = 'spreads' OR (market_key = 'totals' AND lower(outcome_name) = 'over'))
),

spreads AS (
    SELECT
        game_id, team_abbr,
        median(CASE WHEN first_rank = 1 THEN outcome_point END) AS opening_spread,
        median(CASE WHEN last_rank = 1 THEN outcome_point END) AS current_spread,
        CAST(count(DISTINCT bookmaker) AS INTEGER) AS spread_book_count,
        max(snapshot_timestamp) AS last_snapshot_at
    FROM pregame_lines
    WHERE market_key = 'spreads'
    GROUP BY game_id, team_abbr
),

totals AS (
    SELECT
        game_id,
        median(CASE WHEN first_rank = 1 THEN outcome_point END) AS opening_total,
        median(CASE WHEN last_rank = 1 THEN outcome_point END) AS current_total,
        CAST(count(DISTINCT bookmaker) AS INTEGER) AS total_book_count,
        max(snapshot_timestamp) AS last_snapshot_at
    FROM pregame_lines
    WHERE market_key = 'totals'
    GROUP BY game_id
),

-- Each player's latest status published before tip-off.
latest_injury_status AS (
    SELECT
        i.game_id, i.team_abbr, i.report_timestamp,
        lower(trim(i.injury_status)) AS status
    FROM nba_raw.injury_report AS i
    JOIN target_tipoffs AS g ON g.game_id = i.game_id
    WHERE i.game_date >= {{ start_date }} AND i.game_date < {{ end_date }}
      AND coalesce(i.report_timestamp < g.tipoff, i.report_date < g.game_date)
    QUALIFY row_number() OVER (
        PARTITION BY i.game_id, i.player_lookup ORDER BY i.report_timestamp DESC, i.source
    ) = 1
),

injury_counts AS (
    SELECT
        game_id, team_abbr,
        CAST(count(*) FILTER (WHERE status = 'out') AS INTEGER) AS players_out,
        CAST(count(*) FILTER (WHERE status = 'doubtful') AS INTEGER) AS players_doubtful,
        CAST(count(*) FILTER (WHERE status = 'questionable') AS INTEGER) AS players_questionable,
        CAST(count(*) FILTER (WHERE status = 'probable') AS INTEGER) AS players_probable,
        max(report_timestamp) AS injury_report_at
    FROM latest_injury_status
    GROUP BY game_id, team_abbr
),

-- Completeness (spec 4.5 quality, 6.3): percentages (100 when no game was expected, 1
-- decimal), the tier and score of the lower one, and readiness: both windows at 70%.
recent_pct AS (
    SELECT
        *,
        CASE WHEN l7d_expected = 0 THEN 100.0
             ELSE round(100.0 * l7d_actual / l7d_expected, 1) END AS l7d_pct,
        CASE WHEN l14d_expected = 0 THEN 100.0
             ELSE round(100.0 * l14d_actual / l14d_expected, 1) END AS l14d_pct
    FROM recent_load
),

recent_quality AS (
    SELECT
        *,
        CASE
            WHEN least(l7d_pct, l14d_pct) >= 95 THEN 95
            WHEN least(l7d_pct, l14d_pct) >= 75 THEN 75
            WHEN least(l7d_pct, l14d_pct) >= 50 THEN 50
            ELSE 25
        END AS quality_score,
        {{ WINDOW_READY(l7d_actual, l7d_expected) }}
            AND {{ WINDOW_READY(l14d_actual, l14d_expected) }} AS is_production_ready
    FROM recent_pct
),

season_openers AS ({{ SEASON_OPENERS }}),

team_context AS (
    SELECT
        t.*,
        CAST(date_diff('day', t.previous_game_date, t.game_date) AS INTEGER) AS days_since_last_game,
        CAST(date_diff('day', t.previous_game_date, t.game_date) - 1 AS INTEGER) AS days_rest,
        CASE WHEN t.wins_entering + t.losses_entering > 0
             THEN round(t.wins_entering / (t.wins_entering + t.losses_entering), 3)
        END AS win_pct_entering,
        CASE WHEN t.previous_arena_team_abbr IS NULL THEN 0.0
             ELSE round(2 * {{ EARTH_RADIUS_MILES }} * asin(least(1.0, sqrt(
                 power(sin(radians(here.arena_latitude - there.arena_latitude) / 2), 2)
                 + cos(radians(there.arena_latitude)) * cos(radians(here.arena_latitude))
                   * power(sin(radians(here.arena_longitude - there.arena_longitude) / 2), 2)
             ))), 1)
        END AS travel_miles
    FROM target_games AS t
    LEFT JOIN nba_reference.teams AS here ON here.team_abbr = t.arena_team_abbr
    LEFT JOIN nba_reference.teams AS there ON there.team_abbr = t.previous_arena_team_abbr
),

summary AS (
    SELECT
        t.game_id,
        t.game_date,
        t.season_year,
        t.team_abbr,
        t.opponent_team_abbr,
        t.home_game,
        coalesce(t.game_start_time, tip.tipoff) AS game_start_time,
        t.season_type,
        CAST(t.game_number AS INTEGER) AS game_number,
        t.game_number = 1 AS is_first_game_of_season,
        t.previous_game_date,
        t.days_since_last_game,
        t.days_rest,
        coalesce(t.days_rest = {{ BACK_TO_BACK_DAYS_REST }}, FALSE) AS is_back_to_back,
        coalesce(q.games_in_last_7_days, 0) AS games_in_last_7_days,
        coalesce(q.games_in_last_14_days, 0) AS games_in_last_14_days,
        o.days_rest AS opponent_days_rest,
        coalesce(o.days_rest = {{ BACK_TO_BACK_DAYS_REST }}, FALSE) AS opponent_is_back_to_back,
        t.days_rest - o.days_rest AS rest_advantage,
        CAST(coalesce(t.wins_entering, 0) AS INTEGER) AS wins_entering,
        CAST(coalesce(t.losses_entering, 0) AS INTEGER) AS losses_entering,
        t.win_pct_entering,
        o.win_pct_entering AS opponent_win_pct_entering,
        CAST(greatest(coalesce(t.signed_streak, 0), 0) AS INTEGER) AS win_streak_entering,
        CAST(greatest(-coalesce(t.signed_streak, 0), 0) AS INTEGER) AS loss_streak_entering,
        t.last_game_margin,
        CASE WHEN t.last_game_margin > 0 THEN 'W' WHEN t.last_game_margin < 0 THEN 'L' END
            AS last_game_result,
        sp.opening_spread,
        sp.current_spread,
        sp.current_spread - sp.opening_spread AS spread_movement,
        coalesce(sp.spread_book_count, 0) AS spread_book_count,
        tot.opening_total,
        tot.current_total,
        tot.current_total - tot.opening_total AS total_movement,
        coalesce(tot.total_book_count, 0) AS total_book_count,
        greatest(sp.last_snapshot_at, tot.last_snapshot_at) AS lines_last_snapshot_at,
        coalesce(inj.players_out, 0) AS players_out,
        coalesce(inj.players_doubtful, 0) AS players_doubtful,
        coalesce(inj.players_questionable, 0) AS players_questionable,
        coalesce(inj.players_probable, 0) AS players_probable,
        inj.injury_report_at,
        t.previous_arena_team_abbr AS previous_game_arena_team_abbr,
        t.travel_miles,
        coalesce(t.home_game AND NOT t.previous_home_game, FALSE) AS is_home_after_road,
        CAST(CASE WHEN t.home_game THEN 0 ELSE t.venue_run_length END AS INTEGER)
            AS consecutive_road_games,
        CAST(CASE WHEN t.home_game THEN t.venue_run_length ELSE 0 END AS INTEGER)
            AS consecutive_home_games,
        CAST(q.l7d_expected AS INTEGER) AS l7d_expected_games,
        CAST(q.l7d_actual AS INTEGER) AS l7d_actual_games,
        CAST(q.l14d_expected AS INTEGER) AS l14d_expected_games,
        CAST(q.l14d_actual AS INTEGER) AS l14d_actual_games,
        q.l7d_pct AS l7d_completeness_pct,
        q.l14d_pct AS l14d_completeness_pct,
        CASE q.quality_score WHEN 95 THEN 'gold' WHEN 75 THEN 'silver' WHEN 50 THEN 'bronze'
            ELSE 'poor' END AS data_quality_tier,
        q.quality_score,
        nullif(concat_ws(',',
            CASE WHEN q.l7d_actual < q.l7d_expected THEN 'l7d_incomplete' END,
            CASE WHEN q.l14d_actual < q.l14d_expected THEN 'l14d_incomplete' END,
            CASE WHEN month(t.game_date) IN ({{ SEASON_BOUNDARY_MONTHS }}) THEN 'season_boundary' END,
            CASE WHEN date_diff('day', so.opener_date, t.game_date) < {{ COMPLETENESS_GRACE_DAYS }}
                THEN 'bootstrap_mode' END
        ), '') AS data_quality_issues,
        q.is_production_ready
    FROM team_context AS t
    LEFT JOIN team_context AS o ON o.game_id = t.game_id AND o.team_abbr = t.opponent_team_abbr
    LEFT JOIN recent_quality AS q ON q.game_id = t.game_id AND q.team_abbr = t.team_abbr
    LEFT JOIN target_tipoffs AS tip ON tip.game_id = t.game_id
    LEFT JOIN spreads AS sp ON sp.game_id = t.game_id AND sp.team_abbr = t.team_abbr
    LEFT JOIN totals AS tot ON tot.game_id = t.game_id
    LEFT JOIN injury_counts AS inj ON inj.game_id = t.game_id AND inj.team_abbr = t.team_abbr
    LEFT JOIN season_openers AS so ON so.season_year = t.season_year
)

SELECT
    *,
    -- The row hash over every analytic column in output order but the three timestamps,
    -- joined by '|' with concat: each value is coalesced to 'NULL' but those of the
    -- not_null check.
    substr(sha256(concat(
        game_id, '|', CAST(game_date AS VARCHAR), '|', CAST(season_year AS VARCHAR), '|',
        team_abbr, '|', opponent_team_abbr, '|', CAST(home_game AS VARCHAR), '|',
        coalesce(season_type, 'NULL'), '|', CAST(game_number AS VARCHAR), '|',
        coalesce(CAST(is_first_game_of_season AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(previous_game_date AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(days_since_last_game AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(days_rest AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(is_back_to_back AS VARCHAR), 'NULL'), '|',
        CAST(games_in_last_7_days AS VARCHAR), '|', CAST(games_in_last_14_days AS VARCHAR), '|',
        coalesce(CAST(opponent_days_rest AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(opponent_is_back_to_back AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(rest_advantage AS VARCHAR), 'NULL'), '|',
        CAST(wins_entering AS VARCHAR), '|', CAST(losses_entering AS VARCHAR), '|',
        coalesce({{ HASH_TEXT_DOUBLE(win_pct_entering) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(opponent_win_pct_entering) }}, 'NULL'), '|',
        CAST(win_streak_entering AS VARCHAR), '|', CAST(loss_streak_entering AS VARCHAR), '|',
        coalesce(CAST(last_game_margin AS VARCHAR), 'NULL'), '|',
        coalesce(last_game_result, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(opening_spread) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(current_spread) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(spread_movement) }}, 'NULL'), '|',
        coalesce(CAST(spread_book_count AS VARCHAR), 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(opening_total) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(current_total) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(total_movement) }}, 'NULL'), '|',
        coalesce(CAST(total_book_count AS VARCHAR), 'NULL'), '|',
        CAST(players_out AS VARCHAR), '|',
        coalesce(CAST(players_doubtful AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(players_questionable AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(players_probable AS VARCHAR), 'NULL'), '|',
        coalesce(previous_game_arena_team_abbr, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(travel_miles) }}, 'NULL'), '|',
        coalesce(CAST(is_home_after_road AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(consecutive_road_games AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(consecutive_home_games AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(l7d_expected_games AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(l7d_actual_games AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(l14d_expected_games AS VARCHAR), 'NULL'), '|',
        coalesce(CAST(l14d_actual_games AS VARCHAR), 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(l7d_completeness_pct) }}, 'NULL'), '|',
        coalesce({{ HASH_TEXT_DOUBLE(l14d_completeness_pct) }}, 'NULL'), '|',
        coalesce(data_quality_tier, 'NULL'), '|',
        coalesce(CAST(quality_score AS VARCHAR), 'NULL'), '|',
        coalesce(data_quality_issues, 'NULL'), '|',
        coalesce(CAST(is_production_ready AS VARCHAR), 'NULL')
    )), 1, 16) AS data_hash
FROM summary
