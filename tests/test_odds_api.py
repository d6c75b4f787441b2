"""The Odds API source: CSV and v4 JSON into player_props / game_lines, and the live fetcher."""

from __future__ import annotations

import copy
import datetime as dt
import json
import socket
from pathlib import Path

import pyarrow as pa
import pytest
import requests

from conftest import SHARED_DATA, ingest_in_both_orders
from nbapipe import registry
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.errors import InputError
from nbapipe.identity import normalize_name
from nbapipe.sources import odds_api
from nbapipe.sources.odds_api import (
    american_to_decimal,
    decimal_to_american,
    fetch_odds_api,
    ingest_odds_api,
)
from nbapipe.teams import TEAM_ABBRS
from nbapipe.warehouse import migrate

DATA = SHARED_DATA
POINTS = DATA / "odds_api" / "player_points_2025_26"
THREES = DATA / "odds_api" / "player_threes_2024_25"
SAMPLES = DATA / "legacy_samples"
LINES_SAMPLE = SAMPLES / "oddsa_game_lines_his" / "raw_b722994c.json"
PROPS_SAMPLE = SAMPLES / "oddsa_player_props_his" / "raw_815b3ee3.json"
EVENTS_SAMPLE = SAMPLES / "oddsa_events_his" / "raw_aaf97612.json"

# Measured on the 16 snapshots: 1,440 of 1,763 distinct (player, date) player_points lines
# (0.817) match a player-game in the 2025-26 logs; the floor leaves a margin.
RESOLVED_SHARE_FLOOR = 0.75


@pytest.fixture(scope="module")
def data(shared_data: Path) -> Path:
    return shared_data


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any real HTTP attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", refuse)


def new_engine() -> DuckDBEngine:
    eng = DuckDBEngine(":memory:")
    migrate(eng)
    return eng


def schedule_from_gamelogs(engine: DuckDBEngine, csv: Path, season_year: int) -> None:
    """LeagueGameLog rows -> nba_raw.schedule; MATCHUP alone says who is home ('vs.')."""
    engine.execute(
        f"""
        INSERT INTO nba_raw.schedule
            (game_id, game_date, season_year, home_team_abbr, away_team_abbr, source)
        SELECT GAME_ID, CAST(GAME_DATE AS DATE), {season_year},
               CASE WHEN MATCHUP LIKE '% vs. %' THEN trim(split_part(MATCHUP, ' vs. ', 1))
                    ELSE trim(split_part(MATCHUP, ' @ ', 2)) END,
               CASE WHEN MATCHUP LIKE '% vs. %' THEN trim(split_part(MATCHUP, ' vs. ', 2))
                    ELSE trim(split_part(MATCHUP, ' @ ', 1)) END,
               'test'
        FROM read_csv(?, all_varchar = true)
        QUALIFY row_number() OVER (PARTITION BY GAME_ID ORDER BY MATCHUP) = 1
        """,
        [str(csv)],
    )


def register_from_player_logs(engine: DuckDBEngine, csv: Path) -> None:
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE player_logs AS SELECT * FROM read_csv(?, all_varchar = true)",
        [str(csv)],
    )
    names = [r[0] for r in engine.fetchall("SELECT DISTINCT player FROM player_logs")]
    lookups = pa.table({"player": names, "lookup": [normalize_name(n) for n in names]})
    with engine.registered("log_lookups", lookups):
        engine.execute(
            "CREATE OR REPLACE TEMP TABLE player_logs AS "
            "SELECT l.*, k.lookup FROM player_logs l JOIN log_lookups k USING (player)"
        )
    registry.register_players(
        engine,
        "SELECT player AS player_name, lookup AS player_lookup, "
        "CAST(player_id AS BIGINT) AS nba_player_id, CAST(date AS DATE) AS game_date "
        "FROM player_logs",
        source="test",
    )


@pytest.fixture(scope="module")
def season(data):
    """A warehouse with the 2025-26 schedule and registry, and all 16 snapshots ingested."""
    eng = new_engine()
    schedule_from_gamelogs(eng, data / "nba_stats" / "team_gamelogs_2025_26.csv", 2025)
    register_from_player_logs(eng, data / "nba_stats" / "player_gamelogs_2025_26.csv")
    summary, outcomes = ingest_odds_api(eng, [POINTS])
    yield eng, summary, outcomes
    eng.close()


def one(engine: DuckDBEngine, sql: str, params=None):
    return engine.fetchone(sql, params)[0]


# -- prices --------------------------------------------------------------------------------


def test_odds_api_price_conversion_matches_known_values() -> None:
    assert american_to_decimal(-110) == pytest.approx(1.909, abs=1e-3)
    assert american_to_decimal(150) == 2.5
    assert american_to_decimal(100) == 2.0
    assert decimal_to_american(2.5) == 150
    assert decimal_to_american(1.909) == -110
    assert decimal_to_american(1.91) == -110
    with pytest.raises(InputError):
        american_to_decimal(50)


