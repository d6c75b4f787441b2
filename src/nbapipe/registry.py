"""The player registry: register players from box scores, resolve names from other sources.

Both operations are set-based: one SQL pass over all incoming rows. Python only computes the
name keys (Unicode normalisation) of the *distinct* names involved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.errors import InputError
from nbapipe.identity import name_keys
from nbapipe.sources import schema

REGISTRY = schema.PLAYERS_REGISTRY.fqn
ALIASES = schema.PLAYER_ALIASES.fqn
FAILURES = schema.REGISTRY_FAILURES.fqn
UNKNOWN_DATE = dt.date(1970, 1, 1)
_NO_MATCH = "no registry player matches"  # the failure reason of a name no player matches


def context_file(column: str = "context") -> str:
    """SQL for the file (or source) of a registry_failures context, "<table>:<file>"."""
    return f"substr({column}, strpos({column}, ':') + 1)"


def context_table(column: str = "context") -> str:
    """SQL for the table of a registry_failures context, "<table>:<file>"."""
    return f"split_part({column}, ':', 1)"


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


def _name_of(lookup_sql: str) -> str:
    """SQL for the name lookup of a registry ``player_lookup`` (a namesake's ends in _<id>)."""
    return f"split_part({lookup_sql}, '_', 1)"


def register_players(
    engine: DuckDBEngine, players_sql: str, *, source: str, output: str | None = None
) -> RegisterResult:
    """Add the players named by ``players_sql`` to the registry.

    ``players_sql`` yields (player_name, player_lookup, nba_player_id, game_date). A player is
    the same registry entry when the NBA.com id matches, or (without ids) the lookup matches.
    New players get ``<name lookup>_<NNN>`` ids, NNN counting players sharing that name.

    Namesakes: a new player with an id whose name lookup another player with a different id
    already holds (in the registry, or earlier in this batch by first_seen_date, then id) gets
    the registry lookup ``<name lookup>_<nba_player_id>``; the first keeps the plain lookup.
    A name two players share is no alias of either (see :func:`_refresh_aliases`).

    ``output``, when given, names a temp table left behind with one row per incoming
    (player_lookup, nba_player_id): its universal_player_id and registry player_lookup.
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
            CREATE OR REPLACE TEMP TABLE _new_players AS
            WITH new_players AS (
                SELECT *, {_name_of("player_lookup")} AS name_lookup
                FROM _incoming_players WHERE existing_id IS NULL
            ),
            taken AS (
                SELECT {_name_of("player_lookup")} AS name_lookup, count(*) AS n,
                       count(nba_player_id) AS n_with_id
                FROM {REGISTRY} GROUP BY ALL
            ),
            ranked AS (
                SELECT n.*, coalesce(t.n, 0) AS taken, coalesce(t.n_with_id, 0) AS held_by_id,
                       row_number() OVER (
                           PARTITION BY n.name_lookup ORDER BY n.first_seen_date, n.nba_player_id
                       ) AS seq,
                       row_number() OVER (
                           PARTITION BY n.name_lookup, n.nba_player_id IS NULL
                           ORDER BY n.first_seen_date, n.nba_player_id
                       ) AS id_seq
                FROM new_players n
                LEFT JOIN taken t ON t.name_lookup = n.name_lookup
            )
            SELECT
                r.name_lookup || '_' || lpad(CAST(r.taken + r.seq AS VARCHAR), 3, '0')
                    AS universal_player_id,
                CASE WHEN r.nba_player_id IS NOT NULL AND (r.held_by_id > 0 OR r.id_seq > 1)
                     THEN r.name_lookup || '_' || CAST(r.nba_player_id AS VARCHAR)
                     ELSE r.name_lookup
                END AS registry_lookup,
                r.player_lookup, r.player_name, r.nba_player_id,
                k.base_lookup, k.first_key, k.last_key,
                r.first_seen_date, r.last_seen_date
            FROM ranked r
            LEFT JOIN _registry_name_keys k ON k.player_name = r.player_name
            """
        )
    engine.execute(
        f"""
        INSERT INTO {REGISTRY}
        SELECT universal_player_id, registry_lookup, player_name, nba_player_id,
               base_lookup, first_key, last_key, first_seen_date, last_seen_date, ?
        FROM _new_players
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
    _refresh_aliases(engine, source)
    if output is not None:
        engine.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {output} AS
            SELECT i.player_lookup, i.nba_player_id, r.universal_player_id,
                   r.player_lookup AS registry_lookup
            FROM _incoming_players i
            LEFT JOIN _new_players n
              ON n.player_lookup = i.player_lookup
             AND n.nba_player_id IS NOT DISTINCT FROM i.nba_player_id
            JOIN {REGISTRY} r
              ON r.universal_player_id = coalesce(i.existing_id, n.universal_player_id)
            """
        )
    new, known = engine.fetchone(
        "SELECT count(*) FILTER (WHERE existing_id IS NULL), "
        "count(*) FILTER (WHERE existing_id IS NOT NULL) FROM _incoming_players"
    ) or (0, 0)
    engine.execute("DROP TABLE IF EXISTS _incoming_players")
    engine.execute("DROP TABLE IF EXISTS _new_players")
    return RegisterResult(int(new), int(known))


