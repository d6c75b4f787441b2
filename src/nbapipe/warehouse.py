"""The warehouse: schemas, tables, versioned migrations, and opening it safely.

A new warehouse is created straight from the table definitions in code and stamped with the
latest schema version. An existing one is brought forward by the numbered migrations it has
not yet applied, each in its own transaction, so users never delete their file to upgrade.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nbapipe import __version__
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.errors import WarehouseError
from nbapipe.settings import warehouse_path
from nbapipe.sources import schema

Step = Callable[[DuckDBEngine], None]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Step


def declared_tables() -> tuple[schema.Table, ...]:
    """Every table the warehouse declares: canonical raw layer, registry, pipeline state."""
    from nbapipe.pipeline.state import STATE_TABLES

    return (*schema.ALL_TABLES, *STATE_TABLES)


def create_declared(engine: DuckDBEngine) -> None:
    """Create every schema and declared table that does not exist yet."""
    for name in schema.SCHEMAS:
        engine.execute(f"CREATE SCHEMA IF NOT EXISTS {name}")
    for table in declared_tables():
        engine.execute(table.ddl())
    _seed_teams(engine)


def _seed_teams(engine: DuckDBEngine) -> None:
    """Reference rows every model may join: the teams and their arenas."""
    from nbapipe.teams import TEAMS

    if engine.fetchone(f"SELECT count(*) FROM {schema.TEAMS.fqn}")[0]:
        return
    for t in TEAMS:
        engine.execute(
            f"INSERT INTO {schema.TEAMS.fqn} VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                t.abbr,
                t.nba_team_id,
                t.full_name,
                t.conference,
                t.division,
                t.arena_lat,
                t.arena_lon,
            ],
        )


# Append new migrations here; never edit one that has shipped. A migration that changes a
# declared table must leave it exactly as its definition in sources/schema.py says.
def _add_output_hashes(engine: DuckDBEngine) -> None:
    """model_intervals.output_hash: hash what each model's table holds for each date now."""
    from nbapipe.pipeline.model import all_models
    from nbapipe.pipeline.runner import data_columns
    from nbapipe.pipeline.state import MODEL_INTERVALS

    engine.execute(f"ALTER TABLE {MODEL_INTERVALS.fqn} ADD COLUMN output_hash VARCHAR")
    models = all_models()
    recorded = engine.fetchall(
        f"SELECT model, min(interval_date), max(interval_date) FROM {MODEL_INTERVALS.fqn} "
        "GROUP BY model"
    )
    for name, lo, hi in recorded:
        if name not in models or not engine.table_exists(name):
            continue
        hashes = engine.date_hashes_sql(
            name,
            models[name].date_column,
            data_columns(engine, name),
            lo,
            hi + dt.timedelta(days=1),
        )
        engine.execute(
            f"UPDATE {MODEL_INTERVALS.fqn} AS i SET output_hash = CAST(h.h AS VARCHAR) "
            f"FROM ({hashes}) h WHERE i.model = ? AND i.interval_date = h.d",
            [name],
        )


MIGRATIONS: list[Migration] = [
    Migration(1, "canonical raw layer, player registry, processing tables", create_declared),
    Migration(2, "per-date hashes of model tables (output_hash)", _add_output_hashes),
]


def latest_version() -> int:
    return max(m.version for m in MIGRATIONS)


@dataclass
class InitResult:
    path: str
    created: bool
    from_version: int | None
    to_version: int
    applied: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.applied)


def current_version(engine: DuckDBEngine) -> int | None:
    if not engine.table_exists(schema.SCHEMA_MIGRATIONS.fqn):
        return None
    row = engine.fetchone(f"SELECT max(version) FROM {schema.SCHEMA_MIGRATIONS.fqn}")
    return row[0] if row and row[0] is not None else None


def _stamp(engine: DuckDBEngine, migration: Migration) -> None:
    engine.execute(
        f"INSERT INTO {schema.SCHEMA_MIGRATIONS.fqn} VALUES (?, ?, ?, ?)",
        [migration.version, migration.description, _utcnow(), __version__],
    )


def migrate(engine: DuckDBEngine) -> InitResult:
    """Bring the warehouse to the latest schema version. Idempotent."""
    path = str(engine.path or ":memory:")
    version = current_version(engine)
    latest = latest_version()
    if version is None:
        with engine.transaction():
            create_declared(engine)
            for m in MIGRATIONS:
                _stamp(engine, m)
        return InitResult(path, True, None, latest, [f"v{m.version}" for m in MIGRATIONS])
    if version > latest:
        raise WarehouseError(
            f"warehouse {path} has schema v{version}, newer than this nbapipe "
            f"({__version__}, schema v{latest}): upgrade nbapipe"
        )
    applied = []
    for m in MIGRATIONS:
        if m.version <= version:
            continue
        with engine.transaction():
            m.apply(engine)
            _stamp(engine, m)
        applied.append(f"v{m.version}: {m.description}")
    with engine.transaction():
        create_declared(engine)
    drift = schema_drift(engine)
    if drift:
        raise WarehouseError(
            f"warehouse {path} does not match the declared schema after migration: "
            + "; ".join(drift)
        )
    return InitResult(path, False, version, latest, applied)


def schema_drift(engine: DuckDBEngine) -> list[str]:
    """Differences between declared tables and the warehouse (empty when they agree)."""
    problems = []
    for table in declared_tables():
        actual = engine.columns(table.fqn)
        declared = [(c.name, c.type) for c in table.all_columns]
        if actual != declared:
            have = {n for n, _ in actual}
            want = {n for n, _ in declared}
            missing = sorted(want - have)
            extra = sorted(have - want)
            detail = []
            if missing:
                detail.append(f"missing {', '.join(missing)}")
            if extra:
                detail.append(f"unexpected {', '.join(extra)}")
            if not detail:
                detail.append("column order or types differ")
            problems.append(f"{table.fqn}: {'; '.join(detail)}")
    return problems


def init_warehouse(path: str | Path | None = None) -> InitResult:
    """Create the warehouse (or migrate an existing one). A failed creation leaves no file."""
    target = warehouse_path(path)
    engine = DuckDBEngine(target)
    try:
        return migrate(engine)
    except BaseException:
        engine.close()
        if engine.created:
            _remove_warehouse_files(target)
        raise
    finally:
        with contextlib.suppress(Exception):
            engine.close()


def open_warehouse(
    path: str | Path | None = None, *, read_only: bool = False, create: bool = True
) -> DuckDBEngine:
    """Open the warehouse for work, creating/migrating it first when allowed."""
    target = warehouse_path(path)
    if read_only:
        engine = DuckDBEngine(target, read_only=True, create=False)
        version = current_version(engine)
        if version is None:
            engine.close()
            raise WarehouseError(f"{target} is not an nbapipe warehouse: run `nbapipe init`")
        if version < latest_version():
            engine.close()
            raise WarehouseError(
                f"warehouse {target} has schema v{version}; run `nbapipe init` to migrate "
                f"it to v{latest_version()}"
            )
        return engine
    if not target.exists() and not create:
        raise WarehouseError(f"no warehouse at {target}: run `nbapipe init` first")
    engine = DuckDBEngine(target)
    try:
        if current_version(engine) != latest_version():
            migrate(engine)
    except BaseException:
        engine.close()
        if engine.created:
            _remove_warehouse_files(target)
        raise
    return engine


def _remove_warehouse_files(target: Path) -> None:
    for p in (target, Path(str(target) + ".wal")):
        with contextlib.suppress(Exception):
            p.unlink()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
