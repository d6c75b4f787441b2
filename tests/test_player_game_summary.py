"""nba_analytics.player_game_summary (PGS): a synthetic season against a per-row Python
reference, the real 2024-25 season (box scores + shot chart) and real 2025-26 prop lines."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.reference.base import hash_text, rows
from bench.reference.player_game_summary import (
    BOX_COLUMNS,
    HASHED,
    ZONE_COLUMNS,
    summarize,
)
from conftest import SHARED_DATA
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine
from reference_support import plant_in_game_snapshots, plant_prop_ladders

TOGS = "nba_analytics.team_offense_game_summary"
PGS = "nba_analytics.player_game_summary"
PROP_LINES = "nba_analytics.player_prop_lines"
NBA_STATS = SHARED_DATA / "nba_stats"
POINTS_PROPS = SHARED_DATA / "odds_api" / "player_points_2025_26"
SYN_START, SYN_END = "2024-10-22", "2025-04-13"
# Rows of a list of games passed as one parameter.
IN_GAMES = "game_id IN (SELECT unnest(CAST(? AS VARCHAR[])))"

# -- the per-row reference: bench/reference/player_game_summary.py --------------------------


def reference(eng: DuckDBEngine, game_ids: list[str]) -> dict[tuple, dict]:
    """Expected PGS rows per (game_date, player_lookup) for the given games, computed row by
    row; lines straight from the raw props (not from player_prop_lines)."""
    return summarize(eng.con, IN_GAMES, [list(game_ids)], lines_from_raw=True)


def mismatches(model: dict, expected: dict, columns) -> list[str]:
    bad = []
    for col in columns:
        got, want = model[col], expected[col]
        if got != want and not (
            isinstance(got, float)
            and isinstance(want, float)
            and abs(got - want) <= 1e-9 * max(abs(got), abs(want))
        ):
            bad.append(f"{col}: model {got!r} vs reference {want!r}")
    return bad


def model_rows(eng: DuckDBEngine, where: str = "TRUE", params=None) -> dict[tuple, dict]:
    return {
        (r["game_date"], r["player_lookup"]): r
        for r in rows(eng.con, f"SELECT * FROM {PGS} WHERE {where}", params or [])
    }


# -- the synthetic season ---------------------------------------------------------------------


@dataclass
class Synthetic:
    path: Path
    seconds: float
    shotchart_games: list[str]
    nba_stats_box_game: str
    unknown_zone_game: str
    in_game_games: list[str]
    sample_games: list[str]


def perturb(eng: DuckDBEngine) -> dict:
    """Add what the simulation lacks: a shot-chart source (preferred over synthetic, no
    secondary players, different name spellings) for some games, a second box-score source
    for one game, shots without distance, prop ladders, in-game and tip-off snapshots, and
    varied DNP reasons."""
    games = [r[0] for r in eng.fetchall("SELECT game_id FROM nba_raw.schedule ORDER BY game_id")]
    shotchart = games[5:600:60]
    box_game, unknown_game = games[50], games[61]
    in_game = games[3:1200:40]
    eng.execute(
        f"""INSERT INTO nba_raw.play_by_play SELECT * REPLACE (
               'nba_stats_shotchart' AS source, player_1_lookup || 'iii' AS player_1_lookup,
               NULL AS player_2_lookup, NULL AS player_2_name, NULL AS player_2_id,
               NULL AS player_2_team_abbr, NULL AS player_2_role)
           FROM nba_raw.play_by_play WHERE event_type = 'shot' AND {IN_GAMES}""",
        [shotchart],
    )
    eng.execute(
        """INSERT INTO nba_raw.player_boxscores SELECT * REPLACE (
               'nba_stats' AS source, upper(player_name) AS player_name)
           FROM nba_raw.player_boxscores WHERE game_id = ?""",
        [box_game],
    )
    eng.execute(
        """UPDATE nba_raw.play_by_play SET shot_distance = NULL
           WHERE game_id = ? AND event_type = 'shot' AND shot_type = '2PT' AND event_id % 4 = 0""",
        [unknown_game],
    )
    plant_prop_ladders(eng)
    plant_in_game_snapshots(eng, IN_GAMES, [in_game])
    inactive = eng.fetchall(
        "SELECT game_id, player_lookup FROM nba_raw.player_boxscores "
        f"WHERE player_status = 'inactive' AND {IN_GAMES} ORDER BY ALL",
        [in_game],
    )
    for (g, pl), reason in zip(
        inactive,
        ("G League - On Assignment", "NOT WITH TEAM", "Family Matters", "LOAD MANAGEMENT"),
        strict=False,
    ):
        eng.execute(
            "UPDATE nba_raw.player_boxscores SET dnp_reason = ? "
            "WHERE game_id = ? AND player_lookup = ?",
            [reason, g, pl],
        )
    sample = sorted(random.Random(11).sample(games, 12))
    sample = sorted({*sample, *shotchart[:3], box_game, unknown_game, *in_game[:4]})
    return {
        "shotchart_games": shotchart,
        "nba_stats_box_game": box_game,
        "unknown_zone_game": unknown_game,
        "in_game_games": in_game,
        "sample_games": sample,
    }


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Synthetic:
    path = tmp_path_factory.mktemp("pgs_syn") / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=3, warehouse=path)
    with DuckDBEngine(path, create=False) as eng:
        info = perturb(eng)
    summary = api.backfill(SYN_START, SYN_END, warehouse=path, models=[TOGS, PROP_LINES, PGS])
    pgs = next(m for m in summary.models if m.model == PGS)
    assert pgs.status == "success", (pgs.failures_by_category, pgs.failed_checks)
    print(f"\nPGS synthetic season: {pgs.seconds:.2f} s, {pgs.rows_written} rows, {pgs.timings}")
    return Synthetic(path, pgs.seconds, **info)


def test_player_game_summary_synthetic_matches_python_reference(synthetic: Synthetic) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        expected = reference(eng, synthetic.sample_games)
        got = model_rows(eng, IN_GAMES, [synthetic.sample_games])
    assert len(expected) >= 100 and set(got) == set(expected)
    columns = [c for c in next(iter(got.values())) if c not in ("run_id", "processed_at")]
    bad = {k: mismatches(got[k], e, columns) for k, e in expected.items()}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, list(bad.items())[:5]
    # The sample exercises what it should: ladders, lines, DNPs, shot-chart and unknown zones.
    rows = list(got.values())
    assert sum(r["points_line"] is not None for r in rows) >= 100
    assert sum(r["line_movement"] not in (None, 0) for r in rows) >= 5
    assert {r["dnp_reason_category"] for r in rows} >= {
        "injury",
        "coach_decision",
        "other",
        "personal",
        "rest",
    }
    assert {r["primary_source_used"] for r in rows} == {"synthetic", "nba_stats"}
    assert {r["source_pbp"] for r in rows} == {"synthetic", "nba_stats_shotchart"}
    assert sum(r["unknown_zone_attempts"] or 0 for r in rows) > 0
    assert sum(r["assisted_fg_makes"] or 0 for r in rows) > 0
    assert sum(r["and1_count"] or 0 for r in rows) > 0
    assert sum((r["paint_blocks"] or 0) + (r["three_pt_blocks"] or 0) for r in rows) > 0


def test_player_game_summary_data_hash_is_sha256_of_the_analytic_columns(
    synthetic: Synthetic,
) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        rows = list(model_rows(eng, IN_GAMES, [synthetic.sample_games[:3]]).values())
        distinct, total = eng.fetchone(f"SELECT count(DISTINCT data_hash), count(*) FROM {PGS}")
    assert rows
    for r in rows:
        # doubles as fixed six-decimal text (DECIMAL(18, 6)), NULL as 'NULL'
        text = "|".join("NULL" if t is None else t for t in (hash_text(r[c]) for c in HASHED))
        assert r["data_hash"] == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert distinct == total


def test_player_game_summary_synthetic_every_box_row_with_dnp_categories(
    synthetic: Synthetic,
) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        box, pgs = eng.fetchone(
            f"SELECT (SELECT count(DISTINCT (game_id, player_lookup)) "
            f"FROM nba_raw.player_boxscores), (SELECT count(*) FROM {PGS})"
        )
        cats = dict(
            eng.fetchall(
                f"SELECT dnp_reason_category, count(*) FROM {PGS} WHERE NOT is_active GROUP BY 1"
            )
        )
        active_cat, dnp_stats, dnp_usage = eng.fetchone(
            f"""SELECT count(*) FILTER (WHERE is_active AND dnp_reason_category IS NOT NULL),
                       count(*) FILTER (WHERE NOT is_active AND (points IS NOT NULL
                                        OR paint_attempts IS NOT NULL)),
                       count(*) FILTER (WHERE is_dnp AND usage_rate IS NOT NULL)
                FROM {PGS}"""
        )
    assert box == pgs == 36080
    assert cats["coach_decision"] > 5000 and cats["injury"] > 2000
    assert cats["rest"] > 50 and cats["personal"] > 10 and cats["other"] >= 1
    assert active_cat == dnp_stats == dnp_usage == 0


def test_player_game_summary_synthetic_zones_sum_and_shot_chart_leaves_detail_null(
    synthetic: Synthetic,
) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        gaps, no_zones, incomplete = eng.fetchone(
            f"""SELECT count(*) FILTER (WHERE paint_attempts + mid_range_attempts
                         + three_attempts_pbp + unknown_zone_attempts <> fg_attempts
                         OR paint_makes + mid_range_makes + three_makes_pbp > fg_makes),
                       count(*) FILTER (WHERE paint_attempts IS NULL),
                       count(*) FILTER (WHERE NOT has_complete_shot_zones)
                FROM {PGS} WHERE is_active"""
        )
        chart = eng.fetchone(
            f"""SELECT count(*), count(paint_attempts), count(assisted_fg_makes),
                       count(and1_count), count(paint_blocks), min(source_pbp), max(source_pbp)
                FROM {PGS} WHERE is_active AND {IN_GAMES}""",
            [synthetic.shotchart_games],
        )
        togs_source = eng.fetchall(
            f"SELECT DISTINCT shot_zones_source FROM {TOGS} WHERE {IN_GAMES}",
            [synthetic.shotchart_games],
        )
        unknown = eng.fetchone(
            f"SELECT sum(unknown_zone_attempts) FILTER (WHERE game_id = ?), "
            f"count(*) FILTER (WHERE unknown_zone_attempts > 0) FROM {PGS} WHERE is_active",
            [synthetic.unknown_zone_game],
        )
    assert gaps == no_zones == 0
    assert incomplete == unknown[1] > 0
    n, zoned, assisted, and1, blocks, lo, hi = chart
    assert n > 100 and zoned == n and assisted == and1 == blocks == 0
    assert lo == hi == "nba_stats_shotchart" and togs_source == [("nba_stats_shotchart",)]
    assert unknown[0] > 0


def test_player_game_summary_synthetic_props_ignore_in_game_and_ladder_rungs(
    synthetic: Synthetic,
) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        in_game_books, picked_in_game = eng.fetchone(
            f"""SELECT count(*) FILTER (WHERE points_line_source = 'aaabook'),
                       count(*) FILTER (WHERE points_line_snapshot_at >
                            (SELECT min(game_start_time) FROM nba_raw.player_props pp
                             WHERE pp.game_id = p.game_id))
                FROM {PGS} p"""
        )
        shares = dict(
            eng.fetchall(
                f"SELECT over_under_result, count(*) FROM {PGS} "
                "WHERE over_under_result IS NOT NULL GROUP BY 1"
            )
        )
        usage = eng.fetchone(
            f"SELECT sum(usage_rate * minutes_played) / sum(minutes_played) FROM {PGS}"
        )[0]
    assert in_game_books == picked_in_game == 0
    assert shares["PUSH"] > 0 and shares["OVER"] > 0 and shares["UNDER"] > 0
    # Complete synthetic rosters: minutes-weighted league usage is 20 by construction.
    assert usage == pytest.approx(20.0, abs=0.05)


def strip(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("run_id", "processed_at")}


def test_player_game_summary_daily_run_equals_backfill_and_ignores_later_data(
    synthetic: Synthetic, tmp_path: Path
) -> None:
    day = dt.date(2025, 1, 15)
    with DuckDBEngine(synthetic.path, create=False) as eng:
        backfilled = model_rows(eng, "game_date = ?", [day])
    assert len(backfilled) > 100
    copy = tmp_path / "w.duckdb"
    shutil.copy(synthetic.path, copy)
    with DuckDBEngine(copy, create=False) as eng:
        for table in ("player_boxscores", "team_boxscores", "play_by_play", "schedule"):
            eng.execute(f"DELETE FROM nba_raw.{table} WHERE game_date > ?", [day])
        # Lines captured after tip-off of the day's games, far from the pre-game ones.
        eng.execute(
            """INSERT INTO nba_raw.player_props SELECT * REPLACE (
                   game_start_time + INTERVAL 90 MINUTE AS snapshot_timestamp,
                   -90 AS minutes_before_tipoff, points_line + 9 AS points_line)
               FROM nba_raw.player_props WHERE game_date = ? AND minutes_before_tipoff > 0""",
            [day],
        )
        eng.execute("DELETE FROM nba_raw.player_props WHERE game_date > ?", [day])
    summary = api.run_daily(day, models=[TOGS, PROP_LINES, PGS], force=True, warehouse=copy)
    assert all(m.status == "success" for m in summary.models)
    with DuckDBEngine(copy, create=False) as eng:
        daily = model_rows(eng, "game_date = ?", [day])
    assert {k: strip(v) for k, v in daily.items()} == {k: strip(v) for k, v in backfilled.items()}


def test_player_game_summary_synthetic_season_time(synthetic: Synthetic) -> None:
    assert synthetic.seconds < 30


# -- the real 2024-25 season ------------------------------------------------------------------


@dataclass
class RealSeason:
    path: Path
    seconds: float
    missing_dependency_dates: int


@pytest.fixture(scope="module")
def real_2024(tmp_path_factory) -> RealSeason:
    if not NBA_STATS.is_dir():
        pytest.skip("../shared/data not present: real-data tests need it beside the checkout")
    path = tmp_path_factory.mktemp("pgs_real") / "w.duckdb"
    files = [
        "schedule_2024_25.csv",
        "team_gamelogs_2024_25.csv",
        "player_gamelogs_2024_25.csv",
        "shots_2024_25.csv.zip",
    ]
    result = api.ingest_files("nba-stats", [NBA_STATS / f for f in files], warehouse=path)
    assert all(o.status == "loaded" for o in result.files)
    summary = api.backfill(warehouse=path, models=[TOGS, PROP_LINES, PGS])
    pgs = next(m for m in summary.models if m.model == PGS)
    print(f"\nPGS real 2024-25: {pgs.seconds:.2f} s, {pgs.rows_written} rows, {pgs.timings}")
    return RealSeason(path, pgs.seconds, pgs.failures_by_category.get("MISSING_DEPENDENCY", 0))


def test_player_game_summary_real_every_player_row_and_only_missing_dates_fail(
    real_2024: RealSeason,
) -> None:
    with DuckDBEngine(real_2024.path, create=False) as eng:
        box, pgs, dates_without_box = eng.fetchone(
            f"""SELECT (SELECT count(*) FROM nba_raw.player_boxscores),
                       (SELECT count(*) FROM {PGS}),
                       (SELECT count(DISTINCT game_date) FROM nba_raw.schedule
                        WHERE game_status = 3
                          AND season_type NOT IN ('Pre Season', 'All-Star')
                          AND game_date NOT IN
                              (SELECT game_date FROM nba_raw.player_boxscores))"""
        )
    assert box == pgs == 22124
    # Play-in and playoff dates (and the NBA Cup final): team box scores but no player game
    # logs in the files. Dates with only pre-season games demand none: no model counts them.
    assert real_2024.missing_dependency_dates == dates_without_box > 0
    assert real_2024.seconds < 30


def test_player_game_summary_real_zones_sum_to_box_score_for_every_player_game(
    real_2024: RealSeason,
) -> None:
    with DuckDBEngine(real_2024.path, create=False) as eng:
        n, gap_att, gap_made, complete, detail = eng.fetchone(
            f"""SELECT count(*),
                       count(*) FILTER (WHERE paint_attempts + mid_range_attempts
                            + three_attempts_pbp + unknown_zone_attempts
                            IS DISTINCT FROM fg_attempts),
                       count(*) FILTER (WHERE paint_makes + mid_range_makes + three_makes_pbp
                            IS DISTINCT FROM fg_makes),
                       count(*) FILTER (WHERE has_complete_shot_zones),
                       count(assisted_fg_makes) + count(and1_count) + count(paint_blocks)
                FROM {PGS}"""
        )
        expected = reference(
            eng,
            [r[0] for r in eng.fetchall("SELECT DISTINCT game_id FROM nba_raw.player_boxscores")],
        )
        got = model_rows(eng)
        # Suffix names ("Jimmy Butler III" in shot charts): ingest gives one lookup per id.
        renamed = eng.fetchone(
            """SELECT count(*) FROM nba_raw.player_boxscores b JOIN nba_raw.play_by_play p
               ON p.game_id = b.game_id AND p.player_1_id = b.nba_player_id
               WHERE p.player_1_lookup <> b.player_lookup"""
        )[0]
    assert n == complete == 22124 and gap_att == gap_made == 0
    assert detail == 0  # shot-chart data: no assists, blocks or free throws, never invented
    assert renamed == 0
    bad = {
        k: mismatches(got[k], e, [*ZONE_COLUMNS, "has_complete_shot_zones"])
        for k, e in expected.items()
    }
    assert not {k: v for k, v in bad.items() if v}


def test_player_game_summary_real_usage_is_nba_like_and_matches_reference(
    real_2024: RealSeason,
) -> None:
    with DuckDBEngine(real_2024.path, create=False) as eng:
        lo, hi, weighted, plain, n10 = eng.fetchone(
            f"""SELECT min(usage_rate), max(usage_rate),
                       sum(usage_rate * minutes_played) / sum(minutes_played), avg(usage_rate),
                       count(*)
                FROM {PGS} WHERE minutes_played >= 10"""
        )
        zero_minutes = eng.fetchone(
            f"SELECT count(*), count(usage_rate), bool_and(is_dnp), count(dnp_reason_category) "
            f"FROM {PGS} WHERE is_active AND minutes_played = 0"
        )
        expected = reference(
            eng,
            [r[0] for r in eng.fetchall("SELECT DISTINCT game_id FROM nba_raw.player_boxscores")],
        )
        got = model_rows(eng)
    print(f"\nreal 2024-25 usage, >= 10 min: minutes-weighted {weighted:.2f}, plain {plain:.2f}")
    assert n10 > 15000 and lo >= 0 and hi <= 60
    assert 19 <= weighted <= 21 and 19 <= plain <= 21
    assert zero_minutes[0] > 0 and zero_minutes[1] == 0 and zero_minutes[2]
    assert zero_minutes[3] == 0
    cols = ["usage_rate", "efg_pct", "ts_pct", "win_flag", "team_margin", *BOX_COLUMNS]
    bad = {k: mismatches(got[k], e, cols) for k, e in expected.items()}
    assert not {k: v for k, v in bad.items() if v}


def test_player_game_summary_real_shooting_and_zone_shares_are_realistic(
    real_2024: RealSeason,
) -> None:
    with DuckDBEngine(real_2024.path, create=False) as eng:
        ts, paint, mid, three = eng.fetchone(
            f"""SELECT sum(points) / (2 * (sum(fg_attempts) + 0.44 * sum(ft_attempts))),
                       sum(paint_attempts) / sum(fg_attempts),
                       sum(mid_range_attempts) / sum(fg_attempts),
                       sum(three_attempts_pbp) / sum(fg_attempts)
                FROM {PGS}"""
        )
    print(f"\nreal 2024-25: ts {ts:.3f}, paint {paint:.3f}, mid {mid:.3f}, three {three:.3f}")
    assert 0.55 <= ts <= 0.60
    assert 0.38 <= paint <= 0.48 and 0.12 <= mid <= 0.20 and 0.38 <= three <= 0.45


def test_player_game_summary_real_validate_passes_but_for_dates_without_player_logs(
    real_2024: RealSeason,
) -> None:
    report = api.validate(SYN_START, SYN_END, models=[PGS], warehouse=real_2024.path)
    errors = [v for v in report.violations if v.severity == "error"]
    with DuckDBEngine(real_2024.path, create=False) as eng:
        # The NBA Cup final (2024-12-17) is in the schedule but not in the player game logs.
        gaps = eng.fetchone(
            """SELECT count(DISTINCT game_date) FROM nba_raw.schedule
               WHERE game_status = 3 AND game_date BETWEEN ? AND ?
                 AND game_date NOT IN (SELECT game_date FROM nba_raw.player_boxscores)""",
            [SYN_START, SYN_END],
        )[0]
    assert [(v.check, v.dates) for v in errors] == [
        ("covers every date with completed games", gaps)
    ]


# -- real 2025-26 prop lines ------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_2025(tmp_path_factory) -> Path:
    if not NBA_STATS.is_dir() or not POINTS_PROPS.is_dir():
        pytest.skip("../shared/data not present: real-data tests need it beside the checkout")
    path = tmp_path_factory.mktemp("pgs_lines") / "w.duckdb"
    logs = [NBA_STATS / "team_gamelogs_2025_26.csv", NBA_STATS / "player_gamelogs_2025_26.csv"]
    assert all(
        o.status == "loaded" for o in api.ingest_files("nba-stats", logs, warehouse=path).files
    )
    assert all(
        o.status == "loaded"
        for o in api.ingest_files("odds-api", [POINTS_PROPS], warehouse=path).files
    )
    t = time.perf_counter()
    summary = api.backfill(warehouse=path, models=[TOGS, PROP_LINES, PGS])
    assert summary.ok, [(m.model, m.status) for m in summary.models]
    print(f"\nTOGS+PGS real 2025-26: {time.perf_counter() - t:.2f} s")
    return path


def test_player_game_summary_real_lines_graded_for_every_player_game(real_2025: Path) -> None:
    with DuckDBEngine(real_2025, create=False) as eng:
        games = [
            r[0] for r in eng.fetchall("SELECT DISTINCT game_id FROM nba_raw.player_boxscores")
        ]
        expected = reference(eng, games)
        got = model_rows(eng)
        with_line = eng.fetchone(
            """SELECT count(*)
               FROM (SELECT DISTINCT game_id, player_lookup FROM nba_raw.player_props
                     WHERE market = 'player_points' AND minutes_before_tipoff > 0)
               JOIN nba_raw.player_boxscores USING (game_id, player_lookup)
               WHERE points IS NOT NULL"""
        )[0]
        shares = dict(
            eng.fetchall(
                f"SELECT over_under_result, count(*) FROM {PGS} "
                "WHERE over_under_result IS NOT NULL GROUP BY 1"
            )
        )
    graded = sum(shares.values())
    print(
        "\nreal 2025-26 lines: "
        + ", ".join(f"{k} {v} ({v / graded:.1%})" for k, v in sorted(shares.items()))
    )
    assert graded == with_line > 1000
    assert 0.4 <= shares["OVER"] / graded <= 0.6 and 0.4 <= shares["UNDER"] / graded <= 0.6
    cols = [
        "points_line",
        "opening_line",
        "line_movement",
        "points_line_source",
        "lines_book_count",
        "over_under_result",
        "margin",
    ]
    bad = {k: mismatches(got[k], e, cols) for k, e in expected.items()}
    assert not {k: v for k, v in bad.items() if v}


def test_player_game_summary_real_partial_team_totals_give_no_usage(real_2025: Path) -> None:
    """The 2025-26 team file has one team per game; the other is rebuilt from a game log that
    misses players, so its totals are too small: usage is NULL and flagged, never inflated."""
    with DuckDBEngine(real_2025, create=False) as eng:
        flagged, flagged_usage, ready, hi = eng.fetchone(
            f"""SELECT count(*) FILTER (WHERE data_quality_flag = 'partial_incomplete_team_stats'),
                       count(usage_rate) FILTER (WHERE team_totals_incomplete),
                       count(*) FILTER (WHERE team_totals_incomplete AND is_production_ready),
                       max(usage_rate) FILTER (WHERE minutes_played >= 10)
                FROM {PGS}"""
        )
    assert flagged > 0 and flagged_usage == ready == 0 and hi <= 60
