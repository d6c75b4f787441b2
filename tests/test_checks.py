"""Output checks against a plain Python reading of each check, on random small outputs.

The runner counts every per-row check in one pass and looks for an example row only for
the checks that failed; this compares what it finds with a row-by-row evaluation.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.pipeline import checks
from nbapipe.pipeline.model import parse_model

MODEL = parse_model(
    """-- name: nba_test.checked
-- description: a table to check
-- grain: one row per player per date
-- key: d, player
-- date_column: d
-- check: unique_key
-- check: not_null(team, pts)
-- check: range(pts, 0, 40) warn
-- check: expr(pts IS NULL OR pts >= mins)
SELECT 1
""",
    "checked.sql",
)
DAYS = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(3)]

rows = st.lists(
    st.tuples(
        st.sampled_from(DAYS),
        st.sampled_from(["ann", "bob", "cy"]),
        st.one_of(st.none(), st.sampled_from(["BOS", "NYK"])),
        st.one_of(st.none(), st.integers(-5, 50)),
        st.integers(0, 30),
        st.booleans(),  # excluded by the row filter (a failure row)
    ),
    max_size=25,
)


def expected(data: list[tuple]) -> dict[tuple[int, dt.date], tuple[int, str]]:
    """(check index, date) -> (failing rows, smallest example key) by reading each row."""
    kept = [r for r in data if not r[5]]
    key_text = {r: f"d={r[0]}, player={r[1]}" for r in kept}
    bad: dict[tuple[int, dt.date], list[str]] = {}
    counts: dict[tuple[dt.date, str], int] = {}
    for r in kept:
        counts[(r[0], r[1])] = counts.get((r[0], r[1]), 0) + 1
    for (d, player), n in counts.items():
        bad.setdefault((0, d), []).extend([f"d={d}, player={player}"] * (n - 1))
    for r in kept:
        d, _, team, pts, mins, _ = r
        if team is None or pts is None:
            bad.setdefault((1, d), []).append(key_text[r])
        if pts is not None and not 0 <= pts <= 40:
            bad.setdefault((2, d), []).append(key_text[r])
        if pts is not None and pts < mins:
            bad.setdefault((3, d), []).append(key_text[r])
    return {k: (len(v), min(v)) for k, v in bad.items() if v}


@settings(max_examples=60, deadline=None)
@given(rows)
def test_checks_match_a_row_by_row_reading(data: list[tuple]) -> None:
    with DuckDBEngine(":memory:") as eng:
        eng.execute(
            "CREATE TABLE out_rows (d DATE, player VARCHAR, team VARCHAR, pts INTEGER, "
            "mins INTEGER, failure_category VARCHAR)"
        )
        for d, player, team, pts, mins, is_failure in data:
            eng.execute(
                "INSERT INTO out_rows VALUES (?, ?, ?, ?, ?, ?)",
                [d, player, team, pts, mins, "NO_GAMES" if is_failure else None],
            )
        found = checks.evaluate(eng, MODEL, "out_rows", "failure_category IS NULL")
    index = {c.label: i for i, c in enumerate(MODEL.checks)}
    got = {(index[r.check_name], r.check_date): (r.failing_rows, r.detail) for r in found}
    assert got == expected(data)
    severities = {r.check_name: r.severity for r in found}
    assert all(s == ("warn" if n.startswith("range") else "error") for n, s in severities.items())