# -- real CSV snapshots ---------------------------------------------------------------------


def test_odds_api_points_lines_resolve_to_player_logs_above_floor(season) -> None:
    eng, _, _ = season
    total, matched = eng.fetchone(
        """
        WITH lines AS (
            SELECT DISTINCT player_lookup, game_date FROM nba_raw.player_props
            WHERE source = 'odds_api' AND market = 'player_points'
        ),
        logs AS (SELECT DISTINCT lookup, CAST(date AS DATE) AS game_date FROM player_logs)
        SELECT count(*), count(logs.lookup)
        FROM lines LEFT JOIN logs
          ON logs.lookup = lines.player_lookup AND logs.game_date = lines.game_date
        """
    )
    share = matched / total
    print(f"player_points lines matching a player-game: {matched}/{total} = {share:.3f}")
    assert total > 1500 and share >= RESOLVED_SHARE_FLOOR


def test_odds_api_unresolved_names_are_in_registry_failures(season) -> None:
    eng, summary, _ = season
    unresolved = {
        r[0]
        for r in eng.fetchall(
            "SELECT DISTINCT player_lookup FROM nba_raw.player_props p WHERE NOT EXISTS "
            "(SELECT 1 FROM nba_reference.nba_players_registry r "
            " WHERE r.player_lookup = p.player_lookup)"
        )
    }
    logged = {
        r[0]
        for r in eng.fetchall(
            "SELECT DISTINCT player_lookup FROM nba_processing.registry_failures "
            "WHERE source = 'odds_api'"
        )
    }
    assert unresolved and unresolved <= logged
    assert summary.unresolved_names > 0


def test_odds_api_every_snapshot_is_kept(season) -> None:
    eng, _, outcomes = season
    assert len(outcomes) == 16 and {o.status for o in outcomes} == {"loaded"}
    snapshots = eng.fetchall(
        "SELECT snapshot_timestamp, source_file, count(*) FROM nba_raw.player_props "
        "GROUP BY ALL ORDER BY 1"
    )
    assert len(snapshots) == 16
    for ts, source_file, n in snapshots:
        assert Path(source_file).name == ts.strftime("raw_%Y%m%d_%H%M%S.csv") and n > 500


def test_odds_api_minutes_before_tipoff_is_tipoff_minus_snapshot(season) -> None:
    eng, _, _ = season
    wrong, in_game, earliest = eng.fetchone(
        """
        SELECT count(*) FILTER (WHERE minutes_before_tipoff <> CAST(round(date_diff('second',
                   snapshot_timestamp, game_start_time) / 60.0) AS INTEGER)),
               count(*) FILTER (WHERE minutes_before_tipoff <= 0),
               min(minutes_before_tipoff)
        FROM nba_raw.player_props
        """
    )
    # 17:00 UTC snapshots, all before that day's first tip-off (18:10 UTC at the earliest).
    assert (wrong, in_game, earliest) == (0, 0, 70)
    row = eng.fetchone(
        "SELECT minutes_before_tipoff FROM nba_raw.player_props "
        "WHERE source_event_id = 'bbde7751a144b98ed150d7a5f7dc8f87' LIMIT 1"
    )
    assert row == (395,)  # 2025-10-21 17:00 UTC -> tip 23:35 UTC


def test_odds_api_team_names_map_to_tricodes_and_schedule_games(season) -> None:
    eng, _, _ = season
    assert eng.fetchone(
        "SELECT DISTINCT game_id, home_team_abbr, away_team_abbr, game_date "
        "FROM nba_raw.player_props WHERE source_event_id = 'bbde7751a144b98ed150d7a5f7dc8f87'"
    ) == ("0022500001", "OKC", "HOU", dt.date(2025, 10, 21))
    teams = {r[0] for r in eng.fetchall("SELECT home_team_abbr FROM nba_raw.player_props")}
    assert teams <= set(TEAM_ABBRS) and len(teams) == 30
    assert one(eng, "SELECT count(DISTINCT game_id) FROM nba_raw.player_props") == 120


def test_odds_api_prices_are_stored_american_and_decimal(season) -> None:
    eng, _, _ = season
    pairs = eng.fetchall(
        "SELECT DISTINCT over_price_american, over_price FROM nba_raw.player_props "
        "WHERE over_price_american IN (-110, 150)"
    )
    assert dict(pairs)[-110] == pytest.approx(1.909, abs=1e-3)
    assert dict(pairs)[150] == 2.5
    assert (
        one(
            eng,
            "SELECT count(*) FROM nba_raw.player_props WHERE over_price_american IS NOT NULL "
            "AND (abs(over_price_american) < 100 OR over_price <= 1)",
        )
        == 0
    )