SHARED_NAMES_SQL = f"""
    SELECT {_name_of("player_lookup")} AS name_lookup,
           string_agg(universal_player_id, ', ' ORDER BY universal_player_id) AS candidates
    FROM {REGISTRY} GROUP BY ALL HAVING count(*) > 1
"""


def _refresh_aliases(engine: DuckDBEngine, source: str) -> None:
    """Canonical aliases for every registry lookup, except names two players share.

    A shared name (two "Marcus Williams") is no alias of either: resolving it needs more
    context, so every resolution rule must see both. Aliases guessed from the name alone
    (canonical, suffix, nickname) that point at a player of a shared name are dropped too;
    aliases grounded in the person id (same_nba_id) or set by hand (manual) stay.
    """
    engine.execute(
        f"""
        DELETE FROM {ALIASES} WHERE reason IN ('canonical', 'suffix', 'nickname') AND (
            alias_lookup IN (SELECT name_lookup FROM ({SHARED_NAMES_SQL}))
            OR (reason <> 'canonical' AND universal_player_id IN (
                SELECT universal_player_id FROM {REGISTRY}
                WHERE {_name_of("player_lookup")} IN (SELECT name_lookup FROM ({SHARED_NAMES_SQL}))
            ))
        )
        """
    )
    engine.execute(
        f"""
        INSERT INTO {ALIASES}
        SELECT player_lookup, min(universal_player_id), min(player_name), 'canonical', ?
        FROM {REGISTRY} r
        WHERE NOT EXISTS (SELECT 1 FROM {ALIASES} a WHERE a.alias_lookup = r.player_lookup)
          AND r.player_lookup NOT IN (SELECT name_lookup FROM ({SHARED_NAMES_SQL}))
        GROUP BY player_lookup
        HAVING count(*) = 1
        """,
        [source],
    )


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
    log_failures: bool = True,
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
                       string_agg(DISTINCT universal_player_id, ', ' ORDER BY universal_player_id)
                           AS candidate_list
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
                   CASE WHEN f.player_name IS NULL THEN '{_NO_MATCH}'
                        WHEN f.n_candidates > 1 THEN 'ambiguous: ' || f.candidate_list
                   END AS failure_reason
            FROM keys k
            LEFT JOIN first_rule f ON f.player_name = k.player_name
            LEFT JOIN {REGISTRY} reg
              ON reg.universal_player_id = f.universal_player_id AND f.n_candidates = 1
            """
        )
    if learn_aliases:
        _learn_aliases(engine, output, source)
    if log_failures:
        _log_failures(engine, rows_sql, output, source=source, context=context)
    stats = engine.fetchall(
        f"SELECT coalesce(method, 'unresolved'), count(*) FROM {output} GROUP BY ALL"
    )
    by_method = {m: int(n) for m, n in stats}
    unresolved = by_method.pop("unresolved", 0)
    total = sum(by_method.values()) + unresolved
    return ResolveResult(total, total - unresolved, unresolved, by_method)


def _learn_aliases(engine: DuckDBEngine, resolved: str, source: str | None) -> None:
    """Aliases for the names in ``resolved`` (a resolve_names output) that a rule other than
    an alias matched, in the name of ``source``, or (None) of the source that logged the name
    as matching no player."""
    src, join, params = "?", "", [source]
    if source is None:
        src, params = "min(f.source)", []
        join = f"JOIN {FAILURES} f ON f.player_name = r.player_name AND f.reason = '{_NO_MATCH}'"
    engine.execute(
        f"""
        INSERT INTO {ALIASES}
        SELECT r.name_lookup, min(r.universal_player_id), min(r.player_name), min(r.method),
               {src}
        FROM {resolved} AS r {join}
        WHERE r.universal_player_id IS NOT NULL AND r.method <> 'alias'
          AND NOT EXISTS (SELECT 1 FROM {ALIASES} a WHERE a.alias_lookup = r.name_lookup)
        GROUP BY r.name_lookup
        """,
        params,
    )


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


@dataclass
class AliasResult:
    resolved: Reresolved  # logged names that resolve now, and their stored rows updated
    # (source, file) whose rows naming it were left out as ambiguous (a name two players
    # share): only reading them again (ingest --force) brings those rows in; the file is the
    # source's name for a source without files (synthetic)
    read_again: list[tuple[str, str]]


def add_alias(
    engine: DuckDBEngine, alias_name: str, universal_player_id: str, *, source: str = "manual"
) -> AliasResult:
    """Teach the registry that ``alias_name`` names ``universal_player_id``; stored rows that
    could not resolve the name take the player's lookup (:func:`reresolve_stored`).

    Refused with a reason: a name without letters or digits, an id the registry does not
    hold (with the ids of players of that last name), and a name that already names another
    player (his own name, or an alias: rows written under him stay his). A name two players
    share may be given to one of them: files that left rows naming it out are listed, to
    read again."""
    lookup = name_keys(alias_name)[0] if alias_name else ""
    if not lookup:
        raise InputError(f"alias {alias_name!r}: a name needs letters or digits")
    if not engine.fetchone(
        f"SELECT count(*) FROM {REGISTRY} WHERE universal_player_id = ?", [universal_player_id]
    )[0]:
        like = _players_named(engine, [alias_name]).get(alias_name, [])
        hint = f"; players of that last name: {', '.join(like)}" if like else ""
        raise InputError(
            f"no registry player {universal_player_id!r} "
            f"(ids are in nba_reference.nba_players_registry){hint}"
        )
    # a name two players share may go to one of them, never to a third
    sharing = [
        p
        for (p,) in engine.fetchall(
            f"SELECT universal_player_id FROM {REGISTRY} "
            f"WHERE {_name_of('player_lookup')} = ? ORDER BY 1",
            [lookup],
        )
    ]
    if len(sharing) > 1 and universal_player_id not in sharing:
        raise InputError(f"{alias_name!r} is the name of registry players {', '.join(sharing)}")
    known = engine.fetchone(
        f"SELECT universal_player_id, reason FROM {ALIASES} WHERE alias_lookup = ?", [lookup]
    )
    if known and known[0] != universal_player_id:
        # rows already written under that player stay his: moving them is not an alias's job
        what = "the name of" if known[1] == "canonical" else f"an alias ({known[1]}) of"
        raise InputError(f"{alias_name!r} is already {what} registry player {known[0]}")
    with engine.transaction():
        engine.execute(f"DELETE FROM {ALIASES} WHERE alias_lookup = ?", [lookup])
        engine.execute(
            f"INSERT INTO {ALIASES} VALUES (?, ?, ?, 'manual', ?)",
            [lookup, universal_player_id, alias_name, source],
        )
        resolved = reresolve_stored(engine)
    read_again = [
        (source_, f)
        for source_, f in engine.fetchall(
            f"SELECT DISTINCT source, {context_file()} FROM {FAILURES} "
            "WHERE player_lookup = ? AND starts_with(reason, 'ambiguous') ORDER BY ALL",
            [lookup],
        )
    ]
    return AliasResult(resolved, read_again)


# Raw tables whose rows name players by display name only, as (name column, lookup column,
# person id column): a name that did not resolve when its rows were written keeps its name key
# as the lookup (play-by-play names keep none when they are short, "J. Harden") and is logged
# to registry_failures with the context "<table>:<file or source>".
_NAMED_ROWS = {
    "player_props": (("player_name", "player_lookup", None),),
    "injury_report": (("player_name", "player_lookup", None),),
    "play_by_play": (
        ("player_1_name", "player_1_lookup", "player_1_id"),
        ("player_2_name", "player_2_lookup", "player_2_id"),
    ),
}


@dataclass
class Reresolved:
    names: int  # logged names (per source) that left the log: they resolve now
    rows: int  # stored rows that took the registry's lookup, or were left out as ambiguous


def reresolve_stored(engine: DuckDBEngine) -> Reresolved:
    """Resolve again, against the registry as it is now, the names logged to
    ``registry_failures`` as matching no player, so that stored rows end as a read of their
    file now would leave them, whatever order the files came in.

    Props and injury reports often arrive before a player's first box score (a debut, a
    signing, or lines ingested before the season's game logs). Once a box score registers
    him, or an alias names him:
    - rows still holding the name's key (or no lookup) take his lookup; play-by-play rows
      whose person id names one registry player take that player's lookup, as on a read;
    - a name that two registry players now share is ambiguous: its prop and injury rows are
      left out, as a read leaves them out, and its log entries say so;
    - the names that resolve leave the log.
    One pass over the distinct logged names; call it inside the transaction that changed the
    registry."""
    contexts = ", ".join(f"'{t}'" for t in _NAMED_ROWS)
    logged = (
        f"SELECT player_name, game_date, team_abbr FROM {FAILURES} "
        f"WHERE reason = '{_NO_MATCH}' AND {context_table()} IN ({contexts})"
    )
    if not engine.fetchone(f"SELECT count(*) FROM ({logged})")[0]:
        return Reresolved(0, 0)
    resolve_names(
        engine,
        logged,
        source="registry",
        context="",
        output="_reresolved",
        learn_aliases=False,
        log_failures=False,
    )
    # learnt as when the name was first read: an alias in the name of the source that used it
    _learn_aliases(engine, "_reresolved", None)
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _now_shared AS
        SELECT DISTINCT r.name_lookup FROM _reresolved r
        JOIN ({SHARED_NAMES_SQL}) s ON s.name_lookup = r.name_lookup
        WHERE r.name_lookup NOT IN (SELECT alias_lookup FROM {ALIASES} WHERE reason = 'manual')
        """
    )
    # registry players by person id, read by every play-by-play slot below
    engine.execute(f"CREATE OR REPLACE TEMP TABLE _one_per_id AS {_ONE_PLAYER_PER_ID}")
    rows = 0
    for table, slots in _NAMED_ROWS.items():
        fqn = schema.table(table).fqn
        for name_col, lookup_col, id_col in slots:
            rows += _reresolve_rows(engine, fqn, table, name_col, lookup_col, id_col)
    # what the log says now: ambiguous names say so; resolved names leave it
    engine.execute(
        f"""
        UPDATE {FAILURES} AS f SET reason = r.failure_reason
        FROM _reresolved AS r
        WHERE f.reason = '{_NO_MATCH}' AND {context_table("f.context")} IN ({contexts})
          AND f.player_lookup = r.name_lookup AND starts_with(r.failure_reason, 'ambiguous')
        """
    )
    gone = engine.fetchall(
        f"""
        DELETE FROM {FAILURES} AS f USING _reresolved AS r
        WHERE r.universal_player_id IS NOT NULL AND f.reason = '{_NO_MATCH}'
          AND {context_table("f.context")} IN ({contexts})
          AND f.player_lookup = r.name_lookup
        RETURNING f.source, f.player_lookup
        """
    )
    # play-by-play names resolved by person id: logged while a row of theirs is still open
    pbp = schema.table("play_by_play").fqn
    gone += engine.fetchall(
        f"""
        DELETE FROM {FAILURES} AS f
        WHERE f.reason = '{_NO_MATCH}' AND {context_table("f.context")} = 'play_by_play'
          AND f.player_name NOT IN (
              SELECT name FROM (
                  SELECT player_1_name AS name, player_1_lookup AS lookup FROM {pbp}
                  UNION ALL
                  SELECT player_2_name, player_2_lookup FROM {pbp}
              )
              WHERE name IS NOT NULL
                AND (lookup IS NULL OR lookup NOT IN (SELECT player_lookup FROM {REGISTRY})))
        RETURNING f.source, f.player_lookup
        """
    )
    for scratch in ("_reresolved", "_now_shared", "_one_per_id"):
        engine.execute(f"DROP TABLE IF EXISTS {scratch}")
    return Reresolved(len(set(gone)), int(rows))


