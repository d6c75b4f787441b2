"""The `nbapipe` command: parses arguments, calls nbapipe.api, renders progress and tables."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
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
from nbapipe.errors import NbapipeError
from nbapipe.settings import ENV_WAREHOUSE

app = typer.Typer(
    name="nbapipe",
    help="NBA data in, analytics tables, per-date features and points predictions out.\n\n"
    "Every command works on one DuckDB warehouse file: --warehouse PATH, else "
    f"${ENV_WAREHOUSE}, else ./nbapipe.duckdb.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ingest_app = typer.Typer(help="Load raw data into the warehouse (nba_raw).", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

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
        help=f"Warehouse file [env: {ENV_WAREHOUSE}; default ./nbapipe.duckdb].",
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

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def step(self, task: str, done: float, total: float | None = None) -> None:
        if task not in self._tasks:
            self._tasks[task] = self._progress.add_task(task, total=total)
        self._progress.update(self._tasks[task], completed=done, total=total)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    _state["debug"] = debug
    if version:
        out.print(f"nbapipe {__version__}")
        raise typer.Exit()


@app.command()
@_friendly
def init(warehouse: WarehouseOpt = None) -> None:
    """Create the warehouse (schemas and tables), or migrate an existing one. Safe to re-run."""
    result = api.init(warehouse)
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
        typer.Option(help="Seasons: 2024-25, a range 2021-22..2024-25, or a list a,b."),
    ] = "2024-25",
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same league.")
    ] = 7,
    warehouse: WarehouseOpt = None,
) -> None:
    """Simulate a realistic league (schedule, play-by-play, box scores, lines, injuries)."""
    with RichProgress(err) as progress:
        summary = api.ingest_synthetic(seasons, seed=seed, warehouse=warehouse, progress=progress)
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
        help="Files, folders (searched recursively) or zip archives.", show_default=False
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Re-ingest files even when their content is unchanged.")
]


def _render_files(result: api.FilesIngestResult) -> None:
    table = Table(title=f"{result.summary.source} ingest ({result.summary.run_id})")
    for col, justify in (
        ("file", "left"),
        ("status", "left"),
        ("rows in", "right"),
        ("written", "right"),
        ("rejected", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for o in result.files:
        style = {"loaded": "green", "unchanged": "dim", "refused": "red"}[o.status]
        table.add_row(
            escape(o.file),
            f"[{style}]{o.status}[/]",
            f"{o.rows_in:,}",
            f"{o.rows_written:,}",
            f"{o.rows_rejected:,}",
        )
    out.print(table)
    for o in result.files:
        if o.status == "refused":
            err.print(f"[red]refused:[/] {escape(o.message)}", highlight=False, soft_wrap=True)
    s = result.summary
    out.print(
        f"{s.files} files, {s.rows_in:,} rows in, {s.rows_written:,} written, "
        f"{s.rows_rejected:,} rejected (nba_processing.ingest_rejects), "
        f"{s.unresolved_names:,} unresolved names (nba_processing.registry_failures), "
        f"{s.new_players:,} new players"
    )
    if any(o.status == "refused" for o in result.files):
        raise typer.Exit(1)


def _ingest_files_command(
    source: str, paths: list[str] | None, warehouse: str | None, force: bool
) -> None:
    with RichProgress(err) as progress:
        result = api.ingest_files(
            source, paths or [], warehouse=warehouse, progress=progress, force=force
        )
    _render_files(result)


@ingest_app.command("nba-stats")
@_friendly
def ingest_nba_stats(
    paths: PathsArg = None, warehouse: WarehouseOpt = None, force: ForceOpt = False
) -> None:
    """NBA.com stats files: shot charts (CSV/zip), player and team game logs, schedule,
    PlayByPlayV3 / BoxScoreTraditionalV3 / ScoreboardV2 JSON."""
    _ingest_files_command("nba-stats", paths, warehouse, force)


@ingest_app.command("odds-api")
@_friendly
def ingest_odds_api(
    paths: PathsArg = None, warehouse: WarehouseOpt = None, force: ForceOpt = False
) -> None:
    """The Odds API: player-prop CSV snapshots and v4 JSON (props, game lines)."""
    _ingest_files_command("odds-api", paths, warehouse, force)


@ingest_app.command("bigdataball")
@_friendly
def ingest_bigdataball(
    paths: PathsArg = None, warehouse: WarehouseOpt = None, force: ForceOpt = False
) -> None:
    """BigDataBall play-by-play CSV (assists, blocks, steals, free throws, coordinates)."""
    _ingest_files_command("bigdataball", paths, warehouse, force)


@ingest_app.command("nbacom-pbp")
@_friendly
def ingest_nbacom_pbp(
    paths: PathsArg = None, warehouse: WarehouseOpt = None, force: ForceOpt = False
) -> None:
    """NBA.com liveData play-by-play JSON (plain or .gz)."""
    _ingest_files_command("nbacom-pbp", paths, warehouse, force)


@app.command()
@_friendly
def status(
    warehouse: WarehouseOpt = None,
    team: Annotated[str | None, typer.Option(help="Only rows of this team (tricode).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Rows and date coverage per raw table and source."""
    st = api.status(warehouse, team=team)
    if as_json:
        sys.stdout.write(json.dumps(st.to_dict(), indent=2) + "\n")
        return
    title = f"{st.warehouse} (schema v{st.schema_version})"
    if st.team:
        title += f", team {st.team}"
    table = Table(title=title)
    for col, justify in (
        ("table", "left"),
        ("source", "left"),
        ("rows", "right"),
        ("games", "right"),
        ("dates", "right"),
        ("first", "left"),
        ("last", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for t in st.tables:
        table.add_row(
            t.table,
            t.source or "-",
            f"{t.rows:,}",
            "-" if t.games is None else f"{t.games:,}",
            f"{t.dates:,}",
            t.first_date or "-",
            t.last_date or "-",
        )
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
                (c.last_ingest or "-")[:19],
            )
        out.print(sources)
    out.print(
        f"registry: {st.registry_players:,} players, {st.registry_aliases:,} aliases, "
        f"{st.registry_failures:,} unresolved names; {st.ingest_runs} ingest runs"
    )


@app.command()
@_friendly
def quickstart(
    warehouse: WarehouseOpt = None,
    season: Annotated[str, typer.Option(help="Season to simulate.")] = "2024-25",
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
    out.print("ran: " + "; ".join(result.pipeline_steps))
    out.print(f"next: [bold]nbapipe status --warehouse {result.warehouse}[/]")


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
