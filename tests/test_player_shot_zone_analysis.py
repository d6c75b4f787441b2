"""player_shot_zone_analysis: per-row reference, gates and failure curve, point in time, daily
= backfill, and the real 2024-25 season."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

PSZA = "nba_precompute.player_shot_zone_analysis"
PGS = "nba_analytics.player_game_summary"
TOGS = "nba_analytics.team_offense_game_summary"
COMPLETENESS = "nba_analytics.player_completeness"
MODELS = [TOGS, PGS, COMPLETENESS, PSZA]
FAILURES = "nba_processing.precompute_failures"
NBA_STATS = SHARED_DATA / "nba_stats"
REAL_FILES = [
    "schedule_2024_25.csv",
    "team_gamelogs_2024_25.csv",
    "player_gamelogs_2024_25.csv",
    "shots_2024_25.csv.zip",
]

METRICS = [
    "team_abbr",
    "universal_player_id",
    "paint_rate_last_10",
    "mid_range_rate_last_10",
    "three_pt_rate_last_10",
    "total_shots_last_10",
    "games_in_sample_10",
    "sample_quality_10",
    "paint_pct_last_10",
    "mid_range_pct_last_10",
    "three_pt_pct_last_10",
    "paint_attempts_per_game",
    "mid_range_attempts_per_game",
    "three_pt_attempts_per_game",
    "paint_rate_last_20",
    "paint_pct_last_20",
    "games_in_sample_20",
    "sample_quality_20",
    "assisted_rate_last_10",
    "unassisted_rate_last_10",
    "primary_scoring_zone",
    "data_quality_tier",
    "min_games_required",
    "early_season_flag",
    "days_since_opener",
    "last_game_date",
    "l10_expected_games",
    "l10_actual_games",
    "completeness_pct",
    "is_production_ready",
]
FAILURE_FIELDS = ["failure_category", "can_retry", "expected_game_count", "actual_game_count"]


@dataclass
class Built:
    path: Path
    seconds: float  # PSZA backfill time
    seasons: int


def _build(path: Path, models: list[str]) -> float:
    summary = api.backfill(warehouse=path, models=models)
    result = {m.model: m for m in summary.models}[PSZA]
    # (on the real files most dates fail MISSING_DEPENDENCY, see real_regular_season)
    assert result.dates_computed > 100, result
    assert result.failed_checks == [] and result.failures_by_category.get("CHECK_FAILED") is None
    return result.seconds


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Built:
    """Two synthetic seasons (four take ~45 s to build and follow the same curve)."""
    path = tmp_path_factory.mktemp("psza") / "w.duckdb"
    api.ingest_synthetic("2023-24..2024-25", seed=11, warehouse=path)
    seconds = _build(path, MODELS)
    print(f"\nPSZA synthetic: {seconds:.2f} s for 2 seasons")
    return Built(path, seconds, 2)


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Built:
    if not NBA_STATS.is_dir():
        pytest.skip("../shared/data not present: real-data tests need it beside the checkout")
    path = tmp_path_factory.mktemp("psza_real") / "w.duckdb"
    result = api.ingest_files("nba-stats", [NBA_STATS / f for f in REAL_FILES], warehouse=path)
    assert all(o.status == "loaded" for o in result.files)
    seconds = _build(path, MODELS)
    print(f"\nPSZA real 2024-25: {seconds:.2f} s")
    return Built(path, seconds, 1)


@pytest.fixture(scope="module")
def real_regular_season(real: Built, tmp_path_factory) -> Built:
    """The real season with only Regular Season games in the schedule.

    The game-log files have no pre-season, NBA Cup final or playoff player rows, so the
    runner's dependency check fails every history model on the 30 days after those games
    (weeks 1-4 and 9-13 of 2024-25). Without them every date of the season is computed.
    """
    path = tmp_path_factory.mktemp("psza_real_rs") / "w.duckdb"
    shutil.copy(real.path, path)
    with DuckDBEngine(path, create=False) as eng:
        eng.execute("DELETE FROM nba_raw.schedule WHERE season_type <> 'Regular Season'")
    summary = api.backfill(warehouse=path, models=[COMPLETENESS, PSZA], force=True)
    result = {m.model: m for m in summary.models}[PSZA]
    assert result.status == "success" and result.failed_checks == []
    return Built(path, result.seconds, 1)


# -- the reference: one player-date the obvious way ---------------------------------------


def rnd(x: Fraction, places: int) -> float:
    """Round an exact ratio half away from zero, as SQL round() does."""
    q = Decimal(x.numerator) / Decimal(x.denominator)
    return float(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


class League:
    """The warehouse's schedule, player games and completeness, loaded once."""

    def __init__(self, eng: DuckDBEngine) -> None:
        self.openers = dict(
            eng.fetchall(
                "SELECT season_year, min(game_date) FROM nba_raw.schedule "
                "WHERE season_type = 'Regular Season' GROUP BY 1"
            )
        )
        self.team_games: dict[tuple[int, str], list[dt.date]] = defaultdict(list)
        for sy, day, home, away in eng.fetchall(
            "SELECT DISTINCT season_year, game_date, home_team_abbr, away_team_abbr "
            "FROM nba_raw.schedule WHERE coalesce(game_status, 3) = 3"
        ):
            self.team_games[(sy, home)].append(day)
            self.team_games[(sy, away)].append(day)
        self.rows: dict[tuple[int, str], list[dict]] = defaultdict(list)
        cols = [
            "season_year", "player_lookup", "universal_player_id", "game_date", "team_abbr",
            "is_active", "minutes_played", "fg_attempts", "fg_makes", "paint_attempts",
            "paint_makes", "mid_range_attempts", "mid_range_makes", "three_attempts_pbp",
            "three_makes_pbp", "assisted_fg_makes", "unassisted_fg_makes",
        ]  # fmt: skip
        for values in eng.fetchall(f"SELECT {', '.join(cols)} FROM {PGS} ORDER BY game_date"):
            r = dict(zip(cols, values, strict=True))
            self.rows[(r["season_year"], r["player_lookup"])].append(r)
        self.completeness = {
            (d, p): (e, a, pct, ready)
            for d, p, e, a, pct, ready in eng.fetchall(
                f"SELECT analysis_date, player_lookup, l10_expected, l10_actual, "
                f"completeness_pct, is_production_ready FROM {COMPLETENESS}"
            )
        }

    def season_of(self, day: dt.date) -> int:
        return max(sy for sy, op in self.openers.items() if op - dt.timedelta(days=60) <= day)

    def expected(self, day: dt.date) -> dict[str, dict]:
        """Every player the model must return for ``day``: metrics, or the failure."""
        sy = self.season_of(day)
        opener = self.openers[sy]
        days = (day - opener).days
        out = {}
        for (season, player), rows in self.rows.items():
            if season != sy:
                continue
            before = [r for r in rows if opener <= r["game_date"] < day]
            played = [
                r
                for r in before
                if r["is_active"]
                and ((r["minutes_played"] or 0) > 0 or (r["fg_attempts"] or 0) > 0)
            ][::-1]
            if played:
                out[player] = self.one(sy, opener, days, day, before[-1]["team_abbr"], played)
        return out

    def one(
        self, sy: int, opener: dt.date, days: int, day: dt.date, team: str, played: list[dict]
    ) -> dict:
        w10, w20 = played[:10], played[:20]
        team_games = sum(1 for g in self.team_games[(sy, team)] if opener <= g < day)
        minimum = min(3 + days // 3, 9) if days < 21 else 10
        if days < 14:
            category = "EARLY_SEASON"
        elif len(w10) < minimum:
            category = "EXPECTED_INCOMPLETE" if team_games < minimum else "INCOMPLETE_UPSTREAM"
        else:
            category = None

        def total(rows: list[dict], col: str) -> int:
            return sum(r[col] or 0 for r in rows)

        def known(rows: list[dict], col: str) -> int:
            return sum(1 for r in rows if r[col] is not None)

        zone_cols = ("paint_attempts", "mid_range_attempts", "three_attempts_pbp")
        p10, m10, t10 = (total(w10, c) for c in zone_cols)
        shots10 = p10 + m10 + t10
        complete10 = all(known(w10, c) for c in zone_cols)
        rates = (None, None, None)
        if complete10 and shots10 > 0:
            rates = tuple(rnd(Fraction(100 * a, shots10), 2) for a in (p10, m10, t10))
            if abs(sum(rates) - 100) > 2:
                rates = (None, None, None)
        paint_rate, mid_rate, three_rate = rates
        if paint_rate is None:
            zone = None
        elif paint_rate >= 40:
            zone = "paint"
        elif three_rate >= 40:
            zone = "perimeter"
        elif mid_rate >= 35:
            zone = "mid_range"
        else:
            zone = "balanced"

        def pct(rows: list[dict], made: str, att: str) -> float | None:
            a = total(rows, att)
            return rnd(Fraction(total(rows, made), a), 3) if a else None

        def per_game(col: str) -> float | None:
            n = known(w10, col)
            return rnd(Fraction(total(w10, col), n), 1) if n else None

        def quality(n: int, window: int) -> str:
            if n >= window:
                return "excellent"
            if n >= int(window * 0.7):
                return "good"
            return "limited" if n >= window // 2 else "insufficient"

        assist_games = [r for r in w10 if r["assisted_fg_makes"] is not None]
        fgm = total(assist_games, "fg_makes")
        assisted = unassisted = None
        if complete10 and assist_games and fgm:
            assisted = rnd(Fraction(100 * total(assist_games, "assisted_fg_makes"), fgm), 2)
            unassisted = rnd(Fraction(100 * total(assist_games, "unassisted_fg_makes"), fgm), 2)
        p20 = total(w20, "paint_attempts")
        shots20 = p20 + total(w20, "mid_range_attempts") + total(w20, "three_attempts_pbp")
        complete20 = all(known(w20, c) for c in zone_cols)
        long_enough = len(w20) >= 15
        comp = self.completeness.get((day, w10[0]["player_lookup"]), (None,) * 4)
        return {
            "team_abbr": team,
            "universal_player_id": w10[0]["universal_player_id"],
            "paint_rate_last_10": paint_rate,
            "mid_range_rate_last_10": mid_rate,
            "three_pt_rate_last_10": three_rate,
            "total_shots_last_10": shots10 if any(known(w10, c) for c in zone_cols) else None,
            "games_in_sample_10": len(w10),
            "sample_quality_10": quality(len(w10), 10),
            "paint_pct_last_10": pct(w10, "paint_makes", "paint_attempts"),
            "mid_range_pct_last_10": pct(w10, "mid_range_makes", "mid_range_attempts"),
            "three_pt_pct_last_10": pct(w10, "three_makes_pbp", "three_attempts_pbp"),
            "paint_attempts_per_game": per_game("paint_attempts"),
            "mid_range_attempts_per_game": per_game("mid_range_attempts"),
            "three_pt_attempts_per_game": per_game("three_attempts_pbp"),
            "paint_rate_last_20": rnd(Fraction(100 * p20, shots20), 2)
            if long_enough and complete20 and shots20
            else None,
            "paint_pct_last_20": pct(w20, "paint_makes", "paint_attempts") if long_enough else None,
            "games_in_sample_20": len(w20),
            "sample_quality_20": quality(len(w20), 20),
            "assisted_rate_last_10": assisted,
            "unassisted_rate_last_10": unassisted,
            "primary_scoring_zone": zone,
            "data_quality_tier": "high" if len(w10) >= 10 else "medium" if len(w10) >= 7 else "low",
            "min_games_required": minimum,
            "early_season_flag": minimum < 10,
            "days_since_opener": days,
            "last_game_date": w10[0]["game_date"],
            "l10_expected_games": comp[0],
            "l10_actual_games": comp[1],
            "completeness_pct": comp[2],
            "is_production_ready": comp[3],
            "failure_category": category,
            "can_retry": None if category is None else category == "INCOMPLETE_UPSTREAM",
            "expected_game_count": None if category is None else min(team_games, 10),
            "actual_game_count": None if category is None else len(w10),
        }


def stored(eng: DuckDBEngine, day: dt.date) -> dict[str, dict]:
    """What the warehouse holds for ``day``: table rows and failure rows by player."""
    out = {}
    for values in eng.fetchall(
        f"SELECT player_lookup, {', '.join(METRICS)} FROM {PSZA} WHERE analysis_date = ?", [day]
    ):
        out[values[0]] = dict(zip(METRICS, values[1:], strict=True)) | dict.fromkeys(FAILURE_FIELDS)
    for values in eng.fetchall(
        f"SELECT entity_id, {', '.join(FAILURE_FIELDS)} FROM {FAILURES} "
        f"WHERE model = ? AND analysis_date = ?",
        [PSZA, day],
    ):
        assert values[0] not in out, f"{values[0]} has a row and a failure on {day}"
        out[values[0]] = dict(zip(FAILURE_FIELDS, values[1:], strict=True))
    return out


def compare(got: dict[str, dict], want: dict[str, dict]) -> list:
    """Differences between stored and reference (metrics only for normal rows)."""
    diffs = []
    assert set(got) == set(want), (sorted(set(got) ^ set(want)))[:10]
    for player, w in want.items():
        g = got[player]
        fields = METRICS + FAILURE_FIELDS if w["failure_category"] is None else FAILURE_FIELDS
        for f in fields:
            a, b = g[f], w[f]
            same = (
                abs(a - b) < 1e-9
                if isinstance(a, float) and isinstance(b, (int, float))
                else a == b
            )
            if not same:
                diffs.append((player, f, a, b))
    return diffs


def sample_dates(eng: DuckDBEngine, season_year: int, n_random: int, seed: int) -> list[dt.date]:
    """Dates at fixed points of the season (early, ramp, gate) plus random ones."""
    dates, opener = [], None
    all_dates = [
        d
        for (d,) in eng.fetchall(
            "SELECT DISTINCT game_date FROM nba_raw.schedule WHERE season_year = ? "
            "AND season_type = 'Regular Season' ORDER BY 1",
            [season_year],
        )
    ]
    opener = all_dates[0]
    for offset in (0, 1, 4, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 28, 60):
        later = [d for d in all_dates if (d - opener).days >= offset]
        dates.append(later[0])
    dates += random.Random(seed).sample(all_dates, n_random)
    return sorted(set(dates))


# -- synthetic season ---------------------------------------------------------------------


def test_player_shot_zone_analysis_matches_reference_on_sampled_dates(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        league = League(eng)
        checked, by_category, diffs = 0, defaultdict(int), []
        for day in sample_dates(eng, 2024, 6, seed=5) + sample_dates(eng, 2023, 0, seed=6)[:4]:
            want = league.expected(day)
            diffs += compare(stored(eng, day), want)[:5]
            checked += len(want)
            for w in want.values():
                by_category[w["failure_category"] or "row"] += 1
    assert diffs == []
    assert checked >= 100
    # every path was exercised: rows, early season, both gate outcomes
    assert {"row", "EARLY_SEASON", "EXPECTED_INCOMPLETE", "INCOMPLETE_UPSTREAM"} <= set(
        by_category
    ), by_category


def test_player_shot_zone_analysis_rates_and_shares_are_consistent(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        bad_sum, bad_assist, no_zone_rows, rows, zones = eng.fetchone(
            f"""SELECT
                count(*) FILTER (WHERE abs(paint_rate_last_10 + mid_range_rate_last_10
                                          + three_pt_rate_last_10 - 100) > 0.02),
                count(*) FILTER (WHERE abs(assisted_rate_last_10 + unassisted_rate_last_10
                                          - 100) > 0.02),
                count(*) FILTER (WHERE paint_rate_last_10 IS NULL),
                count(*),
                count(DISTINCT primary_scoring_zone)
                FROM {PSZA}"""
        )
    assert bad_sum == 0 and bad_assist == 0
    # a NULL rate only for a player without a single shot in ten games
    assert no_zone_rows < rows / 1000
    assert zones == 4


def season_week_curve(eng: DuckDBEngine) -> dict[tuple[int, int], tuple[int, float]]:
    """(season, week) -> (player-dates, failure share %): failures / (failures + rows)."""
    rows = eng.fetchall(
        f"""
        WITH openers AS (
            SELECT season_year, min(game_date) AS opener FROM nba_raw.schedule
            WHERE season_type = 'Regular Season' GROUP BY 1
        ),
        outcomes AS (
            SELECT analysis_date, 1 AS failed FROM {FAILURES}
            WHERE model = '{PSZA}' AND entity_id <> '__date__'
            UNION ALL
            SELECT analysis_date, 0 FROM {PSZA}
        )
        SELECT o.season_year, CAST(floor(date_diff('day', o.opener, x.analysis_date) / 7)
                                   AS INTEGER) + 1 AS week,
               count(*), 100.0 * avg(x.failed)
        FROM outcomes AS x
        JOIN (SELECT DISTINCT game_date, season_year FROM nba_raw.schedule) AS s
          ON s.game_date = x.analysis_date
        JOIN openers AS o ON o.season_year = s.season_year
        GROUP BY ALL ORDER BY ALL
        """
    )
    return {(sy, wk): (n, share) for sy, wk, n, share in rows}


def _print_curve(label: str, curve: dict[tuple[int, int], tuple[int, float]]) -> None:
    print(f"\n{label}: failure share by season week")
    for (sy, wk), (n, share) in sorted(curve.items()):
        print(f"  {sy} week {wk:2d}: {share:5.1f}% of {n}")


def test_player_shot_zone_analysis_failure_share_by_week_follows_legacy_curve_synthetic(
    synthetic: Built,
) -> None:
    """Legacy (spec 6.12 item 5): weeks 1-2 >= 90%, 3: 60-75%, 4: 40-50%, 5: 30-40%,
    6+: 25-30%, mid-season 15-20%. The synthetic league's end of the bench plays a handful of
    games and some players start the season injured, so mid-season failures stay in the
    teens; week 3 is lower than the legacy's because the minimum is anchored to the real
    opener (spec 9.8), see docs/pipeline.md."""
    with DuckDBEngine(synthetic.path, create=False) as eng:
        curve = season_week_curve(eng)
    _print_curve("synthetic", curve)
    for sy in {y for y, _ in curve}:
        share = {wk: s for (y, wk), (_, s) in curve.items() if y == sy}
        assert share[1] >= 90 and share[2] >= 90
        assert 35 <= share[3] <= 75
        assert 30 <= share[4] <= 50
        assert 22 <= share[5] <= 40
        assert all(s <= 30 for wk, s in share.items() if wk >= 6)
        # it falls week after week while players reach 10 games
        assert all(share[wk + 1] <= share[wk] + 1 for wk in range(2, 14))
        assert all(10 <= s <= 22 for wk, s in share.items() if 9 <= wk <= 14)


def test_player_shot_zone_analysis_early_season_fails_every_player_with_reason(
    synthetic: Built,
) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        rows_early, reasons, retry = eng.fetchone(
            f"""SELECT (SELECT count(*) FROM {PSZA} WHERE days_since_opener < 14),
                       (SELECT min(failure_reason) FROM {FAILURES}
                        WHERE model = '{PSZA}' AND failure_category = 'EARLY_SEASON'
                          AND analysis_date = DATE '2024-10-25'),
                       (SELECT count(*) FROM {FAILURES} WHERE model = '{PSZA}'
                        AND failure_category IN ('EARLY_SEASON', 'EXPECTED_INCOMPLETE')
                        AND can_retry)"""
        )
        opener = eng.fetchone(
            "SELECT min(game_date) FROM nba_raw.schedule WHERE season_year = 2024 "
            "AND season_type = 'Regular Season'"
        )[0]
    assert rows_early == 0 and retry == 0
    day = (dt.date(2024, 10, 25) - opener).days
    assert reasons == f"early season: day {day} of 14 after the {opener} opener"


def test_player_shot_zone_analysis_only_sees_games_before_the_date(
    synthetic: Built, tmp_path: Path
) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(synthetic.path, copy)
    day = dt.date(2025, 1, 15)
    rows_q = (
        f"SELECT * EXCLUDE (run_id, processed_at) FROM {PSZA} WHERE analysis_date = ? ORDER BY ALL"
    )
    fail_q = (
        f"SELECT entity_id, failure_category, failure_reason, can_retry, expected_game_count, "
        f"actual_game_count FROM {FAILURES} WHERE model = '{PSZA}' AND analysis_date = ? "
        "ORDER BY ALL"
    )
    with DuckDBEngine(copy, create=False) as eng:
        before_rows, before_fails = eng.fetchall(rows_q, [day]), eng.fetchall(fail_q, [day])
        # Everything from the date on changes: shots, status, results, the schedule after it.
        eng.execute(
            f"UPDATE {PGS} SET paint_attempts = paint_attempts + 7, paint_makes = 0, "
            "three_attempts_pbp = 0, fg_makes = fg_makes + 3, assisted_fg_makes = 0, "
            "team_abbr = 'XXX' WHERE game_date >= ?",
            [day],
        )
        eng.execute(
            f"UPDATE {PGS} SET is_active = TRUE, minutes_played = 12 WHERE game_date >= ?", [day]
        )
        eng.execute(
            "UPDATE nba_raw.schedule SET game_status = 1, home_team_score = NULL, "
            "away_team_score = NULL WHERE game_date = ?",
            [day],
        )
        eng.execute("DELETE FROM nba_raw.schedule WHERE game_date > ?", [day])
        for table in ("player_boxscores", "team_boxscores", "play_by_play"):
            eng.execute(f"DELETE FROM nba_raw.{table} WHERE game_date >= ?", [day])
    summary = api.backfill(day, day, warehouse=copy, models=[PSZA], force=True)
    assert summary.models[0].dates_computed == 1
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchall(rows_q, [day]) == before_rows
        assert eng.fetchall(fail_q, [day]) == before_fails
    assert len(before_rows) > 300


def test_player_shot_zone_analysis_daily_run_equals_backfill(
    synthetic: Built, tmp_path: Path
) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(synthetic.path, copy)
    rows_q = (
        f"SELECT * EXCLUDE (run_id, processed_at) FROM {PSZA} WHERE analysis_date = ? ORDER BY ALL"
    )
    fail_q = (
        f"SELECT entity_id, failure_category, failure_reason, can_retry, expected_game_count, "
        f"actual_game_count FROM {FAILURES} WHERE model = '{PSZA}' AND analysis_date = ? "
        "ORDER BY ALL"
    )
    days = [dt.date(2024, 10, 27), dt.date(2024, 11, 8), dt.date(2025, 2, 3)]
    with DuckDBEngine(copy, create=False) as eng:
        before = {d: (eng.fetchall(rows_q, [d]), eng.fetchall(fail_q, [d])) for d in days}
        last = eng.fetchone("SELECT max(game_date) FROM nba_raw.schedule")[0]
        before[last] = (eng.fetchall(rows_q, [last]), eng.fetchall(fail_q, [last]))
    for d in before:
        summary = api.run_daily(d, models=[PSZA], force=True, warehouse=copy)
        assert summary.models[0].dates_computed == 1
    with DuckDBEngine(copy, create=False) as eng:
        after = {d: (eng.fetchall(rows_q, [d]), eng.fetchall(fail_q, [d])) for d in before}
    assert after == before
    assert all(len(rows) + len(fails) > 0 for rows, fails in before.values())


def test_player_shot_zone_analysis_time_per_season(synthetic: Built) -> None:
    assert synthetic.seconds / synthetic.seasons < 15


# -- the real 2024-25 season ------------------------------------------------------------------


def test_player_shot_zone_analysis_real_rates_sum_to_100_with_real_shares(real: Built) -> None:
    with DuckDBEngine(real.path, create=False) as eng:
        rows, bad_sum, null_rates, paint, mid, three, paint_pct, mid_pct, three_pct = eng.fetchone(
            f"""SELECT count(*),
                       count(*) FILTER (WHERE abs(paint_rate_last_10 + mid_range_rate_last_10
                                                 + three_pt_rate_last_10 - 100) > 2),
                       count(*) FILTER (WHERE paint_rate_last_10 IS NULL),
                       avg(paint_rate_last_10), avg(mid_range_rate_last_10),
                       avg(three_pt_rate_last_10), avg(paint_pct_last_10),
                       avg(mid_range_pct_last_10), avg(three_pt_pct_last_10)
                FROM {PSZA}"""
        )
        zones = dict(
            eng.fetchall(
                f"SELECT primary_scoring_zone, 100.0 * count(*) / sum(count(*)) OVER () "
                f"FROM {PSZA} GROUP BY 1"
            )
        )
        assisted = eng.fetchone(f"SELECT count(assisted_rate_last_10) FROM {PSZA}")[0]
    print(
        f"\nreal 2024-25: {rows} rows; mean rates paint {paint:.1f}%, mid {mid:.1f}%, "
        f"three {three:.1f}%; FG% paint {paint_pct:.3f}, mid {mid_pct:.3f}, "
        f"three {three_pct:.3f}; primary zone {zones}"
    )
    assert rows > 30000 and bad_sum == 0 and null_rates == 0
    # 2024-25 NBA: ~42% of shots at the rim/paint, ~15% mid-range, ~42% threes
    assert 38 <= paint <= 50 and 10 <= mid <= 18 and 38 <= three <= 47
    assert 0.54 <= paint_pct <= 0.62 and 0.36 <= mid_pct <= 0.45 and 0.32 <= three_pct <= 0.37
    assert 40 <= zones["paint"] <= 60 and 35 <= zones["perimeter"] <= 55
    # shot-chart play-by-play names no assisters: no assisted rate rather than a wrong one
    assert assisted == 0


def test_player_shot_zone_analysis_real_matches_reference_on_box_scores(
    real_regular_season: Built,
) -> None:
    with DuckDBEngine(real_regular_season.path, create=False) as eng:
        league = League(eng)
        checked, diffs = 0, []
        for day in [dt.date(2024, 11, 1), dt.date(2024, 11, 9), dt.date(2025, 1, 22)]:
            want = league.expected(day)
            diffs += compare(stored(eng, day), want)[:5]
            checked += len(want)
    assert diffs == [] and checked > 900


def test_player_shot_zone_analysis_real_upstream_holes_do_not_block_later_dates(
    real: Built,
) -> None:
    """The game logs have no pre-season, NBA Cup final, play-in or playoff games: those dates
    fail in player_game_summary (where the data is missing), and the weeks after them still
    get shot-zone rows from the games that exist."""
    with DuckDBEngine(real.path, create=False) as eng:
        failed = eng.fetchone(
            f"SELECT count(*) FROM {FAILURES} WHERE model = ? "
            "AND failure_category = 'MISSING_DEPENDENCY'",
            [PSZA],
        )[0]
        upstream_holes = eng.fetchone(
            f"SELECT count(*) FROM {FAILURES} WHERE model = ? "
            "AND failure_category = 'MISSING_DEPENDENCY'",
            [PGS],
        )[0]
        after_cup_final, in_playoffs = eng.fetchone(
            f"SELECT count(*) FILTER (WHERE analysis_date = DATE '2024-12-19'), "
            f"count(*) FILTER (WHERE analysis_date = DATE '2025-05-01') FROM {PSZA}"
        )
    assert failed == 0 and upstream_holes > 0
    assert after_cup_final > 300 and in_playoffs > 100


def test_player_shot_zone_analysis_failure_share_by_week_follows_legacy_curve_real(
    real_regular_season: Built,
) -> None:
    """Real 2024-25 (measured): weeks 1-2 100%, 3 57%, 4 43%, 5 33%, 6 26%, then 22, 19,
    17, 17, 14 and 9-12% in Jan-Feb. Legacy bands hold for weeks 1-2 and 4-6+. Week 3 is a
    little under 60% and mid-season under 15%: the shared game-log file lists 432 players
    (the league used ~570), without most of the call-ups and two-way players who are the
    ones short of 10 games."""
    with DuckDBEngine(real_regular_season.path, create=False) as eng:
        curve = season_week_curve(eng)
    _print_curve("real 2024-25", curve)
    share = {wk: s for (_, wk), (_, s) in curve.items()}
    assert share[1] >= 90 and share[2] >= 90
    assert 50 <= share[3] <= 75
    assert 40 <= share[4] <= 50
    assert 30 <= share[5] <= 40
    assert 25 <= share[6] <= 30
    assert all(s <= 30 for wk, s in share.items() if wk >= 6)
    assert all(8 <= s <= 20 for wk, s in share.items() if 9 <= wk <= 16)
    print(f"PSZA real 2024-25: {real_regular_season.seconds:.2f} s")
    assert real_regular_season.seconds < 15
