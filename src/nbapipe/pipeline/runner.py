"""The range-first runner: plan -> check dependencies -> compute -> write -> check -> record.

Every model computes a whole chunk of dates in one SQL statement. Which dates need computing
is decided by comparing each date's input fingerprint (a hash of every upstream row the
date's window reads) with the one recorded when the date was last computed, so an unchanged
re-run computes nothing and a change to one game recomputes exactly the affected dates,
downstream included. A model's rows, interval state and check results commit together, one
transaction per model: a killed run resumes with the models it had not finished and ends
with the same tables.

Fingerprints never rehash a model's table: the runner hashes each date's rows once when it
writes them (model_intervals.output_hash), and a raw table is hashed once per run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from nbapipe import settings, vocab
from nbapipe.engine.base import Engine, date_range
from nbapipe.engine.duckdb import quote_ident, quote_literal
from nbapipe.errors import NbapipeError
from nbapipe.pipeline import checks as checks_mod
from nbapipe.pipeline.model import Model, all_models, dependency_order, render
from nbapipe.pipeline.state import (
    MODEL_INTERVALS,
    PRECOMPUTE_FAILURES,
    RUN_COLUMNS,
    RUN_HISTORY,
)
from nbapipe.progress import NoProgress, ProgressSink
from nbapipe.season import season_year_of
from nbapipe.sources import schema

# Output columns a model may add to report per-entity failures instead of a row.
FAILURE_COLUMNS = (
    "failure_category",
    "failure_reason",
    "can_retry",
    "expected_game_count",
    "actual_game_count",
)
# A game-count window can reach back over an injury or the off-season.
GAMES_LOOKBACK_DAYS = 400
# Dates closer than this are computed in one statement even if some between are up to date.
MERGE_GAP_DAYS = 14
# Seasons one statement may span: bounds a backfill's memory (20 seasons run as 5 chunks).
CHUNK_SEASONS = 4
DATE_ENTITY = "__date__"
# A run over fewer days than this (a daily run, a few days' catch-up) plans its statements
# lightly (Engine.light_planning): on so little data planning costs as much as running.
LIGHT_PLANNING_DAYS = 7
# History models (game-count windows) need their upstream complete this many days back.
DEPENDENCY_CHECK_DAYS_FOR_GAME_WINDOWS = 30


class RunError(NbapipeError):
    """A model could not run at all (bad SQL, missing table)."""


@dataclass
class ModelResult:
    model: str
    status: str = "skipped"
    dates_in_range: int = 0
    dates_computed: int = 0
    dates_skipped: int = 0
    dates_failed: int = 0
    rows_written: int = 0
    failure_rows: int = 0
    checks_failed: int = 0
    failures_by_category: dict[str, int] = field(default_factory=dict)
    failed_checks: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class RunSummary:
    run_id: str
    start: dt.date
    end: dt.date
    models: list[ModelResult] = field(default_factory=list)
    seconds: float = 0.0
    games_scheduled: int = 0  # games on the schedule in [start, end]

    @property
    def computed_anything(self) -> bool:
        return any(m.dates_computed for m in self.models)

    @property
    def ok(self) -> bool:
        return all(m.status in ("success", "skipped") for m in self.models)


def _failpoint(stage: str) -> None:
    """Crash-test hook: NBAPIPE_FAILPOINT=<stage>:<n> kills the process at the n-th <stage>.

    Stages: computed (SELECT done, nothing written), writing (inside the write transaction,
    before commit), committed (after commit). Used by the kill/resume tests only.
    """
    spec = os.environ.get("NBAPIPE_FAILPOINT")
    if not spec:
        return
    name, _, nth = spec.partition(":")
    if name != stage:
        return
    _FAILPOINT_HITS[stage] = _FAILPOINT_HITS.get(stage, 0) + 1
    if _FAILPOINT_HITS[stage] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


_FAILPOINT_HITS: dict[str, int] = {}


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("run-%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _date_sql(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


# -- table plumbing ---------------------------------------------------------------------------


def date_column_of(table: str) -> str:
    models = all_models()
    if table in models:
        return models[table].date_column
    from nbapipe.warehouse import declared_tables

    for t in declared_tables():
        if t.fqn == table and t.date_column:
            return t.date_column
    raise RunError(f"upstream {table} has no date column to plan on")


# Columns that carry no data: lineage (file, ingest run) and run metadata.
NON_DATA_COLUMNS = frozenset({"source_file", "ingest_run_id", *(c for c, _ in RUN_COLUMNS)})


def data_columns(engine: Engine, table: str) -> list[str]:
    """Columns that carry data: no lineage (file, ingest run) and no run metadata."""
    return [c for c, _ in engine.columns(table) if c not in NON_DATA_COLUMNS]


def _wanted_columns(engine: Engine, model: Model) -> list[tuple[str, str]]:
    """The output table's columns for this model file: its SELECT's, then the run columns."""
    probe = render(model, _values(dt.date(2000, 1, 1), dt.date(2000, 1, 1)))
    try:
        described = engine.fetchall(f"DESCRIBE ({probe})")
    except NbapipeError as exc:
        raise RunError(f"model {model.name} ({model.path}) does not compile: {exc}") from exc
    return [(r[0], r[1]) for r in described if r[0] not in FAILURE_COLUMNS] + list(RUN_COLUMNS)


def table_matches_model(engine: Engine, model: Model, cache: RunCache | None = None) -> bool:
    """Does the stored output table have this model file's columns, in any order? (False
    after an upgrade that changed the model's shape, until a run rebuilds the table.)"""
    cache = cache or RunCache()
    if cache.built_by(engine, model):
        return True  # this very model file built the table
    return dict(engine.columns(model.name)) == dict(_wanted_columns(engine, model))


