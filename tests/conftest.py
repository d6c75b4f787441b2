"""Shared fixtures: the real data beside the checkout, and a fresh in-memory warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.warehouse import migrate

# ../shared/data beside the checkout (never copied into the repository).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data not present: real-data tests need it beside the checkout")
    return SHARED_DATA


@pytest.fixture()
def engine():
    """A fresh warehouse in memory, every table created."""
    eng = DuckDBEngine(":memory:")
    migrate(eng)
    yield eng
    eng.close()


def pbp(engine: DuckDBEngine, columns: str = "*", where: str = "true") -> list[tuple]:
    """Play-by-play rows in game order."""
    return engine.fetchall(
        f"SELECT {columns} FROM nba_raw.play_by_play WHERE {where} ORDER BY game_id, event_sequence"
    )


def count(engine: DuckDBEngine) -> int:
    """Rows in nba_raw.play_by_play."""
    return engine.fetchone("SELECT count(*) FROM nba_raw.play_by_play")[0]


def ingest_in_both_orders(
    folder: Path,
    first: tuple[str, list[Path]],
    second: tuple[str, list[Path]],
    queries: list[str],
    before: tuple[str, list[Path]] | None = None,
) -> dict[str, list]:
    """Two warehouses in ``folder``: ``before`` (if any), then the two file ingests in one
    order and in the other; ``queries``' results in each, keyed "first" and "second" by the
    ingest that went first, and the second ingest's summary of the "first" order."""
    from nbapipe import api

    found: dict[str, list] = {}
    for label, steps in (("first", [first, second]), ("second", [second, first])):
        w = folder / f"{label}.duckdb"
        api.init(w)
        if before:
            api.ingest_files(*before, warehouse=w)
        results = [api.ingest_files(source, paths, warehouse=w) for source, paths in steps]
        with DuckDBEngine(w, read_only=True) as eng:
            found[label] = [eng.fetchall(q) for q in queries]
        if label == "first":
            found["summaries"] = [r.summary for r in results]
    return found
