"""Output checks: declared per model, evaluated set-based per date, recorded per date.

Kinds: ``unique_key`` (the model's key has no duplicates), ``not_null(col, ...)``,
``range(col, lo, hi)`` (non-NULL values within [lo, hi]), ``expr(predicate)`` (no row where
the predicate is false), ``varies(col, ...)`` (on a date where a column has at least
``VARIES_MIN_VALUES`` non-NULL values, they are not all equal: the legacy's batch variance
check, spec 5.5.3, which caught team_win_pct stuck at 0.5 and spread_magnitude all zero; a
column ``col by other`` needs ``VARIES_MIN_GROUPS`` distinct values of ``other`` instead),
``share(predicate, min[, min_rows])`` (on each date, at least the share ``min`` of the rows
where the predicate is not NULL have it true: coverage, such as the share of active players
with minutes; a NULL predicate leaves the row out, so ``CASE WHEN is_active THEN ... END``
judges active players only; with ``min_rows``, a date with fewer such rows is not
judged). ``varies`` and ``share`` judge a date as a whole.
Severity ``error`` blocks the date's write; ``warn`` is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nbapipe.engine.base import Engine
from nbapipe.engine.duckdb import quote_ident
from nbapipe.pipeline.model import Check, Model
from nbapipe.pipeline.state import CHECK_RESULTS

# Spec 5.5.3: the batch variance check looks at batches of 50 records or more. A column of
# one value per game or team ('col by game_id') is judged on 8 games or teams or more: three
# games of one night may well share a spread, eight will not.
VARIES_MIN_VALUES = 50
VARIES_MIN_GROUPS = 8


@dataclass
class CheckRow:
    check_date: dt.date
    check_name: str
    severity: str
    passed: bool
    failing_rows: int
    detail: str | None


def _key_text(model: Model) -> str:
    """A row's key as text, e.g. 'game_date=2025-01-15, team_abbr=BOS' (portable SQL)."""
    parts = [f"'{k}=' || coalesce(CAST({quote_ident(k)} AS VARCHAR), 'NULL')" for k in model.key]
    return " || ', ' || ".join(parts)


def _row_condition(check: Check) -> str:
    """The condition of a row failing a per-row check (not_null, range, expr)."""
    if check.kind == "not_null":
        return " OR ".join(f"{quote_ident(c)} IS NULL" for c in check.args)
    if check.kind == "range":
        col, lo, hi = check.args
        c = quote_ident(col)
        return f"{c} IS NOT NULL AND ({c} < {float(lo)} OR {c} > {float(hi)})"
    if check.kind == "expr":
        return f"NOT ({check.args[0] if len(check.args) == 1 else ', '.join(check.args)})"
    raise ValueError(check.kind)  # pragma: no cover - the parser allows only these kinds


def _varied(arg: str) -> tuple[str, str | None]:
    """A varies argument: the column, and the column whose distinct values it is judged
    over ('spread_magnitude by game_id': one spread per game, not per player row)."""
    col, _, by = arg.partition(" by ")
    return col.strip(), by.strip() or None


def _constant(arg: str) -> str:
    """Per date (inside a GROUP BY of the date): the column has enough values to judge
    (VARIES_MIN_VALUES non-NULL values, or VARIES_MIN_GROUPS distinct values of its ``by``
    column among them) and every one of them is the same."""
    col, by = _varied(arg)
    c = quote_ident(col)
    enough = (
        f"count(DISTINCT CASE WHEN {c} IS NOT NULL THEN {quote_ident(by)} END) "
        f">= {VARIES_MIN_GROUPS}"
        if by
        else f"count({c}) >= {VARIES_MIN_VALUES}"
    )
    return f"({enough} AND min({c}) = max({c}))"


PER_DATE = ("varies", "share")


def _share_counts(check: Check) -> tuple[str, str]:
    """Per date: (rows where the predicate holds, rows where it is false)."""
    pred = check.args[0]
    return (
        f"sum(CASE WHEN ({pred}) THEN 1 ELSE 0 END)",
        f"sum(CASE WHEN NOT ({pred}) THEN 1 ELSE 0 END)",
    )


