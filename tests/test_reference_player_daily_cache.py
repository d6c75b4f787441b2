"""player_daily_cache: the per-player reference (bench/reference/player_daily_cache.py,
written from the spec, one player at a time) equals the model on every row and column of
dates spread over a synthetic season: the early-season days, the first dates after them, a
date right after the All-Star break and the last dates."""

from __future__ import annotations

import pytest

from bench.reference.player_daily_cache import REFERENCE
from reference_support import Season, assert_clean, build_season, compare_dates, slowest


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> Season:
    return build_season(tmp_path_factory, REFERENCE.table)


def test_reference_player_daily_cache_equals_model_on_dates_spread_over_the_season(
    season: Season,
) -> None:
    with season.connect() as con:
        per_date = compare_dates(con, REFERENCE, season.days)
    total = assert_clean(per_date, min_rows=501)
    assert total.failures > 0
    assert slowest(per_date) < 2.0


def test_reference_player_daily_cache_skips_no_column() -> None:
    # data_hash included: doubles are hashed as fixed six-decimal text, which Python reproduces
    assert REFERENCE.skip == {}
    assert REFERENCE.key == ("player_lookup",)
