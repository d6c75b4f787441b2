"""Where the warehouse lives and other run settings (environment variables NBAPIPE_*)."""

from __future__ import annotations

import os
from pathlib import Path

from nbapipe.errors import InputError

DEFAULT_WAREHOUSE = "nbapipe.duckdb"
ENV_WAREHOUSE = "NBAPIPE_WAREHOUSE"


def warehouse_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: --warehouse, else $NBAPIPE_WAREHOUSE, else ./nbapipe.duckdb."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_WAREHOUSE)
    if env:
        return Path(env).expanduser()
    return Path(DEFAULT_WAREHOUSE)


ENV_CACHE = "NBAPIPE_CACHE"


def cache_dir(
    explicit: str | os.PathLike[str] | None = None, warehouse: Path | None = None
) -> Path:
    """Where live fetches keep raw responses: --cache-dir, $NBAPIPE_CACHE, else beside the
    warehouse in nbapipe-cache/."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    return (warehouse or warehouse_path()).resolve().parent / "nbapipe-cache"


ENV_MODEL_WORKERS = "NBAPIPE_MODEL_WORKERS"
DEFAULT_MODEL_WORKERS = 2


def model_workers(explicit: int | None = None) -> int:
    """How many models may run side by side (each waits for its upstreams): the argument,
    else $NBAPIPE_MODEL_WORKERS, else 2. 1 runs them one after another."""
    if explicit is not None:
        value: int | str = explicit
    else:
        value = os.environ.get(ENV_MODEL_WORKERS, DEFAULT_MODEL_WORKERS)
    try:
        workers = int(value)
    except ValueError:
        raise InputError(f"{ENV_MODEL_WORKERS} must be a whole number, not {value!r}") from None
    if workers < 1:
        raise InputError(f"model workers must be at least 1, not {workers}")
    return workers
