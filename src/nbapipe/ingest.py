"""Ingesting a set of canonical tables: one transaction, scoped replace, registry, run record."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from nbapipe import registry
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.progress import NoProgress, ProgressSink
from nbapipe.sources import schema
from nbapipe.sources.load import IngestSummary, new_run_id, record_ingest_run, replace_scope


def season_bounds(season_year: int) -> tuple[dt.date, dt.date]:
    """All dates that belong to a season by ``season_year_of``: Oct 1 to Sep 30."""
    return dt.date(season_year, 10, 1), dt.date(season_year + 1, 9, 30)


def ingest_tables(
    engine: DuckDBEngine,
    tables: dict[str, pa.Table],
    *,
    source: str,
    source_file: str,
    seasons: list[int],
    progress: ProgressSink | None = None,
    detail: dict | None = None,
) -> IngestSummary:
    """Replace ``source``'s rows for ``seasons`` with ``tables``, all or nothing.

    Players in the box scores are registered first, in the same transaction, and the rows are
    written with the registry's ``player_lookup`` and ``universal_player_id`` (two players
    with one name stay two keys). Prop and injury rows that name a player only by a name two
    registry players share are left out and logged to ``registry_failures`` as ambiguous.
    """
    progress = progress or NoProgress()
    run_id = new_run_id(source)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    summary = IngestSummary(run_id=run_id, source=source, files=1, detail=detail or {})
    bounds = [season_bounds(y) for y in seasons]
    writable = [t for t in schema.RAW_TABLES if t.name in tables]
    with engine.transaction():
        # the names this ingest cannot resolve are logged as it goes, for the seasons it replaces
        engine.execute(
            f"DELETE FROM {registry.FAILURES} WHERE source = ? "
            f"AND {registry.context_file()} = ? AND ("
            + " OR ".join("game_date BETWEEN ? AND ?" for _ in bounds)
            + ")",
            [source, source, *(d for b in bounds for d in b)],
        )
        incoming = tables
        tables, reg = registry.identify_players(engine, tables, source=source)
        summary.new_players = reg.new_players
        summary.add_reresolved(registry.reresolve_stored(engine))
        tables, ambiguous = registry.drop_shared_names(
            engine, tables, source=source, context="{table}:" + source
        )
        summary.unresolved_names = ambiguous
        for i, table in enumerate(writable):
            progress.step("write", i, len(writable) + 1)
            date_col = table.date_column
            ranges = " OR ".join(f"{date_col} BETWEEN ? AND ?" for _ in bounds)
            params: list = [source]
            for lo, hi in bounds:
                params += [lo, hi]
            result = replace_scope(
                engine,
                table,
                tables[table.name],
                scope_sql=f"source = ? AND ({ranges})",
                scope_params=params,
                source=source,
                source_file=source_file,
                run_id=run_id,
            )
            summary.tables[table.fqn] = result.written
            summary.rows_in += incoming[table.name].num_rows
            summary.rows_written += result.written
        progress.step("write", len(writable), len(writable) + 1)
        record_ingest_run(engine, summary, started_at=started, status="success")
    progress.step("write", len(writable) + 1, len(writable) + 1)
    return summary
