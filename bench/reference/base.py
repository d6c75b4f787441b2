"""What every per-table reference shares: reading rows as dicts, SQL-style rounding, the text
and hash of a row's data_hash, and the shape of a reference's answer.

A reference computes one table for one date the way the legacy processors did: load the
inputs, then loop over the entities in plain Python (filter this player's games before the
date, take the last N, compute). It is written from the spec, not from our SQL, and it is
slow on purpose: it is also the legacy-style baseline that the benchmark times.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import duckdb

from nbapipe import vocab

Row = dict[str, Any]


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    """A query's result as a list of dicts (column name -> value)."""
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def window_ready(actual: int, expected: int) -> bool:
    """A completeness window is production-ready: its actual games at least
    PRODUCTION_READY_PCT of the expected ones (TRUE when none were expected)."""
    return 100 * actual >= vocab.PRODUCTION_READY_PCT * expected


def season_openers(con: duckdb.DuckDBPyConnection) -> dict[int, dt.date]:
    """Each season's real opener: its first Regular Season game in the schedule."""
    return dict(
        con.execute(
            "SELECT season_year, min(game_date) FROM nba_raw.schedule "
            "WHERE coalesce(season_type, 'Regular Season') = 'Regular Season' GROUP BY 1"
        ).fetchall()
    )


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


def fixed6(x: float) -> str | None:
    """DuckDB's ``CAST(TRY_CAST(x AS DECIMAL(18, 6)) AS VARCHAR)`` of a DOUBLE: the double
    product x * 1e6 rounded half away from zero, written with six decimals ('12.500000',
    '-0.000001', '0.000000' for -0.0); None where the cast fails (NaN, infinity, 1e12 and
    beyond). Checked against DuckDB on 1.6 million doubles (halves and their neighbours,
    random bit patterns) and every double of a 4-season warehouse."""
    product = x * 1e6
    if not math.isfinite(product):
        return None
    scaled = int(Decimal(product).to_integral_value(rounding=ROUND_HALF_UP))
    if abs(scaled) >= 10**18:
        return None
    whole, frac = divmod(abs(scaled), 10**6)
    return f"{'-' if scaled < 0 else ''}{whole}.{frac:06d}"


def hash_text(value: Any) -> str | None:
    """The text a model's data_hash gives a value (None for NULL): a double (Python float)
    as fixed six decimals (``fixed6``; where that cast fails, DuckDB's own text of the double,
    which is Python's repr but for a negative NaN), a DECIMAL (Python Decimal) with its
    scale, a boolean as 'true'/'false', a date in ISO form, integers and strings as they
    are."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = fixed6(value)
        if text is None and math.isnan(value):  # DuckDB keeps a NaN's sign: '-nan'
            return "-nan" if math.copysign(1.0, value) < 0 else "nan"
        return repr(value) if text is None else text
    if isinstance(value, Decimal):
        return format(value.copy_abs() if value == 0 else value, "f")
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"no data_hash text for {type(value).__name__}")


def data_hash(values: Iterable[Any], *, null: str | None = "NULL") -> str:
    """``substr(sha256(concat_ws('|', ...)), 1, 16)`` over the values' ``hash_text``: a NULL
    as ``null``, or left out, as concat_ws does, when ``null`` is None."""
    texts = (hash_text(v) for v in values)
    joined = "|".join(null if t is None else t for t in texts if t is not None or null is not None)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def as_double(value: float | int | Decimal | Fraction | None) -> float | None:
    """A value the model holds as DOUBLE (the reference may have it as an int or an exact
    number)."""
    return None if value is None else float(value)


def row_hash(
    row: Row, columns: Sequence[str], doubles: Collection[str] = (), dropped: Collection[str] = ()
) -> str:
    """``data_hash`` over the row's ``columns`` in order, those in ``doubles`` as DOUBLE; a NULL
    as 'NULL', or left out in the columns of ``dropped`` (not coalesced in the model's
    concat_ws)."""
    values = []
    for c in columns:
        v = as_double(row[c]) if c in doubles else row[c]
        if v is not None or c not in dropped:
            values.append("NULL" if v is None else v)
    return data_hash(values)


def mean(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


@dataclass
class Answer:
    """A reference's rows for one table and date: table rows (every compared column) and
    failure rows (entity -> failure category)."""

    rows: list[Row] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)


def missing_team_games(
    con: duckdb.DuckDBPyConnection, day: dt.date, written: Iterable[Row], team_column: str
) -> dict[str, str]:
    """A per-game table's failure rows for one date: each team of a completed game of the
    schedule (final, not pre-season or All-Star) that the table has no row for, as
    '<game id> <team>' -> MISSING_RAW_DATA."""
    have = {(r["game_id"], r[team_column]) for r in written}
    games: dict[str, tuple[str, str]] = {}
    for g in rows(
        con,
        "SELECT game_id, home_team_abbr, away_team_abbr, season_type, game_status "
        "FROM nba_raw.schedule WHERE game_date = ? ORDER BY game_id, home_team_abbr",
        [day],
    ):
        final = g["game_status"] in (None, 3)
        if final and (g["season_type"] or "Regular Season") not in ("Pre Season", "All-Star"):
            games.setdefault(g["game_id"], (g["home_team_abbr"], g["away_team_abbr"]))
    return {
        f"{game} {team}": "MISSING_RAW_DATA"
        for game, teams in games.items()
        for team in teams
        if team is not None and (game, team) not in have
    }


@dataclass(frozen=True)
class Reference:
    """One table's reference: ``compute(con, day)`` -> Answer for that date.

    ``key`` names the columns that identify a row within the date; ``skip`` lists output
    columns the reference does not reproduce, each with the reason."""

    table: str
    key: tuple[str, ...]
    compute: Callable[[duckdb.DuckDBPyConnection, dt.date], Answer]
    skip: dict[str, str] = field(default_factory=dict)
    tolerance: dict[str, float] = field(default_factory=dict)  # absolute, per column
