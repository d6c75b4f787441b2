"""File ingestion shared by every file source: discover, validate, quarantine, write, log.

A source adapter turns one file into canonical tables (Arrow or a DuckDB relation) plus
rejected rows; this module does the rest, the same way for every source:

- each file is ingested all-or-nothing in one transaction; a refused file (truncated zip,
  missing column, HTML where JSON was expected) is logged and the next file goes on;
- an unchanged file (same SHA-256 as last time) is skipped; a changed file replaces every row
  it wrote before, and rows of the same source with the same keys;
- rows that fail validation are quarantined in ``nba_processing.ingest_rejects`` with the
  file, row number, column, reason and raw text;
- game ids the schedule does not know (on dates the schedule covers) are rejected;
- players are registered before the write (box-score sources: rows get the registry's
  lookup by person id, so two players with one name stay two keys) or resolved through the
  registry after it (others); prop and injury rows naming a name two registry players share
  are left out and logged as ambiguous.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import pyarrow as pa

from nbapipe import registry
from nbapipe.engine.duckdb import DuckDBEngine, quote_ident
from nbapipe.errors import InputError
from nbapipe.progress import NoProgress, ProgressSink
from nbapipe.sources import schema, sniff
from nbapipe.sources.load import (
    IngestSummary,
    conform,
    new_run_id,
    record_ingest_run,
)
from nbapipe.sources.schema import Table

REJECT_COLUMNS = ("row_number", "column_name", "reason", "raw_text")
REFUSED = "file refused: "  # how the reason of a refused file's ingest_rejects row begins

# Reject reasons that say what the warehouse lacks, not what is wrong with the file: the game
# or player looked up may be there later. (what was looked up, reason pattern, the pattern of
# the key looked up in the reason: a game date, a player id)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
WAREHOUSE_REASONS = (
    ("schedule", re.compile(r"no scheduled game for "), _DAY),  # odds-api, nba-stats logs
    ("schedule", re.compile(r"game \S+ is not in the schedule for "), _DAY),  # every source
    ("schedule", re.compile(r"the schedule has \d+ games for "), _DAY),  # nba-stats logs
    ("registry", re.compile(r"player id \S+ is not in the player registry"),  # PlayerGameLog
     re.compile(r"(?<=player id )\S+")),
)  # fmt: skip
# What each lookup reads, for the keys its rejects name: a file waiting on it is read again
# once those rows change (the schedule of those dates, the registry rows of those players).
_STATE_SQL = {
    "schedule": f"SELECT count(*) || ':' || coalesce(bit_xor(hash(game_id, game_date, "
    f"home_team_abbr, away_team_abbr)), 0) FROM {schema.SCHEDULE.fqn} "
    "WHERE CAST(game_date AS VARCHAR) IN (SELECT unnest(CAST(? AS VARCHAR[])))",
    "registry": f"SELECT count(*) || ':' || coalesce(bit_xor(hash(nba_player_id, player_lookup, "
    f"player_name)), 0) FROM {schema.PLAYERS_REGISTRY.fqn} "
    "WHERE CAST(nba_player_id AS VARCHAR) IN (SELECT unnest(CAST(? AS VARCHAR[])))",
}


def waits_on(reasons: Iterable[str]) -> set[str]:
    """The warehouse lookups ('schedule', 'registry') that rejects with these reasons wait on."""
    return set(waiting_keys(reasons))


def waiting_keys(reasons: Iterable[str]) -> dict[str, list[str]]:
    """Per lookup the rejects wait on, the keys they name (game dates, player ids), sorted."""
    keys: dict[str, set[str]] = {}
    for reason in reasons:
        for kind, pattern, key in WAREHOUSE_REASONS:
            if pattern.match(reason):
                found = key.search(reason)
                keys.setdefault(kind, set()).update([found.group(0)] if found else [])
    return {kind: sorted(v) for kind, v in keys.items()}


def _warehouse_state(engine: DuckDBEngine, keys: dict[str, list[str]]) -> dict[str, dict]:
    """A fingerprint of the rows each lookup reads for its keys: it changes when they do."""
    return {
        kind: {"keys": ks, "state": str(engine.fetchone(_STATE_SQL[kind], [ks])[0])}
        for kind, ks in sorted(keys.items())
    }


@dataclass(frozen=True)
class FileRef:
    """One input file, possibly a member of a zip archive (shown as ``archive.zip!member``).

    ``display`` is the path as given (short, for messages); ``source_file`` is the file's
    identity in the warehouse: its resolved absolute path, so that ``team.csv``,
    ``./team.csv``, ``$PWD/team.csv`` and the folder holding it are one file.
    """

    path: Path
    member: str | None = None

    @property
    def display(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @functools.cached_property
    def source_file(self) -> str:
        path = str(self.path.resolve())
        return f"{path}!{self.member}" if self.member else path

    @property
    def spellings(self) -> list[str]:
        """The names this file may have in a warehouse written before identities were
        resolved paths: the path as given (rows are matched under it too, then rewritten
        under ``source_file``)."""
        return [self.source_file] + ([self.display] if self.display != self.source_file else [])

    @property
    def name(self) -> str:
        return Path(self.member).name if self.member else self.path.name

    @property
    def nested_zip(self) -> bool:
        """A zip archive inside a zip archive: not read (see ``_ingest_one``)."""
        return self.member is not None and self.member.lower().endswith(".zip")

    def read_bytes(self) -> bytes:
        return _read_cached(self.path, self.member, self.path.stat().st_mtime_ns)

    def _read_uncached(self) -> bytes:
        if self.member is None:
            return self.path.read_bytes()
        try:
            with zipfile.ZipFile(self.path) as zf:
                return zf.read(self.member)
        except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile) as exc:
            raise InputError(f"{self.display}: cannot read zip member ({exc})") from exc


@functools.lru_cache(maxsize=1)
def _read_cached(path: Path, member: str | None, mtime_ns: int) -> bytes:
    # The hash and the parse of one file read it back to back: keep the last file's bytes.
    return FileRef(path, member)._read_uncached()


def _is_data_member(name: str) -> bool:
    parts = Path(name).parts
    return not (
        name.endswith("/")
        or any(p == "__MACOSX" or p.startswith(".") for p in parts)
        or Path(name).name.startswith("._")
    )


def discover(paths: Sequence[str | Path], suffixes: Iterable[str]) -> list[FileRef]:
    """Expand files, folders (recursively, sorted) and zip archives into data files."""
    wanted = tuple(s.lower() for s in suffixes)
    refs: list[FileRef] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        kinds = "/".join(s for s in wanted if s != ".zip")
        if not path.is_dir():  # a file named on its own must be one this source reads
            if path.name.lower().endswith(".zip"):
                refs.extend(_zip_members(path, wanted))
            elif path.name.lower().endswith(wanted):
                refs.append(FileRef(path))
            else:
                raise InputError(f"{path}: not a {kinds} file or a zip archive of them")
            continue
        found = 0  # in a folder, other files are passed over
        for p in sorted(p for p in path.rglob("*") if p.is_file()):
            lower = p.name.lower()
            if lower.endswith(".zip"):
                members = _zip_members(p, wanted)
            elif lower.endswith(wanted) and not p.name.startswith("."):
                members = [FileRef(p)]
            else:
                continue
            refs.extend(members)
            found += len(members)
        if not found:
            raise InputError(f"{path}: folder holds no {kinds} file or zip archive of them")
    return refs


def _zip_members(path: Path, wanted: tuple[str, ...]) -> list[FileRef]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if _is_data_member(n)]
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise InputError(f"{path}: not a readable zip archive ({exc})") from exc
    # Zip archives inside are listed too, whatever the source reads: they are refused one by
    # one with a word on what to do (see ``FileRef.nested_zip``), never read as data.
    members = [n for n in names if n.lower().endswith((*wanted, ".zip"))]
    if not members:
        kinds = "/".join(s for s in wanted if s != ".zip")
        raise InputError(f"{path}: zip archive holds no {kinds} data file")
    return [FileRef(path, n) for n in sorted(members)]


@dataclass
class Parsed:
    """What an adapter made of one file."""

    tables: dict[str, pa.Table]
    rows_in: int
    rejects: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    # ``source`` label per table when it is not the adapter's name (e.g. shot-chart events
    # of the NBA.com stats adapter, kept apart from its full play-by-play).
    sources: dict[str, str] = field(default_factory=dict)


class FileSource(Protocol):
    """What an adapter provides. ``parse`` runs inside the file's transaction; it may read the
    warehouse (e.g. the schedule to find game ids) and returns canonical tables keyed by bare
    table name. A table may carry an extra ``_row`` column (1-based input row) so that rows
    rejected later (unknown game id) name their row; other extra columns are dropped. Raise
    ``InputError`` to refuse the whole file. Optional: ``sort_key(ref) -> int`` to order files.
    """

    name: str  # value of the ``source`` column
    suffixes: tuple[str, ...]
    # How player names become registry players: box-score sources register players,
    # others (props, injuries) resolve names to players already registered.
    players: Literal["register", "resolve"]

    def parse(self, engine: DuckDBEngine, ref: FileRef) -> Parsed: ...


# -- row validation in SQL ------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A canonical column computed from raw (all-text) columns, with its checks.

    ``expr`` is SQL over the raw relation; it is cast to ``type`` with TRY_CAST, and a raw
    value that is present but does not cast rejects the row. ``checks`` are (predicate, reason)
    pairs on the typed value ``v``; a failed predicate rejects the row.
    """

    name: str
    expr: str
    type: str
    raw: str | None = None  # raw column shown in the reject (defaults to expr)
    required: bool = False
    checks: tuple[tuple[str, str], ...] = ()


