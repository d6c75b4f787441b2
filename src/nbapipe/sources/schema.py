"""The canonical raw layer: every table a source may write, defined once.

Each source adapter (synthetic league, NBA.com files, The Odds API, BigDataBall, ...) turns its
own format into these tables; nothing downstream reads a source format directly. Column names
follow the legacy raw tables (spec section 3) wherever one existed, so legacy queries carry over.

Conventions:
- ``game_id`` is NBA.com's 10-digit id (``0022400001``); ``legacy_game_id`` is the legacy
  ``YYYYMMDD_AWAY_HOME`` id.
- Timestamps are UTC (``TIMESTAMP`` without zone); dates are the US/Eastern game date.
- ``player_lookup`` is the normalised name of :func:`nbapipe.identity.normalize_name`, as
  the registry holds it: a second player with the same name and another NBA.com person id
  (a namesake) gets ``<name>_<person id>``, so two players never share a key.
- Every raw table carries the three lineage columns of ``LINEAGE`` (source, file, ingest run).
  Sources sit side by side: each raw key starts with ``source``, and Phase 3 models choose
  between sources by priority (the legacy kept one table per source for the same reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

RAW = "nba_raw"
ANALYTICS = "nba_analytics"
PRECOMPUTE = "nba_precompute"
PREDICTIONS = "nba_predictions"
PROCESSING = "nba_processing"
REFERENCE = "nba_reference"
SCHEMAS = (RAW, ANALYTICS, PRECOMPUTE, PREDICTIONS, PROCESSING, REFERENCE)

_ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}


@dataclass(frozen=True)
class Column:
    """One column: name, SQL type (portable subset), nullability and a one-line meaning."""

    name: str
    type: str
    doc: str
    nullable: bool = True

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    """A warehouse table: where it lives, its grain and key, and its columns."""

    schema: str
    name: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    date_column: str | None = None
    doc: str = ""
    lineage: bool = field(default=True)

    @property
    def fqn(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return self.columns + (LINEAGE if self.lineage else ())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.all_columns]

    @property
    def data_column_names(self) -> list[str]:
        """Columns that describe the data itself (no lineage), e.g. for determinism checks."""
        return [c.name for c in self.columns]

    def arrow_schema(self, *, with_lineage: bool = False) -> pa.Schema:
        cols = self.all_columns if with_lineage else self.columns
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in cols])

    def ddl(self) -> str:
        """CREATE TABLE statement. Keys are documented and checked by the writer, not declared
        as PRIMARY KEY: an index on multi-million-row raw tables slows every bulk write."""
        parts = []
        for c in self.all_columns:
            null = "" if c.nullable else " NOT NULL"
            parts.append(f'    "{c.name}" {c.type}{null}')
        body = ",\n".join(parts)
        return f"CREATE TABLE IF NOT EXISTS {self.fqn} (\n{body}\n)"


def C(name: str, type_: str, doc: str, nullable: bool = True) -> Column:
    return Column(name, type_, doc, nullable)


LINEAGE: tuple[Column, ...] = (
    C(
        "source",
        "VARCHAR",
        "who reported the row: synthetic, nba_stats, odds_api, bigdataball, ...",
    ),
    C("source_file", "VARCHAR", "file (or live request) the row came from"),
    C("ingest_run_id", "VARCHAR", "id of the ingest run that wrote the row"),
)

# The traditional box-score columns shared by player and team box scores.
BOX_SCORE_STATS: tuple[Column, ...] = (
    C("points", "INTEGER", "points scored"),
    C("field_goals_made", "INTEGER", "FGM"),
    C("field_goals_attempted", "INTEGER", "FGA"),
    C("three_pointers_made", "INTEGER", "3PM"),
    C("three_pointers_attempted", "INTEGER", "3PA"),
    C("free_throws_made", "INTEGER", "FTM"),
    C("free_throws_attempted", "INTEGER", "FTA"),
    C("offensive_rebounds", "INTEGER", "OREB"),
    C("defensive_rebounds", "INTEGER", "DREB"),
    C("total_rebounds", "INTEGER", "REB = OREB + DREB"),
    C("assists", "INTEGER", "AST"),
    C("steals", "INTEGER", "STL"),
    C("blocks", "INTEGER", "BLK"),
    C("turnovers", "INTEGER", "TOV"),
    C("personal_fouls", "INTEGER", "PF"),
    C("plus_minus", "INTEGER", "point margin while on court (team row: the game margin)"),
)

SCHEDULE = Table(
    RAW,
    "schedule",
    grain="one row per game",
    key=("source", "game_id"),
    date_column="game_date",
    doc="Every scheduled or played game with its status and final score.",
    columns=(
        C("game_id", "VARCHAR", "NBA.com 10-digit game id, e.g. 0022400001", False),
        C("legacy_game_id", "VARCHAR", "legacy id YYYYMMDD_AWAY_HOME"),
        C("game_date", "DATE", "US/Eastern date of the game", False),
        C("game_start_time", "TIMESTAMP", "scheduled tip-off, UTC"),
        C("season_year", "INTEGER", "season start year (2024 = 2024-25)", False),
        C("season_type", "VARCHAR", "Regular Season, Play-In, Playoffs, Pre Season, All-Star"),
        C("home_team_abbr", "VARCHAR", "home team tricode", False),
        C("away_team_abbr", "VARCHAR", "away team tricode", False),
        C("game_status", "INTEGER", "1 scheduled, 2 in progress, 3 final"),
        C("home_team_score", "INTEGER", "final (or current) home score"),
        C("away_team_score", "INTEGER", "final (or current) away score"),
        C("winning_team_abbr", "VARCHAR", "winner tricode once final"),
        C("periods", "INTEGER", "periods played: 4, or 5+ with overtime"),
    ),
)

PLAYER_BOXSCORES = Table(
    RAW,
    "player_boxscores",
    grain="one row per player per game, including DNP and inactive players",
    key=("source", "game_id", "player_lookup"),
    date_column="game_date",
    doc="Traditional player box score; non-playing players have NULL stats and a reason.",
    columns=(
        C("game_id", "VARCHAR", "NBA.com game id", False),
        C("game_date", "DATE", "game date", False),
        C("season_year", "INTEGER", "season start year", False),
        C("home_team_abbr", "VARCHAR", "home team tricode"),
        C("away_team_abbr", "VARCHAR", "away team tricode"),
        C("team_abbr", "VARCHAR", "the player's team in this game", False),
        C("opponent_team_abbr", "VARCHAR", "the other team"),
        C(
            "player_lookup",
            "VARCHAR",
            "the registry's lookup for the player's person id: the normalised name, or "
            "<name>_<person id> for a namesake (a second player with that name)",
            False,
        ),
        C("player_name", "VARCHAR", "display name as the source wrote it"),
        C("nba_player_id", "BIGINT", "NBA.com person id when the source has one"),
        C(
            "universal_player_id",
            "VARCHAR",
            "registry id, e.g. lebronjames_001 (namesakes: marcuswilliams_001, _002)",
        ),
        C("player_status", "VARCHAR", "active, dnp or inactive (lower case)", False),
        C("dnp_reason", "VARCHAR", "free-text reason for dnp/inactive rows"),
        C("starter", "BOOLEAN", "in the starting five (NULL when the source does not say)"),
        C("minutes", "DOUBLE", "minutes played as a decimal number (34.5 = 34:30)"),
        *BOX_SCORE_STATS,
    ),
)

TEAM_BOXSCORES = Table(
    RAW,
    "team_boxscores",
    grain="one row per team per game (two per game)",
    key=("source", "game_id", "team_abbr"),
    date_column="game_date",
    doc="Traditional team box score.",
    columns=(
        C("game_id", "VARCHAR", "NBA.com game id", False),
        C("game_date", "DATE", "game date", False),
        C("season_year", "INTEGER", "season start year", False),
        C("team_abbr", "VARCHAR", "team tricode", False),
        C("opponent_team_abbr", "VARCHAR", "opponent tricode"),
        C("is_home", "BOOLEAN", "home team?"),
        C("minutes", "DOUBLE", "total player minutes: 240 regulation, +25 per overtime"),
        *BOX_SCORE_STATS,
    ),
)

PLAY_BY_PLAY = Table(
    RAW,
    "play_by_play",
    grain="one row per play-by-play event",
    key=("source", "game_id", "event_id"),
    date_column="game_date",
    doc=(
        "Events in game order. event_type vocabulary: shot, free throw, rebound, turnover, "
        "foul, violation, jump ball, substitution, timeout, period. Columns a source does not "
        "have stay NULL (shot-chart data has shots only, with no assists or blocks)."
    ),
    columns=(
        C("game_id", "VARCHAR", "NBA.com game id", False),
        C("game_date", "DATE", "game date", False),
        C("season_year", "INTEGER", "season start year", False),
        C("home_team_abbr", "VARCHAR", "home team tricode"),
        C("away_team_abbr", "VARCHAR", "away team tricode"),
        C("event_id", "BIGINT", "the source's event number, unique within the game", False),
        C("event_sequence", "INTEGER", "order of the event within the game (1, 2, ...)"),
        C("period", "INTEGER", "1-4, 5+ overtime"),
        C("game_clock_seconds", "DOUBLE", "seconds left in the period"),
        C("event_type", "VARCHAR", "shot, free throw, rebound, turnover, foul, ...", False),
        C("event_subtype", "VARCHAR", "finer type: '3pt jump shot', 'free throw 1/1', ..."),
        C("team_abbr", "VARCHAR", "team of the primary player"),
        C(
            "player_1_lookup",
            "VARCHAR",
            "primary player (shooter, rebounder, fouler, ...): the registry's lookup for "
            "player_1_id when it has one",
        ),
        C("player_1_name", "VARCHAR", "primary player's display name"),
        C("player_1_id", "BIGINT", "primary player's NBA.com id"),
        C("player_2_lookup", "VARCHAR", "secondary player (by player_2_id, as player_1)"),
        C("player_2_name", "VARCHAR", "secondary player's display name"),
        C("player_2_id", "BIGINT", "secondary player's NBA.com id"),
        C("player_2_team_abbr", "VARCHAR", "secondary player's team"),
        C("player_2_role", "VARCHAR", "assist, block, steal or fouled"),
        C("shot_made", "BOOLEAN", "made? for shots and free throws, else NULL"),
        C("shot_type", "VARCHAR", "2PT, 3PT or FT for shots and free throws"),
        C("shot_distance", "DOUBLE", "feet from the basket"),
        C("shot_x", "DOUBLE", "shot-chart x, tenths of a foot, basket at 0"),
        C("shot_y", "DOUBLE", "shot-chart y, tenths of a foot, basket at 0"),
        C("source_zone", "VARCHAR", "the source's own zone label (shot chart BASIC_ZONE)"),
        C("points_scored", "INTEGER", "points the event scored (0 for misses)"),
        C("home_score", "INTEGER", "home score after the event"),
        C("away_score", "INTEGER", "away score after the event"),
    ),
)

PLAYER_PROPS = Table(
    RAW,
    "player_props",
    grain="one row per snapshot x bookmaker x player x market x line",
    key=(
        "source",
        "game_id",
        "snapshot_timestamp",
        "bookmaker",
        "player_lookup",
        "market",
        "points_line",
    ),
    date_column="game_date",
    doc="Every snapshot of player prop lines (lines move; none is overwritten). Books that "
    "offer a ladder of alternative lines have one row per line; the main line is the one whose "
    "prices are closest to even.",
    columns=(
        C("game_id", "VARCHAR", "NBA.com game id", False),
        C("source_event_id", "VARCHAR", "the sportsbook feed's event id"),
        C("game_date", "DATE", "game date", False),
        C("game_start_time", "TIMESTAMP", "tip-off, UTC"),
        C("home_team_abbr", "VARCHAR", "home team tricode"),
        C("away_team_abbr", "VARCHAR", "away team tricode"),
        C("snapshot_timestamp", "TIMESTAMP", "when the line was captured, UTC", False),
        C("minutes_before_tipoff", "INTEGER", "tip-off minus snapshot; negative = in-game"),
        C("bookmaker", "VARCHAR", "lower-case bookmaker key: draftkings, fanduel, ...", False),
        C("market", "VARCHAR", "player_points, player_rebounds, player_threes, ...", False),
        C("player_name", "VARCHAR", "display name as the bookmaker wrote it"),
        C(
            "player_lookup",
            "VARCHAR",
            "normalised name, resolved through the registry (a name two registry players "
            "share is ambiguous: such rows are left out and logged in registry_failures)",
            False,
        ),
        C("points_line", "DOUBLE", "the line (points for player_points)", False),
        C("over_price_american", "INTEGER", "American odds of the over"),
        C("under_price_american", "INTEGER", "American odds of the under"),
        C("over_price", "DOUBLE", "decimal odds of the over"),
        C("under_price", "DOUBLE", "decimal odds of the under"),
    ),
)

GAME_LINES = Table(
    RAW,
    "game_lines",
    grain="one row per snapshot x bookmaker x game x market x outcome",
    key=("source", "game_id", "snapshot_timestamp", "bookmaker", "market_key", "outcome_name"),
    date_column="game_date",
    doc="Spreads and totals snapshots. Spread outcomes name a team tricode; totals Over/Under.",
    columns=(
        C("game_id", "VARCHAR", "NBA.com game id", False),
        C("source_event_id", "VARCHAR", "the sportsbook feed's event id"),
        C("game_date", "DATE", "game date", False),
        C("game_start_time", "TIMESTAMP", "tip-off, UTC"),
        C("home_team_abbr", "VARCHAR", "home team tricode"),
        C("away_team_abbr", "VARCHAR", "away team tricode"),
        C("snapshot_timestamp", "TIMESTAMP", "when the line was captured, UTC", False),
        C("minutes_before_tipoff", "INTEGER", "tip-off minus snapshot; negative = in-game"),
        C("bookmaker", "VARCHAR", "lower-case bookmaker key", False),
        C("market_key", "VARCHAR", "spreads or totals", False),
        C("outcome_name", "VARCHAR", "team tricode (spreads) or Over/Under (totals)", False),
        C("outcome_point", "DOUBLE", "the spread for that team, or the total"),
        C("outcome_price_american", "INTEGER", "American odds"),
        C("outcome_price", "DOUBLE", "decimal odds"),
    ),
)

INJURY_REPORT = Table(
    RAW,
    "injury_report",
    grain="one row per player per game per report time",
    key=("source", "report_timestamp", "game_id", "player_lookup"),
    date_column="game_date",
    doc="Official injury report snapshots; several reports per day, all kept.",
    columns=(
        C("report_timestamp", "TIMESTAMP", "when the report was published, UTC", False),
        C("report_date", "DATE", "US/Eastern date of the report"),
        C("game_id", "VARCHAR", "NBA.com game id", False),
        C("game_date", "DATE", "date of the game the status is for", False),
        C("team_abbr", "VARCHAR", "player's team", False),
        C("player_name", "VARCHAR", "display name as reported"),
        C(
            "player_lookup",
            "VARCHAR",
            "normalised name (a name two registry players share is ambiguous: such rows are "
            "left out and logged in registry_failures)",
            False,
        ),
        C("injury_status", "VARCHAR", "out, doubtful, questionable, probable, available", False),
        C("reason", "VARCHAR", "free-text reason"),
        C("reason_category", "VARCHAR", "injury, illness, rest, personal, g_league, suspension"),
    ),
)

TEAM_ROSTERS = Table(
    RAW,
    "team_rosters",
    grain="one row per player per team stint",
    key=("source", "team_abbr", "player_lookup", "start_date"),
    date_column="start_date",
    doc="Who is on which roster when: [start_date, end_date], end_date NULL = still there.",
    columns=(
        C("season_year", "INTEGER", "season start year", False),
        C("team_abbr", "VARCHAR", "team tricode", False),
        C(
            "player_lookup",
            "VARCHAR",
            "the registry's lookup for nba_player_id when it has one, else the normalised name",
            False,
        ),
        C("player_name", "VARCHAR", "display name"),
        C("nba_player_id", "BIGINT", "NBA.com person id"),
        C("start_date", "DATE", "first day on the roster", False),
        C("end_date", "DATE", "last day on the roster (NULL = current)"),
        C("position", "VARCHAR", "G, F, C or a combination"),
        C("how_acquired", "VARCHAR", "season roster, trade, signing"),
    ),
)

PLAYERS_REGISTRY = Table(
    REFERENCE,
    "nba_players_registry",
    grain="one row per player (universal_player_id)",
    key=("universal_player_id",),
    doc=(
        "The player registry: a stable id per player; names map to it through player_aliases. "
        "A player is the same entry when the NBA.com person id matches (without ids: when the "
        "lookup matches). Players with the same name and different person ids (namesakes, "
        "e.g. two Marcus Williams) are two entries: the first registered (by first game, then "
        "id) keeps the plain lookup, each later one gets <name>_<person id>, for good; the "
        "shared name is no alias of either, so a source naming them without an id (props, "
        "injuries) resolves to nobody and is logged as ambiguous."
    ),
    lineage=False,
    columns=(
        C(
            "universal_player_id",
            "VARCHAR",
            "stable id: name + _NNN, NNN counting players with that name",
            False,
        ),
        C(
            "player_lookup",
            "VARCHAR",
            "the player's key in every table: the normalised name, or <name>_<person id> "
            "for a namesake registered after the first",
            False,
        ),
        C("player_name", "VARCHAR", "canonical display name", False),
        C("nba_player_id", "BIGINT", "NBA.com person id, when known"),
        C("lookup_without_suffix", "VARCHAR", "normalised name minus jr/sr/ii/iii/iv/v"),
        C("first_name_key", "VARCHAR", "normalised first name"),
        C("last_name_key", "VARCHAR", "normalised last name(s) without suffix"),
        C("first_seen_date", "DATE", "first game date seen"),
        C("last_seen_date", "DATE", "last game date seen"),
        C("source", "VARCHAR", "who registered the player"),
    ),
)

PLAYER_ALIASES = Table(
    REFERENCE,
    "player_aliases",
    grain="one row per alias lookup",
    key=("alias_lookup",),
    doc="Alternative names (normalised) that resolve to a registry player.",
    lineage=False,
    columns=(
        C("alias_lookup", "VARCHAR", "normalised alternative name", False),
        C("universal_player_id", "VARCHAR", "the player it names", False),
        C("alias_name", "VARCHAR", "the alternative display name"),
        C(
            "reason",
            "VARCHAR",
            "canonical, nickname, suffix, same_nba_id, manual (a name two players share is "
            "no canonical, nickname or suffix alias)",
        ),
        C("source", "VARCHAR", "who added the alias"),
    ),
)

REGISTRY_FAILURES = Table(
    PROCESSING,
    "registry_failures",
    grain="one row per unresolved name per source per game date",
    key=("source", "player_lookup", "game_date", "context"),
    date_column="game_date",
    doc=(
        "Names a source used that the registry could not resolve; never silently dropped. A "
        "name that matches no player leaves the log when a later box score or alias resolves "
        "it, and its stored rows take the player's lookup then."
    ),
    lineage=False,
    columns=(
        C("source", "VARCHAR", "source that used the name", False),
        C("player_name", "VARCHAR", "the name as written"),
        C("player_lookup", "VARCHAR", "its normalised form", False),
        C("game_date", "DATE", "date of the row that used it (1970-01-01 when unknown)", False),
        C("team_abbr", "VARCHAR", "team context when known"),
        C("context", "VARCHAR", "table or file the name appeared in", False),
        C("reason", "VARCHAR", "why it failed: no match, ambiguous (candidates)"),
        C("occurrences", "INTEGER", "rows that used the name"),
        C("first_seen_at", "TIMESTAMP", "when first logged"),
    ),
)

INGEST_RUNS = Table(
    PROCESSING,
    "ingest_runs",
    grain="one row per ingest run",
    key=("ingest_run_id",),
    doc="Every ingest: what came in, what was written, what was rejected.",
    lineage=False,
    columns=(
        C("ingest_run_id", "VARCHAR", "run id", False),
        C("source", "VARCHAR", "source name", False),
        C("started_at", "TIMESTAMP", "start, UTC"),
        C("finished_at", "TIMESTAMP", "end, UTC"),
        C("status", "VARCHAR", "success or failed"),
        C("files", "INTEGER", "files read"),
        C("rows_in", "BIGINT", "rows read"),
        C("rows_written", "BIGINT", "rows written"),
        C("rows_rejected", "BIGINT", "rows quarantined"),
        C("unresolved_names", "INTEGER", "player names the registry could not resolve"),
        C("detail", "VARCHAR", "arguments and notes (JSON)"),
    ),
)

INGEST_REJECTS = Table(
    PROCESSING,
    "ingest_rejects",
    grain="one row per rejected input row (or refused file) per problem",
    key=("ingest_run_id", "source_file", "row_number", "column_name"),
    doc=(
        "Quarantine: input rows that failed validation, with the reason and the raw text. It "
        "holds each file's current state: the rejects of its last read, or its latest refusal "
        "(with the rejects of the read whose rows are stored); ingest_runs keeps the history."
    ),
    lineage=False,
    columns=(
        C("ingest_run_id", "VARCHAR", "run that saw the row", False),
        C("source", "VARCHAR", "source name", False),
        C("source_file", "VARCHAR", "file (zip member as zip!member)", False),
        C("row_number", "BIGINT", "1-based data row in the file; 0 = the whole file", False),
        C("column_name", "VARCHAR", "offending column ('' for whole-row or file problems)", False),
        C("reason", "VARCHAR", "what is wrong", False),
        C("raw_text", "VARCHAR", "the raw value or row as read"),
        C("rejected_at", "TIMESTAMP", "when, UTC"),
    ),
)

INGEST_FILES = Table(
    PROCESSING,
    "ingest_files",
    grain="one row per source file ingested (latest version)",
    key=("source", "source_file"),
    doc="Which files are in the warehouse, with their content hash: an unchanged file is "
    "skipped, a changed one replaces what it wrote before.",
    lineage=False,
    columns=(
        C("source", "VARCHAR", "source name", False),
        C(
            "source_file",
            "VARCHAR",
            "the file's resolved absolute path (zip member as zip!member)",
            False,
        ),
        C("content_sha256", "VARCHAR", "SHA-256 of the file's bytes", False),
        C("ingest_run_id", "VARCHAR", "run that wrote it", False),
        C(
            "status",
            "VARCHAR",
            "loaded, or rejected (every row quarantined: the next ingest reads it again)",
            False,
        ),
        C("rows_in", "BIGINT", "data rows read"),
        C("rows_written", "BIGINT", "rows written to nba_raw"),
        C("rows_rejected", "BIGINT", "rows quarantined"),
        C("ingested_at", "TIMESTAMP", "when, UTC"),
    ),
)

TEAMS = Table(
    REFERENCE,
    "teams",
    grain="one row per team",
    key=("team_abbr",),
    doc="The 30 teams with conference, division and arena coordinates (for travel distances); "
    "filled when the warehouse is created.",
    lineage=False,
    columns=(
        C("team_abbr", "VARCHAR", "NBA tricode", False),
        C("nba_team_id", "BIGINT", "NBA.com team id"),
        C("team_name", "VARCHAR", "full name, e.g. Boston Celtics"),
        C("conference", "VARCHAR", "East or West"),
        C("division", "VARCHAR", "division name"),
        C("arena_latitude", "DOUBLE", "home arena latitude [degrees]"),
        C("arena_longitude", "DOUBLE", "home arena longitude [degrees]"),
    ),
)

SCHEMA_MIGRATIONS = Table(
    REFERENCE,
    "schema_migrations",
    grain="one row per applied migration",
    key=("version",),
    doc="Warehouse schema version history.",
    lineage=False,
    columns=(
        C("version", "INTEGER", "migration number", False),
        C("description", "VARCHAR", "what it changed"),
        C("applied_at", "TIMESTAMP", "when, UTC"),
        C("nbapipe_version", "VARCHAR", "package version that applied it"),
    ),
)

# Source data tables, in the order sources fill them.
RAW_TABLES: tuple[Table, ...] = (
    SCHEDULE,
    TEAM_ROSTERS,
    PLAYER_BOXSCORES,
    TEAM_BOXSCORES,
    PLAY_BY_PLAY,
    PLAYER_PROPS,
    GAME_LINES,
    INJURY_REPORT,
)

# Everything the foundation creates.
ALL_TABLES: tuple[Table, ...] = (
    *RAW_TABLES,
    PLAYERS_REGISTRY,
    PLAYER_ALIASES,
    REGISTRY_FAILURES,
    INGEST_RUNS,
    INGEST_REJECTS,
    INGEST_FILES,
    TEAMS,
    SCHEMA_MIGRATIONS,
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in ALL_TABLES} | {t.fqn: t for t in ALL_TABLES}


def table(name: str) -> Table:
    """Look a table up by bare or schema-qualified name."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(t.fqn for t in ALL_TABLES))
        raise KeyError(f"unknown table {name!r}; known tables: {known}") from None


