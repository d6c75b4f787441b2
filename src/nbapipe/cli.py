"""The `nbapipe` command: parses arguments, calls nbapipe.api, renders progress and tables."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import textwrap
import threading
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from nbapipe import __version__, api
from nbapipe.errors import InputError, NbapipeError
from nbapipe.settings import ENV_WAREHOUSE

app = typer.Typer(
    name="nbapipe",
    help="NBA data in, analytics tables, per-date features and points predictions out.\n\n"
    "Every command works on one DuckDB warehouse file: --warehouse PATH, else "
    f"${ENV_WAREHOUSE}, else ./nbapipe.duckdb.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",  # explicit: help strings escape literal square brackets as \[
)
ingest_app = typer.Typer(
    help="Load raw data into the warehouse (nba_raw).",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(ingest_app, name="ingest")
registry_app = typer.Typer(
    help="Player names no registry player matched, and aliases that resolve them.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(registry_app, name="registry")

out = Console()
err = Console(stderr=True)
_state = {"debug": False}
F = TypeVar("F", bound=Callable[..., None])


def _friendly(command: F) -> F:
    """Turn nbapipe's own errors into one red line and exit code 1 (tracebacks with --debug)."""

    @functools.wraps(command)
    def wrapper(*args: object, **kwargs: object) -> None:
        try:
            command(*args, **kwargs)
        except NbapipeError as exc:
            if _state["debug"]:
                raise
            err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


WarehouseOpt = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        "-w",
        help=f"Warehouse file \\[env: {ENV_WAREHOUSE}; default ./nbapipe.duckdb].",
        metavar="PATH",
        show_default=False,
    ),
]


class RichProgress:
    """Progress sink that draws one bar per task, with rate and ETA."""

    def __init__(self, console: Console):
        self._progress = Progress(
            TextColumn("[bold]{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, int] = {}
        self._started = False
        self._lock = threading.Lock()  # models running side by side report from two threads

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._started:
            self._progress.stop()

    def step(self, task: str, done: float, total: float | None = None) -> None:
        with self._lock:
            if not self._started:  # drawn on first report, so a quick failure prints no bar
                self._progress.start()
                self._started = True
            if task not in self._tasks:
                self._tasks[task] = self._progress.add_task(task, total=total)
            self._progress.update(self._tasks[task], completed=done, total=total)


def _print_version(value: bool) -> None:
    if value:  # eager: `nbapipe --version` needs no command after it
        out.print(f"nbapipe {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
    warehouse: Annotated[
        str | None,
        typer.Option(
            "--warehouse",
            "-w",
            help="Warehouse file for the command that follows (its own --warehouse wins).",
            metavar="PATH",
            show_default=False,
        ),
    ] = None,
) -> None:
    _state["debug"] = debug
    if warehouse:  # `nbapipe -w X status` reads as `nbapipe status -w X`
        os.environ[ENV_WAREHOUSE] = warehouse


@app.command()
@_friendly
def init(warehouse: WarehouseOpt = None, wait: WaitOpt = False) -> None:
    """Create the warehouse (schemas and tables), or migrate an existing one. Safe to re-run."""
    result = api.init(warehouse, wait=wait)
    if result.created:
        out.print(f"created warehouse [bold]{result.path}[/] (schema v{result.to_version})")
    elif result.applied:
        out.print(
            f"migrated [bold]{result.path}[/] from schema v{result.from_version} "
            f"to v{result.to_version}: " + "; ".join(result.applied)
        )
    else:
        out.print(f"warehouse [bold]{result.path}[/] is up to date (schema v{result.to_version})")


@ingest_app.command("synthetic")
@_friendly
def ingest_synthetic(
    seasons: Annotated[
        str,
        typer.Option(
            help="Seasons: 2024-25, a range 2021-22..2024-25, or a list a,b.", metavar="SEASONS"
        ),
    ] = "2024-25",
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same league.")
    ] = 7,
    teams: Annotated[
        int | None,
        typer.Option(
            help="Keep only the games between this many teams (2-30), for a small league.",
            show_default=False,
        ),
    ] = None,
    weeks: Annotated[
        int | None,
        typer.Option(
            help="Keep only each season's first WEEKS weeks after its opener.", show_default=False
        ),
    ] = None,
    namesakes: Annotated[
        int,
        typer.Option(
            help="Give this many pairs of players on different teams one name (distinct ids).",
        ),
    ] = 0,
    warehouse: WarehouseOpt = None,
    wait: WaitOpt = False,
) -> None:
    """Simulate a realistic league (schedule, play-by-play, box scores, lines, injuries)."""
    with RichProgress(err) as progress:
        summary = api.ingest_synthetic(
            seasons,
            seed=seed,
            teams=teams,
            weeks=weeks,
            namesakes=namesakes,
            warehouse=warehouse,
            progress=progress,
            wait=wait,
        )
    table = Table(title=f"synthetic league, seed {seed} ({', '.join(summary.detail['seasons'])})")
    table.add_column("table")
    table.add_column("rows written", justify="right")
    for name, rows in summary.tables.items():
        table.add_row(name, f"{rows:,}")
    out.print(table)
    out.print(
        f"run {summary.run_id}: {summary.rows_written:,} rows written, "
        f"{summary.new_players} new players registered"
    )


PathsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files, folders (searched recursively) or zip archives.",
        metavar="PATH...",
        show_default=False,
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Re-ingest files even when their content is unchanged.")
]