def test_odds_api_ladder_keeps_every_rung(season) -> None:
    eng, _, _ = season
    assert (
        one(
            eng,
            "SELECT count(*) FROM nba_processing.ingest_rejects "
            "WHERE reason LIKE 'alternate line%'",
        )
        == 0
    )
    # Bovada quotes a ladder for Jokic on 2025-10-23: every rung is a row, the main line
    # (prices closest to even) among them.
    rungs = eng.fetchall(
        "SELECT points_line, over_price_american, under_price_american FROM nba_raw.player_props "
        "WHERE bookmaker = 'bovada' AND player_name = 'Nikola Jokic' AND market = 'player_points' "
        "AND snapshot_timestamp = TIMESTAMP '2025-10-23 17:00:00' ORDER BY points_line"
    )
    assert len(rungs) > 1 and (28.5, -110, -120) in rungs


def test_odds_api_yes_no_markets_without_a_line_are_rejected(season) -> None:
    eng, _, _ = season
    n = one(
        eng,
        "SELECT count(*) FROM nba_processing.ingest_rejects "
        "WHERE column_name = 'line' AND reason = 'missing value'",
    )
    assert n == 7417  # every player_double_double and player_triple_double row
    assert one(eng, "SELECT count(*) FROM nba_raw.player_props WHERE market LIKE '%double%'") == 0


def test_odds_api_reingesting_the_folder_changes_nothing(season) -> None:
    eng, _, _ = season
    fingerprint = (
        "SELECT count(*), sum(hash(game_id, snapshot_timestamp, bookmaker, player_lookup, market, "
        "points_line, over_price_american, under_price_american)) FROM nba_raw.player_props"
    )
    before = eng.fetchone(fingerprint)
    _, outcomes = ingest_odds_api(eng, [POINTS])
    assert {o.status for o in outcomes} == {"unchanged"}
    assert eng.fetchone(fingerprint) == before


@pytest.fixture()
def threes_day(data):
    eng = new_engine()
    schedule_from_gamelogs(eng, data / "nba_stats" / "schedule_2024_25.csv", 2024)
    yield eng
    eng.close()


def test_odds_api_dated_file_gets_noon_eastern_label_and_no_minutes(threes_day) -> None:
    eng = threes_day
    _, outcomes = ingest_odds_api(eng, [THREES / "props_2024-10-22_player_threes.csv"])
    assert outcomes[0].status == "loaded" and outcomes[0].rows_written > 50
    rows = eng.fetchall(
        "SELECT DISTINCT snapshot_timestamp, minutes_before_tipoff, market, source_event_id "
        "FROM nba_raw.player_props"
    )
    # Noon EDT is 16:00 UTC; the capture time is unknown, so no minutes are made up.
    assert rows == [(dt.datetime(2024, 10, 22, 16, 0), None, "player_threes", None)]
    assert odds_api.nominal_snapshot(dt.date(2025, 1, 15)) == dt.datetime(2025, 1, 15, 17, 0)


# -- v4 JSON --------------------------------------------------------------------------------


@pytest.fixture()
def gsw_atl(data):
    """A warehouse that knows the game of the recorded samples: ATL at GSW, 2024-01-24 ET."""
    eng = new_engine()
    eng.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES ('0022300640', DATE '2024-01-24', 2023, 'GSW', 'ATL', "
        "'test')"
    )
    registry.register_players(
        eng,
        "SELECT * FROM (VALUES ('Stephen Curry', 'stephencurry', 201939, DATE '2024-01-20'), "
        "('Trae Young', 'traeyoung', 1629027, DATE '2024-01-20')) "
        "v(player_name, player_lookup, nba_player_id, game_date)",
        source="test",
    )
    yield eng
    eng.close()


def test_odds_api_json_game_lines_sample_parses_teams_points_prices(gsw_atl) -> None:
    _, outcomes = ingest_odds_api(gsw_atl, [LINES_SAMPLE])
    assert outcomes[0].status == "loaded" and outcomes[0].rows_written == 8
    rows = gsw_atl.fetchall(
        "SELECT bookmaker, market_key, outcome_name, outcome_point, outcome_price, "
        "outcome_price_american FROM nba_raw.game_lines ORDER BY 1, 2, 3"
    )
    assert rows[:4] == [
        ("draftkings", "spreads", "ATL", 6.5, 1.91, -110),
        ("draftkings", "spreads", "GSW", -6.5, 1.83, -120),
        ("draftkings", "totals", "Over", 248.5, 1.87, -115),
        ("draftkings", "totals", "Under", 248.5, 1.87, -115),
    ]
    meta = gsw_atl.fetchone(
        "SELECT DISTINCT game_id, home_team_abbr, away_team_abbr, game_date, snapshot_timestamp, "
        "minutes_before_tipoff FROM nba_raw.game_lines"
    )
    # Snapshot 03:55:40 UTC, tip-off 03:20:30: an in-game snapshot, kept with negative minutes.
    assert meta == (
        "0022300640",
        "GSW",
        "ATL",
        dt.date(2024, 1, 24),
        dt.datetime(2024, 1, 25, 3, 55, 40),
        -35,
    )


