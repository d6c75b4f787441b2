"""NBA.com liveData play-by-play adapter: the two legacy samples and bad input."""

from __future__ import annotations

import copy
import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from conftest import SHARED_DATA, count, ingest_in_both_orders, pbp
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.sources.bigdataball import eastern_date, eastern_date_by_rule
from nbapipe.sources.nbacom_pbp import ingest_nbacom_pbp
from nbapipe.warehouse import migrate

DATA = SHARED_DATA
SAMPLES = DATA / "legacy_samples" / "nbac_play_by_play"
TEAM_LOGS = DATA / "nba_stats" / "team_gamelogs_2024_25.csv"


@pytest.fixture(scope="module")
def data_dir(shared_data: Path) -> Path:
    return shared_data


@pytest.fixture(scope="module")
def samples(data_dir):
    """A warehouse holding both ingested liveData samples, and the samples' JSON."""
    eng = DuckDBEngine(":memory:")
    migrate(eng)
    paths = sorted(SAMPLES.glob("*.json.gz"))
    summary, outcomes = ingest_nbacom_pbp(eng, paths)
    docs = {}
    for path in paths:
        doc = json.loads(gzip.decompress(path.read_bytes()))
        docs[doc["game"]["gameId"]] = doc
    yield eng, summary, outcomes, docs
    eng.close()


def action(number: int, action_type: str, **values: object) -> dict:
    """A liveData action of toy game 0022400001 (NYK at BOS)."""
    return {
        "actionNumber": number,
        "orderNumber": number * 10000,
        "clock": "PT11M00.00S",
        "timeActual": "2024-10-22T23:40:00.0Z",
        "period": 1,
        "actionType": action_type,
        "subType": "",
        "qualifiers": [],
        "personId": 0,
        "scoreHome": "0",
        "scoreAway": "0",
        **values,
    }


def player(person_id: int, name: str, team: str) -> dict:
    return {
        "personId": person_id,
        "playerName": name.split(". ")[-1],
        "playerNameI": name,
        "teamTricode": team,
    }


TATUM, BROWN = player(1, "J. Tatum", "BOS"), player(2, "J. Brown", "BOS")
BRUNSON, HART = player(11, "J. Brunson", "NYK"), player(12, "J. Hart", "NYK")


def toy_actions() -> list[dict]:
    return [
        action(2, "period", subType="start", clock="PT12M00.00S", timeActual="2024-10-22T23:38Z"),
        action(
            3,
            "3pt",
            subType="Jump Shot",
            shotResult="Made",
            shotDistance=25.1,
            xLegacy=-150,
            yLegacy=195,
            assistPersonId=2,
            assistPlayerNameInitial="J. Brown",
            scoreHome="3",
            **TATUM,
        ),
        action(
            4,
            "2pt",
            subType="Layup",
            descriptor="driving",
            shotResult="Missed",
            shotDistance=1.5,
            xLegacy=10,
            yLegacy=11,
            blockPersonId=1,
            blockPlayerName="Tatum",
            scoreHome="3",
            **BRUNSON,
        ),
        action(5, "block", scoreHome="3", **TATUM),
        action(
            6,
            "turnover",
            subType="bad pass",
            stealPersonId=2,
            stealPlayerName="Brown",
            scoreHome="3",
            **HART,
        ),
        action(7, "steal", scoreHome="3", **BROWN),
        action(
            8,
            "foul",
            subType="personal",
            descriptor="shooting",
            foulDrawnPersonId=12,
            foulDrawnPlayerName="Hart",
            scoreHome="3",
            **BROWN,
        ),
        action(
            9,
            "freethrow",
            subType="1 of 1",
            shotResult="Made",
            scoreHome="3",
            scoreAway="1",
            **HART,
        ),
        action(10, "game", subType="end", clock="PT00M00.00S", scoreHome="3", scoreAway="1"),
    ]


def write_game(path: Path, actions: list[dict], game_id: str = "0022400001") -> Path:
    doc = {"meta": {"version": 1}, "game": {"gameId": game_id, "actions": actions}}
    data = json.dumps(doc).encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