def _wrap_items(head: str, items: list[str], width: int) -> str:
    """``head`` then the comma-separated items, wrapped to ``width`` between items only (an
    item such as "STALE_DATA 85" is never split), continuation lines indented."""
    glue = "\0"  # not whitespace to textwrap: holds each item together
    text = head + ", ".join(item.replace(" ", glue) for item in items)
    lines = textwrap.wrap(
        text,
        width=max(width, 20),
        subsequent_indent=" " * 4,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(line.replace(glue, " ") for line in lines)


def _print_counts(head: str, counts: dict[str, int]) -> None:
    """``head`` then each category with its count, wrapped between categories only."""
    items = [f"{k} {v:,}" for k, v in counts.items()] or ["none"]
    out.print(_wrap_items(head, items, out.width), highlight=False)


def _print_records(title: str, records: list[tuple[str, list[str]]]) -> None:
    """The narrow-terminal form of a table whose text columns would be squeezed: each record
    is a line of its short fields, then its long texts below, indented and wrapped."""
    out.print(title, highlight=False)
    for head, texts in records:
        out.print(head, highlight=False, soft_wrap=True)
        for text in texts:
            for line in textwrap.wrap(
                text, max(out.width, 20), initial_indent="    ", subsequent_indent="      "
            ):
                out.print(line, highlight=False, soft_wrap=True, markup=False)


def _file_names(files: list[str]) -> tuple[str, list[str]]:
    """The folder the files share and each file's path below it (the shared prefix says
    nothing once, and crowds the names out of the table on every row)."""
    if not files:
        return "", []
    try:
        common = os.path.commonpath(files)
    except ValueError:  # relative and absolute paths mixed
        return "", files
    if common in files:  # one file (or all the same): its folder
        common = os.path.dirname(common)
    if not common:
        return "", files
    return os.path.normpath(common), [os.path.relpath(f, common) for f in files]


def _render_files(result: api.FilesIngestResult) -> None:
    folder, names = _file_names([o.file for o in result.files])
    title = f"{result.summary.source} ingest ({result.summary.run_id})"
    table = Table(title=title)
    for col, justify in (
        ("file", "left"),
        ("status", "left"),
        ("rows in", "right"),
        ("written", "right"),
        ("rejected", "right"),
    ):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for o, name in zip(result.files, names, strict=True):
        style = {"loaded": "green", "unchanged": "dim", "refused": "red", "rejected": "red"}[
            o.status
        ]
        table.add_row(
            escape(name),
            f"[{style}]{o.status}[/]",
            f"{o.rows_in:,}",
            f"{o.rows_written:,}",
            f"{o.rows_rejected:,}",
        )
    # one line a file when the names fit, else each name whole with its counts below it
    if _natural_width(table).maximum <= out.width:
        out.print(table)
    else:
        _print_records(
            escape(title),
            [
                (
                    escape(name),
                    [
                        f"{o.status}: {o.rows_in:,} rows in, {o.rows_written:,} written, "
                        f"{o.rows_rejected:,} rejected"
                        if o.status in ("loaded", "rejected")
                        else o.status
                    ],
                )
                for o, name in zip(result.files, names, strict=True)
            ],
        )
    if folder:  # whole, so it can be copied: a path must not be folded
        out.print(f"files in {escape(folder)}", soft_wrap=True, highlight=False)
    retried = sum(o.retried for o in result.files)
    if retried:
        one = retried == 1
        _print_wrapped(
            out,
            f"{retried} file{'' if one else 's'} read again although unchanged: "
            f"{'it' if one else 'they'} had rows rejected for want of a scheduled game or "
            "registered player, and the schedule or player registry has changed since",
        )
    _print_reasons(result)
    for o, name in zip(result.files, names, strict=True):
        if o.status == "refused":
            err.print(f"[red]refused:[/] {escape(o.message)}", highlight=False, soft_wrap=True)
        elif o.status == "rejected":  # named as in the table; its most common reason
            top = o.reasons[0]
            some = f"; {top.rows:,} for " if top.rows < o.rows_rejected else " for "
            _print_wrapped(
                err,
                f"rejected: {name}: all {o.rows_rejected:,} rows rejected{some}"
                + _reason_text(top),
                style="red",
            )
    s = result.summary
    parts = [
        _count(s.files, "file"),
        f"{s.rows_in:,} rows in",
        f"{s.rows_written:,} written",
        f"{s.rows_rejected:,} rejected (nba_processing.ingest_rejects)",
        f"{_count(s.unresolved_names, 'unresolved name')}"
        + (" (nbapipe registry unresolved)" if s.unresolved_names else ""),
        f"{s.new_players:,} new players",
    ]
    if s.names_resolved or s.rows_resolved:
        parts.append(
            f"{_count(s.names_resolved, 'name')} logged earlier now resolved "
            f"({_count(s.rows_resolved, 'stored row')} changed)"
        )
    out.print(_wrap_items("", parts, out.width))
    if any(o.status in ("refused", "rejected") for o in result.files):
        raise typer.Exit(1)


def _print_wrapped(console: Console, text: str, *, indent: int = 4, style: str = "") -> None:
    """``text`` wrapped to the console's width between words only (a long path or value
    stays whole), continuation lines indented; never markup, never cut. ``style`` colours
    the first word."""
    lines = textwrap.wrap(
        text,
        max(console.width, 20),
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    for i, line in enumerate(lines):
        if i == 0 and style:
            head, _, rest = line.partition(" ")
            line = f"[{style}]{escape(head)}[/] {escape(rest)}"
            console.print(line, highlight=False, soft_wrap=True)
        else:
            console.print(line, highlight=False, soft_wrap=True, markup=False)


def _reason_text(r: api.RejectReason) -> str:
    """'column: reason', with '(and N like it)' when the rows give it with other values."""
    where = f"{r.column}: " if r.column else ""
    like = f" (and {r.rows - 1:,} like it)" if r.varied else ""
    return f"{where}{r.example}{like}"


def _print_reasons(result: api.FilesIngestResult, top: int = 3) -> None:
    """The most common reasons rows were rejected, over every file read, one line each
    (values such as games and dates set aside: one line per kind of reason)."""
    read = [o for o in result.files if o.reasons]
    kinds = result.reasons()
    if not kinds:
        return
    out.print("rejected rows, most common reasons first:", highlight=False)
    for r in kinds[:top]:
        files = f" in {r.files} file{'s' * (r.files != 1)}" if len(read) > 1 else ""
        rows = f"{r.rows:,} row{'s' * (r.rows != 1)}{files}"
        _print_wrapped(out, f"  {rows}: {_reason_text(r)}", indent=6)
    rest = kinds[top:]
    if rest:
        rows = sum(r.rows for r in rest)
        _print_wrapped(
            out,
            f"  and {len(rest)} other reason{'s' * (len(rest) != 1)} ({rows:,} rows); "
            "all of them in nba_processing.ingest_rejects",
            indent=6,
        )


def _ingest_files_command(
    source: str, paths: list[str] | None, warehouse: str | None, force: bool, wait: bool
) -> None:
    with RichProgress(err) as progress:
        result = api.ingest_files(
            source, paths or [], warehouse=warehouse, progress=progress, force=force, wait=wait
        )
    _render_files(result)


def _check_live(live: bool, paths: list[str] | None, live_only: dict[str, object]) -> None:
    """Options that only mean something with --live are an error without it, and files are
    an error with it: neither is silently ignored."""
    if live and paths:
        raise NbapipeError(
            f"--live fetches and reads no files: drop {paths[0]!r}"
            f"{f' and {len(paths) - 1} more' if len(paths) > 1 else ''} or drop --live"
        )
    given = [name for name, value in live_only.items() if value not in (None, False, [])]
    if not live and given:
        names = " and ".join([", ".join(given[:-1]), given[-1]] if len(given) > 1 else given)
        verb = "needs" if len(given) == 1 else "need"
        raise NbapipeError(f"{names} {verb} --live (without it, the files given are read)")


CacheOpt = Annotated[
    str | None,
    typer.Option(
        "--cache-dir",
        help="Where live responses are kept \\[env: NBAPIPE_CACHE; default: nbapipe-cache/ "
        "beside the warehouse].",
        metavar="DIR",
        show_default=False,
    ),
]


@ingest_app.command("nba-stats")
@_friendly
def ingest_nba_stats(
    paths: PathsArg = None,
    warehouse: WarehouseOpt = None,
    force: ForceOpt = False,
    live: Annotated[bool, typer.Option("--live", help="Fetch from NBA.com (nba_api).")] = False,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="With --live: team_logs, player_logs, scoreboard, playbyplay, boxscore, shots "
            "(repeat the option).",
            metavar="KIND",
        ),
    ] = None,
    season: Annotated[
        str | None, typer.Option(help="With --live: season(s), e.g. 2024-25.", metavar="SEASON")
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="With --live: first date.", metavar="DATE")
    ] = None,
    end: Annotated[str | None, typer.Option(help="With --live: last date.", metavar="DATE")] = None,
    game_id: Annotated[
        list[str] | None,
        typer.Option("--game-id", help="With --live: NBA.com game ids.", metavar="ID"),
    ] = None,
    cache: CacheOpt = None,
    wait: WaitOpt = False,
) -> None:
    """NBA.com stats: shot charts (CSV/zip), player and team game logs, schedule,
    PlayByPlayV3 / BoxScoreTraditionalV3 / ScoreboardV2 JSON; or fetch them with --live."""
    live_only = {"--kind": kind, "--season": season, "--start": start, "--end": end}
    _check_live(live, paths, live_only | {"--game-id": game_id, "--cache-dir": cache})
    if not live:
        _ingest_files_command("nba-stats", paths, warehouse, force, wait)
        return
    with RichProgress(err) as progress:
        result = api.fetch_nba_stats(
            kind or [],
            season=season,
            start=start,
            end=end,
            game_ids=game_id or (),
            cache=cache,
            warehouse=warehouse,
            progress=progress,
            force=force,
            wait=wait,
        )
    out.print(f"fetched {result.fetched_files} responses (cache {result.cache_dir})")
    _render_files(result.ingest)