def ensure_output_table(
    engine: Engine,
    model: Model,
    cache: RunCache | None = None,
    run_range: tuple[dt.date, dt.date] | None = None,
) -> None:
    """Create the output table from the model's columns if it is missing. For a model the
    run computes (``run_range``), bring a table an earlier model file built to the new
    columns: added columns are added (the stored rows keep theirs, the new ones NULL until
    their dates are recomputed: the model's fingerprint changed, so a backfill recomputes
    every date); any other change rebuilds the table, which only a run over every stored
    date may do. A table of a model the run does not compute is left as it is."""
    cache = cache or RunCache()
    exists = cache.table_exists(engine, model.name)
    if exists and (run_range is None or cache.built_by(engine, model)):
        return  # not this run's to change, or this very model file built it
    wanted = _wanted_columns(engine, model)
    if exists:
        have = dict(engine.columns(model.name))
        if have == dict(wanted):
            return
        added = [(n, t) for n, t in wanted if n not in have]
        if all(dict(wanted).get(n) == t for n, t in have.items()):
            for n, t in added:
                engine.execute(f"ALTER TABLE {model.name} ADD COLUMN {quote_ident(n)} {t}")
            cache.forget(model.name)
            return
        dc = quote_ident(model.date_column)
        lo, hi = engine.fetchone(f"SELECT min({dc}), max({dc}) FROM {model.name}")
        if run_range is not None and lo is not None and (lo < run_range[0] or hi > run_range[1]):
            short = model.name.split(".")[1]
            raise RunError(
                f"{model.name}: the model's columns changed since its table was built "
                f"({lo}..{hi}), and a run of {run_range[0]}..{run_range[1]} would lose the "
                f"other dates; rebuild it first: nbapipe backfill --from-model {short}"
            )
        # Derived data: the new shape replaces the old one, and every date is recomputed.
        engine.execute(f"DROP TABLE {model.name}")
        engine.execute(f"DELETE FROM {MODEL_INTERVALS.fqn} WHERE model = ?", [model.name])
    cols = ", ".join(f"{quote_ident(n)} {t}" for n, t in wanted)
    engine.execute(f"CREATE SCHEMA IF NOT EXISTS {model.schema}")
    engine.execute(f"CREATE TABLE {model.name} ({cols})")
    cache.forget(model.name)


def _values(start: dt.date, end_exclusive: dt.date) -> dict[str, str]:
    # History models read from the first day of the chunk's first season and partition their
    # windows by season.
    season_start = dt.date(season_year_of(start), 10, 1)
    return vocab.template_values() | {
        "start_date": _date_sql(start),
        "end_date": _date_sql(end_exclusive),
        "season_start": _date_sql(season_start),
    }


# -- planning ---------------------------------------------------------------------------------


def lookback_days(model: Model) -> int:
    return GAMES_LOOKBACK_DAYS if model.lookback_games else model.lookback_days


class RawHashes:
    """Each raw table's per-date hashes, computed once per run and read by every session.

    Raw tables do not change during a run. The first model that needs a table's hashes
    computes them into a table every session can read (models running side by side wait for
    it rather than hash the same rows twice); a model that needs dates outside them computes
    the wider range once more, under a new name. ``drop`` removes them at the end of the run.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table_locks: dict[str, threading.Lock] = {}
        self._ranges: dict[str, tuple[dt.date, dt.date, str]] = {}
        self._created: list[str] = []

    def relation(
        self, engine: Engine, table: str, columns: Sequence[str], lo: dt.date, hi: dt.date
    ) -> str:
        """The name of a relation of (d, h, n) covering at least [lo, hi) of ``table``."""
        with self._lock:
            table_lock = self._table_locks.setdefault(table, threading.Lock())
        with table_lock:
            known = self._ranges.get(table)
            if known is not None and known[0] <= lo and known[1] >= hi:
                return known[2]
            # widen to cover both requests, so models never take turns recomputing it
            if known is not None:
                lo, hi = min(lo, known[0]), max(hi, known[1])
            with self._lock:
                name = f"_raw_hashes_{uuid.uuid4().hex[:12]}"
                self._created.append(name)
            relation = engine.materialize_shared(
                name, engine.date_hashes_sql(table, date_column_of(table), columns, lo, hi)
            )
            self._ranges[table] = (lo, hi, relation)
            return relation

    def drop(self, engine: Engine) -> None:
        with self._lock:
            names, self._created = self._created, []
            self._ranges.clear()
        for name in names:
            engine.drop_shared(name)


@dataclass
class RunCache:
    """What one run learns once and reuses across its models: the catalog (every table and
    its columns, read in one query), which model files built their tables, and each raw
    table's per-date hashes (shared by every session of the run)."""

    raw_hashes: RawHashes = field(default_factory=RawHashes)
    catalog: dict[str, list[tuple[str, str]]] | None = None
    built: set[tuple[str, str]] | None = None

    def _tables(self, engine: Engine) -> dict[str, list[tuple[str, str]]]:
        if self.catalog is None:
            self.catalog = {}
            for table, column, data_type in engine.fetchall(
                "SELECT schema_name || '.' || table_name, column_name, data_type "
                "FROM duckdb_columns() WHERE database_name = current_database() "
                "ORDER BY schema_name, table_name, column_index"
            ):
                self.catalog.setdefault(table, []).append((column, data_type))
        return self.catalog

    def table_exists(self, engine: Engine, table: str) -> bool:
        return table in self._tables(engine)

    def data_columns(self, engine: Engine, table: str) -> list[str]:
        return [c for c, _ in self._tables(engine).get(table, []) if c not in NON_DATA_COLUMNS]

    def _built(self, engine: Engine) -> set[tuple[str, str]]:
        if self.built is None:
            self.built = set(
                engine.fetchall(
                    f"SELECT DISTINCT model, model_fingerprint FROM {MODEL_INTERVALS.fqn}"
                )
            )
        return self.built

    def built_by(self, engine: Engine, model: Model) -> bool:
        """Did this very model file compute dates of its table?"""
        return (model.name, model.fingerprint) in self._built(engine)

    def load(self, engine: Engine) -> None:
        """Read what sessions share (catalog, built models) now, before threads start."""
        self._tables(engine)
        self._built(engine)

    def for_session(self) -> RunCache:
        """The cache for another session: catalog and raw hashes are shared."""
        return RunCache(raw_hashes=self.raw_hashes, catalog=self.catalog, built=self.built)

    def forget(self, table: str) -> None:
        """A table was created or changed shape: read the catalog again when next asked."""
        self.catalog = None
        self.built = None