# -- the real liveData samples ---------------------------------------------------------------

TEAM_TOTALS = """
SELECT game_id, team_abbr,
    count(*) FILTER (WHERE event_type = 'shot') AS fga,
    count(*) FILTER (WHERE event_type = 'shot' AND shot_made) AS fgm,
    count(*) FILTER (WHERE shot_type = '3PT') AS fg3a,
    count(*) FILTER (WHERE shot_type = '3PT' AND shot_made) AS fg3m,
    count(*) FILTER (WHERE shot_type = 'FT') AS fta,
    count(*) FILTER (WHERE shot_type = 'FT' AND shot_made) AS ftm,
    sum(points_scored) AS pts,
    count(*) FILTER (WHERE event_type = 'turnover' AND player_1_name IS NOT NULL) AS tov
FROM nba_raw.play_by_play WHERE team_abbr IS NOT NULL
GROUP BY ALL ORDER BY ALL
"""
SECONDARY = """
SELECT game_id, player_2_team_abbr,
    count(*) FILTER (WHERE player_2_role = 'assist') AS ast,
    count(*) FILTER (WHERE player_2_role = 'block') AS blk,
    count(*) FILTER (WHERE player_2_role = 'steal') AS stl
FROM nba_raw.play_by_play WHERE player_2_team_abbr IS NOT NULL
GROUP BY ALL ORDER BY ALL
"""


@pytest.mark.realdata
def test_nbacom_pbp_samples_points_equal_final_score(samples) -> None:
    eng, _, outcomes, docs = samples
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    teams = {
        r[0]: (r[1], r[2])
        for r in eng.fetchall(
            "SELECT DISTINCT game_id, home_team_abbr, away_team_abbr FROM nba_raw.play_by_play"
        )
    }
    totals = {r[:2]: r[2:] for r in eng.fetchall(TEAM_TOTALS)}
    assists = {r[:2]: r[2] for r in eng.fetchall(SECONDARY)}
    assert len(totals) == 4
    for (game_id, team), (fga, fgm, fg3a, fg3m, fta, ftm, pts, _) in totals.items():
        last = docs[game_id]["game"]["actions"][-1]
        final = int(last["scoreHome"] if team == teams[game_id][0] else last["scoreAway"])
        assert pts == 2 * fgm + fg3m + ftm == final, (game_id, team)
        assert fgm <= fga and fg3m <= fg3a <= fga and ftm <= fta
        assert assists[game_id, team] <= fgm


@pytest.mark.realdata
def test_nbacom_pbp_samples_equal_team_box_scores(samples) -> None:
    eng, *_ = samples
    ref = eng.fetchall(
        f"""
        SELECT lpad(CAST(GAME_ID AS VARCHAR), 10, '0'), TEAM_ABBREVIATION,
            FGA, FGM, FG3A, FG3M, FTA, FTM, PTS, TOV, AST, BLK, STL
        FROM read_csv('{TEAM_LOGS}')
        WHERE lpad(CAST(GAME_ID AS VARCHAR), 10, '0') IN ('0022400500', '0022400561')
        ORDER BY 1, 2
        """
    )
    secondary = {r[:2]: r[2:] for r in eng.fetchall(SECONDARY)}
    mine = [r + secondary[r[:2]] for r in eng.fetchall(TEAM_TOTALS)]
    assert mine == ref
    # Measured: LAC at MIN 106-108, NYK at PHI 125-119 (overtime).
    assert [(r[1], r[8]) for r in mine] == [("LAC", 106), ("MIN", 108), ("NYK", 125), ("PHI", 119)]


@pytest.mark.realdata
def test_nbacom_pbp_samples_dates_and_home_teams_from_the_file(samples) -> None:
    eng, *_ = samples
    rows = eng.fetchall(
        "SELECT DISTINCT game_id, CAST(game_date AS VARCHAR), season_year, home_team_abbr, "
        "away_team_abbr FROM nba_raw.play_by_play ORDER BY 1"
    )
    # Tip-offs at 01:10 and 00:13 UTC are the evening before in US/Eastern.
    assert rows == [
        ("0022400500", "2025-01-06", 2024, "MIN", "LAC"),
        ("0022400561", "2025-01-15", 2024, "PHI", "NYK"),
    ]