NON_NEGATIVE = (("v >= 0", "negative count"),)


def season_year_sql(date_sql: str) -> str:
    """SQL for the season start year of a date expression (October or later = that year)."""
    d = f"TRY_CAST(({date_sql}) AS DATE)"
    return f"CASE WHEN month({d}) >= 10 THEN year({d}) ELSE year({d}) - 1 END"


def validate_rows(
    engine: DuckDBEngine, raw_relation: str, fields: Sequence[Field], *, out: str
) -> list[tuple[int, str, str, str | None]]:
    """Type the raw relation (which has a ``_row`` column) into temp table ``out``.

    Returns the rejects; ``out`` holds only rows without a problem.
    """
    typed, problems = [], []
    for f in fields:
        cast = f"TRY_CAST(({f.expr}) AS {f.type})"
        typed.append(f"{cast} AS {quote_ident(f.name)}")
        raw = f.raw or f.expr
        label = f.name.replace("'", "''")
        problems.append(
            f"CASE WHEN NULLIF(TRIM(CAST(({f.expr}) AS VARCHAR)), '') IS NOT NULL "
            f"AND {cast} IS NULL THEN {{'column': '{label}', 'reason': "
            f"'not a valid {f.type.lower()}', 'raw': CAST(({raw}) AS VARCHAR)}} END"
        )
        if f.required:
            problems.append(
                f"CASE WHEN {cast} IS NULL AND NULLIF(TRIM(CAST(({f.expr}) AS VARCHAR)), '') "
                f"IS NULL THEN {{'column': '{label}', 'reason': 'missing value', "
                f"'raw': NULL}} END"
            )
        for predicate, reason in f.checks:
            # ``v`` (as a whole word) stands for the typed value.
            pred = re.sub(r"\bv\b", cast, predicate)
            why = reason.replace("'", "''")
            problems.append(
                f"CASE WHEN {cast} IS NOT NULL AND NOT ({pred}) THEN {{'column': '{label}', "
                f"'reason': '{why}', 'raw': CAST(({raw}) AS VARCHAR)}} END"
            )
    # list_distinct drops the NULL entries (no problem) and keeps one of each problem.
    problem_list = "list_distinct([" + ", ".join(problems) + "])"
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE _validated AS SELECT _row, "
        f"{', '.join(typed)}, {problem_list} AS _problems FROM {raw_relation}"
    )
    rejects = engine.fetchall(
        "SELECT _row, p.column, p.reason, p.raw FROM "
        "(SELECT _row, unnest(_problems) AS p FROM _validated) ORDER BY _row, p.column"
    )
    cols = ", ".join(quote_ident(f.name) for f in fields)
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT _row, {cols} FROM _validated "
        "WHERE len(_problems) = 0"
    )
    engine.execute("DROP TABLE IF EXISTS _validated")
    return [(int(r), c, why, raw) for r, c, why, raw in rejects]


