"""The Odds API: prop and game-line snapshots from files, and a polite live fetcher.

Inputs ``OddsApiFiles`` reads (source ``odds_api``):

- flattened CSV snapshots ``raw_YYYYMMDD_HHMMSS.csv`` (event_id, player, market, line,
  bookmaker, game "Away Team @ Home Team", game_time ISO UTC, over_odds, under_odds in American
  odds). The snapshot time is the file name's timestamp, UTC.
- dated CSV pulls ``props_YYYY-MM-DD_<market>.csv`` (same columns, no event_id). Their capture
  time is unknown: ``snapshot_timestamp`` is the nominal label "noon US/Eastern of the file
  date" (so the key is stable and each day stays a separate snapshot) and
  ``minutes_before_tipoff`` is NULL, never a number computed from the label.
- v4 JSON responses (``*.json``): the historical wrapper ``{timestamp, previous_timestamp,
  next_timestamp, data}`` or the bare body (one event object or a list of them). Snapshot time:
  the wrapper's ``timestamp``; for a bare body the file name's ``YYYYMMDD_HHMMSS`` (the fetcher
  below names its files that way), else the latest bookmaker ``last_update``. Markets named
  ``player_*`` become ``player_props`` rows (Over/Under outcomes of one player and line paired
  into one row); ``h2h``, ``spreads`` and ``totals`` become ``game_lines`` rows (spread and
  moneyline outcomes named by team tricode, totals Over/Under). Prices may be decimal or
  American (a file is American when any price is <= -100 or every price is a whole number of at
  least 100); both forms are stored. An events list (no ``bookmakers``) writes nothing: the
  schedule comes from NBA.com, event ids only matter to the fetcher.

Every snapshot is kept (lines move). ``minutes_before_tipoff`` = round((tip-off − snapshot) / 60):
negative rows are in-game snapshots, kept in raw; pre-game views filter
``minutes_before_tipoff > 0``. ``game_id`` comes from ``nba_raw.schedule`` (US/Eastern date of
tip-off, home and away tricodes); rows rejected with a reason: unknown game, unknown bookmaker
(not in ``KNOWN_BOOKMAKERS``), unknown team, a line or price that is not a number, a price that
is not valid odds, a player name without letters. Some books (Bovada, BetRivers) quote a ladder
of lines per player and market: every rung is kept (``points_line`` is part of the key); the
main line is the one whose prices are closest to even. Yes/No markets (player_double_double,
...) have no line: rejected as a missing line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pyarrow as pa

from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.errors import InputError
from nbapipe.identity import normalize_name
from nbapipe.progress import ProgressSink
from nbapipe.sources import files, schema, sniff
from nbapipe.sources.load import IngestSummary
from nbapipe.teams import team_abbr

SOURCE = "odds_api"
EASTERN = ZoneInfo("America/New_York")

# Bookmaker keys The Odds API uses (regions us, us2, us_ex, us_dfs, uk, eu, au), current and
# retired; a key outside this list is more likely a typo or a corrupt file than a new book.
KNOWN_BOOKMAKERS = frozenset(
    {
        # us / us2
        "draftkings", "fanduel", "betmgm", "williamhill_us", "caesars", "betrivers",
        "espnbet", "fanatics", "hardrockbet", "hardrockbet_az", "hardrockbet_fl",
        "ballybet", "betparx", "pointsbetus", "bovada", "betonlineag", "mybookieag",
        "lowvig", "betus", "unibet_us", "wynnbet", "superbook", "twinspires", "fliff",
        "betanysports", "windcreek", "rebet", "barstool", "betfred_us", "circasports",
        "foxbet", "sugarhouse", "tipico_us", "everygame", "gtbets", "bet365",
        # us exchanges and DFS
        "novig", "prophetx", "betopenly", "kalshi", "polymarket",
        "prizepicks", "underdog", "pick6", "betr_us_dfs",
        # uk / eu
        "pinnacle", "betfair_ex_eu", "betfair_ex_uk", "betfair_sb_uk", "betfair_ex_au",
        "matchbook", "smarkets", "williamhill", "paddypower", "skybet", "ladbrokes_uk",
        "coral", "betfred_uk", "betvictor", "betway", "boylesports", "casumo", "grosvenor",
        "livescorebet", "livescorebet_eu", "virginbet", "leovegas", "leovegas_se",
        "unibet_eu", "unibet_uk", "unibet_fr", "unibet_it", "unibet_nl", "unibet_se",
        "onexbet", "sport888", "betclic", "betclic_fr", "betsson", "coolbet", "marathonbet",
        "nordicbet", "suprabets", "tipico_de", "winamax_fr", "winamax_de", "pmu_fr",
        "netbet_fr", "atg_se", "mrgreen", "codere_it", "lottomatica_it",
        # au
        "sportsbet", "tab", "tabtouch", "neds", "ladbrokes_au", "pointsbetau", "unibet",
        "betr_au", "betright", "boombet", "dabble_au", "playup", "bet365_au",
    }
)  # fmt: skip
GAME_MARKETS = ("h2h", "spreads", "totals")
OVER_SIDES = {"over": "over", "yes": "over", "under": "under", "no": "under"}

PROPS_COLUMNS = ("event_id", "player", "market", "line", "bookmaker", "game", "game_time")
_STAMP = re.compile(r"(\d{8})[_T-]?(\d{6})")
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


# -- prices -----------------------------------------------------------------------------------


def american_to_decimal(american: float) -> float:
    """Decimal odds of an American price: -110 -> 1.9091, +150 -> 2.5."""
    a = float(american)
    if abs(a) < 100:
        raise InputError(f"{american!r} is not an American price (<= -100 or >= 100)")
    return round(1 + a / 100 if a > 0 else 1 + 100 / -a, 4)


def decimal_to_american(decimal: float) -> int:
    """American odds of a decimal price: 1.91 -> -110, 2.5 -> +150."""
    d = float(decimal)
    if d <= 1:
        raise InputError(f"{decimal!r} is not a decimal price (above 1.0)")
    return round((d - 1) * 100) if d >= 2 else round(-100 / (d - 1))


def _to_decimal_sql(a: str) -> str:
    return f"round(CASE WHEN {a} > 0 THEN 1 + {a} / 100.0 ELSE 1 + 100.0 / -{a} END, 4)"


def _to_american_sql(d: str) -> str:
    return (
        f"CAST(CASE WHEN {d} >= 2 THEN round(({d} - 1) * 100) "
        f"ELSE round(-100 / ({d} - 1)) END AS INTEGER)"
    )


def _price_checks(odds_format: str) -> tuple[tuple[str, str], ...]:
    # validate_rows substitutes every letter v in a predicate: keep other words v-free.
    if odds_format == "american":
        return (("v = round(v) AND abs(v) >= 100", "not an American price (<= -100 or >= 100)"),)
    return (("v > 1", "not a decimal price (above 1.0)"),)


# -- snapshot times ---------------------------------------------------------------------------


def _parse_utc(text: Any, what: str) -> dt.datetime:
    """A naive UTC datetime from an ISO 8601 string ('2024-01-25T03:55:40Z')."""
    try:
        value = dt.datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{what}: {text!r} is not an ISO 8601 time") from None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _stamp_from_name(name: str) -> dt.datetime | None:
    found = list(_STAMP.finditer(name))
    if not found:
        return None
    m = found[-1]  # the last one: event ids may hold digit runs too
    try:
        return dt.datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        return None


def nominal_snapshot(day: dt.date) -> dt.datetime:
    """The label given to a dated pull of unknown capture time: noon US/Eastern, in UTC."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=EASTERN)
    return noon.astimezone(dt.UTC).replace(tzinfo=None)