def upstream_hashes(engine: Engine, table: str, lo: dt.date, hi: dt.date, cache: RunCache) -> str:
    """A query of (d, h, n) per date of ``table`` in [lo, hi).

    A model's table is hashed when the runner writes it (model_intervals.output_hash), so a
    downstream reads those instead of rehashing the rows. A raw table is hashed once per run.
    """
    if table in all_models():
        source = (
            f"SELECT interval_date AS d, CAST(output_hash AS UBIGINT) AS h, "
            f"coalesce(row_count, 0) AS n FROM {MODEL_INTERVALS.fqn} "
            f"WHERE model = {quote_literal(table)} AND output_hash IS NOT NULL"
        )
    else:
        columns = cache.data_columns(engine, table)
        source = f"SELECT d, h, n FROM {cache.raw_hashes.relation(engine, table, columns, lo, hi)}"
    return (
        f"SELECT * FROM ({source}) AS s "
        f"WHERE d >= DATE '{lo.isoformat()}' AND d < DATE '{hi.isoformat()}'"
    )


def input_fingerprints(
    engine: Engine,
    model: Model,
    start: dt.date,
    end_exclusive: dt.date,
    cache: RunCache | None = None,
) -> dict[dt.date, str]:
    """Per date: a hash of every upstream row in the date's window [d - lookback, d]."""
    cache = cache or RunCache()
    lo = start - dt.timedelta(days=lookback_days(model))
    per_upstream = [
        upstream_hashes(engine, up.table, lo, end_exclusive, cache)
        for up in model.upstream
        if up.table in all_models() or cache.table_exists(engine, up.table)
    ]
    return engine.window_fingerprints(per_upstream, start, end_exclusive, lookback_days(model))


def recorded_intervals(
    engine: Engine, model: Model, start: dt.date, end_exclusive: dt.date
) -> dict[dt.date, tuple[str, str, str]]:
    rows = engine.fetchall(
        f"SELECT interval_date, status, input_fingerprint, model_fingerprint "
        f"FROM {MODEL_INTERVALS.fqn} WHERE model = ? AND interval_date >= ? "
        "AND interval_date < ?",
        [model.name, start, end_exclusive],
    )
    return {d: (status, fp, mfp) for d, status, fp, mfp in rows}


def dependency_window(model: Model) -> tuple[int, int]:
    """Days (from, to) relative to D whose upstream rows a model needs: the date itself for
    same-day models, the days before it for history models (never D: a pre-game row for D
    must not wait for D's box scores)."""
    if model.lookback_days == 0 and model.lookback_games == 0:
        return 0, 0
    days = model.lookback_days or DEPENDENCY_CHECK_DAYS_FOR_GAME_WINDOWS
    return days, 1