def props_body(sample: Path) -> dict:
    """The recorded wrapper with player markets in place of its spreads and totals."""
    body = json.loads(sample.read_text())

    def pair(player, point, over, under):
        return [
            {"name": "Over", "description": player, "price": over, "point": point},
            {"name": "Under", "description": player, "price": under, "point": point},
        ]

    body["data"]["bookmakers"] = [
        {
            "key": "draftkings",
            "title": "DraftKings",
            "last_update": "2024-01-25T03:00:00Z",
            "markets": [
                {"key": "player_points", "outcomes": pair("Stephen Curry", 28.5, 1.87, 1.95)},
                {"key": "player_assists", "outcomes": pair("Trae Young", 10.5, 2.5, 1.57)},
            ],
        }
    ]
    return body


def test_odds_api_json_player_markets_pair_over_and_under(gsw_atl, tmp_path: Path) -> None:
    f = tmp_path / "props.json"
    f.write_text(json.dumps(props_body(PROPS_SAMPLE)))
    _, outcomes = ingest_odds_api(gsw_atl, [f])
    assert outcomes[0].rows_written == 2
    rows = gsw_atl.fetchall(
        "SELECT market, player_name, player_lookup, points_line, over_price, under_price, "
        "over_price_american, under_price_american, home_team_abbr FROM nba_raw.player_props "
        "ORDER BY market"
    )
    assert rows == [
        ("player_assists", "Trae Young", "traeyoung", 10.5, 2.5, 1.57, 150, -175, "GSW"),
        ("player_points", "Stephen Curry", "stephencurry", 28.5, 1.87, 1.95, -115, -105, "GSW"),
    ]


def test_odds_api_json_bare_event_body_takes_time_from_file_name(gsw_atl, tmp_path) -> None:
    f = tmp_path / "lines_spreads-totals_cd0b_20240125_030000.json"
    f.write_text(json.dumps(json.loads(LINES_SAMPLE.read_text())["data"]))
    ingest_odds_api(gsw_atl, [f])
    assert gsw_atl.fetchone(
        "SELECT DISTINCT snapshot_timestamp, minutes_before_tipoff FROM nba_raw.game_lines"
    ) == (dt.datetime(2024, 1, 25, 3, 0), 21)


def test_odds_api_events_file_writes_nothing(gsw_atl) -> None:
    _, outcomes = ingest_odds_api(gsw_atl, [EVENTS_SAMPLE])
    assert (outcomes[0].status, outcomes[0].rows_in, outcomes[0].rows_written) == (
        "loaded",
        16,
        0,
    )


# -- bad input --------------------------------------------------------------------------------

HEADER = "event_id,player,market,line,bookmaker,game,game_time,over_odds,under_odds\n"
OKC_HOU = "Houston Rockets @ Oklahoma City Thunder"


def csv_row(
    player="Shai Gilgeous-Alexander",
    line="32.5",
    book="draftkings",
    game=OKC_HOU,
    market="player_points",
) -> str:
    return f'e1,"{player}",{market},{line},{book},{game},2025-10-21T23:35:00Z,-110,-120\n'


@pytest.fixture()
def okc():
    eng = new_engine()
    eng.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES ('0022500001', DATE '2025-10-21', 2025, 'OKC', 'HOU', "
        "'test')"
    )
    registry.register_players(
        eng,
        "SELECT 'Shai Gilgeous-Alexander' AS player_name, "
        "'shaigilgeousalexander' AS player_lookup, 1628983 AS nba_player_id, "
        "DATE '2025-10-21' AS game_date",
        source="test",
    )
    yield eng
    eng.close()


def ingest_rows(engine, tmp_path: Path, *rows: str):
    f = tmp_path / "raw_20251021_170000.csv"
    f.write_text(HEADER + csv_row() + "".join(rows))
    _, outcomes = ingest_odds_api(engine, [f])
    rejects = engine.fetchall(
        "SELECT row_number, column_name, reason, raw_text FROM nba_processing.ingest_rejects "
        "ORDER BY row_number, column_name"
    )
    return outcomes[0], rejects


def test_odds_api_unknown_bookmaker_is_rejected(okc, tmp_path: Path) -> None:
    outcome, rejects = ingest_rows(okc, tmp_path, csv_row(book="NotABook"))
    assert rejects == [(2, "bookmaker", "unknown bookmaker 'notabook'", "notabook")]
    assert outcome.rows_written == 1


def test_odds_api_non_numeric_line_is_rejected(okc, tmp_path: Path) -> None:
    outcome, rejects = ingest_rows(okc, tmp_path, csv_row(line="abc"))
    assert rejects == [(2, "line", "not a valid double", "abc")]
    assert outcome.rows_written == 1


