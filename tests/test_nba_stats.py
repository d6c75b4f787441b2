"""The NBA.com stats adapter: real season files, real API recordings, and bad input."""

from __future__ import annotations

import datetime as dt
import json
import time
import zipfile
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.sources import files
from nbapipe.sources.nba_stats import NbaStatsFiles, ingest_nba_stats
from nbapipe.warehouse import migrate

DATA = SHARED_DATA
GAME = "0022200552"  # CHI at CLE, 2023-01-02: Mitchell's 71 points, one overtime
RAW_TABLES = ("schedule", "team_boxscores", "player_boxscores", "play_by_play")


@pytest.fixture(scope="module")
def data(shared_data: Path) -> Path:
    return shared_data


def one(engine: DuckDBEngine, sql: str, params=None):
    return engine.fetchone(sql, params)[0]


def snapshot(engine: DuckDBEngine) -> dict[str, list]:
    return {
        t: engine.fetchall(f"SELECT * EXCLUDE (ingest_run_id) FROM nba_raw.{t} ORDER BY ALL")
        for t in RAW_TABLES
    }


def add_schedule_row(engine: DuckDBEngine, game_id=GAME, day="2023-01-02", home="CLE", away="CHI"):
    """Box-score and play-by-play responses carry no date: the schedule supplies it."""
    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES (?, CAST(? AS DATE), 2022, ?, ?, 'test')",
        [game_id, day, home, away],
    )


def rejects(engine: DuckDBEngine) -> list[tuple]:
    return engine.fetchall(
        "SELECT row_number, column_name, reason, raw_text FROM nba_processing.ingest_rejects "
        "ORDER BY source_file, row_number, column_name"
    )


# -- the 2024-25 season from the real files ---------------------------------------------------


@pytest.fixture(scope="module")
def season(data: Path):
    eng = DuckDBEngine(":memory:")
    migrate(eng)
    folder = data / "nba_stats"
    paths = [
        folder / "shots_2024_25.csv.zip",
        folder / "player_gamelogs_2024_25.csv",
        folder / "team_gamelogs_2024_25.csv",
        folder / "schedule_2024_25.csv",
    ]
    started = time.perf_counter()
    summary, outcomes = ingest_nba_stats(eng, paths)
    seconds = time.perf_counter() - started
    print(f"\n2024-25 season (4 files, {summary.rows_in:,} rows) ingested in {seconds:.1f} s")
    yield eng, outcomes, seconds
    eng.close()


@pytest.mark.realdata
@pytest.mark.slow
def test_nba_stats_season_files_load_in_dependency_order_within_seconds(season) -> None:
    eng, outcomes, seconds = season
    assert [Path(o.file.split("!")[0]).name for o in outcomes] == [
        "schedule_2024_25.csv",
        "team_gamelogs_2024_25.csv",
        "player_gamelogs_2024_25.csv",
        "shots_2024_25.csv.zip",
    ]
    assert all(o.status == "loaded" for o in outcomes)
    assert one(eng, "SELECT count(*) FROM nba_raw.play_by_play") == 219_527
    assert one(eng, "SELECT count(*) FROM nba_raw.player_boxscores") == 22_124
    assert seconds < 60


@pytest.mark.realdata
@pytest.mark.slow
def test_nba_stats_season_team_shots_equal_team_box_scores(season) -> None:
    eng = season[0]
    total, agree = eng.fetchone(
        """
        WITH shots AS (
            SELECT game_id, team_abbr, count(*) AS fga, count(*) FILTER (WHERE shot_made) AS fgm
            FROM nba_raw.play_by_play GROUP BY ALL
        )
        SELECT count(*), count(*) FILTER (WHERE s.fga = t.field_goals_attempted
                                            AND s.fgm = t.field_goals_made)
        FROM nba_raw.team_boxscores t
        JOIN nba_raw.schedule g USING (game_id)
        LEFT JOIN shots s USING (game_id, team_abbr)
        WHERE g.season_type = 'Regular Season'
        """
    )
    assert (total, agree) == (2460, 2460)


@pytest.mark.realdata
@pytest.mark.slow
def test_nba_stats_season_player_shots_equal_player_game_logs(season) -> None:
    eng = season[0]
    total, agree = eng.fetchone(
        """
        WITH shots AS (
            SELECT game_id, player_1_id AS pid, count(*) AS fga,
                   count(*) FILTER (WHERE shot_made) AS fgm,
                   count(*) FILTER (WHERE shot_type = '3PT') AS fg3a
            FROM nba_raw.play_by_play GROUP BY ALL
        )
        SELECT count(*), count(*) FILTER (WHERE s.fga = b.field_goals_attempted
            AND s.fgm = b.field_goals_made AND s.fg3a = b.three_pointers_attempted)
        FROM nba_raw.player_boxscores b
        JOIN shots s ON s.game_id = b.game_id AND s.pid = b.nba_player_id
        """
    )
    assert (total, agree) == (21_124, 21_124)
    # Every game-log row found its scheduled game (the logs carry no game id).
    assert one(eng, "SELECT count(*) FROM nba_raw.player_boxscores WHERE game_id IS NULL") == 0


