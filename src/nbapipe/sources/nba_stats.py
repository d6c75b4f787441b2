"""NBA.com stats files: shot charts, game logs, schedules, box scores and play-by-play.

``NbaStatsFiles`` detects each file's layout from its CSV header or JSON shape (never from its
name, except that a LeagueGameLog-layout CSV named ``*schedule*`` is read as a schedule only):

- shot-chart CSV and the ShotChartDetail API JSON -> ``play_by_play`` shots (no assists,
  blocks or free throws: those columns stay NULL);
- player game-log CSV, PlayerGameLog and LeagueGameLog (players) JSON -> ``player_boxscores``;
- LeagueGameLog team rows (CSV or JSON) -> ``team_boxscores`` + ``schedule``;
- ScoreboardV2 JSON -> ``schedule``;
- BoxScoreTraditionalV3/V2 JSON -> ``player_boxscores`` (with DNP players) + ``team_boxscores``;
- PlayByPlayV3 JSON -> full ``play_by_play`` with assists, blocks and steals linked.

Shot coordinates are stored in NBA.com shot-chart API units: tenths of a foot, basket at (0, 0),
x positive towards the shooter's right-hand zones as the API labels them. The shot-chart CSV
writes feet with the origin 5.25 ft behind the basket and x mirrored, so
``shot_x = -10 * LOC_X`` and ``shot_y = 10 * LOC_Y - 52.5``; checked on all 219,527 shots of
2024-25: ``floor(hypot(shot_x, shot_y) / 10) == SHOT_DISTANCE`` for every one, and the CSV's
"Left Side" shots land on the API's "Left Side(L)" (negative x) half.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import math
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from nbapipe import teams
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.errors import InputError
from nbapipe.identity import normalize_name
from nbapipe.progress import ProgressSink
from nbapipe.sources import files, schema, sniff
from nbapipe.sources.files import NON_NEGATIVE, Field, FileRef, Parsed

SOURCE = "nba_stats"

# -- layouts ----------------------------------------------------------------------------------

SHOT_CSV = (
    "TEAM_ID", "TEAM_NAME", "PLAYER_ID", "PLAYER_NAME", "GAME_DATE", "GAME_ID", "HOME_TEAM",
    "AWAY_TEAM", "EVENT_TYPE", "SHOT_MADE", "ACTION_TYPE", "SHOT_TYPE", "BASIC_ZONE", "LOC_X",
    "LOC_Y", "SHOT_DISTANCE", "QUARTER", "MINS_LEFT", "SECS_LEFT",
)  # fmt: skip
PLAYER_LOG_CSV = (
    "player", "player_id", "date", "matchup", "minutes", "fgm", "fga", "threes_made",
    "threes_attempted", "ftm", "fta", "oreb", "dreb", "reb", "ast", "stl", "blk", "tov", "pf",
    "pts", "plus_minus",
)  # fmt: skip
TEAM_LOG = (
    "SEASON_ID", "TEAM_ID", "TEAM_ABBREVIATION", "GAME_ID", "GAME_DATE", "MATCHUP", "MIN",
    "PTS", "FGM", "FGA", "FG3M", "FG3A", "FTM", "FTA", "OREB", "DREB", "REB", "AST", "STL",
    "BLK", "TOV", "PF", "PLUS_MINUS",
)  # fmt: skip
PLAYER_LOG_JSON = (
    "Player_ID", "Game_ID", "GAME_DATE", "MATCHUP", "MIN", "FGM", "FGA", "FG3M", "FG3A", "FTM",
    "FTA", "OREB", "DREB", "REB", "AST", "STL", "BLK", "TOV", "PF", "PTS", "PLUS_MINUS",
)  # fmt: skip
LEAGUE_PLAYER_LOG = ("PLAYER_ID", "PLAYER_NAME", *TEAM_LOG)
SHOT_API = (
    "GAME_ID", "GAME_EVENT_ID", "PLAYER_ID", "PLAYER_NAME", "TEAM_ID", "TEAM_NAME", "PERIOD",
    "MINUTES_REMAINING", "SECONDS_REMAINING", "EVENT_TYPE", "ACTION_TYPE", "SHOT_TYPE",
    "SHOT_ZONE_BASIC", "SHOT_DISTANCE", "LOC_X", "LOC_Y", "SHOT_MADE_FLAG", "GAME_DATE", "HTM",
    "VTM",
)  # fmt: skip

CSV_LAYOUTS: dict[str, tuple[str, ...]] = {
    "shot-chart CSV": SHOT_CSV,
    "player game-log CSV": PLAYER_LOG_CSV,
    "LeagueGameLog team CSV": TEAM_LOG,
}
JSON_LAYOUTS = (
    "LeagueGameLog",
    "PlayerGameLog",
    "ShotChartDetail",
    "ScoreboardV2",
    "BoxScoreTraditionalV2",
    "BoxScoreTraditionalV3",
    "PlayByPlayV3",
)
KNOWN_LAYOUTS = (
    "known layouts: " + ", ".join(CSV_LAYOUTS) + "; JSON responses " + ", ".join(JSON_LAYOUTS)
)

# Load order within one ingest: games first (player logs look them up), box scores next (they
# register players), then files naming players by id only (PlayerGameLog) and events, which
# take full player names from the registry.
RANK_SCHEDULE, RANK_BOX, RANK_BY_ID, RANK_EVENTS, RANK_UNKNOWN = 0, 1, 2, 3, 4

SEASON_TYPES = {
    "1": "Pre Season",
    "2": "Regular Season",
    "3": "All-Star",
    "4": "Playoffs",
    "5": "Play-In",
    "6": "NBA Cup",  # the Cup final: not part of regular-season statistics
}

# (canonical column, stage column) for the traditional counting stats.
STATS = (
    ("points", "pts"),
    ("field_goals_made", "fgm"),
    ("field_goals_attempted", "fga"),
    ("three_pointers_made", "fg3m"),
    ("three_pointers_attempted", "fg3a"),
    ("free_throws_made", "ftm"),
    ("free_throws_attempted", "fta"),
    ("offensive_rebounds", "oreb"),
    ("defensive_rebounds", "dreb"),
    ("total_rebounds", "reb"),
    ("assists", "ast"),
    ("steals", "stl"),
    ("blocks", "blk"),
    ("turnovers", "tov"),
    ("personal_fouls", "pf"),
)
STAGE_STATS = (*(s for _, s in STATS), "plus_minus")
V2_STATS = ("PTS", "FGM", "FGA", "FG3M", "FG3A", "FTM", "FTA", "OREB", "DREB", "REB", "AST",
            "STL", "BLK", "TO", "PF", "PLUS_MINUS")  # fmt: skip
V3_STATS = (
    "points", "fieldGoalsMade", "fieldGoalsAttempted", "threePointersMade",
    "threePointersAttempted", "freeThrowsMade", "freeThrowsAttempted", "reboundsOffensive",
    "reboundsDefensive", "reboundsTotal", "assists", "steals", "blocks", "turnovers",
    "foulsPersonal", "plusMinusPoints",
)  # fmt: skip

MATCHUP_RE = r"^\s*(\S+)\s+(vs\.?|@)\s+(\S+)\s*$"
GAME_ID_CHECK = (("v SIMILAR TO '00[0-9]{8}'", "not an NBA.com game id"),)
EASTERN = ZoneInfo("America/New_York")


# The ``source`` of play-by-play rows that came from shot charts (shots only).
SHOT_CHART_SOURCE = "nba_stats_shotchart"


class NbaStatsFiles:
    """File adapter for NBA.com stats exports and recorded API responses."""

    name = SOURCE
    suffixes = (".csv", ".csv.gz", ".json", ".json.gz", ".zip")
    players = "register"

    def sort_key(self, ref: FileRef) -> int:
        return _rank(_peek(ref))

    def parse(self, engine: DuckDBEngine, ref: FileRef) -> Parsed:
        _drop_temps(engine)
        parsed = self._parse(engine, ref)
        _drop_temps(engine)
        return parsed

    def _parse(self, engine: DuckDBEngine, ref: FileRef) -> Parsed:
        raw = _peek_bytes(ref)
        files.refuse_binary(ref, raw.removeprefix(b"\xef\xbb\xbf"))
        head = raw.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
        if head.lower().startswith(("<!doctype html", "<html")):
            files.read_text(ref)  # refuses the HTML (error) page with its own message
        if head[:1] in ("{", "[") and head:
            return _parse_json(engine, ref)
        if ref.name.lower().endswith((".json", ".json.gz")):
            files.read_text(ref)  # refuses undecodable files with their own message
            raise InputError(f"{ref.display}: not valid JSON (it starts {head[:40]!r})")
        return _parse_csv(engine, ref, head)


def ingest_nba_stats(
    engine: DuckDBEngine,
    paths: Sequence[str | Path],
    *,
    progress: ProgressSink | None = None,
    force: bool = False,
) -> tuple[files.IngestSummary, list[files.FileOutcome]]:
    """Ingest NBA.com stats files (any layout above); returns ``files.ingest_files``'s result."""
    return files.ingest_files(engine, NbaStatsFiles(), paths, progress=progress, force=force)


# -- detection --------------------------------------------------------------------------------


