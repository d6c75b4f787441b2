"""The DuckDB engine: the one owner of the connection, transactions and range writes."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from nbapipe.errors import WarehouseError

# Log size at which a commit also checkpoints (see DuckDBEngine.__init__).
CHECKPOINT_THRESHOLD = "1GB"


def quote_ident(name: str) -> str:
    """Quote a (possibly schema-qualified) identifier: nba_raw.schedule -> "nba_raw"."schedule"."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


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
        try:
            self.con = duckdb.connect(
                str(self.path) if self.path else ":memory:", read_only=read_only
            )
        except duckdb.Error as exc:
            if "lock" in str(exc).lower() and self.path is not None:
                from nbapipe.engine.lock import WarehouseBusy, describe_holder

                raise WarehouseBusy(
                    f"warehouse {self.path} is busy ({describe_holder(self.path)}); "
                    "try again when it finishes (write commands accept --wait)"
                ) from exc
            raise WarehouseError(f"cannot open warehouse {self.path}: {_short(exc)}") from exc

        # Progress is ours to draw; DuckDB's own bar would interleave with it.
        with contextlib.suppress(duckdb.Error):
            self.con.execute("SET enable_progress_bar = false")
        if not read_only:
            # A commit over the default 16 MB of log checkpoints the whole database; the
            # runner commits once per chunk, so it checkpoints once per model instead.
            with contextlib.suppress(duckdb.Error):
                self.con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")

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
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        )
        return bool(row and row[0])

    def columns(self, fqn: str) -> list[tuple[str, str]]:
        schema, name = fqn.split(".", 1)
        return [
            (r[0], r[1])
            for r in self.fetchall(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, name],
            )
        ]

    def materialize(self, name: str, sql: str) -> None:
        self.execute(f"CREATE OR REPLACE TEMP TABLE {quote_ident(name)} AS {sql}")

    def checkpoint(self) -> None:
        self.execute("CHECKPOINT")

    def drop(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")

    def window_fingerprints(
        self,
        upstreams: Sequence[tuple[str, str, Sequence[str]]],
        start: dt.date,
        end_exclusive: dt.date,
        lookback_days: int,
    ) -> dict[dt.date, str]:
        if not upstreams:
            return {}
        lo = start - dt.timedelta(days=lookback_days)
        parts, names = [], []
        for i, (table, date_col, cols) in enumerate(upstreams):
            dc = quote_ident(date_col)
            packed = ", ".join(quote_ident(c) for c in cols)
            # XOR of row hashes: order-free, so equal data gives an equal fingerprint.
            parts.append(
                f"""
                u{i} AS (
                    SELECT {dc} AS d, bit_xor(hash(struct_pack({packed}))) AS h, count(*) AS n
                    FROM {table} WHERE {dc} >= ? AND {dc} < ? GROUP BY {dc}
                ),
                w{i} AS (
                    SELECT s.d, coalesce(bit_xor(u.h), 0) AS h, coalesce(sum(u.n), 0) AS n
                    FROM spine s LEFT JOIN u{i} u ON u.d BETWEEN s.d - {int(lookback_days)} AND s.d
                    GROUP BY s.d
                )"""
            )
            names.append(f"w{i}")
        combined = " || '|' || ".join(f"CAST({w}.h AS VARCHAR) || ':' || {w}.n" for w in names)
        joins = " ".join(f"JOIN {w} USING (d)" for w in names)
        sql = f"""
            WITH spine AS (
                SELECT CAST(t.d AS DATE) AS d FROM range(?::DATE, ?::DATE, INTERVAL 1 DAY) t(d)
            ),
            {",".join(parts)}
            SELECT spine.d, md5({combined}) FROM spine {joins}
        """
        params: list[Any] = [start, end_exclusive]
        for _ in upstreams:
            params += [lo, end_exclusive]
        return dict(self.fetchall(sql, params))

    def replace_dates(
        self,
        table: str,
        date_column: str,
        source: str,
        columns: Sequence[str],
        dates: Sequence[dt.date],
        extra_values: Sequence[Any] = (),
        row_filter: str = "TRUE",
    ) -> int:
        if not dates:
            return 0
        dc = quote_ident(date_column)
        cols = ", ".join(quote_ident(c) for c in columns)
        extras = "".join(", ?" for _ in extra_values)
        with self.registered(
            "_replace_dates", pa.table({"d": pa.array(sorted(dates), pa.date32())})
        ):
            self.execute(
                f"DELETE FROM {table} WHERE {dc} >= ? AND {dc} <= ? "
                f"AND {dc} IN (SELECT d FROM _replace_dates)",
                [min(dates), max(dates)],
            )
            before = self.fetchone(f"SELECT count(*) FROM {table}")[0]
            self.execute(
                f"INSERT INTO {table} SELECT {cols}{extras} FROM {source} "
                f"WHERE ({row_filter}) AND {dc} IN (SELECT d FROM _replace_dates)",
                list(extra_values),
            )
            return int(self.fetchone(f"SELECT count(*) FROM {table}")[0] - before)

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
