"""nba_analytics.player_prop_lines, the legacy way with the spec 9.3 fixes: for each player,
game and bookmaker of the date, the pre-game snapshots (minutes_before_tipoff > 0) of one feed
(the alphabetically first that carries the book), each snapshot's main line (over and under
prices closest to even, then the lower line), and the book's opening and current line.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb

from bench.reference import register
from bench.reference.base import Answer, Reference, Row, rows
from nbapipe import vocab


def book_priority(bookmaker: str) -> int:
    return vocab.BOOKMAKER_PRIORITY.get(bookmaker, vocab.DEFAULT_SOURCE_PRIORITY)


def main_line(rungs: list[Row]) -> Row:
    """The main rung of a snapshot's ladder: prices closest to even (missing prices last),
    then the lower line."""

    def gap(r: Row) -> tuple:
        if r["over_price"] is None or r["under_price"] is None:
            return (1, 0.0, r["points_line"])
        return (0, abs(r["over_price"] - r["under_price"]), r["points_line"])

    return min(rungs, key=gap)


def lines_of(props: list[Row]) -> list[Row]:
    """Every (game, player, bookmaker) line row from raw player_points prop rows."""
    pregame = [
        p
        for p in props
        if p["market"] == "player_points"
        and p["minutes_before_tipoff"] is not None
        and p["minutes_before_tipoff"] > 0
    ]
    feeds: dict[tuple, set[str]] = defaultdict(set)
    for p in pregame:
        feeds[(p["game_id"], p["player_lookup"], p["bookmaker"])].add(p["source"])
    snapshots: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))
    for p in pregame:
        k = (p["game_id"], p["player_lookup"], p["bookmaker"])
        if p["source"] == min(feeds[k]):
            snapshots[k][p["snapshot_timestamp"]].append(p)
    out = []
    for (game_id, player, book), by_time in snapshots.items():
        times = sorted(by_time)
        opening, current = main_line(by_time[times[0]]), main_line(by_time[times[-1]])
        out.append(
            {
                "game_date": opening["game_date"],
                "game_id": game_id,
                "player_lookup": player,
                "bookmaker": book,
                "source": opening["source"],
                "book_priority": book_priority(book),
                "opening_line": opening["points_line"],
                "opening_snapshot_at": times[0],
                "current_line": current["points_line"],
                "current_snapshot_at": times[-1],
                "current_over_price": current["over_price"],
                "current_under_price": current["under_price"],
                "snapshot_count": len(times),
            }
        )
    return out


def compute(con: duckdb.DuckDBPyConnection, day: dt.date) -> Answer:
    props = rows(
        con,
        "SELECT game_date, game_id, player_lookup, source, bookmaker, market, "
        "snapshot_timestamp, minutes_before_tipoff, points_line, over_price, under_price "
        "FROM nba_raw.player_props WHERE game_date = ?",
        [day],
    )
    return Answer(rows=lines_of(props))


REFERENCE = register(
    Reference(
        table="nba_analytics.player_prop_lines",
        key=("game_id", "player_lookup", "bookmaker"),
        compute=compute,
    )
)