def test_odds_api_non_american_price_is_rejected(okc, tmp_path: Path) -> None:
    row = csv_row().replace("-110,-120", "1.91,0")
    _, rejects = ingest_rows(okc, tmp_path, row)
    assert [(r[0], r[1]) for r in rejects] == [(2, "over_odds"), (2, "under_odds")]
    assert rejects[0][2].startswith("not an American price")


def test_odds_api_hostile_player_name_is_stored_and_unresolved(okc, tmp_path: Path) -> None:
    evil = "'; DROP TABLE x; --"
    outcome, rejects = ingest_rows(okc, tmp_path, csv_row(player=evil))
    assert outcome.rows_written == 2 and rejects == []
    assert okc.fetchone(
        "SELECT player_name, player_lookup FROM nba_raw.player_props WHERE player_name = ?",
        [evil],
    ) == (evil, "droptablex")
    assert okc.fetchone(
        "SELECT player_name, context LIKE 'player_props:%' FROM nba_processing.registry_failures"
    ) == (evil, True)
    assert okc.fetchone(
        "SELECT player_lookup FROM nba_raw.player_props WHERE player_name LIKE 'Shai%'"
    ) == ("shaigilgeousalexander",)


def test_odds_api_game_the_schedule_does_not_know_is_rejected(okc, tmp_path: Path) -> None:
    game = "Boston Celtics @ New York Knicks"
    _, rejects = ingest_rows(okc, tmp_path, csv_row(game=game))
    assert rejects == [(2, "game", "no scheduled game for BOS @ NYK on 2025-10-21", game)]


def test_odds_api_unknown_team_name_is_rejected(okc, tmp_path: Path) -> None:
    _, rejects = ingest_rows(okc, tmp_path, csv_row(game="Gotham Rogues @ Oklahoma City Thunder"))
    assert [r[1:3] for r in rejects] == [("game", "unknown team 'Gotham Rogues'")]


def test_odds_api_broken_json_files_are_refused_and_others_load(okc, tmp_path: Path) -> None:
    good = tmp_path / "raw_20251021_170000.csv"
    good.write_text(HEADER + csv_row())
    html = tmp_path / "page.json"
    html.write_text("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>")
    cut = tmp_path / "cut.json"
    cut.write_text(LINES_SAMPLE.read_text()[:500] if DATA.is_dir() else '{"timestamp": "2024-')
    error = tmp_path / "error.json"
    error.write_text('{"message": "Usage quota has been reached", "error_code": "OUT"}')
    _, outcomes = ingest_odds_api(okc, [good, html, cut, error])
    by_name = {Path(o.file).name: o for o in outcomes}
    assert by_name["raw_20251021_170000.csv"].status == "loaded"
    assert "HTML page" in by_name["page.json"].message
    assert "not valid JSON" in by_name["cut.json"].message
    assert "error response" in by_name["error.json"].message
    for name in ("page.json", "cut.json", "error.json"):
        message = by_name[name].message
        assert by_name[name].status == "refused" and "\n" not in message and name in message
    assert one(okc, "SELECT count(*) FROM nba_raw.player_props") == 1


def test_odds_api_csv_without_time_in_its_name_is_refused(okc, tmp_path: Path) -> None:
    f = tmp_path / "lines.csv"
    f.write_text(HEADER + csv_row())
    _, outcomes = ingest_odds_api(okc, [f])
    assert outcomes[0].status == "refused" and "snapshot time" in outcomes[0].message


# -- live fetching ----------------------------------------------------------------------------


class Resp:
    def __init__(self, status: int, body, headers: dict | None = None):
        self.status_code = status
        self.text = body if isinstance(body, str) else json.dumps(body)
        self.headers = {"x-requests-remaining": "480", "x-requests-used": "20"} | (headers or {})


class Recorded:
    """Serves the recorded legacy_samples responses; ``script`` overrides the first answers."""

    def __init__(self, *, historical: bool, script: list | None = None):
        self.historical = historical
        self.script = list(script or [])
        self.calls: list[tuple[str, dict]] = []

    def get(self, url: str, params=None, timeout=None):
        self.calls.append((url, dict(params or {})))
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            return step
        if url.endswith("/events"):
            body = json.loads(EVENTS_SAMPLE.read_text())
        else:
            events = json.loads(EVENTS_SAMPLE.read_text())["data"]
            event = next(e for e in events if e["id"] == url.rsplit("/", 2)[-2])
            sample = PROPS_SAMPLE if "player_" in params["markets"] else LINES_SAMPLE
            body = json.loads(sample.read_text())
            # The recording is of another game: re-label it as the requested event.
            body["data"] = copy.deepcopy(body["data"]) | {
                k: event[k] for k in ("id", "commence_time", "home_team", "away_team")
            }
            if self.historical:
                body["timestamp"] = params["date"]
        return Resp(200, body if self.historical else body["data"])


