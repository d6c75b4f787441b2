"""What the tests/test_reference_<table>.py files share: a synthetic season built for one table
and its upstreams (after the test planted its edge cases), the dates spread over it, the
comparison with the table's reference (bench/proof.py) asserted clean with a readable message,
and the time the reference takes for a date.

Each test file keeps what is its own: the perturbation, and what must show on the compared
dates (failure categories, future games, data-quality flags, ...)."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bench.proof import TableComparison, compare_date, schedule_days, spread_dates
from bench.reference import Reference
from bench.reference.base import hash_text
from bench.reference.base import rows as fetch_rows
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.pipeline.model import all_models

SEASON, SEED = "2023-24", 5
RUN_COLUMNS = frozenset({"run_id", "processed_at"})
FAILURES = "nba_processing.precompute_failures"

# Plants edge cases in the raw tables of a fresh season; gets the dates that will be compared
# and returns what it did to which game (or None).
Perturb = Callable[[DuckDBEngine, list[dt.date]], Any]


def with_upstreams(table: str) -> list[str]:
    """The model and every model it reads from, upstreams first."""
    models = all_models()
    seen: list[str] = []

    def visit(name: str) -> None:
        if name in models and name not in seen:
            for up in models[name].upstream:
                visit(up.table)
            seen.append(name)

    visit(table)
    return seen


@dataclass
class Season:
    path: Path
    days: list[dt.date]  # spread_dates of the season, chosen before the perturbation
    planted: Any = None  # what the perturbation returned

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            yield con
        finally:
            con.close()


def build_season(
    tmp_path_factory: pytest.TempPathFactory, table: str, perturb: Perturb | None = None
) -> Season:
    """A synthetic season (2023-24, seed 5), perturbed, with ``table`` and its upstreams
    backfilled: the table must succeed on every date, its upstreams may record some dates as
    failed (``partial``)."""
    path = tmp_path_factory.mktemp("ref_" + table.split(".")[-1]) / "w.duckdb"
    api.ingest_synthetic(SEASON, seed=SEED, warehouse=path)
    with DuckDBEngine(path, create=False) as eng:
        days = spread_dates(eng.con)
        planted = perturb(eng, days) if perturb else None
    summary = api.backfill(warehouse=path, models=with_upstreams(table))
    results = [(m.model, m.status, m.failed_checks) for m in summary.models]
    assert {m.model: m.status for m in summary.models}[table] == "success", results
    assert all(m.status in ("success", "partial", "skipped") for m in summary.models), results
    return Season(path, days, planted)


def compare_dates(
    con: duckdb.DuckDBPyConnection, ref: Reference, days: list[dt.date]
) -> list[TableComparison]:
    """The table against its reference, one comparison per date."""
    return [compare_date(con, ref, day) for day in days]


def assert_clean(
    per_date: list[TableComparison], *, min_dates: int = 8, min_rows: int = 1
) -> TableComparison:
    """No mismatch, no date skipped (the model recorded it as failed), and enough compared;
    returns the dates' total."""
    total = TableComparison(per_date[0].table if per_date else "?")
    for c in per_date:
        total.add(c)
    shown = "\n  ".join(str(m) for m in total.mismatches[:10])
    assert not total.mismatches, f"{len(total.mismatches)} differences:\n  {shown}"
    assert total.dates_skipped == 0, f"{total.dates_skipped} dates not computed by the model"
    assert total.dates >= min_dates, f"only {total.dates} dates compared"
    assert total.rows >= min_rows, f"only {total.rows} rows compared"
    return total


def slowest(per_date: list[TableComparison]) -> float:
    """The longest time the reference took for one of the dates (s)."""
    return max(c.reference_seconds for c in per_date)


