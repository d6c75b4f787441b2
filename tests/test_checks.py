"""Output checks against a plain Python reading of each check, on random small outputs.

The runner counts every per-row check in one pass and looks for an example row only for
the checks that failed; this compares what it finds with a row-by-row evaluation.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

from hypothesis import example, given, settings
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


VARIES = parse_model(
    """-- name: nba_test.varied
-- description: a feature table
-- grain: one row per player per date
-- key: d, player
-- date_column: d
-- check: varies(pts, mins)
SELECT 1
""",
    "varied.sql",
)


def _days_of_rows(first: st.SearchStrategy, second: st.SearchStrategy) -> st.SearchStrategy:
    """0-9 rows (day, first, second, is_failure) of each of DAYS, sized up front: hypothesis
    keeps lists short otherwise, and a per-date check needs dates with several rows."""

    def one_day(day: dt.date) -> st.SearchStrategy:
        row = st.tuples(st.just(day), first, second, st.booleans())  # failure rows: not judged
        return st.integers(0, 9).flatmap(lambda n: st.lists(row, min_size=n, max_size=n))

    return st.tuples(*(one_day(d) for d in DAYS)).map(lambda days: [r for d in days for r in d])


def _load(eng: DuckDBEngine, columns: str, data: list[tuple]) -> None:
    """out_rows (d, player, <columns>, failure_category) from _days_of_rows' rows."""
    eng.execute(
        f"CREATE TABLE out_rows (d DATE, player VARCHAR, {columns}, failure_category VARCHAR)"
    )
    for n, (d, first, second, is_failure) in enumerate(data):
        eng.execute(
            "INSERT INTO out_rows VALUES (?, ?, ?, ?, ?)",
            [d, f"p{n}", first, second, "NO_GAMES" if is_failure else None],
        )


feature_rows = _days_of_rows(
    st.one_of(st.none(), st.sampled_from([1.5, 2.0]), st.just(1.5)),
    st.one_of(st.none(), st.just(30), st.just(30)),
)


@settings(max_examples=80, deadline=None)
@given(feature_rows)
@example([(DAYS[0], 1.5, 30, False)] * 4)  # exactly VARIES_MIN_VALUES, all equal
@example([(DAYS[0], 1.5, 30, False)] * 3 + [(DAYS[0], 2.0, None, False)])
def test_checks_varies_fails_a_date_whose_column_is_constant(data: list[tuple]) -> None:
    """varies(...) against a plain reading: a date fails when a column has at least
    VARIES_MIN_VALUES non-NULL values (here 4) and they are all equal; all its kept rows
    count, and the example names each constant column."""
    want = {}
    for d in DAYS:
        kept = [r for r in data if r[0] == d and not r[3]]
        parts = []
        for col, i in (("pts", 1), ("mins", 2)):
            values = [r[i] for r in kept if r[i] is not None]
            if len(values) >= 4 and len(set(values)) == 1:
                parts.append(f"{col} = {values[0]} in all {len(values)} values")
        if parts:
            want[d] = (len(kept), "; ".join(parts))
    with DuckDBEngine(":memory:") as eng:
        _load(eng, "pts DOUBLE, mins INTEGER", data)
        with mock.patch.object(checks, "VARIES_MIN_VALUES", 4):
            found = checks.evaluate(eng, VARIES, "out_rows", "failure_category IS NULL")
    assert {r.check_date: (r.failing_rows, r.detail) for r in found} == want
    assert all(r.severity == "error" and r.check_name == "varies(pts, mins)" for r in found)


def test_checks_refuse_a_check_with_the_wrong_arguments() -> None:
    import pytest

    from nbapipe.pipeline.model import ModelError

    head = "-- name: a.b\n-- description: x\n-- grain: x\n-- key: d\n-- date_column: d\n"
    wrong = ("varies", "varies()", "range(pts, 0)", "not_null", "unique_key(d)", "share(x)")
    for bad in (*wrong, "share(x, 0.5, 3, 4)"):
        with pytest.raises(ModelError, match="wrong number of arguments"):
            parse_model(f"{head}-- check: {bad}\nSELECT 1\n", "bad.sql")
    for bad in ("share(x, 80)", "share(x, most)"):
        with pytest.raises(ModelError, match="a number from 0 to 1"):
            parse_model(f"{head}-- check: {bad}\nSELECT 1\n", "bad.sql")
    for bad in ("share(x, 0.5, many)", "share(x, 0.5, -1)", "share(x, 0.5, 2.5)"):
        with pytest.raises(ModelError, match="min_rows must be a whole number"):
            parse_model(f"{head}-- check: {bad}\nSELECT 1\n", "bad.sql")


