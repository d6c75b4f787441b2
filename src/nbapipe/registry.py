"""The player registry: register players from box scores, resolve names from other sources.

Both operations are set-based: one SQL pass over all incoming rows. Python only computes the
name keys (Unicode normalisation) of the *distinct* names involved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.identity import name_keys
from nbapipe.sources import schema

REGISTRY = schema.PLAYERS_REGISTRY.fqn
ALIASES = schema.PLAYER_ALIASES.fqn
FAILURES = schema.REGISTRY_FAILURES.fqn
UNKNOWN_DATE = dt.date(1970, 1, 1)


def name_key_table(names: Iterable[str | None]) -> pa.Table:
    """Resolution keys for each distinct display name."""
    distinct = sorted({n for n in names if n})
    keys = [name_keys(n) for n in distinct]
    return pa.table(
        {
            "player_name": pa.array(distinct, pa.string()),
            "lookup": pa.array([k[0] for k in keys], pa.string()),
            "base_lookup": pa.array([k[1] for k in keys], pa.string()),
            "first_key": pa.array([k[2] for k in keys], pa.string()),
            "last_key": pa.array([k[3] for k in keys], pa.string()),
        }
    )


@dataclass
class RegisterResult:
    new_players: int
    known_players: int


def register_players(engine: DuckDBEngine, players_sql: str, *, source: str) -> RegisterResult:
    """Add the players named by ``players_sql`` to the registry.

    ``players_sql`` yields (player_name, player_lookup, nba_player_id, game_date). A player is
    the same registry entry when the NBA.com id matches, or (without ids) the lookup matches.
    New players get ``<player_lookup>_<NNN>`` ids, NNN counting players sharing that lookup.
    """
    names = engine.arrow(f"SELECT DISTINCT player_name FROM ({players_sql}) p")
    with engine.registered("_registry_name_keys", name_key_table(names["player_name"].to_pylist())):
        engine.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _incoming_players AS
            WITH incoming AS (
                SELECT player_lookup, nba_player_id,
                       arg_max(player_name, game_date) AS player_name,
                       min(game_date) AS first_seen_date, max(game_date) AS last_seen_date
                FROM ({players_sql}) p
                WHERE player_lookup IS NOT NULL AND player_lookup <> ''
                GROUP BY player_lookup, nba_player_id
            ),
            by_id AS (
                SELECT i.player_lookup, i.nba_player_id, r.universal_player_id
                FROM incoming i JOIN {REGISTRY} r ON r.nba_player_id = i.nba_player_id
            ),
            by_lookup AS (
                SELECT i.player_lookup, i.nba_player_id, r.universal_player_id
                FROM incoming i JOIN {REGISTRY} r ON r.player_lookup = i.player_lookup
                WHERE i.nba_player_id IS NULL OR r.nba_player_id IS NULL
                QUALIFY row_number() OVER (
                    PARTITION BY i.player_lookup, i.nba_player_id ORDER BY r.universal_player_id
                ) = 1
            )
            SELECT i.*, coalesce(b.universal_player_id, l.universal_player_id) AS existing_id
            FROM incoming i
            LEFT JOIN by_id b
              ON b.player_lookup = i.player_lookup AND b.nba_player_id = i.nba_player_id
            LEFT JOIN by_lookup l
              ON l.player_lookup = i.player_lookup
             AND l.nba_player_id IS NOT DISTINCT FROM i.nba_player_id
            """
        )
        engine.execute(
            f"""
            INSERT INTO {REGISTRY}
            WITH new_players AS (
                SELECT * FROM _incoming_players WHERE existing_id IS NULL
            ),
            taken AS (
                SELECT player_lookup, count(*) AS n FROM {REGISTRY} GROUP BY player_lookup
            )
            SELECT
                n.player_lookup || '_' || lpad(CAST(coalesce(t.n, 0) + row_number() OVER (
                    PARTITION BY n.player_lookup ORDER BY n.first_seen_date, n.nba_player_id
                ) AS VARCHAR), 3, '0') AS universal_player_id,
                n.player_lookup, n.player_name, n.nba_player_id,
                k.base_lookup, k.first_key, k.last_key,
                n.first_seen_date, n.last_seen_date, ?
            FROM new_players n
            LEFT JOIN taken t ON t.player_lookup = n.player_lookup
            LEFT JOIN _registry_name_keys k ON k.player_name = n.player_name
            """,
            [source],
        )
    engine.execute(
        f"""
        UPDATE {REGISTRY} AS r SET
            first_seen_date = least(r.first_seen_date, i.first_seen_date),
            last_seen_date = greatest(r.last_seen_date, i.last_seen_date)
        FROM _incoming_players i WHERE i.existing_id = r.universal_player_id
        """
    )
    # A name two players share is no alias of either: resolving it needs more context.
    engine.execute(
        f"""
        DELETE FROM {ALIASES} WHERE reason = 'canonical' AND alias_lookup IN (
            SELECT player_lookup FROM {REGISTRY} GROUP BY player_lookup HAVING count(*) > 1)
        """
    )
    engine.execute(
        f"""
        INSERT INTO {ALIASES}
        SELECT player_lookup, min(universal_player_id), min(player_name), 'canonical', ?
        FROM {REGISTRY} r
        WHERE NOT EXISTS (SELECT 1 FROM {ALIASES} a WHERE a.alias_lookup = r.player_lookup)
        GROUP BY player_lookup
        HAVING count(*) = 1
        """,
        [source],
    )
    new, known = engine.fetchone(
        "SELECT count(*) FILTER (WHERE existing_id IS NULL), "
        "count(*) FILTER (WHERE existing_id IS NOT NULL) FROM _incoming_players"
    ) or (0, 0)
    engine.execute("DROP TABLE IF EXISTS _incoming_players")
    return RegisterResult(int(new), int(known))