def _peek(ref: FileRef, size: int = 8192) -> str:
    """The first bytes of a file (decompressed), as text; '' when unreadable."""
    return _peek_bytes(ref, size).decode("utf-8", errors="replace")


def _peek_bytes(ref: FileRef, size: int = 8192) -> bytes:
    """The first bytes of a file (decompressed); b'' when unreadable."""
    try:
        if ref.member is None:
            with open(ref.path, "rb") as fh:
                return _maybe_gunzip(ref, fh, size)
        with zipfile.ZipFile(ref.path) as zf, zf.open(ref.member) as fh:
            return _maybe_gunzip(ref, fh, size)
    except (OSError, EOFError, zipfile.BadZipFile, KeyError):
        return b""


def _maybe_gunzip(ref: FileRef, fh: Any, size: int) -> bytes:
    if ref.name.lower().endswith(".gz"):
        with gzip.GzipFile(fileobj=fh) as gz:
            return gz.read(size)
    return fh.read(size)


def _csv_layout(header: Sequence[str]) -> str | None:
    present = set(header)
    scores = {name: len(present & set(cols)) / len(cols) for name, cols in CSV_LAYOUTS.items()}
    best = max(scores, key=lambda n: scores[n])
    return best if scores[best] >= 0.5 else None


def _rank(head: str) -> int:
    text = head.lstrip("\ufeff \t\r\n")
    if text[:1] in "{[":
        low = text.lower()
        if any(k in low for k in ("playbyplay", '"actions"', "shot_chart", "shotchart")):
            return RANK_EVENTS
        if "playergamelog" in low:
            return RANK_BY_ID
        if "boxscore" in low or re.search(r'"playerorteam"\s*:\s*"p"', low):
            return RANK_BOX
        if "leaguegamelog" in low or "scoreboard" in low or "gameheader" in low:
            return RANK_SCHEDULE
        return RANK_UNKNOWN
    first = text.splitlines()[0] if text else ""
    layout = _csv_layout(next(csv.reader([first]), []))
    return {
        "LeagueGameLog team CSV": RANK_SCHEDULE,
        "player game-log CSV": RANK_BOX,
        "shot-chart CSV": RANK_EVENTS,
    }.get(layout or "", RANK_UNKNOWN)


def _unknown(ref: FileRef, what: str, found: str | None = None) -> InputError:
    """Refuse a file of no known layout; ``found``: the source whose layout it is, if any."""
    other = sniff.pointer(found, "nba-stats")
    if other:  # another source's file: what it is and the command for it, not our list
        return InputError(f"{ref.display}: not an NBA.com stats file{other}")
    return InputError(f"{ref.display}: unknown layout ({what}); {KNOWN_LAYOUTS}")


# -- SQL helpers ------------------------------------------------------------------------------


def _drop_temps(engine: DuckDBEngine) -> None:
    """Drop this module's scratch tables and views (all named ``_nba_*``)."""
    for name, kind in engine.fetchall(
        "SELECT table_name, table_type FROM information_schema.tables "
        "WHERE table_catalog = 'temp' AND table_name LIKE '\\_nba\\_%' ESCAPE '\\'"
    ):
        engine.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS temp.{name}")


def _temp_table(engine: DuckDBEngine, name: str, data: pa.Table) -> None:
    with engine.registered(f"{name}_arrow", data):
        engine.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")


def _int(col: str) -> str:
    """Text -> whole-number text; anything else stays non-numeric so the row is rejected
    (a plain cast would round '20.5' to 21)."""
    return (
        f"CASE WHEN TRY_CAST({col} AS BIGINT) = TRY_CAST({col} AS DOUBLE) THEN {col} "
        f"WHEN NULLIF(TRIM({col}), '') IS NULL THEN NULL ELSE 'not whole ' || {col} END"
    )


def _date(col: str, fmt: str) -> str:
    """Date text in ``fmt`` -> ISO text (unparseable text is kept, then rejected with it)."""
    if fmt == "%Y-%m-%d":
        return col
    return f"coalesce(strftime(try_strptime(TRIM({col}), '{fmt}'), '%Y-%m-%d'), {col})"


def _game_id(col: str) -> str:
    """The shot-chart CSV drops the leading '00' of NBA.com ids: restore it."""
    return (
        f"CASE WHEN length(TRIM({col})) IN (8, 9) THEN lpad(TRIM({col}), 10, '0') "
        f"ELSE TRIM({col}) END"
    )


def _team_codes(engine: DuckDBEngine, rel: str, columns: Sequence[str]) -> None:
    """Temp table ``_nba_teams(code, abbr)`` mapping every distinct team value to a tricode."""
    union = " UNION ".join(f"SELECT CAST({c} AS VARCHAR) AS code FROM {rel}" for c in columns)
    codes = [r[0] for r in engine.fetchall(f"SELECT DISTINCT code FROM ({union}) WHERE code <> ''")]
    _temp_table(
        engine,
        "_nba_teams",
        pa.table(
            {
                "code": pa.array(codes, pa.string()),
                "abbr": pa.array([_abbr(c) for c in codes], pa.string()),
            }
        ),
    )


