"""player_composite_factors: the per-player reference (bench/reference/player_composite_factors.py,
written from the spec, one player at a time) equals the model on every row and column of
dates spread over a synthetic season: the early-season days, the first dates after them, a
date right after the All-Star break and the last date."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from pathlib import Path

import pytest

from bench.reference.base import Answer, rows
from bench.reference.player_composite_factors import REFERENCE
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.pipeline.model import all_models

TABLE = "nba_precompute.player_composite_factors"
DATE_COLUMN = "game_date"


def _with_upstreams(name: str) -> list[str]:
    models = all_models()
    seen: list[str] = []

    def visit(n: str) -> None:
        if n in models and n not in seen:
            for up in models[n].upstream:
                visit(up.table)
            seen.append(n)

    visit(name)
    return seen


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ref_player_composite_factors") / "wh.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    summary = api.backfill(warehouse=path, models=_with_upstreams(TABLE))
    assert {m.model: m.status for m in summary.models}[TABLE] == "success"
    return path


def spread_dates(eng: DuckDBEngine) -> list[dt.date]:
    """Early season (day 3), the last early day and the first after it, two weeks later, a
    date right after the All-Star break (the longest gap after New Year), mid-season dates and
    the last date."""
    days = [
        d for (d,) in eng.fetchall("SELECT DISTINCT game_date FROM nba_raw.schedule ORDER BY 1")
    ]
    opener = days[0]

    def first_from(offset: int) -> dt.date:
        return next(d for d in days if (d - opener).days >= offset)

    late = [d for d in days if d >= dt.date(opener.year + 1, 1, 1)]
    after_break = max(itertools.pairwise(late), key=lambda p: (p[1] - p[0]).days)[1]
    picks = {first_from(3), first_from(13), first_from(14), first_from(28), first_from(60)}
    picks |= {first_from(100), after_break, days[len(days) * 3 // 4], days[-1]}
    return sorted(picks)


def _same(a: object, b: object, tol: float) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float | int) and not isinstance(b, bool):
        return abs(a - b) <= max(tol, 1e-9 * max(abs(a), abs(b)))
    return a == b


def compare(eng: DuckDBEngine, day: dt.date, answer: Answer) -> list[tuple]:
    """Differences between the warehouse and the reference for one date (rows by key, every
    column but the skipped ones; failures by entity and category)."""
    key = REFERENCE.key[0]
    got = {
        r[key]: r for r in rows(eng.con, f"SELECT * FROM {TABLE} WHERE {DATE_COLUMN} = ?", [day])
    }
    failures = dict(
        eng.fetchall(
            "SELECT entity_id, failure_category FROM nba_processing.precompute_failures "
            "WHERE model = ? AND analysis_date = ?",
            [TABLE, day],
        )
    )
    diffs: list[tuple] = []
    if failures != answer.failures:
        diffs.append((day, "failures", failures, answer.failures))
    want = {r[key]: r for r in answer.rows}
    if set(got) != set(want):
        diffs.append((day, "keys", sorted(set(got) ^ set(want))[:10]))
    columns = {c for r in got.values() for c in r} - {"run_id", "processed_at"}
    for entity in set(got) & set(want):
        g, w = got[entity], want[entity]
        missing = columns - set(w) - set(REFERENCE.skip)
        if missing:
            diffs.append((day, entity, "not produced", sorted(missing)))
        for col, value in w.items():
            if not _same(g[col], value, REFERENCE.tolerance.get(col, 0.0)):
                diffs.append((day, entity, col, g[col], value))
    return diffs


def test_reference_player_composite_factors_equals_model_on_dates_spread_over_the_season(
    wh: Path,
) -> None:
    with DuckDBEngine(wh, create=False) as eng:
        days = spread_dates(eng)
        diffs, n_rows, n_failures, slowest = [], 0, 0, 0.0
        for day in days:
            start = time.perf_counter()
            answer = REFERENCE.compute(eng.con, day)
            slowest = max(slowest, time.perf_counter() - start)
            diffs += compare(eng, day, answer)
            n_rows += len(answer.rows)
            n_failures += len(answer.failures)
    print(
        f"\n{TABLE}: {len(days)} dates, {n_rows} rows, {n_failures} failures, "
        f"slowest date {slowest:.2f} s"
    )
    assert diffs[:10] == [] and len(diffs) == 0
    assert len(days) >= 8 and n_rows > 500 and n_failures > 0
    assert slowest < 2.0


def test_reference_player_composite_factors_skips_only_hashes() -> None:
    assert set(REFERENCE.skip) == {"data_hash"}
    assert REFERENCE.key == ("player_lookup",)
