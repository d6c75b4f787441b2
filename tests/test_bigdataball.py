"""BigDataBall play-by-play CSV adapter: the 2025 Finals game 7 sample and bad input."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import SHARED_DATA, count, pbp
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.sources import bigdataball
from nbapipe.sources.bigdataball import ingest_bigdataball
from nbapipe.warehouse import migrate

DATA = SHARED_DATA
SAMPLE = DATA / "legacy_samples" / "bigdataball_pbp" / "raw_746cfbef.csv"
TEAM_LOGS = DATA / "nba_stats" / "team_gamelogs_2024_25.csv"

HEADER = [
    "game_id",
    "data_set",
    "date",
    "a1",
    "a2",
    "a3",
    "a4",
    "a5",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "period",
    "away_score",
    "home_score",
    "remaining_time",
    "elapsed",
    "play_length",
    "play_id",
    "team",
    "event_type",
    "assist",
    "away",
    "home",
    "block",
    "entered",
    "left",
    "num",
    "opponent",
    "outof",
    "player",
    "points",
    "possession",
    "reason",
    "result",
    "steal",
    "type",
    "shot_distance",
    "original_x",
    "original_y",
    "converted_x",
    "converted_y",
    "description",
]
AWAY = ["Away One", "Away Two", "Away Three", "Away Four", "Away Five"]
HOME = ["Home One", "Home Two", "Home Three", "Home Four", "Home Five"]


@pytest.fixture(scope="module")
def data_dir(shared_data: Path) -> Path:
    return shared_data


@pytest.fixture(scope="module")
def game7(data_dir):
    """A warehouse holding the ingested Finals game 7 sample."""
    eng = DuckDBEngine(":memory:")
    migrate(eng)
    summary, outcomes = ingest_bigdataball(eng, [SAMPLE])
    yield eng, summary, outcomes
    eng.close()


def event(play_id: int, **values: object) -> dict:
    """One BDB row of a toy game 0022400001 (NYK at BOS) with fixed lineups."""
    row = dict.fromkeys(HEADER, "")
    row.update(
        game_id="22400001",
        data_set="NBA 2024-2025 Regular Season",
        date="2024-10-22",
        period="1",
        away_score="0",
        home_score="0",
        remaining_time="0:11:00",
        play_id=str(play_id),
    )
    row.update({f"a{i + 1}": n for i, n in enumerate(AWAY)})
    row.update({f"h{i + 1}": n for i, n in enumerate(HOME)})
    row.update({k: str(v) for k, v in values.items()})
    return row


def toy_rows() -> list[dict]:
    return [
        event(1, event_type="start of period", type="start of period", remaining_time="0:12:00"),
        event(
            2,
            team="BOS",
            event_type="shot",
            player="Home One",
            assist="Home Two",
            result="made",
            points=3,
            type="3pt jump shot",
            shot_distance=25,
            original_x=-150,
            original_y=195,
            home_score=3,
        ),
        event(
            3,
            team="NYK",
            event_type="shot",
            player="Away One",
            block="Home Three",
            result="missed",
            points=0,
            type="driving layup",
            shot_distance=2,
            original_x=10,
            original_y=15,
            home_score=3,
        ),
        event(4, team="NYK", event_type="rebound", player="Away Two", type="rebound offensive"),
        event(
            5,
            team="NYK",
            event_type="turnover",
            player="Away Two",
            steal="Home Four",
            type="bad pass",
        ),
        event(
            6,
            team="BOS",
            event_type="foul",
            player="Home Five",
            opponent="Away Three",
            type="shooting",
        ),
        event(
            7,
            team="NYK",
            event_type="free throw",
            player="Away Three",
            result="made",
            points=1,
            type="free throw 1/1",
            away_score=1,
            home_score=3,
        ),
    ]


def write_csv(path: Path, rows: list[dict], header: list[str] = HEADER) -> Path:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue())
    return path


# -- the real Finals game 7 file ------------------------------------------------------------

BOX_FROM_PBP = """
SELECT team_abbr,
    sum(points_scored) AS pts,
    count(*) FILTER (WHERE event_type = 'shot') AS fga,
    count(*) FILTER (WHERE event_type = 'shot' AND shot_made) AS fgm,
    count(*) FILTER (WHERE shot_type = '3PT') AS fg3a,
    count(*) FILTER (WHERE shot_type = '3PT' AND shot_made) AS fg3m,
    count(*) FILTER (WHERE shot_type = 'FT') AS fta,
    count(*) FILTER (WHERE shot_type = 'FT' AND shot_made) AS ftm,
    count(*) FILTER (WHERE event_type = 'rebound' AND player_1_name IS NOT NULL
                     AND event_subtype = 'rebound offensive') AS oreb,
    count(*) FILTER (WHERE event_type = 'rebound' AND player_1_name IS NOT NULL
                     AND event_subtype = 'rebound defensive') AS dreb,
    count(*) FILTER (WHERE event_type = 'turnover' AND player_1_name IS NOT NULL) AS tov
