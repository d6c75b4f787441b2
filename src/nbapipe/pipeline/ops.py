"""Operator queries: coverage against the schedule, validation over stored tables, failures.

These are the legacy operators' validation queries (spec 6.12) as one set-based query per
model, never one per date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from nbapipe.engine.base import Engine, date_range
from nbapipe.engine.duckdb import quote_ident
from nbapipe.errors import NbapipeError
from nbapipe.pipeline import checks as checks_mod
from nbapipe.pipeline.model import Model
from nbapipe.pipeline.state import MODEL_INTERVALS, PRECOMPUTE_FAILURES, RUN_HISTORY
from nbapipe.sources import schema
from nbapipe.vocab import SEASON_OPENERS_SQL, counted_game_sql


@dataclass
class ModelCoverage:
    model: str
    game_dates: int  # dates in range with completed games
    dates_with_rows: int
    coverage_pct: float
    rows: int
    missing_dates: list[str]
    failures_by_category: dict[str, int]
    last_run_status: str | None
    last_run_at: str | None
    per_date: list[dict] = field(default_factory=list)
    # Why each missing date is missing: the date's failure reason, 'computed, no rows' or
    # 'never computed'.
    missing_reasons: dict[str, str] = field(default_factory=dict)
    # Dates the model computed and wrote nothing for because none of its inputs (all
    # optional) had rows: a source that was not collected, not a gap in the model. Not in
    # missing_dates.
    no_input_dates: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def model_coverage(
    engine: Engine,
    models: list[Model],
    start: dt.date,
    end: dt.date,
    *,
    per_date: bool = False,
) -> list[ModelCoverage]:
    end_x = end + dt.timedelta(days=1)
    # Dates with counted games only (a date with only pre-season or All-Star games is no
    # date a model must cover); a season opens at its real opener.
    games = dict(
        engine.fetchall(
            f"SELECT game_date, count(DISTINCT game_id) FROM {schema.SCHEDULE.fqn} "
            "WHERE game_date >= ? AND game_date < ? AND coalesce(game_status, 3) = 3 "
            f"AND {counted_game_sql('season_type')} GROUP BY game_date",
            [start, end_x],
        )
    )
    season_openers = {d for (_, d) in engine.fetchall(SEASON_OPENERS_SQL)}
    out = []
    for m in models:
        rows_by_date: dict[dt.date, int] = {}
        if engine.table_exists(m.name):
            dc = quote_ident(m.date_column)
            rows_by_date = dict(
                engine.fetchall(
                    f"SELECT {dc}, count(*) FROM {m.name} WHERE {dc} >= ? AND {dc} < ? "
                    f"GROUP BY {dc}",
                    [start, end_x],
                )
            )
        expected_dates = set(games)
        if m.lookback_days or m.lookback_games:
            # A history model has nothing to say on a season's first day: no history yet.
            expected_dates -= season_openers
        # A date whose entities all became failure rows (too few games, early season) was
        # handled, not missed.
        handled = {
            d
            for (d,) in engine.fetchall(
                f"SELECT DISTINCT analysis_date FROM {PRECOMPUTE_FAILURES.fqn} "
                "WHERE model = ? AND entity_id <> '__date__' AND analysis_date >= ? "
                "AND analysis_date < ?",
                [m.name, start, end_x],
            )
        }
        missing = sorted(d for d in expected_dates if d not in rows_by_date and d not in handled)
        reasons = _missing_reasons(engine, m, missing)
        no_input = _no_input_dates(engine, m, [d for d in missing if reasons[d] == COMPUTED_EMPTY])
        missing = [d for d in missing if d not in no_input]
        fails = dict(
            engine.fetchall(
                f"SELECT failure_category, count(*) FROM {PRECOMPUTE_FAILURES.fqn} "
                "WHERE model = ? AND analysis_date >= ? AND analysis_date < ? GROUP BY ALL",
                [m.name, start, end_x],
            )
        )
        last = engine.fetchone(
            f"SELECT status, CAST(coalesce(finished_at, started_at) AS VARCHAR) "
            f"FROM {RUN_HISTORY.fqn} WHERE model = ? ORDER BY started_at DESC LIMIT 1",
            [m.name],
        )
        present = len([d for d in expected_dates if d in rows_by_date or d in handled])
        cov = ModelCoverage(
            model=m.name,
            game_dates=len(expected_dates),
            dates_with_rows=present,
            coverage_pct=(
                round(100.0 * present / len(expected_dates), 1) if expected_dates else 100.0
            ),
            rows=sum(rows_by_date.values()),
            missing_dates=[d.isoformat() for d in missing],
            missing_reasons={d.isoformat(): reasons[d] for d in missing},
            no_input_dates=[d.isoformat() for d in sorted(no_input)],
            failures_by_category=fails,
            last_run_status=last[0] if last else None,
            last_run_at=last[1][:19] if last and last[1] else None,
        )
        if per_date:
            days = sorted(set(games) | set(rows_by_date))
            cov.per_date = [
                {"date": d.isoformat(), "games": games.get(d, 0), "rows": rows_by_date.get(d, 0)}
                for d in days
            ]
        out.append(cov)
    return out


COMPUTED_EMPTY = "computed, no rows"
NEVER_COMPUTED = "never computed"


def _missing_reasons(engine: Engine, m: Model, dates: list[dt.date]) -> dict[dt.date, str]:
    """Why each date has no rows: the reason the date failed (its latest run's date-level
    failure row), else 'computed, no rows' or 'never computed'. One query."""
    if not dates:
        return {}
    engine.temp_dates("_missing_dates", dates)
    rows = engine.fetchall(
        "SELECT d.d, i.status, f.failure_reason FROM _missing_dates d "
        f"LEFT JOIN {MODEL_INTERVALS.fqn} i ON i.model = ? AND i.interval_date = d.d "
        f"LEFT JOIN (SELECT analysis_date, arg_max(failure_reason, created_at) AS failure_reason "
        f"FROM {PRECOMPUTE_FAILURES.fqn} WHERE model = ? AND entity_id = '__date__' "
        "GROUP BY analysis_date) f ON f.analysis_date = d.d",
        [m.name, m.name],
    )
    out = {}
    for d, status, reason in rows:
        if status == "success":
            out[d] = COMPUTED_EMPTY
        elif status is None:
            out[d] = NEVER_COMPUTED
        else:
            out[d] = reason or status
    return out


def _no_input_dates(engine: Engine, m: Model, dates: list[dt.date]) -> set[dt.date]:
    """Of dates a model computed without writing rows, those where none of its inputs had
    a row: only for a model whose inputs are all optional (the prop lines without any
    sportsbook data); any other empty date stays missing."""
    if not dates or any(u.critical for u in m.upstream):
        return set()
    from nbapipe.pipeline.runner import date_column_of

    fed = set()
    for u in m.upstream:
        if not engine.table_exists(u.table):
            continue
        dc = quote_ident(date_column_of(u.table))
        fed |= {
            d
            for (d,) in engine.fetchall(
                f"SELECT DISTINCT {dc} FROM {u.table} WHERE {dc} IN (SELECT unnest(?::DATE[]))",
                [dates],
            )
        }
    return set(dates) - fed


def _missing_example(dates: list[str], reasons: dict[str, str], shown: int = 5) -> str:
    """'missing 2024-12-19, 2025-04-16, ...; 2024-12-19: <why>': the first dates, and why
    the first of them is missing."""
    first = dates[0]
    return f"missing {', '.join(dates[:shown])}; {first}: {reasons.get(first, NEVER_COMPUTED)}"


@dataclass
class Violation:
    model: str
    check: str
    severity: str
    dates: int
    failing_rows: int
    example: str | None


@dataclass
class ValidationReport:
    start: str
    end: str
    models: list[str]
    checks_run: int
    violations: list[Violation]

    @property
    def errors(self) -> int:
        return sum(v.severity == "error" for v in self.violations)

    @property
    def warnings(self) -> int:
        return len(self.violations) - self.errors

    @property
    def ok(self) -> bool:
        """No error-level violation (warnings are reported, not failed on)."""
        return not self.errors

    def to_dict(self) -> dict:
        return {"ok": self.ok, "errors": self.errors, "warnings": self.warnings, **asdict(self)}


def validate(engine: Engine, models: list[Model], start: dt.date, end: dt.date) -> ValidationReport:
    """Every declared check over the stored rows of the range, plus schedule coverage."""
    end_x = end + dt.timedelta(days=1)
    days = list(date_range(start, end_x))
    violations: list[Violation] = []
    checks_run = 0
    engine.temp_dates("_todo_dates", days)
    from nbapipe.pipeline.runner import RunCache, table_matches_model

    cache = RunCache()
    stale: dict[str, str] = {}  # model -> the model to rebuild from
    for m in models:
        if not engine.table_exists(m.name):
            never = "the model has never run: nbapipe backfill"
            violations.append(Violation(m.name, "table exists", "error", 0, 0, never))
            stale[m.name] = m.name
            continue
        try:
            matches, why = table_matches_model(engine, m, cache), ""
        except NbapipeError as exc:
            # Its SQL cannot read the stored upstream tables (one an older model built, or
            # none at all), so neither can its columns be compared.
            ups = [u.table for u in m.upstream if u.table in stale]
            why = f" and reads {ups[0]}, which is missing or outdated" if ups else f" ({exc})"
            matches = False
            stale[m.name] = stale[ups[0]] if ups else m.name
        if not matches:
            # An upgrade changed the model's columns: its checks cannot read the old table.
            root = stale.setdefault(m.name, m.name).split(".")[1]
            violations.append(
                Violation(
                    m.name,
                    "table has the model's columns",
                    "error",
                    0,
                    0,
                    f"built by an earlier version of the model{why}, so its checks were not "
                    f"run; rebuild it and what reads it: nbapipe backfill --from-model {root}",
                )
            )
            continue
        dc = quote_ident(m.date_column)
        relation = (
            f"(SELECT * FROM {m.name} WHERE {dc} >= DATE '{start}' AND {dc} < DATE '{end_x}')"
        )
        failing = checks_mod.evaluate(engine, m, relation)
        checks_run += len(m.checks) if days else 0
        by_check: dict[str, list[checks_mod.CheckRow]] = {}
        for r in failing:
            by_check.setdefault(r.check_name, []).append(r)
        for bad in by_check.values():
            violations.append(
                Violation(
                    m.name,
                    bad[0].check_name,
                    bad[0].severity,
                    len(bad),
                    sum(r.failing_rows for r in bad),
                    next((r.detail for r in bad if r.detail), None),
                )
            )
    by_name = {m.name: m for m in models}
    for cov in model_coverage(engine, models, start, end):
        checks_run += 1
        if cov.missing_dates:
            violations.append(
                Violation(
                    cov.model,
                    "covers every date with completed games",
                    "error",
                    len(cov.missing_dates),
                    0,
                    _missing_example(cov.missing_dates, cov.missing_reasons),
                )
            )
        if cov.no_input_dates:
            inputs = ", ".join(u.table for u in by_name[cov.model].upstream)
            violations.append(
                Violation(
                    cov.model,
                    "has input on every date with completed games",
                    "warn",
                    len(cov.no_input_dates),
                    0,
                    f"no rows in {inputs} for " + ", ".join(cov.no_input_dates[:5]),
                )
            )
    current = [m for m in models if m.name not in stale]  # (stale: never run or outdated)
    suite_run, suite_violations = _operator_suite(engine, current, start, end_x)
    checks_run += suite_run
    violations += suite_violations
    return ValidationReport(
        start.isoformat(), end.isoformat(), [m.name for m in models], checks_run, violations
    )


# Spec 6.12 item 4: after week 6 of a season a Phase 4 failure share above this is a red flag.
RED_FLAG_FAILURE_PCT = 30.0
RED_FLAG_AFTER_DAYS = 42
PGS = "nba_analytics.player_game_summary"
PCF = "nba_precompute.player_composite_factors"
# Spec 6.12 item 6 (and the PCF backfill's post-date check, 6.5): composite factors for at
# least 90% of the players who played the date (dates without any are coverage's to report).
PCF_MIN_SHARE = 0.9


def _missing_games(engine: Engine, m: Model, start: dt.date, end_x: dt.date) -> list[Violation]:
    """Team-games of completed games that the latest run of their date wrote no row for (the
    runner's per-game failure rows of a model with ``team_games``): the date was written
    without them, so its data is short of the schedule."""
    from nbapipe.pipeline.runner import MISSING_GAME

    rows = engine.fetchall(
        f"SELECT analysis_date, entity_id FROM {PRECOMPUTE_FAILURES.fqn} "
        "WHERE model = ? AND failure_category = ? AND entity_id <> '__date__' "
        "AND analysis_date >= ? AND analysis_date < ? ORDER BY 1, 2",
        [m.name, MISSING_GAME, start, end_x],
    )
    if not rows:
        return []
    first = rows[0][0]
    missing = [g for d, g in rows if d == first]
    shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
    return [
        Violation(
            m.name,
            "has rows for both teams of every completed game",
            "error",
            len({d for d, _ in rows}),
            len(rows),
            f"{first}: {_count_games(len(missing))} without rows ({shown})",
        )
    ]


def _count_games(n: int) -> str:
    return f"{n} team-game" + ("" if n == 1 else "s")


def _operator_suite(
    engine: Engine, models: list[Model], start: dt.date, end_x: dt.date
) -> tuple[int, list[Violation]]:
    """The legacy operators' validation queries (spec 6.12) that declared checks do not
    already cover: duplicate keys whatever a model declares, critical fields of active
    players, Phase 4 failure shares per date, processing errors; and dates whose latest run
    failed while rows of an earlier run remain (coverage counts those rows as present)."""
    run = 0
    out: list[Violation] = []
    for m in models:
        if not engine.table_exists(m.name):
            continue
        dc = quote_ident(m.date_column)
        key = ", ".join(quote_ident(k) for k in m.key)
        run += 1
        stale = engine.fetchall(
            f"""
            SELECT i.interval_date, coalesce(f.failure_category, 'failed'), r.n
            FROM {MODEL_INTERVALS.fqn} AS i
            JOIN (SELECT {dc} AS d, count(*) AS n FROM {m.name}
                  WHERE {dc} >= ? AND {dc} < ? GROUP BY 1) AS r ON r.d = i.interval_date
            LEFT JOIN {PRECOMPUTE_FAILURES.fqn} AS f
              ON f.model = i.model AND f.analysis_date = i.interval_date
             AND f.entity_id = '__date__'
            WHERE i.model = ? AND i.status = 'failed'
            ORDER BY 1
            """,
            [start, end_x, m.name],
        )
        if stale:
            out.append(
                Violation(
                    m.name,
                    "the latest run of each date succeeded",
                    "error",
                    len(stale),
                    sum(n for _, _, n in stale),
                    "; ".join(f"{d} {cat}, earlier rows kept" for d, cat, _ in stale[:3]),
                )
            )
        run += 1
        older = engine.fetchall(
            f"SELECT interval_date FROM {MODEL_INTERVALS.fqn} WHERE model = ? "
            "AND status = 'success' AND model_fingerprint <> ? "
            "AND interval_date >= ? AND interval_date < ? ORDER BY 1",
            [m.name, m.fingerprint, start, end_x],
        )
        if older:
            out.append(
                Violation(
                    m.name,
                    "every date computed by this version of the model",
                    "warn",
                    len(older),
                    0,
                    f"{len(older)} dates from {older[0][0]} were computed by an earlier version "
                    "(an upgrade changed the model); nbapipe backfill recomputes them",
                )
            )
        if m.team_games:
            run += 1
            out += _missing_games(engine, m, start, end_x)
        run += 1
        dup_dates, dup_rows, example = engine.fetchone(
            f"""
            SELECT count(DISTINCT {dc}), coalesce(sum(n), 0), min(CAST({dc} AS VARCHAR))
            FROM (SELECT {key}, count(*) AS n FROM {m.name}
                  WHERE {dc} >= ? AND {dc} < ? GROUP BY ALL HAVING count(*) > 1) AS d
            """,
            [start, end_x],
        )
        if dup_rows:
            out.append(
                Violation(
                    m.name,
                    "spec 6.12: no duplicate keys",
                    "error",
                    dup_dates,
                    int(dup_rows),
                    f"first on {example}",
                )
            )
        if m.name == PGS:
            run += 2
            # Points, shots and usage are errors; a missing minutes figure is a warning: the
            # model's own check fails a date only when more than 10% of them are missing.
            # One scan counts both.
            found = engine.fetchone(
                f"""
                WITH flagged AS (
                    SELECT game_date, CAST(game_date AS VARCHAR) || ' ' || player_lookup AS who,
                           minutes_played > 0 AND (points IS NULL OR fg_attempts IS NULL
                               OR (usage_rate IS NULL AND team_stats_available
                                   AND NOT team_totals_incomplete)) AS no_stats,
                           minutes_played IS NULL AS no_minutes
                    FROM {PGS}
                    WHERE game_date >= ? AND game_date < ? AND is_active
                )
                SELECT count(DISTINCT game_date) FILTER (WHERE no_stats),
                       count(*) FILTER (WHERE no_stats), min(who) FILTER (WHERE no_stats),
                       count(DISTINCT game_date) FILTER (WHERE no_minutes),
                       count(*) FILTER (WHERE no_minutes), min(who) FILTER (WHERE no_minutes)
                FROM flagged
                """,
                [start, end_x],
            )
            for k, (label, severity) in enumerate(
                (("points, shots and usage", "error"), ("minutes", "warn"))
            ):
                n_dates, n_rows, example = found[3 * k : 3 * k + 3]
                if n_rows:
                    out.append(
                        Violation(
                            PGS,
                            f"spec 6.12: active players have {label}",
                            severity,
                            n_dates,
                            n_rows,
                            example,
                        )
                    )
    names = {m.name for m in models}
    if {PGS, PCF} <= names and engine.table_exists(PGS) and engine.table_exists(PCF):
        run += 1
        short = engine.fetchall(
            f"""
            SELECT p.d, p.n, q.n
            FROM (SELECT game_date AS d, count(*) AS n FROM {PGS}
                  WHERE is_active AND game_date >= ? AND game_date < ? GROUP BY 1) AS p
            JOIN (SELECT game_date AS d, count(*) AS n FROM {PCF}
                  WHERE game_date >= ? AND game_date < ? GROUP BY 1) AS q ON q.d = p.d
            WHERE q.n < {PCF_MIN_SHARE} * p.n
            ORDER BY 1
            """,
            [start, end_x, start, end_x],
        )
        if short:
            out.append(
                Violation(
                    PCF,
                    f"spec 6.12: rows for {PCF_MIN_SHARE:.0%} of the date's active players",
                    "error",
                    len(short),
                    sum(p - q for _, p, q in short),
                    "; ".join(f"{d}: {q} of {p}" for d, p, q in short[:3]),
                )
            )
    failure_models = [
        m.name for m in models if m.name.startswith(("nba_precompute.", "nba_predictions."))
    ]
    if failure_models:
        run += 1
        rows = engine.fetchall(
            f"""
            WITH openers AS (
                SELECT season_year, opener_date AS opener FROM ({SEASON_OPENERS_SQL})
            ),
            failures AS (
                SELECT model, analysis_date AS d, count(*) AS failed,
                       count(*) FILTER (WHERE failure_category = 'PROCESSING_ERROR') AS errors
                FROM {PRECOMPUTE_FAILURES.fqn}
                WHERE entity_id <> '__date__' AND analysis_date >= ? AND analysis_date < ?
                GROUP BY ALL
            )
            SELECT f.model, f.d, f.failed, f.errors, date_diff('day', o.opener, f.d) AS day_no
            FROM failures AS f
            JOIN (SELECT DISTINCT game_date, season_year FROM {schema.SCHEDULE.fqn}) AS s
              ON s.game_date = f.d
            JOIN openers AS o ON o.season_year = s.season_year
            """,
            [start, end_x],
        )
        counts: dict[tuple[str, dt.date], int] = {}
        for name in {r[0] for r in rows}:
            if name not in failure_models or not engine.table_exists(name):
                continue
            dc = quote_ident(next(m.date_column for m in models if m.name == name))
            counts.update(
                {
                    (name, d): n
                    for d, n in engine.fetchall(
                        f"SELECT {dc}, count(*) FROM {name} WHERE {dc} >= ? AND {dc} < ? "
                        "GROUP BY 1",
                        [start, end_x],
                    )
                }
            )
        red: dict[str, list[str]] = {}
        errors: dict[str, int] = {}
        for name, d, failed, n_errors, day_no in rows:
            if name not in failure_models:
                continue
            if n_errors:
                errors[name] = errors.get(name, 0) + n_errors
            share = 100.0 * failed / (failed + counts.get((name, d), 0))
            if (
                day_no is not None
                and day_no >= RED_FLAG_AFTER_DAYS
                and share > RED_FLAG_FAILURE_PCT
            ):
                red.setdefault(name, []).append(f"{d} {share:.0f}%")
        for name, dates in sorted(red.items()):
            out.append(
                Violation(
                    name,
                    f"spec 6.12: failure share <= {RED_FLAG_FAILURE_PCT:.0f}% after week 6",
                    "warn",
                    len(dates),
                    0,
                    ", ".join(sorted(dates)[:5]),
                )
            )
        for name, n in sorted(errors.items()):
            out.append(
                Violation(name, "spec 6.12: no PROCESSING_ERROR failures", "error", 0, n, None)
            )
    return run, out


def list_failures(
    engine: Engine,
    *,
    model: str | None = None,
    day: dt.date | None = None,
    category: str | None = None,
    limit: int = 200,
) -> tuple[list[dict], dict[str, int]]:
    """Failure rows matching the filters (newest first) and counts by category."""
    where, params = ["TRUE"], []
    if model:
        where.append("(model = ? OR model LIKE '%.' || ?)")
        params += [model, model]
    if day:
        where.append("analysis_date = ?")
        params.append(day)
    if category:
        where.append("upper(failure_category) = upper(?)")
        params.append(category)
    cond = " AND ".join(where)
    cols = [c.name for c in PRECOMPUTE_FAILURES.columns]
    rows = engine.fetchall(
        f"SELECT * FROM {PRECOMPUTE_FAILURES.fqn} WHERE {cond} "
        f"ORDER BY analysis_date DESC, model, entity_id LIMIT {min(max(int(limit), 0), 2**62)}",
        params,
    )
    counts = dict(
        engine.fetchall(
            f"SELECT failure_category, count(*) FROM {PRECOMPUTE_FAILURES.fqn} WHERE {cond} "
            "GROUP BY ALL ORDER BY 2 DESC",
            params,
        )
    )
    return [dict(zip(cols, r, strict=True)) for r in rows], counts


@dataclass
class WeeklyFailureShare:
    model: str
    season_week: int  # 1 = the opener's week (days 0-6 after the real opener)
    failures: int
    rows: int

    @property
    def failure_share(self) -> float:
        total = self.failures + self.rows
        return round(100.0 * self.failures / total, 1) if total else 0.0

    def to_dict(self) -> dict:
        return asdict(self) | {"failure_share_pct": self.failure_share}


def failures_by_week(engine: Engine, models: list[Model]) -> list[WeeklyFailureShare]:
    """Per model and season week: entity failures vs rows (spec 6.12 item 5), all seasons.

    Only models that report per-entity failures are listed; a per-game table's missing
    team-games are a data gap, not an entity the model could not compute, and left out.
    """
    from nbapipe.pipeline.runner import MISSING_GAME

    openers = f"SELECT season_year, opener_date AS opener FROM ({SEASON_OPENERS_SQL})"
    out: list[WeeklyFailureShare] = []
    for m in models:
        has_failures = engine.fetchone(
            f"SELECT count(*) FROM {PRECOMPUTE_FAILURES.fqn} "
            "WHERE model = ? AND entity_id <> '__date__' AND failure_category <> ?",
            [m.name, MISSING_GAME],
        )[0]
        if not has_failures or not engine.table_exists(m.name):
            continue
        dc = quote_ident(m.date_column)
        rows = engine.fetchall(
            f"""
            WITH openers AS ({openers}),
            events AS (
                SELECT analysis_date AS d, 1 AS is_failure FROM {PRECOMPUTE_FAILURES.fqn}
                WHERE model = ? AND entity_id <> '__date__' AND failure_category <> ?
                UNION ALL
                SELECT {dc}, 0 FROM {m.name}
            ),
            weeks AS (
                SELECT CAST(floor(date_diff('day', o.opener, e.d) / 7) AS INTEGER) + 1 AS week,
                       e.is_failure
                FROM events e JOIN openers o
                  ON o.season_year = CASE WHEN month(e.d) >= 10 THEN year(e.d)
                                          ELSE year(e.d) - 1 END
                WHERE e.d >= o.opener
            )
            SELECT week, sum(is_failure), count(*) - sum(is_failure)
            FROM weeks GROUP BY week ORDER BY week
            """,
            [m.name, MISSING_GAME],
        )
        out += [WeeklyFailureShare(m.name, int(w), int(f), int(r)) for w, f, r in rows]
    return out