def _reresolve_rows(
    engine: DuckDBEngine,
    fqn: str,
    table: str,
    name_col: str,
    lookup_col: str,
    id_col: str | None,
) -> int:
    """One name slot of one table (see :func:`reresolve_stored`); returns the rows changed."""
    changed = 0
    # a row whose person id names one registry player is that player's (as a read makes it);
    # only rows without such an id are matched by name
    if id_col:
        changed += engine.fetchone(
            f"""
            UPDATE {fqn} AS t SET {lookup_col} = i.registry_lookup
            FROM _one_per_id AS i
            WHERE t.{id_col} = i.nba_player_id
              AND t.{lookup_col} IS DISTINCT FROM i.registry_lookup
            """
        )[0]
    no_id = f"AND (t.{id_col} IS NULL OR t.{id_col} NOT IN (SELECT nba_player_id FROM _one_per_id))"
    no_id = no_id if id_col else ""
    # the rows' own names and their keys: a row is the logged name's if its name has that key
    # and its lookup is still that key (or none)
    names = engine.arrow(
        f"""
        SELECT DISTINCT t.{name_col} AS player_name FROM {fqn} AS t
        WHERE t.{name_col} IS NOT NULL {no_id}
          AND (t.{lookup_col} IS NULL
               OR t.{lookup_col} IN (SELECT name_lookup FROM _reresolved))
        """
    )["player_name"].to_pylist()
    if not names:
        return changed
    keys = name_key_table(names).select(["player_name", "lookup"])
    with engine.registered("_row_keys", keys):
        mine = f"""
            t.{name_col} = k.player_name AND k.lookup = r.name_lookup
            AND (t.{lookup_col} IS NULL OR t.{lookup_col} = k.lookup) {no_id}
        """
        changed += engine.fetchone(
            f"""
            UPDATE {fqn} AS t SET {lookup_col} = r.player_lookup
            FROM _row_keys AS k, _reresolved AS r
            WHERE {mine} AND r.player_lookup IS NOT NULL
              AND t.{lookup_col} IS DISTINCT FROM r.player_lookup
            """
        )[0]
        if table in NAME_ONLY:  # a read leaves out rows naming a name two players share
            changed += engine.fetchone(
                f"""
                DELETE FROM {fqn} AS t USING _row_keys AS k, _reresolved AS r
                WHERE {mine} AND r.name_lookup IN (SELECT name_lookup FROM _now_shared)
                """
            )[0]
    return changed


