"""One root error type. The CLI prints these as one line; anything else is a bug."""

from __future__ import annotations


class NbapipeError(Exception):
    """Base of every error nbapipe raises on purpose. The message speaks to the user."""


class InputError(NbapipeError):
    """A value the user (or a file) gave us is not valid: says what and where."""


class WarehouseError(NbapipeError):
    """The warehouse cannot be opened, created or written."""
