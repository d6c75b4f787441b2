"""What the pipeline needs from an engine. DuckDB implements it; Spark is next.

The runner speaks only this interface (plus portable SQL): anything engine-specific (how a
date spine is made, how rows are hashed, how a temp table is created) lives in the engine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
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

    def registered(self, name: str, data: pa.Table) -> contextlib.AbstractContextManager[str]:
        """Expose an Arrow table to SQL under ``name`` for the duration of the block."""

    def table_exists(self, fqn: str) -> bool: ...

    def columns(self, fqn: str) -> list[tuple[str, str]]: ...

    def columns_of_query(self, sql: str) -> list[tuple[str, str]]: ...

    def materialize(self, name: str, sql: str) -> None:
        """Store a query's result as a session-scoped table ``name`` (replacing it)."""

    def drop(self, name: str) -> None: ...

    def checkpoint(self) -> None:
        """Make everything committed so far durable in the main store (a no-op where commits
        already are)."""

    def date_hashes(
        self,
        table: str,
        date_column: str,
        columns: Sequence[str],
        start: dt.date,
        end_exclusive: dt.date,
    ) -> pa.Table:
        """Per date of ``table`` in [start, end): (d, h, n), an order-free hash of the rows'
        ``columns`` and their count."""

    def window_fingerprints(
        self,
        per_upstream: Sequence[pa.Table],
        start: dt.date,
        end_exclusive: dt.date,
        lookback_days: int,
    ) -> dict[dt.date, str]:
        """Per date D in [start, end): one hash of every upstream's (d, h, n) rows dated
        within [D - lookback_days, D] (each upstream as :meth:`date_hashes` returns it)."""

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
        """Replace exactly ``dates`` of ``table`` with the matching rows of relation
        ``source`` (``columns`` then ``extra_values`` appended); returns rows inserted."""


def date_range(start: dt.date, end_exclusive: dt.date) -> Iterator[dt.date]:
    for i in range((end_exclusive - start).days):
        yield start + dt.timedelta(days=i)