@pytest.mark.realdata
def test_nbacom_pbp_samples_block_and_steal_actions_fold_into_shots(samples) -> None:
    eng, summary, _, docs = samples
    for game_id, doc in docs.items():
        actions = doc["game"]["actions"]
        kinds = [a["actionType"] for a in actions]
        got = eng.fetchone(
            "SELECT count(*) FILTER (WHERE player_2_role = 'block' AND event_type = 'shot'), "
            "count(*) FILTER (WHERE player_2_role = 'steal' AND event_type = 'turnover'), "
            "count(*) FROM nba_raw.play_by_play WHERE game_id = ?",
            [game_id],
        )
        blocks, steals = kinds.count("block"), kinds.count("steal")
        assert got == (blocks, steals, len(actions) - blocks - steals)
    # Measured: 571 + 506 actions; 15 + 5 blocks and 15 + 18 steals folded away.
    assert (summary.rows_in, summary.rows_written, summary.rows_rejected) == (1077, 1024, 0)
    types = eng.fetchall("SELECT DISTINCT event_type FROM nba_raw.play_by_play ORDER BY 1")
    assert [t[0] for t in types] == [
        "foul",
        "free throw",
        "jump ball",
        "period",
        "rebound",
        "shot",
        "substitution",
        "timeout",
        "turnover",
        "violation",
    ]


@pytest.mark.realdata
def test_nbacom_pbp_samples_names_are_initial_forms_with_person_ids(samples) -> None:
    eng, *_ = samples
    row = pbp(
        eng,
        "player_1_name, player_1_id, player_1_lookup, shot_x, shot_y, shot_distance",
        "game_id = '0022400500' AND event_id = 12",
    )
    assert row == [("J. Randle", 203944, None, -97.0, 17.0, 9.83)]
    # The blocker's name comes from his own actions, not the last-name-only block field.
    assert pbp(eng, "DISTINCT player_2_name", "player_2_id = 1630173") == [("P. Achiuwa",)]


# -- toy files: rules ------------------------------------------------------------------------


def test_nbacom_pbp_secondary_players_roles_and_teams(engine, tmp_path: Path) -> None:
    _, outcomes = ingest_nbacom_pbp(engine, [write_game(tmp_path / "g.json.gz", toy_actions())])
    assert outcomes[0].status == "loaded" and outcomes[0].rows_written == 7
    assert pbp(engine, "DISTINCT home_team_abbr, away_team_abbr, CAST(game_date AS VARCHAR)") == [
        ("BOS", "NYK", "2024-10-22")
    ]
    rows = pbp(
        engine,
        "event_type, event_subtype, team_abbr, player_1_name, player_2_name, player_2_id, "
        "player_2_role, player_2_team_abbr, shot_made, shot_type, points_scored",
        "event_type <> 'period'",
    )
    assert rows == [
        ("shot", "jump shot", "BOS", "J. Tatum", "J. Brown", 2, "assist", "BOS", True, "3PT", 3),
        (
            "shot",
            "driving layup",
            "NYK",
            "J. Brunson",
            "J. Tatum",
            1,
            "block",
            "BOS",
            False,
            "2PT",
            0,
        ),
        ("turnover", "bad pass", "NYK", "J. Hart", "J. Brown", 2, "steal", "BOS", None, None, None),
        (
            "foul",
            "personal shooting",
            "BOS",
            "J. Brown",
            "J. Hart",
            12,
            "fouled",
            "NYK",
            None,
            None,
            None,
        ),
        (
            "free throw",
            "free throw 1 of 1",
            "NYK",
            "J. Hart",
            None,
            None,
            None,
            None,
            True,
            "FT",
            1,
        ),
    ]