def reference_seconds(path: Path, ref: Reference, day: dt.date) -> float:
    """How long the reference takes for one date of the warehouse at ``path``."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        start = time.perf_counter()
        ref.compute(con, day)
        return time.perf_counter() - start
    finally:
        con.close()


def failure_categories(con: duckdb.DuckDBPyConnection, table: str, days: list[dt.date]) -> set:
    """The failure categories the model recorded on ``days``."""
    return {
        c
        for (c,) in con.execute(
            f"SELECT DISTINCT failure_category FROM {FAILURES} WHERE model = ? "
            "AND analysis_date IN (SELECT unnest(?))",
            [table, days],
        ).fetchall()
    }


def uncovered_columns(con: duckdb.DuckDBPyConnection, ref: Reference, day: dt.date) -> set[str]:
    """The table's columns the reference neither produces on ``day`` nor skips with a reason."""
    columns = {c for (c, *_) in con.execute(f"DESCRIBE {ref.table}").fetchall()}
    answer = ref.compute(con, day)
    return columns - set(answer.rows[0]) - set(ref.skip) - RUN_COLUMNS


def hashed_columns(
    con: duckdb.DuckDBPyConnection, table: str, left_out: frozenset[str] = frozenset()
) -> tuple[list[str], set[str]]:
    """The columns a table's data_hash should cover, in table order (every column but
    data_hash, the run columns and ``left_out``), and those of them that are DOUBLE."""
    described = [(c, t) for c, t, *_ in con.execute(f"DESCRIBE {table}").fetchall()]
    columns = [(c, t) for c, t in described if c not in RUN_COLUMNS | {"data_hash"} | left_out]
    return [c for c, _ in columns], {c for c, t in columns if t == "DOUBLE"}


def stored_hash_errors(
    con: duckdb.DuckDBPyConnection, table: str, hashed: Sequence[str], day: dt.date
) -> tuple[list[str], int, int]:
    """Stored rows of ``day`` whose data_hash is not the first 16 hex characters of the
    SHA-256 of their ``hashed`` values (hash_text, NULL as 'NULL', joined by '|'); and the
    rows and distinct hashes of the date."""
    stored = fetch_rows(con, f"SELECT * FROM {table} WHERE game_date = ?", [day])
    bad = []
    for r in stored:
        text = "|".join("NULL" if t is None else t for t in (hash_text(r[c]) for c in hashed))
        if r["data_hash"] != hashlib.sha256(text.encode()).hexdigest()[:16]:
            bad.append(f"{r['game_id']}: {r['data_hash']} over {text}")
    return bad, len(stored), len({r["data_hash"] for r in stored})


def hash_only_mismatches(
    con: duckdb.DuckDBPyConnection, ref: Reference, day: dt.date
) -> tuple[set[str], int, int]:
    """The comparison of one date (for a reference whose hashed columns a test altered): the
    columns that differ, the mismatches and the rows compared."""
    c = compare_date(con, ref, day)
    return {m.column for m in c.mismatches}, len(c.mismatches), c.rows


def unplay_last_days(eng: DuckDBEngine, n_days: int = 2) -> dt.date:
    """The season's last ``n_days`` calendar days become games not played yet: scheduled, no
    score, no box scores or play-by-play. Returns the first of those days."""
    last = eng.fetchone("SELECT max(game_date) FROM nba_raw.schedule")[0]
    since = last - dt.timedelta(days=n_days - 1)
    eng.execute(
        "UPDATE nba_raw.schedule SET game_status = 1, home_team_score = NULL, "
        "away_team_score = NULL, winning_team_abbr = NULL WHERE game_date >= ?",
        [since],
    )
    for table in ("player_boxscores", "team_boxscores", "play_by_play"):
        eng.execute(f"DELETE FROM nba_raw.{table} WHERE game_date >= ?", [since])
    return since


# -- edge cases planted for more than one table -------------------------------------------------