def _abbr(value: Any) -> str | None:
    """Tricode for a tricode, team name or NBA.com team id; None when unknown."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if text.isdigit():
        team = teams.BY_ID.get(int(text))
        return team.abbr if team else None
    try:
        return teams.team_abbr(text)
    except InputError:
        return None


def _names(engine: DuckDBEngine, rel: str, column: str) -> None:
    """Temp table ``_nba_names(name, lookup)``: player_lookup of every distinct name."""
    names = [r[0] for r in engine.fetchall(f"SELECT DISTINCT {column} FROM {rel}") if r[0]]
    _temp_table(
        engine,
        "_nba_names",
        pa.table(
            {
                "name": pa.array(names, pa.string()),
                "lookup": pa.array([normalize_name(n) for n in names], pa.string()),
            }
        ),
    )


Check = tuple[str, str, str, str]  # (condition, column, reason SQL, raw-text SQL)


def _reject_where(
    engine: DuckDBEngine,
    rel: str,
    condition: str,
    column: str,
    reason_sql: str,
    raw_sql: str,
    *,
    base: str | None = None,
) -> list[tuple[int, str, str, str | None]]:
    """Reject the rows of ``rel`` matching ``condition`` (see ``_reject_all``)."""
    return _reject_all(engine, rel, [(condition, column, reason_sql, raw_sql)], base=base)


def _reject_all(
    engine: DuckDBEngine, rel: str, checks: Sequence[Check], *, base: str | None = None
) -> list[tuple[int, str, str, str | None]]:
    """Reject the rows of ``rel`` failing any check, in one pass, and remove them (from
    ``base`` when ``rel`` is a view over it)."""
    if not checks:
        return []
    problems = ", ".join(
        f"CASE WHEN {cond} THEN {{'column': '{col}', 'reason': {reason}, "
        f"'raw': CAST({raw} AS VARCHAR)}} END"
        for cond, col, reason, raw in checks
    )
    anywhere = " OR ".join(f"({cond})" for cond, _, _, _ in checks)
    rows = engine.fetchall(
        f"SELECT _row, p.column, p.reason, p.raw FROM (SELECT _row, "
        f"unnest(list_filter([{problems}], lambda p: p IS NOT NULL)) AS p FROM {rel} "
        f"WHERE {anywhere}) ORDER BY _row, p.column"
    )
    if rows:
        with engine.registered("_nba_rejected", pa.table({"_row": [int(r[0]) for r in rows]})):
            engine.execute(
                f"DELETE FROM {base or rel} WHERE _row IN (SELECT _row FROM _nba_rejected)"
            )
    return [(int(r), col, str(why), raw) for r, col, why, raw in rows]


def _unknown_team_checks(pairs: Sequence[tuple[str, str]]) -> list[Check]:
    """Checks for (mapped, raw) team columns holding a value that is no NBA team."""
    return [
        (f"{mapped} IS NULL AND NULLIF(TRIM({raw}), '') IS NOT NULL", raw,
         f"'unknown team ' || {raw}", raw)
        for mapped, raw in pairs
    ]  # fmt: skip


def _reject_unknown_teams(
    engine: DuckDBEngine, rel: str, pairs: Sequence[tuple[str, str]], *, base: str | None = None
) -> list[tuple[int, str, str, str | None]]:
    return _reject_all(engine, rel, _unknown_team_checks(pairs), base=base)


def _stat_fields() -> list[Field]:
    fields = [
        Field(canon, _int(stage), "INTEGER", raw=stage, checks=NON_NEGATIVE)
        for canon, stage in STATS
    ]
    fields.append(Field("plus_minus", _int("plus_minus"), "INTEGER", raw="plus_minus"))
    return fields


def _output(engine: DuckDBEngine, table: schema.Table, sql: str) -> pa.Table:
    """Canonical table from a query that yields canonical columns plus ``_row``."""
    data = engine.arrow(sql)
    cols = {c: data.column(c) for c in data.column_names if c != "_row"}
    out = files.canonical(table, cols, data.num_rows)
    return out.append_column("_row", data.column("_row").cast(pa.int64()))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _text_table(ref: FileRef, name: str, headers: Any, rows: Any) -> pa.Table:
    """An all-text Arrow table (with ``_row``) from an API result set."""
    if not isinstance(headers, list) or not isinstance(rows, list):
        raise InputError(f"{ref.display}: result set {name} has no headers/rowSet lists")
    width = len(headers)
    for i, row in enumerate(rows, 1):
        if not isinstance(row, list) or len(row) != width:
            raise InputError(
                f"{ref.display}: row {i} of result set {name} does not have {width} values"
            )
    cols = {
        str(h): pa.array([_text(r[j]) for r in rows], pa.string()) for j, h in enumerate(headers)
    }
    cols["_row"] = pa.array(range(1, len(rows) + 1), pa.int64())
    return pa.table(cols)


def _require(ref: FileRef, data: pa.Table, required: Sequence[str], what: str) -> None:
    missing = [c for c in required if c not in data.column_names]
    if missing:
        raise InputError(f"{ref.display}: {what} is missing column(s) {', '.join(missing)}")


# -- CSV ----------------------------------------------------------------------------------------


def _parse_csv(engine: DuckDBEngine, ref: FileRef, head: str) -> Parsed:
    first = head.splitlines()[0] if head else ""
    header = next(csv.reader([first]), [])
    layout = _csv_layout(header)
    if layout is None:
        shown = files.printable(", ".join(header[:8]) + (", ..." if len(header) > 8 else ""))
        raise _unknown(ref, f"CSV columns {shown or 'none'}", sniff.csv_source(header))
    n = files.csv_relation(engine, ref, required=CSV_LAYOUTS[layout], name="_nba_raw")
    if layout == "shot-chart CSV":
        tables, rejects = _shots(engine, _SHOT_CSV_SPEC)
    elif layout == "player game-log CSV":
        tables, rejects = _player_logs(engine, _PLAYER_LOG_CSV_SPEC)
    else:
        only_schedule = "schedule" in ref.name.lower()
        tables, rejects = _team_logs(engine, with_boxscores=not only_schedule)
    return Parsed(tables, n, rejects, sources=_shot_sources(layout == "shot-chart CSV"))


def _shot_sources(is_shot_chart: bool) -> dict[str, str]:
    """Shot-chart events are their own source: a game can also have full PlayByPlayV3 rows,
    and the two must never be counted together."""
    return {"play_by_play": SHOT_CHART_SOURCE} if is_shot_chart else {}


# -- shots (shot-chart CSV and ShotChartDetail JSON) --------------------------------------------

_SHOT_CSV_SPEC = {
    "game_id": "GAME_ID",
    "game_date": "GAME_DATE",
    "date_format": "%m-%d-%Y",
    "team_id": "TEAM_ID",
    "team_name": "TEAM_NAME",
    "home": "HOME_TEAM",
    "away": "AWAY_TEAM",
    "player_id": "PLAYER_ID",
    "player_name": "PLAYER_NAME",
    "made": "coalesce(SHOT_MADE, CASE EVENT_TYPE WHEN 'Made Shot' THEN 'true' "
    "WHEN 'Missed Shot' THEN 'false' END)",
    "action": "ACTION_TYPE",
    "shot_type": "SHOT_TYPE",
    "zone": "BASIC_ZONE",
    "distance": "SHOT_DISTANCE",
    "x": "LOC_X",
    "y": "LOC_Y",
    # feet, origin 5.25 ft behind the rim, x mirrored -> API tenths of a foot (module doc)
    "shot_x": "round(-10 * loc_x, 1)",
    "shot_y": "round(10 * loc_y - 52.5, 1)",
    "period": "QUARTER",
    "mins": "MINS_LEFT",
    "secs": "SECS_LEFT",
    "event_id": "NULL",
}
_SHOT_API_SPEC = {
    "game_id": "GAME_ID",
    "game_date": "GAME_DATE",
    "date_format": "%Y%m%d",
    "team_id": "TEAM_ID",
    "team_name": "TEAM_NAME",
    "home": "HTM",
    "away": "VTM",
    "player_id": "PLAYER_ID",
    "player_name": "PLAYER_NAME",
    "made": "coalesce(SHOT_MADE_FLAG, CASE EVENT_TYPE WHEN 'Made Shot' THEN 'true' "
    "WHEN 'Missed Shot' THEN 'false' END)",
    "action": "ACTION_TYPE",
    "shot_type": "SHOT_TYPE",
    "zone": "SHOT_ZONE_BASIC",
    "distance": "SHOT_DISTANCE",
    "x": "LOC_X",
    "y": "LOC_Y",
    "shot_x": "loc_x",
    "shot_y": "loc_y",
    "period": "PERIOD",
    "mins": "MINUTES_REMAINING",
    "secs": "SECONDS_REMAINING",
    "event_id": "GAME_EVENT_ID",
}


def _shots(engine: DuckDBEngine, spec: dict[str, str]) -> tuple[dict[str, pa.Table], list]:
    """Shots from the all-text relation ``_nba_raw`` -> play_by_play rows."""
    s = spec
    _team_codes(engine, "_nba_raw", [s["team_id"], s["team_name"], s["home"], s["away"]])
    _names(engine, "_nba_raw", s["player_name"])
    # A view: materialising 200k rows of text once more costs more than the conversions.
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW _nba_shot_stage AS
        SELECT r._row,
               {s["game_id"]} AS game_id_raw, {_game_id(s["game_id"])} AS game_id,
               {s["game_date"]} AS game_date_raw,
               CAST(try_strptime(TRIM({s["game_date"]}), '{s["date_format"]}') AS DATE)
                   AS game_date,
               coalesce(ti.abbr, tn.abbr) AS team, coalesce({s["team_name"]}, {s["team_id"]})
                   AS team_raw,
               th.abbr AS home, {s["home"]} AS home_raw, ta.abbr AS away, {s["away"]} AS away_raw,
               {s["player_id"]} AS player_id, {s["player_name"]} AS player_name,
               nm.lookup AS player_lookup, {s["made"]} AS made, {s["action"]} AS action,
               {s["shot_type"]} AS shot_type_raw,
               CASE WHEN {s["shot_type"]} ILIKE '3PT%' THEN '3PT'
                    WHEN {s["shot_type"]} ILIKE '2PT%' THEN '2PT' ELSE {s["shot_type"]} END
                   AS shot_type,
               {s["zone"]} AS zone, {s["distance"]} AS distance, {s["x"]} AS x, {s["y"]} AS y,
               {s["period"]} AS period, {s["mins"]} AS mins, {s["secs"]} AS secs,
               {s["event_id"]} AS event_id
        FROM _nba_raw r
        LEFT JOIN _nba_teams ti ON ti.code = CAST(r.{s["team_id"]} AS VARCHAR)
        LEFT JOIN _nba_teams tn ON tn.code = r.{s["team_name"]}
        LEFT JOIN _nba_teams th ON th.code = r.{s["home"]}
        LEFT JOIN _nba_teams ta ON ta.code = r.{s["away"]}
        LEFT JOIN _nba_names nm ON nm.name = r.{s["player_name"]}
        """
    )
    pairs = [("team", "team_raw"), ("home", "home_raw"), ("away", "away_raw")]
    bad_date = (
        "game_date IS NULL AND NULLIF(TRIM(game_date_raw), '') IS NOT NULL",
        "game_date",
        f"'not a valid date ({s['date_format']})'",
        "game_date_raw",
    )
    checks = [*_unknown_team_checks(pairs), bad_date]
    rejects = _reject_all(engine, "_nba_shot_stage", checks, base="_nba_raw")
    fields = [
        Field("game_id", "game_id", "VARCHAR", raw="game_id_raw", required=True,
              checks=GAME_ID_CHECK),
        Field("game_date", "game_date", "DATE", required=True),
        Field("team_abbr", "team", "VARCHAR", raw="team_raw", required=True),
        Field("home_team_abbr", "home", "VARCHAR", raw="home_raw", required=True),
        Field("away_team_abbr", "away", "VARCHAR", raw="away_raw", required=True),
        Field("player_1_id", _int("player_id"), "BIGINT", raw="player_id"),
        Field("player_1_name", "player_name", "VARCHAR", required=True),
        Field("player_1_lookup", "player_lookup", "VARCHAR", raw="player_name", required=True),
        Field("shot_made", "made", "BOOLEAN", required=True),
        Field("shot_type", "shot_type", "VARCHAR", raw="shot_type_raw", required=True,
              checks=(("v IN ('2PT', '3PT')", "shot type is not 2PT or 3PT"),)),
        Field("event_subtype", "lower(TRIM(action))", "VARCHAR", raw="action"),
        Field("source_zone", "zone", "VARCHAR"),
        Field("shot_distance", "distance", "DOUBLE", checks=NON_NEGATIVE),
        Field("loc_x", "x", "DOUBLE"),
        Field("loc_y", "y", "DOUBLE"),
        Field("period", _int("period"), "INTEGER", raw="period", required=True,
              checks=(("v >= 1", "period before the first"),)),
        Field("mins", _int("mins"), "INTEGER", raw="mins", required=True,
              checks=(("v BETWEEN 0 AND 12", "minutes left outside 0-12"),)),
        Field("secs", "secs", "DOUBLE", required=True,
              checks=(("v >= 0 AND v < 60", "seconds left outside 0-59"),)),
        Field("event_id", _int("event_id"), "BIGINT", raw="event_id"),
    ]  # fmt: skip
    rejects += files.validate_rows(engine, "_nba_shot_stage", fields, out="_nba_typed")
    # Shot charts carry no event number: number shots per game in game order (period, clock
    # running down, then file order), which is deterministic for a given file.
    order = "PARTITION BY game_id ORDER BY period, mins * 60 + secs DESC, _row"
    pbp = _output(
        engine,
        schema.PLAY_BY_PLAY,
        f"""
        SELECT _row, game_id, game_date, {files.season_year_sql("game_date")} AS season_year,
               home_team_abbr, away_team_abbr,
               coalesce(event_id, row_number() OVER ({order})) AS event_id,
               CAST(row_number() OVER ({order}) AS INTEGER) AS event_sequence,
               period, mins * 60 + secs AS game_clock_seconds, 'shot' AS event_type,
               event_subtype, team_abbr, player_1_lookup, player_1_name, player_1_id, shot_made,
               shot_type, shot_distance, {s["shot_x"]} AS shot_x, {s["shot_y"]} AS shot_y,
               source_zone,
               CASE WHEN shot_made THEN CASE shot_type WHEN '3PT' THEN 3 ELSE 2 END ELSE 0 END
                   AS points_scored
        FROM _nba_typed ORDER BY game_id, event_sequence
        """,
    )
    return {"play_by_play": pbp}, rejects