def canonical(table: Table, columns: dict[str, pa.Array | pa.ChunkedArray], n: int) -> pa.Table:
    """A canonical table from the columns a source has; the others are NULL, never invented."""
    arrays = []
    for f in table.arrow_schema():
        col = columns.get(f.name)
        arrays.append(pa.nulls(n, f.type) if col is None else col)
    return conform(table, pa.Table.from_arrays(arrays, schema=table.arrow_schema()))


# -- the ingest loop (one iteration per file) -------------------------------------------------


@dataclass
class RejectReason:
    """Rejected rows of one kind: reasons that differ only in the values they quote (game,
    team, date, number) are one kind, shown by one of them."""

    column: str
    example: str  # the reason most of these rows give, word for word
    rows: int  # rows rejected with a reason of this kind
    varied: bool  # whether some give it with other values (other games, dates, ...)
    files: int = 1


_VALUES = re.compile(r"'[^']*'|\b\d[\d.:-]*\b|\b[A-Z]{2,4}\b")


def reason_kind(reason: str) -> str:
    """A reason with the values it quotes blanked out: the key rejects are grouped by."""
    return _VALUES.sub("_", reason)


def group_rejects(rejects: Iterable[tuple[int, str, str, str | None]]) -> list[RejectReason]:
    """Rejected rows by kind of reason, most rows first (a row with two problems counts in
    both kinds); the example is the reason most of them give word for word."""
    exact: dict[tuple[str, str], dict[str, set[int]]] = {}
    for row, column, reason, _ in rejects:
        exact.setdefault((column or "", reason_kind(reason)), {}).setdefault(reason, set()).add(row)
    out = []
    for (column, _), by_reason in exact.items():
        example = max(by_reason, key=lambda r: (len(by_reason[r]), r))
        rows = len(set().union(*by_reason.values()))
        out.append(RejectReason(column, example, rows, len(by_reason) > 1))
    return sorted(out, key=lambda r: (-r.rows, r.column, r.example))