def fetch(tmp_path: Path, transport, **kw):
    args = {"api_key": "test-key", "cache_dir": tmp_path, "transport": transport}
    args |= {"min_interval": 0.0, "backoff": 0.0, "sleep": lambda s: None}
    return fetch_odds_api("2025-03-09", **(args | kw))


@pytest.fixture()
def march9(data):
    eng = new_engine()
    schedule_from_gamelogs(eng, data / "nba_stats" / "schedule_2024_25.csv", 2024)
    yield eng
    eng.close()


def test_odds_api_fetch_historical_files_ingest(march9, tmp_path: Path) -> None:
    transport = Recorded(historical=True)
    got = fetch(tmp_path, transport, historical=True)
    assert got.events == 6 and len(got) == 13 and got.requests == 13
    urls = [u for u, _ in transport.calls]
    assert urls[0] == "https://api.the-odds-api.com/v4/historical/sports/basketball_nba/events"
    assert all("/v4/historical/sports/basketball_nba/events/" in u for u in urls[1:])
    first = transport.calls[1][1]
    assert first["markets"] == "player_points" and first["regions"] == "us"
    assert first["date"] == "2025-03-09T22:11:00Z"  # an hour before the 23:11 UTC tip-off
    assert "480 requests remaining" in got.summary()
    assert all("test-key" not in p.read_text() for p in got)
    _, outcomes = ingest_odds_api(march9, got)
    assert {o.status for o in outcomes} == {"loaded"}
    games = march9.fetchall(
        "SELECT DISTINCT game_id, away_team_abbr, home_team_abbr, minutes_before_tipoff "
        "FROM nba_raw.game_lines ORDER BY 1"
    )
    assert len(games) == 6 and {g[3] for g in games} == {60}
    assert ("0022400926", "DET", "POR", 60) in games


def test_odds_api_fetch_rerun_fetches_nothing(tmp_path: Path, data) -> None:
    first = fetch(tmp_path, Recorded(historical=True), historical=True)
    again = Recorded(historical=True)
    second = fetch(tmp_path, again, historical=True)
    assert again.calls == [] and list(second) == list(first) and second.cached == 13


def test_odds_api_fetch_live_saves_bare_bodies_named_by_time(tmp_path: Path, data) -> None:
    transport = Recorded(historical=False)
    got = fetch(tmp_path, transport)
    assert got.events == 6 and "/v4/sports/basketball_nba/events" in transport.calls[0][0]
    assert transport.calls[0][1]["commenceTimeFrom"] == "2025-03-09T05:00:00Z"
    assert all("date" not in params for _, params in transport.calls)
    assert odds_api._stamp_from_name(got[1].name) is not None
    again = Recorded(historical=False)
    fetch(tmp_path, again)
    assert again.calls == []


def test_odds_api_fetch_retries_timeouts_and_429_with_backoff(tmp_path: Path, data) -> None:
    sleeps: list[float] = []
    script = [requests.Timeout("slow"), Resp(429, "{}"), Resp(503, "{}", {"Retry-After": "7"})]
    transport = Recorded(historical=True, script=script)
    got = fetch(tmp_path, transport, historical=True, backoff=1.0, sleep=sleeps.append)
    assert got.events == 6 and len(transport.calls) == 16
    assert sleeps[:3] == [1.0, 2.0, 7.0]


def test_odds_api_fetch_spaces_requests(tmp_path: Path, data) -> None:
    sleeps: list[float] = []
    fetch(
        tmp_path, Recorded(historical=True), historical=True, min_interval=1.0, sleep=sleeps.append
    )
    assert len(sleeps) == 12 and all(0.9 < s <= 1.0 for s in sleeps)


def test_odds_api_fetch_gives_up_after_retries(tmp_path: Path, data) -> None:
    transport = Recorded(historical=True, script=[Resp(500, "{}")] * 3)
    with pytest.raises(InputError, match=r"failed after 3 attempts \(HTTP 500\)"):
        fetch(tmp_path, transport, historical=True, retries=2)


def test_odds_api_fetch_bad_key_is_one_line(tmp_path: Path) -> None:
    body = {"message": "API key is not valid", "error_code": "INVALID_KEY"}
    with pytest.raises(InputError, match=r"rejected the API key .* check ODDS_API_KEY") as exc:
        fetch(tmp_path, Recorded(historical=True, script=[Resp(401, body)]))
    assert "\n" not in str(exc.value) and "test-key" not in str(exc.value)


def test_odds_api_fetch_quota_exhaustion_is_reported(tmp_path: Path, data) -> None:
    empty = Resp(200, json.loads(EVENTS_SAMPLE.read_text()), {"x-requests-remaining": "0"})
    transport = Recorded(historical=True, script=[empty])
    with pytest.raises(InputError, match=r"quota is exhausted \(x-requests-remaining: 0"):
        fetch(tmp_path, transport, historical=True)
    assert len(transport.calls) == 1  # nothing sent once the quota is gone
    body = {"message": "Usage quota has been reached", "error_code": "OUT_OF_USAGE_CREDITS"}
    with pytest.raises(InputError, match="quota is exhausted"):
        fetch(tmp_path / "b", Recorded(historical=True, script=[Resp(401, body)]))