def missing_dependencies(
    engine: Engine, model: Model, dates: Sequence[dt.date], cache: RunCache | None = None
) -> dict[dt.date, str]:
    """Dates whose inputs are missing a critical upstream's rows (one query for all of them).

    Same-day models need the upstream's rows on the date itself when games were played. A
    history model needs its upstream to be current: for a raw upstream, rows on the latest
    game date before D (a source that never covers some games, e.g. game logs without
    playoffs, must not block the weeks after them); for a model upstream, rows on every game
    date of the window, except dates that model itself recorded as failed (holes already
    reported where they happen).

    Pre-season and All-Star games count for no model, so a date with only such games
    demands no upstream rows (the real player logs hold neither).
    """
    if not dates:
        return {}
    cache = cache or RunCache()
    back, fwd = dependency_window(model)
    gaps: dict[dt.date, list[str]] = {}
    same_day_gaps: dict[dt.date, list[str]] = {}
    lo = min(dates) - dt.timedelta(days=back)
    hi = max(dates)
    models = all_models()
    checked = [up for up in model.upstream if up.critical and up.table != schema.SCHEDULE.fqn]
    if not checked:
        return {}
    engine.temp_dates("_dep_dates", dates)
    # One statement for every upstream (u = its index): the dates each covers, and the game
    # dates of each date's window that it does not.
    covered, flags = [], []
    for i, up in enumerate(checked):
        if cache.table_exists(engine, up.table):
            dc = quote_ident(date_column_of(up.table))
            covered.append(
                f"SELECT DISTINCT {i} AS u, {dc} AS d FROM {up.table} "
                f"WHERE {dc} >= $lo AND {dc} <= $hi"
            )
        is_model = up.table in models
        # A history model's raw upstream needs rows on the latest game date before D only
        # (a source that never covers some games, e.g. game logs without playoffs, must not
        # block the weeks after them); a model upstream every game date of the window.
        latest_only = fwd > 0 and not is_model
        flags.append(
            f"({i}, {quote_literal(up.table) if is_model else 'NULL'}, {latest_only}, "
            f"{up.same_day})"
        )
    # A date a model upstream computed is covered even without table rows (entities handled
    # by failure rows early in a season, or none to compute on the opener); a date it
    # recorded as failed is a hole already reported where it happens.
    covered.append(
        f"SELECT x.u, i.interval_date AS d FROM {MODEL_INTERVALS.fqn} AS i "
        "JOIN upstreams AS x ON i.model = x.model "
        "WHERE i.interval_date >= $lo AND i.interval_date <= $hi "
        "AND i.status IN ('success', 'failed')"
    )
    sql = f"""
        WITH upstreams (u, model, latest_only, same_day) AS (VALUES {", ".join(flags)}),
        counted_games AS (
            SELECT game_date, game_status FROM {schema.SCHEDULE.fqn}
            WHERE {vocab.counted_game_sql("season_type")}
        ),
        game_days AS (
            SELECT DISTINCT game_date AS d FROM counted_games
            WHERE coalesce(game_status, 3) = 3 AND game_date >= $lo AND game_date <= $hi
        ),
        covered AS ({" UNION ".join(covered)}),
        gap_days AS (
            SELECT x.u, x.latest_only, g.d FROM upstreams AS x CROSS JOIN game_days AS g
            WHERE NOT EXISTS (SELECT 1 FROM covered AS c WHERE c.u = x.u AND c.d = g.d)
        ),
        latest AS (
            SELECT t.d, max(g.d) AS game_day FROM _dep_dates AS t
            JOIN game_days AS g ON g.d < t.d GROUP BY t.d
        )
        -- kind 0: game dates of the window without rows
        SELECT g.u, 0 AS kind, t.d, min(g.d) AS first_gap, count(*) AS n
        FROM _dep_dates AS t
        JOIN gap_days AS g ON NOT g.latest_only AND g.d >= t.d - {back} AND g.d <= t.d - {fwd}
        GROUP BY g.u, t.d
        UNION ALL
        SELECT g.u, 0, l.d, min(g.d), count(*)
        FROM latest AS l JOIN gap_days AS g ON g.latest_only AND g.d = l.game_day
        GROUP BY g.u, l.d
        UNION ALL
        -- kind 1: the date itself has games scheduled (played or not yet) but a same-day
        -- upstream has no rows for it
        SELECT x.u, 1, t.d, NULL, 0
        FROM _dep_dates AS t JOIN upstreams AS x ON x.same_day
        WHERE t.d IN (SELECT game_date FROM counted_games)
          AND NOT EXISTS (SELECT 1 FROM covered AS c WHERE c.u = x.u AND c.d = t.d)
        ORDER BY 1, 2, 3
    """
    rows = engine.fetchall(sql, {"lo": lo, "hi": hi})
    for i, kind, d, first_gap, n in rows:
        up = checked[i]
        if kind == 0:
            detail = f"no rows for {first_gap}"
            if n > 1:
                detail = f"no rows for {n} game dates from {first_gap}"
            gaps.setdefault(d, []).append(f"{up.table} has {detail}")
        elif not (fwd == 0 and any(up.table in p for p in gaps.get(d, []))):
            # (a same-day model's window is the date itself: already reported above)
            same_day_gaps.setdefault(d, []).append(f"{up.table} has no rows for the date itself")
    out = {d: "games were played but " + "; ".join(parts) for d, parts in gaps.items()}
    for d, parts in same_day_gaps.items():
        note = "games are scheduled but " + "; ".join(parts)
        out[d] = f"{out[d]}; {note}" if d in out else note
    return out


def plan_chunks(dates: Sequence[dt.date]) -> list[list[dt.date]]:
    """Group dates into chunks computed by one statement: near dates of at most
    CHUNK_SEASONS seasons (models partition their windows by season, so a chunk may span
    seasons; a statement costs about as much to plan as a day's work, so fewer is faster)."""
    chunks: list[list[dt.date]] = []
    for d in sorted(dates):
        if (
            chunks
            and (d - chunks[-1][-1]).days <= MERGE_GAP_DAYS
            and season_year_of(d) - season_year_of(chunks[-1][0]) < CHUNK_SEASONS
        ):
            chunks[-1].append(d)
        else:
            chunks.append([d])
    return chunks


# -- running ----------------------------------------------------------------------------------