@pytest.mark.realdata
@pytest.mark.slow
def test_nba_stats_season_shot_spots_are_in_api_units(season) -> None:
    eng = season[0]
    # Shot-chart API rule: distance in feet = floor(hypot(x, y) / 10), basket at (0, 0).
    bad = one(
        eng,
        "SELECT count(*) FROM nba_raw.play_by_play "
        "WHERE floor(sqrt(shot_x * shot_x + shot_y * shot_y) / 10) <> shot_distance",
    )
    assert bad == 0
    # "Left Side" corner threes sit at negative x in API units, as ShotChartDetail has them.
    left = eng.fetchone(
        "SELECT max(shot_x) FROM nba_raw.play_by_play WHERE source_zone = 'Left Corner 3'"
    )[0]
    assert left < 0


@pytest.mark.realdata
@pytest.mark.slow
def test_nba_stats_season_schedule_takes_home_team_from_the_matchup(season) -> None:
    eng = season[0]
    # Paris, 2025-01-23: NBA.com writes both team rows as "SAS @ IND"; IND was at home.
    row = eng.fetchone(
        "SELECT home_team_abbr, away_team_abbr, home_team_score, away_team_score, "
        "winning_team_abbr, legacy_game_id FROM nba_raw.schedule WHERE game_id = '0022400621'"
    )
    assert row == ("IND", "SAS", 110, 140, "SAS", "20250123_SAS_IND")
    kinds = dict(eng.fetchall("SELECT season_type, count(*) FROM nba_raw.schedule GROUP BY 1"))
    assert kinds["Regular Season"] == 1230 and kinds["Play-In"] == 6 and kinds["Playoffs"] == 84


# -- one game from the API recordings ---------------------------------------------------------


@pytest.fixture(scope="module")
def game(data: Path):
    eng = DuckDBEngine(":memory:")
    migrate(eng)
    add_schedule_row(eng)
    rec = data / "nba_api_recordings"
    # Play-by-play first on purpose: the box score must still load first (sort_key).
    _, outcomes = ingest_nba_stats(
        eng, [rec / "PlayByPlayV3.json", rec / "BoxScoreTraditionalV3.json"]
    )
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    yield eng
    eng.close()


PBP_VS_BOX = """
WITH p1 AS (
    SELECT player_1_id AS pid,
           count(*) FILTER (WHERE event_type = 'shot') AS fga,
           count(*) FILTER (WHERE event_type = 'shot' AND shot_made) AS fgm,
           count(*) FILTER (WHERE shot_type = '3PT') AS fg3a,
           count(*) FILTER (WHERE shot_type = '3PT' AND shot_made) AS fg3m,
           count(*) FILTER (WHERE event_type = 'free throw') AS fta,
           count(*) FILTER (WHERE event_type = 'free throw' AND shot_made) AS ftm,
           count(*) FILTER (WHERE event_type = 'rebound' AND event_subtype = 'offensive') AS oreb,
           count(*) FILTER (WHERE event_type = 'rebound' AND event_subtype = 'defensive') AS dreb,
           count(*) FILTER (WHERE event_type = 'turnover') AS tov,
           sum(points_scored) AS pts
    FROM nba_raw.play_by_play WHERE player_1_id IS NOT NULL GROUP BY 1
), p2 AS (
    SELECT player_2_id AS pid,
           count(*) FILTER (WHERE player_2_role = 'assist') AS ast,
           count(*) FILTER (WHERE player_2_role = 'block') AS blk,
           count(*) FILTER (WHERE player_2_role = 'steal') AS stl
    FROM nba_raw.play_by_play WHERE player_2_id IS NOT NULL GROUP BY 1
)
SELECT b.player_name,
       [b.field_goals_attempted, b.field_goals_made, b.three_pointers_attempted,
        b.three_pointers_made, b.free_throws_attempted, b.free_throws_made, b.assists, b.blocks,
        b.steals, b.offensive_rebounds, b.defensive_rebounds, b.turnovers, b.points] AS box,
       [coalesce(p1.fga, 0), coalesce(p1.fgm, 0), coalesce(p1.fg3a, 0), coalesce(p1.fg3m, 0),
        coalesce(p1.fta, 0), coalesce(p1.ftm, 0), coalesce(p2.ast, 0), coalesce(p2.blk, 0),
        coalesce(p2.stl, 0), coalesce(p1.oreb, 0), coalesce(p1.dreb, 0), coalesce(p1.tov, 0),
        coalesce(p1.pts, 0)] AS pbp
FROM nba_raw.player_boxscores b
LEFT JOIN p1 ON p1.pid = b.nba_player_id
LEFT JOIN p2 ON p2.pid = b.nba_player_id
WHERE b.player_status = 'active'
ORDER BY 1
"""


@pytest.mark.realdata
def test_nba_stats_pbp_counts_equal_the_box_score_for_every_player(game) -> None:
    rows = game.fetchall(PBP_VS_BOX)
    assert len(rows) == 19
    assert [r[0] for r in rows if r[1] != r[2]] == []
    mitchell = next(r for r in rows if r[0] == "Donovan Mitchell")
    # FGA, FGM, 3PA, 3PM, FTA, FTM, AST, BLK, STL, OREB, DREB, TOV, PTS
    assert mitchell[2] == [34, 22, 15, 7, 25, 20, 11, 1, 0, 3, 5, 4, 71]


