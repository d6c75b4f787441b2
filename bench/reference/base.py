"""What every per-table reference shares: reading rows as dicts, SQL-style rounding, and the
shape of a reference's answer.

A reference computes one table for one date the way the legacy processors did: load the
inputs, then loop over the entities in plain Python (filter this player's games before the
date, take the last N, compute). It is written from the spec, not from our SQL, and it is
slow on purpose: it is also the legacy-style baseline that the benchmark times.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import duckdb

Row = dict[str, Any]


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    """A query's result as a list of dicts (column name -> value)."""
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def sql_round(x: float | Decimal | Fraction | None, digits: int = 0) -> float | None:
    """ROUND as SQL does it (half away from zero) on the value's exact decimal expansion.

    Use it on exact inputs (integer ratios as Fraction/Decimal, Decimal sums); for a float
    that is the result of float arithmetic, the SQL side rounds that same float, and
    ``sql_round_float`` mirrors it."""
    if x is None:
        return None
    if isinstance(x, int):
        x = Fraction(x)
    if isinstance(x, Fraction):
        with localcontext() as ctx:
            ctx.prec = 50
            exact = Decimal(x.numerator) / Decimal(x.denominator)
    else:
        exact = Decimal(x)
    q = Decimal(1).scaleb(-digits)
    return float(exact.quantize(q, rounding=ROUND_HALF_UP))


def sql_round_float(x: float | None, digits: int = 0) -> float | None:
    """DuckDB's ROUND of a DOUBLE: scale, round half away from zero, unscale."""
    if x is None:
        return None
    scale = 10.0**digits
    return math.copysign(math.floor(abs(x) * scale + 0.5), x) / scale


def mean(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


@dataclass
class Answer:
    """A reference's rows for one table and date: table rows (every compared column) and
    failure rows (entity -> failure category)."""

    rows: list[Row] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reference:
    """One table's reference: ``compute(con, day)`` -> Answer for that date.

    ``key`` names the columns that identify a row within the date; ``skip`` lists output
    columns the reference does not reproduce, each with the reason (e.g. data_hash: a hash of
    SQL's text rendering of doubles)."""

    table: str
    key: tuple[str, ...]
    compute: Callable[[duckdb.DuckDBPyConnection, dt.date], Answer]
    skip: dict[str, str] = field(default_factory=dict)
    tolerance: dict[str, float] = field(default_factory=dict)  # absolute, per column