@dataclass
class ResolveResult:
    names: int
    resolved: int
    unresolved: int
    by_method: dict[str, int]


def resolve_names(
    engine: DuckDBEngine,
    rows_sql: str,
    *,
    source: str,
    context: str,
    output: str = "_resolved_names",
    learn_aliases: bool = True,
) -> ResolveResult:
    """Resolve display names to registry players, in one pass.

    ``rows_sql`` yields (player_name, game_date, team_abbr). Creates the temp table ``output``
    with one row per distinct player_name: universal_player_id, player_lookup (the registry's)
    and method (alias, suffix, nickname), NULL ids for names that did not resolve. Those are
    written to ``nba_processing.registry_failures`` with their dates and teams.
    """
    names = engine.arrow(f"SELECT DISTINCT player_name FROM ({rows_sql}) r")
    with engine.registered("_resolve_keys", name_key_table(names["player_name"].to_pylist())):
        engine.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {output} AS
            WITH keys AS (SELECT * FROM _resolve_keys),
            candidates AS (
                SELECT k.player_name, a.universal_player_id, 1 AS rule, 'alias' AS method
                FROM keys k JOIN {ALIASES} a ON a.alias_lookup = k.lookup
                UNION ALL
                SELECT k.player_name, r.universal_player_id, 2, 'suffix'
                FROM keys k JOIN {REGISTRY} r ON r.lookup_without_suffix = k.base_lookup
                WHERE k.base_lookup <> ''
                UNION ALL
                SELECT k.player_name, r.universal_player_id, 3, 'nickname'
                FROM keys k JOIN {REGISTRY} r
                  ON r.last_name_key = k.last_key
                 AND k.last_key <> '' AND least(length(k.first_key), length(r.first_name_key)) >= 2
                 AND (starts_with(r.first_name_key, k.first_key)
                      OR starts_with(k.first_key, r.first_name_key))
            ),
            per_rule AS (
                SELECT player_name, rule, min(method) AS method,
                       count(DISTINCT universal_player_id) AS n_candidates,
                       min(universal_player_id) AS universal_player_id,
                       string_agg(DISTINCT universal_player_id, ', ') AS candidate_list
                FROM candidates GROUP BY player_name, rule
            ),
            first_rule AS (
                SELECT * FROM per_rule
                QUALIFY row_number() OVER (PARTITION BY player_name ORDER BY rule) = 1
            )
            SELECT k.player_name, k.lookup AS name_lookup,
                   CASE WHEN f.n_candidates = 1 THEN f.universal_player_id END
                       AS universal_player_id,
                   CASE WHEN f.n_candidates = 1 THEN reg.player_lookup END AS player_lookup,
                   CASE WHEN f.n_candidates = 1 THEN f.method END AS method,
                   CASE WHEN f.player_name IS NULL THEN 'no registry player matches'
                        WHEN f.n_candidates > 1 THEN 'ambiguous: ' || f.candidate_list
                   END AS failure_reason
            FROM keys k
            LEFT JOIN first_rule f ON f.player_name = k.player_name
            LEFT JOIN {REGISTRY} reg
              ON reg.universal_player_id = f.universal_player_id AND f.n_candidates = 1
            """
        )
    if learn_aliases:
        engine.execute(
            f"""
            INSERT INTO {ALIASES}
            SELECT name_lookup, min(universal_player_id), min(player_name), min(method), ?
            FROM {output}
            WHERE universal_player_id IS NOT NULL AND method <> 'alias'
              AND NOT EXISTS (SELECT 1 FROM {ALIASES} a WHERE a.alias_lookup = name_lookup)
            GROUP BY name_lookup
            """,
            [source],
        )
    _log_failures(engine, rows_sql, output, source=source, context=context)
    stats = engine.fetchall(
        f"SELECT coalesce(method, 'unresolved'), count(*) FROM {output} GROUP BY ALL"
    )
    by_method = {m: int(n) for m, n in stats}
    unresolved = by_method.pop("unresolved", 0)
    total = sum(by_method.values()) + unresolved
    return ResolveResult(total, total - unresolved, unresolved, by_method)


def _log_failures(
    engine: DuckDBEngine, rows_sql: str, resolved: str, *, source: str, context: str
) -> None:
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _new_failures AS
        SELECT ? AS source, r.player_name, n.name_lookup AS player_lookup,
               coalesce(r.game_date, DATE '{UNKNOWN_DATE.isoformat()}') AS game_date,
               min(r.team_abbr) AS team_abbr, ? AS context, min(n.failure_reason) AS reason,
               CAST(count(*) AS INTEGER) AS occurrences,
               CAST(now() AS TIMESTAMP) AS first_seen_at
        FROM ({rows_sql}) r JOIN {resolved} n ON n.player_name = r.player_name
        WHERE n.universal_player_id IS NULL
        GROUP BY ALL
        """,
        [source, context],
    )
    engine.execute(
        f"""
        DELETE FROM {FAILURES} f USING _new_failures n
        WHERE f.source = n.source AND f.player_lookup = n.player_lookup
          AND f.game_date = n.game_date AND f.context = n.context
        """
    )
    engine.execute(
        f"""
        INSERT INTO {FAILURES}
        SELECT source, min(player_name), player_lookup, game_date, min(team_abbr), context,
               min(reason), sum(occurrences), min(first_seen_at)
        FROM _new_failures GROUP BY source, player_lookup, game_date, context
        """
    )
    engine.execute("DROP TABLE IF EXISTS _new_failures")