# Columns rewritten by person id: (table, lookup column, id column).
_BY_PERSON_ID = {
    "player_boxscores": (("player_lookup", "nba_player_id"),),
    "play_by_play": (("player_1_lookup", "player_1_id"), ("player_2_lookup", "player_2_id")),
    "team_rosters": (("player_lookup", "nba_player_id"),),
}
# Registry players by NBA.com person id (an id two registry rows share decides nothing).
_ONE_PLAYER_PER_ID = f"""
    SELECT nba_player_id, min(player_lookup) AS registry_lookup,
           min(universal_player_id) AS universal_player_id
    FROM {REGISTRY} WHERE nba_player_id IS NOT NULL
    GROUP BY nba_player_id HAVING count(*) = 1
"""


def identify_players(
    engine: DuckDBEngine, tables: dict[str, pa.Table], *, source: str
) -> tuple[dict[str, pa.Table], RegisterResult]:
    """Register the players of incoming box scores and give the incoming rows their registry
    lookups, before anything is written (call inside the write's transaction).

    ``tables`` are canonical Arrow tables keyed by bare name (extra columns such as ``_row``
    pass through). Returns them with ``player_lookup`` and ``universal_player_id`` of
    ``player_boxscores``, ``player_1_lookup``/``player_2_lookup`` of ``play_by_play`` and
    ``player_lookup`` of ``team_rosters`` set, by NBA.com person id, to the registry's: two
    players with one name (namesakes) become two keys, so both meet the key checks, and a
    source's spelling variant ("Jimmy Butler III" in shot charts, "Jimmy Butler" in game
    logs) becomes the registry's lookup. The variant is learnt as an alias (``same_nba_id``),
    so a sportsbook using it resolves directly; a name the registry holds is never one.
    """
    result = RegisterResult(0, 0)
    out = dict(tables)
    box = tables.get("player_boxscores")
    if box is not None and box.num_rows:
        with engine.registered("_identify_box", box):
            result = register_players(
                engine,
                "SELECT player_name, player_lookup, nba_player_id, game_date FROM _identify_box",
                source=source,
                output="_identified_players",
            )
            out["player_boxscores"] = _rewrite(
                engine,
                box,
                """
                SELECT b.* REPLACE (
                    coalesce(m.registry_lookup, b.player_lookup) AS player_lookup,
                    coalesce(m.universal_player_id, b.universal_player_id) AS universal_player_id)
                FROM _rewrite_rows b
                LEFT JOIN _identified_players m
                  ON m.player_lookup = b.player_lookup
                 AND m.nba_player_id IS NOT DISTINCT FROM b.nba_player_id
                """,
            )
        engine.execute("DROP TABLE IF EXISTS _identified_players")
    variants = []
    for name, pairs in _BY_PERSON_ID.items():
        data = tables.get(name)
        if data is None or not data.num_rows:
            continue
        for lookup_col, id_col in pairs:
            name_col = lookup_col.replace("_lookup", "_name")
            variants.append((name, lookup_col, name_col, id_col))
    _learn_id_aliases(engine, tables, variants)
    for name in ("play_by_play", "team_rosters"):
        data = out.get(name)
        if data is None or not data.num_rows:
            continue
        pairs = _BY_PERSON_ID[name]
        joins = "\n".join(
            f"LEFT JOIN ({_ONE_PLAYER_PER_ID}) i{n} ON i{n}.nba_player_id = t.{id_col}"
            for n, (_, id_col) in enumerate(pairs)
        )
        replace = ", ".join(
            f"coalesce(i{n}.registry_lookup, t.{lookup_col}) AS {lookup_col}"
            for n, (lookup_col, _) in enumerate(pairs)
        )
        changed = " OR ".join(
            f"i{n}.registry_lookup IS DISTINCT FROM t.{lookup_col} "
            f"AND i{n}.registry_lookup IS NOT NULL"
            for n, (lookup_col, _) in enumerate(pairs)
        )
        with engine.registered("_rewrite_rows", data):
            n_changed = engine.fetchone(
                f"SELECT count(*) FROM _rewrite_rows t {joins} WHERE {changed}"
            )[0]
        if n_changed:
            out[name] = _rewrite(
                engine, data, f"SELECT t.* REPLACE ({replace}) FROM _rewrite_rows t {joins}"
            )
    return out, result