def _csv_snapshot(ref: files.FileRef) -> tuple[dt.datetime, bool]:
    """(snapshot time, whether it is the real capture time) from a CSV file name."""
    stamp = _stamp_from_name(ref.name)
    if stamp is not None:
        return stamp, True
    m = _DAY.search(ref.name)
    if m:
        try:
            return nominal_snapshot(dt.date.fromisoformat(m.group(1))), False
        except ValueError:
            pass
    raise InputError(
        f"{ref.display}: cannot tell the snapshot time from the file name "
        "(expected raw_YYYYMMDD_HHMMSS.csv or props_YYYY-MM-DD_<market>.csv)"
    )


# -- the adapter ------------------------------------------------------------------------------


class OddsApiFiles:
    """The Odds API files: flattened CSV snapshots and v4 JSON responses."""

    name = SOURCE
    suffixes = (".csv", ".csv.gz", ".json", ".json.gz")
    players: Literal["register", "resolve"] = "resolve"

    def parse(self, engine: DuckDBEngine, ref: files.FileRef) -> files.Parsed:
        lower = ref.name.lower()
        if lower.endswith((".json", ".json.gz")):
            parsed = _parse_json(engine, ref)
        else:
            parsed = _parse_csv(engine, ref)
        # On failure the file's transaction rolls back, taking these temp tables with it.
        for t in ("_oa_csv", "_oa_raw", "_oa_typed", "_oa_rows", "_oa_out", "_oa_teams"):
            engine.execute(f"DROP TABLE IF EXISTS {t}")
        return parsed


def ingest_odds_api(
    engine: DuckDBEngine,
    paths: Sequence[str | Path],
    *,
    progress: ProgressSink | None = None,
    force: bool = False,
) -> tuple[IngestSummary, list[files.FileOutcome]]:
    """Ingest Odds API files and folders into ``player_props`` and ``game_lines``."""
    return files.ingest_files(engine, OddsApiFiles(), paths, progress=progress, force=force)


