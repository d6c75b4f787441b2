"""The DuckDB engine: the one owner of the connection, transactions and range writes."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from nbapipe.errors import WarehouseError

# Log size at which a commit checkpoints instead of appending to the write-ahead log.
CHECKPOINT_THRESHOLD = "16MB"
# Rows per row group of the tables we write (DuckDB's default is 122,880). Smaller groups fill
# up during a model's insert, so DuckDB writes them to the file as the insert goes instead of
# compressing the whole table on one core at commit: a 4-season backfill takes about 9% less
# time and CPU (BENCHMARKS.md, round 4). It is an option of the attached file, not stored in
# it, so every write connection sets it.
ROW_GROUP_SIZE = 32768
# Optimizer passes a short range's statements skip (light_planning). Over one date the twelve
# model statements spend about as long being planned as being run, and these three passes
# are a third of the feature store's 33 ms of optimising; over four seasons they pay off, so
# backfills keep them. The rows are the same either way (tested).
LIGHT_PLANNING_SKIPS = ("projection_placement", "projection_pullup", "common_subexpressions")
# The in-memory catalog of tables one run shares between its sessions (never stored).
SHARED_CATALOG = "nbapipe_shared"
# Names DuckDB (or we) give other catalogs: a warehouse file may not be attached under them.
_RESERVED_CATALOGS = frozenset({"memory", "temp", "system", "main", SHARED_CATALOG})


def quote_ident(name: str) -> str:
    """Quote a (possibly schema-qualified) identifier: nba_raw.schedule -> "nba_raw"."schedule"."""
    return ".".join(_quote_name(part) for part in name.split("."))


def quote_literal(text: str) -> str:
    """A SQL string literal: it's -> 'it''s'."""
    return "'" + text.replace("'", "''") + "'"


def _quote_name(name: str) -> str:
    """Quote one identifier (dots included): my.wh -> "my.wh"."""
    return '"' + name.replace('"', '""') + '"'


def _catalog_name(path: Path) -> str:
    """The name the warehouse file is attached under: its stem, as DuckDB names a file it
    opens, unless DuckDB uses that name itself."""
    stem = path.stem or "warehouse"
    return "warehouse" if stem.lower() in _RESERVED_CATALOGS else stem


def _check_creatable(path: Path) -> None:
    folder = path.parent
    if not folder.exists():
        raise WarehouseError(f"cannot create warehouse {path}: folder {folder} does not exist")
    if not folder.is_dir():
        raise WarehouseError(f"cannot create warehouse {path}: {folder} is not a folder")
    mode = folder.stat().st_mode
    writable_bits = mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    # Root may write anywhere; a folder without write bits was still made read-only on purpose.
    if not os.access(folder, os.W_OK) or not writable_bits:
        raise WarehouseError(f"cannot create warehouse {path}: folder {folder} is read-only")