# -- player box scores (game logs and box-score JSON) -------------------------------------------

_PLAYER_LOG_CSV_SPEC = {
    "game_id": "NULL",
    "game_date": "date",
    "date_format": "%Y-%m-%d",
    "team_raw": f"regexp_extract(matchup, '{MATCHUP_RE}', 1)",
    "matchup": "matchup",
    "player_id": "player_id",
    "player_name": "player",
    "minutes": "minutes",
    "pts": "pts",
    "fgm": "fgm",
    "fga": "fga",
    "fg3m": "threes_made",
    "fg3a": "threes_attempted",
    "ftm": "ftm",
    "fta": "fta",
    "oreb": "oreb",
    "dreb": "dreb",
    "reb": "reb",
    "ast": "ast",
    "stl": "stl",
    "blk": "blk",
    "tov": "tov",
    "pf": "pf",
    "plus_minus": "plus_minus",
}
_UPPER_STATS = {
    "pts": "PTS", "fgm": "FGM", "fga": "FGA", "fg3m": "FG3M", "fg3a": "FG3A", "ftm": "FTM",
    "fta": "FTA", "oreb": "OREB", "dreb": "DREB", "reb": "REB", "ast": "AST", "stl": "STL",
    "blk": "BLK", "tov": "TOV", "pf": "PF", "plus_minus": "PLUS_MINUS",
}  # fmt: skip
_PLAYER_GAME_LOG_SPEC = {
    "game_id": "Game_ID",
    "game_date": "GAME_DATE",
    "date_format": "%b %d, %Y",
    "team_raw": f"regexp_extract(MATCHUP, '{MATCHUP_RE}', 1)",
    "matchup": "MATCHUP",
    "player_id": "Player_ID",
    "player_name": "NULL",  # PlayerGameLog names nobody: the registry knows the id
    "minutes": "MIN",
    **_UPPER_STATS,
}
_LEAGUE_PLAYER_LOG_SPEC = {
    **_PLAYER_GAME_LOG_SPEC,
    "game_id": "GAME_ID",
    "date_format": "%Y-%m-%d",
    "team_raw": "TEAM_ABBREVIATION",
    "player_id": "PLAYER_ID",
    "player_name": "PLAYER_NAME",
}


def _matchup_sql(matchup: str) -> str:
    """Stage columns from a MATCHUP text: 'A vs. B' (A at home) or 'A @ B' (B at home)."""
    return ", ".join(
        f"regexp_extract({matchup}, '{MATCHUP_RE}', {i}) AS {name}"
        for i, name in ((1, "first_raw"), (2, "sep"), (3, "last_raw"))
    )


def _teams_from_matchup(engine: DuckDBEngine, extra: str = "", join: str = "") -> list:
    """``_nba_stage0`` (game_id, team_raw, matchup, first_raw, sep, last_raw) -> ``_nba_stage``
    with team, opp, home, away and is_home; rows failing the matchup are rejected."""
    rejects = _reject_where(
        engine,
        "_nba_stage0",
        "NULLIF(sep, '') IS NULL",
        "matchup",
        "'matchup is not ''TEAM vs. OPP'' or ''TEAM @ OPP'''",
        "matchup",
    )
    _team_codes(engine, "_nba_stage0", ["team_raw", "first_raw", "last_raw"])
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _nba_stage1 AS
        SELECT s.*, t.abbr AS team, f.abbr AS first, l.abbr AS last,
               s.sep LIKE 'vs%' AS first_home {extra}
        FROM _nba_stage0 s
        LEFT JOIN _nba_teams t ON t.code = s.team_raw
        LEFT JOIN _nba_teams f ON f.code = s.first_raw
        LEFT JOIN _nba_teams l ON l.code = s.last_raw {join}
        """
    )
    checks = [
        *_unknown_team_checks([("team", "team_raw"), ("first", "first_raw"), ("last", "last_raw")]),
        ("team NOT IN (first, last)", "matchup", "'matchup does not name the team ' || team",
         "matchup"),
    ]  # fmt: skip
    rejects += _reject_all(engine, "_nba_stage1", checks)
    # Each row's matchup claims a home team, and at neutral sites the rows disagree (Mexico
    # City 2025: 'DAL @ DET' and 'DET @ DAL'; Paris 2025: both 'SAS @ IND'). One answer per
    # game: the first 'vs.' row's team, else the home team its first row names.
    engine.execute(
        """
        CREATE OR REPLACE TEMP TABLE _nba_stage AS
        WITH c AS (
            SELECT * EXCLUDE (first_home), first_home AS says_vs,
                   CASE WHEN first_home THEN first ELSE last END AS claim_home,
                   CASE WHEN first_home THEN last ELSE first END AS claim_away
            FROM _nba_stage1
        ), g AS (
            SELECT * EXCLUDE (claim_home, claim_away, says_vs),
                   first_value(claim_home) OVER w AS home, first_value(claim_away) OVER w AS away
            FROM c
            WINDOW w AS (PARTITION BY coalesce(CAST(game_id AS VARCHAR), CAST(_row AS VARCHAR))
                         ORDER BY says_vs DESC, _row
                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        )
        SELECT *, CASE WHEN team = home THEN away ELSE home END AS opp,
               CASE WHEN team = first THEN last_raw ELSE first_raw END AS opp_raw,
               CAST(team = home AS VARCHAR) AS is_home
        FROM g
        """
    )
    return rejects


def _player_logs(engine: DuckDBEngine, spec: dict[str, str]) -> tuple[dict[str, pa.Table], list]:
    """Player game logs in ``_nba_raw`` (one row per player-game played)."""
    s = spec
    stats = ", ".join(f"{s[c]} AS {c}" for c in STAGE_STATS)
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _nba_stage0 AS
        SELECT _row, {s["game_id"]} AS game_id, {s["game_date"]} AS game_date_raw,
               {_date(s["game_date"], s["date_format"])} AS game_date,
               {s["team_raw"]} AS team_raw, {s["matchup"]} AS matchup,
               {_matchup_sql(s["matchup"])},
               CAST({s["player_id"]} AS VARCHAR) AS player_id,
               CAST({s["player_name"]} AS VARCHAR) AS player_name,
               {s["minutes"]} AS minutes, {stats}
        FROM _nba_raw
        """
    )
    rejects: list = []
    if spec["player_name"] == "NULL":
        # Names come from the registry by NBA.com person id.
        engine.execute(
            f"""
            UPDATE _nba_stage0 AS s SET player_name = r.player_name
            FROM (SELECT CAST(nba_player_id AS VARCHAR) AS pid, min(player_name) AS player_name
                  FROM {schema.PLAYERS_REGISTRY.fqn} GROUP BY ALL) r
            WHERE r.pid = TRIM(s.player_id)
            """
        )
        rejects += _reject_where(
            engine,
            "_nba_stage0",
            "player_name IS NULL",
            "Player_ID",
            "'player id ' || coalesce(player_id, '?') || ' is not in the player registry "
            "(ingest a box score or game log that names the player first)'",
            "player_id",
        )
    _names(engine, "_nba_stage0", "player_name")
    rejects += _teams_from_matchup(
        engine,
        extra=", n.lookup AS player_lookup, 'active' AS status, NULL AS dnp_reason, "
        "NULL AS starter",
        join="LEFT JOIN _nba_names n ON n.name = s.player_name",
    )
    return _player_boxes(engine, rejects, lookup_games=spec["game_id"] == "NULL")