def run_models(
    engine: Engine,
    models: Sequence[Model],
    start: dt.date,
    end: dt.date,
    *,
    force: bool = False,
    trigger: str = "manual",
    run_id: str | None = None,
    progress: ProgressSink | None = None,
    workers: int | None = None,
) -> RunSummary:
    """Bring ``models`` up to date for the inclusive range [start, end].

    Up to ``workers`` models run side by side (settings.model_workers), each in its own
    session and as soon as its upstreams among ``models`` have committed.
    """
    if end < start:
        raise NbapipeError(f"end date {end} is before start date {start}")
    progress = progress or NoProgress()
    run_id = run_id or new_run_id()
    summary = RunSummary(run_id, start, end)
    t0 = time.perf_counter()
    (summary.games_scheduled,) = engine.fetchone(
        f"SELECT count(DISTINCT game_id) FROM {schema.SCHEDULE.fqn} "
        "WHERE game_date BETWEEN ? AND ?",
        [start, end],
    )
    _close_interrupted_runs(engine)
    cache = RunCache()
    # Every model's table exists (empty if never run), so a subset can read its upstreams;
    # only the run's own models may change an existing table's columns.
    in_run = {m.name for m in models}
    for model in dependency_order(all_models()):
        ensure_output_table(engine, model, cache, (start, end) if model.name in in_run else None)
    cache.load(engine)
    order = {m.name: i for i, m in enumerate(dependency_order(all_models()))}
    ordered = sorted(models, key=lambda m: order[m.name])
    workers = settings.model_workers(workers)
    _queue_models(engine, ordered, run_id, start, end, trigger, force)
    short = (end - start).days < LIGHT_PLANNING_DAYS
    try:
        with engine.light_planning() if short else contextlib.nullcontext():
            if workers == 1 or len(ordered) == 1:
                results = [
                    _run_model(engine, m, start, end, force, run_id, progress, cache)
                    for m in ordered
                ]
            else:
                results = _run_side_by_side(
                    engine, ordered, workers, start, end, force, run_id, progress, cache
                )
    except BaseException as exc:
        reason = (
            "the run stopped after a model failed"
            if isinstance(exc, Exception)
            else f"the run was interrupted ({type(exc).__name__})"
        )
        # Best effort: if even this fails, the next run closes the rows as interrupted.
        with contextlib.suppress(Exception):
            _close_queued(engine, run_id, f"not started: {reason}")
        raise
    finally:
        with contextlib.suppress(Exception):
            cache.raw_hashes.drop(engine)
    summary.models.extend(results)
    summary.seconds = time.perf_counter() - t0
    return summary


def _run_side_by_side(
    engine: Engine,
    models: list[Model],
    workers: int,
    start: dt.date,
    end: dt.date,
    force: bool,
    run_id: str,
    progress: ProgressSink,
    cache: RunCache,
) -> list[ModelResult]:
    """Run ``models`` (in dependency order) on ``workers`` threads, each model in its own
    session once every upstream among ``models`` has committed. The first failure stops
    new models from starting; the ones running finish, then it is raised."""
    names = {m.name for m in models}
    waits_for = {m.name: {u.table for u in m.upstream if u.table in names} for m in models}
    # Of the models ready to start, the one with the longest chain of models waiting on it
    # goes first (the feature store waits at the end of the longest chain).
    chain: dict[str, int] = {}
    for model in reversed(models):
        below = [chain[m.name] for m in models if model.name in waits_for[m.name]]
        chain[model.name] = 1 + max(below, default=0)
    results: dict[str, ModelResult] = {}
    pending = sorted(models, key=lambda m: -chain[m.name])  # stable: dependency order next
    running: dict[Future[ModelResult], Model] = {}
    finished: set[str] = set()
    error: BaseException | None = None

    def run_one(model: Model) -> ModelResult:
        with engine.session() as session:
            return _run_model(
                session, model, start, end, force, run_id, progress, cache.for_session()
            )

    # (the pool's exit waits for the models that run; then the thread setting is restored)
    with (
        engine.statement_threads() as set_threads,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nbapipe-model") as pool,
    ):
        while pending or running:
            ready: list[Model] = []
            for model in list(pending):
                if error is not None or len(running) + len(ready) >= workers:
                    break
                if waits_for[model.name] <= finished:
                    pending.remove(model)
                    ready.append(model)
            if ready and not running:
                # Models side by side already keep the cores busy: each statement then runs
                # on one thread (splitting a statement over threads costs more than it gains
                # when another model runs beside it). A model that starts alone will run
                # alone (everything left waits for it) and gets every thread.
                set_threads(1 if len(ready) > 1 else None)
            elif not ready and len(running) == 1:
                # The model left running runs alone until it finishes: its next statements,
                # and the later steps of the statement it is running, get every thread.
                set_threads(None)
            for model in ready:
                running[pool.submit(run_one, model)] = model
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                model = running.pop(future)
                finished.add(model.name)
                try:
                    results[model.name] = future.result()
                except BaseException as exc:  # re-raised below, after the others finish
                    error = error or exc
    if error is not None:
        raise error
    return [results[m.name] for m in models]


def _queue_models(
    engine: Engine,
    models: Sequence[Model],
    run_id: str,
    start: dt.date,
    end: dt.date,
    trigger: str,
    force: bool,
) -> None:
    """A 'queued' history row for every model of the run, before any starts: a run killed
    between two models still leaves a trace of the models it never reached."""
    n, now = len(models), _now()
    engine.insert_columns(
        RUN_HISTORY.fqn,
        {
            "run_id": [run_id] * n,
            "model": [m.name for m in models],
            "range_start": [start] * n,
            "range_end": [end] * n,
            "status": ["queued"] * n,
            "trigger": [trigger] * n,
            "force": [force] * n,
            "started_at": [now] * n,
        },
    )


