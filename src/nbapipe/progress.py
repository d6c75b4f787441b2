"""How long work reports progress: the API calls a sink; the CLI renders it with Rich."""

from __future__ import annotations

from typing import Protocol


class ProgressSink(Protocol):
    def step(self, task: str, done: float, total: float | None = None) -> None:
        """``task`` has reached ``done`` of ``total`` units (total None = unknown)."""


class NoProgress:
    """The sink for library use and tests: reports nothing."""

    def step(self, task: str, done: float, total: float | None = None) -> None:
        return None