def merge_reasons(groups: Iterable[RejectReason]) -> list[RejectReason]:
    """Kinds of reasons over several files (rows and files added up), most rows first; the
    example is that of the file with the most such rows."""
    merged: dict[tuple[str, str], list[RejectReason]] = {}
    for g in groups:
        merged.setdefault((g.column, reason_kind(g.example)), []).append(g)
    out = []
    for (column, _), parts in merged.items():
        first = max(parts, key=lambda g: (g.rows, g.example))
        varied = any(g.varied or g.example != first.example for g in parts)
        rows, n_files = sum(g.rows for g in parts), sum(g.files for g in parts)
        out.append(RejectReason(column, first.example, rows, varied, n_files))
    return sorted(out, key=lambda r: (-r.rows, r.column, r.example))


@dataclass
class FileOutcome:
    """What became of one file: ``loaded``; ``unchanged`` (same bytes, nothing to try
    again); ``refused`` (nothing written, ``message`` says why); ``rejected`` (read, but every
    row was rejected: nothing written, ``reasons`` say why)."""

    file: str
    status: Literal["loaded", "unchanged", "refused", "rejected"]
    rows_in: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    message: str = ""
    reasons: list[RejectReason] = field(default_factory=list)
    # Read again although its bytes are unchanged: rows of it had been rejected for want of a
    # scheduled game or registered player, and the schedule or registry has changed since.
    retried: bool = False


def ingest_files(
    engine: DuckDBEngine,
    adapter: FileSource,
    paths: Sequence[str | Path],
    *,
    progress: ProgressSink | None = None,
    force: bool = False,
    after_file: Callable[[DuckDBEngine, FileRef], None] | None = None,
    run_id: str | None = None,
) -> tuple[IngestSummary, list[FileOutcome]]:
    """Ingest every data file under ``paths`` with ``adapter``; one transaction per file.

    ``run_id``: the run's id when the caller made it (e.g. to hold the writer lock under it)."""
    progress = progress or NoProgress()
    run_id = run_id or new_run_id(adapter.name)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    summary = IngestSummary(run_id=run_id, source=adapter.name)
    outcomes: list[FileOutcome] = []
    refs: list[FileRef] = []
    seen: dict[str, FileRef] = {}
    for p in paths:
        try:
            found = discover([p], adapter.suffixes)
        except InputError as exc:
            outcomes.append(FileOutcome(str(p), "refused", message=str(exc)))
            _log_refused(engine, adapter.name, run_id, str(Path(p).resolve()), str(exc))
            continue
        for ref in found:  # one file named twice (a.csv, then its folder) is read once
            other = seen.get(ref.source_file)
            if other is None:
                seen[ref.source_file] = ref
                refs.append(ref)
            elif (other.path.resolve(), other.member) != (ref.path.resolve(), ref.member):
                # a plain file named like a zip member ('x.zip!m.csv'): two files, one name
                clash = f"{ref.display}: its name is that of {other.display}; rename one of them"
                outcomes.append(FileOutcome(ref.display, "refused", message=clash))
                _log_refused(engine, adapter.name, run_id, ref.source_file, clash)
    # Adapters may order files so that, e.g., schedules load before the box scores that
    # look their games up.
    sort_key = getattr(adapter, "sort_key", None)
    if sort_key is not None:
        refs.sort(key=lambda r: (sort_key(r), r.display))
    runs: dict[str, dict] = {}  # earlier runs' details, read once each
    read: list[str] = []  # the files whose rows this run wrote
    unchanged: list[str] = []  # the spellings of files whose bytes are those loaded
    for i, ref in enumerate(refs):
        progress.step("files", i, len(refs))
        outcomes.append(_ingest_one(engine, adapter, ref, run_id, force, summary, runs))
        if outcomes[-1].status == "loaded":
            read.append(ref.source_file)
        elif outcomes[-1].status == "unchanged":
            unchanged.extend(ref.spellings)
        if after_file is not None:
            after_file(engine, ref)
    progress.step("files", len(refs), len(refs))
    summary.files = len(outcomes)
    summary.rows_in = sum(o.rows_in for o in outcomes)
    summary.rows_written = sum(o.rows_written for o in outcomes)
    summary.rows_rejected = sum(o.rows_rejected for o in outcomes)
    if unchanged:  # a refusal of other bytes since (an error page saved over the file, then
        # the file restored) no longer describes it
        engine.execute(
            f"DELETE FROM {schema.INGEST_REJECTS.fqn} WHERE source = ? AND starts_with(reason, ?) "
            "AND source_file IN (SELECT unnest(?::VARCHAR[]))",
            [adapter.name, REFUSED, unchanged],
        )
    if read:  # distinct names over the files (each file counted its own: one name, 16 files)
        summary.unresolved_names = engine.fetchone(
            f"SELECT count(DISTINCT player_lookup) FROM {registry.FAILURES} "
            f"WHERE source = ? AND {registry.context_file()} "
            "IN (SELECT unnest(?::VARCHAR[]))",
            [adapter.name, read],
        )[0]
    summary.detail = {
        # file -> what its warehouse lookups saw, for files with rows rejected for want of a
        # game or player (see _state_changed); always present, so runs without any say so.
        "waiting": summary.detail.get("waiting", {}),
        "loaded": sum(o.status == "loaded" for o in outcomes),
        "unchanged": sum(o.status == "unchanged" for o in outcomes),
        "retried": sum(o.retried for o in outcomes),
        "refused": [f"{o.file}: {o.message}" for o in outcomes if o.status == "refused"],
        "rejected": [o.file for o in outcomes if o.status == "rejected"],
    }
    failed = summary.detail["refused"] or summary.detail["rejected"]
    status = "partial" if failed else "success"
    record_ingest_run(engine, summary, started_at=started, status=status)
    return summary, outcomes


