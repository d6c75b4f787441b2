"""What the pipeline needs from an engine. DuckDB implements it; Spark is next.

The runner speaks only this interface (plus portable SQL): anything engine-specific (how a
date spine is made, how rows are hashed, how a temp table is created) lives in the engine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa


class Engine(Protocol):
    path: Path | None

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any: ...

    def fetchall(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]: ...

    def fetchone(self, sql: str, params: Sequence[Any] | dict | None = None) -> tuple | None: ...

    def arrow(self, sql: str, params: Sequence[Any] | dict | None = None) -> pa.Table: ...

    def transaction(self) -> contextlib.AbstractContextManager[Any]: ...

    def session(self) -> contextlib.AbstractContextManager[Engine]:
        """Another session on the same warehouse, with its own transactions and temp tables,
        for use by one other thread (models that run side by side)."""

    def registered(self, name: str, data: pa.Table) -> contextlib.AbstractContextManager[str]:
        """Expose an Arrow table to SQL under ``name`` for the duration of the block."""

    def table_exists(self, fqn: str) -> bool: ...

    def columns(self, fqn: str) -> list[tuple[str, str]]: ...

    def columns_of_query(self, sql: str) -> list[tuple[str, str]]: ...

    def materialize(self, name: str, sql: str) -> None:
        """Store a query's result as a session-scoped table ``name`` (replacing it)."""

    def drop(self, name: str) -> None: ...

    def materialize_shared(self, name: str, sql: str) -> str:
        """Store a query's result as a table that every session of this engine can read
        (replacing it); returns how SQL names it. Never part of the warehouse's data."""

    def drop_shared(self, name: str) -> None: ...

    def date_hashes_sql(
        self,
        table: str,
        date_column: str,
        columns: Sequence[str],
        start: dt.date,
        end_exclusive: dt.date,
    ) -> str:
        """A query of (d, h, n) per date of ``table`` in [start, end): an order-free hash of
        the rows' ``columns`` and their count."""

    def window_fingerprints(
        self,
        per_upstream: Sequence[str],
        start: dt.date,
        end_exclusive: dt.date,
        lookback_days: int,
    ) -> dict[dt.date, str]:
        """Per date D in [start, end): one hash of every upstream's (d, h, n) rows (each
        upstream a query like :meth:`date_hashes_sql`) dated within [D - lookback_days, D]."""

    def temp_dates(self, name: str, dates: Sequence[dt.date]) -> None:
        """A session-scoped table ``name`` with one DATE column ``d`` holding ``dates``."""

    def insert_columns(self, table: str, columns: dict[str, Sequence[Any]]) -> None:
        """Insert rows given column-wise (equal-length sequences) into ``table``."""

    def statement_threads(
        self,
    ) -> contextlib.AbstractContextManager[Callable[[int | None], None]]:
        """A block that yields ``set_threads(n)``: from then on each statement of every
        session runs on at most ``n`` threads (None: as many as the engine likes, the
        setting the block restores at its end)."""

    def light_planning(self) -> contextlib.AbstractContextManager[None]:
        """A block whose statements, over a short range, may skip optimizer passes that cost
        more planning time than they save on little data (same results)."""

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
        """Replace exactly ``dates`` of ``table`` with the matching rows of relation
        ``source`` (``columns`` then ``extra_values`` appended); returns rows inserted.
        ``source_rows``, when known, is how many rows ``source`` has. With
        ``extra_columns`` (the names of the extra values) rows go in by column name, so the
        table's columns may stand in another order; else by position."""


def date_range(start: dt.date, end_exclusive: dt.date) -> Iterator[dt.date]:
    for i in range((end_exclusive - start).days):
        yield start + dt.timedelta(days=i)