def plant_team_edge_cases(eng: DuckDBEngine, days: list[dt.date]) -> dict[str, str]:
    """The offence test's edge cases (team_offense_game_summary and what reads it), on the
    quarter and half game days of the season and its last: rebuilt team lines (both teams, one
    team, too few players to rebuild), shot-chart zones, no play-by-play, unknown zones,
    overtime from minutes, a game without schedule row. Returns which game got which."""
    season = schedule_days(eng.con)
    quarter, half, last = season[len(season) // 4], season[len(season) // 2], season[-1]
    assert {quarter, half, last} <= set(days)

    def game(day: dt.date, i: int) -> str:
        ids = [
            r[0]
            for r in eng.fetchall(
                "SELECT game_id FROM nba_raw.schedule WHERE game_date = ? ORDER BY 1", [day]
            )
        ]
        return ids[i % len(ids)]

    g = {
        "rebuilt": game(quarter, 0),
        "one_team_rebuilt": game(quarter, 1),
        "too_few_players": game(quarter, 2),
        "shotchart": game(half, 0),
        "no_pbp": game(half, 1),
        "unknown_zones": game(half, 2),
        "overtime_from_minutes": game(last, 0),
        "no_schedule": game(last, 1),
    }
    eng.execute(
        "DELETE FROM nba_raw.team_boxscores WHERE game_id IN (?, ?)",
        [g["rebuilt"], g["too_few_players"]],
    )
    eng.execute(
        "DELETE FROM nba_raw.team_boxscores WHERE game_id = ? AND is_home", [g["one_team_rebuilt"]]
    )
    # The home team lists only its four busiest players: too few to rebuild, no row.
    eng.execute(
        """DELETE FROM nba_raw.player_boxscores WHERE game_id = ? AND team_abbr = home_team_abbr
           AND player_lookup NOT IN (SELECT player_lookup FROM nba_raw.player_boxscores
               WHERE game_id = ? AND team_abbr = home_team_abbr AND player_status = 'active'
               ORDER BY minutes DESC LIMIT 4)""",
        [g["too_few_players"], g["too_few_players"]],
    )
    eng.execute(
        """INSERT INTO nba_raw.play_by_play SELECT * REPLACE (
               'nba_stats_shotchart' AS source, NULL AS player_2_lookup, NULL AS player_2_name,
               NULL AS player_2_id, NULL AS player_2_team_abbr, NULL AS player_2_role)
           FROM nba_raw.play_by_play WHERE event_type = 'shot' AND game_id = ?""",
        [g["shotchart"]],
    )
    eng.execute("DELETE FROM nba_raw.play_by_play WHERE game_id = ?", [g["no_pbp"]])
    eng.execute(
        "UPDATE nba_raw.play_by_play SET shot_distance = NULL, source_zone = NULL "
        "WHERE game_id = ? AND event_type = 'shot' AND shot_type = '2PT' AND event_id % 3 = 0",
        [g["unknown_zones"]],
    )
    eng.execute(
        "UPDATE nba_raw.schedule SET periods = NULL WHERE game_id = ?", [g["overtime_from_minutes"]]
    )
    eng.execute(
        "UPDATE nba_raw.team_boxscores SET minutes = 265 WHERE game_id = ?",
        [g["overtime_from_minutes"]],
    )
    eng.execute("DELETE FROM nba_raw.schedule WHERE game_id = ?", [g["no_schedule"]])
    return g


def plant_prop_ladders(eng: DuckDBEngine) -> None:
    """Ladders: two off-main rungs with lopsided prices beside a third of the quotes."""
    for delta, over, under in ((-2.0, 1.45, 2.75), (2.0, 2.75, 1.45)):
        eng.execute(
            f"""INSERT INTO nba_raw.player_props SELECT * REPLACE (
                    points_line + {delta} AS points_line, {over} AS over_price,
                    {under} AS under_price)
                FROM nba_raw.player_props
                WHERE hash(player_lookup, snapshot_timestamp, bookmaker) % 3 = 0"""
        )


def plant_in_game_snapshots(
    eng: DuckDBEngine, games: str = "hash(game_id) % 5 = 0", params: list | None = None
) -> None:
    """In-game and tip-off snapshots (far-off lines) of a known book, and a book quoting only
    at and after tip-off, for the games matching the SQL condition ``games``."""
    for book, mbt, shift in (("draftkings", -30, 7.0), ("aaabook", -30, 3.0), ("aaabook", 0, 1.0)):
        eng.execute(
            f"""INSERT INTO nba_raw.player_props SELECT * REPLACE (
                    game_start_time - INTERVAL ({mbt}) MINUTE AS snapshot_timestamp,
                    {mbt} AS minutes_before_tipoff, '{book}' AS bookmaker,
                    points_line + {shift} AS points_line)
                FROM nba_raw.player_props WHERE {games}
                QUALIFY row_number() OVER (PARTITION BY game_id, player_lookup
                                           ORDER BY snapshot_timestamp DESC, bookmaker,
                                                    points_line) = 1""",
            params or [],
        )


def plant_prop_edge_cases(eng: DuckDBEngine, days: list[dt.date] | None = None) -> None:
    """Player props as books really quote them (player_prop_lines and what reads it): ladders,
    rungs without prices, in-game and tip-off snapshots, a book quoting only then, and second
    feeds carrying the same books."""
    plant_prop_ladders(eng)
    # A rung without prices (never the main line while a priced rung exists).
    eng.execute(
        """INSERT INTO nba_raw.player_props SELECT * REPLACE (
               points_line - 0.5 AS points_line, NULL AS over_price, NULL AS under_price)
           FROM nba_raw.player_props WHERE hash(player_lookup, snapshot_timestamp) % 7 = 0"""
    )
    plant_in_game_snapshots(eng)
    # A second feed carrying the same books with other lines: the first feed A..Z is used.
    eng.execute(
        """INSERT INTO nba_raw.player_props SELECT * REPLACE (
               'zzfeed' AS source, points_line + 1 AS points_line)
           FROM nba_raw.player_props WHERE hash(game_id) % 4 = 0 AND source = 'synthetic'"""
    )
    eng.execute(
        """INSERT INTO nba_raw.player_props SELECT * REPLACE (
               'aafeed' AS source, points_line - 1 AS points_line)
           FROM nba_raw.player_props WHERE hash(game_id) % 4 = 1 AND source = 'synthetic'"""
    )


def mess_up_game_lines_and_reports(eng: DuckDBEngine) -> None:
    """Messy lines and injury reports: each book captured at its own time (some closing
    captures after tip-off), a fifth of closing captures lost, in-game snapshots, post-tip-off
    reports that must be ignored, statuses in mixed case and with stray spaces."""
    shift = "(CAST(hash(game_id || bookmaker || minutes_before_tipoff) % 61 AS INTEGER) - 30)"
    eng.execute(
        f"UPDATE nba_raw.game_lines SET snapshot_timestamp = snapshot_timestamp "
        f"+ to_minutes({shift}), minutes_before_tipoff = minutes_before_tipoff - {shift}"
    )
    eng.execute(
        "DELETE FROM nba_raw.game_lines WHERE minutes_before_tipoff < 200 "
        "AND hash(game_id || bookmaker) % 5 = 0"
    )
    eng.execute(
        "INSERT INTO nba_raw.game_lines SELECT * REPLACE (game_start_time + INTERVAL 40 "
        "MINUTE AS snapshot_timestamp, -40 AS minutes_before_tipoff, outcome_point + 9 "
        "AS outcome_point) FROM nba_raw.game_lines WHERE bookmaker = 'draftkings' "
        "QUALIFY row_number() OVER (PARTITION BY game_id, market_key, outcome_name "
        "ORDER BY snapshot_timestamp DESC) = 1"
    )
    eng.execute(
        "INSERT INTO nba_raw.injury_report SELECT * REPLACE (report_timestamp + INTERVAL 8 "
        "HOUR AS report_timestamp, 'out' AS injury_status) FROM nba_raw.injury_report "
        "WHERE injury_status IN ('probable', 'available')"
    )
    eng.execute(
        "UPDATE nba_raw.injury_report SET injury_status = CASE hash(player_lookup) % 3 "
        "WHEN 0 THEN upper(injury_status) "
        "WHEN 1 THEN ' ' || upper(injury_status[1]) || injury_status[2:] "
        "ELSE injury_status END"
    )
