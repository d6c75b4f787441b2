"""player_lookup normalisation and name resolution on real NBA names."""

from __future__ import annotations

import datetime as dt

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
