"""BigDataBall play-by-play CSV files -> ``nba_raw.play_by_play`` (source ``bigdataball``).

One CSV row is one event: ``game_id`` (NBA.com id without its leading ``00``), ``date``,
lineups ``a1..a5`` / ``h1..h5``, ``period``, ``remaining_time`` (H:MM:SS), ``play_id``,
``team``, ``event_type``, ``type``, ``player``, ``assist`` / ``block`` / ``steal`` /
``opponent``, ``result``, ``points``, ``shot_distance`` (feet) and ``original_x/y``.
Legacy parsing: spec section 3.5. Mapping decisions:

- ``event_type`` maps onto the canonical vocabulary ('start of period' and 'end of period'
  become 'period'); BDB ``type`` is kept as ``event_subtype``. Rows with no or an unknown event
  type (BDB writes empty 'unknown' rows) are quarantined, not guessed.
- ``player_2`` is the first of ``assist``, ``block``, ``steal`` and, for fouls, ``opponent``
  (the fouled player). The assister is on the shooter's team, the others on the other team.
- ``original_x/original_y`` are NBA.com shot-chart units already (tenths of a foot, basket at
  0,0: sqrt(x^2 + y^2) / 10 is the shot distance within 0.53 ft for every shot of the sample),
  so they are ``shot_x/shot_y`` as they are. ``converted_x/y`` (full-court feet, origin at a
  corner, flipped with the direction of play) are not used.
- Home and away teams come from a ``[YYYY-MM-DD]-0022400001-AWY@HOM.csv`` file name when
  present; otherwise from the lineups: a team whose players appear in ``h1..h5`` when they
  shoot, rebound, foul or turn the ball over is home (see :func:`home_away_from_votes`). The
  ``team`` column of jump balls is not the player's team (OKC for all four jump balls of the
  sample, one of them won by IND's Myles Turner), so a jump ball's team is that of the
  lineup its player is in.
- Lineups have no canonical column yet and are not written.
- Players are resolved through the registry (``players = "resolve"``): BDB names are full
  names but a play-by-play file has no box-score rows to register players from. The shared
  ingest resolves only props and injury names, so the adapter resolves its own names inside
  the file's transaction (:func:`attach_player_lookups`). A name the registry does not know
  keeps its normalised form as lookup and is logged in ``nba_processing.registry_failures``.

The helpers under "shared play-by-play helpers" are also used by :mod:`nbacom_pbp`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pyarrow as pa

from nbapipe import registry
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.errors import InputError, WarehouseError
from nbapipe.progress import ProgressSink
from nbapipe.sources import files, schema
from nbapipe.sources.load import IngestSummary
from nbapipe.teams import team_abbr

SOURCE = "bigdataball"

# BDB event_type (lower case) -> canonical event_type.
EVENT_TYPES = {
    "shot": "shot",
    "miss": "shot",
    "free throw": "free throw",
    "rebound": "rebound",
    "turnover": "turnover",
    "foul": "foul",
    "violation": "violation",
    "jump ball": "jump ball",
    "substitution": "substitution",
    "timeout": "timeout",
    "start of period": "period",
    "end of period": "period",
}

LINEUP = ("a1", "a2", "a3", "a4", "a5", "h1", "h2", "h3", "h4", "h5")
REQUIRED = (
    "game_id",
    "date",
    "period",
    "away_score",
    "home_score",
    "remaining_time",
    "play_id",
    "team",
    "event_type",
    "type",
    "player",
    "assist",
    "block",
    "steal",
    "result",
    "points",
    "shot_distance",
    "original_x",
    "original_y",
    *LINEUP,
)
OPTIONAL = ("opponent",)

# [2024-10-22]-0022400001-NYK@BOS.csv (the legacy scraper's names: away @ home).
FILE_NAME = re.compile(
    r"\[(?P<date>\d{4}-\d{2}-\d{2})\]-(?P<game_id>\d{10})-(?P<away>[A-Za-z]{2,4})@(?P<home>[A-Za-z]{2,4})"
)

# Events whose player acts for the team in the ``team`` column: they vote on home/away.
VOTING_EVENTS = "('shot', 'free throw', 'rebound', 'turnover', 'foul', 'violation')"


class BigDataBallFiles:
    """BigDataBall play-by-play CSV adapter (``files.ingest_files`` drives it)."""

    name = SOURCE
    suffixes = (".csv", ".csv.gz")
    players: Literal["register", "resolve"] = "resolve"

    def parse(self, engine: DuckDBEngine, ref: files.FileRef) -> files.Parsed:
        n = files.csv_relation(engine, ref, required=REQUIRED, name="_bdb_raw", reads="bigdataball")
        present = {r[0] for r in engine.fetchall("DESCRIBE _bdb_raw")}
        for col in OPTIONAL:
            if col not in present:
                engine.execute(f"ALTER TABLE _bdb_raw ADD COLUMN {col} VARCHAR")
        named = FILE_NAME.search(ref.name)
        try:
            return self._parse(engine, ref, n, named)
        finally:
            drop_temp(engine, "_bdb_raw", "_bdb_src", "_bdb_typed", "_bdb_pbp")

    def _parse(
        self, engine: DuckDBEngine, ref: files.FileRef, n: int, named: re.Match | None
    ) -> files.Parsed:
        _refuse_duplicate_ids(engine, ref)
        name_id = named["game_id"] if named else None
        with (
            engine.registered("_bdb_types", _mapping(EVENT_TYPES)),
            engine.registered("_bdb_teams", team_mapping(engine, "_bdb_raw", "team")),
        ):
            engine.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE _bdb_src AS
                SELECT r.*,
                    CASE WHEN regexp_full_match(trim(r.game_id), '[0-9]{{1,10}}')
                         THEN lpad(trim(r.game_id), 10, '0')
                         WHEN NULLIF(trim(r.game_id), '') IS NULL THEN {_lit(name_id)}
                    END AS _game_id,
                    m.canonical AS _event_type,
                    t.abbr AS _team,
                    row_number() OVER (PARTITION BY trim(r.game_id) ORDER BY r._row) AS _seq
                FROM _bdb_raw r
                LEFT JOIN _bdb_types m ON m.raw = lower(trim(r.event_type))
                LEFT JOIN _bdb_teams t ON t.raw = trim(r.team)
                """
            )
        if name_id is not None:
            other = engine.fetchone(
                "SELECT _game_id FROM _bdb_src WHERE _game_id IS NOT NULL AND _game_id <> ? "
                "LIMIT 1",
                [name_id],
            )
            if other:
                raise InputError(
                    f"{ref.display}: rows are game {other[0]} but the file name says {name_id}"
                )
        rejects = row_problems(
            engine,
            "_bdb_src",
            [
                (
                    "_game_id IS NULL",
                    "game_id",
                    "missing or not an NBA.com game id",
                    "game_id",
                ),
                (
                    "_event_type IS NULL",
                    "event_type",
                    "no canonical event type for this event",
                    "concat_ws(' / ', event_type, type)",
                ),
                (
                    "NULLIF(trim(team), '') IS NOT NULL AND _team IS NULL",
                    "team",
                    "unknown team code",
                    "team",
                ),
                (
                    "_event_type IN ('shot', 'free throw') "
                    "AND coalesce(lower(trim(result)), '') NOT IN ('made', 'missed')",
                    "result",
                    "a shot result must be made or missed",
                    "result",
                ),
            ],
        )
        # ISO dates; US month/day/year as some BDB exports write them; else the file name's.
        date_sql = (
            "coalesce(CAST(TRY_CAST(trim(date) AS DATE) AS VARCHAR), "
            "strftime(try_strptime(trim(date), '%m/%d/%Y'), '%Y-%m-%d'), "
            f"NULLIF(trim(date), ''), {_lit(named['date'] if named else None)})"
        )
        p2_role = (
            "CASE WHEN NULLIF(trim(assist), '') IS NOT NULL THEN 'assist' "
            "WHEN NULLIF(trim(block), '') IS NOT NULL THEN 'block' "
            "WHEN NULLIF(trim(steal), '') IS NOT NULL THEN 'steal' "
            "WHEN _event_type = 'foul' AND NULLIF(trim(opponent), '') IS NOT NULL THEN 'fouled' END"
        )
        is_shot = "_event_type = 'shot'"
        scoring = "_event_type IN ('shot', 'free throw')"
        fields = [
            files.Field("game_id", "_game_id", "VARCHAR", raw="game_id"),
            files.Field("game_date", date_sql, "DATE", raw="date", required=True),
            files.Field("season_year", files.season_year_sql(date_sql), "INTEGER", raw="date"),
            files.Field("event_id", "play_id", "BIGINT", required=True, checks=files.NON_NEGATIVE),
            files.Field("event_sequence", "_seq", "INTEGER"),
            files.Field(
                "period", "period", "INTEGER", required=True, checks=(("v >= 1", "period < 1"),)
            ),
            files.Field(
                "game_clock_seconds",
                clock_hms_sql("remaining_time"),
                "DOUBLE",
                raw="remaining_time",
                checks=(("v >= 0 AND v <= 720", "clock outside 0:00-12:00"),),
            ),
            files.Field("event_type", "_event_type", "VARCHAR", raw="event_type"),
            files.Field("event_subtype", "NULLIF(lower(trim(type)), '')", "VARCHAR", raw="type"),
            files.Field("team_abbr", "_team", "VARCHAR", raw="team"),
            files.Field("player_1_name", "NULLIF(trim(player), '')", "VARCHAR", raw="player"),
            files.Field("player_2_role", p2_role, "VARCHAR"),
            files.Field(
                "player_2_name",
                "coalesce(NULLIF(trim(assist), ''), NULLIF(trim(block), ''), "
                "NULLIF(trim(steal), ''), "
                "CASE WHEN _event_type = 'foul' THEN NULLIF(trim(opponent), '') END)",
                "VARCHAR",
            ),
            files.Field(
                "shot_made",
                f"CASE WHEN {scoring} THEN CASE lower(trim(result)) WHEN 'made' THEN 'true' "
                "WHEN 'missed' THEN 'false' END END",
                "BOOLEAN",
                raw="result",
            ),
            files.Field(
                "shot_type",
                f"CASE WHEN _event_type = 'free throw' THEN 'FT' WHEN {is_shot} THEN "
                "CASE WHEN contains(lower(type), '3pt') THEN '3PT' ELSE '2PT' END END",
                "VARCHAR",
                raw="type",
            ),
            files.Field(
                "shot_distance",
                f"CASE WHEN {is_shot} THEN shot_distance END",
                "DOUBLE",
                raw="shot_distance",
                checks=files.NON_NEGATIVE,
            ),
            files.Field(
                "shot_x", f"CASE WHEN {is_shot} THEN original_x END", "DOUBLE", raw="original_x"
            ),
            files.Field(
                "shot_y", f"CASE WHEN {is_shot} THEN original_y END", "DOUBLE", raw="original_y"
            ),
            files.Field(
                "points_scored",
                f"CASE WHEN {scoring} THEN coalesce(NULLIF(trim(points), ''), "
                "CASE WHEN lower(trim(result)) = 'missed' THEN '0' END) END",
                "INTEGER",
                raw="points",
                checks=(("v >= 0 AND v <= 4", "points outside 0-4"),),
            ),
            files.Field("home_score", "home_score", "INTEGER", checks=files.NON_NEGATIVE),
            files.Field("away_score", "away_score", "INTEGER", checks=files.NON_NEGATIVE),
        ]
        rejects += files.validate_rows(engine, "_bdb_src", fields, out="_bdb_typed")
        bad_rows = sorted({r[0] for r in rejects})
        if bad_rows:
            engine.execute(
                "DELETE FROM _bdb_typed WHERE _row IN (SELECT unnest(?::BIGINT[]))", [bad_rows]
            )

        teams = self._teams(engine, ref, named)
        with engine.registered("_bdb_games", teams):
            in_home = f"s.player IN ({', '.join('s.' + c for c in LINEUP[5:])})"
            in_away = f"s.player IN ({', '.join('s.' + c for c in LINEUP[:5])})"
            engine.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE _bdb_pbp AS
                SELECT t.* EXCLUDE (team_abbr),
                    g.home_team_abbr, g.away_team_abbr,
                    CASE WHEN t.event_type = 'jump ball' AND {in_home} THEN g.home_team_abbr
                         WHEN t.event_type = 'jump ball' AND {in_away} THEN g.away_team_abbr
                         WHEN t.event_type = 'jump ball' THEN NULL
                         ELSE t.team_abbr END AS team_abbr
                FROM _bdb_typed t
                JOIN _bdb_src s ON s._row = t._row
                LEFT JOIN _bdb_games g ON g.game_id = t.game_id
                """
            )
        data = finish_pbp(engine, "_bdb_pbp", ref, source=SOURCE, name_fallback=True)
        return files.Parsed({"play_by_play": data}, n, rejects)

    def _teams(self, engine: DuckDBEngine, ref: files.FileRef, named: re.Match | None) -> pa.Table:
        votes = engine.fetchall(
            f"""
            SELECT _game_id, _team,
                count(*) FILTER (WHERE player IN (h1, h2, h3, h4, h5)),
                count(*) FILTER (WHERE player IN (a1, a2, a3, a4, a5))
            FROM _bdb_src
            WHERE _event_type IN {VOTING_EVENTS} AND _team IS NOT NULL AND _game_id IS NOT NULL
              AND NULLIF(trim(player), '') IS NOT NULL
            GROUP BY ALL
            """
        )
        game_ids = [
            r[0]
            for r in engine.fetchall(
                "SELECT DISTINCT _game_id FROM _bdb_src WHERE _game_id IS NOT NULL"
            )
        ]
        found = home_away_from_votes(votes)
        if named is not None:
            where = f"file name {ref.name}"
            found[named["game_id"]] = (
                team_abbr(named["home"], where=where),
                team_abbr(named["away"], where=where),
            )
        return decide_teams(engine, ref, game_ids, found)


def ingest_bigdataball(
    engine: DuckDBEngine,
    paths: Sequence[str | Path],
    *,
    progress: ProgressSink | None = None,
    force: bool = False,
) -> tuple[IngestSummary, list[files.FileOutcome]]:
    """Ingest BigDataBall play-by-play CSV files (or folders/zips of them)."""
    return files.ingest_files(engine, BigDataBallFiles(), paths, progress=progress, force=force)


def _refuse_duplicate_ids(engine: DuckDBEngine, ref: files.FileRef) -> None:
    dup = engine.fetchone(
        """
        SELECT trim(play_id), min(_row), max(_row), coalesce(min(trim(game_id)), '')
        FROM _bdb_raw WHERE NULLIF(trim(play_id), '') IS NOT NULL
        GROUP BY trim(game_id), trim(play_id) HAVING count(*) > 1 ORDER BY min(_row) LIMIT 1
        """
    )
    if dup:
        pid, first, second, game = dup
        raise InputError(
            f"{ref.display}: duplicate play_id {pid} (game {game}, rows {first} and {second})"
        )


def _lit(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _mapping(values: dict[str, str]) -> pa.Table:
    return pa.table(
        {"raw": list(values), "canonical": list(values.values())},
        schema=pa.schema([("raw", pa.string()), ("canonical", pa.string())]),
    )


# -- shared play-by-play helpers (also used by nbacom_pbp) ------------------------------------


def clock_hms_sql(col: str) -> str:
    """SQL: seconds from 'H:MM:SS' or 'MM:SS' (fractions allowed); the raw text otherwise."""
    v = f"trim({col})"
    part = f"TRY_CAST(split_part({v}, ':', {{}}) AS DOUBLE)"
    return (
        f"CASE WHEN regexp_full_match({v}, '[0-9]+:[0-9]{{1,2}}:[0-9]{{1,2}}(\\.[0-9]+)?') "
        f"THEN CAST({part.format(1)} * 3600 + {part.format(2)} * 60 + {part.format(3)} "
        "AS VARCHAR) "
        f"WHEN regexp_full_match({v}, '[0-9]{{1,2}}:[0-9]{{1,2}}(\\.[0-9]+)?') "
        f"THEN CAST({part.format(1)} * 60 + {part.format(2)} AS VARCHAR) "
        f"ELSE {col} END"
    )


def team_mapping(engine: DuckDBEngine, relation: str, column: str) -> pa.Table:
    """Distinct raw team codes of ``relation.column`` -> tricode (NULL when unknown)."""
    raw = [
        r[0]
        for r in engine.fetchall(
            f"SELECT DISTINCT trim({column}) FROM {relation} "
            f"WHERE NULLIF(trim({column}), '') IS NOT NULL"
        )
    ]
    abbrs: list[str | None] = []
    for code in raw:
        try:
            abbrs.append(team_abbr(code))
        except InputError:
            abbrs.append(None)
    return pa.table({"raw": pa.array(raw, pa.string()), "abbr": pa.array(abbrs, pa.string())})


def row_problems(
    engine: DuckDBEngine, relation: str, checks: Sequence[tuple[str, str, str, str]]
) -> list[tuple[int, str, str, str | None]]:
    """Rejects for rows of ``relation`` matching SQL conditions.

    Each check is (condition SQL, column, reason text, raw value SQL).
    """
    parts = [
        f"SELECT _row, {_lit(col)}, {_lit(reason)}, CAST(({raw}) AS VARCHAR) FROM {relation} "
        f"WHERE coalesce(({cond}), false)"
        for cond, col, reason, raw in checks
    ]
    rows = engine.fetchall(" UNION ALL ".join(parts) + " ORDER BY 1, 2")
    return [(int(r), c, why, raw) for r, c, why, raw in rows]


def home_away_from_votes(
    votes: Sequence[tuple[str, str, int, int]],
) -> dict[str, tuple[str, str]]:
    """Home and away team per game from (game_id, team, home_votes, away_votes).

    A game is decided only when exactly two teams voted, one mostly home and the other mostly
    away; otherwise it is left out (the schedule may still know it).
    """
    by_game: dict[str, list[tuple[str, int, int]]] = {}
    for game_id, team, h, a in votes:
        by_game.setdefault(game_id, []).append((team, int(h), int(a)))
    found = {}
    for game_id, rows in by_game.items():
        home = [t for t, h, a in rows if h > a]
        away = [t for t, h, a in rows if a > h]
        if len(rows) == 2 and len(home) == 1 and len(away) == 1:
            found[game_id] = (home[0], away[0])
    return found


def schedule_teams(engine: DuckDBEngine, game_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(home, away) of the games the schedule knows, when all its sources agree."""
    if not game_ids:
        return {}
    rows = engine.fetchall(
        f"""
        SELECT game_id, min(home_team_abbr), min(away_team_abbr)
        FROM {schema.SCHEDULE.fqn} WHERE game_id IN (SELECT unnest(?::VARCHAR[]))
        GROUP BY game_id
        HAVING count(DISTINCT home_team_abbr) = 1 AND count(DISTINCT away_team_abbr) = 1
        """,
        [list(game_ids)],
    )
    return {g: (h, a) for g, h, a in rows}


