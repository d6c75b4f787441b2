"""Model declarations, dependency order, and portable SQL (SQLGlot to Spark and back)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlglot
from sqlglot import ErrorLevel

from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.pipeline.model import (
    ModelError,
    all_models,
    dependency_order,
    parse_model,
    render,
    resolve,
)
from nbapipe.pipeline.runner import _values

RANGE = _values(dt.date(2024, 10, 1), dt.date(2024, 12, 1))


def test_models_every_declaration_is_complete() -> None:
    models = all_models()
    assert "nba_analytics.team_offense_game_summary" in models
    for m in models.values():
        assert m.key and m.date_column in m.key, m.name
        assert m.grain.startswith("one row per"), m.name
        assert any(c.kind == "unique_key" for c in m.checks), m.name
        assert m.upstream, m.name


def test_models_order_is_derived_from_declared_upstreams() -> None:
    order = [m.name for m in dependency_order(all_models())]
    assert order.index("nba_analytics.team_offense_game_summary") < order.index(
        "nba_analytics.team_defense_game_summary"
    )
    downstream = [m.name for m in resolve(None, from_model="team_offense_game_summary")]
    assert downstream[0] == "nba_analytics.team_offense_game_summary"
    assert "nba_analytics.team_defense_game_summary" in downstream


def test_models_bodies_use_vocabulary_not_magic_numbers() -> None:
    for m in all_models().values():
        for magic in ("23.75", "0.44", " 8.0", "<= 8 ", "240"):
            assert magic not in m.sql, f"{m.path} hard-codes {magic.strip()}: use nbapipe.vocab"


@pytest.mark.parametrize("name", sorted(all_models()))
def test_models_transpile_to_spark_sql(name: str) -> None:
    sql = render(all_models()[name], RANGE)
    spark = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
    assert len(spark) == 1 and "QUALIFY" not in spark[0].upper()
    # SQLGlot passes an as-of join through unchanged, and Spark has none: models use marks in
    # a date-ordered stream instead (docs/pipeline.md).
    tree = sqlglot.parse_one(sql, read="duckdb")
    methods = {str(j.args.get("method") or "").upper() for j in tree.find_all(sqlglot.exp.Join)}
    assert "ASOF" not in methods, f"{name} uses an as-of join"


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("season") / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=3, warehouse=path)
    api.backfill("2024-10-01", "2024-12-31", warehouse=path)
    return path


@pytest.mark.parametrize("name", sorted(all_models()))
def test_models_spark_translation_means_the_same(season: Path, name: str) -> None:
    """DuckDB SQL -> Spark SQL -> DuckDB SQL returns the same rows as the original."""
    sql = render(all_models()[name], RANGE)
    spark = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
    back = sqlglot.transpile(spark[0], read="spark", write="duckdb")[0]
    with DuckDBEngine(season, create=False) as eng:
        original = eng.fetchall(f"SELECT * FROM ({sql}) ORDER BY ALL")
        round_trip = eng.fetchall(f"SELECT * FROM ({back}) ORDER BY ALL")
    assert len(original) > 500
    assert round_trip == original


def test_models_header_errors_name_the_file() -> None:
    with pytest.raises(ModelError, match=r"bad.sql: header is missing '-- key"):
        parse_model(
            "-- name: a.b\n-- description: x\n-- grain: one row per x\n-- date_column: d\nSELECT 1",
            "bad.sql",
        )
    with pytest.raises(ModelError, match="bad check"):
        parse_model(
            "-- name: a.b\n-- description: x\n-- grain: one row per x\n-- key: d\n"
            "-- date_column: d\n-- check: frobnicate\nSELECT 1",
            "bad.sql",
        )
    head = (
        "-- name: a.b\n-- description: x\n-- grain: one row per x\n-- key: d\n-- date_column: d\n"
    )
    ok = parse_model(f"{head}-- team_games: defending_team_abbr\nSELECT 1", "ok.sql")
    assert ok.team_games == "defending_team_abbr"
    assert parse_model(f"{head}SELECT 1", "ok.sql").team_games is None
    for bad in ("team_abbr, opponent_team_abbr", "Team"):
        with pytest.raises(ModelError, match=r"bad\.sql: team_games must name one output column"):
            parse_model(f"{head}-- team_games: {bad}\nSELECT 1", "bad.sql")


def test_models_unknown_placeholder_is_an_error() -> None:
    model = parse_model(
        "-- name: a.b\n-- description: x\n-- grain: one row per x\n-- key: d\n"
        "-- date_column: d\nSELECT {{ NOPE }} AS d",
        "x.sql",
    )
    with pytest.raises(ModelError, match=re.escape("unknown placeholder {{ NOPE }}")):
        render(model, RANGE)


def test_models_template_function_renders_and_misuse_is_an_error() -> None:
    def body(sql: str):
        return parse_model(
            "-- name: a.b\n-- description: x\n-- grain: one row per x\n-- key: d\n"
            f"-- date_column: d\n{sql}",
            "x.sql",
        )

    sql = render(body("SELECT {{ HASH_TEXT_DOUBLE(t.x) }} AS h FROM t"), RANGE)
    assert "TRY_CAST(t.x AS DECIMAL(18, 6))" in sql and "{{" not in sql
    with DuckDBEngine(":memory:") as eng:
        eng.execute("CREATE TABLE t (x DOUBLE)")
        eng.execute("INSERT INTO t VALUES (12.5), (NULL), ('nan'), (1e13)")
        assert [r[0] for r in eng.fetchall(sql)] == ["12.500000", None, "nan", "10000000000000.0"]
    with pytest.raises(ModelError, match=re.escape("should read {{ HASH_TEXT_DOUBLE(column) }}")):
        render(body("SELECT {{ HASH_TEXT_DOUBLE }} AS h"), RANGE)
    with pytest.raises(ModelError, match=re.escape("should read {{ PAINT_MAX_FEET }}")):
        render(body("SELECT {{ PAINT_MAX_FEET(x) }} AS h"), RANGE)


def test_models_round_mean_rounds_the_exact_mean_half_away_from_zero() -> None:
    """ROUND of a DOUBLE mean can fall on the wrong side of a half (the mean 128.075 is the
    double 128.07499...); ROUND_MEAN rounds the exact mean as SQL rounds a DECIMAL."""
    import random
    from decimal import ROUND_HALF_UP, Decimal

    model = parse_model(
        "-- name: a.b\n-- description: x\n-- grain: one row per x\n-- key: d\n"
        "-- date_column: d\n"
        "SELECT g, {{ ROUND_MEAN(s, n, 2) }} AS r2, {{ ROUND_MEAN(s, n, 1) }} AS r1, "
        "{{ ROUND_MEAN(s, n, 0) }} AS r0 FROM (SELECT g, sum(CAST(v AS DECIMAL(12, 4))) AS s, "
        "count(v) AS n FROM t GROUP BY g) ORDER BY g",
        "x.sql",
    )
    sql = render(model, RANGE)
    rng = random.Random(5)
    groups = [["128.07", "128.08"], ["-128.07", "-128.08"], ["0.05", "0.10"], [None]]
    groups += [
        [f"{rng.uniform(-150, 150):.2f}" for _ in range(rng.randint(1, 15))] for _ in range(300)
    ]

    def exact(values: list, digits: int) -> float | None:
        vals = [Decimal(v) for v in values if v is not None]
        if not vals:
            return None
        mean = sum(vals) / len(vals)
        return float(mean.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))

    with DuckDBEngine(":memory:") as eng:
        eng.execute("CREATE TABLE t (g INTEGER, v DOUBLE)")
        rows = [(i, None if v is None else float(v)) for i, vs in enumerate(groups) for v in vs]
        eng.con.executemany("INSERT INTO t VALUES (?, ?)", rows)
        got = eng.fetchall(sql)
    assert [g for g, *_ in got] == list(range(len(groups)))
    for (_, r2, r1, r0), values in zip(got, groups, strict=True):
        assert (r2, r1, r0) == (exact(values, 2), exact(values, 1), exact(values, 0)), values
    assert got[0][1] == 128.08 and got[1][1] == -128.08 and got[2][2] == 0.1