def add_alias(
    engine: DuckDBEngine, alias_name: str, universal_player_id: str, *, source: str = "manual"
) -> None:
    """Teach the registry that ``alias_name`` names ``universal_player_id``."""
    lookup = name_keys(alias_name)[0]
    with engine.transaction():
        engine.execute(f"DELETE FROM {ALIASES} WHERE alias_lookup = ?", [lookup])
        engine.execute(
            f"INSERT INTO {ALIASES} VALUES (?, ?, ?, 'manual', ?)",
            [lookup, universal_player_id, alias_name, source],
        )


def canonicalize_by_nba_id(engine: DuckDBEngine, run_id: str, source_file: str) -> int:
    """Give rows one file wrote the registry's lookup for their NBA.com person id.

    Sources spell one player differently ("Jimmy Butler III" in shot charts, "Jimmy Butler" in
    game logs); the person id is the same, so it decides. The variant becomes an alias, so a
    sportsbook using it resolves directly. Returns the number of rows changed.
    """
    box, pbp = schema.PLAYER_BOXSCORES.fqn, schema.PLAY_BY_PLAY.fqn
    params = [run_id, source_file]
    engine.execute(
        f"""
        INSERT INTO {ALIASES}
        SELECT v.lookup, r.universal_player_id, min(v.name), 'same_nba_id', 'registry'
        FROM (
            SELECT player_lookup AS lookup, player_name AS name, nba_player_id AS pid
            FROM {box} WHERE ingest_run_id = ? AND source_file = ?
            UNION ALL
            SELECT player_1_lookup, player_1_name, player_1_id
            FROM {pbp} WHERE ingest_run_id = ? AND source_file = ?
        ) AS v
        JOIN {REGISTRY} r ON r.nba_player_id = v.pid
        WHERE v.lookup IS NOT NULL AND v.lookup <> '' AND v.lookup <> r.player_lookup
          AND NOT EXISTS (SELECT 1 FROM {ALIASES} a WHERE a.alias_lookup = v.lookup)
        GROUP BY v.lookup, r.universal_player_id
        """,
        params + params,
    )
    changed = 0
    updates = [
        (box, "player_lookup", "nba_player_id"),
        (pbp, "player_1_lookup", "player_1_id"),
        (pbp, "player_2_lookup", "player_2_id"),
    ]
    for table, lookup_col, id_col in updates:
        n = engine.fetchone(
            f"SELECT count(*) FROM {table} t JOIN {REGISTRY} r ON r.nba_player_id = t.{id_col} "
            f"WHERE t.ingest_run_id = ? AND t.source_file = ? "
            f"AND t.{lookup_col} <> r.player_lookup",
            params,
        )[0]
        if n:
            engine.execute(
                f"UPDATE {table} AS t SET {lookup_col} = r.player_lookup FROM {REGISTRY} r "
                f"WHERE t.ingest_run_id = ? AND t.source_file = ? "
                f"AND r.nba_player_id = t.{id_col} AND t.{lookup_col} <> r.player_lookup",
                params,
            )
            changed += n
    return changed