def _close_queued(engine: Engine, run_id: str, reason: str) -> None:
    engine.execute(
        f"UPDATE {RUN_HISTORY.fqn} SET status = 'failed', error = ?, finished_at = ? "
        "WHERE run_id = ? AND status = 'queued'",
        [reason, _now(), run_id],
    )


def _close_interrupted_runs(engine: Engine) -> None:
    # The caller holds the writer lock, so a 'queued' or 'running' row is a run that was
    # killed.
    engine.execute(
        f"UPDATE {RUN_HISTORY.fqn} SET status = 'failed', error = CASE status "
        "WHEN 'running' THEN 'interrupted: the process ended before the model finished' "
        "ELSE 'interrupted: the process ended before the model started' END "
        "WHERE status IN ('queued', 'running')"
    )


def _run_model(
    engine: Engine,
    model: Model,
    start: dt.date,
    end: dt.date,
    force: bool,
    run_id: str,
    progress: ProgressSink,
    cache: RunCache,
) -> ModelResult:
    end_x = end + dt.timedelta(days=1)
    result = ModelResult(model.name)
    t_start = time.perf_counter()
    started_at = _now()
    engine.execute(
        f"UPDATE {RUN_HISTORY.fqn} SET status = 'running', started_at = ? "
        "WHERE run_id = ? AND model = ?",
        [started_at, run_id, model.name],
    )

    def record(error: str | None) -> None:
        result.seconds = time.perf_counter() - t_start
        tm = result.timings
        engine.execute(
            f"""
            UPDATE {RUN_HISTORY.fqn} SET status = ?, dates_in_range = ?, dates_computed = ?,
                dates_skipped = ?, dates_failed = ?, rows_written = ?, failure_rows = ?,
                checks_failed = ?, extract_seconds = ?, transform_seconds = ?,
                write_seconds = ?, check_seconds = ?, finished_at = ?, error = ?
            WHERE run_id = ? AND model = ?
            """,
            [
                result.status,
                result.dates_in_range,
                result.dates_computed,
                result.dates_skipped,
                result.dates_failed,
                result.rows_written,
                result.failure_rows,
                result.checks_failed,
                tm.get("extract", 0.0),
                tm.get("transform", 0.0),
                tm.get("write", 0.0),
                tm.get("check", 0.0),
                _now(),
                error,
                run_id,
                model.name,
            ],
        )

    def finish() -> None:
        # Inside the model's transaction: the history row commits with the rows it describes.
        if result.dates_failed:
            result.status = "partial" if result.dates_computed > result.dates_failed else "failed"
        elif result.dates_computed:
            result.status = "success"
        else:
            result.status = "skipped"
        record(None)

    error = None
    try:
        _execute_model(engine, model, start, end_x, force, run_id, progress, result, cache, finish)
    except NbapipeError as exc:
        result.status = "failed"
        error = str(exc)
        record(error)
    if error is not None:
        raise RunError(f"{model.name}: {error}")
    return result


def _execute_model(
    engine: Engine,
    model: Model,
    start: dt.date,
    end_x: dt.date,
    force: bool,
    run_id: str,
    progress: ProgressSink,
    result: ModelResult,
    cache: RunCache,
    finish: Callable[[], None],
) -> None:
    t = time.perf_counter()
    fingerprints = input_fingerprints(engine, model, start, end_x, cache)
    recorded = recorded_intervals(engine, model, start, end_x)
    all_dates = list(date_range(start, end_x))
    result.dates_in_range = len(all_dates)
    mfp = model.fingerprint
    todo = [
        d
        for d in all_dates
        if force
        or d not in recorded
        or recorded[d][0] != "success"
        or recorded[d][1] != fingerprints.get(d)
        or recorded[d][2] != mfp
    ]
    result.dates_skipped = len(all_dates) - len(todo)
    gaps = missing_dependencies(engine, model, todo, cache)
    result.timings["extract"] = time.perf_counter() - t
    computable = [d for d in todo if d not in gaps]
    done = result.dates_skipped
    progress.step(model.table, done, len(all_dates))
    # One transaction per model: its commit writes the new rows straight into the database
    # file (a checkpoint) instead of first into the write-ahead log, and a killed run leaves
    # the model as it was before (the next run redoes it). The model's run-history row
    # commits with it.
    with engine.transaction():
        if gaps:
            _record_dependency_failures(engine, model, gaps, run_id)
            result.dates_failed += len(gaps)
            result.failures_by_category["MISSING_DEPENDENCY"] = len(gaps)
        for chunk in plan_chunks(computable):
            _compute_chunk(engine, model, chunk, fingerprints, mfp, run_id, result, cache)
            done += len(chunk)
            progress.step(model.table, done, len(all_dates))
        _failpoint("writing")
        finish()
    _failpoint("committed")
    progress.step(model.table, len(all_dates), len(all_dates))