def _rewrite(engine: DuckDBEngine, data: pa.Table, select_sql: str) -> pa.Table:
    """``select_sql`` over ``data`` (exposed as ``_rewrite_rows``), rows in their order."""
    indexed = data.append_column("_rewrite_i", pa.array(range(data.num_rows), pa.int64()))
    with engine.registered("_rewrite_rows", indexed):
        result = engine.arrow(f"SELECT * FROM ({select_sql}) ORDER BY _rewrite_i")
    result = result.drop_columns(["_rewrite_i"])
    # Same layout as the input: DuckDB may hand back other Arrow types (large strings).
    return result.cast(data.schema) if result.schema != data.schema else result


def _learn_id_aliases(
    engine: DuckDBEngine, tables: dict[str, pa.Table], variants: list[tuple[str, str, str, str]]
) -> None:
    """Spellings of a person id other than its registry lookup become ``same_nba_id`` aliases.

    Never a name the registry holds (a namesake's plain name stays no one's alias) and never a
    spelling two ids use."""
    if not variants:
        return
    registered = {}
    parts = []
    for name, lookup_col, name_col, id_col in variants:
        alias = f"_alias_rows_{name}"
        registered[alias] = tables[name]
        parts.append(
            f"SELECT {lookup_col} AS lookup, {name_col} AS name, {id_col} AS pid FROM {alias}"
        )
    with contextlib.ExitStack() as stack:
        for alias, data in registered.items():
            stack.enter_context(engine.registered(alias, data))
        engine.execute(
            f"""
            INSERT INTO {ALIASES}
            SELECT v.lookup, min(r.universal_player_id), min(v.name), 'same_nba_id', 'registry'
            FROM ({" UNION ALL ".join(parts)}) AS v
            JOIN ({_ONE_PLAYER_PER_ID}) r ON r.nba_player_id = v.pid
            WHERE v.lookup IS NOT NULL AND v.lookup <> '' AND v.lookup <> r.registry_lookup
              AND NOT EXISTS (SELECT 1 FROM {ALIASES} a WHERE a.alias_lookup = v.lookup)
              AND NOT EXISTS (
                  SELECT 1 FROM {REGISTRY} n WHERE {_name_of("n.player_lookup")} = v.lookup)
            GROUP BY v.lookup
            HAVING count(DISTINCT r.universal_player_id) = 1
            """
        )


