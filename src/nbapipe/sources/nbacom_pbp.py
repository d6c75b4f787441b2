"""NBA.com liveData play-by-play JSON -> ``nba_raw.play_by_play`` (source ``nbacom_pbp``).

A file is one game: ``{"meta": ..., "game": {"gameId", "actions": [...]}}``, optionally
gzipped. Legacy table: spec section 3.6. Mapping decisions:

- ``actionType`` maps onto the canonical vocabulary ('2pt'/'3pt' -> shot, 'freethrow' ->
  free throw, 'jumpball' -> jump ball, 'period' and 'game' -> period, ...); the finer
  ``subType``/``descriptor`` become ``event_subtype``. Other action types are quarantined.
- Assists, blocks and steals are ``player_2`` of the shot or turnover that names them
  (``assistPersonId``, ``blockPersonId``, ``stealPersonId``; fouls: ``foulDrawnPersonId`` as
  'fouled'). The separate 'block' and 'steal' actions repeat what the shot/turnover says and
  are not written, so BLK and STL are counted one way only: ``player_2_role`` on shot and
  turnover rows. A block/steal action that no shot/turnover at the same moment names is
  quarantined rather than lost.
- Names: liveData has no full name (``playerName`` is the last name, ``playerNameI`` the
  initial form 'S. Gilgeous-Alexander'), so names are the ``playerNameI`` display form and
  ``player_1_id``/``player_2_id`` carry NBA.com person ids. Lookups come from the registry by
  person id (then by name); an initial form is never turned into a made-up lookup.
- ``xLegacy``/``yLegacy`` are shot-chart units (tenths of a foot, basket at 0,0); ``x``/``y``
  (percent of the court) are not used.
- Game date: the US/Eastern date of the earliest ``timeActual`` (the file has no date field).
  Home/away: ``location`` ('h'/'v') when actions carry it; else which of ``scoreHome`` /
  ``scoreAway`` a team's made shots raise; else the schedule; else NULL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pyarrow as pa

from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.errors import InputError
from nbapipe.progress import ProgressSink
from nbapipe.sources import files, schema, sniff
from nbapipe.sources.bigdataball import (
    decide_teams,
    drop_temp,
    eastern_date,
    finish_pbp,
    home_away_from_votes,
    row_problems,
    team_mapping,
)
from nbapipe.sources.load import IngestSummary

SOURCE = "nbacom_pbp"

# liveData actionType -> canonical event_type ('block' and 'steal' fold into other rows).
EVENT_TYPES = {
    "2pt": "shot",
    "3pt": "shot",
    "freethrow": "free throw",
    "rebound": "rebound",
    "turnover": "turnover",
    "foul": "foul",
    "violation": "violation",
    "jumpball": "jump ball",
    "substitution": "substitution",
    "timeout": "timeout",
    "period": "period",
    "game": "period",
}
FOLDED = ("block", "steal")

# Action fields read, as text (``qualifiers`` is a list, joined with commas).
FIELDS = (
    "actionNumber",
    "orderNumber",
    "clock",
    "timeActual",
    "period",
    "actionType",
    "subType",
    "descriptor",
    "qualifiers",
    "personId",
    "playerNameI",
    "playerName",
    "teamTricode",
    "location",
    "xLegacy",
    "yLegacy",
    "shotDistance",
    "shotResult",
    "assistPersonId",
    "assistPlayerNameInitial",
    "blockPersonId",
    "blockPlayerName",
    "stealPersonId",
    "stealPlayerName",
    "foulDrawnPersonId",
    "foulDrawnPlayerName",
    "scoreHome",
    "scoreAway",
)


class NbaComPbpFiles:
    """NBA.com liveData play-by-play adapter (``files.ingest_files`` drives it)."""

    name = SOURCE
    suffixes = (".json", ".json.gz")
    players: Literal["register", "resolve"] = "resolve"

    def parse(self, engine: DuckDBEngine, ref: files.FileRef) -> files.Parsed:
        game_id, actions = _read_game(ref)
        raw = _raw_table(actions)
        try:
            with engine.registered("_nba_raw_arrow", raw):
                engine.execute(
                    "CREATE OR REPLACE TEMP TABLE _nba_raw AS SELECT * FROM _nba_raw_arrow"
                )
            return self._parse(engine, ref, game_id, len(actions))
        finally:
            drop_temp(engine, "_nba_raw", "_nba_src", "_nba_typed", "_nba_pbp")

    def _parse(
        self, engine: DuckDBEngine, ref: files.FileRef, game_id: str, n: int
    ) -> files.Parsed:
        dup = engine.fetchone(
            "SELECT trim(actionNumber), min(_row), max(_row) FROM _nba_raw "
            "WHERE NULLIF(trim(actionNumber), '') IS NOT NULL "
            "GROUP BY trim(actionNumber) HAVING count(*) > 1 ORDER BY min(_row) LIMIT 1"
        )
        if dup:
            raise InputError(
                f"{ref.display}: duplicate actionNumber {dup[0]} (actions {dup[1]} and {dup[2]})"
            )
        game_date = self._game_date(engine, ref, game_id)
        types = pa.table(
            {"raw": list(EVENT_TYPES), "canonical": list(EVENT_TYPES.values())},
            schema=pa.schema([("raw", pa.string()), ("canonical", pa.string())]),
        )
        with (
            engine.registered("_nba_types", types),
            engine.registered("_nba_teams", team_mapping(engine, "_nba_raw", "teamTricode")),
        ):
            engine.execute(
                """
                CREATE OR REPLACE TEMP TABLE _nba_src AS
                SELECT r.*, m.canonical AS _event_type, t.abbr AS _team,
                    NULLIF(NULLIF(trim(r.personId), ''), '0') AS _person,
                    lower(trim(r.actionType)) AS _action,
                    TRY_CAST(r.period AS INTEGER) AS _period
                FROM _nba_raw r
                LEFT JOIN _nba_types m ON m.raw = lower(trim(r.actionType))
                LEFT JOIN _nba_teams t ON t.raw = trim(r.teamTricode)
                """
            )
        # The secondary player, first of assist, block, steal, fouled. Display names come from
        # the actions the person made (initial form): these fields give the last name only.
        role = (
            "CASE WHEN _event_type = 'shot' AND NULLIF(assistPersonId, '') IS NOT NULL "
            "THEN 'assist' "
            "WHEN _event_type = 'shot' AND NULLIF(blockPersonId, '') IS NOT NULL THEN 'block' "
            "WHEN _event_type = 'turnover' AND NULLIF(stealPersonId, '') IS NOT NULL "
            "THEN 'steal' "
            "WHEN _event_type = 'foul' AND NULLIF(foulDrawnPersonId, '') IS NOT NULL "
            "THEN 'fouled' END"
        )
        engine.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _nba_src AS
            WITH names AS (
                SELECT _person, min(NULLIF(trim(playerNameI), '')) AS name FROM _nba_src
                WHERE _person IS NOT NULL GROUP BY _person
            ),
            secondary AS (
                SELECT *, {role} AS _p2_role FROM _nba_src
            ),
            ids AS (
                SELECT *,
                    CASE _p2_role WHEN 'assist' THEN assistPersonId
                        WHEN 'block' THEN blockPersonId WHEN 'steal' THEN stealPersonId
                        WHEN 'fouled' THEN foulDrawnPersonId END AS _p2_id,
                    CASE _p2_role WHEN 'assist' THEN assistPlayerNameInitial
                        WHEN 'block' THEN blockPlayerName WHEN 'steal' THEN stealPlayerName
                        WHEN 'fouled' THEN foulDrawnPlayerName END AS _p2_given
                FROM secondary
            )
            SELECT i.*, coalesce(n.name, NULLIF(trim(i._p2_given), '')) AS _p2_name
            FROM ids i LEFT JOIN names n ON n._person = trim(i._p2_id)
            """
        )
        rejects = row_problems(
            engine,
            "_nba_src",
            [
                (
                    f"_event_type IS NULL AND coalesce(_action, '') NOT IN {FOLDED}",
                    "actionType",
                    "no canonical event type for this action",
                    "actionType",
                ),
                (
                    "_action IN ('block', 'steal') AND NOT EXISTS (SELECT 1 FROM _nba_src s "
                    "WHERE s._period = _nba_src._period AND s.clock = _nba_src.clock "
                    "AND ((_nba_src._action = 'block' AND s.blockPersonId = _nba_src._person) "
                    "OR (_nba_src._action = 'steal' AND s.stealPersonId = _nba_src._person)))",
                    "actionType",
                    "no shot or turnover at this moment names this block or steal",
                    "concat_ws(' ', actionType, personId, clock)",
                ),
                (
                    "NULLIF(trim(teamTricode), '') IS NOT NULL AND _team IS NULL",
                    "teamTricode",
                    "unknown team code",
                    "teamTricode",
                ),
                (
                    "_event_type IN ('shot', 'free throw') "
                    "AND coalesce(lower(trim(shotResult)), '') NOT IN ('made', 'missed')",
                    "shotResult",
                    "a shot result must be Made or Missed",
                    "shotResult",
                ),
            ],
        )
        is_shot = "_event_type = 'shot'"
        scoring = "_event_type IN ('shot', 'free throw')"
        clock = (
            "coalesce(CAST(TRY_CAST(regexp_extract(clock, '^PT([0-9]+)M', 1) AS INTEGER) * 60 "
            "+ TRY_CAST(regexp_extract(clock, 'M([0-9.]+)S$', 1) AS DOUBLE) AS VARCHAR), clock)"
        )
        subtype = (
            "CASE WHEN _event_type = 'free throw' THEN 'free throw ' || lower(trim(subType)) "
            "WHEN _action = 'period' THEN lower(trim(subType)) || ' of period' "
            "WHEN _action = 'game' THEN 'game ' || lower(trim(subType)) "
            "WHEN _event_type = 'shot' THEN NULLIF(lower(concat_ws(' ', "
            "NULLIF(trim(descriptor), ''), NULLIF(trim(subType), ''))), '') "
            "ELSE NULLIF(lower(concat_ws(' ', NULLIF(trim(subType), ''), "
            "NULLIF(trim(descriptor), ''))), '') END"
        )
        date_sql = f"'{game_date.isoformat()}'"
        fields = [
            files.Field("game_date", date_sql, "DATE"),
            files.Field("season_year", files.season_year_sql(date_sql), "INTEGER"),
            files.Field(
                "event_id", "actionNumber", "BIGINT", required=True, checks=files.NON_NEGATIVE
            ),
            files.Field("_order", "orderNumber", "BIGINT", raw="orderNumber"),
            files.Field(
                "period", "period", "INTEGER", required=True, checks=(("v >= 1", "period < 1"),)
            ),
            files.Field(
                "game_clock_seconds",
                clock,
                "DOUBLE",
                raw="clock",
                checks=(("v >= 0 AND v <= 720", "clock outside 0:00-12:00"),),
            ),
            files.Field("event_type", "_event_type", "VARCHAR", raw="actionType"),
            files.Field("event_subtype", subtype, "VARCHAR", raw="subType"),
            files.Field("team_abbr", "_team", "VARCHAR", raw="teamTricode"),
            files.Field("player_1_id", "_person", "BIGINT", raw="personId"),
            files.Field(
                "player_1_name",
                "CASE WHEN _person IS NOT NULL THEN NULLIF(trim(playerNameI), '') END",
                "VARCHAR",
                raw="playerNameI",
            ),
            files.Field("player_2_role", "_p2_role", "VARCHAR"),
            files.Field("player_2_id", "_p2_id", "BIGINT", raw="_p2_id"),
            files.Field("player_2_name", "_p2_name", "VARCHAR"),
            files.Field(
                "shot_made",
                f"CASE WHEN {scoring} THEN CASE lower(trim(shotResult)) WHEN 'made' THEN 'true' "
                "WHEN 'missed' THEN 'false' END END",
                "BOOLEAN",
                raw="shotResult",
            ),
            files.Field(
                "shot_type",
                "CASE _action WHEN '2pt' THEN '2PT' WHEN '3pt' THEN '3PT' "
                "WHEN 'freethrow' THEN 'FT' END",
                "VARCHAR",
                raw="actionType",
            ),
            files.Field(
                "shot_distance",
                f"CASE WHEN {is_shot} THEN shotDistance END",
                "DOUBLE",
                raw="shotDistance",
                checks=files.NON_NEGATIVE,
            ),
            files.Field("shot_x", f"CASE WHEN {is_shot} THEN xLegacy END", "DOUBLE", raw="xLegacy"),
            files.Field("shot_y", f"CASE WHEN {is_shot} THEN yLegacy END", "DOUBLE", raw="yLegacy"),
            files.Field(
                "points_scored",
                f"CASE WHEN {scoring} THEN CASE lower(trim(shotResult)) WHEN 'missed' THEN '0' "
                "WHEN 'made' THEN CASE _action WHEN '3pt' THEN '3' WHEN '2pt' THEN '2' "
                "ELSE '1' END END END",
                "INTEGER",
                raw="shotResult",
            ),
            files.Field("home_score", "scoreHome", "INTEGER", checks=files.NON_NEGATIVE),
            files.Field("away_score", "scoreAway", "INTEGER", checks=files.NON_NEGATIVE),
        ]
        rejects += files.validate_rows(engine, "_nba_src", fields, out="_nba_typed")
        # Block/steal actions are folded into the shots and turnovers that name them.
        engine.execute(
            "DELETE FROM _nba_typed WHERE _row IN (SELECT unnest(?::BIGINT[])) "
            "OR _row IN (SELECT _row FROM _nba_src WHERE _action IN ('block', 'steal'))",
            [sorted({r[0] for r in rejects})],
        )
        teams = decide_teams(engine, ref, [game_id], self._file_teams(engine, game_id))
        home, away = teams["home_team_abbr"][0].as_py(), teams["away_team_abbr"][0].as_py()
        engine.execute(
            """
            CREATE OR REPLACE TEMP TABLE _nba_pbp AS
            SELECT * EXCLUDE (_order), ? AS game_id, ? AS home_team_abbr, ? AS away_team_abbr,
                CAST(row_number() OVER (ORDER BY _order NULLS LAST, event_id) AS INTEGER)
                    AS event_sequence
            FROM _nba_typed
            """,
            [game_id, home, away],
        )
        data = finish_pbp(engine, "_nba_pbp", ref, source=SOURCE, name_fallback=False)
        return files.Parsed({"play_by_play": data}, n, rejects)

    def _game_date(self, engine: DuckDBEngine, ref: files.FileRef, game_id: str) -> dt.date:
        first = engine.fetchone(
            "SELECT min(TRY_CAST(regexp_replace(trim(timeActual), 'Z$', '') AS TIMESTAMP)) "
            "FROM _nba_raw"
        )[0]
        if first is not None:
            return eastern_date(first)
        row = engine.fetchone(
            f"SELECT min(game_date) FROM {schema.SCHEDULE.fqn} WHERE game_id = ?", [game_id]
        )
        if row and row[0] is not None:
            return row[0]
        raise InputError(
            f"{ref.display}: no action has a timeActual and the schedule does not know game "
            f"{game_id}: cannot date the game"
        )

    def _file_teams(self, engine: DuckDBEngine, game_id: str) -> dict[str, tuple[str, str]]:
        # 'location' (h/v) where a liveData version has it, else which score a make raises.
        votes = engine.fetchall(
            """
            SELECT ?, _team,
                count(*) FILTER (WHERE lower(trim(location)) = 'h'),
                count(*) FILTER (WHERE lower(trim(location)) = 'v')
            FROM _nba_src WHERE _team IS NOT NULL GROUP BY _team
            """,
            [game_id],
        )
        found = home_away_from_votes(votes)
        if found:
            return found
        votes = engine.fetchall(
            """
            WITH scores AS (
                SELECT _team, _event_type, lower(trim(shotResult)) AS result,
                    TRY_CAST(scoreHome AS INTEGER) - lag(TRY_CAST(scoreHome AS INTEGER))
                        OVER w AS d_home,
                    TRY_CAST(scoreAway AS INTEGER) - lag(TRY_CAST(scoreAway AS INTEGER))
                        OVER w AS d_away
                FROM _nba_src
                WHERE TRY_CAST(scoreHome AS INTEGER) IS NOT NULL
                  AND TRY_CAST(scoreAway AS INTEGER) IS NOT NULL
                WINDOW w AS (ORDER BY TRY_CAST(orderNumber AS BIGINT) NULLS LAST,
                             TRY_CAST(actionNumber AS BIGINT))
            )
            SELECT ?, _team,
                count(*) FILTER (WHERE d_home > 0 AND d_away = 0),
                count(*) FILTER (WHERE d_away > 0 AND d_home = 0)
            FROM scores
            WHERE _team IS NOT NULL AND result = 'made'
              AND _event_type IN ('shot', 'free throw')
            GROUP BY _team
            """,
            [game_id],
        )
        return home_away_from_votes(votes)


