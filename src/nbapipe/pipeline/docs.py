"""The model reference page (docs/models.md), generated from the model files.

    python -m nbapipe.pipeline.docs > docs/models.md

Column types come from compiling each model on an empty warehouse; meanings come from the
``-- column name: meaning [unit]`` lines of each model's header.
"""

from __future__ import annotations

from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.pipeline.model import Model, all_models, dependency_order
from nbapipe.pipeline.runner import FAILURE_COLUMNS, ensure_output_table
from nbapipe.pipeline.state import RUN_COLUMNS
from nbapipe.warehouse import migrate

UNDOCUMENTED = "(undocumented)"


def logical_type(storage_type: str) -> str:
    """The type readers see: a dictionary-coded string list (DuckDB ENUM list) reads as text."""
    if storage_type.startswith("ENUM(") and storage_type.endswith(")[]"):
        return "VARCHAR[]"
    return "VARCHAR" if storage_type.startswith("ENUM(") else storage_type


def model_columns() -> dict[str, list[tuple[str, str]]]:
    """(column, logical type) of every model's output, from compiling it on an empty
    warehouse."""
    with DuckDBEngine(":memory:") as engine:
        migrate(engine)
        out = {}
        for model in dependency_order(all_models()):
            ensure_output_table(engine, model)
            run_cols = {c for c, _ in RUN_COLUMNS}
            out[model.name] = [
                (c, logical_type(t)) for c, t in engine.columns(model.name) if c not in run_cols
            ]
        return out


def _model_section(model: Model, columns: list[tuple[str, str]]) -> list[str]:
    ups = ", ".join(f"`{u.table}`" + ("" if u.critical else " (optional)") for u in model.upstream)
    lookback = (
        f"{model.lookback_games} games"
        if model.lookback_games
        else f"{model.lookback_days} days"
        if model.lookback_days
        else "same day"
    )
    lines = [
        f"## `{model.name}`",
        "",
        model.description,
        "",
        f"- Grain: {model.grain}; key `({', '.join(model.key)})`; date column "
        f"`{model.date_column}`.",
        f"- Reads: {ups}; window: {lookback}.",
        *(
            [
                f"- Both teams of every completed game of a date have rows (`{model.team_games}`); "
                "a team-game without is a failure row (the date is written with the rest)."
            ]
            if model.team_games
            else []
        ),
        "- Checks: " + ", ".join(f"`{c.label}` ({c.severity})" for c in model.checks) + ".",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
    ]
    for name, typ in columns:
        doc = model.column_docs.get(name, UNDOCUMENTED).replace("|", "\\|")
        lines.append(f"| `{name}` | {typ} | {doc} |")
    failure_docs = [(c, model.column_docs[c]) for c in FAILURE_COLUMNS if c in model.column_docs]
    if failure_docs:
        lines += [
            "",
            "Entities it cannot compute become rows of `nba_processing.precompute_failures`, "
            "from these columns of the SELECT:",
            "",
            "| failure column | meaning |",
            "|---|---|",
        ]
        lines += [f"| `{c}` | {doc.replace('|', chr(92) + '|')} |" for c, doc in failure_docs]
    return lines


def markdown() -> str:
    cols = model_columns()
    lines = [
        "# Model reference",
        "",
        "Generated from `src/nbapipe/models/**/*.sql` by "
        "`python -m nbapipe.pipeline.docs > docs/models.md`; do not edit by hand. Every table "
        "also has `run_id` and `processed_at` (the run that wrote the row, and when). How the "
        'runner works: [pipeline.md](pipeline.md). "spec 6.3" and the like cite the legacy '
        "system's spec, which is not in the repository: it is "
        "`../shared/docs/legacy-system-spec.md`, beside the checkout.",
    ]
    for model in dependency_order(all_models()):
        lines += ["", *_model_section(model, cols[model.name])]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
