"""Output checks: declared per model, evaluated set-based per date, recorded per date.

Kinds: ``unique_key`` (the model's key has no duplicates), ``not_null(col, ...)``,
``range(col, lo, hi)`` (non-NULL values within [lo, hi]), ``expr(predicate)`` (no row where
the predicate is false). Severity ``error`` blocks the date's write; ``warn`` is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nbapipe.engine.base import Engine
from nbapipe.engine.duckdb import quote_ident
from nbapipe.pipeline.model import Check, Model
from nbapipe.pipeline.state import CHECK_RESULTS


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


def _violation_sql(model: Model, check: Check, relation: str, row_filter: str) -> str:
    """SQL yielding (date, failing_rows, example) for one check over ``relation``."""
    dc = quote_ident(model.date_column)
    if check.kind == "unique_key":
        keys = ", ".join(quote_ident(k) for k in model.key)
        return (
            f"SELECT {dc} AS d, sum(n - 1) AS bad, min(example) AS example FROM ("
            f"SELECT {dc}, count(*) AS n, {_key_text(model)} AS example "
            f"FROM {relation} WHERE {row_filter} GROUP BY {keys} HAVING count(*) > 1) AS dup "
            f"GROUP BY {dc}"
        )
    if check.kind == "not_null":
        cond = " OR ".join(f"{quote_ident(c)} IS NULL" for c in check.args)
    elif check.kind == "range":
        col, lo, hi = check.args
        c = quote_ident(col)
        cond = f"{c} IS NOT NULL AND ({c} < {float(lo)} OR {c} > {float(hi)})"
    elif check.kind == "expr":
        cond = f"NOT ({check.args[0] if len(check.args) == 1 else ', '.join(check.args)})"
    else:  # pragma: no cover - the parser allows only the kinds above
        raise ValueError(check.kind)
    return (
        f"SELECT {dc} AS d, count(*) AS bad, min({_key_text(model)}) "
        f"AS example FROM {relation} WHERE ({row_filter}) AND ({cond}) GROUP BY {dc}"
    )


def run_checks(
    engine: Engine, model: Model, relation: str, row_filter: str = "TRUE"
) -> list[CheckRow]:
    """Evaluate every check of ``model`` on ``relation`` for each date in ``_todo_dates``."""
    dates = [d for (d,) in engine.fetchall("SELECT d FROM _todo_dates ORDER BY d")]
    if not model.checks:
        return []
    # Every check in one statement: one scan of the relation per check, one round trip.
    union = " UNION ALL ".join(
        f"SELECT {i} AS check_index, * FROM ({_violation_sql(model, check, relation, row_filter)})"
        for i, check in enumerate(model.checks)
    )
    bad = {(i, d): (int(n), ex) for i, d, n, ex in engine.fetchall(union)}
    rows: list[CheckRow] = []
    for i, check in enumerate(model.checks):
        for d in dates:
            n, example = bad.get((i, d), (0, None))
            rows.append(CheckRow(d, check.label, check.severity, n == 0, n, example))
    return rows


def write_results(
    engine: Engine, model: Model, rows: list[CheckRow], run_id: str, now: dt.datetime
) -> None:
    if not rows:
        return
    engine.execute(
        f"DELETE FROM {CHECK_RESULTS.fqn} WHERE model = ? "
        "AND check_date IN (SELECT unnest(?::DATE[]))",
        [model.name, sorted({r.check_date for r in rows})],
    )
    engine.insert_columns(
        CHECK_RESULTS.fqn,
        {
            "model": [model.name] * len(rows),
            "check_date": [r.check_date for r in rows],
            "check_name": [r.check_name for r in rows],
            "severity": [r.severity for r in rows],
            "passed": [r.passed for r in rows],
            "failing_rows": [r.failing_rows for r in rows],
            "detail": [r.detail for r in rows],
            "run_id": [run_id] * len(rows),
            "checked_at": [now] * len(rows),
        },
    )
