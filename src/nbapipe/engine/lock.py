"""One writer at a time: an advisory lock file beside the warehouse says who holds it.

DuckDB already refuses a second writer; the lock file lets us tell the user *which* run holds
the warehouse and since when, and lets ``--wait`` queue politely instead of failing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

from nbapipe.errors import NbapipeError


class WarehouseBusy(NbapipeError):
    """Another process is writing to the warehouse."""


def lock_path(warehouse: Path) -> Path:
    return Path(str(warehouse) + ".lock")


def describe_holder(warehouse: Path) -> str:
    """Who holds the warehouse, as the lock file tells it. The lock file may name this very
    process: it holds nbapipe's lock but DuckDB's file lock is held by something else."""
    other = "another process has it open, not an nbapipe run: a DuckDB shell or notebook?"
    try:
        info = json.loads(lock_path(warehouse).read_text())
        if info["pid"] == os.getpid():
            return other
        return f"run {info['run_id']} since {info['started_at']} (pid {info['pid']})"
    except (OSError, ValueError, KeyError):
        return other


@contextlib.contextmanager
def writer_lock(
    warehouse: Path | None, run_id: str, *, wait: bool = False, timeout: float = 3600.0
) -> Iterator[None]:
    """Hold the warehouse's writer lock for the block (no-op for in-memory warehouses)."""
    if warehouse is None:
        yield
        return
    path = lock_path(warehouse)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait or time.monotonic() > deadline:
                    raise WarehouseBusy(
                        f"warehouse {warehouse} is busy ({describe_holder(warehouse)}); "
                        "re-run with --wait to queue behind it"
                    ) from None
                time.sleep(0.5)
        info = {
            "run_id": run_id,
            "pid": os.getpid(),
            "started_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