def _parse_csv(engine: DuckDBEngine, ref: files.FileRef) -> files.Parsed:
    required = [c for c in PROPS_COLUMNS if c != "event_id"] + ["over_odds", "under_odds"]
    # The columns first: another source's CSV is refused with the command that reads it.
    n = files.csv_relation(engine, ref, required=required, name="_oa_csv", reads="odds-api")
    snapshot, known = _csv_snapshot(ref)
    has_event = "event_id" in [
        d[0] for d in engine.execute("SELECT * FROM _oa_csv LIMIT 0").description
    ]
    event = "event_id" if has_event else "CAST(NULL AS VARCHAR)"
    # "Away Team @ Home Team": rows written otherwise get NULL teams and a reject below.
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _oa_raw AS
        SELECT _row, {event} AS event_id, player, market, line, bookmaker, game, game_time,
               over_odds, under_odds,
               CASE WHEN strpos(game, ' @ ') > 0 THEN trim(split_part(game, ' @ ', 1)) END
                   AS away_team,
               CASE WHEN strpos(game, ' @ ') > 0
                    THEN trim(substr(game, strpos(game, ' @ ') + 3)) END AS home_team
        FROM _oa_csv
        """
    )
    table, rejects = _props_from_raw(engine, snapshot=snapshot, known=known, odds_format="american")
    return files.Parsed({"player_props": table}, n, rejects)


# -- JSON -------------------------------------------------------------------------------------


def _items(value: Any, what: str, ref: files.FileRef) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{ref.display}: {what} is not a list (not an Odds API v4 response)")
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _load_events(ref: files.FileRef) -> tuple[list[dict], dt.datetime | None]:
    """The events of a v4 response and the wrapper's snapshot time (None when bare)."""
    text = files.read_text(ref)
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{ref.display}: not valid JSON ({exc.msg} at line {exc.lineno} column "
            f"{exc.colno}; truncated download?)"
        ) from None
    hint = sniff.pointer(sniff.json_source(body), "odds-api")
    snapshot = None
    if isinstance(body, dict) and "timestamp" in body and "data" in body:
        snapshot = _parse_utc(body["timestamp"], f"{ref.display}: timestamp")
        body = body["data"] if body["data"] is not None else []
    if isinstance(body, dict) and "id" not in body and ("message" in body or "error_code" in body):
        msg = str(body.get("message") or body.get("error_code"))[:200]
        raise InputError(f"{ref.display}: an Odds API error response, not odds: {msg}")
    if isinstance(body, dict):
        events = [body]
    elif isinstance(body, list):
        events = body
    else:
        raise InputError(
            f"{ref.display}: expected an Odds API event object or list of events{hint}"
        )
    seen: set[str] = set()
    for i, ev in enumerate(events, start=1):
        if not isinstance(ev, dict):
            raise InputError(f"{ref.display}: event {i} is not an object{hint}")
        missing = [k for k in ("id", "commence_time", "home_team", "away_team") if not ev.get(k)]
        if missing:
            raise InputError(
                f"{ref.display}: event {i} lacks {', '.join(missing)} (not an Odds API event)"
                + hint
            )
        if ev["id"] in seen:
            raise InputError(f"{ref.display}: event id {ev['id']} appears twice")
        seen.add(ev["id"])
    return events, snapshot


def _json_snapshot(
    ref: files.FileRef, events: list[dict], wrapped: dt.datetime | None
) -> dt.datetime:
    if wrapped is not None:
        return wrapped
    stamp = _stamp_from_name(ref.name)
    if stamp is not None:
        return stamp
    updates = [
        _parse_utc(bm["last_update"], f"{ref.display}: last_update")
        for ev in events
        for bm in ev.get("bookmakers") or []
        if isinstance(bm, dict) and bm.get("last_update")
    ]
    if not updates:
        raise InputError(
            f"{ref.display}: cannot tell when the odds were captured (no historical timestamp, "
            "no YYYYMMDD_HHMMSS in the file name, no last_update)"
        )
    return max(updates)


def _odds_format(prices: list[str | None]) -> str:
    values = []
    for p in prices:
        try:
            values.append(float(p))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    american = any(v <= -100 for v in values) or (
        bool(values) and all(abs(v) >= 100 and v == int(v) for v in values)
    )
    return "american" if american else "decimal"


def _flatten(ref: files.FileRef, events: list[dict]):
    """Props rows (Over/Under paired), game-line rows and structural rejects, numbered."""
    props: dict[tuple, dict] = {}
    lines: list[dict] = []
    rejects: list[tuple[int, str, str, str | None]] = []
    row = 0
    for ev in events:
        base = {
            "event_id": _text(ev["id"]),
            "away_team": _text(ev["away_team"]),
            "home_team": _text(ev["home_team"]),
            "game": f"{ev['away_team']} @ {ev['home_team']}",
            "game_time": _text(ev["commence_time"]),
        }
        for bm in _items(ev.get("bookmakers"), "bookmakers", ref):
            if not isinstance(bm, dict):
                raise InputError(f"{ref.display}: a bookmaker entry is not an object")
            book = _text(bm.get("key"))
            for mk in _items(bm.get("markets"), "markets", ref):
                if not isinstance(mk, dict):
                    raise InputError(f"{ref.display}: a market entry is not an object")
                market = _text(mk.get("key")) or ""
                for oc in _items(mk.get("outcomes"), "outcomes", ref):
                    if not isinstance(oc, dict):
                        raise InputError(f"{ref.display}: an outcome entry is not an object")
                    name, point = _text(oc.get("name")), _text(oc.get("point"))
                    price = _text(oc.get("price"))
                    if not market.startswith("player_"):
                        row += 1
                        lines.append(
                            base
                            | {"_row": row, "bookmaker": book, "market": market}
                            | {"outcome": name, "point": point, "price": price}
                        )
                        continue
                    side = OVER_SIDES.get((name or "").strip().lower())
                    player = _text(oc.get("description"))
                    key = (ev["id"], book, market, player, point)
                    entry = props.get(key)
                    if side is None or (entry is not None and entry[f"{side}_odds"] is not None):
                        row += 1
                        why = (
                            f"outcome {name!r} is not Over or Under"
                            if side is None
                            else f"second {side} outcome for the same player and line"
                        )
                        rejects.append((row, "outcome", why, json.dumps(oc)[:2000]))
                        continue
                    if entry is None:
                        row += 1
                        entry = base | {
                            "_row": row,
                            "player": player,
                            "market": market,
                            "line": point,
                            "bookmaker": book,
                            "over_odds": None,
                            "under_odds": None,
                        }
                        props[key] = entry
                    entry[f"{side}_odds"] = price
    return list(props.values()), lines, rejects, row


