"""What the warehouse holds: rows and date coverage per table and source, in one pass each."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.sources import schema
from nbapipe.teams import team_abbr
from nbapipe.warehouse import current_version, latest_version

# Columns that place a row with a team, per table, for --team.
_TEAM_FILTERS = {
    "schedule": "(home_team_abbr = ? OR away_team_abbr = ?)",
    "team_rosters": "team_abbr = ?",
    "player_boxscores": "team_abbr = ?",
    "team_boxscores": "team_abbr = ?",
    "play_by_play": "(home_team_abbr = ? OR away_team_abbr = ?)",
    "player_props": "(home_team_abbr = ? OR away_team_abbr = ?)",
    "game_lines": "(home_team_abbr = ? OR away_team_abbr = ?)",
    "injury_report": "team_abbr = ?",
}


@dataclass
class TableCoverage:
    table: str
    source: str | None
    rows: int
    games: int | None
    first_date: str | None
    last_date: str | None
    dates: int


@dataclass
class SourceCoverage:
    source: str
    files_loaded: int
    files_refused: int
    rows_rejected: int
    unresolved_names: int
    last_ingest: str | None


@dataclass
class WarehouseStatus:
    warehouse: str
    schema_version: int | None
    latest_schema_version: int
    team: str | None
    tables: list[TableCoverage] = field(default_factory=list)
    sources: list[SourceCoverage] = field(default_factory=list)
    registry_players: int = 0
    registry_aliases: int = 0
    registry_failures: int = 0
    ingest_runs: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def warehouse_status(engine: DuckDBEngine, *, team: str | None = None) -> WarehouseStatus:
    abbr = team_abbr(team, where="--team") if team else None
    out = WarehouseStatus(
        warehouse=str(engine.path or ":memory:"),
        schema_version=current_version(engine),
        latest_schema_version=latest_version(),
        team=abbr,
    )
    for table in schema.RAW_TABLES:
        date_col = table.date_column
        has_game = "game_id" in table.data_column_names
        games = "count(DISTINCT game_id)" if has_game else "NULL"
        where, params = "", []
        if abbr:
            clause = _TEAM_FILTERS[table.name]
            where = f"WHERE {clause}"
            params = [abbr] * clause.count("?")
        rows = engine.fetchall(
            f"""
            SELECT source, count(*), {games}, CAST(min({date_col}) AS VARCHAR),
                   CAST(max({date_col}) AS VARCHAR), count(DISTINCT {date_col})
            FROM {table.fqn} {where} GROUP BY source ORDER BY source
            """,
            params,
        )
        if not rows:
            out.tables.append(
                TableCoverage(table.fqn, None, 0, 0 if has_game else None, None, None, 0)
            )
        for source, n, g, lo, hi, days in rows:
            out.tables.append(TableCoverage(table.fqn, source, n, g, lo, hi, days))
    out.sources = [
        SourceCoverage(*row)
        for row in engine.fetchall(
            f"""
            WITH names AS (
                SELECT source FROM {schema.INGEST_RUNS.fqn}
                UNION SELECT source FROM {schema.INGEST_REJECTS.fqn}
            ),
            loaded AS (
                SELECT source, count(*) AS n FROM {schema.INGEST_FILES.fqn}
                WHERE status = 'loaded' GROUP BY source
            ),
            rejects AS (
                SELECT source, count(*) FILTER (WHERE row_number = 0) AS refused,
                       count(DISTINCT (ingest_run_id, source_file, row_number))
                           FILTER (WHERE row_number > 0) AS rows
                FROM {schema.INGEST_REJECTS.fqn} GROUP BY source
            ),
            failures AS (
                SELECT source, count(DISTINCT player_lookup) AS n
                FROM {schema.REGISTRY_FAILURES.fqn} GROUP BY source
            ),
            runs AS (
                SELECT source, strftime(max(finished_at), '%Y-%m-%d %H:%M:%S') AS last
                FROM {schema.INGEST_RUNS.fqn} GROUP BY source
            )
            SELECT n.source, coalesce(l.n, 0), coalesce(r.refused, 0), coalesce(r.rows, 0),
                   coalesce(f.n, 0), u.last
            FROM names n
            LEFT JOIN loaded l USING (source) LEFT JOIN rejects r USING (source)
            LEFT JOIN failures f USING (source) LEFT JOIN runs u USING (source)
            ORDER BY n.source
            """
        )
    ]
    out.registry_players = engine.fetchone(f"SELECT count(*) FROM {schema.PLAYERS_REGISTRY.fqn}")[0]
    out.registry_aliases = engine.fetchone(f"SELECT count(*) FROM {schema.PLAYER_ALIASES.fqn}")[0]
    # names, as the ingests table counts them (the log has a row per name, date and file)
    out.registry_failures = engine.fetchone(
        "SELECT count(*) FROM (SELECT DISTINCT source, player_lookup "
        f"FROM {schema.REGISTRY_FAILURES.fqn})"
    )[0]
    out.ingest_runs = engine.fetchone(f"SELECT count(*) FROM {schema.INGEST_RUNS.fqn}")[0]
    return out