def decide_teams(
    engine: DuckDBEngine,
    ref: files.FileRef,
    game_ids: Sequence[str],
    from_file: dict[str, tuple[str, str]],
) -> pa.Table:
    """Home/away per game: the file's own evidence, else the schedule, else NULL.

    Refuses the file when its evidence contradicts the schedule (teams swapped or wrong game).
    """
    scheduled = schedule_teams(engine, game_ids)
    homes, aways = [], []
    for game_id in game_ids:
        mine, theirs = from_file.get(game_id), scheduled.get(game_id)
        if mine and theirs and mine != theirs:
            raise InputError(
                f"{ref.display}: game {game_id} is {mine[1]} at {mine[0]} in the file but "
                f"{theirs[1]} at {theirs[0]} in the schedule"
            )
        home, away = mine or theirs or (None, None)
        homes.append(home)
        aways.append(away)
    return pa.table(
        {
            "game_id": pa.array(list(game_ids), pa.string()),
            "home_team_abbr": pa.array(homes, pa.string()),
            "away_team_abbr": pa.array(aways, pa.string()),
        }
    )


def finish_pbp(
    engine: DuckDBEngine,
    rows: str,
    ref: files.FileRef,
    *,
    source: str,
    name_fallback: bool,
) -> pa.Table:
    """Canonical play_by_play (plus ``_row``) from temp table ``rows``.

    ``rows`` has the canonical columns it knows, ``team_abbr`` and ``player_2_role`` included;
    this adds the secondary player's team (the assister's is the shooter's, a blocker's,
    stealer's or fouled player's is the other team of the game) and the player lookups.
    """
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pbp_other AS
        SELECT a.game_id, a.team_abbr, b.team_abbr AS other
        FROM (SELECT DISTINCT game_id, team_abbr FROM {rows} WHERE team_abbr IS NOT NULL) a
        JOIN (SELECT DISTINCT game_id, team_abbr FROM {rows} WHERE team_abbr IS NOT NULL) b
          ON a.game_id = b.game_id AND a.team_abbr <> b.team_abbr
        QUALIFY count(*) OVER (PARTITION BY a.game_id, a.team_abbr) = 1
        """
    )
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pbp_rows AS
        SELECT r.*,
            CASE WHEN r.player_2_name IS NULL THEN NULL
                 WHEN r.player_2_role = 'assist' THEN r.team_abbr ELSE o.other
            END AS player_2_team_abbr
        FROM {rows} r
        LEFT JOIN _pbp_other o ON o.game_id = r.game_id AND o.team_abbr = r.team_abbr
        """
    )
    for col in ("player_1_id", "player_2_id"):
        if col not in {r[0] for r in engine.fetchall("DESCRIBE _pbp_rows")}:
            engine.execute(f"ALTER TABLE _pbp_rows ADD COLUMN {col} BIGINT")
    attach_player_lookups(
        engine,
        "_pbp_rows",
        source=source,
        context=f"play_by_play:{ref.source_file}",
        name_fallback=name_fallback,
    )
    data = engine.arrow(
        """
        SELECT r.*, l1.lookup AS player_1_lookup, l2.lookup AS player_2_lookup
        FROM _pbp_rows r
        LEFT JOIN _pbp_lookup l1
          ON l1.player_name = r.player_1_name AND l1.player_id IS NOT DISTINCT FROM r.player_1_id
        LEFT JOIN _pbp_lookup l2
          ON l2.player_name = r.player_2_name AND l2.player_id IS NOT DISTINCT FROM r.player_2_id
        ORDER BY r.game_id, r.event_sequence, r._row
        """
    )
    drop_temp(engine, "_pbp_other", "_pbp_rows", "_pbp_lookup", rows)
    cols = {c: data.column(c) for c in data.column_names if c != "_row"}
    table = files.canonical(schema.PLAY_BY_PLAY, cols, data.num_rows)
    return table.append_column("_row", data.column("_row").cast(pa.int64()))