def _player_boxes(
    engine: DuckDBEngine, rejects: list, *, lookup_games: bool
) -> tuple[dict[str, pa.Table], list]:
    """Validate the player stage ``_nba_stage`` into player_boxscores rows.

    Without game ids (game-log CSV) each row's game is the scheduled game of its team that day.
    """
    pairs = [("team", "team_raw"), ("opp", "opp_raw")]
    rejects += _reject_unknown_teams(engine, "_nba_stage", pairs)
    fields = [
        Field("game_date", "game_date", "DATE", raw="game_date_raw", required=True),
        Field("team_abbr", "team", "VARCHAR", raw="team_raw", required=True),
        Field("opponent_team_abbr", "opp", "VARCHAR", raw="opp_raw"),
        Field("home_team_abbr", "home", "VARCHAR"),
        Field("away_team_abbr", "away", "VARCHAR"),
        Field("player_name", "player_name", "VARCHAR", required=True),
        Field("player_lookup", "player_lookup", "VARCHAR", raw="player_name", required=True),
        Field("nba_player_id", _int("player_id"), "BIGINT", raw="player_id"),
        Field("player_status", "status", "VARCHAR", required=True),
        Field("dnp_reason", "dnp_reason", "VARCHAR"),
        Field("starter", "starter", "BOOLEAN"),
        Field("minutes", "minutes", "DOUBLE", checks=NON_NEGATIVE),
        *_stat_fields(),
    ]
    if not lookup_games:
        fields.insert(0, Field("game_id", _game_id("game_id"), "VARCHAR", raw="game_id",
                               required=True, checks=GAME_ID_CHECK))  # fmt: skip
    rejects += files.validate_rows(engine, "_nba_stage", fields, out="_nba_typed")
    if lookup_games:
        engine.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _nba_typed AS
            WITH games AS (
                SELECT DISTINCT game_id, game_date, home_team_abbr, away_team_abbr
                FROM {schema.SCHEDULE.fqn}
            )
            SELECT t.* EXCLUDE (home_team_abbr, away_team_abbr, opponent_team_abbr),
                   g.game_id, g.home_team_abbr, g.away_team_abbr,
                   CASE WHEN t.team_abbr = g.home_team_abbr THEN g.away_team_abbr
                        ELSE g.home_team_abbr END AS opponent_team_abbr,
                   count(g.game_id) OVER (PARTITION BY t._row) AS _matches
            FROM _nba_typed t
            LEFT JOIN games g ON g.game_date = t.game_date
             AND t.team_abbr IN (g.home_team_abbr, g.away_team_abbr)
            """
        )
        rejects += _reject_where(
            engine,
            "_nba_typed",
            "game_id IS NULL",
            "game_id",
            "'no scheduled game for ' || team_abbr || ' on ' || CAST(game_date AS VARCHAR) "
            "|| ' (ingest the schedule or team game logs first)'",
            "team_abbr || ' ' || CAST(game_date AS VARCHAR)",
        )
        rejects += _reject_where(
            engine,
            "_nba_typed",
            "_matches > 1",
            "game_id",
            "'the schedule has ' || _matches || ' games for ' || team_abbr || ' on ' "
            "|| CAST(game_date AS VARCHAR)",
            "game_id",
        )
    stats = ", ".join(c for c, _ in STATS)
    box = _output(
        engine,
        schema.PLAYER_BOXSCORES,
        f"""
        SELECT _row, game_id, game_date, {files.season_year_sql("game_date")} AS season_year,
               home_team_abbr, away_team_abbr, team_abbr, opponent_team_abbr, player_lookup,
               player_name, nba_player_id, player_status, dnp_reason, starter, minutes, {stats},
               plus_minus
        FROM _nba_typed ORDER BY _row
        """,
    )
    return {"player_boxscores": box}, rejects


# -- team game logs (LeagueGameLog) -> team_boxscores + schedule --------------------------------


def _team_logs(engine: DuckDBEngine, *, with_boxscores: bool) -> tuple[dict[str, pa.Table], list]:
    """LeagueGameLog team rows in ``_nba_raw``; the matchup names both teams, so one row per
    game is enough for the schedule (the other score is PTS - PLUS_MINUS)."""
    stats = ", ".join(f"{_UPPER_STATS[c]} AS {c}" for c in STAGE_STATS)
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _nba_stage0 AS
        SELECT _row, GAME_ID AS game_id, GAME_DATE AS game_date_raw, GAME_DATE AS game_date,
               right(TRIM(SEASON_ID), 4) AS season_year, left(TRIM(SEASON_ID), 1) AS season_kind,
               coalesce(NULLIF(TRIM(TEAM_ABBREVIATION), ''), TEAM_ID) AS team_raw,
               MATCHUP AS matchup, {_matchup_sql("MATCHUP")}, MIN AS minutes, {stats}
        FROM _nba_raw r
        """
    )
    rejects = _teams_from_matchup(engine)
    typed, rejects = _team_boxes(engine, rejects)
    tables: dict[str, pa.Table] = {}
    if with_boxscores:
        tables["team_boxscores"] = typed
    kinds = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SEASON_TYPES.items())
    tables["schedule"] = _output(
        engine,
        schema.SCHEDULE,
        f"""
        WITH g AS (
            SELECT game_id, min(_row) AS _row, min(game_date) AS game_date,
                   min(season_year) AS season_year, min(season_kind) AS season_kind,
                   min(home_team_abbr) AS home, min(away_team_abbr) AS away,
                   coalesce(max(points) FILTER (WHERE team_abbr = home_team_abbr),
                            max(points - plus_minus) FILTER (WHERE team_abbr = away_team_abbr))
                       AS home_score,
                   coalesce(max(points) FILTER (WHERE team_abbr = away_team_abbr),
                            max(points - plus_minus) FILTER (WHERE team_abbr = home_team_abbr))
                       AS away_score,
                   -- team minutes: 240 regulation, +25 per overtime (All-Star games differ)
                   max(CASE WHEN minutes >= 235 THEN 4 + greatest(0, round((minutes - 240) / 25))
                       END) AS periods
            FROM _nba_typed GROUP BY game_id
        )
        SELECT _row, game_id, strftime(game_date, '%Y%m%d') || '_' || away || '_' || home
                   AS legacy_game_id,
               game_date, season_year, CASE season_kind {kinds} END AS season_type,
               home AS home_team_abbr, away AS away_team_abbr, 3 AS game_status,
               home_score AS home_team_score, away_score AS away_team_score,
               CASE WHEN home_score > away_score THEN home
                    WHEN away_score > home_score THEN away END AS winning_team_abbr,
               CAST(periods AS INTEGER) AS periods
        FROM g ORDER BY game_date, game_id
        """,
    )
    return tables, rejects


def _team_boxes(engine: DuckDBEngine, rejects: list) -> tuple[pa.Table, list]:
    """Validate the team stage ``_nba_stage`` into team_boxscores rows (kept in _nba_typed)."""
    pairs = [("team", "team_raw"), ("opp", "opp_raw")]
    rejects += _reject_unknown_teams(engine, "_nba_stage", pairs)
    fields = [
        Field("game_id", _game_id("game_id"), "VARCHAR", raw="game_id", required=True,
              checks=GAME_ID_CHECK),
        Field("game_date", "game_date", "DATE", raw="game_date_raw", required=True),
        Field("season_year", "season_year", "INTEGER", required=True,
              checks=(("v BETWEEN 1946 AND 2100", "season year out of range"),)),
        Field("season_kind", "season_kind", "VARCHAR"),
        Field("team_abbr", "team", "VARCHAR", raw="team_raw", required=True),
        Field("opponent_team_abbr", "opp", "VARCHAR", raw="opp_raw", required=True),
        Field("home_team_abbr", "home", "VARCHAR", required=True),
        Field("away_team_abbr", "away", "VARCHAR", required=True),
        Field("is_home", "is_home", "BOOLEAN", required=True),
        Field("minutes", "minutes", "DOUBLE", checks=NON_NEGATIVE),
        *_stat_fields(),
    ]  # fmt: skip
    rejects += files.validate_rows(engine, "_nba_stage", fields, out="_nba_typed")
    stats = ", ".join(c for c, _ in STATS)
    box = _output(
        engine,
        schema.TEAM_BOXSCORES,
        f"""
        SELECT _row, game_id, game_date, season_year, team_abbr, opponent_team_abbr, is_home,
               minutes, {stats}, plus_minus
        FROM _nba_typed ORDER BY _row
        """,
    )
    return box, rejects


# -- JSON ---------------------------------------------------------------------------------------


def _result_sets(data: Any) -> dict[str, dict]:
    sets = data.get("resultSets", data.get("resultSet")) if isinstance(data, dict) else None
    if isinstance(sets, dict):
        sets = [sets]
    if not isinstance(sets, list):
        return {}
    return {str(rs.get("name")): rs for rs in sets if isinstance(rs, dict)}