def _record_dependency_failures(
    engine: Engine, model: Model, gaps: dict[dt.date, str], run_id: str
) -> None:
    """A failure row and a failed interval per date that lacks its inputs (four statements
    for all of them, inside the model's transaction)."""
    days = sorted(gaps)
    n, now = len(days), _now()
    for table, date_column in (
        (PRECOMPUTE_FAILURES.fqn, "analysis_date"),
        (MODEL_INTERVALS.fqn, "interval_date"),
    ):
        engine.execute(
            f"DELETE FROM {table} WHERE model = ? AND {date_column} IN (SELECT unnest(?::DATE[]))",
            [model.name, days],
        )
    engine.insert_columns(
        PRECOMPUTE_FAILURES.fqn,
        {
            "model": [model.name] * n,
            "run_id": [run_id] * n,
            "analysis_date": days,
            "entity_id": [DATE_ENTITY] * n,
            "failure_category": ["MISSING_DEPENDENCY"] * n,
            "failure_reason": [gaps[d] for d in days],
            "can_retry": [True] * n,
            "created_at": [now] * n,
        },
    )
    engine.insert_columns(
        MODEL_INTERVALS.fqn,
        {
            "model": [model.name] * n,
            "interval_date": days,
            "status": ["failed"] * n,
            "row_count": [0] * n,
            "model_fingerprint": [model.fingerprint] * n,
            "run_id": [run_id] * n,
            "finished_at": [now] * n,
        },
    )


def _compute_chunk(
    engine: Engine,
    model: Model,
    chunk: list[dt.date],
    fingerprints: dict[dt.date, str],
    mfp: str,
    run_id: str,
    result: ModelResult,
    cache: RunCache,
) -> None:
    lo, hi = chunk[0], chunk[-1] + dt.timedelta(days=1)
    dc = quote_ident(model.date_column)
    sql = render(model, _values(lo, hi))
    t = time.perf_counter()
    try:
        engine.materialize("_model_out", sql)
    except NbapipeError as exc:
        raise RunError(f"computing {lo}..{chunk[-1]}: {exc}") from exc
    result.timings["transform"] = result.timings.get("transform", 0.0) + time.perf_counter() - t
    _failpoint("computed")

    t = time.perf_counter()
    out_cols = [c for c, _ in engine.columns_of_query("SELECT * FROM _model_out")]
    has_failures = "failure_category" in out_cols
    ok_filter = "failure_category IS NULL" if has_failures else "TRUE"
    engine.temp_dates("_todo_dates", chunk)
    stray, total = engine.fetchone(
        f"SELECT count(*) FILTER (WHERE {dc} < ? OR {dc} >= ? OR {dc} IS NULL), count(*) "
        "FROM _model_out",
        [lo, hi],
    )
    if stray:
        raise RunError(f"{model.name} returned {stray} rows outside {lo}..{chunk[-1]}")
    failed_checks = checks_mod.evaluate(engine, model, "_model_out", ok_filter)
    result.timings["check"] = result.timings.get("check", 0.0) + time.perf_counter() - t

    t = time.perf_counter()
    blocked = {r.check_date for r in failed_checks if r.severity == "error"}
    result.checks_failed += len(failed_checks)
    result.failed_checks.extend(
        sorted({f"{r.check_name} on {r.check_date}" for r in failed_checks})[:20]
    )
    keep = [d for d in chunk if d not in blocked]
    now = _now()
    data_cols = [c for c in out_cols if c not in FAILURE_COLUMNS]
    result.rows_written += engine.replace_dates(
        model.name,
        model.date_column,
        "_model_out",
        data_cols,
        keep,
        extra_values=(run_id, now),
        row_filter=ok_filter,
        source_rows=total,
        extra_columns=[c for c, _ in RUN_COLUMNS],
    )
    _write_failures(engine, model, run_id, chunk, blocked, has_failures, ok_filter, now, result)
    _write_intervals(
        engine, model, chunk, blocked, ok_filter, fingerprints, mfp, run_id, now, cache
    )
    checks_mod.record(engine, model, run_id, now, failed_checks)
    result.dates_computed += len(chunk)
    result.dates_failed += len(blocked)
    if blocked:
        result.failures_by_category["CHECK_FAILED"] = result.failures_by_category.get(
            "CHECK_FAILED", 0
        ) + len(blocked)
    engine.drop("_model_out")
    result.timings["write"] = result.timings.get("write", 0.0) + time.perf_counter() - t


def _write_failures(
    engine: Engine,
    model: Model,
    run_id: str,
    chunk: list[dt.date],
    blocked: set[dt.date],
    has_failures: bool,
    ok_filter: str,
    now: dt.datetime,
    result: ModelResult,
) -> None:
    engine.execute(
        f"DELETE FROM {PRECOMPUTE_FAILURES.fqn} WHERE model = ? "
        "AND analysis_date IN (SELECT d FROM _todo_dates)",
        [model.name],
    )
    dc = quote_ident(model.date_column)
    if has_failures:
        entity = next((k for k in model.key if k != model.date_column), model.key[0])
        engine.execute(
            f"""
            INSERT INTO {PRECOMPUTE_FAILURES.fqn}
            SELECT ?, ?, {dc}, CAST({quote_ident(entity)} AS VARCHAR), failure_category,
                   failure_reason, can_retry, expected_game_count, actual_game_count, ?
            FROM _model_out WHERE failure_category IS NOT NULL
            """,
            [model.name, run_id, now],
        )
        by_cat = engine.fetchall(
            "SELECT failure_category, count(*) FROM _model_out "
            "WHERE failure_category IS NOT NULL GROUP BY ALL"
        )
        for cat, n in by_cat:
            result.failures_by_category[cat] = result.failures_by_category.get(cat, 0) + n
            result.failure_rows += n
    _write_missing_games(engine, model, run_id, blocked, ok_filter, now, result)
    for d in sorted(blocked):
        engine.execute(
            f"INSERT INTO {PRECOMPUTE_FAILURES.fqn} VALUES (?, ?, ?, ?, 'CHECK_FAILED', "
            "'an error-level output check failed; see nba_processing.check_results', "
            "TRUE, NULL, NULL, ?)",
            [model.name, run_id, d, DATE_ENTITY, now],
        )