def _parse_json(engine: DuckDBEngine, ref: files.FileRef) -> files.Parsed:
    events, wrapped = _load_events(ref)
    if not any("bookmakers" in ev for ev in events):
        # An events list: nothing to write (see the module docstring).
        return files.Parsed({}, len(events), [])
    snapshot = _json_snapshot(ref, events, wrapped)
    props, lines, rejects, n = _flatten(ref, events)
    fmt = _odds_format(
        [p.get("over_odds") for p in props]
        + [p.get("under_odds") for p in props]
        + [ln["price"] for ln in lines]
    )
    prop_cols = (*PROPS_COLUMNS, "over_odds", "under_odds", "away_team", "home_team")
    _register_raw(engine, props, prop_cols)
    props_table, prop_rejects = _props_from_raw(
        engine, snapshot=snapshot, known=True, odds_format=fmt
    )
    line_cols = ("event_id", "bookmaker", "market", "outcome", "point", "price", "game")
    _register_raw(engine, lines, (*line_cols, "game_time", "away_team", "home_team"))
    lines_table, line_rejects = _lines_from_raw(engine, snapshot=snapshot, odds_format=fmt)
    return files.Parsed(
        {"player_props": props_table, "game_lines": lines_table},
        n,
        sorted(rejects + prop_rejects + line_rejects),
    )


def _register_raw(engine: DuckDBEngine, rows: list[dict], columns: Sequence[str]) -> None:
    data = pa.table(
        {
            "_row": pa.array([r["_row"] for r in rows], pa.int64()),
            **{c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns},
        }
    )
    with engine.registered("_oa_json_rows", data):
        engine.execute("CREATE OR REPLACE TEMP TABLE _oa_raw AS SELECT * FROM _oa_json_rows")


# -- shared SQL: validate, look the game up, convert prices -----------------------------------


def _name_maps(engine: DuckDBEngine, team_sql: str) -> None:
    """Temp tables of team name -> tricode and player name -> lookup for the raw rows."""
    names = [
        r[0]
        for r in engine.fetchall(f"SELECT DISTINCT t FROM ({team_sql}) x(t) WHERE t IS NOT NULL")
    ]
    abbrs = []
    for name in names:
        try:
            abbrs.append(team_abbr(name))
        except InputError:
            abbrs.append(None)
    engine.execute("CREATE OR REPLACE TEMP TABLE _oa_teams (name VARCHAR, abbr VARCHAR)")
    if names:
        with engine.registered("_oa_team_map", pa.table({"name": names, "abbr": abbrs})):
            engine.execute("INSERT INTO _oa_teams SELECT * FROM _oa_team_map")


def _schedule_join(alias: str) -> str:
    """Join clause finding each row's NBA.com game by Eastern date and tricodes."""
    return f"""
        LEFT JOIN _oa_teams hteam ON hteam.name = {alias}.home_team
        LEFT JOIN _oa_teams ateam ON ateam.name = {alias}.away_team
        LEFT JOIN (
            SELECT game_date, home_team_abbr, away_team_abbr, min(game_id) AS game_id
            FROM {schema.SCHEDULE.fqn} GROUP BY ALL
        ) s ON s.game_date = CAST(timezone('America/New_York', timezone('UTC',
                   {alias}.game_time)) AS DATE)
           AND s.home_team_abbr = hteam.abbr AND s.away_team_abbr = ateam.abbr
    """