def _parse_json(engine: DuckDBEngine, ref: FileRef) -> Parsed:
    text = files.read_text(ref)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{ref.display}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    if isinstance(data, dict):
        if isinstance(data.get("boxScoreTraditional"), dict):
            return _box_v3(engine, ref, data["boxScoreTraditional"])
        game = data.get("game")
        if isinstance(game, dict) and isinstance(game.get("actions"), list):
            if sniff.play_by_play_kind(game["actions"]) == "nbacom-pbp":
                # Same shape, other vocabulary: read here, most actions would be quarantined.
                raise InputError(
                    f"{ref.display}: {sniff.WHAT['nbacom-pbp']}, not a stats.nba.com "
                    "PlayByPlayV3 response: ingest it with `nbapipe ingest nbacom-pbp`"
                )
            return _play_by_play_v3(engine, ref, game)
        sets = _result_sets(data)
        if "Shot_Chart_Detail" in sets:
            return _json_rows(engine, ref, sets["Shot_Chart_Detail"], SHOT_API, "shots")
        if {"GameHeader", "LineScore"} <= sets.keys():
            return _scoreboard_v2(engine, ref, sets)
        if {"PlayerStats", "TeamStats"} <= sets.keys():
            return _box_v2(engine, ref, sets)
        if "PlayerGameLog" in sets:
            return _json_rows(engine, ref, sets["PlayerGameLog"], PLAYER_LOG_JSON, "player log")
        if "LeagueGameLog" in sets:
            headers = sets["LeagueGameLog"].get("headers") or []
            if "PLAYER_ID" in headers:
                return _json_rows(
                    engine, ref, sets["LeagueGameLog"], LEAGUE_PLAYER_LOG, "league player log"
                )
            return _json_rows(engine, ref, sets["LeagueGameLog"], TEAM_LOG, "team log")
        message = data.get("message", data.get("Message"))
        if isinstance(message, str):
            raise InputError(f"{ref.display}: an error response, not data ({message[:120]!r})")
        keys = files.printable(", ".join(list(map(str, data))[:6]))
        raise _unknown(ref, f"JSON object with keys {keys or 'none'}", sniff.json_source(data))
    raise _unknown(ref, f"JSON {type(data).__name__}, expected an object", sniff.json_source(data))


def _json_rows(engine: DuckDBEngine, ref: FileRef, rs: dict, required, kind: str) -> Parsed:
    name = str(rs.get("name"))
    table = _text_table(ref, name, rs.get("headers"), rs.get("rowSet"))
    _require(ref, table, required, f"result set {name}")
    _temp_table(engine, "_nba_raw", table)
    if kind == "shots":
        tables, rejects = _shots(engine, _SHOT_API_SPEC)
    elif kind == "player log":
        tables, rejects = _player_logs(engine, _PLAYER_GAME_LOG_SPEC)
    elif kind == "league player log":
        tables, rejects = _player_logs(engine, _LEAGUE_PLAYER_LOG_SPEC)
    else:
        tables, rejects = _team_logs(engine, with_boxscores=True)
    return Parsed(tables, table.num_rows, rejects, sources=_shot_sources(kind == "shots"))


def _scheduled_game(engine: DuckDBEngine, ref: FileRef, game_id: Any) -> dict[str, Any]:
    """Date, season and teams of a game from nba_raw.schedule (box scores and play-by-play
    responses carry no date); refuses the file when the schedule does not know the game."""
    gid = str(game_id or "").strip()
    if not re.fullmatch(r"00\d{8}", gid):
        raise InputError(f"{ref.display}: game id {gid!r} is not an NBA.com game id")
    row = engine.fetchone(
        f"SELECT game_date, season_year, home_team_abbr, away_team_abbr "
        f"FROM {schema.SCHEDULE.fqn} WHERE game_id = ? "
        "ORDER BY (source = ?) DESC, source LIMIT 1",
        [gid, SOURCE],
    )
    if row is None:
        raise InputError(
            f"{ref.display}: game {gid} is not in nba_raw.schedule, so its date is unknown "
            "(ingest the schedule, ScoreboardV2 or team game logs for it first)"
        )
    return {"game_id": gid, "game_date": row[0], "season_year": row[1], "home": row[2],
            "away": row[3]}  # fmt: skip


def _minutes(text: Any) -> str | None:
    """'PT34M12.00S', '34:12' or a number -> decimal minutes as text (other text unchanged)."""
    value = "" if text is None else str(text).strip()
    if not value:
        return None
    m = re.fullmatch(r"PT(\d+)M(\d+(?:\.\d+)?)S", value)
    if m:
        return repr(int(m.group(1)) + float(m.group(2)) / 60)
    m = re.fullmatch(r"(\d+):(\d{1,2})(?:\.\d+)?", value)
    if m:
        return repr(int(m.group(1)) + int(m.group(2)) / 60)
    return value


def _played(minutes: str | None) -> bool:
    try:
        return minutes is not None and float(minutes) > 0
    except ValueError:
        return True  # bad text: keep the row as played so validation rejects it


def _status(minutes: str | None, comment: Any) -> tuple[str, str | None]:
    """(player_status, dnp_reason) from the minutes and NBA.com's comment ('DNP - Coach's
    Decision', 'DND - Injury/Illness', 'NWT - Personal')."""
    note = str(comment or "").strip()
    if _played(minutes) or (not note and minutes is not None):
        return "active", None
    code, _, reason = note.partition(" - ")
    status = "inactive" if code.upper() in ("DND", "NWT", "INACTIVE") else "dnp"
    return status, (reason or note or None)


_PLAYER_STAGE = ("game_id", "game_date", "game_date_raw", "team_raw", "team", "opp_raw", "opp",
                 "home", "away", "is_home",
                 "player_name", "player_lookup", "player_id", "status", "dnp_reason", "starter",
                 "minutes", *STAGE_STATS)  # fmt: skip
_TEAM_STAGE = ("game_id", "game_date", "game_date_raw", "season_year", "season_kind",
               "team_raw", "team", "opp_raw", "opp", "home", "away", "is_home", "minutes",
               *STAGE_STATS)  # fmt: skip