def test_nbacom_pbp_location_field_decides_home(engine, tmp_path: Path) -> None:
    # Scores say BOS is home; a 'location' field, where present, is the file's own answer.
    actions = [
        a | {"location": {"BOS": "v", "NYK": "h"}[a["teamTricode"]]} if "teamTricode" in a else a
        for a in toy_actions()
    ]
    ingest_nbacom_pbp(engine, [write_game(tmp_path / "g.json", actions)])
    assert pbp(engine, "DISTINCT home_team_abbr, away_team_abbr") == [("NYK", "BOS")]


def test_nbacom_pbp_home_from_schedule_when_file_cannot_tell(engine, tmp_path: Path) -> None:
    # No points scored: nothing in the file tells home from away.
    actions = [
        a | {"shotResult": "Missed", "scoreHome": "0", "scoreAway": "0"} for a in toy_actions()
    ]
    f = write_game(tmp_path / "g.json", actions)
    ingest_nbacom_pbp(engine, [f])
    assert pbp(engine, "DISTINCT home_team_abbr, away_team_abbr") == [(None, None)]
    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES ('0022400001', DATE '2024-10-22', 2024, 'BOS', 'NYK', 's')"
    )
    ingest_nbacom_pbp(engine, [f], force=True)
    assert pbp(engine, "DISTINCT home_team_abbr, away_team_abbr") == [("BOS", "NYK")]


def test_nbacom_pbp_person_ids_resolve_through_registry(engine, tmp_path: Path) -> None:
    engine.execute(
        "INSERT INTO nba_reference.nba_players_registry (universal_player_id, player_lookup, "
        "player_name, nba_player_id) VALUES ('jaysontatum_001', 'jaysontatum', 'Jayson Tatum', 1)"
    )
    ingest_nbacom_pbp(engine, [write_game(tmp_path / "g.json", toy_actions())])
    assert pbp(engine, "DISTINCT player_1_lookup", "player_1_id = 1") == [("jaysontatum",)]
    assert pbp(engine, "DISTINCT player_2_lookup", "player_2_id = 1") == [("jaysontatum",)]
    # Unknown ids keep no lookup (an initial is not a name) and are logged.
    assert pbp(engine, "DISTINCT player_1_lookup", "player_1_id = 11") == [(None,)]
    failed = engine.fetchall("SELECT player_name FROM nba_processing.registry_failures ORDER BY 1")
    assert failed == [("J. Brown",), ("J. Brunson",), ("J. Hart",)]


def test_nbacom_pbp_unlinked_block_action_is_quarantined(engine, tmp_path: Path) -> None:
    actions = toy_actions()
    actions[3]["clock"] = "PT05M00.00S"  # the block no longer sits at the blocked shot
    _, outcomes = ingest_nbacom_pbp(engine, [write_game(tmp_path / "g.json", actions)])
    assert (outcomes[0].rows_written, outcomes[0].rows_rejected) == (7, 1)
    assert engine.fetchall(
        "SELECT row_number, column_name, reason FROM nba_processing.ingest_rejects"
    ) == [(4, "actionType", "no shot or turnover at this moment names this block or steal")]


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.realdata
def test_nbacom_pbp_duplicate_action_number_refuses_file(data_dir, engine, tmp_path) -> None:
    src = sorted(SAMPLES.glob("*.json.gz"))
    doc = json.loads(gzip.decompress(src[1].read_bytes()))
    doc["game"]["actions"][40]["actionNumber"] = doc["game"]["actions"][39]["actionNumber"]
    dup_id = doc["game"]["actions"][39]["actionNumber"]
    bad = tmp_path / "dup.json.gz"
    bad.write_bytes(gzip.compress(json.dumps(doc).encode()))
    _, outcomes = ingest_nbacom_pbp(engine, [src[0], bad])
    assert [o.status for o in outcomes] == ["loaded", "refused"]
    assert outcomes[1].message == f"{bad}: duplicate actionNumber {dup_id} (actions 40 and 41)"
    assert pbp(engine, "DISTINCT game_id") == [("0022400500",)] and count(engine) == 541