def _marks(values: Sequence[object]) -> str:
    """Placeholders for an IN list of ``values``."""
    return ", ".join("?" for _ in values)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _ingest_one(
    engine: DuckDBEngine,
    adapter: FileSource,
    ref: FileRef,
    run_id: str,
    force: bool,
    summary: IngestSummary,
    runs: dict[str, dict],
) -> FileOutcome:
    try:
        if ref.nested_zip:
            raise InputError(
                f"{ref.display}: zip archives inside zip archives are not read; unzip "
                f"{ref.path.name} and ingest the files it holds"
            )
        digest = _sha256(ref.read_bytes())
    except (InputError, OSError) as exc:
        _log_refused(engine, adapter.name, run_id, ref.source_file, str(exc))
        return FileOutcome(ref.display, "refused", message=str(exc))
    previous = engine.fetchone(
        f"SELECT content_sha256, ingest_run_id, rows_rejected FROM {schema.INGEST_FILES.fqn} "
        "WHERE source = ? AND source_file = ? AND status = 'loaded'",
        [adapter.name, ref.source_file],
    )
    retried = False
    if previous and previous[0] == digest and not force:
        retried = _state_changed(engine, ref.source_file, previous, runs)
        if not retried:
            return FileOutcome(ref.display, "unchanged")
    # what this file adds to the run's summary, counted once its transaction has committed (a
    # file refused midway changed nothing)
    part = IngestSummary(run_id=run_id, source=adapter.name)
    try:
        with engine.transaction():
            # Names this read cannot resolve are logged as it goes: an earlier read's log of
            # the file goes first, so a name it resolves now (an alias taught since) leaves it.
            engine.execute(
                f"DELETE FROM {registry.FAILURES} WHERE source = ? "
                f"AND {registry.context_file()} "
                f"IN ({_marks(ref.spellings)})",
                [adapter.name, *ref.spellings],
            )
            parsed = adapter.parse(engine, ref)
            rejects = list(parsed.rejects)
            tables = _check_game_ids(engine, parsed.tables, rejects)
            # Rows waiting on a game or player the warehouse lacks: what those lookups see is
            # noted after this file's own rows are written, and the file is read again once
            # that changes.
            waiting = waiting_keys(r[2] for r in rejects)
            if adapter.players == "register":
                # Before the write: namesakes must reach the key check as two players.
                tables, registered = registry.identify_players(engine, tables, source=adapter.name)
                part.new_players += registered.new_players
                part.add_reresolved(registry.reresolve_stored(engine))
            tables, ambiguous = registry.drop_shared_names(
                engine, tables, source=adapter.name, context="{table}:" + ref.source_file
            )
            part.unresolved_names += ambiguous
            written = 0
            rejected = len({r[0] for r in rejects})
            # Every row rejected: the file is read, its rejects kept, nothing written; it is
            # not recorded as loaded, so the next ingest reads it again (as a refused file).
            status = (
                "rejected"
                if rejected and not sum(t.num_rows for t in tables.values())
                else "loaded"
            )
            for name, data in tables.items():
                written += _replace_file_rows(
                    engine,
                    schema.table(name),
                    data,
                    parsed.sources.get(name, adapter.name),
                    ref,
                    run_id,
                )
            # The rows of this read of the file are what is quarantined now: earlier reads'
            # rejects go (a re-read that changes nothing leaves the same rejects), and so does
            # an earlier refusal of the file (ingest_runs keeps the history).
            engine.execute(
                f"DELETE FROM {schema.INGEST_REJECTS.fqn} WHERE source = ? "
                f"AND source_file IN ({_marks(ref.spellings)})",
                [adapter.name, *ref.spellings],
            )
            _write_rejects(engine, adapter.name, run_id, ref.source_file, rejects)
            part.unresolved_names += _resolve_players(engine, adapter, ref.source_file, run_id)
            engine.execute(
                f"DELETE FROM {schema.INGEST_FILES.fqn} WHERE source = ? "
                f"AND source_file IN ({_marks(ref.spellings)})",
                [adapter.name, *ref.spellings],
            )
            engine.execute(
                f"INSERT INTO {schema.INGEST_FILES.fqn} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    adapter.name,
                    ref.source_file,
                    digest,
                    run_id,
                    status,
                    parsed.rows_in,
                    written,
                    rejected,
                    _now(),
                ],
            )
            for name, data in tables.items():
                fqn = schema.table(name).fqn
                part.tables[fqn] = part.tables.get(fqn, 0) + data.num_rows
            state = _warehouse_state(engine, waiting) if waiting else None
        summary.new_players += part.new_players
        summary.unresolved_names += part.unresolved_names
        summary.add_reresolved(registry.Reresolved(part.names_resolved, part.rows_resolved))
        for fqn, n in part.tables.items():
            summary.tables[fqn] = summary.tables.get(fqn, 0) + n
        if state:
            summary.detail.setdefault("waiting", {})[ref.source_file] = state
        return FileOutcome(
            ref.display,
            status,  # type: ignore[arg-type]
            parsed.rows_in,
            written,
            rejected,
            reasons=group_rejects(rejects),
            retried=retried,
        )
    except InputError as exc:
        _log_refused(engine, adapter.name, run_id, ref.source_file, str(exc))
        return FileOutcome(ref.display, "refused", message=str(exc))