def _date_condition(check: Check) -> str:
    """Per date (inside a GROUP BY of the date): the date fails a per-date check."""
    if check.kind == "share":
        yes, no = _share_counts(check)
        enough = f" AND {yes} + {no} >= {int(check.args[2])}" if len(check.args) > 2 else ""
        return f"({no} > 0 AND {yes} < {float(check.args[1])} * ({yes} + {no}){enough})"
    return " OR ".join(_constant(c) for c in check.args)


def _date_bad(check: Check) -> str:
    """Per date: the rows a failing date counts. For ``share`` the rows without the
    property; for ``varies`` every row (a constant feature is wrong for all of them)."""
    return _share_counts(check)[1] if check.kind == "share" else "count(*)"


def _date_example(check: Check) -> str:
    """Per date: what failed, e.g. 'team_win_pct = 0.5 in all 188 values' (concat_ws skips
    the columns that vary) or 'share 0.42 of 191 rows, needs 0.8'."""
    if check.kind == "share":
        yes, no = _share_counts(check)
        return (
            f"'share ' || CAST(round(CAST({yes} AS DOUBLE) / ({yes} + {no}), 3) AS VARCHAR) "
            f"|| ' of ' || CAST({yes} + {no} AS VARCHAR) || ' rows, needs {check.args[1]}'"
        )
    return (
        "concat_ws('; ', "
        + ", ".join(
            f"CASE WHEN {_constant(a)} THEN '{_varied(a)[0]} = ' "
            f"|| CAST(min({quote_ident(_varied(a)[0])}) AS VARCHAR) || ' in all ' "
            f"|| CAST(count({quote_ident(_varied(a)[0])}) AS VARCHAR) || ' values' END"
            for a in check.args
        )
        + ")"
    )


def _violation_sql(
    model: Model, check: Check, relation: str, row_filter: str, *, example: bool = True
) -> str:
    """SQL yielding (date, failing_rows, example) for one check over ``relation`` (the
    example NULL when not ``example``)."""
    dc = quote_ident(model.date_column)
    if check.kind == "unique_key":
        keys = ", ".join(quote_ident(k) for k in model.key)
        key_text = _key_text(model) if example else "NULL"
        return (
            f"SELECT {dc} AS d, sum(n - 1) AS bad, min(example) AS example FROM ("
            f"SELECT {dc}, count(*) AS n, {key_text} AS example "
            f"FROM {relation} WHERE {row_filter} GROUP BY {keys} HAVING count(*) > 1) AS dup "
            f"GROUP BY {dc}"
        )
    if check.kind in PER_DATE:
        example_text = _date_example(check) if example else "NULL"
        return (
            f"SELECT {dc} AS d, {_date_bad(check)} AS bad, {example_text} AS example "
            f"FROM {relation} WHERE {row_filter} GROUP BY {dc} HAVING {_date_condition(check)}"
        )
    return (
        f"SELECT {dc} AS d, count(*) AS bad, min({_key_text(model)}) "
        f"AS example FROM {relation} WHERE ({row_filter}) AND ({_row_condition(check)}) "
        f"GROUP BY {dc}"
    )


def _as_check_bad(parts: list[str]) -> str:
    union = " UNION ALL ".join(parts) or (
        "SELECT 0 AS check_index, CAST(NULL AS DATE) AS d, 0 AS bad, '' AS example WHERE FALSE"
    )
    return (
        f"SELECT CAST(check_index AS INTEGER) AS check_index, CAST(d AS DATE) AS d, "
        f"CAST(bad AS BIGINT) AS bad, CAST(example AS VARCHAR) AS example FROM ({union}) AS v"
    )


