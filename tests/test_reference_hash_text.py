"""The references' data_hash text (bench/reference/base.py) is DuckDB's: doubles as the models
render them, coalesce(CAST(TRY_CAST(x AS DECIMAL(18, 6)) AS VARCHAR), CAST(x AS VARCHAR)), on
halves of the sixth decimal and their neighbours, random doubles of every magnitude, the
DECIMAL(18, 6) bounds, NaN and infinity; the other types as CAST(x AS VARCHAR); NULLs as
concat_ws and coalesce(..., 'NULL') treat them."""

from __future__ import annotations

import datetime as dt
import math
import random
import struct
from decimal import Decimal

import duckdb

from bench.reference.base import data_hash, fixed6, hash_text

DOUBLE_TEXT = "coalesce(CAST(TRY_CAST(x AS DECIMAL(18, 6)) AS VARCHAR), CAST(x AS VARCHAR))"


def sample_doubles(n: int = 4000, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    values = [0.0, -0.0, 5e-7, -5e-7, 1.5e-6, 4.9e-7, 12.5, -12.5, 1 / 3, -2 / 3, 1e300]
    values += [math.inf, -math.inf, math.nan]
    edge = 1e12
    for _ in range(50):  # the largest doubles DECIMAL(18, 6) holds, and the first it does not
        edge = math.nextafter(edge, 0.0)
        values += [edge, -edge, math.nextafter(2e12 - edge, math.inf)]
    for _ in range(n):
        half = (rng.randint(-(10**9), 10**9) + 0.5) / 1e6
        values += [half, math.nextafter(half, math.inf), math.nextafter(half, -math.inf)]
        values.append(rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-8, 13))
        values.append(round(rng.randint(-500, 500) / rng.randint(1, 500), rng.randint(0, 5)))
        bits = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        values.append(bits)
    return values


def test_reference_hash_text_of_doubles_is_duckdbs_fixed_six_decimals() -> None:
    values = sample_doubles()
    con = duckdb.connect()
    got = con.execute(
        f"SELECT {DOUBLE_TEXT} FROM unnest(CAST(? AS DOUBLE[])) WITH ORDINALITY AS u(x, i) "
        "ORDER BY i",
        [values],
    ).fetchall()
    wrong = [(x, sql, hash_text(x)) for x, (sql,) in zip(values, got, strict=True)
             if hash_text(x) != sql]  # fmt: skip
    assert wrong == []
    assert fixed6(0.0000005) == "0.000001" and fixed6(-0.0) == "0.000000"
    assert fixed6(12.5) == "12.500000" and fixed6(1e12) is None and fixed6(math.nan) is None


def test_reference_hash_text_of_other_types_is_their_varchar() -> None:
    con = duckdb.connect()
    cases = [
        ("CAST(-0.5 AS DECIMAL(2, 1))", Decimal("-0.5")),
        ("CAST(0.0 AS DECIMAL(2, 1))", Decimal("-0.0")),
        ("CAST(85 AS DECIMAL(11, 1))", Decimal("85.0")),
        ("CAST(-3 AS INTEGER)", -3),
        ("TRUE", True),
        ("FALSE", False),
        ("DATE '2024-02-09'", dt.date(2024, 2, 9)),
        ("'a b'", "a b"),
    ]
    for sql, value in cases:
        assert hash_text(value) == con.execute(f"SELECT CAST({sql} AS VARCHAR)").fetchone()[0]
    assert hash_text(None) is None


def test_reference_data_hash_treats_null_as_the_models_do() -> None:
    con = duckdb.connect()
    values = ["0022300001", None, 1.25, 7, None, True]
    dropped, as_text = con.execute(
        "SELECT substr(sha256(concat_ws('|', ?, ?, CAST(TRY_CAST(? AS DECIMAL(18, 6)) AS VARCHAR), "
        "CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR))), 1, 16), "
        "substr(sha256('0022300001|NULL|1.250000|7|NULL|true'), 1, 16)",
        [values[0], values[1], 1.25, 7, None, True],
    ).fetchone()
    assert data_hash(values, null=None) == dropped
    assert data_hash(values) == as_text
