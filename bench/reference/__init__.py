"""Independent per-entity reference implementations of every model (see base.py).

``REFERENCES`` maps a table name to its Reference; each module under this package adds one.
"""

from __future__ import annotations

from bench.reference.base import Answer, Reference, Row

REFERENCES: dict[str, Reference] = {}


def register(ref: Reference) -> Reference:
    REFERENCES[ref.table] = ref
    return ref


def load_all() -> dict[str, Reference]:
    """Import every reference module (each registers itself) and return the registry."""
    import importlib
    import pkgutil

    import bench.reference as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name != "base":
            importlib.import_module(f"bench.reference.{info.name}")
    return REFERENCES


__all__ = ["REFERENCES", "Answer", "Reference", "Row", "load_all", "register"]