def evaluate(
    engine: Engine, model: Model, relation: str, row_filter: str = "TRUE"
) -> list[CheckRow]:
    """Evaluate every check of ``model`` on ``relation``: the failing (check, date) pairs,
    ordered by date and check, each with an example row.

    First one pass counts every per-row check's failing rows per date, and every per-date
    check's rows on a failing date (one scan and one group-by for all of them, unpivoted to
    a row per check and date). Usually nothing fails
    and that is all; otherwise the checks that failed are run again, on their own, to find
    an example row, into the temp table ``_check_bad`` that :func:`record` reads."""
    dc = quote_ident(model.date_column)
    one_pass = [(i, c) for i, c in enumerate(model.checks) if c.kind != "unique_key"]
    parts = [
        f"SELECT {i} AS check_index, d, bad, example "
        f"FROM ({_violation_sql(model, c, relation, row_filter, example=False)}) AS u{i}"
        for i, c in enumerate(model.checks)
        if c.kind == "unique_key"
    ]
    if one_pass:
        counts = ", ".join(
            f"CASE WHEN {_date_condition(c)} THEN {_date_bad(c)} ELSE 0 END AS c{i}"
            if c.kind in PER_DATE
            else f"sum(CASE WHEN {_row_condition(c)} THEN 1 ELSE 0 END) AS c{i}"
            for i, c in one_pass
        )
        names = ", ".join(f"c{i}" for i, _ in one_pass)
        parts.append(
            f"SELECT CAST(substr(k, 2) AS INTEGER) AS check_index, d, bad, NULL AS example "
            f"FROM (SELECT {dc} AS d, {counts} FROM {relation} WHERE {row_filter} "
            f"GROUP BY {dc}) AS per_date UNPIVOT (bad FOR k IN ({names})) AS per_check "
            f"WHERE bad > 0"
        )
    failing = [
        i
        for (i,) in engine.fetchall(
            f"SELECT DISTINCT check_index FROM ({_as_check_bad(parts)}) AS c ORDER BY 1"
        )
    ]
    if not failing:
        return []
    engine.materialize(
        "_check_bad",
        _as_check_bad(
            [
                f"SELECT {i} AS check_index, * FROM "
                f"({_violation_sql(model, model.checks[i], relation, row_filter)}) AS e{i}"
                for i in failing
            ]
        ),
    )
    return [
        CheckRow(d, model.checks[i].label, model.checks[i].severity, False, int(n), example)
        for i, d, n, example in engine.fetchall(
            "SELECT check_index, d, bad, example FROM _check_bad ORDER BY d, check_index"
        )
    ]


def record(
    engine: Engine, model: Model, run_id: str, now: dt.datetime, failing: list[CheckRow]
) -> None:
    """Replace the check results of every date in ``_todo_dates`` with the last ``evaluate``
    (which returned ``failing``): one row per check and date, built in SQL (a backfill
    records hundreds of thousands)."""
    if not model.checks:
        return
    bad = (
        "_check_bad"
        if failing
        else "(SELECT 0 AS check_index, CAST(NULL AS DATE) AS d, CAST(0 AS BIGINT) AS bad, "
        "CAST(NULL AS VARCHAR) AS example WHERE FALSE)"
    )
    engine.execute(
        f"DELETE FROM {CHECK_RESULTS.fqn} WHERE model = ? "
        "AND check_date IN (SELECT d FROM _todo_dates)",
        [model.name],
    )
    engine.execute(
        f"""
        INSERT INTO {CHECK_RESULTS.fqn} (model, check_date, check_name, severity, passed,
                                         failing_rows, detail, run_id, checked_at)
        SELECT $model, t.d, c.name, c.severity, b.bad IS NULL, coalesce(b.bad, 0), b.example,
               $run_id, $now
        FROM _todo_dates t
        CROSS JOIN (SELECT unnest($idx::INTEGER[]) AS i, unnest($names::VARCHAR[]) AS name,
                           unnest($severities::VARCHAR[]) AS severity) c
        LEFT JOIN {bad} b ON b.check_index = c.i AND b.d = t.d
        """,
        {
            "model": model.name,
            "run_id": run_id,
            "now": now,
            "idx": list(range(len(model.checks))),
            "names": [c.label for c in model.checks],
            "severities": [c.severity for c in model.checks],
        },
    )
