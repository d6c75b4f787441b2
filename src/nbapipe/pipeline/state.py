"""The pipeline's own tables: run history, interval state, failures and check results.

They live in the warehouse beside the data, so a killed run resumes from them and operators
query them like any other table.
"""

from __future__ import annotations

from nbapipe.sources.schema import PROCESSING, REFERENCE, C, Table

RUN_HISTORY = Table(
    REFERENCE,
    "processor_run_history",
    grain="one row per model per run",
    key=("run_id", "model"),
    doc="Every model execution: range, status, rows, step durations, trigger, error.",
    lineage=False,
    columns=(
        C("run_id", "VARCHAR", "id shared by all models of one command", False),
        C("model", "VARCHAR", "output table of the model", False),
        C("range_start", "DATE", "first date of the requested range", False),
        C("range_end", "DATE", "last date of the requested range (inclusive)", False),
        C("status", "VARCHAR", "queued, running, success, failed, partial or skipped", False),
        C("trigger", "VARCHAR", "backfill, daily, manual, quickstart, test"),
        C("force", "BOOLEAN", "recompute regardless of fingerprints"),
        C("dates_in_range", "INTEGER", "calendar dates in the range"),
        C("dates_computed", "INTEGER", "dates recomputed"),
        C("dates_skipped", "INTEGER", "dates whose inputs had not changed"),
        C("dates_failed", "INTEGER", "dates that failed (dependency or check)"),
        C("rows_written", "BIGINT", "output rows written"),
        C("failure_rows", "BIGINT", "per-entity failure rows written"),
        C("checks_failed", "INTEGER", "check x date combinations that failed"),
        C("extract_seconds", "DOUBLE", "planning: fingerprints and dependency checks"),
        C("transform_seconds", "DOUBLE", "running the model's SELECT"),
        C("write_seconds", "DOUBLE", "replacing the range and recording state"),
        C("check_seconds", "DOUBLE", "output checks"),
        C("started_at", "TIMESTAMP", "UTC"),
        C("finished_at", "TIMESTAMP", "UTC"),
        C("error", "VARCHAR", "what went wrong, for failed runs"),
    ),
)

MODEL_INTERVALS = Table(
    REFERENCE,
    "model_intervals",
    grain="one row per model per date",
    key=("model", "interval_date"),
    doc="What each model has computed for each date, from which inputs.",
    lineage=False,
    columns=(
        C("model", "VARCHAR", "output table", False),
        C("interval_date", "DATE", "the date", False),
        C("status", "VARCHAR", "success or failed", False),
        C("row_count", "BIGINT", "rows written for the date"),
        C("input_fingerprint", "VARCHAR", "hash of every input row the date's window reads"),
        C("model_fingerprint", "VARCHAR", "hash of the model file that computed it"),
        C("run_id", "VARCHAR", "run that computed it"),
        C("finished_at", "TIMESTAMP", "UTC"),
        C(
            "output_hash",
            "VARCHAR",
            "order-free hash of the table's rows for the date after the write (run columns "
            "left out): what downstream fingerprints read instead of rehashing the table",
        ),
    ),
)

PRECOMPUTE_FAILURES = Table(
    PROCESSING,
    "precompute_failures",
    grain="one row per model per date per entity",
    key=("model", "analysis_date", "entity_id"),
    doc="Entities (or whole dates, entity '__date__') a model could not compute, and why.",
    lineage=False,
    columns=(
        C("model", "VARCHAR", "output table", False),
        C("run_id", "VARCHAR", "run that found it"),
        C("analysis_date", "DATE", "the date", False),
        C("entity_id", "VARCHAR", "player_lookup / team_abbr, or __date__", False),
        C("failure_category", "VARCHAR", "MISSING_DEPENDENCY, INSUFFICIENT_DATA, ...", False),
        C("failure_reason", "VARCHAR", "what exactly"),
        C("can_retry", "BOOLEAN", "may a later run succeed (more data arriving)?"),
        C("expected_game_count", "INTEGER", "games expected in the window"),
        C("actual_game_count", "INTEGER", "games found"),
        C("created_at", "TIMESTAMP", "UTC"),
    ),
)

CHECK_RESULTS = Table(
    PROCESSING,
    "check_results",
    grain="one row per model per date per check (latest run)",
    key=("model", "check_date", "check_name"),
    doc="Output checks of the latest computation of each date.",
    lineage=False,
    columns=(
        C("model", "VARCHAR", "output table", False),
        C("check_date", "DATE", "the date", False),
        C("check_name", "VARCHAR", "the check as declared", False),
        C("severity", "VARCHAR", "error (blocks the date) or warn"),
        C("passed", "BOOLEAN", "did every row pass?", False),
        C("failing_rows", "BIGINT", "rows violating it"),
        C("detail", "VARCHAR", "an example of a failing row"),
        C("run_id", "VARCHAR", "run that checked"),
        C("checked_at", "TIMESTAMP", "UTC"),
    ),
)

STATE_TABLES: tuple[Table, ...] = (RUN_HISTORY, MODEL_INTERVALS, PRECOMPUTE_FAILURES, CHECK_RESULTS)

# Columns the runner adds to every model output table (not part of the data fingerprint).
RUN_COLUMNS = (("run_id", "VARCHAR"), ("processed_at", "TIMESTAMP"))
