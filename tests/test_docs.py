"""Reference docs generated from code stay current."""

from pathlib import Path

from nbapipe.sources import schema

ROOT = Path(__file__).resolve().parents[1]


def test_docs_raw_layer_page_matches_schema_definitions() -> None:
    page = (ROOT / "docs" / "raw-layer.md").read_text(encoding="utf-8")
    assert page == schema.markdown(), (
        "docs/raw-layer.md is stale: run `python -m nbapipe.sources.schema > docs/raw-layer.md`"
    )