def attach_player_lookups(
    engine: DuckDBEngine, rows: str, *, source: str, context: str, name_fallback: bool
) -> int:
    """Temp table ``_pbp_lookup`` (player_name, player_id, lookup) for the players of ``rows``.

    A player resolves by NBA.com id (one registry player has it), else by name through
    :func:`registry.resolve_names` (which logs failures). Unresolved names keep their
    normalised form when ``name_fallback`` (full names), else no lookup. Returns unresolved.
    """
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pbp_people AS
        SELECT player_1_name AS player_name, player_1_id AS player_id, game_date, team_abbr
        FROM {rows} WHERE player_1_name IS NOT NULL
        UNION ALL
        SELECT player_2_name, player_2_id, game_date, player_2_team_abbr
        FROM {rows} WHERE player_2_name IS NOT NULL
        """
    )
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pbp_by_id AS
        SELECT nba_player_id AS player_id, min(player_lookup) AS lookup
        FROM {registry.REGISTRY}
        WHERE nba_player_id IN (SELECT player_id FROM _pbp_people)
        GROUP BY nba_player_id HAVING count(*) = 1
        """
    )
    result = registry.resolve_names(
        engine,
        "SELECT player_name, game_date, team_abbr FROM _pbp_people p "
        "WHERE p.player_id IS NULL OR p.player_id NOT IN (SELECT player_id FROM _pbp_by_id)",
        source=source,
        context=context,
        output="_pbp_by_name",
    )
    names = engine.arrow("SELECT DISTINCT player_name FROM _pbp_people")["player_name"]
    keys = registry.name_key_table(names.to_pylist() if name_fallback else [])
    with engine.registered("_pbp_fallback", keys.select(["player_name", "lookup"])):
        engine.execute(
            """
            CREATE OR REPLACE TEMP TABLE _pbp_lookup AS
            SELECT DISTINCT p.player_name, p.player_id,
                coalesce(i.lookup, n.player_lookup, f.lookup) AS lookup
            FROM _pbp_people p
            LEFT JOIN _pbp_by_id i ON i.player_id = p.player_id
            LEFT JOIN _pbp_by_name n ON n.player_name = p.player_name
            LEFT JOIN _pbp_fallback f ON f.player_name = p.player_name
            """
        )
    drop_temp(engine, "_pbp_people", "_pbp_by_id", "_pbp_by_name")
    return result.unresolved