def test_odds_api_fetch_html_answer_is_an_error(tmp_path: Path) -> None:
    page = Resp(200, "<!DOCTYPE html><html><body>Service Unavailable</body></html>")
    with pytest.raises(InputError, match="not JSON"):
        fetch(tmp_path, Recorded(historical=True, script=[page]))
    assert not list(tmp_path.rglob("*.json"))


def test_odds_api_fetch_without_key_says_how_to_set_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("ODDS_API_KEY", raising=False)
    with pytest.raises(InputError, match="set ODDS_API_KEY"):
        fetch_odds_api("2025-03-09", cache_dir=tmp_path, transport=Recorded(historical=True))


def test_odds_api_refuses_other_sources_files_with_a_pointer(tmp_path: Path) -> None:
    """A team game log given to odds-api was refused for its file name ('cannot tell the
    snapshot time'), which says nothing of what the file is."""
    eng = new_engine()
    logs = tmp_path / "team_gamelogs_2025_26.csv"
    logs.write_text(
        "SEASON_ID,TEAM_ID,TEAM_ABBREVIATION,TEAM_NAME,GAME_ID,GAME_DATE,MATCHUP,WL,MIN,PTS\n"
        "22025,1610612738,BOS,Boston Celtics,0022500001,2025-10-21,BOS vs. NYK,W,240,110\n"
    )
    pbp = tmp_path / "raw_live.json"
    pbp.write_text(
        json.dumps({"game": {"gameId": "0022400001", "actions": [{"actionType": "2pt"}]}})
    )
    _, outcomes = ingest_odds_api(eng, [logs, pbp])
    assert [o.status for o in outcomes] == ["refused", "refused"]
    assert outcomes[0].message == (
        f"{logs}: missing 8 of the columns odds-api reads; it looks like an NBA.com stats file "
        "(game logs, shot chart, box score or PlayByPlayV3): ingest it with "
        "`nbapipe ingest nba-stats`"
    )
    assert outcomes[1].message.endswith("ingest it with `nbapipe ingest nbacom-pbp`")
    eng.close()


def test_odds_api_live_force_reingests_fetched_files(tmp_path: Path, monkeypatch) -> None:
    """``ingest odds-api --live --force`` dropped --force: cached responses stayed
    'unchanged'."""
    from nbapipe import api

    f = tmp_path / "raw_20251021_170000.csv"
    f.write_text(HEADER + csv_row())

    def fetched(day, **kwargs):
        files = odds_api.FetchedFiles(day)
        files.append(f)
        return files

    monkeypatch.setattr(odds_api, "fetch_odds_api", fetched)
    wh = tmp_path / "w.duckdb"
    api.init(wh)
    eng = DuckDBEngine(wh)
    eng.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES ('0022500001', DATE '2025-10-21', 2025, 'OKC', 'HOU', "
        "'test')"
    )
    eng.close()
    first = api.fetch_odds_api("2025-10-21", cache=tmp_path, warehouse=wh)
    again = api.fetch_odds_api("2025-10-21", cache=tmp_path, warehouse=wh)
    forced = api.fetch_odds_api("2025-10-21", cache=tmp_path, warehouse=wh, force=True)
    statuses = [r.ingest.files[0].status for r in (first, again, forced)]
    assert statuses == ["loaded", "unchanged", "loaded"]


def test_odds_api_props_for_unscheduled_games_load_once_the_schedule_has_them(
    okc, tmp_path: Path
) -> None:
    """Props ingested before their game's schedule were rejected ('no scheduled game for POR
    @ UTA on ...') and the file stayed 'unchanged' after the schedule came: only --force
    loaded them."""
    por_uta = csv_row(game="Portland Trail Blazers @ Utah Jazz", player="Lauri Markkanen")
    outcome, rejects = ingest_rows(okc, tmp_path, por_uta)
    assert (outcome.rows_written, outcome.rows_rejected) == (1, 1)
    assert rejects[0][2] == "no scheduled game for POR @ UTA on 2025-10-21"
    f = tmp_path / "raw_20251021_170000.csv"
    assert ingest_odds_api(okc, [f])[1][0].status == "unchanged"
    okc.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES ('0022500002', DATE '2025-10-21', 2025, 'UTA', 'POR', "
        "'test')"
    )
    _, outcomes = ingest_odds_api(okc, [f])
    assert [(o.status, o.retried, o.rows_written, o.rows_rejected) for o in outcomes] == [
        ("loaded", True, 2, 0)
    ]
    assert one(okc, "SELECT count(*) FROM nba_raw.player_props WHERE game_id = '0022500002'") == 1
    assert ingest_odds_api(okc, [f])[1][0].status == "unchanged"


