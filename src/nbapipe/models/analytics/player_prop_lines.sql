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
-- Not materialized: its two readers scan the table again (cheaper than storing every row).
pregame AS NOT MATERIALIZED (
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

-- The feed's rows with their rank as a main line: prices closest to even (no prices last),
-- then the lower line.
feed_lines AS (
    SELECT
        p.*,
        abs(p.over_price - p.under_price) IS NULL AS no_prices,
        coalesce(abs(p.over_price - p.under_price), 0) AS price_gap
    FROM pregame AS p
    JOIN book_feeds AS f
      ON f.game_id = p.game_id AND f.player_lookup = p.player_lookup
     AND f.bookmaker = p.bookmaker AND f.source = p.source
),

-- Per book in one aggregate (no sort per snapshot): the opening line is the first row by
-- (snapshot, main-line rank), the current line the first by (latest snapshot, main-line rank).
-- The raw key (feed, game, snapshot, book, player, market, line) makes both orders total.
-- Snapshots are counted from the book's list of snapshot times (count(DISTINCT) would be a
-- second aggregate joined back).
books AS (
    SELECT
        game_id, player_lookup, bookmaker,
        arg_min(
            {'game_date': game_date, 'source': source, 'points_line': points_line},
            {'snapshot': snapshot_timestamp, 'no_prices': no_prices, 'price_gap': price_gap,
             'line': points_line}
        ) AS opening,
        min(snapshot_timestamp) AS opening_snapshot_at,
        arg_min(
            {'points_line': points_line, 'over_price': over_price, 'under_price': under_price},
            {'latest_first': -epoch_us(snapshot_timestamp), 'no_prices': no_prices,
             'price_gap': price_gap, 'line': points_line}
        ) AS current,
        max(snapshot_timestamp) AS current_snapshot_at,
        array_length(list_distinct(list(snapshot_timestamp))) AS snapshots
    FROM feed_lines
    GROUP BY game_id, player_lookup, bookmaker
)

SELECT
    opening.game_date AS game_date,
    game_id,
    player_lookup,
    bookmaker,
    opening.source AS source,
    CAST({{ BOOKMAKER_PRIORITY }} AS INTEGER) AS book_priority,
    opening.points_line AS opening_line,
    opening_snapshot_at,
    current.points_line AS current_line,
    current_snapshot_at,
    current.over_price AS current_over_price,
    current.under_price AS current_under_price,
    CAST(snapshots AS INTEGER) AS snapshot_count
FROM books