def _state_changed(
    engine: DuckDBEngine, source_file: str, previous: tuple, runs: dict[str, dict]
) -> bool:
    """Whether an unchanged file must be read again: rows of it were rejected for want of a
    game or player the warehouse did not hold, and what those lookups read has changed."""
    _, run_id, rows_rejected = previous
    if not rows_rejected:
        return False
    if run_id not in runs:
        row = engine.fetchone(
            f"SELECT detail FROM {schema.INGEST_RUNS.fqn} WHERE ingest_run_id = ?", [run_id]
        )
        try:
            runs[run_id] = json.loads(row[0]) if row and row[0] else {}
        except ValueError:
            runs[run_id] = {}
    detail = runs[run_id]
    if "waiting" in detail:  # the run noted what each such file's lookups saw
        seen = detail["waiting"].get(source_file)
        if not seen:
            return False
        return _warehouse_state(engine, {kind: v["keys"] for kind, v in seen.items()}) != seen
    # A run of an older version, or one that did not finish: read the file again if any of
    # its rejects waits on the warehouse (the next run notes what it saw).
    reasons = engine.fetchall(
        f"SELECT DISTINCT reason FROM {schema.INGEST_REJECTS.fqn} "
        "WHERE ingest_run_id = ? AND source_file = ?",
        [run_id, source_file],
    )
    return bool(waits_on(r for (r,) in reasons))