@pytest.mark.realdata
def test_nba_stats_pbp_credits_assists_blocks_and_steals_to_the_right_team(game) -> None:
    rows = game.fetchall(
        "SELECT player_2_role, event_type, shot_made, team_abbr = player_2_team_abbr, count(*) "
        "FROM nba_raw.play_by_play WHERE player_2_role IS NOT NULL GROUP BY ALL ORDER BY 1"
    )
    assert rows == [
        ("assist", "shot", True, True, 49),
        ("block", "shot", False, False, 5),
        ("steal", "turnover", None, False, 9),
    ]
    # Names come from the registry the box score filled: full names, not "LeVert".
    steal = game.fetchone(
        "SELECT player_1_name, player_1_lookup, player_2_name FROM nba_raw.play_by_play "
        "WHERE event_id = 27"
    )
    assert steal == ("Caris LeVert", "carislevert", "DeMar DeRozan")


@pytest.mark.realdata
def test_nba_stats_pbp_uses_the_canonical_event_vocabulary(game) -> None:
    types = {r[0] for r in game.fetchall("SELECT DISTINCT event_type FROM nba_raw.play_by_play")}
    assert types <= {"shot", "free throw", "rebound", "turnover", "foul", "violation",
                     "jump ball", "substitution", "timeout", "period"}  # fmt: skip
    subtypes = game.fetchall(
        "SELECT event_subtype, count(*) FROM nba_raw.play_by_play "
        "WHERE event_type = 'free throw' GROUP BY 1 ORDER BY 1"
    )
    assert ("free throw 1/2", 31) in subtypes and ("free throw 1/1", 10) in subtypes
    # Events keep the source's numbers and come out in game order with running scores.
    last = game.fetchone(
        "SELECT event_sequence, home_score, away_score, period FROM nba_raw.play_by_play "
        "ORDER BY event_sequence DESC LIMIT 1"
    )
    assert last == (546, 145, 134, 5)


@pytest.mark.realdata
def test_nba_stats_box_v3_keeps_dnp_players_with_their_reason(game) -> None:
    rows = game.fetchall(
        "SELECT player_name, player_status, dnp_reason, minutes, points "
        "FROM nba_raw.player_boxscores WHERE player_status <> 'active' ORDER BY 1"
    )
    assert rows == [
        ("Dalen Terry", "dnp", "Coach's Decision", None, None),
        ("Evan Mobley", "dnp", "Injury/Illness", None, None),
        ("Isaiah Mobley", "dnp", "Coach's Decision", None, None),
        ("Malcolm Hill", "dnp", "Coach's Decision", None, None),
    ]
    minutes = one(game, "SELECT minutes FROM nba_raw.player_boxscores WHERE nba_player_id = 201942")
    assert minutes == pytest.approx(45 + 55 / 60)  # '45:55'
    teams = game.fetchall(
        "SELECT team_abbr, is_home, minutes, points, plus_minus FROM nba_raw.team_boxscores "
        "ORDER BY 1"
    )
    assert teams == [("CHI", False, 265.0, 134, -11), ("CLE", True, 265.0, 145, 11)]


@pytest.mark.realdata
def test_nba_stats_box_v2_gives_the_same_rows_as_v3(data: Path, engine) -> None:
    add_schedule_row(engine)
    rec = data / "nba_api_recordings"
    cols = "game_id, team_abbr, player_lookup, player_status, minutes, points, plus_minus"
    ingest_nba_stats(engine, [rec / "BoxScoreTraditionalV3.json"])
    v3 = engine.fetchall(f"SELECT {cols} FROM nba_raw.player_boxscores ORDER BY ALL")
    ingest_nba_stats(engine, [rec / "BoxScoreTraditionalV2.json"])
    v2 = engine.fetchall(f"SELECT {cols} FROM nba_raw.player_boxscores ORDER BY ALL")
    assert len(v3) == 23 and [r[:6] for r in v2] == [r[:6] for r in v3]


@pytest.mark.realdata
def test_nba_stats_api_game_logs_scoreboard_and_shot_chart_load(data: Path, engine) -> None:
    rec = data / "nba_api_recordings"
    paths = [
        rec / "ShotChartDetail.json",
        rec / "PlayerGameLog.json",
        rec / "ScoreboardV2.json",
        rec / "LeagueGameLog.json",
        data / "nba_stats" / "player_gamelogs_2025_26.csv",  # registers Mitchell's name
    ]
    _, outcomes = ingest_nba_stats(engine, paths)
    assert {o.status for o in outcomes} == {"loaded"} and rejects(engine) == []
    by_file = dict(
        engine.fetchall(
            "SELECT regexp_extract(source_file, '[^/]+$'), count(*) FROM ("
            "SELECT source_file FROM nba_raw.schedule UNION ALL "
            "SELECT source_file FROM nba_raw.player_boxscores UNION ALL "
            "SELECT source_file FROM nba_raw.play_by_play) GROUP BY 1"
        )
    )
    # ScoreboardV2 repeats a game once per TV broadcaster: 13 header rows, 11 games.
    assert by_file["ScoreboardV2.json"] == 11
    assert by_file["PlayerGameLog.json"] == 53 and by_file["ShotChartDetail.json"] == 532
    tip = one(engine, "SELECT game_start_time FROM nba_raw.schedule WHERE game_id = '0022500817'")
    assert str(tip) == "2026-02-22 18:00:00"  # '1:00 pm ET'
    name = one(
        engine,
        "SELECT DISTINCT player_lookup FROM nba_raw.player_boxscores "
        "WHERE source_file LIKE '%PlayerGameLog.json'",
    )
    assert name == "donovanmitchell"
    event = one(
        engine, "SELECT min(event_id) FROM nba_raw.play_by_play WHERE game_id = '0022500003'"
    )
    assert event == 18  # ShotChartDetail's GAME_EVENT_ID is kept