@pytest.mark.realdata
def test_nbacom_pbp_truncated_gzip_refuses_file(data_dir, engine, tmp_path) -> None:
    src = sorted(SAMPLES.glob("*.json.gz"))
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(src[1].read_bytes()[:5000])
    _, outcomes = ingest_nbacom_pbp(engine, [src[0], cut])
    assert [o.status for o in outcomes] == ["loaded", "refused"]
    assert outcomes[1].message.startswith(f"{cut}: not a readable gzip file")
    assert count(engine) == 541
    _, again = ingest_nbacom_pbp(engine, [src[0], cut])
    assert [o.status for o in again] == ["unchanged", "refused"] and count(engine) == 541


def test_nbacom_pbp_html_page_refuses_file(engine, tmp_path: Path) -> None:
    f = tmp_path / "page.json.gz"
    f.write_bytes(gzip.compress(b"<html><head><title>403 Forbidden</title></head></html>"))
    _, outcomes = ingest_nbacom_pbp(engine, [f])
    assert outcomes[0].status == "refused" and "HTML page" in outcomes[0].message
    assert count(engine) == 0


def test_nbacom_pbp_wrong_json_shape_refuses_file(engine, tmp_path: Path) -> None:
    f = tmp_path / "box.json"
    f.write_text(json.dumps({"meta": {}, "game": {"gameId": "0022400001", "homeTeam": {}}}))
    g = tmp_path / "broken.json"
    g.write_text('{"game": {"actions": [')
    _, outcomes = ingest_nbacom_pbp(engine, [f, g])
    assert [o.message for o in outcomes] == [
        f"{f}: not NBA.com liveData play-by-play (expected game.actions, a list of objects)",
        f"{g}: not valid JSON (line 1, column 23)",
    ]
    assert count(engine) == 0


def test_nbacom_pbp_non_numeric_shot_distance_rejects_only_that_row(engine, tmp_path: Path) -> None:
    actions = toy_actions()
    actions[2]["shotDistance"] = "1.5ft"
    _, outcomes = ingest_nbacom_pbp(engine, [write_game(tmp_path / "g.json", actions)])
    assert (outcomes[0].status, outcomes[0].rows_written, outcomes[0].rows_rejected) == (
        "loaded",
        6,
        1,
    )
    assert engine.fetchall(
        "SELECT row_number, column_name, reason, raw_text FROM nba_processing.ingest_rejects"
    ) == [(3, "shot_distance", "not a valid double", "1.5ft")]


def test_nbacom_pbp_game_unknown_to_schedule_is_rejected(engine, tmp_path: Path) -> None:
    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES ('0022400005', DATE '2024-10-22', 2024, 'LAL', 'MIN', 's')"
    )
    _, outcomes = ingest_nbacom_pbp(engine, [write_game(tmp_path / "g.json", toy_actions())])
    assert (outcomes[0].rows_written, outcomes[0].rows_rejected) == (0, 7)
    assert engine.fetchall("SELECT DISTINCT reason FROM nba_processing.ingest_rejects") == [
        ("game 0022400001 is not in the schedule for 2024-10-22",)
    ]


def test_nbacom_pbp_hostile_player_name_is_stored_as_data(engine, tmp_path: Path) -> None:
    evil = "R. O'Neal'); DROP TABLE nba_raw.play_by_play; --"
    actions = copy.deepcopy(toy_actions())
    actions[1]["playerNameI"] = evil
    _, outcomes = ingest_nbacom_pbp(engine, [write_game(tmp_path / "g.json", actions)])
    assert outcomes[0].status == "loaded"
    assert pbp(engine, "player_1_name", "event_id = 3") == [(evil,)]
    assert engine.fetchone(
        "SELECT count(*) FROM nba_processing.registry_failures WHERE player_name = ?", [evil]
    ) == (1,)


def test_nbacom_pbp_eastern_date_rule_matches_time_zone_database() -> None:
    # Late tip-offs around both daylight-time switches, where the UTC date is the next day.
    stamps = [
        dt.datetime(y, m, d, h, mi)
        for y in (2024, 2025)
        for m, d in ((3, 9), (3, 10), (3, 11), (11, 2), (11, 3), (11, 4), (1, 15), (6, 22))
        for h, mi in ((0, 0), (3, 59), (4, 0), (4, 59), (5, 0), (6, 0), (7, 0), (23, 30))
    ]
    assert [eastern_date_by_rule(s) for s in stamps] == [eastern_date(s) for s in stamps]