def _stage(engine: DuckDBEngine, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    data = {c: pa.array([_text(r.get(c)) for r in rows], pa.string()) for c in columns}
    data["_row"] = pa.array([r["_row"] for r in rows], pa.int64())
    _temp_table(engine, "_nba_stage", pa.table(data))


def _box_tables(
    engine: DuckDBEngine, players: list[dict], team_rows: list[dict], rows_in: int
) -> Parsed:
    _stage(engine, _PLAYER_STAGE, players)
    tables, rejects = _player_boxes(engine, [], lookup_games=False)
    _stage(engine, _TEAM_STAGE, team_rows)
    tables["team_boxscores"], rejects = _team_boxes(engine, rejects)
    return Parsed(tables, rows_in, rejects)


def _game_sides(ctx: dict, home: str | None, away: str | None) -> tuple[str, str]:
    return home or ctx["home"], away or ctx["away"]


def _box_v3(engine: DuckDBEngine, ref: FileRef, box: dict) -> Parsed:
    ctx = _scheduled_game(engine, ref, box.get("gameId"))
    sides = []
    for key in ("homeTeam", "awayTeam"):
        team = box.get(key)
        if not isinstance(team, dict) or not isinstance(team.get("players"), list):
            raise InputError(f"{ref.display}: BoxScoreTraditionalV3 has no {key}.players list")
        sides.append(team)
    home_raw = sides[0].get("teamTricode") or sides[0].get("teamId")
    away_raw = sides[1].get("teamTricode") or sides[1].get("teamId")
    home, away = _game_sides(ctx, _abbr(home_raw), _abbr(away_raw))
    players, team_rows, n = [], [], 0
    for team, is_home in ((sides[0], True), (sides[1], False)):
        base = {
            "game_id": ctx["game_id"],
            "game_date": ctx["game_date"].isoformat(),
            "team_raw": home_raw if is_home else away_raw,
            "team": home if is_home else away,
            "opp_raw": away_raw if is_home else home_raw,
            "opp": away if is_home else home,
            "home": home,
            "away": away,
            "is_home": is_home,
        }
        for p in team["players"]:
            n += 1
            p = p if isinstance(p, dict) else {}
            st = p.get("statistics") if isinstance(p.get("statistics"), dict) else {}
            minutes = _minutes(st.get("minutes"))
            status, reason = _status(minutes, p.get("comment"))
            name = f"{p.get('firstName') or ''} {p.get('familyName') or ''}".strip()
            row = {
                **base,
                "_row": n,
                "player_name": name or None,
                "player_lookup": normalize_name(name),
                "player_id": p.get("personId"),
                "status": status,
                "dnp_reason": reason,
                "starter": bool(str(p.get("position") or "").strip()),
                "minutes": minutes if status == "active" else None,
            }
            if status == "active":
                row.update(zip(STAGE_STATS, (st.get(k) for k in V3_STATS), strict=True))
            players.append(row)
        st = team.get("statistics") if isinstance(team.get("statistics"), dict) else {}
        n += 1
        team_rows.append(
            {
                **base,
                "_row": n,
                "season_year": ctx["season_year"],
                "minutes": _minutes(st.get("minutes")),
                **dict(zip(STAGE_STATS, (st.get(k) for k in V3_STATS), strict=True)),
            }
        )
    return _box_tables(engine, players, team_rows, n)


def _box_v2(engine: DuckDBEngine, ref: FileRef, sets: dict[str, dict]) -> Parsed:
    tables = {}
    for name, required in (
        ("PlayerStats", ("GAME_ID", "TEAM_ID", "TEAM_ABBREVIATION", "PLAYER_ID", "PLAYER_NAME",
                         "START_POSITION", "COMMENT", "MIN", *V2_STATS)),
        ("TeamStats", ("GAME_ID", "TEAM_ID", "TEAM_ABBREVIATION", "MIN", *V2_STATS)),
    ):  # fmt: skip
        rs = sets[name]
        tables[name] = _text_table(ref, name, rs.get("headers"), rs.get("rowSet"))
        _require(ref, tables[name], required, f"result set {name}")
    rows = tables["PlayerStats"].to_pylist()
    team_list = tables["TeamStats"].to_pylist()
    game_ids = {r["GAME_ID"] for r in rows + team_list}
    if len(game_ids) != 1:
        raise InputError(f"{ref.display}: BoxScoreTraditionalV2 holds {len(game_ids)} games")
    ctx = _scheduled_game(engine, ref, game_ids.pop())
    home, away = ctx["home"], ctx["away"]

    def side(raw: Any, team_id: Any) -> dict[str, Any]:
        team = _abbr(raw) or _abbr(team_id)
        is_home = team == home
        return {
            "game_id": ctx["game_id"],
            "game_date": ctx["game_date"].isoformat(),
            "team_raw": raw,
            "team": team,
            "opp_raw": away if is_home else home,
            "opp": away if is_home else home,
            "home": home,
            "away": away,
            "is_home": is_home,
        }

    players, team_rows, n = [], [], 0
    for r in rows:
        n += 1
        minutes = _minutes(r["MIN"])
        status, reason = _status(minutes, r["COMMENT"])
        row = {
            **side(r["TEAM_ABBREVIATION"], r["TEAM_ID"]),
            "_row": n,
            "player_name": r["PLAYER_NAME"],
            "player_lookup": normalize_name(r["PLAYER_NAME"]),
            "player_id": r["PLAYER_ID"],
            "status": status,
            "dnp_reason": reason,
            "starter": bool((r["START_POSITION"] or "").strip()),
            "minutes": minutes if status == "active" else None,
        }
        if status == "active":
            row.update(zip(STAGE_STATS, (r[k] for k in V2_STATS), strict=True))
        players.append(row)
    for r in team_list:
        n += 1
        team_rows.append(
            {
                **side(r["TEAM_ABBREVIATION"], r["TEAM_ID"]),
                "_row": n,
                "season_year": ctx["season_year"],
                "minutes": _minutes(r["MIN"]),
                **dict(zip(STAGE_STATS, (r[k] for k in V2_STATS), strict=True)),
            }
        )
    return _box_tables(engine, players, team_rows, n)


# -- ScoreboardV2 -> schedule -------------------------------------------------------------------


def _scoreboard_v2(engine: DuckDBEngine, ref: FileRef, sets: dict[str, dict]) -> Parsed:
    header = _text_table(ref, "GameHeader", sets["GameHeader"].get("headers"),
                         sets["GameHeader"].get("rowSet"))  # fmt: skip
    wanted = ("GAME_DATE_EST", "GAME_ID", "GAME_STATUS_ID", "GAME_STATUS_TEXT", "HOME_TEAM_ID",
              "VISITOR_TEAM_ID", "SEASON")  # fmt: skip
    _require(ref, header, wanted, "result set GameHeader")
    lines = _text_table(ref, "LineScore", sets["LineScore"].get("headers"),
                        sets["LineScore"].get("rowSet"))  # fmt: skip
    _require(ref, lines, ("GAME_ID", "TEAM_ID", "PTS"), "result set LineScore")
    points = {(r["GAME_ID"], r["TEAM_ID"]): r["PTS"] for r in lines.to_pylist()}
    games = header.to_pylist()
    rows, rejects = [], []
    seen: dict[str, tuple] = {}
    for r in games:
        # GameHeader repeats a game once per national TV broadcaster: keep the first row.
        facts = tuple(r[k] for k in wanted)
        if r["GAME_ID"] in seen:
            if seen[r["GAME_ID"]] != facts:
                rejects.append((r["_row"], "GAME_ID", "GameHeader rows of this game disagree",
                                r["GAME_ID"]))  # fmt: skip
            continue
        seen[r["GAME_ID"]] = facts
        home, away = _abbr(r["HOME_TEAM_ID"]), _abbr(r["VISITOR_TEAM_ID"])
        if home is None or away is None:
            bad = r["HOME_TEAM_ID"] if home is None else r["VISITOR_TEAM_ID"]
            rejects.append((r["_row"], "HOME_TEAM_ID" if home is None else "VISITOR_TEAM_ID",
                            f"unknown team {bad}", bad))  # fmt: skip
            continue
        status = r["GAME_STATUS_ID"]
        rows.append(
            {
                "_row": r["_row"],
                "game_id": r["GAME_ID"],
                "game_date": (r["GAME_DATE_EST"] or "")[:10] or None,
                "start": _start_time(r["GAME_DATE_EST"], r["GAME_STATUS_TEXT"]),
                "season_year": r["SEASON"],
                "season_kind": (r["GAME_ID"] or "")[2:3],
                "home": home,
                "away": away,
                "status": status,
                "home_score": points.get((r["GAME_ID"], r["HOME_TEAM_ID"])),
                "away_score": points.get((r["GAME_ID"], r["VISITOR_TEAM_ID"])),
                "periods": r.get("LIVE_PERIOD") if status == "3" else None,
            }
        )
    cols = ("game_id", "game_date", "start", "season_year", "season_kind", "home", "away",
            "status", "home_score", "away_score", "periods")  # fmt: skip
    _stage(engine, cols, rows)
    fields = [
        Field("game_id", "game_id", "VARCHAR", required=True, checks=GAME_ID_CHECK),
        Field("game_date", "game_date", "DATE", required=True),
        Field("game_start_time", "start", "TIMESTAMP"),
        Field("season_year", "season_year", "INTEGER", required=True),
        Field("season_kind", "season_kind", "VARCHAR"),
        Field("home_team_abbr", "home", "VARCHAR", required=True),
        Field("away_team_abbr", "away", "VARCHAR", required=True),
        Field("game_status", _int("status"), "INTEGER", raw="status",
              checks=(("v BETWEEN 1 AND 3", "game status is not 1, 2 or 3"),)),
        Field("home_team_score", _int("home_score"), "INTEGER", raw="home_score",
              checks=NON_NEGATIVE),
        Field("away_team_score", _int("away_score"), "INTEGER", raw="away_score",
              checks=NON_NEGATIVE),
        Field("periods", _int("periods"), "INTEGER", raw="periods"),
    ]  # fmt: skip
    rejects += files.validate_rows(engine, "_nba_stage", fields, out="_nba_typed")
    kinds = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SEASON_TYPES.items())
    schedule = _output(
        engine,
        schema.SCHEDULE,
        f"""
        SELECT _row, game_id,
               strftime(game_date, '%Y%m%d') || '_' || away_team_abbr || '_' || home_team_abbr
                   AS legacy_game_id,
               game_date, game_start_time, season_year, CASE season_kind {kinds} END
                   AS season_type,
               home_team_abbr, away_team_abbr, game_status,
               CASE WHEN game_status > 1 THEN home_team_score END AS home_team_score,
               CASE WHEN game_status > 1 THEN away_team_score END AS away_team_score,
               CASE WHEN game_status = 3 AND home_team_score > away_team_score
                    THEN home_team_abbr
                    WHEN game_status = 3 AND away_team_score > home_team_score
                    THEN away_team_abbr END AS winning_team_abbr,
               CASE WHEN periods >= 4 THEN periods END AS periods
        FROM _nba_typed ORDER BY _row
        """,
    )
    return Parsed({"schedule": schedule}, len(games), rejects)


def _start_time(day: str | None, status_text: str | None) -> str | None:
    """Tip-off in UTC from the Eastern date and a status text like '7:30 pm ET'."""
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*([ap]m)\s*ET\s*", str(status_text or ""), re.I)
    if not m or not day:
        return None
    try:
        date = dt.date.fromisoformat(day[:10])
    except ValueError:
        return None
    hour = int(m.group(1)) % 12 + (12 if m.group(3).lower() == "pm" else 0)
    local = dt.datetime(date.year, date.month, date.day, hour, int(m.group(2)), tzinfo=EASTERN)
    return local.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")


# -- PlayByPlayV3 -> play_by_play ---------------------------------------------------------------

# NBA.com actionType -> canonical event_type. Types outside the vocabulary map to the nearest
# kind of stoppage; the source's own type stays in event_subtype.
V3_EVENT_TYPES = {
    "made shot": "shot",
    "missed shot": "shot",
    "free throw": "free throw",
    "rebound": "rebound",
    "turnover": "turnover",
    "foul": "foul",
    "violation": "violation",
    "jump ball": "jump ball",
    "substitution": "substitution",
    "timeout": "timeout",
    "period": "period",
    "game": "period",
    "instant replay": "timeout",
    "stoppage": "timeout",
    "ejection": "foul",
}
# Types filed under a different canonical type keep their own name in the subtype.
_RENAMED_TYPES = ("game", "instant replay", "stoppage", "ejection")
_ASSIST = re.compile(r"\(([^()]+?)\s+\d+\s+AST\)")
_CLOCK = re.compile(r"PT(\d+)M(\d+(?:\.\d+)?)S")


_REBOUNDS = re.compile(r"\(Off:(\d+) Def:(\d+)\)")