def ingest_nbacom_pbp(
    engine: DuckDBEngine,
    paths: Sequence[str | Path],
    *,
    progress: ProgressSink | None = None,
    force: bool = False,
) -> tuple[IngestSummary, list[files.FileOutcome]]:
    """Ingest NBA.com liveData play-by-play JSON files (``.json`` or ``.json.gz``)."""
    return files.ingest_files(engine, NbaComPbpFiles(), paths, progress=progress, force=force)


def _read_game(ref: files.FileRef) -> tuple[str, list[dict]]:
    text = files.read_text(ref)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{ref.display}: not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from exc
    game = doc.get("game") if isinstance(doc, dict) else None
    actions = game.get("actions") if isinstance(game, dict) else None
    game_id = str(game.get("gameId") or "").strip() if isinstance(game, dict) else ""
    if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
        raise InputError(
            f"{ref.display}: not NBA.com liveData play-by-play (expected game.actions, a list "
            "of objects)" + sniff.pointer(sniff.json_source(doc), "nbacom-pbp")
        )
    if sniff.play_by_play_kind(actions) == "nba-stats":
        # Same shape, other vocabulary: read here, most actions would be quarantined.
        raise InputError(
            f"{ref.display}: {sniff.PBP_V3}, not liveData play-by-play: ingest it with "
            "`nbapipe ingest nba-stats`"
        )
    if not (game_id.isdigit() and len(game_id) <= 10):
        raise InputError(f"{ref.display}: game.gameId {game_id!r} is not an NBA.com game id")
    return game_id.zfill(10), actions


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _raw_table(actions: list[dict]) -> pa.Table:
    """All-text columns of the fields read, plus the 1-based ``_row`` (action index)."""
    cols = {f: pa.array([_text(a.get(f)) for a in actions], pa.string()) for f in FIELDS}
    cols["_row"] = pa.array(range(1, len(actions) + 1), pa.int64())
    return pa.table(cols)