def markdown() -> str:
    """The reference page docs/raw-layer.md, generated from the definitions above and the
    pipeline's state tables (nbapipe.pipeline.state): every table the warehouse declares."""
    from nbapipe.warehouse import declared_tables  # it imports this module

    lines = [
        "# The canonical raw layer",
        "",
        "Generated from `src/nbapipe/sources/schema.py` and `src/nbapipe/pipeline/state.py` "
        "by `python -m nbapipe.sources.schema > docs/raw-layer.md`; do not edit by hand. It "
        "covers every table `nbapipe init` creates, the pipeline's state tables (written by "
        "the runner: [pipeline.md](pipeline.md#state-tables)) included; the models' output "
        "tables are in [models.md](models.md).",
        "",
        "Every `nba_raw` table also carries the lineage columns "
        + ", ".join(f"`{c.name}` ({c.doc})" for c in LINEAGE)
        + ". Keys are checked on every write (no duplicate key survives a transaction). "
        "Each raw key starts with `source`: when two sources report the same game they sit "
        "side by side and the Phase 3 models choose between them by priority; the grains "
        "below are per source.",
    ]
    for t in declared_tables():
        lines += [
            "",
            f"## `{t.fqn}`",
            "",
            f"{t.doc} Grain: {t.grain}. Key: `({', '.join(t.key)})`."
            + (f" Date column: `{t.date_column}`." if t.date_column else ""),
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        for c in t.columns:
            req = "" if c.nullable else " (required)"
            lines.append(f"| `{c.name}` | {c.type} | {c.doc}{req} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