def _replace_file_rows(
    engine: DuckDBEngine, table: Table, data: pa.Table, source: str, ref: FileRef, run_id: str
) -> int:
    """Replace what this file wrote before (under any of its spellings), and same-source rows
    with the same keys."""
    data = conform(table, data)
    keys = [k for k in table.key if k != "source"]
    key_cols = ", ".join(quote_ident(k) for k in keys)
    cols = ", ".join(quote_ident(c) for c in table.data_column_names)
    with engine.registered("_file_rows", data):
        dup = engine.fetchone(
            f"SELECT {key_cols}, count(*) FROM _file_rows GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
        )
        if dup:
            shown = ", ".join(f"{k}={v}" for k, v in zip(keys, dup[:-1], strict=True))
            raise InputError(f"{ref.display}: duplicate key ({shown}) in {table.fqn} rows")
        engine.execute(
            f"DELETE FROM {table.fqn} WHERE source = ? AND (source_file IN "
            f"({_marks(ref.spellings)}) OR ({key_cols}) IN (SELECT ({key_cols}) FROM _file_rows))",
            [source, *ref.spellings],
        )
        engine.execute(
            f"INSERT INTO {table.fqn} SELECT {cols}, ?, ?, ? FROM _file_rows",
            [source, ref.source_file, run_id],
        )
    return data.num_rows


def _check_game_ids(
    engine: DuckDBEngine, tables: dict[str, pa.Table], rejects: list
) -> dict[str, pa.Table]:
    """Reject rows whose game is not in the schedule on a date the schedule covers. The
    schedule includes the file's own schedule rows (a game log brings its games)."""
    own = tables.get("schedule")
    own_games = (
        own.select(["game_id", "game_date"])
        if own is not None and own.num_rows
        else pa.table(
            {"game_id": pa.array([], pa.string()), "game_date": pa.array([], pa.date32())}
        )
    )
    out = {}
    for name, data in tables.items():
        if name == "schedule" or "game_id" not in data.column_names or data.num_rows == 0:
            out[name] = data
            continue
        with (
            engine.registered(
                "_check_rows",
                data.append_column("_i", pa.array(range(data.num_rows), pa.int64())),
            ),
            engine.registered("_own_games", own_games),
        ):
            bad = engine.fetchall(
                f"""
                WITH games AS (
                    SELECT game_id, game_date FROM {schema.SCHEDULE.fqn}
                    UNION ALL
                    SELECT game_id, game_date FROM _own_games
                )
                SELECT r._i, r.game_id, CAST(r.game_date AS VARCHAR)
                FROM _check_rows r
                WHERE r.game_date IN (SELECT game_date FROM games)
                  AND r.game_id NOT IN (SELECT game_id FROM games)
                """
            )
        if not bad:
            out[name] = data
            continue
        row_col = "_row" if "_row" in data.column_names else None
        drop = set()
        for i, game_id, day in bad:
            drop.add(i)
            row_no = int(data.column(row_col)[i].as_py()) if row_col else 0
            rejects.append(
                (row_no, "game_id", f"game {game_id} is not in the schedule for {day}", game_id)
            )
        keep = pa.array([i not in drop for i in range(data.num_rows)])
        out[name] = data.filter(keep)
    return out


def _resolve_players(
    engine: DuckDBEngine, adapter: FileSource, source_file: str, run_id: str
) -> int:
    """Resolve the names this file's props and injury rows use; returns unresolved names.

    (Box-score sources registered their players before the write.)"""
    unresolved = 0
    if adapter.players == "register":
        return 0
    for table in (schema.PLAYER_PROPS, schema.INJURY_REPORT):
        n = engine.fetchone(
            f"SELECT count(*) FROM {table.fqn} WHERE ingest_run_id = ? AND source_file = ?",
            [run_id, source_file],
        )[0]
        if not n:
            continue
        esc = source_file.replace("'", "''")
        rows = (
            f"SELECT player_name, game_date, "
            f"{'home_team_abbr' if table is schema.PLAYER_PROPS else 'team_abbr'} AS team_abbr "
            f"FROM {table.fqn} WHERE ingest_run_id = '{run_id}' AND source_file = '{esc}'"
        )
        result = registry.resolve_names(
            engine, rows, source=adapter.name, context=f"{table.name}:{source_file}"
        )
        unresolved += result.unresolved
        engine.execute(
            f"""
            UPDATE {table.fqn} AS t SET player_lookup = r.player_lookup
            FROM _resolved_names r
            WHERE t.ingest_run_id = ? AND t.source_file = ? AND r.player_name = t.player_name
              AND r.player_lookup IS NOT NULL
            """,
            [run_id, source_file],
        )
    return unresolved