SHARE = parse_model(
    """-- name: nba_test.covered
-- description: a table with a coverage rule
-- grain: one row per player per date
-- key: d, player
-- date_column: d
-- check: share(CASE WHEN active THEN mins IS NOT NULL END, 0.75) warn
SELECT 1
""",
    "covered.sql",
)


SHARE_MIN_ROWS = parse_model(
    """-- name: nba_test.covered
-- description: a table with a coverage rule judged on 3 rows or more
-- grain: one row per player per date
-- key: d, player
-- date_column: d
-- check: share(CASE WHEN active THEN mins IS NOT NULL END, 0.75, 3) warn
SELECT 1
""",
    "covered.sql",
)


# (day, active, minutes, is_failure): only active rows are judged
coverage_rows = _days_of_rows(st.booleans(), st.one_of(st.none(), st.integers(0, 40)))


@settings(max_examples=150, deadline=None)
@given(coverage_rows)
@example([(DAYS[0], True, 30, False)] * 3 + [(DAYS[0], True, None, False)])  # exactly 0.75
@example([(DAYS[0], True, 30, False)] * 2 + [(DAYS[0], True, None, False)] * 2)
@example([(DAYS[0], True, None, False)] * 2)  # under min_rows: judged by one model only
@example([(DAYS[0], True, None, False)] * 3)  # exactly min_rows
def test_checks_share_fails_a_date_below_its_coverage(data: list[tuple]) -> None:
    """share(predicate, min[, min_rows]) against a plain reading: on each date the judged
    rows (kept, predicate not NULL) must hold it in at least the share min; with min_rows a
    date of fewer judged rows passes; a failing date counts the rows without it and says the
    share it had."""
    for model, min_rows in ((SHARE, 1), (SHARE_MIN_ROWS, 3)):
        want = {}
        for d in DAYS:
            judged = [r for r in data if r[0] == d and not r[3] and r[1]]
            yes = sum(1 for r in judged if r[2] is not None)
            if len(judged) >= min_rows and yes < 0.75 * len(judged):
                share = round(yes / len(judged), 3)
                want[d] = (len(judged) - yes, f"share {share} of {len(judged)} rows, needs 0.75")
        with DuckDBEngine(":memory:") as eng:
            _load(eng, "active BOOLEAN, mins INTEGER", data)
            found = checks.evaluate(eng, model, "out_rows", "failure_category IS NULL")
        assert {r.check_date: (r.failing_rows, r.detail) for r in found} == want, min_rows
        assert all(r.severity == "warn" for r in found)


def test_checks_varies_by_a_column_judges_its_distinct_values() -> None:
    """'spread_magnitude by game_id': one spread per game, so a night of three games that
    share a spread (63 player rows) is not judged; eight games with one spread are."""
    model = parse_model(
        "-- name: a.b\n-- description: x\n-- grain: x\n-- key: d, player\n-- date_column: d\n"
        "-- check: varies(spread by game_id)\nSELECT 1\n",
        "by.sql",
    )
    with DuckDBEngine(":memory:") as eng:
        eng.execute(
            "CREATE TABLE out_rows AS SELECT DATE '2025-01-01' + CAST(g >= 3 AS INTEGER) AS d, "
            "'p' || p || '_' || g AS player, 'g' || g AS game_id, 4.5 AS spread "
            "FROM range(11) t(g), range(21) u(p)"
        )
        found = checks.evaluate(eng, model, "out_rows")
    assert [(r.check_date, r.failing_rows, r.detail) for r in found] == [
        (dt.date(2025, 1, 2), 168, "spread = 4.5 in all 168 values")
    ]