# Spec 6.9's Phase 3 category for raw data a game lacks.
MISSING_GAME = "MISSING_RAW_DATA"


def _write_missing_games(
    engine: Engine,
    model: Model,
    run_id: str,
    blocked: set[dt.date],
    ok_filter: str,
    now: dt.datetime,
    result: ModelResult,
) -> None:
    """A per-game model (``team_games``): one failure row per team of a completed game of a
    written date (``_todo_dates`` but not ``blocked``) that the model wrote no row for, with
    ``<game id> <team>`` as its entity. Judged on the rows written, not on the inputs: a team
    line rebuilt from too few player rows is as absent as a missing box score. The date is
    written with the rest (holding eleven good games back for a twelfth that may never come
    would lose them); validate reports the gap, and the date is computed again when its
    input changes."""
    if model.team_games is None:
        return
    # The usual answer is none: one small EXCEPT finds them, the failure rows come after.
    missing = [
        (d, game, team)
        for d, game, team in engine.fetchall(
            f"""
            SELECT game_date, game_id, team FROM (
                SELECT game_date, game_id, unnest([home_team_abbr, away_team_abbr]) AS team
                FROM {schema.SCHEDULE.fqn}
                WHERE game_date IN (SELECT d FROM _todo_dates) AND coalesce(game_status, 3) = 3
                  AND {vocab.counted_game_sql("season_type")}
            ) WHERE team IS NOT NULL
            EXCEPT
            SELECT {quote_ident(model.date_column)}, game_id, {quote_ident(model.team_games)}
            FROM _model_out WHERE {ok_filter}
            """
        )
        if d not in blocked
    ]
    if missing:
        engine.execute(
            f"""
            INSERT INTO {PRECOMPUTE_FAILURES.fqn}
            SELECT ?, ?, m.d, m.game_id || ' ' || m.team, '{MISSING_GAME}',
                   'no row for ' || m.team || ' in this completed game (' || g.away || ' at '
                   || g.home || '): its box score is missing or too incomplete to use; the '
                   || 'date was written without it and is computed again when its input '
                   || 'changes',
                   TRUE, NULL, NULL, ?
            FROM (SELECT unnest(CAST(? AS DATE[])) AS d, unnest(CAST(? AS VARCHAR[])) AS game_id,
                         unnest(CAST(? AS VARCHAR[])) AS team) AS m
            JOIN (SELECT game_id, min(away_team_abbr) AS away, min(home_team_abbr) AS home
                  FROM {schema.SCHEDULE.fqn} GROUP BY game_id) AS g ON g.game_id = m.game_id
            """,
            [model.name, run_id, now, *map(list, zip(*missing, strict=True))],
        )
        n = len(missing)
        result.failures_by_category[MISSING_GAME] = (
            result.failures_by_category.get(MISSING_GAME, 0) + n
        )
        result.failure_rows += n


def _write_intervals(
    engine: Engine,
    model: Model,
    chunk: list[dt.date],
    blocked: set[dt.date],
    ok_filter: str,
    fingerprints: dict[dt.date, str],
    mfp: str,
    run_id: str,
    now: dt.datetime,
    cache: RunCache,
) -> None:
    """One interval row per date of the chunk, in SQL: the rows the model returned, the
    input fingerprint of a written date, and the hash of the date's stored rows."""
    engine.execute(
        f"DELETE FROM {MODEL_INTERVALS.fqn} WHERE model = ? "
        "AND interval_date IN (SELECT d FROM _todo_dates)",
        [model.name],
    )
    dc = quote_ident(model.date_column)
    lo, hi = chunk[0], chunk[-1] + dt.timedelta(days=1)
    stored = engine.date_hashes_sql(
        model.name, model.date_column, cache.data_columns(engine, model.name), lo, hi
    )
    names = ", ".join(c.name for c in MODEL_INTERVALS.columns)
    days = sorted(fingerprints)
    engine.execute(
        f"""
        INSERT INTO {MODEL_INTERVALS.fqn} ({names})
        SELECT $model, t.d, CASE WHEN b.d IS NULL THEN 'success' ELSE 'failed' END,
               coalesce(c.n, 0), CASE WHEN b.d IS NULL THEN f.fp END, $mfp, $run_id, $now,
               CAST(h.h AS VARCHAR)
        FROM _todo_dates t
        LEFT JOIN (SELECT unnest($blocked::DATE[]) AS d) b ON b.d = t.d
        LEFT JOIN (SELECT unnest($days::DATE[]) AS d, unnest($fps::VARCHAR[]) AS fp) f
               ON f.d = t.d
        LEFT JOIN (SELECT {dc} AS d, count(*) AS n FROM _model_out WHERE {ok_filter}
                   GROUP BY ALL) c ON c.d = t.d
        LEFT JOIN ({stored}) h ON h.d = t.d
        """,
        {
            "model": model.name,
            "mfp": mfp,
            "run_id": run_id,
            "now": now,
            "blocked": sorted(blocked),
            "days": days,
            "fps": [fingerprints[d] for d in days],
        },
    )


def failures_summary(result: ModelResult) -> str:
    return ", ".join(f"{k} {v}" for k, v in Counter(result.failures_by_category).most_common())
