"""Where the warehouse lives and other run settings (environment variables NBAPIPE_*)."""

from __future__ import annotations

import os
from pathlib import Path

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