FROM nba_raw.play_by_play WHERE game_id = '0042400407' AND team_abbr IS NOT NULL
GROUP BY team_abbr
"""
SECONDARY_FROM_PBP = """
SELECT player_2_team_abbr,
    count(*) FILTER (WHERE player_2_role = 'assist') AS ast,
    count(*) FILTER (WHERE player_2_role = 'block') AS blk,
    count(*) FILTER (WHERE player_2_role = 'steal') AS stl
FROM nba_raw.play_by_play WHERE game_id = '0042400407' AND player_2_team_abbr IS NOT NULL
GROUP BY player_2_team_abbr
"""


@pytest.mark.realdata
def test_bigdataball_finals_game7_team_totals_equal_box_score(game7) -> None:
    eng, _, _ = game7
    ref = eng.fetchall(
        f"""
        SELECT TEAM_ABBREVIATION, PTS, FGA, FGM, FG3A, FG3M, FTA, FTM, OREB, DREB, TOV,
               AST, BLK, STL
        FROM read_csv('{TEAM_LOGS}', all_varchar = false)
        WHERE CAST(GAME_ID AS VARCHAR) LIKE '%42400407' ORDER BY 1
        """
    )
    assert [r[0] for r in ref] == ["IND", "OKC"]
    box = {r[0]: r[1:] for r in eng.fetchall(BOX_FROM_PBP)}
    secondary = {r[0]: r[1:] for r in eng.fetchall(SECONDARY_FROM_PBP)}
    for team, *expected in ref:
        assert box[team] + secondary[team] == tuple(expected), team
    # Measured: IND 91 pts 29/70 FG 11/28 3P 22/29 FT; OKC 103 pts 35/87 FG 11/40 3P 22/31 FT.
    assert box["IND"][:7] == (91, 70, 29, 28, 11, 29, 22)
    assert box["OKC"][:7] == (103, 87, 35, 40, 11, 31, 22)


@pytest.mark.realdata
def test_bigdataball_finals_game7_team_turnovers_are_not_player_turnovers(game7) -> None:
    eng, _, _ = game7
    # Box-score TOV counts player turnovers; BDB also logs team turnovers (shot clock, ...).
    rows = eng.fetchall(
        "SELECT team_abbr, count(*), count(player_1_name) FROM nba_raw.play_by_play "
        "WHERE event_type = 'turnover' GROUP BY 1 ORDER BY 1"
    )
    assert rows == [("IND", 23, 21), ("OKC", 8, 7)]


@pytest.mark.realdata
def test_bigdataball_finals_game7_keys_teams_and_scores(game7) -> None:
    eng, summary, outcomes = game7
    assert [o.status for o in outcomes] == ["loaded"]
    assert (summary.rows_in, summary.rows_written, summary.rows_rejected) == (510, 507, 3)
    keys = eng.fetchall(
        "SELECT DISTINCT game_id, game_date, season_year, home_team_abbr, away_team_abbr, "
        "source FROM nba_raw.play_by_play"
    )
    assert [tuple(map(str, k)) for k in keys] == [
        ("0042400407", "2025-06-22", "2024", "OKC", "IND", "bigdataball")
    ]
    last = pbp(eng, "home_score, away_score, event_type, period, game_clock_seconds")[-1]
    assert last == (103, 91, "period", 4, 0.0)
    first = pbp(eng, "event_id, event_sequence, event_type, event_subtype, game_clock_seconds")[0]
    assert first == (1, 1, "period", "start of period", 720.0)


@pytest.mark.realdata
def test_bigdataball_finals_game7_empty_unknown_rows_are_quarantined(game7) -> None:
    eng, _, _ = game7
    rejects = eng.fetchall(
        "SELECT row_number, column_name, reason, raw_text FROM nba_processing.ingest_rejects "
        "ORDER BY row_number"
    )
    assert rejects == [
        (r, "event_type", "no canonical event type for this event", "unknown")
        for r in (362, 426, 453)
    ]


@pytest.mark.realdata
def test_bigdataball_finals_game7_shot_coordinates_are_tenths_of_a_foot(game7) -> None:
    eng, _, _ = game7
    n, worst, missing = eng.fetchone(
        "SELECT count(*), max(abs(sqrt(shot_x ^ 2 + shot_y ^ 2) / 10 - shot_distance)), "
        "count(*) FILTER (WHERE shot_x IS NULL OR shot_distance IS NULL) "
        "FROM nba_raw.play_by_play WHERE event_type = 'shot'"
    )
    # BDB distances are whole feet (rounded down), so within one foot of the coordinates.
    assert (n, missing) == (157, 0) and worst < 0.6
    assert eng.fetchone(
        "SELECT count(*) FROM nba_raw.play_by_play "
        "WHERE event_type <> 'shot' AND shot_x IS NOT NULL"
    ) == (0,)


@pytest.mark.realdata
def test_bigdataball_finals_game7_jump_ball_team_is_the_players_team(game7) -> None:
    eng, _, _ = game7
    # The BDB team column says OKC for every jump ball; Turner and Mathurin play for IND.
    rows = pbp(eng, "event_id, player_1_name, team_abbr", "event_type = 'jump ball'")
    assert rows == [
        (2, "Myles Turner", "IND"),
        (43, "Jalen Williams", "OKC"),
        (214, None, None),
        (460, "Chet Holmgren", "OKC"),
    ]


@pytest.mark.realdata
def test_bigdataball_finals_game7_unknown_players_are_logged_with_name_lookup(game7) -> None:
    eng, _, _ = game7
    # The registry is empty: every name is a registry failure and keeps its normalised form.
    failures = eng.fetchone(
        "SELECT count(*), count(*) FILTER (WHERE player_lookup = 'shaigilgeousalexander') "
        "FROM nba_processing.registry_failures WHERE source = 'bigdataball'"
    )
    assert failures[0] > 20 and failures[1] == 1
    assert pbp(eng, "DISTINCT player_1_lookup", "player_1_name = 'Shai Gilgeous-Alexander'") == [
        ("shaigilgeousalexander",)
    ]


# -- toy files: rules ------------------------------------------------------------------------


def test_bigdataball_home_team_from_lineups_without_file_name(engine, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "pbp.csv", toy_rows())
    _, outcomes = ingest_bigdataball(engine, [f])
    assert outcomes[0].status == "loaded"
    assert pbp(engine, "DISTINCT game_id, home_team_abbr, away_team_abbr") == [
        ("0022400001", "BOS", "NYK")
    ]
    # Swapping the lineup columns swaps home and away: the lineups decide, not the row order.
    swapped = [
        r | {f"a{i}": r[f"h{i}"] for i in range(1, 6)} | {f"h{i}": r[f"a{i}"] for i in range(1, 6)}
        for r in toy_rows()
    ]
    g = write_csv(tmp_path / "swapped.csv", [r | {"game_id": "22400002"} for r in swapped])
    ingest_bigdataball(engine, [g])
    assert pbp(engine, "DISTINCT home_team_abbr, away_team_abbr", "game_id = '0022400002'") == [
        ("NYK", "BOS")
    ]


def test_bigdataball_file_name_gives_game_and_teams(engine, tmp_path: Path) -> None:
    # No game id, date or lineups in the rows: the file name has them all.
    blank = {"game_id": "", "date": ""} | dict.fromkeys(bigdataball.LINEUP, "")
    rows = [r | blank for r in toy_rows()]
    f = write_csv(tmp_path / "[2024-10-22]-0022400001-NYK@BOS.csv", rows)
    _, outcomes = ingest_bigdataball(engine, [f])
    assert outcomes[0].status == "loaded"
    assert pbp(engine, "DISTINCT game_id, home_team_abbr, away_team_abbr") == [
        ("0022400001", "BOS", "NYK")
    ]
    other = write_csv(tmp_path / "[2024-10-22]-0022400009-NYK@BOS.csv", toy_rows())
    _, outcomes = ingest_bigdataball(engine, [other])
    assert outcomes[0].status == "refused"
    assert "rows are game 0022400001 but the file name says 0022400009" in outcomes[0].message


def test_bigdataball_secondary_players_roles_and_teams(engine, tmp_path: Path) -> None:
    ingest_bigdataball(engine, [write_csv(tmp_path / "pbp.csv", toy_rows())])
    rows = pbp(
        engine,
        "event_type, team_abbr, player_1_name, player_2_name, player_2_role, player_2_team_abbr, "
        "shot_made, shot_type, points_scored",
        "player_2_role IS NOT NULL OR event_type IN ('shot', 'free throw')",
    )
    assert rows == [
        ("shot", "BOS", "Home One", "Home Two", "assist", "BOS", True, "3PT", 3),
        ("shot", "NYK", "Away One", "Home Three", "block", "BOS", False, "2PT", 0),
        ("turnover", "NYK", "Away Two", "Home Four", "steal", "BOS", None, None, None),
        ("foul", "BOS", "Home Five", "Away Three", "fouled", "NYK", None, None, None),
        ("free throw", "NYK", "Away Three", None, None, None, True, "FT", 1),
    ]


def test_bigdataball_registry_resolves_names_before_fallback(engine, tmp_path: Path) -> None:
    engine.execute(
        "INSERT INTO nba_reference.nba_players_registry (universal_player_id, player_lookup, "
        "player_name, last_name_key, first_name_key, lookup_without_suffix) VALUES "
        "('homeonejr_001', 'homeonejr', 'Home One Jr.', 'one', 'home', 'homeone')"
    )
    ingest_bigdataball(engine, [write_csv(tmp_path / "pbp.csv", toy_rows())])
    # 'Home One' resolves to the registered 'Home One Jr.' (suffix rule); others keep their key.
    assert pbp(engine, "DISTINCT player_1_lookup", "player_1_name = 'Home One'") == [("homeonejr",)]
    failed = engine.fetchall(
        "SELECT player_lookup FROM nba_processing.registry_failures ORDER BY 1"
    )
    assert ("homeone",) not in failed and ("awayone",) in failed


def test_bigdataball_reingest_of_unchanged_file_changes_nothing(engine, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "pbp.csv", toy_rows())
    ingest_bigdataball(engine, [f])
    before = pbp(engine)
    _, outcomes = ingest_bigdataball(engine, [f])
    assert outcomes[0].status == "unchanged" and pbp(engine) == before


# -- toy files: bad input --------------------------------------------------------------------


def test_bigdataball_duplicate_play_id_refuses_file(engine, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "a_good.csv", toy_rows())
    rows = [r | {"game_id": "22400002"} for r in toy_rows()]
    rows.append(rows[3] | {"remaining_time": "0:10:00"})
    bad = write_csv(tmp_path / "b_dup.csv", rows)
    _, outcomes = ingest_bigdataball(engine, [good, bad])
    assert [o.status for o in outcomes] == ["loaded", "refused"]
    message = outcomes[1].message
    assert message == f"{bad}: duplicate play_id 4 (game 22400002, rows 4 and 8)"
    assert "\n" not in message
    assert pbp(engine, "DISTINCT game_id") == [("0022400001",)] and count(engine) == 7


def test_bigdataball_missing_column_refuses_file(engine, tmp_path: Path) -> None:
    header = [c for c in HEADER if c != "shot_distance"]
    f = write_csv(tmp_path / "short.csv", toy_rows(), header)
    _, outcomes = ingest_bigdataball(engine, [f])
    assert outcomes[0].status == "refused"
    assert outcomes[0].message == f"{f}: missing column(s) shot_distance"
    assert count(engine) == 0


def test_bigdataball_html_page_refuses_file(engine, tmp_path: Path) -> None:
    f = tmp_path / "page.csv"
    f.write_text("<!DOCTYPE html><html><body>Rate limit exceeded</body></html>")
    _, outcomes = ingest_bigdataball(engine, [f])
    assert outcomes[0].status == "refused" and "HTML page" in outcomes[0].message
    assert count(engine) == 0


def test_bigdataball_non_numeric_shot_distance_rejects_only_that_row(
    engine, tmp_path: Path
) -> None:
    rows = toy_rows()
    rows[2]["shot_distance"] = "2 ft"
    _, outcomes = ingest_bigdataball(engine, [write_csv(tmp_path / "pbp.csv", rows)])
    assert (outcomes[0].status, outcomes[0].rows_written, outcomes[0].rows_rejected) == (
        "loaded",
        6,
        1,
    )
    assert engine.fetchall(
        "SELECT row_number, column_name, reason, raw_text FROM nba_processing.ingest_rejects"
    ) == [(3, "shot_distance", "not a valid double", "2 ft")]
    assert pbp(engine, "event_id", "event_type = 'shot'") == [(2,)]


def test_bigdataball_game_unknown_to_schedule_is_rejected(engine, tmp_path: Path) -> None:
    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES ('0022400005', DATE '2024-10-22', 2024, 'LAL', 'MIN', 's')"
    )
    _, outcomes = ingest_bigdataball(engine, [write_csv(tmp_path / "pbp.csv", toy_rows())])
    assert (outcomes[0].rows_written, outcomes[0].rows_rejected) == (0, 7)
    assert engine.fetchall("SELECT DISTINCT reason FROM nba_processing.ingest_rejects") == [
        ("game 0022400001 is not in the schedule for 2024-10-22",)
    ]
    assert count(engine) == 0


def test_bigdataball_teams_contradicting_schedule_refuse_file(engine, tmp_path: Path) -> None:
    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES ('0022400001', DATE '2024-10-22', 2024, 'NYK', 'BOS', 's')"
    )
    f = write_csv(tmp_path / "pbp.csv", toy_rows())
    _, outcomes = ingest_bigdataball(engine, [f])
    assert outcomes[0].status == "refused"
    assert outcomes[0].message == (
        f"{f}: game 0022400001 is NYK at BOS in the file but BOS at NYK in the schedule"
    )
    assert count(engine) == 0


def test_bigdataball_hostile_player_name_is_stored_as_data(engine, tmp_path: Path) -> None:
    evil = "O'Neale'); DROP TABLE nba_raw.play_by_play; --"
    rows = toy_rows()
    rows[3]["player"] = evil
    _, outcomes = ingest_bigdataball(engine, [write_csv(tmp_path / "pbp.csv", rows)])
    assert outcomes[0].status == "loaded"
    assert pbp(engine, "player_1_name, player_1_lookup", "event_id = 4") == [
        (evil, "onealedroptablenbarawplaybyplay")
    ]


def test_bigdataball_clock_parser_reads_hms_and_ms(engine) -> None:
    sql = bigdataball.clock_hms_sql("t")
    got = engine.fetchall(
        f"SELECT {sql} FROM (VALUES ('0:11:44'), ('11:44'), ('0:00:00.5'), ('soon')) v(t)"
    )
    assert [float(r[0]) if r[0] != "soon" else r[0] for r in got] == [704.0, 704.0, 0.5, "soon"]


def test_bigdataball_us_style_dates_are_read(engine, tmp_path: Path) -> None:
    rows = [r | {"date": "10/22/2024"} for r in toy_rows()]
    _, outcomes = ingest_bigdataball(engine, [write_csv(tmp_path / "pbp.csv", rows)])
    assert (outcomes[0].rows_written, outcomes[0].rows_rejected) == (7, 0)
    assert pbp(engine, "DISTINCT CAST(game_date AS VARCHAR), season_year") == [("2024-10-22", 2024)]