# -- names the registry learns later --------------------------------------------------------


def test_prop_names_resolve_once_the_registry_learns_the_player(okc, tmp_path: Path) -> None:
    """Lines ingested before a player's first box score kept his name key ('derrickjones')
    and stayed in registry_failures after the box score registered 'Derrick Jones Jr.'."""
    outcome, _ = ingest_rows(okc, tmp_path, csv_row(player="Derrick Jones"))
    assert outcome.rows_written == 2
    lookup_sql = "SELECT player_lookup FROM nba_raw.player_props WHERE player_name = ?"
    assert okc.fetchone(lookup_sql, ["Derrick Jones"]) == ("derrickjones",)
    assert one(okc, "SELECT count(*) FROM nba_processing.registry_failures") == 1
    assert registry.reresolve_stored(okc) == registry.Reresolved(0, 0)  # nothing new yet
    registry.register_players(
        okc,
        "SELECT 'Derrick Jones Jr.' AS player_name, 'derrickjonesjr' AS player_lookup, "
        "1627884 AS nba_player_id, DATE '2025-10-21' AS game_date",
        source="test",
    )
    assert registry.reresolve_stored(okc) == registry.Reresolved(1, 1)
    assert okc.fetchone(lookup_sql, ["Derrick Jones"]) == ("derrickjonesjr",)
    assert one(okc, "SELECT count(*) FROM nba_processing.registry_failures") == 0
    # learnt as a first read would have: an alias in the name of the source that used it
    assert okc.fetchone(
        "SELECT universal_player_id, reason, source FROM nba_reference.player_aliases "
        "WHERE alias_lookup = 'derrickjones'"
    ) == ("derrickjonesjr_001", "suffix", "odds_api")
    assert registry.reresolve_stored(okc) == registry.Reresolved(0, 0)


def test_a_manual_alias_resolves_stored_prop_rows(okc, tmp_path: Path) -> None:
    """A name no rule matches ('SGA') resolves once an alias names the player."""
    ingest_rows(okc, tmp_path, csv_row(player="SGA"))
    assert one(okc, "SELECT count(*) FROM nba_processing.registry_failures") == 1
    done = registry.add_alias(okc, "SGA", "shaigilgeousalexander_001")
    assert done == registry.AliasResult(registry.Reresolved(1, 1), [])
    assert okc.fetchall("SELECT DISTINCT player_lookup FROM nba_raw.player_props ORDER BY 1") == [
        ("shaigilgeousalexander",)
    ]
    assert one(okc, "SELECT count(*) FROM nba_processing.registry_failures") == 0


def test_props_and_failures_do_not_depend_on_ingest_order(data, tmp_path: Path) -> None:
    """The 16 real snapshots ingested before the player logs that register their players end
    in the same rows, failures and aliases as when ingested after them."""
    found = ingest_in_both_orders(
        tmp_path,
        ("odds-api", [POINTS]),
        ("nba-stats", [data / "nba_stats" / "player_gamelogs_2025_26.csv"]),
        [
            "SELECT game_id, snapshot_timestamp, bookmaker, market, player_name, "
            "player_lookup, points_line FROM nba_raw.player_props ORDER BY ALL",
            "SELECT source, player_name, player_lookup, game_date, team_abbr, context, "
            "reason, occurrences FROM nba_processing.registry_failures ORDER BY ALL",
            "SELECT * FROM nba_reference.player_aliases ORDER BY ALL",
        ],
        before=("nba-stats", [data / "nba_stats" / "team_gamelogs_2025_26.csv"]),
    )
    props, late = found["summaries"]
    # distinct names over the 16 files (each file counted its own: 1,782)
    assert props.unresolved_names == 295
    # measured: 240 of the 295 names resolve once the logs register their players;
    # 1,142 rows of names a rule matches ('Derrick Jones', 'Nicolas Claxton') change
    assert (late.names_resolved, late.rows_resolved) == (240, 1142)
    assert found["first"] == found["second"]
    assert len(found["second"][1]) == 269  # names of players the logs do not cover


def test_a_file_read_again_logs_only_the_names_it_uses_now(okc, tmp_path: Path) -> None:
    """A corrected file kept the registry_failures rows of names its earlier version used."""
    ingest_rows(okc, tmp_path, csv_row(player="Typo Namme"))
    assert okc.fetchall("SELECT player_name FROM nba_processing.registry_failures") == [
        ("Typo Namme",)
    ]
    ingest_rows(okc, tmp_path, csv_row(player="Other Typo"))
    assert okc.fetchall("SELECT player_name FROM nba_processing.registry_failures") == [
        ("Other Typo",)
    ]
    ingest_rows(okc, tmp_path)  # only the registry's player now
    assert one(okc, "SELECT count(*) FROM nba_processing.registry_failures") == 0