def _common_problems() -> list[str]:
    books = ", ".join(f"'{b}'" for b in sorted(KNOWN_BOOKMAKERS))
    return [
        f"CASE WHEN NOT list_contains([{books}], t.bookmaker) THEN {{'column': 'bookmaker', "
        "'reason': 'unknown bookmaker ''' || t.bookmaker || '''', 'raw': t.bookmaker} END",
        "CASE WHEN t.home_team IS NULL OR t.away_team IS NULL THEN {'column': 'game', "
        "'reason': 'game is not written ''Away Team @ Home Team''', 'raw': t.game} END",
        "CASE WHEN t.home_team IS NOT NULL AND hteam.abbr IS NULL THEN {'column': 'game', "
        "'reason': 'unknown team ''' || t.home_team || '''', 'raw': t.game} END",
        "CASE WHEN t.away_team IS NOT NULL AND ateam.abbr IS NULL THEN {'column': 'game', "
        "'reason': 'unknown team ''' || t.away_team || '''', 'raw': t.game} END",
        "CASE WHEN hteam.abbr IS NOT NULL AND ateam.abbr IS NOT NULL AND s.game_id IS NULL "
        "THEN {'column': 'game', 'reason': 'no scheduled game for ' || ateam.abbr || ' @ ' "
        "|| hteam.abbr || ' on ' || CAST(CAST(timezone('America/New_York', "
        "timezone('UTC', t.game_time)) AS DATE) AS VARCHAR), 'raw': t.game} END",
    ]


def _checked(engine: DuckDBEngine, select: str, problems: list[str]) -> list:
    """Build ``_oa_rows`` (rows without problem) from ``select`` + problems; return rejects."""
    plist = "list_distinct([" + ", ".join(problems) + "])"
    engine.execute(f"CREATE OR REPLACE TEMP TABLE _oa_checked AS {select.format(problems=plist)}")
    rejects = engine.fetchall(
        "SELECT _row, p.column, p.reason, p.raw FROM "
        "(SELECT _row, unnest(_problems) AS p FROM _oa_checked) ORDER BY _row, p.column"
    )
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE _oa_rows AS "
        "SELECT * EXCLUDE (_problems) FROM _oa_checked WHERE len(_problems) = 0"
    )
    engine.execute("DROP TABLE IF EXISTS _oa_checked")
    return [(int(r), c, why, raw) for r, c, why, raw in rejects]


def _timestamp_sql(col: str) -> str:
    # The Odds API writes UTC with a Z; an explicit +00:00 is the same instant.
    return f"regexp_replace(trim({col}), '(Z|[+-]00:?00)$', '')"


def _literal(ts: dt.datetime) -> str:
    return f"TIMESTAMP '{ts.isoformat(sep=' ')}'"