def drop_temp(engine: DuckDBEngine, *tables: str) -> None:
    """Drop scratch tables; after a failed statement the transaction rolls them back anyway."""
    for t in tables:
        try:
            engine.execute(f"DROP TABLE IF EXISTS {t}")
        except WarehouseError:
            return


def eastern_date(utc: dt.datetime) -> dt.date:
    """US/Eastern calendar date of a naive UTC timestamp."""
    try:
        from zoneinfo import ZoneInfo

        return utc.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("America/New_York")).date()
    except (ImportError, KeyError, OSError):
        return eastern_date_by_rule(utc)


def eastern_date_by_rule(utc: dt.datetime) -> dt.date:
    """:func:`eastern_date` without a time zone database: the US daylight-time rule since 2007
    (EDT from the second Sunday of March, 2:00 local, to the first Sunday of November)."""
    mar1, nov1 = dt.datetime(utc.year, 3, 1), dt.datetime(utc.year, 11, 1)
    dst_start = mar1 + dt.timedelta(days=(6 - mar1.weekday()) % 7 + 7, hours=7)
    dst_end = nov1 + dt.timedelta(days=(6 - nov1.weekday()) % 7, hours=6)
    offset = 4 if dst_start <= utc < dst_end else 5
    return (utc - dt.timedelta(hours=offset)).date()
