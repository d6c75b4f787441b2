-- name: nba_analytics.player_prop_lines
-- description: Each bookmaker's pre-game points line for each player and game, computed once for every table that needs a line (player_game_summary, upcoming_player_game_context, the feature store): only snapshots taken before tip-off; per snapshot the main line of a ladder (the rung whose over and under prices are closest to even, then the lower line); per book its earliest (opening) and latest (current) such line. When two feeds carry the same bookmaker, the alphabetically first feed is used.
-- grain: one row per game per player per bookmaker with a pre-game points line
-- key: game_date, game_id, player_lookup, bookmaker
-- date_column: game_date
-- upstream: nba_raw.player_props (optional)
-- lookback: 0 days
-- check: unique_key
-- check: not_null(game_id, player_lookup, bookmaker, source, book_priority, opening_line, current_line, opening_snapshot_at, current_snapshot_at, snapshot_count)
-- check: expr(opening_snapshot_at <= current_snapshot_at)
-- check: expr(snapshot_count >= 1)
-- check: range(current_line, 0, 80) warn
--
-- column game_date: game date (US/Eastern)
-- column game_id: NBA.com game id
-- column player_lookup: normalised player name
-- column bookmaker: lower-case bookmaker key
-- column source: the feed the lines come from
-- column book_priority: rank of the bookmaker in the line cascade (DraftKings 1, FanDuel 2, others 9; then alphabetical), from vocab.BOOKMAKER_PRIORITY
-- column opening_line: the main line at the book's earliest pre-game snapshot [points]
-- column opening_snapshot_at: that snapshot's time, UTC
-- column current_line: the main line at the book's latest pre-game snapshot [points]
-- column current_snapshot_at: that snapshot's time, UTC
-- column current_over_price: decimal odds of the over at the current line
-- column current_under_price: decimal odds of the under at the current line
-- column snapshot_count: pre-game snapshots of this book for the player and game [snapshots]
--
-- Pre-game means minutes_before_tipoff > 0. A line for a game is known before its tip-off,
-- so a row is point-in-time for its game date by construction.

WITH
pregame AS (
    SELECT
        game_date, game_id, player_lookup, source, bookmaker, snapshot_timestamp,
        points_line, over_price, under_price
    FROM nba_raw.player_props
    WHERE game_date >= {{ start_date }} AND game_date < {{ end_date }}
      AND market = 'player_points' AND minutes_before_tipoff > 0
),

-- One feed per bookmaker and game.
book_feeds AS (
    SELECT game_id, player_lookup, bookmaker, min(source) AS source
    FROM pregame
    GROUP BY game_id, player_lookup, bookmaker
),

-- The main line of each snapshot: prices closest to even, then the lower line.
snapshot_main_lines AS (
    SELECT p.*
    FROM pregame AS p
    JOIN book_feeds AS f
      ON f.game_id = p.game_id AND f.player_lookup = p.player_lookup
     AND f.bookmaker = p.bookmaker AND f.source = p.source
    QUALIFY row_number() OVER (
        PARTITION BY p.game_id, p.player_lookup, p.bookmaker, p.snapshot_timestamp
        ORDER BY abs(p.over_price - p.under_price) NULLS LAST, p.points_line
    ) = 1
),

ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY game_id, player_lookup, bookmaker ORDER BY snapshot_timestamp
        ) AS from_first,
        row_number() OVER (
            PARTITION BY game_id, player_lookup, bookmaker ORDER BY snapshot_timestamp DESC
        ) AS from_last,
        count(*) OVER (PARTITION BY game_id, player_lookup, bookmaker) AS snapshots,
        {{ BOOKMAKER_PRIORITY }} AS book_priority
    FROM snapshot_main_lines
)

SELECT
    o.game_date,
    o.game_id,
    o.player_lookup,
    o.bookmaker,
    o.source,
    CAST(o.book_priority AS INTEGER) AS book_priority,
    o.points_line AS opening_line,
    o.snapshot_timestamp AS opening_snapshot_at,
    c.points_line AS current_line,
    c.snapshot_timestamp AS current_snapshot_at,
    c.over_price AS current_over_price,
    c.under_price AS current_under_price,
    CAST(o.snapshots AS INTEGER) AS snapshot_count
FROM ranked AS o
JOIN ranked AS c
  ON c.game_id = o.game_id AND c.player_lookup = o.player_lookup
 AND c.bookmaker = o.bookmaker AND c.from_last = 1
WHERE o.from_first = 1