class DuckDBEngine:
    """Owns one DuckDB connection to a warehouse file (or ``:memory:``)."""

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = True):
        self.path = Path(path) if str(path) != ":memory:" else None
        self.created = False
        if self.path is not None:
            if not self.path.exists():
                if read_only or not create:
                    raise WarehouseError(
                        f"no warehouse at {self.path}: run `nbapipe init` first "
                        "(or pass --warehouse PATH / set NBAPIPE_WAREHOUSE)"
                    )
                _check_creatable(self.path)
                self.created = True
            elif self.path.is_dir():
                raise WarehouseError(f"warehouse path {self.path} is a folder, not a file")
        self.catalog: str | None = None
        self.con = duckdb.connect(":memory:")
        try:
            if self.path is not None:
                self.catalog = _catalog_name(self.path)
                # TYPE DUCKDB: without it, DuckDB attaches e.g. an existing .csv or .json file
                # as an empty in-memory database, and every write would silently vanish
                access = "READ_ONLY" if read_only else f"ROW_GROUP_SIZE {ROW_GROUP_SIZE}"
                options = f"TYPE DUCKDB, {access}"
                self.con.execute(
                    f"ATTACH {quote_literal(str(self.path))} AS {_quote_name(self.catalog)} "
                    f"({options})"
                )
        except duckdb.Error as exc:
            self.con.close()
            if "lock" in str(exc).lower() and self.path is not None:
                from nbapipe.engine.lock import WarehouseBusy, describe_holder

                # Every command but quickstart takes --wait and then retries the open
                # (api._open_waiting): a reader waits for a run writing the warehouse, a
                # writer also for a process outside nbapipe that holds it.
                raise WarehouseBusy(
                    f"warehouse {self.path} is busy ({describe_holder(self.path)}); "
                    "try again when it finishes, or add --wait"
                ) from exc
            raise WarehouseError(f"cannot open warehouse {self.path}: {_short(exc)}") from exc

        # An in-memory database beside the warehouse (materialize_shared): every session
        # (cursor) of this connection sees its tables, nothing reaches the warehouse file,
        # and a statement that writes only there runs while another session holds a write
        # transaction.
        self.con.execute(f"ATTACH ':memory:' AS {SHARED_CATALOG}")
        self._configure()
        if not read_only:
            # A large commit (the runner commits once per model) then writes its rows into
            # the database file once, instead of into the log first and the file later.
            with contextlib.suppress(duckdb.Error):
                self.con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")

    def _configure(self) -> None:
        if self.catalog is not None:
            # The warehouse file is attached next to DuckDB's in-memory catalog; every
            # connection (and every session's cursor) works in the warehouse.
            self.con.execute(f"USE {_quote_name(self.catalog)}")
        # Progress is ours to draw; DuckDB's own bar would interleave with it.
        with contextlib.suppress(duckdb.Error):
            self.con.execute("SET enable_progress_bar = false")
            self.con.execute("SET preserve_insertion_order = false")

    @contextlib.contextmanager
    def session(self) -> Iterator[DuckDBEngine]:
        """A second connection to the same database (DuckDB: a cursor), for another thread."""
        other = object.__new__(DuckDBEngine)
        other.path, other.created, other.catalog = self.path, False, self.catalog
        other.con = self.con.cursor()
        other._configure()
        try:
            yield other
        finally:
            other.con.close()

    # -- execution ---------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict | None = None):
        try:
            return self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {_short(exc)}") from exc

    def fetchall(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] | dict | None = None) -> tuple | None:
        # Fetch everything: a half-read result keeps the connection busy.
        rows = self.execute(sql, params).fetchall()
        return rows[0] if rows else None

    def arrow(self, sql: str, params: Sequence[Any] | dict | None = None) -> pa.Table:
        try:
            relation = self.con.sql(sql, params=params)
            return relation.to_arrow_table() if relation is not None else pa.table({})
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {_short(exc)}") from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[DuckDBEngine]:
        """All-or-nothing: commit on success, roll back on any exception."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    @contextlib.contextmanager
    def registered(self, name: str, data: pa.Table) -> Iterator[str]:
        """Expose an Arrow table to SQL under ``name`` for the duration of the block."""
        self.con.register(name, data)
        try:
            yield name
        finally:
            self.con.unregister(name)

    # -- catalog -----------------------------------------------------------------------
    def table_exists(self, fqn: str) -> bool:
        schema, name = fqn.split(".", 1)
        row = self.fetchone(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
            [schema, name],
        )
        return bool(row and row[0])

    def columns(self, fqn: str) -> list[tuple[str, str]]:
        schema, name = fqn.split(".", 1)
        return [
            (r[0], r[1])
            for r in self.fetchall(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
                [schema, name],
            )
        ]

    def materialize(self, name: str, sql: str) -> None:
        self.execute(f"CREATE OR REPLACE TEMP TABLE {quote_ident(name)} AS {sql}")

    def drop(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")

    @contextlib.contextmanager
    def statement_threads(self) -> Iterator[Callable[[int | None], None]]:
        # DuckDB's thread pool belongs to the database instance: every session of this
        # engine (they are cursors of one connection) shares the setting.
        current: list[int | None] = [None]

        def set_threads(threads: int | None) -> None:
            if threads != current[0]:
                self.execute("RESET threads" if threads is None else f"SET threads = {threads:d}")
                current[0] = threads

        try:
            yield set_threads
        finally:
            with contextlib.suppress(WarehouseError):
                set_threads(None)

    @contextlib.contextmanager
    def light_planning(self) -> Iterator[None]:
        """Statements over a short range (a daily run) inside the block skip the optimizer
        passes that cost more planning time than they save there."""
        self.execute(f"SET disabled_optimizers = '{', '.join(LIGHT_PLANNING_SKIPS)}'")
        try:
            yield
        finally:
            with contextlib.suppress(WarehouseError):
                self.execute("RESET disabled_optimizers")

    def materialize_shared(self, name: str, sql: str) -> str:
        relation = f"{SHARED_CATALOG}.main.{quote_ident(name)}"
        self.execute(f"CREATE OR REPLACE TABLE {relation} AS {sql}")
        return relation

    def drop_shared(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {SHARED_CATALOG}.main.{quote_ident(name)}")

    def date_hashes_sql(
        self,
        table: str,
        date_column: str,
        columns: Sequence[str],
        start: dt.date,
        end_exclusive: dt.date,
    ) -> str:
        dc = quote_ident(date_column)
        packed = ", ".join(quote_ident(c) for c in columns)
        # XOR of row hashes: order-free, so equal data gives an equal hash; the row count
        # keeps two identical rows (which cancel in the XOR) visible.
        return f"""
            SELECT {dc} AS d, CAST(bit_xor(hash(struct_pack({packed}))) AS UBIGINT) AS h,
                   CAST(count(*) AS BIGINT) AS n
            FROM {table}
            WHERE {dc} >= DATE '{start.isoformat()}' AND {dc} < DATE '{end_exclusive.isoformat()}'
            GROUP BY {dc}
        """

    def window_fingerprints(
        self,
        per_upstream: Sequence[str],
        start: dt.date,
        end_exclusive: dt.date,
        lookback_days: int,
    ) -> dict[dt.date, str]:
        if not per_upstream:
            return {}
        lo = start - dt.timedelta(days=lookback_days + 1)
        hashes = " UNION ALL ".join(
            f"SELECT {i} AS u, CAST(d AS DATE) AS d, CAST(h AS UBIGINT) AS h, "
            f"CAST(n AS BIGINT) AS n FROM ({sql}) AS u{i}"
            for i, sql in enumerate(per_upstream)
        )
        upstreams = " UNION ALL ".join(f"SELECT {i} AS u" for i in range(len(per_upstream)))
        # XOR and sums are invertible, so each window [D - lookback, D] is a difference of
        # running totals: one pass over the days instead of a join of every day with its window.
        sql = f"""
            WITH days AS (
                SELECT CAST(t.d AS DATE) AS d FROM range(?::DATE, ?::DATE, INTERVAL 1 DAY) t(d)
            ),
            dense AS (
                SELECT x.u, days.d, coalesce(h.h, 0) AS h, coalesce(h.n, 0) AS n
                FROM days CROSS JOIN ({upstreams}) x
                LEFT JOIN ({hashes}) h ON h.u = x.u AND h.d = days.d
            ),
            running AS (
                SELECT u, d,
                       bit_xor(h) OVER by_day AS ch,
                       sum(n) OVER by_day AS cn
                FROM dense
                WINDOW by_day AS (PARTITION BY u ORDER BY d
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            ),
            windows AS (
                SELECT cur.u, cur.d,
                       xor(cur.ch, coalesce(old.ch, CAST(0 AS UBIGINT))) AS h,
                       cur.cn - coalesce(old.cn, 0) AS n
                FROM running cur
                LEFT JOIN running old
                  ON old.u = cur.u AND old.d = cur.d - {int(lookback_days) + 1}
                WHERE cur.d >= ?
            )
            SELECT d, md5(string_agg(CAST(h AS VARCHAR) || ':' || CAST(n AS VARCHAR), '|'
                                     ORDER BY u))
            FROM windows GROUP BY d
        """
        return dict(self.fetchall(sql, [lo, end_exclusive, start]))

    def temp_dates(self, name: str, dates: Sequence[dt.date]) -> None:
        self.execute(
            f"CREATE OR REPLACE TEMP TABLE {quote_ident(name)} AS "
            "SELECT CAST(unnest(?) AS DATE) AS d",
            [sorted(dates)],
        )

    def insert_columns(self, table: str, columns: dict[str, Sequence[Any]]) -> None:
        names = ", ".join(quote_ident(c) for c in columns)
        values = ", ".join("unnest(?)" for _ in columns)
        self.execute(
            f"INSERT INTO {table} ({names}) SELECT {values}", [list(v) for v in columns.values()]
        )

    def replace_dates(
        self,
        table: str,
        date_column: str,
        source: str,
        columns: Sequence[str],
        dates: Sequence[dt.date],
        extra_values: Sequence[Any] = (),
        row_filter: str = "TRUE",
        source_rows: int | None = None,
        extra_columns: Sequence[str] = (),
    ) -> int:
        if not dates:
            return 0
        dc = quote_ident(date_column)
        cols = ", ".join(quote_ident(c) for c in columns)
        extras = "".join(", ?" for _ in extra_values)
        days = sorted(dates)
        self.execute(
            f"DELETE FROM {table} WHERE {dc} >= ? AND {dc} <= ? "
            f"AND {dc} IN (SELECT unnest(?::DATE[]))",
            [days[0], days[-1], days],
        )
        where = f"WHERE ({row_filter}) AND {dc} IN (SELECT unnest(?::DATE[]))"
        select = f"SELECT {cols}{extras} FROM {source} {where}"
        params = [*extra_values, days]
        if source_rows is not None and source_rows > ROW_GROUP_SIZE:
            # The source is a temp table: one row group of up to 122,880 rows, which DuckDB
            # scans on one thread, so the insert (which compresses what it writes) would run
            # on one core. Split it instead into branches of exactly ROW_GROUP_SIZE inserted
            # rows each, by rowid: the branches run side by side, and each fills one row
            # group of the table, so no partly filled group is left for the next checkpoint
            # to merge.
            starts = [
                r
                for (r,) in self.fetchall(
                    f"SELECT rowid FROM (SELECT rowid, row_number() OVER (ORDER BY rowid) AS i "
                    f"FROM {source} {where}) WHERE i % {ROW_GROUP_SIZE} = 1 ORDER BY rowid",
                    [days],
                )
            ]
            if len(starts) > 1:
                bounds = [*starts[1:], None]
                select = " UNION ALL ".join(
                    f"{select} AND rowid >= {lo}" + (f" AND rowid < {hi}" if hi is not None else "")
                    for lo, hi in zip(starts, bounds, strict=True)
                )
                params = params * len(starts)
        target = table
        if extra_columns:
            target += f" ({', '.join(quote_ident(c) for c in [*columns, *extra_columns])})"
        inserted = self.execute(f"INSERT INTO {target} {select}", params).fetchall()
        return int(inserted[0][0])

    def columns_of_query(self, sql: str) -> list[tuple[str, str]]:
        """(name, type) of what a query returns, without running it."""
        return [(r[0], r[1]) for r in self.fetchall(f"DESCRIBE ({sql})")]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _short(exc: BaseException) -> str:
    """First line of an engine error, without DuckDB's multi-line hints."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