def _props_from_raw(
    engine: DuckDBEngine, *, snapshot: dt.datetime, known: bool, odds_format: str
) -> tuple[pa.Table, list]:
    """``_oa_raw`` (all text, flattened props layout) -> canonical player_props + rejects."""
    price_checks = _price_checks(odds_format)
    fields = [
        files.Field("event_id", "NULLIF(trim(event_id), '')", "VARCHAR"),
        files.Field("player", "NULLIF(trim(player), '')", "VARCHAR", raw="player", required=True),
        files.Field("market", "lower(trim(market))", "VARCHAR", raw="market", required=True),
        files.Field(
            "bookmaker", "lower(trim(bookmaker))", "VARCHAR", raw="bookmaker", required=True
        ),
        files.Field("line", "line", "DOUBLE", required=True),
        files.Field(
            "game_time", _timestamp_sql("game_time"), "TIMESTAMP", raw="game_time", required=True
        ),
        files.Field("over_odds", "over_odds", "DOUBLE", checks=price_checks),
        files.Field("under_odds", "under_odds", "DOUBLE", checks=price_checks),
        files.Field("game", "game", "VARCHAR"),
        files.Field("away_team", "away_team", "VARCHAR"),
        files.Field("home_team", "home_team", "VARCHAR"),
    ]
    rejects = files.validate_rows(engine, "_oa_raw", fields, out="_oa_typed")
    _name_maps(engine, "SELECT home_team FROM _oa_typed UNION SELECT away_team FROM _oa_typed")
    players = [r[0] for r in engine.fetchall("SELECT DISTINCT player FROM _oa_typed")]
    lookups = pa.table({"name": players, "lookup": [normalize_name(p) for p in players]})
    with engine.registered("_oa_names", lookups):
        rejects += _checked(
            engine,
            f"""
            SELECT t.*, n.lookup AS player_lookup, hteam.abbr AS home_abbr, ateam.abbr AS away_abbr,
                   s.game_id, s.game_date, {{problems}} AS _problems
            FROM _oa_typed t
            LEFT JOIN _oa_names n ON n.name = t.player
            {_schedule_join("t")}
            """,
            [
                *_common_problems(),
                "CASE WHEN n.lookup = '' THEN {'column': 'player', "
                "'reason': 'player name has no letters or digits', 'raw': t.player} END",
            ],
        )
    if odds_format == "american":
        prices = {
            "over_price_american": "CAST(over_odds AS INTEGER)",
            "under_price_american": "CAST(under_odds AS INTEGER)",
            "over_price": _to_decimal_sql("over_odds"),
            "under_price": _to_decimal_sql("under_odds"),
        }
    else:
        prices = {
            "over_price_american": _to_american_sql("over_odds"),
            "under_price_american": _to_american_sql("under_odds"),
            "over_price": "over_odds",
            "under_price": "under_odds",
        }
    price_sql = ", ".join(f"{expr} AS {name}" for name, expr in prices.items())
    minutes = (
        f"CAST(round(date_diff('second', {_literal(snapshot)}, game_time) / 60.0) AS INTEGER)"
        if known
        else "CAST(NULL AS INTEGER)"
    )
    engine.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _oa_out AS
        SELECT _row, game_id, event_id AS source_event_id, game_date,
               game_time AS game_start_time, home_abbr AS home_team_abbr,
               away_abbr AS away_team_abbr, {_literal(snapshot)} AS snapshot_timestamp,
               {minutes} AS minutes_before_tipoff, bookmaker, market, player AS player_name,
               player_lookup, line AS points_line, {price_sql}
        FROM _oa_rows
        """
    )
    table = engine.arrow("SELECT * FROM _oa_out ORDER BY _row")
    return _canonical(schema.PLAYER_PROPS, table), rejects


def _lines_from_raw(
    engine: DuckDBEngine, *, snapshot: dt.datetime, odds_format: str
) -> tuple[pa.Table, list]:
    """``_oa_raw`` (flattened game-line outcomes) -> canonical game_lines + rejects."""
    fields = [
        files.Field("event_id", "NULLIF(trim(event_id), '')", "VARCHAR"),
        files.Field(
            "bookmaker", "lower(trim(bookmaker))", "VARCHAR", raw="bookmaker", required=True
        ),
        files.Field("market", "lower(trim(market))", "VARCHAR", raw="market", required=True),
        files.Field(
            "outcome", "NULLIF(trim(outcome), '')", "VARCHAR", raw="outcome", required=True
        ),
        files.Field("point", "point", "DOUBLE"),
        files.Field("price", "price", "DOUBLE", required=True, checks=_price_checks(odds_format)),
        files.Field(
            "game_time", _timestamp_sql("game_time"), "TIMESTAMP", raw="game_time", required=True
        ),
        files.Field("game", "game", "VARCHAR"),
        files.Field("away_team", "away_team", "VARCHAR"),
        files.Field("home_team", "home_team", "VARCHAR"),
    ]
    rejects = files.validate_rows(engine, "_oa_raw", fields, out="_oa_typed")
    _name_maps(
        engine,
        "SELECT home_team FROM _oa_typed UNION SELECT away_team FROM _oa_typed "
        "UNION SELECT outcome FROM _oa_typed",
    )
    markets = ", ".join(f"'{m}'" for m in GAME_MARKETS)
    rejects += _checked(
        engine,
        f"""
        SELECT t.*, hteam.abbr AS home_abbr, ateam.abbr AS away_abbr, s.game_id, s.game_date,
               CASE WHEN t.market = 'totals' THEN
                        CASE lower(t.outcome) WHEN 'over' THEN 'Over' WHEN 'under' THEN 'Under' END
                    WHEN oteam.abbr IN (hteam.abbr, ateam.abbr) THEN oteam.abbr END AS outcome_name,
               {{problems}} AS _problems
        FROM _oa_typed t
        LEFT JOIN _oa_teams oteam ON oteam.name = t.outcome
        {_schedule_join("t")}
        """,
        [
            *_common_problems(),
            f"CASE WHEN t.market NOT IN ({markets}) THEN {{'column': 'market', 'reason': "
            "'game market ''' || t.market || ''' is not stored (h2h, spreads, totals)', "
            "'raw': t.market} END",
            "CASE WHEN t.market = 'totals' AND lower(t.outcome) NOT IN ('over', 'under') THEN "
            "{'column': 'outcome', 'reason': 'totals outcome is not Over or Under', "
            "'raw': t.outcome} END",
            "CASE WHEN t.market IN ('h2h', 'spreads') AND hteam.abbr IS NOT NULL "
            "AND ateam.abbr IS NOT NULL "
            "AND (oteam.abbr IS NULL OR oteam.abbr NOT IN (hteam.abbr, ateam.abbr)) "
            "THEN {'column': 'outcome', 'reason': 'outcome is neither team of the game', "
            "'raw': t.outcome} END",
            "CASE WHEN t.market IN ('spreads', 'totals') AND t.point IS NULL THEN "
            "{'column': 'point', 'reason': 'missing value', 'raw': NULL} END",
        ],
    )
    if odds_format == "american":
        american, decimal = "CAST(price AS INTEGER)", _to_decimal_sql("price")
    else:
        american, decimal = _to_american_sql("price"), "price"
    table = engine.arrow(
        f"""
        SELECT _row, game_id, event_id AS source_event_id, game_date,
               game_time AS game_start_time, home_abbr AS home_team_abbr,
               away_abbr AS away_team_abbr, {_literal(snapshot)} AS snapshot_timestamp,
               CAST(round(date_diff('second', {_literal(snapshot)}, game_time) / 60.0)
                    AS INTEGER) AS minutes_before_tipoff,
               bookmaker, market AS market_key, outcome_name, point AS outcome_point,
               {american} AS outcome_price_american, {decimal} AS outcome_price
        FROM _oa_rows ORDER BY _row
        """
    )
    return _canonical(schema.GAME_LINES, table), rejects


def _canonical(table: schema.Table, data: pa.Table) -> pa.Table:
    """Canonical columns plus ``_row``, so later rejects (unknown game id) name their row."""
    cols = {c: data.column(c) for c in data.column_names if c != "_row"}
    out = files.canonical(table, cols, data.num_rows)
    return out.append_column("_row", data.column("_row"))


# -- live fetching ----------------------------------------------------------------------------

BASE_URL = "https://api.the-odds-api.com"
SPORT = "basketball_nba"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchedFiles(list):
    """The files a fetch saved or found in its cache (a list of Path), plus what it cost."""

    def __init__(self, day: dt.date):
        super().__init__()
        self.day = day
        self.requests = 0
        self.cached = 0
        self.events = 0
        self.requests_remaining: int | None = None
        self.requests_used: int | None = None

    def summary(self) -> str:
        quota = (
            f"; quota: {self.requests_remaining} requests remaining, {self.requests_used} used"
            if self.requests_remaining is not None
            else ""
        )
        return (
            f"odds_api {self.day}: {self.events} events, {len(self)} files "
            f"({self.requests} fetched, {self.cached} from cache){quota}"
        )


class _Client:
    """GET with polite spacing, retries with exponential backoff and quota bookkeeping."""

    def __init__(
        self, transport, api_key, result, *, min_interval, retries, backoff, timeout, sleep
    ):
        self.transport, self.api_key, self.result = transport, api_key, result
        self.min_interval, self.retries, self.backoff = min_interval, retries, backoff
        self.timeout, self.sleep = timeout, sleep
        self.last: float | None = None

    def _wait(self) -> None:
        if self.last is not None:
            gap = self.min_interval - (time.monotonic() - self.last)
            if gap > 0:
                self.sleep(gap)
        self.last = time.monotonic()

    def _quota(self, h: dict) -> None:
        for name, attr in (
            ("x-requests-remaining", "requests_remaining"),
            ("x-requests-used", "requests_used"),
        ):
            with contextlib.suppress(KeyError, TypeError, ValueError):
                setattr(self.result, attr, int(float(h[name])))

    def get(self, path: str, params: dict) -> tuple[Any, str]:
        """The parsed JSON body and its text as sent."""
        import requests

        if self.result.requests_remaining == 0:
            raise InputError(self._exhausted())
        url = BASE_URL + path
        problem, delay = "", 0.0
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(max(delay, self.backoff * 2 ** (attempt - 1)))
            self._wait()
            try:
                resp = self.transport.get(
                    url, params={**params, "apiKey": self.api_key}, timeout=self.timeout
                )
            except (requests.Timeout, TimeoutError):
                problem, delay = "timed out", 0.0
                continue
            except (requests.ConnectionError, ConnectionError) as exc:
                problem, delay = f"connection failed: {type(exc).__name__}", 0.0
                continue
            self.result.requests += 1
            headers = {str(k).lower(): v for k, v in dict(resp.headers or {}).items()}
            self._quota(headers)
            status = int(resp.status_code)
            if status in RETRY_STATUSES:
                retry_after = headers.get("retry-after")
                problem = f"HTTP {status}"
                delay = float(retry_after) if _is_number(retry_after) else 0.0
                continue
            if status == 401:
                text = resp.text or ""
                if "OUT_OF_USAGE_CREDITS" in text or "quota" in text.lower():
                    self.result.requests_remaining = 0
                    raise InputError(self._exhausted())
                raise InputError("The Odds API rejected the API key (HTTP 401): check ODDS_API_KEY")
            if status != 200:
                raise InputError(
                    f"The Odds API: GET {path} answered HTTP {status}: {_message(resp)}"
                )
            try:
                return json.loads(resp.text), resp.text
            except (json.JSONDecodeError, TypeError):
                raise InputError(
                    f"The Odds API: GET {path} answered something that is not JSON "
                    "(an HTML error page?)"
                ) from None
        raise InputError(
            f"The Odds API: GET {path} failed after {self.retries + 1} attempts ({problem}); "
            "try again later"
        )

    def _exhausted(self) -> str:
        used = (
            f", {self.result.requests_used} used" if self.result.requests_used is not None else ""
        )
        return (
            f"The Odds API usage quota is exhausted (x-requests-remaining: 0{used}); "
            f"{len(self.result)} files saved so far stay cached: re-run after the quota resets"
        )


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _message(resp: Any) -> str:
    try:
        body = json.loads(resp.text)
        if isinstance(body, dict) and body.get("message"):
            return str(body["message"])[:200]
    except (json.JSONDecodeError, TypeError):
        pass
    return (resp.text or "").strip().splitlines()[0][:200] if (resp.text or "").strip() else "-"


def _iso(ts: dt.datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _eastern_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(day, dt.time(0), tzinfo=EASTERN).astimezone(dt.UTC)
    hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=EASTERN)
    return lo.replace(tzinfo=None), hi.astimezone(dt.UTC).replace(tzinfo=None)


def _eastern_date(ts: dt.datetime) -> dt.date:
    return ts.replace(tzinfo=dt.UTC).astimezone(EASTERN).date()


def _save(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # Write then rename: an interrupted run never leaves a half file that looks cached.
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def _tag(markets: Sequence[str]) -> str:
    joined = "-".join(markets)
    if len(joined) <= 60 and re.fullmatch(r"[A-Za-z0-9_-]+", joined):
        return joined
    # Long or unusual market lists get a short digest: file names stay short and safe.
    return hashlib.sha1(joined.encode()).hexdigest()[:12]


def fetch_odds_api(
    date: dt.date | str,
    *,
    markets: Sequence[str] = ("player_points",),
    api_key: str | None = None,
    cache_dir: str | Path,
    historical: bool = False,
    transport: Any = None,
    min_interval: float = 1.0,
    retries: int = 4,
    game_markets: Sequence[str] = ("spreads", "totals"),
    odds_format: Literal["american", "decimal"] = "american",
    regions: str = "us",
    minutes_before: int = 60,
    refresh: bool = False,
    backoff: float = 1.0,
    timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchedFiles:
    """Fetch one US/Eastern date's events, then per event the prop odds and game lines.

    Raw responses are saved under ``cache_dir/odds_api/<date>/`` and ingest with
    ``OddsApiFiles``; a file already there is not fetched again (``refresh`` takes a new live
    snapshot). Historical mode asks for the snapshot ``minutes_before`` tip-off.
    """
    key = api_key or os.environ.get("ODDS_API_KEY")
    if not key:
        raise InputError("no Odds API key: set ODDS_API_KEY (export ODDS_API_KEY=...)")
    day = _as_date(date)
    if transport is None:
        try:
            import requests
        except ImportError:
            raise InputError("live fetching needs requests: pip install 'nbapipe[live]'") from None
        transport = requests.Session()
    result = FetchedFiles(day)
    client = _Client(
        transport, key, result, min_interval=min_interval, retries=retries,
        backoff=backoff, timeout=timeout, sleep=sleep,
    )  # fmt: skip
    folder = Path(cache_dir) / "odds_api" / day.isoformat()
    lo, hi = _eastern_day_bounds(day)
    window = {"commenceTimeFrom": _iso(lo), "commenceTimeTo": _iso(hi), "dateFormat": "iso"}

    def cached(pattern: str) -> Path | None:
        if refresh and not historical:
            return None
        found = sorted(folder.glob(pattern))
        return found[-1] if found else None

    def fetch(path: str, params: dict, pattern: str, name: str) -> tuple[Path, Any]:
        hit = cached(pattern)
        if hit is not None:
            result.cached += 1
            return hit, json.loads(hit.read_text(encoding="utf-8"))
        body, text = client.get(path, params)
        # A live answer's snapshot time is when it arrived: the file name carries it.
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d_%H%M%S")
        return _save(folder / name.replace("{stamp}", stamp), text), body

    prefix = "/v4/historical" if historical else "/v4"
    if historical:
        ten_am = dt.datetime.combine(day, dt.time(10), tzinfo=EASTERN).astimezone(dt.UTC)
        params = window | {"date": _iso(ten_am.replace(tzinfo=None))}
        events_file, body = fetch(
            f"{prefix}/sports/{SPORT}/events", params, "events_his.json", "events_his.json"
        )
    else:
        events_file, body = fetch(
            f"{prefix}/sports/{SPORT}/events", window, "events_[0-9]*.json", "events_{stamp}.json"
        )
    result.append(events_file)
    listed = body.get("data") if isinstance(body, dict) and "data" in body else body
    if not isinstance(listed, list):
        raise InputError(f"{events_file}: the events response is not a list of events")
    events = []
    for ev in listed:
        if not isinstance(ev, dict) or not ev.get("id") or not ev.get("commence_time"):
            continue
        start = _parse_utc(ev["commence_time"], f"{events_file}: commence_time")
        # The API filters by commence time too; this keeps a recorded or odd answer honest.
        if _eastern_date(start) == day and re.fullmatch(r"[A-Za-z0-9]+", str(ev["id"])):
            events.append((str(ev["id"]), start))
    result.events = len(events)
    groups = [("props", tuple(markets)), ("lines", tuple(game_markets))]
    for event_id, start in events:
        for kind, wanted in groups:
            if not wanted:
                continue
            params = {"regions": regions, "markets": ",".join(wanted), "oddsFormat": odds_format}
            params["dateFormat"] = "iso"
            stem = f"{kind}_{_tag(wanted)}_{event_id}"
            if historical:
                at = _iso(start - dt.timedelta(minutes=minutes_before))
                params["date"] = at
                name = f"{stem}_his_{at.replace('-', '').replace(':', '').rstrip('Z')}.json"
                pattern = name
            else:
                name, pattern = stem + "_{stamp}.json", f"{stem}_[0-9]*.json"
            path, _ = fetch(
                f"{prefix}/sports/{SPORT}/events/{event_id}/odds", params, pattern, name
            )
            result.append(path)
    return result


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{value!r} is not a date (expected YYYY-MM-DD)") from None