@ingest_app.command("odds-api")
@_friendly
def ingest_odds_api(
    paths: PathsArg = None,
    warehouse: WarehouseOpt = None,
    force: ForceOpt = False,
    live: Annotated[
        bool, typer.Option("--live", help="Fetch from The Odds API (key in $ODDS_API_KEY).")
    ] = False,
    date: Annotated[
        str | None, typer.Option("--date", help="With --live: the game date.", metavar="DATE")
    ] = None,
    market: Annotated[
        list[str] | None,
        typer.Option(
            "--market",
            help="With --live: prop markets \\[default: player_points].",
            metavar="MARKET",
        ),
    ] = None,
    historical: Annotated[
        bool, typer.Option("--historical", help="With --live: the historical endpoints.")
    ] = False,
    cache: CacheOpt = None,
    wait: WaitOpt = False,
) -> None:
    """The Odds API: player-prop CSV snapshots and v4 JSON (props, game lines), or --live."""
    live_only = {"--date": date, "--market": market, "--historical": historical}
    _check_live(live, paths, live_only | {"--cache-dir": cache})
    if not live:
        _ingest_files_command("odds-api", paths, warehouse, force, wait)
        return
    with RichProgress(err) as progress:
        result = api.fetch_odds_api(
            date,
            markets=market or ["player_points"],
            historical=historical,
            cache=cache,
            warehouse=warehouse,
            progress=progress,
            force=force,
            wait=wait,
        )
    out.print(f"fetched {result.fetched_files} responses (cache {result.cache_dir}); {result.note}")
    _render_files(result.ingest)


