"""player_lookup normalisation and name resolution on real NBA names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from nbapipe import registry
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.identity import normalize_name, split_suffix
from nbapipe.warehouse import migrate


@pytest.mark.parametrize(
    ("name", "lookup"),
    [
        ("Nikola Jokić", "nikolajokic"),
        ("D'Angelo Russell", "dangelorussell"),
        ("Jaren Jackson Jr.", "jarenjacksonjr"),
        ("Kristaps Porziņģis", "kristapsporzingis"),
        ("Alperen Şengün", "alperensengun"),
        ("Dāvis Bertāns", "davisbertans"),
        ("Jusuf Nurkić", "jusufnurkic"),
        ("Ömer Yurtseven", "omeryurtseven"),
        ("Karl-Anthony Towns", "karlanthonytowns"),
        ("Shai Gilgeous-Alexander", "shaigilgeousalexander"),
        ("P.J. Washington", "pjwashington"),
        ("Larry Nance Junior", "larrynancejr"),
        ("Gary Payton II", "garypaytonii"),
        ("İbrahim Doğan", "ibrahimdogan"),  # Turkish dotted capital I
        ("Nıkola", "nikola"),  # Turkish dotless i
        ("Nikola  Jokić\u00a0", "nikolajokic"),  # non-breaking space, NFKC
        ("ＬｅＢｒｏｎ Ｊａｍｅｓ", "lebronjames"),  # full-width letters, NFKC
    ],
)
def test_identity_normalize_real_names_match_legacy_lookup(name: str, lookup: str) -> None:
    assert normalize_name(name) == lookup


def test_identity_normalize_is_idempotent_on_lookups() -> None:
    for name in ("Nikola Jokić", "Jaren Jackson Jr.", "Alperen Şengün"):
        once = normalize_name(name)
        assert normalize_name(once) == once


def test_identity_normalize_empty_and_none_give_empty_lookup() -> None:
    assert normalize_name(None) == ""
    assert normalize_name("  .,'- ") == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jimmy Butler III", ("Jimmy Butler", "iii")),
        ("Jaren Jackson Jr.", ("Jaren Jackson", "jr")),
        ("Derrick Jones Jr., ", ("Derrick Jones", "jr")),
        ("Nikola Jokić", ("Nikola Jokić", None)),
        ("Victor Wembanyama", ("Victor Wembanyama", None)),
    ],
)
def test_identity_split_suffix_finds_generational_suffix(name, expected) -> None:
    assert split_suffix(name) == expected


@pytest.fixture()
def engine():
    eng = DuckDBEngine(":memory:")
    migrate(eng)
    box_names = [
        ("Nicolas Claxton", 1629651),
        ("Jimmy Butler", 202710),
        ("Alperen Şengün", 1630578),
        ("Jaren Jackson Jr.", 1628991),
        ("Cameron Johnson", 1629661),
        ("Keldon Johnson", 1629640),
        ("Chris Johnson", 1),
        ("Chris Johnson", 2),  # two players, one name
    ]
    rows = pa.table(
        {
            "player_name": [n for n, _ in box_names],
            "player_lookup": [normalize_name(n) for n, _ in box_names],
            "nba_player_id": pa.array([i for _, i in box_names], pa.int64()),
            "game_date": [dt.date(2024, 11, 1)] * len(box_names),
        }
    )
    with eng.registered("box", rows):
        registry.register_players(eng, "SELECT * FROM box", source="test")
    yield eng
    eng.close()


def _resolve(engine, names: list[str]) -> dict[str, tuple]:
    rows = pa.table(
        {
            "player_name": names,
            "game_date": [dt.date(2024, 11, 2)] * len(names),
            "team_abbr": ["BKN"] * len(names),
        }
    )
    with engine.registered("props", rows):
        registry.resolve_names(engine, "SELECT * FROM props", source="odds", context="props")
    return {
        r[0]: r[1:]
        for r in engine.fetchall(
            "SELECT player_name, universal_player_id, method, failure_reason FROM _resolved_names"
        )
    }


def test_identity_sportsbook_names_resolve_to_box_score_players(engine) -> None:
    got = _resolve(engine, ["Nic Claxton", "Jimmy Butler III", "Alperen Sengun", "Jaren Jackson"])
    assert got["Nic Claxton"][:2] == ("nicolasclaxton_001", "nickname")
    assert got["Jimmy Butler III"][:2] == ("jimmybutler_001", "suffix")
    assert got["Alperen Sengun"][:2] == ("alperensengun_001", "alias")
    assert got["Jaren Jackson"][:2] == ("jarenjacksonjr_001", "suffix")


def test_identity_unresolved_names_are_logged_never_dropped(engine) -> None:
    got = _resolve(engine, ["Nobody Atall", "'; DROP TABLE x; --", "Chris Johnson"])
    assert all(v[0] is None for v in got.values())
    assert got["Chris Johnson"][2].startswith("ambiguous: chrisjohnson_001, chrisjohnson_002")
    logged = engine.fetchall(
        "SELECT player_name, game_date, team_abbr, context, occurrences "
        "FROM nba_processing.registry_failures ORDER BY player_name"
    )
    assert [r[0] for r in logged] == ["'; DROP TABLE x; --", "Chris Johnson", "Nobody Atall"]
    assert all(r[1] == dt.date(2024, 11, 2) and r[2] == "BKN" and r[3] == "props" for r in logged)
    # The registry tables survived the hostile name.
    assert engine.table_exists("nba_reference.nba_players_registry")


def test_identity_prefix_rule_refuses_ambiguous_first_names(engine) -> None:
    # "Cam Johnson" could only be Cameron; "K Johnson" is too short to mean anyone.
    got = _resolve(engine, ["Cam Johnson", "K Johnson"])
    assert got["Cam Johnson"][0] == "cameronjohnson_001"
    assert got["K Johnson"][0] is None


def test_identity_learned_alias_resolves_directly_next_time(engine) -> None:
    _resolve(engine, ["Nic Claxton"])
    got = _resolve(engine, ["Nic Claxton"])
    assert got["Nic Claxton"][:2] == ("nicolasclaxton_001", "alias")


def test_identity_registry_is_stable_across_reregistration(engine) -> None:
    before = engine.fetchall("SELECT * FROM nba_reference.nba_players_registry ORDER BY 1")
    rows = pa.table(
        {
            "player_name": ["Nicolas Claxton"],
            "player_lookup": ["nicolasclaxton"],
            "nba_player_id": pa.array([1629651], pa.int64()),
            "game_date": [dt.date(2025, 1, 5)],
        }
    )
    with engine.registered("box2", rows):
        result = registry.register_players(engine, "SELECT * FROM box2", source="test")
    assert result.new_players == 0
    after = engine.fetchall("SELECT universal_player_id FROM nba_reference.nba_players_registry")
    assert sorted(r[0] for r in after) == sorted(r[0] for r in before)
    last = engine.fetchone(
        "SELECT last_seen_date FROM nba_reference.nba_players_registry "
        "WHERE universal_player_id = 'nicolasclaxton_001'"
    )[0]
    assert last == dt.date(2025, 1, 5)


# -- players with identical names (namesakes) ---------------------------------------------------


def _register(engine, players: list[tuple[str, int | None, dt.date]]) -> None:
    rows = pa.table(
        {
            "player_name": [n for n, _, _ in players],
            "player_lookup": [normalize_name(n) for n, _, _ in players],
            "nba_player_id": pa.array([i for _, i, _ in players], pa.int64()),
            "game_date": [d for _, _, d in players],
        }
    )
    with engine.registered("batch", rows):
        registry.register_players(engine, "SELECT * FROM batch", source="test")


def _players(engine, name_lookup: str) -> list[tuple]:
    return engine.fetchall(
        "SELECT universal_player_id, player_lookup, nba_player_id "
        "FROM nba_reference.nba_players_registry WHERE split_part(player_lookup, '_', 1) = ? "
        "ORDER BY 1",
        [name_lookup],
    )


def _aliases(engine, alias_lookup: str) -> list[tuple]:
    return engine.fetchall(
        "SELECT universal_player_id, reason FROM nba_reference.player_aliases "
        "WHERE alias_lookup = ?",
        [alias_lookup],
    )


def test_identity_namesakes_in_one_batch_get_distinct_lookups(engine) -> None:
    # The fixture registered two "Chris Johnson" (ids 1 and 2) in one batch.
    assert _players(engine, "chrisjohnson") == [
        ("chrisjohnson_001", "chrisjohnson", 1),
        ("chrisjohnson_002", "chrisjohnson_2", 2),
    ]
    assert _aliases(engine, "chrisjohnson") == []  # the plain name names nobody
    assert _aliases(engine, "chrisjohnson_2") == [("chrisjohnson_002", "canonical")]


def test_identity_namesake_arriving_later_keeps_the_first_players_lookup(engine) -> None:
    d1, d2 = dt.date(2024, 11, 3), dt.date(2024, 11, 1)
    _register(engine, [("Marcus Williams", 201173, d1)])
    assert _aliases(engine, "marcuswilliams") == [("marcuswilliams_001", "canonical")]
    # The second arrives in a later batch, even with an earlier first game: lookups are stable.
    _register(engine, [("Marcus Williams", 201174, d2), ("Marcus Williams", 201173, d2)])
    assert _players(engine, "marcuswilliams") == [
        ("marcuswilliams_001", "marcuswilliams", 201173),
        ("marcuswilliams_002", "marcuswilliams_201174", 201174),
    ]
    assert _aliases(engine, "marcuswilliams") == []
    # A third namesake.
    _register(engine, [("Marcus Williams", 99, d2)])
    assert _players(engine, "marcuswilliams")[-1] == ("marcuswilliams_003", "marcuswilliams_99", 99)


def test_identity_reregistering_namesakes_changes_nothing(engine) -> None:
    day = dt.date(2024, 11, 1)
    batch = [("Tony Mitchell", 203183, day), ("Tony Mitchell", 203200, day)]
    _register(engine, batch)
    before = engine.fetchall("SELECT * FROM nba_reference.nba_players_registry ORDER BY ALL")
    aliases = engine.fetchall("SELECT * FROM nba_reference.player_aliases ORDER BY ALL")
    _register(engine, list(reversed(batch)))
    assert (
        engine.fetchall("SELECT * FROM nba_reference.nba_players_registry ORDER BY ALL") == before
    )
    assert engine.fetchall("SELECT * FROM nba_reference.player_aliases ORDER BY ALL") == aliases
    assert [p[1] for p in _players(engine, "tonymitchell")] == [
        "tonymitchell",
        "tonymitchell_203200",
    ]


def test_identity_same_name_without_ids_is_one_player(engine) -> None:
    day = dt.date(2024, 11, 1)
    _register(engine, [("Gary Payton", None, day)])
    _register(engine, [("Gary Payton", None, day + dt.timedelta(days=1))])
    assert _players(engine, "garypayton") == [("garypayton_001", "garypayton", None)]


def test_identity_every_rule_finds_namesakes_ambiguous(engine) -> None:
    # Exact name (no alias left), without the suffix, and by the first-name prefix.
    got = _resolve(engine, ["Chris Johnson", "Chris Johnson Jr.", "Christopher Johnson"])
    for name in got:
        assert got[name][0] is None, name
        assert got[name][2] == "ambiguous: chrisjohnson_001, chrisjohnson_002", name


def test_identity_alias_learnt_before_a_namesake_arrives_is_dropped(engine) -> None:
    got = _resolve(engine, ["Nic Claxton"])
    assert got["Nic Claxton"][:2] == ("nicolasclaxton_001", "nickname")
    assert _aliases(engine, "nicclaxton") == [("nicolasclaxton_001", "nickname")]
    _register(engine, [("Nicolas Claxton", 42, dt.date(2024, 12, 1))])
    assert _aliases(engine, "nicclaxton") == []
    got = _resolve(engine, ["Nic Claxton"])
    assert got["Nic Claxton"][2] == "ambiguous: nicolasclaxton_001, nicolasclaxton_002"


def _box(rows: list[tuple[str, int, str]]) -> pa.Table:
    return pa.table(
        {
            "game_date": [dt.date(2024, 11, 1)] * len(rows),
            "player_name": [n for n, _, _ in rows],
            "player_lookup": [lk for _, _, lk in rows],
            "nba_player_id": pa.array([i for _, i, _ in rows], pa.int64()),
            "universal_player_id": pa.nulls(len(rows), pa.string()),
        }
    )


def test_identity_identify_players_rewrites_lookups_by_person_id(engine) -> None:
    box = _box(
        [("Marcus Williams", 11, "marcuswilliams"), ("Marcus Williams", 12, "marcuswilliams")]
    )
    pbp = pa.table(
        {
            "player_1_lookup": ["marcuswilliams", "jimmybutleriii", "marcuswilliams"],
            "player_1_name": ["Marcus Williams", "Jimmy Butler III", "Marcus Williams"],
            "player_1_id": pa.array([12, 202710, 11], pa.int64()),
            "player_2_lookup": ["marcuswilliams", None, None],
            "player_2_name": ["Marcus Williams", None, None],
            "player_2_id": pa.array([11, None, None], pa.int64()),
            "_row": pa.array([1, 2, 3], pa.int64()),
        }
    )
    with engine.transaction():
        out, result = registry.identify_players(
            engine, {"player_boxscores": box, "play_by_play": pbp}, source="test"
        )
    assert (result.new_players, result.known_players) == (2, 0)
    assert out["player_boxscores"].select(["player_lookup", "universal_player_id"]).to_pylist() == [
        {"player_lookup": "marcuswilliams", "universal_player_id": "marcuswilliams_001"},
        {"player_lookup": "marcuswilliams_12", "universal_player_id": "marcuswilliams_002"},
    ]
    assert out["play_by_play"].schema == pbp.schema
    assert out["play_by_play"]["player_1_lookup"].to_pylist() == [
        "marcuswilliams_12",
        "jimmybutler",
        "marcuswilliams",
    ]
    assert out["play_by_play"]["player_2_lookup"].to_pylist() == ["marcuswilliams", None, None]
    assert out["play_by_play"]["_row"].to_pylist() == [1, 2, 3]
    # Butler's shot-chart spelling became an alias; the namesakes' shared name did not.
    assert _aliases(engine, "jimmybutleriii") == [("jimmybutler_001", "same_nba_id")]
    assert _aliases(engine, "marcuswilliams") == []


# -- namesakes through the file ingest ------------------------------------------------------------

NBA_LOG_HEADER = (
    "player,player_id,date,matchup,result,minutes,fgm,fga,fg_pct,threes_made,threes_attempted,"
    "three_pct,ftm,fta,ft_pct,oreb,dreb,reb,ast,stl,blk,tov,pf,pts,plus_minus,opponent,home_away,"
    "player_normalized\n"
)


def _log_row(name: str, pid: int, matchup: str, pts: int, opp: str, home: str) -> str:
    return (
        f"{name},{pid},2024-10-22,{matchup},W,30.0,10,18,0.556,2,5,0.4,1,2,0.5,0,4,4,3,"
        f"1,1,1,1,{pts},5,{opp},{home},{name}\n"
    )


def _props_file(folder: Path, *players: str) -> Path:
    """An Odds API snapshot of the BOS-NYK game of 2024-10-22: a points line per player."""
    f = folder / "raw_20241022_170000.csv"
    game = "New York Knicks @ Boston Celtics,2024-10-22T23:30:00Z"
    f.write_text(
        "event_id,player,market,line,bookmaker,game,game_time,over_odds,under_odds\n"
        + "".join(f"e1,{p},player_points,14.5,draftkings,{game},-110,-110\n" for p in players)
    )
    return f


SHOTS_HEADER = (
    "SEASON_1,SEASON_2,TEAM_ID,TEAM_NAME,PLAYER_ID,PLAYER_NAME,GAME_DATE,GAME_ID,HOME_TEAM,"
    "AWAY_TEAM,EVENT_TYPE,SHOT_MADE,ACTION_TYPE,SHOT_TYPE,BASIC_ZONE,ZONE_NAME,ZONE_ABB,"
    "ZONE_RANGE,LOC_X,LOC_Y,SHOT_DISTANCE,QUARTER,MINS_LEFT,SECS_LEFT\n"
)


def _shot(team_id: int, team: str, pid: int, name: str, secs: int) -> str:
    return (
        f"2025,2024-25,{team_id},{team},{pid},{name},10-22-2024,22400061,BOS,NYK,"
        "Made Shot,TRUE,Dunk Shot,2PT Field Goal,Restricted Area,Center,C,Less Than 8 ft.,"
        f"0.0,5.95,0,1,10,{secs}\n"
    )


@pytest.fixture()
def namesakes_game(engine, tmp_path):
    """BOS-NYK, 2024-10-22, where two Marcus Williams (ids 1001 and 1002) play each other."""
    from nbapipe.sources.nba_stats import ingest_nba_stats

    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, game_start_time, season_year, "
        "home_team_abbr, away_team_abbr, source) VALUES ('0022400061', DATE '2024-10-22', "
        "TIMESTAMP '2024-10-22 23:30:00', 2024, 'BOS', 'NYK', 'test')"
    )
    logs = tmp_path / "a_player_logs.csv"
    logs.write_text(
        NBA_LOG_HEADER
        + _log_row("Marcus Williams", 1001, "BOS vs. NYK", 25, "NYK", "HOME")
        + _log_row("Marcus Williams", 1002, "NYK @ BOS", 12, "BOS", "AWAY")
        + _log_row("Jalen Brunson", 1628973, "NYK @ BOS", 22, "BOS", "AWAY")
    )
    shots = tmp_path / "b_shots.csv"
    shots.write_text(
        SHOTS_HEADER
        + _shot(1610612738, "Boston Celtics", 1001, "Marcus Williams", 30)
        + _shot(1610612752, "New York Knicks", 1002, "Marcus Williams", 20)
    )
    _, outcomes = ingest_nba_stats(engine, [logs, shots])
    return engine, outcomes, [logs, shots]


def test_identity_namesakes_meeting_in_one_game_ingest_as_two_players(namesakes_game) -> None:
    engine, outcomes, paths = namesakes_game
    assert [o.status for o in outcomes] == ["loaded", "loaded"], [o.message for o in outcomes]
    box = engine.fetchall(
        "SELECT player_lookup, universal_player_id, team_abbr, points "
        "FROM nba_raw.player_boxscores WHERE player_name = 'Marcus Williams' ORDER BY 1"
    )
    assert box == [
        ("marcuswilliams", "marcuswilliams_001", "BOS", 25),
        ("marcuswilliams_1002", "marcuswilliams_002", "NYK", 12),
    ]
    shots = engine.fetchall(
        "SELECT player_1_id, player_1_lookup FROM nba_raw.play_by_play ORDER BY 1"
    )
    assert shots == [(1001, "marcuswilliams"), (1002, "marcuswilliams_1002")]
    assert _aliases(engine, "marcuswilliams") == []
    # Re-ingesting the same files changes neither the registry nor the rows.
    registry_before = engine.fetchall(
        "SELECT * FROM nba_reference.nba_players_registry ORDER BY ALL"
    )
    rows_before = engine.fetchall(
        "SELECT * EXCLUDE (ingest_run_id) FROM nba_raw.player_boxscores ORDER BY ALL"
    )
    from nbapipe.sources.nba_stats import ingest_nba_stats

    _, again = ingest_nba_stats(engine, paths, force=True)
    assert [o.status for o in again] == ["loaded", "loaded"]
    assert (
        engine.fetchall("SELECT * FROM nba_reference.nba_players_registry ORDER BY ALL")
        == registry_before
    )
    assert (
        engine.fetchall(
            "SELECT * EXCLUDE (ingest_run_id) FROM nba_raw.player_boxscores ORDER BY ALL"
        )
        == rows_before
    )


def test_identity_props_naming_a_shared_name_are_ambiguous(namesakes_game, tmp_path) -> None:
    from nbapipe.sources.odds_api import ingest_odds_api

    engine = namesakes_game[0]
    f = _props_file(tmp_path, "Marcus Williams", "Jalen Brunson")
    summary, outcomes = ingest_odds_api(engine, [f])
    assert outcomes[0].status == "loaded", outcomes[0].message
    assert summary.unresolved_names == 1
    assert engine.fetchall("SELECT player_lookup FROM nba_raw.player_props") == [("jalenbrunson",)]
    failures = engine.fetchall(
        "SELECT player_name, player_lookup, game_date, context, reason "
        "FROM nba_processing.registry_failures"
    )
    assert failures == [
        (
            "Marcus Williams",
            "marcuswilliams",
            dt.date(2024, 10, 22),
            f"player_props:{f}",
            "ambiguous: marcuswilliams_001, marcuswilliams_002",
        )
    ]


def test_identity_an_alias_for_a_shared_name_says_which_files_to_read_again(
    namesakes_game, tmp_path
) -> None:
    """Rows naming a shared name were left out when read: the alias cannot bring them back
    by itself, so it names the files; reading them again (--force) does."""
    from nbapipe.sources.odds_api import ingest_odds_api

    engine = namesakes_game[0]
    f = _props_file(tmp_path, "Marcus Williams")
    ingest_odds_api(engine, [f])
    assert engine.fetchone("SELECT count(*) FROM nba_raw.player_props")[0] == 0
    done = registry.add_alias(engine, "Marcus Williams", "marcuswilliams_002")
    assert done == registry.AliasResult(registry.Reresolved(0, 0), [("odds_api", str(f))])
    ingest_odds_api(engine, [f], force=True)
    assert engine.fetchall("SELECT player_lookup FROM nba_raw.player_props") == [
        ("marcuswilliams_1002",)
    ]
    assert engine.fetchone("SELECT count(*) FROM nba_processing.registry_failures")[0] == 0


def test_identity_a_name_that_becomes_shared_ends_as_a_read_would_leave_it(tmp_path) -> None:
    """Props naming "Marcus Williams" read before the box scores of two Marcus Williams kept
    the lookup 'marcuswilliams', the first one's: attached to him, where a read after the box
    scores leaves them out as ambiguous. And an alias for the name moved the first one's
    play-by-play rows (matched by lookup, not by his person id)."""
    from nbapipe.sources.nba_stats import ingest_nba_stats
    from nbapipe.sources.odds_api import ingest_odds_api

    def warehouse(folder: Path, props_first: bool) -> DuckDBEngine:
        folder.mkdir()
        engine = DuckDBEngine(":memory:")
        migrate(engine)
        engine.execute(
            "INSERT INTO nba_raw.schedule (game_id, game_date, game_start_time, season_year, "
            "home_team_abbr, away_team_abbr, source) VALUES ('0022400061', DATE '2024-10-22', "
            "TIMESTAMP '2024-10-22 23:30:00', 2024, 'BOS', 'NYK', 'test')"
        )
        logs, shots = folder / "a_player_logs.csv", folder / "b_shots.csv"
        logs.write_text(
            NBA_LOG_HEADER
            + _log_row("Marcus Williams", 1001, "BOS vs. NYK", 25, "NYK", "HOME")
            + _log_row("Marcus Williams", 1002, "NYK @ BOS", 12, "BOS", "AWAY")
        )
        shots.write_text(
            SHOTS_HEADER
            + _shot(1610612738, "Boston Celtics", 1001, "Marcus Williams", 30)
            + _shot(1610612752, "New York Knicks", 1002, "Marcus Williams", 20)
        )
        props = _props_file(tmp_path, "Marcus Williams")  # one file and identity, both orders
        steps = [
            lambda: ingest_odds_api(engine, [props]),
            lambda: ingest_nba_stats(engine, [logs, shots]),
        ]
        for step in steps if props_first else steps[::-1]:
            step()
        return engine

    found = {}
    for props_first in (True, False):
        engine = warehouse(tmp_path / str(props_first), props_first)
        found[props_first] = [
            engine.fetchall("SELECT player_name, player_lookup FROM nba_raw.player_props"),
            engine.fetchall(
                "SELECT source, player_name, player_lookup, game_date, reason "
                "FROM nba_processing.registry_failures ORDER BY ALL"
            ),
            engine.fetchall(
                "SELECT player_1_id, player_1_lookup FROM nba_raw.play_by_play ORDER BY ALL"
            ),
        ]
        if props_first:
            done = registry.add_alias(engine, "Marcus Williams", "marcuswilliams_002")
            assert done.read_again == [("odds_api", str(tmp_path / "raw_20241022_170000.csv"))]
            assert engine.fetchall(
                "SELECT player_1_id, player_1_lookup FROM nba_raw.play_by_play ORDER BY ALL"
            ) == [(1001, "marcuswilliams"), (1002, "marcuswilliams_1002")]
        engine.close()
    assert found[True] == found[False]
    assert found[True][0] == []  # left out
    assert found[True][1][0][4] == "ambiguous: marcuswilliams_001, marcuswilliams_002"


def test_identity_an_alias_never_gives_a_shared_name_to_a_third_player(namesakes_game) -> None:
    from nbapipe.errors import InputError

    engine = namesakes_game[0]
    with pytest.raises(InputError, match="is the name of registry players marcuswilliams_001"):
        registry.add_alias(engine, "Marcus Williams", "jalenbrunson_001")
    registry.add_alias(engine, "Marcus Williams", "marcuswilliams_002")  # one of them: fine


def test_identity_a_refused_box_score_file_reports_no_registry_change(engine, tmp_path) -> None:
    """A player log refused after its registry step (a duplicated row) reported the names it
    had resolved and the players it had registered, all rolled back."""
    from nbapipe.sources.nba_stats import ingest_nba_stats
    from nbapipe.sources.odds_api import ingest_odds_api

    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, game_start_time, season_year, "
        "home_team_abbr, away_team_abbr, source) VALUES ('0022400061', DATE '2024-10-22', "
        "TIMESTAMP '2024-10-22 23:30:00', 2024, 'BOS', 'NYK', 'test')"
    )
    props = _props_file(tmp_path, "Jalen Brunson")
    ingest_odds_api(engine, [props])
    row = _log_row("Jalen Brunson", 1628973, "NYK @ BOS", 22, "BOS", "AWAY")
    logs = tmp_path / "a_player_logs.csv"
    logs.write_text(NBA_LOG_HEADER + row + row)
    summary, outcomes = ingest_nba_stats(engine, [logs])
    assert outcomes[0].status == "refused"
    assert (summary.new_players, summary.names_resolved, summary.rows_resolved) == (0, 0, 0)
    assert engine.fetchone("SELECT count(*) FROM nba_processing.registry_failures")[0] == 1
    logs.write_text(NBA_LOG_HEADER + row)
    summary, _ = ingest_nba_stats(engine, [logs])
    assert (summary.new_players, summary.names_resolved, summary.rows_resolved) == (1, 1, 0)
    assert engine.fetchone("SELECT count(*) FROM nba_processing.registry_failures")[0] == 0