# Name-only tables: (table, team column) of rows that name a player without a person id.
NAME_ONLY = {"player_props": "home_team_abbr", "injury_report": "team_abbr"}


def drop_shared_names(
    engine: DuckDBEngine, tables: dict[str, pa.Table], *, source: str, context: str
) -> tuple[dict[str, pa.Table], int]:
    """Leave out name-only rows (props, injuries) whose lookup is a name two registry players
    share: nothing tells which one a sportsbook or a report means, so the row is attached to
    neither and logged to ``registry_failures`` as ``ambiguous: <ids>`` (unless an alias set
    by hand says which).

    ``context`` names where the rows came from, ``{table}`` standing for the table name
    (e.g. ``"{table}:synthetic"``). Returns the tables and the number of names left out."""
    present = {n: t for n, t in tables.items() if n in NAME_ONLY and t.num_rows}
    if not present:
        return tables, 0
    out = dict(tables)
    # a shared name that an alias set by hand gives one of them is that player's
    aliased = engine.fetchall(
        f"""
        SELECT a.alias_lookup, r.player_lookup
        FROM {ALIASES} a JOIN {REGISTRY} r ON r.universal_player_id = a.universal_player_id
        WHERE a.reason = 'manual'
          AND a.alias_lookup IN (SELECT name_lookup FROM ({SHARED_NAMES_SQL}))
        """
    )
    if aliased:
        names_of, players = pa.array([a for a, _ in aliased]), pa.array([p for _, p in aliased])
        for name, data in present.items():
            lookup = data["player_lookup"]
            mapped = pc.take(players, pc.index_in(lookup, value_set=names_of))
            at = data.schema.get_field_index("player_lookup")
            out[name] = data.set_column(
                at, data.schema.field(at), pc.coalesce(mapped, lookup).cast(lookup.type)
            )
        present = {n: out[n] for n in present}
    shared = engine.arrow(
        f"SELECT * FROM ({SHARED_NAMES_SQL}) WHERE name_lookup NOT IN "
        f"(SELECT alias_lookup FROM {ALIASES} WHERE reason = 'manual')"
    )
    if not shared.num_rows:
        return out, 0
    names: set[str] = set()
    for name, data in present.items():
        hit = pc.is_in(data["player_lookup"], value_set=shared["name_lookup"])
        hit = pc.fill_null(hit, False)
        if not pc.any(hit).as_py():
            continue
        ambiguous = data.filter(hit)
        out[name] = data.filter(pc.invert(hit))
        rows = (
            f"SELECT coalesce(player_name, player_lookup) AS player_name, player_lookup, "
            f"game_date, {NAME_ONLY[name]} AS team_abbr FROM _shared_name_rows"
        )
        with (
            engine.registered("_shared_name_rows", ambiguous),
            engine.registered("_shared_names", shared),
        ):
            engine.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE _shared_name_failures AS
                SELECT DISTINCT r.player_name, r.player_lookup AS name_lookup,
                       CAST(NULL AS VARCHAR) AS universal_player_id,
                       'ambiguous: ' || s.candidates AS failure_reason
                FROM ({rows}) r JOIN _shared_names s ON s.name_lookup = r.player_lookup
                """
            )
            _log_failures(
                engine,
                rows,
                "_shared_name_failures",
                source=source,
                context=context.replace("{table}", name),
            )
        engine.execute("DROP TABLE IF EXISTS _shared_name_failures")
        names |= set(ambiguous["player_lookup"].to_pylist())
    return out, len(names)


def _players_named(engine: DuckDBEngine, names: list[str], most: int = 3) -> dict[str, list[str]]:
    """Per display name, the ids of up to ``most`` registry players of its last name (the
    candidates to look at when it resolved to no one)."""
    with engine.registered("_named_keys", name_key_table(names)):
        found = engine.fetchall(
            f"""
            SELECT k.player_name, list(r.universal_player_id ORDER BY r.universal_player_id)
            FROM _named_keys k JOIN {REGISTRY} r ON r.last_name_key = k.last_key
            WHERE k.last_key <> ''
            GROUP BY k.player_name
            """
        )
    return {name: ids[:most] for name, ids in found}


def unresolved_names(
    engine: DuckDBEngine, *, source: str | None = None, limit: int = 50
) -> tuple[list[dict], int]:
    """Names in ``registry_failures``, most rows first: per source and name, the reason, the
    rows and dates that used it and registry players of its last name; and how many such
    names there are in all."""
    where = "WHERE source = ?" if source else ""
    params = [source] if source else []
    total = engine.fetchone(
        f"SELECT count(*) FROM (SELECT DISTINCT source, player_lookup FROM {FAILURES} {where})",
        params,
    )[0]
    rows = engine.fetchall(
        f"""
        SELECT source, min(player_name), player_lookup, min(reason),
               CAST(sum(occurrences) AS BIGINT), count(DISTINCT game_date),
               min(game_date), max(game_date)
        FROM {FAILURES} {where}
        GROUP BY source, player_lookup
        ORDER BY sum(occurrences) DESC, source, player_lookup
        LIMIT {int(limit)}
        """,
        params,
    )
    like = _players_named(engine, [r[1] for r in rows if r[1]])
    keys = ("source", "player_name", "player_lookup", "reason", "rows", "dates", "first", "last")
    out = []
    for r in rows:
        item = dict(zip(keys, r, strict=True))
        item["players_of_that_last_name"] = like.get(r[1], [])
        out.append(item)
    return out, int(total)