# -- bad input, built from small real-looking content -----------------------------------------

SCHEDULE = (
    "SEASON_ID,TEAM_ID,TEAM_ABBREVIATION,TEAM_NAME,GAME_ID,GAME_DATE,MATCHUP,WL,MIN,PTS,FGM,FGA,"
    "FG_PCT,FG3M,FG3A,FG3_PCT,FTM,FTA,FT_PCT,OREB,DREB,REB,AST,STL,BLK,TOV,PF,PLUS_MINUS\n"
    "22024,1610612738,BOS,Boston Celtics,0022400061,2024-10-22,BOS vs. NYK,W,240,132,48,95,0.505,"
    "29,61,0.475,7,8,0.875,11,29,40,33,6,3,3,15,23.0\n"
    "22024,1610612747,LAL,Los Angeles Lakers,0022400062,2024-10-22,LAL vs. MIN,W,240,110,42,95,"
    "0.442,5,30,0.167,21,25,0.84,15,31,46,22,7,8,7,22,7.0\n"
)
LOG_HEADER = (
    "player,player_id,date,matchup,result,minutes,fgm,fga,fg_pct,threes_made,threes_attempted,"
    "three_pct,ftm,fta,ft_pct,oreb,dreb,reb,ast,stl,blk,tov,pf,pts,plus_minus,opponent,home_away,"
    "player_normalized\n"
)
TATUM = (
    "Jayson Tatum,1628369,2024-10-22,BOS vs. NYK,W,30.0,14,18,0.778,8,11,0.727,1,2,0.5,0,4,4,10,"
    "1,1,1,1,37,26,NYK,HOME,Jayson Tatum\n"
)
BRUNSON = (
    "Jalen Brunson,1628973,2024-10-22,NYK @ BOS,L,25.0,9,14,0.643,1,2,0.5,3,3,1.0,0,1,1,2,0,0,4,"
    "3,22,-23,BOS,AWAY,Jalen Brunson\n"
)
DAVIS = (
    "Anthony Davis,203076,2024-10-22,LAL vs. MIN,W,38.0,11,23,0.478,1,3,0.333,13,15,0.867,3,13,"
    "16,4,1,3,1,1,36,1,MIN,HOME,Anthony Davis\n"
)
SHOT_HEADER = (
    "SEASON_1,SEASON_2,TEAM_ID,TEAM_NAME,PLAYER_ID,PLAYER_NAME,GAME_DATE,GAME_ID,HOME_TEAM,"
    "AWAY_TEAM,EVENT_TYPE,SHOT_MADE,ACTION_TYPE,SHOT_TYPE,BASIC_ZONE,ZONE_NAME,ZONE_ABB,"
    "ZONE_RANGE,LOC_X,LOC_Y,SHOT_DISTANCE,QUARTER,MINS_LEFT,SECS_LEFT\n"
)
SHOTS = SHOT_HEADER + (
    "2025,2024-25,1610612738,Boston Celtics,1628369,Jayson Tatum,10-22-2024,22400061,BOS,NYK,"
    "Missed Shot,FALSE,Pullup Jump shot,3PT Field Goal,Above the Break 3,Left Side Center,LC,"
    "24+ ft.,8.3,29.45,25,1,11,16\n"
    "2025,2024-25,1610612738,Boston Celtics,1628369,Jayson Tatum,10-22-2024,22400061,BOS,NYK,"
    "Made Shot,TRUE,Pullup Jump shot,3PT Field Goal,Above the Break 3,Right Side Center,RC,"
    "24+ ft.,-14.1,28.05,26,1,11,48\n"
    "2025,2024-25,1610612738,Boston Celtics,1628369,Jayson Tatum,10-22-2024,22400061,BOS,NYK,"
    "Made Shot,TRUE,Running Dunk Shot,2PT Field Goal,Restricted Area,Center,C,Less Than 8 ft.,"
    "-0.7,5.95,0,1,8,30\n"
)
UNKNOWN_GAME_SHOT = (
    "2025,2024-25,1610612747,Los Angeles Lakers,203076,Anthony Davis,10-22-2024,22409999,LAL,"
    "MIN,Made Shot,TRUE,Dunk Shot,2PT Field Goal,Restricted Area,Center,C,Less Than 8 ft.,"
    "0.0,5.95,0,1,10,2\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def tiny_pbp(actions: list[dict]) -> str:
    """A PlayByPlayV3 response with the real field names and the given actions."""
    base = {
        "clock": "PT11M41.00S", "period": 1, "teamId": 1610612741, "teamTricode": "CHI",
        "personId": 201942, "playerName": "DeRozan", "playerNameI": "D. DeRozan",
        "xLegacy": 230, "yLegacy": 52, "shotDistance": 24, "shotResult": "Made",
        "isFieldGoal": 1, "scoreHome": "0", "scoreAway": "3", "pointsTotal": 3,
        "location": "v", "description": "DeRozan 24' 3PT Jump Shot (3 PTS)",
        "actionType": "Made Shot", "subType": "Jump Shot", "videoAvailable": 1, "shotValue": 3,
    }  # fmt: skip
    full = [{**base, "actionId": i + 1, **a} for i, a in enumerate(actions)]
    return json.dumps({"meta": {"version": 1}, "game": {"gameId": GAME, "actions": full}})


def test_nba_stats_schedule_then_logs_and_shots_load(engine, tmp_path: Path) -> None:
    paths = [
        write(tmp_path / "a_player_logs.csv", LOG_HEADER + TATUM + BRUNSON + DAVIS),
        write(tmp_path / "b_shots.csv", SHOTS),
        write(tmp_path / "c_schedule.csv", SCHEDULE),
    ]
    _, outcomes = ingest_nba_stats(engine, paths)
    assert [Path(o.file).name for o in outcomes] == ["c_schedule.csv", "a_player_logs.csv",
                                                     "b_shots.csv"]  # fmt: skip
    assert rejects(engine) == []
    logs = engine.fetchall(
        "SELECT player_lookup, game_id, home_team_abbr, away_team_abbr, opponent_team_abbr, "
        "minutes, points, plus_minus FROM nba_raw.player_boxscores ORDER BY 1"
    )
    assert logs[1] == ("jalenbrunson", "0022400061", "BOS", "NYK", "BOS", 25.0, 22, -23)
    # Shot-chart CSV: '00' restored, MM-DD-YYYY read, feet turned into API tenths of a foot.
    shots = engine.fetchall(
        "SELECT game_id, game_date, event_id, game_clock_seconds, shot_type, shot_made, "
        "shot_x, shot_y, event_subtype, points_scored, player_2_role "
        "FROM nba_raw.play_by_play ORDER BY event_sequence"
    )
    assert shots[0][:2] == ("0022400061", dt.date(2024, 10, 22))
    assert [(s[2], s[3]) for s in shots] == [(1, 708.0), (2, 676.0), (3, 510.0)]
    assert shots[0][4:8] == ("3PT", True, 141.0, 228.0)  # LOC_X -14.1, LOC_Y 28.05
    assert shots[1][6:8] == (-83.0, 242.0)  # LOC_X 8.3, LOC_Y 29.45
    assert shots[2][8:] == ("running dunk shot", 2, None)


def test_nba_stats_truncated_zip_is_refused_and_other_files_load(engine, tmp_path: Path) -> None:
    schedule = write(tmp_path / "schedule.csv", SCHEDULE)
    whole = tmp_path / "shots.csv.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("NBA_2025_Shots.csv", SHOTS * 20)
        zf.writestr("__MACOSX/._NBA_2025_Shots.csv", "junk")
    cut = tmp_path / "cut.csv.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    _, outcomes = ingest_nba_stats(engine, [schedule, cut])
    status = {Path(o.file).name: (o.status, o.message) for o in outcomes}
    assert status["schedule.csv"][0] == "loaded" and status["cut.csv.zip"][0] == "refused"
    assert status["cut.csv.zip"][1].startswith(f"{cut}: not a readable zip archive")
    assert "\n" not in status["cut.csv.zip"][1]
    assert one(engine, "SELECT count(*) FROM nba_raw.schedule") == 2
    assert one(engine, "SELECT count(*) FROM nba_raw.play_by_play") == 0


def test_nba_stats_csv_missing_a_column_is_refused_naming_it(engine, tmp_path: Path) -> None:
    before = snapshot(engine)
    no_loc_x = SHOTS.replace(",LOC_X,", ",LOC_XX,")
    _, outcomes = ingest_nba_stats(engine, [write(tmp_path / "shots.csv", no_loc_x)])
    assert outcomes[0].status == "refused"
    assert outcomes[0].message == f"{tmp_path / 'shots.csv'}: missing column(s) LOC_X"
    assert snapshot(engine) == before


def test_nba_stats_bad_counts_are_rejected_and_good_rows_kept(engine, tmp_path: Path) -> None:
    ingest_nba_stats(engine, [write(tmp_path / "schedule.csv", SCHEDULE)])
    bad_fga = TATUM.replace(",14,18,0.778,", ",14,abc,0.778,")
    negative_reb = BRUNSON.replace(",0,1,1,2,0,0,4,", ",0,1,-1,2,0,0,4,")
    half_point = DAVIS.replace(",36,1,MIN,", ",36.5,1,MIN,")
    logs = write(tmp_path / "logs.csv", LOG_HEADER + bad_fga + negative_reb + half_point + DAVIS)
    _, outcomes = ingest_nba_stats(engine, [logs])
    assert (outcomes[0].status, outcomes[0].rows_written, outcomes[0].rows_rejected) == (
        "loaded",
        1,
        3,
    )
    assert rejects(engine) == [
        (1, "field_goals_attempted", "not a valid integer", "abc"),
        (2, "total_rebounds", "negative count", "-1"),
        (3, "points", "not a valid integer", "36.5"),  # never rounded to 37
    ]
    assert engine.fetchall("SELECT player_lookup, points FROM nba_raw.player_boxscores") == [
        ("anthonydavis", 36)
    ]


def test_nba_stats_a_game_log_brings_its_own_games_on_a_date_already_scheduled(
    engine, tmp_path: Path
) -> None:
    """A team game log fetched while only part of a day's games were final, then the whole
    day: the whole day's file was checked against the schedule before its own games were
    written, so its new games were rejected ("not in the schedule") and loaded only on a
    second read."""
    header, _, lal = SCHEDULE.splitlines(keepends=True)
    ingest_nba_stats(engine, [write(tmp_path / "part.csv", header + lal)])
    _, outcomes = ingest_nba_stats(engine, [write(tmp_path / "full.csv", SCHEDULE)])
    assert (outcomes[0].status, outcomes[0].rows_rejected) == ("loaded", 0), rejects(engine)
    assert engine.fetchone("SELECT count(*) FROM nba_raw.team_boxscores")[0] == 2
    _, again = ingest_nba_stats(engine, [tmp_path / "full.csv"])
    assert again[0].status == "unchanged"


def test_nba_stats_game_log_without_scheduled_game_is_rejected(engine, tmp_path: Path) -> None:
    ingest_nba_stats(engine, [write(tmp_path / "schedule.csv", SCHEDULE)])
    other_day = TATUM.replace("2024-10-22", "2024-10-24")
    _, outcomes = ingest_nba_stats(
        engine, [write(tmp_path / "logs.csv", LOG_HEADER + TATUM + other_day)]
    )
    assert (outcomes[0].rows_written, outcomes[0].rows_rejected) == (1, 1)
    assert rejects(engine) == [
        (
            2,
            "game_id",
            "no scheduled game for BOS on 2024-10-24 (ingest the schedule or team game logs first)",
            "BOS 2024-10-24",
        )
    ]


def test_nba_stats_shot_in_a_game_the_schedule_lacks_is_rejected(engine, tmp_path: Path) -> None:
    ingest_nba_stats(engine, [write(tmp_path / "schedule.csv", SCHEDULE)])
    _, outcomes = ingest_nba_stats(
        engine, [write(tmp_path / "shots.csv", SHOTS + UNKNOWN_GAME_SHOT)]
    )
    assert (outcomes[0].rows_written, outcomes[0].rows_rejected) == (3, 1)
    assert rejects(engine) == [
        (4, "game_id", "game 0022409999 is not in the schedule for 2024-10-22", "0022409999")
    ]


def test_nba_stats_duplicated_action_number_refuses_the_file(engine, tmp_path: Path) -> None:
    add_schedule_row(engine)
    before = snapshot(engine)
    miss = {"actionNumber": 8, "actionType": "Missed Shot", "shotResult": "Missed",
            "description": "MISS DeRozan 24' 3PT Jump Shot", "scoreAway": ""}  # fmt: skip
    good = tiny_pbp([{"actionNumber": 7}, miss])
    dup = tiny_pbp([{"actionNumber": 7}, {**miss, "actionNumber": 7}])
    _, outcomes = ingest_nba_stats(
        engine, [write(tmp_path / "dup.json", dup), write(tmp_path / "good.json", good)]
    )
    assert [o.status for o in outcomes] == ["refused", "loaded"]
    message = outcomes[0].message
    assert message.startswith(f"{tmp_path / 'dup.json'}: duplicated actionNumber 7")
    assert "\n" not in message
    # The good file loads; the refused one wrote nothing.
    assert snapshot(engine)["play_by_play"] != before["play_by_play"]
    assert one(engine, "SELECT count(DISTINCT source_file) FROM nba_raw.play_by_play") == 1


def test_nba_stats_steal_and_block_rows_share_their_event_number(engine, tmp_path: Path) -> None:
    add_schedule_row(engine)
    pbp = tiny_pbp(
        [
            {"actionNumber": 27, "actionType": "Turnover", "subType": "Bad Pass",
             "teamTricode": "CLE", "personId": 1627747, "playerName": "LeVert", "location": "h",
             "description": "LeVert Bad Pass Turnover (P1.T1)"},
            {"actionNumber": 27, "actionType": "", "subType": "",
             "description": "DeRozan STEAL (1 STL)"},
        ]
    )  # fmt: skip
    _, outcomes = ingest_nba_stats(engine, [write(tmp_path / "pbp.json", pbp)])
    assert (outcomes[0].status, outcomes[0].rows_written) == ("loaded", 1)
    row = engine.fetchone(
        "SELECT event_type, team_abbr, player_1_id, player_2_id, player_2_role, "
        "player_2_team_abbr, player_2_name FROM nba_raw.play_by_play"
    )
    # Without a box score the registry has no full names: the feed's own name stays.
    assert row == ("turnover", "CLE", 1627747, 201942, "steal", "CHI", "DeRozan")


def test_nba_stats_html_error_page_is_refused(engine, tmp_path: Path) -> None:
    page = write(
        tmp_path / "PlayByPlayV3.json", "<!DOCTYPE html><html><body>Access Denied</body></html>"
    )
    before = snapshot(engine)
    _, outcomes = ingest_nba_stats(engine, [page])
    assert outcomes[0].status == "refused" and "HTML page" in outcomes[0].message
    assert str(page) in outcomes[0].message
    assert snapshot(engine) == before


def test_nba_stats_unknown_layout_is_refused_listing_known_ones(engine, tmp_path: Path) -> None:
    odd_json = write(tmp_path / "odd.json", json.dumps({"resource": "teamroster", "rows": []}))
    odd_csv = write(tmp_path / "odd.csv", "a,b,c\n1,2,3\n")
    error = write(tmp_path / "err.json", json.dumps({"Message": "An error has occurred."}))
    _, outcomes = ingest_nba_stats(engine, [odd_json, odd_csv, error])
    messages = {Path(o.file).name: o.message for o in outcomes}
    assert all(o.status == "refused" for o in outcomes)
    assert "unknown layout (JSON object with keys resource, rows)" in messages["odd.json"]
    assert "known layouts: shot-chart CSV" in messages["odd.csv"]
    assert "PlayByPlayV3" in messages["odd.csv"]
    assert "an error response, not data" in messages["err.json"]


def test_nba_stats_pbp_of_a_game_the_schedule_lacks_is_refused(engine, tmp_path: Path) -> None:
    _, outcomes = ingest_nba_stats(
        engine, [write(tmp_path / "pbp.json", tiny_pbp([{"actionNumber": 7}]))]
    )
    assert outcomes[0].status == "refused"
    assert f"game {GAME} is not in nba_raw.schedule" in outcomes[0].message


def test_nba_stats_sort_key_ranks_layouts_by_dependency(tmp_path: Path) -> None:
    adapter = NbaStatsFiles()
    ranks = {
        name: adapter.sort_key(files.FileRef(write(tmp_path / name, text)))
        for name, text in {
            "schedule.csv": SCHEDULE,
            "logs.csv": LOG_HEADER + TATUM,
            "shots.csv": SHOTS,
            "pbp.json": tiny_pbp([{"actionNumber": 7}]),
        }.items()
    }
    assert ranks["schedule.csv"] < ranks["logs.csv"] < ranks["shots.csv"] == ranks["pbp.json"]


def test_nba_stats_league_player_log_json_loads_with_its_game_ids(engine, tmp_path: Path) -> None:
    headers = ["SEASON_ID", "PLAYER_ID", "PLAYER_NAME", "TEAM_ID", "TEAM_ABBREVIATION",
               "TEAM_NAME", "GAME_ID", "GAME_DATE", "MATCHUP", "WL", "MIN", "FGM", "FGA",
               "FG_PCT", "FG3M", "FG3A", "FG3_PCT", "FTM", "FTA", "FT_PCT", "OREB", "DREB",
               "REB", "AST", "STL", "BLK", "TOV", "PF", "PTS", "PLUS_MINUS",
               "VIDEO_AVAILABLE"]  # fmt: skip
    rows = [
        ["22024", 1628369, "Jayson Tatum", 1610612738, "BOS", "Boston Celtics", "0022400061",
         "2024-10-22", "BOS vs. NYK", "W", 30, 14, 18, 0.778, 8, 11, 0.727, 1, 2, 0.5, 0, 4, 4,
         10, 1, 1, 1, 1, 37, 26, 1],
        ["22024", 1628973, "Jalen Brunson", 1610612752, "NYK", "New York Knicks", "0022400061",
         "2024-10-22", "NYK @ BOS", "L", 25, 9, 14, 0.643, 1, 2, 0.5, 3, 3, 1.0, 0, 1, 1, 2, 0,
         0, 4, 3, 22, -23, 1],
    ]  # fmt: skip
    body = {
        "resource": "leaguegamelog",
        "parameters": {"PlayerOrTeam": "P", "Season": "2024-25"},
        "resultSets": [{"name": "LeagueGameLog", "headers": headers, "rowSet": rows}],
    }
    path = write(tmp_path / "leaguegamelog_p.json", json.dumps(body))
    assert NbaStatsFiles().sort_key(files.FileRef(path)) == 1  # with the box scores
    _, outcomes = ingest_nba_stats(engine, [path])
    assert outcomes[0].status == "loaded" and rejects(engine) == []
    assert engine.fetchall(
        "SELECT player_lookup, game_id, team_abbr, opponent_team_abbr, home_team_abbr, points "
        "FROM nba_raw.player_boxscores ORDER BY 1"
    ) == [
        ("jalenbrunson", "0022400061", "NYK", "BOS", "BOS", 22),
        ("jaysontatum", "0022400061", "BOS", "NYK", "BOS", 37),
    ]


def test_nba_stats_gzipped_json_loads_like_plain_json(engine, tmp_path: Path) -> None:
    import gzip

    add_schedule_row(engine)
    path = tmp_path / "pbp.json.gz"
    path.write_bytes(gzip.compress(tiny_pbp([{"actionNumber": 7}]).encode()))
    _, outcomes = ingest_nba_stats(engine, [path])
    assert (outcomes[0].status, outcomes[0].rows_written) == ("loaded", 1)
    assert engine.fetchone("SELECT shot_type, points_scored, shot_x FROM nba_raw.play_by_play") == (
        "3PT",
        3,
        230.0,
    )


def test_nba_stats_zip_inside_a_zip_is_refused_with_what_to_do(engine, tmp_path: Path) -> None:
    """A zip holding a zip was read as a CSV: 'unknown layout (CSV columns PK^C^D...)'."""
    inner = tmp_path / "tg.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("schedule.csv", SCHEDULE)
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as zf:
        zf.write(inner, "tg.zip")
        zf.writestr("schedule.csv", SCHEDULE)  # a data file beside it still loads
    _, outcomes = ingest_nba_stats(engine, [nested])
    status = {o.file: (o.status, o.message) for o in outcomes}
    assert status[f"{nested}!schedule.csv"][0] == "loaded"
    state, message = status[f"{nested}!tg.zip"]
    assert state == "refused"
    assert message == (
        f"{nested}!tg.zip: zip archives inside zip archives are not read; unzip nested.zip "
        "and ingest the files it holds"
    )
    assert one(engine, "SELECT count(*) FROM nba_raw.schedule") == 2


def test_nba_stats_binary_file_is_refused_without_raw_bytes(engine, tmp_path: Path) -> None:
    zipped = tmp_path / "looks_like.csv"
    zipped.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00garbage\x01\x02")
    pdf = tmp_path / "report.csv"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00")
    blob = tmp_path / "blob.json"
    blob.write_bytes(b"\x00\x01\x02\x03" * 50)
    _, outcomes = ingest_nba_stats(engine, [zipped, pdf, blob])
    messages = {Path(o.file).name: o.message for o in outcomes}
    assert messages["looks_like.csv"].endswith(
        "a zip archive (or an Excel .xlsx workbook), not a text data file"
    )
    assert messages["report.csv"].endswith(": a PDF document, not a text data file")
    assert messages["blob.json"].endswith(": binary data, not a text data file")
    for message in messages.values():
        assert message.isprintable(), message


def test_nba_stats_zip_without_data_names_the_kinds_it_reads(engine, tmp_path: Path) -> None:
    z = tmp_path / "notes.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    _, outcomes = ingest_nba_stats(engine, [z])
    assert outcomes[0].message == (
        f"{z}: zip archive holds no .csv/.csv.gz/.json/.json.gz data file"
    )


def test_nba_stats_refuses_nbacom_livedata_play_by_play(engine, tmp_path: Path) -> None:
    """liveData has PlayByPlayV3's shape (game.actions) but its own action types: read as
    PlayByPlayV3 it wrote a few rows and quarantined the rest as 'unknown actionType'."""
    add_schedule_row(engine)
    live = {
        "meta": {"version": 1},
        "game": {
            "gameId": GAME,
            "actions": [
                {"actionNumber": 2, "clock": "PT12M00.00S", "period": 1, "actionType": "period",
                 "subType": "start", "timeActual": "2023-01-03T00:40:00Z"},
                {"actionNumber": 7, "clock": "PT11M41.00S", "period": 1, "actionType": "3pt",
                 "teamTricode": "CHI", "personId": 201942, "shotResult": "Made",
                 "timeActual": "2023-01-03T00:40:30Z"},
                {"actionNumber": 8, "clock": "PT11M20.00S", "period": 1, "actionType": "rebound",
                 "teamTricode": "CLE", "personId": 1628386, "timeActual": "2023-01-03T00:41Z"},
            ],
        },
    }  # fmt: skip
    path = write(tmp_path / "raw_live.json", json.dumps(live))
    _, outcomes = ingest_nba_stats(engine, [path])
    assert outcomes[0].status == "refused"
    assert outcomes[0].message.endswith("ingest it with `nbapipe ingest nbacom-pbp`")
    assert "liveData" in outcomes[0].message
    assert one(engine, "SELECT count(*) FROM nba_raw.play_by_play") == 0
    assert rejects(engine)[0][2].startswith("file refused: ")  # no row-level rejects


def test_nba_stats_refuses_other_sources_files_with_a_pointer(engine, tmp_path: Path) -> None:
    props = write(
        tmp_path / "props_2024-12-16_player_threes.csv",
        "player,game,game_time,market,line,bookmaker,over_odds,under_odds\n"
        "Jayson Tatum,New York Knicks @ Boston Celtics,2024-10-22T23:30:00Z,player_threes,3.5,"
        "fanduel,-110,-110\n",
    )
    _, outcomes = ingest_nba_stats(engine, [props])
    assert outcomes[0].message == (
        f"{props}: not an NBA.com stats file; it looks like an Odds API file (props or game "
        "lines): ingest it with `nbapipe ingest odds-api`"
    )


def test_nba_stats_real_livedata_sample_is_refused(data: Path, engine) -> None:
    sample = sorted((data / "legacy_samples" / "nbac_play_by_play").glob("*.json.gz"))[0]
    _, outcomes = ingest_nba_stats(engine, [sample])
    assert outcomes[0].status == "refused" and "nbapipe ingest nbacom-pbp" in outcomes[0].message
    assert one(engine, "SELECT count(*) FROM nba_raw.play_by_play") == 0


def test_nba_stats_rejects_waiting_on_the_warehouse_are_recognised(
    data: Path, engine, tmp_path: Path
) -> None:
    """The reasons nba-stats gives for a missing game or player are the ones the ingest reads
    again once the schedule or the registry changes; a bad value is not."""
    logs = write(tmp_path / "logs.csv", LOG_HEADER + TATUM)  # no schedule yet
    gamelog = data / "nba_api_recordings" / "PlayerGameLog.json"  # no registered player yet
    bad = write(tmp_path / "bad.csv", SCHEDULE.replace(",110,", ",-110,", 1))
    ingest_nba_stats(engine, [logs, gamelog])
    ingest_nba_stats(engine, [bad])  # after: its schedule rows would find the logs' game
    reasons = {r[2] for r in rejects(engine)}
    by_kind = {reason: files.waits_on([reason]) for reason in reasons}
    assert {"schedule", "registry"} <= set().union(*by_kind.values()), by_kind
    assert any(not kinds for kinds in by_kind.values()), by_kind  # the negative count
