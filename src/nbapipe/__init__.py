"""nbapipe: set-based, range-first NBA analytics on DuckDB."""

__version__ = "0.1.0"
