"""Reference docs generated from code stay current."""

from pathlib import Path

from nbapipe.sources import schema

ROOT = Path(__file__).resolve().parents[1]


def test_docs_raw_layer_page_matches_schema_definitions() -> None:
    page = (ROOT / "docs" / "raw-layer.md").read_text(encoding="utf-8")
    assert page == schema.markdown(), (
        "docs/raw-layer.md is stale: run `python -m nbapipe.sources.schema > docs/raw-layer.md`"
    )


def test_docs_raw_layer_page_covers_every_table_init_creates() -> None:
    """docs/raw-layer.md is the column reference for every table but the models' outputs
    (docs/models.md): the pipeline's state tables included."""
    from nbapipe.engine.duckdb import DuckDBEngine
    from nbapipe.warehouse import migrate

    page = (ROOT / "docs" / "raw-layer.md").read_text(encoding="utf-8")
    with DuckDBEngine(":memory:") as engine:
        migrate(engine)
        tables = engine.fetchall(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() ORDER BY 1"
        )
    assert ("nba_reference.processor_run_history",) in tables
    missing = [t for (t,) in tables if f"## `{t}`" not in page]
    assert missing == []


def test_docs_model_reference_is_current() -> None:
    from nbapipe.pipeline import docs

    page = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    assert page == docs.markdown(), (
        "docs/models.md is stale: run `python -m nbapipe.pipeline.docs > docs/models.md`"
    )


def test_docs_every_model_column_is_documented_with_a_portable_type() -> None:
    from nbapipe.pipeline.docs import model_columns
    from nbapipe.pipeline.model import all_models
    from nbapipe.pipeline.runner import FAILURE_COLUMNS

    portable = {
        "VARCHAR",
        "INTEGER",
        "BIGINT",
        "DOUBLE",
        "BOOLEAN",
        "DATE",
        "TIMESTAMP",
        "VARCHAR[]",
        "DOUBLE[]",
    }
    models = all_models()
    undocumented, odd_types = [], []
    for name, cols in model_columns().items():
        for col, typ in cols:
            if col not in models[name].column_docs:
                undocumented.append(f"{name}.{col}")
            if typ not in portable:
                odd_types.append(f"{name}.{col}: {typ}")
        produced = {c for c, _ in cols} | set(FAILURE_COLUMNS)
        extra = set(models[name].column_docs) - produced
        undocumented += [f"{name}.{c} (documented but not produced)" for c in sorted(extra)]
    assert undocumented == []
    assert odd_types == []
