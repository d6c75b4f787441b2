"""Warehouse creation, idempotent init, versioned migrations, and refusing bad paths."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from nbapipe import warehouse
from nbapipe.engine.duckdb import ROW_GROUP_SIZE, DuckDBEngine
from nbapipe.errors import WarehouseError
from nbapipe.sources import schema
from nbapipe.warehouse import Migration, init_warehouse, open_warehouse, schema_drift


def _tables(path: Path) -> set[str]:
    with DuckDBEngine(path, create=False) as eng:
        rows = eng.fetchall(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
        )
    return {r[0] for r in rows}


def test_warehouse_init_creates_every_schema_and_table(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    result = init_warehouse(path)
    assert result.created and result.to_version == warehouse.latest_version()
    assert {t.fqn for t in schema.ALL_TABLES} <= _tables(path)
    with DuckDBEngine(path, create=False) as eng:
        schemas = {
            r[0] for r in eng.fetchall("SELECT schema_name FROM information_schema.schemata")
        }
        assert set(schema.SCHEMAS) <= schemas
        assert schema_drift(eng) == []


def test_warehouse_second_init_is_a_noop(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    init_warehouse(path)
    with DuckDBEngine(path, create=False) as eng:
        eng.execute(
            "INSERT INTO nba_reference.player_aliases VALUES ('x', 'x_001', 'X', 'manual', 't')"
        )
    again = init_warehouse(path)
    assert not again.changed
    with DuckDBEngine(path, create=False) as eng:
        assert eng.fetchone("SELECT count(*) FROM nba_reference.player_aliases")[0] == 1
        assert eng.fetchone("SELECT count(*) FROM nba_reference.schema_migrations")[0] == len(
            warehouse.MIGRATIONS
        )


def test_warehouse_env_variable_sets_default_path(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "from_env.duckdb"
    monkeypatch.setenv("NBAPIPE_WAREHOUSE", str(target))
    init_warehouse()
    assert target.exists()


def test_warehouse_read_only_folder_is_refused_without_leaving_a_file(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(WarehouseError, match="read-only"):
            init_warehouse(ro / "w.duckdb")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_warehouse_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="does not exist"):
        init_warehouse(tmp_path / "nope" / "w.duckdb")


def test_warehouse_failed_creation_leaves_no_half_written_file(tmp_path: Path, monkeypatch) -> None:
    def broken(engine: DuckDBEngine) -> None:
        engine.execute("CREATE SCHEMA nba_raw")
        engine.execute("CREATE TABLE nba_raw.t AS SELECT 1 AS x")
        raise WarehouseError("disk full (simulated)")

    monkeypatch.setattr(warehouse, "create_declared", broken)
    path = tmp_path / "w.duckdb"
    with pytest.raises(WarehouseError, match="simulated"):
        init_warehouse(path)
    assert not path.exists()
    assert not Path(str(path) + ".wal").exists()


def test_warehouse_migrates_an_older_version_keeping_data(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "w.duckdb"
    init_warehouse(path)
    with DuckDBEngine(path, create=False) as eng:
        eng.execute(
            "INSERT INTO nba_reference.player_aliases VALUES ('x', 'x_001', 'X', 'manual', 't')"
        )

    # A later release adds a column to the aliases table and ships a migration for it.
    shipped = warehouse.latest_version()
    new_aliases = schema.Table(
        schema.PLAYER_ALIASES.schema,
        schema.PLAYER_ALIASES.name,
        grain=schema.PLAYER_ALIASES.grain,
        key=schema.PLAYER_ALIASES.key,
        lineage=False,
        columns=(*schema.PLAYER_ALIASES.columns, schema.C("confidence", "DOUBLE", "0-1")),
    )
    tables = tuple(new_aliases if t is schema.PLAYER_ALIASES else t for t in schema.ALL_TABLES)
    monkeypatch.setattr(schema, "ALL_TABLES", tables)
    v2 = Migration(
        shipped + 1,
        "aliases.confidence",
        lambda eng: eng.execute(
            "ALTER TABLE nba_reference.player_aliases ADD COLUMN confidence DOUBLE"
        ),
    )
    monkeypatch.setattr(warehouse, "MIGRATIONS", [*warehouse.MIGRATIONS, v2])

    result = init_warehouse(path)
    assert (result.from_version, result.to_version) == (shipped, shipped + 1)
    assert result.applied == [f"v{shipped + 1}: aliases.confidence"]
    with DuckDBEngine(path, create=False) as eng:
        assert eng.fetchall(
            "SELECT alias_lookup, confidence FROM nba_reference.player_aliases"
        ) == [("x", None)]
        assert schema_drift(eng) == []
    assert not init_warehouse(path).changed


def test_warehouse_unmigrated_schema_change_is_reported_as_drift(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "w.duckdb"
    init_warehouse(path)
    with DuckDBEngine(path, create=False) as eng:
        eng.execute("ALTER TABLE nba_raw.schedule DROP COLUMN periods")
    with pytest.raises(WarehouseError, match=r"nba_raw.schedule: missing periods"):
        init_warehouse(path)


def test_warehouse_newer_than_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    init_warehouse(path)
    with DuckDBEngine(path, create=False) as eng:
        eng.execute("INSERT INTO nba_reference.schema_migrations VALUES (99, 'future', now(), 'x')")
    with pytest.raises(WarehouseError, match="newer than this nbapipe"):
        init_warehouse(path)


def test_warehouse_read_only_open_needs_an_existing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="run `nbapipe init`"):
        open_warehouse(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="/sys is only a sure read-only target as root")
def test_warehouse_unwritable_system_folder_is_refused() -> None:
    with pytest.raises(WarehouseError, match="cannot create warehouse"):
        init_warehouse("/sys/nbapipe.duckdb")


def test_warehouse_is_written_in_small_row_groups_from_every_session(tmp_path: Path) -> None:
    # The file is attached (ROW_GROUP_SIZE) rather than opened, so that a model's insert
    # writes full row groups as it goes; sessions (cursors) must work in it too.
    path = tmp_path / "w.duckdb"
    with DuckDBEngine(path) as eng:
        with eng.session() as other:
            other.execute("CREATE SCHEMA s")
            other.execute(f"CREATE TABLE s.t AS SELECT range AS x FROM range({3 * ROW_GROUP_SIZE})")
        groups = eng.fetchall(
            "SELECT row_group_id, max(count) FROM pragma_storage_info('s.t') GROUP BY 1"
        )
        assert len(groups) == 3 and max(n for _, n in groups) == ROW_GROUP_SIZE
        assert eng.fetchone("SELECT current_database()") == ("w",)
    # Read back by a plain DuckDB connection, as any other tool would open the file.
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM s.t").fetchone() == (3 * ROW_GROUP_SIZE,)
    con.close()


@pytest.mark.parametrize("name", ["memory.duckdb", "temp.duckdb", "my.wh.duckdb"])
def test_warehouse_file_named_like_a_duckdb_catalog_still_opens(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    init_warehouse(path)
    assert {t.fqn for t in schema.ALL_TABLES} <= _tables(path)
    with DuckDBEngine(path, read_only=True, create=False) as eng:
        assert eng.fetchone("SELECT count(*) FROM nba_reference.schema_migrations")[0] >= 1


@pytest.mark.parametrize("in_transaction", [False, True])
def test_replace_dates_split_insert_writes_the_same_rows_in_full_row_groups(
    tmp_path: Path, in_transaction: bool
) -> None:
    """A large source is inserted in branches of ROW_GROUP_SIZE rows: the rows written are
    exactly those of one plain insert (filters and held-back dates included), and every row
    group but the last is full."""
    import datetime as dt

    n = 3 * ROW_GROUP_SIZE + 1234
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(40)]
    keep = days[:-3]  # rows of the last three dates are held back
    with DuckDBEngine(tmp_path / "w.duckdb") as eng:
        for name in ("split", "plain"):
            eng.execute(f"CREATE TABLE {name} (d DATE, k BIGINT, v VARCHAR, run VARCHAR)")
        if in_transaction:  # as the runner does: a source created inside the transaction
            eng.execute("BEGIN TRANSACTION")
        eng.execute(
            "CREATE TEMP TABLE src AS SELECT DATE '2024-01-01' + CAST(i % 40 AS INTEGER) AS d, "
            "i AS k, CASE WHEN i % 7 = 0 THEN 'failed' END AS v FROM range(?) t(i)",
            [n],
        )
        args = ("d", "src", ["d", "k", "v"], keep)
        kw = {"extra_values": ("r1",), "row_filter": "v IS NULL"}
        statements: list[str] = []
        real = eng.execute

        def spy(sql, params=None):
            statements.append(sql)
            return real(sql, params)

        eng.execute = spy
        split = eng.replace_dates("split", *args, source_rows=n, **kw)
        eng.execute = real
        plain = eng.replace_dates("plain", *args, **kw)
        # one branch per row group written
        insert = next(q for q in statements if q.startswith("INSERT INTO split"))
        assert insert.count(" UNION ALL ") + 1 == -(-plain // ROW_GROUP_SIZE) == 3
        if in_transaction:
            eng.execute("COMMIT")
        assert split == plain > 2 * ROW_GROUP_SIZE
        assert eng.fetchall("SELECT * FROM split EXCEPT ALL SELECT * FROM plain") == []
        assert eng.fetchall("SELECT * FROM plain EXCEPT ALL SELECT * FROM split") == []
        eng.execute("CHECKPOINT")
        groups = [
            r[0]
            for r in eng.fetchall(
                "SELECT max(count) FROM pragma_storage_info('split') "
                "GROUP BY row_group_id ORDER BY row_group_id"
            )
        ]
        assert sum(groups) == split and len(groups) == -(-split // ROW_GROUP_SIZE)
        assert all(g == ROW_GROUP_SIZE for g in groups[:-1])
