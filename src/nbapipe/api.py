"""The user-facing Python API. Every CLI command is one call here; notebooks use it directly.

>>> from nbapipe import api
>>> api.init("my.duckdb")
>>> api.ingest_synthetic("2023-24..2024-25", seed=7, warehouse="my.duckdb")
>>> api.status("my.duckdb").tables
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

from nbapipe import registry
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.engine.lock import WarehouseBusy, writer_lock
from nbapipe.errors import InputError, WarehouseError
from nbapipe.ingest import ingest_tables
from nbapipe.pipeline import model as model_registry
from nbapipe.pipeline import ops
from nbapipe.pipeline.ops import ValidationReport
from nbapipe.pipeline.runner import RunSummary, new_run_id, run_models
from nbapipe.progress import NoProgress, ProgressSink
from nbapipe.season import parse_seasons, season_label
from nbapipe.settings import cache_dir, warehouse_path
from nbapipe.sources import files, schema
from nbapipe.sources.files import FileOutcome, FileSource, RejectReason, merge_reasons
from nbapipe.sources.load import IngestSummary
from nbapipe.sources.load import new_run_id as new_ingest_run_id
from nbapipe.status import WarehouseStatus, warehouse_status
from nbapipe.warehouse import InitResult, init_warehouse, open_warehouse

# The dates nbapipe accepts: the NBA's first season to well past any schedule, so that date
# arithmetic (a range's exclusive end, a 400-day lookback) never leaves the calendar.
FIRST_DAY, LAST_DAY = dt.date(1946, 1, 1), dt.date(2199, 12, 31)

Warehouse = str | Path | None
T = TypeVar("T")


def init(warehouse: Warehouse = None, *, wait: bool = False) -> InitResult:
    """Create the warehouse with every schema and table, or migrate it. Idempotent.

    ``wait``: if another run holds the warehouse, wait for it instead of failing."""
    with _writing(warehouse, new_ingest_run_id("init"), wait):
        return _when_free(lambda: init_warehouse(warehouse), wait=wait)


@contextlib.contextmanager
def _writing(warehouse: Warehouse, run_id: str, wait: bool) -> Iterator[None]:
    """The warehouse's writer lock, as backfill and run hold it, for a write that is not a
    model run. Without a folder it can write the lock file in (missing, read-only), opening
    the warehouse says what is wrong: no lock is taken then."""
    target = warehouse_path(warehouse)
    folder = target.parent
    # as DuckDBEngine judges a folder: root may write anywhere, but not where no one may
    writable = folder.is_dir() and os.access(folder, os.W_OK) and folder.stat().st_mode & 0o222
    if str(target) == ":memory:" or not writable:
        yield
        return
    with writer_lock(target, run_id, wait=wait):
        yield


def _seasons(seasons: str | Sequence[int], where: str) -> list[int]:
    if isinstance(seasons, str):
        return parse_seasons(seasons, where=where)
    return sorted({int(s) for s in seasons})


def ingest_synthetic(
    seasons: str | Sequence[int],
    *,
    seed: int = 7,
    teams: int | None = None,
    weeks: int | None = None,
    namesakes: int = 0,
    warehouse: Warehouse = None,
    progress: ProgressSink | None = None,
    wait: bool = False,
) -> IngestSummary:
    """Simulate a league for ``seasons`` and load it; re-running replaces those seasons.

    ``teams`` / ``weeks`` carve a small league out of the simulation: the games between that
    many teams, in each season's first weeks. ``namesakes`` gives that many pairs of players
    (on different teams) one display name, with distinct person ids."""
    years = _seasons(seasons, "--seasons")
    if seed < 0:
        raise InputError(f"invalid seed {seed} (--seed): use a number >= 0")
    if teams is not None and not 2 <= teams <= 30:
        raise InputError(f"invalid number of teams {teams} (--teams): use 2 to 30")
    if weeks is not None and not 1 <= weeks <= 30:
        raise InputError(f"invalid number of weeks {weeks} (--weeks): use 1 to 30")
    if namesakes < 0:
        raise InputError(
            f"invalid number of namesakes {namesakes} (--namesakes): use a number >= 0"
        )
    from nbapipe.sources.synthetic import simulate_league

    progress = progress or NoProgress()
    # Open (and if needed create) the warehouse first: a bad path fails before the simulation.
    with (
        _writing(warehouse, new_ingest_run_id("synthetic"), wait),
        contextlib.closing(_open_waiting(warehouse, wait=wait)) as engine,
    ):
        tables = simulate_league(
            years,
            seed=seed,
            progress=lambda stage, done, total: progress.step(stage, done, total),
            teams=teams,
            weeks=weeks,
            namesakes=namesakes,
        )
        if not tables["schedule"].num_rows:  # e.g. two teams that do not meet in one week
            raise InputError(
                f"the simulated league has no games ({teams or 30} teams, "
                f"{f'{weeks} week(s)' if weeks else 'full seasons'}): give more --teams or --weeks"
            )
        return ingest_tables(
            engine,
            tables,
            source="synthetic",
            source_file=f"synthetic:seed={seed}",
            seasons=years,
            progress=progress,
            detail={
                "seasons": [season_label(y) for y in years],
                "seed": seed,
                "teams": teams,
                "weeks": weeks,
                "namesakes": namesakes,
            },
        )


# Source name on the command line -> (module, adapter class) for file sources.
FILE_SOURCES: dict[str, tuple[str, str]] = {
    "nba-stats": ("nbapipe.sources.nba_stats", "NbaStatsFiles"),
    "odds-api": ("nbapipe.sources.odds_api", "OddsApiFiles"),
    "bigdataball": ("nbapipe.sources.bigdataball", "BigDataBallFiles"),
    "nbacom-pbp": ("nbapipe.sources.nbacom_pbp", "NbaComPbpFiles"),
}


def file_source(name: str) -> FileSource:
    """The adapter for a source name as the CLI spells it (nba-stats, odds-api, ...)."""
    try:
        module, cls = FILE_SOURCES[name]
    except KeyError:
        known = ", ".join(FILE_SOURCES)
        raise InputError(f"unknown source {name!r}; known sources: {known}") from None
    return getattr(importlib.import_module(module), cls)()


@dataclass
class FilesIngestResult:
    summary: IngestSummary
    files: list[FileOutcome]

    def reasons(self) -> list[RejectReason]:
        """Why rows were rejected, over every file read: one entry per kind of reason (the
        values it quotes set aside), most rows first."""
        return merge_reasons(r for o in self.files for r in o.reasons)


def ingest_files(
    source: str,
    paths: Sequence[str | Path],
    *,
    warehouse: Warehouse = None,
    progress: ProgressSink | None = None,
    force: bool = False,
    wait: bool = False,
) -> FilesIngestResult:
    """Ingest files of one source; each file all-or-nothing, bad rows quarantined.

    ``wait``: if another run holds the warehouse, wait for it instead of failing."""
    if not paths:
        raise InputError(f"no files given for {source}: pass one or more files or folders")
    adapter = file_source(source)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise InputError(f"{missing[0]}: no such file or folder")
    run_id = new_ingest_run_id(adapter.name)
    with (
        _writing(warehouse, run_id, wait),
        contextlib.closing(_open_waiting(warehouse, wait=wait)) as engine,
    ):
        summary, outcomes = files.ingest_files(
            engine, adapter, list(paths), progress=progress, force=force, run_id=run_id
        )
    return FilesIngestResult(summary, outcomes)


def status(
    warehouse: Warehouse = None, *, team: str | None = None, wait: bool = False
) -> WarehouseStatus:
    """Rows and date coverage per raw table and source (``team`` narrows to one team)."""
    with contextlib.closing(_open_waiting(warehouse, wait=wait, read_only=True)) as engine:
        return warehouse_status(engine, team=team)


@dataclass
class LeagueSummary:
    seasons: list[str]
    games: int
    player_games: int
    shots: int
    free_throws: int
    prop_lines: int
    player_games_with_line: int
    game_line_rows: int
    injury_report_rows: int
    players: int
    points_per_team_game: float | None

    def to_dict(self) -> dict:
        return asdict(self)


def league_summary(engine: DuckDBEngine, source: str | None = None) -> LeagueSummary:
    """Headline counts of what the raw layer holds (optionally one source only)."""
    where = "WHERE source = ?" if source else ""
    p = [source] if source else []

    def one(sql: str) -> object:
        return engine.fetchone(sql, p)[0]

    seasons = engine.fetchall(
        f"SELECT DISTINCT season_year FROM {schema.SCHEDULE.fqn} {where} ORDER BY 1", p
    )
    box, pbp = schema.PLAYER_BOXSCORES.fqn, schema.PLAY_BY_PLAY.fqn
    props, team_box = schema.PLAYER_PROPS.fqn, schema.TEAM_BOXSCORES.fqn
    and_src = "AND source = ?" if source else ""
    return LeagueSummary(
        seasons=[season_label(s) for (s,) in seasons],
        games=one(f"SELECT count(*) FROM {schema.SCHEDULE.fqn} {where}"),
        player_games=one(f"SELECT count(*) FROM {box} WHERE player_status = 'active' {and_src}"),
        shots=one(f"SELECT count(*) FROM {pbp} WHERE event_type = 'shot' {and_src}"),
        free_throws=one(f"SELECT count(*) FROM {pbp} WHERE event_type = 'free throw' {and_src}"),
        prop_lines=one(f"SELECT count(*) FROM {props} {where}"),
        player_games_with_line=one(
            f"SELECT count(DISTINCT (game_id, player_lookup)) FROM {props} {where}"
        ),
        game_line_rows=one(f"SELECT count(*) FROM {schema.GAME_LINES.fqn} {where}"),
        injury_report_rows=one(f"SELECT count(*) FROM {schema.INJURY_REPORT.fqn} {where}"),
        players=one(f"SELECT count(DISTINCT player_lookup) FROM {box} {where}"),
        points_per_team_game=one(f"SELECT round(avg(points), 1) FROM {team_box} {where}"),
    )


@dataclass
class QuickstartResult:
    warehouse: str
    init: InitResult
    ingest: IngestSummary
    summary: LeagueSummary
    pipeline_steps: list[str]
    run: RunSummary


def quickstart(
    warehouse: Warehouse = None,
    *,
    season: str = "2024-25",
    seed: int = 7,
    progress: ProgressSink | None = None,
) -> QuickstartResult:
    """One synthetic season into the warehouse, then every pipeline stage that exists."""
    _seasons(season, "--season")  # bad options fail before the warehouse is made
    if seed < 0:
        raise InputError(f"invalid seed {seed} (--seed): use a number >= 0")
    init_result = init(warehouse)
    ingest = ingest_synthetic(season, seed=seed, warehouse=warehouse, progress=progress)
    run = backfill(warehouse=warehouse, progress=progress, trigger="quickstart")
    steps = ["raw layer: synthetic league"] + [
        f"{m.model}: {m.rows_written:,} rows ({m.status})" for m in run.models
    ]
    with contextlib.closing(open_warehouse(warehouse, read_only=True)) as engine:
        summary = league_summary(engine, source="synthetic")
    return QuickstartResult(init_result.path, init_result, ingest, summary, steps, run)


# -- the pipeline -------------------------------------------------------------------------------


def parse_date(value: str | dt.date | None, *, where: str) -> dt.date | None:
    """ISO date text (or a date) -> date; a clear error naming the option otherwise."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        day = value
    else:
        text = value.strip()
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise InputError(f"invalid date {value!r} ({where}): no such day") from None
            raise InputError(f"invalid date {value!r} ({where}): write it as YYYY-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(
            f"invalid date {str(day)!r} ({where}): nbapipe handles dates from {FIRST_DAY} "
            f"to {LAST_DAY}"
        )
    return day