def test_nbacom_pbp_game_without_time_actual_is_dated_by_schedule(engine, tmp_path: Path) -> None:
    actions = [{k: v for k, v in a.items() if k != "timeActual"} for a in toy_actions()]
    f = write_game(tmp_path / "g.json", actions)
    _, outcomes = ingest_nbacom_pbp(engine, [f])
    assert outcomes[0].status == "refused"
    assert outcomes[0].message == (
        f"{f}: no action has a timeActual and the schedule does not know game 0022400001: "
        "cannot date the game"
    )
    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES ('0022400001', DATE '2024-10-23', 2024, 'BOS', 'NYK', 's')"
    )
    ingest_nbacom_pbp(engine, [f])
    assert pbp(engine, "DISTINCT CAST(game_date AS VARCHAR)") == [("2024-10-23",)]


def test_nbacom_pbp_refuses_playbyplayv3_with_a_pointer(engine, tmp_path: Path) -> None:
    """PlayByPlayV3 has liveData's shape (game.actions) but its own action types ('Made
    Shot', 'Free Throw'): read here, most of its actions were quarantined."""
    v3 = [
        {"actionNumber": 4, "clock": "PT12M00.00S", "period": 1, "actionType": "Jump Ball",
         "teamTricode": "BOS", "personId": 1, "actionId": 1},
        {"actionNumber": 7, "clock": "PT11M41.00S", "period": 1, "actionType": "Made Shot",
         "subType": "Jump Shot", "teamTricode": "BOS", "personId": 1, "shotResult": "Made",
         "actionId": 2, "shotValue": 3},
    ]  # fmt: skip
    path = write_game(tmp_path / "PlayByPlayV3.json", v3)
    _, outcomes = ingest_nbacom_pbp(engine, [path])
    assert outcomes[0].status == "refused"
    assert "PlayByPlayV3" in outcomes[0].message
    assert outcomes[0].message.endswith("ingest it with `nbapipe ingest nba-stats`")
    assert count(engine) == 0


def test_nbacom_pbp_names_the_source_of_a_stats_or_odds_file(engine, tmp_path: Path) -> None:
    box = tmp_path / "box.json"
    box.write_text(json.dumps({"resource": "boxscore", "resultSets": []}))
    odds = tmp_path / "odds.json"
    odds.write_text(json.dumps({"timestamp": "2024-01-25T03:55:40Z", "data": []}))
    _, outcomes = ingest_nbacom_pbp(engine, [box, odds])
    assert outcomes[0].message.endswith("ingest it with `nbapipe ingest nba-stats`")
    assert outcomes[1].message.endswith("ingest it with `nbapipe ingest odds-api`")


def test_nbacom_pbp_read_before_the_game_logs_ends_as_after_them(data_dir, tmp_path) -> None:
    """Play-by-play read before the 2024-25 logs registered its players kept no lookups for
    good (short names such as "J. Harden" never resolve by name): the logs' ingest now gives
    its rows their players by person id, as a read after them does."""
    logs = [
        DATA / "nba_stats" / n for n in ("team_gamelogs_2024_25.csv", "player_gamelogs_2024_25.csv")
    ]
    found = ingest_in_both_orders(
        tmp_path,
        ("nbacom-pbp", [SAMPLES]),
        ("nba-stats", logs),
        [
            "SELECT game_id, event_id, player_1_lookup, player_2_lookup "
            "FROM nba_raw.play_by_play ORDER BY ALL",
            "SELECT source, player_name, player_lookup, game_date, reason "
            "FROM nba_processing.registry_failures ORDER BY ALL",
        ],
    )
    assert found["first"] == found["second"]
    # measured: 857 of the 946 rows naming a player have his lookup
    assert sum(r[2] is not None for r in found["second"][0]) == 857