@ingest_app.command("bigdataball")
@_friendly
def ingest_bigdataball(
    paths: PathsArg = None,
    warehouse: WarehouseOpt = None,
    force: ForceOpt = False,
    wait: WaitOpt = False,
) -> None:
    """BigDataBall play-by-play CSV (assists, blocks, steals, free throws, coordinates)."""
    _ingest_files_command("bigdataball", paths, warehouse, force, wait)


@ingest_app.command("nbacom-pbp")
@_friendly
def ingest_nbacom_pbp(
    paths: PathsArg = None,
    warehouse: WarehouseOpt = None,
    force: ForceOpt = False,
    wait: WaitOpt = False,
) -> None:
    """NBA.com liveData play-by-play JSON (plain or .gz)."""
    _ingest_files_command("nbacom-pbp", paths, warehouse, force, wait)


ModelsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--models",
        "-m",
        help="Only these models (repeat the option).",
        metavar="MODEL",
        show_default=False,
    ),
]
WaitOpt = Annotated[
    bool, typer.Option("--wait", help="If another run holds the warehouse, wait for it.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
ReadWaitOpt = Annotated[
    bool, typer.Option("--wait", help="If a run is writing the warehouse, wait until it ends.")
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Models computed side by side, each once its upstreams are done "
        "\\[default: $NBAPIPE_MODEL_WORKERS or 2; 1 = one after another].",
        metavar="N",
    ),
]


def _name_column(table: Table, header: str, names: list[str]) -> None:
    """A column of table or model names, never cut or wrapped: the other columns wrap first."""
    table.add_column(header, no_wrap=True, min_width=max([len(header), *map(len, names)]))


def _natural_width(table: Table) -> Measurement:
    """The widths a table needs (fully squeezed, and unwrapped) whatever the terminal's width:
    ``out.measure`` would clamp both to it."""
    return Measurement.get(out, out.options.update_width(10_000), table)


def _first_and_more(dates: list[str]) -> str:
    """'2025-01-15 +3' for four dates, '' for none."""
    if not dates:
        return ""
    return dates[0] + (f" +{len(dates) - 1:,}" if len(dates) > 1 else "")


def _count(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless n is 1: "1 date", "12 dates"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _when(stamp: str | None) -> str:
    """A run's time to the minute, without the year when it is this year's."""
    if not stamp:
        return ""
    this_year = stamp[:5] == f"{dt.date.today().year}-"
    return stamp[5:16] if this_year else stamp[:16]


def _short(model: str) -> str:
    """A model's table name without its dataset (unique; every command accepts it)."""
    return model.rsplit(".", 1)[-1]


def _render_run(summary: api.RunSummary) -> None:
    games = f"{_count(summary.games_scheduled, 'game')} scheduled"
    span = f"{summary.start}" + (f" .. {summary.end}" if summary.end != summary.start else "")
    title = f"{summary.run_id}: {span}, {games}"
    rows = []
    for m in summary.models:
        style = {"success": "green", "skipped": "dim", "partial": "yellow"}.get(m.status, "red")
        counts = (m.dates_computed, m.dates_skipped, m.dates_failed, m.rows_written)
        cells = [f"{n:,}" for n in (*counts, m.failure_rows)]
        rows.append((_short(m.model), f"[{style}]{m.status}[/]", *cells, f"{m.seconds:.2f}"))
    headers = ("dates computed", "up to date", "failed", "rows", "failure rows", "seconds")

    def build(keep: list[int]) -> Table:
        table = Table(pad_edge=False)
        _name_column(table, "model", [r[0] for r in rows])
        if 1 in keep:
            table.add_column("status", no_wrap=True, min_width=7)
        for i, header in enumerate(headers, start=2):
            if i in keep:
                width = max([len(r[i]) for r in rows] + [len(w) for w in header.split()])
                table.add_column(header, justify="right", overflow="fold", min_width=width)
        for r in rows:
            table.add_row(*(r[i] for i in keep))
        return table

    # numbers are never cut and headers wrap, so a narrow terminal drops columns instead, the
    # least needed first (the status shows in the colour of nothing else, so it goes last)
    keep = [0, 1, 2, 3, 4, 5, 6, 7]
    table = build(keep)
    for drop in (3, 6, 7, 1):
        if _natural_width(table).minimum <= out.width:
            break
        keep.remove(drop)
        table = build(keep)
    out.print(title, highlight=False)  # above the table, not its title: wrapped, never cut
    out.print(table)
    for m in summary.models:  # why dates or entities failed, by category
        if m.failures_by_category:
            _print_counts(f"  {_short(m.model)}: ", dict(sorted(m.failures_by_category.items())))
    for m in summary.models:
        for fc in m.failed_checks[:5]:
            err.print(f"[yellow]check failed:[/] {m.model}: {escape(fc)}")
        if len(m.failed_checks) > 5:
            err.print(f"[yellow]check failed:[/] {m.model}: {len(m.failed_checks) - 5} more")
    failed = [m for m in summary.models if m.dates_failed]
    if not summary.games_scheduled:
        out.print(
            f"note: the schedule has no games {'on' if ' ' not in span else 'in'} {span}, so the "
            "models had nothing to compute (is the schedule for those dates ingested?)",
            highlight=False,
        )
    elif not summary.computed_anything and not failed:
        out.print(
            "nothing to do: every date is up to date with its inputs (--force recomputes, e.g. "
            "after output rows were changed by hand)"
        )
    elif failed:
        worst = max(failed, key=lambda m: m.dates_failed)
        out.print(
            f"{len(failed)} model(s) could not compute {sum(m.dates_failed for m in failed):,} "
            "dates in all; the next run retries them.\n"
            f"Why: nbapipe failures --model {_short(worst.model)}",
            highlight=False,
        )
    out.print(f"done in {summary.seconds:.2f} s")
    if not summary.ok:
        raise typer.Exit(1)


@app.command()
@_friendly
def backfill(
    start: Annotated[
        str | None,
        typer.Option(
            help="First date (YYYY-MM-DD) \\[default: first scheduled date].", metavar="DATE"
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(help="Last date, inclusive \\[default: last scheduled date].", metavar="DATE"),
    ] = None,
    models: ModelsOpt = None,
    from_model: Annotated[
        str | None,
        typer.Option(
            "--from-model", help="This model and everything downstream of it.", metavar="MODEL"
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Recompute even dates whose inputs did not change.")
    ] = False,
    wait: WaitOpt = False,
    workers: WorkersOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Compute models over a date range, one set-based pass per model; resumes if interrupted."""
    with RichProgress(err) as progress:
        summary = api.backfill(
            start,
            end,
            models=models,
            from_model=from_model,
            force=force,
            wait=wait,
            workers=workers,
            warehouse=warehouse,
            progress=progress,
        )
    _render_run(summary)


@app.command("run")
@_friendly
def run_daily(
    date: Annotated[
        str | None,
        typer.Option("--date", help="The date to compute \\[default: yesterday].", metavar="DATE"),
    ] = None,
    models: ModelsOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Recompute even if inputs did not change.")
    ] = False,
    wait: WaitOpt = False,
    workers: WorkersOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """The daily run: every model for one date (the range [D, D])."""
    with RichProgress(err) as progress:
        summary = api.run_daily(
            date,
            models=models,
            force=force,
            wait=wait,
            workers=workers,
            warehouse=warehouse,
            progress=progress,
        )
    _render_run(summary)


@app.command()
@_friendly
def validate(
    start: Annotated[
        str | None, typer.Option(help="First date \\[default: first scheduled].", metavar="DATE")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Last date \\[default: last scheduled].", metavar="DATE")
    ] = None,
    models: ModelsOpt = None,
    as_json: JsonOpt = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on warnings too, not only on errors.")
    ] = False,
    wait: ReadWaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Run every output check and the schedule-coverage check; exit 1 on any error
    (with --strict, on any warning too)."""
    report = api.validate(start, end, models=models, warehouse=warehouse, wait=wait)
    failed = not report.ok or (strict and bool(report.violations))
    if as_json:
        payload = {**report.to_dict(), "ok": not failed, "strict": strict}
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    else:
        if report.violations:
            title = f"violations {report.start} .. {report.end}"
            vs = report.violations
            names = [_short(v.model) for v in vs]
            table = Table(title=title)
            _name_column(table, "model", names)
            for col in ("check", "severity", "dates", "rows", "example"):
                right = col in ("dates", "rows")
                table.add_column(col, justify="right" if right else "left", no_wrap=True)
            for name, v in zip(names, vs, strict=True):
                table.add_row(
                    name,
                    escape(v.check),
                    v.severity,
                    f"{v.dates:,}",
                    f"{v.failing_rows:,}",
                    escape(v.example or "-"),
                )
            # one line a violation when it fits, else its check and example below its counts
            if _natural_width(table).maximum <= out.width:
                out.print(table)
            else:
                _print_records(
                    title,
                    [
                        (
                            f"{name}  [{'red' if v.severity == 'error' else 'yellow'}]"
                            f"{v.severity}[/]  {_count(v.dates, 'date')}  "
                            f"{_count(v.failing_rows, 'row')}",
                            [v.check, f"e.g. {v.example}" if v.example else ""],
                        )
                        for name, v in zip(names, vs, strict=True)
                    ],
                )
        verdict = []
        if report.errors:
            verdict.append(f"[red]{_count(report.errors, 'error')}[/]")
        if report.warnings:
            verdict.append(f"[yellow]{_count(report.warnings, 'warning')}[/]")
        out.print(
            f"{len(report.models)} models, {report.checks_run} checks over "
            f"{report.start} .. {report.end}: "
            + (", ".join(verdict) if verdict else "[green]all passed[/]")
        )
    if failed:
        raise typer.Exit(1)


@app.command()
@_friendly
def failures(
    model: Annotated[str | None, typer.Option(help="Only this model.", metavar="MODEL")] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Only this date.", metavar="DATE")
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(help="Only this category, e.g. INSUFFICIENT_DATA.", metavar="CATEGORY"),
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, help="Show at most this many rows.", metavar="N")
    ] = 50,
    as_json: JsonOpt = False,
    wait: ReadWaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Entities and dates the models could not compute, and why."""
    rows, counts = api.failures(
        model=model, day=date, category=category, limit=limit, warehouse=warehouse, wait=wait
    )
    if as_json:
        sys.stdout.write(json.dumps({"counts": counts, "rows": rows}, indent=2, default=str) + "\n")
        return
    if not rows:
        filters = [f"{k} {v}" for k, v in (("model", model), ("date", date)) if v]
        if category:
            filters.append(f"category {category}")
        out.print(
            "no failures" + (f" for {', '.join(filters)}" if filters else ""), highlight=False
        )
        if category:  # perhaps a typo: the categories there are, under the other filters
            _, present = api.failures(
                model=model, day=date, limit=0, warehouse=warehouse, wait=wait
            )
            _print_counts("categories there: ", present)
        return
    cells = [
        {
            "date": str(r["analysis_date"]),
            "model": _short(r["model"]),
            "entity": r["entity_id"],
            "category": r["failure_category"],
            "reason": r["failure_reason"] or "",
            "retry": "yes" if r["can_retry"] else "no",
        }
        for r in rows
    ]
    # a column with one value on every row goes to the title: the reasons get the room
    same = {k for k in ("model", "entity", "category", "retry") if len({c[k] for c in cells}) == 1}
    same = same if len(cells) > 1 else set()
    title = "failures (newest first)"
    if same:
        title += ": " + ", ".join(f"{k} {cells[0][k]}" for k in sorted(same))
    shown = [k for k in cells[0] if k not in same] if cells else []
    others = [k for k in shown if k != "reason"]
    # every column but the reason is kept whole; if that leaves the reason too little room,
    # each failure takes two lines instead: its fields, then its reason below them
    fixed = sum(max(len(k), *(len(c[k]) for c in cells)) + 3 for k in others) + 4
    if cells and out.width - fixed < 40:
        heads = ["  ".join(escape(c[k]) for k in others) for c in cells]
        _print_records(
            escape(title), [(h, [c["reason"]]) for h, c in zip(heads, cells, strict=True)]
        )
    else:
        table = Table(title=title)
        for col in shown:
            if col == "reason":
                table.add_column("reason", overflow="fold")  # long table names break
            else:
                table.add_column(col, no_wrap=True)
        for c in cells:
            table.add_row(*(escape(c[k]) for k in shown))
        out.print(table)
    total = sum(counts.values())
    if len(rows) < total:
        out.print(f"showing the newest {len(rows):,} of {total:,} (--limit N shows more)")
    _print_counts("by category: ", counts)


@app.command()
@_friendly
def status(
    warehouse: WarehouseOpt = None,
    team: Annotated[
        str | None, typer.Option(help="Only rows of this team (tricode).", metavar="TEAM")
    ] = None,
    as_json: JsonOpt = False,
    start: Annotated[
        str | None, typer.Option(help="Model coverage from this date.", metavar="DATE")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Model coverage to this date.", metavar="DATE")
    ] = None,
    by_week: Annotated[
        bool,
        typer.Option(
            "--failures-by-week",
            help="Only the failure share per season week of models with per-entity failures.",
        ),
    ] = False,
    wait: ReadWaitOpt = False,
) -> None:
    """Raw tables per source, model coverage against the schedule, last runs, failures."""
    if by_week:
        given = [o for o, v in (("--team", team), ("--start", start), ("--end", end)) if v]
        if given:
            raise InputError(
                f"--failures-by-week covers every season and team; drop {', '.join(given)}"
            )
        _render_failures_by_week(api.failures_by_week(warehouse=warehouse, wait=wait), as_json)
        return
    st = api.status(warehouse, team=team, wait=wait)
    has_schedule = any(t.rows for t in st.tables if t.table == "nba_raw.schedule")
    cov = (
        api.coverage(start, end, per_date=as_json, warehouse=warehouse, wait=wait)
        if has_schedule or (start and end)
        else []
    )
    if as_json:
        data = st.to_dict() | {"models": [c.to_dict() for c in cov]}
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
        return
    title = f"{st.warehouse} (schema v{st.schema_version})"
    if st.team:
        title += f": rows of team {st.team}"  # the raw tables; models and ingests are league-wide
    table = Table(title=title, pad_edge=False)
    _name_column(table, "table", [t.table for t in st.tables])
    table.add_column("source", overflow="fold")  # folded on a narrow terminal, never cut
    # numbers and dates are never cut: a narrow terminal drops the games and first-date columns
    wide = out.width >= 100
    cols = ("rows", "games", "dates", "first", "last") if wide else ("rows", "dates", "last")
    for col in cols:
        right = col in ("rows", "games", "dates")
        table.add_column(col, justify="right" if right else "left", no_wrap=True)
    for t in st.tables:
        cells = {
            "rows": f"{t.rows:,}",
            "games": "-" if t.games is None else f"{t.games:,}",
            "dates": f"{t.dates:,}",
            "first": t.first_date or "-",
            "last": t.last_date or "-",
        }
        table.add_row(t.table, t.source or "-", *(cells[c] for c in cols))
    out.print(table)
    if st.sources:
        sources = Table(title="ingests per source")
        for col in (
            "source",
            "files loaded",
            "files refused",
            "rows rejected",
            "unresolved names",
            "last ingest",
        ):
            sources.add_column(col, justify="left" if col in ("source", "last ingest") else "right")
        for c in st.sources:
            sources.add_row(
                c.source,
                f"{c.files_loaded:,}",
                f"{c.files_refused:,}",
                f"{c.rows_rejected:,}",
                f"{c.unresolved_names:,}",
                _when(c.last_ingest) or "-",
            )
        out.print(sources)
    if cov:
        mt = Table(
            title="models: dates with completed games vs dates handled (rows, or failure rows "
            "saying why)",
            pad_edge=False,
        )
        _name_column(mt, "model", [_short(c.model) for c in cov])
        for col in ("coverage", "rows", "missing", "last run"):
            # cells wrap at their spaces on a narrow terminal, never inside a number or date
            mt.add_column(col, justify="right" if col == "rows" else "left", min_width=7)
        for c in cov:
            pct_style = "green" if c.coverage_pct >= 95 else "yellow" if c.coverage_pct else "red"
            missing = _first_and_more(c.missing_dates)
            if c.no_input_dates:  # computed, but its optional inputs had nothing those dates
                missing += ("; " if missing else "") + "no input "
                missing += _first_and_more(c.no_input_dates)
            covered = f"{c.dates_with_rows}/{c.game_dates} {c.coverage_pct:g}%"
            mt.add_row(
                _short(c.model),
                f"[{pct_style}]{covered}[/]" if c.game_dates else "- (no games)",
                f"{c.rows:,}",
                missing or "-",
                f"{c.last_run_status or '-'} {_when(c.last_run_at)}".strip(),
            )
        out.print(mt)
        failing = [c for c in cov if c.failures_by_category]
        if failing:  # below the table, whole: category names are long
            out.print("failures by category (nbapipe failures --model M says why):")
        for c in failing:
            _print_counts(f"  {_short(c.model)}: ", c.failures_by_category)
    out.print(
        f"registry: {st.registry_players:,} players, {st.registry_aliases:,} aliases, "
        f"{_count(st.registry_failures, 'unresolved name')}"
        + (" (nbapipe registry unresolved)" if st.registry_failures else "")
        + f"; {_count(st.ingest_runs, 'ingest run')}"
    )


def _render_failures_by_week(shares: list, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps([w.to_dict() for w in shares], indent=2) + "\n")
        return
    if not shares:
        out.print("no per-entity failures recorded yet (run a backfill of the Phase 4 models)")
        return
    models = sorted({w.model for w in shares})
    weeks = sorted({w.season_week for w in shares})
    share = {(w.model, w.season_week): w for w in shares}
    table = Table(title="failure share by season week (week 1 = the opener's week), all seasons")
    table.add_column("week", justify="right")
    for m in models:
        table.add_column(m.split(".")[-1], justify="right")
    for wk in weeks:
        cells = []
        for m in models:
            w = share.get((m, wk))
            cells.append(f"{w.failure_share:.1f}% of {w.failures + w.rows:,}" if w else "-")
        table.add_row(str(wk), *cells)
    out.print(table)


@app.command()
@_friendly
def quickstart(
    warehouse: WarehouseOpt = None,
    season: Annotated[str, typer.Option(help="Season to simulate.", metavar="SEASON")] = "2024-25",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """One synthetic season into the warehouse, everything the pipeline runs, a summary."""
    with RichProgress(err) as progress:
        result = api.quickstart(warehouse, season=season, seed=seed, progress=progress)
    s = result.summary
    table = Table(title=f"quickstart: {result.warehouse}", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for label, value in (
        ("seasons", ", ".join(s.seasons)),
        ("games", f"{s.games:,}"),
        ("player-games (played)", f"{s.player_games:,}"),
        ("players", f"{s.players:,}"),
        ("shots", f"{s.shots:,}"),
        ("free throws", f"{s.free_throws:,}"),
        ("prop lines (snapshot x book)", f"{s.prop_lines:,}"),
        ("player-games with a line", f"{s.player_games_with_line:,}"),
        ("game-line rows", f"{s.game_line_rows:,}"),
        ("injury-report rows", f"{s.injury_report_rows:,}"),
        ("points per team-game", f"{s.points_per_team_game}"),
    ):
        table.add_row(label, value)
    out.print(table)
    out.print("ran:")
    for step in result.pipeline_steps:
        out.print(f"  {step}")
    out.print(f"pipeline time {result.run.seconds:.2f} s")
    out.print(f"next: [bold]nbapipe status --warehouse {result.warehouse}[/]")


@registry_app.command("unresolved")
@_friendly
def registry_unresolved(
    source: Annotated[
        str | None, typer.Option(help="Only this source, e.g. odds_api.", metavar="SOURCE")
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, help="Show at most this many names.", metavar="N")
    ] = 50,
    as_json: JsonOpt = False,
    wait: ReadWaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Names no registry player matched, most rows first, and players of that last name."""
    rows, total = api.unresolved_names(source=source, limit=limit, warehouse=warehouse, wait=wait)
    if as_json:
        sys.stdout.write(json.dumps({"total": total, "names": rows}, indent=2, default=str) + "\n")
        return
    if not rows:
        out.print("every name resolved" + (f" for {source}" if source else ""), highlight=False)
        return
    # a column with one value on every row goes to the title
    reasons = {r["reason"] for r in rows}
    sources = {r["source"] for r in rows}
    title = "unresolved names, most rows first"
    if len(sources) == 1:
        title += f": {rows[0]['source']}"
    if len(reasons) == 1:
        title += f", {rows[0]['reason']}"
    table = Table(title=escape(title))
    cols = ["source"] if len(sources) > 1 else []
    cols += ["name", "rows", "dates", "first", "last"]
    cols += ["reason"] if len(reasons) > 1 else []
    cols += ["players of that last name"]
    for col in cols:
        table.add_column(col, justify="right" if col in ("rows", "dates") else "left")
    for r in rows:
        cell = {
            "source": r["source"],
            "name": r["player_name"] or r["player_lookup"],
            "rows": f"{r['rows']:,}",
            "dates": f"{r['dates']:,}",
            "first": str(r["first"]),
            "last": str(r["last"]),
            "reason": r["reason"] or "",
            "players of that last name": ", ".join(r["players_of_that_last_name"]),
        }
        table.add_row(*(escape(cell[c]) for c in cols))
    out.print(table)
    if len(rows) < total:
        out.print(f"showing {len(rows):,} of {total:,} names (--limit N shows more)")
    out.print("resolve one with: nbapipe registry alias NAME PLAYER_ID", highlight=False)


@registry_app.command("alias")
@_friendly
def registry_alias(
    name: Annotated[
        str, typer.Argument(help="The name as the source writes it, e.g. 'SGA'.", metavar="NAME")
    ],
    player_id: Annotated[
        str,
        typer.Argument(
            help="The registry player it names, e.g. shaigilgeousalexander_001.",
            metavar="PLAYER_ID",
        ),
    ],
    wait: WaitOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Teach the registry a name for a player; stored rows that used it take his lookup."""
    result = api.add_alias(name, player_id, warehouse=warehouse, wait=wait)
    done = result.resolved
    out.print(f"{escape(repr(name))} now names {escape(player_id)}", highlight=False)
    if result.read_again:
        out.print(
            "rows naming it were left out as ambiguous (a name two players share); "
            "ingest again to bring them in:",
            highlight=False,
        )
        for source, where in result.read_again:
            # a source without files (synthetic) names itself where a file would be
            again = (
                f"nbapipe ingest {source}"
                if where == source
                else f"nbapipe ingest {source.replace('_', '-')} --force {where}"
            )
            _print_wrapped(out, "  " + again, indent=4)
    if done.names or done.rows:
        out.print(
            f"{_count(done.names, 'logged name')} resolved, "
            f"{_count(done.rows, 'stored row')} changed; the next run or backfill recomputes "
            "the dates they feed",
            highlight=False,
        )


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