def _date_range(
    engine: DuckDBEngine, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """Defaults: from the first to the last date the schedule knows."""
    given_start, given_end = start is not None, end is not None
    if start is None or end is None:
        lo, hi = engine.fetchone(
            f"SELECT min(game_date), max(game_date) FROM {schema.SCHEDULE.fqn}"
        )
        if lo is None:
            raise InputError(
                "no dates given and the schedule is empty: pass --start and --end, "
                "or ingest data first"
            )
        start, end = start or lo, end or hi
    if end < start:
        if given_start and given_end:
            raise InputError(f"--end {end} is before --start {start}")
        if given_start:
            raise InputError(f"--start {start} is after the last scheduled date, {end}")
        raise InputError(f"--end {end} is before the first scheduled date, {start}")
    return start, end


def _existing(warehouse: Warehouse) -> Path:
    """The warehouse's path, which must exist: a mistyped path must leave nothing behind (no
    empty warehouse, no lock file)."""
    target = warehouse_path(warehouse)
    if not target.exists():
        raise WarehouseError(
            f"no warehouse at {target}: run `nbapipe init` and ingest data first "
            "(or pass --warehouse PATH / set NBAPIPE_WAREHOUSE)"
        )
    return target


def _open_waiting(
    warehouse: Warehouse, *, wait: bool, read_only: bool = False, create: bool = True
) -> DuckDBEngine:
    """Open the warehouse; with ``wait``, wait (up to an hour) while DuckDB's file lock is held
    by another process: a run writing it, or for a writer (which holds nbapipe's own writer
    lock by then) a process outside nbapipe such as a DuckDB shell or a notebook."""
    return _when_free(
        lambda: open_warehouse(warehouse, read_only=read_only, create=create), wait=wait
    )


def _when_free(open_it: Callable[[], T], *, wait: bool, timeout: float = 3600.0) -> T:
    """``open_it()``; with ``wait``, tried again every half second while the warehouse is busy
    (DuckDB's file lock held by another process), for up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return open_it()
        except WarehouseBusy:
            if not wait or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def backfill(
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    *,
    models: Sequence[str] | None = None,
    from_model: str | None = None,
    force: bool = False,
    wait: bool = False,
    trigger: str = "backfill",
    workers: int | None = None,
    warehouse: Warehouse = None,
    progress: ProgressSink | None = None,
) -> RunSummary:
    """Bring every model (or a subset) up to date over [start, end], resuming where it stopped."""
    s = parse_date(start, where="--start")
    e = parse_date(end, where="--end")
    selected = model_registry.resolve(list(models) if models else None, from_model=from_model)
    run_id = new_run_id()
    target = _existing(warehouse)
    with (
        writer_lock(target, run_id, wait=wait),
        contextlib.closing(_open_waiting(warehouse, wait=wait, create=False)) as engine,
    ):
        s, e = _date_range(engine, s, e)
        return run_models(
            engine,
            selected,
            s,
            e,
            force=force,
            trigger=trigger,
            run_id=run_id,
            progress=progress,
            workers=workers,
        )


def run_daily(
    day: str | dt.date | None = None,
    *,
    models: Sequence[str] | None = None,
    force: bool = False,
    wait: bool = False,
    workers: int | None = None,
    warehouse: Warehouse = None,
    progress: ProgressSink | None = None,
) -> RunSummary:
    """The nightly run: every model for one date (default yesterday), i.e. the range [D, D]."""
    d = parse_date(day, where="--date") or (dt.date.today() - dt.timedelta(days=1))
    return backfill(
        d,
        d,
        models=models,
        force=force,
        wait=wait,
        trigger="daily",
        workers=workers,
        warehouse=warehouse,
        progress=progress,
    )


def validate(
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    *,
    models: Sequence[str] | None = None,
    warehouse: Warehouse = None,
    wait: bool = False,
) -> ValidationReport:
    """Run every model's output checks and the schedule-coverage check over stored rows."""
    s = parse_date(start, where="--start")
    e = parse_date(end, where="--end")
    selected = model_registry.resolve(list(models) if models else None)
    with contextlib.closing(_open_waiting(warehouse, wait=wait, read_only=True)) as engine:
        s, e = _date_range(engine, s, e)
        return ops.validate(engine, selected, s, e)


def coverage(
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    *,
    per_date: bool = False,
    warehouse: Warehouse = None,
    wait: bool = False,
) -> list[ops.ModelCoverage]:
    """Per model: dates with completed games vs dates with rows, failures, last run."""
    s = parse_date(start, where="--start")
    e = parse_date(end, where="--end")
    with contextlib.closing(_open_waiting(warehouse, wait=wait, read_only=True)) as engine:
        s, e = _date_range(engine, s, e)
        return ops.model_coverage(engine, model_registry.resolve(None), s, e, per_date=per_date)


def failures(
    *,
    model: str | None = None,
    day: str | dt.date | None = None,
    category: str | None = None,
    limit: int = 200,
    warehouse: Warehouse = None,
    wait: bool = False,
) -> tuple[list[dict], dict[str, int]]:
    """Per-entity and per-date failures, newest first, with counts by category.

    ``model`` is a model's full or short name; an unknown one is an error, not an empty list.
    """
    d = parse_date(day, where="--date")
    if model:
        model = model_registry.resolve([model])[0].name
    with contextlib.closing(_open_waiting(warehouse, wait=wait, read_only=True)) as engine:
        return ops.list_failures(engine, model=model, day=d, category=category, limit=limit)


# -- the player registry -------------------------------------------------------------------------


def unresolved_names(
    *, source: str | None = None, limit: int = 50, warehouse: Warehouse = None, wait: bool = False
) -> tuple[list[dict], int]:
    """Names the registry could not resolve (``nba_processing.registry_failures``), most rows
    first, with registry players of the same last name; and how many names there are.

    ``source`` as the CLI spells it (odds-api) or as the tables do (odds_api)."""
    if source is not None:
        known = sorted({k.replace("-", "_") for k in FILE_SOURCES} | {"synthetic"})
        source = source.replace("-", "_")
        if source not in known:
            raise InputError(f"unknown source {source!r}; known sources: {', '.join(known)}")
    with contextlib.closing(
        _open_waiting(warehouse, wait=wait, read_only=True, create=False)
    ) as engine:
        return registry.unresolved_names(engine, source=source, limit=limit)


def add_alias(
    name: str, universal_player_id: str, *, warehouse: Warehouse = None, wait: bool = False
) -> registry.AliasResult:
    """Teach the registry that ``name`` (as a sportsbook, injury report or play-by-play
    writes it) is the player ``universal_player_id``. Stored rows that could not resolve a
    name the registry now resolves take the player's lookup, in the same transaction; the
    next run or backfill recomputes the dates whose inputs changed."""
    with (
        _writing(_existing(warehouse), new_ingest_run_id("alias"), wait),
        contextlib.closing(_open_waiting(warehouse, wait=wait, create=False)) as engine,
    ):
        return registry.add_alias(engine, name, universal_player_id)


# -- live fetching --------------------------------------------------------------------------------


@dataclass
class LiveIngestResult:
    fetched_files: int
    cache_dir: str
    note: str
    ingest: FilesIngestResult


def fetch_nba_stats(
    kinds: Sequence[str],
    *,
    season: str | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    game_ids: Sequence[str] = (),
    cache: str | Path | None = None,
    warehouse: Warehouse = None,
    progress: ProgressSink | None = None,
    force: bool = False,
    wait: bool = False,
) -> LiveIngestResult:
    """Fetch from NBA.com through nba_api (politely, cached), then ingest what came back
    (``force``: re-ingest responses whose content is unchanged; ``wait``: for a run holding
    the warehouse, once fetched)."""
    from nbapipe.sources.nba_live import fetch_nba_stats as fetch

    if not kinds:
        raise InputError("say what to fetch with --kind (team_logs, player_logs, scoreboard, ...)")
    years = parse_seasons(season, where="--season") if season else [None]
    s, e = parse_date(start, where="--start"), parse_date(end, where="--end")
    folder = cache_dir(cache, warehouse_path(warehouse))
    paths: list[Path] = []
    for kind in kinds:
        for year in years:
            paths += fetch(
                kind, season=year, date_from=s, date_to=e, game_ids=game_ids, cache_dir=folder
            )
    result = ingest_files(
        "nba-stats", paths, warehouse=warehouse, progress=progress, force=force, wait=wait
    )
    return LiveIngestResult(len(paths), str(folder), "", result)


def fetch_odds_api(
    day: str | dt.date | None,
    *,
    markets: Sequence[str] = ("player_points",),
    historical: bool = False,
    cache: str | Path | None = None,
    warehouse: Warehouse = None,
    progress: ProgressSink | None = None,
    force: bool = False,
    wait: bool = False,
) -> LiveIngestResult:
    """Fetch one date's events, props and game lines from The Odds API, then ingest them
    (``force``: re-ingest responses whose content is unchanged; ``wait``: for a run holding
    the warehouse, once fetched)."""
    from nbapipe.sources.odds_api import fetch_odds_api as fetch

    d = parse_date(day, where="--date")
    if d is None:
        raise InputError("say which date to fetch with --date YYYY-MM-DD")
    folder = cache_dir(cache, warehouse_path(warehouse))
    fetched = fetch(d, markets=tuple(markets), historical=historical, cache_dir=folder)
    result = ingest_files(
        "odds-api", list(fetched), warehouse=warehouse, progress=progress, force=force, wait=wait
    )
    return LiveIngestResult(len(fetched), str(folder), fetched.summary(), result)


def failures_by_week(
    *, warehouse: Warehouse = None, wait: bool = False
) -> list[ops.WeeklyFailureShare]:
    """Failure share of each per-entity model by season week (spec 6.12's expected curve)."""
    with contextlib.closing(_open_waiting(warehouse, wait=wait, read_only=True)) as engine:
        return ops.failures_by_week(engine, model_registry.resolve(None))