def _write_rejects(
    engine: DuckDBEngine, source: str, run_id: str, source_file: str, rejects: list
) -> None:
    if not rejects:
        return
    data = pa.table(
        {
            "ingest_run_id": [run_id] * len(rejects),
            "source": [source] * len(rejects),
            "source_file": [source_file] * len(rejects),
            "row_number": pa.array([r[0] for r in rejects], pa.int64()),
            "column_name": [r[1] or "" for r in rejects],
            "reason": [r[2] for r in rejects],
            "raw_text": [None if r[3] is None else str(r[3])[:2000] for r in rejects],
            "rejected_at": [_now()] * len(rejects),
        }
    )
    with engine.registered("_rejects", data):
        engine.execute(
            f"INSERT INTO {schema.INGEST_REJECTS.fqn} SELECT DISTINCT ON "
            "(ingest_run_id, source_file, row_number, column_name) * FROM _rejects"
        )


def _log_refused(engine: DuckDBEngine, source: str, run_id: str, file: str, reason: str) -> None:
    """The file's refusal replaces its earlier ones (a file refused every night was logged
    every night); rows rejected by its last successful read stay, as its rows do."""
    with engine.transaction():
        engine.execute(
            f"DELETE FROM {schema.INGEST_REJECTS.fqn} WHERE source = ? AND source_file = ? "
            "AND starts_with(reason, ?)",
            [source, file, REFUSED],
        )
        _write_rejects(engine, source, run_id, file, [(0, "", REFUSED + reason, None)])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def read_data(ref: FileRef) -> bytes:
    """The file's bytes (gunzipped), refusing HTML error pages; a UTF-8 BOM is dropped."""
    data = ref.read_bytes()
    if ref.name.lower().endswith(".gz"):
        import gzip

        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"{ref.display}: not a readable gzip file ({exc})") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    refuse_binary(ref, data)
    head = data[:512].decode("utf-8", errors="replace").lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        raise InputError(f"{ref.display}: an HTML page, not data (an error page from the server?)")
    return data


# Leading bytes of binary formats a data folder tends to hold, and what to call them.
_MAGIC = (
    (b"PK\x03\x04", "a zip archive (or an Excel .xlsx workbook)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "gzip-compressed data (name it .gz to have it read)"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an Excel .xls workbook"),
    (b"SQLite format 3", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
)


def binary_kind(data: bytes) -> str | None:
    """What a file's first bytes say it is when it is not text (None for text)."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    head = data[:4096]
    if b"\x00" in head:
        return "binary data"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return "binary data" if head and controls > len(head) // 20 else None


def refuse_binary(ref: FileRef, data: bytes) -> None:
    """Refuse a file whose bytes are not text, naming the format when it is a known one."""
    what = binary_kind(data)
    if what is not None:
        raise InputError(f"{ref.display}: {what}, not a text data file")


def printable(text: str, limit: int = 200) -> str:
    """Text taken from a file, safe for a one-line message: control characters and
    undecodable bytes shown escaped, at most ``limit`` characters."""
    shown = "".join(c if c.isprintable() and c != "\ufffd" else repr(c)[1:-1] for c in text[:limit])
    return shown + ("..." if len(text) > limit else "")


def read_text(ref: FileRef) -> str:
    """Decode a text file (UTF-8, BOM tolerated), refusing binary or HTML error pages."""
    data = read_data(ref)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{ref.display}: not UTF-8 text (byte {exc.start})") from exc


def csv_relation(
    engine: DuckDBEngine,
    ref: FileRef,
    *,
    required: Sequence[str],
    name: str,
    reads: str | None = None,
) -> int:
    """Load a CSV file as all-text temp table ``name`` with a 1-based ``_row``; check columns.

    ``reads``: the source (as the CLI names it) that reads the file; a file missing columns
    that is another source's layout is refused with the command that reads it."""
    import pyarrow.csv as pacsv

    data = read_data(ref)
    first_line = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    header = next(csv.reader(io.StringIO(first_line)), None)
    if not header:
        raise InputError(f"{ref.display}: empty file, expected a CSV header")
    try:
        # Arrow reads the bytes directly and refuses invalid UTF-8 in text columns.
        table = pacsv.read_csv(
            io.BytesIO(data),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        first = str(exc).splitlines()[0]
        raise InputError(f"{ref.display}: not a readable CSV file ({first})") from exc
    missing = [c for c in required if c not in table.column_names]
    if missing:
        hint = sniff.pointer(sniff.csv_source(table.column_names), reads) if reads else ""
        if hint:  # another source's file: which one matters, not the list of our columns
            raise InputError(
                f"{ref.display}: missing {len(missing)} of the columns {reads} reads{hint}"
            )
        raise InputError(f"{ref.display}: missing column(s) {', '.join(missing)}")
    table = table.append_column("_row", pa.array(range(1, table.num_rows + 1), pa.int64()))
    engine.con.register(f"{name}_arrow", table)
    engine.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    engine.con.unregister(f"{name}_arrow")
    return table.num_rows
