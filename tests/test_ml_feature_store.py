"""ml_feature_store_v2: a per-player reference for the features built from Phase 3 and raw data,
the quality score from the spec, array = typed columns, gates, point in time, daily = backfill,
and the real 2024-25 season."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from nbapipe import api
from nbapipe.engine.duckdb import DuckDBEngine

MLFS = "nba_predictions.ml_feature_store_v2"
UPGC = "nba_analytics.upcoming_player_game_context"
PGS = "nba_analytics.player_game_summary"
TOGS = "nba_analytics.team_offense_game_summary"
PDC = "nba_precompute.player_daily_cache"
PCF = "nba_precompute.player_composite_factors"
TDZA = "nba_precompute.team_defense_zone_analysis"
PSZA = "nba_precompute.player_shot_zone_analysis"
FAILURES = "nba_processing.precompute_failures"
NBA_STATS = SHARED_DATA / "nba_stats"
REAL_FILES = [
    "schedule_2024_25.csv",
    "team_gamelogs_2024_25.csv",
    "player_gamelogs_2024_25.csv",
    "shots_2024_25.csv.zip",
]

# Spec 5.5.1 order.
NAMES = [
    "points_avg_last_5",
    "points_avg_last_10",
    "points_avg_season",
    "points_std_last_10",
    "games_in_last_7_days",
    "fatigue_score",
    "shot_zone_mismatch_score",
    "pace_score",
    "usage_spike_score",
    "rest_advantage",
    "injury_risk",
    "recent_trend",
    "minutes_change",
    "opponent_def_rating",
    "opponent_pace",
    "home_away",
    "back_to_back",
    "playoff_game",
    "pct_paint",
    "pct_mid_range",
    "pct_three",
    "pct_free_throw",
    "team_pace",
    "team_off_rating",
    "team_win_pct",
    "vegas_points_line",
    "vegas_opening_line",
    "vegas_line_move",
    "has_vegas_line",
    "avg_points_vs_opponent",
    "games_vs_opponent",
    "minutes_avg_last_10",
    "ppm_avg_last_10",
    "dnp_rate",
    "pts_slope_10g",
    "pts_vs_season_zscore",
    "breakout_flag",
    "star_teammates_out",
    "game_total_line",
    "days_rest",
    "minutes_load_last_7d",
    "spread_magnitude",
    "implied_team_total",
    "points_avg_last_3",
    "scoring_trend_slope",
    "deviation_from_avg_last3",
    "consecutive_games_below_avg",
    "teammate_usage_available",
    "usage_rate_last_5",
    "games_since_structural_change",
    "multi_book_line_std",
    "prop_over_streak",
    "prop_under_streak",
    "line_vs_season_avg",
    "prop_line_delta",
    "over_rate_last_10",
    "margin_vs_line_avg_last_5",
    "blowout_minutes_risk",
    "minutes_volatility_last_10",
    "opponent_pace_mismatch",
]
OPTIONAL = {25, 26, 27, *range(37, 60)}
CATEGORIES = {
    "matchup": {5, 6, 7, 8, 13, 14},
    "player_history": {*range(0, 5), *range(29, 38), 43, 44, 45, 46, 48, 49, 54, 55, 56, 58},
    "team_context": {22, 23, 24, 57},
    "vegas": {25, 26, 27, 28},
    "game_context": {*range(9, 13), *range(15, 22), *range(38, 43), 47, 50, 51, 52, 53, 59},
}
WEIGHTS = {
    "phase4": 100,
    "phase3": 87,
    "calculated": 100,
    "vegas": 100,
    "default": 40,
    "missing": 0,
}


@dataclass
class Built:
    path: Path
    seconds: float  # MLFS time for the season


def _mlfs(summary) -> object:
    return {m.model: m for m in summary.models}[MLFS]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Built:
    path = tmp_path_factory.mktemp("mlfs") / "w.duckdb"
    api.ingest_synthetic("2023-24", seed=5, warehouse=path)
    summary = api.backfill(warehouse=path)
    assert summary.ok, [(m.model, m.status) for m in summary.models]
    result = _mlfs(summary)
    assert result.failed_checks == [] and result.dates_computed > 150
    print(f"\nMLFS synthetic 2023-24: {result.seconds:.2f} s, {result.rows_written} rows")
    return Built(path, result.seconds)


# -- the reference: one player-date the obvious way -----------------------------------------


def _rows(eng: DuckDBEngine, sql: str, params=()) -> list[dict]:
    cur = eng.con.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


class Reference:
    """Straightforward per-player computation from the analytics and raw tables (spec 5.5.1)."""

    def __init__(self, eng: DuckDBEngine) -> None:
        self.games = defaultdict(list)  # player -> box-score rows, by date
        for r in _rows(
            eng,
            f"SELECT * FROM {PGS} WHERE coalesce(season_type, 'Regular Season') "
            "NOT IN ('Pre Season', 'All-Star') ORDER BY game_date",
        ):
            self.games[r["player_lookup"]].append(r)
        self.team_games = defaultdict(list)
        for r in _rows(eng, f"SELECT * FROM {TOGS} ORDER BY game_date"):
            self.team_games[r["team_abbr"]].append(r)
        self.schedule = {r["game_id"]: r for r in _rows(eng, "SELECT * FROM nba_raw.schedule")}
        self.injuries = defaultdict(list)
        for r in _rows(eng, "SELECT * FROM nba_raw.injury_report"):
            self.injuries[r["game_id"]].append(r)
        self.props = defaultdict(list)  # (player) -> rows
        for r in _rows(
            eng,
            "SELECT * FROM nba_raw.player_props WHERE market = 'player_points' "
            "AND minutes_before_tipoff > 0 AND bookmaker <> 'bovada'",
        ):
            self.props[r["player_lookup"]].append(r)

    @staticmethod
    def played(g: dict) -> bool:
        return bool(g["is_active"]) and (g["minutes_played"] or 0) > 0

    def book_lines(self, player: str, day: dt.date) -> list[float]:
        snaps = defaultdict(list)
        for p in self.props[player]:
            if p["game_date"] == day:
                snaps[(p["bookmaker"], p["snapshot_timestamp"])].append(p)
        main = {}
        for (book, ts), rows in snaps.items():
            best = min(
                rows,
                key=lambda r: (
                    abs((r["over_price"] or 0) - (r["under_price"] or 0)),
                    r["points_line"],
                ),
            )
            if book not in main or ts > main[book][0]:
                main[book] = (ts, best["points_line"])
        return [line for _, line in main.values()]

    def features(self, u: dict, pdc: dict | None, tdza: dict | None) -> dict[int, float | None]:
        day, player = u["game_date"], u["player_lookup"]
        hist = [g for g in self.games[player] if g["game_date"] < day]
        recent = [g for g in hist if (day - g["game_date"]).days <= 60][::-1]  # newest first
        rp = [g for g in recent if self.played(g)]
        season = [g for g in hist if g["season_year"] == u["season_year"] and self.played(g)]
        f: dict[int, float | None] = {}
        pts = [g["points"] for g in rp]
        if pdc is None:
            f[0] = statistics.mean(pts[:5]) if len(pts) >= 5 else 10.0
            f[1] = statistics.mean(pts[:10]) if pts else 10.0
            f[2] = statistics.mean(g["points"] for g in season) if season else 10.0
            f[3] = statistics.stdev(pts[:10]) if len(pts[:10]) >= 2 else 5.0
            f[4] = float(u["games_in_last_7_days"])
        else:
            f[0], f[1], f[2] = (
                pdc["points_avg_last_5"],
                pdc["points_avg_last_10"],
                pdc["points_avg_season"],
            )
            f[3] = (
                pdc["points_std_last_10"]
                if pdc["points_std_last_10"] is not None
                else (statistics.stdev(pts[:10]) if len(pts[:10]) >= 2 else 5.0)
            )
        dr, odr = u["days_rest"], u["opponent_days_rest"]
        f[9] = 0.0 if dr is None or odr is None else float(max(-2, min(2, dr - odr)))
        f[10] = {"probable": 1.0, "questionable": 2.0, "doubtful": 3.0, "out": 3.0}.get(
            (u["injury_status"] or "").strip().lower(), 0.0
        )
        if len(pts) >= 5:
            d = statistics.mean(pts[:2]) - statistics.mean(pts[2:5])
            f[11] = (
                2.0 if d >= 5 else 1.0 if d >= 2 else -2.0 if d <= -5 else -1.0 if d <= -2 else 0.0
            )
        else:
            f[11] = 0.0
        mins = [float(g["minutes_played"]) for g in rp]
        m10 = (
            pdc["minutes_avg_last_10"]
            if pdc and pdc["minutes_avg_last_10"] is not None
            else (statistics.mean(mins[:10]) if mins else None)
        )
        smin = statistics.mean(float(g["minutes_played"]) for g in season) if season else None
        if m10 is None or not smin:
            f[12] = 0.0
        else:
            c = (m10 - smin) / smin
            f[12] = (
                2.0
                if c >= 0.2
                else 1.0
                if c >= 0.1
                else -2.0
                if c <= -0.2
                else -1.0
                if c <= -0.1
                else 0.0
            )
        f[13] = tdza["defensive_rating_last_15"] if tdza else 112.0
        f[14] = tdza["opponent_pace"] if tdza else 100.0
        f[15] = 1.0 if u["home_game"] else 0.0
        f[16] = 1.0 if u["is_back_to_back"] else 0.0
        f[17] = (
            1.0 if self.schedule[u["game_id"]]["season_type"] in ("Playoffs", "Play-In") else 0.0
        )
        p10 = rp[:10]
        if len(p10) >= 5 and sum(pts[:10]) > 0:
            f[21] = max(0.0, min(0.5, sum(g["ft_makes"] for g in p10) / sum(pts[:10])))
        else:
            f[21] = 0.15
        team = [
            t
            for t in self.team_games[u["team_abbr"]]
            if t["season_year"] == u["season_year"] and t["game_date"] < day
        ][::-1]
        if pdc is None:
            f[22] = statistics.mean(t["pace"] for t in team[:10]) if team else 100.0
            f[23] = statistics.mean(t["offensive_rating"] for t in team[:10]) if team else 112.0
        else:
            f[22], f[23] = pdc["team_pace_last_10"], pdc["team_off_rating_last_10"]
        f[24] = sum(t["win_flag"] for t in team) / len(team) if len(team) >= 5 else 0.5
        cur, opening = u["current_points_line"], u["opening_points_line"]
        f[25] = cur
        f[26] = (opening if opening is not None else cur) if cur is not None else None
        f[27] = cur - f[26] if cur is not None else None
        f[28] = 1.0 if cur is not None else 0.0
        vs = [
            g
            for g in hist
            if self.played(g)
            and g["opponent_team_abbr"] == u["opponent_team_abbr"]
            and (day - g["game_date"]).days <= 365
        ]
        f[29] = statistics.mean(g["points"] for g in vs) if vs else f[2]
        f[30] = float(len(vs))
        m30 = [g for g in rp if (day - g["game_date"]).days <= 30]
        f[31] = (
            statistics.mean(float(g["minutes_played"]) for g in m30)
            if m30
            else (pdc["minutes_avg_last_10"] if pdc else 28.0)
        )
        f[32] = (
            statistics.mean(g["points"] / float(g["minutes_played"]) for g in m30)
            if m30
            else (pdc["points_avg_last_10"] / pdc["minutes_avg_last_10"] if pdc else 0.4)
        )
        r10 = recent[:10]
        f[33] = sum(bool(g["is_dnp"]) for g in r10) / len(r10) if len(r10) >= 3 else 0.0
        f[34] = _slope([g["points"] or 0 for g in reversed(r10)]) if len(r10) >= 5 else 0.0
        f[35] = max(-3.0, min(3.0, (f[0] - f[2]) / f[3])) if f[3] else 0.0
        f[36] = 1.0 if f[0] > f[2] + 1.5 * f[3] else 0.0
        f[37] = u["star_teammates_out"]
        f[38] = u["game_total"]
        f[39] = u["days_rest"]
        f[40] = u["minutes_in_last_7_days"]
        spread, total = u["game_spread"], u["game_total"]
        f[41] = abs(spread) if spread is not None else None
        f[42] = (total - spread) / 2 if spread is not None and total is not None else None
        f[43] = statistics.mean(pts[:3]) if pts else None
        f[44] = (_slope(pts[:7][::-1]) if len(pts[:7]) >= 4 else 0.0) if pts else None
        mean60 = statistics.mean(pts) if pts else None
        std60 = statistics.stdev(pts) if len(pts) >= 2 else 0
        f[45] = (f[43] - mean60) / (std60 if std60 > 0 else 5.0) if pts else None
        streak = 0
        for p in pts:
            if p >= mean60:
                break
            streak += 1
        f[46] = float(streak) if pts else None
        f[47] = self.teammate_usage(u)
        usage5 = [g["usage_rate"] for g in rp[:5] if g["usage_rate"] is not None]
        f[48] = (statistics.mean(usage5) if len(usage5) >= 3 else 20.0) if rp else None
        f[49] = self.structural(u, rp)
        lines = self.book_lines(player, day)
        f[50] = statistics.stdev(lines) if len(lines) >= 2 else None
        f[51], f[52] = u["prop_over_streak"], u["prop_under_streak"]
        f[53] = cur - f[2] if cur is not None else None
        f[54] = None
        if lines:
            for back in range(1, 15):
                prev = self.book_lines(player, day - dt.timedelta(days=back))
                if prev:
                    f[54] = statistics.median(lines) - statistics.median(prev)
                    break
        graded = [g for g in rp if g["over_under_result"] in ("OVER", "UNDER")]
        f[55] = (
            sum(g["over_under_result"] == "OVER" for g in graded[:10]) / len(graded[:10])
            if len(graded[:10]) >= 5
            else None
        )
        f[56] = (
            statistics.mean(g["points"] - g["points_line"] for g in graded[:5])
            if len(graded[:5]) >= 3
            else None
        )
        t10 = team[:10]
        f[57] = (
            sum(abs(t["margin_of_victory"]) >= 15 for t in t10) / len(t10) if len(t10) >= 5 else 0.2
        )
        f[58] = statistics.stdev(mins[:10]) if len(mins[:10]) >= 3 else None
        f[59] = f[22] - f[14] if tdza and (pdc or team) else None
        return f

    def teammate_usage(self, u: dict) -> float | None:
        start = self.schedule[u["game_id"]]["game_start_time"]
        latest = {}
        for r in self.injuries[u["game_id"]]:
            if start is None or r["report_timestamp"] < start:
                k = r["player_lookup"]
                if k not in latest or r["report_timestamp"] > latest[k]["report_timestamp"]:
                    latest[k] = r
        if not latest:
            return None
        total = 0.0
        for k, r in latest.items():
            if k == u["player_lookup"] or r["team_abbr"] != u["team_abbr"]:
                continue
            if r["injury_status"].strip().lower() not in ("out", "doubtful"):
                continue
            use = [
                g["usage_rate"]
                for g in self.games[k]
                if g["game_date"] < u["game_date"]
                and (u["game_date"] - g["game_date"]).days <= 30
                and (g["minutes_played"] or 0) > 10
                and g["usage_rate"] is not None
            ]
            total += statistics.mean(use) if use else 0.0
        return total

    @staticmethod
    def structural(u: dict, rp: list[dict]) -> float | None:
        if not rp:
            return None
        if rp[0]["team_abbr"] != u["team_abbr"] or (u["game_date"] - rp[0]["game_date"]).days > 14:
            return 0.0
        n = len(rp)
        for k in range(len(rp) - 1):  # rp[k] newest first; its older neighbour rp[k + 1]
            newer, older = rp[k], rp[k + 1]
            if (
                newer["team_abbr"] != older["team_abbr"]
                or (newer["game_date"] - older["game_date"]).days > 14
            ):
                n = k + 1
                break
        return float(min(n, 30))


def _slope(ys: list[float]) -> float:
    n = len(ys)
    xs = range(n)
    mx, my = (n - 1) / 2, sum(ys) / n
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def _close(a, b, tol: float = 2e-4) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= tol


def test_ml_feature_store_features_match_reference_on_sampled_rows(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        ref = Reference(eng)
        dates = [r[0] for r in eng.fetchall(f"SELECT DISTINCT game_date FROM {MLFS} ORDER BY 1")][
            ::12
        ]
        rng = random.Random(7)
        diffs, checked, cache_misses = [], 0, 0
        for day in dates:
            rows = _rows(eng, f"SELECT * FROM {MLFS} WHERE game_date = ?", [day])
            no_pdc = [r for r in rows if r["feature_sources"][0] != "phase4"]
            sample = rng.sample(rows, min(25, len(rows))) + no_pdc[:10]
            for row in sample:
                player = row["player_lookup"]
                u = _rows(
                    eng,
                    f"SELECT * FROM {UPGC} WHERE game_date = ? AND player_lookup = ?",
                    [day, player],
                )[0]
                pdc = _rows(
                    eng,
                    f"SELECT * FROM {PDC} WHERE cache_date = ? AND player_lookup = ?",
                    [day, player],
                )
                tdza = _rows(
                    eng,
                    f"SELECT * FROM {TDZA} WHERE analysis_date = ? AND team_abbr = ?",
                    [day, u["opponent_team_abbr"]],
                )
                cache_misses += not pdc
                want = ref.features(u, pdc[0] if pdc else None, tdza[0] if tdza else None)
                for i, value in want.items():
                    got = row[NAMES[i]]
                    if not _close(got, value):
                        diffs.append((day, player, i, NAMES[i], got, value))
                checked += 1
    assert diffs[:10] == [] and len(diffs) == 0
    assert checked > 300 and cache_misses > 0


def test_ml_feature_store_quality_score_follows_spec(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        rows = _rows(eng, f"SELECT * FROM {MLFS} USING SAMPLE 3000 ROWS (reservoir, 3)")
    tiers = defaultdict(int)
    for r in rows:
        src = r["feature_sources"]
        defaulted = [i for i, s in enumerate(src) if s in ("default", "missing")]
        required = [i for i in defaulted if i not in OPTIONAL]
        counted = [WEIGHTS[s] for i, s in enumerate(src) if not (i in OPTIONAL and i in defaulted)]
        score = sum(counted) / len(counted)
        if len(required) >= 5:
            score = min(score, 49)
        elif required:
            score = min(score, 69)
        assert r["feature_quality_score"] == pytest.approx(round(score, 2), abs=0.006)
        tier = (
            "gold"
            if score >= 95
            else "silver"
            if score >= 85
            else "bronze"
            if score >= 70
            else "poor"
            if score >= 50
            else "critical"
        )
        tiers[tier] += 1
        assert r["quality_tier"] == tier
        cats = {}
        for cat, idx in CATEGORIES.items():
            cats[cat] = sum(WEIGHTS[src[i]] for i in idx) / len(idx)
            assert r[f"{cat}_quality_pct"] == pytest.approx(cats[cat], abs=0.006)
            assert r[f"{cat}_default_count"] == sum(src[i] in ("default", "missing") for i in idx)
        alert = (
            "red"
            if cats["matchup"] < 50 or score < 50
            else "yellow"
            if required or score < 70 or cats["matchup"] < 70
            else "green"
        )
        assert r["quality_alert_level"] == alert
        assert r["is_quality_ready"] == (score >= 70 and cats["matchup"] >= 50 and not required)
        assert r["is_training_ready"] == (
            score >= 85 and cats["matchup"] >= 70 and cats["player_history"] >= 80
        )
        assert r["required_default_count"] == len(required)
        assert r["default_feature_count"] == len(defaulted)
        assert r["default_feature_indices"] == ",".join(map(str, defaulted))
        assert r["has_vegas_line"] == (1.0 if r["vegas_line_source"] == "odds_api" else 0.0)
    assert tiers["gold"] > 1000 and tiers["poor"] + tiers["critical"] > 0


def test_ml_feature_store_array_equals_typed_columns_in_spec_order(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        cols = ", ".join(NAMES)
        rows = eng.fetchall(
            f"SELECT features, feature_names, feature_sources, feature_count, feature_version, "
            f"{cols} FROM {MLFS}"
        )
    assert len(rows) > 20000
    for features, names, sources, count, version, *typed in rows:
        assert names == NAMES and count == 60 and version == "v2_60features"
        assert features == typed and len(sources) == 60
        assert all((f is None) == (s == "missing") for f, s in zip(features, sources, strict=True))


def test_ml_feature_store_early_season_fails_every_player_with_reason(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        opener = eng.fetchone(
            "SELECT min(game_date) FROM nba_raw.schedule WHERE season_type = 'Regular Season'"
        )[0]
        cutoff = opener + dt.timedelta(days=14)
        table_rows = eng.fetchone(f"SELECT count(*) FROM {MLFS} WHERE game_date < ?", [cutoff])[0]
        context_rows = eng.fetchone(f"SELECT count(*) FROM {UPGC} WHERE game_date < ?", [cutoff])[0]
        fails = eng.fetchall(
            f"SELECT failure_category, failure_reason, can_retry FROM {FAILURES} "
            "WHERE model = ? AND analysis_date < ?",
            [MLFS, cutoff],
        )
        first_after = eng.fetchone(
            f"SELECT count(*) FROM {MLFS} WHERE game_date >= ? AND game_date < ? + 3",
            [cutoff, cutoff],
        )[0]
    assert table_rows == 0 and first_after > 100
    assert len(fails) == context_rows > 1000
    assert {(c, r) for c, _, r in fails} == {("EARLY_SEASON", False)}
    assert f"early season: day 3 of 14 after the {opener} opener" in {r for _, r, _ in fails}


def test_ml_feature_store_missing_data_for_players_without_recent_games(synthetic: Built) -> None:
    with DuckDBEngine(synthetic.path, create=False) as eng:
        want = set(
            eng.fetchall(
                f"""
                SELECT u.game_date, u.player_lookup FROM {UPGC} u
                WHERE u.game_date IN (SELECT DISTINCT game_date FROM {MLFS})
                  AND NOT EXISTS (
                    SELECT 1 FROM {PGS} p WHERE p.player_lookup = u.player_lookup
                      AND p.is_active AND p.minutes_played > 0 AND p.game_date < u.game_date
                      AND p.game_date >= u.game_date - 60)
                """
            )
        )
        got = eng.fetchall(
            f"SELECT analysis_date, entity_id, can_retry FROM {FAILURES} "
            "WHERE model = ? AND failure_category = 'MISSING_DATA'",
            [MLFS],
        )
        leaked = eng.fetchone(f"SELECT count(*) FROM {MLFS} WHERE games_found = 0")[0]
    assert {(d, p) for d, p, _ in got} == want and len(want) > 0
    assert not any(r for _, _, r in got) and leaked == 0


def test_ml_feature_store_only_sees_data_before_the_date(synthetic: Built, tmp_path: Path) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(synthetic.path, copy)
    day = dt.date(2024, 1, 17)
    q = (
        f"SELECT * EXCLUDE (run_id, processed_at) FROM {MLFS} "
        "WHERE game_date BETWEEN ? AND ? ORDER BY ALL"
    )
    with DuckDBEngine(copy, create=False) as eng:
        before = eng.fetchall(q, [day - dt.timedelta(days=2), day])
        after_day = eng.fetchall(q, [day + dt.timedelta(days=1), day + dt.timedelta(days=3)])
        # A box score on the date changes; a game after it gets one more player line.
        eng.execute(
            "UPDATE nba_raw.player_boxscores SET points = points + 9, "
            "free_throws_made = free_throws_made + 9, "
            "free_throws_attempted = free_throws_attempted + 9 "
            "WHERE game_date = ? AND player_status = 'active'",
            [day],
        )
        eng.execute(
            "INSERT INTO nba_raw.player_boxscores SELECT * REPLACE ("
            "player_lookup || 'x' AS player_lookup, player_name || ' X' AS player_name) "
            "FROM nba_raw.player_boxscores WHERE game_date = ? AND player_status = 'active' "
            "LIMIT 1",
            [day + dt.timedelta(days=1)],
        )
    summary = api.backfill(day - dt.timedelta(days=2), day + dt.timedelta(days=3), warehouse=copy)
    assert summary.ok and _mlfs(summary).dates_computed >= 3
    with DuckDBEngine(copy, create=False) as eng:
        assert eng.fetchall(q, [day - dt.timedelta(days=2), day]) == before
        changed = eng.fetchall(q, [day + dt.timedelta(days=1), day + dt.timedelta(days=3)])
    assert len(before) > 300 and changed != after_day


def test_ml_feature_store_daily_run_equals_backfill(synthetic: Built, tmp_path: Path) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copy(synthetic.path, copy)
    q = f"SELECT * EXCLUDE (run_id, processed_at) FROM {MLFS} WHERE game_date = ? ORDER BY ALL"
    fq = (
        f"SELECT entity_id, failure_category, failure_reason, can_retry, expected_game_count, "
        f"actual_game_count FROM {FAILURES} WHERE model = '{MLFS}' AND analysis_date = ? "
        "ORDER BY ALL"
    )
    days = [dt.date(2023, 11, 2), dt.date(2024, 2, 7)]
    with DuckDBEngine(copy, create=False) as eng:
        before = {d: (eng.fetchall(q, [d]), eng.fetchall(fq, [d])) for d in days}
    for d in days:
        assert (
            _mlfs(api.run_daily(d, models=[MLFS], force=True, warehouse=copy)).dates_computed == 1
        )
    with DuckDBEngine(copy, create=False) as eng:
        after = {d: (eng.fetchall(q, [d]), eng.fetchall(fq, [d])) for d in days}
    assert after == before
    assert all(len(rows) + len(fails) > 100 for rows, fails in before.values())


def test_ml_feature_store_time_per_season(synthetic: Built) -> None:
    assert synthetic.seconds < 20


# -- the real 2024-25 season ------------------------------------------------------------------

# Features that may legitimately hold one value across a date of the real season: no playoff
# games in the regular season; the game logs have no prop lines (odds files cover 2025-26 only)
# so the line features are missing and has_vegas_line is 0.
CONSTANT_ON_REAL = {
    "playoff_game",
    "vegas_points_line",
    "vegas_opening_line",
    "vegas_line_move",
    "has_vegas_line",
    "multi_book_line_std",
    "prop_over_streak",
    "prop_under_streak",
    "line_vs_season_avg",
    "prop_line_delta",
    "over_rate_last_10",
    "margin_vs_line_avg_last_5",
    # no injury reports in the game logs: nobody is listed, so no risk and no absent teammates
    "injury_risk",
    "star_teammates_out",
    "teammate_usage_available",
    # no game lines either
    "game_total_line",
    "spread_magnitude",
    "implied_team_total",
}
# Features constant on some dates for a reason, with the most such dates seen (of 139):
# before ~Nov 20 no team has the games a team_defense_zone_analysis row needs, so the matchup
# features take their defaults; no back-to-back on some nights; breakouts are rare; the game
# logs list no DNP rows; in the first week after day 14 the last 10 games are the season.
SOMETIMES_CONSTANT = {
    "back_to_back": 45,
    "breakout_flag": 35,
    "dnp_rate": 20,
    "minutes_change": 10,
    "games_vs_opponent": 3,
    "opponent_def_rating": 15,
    "opponent_pace": 15,
    "shot_zone_mismatch_score": 15,
    "opponent_pace_mismatch": 15,
}
SANE = {
    "points_avg_last_5": (0, 60),
    "points_avg_last_10": (0, 60),
    "points_avg_season": (0, 45),
    "points_std_last_10": (0, 25),
    "games_in_last_7_days": (0, 5),
    "fatigue_score": (0, 100),
    "shot_zone_mismatch_score": (-10, 10),
    "pace_score": (-3, 3),
    "usage_spike_score": (-3, 3),
    "rest_advantage": (-2, 2),
    "injury_risk": (0, 3),
    "recent_trend": (-2, 2),
    "minutes_change": (-2, 2),
    "opponent_def_rating": (95, 130),
    "opponent_pace": (90, 112),
    "home_away": (0, 1),
    "back_to_back": (0, 1),
    "pct_paint": (0, 1),
    "pct_mid_range": (0, 1),
    "pct_three": (0, 1),
    "pct_free_throw": (0, 0.5),
    "team_pace": (90, 112),
    "team_off_rating": (88, 130),  # 2024-25 Charlotte: 93 over 10 games in March
    "team_win_pct": (0, 1),
    "avg_points_vs_opponent": (0, 70),
    "games_vs_opponent": (0, 5),
    "minutes_avg_last_10": (0, 48),
    "ppm_avg_last_10": (0, 3),
    "dnp_rate": (0, 1),
    "pts_slope_10g": (-10, 10),
    "pts_vs_season_zscore": (-3, 3),
    "breakout_flag": (0, 1),
    "days_rest": (0, 200),
    "minutes_load_last_7d": (0, 200),
    "points_avg_last_3": (0, 70),
    "scoring_trend_slope": (-20, 20),
    "deviation_from_avg_last3": (-6, 6),
    "consecutive_games_below_avg": (0, 30),
    "usage_rate_last_5": (0, 70),
    "games_since_structural_change": (0, 30),
    "blowout_minutes_risk": (0, 1),
    "minutes_volatility_last_10": (0, 25),
    "opponent_pace_mismatch": (-20, 20),
}


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Built:
    if not NBA_STATS.is_dir():
        pytest.skip("../shared/data not present: real-data tests need it beside the checkout")
    path = tmp_path_factory.mktemp("mlfs_real") / "w.duckdb"
    result = api.ingest_files("nba-stats", [NBA_STATS / f for f in REAL_FILES], warehouse=path)
    assert all(o.status == "loaded" for o in result.files)
    # The game logs have no pre-season, Cup final or playoff player rows: without those
    # schedule dates every date of the regular season is computed (see the PSZA tests).
    with DuckDBEngine(path, create=False) as eng:
        eng.execute("DELETE FROM nba_raw.schedule WHERE season_type <> 'Regular Season'")
    summary = api.backfill(warehouse=path)
    result = _mlfs(summary)
    print(f"\nMLFS real 2024-25: {result.seconds:.2f} s, {result.rows_written} rows")
    assert result.status == "success" and result.dates_computed > 150
    return Built(path, result.seconds)


def test_ml_feature_store_real_features_sane_and_vary_within_a_date(real: Built) -> None:
    with DuckDBEngine(real.path, create=False) as eng:
        bad = []
        for name, (lo, hi) in SANE.items():
            n = eng.fetchone(f"SELECT count(*) FROM {MLFS} WHERE {name} < {lo} OR {name} > {hi}")[0]
            if n:
                bad.append((name, n))
        assert bad == []
        stuck = eng.fetchall(
            f"""
            SELECT name, game_date FROM (
                SELECT game_date, unnest(feature_names) AS name,
                       unnest(features) AS value
                FROM {MLFS}
                WHERE game_date IN (SELECT game_date FROM {MLFS} GROUP BY 1 HAVING count(*) >= 50)
            )
            GROUP BY name, game_date HAVING count(DISTINCT value) <= 1
            """
        )
        days = eng.fetchone(
            f"SELECT count(*) FROM (SELECT game_date FROM {MLFS} GROUP BY 1 HAVING count(*) >= 50)"
        )[0]
        vegas = eng.fetchone(f"SELECT count(*) FROM {MLFS} WHERE has_vegas_line = 1")[0]
    stuck_names = defaultdict(int)
    for name, _ in stuck:
        stuck_names[name] += 1
    over = {
        n: c
        for n, c in stuck_names.items()
        if n not in CONSTANT_ON_REAL and c > SOMETIMES_CONSTANT.get(n, 0)
    }
    assert over == {}
    matchup_late = [
        d
        for n, d in stuck
        if n in ("opponent_pace", "opponent_def_rating") and d >= dt.date(2024, 11, 25)
    ]
    assert matchup_late == []
    assert days > 100 and vegas == 0
