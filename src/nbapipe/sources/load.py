"""Writing canonical raw tables: conform to the declared schema, replace a scope, check keys.

Sources hand over Arrow tables in the canonical layout; this module is the only writer of
``nba_raw``. Every write replaces exactly the scope it is given (so re-running changes
nothing) and happens inside the caller's transaction (so a failure leaves nothing behind).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa

from nbapipe.engine.duckdb import DuckDBEngine, quote_ident
from nbapipe.errors import InputError
from nbapipe.sources import schema
from nbapipe.sources.schema import Table

if TYPE_CHECKING:
    from nbapipe.registry import Reresolved


def new_run_id(source: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{source}-{stamp}-{uuid.uuid4().hex[:8]}"


def conform(table: Table, data: pa.Table, *, where: str = "") -> pa.Table:
    """Return ``data`` with exactly the declared columns and types, or raise InputError."""
    target = table.arrow_schema()
    missing = [n for n in target.names if n not in data.column_names]
    if missing:
        raise InputError(f"{table.fqn}{where}: missing column(s) {', '.join(missing)}")
    columns = []
    for f in target:
        col = data.column(f.name)
        if col.type != f.type:
            try:
                col = col.cast(f.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InputError(
                    f"{table.fqn}{where}: column {f.name} is {col.type}, expected {f.type}"
                ) from exc
        if not f.nullable and col.null_count:
            raise InputError(
                f"{table.fqn}{where}: column {f.name} has {col.null_count} empty value(s)"
            )
        columns.append(col)
    return pa.Table.from_arrays(columns, schema=target)


@dataclass
class WriteResult:
    table: str
    deleted: int
    written: int


def replace_scope(
    engine: DuckDBEngine,
    table: Table,
    data: pa.Table,
    *,
    scope_sql: str,
    scope_params: list | None = None,
    source: str,
    source_file: str,
    run_id: str,
) -> WriteResult:
    """Delete the rows matching ``scope_sql`` (a WHERE clause), insert ``data``, check the key.

    Call inside ``engine.transaction()``; the duplicate-key check raises, rolling it back.
    """
    data = conform(table, data)
    fqn = table.fqn
    deleted = engine.fetchone(f"SELECT count(*) FROM {fqn} WHERE {scope_sql}", scope_params or [])[
        0
    ]
    engine.execute(f"DELETE FROM {fqn} WHERE {scope_sql}", scope_params or [])
    cols = ", ".join(quote_ident(c) for c in table.data_column_names)
    with engine.registered("_incoming", data):
        engine.execute(
            f"INSERT INTO {fqn} SELECT {cols}, ?, ?, ? FROM _incoming",
            [source, source_file, run_id],
        )
    _check_key(engine, table, run_id)
    return WriteResult(fqn, int(deleted), data.num_rows)


def _check_key(engine: DuckDBEngine, table: Table, run_id: str) -> None:
    keys = ", ".join(quote_ident(k) for k in table.key)
    dup = engine.fetchone(
        f"""
        SELECT {keys}, count(*) AS n FROM {table.fqn}
        WHERE ({keys}) IN (SELECT ({keys}) FROM {table.fqn} WHERE ingest_run_id = ?)
        GROUP BY ALL HAVING count(*) > 1 LIMIT 1
        """,
        [run_id],
    )
    if dup:
        shown = ", ".join(f"{k}={v}" for k, v in zip(table.key, dup[:-1], strict=True))
        raise InputError(
            f"{table.fqn}: duplicate key ({shown}) appears {dup[-1]} times; "
            f"keys are ({', '.join(table.key)})"
        )


@dataclass
class IngestSummary:
    run_id: str
    source: str
    files: int = 0
    rows_in: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    unresolved_names: int = 0
    new_players: int = 0
    # names logged as unresolved by earlier ingests that the registry now resolves, and their
    # stored rows given the registry's lookup (registry.reresolve_stored)
    names_resolved: int = 0
    rows_resolved: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    detail: dict = field(default_factory=dict)

    def add_reresolved(self, done: Reresolved) -> None:
        self.names_resolved += done.names
        self.rows_resolved += done.rows


def record_ingest_run(
    engine: DuckDBEngine, summary: IngestSummary, *, started_at: dt.datetime, status: str
) -> None:
    engine.execute(
        f"INSERT INTO {schema.INGEST_RUNS.fqn} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            summary.run_id,
            summary.source,
            started_at,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            status,
            summary.files,
            summary.rows_in,
            summary.rows_written,
            summary.rows_rejected,
            summary.unresolved_names,
            json.dumps(summary.detail | {"tables": summary.tables}, default=str),
        ],
    )