def _rebound_kind(
    desc: str,
    pid: int | None,
    team: str | None,
    last_miss_team: str | None,
    counts: dict[int, tuple[int, int]],
) -> str | None:
    """'offensive' or 'defensive'. A player's rebound carries his running '(Off:n Def:m)'
    counts, which say which one grew; a team rebound goes by the team of the last miss."""
    m = _REBOUNDS.search(desc)
    if m and pid is not None:
        off, dfn = int(m.group(1)), int(m.group(2))
        before = counts.get(pid, (0, 0))
        counts[pid] = (off, dfn)
        if off > before[0]:
            return "offensive"
        if dfn > before[1]:
            return "defensive"
    if last_miss_team is not None and team is not None:
        return "offensive" if team == last_miss_team else "defensive"
    return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def _play_by_play_v3(engine: DuckDBEngine, ref: FileRef, game: dict) -> Parsed:
    """Every action of one game. Steals and blocks are separate untyped actions sharing the
    turnover's or missed shot's actionNumber; assists exist only as '(Name n AST)' in the
    made shot's description. All three become player_2 of that event."""
    ctx = _scheduled_game(engine, ref, game.get("gameId"))
    actions = game["actions"]
    rejects: list[tuple[int, str, str, str | None]] = []
    primary: dict[int, tuple[int, dict]] = {}
    secondary: list[tuple[int, int, dict]] = []
    for i, a in enumerate(actions, 1):
        if not isinstance(a, dict):
            raise InputError(f"{ref.display}: action {i} is not a JSON object")
        num = _as_int(a.get("actionNumber"))
        if num is None:
            rejects.append((i, "actionNumber", "not a valid integer", _text(a.get("actionNumber"))))
            continue
        if not str(a.get("actionType") or "").strip():
            secondary.append((i, num, a))
            continue
        if num in primary:
            raise InputError(
                f"{ref.display}: duplicated actionNumber {num} (actions {primary[num][0]} and "
                f"{i}): event ids must be unique within game {ctx['game_id']}"
            )
        primary[num] = (i, a)

    # The file's own home/away, where its actions say (location 'h'/'v').
    located = {
        str(a.get("location")): _abbr(a.get("teamTricode"))
        for _, a in primary.values()
        if a.get("teamTricode") and a.get("location") in ("h", "v")
    }
    home, away = _game_sides(ctx, located.get("h"), located.get("v"))

    def team_of(a: dict) -> str | None:
        team = _abbr(a.get("teamTricode")) or _abbr(a.get("teamId") or None)
        if team is None and _as_int(a.get("personId")) in teams.BY_ID:
            team = teams.BY_ID[_as_int(a.get("personId"))].abbr  # team rebound, team foul, ...
        if team is None and a.get("location") in ("h", "v"):
            team = home if a["location"] == "h" else away
        return team

    def person_of(a: dict) -> int | None:
        pid = _as_int(a.get("personId"))
        # Players act for a team; ids without one are referees, ids equal to team ids teams.
        if not pid or pid in teams.BY_ID or not str(a.get("teamTricode") or "").strip():
            return None
        return pid

    everyone = [a for _, a in primary.values()] + [a for _, _, a in secondary]
    ids = sorted({p for a in everyone if (p := person_of(a)) is not None})
    registry = {}
    if ids:
        registry = {
            int(pid): (lookup, name)
            for pid, lookup, name in engine.fetchall(
                f"SELECT nba_player_id, min(player_lookup), min(player_name) "
                f"FROM {schema.PLAYERS_REGISTRY.fqn} WHERE nba_player_id IN "
                f"({', '.join(str(p) for p in ids)}) GROUP BY nba_player_id"
            )
        }
    roster: dict[tuple[str | None, str], set[int]] = {}
    pbp_names: dict[int, str] = {}
    for a in everyone:
        pid = person_of(a)
        if pid is not None and a.get("playerName"):
            pbp_names.setdefault(pid, str(a["playerName"]))
            roster.setdefault((team_of(a), normalize_name(a["playerName"])), set()).add(pid)

    def player(pid: int | None) -> tuple[str | None, str | None, int | None]:
        if pid is None:
            return None, None, None
        lookup, name = registry.get(pid, (None, pbp_names.get(pid)))
        return lookup, name, pid

    # Steals and blocks: credit them to the event they share an actionNumber with.
    credits: dict[int, tuple[str, dict]] = {}
    for i, num, a in secondary:
        desc = str(a.get("description") or "")
        role = "steal" if "STEAL" in desc.upper() else "block" if "BLOCK" in desc.upper() else None
        target = primary.get(num, (0, {}))[1]
        wanted = {"steal": "turnover", "block": "missed shot"}.get(role or "")
        if role is None:
            rejects.append((i, "actionType", "untyped action that is no steal or block", desc))
        elif str(target.get("actionType") or "").lower() != wanted:
            rejects.append((i, "actionNumber", f"{role} does not follow a {wanted} {num}", desc))
        elif num in credits:
            rejects.append((i, "actionNumber", f"second {role} credited to event {num}", desc))
        else:
            credits[num] = (role, a)

    rows: list[dict[str, Any]] = []
    score = {"home": 0, "away": 0}
    last_miss_team: str | None = None
    counts: dict[int, tuple[int, int]] = {}
    for num, (i, a) in primary.items():
        kind = str(a.get("actionType") or "").strip().lower()
        event_type = V3_EVENT_TYPES.get(kind)
        period = _as_int(a.get("period"))
        clock = _CLOCK.fullmatch(str(a.get("clock") or "").strip())
        if event_type is None:
            known = ", ".join(sorted(V3_EVENT_TYPES))
            rejects.append((i, "actionType", f"unknown actionType (known: {known})",
                            _text(a.get("actionType"))))  # fmt: skip
            continue
        if period is None or period < 1:
            rejects.append((i, "period", "not a valid period", _text(a.get("period"))))
            continue
        if clock is None:
            rejects.append(
                (i, "clock", "not an ISO duration like PT11M41.00S", _text(a.get("clock")))
            )
            continue
        sub = str(a.get("subType") or "").strip().lower()
        team = team_of(a)
        desc = str(a.get("description") or "")
        for side, key in (("home", "scoreHome"), ("away", "scoreAway")):
            if _as_int(a.get(key)) is not None:
                score[side] = _as_int(a.get(key))
        row: dict[str, Any] = {
            "_row": i,
            "event_id": num,
            "period": period,
            "game_clock_seconds": int(clock.group(1)) * 60 + float(clock.group(2)),
            "event_type": event_type,
            "event_subtype": sub or None,
            "team_abbr": team,
            "home_score": score["home"],
            "away_score": score["away"],
        }
        if kind in _RENAMED_TYPES:
            row["event_subtype"] = f"{kind}: {sub}" if sub else kind
        p1 = player(person_of(a))
        row["player_1_lookup"], row["player_1_name"], row["player_1_id"] = p1
        if event_type == "shot":
            made = kind == "made shot"
            value = _as_int(a.get("shotValue"))
            if value not in (2, 3):
                value = 3 if "3PT" in desc.upper() else 2
            x, y = _as_int(a.get("xLegacy")), _as_int(a.get("yLegacy"))
            distance = _as_int(a.get("shotDistance"))
            if not distance and x is not None and y is not None and (x or y):
                # The feed writes 0 when the description lacks a distance; the shot chart's
                # own rule gives it from the spot (checked on every 2024-25 shot).
                distance = math.floor(math.hypot(x, y) / 10)
            row.update(
                shot_made=made,
                shot_type=f"{value}PT",
                shot_distance=distance,
                shot_x=x,
                shot_y=y,
                points_scored=value if made else 0,
            )
            last_miss_team = None if made else team
            assist = _ASSIST.search(desc) if made else None
            if assist:
                ids_ = roster.get((team, normalize_name(assist.group(1))), set())
                if len(ids_) == 1:
                    lookup, name, pid = player(next(iter(ids_)))
                else:  # not matched to one teammate: keep the name as written
                    lookup, name, pid = None, assist.group(1), None
                row.update(
                    player_2_lookup=lookup, player_2_name=name, player_2_id=pid,
                    player_2_team_abbr=team, player_2_role="assist",
                )  # fmt: skip
        elif event_type == "free throw":
            made = not desc.strip().upper().startswith("MISS")
            row.update(shot_made=made, shot_type="FT", points_scored=1 if made else 0)
            row["event_subtype"] = re.sub(r"(\d+) of (\d+)", r"\1/\2", sub) or "free throw"
            last_miss_team = None if made else team
        elif event_type == "rebound":
            row["event_subtype"] = _rebound_kind(desc, row["player_1_id"], team, last_miss_team,
                                                 counts) or row["event_subtype"]  # fmt: skip
        if num in credits:
            role, c = credits[num]
            lookup, name, pid = player(person_of(c))
            row.update(
                player_2_lookup=lookup, player_2_name=name, player_2_id=pid,
                player_2_team_abbr=team_of(c), player_2_role=role,
            )  # fmt: skip
        rows.append(row)

    n = len(rows)
    cols: dict[str, Any] = {
        "game_id": pa.array([ctx["game_id"]] * n, pa.string()),
        "game_date": pa.array([ctx["game_date"]] * n, pa.date32()),
        "season_year": pa.array([ctx["season_year"]] * n, pa.int32()),
        "home_team_abbr": pa.array([home] * n, pa.string()),
        "away_team_abbr": pa.array([away] * n, pa.string()),
        "event_sequence": pa.array(range(1, n + 1), pa.int32()),
    }
    for f in schema.PLAY_BY_PLAY.arrow_schema():
        if f.name not in cols:
            cols[f.name] = pa.array([r.get(f.name) for r in rows], f.type)
    table = files.canonical(schema.PLAY_BY_PLAY, cols, n)
    table = table.append_column("_row", pa.array([r["_row"] for r in rows], pa.int64()))
    return Parsed({"play_by_play": table}, len(actions), rejects)
